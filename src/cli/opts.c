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
#include <termios.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "data/yaml.h"
#include "playbook/kv.h"
#include "base/fdutil.h"
#include "base/sha256.h"
#include "exec/adhoc.h"
#include "transport/ctlpath.h"

#define CLI_DEFAULT_TIMEOUT 10

void cli_opts_init(struct cli_opts *co)
{
	memset(co, 0, sizeof(*co));
	co->extra_vars = value_map();
	co->timeout = CLI_DEFAULT_TIMEOUT;
}

void cli_opts_fini(struct cli_opts *co)
{
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
	case 'l': cli_push(&co->limits, &co->nlimits, arg); return 0;
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

int cli_load_inventory(const struct cli_opts *co, struct inventory **invp)
{
	const char *deflt[1];
	const char *const *src = co->inventories;
	size_t n = co->ninventories;
	const char *env = getenv("ANSIBLE_INVENTORY");
	char **split = NULL;
	struct diag d;
	char *msg, *copy = NULL, *p, *comma;
	int rc = EXIT_OK;

	if (n == 0 && env != NULL && *env) {
		/* ANSIBLE_INVENTORY is a comma-separated list of sources. */
		copy = xstrdup(env);
		for (p = copy; p != NULL; p = comma) {
			if ((comma = strchr(p, ',')) != NULL)
				*comma++ = '\0';
			if (*p) {
				split = xreallocarray(split, n + 1, sizeof(*split));
				split[n++] = p;
			}
		}
		src = (const char *const *)split;
	} else if (n == 0 && access("/etc/ansible/hosts", R_OK) == 0) {
		deflt[0] = "/etc/ansible/hosts";
		src = deflt;
		n = 1;
	}
	diag_init(&d);
	if (inventory_load(invp, src, n, &d) != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		rc = EXIT_ERROR;
	}
	diag_fini(&d);
	free(split);
	free(copy);
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

static int cli_env_bool(const char *name, int dflt)
{
	const char *v = getenv(name);

	if (v == NULL || *v == '\0')
		return dflt;
	if (strcasecmp(v, "false") == 0 || strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0 ||
	    strcasecmp(v, "off") == 0 || strcasecmp(v, "n") == 0 || strcasecmp(v, "f") == 0)
		return 0;
	return 1;
}

int cli_ssh_setup(const struct cli_opts *co, struct adhoc_opts *o, struct cli_worker *w)
{
	static char hash[SHA256_HEX_LEN + 1];
	static struct utsname un;
	struct buf b;
	char *dir = NULL, *why = NULL;
	const char *persist = getenv("DROVER_CONTROL_PERSIST");
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
	o->forks = co->forks > 0 ? co->forks : cli_default_forks();
	o->host_key_checking = cli_env_bool("ANSIBLE_HOST_KEY_CHECKING", 1);
	o->persist = 60;
	if (persist != NULL && *persist && cli_parse_int(persist, "DROVER_CONTROL_PERSIST", 0, 86400 * 365,
	                                                  &o->persist) != 0)
		return EXIT_OPTIONS;
	if (co->no_persist)
		o->persist = 0;
	if (o->persist > 0) {
		if (ctlpath_dir(getenv("ANSIBLE_SSH_CONTROL_PATH_DIR"), &dir, &why) != 0)
			log_v(1, "no usable control directory (%s): connecting to every host directly", why);
		else if (why != NULL)
			log_v(1, "control directory: %s; using %s instead", why, dir);
		o->ctl_dir = w->ctl_dir = dir;
		free(why);
	}
	return EXIT_OK;
}

char *cli_prompt_secret(const char *prompt)
{
	struct termios old, quiet;
	struct buf b;
	char c;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	int echo_off;

	if (fd < 0)
		return NULL;
	fd_write_all(fd, prompt, strlen(prompt));
	echo_off = tcgetattr(fd, &old) == 0;
	if (echo_off) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	buf_init(&b, 4096);
	b.secret = 1;
	while (read(fd, &c, 1) == 1 && c != '\n' && c != '\r')
		if (buf_putc(&b, c) != 0)
			break;
	if (echo_off)
		tcsetattr(fd, TCSAFLUSH, &old);
	fd_write_all(fd, "\n", 1);
	close(fd);
	return buf_take(&b, NULL);
}
