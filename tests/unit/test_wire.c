/* The wire value codec: exact encodings, round trips, and refusal of
 * malformed, oversized and too deeply nested input. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "proto/wire.h"
#include "t.h"

static int bytes_eq(const struct buf *b, const char *want, size_t n)
{
	return buf_avail(b) == n && memcmp(buf_ptr(b), want, n) == 0;
}

static void test_scalars(void)
{
	struct buf b;
	struct value *v;

	buf_init(&b, 0);
	T_EQ_INT(wire_encode(&b, NULL), 0);
	T_CHECK(bytes_eq(&b, "N", 1));
	buf_reset(&b);
	v = value_bool(1);
	T_EQ_INT(wire_encode(&b, v), 0);
	value_unref(v);
	v = value_bool(0);
	T_EQ_INT(wire_encode(&b, v), 0);
	value_unref(v);
	T_CHECK(bytes_eq(&b, "TF", 2));
	buf_reset(&b);
	v = value_int(-2);
	T_EQ_INT(wire_encode(&b, v), 0);
	value_unref(v);
	T_CHECK(bytes_eq(&b, "I\xff\xff\xff\xff\xff\xff\xff\xfe", 9));
	buf_reset(&b);
	v = value_float(1.0);
	T_EQ_INT(wire_encode(&b, v), 0);
	value_unref(v);
	T_CHECK(bytes_eq(&b, "D\x3f\xf0\0\0\0\0\0\0", 9));
	buf_reset(&b);
	v = value_strn("a\0\xff", 3);
	T_EQ_INT(wire_encode(&b, v), 0);
	value_unref(v);
	T_CHECK(bytes_eq(&b, "S\0\0\0\3a\0\xff", 8));
	buf_fini(&b);
}

static void test_containers(void)
{
	static const char want[] = "M\0\0\0\2"
	                           "\0\0\0\1k" "L\0\0\0\2" "I\0\0\0\0\0\0\0\7" "N"
	                           "\0\0\0\0" "M\0\0\0\0";
	struct value *m = value_map(), *l = value_list(), *back;
	struct buf b;

	value_list_push(l, value_int(7));
	value_list_push(l, value_null());
	value_map_set(m, "k", l);
	value_map_set(m, "", value_map());
	buf_init(&b, 0);
	T_EQ_INT(wire_encode(&b, m), 0);
	T_CHECK(bytes_eq(&b, want, sizeof(want) - 1));
	T_EQ_INT(wire_decode(buf_ptr(&b), buf_avail(&b), &back), 0);
	T_CHECK(back != NULL && value_equal(m, back));
	/* Order is kept. */
	T_EQ_STR(value_cstr(value_map_key_at(back, 0)), "k");
	value_unref(back);
	value_unref(m);
	buf_fini(&b);
}

static void test_roundtrip_binary(void)
{
	struct value *m = value_map(), *back;
	char bytes[256];
	struct buf b, b2;
	int i;

	for (i = 0; i < 256; i++)
		bytes[i] = (char)i;
	value_map_set(m, "out", value_strn(bytes, sizeof(bytes)));
	value_map_set(m, "nan", value_float(NAN));
	value_map_set(m, "min", value_int(INT64_MIN));
	value_map_set_key(m, value_strn("k\0ey", 4), value_bool(1));
	buf_init(&b, 0);
	buf_init(&b2, 0);
	T_EQ_INT(wire_encode(&b, m), 0);
	T_EQ_INT(wire_decode(buf_ptr(&b), buf_avail(&b), &back), 0);
	T_CHECK(back != NULL);
	T_EQ_INT(value_len(value_map_get(back, "out")), 256);
	T_CHECK(memcmp(value_map_get(back, "out")->u.s.ptr, bytes, 256) == 0);
	T_CHECK(value_map_get(back, "min")->u.i == INT64_MIN);
	T_CHECK(isnan(value_map_get(back, "nan")->u.f));
	T_CHECK(value_map_getn(back, "k\0ey", 4) != NULL);
	/* Canonical: re-encoding gives the same bytes. */
	T_EQ_INT(wire_encode(&b2, back), 0);
	T_CHECK(buf_avail(&b) == buf_avail(&b2) && memcmp(buf_ptr(&b), buf_ptr(&b2), buf_avail(&b)) == 0);
	value_unref(back);
	value_unref(m);
	buf_fini(&b);
	buf_fini(&b2);
}

static int decode_fails(const char *p, size_t n, int want)
{
	struct value *v = (struct value *)1;
	int r = wire_decode(p, n, &v);

	if (v != NULL)
		value_unref(v);
	return r == want && v == NULL;
}

static void test_malformed(void)
{
	T_CHECK(decode_fails("", 0, ERR_PROTO));
	T_CHECK(decode_fails("X", 1, ERR_PROTO));
	T_CHECK(decode_fails("NN", 2, ERR_PROTO));               /* trailing */
	T_CHECK(decode_fails("I\0\0\0", 4, ERR_PROTO));          /* short int */
	T_CHECK(decode_fails("D\0", 2, ERR_PROTO));
	T_CHECK(decode_fails("S\0\0\0\5abc", 8, ERR_PROTO));    /* short string */
	T_CHECK(decode_fails("S\0\0", 3, ERR_PROTO));
	/* Counts larger than what is left are refused before allocation. */
	T_CHECK(decode_fails("L\xff\xff\xff\xff", 5, ERR_PROTO));
	T_CHECK(decode_fails("M\xff\xff\xff\xff", 5, ERR_PROTO));
	T_CHECK(decode_fails("M\0\0\0\1\0\0\0\1", 9, ERR_PROTO)); /* count ok, key missing */
	T_CHECK(decode_fails("M\0\0\0\1\xff\xff\xff\xff" "NNNNNN", 15, ERR_PROTO));
	T_CHECK(decode_fails("M\0\0\0\2\0\0\0\1aN\0\0\0\1aN", 17, ERR_PROTO)); /* duplicate key */
	T_CHECK(decode_fails("L\0\0\0\2N", 6, ERR_PROTO));
}

static void test_depth(void)
{
	struct buf b;
	struct value *v = NULL, *outer, *back;
	int i;

	/* WIRE_MAX_DEPTH nested containers pass, one more does not. */
	buf_init(&b, 0);
	for (i = 0; i < WIRE_MAX_DEPTH; i++) {
		outer = value_list();
		if (v != NULL)
			value_list_push(outer, v);
		v = outer;
	}
	T_EQ_INT(wire_encode(&b, v), 0);
	T_EQ_INT(wire_decode(buf_ptr(&b), buf_avail(&b), &back), 0);
	value_unref(back);
	outer = value_list();
	value_list_push(outer, v);
	buf_reset(&b);
	T_EQ_INT(wire_encode(&b, outer), ERR_DEPTH);
	T_EQ_INT(buf_avail(&b), 0);
	value_unref(outer);
	buf_reset(&b);
	for (i = 0; i <= WIRE_MAX_DEPTH; i++)
		buf_put(&b, "L\0\0\0\1", 5);
	buf_putc(&b, 'N');
	T_CHECK(decode_fails(buf_ptr(&b), buf_avail(&b), ERR_DEPTH));
	buf_fini(&b);
}

static void test_cap(void)
{
	struct value *v = value_strn("0123456789", 10);
	struct buf b;

	buf_init(&b, 12);
	T_EQ_INT(wire_encode(&b, v), ERR_TOOBIG);
	T_EQ_INT(buf_avail(&b), 0);
	buf_fini(&b);
	value_unref(v);
}

int main(void)
{
	T_RUN(test_scalars);
	T_RUN(test_containers);
	T_RUN(test_roundtrip_binary);
	T_RUN(test_malformed);
	T_RUN(test_depth);
	T_RUN(test_cap);
	return T_DONE();
}
