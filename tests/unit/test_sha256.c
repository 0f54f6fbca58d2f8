/* SHA-256 against the FIPS 180-4 / NIST example vectors, and incremental
 * updates across block boundaries against the one-shot digest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/sha256.h"
#include "t.h"

static void test_vectors(void)
{
	char hex[SHA256_HEX_LEN + 1];

	sha256_hex("", 0, hex);
	T_EQ_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	T_EQ_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	           112, hex);
	T_EQ_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
	struct sha256_ctx c;
	unsigned char d[SHA256_LEN];
	char chunk[1000];
	int i;

	memset(chunk, 'a', sizeof(chunk));
	sha256_init(&c);
	for (i = 0; i < 1000; i++)
		sha256_update(&c, chunk, sizeof(chunk));
	sha256_final(&c, d);
	T_EQ_INT(d[0], 0xcd);
	T_EQ_INT(d[1], 0xc7);
	T_EQ_INT(d[30], 0x2c);
	T_EQ_INT(d[31], 0xd0);
}

static void test_incremental(void)
{
	unsigned char data[300], d[SHA256_LEN];
	char one[SHA256_HEX_LEN + 1], inc[SHA256_HEX_LEN + 1];
	static const char digits[] = "0123456789abcdef";
	struct sha256_ctx c;
	size_t n, split, k;
	int bad = 0;

	for (n = 0; n < sizeof(data); n++)
		data[n] = (unsigned char)(n * 7 + 3);
	/* Every length around the 55/56/64-byte padding edges, split at every point. */
	for (n = 0; n <= 130; n++) {
		sha256_hex(data, n, one);
		for (split = 0; split <= n; split++) {
			sha256_init(&c);
			sha256_update(&c, data, split);
			sha256_update(&c, data + split, n - split);
			sha256_final(&c, d);
			for (k = 0; k < SHA256_LEN; k++) {
				inc[2 * k] = digits[d[k] >> 4];
				inc[2 * k + 1] = digits[d[k] & 15];
			}
			inc[SHA256_HEX_LEN] = '\0';
			if (strcmp(one, inc) != 0)
				bad++;
		}
	}
	T_EQ_INT(bad, 0);
}

static void test_file(void)
{
	char path[] = "/tmp/drover-sha256-XXXXXX";
	char hex[SHA256_HEX_LEN + 1];
	int fd = mkstemp(path);

	T_CHECK(fd >= 0);
	T_CHECK(write(fd, "abc", 3) == 3);
	close(fd);
	T_EQ_INT(sha256_file_hex(path, hex), 0);
	T_EQ_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	unlink(path);
	T_CHECK(sha256_file_hex("/nonexistent/drover", hex) < 0);
}

int main(void)
{
	T_RUN(test_vectors);
	T_RUN(test_million_a);
	T_RUN(test_incremental);
	T_RUN(test_file);
	return T_DONE();
}
