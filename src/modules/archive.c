/* archive, as community.general's module, through the host's tools: tar
 * (with gzip, bzip2 or xz) for tar archives, zip for zip archives, and
 * gzip, bzip2 or xz alone for one file compressed. The archive is built in
 * a private directory next to dest and renamed over it only when its
 * content differs from what dest holds (member listings for archives, the
 * decompressed bytes for a compressed file), which is the comparison
 * Ansible makes after rewriting dest in place. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
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
#include "modules/pyfmt.h"

static const struct module_argspec archive_spec[] = {
	{"path", MODULE_ARG_LIST, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"format", MODULE_ARG_STR, "gz", NULL, "bz2,gz,tar,xz,zip", 0},
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"exclude_path", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"exclusion_patterns", MODULE_ARG_LIST, NULL, NULL, NULL, 0},
	{"force_archive", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"remove", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define ARCHIVE_NSPEC (sizeof(archive_spec) / sizeof(archive_spec[0]))

/* Bytes of member names handed to tar or zip, and members at most. */
#define ARCHIVE_MAX_NAMES FILEUTIL_MAX_TEXT
#define ARCHIVE_MAX_MEMBERS ((size_t)1 << 20)

struct archive {
	const struct module_ctx *ctx;
	struct value *params;     /* owned */
	struct fileattr fa;
	const char *format;       /* borrowed from params */
	char *dest;               /* heap */
	char *root;               /* heap: arcroot, ending in '/' */
	struct value *expanded;   /* owned: expanded_paths */
	struct value *excluded;   /* owned: expanded_exclude_paths */
	struct value *paths;      /* owned: sorted, without the excluded */
	struct value *targets;    /* owned: paths that exist */
	struct value *missing;    /* owned */
	struct value *archived;   /* owned: successes */
	struct value *names;      /* owned: member names for tar or zip */
	int must_archive, changed;
	int too_many;             /* more than ARCHIVE_MAX_MEMBERS members */
	const char *dest_state;
};

/* expand_paths: a path with '*' or '?' is globbed (no match: nothing),
 * others are kept as written. */
static struct value *archive_expand(const struct value *list, int *globbyp)
{
	struct value *out = value_list();
	glob_t g;
	size_t i, k;

	for (i = 0; i < value_len(list); i++) {
		const char *p = value_cstr(value_list_at(list, i));

		if (strpbrk(p, "*?") == NULL) {
			value_list_push(out, value_str(p));
			continue;
		}
		*globbyp = 1;
		if (glob(p, GLOB_NOSORT, NULL, &g) == 0)
			for (k = 0; k < g.gl_pathc; k++)
				value_list_push(out, value_str(g.gl_pathv[k]));
		globfree(&g);
	}
	return out;
}

static int archive_cmp(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

static int archive_has(const struct value *list, const char *s)
{
	size_t i;

	for (i = 0; i < value_len(list); i++)
		if (strcmp(value_cstr(value_list_at(list, i)), s) == 0)
			return 1;
	return 0;
}

/* sorted(set(expanded) - set(excluded)). */
static struct value *archive_sorted(const struct value *expanded, const struct value *excluded)
{
	struct value **v = xcalloc(value_len(expanded) + 1, sizeof(*v)), *out = value_list();
	size_t i, n = 0;

	for (i = 0; i < value_len(expanded); i++)
		v[n++] = value_list_at(expanded, i);
	qsort(v, n, sizeof(*v), archive_cmp);
	for (i = 0; i < n; i++)
		if ((i == 0 || strcmp(value_cstr(v[i]), value_cstr(v[i - 1])) != 0) &&
		    !archive_has(excluded, value_cstr(v[i])))
			value_list_push(out, value_ref(v[i]));
	free(v);
	return out;
}

/* common_path: the longest common prefix of the paths' directories, cut
 * back to a directory, with a trailing '/'. */
static char *archive_common_path(const struct value *paths)
{
	const char *first = NULL;
	size_t i, n = 0, k;
	char *d, *cut, *out;

	for (i = 0; i < value_len(paths); i++) {
		d = fileutil_dirname(value_cstr(value_list_at(paths, i)));
		out = fileutil_join(d, "");
		free(d);
		if (first == NULL) {
			first = out;
			n = strlen(out);
			continue;
		}
		for (k = 0; k < n && out[k] == first[k]; k++)
			;
		n = k;
		free(out);
	}
	cut = xstrndup(first != NULL ? first : "", n);
	free((char *)first);
	d = fileutil_dirname(cut);
	out = fileutil_join(d, "");
	free(d);
	free(cut);
	return out;
}

static const char *archive_strip(const struct archive *a, const char *path)
{
	size_t n = strlen(a->root);

	return strncmp(path, a->root, n) == 0 ? path + n : path;
}

/* Queues path as a member unless an exclusion pattern matches it (the
 * member name for tar, the path for zip, as Ansible matches). */
static void archive_add(struct archive *a, const char *path)
{
	const struct value *pats = value_map_get(a->params, "exclusion_patterns");
	int zip = strcmp(a->format, "zip") == 0;
	const char *name = archive_strip(a, path);
	size_t i;

	if (value_len(a->names) >= ARCHIVE_MAX_MEMBERS) {
		a->too_many = 1;
		return;
	}
	for (i = 0; i < value_len(pats); i++)
		if (fnmatch(value_cstr(value_list_at(pats, i)), zip ? path : name, 0) == 0)
			return;
	value_list_push(a->names, value_str(name));
	/* Ansible counts what the archive then contains by name; a zip names
	 * its directories with a trailing '/', so they never count. */
	if (!zip || !fileutil_isdir(path))
		value_list_push(a->archived, value_str(path));
}

static int archive_walk_fn(const char *dir, struct value *dirs, struct value *files, void *arg)
{
	struct archive *a = arg;
	char *p;
	size_t i;

	for (i = 0; i < value_len(dirs) + value_len(files); i++) {
		const struct value *n = i < value_len(dirs) ? value_list_at(dirs, i) : value_list_at(files, i - value_len(dirs));

		p = fileutil_join(dir, value_cstr(n));
		archive_add(a, p);
		free(p);
	}
	return 0;
}

/* add_targets' walk: a directory's contents (not the directory itself),
 * other targets as they are. */
static void archive_collect(struct archive *a)
{
	size_t i;
	char *errpath = NULL;

	for (i = 0; i < value_len(a->targets); i++) {
		const char *t = value_cstr(value_list_at(a->targets, i));

		if (fileutil_isdir(t))
			fileutil_walk(t, 0, 0, archive_walk_fn, a, &errpath);
		else
			archive_add(a, t);
		free(errpath);
		errpath = NULL;
	}
}

static const char *archive_compressor(const char *format)
{
	return strcmp(format, "gz") == 0 ? "gzip" : strcmp(format, "bz2") == 0 ? "bzip2" : "xz";
}

static const char *archive_tar_flag(const char *format)
{
	return strcmp(format, "gz") == 0 ? "-z" : strcmp(format, "bz2") == 0 ? "-j" : strcmp(format, "xz") == 0 ? "-J" : NULL;
}

/* Runs argv with input; returns 0 with *rcp, or fails with the command's
 * error text in err. */
static int archive_exec(const struct archive *a, char **argv, const char *input, int *rcp, struct buf *out,
                        struct buf *err)
{
	*rcp = -1;
	return fileutil_run_input(a->ctx, argv, input, rcp, out, err);
}

/* Writes the queued members (or, for one compressed file, paths[0]) to
 * file. Returns 0, or ERR_INVAL with *msgp (heap) what the tool said. */
static int archive_write(const struct archive *a, const char *file, char **msgp)
{
	const char *root = a->root[0] != '\0' ? a->root : ".", *flag = archive_tar_flag(a->format);
	char *tar[] = {"tar", "-c", "--no-recursion", "-f", (char *)file, "-C", (char *)root, "--verbatim-files-from",
	               "-T", "-", (char *)flag, NULL};
	char *zip[] = {"sh", "-c", "cd -- \"$0\" && exec zip -q -@ \"$1\"", (char *)root, (char *)file, NULL};
	char *one[] = {"sh", "-c", "exec \"$0\" -c -- \"$1\" > \"$2\"", (char *)archive_compressor(a->format),
	               (char *)value_cstr(value_list_at(a->paths, 0)), (char *)file, NULL};
	struct buf names, out, err;
	size_t i;
	int r = ERR_INVAL, rc;
	char **argv = a->must_archive || !strcmp(a->format, "zip") || !strcmp(a->format, "tar") ?
	                      (strcmp(a->format, "zip") == 0 ? zip : tar) : one;

	*msgp = NULL;
	buf_init(&names, ARCHIVE_MAX_NAMES);
	buf_init(&out, 0);
	buf_init(&err, 0);
	if (a->too_many) {
		*msgp = xstrdup("too many files to archive");
		goto out;
	}
	for (i = 0; i < value_len(a->names); i++) {
		const char *n = value_cstr(value_list_at(a->names, i));

		if (strchr(n, '\n') != NULL) {
			*msgp = xasprintf("%s: a newline in a file name is not supported", n);
			goto out;
		}
		if (buf_puts(&names, n) != 0 || buf_putc(&names, '\n') != 0) {
			*msgp = xstrdup("too many files to archive");
			goto out;
		}
	}
	buf_fini(&out);
	buf_fini(&err);
	if (archive_exec(a, argv, argv == one ? NULL : buf_str(&names), &rc, &out, &err) != 0 || rc != 0) {
		*msgp = xasprintf("%s", buf_avail(&err) > 0 ? buf_str(&err) : "the archiver failed");
		goto out;
	}
	r = 0;
out:
	buf_fini(&names);
	buf_fini(&out);
	buf_fini(&err);
	return r;
}

/* A listing of what the archive at path holds that changes when a member
 * does (names, types, modes, owners, sizes, times; names and CRCs for
 * zip), sorted. Returns 0, or -1 when path is no such archive. */
static int archive_listing(const struct archive *a, const char *path, struct value **listp)
{
	const char *flag = archive_tar_flag(a->format);
	char *tar[] = {"tar", "-t", "-v", "--full-time", "--numeric-owner", "-f", (char *)path, (char *)flag, NULL};
	char *zip[] = {"unzip", "-v", (char *)path, NULL};
	struct value *l = value_list();
	struct value **v;
	struct buf out, err;
	const char *p, *end, *nl, *s;
	int rc, f;
	size_t i;

	*listp = NULL;
	if (archive_exec(a, strcmp(a->format, "zip") == 0 ? zip : tar, NULL, &rc, &out, &err) != 0 || rc != 0) {
		buf_fini(&out);
		buf_fini(&err);
		value_unref(l);
		return -1;
	}
	for (p = buf_ptr(&out), end = p + buf_avail(&out); p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		s = p;
		/* unzip -v: "Length Method Size Cmpr Date Time CRC-32 Name"; the
		 * CRC and the name are what Ansible compares. */
		for (f = 0; strcmp(a->format, "zip") == 0 && f < 6 && s < nl; f++) {
			while (s < nl && *s == ' ')
				s++;
			while (s < nl && *s != ' ')
				s++;
		}
		if (strncmp(p, "Archive:", 8) != 0)
			value_list_push(l, value_strn(s, (size_t)(nl - s)));
	}
	buf_fini(&out);
	buf_fini(&err);
	v = xcalloc(value_len(l) + 1, sizeof(*v));
	for (i = 0; i < value_len(l); i++)
		v[i] = value_list_at(l, i);
	qsort(v, value_len(l), sizeof(*v), archive_cmp);
	*listp = value_list();
	for (i = 0; i < value_len(l); i++)
		value_list_push(*listp, value_ref(v[i]));
	free(v);
	value_unref(l);
	return 0;
}

/* Does the archive just built at file hold what dest holds? */
static int archive_same(const struct archive *a, const char *file)
{
	char *one[] = {"sh", "-c", "\"$0\" -dc -- \"$1\" | cmp -s - \"$2\"", (char *)archive_compressor(a->format),
	               a->dest, (char *)value_cstr(value_list_at(a->paths, 0)), NULL};
	struct value *x = NULL, *y = NULL;
	struct buf out, err;
	int same = 0, rc;

	if (!fileutil_isfile(a->dest) || access(a->dest, R_OK) != 0)
		return 0;
	if (!a->must_archive && strcmp(a->format, "zip") != 0 && strcmp(a->format, "tar") != 0) {
		same = archive_exec(a, one, NULL, &rc, &out, &err) == 0 && rc == 0;
		buf_fini(&out);
		buf_fini(&err);
		return same;
	}
	if (archive_listing(a, a->dest, &x) == 0 && archive_listing(a, file, &y) == 0)
		same = value_equal(x, y);
	value_unref(x);
	value_unref(y);
	return same;
}

/* Moves file over dest, keeping dest's owner and mode as rewriting it in
 * place would. */
static int archive_install(const struct archive *a, const char *file)
{
	struct stat st;
	char *dir;
	int fd;

	if (stat(a->dest, &st) == 0) {
		(void)!chown(file, st.st_uid, st.st_gid);
		(void)chmod(file, st.st_mode & 07777);
	}
	if (rename(file, a->dest) != 0)
		return -errno;
	dir = fileutil_dirname(a->dest);
	if ((fd = open(dir[0] != '\0' ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
	return 0;
}

/* Builds the archive beside dest and puts it in place when it differs.
 * Returns NULL, or a failure result. */
static struct value *archive_build(struct archive *a)
{
	char *dir = fileutil_dirname(a->dest), *real = fileutil_realpath(dir[0] != '\0' ? dir : ".");
	char *tmp = xasprintf("%s/.drover-archive.XXXXXX", real), *file = NULL, *msg = NULL, *errpath = NULL;
	struct value *fail = NULL;
	int r;

	if (mkdtemp(tmp) == NULL) {
		fail = module_fail(value_map(), "Unable to write to compressed file: %s", strerror(errno));
		goto out;
	}
	/* zip adds ".zip" to a name without an extension. */
	file = xasprintf("%s/%s", tmp, strcmp(a->format, "zip") == 0 ? "a.zip" : "a");
	if (archive_write(a, file, &msg) != 0) {
		fail = a->must_archive ? module_fail(value_map(), "Errors when writing archive at %s: %s", a->dest, msg)
		                       : module_fail(value_map(), "Unable to write to compressed file: %s", msg);
		goto out;
	}
	if (archive_same(a, file))
		goto out;
	if ((r = archive_install(a, file)) != 0) {
		fail = module_fail(value_map(), "Unable to write to compressed file: %s", err_str(r));
		goto out;
	}
	a->changed = 1;
out:
	if (access(tmp, F_OK) == 0)
		fileutil_rmtree(tmp, &errpath);
	free(errpath);
	free(msg);
	free(file);
	free(tmp);
	free(real);
	free(dir);
	return fail;
}

/* ", ".join(list) */
static struct value *archive_join_list(const struct value *list)
{
	struct buf b;
	size_t i, n;
	char *s;

	buf_init(&b, 0);
	for (i = 0; i < value_len(list); i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", value_cstr(value_list_at(list, i)));
	s = buf_take(&b, &n);
	return value_str_take(s, n);
}

/* The options of type list of path, each element expanded as a path
 * (in params, so that the invocation shows them so). */
static void archive_expand_params(const struct archive *a)
{
	static const char *const keys[] = {"path", "exclude_path", "exclusion_patterns"};
	const struct value *l;
	struct value *out;
	struct buf b;
	size_t i, k, n;
	char *s;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if ((l = value_map_get(a->params, keys[k]))->type != VALUE_LIST)
			continue;
		out = value_list();
		for (i = 0; i < value_len(l); i++) {
			buf_init(&b, 0);
			pyfmt_expand_path(&b, value_cstr(value_list_at(l, i)), strlen(value_cstr(value_list_at(l, i))),
			                  a->ctx->envp);
			s = buf_take(&b, &n);
			value_list_push(out, value_str_take(s, n));
		}
		value_map_set(a->params, keys[k], out);
	}
}

/* Archive.__init__: the paths, the root and dest. Returns NULL, or a
 * failure result. */
static struct value *archive_setup(struct archive *a)
{
	const char *dest = value_get_str(a->params, "dest", NULL);
	struct value *res;
	size_t i;
	int globby = 0, dummy = 0;

	archive_expand_params(a);
	a->expanded = archive_expand(value_map_get(a->params, "path"), &globby);
	a->excluded = archive_expand(value_map_get(a->params, "exclude_path"), &dummy);
	a->paths = archive_sorted(a->expanded, a->excluded);
	if (value_len(a->paths) == 0) {
		res = module_fail(value_map(), "Error, no source paths were found");
		value_map_set(res, "path", archive_join_list(value_map_get(a->params, "path")));
		value_map_set(res, "expanded_paths", archive_join_list(a->expanded));
		value_map_set(res, "expanded_exclude_paths", archive_join_list(a->excluded));
		return res;
	}
	a->root = archive_common_path(a->paths);
	a->must_archive = value_get_bool(a->params, "force_archive", 0) || globby ||
	                  fileutil_isdir(value_cstr(value_list_at(a->paths, 0))) || value_len(a->paths) > 1;
	if (dest != NULL && dest[0] != '\0')
		a->dest = xstrdup(dest);
	else if (!a->must_archive)
		a->dest = xasprintf("%s.%s", value_cstr(value_list_at(a->paths, 0)), a->format);
	if (a->dest == NULL) {
		res = module_fail(value_map(), "Error, must specify \"dest\" when archiving multiple files or trees");
		/* Ansible's to_native(None). */
		value_map_set(res, "dest", value_str("None"));
		value_map_set(res, "path", archive_join_list(value_map_get(a->params, "path")));
		return res;
	}
	for (i = 0; value_get_bool(a->params, "remove", 0) && i < value_len(a->paths); i++) {
		char *d = fileutil_join(value_cstr(value_list_at(a->paths, i)), "");

		if (fileutil_isdir(d) && strncmp(a->dest, d, strlen(d)) == 0) {
			free(d);
			res = module_fail(value_map(), "Error, created archive can not be contained in source paths when "
			                               "remove=true");
			value_map_set(res, "path", archive_join_list(a->paths));
			return res;
		}
		free(d);
	}
	return NULL;
}

/* remove_targets: what was archived, then the directories given. */
static struct value *archive_remove(struct archive *a)
{
	struct value *errors = value_list(), *res = NULL;
	char *errpath = NULL;
	size_t i, n = value_len(a->archived);
	const char *p;

	for (i = 0; i < n + value_len(a->paths); i++) {
		p = value_cstr(i < n ? value_list_at(a->archived, i) : value_list_at(a->paths, i - n));
		if (fileutil_isdir(p)) {
			if (fileutil_rmtree(p, &errpath) != 0)
				value_list_push(errors, value_str(p));
			free(errpath);
			errpath = NULL;
		} else if (i < n && fileutil_exists(p) && unlink(p) != 0) {
			value_list_push(errors, value_str(p));
		}
	}
	if (value_len(errors) > 0) {
		res = module_fail(value_map(), "Error deleting some source files: ");
		value_map_set(res, "dest", value_str(a->dest));
		value_map_set(res, "files", value_ref(errors));
	}
	value_unref(errors);
	return res;
}

static int archive_is_archive(const char *path)
{
	static const char *const ends[] = {".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".tbz2", ".zip"};
	size_t i, n = strlen(path);

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
		if (n >= strlen(ends[i]) && strcasecmp(path + n - strlen(ends[i]), ends[i]) == 0)
			return 1;
	return 0;
}

/* main() after the setup: archive or compress, remove, permissions. */
static struct value *archive_do(struct archive *a)
{
	struct value *fail = NULL, *res;
	const char *first = value_cstr(value_list_at(a->paths, 0));
	size_t i;

	for (i = 0; i < value_len(a->paths); i++) {
		const char *p = value_cstr(value_list_at(a->paths, i));

		value_list_push(fileutil_lexists(p) ? a->targets : a->missing, value_str(p));
	}
	if (value_len(a->targets) == 0) {
		if (fileutil_exists(a->dest))
			a->dest_state = archive_is_archive(a->dest) ? "archive" : "compress";
	} else if (a->ctx->check) {
		a->changed = a->must_archive || !fileutil_exists(a->dest);
	} else {
		if (a->must_archive)
			archive_collect(a);
		else if (!strcmp(a->format, "zip") || !strcmp(a->format, "tar"))
			archive_add(a, first);
		else
			value_list_push(a->archived, value_str(first));
		if ((fail = archive_build(a)) != NULL)
			return fail;
		a->dest_state = !a->must_archive && strcmp(a->format, "zip") && strcmp(a->format, "tar") ? "compress"
		                : value_len(a->missing) > 0                                         ? "incomplete"
		                                                                                    : "archive";
		if (value_get_bool(a->params, "remove", 0)) {
			if (a->must_archive) {
				fail = archive_remove(a);
			} else if (unlink(first) != 0) {
				fail = module_fail(value_map(), "Unable to remove source file: %s", strerror(errno));
				value_map_set(fail, "path", value_str(first));
			}
			if (fail != NULL)
				return fail;
		}
	}
	if (fileutil_exists(a->dest) && fileattr_apply(a->ctx, &a->fa, a->dest, &a->changed, NULL, &fail) != 0)
		return fail;
	res = value_map();
	value_map_set(res, "archived", value_ref(a->archived));
	value_map_set(res, "dest", value_str(a->dest));
	value_map_set(res, "dest_state", value_str(a->dest_state));
	value_map_set(res, "changed", value_bool(a->changed));
	value_map_set(res, "arcroot", value_str(a->root));
	value_map_set(res, "missing", value_ref(a->missing));
	value_map_set(res, "expanded_paths", value_ref(a->expanded));
	value_map_set(res, "expanded_exclude_paths", value_ref(a->excluded));
	return res;
}

MODULE_DEFINE(archive, archive_run, MODULE_CHECK_MODE)
struct value *archive_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown, *warnings = value_list();
	struct archive a;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	if (module_params_spec(ctx, "community.general.archive", archive_spec, ARCHIVE_NSPEC, NULL, warnings, &a.params,
	                       &res) != 0) {
		value_unref(warnings);
		return res;
	}
	fileattr_from_params(&a.fa, a.params);
	a.format = value_get_str(a.params, "format", "gz");
	a.dest_state = "absent";
	a.targets = value_list();
	a.missing = value_list();
	a.archived = value_list();
	a.names = value_list();
	if ((res = archive_setup(&a)) == NULL)
		res = archive_do(&a);
	shown = module_invocation_args(archive_spec, ARCHIVE_NSPEC, a.params);
	fileutil_finish(res, shown, warnings);
	value_unref(shown);
	value_unref(a.expanded);
	value_unref(a.excluded);
	value_unref(a.paths);
	value_unref(a.targets);
	value_unref(a.missing);
	value_unref(a.archived);
	value_unref(a.names);
	value_unref(a.params);
	value_unref(warnings);
	free(a.dest);
	free(a.root);
	return res;
}
