/* Streamed uploads and the internal module "_upload" that receives their
 * chunks. See upload.h and doc/PROTOCOL.worker. */
#include "modules/upload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"

#define UPLOAD_TAG ".drover-up."

struct upload {
	int64_t handle;                   /* 0: slot free */
	char *dest;                       /* owned: the file it is for, for messages */
	struct upload_file f;
	struct digest_ctx sha1, md5;
};

static struct upload upload_slots[UPLOAD_MAX_OPEN];
static int64_t upload_next = 1;
static int upload_atexit_set;

void upload_file_fini(struct upload_file *f)
{
	if (f->path != NULL)
		unlink(f->path);
	free(f->path);
	f->path = NULL;
	fd_close(&f->fd);
}

/* The controller went away mid-transfer: what it sent is not a file. */
static void upload_cleanup(void)
{
	size_t i;

	for (i = 0; i < UPLOAD_MAX_OPEN; i++)
		if (upload_slots[i].handle != 0 && upload_slots[i].f.path != NULL)
			unlink(upload_slots[i].f.path);
}

static struct upload *upload_find(int64_t handle)
{
	size_t i;

	for (i = 0; i < UPLOAD_MAX_OPEN && handle > 0; i++)
		if (upload_slots[i].handle == handle)
			return &upload_slots[i];
	return NULL;
}

static void upload_drop(struct upload *u)
{
	upload_file_fini(&u->f);
	free(u->dest);
	memset(u, 0, sizeof(*u));
	u->f.fd = -1;
}

/* Removes staged files for base in dir whose worker is gone (killed before
 * its exit handler could run). */
static void upload_sweep(const char *dir, const char *base)
{
	size_t blen = strlen(base), tlen = strlen(UPLOAD_TAG);
	struct dirent *de;
	char *path, *end;
	long pid;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strncmp(de->d_name + 1, base, blen) != 0 ||
		    strncmp(de->d_name + 1 + blen, UPLOAD_TAG, tlen) != 0)
			continue;
		pid = strtol(de->d_name + 1 + blen + tlen, &end, 10);
		/* Only a worker that no longer exists: a live one (even one we
		 * may not signal) may still be receiving into its file. */
		if (pid <= 0 || *end != '.' || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = fileutil_join(dir, de->d_name);
		unlink(path);
		free(path);
	}
	closedir(d);
}

int upload_open(const char *dest, int64_t *handlep, char **errp)
{
	char *dir = fileutil_dirname(dest), *base = fileutil_basename(dest), *tmpl = NULL;
	const char *tmpdir = getenv("TMPDIR");
	struct upload *u = NULL;
	size_t i;
	int fd = -1, r = ERR_INTERNAL;

	*handlep = 0;
	*errp = NULL;
	for (i = 0; i < UPLOAD_MAX_OPEN && u == NULL; i++)
		if (upload_slots[i].handle == 0)
			u = &upload_slots[i];
	if (u == NULL) {
		*errp = xasprintf("too many uploads open at once (%d)", UPLOAD_MAX_OPEN);
		r = ERR_TOOBIG;
		goto out;
	}
	if (dir[0] == '\0' || !fileutil_isdir(dir)) {
		free(dir);
		dir = xstrdup(tmpdir != NULL && tmpdir[0] == '/' ? tmpdir : "/tmp");
	}
	upload_sweep(dir, base);
	tmpl = xasprintf("%s/.%.200s" UPLOAD_TAG "%ld.XXXXXX", dir, base, (long)getpid());
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0) {
		r = -errno;
		*errp = fileutil_oserror(errno, tmpl);
		goto out;
	}
	if (!upload_atexit_set && atexit(upload_cleanup) == 0)
		upload_atexit_set = 1;
	memset(u, 0, sizeof(*u));
	u->handle = upload_next++;
	u->dest = xstrdup(dest);
	u->f.fd = fd;
	u->f.path = tmpl;
	tmpl = NULL;
	fd = -1;
	digest_init(&u->sha1, DIGEST_SHA1);
	digest_init(&u->md5, DIGEST_MD5);
	*handlep = u->handle;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	free(tmpl);
	free(dir);
	free(base);
	return r;
}

int upload_take(int64_t handle, struct upload_file *f)
{
	struct upload *u = upload_find(handle);

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if (u == NULL)
		return ERR_NOTFOUND;
	*f = u->f;
	free(u->dest);
	digest_final_hex(&u->sha1, f->sha1);
	digest_final_hex(&u->md5, f->md5);
	memset(u, 0, sizeof(*u));
	u->f.fd = -1;
	return 0;
}

/* One chunk: written at the offset the upload has reached, so a lost or
 * repeated chunk is an error rather than a silently wrong file. */
static struct value *upload_chunk(struct upload *u, int64_t offset, const struct value *data)
{
	struct value *res = value_map();
	char *e;
	int r;

	if (offset < 0 || (uint64_t)offset != u->f.size) {
		module_fail(res, "upload chunk at offset %lld, expected %llu", (long long)offset,
		            (unsigned long long)u->f.size);
		upload_drop(u);
		return res;
	}
	if ((r = fd_write_all(u->f.fd, data->u.s.ptr, data->u.s.len)) != 0) {
		e = fileutil_oserror(-r, NULL);
		module_fail(res, "Could not write %s: %s", u->dest, e);
		free(e);
		upload_drop(u);
		return res;
	}
	digest_update(&u->sha1, data->u.s.ptr, data->u.s.len);
	digest_update(&u->md5, data->u.s.ptr, data->u.s.len);
	u->f.size += data->u.s.len;
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "size", value_int((int64_t)u->f.size));
	return res;
}

/* { open: name } starts an upload of a file the task uses from a private
 * place (an archive for unarchive): a staged file named after name in
 * $TMPDIR or /tmp. With creates naming a path that exists, the task is
 * skipped instead, as the unarchive action skips it before any transfer. */
static struct value *upload_open_run(const struct module_ctx *ctx, const char *name)
{
	const char *creates = value_get_str(ctx->args, "creates", NULL), *tmp = getenv("TMPDIR");
	char *base = fileutil_basename(name), *path, *e;
	struct value *res = value_map();
	int64_t handle;

	if (creates != NULL && creates[0] != '\0' && fileutil_exists(creates)) {
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "skipped", value_bool(1));
		value_map_set(res, "msg", value_strf("skipped, since %s exists", creates));
	} else {
		path = xasprintf("%s/%s", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", base);
		if (upload_open(path, &handle, &e) != 0) {
			module_fail(res, "Could not start the upload of %s: %s", name, e);
			free(e);
		} else {
			value_map_set(res, "changed", value_bool(0));
			value_map_set(res, "_upload", value_int(handle));
		}
		free(path);
	}
	free(base);
	return res;
}

MODULE_DEFINE(_upload, upload_run, MODULE_CHECK_MODE)
struct value *upload_run(const struct module_ctx *ctx)
{
	const struct value *data = value_map_get(ctx->args, "data");
	struct upload *u = upload_find(value_get_int(ctx->args, "handle", 0));

	if (value_get_str(ctx->args, "open", NULL) != NULL)
		return upload_open_run(ctx, value_get_str(ctx->args, "open", NULL));

	if (u == NULL)
		return module_fail(value_map(), "no upload with handle %lld is open",
		                   (long long)value_get_int(ctx->args, "handle", 0));
	if (value_get_bool(ctx->args, "abort", 0)) {
		upload_drop(u);
		return module_fail(value_map(), "upload aborted");
	}
	if (data == NULL || data->type != VALUE_STR || data->u.s.len > UPLOAD_CHUNK_MAX)
		return module_fail(value_map(), "an upload chunk needs data, a string of at most %zu bytes",
		                   UPLOAD_CHUNK_MAX);
	return upload_chunk(u, value_get_int(ctx->args, "offset", -1), data);
}
