/* copy, as Ansible 2.14's action plugin and module together, since the
 * worker answers a task with one reply. The new contents come inline:
 * "content" (text from the task), or "_content_b" (the bytes of a file the
 * controller read from its own disk; doc/PROTOCOL.worker). They are
 * compared by SHA-1 checksum with the destination and written only when
 * they differ, atomically (fileutil_write_atomic); an unchanged file still
 * gets its attributes through the file module, as Ansible's action plugin
 * does. remote_src copies a file or a directory tree already on the host,
 * as the module does. Results, messages and diffs are Ansible's. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/upload.h"

/* Ansible's MAX_FILE_SIZE_FOR_DIFF default. */
#define COPY_MAX_DIFF 104448

static const struct module_argspec copy_spec[] = {
	{"src", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"_original_basename", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"content", MODULE_ARG_RAW, NULL, NULL, NULL, MODULE_ARG_NO_LOG},
	{"_content_b", MODULE_ARG_RAW, NULL, NULL, NULL, MODULE_ARG_NO_LOG},
	{"_checksum", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"_size", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"_upload", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"force", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"validate", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"directory_mode", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"remote_src", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"local_follow", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"checksum", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"follow", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"decrypt", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define COPY_NSPEC (sizeof(copy_spec) / sizeof(copy_spec[0]))

/* The file module's arguments the action plugin passes on (REAL_FILE_ARGS). */
static const char *const copy_file_args[] = {
	"mode", "owner", "group", "seuser", "serole", "selevel", "setype", "attributes", "unsafe_writes",
	"state", "path", "_original_basename", "recurse", "force", "_diff_peek", "src",
};

/* filecmp.dircmp's default ignore list. */
static const char *const copy_ignored[] = {"RCS", "CVS", "tags", ".git", ".hg", ".bzr", "_darcs", "__pycache__"};

struct copy {
	const struct module_ctx *ctx;
	struct value *params;   /* owned */
	struct value *warnings; /* owned */
	struct fileattr fa;     /* borrows from params */
	const char *data;       /* inline contents; NULL with remote_src or streamed */
	size_t len;
	const char *sum;        /* SHA-1 of streamed contents, from the controller */
	struct upload_file up;  /* owned: the streamed contents, once uploaded (fd -1 before) */
	char *text;             /* owned; content converted to text, when it was not a str */
	int local_follow;       /* -1 when not given (Ansible's None) */
	int action_only;        /* the result is the action plugin's own: no path info */
};

static const char *copy_param(const struct copy *c, const char *key)
{
	const struct value *v = value_map_get(c->params, key);

	return v != NULL && v->type == VALUE_STR ? v->u.s.ptr : NULL;
}

static struct value *copy_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static struct value *copy_failure(const char *fmt, ...)
{
	struct value *f;
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	f = module_fail(value_map(), "%s", msg);
	free(msg);
	return f;
}

/* --- remote directory trees --- */

/* Reads until n bytes or end of file. Returns the count or -1. */
static ssize_t copy_read_full(int fd, char *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, p + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* shutil.copyfile: contents only, following links at both ends. */
static int copy_file_bytes(const char *src, const char *dst)
{
	char chunk[65536];
	int in, out, r = 0;
	ssize_t n;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if ((out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		r = -errno;
		close(in);
		return r;
	}
	while (r == 0 && (n = copy_read_full(in, chunk, sizeof(chunk))) != 0)
		r = n < 0 ? -errno : fd_write_all(out, chunk, (size_t)n);
	close(in);
	if (close(out) != 0 && r == 0)
		r = -errno;
	return r;
}

/* shutil.copymode / copystat: the mode (and times) of src onto dst. */
static void copy_meta(const char *src, const char *dst, int times)
{
	struct timespec ts[2];
	struct stat st;

	if (stat(src, &st) != 0)
		return;
	if (times) {
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		utimensat(AT_FDCWD, dst, ts, 0);
	}
	chmod(dst, st.st_mode & 07777);
}

/* shutil.copytree(src, dst, symlinks): dst must not exist. */
static int copy_tree(const char *src, const char *dst, int symlinks, int depth)
{
	struct value *names;
	char *s, *d, link[4096];
	ssize_t n;
	size_t i;
	int r = 0;

	if (depth > 256)
		return -ELOOP;
	if ((names = fileutil_listdir(src)) == NULL)
		return -errno;
	if (mkdir(dst, 0777) != 0 && !(errno == EEXIST && depth > 0)) {
		r = -errno;
		value_unref(names);
		return r;
	}
	for (i = 0; i < value_len(names) && r == 0; i++) {
		s = fileutil_join(src, value_cstr(value_list_at(names, i)));
		d = fileutil_join(dst, value_cstr(value_list_at(names, i)));
		if (symlinks && fileutil_islink(s)) {
			if ((n = readlink(s, link, sizeof(link) - 1)) < 0 || (link[n] = '\0', symlink(link, d)) != 0)
				r = -errno;
		} else if (fileutil_isdir(s)) {
			r = copy_tree(s, d, symlinks, depth + 1);
		} else if ((r = copy_file_bytes(s, d)) == 0) {
			copy_meta(s, d, 1);
		}
		free(s);
		free(d);
	}
	value_unref(names);
	if (r == 0)
		copy_meta(src, dst, 1);
	return r;
}

/* set_owner_if_different / set_group_if_different for the tree helpers. */
static int copy_owner_group(struct copy *c, const char *path, int *changedp, struct value **failp)
{
	struct fileattr og = {NULL, c->fa.owner, c->fa.group, NULL};

	return fileattr_apply(c->ctx, &og, path, changedp, NULL, failp);
}

struct copy_chown {
	struct copy *c;
	int changed;
	struct value *fail;
};

static int copy_chown_one(const char *root, struct value *dirs, struct value *files, void *arg)
{
	struct copy_chown *cc = arg;
	struct value *lists[2] = {dirs, files};
	char *path;
	size_t k, i;
	int r;

	if (copy_owner_group(cc->c, root, &cc->changed, &cc->fail) != 0)
		return ERR_INVAL;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < value_len(lists[k]); i++) {
			path = fileutil_join(root, value_cstr(value_list_at(lists[k], i)));
			r = copy_owner_group(cc->c, path, &cc->changed, &cc->fail);
			free(path);
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* chown_recursive. */
static int copy_chown_recursive(struct copy *c, const char *path, int *changedp, struct value **failp)
{
	struct copy_chown cc = {c, 0, NULL};
	char *errpath = NULL;
	int r;

	if (c->fa.owner == NULL && c->fa.group == NULL)
		return 0;
	r = fileutil_walk(path, 0, 0, copy_chown_one, &cc, &errpath);
	free(errpath);
	if (cc.changed)
		*changedp = 1;
	*failp = cc.fail;
	return r;
}

static int copy_is_ignored(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(copy_ignored) / sizeof(copy_ignored[0]); i++)
		if (strcmp(name, copy_ignored[i]) == 0)
			return 1;
	return 0;
}

static int copy_cmp_names(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

/* Do two files differ (filecmp.cmp, shallow: same type, size and mtime
 * count as equal without reading)? */
static int copy_files_differ(const char *a, const char *b)
{
	char ca[16384], cb[16384];
	struct stat sa, sb;
	ssize_t na, nb;
	int fa = -1, fb = -1, differ = 1;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 1;
	if ((sa.st_mode & S_IFMT) == (sb.st_mode & S_IFMT) && sa.st_size == sb.st_size &&
	    sa.st_mtim.tv_sec == sb.st_mtim.tv_sec && sa.st_mtim.tv_nsec == sb.st_mtim.tv_nsec)
		return 0;
	if (sa.st_size != sb.st_size || (fa = open(a, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (fb = open(b, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	for (;;) {
		na = copy_read_full(fa, ca, sizeof(ca));
		nb = copy_read_full(fb, cb, sizeof(cb));
		if (na < 0 || na != nb || memcmp(ca, cb, (size_t)na) != 0)
			goto out;
		if (na == 0)
			break;
	}
	differ = 0;
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return differ;
}

/* filecmp.dircmp(src, dst): the sorted names only in src, in both as
 * directories, and in both as files that differ. */
static void copy_dircmp(const char *src, const char *dst, struct value *left_only, struct value *common_dirs,
                        struct value *diff_files)
{
	struct value *left = fileutil_listdir(src), *right = fileutil_listdir(dst);
	const char *name;
	char *a, *b;
	size_t i, j;
	int in_right, da, db;

	if (left == NULL || right == NULL) {
		value_unref(left);
		value_unref(right);
		return;
	}
	qsort(left->u.l.items, left->u.l.len, sizeof(left->u.l.items[0]), copy_cmp_names);
	for (i = 0; i < value_len(left); i++) {
		name = value_cstr(value_list_at(left, i));
		if (copy_is_ignored(name))
			continue;
		for (in_right = 0, j = 0; j < value_len(right) && !in_right; j++)
			in_right = strcmp(name, value_cstr(value_list_at(right, j))) == 0;
		if (!in_right) {
			value_list_push(left_only, value_str(name));
			continue;
		}
		a = fileutil_join(src, name);
		b = fileutil_join(dst, name);
		da = fileutil_isdir(a);
		db = fileutil_isdir(b);
		if (da && db)
			value_list_push(common_dirs, value_str(name));
		else if (!da && !db && fileutil_isfile(a) && fileutil_isfile(b) && copy_files_differ(a, b))
			value_list_push(diff_files, value_str(name));
		free(a);
		free(b);
	}
	value_unref(left);
	value_unref(right);
}

static int copy_symlink_like(const char *src, const char *dst)
{
	char link[4096];
	ssize_t n = readlink(src, link, sizeof(link) - 1);

	if (n < 0)
		return -errno;
	link[n] = '\0';
	return symlink(link, dst) == 0 ? 0 : -errno;
}

static int copy_tree_error(int r, const char *path, struct value **failp)
{
	char *e = fileutil_oserror(-r, path);

	*failp = copy_failure("failed to copy: %s", e);
	free(e);
	return ERR_INVAL;
}

/* copy_diff_files then copy_left_only, for one directory pair. */
static int copy_level(struct copy *c, const char *src, const char *dst, int *changedp, struct value **failp)
{
	struct value *left_only = value_list(), *common = value_list(), *diff = value_list();
	char *s, *d;
	size_t i;
	int r = 0, sl, sd, sf;

	copy_dircmp(src, dst, left_only, common, diff);
	if (value_len(diff) > 0 || value_len(left_only) > 0)
		*changedp = 1;
	for (i = 0; i < value_len(diff) && r == 0 && !c->ctx->check; i++) {
		s = fileutil_join(src, value_cstr(value_list_at(diff, i)));
		d = fileutil_join(dst, value_cstr(value_list_at(diff, i)));
		if (fileutil_islink(s) && c->local_follow == 0)
			r = copy_symlink_like(s, d);
		else if ((r = copy_file_bytes(s, d)) == 0)
			copy_meta(s, d, 0);
		r = r != 0 ? copy_tree_error(r, d, failp) : copy_owner_group(c, d, changedp, failp);
		free(s);
		free(d);
	}
	for (i = 0; i < value_len(left_only) && r == 0 && !c->ctx->check; i++) {
		s = fileutil_join(src, value_cstr(value_list_at(left_only, i)));
		d = fileutil_join(dst, value_cstr(value_list_at(left_only, i)));
		sl = fileutil_islink(s);
		sd = fileutil_isdir(s);
		sf = fileutil_isfile(s);
		if (sl && (sd || sf) && c->local_follow == 0) {
			r = copy_symlink_like(s, d);
		} else if (sl && sd && c->local_follow == 1) {
			if ((r = copy_tree(s, d, 0, 0)) == 0)
				r = copy_chown_recursive(c, d, changedp, failp) != 0 ? ERR_INVAL : 0;
		} else if ((sl && sf && c->local_follow == 1) || (!sl && sf)) {
			if ((r = copy_file_bytes(s, d)) == 0) {
				if (!sl)
					copy_meta(s, d, 0);
				r = copy_owner_group(c, d, changedp, failp);
			}
		} else if (!sl && sd) {
			if ((r = copy_tree(s, d, c->local_follow != 1, 0)) == 0)
				r = copy_chown_recursive(c, d, changedp, failp) != 0 ? ERR_INVAL : 0;
		}
		if (r != 0 && r != ERR_INVAL)
			r = copy_tree_error(r, d, failp);
		free(s);
		free(d);
	}
	value_unref(left_only);
	value_unref(common);
	value_unref(diff);
	return r;
}

/* copy_common_dirs: each directory in both, then a level deeper. Ansible
 * writes "changed = changed or copy_common_dirs(...)", so once something
 * at a level has changed the deeper levels wait for the next run; kept,
 * for the same results run after run. */
static int copy_common(struct copy *c, const char *src, const char *dst, int *changedp, struct value **failp)
{
	struct value *left_only = value_list(), *common = value_list(), *diff = value_list();
	char *s, *d;
	size_t i;
	int r = 0, changed = 0, level;

	copy_dircmp(src, dst, left_only, common, diff);
	for (i = 0; i < value_len(common) && r == 0; i++) {
		s = fileutil_join(src, value_cstr(value_list_at(common, i)));
		d = fileutil_join(dst, value_cstr(value_list_at(common, i)));
		level = 0;
		r = copy_level(c, s, d, &level, failp);
		changed |= level;
		if (r == 0 && !changed)
			r = copy_common(c, s, d, &changed, failp);
		free(s);
		free(d);
	}
	if (changed)
		*changedp = 1;
	value_unref(left_only);
	value_unref(common);
	value_unref(diff);
	return r;
}

/* The three steps Ansible runs on a pair of trees. */
static int copy_sync(struct copy *c, const char *src, const char *dst, int *changedp, struct value **failp)
{
	int r;

	if ((r = copy_level(c, src, dst, changedp, failp)) != 0 || (r = copy_common(c, src, dst, changedp, failp)) != 0)
		return r;
	return copy_chown_recursive(c, dst, changedp, failp);
}

/* The four directory cases of the copy module (checksums of both None). */
static int copy_remote_dirs(struct copy *c, const char *src, const char *dest_param, const char *dest, int *changedp,
                            struct value **failp)
{
	size_t slen = strlen(src);
	int src_slash = slen > 0 && src[slen - 1] == '/', r = 0;
	char *base, *b_dest, *b_src;

	base = fileutil_basename(src);
	b_dest = fileutil_join(dest_param, base);
	b_src = fileutil_join(src, "");
	if (src_slash && fileutil_isdir(dest_param)) {
		r = copy_sync(c, src, dest_param, changedp, failp);
	} else if (src_slash && !fileutil_exists(dest_param)) {
		if (!c->ctx->check && (r = copy_tree(b_src, b_dest, c->local_follow != 1, 0)) != 0)
			r = copy_tree_error(r, b_dest, failp);
		if (r == 0)
			r = copy_chown_recursive(c, dest, changedp, failp);
		*changedp = 1;
	} else if (!src_slash && fileutil_isdir(dest_param)) {
		if (!c->ctx->check && !fileutil_exists(b_dest)) {
			if ((r = copy_tree(b_src, b_dest, c->local_follow != 1, 0)) != 0)
				r = copy_tree_error(r, b_dest, failp);
			*changedp = 1;
			if (r == 0)
				r = copy_chown_recursive(c, dest, changedp, failp);
		}
		if (c->ctx->check && !fileutil_exists(b_dest))
			*changedp = 1;
		if (r == 0 && fileutil_exists(b_dest))
			r = copy_sync(c, b_src, b_dest, changedp, failp);
	} else if (!src_slash && !fileutil_exists(dest_param)) {
		if (!c->ctx->check && !fileutil_exists(b_dest)) {
			if (mkdir(dest_param, 0777) != 0 || mkdir(b_dest, 0777) != 0)
				r = copy_tree_error(-errno, b_dest, failp);
			if (r == 0)
				r = copy_sync(c, b_src, b_dest, changedp, failp);
		}
		if (c->ctx->check && !fileutil_exists(b_dest))
			*changedp = 1;
	}
	free(base);
	free(b_dest);
	free(b_src);
	return r != 0 ? ERR_INVAL : 0;
}

/* --- the module --- */

/* mode=preserve: the mode of the source ("0%03o"), in the params too. */
static void copy_mode_preserve(struct copy *c, const char *src)
{
	struct stat st;

	if (c->fa.mode == NULL || c->fa.mode->type != VALUE_STR || strcmp(c->fa.mode->u.s.ptr, "preserve") != 0 ||
	    stat(src, &st) != 0)
		return;
	value_map_set(c->params, "mode", fileutil_mode_str(st.st_mode & 07777));
	c->fa.mode = value_map_get(c->params, "mode");
}

/* split_pre_existing_dir + makedirs + adjust_recursive_directory_permissions
 * for a destination ending in '/'. Returns 0, 1 when check mode ends the
 * task (*resp set), or ERR_INVAL (*resp the failure). */
static int copy_make_dirs(struct copy *c, const char *dirname, const char *src, struct value **resp)
{
	struct fileattr dirattr = c->fa;
	const struct value *dm = value_map_get(c->params, "directory_mode");
	char *cur, *part, *e;
	size_t n, i;
	int changed = 0;

	*resp = NULL;
	if (c->ctx->check) {
		*resp = value_map();
		value_map_set(*resp, "msg", value_strf("dest directory %s would be created", dirname));
		value_map_set(*resp, "changed", value_bool(1));
		value_map_set(*resp, "src", src != NULL ? value_str(src) : value_null());
		return 1;
	}
	dirattr.mode = dm != NULL && dm->type != VALUE_NULL ? dm : NULL;
	n = strlen(dirname);
	for (i = 1; i <= n; i++) {
		if (i < n && dirname[i] != '/')
			continue;
		part = xstrndup(dirname, i);
		if (!fileutil_exists(part)) {
			if (mkdir(part, 0777) != 0 && errno != EEXIST) {
				e = fileutil_oserror(errno, part);
				*resp = copy_failure("failed to copy: %s", e);
				free(e);
				free(part);
				return ERR_INVAL;
			}
			cur = part;
			if (fileattr_apply(c->ctx, &dirattr, cur, &changed, NULL, resp) != 0) {
				free(part);
				return ERR_INVAL;
			}
		}
		free(part);
	}
	return 0;
}

/* The copy module's view of one copy. */
struct copy_mod {
	const char *src;                     /* borrowed; NULL for inline contents */
	char *dest;                          /* owned; the file to write, once resolved */
	char sum_src[DIGEST_MAX_HEX + 1];    /* SHA-1 of the new contents */
	char md5_src[DIGEST_MAX_HEX + 1];
	char sum_dest[DIGEST_MAX_HEX + 1];   /* SHA-1 of the destination */
	int have_src_sum, have_dest_sum;
	char *backup;                        /* owned; the backup's name */
};

/* The source: it exists and is readable, its checksums, mode=preserve.
 * Returns NULL or a result that ends the run. */
static struct value *copy_module_source(struct copy *c, struct copy_mod *m)
{
	const char *want = copy_param(c, "checksum");
	struct value *res;

	if (c->data != NULL) {
		digest_hex(DIGEST_SHA1, c->data, c->len, m->sum_src);
		digest_hex(DIGEST_MD5, c->data, c->len, m->md5_src);
		m->have_src_sum = 1;
	} else if (c->up.path != NULL) {
		memcpy(m->sum_src, c->up.sha1, sizeof(m->sum_src));
		memcpy(m->md5_src, c->up.md5, sizeof(m->md5_src));
		m->have_src_sum = 1;
	} else {
		if (!fileutil_exists(m->src))
			return copy_failure("Source %s not found", m->src);
		if (access(m->src, R_OK) != 0)
			return copy_failure("Source %s not readable", m->src);
		copy_mode_preserve(c, m->src);
		if (fileutil_isfile(m->src)) {
			if (digest_file_hex(DIGEST_SHA1, m->src, m->sum_src) == 0 &&
			    digest_file_hex(DIGEST_MD5, m->src, m->md5_src) == 0)
				m->have_src_sum = 1;
			else
				value_list_push(c->warnings, value_str("Unable to calculate src checksum, assuming change"));
		} else if (!fileutil_isdir(m->src)) {
			return copy_failure("Cannot copy invalid source '%s': not a file", m->src);
		}
	}
	if (want != NULL && (!m->have_src_sum || strcmp(m->sum_src, want) != 0)) {
		res = copy_failure("Copied file does not match the expected checksum. Transfer failed.");
		value_map_set(res, "checksum", m->have_src_sum ? value_str(m->sum_src) : value_null());
		value_map_set(res, "expected_checksum", value_str(want));
		return res;
	}
	return NULL;
}

static void copy_set_dest(struct copy_mod *m, char *dest)
{
	free(m->dest);
	m->dest = dest;
}

/* The destination: a trailing '/' (directories made), a directory (the
 * source's name in it), a followed link, force, and the checks on its
 * directory. Returns NULL or a result that ends the run. */
static struct value *copy_module_dest(struct copy *c, struct copy_mod *m)
{
	const char *given = copy_param(c, "dest"), *base = copy_param(c, "_original_basename"), *slash;
	struct value *res = NULL;
	struct stat st;
	char *dir;

	m->dest = strchr(given, '/') != NULL ? xstrdup(given) : xasprintf("./%s", given);
	if (m->dest[strlen(m->dest) - 1] == '/') {
		if (base != NULL)
			copy_set_dest(m, fileutil_join(m->dest, base));
		dir = fileutil_dirname(m->dest);
		if (!fileutil_exists(dir))
			copy_make_dirs(c, dir, m->src, &res);
		free(dir);
		if (res != NULL)
			return res;
	}
	if (fileutil_isdir(m->dest)) {
		slash = m->src != NULL ? strrchr(m->src, '/') : NULL;
		copy_set_dest(m, fileutil_join(m->dest, base != NULL  ? base
		                                        : slash != NULL ? slash + 1
		                                        : m->src != NULL ? m->src
		                                                         : ""));
	}
	if (fileutil_exists(m->dest)) {
		if (fileutil_islink(m->dest) && value_get_bool(c->params, "follow", 0))
			copy_set_dest(m, fileutil_realpath(m->dest));
		if (!value_get_bool(c->params, "force", 1)) {
			res = value_map();
			value_map_set(res, "msg", value_str("file already exists"));
			value_map_set(res, "src", m->src != NULL ? value_str(m->src) : value_null());
			value_map_set(res, "dest", value_str(m->dest));
			value_map_set(res, "changed", value_bool(0));
			return res;
		}
		if (access(m->dest, R_OK) == 0 && fileutil_isfile(m->dest) &&
		    digest_file_hex(DIGEST_SHA1, m->dest, m->sum_dest) == 0)
			m->have_dest_sum = 1;
	} else {
		dir = fileutil_dirname(m->dest);
		if (!fileutil_exists(dir))
			res = stat(dir, &st) != 0 && errno == EACCES
			              ? copy_failure("Destination directory %s is not accessible", dir)
			              : copy_failure("Destination directory %s does not exist", dir);
		free(dir);
		if (res != NULL)
			return res;
	}
	dir = fileutil_dirname(m->dest);
	if (access(dir, W_OK) != 0 && !value_get_bool(c->params, "unsafe_writes", 0))
		res = copy_failure("Destination %s not writable", dir);
	free(dir);
	return res;
}

/* Backs up and writes the new contents (a file from the host keeps its
 * times, as shutil.copystat gives them). Returns NULL or a failure. */
static struct value *copy_module_write(struct copy *c, struct copy_mod *m, int is_link)
{
	struct value *res = NULL;
	struct fileattr_plan plan;
	struct fileutil_write w;
	struct timespec times[2];
	struct stat st, sst;
	int src_fd = -1;
	char *e;

	if (value_get_bool(c->params, "backup", 0) && fileutil_exists(m->dest) &&
	    fileutil_backup(m->dest, &m->backup, &res) != 0)
		return res;
	/* A link being replaced becomes a new file (Ansible unlinks it
	 * first); a file keeps its owner and mode. */
	if (fileattr_plan(&c->fa, m->dest, !is_link && stat(m->dest, &st) == 0 ? &st : NULL, &plan, NULL, &res) != 0)
		return res;
	memset(&w, 0, sizeof(w));
	w.dest = m->dest;
	w.data = c->data;
	w.len = c->len;
	w.plan = &plan;
	w.validate = copy_param(c, "validate");
	w.style = FILEUTIL_VALIDATE_COPY;
	w.unsafe_writes = value_get_bool(c->params, "unsafe_writes", 0);
	if (c->up.path != NULL) {
		if (lseek(c->up.fd, 0, SEEK_SET) != 0) {
			e = fileutil_oserror(errno, c->up.path);
			res = copy_failure("failed to copy: %s to %s: %s", c->up.path, m->dest, e);
			free(e);
			goto out;
		}
		w.from_fd = 1;
		w.src_fd = c->up.fd;
		w.adopt = c->up.path;
	} else if (c->data == NULL) {
		if ((src_fd = open(m->src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(src_fd, &sst) != 0) {
			e = fileutil_oserror(errno, m->src);
			res = copy_failure("failed to copy: %s to %s: %s", m->src, m->dest, e);
			free(e);
			goto out;
		}
		w.from_fd = 1;
		w.src_fd = src_fd;
		times[0] = sst.st_atim;
		times[1] = sst.st_mtim;
		w.times = times;
	}
	if (fileutil_write_atomic(c->ctx, &w, &res) == 0 && c->up.path != NULL && !fileutil_exists(c->up.path)) {
		/* Renamed into place: it is the destination now. */
		free(c->up.path);
		c->up.path = NULL;
	}
out:
	if (src_fd >= 0)
		close(src_fd);
	return res;
}

/* The copy module proper, for inline contents (c->data) or remote_src. */
static struct value *copy_module(struct copy *c)
{
	struct value *res = NULL, *fail = NULL;
	struct copy_mod m;
	struct fileattr rest;
	int changed = 0, is_link;

	memset(&m, 0, sizeof(m));
	m.src = c->data == NULL && c->sum == NULL ? copy_param(c, "src") : NULL;
	if ((res = copy_module_source(c, &m)) != NULL || (res = copy_module_dest(c, &m)) != NULL)
		goto out;
	is_link = fileutil_islink(m.dest);
	if (m.have_src_sum != m.have_dest_sum || (m.have_src_sum && strcmp(m.sum_src, m.sum_dest) != 0) || is_link) {
		if (!c->ctx->check && (res = copy_module_write(c, &m, is_link)) != NULL)
			goto out;
		changed = 1;
	}
	if (!m.have_src_sum && !m.have_dest_sum && c->data == NULL && fileutil_isdir(m.src) &&
	    copy_remote_dirs(c, m.src, copy_param(c, "dest"), m.dest, &changed, &res) != 0)
		goto out;
	res = value_map();
	value_map_set(res, "dest", value_str(m.dest));
	value_map_set(res, "src", copy_param(c, "src") != NULL ? value_str(copy_param(c, "src")) : value_null());
	value_map_set(res, "md5sum", m.have_src_sum ? value_str(m.md5_src) : value_null());
	value_map_set(res, "checksum", m.have_src_sum ? value_str(m.sum_src) : value_null());
	value_map_set(res, "changed", value_bool(changed));
	if (m.backup != NULL)
		value_map_set(res, "backup_file", value_str(m.backup));
	/* Written files already have owner, group and mode; chattr flags
	 * come once the file is in place. */
	rest = c->fa;
	if (changed && !c->ctx->check && m.have_src_sum)
		rest.mode = NULL, rest.owner = rest.group = NULL;
	if (fileattr_apply(c->ctx, &rest, m.dest, &changed, NULL, &fail) != 0) {
		value_unref(res);
		res = fail;
		goto out;
	}
	value_map_set(res, "changed", value_bool(changed));
out:
	free(m.dest);
	free(m.backup);
	return res;
}

/* --- the action plugin --- */

/* _get_diff_data: the destination as it is (unless missing, binary or
 * large) and the new contents. */
static struct value *copy_diff(const struct copy *c, const char *dest_file, const char *source_name)
{
	struct value *d = value_map();
	char head[8192];
	struct stat st;
	struct buf old;
	ssize_t n = 0;
	int fd;

	if (!fileutil_exists(dest_file)) {
		value_map_set(d, "before", value_str(""));
	} else {
		if ((fd = open(dest_file, O_RDONLY | O_CLOEXEC)) >= 0) {
			n = read(fd, head, sizeof(head));
			close(fd);
		}
		if (n > 0 && memchr(head, '\0', (size_t)n) != NULL) {
			value_map_set(d, "dst_binary", value_int(1));
		} else if (lstat(dest_file, &st) == 0 && st.st_size > COPY_MAX_DIFF) {
			value_map_set(d, "dst_larger", value_int(COPY_MAX_DIFF));
		} else if (fileutil_read(dest_file, COPY_MAX_DIFF + 1, &old) == 0) {
			value_map_set(d, "before_header", value_str(dest_file));
			value_map_set(d, "before", value_strn(buf_ptr(&old), buf_avail(&old)));
			buf_fini(&old);
		} else {
			buf_fini(&old);
		}
	}
	if (c->len > COPY_MAX_DIFF || c->data == NULL) {
		value_map_set(d, "src_larger", value_int(COPY_MAX_DIFF));
	} else if (memchr(c->data, '\0', c->len) != NULL) {
		value_map_set(d, "src_binary", value_int(1));
	} else {
		value_map_set(d, "after_header", value_str(source_name));
		value_map_set(d, "after", value_strn(c->data, c->len));
	}
	return d;
}

/* The checksums match: Ansible runs the file module for the attributes. */
static struct value *copy_by_file_module(struct copy *c, const char *dest, const char *sum)
{
	struct module_ctx sub = *c->ctx;
	struct value *args = value_map(), *res;
	const struct value *v;
	size_t i;

	for (i = 0; i < sizeof(copy_file_args) / sizeof(copy_file_args[0]); i++)
		if ((v = value_map_get(c->ctx->args, copy_file_args[i])) != NULL && strcmp(copy_file_args[i], "src") != 0)
			value_map_set(args, copy_file_args[i], value_ref((struct value *)v));
	value_map_set(args, "dest", value_str(dest));
	v = value_map_get(c->params, "_original_basename");
	value_map_set(args, "_original_basename", value_ref((struct value *)v));
	value_map_set(args, "recurse", value_bool(0));
	value_map_set(args, "state", value_str("file"));
	if (c->fa.mode != NULL && c->fa.mode->type == VALUE_STR && strcmp(c->fa.mode->u.s.ptr, "preserve") == 0)
		value_map_set(args, "mode", value_str("0600"));
	sub.args = args;
	sub.name = "file";
	res = file_run(&sub);
	value_unref(args);
	if (value_get_str(res, "checksum", NULL) == NULL)
		value_map_set(res, "checksum", value_str(sum));
	if (value_map_get(res, "path") != NULL && value_map_get(res, "dest") == NULL)
		value_map_set(res, "dest", value_ref(value_map_get(res, "path")));
	return res;
}

/* Streamed contents that differ from dest_file: the controller is told to
 * send them, into an upload staged next to dest_file. */
static struct value *copy_stream_open(const char *dest_file)
{
	struct value *res;
	int64_t handle;
	char *e;

	if (upload_open(dest_file, &handle, &e) != 0) {
		res = copy_failure("Could not start the upload for %s: %s", dest_file, e);
		free(e);
		return res;
	}
	res = value_map();
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "_upload", value_int(handle));
	return res;
}

static struct value *copy_action(struct copy *c, int is_content);

/* Contents the controller streams (doc/PROTOCOL.worker, section 10): the
 * first request carries only their SHA-1 (_checksum) and size; the one
 * after the upload names it (_upload). */
static struct value *copy_streamed(struct copy *c)
{
	const struct value *h = value_map_get(c->params, "_upload");
	struct value *res;

	c->sum = copy_param(c, "_checksum");
	c->len = (size_t)value_get_int(c->params, "_size", 0);
	if (h->type == VALUE_INT) {
		if (upload_take(h->u.i, &c->up) != 0)
			return copy_failure("no upload with handle %lld: the transfer failed", (long long)h->u.i);
		if (strcmp(c->up.sha1, c->sum) != 0 || c->up.size != c->len) {
			res = copy_failure("Copied file does not match the expected checksum. Transfer failed.");
			value_map_set(res, "checksum", value_str(c->up.sha1));
			value_map_set(res, "expected_checksum", value_str(c->sum));
			return res;
		}
	}
	return copy_action(c, 0);
}

static struct value *copy_action(struct copy *c, int is_content)
{
	const char *dest = copy_param(c, "dest"), *rel = copy_param(c, "_original_basename");
	const char *src = copy_param(c, "src");
	char sum[DIGEST_MAX_HEX + 1], dsum[DIGEST_MAX_HEX + 1] = "1", *dest_file, *tmp;
	int follow = value_get_bool(c->params, "follow", 0), force = value_get_bool(c->params, "force", 1);
	struct value *res = NULL, *diffs, *mres;
	struct stat st;
	int exists;
	size_t i;

	dest_file = dest[strlen(dest) - 1] == '/' ? fileutil_join(dest, rel != NULL ? rel : "") : xstrdup(dest);
	exists = (follow ? stat(dest_file, &st) : lstat(dest_file, &st)) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		if (is_content) {
			res = copy_failure("can not use content with a dir as dest");
			value_map_set(res, "diff", value_list());
			c->action_only = 1;
			goto out;
		}
		tmp = fileutil_join(dest, rel != NULL ? rel : "");
		free(dest_file);
		dest_file = tmp;
		exists = (follow ? stat(dest_file, &st) : lstat(dest_file, &st)) == 0;
	}
	if (exists && !force) {
		res = value_map();
		value_map_set(res, "dest", value_str(dest));
		value_map_set(res, "src", src != NULL ? value_str(src) : value_null());
		value_map_set(res, "changed", value_bool(0));
		c->action_only = 1;
		goto out;
	}
	if (c->sum != NULL)
		snprintf(sum, sizeof(sum), "%s", c->sum);
	else
		digest_hex(DIGEST_SHA1, c->data, c->len, sum);
	if (exists) {
		dsum[0] = '\0';
		if (force && S_ISREG(st.st_mode) && access(dest_file, R_OK) == 0)
			digest_file_hex(DIGEST_SHA1, dest_file, dsum);
	}
	if (strcmp(sum, dsum) == 0) {
		tmp = xstrdup(dest);
		if (follow && fileutil_islink(dest_file)) {
			free(tmp);
			tmp = fileutil_realpath(dest_file);
		}
		res = copy_by_file_module(c, tmp, sum);
		free(tmp);
		goto out;
	}
	diffs = value_list();
	if (c->ctx->diff)
		value_list_push(diffs, copy_diff(c, dest_file, src != NULL ? src : "dynamically generated"));
	if (c->ctx->check) {
		res = value_map();
		value_map_set(res, "diff", diffs);
		value_map_set(res, "changed", value_bool(1));
		c->action_only = 1;
		goto out;
	}
	if (c->sum != NULL && c->up.path == NULL) {
		res = copy_stream_open(dest_file);
		value_unref(diffs);
		c->action_only = 1;
		goto out;
	}
	if (value_map_get(c->params, "checksum")->type == VALUE_NULL)
		value_map_set(c->params, "checksum", value_str(sum));
	value_map_set(c->params, "follow", value_bool(follow));
	mres = copy_module(c);
	if (value_get_str(mres, "checksum", NULL) == NULL)
		value_map_set(mres, "checksum", value_str(sum));
	res = value_map();
	value_map_set(res, "diff", diffs);
	for (i = 0; i < value_len(mres); i++)
		value_map_set(res, value_cstr(value_map_key_at(mres, i)), value_ref(value_map_val_at(mres, i)));
	value_unref(mres);
out:
	free(dest_file);
	return res;
}

/* content as the action plugin writes it: a str as it is, a dict or list
 * as JSON, anything else as its Python str(). */
static int copy_content_text(struct copy *c, const struct value *v)
{
	struct buf b;

	if (v->type == VALUE_STR) {
		c->data = v->u.s.ptr;
		c->len = v->u.s.len;
		return 0;
	}
	buf_init(&b, FILEUTIL_MAX_TEXT);
	if (v->type == VALUE_MAP || v->type == VALUE_LIST) {
		if (json_encode(&b, v, JSON_ASCII) != 0) {
			buf_fini(&b);
			return ERR_TOOBIG;
		}
	} else if (v->type == VALUE_BOOL) {
		buf_puts(&b, v->u.b ? "True" : "False");
	} else if (v->type == VALUE_INT) {
		buf_printf(&b, "%lld", (long long)v->u.i);
	} else if (v->type == VALUE_FLOAT) {
		json_put_float(&b, v->u.f);
	}
	c->text = buf_take(&b, &c->len);
	c->data = c->text;
	return 0;
}

MODULE_DEFINE(copy, copy_run, MODULE_CHECK_MODE)
struct value *copy_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown;
	const struct value *content, *bytes, *lf;
	const char *src, *dest;
	struct copy c;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	c.up.fd = -1;
	c.warnings = value_list();
	if (module_params_spec(ctx, "ansible.legacy.copy", copy_spec, COPY_NSPEC, NULL, c.warnings, &c.params, &res) !=
	    0) {
		value_unref(c.warnings);
		return res;
	}
	fileattr_from_params(&c.fa, c.params);
	lf = value_map_get(c.params, "local_follow");
	c.local_follow = lf->type == VALUE_BOOL ? lf->u.b : -1;
	content = value_map_get(c.params, "content");
	bytes = value_map_get(c.params, "_content_b");
	src = copy_param(&c, "src");
	dest = copy_param(&c, "dest");
	if ((src == NULL || src[0] == '\0') && content->type == VALUE_NULL && bytes->type == VALUE_NULL)
		res = copy_failure("src (or content) is required");
	else if (dest == NULL || dest[0] == '\0')
		res = copy_failure("dest is required");
	else if (src != NULL && src[0] != '\0' && content->type != VALUE_NULL)
		res = copy_failure("src and content are mutually exclusive");
	else if (content->type != VALUE_NULL && dest[strlen(dest) - 1] == '/')
		res = copy_failure("can not use content with a dir as dest");
	else if (bytes->type != VALUE_NULL && bytes->type != VALUE_STR)
		res = copy_failure("_content_b must be a string of bytes");
	else if (copy_param(&c, "_checksum") != NULL && content->type == VALUE_NULL && bytes->type == VALUE_NULL)
		res = copy_streamed(&c);
	else if (content->type != VALUE_NULL || bytes->type != VALUE_NULL) {
		if (copy_content_text(&c, content->type != VALUE_NULL ? content : bytes) != 0) {
			res = copy_failure("content is over %zu bytes", FILEUTIL_MAX_TEXT);
		} else if (c.len > FILEUTIL_MAX_TEXT) {
			res = copy_failure("content is over %zu bytes", FILEUTIL_MAX_TEXT);
		} else {
			if (content->type != VALUE_NULL && c.fa.mode != NULL && c.fa.mode->type == VALUE_STR &&
			    strcmp(c.fa.mode->u.s.ptr, "preserve") == 0) {
				/* Ansible's content goes through a 0600 temporary file. */
				value_map_set(c.params, "mode", value_str("0600"));
				c.fa.mode = value_map_get(c.params, "mode");
			}
			res = copy_action(&c, content->type != VALUE_NULL);
		}
	} else if (value_get_bool(c.params, "remote_src", 0)) {
		res = copy_module(&c);
	} else {
		res = copy_failure("src %s is a file on the controller: its bytes must come in _content_b (or set "
		                   "remote_src)", src);
	}
	if (res == NULL)
		res = copy_failure("internal error");
	if (value_map_get(res, "invocation") == NULL) {
		/* As the copy module shows them: decrypt belongs to the
		 * action plugin, _content_b to the transport. */
		value_map_del(c.params, "decrypt");
		if (value_map_get(c.params, "_content_b")->type == VALUE_NULL)
			value_map_del(c.params, "_content_b");
		value_map_del(c.params, "_checksum");
		value_map_del(c.params, "_size");
		value_map_del(c.params, "_upload");
		shown = module_invocation_args(copy_spec, COPY_NSPEC, c.params);
		if (c.action_only)
			module_finish(res, shown, c.warnings);
		else
			fileutil_finish(res, shown, c.warnings);
		value_unref(shown);
	}
	free(c.text);
	upload_file_fini(&c.up);
	value_unref(c.params);
	value_unref(c.warnings);
	return res;
}
