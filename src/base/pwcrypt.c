/* md5_crypt, sha256_crypt and sha512_crypt. See pwcrypt.h. */
#include <stdio.h>
#include <string.h>

#include "base/md5.h"
#include "base/pwcrypt.h"
#include "base/sha256.h"
#include "base/sha512.h"

static const char pwcrypt_b64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* One hash behind a common interface: SHA-256 or SHA-512. */
struct pwcrypt_h {
	int big;
	union {
		struct sha256_ctx s256;
		struct sha512_ctx s512;
	} u;
};

static void pwcrypt_init(struct pwcrypt_h *h, int big)
{
	h->big = big;
	if (big)
		sha512_init(&h->u.s512);
	else
		sha256_init(&h->u.s256);
}

static void pwcrypt_add(struct pwcrypt_h *h, const void *p, size_t n)
{
	if (h->big)
		sha512_update(&h->u.s512, p, n);
	else
		sha256_update(&h->u.s256, p, n);
}

static void pwcrypt_end(struct pwcrypt_h *h, unsigned char *out)
{
	if (h->big)
		sha512_final(&h->u.s512, out);
	else
		sha256_final(&h->u.s256, out);
}

static char *pwcrypt_enc(char *o, unsigned b2, unsigned b1, unsigned b0, int n)
{
	unsigned long w = (unsigned long)b2 << 16 | (unsigned long)b1 << 8 | b0;

	while (n-- > 0) {
		*o++ = pwcrypt_b64[w & 0x3f];
		w >>= 6;
	}
	return o;
}

static void pwcrypt_sha(int big, const char *pw, size_t pl, const char *salt, size_t sl, unsigned long rounds,
                        char *o)
{
	static const unsigned char perm512[21][3] = {
	    {0, 21, 42},  {22, 43, 1},  {44, 2, 23},  {3, 24, 45},  {25, 46, 4},  {47, 5, 26},  {6, 27, 48},
	    {28, 49, 7},  {50, 8, 29},  {9, 30, 51},  {31, 52, 10}, {53, 11, 32}, {12, 33, 54}, {34, 55, 13},
	    {56, 14, 35}, {15, 36, 57}, {37, 58, 16}, {59, 17, 38}, {18, 39, 60}, {40, 61, 19}, {62, 20, 41},
	};
	static const unsigned char perm256[10][3] = {
	    {0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14},
	    {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29},
	};
	size_t L = big ? 64 : 32, n, i;
	unsigned char a[64], b[64], dp[64], ds[64], p[256], s[16];
	struct pwcrypt_h h, alt;
	unsigned long r;

	/* Passwords longer than p are hashed in full by the steps that take
	 * pw directly; P is built from DP for its first 256 bytes only, which
	 * is enough: longer passwords are refused by the caller. */
	pwcrypt_init(&alt, big);
	pwcrypt_add(&alt, pw, pl);
	pwcrypt_add(&alt, salt, sl);
	pwcrypt_add(&alt, pw, pl);
	pwcrypt_end(&alt, b);
	pwcrypt_init(&h, big);
	pwcrypt_add(&h, pw, pl);
	pwcrypt_add(&h, salt, sl);
	for (n = pl; n > L; n -= L)
		pwcrypt_add(&h, b, L);
	pwcrypt_add(&h, b, n);
	for (n = pl; n > 0; n >>= 1)
		if (n & 1)
			pwcrypt_add(&h, b, L);
		else
			pwcrypt_add(&h, pw, pl);
	pwcrypt_end(&h, a);
	pwcrypt_init(&alt, big);
	for (i = 0; i < pl; i++)
		pwcrypt_add(&alt, pw, pl);
	pwcrypt_end(&alt, dp);
	for (i = 0; i < pl; i++)
		p[i] = dp[i % L];
	pwcrypt_init(&alt, big);
	for (i = 0; i < 16u + a[0]; i++)
		pwcrypt_add(&alt, salt, sl);
	pwcrypt_end(&alt, ds);
	for (i = 0; i < sl; i++)
		s[i] = ds[i % L];
	for (r = 0; r < rounds; r++) {
		pwcrypt_init(&h, big);
		if (r & 1)
			pwcrypt_add(&h, p, pl);
		else
			pwcrypt_add(&h, a, L);
		if (r % 3)
			pwcrypt_add(&h, s, sl);
		if (r % 7)
			pwcrypt_add(&h, p, pl);
		if (r & 1)
			pwcrypt_add(&h, a, L);
		else
			pwcrypt_add(&h, p, pl);
		pwcrypt_end(&h, a);
	}
	if (big) {
		for (i = 0; i < 21; i++)
			o = pwcrypt_enc(o, a[perm512[i][0]], a[perm512[i][1]], a[perm512[i][2]], 4);
		o = pwcrypt_enc(o, 0, 0, a[63], 2);
	} else {
		for (i = 0; i < 10; i++)
			o = pwcrypt_enc(o, a[perm256[i][0]], a[perm256[i][1]], a[perm256[i][2]], 4);
		o = pwcrypt_enc(o, 0, a[31], a[30], 3);
	}
	*o = '\0';
}

static void pwcrypt_md5(const char *pw, size_t pl, const char *salt, size_t sl, char *o)
{
	static const unsigned char perm[5][3] = {{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}};
	unsigned char fin[16];
	struct md5_ctx c, c1;
	size_t n, i;

	md5_init(&c1);
	md5_update(&c1, pw, pl);
	md5_update(&c1, salt, sl);
	md5_update(&c1, pw, pl);
	md5_final(&c1, fin);
	md5_init(&c);
	md5_update(&c, pw, pl);
	md5_update(&c, "$1$", 3);
	md5_update(&c, salt, sl);
	for (n = pl; n > 0; n -= n > 16 ? 16 : n)
		md5_update(&c, fin, n > 16 ? 16 : n);
	for (n = pl; n > 0; n >>= 1)
		md5_update(&c, (n & 1) ? "" : pw, 1);
	md5_final(&c, fin);
	for (i = 0; i < 1000; i++) {
		md5_init(&c1);
		if (i & 1)
			md5_update(&c1, pw, pl);
		else
			md5_update(&c1, fin, 16);
		if (i % 3)
			md5_update(&c1, salt, sl);
		if (i % 7)
			md5_update(&c1, pw, pl);
		if (i & 1)
			md5_update(&c1, fin, 16);
		else
			md5_update(&c1, pw, pl);
		md5_final(&c1, fin);
	}
	for (i = 0; i < 5; i++)
		o = pwcrypt_enc(o, fin[perm[i][0]], fin[perm[i][1]], fin[perm[i][2]], 4);
	o = pwcrypt_enc(o, 0, 0, fin[11], 2);
	*o = '\0';
}

int pwcrypt(enum pwcrypt_alg alg, const char *pw, size_t pwlen, const char *salt, unsigned long rounds,
            char out[PWCRYPT_MAX])
{
	size_t sl = strlen(salt), k;

	out[0] = '\0';
	if (strchr(salt, '$') != NULL || strchr(salt, ':') != NULL || pwlen > 256)
		return -1;
	if (alg == PWCRYPT_MD5) {
		sl = sl > 8 ? 8 : sl;
		k = (size_t)snprintf(out, PWCRYPT_MAX, "$1$%.*s$", (int)sl, salt);
		pwcrypt_md5(pw, pwlen, salt, sl, out + k);
		return 0;
	}
	sl = sl > 16 ? 16 : sl;
	if (rounds == 0)
		rounds = 5000;
	rounds = rounds < 1000 ? 1000 : rounds > 999999999 ? 999999999 : rounds;
	if (rounds == 5000)
		k = (size_t)snprintf(out, PWCRYPT_MAX, "$%c$%.*s$", alg == PWCRYPT_SHA512 ? '6' : '5', (int)sl, salt);
	else
		k = (size_t)snprintf(out, PWCRYPT_MAX, "$%c$rounds=%lu$%.*s$", alg == PWCRYPT_SHA512 ? '6' : '5',
		                     rounds, (int)sl, salt);
	pwcrypt_sha(alg == PWCRYPT_SHA512, pw, pwlen, salt, sl, rounds, out + k);
	return 0;
}
