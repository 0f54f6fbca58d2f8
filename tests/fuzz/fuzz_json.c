/* libFuzzer target for the JSON codec: decodes arbitrary bytes and, when that
 * succeeds, encodes the tree (with flags taken from the input), decodes the
 * encoding and requires the same tree back, so both directions are fuzzed. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "data/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stricter than value_equal: types must match (an int stays an int), floats
 * must keep their sign, and NaN equals NaN. Sets *nanp when a NaN is seen,
 * since value_equal rightly says NaN != NaN. */
static int fuzz_same(const struct value *a, const struct value *b, int *nanp)
{
	size_t i;
	const struct value *k;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case VALUE_NULL: return 1;
	case VALUE_BOOL: return a->u.b == b->u.b;
	case VALUE_INT: return a->u.i == b->u.i;
	case VALUE_FLOAT:
		if (isnan(a->u.f) || isnan(b->u.f))
			return *nanp = 1, isnan(a->u.f) && isnan(b->u.f);
		return a->u.f == b->u.f && !signbit(a->u.f) == !signbit(b->u.f);
	case VALUE_STR:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case VALUE_LIST:
		if (a->u.l.len != b->u.l.len)
			return 0;
		for (i = 0; i < a->u.l.len; i++)
			if (!fuzz_same(a->u.l.items[i], b->u.l.items[i], nanp))
				return 0;
		return 1;
	case VALUE_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (i = 0; i < a->u.m.len; i++) {
			k = a->u.m.ents[i].key;
			if (value_map_getn(b, k->u.s.ptr, k->u.s.len) == NULL ||
			    !fuzz_same(a->u.m.ents[i].val, value_map_getn(b, k->u.s.ptr, k->u.s.len), nanp))
				return 0;
		}
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v = NULL, *w = NULL;
	struct diag d;
	struct buf out;
	int flags, nan = 0, r;

	diag_init(&d);
	buf_init(&out, 0);
	r = json_decode((const char *)data, size, "fuzz", &v, &d);
	if (r != 0) {
		if (d.msg == NULL || v != NULL)
			abort();
		goto out;
	}
	/* The last byte picks the flags; it is usually whitespace or a bracket,
	 * so this varies across the corpus without a separate input format. */
	flags = size ? data[size - 1] : 0;
	flags = (flags & 3) | (flags & 4 ? JSON_INDENT((flags >> 3) & 3) : 0);
	if (json_encode(&out, v, flags) != 0)
		abort();
	diag_fini(&d);
	if (json_decode(buf_str(&out), out.len, NULL, &w, &d) != 0)
		abort();
	if (!fuzz_same(v, w, &nan) || (!nan && !value_equal(v, w)))
		abort();
out:
	value_unref(v);
	value_unref(w);
	buf_fini(&out);
	diag_fini(&d);
	return 0;
}
