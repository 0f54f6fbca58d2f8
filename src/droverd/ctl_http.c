/* droverd's control server: HTTP/1.1 on the configured sockets, as
 * supervisord's medusa server answers supervisorctl: POST /RPC2 carries
 * XML-RPC, GET /logtail/<name>[/stderr] and /mainlogtail stream a log as
 * it grows. Everything runs on the daemon's loop with non-blocking fds,
 * per-connection buffers with caps and timeouts, so no client can stall
 * supervision. Implements droverd_ctl_open and droverd_ctl_close. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/digest.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "base/hex.h"
#include "droverd/ctl_listen.h"
#include "droverd/ctl_rpc.h"

#define CTL_MAX_HEAD   (16 * 1024)       /* request line and headers */
#define CTL_MAX_BODY   (4 * 1024 * 1024) /* an XML-RPC call */
#define CTL_MAX_OUT    (8 * 1024 * 1024) /* queued answer bytes before a log tail pauses */
#define CTL_MAX_CONNS  256
#define CTL_TAIL_CHUNK (64 * 1024)
#define CTL_POLL_MS    50               /* waits and tails; supervisord polls every 50-100 ms */
#define CTL_REQUEST_MS (30 * 1000)      /* to finish a request once begun */
#define CTL_SEND_MS    (60 * 1000)      /* for a stalled reader */
#define CTL_IDLE_MS    (30 * 60 * 1000) /* keep-alive; medusa's zombie timeout */

struct ctl_listener {
	const struct srvconf *conf; /* borrowed from the running configuration */
	int fd;
	int unlink_file; /* we made conf->file */
};

struct ctl_conn {
	struct ctl_conn *next;
	struct ctl_listener *l;
	int fd; /* -1 once closed */
	struct buf in, out;
	int close_after; /* close once out is sent */
	int keep;        /* the current request keeps the connection */
	char version[4]; /* "1.1", "1.0", "" (HTTP/0.9) */
	uint64_t timer;
	/* an XML-RPC call that answers later */
	struct rpc_job *job;
	struct value *params;
	struct rpc_res res;
	/* a log being followed */
	int tail_fd;
	char *tail_path;
	ino_t tail_ino;
	off_t tail_off;
	int chunked;
};

struct ctl {
	struct droverd *d;
	struct ev_loop *loop;
	struct ctl_listener *ls;
	size_t nls;
	struct ctl_conn *conns;
	size_t nconns;
	uint64_t poll_timer;
	uint64_t kick_timer;
	uint64_t reap_timer;
};

/* The hooks carry only the daemon; one control server per process. */
static struct ctl *ctl_self;

static void ctl_conn_arm(struct ctl *c, struct ctl_conn *k);
static void ctl_serve(struct ctl *c, struct ctl_conn *k);
static void ctl_poll_arm(struct ctl *c);

/* ---- connections ---- */

static void ctl_conn_free(struct ctl *c, struct ctl_conn *k)
{
	if (k->fd >= 0) {
		ev_fd_del(c->loop, k->fd);
		close(k->fd);
	}
	ev_timer_del(c->loop, k->timer);
	rpc_job_free(k->job);
	value_unref(k->params);
	rpc_res_fini(&k->res);
	fd_close(&k->tail_fd);
	free(k->tail_path);
	buf_fini(&k->in);
	buf_fini(&k->out);
	free(k);
}

static void ctl_reap_cb(struct ev_loop *loop, void *arg)
{
	struct ctl *c = arg;
	struct ctl_conn **pp = &c->conns, *k;

	(void)loop;
	c->reap_timer = 0;
	while ((k = *pp) != NULL) {
		if (k->fd < 0) {
			*pp = k->next;
			c->nconns--;
			ctl_conn_free(c, k);
		} else {
			pp = &k->next;
		}
	}
}

/* Closes now, frees from the loop: callers up the stack may still hold k. */
static void ctl_conn_close(struct ctl *c, struct ctl_conn *k)
{
	if (k->fd < 0)
		return;
	ev_fd_del(c->loop, k->fd);
	close(k->fd);
	k->fd = -1;
	ev_timer_del(c->loop, k->timer);
	k->timer = 0;
	if (c->reap_timer == 0)
		c->reap_timer = ev_timer_add(c->loop, 0, ctl_reap_cb, c);
}

static void ctl_io_cb(struct ev_loop *loop, int fd, int events, void *arg);

static void ctl_flush(struct ctl *c, struct ctl_conn *k)
{
	ssize_t w;

	while (k->fd >= 0 && buf_avail(&k->out) > 0) {
		w = send(k->fd, buf_ptr(&k->out), buf_avail(&k->out), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0) {
			ctl_conn_close(c, k);
			return;
		}
		buf_consume(&k->out, (size_t)w);
	}
	if (k->fd < 0)
		return;
	buf_compact(&k->out);
	if (buf_avail(&k->out) == 0 && k->close_after) {
		ctl_conn_close(c, k);
		return;
	}
	ev_fd_set(c->loop, k->fd, EV_READ | (buf_avail(&k->out) > 0 ? EV_WRITE : 0), ctl_io_cb, k);
}

static void ctl_timeout_cb(struct ev_loop *loop, void *arg)
{
	struct ctl_conn *k = arg;

	(void)loop;
	k->timer = 0;
	ctl_conn_close(ctl_self, k);
}

static void ctl_conn_arm(struct ctl *c, struct ctl_conn *k)
{
	uint64_t ms;

	ev_timer_del(c->loop, k->timer);
	k->timer = 0;
	if (k->fd < 0)
		return;
	if (buf_avail(&k->out) > 0)
		ms = CTL_SEND_MS;
	else if (k->job != NULL || k->tail_path != NULL)
		return;
	else if (buf_avail(&k->in) > 0)
		ms = CTL_REQUEST_MS;
	else
		ms = CTL_IDLE_MS;
	k->timer = ev_timer_add(c->loop, ms, ctl_timeout_cb, k);
}

/* ---- responses ---- */

static const char *ctl_reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 404: return "Not Found";
	case 411: return "Length Required";
	case 413: return "Request Entity Too Large";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	}
	return "Error";
}

static void ctl_head(struct ctl_conn *k, int code, const char *type, long long length, const char *extra)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!k->keep)
		k->close_after = 1;
	buf_printf(&k->out, "HTTP/%s %d %s\r\nServer: droverd\r\nDate: %s\r\nContent-Type: %s\r\n",
	           *k->version ? k->version : "1.0", code, ctl_reason(code), date, type);
	if (length >= 0)
		buf_printf(&k->out, "Content-Length: %lld\r\n", length);
	if (extra != NULL)
		buf_puts(&k->out, extra);
	if (k->close_after)
		buf_puts(&k->out, "Connection: close\r\n");
	else if (strcmp(k->version, "1.0") == 0)
		buf_puts(&k->out, "Connection: Keep-Alive\r\n");
	buf_puts(&k->out, "\r\n");
}

/* medusa's error page. fatal: the request could not be delimited, so the
 * connection cannot go on. */
static void ctl_error(struct ctl *c, struct ctl_conn *k, int code, const char *extra, int fatal)
{
	char body[256];
	int n;

	n = snprintf(body, sizeof(body),
	             "<html><head><title>Error response</title></head><body><h1>Error response</h1>"
	             "<p>Error code %d.<p>Message: %s.</body></html>",
	             code, ctl_reason(code));
	if (fatal)
		k->keep = 0;
	ctl_head(k, code, "text/html", n, extra);
	buf_put(&k->out, body, (size_t)n);
	ctl_flush(c, k);
}

static void ctl_answer(struct ctl *c, struct ctl_conn *k, const struct rpc_res *res)
{
	struct buf body;

	buf_init(&body, CTL_RPC_MAX_RESULT + 4096);
	if (res->fault != FAULT_OK)
		xmlrpc_encode_fault(res->fault, res->text, &body);
	else
		xmlrpc_wrap_response(&res->val, &body);
	ctl_head(k, 200, "text/xml", (long long)buf_avail(&body), NULL);
	buf_put(&k->out, buf_ptr(&body), buf_avail(&body));
	buf_fini(&body);
	ctl_flush(c, k);
}

/* ---- XML-RPC ---- */

static void ctl_rpc(struct ctl *c, struct ctl_conn *k, const char *body, size_t n)
{
	char *method = NULL, *err = NULL;
	struct value *params = NULL;
	struct diag dg;

	diag_init(&dg);
	if (xmlrpc_decode_call(body, n, "request", &method, &params, &dg) != 0 || *method == '\0') {
		err = diag_has(&dg) ? diag_format(&dg) : NULL;
		mainlog_printf(droverd_mainlog(c->d), LEVEL_ERRO, "XML-RPC request data is invalid: %s",
		               err != NULL ? err : "no method name");
		ctl_error(c, k, 400, NULL, 0);
		goto out;
	}
	mainlog_printf(droverd_mainlog(c->d), LEVEL_TRAC, "XML-RPC method called: %s()", method);
	rpc_res_init(&k->res);
	if (rpc_call(c->d, method, params, &k->res, &k->job)) {
		ctl_answer(c, k, &k->res);
		rpc_res_fini(&k->res);
		goto out;
	}
	/* The job borrows params until it is done. */
	k->params = params;
	params = NULL;
	ctl_poll_arm(c);
out:
	free(method);
	free(err);
	diag_fini(&dg);
	value_unref(params);
}

/* Polls every waiting call; an answered one lets its connection go on with
 * the requests queued behind it. */
static void ctl_poll_jobs(struct ctl *c)
{
	struct ctl_conn *k;

	for (k = c->conns; k != NULL; k = k->next) {
		if (k->fd < 0 || k->job == NULL || !rpc_poll(k->job, &k->res))
			continue;
		rpc_job_free(k->job);
		k->job = NULL;
		value_unref(k->params);
		k->params = NULL;
		ctl_answer(c, k, &k->res);
		rpc_res_fini(&k->res);
		ctl_serve(c, k);
	}
}

/* ---- log tails ---- */

static void ctl_tail_put(struct ctl_conn *k, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (k->chunked)
		buf_printf(&k->out, "%zx\r\n", n);
	buf_put(&k->out, p, n);
	if (k->chunked)
		buf_puts(&k->out, "\r\n");
}

static void ctl_tail_open(struct ctl_conn *k)
{
	struct stat st;

	fd_close(&k->tail_fd);
	k->tail_off = 0;
	k->tail_fd = open(k->tail_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (k->tail_fd >= 0 && fstat(k->tail_fd, &st) == 0)
		k->tail_ino = st.st_ino;
}

/* supervisord's tail_f_producer: what was appended since the last look; a
 * rotated file (new inode) is followed from its start, a truncated one
 * announced. */
static void ctl_tail_more(struct ctl *c, struct ctl_conn *k)
{
	char chunk[CTL_TAIL_CHUNK];
	struct stat st;
	ssize_t n;

	if (buf_avail(&k->out) > CTL_TAIL_CHUNK)
		return;
	if (stat(k->tail_path, &st) == 0 && st.st_ino != k->tail_ino)
		ctl_tail_open(k);
	if (k->tail_fd < 0 || fstat(k->tail_fd, &st) != 0)
		return;
	if (st.st_size < k->tail_off) {
		k->tail_off = 0;
		ctl_tail_put(k, "==> File truncated <==\n", 23);
	} else if (st.st_size > k->tail_off) {
		n = pread(k->tail_fd, chunk, sizeof(chunk), k->tail_off);
		if (n > 0) {
			k->tail_off += n;
			ctl_tail_put(k, chunk, (size_t)n);
		}
	}
	ctl_flush(c, k);
}

static void ctl_tail_start(struct ctl *c, struct ctl_conn *k, const char *path)
{
	char extra[160], date[64];
	struct stat st;
	struct tm tm;

	/* A log file not there yet (never started, or cleared) is followed
	 * until it appears; supervisord answers 404 and supervisorctl gives
	 * up. Only a process without a log is not found. */
	if (path == NULL) {
		ctl_error(c, k, 404, NULL, 0);
		return;
	}
	if (stat(path, &st) != 0)
		memset(&st, 0, sizeof(st));
	gmtime_r(&st.st_mtime, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	k->chunked = strcmp(k->version, "1.1") == 0;
	snprintf(extra, sizeof(extra), "Last-Modified: %s\r\nX-Accel-Buffering: no\r\n%s", date,
	         k->chunked ? "Transfer-Encoding: chunked\r\n" : "");
	/* Without a length the body ends only when the connection does. */
	if (!k->chunked)
		k->keep = 0;
	k->close_after = 0;
	ctl_head(k, 200, "text/plain;charset=utf-8", -1, extra);
	k->close_after = 0;
	k->tail_path = xstrdup(path);
	ctl_tail_open(k);
	if (st.st_size >= 1024)
		k->tail_off = st.st_size - 1024;
	ctl_tail_more(c, k);
	ctl_poll_arm(c);
}

/* /logtail/<namespec>[/<channel>], the path unquoted as medusa does. */
static void ctl_logtail(struct ctl *c, struct ctl_conn *k, const char *uri)
{
	char *path = xstrdup(uri), *q, *name, *chan;
	struct dgroup *g;
	struct dproc *p = NULL;
	const char *file = NULL;

	for (q = path; *q && *q != '?' && *q != '#' && *q != ';'; q++)
		;
	*q = '\0';
	hex_unquote(path, strlen(path), path);
	for (name = path; *name == '/'; name++)
		;
	name = strchr(name, '/');
	if (name != NULL) {
		name++;
		chan = strchr(name, '/');
		if (chan != NULL)
			*chan++ = '\0';
		if (droverd_find(c->d, name, &g, &p) != FAULT_OK)
			p = NULL;
		if (p != NULL && (chan == NULL || strcmp(chan, "stdout") == 0))
			file = dproc_stdout_logfile(p);
		else if (p != NULL && strcmp(chan, "stderr") == 0)
			file = dproc_stderr_logfile(p);
	}
	ctl_tail_start(c, k, file);
	free(path);
}

/* ---- requests ---- */

struct ctl_req {
	char method[16];
	char uri[1024];
	long long length; /* -1: none */
	int chunked;
	const char *auth; /* into the buffer; up to the line's end */
	size_t auth_len;
	size_t head_len;
};

/* The value of header name on the line at p (or NULL), its length in *np. */
static const char *ctl_header(const char *line, const char *end, const char *name, size_t *np)
{
	size_t n = strlen(name);

	if ((size_t)(end - line) <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	line += n + 1;
	while (line < end && (*line == ' ' || *line == '\t'))
		line++;
	while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	*np = (size_t)(end - line);
	return line;
}

/* Parses the head at the front of k->in. Returns 1 when complete, 0 when
 * more is needed, or an HTTP error code. */
static int ctl_parse_head(struct ctl_conn *k, struct ctl_req *r)
{
	const char *s = buf_ptr(&k->in), *end, *line, *eol, *v;
	char version[16] = "";
	char conn[32] = "";
	size_t n = buf_avail(&k->in), vn;
	int fields;

	end = memmem(s, n, "\r\n\r\n", 4);
	if (end == NULL && (end = memmem(s, n, "\n\n", 2)) == NULL)
		return n > CTL_MAX_HEAD ? 431 : 0;
	r->head_len = (size_t)(end - s) + (end[0] == '\r' ? 4 : 2);
	if (r->head_len > CTL_MAX_HEAD)
		return 431;
	eol = memchr(s, '\n', r->head_len);
	fields = sscanf(s, "%15s %1023s %15s", r->method, r->uri, version);
	if (fields < 2 || (size_t)(eol - s) >= sizeof(r->uri))
		return 400;
	if (fields == 3 && strncmp(version, "HTTP/", 5) == 0 && strlen(version + 5) == 3)
		memcpy(k->version, version + 5, 4);
	else
		k->version[0] = '\0';
	r->length = -1;
	for (line = eol + 1; line < end; line = eol + 1) {
		eol = memchr(line, '\n', (size_t)(end - line) + 1);
		if (eol == NULL || eol > end)
			eol = end;
		if ((v = ctl_header(line, eol, "Content-Length", &vn)) != NULL) {
			char num[24];

			if (vn == 0 || vn >= sizeof(num) || strspn(v, "0123456789") < vn)
				return 400;
			memcpy(num, v, vn);
			num[vn] = '\0';
			r->length = strtoll(num, NULL, 10);
		} else if (ctl_header(line, eol, "Transfer-Encoding", &vn) != NULL) {
			r->chunked = 1;
		} else if ((v = ctl_header(line, eol, "Authorization", &vn)) != NULL) {
			r->auth = v;
			r->auth_len = vn;
		} else if ((v = ctl_header(line, eol, "Connection", &vn)) != NULL && vn < sizeof(conn)) {
			memcpy(conn, v, vn);
		}
	}
	/* medusa's rules: 1.1 keeps unless "close", 1.0 only on "keep-alive". */
	if (strcmp(k->version, "1.1") == 0)
		k->keep = strcasecmp(conn, "close") != 0;
	else
		k->keep = strcmp(k->version, "1.0") == 0 && strcasecmp(conn, "keep-alive") == 0;
	if (r->chunked)
		return 411;
	if (r->length > CTL_MAX_BODY)
		return 413;
	return 1;
}

static int ctl_b64(char ch)
{
	const char *set = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = ch ? strchr(set, ch) : NULL;

	return p != NULL ? (int)(p - set) : -1;
}

/* Decodes base64 into out (NUL-terminated). Returns 0 or -1. */
static int ctl_unbase64(const char *s, size_t n, char *out, size_t outsz)
{
	unsigned acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = ctl_b64(s[i])) < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o + 1 >= outsz)
				return -1;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	return 0;
}

/* supervisord's password check: plain, or "{SHA}" and the hex SHA-1. */
static int ctl_password_ok(const char *want, const char *got)
{
	char hex[DIGEST_MAX_HEX + 1];

	if (strncmp(want, "{SHA}", 5) != 0)
		return strcmp(want, got) == 0;
	digest_hex(DIGEST_SHA1, got, strlen(got), hex);
	return strcmp(want + 5, hex) == 0;
}

static int ctl_auth_ok(const struct srvconf *s, const struct ctl_req *r)
{
	char cred[512], *colon;
	int ok;

	if (s->username == NULL)
		return 1;
	if (r->auth == NULL || r->auth_len < 6 || strncasecmp(r->auth, "Basic ", 6) != 0 ||
	    ctl_unbase64(r->auth + 6, r->auth_len - 6, cred, sizeof(cred)) != 0 || (colon = strchr(cred, ':')) == NULL)
		return 0;
	*colon = '\0';
	ok = strcmp(cred, s->username) == 0 && ctl_password_ok(s->password ? s->password : "", colon + 1);
	explicit_bzero(cred, sizeof(cred));
	return ok;
}

/* Handles the requests queued in k->in, one at a time: a call that answers
 * later, or a log tail, holds the rest. */
static void ctl_serve(struct ctl *c, struct ctl_conn *k)
{
	struct ctl_req r;
	const char *body;
	int st;

	while (k->fd >= 0 && k->job == NULL && k->tail_path == NULL && !k->close_after && buf_avail(&k->in) > 0) {
		memset(&r, 0, sizeof(r));
		st = ctl_parse_head(k, &r);
		if (st == 0)
			break;
		if (st != 1) {
			ctl_error(c, k, st, NULL, 1);
			break;
		}
		if (r.length > 0 && buf_avail(&k->in) < r.head_len + (size_t)r.length)
			break;
		body = buf_ptr(&k->in) + r.head_len;
		if (!ctl_auth_ok(k->l->conf, &r)) {
			ctl_error(c, k, 401, "WWW-Authenticate: Basic realm=\"default\"\r\n", 0);
		} else if (strncmp(r.uri, "/RPC2", 5) == 0) {
			if (strcmp(r.method, "POST") != 0 || r.length < 0)
				ctl_error(c, k, r.length < 0 && strcmp(r.method, "POST") == 0 ? 411 : 400, NULL, 1);
			else
				ctl_rpc(c, k, body, (size_t)r.length);
		} else if (strncmp(r.uri, "/logtail", 8) == 0 || strncmp(r.uri, "/mainlogtail", 12) == 0) {
			if (strcmp(r.method, "GET") != 0)
				ctl_error(c, k, 400, NULL, 0);
			else if (r.uri[1] == 'l')
				ctl_logtail(c, k, r.uri);
			else
				ctl_tail_start(c, k, mainlog_path(droverd_mainlog(c->d)));
		} else {
			ctl_error(c, k, 404, NULL, 0);
		}
		buf_consume(&k->in, r.head_len + (size_t)(r.length > 0 ? r.length : 0));
		buf_compact(&k->in);
	}
	ctl_conn_arm(c, k);
}

static void ctl_io_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ctl *c = ctl_self;
	struct ctl_conn *k = arg;
	char *p;
	ssize_t n;

	(void)loop;
	if (events & EV_WRITE)
		ctl_flush(c, k);
	if (k->fd < 0 || !(events & EV_READ))
		goto out;
	if (buf_reserve(&k->in, 16384, &p) != 0) {
		ctl_conn_close(c, k);
		return;
	}
	n = recv(fd, p, 16384, 0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		goto out;
	if (n <= 0) {
		ctl_conn_close(c, k);
		return;
	}
	buf_commit(&k->in, (size_t)n);
	ctl_serve(c, k);
out:
	if (k->fd >= 0)
		ctl_conn_arm(c, k);
}

static void ctl_accept_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ctl *c = ctl_self;
	struct ctl_listener *l = arg;
	struct ctl_conn *k;
	struct ucred cred;
	socklen_t len;
	int cfd;

	(void)loop, (void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (l->conf->family == SRV_UNIX) {
			len = sizeof(cred);
			if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
			    !ctl_listen_peer_ok(l->conf, cred.uid)) {
				mainlog_printf(droverd_mainlog(c->d), LEVEL_WARN,
				               "%s: refused a connection from uid %ld (not root or the socket's owner)",
				               l->conf->file, len == sizeof(cred) ? (long)cred.uid : -1L);
				close(cfd);
				continue;
			}
		}
		if (c->nconns >= CTL_MAX_CONNS) {
			close(cfd);
			continue;
		}
		k = xcalloc(1, sizeof(*k));
		k->fd = cfd;
		k->l = l;
		k->tail_fd = -1;
		buf_init(&k->in, CTL_MAX_HEAD + CTL_MAX_BODY + 16384);
		buf_init(&k->out, CTL_MAX_OUT + CTL_RPC_MAX_RESULT);
		rpc_res_init(&k->res);
		k->next = c->conns;
		c->conns = k;
		c->nconns++;
		ev_fd_set(c->loop, cfd, EV_READ, ctl_io_cb, k);
		ctl_conn_arm(c, k);
	}
}

/* ---- polling: waits and tails ---- */

static void ctl_poll_cb(struct ev_loop *loop, void *arg)
{
	struct ctl *c = arg;
	struct ctl_conn *k;

	(void)loop;
	c->poll_timer = 0;
	ctl_poll_jobs(c);
	for (k = c->conns; k != NULL; k = k->next)
		if (k->fd >= 0 && k->tail_path != NULL)
			ctl_tail_more(c, k);
	ctl_poll_arm(c);
}

static void ctl_poll_arm(struct ctl *c)
{
	struct ctl_conn *k;

	if (c->poll_timer != 0)
		return;
	for (k = c->conns; k != NULL; k = k->next) {
		if (k->fd >= 0 && (k->job != NULL || k->tail_path != NULL)) {
			c->poll_timer = ev_timer_add(c->loop, CTL_POLL_MS, ctl_poll_cb, c);
			return;
		}
	}
}

static void ctl_kick_cb(struct ev_loop *loop, void *arg)
{
	struct ctl *c = arg;

	(void)loop;
	c->kick_timer = 0;
	ctl_poll_jobs(c);
}

/* A state changed: answer waits at once, but from the loop, not from
 * inside the state machine's transition. */
static void ctl_observer(struct droverd *d, struct dproc *p, enum proc_state old, void *arg)
{
	struct ctl *c = arg;

	(void)d, (void)p, (void)old;
	if (c->kick_timer == 0)
		c->kick_timer = ev_timer_add(c->loop, 0, ctl_kick_cb, c);
}

/* ---- the hooks ---- */

static void ctl_free(struct ctl *c)
{
	struct ctl_conn *k;
	size_t i;

	while ((k = c->conns) != NULL) {
		c->conns = k->next;
		ctl_conn_free(c, k);
	}
	for (i = 0; i < c->nls; i++) {
		if (c->ls[i].fd >= 0) {
			ev_fd_del(c->loop, c->ls[i].fd);
			close(c->ls[i].fd);
		}
		if (c->ls[i].unlink_file)
			unlink(c->ls[i].conf->file);
	}
	ev_timer_del(c->loop, c->poll_timer);
	ev_timer_del(c->loop, c->kick_timer);
	ev_timer_del(c->loop, c->reap_timer);
	droverd_unobserve(c->d, ctl_observer, c);
	free(c->ls);
	free(c);
}

static void ctl_usage(const char *msg)
{
	fprintf(stderr, "Error: %s\nFor help, use %s -h\n", msg, program_invocation_name);
}

static int ctl_open_one(struct ctl *c, const struct srvconf *s)
{
	struct ctl_listener *l = &c->ls[c->nls];
	char *warn = NULL, *err = NULL, *msg;
	int r;

	l->conf = s;
	l->fd = -1;
	r = ctl_listen_open(s, &l->fd, &warn, &err);
	if (warn != NULL)
		mainlog_write(droverd_mainlog(c->d), LEVEL_WARN, warn);
	free(warn);
	if (r == CTL_LISTEN_IN_USE) {
		ctl_usage("Another program is already listening on a port that one of our HTTP servers is configured "
		          "to use.  Shut this program down first before starting supervisord.");
	} else if (r != 0) {
		msg = err != NULL ? xstrdup(err)
		                  : xasprintf("Cannot open an HTTP server: socket.error reported %s", strerror(-r));
		ctl_usage(msg);
		free(msg);
	}
	free(err);
	if (r != 0)
		return -1;
	c->nls++;
	l->unlink_file = s->family == SRV_UNIX;
	ev_fd_set(c->loop, l->fd, EV_READ, ctl_accept_cb, l);
	if (s->username == NULL)
		mainlog_printf(droverd_mainlog(c->d), LEVEL_CRIT,
		               "Server '%s' running without any HTTP authentication checking", s->section);
	return 0;
}

int droverd_ctl_open(struct droverd *d)
{
	const struct dconf *conf = droverd_config(d);
	struct ctl *c;
	size_t i;

	if (ctl_self != NULL)
		droverd_ctl_close(ctl_self->d);
	c = xcalloc(1, sizeof(*c));
	c->d = d;
	c->loop = droverd_loop(d);
	c->ls = xcalloc(conf->nservers + 1, sizeof(*c->ls));
	ctl_self = c;
	droverd_observe(d, ctl_observer, c);
	if (conf->nservers > 0)
		mainlog_write(droverd_mainlog(d), LEVEL_INFO, "RPC interface 'supervisor' initialized");
	for (i = 0; i < conf->nservers; i++) {
		if (ctl_open_one(c, &conf->servers[i]) != 0) {
			droverd_ctl_close(d);
			return -1;
		}
	}
	return 0;
}

void droverd_ctl_close(struct droverd *d)
{
	(void)d;
	if (ctl_self == NULL)
		return;
	ctl_free(ctl_self);
	ctl_self = NULL;
}
