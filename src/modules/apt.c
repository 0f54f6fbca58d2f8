/* apt, as Ansible's: packages installed, upgraded or removed through
 * apt-get and dpkg with the same command lines, their state read from
 * dpkg-query and apt-cache (where Ansible reads python-apt's cache), the
 * cache updated (with cache_valid_time) as apt-get update does, local .deb
 * files installed through dpkg. Check mode runs apt-get --simulate. Not
 * done: upgrade=, build-dep, aptitude, fnmatch patterns in names, virtual
 * packages, and the dependencies of a .deb (dpkg reports them missing). */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/runcmd.h"

#define APT_STAMP "/var/lib/apt/periodic/update-success-stamp"
#define APT_LISTS "/var/lib/apt/lists"
#define APT_STATE_LINE "Reading state information..."

static const struct module_argspec apt_spec[] = {
	{"state", MODULE_ARG_STR, "present", NULL, "absent,build-dep,fixed,latest,present", 0},
	{"update_cache", MODULE_ARG_BOOL, NULL, "update-cache", NULL, 0},
	{"update_cache_retries", MODULE_ARG_INT, "5", NULL, NULL, 0},
	{"update_cache_retry_max_delay", MODULE_ARG_INT, "12", NULL, NULL, 0},
	{"cache_valid_time", MODULE_ARG_INT, "0", NULL, NULL, 0},
	{"purge", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"package", MODULE_ARG_LIST, NULL, "pkg,name", NULL, 0},
	{"deb", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"default_release", MODULE_ARG_STR, NULL, "default-release", NULL, 0},
	{"install_recommends", MODULE_ARG_BOOL, NULL, "install-recommends", NULL, 0},
	{"force", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"upgrade", MODULE_ARG_STR, "no", NULL, "dist,full,no,safe,yes", 0},
	{"dpkg_options", MODULE_ARG_STR, "force-confdef,force-confold", NULL, NULL, 0},
	{"autoremove", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"autoclean", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"fail_on_autoremove", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"policy_rc_d", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"only_upgrade", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"force_apt_get", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"clean", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"allow_unauthenticated", MODULE_ARG_BOOL, "false", "allow-unauthenticated", NULL, 0},
	{"allow_downgrade", MODULE_ARG_BOOL, "false", "allow-downgrade,allow_downgrades,allow-downgrades", NULL, 0},
	{"allow_change_held_packages", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"lock_timeout", MODULE_ARG_INT, "60", NULL, NULL, 0},
};
#define APT_NSPEC (sizeof(apt_spec) / sizeof(apt_spec[0]))

static const char *const apt_exclusive[] = {"deb|package|upgrade", NULL};

struct apt {
	const struct module_ctx *ctx;
	const struct value *params;
	struct value *res;    /* owned */
	char *apt_get;        /* owned */
	char **envp;          /* owned */
	struct buf dpkg_opts; /* "-o Dpkg::Options::=--force-confdef ..." */
	int done;             /* res is final */
	int cache_keys;       /* a final failure that still carries the cache keys */
};

/* One command line run as AnsibleModule.run_command runs a string:
 * split as shlex does, with the module's environment. */
static int apt_run(struct apt *a, const char *cmd, int *rcp, struct buf *out, struct buf *err)
{
	struct runcmd_opts o;
	struct runcmd_result rr;
	struct value *argv_v = NULL;
	const char *msg = NULL;
	char **argv = NULL;
	size_t i, n;
	int r;

	buf_init(out, 0);
	buf_init(err, 0);
	*rcp = -1;
	if ((r = shlex_split(cmd, strlen(cmd), &argv_v, &msg)) != 0)
		return r;
	n = value_len(argv_v);
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = (char *)value_cstr(value_list_at(argv_v, i));
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.envp = a->envp;
	o.cap = (size_t)8 << 20;
	o.deadline_ms = a->ctx->deadline_ms;
	r = runcmd(a->ctx->loop, &o, &rr);
	if (r == 0 && rr.spawn_err != 0) {
		buf_printf(err, "[Errno %d] %s: b'%s'", -rr.spawn_err, strerror(-rr.spawn_err), argv[0]);
		*rcp = 2;
	} else if (r == 0) {
		*rcp = runcmd_rc(rr.status);
		buf_put(out, buf_ptr(&rr.out), buf_avail(&rr.out));
		buf_put(err, buf_ptr(&rr.err), buf_avail(&rr.err));
	}
	runcmd_result_fini(&rr);
	free(argv);
	value_unref(argv_v);
	return r;
}

/* Sets the final result to a failure with msg and the command's output. */
static void apt_fail_out(struct apt *a, struct value *msg, const struct buf *out, const struct buf *err, int rc)
{
	value_unref(a->res);
	a->res = value_map();
	value_map_set(a->res, "failed", value_bool(1));
	value_map_set(a->res, "msg", msg);
	if (out != NULL)
		value_map_set(a->res, "stdout", value_strn(buf_ptr(out), buf_avail(out)));
	if (err != NULL)
		value_map_set(a->res, "stderr", value_strn(buf_ptr(err), buf_avail(err)));
	if (rc != -1000)
		value_map_set(a->res, "rc", value_int(rc));
	a->done = 1;
}

/* parse_diff: apt-get's output between "Reading state information..." and
 * the "N upgraded" line. */
static struct value *apt_parse_diff(const struct buf *out)
{
	const char *s = buf_str(out), *start = NULL, *p, *end, *stop = NULL;
	struct value *d = value_map();

	for (p = s; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		if (start == NULL && (size_t)(end - p) == strlen(APT_STATE_LINE) &&
		    strncmp(p, APT_STATE_LINE, strlen(APT_STATE_LINE)) == 0)
			start = *end ? end + 1 : end;
		if (stop == NULL && p[0] >= '0' && p[0] <= '9') {
			const char *q = p + strspn(p, "0123456789");

			if (strncmp(q, " upgraded", 9) == 0 || strncmp(q, " packages upgraded", 18) == 0)
				stop = end;
		}
	}
	if (start == NULL)
		start = s;
	if (stop == NULL || stop < start) {
		stop = s + buf_avail(out);
		while (stop > start && stop[-1] == '\n')
			stop--;
	}
	value_map_set(d, "prepared", value_strn(start, stop > start ? (size_t)(stop - start) : 0));
	return d;
}

/* The diff key: parse_diff's in diff mode, else {}. */
static struct value *apt_diff(const struct apt *a, const struct buf *out)
{
	return a->ctx->diff ? apt_parse_diff(out) : value_map();
}

/* What package_status tells: installed at all, installed in a version
 * the spec accepts, the version to install (NULL: none; "" : the
 * candidate with no version to name), files left on disk. */
struct apt_status {
	int known;              /* apt knows the package */
	int installed;
	int version_ok;
	char *installable;      /* owned */
	int has_files;
	char *installed_version; /* owned */
};

static void apt_status_fini(struct apt_status *st)
{
	free(st->installable);
	free(st->installed_version);
}

/* A line "Key: value" of text; returns the value (heap) or NULL. */
static char *apt_field(const char *text, const char *key)
{
	const char *p = text, *end;
	size_t kl = strlen(key);

	for (; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) > kl && strncmp(p, key, kl) == 0)
			return xstrndup(p + kl, (size_t)(end - p - kl));
	}
	return NULL;
}

/* dpkg --compare-versions a op b. */
static int apt_vercmp(struct apt *a, const char *x, const char *op, const char *y)
{
	char *cmd = NULL;
	struct buf o, e;
	struct buf q;
	int rc;

	buf_init(&q, 0);
	buf_puts(&q, "dpkg --compare-versions ");
	shlex_quote(&q, x, strlen(x));
	buf_printf(&q, " %s ", op);
	shlex_quote(&q, y, strlen(y));
	cmd = buf_take(&q, NULL);
	apt_run(a, cmd, &rc, &o, &e);
	free(cmd);
	buf_fini(&o);
	buf_fini(&e);
	return rc == 0;
}

/* The version apt would pick (policy's candidate), or with version_cmp
 * "=" the newest available version matching the pattern. */
static char *apt_best(struct apt *a, const char *name, const char *cmp, const char *version, int *knownp)
{
	struct buf o, e, q;
	char *cmd, *cand = NULL, *line, *p, *end;
	int rc;

	buf_init(&q, 0);
	buf_puts(&q, "apt-cache policy ");
	shlex_quote(&q, name, strlen(name));
	cmd = buf_take(&q, NULL);
	apt_run(a, cmd, &rc, &o, &e);
	free(cmd);
	*knownp = rc == 0 && strstr(buf_str(&o), "Candidate:") != NULL;
	if (*knownp) {
		cand = apt_field(buf_str(&o), "Candidate: ");
		if (cand != NULL && strcmp(cand, "(none)") == 0) {
			free(cand);
			cand = NULL;
		}
		if (cmp != NULL && strcmp(cmp, "=") == 0) {
			/* A version pin at 1001 makes the newest matching
			 * version the candidate: the version table lists them
			 * newest first. */
			free(cand);
			cand = NULL;
			line = strstr(buf_str(&o), "Version table:");
			for (p = line; p != NULL && *p != '\0' && cand == NULL; p = *end ? end + 1 : end) {
				end = p + strcspn(p, "\n");
				/* Version lines: five columns of marker ("     " or
				 * " *** "), then the version; priority lines are
				 * indented further. */
				if ((end - p) < 6 || p[0] != ' ' || p[5] == ' ')
					continue;
				line = xstrndup(p + 5, (size_t)(end - p - 5));
				line[strcspn(line, " ")] = '\0';
				if (fnmatch(version, line, 0) == 0)
					cand = line;
				else
					free(line);
			}
		}
	}
	buf_fini(&o);
	buf_fini(&e);
	return cand;
}

static void apt_status(struct apt *a, const char *name, const char *cmp, const char *version, struct apt_status *st)
{
	struct buf o, e, q;
	char *cmd, *best;
	int rc;

	memset(st, 0, sizeof(*st));
	buf_init(&q, 0);
	buf_puts(&q, "dpkg-query -W -f '${Status}|${Version}\\n' ");
	shlex_quote(&q, name, strlen(name));
	cmd = buf_take(&q, NULL);
	apt_run(a, cmd, &rc, &o, &e);
	free(cmd);
	if (rc == 0) {
		const char *s = buf_str(&o);

		st->installed = strncmp(s, "install ok installed|", 21) == 0 || strstr(s, " installed|") != NULL;
		st->has_files = st->installed || strstr(s, " config-files|") != NULL;
		if (st->installed) {
			const char *bar = strchr(s, '|');

			st->installed_version = xstrndup(bar + 1, strcspn(bar + 1, "\n"));
		}
	}
	buf_fini(&o);
	buf_fini(&e);
	best = apt_best(a, name, cmp, version, &st->known);
	st->known = st->known || st->installed;
	if (!st->installed) {
		st->installable = best;
		return;
	}
	if (cmp != NULL && strcmp(cmp, "=") == 0) {
		st->version_ok = fnmatch(version, st->installed_version, 0) == 0;
		if (best != NULL && strcmp(st->installed_version, best) != 0 && fnmatch(version, best, 0) == 0)
			st->installable = xstrdup(best);
	} else if (cmp != NULL) {
		st->version_ok = apt_vercmp(a, st->installed_version, "ge", version);
		if (best != NULL && strcmp(st->installed_version, best) != 0 && apt_vercmp(a, best, "ge", version))
			st->installable = xstrdup(best);
	} else {
		st->version_ok = 1;
		if (best != NULL && strcmp(st->installed_version, best) != 0)
			st->installable = xstrdup(best);
	}
	free(best);
}

/* package_split: name, then "=" or ">=" and a version. */
static void apt_split(const char *spec, char **namep, const char **cmpp, const char **versionp)
{
	const char *eq = strchr(spec, '=');

	*cmpp = NULL;
	*versionp = NULL;
	if (eq == NULL) {
		*namep = xstrdup(spec);
		return;
	}
	if (eq > spec && eq[-1] == '>') {
		*namep = xstrndup(spec, (size_t)(eq - 1 - spec));
		*cmpp = ">=";
	} else {
		*namep = xstrndup(spec, (size_t)(eq - spec));
		*cmpp = "=";
	}
	*versionp = eq + 1;
}

/* apt-mark manual for what was asked (not in check mode). */
static int apt_mark_manual(struct apt *a, const struct value *names)
{
	struct buf cmd, o, e;
	char *mark = fileutil_bin_path(a->ctx, "apt-mark");
	size_t i;
	int rc;

	if (value_len(names) == 0 || a->ctx->check || mark == NULL) {
		free(mark);
		return 0;
	}
	buf_init(&cmd, 0);
	buf_printf(&cmd, "%s manual", mark);
	for (i = 0; i < value_len(names); i++)
		buf_printf(&cmd, " %s", value_cstr(value_list_at(names, i)));
	apt_run(a, buf_str(&cmd), &rc, &o, &e);
	if (rc != 0)
		apt_fail_out(a, value_strf("'%s' failed: %s", buf_str(&cmd), buf_str(&e)), &o, &e, rc);
	free(mark);
	buf_fini(&cmd);
	buf_fini(&o);
	buf_fini(&e);
	return rc != 0 ? -1 : 0;
}

/* The packages to hand to apt-get install, quoted as Ansible quotes them.
 * Returns 0, or -1 with the failure in a->res. */
static int apt_install_list(struct apt *a, const struct value *pkgs, int upgrade, struct buf *list,
                            struct value *names)
{
	struct apt_status st;
	const char *cmp, *version;
	char *name;
	size_t i;

	for (i = 0; i < value_len(pkgs); i++) {
		const char *spec = value_cstr(value_list_at(pkgs, i));

		apt_split(spec, &name, &cmp, &version);
		value_list_push(names, value_str(name));
		apt_status(a, name, cmp, version, &st);
		if (!st.known) {
			apt_fail_out(a, value_strf("No package matching '%s' is available", name), NULL, NULL, -1000);
			free(name);
			apt_status_fini(&st);
			return -1;
		}
		if (!st.version_ok && st.installable == NULL) {
			apt_fail_out(a, value_strf("no available installation candidate for %s", spec), NULL, NULL, -1000);
			a->cache_keys = 1;
			free(name);
			apt_status_fini(&st);
			return -1;
		}
		if (!st.installed && value_get_bool(a->params, "only_upgrade", 0)) {
			/* only_upgrade leaves packages that are not installed alone. */
		} else if (st.installable != NULL && (!st.installed || upgrade || !st.version_ok)) {
			buf_printf(list, "%s'%s=%s'", buf_avail(list) ? " " : "", name, st.installable);
		} else if (st.version_ok && st.installable != NULL && cmp != NULL && strcmp(cmp, "=") == 0) {
			buf_printf(list, "%s'%s=%s'", buf_avail(list) ? " " : "", name, version);
		}
		free(name);
		apt_status_fini(&st);
	}
	return 0;
}

static void apt_install(struct apt *a, const struct value *pkgs, const char *state)
{
	const struct value *rec = value_map_get(a->params, "install_recommends");
	struct value *names = value_list();
	struct buf list, cmd, o, e;
	int rc;

	buf_init(&list, 0);
	buf_init(&cmd, 0);
	if (apt_install_list(a, pkgs, strcmp(state, "latest") == 0, &list, names) != 0)
		goto out;
	if (buf_avail(&list) == 0) {
		value_map_set(a->res, "changed", value_bool(0));
	} else {
		buf_printf(&cmd, "%s -y %s %s %s %s %s %s %s install %s", a->apt_get, buf_str(&a->dpkg_opts),
		           value_get_bool(a->params, "only_upgrade", 0) ? "--only-upgrade" : "",
		           strcmp(state, "fixed") == 0 ? "--fix-broken" : "",
		           value_get_bool(a->params, "force", 0) ? "--force-yes" : "",
		           value_get_bool(a->params, "autoremove", 0) ? "--auto-remove" : "",
		           value_get_bool(a->params, "fail_on_autoremove", 0) ? "--no-remove" : "",
		           a->ctx->check ? "--simulate" : "", buf_str(&list));
		if (value_get_str(a->params, "default_release", NULL) != NULL)
			buf_printf(&cmd, " -t '%s'", value_get_str(a->params, "default_release", NULL));
		if (rec != NULL && rec->type == VALUE_BOOL)
			buf_printf(&cmd, " -o APT::Install-Recommends=%s", rec->u.b ? "yes" : "no");
		if (value_get_bool(a->params, "allow_unauthenticated", 0))
			buf_puts(&cmd, " --allow-unauthenticated");
		if (value_get_bool(a->params, "allow_downgrade", 0))
			buf_puts(&cmd, " --allow-downgrades");
		if (value_get_bool(a->params, "allow_change_held_packages", 0))
			buf_puts(&cmd, " --allow-change-held-packages");
		apt_run(a, buf_str(&cmd), &rc, &o, &e);
		if (rc != 0) {
			apt_fail_out(a, value_strf("'%s' failed: %s", buf_str(&cmd), buf_str(&e)), &o, &e, rc);
			a->cache_keys = 1;
		} else {
			value_map_set(a->res, "changed", value_bool(1));
			value_map_set(a->res, "stdout", value_strn(buf_ptr(&o), buf_avail(&o)));
			value_map_set(a->res, "stderr", value_strn(buf_ptr(&e), buf_avail(&e)));
			value_map_set(a->res, "diff", apt_diff(a, &o));
		}
		buf_fini(&o);
		buf_fini(&e);
		if (a->done)
			goto out;
	}
	apt_mark_manual(a, names);
out:
	value_unref(names);
	buf_fini(&list);
	buf_fini(&cmd);
}

static void apt_remove(struct apt *a, const struct value *pkgs)
{
	int purge = value_get_bool(a->params, "purge", 0), rc;
	struct buf list, cmd, o, e;
	struct apt_status st;
	const char *cmp, *version;
	char *name;
	size_t i;

	buf_init(&list, 0);
	buf_init(&cmd, 0);
	for (i = 0; i < value_len(pkgs); i++) {
		const char *spec = value_cstr(value_list_at(pkgs, i));

		apt_split(spec, &name, &cmp, &version);
		apt_status(a, name, cmp, version, &st);
		if (st.version_ok || (st.has_files && purge))
			buf_printf(&list, "%s'%s'", buf_avail(&list) ? " " : "", spec);
		free(name);
		apt_status_fini(&st);
	}
	a->done = 1;
	if (buf_avail(&list) == 0) {
		value_map_set(a->res, "changed", value_bool(0));
		goto out;
	}
	buf_printf(&cmd, "%s -q -y %s %s %s %s %s remove %s", a->apt_get, buf_str(&a->dpkg_opts), purge ? "--purge" : "",
	           value_get_bool(a->params, "force", 0) ? "--force-yes" : "",
	           value_get_bool(a->params, "autoremove", 0) ? "--auto-remove" : "", a->ctx->check ? "--simulate" : "",
	           buf_str(&list));
	apt_run(a, buf_str(&cmd), &rc, &o, &e);
	if (rc != 0) {
		apt_fail_out(a, value_strf("'apt-get remove %s' failed: %s", buf_str(&list), buf_str(&e)), &o, &e, rc);
	} else {
		value_map_set(a->res, "changed", value_bool(1));
		value_map_set(a->res, "stdout", value_strn(buf_ptr(&o), buf_avail(&o)));
		value_map_set(a->res, "stderr", value_strn(buf_ptr(&e), buf_avail(&e)));
		value_map_set(a->res, "diff", apt_diff(a, &o));
	}
	buf_fini(&o);
	buf_fini(&e);
out:
	buf_fini(&list);
	buf_fini(&cmd);
}

/* autoremove or autoclean with no packages named. */
static void apt_cleanup(struct apt *a, const char *op)
{
	struct buf cmd, o, e;
	int rc;

	buf_init(&cmd, 0);
	buf_printf(&cmd, "%s -y %s %s %s %s %s", a->apt_get, buf_str(&a->dpkg_opts),
	           value_get_bool(a->params, "purge", 0) ? "--purge" : "",
	           value_get_bool(a->params, "force", 0) ? "--force-yes" : "", op, a->ctx->check ? "--simulate" : "");
	apt_run(a, buf_str(&cmd), &rc, &o, &e);
	a->done = 1;
	if (rc != 0) {
		apt_fail_out(a, value_strf("'apt-get %s' failed: %s", op, buf_str(&e)), &o, &e, rc);
	} else {
		value_map_set(a->res, "changed",
		              value_bool(strstr(buf_str(&o), strcmp(op, "autoremove") == 0
		                                                 ? "The following packages will be REMOVED"
		                                                 : "Del ") != NULL));
		value_map_set(a->res, "stdout", value_strn(buf_ptr(&o), buf_avail(&o)));
		value_map_set(a->res, "stderr", value_strn(buf_ptr(&e), buf_avail(&e)));
		value_map_set(a->res, "diff", apt_diff(a, &o));
	}
	buf_fini(&o);
	buf_fini(&e);
	buf_fini(&cmd);
}

/* get_cache_mtime: the update stamp's, else the lists directory's. */
static int64_t apt_cache_time(void)
{
	struct stat st;

	if (stat(APT_STAMP, &st) == 0 || stat(APT_LISTS, &st) == 0)
		return (int64_t)st.st_mtime;
	return 0;
}

/* update_cache / cache_valid_time. Returns 0, or -1 with a failure. */
static int apt_update(struct apt *a, int *updatedp, int64_t *timep)
{
	int64_t valid = value_get_int(a->params, "cache_valid_time", 0), before = apt_cache_time();
	struct buf cmd, o, e;
	int rc, tries = (int)value_get_int(a->params, "update_cache_retries", 5), i;

	*updatedp = 0;
	*timep = before;
	if (!value_get_bool(a->params, "update_cache", 0) && valid == 0)
		return 0;
	if (before + valid >= (int64_t)time(NULL))
		return 0;
	if (!a->ctx->check) {
		buf_init(&cmd, 0);
		buf_printf(&cmd, "%s update", a->apt_get);
		for (i = 0, rc = 1; i < (tries > 0 ? tries : 1) && rc != 0; i++) {
			apt_run(a, buf_str(&cmd), &rc, &o, &e);
			/* apt-get update exits 0 with "W:"/"E:" lines for lists
			 * it could not fetch; python-apt's update raises then. */
			if (rc == 0 && strstr(buf_str(&e), "E: ") != NULL)
				rc = 100;
			if (rc != 0 && i + 1 < tries) {
				buf_fini(&o);
				buf_fini(&e);
			}
		}
		buf_fini(&cmd);
		if (rc != 0) {
			apt_fail_out(a, value_strf("Failed to update apt cache: %s", buf_avail(&e) ? buf_str(&e) : "unknown reason"),
			             NULL, NULL, -1000);
			buf_fini(&o);
			buf_fini(&e);
			return -1;
		}
		buf_fini(&o);
		buf_fini(&e);
	}
	*timep = apt_cache_time();
	*updatedp = a->ctx->check || *timep != before;
	return 0;
}

/* dpkg --field deb field, or NULL. */
static char *apt_deb_field(struct apt *a, const char *deb, const char *field)
{
	struct buf q, o, e;
	char *cmd, *v = NULL;
	int rc;

	buf_init(&q, 0);
	buf_puts(&q, "dpkg --field ");
	shlex_quote(&q, deb, strlen(deb));
	buf_printf(&q, " %s", field);
	cmd = buf_take(&q, NULL);
	apt_run(a, cmd, &rc, &o, &e);
	if (rc != 0)
		apt_fail_out(a, value_strf("%s failed", cmd), &o, &e, -1000);
	else
		v = xstrndup(buf_ptr(&o), strcspn(buf_str(&o), "\n"));
	free(cmd);
	buf_fini(&o);
	buf_fini(&e);
	return v;
}

/* install_deb: the files whose version is not the one installed go
 * through dpkg -i. */
static void apt_install_deb(struct apt *a, const char *debs)
{
	struct buf todo, cmd, o, e;
	struct apt_status st;
	const char *p, *end, *opts = value_get_str(a->params, "dpkg_options", "");
	char *deb, *name, *version;
	int rc, bad;

	buf_init(&todo, 0);
	buf_init(&cmd, 0);
	a->done = 1;
	for (p = debs; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		deb = xstrndup(p, (size_t)(end - p));
		name = apt_deb_field(a, deb, "Package");
		version = name != NULL ? apt_deb_field(a, deb, "Version") : NULL;
		if (version != NULL) {
			apt_status(a, name, NULL, NULL, &st);
			if (!st.installed || !apt_vercmp(a, version, "eq", st.installed_version))
				buf_printf(&todo, " %s", deb);
			apt_status_fini(&st);
		}
		bad = version == NULL;
		free(deb);
		free(name);
		free(version);
		if (bad)
			goto out;
	}
	if (buf_avail(&todo) == 0) {
		value_map_set(a->res, "changed", value_bool(0));
		value_map_set(a->res, "stdout", value_str(""));
		value_map_set(a->res, "stderr", value_str(""));
		value_map_set(a->res, "diff", value_str(""));
		goto out;
	}
	buf_puts(&cmd, "dpkg");
	for (p = opts; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		buf_printf(&cmd, " --%.*s", (int)(end - p), p);
	}
	if (a->ctx->check)
		buf_puts(&cmd, " --simulate");
	if (value_get_bool(a->params, "force", 0))
		buf_puts(&cmd, " --force-all");
	buf_printf(&cmd, " -i%s", buf_str(&todo));
	apt_run(a, buf_str(&cmd), &rc, &o, &e);
	if (rc != 0) {
		apt_fail_out(a, value_strf("%s failed", buf_str(&cmd)), &o, &e, -1000);
	} else {
		value_map_set(a->res, "changed", value_bool(1));
		value_map_set(a->res, "stdout", value_strn(buf_ptr(&o), buf_avail(&o)));
		value_map_set(a->res, "stderr", value_strn(buf_ptr(&e), buf_avail(&e)));
		value_map_set(a->res, "diff", apt_parse_diff(&o));
	}
	buf_fini(&o);
	buf_fini(&e);
out:
	buf_fini(&todo);
	buf_fini(&cmd);
}

/* The packages asked for, without "*", stripped; "*" sets *allp. */
static struct value *apt_packages(const struct value *params, int *allp)
{
	const struct value *pk = value_map_get(params, "package");
	struct value *out = value_list();
	size_t i, s, e;

	*allp = 0;
	for (i = 0; pk != NULL && pk->type == VALUE_LIST && i < value_len(pk); i++) {
		const char *p = value_cstr(value_list_at(pk, i));

		if (strcmp(p, "*") == 0) {
			*allp = 1;
			continue;
		}
		e = strlen(p);
		for (s = 0; s < e && strchr(" \t\n\r", p[s]); s++)
			;
		while (e > s && strchr(" \t\n\r", p[e - 1]))
			e--;
		value_list_push(out, value_strn(p + s, e - s));
	}
	return out;
}

static void apt_do(struct apt *a)
{
	const char *state = value_get_str(a->params, "state", "present");
	const char *upgrade = value_get_str(a->params, "upgrade", "no"), *deb = value_get_str(a->params, "deb", NULL);
	struct value *pkgs;
	int64_t cache_time;
	int updated, all;
	size_t i;

	if (strcmp(upgrade, "no") != 0 || strcmp(state, "build-dep") == 0 || value_get_bool(a->params, "clean", 0)) {
		apt_fail_out(a, value_strf("drover-worker's apt does not support %s", strcmp(upgrade, "no") != 0 ? "upgrade"
		                                                                    : value_get_bool(a->params, "clean", 0)
		                                                                        ? "clean"
		                                                                        : "state=build-dep"),
		             NULL, NULL, -1000);
		return;
	}
	if (apt_update(a, &updated, &cache_time) != 0)
		return;
	pkgs = apt_packages(a->params, &all);
	if ((value_get_bool(a->params, "update_cache", 0) || value_get_int(a->params, "cache_valid_time", 0)) &&
	    value_len(pkgs) == 0 && !all && deb == NULL) {
		value_map_set(a->res, "changed", value_bool(updated));
		value_map_set(a->res, "cache_updated", value_bool(updated));
		value_map_set(a->res, "cache_update_time", value_int(cache_time));
		goto out;
	}
	if (deb != NULL) {
		if (strcmp(state, "present") != 0)
			apt_fail_out(a, value_str("deb only supports state=present"), NULL, NULL, -1000);
		else
			apt_install_deb(a, deb);
		goto out;
	}
	if (all && strcmp(state, "latest") == 0) {
		apt_fail_out(a, value_str(value_len(pkgs) ? "unable to install additional packages when upgrading all "
		                                            "installed packages"
		                                          : "drover-worker's apt does not support upgrading all packages"),
		             NULL, NULL, -1000);
		goto out;
	}
	for (i = 0; i < value_len(pkgs); i++) {
		const char *p = value_cstr(value_list_at(pkgs, i)), *q = strchr(p, '=');

		if (q != NULL && strchr(q + 1, '=') != NULL) {
			apt_fail_out(a, value_strf("invalid package spec: %s", p), NULL, NULL, -1000);
			goto out;
		}
	}
	if (value_len(pkgs) == 0 && value_get_bool(a->params, "autoclean", 0)) {
		apt_cleanup(a, "autoclean");
		goto out;
	}
	if (value_len(pkgs) == 0 && value_get_bool(a->params, "autoremove", 0)) {
		apt_cleanup(a, "autoremove");
		goto out;
	}
	if (strcmp(state, "absent") == 0) {
		apt_remove(a, pkgs);
		goto out;
	}
	apt_install(a, pkgs, state);
	if (!a->done || a->cache_keys) {
		value_map_set(a->res, "cache_updated", value_bool(updated));
		value_map_set(a->res, "cache_update_time", value_int(cache_time));
	}
out:
	value_unref(pkgs);
}

/* Sets the common parts up and runs the module on params. */
static struct value *apt_main(const struct module_ctx *ctx, const struct value *params)
{
	static const char *const set[] = {"LANG=C", "LC_ALL=C", "LC_MESSAGES=C", "LC_CTYPE=C",
	                                  "DEBIAN_FRONTEND=noninteractive", "DEBIAN_PRIORITY=critical", NULL};
	const char *opts = value_get_str(params, "dpkg_options", ""), *p, *end;
	struct apt a;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	a.params = params;
	a.res = value_map();
	buf_init(&a.dpkg_opts, 0);
	if (value_map_get(params, "package") == NULL && value_get_str(params, "deb", NULL) == NULL &&
	    !value_get_bool(params, "autoremove", 0) && value_map_get(params, "update_cache") == NULL &&
	    strcmp(value_get_str(params, "upgrade", "no"), "no") == 0) {
		/* required_one_of: upgrade has a default, so only a missing
		 * everything-else fails. */
		apt_fail_out(&a, value_str("one of the following is required: autoremove, deb, package, update_cache, "
		                           "upgrade"),
		             NULL, NULL, -1000);
		goto out;
	}
	a.apt_get = fileutil_bin_path(ctx, "apt-get");
	if (a.apt_get == NULL) {
		apt_fail_out(&a, value_str("Failed to find required executable \"apt-get\""), NULL, NULL, -1000);
		goto out;
	}
	for (p = opts; *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ",");
		buf_printf(&a.dpkg_opts, "%s-o \"Dpkg::Options::=--%.*s\"", buf_avail(&a.dpkg_opts) ? " " : "",
		           (int)(end - p), p);
	}
	a.envp = runcmd_env_with(ctx->envp, set);
	apt_do(&a);
out:
	runcmd_env_free(a.envp);
	free(a.apt_get);
	buf_fini(&a.dpkg_opts);
	return a.res;
}

static struct value *apt_fn(const struct module_ctx *ctx, struct value *params, struct value *warnings)
{
	(void)warnings;
	return apt_main(ctx, params);
}

static const struct module_main apt_module = {
	"ansible.legacy.apt", apt_spec, APT_NSPEC, apt_exclusive, 0, NULL, apt_fn,
};

MODULE_DEFINE(apt, apt_run_module, MODULE_CHECK_MODE)
struct value *apt_run_module(const struct module_ctx *ctx)
{
	return module_main(ctx, &apt_module);
}
