/* slurp, as Ansible's: a whole file, base64-encoded, with the same
 * messages for files that are missing, unreadable or directories. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"

/* The largest file slurped: its base64 form and the rest of the reply must
 * fit in one frame (doc/PROTOCOL.worker). */
#define SLURP_MAX ((size_t)40 << 20)

static const struct module_argspec slurp_spec[] = {
	{"src", MODULE_ARG_PATH, NULL, "path", NULL, MODULE_ARG_REQUIRED},
};

static struct value *slurp_base64(const char *p, size_t n)
{
	struct buf b;
	size_t len;
	char *out;

	buf_init(&b, n / 3 * 4 + 8);
	base64_encode(p, n, &b);
	out = buf_take(&b, &len);
	return value_str_take(out, len);
}

MODULE_DEFINE(slurp, slurp_run, MODULE_CHECK_MODE)
struct value *slurp_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *shown;
	const char *src;
	struct buf data;
	char *e;
	int r;

	if (module_params_spec(ctx, "ansible.legacy.slurp", slurp_spec, 1, NULL, NULL, &params, &res) != 0)
		return res;
	src = value_get_str(params, "src", "");
	if ((r = fileutil_read(src, SLURP_MAX, &data)) != 0) {
		if (r == -ENOENT) {
			res = module_fail(value_map(), "file not found: %s", src);
		} else if (r == -EACCES) {
			res = module_fail(value_map(), "file is not readable: %s", src);
		} else if (r == -EISDIR) {
			res = module_fail(value_map(), "source is a directory and must be a file: %s", src);
		} else if (r == ERR_TOOBIG) {
			res = module_fail(value_map(), "unable to slurp file: %s is over %zu bytes", src, SLURP_MAX);
		} else {
			e = fileutil_oserror(-r, src);
			res = module_fail(value_map(), "unable to slurp file: %s", e);
			free(e);
		}
	} else {
		res = value_map();
		value_map_set(res, "content", slurp_base64(buf_ptr(&data), buf_avail(&data)));
		value_map_set(res, "source", value_str(src));
		value_map_set(res, "encoding", value_str("base64"));
	}
	buf_fini(&data);
	shown = module_invocation_args(slurp_spec, 1, params);
	module_finish(res, shown, NULL);
	value_unref(shown);
	value_unref(params);
	return res;
}
