/* Base64 (RFC 4648, standard alphabet, padded), as HTTP Basic credentials
 * and XML-RPC's <base64> carry it. */
#ifndef DROVER_BASE_BASE64_H
#define DROVER_BASE_BASE64_H

#include <stddef.h>

#include "base/buf.h"

/* Appends the encoding of n bytes of p to out. Returns 0 or ERR_TOOBIG. */
int base64_encode(const void *p, size_t n, struct buf *out);

/* Appends the bytes encoded by the n characters of s to out, skipping
 * whitespace as Python's base64.decodebytes does. Returns 0, ERR_PARSE on a
 * character outside the alphabet or misplaced padding, or ERR_TOOBIG. */
int base64_decode(const char *s, size_t n, struct buf *out);

#endif
