/* Binary-safe encoding of value trees for the worker protocol (see
 * doc/PROTOCOL.worker, "Values"). One codec serves both ends. */
#ifndef DROVER_PROTO_WIRE_H
#define DROVER_PROTO_WIRE_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"

#define WIRE_MAX_DEPTH 128

/* Appends the encoding of v (NULL encodes as null). Returns 0, ERR_TOOBIG or
 * ERR_DEPTH. */
int wire_encode(struct buf *out, const struct value *v);
/* Decodes exactly len bytes as one value. Returns 0 with *vp set, or ERR_PROTO
 * (malformed, trailing bytes) / ERR_DEPTH with *vp NULL. Counts are checked
 * against the bytes left before anything is allocated. */
int wire_decode(const char *p, size_t len, struct value **vp);

#endif
