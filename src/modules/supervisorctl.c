/* supervisorctl, as community.general's: brings a supervisord program or
 * group (a name ending in ":") to a state by running supervisorctl, or
 * droverctl when supervisorctl is not installed, and reading its text, so
 * it drives supervisord and droverd alike. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"

extern char **environ;

static const struct module_argspec sctl_spec[] = {
	{"name", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"config", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"server_url", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"username", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"password", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_NO_LOG},
	{"supervisorctl_path", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"state", MODULE_ARG_STR, NULL, NULL, "present,started,restarted,stopped,absent,signalled",
	 MODULE_ARG_REQUIRED},
	{"stop_before_removing", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"signal", MODULE_ARG_STR, NULL, NULL, NULL, 0},
};
#define SCTL_NSPEC (sizeof(sctl_spec) / sizeof(sctl_spec[0]))

struct sctl {
	struct module_ctx run;  /* the request's, with the C locale */
	char **envp;            /* owned, strings borrowed but the four added */
	char *bin;              /* owned */
	struct value *params;
	const char *state;
	char *name;             /* owned; without a group's ":" */
	int is_group;
};

/* The community module reads supervisorctl's text, so it runs it in the C
 * locale (LANG, LC_ALL, LC_MESSAGES, LC_CTYPE). */
static void sctl_env(struct sctl *s, const struct module_ctx *ctx)
{
	static const char *const c_locale[] = {"LANG=C", "LC_ALL=C", "LC_MESSAGES=C", "LC_CTYPE=C"};
	char *const *src = ctx->envp != NULL ? ctx->envp : environ;
	size_t n = 0, i, k = 0;

	while (src[n] != NULL)
		n++;
	s->envp = xcalloc(n + 5, sizeof(*s->envp));
	for (i = 0; i < n; i++) {
		if (strncmp(src[i], "LANG=", 5) == 0 || strncmp(src[i], "LC_ALL=", 7) == 0 ||
		    strncmp(src[i], "LC_MESSAGES=", 12) == 0 || strncmp(src[i], "LC_CTYPE=", 9) == 0)
			continue;
		s->envp[k++] = src[i];
	}
	for (i = 0; i < 4; i++)
		s->envp[k++] = (char *)c_locale[i];
	s->run = *ctx;
	s->run.envp = s->envp;
}

/* Finishes a result as exit_json/fail_json do. */
static struct value *sctl_done(struct sctl *s, struct value *res)
{
	struct value *inv = module_invocation_args(sctl_spec, SCTL_NSPEC, s->params);

	if (value_map_get(res, "changed") == NULL)
		value_map_set(res, "changed", value_bool(0));
	module_finish(res, inv, NULL);
	value_unref(inv);
	return res;
}

/* exit_json(changed=..., name=..., state=...). */
static struct value *sctl_exit(struct sctl *s, int changed, int named)
{
	struct value *res = value_map();

	value_map_set(res, "changed", value_bool(changed));
	if (named) {
		value_map_set(res, "name", value_str(s->name));
		value_map_set(res, "state", value_str(s->state));
	}
	return sctl_done(s, res);
}

static struct value *sctl_fail(struct sctl *s, const char *msg, int named)
{
	struct value *res = value_map();

	if (named) {
		value_map_set(res, "name", value_str(s->name));
		value_map_set(res, "state", value_str(s->state));
	}
	return sctl_done(s, module_fail(res, "%s", msg));
}

/* Runs supervisorctl's cmd (one argument, as the community module passes
 * "signal HUP") on name (may be NULL). With check_rc, a non-zero exit gives
 * run_command's failure in *failp. Returns the exit code. */
static int sctl_call(struct sctl *s, const char *cmd, const char *name, int check_rc, struct buf *out,
                     struct value **failp)
{
	static const char *const opts[] = {"config", "-c", "server_url", "-s", "username", "-u", "password", "-p"};
	const char *argv[16];
	struct buf err, cmdline;
	size_t n = 0, i;
	int rc = -1, r;

	argv[n++] = s->bin;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i += 2) {
		const char *v = value_get_str(s->params, opts[i], NULL);

		if (v != NULL && *v != '\0') {
			argv[n++] = opts[i + 1];
			argv[n++] = v;
		}
	}
	argv[n++] = cmd;
	if (name != NULL && *name != '\0')
		argv[n++] = name;
	argv[n] = NULL;
	r = fileutil_run(&s->run, (char *const *)argv, &rc, out, &err);
	if (check_rc && (r != 0 || rc != 0)) {
		struct value *res = value_map();
		const char *e = buf_str(&err);
		size_t len = err.len;

		buf_init(&cmdline, 0);
		for (i = 0; i < n; i++) {
			int secret = i > 0 && strcmp(argv[i - 1], "-p") == 0;

			buf_printf(&cmdline, "%s%s", i > 0 ? " " : "", secret ? "********" : argv[i]);
		}
		value_map_set(res, "cmd", value_str(buf_str(&cmdline)));
		value_map_set(res, "rc", value_int(rc));
		value_map_set(res, "stdout", value_strn(buf_str(out), out->len));
		value_map_set(res, "stderr", value_strn(e, len));
		while (len > 0 && strchr(" \t\r\n", e[len - 1]) != NULL)
			len--;
		value_map_set(res, "msg", value_strn(e, len));
		value_map_set(res, "failed", value_bool(1));
		*failp = sctl_done(s, res);
		buf_fini(&cmdline);
	}
	buf_fini(&err);
	return rc;
}

/* One "status" line's name and state (the first two fields). */
struct sctl_proc {
	char *name;
	char *status;
};

/* get_matched_processes: the status lines that name (or the group, or
 * all) selects. Returns the count; *procsp is new. */
static size_t sctl_matched(struct sctl *s, struct sctl_proc **procsp)
{
	struct sctl_proc *procs = NULL;
	struct buf out;
	size_t n = 0;
	char *line, *save = NULL, *f1, *f2, *colon;

	sctl_call(s, "status", NULL, 0, &out, NULL);
	for (line = strtok_r(out.data != NULL ? out.data : (char *)"", "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char *fsave = NULL;

		if ((f1 = strtok_r(line, " ", &fsave)) == NULL || (f2 = strtok_r(NULL, " ", &fsave)) == NULL)
			continue;
		colon = strchr(f1, ':');
		if (s->is_group) {
			if (colon == NULL || strlen(s->name) != (size_t)(colon - f1) ||
			    strncmp(f1, s->name, (size_t)(colon - f1)) != 0)
				continue;
		} else if (strcmp(f1, s->name) != 0 && strcmp(s->name, "all") != 0) {
			continue;
		}
		procs = xreallocarray(procs, n + 1, sizeof(*procs));
		procs[n].name = xstrdup(f1);
		procs[n].status = xstrdup(f2);
		n++;
	}
	buf_fini(&out);
	*procsp = procs;
	return n;
}

static void sctl_procs_free(struct sctl_proc *procs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(procs[i].name);
		free(procs[i].status);
	}
	free(procs);
}

enum sctl_filter { SCTL_ANY, SCTL_UP, SCTL_DOWN, SCTL_RUNNING };

static int sctl_pass(enum sctl_filter f, const char *status)
{
	int up = strcmp(status, "RUNNING") == 0 || strcmp(status, "STARTING") == 0;

	switch (f) {
	case SCTL_ANY:
		return 1;
	case SCTL_UP:
		return up;
	case SCTL_DOWN:
		return !up;
	case SCTL_RUNNING:
		return strcmp(status, "RUNNING") == 0;
	}
	return 0;
}

/* take_action_on_processes: returns the module's result, or NULL when
 * !final and it would go on. */
static struct value *sctl_act(struct sctl *s, const struct sctl_proc *procs, size_t n, enum sctl_filter f,
                              const char *action, const char *expected, int final)
{
	struct value *affected = value_list(), *res = NULL;
	struct buf out;
	size_t i;

	for (i = 0; i < n; i++)
		if (sctl_pass(f, procs[i].status))
			value_list_push(affected, value_str(procs[i].name));
	if (value_len(affected) == 0 || s->run.check) {
		res = !final ? NULL : value_len(affected) == 0 ? sctl_exit(s, 0, 1) : sctl_exit(s, 1, 0);
		goto out;
	}
	for (i = 0; i < value_len(affected) && res == NULL; i++) {
		const char *p = value_cstr(value_list_at(affected, i));
		char *want = xasprintf("%s: %s", p, expected);

		sctl_call(s, action, p, 1, &out, &res);
		if (res == NULL && strstr(buf_str(&out), want) == NULL)
			res = sctl_fail(s, buf_str(&out), 0);
		free(want);
		buf_fini(&out);
	}
	if (res == NULL && final) {
		res = sctl_exit(s, 1, 1);
		value_map_set(res, "affected", value_ref(affected));
	}
out:
	value_unref(affected);
	return res;
}

/* present and absent: reread, then add or remove the group. */
static struct value *sctl_add_remove(struct sctl *s, const char *cmd, const char *done)
{
	struct value *res = NULL;
	struct buf out;
	char *want;

	if (s->run.check)
		return sctl_exit(s, 1, 0);
	sctl_call(s, "reread", NULL, 1, &out, &res);
	buf_fini(&out);
	if (res != NULL)
		return res;
	sctl_call(s, cmd, s->name, 0, &out, NULL);
	want = xasprintf("%s: %s", s->name, done);
	res = strstr(buf_str(&out), want) != NULL ? sctl_exit(s, 1, 1) : sctl_fail(s, buf_str(&out), 1);
	free(want);
	buf_fini(&out);
	return res;
}

static struct value *sctl_state(struct sctl *s)
{
	struct sctl_proc *procs = NULL;
	struct value *res = NULL;
	struct buf out;
	size_t n;
	char *action;

	if (strcmp(s->state, "restarted") == 0) {
		sctl_call(s, "update", NULL, 1, &out, &res);
		buf_fini(&out);
		if (res != NULL)
			return res;
		if ((n = sctl_matched(s, &procs)) == 0)
			res = sctl_fail(s, "ERROR (no such process)", 1);
		else
			res = sctl_act(s, procs, n, SCTL_ANY, "restart", "started", 1);
		sctl_procs_free(procs, n);
		return res;
	}
	n = sctl_matched(s, &procs);
	if (strcmp(s->state, "absent") == 0) {
		if (n == 0)
			res = sctl_exit(s, 0, 1);
		else if (!value_get_bool(s->params, "stop_before_removing", 0) ||
		         (res = sctl_act(s, procs, n, SCTL_UP, "stop", "stopped", 0)) == NULL)
			res = sctl_add_remove(s, "remove", "removed process group");
	} else if (strcmp(s->state, "present") == 0) {
		res = n > 0 ? sctl_exit(s, 0, 1) : sctl_add_remove(s, "add", "added process group");
	} else if (n == 0) {
		res = sctl_fail(s, "ERROR (no such process)", 1);
	} else if (strcmp(s->state, "started") == 0) {
		res = sctl_act(s, procs, n, SCTL_DOWN, "start", "started", 1);
	} else if (strcmp(s->state, "stopped") == 0) {
		res = sctl_act(s, procs, n, SCTL_UP, "stop", "stopped", 1);
	} else {
		action = xasprintf("signal %s", value_get_str(s->params, "signal", ""));
		res = sctl_act(s, procs, n, SCTL_RUNNING, action, "signalled", 1);
		free(action);
	}
	sctl_procs_free(procs, n);
	return res;
}

/* supervisorctl_path, else supervisorctl, else droverctl on the PATH. */
static struct value *sctl_find_bin(struct sctl *s, const struct module_ctx *ctx)
{
	const char *path = value_get_str(s->params, "supervisorctl_path", NULL);
	char *msg;
	struct value *res;

	if (path != NULL) {
		if (access(path, X_OK) == 0) {
			s->bin = xstrdup(path);
			return NULL;
		}
		msg = xasprintf("Provided path to supervisorctl does not exist or isn't executable: %s", path);
		res = sctl_fail(s, msg, 0);
		free(msg);
		return res;
	}
	if ((s->bin = fileutil_bin_path(ctx, "supervisorctl")) != NULL ||
	    (s->bin = fileutil_bin_path(ctx, "droverctl")) != NULL)
		return NULL;
	return sctl_fail(s, "Failed to find required executable \"supervisorctl\" in paths: "
	                    "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
	                 0);
}

MODULE_DEFINE(supervisorctl, supervisorctl_run, MODULE_CHECK_MODE)
struct value *supervisorctl_run(const struct module_ctx *ctx)
{
	struct sctl s;
	struct value *res = NULL;
	const char *name;
	size_t len;

	memset(&s, 0, sizeof(s));
	if (module_params_spec(ctx, "community.general.supervisorctl", sctl_spec, SCTL_NSPEC, NULL, NULL, &s.params,
	                       &res) != 0)
		return res;
	s.state = value_get_str(s.params, "state", "");
	name = value_get_str(s.params, "name", "");
	len = strlen(name);
	s.is_group = len > 0 && name[len - 1] == ':';
	while (len > 0 && name[len - 1] == ':')
		len--;
	s.name = xstrndup(name, len);
	if (strcmp(s.state, "signalled") == 0 && value_get_str(s.params, "signal", NULL) == NULL) {
		res = sctl_fail(&s, "state is signalled but all of the following are missing: signal", 0);
		goto out;
	}
	sctl_env(&s, ctx);
	if ((res = sctl_find_bin(&s, ctx)) == NULL)
		res = sctl_state(&s);
out:
	free(s.bin);
	free(s.name);
	free(s.envp);
	value_unref(s.params);
	return res;
}
