/* Unit tests for src/base/fdutil: flag helpers, close-on-exec pipes, reading
 * to EOF under a cap (exactly at, below and above it), file_read errors, and
 * fd_write_all through a non-blocking pipe much larger than its buffer while
 * a child drains it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "t.h"

static int is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC) != 0;
}

static int is_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl >= 0 && (fl & O_NONBLOCK) != 0;
}

/* Waits for pid with a deadline, killing it if the deadline passes. */
static int reap(pid_t pid, int *statusp, int timeout_ms)
{
	struct timespec ts = {0, 1000000};
	int waited = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, statusp, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (waited++ >= timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, statusp, 0);
			return ERR_TIMEOUT;
		}
		nanosleep(&ts, NULL);
	}
}

/* A temporary file holding n bytes of a known pattern; unlinked at once. */
static int temp_file(size_t n)
{
	char path[] = "/tmp/drover-test-fdutil.XXXXXX";
	char chunk[4096];
	size_t i, k;
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	for (i = 0; i < n; i += k) {
		k = n - i < sizeof(chunk) ? n - i : sizeof(chunk);
		for (size_t j = 0; j < k; j++)
			chunk[j] = (char)('a' + (i + j) % 23);
		if (fd_write_all(fd, chunk, k) != 0) {
			close(fd);
			return -1;
		}
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int pattern_ok(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != (char)('a' + i % 23))
			return 0;
	return 1;
}

static void test_pipe_cloexec(void)
{
	int p[2] = {-1, -1};

	T_EQ_INT(fd_pipe(p), 0);
	T_CHECK(p[0] >= 0 && p[1] >= 0 && p[0] != p[1]);
	T_CHECK(is_cloexec(p[0]) && is_cloexec(p[1]));
	T_CHECK(!is_nonblock(p[0]) && !is_nonblock(p[1]));
	T_EQ_INT(write(p[1], "x", 1), 1);
	fd_close(&p[1]);
	T_EQ_INT(p[1], -1);
	fd_close(&p[1]); /* -1: a no-op */
	T_EQ_INT(p[1], -1);
	fd_close(&p[0]);
	T_EQ_INT(p[0], -1);
}

static void test_flags(void)
{
	int p[2] = {-1, -1};

	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(fd_set_nonblock(p[0], 1), 0);
	T_CHECK(is_nonblock(p[0]));
	T_EQ_INT(fd_set_nonblock(p[0], 1), 0); /* idempotent */
	T_CHECK(is_nonblock(p[0]));
	T_EQ_INT(fd_set_nonblock(p[0], 0), 0);
	T_CHECK(!is_nonblock(p[0]));
	T_EQ_INT(fd_set_cloexec(p[1], 0), 0);
	T_CHECK(!is_cloexec(p[1]));
	T_EQ_INT(fd_set_cloexec(p[1], 1), 0);
	T_CHECK(is_cloexec(p[1]));
	/* The two flags are independent. */
	T_EQ_INT(fd_set_nonblock(p[1], 1), 0);
	T_CHECK(is_cloexec(p[1]));
	fd_close(&p[0]);
	fd_close(&p[1]);
	T_EQ_INT(fd_set_nonblock(1000000, 1), -EBADF);
	T_EQ_INT(fd_set_cloexec(1000000, 1), -EBADF);
	T_EQ_INT(fd_set_nonblock(-1, 0), -EBADF);
}

static void test_devnull(void)
{
	struct buf b;
	int fd;

	fd = fd_devnull(O_RDONLY);
	T_CHECK(fd >= 0);
	T_CHECK(is_cloexec(fd));
	buf_init(&b, 16);
	T_EQ_INT(fd_read_all(fd, &b), 0);
	T_EQ_INT(buf_avail(&b), 0);
	fd_close(&fd);
	fd = fd_devnull(O_WRONLY);
	T_CHECK(fd >= 0);
	T_CHECK(is_cloexec(fd));
	T_EQ_INT(fd_write_all(fd, "data", 4), 0);
	fd_close(&fd);
	fd = fd_devnull(O_RDWR);
	T_CHECK(fd >= 0);
	fd_close(&fd);
	buf_fini(&b);
}

static void test_read_all_pipe(void)
{
	struct buf b;
	int p[2];

	buf_init(&b, 0);
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(write(p[1], "hello", 5), 5);
	fd_close(&p[1]);
	T_EQ_INT(fd_read_all(p[0], &b), 0);
	T_EQ_STR(buf_str(&b), "hello");
	fd_close(&p[0]);
	buf_fini(&b);

	/* Empty input. */
	T_EQ_INT(fd_pipe(p), 0);
	fd_close(&p[1]);
	T_EQ_INT(fd_read_all(p[0], &b), 0);
	T_EQ_INT(buf_avail(&b), 0);
	T_EQ_STR(buf_str(&b), "");
	fd_close(&p[0]);
	buf_fini(&b);
}

static void test_read_all_large_file(void)
{
	struct buf b;
	size_t n = 1000003; /* many reads, and not a multiple of any chunk size */
	int fd = temp_file(n);

	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	buf_init(&b, 0);
	T_EQ_INT(fd_read_all(fd, &b), 0);
	T_EQ_INT(buf_avail(&b), n);
	T_CHECK(pattern_ok(buf_ptr(&b), n));
	T_CHECK(buf_ptr(&b)[n] == '\0');
	close(fd);
	buf_fini(&b);
}

/* Input of exactly the cap fits; one byte more is ERR_TOOBIG. Sizes on both
 * sides of the internal chunk size are tried. */
static void test_read_all_cap(void)
{
	static const size_t caps[] = {1, 10, 4096, 65535, 65536, 65537, 200000};
	struct buf b;
	size_t i;
	int fd;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		fd = temp_file(caps[i] - 1);
		buf_init(&b, caps[i]);
		T_EQ_INT(fd_read_all(fd, &b), 0);
		T_EQ_INT(buf_avail(&b), caps[i] - 1);
		close(fd);
		buf_fini(&b);

		fd = temp_file(caps[i]);
		buf_init(&b, caps[i]);
		T_EQ_INT(fd_read_all(fd, &b), 0);
		T_EQ_INT(buf_avail(&b), caps[i]);
		T_CHECK(pattern_ok(buf_ptr(&b), caps[i]));
		close(fd);
		buf_fini(&b);

		fd = temp_file(caps[i] + 1);
		buf_init(&b, caps[i]);
		T_EQ_INT(fd_read_all(fd, &b), ERR_TOOBIG);
		T_CHECK(buf_avail(&b) <= caps[i]);
		close(fd);
		buf_fini(&b);

		fd = temp_file(3 * caps[i] + 70000);
		buf_init(&b, caps[i]);
		T_EQ_INT(fd_read_all(fd, &b), ERR_TOOBIG);
		T_CHECK(buf_avail(&b) <= caps[i]);
		close(fd);
		buf_fini(&b);
	}
}

/* Exactly-the-cap through a pipe: the EOF comes in a separate read. */
static void test_read_all_cap_pipe(void)
{
	struct buf b;
	int p[2];

	buf_init(&b, 8);
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(write(p[1], "12345678", 8), 8);
	fd_close(&p[1]);
	T_EQ_INT(fd_read_all(p[0], &b), 0);
	T_EQ_STR(buf_str(&b), "12345678");
	fd_close(&p[0]);
	buf_fini(&b);

	buf_init(&b, 8);
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(write(p[1], "123456789", 9), 9);
	fd_close(&p[1]);
	T_EQ_INT(fd_read_all(p[0], &b), ERR_TOOBIG);
	fd_close(&p[0]);
	buf_fini(&b);
}

static void test_read_all_errors(void)
{
	struct buf b;
	int p[2];

	buf_init(&b, 0);
	T_EQ_INT(fd_read_all(1000000, &b), -EBADF);
	/* The write end of a pipe cannot be read. */
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(fd_read_all(p[1], &b), -EBADF);
	fd_close(&p[0]);
	fd_close(&p[1]);
	buf_fini(&b);
}

static void test_file_read(void)
{
	struct buf b;
	char path[] = "/tmp/drover-test-fdutil.XXXXXX";
	int fd;

	buf_init(&b, 0);
	T_EQ_INT(file_read("/nonexistent/drover/file", &b), -ENOENT);
	T_EQ_INT(file_read("/tmp/drover-test-no-such-file-here", &b), -ENOENT);
	T_EQ_INT(file_read("/", &b), -EISDIR);
	T_EQ_INT(buf_avail(&b), 0);

	fd = mkstemp(path);
	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	T_EQ_INT(fd_write_all(fd, "line 1\nline 2\n", 14), 0);
	close(fd);
	T_EQ_INT(file_read(path, &b), 0);
	T_EQ_STR(buf_str(&b), "line 1\nline 2\n");
	buf_fini(&b);

	buf_init(&b, 14);
	T_EQ_INT(file_read(path, &b), 0);
	T_EQ_INT(buf_avail(&b), 14);
	buf_fini(&b);

	buf_init(&b, 13);
	T_EQ_INT(file_read(path, &b), ERR_TOOBIG);
	buf_fini(&b);
	unlink(path);
}

static void test_write_all_simple(void)
{
	struct buf b;
	int p[2];

	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(fd_write_all(p[1], "", 0), 0);
	T_EQ_INT(fd_write_all(p[1], "abc", 3), 0);
	T_EQ_INT(fd_write_all(p[1], "def", 3), 0);
	fd_close(&p[1]);
	buf_init(&b, 0);
	T_EQ_INT(fd_read_all(p[0], &b), 0);
	T_EQ_STR(buf_str(&b), "abcdef");
	fd_close(&p[0]);
	buf_fini(&b);
	T_EQ_INT(fd_write_all(1000000, "x", 1), -EBADF);
}

/* A closed reader gives -EPIPE (with SIGPIPE ignored, as drover runs). */
static void test_write_all_epipe(void)
{
	struct sigaction ign, old;
	int p[2];

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	T_EQ_INT(fd_pipe(p), 0);
	fd_close(&p[0]);
	T_EQ_INT(fd_write_all(p[1], "x", 1), -EPIPE);
	fd_set_nonblock(p[1], 1);
	T_EQ_INT(fd_write_all(p[1], "x", 1), -EPIPE);
	fd_close(&p[1]);
	sigaction(SIGPIPE, &old, NULL);
}

/* The child reads everything and reports the count and a checksum. */
static _Noreturn void drain_child(int rfd, int resfd)
{
	unsigned char tmp[8192];
	uint64_t total = 0, sum = 0;
	ssize_t n, i;
	uint64_t res[2];

	for (;;) {
		n = read(rfd, tmp, sizeof(tmp));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (i = 0; i < n; i++)
			sum = sum * 31 + tmp[i];
		total += (uint64_t)n;
	}
	res[0] = total;
	res[1] = sum;
	if (write(resfd, res, sizeof(res)) < 0)
		_exit(2);
	_exit(0);
}

static void test_write_all_nonblocking_large(void)
{
	size_t n = 4 << 20; /* far beyond a pipe's 64 KiB */
	unsigned char *data = malloc(n);
	uint64_t sum = 0, res[2] = {0, 0};
	int p[2] = {-1, -1}, rp[2] = {-1, -1}, status = -1;
	size_t i;
	pid_t pid;

	T_CHECK(data != NULL);
	if (data == NULL)
		return;
	for (i = 0; i < n; i++) {
		data[i] = (unsigned char)(i * 7 + (i >> 13));
		sum = sum * 31 + data[i];
	}
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(fd_pipe(rp), 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(rp[0]);
		drain_child(p[0], rp[1]);
	}
	T_CHECK(pid > 0);
	fd_close(&p[0]);
	fd_close(&rp[1]);
	if (pid > 0) {
		T_EQ_INT(fd_set_nonblock(p[1], 1), 0);
		T_EQ_INT(fd_write_all(p[1], data, n), 0);
		fd_close(&p[1]);
		T_EQ_INT(read(rp[0], res, sizeof(res)), sizeof(res));
		T_CHECK(res[0] == n);
		T_CHECK(res[1] == sum);
		T_EQ_INT(reap(pid, &status, 5000), 0);
		T_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	fd_close(&p[1]);
	fd_close(&rp[0]);
	free(data);
}

int main(void)
{
	T_RUN(test_pipe_cloexec);
	T_RUN(test_flags);
	T_RUN(test_devnull);
	T_RUN(test_read_all_pipe);
	T_RUN(test_read_all_large_file);
	T_RUN(test_read_all_cap);
	T_RUN(test_read_all_cap_pipe);
	T_RUN(test_read_all_errors);
	T_RUN(test_file_read);
	T_RUN(test_write_all_simple);
	T_RUN(test_write_all_epipe);
	T_RUN(test_write_all_nonblocking_large);
	return T_DONE();
}
