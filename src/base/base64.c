/* Base64 encoding and decoding over struct buf. */
#include "base/base64.h"

#include "base/err.h"

static const char base64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *s = p;
	size_t i;
	char q[4];

	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = base64_alpha[v >> 18 & 63];
		q[1] = base64_alpha[v >> 12 & 63];
		q[2] = i + 1 < n ? base64_alpha[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? base64_alpha[v & 63] : '=';
		if (buf_put(out, q, 4) != 0)
			return ERR_TOOBIG;
	}
	return 0;
}

static int base64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int base64_decode(const char *s, size_t n, struct buf *out)
{
	unsigned long acc = 0;
	size_t i, bits = 0, pad = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];
		int v;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = base64_val(c)) < 0)
			return ERR_PARSE;
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_putc(out, (char)(acc >> bits & 0xff)) != 0)
				return ERR_TOOBIG;
		}
	}
	/* Padding must complete the last quantum, as binascii requires. */
	if (pad > 2 || bits / 2 != pad)
		return ERR_PARSE;
	return 0;
}
