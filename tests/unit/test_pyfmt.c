/* Python-compatible formatting for worker results: datetime and timedelta
 * strings, bytes reprs, OSError messages, path expansion. Expected values
 * were recorded from Python 3.11. The module layer is not in libdrover.a, so
 * its source is compiled in here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/pyfmt.c"
#include "t.h"

static const char *fmt_delta(struct buf *b, int64_t us)
{
	buf_reset(b);
	pyfmt_timedelta(b, us);
	return buf_str(b);
}

static void test_timedelta(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_STR(fmt_delta(&b, 3241), "0:00:00.003241");
	T_EQ_STR(fmt_delta(&b, 0), "0:00:00");
	T_EQ_STR(fmt_delta(&b, 2000000), "0:00:02");
	T_EQ_STR(fmt_delta(&b, (int64_t)3723 * 1000000 + 5), "1:02:03.000005");
	T_EQ_STR(fmt_delta(&b, (int64_t)86400 * 1000000), "1 day, 0:00:00");
	T_EQ_STR(fmt_delta(&b, (int64_t)2 * 86400 * 1000000 + 1), "2 days, 0:00:00.000001");
	T_EQ_STR(fmt_delta(&b, -1), "-1 day, 23:59:59.999999");
	T_EQ_STR(fmt_delta(&b, (int64_t)-2 * 86400 * 1000000), "-2 days, 0:00:00");
	buf_fini(&b);
}

static void test_datetime(void)
{
	struct buf b;

	setenv("TZ", "UTC", 1);
	tzset();
	buf_init(&b, 0);
	pyfmt_datetime(&b, (int64_t)1700000000 * 1000000 + 123456);
	T_EQ_STR(buf_str(&b), "2023-11-14 22:13:20.123456");
	buf_reset(&b);
	pyfmt_datetime(&b, (int64_t)1700000000 * 1000000);
	T_EQ_STR(buf_str(&b), "2023-11-14 22:13:20");
	buf_reset(&b);
	pyfmt_datetime(&b, (int64_t)1700000000 * 1000000 + 5);
	T_EQ_STR(buf_str(&b), "2023-11-14 22:13:20.000005");
	buf_fini(&b);
}

static void test_repr(void)
{
	struct buf b;

	buf_init(&b, 0);
	pyfmt_bytes_repr(&b, "abc", 3);
	T_EQ_STR(buf_str(&b), "b'abc'");
	buf_reset(&b);
	pyfmt_bytes_repr(&b, "it's", 4);
	T_EQ_STR(buf_str(&b), "b\"it's\"");
	buf_reset(&b);
	pyfmt_bytes_repr(&b, "'\"\\\t\n\r\x01\x7f\xff", 9);
	T_EQ_STR(buf_str(&b), "b'\\'\"\\\\\\t\\n\\r\\x01\\x7f\\xff'");
	buf_reset(&b);
	pyfmt_oserror(&b, 2, "nosuchcmd", 0);
	T_EQ_STR(buf_str(&b), "[Errno 2] No such file or directory: b'nosuchcmd'");
	buf_reset(&b);
	pyfmt_oserror(&b, 13, "/bin/sh", 1);
	T_EQ_STR(buf_str(&b), "[Errno 13] Permission denied: '/bin/sh'");
	buf_reset(&b);
	pyfmt_oserror(&b, 40, "x", 0);
	T_EQ_STR(buf_str(&b), "[Errno 40] Too many levels of symbolic links: b'x'");
	buf_fini(&b);
}

static const char *expand(struct buf *b, const char *s, char *const *envp)
{
	buf_reset(b);
	pyfmt_expand_path(b, s, strlen(s), envp);
	return buf_str(b);
}

static void test_expand(void)
{
	char *env[] = {"HOME=/home/u/", "A=1", "B_2=two", "EMPTY=", NULL};
	struct buf b;

	buf_init(&b, 0);
	T_EQ_STR(expand(&b, "$A ${B_2} $B_2x $NOPE ${NOPE} $ ${A", env), "1 two $B_2x $NOPE ${NOPE} $ ${A");
	T_EQ_STR(expand(&b, "a$EMPTY.b", env), "a.b");
	T_EQ_STR(expand(&b, "$A$A", env), "11");
	T_EQ_STR(expand(&b, "~", env), "/home/u");
	T_EQ_STR(expand(&b, "~/x", env), "/home/u/x");
	T_EQ_STR(expand(&b, "a/~", env), "a/~");
	T_EQ_STR(expand(&b, "~root/x", env), "/root/x");
	T_EQ_STR(expand(&b, "~nosuchuser-drover/x", env), "~nosuchuser-drover/x");
	/* expandvars runs first, so a variable can produce the tilde. */
	T_EQ_STR(expand(&b, "${T}", (char *[]){"T=~", "HOME=/h", NULL}), "/h");
	buf_fini(&b);
}

int main(void)
{
	T_RUN(test_timedelta);
	T_RUN(test_datetime);
	T_RUN(test_repr);
	T_RUN(test_expand);
	return T_DONE();
}
