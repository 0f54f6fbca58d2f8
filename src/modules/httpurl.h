/* URLs as the worker's HTTP client needs them: split as urllib's urlsplit
 * splits http and https URLs (credentials percent-decoded, IPv6 brackets
 * taken off, the default port filled in), and a Location header resolved
 * against the URL it answered. Pure functions, bounded by HTTPURL_MAX. */
#ifndef DROVER_MODULES_HTTPURL_H
#define DROVER_MODULES_HTTPURL_H

#define HTTPURL_MAX 8192 /* bytes of a URL */

struct httpurl {
	char *scheme;   /* owned; "http" or "https" */
	char *host;     /* owned; without IPv6 brackets */
	int port;
	char *target;   /* owned; path and query, "/" when empty */
	char *user;     /* owned, percent-decoded; NULL: none */
	char *password; /* owned; NULL: none */
};

/* Splits url. Returns 0, or ERR_INVAL (not http/https, no host, a bad
 * port, longer than HTTPURL_MAX); u is then empty. */
int httpurl_parse(const char *url, struct httpurl *u);
void httpurl_fini(struct httpurl *u);

/* urljoin(base, loc) for the forms servers send in Location: absolute
 * URLs, "//host/path", "/path" and relative paths. Returns a heap string. */
char *httpurl_resolve(const char *base, const char *loc);

#endif
