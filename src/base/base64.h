/* Base64 (RFC 4648, standard alphabet, padded), as Python's
 * base64.b64encode writes it. */
#ifndef DROVER_BASE_BASE64_H
#define DROVER_BASE_BASE64_H

#include <stddef.h>

/* Returns the encoding of p[0..n) as a NUL-terminated heap string, its
 * length in *lenp (may be NULL). */
char *base64_encode(const void *p, size_t n, size_t *lenp);

#endif
