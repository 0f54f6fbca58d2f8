/* Hexadecimal digits and percent-decoding, shared by the parsers that read
 * them (URLs, regular expressions, template filters, HTTP paths). */
#ifndef DROVER_BASE_HEX_H
#define DROVER_BASE_HEX_H

#include <stddef.h>

/* The value of hex digit c (either case), or -1. */
int hex_digit(int c);

/* Percent-decodes s[0..n) into out, which has room for n + 1 bytes, as
 * urllib's unquote does: "%XX" with two hex digits becomes that byte and
 * anything else is copied as it is; out may be s (decoding in place).
 * Returns the bytes written; out is NUL-terminated. */
size_t hex_unquote(const char *s, size_t n, char *out);

#endif
