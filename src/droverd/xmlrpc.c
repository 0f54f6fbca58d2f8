/* XML-RPC documents: a strict, capped recursive-descent reader for calls and
 * a writer for responses in xmlrpc.client's layout. The reader knows only
 * what XML-RPC needs: elements without meaningful attributes, character
 * and the five predefined entity references, CDATA, comments and
 * processing instructions; a DOCTYPE is refused (no entity expansion, so
 * no entity bombs). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "droverd/xmlrpc.h"

struct xp {
	const char *start, *p, *end;
	int depth;
	size_t nvalues;
	char *err; /* owned; the first failure */
};

static int xp_fail(struct xp *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int xp_fail(struct xp *x, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (x->err != NULL)
		return ERR_PARSE;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	x->err = xasprintf("%s at byte %zu", msg, (size_t)(x->p - x->start));
	free(msg);
	return ERR_PARSE;
}

static int xp_starts(const struct xp *x, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

static int xp_skip_past(struct xp *x, const char *term)
{
	size_t n = strlen(term);

	while ((size_t)(x->end - x->p) >= n) {
		if (memcmp(x->p, term, n) == 0) {
			x->p += n;
			return 0;
		}
		x->p++;
	}
	return xp_fail(x, "unterminated markup");
}

static int xp_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips white space, comments and processing instructions. */
static int xp_skip_misc(struct xp *x)
{
	for (;;) {
		while (x->p < x->end && xp_is_space(*x->p))
			x->p++;
		if (xp_starts(x, "<?")) {
			if (xp_skip_past(x, "?>") != 0)
				return ERR_PARSE;
		} else if (xp_starts(x, "<!--")) {
			if (xp_skip_past(x, "-->") != 0)
				return ERR_PARSE;
		} else if (xp_starts(x, "<!") && !xp_starts(x, "<![CDATA[")) {
			return xp_fail(x, "declarations are not accepted");
		} else {
			return 0;
		}
	}
}

static int xp_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == ':';
}

/* The name of the start tag at the current position (after misc), or NULL. */
static const char *xp_peek_open(struct xp *x, size_t *lenp)
{
	const char *q;

	*lenp = 0;
	if (xp_skip_misc(x) != 0 || !xp_starts(x, "<") || xp_starts(x, "</") || xp_starts(x, "<!"))
		return NULL;
	for (q = x->p + 1; q < x->end && xp_is_name_char(*q); q++)
		;
	*lenp = (size_t)(q - x->p - 1);
	return x->p + 1;
}

static int xp_name_is(const char *name, size_t len, const char *want)
{
	return name != NULL && strlen(want) == len && memcmp(name, want, len) == 0;
}

/* Reads <name ...> or <name .../>; *emptyp tells which. */
static int xp_open(struct xp *x, const char *name, int *emptyp)
{
	size_t len;
	const char *got = xp_peek_open(x, &len);
	char quote = 0;

	if (x->err != NULL)
		return ERR_PARSE;
	if (!xp_name_is(got, len, name))
		return xp_fail(x, "expected <%s>", name);
	x->p += len + 1;
	for (; x->p < x->end; x->p++) {
		if (quote) {
			if (*x->p == quote)
				quote = 0;
		} else if (*x->p == '"' || *x->p == '\'') {
			quote = *x->p;
		} else if (*x->p == '>') {
			x->p++;
			*emptyp = 0;
			return 0;
		} else if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '>') {
			x->p += 2;
			*emptyp = 1;
			return 0;
		} else if (*x->p == '<') {
			break;
		}
	}
	return xp_fail(x, "unterminated <%s>", name);
}

static int xp_close(struct xp *x, const char *name)
{
	size_t n = strlen(name);

	if (xp_skip_misc(x) != 0)
		return ERR_PARSE;
	if (!xp_starts(x, "</") || (size_t)(x->end - x->p) < n + 2 || memcmp(x->p + 2, name, n) != 0)
		return xp_fail(x, "expected </%s>", name);
	x->p += n + 2;
	while (x->p < x->end && xp_is_space(*x->p))
		x->p++;
	if (x->p >= x->end || *x->p != '>')
		return xp_fail(x, "expected </%s>", name);
	x->p++;
	return 0;
}

static int xp_entity(struct xp *x, struct buf *out)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	unsigned long cp = 0;
	int base = 10, digits = 0, v;
	size_t i;

	x->p++;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (xp_starts(x, named[i].name)) {
			x->p += strlen(named[i].name);
			return buf_putc(out, named[i].c);
		}
	}
	if (!xp_starts(x, "#"))
		return xp_fail(x, "unknown entity");
	x->p++;
	if (xp_starts(x, "x")) {
		base = 16;
		x->p++;
	}
	for (; x->p < x->end && *x->p != ';'; x->p++, digits++) {
		char c = *x->p;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return xp_fail(x, "bad character reference");
		cp = cp * (unsigned long)base + (unsigned long)v;
		if (cp > 0x10ffff)
			return xp_fail(x, "bad character reference");
	}
	if (x->p >= x->end || digits == 0 || cp == 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return xp_fail(x, "bad character reference");
	x->p++;
	return utf8_put(out, (uint32_t)cp);
}

/* Character data up to the next tag, entities decoded, CDATA copied. */
static int xp_text(struct xp *x, struct buf *out)
{
	const char *q;

	buf_reset(out);
	while (x->p < x->end) {
		if (xp_starts(x, "<![CDATA[")) {
			x->p += 9;
			q = x->p;
			if (xp_skip_past(x, "]]>") != 0)
				return ERR_PARSE;
			if (buf_put(out, q, (size_t)(x->p - 3 - q)) != 0)
				return xp_fail(x, "text too long");
		} else if (xp_starts(x, "<!--")) {
			if (xp_skip_past(x, "-->") != 0)
				return ERR_PARSE;
		} else if (*x->p == '<') {
			return 0;
		} else if (*x->p == '&') {
			if (xp_entity(x, out) != 0)
				return xp_fail(x, "bad entity");
		} else {
			if (buf_putc(out, *x->p) != 0)
				return xp_fail(x, "text too long");
			x->p++;
		}
	}
	return xp_fail(x, "unexpected end of document");
}

/* <tag>text</tag> or <tag/> (empty text); the text is left in t. */
static int xp_simple(struct xp *x, const char *tag, struct buf *t)
{
	int empty;

	buf_reset(t);
	if (xp_open(x, tag, &empty) != 0)
		return ERR_PARSE;
	if (empty)
		return 0;
	if (xp_text(x, t) != 0)
		return ERR_PARSE;
	return xp_close(x, tag);
}

static struct xr_value *xr_new(enum xr_type type)
{
	struct xr_value *v = xcalloc(1, sizeof(*v));

	v->type = type;
	return v;
}

static void xr_set_str(struct xr_value *v, const struct buf *t)
{
	v->type = XR_STRING;
	v->slen = t->len;
	v->s = xmalloc(t->len + 1);
	memcpy(v->s, buf_str(t), t->len + 1);
}

static void xr_add(struct xr_value *v, struct xr_value *item, char *key)
{
	v->items = xreallocarray(v->items, v->n + 1, sizeof(*v->items));
	if (v->type == XR_STRUCT)
		v->keys = xreallocarray(v->keys, v->n + 1, sizeof(*v->keys));
	v->items[v->n] = item;
	if (v->type == XR_STRUCT)
		v->keys[v->n] = key;
	v->n++;
}

static int xp_int(struct xp *x, const struct buf *t, long long *outp)
{
	const char *s = buf_str(t);
	char *endp;
	long long v;

	while (xp_is_space(*s))
		s++;
	if (!(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return xp_fail(x, "bad integer");
	errno = 0;
	v = strtoll(s, &endp, 10);
	while (xp_is_space(*endp))
		endp++;
	if (errno != 0 || endp == s || *endp != '\0' || (size_t)(endp - buf_str(t)) != t->len)
		return xp_fail(x, "bad integer");
	*outp = v;
	return 0;
}

static int xp_value(struct xp *x, struct xr_value **vp, struct buf *t);

static int xp_array(struct xp *x, struct xr_value *v, struct buf *t)
{
	struct xr_value *item;
	const char *name;
	size_t len;
	int empty;

	if (xp_open(x, "array", &empty) != 0)
		return ERR_PARSE;
	if (empty)
		return 0;
	if (xp_open(x, "data", &empty) != 0)
		return ERR_PARSE;
	if (!empty) {
		while ((name = xp_peek_open(x, &len)) != NULL && xp_name_is(name, len, "value")) {
			item = NULL;
			if (xp_value(x, &item, t) != 0)
				return ERR_PARSE;
			xr_add(v, item, NULL);
		}
		if (x->err != NULL || xp_close(x, "data") != 0)
			return ERR_PARSE;
	}
	return xp_close(x, "array");
}

static int xp_struct(struct xp *x, struct xr_value *v, struct buf *t)
{
	struct xr_value *item;
	const char *name;
	char *key;
	size_t len;
	int empty;

	if (xp_open(x, "struct", &empty) != 0)
		return ERR_PARSE;
	if (empty)
		return 0;
	while ((name = xp_peek_open(x, &len)) != NULL && xp_name_is(name, len, "member")) {
		if (xp_open(x, "member", &empty) != 0 || empty)
			return xp_fail(x, "empty <member>");
		if (xp_simple(x, "name", t) != 0)
			return ERR_PARSE;
		key = xstrdup(buf_str(t));
		item = NULL;
		if (xp_value(x, &item, t) != 0) {
			free(key);
			return ERR_PARSE;
		}
		xr_add(v, item, key);
		if (xp_close(x, "member") != 0)
			return ERR_PARSE;
	}
	if (x->err != NULL)
		return ERR_PARSE;
	return xp_close(x, "struct");
}

/* The typed content of a <value>, the tag being name. */
static int xp_typed(struct xp *x, const char *name, size_t len, struct xr_value *v, struct buf *t)
{
	char *endp;
	int empty;

	if (xp_name_is(name, len, "int") || xp_name_is(name, len, "i4") || xp_name_is(name, len, "i8")) {
		char tag[4] = {0};

		memcpy(tag, name, len);
		v->type = XR_INT;
		return xp_simple(x, tag, t) != 0 ? ERR_PARSE : xp_int(x, t, &v->i);
	}
	if (xp_name_is(name, len, "boolean")) {
		v->type = XR_BOOL;
		if (xp_simple(x, "boolean", t) != 0)
			return ERR_PARSE;
		if (strcmp(buf_str(t), "0") != 0 && strcmp(buf_str(t), "1") != 0)
			return xp_fail(x, "bad boolean");
		v->i = buf_str(t)[0] == '1';
		return 0;
	}
	if (xp_name_is(name, len, "string") || xp_name_is(name, len, "base64") ||
	    xp_name_is(name, len, "dateTime.iso8601")) {
		char tag[20] = {0};

		memcpy(tag, name, len);
		if (xp_simple(x, tag, t) != 0)
			return ERR_PARSE;
		xr_set_str(v, t);
		return 0;
	}
	if (xp_name_is(name, len, "double")) {
		v->type = XR_DOUBLE;
		if (xp_simple(x, "double", t) != 0)
			return ERR_PARSE;
		errno = 0;
		v->d = strtod(buf_str(t), &endp);
		if (errno != 0 || endp == buf_str(t) || *endp != '\0')
			return xp_fail(x, "bad double");
		return 0;
	}
	if (xp_name_is(name, len, "nil")) {
		v->type = XR_NIL;
		if (xp_open(x, "nil", &empty) != 0)
			return ERR_PARSE;
		return empty ? 0 : xp_close(x, "nil");
	}
	if (xp_name_is(name, len, "array")) {
		v->type = XR_ARRAY;
		return xp_array(x, v, t);
	}
	if (xp_name_is(name, len, "struct")) {
		v->type = XR_STRUCT;
		return xp_struct(x, v, t);
	}
	return xp_fail(x, "unknown value type");
}

static int xp_value(struct xp *x, struct xr_value **vp, struct buf *t)
{
	struct xr_value *v;
	const char *name;
	size_t len, i;
	int empty, r = ERR_PARSE;

	if (x->depth >= XMLRPC_MAX_DEPTH)
		return xp_fail(x, "values nested too deeply");
	if (++x->nvalues > XMLRPC_MAX_VALUES)
		return xp_fail(x, "too many values");
	v = *vp = xr_new(XR_STRING);
	x->depth++;
	if (xp_open(x, "value", &empty) != 0)
		goto out;
	if (empty) {
		v->s = xstrdup("");
		r = 0;
		goto out;
	}
	if (xp_text(x, t) != 0)
		goto out;
	if (xp_starts(x, "</")) {
		xr_set_str(v, t);
		r = xp_close(x, "value");
		goto out;
	}
	for (i = 0; i < t->len; i++)
		if (!xp_is_space(buf_str(t)[i]))
			break;
	name = xp_peek_open(x, &len);
	if (i < t->len || name == NULL) {
		xp_fail(x, "text mixed with a typed value");
		goto out;
	}
	if (xp_typed(x, name, len, v, t) != 0)
		goto out;
	r = xp_close(x, "value");
out:
	x->depth--;
	if (r != 0) {
		xr_free(v);
		*vp = NULL;
	}
	return r;
}

static int xp_params(struct xp *x, struct xr_value *params, struct buf *t)
{
	struct xr_value *v;
	const char *name;
	size_t len;
	int empty;

	if (xp_open(x, "params", &empty) != 0)
		return ERR_PARSE;
	if (empty)
		return 0;
	while ((name = xp_peek_open(x, &len)) != NULL && xp_name_is(name, len, "param")) {
		if (xp_open(x, "param", &empty) != 0 || empty)
			return xp_fail(x, "empty <param>");
		v = NULL;
		if (xp_value(x, &v, t) != 0) {
			xr_free(v);
			return ERR_PARSE;
		}
		xr_add(params, v, NULL);
		if (xp_close(x, "param") != 0)
			return ERR_PARSE;
	}
	if (x->err != NULL)
		return ERR_PARSE;
	return xp_close(x, "params");
}

static int xp_call(struct xp *x, char **methodp, struct xr_value *params, struct buf *t)
{
	const char *name;
	size_t len;
	int empty;

	if (xp_open(x, "methodCall", &empty) != 0)
		return ERR_PARSE;
	if (empty)
		return 0;
	while ((name = xp_peek_open(x, &len)) != NULL) {
		if (xp_name_is(name, len, "methodName") && *methodp == NULL) {
			if (xp_simple(x, "methodName", t) != 0)
				return ERR_PARSE;
			if (memchr(buf_str(t), '\0', t->len) != NULL)
				return xp_fail(x, "bad method name");
			*methodp = xstrdup(buf_str(t));
		} else if (xp_name_is(name, len, "params") && params->n == 0) {
			if (xp_params(x, params, t) != 0)
				return ERR_PARSE;
		} else {
			return xp_fail(x, "unexpected element in <methodCall>");
		}
	}
	if (x->err != NULL || xp_close(x, "methodCall") != 0 || xp_skip_misc(x) != 0)
		return ERR_PARSE;
	if (x->p != x->end)
		return xp_fail(x, "data after </methodCall>");
	return 0;
}

int xmlrpc_parse_call(const char *data, size_t n, char **methodp, struct xr_value **paramsp, char **errp)
{
	struct xp x = {data, data, data + n, 0, 0, NULL};
	struct xr_value *params = xr_new(XR_ARRAY);
	struct buf t;
	char *method = NULL;
	int r = ERR_PARSE;

	*methodp = NULL;
	*paramsp = NULL;
	*errp = NULL;
	buf_init(&t, n + 1);
	if (xp_call(&x, &method, params, &t) != 0) {
		if (x.err == NULL)
			xp_fail(&x, "malformed call");
		*errp = x.err;
		x.err = NULL;
		goto out;
	}
	*methodp = method != NULL ? method : xstrdup("");
	method = NULL;
	*paramsp = params;
	params = NULL;
	r = 0;
out:
	free(x.err);
	free(method);
	xr_free(params);
	buf_fini(&t);
	return r;
}

void xr_free(struct xr_value *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		xr_free(v->items[i]);
		if (v->keys != NULL)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->s);
	free(v);
}

const struct xr_value *xr_member(const struct xr_value *v, const char *key)
{
	size_t i;

	if (v == NULL || v->type != XR_STRUCT)
		return NULL;
	for (i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

int xr_truth(const struct xr_value *v)
{
	switch (v->type) {
	case XR_INT:
	case XR_BOOL: return v->i != 0;
	case XR_DOUBLE: return v->d != 0;
	case XR_STRING: return v->slen != 0;
	case XR_ARRAY:
	case XR_STRUCT: return v->n != 0;
	case XR_NIL: break;
	}
	return 0;
}

/* ---- the encoder ---- */

/* Length of a UTF-8 sequence XML can carry at s, or 0. */
static size_t xmlrpc_utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_next(s, n, &cp);

	if (len == 0)
		return 0;
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		return 0;
	return cp == 0xfffe || cp == 0xffff ? 0 : len;
}

static void xmlrpc_escape(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;

	while (i < n) {
		len = xmlrpc_utf8_len(u + i, n - i);
		if (len == 0) {
			buf_puts(b, "\xef\xbf\xbd");
			i++;
		} else if (u[i] == '&') {
			buf_puts(b, "&amp;");
			i++;
		} else if (u[i] == '<') {
			buf_puts(b, "&lt;");
			i++;
		} else if (u[i] == '>') {
			buf_puts(b, "&gt;");
			i++;
		} else {
			buf_put(b, s + i, len);
			i += len;
		}
	}
}

void xmlrpc_put_int(struct buf *b, long long v)
{
	buf_printf(b, "<value><int>%lld</int></value>\n", v);
}

void xmlrpc_put_bool(struct buf *b, int v)
{
	buf_printf(b, "<value><boolean>%d</boolean></value>\n", v ? 1 : 0);
}

void xmlrpc_put_strn(struct buf *b, const char *s, size_t n)
{
	buf_puts(b, "<value><string>");
	xmlrpc_escape(b, s, n);
	buf_puts(b, "</string></value>\n");
}

void xmlrpc_put_str(struct buf *b, const char *s)
{
	xmlrpc_put_strn(b, s, strlen(s));
}

void xmlrpc_put_array_begin(struct buf *b)
{
	buf_puts(b, "<value><array><data>\n");
}

void xmlrpc_put_array_end(struct buf *b)
{
	buf_puts(b, "</data></array></value>\n");
}

void xmlrpc_put_struct_begin(struct buf *b)
{
	buf_puts(b, "<value><struct>\n");
}

void xmlrpc_put_member(struct buf *b, const char *name)
{
	buf_puts(b, "<member>\n<name>");
	xmlrpc_escape(b, name, strlen(name));
	buf_puts(b, "</name>\n");
}

void xmlrpc_put_member_end(struct buf *b)
{
	buf_puts(b, "</member>\n");
}

void xmlrpc_put_struct_end(struct buf *b)
{
	buf_puts(b, "</struct></value>\n");
}

void xmlrpc_put_kv_int(struct buf *b, const char *key, long long v)
{
	xmlrpc_put_member(b, key);
	xmlrpc_put_int(b, v);
	xmlrpc_put_member_end(b);
}

void xmlrpc_put_kv_bool(struct buf *b, const char *key, int v)
{
	xmlrpc_put_member(b, key);
	xmlrpc_put_bool(b, v);
	xmlrpc_put_member_end(b);
}

void xmlrpc_put_kv_str(struct buf *b, const char *key, const char *v)
{
	xmlrpc_put_member(b, key);
	xmlrpc_put_str(b, v);
	xmlrpc_put_member_end(b);
}

void xmlrpc_put_fault_value(struct buf *b, int code, const char *text)
{
	xmlrpc_put_struct_begin(b);
	xmlrpc_put_kv_int(b, "faultCode", code);
	xmlrpc_put_kv_str(b, "faultString", text);
	xmlrpc_put_struct_end(b);
}

void xmlrpc_response(struct buf *out, const struct buf *val)
{
	buf_puts(out, "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n");
	buf_put(out, buf_ptr(val), buf_avail(val));
	buf_puts(out, "</param>\n</params>\n</methodResponse>\n");
}

void xmlrpc_fault(struct buf *out, int code, const char *text)
{
	buf_puts(out, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n");
	xmlrpc_put_fault_value(out, code, text);
	buf_puts(out, "</fault>\n</methodResponse>\n");
}
