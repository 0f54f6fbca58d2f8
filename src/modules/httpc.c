/* The worker's HTTP client (see httpc.h): plain HTTP over the worker's
 * loop, https through the host's curl, both read by one response reader. */
#include "modules/httpc.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/httpurl.h"
#include "modules/netconn.h"
#include "modules/runcmd.h"

#define HTTPC_MAX_REDIRECTS 10
#define HTTPC_CHUNK 65536

/* ---- reading a response ---- */

struct httpc_rx {
	const char *method;
	struct buf head;              /* bytes before the head is complete */
	int have_head;
	struct httpmsg_head h;
	enum httpmsg_framing framing;
	uint64_t left;                /* HTTPMSG_LENGTH: bytes to come */
	struct httpmsg_chunked ch;
	int done;
	struct buf *body;             /* NULL: discard */
	int body_fd;                  /* >= 0: write the body here */
	size_t body_len;
};

static int httpc_rx_put(void *arg, const char *p, size_t n)
{
	struct httpc_rx *rx = arg;

	rx->body_len += n;
	if (rx->body_fd >= 0)
		return fd_write_all(rx->body_fd, p, n);
	if (rx->body != NULL)
		return buf_put(rx->body, p, n);
	return 0;
}

/* Feeds body bytes. Returns 0 or an error. */
static int httpc_rx_body(struct httpc_rx *rx, const char *p, size_t n)
{
	size_t used;
	int r;

	switch (rx->framing) {
	case HTTPMSG_NONE:
		rx->done = 1;
		return 0;
	case HTTPMSG_LENGTH:
		if (n > rx->left)
			n = (size_t)rx->left;
		rx->left -= n;
		if (rx->left == 0)
			rx->done = 1;
		return httpc_rx_put(rx, p, n);
	case HTTPMSG_CHUNKED:
		r = httpmsg_chunked_feed(&rx->ch, p, n, httpc_rx_put, rx, &used);
		if (r > 0)
			rx->done = 1;
		return r < 0 ? r : 0;
	case HTTPMSG_EOF:
		return httpc_rx_put(rx, p, n);
	}
	return ERR_INTERNAL;
}

/* Feeds bytes as read. Returns 0 (rx->done says whether the response is
 * complete) or an error. Interim 1xx heads are skipped. */
static int httpc_rx_feed(struct httpc_rx *rx, const char *p, size_t n)
{
	size_t hl;
	int r;

	if (rx->have_head)
		return rx->done ? 0 : httpc_rx_body(rx, p, n);
	if ((r = buf_put(&rx->head, p, n)) != 0)
		return r;
	for (;;) {
		r = httpmsg_parse_head(buf_ptr(&rx->head), buf_avail(&rx->head), &rx->h, &hl);
		if (r == ERR_EOF)
			return 0;
		if (r != 0)
			return r;
		buf_consume(&rx->head, hl);
		if (rx->h.status >= 200 || rx->h.status == 101)
			break;
		httpmsg_head_fini(&rx->h);
	}
	rx->have_head = 1;
	if ((r = httpmsg_framing(&rx->h, rx->method, &rx->framing, &rx->left)) != 0)
		return r;
	if (rx->framing == HTTPMSG_NONE || (rx->framing == HTTPMSG_LENGTH && rx->left == 0))
		rx->done = 1;
	if (!rx->done && buf_avail(&rx->head) > 0)
		r = httpc_rx_body(rx, buf_ptr(&rx->head), buf_avail(&rx->head));
	buf_reset(&rx->head);
	return r;
}

/* The connection closed: complete or not. */
static int httpc_rx_eof(struct httpc_rx *rx)
{
	if (!rx->have_head)
		return buf_avail(&rx->head) == 0 ? ERR_EOF : ERR_PARSE;
	/* A chunked body is whole once its last chunk is read, even if the
	 * connection closes in the trailers, as http.client (under Ansible's
	 * uri) accepts it. */
	if (rx->framing == HTTPMSG_EOF || (rx->framing == HTTPMSG_CHUNKED && httpmsg_chunked_last(&rx->ch)))
		rx->done = 1;
	return rx->done ? 0 : ERR_EOF;
}

/* ---- one exchange ---- */

struct httpc_try {
	const struct module_ctx *ctx;
	const struct httpc_req *rq;
	const char *method;
	const char *url;
	const char *body;        /* NULL: none */
	size_t body_len;
	int auth;                /* send Authorization */
	const char *user, *password;
	char *error;             /* owned; msg when no response */
};

/* The request head, as urllib sends it. */
static void httpc_request_head(const struct httpc_try *t, const struct httpurl *u, int for_curl, struct buf *o)
{
	const struct value *hs = t->rq->headers;
	int have_ua = 0, have_ct = 0;
	size_t i;

	if (for_curl) {
		/* curl's own Accept goes, so both paths send what urllib sends. */
		buf_puts(o, "Accept:\r\nAccept-Encoding: identity\r\n");
	} else {
		buf_printf(o, "%s %s HTTP/1.1\r\n", t->method, u->target);
		buf_puts(o, "Accept-Encoding: identity\r\n");
		if (t->body != NULL)
			buf_printf(o, "Content-Length: %zu\r\n", t->body_len);
		if (strchr(u->host, ':') != NULL)
			buf_printf(o, "Host: [%s]", u->host);
		else
			buf_printf(o, "Host: %s", u->host);
		if (u->port != 80)
			buf_printf(o, ":%d", u->port);
		buf_puts(o, "\r\n");
	}
	for (i = 0; hs != NULL && hs->type == VALUE_MAP && i < value_len(hs); i++) {
		const char *k = value_cstr(value_map_key_at(hs, i));
		const struct value *v = value_map_val_at(hs, i);

		if (strcasecmp(k, "user-agent") == 0)
			have_ua = 1;
		if (strcasecmp(k, "content-type") == 0)
			have_ct = 1;
		buf_printf(o, "%s: %s\r\n", k, value_cstr(v) != NULL ? value_cstr(v) : "");
	}
	if (!have_ua && t->rq->agent != NULL)
		buf_printf(o, "User-Agent: %s\r\n", t->rq->agent);
	if (t->body != NULL && !have_ct)
		buf_puts(o, "Content-Type: application/x-www-form-urlencoded\r\n");
	if (t->auth && t->user != NULL) {
		struct buf cred;

		buf_init(&cred, 0);
		cred.secret = 1;
		buf_printf(&cred, "%s:%s", t->user, t->password != NULL ? t->password : "");
		buf_puts(o, "Authorization: Basic ");
		base64_encode(buf_ptr(&cred), buf_avail(&cred), o);
		buf_puts(o, "\r\n");
		buf_fini(&cred);
	}
	buf_puts(o, for_curl ? "Connection: close\r\n" : "Connection: close\r\n\r\n");
}

static uint64_t httpc_deadline(const struct httpc_try *t)
{
	uint64_t d = t->rq->timeout_s > 0 ? ev_clock_ms() + (uint64_t)t->rq->timeout_s * 1000 : 0;

	return netconn_min_deadline(d, t->ctx->deadline_ms);
}

static void httpc_conn_error(struct httpc_try *t, int r, int gai)
{
	free(t->error);
	if (r == ERR_TIMEOUT)
		t->error = xstrdup("Connection failure: timed out");
	else if (r == ERR_NOTFOUND)
		t->error = xasprintf("Request failed: <urlopen error [Errno %d] %s>", gai, gai_strerror(gai));
	else if (r < 0 && r > ERR_BASE)
		t->error = xasprintf("Request failed: <urlopen error [Errno %d] %s>", -r, strerror(-r));
	else
		t->error = xasprintf("Connection failure: %s", err_str(r));
}

/* Plain HTTP: one request and its response into rx. */
static int httpc_plain(struct httpc_try *t, const struct httpurl *u, struct httpc_rx *rx)
{
	struct ev_loop *loop = t->ctx->loop;
	char chunk[HTTPC_CHUNK];
	struct buf req;
	size_t off = 0;
	ssize_t n;
	int fd = -1, gai = 0, r = ERR_INTERNAL;

	buf_init(&req, 0);
	httpc_request_head(t, u, 0, &req);
	if (t->body != NULL && (r = buf_put(&req, t->body, t->body_len)) != 0)
		goto out;
	if ((r = netconn_open(loop, u->host, u->port, httpc_deadline(t), &fd, &gai)) != 0) {
		httpc_conn_error(t, r, gai);
		goto out;
	}
	while (off < buf_avail(&req)) {
		n = write(fd, buf_ptr(&req) + off, buf_avail(&req) - off);
		if (n < 0 && errno == EAGAIN && (r = netconn_wait(loop, fd, EV_WRITE, httpc_deadline(t))) == 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			httpc_conn_error(t, n < 0 && errno != EAGAIN ? -errno : r, 0);
			r = ERR_EOF;
			goto out;
		}
		off += (size_t)n;
	}
	while (!rx->done) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (errno == EAGAIN && (r = netconn_wait(loop, fd, EV_READ, httpc_deadline(t))) != 0) {
				httpc_conn_error(t, r, 0);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			httpc_conn_error(t, -errno, 0);
			r = -errno;
			goto out;
		}
		r = n == 0 ? httpc_rx_eof(rx) : httpc_rx_feed(rx, chunk, (size_t)n);
		if (r != 0 || n == 0)
			break;
	}
	if (r != 0) {
		free(t->error);
		t->error = xasprintf("Connection failure: %s", r == ERR_EOF ? "IncompleteRead (the connection closed early)"
		                                                             : r == ERR_TOOBIG ? "response too big"
		                                                                               : "malformed HTTP response");
	}
out:
	if (fd >= 0)
		close(fd);
	buf_fini(&req);
	return r;
}

/* https: curl prints the raw response (--raw -i) for the same reader. */
static int httpc_curl(struct httpc_try *t, const struct httpurl *u, struct httpc_rx *rx)
{
	char *curl = fileutil_bin_path(t->ctx, "curl"), *argv[64], tmo[32];
	struct runcmd_opts o;
	struct runcmd_result rr;
	struct buf hdrs;
	char *line, *end, *hcopy = NULL;
	int ac = 0, r = ERR_INTERNAL;

	memset(&rr, 0, sizeof(rr));
	buf_init(&hdrs, 0);
	if (curl == NULL) {
		t->error = xstrdup("Request failed: https needs the curl program on the host, and none was found in PATH");
		r = ERR_NOTFOUND;
		goto out;
	}
	argv[ac++] = curl;
	argv[ac++] = "--silent";
	argv[ac++] = "--show-error";
	argv[ac++] = "--raw";
	argv[ac++] = "--include";
	argv[ac++] = "--http1.1";
	if (!t->rq->validate_certs)
		argv[ac++] = "--insecure";
	if (t->rq->timeout_s > 0) {
		snprintf(tmo, sizeof(tmo), "%ld", t->rq->timeout_s);
		argv[ac++] = "--max-time";
		argv[ac++] = tmo;
	}
	if (strcmp(t->method, "HEAD") == 0) {
		argv[ac++] = "--head";
	} else {
		argv[ac++] = "--request";
		argv[ac++] = (char *)t->method;
	}
	if (t->body != NULL) {
		argv[ac++] = "--data-binary";
		argv[ac++] = "@-";
	}
	httpc_request_head(t, u, 1, &hdrs);
	hcopy = xstrdup(buf_str(&hdrs));
	for (line = hcopy; *line != '\0' && ac < 60; line = end + 2) {
		end = strstr(line, "\r\n");
		*end = '\0';
		argv[ac++] = "--header";
		argv[ac++] = line;
	}
	argv[ac++] = "--";
	argv[ac++] = (char *)t->url;
	argv[ac] = NULL;
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.envp = t->ctx->envp;
	o.input = t->body;
	o.input_len = t->body_len;
	o.cap = MODULE_OUTPUT_CAP_MAX;
	o.deadline_ms = t->ctx->deadline_ms;
	if ((r = runcmd(t->ctx->loop, &o, &rr)) != 0)
		goto out;
	if (rr.spawn_err != 0 || runcmd_rc(rr.status) != 0) {
		size_t el;

		/* curl's first line names the failure ("curl: (60) SSL
		 * certificate problem: ..."), where urllib's URLError would. */
		el = strcspn(buf_str(&rr.err), "\r\n");
		t->error = rr.spawn_err != 0 ? xasprintf("Request failed: cannot run curl: %s", err_str(rr.spawn_err))
		                             : xasprintf("Request failed: <urlopen error %.*s>", (int)el, buf_ptr(&rr.err));
		r = ERR_EOF;
		goto out;
	}
	if (rr.out_truncated) {
		t->error = xstrdup("Request failed: response too big");
		r = ERR_TOOBIG;
		goto out;
	}
	if ((r = httpc_rx_feed(rx, buf_ptr(&rr.out), buf_avail(&rr.out))) == 0 && !rx->done)
		r = httpc_rx_eof(rx);
	if (r != 0)
		t->error = xstrdup("Connection failure: malformed HTTP response from curl");
out:
	free(hcopy);
	free(curl);
	buf_fini(&hdrs);
	runcmd_result_fini(&rr);
	return r;
}

/* ---- requests, redirects, authentication ---- */

/* Whether follow allows following code for method (RedirectHandler). */
static int httpc_may_follow(const char *follow, int code, const char *method)
{
	if (code != 301 && code != 302 && code != 303 && code != 307 && code != 308)
		return 0;
	if (strcmp(follow, "no") == 0 || strcmp(follow, "none") == 0)
		return 0;
	if (strcmp(follow, "all") == 0 || strcmp(follow, "yes") == 0)
		return 1;
	if (strcmp(follow, "urllib2") == 0)
		return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
		       (code != 307 && code != 308 && strcmp(method, "POST") == 0);
	/* safe */
	return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

/* One request to t->url, the body kept only when final is set. */
static int httpc_once(struct httpc_try *t, struct httpc_resp *resp, int final, struct httpc_rx *rx)
{
	struct httpurl u;
	int r;

	memset(rx, 0, sizeof(*rx));
	rx->method = t->method;
	buf_init(&rx->head, HTTPMSG_MAX_HEAD + HTTPC_CHUNK);
	rx->body_fd = final ? t->rq->body_fd : -1;
	rx->body = final && t->rq->body_fd < 0 ? &resp->body : NULL;
	if (httpurl_parse(t->url, &u) != 0) {
		t->error = xasprintf("Request failed: <urlopen error unknown url type: %s>", t->url);
		return ERR_INVAL;
	}
	if (t->user == NULL && u.user != NULL) {
		t->user = u.user;
		t->password = u.password;
		/* Credentials in the URL are sent at once (urllib's
		 * HTTPBasicAuthHandler is given them up front by fetch_url). */
		t->auth = 1;
	}
	r = strcmp(u.scheme, "https") == 0 ? httpc_curl(t, &u, rx) : httpc_plain(t, &u, rx);
	if (t->user == u.user) {
		/* The names live in u; keep copies for a retry. */
		t->user = NULL;
		t->password = NULL;
		t->auth = 0;
	}
	httpurl_fini(&u);
	return r;
}

static void httpc_rx_fini(struct httpc_rx *rx)
{
	buf_fini(&rx->head);
	httpmsg_head_fini(&rx->h);
}

/* The status, message and final URL of a finished exchange. */
static void httpc_finish(const struct httpc_req *rq, const char *url, struct httpc_rx *rx, struct httpc_resp *resp)
{
	const char *cl = httpmsg_header(&rx->h, "content-length");

	resp->status = rx->h.status;
	resp->body_len = rx->body_len;
	resp->head = rx->h;
	memset(&rx->h, 0, sizeof(rx->h));
	if (resp->status >= 200 && resp->status < 300) {
		resp->url = xstrdup(url);
		resp->msg = xasprintf("OK (%s bytes)", cl != NULL ? cl : "unknown");
	} else {
		/* urllib raises HTTPError: the info keeps the URL asked for. */
		resp->url = xstrdup(rq->url);
		resp->msg = xasprintf("HTTP Error %d: %s", resp->status, resp->head.reason);
	}
	resp->redirected = strcmp(resp->url, rq->url) != 0;
}

int httpc_fetch(const struct module_ctx *ctx, const struct httpc_req *rq, struct httpc_resp *resp)
{
	struct httpc_try t;
	struct httpc_rx rx;
	char *url = xstrdup(rq->url), *next;
	const char *loc;
	int hops = 0, retried_auth = 0, r = 0, code;

	memset(resp, 0, sizeof(*resp));
	resp->status = -1;
	buf_init(&resp->body, rq->body_cap);
	memset(&t, 0, sizeof(t));
	memset(&rx, 0, sizeof(rx));
	t.ctx = ctx;
	t.rq = rq;
	t.method = rq->method;
	t.body = rq->body;
	t.body_len = rq->body_len;
	t.user = rq->user;
	t.password = rq->password;
	t.auth = rq->force_basic_auth && rq->user != NULL;
	for (;;) {
		t.url = url;
		buf_reset(&resp->body);
		if (httpc_once(&t, resp, 1, &rx) != 0)
			break;
		code = rx.h.status;
		loc = httpmsg_header(&rx.h, "location");
		if (code == 401 && rq->user != NULL && !t.auth && !retried_auth) {
			t.auth = 1;
			retried_auth = 1;
		} else if (loc != NULL && httpc_may_follow(rq->follow, code, t.method) && hops < HTTPC_MAX_REDIRECTS) {
			hops++;
			next = httpurl_resolve(url, loc);
			free(url);
			url = next;
			if (code != 307 && code != 308) {
				t.body = NULL;
				t.body_len = 0;
				if ((code == 303 || code == 302) && strcmp(t.method, "HEAD") != 0)
					t.method = "GET";
				if (code == 301 && strcmp(t.method, "POST") == 0)
					t.method = "GET";
			}
		} else {
			httpc_finish(rq, url, &rx, resp);
			break;
		}
		httpc_rx_fini(&rx);
		if (rq->body_fd >= 0 && (ftruncate(rq->body_fd, 0) != 0 || lseek(rq->body_fd, 0, SEEK_SET) != 0)) {
			t.error = xasprintf("Request failed: %s", strerror(errno));
			break;
		}
	}
	if (resp->status < 0)
		resp->msg = t.error != NULL ? t.error : xstrdup("Request failed");
	else
		free(t.error);
	if (resp->url == NULL)
		resp->url = xstrdup(rq->url);
	httpc_rx_fini(&rx);
	free(url);
	return r;
}

void httpc_resp_fini(struct httpc_resp *resp)
{
	httpmsg_head_fini(&resp->head);
	buf_fini(&resp->body);
	free(resp->url);
	free(resp->msg);
	memset(resp, 0, sizeof(*resp));
}

void httpc_headers_to(const struct httpc_resp *resp, struct value *res)
{
	const struct value *hs = resp->head.headers;
	size_t i, j;

	for (i = 0; hs != NULL && i < value_len(hs); i++) {
		char *k = xstrdup(value_cstr(value_map_key_at(hs, i)));

		for (j = 0; k[j] != '\0'; j++)
			if (k[j] == '-')
				k[j] = '_';
		value_map_set(res, k, value_ref(value_map_val_at(hs, i)));
		free(k);
	}
}

void httpc_req_from_params(struct httpc_req *rq, const struct value *params)
{
	const struct value *pw = value_map_get(params, "url_password");

	rq->user = value_get_str(params, "url_username", NULL);
	rq->password = pw != NULL && pw->type == VALUE_STR ? value_cstr(pw) : NULL;
	rq->force_basic_auth = value_get_bool(params, "force_basic_auth", 0);
	rq->agent = value_get_str(params, "http_agent", NULL);
	rq->validate_certs = value_get_bool(params, "validate_certs", 1);
	rq->timeout_s = (long)value_get_int(params, "timeout", 30);
	rq->body_fd = -1;
}

void httpc_conditional(struct value *headers, const char *path, int force)
{
	struct stat st;
	struct tm tm;
	char stamp[64];

	if (force) {
		value_map_set(headers, "cache-control", value_str("no-cache"));
		return;
	}
	if (path == NULL || stat(path, &st) != 0 || S_ISDIR(st.st_mode) || gmtime_r(&st.st_mtime, &tm) == NULL)
		return;
	/* strftime's %a and %b follow the C locale, which the worker keeps. */
	strftime(stamp, sizeof(stamp), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	value_map_set(headers, "If-Modified-Since", value_str(stamp));
}
