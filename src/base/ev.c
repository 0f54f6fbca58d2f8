/* Event loop: epoll for fds, a binary heap of timers, signals through a
 * self-pipe, and child reaping on SIGCHLD. */
#include "base/ev.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

struct ev_fdw {
	ev_fd_cb cb;
	void *arg;
	int events;     /* what the caller asked for */
	uint32_t gen;   /* bumped on every (re)registration; 0 = unused */
	int in_epoll;   /* registered with the kernel (not while events == 0,
	                 * because epoll reports hang-ups even for no events) */
};

struct ev_timer {
	uint64_t when; /* ms, monotonic */
	uint64_t id;
	ev_timer_cb cb;
	void *arg;
};

struct ev_child {
	pid_t pid;
	ev_child_cb cb;
	void *arg;
};

struct ev_sig {
	int sig;
	ev_signal_cb cb;
	void *arg;
	struct sigaction old;
};

struct ev_loop {
	int epfd;
	struct ev_fdw *fds; /* indexed by fd */
	size_t nfds_cap;
	size_t nwatched;
	uint32_t next_gen;
	struct ev_timer *timers; /* min-heap on when, then id */
	size_t ntimers, timers_cap;
	uint64_t next_timer_id;
	struct ev_child *children;
	size_t nchildren, children_cap;
	struct ev_sig *sigs;
	size_t nsigs;
	int sigpipe[2];
	int sigchld_installed;
	uint64_t now;
	int stop;
};

/* The self-pipe is process-wide because signal handlers cannot find a loop. */
static int ev_sig_wfd = -1;

/* A self-pipe byte that asks for a reaping pass; no signal has number 0. */
#define EV_SIG_REAP 0

static void ev_sig_handler(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (ev_sig_wfd >= 0 && write(ev_sig_wfd, &c, 1) < 0) {
		/* Pipe full: a wake-up is already pending, and SIGCHLD reaping
		 * scans every child, so nothing is lost. */
	}
	errno = saved;
}

uint64_t ev_clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t ev_now(struct ev_loop *loop)
{
	return loop->now;
}

static void ev_sig_read(struct ev_loop *loop, int fd, int events, void *arg);

struct ev_loop *ev_new(void)
{
	struct ev_loop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		fatal("epoll_create1: %s", strerror(errno));
	loop->sigpipe[0] = loop->sigpipe[1] = -1;
	loop->next_gen = 1;
	loop->next_timer_id = 1;
	loop->now = ev_clock_ms();
	return loop;
}

static int ev_sig_setup(struct ev_loop *loop)
{
	int r;

	if (loop->sigpipe[0] >= 0)
		return 0;
	if (ev_sig_wfd >= 0)
		fatal("ev: only one loop per process may watch signals");
	if ((r = fd_pipe(loop->sigpipe)) != 0)
		return r;
	fd_set_nonblock(loop->sigpipe[0], 1);
	fd_set_nonblock(loop->sigpipe[1], 1);
	ev_sig_wfd = loop->sigpipe[1];
	return ev_fd_set(loop, loop->sigpipe[0], EV_READ, ev_sig_read, NULL);
}

static int ev_sig_install(struct ev_loop *loop, int sig)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < loop->nsigs; i++)
		if (loop->sigs[i].sig == sig)
			return 0;
	loop->sigs = xreallocarray(loop->sigs, loop->nsigs + 1, sizeof(*loop->sigs));
	memset(&loop->sigs[loop->nsigs], 0, sizeof(loop->sigs[0]));
	loop->sigs[loop->nsigs].sig = sig;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ev_sig_handler;
	sa.sa_flags = SA_RESTART | (sig == SIGCHLD ? SA_NOCLDSTOP : 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, &loop->sigs[loop->nsigs].old) < 0)
		return -errno;
	loop->nsigs++;
	return 0;
}

void ev_free(struct ev_loop *loop)
{
	size_t i;

	if (loop == NULL)
		return;
	for (i = 0; i < loop->nsigs; i++)
		sigaction(loop->sigs[i].sig, &loop->sigs[i].old, NULL);
	if (loop->sigpipe[1] >= 0)
		ev_sig_wfd = -1;
	fd_close(&loop->sigpipe[0]);
	fd_close(&loop->sigpipe[1]);
	close(loop->epfd);
	free(loop->fds);
	free(loop->timers);
	free(loop->children);
	free(loop->sigs);
	free(loop);
}

int ev_fd_set(struct ev_loop *loop, int fd, int events, ev_fd_cb cb, void *arg)
{
	struct epoll_event ee;
	struct ev_fdw *w;
	size_t ncap;
	int op;

	if (fd < 0)
		return ERR_INVAL;
	if ((size_t)fd >= loop->nfds_cap) {
		ncap = loop->nfds_cap ? loop->nfds_cap : 64;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		loop->fds = xreallocarray(loop->fds, ncap, sizeof(*loop->fds));
		memset(loop->fds + loop->nfds_cap, 0, (ncap - loop->nfds_cap) * sizeof(*loop->fds));
		loop->nfds_cap = ncap;
	}
	w = &loop->fds[fd];
	if (!w->gen)
		loop->nwatched++;
	w->cb = cb;
	w->arg = arg;
	w->events = events;
	w->gen = loop->next_gen++;
	if (loop->next_gen == 0)
		loop->next_gen = 1;
	if (events == 0) {
		if (w->in_epoll)
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
		w->in_epoll = 0;
		return 0;
	}
	op = w->in_epoll ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	memset(&ee, 0, sizeof(ee));
	ee.events = ((events & EV_READ) ? EPOLLIN : 0) | ((events & EV_WRITE) ? EPOLLOUT : 0);
	ee.data.u64 = ((uint64_t)w->gen << 32) | (uint32_t)fd;
	if (epoll_ctl(loop->epfd, op, fd, &ee) < 0) {
		int e = errno;

		memset(w, 0, sizeof(*w));
		loop->nwatched--;
		return -e;
	}
	w->in_epoll = 1;
	return 0;
}

void ev_fd_del(struct ev_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nfds_cap || !loop->fds[fd].gen)
		return;
	if (loop->fds[fd].in_epoll)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&loop->fds[fd], 0, sizeof(loop->fds[fd]));
	loop->nwatched--;
}

static int ev_timer_less(const struct ev_timer *a, const struct ev_timer *b)
{
	return a->when < b->when || (a->when == b->when && a->id < b->id);
}

static void ev_heap_up(struct ev_loop *loop, size_t i)
{
	struct ev_timer t = loop->timers[i];

	while (i > 0 && ev_timer_less(&t, &loop->timers[(i - 1) / 2])) {
		loop->timers[i] = loop->timers[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	loop->timers[i] = t;
}

static void ev_heap_down(struct ev_loop *loop, size_t i)
{
	struct ev_timer t = loop->timers[i];
	size_t c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= loop->ntimers)
			break;
		if (c + 1 < loop->ntimers && ev_timer_less(&loop->timers[c + 1], &loop->timers[c]))
			c++;
		if (!ev_timer_less(&loop->timers[c], &t))
			break;
		loop->timers[i] = loop->timers[c];
		i = c;
	}
	loop->timers[i] = t;
}

static void ev_heap_remove(struct ev_loop *loop, size_t i)
{
	loop->ntimers--;
	if (i == loop->ntimers)
		return;
	loop->timers[i] = loop->timers[loop->ntimers];
	ev_heap_up(loop, i);
	ev_heap_down(loop, i);
}

uint64_t ev_timer_add(struct ev_loop *loop, uint64_t ms, ev_timer_cb cb, void *arg)
{
	struct ev_timer *t;
	uint64_t id, now;

	if (loop->ntimers == loop->timers_cap) {
		loop->timers_cap = loop->timers_cap ? loop->timers_cap * 2 : 16;
		loop->timers = xreallocarray(loop->timers, loop->timers_cap, sizeof(*loop->timers));
	}
	now = ev_clock_ms();
	id = loop->next_timer_id++;
	t = &loop->timers[loop->ntimers++];
	/* Saturate: a huge delay means "never", not a wrap into the past. */
	t->when = ms > UINT64_MAX - now ? UINT64_MAX : now + ms;
	t->id = id;
	t->cb = cb;
	t->arg = arg;
	/* Sifting up moves other timers into *t, so the id was kept apart. */
	ev_heap_up(loop, loop->ntimers - 1);
	return id;
}

void ev_timer_del(struct ev_loop *loop, uint64_t id)
{
	size_t i;

	if (id == 0)
		return;
	for (i = 0; i < loop->ntimers; i++) {
		if (loop->timers[i].id == id) {
			ev_heap_remove(loop, i);
			return;
		}
	}
}

int ev_child_add(struct ev_loop *loop, pid_t pid, ev_child_cb cb, void *arg)
{
	int r;

	if (!loop->sigchld_installed) {
		if ((r = ev_sig_setup(loop)) != 0 || (r = ev_sig_install(loop, SIGCHLD)) != 0)
			return r;
		loop->sigchld_installed = 1;
	}
	if (loop->nchildren == loop->children_cap) {
		loop->children_cap = loop->children_cap ? loop->children_cap * 2 : 16;
		loop->children = xreallocarray(loop->children, loop->children_cap, sizeof(*loop->children));
	}
	loop->children[loop->nchildren].pid = pid;
	loop->children[loop->nchildren].cb = cb;
	loop->children[loop->nchildren].arg = arg;
	loop->nchildren++;
	/* The child may have exited before it was registered: reap it on the
	 * next iteration without waiting for a SIGCHLD that already came. The
	 * byte is EV_SIG_REAP, not SIGCHLD, so SIGCHLD watchers see only real
	 * signals. */
	ev_sig_handler(EV_SIG_REAP);
	return 0;
}

void ev_child_del(struct ev_loop *loop, pid_t pid)
{
	size_t i;

	for (i = 0; i < loop->nchildren; i++) {
		if (loop->children[i].pid == pid) {
			loop->children[i].cb = NULL;
			return;
		}
	}
}

int ev_signal_add(struct ev_loop *loop, int sig, ev_signal_cb cb, void *arg)
{
	size_t i;
	int r;

	if ((r = ev_sig_setup(loop)) != 0 || (r = ev_sig_install(loop, sig)) != 0)
		return r;
	for (i = 0; i < loop->nsigs; i++) {
		if (loop->sigs[i].sig == sig) {
			loop->sigs[i].cb = cb;
			loop->sigs[i].arg = arg;
		}
	}
	return 0;
}

static void ev_reap(struct ev_loop *loop)
{
	struct ev_child c;
	size_t i = 0;
	pid_t p;
	int status;

	while (i < loop->nchildren) {
		p = waitpid(loop->children[i].pid, &status, WNOHANG);
		if (p == 0) {
			i++;
			continue;
		}
		c = loop->children[i];
		loop->children[i] = loop->children[--loop->nchildren];
		if (p > 0 && c.cb != NULL)
			c.cb(loop, c.pid, status, c.arg);
		/* The callback may have changed the array; rescan from the start. */
		i = 0;
	}
}

static void ev_sig_read(struct ev_loop *loop, int fd, int events, void *arg)
{
	unsigned char sigs[64];
	ssize_t n, k;
	size_t i;
	int chld = 0;

	(void)events;
	(void)arg;
	while ((n = read(fd, sigs, sizeof(sigs))) > 0) {
		for (k = 0; k < n; k++) {
			if (sigs[k] == EV_SIG_REAP || sigs[k] == SIGCHLD)
				chld = 1;
			if (sigs[k] == EV_SIG_REAP)
				continue;
			for (i = 0; i < loop->nsigs; i++)
				if (loop->sigs[i].sig == sigs[k] && loop->sigs[i].cb != NULL)
					loop->sigs[i].cb(loop, sigs[k], loop->sigs[i].arg);
		}
	}
	if (chld)
		ev_reap(loop);
}

static int ev_next_timeout(struct ev_loop *loop, int timeout_ms)
{
	uint64_t d;

	if (loop->ntimers == 0)
		return timeout_ms;
	d = loop->timers[0].when <= loop->now ? 0 : loop->timers[0].when - loop->now;
	if (d > INT32_MAX)
		d = INT32_MAX;
	if (timeout_ms < 0 || (int)d < timeout_ms)
		return (int)d;
	return timeout_ms;
}

static void ev_run_timers(struct ev_loop *loop)
{
	struct ev_timer t;
	uint64_t limit = loop->next_timer_id;

	/* Timers added by callbacks wait for the next iteration (id >= limit),
	 * so a zero-delay timer that re-arms itself cannot starve fds. */
	while (loop->ntimers > 0 && loop->timers[0].when <= loop->now && loop->timers[0].id < limit) {
		t = loop->timers[0];
		ev_heap_remove(loop, 0);
		t.cb(loop, t.arg);
	}
}

int ev_run_once(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	struct ev_fdw *w;
	int n, i, fd, mask;
	uint32_t gen;

	loop->now = ev_clock_ms();
	n = epoll_wait(loop->epfd, evs, 64, ev_next_timeout(loop, timeout_ms));
	if (n < 0 && errno != EINTR)
		return -errno;
	loop->now = ev_clock_ms();
	for (i = 0; i < n; i++) {
		fd = (int)(uint32_t)evs[i].data.u64;
		gen = (uint32_t)(evs[i].data.u64 >> 32);
		if ((size_t)fd >= loop->nfds_cap)
			continue;
		w = &loop->fds[fd];
		if (w->gen != gen || w->cb == NULL)
			continue;
		mask = 0;
		if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			mask |= EV_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLERR))
			mask |= EV_WRITE;
		mask &= w->events;
		if (mask)
			w->cb(loop, fd, mask, w->arg);
	}
	ev_run_timers(loop);
	return 0;
}

int ev_run(struct ev_loop *loop)
{
	int r;
	size_t own;

	loop->stop = 0;
	while (!loop->stop) {
		own = loop->sigpipe[0] >= 0 ? 1 : 0;
		if (loop->nwatched <= own && loop->ntimers == 0 && loop->nchildren == 0)
			break;
		if ((r = ev_run_once(loop, -1)) != 0)
			return r;
	}
	return 0;
}

void ev_stop(struct ev_loop *loop)
{
	loop->stop = 1;
}
