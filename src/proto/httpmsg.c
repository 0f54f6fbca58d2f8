/* HTTP/1.x response heads and chunked bodies (see httpmsg.h). */
#include "proto/httpmsg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/xmalloc.h"

enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };

/* The end of the head: the offset just past the empty line, or 0. */
static size_t httpmsg_head_end(const char *d, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (d[i] != '\n')
			continue;
		if (i + 1 < len && d[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && d[i + 1] == '\r' && d[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* The next line of d[*pos..end) without its line end; advances *pos. */
static size_t httpmsg_line(const char *d, size_t end, size_t *pos, const char **linep)
{
	size_t s = *pos, e = s;

	while (e < end && d[e] != '\n')
		e++;
	*pos = e < end ? e + 1 : end;
	*linep = d + s;
	if (e > s && d[e - 1] == '\r')
		e--;
	return e - s;
}

static int httpmsg_status_line(const char *l, size_t n, struct httpmsg_head *h)
{
	size_t i;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[7] < '0' || l[7] > '9' || l[8] != ' ')
		return ERR_PARSE;
	for (i = 9; i < 12; i++)
		if (l[i] < '0' || l[i] > '9')
			return ERR_PARSE;
	if (n > 12 && l[12] != ' ')
		return ERR_PARSE;
	h->minor = l[7] - '0';
	h->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (h->status < 100)
		return ERR_PARSE;
	h->reason = n > 13 ? xstrndup(l + 13, n - 13) : xstrdup("");
	return 0;
}

static int httpmsg_is_token(char c)
{
	return c > ' ' && c < 127 && strchr("()<>@,;:\\\"/[]?={}", c) == NULL;
}

/* Adds "name: value" (whitespace around the value dropped). */
static int httpmsg_header_line(const char *l, size_t n, struct value *headers)
{
	const char *colon = memchr(l, ':', n);
	const struct value *old;
	size_t nl, vs, ve, i;
	char name[128];

	if (colon == NULL || colon == l)
		return ERR_PARSE;
	nl = (size_t)(colon - l);
	if (nl >= sizeof(name))
		return ERR_PARSE;
	for (i = 0; i < nl; i++) {
		if (!httpmsg_is_token(l[i]))
			return ERR_PARSE;
		name[i] = (l[i] >= 'A' && l[i] <= 'Z') ? (char)(l[i] - 'A' + 'a') : l[i];
	}
	name[nl] = '\0';
	vs = nl + 1;
	ve = n;
	while (vs < ve && (l[vs] == ' ' || l[vs] == '\t'))
		vs++;
	while (ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
		ve--;
	old = value_map_get(headers, name);
	if (old != NULL)
		value_map_set(headers, name, value_strf("%s, %.*s", value_cstr(old), (int)(ve - vs), l + vs));
	else
		value_map_set(headers, name, value_strn(l + vs, ve - vs));
	return 0;
}

int httpmsg_parse_head(const char *data, size_t len, struct httpmsg_head *h, size_t *headlenp)
{
	struct httpmsg_head t;
	size_t end, pos = 0, n, count = 0;
	const char *l;
	int r = ERR_INTERNAL;

	memset(&t, 0, sizeof(t));
	*headlenp = 0;
	end = httpmsg_head_end(data, len < HTTPMSG_MAX_HEAD ? len : HTTPMSG_MAX_HEAD);
	if (end == 0) {
		r = len >= HTTPMSG_MAX_HEAD ? ERR_TOOBIG : ERR_EOF;
		goto out;
	}
	t.headers = value_map();
	n = httpmsg_line(data, end, &pos, &l);
	if ((r = httpmsg_status_line(l, n, &t)) != 0)
		goto out;
	for (;;) {
		n = httpmsg_line(data, end, &pos, &l);
		if (n == 0)
			break;
		/* Folded continuation lines are obsolete (RFC 7230 3.2.4); a
		 * server sending them is refused rather than guessed at. */
		if (++count > HTTPMSG_MAX_HEADERS || l[0] == ' ' || l[0] == '\t') {
			r = count > HTTPMSG_MAX_HEADERS ? ERR_TOOBIG : ERR_PARSE;
			goto out;
		}
		if ((r = httpmsg_header_line(l, n, t.headers)) != 0)
			goto out;
	}
	*h = t;
	memset(&t, 0, sizeof(t));
	*headlenp = end;
	r = 0;
out:
	httpmsg_head_fini(&t);
	return r;
}

void httpmsg_head_fini(struct httpmsg_head *h)
{
	free(h->reason);
	value_unref(h->headers);
	memset(h, 0, sizeof(*h));
}

const char *httpmsg_header(const struct httpmsg_head *h, const char *name)
{
	const struct value *v = h->headers != NULL ? value_map_get(h->headers, name) : NULL;

	return v != NULL ? value_cstr(v) : NULL;
}

/* Content-Length's digits; repeated equal values (joined by ", ") agree. */
static int httpmsg_length(const char *s, uint64_t *lenp)
{
	uint64_t v = 0, first = 0;
	int have = 0, digits = 0;

	for (;; s++) {
		if (*s >= '0' && *s <= '9') {
			if (v > (UINT64_MAX - 9) / 10)
				return ERR_PARSE;
			v = v * 10 + (uint64_t)(*s - '0');
			digits++;
			continue;
		}
		if (*s != ',' && *s != '\0')
			return ERR_PARSE;
		if (digits == 0 || (have && v != first))
			return ERR_PARSE;
		first = v;
		have = 1;
		if (*s == '\0')
			break;
		while (s[1] == ' ')
			s++;
		v = 0;
		digits = 0;
	}
	*lenp = first;
	return 0;
}

int httpmsg_framing(const struct httpmsg_head *h, const char *method, enum httpmsg_framing *framingp,
                    uint64_t *lengthp)
{
	const char *te = httpmsg_header(h, "transfer-encoding");
	const char *cl = httpmsg_header(h, "content-length");
	size_t tl;

	*framingp = HTTPMSG_EOF;
	*lengthp = 0;
	if (strcasecmp(method, "HEAD") == 0 || h->status < 200 || h->status == 204 || h->status == 304) {
		*framingp = HTTPMSG_NONE;
		return 0;
	}
	if (te != NULL) {
		/* chunked must be the last coding (RFC 7230 3.3.3); anything
		 * else is read to the end of the connection. */
		tl = strlen(te);
		if (tl >= 7 && strcasecmp(te + tl - 7, "chunked") == 0)
			*framingp = HTTPMSG_CHUNKED;
		return 0;
	}
	if (cl != NULL) {
		if (httpmsg_length(cl, lengthp) != 0)
			return ERR_PARSE;
		*framingp = HTTPMSG_LENGTH;
	}
	return 0;
}

/* Takes bytes into c->line up to a LF. Returns 1 with the line complete
 * (its CR and LF dropped), 0 when data ran out. */
static int httpmsg_take_line(struct httpmsg_chunked *c, const char *d, size_t len, size_t *posp, int *errp)
{
	while (*posp < len) {
		char ch = d[(*posp)++];

		if (ch == '\n') {
			if (c->line_len > 0 && c->line[c->line_len - 1] == '\r')
				c->line_len--;
			c->line[c->line_len] = '\0';
			return 1;
		}
		if (c->line_len + 1 >= sizeof(c->line)) {
			*errp = ERR_TOOBIG;
			return 0;
		}
		c->line[c->line_len++] = ch;
	}
	return 0;
}

/* A chunk-size line: hex digits, then optional extensions after ';'. */
static int httpmsg_chunk_size(const char *l, uint64_t *sizep)
{
	uint64_t v = 0;
	int digits = 0, d;

	for (; *l != '\0'; l++) {
		if (*l >= '0' && *l <= '9')
			d = *l - '0';
		else if ((*l | 0x20) >= 'a' && (*l | 0x20) <= 'f')
			d = (*l | 0x20) - 'a' + 10;
		else
			break;
		if (v >> 59)
			return ERR_PARSE;
		v = v * 16 + (uint64_t)d;
		digits++;
	}
	while (*l == ' ' || *l == '\t')
		l++;
	if (digits == 0 || (*l != '\0' && *l != ';'))
		return ERR_PARSE;
	*sizep = v;
	return 0;
}

int httpmsg_chunked_feed(struct httpmsg_chunked *c, const char *data, size_t len, httpmsg_put_fn put, void *arg,
                         size_t *usedp)
{
	size_t pos = 0, n;
	int r = 0;

	*usedp = 0;
	while (c->state != CH_DONE && pos < len && r == 0) {
		switch (c->state) {
		case CH_DATA:
			n = len - pos < c->left ? len - pos : (size_t)c->left;
			r = put(arg, data + pos, n);
			pos += n;
			c->left -= n;
			if (c->left == 0)
				c->state = CH_DATA_END;
			continue;
		case CH_SIZE:
		case CH_DATA_END:
		case CH_TRAILER:
			if (!httpmsg_take_line(c, data, len, &pos, &r))
				continue;
			break;
		}
		c->line_len = 0;
		if (c->state == CH_DATA_END) {
			r = c->line[0] == '\0' ? 0 : ERR_PARSE;
			c->state = CH_SIZE;
		} else if (c->state == CH_SIZE) {
			r = httpmsg_chunk_size(c->line, &c->left);
			c->state = c->left > 0 ? CH_DATA : CH_TRAILER;
		} else if (c->line[0] == '\0') {
			c->state = CH_DONE;
		} else if (++c->trailers > HTTPMSG_MAX_HEADERS) {
			r = ERR_TOOBIG;
		}
	}
	*usedp = pos;
	if (r != 0)
		return r;
	return c->state == CH_DONE;
}

int httpmsg_chunked_last(const struct httpmsg_chunked *c)
{
	return c->state == CH_TRAILER || c->state == CH_DONE;
}
