/* service, as Ansible 2.14's: its action plugin hands the task to the
 * systemd module where the host's service manager fact says systemd, and
 * otherwise runs the service module, whose Linux part is done here:
 * systemctl when systemd booted the host, else the init script through
 * the service program, enabled with update-rc.d, insserv or chkconfig;
 * the running state read from "systemctl show", from "ps" with a pattern,
 * or from the status command's exit code and words. Upstart and OpenRC
 * hosts are not handled (a clear failure). */
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/setup.h"
#include "modules/sysutil.h"

static const struct module_argspec service_spec[] = {
	{"name", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"state", MODULE_ARG_STR, NULL, NULL, "started,stopped,reloaded,restarted", 0},
	{"sleep", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"pattern", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"enabled", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"runlevel", MODULE_ARG_STR, "default", NULL, NULL, 0},
	{"arguments", MODULE_ARG_STR, "", "args", NULL, 0},
};

#define SERVICE_NSPEC (sizeof(service_spec) / sizeof(service_spec[0]))

/* The tools get_service_tools looks for, in this order. */
enum { SVC_SERVICE, SVC_CHKCONFIG, SVC_UPDATERCD, SVC_RCSERVICE, SVC_INITCTL, SVC_SYSTEMCTL, SVC_INSSERV, SVC_NTOOLS };
static const char *const service_tools[] = {"service", "chkconfig", "update-rc.d", "rc-service",
                                            "initctl", "systemctl", "insserv"};

struct service_job {
	const struct module_ctx *ctx;
	const struct value *params;
	const char *name, *state;
	int enable;           /* -1: not asked */
	char *tool[SVC_NTOOLS];
	char *initscript;     /* /etc/init.d/NAME when it is a file */
	const char *svc_cmd;  /* borrowed from tool or initscript */
	const char *enable_cmd;
	int systemd;
	int changed, svc_change, running, crashed; /* running -1: unknown */
	char *locale;         /* get_best_parsable_locale */
};

/* get_bin_path(name, opt_dirs=[/sbin, /usr/sbin, /bin, /usr/bin]): those
 * first, then PATH. */
static char *service_bin(const struct module_ctx *ctx, const char *name)
{
	static const char *const dirs[] = {"/sbin", "/usr/sbin", "/bin", "/usr/bin"};
	char *p;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		p = fileutil_join(dirs[i], name);
		if (fileutil_isfile(p) && access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return fileutil_bin_path(ctx, name);
}

/* get_best_parsable_locale: the first of Ansible's preferences that
 * "locale -a" lists, else C. */
static char *service_locale(const struct module_ctx *ctx)
{
	static const char *const prefs[] = {"C.utf8", "C.UTF-8", "en_US.utf8", "en_US.UTF-8", "C", "POSIX"};
	char *bin = fileutil_bin_path(ctx, "locale"), *argv[] = {bin, "-a", NULL}, *found = NULL, *line;
	const char *p, *nl;
	struct buf out, err;
	size_t i;
	int rc;

	if (bin == NULL)
		return xstrdup("C");
	if (sysutil_run(ctx, argv, 0, &rc, &out, &err) == 0 && rc == 0) {
		for (i = 0; i < sizeof(prefs) / sizeof(prefs[0]) && found == NULL; i++) {
			for (p = buf_str(&out); *p != '\0' && found == NULL; p = nl + (*nl != '\0')) {
				nl = p + strcspn(p, "\n");
				line = sysparse_strip(p, (size_t)(nl - p));
				if (strcmp(line, prefs[i]) == 0)
					found = xstrdup(prefs[i]);
				free(line);
			}
		}
	}
	buf_fini(&out);
	buf_fini(&err);
	free(bin);
	return found != NULL ? found : xstrdup("C");
}

/* execute_command: the command line of words a, b and c (any may be NULL)
 * then the task's "arguments" split as a shell would; detached ones run
 * with the locale alone in their environment, as Ansible's daemonized
 * commands do. */
static int service_exec(struct service_job *j, int detached, const char *a, const char *b, const char *c,
                        int with_args, struct buf *out, struct buf *err)
{
	const char *args = value_get_str(j->params, "arguments", ""), *msg;
	struct value *words = NULL;
	char *argv[64];
	size_t k = 0, i;
	int rc;

	k = sysutil_words(argv, k, a, b, c);
	if (with_args && shlex_split(args, strlen(args), &words, &msg) == 0)
		for (i = 0; i < value_len(words) && k < 63; i++)
			argv[k++] = (char *)value_cstr(value_list_at(words, i));
	argv[k] = NULL;
	sysutil_run_locale(j->ctx, argv, j->locale, detached, &rc, out, err);
	value_unref(words);
	return rc;
}

/* check_systemd: systemctl there, and systemd booted the host. */
static int service_is_systemd(const struct service_job *j)
{
	char *comm;
	int r;

	if (j->tool[SVC_SYSTEMCTL] == NULL)
		return 0;
	if (fileutil_exists("/run/systemd/system/") || fileutil_exists("/dev/.run/systemd/") ||
	    fileutil_exists("/dev/.systemd/"))
		return 1;
	comm = setup_file("/proc/1/comm");
	r = comm != NULL && strstr(comm, "systemd") != NULL;
	free(comm);
	return r;
}

/* get_service_tools. Returns NULL or a failure. */
static struct value *service_tools_find(struct service_job *j)
{
	char *p;
	size_t i;

	for (i = 0; i < SVC_NTOOLS; i++)
		j->tool[i] = service_bin(j->ctx, service_tools[i]);
	p = xasprintf("/etc/init.d/%s", j->name);
	if (fileutil_isfile(p))
		j->initscript = p;
	else
		free(p);
	if ((j->systemd = service_is_systemd(j))) {
		j->svc_cmd = j->enable_cmd = j->tool[SVC_SYSTEMCTL];
	} else if ((j->tool[SVC_INITCTL] != NULL && (p = xasprintf("/etc/init/%s.conf", j->name)) != NULL &&
	            (fileutil_exists(p) ? (free(p), 1) : (free(p), 0))) ||
	           j->tool[SVC_RCSERVICE] != NULL) {
		return module_fail(value_map(), "drover's service module does not handle %s hosts",
		                   j->tool[SVC_RCSERVICE] != NULL ? "OpenRC" : "Upstart");
	} else if (j->initscript != NULL) {
		if (j->tool[SVC_UPDATERCD] == NULL && j->tool[SVC_INSSERV] != NULL)
			return module_fail(value_map(), "drover's service module does not handle insserv hosts");
		j->enable_cmd = j->tool[SVC_UPDATERCD] != NULL ? j->tool[SVC_UPDATERCD] : j->tool[SVC_CHKCONFIG];
	}
	if (j->enable_cmd == NULL)
		return module_fail(value_map(), "Could not find the requested service %s: host", j->name);
	if (j->svc_cmd == NULL)
		j->svc_cmd = j->tool[SVC_SERVICE];
	if (j->svc_cmd == NULL && j->initscript == NULL)
		return module_fail(value_map(), "cannot find 'service' binary or init script for service,  possible typo "
		                                "in service name?, aborting");
	return NULL;
}

static int service_ends(const char *cmd, const char *tool)
{
	size_t t = strlen(tool);

	return cmd != NULL && strlen(cmd) >= t && strcmp(cmd + strlen(cmd) - t, tool) == 0;
}

/* service_control for j->... action: start, stop, status, reload, or
 * restart as a stop and a start. */
static int service_control(struct service_job *j, const char *action, struct buf *out, struct buf *err)
{
	struct buf o2, e2;
	const char *cmd = j->svc_cmd != NULL ? j->svc_cmd : j->initscript;
	const char *unit = j->svc_cmd != NULL ? j->name : NULL;
	int rc1, rc2;
	int64_t pause = value_get_int(j->params, "sleep", 0);

	if (strcmp(action, "restart") != 0)
		return service_exec(j, 1, cmd, j->systemd ? action : unit, j->systemd ? unit : action, 1, out, err);
	rc1 = service_exec(j, 1, cmd, j->systemd ? "stop" : unit, j->systemd ? unit : "stop", 1, out, err);
	if (pause > 0 && pause < 3600)
		sleep((unsigned)pause);
	rc2 = service_exec(j, 1, cmd, j->systemd ? "start" : unit, j->systemd ? unit : "start", 1, &o2, &e2);
	if (rc1 != 0 && rc2 == 0) {
		buf_reset(out);
		buf_reset(err);
	}
	buf_put(out, buf_ptr(&o2), buf_avail(&o2));
	buf_put(err, buf_ptr(&e2), buf_avail(&e2));
	buf_fini(&o2);
	buf_fini(&e2);
	return rc1 != 0 && rc2 == 0 ? 0 : rc1 + rc2;
}

/* get_systemd_service_status: ActiveState from "systemctl show". Returns
 * NULL or a failure. */
static struct value *service_systemd_status(struct service_job *j)
{
	struct value *fail = NULL;
	struct buf out, err;
	const char *p, *nl, *state = NULL;
	int rc = service_exec(j, 0, j->enable_cmd, "show", j->name, 0, &out, &err), in_value = 0;

	if (rc != 0)
		fail = module_fail(value_map(), "failure %d running systemctl show for '%s': %s", rc, j->name, buf_str(&err));
	else if (strstr(buf_str(&out), "LoadState=not-found") != NULL)
		fail = module_fail(value_map(), "systemd could not find the requested service \"'%s'\": %s", j->name,
		                   buf_str(&err));
	/* Values in braces may span lines; ActiveState is a line of its own. */
	for (p = buf_str(&out); fail == NULL && *p != '\0' && state == NULL; p = nl + (*nl != '\0')) {
		nl = p + strcspn(p, "\n");
		if (in_value) {
			in_value = !(nl > p && nl[-1] == '}');
		} else if (strncmp(p, "ActiveState=", 12) == 0) {
			state = p + 12;
		} else if (memchr(p, '=', (size_t)(nl - p)) != NULL) {
			const char *v = (const char *)memchr(p, '=', (size_t)(nl - p)) + 1;

			v += strspn(v, " \t");
			in_value = *v == '{' && !(nl > p && nl[-1] == '}');
		}
	}
	if (fail == NULL && state == NULL)
		fail = module_fail(value_map(), "No ActiveState value in systemctl show output for '%s'", j->name);
	else if (fail == NULL) {
		j->running = strncmp(state, "active\n", 7) == 0 || strcmp(state, "active") == 0;
		j->crashed = strncmp(state, "failed\n", 7) == 0 || strcmp(state, "failed") == 0;
	}
	buf_fini(&out);
	buf_fini(&err);
	return fail;
}

/* get_service_status for init scripts: the status command's exit code,
 * then the words of a one-line answer. */
static void service_sysv_status(struct service_job *j)
{
	static const char *const dead[] = {"could not access pid file", "is dead and pid file exists",
	                                   "dead but subsys locked", "dead but pid file exists"};
	struct buf out, err, clean;
	const char *o, *hit;
	size_t i, nl = 0, n = strlen(j->name);
	char *lo, *lname;
	int rc = service_control(j, "status", &out, &err);

	if (rc == 1 || rc == 2 || rc == 3 || rc == 4 || rc == 69)
		j->running = 0;
	for (o = buf_str(&out); *o != '\0'; o++)
		nl += *o == '\n';
	if (j->running < 0 && nl <= 1) {
		lo = xstrdup(buf_str(&out));
		lname = xstrdup(j->name);
		for (i = 0; lo[i] != '\0'; i++)
			lo[i] = (char)(lo[i] >= 'A' && lo[i] <= 'Z' ? lo[i] + 32 : lo[i]);
		for (i = 0; lname[i] != '\0'; i++)
			lname[i] = (char)(lname[i] >= 'A' && lname[i] <= 'Z' ? lname[i] + 32 : lname[i]);
		buf_init(&clean, 0);
		for (o = lo; n > 0 && (hit = strstr(o, lname)) != NULL; o = hit + n)
			buf_put(&clean, o, (size_t)(hit - o));
		buf_puts(&clean, o);
		o = buf_str(&clean);
		if (strstr(o, "stop") != NULL)
			j->running = 0;
		else if (strstr(o, "run") != NULL)
			j->running = strstr(o, "not ") == NULL;
		else if (strstr(o, "start") != NULL && strstr(o, "not ") == NULL)
			j->running = 1;
		for (i = 0; i < sizeof(dead) / sizeof(dead[0]) && j->running < 0; i++)
			if (strstr(o, dead[i]) != NULL)
				j->running = 0;
		buf_fini(&clean);
		free(lo);
		free(lname);
	}
	if (j->running < 0 && rc == 0)
		j->running = 1;
	if (j->running < 0 && strcmp(j->name, "iptables") == 0 && strstr(buf_str(&out), "ACCEPT") != NULL)
		j->running = 1;
	buf_fini(&out);
	buf_fini(&err);
}

/* check_ps: a line of "ps auxww" holding the pattern. */
static struct value *service_ps(struct service_job *j)
{
	const char *pattern = value_get_str(j->params, "pattern", ""), *p, *nl;
	struct value *fail = NULL;
	struct buf out, err;
	char *ps = sysutil_bin(j->ctx, "ps", &fail), *line;

	if (ps == NULL)
		return fail;
	if (service_exec(j, 0, ps, "auxww", NULL, 0, &out, &err) == 0) {
		j->running = 0;
		for (p = buf_str(&out); *p != '\0' && !j->running; p = nl + (*nl != '\0')) {
			nl = p + strcspn(p, "\n");
			line = xstrndup(p, (size_t)(nl - p));
			j->running = strstr(line, pattern) != NULL && strstr(line, "pattern=") == NULL;
			free(line);
		}
	}
	buf_fini(&out);
	buf_fini(&err);
	free(ps);
	return NULL;
}

static int service_glob(const char *pattern)
{
	glob_t g;
	int found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;

	globfree(&g);
	return found;
}

/* The "msg=err or out" failure of a command. */
static struct value *service_cmd_fail(const struct buf *out, const struct buf *err)
{
	return module_fail(value_map(), "%s", buf_avail(err) > 0 ? buf_str(err) : buf_str(out));
}

/* update-rc.d: S links say enabled; "defaults" first when there are no K
 * links either. Returns NULL or a failure. */
static struct value *service_updatercd(struct service_job *j)
{
	struct value *fail = NULL;
	struct buf out, err;
	char *s = xasprintf("/etc/rc?.d/S??%s", j->name), *k = xasprintf("/etc/rc?.d/K??%s", j->name);
	int enabled = service_glob(s);

	j->changed = enabled != j->enable;
	if (j->changed && !j->ctx->check && j->enable && !service_glob(k)) {
		if (service_exec(j, 0, j->enable_cmd, j->name, "defaults", 0, &out, &err) != 0)
			fail = service_cmd_fail(&out, &err);
		buf_fini(&out);
		buf_fini(&err);
	}
	if (j->changed && !j->ctx->check && fail == NULL) {
		if (service_exec(j, 0, j->enable_cmd, j->name, j->enable ? "enable" : "disable", 0, &out, &err) != 0)
			fail = service_cmd_fail(&out, &err);
		buf_fini(&out);
		buf_fini(&err);
	}
	free(s);
	free(k);
	return fail;
}

/* get_systemd_service_enabled */
static int service_systemd_enabled(struct service_job *j)
{
	struct buf out, err;
	char *script, *links;
	int rc = service_exec(j, 0, j->enable_cmd, "is-enabled", j->name, 0, &out, &err), r;

	if (rc == 0 || strncmp(buf_str(&out), "disabled", 8) == 0) {
		r = rc == 0;
	} else {
		script = xasprintf("/etc/init.d/%s", j->name);
		links = xasprintf("/etc/rc?.d/S??%s", j->name);
		r = access(script, X_OK) == 0 && service_glob(links);
		free(script);
		free(links);
	}
	buf_fini(&out);
	buf_fini(&err);
	return r;
}


/* chkconfig: already on (or off) at run levels 3 and 5? Returns NULL, a
 * failure, or sets *donep when nothing is to change. */
static struct value *service_chkconfig(struct service_job *j, const char *action, int *donep)
{
	struct value *fail = NULL;
	struct buf out, err;
	char *add = xasprintf("chkconfig --add %s", j->name), *l3 = xasprintf("3:%s", action);
	char *l5 = xasprintf("5:%s", action);

	*donep = 0;
	service_exec(j, 0, j->enable_cmd, "--list", j->name, 0, &out, &err);
	if (strstr(buf_str(&err), add) != NULL) {
		buf_fini(&out);
		buf_fini(&err);
		service_exec(j, 0, j->enable_cmd, "--add", j->name, 0, &out, &err);
		buf_fini(&out);
		buf_fini(&err);
		service_exec(j, 0, j->enable_cmd, "--list", j->name, 0, &out, &err);
	}
	if (strstr(buf_str(&out), j->name) == NULL)
		fail = module_fail(value_map(), "service %s does not support chkconfig", j->name);
	else if (strstr(buf_str(&out), l3) != NULL && strstr(buf_str(&out), l5) != NULL)
		*donep = 1;
	buf_fini(&out);
	buf_fini(&err);
	free(add);
	free(l3);
	free(l5);
	return fail;
}

/* service_enable. Returns NULL, a failure, or (in check mode, where
 * Ansible's module exits early) a result with changed alone. */
static struct value *service_enable(struct service_job *j)
{
	const char *action = j->enable ? "enable" : "disable";
	struct value *res = NULL;
	struct buf out, err;
	int done = 0, rc;

	j->changed = 1;
	if (service_ends(j->enable_cmd, "update-rc.d"))
		return service_updatercd(j);
	if (service_ends(j->enable_cmd, "chkconfig")) {
		action = j->enable ? "on" : "off";
		if ((res = service_chkconfig(j, action, &done)) != NULL)
			return res;
	} else if (service_ends(j->enable_cmd, "systemctl")) {
		done = service_systemd_enabled(j) == j->enable;
	}
	if (done) {
		j->changed = 0;
		return NULL;
	}
	if (j->ctx->check) {
		res = value_map();
		value_map_set(res, "changed", value_bool(1));
		return res;
	}
	rc = j->systemd ? service_exec(j, 0, j->enable_cmd, action, j->name, 0, &out, &err)
	                : service_exec(j, 0, j->enable_cmd, j->name, action, 0, &out, &err);
	if (rc != 0 && buf_avail(&err) > 0)
		res = module_fail(value_map(), "Error when trying to %s %s: rc=%d %s", action, j->name, rc, buf_str(&err));
	else if (rc != 0)
		res = module_fail(value_map(), "Failure for %s %s: rc=%d %s", action, j->name, rc, buf_str(&out));
	buf_fini(&out);
	buf_fini(&err);
	return res;
}

/* check_service_changed and modify_service_state. Returns NULL, a
 * failure, or the early result of check mode. */
static struct value *service_change(struct service_job *j)
{
	const char *st = j->state, *action = NULL;
	struct value *res = NULL;
	struct buf out, err;
	int rc;

	if (j->running < 0)
		return module_fail(value_map(), "failed determining service state, possible typo of service name?");
	j->svc_change = (!j->running && (strcmp(st, "reloaded") == 0 || strcmp(st, "started") == 0)) ||
	                (j->running && (strcmp(st, "reloaded") == 0 || strcmp(st, "stopped") == 0)) ||
	                strcmp(st, "restarted") == 0;
	if (!j->svc_change)
		return NULL;
	if (j->ctx->check) {
		res = value_map();
		value_map_set(res, "changed", value_bool(1));
		value_map_set(res, "msg", value_str("service state changed"));
		return res;
	}
	action = strcmp(st, "started") == 0 || (!j->running && strcmp(st, "reloaded") == 0) ? "start"
	         : strcmp(st, "stopped") == 0                                              ? "stop"
	         : strcmp(st, "reloaded") == 0                                             ? "reload"
	                                                                                   : "restart";
	rc = service_control(j, action, &out, &err);
	if (rc != 0 && !(buf_avail(&err) > 0 && strstr(buf_str(&err), "Job is already running") != NULL))
		res = service_cmd_fail(&out, &err);
	buf_fini(&out);
	buf_fini(&err);
	return res;
}

/* The service module proper (LinuxService), for checked params. */
static struct value *service_linux(struct service_job *j)
{
	struct value *res;
	const struct value *en = value_map_get(j->params, "enabled");

	if ((res = service_tools_find(j)) != NULL)
		return res;
	if (en != NULL && en->type != VALUE_NULL && (res = service_enable(j)) != NULL)
		return res;
	if (j->state == NULL) {
		res = value_map();
		value_map_set(res, "name", value_str(j->name));
		if (en != NULL && en->type != VALUE_NULL)
			value_map_set(res, "enabled", value_bool(j->enable));
		value_map_set(res, "changed", value_bool(j->changed));
		return res;
	}
	if (value_get_str(j->params, "pattern", NULL) != NULL)
		res = service_ps(j);
	else if (j->systemd)
		res = service_systemd_status(j);
	else
		service_sysv_status(j);
	if (res != NULL || (res = service_change(j)) != NULL)
		return res;
	res = value_map();
	value_map_set(res, "name", value_str(j->name));
	if (en != NULL && en->type != VALUE_NULL)
		value_map_set(res, "enabled", value_bool(j->enable));
	value_map_set(res, "state", value_str(strcmp(j->state, "stopped") == 0 ? "stopped" : "started"));
	value_map_set(res, "changed", value_bool(j->changed || j->svc_change));
	return res;
}

/* The service action: the manager "use" names, or the host's; systemd
 * gets the task without the options it does not take. */
static struct value *service_systemd(const struct module_ctx *ctx, struct value *args, struct value *warnings)
{
	static const char *const unused[] = {"pattern", "runlevel", "sleep", "arguments", "args"};
	struct module_ctx c = *ctx;
	size_t i;

	for (i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
		if (value_map_del(args, unused[i]) == 0)
			value_list_push(warnings, value_strf("Ignoring \"%s\" as it is not used in \"systemd\"", unused[i]));
	c.args = args;
	return systemd_module(&c, "ansible.legacy.systemd", warnings);
}

MODULE_DEFINE(service, service_run, MODULE_CHECK_MODE)
struct value *service_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *warnings = value_list(), *args = value_dup(ctx->args);
	struct module_ctx c = *ctx;
	struct service_job j;
	char *mgr;
	size_t i;

	memset(&j, 0, sizeof(j));
	mgr = xstrdup(value_get_str(args, "use", "auto"));
	for (i = 0; mgr[i] != '\0'; i++)
		mgr[i] = (char)(mgr[i] >= 'A' && mgr[i] <= 'Z' ? mgr[i] + 32 : mgr[i]);
	value_map_del(args, "use");
	if (strcmp(mgr, "auto") == 0) {
		free(mgr);
		mgr = setup_service_mgr_name(ctx, NULL);
	}
	if (strcmp(mgr, "systemd") == 0) {
		res = service_systemd(ctx, args, warnings);
		goto done;
	}
	c.args = args;
	if (module_params_spec(&c, "ansible.legacy.service", service_spec, SERVICE_NSPEC, NULL, warnings, &params,
	                       &res) != 0)
		goto done;
	if (value_map_get(params, "state")->type == VALUE_NULL && value_map_get(params, "enabled")->type == VALUE_NULL) {
		res = module_fail(value_map(), "one of the following is required: state, enabled");
		goto out;
	}
	j.ctx = ctx;
	j.params = params;
	j.name = value_get_str(params, "name", "");
	j.state = value_get_str(params, "state", NULL);
	j.enable = value_get_bool(params, "enabled", 0);
	j.running = j.crashed = -1;
	j.locale = service_locale(ctx);
	res = service_linux(&j);
out:
	module_finish(res, params, warnings);
done:
	for (i = 0; i < SVC_NTOOLS; i++)
		free(j.tool[i]);
	free(j.initscript);
	free(j.locale);
	free(mgr);
	value_unref(args);
	value_unref(params);
	value_unref(warnings);
	return res;
}
