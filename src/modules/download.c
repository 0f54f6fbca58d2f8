/* The internal module "_download": one chunk of a file on the host, for
 * the controller's fetch, which asks for the chunks in order, a few at a
 * time, and writes them into its own file (doc/PROTOCOL.worker, section
 * 10). Each request opens the file anew, so nothing is held between
 * requests and a connection that dies leaves nothing behind. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/upload.h"

MODULE_DEFINE(_download, download_run, MODULE_CHECK_MODE)
struct value *download_run(const struct module_ctx *ctx)
{
	const char *path = value_get_str(ctx->args, "path", NULL);
	int64_t offset = value_get_int(ctx->args, "offset", -1), len = value_get_int(ctx->args, "length", -1);
	struct value *res;
	size_t got = 0;
	ssize_t n;
	char *p, *e;
	int fd;

	if (path == NULL || offset < 0 || len < 0 || (uint64_t)len > UPLOAD_CHUNK_MAX)
		return module_fail(value_map(), "a download chunk needs path, offset and a length of at most %zu",
		                   UPLOAD_CHUNK_MAX);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		e = fileutil_oserror(errno, path);
		res = module_fail(value_map(), "%s", e);
		free(e);
		return res;
	}
	p = xmalloc((size_t)len + 1);
	while (got < (size_t)len) {
		n = pread(fd, p + got, (size_t)len - got, (off_t)(offset + (int64_t)got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e = fileutil_oserror(errno, path);
			free(p);
			close(fd);
			res = module_fail(value_map(), "%s", e);
			free(e);
			return res;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	p[got] = '\0';
	res = value_map();
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "data", value_str_take(p, got));
	value_map_set(res, "eof", value_bool(got < (size_t)len));
	return res;
}
