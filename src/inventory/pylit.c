/* Python literal expressions (the subset ast.literal_eval accepts) and
 * Python's repr()/str() of value trees. The parser answers one question:
 * "is this whole text a literal?"; anything else Python could parse is, for
 * literal_eval, an error that Ansible turns back into the original string,
 * so no general Python parser is needed. */
#include "inventory/pylit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "data/yaml.h"

enum pl_kind {
	PL_NUM,    /* an int or float constant */
	PL_IMAG,   /* an imaginary constant (2j) */
	PL_SIGNED, /* a unary sign applied to PL_NUM/PL_IMAG */
	PL_OTHER,  /* any other literal */
};

struct pl {
	const char *s;
	size_t n, i;
	const char *file;
	int line, col;
	int depth;
	int notlit;          /* not a literal: the caller keeps the text */
	const char *why;     /* first reason the literal cannot be used */
};

static void pl_unsupported(struct pl *p, const char *why)
{
	if (p->why == NULL)
		p->why = why;
}

static struct value *pl_pos(struct pl *p, struct value *v)
{
	return value_at(v, p->file, (uint32_t)p->line, (uint32_t)p->col);
}

static int pl_ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       (unsigned char)c >= 0x80;
}

static int pl_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Skips blanks and a comment (which runs to the end: there are no newlines
 * in an inventory value). */
static void pl_ws(struct pl *p)
{
	while (p->i < p->n) {
		char c = p->s[p->i];

		if (c == ' ' || c == '\t' || c == '\f')
			p->i++;
		else if (c == '#')
			p->i = p->n;
		else
			break;
	}
}

static int pl_peek(struct pl *p)
{
	pl_ws(p);
	return p->i < p->n ? (unsigned char)p->s[p->i] : -1;
}

/* Reads "digit (_? digit)*" of the given digit class at i; returns the
 * number of digits (0 if none) and fails (-1) on a misplaced underscore. */
static int pl_digitpart(struct pl *p, int base)
{
	int count = 0;

	for (;;) {
		char c = p->i < p->n ? p->s[p->i] : '\0';
		int ok = base == 16 ? (pl_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')) :
		         base == 8 ? (c >= '0' && c <= '7') : base == 2 ? (c == '0' || c == '1') : pl_digit(c);

		if (ok) {
			p->i++;
			count++;
			continue;
		}
		if (c == '_' && count > 0) {
			char d = p->i + 1 < p->n ? p->s[p->i + 1] : '\0';
			int next = base == 16 ? (pl_digit(d) || (d >= 'a' && d <= 'f') || (d >= 'A' && d <= 'F')) :
			           base == 8 ? (d >= '0' && d <= '7') : base == 2 ? (d == '0' || d == '1') : pl_digit(d);

			if (!next)
				return -1;
			p->i++;
			continue;
		}
		return count;
	}
}

static struct value *pl_int_text(struct pl *p, const char *s, size_t n, int base)
{
	uint64_t v = 0;
	size_t k;
	int d;

	for (k = 0; k < n; k++) {
		if (s[k] == '_')
			continue;
		d = pl_digit(s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10;
		if (v > ((uint64_t)INT64_MAX + 1 - (uint64_t)d) / (uint64_t)base) {
			pl_unsupported(p, "integer out of range (drover's integers are 64-bit; quote the value to keep it as a string)");
			return value_int(0);
		}
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (v > (uint64_t)INT64_MAX) {
		/* Only -9223372036854775808 fits; the sign is applied later, so
		 * keep the magnitude as the most negative value and let the sign
		 * code recognise it. */
		return value_int(INT64_MIN);
	}
	return value_int((int64_t)v);
}

static struct value *pl_number(struct pl *p, enum pl_kind *kindp)
{
	size_t start = p->i, end;
	int base = 0, isfloat = 0, r;
	char *text, *q;
	struct value *v;
	double f;

	*kindp = PL_NUM;
	if (p->s[p->i] == '0' && p->i + 1 < p->n && strchr("xXoObB", p->s[p->i + 1]) != NULL) {
		char c = (char)(p->s[p->i + 1] | 0x20);

		base = c == 'x' ? 16 : c == 'o' ? 8 : 2;
		p->i += 2;
		if (p->i < p->n && p->s[p->i] == '_')
			p->i++;
		r = pl_digitpart(p, base);
		if (r <= 0)
			goto notlit;
		if (p->i < p->n && pl_ident_char(p->s[p->i]))
			goto notlit;
		return pl_pos(p, pl_int_text(p, p->s + start + 2, p->i - start - 2, base));
	}
	if (p->s[p->i] != '.' && pl_digitpart(p, 10) < 0)
		goto notlit;
	if (p->i < p->n && p->s[p->i] == '.') {
		isfloat = 1;
		p->i++;
		if (p->i < p->n && pl_digit(p->s[p->i]) && pl_digitpart(p, 10) < 0)
			goto notlit;
		if (p->i - start == 1)
			goto notlit; /* a lone "." */
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		isfloat = 1;
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (pl_digitpart(p, 10) <= 0)
			goto notlit;
	}
	end = p->i;
	if (p->i < p->n && (p->s[p->i] == 'j' || p->s[p->i] == 'J')) {
		p->i++;
		*kindp = PL_IMAG;
	}
	if (p->i < p->n && pl_ident_char(p->s[p->i]))
		goto notlit;
	if (*kindp == PL_IMAG)
		return pl_pos(p, value_null());
	if (!isfloat) {
		/* Decimal integers may not have leading zeros, except 0 itself. */
		for (q = (char *)p->s + start; q < p->s + end && (*q == '0' || *q == '_'); q++)
			;
		if (p->s[start] == '0' && q != p->s + end)
			goto notlit;
		return pl_pos(p, pl_int_text(p, p->s + start, end - start, 10));
	}
	text = xmalloc(end - start + 1);
	for (q = text; start < end; start++)
		if (p->s[start] != '_')
			*q++ = p->s[start];
	*q = '\0';
	f = strtod(text, NULL);
	free(text);
	v = value_float(f);
	return pl_pos(p, v);
notlit:
	p->notlit = 1;
	return NULL;
}

static int pl_hex(const char *s, size_t avail, int count, uint32_t *out)
{
	uint32_t v = 0;
	int k;

	if ((size_t)count > avail)
		return -1;
	for (k = 0; k < count; k++) {
		char c = s[k];

		if (pl_digit(c))
			v = v * 16 + (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			v = v * 16 + (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

/* Decodes one backslash escape of a non-raw literal at p->i (just after the
 * backslash) into b. */
static void pl_escape(struct pl *p, struct buf *b, int bytes)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	char c = p->s[p->i++];
	const char *e;
	uint32_t v;
	int k;

	for (e = simple; *e; e += 2)
		if (*e == c) {
			buf_putc(b, e[1]);
			return;
		}
	if (c >= '0' && c <= '7') {
		v = (uint32_t)(c - '0');
		for (k = 1; k < 3 && p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '7'; k++)
			v = v * 8 + (uint32_t)(p->s[p->i++] - '0');
		if (bytes) {
			if (v > 0xFF)
				p->notlit = 1;
			buf_putc(b, (char)v);
		} else {
			buf_put_utf8(b, v);
		}
		return;
	}
	if (c == 'x') {
		if (pl_hex(p->s + p->i, p->n - p->i, 2, &v) < 0) {
			p->notlit = 1;
			return;
		}
		p->i += 2;
		if (bytes)
			buf_putc(b, (char)v);
		else
			buf_put_utf8(b, v);
		return;
	}
	if (!bytes && (c == 'u' || c == 'U')) {
		k = c == 'u' ? 4 : 8;
		if (pl_hex(p->s + p->i, p->n - p->i, k, &v) < 0 || v > 0x10FFFF) {
			p->notlit = 1;
			return;
		}
		p->i += (size_t)k;
		if (v >= 0xD800 && v <= 0xDFFF)
			pl_unsupported(p, "lone surrogate in a string literal");
		buf_put_utf8(b, v);
		return;
	}
	if (!bytes && c == 'N') {
		pl_unsupported(p, "\\N{...} escapes are not supported");
		return;
	}
	buf_putc(b, '\\');
	buf_putc(b, c);
}

/* One string literal (prefix already read) at the opening quote. */
static void pl_string_body(struct pl *p, struct buf *b, int raw, int bytes)
{
	char q = p->s[p->i];
	int triple = p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q;
	size_t qlen = triple ? 3 : 1;

	p->i += qlen;
	while (p->i < p->n) {
		char c = p->s[p->i];

		if (c == q && (!triple || (p->i + 2 < p->n && p->s[p->i + 1] == q && p->s[p->i + 2] == q))) {
			p->i += qlen;
			return;
		}
		if (bytes && (unsigned char)c >= 0x80) {
			p->notlit = 1; /* bytes literals hold ASCII only */
			return;
		}
		if (c == '\\') {
			if (p->i + 1 >= p->n)
				break;
			if (raw) {
				buf_put(b, p->s + p->i, 2);
				p->i += 2;
			} else {
				p->i++;
				pl_escape(p, b, bytes);
				if (p->notlit)
					return;
			}
			continue;
		}
		buf_putc(b, c);
		p->i++;
	}
	p->notlit = 1; /* unterminated */
}

/* Reads a string prefix (r, b, br, rb, u, f... in any case) ending right
 * before a quote; returns 0 when the identifier at i is not one. */
static int pl_prefix(const char *s, size_t n, int *raw, int *bytes, int *fstr)
{
	size_t k;

	*raw = *bytes = *fstr = 0;
	if (n > 2)
		return 0;
	for (k = 0; k < n; k++) {
		char c = (char)(s[k] | 0x20);

		if (c == 'r' && !*raw)
			*raw = 1;
		else if (c == 'b' && !*bytes && !*fstr)
			*bytes = 1;
		else if (c == 'f' && !*bytes && !*fstr)
			*fstr = 1;
		else if (c == 'u' && n == 1)
			;
		else
			return 0;
	}
	return 1;
}

/* Adjacent string literals, concatenated. The prefix of the first one
 * starts at p->i. */
static struct value *pl_strings(struct pl *p)
{
	struct buf b;
	int first = 1, kind_bytes = 0, raw, bytes, fstr, any_f = 0;
	size_t start, len;

	buf_init(&b, 0);
	for (;;) {
		start = p->i;
		while (p->i < p->n && pl_ident_char(p->s[p->i]))
			p->i++;
		if (p->i >= p->n || (p->s[p->i] != '\'' && p->s[p->i] != '"') ||
		    !pl_prefix(p->s + start, p->i - start, &raw, &bytes, &fstr)) {
			p->i = start;
			break;
		}
		if (!first && bytes != kind_bytes) {
			p->notlit = 1; /* cannot mix bytes and str */
			break;
		}
		kind_bytes = bytes;
		any_f |= fstr;
		first = 0;
		pl_string_body(p, &b, raw, bytes);
		if (p->notlit)
			break;
		pl_ws(p);
	}
	if (first || any_f)
		p->notlit = 1; /* an f-string is a JoinedStr, not a constant */
	if (p->notlit) {
		buf_fini(&b);
		return NULL;
	}
	{
		char *text = buf_take(&b, &len);

		return pl_pos(p, value_str_take(text, len));
	}
}

static struct value *pl_expr(struct pl *p, enum pl_kind *kindp);

static int pl_hashable(const struct value *v)
{
	size_t i;

	if (v->type == VALUE_MAP)
		return 0;
	if (v->type == VALUE_LIST) {
		if (!(v->flags & VALUE_F_TUPLE))
			return 0;
		for (i = 0; i < v->u.l.len; i++)
			if (!pl_hashable(v->u.l.items[i]))
				return 0;
	}
	return 1;
}

static struct value *pl_key_str(struct pl *p, struct value *k)
{
	struct buf b;
	size_t len;
	char *text;

	if (k->type == VALUE_STR)
		return k;
	if (!pl_hashable(k)) {
		pl_unsupported(p, "unhashable dict key or set member");
	} else if (k->type == VALUE_LIST) {
		pl_unsupported(p, "tuple dict keys are not supported");
	}
	buf_init(&b, 0);
	switch (k->type) {
	case VALUE_NULL: buf_puts(&b, "null"); break;
	case VALUE_BOOL: buf_puts(&b, k->u.b ? "true" : "false"); break;
	case VALUE_INT: buf_printf(&b, "%lld", (long long)k->u.i); break;
	case VALUE_FLOAT:
		if (isnan(k->u.f))
			buf_puts(&b, "NaN");
		else if (isinf(k->u.f))
			buf_puts(&b, k->u.f < 0 ? "-Infinity" : "Infinity");
		else
			json_put_float(&b, k->u.f);
		break;
	default: break;
	}
	text = buf_take(&b, &len);
	value_unref(k);
	k = pl_pos(p, value_str_take(text, len));
	k->flags |= YAML_F_NONSTR_KEY;
	return k;
}

/* The value of "{...}" from its items: a dict (items are key, value pairs)
 * or a set (kept as a list in first-occurrence order). */
static struct value *pl_brace(struct pl *p, const struct value *items, int is_dict)
{
	struct value *v;
	size_t i, j;

	if (is_dict) {
		v = pl_pos(p, value_map());
		for (i = 0; i + 1 < value_len(items); i += 2)
			value_map_set_key(v, pl_key_str(p, value_ref(value_list_at(items, i))),
			                  value_ref(value_list_at(items, i + 1)));
		return v;
	}
	/* A set: Python keeps no order; first occurrence is as good. */
	v = pl_pos(p, value_list());
	for (i = 0; i < value_len(items); i++) {
		if (!pl_hashable(value_list_at(items, i)))
			pl_unsupported(p, "unhashable dict key or set member");
		for (j = 0; j < value_len(v); j++)
			if (value_equal(value_list_at(v, j), value_list_at(items, i)))
				break;
		if (j == value_len(v))
			value_list_push(v, value_ref(value_list_at(items, i)));
	}
	return v;
}

/* A bracketed display: ( ... ), [ ... ] or { ... }, at the opening bracket. */
static struct value *pl_display(struct pl *p, enum pl_kind *kindp)
{
	char open = p->s[p->i], close = open == '(' ? ')' : open == '[' ? ']' : '}';
	struct value *v = NULL, *item = NULL, *key, *list;
	enum pl_kind k;
	int count = 0, commas = 0, is_dict = -1, c;

	*kindp = PL_OTHER;
	if (++p->depth >= PYLIT_MAX_DEPTH) {
		p->notlit = 1;
		return NULL;
	}
	p->i++;
	list = pl_pos(p, value_list());
	for (;;) {
		c = pl_peek(p);
		if (c == close) {
			p->i++;
			break;
		}
		if (count > 0 && commas < count) {
			p->notlit = 1;
			goto out;
		}
		item = pl_expr(p, &k);
		if (item == NULL)
			goto out;
		count++;
		if (open == '{' && (is_dict == -1 || is_dict == 1) && pl_peek(p) == ':') {
			if (is_dict == -1)
				is_dict = 1;
			p->i++;
			key = item;
			item = pl_expr(p, &k);
			if (item == NULL) {
				value_unref(key);
				goto out;
			}
			value_list_push(list, key);
		} else if (open == '{') {
			if (is_dict == 1) {
				value_unref(item);
				p->notlit = 1;
				goto out;
			}
			is_dict = 0;
		}
		value_list_push(list, item);
		if (open == '(' && count == 1)
			*kindp = k; /* (x) is x */
		item = NULL;
		if (pl_peek(p) == ',') {
			p->i++;
			commas++;
		}
	}
	if (open == '(' && count == 1 && commas == 0) {
		v = value_ref(value_list_at(list, 0));
		goto out;
	}
	*kindp = PL_OTHER;
	v = open == '{' ? pl_brace(p, list, is_dict != 0) : value_ref(list);
	if (open == '(')
		v->flags |= VALUE_F_TUPLE;
out:
	p->depth--;
	value_unref(list);
	return v;
}

static struct value *pl_atom(struct pl *p, enum pl_kind *kindp)
{
	size_t start;
	int c = pl_peek(p);

	*kindp = PL_OTHER;
	if (c < 0) {
		p->notlit = 1;
		return NULL;
	}
	if (c == '(' || c == '[' || c == '{')
		return pl_display(p, kindp);
	if (pl_digit((char)c) || (c == '.' && p->i + 1 < p->n && pl_digit(p->s[p->i + 1])))
		return pl_number(p, kindp);
	if (c == '\'' || c == '"')
		return pl_strings(p);
	if (c == '.' && p->n - p->i >= 3 && memcmp(p->s + p->i, "...", 3) == 0) {
		p->i += 3;
		pl_unsupported(p, "Ellipsis is not supported");
		return pl_pos(p, value_null());
	}
	if (!pl_ident_char((char)c) || pl_digit((char)c)) {
		p->notlit = 1;
		return NULL;
	}
	start = p->i;
	while (p->i < p->n && pl_ident_char(p->s[p->i]))
		p->i++;
	if (p->i < p->n && (p->s[p->i] == '\'' || p->s[p->i] == '"')) {
		p->i = start;
		return pl_strings(p);
	}
#define PL_WORD(w) (p->i - start == strlen(w) && memcmp(p->s + start, w, strlen(w)) == 0)
	if (PL_WORD("True"))
		return pl_pos(p, value_bool(1));
	if (PL_WORD("False"))
		return pl_pos(p, value_bool(0));
	if (PL_WORD("None"))
		return pl_pos(p, value_null());
	if (PL_WORD("set") && pl_peek(p) == '(') {
		p->i++;
		if (pl_peek(p) == ')') {
			p->i++;
			return pl_pos(p, value_list());
		}
	}
#undef PL_WORD
	p->notlit = 1;
	return NULL;
}

static struct value *pl_negate(struct pl *p, struct value *v)
{
	if (v->type == VALUE_INT) {
		if (v->u.i == INT64_MIN)
			return v; /* the magnitude 2^63, now with its minus sign */
		v->u.i = -v->u.i;
	} else if (v->type == VALUE_FLOAT) {
		v->u.f = -v->u.f;
	}
	(void)p;
	return v;
}

/* unary: ('+' | '-') atom, where literal_eval wants the atom to be a plain
 * number constant. */
static struct value *pl_unary(struct pl *p, enum pl_kind *kindp)
{
	struct value *v;
	int c = pl_peek(p);
	enum pl_kind k;

	if (c != '+' && c != '-') {
		v = pl_atom(p, kindp);
		if (v != NULL && v->type == VALUE_INT && v->u.i == INT64_MIN && *kindp == PL_NUM)
			pl_unsupported(p, "integer out of range (drover's integers are 64-bit; quote the value to keep it as a string)");
		return v;
	}
	p->i++;
	v = pl_atom(p, &k);
	if (v == NULL)
		return NULL;
	if (k != PL_NUM && k != PL_IMAG) {
		value_unref(v);
		p->notlit = 1;
		return NULL;
	}
	*kindp = PL_SIGNED;
	if (k == PL_IMAG)
		pl_unsupported(p, "complex numbers are not supported");
	return c == '-' ? pl_negate(p, v) : v;
}

/* expr: unary, or the complex form "signed_number (+|-) imaginary". */
static struct value *pl_expr(struct pl *p, enum pl_kind *kindp)
{
	struct value *v = pl_unary(p, kindp), *rhs;
	enum pl_kind k;
	int c;

	if (v == NULL)
		return NULL;
	c = pl_peek(p);
	if (c != '+' && c != '-') {
		if (*kindp == PL_IMAG)
			pl_unsupported(p, "complex numbers are not supported");
		return v;
	}
	p->i++;
	pl_ws(p);
	rhs = pl_atom(p, &k);
	value_unref(v);
	if (rhs == NULL || (*kindp != PL_NUM && *kindp != PL_SIGNED) || k != PL_IMAG) {
		value_unref(rhs);
		p->notlit = 1;
		return NULL;
	}
	c = pl_peek(p);
	if (c == '+' || c == '-') {
		value_unref(rhs);
		p->notlit = 1;
		return NULL;
	}
	pl_unsupported(p, "complex numbers are not supported");
	*kindp = PL_OTHER;
	return rhs;
}

int pylit_eval(const char *s, size_t n, const char *file, int line, int col, struct value **vp,
               const char **whyp)
{
	struct pl p;
	struct value *v, *tuple = NULL;
	enum pl_kind k;

	*vp = NULL;
	*whyp = NULL;
	memset(&p, 0, sizeof(p));
	p.s = s;
	p.n = n;
	p.file = file;
	p.line = line;
	p.col = col;
	v = pl_expr(&p, &k);
	/* "1, 2" is a tuple even without parentheses. */
	while (v != NULL && pl_peek(&p) == ',') {
		p.i++;
		if (tuple == NULL) {
			tuple = pl_pos(&p, value_list());
			tuple->flags |= VALUE_F_TUPLE;
		}
		value_list_push(tuple, v);
		v = NULL;
		if (pl_peek(&p) < 0)
			break;
		v = pl_expr(&p, &k);
	}
	if (tuple != NULL) {
		if (v != NULL)
			value_list_push(tuple, v);
		v = p.notlit ? NULL : tuple;
		if (v == NULL)
			value_unref(tuple);
	}
	if (v != NULL && pl_peek(&p) >= 0)
		p.notlit = 1;
	if (p.notlit || v == NULL) {
		value_unref(v);
		return 0;
	}
	if (p.why != NULL) {
		value_unref(v);
		*whyp = p.why;
		return ERR_PARSE;
	}
	*vp = v;
	return 1;
}
