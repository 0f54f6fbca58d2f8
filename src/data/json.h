/* JSON encoding and decoding of value trees.
 *
 * The encoder reproduces Python's json.dumps byte for byte, because drover's
 * output must match Ansible's: separators ", " and ": " (or "," and ": " when
 * indenting), optional key sorting, ensure_ascii, floats printed as Python's
 * repr (1.0, 1e+16, inf as Infinity). Strings that are not valid UTF-8 are
 * encoded with U+FFFD for each bad byte.
 *
 * The decoder accepts RFC 8259 JSON, records file:line:col on every node,
 * and caps depth and total size so hostile input fails with a diagnostic. */
#ifndef DROVER_DATA_JSON_H
#define DROVER_DATA_JSON_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

enum {
	JSON_SORT_KEYS = 1 << 0,   /* sort map keys (Python's sort_keys=True) */
	JSON_ASCII = 1 << 1,       /* escape non-ASCII as \uXXXX (ensure_ascii=True) */
	JSON_INDENT_SHIFT = 8,     /* (indent + 1) << JSON_INDENT_SHIFT; 0 = compact one line */
};
#define JSON_INDENT(n) (((n) + 1) << JSON_INDENT_SHIFT)

#define JSON_MAX_DEPTH 512

/* Appends the encoding of v to out. Returns 0, ERR_TOOBIG (out's cap) or
 * ERR_DEPTH, leaving out as it was on failure. A NULL v encodes as null. */
int json_encode(struct buf *out, const struct value *v, int flags);
/* Returns a heap string with the encoding of v (aborts only on OOM; values
 * deeper than JSON_MAX_DEPTH are encoded as null at the cut). */
char *json_encode_str(const struct value *v, int flags);

/* Appends Python's repr() of a float (shortest round-trip, "1.0", "1e+16",
 * "inf", "nan") to out. json_encode uses "Infinity"/"NaN" instead. */
int json_put_float(struct buf *out, double f);

/* Decodes one JSON text of len bytes (trailing whitespace allowed) into *vp.
 * file (may be NULL) names the input in positions and diagnostics. On error
 * returns ERR_PARSE, ERR_DEPTH or ERR_TOOBIG with d filled (d may be NULL),
 * and *vp is NULL. Beyond RFC 8259 it accepts, as Python's json.loads does,
 * NaN, Infinity and -Infinity, and skips a leading UTF-8 byte order mark.
 * Where Python differs from what a value can hold: integers outside int64
 * become floats, lone surrogate escapes and bytes that are not UTF-8 become
 * U+FFFD. A repeated key keeps its first place and takes the last value.
 * Positions are 1-based, columns counted in bytes. Inputs over 64 MiB and
 * nesting deeper than JSON_MAX_DEPTH fail. */
int json_decode(const char *text, size_t len, const char *file, struct value **vp, struct diag *d);

#endif
