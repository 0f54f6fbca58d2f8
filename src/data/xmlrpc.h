/* XML-RPC (xmlrpc.com specification, as Python's xmlrpc.client speaks it):
 * encoding of calls, responses and faults, and decoding of both directions,
 * over the value tree. Libc only, so droverd's control server and droverctl
 * share one codec. The encoder has two layers: streaming putters
 * (xmlrpc_put_*), which droverd's control server uses to write its answers
 * without building a tree, and xmlrpc_encode_* over a value, built on them.
 *
 * Types: <int>, <i4>, <i8> -> VALUE_INT; <boolean> -> VALUE_BOOL; <string>
 * and untyped text -> VALUE_STR; <double> -> VALUE_FLOAT; <array> ->
 * VALUE_LIST; <struct> -> VALUE_MAP (a repeated member name keeps the last
 * value, as a Python dict does); <nil/> -> VALUE_NULL; <base64> -> VALUE_STR
 * of the decoded bytes; <dateTime.iso8601> -> VALUE_STR as written.
 * The encoder writes exactly what xmlrpc.client.dumps() writes for the same
 * Python values, so a peer cannot tell the two apart; bytes that are not
 * UTF-8, and characters XML cannot carry, become U+FFFD so every document
 * parses (where Python would write a document its own peer refuses).
 *
 * The decoder accepts an XML declaration, comments, processing
 * instructions, CDATA, the five named entities and numeric character
 * references; it refuses DOCTYPE (no entity expansion), nesting deeper than
 * XMLRPC_DEPTH_CAP, more than XMLRPC_VALUES_CAP values and documents longer
 * than XMLRPC_SIZE_CAP, so hostile input (droverd's control socket) costs
 * bounded memory and stack. Errors fill a diag with line:col inside the
 * document. */
#ifndef DROVER_DATA_XMLRPC_H
#define DROVER_DATA_XMLRPC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

#define XMLRPC_DEPTH_CAP  32
#define XMLRPC_VALUES_CAP 100000
#define XMLRPC_SIZE_CAP   ((size_t)64 << 20) /* bytes */

/* The putters: each appends one <value> (or a piece of a struct or array)
 * to b and returns 0 or ERR_TOOBIG (the buffer's cap). */
int xmlrpc_put_int(struct buf *b, long long v);
int xmlrpc_put_bool(struct buf *b, int v);
int xmlrpc_put_double(struct buf *b, double f);
int xmlrpc_put_nil(struct buf *b);
int xmlrpc_put_str(struct buf *b, const char *s);
int xmlrpc_put_strn(struct buf *b, const char *s, size_t n);
int xmlrpc_put_array_begin(struct buf *b);
int xmlrpc_put_array_end(struct buf *b);
int xmlrpc_put_struct_begin(struct buf *b);
/* Starts a member; the next put is its value. */
int xmlrpc_put_member(struct buf *b, const char *name);
int xmlrpc_put_member_end(struct buf *b);
int xmlrpc_put_struct_end(struct buf *b);
/* A struct member whose value is an int, boolean or string. */
int xmlrpc_put_kv_int(struct buf *b, const char *key, long long v);
int xmlrpc_put_kv_bool(struct buf *b, const char *key, int v);
int xmlrpc_put_kv_str(struct buf *b, const char *key, const char *v);
/* A fault as a struct value (multicall's results). */
int xmlrpc_put_fault_value(struct buf *b, int code, const char *text);

/* Appends a <methodResponse> carrying the one value already written (by
 * the putters) in val. Returns 0 or ERR_TOOBIG. */
int xmlrpc_wrap_response(const struct buf *val, struct buf *out);

/* Appends a <methodCall> of method with the items of params (a list; NULL
 * for none) to out. Returns 0, ERR_TOOBIG, or ERR_INVAL for a value XML-RPC
 * cannot carry (an integer outside 32 bits, as Python refuses it). */
int xmlrpc_encode_call(const char *method, const struct value *params, struct buf *out);

/* Appends a <methodResponse> carrying v. Returns as xmlrpc_encode_call. */
int xmlrpc_encode_response(const struct value *v, struct buf *out);

/* Appends a <methodResponse> carrying the fault code/msg. Returns 0 or
 * ERR_TOOBIG. */
int xmlrpc_encode_fault(int code, const char *msg, struct buf *out);

/* Decodes a <methodResponse> of len bytes. Returns 0 with *resultp new: the
 * single parameter, or for a fault a map with faultCode and faultString and
 * *faultp set to 1 (0 otherwise). Returns ERR_PARSE (d filled; file names
 * the document in it, may be NULL) or ERR_TOOBIG, with *resultp NULL. */
int xmlrpc_decode_response(const char *text, size_t len, const char *file, struct value **resultp, int *faultp,
                           struct diag *d);

/* Decodes a <methodCall>. Returns 0 with *methodp a new string and
 * *paramsp a new list, or fails as xmlrpc_decode_response. */
int xmlrpc_decode_call(const char *text, size_t len, const char *file, char **methodp, struct value **paramsp,
                       struct diag *d);

#endif
