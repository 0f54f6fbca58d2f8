/* TCP connects, fd waits and sleeps on the worker's loop (see netconn.h). */
#include "modules/netconn.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"

struct netconn_waiter {
	int ready;
	int expired;
};

static void netconn_on_fd(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct netconn_waiter *w = arg;

	(void)loop;
	(void)fd;
	(void)events;
	w->ready = 1;
}

static void netconn_on_timer(struct ev_loop *loop, void *arg)
{
	struct netconn_waiter *w = arg;

	(void)loop;
	w->expired = 1;
}

uint64_t netconn_min_deadline(uint64_t a, uint64_t b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* Runs the loop until the waiter fires, with fd (or -1) watched. */
static int netconn_run(struct ev_loop *loop, int fd, int events, uint64_t deadline_ms, struct netconn_waiter *w)
{
	uint64_t timer = 0, now = ev_clock_ms();
	int r = 0;

	if (fd >= 0 && (r = ev_fd_set(loop, fd, events, netconn_on_fd, w)) != 0)
		return r;
	if (deadline_ms != 0)
		timer = ev_timer_add(loop, deadline_ms > now ? deadline_ms - now : 0, netconn_on_timer, w);
	while (!w->ready && !w->expired && r == 0)
		r = ev_run_once(loop, -1);
	ev_timer_del(loop, timer);
	if (fd >= 0)
		ev_fd_del(loop, fd);
	if (r == 0 && !w->ready)
		r = ERR_TIMEOUT;
	return r;
}

int netconn_wait(struct ev_loop *loop, int fd, int events, uint64_t deadline_ms)
{
	struct netconn_waiter w = {0, 0};

	return netconn_run(loop, fd, events, deadline_ms, &w);
}

int netconn_sleep(struct ev_loop *loop, uint64_t ms)
{
	struct netconn_waiter w = {0, 0};
	int r = netconn_run(loop, -1, 0, ev_clock_ms() + ms, &w);

	return r == ERR_TIMEOUT ? 0 : r;
}

/* One non-blocking connect to ai. Returns 0 with *fdp, or an error. */
static int netconn_try(struct ev_loop *loop, const struct addrinfo *ai, uint64_t deadline_ms, int *fdp)
{
	int fd, r = ERR_INTERNAL, err = 0;
	socklen_t len = sizeof(err);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		if (errno != EINPROGRESS) {
			r = -errno;
			goto out;
		}
		if ((r = netconn_wait(loop, fd, EV_WRITE, deadline_ms)) != 0)
			goto out;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
			r = err != 0 ? -err : -errno;
			goto out;
		}
	}
	*fdp = fd;
	fd = -1;
	r = 0;
out:
	fd_close(&fd);
	return r;
}

int netconn_open(struct ev_loop *loop, const char *host, int port, uint64_t deadline_ms, int *fdp, int *gai_errp)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[16];
	int r = ERR_INTERNAL, g;

	*fdp = -1;
	*gai_errp = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof(service), "%d", port);
	/* getaddrinfo blocks; names are resolved from /etc/hosts or a
	 * resolver in well under any task's deadline in practice. */
	g = getaddrinfo(host, service, &hints, &res);
	if (g != 0) {
		*gai_errp = g;
		r = ERR_NOTFOUND;
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		r = netconn_try(loop, ai, deadline_ms, fdp);
		if (r == 0 || r == ERR_TIMEOUT)
			break;
	}
out:
	if (res != NULL)
		freeaddrinfo(res);
	return r;
}
