/* Ansible's random and shuffle filters and password_hash.
 *
 * With a seed, random and shuffle must give what Ansible gives, which is
 * what Python's random.Random(seed) gives: the Mersenne Twister MT19937
 * seeded as CPython seeds it (an int by its 32-bit words; a str by the
 * big integer of its UTF-8 bytes followed by their SHA-512, as seeding
 * version 2 does), and CPython's randrange, choice and shuffle over
 * getrandbits. Without a seed the generator is seeded from the kernel.
 *
 * password_hash follows passlib, which Ansible prefers to crypt when
 * installed (and Debian installs it): sha512_crypt and sha256_crypt with
 * passlib's default rounds (656000 and 535000), md5_crypt; a salt given is
 * used as is, otherwise a random one of 16 (8 for MD5) characters. */
#include <string.h>
#include <sys/random.h>

#include "base/err.h"
#include "base/pwcrypt.h"
#include "base/sha512.h"
#include "template/eval.h"
#include "template/pyval.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

#define FR_N 624
#define FR_M 397

struct fr_mt {
	uint32_t mt[FR_N];
	int mti;
};

static void fr_init_genrand(struct fr_mt *m, uint32_t s)
{
	int i;

	m->mt[0] = s;
	for (i = 1; i < FR_N; i++)
		m->mt[i] = 1812433253u * (m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) + (uint32_t)i;
	m->mti = FR_N;
}

static void fr_init_by_array(struct fr_mt *m, const uint32_t *key, size_t klen)
{
	size_t i = 1, j = 0, k;

	fr_init_genrand(m, 19650218u);
	for (k = FR_N > klen ? FR_N : klen; k > 0; k--) {
		m->mt[i] = (m->mt[i] ^ ((m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) * 1664525u)) + key[j] + (uint32_t)j;
		i++;
		j++;
		if (i >= FR_N) {
			m->mt[0] = m->mt[FR_N - 1];
			i = 1;
		}
		if (j >= klen)
			j = 0;
	}
	for (k = FR_N - 1; k > 0; k--) {
		m->mt[i] = (m->mt[i] ^ ((m->mt[i - 1] ^ (m->mt[i - 1] >> 30)) * 1566083941u)) - (uint32_t)i;
		i++;
		if (i >= FR_N) {
			m->mt[0] = m->mt[FR_N - 1];
			i = 1;
		}
	}
	m->mt[0] = 0x80000000u;
}

static uint32_t fr_genrand(struct fr_mt *m)
{
	static const uint32_t mag01[2] = {0, 0x9908b0dfu};
	uint32_t y;
	int kk;

	if (m->mti >= FR_N) {
		for (kk = 0; kk < FR_N - FR_M; kk++) {
			y = (m->mt[kk] & 0x80000000u) | (m->mt[kk + 1] & 0x7fffffffu);
			m->mt[kk] = m->mt[kk + FR_M] ^ (y >> 1) ^ mag01[y & 1];
		}
		for (; kk < FR_N - 1; kk++) {
			y = (m->mt[kk] & 0x80000000u) | (m->mt[kk + 1] & 0x7fffffffu);
			m->mt[kk] = m->mt[kk + (FR_M - FR_N)] ^ (y >> 1) ^ mag01[y & 1];
		}
		y = (m->mt[FR_N - 1] & 0x80000000u) | (m->mt[0] & 0x7fffffffu);
		m->mt[FR_N - 1] = m->mt[FR_M - 1] ^ (y >> 1) ^ mag01[y & 1];
		m->mti = 0;
	}
	y = m->mt[m->mti++];
	y ^= y >> 11;
	y ^= (y << 7) & 0x9d2c5680u;
	y ^= (y << 15) & 0xefc60000u;
	y ^= y >> 18;
	return y;
}

/* getrandbits(k) for k <= 64: 32-bit words, least significant first. */
static uint64_t fr_getrandbits(struct fr_mt *m, int k)
{
	uint64_t r;

	if (k <= 32)
		return fr_genrand(m) >> (32 - k);
	r = fr_genrand(m);
	return r | (uint64_t)(fr_genrand(m) >> (64 - k)) << 32;
}

/* _randbelow_with_getrandbits(n), n >= 1 */
static uint64_t fr_randbelow(struct fr_mt *m, uint64_t n)
{
	int k = 0;
	uint64_t r;

	while (k < 64 && (n >> k) != 0)
		k++;
	do
		r = fr_getrandbits(m, k);
	while (r >= n);
	return r;
}

/* Seeds m as random.Random(seed); a seed that is None seeds from the
 * kernel. */
static int fr_seed(struct tpl_call *c, struct fr_mt *m, const struct value *seed)
{
	uint32_t key[FR_N];
	size_t n = 0, i;

	if (seed == NULL || (seed->type == VALUE_NULL && !is_special(seed))) {
		if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
			return tpl_fail(c, ERR_INVAL, "random: no randomness available");
		fr_init_by_array(m, key, FR_N);
		return 0;
	}
	if ((seed->type == VALUE_INT || seed->type == VALUE_BOOL) && !is_special(seed)) {
		int64_t v = pyval_int(seed);
		uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		key[n++] = (uint32_t)a;
		if (a >> 32)
			key[n++] = (uint32_t)(a >> 32);
	} else if (is_str(seed)) {
		/* int.from_bytes(s + sha512(s), 'big'): words from the end. */
		struct sha512_ctx h;
		unsigned char md[SHA512_LEN];
		size_t len = seed->u.s.len + SHA512_LEN, first = 0;
		const unsigned char *s = (const unsigned char *)seed->u.s.ptr;

		if (seed->u.s.len > 4 * (FR_N - 20))
			return tpl_fail(c, ERR_INVAL, "random: drover takes seeds of at most %d bytes", 4 * (FR_N - 20));
		sha512_init(&h);
		sha512_update(&h, s, seed->u.s.len);
		sha512_final(&h, md);
		while (first < len && (first < seed->u.s.len ? s[first] : md[first - seed->u.s.len]) == 0)
			first++;
		for (i = len; i > first; n++) {
			uint32_t w = 0;
			int b;

			for (b = 0; b < 4 && i > first; b++) {
				i--;
				w |= (uint32_t)(i < seed->u.s.len ? s[i] : md[i - seed->u.s.len]) << (8 * b);
			}
			key[n] = w;
		}
		if (n == 0)
			key[n++] = 0;
	} else {
		return tpl_fail(c, ERR_INVAL, "random: drover takes an int or a string as seed, not '%s'",
		                tpl_type_name(seed));
	}
	fr_init_by_array(m, key, n);
	return 0;
}

static int f_random(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *items;
	struct fr_mt m;
	int64_t start = 0, step = 1, stop, width, n;
	int truth, r;

	BIND(c, a, 1, "end", "start", "step", "seed");
	if ((r = fr_seed(c, &m, a[3])) != 0)
		return r;
	if (a[0]->type == VALUE_INT && !is_special(a[0])) {
		stop = a[0]->u.i;
		if (a[1] != NULL && (r = tpl_truth(c, a[1], &truth)) == 0 && truth && (r = tpl_to_int(c, a[1], &start)) != 0)
			return r;
		if (a[2] != NULL && (r = tpl_truth(c, a[2], &truth)) == 0 && truth && (r = tpl_to_int(c, a[2], &step)) != 0)
			return r;
		if (r != 0)
			return r;
		if (__builtin_sub_overflow(stop, start, &width))
			return tpl_fail(c, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
		if (step == 1) {
			if (width <= 0)
				return tpl_fail(c, ERR_INVAL, "empty range for randrange() (%lld, %lld, %lld)",
				                (long long)start, (long long)stop, (long long)width);
			*vp = value_int(start + (int64_t)fr_randbelow(&m, (uint64_t)width));
			return 0;
		}
		if (step == 0)
			return tpl_fail(c, ERR_INVAL, "zero step for randrange()");
		/* C's division truncates where Python's floors, which differs only
		 * when the result is not positive: an empty range either way. */
		n = step > 0 ? (width + step - 1) / step : (width + step + 1) / step;
		if (n <= 0)
			return tpl_fail(c, ERR_INVAL, "empty range for randrange()");
		*vp = value_int(start + step * (int64_t)fr_randbelow(&m, (uint64_t)n));
		return 0;
	}
	if (a[0]->type != VALUE_LIST && a[0]->type != VALUE_MAP && !is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "random can only be used on sequences and integers");
	if ((a[1] != NULL && pyval_truth(a[1])) || (a[2] != NULL && pyval_truth(a[2])))
		return tpl_fail(c, ERR_INVAL, "start and step can only be used with integer values");
	if ((r = tpl_iter(c, a[0], &items)) != 0)
		return r;
	if (value_len(items) == 0) {
		value_unref(items);
		return tpl_fail(c, ERR_INVAL, "Cannot choose from an empty sequence");
	}
	*vp = value_ref(value_list_at(items, fr_randbelow(&m, value_len(items))));
	value_unref(items);
	return 0;
}

static int f_shuffle(struct tpl_call *c, struct value **vp)
{
	struct value *a[2], *l;
	struct fr_mt m;
	size_t i;
	int truth = 0, r;

	BIND(c, a, 1, "mylist", "seed");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &truth)) != 0)
		return r;
	if ((r = fr_seed(c, &m, truth ? a[1] : NULL)) != 0)
		return r;
	if (tpl_iter(c, a[0], &l) != 0) {
		/* Ansible returns what it was given when it cannot shuffle. */
		c->rt->err = 0;
		if (c->rt->d != NULL) {
			diag_fini(c->rt->d);
			diag_init(c->rt->d);
		}
		*vp = value_ref(a[0]);
		return 0;
	}
	for (i = value_len(l); i-- > 1;) {
		size_t j = (size_t)fr_randbelow(&m, i + 1);
		struct value *x = l->u.l.items[i];

		l->u.l.items[i] = l->u.l.items[j];
		l->u.l.items[j] = x;
	}
	*vp = l;
	return 0;
}

static int f_password_hash(struct tpl_call *c, struct value **vp)
{
	static const char saltchars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./";
	struct value *a[6];
	struct buf pw;
	enum pwcrypt_alg alg = PWCRYPT_SHA512;
	char salt[17], out[PWCRYPT_MAX];
	int64_t rounds = 0;
	size_t i, sl;
	int r;

	BIND(c, a, 1, "password", "hashtype", "salt", "salt_size", "rounds", "ident");
	if (a[1] != NULL && !(a[1]->type == VALUE_NULL)) {
		const char *t = is_str(a[1]) ? a[1]->u.s.ptr : "";

		if (strcmp(t, "sha512") == 0 || strcmp(t, "sha512_crypt") == 0)
			alg = PWCRYPT_SHA512;
		else if (strcmp(t, "sha256") == 0 || strcmp(t, "sha256_crypt") == 0)
			alg = PWCRYPT_SHA256;
		else if (strcmp(t, "md5") == 0 || strcmp(t, "md5_crypt") == 0)
			alg = PWCRYPT_MD5;
		else
			return tpl_fail(c, ERR_INVAL, "password_hash: drover does not support the hash type %s", t);
	}
	if (a[4] != NULL && a[4]->type != VALUE_NULL && (r = tpl_to_int(c, a[4], &rounds)) != 0)
		return r;
	if (rounds == 0 && alg != PWCRYPT_MD5)
		rounds = alg == PWCRYPT_SHA512 ? 656000 : 535000;
	if (rounds < 0 || rounds > 999999999)
		return tpl_fail(c, ERR_INVAL, "password_hash: rounds must be in range 1000 <= rounds <= 999999999");
	if ((r = tpl_charge(c, (uint64_t)rounds * 8)) != 0)
		return r;
	if (a[2] != NULL && a[2]->type != VALUE_NULL) {
		if (!is_str(a[2]) || a[2]->u.s.len >= sizeof(salt))
			return tpl_fail(c, ERR_INVAL, "password_hash: salt too large (sha512_crypt requires <= 16 chars)");
		memcpy(salt, a[2]->u.s.ptr, a[2]->u.s.len + 1);
		for (i = 0; salt[i] != '\0'; i++)
			if (strchr(saltchars, salt[i]) == NULL)
				return tpl_fail(c, ERR_INVAL, "invalid characters in %s salt",
				                alg == PWCRYPT_MD5 ? "md5_crypt" : alg == PWCRYPT_SHA256 ? "sha256_crypt"
				                                                                       : "sha512_crypt");
	} else {
		unsigned char rnd[16];

		sl = alg == PWCRYPT_MD5 ? 8 : 16;
		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
			return tpl_fail(c, ERR_INVAL, "password_hash: no randomness available");
		for (i = 0; i < sl; i++)
			salt[i] = saltchars[rnd[i] & 63];
		salt[sl] = '\0';
	}
	tpl_buf(c, &pw);
	if ((r = tpl_str(c, a[0], &pw)) != 0) {
		buf_fini(&pw);
		return r;
	}
	r = pwcrypt(alg, buf_str(&pw), pw.len, salt, (unsigned long)rounds, out);
	buf_fini(&pw);
	if (r != 0)
		return tpl_fail(c, ERR_INVAL, "password_hash: password too long for drover (256 bytes at most)");
	*vp = value_str(out);
	return 0;
}

const struct tpl_fn_def tpl_filters_random[] = {
	{"password_hash", f_password_hash, 0},
	{"random", f_random, 0},
	{"shuffle", f_shuffle, 0},
	{NULL, NULL, 0},
};
