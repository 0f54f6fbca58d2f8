/* SHA-256 (FIPS 180-4), small and dependency-free: the worker names itself
 * by the hash of its executable, and the controller names cached workers
 * the same way. */
#ifndef DROVER_BASE_SHA256_H
#define DROVER_BASE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "base/mdblock.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN 64

struct sha256_ctx {
	uint32_t h[8];
	struct mdblock m;       /* input not yet hashed, and the length */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *p, size_t n);
/* Writes the digest to out and leaves c unusable until sha256_init. */
void sha256_final(struct sha256_ctx *c, unsigned char out[SHA256_LEN]);

/* One-shot: writes the lower-case hex digest of p[0..n) and a NUL to hex. */
void sha256_hex(const void *p, size_t n, char hex[SHA256_HEX_LEN + 1]);
/* Writes the lower-case hex digest of the file at path to hex. Returns 0 or
 * -errno. */
int sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1]);

#endif
