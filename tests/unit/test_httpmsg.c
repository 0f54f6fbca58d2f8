/* The HTTP response framing of the worker's and droverctl's clients
 * (proto/httpmsg.c): heads with CRLF and bare LF, repeated headers joined,
 * malformed and oversized heads refused, the framing rules, and chunked
 * bodies decoded the same whether they arrive whole or a byte at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "proto/httpmsg.h"
#include "t.h"

static void test_head(void)
{
	static const char crlf[] = "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\n"
	                           "set-cookie: b=2\r\nX-Empty:\r\n\r\nbody";
	static const char lf[] = "HTTP/1.0 200 OK\nServer: t\n\nrest";
	struct httpmsg_head h;
	size_t hl;

	T_EQ_INT(httpmsg_parse_head(crlf, sizeof(crlf) - 1, &h, &hl), 0);
	T_EQ_INT(h.status, 404);
	T_EQ_STR(h.reason, "Not Found");
	T_EQ_STR(httpmsg_header(&h, "content-type"), "text/html");
	T_EQ_STR(httpmsg_header(&h, "set-cookie"), "a=1, b=2");
	T_EQ_STR(httpmsg_header(&h, "x-empty"), "");
	T_EQ_STR(crlf + hl, "body");
	httpmsg_head_fini(&h);
	T_EQ_INT(httpmsg_parse_head(lf, sizeof(lf) - 1, &h, &hl), 0);
	T_EQ_INT(h.minor, 0);
	T_EQ_STR(lf + hl, "rest");
	httpmsg_head_fini(&h);
	/* Incomplete, malformed, folded, too big. */
	T_EQ_INT(httpmsg_parse_head("HTTP/1.1 200 OK\r\nA: b\r\n", 23, &h, &hl), ERR_EOF);
	T_EQ_INT(httpmsg_parse_head("HTTP/2 200 OK\r\n\r\n", 17, &h, &hl), ERR_PARSE);
	T_EQ_INT(httpmsg_parse_head("HTTP/1.1 20x OK\r\n\r\n", 19, &h, &hl), ERR_PARSE);
	T_EQ_INT(httpmsg_parse_head("HTTP/1.1 200 OK\r\nA: b\r\n  c\r\n\r\n", 30, &h, &hl), ERR_PARSE);
	T_EQ_INT(httpmsg_parse_head("HTTP/1.1 200 OK\r\nBad Name: b\r\n\r\n", 32, &h, &hl), ERR_PARSE);
	{
		size_t n = HTTPMSG_MAX_HEAD + 10;
		char *big = malloc(n);

		memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
		memset(big + 20, 'a', n - 20);
		T_EQ_INT(httpmsg_parse_head(big, n, &h, &hl), ERR_TOOBIG);
		free(big);
	}
}

static void test_framing(void)
{
	static const struct {
		const char *head, *method;
		int framing;
		long long len;
		int r;
	} cases[] = {
		{"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "GET", HTTPMSG_LENGTH, 12, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", "GET", HTTPMSG_LENGTH, 5, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n", "GET", HTTPMSG_EOF, 0, ERR_PARSE},
		{"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "GET", HTTPMSG_EOF, 0, ERR_PARSE},
		{"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", "GET", HTTPMSG_EOF, 0, ERR_PARSE},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 3\r\n\r\n", "GET",
		 HTTPMSG_CHUNKED, 0, 0},
		{"HTTP/1.1 200 OK\r\n\r\n", "GET", HTTPMSG_EOF, 0, 0},
		{"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", "HEAD", HTTPMSG_NONE, 0, 0},
		{"HTTP/1.1 304 Not Modified\r\n\r\n", "GET", HTTPMSG_NONE, 0, 0},
		{"HTTP/1.1 204 No Content\r\n\r\n", "GET", HTTPMSG_NONE, 0, 0},
	};
	enum httpmsg_framing fr;
	struct httpmsg_head h;
	uint64_t len;
	size_t i, hl;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		T_EQ_INT(httpmsg_parse_head(cases[i].head, strlen(cases[i].head), &h, &hl), 0);
		T_EQ_INT(httpmsg_framing(&h, cases[i].method, &fr, &len), cases[i].r);
		if (cases[i].r == 0) {
			T_EQ_INT(fr, cases[i].framing);
			T_EQ_INT(len, cases[i].len);
		}
		httpmsg_head_fini(&h);
	}
}

static int put(void *arg, const char *p, size_t n)
{
	return buf_put(arg, p, n);
}

/* Feeds s in pieces of step bytes; returns the last result and the bytes
 * taken in *usedp. */
static int feed(const char *s, size_t n, size_t step, struct buf *out, size_t *usedp)
{
	struct httpmsg_chunked c;
	size_t off = 0, used, len;
	int r = 0;

	memset(&c, 0, sizeof(c));
	while (off < n && r == 0) {
		len = n - off < step ? n - off : step;
		r = httpmsg_chunked_feed(&c, s + off, len, put, out, &used);
		off += used;
	}
	*usedp = off;
	return r;
}

static void test_chunked(void)
{
	static const char body[] = "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
	struct buf out;
	size_t used, step;

	for (step = 1; step <= sizeof(body); step++) {
		buf_init(&out, 0);
		T_EQ_INT(feed(body, sizeof(body) - 1, step, &out, &used), 1);
		T_EQ_STR(buf_str(&out), "hello, world");
		T_EQ_STR(body + used, "NEXT");
		buf_fini(&out);
	}
	buf_init(&out, 0);
	T_EQ_INT(feed("zz\r\n", 4, 4, &out, &used), ERR_PARSE);
	T_EQ_INT(feed("3\r\nabcX\r\n", 9, 9, &out, &used), ERR_PARSE);
	T_EQ_INT(feed("3\r\nab", 5, 5, &out, &used), 0);
	T_EQ_INT(feed("fffffffffffffffffff\r\n", 21, 21, &out, &used), ERR_PARSE);
	buf_fini(&out);
	{
		char line[400];

		memset(line, '0', sizeof(line));
		buf_init(&out, 0);
		T_EQ_INT(feed(line, sizeof(line), sizeof(line), &out, &used), ERR_TOOBIG);
		buf_fini(&out);
	}
}

/* The last chunk read, only trailers left: what a connection closing then
 * may cut off. */
static void test_chunked_last(void)
{
	static const char body[] = "3\r\nabc\r\n0\r\nTrailer: x\r\n";
	struct httpmsg_chunked c;
	struct buf out;
	size_t used;

	memset(&c, 0, sizeof(c));
	buf_init(&out, 0);
	T_EQ_INT(httpmsg_chunked_feed(&c, body, 8, put, &out, &used), 0);
	T_EQ_INT(httpmsg_chunked_last(&c), 0);
	T_EQ_INT(httpmsg_chunked_feed(&c, body + 8, sizeof(body) - 9, put, &out, &used), 0);
	T_EQ_INT(httpmsg_chunked_last(&c), 1);
	T_EQ_INT(httpmsg_chunked_feed(&c, "\r\n", 2, put, &out, &used), 1);
	T_EQ_INT(httpmsg_chunked_last(&c), 1);
	T_EQ_STR(buf_str(&out), "abc");
	buf_fini(&out);
}

int main(void)
{
	T_RUN(test_head);
	T_RUN(test_framing);
	T_RUN(test_chunked);
	T_RUN(test_chunked_last);
	return T_DONE();
}
