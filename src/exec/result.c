/* Controller-side completion of module results. */
#include "exec/result.h"

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

	result_add_lines(&r, "stdout", "stdout_lines");
	result_add_lines(&r, "stderr", "stderr_lines");
	return r;
}
