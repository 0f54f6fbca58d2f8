/* HTTP/1.x response framing, with no I/O: the status line and headers of a
 * response head, and an incremental decoder for chunked bodies. The worker's
 * HTTP client (modules/httpc.h) feeds it what it reads from the socket and
 * what the host's curl prints for https; droverctl (droverctl/http.h) what
 * supervisord answers. Libc only, so every binary can link it; everything
 * here is bounded, so a hostile server gets an error, never unbounded
 * memory. */
#ifndef DROVER_PROTO_HTTPMSG_H
#define DROVER_PROTO_HTTPMSG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "data/value.h"

#define HTTPMSG_MAX_HEAD ((size_t)64 << 10)  /* bytes of a response head */
#define HTTPMSG_MAX_HEADERS 200               /* header lines in one head */

struct httpmsg_head {
	int status;            /* 100..999 */
	int minor;             /* HTTP/1.minor */
	char *reason;          /* owned; may be empty */
	struct value *headers; /* owned map: names lower-cased, a repeated name's
	                          values joined with ", " as Python's email
	                          Message.get_all does when Ansible lower-cases */
};

/* Parses one response head at the start of data[0..len). Returns 0 with
 * *headlenp the bytes of the head (through the empty line) and h filled;
 * ERR_EOF when more bytes are needed (h untouched); ERR_TOOBIG past
 * HTTPMSG_MAX_HEAD; ERR_PARSE for a malformed head. Bare LF line ends are
 * accepted as http.client accepts them. */
int httpmsg_parse_head(const char *data, size_t len, struct httpmsg_head *h, size_t *headlenp);
void httpmsg_head_fini(struct httpmsg_head *h);

/* A header's value, or NULL. name is lower case. */
const char *httpmsg_header(const struct httpmsg_head *h, const char *name);

/* How the body after a head is delimited. */
enum httpmsg_framing {
	HTTPMSG_NONE,    /* no body (HEAD, 1xx, 204, 304) */
	HTTPMSG_LENGTH,  /* Content-Length bytes */
	HTTPMSG_CHUNKED, /* Transfer-Encoding: chunked */
	HTTPMSG_EOF,     /* until the connection closes */
};

/* Decides the framing for h, a response to a request with method. Returns
 * 0 with *framingp and, for HTTPMSG_LENGTH, *lengthp; ERR_PARSE for a bad
 * or conflicting Content-Length. */
int httpmsg_framing(const struct httpmsg_head *h, const char *method, enum httpmsg_framing *framingp,
                    uint64_t *lengthp);

/* Incremental chunked decoding. Zero-initialise before the first feed. */
struct httpmsg_chunked {
	int state;
	uint64_t left;     /* bytes left in the current chunk */
	char line[256];    /* a size or trailer line being read */
	size_t line_len;
	size_t trailers;   /* trailer lines seen */
};

/* Decodes data[0..len): the payload goes to out through put(arg, p, n),
 * which returns 0 or an error that stops decoding. Returns 1 once the last
 * chunk and trailers are complete (*usedp: bytes taken; what follows is
 * not the body), 0 when all of data was taken and more is needed, or
 * ERR_PARSE / ERR_TOOBIG / put's error. */
typedef int (*httpmsg_put_fn)(void *arg, const char *p, size_t n);
int httpmsg_chunked_feed(struct httpmsg_chunked *c, const char *data, size_t len, httpmsg_put_fn put, void *arg,
                         size_t *usedp);

/* Returns 1 once the last chunk has been read, so that only trailers may
 * remain: a connection closing then has delivered the whole body (Python's
 * http.client reads trailers up to the end of the stream). 0 before. */
int httpmsg_chunked_last(const struct httpmsg_chunked *c);

#endif
