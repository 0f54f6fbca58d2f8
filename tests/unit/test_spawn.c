/* Unit tests for src/base/spawn: exit statuses, exec and chdir failures
 * reported with their stage and no zombie left behind, sessions and process
 * groups (read from /proc/<pid>/stat), stdio redirection (pipes, the /dev/null
 * default, swapped fds), kept fds, environment replacement, reset signal
 * dispositions and masks, and fd hygiene in parent and child. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/ev.h"
#include "base/fdutil.h"
#include "base/spawn.h"
#include "t.h"

#define DEADLINE_MS 5000

/* Waits for pid with a deadline, killing it if the deadline passes. */
static int reap(pid_t pid, int *statusp)
{
	struct timespec ts = {0, 500000};
	uint64_t end = ev_clock_ms() + DEADLINE_MS;
	int status = 0;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (ev_clock_ms() > end) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("#   child %d killed after %d ms\n", (int)pid, DEADLINE_MS);
			return ERR_TIMEOUT;
		}
		nanosleep(&ts, NULL);
	}
	if (statusp != NULL)
		*statusp = status;
	return 0;
}

/* Reads fd to EOF into out, giving up at the deadline. */
static int read_eof(int fd, struct buf *out)
{
	uint64_t end = ev_clock_ms() + DEADLINE_MS;
	struct pollfd pfd = {fd, POLLIN, 0};
	char tmp[4096];
	ssize_t n;
	uint64_t now;

	for (;;) {
		now = ev_clock_ms();
		if (now > end)
			return ERR_TIMEOUT;
		if (poll(&pfd, 1, (int)(end - now)) < 0 && errno != EINTR)
			return -errno;
		n = read(fd, tmp, sizeof(tmp));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		if (buf_put(out, tmp, (size_t)n) != 0)
			return ERR_TOOBIG;
	}
}

/* Spawns o with stdout (and, when merge, stderr) on a pipe, collects the
 * output and the exit status. Returns spawn's result. */
static int run(struct spawn_opts *o, int merge, struct buf *out, int *statusp)
{
	int p[2] = {-1, -1}, r;
	pid_t pid = -1;

	*statusp = -1;
	if ((r = fd_pipe(p)) != 0)
		return r;
	o->stdout_fd = p[1];
	if (merge)
		o->stderr_fd = p[1];
	r = spawn(o, &pid, NULL);
	fd_close(&p[1]);
	if (r == 0) {
		if (read_eof(p[0], out) != 0)
			kill(pid, SIGKILL);
		reap(pid, statusp);
	}
	fd_close(&p[0]);
	return r;
}

/* Runs argv with the default options and returns its stdout (caller frees). */
static char *run_argv(char *const *argv, int *statusp)
{
	struct spawn_opts o;
	struct buf out;

	spawn_opts_init(&o);
	o.argv = argv;
	buf_init(&out, 1 << 20);
	if (run(&o, 0, &out, statusp) != 0)
		buf_puts(&out, "(spawn failed)");
	return buf_take(&out, NULL);
}

static int exited_with(int status, int code)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == code;
}

/* True when this process has no child left to reap (zombie or running). */
static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

static int count_fds(void)
{
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

static void test_opts_init(void)
{
	struct spawn_opts o;

	memset(&o, 0x5a, sizeof(o));
	spawn_opts_init(&o);
	T_CHECK(o.argv == NULL && o.envp == NULL && o.cwd == NULL && o.keep_fds == NULL);
	T_EQ_INT(o.stdin_fd, -1);
	T_EQ_INT(o.stdout_fd, -1);
	T_EQ_INT(o.stderr_fd, -1);
	T_EQ_INT(o.n_keep_fds, 0);
	T_EQ_INT(o.new_session, 0);
	T_EQ_INT(o.new_pgroup, 0);
}

static void test_exit_status(void)
{
	char *const a_true[] = {"true", NULL};
	char *const a_exit3[] = {"sh", "-c", "exit 3", NULL};
	char *const a_abs[] = {"/bin/sh", "-c", "exit 0", NULL};
	char *const a_kill[] = {"sh", "-c", "kill -TERM $$", NULL};
	struct spawn_opts o;
	const char *stage = NULL;
	pid_t pid = -1;
	int st = -1;

	spawn_opts_init(&o);
	o.argv = a_true;
	T_EQ_INT(spawn(&o, &pid, &stage), 0);
	T_CHECK(pid > 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));

	o.argv = a_exit3;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 3));

	o.argv = a_abs;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));

	o.argv = a_kill;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
	T_CHECK(no_children());
}

static void test_argv_passing(void)
{
	char *const argv[] = {"sh", "-c", "printf '%s|' \"$@\"", "zero", "a b", "", "c\"d", "$HOME", NULL};
	int st;
	char *s = run_argv(argv, &st);

	T_EQ_STR(s, "a b||c\"d|$HOME|");
	T_CHECK(exited_with(st, 0));
	free(s);
}

static void test_exec_missing(void)
{
	char *const a_path[] = {"drover-no-such-program-xyzzy", NULL};
	char *const a_abs[] = {"/nonexistent/drover/prog", NULL};
	struct spawn_opts o;
	const char *stage = NULL;
	pid_t pid = 12345;
	int fds = count_fds();

	spawn_opts_init(&o);
	o.argv = a_path;
	T_EQ_INT(spawn(&o, &pid, &stage), -ENOENT);
	T_EQ_STR(stage, "exec");
	T_EQ_INT(pid, -1);
	T_CHECK(no_children());

	o.argv = a_abs;
	stage = NULL;
	pid = 12345;
	T_EQ_INT(spawn(&o, &pid, &stage), -ENOENT);
	T_EQ_STR(stage, "exec");
	T_EQ_INT(pid, -1);
	T_CHECK(no_children());

	T_EQ_INT(spawn(&o, &pid, NULL), -ENOENT); /* stagep is optional */
	T_CHECK(no_children());
	T_EQ_INT(count_fds(), fds);
}

static void test_exec_not_executable(void)
{
	char *const argv[] = {"/etc/passwd", NULL};
	char *const a_dir[] = {"/", NULL};
	struct spawn_opts o;
	const char *stage = NULL;
	pid_t pid;

	spawn_opts_init(&o);
	o.argv = argv;
	T_EQ_INT(spawn(&o, &pid, &stage), -EACCES);
	T_EQ_STR(stage, "exec");
	o.argv = a_dir;
	stage = NULL;
	T_EQ_INT(spawn(&o, &pid, &stage), -EACCES);
	T_EQ_STR(stage, "exec");
	T_CHECK(no_children());
}

static void test_chdir(void)
{
	char *const a_pwd[] = {"sh", "-c", "pwd", NULL};
	char *const a_true[] = {"true", NULL};
	struct spawn_opts o;
	struct buf out;
	const char *stage = NULL;
	pid_t pid = 12345;
	int st;

	spawn_opts_init(&o);
	o.argv = a_true;
	o.cwd = "/nonexistent-drover-dir";
	T_EQ_INT(spawn(&o, &pid, &stage), -ENOENT);
	T_EQ_STR(stage, "chdir");
	T_EQ_INT(pid, -1);
	T_CHECK(no_children());

	o.cwd = "/etc/passwd";
	stage = NULL;
	T_EQ_INT(spawn(&o, &pid, &stage), -ENOTDIR);
	T_EQ_STR(stage, "chdir");
	T_CHECK(no_children());

	/* A failed chdir is reported even when the program is missing too:
	 * the earlier step is the one named. */
	{
		char *const a_missing[] = {"drover-no-such-program-xyzzy", NULL};

		o.argv = a_missing;
		o.cwd = "/nonexistent-drover-dir";
		stage = NULL;
		T_EQ_INT(spawn(&o, &pid, &stage), -ENOENT);
		T_EQ_STR(stage, "chdir");
		T_CHECK(no_children());
	}

	spawn_opts_init(&o);
	o.argv = a_pwd;
	o.cwd = "/";
	buf_init(&out, 4096);
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_EQ_STR(buf_str(&out), "/\n");
	T_CHECK(exited_with(st, 0));
	buf_fini(&out);
}

struct procstat {
	long pid, ppid, pgrp, session;
};

/* Parses "pid (comm) state ppid pgrp session ..."; comm may hold spaces and
 * parentheses, so the fields are found after the last ')'. */
static int parse_stat(const char *s, struct procstat *ps)
{
	const char *rp = strrchr(s, ')');
	char state;

	if (rp == NULL || sscanf(s, "%ld", &ps->pid) != 1)
		return -1;
	if (sscanf(rp + 1, " %c %ld %ld %ld", &state, &ps->ppid, &ps->pgrp, &ps->session) != 4)
		return -1;
	return 0;
}

/* Runs sh with the given session options and reports the child's own stat. */
static int session_of(int new_session, int new_pgroup, pid_t *pidp, struct procstat *ps)
{
	char *const argv[] = {"sh", "-c", "cat /proc/$$/stat", NULL};
	struct spawn_opts o;
	struct buf out;
	int p[2], st = -1, r;

	spawn_opts_init(&o);
	o.argv = argv;
	o.new_session = new_session;
	o.new_pgroup = new_pgroup;
	if (fd_pipe(p) != 0)
		return -1;
	o.stdout_fd = p[1];
	buf_init(&out, 4096);
	r = spawn(&o, pidp, NULL);
	fd_close(&p[1]);
	if (r == 0) {
		read_eof(p[0], &out);
		reap(*pidp, &st);
		r = exited_with(st, 0) ? parse_stat(buf_str(&out), ps) : -1;
	}
	fd_close(&p[0]);
	buf_fini(&out);
	return r;
}

static void test_new_session(void)
{
	struct procstat ps;
	pid_t pid = -1;

	memset(&ps, 0, sizeof(ps));
	T_EQ_INT(session_of(1, 0, &pid, &ps), 0);
	T_EQ_INT(ps.pid, pid);
	T_EQ_INT(ps.ppid, getpid());
	T_EQ_INT(ps.session, pid);
	T_EQ_INT(ps.pgrp, pid);

	/* new_pgroup is ignored with new_session. */
	T_EQ_INT(session_of(1, 1, &pid, &ps), 0);
	T_EQ_INT(ps.session, pid);
	T_EQ_INT(ps.pgrp, pid);
}

static void test_new_pgroup(void)
{
	struct procstat ps;
	pid_t pid = -1;

	memset(&ps, 0, sizeof(ps));
	T_EQ_INT(session_of(0, 1, &pid, &ps), 0);
	T_EQ_INT(ps.pid, pid);
	T_EQ_INT(ps.pgrp, pid);
	T_EQ_INT(ps.session, getsid(0));

	T_EQ_INT(session_of(0, 0, &pid, &ps), 0);
	T_EQ_INT(ps.pid, pid);
	T_EQ_INT(ps.pgrp, getpgrp());
	T_EQ_INT(ps.session, getsid(0));
}

static void test_stdio_pipes(void)
{
	char *const a_cat[] = {"cat", NULL};
	char *const a_both[] = {"sh", "-c", "echo out; echo err >&2; echo out2", NULL};
	struct spawn_opts o;
	struct buf out, err;
	int in[2], po[2], pe[2], st = -1;
	pid_t pid = -1;

	buf_init(&out, 4096);
	buf_init(&err, 4096);
	T_EQ_INT(fd_pipe(in), 0);
	T_EQ_INT(fd_pipe(po), 0);
	spawn_opts_init(&o);
	o.argv = a_cat;
	o.stdin_fd = in[0];
	o.stdout_fd = po[1];
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	fd_close(&in[0]);
	fd_close(&po[1]);
	T_EQ_INT(fd_write_all(in[1], "hello\nworld", 11), 0);
	fd_close(&in[1]);
	T_EQ_INT(read_eof(po[0], &out), 0);
	fd_close(&po[0]);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));
	T_EQ_STR(buf_str(&out), "hello\nworld");

	/* Separate stdout and stderr. */
	buf_reset(&out);
	T_EQ_INT(fd_pipe(po), 0);
	T_EQ_INT(fd_pipe(pe), 0);
	spawn_opts_init(&o);
	o.argv = a_both;
	o.stdout_fd = po[1];
	o.stderr_fd = pe[1];
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	fd_close(&po[1]);
	fd_close(&pe[1]);
	T_EQ_INT(read_eof(po[0], &out), 0);
	T_EQ_INT(read_eof(pe[0], &err), 0);
	fd_close(&po[0]);
	fd_close(&pe[0]);
	T_EQ_INT(reap(pid, &st), 0);
	T_EQ_STR(buf_str(&out), "out\nout2\n");
	T_EQ_STR(buf_str(&err), "err\n");

	/* One pipe for both. */
	buf_reset(&out);
	spawn_opts_init(&o);
	o.argv = a_both;
	T_EQ_INT(run(&o, 1, &out, &st), 0);
	T_EQ_STR(buf_str(&out), "out\nerr\nout2\n");
	buf_fini(&out);
	buf_fini(&err);
}

/* Unset stdio is /dev/null: reads see EOF at once, writes vanish. */
static void test_stdio_devnull_default(void)
{
	char *const a_cat[] = {"cat", NULL};
	char cmd[128];
	char *const a_ls[] = {"sh", "-c", cmd, NULL};
	struct spawn_opts o;
	struct buf out;
	int p[2], st = -1;
	pid_t pid = -1;

	buf_init(&out, 4096);
	spawn_opts_init(&o);
	o.argv = a_cat;
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_CHECK(exited_with(st, 0));
	T_EQ_STR(buf_str(&out), "");

	/* All three at once, reported through a kept fd. */
	T_EQ_INT(fd_pipe(p), 0);
	/* dash applies a command's redirections in the shell itself, so the
	 * links are read in command substitutions, before any redirection. */
	snprintf(cmd, sizeof(cmd),
	         "x=\"$(readlink /proc/$$/fd/0) $(readlink /proc/$$/fd/1) $(readlink /proc/$$/fd/2)\"; "
	         "echo \"$x\" >/proc/$$/fd/%d",
	         p[1]);
	spawn_opts_init(&o);
	o.argv = a_ls;
	o.keep_fds = &p[1];
	o.n_keep_fds = 1;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	fd_close(&p[1]);
	T_EQ_INT(read_eof(p[0], &out), 0);
	fd_close(&p[0]);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));
	T_EQ_STR(buf_str(&out), "/dev/null /dev/null /dev/null\n");
	buf_fini(&out);
}

/* stdout_fd 2 and stderr_fd 1: placing one must not clobber the other. Run
 * in a helper process whose own fds 1 and 2 are pipes. */
static void test_stdio_swapped(void)
{
	char *const argv[] = {"sh", "-c", "echo out; echo err >&2", NULL};
	struct buf a, b;
	int pa[2], pb[2], st = -1;
	pid_t helper;

	T_EQ_INT(fd_pipe(pa), 0);
	T_EQ_INT(fd_pipe(pb), 0);
	fflush(stdout);
	fflush(stderr);
	helper = fork();
	if (helper == 0) {
		struct spawn_opts o;
		pid_t pid;
		int cst = 0;

		if (dup2(pa[1], 1) < 0 || dup2(pb[1], 2) < 0)
			_exit(10);
		close(pa[0]);
		close(pb[0]);
		close(pa[1]);
		close(pb[1]);
		spawn_opts_init(&o);
		o.argv = argv;
		o.stdout_fd = 2;
		o.stderr_fd = 1;
		if (spawn(&o, &pid, NULL) != 0)
			_exit(11);
		if (waitpid(pid, &cst, 0) != pid)
			_exit(12);
		_exit(exited_with(cst, 0) ? 0 : 13);
	}
	T_CHECK(helper > 0);
	fd_close(&pa[1]);
	fd_close(&pb[1]);
	buf_init(&a, 4096);
	buf_init(&b, 4096);
	if (helper > 0) {
		T_EQ_INT(read_eof(pa[0], &a), 0);
		T_EQ_INT(read_eof(pb[0], &b), 0);
		T_EQ_INT(reap(helper, &st), 0);
		T_CHECK(exited_with(st, 0));
	}
	T_EQ_STR(buf_str(&a), "err\n"); /* the helper's fd 1 got the child's stderr */
	T_EQ_STR(buf_str(&b), "out\n");
	fd_close(&pa[0]);
	fd_close(&pb[0]);
	buf_fini(&a);
	buf_fini(&b);
}

static void test_keep_fds(void)
{
	char cmd[256];
	char *const argv[] = {"sh", "-c", cmd, NULL};
	struct spawn_opts o;
	struct buf out;
	int p[2], q[2], keep[2], high, st = -1;
	pid_t pid = -1;

	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(fd_pipe(q), 0);
	high = fcntl(p[1], F_DUPFD_CLOEXEC, 200);
	T_CHECK(high >= 200);
	/* p[1] and the high copy are kept; q[1] is not and must be closed.
	 * dash takes only one-digit fds in ">&N", hence /proc/$$/fd/N for the
	 * high one (the environment may already hold fds 3-9 as well). */
	if (p[1] <= 9)
		snprintf(cmd, sizeof(cmd),
		         "echo hi >&%d; echo high >/proc/$$/fd/%d; if [ -e /proc/$$/fd/%d ]; then echo leaked >&%d; fi",
		         p[1], high, q[1], p[1]);
	else
		snprintf(cmd, sizeof(cmd),
		         "echo hi >/proc/$$/fd/%d; echo high >/proc/$$/fd/%d; if [ -e /proc/$$/fd/%d ]; then echo leaked >/proc/$$/fd/%d; fi",
		         p[1], high, q[1], p[1]);
	keep[0] = p[1];
	keep[1] = high;
	spawn_opts_init(&o);
	o.argv = argv;
	o.keep_fds = keep;
	o.n_keep_fds = 2;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	/* Keeping is for the child only: the parent's fds stay close-on-exec. */
	T_CHECK(fcntl(p[1], F_GETFD) & FD_CLOEXEC);
	T_CHECK(fcntl(high, F_GETFD) & FD_CLOEXEC);
	fd_close(&p[1]);
	fd_close(&high);
	fd_close(&q[1]);
	buf_init(&out, 4096);
	T_EQ_INT(read_eof(p[0], &out), 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));
	T_EQ_STR(buf_str(&out), "hi\nhigh\n");
	fd_close(&p[0]);
	fd_close(&q[0]);

	/* A kept fd that is also the stdout source. */
	buf_reset(&out);
	T_EQ_INT(fd_pipe(p), 0);
	snprintf(cmd, sizeof(cmd), "echo one; echo two >/proc/$$/fd/%d", p[1]);
	spawn_opts_init(&o);
	o.argv = argv;
	o.stdout_fd = p[1];
	o.keep_fds = &p[1];
	o.n_keep_fds = 1;
	T_EQ_INT(spawn(&o, &pid, NULL), 0);
	fd_close(&p[1]);
	T_EQ_INT(read_eof(p[0], &out), 0);
	T_EQ_INT(reap(pid, &st), 0);
	T_CHECK(exited_with(st, 0));
	T_EQ_STR(buf_str(&out), "one\ntwo\n");
	fd_close(&p[0]);
	buf_fini(&out);
}

static void test_env(void)
{
	char *const env[] = {"FOO=bar baz", "PATH=/usr/bin:/bin", NULL};
	char *const empty_env[] = {NULL};
	char *const a_show[] = {"sh", "-c", "echo \"${FOO-unset}|${HOME-unset}|${DROVER_T_INHERIT-unset}\"", NULL};
	char *const a_abs_show[] = {"/bin/sh", "-c", "echo \"${FOO-unset}|${DROVER_T_INHERIT-unset}\"", NULL};
	struct spawn_opts o;
	struct buf out;
	int st = -1;

	setenv("DROVER_T_INHERIT", "yes", 1);
	buf_init(&out, 4096);
	spawn_opts_init(&o);
	o.argv = a_show;
	o.envp = env;
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_EQ_STR(buf_str(&out), "bar baz|unset|unset\n");

	buf_reset(&out);
	o.envp = NULL; /* inherit */
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_CHECK(strncmp(buf_str(&out), "unset|", 6) == 0);
	T_CHECK(strstr(buf_str(&out), "|yes\n") != NULL);

	buf_reset(&out);
	o.argv = a_abs_show;
	o.envp = empty_env;
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_EQ_STR(buf_str(&out), "unset|unset\n");
	unsetenv("DROVER_T_INHERIT");

	/* The parent's environment is untouched by a replacement. */
	T_CHECK(getenv("PATH") != NULL);
	T_CHECK(getenv("FOO") == NULL || strcmp(getenv("FOO"), "bar baz") != 0);
	buf_fini(&out);
}

/* Reads a "Name:\t<hex>" mask from /proc status text. */
static int status_mask(const char *text, const char *name, uint64_t *maskp)
{
	const char *p = strstr(text, name);

	if (p == NULL)
		return -1;
	return sscanf(p + strlen(name), " %" SCNx64, maskp) == 1 ? 0 : -1;
}

static uint64_t sigbit(int sig)
{
	return (uint64_t)1 << (sig - 1);
}

static void noop_handler(int sig)
{
	(void)sig;
}

static void test_signals_reset(void)
{
	char *const argv[] = {"cat", "/proc/self/status", NULL};
	struct sigaction ign, hnd, old_pipe, old_hup, old_usr2;
	sigset_t block, old_mask;
	struct buf own, out;
	struct spawn_opts o;
	uint64_t ig = 0, blk = 0;
	int st = -1;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	memset(&hnd, 0, sizeof(hnd));
	hnd.sa_handler = noop_handler;
	sigaction(SIGPIPE, &ign, &old_pipe);
	sigaction(SIGHUP, &ign, &old_hup);
	sigaction(SIGUSR2, &hnd, &old_usr2);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old_mask);

	/* The test means something only if the parent really ignores/blocks. */
	buf_init(&own, 1 << 16);
	T_EQ_INT(file_read("/proc/self/status", &own), 0);
	T_EQ_INT(status_mask(buf_str(&own), "SigIgn:", &ig), 0);
	T_EQ_INT(status_mask(buf_str(&own), "SigBlk:", &blk), 0);
	T_CHECK(ig & sigbit(SIGPIPE));
	T_CHECK(blk & sigbit(SIGUSR1));

	spawn_opts_init(&o);
	o.argv = argv;
	buf_init(&out, 1 << 16);
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_CHECK(exited_with(st, 0));
	ig = blk = ~(uint64_t)0;
	T_EQ_INT(status_mask(buf_str(&out), "SigIgn:", &ig), 0);
	T_EQ_INT(status_mask(buf_str(&out), "SigBlk:", &blk), 0);
	T_CHECK(!(ig & sigbit(SIGPIPE)));
	T_CHECK(!(ig & sigbit(SIGHUP)));
	T_CHECK(!(blk & sigbit(SIGUSR1)));
	T_CHECK(!(blk & sigbit(SIGTERM)));
	T_CHECK(blk == 0);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	sigaction(SIGUSR2, &old_usr2, NULL);
	buf_fini(&own);
	buf_fini(&out);
}

/* Whether fd may be open in a child: stdio, or inherited on purpose. */
static int fd_is_allowed(int fd, const int *parent_inherit, int n)
{
	int i;

	if (fd <= 2)
		return 1;
	for (i = 0; i < n; i++)
		if (parent_inherit[i] == fd)
			return 1;
	return 0;
}

/* The child holds stdio and whatever the parent deliberately left inheritable
 * (fds from the test's own environment), nothing spawn opened. */
static void test_child_fds(void)
{
	/* The glob's own directory fd is gone by the time [ -e ] looks. */
	char *const argv[] = {"sh", "-c", "cd /proc/$$/fd && for f in *; do [ -e $f ] && echo $f; done; true", NULL};
	int seen[3] = {0, 0, 0};
	int inherit[1024], n = 0, fd, ok = 1, extra[3], i;
	struct spawn_opts o;
	struct buf out;
	const char *p;
	char *end;
	long v;
	int st = -1;

	/* Some cloexec fds of our own that must not show up. */
	for (i = 0; i < 3; i++)
		extra[i] = fd_devnull(O_RDONLY);
	for (fd = 3; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && !(fl & FD_CLOEXEC))
			inherit[n++] = fd;
	}
	spawn_opts_init(&o);
	o.argv = argv;
	buf_init(&out, 65536);
	T_EQ_INT(run(&o, 0, &out, &st), 0);
	T_CHECK(exited_with(st, 0));
	for (p = buf_str(&out); *p != '\0'; p = end) {
		v = strtol(p, &end, 10);
		if (end == p)
			break;
		if (v >= 0 && v <= 2)
			seen[v] = 1;
		if (!fd_is_allowed((int)v, inherit, n)) {
			printf("#   child has unexpected fd %ld\n", v);
			ok = 0;
		}
	}
	T_CHECK(ok);
	T_CHECK(seen[0] && seen[1] && seen[2]);
	for (i = 0; i < 3; i++)
		fd_close(&extra[i]);
	buf_fini(&out);
}

/* Many spawns, successful and failing, leave the parent's fd table and child
 * list as they were. */
static void test_no_leaks(void)
{
	char *const a_true[] = {"true", NULL};
	char *const a_missing[] = {"drover-no-such-program-xyzzy", NULL};
	struct spawn_opts o;
	pid_t pid;
	int fds = count_fds(), i, st, ok = 1;

	spawn_opts_init(&o);
	for (i = 0; i < 40; i++) {
		o.argv = (i % 2) ? a_true : a_missing;
		o.cwd = (i % 4 == 3) ? "/nonexistent-drover-dir" : NULL;
		if (spawn(&o, &pid, NULL) == 0) {
			if (reap(pid, &st) != 0 || !exited_with(st, 0))
				ok = 0;
		}
	}
	T_CHECK(ok);
	T_EQ_INT(count_fds(), fds);
	T_CHECK(no_children());
}

int main(void)
{
	T_RUN(test_opts_init);
	T_RUN(test_exit_status);
	T_RUN(test_argv_passing);
	T_RUN(test_exec_missing);
	T_RUN(test_exec_not_executable);
	T_RUN(test_chdir);
	T_RUN(test_new_session);
	T_RUN(test_new_pgroup);
	T_RUN(test_stdio_pipes);
	T_RUN(test_stdio_devnull_default);
	T_RUN(test_stdio_swapped);
	T_RUN(test_keep_fds);
	T_RUN(test_env);
	T_RUN(test_signals_reset);
	T_RUN(test_child_fds);
	T_RUN(test_no_leaks);
	return T_DONE();
}
