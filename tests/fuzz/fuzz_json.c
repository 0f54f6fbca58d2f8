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

/* The decoder never yields bad UTF-8, so the raw bytes are also encoded as a
 * string and a key: the ASCII encoding must be pure ASCII, and decoding either
 * encoding must give the same string (the input itself when it is UTF-8). */
static void fuzz_raw_string(const uint8_t *data, size_t size)
{
	struct value *m = value_map(), *w[2] = {NULL, NULL};
	struct buf out[2];
	size_t i;
	int k;

	value_map_set_key(m, value_strn((const char *)data, size), value_strn((const char *)data, size));
	for (k = 0; k < 2; k++) {
		buf_init(&out[k], 0);
		if (json_encode(&out[k], m, k ? JSON_ASCII : 0) != 0 ||
		    json_decode(buf_str(&out[k]), out[k].len, NULL, &w[k], NULL) != 0)
			abort();
	}
	for (i = 0; i < out[1].len; i++)
		if ((unsigned char)out[1].data[i] >= 0x80)
			abort();
	if (!value_equal(w[0], w[1]) || value_len(w[0]) != 1 ||
	    !value_equal(value_map_key_at(w[0], 0), value_map_val_at(w[0], 0)))
		abort();
	for (k = 0; k < 2; k++) {
		value_unref(w[k]);
		buf_fini(&out[k]);
	}
	value_unref(m);
}

/* The first 8 bytes as a double: its repr must read back as the same bits. */
static void fuzz_float(const uint8_t *data, size_t size)
{
	struct buf out;
	double f, g;

	if (size < 8)
		return;
	memcpy(&f, data, 8);
	buf_init(&out, 0);
	if (json_put_float(&out, f) != 0)
		abort();
	g = strtod(buf_str(&out), NULL);
	if (isnan(f) ? !isnan(g) : memcmp(&f, &g, 8) != 0)
		abort();
	buf_fini(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v = NULL, *w = NULL;
	struct diag d;
	struct buf out;
	int flags, nan = 0, r;

	fuzz_raw_string(data, size);
	fuzz_float(data, size);
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
