/* URLs for the worker's HTTP client (see httpurl.h). */
#include "modules/httpurl.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "base/hex.h"

/* urllib's unquote of s[0..n). */
static char *httpurl_unquote(const char *s, size_t n)
{
	char *o = xmalloc(n + 1);

	hex_unquote(s, n, o);
	return o;
}

static int httpurl_port(const char *s, size_t n, int *portp)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return ERR_INVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return ERR_INVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return ERR_INVAL;
	*portp = (int)v;
	return 0;
}

/* Splits "user:pass@host:port" (the authority, a[0..n)) into u. */
static int httpurl_authority(const char *a, size_t n, struct httpurl *u)
{
	const char *at = NULL, *hs, *colon = NULL, *he;
	size_t i;

	for (i = n; i > 0; i--)
		if (a[i - 1] == '@') {
			at = a + i - 1;
			break;
		}
	if (at != NULL) {
		const char *c = memchr(a, ':', (size_t)(at - a));

		u->user = httpurl_unquote(a, (size_t)((c != NULL ? c : at) - a));
		if (c != NULL)
			u->password = httpurl_unquote(c + 1, (size_t)(at - c - 1));
	}
	hs = at != NULL ? at + 1 : a;
	he = a + n;
	if (hs < he && *hs == '[') {
		const char *rb = memchr(hs, ']', (size_t)(he - hs));

		if (rb == NULL)
			return ERR_INVAL;
		u->host = xstrndup(hs + 1, (size_t)(rb - hs - 1));
		if (rb + 1 < he && rb[1] != ':')
			return ERR_INVAL;
		colon = rb + 1 < he ? rb + 1 : NULL;
	} else {
		colon = memchr(hs, ':', (size_t)(he - hs));
		u->host = xstrndup(hs, (size_t)((colon != NULL ? colon : he) - hs));
	}
	if (u->host[0] == '\0')
		return ERR_INVAL;
	if (colon != NULL && colon + 1 < he)
		return httpurl_port(colon + 1, (size_t)(he - colon - 1), &u->port);
	return 0;
}

int httpurl_parse(const char *url, struct httpurl *u)
{
	const char *p, *as, *ae;
	int r = ERR_INTERNAL;

	memset(u, 0, sizeof(*u));
	if (strlen(url) > HTTPURL_MAX) {
		r = ERR_INVAL;
		goto out;
	}
	if (strncasecmp(url, "http://", 7) == 0) {
		u->scheme = xstrdup("http");
		u->port = 80;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		u->scheme = xstrdup("https");
		u->port = 443;
	} else {
		r = ERR_INVAL;
		goto out;
	}
	as = strstr(url, "://") + 3;
	for (ae = as; *ae != '\0' && *ae != '/' && *ae != '?' && *ae != '#'; ae++)
		;
	if ((r = httpurl_authority(as, (size_t)(ae - as), u)) != 0)
		goto out;
	p = ae + strcspn(ae, "#");
	u->target = xmalloc((size_t)(p - ae) + 2);
	u->target[0] = '/';
	memcpy(u->target + (*ae != '/'), ae, (size_t)(p - ae));
	u->target[(size_t)(p - ae) + (*ae != '/')] = '\0';
	r = 0;
out:
	if (r != 0)
		httpurl_fini(u);
	return r;
}

void httpurl_fini(struct httpurl *u)
{
	free(u->scheme);
	free(u->host);
	free(u->target);
	free(u->user);
	free(u->password);
	memset(u, 0, sizeof(*u));
}

/* urljoin(base, loc) for the forms servers send in Location. */
char *httpurl_resolve(const char *base, const char *loc)
{
	const char *as, *pe, *q;
	struct buf b;

	if (strstr(loc, "://") != NULL && (strncasecmp(loc, "http", 4) == 0))
		return xstrdup(loc);
	buf_init(&b, HTTPURL_MAX * 2);
	as = strstr(base, "://");
	as = as != NULL ? as + 3 : base;
	if (loc[0] == '/' && loc[1] == '/') {
		buf_put(&b, base, (size_t)(as - base) - 2);
		buf_puts(&b, loc);
		return buf_take(&b, NULL);
	}
	for (pe = as; *pe != '\0' && *pe != '/' && *pe != '?' && *pe != '#'; pe++)
		;
	buf_put(&b, base, (size_t)(pe - base));
	if (loc[0] == '/') {
		buf_puts(&b, loc);
	} else {
		/* Relative to the base's directory. */
		q = pe + strcspn(pe, "?#");
		while (q > pe && q[-1] != '/')
			q--;
		if (q == pe)
			buf_putc(&b, '/');
		else
			buf_put(&b, pe, (size_t)(q - pe));
		buf_puts(&b, loc);
	}
	return buf_take(&b, NULL);
}
