/* The text of a result's "diff" as Ansible's callbacks show it (udiff.h). */
#include "output/udiff.h"

#include <inttypes.h>
#include <string.h>

#include "data/json.h"

/* before or after as the callback compares it: maps serialised, null empty,
 * text as it is (other values as JSON). */
static void udiff_side_text(struct buf *b, const struct value *v)
{
	if (v == NULL || v->type == VALUE_NULL)
		return;
	if (v->type == VALUE_STR) {
		buf_put(b, v->u.s.ptr, v->u.s.len);
		return;
	}
	json_encode(b, v, JSON_SORT_KEYS | JSON_ASCII | (v->type == VALUE_MAP ? JSON_INDENT(4) : 0));
	if (v->type == VALUE_MAP)
		buf_putc(b, '\n');
}

static int udiff_one(struct buf *out, const struct value *d, int ctx)
{
	static const char *const skips[] = {"dst_binary", "destination file appears to be binary",
	                                    "src_binary", "source file appears to be binary"};
	static const char *const larger[] = {"dst_larger", "destination", "src_larger", "source"};
	const struct value *before = value_map_get(d, "before"), *after = value_map_get(d, "after"), *v;
	const char *bh = value_get_str(d, "before_header", NULL), *ah = value_get_str(d, "after_header", NULL);
	size_t start = buf_avail(out), i;

	for (i = 0; i < 4; i += 2)
		if (value_map_get(d, skips[i]) != NULL)
			buf_printf(out, "diff skipped: %s\n", skips[i + 1]);
	for (i = 0; i < 4; i += 2)
		if ((v = value_map_get(d, larger[i])) != NULL)
			buf_printf(out, "diff skipped: %s file size is greater than %" PRId64 "\n", larger[i + 1],
			           v->type == VALUE_INT ? v->u.i : (int64_t)0);
	if (before != NULL && after != NULL) {
		struct buf a, b, from, to;

		buf_init(&a, 0);
		buf_init(&b, 0);
		buf_init(&from, 0);
		buf_init(&to, 0);
		udiff_side_text(&a, before);
		udiff_side_text(&b, after);
		buf_puts(&from, "before");
		buf_puts(&to, "after");
		if (bh != NULL)
			buf_printf(&from, ": %s", bh);
		if (ah != NULL)
			buf_printf(&to, ": %s", ah);
		if (udiff_unified(out, buf_ptr(&a), buf_avail(&a), buf_ptr(&b), buf_avail(&b), buf_str(&from),
		                  buf_str(&to), ctx) > 0)
			buf_putc(out, '\n');
		buf_fini(&a);
		buf_fini(&b);
		buf_fini(&from);
		buf_fini(&to);
	}
	if ((v = value_map_get(d, "prepared")) != NULL && v->type == VALUE_STR)
		buf_put(out, v->u.s.ptr, v->u.s.len);
	return buf_avail(out) > start;
}

int udiff_ansible(struct buf *out, const struct value *diff, int ctx)
{
	size_t i;
	int any = 0;

	if (diff == NULL)
		return 0;
	if (diff->type == VALUE_MAP)
		return udiff_one(out, diff, ctx);
	if (diff->type != VALUE_LIST)
		return 0;
	for (i = 0; i < value_len(diff); i++)
		if (value_list_at(diff, i)->type == VALUE_MAP)
			any |= udiff_one(out, value_list_at(diff, i), ctx);
	return any;
}
