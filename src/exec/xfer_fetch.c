/* fetch, as Ansible 2.14's action plugin: a file of the host copied to the
 * controller under dest/<inventory_hostname>/<src> (or dest with flat),
 * only when its SHA-1 differs from the local copy's, streamed in chunks
 * into a temporary file that is renamed into place. See xfer.h. */
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
#include "exec/xfer_priv.h"

struct fetch {
	struct hostconn *hc;
	hostconn_cb cb;
	void *arg;
	int timeout_s;
	struct value *become;              /* owned, or NULL */
	char *src;                         /* owned: the remote path */
	char *dest;                        /* owned: the local file, once known */
	char *tmp;                         /* owned: the temporary file being written, or NULL */
	int fd;                            /* tmp, open; -1 */
	int fail_on_missing, validate;
	char remote_sum[DIGEST_MAX_HEX + 1];
	uint64_t asked;                    /* bytes requested so far */
	int inflight, eof;
	struct digest_ctx sha1, md5;
	struct value *fail;                /* owned: the first failure while receiving */
	char *unreachable;                 /* owned */
	enum conn_phase phase;
};

static void fetch_finish(struct fetch *f, struct value *res)
{
	fd_close(&f->fd);
	if (f->tmp != NULL)
		unlink(f->tmp);
	xfer_deliver(f->cb, f->arg, res, f->unreachable, f->phase, NULL);
	value_unref(f->fail);
	value_unref(f->become);
	free(f->unreachable);
	free(f->src);
	free(f->dest);
	free(f->tmp);
	free(f);
}

static void fetch_lost(struct fetch *f, const struct hostconn_error *e)
{
	if (f->unreachable == NULL) {
		f->unreachable = xstrdup(e->msg);
		f->phase = e->phase;
	}
}

/* os.path.normpath: "." and empty parts dropped, ".." taking back the
 * part before it (kept at the start of a relative path). */
static char *fetch_normpath(const char *path)
{
	size_t n = strlen(path), o = 0, i = 0, len, floor;
	char *out = xmalloc(n + 2);
	int abs = path[0] == '/';

	if (abs)
		out[o++] = '/';
	floor = o;
	while (i < n) {
		while (i < n && path[i] == '/')
			i++;
		for (len = 0; i + len < n && path[i + len] != '/'; len++)
			;
		if (len == 0 || (len == 1 && path[i] == '.')) {
			i += len;
			continue;
		}
		if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
			if (o > floor) {
				while (o > floor && out[o - 1] != '/')
					o--;
				if (o > floor)
					o--;
				i += len;
				continue;
			}
			if (abs) {
				i += len;
				continue;
			}
		}
		if (o > (size_t)abs)
			out[o++] = '/';
		memcpy(out + o, path + i, len);
		o += len;
		i += len;
		/* A relative path going above its start keeps its "..". */
		if (len == 2 && path[i - 2] == '.' && path[i - 1] == '.')
			floor = o;
	}
	if (o == 0)
		out[o++] = '.';
	out[o] = '\0';
	return out;
}

/* The local path, as the plugin builds it. Returns NULL or a failure. */
static struct value *fetch_dest(struct fetch *f, const struct xfer_task *t, const char *dest, int flat)
{
	const char *base = t->basedir != NULL ? t->basedir : ".";
	const char *slash = strrchr(f->src, '/');
	struct stat st;
	char *d;

	if (flat) {
		size_t n = strlen(dest);

		if (stat(dest, &st) == 0 && S_ISDIR(st.st_mode) && dest[n - 1] != '/')
			return xfer_failure("dest is an existing directory, use a trailing slash if you want to fetch "
			                    "src into that directory");
		d = dest[n - 1] == '/' ? xasprintf("%s%s", dest, slash != NULL ? slash + 1 : f->src) : xstrdup(dest);
		if (d[0] != '/') {
			char *abs = xasprintf("%s/%s", base, d);

			free(d);
			d = abs;
		}
	} else {
		d = xasprintf("%s%s%s/%s/%s", dest[0] == '/' ? "" : base, dest[0] == '/' ? "" : "/", dest, t->host,
		              f->src);
	}
	f->dest = fetch_normpath(d);
	free(d);
	return NULL;
}

/* makedirs_safe for the directory of path. */
static int fetch_makedirs(const char *path)
{
	char *p = xstrdup(path);
	size_t i, n = strlen(p);
	int r = 0;

	for (i = 1; i < n && r == 0; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			r = -errno;
		p[i] = '/';
	}
	free(p);
	return r;
}

static void fetch_pump(struct fetch *f);

static void fetch_on_chunk(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct fetch *f = arg;
	const struct value *data;
	int r;

	f->inflight--;
	if (e != NULL) {
		fetch_lost(f, e);
	} else if (f->fail == NULL && value_get_bool(result, "failed", 0)) {
		f->fail = value_dup(result);
	} else if (f->fail == NULL) {
		/* The worker answers in order, so the replies come in file order. */
		data = value_map_get(result, "data");
		if (data == NULL || data->type != VALUE_STR) {
			f->fail = xfer_failure("Failed to fetch the file: the worker sent no data");
		} else if ((r = fd_write_all(f->fd, data->u.s.ptr, data->u.s.len)) != 0) {
			f->fail = xfer_failure("Failed to fetch the file: %s: %s", f->tmp, err_str(r));
		} else {
			digest_update(&f->sha1, data->u.s.ptr, data->u.s.len);
			digest_update(&f->md5, data->u.s.ptr, data->u.s.len);
			if (value_get_bool(result, "eof", 0))
				f->eof = 1;
		}
	}
	fetch_pump(f);
}

/* Everything received: the file goes into place and the result is built. */
static void fetch_received(struct fetch *f)
{
	char sum[DIGEST_MAX_HEX + 1], md5[DIGEST_MAX_HEX + 1];
	struct value *res;

	if (f->unreachable != NULL || f->fail != NULL) {
		res = f->fail;
		f->fail = NULL;
		fetch_finish(f, res);
		return;
	}
	if (fsync(f->fd) != 0 || close(f->fd) != 0 || rename(f->tmp, f->dest) != 0) {
		f->fd = -1;
		fetch_finish(f, xfer_failure("Failed to fetch the file: %s: %s", f->dest, strerror(errno)));
		return;
	}
	f->fd = -1;
	free(f->tmp);
	f->tmp = NULL;
	digest_final_hex(&f->sha1, sum);
	digest_final_hex(&f->md5, md5);
	res = value_map();
	if (f->validate && strcmp(sum, f->remote_sum) != 0) {
		value_map_set(res, "failed", value_bool(1));
		value_map_set(res, "md5sum", value_str(md5));
		value_map_set(res, "msg", value_str("checksum mismatch"));
		value_map_set(res, "file", value_str(f->src));
	} else {
		value_map_set(res, "changed", value_bool(1));
		value_map_set(res, "md5sum", value_str(md5));
	}
	value_map_set(res, "dest", value_str(f->dest));
	value_map_set(res, "remote_md5sum", value_null());
	value_map_set(res, "checksum", value_str(sum));
	value_map_set(res, "remote_checksum", value_str(f->remote_sum));
	fetch_finish(f, res);
}

static void fetch_pump(struct fetch *f)
{
	struct value *a;

	while (f->unreachable == NULL && f->fail == NULL && !f->eof && f->inflight < XFER_WINDOW) {
		a = value_map();
		value_map_set(a, "path", value_str(f->src));
		value_map_set(a, "offset", value_int((int64_t)f->asked));
		value_map_set(a, "length", value_int((int64_t)XFER_CHUNK));
		f->asked += XFER_CHUNK;
		f->inflight++;
		hostconn_module(f->hc, "_download", a, 0, 0, f->timeout_s, NULL, f->become, fetch_on_chunk, f);
		value_unref(a);
	}
	if (f->inflight == 0)
		fetch_received(f);
}

/* The local copy differs: a temporary file next to it, then the chunks. */
static void fetch_transfer(struct fetch *f)
{
	char *dir = xstrdup(f->dest), *slash = strrchr(dir, '/'), *base;
	int r;

	if (slash != NULL)
		*slash = '\0';
	base = strrchr(f->dest, '/');
	if ((r = fetch_makedirs(f->dest)) == 0) {
		f->tmp = xasprintf("%s/.%s.XXXXXX", slash != NULL ? dir : ".", base != NULL ? base + 1 : f->dest);
		if ((f->fd = mkostemp(f->tmp, O_CLOEXEC)) < 0) {
			r = -errno;
			free(f->tmp);
			f->tmp = NULL;
		} else {
			mode_t mask = umask(022);

			/* As a file open() creates: 0666 less the umask. */
			umask(mask);
			fchmod(f->fd, 0666 & ~mask);
		}
	}
	free(dir);
	if (r != 0) {
		fetch_finish(f, xfer_failure("Failed to fetch the file: %s: %s", f->dest, err_str(r)));
		return;
	}
	digest_init(&f->sha1, DIGEST_SHA1);
	digest_init(&f->md5, DIGEST_MD5);
	fetch_pump(f);
}

/* The remote stat: what exists there, and its checksum. */
static void fetch_on_stat(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct fetch *f = arg;
	const struct value *st = value_map_get(result, "stat");
	char local[DIGEST_MAX_HEX + 1] = "", md5[DIGEST_MAX_HEX + 1] = "";
	struct value *res;
	struct stat lst;

	if (e != NULL) {
		fetch_lost(f, e);
		fetch_finish(f, NULL);
		return;
	}
	res = value_map();
	if (value_get_bool(result, "failed", 0) || !value_get_bool(st, "exists", 0)) {
		/* Ansible falls back on slurp, which reports the missing file. */
		if (f->fail_on_missing)
			value_map_set(res, "failed", value_bool(1));
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "file", value_str(f->src));
		value_map_set(res, "msg", value_str("the remote file does not exist, not transferring, ignored"));
		fetch_finish(f, res);
		return;
	}
	if (value_get_bool(st, "isdir", 0)) {
		value_map_set(res, "msg", value_strf("remote file is a directory, fetch cannot work on directories%s",
		                                     f->fail_on_missing ? "" : ", not transferring, ignored"));
		if (f->fail_on_missing) {
			value_map_set(res, "failed", value_bool(1));
			value_map_set(res, "changed", value_bool(0));
		}
		fetch_finish(f, res);
		return;
	}
	snprintf(f->remote_sum, sizeof(f->remote_sum), "%s", value_get_str(st, "checksum", ""));
	if (stat(f->dest, &lst) == 0 && S_ISREG(lst.st_mode))
		digest_file_hex(DIGEST_SHA1, f->dest, local);
	if (strcmp(local, f->remote_sum) != 0) {
		value_unref(res);
		fetch_transfer(f);
		return;
	}
	digest_file_hex(DIGEST_MD5, f->dest, md5);
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "md5sum", value_str(md5));
	value_map_set(res, "file", value_str(f->src));
	value_map_set(res, "dest", value_str(f->dest));
	value_map_set(res, "checksum", value_str(local));
	fetch_finish(f, res);
}

void xfer_fetch_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg)
{
	struct fetch *f = xcalloc(1, sizeof(*f));
	const struct value *src = value_map_get(t->args, "src"), *dest = value_map_get(t->args, "dest");
	struct value *res = NULL, *a;

	f->hc = hc;
	f->cb = cb;
	f->arg = arg;
	f->fd = -1;
	f->timeout_s = t->timeout_s;
	f->become = t->become != NULL ? value_ref((struct value *)t->become) : NULL;
	f->fail_on_missing = value_get_bool(t->args, "fail_on_missing", 1);
	f->validate = value_get_bool(t->args, "validate_checksum", 1);
	if (t->check) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "msg", value_str("check mode not (yet) supported for this module"));
		value_map_set(res, "skipped", value_bool(1));
	} else if (src == NULL || dest == NULL || src->type == VALUE_NULL || dest->type == VALUE_NULL) {
		res = xfer_failure("src and dest are required");
	} else if (src->type != VALUE_STR) {
		res = xfer_failure("Invalid type supplied for source option, it must be a string");
	} else if (dest->type != VALUE_STR || dest->u.s.len == 0) {
		res = xfer_failure("Invalid type supplied for dest option, it must be a string");
	}
	if (res != NULL) {
		fetch_finish(f, res);
		return;
	}
	f->src = xstrdup(src->u.s.ptr);
	if ((res = fetch_dest(f, t, dest->u.s.ptr, value_get_bool(t->args, "flat", 0))) != NULL) {
		fetch_finish(f, res);
		return;
	}
	a = value_map();
	value_map_set(a, "path", value_str(f->src));
	value_map_set(a, "follow", value_bool(1));
	value_map_set(a, "get_checksum", value_bool(1));
	value_map_set(a, "checksum_algorithm", value_str("sha1"));
	value_map_set(a, "get_mime", value_bool(0));
	value_map_set(a, "get_attributes", value_bool(0));
	hostconn_module(hc, "stat", a, 0, 0, t->timeout_s, t->env, f->become, fetch_on_stat, f);
	value_unref(a);
}
