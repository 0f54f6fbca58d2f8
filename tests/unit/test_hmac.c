/* HMAC-SHA1 (base/sha1.c) against RFC 2202's vectors, and base64
 * (base/base64.c) against RFC 4648's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/sha1.h"
#include "t.h"

static void hex(const unsigned char *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static void test_hmac_sha1(void)
{
	unsigned char key[80], mac[SHA1_LEN];
	char h[2 * SHA1_LEN + 1];

	memset(key, 0x0b, 20);
	sha1_hmac(key, 20, "Hi There", 8, mac);
	hex(mac, sizeof(mac), h);
	T_EQ_STR(h, "b617318655057264e28bc0b6fb378c8ef146be00");
	sha1_hmac("Jefe", 4, "what do ya want for nothing?", 28, mac);
	hex(mac, sizeof(mac), h);
	T_EQ_STR(h, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	/* A key longer than the block is hashed first. */
	memset(key, 0xaa, 80);
	sha1_hmac(key, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54, mac);
	hex(mac, sizeof(mac), h);
	T_EQ_STR(h, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

static void test_base64(void)
{
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	struct buf b, d;
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		buf_init(&b, 0);
		buf_init(&d, 0);
		T_EQ_INT(base64_encode(in[i], strlen(in[i]), &b), 0);
		T_EQ_STR(buf_str(&b), out[i]);
		T_EQ_INT(base64_decode(out[i], strlen(out[i]), &d), 0);
		T_EQ_STR(buf_str(&d), in[i]);
		buf_fini(&b);
		buf_fini(&d);
	}
}

int main(void)
{
	T_RUN(test_hmac_sha1);
	T_RUN(test_base64);
	return T_DONE();
}
