/* systemd (also systemd_service), as Ansible 2.14's: a unit started,
 * stopped, restarted or reloaded, enabled or disabled, masked or unmasked
 * through systemctl, with daemon-reload and daemon-reexec; the unit's
 * "systemctl show" properties in the result's "status". Where systemctl
 * cannot reach a service manager (no systemd running) the unit's state is
 * unknown and the module fails as Ansible's does: "Service is in unknown
 * state". */
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/sysutil.h"

static const struct module_argspec systemd_spec[] = {
	{"name", MODULE_ARG_STR, NULL, "service,unit", NULL, 0},
	{"state", MODULE_ARG_STR, NULL, NULL, "reloaded,restarted,started,stopped", 0},
	{"enabled", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"force", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"masked", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"daemon_reload", MODULE_ARG_BOOL, "false", "daemon-reload", NULL, 0},
	{"daemon_reexec", MODULE_ARG_BOOL, "false", "daemon-reexec", NULL, 0},
	{"scope", MODULE_ARG_STR, "system", NULL, "system,user,global", 0},
	{"no_block", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
};

#define SYSTEMD_NSPEC (sizeof(systemd_spec) / sizeof(systemd_spec[0]))

struct systemd_job {
	const struct module_ctx *ctx;
	const struct value *params;
	const char *unit;
	char *argv[8];          /* systemctl and its options; argv[n] onwards free */
	size_t n;
	struct value *result;   /* name, changed, status, ... (owned) */
	struct value *warnings; /* borrowed */
	int found, is_initd;
};

/* Runs systemctl with the job's options, then a, b (either may be NULL).
 * Returns the exit code (-1: could not start); out and err are filled. */
static int systemd_ctl(struct systemd_job *j, const char *a, const char *b, const char *c, struct buf *out,
                       struct buf *err)
{
	char *argv[12];
	size_t k;
	int rc;

	for (k = 0; k < j->n; k++)
		argv[k] = j->argv[k];
	argv[sysutil_words(argv, k, a, b, c)] = NULL;
	sysutil_run(j->ctx, argv, 0, &rc, out, err);
	return rc;
}

/* The same, when only the exit code and stdout matter. */
static int systemd_ctl_out(struct systemd_job *j, const char *a, const char *b, const char *c, struct buf *out)
{
	struct buf err;
	int rc = systemd_ctl(j, a, b, c, out, &err);

	buf_fini(&err);
	return rc;
}

/* request_was_ignored */
static int systemd_ignored(const char *out)
{
	return strchr(out, '=') == NULL && (strstr(out, "ignoring request") != NULL || strstr(out, "ignoring command") != NULL);
}

/* sysv_is_enabled: an S link in some /etc/rc?.d. */
static int systemd_sysv_enabled(const char *unit)
{
	char *pattern = xasprintf("/etc/rc?.d/S??%s", unit);
	glob_t g;
	int found;

	found = glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	free(pattern);
	return found;
}

/* run_command(systemctl, check_rc=True): systemctl without a command,
 * whose failure ends the run as AnsibleModule reports a failed command.
 * Returns NULL or that failure. */
static struct value *systemd_check_rc(struct systemd_job *j)
{
	struct value *fail = NULL;
	struct buf out, err, cmd;
	size_t k, n;
	int rc = systemd_ctl(j, NULL, NULL, NULL, &out, &err);

	if (rc != 0) {
		buf_init(&cmd, 0);
		for (k = 0; k < j->n; k++)
			buf_printf(&cmd, "%s%s", k > 0 ? " " : "", j->argv[k]);
		fail = value_map();
		value_map_set(fail, "cmd", value_str(buf_str(&cmd)));
		value_map_set(fail, "rc", value_int(rc));
		value_map_set(fail, "stdout", value_strn(buf_ptr(&out), buf_avail(&out)));
		value_map_set(fail, "stderr", value_strn(buf_ptr(&err), buf_avail(&err)));
		for (n = buf_avail(&err); n > 0 && strchr(" \t\r\n\v\f", buf_ptr(&err)[n - 1]) != NULL; n--)
			;
		module_fail(fail, "%.*s", (int)n, buf_ptr(&err));
		buf_fini(&cmd);
	}
	buf_fini(&out);
	buf_fini(&err);
	return fail;
}

/* Whether systemd knows the unit, into j->found; the unit's properties
 * into the result's status. Returns NULL or a failure. */
static struct value *systemd_discover(struct systemd_job *j)
{
	static const char *const states[] = {"enabled", "enabled-runtime", "linked", "linked-runtime", "masked",
	                                     "masked-runtime", "static", "indirect", "disabled", "generated",
	                                     "transient"};
	struct value *status, *fail = NULL;
	struct buf out, err;
	const char *ls, *s;
	char *init = xasprintf("/etc/init.d/%s", j->unit), *pat;
	size_t i, n;
	int rc, is_systemd = 0;

	j->is_initd = fileutil_exists(init);
	free(init);
	rc = systemd_ctl(j, "show", j->unit, NULL, &out, &err);
	if (rc == 0 && !systemd_ignored(buf_str(&out)) && !systemd_ignored(buf_str(&err))) {
		if (buf_avail(&out) > 0) {
			status = sysparse_show(buf_str(&out));
			value_map_set(j->result, "status", status);
			ls = value_get_str(status, "LoadState", NULL);
			is_systemd = ls != NULL && strcmp(ls, "not-found") != 0;
			if (is_systemd && strcmp(ls, "masked") != 0 && value_map_get(status, "LoadError") != NULL)
				fail = module_fail(value_map(), "Error loading unit file '%s': %s", j->unit,
				                   value_get_str(status, "LoadError", ""));
		}
	} else if (buf_avail(&err) > 0 && rc == 1 && strstr(buf_str(&err), "Failed to parse bus message") != NULL) {
		status = sysparse_show(buf_str(&out));
		value_map_set(j->result, "status", status);
		n = strcspn(j->unit, "@");
		pat = xasprintf("%.*s%s*", (int)n, j->unit, j->unit[n] == '@' ? "@" : "");
		buf_fini(&out);
		systemd_ctl_out(j, "list-unit-files", pat, NULL, &out);
		pat[strlen(pat) - 1] = '\0';
		is_systemd = strstr(buf_str(&out), pat) != NULL;
		free(pat);
		buf_fini(&out);
		systemd_ctl_out(j, "is-active", j->unit, NULL, &out);
		n = buf_avail(&out);
		while (n > 0 && buf_ptr(&out)[n - 1] == '\n')
			n--;
		value_map_set(status, "ActiveState", value_strn(buf_ptr(&out), n));
	} else {
		buf_fini(&out);
		systemd_ctl_out(j, "is-enabled", j->unit, NULL, &out);
		s = buf_str(&out);
		for (i = 0; i < sizeof(states) / sizeof(states[0]) && !is_systemd; i++)
			is_systemd = sysutil_strip_eq(s, states[i]);
		buf_fini(&out);
		if (!is_systemd && systemd_ctl_out(j, "list-unit-files", j->unit, NULL, &out) == 0)
			is_systemd = 1;
		else if (!is_systemd)
			fail = systemd_check_rc(j);
	}
	buf_fini(&out);
	buf_fini(&err);
	j->found = is_systemd || j->is_initd;
	if (fail == NULL && j->is_initd && !is_systemd)
		value_list_push(j->warnings, value_strf("The service (%s) is actually an init script but the system is "
		                                        "managed by systemd", j->unit));
	return fail;
}

/* fail_if_missing */
static struct value *systemd_missing(const struct systemd_job *j)
{
	return j->found ? NULL : module_fail(value_map(), "Could not find the requested service %s: host", j->unit);
}

static struct value *systemd_masked(struct systemd_job *j)
{
	struct value *fail = NULL;
	struct buf out;
	int want = value_get_bool(j->params, "masked", 0), masked;

	systemd_ctl_out(j, "is-enabled", j->unit, NULL, &out);
	masked = sysutil_strip_eq(buf_str(&out), "masked");
	buf_fini(&out);
	if (masked == want)
		return NULL;
	value_map_set(j->result, "changed", value_bool(1));
	if (!j->ctx->check && systemd_ctl_out(j, want ? "mask" : "unmask", j->unit, NULL, &out) != 0)
		fail = systemd_missing(j);
	if (!j->ctx->check)
		buf_fini(&out);
	return fail;
}

static struct value *systemd_enabled(struct systemd_job *j)
{
	struct value *fail;
	struct buf out, err;
	int want = value_get_bool(j->params, "enabled", 0), enabled = 0, rc;
	const char *action = want ? "enable" : "disable";
	size_t n;

	if ((fail = systemd_missing(j)) != NULL)
		return fail;
	rc = systemd_ctl_out(j, "is-enabled", j->unit, "-l", &out);
	if (rc == 0) {
		/* The whole output one line "indirect" or "alias": not enabled itself. */
		enabled = !(sysutil_lines_eq(buf_str(&out), "indirect") || sysutil_lines_eq(buf_str(&out), "alias"));
	} else if (rc == 1) {
		n = buf_avail(&out);
		while (n > 0 && strchr(" \t\r\n\v\f", buf_ptr(&out)[n - 1]) != NULL)
			n--;
		enabled = strcmp(value_get_str(j->params, "scope", ""), "system") == 0 && j->is_initd &&
		          !(n >= 8 && strncmp(buf_ptr(&out) + n - 8, "disabled", 8) == 0) && systemd_sysv_enabled(j->unit);
	}
	buf_fini(&out);
	value_map_set(j->result, "enabled", value_bool(enabled));
	if (enabled == want)
		return NULL;
	value_map_set(j->result, "changed", value_bool(1));
	if (!j->ctx->check && systemd_ctl(j, action, j->unit, NULL, &out, &err) != 0)
		fail = module_fail(value_map(), "Unable to %s service %s: %s%s", action, j->unit, buf_str(&out),
		                   buf_str(&err));
	if (!j->ctx->check) {
		buf_fini(&out);
		buf_fini(&err);
	}
	if (fail == NULL)
		value_map_set(j->result, "enabled", value_bool(!enabled));
	return fail;
}

static int systemd_running(const struct value *status)
{
	const char *s = value_get_str(status, "ActiveState", "");

	return strcmp(s, "active") == 0 || strcmp(s, "activating") == 0;
}

static struct value *systemd_state(struct systemd_job *j)
{
	const struct value *status = value_map_get(j->result, "status");
	const char *state = value_get_str(j->params, "state", ""), *action = NULL;
	struct value *fail;
	struct buf out, err;

	if ((fail = systemd_missing(j)) != NULL)
		return fail;
	value_map_set(j->result, "state", value_str(state));
	if (value_map_get(status, "ActiveState") == NULL) {
		if (sysutil_env_is(j->ctx, "SYSTEMD_OFFLINE", "1") || sysutil_is_chroot(j->ctx)) {
			value_list_push(j->warnings, value_str("Target is a chroot or systemd is offline. This can lead to "
			                                       "false positives or prevent the init system tools from working."));
			return NULL;
		}
		fail = module_fail(value_map(), "Service is in unknown state");
		value_map_set(fail, "status", value_ref((struct value *)status));
		return fail;
	}
	if (strcmp(state, "started") == 0) {
		action = systemd_running(status) ? NULL : "start";
	} else if (strcmp(state, "stopped") == 0) {
		action = systemd_running(status) || strcmp(value_get_str(status, "ActiveState", ""), "deactivating") == 0
		             ? "stop"
		             : NULL;
	} else {
		action = !systemd_running(status) ? "start" : strcmp(state, "restarted") == 0 ? "restart" : "reload";
		value_map_set(j->result, "state", value_str("started"));
	}
	if (action == NULL)
		return NULL;
	value_map_set(j->result, "changed", value_bool(1));
	if (j->ctx->check)
		return NULL;
	if (systemd_ctl(j, action, j->unit, NULL, &out, &err) != 0)
		fail = module_fail(value_map(), "Unable to %s service %s: %s", action, j->unit, buf_str(&err));
	buf_fini(&out);
	buf_fini(&err);
	return fail;
}

/* The checks before anything runs. Returns NULL or a failure. */
static struct value *systemd_check(const struct value *params)
{
	static const char *const by[] = {"state", "enabled", "masked"};
	const char *unit = value_get_str(params, "name", NULL), *g;
	const struct value *v;
	size_t i;

	for (i = 0; i < 3; i++) {
		v = value_map_get(params, by[i]);
		if (v != NULL && v->type != VALUE_NULL && unit == NULL)
			return module_fail(value_map(), "missing parameter(s) required by '%s': name", by[i]);
	}
	for (g = "*?["; unit != NULL && *g != '\0'; g++)
		if (strchr(unit, *g) != NULL)
			return module_fail(value_map(), "This module does not currently support using glob patterns, found "
			                                "'%c' in service name: %s", *g, unit);
	return NULL;
}

/* daemon-reload and daemon-reexec. Returns NULL or a failure. */
static struct value *systemd_daemon(struct systemd_job *j, const char *what, const char *param)
{
	struct value *fail = NULL;
	struct buf out, err;
	int rc;

	if (!value_get_bool(j->params, param, 0) || j->ctx->check)
		return NULL;
	if ((rc = systemd_ctl(j, what, NULL, NULL, &out, &err)) != 0)
		fail = module_fail(value_map(), "failure %d during %s: %s", rc, what, buf_str(&err));
	buf_fini(&out);
	buf_fini(&err);
	return fail;
}

/* Everything once the parameters are checked; j->result is the result
 * unless a failure is returned. */
static struct value *systemd_work(struct systemd_job *j)
{
	struct value *fail;
	const char *scope = value_get_str(j->params, "scope", "system");

	if ((fail = systemd_check(j->params)) != NULL || (j->argv[0] = sysutil_bin(j->ctx, "systemctl", &fail)) == NULL)
		return fail;
	j->n = 1;
	if (strcmp(scope, "system") != 0)
		j->argv[j->n++] = xasprintf("--%s", scope);
	if (value_get_bool(j->params, "no_block", 0))
		j->argv[j->n++] = xstrdup("--no-block");
	if (value_get_bool(j->params, "force", 0))
		j->argv[j->n++] = xstrdup("--force");
	if ((fail = systemd_daemon(j, "daemon-reload", "daemon_reload")) != NULL ||
	    (fail = systemd_daemon(j, "daemon-reexec", "daemon_reexec")) != NULL)
		return fail;
	if (j->unit == NULL || j->unit[0] == '\0')
		return NULL;
	if ((fail = systemd_discover(j)) != NULL)
		return fail;
	if (value_map_get(j->params, "masked")->type != VALUE_NULL && (fail = systemd_masked(j)) != NULL)
		return fail;
	if (value_map_get(j->params, "enabled")->type != VALUE_NULL && (fail = systemd_enabled(j)) != NULL)
		return fail;
	if (value_map_get(j->params, "state")->type != VALUE_NULL && (fail = systemd_state(j)) != NULL)
		return fail;
	return NULL;
}

static struct value *systemd_with(const struct module_ctx *ctx, const struct value *params, struct value *warnings)
{
	struct systemd_job j;
	struct value *fail;
	size_t k;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.params = params;
	j.warnings = warnings;
	j.unit = value_get_str(params, "name", NULL);
	j.result = value_map();
	value_map_set(j.result, "name", j.unit != NULL ? value_str(j.unit) : value_null());
	value_map_set(j.result, "changed", value_bool(0));
	value_map_set(j.result, "status", value_map());
	if ((fail = systemd_work(&j)) != NULL) {
		value_unref(j.result);
		j.result = fail;
	}
	for (k = 0; k < j.n; k++)
		free(j.argv[k]);
	return j.result;
}

struct value *systemd_module(const struct module_ctx *ctx, const char *fqname, struct value *warnings)
{
	struct value *params = NULL, *res = NULL;

	if (module_params_spec(ctx, fqname, systemd_spec, SYSTEMD_NSPEC, NULL, warnings, &params, &res) != 0)
		return res;
	res = systemd_with(ctx, params, warnings);
	module_finish(res, params, warnings);
	value_unref(params);
	return res;
}

static struct value *systemd_main(const struct module_ctx *ctx, const char *fqname)
{
	struct value *warnings = value_list(), *res = systemd_module(ctx, fqname, warnings);

	value_unref(warnings);
	return res;
}

MODULE_DEFINE(systemd, systemd_run, MODULE_CHECK_MODE)
struct value *systemd_run(const struct module_ctx *ctx)
{
	return systemd_main(ctx, "ansible.legacy.systemd");
}

MODULE_DEFINE(systemd_service, systemd_service_run, MODULE_CHECK_MODE)
struct value *systemd_service_run(const struct module_ctx *ctx)
{
	return systemd_main(ctx, "ansible.legacy.systemd_service");
}
