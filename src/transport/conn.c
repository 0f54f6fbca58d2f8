/* The shared half of every transport: a child process speaking worker frames
 * on its stdin/stdout, driven by the event loop. */
#include "transport/conn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/spawn.h"
#include "base/xmalloc.h"
#include "base/version.h"
#include "proto/frame.h"
#include "transport/bootstrap.h"

#define CONN_ERR_TAIL 4096      /* bytes of the process's stderr kept for messages */
#define CONN_TAIL_LINES 6       /* lines of it quoted in a failure */
#define CONN_CLOSE_GRACE_MS 3000 /* after BYE, before SIGKILL */
#define CONN_EOF_GRACE_MS 1000   /* after stdout EOF, for exit status and stderr */

enum conn_state { CONN_STARTING, CONN_READY, CONN_DEAD };

struct conn_req {
	uint32_t id;
	conn_reply_cb cb;
	void *arg;
	uint64_t timer;
	uint64_t timeout_ms;
	uint64_t sent; /* ms, monotonic */
	struct conn *c;
};

struct conn {
	struct ev_loop *loop;
	char *host;                /* owned */
	enum conn_kind kind;
	enum conn_state state;
	const struct conn_cbs *cbs;
	void *arg;
	pid_t pid;                 /* -1 once reaped */
	int status;                /* wait status once reaped */
	int in_fd, out_fd, err_fd; /* our ends; -1 once closed */
	struct buf rbuf, wbuf, errtail;
	struct value *hello;       /* owned */
	uint64_t hello_timer, grace_timer, kill_timer;
	uint64_t hello_ms;
	uint64_t started;          /* ms, monotonic: process start */
	struct conn_req **reqs;    /* pending, in send order; each owned */
	size_t nreqs;
	uint32_t next_id;
	int out_eof, closing, failed_reported;
	int busy;                  /* callback nesting depth; free waits for 0 */
	enum conn_phase eof_phase; /* phase to blame when the stream ends */
	const char *upload;        /* borrowed worker binary for the bootstrap */
	size_t upload_len;
	int uploads;               /* times the bootstrap asked for it */
	enum conn_phase (*classify)(const char *text, enum conn_phase dflt);
	char *master_log;          /* owned: the ssh ControlMaster's log, or NULL */
	off_t master_off;          /* its size when this session started */
	char *fail_tail;           /* owned: the words quoted in the failure */
};

const char *conn_phase_name(enum conn_phase p)
{
	static const char *const names[] = {"spawn", "resolve", "connect", "host key", "auth",
	                                    "session", "bootstrap", "hello", "request", "transfer"};

	return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "unknown";
}

const struct value *conn_hello(const struct conn *c)
{
	return c->state == CONN_READY ? c->hello : NULL;
}

const char *conn_host(const struct conn *c)
{
	return c->host;
}

int conn_uploads(const struct conn *c)
{
	return c->uploads;
}

static void conn_close_fd(struct conn *c, int *fdp)
{
	if (*fdp >= 0) {
		ev_fd_del(c->loop, *fdp);
		fd_close(fdp);
	}
}

static void conn_free(struct conn *c)
{
	ev_timer_del(c->loop, c->hello_timer);
	ev_timer_del(c->loop, c->grace_timer);
	ev_timer_del(c->loop, c->kill_timer);
	if (c->pid > 0)
		ev_child_del(c->loop, c->pid);
	while (c->nreqs > 0) {
		ev_timer_del(c->loop, c->reqs[c->nreqs - 1]->timer);
		free(c->reqs[--c->nreqs]);
	}
	free(c->reqs);
	conn_close_fd(c, &c->in_fd);
	buf_fini(&c->rbuf);
	buf_fini(&c->wbuf);
	buf_fini(&c->errtail);
	value_unref(c->hello);
	free(c->master_log);
	free(c->fail_tail);
	free(c->host);
	free(c);
}

/* Frees c once it is closed, its process reaped, and no callback of ours is
 * on the stack. */
static void conn_unbusy(struct conn *c)
{
	if (--c->busy > 0)
		return;
	if (c->closing && c->pid < 0 && c->out_fd < 0 && c->err_fd < 0)
		conn_free(c);
}

/* Appends the lines of text that are the process's own words, without
 * ssh's debug output (-vvv) and banner, and without the carriage returns
 * ssh puts before its newlines. */
static void conn_put_words(struct buf *b, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	size_t n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		while (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0 || (n > 5 && memcmp(p, "debug", 5) == 0 && p[5] >= '1' && p[5] <= '3') ||
		    (n >= 8 && memcmp(p, "OpenSSH_", 8) == 0))
			continue;
		buf_put(b, p, n);
		buf_putc(b, '\n');
	}
}

/* What the ControlMaster wrote since this session started: when the path
 * goes silent, the master is the one that notices and says so, and the
 * session only sees its master vanish. */
static void conn_put_master_words(struct conn *c, struct buf *b)
{
	char tmp[CONN_ERR_TAIL];
	struct stat st;
	off_t from;
	ssize_t n;
	int fd;

	if (c->master_log == NULL)
		return;
	fd = open(c->master_log, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* A later run may have emptied it meanwhile (ssh.c). */
		from = st.st_size >= c->master_off ? c->master_off : 0;
		if (st.st_size - from > (off_t)sizeof(tmp))
			from = st.st_size - (off_t)sizeof(tmp);
		n = pread(fd, tmp, sizeof(tmp), from);
		if (n > 0)
			conn_put_words(b, tmp, (size_t)n);
	}
	close(fd);
}

/* The last lines of the process's (and its master's) own words. */
static const char *conn_tail(struct conn *c)
{
	struct buf b;
	const char *s, *p;
	int lines = 0;

	buf_init(&b, CONN_ERR_TAIL * 3);
	conn_put_words(&b, buf_ptr(&c->errtail), buf_avail(&c->errtail));
	conn_put_master_words(c, &b);
	s = buf_str(&b);
	for (p = s + buf_avail(&b); p > s; p--)
		if (p[-1] == '\n' && p < s + buf_avail(&b) && ++lines == CONN_TAIL_LINES)
			break;
	free(c->fail_tail);
	c->fail_tail = xstrndup(p, buf_avail(&b) - (size_t)(p - s));
	buf_fini(&b);
	return c->fail_tail;
}

/* For a session over an ssh ControlMaster, the argv names the master's
 * socket P as "ControlPath=P" (the last one wins: ssh.c's own); the master
 * logs to P.log (ssh.h). */
static void conn_find_master_log(struct conn *c, char *const *argv)
{
	const char *path = NULL;
	struct stat st;
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		if (strncmp(argv[i], "ControlPath=", 12) == 0)
			path = argv[i] + 12;
	if (path == NULL || *path == '\0' || strcmp(path, "none") == 0)
		return;
	c->master_log = xasprintf("%s.log", path);
	c->master_off = stat(c->master_log, &st) == 0 ? st.st_size : 0;
}

static char *conn_exit_text(const struct conn *c)
{
	if (c->pid >= 0)
		return xstrdup("the stream ended");
	if (WIFEXITED(c->status))
		return xasprintf("the process exited with status %d", WEXITSTATUS(c->status));
	if (WIFSIGNALED(c->status))
		return xasprintf("the process was killed by signal %d (%s)", WTERMSIG(c->status),
		                 strsignal(WTERMSIG(c->status)));
	return xstrdup("the process ended");
}

/* Ends the connection: kills the process, fails every pending request (their
 * outcome is unknown: the worker may have acted) and, when nothing was
 * pending, reports through cbs->failed. */
static void conn_fail(struct conn *c, enum conn_phase phase, const char *msg)
{
	struct conn_error e;
	struct conn_req **reqs;
	size_t n, i;

	if (c->state == CONN_DEAD)
		return;
	memset(&e, 0, sizeof(e));
	e.stderr_tail = conn_tail(c);
	if (c->classify != NULL && phase != CONN_PHASE_REQUEST)
		phase = c->classify(e.stderr_tail, phase);
	c->state = CONN_DEAD;
	ev_timer_del(c->loop, c->hello_timer);
	c->hello_timer = 0;
	if (c->pid > 0)
		kill(c->pid, SIGKILL);
	conn_close_fd(c, &c->in_fd);
	reqs = c->reqs;
	n = c->nreqs;
	c->reqs = NULL;
	c->nreqs = 0;
	e.phase = phase;
	e.msg = msg;
	for (i = 0; i < n; i++) {
		ev_timer_del(c->loop, reqs[i]->timer);
		e.unknown_outcome = 1;
		if (!c->closing && reqs[i]->cb != NULL)
			reqs[i]->cb(c, NULL, &e, reqs[i]->arg);
		free(reqs[i]);
	}
	free(reqs);
	if (n == 0 && !c->closing && !c->failed_reported && c->cbs->failed != NULL) {
		c->failed_reported = 1;
		c->cbs->failed(c, &e, c->arg);
	}
}

static void conn_fail_eof(struct conn *c)
{
	char *why = conn_exit_text(c);
	char *msg;

	if (c->state == CONN_STARTING)
		msg = xasprintf("the worker never said hello: %s", why);
	else if (c->nreqs > 0)
		msg = xasprintf("the connection was lost while a request was running (%s); its outcome on the host is unknown", why);
	else
		msg = xasprintf("the connection was lost: %s", why);
	conn_fail(c, c->nreqs > 0 ? CONN_PHASE_REQUEST : c->eof_phase, msg);
	free(msg);
	free(why);
}

/* The stream ended: wait briefly for the exit status and stderr, which make
 * the message precise, then fail. */
static void conn_maybe_fail_eof(struct conn *c)
{
	if (c->state == CONN_DEAD || !c->out_eof)
		return;
	if (c->pid < 0 && c->err_fd < 0)
		conn_fail_eof(c);
}

static void conn_grace_timer(struct ev_loop *loop, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	c->grace_timer = 0;
	c->busy++;
	if (c->state != CONN_DEAD)
		conn_fail_eof(c);
	conn_unbusy(c);
}

static void conn_on_child(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	(void)pid;
	c->busy++;
	c->pid = -1;
	c->status = status;
	ev_timer_del(c->loop, c->kill_timer);
	c->kill_timer = 0;
	if (!c->out_eof && c->state != CONN_DEAD && !c->closing) {
		/* stdout may still hold frames; the reader will see EOF soon. */
	}
	conn_maybe_fail_eof(c);
	conn_unbusy(c);
}

static void conn_on_err(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct conn *c = arg;
	char tmp[4096];
	ssize_t n;

	(void)loop;
	(void)events;
	c->busy++;
	n = read(fd, tmp, sizeof(tmp));
	if (n > 0) {
		if (log_enabled(4))
			log_msg(4, "<%s> stderr: %.*s", c->host, (int)n, tmp);
		if (buf_avail(&c->errtail) + (size_t)n > CONN_ERR_TAIL)
			buf_consume(&c->errtail, buf_avail(&c->errtail) + (size_t)n > CONN_ERR_TAIL * 2
			                             ? buf_avail(&c->errtail)
			                             : buf_avail(&c->errtail) + (size_t)n - CONN_ERR_TAIL);
		if (buf_put(&c->errtail, tmp, (size_t)n) != 0)
			buf_reset(&c->errtail);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		conn_close_fd(c, &c->err_fd);
		conn_maybe_fail_eof(c);
	}
	conn_unbusy(c);
}

static void conn_on_writable(struct ev_loop *loop, int fd, int events, void *arg);

static int conn_flush(struct conn *c)
{
	ssize_t n;

	while (buf_avail(&c->wbuf) > 0) {
		n = write(c->in_fd, buf_ptr(&c->wbuf), buf_avail(&c->wbuf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return ev_fd_set(c->loop, c->in_fd, EV_WRITE, conn_on_writable, c);
			return -errno;
		}
		buf_consume(&c->wbuf, (size_t)n);
	}
	if (c->closing) {
		conn_close_fd(c, &c->in_fd);
		return 0;
	}
	return ev_fd_set(c->loop, c->in_fd, 0, conn_on_writable, c);
}

static void conn_on_writable(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct conn *c = arg;
	int r;

	(void)loop;
	(void)fd;
	(void)events;
	c->busy++;
	if ((r = conn_flush(c)) != 0) {
		char *msg = xasprintf("writing to the worker failed: %s", err_str(r));

		conn_close_fd(c, &c->in_fd);
		conn_fail(c, c->nreqs > 0 ? CONN_PHASE_REQUEST : c->eof_phase, msg);
		free(msg);
	}
	conn_unbusy(c);
}

static int conn_send(struct conn *c, uint8_t type, uint32_t id, const struct value *body)
{
	int r;

	if (c->in_fd < 0)
		return ERR_EOF;
	if ((r = frame_encode(&c->wbuf, type, id, body)) != 0)
		return r;
	if (buf_avail(&c->wbuf) > 0 && (r = conn_flush(c)) != 0) {
		/* A broken pipe surfaces through the reader's EOF, which names
		 * the exit status; nothing more to do here. */
		conn_close_fd(c, &c->in_fd);
	}
	return 0;
}

static void conn_on_hello(struct conn *c, struct frame *f)
{
	int64_t proto = value_get_int(f->body, "proto", -1);
	struct value *hello;
	char *msg;
	int r;

	if (proto != PROTO_VERSION) {
		msg = xasprintf("the worker speaks protocol %lld, drover speaks %d", (long long)proto, PROTO_VERSION);
		conn_fail(c, CONN_PHASE_HELLO, msg);
		free(msg);
		return;
	}
	ev_timer_del(c->loop, c->hello_timer);
	c->hello_timer = 0;
	/* Ours goes out only now: until the worker runs, the bootstrap may be
	 * reading a worker upload from the same stream, and anything sent
	 * early would be taken for part of it. The first request follows in
	 * the same write, so this costs no round trip. */
	hello = value_map();
	value_map_set(hello, "proto", value_int(PROTO_VERSION));
	value_map_set(hello, "version", value_str(DROVER_VERSION));
	r = conn_send(c, FRAME_HELLO, 0, hello);
	value_unref(hello);
	if (r != 0) {
		conn_fail(c, CONN_PHASE_HELLO, "cannot send hello to the worker");
		return;
	}
	c->hello = f->body;
	f->body = NULL;
	c->state = CONN_READY;
	c->eof_phase = CONN_PHASE_REQUEST;
	log_v(4, "<%s> worker hello after %llu ms: version %s arch %s uid %lld", c->host,
	      (unsigned long long)(ev_clock_ms() - c->started), value_get_str(c->hello, "version", "?"),
	      value_get_str(c->hello, "arch", "?"), (long long)value_get_int(c->hello, "uid", -1));
	if (c->cbs->ready != NULL && !c->closing)
		c->cbs->ready(c, c->hello, c->arg);
}

static void conn_on_reply(struct conn *c, struct frame *f)
{
	struct conn_req req;
	struct conn_error e;
	size_t i;

	for (i = 0; i < c->nreqs; i++)
		if (c->reqs[i]->id == f->id)
			break;
	if (i == c->nreqs) {
		if (f->type == FRAME_ERROR && f->id == 0) {
			char *msg = xasprintf("the worker refused the connection: %s",
			                      value_get_str(f->body, "msg", "no reason given"));
			conn_fail(c, c->state == CONN_STARTING ? CONN_PHASE_HELLO : CONN_PHASE_REQUEST, msg);
			free(msg);
			return;
		}
		conn_fail(c, CONN_PHASE_REQUEST, "the worker replied to a request that was never sent");
		return;
	}
	req = *c->reqs[i];
	free(c->reqs[i]);
	log_v(4, "<%s> request %u answered in %llu ms", c->host, (unsigned)req.id,
	      (unsigned long long)(ev_clock_ms() - req.sent));
	memmove(&c->reqs[i], &c->reqs[i + 1], (c->nreqs - i - 1) * sizeof(*c->reqs));
	c->nreqs--;
	ev_timer_del(c->loop, req.timer);
	if (c->closing || req.cb == NULL)
		return;
	if (f->type == FRAME_REPLY) {
		req.cb(c, f->body, NULL, req.arg);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.phase = CONN_PHASE_REQUEST;
	e.msg = value_get_str(f->body, "msg", "the worker refused the request");
	e.stderr_tail = "";
	req.cb(c, NULL, &e, req.arg);
}

static void conn_dispatch(struct conn *c, struct frame *f)
{
	switch (f->type) {
	case FRAME_HELLO:
		if (c->state != CONN_STARTING) {
			conn_fail(c, CONN_PHASE_REQUEST, "the worker said hello twice");
			return;
		}
		conn_on_hello(c, f);
		return;
	case FRAME_REPLY:
	case FRAME_ERROR:
		if (c->state == CONN_STARTING && !(f->type == FRAME_ERROR && f->id == 0)) {
			conn_fail(c, CONN_PHASE_HELLO, "the worker replied before saying hello");
			return;
		}
		conn_on_reply(c, f);
		return;
	default:
		conn_fail(c, c->eof_phase, "the worker sent an unexpected frame");
		return;
	}
}

/* Handles one "DRVBOOT1 ..." line from the bootstrap (see bootstrap.h).
 * Returns 1 when a line was consumed, 0 when more bytes are needed. */
static int conn_bootstrap_line(struct conn *c)
{
	const char *p = buf_ptr(&c->rbuf);
	const char *nl = memchr(p, '\n', buf_avail(&c->rbuf));
	size_t tag = strlen(BOOTSTRAP_TAG);
	char *line, *msg;
	int r;

	if (nl == NULL) {
		if (buf_avail(&c->rbuf) > 4096)
			conn_fail(c, CONN_PHASE_BOOTSTRAP, "the bootstrap wrote an overlong line");
		return 0;
	}
	line = xstrndup(p, (size_t)(nl - p));
	buf_consume(&c->rbuf, (size_t)(nl - p) + 1);
	c->eof_phase = CONN_PHASE_BOOTSTRAP;
	if (strncmp(line, BOOTSTRAP_TAG, tag) != 0) {
		msg = xasprintf("unexpected output before the worker started: %.200s", line);
		conn_fail(c, CONN_PHASE_BOOTSTRAP, msg);
		free(msg);
	} else if (strcmp(line + tag, "NEED") == 0) {
		if (c->upload == NULL || ++c->uploads > 3) {
			conn_fail(c, CONN_PHASE_BOOTSTRAP, "the bootstrap asked for the worker too often");
		} else {
			log_v(2, "<%s> uploading the worker (%zu bytes)", c->host, c->upload_len);
			c->eof_phase = CONN_PHASE_TRANSFER;
			if ((r = buf_put(&c->wbuf, c->upload, c->upload_len)) != 0 || (r = conn_flush(c)) != 0) {
				msg = xasprintf("cannot send the worker: %s", err_str(r));
				conn_fail(c, CONN_PHASE_TRANSFER, msg);
				free(msg);
			}
		}
	} else if (strcmp(line + tag, "RUN") == 0) {
		log_v(4, "<%s> bootstrap: starting the worker", c->host);
		c->eof_phase = CONN_PHASE_HELLO;
	} else if (strncmp(line + tag, "ERR ", 4) == 0) {
		conn_fail(c, CONN_PHASE_BOOTSTRAP, line + tag + 4);
	} else {
		msg = xasprintf("unknown bootstrap message: %.200s", line);
		conn_fail(c, CONN_PHASE_BOOTSTRAP, msg);
		free(msg);
	}
	free(line);
	return 1;
}

static void conn_read_frames(struct conn *c)
{
	struct frame f;
	size_t used;
	int r;
	char *msg;

	while (c->state != CONN_DEAD && buf_avail(&c->rbuf) > 0) {
		/* Frames start with a zero byte (lengths are far below 2^24);
		 * bootstrap lines with 'D'. */
		if (c->state == CONN_STARTING && c->kind == CONN_SSH && buf_ptr(&c->rbuf)[0] == 'D') {
			if (!conn_bootstrap_line(c))
				return;
			continue;
		}
		if (c->state == CONN_STARTING)
			c->eof_phase = CONN_PHASE_HELLO;
		memset(&f, 0, sizeof(f));
		r = frame_decode(buf_ptr(&c->rbuf), buf_avail(&c->rbuf), &f, &used);
		if (r != 0) {
			msg = xasprintf("bad data from the worker: %s", err_str(r));
			conn_fail(c, c->state == CONN_STARTING ? c->eof_phase : CONN_PHASE_TRANSFER, msg);
			free(msg);
			frame_fini(&f);
			return;
		}
		if (used == 0)
			return;
		buf_consume(&c->rbuf, used);
		conn_dispatch(c, &f);
		frame_fini(&f);
	}
}

static void conn_on_out(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct conn *c = arg;
	char *p;
	ssize_t n;
	int r;

	(void)loop;
	(void)events;
	c->busy++;
	if ((r = buf_reserve(&c->rbuf, 65536, &p)) != 0) {
		conn_fail(c, CONN_PHASE_TRANSFER, "the worker sent more than a frame can hold");
		goto out;
	}
	n = read(fd, p, 65536);
	if (n > 0) {
		buf_commit(&c->rbuf, (size_t)n);
		conn_read_frames(c);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		conn_close_fd(c, &c->out_fd);
		c->out_eof = 1;
		if (c->state != CONN_DEAD && !c->closing) {
			conn_maybe_fail_eof(c);
			if (c->state != CONN_DEAD)
				c->grace_timer = ev_timer_add(c->loop, CONN_EOF_GRACE_MS, conn_grace_timer, c);
		}
	}
out:
	conn_unbusy(c);
}

static void conn_hello_timeout(struct ev_loop *loop, void *arg)
{
	struct conn *c = arg;
	char *msg;

	(void)loop;
	c->hello_timer = 0;
	c->busy++;
	msg = xasprintf("no hello from the worker within %llu ms", (unsigned long long)c->hello_ms);
	conn_fail(c, c->eof_phase, msg);
	free(msg);
	conn_unbusy(c);
}

static int conn_spawn(struct conn *c, const struct conn_params *p, char **msgp)
{
	int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
	char *local_argv[2] = {(char *)p->worker_path, NULL};
	struct spawn_opts o;
	const char *stage = NULL;
	int r = ERR_INTERNAL;

	if ((r = fd_pipe(in)) != 0 || (r = fd_pipe(out)) != 0 || (r = fd_pipe(err)) != 0)
		goto out;
	spawn_opts_init(&o);
	o.argv = p->kind == CONN_LOCAL ? local_argv : p->argv;
	o.envp = p->envp;
	o.stdin_fd = in[0];
	o.stdout_fd = out[1];
	o.stderr_fd = err[1];
	if ((r = spawn(&o, &c->pid, &stage)) != 0) {
		if (msgp != NULL)
			*msgp = xasprintf("cannot start %s (%s): %s", o.argv[0], stage, err_str(r));
		goto out;
	}
	c->in_fd = in[1];
	c->out_fd = out[0];
	c->err_fd = err[0];
	in[1] = out[0] = err[0] = -1;
	fd_set_nonblock(c->in_fd, 1);
	fd_set_nonblock(c->out_fd, 1);
	fd_set_nonblock(c->err_fd, 1);
	r = 0;
out:
	fd_close(&in[0]);
	fd_close(&in[1]);
	fd_close(&out[0]);
	fd_close(&out[1]);
	fd_close(&err[0]);
	fd_close(&err[1]);
	return r;
}

int conn_start(struct ev_loop *loop, const struct conn_params *p, const struct conn_cbs *cbs, void *arg,
               struct conn **cp, char **msgp)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	int r = ERR_INTERNAL;

	*cp = NULL;
	if (msgp != NULL)
		*msgp = NULL;
	c->loop = loop;
	c->host = xstrdup(p->host);
	c->kind = p->kind;
	c->cbs = cbs;
	c->arg = arg;
	c->pid = -1;
	c->in_fd = c->out_fd = c->err_fd = -1;
	c->next_id = 1;
	c->hello_ms = p->hello_ms ? p->hello_ms : 30000;
	c->eof_phase = p->kind == CONN_LOCAL ? CONN_PHASE_HELLO : CONN_PHASE_SESSION;
	c->upload = p->upload;
	c->upload_len = p->upload_len;
	c->classify = p->classify;
	if (p->kind == CONN_SSH)
		conn_find_master_log(c, p->argv);
	buf_init(&c->rbuf, FRAME_MAX + 65536);
	buf_init(&c->wbuf, FRAME_MAX * 2);
	buf_init(&c->errtail, CONN_ERR_TAIL * 3);
	if ((r = conn_spawn(c, p, msgp)) != 0)
		goto out;
	if ((r = ev_child_add(loop, c->pid, conn_on_child, c)) != 0 ||
	    (r = ev_fd_set(loop, c->out_fd, EV_READ, conn_on_out, c)) != 0 ||
	    (r = ev_fd_set(loop, c->err_fd, EV_READ, conn_on_err, c)) != 0)
		goto out;
	c->started = ev_clock_ms();
	c->hello_timer = ev_timer_add(loop, c->hello_ms, conn_hello_timeout, c);
	*cp = c;
	c = NULL;
	r = 0;
out:
	if (c != NULL) {
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			ev_child_del(loop, c->pid);
			c->pid = -1;
		}
		conn_close_fd(c, &c->in_fd);
		conn_close_fd(c, &c->out_fd);
		conn_close_fd(c, &c->err_fd);
		if (msgp != NULL && *msgp == NULL)
			*msgp = xasprintf("cannot start the connection: %s", err_str(r));
		conn_free(c);
	}
	return r;
}

static void conn_req_timeout(struct ev_loop *loop, void *arg)
{
	struct conn_req *rq = arg;
	struct conn *c = rq->c;
	char *msg;

	(void)loop;
	c->busy++;
	rq->timer = 0;
	msg = xasprintf("no reply within %llu s; the request's outcome on the host is unknown",
	                (unsigned long long)(rq->timeout_ms / 1000));
	conn_fail(c, CONN_PHASE_REQUEST, msg);
	free(msg);
	conn_unbusy(c);
}

int conn_request(struct conn *c, const struct value *body, uint64_t timeout_ms, conn_reply_cb cb, void *arg)
{
	struct conn_req *rq;
	uint32_t id;
	int r;

	if (c->state != CONN_READY || c->closing)
		return ERR_INVAL;
	id = c->next_id++;
	if ((r = conn_send(c, FRAME_REQUEST, id, body)) != 0)
		return r;
	rq = xcalloc(1, sizeof(*rq));
	rq->id = id;
	rq->cb = cb;
	rq->arg = arg;
	rq->c = c;
	rq->timeout_ms = timeout_ms;
	rq->sent = ev_clock_ms();
	if (timeout_ms > 0)
		rq->timer = ev_timer_add(c->loop, timeout_ms, conn_req_timeout, rq);
	c->reqs = xreallocarray(c->reqs, c->nreqs + 1, sizeof(*c->reqs));
	c->reqs[c->nreqs++] = rq;
	return 0;
}

static void conn_kill_timer(struct ev_loop *loop, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	c->kill_timer = 0;
	if (c->pid > 0) {
		log_v(3, "<%s> worker did not exit after BYE; killing it", c->host);
		kill(c->pid, SIGKILL);
	}
}

void conn_close(struct conn *c)
{
	struct value *bye;

	if (c == NULL || c->closing)
		return;
	c->busy++;
	c->closing = 1;
	if (c->state == CONN_READY) {
		bye = value_map();
		conn_send(c, FRAME_BYE, 0, bye);
		value_unref(bye);
	}
	if (buf_avail(&c->wbuf) == 0)
		conn_close_fd(c, &c->in_fd);
	conn_close_fd(c, &c->out_fd);
	conn_close_fd(c, &c->err_fd);
	ev_timer_del(c->loop, c->hello_timer);
	ev_timer_del(c->loop, c->grace_timer);
	c->hello_timer = c->grace_timer = 0;
	if (c->pid > 0)
		c->kill_timer = ev_timer_add(c->loop, CONN_CLOSE_GRACE_MS, conn_kill_timer, c);
	conn_unbusy(c);
}
