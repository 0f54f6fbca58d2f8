/* sysctl, as ansible.posix's: a key's value kept in a sysctl.conf-style
 * file (the file rewritten with every key once, "k=v", comments and blank
 * lines kept), optionally set in the kernel with "sysctl -w" and the file
 * reloaded with "sysctl -p". The result says only whether anything
 * changed. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/sysparse.h"
#include "modules/sysutil.h"

static const struct module_argspec sysctl_spec[] = {
	{"name", MODULE_ARG_STR, NULL, "key", NULL, MODULE_ARG_REQUIRED},
	{"value", MODULE_ARG_STR, NULL, "val", NULL, 0},
	{"state", MODULE_ARG_STR, "present", NULL, "present,absent", 0},
	{"reload", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"sysctl_set", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"ignoreerrors", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"sysctl_file", MODULE_ARG_PATH, "/etc/sysctl.conf", NULL, NULL, 0},
};

#define SYSCTL_NSPEC (sizeof(sysctl_spec) / sizeof(sysctl_spec[0]))

struct sysctl_job {
	const struct module_ctx *ctx;
	const char *bin;      /* sysctl's path */
	const char *name;     /* the key, stripped (owned by the job's strings) */
	const char *value;    /* the wanted value, normalised */
	int present;          /* state=present */
	int ignoreerrors;
	const char *file;
};

/* _parse_value: booleans as 1 and 0, other text stripped. */
static char *sysctl_parse_value(const char *v)
{
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t"};
	static const char *const no[] = {"n", "no", "off", "0", "false", "f"};
	size_t i;

	if (v == NULL)
		return xstrdup("");
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return xstrdup("1");
		if (strcasecmp(v, no[i]) == 0)
			return xstrdup("0");
	}
	return sysparse_strip(v, strlen(v));
}

/* _values_is_equal: the same whitespace-separated words. */
static int sysctl_values_equal(const char *a, const char *b)
{
	size_t na, nb;

	for (;;) {
		a += strspn(a, " \t\n\r\v\f");
		b += strspn(b, " \t\n\r\v\f");
		na = strcspn(a, " \t\n\r\v\f");
		nb = strcspn(b, " \t\n\r\v\f");
		if (na != nb || strncmp(a, b, na) != 0)
			return 0;
		if (na == 0)
			return 1;
		a += na;
		b += nb;
	}
}

/* The kernel's value of the key ("sysctl -e -n"), or NULL when sysctl
 * fails. */
static char *sysctl_current(const struct sysctl_job *j)
{
	char *argv[] = {(char *)j->bin, "-e", "-n", (char *)j->name, NULL};
	struct buf out, err;
	char *v = NULL;
	int rc;

	if (sysutil_run(j->ctx, argv, 1, &rc, &out, &err) == 0 && rc == 0)
		v = xstrndup(buf_ptr(&out), buf_avail(&out));
	buf_fini(&out);
	buf_fini(&err);
	return v;
}

/* _stderr_failed: the errors sysctl reports with exit status 0. */
static int sysctl_stderr_failed(const char *err)
{
	static const char *const tails[] = {": Invalid argument", ": Read-only file system"};
	const char *line, *nl, *q;
	size_t n, i, tl;

	for (line = err; *line != '\0'; line = nl != NULL ? nl + 1 : line + strlen(line)) {
		nl = strchr(line, '\n');
		n = nl != NULL ? (size_t)(nl - line) : strlen(line);
		if (n < 26 || strncmp(line, "sysctl: setting key \"", 21) != 0)
			continue;
		if ((q = memchr(line + 21, '"', n - 21)) == NULL || q == line + 21)
			continue;
		for (i = 0; i < 2; i++) {
			tl = strlen(tails[i]);
			if ((size_t)(line + n - q - 1) == tl && strncmp(q + 1, tails[i], tl) == 0)
				return 1;
		}
	}
	return 0;
}

/* Runs a sysctl that changes something; NULL, or the failure result
 * ("what: output"). */
static struct value *sysctl_exec(const struct sysctl_job *j, char *const *argv, const char *what)
{
	struct value *res = NULL;
	struct buf out, err;
	int rc;

	sysutil_run(j->ctx, argv, 1, &rc, &out, &err);
	if (rc != 0 || sysctl_stderr_failed(buf_str(&err)))
		res = module_fail(value_map(), "%s%s%s", what, buf_str(&out), buf_str(&err));
	buf_fini(&out);
	buf_fini(&err);
	return res;
}

static struct value *sysctl_set(const struct sysctl_job *j)
{
	char *arg, *what, *argv[6];
	struct value *res;
	size_t k = 0;

	/* Ansible quotes the value into a command line that its shlex
	 * split unquotes again: sysctl gets "name=value". */
	arg = xasprintf("%s=%s", j->name, j->value);
	argv[k++] = (char *)j->bin;
	if (j->ignoreerrors)
		argv[k++] = "-e";
	argv[k++] = "-w";
	argv[k++] = arg;
	argv[k] = NULL;
	what = xasprintf("setting %s failed: ", j->name);
	res = sysctl_exec(j, argv, what);
	free(what);
	free(arg);
	return res;
}

static struct value *sysctl_reload(const struct sysctl_job *j)
{
	char *argv[] = {(char *)j->bin, "-p", (char *)j->file, NULL, NULL};

	if (j->ignoreerrors) {
		argv[1] = "-e";
		argv[2] = "-p";
		argv[3] = (char *)j->file;
	}
	return sysctl_exec(j, argv, "Failed to reload sysctl: ");
}

/* Reads the file and builds its new text. *oldvp (heap) is the file's
 * value of the key, NULL when it has none. Returns NULL or a failure
 * result. */
static struct value *sysctl_fix(const struct sysctl_job *j, struct buf *text, char **oldvp)
{
	struct value *res = NULL;
	struct buf in;
	char *e;
	int r;

	*oldvp = NULL;
	buf_init(&in, FILEUTIL_MAX_TEXT);
	if (fileutil_isfile(j->file) && (r = fileutil_read(j->file, FILEUTIL_MAX_TEXT, &in)) != 0) {
		e = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT)
		                    : fileutil_oserror(-r, j->file);
		res = module_fail(value_map(), "Failed to open %s: %s", j->file, e);
		free(e);
	} else {
		sysparse_sysctl(buf_str(&in), j->name, j->present ? j->value : NULL, text, oldvp);
	}
	buf_fini(&in);
	return res;
}

/* process(): what changes, then doing it outside check mode. */
static struct value *sysctl_process(struct sysctl_job *j, const struct value *params)
{
	struct value *res = NULL;
	struct buf text;
	char *proc = NULL, *filev = NULL;
	int changed = 0, write = 0, set = 0;

	buf_init(&text, FILEUTIL_MAX_TEXT);
	proc = sysctl_current(j);
	if ((res = sysctl_fix(j, &text, &filev)) != NULL)
		goto out;
	if ((filev == NULL && j->present) ||
	    (filev != NULL && ((!j->present && filev[0] != '\0') || strcmp(filev, j->value) != 0)))
		changed = write = 1;
	else if (value_get_bool(params, "reload", 1) && (proc == NULL || !sysctl_values_equal(proc, j->value)))
		changed = 1;
	if (value_get_bool(params, "sysctl_set", 0) && j->present) {
		if (proc == NULL)
			changed = 1;
		else if (!sysctl_values_equal(proc, j->value))
			changed = set = 1;
	}
	if (!j->ctx->check) {
		if (set && (res = sysctl_set(j)) != NULL)
			goto out;
		if (write && sysutil_write(j->ctx, j->file, buf_ptr(&text), buf_avail(&text), &res) != 0)
			goto out;
		if (changed && value_get_bool(params, "reload", 1) && (res = sysctl_reload(j)) != NULL)
			goto out;
	}
	res = value_map();
	value_map_set(res, "changed", value_bool(changed));
out:
	free(proc);
	free(filev);
	buf_fini(&text);
	return res;
}

MODULE_DEFINE(sysctl, sysctl_run, MODULE_CHECK_MODE)
struct value *sysctl_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *warnings = value_list();
	struct sysctl_job j;
	char *msg, *bin = NULL, *name = NULL, *val = NULL;
	const char *rawv;

	if (module_params_spec(ctx, "ansible.posix.sysctl", sysctl_spec, SYSCTL_NSPEC, NULL, warnings, &params,
	                       &res) != 0)
		goto done;
	if ((msg = sysutil_required_if(params, "state", "present", "value", 0)) != NULL) {
		res = module_fail(value_map(), "%s", msg);
		free(msg);
		goto out;
	}
	rawv = value_get_str(params, "value", NULL);
	if (value_get_str(params, "name", "")[0] == '\0' ||
	    (strcmp(value_get_str(params, "state", ""), "present") == 0 && rawv != NULL && rawv[0] == '\0')) {
		res = module_fail(value_map(), "%s cannot be blank",
		                  value_get_str(params, "name", "")[0] == '\0' ? "name" : "value");
		goto out;
	}
	if ((bin = sysutil_bin(ctx, "sysctl", &res)) == NULL)
		goto out;
	name = sysparse_strip(value_get_str(params, "name", ""), strlen(value_get_str(params, "name", "")));
	val = sysctl_parse_value(rawv);
	j = (struct sysctl_job){ctx, bin, name, val, strcmp(value_get_str(params, "state", ""), "present") == 0,
	                        value_get_bool(params, "ignoreerrors", 0), value_get_str(params, "sysctl_file", "")};
	res = sysctl_process(&j, params);
out:
	module_finish(res, params, warnings);
done:
	free(bin);
	free(name);
	free(val);
	value_unref(params);
	value_unref(warnings);
	return res;
}
