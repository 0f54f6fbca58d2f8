/* A small HTTP/1.1 client for supervisord's control socket: one request per
 * connection over AF_UNIX ("unix:///path") or TCP ("http://host:port"),
 * responses framed by Content-Length, chunked encoding or end of stream. */
#ifndef DROVER_DROVERCTL_HTTP_H
#define DROVER_DROVERCTL_HTTP_H

#include <stddef.h>

#include "base/buf.h"

#define HTTP_MAX_HEAD ((size_t)64 << 10)  /* bytes of status line and headers */
#define HTTP_MAX_BODY ((size_t)64 << 20)  /* bytes of a buffered body */

struct http_url {
	int is_unix;
	char *path;    /* owned; the socket file (is_unix) */
	char *host;    /* owned; host name or address (TCP) */
	int port;      /* TCP; 80 when the URL has none */
	char *hosthdr; /* owned; the Host header supervisorctl sends */
};

/* Parses a serverurl as supervisorctl accepts it. Returns 0, or ERR_INVAL for
 * another scheme or a bad port (u is then empty). */
int http_url_parse(const char *url, struct http_url *u);
void http_url_fini(struct http_url *u);

/* Receives each piece of a streamed body; a non-zero return stops reading
 * and is returned by http_request. */
typedef int (*http_sink_fn)(void *ctx, const char *p, size_t n);

struct http_req {
	const char *method;      /* "POST" or "GET" */
	const char *path;        /* "/RPC2" */
	const char *auth;        /* "user:password" for Basic, or NULL */
	const char *body;        /* NULL for none */
	size_t len;
	const char *content_type; /* with a body */
	http_sink_fn sink;       /* NULL: the body is collected in *bodyp */
	void *ctx;
};

/* Connects to u, sends req and reads the response: *statusp gets the status
 * code, reason (cap bytes, may be NULL) the reason phrase, and without a
 * sink body the body (capped at HTTP_MAX_BODY). Returns 0, -errno of the
 * connect or a transfer (ECONNREFUSED, ENOENT... for the caller to word as
 * supervisorctl does), ERR_PROTO for a response that is not HTTP, or
 * ERR_TOOBIG. */
int http_request(const struct http_url *u, const struct http_req *req, int *statusp, char *reason, size_t cap,
                 struct buf *body);

#endif
