/* script, the controller half: the local script is found as Ansible's
 * _find_needle finds it (files/) and sent, with the task's arguments, to
 * the worker's "_script", which does the rest in one request (see
 * src/modules/script.c). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "exec/needle.h"
#include "exec/xfer_priv.h"

/* The largest script sent (as copy's inline contents, FILEUTIL_MAX_TEXT). */
#define XFER_SCRIPT_MAX ((size_t)32 << 20)

/* The script's bytes in _content_b, or why not in _missing. */
static void xfer_script_source(const struct xfer_task *t, const char *name, struct value *a)
{
	char *path = needle_find("files", name, t->role_path, t->basedir), *p;
	struct buf b;
	size_t len;
	int r;

	buf_init(&b, XFER_SCRIPT_MAX);
	if (path == NULL) {
		needle_not_found("files", name, t->role_path, t->basedir, &b);
		value_map_set(a, "_missing", value_str(buf_str(&b)));
	} else if ((r = file_read(path, &b)) != 0) {
		value_map_set(a, "_missing", value_strf("could not read %s: %s", path, err_str(r)));
	} else {
		p = buf_take(&b, &len);
		value_map_set(a, "_content_b", value_str_take(p != NULL ? p : xstrdup(""), p != NULL ? len : 0));
	}
	buf_fini(&b);
	free(path);
}

void xfer_script_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg)
{
	const char *raw = value_get_str(t->args, "_raw_params", ""), *msg;
	struct value *a = value_dup(t->args), *parts = NULL;

	value_map_del(a, "decrypt");
	if (shlex_split(raw, strlen(raw), &parts, &msg) != 0)
		value_map_set(a, "_missing", value_str(msg));
	else if (value_len(parts) == 0)
		value_map_set(a, "_missing", value_str("no script given"));
	else
		xfer_script_source(t, value_cstr(value_list_at(parts, 0)), a);
	hostconn_module(hc, "_script", a, t->check, t->diff, t->timeout_s, t->env, t->become, cb, arg);
	value_unref(parts);
	value_unref(a);
}
