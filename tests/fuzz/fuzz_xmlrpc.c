/* libFuzzer target for droverd's XML-RPC decoder (the control server's
 * request bodies): any input must give a call or a message, never a crash,
 * a leak or unbounded work; a decoded call's values are re-encoded to
 * exercise the encoder on whatever bytes the strings hold. droverd's
 * sources are compiled in here, so the target links with the controller
 * library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/droverd/xmlrpc.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_encode(struct buf *b, const struct xr_value *v)
{
	size_t i;

	switch (v->type) {
	case XR_INT: xmlrpc_put_int(b, v->i); break;
	case XR_BOOL: xmlrpc_put_bool(b, (int)v->i); break;
	case XR_STRING: xmlrpc_put_strn(b, v->s, v->slen); break;
	case XR_ARRAY:
		xmlrpc_put_array_begin(b);
		for (i = 0; i < v->n; i++)
			fuzz_encode(b, v->items[i]);
		xmlrpc_put_array_end(b);
		break;
	case XR_STRUCT:
		xmlrpc_put_struct_begin(b);
		for (i = 0; i < v->n; i++) {
			xmlrpc_put_member(b, v->keys[i]);
			fuzz_encode(b, v->items[i]);
			xmlrpc_put_member_end(b);
		}
		xmlrpc_put_struct_end(b);
		break;
	case XR_DOUBLE:
	case XR_NIL: break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xr_value *params = NULL;
	char *method = NULL, *err = NULL;
	struct buf b, doc;
	int r;

	r = xmlrpc_parse_call((const char *)data, size, &method, &params, &err);
	if ((r == 0) != (err == NULL) || (r == 0) != (params != NULL))
		abort();
	if (r == 0) {
		buf_init(&b, 1 << 24);
		buf_init(&doc, 1 << 24);
		fuzz_encode(&b, params);
		xmlrpc_response(&doc, &b);
		xmlrpc_fault(&doc, 1, method);
		(void)xr_member(params, "x");
		if (params->n > 0)
			(void)xr_truth(params->items[0]);
		buf_fini(&b);
		buf_fini(&doc);
	}
	free(method);
	free(err);
	xr_free(params);
	return 0;
}
