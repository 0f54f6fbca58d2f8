/* XML-RPC encoding (byte-identical to Python's xmlrpc.client.dumps) and a
 * small recursive-descent decoder for the subset of XML that XML-RPC uses. */
#include "data/xmlrpc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/err.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

/* ---- encoding: the putters ---- */

/* Length of a UTF-8 sequence XML can carry at s, or 0. */
static size_t xmlrpc_xml_char(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len = utf8_next(s, n, &cp);

	if (len == 0)
		return 0;
	if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r')
		return 0;
	return cp == 0xfffe || cp == 0xffff ? 0 : len;
}

/* Text as xmlrpc.client escapes it (&, <, >), with U+FFFD for what XML
 * cannot carry. */
static int xmlrpc_put_escaped(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, len;
	int r = 0;

	while (i < n && r == 0) {
		len = xmlrpc_xml_char(u + i, n - i);
		if (len == 0)
			r = buf_puts(b, "\xef\xbf\xbd");
		else if (u[i] == '&' || u[i] == '<' || u[i] == '>')
			r = buf_puts(b, u[i] == '&' ? "&amp;" : u[i] == '<' ? "&lt;" : "&gt;");
		else
			r = buf_put(b, s + i, len);
		i += len != 0 ? len : 1;
	}
	return r;
}

/* Python's repr(float): the shortest text that reads back as f, in fixed
 * notation for exponents -4..15 and with ".0" on integral values. */
static int xmlrpc_put_repr(struct buf *out, double f)
{
	char tmp[64];
	int prec, e10;

	if (!isfinite(f))
		return buf_puts(out, isnan(f) ? "nan" : f < 0 ? "-inf" : "inf");
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
	e10 = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
	if (e10 >= -4 && e10 < 16)
		snprintf(tmp, sizeof(tmp), "%.*f", prec - 1 - e10 > 0 ? prec - 1 - e10 : 0, f);
	else
		snprintf(tmp, sizeof(tmp), "%.*g", prec, f);
	if (strpbrk(tmp, ".e") == NULL)
		return buf_printf(out, "%s.0", tmp);
	return buf_puts(out, tmp);
}

int xmlrpc_put_int(struct buf *b, long long v)
{
	return buf_printf(b, "<value><int>%lld</int></value>\n", v);
}

int xmlrpc_put_bool(struct buf *b, int v)
{
	return buf_printf(b, "<value><boolean>%d</boolean></value>\n", v ? 1 : 0);
}

int xmlrpc_put_double(struct buf *b, double f)
{
	int r = buf_puts(b, "<value><double>");

	if (r == 0)
		r = xmlrpc_put_repr(b, f);
	return r != 0 ? r : buf_puts(b, "</double></value>\n");
}

int xmlrpc_put_nil(struct buf *b)
{
	/* xmlrpc.client writes no newline after a nil, unlike every other type. */
	return buf_puts(b, "<value><nil/></value>");
}

int xmlrpc_put_strn(struct buf *b, const char *s, size_t n)
{
	int r = buf_puts(b, "<value><string>");

	if (r == 0)
		r = xmlrpc_put_escaped(b, s, n);
	return r != 0 ? r : buf_puts(b, "</string></value>\n");
}

int xmlrpc_put_str(struct buf *b, const char *s)
{
	return xmlrpc_put_strn(b, s, strlen(s));
}

int xmlrpc_put_array_begin(struct buf *b)
{
	return buf_puts(b, "<value><array><data>\n");
}

int xmlrpc_put_array_end(struct buf *b)
{
	return buf_puts(b, "</data></array></value>\n");
}

int xmlrpc_put_struct_begin(struct buf *b)
{
	return buf_puts(b, "<value><struct>\n");
}

static int xmlrpc_put_membern(struct buf *b, const char *name, size_t n)
{
	int r = buf_puts(b, "<member>\n<name>");

	if (r == 0)
		r = xmlrpc_put_escaped(b, name, n);
	return r != 0 ? r : buf_puts(b, "</name>\n");
}

int xmlrpc_put_member(struct buf *b, const char *name)
{
	return xmlrpc_put_membern(b, name, strlen(name));
}

int xmlrpc_put_member_end(struct buf *b)
{
	return buf_puts(b, "</member>\n");
}

int xmlrpc_put_struct_end(struct buf *b)
{
	return buf_puts(b, "</struct></value>\n");
}

int xmlrpc_put_kv_int(struct buf *b, const char *key, long long v)
{
	int r = xmlrpc_put_member(b, key);

	if (r == 0)
		r = xmlrpc_put_int(b, v);
	return r != 0 ? r : xmlrpc_put_member_end(b);
}

int xmlrpc_put_kv_bool(struct buf *b, const char *key, int v)
{
	int r = xmlrpc_put_member(b, key);

	if (r == 0)
		r = xmlrpc_put_bool(b, v);
	return r != 0 ? r : xmlrpc_put_member_end(b);
}

int xmlrpc_put_kv_str(struct buf *b, const char *key, const char *v)
{
	int r = xmlrpc_put_member(b, key);

	if (r == 0)
		r = xmlrpc_put_str(b, v);
	return r != 0 ? r : xmlrpc_put_member_end(b);
}

int xmlrpc_put_fault_value(struct buf *b, int code, const char *text)
{
	int r = xmlrpc_put_struct_begin(b);

	if (r == 0)
		r = xmlrpc_put_kv_int(b, "faultCode", code);
	if (r == 0)
		r = xmlrpc_put_kv_str(b, "faultString", text);
	return r != 0 ? r : xmlrpc_put_struct_end(b);
}

/* ---- encoding: documents ---- */

static int xmlrpc_put_value(struct buf *out, const struct value *v, int depth)
{
	size_t i;
	int r = 0;

	if (depth > XMLRPC_DEPTH_CAP)
		return ERR_INVAL;
	switch (v->type) {
	case VALUE_NULL: return xmlrpc_put_nil(out);
	case VALUE_BOOL: return xmlrpc_put_bool(out, v->u.b);
	case VALUE_INT:
		/* Python refuses what <int> cannot carry. */
		if (v->u.i > INT32_MAX || v->u.i < INT32_MIN)
			return ERR_INVAL;
		return xmlrpc_put_int(out, (long long)v->u.i);
	case VALUE_FLOAT: return xmlrpc_put_double(out, v->u.f);
	case VALUE_STR: return xmlrpc_put_strn(out, v->u.s.ptr, v->u.s.len);
	case VALUE_LIST:
		r = xmlrpc_put_array_begin(out);
		for (i = 0; i < v->u.l.len && r == 0; i++)
			r = xmlrpc_put_value(out, v->u.l.items[i], depth + 1);
		return r != 0 ? r : xmlrpc_put_array_end(out);
	case VALUE_MAP:
		r = xmlrpc_put_struct_begin(out);
		for (i = 0; i < v->u.m.len && r == 0; i++) {
			const struct value *k = v->u.m.ents[i].key;

			if ((r = xmlrpc_put_membern(out, k->u.s.ptr, k->u.s.len)) == 0 &&
			    (r = xmlrpc_put_value(out, v->u.m.ents[i].val, depth + 1)) == 0)
				r = xmlrpc_put_member_end(out);
		}
		return r != 0 ? r : xmlrpc_put_struct_end(out);
	}
	return ERR_INVAL;
}

int xmlrpc_encode_call(const char *method, const struct value *params, struct buf *out)
{
	size_t i, n = params != NULL ? value_len(params) : 0;
	int r;

	r = buf_puts(out, "<?xml version='1.0'?>\n<methodCall>\n<methodName>");
	if (r == 0)
		r = xmlrpc_put_escaped(out, method, strlen(method));
	if (r == 0)
		r = buf_puts(out, "</methodName>\n<params>\n");
	for (i = 0; i < n && r == 0; i++) {
		if ((r = buf_puts(out, "<param>\n")) == 0 &&
		    (r = xmlrpc_put_value(out, value_list_at(params, i), 0)) == 0)
			r = buf_puts(out, "</param>\n");
	}
	return r != 0 ? r : buf_puts(out, "</params>\n</methodCall>\n");
}

static const char xmlrpc_resp_head[] = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
static const char xmlrpc_resp_tail[] = "</param>\n</params>\n</methodResponse>\n";

int xmlrpc_wrap_response(const struct buf *val, struct buf *out)
{
	int r = buf_puts(out, xmlrpc_resp_head);

	if (r == 0)
		r = buf_put(out, buf_ptr(val), buf_avail(val));
	return r != 0 ? r : buf_puts(out, xmlrpc_resp_tail);
}

int xmlrpc_encode_response(const struct value *v, struct buf *out)
{
	int r = buf_puts(out, xmlrpc_resp_head);

	if (r == 0)
		r = xmlrpc_put_value(out, v, 0);
	return r != 0 ? r : buf_puts(out, xmlrpc_resp_tail);
}

int xmlrpc_encode_fault(int code, const char *msg, struct buf *out)
{
	int r = buf_puts(out, "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n");

	if (r == 0)
		r = xmlrpc_put_fault_value(out, code, msg);
	return r != 0 ? r : buf_puts(out, "</fault>\n</methodResponse>\n");
}

/* ---- decoding ---- */

enum xr_kind { XR_OPEN, XR_CLOSE, XR_EMPTY };

struct xr {
	const char *start, *p, *end;
	const char *file;
	struct diag *d;
	struct buf text; /* scratch for character data */
	size_t nvalues;
};

__attribute__((format(printf, 3, 4))) static int xr_fail(struct xr *x, const char *at, const char *fmt, ...)
{
	const char *q;
	int line = 1, col = 1;
	char *msg;
	va_list ap;

	for (q = x->start; q < at && q < x->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_set(x->d, x->file, line, col, "%s", msg);
	free(msg);
	return ERR_PARSE;
}

static int xr_starts(const struct xr *x, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(x->end - x->p) >= n && memcmp(x->p, s, n) == 0;
}

/* Moves past the next occurrence of s; fails at the end of input. */
static int xr_skip_past(struct xr *x, const char *s, const char *what)
{
	const char *at = x->p;
	size_t n = strlen(s);

	for (; x->end - x->p >= (ptrdiff_t)n; x->p++) {
		if (memcmp(x->p, s, n) == 0) {
			x->p += n;
			return 0;
		}
	}
	return xr_fail(x, at, "unterminated %s", what);
}

/* Skips whitespace, comments and processing instructions. */
static int xr_misc(struct xr *x)
{
	int r;

	for (;;) {
		while (x->p < x->end && (*x->p == ' ' || *x->p == '\t' || *x->p == '\r' || *x->p == '\n'))
			x->p++;
		if (xr_starts(x, "<!--"))
			r = xr_skip_past(x, "-->", "comment");
		else if (xr_starts(x, "<?"))
			r = xr_skip_past(x, "?>", "processing instruction");
		else if (xr_starts(x, "<!") && !xr_starts(x, "<![CDATA["))
			return xr_fail(x, x->p, "document type declarations are not accepted");
		else
			return 0;
		if (r != 0)
			return r;
	}
}

static int xr_namechar(char c)
{
	return c != '\0' && strchr(" \t\r\n/>=<\"'", c) == NULL;
}

/* Reads the tag at x->p (after xr_misc) into name; attributes are skipped. */
static int xr_tag(struct xr *x, char *name, size_t cap, enum xr_kind *kindp)
{
	const char *at = x->p, *n0;
	char quote = 0;

	if (x->p >= x->end || *x->p != '<')
		return xr_fail(x, at, x->p >= x->end ? "unexpected end of document" : "expected a tag");
	x->p++;
	*kindp = XR_OPEN;
	if (x->p < x->end && *x->p == '/') {
		*kindp = XR_CLOSE;
		x->p++;
	}
	for (n0 = x->p; x->p < x->end && xr_namechar(*x->p); x->p++)
		;
	if (x->p == n0 || (size_t)(x->p - n0) >= cap)
		return xr_fail(x, at, "bad tag name");
	memcpy(name, n0, (size_t)(x->p - n0));
	name[x->p - n0] = '\0';
	for (; x->p < x->end; x->p++) {
		if (quote != 0) {
			if (*x->p == quote)
				quote = 0;
		} else if (*x->p == '"' || *x->p == '\'') {
			quote = *x->p;
		} else if (*x->p == '>') {
			if (x->p[-1] == '/' && *kindp == XR_OPEN)
				*kindp = XR_EMPTY;
			x->p++;
			return 0;
		} else if (*x->p == '<') {
			break;
		}
	}
	return xr_fail(x, at, "unterminated tag <%s", name);
}

/* Reads the next tag, which must be </name> when closing, else <name> (or
 * <name/> when emptyp is given, which then says which it was). */
static int xr_expect(struct xr *x, const char *name, int closing, int *emptyp)
{
	char got[64];
	enum xr_kind k;
	const char *at;
	int r, ok;

	if ((r = xr_misc(x)) != 0)
		return r;
	at = x->p;
	if ((r = xr_tag(x, got, sizeof(got), &k)) != 0)
		return r;
	ok = closing ? k == XR_CLOSE : k == XR_OPEN || (k == XR_EMPTY && emptyp != NULL);
	if (!ok || strcmp(got, name) != 0)
		return xr_fail(x, at, "expected <%s%s>, found <%s%s>", closing ? "/" : "", name,
		               k == XR_CLOSE ? "/" : "", got);
	if (emptyp != NULL)
		*emptyp = k == XR_EMPTY;
	return 0;
}

static int xr_open(struct xr *x, const char *name, int *emptyp)
{
	return xr_expect(x, name, 0, emptyp);
}

static int xr_close(struct xr *x, const char *name)
{
	return xr_expect(x, name, 1, NULL);
}

/* Is the next tag (after blanks and comments) a closing one? */
static int xr_at_close(struct xr *x)
{
	return xr_misc(x) == 0 && xr_starts(x, "</");
}

static int xr_entity(struct xr *x)
{
	static const struct {
		const char *name;
		char c;
	} named[] = {{"lt;", '<'}, {"gt;", '>'}, {"amp;", '&'}, {"quot;", '"'}, {"apos;", '\''}};
	const char *at = x->p;
	unsigned long c = 0;
	size_t i;
	int base = 10, digits = 0;

	x->p++;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (xr_starts(x, named[i].name)) {
			x->p += strlen(named[i].name);
			return buf_putc(&x->text, named[i].c);
		}
	}
	if (!xr_starts(x, "#"))
		return xr_fail(x, at, "undefined entity");
	x->p++;
	if (xr_starts(x, "x")) {
		base = 16;
		x->p++;
	}
	for (; x->p < x->end && *x->p != ';'; x->p++, digits++) {
		int dv = *x->p >= '0' && *x->p <= '9'                 ? *x->p - '0'
		         : base == 16 && *x->p >= 'a' && *x->p <= 'f' ? *x->p - 'a' + 10
		         : base == 16 && *x->p >= 'A' && *x->p <= 'F' ? *x->p - 'A' + 10
		                                                      : -1;

		if (dv < 0 || c > 0x10ffff)
			return xr_fail(x, at, "bad character reference");
		c = c * (unsigned long)base + (unsigned long)dv;
	}
	if (x->p >= x->end || digits == 0 || c == 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return xr_fail(x, at, "bad character reference");
	x->p++;
	return buf_put_utf8(&x->text, (uint32_t)c);
}

/* Reads character data up to the next tag into x->text (reset first),
 * decoding references and CDATA and normalizing line ends as expat does. */
static int xr_text(struct xr *x)
{
	int r = 0;

	buf_reset(&x->text);
	while (x->p < x->end && r == 0) {
		if (xr_starts(x, "<![CDATA[")) {
			const char *s;

			x->p += 9;
			s = x->p;
			if ((r = xr_skip_past(x, "]]>", "CDATA section")) == 0)
				r = buf_put(&x->text, s, (size_t)(x->p - 3 - s));
		} else if (xr_starts(x, "<!--")) {
			r = xr_skip_past(x, "-->", "comment");
		} else if (*x->p == '<') {
			return 0;
		} else if (*x->p == '&') {
			r = xr_entity(x);
		} else if (*x->p == '\r') {
			x->p++;
			if (x->p < x->end && *x->p == '\n')
				x->p++;
			r = buf_putc(&x->text, '\n');
		} else if (*x->p == '\0') {
			return xr_fail(x, x->p, "NUL byte in document");
		} else {
			const char *s = x->p;

			while (x->p < x->end && *x->p != '<' && *x->p != '&' && *x->p != '\r' && *x->p != '\0')
				x->p++;
			r = buf_put(&x->text, s, (size_t)(x->p - s));
		}
	}
	if (r == 0 && x->p >= x->end)
		return xr_fail(x, x->p, "unexpected end of document");
	return r;
}

static int xr_blank(const struct buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (strchr(" \t\n", b->data[i]) == NULL)
			return 0;
	return 1;
}

static int xr_value(struct xr *x, int depth, struct value **vp);

/* Decodes <value>...</value> or <value/> (an empty string). */
static int xr_item(struct xr *x, int depth, struct value **vp)
{
	int r, empty;

	*vp = NULL;
	if ((r = xr_open(x, "value", &empty)) != 0)
		return r;
	if (++x->nvalues > XMLRPC_VALUES_CAP)
		return xr_fail(x, x->p, "more than %d values", XMLRPC_VALUES_CAP);
	if (!empty)
		return xr_value(x, depth, vp);
	*vp = value_str("");
	return 0;
}

/* The text of <name>...</name> as an int (Python's int(): blanks around,
 * optional sign). */
static int xr_scalar_int(struct xr *x, const char *at, struct value **vp)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(buf_str(&x->text), &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (x->text.len == 0 || *end != '\0' || errno != 0 || xr_blank(&x->text))
		return xr_fail(x, at, "bad integer '%.40s'", buf_str(&x->text));
	*vp = value_int(n);
	return 0;
}

static int xr_scalar(struct xr *x, const char *type, const char *at, struct value **vp)
{
	const char *s = buf_str(&x->text);
	char *end;
	struct buf bin;
	int r;

	if (strcmp(type, "int") == 0 || strcmp(type, "i4") == 0 || strcmp(type, "i8") == 0)
		return xr_scalar_int(x, at, vp);
	if (strcmp(type, "boolean") == 0) {
		if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
			return xr_fail(x, at, "bad boolean value '%.40s'", s);
		*vp = value_bool(*s == '1');
		return 0;
	}
	if (strcmp(type, "string") == 0 || strcmp(type, "dateTime.iso8601") == 0) {
		*vp = value_strn(x->text.data != NULL ? x->text.data : "", x->text.len);
		return 0;
	}
	if (strcmp(type, "double") == 0) {
		double f = strtod(s, &end);

		if (x->text.len == 0 || *end != '\0')
			return xr_fail(x, at, "bad double '%.40s'", s);
		*vp = value_float(f);
		return 0;
	}
	if (strcmp(type, "base64") == 0) {
		buf_init(&bin, XMLRPC_SIZE_CAP);
		r = base64_decode(s, x->text.len, &bin);
		if (r != 0) {
			buf_fini(&bin);
			return xr_fail(x, at, "bad base64 data");
		}
		*vp = value_strn(buf_str(&bin), bin.len);
		buf_fini(&bin);
		return 0;
	}
	return xr_fail(x, at, "unknown type <%s>", type);
}

static int xr_array(struct xr *x, int depth, struct value **vp)
{
	struct value *l = value_list(), *item = NULL;
	int r, empty;

	if ((r = xr_open(x, "data", &empty)) != 0)
		goto out;
	while (!empty && !xr_at_close(x)) {
		if ((r = xr_item(x, depth + 1, &item)) != 0)
			goto out;
		value_list_push(l, item);
	}
	if (!empty && (r = xr_close(x, "data")) != 0)
		goto out;
	r = xr_close(x, "array");
out:
	if (r != 0)
		value_unref(l);
	else
		*vp = l;
	return r;
}

static int xr_member(struct xr *x, int depth, struct value *m)
{
	struct value *v = NULL;
	char *name = NULL;
	int r, empty;

	if ((r = xr_open(x, "member", NULL)) != 0 || (r = xr_open(x, "name", &empty)) != 0)
		goto out;
	if (!empty && ((r = xr_text(x)) != 0 || (r = xr_close(x, "name")) != 0))
		goto out;
	name = empty ? xstrdup("") : xstrndup(x->text.data != NULL ? x->text.data : "", x->text.len);
	if ((r = xr_item(x, depth + 1, &v)) != 0 || (r = xr_close(x, "member")) != 0)
		goto out;
	value_map_set(m, name, v);
	v = NULL;
out:
	value_unref(v);
	free(name);
	return r;
}

static int xr_struct(struct xr *x, int depth, struct value **vp)
{
	struct value *m = value_map();
	int r = 0;

	while (!xr_at_close(x) && r == 0)
		r = xr_member(x, depth, m);
	if (r == 0)
		r = xr_close(x, "struct");
	if (r != 0)
		value_unref(m);
	else
		*vp = m;
	return r;
}

/* Decodes the inside of a <value> (its open tag already read) and its
 * closing tag. */
static int xr_value(struct xr *x, int depth, struct value **vp)
{
	char type[32];
	enum xr_kind k;
	const char *at;
	int r;

	*vp = NULL;
	if (depth > XMLRPC_DEPTH_CAP)
		return xr_fail(x, x->p, "values nested too deeply");
	if ((r = xr_text(x)) != 0)
		return r;
	if (xr_starts(x, "</")) {
		*vp = value_strn(x->text.data != NULL ? x->text.data : "", x->text.len);
		goto close;
	}
	at = x->p;
	if (!xr_blank(&x->text))
		return xr_fail(x, at, "text before a typed value");
	if ((r = xr_tag(x, type, sizeof(type), &k)) != 0)
		return r;
	if (k == XR_EMPTY) {
		if (strcmp(type, "nil") == 0)
			*vp = value_null();
		else if (strcmp(type, "string") == 0 || strcmp(type, "base64") == 0)
			*vp = value_str("");
		else if (strcmp(type, "array") == 0)
			*vp = value_list();
		else if (strcmp(type, "struct") == 0)
			*vp = value_map();
		else
			return xr_fail(x, at, "empty <%s/>", type);
	} else if (k == XR_CLOSE) {
		return xr_fail(x, at, "unexpected </%s>", type);
	} else if (strcmp(type, "array") == 0) {
		r = xr_array(x, depth, vp);
	} else if (strcmp(type, "struct") == 0) {
		r = xr_struct(x, depth, vp);
	} else if (strcmp(type, "nil") == 0) {
		*vp = value_null();
		r = xr_close(x, "nil");
	} else if ((r = xr_text(x)) == 0 && (r = xr_scalar(x, type, at, vp)) == 0) {
		r = xr_close(x, type);
	}
	if (r != 0)
		goto fail;
close:
	if ((r = xr_close(x, "value")) == 0)
		return 0;
fail:
	value_unref(*vp);
	*vp = NULL;
	return r;
}

static int xr_begin(struct xr *x, const char *text, size_t len, const char *file, struct diag *d)
{
	memset(x, 0, sizeof(*x));
	x->start = x->p = text;
	x->end = text + len;
	x->file = file;
	x->d = d;
	buf_init(&x->text, XMLRPC_SIZE_CAP);
	if (len > XMLRPC_SIZE_CAP) {
		diag_set(d, file, 0, 0, "XML-RPC document too big (%zu bytes)", len);
		return ERR_TOOBIG;
	}
	return 0;
}

/* After the root element: only blanks, comments and PIs. */
static int xr_finish(struct xr *x)
{
	int r = xr_misc(x);

	if (r == 0 && x->p != x->end)
		r = xr_fail(x, x->p, "junk after document element");
	return r;
}

static int xr_param(struct xr *x, struct value **vp)
{
	int r;

	if ((r = xr_open(x, "param", NULL)) != 0 || (r = xr_item(x, 0, vp)) != 0)
		return r;
	if ((r = xr_close(x, "param")) != 0) {
		value_unref(*vp);
		*vp = NULL;
	}
	return r;
}

static int xr_fault(struct xr *x, struct value **vp)
{
	const char *at;
	struct value *f = NULL;
	int r;

	if ((r = xr_open(x, "value", NULL)) != 0)
		return r;
	at = x->p;
	if ((r = xr_value(x, 0, &f)) != 0)
		return r;
	if (f->type != VALUE_MAP || value_map_get(f, "faultCode") == NULL ||
	    value_map_get(f, "faultCode")->type != VALUE_INT || !value_is_str(value_map_get(f, "faultString"))) {
		value_unref(f);
		return xr_fail(x, at, "a fault must be a struct of faultCode (int) and faultString");
	}
	if ((r = xr_close(x, "fault")) != 0) {
		value_unref(f);
		return r;
	}
	*vp = f;
	return 0;
}

int xmlrpc_decode_response(const char *text, size_t len, const char *file, struct value **resultp, int *faultp,
                           struct diag *d)
{
	struct value *v = NULL;
	struct xr x;
	char tag[16];
	enum xr_kind k;
	const char *at;
	int r = ERR_INTERNAL;

	*resultp = NULL;
	*faultp = 0;
	if ((r = xr_begin(&x, text, len, file, d)) != 0)
		goto out;
	if ((r = xr_open(&x, "methodResponse", NULL)) != 0 || (r = xr_misc(&x)) != 0)
		goto out;
	at = x.p;
	if ((r = xr_tag(&x, tag, sizeof(tag), &k)) != 0)
		goto out;
	if (k == XR_OPEN && strcmp(tag, "fault") == 0) {
		*faultp = 1;
		r = xr_fault(&x, &v);
	} else if (k == XR_OPEN && strcmp(tag, "params") == 0) {
		if ((r = xr_param(&x, &v)) == 0)
			r = xr_close(&x, "params");
	} else {
		r = xr_fail(&x, at, "expected <params> or <fault>");
	}
	if (r != 0 || (r = xr_close(&x, "methodResponse")) != 0 || (r = xr_finish(&x)) != 0)
		goto out;
	*resultp = v;
	v = NULL;
	r = 0;
out:
	if (r != 0)
		*faultp = 0;
	value_unref(v);
	buf_fini(&x.text);
	return r;
}

int xmlrpc_decode_call(const char *text, size_t len, const char *file, char **methodp, struct value **paramsp,
                       struct diag *d)
{
	struct value *params = value_list(), *v = NULL;
	char *method = NULL;
	struct xr x;
	int r = ERR_INTERNAL, empty;

	*methodp = NULL;
	*paramsp = NULL;
	if ((r = xr_begin(&x, text, len, file, d)) != 0)
		goto out;
	if ((r = xr_open(&x, "methodCall", NULL)) != 0 || (r = xr_open(&x, "methodName", NULL)) != 0 ||
	    (r = xr_text(&x)) != 0)
		goto out;
	method = xstrndup(x.text.data != NULL ? x.text.data : "", x.text.len);
	if ((r = xr_close(&x, "methodName")) != 0)
		goto out;
	if (!xr_at_close(&x)) {
		if ((r = xr_open(&x, "params", &empty)) != 0)
			goto out;
		while (!empty && !xr_at_close(&x)) {
			if ((r = xr_param(&x, &v)) != 0)
				goto out;
			value_list_push(params, v);
		}
		if (!empty && (r = xr_close(&x, "params")) != 0)
			goto out;
	}
	if ((r = xr_close(&x, "methodCall")) != 0 || (r = xr_finish(&x)) != 0)
		goto out;
	*methodp = method;
	*paramsp = params;
	method = NULL;
	params = NULL;
	r = 0;
out:
	free(method);
	value_unref(params);
	buf_fini(&x.text);
	return r;
}
