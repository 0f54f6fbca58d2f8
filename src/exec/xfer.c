/* copy with a src on the controller. See xfer.h. */
#include "exec/xfer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/pyos.h"
#include "exec/needle.h"
#include "exec/xfer_priv.h"

/* Deepest directory tree walked, and most entries in one. */
#define XFER_MAX_DEPTH 128
#define XFER_MAX_ENTRIES 1000000

/* The file module's arguments the copy action passes on (REAL_FILE_ARGS). */
static const char *const xfer_file_args[] = {
	"mode", "owner", "group", "seuser", "serole", "selevel", "setype", "attributes", "unsafe_writes",
	"state", "path", "_original_basename", "recurse", "force", "_diff_peek", "src",
};

enum xfer_step { XFER_FILES, XFER_DIRS, XFER_LINKS, XFER_DONE };

struct xfer {
	const char *module;        /* "copy", or "unarchive" (one file, always streamed) */
	struct hostconn *hc;
	hostconn_cb cb;
	void *arg;
	struct value *args;        /* owned: the task's arguments */
	struct value *env;         /* owned, or NULL */
	struct value *become;      /* owned, or NULL */
	int check, diff, timeout_s;
	char *source;              /* owned: the local path found, '/' kept as given */
	char *dest;                /* owned: dest, with '/' for a tree */
	struct value *files;       /* owned: [full, rel] pairs */
	struct value *dirs;        /* owned: [full, rel] pairs */
	struct value *links;       /* owned: [target, rel] pairs */
	enum xfer_step step;
	size_t i;                  /* the entry of step being run */
	int changed, executed, follow;
	struct value *last;        /* owned: the last module result */
	/* The file being streamed. */
	int fd;
	int64_t handle;
	uint64_t size, sent;
	int inflight;
	struct value *args_final;  /* owned: the copy request that ends the upload */
	struct value *fail;        /* owned: the first failed chunk's result */
	char *unreachable;         /* owned: the connection's failure, once seen */
	enum conn_phase phase;
};

int xfer_handles(const char *module, const struct value *args)
{
	const char *src = value_get_str(args, "src", NULL), *dest = value_get_str(args, "dest", NULL);

	if (strcmp(module, "fetch") == 0 || strcmp(module, "script") == 0)
		return 1;
	if (strcmp(module, "unarchive") == 0)
		return src != NULL && !value_get_bool(args, "remote_src", 0);
	return strcmp(module, "copy") == 0 && src != NULL && src[0] != '\0' && dest != NULL && dest[0] != '\0' &&
	       value_map_get(args, "content") == NULL && !value_get_bool(args, "remote_src", 0);
}

static void xfer_free(struct xfer *x)
{
	value_unref(x->args);
	value_unref(x->env);
	value_unref(x->become);
	value_unref(x->files);
	value_unref(x->dirs);
	value_unref(x->links);
	value_unref(x->last);
	value_unref(x->args_final);
	value_unref(x->fail);
	fd_close(&x->fd);
	free(x->unreachable);
	free(x->source);
	free(x->dest);
	free(x);
}

void xfer_deliver(hostconn_cb cb, void *arg, struct value *res, const char *unreachable, enum conn_phase phase,
                  const struct value *invocation)
{
	struct hostconn_error e;
	struct value *inv;

	if (unreachable != NULL) {
		memset(&e, 0, sizeof(e));
		e.phase = phase;
		e.msg = unreachable;
		e.unknown_outcome = 1;
		cb(NULL, &e, arg);
		value_unref(res);
		return;
	}
	if (value_map_get(res, "failed") == NULL)
		value_map_set(res, "failed", value_bool(0));
	if (value_map_get(res, "changed") == NULL)
		value_map_set(res, "changed", value_bool(0));
	if (invocation != NULL && value_map_get(res, "invocation") == NULL) {
		inv = value_map();
		value_map_set(inv, "module_args", value_ref((struct value *)invocation));
		value_map_set(res, "invocation", inv);
	}
	cb(res, NULL, arg);
	value_unref(res);
}

/* Hands the task's result (taken) to the caller, with Ansible's
 * _ensure_invocation (the task's own arguments), and frees x. */
static void xfer_finish(struct xfer *x, struct value *res)
{
	xfer_deliver(x->cb, x->arg, res, x->unreachable, x->phase, x->args);
	xfer_free(x);
}

struct value *xfer_failure(const char *fmt, ...)
{
	struct value *r = value_map();
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	value_map_set(r, "failed", value_bool(1));
	value_map_set(r, "msg", value_str(msg));
	free(msg);
	return r;
}

/* --- the source tree, as _walk_dirs --- */

static void xfer_pair(struct value *list, const char *a, const char *b)
{
	struct value *p = value_list();

	value_list_push(p, value_str(a));
	value_list_push(p, value_str(b));
	value_list_push(list, p);
}

struct xfer_walk {
	struct xfer *x;
	int local_follow;
	size_t entries;
	dev_t devs[XFER_MAX_DEPTH];  /* the directories being walked, for loops */
	ino_t inos[XFER_MAX_DEPTH];
	int depth;
};

static int xfer_walk_dir(struct xfer_walk *w, const char *top, const char *rel_base);

static int xfer_is_parent(const struct xfer_walk *w, const struct stat *st)
{
	int i;

	for (i = 0; i < w->depth; i++)
		if (w->devs[i] == st->st_dev && w->inos[i] == st->st_ino)
			return 1;
	return 0;
}

/* One name of a directory: a file, a link, or a directory to visit now
 * (a followed link) or later (*laterp, as os.walk goes down after). */
static int xfer_walk_entry(struct xfer_walk *w, const char *path, const char *rel, struct value *later)
{
	char target[4096], *real;
	struct stat lst, st;
	ssize_t n;
	int r = 0;

	if (++w->entries > XFER_MAX_ENTRIES)
		return ERR_TOOBIG;
	if (lstat(path, &lst) != 0)
		return -errno;
	if (!S_ISLNK(lst.st_mode)) {
		if (S_ISDIR(lst.st_mode)) {
			xfer_pair(w->x->dirs, path, rel);
			xfer_pair(later, path, rel);
		} else {
			xfer_pair(w->x->files, path, rel);
		}
		return 0;
	}
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && w->local_follow && !xfer_is_parent(w, &st)) {
		if ((real = realpath(path, NULL)) == NULL)
			return -errno;
		xfer_pair(w->x->dirs, real, rel);
		r = xfer_walk_dir(w, real, rel);
		free(real);
	} else if (w->local_follow && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((real = realpath(path, NULL)) == NULL)
			return -errno;
		xfer_pair(w->x->files, real, rel);
		free(real);
	} else {
		xfer_pair(w->x->links, target, rel);
	}
	return r;
}

static int xfer_walk_dir(struct xfer_walk *w, const char *top, const char *rel_base)
{
	struct value *names, *later = value_list();
	struct stat st;
	char *path, *rel;
	size_t i;
	int r = 0;

	if (w->depth >= XFER_MAX_DEPTH || stat(top, &st) != 0) {
		value_unref(later);
		return w->depth >= XFER_MAX_DEPTH ? ERR_TOOBIG : -errno;
	}
	w->devs[w->depth] = st.st_dev;
	w->inos[w->depth] = st.st_ino;
	w->depth++;
	if ((names = pyos_listdir(top)) == NULL) {
		r = -errno;
		goto out;
	}
	for (i = 0; i < value_len(names) && r == 0; i++) {
		const char *name = value_cstr(value_list_at(names, i));

		path = xasprintf("%s%s%s", top, top[strlen(top) - 1] == '/' ? "" : "/", name);
		rel = rel_base[0] != '\0' ? xasprintf("%s/%s", rel_base, name) : xstrdup(name);
		r = xfer_walk_entry(w, path, rel, later);
		free(path);
		free(rel);
	}
	for (i = 0; i < value_len(later) && r == 0; i++) {
		const struct value *p = value_list_at(later, i);

		r = xfer_walk_dir(w, value_cstr(value_list_at(p, 0)), value_cstr(value_list_at(p, 1)));
	}
out:
	w->depth--;
	value_unref(names);
	value_unref(later);
	return r;
}

/* --- one file --- */

static void xfer_next(struct xfer *x);
static void xfer_pump(struct xfer *x);

/* The connection failed: the task's outcome is the host's unreachability. */
static void xfer_lost(struct xfer *x, const struct hostconn_error *e)
{
	if (x->unreachable == NULL) {
		x->unreachable = xstrdup(e->msg);
		x->phase = e->phase;
	}
}

/* A module's result for the current entry: the task fails with it, or the
 * walk goes on. */
static void xfer_entry_done(struct xfer *x, const struct value *result)
{
	if (value_get_bool(result, "failed", 0)) {
		xfer_finish(x, value_dup(result));
		return;
	}
	x->executed = 1;
	x->changed = x->changed || value_get_bool(result, "changed", 0);
	value_unref(x->last);
	x->last = value_ref((struct value *)result);
	x->i++;
	xfer_next(x);
}

static void xfer_on_file(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct xfer *x = arg;
	const struct value *h;

	if (e != NULL) {
		xfer_lost(x, e);
		xfer_finish(x, NULL);
		return;
	}
	h = value_map_get(result, "_upload");
	if (h != NULL && h->type == VALUE_INT && x->args_final != NULL && value_map_get(x->args_final, "_upload") == NULL &&
	    !value_get_bool(result, "failed", 0)) {
		x->handle = h->u.i;
		value_map_set(value_mut(&x->args_final), "_upload", value_int(h->u.i));
		xfer_pump(x);
		return;
	}
	value_unref(x->args_final);
	x->args_final = NULL;
	xfer_entry_done(x, result);
}

static void xfer_ignore(const struct value *result, const struct hostconn_error *e, void *arg)
{
	(void)result;
	(void)e;
	(void)arg;
}

/* Every chunk is answered: the copy that uses the upload, or the end. */
static void xfer_upload_end(struct xfer *x)
{
	struct value *a;

	fd_close(&x->fd);
	if (x->unreachable != NULL || x->fail != NULL) {
		a = x->fail;
		x->fail = NULL;
		xfer_finish(x, a);
		return;
	}
	a = x->args_final;
	x->args_final = value_map(); /* marks the upload as done for xfer_on_file */
	value_map_set(x->args_final, "_upload", value_int(x->handle));
	hostconn_module(x->hc, x->module, a, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_file, x);
	value_unref(a);
}

static void xfer_on_chunk(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct xfer *x = arg;

	x->inflight--;
	if (e != NULL)
		xfer_lost(x, e);
	else if (value_get_bool(result, "failed", 0) && x->fail == NULL)
		x->fail = value_dup(result);
	xfer_pump(x);
}

/* Reads the next chunk of the file being sent. Returns its length, or 0
 * with x->fail set. */
static size_t xfer_read_chunk(struct xfer *x, char **pp)
{
	size_t want = x->size - x->sent < XFER_CHUNK ? (size_t)(x->size - x->sent) : XFER_CHUNK, got = 0;
	char *p = xmalloc(want + 1);
	ssize_t n;

	while (got < want) {
		n = pread(x->fd, p + got, want - got, (off_t)(x->sent + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			x->fail = xfer_failure("could not read %s: %s", value_get_str(x->args_final, "src", "?"),
			                       n < 0 ? strerror(errno) : "the file shrank while it was sent");
			free(p);
			return 0;
		}
		got += (size_t)n;
	}
	p[want] = '\0';
	*pp = p;
	return want;
}

/* Keeps XFER_WINDOW chunks in flight until the file is sent or a chunk
 * failed; the replies drive it on. */
static void xfer_pump(struct xfer *x)
{
	struct value *a;
	size_t n;
	char *p;

	while (x->unreachable == NULL && x->fail == NULL && x->inflight < XFER_WINDOW && x->sent < x->size) {
		if (x->fd < 0 && (x->fd = open(value_get_str(x->args_final, "src", ""), O_RDONLY | O_CLOEXEC)) < 0) {
			x->fail = xfer_failure("could not read %s: %s", value_get_str(x->args_final, "src", "?"),
			                       strerror(errno));
			break;
		}
		if ((n = xfer_read_chunk(x, &p)) == 0)
			break;
		a = value_map();
		value_map_set(a, "handle", value_int(x->handle));
		value_map_set(a, "offset", value_int((int64_t)x->sent));
		value_map_set(a, "data", value_str_take(p, n));
		x->inflight++;
		x->sent += n;
		hostconn_module(x->hc, "_upload", a, 0, 0, x->timeout_s, NULL, x->become, xfer_on_chunk, x);
		value_unref(a);
	}
	if (x->fail != NULL && x->unreachable == NULL && x->handle > 0) {
		/* The worker drops the staged file now, not at its exit. */
		a = value_map();
		value_map_set(a, "handle", value_int(x->handle));
		value_map_set(a, "abort", value_bool(1));
		hostconn_module(x->hc, "_upload", a, 0, 0, x->timeout_s, NULL, x->become, xfer_ignore, NULL);
		value_unref(a);
		x->handle = 0;
	}
	if (x->inflight == 0)
		xfer_upload_end(x);
}

/* _create_remote_copy_args plus what _copy_file sets. */
static struct value *xfer_copy_args(struct xfer *x, const char *full, const char *rel, const struct stat *st)
{
	struct value *a = value_dup(x->args);

	value_map_del(a, "content");
	value_map_del(a, "decrypt");
	value_map_set(a, "src", value_str(full));
	value_map_set(a, "dest", value_str(x->dest));
	value_map_set(a, "_original_basename", value_str(rel));
	value_map_set(a, "follow", value_bool(x->follow));
	if (strcmp(value_get_str(x->args, "mode", ""), "preserve") == 0)
		value_map_set(a, "mode", value_strf("0%03o", (unsigned)(st->st_mode & 07777)));
	return a;
}

/* unarchive's archive: always an upload, opened by _upload (which skips
 * the task when creates exists), then the module runs on it. */
static void xfer_archive(struct xfer *x, const char *full, const struct stat *st)
{
	struct value *a = value_dup(x->args), *open = value_map();

	value_map_del(a, "decrypt");
	value_map_set(a, "src", value_str(full));
	x->size = (uint64_t)st->st_size;
	x->sent = 0;
	x->handle = 0;
	value_unref(x->args_final);
	x->args_final = a;
	value_map_set(open, "open", value_str(full));
	if (value_map_get(x->args, "creates") != NULL)
		value_map_set(open, "creates", value_ref(value_map_get(x->args, "creates")));
	hostconn_module(x->hc, "_upload", open, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_file, x);
	value_unref(open);
}

static void xfer_file(struct xfer *x, const char *full, const char *rel)
{
	char sum[DIGEST_MAX_HEX + 1];
	struct value *a;
	struct stat st;
	struct buf b;
	size_t len;
	int r;

	if (stat(full, &st) != 0 || (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))) {
		xfer_finish(x, xfer_failure("could not find src=%s, %s", full, strerror(errno)));
		return;
	}
	if (strcmp(x->module, "unarchive") == 0) {
		xfer_archive(x, full, &st);
		return;
	}
	a = xfer_copy_args(x, full, rel, &st);
	if ((size_t)st.st_size <= XFER_INLINE) {
		buf_init(&b, XFER_INLINE + 1);
		if ((r = file_read(full, &b)) != 0) {
			buf_fini(&b);
			value_unref(a);
			xfer_finish(x, xfer_failure("could not read src=%s: %s", full, err_str(r)));
			return;
		}
		{
			char *p = buf_take(&b, &len);

			value_map_set(a, "_content_b", value_str_take(p, len));
		}
		hostconn_module(x->hc, "copy", a, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_file, x);
		value_unref(a);
		return;
	}
	if ((r = digest_file_hex(DIGEST_SHA1, full, sum)) != 0) {
		value_unref(a);
		xfer_finish(x, xfer_failure("could not read src=%s: %s", full, err_str(r)));
		return;
	}
	value_map_set(a, "_checksum", value_str(sum));
	value_map_set(a, "_size", value_int((int64_t)st.st_size));
	x->size = (uint64_t)st.st_size;
	x->sent = 0;
	x->handle = 0;
	value_unref(x->args_final);
	x->args_final = value_ref(a);
	hostconn_module(x->hc, "copy", a, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_file, x);
	value_unref(a);
}

/* --- directories and links, through the file module --- */

static void xfer_on_aux(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct xfer *x = arg;

	if (e != NULL) {
		xfer_lost(x, e);
		xfer_finish(x, NULL);
		return;
	}
	xfer_entry_done(x, result);
}

/* _create_remote_file_args: the task's arguments the file module knows. */
static struct value *xfer_file_args_of(const struct xfer *x, const char *rel)
{
	struct value *a = value_map();
	const struct value *v;
	size_t i;

	for (i = 0; i < sizeof(xfer_file_args) / sizeof(xfer_file_args[0]); i++)
		if ((v = value_map_get(x->args, xfer_file_args[i])) != NULL)
			value_map_set(a, xfer_file_args[i], value_ref((struct value *)v));
	value_map_set(a, "path", value_strf("%s%s", x->dest, rel));
	return a;
}

static void xfer_dir(struct xfer *x, const char *rel)
{
	struct value *a = xfer_file_args_of(x, rel);
	const struct value *dm = value_map_get(x->args, "directory_mode");

	value_map_set(a, "state", value_str("directory"));
	if (dm != NULL)
		value_map_set(a, "mode", value_ref((struct value *)dm));
	else
		value_map_del(a, "mode");
	value_map_set(a, "recurse", value_bool(0));
	value_map_del(a, "src");
	hostconn_module(x->hc, "file", a, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_aux, x);
	value_unref(a);
}

static void xfer_link(struct xfer *x, const char *target, const char *rel)
{
	struct value *a = xfer_file_args_of(x, rel);

	value_map_set(a, "src", value_str(target));
	value_map_set(a, "state", value_str("link"));
	value_map_set(a, "force", value_bool(1));
	if (value_len(x->dirs) > 0)
		value_map_set(a, "follow", value_bool(0));
	if (strcmp(value_get_str(a, "mode", ""), "preserve") == 0)
		value_map_del(a, "mode");
	hostconn_module(x->hc, "file", a, x->check, x->diff, x->timeout_s, x->env, x->become, xfer_on_aux, x);
	value_unref(a);
}

/* The task's result, as the end of the action plugin's run() builds it. */
static void xfer_done(struct xfer *x)
{
	struct value *res;

	if (x->executed && value_len(x->files) == 1) {
		res = value_dup(x->last);
		if (value_map_get(res, "path") != NULL && value_map_get(res, "dest") == NULL)
			value_map_set(res, "dest", value_ref(value_map_get(res, "path")));
	} else {
		res = value_map();
		value_map_set(res, "dest", value_str(x->dest));
		value_map_set(res, "src", value_str(x->source));
		value_map_set(res, "changed", value_bool(x->changed));
	}
	xfer_finish(x, res);
}

static void xfer_next(struct xfer *x)
{
	const struct value *p;

	for (;;) {
		struct value *list = x->step == XFER_FILES  ? x->files
		                     : x->step == XFER_DIRS ? x->dirs
		                     : x->step == XFER_LINKS ? x->links
		                                             : NULL;

		if (list == NULL) {
			xfer_done(x);
			return;
		}
		if (x->i < value_len(list))
			break;
		x->step++;
		x->i = 0;
	}
	p = value_list_at(x->step == XFER_FILES ? x->files : x->step == XFER_DIRS ? x->dirs : x->links, x->i);
	if (x->step == XFER_FILES)
		xfer_file(x, value_cstr(value_list_at(p, 0)), value_cstr(value_list_at(p, 1)));
	else if (x->step == XFER_DIRS)
		xfer_dir(x, value_cstr(value_list_at(p, 1)));
	else
		xfer_link(x, value_cstr(value_list_at(p, 0)), value_cstr(value_list_at(p, 1)));
}

/* --- the task --- */

/* The source found, its trailing '/' as the task wrote it, walked. Returns
 * NULL or the failure that ends the task. */
static struct value *xfer_sources(struct xfer *x, const struct xfer_task *t)
{
	const char *src = value_get_str(t->args, "src", "");
	int slash = src[strlen(src) - 1] == '/';
	struct xfer_walk w;
	struct value *res;
	struct stat st;
	struct buf m;
	size_t n;
	char *base;
	int r;

	if ((x->source = needle_find("files", src, t->role_path, t->basedir)) == NULL) {
		buf_init(&m, 0);
		needle_not_found("files", src, t->role_path, t->basedir, &m);
		res = xfer_failure("%s", buf_str(&m));
		buf_fini(&m);
		return res;
	}
	n = strlen(x->source);
	if (slash && x->source[n - 1] != '/') {
		base = xasprintf("%s/", x->source);
		free(x->source);
		x->source = base;
	} else if (!slash && n > 1 && x->source[n - 1] == '/') {
		x->source[n - 1] = '\0';
	}
	x->dest = xstrdup(value_get_str(t->args, "dest", ""));
	if (strcmp(x->module, "unarchive") == 0 && stat(x->source, &st) == 0 && S_ISDIR(st.st_mode))
		return xfer_failure("Source '%s' is a directory, unarchive needs an archive file", x->source);
	if (stat(x->source, &st) != 0 || !S_ISDIR(st.st_mode)) {
		base = strrchr(x->source, '/');
		xfer_pair(x->files, x->source, base != NULL ? base + 1 : x->source);
		return NULL;
	}
	memset(&w, 0, sizeof(w));
	w.x = x;
	w.local_follow = value_get_bool(t->args, "local_follow", 1);
	base = strrchr(x->source, '/');
	r = xfer_walk_dir(&w, x->source, slash ? "" : base != NULL ? base + 1 : x->source);
	if (r != 0)
		return xfer_failure("could not read the directory %s: %s", x->source, err_str(r));
	if (x->dest[strlen(x->dest) - 1] != '/') {
		base = xasprintf("%s/", x->dest);
		free(x->dest);
		x->dest = base;
	}
	return NULL;
}

void xfer_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg)
{
	struct xfer *x;
	struct value *res;

	if (strcmp(t->module, "fetch") == 0) {
		xfer_fetch_start(hc, t, cb, arg);
		return;
	}
	if (strcmp(t->module, "script") == 0) {
		xfer_script_start(hc, t, cb, arg);
		return;
	}
	x = xcalloc(1, sizeof(*x));
	x->module = strcmp(t->module, "unarchive") == 0 ? "unarchive" : "copy";
	x->hc = hc;
	x->cb = cb;
	x->arg = arg;
	x->fd = -1;
	x->args = value_ref((struct value *)t->args);
	x->env = t->env != NULL ? value_ref((struct value *)t->env) : NULL;
	x->become = t->become != NULL ? value_ref((struct value *)t->become) : NULL;
	x->check = t->check;
	x->diff = t->diff;
	x->timeout_s = t->timeout_s;
	x->files = value_list();
	x->dirs = value_list();
	x->links = value_list();
	if ((res = xfer_sources(x, t)) != NULL) {
		xfer_finish(x, res);
		return;
	}
	/* A tree's files are copied as they are found, never through links at
	 * the destination (Ansible's follow=False for directories). */
	x->follow = value_len(x->dirs) > 0 ? 0 : value_get_bool(t->args, "follow", 0);
	xfer_next(x);
}
