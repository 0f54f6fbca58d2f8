/* The HTTP/1.1 client droverctl speaks XML-RPC and log tails over. */
#include "droverctl/http.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

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

/* Returns the length of the line at the front of c->in (with its CRLF),
 * reading as needed; 0 with r set on failure. */
static size_t http_line(struct http_conn *c, int *rp)
{
	const char *nl;

	while ((nl = memchr(buf_ptr(&c->in), '\n', buf_avail(&c->in))) == NULL) {
		if (buf_avail(&c->in) > HTTP_MAX_HEAD) {
			*rp = ERR_TOOBIG;
			return 0;
		}
		if ((*rp = http_fill(c)) != 0)
			return 0;
	}
	*rp = 0;
	return (size_t)(nl - buf_ptr(&c->in)) + 1;
}

struct http_framing {
	int chunked;
	long long length; /* -1: until the end of the stream */
};

static int http_head(struct http_conn *c, int *statusp, char *reason, size_t cap, struct http_framing *f)
{
	size_t n;
	int r, first = 1;
	char line[512];

	f->chunked = 0;
	f->length = -1;
	for (;;) {
		if ((n = http_line(c, &r)) == 0)
			return r == ERR_EOF ? ERR_PROTO : r;
		snprintf(line, sizeof(line), "%.*s", (int)(n > sizeof(line) - 1 ? sizeof(line) - 1 : n), buf_ptr(&c->in));
		buf_consume(&c->in, n);
		line[strcspn(line, "\r\n")] = '\0';
		if (first) {
			int st = 0, off = 0;

			if (sscanf(line, "HTTP/%*d.%*d %3d%n", &st, &off) != 1 || st < 100)
				return ERR_PROTO;
			*statusp = st;
			if (reason != NULL)
				snprintf(reason, cap, "%s", line[off] == ' ' ? line + off + 1 : line + off);
			first = 0;
		} else if (line[0] == '\0') {
			return 0;
		} else if (strncasecmp(line, "content-length:", 15) == 0) {
			f->length = strtoll(line + 15, NULL, 10);
		} else if (strncasecmp(line, "transfer-encoding:", 18) == 0 && strcasestr(line + 18, "chunked") != NULL) {
			f->chunked = 1;
		}
	}
}

static int http_deliver(const struct http_req *req, struct buf *body, const char *p, size_t n)
{
	if (req->sink != NULL)
		return req->sink(req->ctx, p, n);
	return buf_put(body, p, n);
}

/* Passes up to want bytes (-1: all until the end of the stream) along. */
static int http_copy(struct http_conn *c, const struct http_req *req, struct buf *body, long long want)
{
	int r;

	while (want != 0) {
		size_t n = buf_avail(&c->in);

		if (n == 0) {
			if ((r = http_fill(c)) != 0)
				return r == ERR_EOF && want < 0 ? 0 : r;
			continue;
		}
		if (want > 0 && (long long)n > want)
			n = (size_t)want;
		if ((r = http_deliver(req, body, buf_ptr(&c->in), n)) != 0)
			return r;
		buf_consume(&c->in, n);
		if (want > 0)
			want -= (long long)n;
	}
	return 0;
}

static int http_chunks(struct http_conn *c, const struct http_req *req, struct buf *body)
{
	long long size;
	size_t n;
	char *end;
	int r;

	for (;;) {
		if ((n = http_line(c, &r)) == 0)
			return r;
		size = strtoll(buf_ptr(&c->in), &end, 16);
		if (end == buf_ptr(&c->in) || size < 0)
			return ERR_PROTO;
		buf_consume(&c->in, n);
		if (size == 0)
			break;
		if ((r = http_copy(c, req, body, size)) != 0)
			return r;
		if ((n = http_line(c, &r)) == 0)
			return r;
		buf_consume(&c->in, n);
	}
	/* Trailer fields, up to the blank line. */
	for (;;) {
		int blank;

		if ((n = http_line(c, &r)) == 0)
			return r == ERR_EOF ? 0 : r;
		blank = n <= 2 && (*buf_ptr(&c->in) == '\r' || *buf_ptr(&c->in) == '\n');
		buf_consume(&c->in, n);
		if (blank)
			return 0;
	}
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
	struct http_framing f;
	int r = ERR_INTERNAL;

	buf_init(&c.in, HTTP_MAX_HEAD + 16384);
	*statusp = 0;
	r = u->is_unix ? http_connect_unix(u->path, &c.fd) : http_connect_tcp(u->host, u->port, &c.fd);
	if (r != 0)
		goto out;
	if ((r = http_send(c.fd, u, req)) != 0)
		goto out;
	if ((r = http_head(&c, statusp, reason, cap, &f)) != 0)
		goto out;
	if (f.chunked)
		r = http_chunks(&c, req, body);
	else
		r = http_copy(&c, req, body, f.length);
out:
	fd_close(&c.fd);
	buf_fini(&c.in);
	return r;
}
