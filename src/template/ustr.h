/* Unicode text as Python's str sees it, over UTF-8 bytes: code point
 * decoding, lengths and offsets in characters, and the character properties
 * and case mappings Python's str methods use (tables generated from
 * Python's unicodedata, see tests/template/gen_unicode.py).
 *
 * Bytes that are not valid UTF-8 count as one character each (as Python's
 * surrogateescape would keep them), so every byte string is handled. */
#ifndef DROVER_TEMPLATE_USTR_H
#define DROVER_TEMPLATE_USTR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Decodes the character at s (n > 0 bytes left) into *cpp; returns the
 * bytes it takes (1 to 4). An invalid byte decodes as 0xDC00 + byte. */
size_t ustr_decode(const char *s, size_t n, uint32_t *cpp);
/* Appends the UTF-8 form of cp (a 0xDC80..0xDCFF escape becomes its raw
 * byte again). Returns 0 or ERR_TOOBIG. */
int ustr_put(struct buf *out, uint32_t cp);
/* Encodes cp into out (4 bytes room); returns the length. */
size_t ustr_encode(uint32_t cp, char *out);

/* Characters in n bytes at s. */
size_t ustr_len(const char *s, size_t n);
/* Byte offset of character index i (or n when i is past the end). */
size_t ustr_offset(const char *s, size_t n, size_t i);
/* Returns non-zero when every byte of s is ASCII (character index = byte
 * offset). */
int ustr_is_ascii(const char *s, size_t n);

/* Python's str properties of one character. */
int ustr_isspace(uint32_t cp);
int ustr_isalpha(uint32_t cp);
int ustr_isdigit(uint32_t cp);
int ustr_isdecimal(uint32_t cp);
int ustr_isnumeric(uint32_t cp);
int ustr_isprintable(uint32_t cp);
int ustr_islower(uint32_t cp);
int ustr_isupper(uint32_t cp);
int ustr_istitle(uint32_t cp);
int ustr_iscased(uint32_t cp);

enum ustr_case { USTR_UPPER, USTR_LOWER, USTR_TITLE };
/* Appends the full case mapping of cp (which may be several characters,
 * as "ß".upper() == "SS"). */
int ustr_put_case(struct buf *out, uint32_t cp, enum ustr_case which);
/* The simple (one character) mapping, used for comparisons. */
uint32_t ustr_simple_case(uint32_t cp, enum ustr_case which);

/* Whole-string conversions as str.upper(), str.lower() (with the final
 * sigma rule), str.title(), str.capitalize(), str.swapcase(). Append to out. */
int ustr_upper(struct buf *out, const char *s, size_t n);
int ustr_lower(struct buf *out, const char *s, size_t n);
int ustr_title(struct buf *out, const char *s, size_t n);
int ustr_capitalize(struct buf *out, const char *s, size_t n);
int ustr_swapcase(struct buf *out, const char *s, size_t n);

/* Length of s without its trailing/leading Python whitespace. */
size_t ustr_rstrip_ws(const char *s, size_t n);
size_t ustr_lstrip_ws(const char *s, size_t n);

#endif
