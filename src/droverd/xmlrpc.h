/* XML-RPC as Python's xmlrpc.client writes and reads it, which is what
 * supervisord speaks: a decoder for <methodCall> documents into a small
 * value tree, and an encoder that writes <methodResponse> documents
 * (values, structs, arrays, faults) into a buffer.
 *
 * The decoder is for hostile input: every document is size-capped by the
 * caller, nesting is capped at XMLRPC_MAX_DEPTH and the number of values at
 * XMLRPC_MAX_VALUES; anything else than a well-formed call is refused with
 * a message. Accepted value types: int, i4, i8, boolean, string (and an
 * untyped value), double, array, struct, nil, base64 and dateTime.iso8601
 * (both kept as their text). */
#ifndef DROVER_DROVERD_XMLRPC_H
#define DROVER_DROVERD_XMLRPC_H

#include <stddef.h>

#include "base/buf.h"

#define XMLRPC_MAX_DEPTH  32
#define XMLRPC_MAX_VALUES 100000

enum xr_type {
	XR_INT,
	XR_BOOL,
	XR_STRING,
	XR_DOUBLE,
	XR_ARRAY,
	XR_STRUCT,
	XR_NIL,
};

struct xr_value {
	enum xr_type type;
	long long i; /* XR_INT, XR_BOOL */
	double d;    /* XR_DOUBLE */
	char *s;     /* XR_STRING (also base64, dateTime): owned, NUL-terminated */
	size_t slen;
	struct xr_value **items; /* XR_ARRAY, XR_STRUCT: owned */
	char **keys;             /* XR_STRUCT: owned, one per item */
	size_t n;
};

/* Decodes a <methodCall> of n bytes. Returns 0 with *methodp (new; "" when
 * the call has no <methodName>) and *paramsp (a new XR_ARRAY, empty when
 * the call has no <params>), or ERR_PARSE with *errp a new message. */
int xmlrpc_parse_call(const char *data, size_t n, char **methodp, struct xr_value **paramsp, char **errp);
void xr_free(struct xr_value *v);
/* A struct's member, or NULL. */
const struct xr_value *xr_member(const struct xr_value *v, const char *key);
/* Python's truth of a value (0, "", [] and {} are false). */
int xr_truth(const struct xr_value *v);

/* The encoder: each writes one <value> (text cut at capacity is the
 * buffer's cap; these never fail visibly, the caller caps the buffer
 * generously). Strings are escaped as xmlrpc.client does; bytes that are
 * not UTF-8, and characters XML cannot carry, become U+FFFD so every
 * response parses. */
void xmlrpc_put_int(struct buf *b, long long v);
void xmlrpc_put_bool(struct buf *b, int v);
void xmlrpc_put_str(struct buf *b, const char *s);
void xmlrpc_put_strn(struct buf *b, const char *s, size_t n);
void xmlrpc_put_array_begin(struct buf *b);
void xmlrpc_put_array_end(struct buf *b);
void xmlrpc_put_struct_begin(struct buf *b);
/* Starts a member; the next put is its value. */
void xmlrpc_put_member(struct buf *b, const char *name);
void xmlrpc_put_member_end(struct buf *b);
void xmlrpc_put_struct_end(struct buf *b);
/* A struct member whose value is an int, boolean or string. */
void xmlrpc_put_kv_int(struct buf *b, const char *key, long long v);
void xmlrpc_put_kv_bool(struct buf *b, const char *key, int v);
void xmlrpc_put_kv_str(struct buf *b, const char *key, const char *v);
/* A fault as a struct value (multicall's results). */
void xmlrpc_put_fault_value(struct buf *b, int code, const char *text);

/* Whole documents: a response carrying the one value in val, or a fault. */
void xmlrpc_response(struct buf *out, const struct buf *val);
void xmlrpc_fault(struct buf *out, int code, const char *text);

#endif
