/* Paths, path info, helper programs, backups and atomic writes for the
 * file modules; see fileutil.h. */
#include "modules/fileutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/pyos.h"
#include "data/shlex.h"
#include "modules/pyfmt.h"
#include "modules/runcmd.h"

char *fileutil_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n, k;

	if (slash == NULL)
		return xstrdup("");
	n = (size_t)(slash - path) + 1;
	for (k = 0; k < n && path[k] == '/'; k++)
		;
	if (k == n)
		return xstrndup(path, n);
	while (n > 0 && path[n - 1] == '/')
		n--;
	return xstrndup(path, n);
}

char *fileutil_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return xstrdup(slash != NULL ? slash + 1 : path);
}

char *fileutil_join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/' || n == 0)
		return xstrdup(b);
	return xasprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

char *fileutil_realpath(const char *path)
{
	char *done, *todo, *rest, *cwd, link[PATH_MAX + 1];
	size_t len = 0, cap, n, saved;
	const char *p, *slash;
	struct stat st;
	int hops = 0;
	ssize_t ln;

	if (path[0] != '/' && (cwd = getcwd(NULL, 0)) != NULL) {
		todo = xasprintf("%s/%s", cwd, path);
		free(cwd);
	} else {
		todo = xstrdup(path);
	}
	cap = strlen(todo) + 2;
	done = xmalloc(cap);
	done[0] = '\0';
	for (p = todo; *p != '\0';) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && done[len - 1] != '/')
				len--;
			len -= len > 0;
			done[len] = '\0';
		} else if (!(n == 1 && p[0] == '.')) {
			saved = len;
			if (len + n + 2 > cap) {
				cap = (len + n + 2) * 2;
				done = xreallocarray(done, cap, 1);
			}
			done[len++] = '/';
			memcpy(done + len, p, n);
			len += n;
			done[len] = '\0';
			/* A link's target replaces it, and is walked in turn. */
			if (hops < 40 && lstat(done, &st) == 0 && S_ISLNK(st.st_mode) &&
			    (ln = readlink(done, link, PATH_MAX)) > 0) {
				link[ln] = '\0';
				hops++;
				len = link[0] == '/' ? 0 : saved;
				done[len] = '\0';
				rest = xasprintf("%s%s", link, p + n);
				free(todo);
				p = todo = rest;
				continue;
			}
		}
		p += n;
	}
	free(todo);
	if (len == 0) {
		done[0] = '/';
		done[1] = '\0';
	}
	return done;
}

int fileutil_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

int fileutil_lexists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fileutil_isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fileutil_isfile(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int fileutil_islink(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

const char *fileutil_state(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0)
		return "absent";
	if (S_ISLNK(st.st_mode))
		return "link";
	if (S_ISDIR(st.st_mode))
		return "directory";
	if (stat(path, &st) == 0 && st.st_nlink > 1)
		return "hard";
	return "file";
}

struct value *fileutil_mode_str(long long mode)
{
	return value_strf("0%03llo", mode);
}

struct value *fileutil_user_name(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw != NULL ? value_str(pw->pw_name) : value_strf("%u", (unsigned)uid);
}

struct value *fileutil_group_name(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	return gr != NULL ? value_str(gr->gr_name) : value_strf("%u", (unsigned)gid);
}

void fileutil_path_info(struct value *res)
{
	const struct value *p = value_map_get(res, "path");
	struct stat st, fst;
	const char *path;

	if (p == NULL)
		p = value_map_get(res, "dest");
	if (p == NULL || p->type != VALUE_STR || strlen(p->u.s.ptr) != p->u.s.len)
		return;
	path = p->u.s.ptr;
	if (stat(path, &fst) != 0 || lstat(path, &st) != 0)
		return;
	value_map_set(res, "uid", value_int(st.st_uid));
	value_map_set(res, "gid", value_int(st.st_gid));
	value_map_set(res, "owner", fileutil_user_name(st.st_uid));
	value_map_set(res, "group", fileutil_group_name(st.st_gid));
	value_map_set(res, "mode", fileutil_mode_str(st.st_mode & 07777));
	value_map_set(res, "state", value_str(S_ISLNK(st.st_mode)  ? "link"
	                                      : S_ISDIR(st.st_mode) ? "directory"
	                                      : fst.st_nlink > 1    ? "hard"
	                                                            : "file"));
	value_map_set(res, "size", value_int(st.st_size));
}

void fileutil_finish(struct value *res, const struct value *shown, const struct value *warnings)
{
	fileutil_path_info(res);
	module_finish(res, shown, warnings);
}

char *fileutil_oserror(int errnum, const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	pyfmt_oserror(&b, errnum, path, 1);
	return buf_take(&b, NULL);
}

char *fileutil_bin_path(const struct module_ctx *ctx, const char *name)
{
	static const char *const sbin[] = {"/sbin", "/usr/sbin", "/usr/local/sbin"};
	const char *path = pyfmt_getenv(ctx->envp, "PATH"), *p, *colon;
	char *dir, *cand;
	struct stat st;
	size_t i;

	for (p = path; p != NULL; p = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		dir = colon != NULL ? xstrndup(p, (size_t)(colon - p)) : xstrdup(p);
		cand = fileutil_join(dir[0] != '\0' ? dir : ".", name);
		free(dir);
		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	for (i = 0; i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		cand = fileutil_join(sbin[i], name);
		if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode) && access(cand, X_OK) == 0)
			return cand;
		free(cand);
	}
	return NULL;
}

char *fileutil_gettempdir(const struct module_ctx *ctx)
{
	static const char *const envs[] = {"TMPDIR", "TEMP", "TMP"};
	static const char *const dirs[] = {"/tmp", "/var/tmp", "/usr/tmp"};
	const char *cand[7];
	size_t n = 0, i;

	for (i = 0; i < 3; i++)
		if ((cand[n] = pyfmt_getenv(ctx->envp, envs[i])) != NULL && cand[n][0] != '\0')
			n++;
	for (i = 0; i < 3; i++)
		cand[n++] = dirs[i];
	for (i = 0; i < n; i++)
		if (fileutil_isdir(cand[i]) && access(cand[i], W_OK | X_OK) == 0)
			return xstrdup(cand[i]);
	return getcwd(NULL, 0);
}

int fileutil_run(const struct module_ctx *ctx, char *const *argv, int *rcp, struct buf *out, struct buf *err)
{
	return fileutil_run_input(ctx, argv, NULL, rcp, out, err);
}

int fileutil_run_input(const struct module_ctx *ctx, char *const *argv, const char *input, int *rcp, struct buf *out,
                       struct buf *err)
{
	struct runcmd_opts o;
	struct runcmd_result rr;
	int r;

	buf_init(out, 0);
	buf_init(err, 0);
	*rcp = -1;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.envp = ctx->envp;
	o.input = input;
	o.input_len = input != NULL ? strlen(input) : 0;
	o.cap = (size_t)1 << 20;
	o.deadline_ms = ctx->deadline_ms;
	if ((r = runcmd(ctx->loop, &o, &rr)) != 0)
		goto out;
	if (rr.spawn_err != 0) {
		r = rr.spawn_err;
		goto out;
	}
	*rcp = runcmd_rc(rr.status);
	buf_put(out, buf_ptr(&rr.out), buf_avail(&rr.out));
	buf_put(err, buf_ptr(&rr.err), buf_avail(&rr.err));
	r = 0;
out:
	runcmd_result_fini(&rr);
	return r;
}

int fileutil_read(const char *path, size_t max, struct buf *out)
{
	int fd, r;

	buf_init(out, max);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = fd_read_all(fd, out);
	close(fd);
	return r;
}

/* Copies the open file in to a new file at path with the mode, times and
 * owner of st (shutil.copy2, then a chown as preserved_copy does). */
static int fileutil_copy_fd(int in, const struct stat *st, const char *path)
{
	struct timespec times[2];
	char chunk[65536];
	ssize_t n;
	int out, r = ERR_INTERNAL;

	if ((out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0)
		return -errno;
	for (;;) {
		n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		if ((r = fd_write_all(out, chunk, (size_t)n)) != 0)
			goto out;
	}
	if (fchown(out, st->st_uid, st->st_gid) != 0 && errno != EPERM) {
		r = -errno;
		goto out;
	}
	if (fchmod(out, st->st_mode & 07777) != 0 || fsync(out) != 0) {
		r = -errno;
		goto out;
	}
	times[0] = st->st_atim;
	times[1] = st->st_mtim;
	futimens(out, times);
	r = 0;
out:
	if (close(out) != 0 && r == 0)
		r = -errno;
	if (r != 0)
		unlink(path);
	return r;
}

int fileutil_backup(const char *path, char **backupp, struct value **failp)
{
	char stamp[64], *name = NULL, *e;
	struct stat st;
	struct tm tm;
	time_t now = time(NULL);
	int fd = -1, r = ERR_INTERNAL;

	*backupp = NULL;
	*failp = NULL;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d@%H:%M:%S~", &tm);
	name = xasprintf("%s.%ld.%s", path, (long)getpid(), stamp);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0)
		r = -errno;
	else
		r = fileutil_copy_fd(fd, &st, name);
	if (r != 0) {
		e = fileutil_oserror(-r, r == -ENOENT || r == -EACCES ? path : name);
		*failp = module_fail(value_map(), "Could not make backup of %s to %s: %s", path, name, e);
		free(e);
		free(name);
		r = ERR_INVAL;
		goto out;
	}
	*backupp = name;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* validate % path: "%s" replaced, "%%" made "%", as Python's % does. */
static char *fileutil_validate_line(const char *validate, const char *path)
{
	struct buf b;
	const char *p;

	buf_init(&b, 0);
	for (p = validate; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 's') {
			buf_puts(&b, path);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_putc(&b, '%');
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	return buf_take(&b, NULL);
}

/* Runs the validation command on tmp as run_command would (shlex words,
 * each with variables and ~ expanded). Returns 0 when it passes, else
 * ERR_INVAL with *failp. */
static int fileutil_validate(const struct module_ctx *ctx, const struct fileutil_write *w, const char *tmp,
                             struct value **failp)
{
	struct value *words = NULL, *f;
	struct buf out, err, word;
	const char *perr;
	char *line, **argv = NULL;
	size_t i, n;
	int rc, r = ERR_INTERNAL;

	buf_init(&out, 0);
	buf_init(&err, 0);
	if (strstr(w->validate, "%s") == NULL) {
		*failp = module_fail(value_map(), "validate must contain %%s: %s", w->validate);
		r = ERR_INVAL;
		goto out;
	}
	line = fileutil_validate_line(w->validate, tmp);
	r = shlex_split(line, strlen(line), &words, &perr);
	free(line);
	if (r != 0 || value_len(words) == 0) {
		*failp = module_fail(value_map(), "failed to validate: %s", r != 0 ? perr : "empty command");
		r = ERR_INVAL;
		goto out;
	}
	n = value_len(words);
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++) {
		buf_init(&word, 0);
		pyfmt_expand_path(&word, value_list_at(words, i)->u.s.ptr, value_len(value_list_at(words, i)),
		                  ctx->envp);
		argv[i] = buf_take(&word, NULL);
	}
	buf_fini(&out);
	buf_fini(&err);
	if ((r = fileutil_run(ctx, argv, &rc, &out, &err)) != 0) {
		buf_init(&word, 0);
		pyfmt_oserror(&word, r > ERR_BASE ? -r : EIO, argv[0], 0);
		f = module_fail(value_map(), "%s", buf_str(&word));
		value_map_set(f, "rc", value_int(r > ERR_BASE ? -r : EIO));
		buf_fini(&word);
		*failp = f;
		r = ERR_INVAL;
		goto out;
	}
	if (rc != 0) {
		if (w->style == FILEUTIL_VALIDATE_COPY) {
			f = value_map();
			value_map_set(f, "exit_status", value_int(rc));
			value_map_set(f, "stdout", value_strn(buf_ptr(&out), buf_avail(&out)));
			value_map_set(f, "stderr", value_strn(buf_ptr(&err), buf_avail(&err)));
			*failp = module_fail(f, "failed to validate");
		} else {
			*failp = module_fail(value_map(), "failed to validate: rc:%d error:%s", rc, buf_str(&err));
		}
		r = ERR_INVAL;
		goto out;
	}
	r = 0;
out:
	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
	value_unref(words);
	buf_fini(&out);
	buf_fini(&err);
	return r;
}

/* Copies everything from in to out. Returns 0 or -errno. */
static int fileutil_copy_stream(int in, int out)
{
	char chunk[65536];
	ssize_t n;
	int r;

	for (;;) {
		n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if ((r = fd_write_all(out, chunk, (size_t)n)) != 0)
			return r;
	}
}

/* A failure of the write itself: what failed, the OS's words, and that the
 * destination is as it was. */
static struct value *fileutil_write_failure(const char *what, const char *dest, int errnum)
{
	char *e = fileutil_oserror(errnum, NULL);
	struct value *f = module_fail(value_map(), "%s %s: %s (the file was not changed)", what, dest, e);

	free(e);
	return f;
}

/* _unsafe_writes: copies the temporary file over dest in place. */
static int fileutil_write_in_place(const char *tmp, const char *dest, struct value **failp)
{
	int in = -1, out = -1, r = 0;
	char *e;

	if ((in = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || (out = open(dest, O_WRONLY | O_TRUNC | O_CLOEXEC)) < 0 ||
	    (r = fileutil_copy_stream(in, out)) != 0 || (fsync(out) != 0 && (r = -errno) != 0)) {
		e = fileutil_oserror(errno, NULL);
		*failp = module_fail(value_map(), "Could not write data to file (%s) from (%s): %s", dest, tmp, e);
		free(e);
		r = ERR_INVAL;
	}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && r == 0) {
		e = fileutil_oserror(errno, NULL);
		*failp = module_fail(value_map(), "Could not write data to file (%s) from (%s): %s", dest, tmp, e);
		free(e);
		r = ERR_INVAL;
	}
	return r;
}

/* Is path's directory dir (the same directory, however named)? */
static int fileutil_same_dir(const char *path, const char *dir)
{
	char *pd = fileutil_dirname(path);
	struct stat a, b;
	int same;

	same = stat(pd[0] != '\0' ? pd : ".", &a) == 0 && stat(dir[0] != '\0' ? dir : ".", &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	free(pd);
	return same;
}

int fileutil_write_atomic(const struct module_ctx *ctx, const struct fileutil_write *w, struct value **failp)
{
	char *dir = fileutil_dirname(w->dest), *base = fileutil_basename(w->dest), *tmp = NULL, *e;
	int fd = -1, dfd, err, r = ERR_INTERNAL;

	*failp = NULL;
	/* A dot name in the same directory: rename() is atomic only within a
	 * file system, and tools reading *.conf or sudoers.d skip dot files. */
	if (w->adopt != NULL && fileutil_same_dir(w->adopt, dir)) {
		tmp = xstrdup(w->adopt);
		if ((fd = open(tmp, O_WRONLY | O_CLOEXEC)) < 0 || (fsync(fd) != 0 && (r = -errno) != 0)) {
			*failp = fileutil_write_failure("Could not write", w->dest, errno);
			r = ERR_INVAL;
			goto out;
		}
		goto written;
	}
	tmp = xasprintf("%s%s.%.200s.XXXXXX", dir, dir[0] != '\0' ? "/" : "", base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		e = fileutil_oserror(errno, tmp);
		*failp = module_fail(value_map(),
		                     "The destination directory (%s) is not writable by the current user. Error was: %s",
		                     dir[0] != '\0' ? dir : ".", e);
		free(e);
		free(tmp);
		tmp = NULL;
		r = ERR_INVAL;
		goto out;
	}
	if ((r = w->from_fd ? fileutil_copy_stream(w->src_fd, fd) : fd_write_all(fd, w->data, w->len)) != 0 ||
	    (fsync(fd) != 0 && (r = -errno) != 0)) {
		*failp = fileutil_write_failure("Could not write", w->dest, -r);
		r = ERR_INVAL;
		goto out;
	}
written:
	if ((w->plan->uid != geteuid() || w->plan->gid != getegid()) &&
	    fchown(fd, w->plan->uid, w->plan->gid) != 0 && (errno != EPERM || w->plan->chown)) {
		e = fileutil_oserror(errno, w->dest);
		*failp = module_fail(value_map(), "chown failed: %s", e);
		free(e);
		r = ERR_INVAL;
		goto out;
	}
	if (w->times != NULL)
		futimens(fd, w->times);
	if (fchmod(fd, w->plan->mode) != 0) {
		*failp = fileutil_write_failure("Could not set the mode of", w->dest, errno);
		r = ERR_INVAL;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		*failp = fileutil_write_failure("Could not write", w->dest, errno);
		r = ERR_INVAL;
		goto out;
	}
	fd = -1;
	if (w->validate != NULL && (r = fileutil_validate(ctx, w, tmp, failp)) != 0)
		goto out;
	if (rename(tmp, w->dest) != 0) {
		err = errno;
		if (w->unsafe_writes &&
		    (err == EBUSY || err == EXDEV || err == EPERM || err == EACCES || err == ETXTBSY)) {
			r = fileutil_write_in_place(tmp, w->dest, failp);
			goto out;
		}
		e = fileutil_oserror(err, NULL);
		*failp = module_fail(value_map(), "Could not replace file: %s to %s: %s", tmp, w->dest, e);
		free(e);
		r = ERR_INVAL;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	/* The rename is durable only once the directory is. */
	if ((dfd = open(dir[0] != '\0' ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	free(base);
	return r;
}

#define FILEUTIL_MAX_DEPTH 256

static int fileutil_walk_at(const char *top, int followlinks, int strict, fileutil_walk_fn fn, void *arg,
                            char **errpathp, int depth)
{
	struct value *dirs = value_list(), *files = value_list();
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *path;
	size_t i;
	int r = 0;

	if ((d = opendir(top)) == NULL) {
		if (strict) {
			r = -errno;
			*errpathp = xstrdup(top);
		}
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = fileutil_join(top, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			value_list_push(dirs, value_str(de->d_name));
		else
			value_list_push(files, value_str(de->d_name));
		free(path);
	}
	closedir(d);
	if ((r = fn(top, dirs, files, arg)) != 0 || depth >= FILEUTIL_MAX_DEPTH)
		goto out;
	for (i = 0; i < value_len(dirs) && r == 0; i++) {
		path = fileutil_join(top, value_cstr(value_list_at(dirs, i)));
		if (followlinks || !fileutil_islink(path))
			r = fileutil_walk_at(path, followlinks, strict, fn, arg, errpathp, depth + 1);
		free(path);
	}
out:
	value_unref(dirs);
	value_unref(files);
	return r;
}

int fileutil_walk(const char *top, int followlinks, int strict, fileutil_walk_fn fn, void *arg, char **errpathp)
{
	*errpathp = NULL;
	return fileutil_walk_at(top, followlinks, strict, fn, arg, errpathp, 0);
}

/* Removes what directory fd dfd holds; path names it for errors. */
static int fileutil_rmtree_fd(int dfd, const char *path, char **errpathp, int depth)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	char *sub;
	int fd, r = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		*errpathp = xstrdup(path);
		return -errno;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		sub = fileutil_join(path, de->d_name);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
			if (depth >= FILEUTIL_MAX_DEPTH)
				r = -ELOOP;
			else if ((fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
				r = -errno;
			else
				r = fileutil_rmtree_fd(fd, sub, errpathp, depth + 1);
			if (r == 0 && unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) != 0)
				r = -errno;
		} else if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			r = -errno;
		}
		if (r != 0 && *errpathp == NULL)
			*errpathp = xstrdup(sub);
		free(sub);
	}
	closedir(d);
	return r;
}

int fileutil_rmtree(const char *path, char **errpathp)
{
	int fd, r;

	*errpathp = NULL;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		*errpathp = xstrdup(path);
		return -errno;
	}
	if ((r = fileutil_rmtree_fd(fd, path, errpathp, 0)) != 0)
		return r;
	if (rmdir(path) != 0) {
		*errpathp = xstrdup(path);
		return -errno;
	}
	return 0;
}

struct value *fileutil_listdir(const char *path)
{
	return pyos_listdir(path);
}

int fileutil_edit(const struct module_ctx *ctx, const struct fileutil_edit *e, int *attr_changedp, char **backupp,
                  struct value **failp)
{
	struct fileattr rest = *e->fa;
	struct fileattr_plan plan;
	struct fileutil_write w;
	struct stat st;
	char *real = NULL;
	int link = fileutil_islink(e->path), r = ERR_INTERNAL;

	*attr_changedp = 0;
	*backupp = NULL;
	*failp = NULL;
	if (e->changed && !ctx->check) {
		if (e->backup && fileutil_exists(e->path) && (r = fileutil_backup(e->path, backupp, failp)) != 0)
			goto out;
		real = fileutil_realpath(e->path);
		/* Through a link the attributes are the link's own, set
		 * afterwards as Ansible sets them; otherwise on the new file. */
		if (fileattr_plan(link ? &(struct fileattr){NULL, NULL, NULL, NULL} : e->fa, real,
		                  stat(real, &st) == 0 ? &st : NULL, &plan, e->attr_diff, failp) != 0) {
			r = ERR_INVAL;
			goto out;
		}
		memset(&w, 0, sizeof(w));
		w.dest = real;
		w.data = e->data;
		w.len = e->len;
		w.plan = &plan;
		w.validate = e->validate;
		w.style = FILEUTIL_VALIDATE_EDIT;
		w.unsafe_writes = e->unsafe_writes;
		if ((r = fileutil_write_atomic(ctx, &w, failp)) != 0)
			goto out;
		*attr_changedp = plan.changed;
		if (!link)
			rest.mode = NULL, rest.owner = rest.group = NULL;
	}
	if (!(ctx->check && !fileutil_exists(e->path)) &&
	    (r = fileattr_apply(ctx, &rest, e->path, attr_changedp, e->attr_diff, failp)) != 0)
		goto out;
	r = 0;
out:
	if (r != 0) {
		free(*backupp);
		*backupp = NULL;
	}
	free(real);
	return r;
}

int fileutil_makedirs(const char *path)
{
	char *part;
	size_t i, n = strlen(path);
	int r = 0;

	for (i = 1; i <= n && r == 0; i++) {
		if (i < n && path[i] != '/')
			continue;
		part = xstrndup(path, i);
		if (!fileutil_isdir(part) && mkdir(part, 0777) != 0 && errno != EEXIST)
			r = -1;
		free(part);
	}
	return r;
}
