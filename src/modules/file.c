/* file, as Ansible 2.14's: states file, directory, link, hard, touch and
 * absent; owner, group, mode (octal or symbolic) and chattr flags, also
 * recursively; access and modification times ("now", "preserve" or a
 * strptime format); the same messages, result keys and diff. Every failure
 * of Ansible's module (its AnsibleModuleError results) is a result here. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/fmode.h"
#include "modules/module.h"
#include "modules/pyfmt.h"

static const struct module_argspec file_spec[] = {
	{"state", MODULE_ARG_STR, NULL, NULL, "absent,directory,file,hard,link,touch", 0},
	{"path", MODULE_ARG_PATH, NULL, "dest,name", NULL, MODULE_ARG_REQUIRED},
	{"_original_basename", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"recurse", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"force", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"follow", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"_diff_peek", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"src", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"modification_time", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"modification_time_format", MODULE_ARG_STR, "%Y%m%d%H%M.%S", NULL, NULL, 0},
	{"access_time", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"access_time_format", MODULE_ARG_STR, "%Y%m%d%H%M.%S", NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define FILE_NSPEC (sizeof(file_spec) / sizeof(file_spec[0]))

/* A time to set: left alone, the current time, or a fixed one. */
enum file_time_kind { FILE_TIME_PRESERVE, FILE_TIME_NOW, FILE_TIME_AT };

struct file_time {
	enum file_time_kind kind;
	double t; /* seconds since the epoch, with FILE_TIME_AT */
};

struct file_run {
	const struct module_ctx *ctx;
	struct value *params;   /* owned */
	struct value *warnings; /* owned */
	struct fileattr fa;     /* borrows from params */
	int follow, force, recurse;
	struct file_time mtime, atime;
	struct value *fail;     /* owned; set on failure */
};

static const char *file_param(const struct file_run *f, const char *key)
{
	const struct value *v = value_map_get(f->params, key);

	return v != NULL && v->type == VALUE_STR ? v->u.s.ptr : NULL;
}

/* An AnsibleModuleError: a failure result with msg and the given path. */
static int file_error(struct file_run *f, const char *pathkey, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int file_error(struct file_run *f, const char *pathkey, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	value_unref(f->fail);
	f->fail = value_map();
	if (pathkey != NULL)
		value_map_set(f->fail, pathkey, value_str(path));
	module_fail(f->fail, "%s", msg);
	free(msg);
	return ERR_INVAL;
}

/* load_file_common_arguments' path: followed when it is a link and follow
 * is set. */
static char *file_args_path(const struct file_run *f, const char *path)
{
	if (f->follow && fileutil_islink(path))
		return fileutil_realpath(path);
	return xstrdup(path);
}

/* Python's repr() of a str, for strptime's messages. */
static void file_repr(struct buf *b, const char *s)
{
	char q = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' : '\'';

	buf_putc(b, q);
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == q)
			buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\t')
			buf_puts(b, "\\t");
		else if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\x%02x", (unsigned char)*s);
		else
			buf_putc(b, *s);
	}
	buf_putc(b, q);
}

/* get_timestamp_for_time. */
static int file_parse_time(struct file_run *f, const char *value, const char *format, struct file_time *t)
{
	struct tm tm;
	const char *end;
	struct buf b;
	time_t secs;

	if (value == NULL || strcmp(value, "preserve") == 0) {
		t->kind = FILE_TIME_PRESERVE;
		return 0;
	}
	if (strcmp(value, "now") == 0) {
		t->kind = FILE_TIME_NOW;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	tm.tm_year = 70;
	end = strptime(value, format, &tm);
	if (end == NULL || *end != '\0') {
		buf_init(&b, 0);
		if (end == NULL) {
			buf_puts(&b, "time data ");
			file_repr(&b, value);
			buf_puts(&b, " does not match format ");
			file_repr(&b, format);
		} else {
			buf_puts(&b, "unconverted data remains: ");
			buf_puts(&b, end);
		}
		file_error(f, NULL, NULL, "Error while obtaining timestamp for time %s using format %s: %s", value,
		           format, buf_str(&b));
		buf_fini(&b);
		return ERR_INVAL;
	}
	tm.tm_isdst = -1;
	secs = mktime(&tm);
	t->kind = FILE_TIME_AT;
	t->t = (double)secs;
	return 0;
}

static double file_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double file_st_time(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

static struct timespec file_timespec(double t)
{
	struct timespec ts;

	/* floor() without libm, which glibc keeps apart. */
	ts.tv_sec = (time_t)t;
	if ((double)ts.tv_sec > t)
		ts.tv_sec--;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L)
		ts.tv_nsec = 999999999L;
	return ts;
}

static void file_diff_pair(struct value *diff, const char *key, struct value *before, struct value *after)
{
	value_map_set(value_map_get(diff, "before"), key, before);
	value_map_set(value_map_get(diff, "after"), key, after);
}

/* update_timestamp_for_file. Sets *changedp when the times change. */
static int file_update_times(struct file_run *f, const char *path, struct value *diff, int *changedp)
{
	double mtime, atime, prev_m, prev_a;
	struct timespec ts[2];
	struct stat st;
	int both_now = f->mtime.kind == FILE_TIME_NOW && f->atime.kind == FILE_TIME_NOW;
	int e;

	if (f->mtime.kind == FILE_TIME_PRESERVE && f->atime.kind == FILE_TIME_PRESERVE)
		return 0;
	if (stat(path, &st) != 0)
		goto fail;
	prev_m = file_st_time(&st.st_mtim);
	prev_a = file_st_time(&st.st_atim);
	if (both_now) {
		mtime = atime = file_now();
	} else {
		mtime = f->mtime.kind == FILE_TIME_PRESERVE ? prev_m : f->mtime.kind == FILE_TIME_NOW ? file_now()
		                                                                                     : f->mtime.t;
		atime = f->atime.kind == FILE_TIME_PRESERVE ? prev_a : f->atime.kind == FILE_TIME_NOW ? file_now()
		                                                                                     : f->atime.t;
		if (mtime == prev_m && atime == prev_a)
			return 0;
	}
	if (!f->ctx->check) {
		ts[0] = file_timespec(atime);
		ts[1] = file_timespec(mtime);
		/* Both "now": the kernel's own clock, which needs no ownership. */
		if (utimensat(AT_FDCWD, path, both_now ? NULL : ts, 0) != 0)
			goto fail;
	}
	if (diff != NULL) {
		if (value_map_get(diff, "before") == NULL)
			value_map_set(diff, "before", value_map());
		if (value_map_get(diff, "after") == NULL)
			value_map_set(diff, "after", value_map());
		if (mtime != prev_m)
			file_diff_pair(diff, "mtime", value_float(prev_m), value_float(mtime));
		if (atime != prev_a)
			file_diff_pair(diff, "atime", value_float(prev_a), value_float(atime));
	}
	*changedp = 1;
	return 0;
fail:
	e = errno;
	{
		char *msg = fileutil_oserror(e, path);

		file_error(f, "path", path, "Error while updating modification or access time: %s", msg);
		free(msg);
	}
	return ERR_INVAL;
}

/* set_fs_attributes_if_different then the times, on path. */
static int file_attrs(struct file_run *f, const char *path, struct value *diff, int *changedp)
{
	struct value *fail = NULL;

	if (fileattr_apply(f->ctx, &f->fa, path, changedp, diff, &fail) != 0) {
		value_unref(f->fail);
		f->fail = fail;
		return ERR_INVAL;
	}
	return file_update_times(f, path, diff, changedp);
}

struct file_walk_list {
	struct value *dirs, *files;
};

static int file_walk_collect(const char *root, struct value *dirs, struct value *files, void *arg)
{
	struct file_walk_list *l = arg;
	size_t i;

	for (i = 0; i < value_len(dirs); i++)
		value_list_push(l->dirs, value_str_take(fileutil_join(root, value_cstr(value_list_at(dirs, i))),
		                                        strlen(root) + 1 + value_len(value_list_at(dirs, i))));
	for (i = 0; i < value_len(files); i++)
		value_list_push(l->files, value_str_take(fileutil_join(root, value_cstr(value_list_at(files, i))),
		                                         strlen(root) + 1 + value_len(value_list_at(files, i))));
	return 0;
}

/* initial_diff. */
static struct value *file_initial_diff(const char *path, const char *state, const char *prev)
{
	struct value *diff = value_map(), *before = value_map(), *after = value_map(), *content;
	struct file_walk_list l;
	char *errpath;

	value_map_set(before, "path", value_str(path));
	value_map_set(after, "path", value_str(path));
	if (strcmp(prev, state) != 0) {
		value_map_set(before, "state", value_str(prev));
		value_map_set(after, "state", value_str(state));
		if (strcmp(state, "absent") == 0 && strcmp(prev, "directory") == 0) {
			l.dirs = value_list();
			l.files = value_list();
			fileutil_walk(path, 0, 0, file_walk_collect, &l, &errpath);
			free(errpath);
			content = value_map();
			value_map_set(content, "directories", l.dirs);
			value_map_set(content, "files", l.files);
			value_map_set(before, "path_content", content);
		}
	}
	value_map_set(diff, "before", before);
	value_map_set(diff, "after", after);
	return diff;
}

static struct value *file_result(const char *pathkey, const char *path, int changed, struct value *diff)
{
	struct value *res = value_map();

	value_map_set(res, pathkey, value_str(path));
	value_map_set(res, "changed", value_bool(changed));
	if (diff != NULL)
		value_map_set(res, "diff", diff);
	return res;
}

/* The result of the link states: dest, src, changed, diff (taken). */
static struct value *file_link_result(const char *path, const char *src, int changed, struct value *diff)
{
	struct value *res = value_map();

	value_map_set(res, "dest", value_str(path));
	value_map_set(res, "src", src != NULL ? value_str(src) : value_null());
	value_map_set(res, "changed", value_bool(changed));
	value_map_set(res, "diff", diff);
	return res;
}

static struct value *file_absent(struct file_run *f, const char *path)
{
	const char *prev = fileutil_state(path);
	struct value *res, *diff;
	char *errpath = NULL, *e;
	int r;

	if (strcmp(prev, "absent") == 0) {
		res = file_result("path", path, 0, NULL);
		value_map_set(res, "state", value_str("absent"));
		return res;
	}
	diff = file_initial_diff(path, "absent", prev);
	if (!f->ctx->check) {
		if (strcmp(prev, "directory") == 0) {
			if ((r = fileutil_rmtree(path, &errpath)) != 0) {
				e = fileutil_oserror(-r, errpath);
				file_error(f, NULL, NULL, "rmtree failed: %s", e);
				free(e);
				free(errpath);
				value_unref(diff);
				return NULL;
			}
		} else if (unlink(path) != 0 && errno != ENOENT) {
			e = fileutil_oserror(errno, path);
			file_error(f, "path", path, "unlinking failed: %s ", e);
			free(e);
			value_unref(diff);
			return NULL;
		}
	}
	res = file_result("path", path, 1, diff);
	value_map_set(res, "state", value_str("absent"));
	return res;
}

static struct value *file_touch(struct file_run *f, const char *path)
{
	const char *prev = fileutil_state(path);
	struct value *diff, *res;
	char *args_path, *e;
	int changed = 0, fd;

	if (strcmp(prev, "absent") == 0) {
		if (f->ctx->check)
			return file_result("dest", path, 1, NULL);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
			e = fileutil_oserror(errno, path);
			file_error(f, "path", path, "Error, could not touch target: %s", e);
			free(e);
			return NULL;
		}
		close(fd);
		changed = 1;
	}
	diff = file_initial_diff(path, "touch", prev);
	args_path = file_args_path(f, path);
	if (file_attrs(f, args_path, diff, &changed) != 0) {
		if (strcmp(prev, "absent") == 0)
			unlink(path);
		free(args_path);
		value_unref(diff);
		return NULL;
	}
	free(args_path);
	res = file_result("dest", path, changed, diff);
	return res;
}

static struct value *file_file(struct file_run *f, const char *given)
{
	const char *prev = fileutil_state(given);
	char *path = file_args_path(f, given), *real;
	struct value *diff, *res = NULL;
	int changed = 0;

	if (strcmp(prev, "file") != 0 && f->follow && strcmp(prev, "link") == 0) {
		real = fileutil_realpath(given);
		free(path);
		path = real;
		prev = fileutil_state(path);
	}
	if (strcmp(prev, "file") != 0 && strcmp(prev, "hard") != 0) {
		file_error(f, "path", path, "file (%s) is %s, cannot continue", path, prev);
		value_map_set(f->fail, "state", value_str(prev));
		goto out;
	}
	diff = file_initial_diff(path, "file", prev);
	if (file_attrs(f, path, diff, &changed) != 0) {
		value_unref(diff);
		goto out;
	}
	res = file_result("path", path, changed, diff);
out:
	free(path);
	return res;
}

struct file_recurse {
	struct file_run *f;
	int changed;
	int failed;
};

static int file_recurse_dir(struct file_run *f, const char *top, int *changedp);

/* recursive_set_attributes, for one directory's entries. */
static int file_recurse_one(const char *root, struct value *dirs, struct value *files, void *arg)
{
	struct file_recurse *rc = arg;
	struct file_run *f = rc->f;
	struct value *lists[2] = {dirs, files};
	char *path, *target, *link;
	ssize_t n;
	size_t i, k;
	char buf[4096];

	for (k = 0; k < 2; k++) {
		for (i = 0; i < value_len(lists[k]); i++) {
			path = fileutil_join(root, value_cstr(value_list_at(lists[k], i)));
			if (file_attrs(f, path, NULL, &rc->changed) != 0) {
				free(path);
				return ERR_INVAL;
			}
			if (fileutil_islink(path) && f->follow && (n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
				buf[n] = '\0';
				link = xstrdup(buf);
				target = fileutil_join(root, link);
				free(link);
				if (fileutil_exists(target)) {
					if ((fileutil_isdir(target) && file_recurse_dir(f, target, &rc->changed) != 0) ||
					    file_attrs(f, target, NULL, &rc->changed) != 0) {
						free(target);
						free(path);
						return ERR_INVAL;
					}
				}
				free(target);
			}
			free(path);
		}
	}
	return 0;
}

static int file_recurse_dir(struct file_run *f, const char *top, int *changedp)
{
	struct file_recurse rc = {f, 0, 0};
	char *errpath = NULL;
	int r;

	r = fileutil_walk(top, 0, 0, file_recurse_one, &rc, &errpath);
	free(errpath);
	if (rc.changed)
		*changedp = 1;
	return r;
}

static struct value *file_directory(struct file_run *f, const char *given)
{
	const char *prev = fileutil_state(given);
	char *path = file_args_path(f, given), *cur = NULL, *e;
	struct value *diff = NULL, *res = NULL;
	const char *p, *slash;
	int changed = 0;
	size_t n;

	if (f->follow && strcmp(prev, "link") == 0)
		prev = fileutil_state(path);
	else {
		free(path);
		path = xstrdup(given);
	}
	diff = file_initial_diff(path, "directory", prev);
	if (strcmp(prev, "absent") == 0) {
		if (f->ctx->check) {
			res = file_result("path", path, 1, diff);
			diff = NULL;
			goto out;
		}
		/* mkdir -p, each new directory getting the attributes. */
		for (p = path; *p == '/'; p++)
			;
		while (*p != '\0') {
			slash = strchr(p, '/');
			n = slash != NULL ? (size_t)(slash - path) : strlen(path);
			free(cur);
			cur = xstrndup(path, n);
			while (n > 0 && cur[n - 1] == '/')
				cur[--n] = '\0';
			p = slash != NULL ? slash + 1 : p + strlen(p);
			if (n == 0 || fileutil_exists(cur))
				continue;
			if (mkdir(cur, 0777) != 0 && !(errno == EEXIST && fileutil_isdir(cur))) {
				e = fileutil_oserror(errno, cur);
				file_error(f, "path", path, "There was an issue creating %s as requested: %s", cur, e);
				free(e);
				goto out;
			}
			changed = 1;
			if (fileattr_apply(f->ctx, &f->fa, cur, &changed, diff, &res) != 0) {
				value_unref(f->fail);
				f->fail = res;
				res = NULL;
				goto out;
			}
			if (file_update_times(f, path, diff, &changed) != 0)
				goto out;
		}
		res = file_result("path", path, changed, diff);
		diff = NULL;
		goto out;
	}
	if (strcmp(prev, "directory") != 0) {
		file_error(f, "path", path, "%s already exists as a %s", path, prev);
		goto out;
	}
	if (file_attrs(f, path, diff, &changed) != 0)
		goto out;
	if (f->recurse && file_recurse_dir(f, path, &changed) != 0)
		goto out;
	res = file_result("path", path, changed, diff);
	diff = NULL;
out:
	value_unref(diff);
	free(cur);
	free(path);
	return res;
}

static int file_dir_empty(const char *path)
{
	struct file_walk_list l = {value_list(), value_list()};
	char *errpath;
	int empty;

	fileutil_walk(path, 0, 0, file_walk_collect, &l, &errpath);
	free(errpath);
	empty = value_len(l.dirs) == 0 && value_len(l.files) == 0;
	value_unref(l.dirs);
	value_unref(l.files);
	return empty;
}

/* Replaces path by what make() creates at a temporary name next to it,
 * renamed over path (as Ansible does for links and hard links). */
static int file_replace(struct file_run *f, const char *path, const char *src, int hard, int rmdir_first)
{
	char *dir = fileutil_dirname(path), *tmp, *e;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	tmp = xasprintf("%s/.%ld.%ld.%09ld.tmp", dir[0] != '\0' ? dir : ".", (long)getpid(), (long)ts.tv_sec,
	                ts.tv_nsec);
	free(dir);
	if ((rmdir_first && !hard && rmdir(path) != 0) || (rmdir_first && hard && unlink(path) != 0 && errno != ENOENT) ||
	    (hard ? link(src, tmp) : symlink(src, tmp)) != 0 || rename(tmp, path) != 0) {
		e = fileutil_oserror(errno, NULL);
		unlink(tmp);
		free(tmp);
		file_error(f, "path", path, "Error while replacing: %s", e);
		free(e);
		return ERR_INVAL;
	}
	free(tmp);
	return 0;
}

static struct value *file_link(struct file_run *f, const char *path, const char *src)
{
	const char *prev = fileutil_state(path);
	char *src_owned = NULL, *rel, *absrc = NULL, *args_path = NULL, *old = NULL, buf[4096], *e;
	struct value *diff = NULL, *res = NULL;
	int changed = 0;
	ssize_t n;

	if (src == NULL && f->follow && fileutil_exists(path) && (n = readlink(path, buf, sizeof(buf) - 1)) > 0) {
		buf[n] = '\0';
		src = src_owned = xstrdup(buf);
	}
	rel = !fileutil_islink(path) && fileutil_isdir(path) ? xstrdup(path) : fileutil_dirname(path);
	if (src != NULL)
		absrc = fileutil_join(rel, src);
	if (!f->force && src != NULL && !fileutil_exists(absrc)) {
		file_error(f, "path", path,
		           "src file does not exist, use \"force=yes\" if you really want to create the link: %s", absrc);
		value_map_set(f->fail, "src", value_str(src));
		goto out;
	}
	if (strcmp(prev, "directory") == 0) {
		if (!f->force) {
			file_error(f, "path", path, "refusing to convert from %s to symlink for %s", prev, path);
			goto out;
		}
		if (!file_dir_empty(path)) {
			file_error(f, "path", path, "the directory %s is not empty, refusing to convert it", path);
			goto out;
		}
	} else if ((strcmp(prev, "file") == 0 || strcmp(prev, "hard") == 0) && !f->force) {
		file_error(f, "path", path, "refusing to convert from %s to symlink for %s", prev, path);
		goto out;
	}
	diff = file_initial_diff(path, "link", prev);
	if (strcmp(prev, "link") != 0) {
		if (src == NULL) {
			file_error(f, NULL, NULL, "src is required for creating new symlinks");
			goto out;
		}
		changed = 1;
	} else if (src != NULL && (n = readlink(path, buf, sizeof(buf) - 1)) >= 0) {
		buf[n] = '\0';
		if (strcmp(buf, src) != 0) {
			old = xstrdup(buf);
			file_diff_pair(diff, "src", value_str(old), value_str(src));
			changed = 1;
		}
	}
	if (changed && !f->ctx->check) {
		if (strcmp(prev, "absent") != 0) {
			if (file_replace(f, path, src, 0, strcmp(prev, "directory") == 0) != 0)
				goto out;
		} else if (symlink(src, path) != 0) {
			e = fileutil_oserror(errno, NULL);
			file_error(f, "path", path, "Error while linking: %s", e);
			free(e);
			goto out;
		}
	}
	if (!(f->ctx->check && !fileutil_exists(path))) {
		args_path = file_args_path(f, path);
		if (f->follow && fileutil_islink(path) && !fileutil_exists(args_path)) {
			value_list_push(f->warnings, value_str("Cannot set fs attributes on a non-existent symlink target. "
			                                       "follow should be set to False to avoid this."));
		} else if (file_attrs(f, args_path, diff, &changed) != 0) {
			goto out;
		}
	}
	res = file_link_result(path, src, changed, diff);
	diff = NULL;
out:
	value_unref(diff);
	free(src_owned);
	free(rel);
	free(absrc);
	free(args_path);
	free(old);
	return res;
}

static int file_same_inode(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_ino == sb.st_ino && sa.st_dev == sb.st_dev;
}

static struct value *file_hard(struct file_run *f, const char *path, const char *src)
{
	const char *prev = fileutil_state(path);
	char *args_path = file_args_path(f, path), buf[4096], *e;
	struct value *diff = NULL, *res = NULL;
	int changed = 0;
	ssize_t n;

	if (strcmp(prev, "hard") != 0 && src == NULL) {
		file_error(f, NULL, NULL, "src is required for creating new hardlinks");
		goto out;
	}
	if (src != NULL && !fileutil_exists(src)) {
		file_error(f, "dest", path, "src does not exist");
		value_map_set(f->fail, "src", value_str(src));
		goto out;
	}
	diff = file_initial_diff(path, "hard", prev);
	if (strcmp(prev, "absent") == 0) {
		changed = 1;
	} else if (strcmp(prev, "link") == 0) {
		if ((n = readlink(path, buf, sizeof(buf) - 1)) >= 0) {
			buf[n] = '\0';
			if (src == NULL || strcmp(buf, src) != 0) {
				file_diff_pair(diff, "src", value_str(buf), src != NULL ? value_str(src) : value_null());
				changed = 1;
			}
		}
	} else if (strcmp(prev, "hard") == 0) {
		if (src != NULL && !file_same_inode(path, src)) {
			changed = 1;
			if (!f->force) {
				file_error(f, "dest", path, "Cannot link, different hard link exists at destination");
				value_map_set(f->fail, "src", value_str(src));
				goto out;
			}
		}
	} else if (strcmp(prev, "file") == 0) {
		changed = 1;
		if (!f->force) {
			file_error(f, "dest", path, "Cannot link, %s exists at destination", prev);
			value_map_set(f->fail, "src", value_str(src));
			goto out;
		}
	} else {
		changed = 1;
		if (fileutil_exists(path)) {
			if (file_same_inode(path, src)) {
				res = file_result("path", path, 0, NULL);
				goto out;
			}
			if (!f->force) {
				file_error(f, "dest", path, "Cannot link: different hard link exists at destination");
				value_map_set(f->fail, "src", value_str(src));
				goto out;
			}
		}
	}
	if (changed && !f->ctx->check) {
		if (strcmp(prev, "absent") != 0) {
			if (file_replace(f, path, src, 1, strcmp(prev, "directory") == 0) != 0)
				goto out;
		} else if (link(src, path) != 0) {
			e = fileutil_oserror(errno, NULL);
			file_error(f, "path", path, "Error while linking: %s", e);
			free(e);
			goto out;
		}
	}
	if (!(f->ctx->check && !fileutil_exists(path)) && file_attrs(f, args_path, diff, &changed) != 0)
		goto out;
	res = file_link_result(path, src, changed, diff);
	diff = NULL;
out:
	value_unref(diff);
	free(args_path);
	return res;
}

/* additional_parameter_handling: path into a directory, the default
 * state, and the checks between options. Updates f->params as Ansible's
 * module does (the invocation shows the result). */
static int file_prepare(struct file_run *f)
{
	const char *path = file_param(f, "path"), *state = file_param(f, "state");
	const char *base = file_param(f, "_original_basename"), *src = file_param(f, "src"), *prev;
	char *b = NULL, *joined;

	if ((state == NULL || (strcmp(state, "link") != 0 && strcmp(state, "absent") != 0)) &&
	    fileutil_isdir(path)) {
		if ((base == NULL || base[0] == '\0') && src != NULL && src[0] != '\0')
			base = b = fileutil_basename(src);
		if (base != NULL && base[0] != '\0') {
			joined = fileutil_join(path, base);
			value_map_set(f->params, "path", value_str_take(joined, strlen(joined)));
			path = file_param(f, "path");
		}
		free(b);
	}
	prev = fileutil_state(path);
	if (state == NULL) {
		state = strcmp(prev, "absent") != 0 ? prev : f->recurse ? "directory" : "file";
		value_map_set(f->params, "state", value_str(state));
	}
	if (f->recurse && strcmp(state, "directory") != 0)
		return file_error(f, "path", path, "recurse option requires state to be 'directory'");
	if (src != NULL && src[0] != '\0' && strcmp(state, "link") != 0 && strcmp(state, "hard") != 0)
		return file_error(f, "path", path, "src option requires state to be 'link' or 'hard'");
	return 0;
}

/* check_owner_exists / check_group_exists: warnings in check mode. */
static void file_check_names(struct file_run *f)
{
	long long n;

	if (f->fa.owner != NULL && f->fa.owner[0] != '\0') {
		if (fmode_pyint(f->fa.owner, 10, &n) == 0) {
			if (getpwuid((uid_t)n) == NULL)
				value_list_push(f->warnings, value_strf("failed to look up user with uid %s. Create user up to "
				                                        "this point in real play", f->fa.owner));
		} else if (getpwnam(f->fa.owner) == NULL) {
			value_list_push(f->warnings, value_strf("failed to look up user %s. Create user up to this point "
			                                        "in real play", f->fa.owner));
		}
	}
	if (f->fa.group != NULL && f->fa.group[0] != '\0') {
		if (fmode_pyint(f->fa.group, 10, &n) == 0) {
			if (getgrgid((gid_t)n) == NULL)
				value_list_push(f->warnings, value_strf("failed to look up group with gid %s. Create group up "
				                                        "to this point in real play", f->fa.group));
		} else if (getgrnam(f->fa.group) == NULL) {
			value_list_push(f->warnings, value_strf("failed to look up group %s. Create group up to this "
			                                        "point in real play", f->fa.group));
		}
	}
}

/* _diff_peek: does the file look binary (a NUL in its first 8 KiB)? */
static struct value *file_diff_peek(const char *path)
{
	struct value *res = value_map();
	char head[8192];
	ssize_t n = -1;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		n = read(fd, head, sizeof(head));
		close(fd);
	}
	value_map_set(res, "path", value_str(path));
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "appears_binary", value_bool(n > 0 && memchr(head, '\0', (size_t)n) != NULL));
	return res;
}

/* Ansible keeps times as they are unless asked, except touch: "now". */
static const char *file_time_default(const char *given, const char *state)
{
	if (given != NULL)
		return given;
	return strcmp(state, "touch") == 0 ? "now" : "preserve";
}

MODULE_DEFINE(file, file_run, MODULE_CHECK_MODE)
struct value *file_run(const struct module_ctx *ctx)
{
	struct file_run f;
	struct value *res = NULL, *shown;
	const char *state, *path, *src;

	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.warnings = value_list();
	if (module_params_spec(ctx, "ansible.legacy.file", file_spec, FILE_NSPEC, NULL, f.warnings, &f.params,
	                       &res) != 0) {
		value_unref(f.warnings);
		return res;
	}
	f.follow = value_get_bool(f.params, "follow", 1);
	f.force = value_get_bool(f.params, "force", 0);
	f.recurse = value_get_bool(f.params, "recurse", 0);
	if (file_prepare(&f) != 0)
		goto out;
	fileattr_from_params(&f.fa, f.params);
	state = file_param(&f, "state");
	path = file_param(&f, "path");
	src = file_param(&f, "src");
	if (src != NULL && src[0] == '\0')
		src = NULL;
	if (ctx->check && strcmp(state, "absent") != 0)
		file_check_names(&f);
	if (value_map_get(f.params, "_diff_peek")->type != VALUE_NULL) {
		res = file_diff_peek(path);
		goto out;
	}
	if (strcmp(state, "absent") != 0 &&
	    (file_parse_time(&f, file_time_default(file_param(&f, "modification_time"), state),
	                     file_param(&f, "modification_time_format"), &f.mtime) != 0 ||
	     file_parse_time(&f, file_time_default(file_param(&f, "access_time"), state),
	                     file_param(&f, "access_time_format"), &f.atime) != 0))
		goto out;
	if (strcmp(state, "file") == 0)
		res = file_file(&f, path);
	else if (strcmp(state, "directory") == 0)
		res = file_directory(&f, path);
	else if (strcmp(state, "link") == 0)
		res = file_link(&f, path, src);
	else if (strcmp(state, "hard") == 0)
		res = file_hard(&f, path, src);
	else if (strcmp(state, "touch") == 0)
		res = file_touch(&f, path);
	else
		res = file_absent(&f, path);
out:
	if (res == NULL) {
		res = f.fail != NULL ? f.fail : module_fail(value_map(), "internal error");
		f.fail = NULL;
	}
	shown = module_invocation_args(file_spec, FILE_NSPEC, f.params);
	fileutil_finish(res, shown, f.warnings);
	value_unref(shown);
	value_unref(f.fail);
	value_unref(f.params);
	value_unref(f.warnings);
	return res;
}
