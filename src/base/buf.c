/* Capped growable buffers. */
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : BUF_MAX_DEFAULT;
}

static void wipe(void *p, size_t n)
{
	volatile unsigned char *q = p;

	while (n--)
		*q++ = 0;
}

void buf_fini(struct buf *b)
{
	if (b->data != NULL && b->secret)
		wipe(b->data, b->cap);
	free(b->data);
	b->data = NULL;
	b->len = b->off = b->cap = 0;
}

void buf_reset(struct buf *b)
{
	if (b->data != NULL && b->secret)
		wipe(b->data, b->cap);
	b->len = b->off = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void buf_wipe_spare(struct buf *b)
{
	if (b->data == NULL)
		return;
	wipe(b->data, b->off);
	wipe(b->data + b->len + 1, b->cap - b->len - 1);
}

int buf_reserve(struct buf *b, size_t n, char **p)
{
	size_t need, ncap;
	char *nd;

	if (n > b->max || b->len - b->off > b->max - n)
		return ERR_TOOBIG;
	if (b->off > 0 && b->off >= b->cap / 2)
		buf_compact(b);
	need = b->len + n + 1;
	if (need > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < need)
			ncap *= 2;
		if (b->secret) {
			nd = xmalloc(ncap);
			if (b->data != NULL) {
				memcpy(nd, b->data, b->len + 1);
				wipe(b->data, b->cap);
				free(b->data);
			}
		} else {
			nd = xreallocarray(b->data, ncap, 1);
		}
		/* A first allocation has no NUL yet, and a reserve need not be
		 * followed by a commit. */
		if (b->data == NULL)
			nd[0] = '\0';
		b->data = nd;
		b->cap = ncap;
	}
	*p = b->data + b->len;
	return 0;
}

void buf_commit(struct buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

int buf_put(struct buf *b, const void *p, size_t n)
{
	char *dst;
	int r;

	if ((r = buf_reserve(b, n, &dst)) != 0)
		return r;
	if (n)
		memcpy(dst, p, n);
	buf_commit(b, n);
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
	return buf_put(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	char *dst;
	int n, r;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ERR_INVAL;
	if ((r = buf_reserve(b, (size_t)n, &dst)) != 0)
		return r;
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	buf_commit(b, (size_t)n);
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int buf_put_u8(struct buf *b, uint8_t v)
{
	return buf_put(b, &v, 1);
}

int buf_put_u32(struct buf *b, uint32_t v)
{
	unsigned char p[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 8), (unsigned char)v};

	return buf_put(b, p, 4);
}

int buf_put_u64(struct buf *b, uint64_t v)
{
	unsigned char p[8];
	int i;

	/* One append, so hitting the cap cannot leave half the value behind. */
	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (56 - 8 * i));
	return buf_put(b, p, 8);
}

uint32_t buf_get_u32(const void *p)
{
	const unsigned char *q = p;

	return ((uint32_t)q[0] << 24) | ((uint32_t)q[1] << 16) | ((uint32_t)q[2] << 8) | q[3];
}

uint64_t buf_get_u64(const void *p)
{
	const unsigned char *q = p;

	return ((uint64_t)buf_get_u32(q) << 32) | buf_get_u32(q + 4);
}

const char *buf_ptr(const struct buf *b)
{
	return b->data ? b->data + b->off : "";
}

size_t buf_avail(const struct buf *b)
{
	return b->len - b->off;
}

void buf_consume(struct buf *b, size_t n)
{
	if (n > buf_avail(b))
		fatal("buf_consume past end");
	b->off += n;
	if (b->off == b->len)
		b->off = b->len = 0;
	if (b->data != NULL && b->len == 0)
		b->data[0] = '\0';
}

void buf_compact(struct buf *b)
{
	if (b->off == 0 || b->data == NULL)
		return;
	memmove(b->data, b->data + b->off, b->len - b->off + 1);
	b->len -= b->off;
	b->off = 0;
}

const char *buf_str(const struct buf *b)
{
	return buf_ptr(b);
}

char *buf_take(struct buf *b, size_t *lenp)
{
	char *p;
	size_t n;

	buf_compact(b);
	n = b->len;
	p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->off = b->cap = 0;
	if (lenp != NULL)
		*lenp = n;
	return p;
}

size_t buf_utf8(uint32_t cp, char u[4])
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	u[0] = (char)(0xf0 | cp >> 18);
	u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	u[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int buf_put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	return buf_put(b, u, buf_utf8(cp, u));
}
