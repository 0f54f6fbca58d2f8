/* SHA-1 after FIPS 180-4, section 6.1. */
#include "base/sha1.h"

#include <string.h>

static uint32_t sha1_rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* The 80 rounds written out in four loops of twenty over a 16-word ring of
 * the message schedule: no branch per round, so the compiler keeps the
 * state in registers (copy and fetch hash whole files with this). */
#define SHA1_W(i) (w[(i)&15] = sha1_rol(w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^ w[((i) + 2) & 15] ^ w[(i)&15], 1))
#define SHA1_ROUND(f, k, wi)                                                                                      \
	do {                                                                                                      \
		t = sha1_rol(a, 5) + (f) + e + (k) + (wi);                                                        \
		e = d, d = cc, cc = sha1_rol(b, 30), b = a, a = t;                                                \
	} while (0)

static void sha1_block(struct sha1_ctx *c, const unsigned char *p)
{
	uint32_t w[16], a, b, cc, d, e, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
		       p[4 * i + 3];
	a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
	for (i = 0; i < 16; i++)
		SHA1_ROUND((b & cc) | (~b & d), 0x5a827999, w[i]);
	for (; i < 20; i++)
		SHA1_ROUND((b & cc) | (~b & d), 0x5a827999, SHA1_W(i));
	for (; i < 40; i++)
		SHA1_ROUND(b ^ cc ^ d, 0x6ed9eba1, SHA1_W(i));
	for (; i < 60; i++)
		SHA1_ROUND((b & cc) | (b & d) | (cc & d), 0x8f1bbcdc, SHA1_W(i));
	for (; i < 80; i++)
		SHA1_ROUND(b ^ cc ^ d, 0xca62c1d6, SHA1_W(i));
	c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_block_cb(void *ctx, const unsigned char *blk)
{
	sha1_block(ctx, blk);
}

void sha1_init(struct sha1_ctx *c)
{
	static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memcpy(c->h, iv, sizeof(iv));
	mdblock_init(&c->m);
}

void sha1_update(struct sha1_ctx *c, const void *p, size_t n)
{
	mdblock_update(&c->m, p, n, sha1_block_cb, c);
}

void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_LEN])
{
	int i;

	mdblock_finish(&c->m, 0, sha1_block_cb, c);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
	memset(c, 0, sizeof(*c));
}

void sha1_hmac(const void *key, size_t klen, const void *msg, size_t mlen, unsigned char out[SHA1_LEN])
{
	unsigned char k[64], pad[64], inner[SHA1_LEN];
	struct sha1_ctx c;
	size_t i;

	memset(k, 0, sizeof(k));
	if (klen > sizeof(k)) {
		sha1_init(&c);
		sha1_update(&c, key, klen);
		sha1_final(&c, k);
	} else {
		memcpy(k, key, klen);
	}
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, msg, mlen);
	sha1_final(&c, inner);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	sha1_init(&c);
	sha1_update(&c, pad, sizeof(pad));
	sha1_update(&c, inner, sizeof(inner));
	sha1_final(&c, out);
}
