/* uri, as Ansible's: one HTTP request (httpc.h) with the method, body
 * (raw, json or form-urlencoded), headers and credentials asked for;
 * the status checked against status_code; the response headers, content
 * and decoded JSON in the result under Ansible's keys; the body saved to
 * dest through the atomic write path when asked. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/httpc.h"
#include "modules/module.h"
#include "modules/pyfmt.h"

/* Bytes of response body kept in memory. */
#define URI_MAX_BODY ((size_t)16 << 20)

static const struct module_argspec uri_spec[] = {
	{"url", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	HTTPC_URL_SPEC,
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"body", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"body_format", MODULE_ARG_STR, "raw", NULL, "form-urlencoded,json,raw,form-multipart", 0},
	{"src", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"method", MODULE_ARG_STR, "GET", NULL, NULL, 0},
	{"return_content", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"follow_redirects", MODULE_ARG_STR, "safe", NULL, "all,no,none,safe,urllib2,yes", 0},
	{"creates", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"removes", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"status_code", MODULE_ARG_LIST, "200", NULL, NULL, 0},
	{"timeout", MODULE_ARG_INT, "30", NULL, NULL, 0},
	{"headers", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"unix_socket", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"remote_src", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"ca_path", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	FILEATTR_SPEC,
};
#define URI_NSPEC (sizeof(uri_spec) / sizeof(uri_spec[0]))

static const char *const uri_exclusive[] = {"body|src", NULL};

/* urllib's quote_plus of s. */
static void uri_quote_plus(struct buf *o, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("_.-~", c))
			buf_putc(o, (char)c);
		else if (c == ' ')
			buf_putc(o, '+');
		else
			buf_printf(o, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* str() of a scalar for form fields. */
static char *uri_scalar(const struct value *v)
{
	if (v->type == VALUE_STR)
		return xstrdup(value_cstr(v));
	if (v->type == VALUE_BOOL)
		return xstrdup(v->u.b ? "True" : "False");
	return json_encode_str(v, 0);
}

static void uri_form_pair(struct buf *o, const char *k, const struct value *v)
{
	char *s;

	if (v->type == VALUE_NULL)
		return;
	s = uri_scalar(v);
	if (buf_avail(o) > 0)
		buf_putc(o, '&');
	uri_quote_plus(o, k);
	buf_putc(o, '=');
	uri_quote_plus(o, s);
	free(s);
}

/* form_urlencoded: a map's items, list values repeated (doseq). */
static int uri_form(const struct value *body, struct buf *o)
{
	size_t i, j;

	if (body->type != VALUE_MAP)
		return ERR_INVAL;
	for (i = 0; i < value_len(body); i++) {
		const char *k = value_cstr(value_map_key_at(body, i));
		const struct value *v = value_map_val_at(body, i);

		if (v->type == VALUE_LIST)
			for (j = 0; j < value_len(v); j++)
				uri_form_pair(o, k, value_list_at(v, j));
		else
			uri_form_pair(o, k, v);
	}
	return 0;
}

static int uri_has_header(const struct value *h, const char *name)
{
	size_t i;

	for (i = 0; h != NULL && h->type == VALUE_MAP && i < value_len(h); i++)
		if (strcasecmp(value_cstr(value_map_key_at(h, i)), name) == 0)
			return 1;
	return 0;
}

/* The body to send, and Content-Type added to headers for json and form. */
static int uri_body(const struct value *params, struct value *headers, struct buf *o, struct value **failp)
{
	const struct value *body = value_map_get(params, "body");
	const char *fmt = value_get_str(params, "body_format", "raw");
	const char *ct = NULL;

	if (body == NULL || body->type == VALUE_NULL)
		return 1;
	if (strcmp(fmt, "json") == 0) {
		ct = "application/json";
		if (body->type == VALUE_STR)
			buf_put(o, body->u.s.ptr, body->u.s.len);
		else
			json_encode(o, body, JSON_ASCII);
	} else if (strcmp(fmt, "form-urlencoded") == 0) {
		ct = "application/x-www-form-urlencoded";
		if (body->type == VALUE_STR) {
			buf_put(o, body->u.s.ptr, body->u.s.len);
		} else if (uri_form(body, o) != 0) {
			*failp = module_fail(value_map(), "failed to parse body as form_urlencoded: %s",
			                     "cannot encode objects that are not 2-item sequences");
			value_map_set(*failp, "elapsed", value_int(0));
			return -1;
		}
	} else if (strcmp(fmt, "form-multipart") == 0) {
		*failp = module_fail(value_map(), "failed to parse body as form-multipart: %s",
		                     "form-multipart bodies are not supported by drover-worker");
		return -1;
	} else if (body->type == VALUE_STR) {
		buf_put(o, body->u.s.ptr, body->u.s.len);
	} else {
		json_encode(o, body, JSON_ASCII);
	}
	if (ct != NULL && !uri_has_header(headers, "content-type"))
		value_map_set(headers, "Content-Type", value_str(ct));
	return 0;
}

/* parse_content_type: whether the type is JSON (or *+json, javascript). */
static int uri_maybe_json(const char *ct)
{
	const char *slash, *end, *plus;
	size_t n;

	if (ct == NULL || (slash = strchr(ct, '/')) == NULL)
		return 0;
	slash++;
	end = slash + strcspn(slash, ";");
	while (end > slash && end[-1] == ' ')
		end--;
	plus = memchr(slash, '+', (size_t)(end - slash));
	if (plus != NULL)
		slash = plus + 1;
	n = (size_t)(end - slash);
	return (n == 4 && strncasecmp(slash, "json", 4) == 0) || (n == 10 && strncasecmp(slash, "javascript", 10) == 0);
}

static int uri_status_ok(const struct value *codes, int status)
{
	size_t i;

	for (i = 0; i < value_len(codes); i++)
		if (value_list_at(codes, i)->u.i == status)
			return 1;
	return 0;
}

/* "[200, 201]" as Python prints a list of ints. */
static void uri_codes_repr(struct buf *o, const struct value *codes)
{
	size_t i;

	buf_putc(o, '[');
	for (i = 0; i < value_len(codes); i++)
		buf_printf(o, "%s%lld", i ? ", " : "", (long long)value_list_at(codes, i)->u.i);
	buf_putc(o, ']');
}

/* Cookies from Set-Cookie headers: name -> value, and "n=v; n2=v2". */
static void uri_cookies(const struct httpc_resp *resp, struct value *res)
{
	const char *sc = httpmsg_header(&resp->head, "set-cookie");
	struct value *jar = value_map();
	struct buf str;
	const char *p, *eq, *end;

	buf_init(&str, 0);
	for (p = sc; p != NULL && *p != '\0';) {
		end = p + strcspn(p, ";");
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL) {
			char *name = xstrndup(p, (size_t)(eq - p));

			value_map_set(jar, name, value_strn(eq + 1, (size_t)(end - eq - 1)));
			buf_printf(&str, "%s%s=%.*s", buf_avail(&str) ? "; " : "", name, (int)(end - eq - 1), eq + 1);
			free(name);
		}
		/* The next cookie starts after ", " outside the attributes. */
		p = strstr(end, ", ");
		p = p != NULL ? p + 2 : NULL;
	}
	value_map_set(res, "cookies", jar);
	value_map_set(res, "cookies_string", value_strn(buf_ptr(&str), buf_avail(&str)));
	buf_fini(&str);
}

/* Writes the body to dest (a directory: its basename from the URL). */
static int uri_save(const struct module_ctx *ctx, const struct value *params, const char *dest,
                    const struct httpc_resp *resp, struct value *res, struct value **failp)
{
	struct fileattr fa;
	struct fileutil_write w;
	struct fileattr_plan plan;
	struct stat st;
	char cur[64], neu[64];
	int changed = 0;

	fileattr_from_params(&fa, params);
	digest_hex(DIGEST_SHA1, buf_ptr(&resp->body), buf_avail(&resp->body), neu);
	if (digest_file_hex(DIGEST_SHA1, dest, cur) != 0 || strcmp(cur, neu) != 0) {
		if (fileattr_plan(&fa, dest, stat(dest, &st) == 0 ? &st : NULL, &plan, NULL, failp) != 0)
			return -1;
		memset(&w, 0, sizeof(w));
		w.dest = dest;
		w.data = buf_ptr(&resp->body);
		w.len = buf_avail(&resp->body);
		w.plan = &plan;
		if (fileutil_write_atomic(ctx, &w, failp) != 0)
			return -1;
	}
	changed = 1;
	if (fileattr_apply(ctx, &fa, dest, &changed, NULL, failp) != 0)
		return -1;
	value_map_set(res, "changed", value_bool(changed));
	value_map_set(res, "path", value_str(dest));
	return 0;
}

/* absolute_location: a relative Location made absolute against the URL
 * asked for, as uri does it (string surgery, not urljoin). */
static void uri_absolute_location(struct value *res)
{
	const char *loc = value_get_str(res, "location", NULL), *url = value_get_str(res, "url", "");
	const char *as, *ps, *pe, *slash;
	struct buf b;

	if (loc == NULL || strstr(loc, "://") != NULL)
		return;
	buf_init(&b, 0);
	if (loc[0] == '/') {
		/* url.replace(path, ''): every occurrence of the path goes. */
		as = strstr(url, "://");
		as = as != NULL ? as + 3 : url;
		ps = as + strcspn(as, "/?#");
		pe = ps + strcspn(ps, "?#");
		if (pe > ps) {
			const char *p = url, *hit;
			size_t n = (size_t)(pe - ps);
			char *path = xstrndup(ps, n);

			while ((hit = strstr(p, path)) != NULL) {
				buf_put(&b, p, (size_t)(hit - p));
				p = hit + n;
			}
			buf_puts(&b, p);
			free(path);
		} else {
			buf_puts(&b, url);
		}
		buf_puts(&b, loc);
	} else {
		slash = strrchr(url, '/');
		buf_put(&b, url, slash != NULL ? (size_t)(slash - url) : 0);
		buf_printf(&b, "/%s", loc);
	}
	value_map_set(res, "location", value_strn(buf_ptr(&b), buf_avail(&b)));
	buf_fini(&b);
}

/* The result keys of a response, as uri builds uresp. */
static void uri_response_keys(const struct httpc_resp *resp, struct value *res, int64_t elapsed)
{
	value_map_set(res, "redirected", value_bool(resp->redirected));
	value_map_set(res, "url", value_str(resp->url));
	if (resp->status >= 200 && resp->status < 300)
		uri_cookies(resp, res);
	httpc_headers_to(resp, res);
	uri_absolute_location(res);
	value_map_set(res, "msg", value_str(resp->msg));
	value_map_set(res, "status", value_int(resp->status));
	value_map_set(res, "elapsed", value_int(elapsed));
	value_map_set(res, "changed", value_bool(0));
}

/* Content, json and the status check, once the response is in. */
static struct value *uri_conclude(const struct value *params, const struct httpc_resp *resp, struct value *res)
{
	const struct value *codes = value_map_get(params, "status_code");
	int want_content = value_get_bool(params, "return_content", 0);
	int ok = uri_status_ok(codes, resp->status);
	int maybe_json = uri_maybe_json(httpmsg_header(&resp->head, "content-type"));
	struct value *content = NULL, *js = NULL;
	struct buf msg;

	if (maybe_json || want_content || !ok) {
		content = value_strn(buf_ptr(&resp->body), buf_avail(&resp->body));
		if (maybe_json && json_decode(buf_ptr(&resp->body), buf_avail(&resp->body), NULL, &js, NULL) == 0)
			value_map_set(res, "json", js);
	} else if (resp->status >= 300 || resp->status < 200) {
		/* An HTTPError the task accepts keeps fetch_url's body. */
		if (resp->status > 0)
			value_map_set(res, "body", value_strn(buf_ptr(&resp->body), buf_avail(&resp->body)));
	}
	if (!ok) {
		buf_init(&msg, 0);
		buf_printf(&msg, "Status code was %d and not ", resp->status);
		uri_codes_repr(&msg, codes);
		buf_printf(&msg, ": %s", value_get_str(res, "msg", ""));
		value_map_set(res, "msg", value_strn(buf_ptr(&msg), buf_avail(&msg)));
		value_map_set(res, "failed", value_bool(1));
		buf_fini(&msg);
	}
	if (want_content && content != NULL)
		value_map_set(res, "content", value_ref(content));
	value_unref(content);
	return res;
}

/* dest for a response: a directory takes the URL's last path segment. */
static char *uri_dest(const char *dest, const struct httpc_resp *resp)
{
	const char *u = resp->url, *path, *end, *base;
	char *name, *full;

	if (dest == NULL || !fileutil_isdir(dest))
		return dest != NULL ? xstrdup(dest) : NULL;
	path = strstr(u, "://");
	path = path != NULL ? path + 3 + strcspn(path + 3, "/") : u;
	end = path + strcspn(path, "?#");
	for (base = end; base > path && base[-1] != '/'; base--)
		;
	name = base < end ? xstrndup(base, (size_t)(end - base)) : xstrdup("index.html");
	full = fileutil_join(dest, name);
	free(name);
	return full;
}

static struct value *uri_do(const struct module_ctx *ctx, const struct value *params)
{
	const char *creates = value_get_str(params, "creates", NULL);
	const char *removes = value_get_str(params, "removes", NULL);
	const char *method = value_get_str(params, "method", "GET");
	const struct value *hv = value_map_get(params, "headers");
	struct value *headers = hv != NULL && hv->type == VALUE_MAP ? value_dup(hv) : value_map();
	struct value *res = NULL;
	struct httpc_req rq;
	struct httpc_resp resp;
	struct buf body;
	char *method_up = xstrdup(method), *dest = NULL;
	int64_t start = pyfmt_now_us();
	size_t i;
	int has_body;

	buf_init(&body, URI_MAX_BODY);
	memset(&resp, 0, sizeof(resp));
	for (i = 0; method_up[i] != '\0'; i++)
		if (method_up[i] >= 'a' && method_up[i] <= 'z')
			method_up[i] = (char)(method_up[i] - 'a' + 'A');
	for (i = 0; method_up[i] >= 'A' && method_up[i] <= 'Z'; i++)
		;
	if (i == 0 || method_up[i] != '\0') {
		res = module_fail(value_map(), "Parameter 'method' needs to be a single word in uppercase, like GET or POST.");
		goto out;
	}
	if ((has_body = uri_body(params, headers, &body, &res)) < 0)
		goto out;
	if (creates != NULL && fileutil_exists(creates)) {
		res = value_map();
		value_map_set(res, "stdout", value_strf("skipped, since '%s' exists", creates));
		value_map_set(res, "changed", value_bool(0));
		goto out;
	}
	if (removes != NULL && !fileutil_exists(removes)) {
		res = value_map();
		value_map_set(res, "stdout", value_strf("skipped, since '%s' does not exist", removes));
		value_map_set(res, "changed", value_bool(0));
		goto out;
	}
	memset(&rq, 0, sizeof(rq));
	httpc_req_from_params(&rq, params);
	rq.method = method_up;
	rq.url = value_get_str(params, "url", "");
	rq.follow = value_get_str(params, "follow_redirects", "safe");
	rq.body = has_body == 0 ? buf_ptr(&body) : NULL;
	rq.body_len = has_body == 0 ? buf_avail(&body) : 0;
	rq.body_cap = URI_MAX_BODY;
	rq.headers = headers;
	httpc_conditional(headers, value_get_str(params, "dest", NULL), value_get_bool(params, "force", 0));
	httpc_fetch(ctx, &rq, &resp);
	res = value_map();
	uri_response_keys(&resp, res, (pyfmt_now_us() - start) / 1000000);
	dest = resp.status > 0 ? uri_dest(value_get_str(params, "dest", NULL), &resp) : NULL;
	if (dest != NULL && uri_status_ok(value_map_get(params, "status_code"), resp.status) && resp.status != 304) {
		struct value *fail = NULL;

		if (uri_save(ctx, params, dest, &resp, res, &fail) != 0) {
			value_map_update(res, fail, 0);
			value_unref(fail);
			goto out;
		}
	} else if (dest != NULL) {
		value_map_set(res, "path", value_str(dest));
	}
	uri_conclude(params, &resp, res);
out:
	free(dest);
	free(method_up);
	httpc_resp_fini(&resp);
	buf_fini(&body);
	value_unref(headers);
	return res;
}

/* The types the argument table cannot say: status_code's elements are
 * ints, headers is a dict defaulting to {}. Returns NULL or a failure. */
static struct value *uri_fix_params(struct value *params)
{
	const struct value *codes = value_map_get(params, "status_code");
	const struct value *h = value_map_get(params, "headers");
	struct value *ints = value_list();
	size_t i;
	char *end;
	long v;

	for (i = 0; codes != NULL && i < value_len(codes); i++) {
		const char *s = value_cstr(value_list_at(codes, i));

		v = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0') {
			value_unref(ints);
			return module_fail(value_map(),
			                   "Elements value for option 'status_code' is of type <class 'str'> and we were "
			                   "unable to convert to int: invalid literal for int() with base 10: '%s'",
			                   s);
		}
		value_list_push(ints, value_int(v));
	}
	value_map_set(params, "status_code", ints);
	if (h == NULL || h->type == VALUE_NULL)
		value_map_set(params, "headers", value_map());
	else if (h->type != VALUE_MAP)
		return module_fail(value_map(), "argument 'headers' is of type %s and we were unable to convert to dict",
		                   value_type_name(h));
	return NULL;
}

MODULE_DEFINE(uri, uri_run, MODULE_CHECK_SELF)
struct value *uri_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *warnings = value_list(), *shown;

	if (module_params_spec(ctx, "ansible.legacy.uri", uri_spec, URI_NSPEC, uri_exclusive, warnings, &params,
	                       &res) != 0)
		goto out;
	if ((res = uri_fix_params(params)) != NULL)
		goto out;
	if (ctx->check) {
		res = module_check_skip(ctx);
		goto out;
	}
	res = uri_do(ctx, params);
	shown = module_invocation_args(uri_spec, URI_NSPEC, params);
	fileutil_finish(res, shown, warnings);
	value_unref(shown);
out:
	value_unref(params);
	value_unref(warnings);
	return res;
}
