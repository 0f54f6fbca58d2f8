/* libFuzzer target for data/xmlrpc, the codec of droverd's control server
 * (request bodies from its socket) and of droverctl (responses): any bytes
 * decoded as a response and as a call must never crash, leak or take
 * unbounded work; success means a value and no diagnostic, failure the
 * reverse. A decoded value is encoded again and must decode to the same
 * value, unless a string holds what XML cannot carry as is (a carriage
 * return, which XML turns into a newline, or a byte the encoder replaces
 * with U+FFFD) or an integer XML-RPC cannot carry. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/utf8.h"
#include "data/xmlrpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_same(const struct value *a, const struct value *b)
{
	size_t i;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case VALUE_NULL: return 1;
	case VALUE_BOOL: return a->u.b == b->u.b;
	case VALUE_INT: return a->u.i == b->u.i;
	case VALUE_FLOAT: return (isnan(a->u.f) && isnan(b->u.f)) || a->u.f == b->u.f;
	case VALUE_STR: return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case VALUE_LIST:
		if (a->u.l.len != b->u.l.len)
			return 0;
		for (i = 0; i < a->u.l.len; i++)
			if (!fuzz_same(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	case VALUE_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (i = 0; i < a->u.m.len; i++)
			if (strcmp(value_cstr(a->u.m.ents[i].key), value_cstr(b->u.m.ents[i].key)) != 0 ||
			    !fuzz_same(a->u.m.ents[i].val, b->u.m.ents[i].val))
				return 0;
		return 1;
	}
	return 0;
}

/* Does s hold a CR or anything the encoder replaces (not UTF-8, a control
 * character, U+FFFE or U+FFFF)? */
static int fuzz_lossy_str(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = utf8_next((const unsigned char *)s + i, n - i, &cp);
		if (len == 0 || (cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0xfffe || cp == 0xffff)
			return 1;
		i += len;
	}
	return 0;
}

/* Does v hold a string (or key) that does not survive encoding as is? */
static int fuzz_lossy(const struct value *v)
{
	size_t i;

	switch (v->type) {
	case VALUE_STR: return fuzz_lossy_str(v->u.s.ptr, v->u.s.len);
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			if (fuzz_lossy(v->u.l.items[i]))
				return 1;
		return 0;
	case VALUE_MAP:
		for (i = 0; i < v->u.m.len; i++)
			if (fuzz_lossy(v->u.m.ents[i].key) || fuzz_lossy(v->u.m.ents[i].val))
				return 1;
		return 0;
	default: return 0;
	}
}

static void fuzz_roundtrip(const struct value *v)
{
	struct value *back = NULL;
	struct diag d;
	struct buf b;
	int fault = 0;

	if (fuzz_lossy(v))
		return;
	buf_init(&b, 0);
	diag_init(&d);
	if (xmlrpc_encode_response(v, &b) == 0) {
		if (xmlrpc_decode_response(b.data, b.len, NULL, &back, &fault, &d) != 0 || fault || !fuzz_same(v, back))
			abort();
	}
	value_unref(back);
	diag_fini(&d);
	buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v = NULL, *params = NULL;
	char *method = NULL;
	struct diag d;
	int r, fault = 0;

	diag_init(&d);
	r = xmlrpc_decode_response((const char *)data, size, "fuzz", &v, &fault, &d);
	if ((r == 0) != (v != NULL) || (r != 0) != diag_has(&d))
		abort();
	if (v != NULL)
		fuzz_roundtrip(v);
	value_unref(v);
	diag_fini(&d);
	diag_init(&d);
	r = xmlrpc_decode_call((const char *)data, size, "fuzz", &method, &params, &d);
	if ((r == 0) != (params != NULL) || (r != 0) != diag_has(&d))
		abort();
	if (params != NULL)
		fuzz_roundtrip(params);
	value_unref(params);
	free(method);
	diag_fini(&d);
	return 0;
}
