/* The HTTP/1.1 client droverctl speaks XML-RPC and log tails over; responses
 * are framed by proto/httpmsg, as the worker's are. */
#include "droverctl/http.h"

#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "proto/httpmsg.h"

int http_url_parse(const char *url, struct http_url *u)
{
	const char *hp, *colon, *slash;
	char *end;
	long port = 80;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "unix://", 7) == 0) {
		u->is_unix = 1;
		u->path = xstrdup(url + 7);
		/* supervisorctl names a unix socket's host "localhost" (a Host
		 * header cannot carry a path). */
		u->hosthdr = xstrdup("localhost");
		return 0;
	}
	if (strncmp(url, "http://", 7) != 0)
		return ERR_INVAL;
	hp = url + 7;
	slash = strchr(hp, '/');
	if (slash == NULL)
		slash = hp + strlen(hp);
	colon = memchr(hp, ':', (size_t)(slash - hp));
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (end != slash || colon + 1 == slash || port < 0 || port > 65535)
			return ERR_INVAL;
	}
	u->host = xstrndup(hp, (size_t)((colon != NULL ? colon : slash) - hp));
	u->port = (int)port;
	u->hosthdr = colon != NULL ? xasprintf("%s:%ld", u->host, port) : xstrdup(u->host);
	return 0;
}

void http_url_fini(struct http_url *u)
{
	free(u->path);
	free(u->host);
	free(u->hosthdr);
	memset(u, 0, sizeof(*u));
}

static int http_connect_unix(const char *path, int *fdp)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	*fdp = fd;
	return 0;
}

static int http_connect_tcp(const char *host, int port, int *fdp)
{
	struct addrinfo hints, *res = NULL, *ai;
	char serv[16];
	int fd = -1, r = -ECONNREFUSED;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(serv, sizeof(serv), "%d", port);
	if (getaddrinfo(*host != '\0' ? host : "localhost", serv, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0) {
			r = -errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			r = 0;
			break;
		}
		r = -errno;
		fd_close(&fd);
	}
	freeaddrinfo(res);
	if (r == 0)
		*fdp = fd;
	return r;
}

struct http_conn {
	int fd;
	struct buf in; /* received, not yet consumed */
	int eof;
};

/* Reads more into c->in. Returns 0, ERR_EOF at the end of the stream, or
 * -errno. */
static int http_fill(struct http_conn *c)
{
	char *p;
	ssize_t n;
	int r;

	if (c->eof)
		return ERR_EOF;
	buf_compact(&c->in);
	if ((r = buf_reserve(&c->in, 16384, &p)) != 0)
		return r;
	do
		n = read(c->fd, p, 16384);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0) {
		c->eof = 1;
		return ERR_EOF;
	}
	buf_commit(&c->in, (size_t)n);
	return 0;
}

/* Reads the response head: *statusp, reason (cap bytes, may be NULL) and
 * how the body after it is framed, for a request with method. */
static int http_head(struct http_conn *c, const char *method, int *statusp, char *reason, size_t cap,
                     enum httpmsg_framing *fp, uint64_t *lenp)
{
	struct httpmsg_head h;
	size_t hl;
	int r;

	while ((r = httpmsg_parse_head(buf_ptr(&c->in), buf_avail(&c->in), &h, &hl)) == ERR_EOF)
		if ((r = http_fill(c)) != 0)
			return r == ERR_EOF ? ERR_PROTO : r;
	if (r != 0)
		return r == ERR_PARSE ? ERR_PROTO : r;
	buf_consume(&c->in, hl);
	*statusp = h.status;
	if (reason != NULL)
		snprintf(reason, cap, "%s", h.reason);
	r = httpmsg_framing(&h, method, fp, lenp) != 0 ? ERR_PROTO : 0;
	httpmsg_head_fini(&h);
	return r;
}

/* Where the body goes: the request's sink, or the caller's buffer. */
struct http_dest {
	const struct http_req *req;
	struct buf *body;
};

static int http_deliver(void *arg, const char *p, size_t n)
{
	struct http_dest *d = arg;

	if (d->req->sink != NULL)
		return d->req->sink(d->req->ctx, p, n);
	return buf_put(d->body, p, n);
}

/* Passes want bytes along, or (to_eof) all until the end of the stream. */
static int http_copy(struct http_conn *c, struct http_dest *d, uint64_t want, int to_eof)
{
	int r;

	while (to_eof || want > 0) {
		size_t n = buf_avail(&c->in);

		if (n == 0) {
			if ((r = http_fill(c)) != 0)
				return r == ERR_EOF && to_eof ? 0 : r;
			continue;
		}
		if (!to_eof && n > want)
			n = (size_t)want;
		if ((r = http_deliver(d, buf_ptr(&c->in), n)) != 0)
			return r;
		buf_consume(&c->in, n);
		if (!to_eof)
			want -= n;
	}
	return 0;
}

static int http_chunks(struct http_conn *c, struct http_dest *d)
{
	struct httpmsg_chunked ch;
	size_t used;
	int r;

	memset(&ch, 0, sizeof(ch));
	for (;;) {
		if (buf_avail(&c->in) == 0 && (r = http_fill(c)) != 0)
			return r == ERR_EOF && httpmsg_chunked_last(&ch) ? 0 : r;
		r = httpmsg_chunked_feed(&ch, buf_ptr(&c->in), buf_avail(&c->in), http_deliver, d, &used);
		buf_consume(&c->in, used);
		if (r != 0)
			return r > 0 ? 0 : r == ERR_PARSE ? ERR_PROTO : r;
	}
}

static int http_body(struct http_conn *c, struct http_dest *d, enum httpmsg_framing f, uint64_t len)
{
	switch (f) {
	case HTTPMSG_NONE:
		return 0;
	case HTTPMSG_LENGTH:
		return http_copy(c, d, len, 0);
	case HTTPMSG_CHUNKED:
		return http_chunks(c, d);
	case HTTPMSG_EOF:
		return http_copy(c, d, 0, 1);
	}
	return ERR_INTERNAL;
}

static int http_send(int fd, const struct http_url *u, const struct http_req *req)
{
	struct buf h;
	int r;

	buf_init(&h, HTTP_MAX_HEAD + (req->body != NULL ? req->len : 0));
	h.secret = req->auth != NULL;
	r = buf_printf(&h, "%s %s HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: identity\r\nUser-Agent: droverctl\r\n",
	               req->method, req->path, u->hosthdr);
	if (r == 0 && req->body != NULL)
		r = buf_printf(&h, "Content-Type: %s\r\nAccept: text/xml\r\nContent-Length: %zu\r\n", req->content_type,
		               req->len);
	if (r == 0 && req->auth != NULL && (r = buf_puts(&h, "Authorization: Basic ")) == 0 &&
	    (r = base64_encode(req->auth, strlen(req->auth), &h)) == 0)
		r = buf_puts(&h, "\r\n");
	if (r == 0)
		r = buf_puts(&h, "\r\n");
	if (r == 0 && req->body != NULL)
		r = buf_put(&h, req->body, req->len);
	if (r == 0)
		r = fd_write_all(fd, h.data, h.len);
	buf_fini(&h);
	return r;
}

int http_request(const struct http_url *u, const struct http_req *req, int *statusp, char *reason, size_t cap,
                 struct buf *body)
{
	struct http_conn c = {.fd = -1};
	struct http_dest d = {.req = req, .body = body};
	enum httpmsg_framing f;
	uint64_t len;
	int r = ERR_INTERNAL;

	buf_init(&c.in, HTTPMSG_MAX_HEAD + 16384);
	*statusp = 0;
	r = u->is_unix ? http_connect_unix(u->path, &c.fd) : http_connect_tcp(u->host, u->port, &c.fd);
	if (r != 0)
		goto out;
	if ((r = http_send(c.fd, u, req)) != 0)
		goto out;
	if ((r = http_head(&c, req->method, statusp, reason, cap, &f, &len)) != 0)
		goto out;
	r = http_body(&c, &d, f, len);
out:
	fd_close(&c.fd);
	buf_fini(&c.in);
	return r;
}
