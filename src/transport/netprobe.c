/* Resolution in a killable child, and a TCP connect with a deadline. */
#include "transport/netprobe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

/* The child's report: int32 getaddrinfo status, int32 errno, u32 count,
 * then count times u32 length and that many bytes of sockaddr. */
#define NETPROBE_REPORT_MAX (12 + NETPROBE_MAX_ADDRS * (4 + sizeof(struct sockaddr_storage)))

struct netprobe_res {
	struct ev_loop *loop;
	netprobe_resolve_cb cb;
	void *arg;
	pid_t pid;
	int fd;
	uint64_t timer;
	unsigned timeout_ms;
	int early;    /* -errno when the lookup never started */
	int finished; /* the callback has run */
	struct buf in;
};

/* rp lives until both the callback has run and the child is reaped, so that
 * a kill never reaches a recycled pid. */
static void netprobe_res_free(struct netprobe_res *rp)
{
	if (!rp->finished || rp->pid > 0)
		return;
	buf_fini(&rp->in);
	free(rp);
}

static void netprobe_res_reaped(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct netprobe_res *rp = arg;

	(void)loop;
	(void)pid;
	(void)status;
	rp->pid = -1;
	netprobe_res_free(rp);
}

static void netprobe_res_done(struct netprobe_res *rp, int err, const char *msg, const struct netprobe_addr *a,
                              size_t n)
{
	ev_timer_del(rp->loop, rp->timer);
	if (rp->fd >= 0) {
		ev_fd_del(rp->loop, rp->fd);
		fd_close(&rp->fd);
	}
	/* Not reaped yet, so the pid is still this child's. */
	if (rp->pid > 0)
		kill(rp->pid, SIGKILL);
	rp->finished = 1;
	rp->cb(err, msg, a, n, rp->arg);
	netprobe_res_free(rp);
}

static void netprobe_addr_text(struct netprobe_addr *a)
{
	const void *p = NULL;

	if (a->sa.ss_family == AF_INET)
		p = &((const struct sockaddr_in *)&a->sa)->sin_addr;
	else if (a->sa.ss_family == AF_INET6)
		p = &((const struct sockaddr_in6 *)&a->sa)->sin6_addr;
	if (p == NULL || inet_ntop(a->sa.ss_family, p, a->text, sizeof(a->text)) == NULL)
		snprintf(a->text, sizeof(a->text), "(address family %d)", (int)a->sa.ss_family);
}

/* Decodes the child's report; the child is ours, but its bytes are still
 * checked against the sizes they claim. */
static void netprobe_res_parse(struct netprobe_res *rp)
{
	struct netprobe_addr addrs[NETPROBE_MAX_ADDRS];
	const char *p = buf_ptr(&rp->in);
	size_t left = buf_avail(&rp->in), n = 0, count, len, i;
	int32_t gai, eno;
	char *msg;

	if (left < 12) {
		netprobe_res_done(rp, ERR_PROTO, "the resolver process ended without an answer", NULL, 0);
		return;
	}
	gai = (int32_t)buf_get_u32(p);
	eno = (int32_t)buf_get_u32(p + 4);
	count = buf_get_u32(p + 8);
	p += 12;
	left -= 12;
	if (gai != 0) {
		msg = gai == EAI_SYSTEM ? xasprintf("%s", strerror(eno)) : xasprintf("%s", gai_strerror(gai));
		netprobe_res_done(rp, ERR_NOTFOUND, msg, NULL, 0);
		free(msg);
		return;
	}
	for (i = 0; i < count && n < NETPROBE_MAX_ADDRS; i++) {
		if (left < 4)
			break;
		len = buf_get_u32(p);
		if (len > sizeof(addrs[n].sa) || left - 4 < len)
			break;
		memset(&addrs[n], 0, sizeof(addrs[n]));
		memcpy(&addrs[n].sa, p + 4, len);
		addrs[n].len = (socklen_t)len;
		netprobe_addr_text(&addrs[n]);
		n++;
		p += 4 + len;
		left -= 4 + len;
	}
	if (n == 0) {
		netprobe_res_done(rp, ERR_NOTFOUND, "no address", NULL, 0);
		return;
	}
	netprobe_res_done(rp, 0, NULL, addrs, n);
}

static void netprobe_res_read(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct netprobe_res *rp = arg;
	char tmp[4096];
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, tmp, sizeof(tmp));
	if (n > 0) {
		if (buf_put(&rp->in, tmp, (size_t)n) != 0)
			netprobe_res_done(rp, ERR_TOOBIG, "the resolver process said too much", NULL, 0);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	netprobe_res_parse(rp);
}

static void netprobe_res_timeout(struct ev_loop *loop, void *arg)
{
	struct netprobe_res *rp = arg;
	char *msg;

	(void)loop;
	rp->timer = 0;
	if (rp->early != 0) {
		msg = xasprintf("cannot start the lookup: %s", err_str(rp->early));
		netprobe_res_done(rp, rp->early, msg, NULL, 0);
	} else {
		msg = xasprintf("no answer within %u ms", rp->timeout_ms);
		netprobe_res_done(rp, ERR_TIMEOUT, msg, NULL, 0);
	}
	free(msg);
}

static void netprobe_put32(char *p, uint32_t v)
{
	p[0] = (char)(v >> 24);
	p[1] = (char)(v >> 16);
	p[2] = (char)(v >> 8);
	p[3] = (char)v;
}

/* Runs in the forked child: no allocation of ours, one write, _exit. */
static _Noreturn void netprobe_child(int fd, const char *host, const char *port)
{
	static char out[NETPROBE_REPORT_MAX];
	struct addrinfo hints, *res = NULL, *ai;
	struct sigaction sa;
	sigset_t none;
	size_t len = 12;
	uint32_t count = 0;
	int r, i;

	/* The loop's handlers write to its self-pipe, which this child shares. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	r = getaddrinfo(host, port, &hints, &res);
	netprobe_put32(out, (uint32_t)r);
	netprobe_put32(out + 4, (uint32_t)errno);
	for (ai = r == 0 ? res : NULL; ai != NULL && count < NETPROBE_MAX_ADDRS; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(struct sockaddr_storage))
			continue;
		netprobe_put32(out + len, (uint32_t)ai->ai_addrlen);
		memcpy(out + len + 4, ai->ai_addr, ai->ai_addrlen);
		len += 4 + ai->ai_addrlen;
		count++;
	}
	netprobe_put32(out + 8, count);
	if (fd_write_all(fd, out, len) != 0)
		_exit(1);
	_exit(0);
}

void netprobe_resolve(struct ev_loop *loop, const char *host, int port, unsigned timeout_ms, netprobe_resolve_cb cb,
                      void *arg)
{
	struct netprobe_res *rp = xcalloc(1, sizeof(*rp));
	char portstr[16];
	sigset_t all, old;
	int fds[2] = {-1, -1};
	int r;

	rp->loop = loop;
	rp->cb = cb;
	rp->arg = arg;
	rp->pid = -1;
	rp->fd = -1;
	rp->timeout_ms = timeout_ms;
	buf_init(&rp->in, NETPROBE_REPORT_MAX);
	snprintf(portstr, sizeof(portstr), "%d", port > 0 ? port : 22);
	if ((r = fd_pipe(fds)) != 0)
		goto early;
	/* No handler may run in the child before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	rp->pid = fork();
	if (rp->pid == 0) {
		close(fds[0]);
		netprobe_child(fds[1], host, portstr);
	}
	r = rp->pid < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &old, NULL);
	fd_close(&fds[1]);
	if (r != 0)
		goto early;
	if ((r = ev_child_add(loop, rp->pid, netprobe_res_reaped, rp)) != 0) {
		kill(rp->pid, SIGKILL);
		rp->pid = -1; /* the loop cannot reap it: left to init at our exit */
		goto early;
	}
	rp->fd = fds[0];
	fds[0] = -1;
	fd_set_nonblock(rp->fd, 1);
	if ((r = ev_fd_set(loop, rp->fd, EV_READ, netprobe_res_read, rp)) != 0)
		goto early;
	rp->timer = ev_timer_add(loop, timeout_ms, netprobe_res_timeout, rp);
	return;
early:
	fd_close(&fds[0]);
	fd_close(&fds[1]);
	if (rp->fd >= 0) {
		ev_fd_del(loop, rp->fd);
		fd_close(&rp->fd);
	}
	rp->early = r;
	rp->timer = ev_timer_add(loop, 0, netprobe_res_timeout, rp);
}

struct netprobe_conn {
	struct ev_loop *loop;
	netprobe_connect_cb cb;
	void *arg;
	int fd;
	int result;
	uint64_t timer;
};

static void netprobe_conn_done(struct netprobe_conn *cp, int r)
{
	ev_timer_del(cp->loop, cp->timer);
	if (cp->fd >= 0) {
		ev_fd_del(cp->loop, cp->fd);
		fd_close(&cp->fd);
	}
	cp->cb(r, cp->arg);
	free(cp);
}

static void netprobe_conn_ready(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct netprobe_conn *cp = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	netprobe_conn_done(cp, err ? -err : 0);
}

static void netprobe_conn_timer(struct ev_loop *loop, void *arg)
{
	struct netprobe_conn *cp = arg;

	(void)loop;
	cp->timer = 0;
	netprobe_conn_done(cp, cp->result);
}

void netprobe_connect(struct ev_loop *loop, const struct netprobe_addr *a, unsigned timeout_ms, netprobe_connect_cb cb,
                      void *arg)
{
	struct netprobe_conn *cp = xcalloc(1, sizeof(*cp));

	cp->loop = loop;
	cp->cb = cb;
	cp->arg = arg;
	cp->result = ERR_TIMEOUT;
	cp->fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (cp->fd < 0) {
		cp->result = -errno;
		goto early;
	}
	if (connect(cp->fd, (const struct sockaddr *)&a->sa, a->len) == 0) {
		cp->result = 0;
		goto early;
	}
	if (errno != EINPROGRESS) {
		cp->result = -errno;
		goto early;
	}
	if ((cp->result = ev_fd_set(loop, cp->fd, EV_WRITE, netprobe_conn_ready, cp)) != 0)
		goto early;
	cp->result = ERR_TIMEOUT;
	cp->timer = ev_timer_add(loop, timeout_ms, netprobe_conn_timer, cp);
	return;
early:
	/* The callback must not run inside this call. */
	cp->timer = ev_timer_add(loop, 0, netprobe_conn_timer, cp);
}
