/* Unit tests for the small base modules: diag (first error wins, the
 * "file:line:col: msg" forms), err_str, log (verbosity filtering and line
 * format, captured from stderr) and xmalloc (including its aborts). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "t.h"

static void test_diag_empty(void)
{
	struct diag d;
	char *s;

	diag_init(&d);
	T_CHECK(!diag_has(&d));
	T_CHECK(d.file == NULL && d.msg == NULL && d.line == 0 && d.col == 0);
	s = diag_format(&d); /* formatting nothing must still give a string */
	T_CHECK(s != NULL);
	free(s);
	diag_fini(&d);
	diag_fini(&d);
	T_CHECK(!diag_has(&d));
}

static void test_diag_first_wins(void)
{
	struct diag d;
	char *s;

	diag_init(&d);
	diag_set(&d, "a.yml", 3, 7, "first %s %d", "cause", 1);
	T_CHECK(diag_has(&d));
	diag_set(&d, "b.yml", 9, 9, "second");
	diag_set(&d, NULL, 0, 0, "third");
	T_EQ_STR(d.file, "a.yml");
	T_EQ_INT(d.line, 3);
	T_EQ_INT(d.col, 7);
	T_EQ_STR(d.msg, "first cause 1");
	s = diag_format(&d);
	T_EQ_STR(s, "a.yml:3:7: first cause 1");
	free(s);
	diag_fini(&d);

	/* After fini the diag is empty and records again. */
	T_CHECK(!diag_has(&d));
	diag_set(&d, NULL, 0, 0, "again");
	T_CHECK(diag_has(&d));
	T_EQ_STR(d.msg, "again");
	diag_fini(&d);
}

/* A first error without a file still wins over a later one with a file. */
static void test_diag_first_wins_without_file(void)
{
	struct diag d;
	char *s;

	diag_init(&d);
	diag_set(&d, NULL, 0, 0, "no file");
	diag_set(&d, "x", 1, 1, "later");
	s = diag_format(&d);
	T_EQ_STR(s, "no file");
	free(s);
	diag_fini(&d);
}

static void test_diag_forms(void)
{
	struct diag d;
	char *s;

	diag_init(&d);
	diag_set(&d, NULL, 0, 0, "bad argument");
	s = diag_format(&d);
	T_EQ_STR(s, "bad argument");
	free(s);
	diag_fini(&d);

	diag_set(&d, "inv.ini", 0, 0, "unreadable");
	s = diag_format(&d);
	T_EQ_STR(s, "inv.ini: unreadable");
	free(s);
	diag_fini(&d);

	diag_set(&d, "inv.ini", 12, 0, "bad line");
	s = diag_format(&d);
	T_EQ_STR(s, "inv.ini:12: bad line");
	free(s);
	diag_fini(&d);

	diag_set(&d, "play.yml", 4, 15, "unexpected '%c'", '}');
	s = diag_format(&d);
	T_EQ_STR(s, "play.yml:4:15: unexpected '}'");
	free(s);
	diag_fini(&d);
}

/* The file name and message are copies, not borrowed pointers. */
static void test_diag_copies(void)
{
	struct diag d;
	char file[16], arg[16];
	char *s;

	memcpy(file, "f.yml", 6);
	memcpy(arg, "word", 5);
	diag_init(&d);
	diag_set(&d, file, 2, 3, "%s", arg);
	memset(file, 'X', sizeof(file) - 1);
	memset(arg, 'Y', sizeof(arg) - 1);
	s = diag_format(&d);
	T_EQ_STR(s, "f.yml:2:3: word");
	free(s);
	diag_fini(&d);
}

static void test_diag_long_message(void)
{
	struct diag d;
	char big[5000];
	char *s;

	memset(big, 'm', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_init(&d);
	diag_set(&d, "f", 1, 2, "%s", big);
	s = diag_format(&d);
	T_EQ_INT(strlen(s), strlen("f:1:2: ") + sizeof(big) - 1);
	free(s);
	diag_fini(&d);
}

static void test_err_str(void)
{
	int codes[] = {ERR_INTERNAL, ERR_TOOBIG, ERR_PARSE, ERR_PROTO, ERR_VERSION, ERR_EOF,
	               ERR_TIMEOUT, ERR_NOTFOUND, ERR_INVAL, ERR_DEPTH};
	size_t i, j, n = sizeof(codes) / sizeof(codes[0]);
	const char *unknown = err_str(ERR_LAST);

	T_CHECK(err_str(0) != NULL);
	T_CHECK(unknown != NULL);
	T_CHECK(err_str(1) != NULL);
	T_CHECK(err_str(ERR_BASE) != NULL);
	T_CHECK(err_str(-1000000) != NULL);
	for (i = 0; i < n; i++) {
		T_CHECK(err_str(codes[i]) != NULL && strcmp(err_str(codes[i]), unknown) != 0);
		for (j = 0; j < i; j++)
			T_CHECK(strcmp(err_str(codes[i]), err_str(codes[j])) != 0);
		/* The project range is disjoint from errno values. */
		T_CHECK(codes[i] < ERR_BASE && codes[i] > ERR_LAST);
	}
	T_EQ_STR(err_str(-ENOENT), strerror(ENOENT));
	T_EQ_STR(err_str(-EPIPE), strerror(EPIPE));
	T_EQ_STR(err_str(-EACCES), strerror(EACCES));
}

/* Runs fn with stderr sent to a pipe and returns what it wrote. */
static char *capture_stderr(void (*fn)(void))
{
	struct buf out;
	int p[2], saved, n;
	char tmp[4096];

	buf_init(&out, 1 << 20);
	if (pipe(p) < 0)
		return xstrdup("(pipe failed)");
	fflush(stderr);
	saved = dup(2);
	dup2(p[1], 2);
	close(p[1]);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	/* The write end is closed now, so this reads to EOF; the messages are
	 * far smaller than a pipe's buffer, so fn could not block. */
	while ((n = (int)read(p[0], tmp, sizeof(tmp))) > 0)
		buf_put(&out, tmp, (size_t)n);
	close(p[0]);
	return buf_take(&out, NULL);
}

static void log_levels_fn(void)
{
	log_set_prog("tprog");
	log_set_verbosity(1);
	log_error("bad %d", 1);
	log_warn("careful");
	log_msg(LOG_INFO, "info");
	log_v(1, "v one");
	log_v(2, "v two hidden");
	log_msg(LOG_V3, "v three hidden");
	log_set_verbosity(LOG_ERROR);
	log_warn("warn hidden");
	log_error("still shown");
	log_set_verbosity(0);
	log_set_prog("drover");
}

static void test_log_levels(void)
{
	char *s = capture_stderr(log_levels_fn);

	T_EQ_STR(s, "tprog: ERROR: bad 1\n"
	            "tprog: [WARNING]: careful\n"
	            "tprog: info\n"
	            "tprog: v one\n"
	            "tprog: ERROR: still shown\n");
	free(s);
}

static void test_log_enabled(void)
{
	log_set_verbosity(2);
	T_EQ_INT(log_verbosity(), 2);
	T_CHECK(log_enabled(LOG_ERROR));
	T_CHECK(log_enabled(LOG_WARN));
	T_CHECK(log_enabled(LOG_INFO));
	T_CHECK(log_enabled(LOG_V2));
	T_CHECK(!log_enabled(LOG_V3));
	log_set_verbosity(0);
	T_CHECK(!log_enabled(LOG_V1));
	T_CHECK(log_enabled(LOG_INFO));
}

static void log_long_fn(void)
{
	char *big = xmalloc(20000);

	memset(big, 'L', 19999);
	big[19999] = '\0';
	log_msg(LOG_INFO, "%s", big);
	log_msg(LOG_INFO, "after");
	free(big);
}

/* An over-long message is cut, but still one line ending in a newline. */
static void test_log_long_message(void)
{
	char *s = capture_stderr(log_long_fn);
	char *nl = strchr(s, '\n');

	T_CHECK(nl != NULL);
	T_CHECK(nl != NULL && nl - s > 1000);
	T_CHECK(strncmp(s, "drover: LLL", 11) == 0);
	T_CHECK(nl != NULL && strcmp(nl + 1, "drover: after\n") == 0);
	free(s);
}

static char *long_prog;

static void log_long_prog_fn(void)
{
	log_set_prog(long_prog);
	log_error("x");
	log_set_prog("drover");
}

/* A program name longer than the line buffer must not overflow it. */
static void test_log_long_prog(void)
{
	char *s;

	/* Lengths around the 4 KiB line buffer, where the prefix alone ends
	 * exactly at, just before and past its end. */
	static const size_t lens[] = {4090, 4092, 4093, 4094, 4095, 4096, 4100, 5999};
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		long_prog = xmalloc(lens[i] + 1);
		memset(long_prog, 'P', lens[i]);
		long_prog[lens[i]] = '\0';
		s = capture_stderr(log_long_prog_fn);
		T_CHECK(strncmp(s, "PPPP", 4) == 0);
		T_CHECK(strlen(s) > 1000 && s[strlen(s) - 1] == '\n');
		T_CHECK(strchr(s, '\n') == s + strlen(s) - 1);
		free(s);
		free(long_prog);
	}
}

static void test_xmalloc_basics(void)
{
	char *p;
	int *v;
	size_t i;
	int zero = 1;

	p = xstrdup("abc");
	T_EQ_STR(p, "abc");
	free(p);
	p = xstrndup("abcdef", 3);
	T_EQ_STR(p, "abc");
	free(p);
	p = xstrndup("a\0bc", 4); /* copies n bytes, NULs included */
	T_CHECK(memcmp(p, "a\0bc\0", 5) == 0);
	free(p);
	p = xasprintf("%s-%d-%zu", "x", -3, (size_t)7);
	T_EQ_STR(p, "x--3-7");
	free(p);
	p = xasprintf("%s", "");
	T_EQ_STR(p, "");
	free(p);
	v = xcalloc(1000, sizeof(*v));
	for (i = 0; i < 1000; i++)
		if (v[i] != 0)
			zero = 0;
	T_CHECK(zero);
	v = xreallocarray(v, 2000, sizeof(*v));
	T_EQ_INT(v[999], 0);
	v[1999] = 5;
	free(v);
	/* Zero sizes give a pointer that can be freed, never NULL. */
	p = xmalloc(0);
	T_CHECK(p != NULL);
	free(p);
	p = xcalloc(0, 0);
	T_CHECK(p != NULL);
	free(p);
	p = xreallocarray(NULL, 0, 0);
	T_CHECK(p != NULL);
	free(p);
}

/* Runs fn in a child with stderr discarded; returns its wait status. */
static int run_child(void (*fn)(void))
{
	pid_t pid;
	int status = -1, nul;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		nul = open("/dev/null", O_WRONLY);
		dup2(nul, 2);
		fn();
		_exit(0);
	}
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void overflow_fn(void)
{
	void *p = xreallocarray(NULL, SIZE_MAX / 2, 3);

	free(p);
}

static void fatal_fn(void)
{
	fatal("test %d", 1);
}

static void test_xmalloc_aborts(void)
{
	int st;

	st = run_child(overflow_fn);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
	st = run_child(fatal_fn);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);
}

int main(void)
{
	T_RUN(test_diag_empty);
	T_RUN(test_diag_first_wins);
	T_RUN(test_diag_first_wins_without_file);
	T_RUN(test_diag_forms);
	T_RUN(test_diag_copies);
	T_RUN(test_diag_long_message);
	T_RUN(test_err_str);
	T_RUN(test_log_levels);
	T_RUN(test_log_enabled);
	T_RUN(test_log_long_message);
	T_RUN(test_log_long_prog);
	T_RUN(test_xmalloc_basics);
	T_RUN(test_xmalloc_aborts);
	return T_DONE();
}
