/* MD5, SHA-1, SHA-224, SHA-256, SHA-384 and SHA-512 through base/digest.h:
 * known answers recorded from Python's hashlib (FIPS 180-4 and RFC 1321
 * examples, padding edges at 55/56/63/64 and 111/112/127/128 bytes, a
 * million 'a'), fed whole and in odd-sized pieces, and from a file. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/digest.h"
#include "t.h"

struct vec {
	const char *alg;
	const char *text; /* with count > 0: one character repeated count times */
	size_t count;
	const char *hex;
};

static const struct vec vecs[] = {
	{"md5", "", 0, "d41d8cd98f00b204e9800998ecf8427e"},
	{"sha1", "", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
	{"sha224", "", 0, "d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f"},
	{"sha256", "", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	{"sha384", "", 0, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"},
	{"sha512", "", 0, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
	{"md5", "abc", 0, "900150983cd24fb0d6963f7d28e17f72"},
	{"sha1", "abc", 0, "a9993e364706816aba3e25717850c26c9cd0d89d"},
	{"sha224", "abc", 0, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7"},
	{"sha256", "abc", 0, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	{"sha384", "abc", 0, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
	{"sha512", "abc", 0, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	{"md5", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "8215ef0796a20bcaaae116d3876c664a"},
	{"sha1", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
	{"sha224", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "75388b16512776cc5dba5da1fd890150b0c6455cb4f58b1952522525"},
	{"sha256", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	{"sha384", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b"},
	{"sha512", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0, "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"},
	{"md5", "a", 55, "ef1772b6dff9a122358552954ad0df65"},
	{"sha1", "a", 55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"},
	{"sha224", "a", 55, "fb0bd626a70c28541dfa781bb5cc4d7d7f56622a58f01a0b1ddd646f"},
	{"sha256", "a", 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
	{"sha384", "a", 55, "5d91ac7e74e62b5c728904b40f10784d66b7af9cb6302123e48c92f0432ceb8d2a92c02de77dcb29ed75c4b42bde46f4"},
	{"sha512", "a", 55, "b0220c772cbf6c1822e2cb38a437d0e1d58772417a4bbb21c961364f8b6143e05aa6316dca8d1d7b19e16448419076395f6086cb55101fbd6d5497b148e1745f"},
	{"md5", "a", 56, "3b0c8ac703f828b04c6c197006d17218"},
	{"sha1", "a", 56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"},
	{"sha224", "a", 56, "d40854fc9caf172067136f2e29e1380b14626bf6f0dd06779f820dcd"},
	{"sha256", "a", 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
	{"sha384", "a", 56, "8a8d9649ea04e993a6ca7135af7e3392cc5fca84f8531cac7aa3feed4eb98f55dcbe0f3284b61c6f35f98b02cc644b4c"},
	{"sha512", "a", 56, "962b64aae357d2a4fee3ded8b539bdc9d325081822b0bfc55583133aab44f18bafe11d72a7ae16c79ce2ba620ae2242d5144809161945f1367f41b3972e26e04"},
	{"md5", "a", 63, "b06521f39153d618550606be297466d5"},
	{"sha1", "a", 63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"},
	{"sha224", "a", 63, "1d4e051f4d6fed2a63fd2421e65834cec00d64456553de3496ae8b1d"},
	{"sha256", "a", 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
	{"sha384", "a", 63, "7e7f097e95b52bb8f53383450ecaf9868187c130981730c03b6d573adfc0b991e365244e5b4bfa082bfb43c517d37120"},
	{"sha512", "a", 63, "c1b0f5c6d3b03dfe4a2602e67242f54e344090b66e01100a469b129f583f016c7e27dddeaa438393dcc7ec54b0b57c9ba7af007f9b56db5f6fb677d972a31362"},
	{"md5", "a", 64, "014842d480b571495a4a0363793f7367"},
	{"sha1", "a", 64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"},
	{"sha224", "a", 64, "a88cd5cde6d6fe9136a4e58b49167461ea95d388ca2bdb7afdc3cbf4"},
	{"sha256", "a", 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
	{"sha384", "a", 64, "2e404b9339da795776e510d96930b3be2904c500395b8cb7413334b82d4dec413b4b8113045a05bbbcff846f027423f6"},
	{"sha512", "a", 64, "01d35c10c6c38c2dcf48f7eebb3235fb5ad74a65ec4cd016e2354c637a8fb49b695ef3c1d6f7ae4cd74d78cc9c9bcac9d4f23a73019998a7f73038a5c9b2dbde"},
	{"md5", "a", 111, "089f243d1e831c5879aa375ee364a06e"},
	{"sha1", "a", 111, "ac877859d427d9192054eea8feb3b8a403ef83a5"},
	{"sha224", "a", 111, "4aeec1a49b2c1bc663abf2809b36faaa64359523d4f26d02dbc2cba3"},
	{"sha256", "a", 111, "6374f73208854473827f6f6a3f43b1f53eaa3b82c21c1a6d69a2110b2a79baad"},
	{"sha384", "a", 111, "3c37955051cb5c3026f94d551d5b5e2ac38d572ae4e07172085fed81f8466b8f90dc23a8ffcdea0b8d8e58e8fdacc80a"},
	{"sha512", "a", 111, "fa9121c7b32b9e01733d034cfc78cbf67f926c7ed83e82200ef86818196921760b4beff48404df811b953828274461673c68d04e297b0eb7b2b4d60fc6b566a2"},
	{"md5", "a", 112, "9146ef3527c7cfcc66dc615c3986e391"},
	{"sha1", "a", 112, "689993727ba37386bb032495e9dbdfb4dd1ba744"},
	{"sha224", "a", 112, "0336b66821946e7f1052102e3b9c29f3039efe9b261746370305f894"},
	{"sha256", "a", 112, "f54353008a2553262ecdc4a34749563ba0950e8b0fc8652780b0a614b99683c1"},
	{"sha384", "a", 112, "187d4e07cb306103c69967bf544d0dfbe9042577599c73c330abc0cb64c61236d5ed565ee19119d8c31779a38f791fcd"},
	{"sha512", "a", 112, "c01d080efd492776a1c43bd23dd99d0a2e626d481e16782e75d54c2503b5dc32bd05f0f1ba33e568b88fd2d970929b719ecbb152f58f130a407c8830604b70ca"},
	{"md5", "a", 127, "020406e1d05cdc2aa287641f7ae2cc39"},
	{"sha1", "a", 127, "89d95fa32ed44a7c610b7ee38517ddf57e0bb975"},
	{"sha224", "a", 127, "0822db3f33424aead078f71ed05f30edc077a3c254b7c79c89a7a4a1"},
	{"sha256", "a", 127, "c57e9278af78fa3cab38667bef4ce29d783787a2f731d4e12200270f0c32320a"},
	{"sha384", "a", 127, "9bd06b1763c2cf7aef40e795dc65bc96d59c41b537f3ad72ebdefd485476b5717c1aeb37c327fe9c1831b12b9efd08ae"},
	{"sha512", "a", 127, "828613968b501dc00a97e08c73b118aa8876c26b8aac93df128502ab360f91bab50a51e088769a5c1eff4782ace147dce3642554199876374291f5d921629502"},
	{"md5", "a", 128, "e510683b3f5ffe4093d021808bc6ff70"},
	{"sha1", "a", 128, "ad5b3fdbcb526778c2839d2f151ea753995e26a0"},
	{"sha224", "a", 128, "39873a2441c56608137850f4c54dde157710b9a2b83c8bdc756dd643"},
	{"sha256", "a", 128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
	{"sha384", "a", 128, "edb12730a366098b3b2beac75a3bef1b0969b15c48e2163c23d96994f8d1bef760c7e27f3c464d3829f56c0d53808b0b"},
	{"sha512", "a", 128, "b73d1929aa615934e61a871596b3f3b33359f42b8175602e89f7e06e5f658a243667807ed300314b95cacdd579f3e33abdfbe351909519a846d465c59582f321"},
	{"md5", "The quick brown fox jumps over the lazy dog", 0, "9e107d9d372bb6826bd81d3542a419d6"},
	{"sha1", "The quick brown fox jumps over the lazy dog", 0, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"},
	{"sha224", "The quick brown fox jumps over the lazy dog", 0, "730e109bd7a8a32b1cb9d9a09aa2325d2430587ddbc0c38bad911525"},
	{"sha256", "The quick brown fox jumps over the lazy dog", 0, "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
	{"sha384", "The quick brown fox jumps over the lazy dog", 0, "ca737f1014a48f4c0b6dd43cb177b0afd9e5169367544c494011e3317dbf9a509cb1e5dc1e85a941bbee3d7f2afbc9b1"},
	{"sha512", "The quick brown fox jumps over the lazy dog", 0, "07e547d9586f6a73f73fbac0435ed76951218fb7d0c8d788a309d785436bbb642e93a252a954f23912547d1e8a3b5ed6e1bfd7097821233fa0538f3db854fee6"},
	{"md5", "a", 1000000, "7707d6ae4e027c70eea2a935c2296f21"},
	{"sha1", "a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
	{"sha224", "a", 1000000, "20794655980c91d8bbb4c1ea97618a4bf03f42581948b2ee4ee7ad67"},
	{"sha256", "a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
	{"sha384", "a", 1000000, "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985"},
	{"sha512", "a", 1000000, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"},
};

static char *vec_input(const struct vec *v, size_t *lenp)
{
	char *s;

	if (v->count == 0) {
		*lenp = strlen(v->text);
		return strdup(v->text);
	}
	s = malloc(v->count);
	memset(s, v->text[0], v->count);
	*lenp = v->count;
	return s;
}

static void test_known_answers(void)
{
	char hex[DIGEST_MAX_HEX + 1], *in;
	size_t i, len;
	int alg;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		alg = digest_find(vecs[i].alg);
		T_CHECK(alg >= 0);
		if (alg < 0)
			continue;
		in = vec_input(&vecs[i], &len);
		digest_hex(alg, in, len, hex);
		if (strcmp(hex, vecs[i].hex) != 0)
			printf("#   %s of %zu bytes\n", vecs[i].alg, len);
		T_EQ_STR(hex, vecs[i].hex);
		free(in);
	}
}

static void test_pieces(void)
{
	struct digest_ctx c;
	char hex[DIGEST_MAX_HEX + 1], *in;
	size_t i, len, off, step;
	int alg;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		alg = digest_find(vecs[i].alg);
		in = vec_input(&vecs[i], &len);
		for (step = 1; step < 200; step += 37) {
			digest_init(&c, alg);
			for (off = 0; off < len; off += step)
				digest_update(&c, in + off, len - off < step ? len - off : step);
			digest_final_hex(&c, hex);
			T_EQ_STR(hex, vecs[i].hex);
		}
		free(in);
	}
}

static void test_names_and_lengths(void)
{
	T_EQ_INT(digest_find("sha1"), DIGEST_SHA1);
	T_EQ_INT(digest_find("SHA1"), -1);
	T_EQ_INT(digest_find("sha3"), -1);
	T_EQ_INT(digest_len(DIGEST_MD5), 16);
	T_EQ_INT(digest_len(DIGEST_SHA224), 28);
	T_EQ_INT(digest_len(DIGEST_SHA384), 48);
}

static void test_file(void)
{
	char path[] = "/tmp/test_digest.XXXXXX", hex[DIGEST_MAX_HEX + 1];
	int fd = mkstemp(path);

	T_CHECK(fd >= 0);
	T_CHECK(write(fd, "hello\n", 6) == 6);
	close(fd);
	T_EQ_INT(digest_file_hex(DIGEST_SHA1, path, hex), 0);
	T_EQ_STR(hex, "f572d396fae9206628714fb2ce00f72e94f2258f");
	T_EQ_INT(digest_file_hex(DIGEST_MD5, path, hex), 0);
	T_EQ_STR(hex, "b1946ac92492d2347c6235b4d2611184");
	unlink(path);
	T_CHECK(digest_file_hex(DIGEST_SHA1, path, hex) < 0);
	T_EQ_STR(hex, "");
}

int main(void)
{
	T_RUN(test_known_answers);
	T_RUN(test_pieces);
	T_RUN(test_names_and_lengths);
	T_RUN(test_file);
	return T_DONE();
}
