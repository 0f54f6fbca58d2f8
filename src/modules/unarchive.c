/* unarchive, as Ansible 2.14's module, through the host's tools: GNU tar
 * for tar, tar.gz, tar.bz2, tar.xz and tar.zst (the handlers TgzArchive,
 * TarArchive, TarBzipArchive, TarXzArchive, TarZstdArchive, tried after
 * ZipArchive in Ansible's order), unzip and zipinfo for zip. A tar archive
 * is known to be in place as Ansible knows it, from `tar --diff` (missing
 * files, modes, times, owners); a zip archive is extracted into a private
 * directory inside dest and compared file by file (type and contents),
 * where Ansible compares zipinfo's listing. An archive the controller
 * streamed arrives as an upload (_upload, see upload.h) and is removed
 * afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/upload.h"

static const struct module_argspec unarchive_spec[] = {
	{"src", MODULE_ARG_PATH, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"remote_src", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"creates", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"list_files", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"keep_newer", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"exclude", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"include", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"extra_opts", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"validate_certs", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"io_buffer_size", MODULE_ARG_INT, "65536", NULL, NULL, 0},
	{"copy", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"decrypt", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"_upload", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define UNARCHIVE_NSPEC (sizeof(unarchive_spec) / sizeof(unarchive_spec[0]))

/* The tar handlers, in Ansible's order, with their compression flag. */
static const struct {
	const char *name, *flag;
} unarchive_tars[] = {
	{"TgzArchive", "-z"},
	{"TarArchive", NULL},
	{"TarBzipArchive", "-j"},
	{"TarXzArchive", "-J"},
	{"TarZstdArchive", "--use-compress-program=zstd"},
};

/* What `tar --diff` says that makes a tree differ from the archive. */
static const char *const unarchive_diff_ends[] = {
	": Mod time differs", ": Warning: Cannot stat: No such file or directory",
};

struct unarchive {
	const struct module_ctx *ctx;
	struct value *params;     /* owned */
	struct fileattr fa;
	const char *src, *dest;   /* borrowed from params (src: the upload's path) */
	const char *handler;      /* the handler's class name */
	const char *tar;          /* the tar binary (heap), or NULL for zip */
	const char *flag;         /* tar's compression flag, or NULL */
	struct value *files;      /* owned: files_in_archive */
};

/* argv of the words in list (heap array of borrowed strings). */
static char **unarchive_argv(const struct value *list)
{
	char **argv = xcalloc(value_len(list) + 1, sizeof(*argv));
	size_t i;

	for (i = 0; i < value_len(list); i++)
		argv[i] = (char *)value_cstr(value_list_at(list, i));
	return argv;
}

static void unarchive_push_list(struct value *cmd, const struct value *list, const char *prefix)
{
	size_t i;

	for (i = 0; i < value_len(list); i++)
		value_list_push(cmd, prefix != NULL ? value_strf("%s%s", prefix, value_cstr(value_list_at(list, i)))
		                                    : value_ref(value_list_at(list, i)));
}

/* The tar command line for verb (--list, --diff, --extract), as Ansible
 * builds it. */
static struct value *unarchive_tar_cmd(const struct unarchive *u, const char *verb)
{
	const struct value *opts = value_map_get(u->params, "extra_opts");
	struct value *cmd = value_list();

	value_list_push(cmd, value_str(u->tar));
	value_list_push(cmd, value_str(verb));
	value_list_push(cmd, value_str("-C"));
	value_list_push(cmd, value_str(u->dest));
	if (u->flag != NULL)
		value_list_push(cmd, value_str(u->flag));
	if (value_len(opts) > 0) {
		value_list_push(cmd, value_str("--show-transformed-names"));
		unarchive_push_list(cmd, opts, NULL);
	}
	if (strcmp(verb, "--list") != 0) {
		if (u->fa.owner != NULL)
			value_list_push(cmd, value_strf("--owner=%s", u->fa.owner));
		if (u->fa.group != NULL)
			value_list_push(cmd, value_strf("--group=%s", u->fa.group));
		if (value_get_bool(u->params, "keep_newer", 0))
			value_list_push(cmd, value_str("--keep-newer-files"));
	}
	unarchive_push_list(cmd, value_map_get(u->params, "exclude"), "--exclude=");
	value_list_push(cmd, value_str("-f"));
	value_list_push(cmd, value_str(u->src));
	unarchive_push_list(cmd, value_map_get(u->params, "include"), NULL);
	return cmd;
}

static int unarchive_exec(const struct unarchive *u, const struct value *cmd, int *rcp, struct buf *out,
                          struct buf *err)
{
	char **argv = unarchive_argv(cmd);
	int r = fileutil_run(u->ctx, argv, rcp, out, err);

	free(argv);
	return r;
}

/* Splits out into lines, appended to list (a leading '/' dropped, as
 * files_in_archive does). */
static void unarchive_lines(const struct buf *out, struct value *list)
{
	const char *p = buf_ptr(out), *end = p + buf_avail(out), *nl;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (nl > p && *p == '/')
			p++;
		if (nl > p)
			value_list_push(list, value_strn(p, (size_t)(nl - p)));
	}
}

/* Tries the tar handlers; returns 1 with u->handler set, else 0 with the
 * reason appended to reasons, or -1 in check mode, which Ansible's
 * TgzArchive refuses as soon as it is made. */
static int unarchive_pick_tar(struct unarchive *u, struct buf *reasons)
{
	struct buf out, err;
	struct value *cmd;
	size_t i;
	int rc;

	if (u->ctx->check)
		return -1;

	if ((u->tar = fileutil_bin_path(u->ctx, "gtar")) == NULL && (u->tar = fileutil_bin_path(u->ctx, "tar")) == NULL) {
		buf_puts(reasons, "\nUnable to find required 'gtar' or 'tar' binary in the path");
		return 0;
	}
	for (i = 0; i < sizeof(unarchive_tars) / sizeof(unarchive_tars[0]); i++) {
		u->flag = unarchive_tars[i].flag;
		cmd = unarchive_tar_cmd(u, "--list");
		rc = -1;
		if (unarchive_exec(u, cmd, &rc, &out, &err) == 0 && rc == 0 && buf_avail(&out) > 0) {
			unarchive_lines(&out, u->files);
			u->handler = unarchive_tars[i].name;
		} else if (i == 0) {
			buf_printf(reasons, "\nCommand \"%s\" could not handle archive: Unable to list files in the archive: %s",
			           u->tar, buf_str(&err));
		}
		buf_fini(&out);
		buf_fini(&err);
		value_unref(cmd);
		if (u->handler != NULL)
			return 1;
	}
	return 0;
}

static int unarchive_pick_zip(struct unarchive *u, struct buf *reasons)
{
	char *unzip = fileutil_bin_path(u->ctx, "unzip"), *zipinfo = fileutil_bin_path(u->ctx, "zipinfo");
	char *argv[] = {zipinfo, "-1", (char *)u->src, NULL};
	struct buf out, err;
	int rc = -1, ok = 0;

	if (unzip == NULL || zipinfo == NULL) {
		buf_printf(reasons, "\nUnable to find required '%s' binary in the path",
		           unzip == NULL && zipinfo == NULL ? "unzip' or 'zipinfo" : unzip == NULL ? "unzip" : "zipinfo");
	} else {
		if (fileutil_run(u->ctx, argv, &rc, &out, &err) == 0 && rc == 0) {
			unarchive_lines(&out, u->files);
			u->handler = "ZipArchive";
			ok = 1;
		} else {
			buf_printf(reasons, "\nCommand \"%s\" could not handle archive: %s", unzip, buf_str(&err));
		}
		buf_fini(&out);
		buf_fini(&err);
	}
	free(unzip);
	free(zipinfo);
	return ok;
}

/* Do a and b hold the same bytes? */
static int unarchive_same_file(const char *a, const char *b)
{
	struct buf x, y;
	int same;

	same = fileutil_read(a, FILEUTIL_MAX_TEXT, &x) == 0 && fileutil_read(b, FILEUTIL_MAX_TEXT, &y) == 0 &&
	       buf_avail(&x) == buf_avail(&y) && memcmp(buf_ptr(&x), buf_ptr(&y), buf_avail(&x)) == 0;
	buf_fini(&x);
	buf_fini(&y);
	return same;
}

/* The zip is extracted into tmp: is every entry already in dest? */
static int unarchive_zip_same(const struct unarchive *u, const char *tmp)
{
	struct stat a, b;
	char *pa, *pb;
	size_t i;
	int same = 1;

	for (i = 0; i < value_len(u->files) && same; i++) {
		const char *name = value_cstr(value_list_at(u->files, i));

		pa = fileutil_join(tmp, name);
		pb = fileutil_join(u->dest, name);
		same = lstat(pa, &a) == 0 && lstat(pb, &b) == 0 && (a.st_mode & S_IFMT) == (b.st_mode & S_IFMT) &&
		       (!S_ISREG(a.st_mode) || (a.st_size == b.st_size && unarchive_same_file(pa, pb)));
		free(pa);
		free(pb);
	}
	return same;
}

static int unarchive_zip_in_place(const struct unarchive *u)
{
	char *tmp = xasprintf("%s/.drover-unzip.XXXXXX", u->dest), *unzip = fileutil_bin_path(u->ctx, "unzip");
	char *argv[] = {unzip, "-o", "-q", (char *)u->src, "-d", tmp, NULL};
	struct buf out, err;
	char *errpath = NULL;
	int rc = -1, same = 0;

	if (unzip != NULL && mkdtemp(tmp) != NULL) {
		same = fileutil_run(u->ctx, argv, &rc, &out, &err) == 0 && rc == 0 && unarchive_zip_same(u, tmp);
		buf_fini(&out);
		buf_fini(&err);
		fileutil_rmtree(tmp, &errpath);
	}
	free(errpath);
	free(unzip);
	free(tmp);
	return same;
}

/* is_unarchived for tar: `tar --diff`, read as Ansible reads it. */
static int unarchive_tar_in_place(const struct unarchive *u)
{
	struct value *cmd = unarchive_tar_cmd(u, "--diff"), *lines = value_list();
	struct buf out, err;
	size_t i, k, n;
	int rc = -1, same = 1, root = geteuid() == 0;

	if (unarchive_exec(u, cmd, &rc, &out, &err) != 0)
		same = 0;
	unarchive_lines(&out, lines);
	unarchive_lines(&err, lines);
	buf_fini(&out);
	buf_fini(&err);
	for (i = 0; i < value_len(lines) && same; i++) {
		const char *l = value_cstr(value_list_at(lines, i));

		static const char empty[] = ": : Warning: Cannot stat: No such file or directory";

		n = strlen(l);
		if (n >= sizeof(empty) - 1 && strcmp(l + n - (sizeof(empty) - 1), empty) == 0)
			continue;
		for (k = 0; k < sizeof(unarchive_diff_ends) / sizeof(unarchive_diff_ends[0]); k++)
			if (n >= strlen(unarchive_diff_ends[k]) &&
			    strcmp(l + n - strlen(unarchive_diff_ends[k]), unarchive_diff_ends[k]) == 0)
				same = 0;
		if ((root && u->fa.owner == NULL && n >= 14 && strcmp(l + n - 14, ": Uid differs") == 0) ||
		    (root && u->fa.group == NULL && n >= 14 && strcmp(l + n - 14, ": Gid differs") == 0) ||
		    (u->fa.mode == NULL && n >= 15 && strcmp(l + n - 15, ": Mode differs") == 0) ||
		    strstr(l, ": Invalid owner") != NULL || strstr(l, ": Invalid group") != NULL)
			same = 0;
	}
	value_unref(lines);
	value_unref(cmd);
	return same;
}

/* handler.unarchive(): extract_results. */
static struct value *unarchive_extract(const struct unarchive *u, int *rcp)
{
	struct value *cmd, *res = value_map();
	struct buf out, err;

	if (u->tar != NULL && strcmp(u->handler, "ZipArchive") != 0) {
		cmd = unarchive_tar_cmd(u, "--extract");
	} else {
		cmd = value_list();
		value_list_push(cmd, value_str("unzip"));
		value_list_push(cmd, value_str("-o"));
		unarchive_push_list(cmd, value_map_get(u->params, "extra_opts"), NULL);
		value_list_push(cmd, value_str(u->src));
		unarchive_push_list(cmd, value_map_get(u->params, "include"), NULL);
		if (value_len(value_map_get(u->params, "exclude")) > 0) {
			value_list_push(cmd, value_str("-x"));
			unarchive_push_list(cmd, value_map_get(u->params, "exclude"), NULL);
		}
		value_list_push(cmd, value_str("-d"));
		value_list_push(cmd, value_str(u->dest));
	}
	*rcp = -1;
	unarchive_exec(u, cmd, rcp, &out, &err);
	value_map_set(res, "cmd", value_ref(cmd));
	value_map_set(res, "rc", value_int(*rcp));
	value_map_set(res, "out", value_strn(buf_ptr(&out), buf_avail(&out)));
	value_map_set(res, "err", value_strn(buf_ptr(&err), buf_avail(&err)));
	buf_fini(&out);
	buf_fini(&err);
	value_unref(cmd);
	return res;
}

/* set_fs_attributes_if_different on every file of the archive and on the
 * top folders. Returns 0 or ERR_INVAL with *failp. */
static int unarchive_attrs(const struct unarchive *u, int *changedp, struct value **failp)
{
	struct value *tops = value_list();
	const char *name, *slash;
	char *path;
	size_t i, k;
	int r = 0, seen;

	for (i = 0; i < value_len(u->files) && r == 0; i++) {
		name = value_cstr(value_list_at(u->files, i));
		path = fileutil_join(u->dest, name);
		r = fileattr_apply(u->ctx, &u->fa, path, changedp, NULL, failp);
		free(path);
		if ((slash = strchr(name, '/')) == NULL)
			continue;
		for (seen = 0, k = 0; k < value_len(tops) && !seen; k++)
			seen = strlen(value_cstr(value_list_at(tops, k))) == (size_t)(slash - name) &&
			       strncmp(value_cstr(value_list_at(tops, k)), name, (size_t)(slash - name)) == 0;
		if (!seen)
			value_list_push(tops, value_strn(name, (size_t)(slash - name)));
	}
	for (i = 0; i < value_len(tops) && r == 0; i++) {
		path = xasprintf("%s/%s", u->dest, value_cstr(value_list_at(tops, i)));
		r = fileattr_apply(u->ctx, &u->fa, path, changedp, NULL, failp);
		free(path);
	}
	value_unref(tops);
	return r;
}

/* The checks on src and dest before a handler is picked. */
static struct value *unarchive_check_paths(const struct unarchive *u)
{
	const char *creates = value_get_str(u->params, "creates", NULL);
	struct value *res;
	struct stat st;

	if (creates != NULL && fileutil_exists(creates)) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "skipped", value_bool(1));
		value_map_set(res, "msg", value_strf("skipped, since %s exists", creates));
		return res;
	}
	/* The action plugin's check, made before the module runs. */
	if (!fileutil_isdir(u->dest))
		return module_fail(value_map(), "dest '%s' must be an existing dir", u->dest);
	if (!fileutil_exists(u->src))
		return module_fail(value_map(), value_get_bool(u->params, "remote_src", 0) ? "Source '%s' does not exist"
		                                                                          : "Source '%s' failed to transfer",
		                   u->src);
	if (access(u->src, R_OK) != 0)
		return module_fail(value_map(), "Source '%s' not readable", u->src);
	if (stat(u->src, &st) == 0 && st.st_size == 0)
		return module_fail(value_map(), "Invalid archive '%s', the file is 0 bytes", u->src);
	return NULL;
}

/* Everything after the paths were checked. */
static struct value *unarchive_do(struct unarchive *u)
{
	struct value *res, *fail = NULL, *ex;
	struct buf reasons;
	int changed, rc, picked;

	buf_init(&reasons, 0);
	if ((picked = unarchive_pick_zip(u, &reasons)) == 0)
		picked = unarchive_pick_tar(u, &reasons);
	if (picked < 0) {
		buf_fini(&reasons);
		res = value_map();
		value_map_set(res, "skipped", value_bool(1));
		value_map_set(res, "msg", value_str("remote module (unarchive) does not support check mode when using gtar"));
		return res;
	}
	if (!picked) {
		res = module_fail(value_map(), "Failed to find handler for \"%s\". Make sure the required command to extract "
		                               "the file is installed.%s", u->src, buf_str(&reasons));
		buf_fini(&reasons);
		return res;
	}
	buf_fini(&reasons);
	res = value_map();
	value_map_set(res, "handler", value_str(u->handler));
	value_map_set(res, "dest", value_str(u->dest));
	value_map_set(res, "src", value_ref(value_map_get(u->params, "src")));
	changed = !(strcmp(u->handler, "ZipArchive") == 0 ? unarchive_zip_in_place(u) : unarchive_tar_in_place(u));
	if (changed && !u->ctx->check) {
		ex = unarchive_extract(u, &rc);
		value_map_set(res, "extract_results", ex);
		if (rc != 0) {
			module_fail(res, "failed to unpack %s to %s", u->src, u->dest);
			return res;
		}
	}
	if (!u->ctx->check && unarchive_attrs(u, &changed, &fail) != 0) {
		value_unref(res);
		return fail;
	}
	value_map_set(res, "changed", value_bool(changed));
	if (value_get_bool(u->params, "list_files", 0))
		value_map_set(res, "files", value_ref(u->files));
	return res;
}

MODULE_DEFINE(unarchive, unarchive_run, MODULE_CHECK_MODE)
struct value *unarchive_run(const struct module_ctx *ctx)
{
	static const char *const exclusive[] = {"include|exclude", NULL};
	struct value *res = NULL, *shown, *warnings = value_list();
	const struct value *h;
	struct upload_file up;
	struct unarchive u;

	memset(&u, 0, sizeof(u));
	memset(&up, 0, sizeof(up));
	up.fd = -1;
	u.ctx = ctx;
	if (module_params_spec(ctx, "ansible.legacy.unarchive", unarchive_spec, UNARCHIVE_NSPEC, exclusive, warnings,
	                       &u.params, &res) != 0) {
		value_unref(warnings);
		return res;
	}
	fileattr_from_params(&u.fa, u.params);
	u.files = value_list();
	u.src = value_get_str(u.params, "src", "");
	u.dest = value_get_str(u.params, "dest", "");
	h = value_map_get(u.params, "_upload");
	if (h->type == VALUE_INT && upload_take(h->u.i, &up) != 0)
		res = module_fail(value_map(), "Source '%s' failed to transfer", u.src);
	if (up.path != NULL)
		u.src = up.path;
	if (res == NULL && (res = unarchive_check_paths(&u)) == NULL)
		res = unarchive_do(&u);
	value_map_del(u.params, "_upload");
	shown = module_invocation_args(unarchive_spec, UNARCHIVE_NSPEC, u.params);
	fileutil_finish(res, shown, warnings);
	value_unref(shown);
	upload_file_fini(&up);
	value_unref(u.files);
	value_unref(u.params);
	value_unref(warnings);
	free((char *)u.tar);
	return res;
}
