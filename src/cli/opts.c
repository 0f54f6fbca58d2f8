/* Shared host-selection options. */
#include "cli/opts.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "data/yaml.h"
#include "playbook/kv.h"
#include "base/fdutil.h"
#include "base/sha256.h"
#include "base/ttyprompt.h"
#include "exec/adhoc.h"
#include "transport/ctlpath.h"


void cli_opts_init(struct cli_opts *co)
{
	memset(co, 0, sizeof(*co));
	co->extra_vars = value_map();
}

void cli_opts_fini(struct cli_opts *co)
{
	config_free(co->cfg);
	free(co->inventories);
	free(co->limits);
	value_unref(co->extra_vars);
	memset(co, 0, sizeof(*co));
}

int cli_parse_int(const char *s, const char *flag, int min, int max, int *outp)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		log_error("%s: '%s' is not a whole number from %d to %d", flag, s, min, max);
		return ERR_INVAL;
	}
	*outp = (int)v;
	return 0;
}

static void cli_push(const char ***arrp, size_t *np, const char *s)
{
	*arrp = xreallocarray(*arrp, *np + 1, sizeof(**arrp));
	(*arrp)[(*np)++] = s;
}

int cli_extra_vars(struct value **varsp, const char *arg, struct diag *d)
{
	struct value *data = NULL;
	int r = 0;

	if (*arg == '\0')
		return 0;
	if (arg[0] == '@')
		r = yaml_load_data_file(arg + 1, &data, d);
	else if (arg[0] == '/' || arg[0] == '.') {
		diag_set(d, NULL, 0, 0, "Please prepend extra_vars filename '%s' with '@'", arg);
		return ERR_INVAL;
	} else if (arg[0] == '[' || arg[0] == '{')
		r = yaml_load_data(arg, strlen(arg), "-e", &data, d);
	else
		r = kv_parse(arg, strlen(arg), 0, &data, d);
	if (r != 0)
		goto out;
	if (data == NULL || data->type != VALUE_MAP) {
		diag_set(d, NULL, 0, 0,
		         "Invalid extra vars data supplied. '%s' could not be made into a dictionary", arg);
		r = ERR_INVAL;
		goto out;
	}
	value_map_update(value_mut(varsp), data, 0);
out:
	value_unref(data);
	return r;
}

int cli_opts_common(struct cli_opts *co, int flag, const char *arg)
{
	struct diag d;
	char *msg;
	int r = 0;

	switch (flag) {
	case 'i': cli_push(&co->inventories, &co->ninventories, arg); return 0;
	case 'l':
		/* As ansible's --limit, the last one given wins. */
		co->nlimits = 0;
		cli_push(&co->limits, &co->nlimits, arg);
		return 0;
	case 'c': co->connection = arg; return 0;
	case 'v': co->verbosity++; log_set_verbosity(co->verbosity); return 0;
	case 'f': return cli_parse_int(arg, "--forks", 1, 100000, &co->forks);
	case 'T': return cli_parse_int(arg, "--timeout", 1, 86400, &co->timeout);
	case 'e':
		diag_init(&d);
		if ((r = cli_extra_vars(&co->extra_vars, arg, &d)) != 0) {
			msg = diag_format(&d);
			log_error("-e: %s", msg);
			free(msg);
		}
		diag_fini(&d);
		return r;
	default:
		return ERR_INVAL;
	}
}

int cli_opts_config(struct cli_opts *co)
{
	struct diag d;
	char *msg;

	if (co->cfg != NULL)
		return EXIT_OK;
	diag_init(&d);
	if (config_load(&co->cfg, &d) != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		diag_fini(&d);
		return EXIT_OPTIONS;
	}
	diag_fini(&d);
	config_print_warnings(co->cfg);
	return EXIT_OK;
}

int cli_load_inventory(struct cli_opts *co, struct inventory **invp)
{
	const char *const *src = co->inventories;
	size_t n = co->ninventories, i;
	const struct value *list;
	const char **cfgsrc = NULL;
	struct diag d;
	char *msg;
	int rc;

	if ((rc = cli_opts_config(co)) != EXIT_OK)
		return rc;
	if (n == 0 && (list = config_list(co->cfg, CONFIG_DEFAULT_HOST_LIST)) != NULL) {
		/* Ansible's default /etc/ansible/hosts may simply not exist. */
		for (i = 0; i < value_len(list); i++) {
			const char *p = value_cstr(value_list_at(list, i));

			if (p == NULL || *p == '\0')
				continue;
			if (config_from(co->cfg, CONFIG_DEFAULT_HOST_LIST) == CONFIG_FROM_DEFAULT && access(p, R_OK) != 0)
				continue;
			cfgsrc = xreallocarray(cfgsrc, n + 1, sizeof(*cfgsrc));
			cfgsrc[n++] = p;
		}
		src = cfgsrc;
	}
	diag_init(&d);
	if (inventory_load(invp, src, n, &d) != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		rc = EXIT_ERROR;
	}
	diag_fini(&d);
	free(cfgsrc);
	return rc;
}

int cli_select_hosts(const struct cli_opts *co, struct inventory *inv, const char *pattern,
                     struct inv_host ***hostsp, size_t *np)
{
	struct diag d;
	char *msg;
	int rc = EXIT_OK;

	diag_init(&d);
	if (inventory_select(inv, pattern, co->limits, co->nlimits, hostsp, np, &d) != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		rc = EXIT_ERROR;
	} else if (*np == 0) {
		log_error("no hosts matched the pattern '%s'%s", pattern, co->nlimits ? " and the limit" : "");
		rc = EXIT_ERROR;
	}
	diag_fini(&d);
	return rc;
}

/* The default forks window: every host at once as far as CPU and fds allow
 * (each host holds an ssh process and about six fds). */
static int cli_default_forks(void)
{
	struct rlimit rl;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long byfd = 1024 / 8, bycpu;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		if (rl.rlim_cur < rl.rlim_max) {
			rl.rlim_cur = rl.rlim_max > 65536 ? 65536 : rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		byfd = ((long)rl.rlim_cur - 64) / 8;
	}
	bycpu = (cpus > 0 ? cpus : 1) * 128;
	if (byfd > bycpu)
		byfd = bycpu;
	return byfd < 5 ? 5 : (int)byfd;
}

/* ControlPersist from the user's ssh_args ("60", "60s", "10m", "1h", "yes",
 * "no"), which drover applies to the masters it starts; -1 when absent. */
static int cli_persist_from_args(const char *args)
{
	const char *p = args ? strstr(args, "ControlPersist") : NULL;
	char *end;
	long v;

	if (p == NULL)
		return -1;
	p += strlen("ControlPersist");
	while (*p == ' ' || *p == '=')
		p++;
	if (strncasecmp(p, "yes", 3) == 0)
		return 86400 * 365;
	if (strncasecmp(p, "no", 2) == 0)
		return 0;
	v = strtol(p, &end, 10);
	if (end == p || v < 0)
		return -1;
	if (*end == 'm' || *end == 'M')
		v *= 60;
	else if (*end == 'h' || *end == 'H')
		v *= 3600;
	return v > 86400 * 365 ? 86400 * 365 : (int)v;
}

static void cli_load_worker(struct adhoc_opts *o, struct cli_worker *w)
{
	static char hash[SHA256_HEX_LEN + 1];
	static struct utsname un;
	struct buf b;
	int r;

	buf_init(&b, (size_t)64 << 20);
	if ((r = file_read(o->worker_path, &b)) == 0) {
		w->bytes = buf_take(&b, &w->len);
		sha256_hex(w->bytes, w->len, hash);
		w->hash = hash;
		o->worker_bytes = w->bytes;
		o->worker_len = w->len;
		o->worker_hash = hash;
	} else {
		/* Only ssh hosts need the bytes; they fail with this reason. */
		snprintf(w->error, sizeof(w->error), "cannot read the worker binary %s: %s", o->worker_path,
		         err_str(r));
		o->worker_error = w->error;
	}
	buf_fini(&b);
	uname(&un);
	o->worker_arch = un.machine;
}

/* Command-line values win; then ANSIBLE_* and ansible.cfg (co->cfg). */
static void cli_ssh_config(const struct cli_opts *co, struct adhoc_opts *o)
{
	const struct config *c = co->cfg;

	o->forks = co->forks > 0 ? co->forks
	           : config_from(c, CONFIG_DEFAULT_FORKS) != CONFIG_FROM_DEFAULT ? config_int(c, CONFIG_DEFAULT_FORKS, 5)
	                                                                           : cli_default_forks();
	o->connect_timeout_ms = (uint64_t)(co->timeout > 0 ? co->timeout : config_int(c, CONFIG_SSH_TIMEOUT, 10)) * 1000;
	if (o->remote_user == NULL)
		o->remote_user = config_str(c, CONFIG_SSH_REMOTE_USER);
	if (o->private_key == NULL)
		o->private_key = config_path(c, CONFIG_SSH_PRIVATE_KEY_FILE);
	if (o->ssh_common_args == NULL)
		o->ssh_common_args = config_str(c, CONFIG_SSH_COMMON_ARGS);
	if (o->ssh_extra_args == NULL)
		o->ssh_extra_args = config_str(c, CONFIG_SSH_EXTRA_ARGS);
	if (o->retries == 0)
		o->retries = config_int(c, CONFIG_SSH_RETRIES, 0);
	o->ssh_executable = config_str(c, CONFIG_SSH_EXECUTABLE);
	o->host_key_checking = config_bool(c, CONFIG_SSH_HOST_KEY_CHECKING);
	/* Ansible's default ssh_args only set up multiplexing, which drover
	 * does itself; a user's own ssh_args are passed on without their
	 * Control* options, whose ControlPersist drover applies. */
	if (config_from(c, CONFIG_SSH_ARGS) != CONFIG_FROM_DEFAULT)
		o->ssh_args = config_str(c, CONFIG_SSH_ARGS);
}

int cli_ssh_setup(struct cli_opts *co, struct adhoc_opts *o, struct cli_worker *w)
{
	const char *persist = getenv("DROVER_CONTROL_PERSIST");
	const char *cfgdir = NULL;
	char *dir = NULL, *why = NULL;
	int rc, p;

	if ((rc = cli_opts_config(co)) != EXIT_OK)
		return rc;
	cli_load_worker(o, w);
	cli_ssh_config(co, o);
	o->persist = 60;
	if ((p = cli_persist_from_args(o->ssh_args)) >= 0)
		o->persist = p;
	if (persist != NULL && *persist && cli_parse_int(persist, "DROVER_CONTROL_PERSIST", 0, 86400 * 365,
	                                                  &o->persist) != 0)
		return EXIT_OPTIONS;
	if (co->no_persist)
		o->persist = 0;
	if (config_from(co->cfg, CONFIG_SSH_CONTROL_PATH_DIR) != CONFIG_FROM_DEFAULT)
		cfgdir = config_path(co->cfg, CONFIG_SSH_CONTROL_PATH_DIR);
	if (o->persist > 0) {
		if (ctlpath_dir(cfgdir, &dir, &why) != 0)
			log_warn("no usable control directory (%s): connecting to every host directly", why);
		else if (why != NULL)
			log_warn("control directory: %s; using %s instead", why, dir);
		o->ctl_dir = w->ctl_dir = dir;
		free(why);
	}
	return EXIT_OK;
}

char *cli_prompt_secret(const char *prompt)
{
	return ttyprompt_read(prompt, 1);
}
