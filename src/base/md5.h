/* MD5 (RFC 1321), only because Ansible reports it: copy's "md5sum" and
 * stat's get_md5 / checksum_algorithm=md5. Never use it to trust data. */
#ifndef DROVER_BASE_MD5_H
#define DROVER_BASE_MD5_H

#include <stddef.h>
#include <stdint.h>

#include "base/mdblock.h"

#define MD5_LEN 16

struct md5_ctx {
	uint32_t h[4];
	struct mdblock m;       /* input not yet hashed, and the length */
};

void md5_init(struct md5_ctx *c);
void md5_update(struct md5_ctx *c, const void *p, size_t n);
/* Writes the digest to out and leaves c unusable until md5_init. */
void md5_final(struct md5_ctx *c, unsigned char out[MD5_LEN]);

#endif
