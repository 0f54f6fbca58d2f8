/* The hash algorithms Ansible's modules name (hashlib's md5, sha1, sha224,
 * sha256, sha384, sha512) behind one interface, chosen by name, with hex
 * output: stat's checksum_algorithm, copy's checksum and md5sum, find's
 * get_checksum. */
#ifndef DROVER_BASE_DIGEST_H
#define DROVER_BASE_DIGEST_H

#include <stddef.h>

#include "base/md5.h"
#include "base/sha1.h"
#include "base/sha256.h"
#include "base/sha512.h"

enum digest_alg {
	DIGEST_MD5,
	DIGEST_SHA1,
	DIGEST_SHA224,
	DIGEST_SHA256,
	DIGEST_SHA384,
	DIGEST_SHA512,
};

#define DIGEST_MAX_LEN 64
#define DIGEST_MAX_HEX (2 * DIGEST_MAX_LEN)

struct digest_ctx {
	enum digest_alg alg;
	union {
		struct md5_ctx md5;
		struct sha1_ctx sha1;
		struct sha256_ctx sha256;
		struct sha512_ctx sha512;
	} u;
};

/* Returns the algorithm named name ("sha1"...), or -1. */
int digest_find(const char *name);
/* Returns the digest length in bytes of alg. */
size_t digest_len(enum digest_alg alg);

void digest_init(struct digest_ctx *c, enum digest_alg alg);
void digest_update(struct digest_ctx *c, const void *p, size_t n);
/* Writes the lower-case hex digest and a NUL to hex (2 * digest_len + 1
 * bytes) and leaves c unusable until digest_init. */
void digest_final_hex(struct digest_ctx *c, char *hex);

/* One-shot over memory. */
void digest_hex(enum digest_alg alg, const void *p, size_t n, char *hex);
/* Hashes what fd holds from its current offset to end of file. Returns 0
 * or -errno (hex is then empty). */
int digest_fd_hex(enum digest_alg alg, int fd, char *hex);
/* Hashes the file at path (following symbolic links). Returns 0 or -errno. */
int digest_file_hex(enum digest_alg alg, const char *path, char *hex);

#endif
