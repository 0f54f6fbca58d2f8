/* One interface over the hash implementations, for code that picks the
 * algorithm at run time. */
#include "base/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static const char *const digest_names[] = {"md5", "sha1", "sha224", "sha256", "sha384", "sha512"};
static const unsigned char digest_lens[] = {MD5_LEN, SHA1_LEN, 28, SHA256_LEN, SHA384_LEN, SHA512_LEN};

int digest_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(digest_names) / sizeof(digest_names[0]); i++)
		if (strcmp(name, digest_names[i]) == 0)
			return (int)i;
	return -1;
}

size_t digest_len(enum digest_alg alg)
{
	return digest_lens[alg];
}

void digest_init(struct digest_ctx *c, enum digest_alg alg)
{
	/* SHA-224 is SHA-256 with another initial value, cut to 28 bytes. */
	static const uint32_t sha224_iv[8] = {0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939,
	                                      0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4};

	c->alg = alg;
	switch (alg) {
	case DIGEST_MD5: md5_init(&c->u.md5); break;
	case DIGEST_SHA1: sha1_init(&c->u.sha1); break;
	case DIGEST_SHA224:
		sha256_init(&c->u.sha256);
		memcpy(c->u.sha256.h, sha224_iv, sizeof(sha224_iv));
		break;
	case DIGEST_SHA256: sha256_init(&c->u.sha256); break;
	case DIGEST_SHA384: sha384_init(&c->u.sha512); break;
	case DIGEST_SHA512: sha512_init(&c->u.sha512); break;
	}
}

void digest_update(struct digest_ctx *c, const void *p, size_t n)
{
	switch (c->alg) {
	case DIGEST_MD5: md5_update(&c->u.md5, p, n); break;
	case DIGEST_SHA1: sha1_update(&c->u.sha1, p, n); break;
	case DIGEST_SHA224:
	case DIGEST_SHA256: sha256_update(&c->u.sha256, p, n); break;
	case DIGEST_SHA384:
	case DIGEST_SHA512: sha512_update(&c->u.sha512, p, n); break;
	}
}

void digest_final_hex(struct digest_ctx *c, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char d[DIGEST_MAX_LEN];
	size_t i, n = digest_lens[c->alg];

	switch (c->alg) {
	case DIGEST_MD5: md5_final(&c->u.md5, d); break;
	case DIGEST_SHA1: sha1_final(&c->u.sha1, d); break;
	case DIGEST_SHA224:
	case DIGEST_SHA256: sha256_final(&c->u.sha256, d); break;
	case DIGEST_SHA384:
	case DIGEST_SHA512: sha512_final(&c->u.sha512, d); break;
	}
	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * n] = '\0';
}

void digest_hex(enum digest_alg alg, const void *p, size_t n, char *hex)
{
	struct digest_ctx c;

	digest_init(&c, alg);
	digest_update(&c, p, n);
	digest_final_hex(&c, hex);
}

int digest_fd_hex(enum digest_alg alg, int fd, char *hex)
{
	struct digest_ctx c;
	unsigned char chunk[65536];
	ssize_t n;

	hex[0] = '\0';
	digest_init(&c, alg);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		digest_update(&c, chunk, (size_t)n);
	}
	digest_final_hex(&c, hex);
	return 0;
}

int digest_file_hex(enum digest_alg alg, const char *path, char *hex)
{
	int fd, r;

	hex[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	r = digest_fd_hex(alg, fd, hex);
	close(fd);
	return r;
}
