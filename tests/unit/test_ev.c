/* Unit tests for src/base/ev: fd readiness, watchers removed by an earlier
 * callback in the same iteration, disabled watchers on a hung-up fd (no busy
 * loop), timer order and cancellation, fairness between zero-delay timers and
 * fds, child reaping (including children that exited before registration),
 * signals through the self-pipe, and when ev_run returns. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/ev.h"
#include "base/fdutil.h"
#include "base/spawn.h"
#include "t.h"

#define DEADLINE_MS 5000

/* Runs iterations until *flag is set or the deadline passes; returns the
 * number of iterations, or -1 on timeout. */
static int run_until(struct ev_loop *loop, const int *flag, int timeout_ms)
{
	uint64_t end = ev_clock_ms() + (uint64_t)timeout_ms;
	uint64_t now;
	int iters = 0;

	while (!*flag) {
		now = ev_clock_ms();
		if (now >= end)
			return -1;
		if (ev_run_once(loop, (int)(end - now)) != 0)
			return -1;
		iters++;
	}
	return iters;
}

/* Runs ev_run, but gives up (with -1) if it has not returned in time. The
 * guard is an interval timer, not a loop timer, since a pending loop timer
 * would itself keep ev_run going; its signal interrupts epoll_wait. */
static struct ev_loop *guarded_loop;
static volatile sig_atomic_t guarded_timeout;

static void guard_handler(int sig)
{
	(void)sig;
	guarded_timeout = 1;
	if (guarded_loop != NULL)
		ev_stop(guarded_loop);
}

static int run_guarded(struct ev_loop *loop, int timeout_ms)
{
	struct itimerval it, off;
	struct sigaction sa, old;
	int r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = guard_handler; /* no SA_RESTART */
	sigaction(SIGALRM, &sa, &old);
	memset(&it, 0, sizeof(it));
	memset(&off, 0, sizeof(off));
	it.it_value.tv_sec = timeout_ms / 1000;
	it.it_value.tv_usec = (timeout_ms % 1000) * 1000;
	/* Repeats, in case the first shot lands just before ev_run clears
	 * its stop flag. */
	it.it_interval.tv_usec = 50000;
	guarded_timeout = 0;
	guarded_loop = loop;
	setitimer(ITIMER_REAL, &it, NULL);
	r = ev_run(loop);
	setitimer(ITIMER_REAL, &off, NULL);
	guarded_loop = NULL;
	sigaction(SIGALRM, &old, NULL);
	if (guarded_timeout) {
		printf("#   ev_run did not return within %d ms\n", timeout_ms);
		return -1;
	}
	return r;
}

static pid_t start(const char *script)
{
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	struct spawn_opts o;
	pid_t pid = -1;

	spawn_opts_init(&o);
	o.argv = argv;
	if (spawn(&o, &pid, NULL) != 0)
		return -1;
	return pid;
}

/* Waits (with a deadline) until pid has exited, without reaping it. */
static int wait_zombie(pid_t pid)
{
	struct timespec ts = {0, 200000};
	uint64_t end = ev_clock_ms() + DEADLINE_MS;
	siginfo_t si;

	while (ev_clock_ms() < end) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			return -errno;
		if (si.si_pid == pid)
			return 0;
		nanosleep(&ts, NULL);
	}
	return ERR_TIMEOUT;
}

/* Kills and reaps pid if it is still ours (cleanup after a failed check). */
static void cleanup_child(pid_t pid)
{
	if (pid > 0 && waitpid(pid, NULL, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
}

/* ---- fds ---- */

struct fdrec {
	int calls;
	int fd;
	int events;
	void *arg;
	char byte;
	ssize_t nread;
	int del_self;
};

static void rec_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct fdrec *r = arg;

	r->calls++;
	r->fd = fd;
	r->events = events;
	r->arg = arg;
	if (events & EV_READ)
		r->nread = read(fd, &r->byte, 1);
	if (r->del_self)
		ev_fd_del(loop, fd);
}

static void test_empty_loop(void)
{
	struct ev_loop *loop = ev_new();

	T_CHECK(loop != NULL);
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(ev_run(loop), 0);
	ev_free(loop);
	ev_free(NULL);
}

static void test_fd_read(void)
{
	struct ev_loop *loop = ev_new();
	struct fdrec r;
	int p[2];

	memset(&r, 0, sizeof(r));
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, rec_cb, &r), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(r.calls, 0); /* nothing to read yet */

	T_EQ_INT(write(p[1], "a", 1), 1);
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(r.calls, 1);
	T_EQ_INT(r.fd, p[0]);
	T_EQ_INT(r.events, EV_READ);
	T_CHECK(r.arg == &r);
	T_EQ_INT(r.byte, 'a');
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(r.calls, 1);

	/* Hang-up is reported as EV_READ so the reader sees EOF. */
	fd_close(&p[1]);
	r.del_self = 1;
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(r.calls, 2);
	T_CHECK(r.events & EV_READ);
	T_EQ_INT(r.nread, 0);
	T_EQ_INT(run_guarded(loop, 1000), 0); /* watcher gone: returns at once */
	T_EQ_INT(r.calls, 2);
	fd_close(&p[0]);
	ev_free(loop);
}

static void test_fd_write(void)
{
	struct ev_loop *loop = ev_new();
	struct fdrec r;
	int p[2];

	memset(&r, 0, sizeof(r));
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(ev_fd_set(loop, p[1], EV_WRITE, rec_cb, &r), 0);
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(r.calls, 1);
	T_EQ_INT(r.events, EV_WRITE);
	/* Asking for both on a writable, unreadable fd reports only EV_WRITE. */
	T_EQ_INT(ev_fd_set(loop, p[1], EV_READ | EV_WRITE, rec_cb, &r), 0);
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(r.calls, 2);
	T_EQ_INT(r.events, EV_WRITE);
	/* Switching to EV_READ only on the write end: never ready. */
	T_EQ_INT(ev_fd_set(loop, p[1], EV_READ, rec_cb, &r), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(r.calls, 2);
	ev_fd_del(loop, p[1]);
	ev_fd_del(loop, p[1]); /* twice: a no-op */
	ev_fd_del(loop, 12345);
	ev_fd_del(loop, -1);
	fd_close(&p[0]);
	fd_close(&p[1]);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	ev_free(loop);
}

/* A second ev_fd_set replaces callback and argument. */
static void test_fd_replace(void)
{
	struct ev_loop *loop = ev_new();
	struct fdrec a, b;
	int p[2];

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(write(p[1], "xy", 2), 2);
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, rec_cb, &a), 0);
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, rec_cb, &b), 0);
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(a.calls, 0);
	T_EQ_INT(b.calls, 1);
	T_CHECK(b.arg == &b);
	ev_fd_del(loop, p[0]);
	fd_close(&p[0]);
	fd_close(&p[1]);
	ev_free(loop);
}

struct pair {
	struct ev_loop *loop;
	int fds[16]; /* read ends */
	int n;
	int calls;
	int called[16];
	int replacement[2]; /* a fresh pipe registered by the first callback */
	int repl_calls;
};

static void repl_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct pair *pr = arg;

	(void)loop;
	(void)fd;
	(void)events;
	pr->repl_calls++;
}

/* Deletes every other watcher of the group. */
static void del_others_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct pair *pr = arg;
	char c;
	int i;

	(void)events;
	pr->calls++;
	for (i = 0; i < pr->n; i++) {
		if (pr->fds[i] == fd) {
			pr->called[i]++;
			if (read(fd, &c, 1) != 1)
				pr->called[i] += 100;
		} else {
			ev_fd_del(loop, pr->fds[i]);
		}
	}
}

static void test_del_other_same_iteration(void)
{
	struct ev_loop *loop = ev_new();
	struct pair pr;
	int w[16], i, total;

	memset(&pr, 0, sizeof(pr));
	pr.n = 2;
	for (i = 0; i < pr.n; i++) {
		int p[2];

		T_EQ_INT(fd_pipe(p), 0);
		pr.fds[i] = p[0];
		w[i] = p[1];
		T_EQ_INT(write(w[i], "r", 1), 1);
	}
	for (i = 0; i < pr.n; i++)
		T_EQ_INT(ev_fd_set(loop, pr.fds[i], EV_READ, del_others_cb, &pr), 0);
	/* Both are ready in the same epoll batch; whichever runs first removes
	 * the other, which must then not run. */
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(pr.calls, 1);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(pr.calls, 1);
	total = 0;
	for (i = 0; i < pr.n; i++)
		total += pr.called[i];
	T_EQ_INT(total, 1);
	for (i = 0; i < pr.n; i++) {
		ev_fd_del(loop, pr.fds[i]);
		close(pr.fds[i]);
		close(w[i]);
	}
	ev_free(loop);
}

static void test_del_others_many(void)
{
	struct ev_loop *loop = ev_new();
	struct pair pr;
	int w[16], i;

	memset(&pr, 0, sizeof(pr));
	pr.n = 16;
	for (i = 0; i < pr.n; i++) {
		int p[2];

		T_EQ_INT(fd_pipe(p), 0);
		pr.fds[i] = p[0];
		w[i] = p[1];
		T_EQ_INT(write(w[i], "r", 1), 1);
		T_EQ_INT(ev_fd_set(loop, pr.fds[i], EV_READ, del_others_cb, &pr), 0);
	}
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(pr.calls, 1);
	for (i = 0; i < pr.n; i++) {
		ev_fd_del(loop, pr.fds[i]);
		close(pr.fds[i]);
		close(w[i]);
	}
	ev_free(loop);
}

/* The first callback deletes and closes the other fd and registers a new,
 * empty pipe that likely reuses its number: the stale readiness of the old
 * fd must not reach the new watcher. */
static void del_close_reuse_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct pair *pr = arg;
	int i, other = -1;
	char c;

	(void)events;
	pr->calls++;
	if (read(fd, &c, 1) != 1)
		pr->calls += 100;
	for (i = 0; i < 2; i++)
		if (pr->fds[i] != fd)
			other = i;
	if (other < 0 || pr->fds[other] < 0)
		return;
	ev_fd_del(loop, pr->fds[other]);
	close(pr->fds[other]);
	pr->fds[other] = -1;
	if (fd_pipe(pr->replacement) == 0)
		ev_fd_set(loop, pr->replacement[0], EV_READ, repl_cb, pr);
}

static void test_del_close_reuse(void)
{
	struct ev_loop *loop = ev_new();
	struct pair pr;
	int w[2], i;

	memset(&pr, 0, sizeof(pr));
	pr.n = 2;
	pr.replacement[0] = pr.replacement[1] = -1;
	for (i = 0; i < 2; i++) {
		int p[2];

		T_EQ_INT(fd_pipe(p), 0);
		pr.fds[i] = p[0];
		w[i] = p[1];
		T_EQ_INT(write(w[i], "r", 1), 1);
		T_EQ_INT(ev_fd_set(loop, pr.fds[i], EV_READ, del_close_reuse_cb, &pr), 0);
	}
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(pr.calls, 1);
	T_EQ_INT(pr.repl_calls, 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(pr.repl_calls, 0);
	/* The new watcher works once its pipe has data. */
	T_CHECK(pr.replacement[1] >= 0);
	if (pr.replacement[1] >= 0) {
		T_EQ_INT(write(pr.replacement[1], "n", 1), 1);
		T_EQ_INT(ev_run_once(loop, 1000), 0);
		T_EQ_INT(pr.repl_calls, 1);
	}
	for (i = 0; i < 2; i++) {
		if (pr.fds[i] >= 0) {
			ev_fd_del(loop, pr.fds[i]);
			close(pr.fds[i]);
		}
		close(w[i]);
	}
	ev_fd_del(loop, pr.replacement[0]);
	fd_close(&pr.replacement[0]);
	fd_close(&pr.replacement[1]);
	ev_free(loop);
}

struct disable {
	int calls;
	int timer_fired;
};

static void disable_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct disable *d = arg;

	(void)events;
	d->calls++;
	ev_fd_set(loop, fd, 0, disable_cb, d);
}

static void flag_timer_cb(struct ev_loop *loop, void *arg)
{
	(void)loop;
	(*(int *)arg)++;
}

/* events 0 on a hung-up fd: no callbacks and no spinning. */
static void test_disable_no_busy_loop(void)
{
	struct ev_loop *loop = ev_new();
	struct disable d;
	int p[2], iters;

	memset(&d, 0, sizeof(d));
	T_EQ_INT(fd_pipe(p), 0);
	fd_close(&p[1]); /* permanently ready (hang-up) */

	/* Registered disabled from the start. */
	T_EQ_INT(ev_fd_set(loop, p[0], 0, disable_cb, &d), 0);
	ev_timer_add(loop, 30, flag_timer_cb, &d.timer_fired);
	iters = run_until(loop, &d.timer_fired, 2000);
	T_CHECK(iters >= 1 && iters <= 3);
	T_EQ_INT(d.calls, 0);

	/* Enabled: called once, and the callback disables itself. */
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, disable_cb, &d), 0);
	d.timer_fired = 0;
	ev_timer_add(loop, 30, flag_timer_cb, &d.timer_fired);
	iters = run_until(loop, &d.timer_fired, 2000);
	T_CHECK(iters >= 1 && iters <= 4);
	T_EQ_INT(d.calls, 1);

	/* Enabled again: called again. */
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, disable_cb, &d), 0);
	T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(d.calls, 2);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(d.calls, 2);

	ev_fd_del(loop, p[0]);
	fd_close(&p[0]);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	ev_free(loop);
}

/* The same on a socket whose peer is gone (EPOLLRDHUP/HUP/ERR all set). */
static void test_disable_socket_peer_closed(void)
{
	struct ev_loop *loop = ev_new();
	struct disable d;
	int sv[2], iters;

	memset(&d, 0, sizeof(d));
	T_EQ_INT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[1]);
	T_EQ_INT(ev_fd_set(loop, sv[0], EV_READ | EV_WRITE, disable_cb, &d), 0);
	ev_timer_add(loop, 30, flag_timer_cb, &d.timer_fired);
	iters = run_until(loop, &d.timer_fired, 2000);
	T_CHECK(iters >= 1 && iters <= 4);
	T_EQ_INT(d.calls, 1);
	ev_fd_del(loop, sv[0]);
	close(sv[0]);
	ev_free(loop);
}

/* A failed registration leaves nothing behind that would keep ev_run busy. */
static void test_fd_set_errors(void)
{
	struct ev_loop *loop = ev_new();
	struct fdrec r;
	int fd, closed;

	memset(&r, 0, sizeof(r));
	T_CHECK(ev_fd_set(loop, -1, EV_READ, rec_cb, &r) < 0);
	fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC); /* epoll refuses files */
	T_CHECK(fd >= 0);
	T_EQ_INT(ev_fd_set(loop, fd, EV_READ, rec_cb, &r), -EPERM);
	closed = dup(0);
	close(closed);
	T_EQ_INT(ev_fd_set(loop, closed, EV_READ, rec_cb, &r), -EBADF);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	T_EQ_INT(r.calls, 0);
	ev_fd_del(loop, fd);
	close(fd);
	ev_free(loop);
}

/* More ready fds than one epoll_wait batch, at high fd numbers. */
static void test_many_fds(void)
{
	enum { N = 150 };
	struct ev_loop *loop = ev_new();
	struct fdrec r[N];
	int rd[N], wr[N], i, ok = 1;

	memset(r, 0, sizeof(r));
	for (i = 0; i < N; i++) {
		int p[2];

		rd[i] = wr[i] = -1;
		if (fd_pipe(p) != 0) {
			ok = 0;
			continue;
		}
		/* Spread the numbers out to exercise the watcher table growth. */
		rd[i] = fcntl(p[0], F_DUPFD_CLOEXEC, 300 + 3 * i);
		close(p[0]);
		wr[i] = p[1];
		r[i].del_self = 1;
		if (write(wr[i], "m", 1) != 1 || ev_fd_set(loop, rd[i], EV_READ, rec_cb, &r[i]) != 0)
			ok = 0;
	}
	T_CHECK(ok);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	for (i = 0; i < N; i++) {
		if (r[i].calls != 1 || r[i].fd != rd[i] || r[i].byte != 'm')
			ok = 0;
		close(rd[i]);
		close(wr[i]);
	}
	T_CHECK(ok);
	ev_free(loop);
}

/* ---- timers ---- */

struct tlog {
	int order[256];
	int n;
	uint64_t added[256];
	uint64_t delay[256];
	int early;
	struct ev_loop *loop;
};

struct tent {
	struct tlog *log;
	int idx;
};

static void tlog_cb(struct ev_loop *loop, void *arg)
{
	struct tent *e = arg;
	struct tlog *l = e->log;

	if (ev_clock_ms() < l->added[e->idx] + l->delay[e->idx])
		l->early++;
	if (ev_now(loop) + 5 < ev_clock_ms() || ev_now(loop) > ev_clock_ms())
		l->early += 1000;
	if (l->n < 256)
		l->order[l->n++] = e->idx;
}

static void test_timers_order(void)
{
	static const uint64_t delays[] = {30, 10, 20, 0, 10, 0, 20, 1, 30, 0};
	enum { N = sizeof(delays) / sizeof(delays[0]) };
	struct ev_loop *loop = ev_new();
	struct tlog l;
	struct tent e[N];
	uint64_t t0, t1;
	int i, j, ok = 1;

	memset(&l, 0, sizeof(l));
	t0 = ev_clock_ms();
	for (i = 0; i < N; i++) {
		e[i].log = &l;
		e[i].idx = i;
		l.delay[i] = delays[i];
		l.added[i] = ev_clock_ms();
		T_CHECK(ev_timer_add(loop, delays[i], tlog_cb, &e[i]) != 0);
	}
	t1 = ev_clock_ms();
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(l.n, N);
	T_EQ_INT(l.early, 0);
	for (i = 0; i < l.n; i++) {
		for (j = i + 1; j < l.n; j++) {
			int a = l.order[i], b = l.order[j];

			/* Equal delays always fire in insertion order; across
			 * delays, when the clock did not tick while adding. */
			if (delays[a] == delays[b] && a > b)
				ok = 0;
			if (t0 == t1 && delays[a] > delays[b])
				ok = 0;
		}
	}
	T_CHECK(ok);
	ev_free(loop);
}

/* Many timers with the same deadline fire in insertion order; a larger mixed
 * set exercises the heap. Retried until the adds fit in one clock tick, so
 * the deadlines are exactly known. */
static void test_timers_equal_deadlines(void)
{
	enum { N = 200 };
	struct ev_loop *loop = ev_new();
	struct tlog l;
	struct tent e[N];
	uint64_t t0 = 0, t1 = 1, ids[N];
	int i, attempt, ok = 1;

	for (attempt = 0; attempt < 20 && t0 != t1; attempt++) {
		memset(&l, 0, sizeof(l));
		t0 = ev_clock_ms();
		for (i = 0; i < N; i++) {
			e[i].log = &l;
			e[i].idx = i;
			l.delay[i] = (uint64_t)((i * 7919) % 5);
			l.added[i] = t0;
			ids[i] = ev_timer_add(loop, l.delay[i], tlog_cb, &e[i]);
		}
		t1 = ev_clock_ms();
		if (t0 != t1)
			for (i = 0; i < N; i++)
				ev_timer_del(loop, ids[i]);
	}
	T_CHECK(t0 == t1);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(l.n, N);
	for (i = 1; i < l.n; i++) {
		int a = l.order[i - 1], b = l.order[i];

		if (l.delay[a] > l.delay[b] || (l.delay[a] == l.delay[b] && a > b))
			ok = 0;
	}
	T_CHECK(ok);
	ev_free(loop);
}

static void test_timer_ids(void)
{
	struct ev_loop *loop = ev_new();
	uint64_t ids[100];
	int i, j, ok = 1, fired = 0;

	for (i = 0; i < 100; i++) {
		ids[i] = ev_timer_add(loop, 1000, flag_timer_cb, &fired);
		if (ids[i] == 0)
			ok = 0;
		for (j = 0; j < i; j++)
			if (ids[j] == ids[i])
				ok = 0;
	}
	T_CHECK(ok);
	for (i = 0; i < 100; i++)
		ev_timer_del(loop, ids[i]);
	T_EQ_INT(run_guarded(loop, 500), 0);
	T_EQ_INT(fired, 0);
	ev_free(loop);
}

static void test_timer_del(void)
{
	struct ev_loop *loop = ev_new();
	int a = 0, b = 0, c = 0, d = 0;
	uint64_t ia, ib, ic, id;

	ia = ev_timer_add(loop, 10, flag_timer_cb, &a);
	ib = ev_timer_add(loop, 0, flag_timer_cb, &b);
	ic = ev_timer_add(loop, 15, flag_timer_cb, &c);
	ev_timer_del(loop, ia);
	ev_timer_del(loop, ia); /* twice */
	ev_timer_del(loop, 0);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(a, 0);
	T_EQ_INT(b, 1);
	T_EQ_INT(c, 1);

	/* Deleting ids that already fired does not touch live timers. */
	id = ev_timer_add(loop, 0, flag_timer_cb, &d);
	ev_timer_del(loop, ib);
	ev_timer_del(loop, ic);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(d, 1);
	ev_timer_del(loop, id);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	ev_free(loop);
}

/* Deleting from the middle of a big heap keeps the rest in order. */
static void test_timer_del_many(void)
{
	enum { N = 120 };
	struct ev_loop *loop = ev_new();
	struct tlog l;
	struct tent e[N];
	uint64_t ids[N];
	int i, ok = 1, seen[N];

	memset(&l, 0, sizeof(l));
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		e[i].log = &l;
		e[i].idx = i;
		l.delay[i] = (uint64_t)(N - i) / 20; /* 6..0 ms, later ones first */
		l.added[i] = ev_clock_ms();
		ids[i] = ev_timer_add(loop, l.delay[i], tlog_cb, &e[i]);
	}
	for (i = 0; i < N; i += 3)
		ev_timer_del(loop, ids[i]);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(l.n, N - (N + 2) / 3);
	T_EQ_INT(l.early, 0);
	for (i = 0; i < l.n; i++) {
		if (l.order[i] % 3 == 0 || seen[l.order[i]]++)
			ok = 0;
		if (i > 0 && l.added[l.order[i - 1]] == l.added[l.order[i]] &&
		    (l.delay[l.order[i - 1]] > l.delay[l.order[i]] ||
		     (l.delay[l.order[i - 1]] == l.delay[l.order[i]] && l.order[i - 1] > l.order[i])))
			ok = 0;
	}
	T_CHECK(ok);
	ev_free(loop);
}

struct tdel {
	uint64_t other;
	uint64_t self;
	int calls;
	int other_calls;
};

static void tdel_first_cb(struct ev_loop *loop, void *arg)
{
	struct tdel *t = arg;

	t->calls++;
	ev_timer_del(loop, t->other);
	ev_timer_del(loop, t->self); /* its own, already fired id: a no-op */
}

static void tdel_second_cb(struct ev_loop *loop, void *arg)
{
	struct tdel *t = arg;

	(void)loop;
	t->other_calls++;
}

/* Both due in the same iteration; the first cancels the second. */
static void test_timer_del_in_callback(void)
{
	struct ev_loop *loop = ev_new();
	struct tdel t;

	memset(&t, 0, sizeof(t));
	t.self = ev_timer_add(loop, 0, tdel_first_cb, &t);
	t.other = ev_timer_add(loop, 0, tdel_second_cb, &t);
	T_EQ_INT(run_guarded(loop, 2000), 0);
	T_EQ_INT(t.calls, 1);
	T_EQ_INT(t.other_calls, 0);
	ev_free(loop);
}

struct starve {
	int timer_calls;
	int fd_calls;
	int rearm;
};

static void rearm_cb(struct ev_loop *loop, void *arg)
{
	struct starve *s = arg;

	s->timer_calls++;
	if (s->rearm)
		ev_timer_add(loop, 0, rearm_cb, s);
}

static void starve_fd_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct starve *s = arg;
	char c;

	(void)loop;
	(void)events;
	if (read(fd, &c, 1) == 1)
		s->fd_calls++;
}

/* A zero-delay timer that re-arms itself must not starve fd callbacks, and
 * its re-armed instance does run (in a later iteration). */
static void test_zero_timer_no_starvation(void)
{
	struct ev_loop *loop = ev_new();
	struct starve s;
	int p[2], i;

	memset(&s, 0, sizeof(s));
	s.rearm = 1;
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(ev_fd_set(loop, p[0], EV_READ, starve_fd_cb, &s), 0);
	ev_timer_add(loop, 0, rearm_cb, &s);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(s.timer_calls, 1); /* not re-run within the same iteration */
	T_EQ_INT(write(p[1], "1", 1), 1);
	for (i = 0; i < 5 && s.fd_calls == 0; i++)
		T_EQ_INT(ev_run_once(loop, 1000), 0);
	T_EQ_INT(s.fd_calls, 1);
	T_CHECK(i <= 2);
	T_CHECK(s.timer_calls >= 2 && s.timer_calls <= 3);
	/* Keeps going: each iteration runs the timer once and serves the fd. */
	for (i = 0; i < 20; i++) {
		T_EQ_INT(write(p[1], "1", 1), 1);
		T_EQ_INT(ev_run_once(loop, 1000), 0);
	}
	T_EQ_INT(s.fd_calls, 21);
	s.rearm = 0;
	ev_fd_del(loop, p[0]);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	fd_close(&p[0]);
	fd_close(&p[1]);
	ev_free(loop);
}

/* A huge delay means "practically never", not an overflow into the past. */
static void test_timer_huge_delay(void)
{
	struct ev_loop *loop = ev_new();
	int huge = 0, big = 0, small = 0;
	uint64_t h, b, t0;

	h = ev_timer_add(loop, UINT64_MAX, flag_timer_cb, &huge);
	b = ev_timer_add(loop, UINT64_MAX / 2, flag_timer_cb, &big);
	ev_timer_add(loop, 0, flag_timer_cb, &small);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(small, 1);
	T_EQ_INT(huge, 0);
	T_EQ_INT(big, 0);
	/* A pending far timer does not make ev_run_once ignore its timeout. */
	t0 = ev_clock_ms();
	T_EQ_INT(ev_run_once(loop, 20), 0);
	T_CHECK(ev_clock_ms() - t0 < 1000);
	T_EQ_INT(huge, 0);
	ev_timer_del(loop, h);
	ev_timer_del(loop, b);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	ev_free(loop);
}

static void test_clock(void)
{
	struct ev_loop *loop = ev_new();
	uint64_t a, b;
	int i, ok = 1;

	a = ev_clock_ms();
	for (i = 0; i < 1000; i++) {
		b = ev_clock_ms();
		if (b < a)
			ok = 0;
		a = b;
	}
	T_CHECK(ok);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_CHECK(ev_now(loop) <= ev_clock_ms());
	T_CHECK(ev_clock_ms() - ev_now(loop) < 100);
	ev_free(loop);
}

/* ---- stop and termination ---- */

static void stop_cb(struct ev_loop *loop, void *arg)
{
	(*(int *)arg)++;
	ev_stop(loop);
}

static void stop_fd_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	(void)fd;
	(void)events;
	(*(int *)arg)++;
	ev_stop(loop);
}

static void test_stop(void)
{
	struct ev_loop *loop = ev_new();
	int stopped = 0, far = 0, fdc = 0, p[2];
	uint64_t far_id, t0;

	ev_timer_add(loop, 5, stop_cb, &stopped);
	far_id = ev_timer_add(loop, 60000, flag_timer_cb, &far);
	t0 = ev_clock_ms();
	T_EQ_INT(ev_run(loop), 0);
	T_CHECK(ev_clock_ms() - t0 < 2000);
	T_EQ_INT(stopped, 1);
	T_EQ_INT(far, 0);

	/* A later ev_run runs again (the stop was for that run only). */
	ev_timer_add(loop, 0, stop_cb, &stopped);
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(stopped, 2);

	/* Stop from an fd callback. */
	T_EQ_INT(fd_pipe(p), 0);
	T_EQ_INT(ev_fd_set(loop, p[1], EV_WRITE, stop_fd_cb, &fdc), 0);
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(fdc, 1);
	ev_fd_del(loop, p[1]);
	fd_close(&p[0]);
	fd_close(&p[1]);

	ev_timer_del(loop, far_id);
	T_EQ_INT(run_guarded(loop, 1000), 0);
	ev_free(loop);
}

static void noop_sig_cb(struct ev_loop *loop, int sig, void *arg)
{
	(void)loop;
	(void)sig;
	(void)arg;
}

/* ev_run returns once no fds, timers or children are left; signal watchers
 * alone do not keep it running. */
static void test_run_returns_when_empty(void)
{
	struct ev_loop *loop = ev_new();
	int fired = 0;
	uint64_t t0;

	T_EQ_INT(ev_signal_add(loop, SIGUSR2, noop_sig_cb, NULL), 0);
	t0 = ev_clock_ms();
	T_EQ_INT(ev_run(loop), 0);
	T_CHECK(ev_clock_ms() - t0 < 1000);
	ev_timer_add(loop, 10, flag_timer_cb, &fired);
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(fired, 1);
	ev_free(loop);
}

/* ---- signals ---- */

struct sigrec {
	int calls;
	int last;
	int in_handler_calls;
};

static volatile sig_atomic_t raising;

static void sigrec_cb(struct ev_loop *loop, int sig, void *arg)
{
	struct sigrec *s = arg;

	(void)loop;
	s->calls++;
	s->last = sig;
	if (raising)
		s->in_handler_calls++;
}

static int dummy_handler_calls;
static void dummy_handler(int sig)
{
	(void)sig;
	dummy_handler_calls++;
}

static void test_signals(void)
{
	struct sigaction dummy, cur;
	struct ev_loop *loop;
	struct sigrec u1, u2;
	int i;

	memset(&dummy, 0, sizeof(dummy));
	dummy.sa_handler = dummy_handler;
	sigaction(SIGUSR1, &dummy, NULL);

	memset(&u1, 0, sizeof(u1));
	memset(&u2, 0, sizeof(u2));
	loop = ev_new();
	T_EQ_INT(ev_signal_add(loop, SIGUSR1, sigrec_cb, &u1), 0);
	T_EQ_INT(ev_signal_add(loop, SIGUSR2, sigrec_cb, &u2), 0);
	raising = 1;
	raise(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR2);
	raising = 0;
	T_EQ_INT(u1.calls, 0); /* delivered in loop context, not in the handler */
	T_CHECK(run_until(loop, &u2.calls, 2000) >= 1);
	for (i = 0; i < 3; i++)
		T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(u1.calls, 2);
	T_EQ_INT(u1.last, SIGUSR1);
	T_EQ_INT(u2.calls, 1);
	T_EQ_INT(u2.last, SIGUSR2);
	T_EQ_INT(u1.in_handler_calls, 0);
	T_EQ_INT(dummy_handler_calls, 0);

	/* Re-adding replaces the callback. */
	memset(&u2, 0, sizeof(u2));
	T_EQ_INT(ev_signal_add(loop, SIGUSR1, sigrec_cb, &u2), 0);
	raise(SIGUSR1);
	T_CHECK(run_until(loop, &u2.calls, 2000) >= 1);
	T_EQ_INT(u1.calls, 2);
	ev_free(loop);

	/* The earlier disposition is back. */
	sigaction(SIGUSR1, NULL, &cur);
	T_CHECK(cur.sa_handler == dummy_handler);
	sigaction(SIGUSR2, NULL, &cur);
	T_CHECK(cur.sa_handler == SIG_DFL);
	raise(SIGUSR1);
	T_EQ_INT(dummy_handler_calls, 1);
	dummy.sa_handler = SIG_DFL;
	sigaction(SIGUSR1, &dummy, NULL);
}

/* A second loop may watch signals once the first is freed. */
static void test_signals_second_loop(void)
{
	struct ev_loop *loop;
	struct sigrec u;
	int round;

	for (round = 0; round < 3; round++) {
		memset(&u, 0, sizeof(u));
		loop = ev_new();
		T_EQ_INT(ev_signal_add(loop, SIGUSR1, sigrec_cb, &u), 0);
		raise(SIGUSR1);
		T_CHECK(run_until(loop, &u.calls, 2000) >= 1);
		T_EQ_INT(u.calls, 1);
		ev_free(loop);
	}
}

/* ---- children ---- */

struct childrec {
	int calls;
	pid_t pid;
	int status;
	struct ev_loop *loop;
	pid_t other;
	int del_other;
	int chain;
	struct childrec *next;
};

static void child_cb(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct childrec *c = arg;

	c->calls++;
	c->pid = pid;
	c->status = status;
	if (c->del_other)
		ev_child_del(loop, c->other);
	if (c->chain && c->next != NULL) {
		c->next->pid = start("exit 7");
		if (c->next->pid > 0)
			ev_child_add(loop, c->next->pid, child_cb, c->next);
	}
}

static void test_child_exit_status(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a, b, k;
	pid_t pa, pb, pk;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&k, 0, sizeof(k));
	pa = start("true");
	pb = start("exit 3");
	pk = start("kill -KILL $$");
	T_CHECK(pa > 0 && pb > 0 && pk > 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(ev_child_add(loop, pb, child_cb, &b), 0);
	T_EQ_INT(ev_child_add(loop, pk, child_cb, &k), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls, 1);
	T_EQ_INT(a.pid, pa);
	T_CHECK(WIFEXITED(a.status) && WEXITSTATUS(a.status) == 0);
	T_EQ_INT(b.calls, 1);
	T_EQ_INT(b.pid, pb);
	T_CHECK(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 3);
	T_EQ_INT(k.calls, 1);
	T_CHECK(WIFSIGNALED(k.status) && WTERMSIG(k.status) == SIGKILL);
	cleanup_child(pa);
	cleanup_child(pb);
	cleanup_child(pk);
	T_CHECK(no_children());
	ev_free(loop);
}

/* The child is already a zombie when it is registered, before and after the
 * loop installed its SIGCHLD handler. */
static void test_child_exited_before_add(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a, b;
	pid_t pa, pb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	pa = start("exit 5");
	T_CHECK(pa > 0);
	T_EQ_INT(wait_zombie(pa), 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls, 1);
	T_CHECK(WIFEXITED(a.status) && WEXITSTATUS(a.status) == 5);

	/* Now the handler is installed; the SIGCHLD comes while the loop is
	 * not running. */
	pb = start("exit 6");
	T_CHECK(pb > 0);
	T_EQ_INT(wait_zombie(pb), 0);
	T_EQ_INT(ev_child_add(loop, pb, child_cb, &b), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(b.calls, 1);
	T_CHECK(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 6);
	cleanup_child(pa);
	cleanup_child(pb);
	T_CHECK(no_children());
	ev_free(loop);
}

static void test_child_many(void)
{
	enum { N = 8 };
	struct ev_loop *loop = ev_new();
	struct childrec c[N];
	char script[32];
	pid_t pids[N];
	int i, ok = 1;

	memset(c, 0, sizeof(c));
	for (i = 0; i < N; i++) {
		snprintf(script, sizeof(script), "exit %d", 10 + i);
		pids[i] = start(script);
		if (pids[i] <= 0 || ev_child_add(loop, pids[i], child_cb, &c[i]) != 0)
			ok = 0;
	}
	T_CHECK(ok);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	for (i = 0; i < N; i++) {
		if (c[i].calls != 1 || c[i].pid != pids[i] || !WIFEXITED(c[i].status) ||
		    WEXITSTATUS(c[i].status) != 10 + i)
			ok = 0;
		cleanup_child(pids[i]);
	}
	T_CHECK(ok);
	T_CHECK(no_children());
	ev_free(loop);
}

/* A forgotten child is still reaped, and its callback never runs. */
static void test_child_del(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a;
	uint64_t end;
	pid_t pa;

	memset(&a, 0, sizeof(a));
	pa = start("exit 1");
	T_CHECK(pa > 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	ev_child_del(loop, pa);
	ev_child_del(loop, 999999); /* unknown: a no-op */
	end = ev_clock_ms() + DEADLINE_MS;
	/* kill(pid, 0) succeeds on a zombie; ESRCH means the loop reaped it. */
	while (kill(pa, 0) == 0 && ev_clock_ms() < end)
		ev_run_once(loop, 10);
	T_CHECK(kill(pa, 0) < 0 && errno == ESRCH);
	T_EQ_INT(a.calls, 0);
	cleanup_child(pa);
	T_CHECK(no_children());
	ev_free(loop);
}

/* Two children reaped in one pass; the first callback forgets the second. */
static void test_child_del_in_callback(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a, b;
	pid_t pa, pb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	pa = start("exit 0");
	pb = start("exit 0");
	T_CHECK(pa > 0 && pb > 0);
	T_EQ_INT(wait_zombie(pa), 0);
	T_EQ_INT(wait_zombie(pb), 0);
	a.del_other = b.del_other = 1;
	a.other = pb;
	b.other = pa;
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(ev_child_add(loop, pb, child_cb, &b), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls + b.calls, 1);
	T_CHECK(kill(pa, 0) < 0 && kill(pb, 0) < 0); /* both reaped anyway */
	cleanup_child(pa);
	cleanup_child(pb);
	T_CHECK(no_children());
	ev_free(loop);
}

/* A child callback starting another child keeps ev_run going. */
static void test_child_chain(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a, b;
	pid_t pa;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.chain = 1;
	a.next = &b;
	pa = start("exit 0");
	T_CHECK(pa > 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls, 1);
	T_EQ_INT(b.calls, 1);
	T_CHECK(WIFEXITED(b.status) && WEXITSTATUS(b.status) == 7);
	cleanup_child(pa);
	cleanup_child(b.pid);
	T_CHECK(no_children());
	ev_free(loop);
}

/* SIGCHLD itself can be watched, alongside child reaping. */
static void test_sigchld_watch(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a;
	struct sigrec s;
	pid_t pa;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	T_EQ_INT(ev_signal_add(loop, SIGCHLD, sigrec_cb, &s), 0);
	pa = start("exit 2");
	T_CHECK(pa > 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls, 1);
	T_CHECK(WIFEXITED(a.status) && WEXITSTATUS(a.status) == 2);
	T_CHECK(run_until(loop, &s.calls, 2000) >= 0);
	T_CHECK(s.calls >= 1);
	T_EQ_INT(s.last, SIGCHLD);
	cleanup_child(pa);
	T_CHECK(no_children());
	ev_free(loop);
}

/* Registering a child must not look like a SIGCHLD to a SIGCHLD watcher. */
static void test_sigchld_watch_no_spurious(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a;
	struct sigrec s;
	int p[2];
	pid_t pa;

	memset(&a, 0, sizeof(a));
	memset(&s, 0, sizeof(s));
	T_EQ_INT(fd_pipe(p), 0);
	/* A child blocked on a pipe: it cannot exit before we let it. */
	{
		char *const argv[] = {"sh", "-c", "read x; exit 0", NULL};
		struct spawn_opts o;

		spawn_opts_init(&o);
		o.argv = argv;
		o.stdin_fd = p[0];
		pa = -1;
		T_EQ_INT(spawn(&o, &pa, NULL), 0);
	}
	fd_close(&p[0]);
	T_EQ_INT(ev_signal_add(loop, SIGCHLD, sigrec_cb, &s), 0);
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(ev_run_once(loop, 0), 0);
	T_EQ_INT(s.calls, 0);
	T_EQ_INT(a.calls, 0);
	fd_close(&p[1]); /* EOF: the child exits */
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	T_EQ_INT(a.calls, 1);
	cleanup_child(pa);
	T_CHECK(no_children());
	ev_free(loop);
}

/* ev_free puts SIGCHLD back to its default. */
static void test_free_restores_sigchld(void)
{
	struct ev_loop *loop = ev_new();
	struct childrec a;
	struct sigaction cur;
	pid_t pa;

	memset(&a, 0, sizeof(a));
	pa = start("true");
	T_EQ_INT(ev_child_add(loop, pa, child_cb, &a), 0);
	T_EQ_INT(run_guarded(loop, DEADLINE_MS), 0);
	sigaction(SIGCHLD, NULL, &cur);
	T_CHECK(cur.sa_handler != SIG_DFL);
	ev_free(loop);
	sigaction(SIGCHLD, NULL, &cur);
	T_CHECK(cur.sa_handler == SIG_DFL);
	cleanup_child(pa);
}

int main(void)
{
	T_RUN(test_empty_loop);
	T_RUN(test_fd_read);
	T_RUN(test_fd_write);
	T_RUN(test_fd_replace);
	T_RUN(test_del_other_same_iteration);
	T_RUN(test_del_others_many);
	T_RUN(test_del_close_reuse);
	T_RUN(test_disable_no_busy_loop);
	T_RUN(test_disable_socket_peer_closed);
	T_RUN(test_fd_set_errors);
	T_RUN(test_many_fds);
	T_RUN(test_timers_order);
	T_RUN(test_timers_equal_deadlines);
	T_RUN(test_timer_ids);
	T_RUN(test_timer_del);
	T_RUN(test_timer_del_many);
	T_RUN(test_timer_del_in_callback);
	T_RUN(test_zero_timer_no_starvation);
	T_RUN(test_timer_huge_delay);
	T_RUN(test_clock);
	T_RUN(test_stop);
	T_RUN(test_run_returns_when_empty);
	T_RUN(test_signals);
	T_RUN(test_signals_second_loop);
	T_RUN(test_child_exit_status);
	T_RUN(test_child_exited_before_add);
	T_RUN(test_child_many);
	T_RUN(test_child_del);
	T_RUN(test_child_del_in_callback);
	T_RUN(test_child_chain);
	T_RUN(test_sigchld_watch);
	T_RUN(test_sigchld_watch_no_spurious);
	T_RUN(test_free_restores_sigchld);
	return T_DONE();
}
