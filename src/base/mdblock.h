/* The part MD5, SHA-1 and SHA-256 share: input gathered into 64-byte blocks,
 * and the final padding (0x80, zeros, the message length in bits in the last
 * 8 bytes). Each hash supplies only its block function. */
#ifndef DROVER_BASE_MDBLOCK_H
#define DROVER_BASE_MDBLOCK_H

#include <stddef.h>
#include <stdint.h>

struct mdblock {
	uint64_t total;        /* bytes hashed so far */
	unsigned char blk[64]; /* pending partial block */
	size_t nblk;           /* bytes in blk */
};

/* Processes one 64-byte block into the hash state ctx. */
typedef void (*mdblock_fn)(void *ctx, const unsigned char *blk);

void mdblock_init(struct mdblock *m);
/* Feeds n bytes, calling fn for every complete block. */
void mdblock_update(struct mdblock *m, const void *p, size_t n, mdblock_fn fn, void *ctx);
/* Pads and processes the last block(s); the length is little-endian when
 * little_endian (MD5), big-endian otherwise (SHA-1, SHA-256). */
void mdblock_finish(struct mdblock *m, int little_endian, mdblock_fn fn, void *ctx);

#endif
