/* Controller-side completion of module results. */
#include "exec/result.h"

#include <string.h>

#include "data/pystr.h"

static void result_add_lines(struct value **rp, const char *key, const char *lines_key)
{
	const struct value *out = value_map_get(*rp, key);

	if (out == NULL || value_map_get(*rp, lines_key) != NULL)
		return;
	value_map_set(value_mut(rp), lines_key,
	              out->type == VALUE_STR ? pystr_splitlines(out->u.s.ptr, out->u.s.len) : value_list());
}

struct value *result_normalize(const struct value *result)
{
	struct value *r = value_ref((struct value *)result);
	const struct value *rc;

	result_add_lines(&r, "stdout", "stdout_lines");
	result_add_lines(&r, "stderr", "stderr_lines");
	/* A result without `failed` fails on a non-zero rc (modules that
	 * report only rc); without `changed` it changed nothing. */
	if (value_map_get(r, "failed") == NULL) {
		rc = value_map_get(r, "rc");
		value_map_set(value_mut(&r), "failed",
		              value_bool(rc != NULL && !(rc->type == VALUE_INT && rc->u.i == 0) &&
		                         !(rc->type == VALUE_STR && strcmp(rc->u.s.ptr, "0") == 0)));
	}
	if (value_map_get(r, "changed") == NULL)
		value_map_set(value_mut(&r), "changed", value_bool(0));
	return r;
}
