/* git, as Ansible's: clones, fetches and checks out through the host's git
 * binary with the same sequence of git commands, so the repository ends in
 * the same state; results carry before/after (commit ids),
 * remote_url_changed and the "prepared" diff. Submodules are not updated
 * (recursive is accepted and ignored), nor are archive or
 * separate_git_dir. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pyfmt.h"
#include "modules/runcmd.h"

#define GIT_MAX_ARGS 24

static const struct module_argspec git_spec[] = {
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"repo", MODULE_ARG_STR, NULL, "name", NULL, MODULE_ARG_REQUIRED},
	{"version", MODULE_ARG_STR, "HEAD", NULL, NULL, 0},
	{"remote", MODULE_ARG_STR, "origin", NULL, NULL, 0},
	{"refspec", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"reference", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"force", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"depth", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"clone", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"update", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"verify_commit", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"gpg_whitelist", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"accept_hostkey", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"accept_newhostkey", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"key_file", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"ssh_opts", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"executable", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"bare", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"recursive", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"single_branch", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"track_submodules", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"umask", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"archive", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"archive_prefix", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"separate_git_dir", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
};
#define GIT_NSPEC (sizeof(git_spec) / sizeof(git_spec[0]))

static const char *const git_exclusive[] = {"separate_git_dir|bare", "accept_hostkey|accept_newhostkey", NULL};

struct git {
	const struct module_ctx *ctx;
	const struct value *params;
	struct value *res;       /* owned */
	char *git;               /* owned; the binary */
	char *repo;              /* owned; file:// added to absolute paths */
	char *dest;              /* owned; absolute, or NULL */
	const char *version, *remote, *refspec;
	long depth;              /* 0: none */
	int bare, force, check;
	char **envp;             /* owned; the worker's plus the C locale and GIT_SSH_COMMAND */
	int failed;              /* res holds a failure */
};

/* One git command's outcome. */
struct git_out {
	int rc;
	struct buf out, err;
};

static void git_out_fini(struct git_out *o)
{
	buf_fini(&o->out);
	buf_fini(&o->err);
}

/* The command as AnsibleModule shows it in "cmd": shell-quoted words. */
static struct value *git_cmd_str(char *const *argv)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_putc(&b, ' ');
		shlex_quote(&b, argv[i], strlen(argv[i]));
	}
	return value_str_take(buf_take(&b, NULL), b.len);
}

/* Runs argv in cwd (NULL: the worker's). */
static int git_run(struct git *g, char *const *argv, const char *cwd, struct git_out *o)
{
	struct runcmd_opts ro;
	struct runcmd_result rr;
	int r;

	buf_init(&o->out, 0);
	buf_init(&o->err, 0);
	o->rc = -1;
	memset(&ro, 0, sizeof(ro));
	ro.argv = argv;
	ro.envp = g->envp;
	ro.cap = (size_t)4 << 20;
	ro.deadline_ms = g->ctx->deadline_ms;
	ro.cwd = cwd;
	r = runcmd(g->ctx->loop, &ro, &rr);
	if (r == 0 && rr.spawn_err == 0) {
		o->rc = runcmd_rc(rr.status);
		buf_put(&o->out, buf_ptr(&rr.out), buf_avail(&rr.out));
		buf_put(&o->err, buf_ptr(&rr.err), buf_avail(&rr.err));
	} else if (r == 0) {
		r = rr.spawn_err;
		buf_printf(&o->err, "[Errno %d] %s: '%s'", -r, pyfmt_strerror(-r),
		           rr.stage != NULL && strcmp(rr.stage, "chdir") == 0 && cwd != NULL ? cwd : argv[0]);
	}
	runcmd_result_fini(&rr);
	return r;
}

/* Starts a failure result: Ansible's git fails with fail_json(msg, ...)
 * alone, so the keys gathered so far (before, changed) are dropped. */
static void git_fail_reset(struct git *g)
{
	value_unref(g->res);
	g->res = value_map();
	value_map_set(g->res, "failed", value_bool(1));
	g->failed = 1;
}

/* Records a failure of a command run with check_rc as AnsibleModule does. */
static void git_fail_cmd(struct git *g, char *const *argv, const struct git_out *o)
{
	const char *e = buf_str(&o->err);
	size_t n = buf_avail(&o->err);

	while (n > 0 && (e[n - 1] == '\n' || e[n - 1] == ' ' || e[n - 1] == '\r' || e[n - 1] == '\t'))
		n--;
	git_fail_reset(g);
	value_map_set(g->res, "cmd", git_cmd_str(argv));
	value_map_set(g->res, "rc", value_int(o->rc));
	value_map_set(g->res, "stdout", value_strn(buf_ptr(&o->out), buf_avail(&o->out)));
	value_map_set(g->res, "stderr", value_strn(buf_ptr(&o->err), buf_avail(&o->err)));
	if (n > 0)
		value_map_set(g->res, "msg", value_strn(e, n));
	else
		value_map_set(g->res, "msg", value_str("non-zero return code"));
	value_map_set(g->res, "failed", value_bool(1));
	g->failed = 1;
}

/* Runs a command that must succeed (check_rc=True). Returns 0, or -1 with
 * the failure recorded. out may be NULL. */
static int git_must(struct git *g, const char *cwd, struct git_out *out, ...)
{
	char *argv[GIT_MAX_ARGS + 1];
	struct git_out o;
	va_list ap;
	size_t n = 0;
	int r;

	va_start(ap, out);
	argv[n++] = g->git;
	while (n < GIT_MAX_ARGS && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	r = git_run(g, argv, cwd, &o);
	if (r != 0 || o.rc != 0) {
		git_fail_cmd(g, argv, &o);
		git_out_fini(&o);
		return -1;
	}
	if (out != NULL)
		*out = o;
	else
		git_out_fini(&o);
	return 0;
}

/* A command whose failure is not fatal; returns its rc (-1: not run). */
static int git_try(struct git *g, const char *cwd, struct git_out *out, ...)
{
	char *argv[GIT_MAX_ARGS + 1];
	va_list ap;
	size_t n = 0;

	va_start(ap, out);
	argv[n++] = g->git;
	while (n < GIT_MAX_ARGS && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	git_run(g, argv, cwd, out);
	return out->rc;
}

/* Output without its trailing newline, as a heap string. */
static char *git_line(const struct git_out *o)
{
	size_t n = buf_avail(&o->out);

	while (n > 0 && buf_ptr(&o->out)[n - 1] == '\n')
		n--;
	return xstrndup(buf_ptr(&o->out), n);
}

/* rev-parse ref in dest. */
static char *git_version_of(struct git *g, const char *ref)
{
	struct git_out o;
	char *v;

	git_try(g, g->dest, &o, "rev-parse", ref, (char *)NULL);
	v = git_line(&o);
	git_out_fini(&o);
	return v;
}

/* Whether ls-remote's output for a ref pattern mentions version. */
static int git_is_remote(struct git *g, const char *remote, const char *kind, int *okp)
{
	struct git_out o;
	char *ref = xasprintf("refs/%s/%s", strcmp(kind, "-h") == 0 ? "heads" : "tags", g->version);
	int found;

	*okp = git_must(g, g->dest != NULL && fileutil_isdir(g->dest) ? g->dest : NULL, &o, "ls-remote",
	                (char *)remote, (char *)kind, ref, (char *)NULL) == 0;
	free(ref);
	if (!*okp)
		return 0;
	found = strstr(buf_str(&o.out), g->version) != NULL;
	git_out_fini(&o);
	return found;
}

/* The branch HEAD names in the repository (or, detached, the remote's
 * HEAD). */
static char *git_head_branch(struct git *g)
{
	char *repo_path = g->bare ? xstrdup(g->dest) : fileutil_join(g->dest, ".git");
	char *headfile = fileutil_join(repo_path, "HEAD"), *alt;
	struct git_out o;
	struct buf text;
	char *branch = NULL, *line, *slash;
	int detached;

	detached = git_try(g, g->dest, &o, "symbolic-ref", "-q", "HEAD", (char *)NULL) != 0;
	git_out_fini(&o);
	if (detached) {
		alt = xasprintf("%s/refs/remotes/%s/HEAD", repo_path, g->remote);
		free(headfile);
		headfile = alt;
	}
	if (fileutil_read(headfile, 4096, &text) == 0) {
		line = xstrdup(buf_str(&text));
		line[strcspn(line, "\n")] = '\0';
		/* head_splitter: the part after "ref: refs/heads/" or
		 * "refs/remotes/<remote>/". */
		slash = strstr(line, "refs/heads/");
		if (slash != NULL)
			branch = xstrdup(slash + 11);
		else if ((slash = strstr(line, "refs/remotes/")) != NULL && (slash = strchr(slash + 13, '/')) != NULL)
			branch = xstrdup(slash + 1);
		free(line);
	}
	buf_fini(&text);
	free(headfile);
	free(repo_path);
	if (branch == NULL) {
		git_fail_reset(g);
		module_fail(g->res, "Unable to determine the current branch of %s", g->dest);
		g->failed = 1;
	}
	return branch;
}

/* get_remote_head: the commit version names at remote. */
static char *git_remote_head(struct git *g, const char *remote)
{
	int cloning = strcmp(remote, g->repo) == 0, tag = 0, okb = 1, okt = 1;
	const char *cwd = cloning ? NULL : g->dest;
	struct git_out o;
	char *ref = NULL, *branch, *rev, *line, *next, *pick = NULL;

	if (strcmp(g->version, "HEAD") == 0) {
		if (cloning) {
			ref = xstrdup("HEAD");
		} else {
			if ((branch = git_head_branch(g)) == NULL)
				return NULL;
			ref = xasprintf("refs/heads/%s", branch);
			free(branch);
		}
	} else if (git_is_remote(g, remote, "-h", &okb)) {
		ref = xasprintf("refs/heads/%s", g->version);
	} else if (okb && git_is_remote(g, remote, "-t", &okt)) {
		tag = 1;
		ref = xasprintf("refs/tags/%s*", g->version);
	} else {
		return okb && okt ? xstrdup(g->version) : NULL;
	}
	if (git_must(g, cwd, &o, "ls-remote", (char *)remote, tag ? "-t" : "-h", ref, (char *)NULL) != 0) {
		free(ref);
		return NULL;
	}
	free(ref);
	if (buf_avail(&o.out) < 1) {
		git_fail_reset(g);
		module_fail(g->res, "Could not determine remote revision for %s", g->version);
		value_map_set(g->res, "stdout", value_str(""));
		value_map_set(g->res, "stderr", value_strn(buf_ptr(&o.err), buf_avail(&o.err)));
		value_map_set(g->res, "rc", value_int(o.rc));
		g->failed = 1;
		git_out_fini(&o);
		return NULL;
	}
	line = xstrdup(buf_str(&o.out));
	if (tag) {
		char *peeled = xasprintf("%s^{}", g->version);
		size_t lv = strlen(g->version), lp = strlen(peeled), n;

		for (next = line; next != NULL;) {
			char *cur = next, *nl = strchr(cur, '\n');

			if (nl != NULL)
				*nl = '\0';
			next = nl != NULL ? nl + 1 : NULL;
			n = strlen(cur);
			if (n >= lp && strcmp(cur + n - lp, peeled) == 0) {
				pick = cur;
				break;
			}
			if (n >= lv && strcmp(cur + n - lv, g->version) == 0)
				pick = cur;
		}
		free(peeled);
	}
	rev = pick != NULL ? pick : line;
	rev = xstrndup(rev + strspn(rev, " \t\n"), strcspn(rev + strspn(rev, " \t\n"), " \t\n"));
	free(line);
	git_out_fini(&o);
	return rev;
}

static int git_clone(struct git *g)
{
	char *argv[GIT_MAX_ARGS + 1], depth[24], *dir = fileutil_dirname(g->dest);
	struct git_out o;
	size_t n = 0;
	int okb = 1, okt = 1, branch_or_tag = 0, r = -1;

	fileutil_makedirs(dir);
	argv[n++] = g->git;
	argv[n++] = "clone";
	if (g->bare) {
		argv[n++] = "--bare";
	} else {
		argv[n++] = "--origin";
		argv[n++] = (char *)g->remote;
	}
	/* Asked before every clone, as Ansible does: a repository that
	 * cannot be read fails here, with ls-remote's message. */
	branch_or_tag = git_is_remote(g, g->repo, "-h", &okb) || (okb && git_is_remote(g, g->repo, "-t", &okt));
	if (!okb || !okt)
		goto out;
	snprintf(depth, sizeof(depth), "%ld", g->depth);
	if (g->depth > 0) {
		if (strcmp(g->version, "HEAD") == 0 || g->refspec != NULL || branch_or_tag) {
			argv[n++] = "--depth";
			argv[n++] = depth;
			if (strcmp(g->version, "HEAD") != 0 && g->refspec == NULL) {
				argv[n++] = "--branch";
				argv[n++] = (char *)g->version;
			}
		} else {
			value_list_push(value_map_get(g->res, "warnings"),
			                value_str("Ignoring depth argument. Shallow clones are only available for HEAD, "
			                          "branches, tags or in combination with refspec."));
		}
	}
	if (value_get_str(g->params, "reference", NULL) != NULL) {
		argv[n++] = "--reference";
		argv[n++] = (char *)value_get_str(g->params, "reference", NULL);
	}
	if (value_get_bool(g->params, "single_branch", 0)) {
		argv[n++] = "--single-branch";
		if (branch_or_tag) {
			argv[n++] = "--branch";
			argv[n++] = (char *)g->version;
		}
	}
	argv[n++] = g->repo;
	argv[n++] = g->dest;
	argv[n] = NULL;
	if (git_run(g, argv, dir, &o) != 0 || o.rc != 0) {
		git_fail_cmd(g, argv, &o);
		git_out_fini(&o);
		goto out;
	}
	git_out_fini(&o);
	if (g->bare && strcmp(g->remote, "origin") != 0 &&
	    git_must(g, g->dest, NULL, "remote", "add", g->remote, g->repo, (char *)NULL) != 0)
		goto out;
	if (g->refspec != NULL &&
	    (g->depth > 0 ? git_must(g, g->dest, NULL, "fetch", "--depth", depth, g->remote, g->refspec, (char *)NULL)
	                  : git_must(g, g->dest, NULL, "fetch", g->remote, g->refspec, (char *)NULL)) != 0)
		goto out;
	r = 0;
out:
	free(dir);
	return r;
}

/* get_remote_url: ls-remote --get-url, or NULL. */
static char *git_remote_url(struct git *g)
{
	struct git_out o;
	char *url = NULL;

	if (git_try(g, g->dest, &o, "ls-remote", "--get-url", g->remote, (char *)NULL) == 0)
		url = git_line(&o);
	git_out_fini(&o);
	return url;
}

/* unfrackgitpath: a URL or path compared without a trailing slash and
 * with "." and ".." resolved. */
static int git_same_url(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

/* set_remote_url: returns 1 when the URL was changed, 0 when not, -1 on
 * failure. */
static int git_set_remote_url(struct git *g)
{
	char *url = git_remote_url(g);
	char *argv[] = {g->git, "remote", "set-url", (char *)g->remote, g->repo, NULL};
	struct git_out o;
	int r;

	if (url != NULL && (strcmp(url, g->repo) == 0 || git_same_url(url, g->repo))) {
		free(url);
		return 0;
	}
	if (git_run(g, argv, g->dest, &o) != 0 || o.rc != 0) {
		git_fail_reset(g);
		module_fail(g->res, "Failed to set a new url %s for %s: %s %s", g->repo, g->remote, buf_str(&o.out),
		            buf_str(&o.err));
		g->failed = 1;
		git_out_fini(&o);
		free(url);
		return -1;
	}
	git_out_fini(&o);
	r = url != NULL;
	free(url);
	return r;
}

static int git_fetch(struct git *g)
{
	char *argv[GIT_MAX_ARGS + 1], depth[24], *head = NULL, *r1 = NULL, *r2 = NULL;
	struct git_out o;
	size_t n = 0, nrefs = 0;
	int okb = 1, okt = 1, r = -1;

	if (git_set_remote_url(g) < 0)
		return -1;
	argv[n++] = g->git;
	argv[n++] = "fetch";
	snprintf(depth, sizeof(depth), "%ld", g->depth);
	if (g->depth > 0) {
		if ((head = git_head_branch(g)) == NULL)
			return -1;
		if (g->refspec != NULL) {
			r1 = xstrdup(g->refspec);
		} else if (strcmp(g->version, "HEAD") == 0) {
			r1 = xstrdup(head);
		} else if (git_is_remote(g, g->repo, "-h", &okb)) {
			if (strcmp(head, g->version) != 0)
				r1 = xasprintf("+refs/heads/%s:refs/heads/%s", g->version, g->version);
			r2 = xasprintf("+refs/heads/%s:refs/remotes/%s/%s", g->version, g->remote, g->version);
		} else if (okb && git_is_remote(g, g->repo, "-t", &okt)) {
			r1 = xasprintf("+refs/tags/%s:refs/tags/%s", g->version, g->version);
		}
		if (!okb || !okt)
			goto out;
		if (r1 != NULL || r2 != NULL) {
			argv[n++] = "--depth";
			argv[n++] = depth;
		}
	}
	if (g->depth == 0 || (r1 == NULL && r2 == NULL)) {
		if (!g->bare)
			argv[n++] = "--tags";
	}
	if (g->force)
		argv[n++] = "--force";
	argv[n++] = (char *)g->remote;
	nrefs = n;
	if (r1 != NULL)
		argv[n++] = r1;
	if (r2 != NULL)
		argv[n++] = r2;
	if ((g->depth == 0 || nrefs == n) && g->bare) {
		argv[n++] = "+refs/heads/*:refs/heads/*";
		argv[n++] = "+refs/tags/*:refs/tags/*";
	}
	if ((g->depth == 0 || r1 == NULL) && g->refspec != NULL)
		argv[n++] = (char *)g->refspec;
	argv[n] = NULL;
	if (git_run(g, argv, g->dest, &o) != 0 || o.rc != 0) {
		git_fail_reset(g);
		module_fail(g->res, "Failed to download remote objects and refs: %s %s", buf_str(&o.out),
		            buf_str(&o.err));
		value_map_set(g->res, "cmd", git_cmd_str(argv));
		g->failed = 1;
		git_out_fini(&o);
		goto out;
	}
	git_out_fini(&o);
	r = 0;
out:
	free(head);
	free(r1);
	free(r2);
	return r;
}

/* Whether branch is among `git branch -a`'s (as a local branch). */
static int git_is_local_branch(struct git *g, const char *branch)
{
	struct git_out o;
	const char *p, *end;
	size_t bl = strlen(branch);
	int found = 0;

	git_try(g, g->dest, &o, "branch", "--no-color", "-a", (char *)NULL);
	for (p = buf_str(&o.out); *p != '\0' && !found; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p >= 2 && p[0] == '*' && p[1] == ' ')
			p += 2;
		found = (size_t)(end - p) == bl && memcmp(p, branch, bl) == 0;
	}
	git_out_fini(&o);
	return found;
}

static int git_checkout_or_fail(struct git *g, const char *what, char *const *argv)
{
	struct git_out o;

	if (git_run(g, argv, g->dest, &o) != 0 || o.rc != 0) {
		git_fail_reset(g);
		module_fail(g->res, "Failed to checkout %s", what);
		value_map_set(g->res, "stdout", value_strn(buf_ptr(&o.out), buf_avail(&o.out)));
		value_map_set(g->res, "stderr", value_strn(buf_ptr(&o.err), buf_avail(&o.err)));
		value_map_set(g->res, "rc", value_int(o.rc));
		g->failed = 1;
		git_out_fini(&o);
		return -1;
	}
	git_out_fini(&o);
	return 0;
}

static int git_switch_version(struct git *g)
{
	char *branch = NULL, *track = NULL, *what = NULL;
	int okb = 1, r = -1;

	if (strcmp(g->version, "HEAD") == 0) {
		if ((branch = git_head_branch(g)) == NULL)
			return -1;
		track = xasprintf("%s/%s", g->remote, branch);
		what = xasprintf("branch %s", branch);
		char *co[] = {g->git, "checkout", "--force", branch, NULL};
		char *rs[] = {g->git, "reset", "--hard", track, "--", NULL};

		r = git_checkout_or_fail(g, what, co) == 0 && git_checkout_or_fail(g, what, rs) == 0 ? 0 : -1;
	} else if (git_is_remote(g, g->remote, "-h", &okb)) {
		track = xasprintf("%s/%s", g->remote, g->version);
		if (!git_is_local_branch(g, g->version)) {
			char *co[] = {g->git, "checkout", "--track", "-b", (char *)g->version, track, NULL};

			r = git_checkout_or_fail(g, g->version, co);
		} else {
			char *co[] = {g->git, "checkout", "--force", (char *)g->version, NULL};
			char *rs[] = {g->git, "reset", "--hard", track, NULL};

			what = xasprintf("branch %s", g->version);
			r = git_checkout_or_fail(g, what, co) == 0 && git_checkout_or_fail(g, g->version, rs) == 0 ? 0 : -1;
		}
	} else if (okb) {
		char *co[] = {g->git, "checkout", "--force", (char *)g->version, NULL};

		r = git_checkout_or_fail(g, g->version, co);
	}
	free(branch);
	free(track);
	free(what);
	return r;
}

/* has_local_mods: tracked files changed (untracked ones do not count). */
static int git_local_mods(struct git *g)
{
	struct git_out o;
	const char *p, *end;
	int mods = 0;

	if (g->bare)
		return 0;
	git_try(g, g->dest, &o, "status", "--porcelain", (char *)NULL);
	for (p = buf_str(&o.out); *p != '\0'; p = *end ? end + 1 : end) {
		end = p + strcspn(p, "\n");
		if (end > p && !(p[0] == '?' && p[1] == '?'))
			mods = 1;
	}
	git_out_fini(&o);
	return mods;
}

/* get_diff's "prepared" text between before and after. */
static void git_diff(struct git *g, const char *before, const char *after)
{
	struct value *d = value_map();
	struct git_out o;
	char *keep = (char *)g->version;

	if (before == NULL) {
		value_map_set(d, "prepared", value_strf(">> Newly checked out %s", after));
	} else if (strcmp(before, after) != 0) {
		g->version = after;
		git_fetch(g);
		g->version = keep;
		git_try(g, g->dest, &o, "diff", (char *)before, (char *)after, (char *)NULL);
		if (o.rc == 0 && buf_avail(&o.out) > 0)
			value_map_set(d, "prepared", value_strn(buf_ptr(&o.out), buf_avail(&o.out)));
		else if (o.rc == 0)
			value_map_set(d, "prepared", value_strf(">> No visual differences between %s and %s", before, after));
		else
			value_map_set(d, "prepared", value_strf(">> Failed to get proper diff between %s and %s:\n>> %s",
			                                        before, after, buf_str(&o.err)));
		git_out_fini(&o);
	}
	if (value_len(d) > 0)
		value_map_set(g->res, "diff", d);
	else
		value_unref(d);
}

/* The environment for git: the worker's with the C locale (Ansible picks
 * a parsable locale) and, for ssh options, GIT_SSH_COMMAND. */
static char **git_env(const struct module_ctx *ctx, const char *ssh)
{
	char *cmd = ssh != NULL ? xasprintf("GIT_SSH_COMMAND=ssh %s", ssh) : NULL;
	const char *set[] = {"LANG=C", "LC_ALL=C", "LC_MESSAGES=C", "LC_CTYPE=C", cmd, NULL};
	char **env = runcmd_env_with(ctx->envp, set);

	free(cmd);
	return env;
}

/* ssh_opts with accept_hostkey and key_file folded in, or NULL. */
static char *git_ssh_opts(const struct value *params)
{
	const char *opts = value_get_str(params, "ssh_opts", NULL), *key = value_get_str(params, "key_file", NULL);
	const char *add = value_get_bool(params, "accept_hostkey", 0)      ? "-o StrictHostKeyChecking=no"
	                  : value_get_bool(params, "accept_newhostkey", 0) ? "-o StrictHostKeyChecking=accept-new"
	                                                                   : NULL;
	struct buf b;

	if (opts == NULL && add == NULL && key == NULL)
		return NULL;
	buf_init(&b, 0);
	if (opts != NULL)
		buf_puts(&b, opts);
	if (add != NULL && (opts == NULL || (strstr(opts, "-o StrictHostKeyChecking=no") == NULL &&
	                                     strstr(opts, "-o StrictHostKeyChecking=accept-new") == NULL)))
		buf_printf(&b, "%s%s", buf_avail(&b) ? " " : "", add);
	if (key != NULL) {
		buf_printf(&b, "%s-i ", buf_avail(&b) ? " " : "");
		shlex_quote(&b, key, strlen(key));
		buf_puts(&b, " -o IdentitiesOnly=yes");
	}
	return buf_take(&b, NULL);
}

/* The existing-repository path: update, or only report. */
static void git_existing(struct git *g, int update)
{
	char *before = git_version_of(g, "HEAD"), *after = NULL, *remote_head = NULL, *url;
	int local_mods = 0, url_changed = 0;

	value_map_set(g->res, "before", value_str(before));
	if (!update) {
		value_map_set(g->res, "after", value_str(before));
		goto out;
	}
	local_mods = git_local_mods(g);
	if (local_mods) {
		if (!g->force) {
			module_fail(g->res, "Local modifications exist in the destination: %s (force=no).", g->dest);
			goto out;
		}
		if (!g->check) {
			if (git_must(g, g->dest, NULL, "reset", "--hard", "HEAD", (char *)NULL) != 0)
				goto out;
			value_map_set(g->res, "changed", value_bool(1));
			value_map_set(g->res, "msg", value_strf("Local modifications exist in the destination: %s", g->dest));
		}
	}
	if (g->check) {
		url = git_remote_url(g);
		url_changed = url != NULL && strcmp(url, g->repo) != 0 && !git_same_url(url, g->repo);
		free(url);
		value_map_set(g->res, "remote_url_changed", value_bool(url_changed));
		if ((remote_head = git_remote_head(g, g->remote)) == NULL)
			goto out;
		value_map_set(g->res, "changed", value_bool(strcmp(before, remote_head) != 0 || url_changed));
		value_map_set(g->res, "after", value_str(remote_head));
		if (g->ctx->diff)
			git_diff(g, before, remote_head);
		goto out;
	}
	if ((url_changed = git_set_remote_url(g)) < 0)
		goto out;
	value_map_set(g->res, "remote_url_changed", value_bool(url_changed));
	if (git_fetch(g) != 0)
		goto out;
	if (!g->bare && git_switch_version(g) != 0)
		goto out;
	after = git_version_of(g, "HEAD");
	value_map_set(g->res, "after", value_str(after));
	if (strcmp(before, after) != 0 || local_mods || url_changed) {
		value_map_set(g->res, "changed", value_bool(1));
		if (g->ctx->diff)
			git_diff(g, before, after);
	}
out:
	free(before);
	free(after);
	free(remote_head);
}

static void git_do(struct git *g)
{
	char *gitconfig = NULL, *head = NULL, *after = NULL;
	int clone = value_get_bool(g->params, "clone", 1);

	value_map_set(g->res, "before", value_null());
	if (g->dest != NULL)
		gitconfig = fileutil_join(g->bare ? g->dest : (head = fileutil_join(g->dest, ".git")), "config");
	free(head);
	head = NULL;
	if ((g->dest != NULL && !fileutil_exists(gitconfig)) || (g->dest == NULL && !clone)) {
		if (g->check || !clone) {
			if ((head = git_remote_head(g, g->repo)) == NULL)
				goto out;
			value_map_set(g->res, "changed", value_bool(1));
			value_map_set(g->res, "after", value_str(head));
			if (g->ctx->diff)
				git_diff(g, NULL, head);
			goto out;
		}
		if (git_clone(g) != 0 || (!g->bare && git_switch_version(g) != 0))
			goto out;
		after = git_version_of(g, "HEAD");
		value_map_set(g->res, "after", value_str(after));
		value_map_set(g->res, "changed", value_bool(1));
		if (g->ctx->diff)
			git_diff(g, NULL, after);
		goto out;
	}
	git_existing(g, value_get_bool(g->params, "update", 1));
out:
	free(gitconfig);
	free(head);
	free(after);
}

static struct value *git_fn(const struct module_ctx *ctx, struct value *params, struct value *warnings)
{
	const char *repo, *dest, *exe;
	char *ssh = NULL, *abs;
	struct git g;

	(void)warnings;
	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.params = params;
	g.res = value_map();
	value_map_set(g.res, "changed", value_bool(0));
	value_map_set(g.res, "warnings", value_list());
	g.version = value_get_str(params, "version", "HEAD");
	g.remote = value_get_str(params, "remote", "origin");
	g.refspec = value_get_str(params, "refspec", NULL);
	g.depth = (long)value_get_int(params, "depth", 0);
	g.bare = value_get_bool(params, "bare", 0);
	g.force = value_get_bool(params, "force", 0);
	g.check = ctx->check;
	repo = value_get_str(params, "repo", "");
	g.repo = repo[0] == '/' ? xasprintf("file://%s", repo) : xstrdup(repo);
	dest = value_get_str(params, "dest", NULL);
	if (dest == NULL && value_get_bool(params, "clone", 1)) {
		module_fail(g.res, "the destination directory must be specified unless clone=no");
		goto out;
	}
	if (dest != NULL) {
		abs = dest[0] == '/' ? xstrdup(dest) : fileutil_join(getenv("PWD") != NULL ? getenv("PWD") : "/", dest);
		g.dest = fileutil_realpath(abs);
		free(abs);
	}
	exe = value_get_str(params, "executable", NULL);
	g.git = exe != NULL ? xstrdup(exe) : fileutil_bin_path(ctx, "git");
	if (g.git == NULL) {
		module_fail(g.res, "Failed to find required executable \"git\" in paths: %s",
		            pyfmt_getenv(ctx->envp, "PATH") != NULL ? pyfmt_getenv(ctx->envp, "PATH") : "");
		goto out;
	}
	ssh = git_ssh_opts(params);
	g.envp = git_env(ctx, ssh);
	git_do(&g);
out:
	runcmd_env_free(g.envp);
	free(ssh);
	free(g.git);
	free(g.repo);
	free(g.dest);
	return g.res;
}

static const struct module_main git_module = {
	"ansible.legacy.git", git_spec, GIT_NSPEC, git_exclusive, 0, NULL, git_fn,
};

MODULE_DEFINE(git, git_run_module, MODULE_CHECK_MODE)
struct value *git_run_module(const struct module_ctx *ctx)
{
	return module_main(ctx, &git_module);
}
