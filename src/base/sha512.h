/* SHA-512 and SHA-384 (FIPS 180-4), for stat's checksum_algorithm. SHA-384
 * is SHA-512 with its own initial value, cut to 48 bytes. */
#ifndef DROVER_BASE_SHA512_H
#define DROVER_BASE_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define SHA512_LEN 64
#define SHA384_LEN 48

struct sha512_ctx {
	uint64_t h[8];
	uint64_t total;         /* bytes hashed so far */
	unsigned char blk[128]; /* pending partial block */
	size_t nblk;            /* bytes in blk */
	size_t outlen;          /* SHA512_LEN or SHA384_LEN */
};

void sha512_init(struct sha512_ctx *c);
void sha384_init(struct sha512_ctx *c);
void sha512_update(struct sha512_ctx *c, const void *p, size_t n);
/* Writes c->outlen bytes of digest to out and leaves c unusable until an
 * init. */
void sha512_final(struct sha512_ctx *c, unsigned char *out);

#endif
