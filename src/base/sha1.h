/* SHA-1 (FIPS 180-4), for Ansible's file "checksum", which is a SHA-1 of the
 * contents: copy, stat and find report it, and idempotence compares it. Not
 * for anything that needs collision resistance. */
#ifndef DROVER_BASE_SHA1_H
#define DROVER_BASE_SHA1_H

#include <stddef.h>
#include <stdint.h>

#include "base/mdblock.h"

#define SHA1_LEN 20

struct sha1_ctx {
	uint32_t h[5];
	struct mdblock m;       /* input not yet hashed, and the length */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *p, size_t n);
/* Writes the digest to out and leaves c unusable until sha1_init. */
void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_LEN]);

/* HMAC-SHA1 (RFC 2104) of msg under key, for the hashed host names of
 * known_hosts files. */
void sha1_hmac(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[SHA1_LEN]);

#endif
