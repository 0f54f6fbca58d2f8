/* Unit tests for src/base/buf: the size cap (a failed append leaves the buffer
 * unchanged), formatting, big-endian integers, the consume/compact/reserve/
 * commit interplay, buf_take, secret buffers and the NUL-termination invariant. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "t.h"

/* The invariant every operation keeps: the unconsumed bytes are followed by
 * a NUL, and buf_str is the same view as buf_ptr. */
static int nul_ok(const struct buf *b)
{
	return buf_ptr(b) != NULL && buf_str(b) == buf_ptr(b) && buf_ptr(b)[buf_avail(b)] == '\0';
}

/* Records what is observable about b so a failed call can be shown to have
 * changed nothing. */
struct snap {
	char bytes[256];
	size_t avail;
};

static void snap_take(const struct buf *b, struct snap *s)
{
	s->avail = buf_avail(b);
	memset(s->bytes, 0, sizeof(s->bytes));
	memcpy(s->bytes, buf_ptr(b), s->avail < sizeof(s->bytes) ? s->avail : sizeof(s->bytes));
}

static int snap_same(const struct buf *b, const struct snap *s)
{
	return buf_avail(b) == s->avail && memcmp(buf_ptr(b), s->bytes, s->avail) == 0 && nul_ok(b);
}

static void test_init_empty(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(b.max, BUF_MAX_DEFAULT);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	T_CHECK(nul_ok(&b));
	buf_init(&b, 7);
	T_EQ_INT(b.max, 7);
	buf_fini(&b);
	T_EQ_INT(b.max, 7);
	T_EQ_STR(buf_str(&b), "");
	buf_fini(&b); /* twice is harmless */
}

static void test_put_forms(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(buf_put(&b, "ab", 2), 0);
	T_EQ_INT(buf_puts(&b, "cd"), 0);
	T_EQ_INT(buf_putc(&b, 'e'), 0);
	T_EQ_INT(buf_put_u8(&b, 'f'), 0);
	T_EQ_INT(buf_put(&b, NULL, 0), 0);
	T_EQ_INT(buf_puts(&b, ""), 0);
	T_EQ_STR(buf_str(&b), "abcdef");
	T_EQ_INT(buf_avail(&b), 6);
	T_CHECK(nul_ok(&b));
	buf_fini(&b);
}

static void test_binary_with_nuls(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(buf_put(&b, "a\0b\0", 4), 0);
	T_EQ_INT(buf_putc(&b, '\0'), 0);
	T_EQ_INT(buf_avail(&b), 5);
	T_CHECK(memcmp(buf_ptr(&b), "a\0b\0\0", 5) == 0);
	T_CHECK(nul_ok(&b));
	buf_fini(&b);
}

static void test_growth_keeps_contents(void)
{
	struct buf b;
	size_t i;
	int ok = 1;

	buf_init(&b, 0);
	for (i = 0; i < 100000; i++)
		if (buf_putc(&b, (char)('a' + i % 26)) != 0)
			ok = 0;
	T_CHECK(ok);
	T_EQ_INT(buf_avail(&b), 100000);
	for (i = 0; i < 100000; i++)
		if (buf_ptr(&b)[i] != (char)('a' + i % 26))
			ok = 0;
	T_CHECK(ok);
	T_CHECK(nul_ok(&b));
	buf_fini(&b);
}

static void test_cap_exact_fit(void)
{
	struct buf b;

	buf_init(&b, 8);
	T_EQ_INT(buf_put(&b, "12345678", 8), 0);
	T_EQ_STR(buf_str(&b), "12345678");
	buf_fini(&b);

	buf_init(&b, 8);
	T_EQ_INT(buf_printf(&b, "%08d", 42), 0);
	T_EQ_STR(buf_str(&b), "00000042");
	buf_fini(&b);

	buf_init(&b, 8);
	T_EQ_INT(buf_put_u64(&b, 1), 0);
	T_EQ_INT(buf_avail(&b), 8);
	buf_fini(&b);
}

/* Every append form must fail whole: no partial write when only part fits. */
static void test_cap_failure_leaves_unchanged(void)
{
	struct buf b;
	struct snap s;
	char *p = NULL;

	buf_init(&b, 8);
	T_EQ_INT(buf_puts(&b, "abcde"), 0); /* 3 bytes left */
	snap_take(&b, &s);
	T_EQ_INT(buf_put(&b, "wxyz", 4), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_puts(&b, "wxyz"), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_printf(&b, "%s", "wxyz"), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_printf(&b, "%d", 1234), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_put_u32(&b, 0x01020304), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_put_u64(&b, 0x0102030405060708ULL), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_reserve(&b, 4, &p), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	/* What fits still goes in afterwards. */
	T_EQ_INT(buf_puts(&b, "fgh"), 0);
	T_EQ_STR(buf_str(&b), "abcdefgh");
	snap_take(&b, &s);
	T_EQ_INT(buf_putc(&b, 'i'), ERR_TOOBIG);
	T_EQ_INT(buf_put_u8(&b, 1), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	buf_fini(&b);
}

/* buf_put_u64 when exactly four bytes are left: the first half would fit. */
static void test_cap_u64_half_fits(void)
{
	struct buf b;
	struct snap s;

	buf_init(&b, 8);
	T_EQ_INT(buf_puts(&b, "abcd"), 0);
	snap_take(&b, &s);
	T_EQ_INT(buf_put_u64(&b, 0x1122334455667788ULL), ERR_TOOBIG);
	T_CHECK(snap_same(&b, &s));
	T_EQ_INT(buf_avail(&b), 4);
	buf_fini(&b);
}

static void test_cap_huge_requests(void)
{
	struct buf b;
	char *p = NULL;

	buf_init(&b, 0);
	T_EQ_INT(buf_reserve(&b, BUF_MAX_DEFAULT + 1, &p), ERR_TOOBIG);
	T_EQ_INT(buf_reserve(&b, SIZE_MAX, &p), ERR_TOOBIG);
	T_EQ_INT(buf_put(&b, "", SIZE_MAX), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(buf_puts(&b, "x"), 0);
	T_EQ_INT(buf_reserve(&b, SIZE_MAX, &p), ERR_TOOBIG);
	T_EQ_INT(buf_reserve(&b, SIZE_MAX - 1, &p), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "x");
	buf_fini(&b);
}

/* The cap bounds the live data: consumed bytes make room again. */
static void test_cap_after_consume(void)
{
	struct buf b;
	int i, ok = 1;

	buf_init(&b, 16);
	T_EQ_INT(buf_put(&b, "0123456789", 10), 0);
	buf_consume(&b, 5);
	T_EQ_INT(buf_put(&b, "abcdefghij", 10), 0); /* 15 live bytes */
	T_EQ_STR(buf_str(&b), "56789abcdefghij");
	T_EQ_INT(buf_put(&b, "XY", 2), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "56789abcdefghij");
	T_EQ_INT(buf_putc(&b, 'k'), 0);
	T_EQ_STR(buf_str(&b), "56789abcdefghijk");
	buf_fini(&b);

	/* A long stream through a small buffer never hits the cap. */
	buf_init(&b, 16);
	for (i = 0; i < 10000; i++) {
		if (buf_put(&b, "0123456789", 10) != 0 || buf_avail(&b) != 10 ||
		    memcmp(buf_ptr(&b), "0123456789", 10) != 0)
			ok = 0;
		buf_consume(&b, 10);
	}
	T_CHECK(ok);
	for (i = 0; i < 10000; i++) {
		if (buf_put(&b, "abc", 3) != 0)
			ok = 0;
		buf_consume(&b, 2); /* the live data creeps up by one each round */
		if (buf_avail(&b) > 12)
			buf_consume(&b, buf_avail(&b) - 1);
		if (!nul_ok(&b))
			ok = 0;
	}
	T_CHECK(ok);
	buf_fini(&b);
}

static void test_printf(void)
{
	struct buf b;
	char big[300];

	buf_init(&b, 0);
	T_EQ_INT(buf_printf(&b, "%s=%d", "x", -5), 0);
	T_EQ_INT(buf_printf(&b, "%c%05.1f", ';', 2.25), 0);
	T_EQ_STR(buf_str(&b), "x=-5;002.2");
	T_EQ_INT(buf_printf(&b, "%s", ""), 0);
	T_EQ_STR(buf_str(&b), "x=-5;002.2");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	T_EQ_INT(buf_printf(&b, "[%s]", big), 0); /* forces growth mid-printf */
	T_EQ_INT(buf_avail(&b), 10 + 2 + 299);
	T_CHECK(buf_str(&b)[11] == 'q' && buf_str(&b)[310] == ']');
	T_CHECK(nul_ok(&b));
	buf_fini(&b);
}

static int vprintf_helper(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int vprintf_helper(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

static void test_vprintf(void)
{
	struct buf b;

	buf_init(&b, 6);
	T_EQ_INT(vprintf_helper(&b, "%d-%d", 12, 34), 0);
	T_EQ_STR(buf_str(&b), "12-34");
	T_EQ_INT(vprintf_helper(&b, "%d", 56), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "12-34");
	buf_fini(&b);
}

static void test_u32_u64_round_trip(void)
{
	static const uint32_t v32[] = {0, 1, 0x7f, 0x80, 0xff, 0x100, 0xdeadbeef, 0x7fffffff, 0x80000000, UINT32_MAX};
	static const uint64_t v64[] = {0, 1, 0xff, 0x0123456789abcdefULL, 0x8000000000000000ULL, UINT64_MAX,
	                               0x00000000ffffffffULL, 0xffffffff00000000ULL};
	struct buf b;
	size_t i;
	const unsigned char *q;

	buf_init(&b, 0);
	T_EQ_INT(buf_put_u32(&b, 0x01020304), 0);
	T_EQ_INT(buf_put_u64(&b, 0x0a0b0c0d0e0f1011ULL), 0);
	T_EQ_INT(buf_put_u8(&b, 0xfe), 0);
	q = (const unsigned char *)buf_ptr(&b);
	T_EQ_INT(buf_avail(&b), 13);
	T_CHECK(memcmp(q, "\x01\x02\x03\x04\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\xfe", 13) == 0);
	T_EQ_INT(buf_get_u32(q), 0x01020304);
	T_CHECK(buf_get_u64(q + 4) == 0x0a0b0c0d0e0f1011ULL);
	buf_reset(&b);
	for (i = 0; i < sizeof(v32) / sizeof(v32[0]); i++)
		T_EQ_INT(buf_put_u32(&b, v32[i]), 0);
	for (i = 0; i < sizeof(v64) / sizeof(v64[0]); i++)
		T_EQ_INT(buf_put_u64(&b, v64[i]), 0);
	for (i = 0; i < sizeof(v32) / sizeof(v32[0]); i++) {
		T_CHECK(buf_get_u32(buf_ptr(&b)) == v32[i]);
		buf_consume(&b, 4);
	}
	for (i = 0; i < sizeof(v64) / sizeof(v64[0]); i++) {
		T_CHECK(buf_get_u64(buf_ptr(&b)) == v64[i]);
		buf_consume(&b, 8);
	}
	T_EQ_INT(buf_avail(&b), 0);
	buf_fini(&b);
}

/* Unaligned reads must work (frames are parsed at arbitrary offsets). */
static void test_get_unaligned(void)
{
	unsigned char raw[16];
	size_t i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (unsigned char)(0x10 + i);
	T_EQ_INT(buf_get_u32(raw + 1), 0x11121314);
	T_CHECK(buf_get_u64(raw + 3) == 0x131415161718191aULL);
}

static void test_consume_compact(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(buf_puts(&b, "hello world"), 0);
	buf_consume(&b, 0);
	T_EQ_STR(buf_str(&b), "hello world");
	buf_consume(&b, 6);
	T_EQ_INT(buf_avail(&b), 5);
	T_EQ_STR(buf_str(&b), "world");
	T_CHECK(nul_ok(&b));
	buf_compact(&b);
	T_EQ_INT(buf_avail(&b), 5);
	T_EQ_STR(buf_str(&b), "world");
	T_CHECK(buf_ptr(&b) == b.data); /* compacted: unconsumed bytes at the front */
	buf_compact(&b);                /* nothing consumed: a no-op */
	T_EQ_STR(buf_str(&b), "world");
	T_EQ_INT(buf_puts(&b, "!"), 0);
	T_EQ_STR(buf_str(&b), "world!");
	buf_consume(&b, 6);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	T_CHECK(nul_ok(&b));
	buf_compact(&b);
	T_EQ_STR(buf_str(&b), "");
	buf_fini(&b);

	buf_init(&b, 0);
	buf_compact(&b); /* on a never-used buffer */
	buf_consume(&b, 0);
	T_EQ_STR(buf_str(&b), "");
	buf_fini(&b);
}

static void test_reserve_commit(void)
{
	struct buf b;
	char *p = NULL;

	buf_init(&b, 0);
	T_EQ_INT(buf_reserve(&b, 100, &p), 0);
	T_CHECK(p != NULL);
	memcpy(p, "abc", 3);
	buf_commit(&b, 3);
	T_EQ_STR(buf_str(&b), "abc");
	T_EQ_INT(buf_avail(&b), 3);
	T_CHECK(nul_ok(&b));

	/* Reserving (and growing) does not disturb what is there. */
	T_EQ_INT(buf_reserve(&b, 100000, &p), 0);
	T_EQ_STR(buf_str(&b), "abc");
	T_CHECK(p == buf_ptr(&b) + 3);
	memset(p, 'z', 100000);
	buf_commit(&b, 100000);
	T_EQ_INT(buf_avail(&b), 100003);
	T_CHECK(buf_ptr(&b)[100002] == 'z');
	T_CHECK(nul_ok(&b));

	/* Commit of zero after a reserve keeps the string intact. */
	T_EQ_INT(buf_reserve(&b, 10, &p), 0);
	buf_commit(&b, 0);
	T_EQ_INT(buf_avail(&b), 100003);
	T_CHECK(nul_ok(&b));

	/* Reserve after consume: the pointer follows the live data. */
	buf_consume(&b, 100000);
	T_EQ_STR(buf_str(&b), "zzz");
	T_EQ_INT(buf_reserve(&b, 4, &p), 0);
	memcpy(p, "1234", 4);
	buf_commit(&b, 2);
	T_EQ_STR(buf_str(&b), "zzz12");
	buf_fini(&b);
}

/* A reserve on a fresh buffer that is not (yet) committed must still leave a
 * valid empty string behind. */
static void test_reserve_without_commit(void)
{
	struct buf b;
	char *p = NULL;
	char *junk;
	int i;

	/* Dirty the heap so fresh memory is unlikely to start with a NUL. */
	for (i = 0; i < 8; i++) {
		junk = malloc(64 << i);
		if (junk == NULL)
			continue;
		memset(junk, 'J', (size_t)64 << i);
		free(junk);
	}
	buf_init(&b, 0);
	T_EQ_INT(buf_reserve(&b, 10, &p), 0);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	T_CHECK(nul_ok(&b));
	buf_fini(&b);

	buf_init(&b, 0);
	b.secret = 1;
	T_EQ_INT(buf_reserve(&b, 10, &p), 0);
	T_EQ_STR(buf_str(&b), "");
	buf_fini(&b);

	buf_init(&b, 0);
	T_EQ_INT(buf_reserve(&b, 500, &p), 0);
	junk = buf_take(&b, NULL);
	T_EQ_STR(junk, "");
	free(junk);
	buf_fini(&b);
}

static void test_reset(void)
{
	struct buf b;

	buf_init(&b, 5);
	T_EQ_INT(buf_puts(&b, "abcde"), 0);
	buf_consume(&b, 2);
	buf_reset(&b);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	T_CHECK(nul_ok(&b));
	T_EQ_INT(b.max, 5);
	T_EQ_INT(buf_puts(&b, "12345"), 0);
	T_EQ_INT(buf_putc(&b, '6'), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "12345");
	buf_fini(&b);
	buf_reset(&b); /* after fini: still a valid empty buffer */
	T_EQ_STR(buf_str(&b), "");
	buf_fini(&b);
}

static void test_take(void)
{
	struct buf b;
	size_t n = 99;
	char *s;

	buf_init(&b, 10);
	T_EQ_INT(buf_puts(&b, "hello"), 0);
	s = buf_take(&b, &n);
	T_EQ_STR(s, "hello");
	T_EQ_INT(n, 5);
	free(s);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(b.max, 10);
	/* The buffer is usable again and still capped. */
	T_EQ_INT(buf_puts(&b, "0123456789"), 0);
	T_EQ_INT(buf_putc(&b, 'x'), ERR_TOOBIG);
	buf_consume(&b, 4);
	s = buf_take(&b, &n); /* only the unconsumed part */
	T_EQ_STR(s, "456789");
	T_EQ_INT(n, 6);
	free(s);

	/* Empty: a real empty string, never NULL. */
	n = 99;
	s = buf_take(&b, &n);
	T_CHECK(s != NULL);
	T_EQ_STR(s, "");
	T_EQ_INT(n, 0);
	free(s);
	s = buf_take(&b, NULL);
	T_EQ_STR(s, "");
	free(s);

	/* Embedded NULs survive and the length tells them apart. */
	T_EQ_INT(buf_put(&b, "a\0b", 3), 0);
	s = buf_take(&b, &n);
	T_EQ_INT(n, 3);
	T_CHECK(memcmp(s, "a\0b", 4) == 0);
	free(s);

	/* Everything consumed, then taken. */
	T_EQ_INT(buf_puts(&b, "xyz"), 0);
	buf_consume(&b, 3);
	s = buf_take(&b, &n);
	T_EQ_STR(s, "");
	T_EQ_INT(n, 0);
	free(s);
	buf_fini(&b);
}

/* Wiping cannot be observed portably; this checks secret buffers behave like
 * ordinary ones through growth, consumption, formatting and hand-over. */
static void test_secret(void)
{
	struct buf b;
	char *p = NULL, *s;
	size_t n, i;
	int ok = 1;

	buf_init(&b, 0);
	b.secret = 1;
	for (i = 0; i < 5000; i++)
		if (buf_printf(&b, "%03zu", i % 1000) != 0)
			ok = 0;
	T_CHECK(ok);
	T_EQ_INT(buf_avail(&b), 15000);
	T_CHECK(memcmp(buf_ptr(&b), "000001002", 9) == 0);
	T_CHECK(memcmp(buf_ptr(&b) + 14997, "999", 3) == 0);
	buf_consume(&b, 12000); /* 4000 entries: starts again at "000" */
	T_EQ_INT(buf_reserve(&b, 50000, &p), 0); /* may compact and grow */
	memset(p, 's', 10);
	buf_commit(&b, 10);
	T_EQ_INT(buf_avail(&b), 3010);
	T_CHECK(memcmp(buf_ptr(&b), "000001", 6) == 0);
	T_CHECK(memcmp(buf_ptr(&b) + 3000, "ssssssssss", 10) == 0);
	T_CHECK(nul_ok(&b));
	buf_compact(&b);
	T_CHECK(memcmp(buf_ptr(&b), "000001", 6) == 0);
	buf_reset(&b);
	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(buf_puts(&b, "password"), 0);
	T_EQ_STR(buf_str(&b), "password");
	buf_fini(&b);
	T_EQ_STR(buf_str(&b), "");

	buf_init(&b, 4);
	b.secret = 1;
	T_EQ_INT(buf_puts(&b, "pw"), 0);
	T_EQ_INT(buf_puts(&b, "xyz"), ERR_TOOBIG);
	T_EQ_STR(buf_str(&b), "pw");
	s = buf_take(&b, &n);
	T_EQ_STR(s, "pw");
	T_EQ_INT(n, 2);
	free(s);
	buf_fini(&b);
}

/* The NUL after the live data holds through a mixed sequence of operations. */
static void test_nul_invariant_sequence(void)
{
	struct buf b;
	char *p = NULL;
	int i, ok = 1;

	buf_init(&b, 200);
	for (i = 0; i < 2000; i++) {
		switch (i % 7) {
		case 0: buf_puts(&b, "abc"); break;
		case 1: buf_printf(&b, "%d", i); break;
		case 2: if (buf_avail(&b) > 2) buf_consume(&b, 2); break;
		case 3: buf_compact(&b); break;
		case 4:
			if (buf_reserve(&b, 5, &p) == 0) {
				memcpy(p, "12345", 5);
				buf_commit(&b, (size_t)(i % 5));
			}
			break;
		case 5: buf_put_u32(&b, 0x41424344); break;
		default:
			if (buf_avail(&b) > 150)
				buf_consume(&b, buf_avail(&b));
			break;
		}
		if (!nul_ok(&b) || buf_avail(&b) > 200)
			ok = 0;
	}
	T_CHECK(ok);
	buf_fini(&b);
}

/* Consuming past the end is a caller bug: it must abort, not corrupt. */
static void test_consume_past_end_aborts(void)
{
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct buf b;

		dup2(open("/dev/null", O_WRONLY), 2);
		buf_init(&b, 0);
		buf_puts(&b, "ab");
		buf_consume(&b, 3);
		_exit(0);
	}
	T_CHECK(pid > 0);
	if (pid <= 0)
		return;
	T_EQ_INT(waitpid(pid, &status, 0), pid);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

int main(void)
{
	T_RUN(test_init_empty);
	T_RUN(test_put_forms);
	T_RUN(test_binary_with_nuls);
	T_RUN(test_growth_keeps_contents);
	T_RUN(test_cap_exact_fit);
	T_RUN(test_cap_failure_leaves_unchanged);
	T_RUN(test_cap_u64_half_fits);
	T_RUN(test_cap_huge_requests);
	T_RUN(test_cap_after_consume);
	T_RUN(test_printf);
	T_RUN(test_vprintf);
	T_RUN(test_u32_u64_round_trip);
	T_RUN(test_get_unaligned);
	T_RUN(test_consume_compact);
	T_RUN(test_reserve_commit);
	T_RUN(test_reserve_without_commit);
	T_RUN(test_reset);
	T_RUN(test_take);
	T_RUN(test_secret);
	T_RUN(test_nul_invariant_sequence);
	T_RUN(test_consume_past_end_aborts);
	return T_DONE();
}
