/* JSON for value trees: an encoder that writes what Python's json.dumps writes,
 * and a strict recursive-descent decoder that records where each node began.
 *
 * Floats go through snprintf("%.*e") and strtod. Both follow LC_NUMERIC, but
 * drover and drover-worker never call setlocale, so the "C" locale's '.' is
 * what they use; that keeps this file free of any locale dependence in practice
 * and within libc for the static worker. */
#include "data/json.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8.h"
#include "base/xmalloc.h"

#define JSON_MAX_INPUT ((size_t)64 << 20)

/* ---- Floats as Python's repr ---- */

/* Finds the shortest decimal digits that read back as f (finite, > 0): fills
 * dig (NUL-terminated, no dot) and returns the exponent of the first digit.
 * Any decimal of up to 15 digits (DBL_DIG) survives a trip through a normal
 * double, so if the 15-digit rounding of f reads back as f, it is the shortest
 * one padded with zeros; otherwise 16 digits may do, and 17 always do.
 * Subnormals have less precision and try every length from 1. When
 * the rounded candidate falls just below an asymmetric rounding interval (f a
 * power of two), the candidate one unit above may still read back, and Python
 * picks it. */
static int json_float_digits(double f, char dig[20])
{
	char tmp[40], *e;
	int p, n, exp;
	double g;

	for (p = f < DBL_MIN ? 0 : 14; p <= 16; p++) {
		snprintf(tmp, sizeof(tmp), "%.*e", p, f);
		if ((g = strtod(tmp, NULL)) == f)
			break;
		if (g > f)
			continue;
		e = strchr(tmp, 'e');
		n = (int)(e - tmp);
		while (--n >= 0 && (tmp[n] == '9' || tmp[n] == '.'))
			if (tmp[n] == '9')
				tmp[n] = '0';
		if (n >= 0) {
			tmp[n]++;
			if (strtod(tmp, NULL) == f)
				break;
		}
	}
	e = strchr(tmp, 'e');
	exp = (int)strtol(e + 1, NULL, 10);
	for (n = 0, p = 0; tmp + p < e; p++)
		if (tmp[p] != '.')
			dig[n++] = tmp[p];
	while (n > 1 && dig[n - 1] == '0')
		n--;
	dig[n] = '\0';
	return exp;
}

int json_put_float(struct buf *out, double f)
{
	char dig[20], s[48];
	int exp, nd, i, k = 0;

	if (isnan(f))
		return buf_puts(out, "nan");
	if (isinf(f))
		return buf_puts(out, f < 0 ? "-inf" : "inf");
	if (signbit(f))
		s[k++] = '-';
	if (f == 0)
		return buf_puts(out, k ? "-0.0" : "0.0");
	exp = json_float_digits(fabs(f), dig);
	nd = (int)strlen(dig);
	if (exp < -4 || exp >= 16) {
		s[k++] = dig[0];
		if (nd > 1)
			k += snprintf(s + k, sizeof(s) - (size_t)k, ".%s", dig + 1);
		k += snprintf(s + k, sizeof(s) - (size_t)k, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
	} else if (exp < 0) {
		s[k++] = '0', s[k++] = '.';
		for (i = -1; i > exp; i--)
			s[k++] = '0';
		k += snprintf(s + k, sizeof(s) - (size_t)k, "%s", dig);
	} else {
		for (i = 0; i <= exp; i++)
			s[k++] = i < nd ? dig[i] : '0';
		s[k++] = '.';
		k += snprintf(s + k, sizeof(s) - (size_t)k, "%s", nd > exp + 1 ? dig + exp + 1 : "0");
	}
	return buf_put(out, s, (size_t)k);
}

/* ---- Encoder ---- */

struct json_enc {
	struct buf *out;
	int flags;
	int indent; /* spaces per level; -1 for one line */
	int cut;    /* write null for too-deep values instead of failing */
};

static int json_enc_value(struct json_enc *e, const struct value *v, int depth);

static int json_enc_escape(struct buf *b, uint32_t cp)
{
	char u[16];

	if (cp < 0x10000) {
		snprintf(u, sizeof(u), "\\u%04x", (unsigned)cp);
		return buf_put(b, u, 6);
	}
	cp -= 0x10000;
	snprintf(u, sizeof(u), "\\u%04x\\u%04x", (unsigned)(0xd800 | cp >> 10),
	         (unsigned)(0xdc00 | (cp & 0x3ff)));
	return buf_put(b, u, 12);
}

/* Writes one character that cannot be copied through unchanged. */
static int json_enc_special(struct json_enc *e, uint32_t cp)
{
	static const char from[] = "\"\\\n\r\t\b\f", to[] = "\"\\nrtbf";
	const char *q = cp != 0 && cp < 0x80 ? strchr(from, (int)cp) : NULL;
	char esc[2];

	if (q != NULL) {
		esc[0] = '\\', esc[1] = to[q - from];
		return buf_put(e->out, esc, 2);
	}
	if (cp < 0x20 || (e->flags & JSON_ASCII))
		return json_enc_escape(e->out, cp);
	return utf8_put(e->out, cp);
}

static int json_enc_str(struct json_enc *e, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0, len;
	uint32_t cp;
	int r, ascii = e->flags & JSON_ASCII;

	if ((r = buf_putc(e->out, '"')) != 0)
		return r;
	while (i < n) {
		len = utf8_next(s + i, n - i, &cp);
		if (len == 0)
			len = 1, cp = 0xfffd;
		else if (cp >= 0x20 && cp != '"' && cp != '\\' && (!ascii || cp < 0x7f)) {
			i += len;
			continue;
		}
		/* Copy the run of plain characters before this one in one call. */
		if ((r = buf_put(e->out, s + run, i - run)) != 0 || (r = json_enc_special(e, cp)) != 0)
			return r;
		i += len;
		run = i;
	}
	if ((r = buf_put(e->out, s + run, i - run)) != 0)
		return r;
	return buf_putc(e->out, '"');
}

static int json_enc_newline(struct json_enc *e, int depth)
{
	static const char spaces[] = "                                                                ";
	size_t left = (size_t)e->indent * (size_t)depth, n;
	int r;

	if ((r = buf_putc(e->out, '\n')) != 0)
		return r;
	for (; left > 0; left -= n) {
		n = left < sizeof(spaces) - 1 ? left : sizeof(spaces) - 1;
		if ((r = buf_put(e->out, spaces, n)) != 0)
			return r;
	}
	return 0;
}

/* Writes the separator before item i of a container at depth. */
static int json_enc_sep(struct json_enc *e, size_t i, int depth)
{
	int r;

	if (i > 0 && (r = buf_putc(e->out, ',')) != 0)
		return r;
	if (e->indent >= 0)
		return json_enc_newline(e, depth + 1);
	return i > 0 ? buf_putc(e->out, ' ') : 0;
}

static int json_enc_list(struct json_enc *e, const struct value *v, int depth)
{
	size_t i;
	int r;

	if (v->u.l.len == 0)
		return buf_put(e->out, "[]", 2);
	if ((r = buf_putc(e->out, '[')) != 0)
		return r;
	for (i = 0; i < v->u.l.len; i++)
		if ((r = json_enc_sep(e, i, depth)) != 0 ||
		    (r = json_enc_value(e, v->u.l.items[i], depth + 1)) != 0)
			return r;
	if (e->indent >= 0 && (r = json_enc_newline(e, depth)) != 0)
		return r;
	return buf_putc(e->out, ']');
}

static int json_key_cmp(const void *a, const void *b)
{
	const struct value *ka = (*(const struct value_ent *const *)a)->key;
	const struct value *kb = (*(const struct value_ent *const *)b)->key;
	size_t n = ka->u.s.len < kb->u.s.len ? ka->u.s.len : kb->u.s.len;
	int c = memcmp(ka->u.s.ptr, kb->u.s.ptr, n);

	if (c != 0)
		return c;
	return ka->u.s.len < kb->u.s.len ? -1 : ka->u.s.len > kb->u.s.len;
}

static int json_enc_map(struct json_enc *e, const struct value *v, int depth)
{
	const struct value_ent **ents = NULL;
	size_t i, n = v->u.m.len;
	int r = ERR_INTERNAL;

	if (n == 0)
		return buf_put(e->out, "{}", 2);
	ents = xreallocarray(NULL, n, sizeof(*ents));
	for (i = 0; i < n; i++)
		ents[i] = &v->u.m.ents[i];
	if (e->flags & JSON_SORT_KEYS)
		qsort(ents, n, sizeof(*ents), json_key_cmp);
	if ((r = buf_putc(e->out, '{')) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((r = json_enc_sep(e, i, depth)) != 0 ||
		    (r = json_enc_str(e, ents[i]->key->u.s.ptr, ents[i]->key->u.s.len)) != 0 ||
		    (r = buf_put(e->out, ": ", 2)) != 0 ||
		    (r = json_enc_value(e, ents[i]->val, depth + 1)) != 0)
			goto out;
	}
	if (e->indent >= 0 && (r = json_enc_newline(e, depth)) != 0)
		goto out;
	r = buf_putc(e->out, '}');
out:
	free(ents);
	return r;
}

static int json_enc_value(struct json_enc *e, const struct value *v, int depth)
{
	char num[24];

	if (v == NULL)
		return buf_put(e->out, "null", 4);
	if ((v->type == VALUE_LIST || v->type == VALUE_MAP) && depth >= JSON_MAX_DEPTH)
		return e->cut ? buf_put(e->out, "null", 4) : ERR_DEPTH;
	switch (v->type) {
	case VALUE_NULL: return buf_put(e->out, "null", 4);
	case VALUE_BOOL: return buf_puts(e->out, v->u.b ? "true" : "false");
	case VALUE_INT:
		snprintf(num, sizeof(num), "%" PRId64, v->u.i);
		return buf_puts(e->out, num);
	case VALUE_FLOAT:
		if (isnan(v->u.f))
			return buf_put(e->out, "NaN", 3);
		if (isinf(v->u.f))
			return buf_puts(e->out, v->u.f < 0 ? "-Infinity" : "Infinity");
		return json_put_float(e->out, v->u.f);
	case VALUE_STR: return json_enc_str(e, v->u.s.ptr, v->u.s.len);
	case VALUE_LIST: return json_enc_list(e, v, depth);
	case VALUE_MAP: return json_enc_map(e, v, depth);
	}
	return ERR_INTERNAL;
}

static int json_encode_mode(struct buf *out, const struct value *v, int flags, int cut)
{
	struct json_enc e = {out, flags, (flags >> JSON_INDENT_SHIFT) - 1, cut};
	size_t mark = out->len - out->off;
	int r;

	/* On failure, drop the partial output so out is as the caller left it
	 * (buf_compact may have moved the data, but not relative to off). */
	if ((r = json_enc_value(&e, v, 0)) != 0 && out->data != NULL) {
		out->len = out->off + mark;
		out->data[out->len] = '\0';
	}
	return r;
}

int json_encode(struct buf *out, const struct value *v, int flags)
{
	return json_encode_mode(out, v, flags, 0);
}

char *json_encode_str(const struct value *v, int flags)
{
	struct buf b;

	buf_init(&b, SIZE_MAX / 2);
	if (json_encode_mode(&b, v, flags, 1) != 0)
		fatal("json_encode_str: cannot encode");
	return buf_take(&b, NULL);
}

/* ---- Decoder ---- */

struct json_dec {
	const char *p, *end;
	const char *line_start; /* first byte of the current line */
	uint32_t line;
	const char *file; /* interned */
	struct diag *d;
	struct buf sbuf; /* scratch for string contents */
};

static int json_dec_value(struct json_dec *x, int depth, struct value **vp);

/* Records an error at `at`, which is always on the current line: errors are
 * found before any newline past the token they concern is consumed. */
static int json_dec_fail(struct json_dec *x, const char *at, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int json_dec_fail(struct json_dec *x, const char *at, int r, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_set(x->d, x->file, (int)x->line, (int)(at - x->line_start) + 1, "%s", msg);
	return r;
}

/* Sets the position directly rather than through value_at, whose interning
 * would search the file list again for every node. */
static struct value *json_dec_at(struct json_dec *x, struct value *v, const char *at)
{
	v->pos.file = x->file;
	v->pos.line = x->line;
	v->pos.col = (uint32_t)(at - x->line_start) + 1;
	return v;
}

static void json_dec_ws(struct json_dec *x)
{
	for (; x->p < x->end; x->p++) {
		if (*x->p == '\n') {
			x->line++;
			x->line_start = x->p + 1;
		} else if (*x->p != ' ' && *x->p != '\t' && *x->p != '\r') {
			break;
		}
	}
}

/* Names the byte at p for a message: 'x', end of input, or a hex byte. */
static const char *json_dec_what(const struct json_dec *x, const char *p, char tmp[16])
{
	unsigned char c;

	if (p >= x->end)
		return "end of input";
	c = (unsigned char)*p;
	if (c > 0x20 && c < 0x7f && c != '\'')
		snprintf(tmp, 16, "'%c'", c);
	else
		snprintf(tmp, 16, "byte 0x%02x", c);
	return tmp;
}

static int json_dec_hex4(const char *p, uint32_t *cpp)
{
	uint32_t cp = 0;
	int i;

	for (i = 0; i < 4; i++) {
		cp <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			cp |= (uint32_t)(p[i] - '0');
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			cp |= (uint32_t)((p[i] | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*cpp = cp;
	return 0;
}

/* Decodes \uXXXX at x->p (just past the backslash and 'u'), joining a
 * surrogate pair. Lone surrogates become U+FFFD, since value strings are
 * UTF-8 and cannot hold them (Python keeps them in its str). */
static int json_dec_uescape(struct json_dec *x, const char *esc)
{
	uint32_t cp, lo;

	if (x->end - x->p < 4 || json_dec_hex4(x->p, &cp) != 0)
		return json_dec_fail(x, esc, ERR_PARSE, "invalid \\u escape: expected 4 hex digits");
	x->p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff && x->end - x->p >= 6 && x->p[0] == '\\' &&
	    x->p[1] == 'u' && json_dec_hex4(x->p + 2, &lo) == 0 && lo >= 0xdc00 && lo <= 0xdfff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		x->p += 6;
	} else if (cp >= 0xd800 && cp <= 0xdfff) {
		cp = 0xfffd;
	}
	return utf8_put(&x->sbuf, cp);
}

static int json_dec_escape(struct json_dec *x, const char *open)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *esc = x->p++, *q;
	char tmp[16];

	if (x->p >= x->end)
		return json_dec_fail(x, open, ERR_PARSE, "unterminated string");
	if (*x->p == 'u') {
		x->p++;
		return json_dec_uescape(x, esc);
	}
	if (*x->p == '\0' || (q = strchr(from, *x->p)) == NULL)
		return json_dec_fail(x, esc, ERR_PARSE, "invalid escape: backslash followed by %s",
		                     json_dec_what(x, x->p, tmp));
	x->p++;
	return buf_putc(&x->sbuf, to[q - from]);
}

/* Reads a string at x->p (on the opening quote) into x->sbuf. Bytes that are
 * not well-formed UTF-8 each become U+FFFD, as the encoder writes them. */
static int json_dec_str(struct json_dec *x)
{
	const char *open = x->p++, *run;
	uint32_t cp;
	size_t len = 0;
	int r;

	buf_reset(&x->sbuf);
	for (;;) {
		for (run = x->p; x->p < x->end; x->p += len) {
			len = utf8_next((const unsigned char *)x->p, (size_t)(x->end - x->p), &cp);
			if (len == 0 || cp < 0x20 || cp == '"' || cp == '\\')
				break;
		}
		if ((r = buf_put(&x->sbuf, run, (size_t)(x->p - run))) != 0)
			return json_dec_fail(x, open, r, "string too long");
		if (x->p >= x->end)
			return json_dec_fail(x, open, ERR_PARSE, "unterminated string");
		if (*x->p == '"') {
			x->p++;
			return 0;
		}
		if (*x->p == '\\')
			r = json_dec_escape(x, open);
		else if (len == 0)
			r = buf_put(&x->sbuf, "\xef\xbf\xbd", 3), x->p++;
		else
			return json_dec_fail(x, x->p, ERR_PARSE, "invalid control character 0x%02x in string",
			                     (unsigned char)*x->p);
		if (r != 0) /* the diag keeps an escape's message if it has one */
			return json_dec_fail(x, open, r, "string too long");
	}
}

static int json_dec_digits(struct json_dec *x)
{
	const char *s = x->p;

	while (x->p < x->end && *x->p >= '0' && *x->p <= '9')
		x->p++;
	return x->p > s;
}

/* Parses an integer that fits int64, or returns -1 so it is read as a float. */
static int json_dec_int(const char *s, const char *e, int64_t *ip)
{
	uint64_t n = 0, lim = (uint64_t)INT64_MAX;
	int neg = *s == '-';

	if (neg)
		s++, lim++;
	for (; s < e; s++) {
		if (n > (lim - (uint64_t)(*s - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*ip = neg ? (n == 0 ? 0 : -(int64_t)(n - 1) - 1) : (int64_t)n;
	return 0;
}

/* Numbers with '.', 'e' or 'E' are floats; integers that do not fit int64
 * become floats too (Python would keep an exact bigint). */
static int json_dec_number(struct json_dec *x, struct value **vp)
{
	const char *s = x->p;
	int isfloat = 0;
	int64_t i;
	char *tmp;

	if (x->p < x->end && *x->p == '-')
		x->p++;
	if (x->p < x->end && *x->p == '0') {
		x->p++;
		if (x->p < x->end && *x->p >= '0' && *x->p <= '9')
			return json_dec_fail(x, s, ERR_PARSE, "invalid number: leading zero");
	} else if (!json_dec_digits(x)) {
		return json_dec_fail(x, s, ERR_PARSE, "invalid number: expected a digit");
	}
	if (x->p < x->end && *x->p == '.') {
		x->p++, isfloat = 1;
		if (!json_dec_digits(x))
			return json_dec_fail(x, s, ERR_PARSE, "invalid number: expected a digit after '.'");
	}
	if (x->p < x->end && (*x->p == 'e' || *x->p == 'E')) {
		x->p++, isfloat = 1;
		if (x->p < x->end && (*x->p == '+' || *x->p == '-'))
			x->p++;
		if (!json_dec_digits(x))
			return json_dec_fail(x, s, ERR_PARSE, "invalid number: expected a digit in exponent");
	}
	if (!isfloat && json_dec_int(s, x->p, &i) == 0) {
		*vp = json_dec_at(x, value_int(i), s);
		return 0;
	}
	tmp = xstrndup(s, (size_t)(x->p - s));
	*vp = json_dec_at(x, value_float(strtod(tmp, NULL)), s);
	free(tmp);
	return 0;
}

/* Matches true, false, null and Python's NaN, Infinity and -Infinity. */
static int json_dec_word(struct json_dec *x, struct value **vp)
{
	static const char *const words[] = {"true", "false", "null", "NaN", "Infinity", "-Infinity"};
	const char *s = x->p;
	size_t i, n;
	char tmp[16];

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		n = strlen(words[i]);
		if ((size_t)(x->end - s) >= n && memcmp(s, words[i], n) == 0)
			break;
	}
	switch (i) {
	case 0: *vp = value_bool(1); break;
	case 1: *vp = value_bool(0); break;
	case 2: *vp = value_null(); break;
	case 3: *vp = value_float(NAN); break;
	case 4: *vp = value_float(INFINITY); break;
	case 5: *vp = value_float(-INFINITY); break;
	default:
		if (*s == '-' || (*s >= '0' && *s <= '9'))
			return json_dec_number(x, vp);
		return json_dec_fail(x, s, ERR_PARSE, "expected a JSON value, found %s",
		                     json_dec_what(x, s, tmp));
	}
	x->p += n;
	json_dec_at(x, *vp, s);
	return 0;
}

static int json_dec_member(struct json_dec *x, int depth, struct value *m)
{
	struct value *key, *val = NULL;
	char tmp[16];
	const char *at = x->p;
	int r;

	if (x->p >= x->end || *x->p != '"')
		return json_dec_fail(x, x->p, ERR_PARSE, "expected '\"' to start an object key, found %s",
		                     json_dec_what(x, x->p, tmp));
	if ((r = json_dec_str(x)) != 0)
		return r;
	key = json_dec_at(x, value_strn(buf_ptr(&x->sbuf), buf_avail(&x->sbuf)), at);
	json_dec_ws(x);
	if (x->p >= x->end || *x->p != ':') {
		value_unref(key);
		return json_dec_fail(x, x->p, ERR_PARSE, "expected ':' after object key, found %s",
		                     json_dec_what(x, x->p, tmp));
	}
	x->p++;
	json_dec_ws(x);
	if ((r = json_dec_value(x, depth + 1, &val)) != 0) {
		value_unref(key);
		return r;
	}
	/* A repeated key keeps its first place and takes the last value, as a
	 * Python dict built by json.loads does. */
	value_map_set_key(m, key, val);
	return 0;
}

/* Decodes the array or object at x->p (on its '[' or '{'). */
static int json_dec_container(struct json_dec *x, int depth, struct value **vp)
{
	int obj = *x->p == '{', r = ERR_INTERNAL;
	char close = obj ? '}' : ']', tmp[16];
	struct value *c = json_dec_at(x, obj ? value_map() : value_list(), x->p), *item;

	x->p++;
	json_dec_ws(x);
	if (x->p < x->end && *x->p == close)
		goto done;
	for (;;) {
		if (obj)
			r = json_dec_member(x, depth, c);
		else if ((r = json_dec_value(x, depth + 1, &item)) == 0)
			value_list_push(c, item);
		if (r != 0)
			goto out;
		json_dec_ws(x);
		if (x->p < x->end && *x->p == close)
			break;
		if (x->p >= x->end || *x->p != ',') {
			r = json_dec_fail(x, x->p, ERR_PARSE, "expected ',' or '%c' after %s, found %s", close,
			                  obj ? "object member" : "array element", json_dec_what(x, x->p, tmp));
			goto out;
		}
		x->p++;
		json_dec_ws(x);
	}
done:
	x->p++;
	*vp = c;
	c = NULL;
	r = 0;
out:
	value_unref(c);
	return r;
}

/* Decodes the value at x->p (whitespace already skipped); depth counts the
 * containers around it. */
static int json_dec_value(struct json_dec *x, int depth, struct value **vp)
{
	const char *at = x->p;
	int r;

	*vp = NULL;
	if (x->p >= x->end)
		return json_dec_fail(x, x->p, ERR_PARSE, "expected a JSON value, found end of input");
	if ((*x->p == '[' || *x->p == '{') && depth >= JSON_MAX_DEPTH)
		return json_dec_fail(x, x->p, ERR_DEPTH, "nesting deeper than %d levels", JSON_MAX_DEPTH);
	switch (*x->p) {
	case '[':
	case '{': return json_dec_container(x, depth, vp);
	case '"':
		if ((r = json_dec_str(x)) != 0)
			return r;
		*vp = json_dec_at(x, value_strn(buf_ptr(&x->sbuf), buf_avail(&x->sbuf)), at);
		return 0;
	default: return json_dec_word(x, vp);
	}
}

int json_decode(const char *text, size_t len, const char *file, struct value **vp, struct diag *d)
{
	struct json_dec x;
	struct value *v = NULL;
	char tmp[16];
	int r = ERR_INTERNAL;

	*vp = NULL;
	memset(&x, 0, sizeof(x));
	x.p = x.line_start = text != NULL ? text : "";
	x.end = x.p + (text != NULL ? len : 0);
	x.line = 1;
	x.file = value_intern(file);
	x.d = d;
	/* Each input byte yields at most 3 string bytes (U+FFFD for a bad byte). */
	buf_init(&x.sbuf, 3 * JSON_MAX_INPUT);
	if (len > JSON_MAX_INPUT) {
		diag_set(d, file, 0, 0, "JSON text of %zu bytes is larger than the %zu MiB limit", len,
		         JSON_MAX_INPUT >> 20);
		r = ERR_TOOBIG;
		goto out;
	}
	/* RFC 8259 lets a parser ignore a byte order mark; it is not a column. */
	if (x.end - x.p >= 3 && memcmp(x.p, "\xef\xbb\xbf", 3) == 0)
		x.p = x.line_start = x.p + 3;
	json_dec_ws(&x);
	if ((r = json_dec_value(&x, 0, &v)) != 0)
		goto out;
	json_dec_ws(&x);
	if (x.p < x.end) {
		r = json_dec_fail(&x, x.p, ERR_PARSE, "trailing data after JSON value: %s",
		                  json_dec_what(&x, x.p, tmp));
		goto out;
	}
	*vp = v;
	v = NULL;
	r = 0;
out:
	value_unref(v);
	buf_fini(&x.sbuf);
	return r;
}
