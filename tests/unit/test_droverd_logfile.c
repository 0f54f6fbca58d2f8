/* Rotating log files (supervisord's RotatingFileHandler naming and
 * timing), AUTO names, readFile/tailFile, the stderr tail ring, and ANSI
 * stripping. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "droverd/logfile.h"
#include "droverd/output.h"
#include "droverd/tail.h"
#include "t.h"

static char dir[64];

static void rm_dir(void)
{
	struct dirent *de;
	char *p;
	DIR *d;

	if (!dir[0] || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void fresh(void)
{
	rm_dir();
	snprintf(dir, sizeof(dir), "/tmp/droverd-log.XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
}

/* The contents of dir/name, or "-" when it does not exist. */
static char *slurp(const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	struct buf b;

	buf_init(&b, 0);
	if (logfile_read(p, 0, 0, &b) != 0) {
		free(p);
		buf_fini(&b);
		return xstrdup("-");
	}
	free(p);
	return buf_take(&b, NULL);
}

static void expect_file(const char *name, const char *want)
{
	char *got = slurp(name);

	if (strcmp(got, want) != 0) {
		printf("#   %s: got \"%s\", want \"%s\"\n", name, got, want);
		t_failed_checks++;
	}
	free(got);
}

static void test_rotation_names(void)
{
	struct logfile lf;
	char *path;

	fresh();
	path = xasprintf("%s/x.log", dir);
	T_EQ_INT(logfile_open(&lf, path, 10, 2), 0);
	/* 6 bytes: below 10, no rotation */
	logfile_write(&lf, "aaaaaa", 6);
	expect_file("x.log", "aaaaaa");
	expect_file("x.log.1", "-");
	/* 6 more: 12 >= 10 after the write, so the file rolls over */
	logfile_write(&lf, "bbbbbb", 6);
	expect_file("x.log", "");
	expect_file("x.log.1", "aaaaaabbbbbb");
	logfile_write(&lf, "cccccccccccc", 12);
	expect_file("x.log.1", "cccccccccccc");
	expect_file("x.log.2", "aaaaaabbbbbb");
	logfile_write(&lf, "dddddddddd", 10);
	/* backups=2: the oldest is gone */
	expect_file("x.log.1", "dddddddddd");
	expect_file("x.log.2", "cccccccccccc");
	expect_file("x.log.3", "-");
	logfile_write(&lf, "e", 1);
	expect_file("x.log", "e");
	logfile_close(&lf);
	free(path);
}

static void test_rotation_no_backups_and_zero(void)
{
	struct logfile lf;
	char *path;

	fresh();
	path = xasprintf("%s/y.log", dir);
	T_EQ_INT(logfile_open(&lf, path, 4, 0), 0);
	logfile_write(&lf, "12345", 5);
	/* backups=0: truncated in place */
	expect_file("y.log", "");
	expect_file("y.log.1", "-");
	logfile_close(&lf);
	T_EQ_INT(logfile_open(&lf, path, 0, 5), 0);
	logfile_write(&lf, "1234567890", 10);
	logfile_write(&lf, "1234567890", 10);
	expect_file("y.log", "12345678901234567890");
	logfile_close(&lf);
	/* appends to what is there */
	T_EQ_INT(logfile_open(&lf, path, 0, 5), 0);
	logfile_write(&lf, "x", 1);
	expect_file("y.log", "12345678901234567890x");
	/* a removed file comes back on reopen; clear empties it */
	logfile_clear(&lf);
	expect_file("y.log", "");
	logfile_write(&lf, "z", 1);
	expect_file("y.log", "z");
	logfile_close(&lf);
	free(path);
}

static void test_pipe_never_rotates(void)
{
	struct logfile lf;
	int fds[2];
	char buf[64], *path;
	ssize_t n;

	if (pipe(fds) != 0)
		return;
	path = xasprintf("/proc/self/fd/%d", fds[1]);
	T_EQ_INT(logfile_open(&lf, path, 1, 3), 0);
	T_EQ_INT(logfile_write(&lf, "hello", 5), 0);
	T_EQ_INT(logfile_write(&lf, "world", 5), 0);
	T_EQ_INT(lf.seekable, 0);
	n = read(fds[0], buf, sizeof(buf));
	T_EQ_INT(n, 10);
	logfile_close(&lf);
	close(fds[0]);
	close(fds[1]);
	free(path);
}

static void test_write_failure_counted(void)
{
	struct logfile lf;

	/* /dev/full: every write fails with ENOSPC, as on a full disk */
	T_EQ_INT(logfile_open(&lf, "/dev/full", 0, 0), 0);
	T_CHECK(logfile_write(&lf, "abc", 3) < 0);
	T_CHECK(logfile_write(&lf, "de", 2) < 0);
	T_EQ_INT(lf.failures, 2);
	T_EQ_INT(lf.lost, 5);
	T_EQ_INT(lf.failing, 1);
	logfile_close(&lf);
}

static void test_auto_names(void)
{
	char *path = NULL, *base;
	struct stat st;
	int i;

	fresh();
	T_EQ_INT(logfile_auto_name(dir, "web", "stdout", "supervisor", &path), 0);
	T_CHECK(path != NULL && strncmp(path, dir, strlen(dir)) == 0);
	if (path == NULL)
		return;
	base = strrchr(path, '/') + 1;
	T_EQ_INT(strlen(base), strlen("web-stdout---supervisor-") + 8 + 4);
	T_CHECK(strncmp(base, "web-stdout---supervisor-", 24) == 0);
	for (i = 24; i < 32; i++)
		T_CHECK(strchr("abcdefghijklmnopqrstuvwxyz0123456789_", base[i]) != NULL);
	T_CHECK(strcmp(base + 32, ".log") == 0);
	T_EQ_INT(stat(path, &st), 0);
	T_EQ_INT(st.st_mode & 0777, 0600);
	T_CHECK(logfile_is_auto(base, "supervisor"));
	T_CHECK(!logfile_is_auto(base, "other"));
	/* clean-up removes it and its backups, and nothing else */
	{
		char *b1 = xasprintf("%s.1", path), *keep = xasprintf("%s/keep.log", dir);
		int fd;

		if ((fd = open(b1, O_CREAT | O_WRONLY, 0600)) >= 0)
			close(fd);
		if ((fd = open(keep, O_CREAT | O_WRONLY, 0600)) >= 0)
			close(fd);
		T_EQ_INT(logfile_clear_autodir(dir, "supervisor", NULL, NULL), 0);
		T_CHECK(access(path, F_OK) != 0);
		T_CHECK(access(b1, F_OK) != 0);
		T_CHECK(access(keep, F_OK) == 0);
		free(b1);
		free(keep);
	}
	free(path);
}

static void test_read_and_tail(void)
{
	struct logfile lf;
	struct buf b;
	long long off;
	int over;
	char *path;

	fresh();
	path = xasprintf("%s/r.log", dir);
	logfile_open(&lf, path, 0, 0);
	logfile_write(&lf, "0123456789", 10);
	logfile_close(&lf);
	buf_init(&b, 0);
	T_EQ_INT(logfile_read(path, 2, 3, &b), 0);
	T_EQ_STR(buf_str(&b), "234");
	buf_reset(&b);
	T_EQ_INT(logfile_read(path, -4, 0, &b), 0);
	T_EQ_STR(buf_str(&b), "6789");
	buf_reset(&b);
	T_EQ_INT(logfile_read(path, -4, 2, &b), LOGFILE_BAD_ARGUMENTS);
	T_EQ_INT(logfile_read(path, 0, -1, &b), LOGFILE_BAD_ARGUMENTS);
	T_EQ_INT(logfile_read("/nonexistent/x", 0, 0, &b), LOGFILE_FAILED);
	/* tailFile: offset 0, length 4 of a 10-byte file overflows to the end */
	off = 0;
	logfile_tail(path, &off, 4, &b, &over);
	T_EQ_STR(buf_str(&b), "6789");
	T_EQ_INT(off, 10);
	T_EQ_INT(over, 1);
	buf_reset(&b);
	/* as tailFile, a length beyond the end moves the start back */
	off = 8;
	logfile_tail(path, &off, 100, &b, &over);
	T_EQ_STR(buf_str(&b), "0123456789");
	buf_reset(&b);
	off = 8;
	logfile_tail(path, &off, 2, &b, &over);
	T_EQ_STR(buf_str(&b), "89");
	T_EQ_INT(over, 0);
	buf_reset(&b);
	off = 10;
	logfile_tail(path, &off, 100, &b, &over);
	T_EQ_STR(buf_str(&b), "");
	T_EQ_INT(off, 10);
	buf_fini(&b);
	free(path);
}

static void test_tail_ring(void)
{
	struct tail t;
	char **lines, big[5000];
	size_t n, i;
	char line[32];

	tail_reset(&t);
	T_CHECK(tail_lines(&t, &n) == NULL);
	T_EQ_INT(n, 0);
	tail_add(&t, "a\nb\r\nc", 6);
	lines = tail_lines(&t, &n);
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_STR(lines[0], "a");
		T_EQ_STR(lines[1], "b");
		T_EQ_STR(lines[2], "c");
	}
	tail_lines_free(lines, n);
	/* only the last TAIL_LINES lines */
	tail_reset(&t);
	for (i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %zu\n", i);
		tail_add(&t, line, strlen(line));
	}
	lines = tail_lines(&t, &n);
	T_EQ_INT(n, TAIL_LINES);
	if (n == TAIL_LINES) {
		T_EQ_STR(lines[0], "line 10");
		T_EQ_STR(lines[19], "line 29");
	}
	tail_lines_free(lines, n);
	/* a window that starts mid-line drops that part line */
	tail_reset(&t);
	memset(big, 'x', sizeof(big));
	big[4990] = '\n';
	tail_add(&t, big, sizeof(big));
	tail_add(&t, "\x1b[31mred\n", 9);
	lines = tail_lines(&t, &n);
	T_EQ_INT(n, 1);
	if (n == 1)
		T_EQ_STR(lines[0], "xxxxxxxxx?[31mred");
	tail_lines_free(lines, n);
	/* many small writes wrap the ring */
	tail_reset(&t);
	for (i = 0; i < 2000; i++)
		tail_add(&t, "abc\n", 4);
	lines = tail_lines(&t, &n);
	T_EQ_INT(n, TAIL_LINES);
	tail_lines_free(lines, n);
	T_EQ_INT(t.len, TAIL_BYTES);
}

static void test_strip_ansi(void)
{
	char s[64];
	size_t n;

	snprintf(s, sizeof(s), "a\x1b[31mred\x1b[0m b\x1b[2K");
	n = output_strip_ansi(s, strlen(s));
	s[n] = '\0';
	T_EQ_STR(s, "ared b");
	snprintf(s, sizeof(s), "plain");
	n = output_strip_ansi(s, strlen(s));
	T_EQ_INT(n, 5);
}

int main(void)
{
	T_RUN(test_rotation_names);
	T_RUN(test_rotation_no_backups_and_zero);
	T_RUN(test_pipe_never_rotates);
	T_RUN(test_write_failure_counted);
	T_RUN(test_auto_names);
	T_RUN(test_read_and_tail);
	T_RUN(test_tail_ring);
	T_RUN(test_strip_ansi);
	rm_dir();
	return T_DONE();
}
