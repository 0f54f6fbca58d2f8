/* The worker's HTTP client, as Ansible's fetch_url behaves for uri and
 * get_url: http:// is spoken here over a socket on the worker's loop
 * (HTTP/1.1, "Connection: close", Content-Length, chunked and
 * read-to-close bodies, a cap on everything kept); https:// goes through the
 * host's curl, whose raw output (--raw -i) is read by the same parser, and
 * fails clearly when there is no curl. Redirects follow Ansible's
 * follow_redirects rules (none, safe, all, urllib2), at most 10. */
#ifndef DROVER_MODULES_HTTPC_H
#define DROVER_MODULES_HTTPC_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"
#include "proto/httpmsg.h"
#include "modules/module.h"

/* url_argument_spec, for a module's argument table (url itself is left to
 * the module: uri and get_url both require it). */
#define HTTPC_URL_SPEC                                                             \
	{"force", MODULE_ARG_BOOL, "false", NULL, NULL, 0},                        \
	{"http_agent", MODULE_ARG_STR, "ansible-httpget", NULL, NULL, 0},          \
	{"use_proxy", MODULE_ARG_BOOL, "true", NULL, NULL, 0},                     \
	{"validate_certs", MODULE_ARG_BOOL, "true", NULL, NULL, 0},                \
	{"url_username", MODULE_ARG_STR, NULL, "user,username", NULL, 0},          \
	{"url_password", MODULE_ARG_STR, NULL, "password", NULL, MODULE_ARG_NO_LOG}, \
	{"force_basic_auth", MODULE_ARG_BOOL, "false", NULL, NULL, 0},             \
	{"client_cert", MODULE_ARG_PATH, NULL, NULL, NULL, 0},                     \
	{"client_key", MODULE_ARG_PATH, NULL, NULL, NULL, 0},                      \
	{"use_gssapi", MODULE_ARG_BOOL, "false", NULL, NULL, 0},                   \
	{"unredirected_headers", MODULE_ARG_LIST, "", NULL, NULL, 0},              \
	{"decompress", MODULE_ARG_BOOL, "true", NULL, NULL, 0},                    \
	{"ciphers", MODULE_ARG_LIST, NULL, NULL, NULL, 0},                         \
	{"use_netrc", MODULE_ARG_BOOL, "true", NULL, NULL, 0}

struct httpc_req {
	const char *method;           /* "GET"... */
	const char *url;
	const struct value *headers;  /* NULL or a map of str */
	const char *body;             /* NULL: none */
	size_t body_len;
	const char *follow;           /* follow_redirects: "safe", "all", "none"... */
	const char *user, *password;  /* NULL: none (or from the URL) */
	int force_basic_auth;         /* send credentials before a 401 asks */
	const char *agent;            /* User-Agent unless headers has one */
	int validate_certs;
	long timeout_s;               /* per connection and read; 0: none */
	size_t body_cap;              /* bytes of body kept in memory */
	int body_fd;                  /* >= 0: the final body is written here instead */
};

struct httpc_resp {
	int status;                 /* -1 when there was no response */
	struct httpmsg_head head;   /* of the final response */
	struct buf body;            /* the final body (unless body_fd) */
	size_t body_len;            /* bytes of body received */
	char *url;                  /* owned; the final URL */
	int redirected;
	char *msg;                  /* owned; fetch_url's info msg: "OK (N bytes)",
	                               "HTTP Error 404: Not Found", "Request failed: ..." */
};

/* Performs rq. Returns 0 with resp filled (release with
 * httpc_resp_fini) whatever the status; resp->status is -1 and resp->msg
 * says why when no response came (refused, timed out, no curl for https,
 * a malformed response). */
int httpc_fetch(const struct module_ctx *ctx, const struct httpc_req *rq, struct httpc_resp *resp);
void httpc_resp_fini(struct httpc_resp *resp);

/* Adds the response headers to res as Ansible's uri and fetch_url do:
 * names lower-cased with '-' turned into '_'. */
void httpc_headers_to(const struct httpc_resp *resp, struct value *res);

/* Fills the credentials, agent, certificate check and timeout of rq from
 * a module's params (HTTPC_URL_SPEC); headers stays the caller's. */
void httpc_req_from_params(struct httpc_req *rq, const struct value *params);

/* Adds fetch_url's conditional headers to headers (a map): with force,
 * "cache-control: no-cache"; else, when path names an existing file (not a
 * directory), "If-Modified-Since" with its modification time. */
void httpc_conditional(struct value *headers, const char *path, int force);

#endif
