/* Growable byte buffers with a mandatory size cap: every append checks the cap
 * and fails with ERR_TOOBIG instead of growing without bound. The data is kept
 * NUL-terminated (the NUL is not counted in len) so text can be used directly. */
#ifndef DROVER_BASE_BUF_H
#define DROVER_BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define BUF_MAX_DEFAULT ((size_t)64 << 20) /* 64 MiB */

struct buf {
	char *data;  /* owned; NULL until the first append */
	size_t len;  /* bytes used, excluding the trailing NUL */
	size_t off;  /* bytes consumed from the front (buf_consume) */
	size_t cap;  /* bytes allocated */
	size_t max;  /* cap on len; appends past it fail with ERR_TOOBIG */
	int secret;  /* wipe memory on growth and free */
};

/* Initialises b empty with the given cap (0 means BUF_MAX_DEFAULT). */
void buf_init(struct buf *b, size_t max);
/* Frees the storage (wiping it when b->secret) and leaves b empty, keeping max. */
void buf_fini(struct buf *b);
/* Empties b, keeping its storage. */
void buf_reset(struct buf *b);
/* Wipes the storage around the unread bytes: what was consumed and the room
 * past the end, where a secret read through b may linger. */
void buf_wipe_spare(struct buf *b);

/* Appends; each returns 0 or ERR_TOOBIG, leaving b unchanged on failure. */
int buf_put(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
int buf_put_u8(struct buf *b, uint8_t v);
int buf_put_u32(struct buf *b, uint32_t v); /* big-endian */
int buf_put_u64(struct buf *b, uint64_t v); /* big-endian */
/* Writes code point cp (at most 0x10FFFF) as UTF-8 into u; returns the
 * byte count (1 to 4). */
size_t buf_utf8(uint32_t cp, char u[4]);
/* Appends code point cp as UTF-8. Returns 0 or ERR_TOOBIG. */
int buf_put_utf8(struct buf *b, uint32_t cp);
/* Makes room for n more bytes and returns a pointer to them in *p; the caller
 * fills some and commits them with buf_commit. */
int buf_reserve(struct buf *b, size_t n, char **p);
void buf_commit(struct buf *b, size_t n);

/* Unconsumed bytes start at buf_ptr(b) and are buf_avail(b) long. */
const char *buf_ptr(const struct buf *b);
size_t buf_avail(const struct buf *b);
/* Drops n bytes from the front (n <= buf_avail). */
void buf_consume(struct buf *b, size_t n);
/* Moves unconsumed bytes to the front so the consumed space is reused. */
void buf_compact(struct buf *b);

/* Returns the contents as a NUL-terminated string (never NULL) valid until the
 * next change to b. */
const char *buf_str(const struct buf *b);
/* Moves the contents out as a NUL-terminated heap string (caller frees) and
 * leaves b empty; *lenp (optional) receives the length. */
char *buf_take(struct buf *b, size_t *lenp);

/* Big-endian readers over raw memory. */
uint32_t buf_get_u32(const void *p);
uint64_t buf_get_u64(const void *p);

#endif
