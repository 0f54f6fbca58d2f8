/* UTF-8 sequences, strictly as Unicode defines them. */
#ifndef DROVER_BASE_UTF8_H
#define DROVER_BASE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Returns the length (1-4) of the well-formed UTF-8 sequence at s (n bytes
 * available), storing its code point in *cpp, or 0 when s does not start
 * one (overlong forms, surrogates and code points past U+10FFFF are not
 * well formed). */
size_t utf8_next(const unsigned char *s, size_t n, uint32_t *cpp);
/* Appends code point cp (at most U+10FFFF) as UTF-8. Returns 0 or
 * ERR_TOOBIG. */
int utf8_put(struct buf *b, uint32_t cp);

#endif
