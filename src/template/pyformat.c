/* Python's string formatting for templates: the "%" operator (printf style)
 * and str.format() with the format-spec mini-language, as CPython 3.11
 * formats str, int, float and bool values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

/* Flags and sizes of one conversion. */
struct pyfmt_spec {
	int left, zero, plus, space, alt;
	long width;      /* -1: none */
	long prec;       /* -1: none */
	char fill;       /* str.format() fill (ASCII only here) */
	char align;      /* '<', '>', '^', '=' or 0 */
	char grouping;   /* ',' or '_' or 0 */
	char type;
};

#define PYFMT_MAX_WIDTH 100000

/* Pads body (n bytes, nchars characters) to the spec's width. */
static int pyfmt_pad(struct buf *out, const struct pyfmt_spec *sp, char align, const char *body, size_t n,
                     size_t nchars)
{
	size_t pad = sp->width > 0 && (size_t)sp->width > nchars ? (size_t)sp->width - nchars : 0, i, l;
	char fill = sp->fill ? sp->fill : ' ';
	int r = 0;

	l = align == '<' ? 0 : align == '^' ? pad / 2 : pad;
	for (i = 0; i < l && r == 0; i++)
		r = buf_putc(out, fill);
	if (r == 0)
		r = buf_put(out, body, n);
	for (i = l; i < pad && r == 0; i++)
		r = buf_putc(out, fill);
	return r;
}

/* Lays out a number: sign, prefix ("0x"), digits; zero padding goes
 * between prefix and digits. */
static int pyfmt_number(struct buf *out, const struct pyfmt_spec *sp, int neg, const char *prefix,
                        const char *digits, char default_align)
{
	char head[8];
	size_t hl = 0, dl = strlen(digits), total, i;
	char align = sp->align ? sp->align : default_align;
	int r = 0;

	if (neg)
		head[hl++] = '-';
	else if (sp->plus)
		head[hl++] = '+';
	else if (sp->space)
		head[hl++] = ' ';
	for (i = 0; prefix[i] && hl < sizeof(head) - 1; i++)
		head[hl++] = prefix[i];
	head[hl] = '\0';
	total = hl + dl;
	if (sp->zero && !sp->left && (sp->align == 0 || sp->align == '=')) {
		if ((r = buf_put(out, head, hl)) != 0)
			return r;
		for (i = total; sp->width > 0 && i < (size_t)sp->width && r == 0; i++)
			r = buf_putc(out, sp->fill ? sp->fill : '0');
		return r ? r : buf_put(out, digits, dl);
	}
	if (align == '=') {
		if ((r = buf_put(out, head, hl)) != 0)
			return r;
		for (i = total; sp->width > 0 && i < (size_t)sp->width && r == 0; i++)
			r = buf_putc(out, sp->fill ? sp->fill : ' ');
		return r ? r : buf_put(out, digits, dl);
	}
	{
		char tmp[400];

		if (total >= sizeof(tmp))
			return ERR_TOOBIG;
		memcpy(tmp, head, hl);
		memcpy(tmp + hl, digits, dl);
		return pyfmt_pad(out, sp, sp->left ? '<' : align, tmp, total, total);
	}
}

/* Digits of |x| in base (2, 8, 10, 16) with optional grouping. */
static void pyfmt_udigits(uint64_t u, int base, int upper, char grouping, char *out, size_t n)
{
	char tmp[96];
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t k = 0, i, g = 0, every = base == 10 ? 3 : 4;

	do {
		if (grouping && g == every) {
			tmp[k++] = grouping;
			g = 0;
		}
		tmp[k++] = dig[u % (uint64_t)base];
		u /= (uint64_t)base;
		g++;
	} while (u > 0 && k < sizeof(tmp) - 2);
	for (i = 0; i < k && i + 1 < n; i++)
		out[i] = tmp[k - 1 - i];
	out[i < n ? i : n - 1] = '\0';
}

static int pyfmt_int(struct buf *out, const struct pyfmt_spec *sp, int64_t v, char type, int percent_style)
{
	char digits[128], prec_digits[128];
	const char *prefix = "";
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	int base = 10;

	switch (type) {
	case 'x': base = 16; prefix = sp->alt ? "0x" : ""; break;
	case 'X': base = 16; prefix = sp->alt ? "0X" : ""; break;
	case 'o': base = 8; prefix = sp->alt ? "0o" : ""; break;
	case 'b': base = 2; prefix = sp->alt ? "0b" : ""; break;
	default: break;
	}
	pyfmt_udigits(u, base, type == 'X', sp->grouping, digits, sizeof(digits));
	/* printf-style precision is a minimum digit count. */
	if (percent_style && sp->prec > (long)strlen(digits) && sp->prec < 100) {
		size_t z = (size_t)sp->prec - strlen(digits);

		memset(prec_digits, '0', z);
		snprintf(prec_digits + z, sizeof(prec_digits) - z, "%s", digits);
		return pyfmt_number(out, sp, v < 0, prefix, prec_digits, '>');
	}
	return pyfmt_number(out, sp, v < 0, prefix, digits, '>');
}

/* Python's repr-style float text for format(x, '') and "%s". */
static int pyfmt_float_str(const struct value *v, char *out, size_t n)
{
	struct buf b;

	buf_init(&b, n);
	if (pyval_str(NULL, &b, v) != 0) {
		buf_fini(&b);
		return -1;
	}
	snprintf(out, n, "%s", buf_str(&b));
	buf_fini(&b);
	return 0;
}

static int pyfmt_float(struct buf *out, const struct pyfmt_spec *sp, double x, char type)
{
	char cfmt[16], digits[440];
	long prec = sp->prec < 0 ? 6 : sp->prec;
	int neg = signbit(x) && !isnan(x), pct = type == '%';
	char t = pct ? 'f' : type == 'F' ? 'F' : type;

	if (prec > 300)
		prec = 300;
	if (pct)
		x *= 100;
	snprintf(cfmt, sizeof(cfmt), "%%%s.%ld%c", sp->alt ? "#" : "", prec, t);
	snprintf(digits, sizeof(digits) - 2, cfmt, fabs(x));
	if (isinf(x) || isnan(x)) {
		/* Python spells these in the case of the type. */
		snprintf(digits, sizeof(digits), "%s", isnan(x) ? (t >= 'a' ? "nan" : "NAN")
		                                               : (t >= 'a' ? "inf" : "INF"));
		if (sp->zero) {
			struct pyfmt_spec s2 = *sp;

			s2.zero = 0;
			return pyfmt_number(out, &s2, neg, "", digits, '>');
		}
	}
	if (sp->grouping && isfinite(x)) {
		char grouped[420], *dot = strpbrk(digits, ".eE");
		size_t intlen = dot ? (size_t)(dot - digits) : strlen(digits), i, k = 0;

		for (i = 0; i < intlen && k < sizeof(grouped) - 2; i++) {
			if (i > 0 && (intlen - i) % 3 == 0)
				grouped[k++] = sp->grouping;
			grouped[k++] = digits[i];
		}
		snprintf(grouped + k, sizeof(grouped) - k, "%s", digits + intlen);
		snprintf(digits, sizeof(digits), "%s", grouped);
	}
	if (pct && strlen(digits) + 1 < sizeof(digits))
		memcpy(digits + strlen(digits), "%", 2);
	return pyfmt_number(out, sp, neg, "", digits, '>');
}

static int pyfmt_str(struct buf *out, const struct pyfmt_spec *sp, const char *s, size_t n)
{
	size_t nchars;

	if (sp->prec >= 0) {
		size_t cut = ustr_offset(s, n, (size_t)sp->prec);

		n = cut < n ? cut : n;
	}
	if (sp->width <= 0 && sp->prec < 0)
		return buf_put(out, s, n);
	nchars = ustr_len(s, n);
	/* A zero-padded string is filled on the right ("{:05}" -> "ab000"). */
	return pyfmt_pad(out, sp, sp->left ? '<' : sp->align && sp->align != '=' ? sp->align : '<', s, n, nchars);
}

/* ---- the % operator ---- */

struct pct_args {
	const struct value *tuple; /* positional arguments (a list), or NULL */
	const struct value *single; /* the one non-tuple argument */
	const struct value *map;   /* for %(name)s */
	size_t next;
	size_t count;
};

static const struct value *pct_next(struct pct_args *a)
{
	if (a->tuple != NULL)
		return a->next < a->tuple->u.l.len ? a->tuple->u.l.items[a->next++] : NULL;
	if (a->next++ == 0)
		return a->single;
	return NULL;
}

static long pct_number(const char *f, size_t n, size_t *ip)
{
	long v = 0;

	while (*ip < n && f[*ip] >= '0' && f[*ip] <= '9') {
		if (v < PYFMT_MAX_WIDTH)
			v = v * 10 + (f[*ip] - '0');
		(*ip)++;
	}
	return v > PYFMT_MAX_WIDTH ? PYFMT_MAX_WIDTH : v;
}

/* Reads "*" or a number for width or precision. */
static int pct_star(struct pct_args *a, const char *f, size_t n, size_t *ip, long *outp, struct pyerr *e)
{
	const struct value *v;

	if (*ip < n && f[*ip] == '*') {
		(*ip)++;
		v = pct_next(a);
		if (v == NULL)
			return pyerr_set(e, ERR_INVAL, "not enough arguments for format string");
		if (v->type != VALUE_INT && v->type != VALUE_BOOL)
			return pyerr_set(e, ERR_INVAL, "* wants int");
		*outp = pyval_int(v);
		if (*outp > PYFMT_MAX_WIDTH)
			*outp = PYFMT_MAX_WIDTH;
		return 0;
	}
	*outp = pct_number(f, n, ip);
	return 0;
}

static int pct_convert(struct tpl_rt *rt, struct buf *out, struct pyfmt_spec *sp, const struct value *v,
                       struct pyerr *e)
{
	struct buf tmp;
	int64_t iv;
	int r;

	switch (sp->type) {
	case 's': case 'r': case 'a':
		buf_init(&tmp, out->max);
		if (sp->type == 's' && !(v->flags & TPL_F_UNDEF))
			r = pyval_str(rt, &tmp, v);
		else
			r = pyval_repr(rt, &tmp, v);
		if (r == 0)
			r = pyfmt_str(out, sp, tmp.data ? tmp.data : "", tmp.len);
		buf_fini(&tmp);
		return r;
	case 'd': case 'i': case 'u': case 'o': case 'x': case 'X':
		if (!pyval_is_number(v))
			return pyerr_set(e, ERR_INVAL, "%%%c format: %s is required, not %s", sp->type,
			                 sp->type == 'd' || sp->type == 'i' || sp->type == 'u' ? "a real number"
			                                                                    : "an integer",
			                 pyval_type(v));
		if (v->type == VALUE_FLOAT) {
			if (sp->type != 'd' && sp->type != 'i' && sp->type != 'u')
				return pyerr_set(e, ERR_INVAL, "%%%c format: an integer is required, not float", sp->type);
			if (!isfinite(v->u.f) || fabs(v->u.f) >= 9.2e18)
				return pyerr_set(e, ERR_INVAL, "cannot convert float to integer");
			iv = (int64_t)v->u.f;
		} else {
			iv = pyval_int(v);
		}
		return pyfmt_int(out, sp, iv, sp->type == 'i' || sp->type == 'u' ? 'd' : sp->type, 1);
	case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
		if (!pyval_is_number(v))
			return pyerr_set(e, ERR_INVAL, "must be real number, not %s", pyval_type(v));
		return pyfmt_float(out, sp, pyval_float(v), sp->type);
	case 'c':
		if (v->type == VALUE_INT) {
			if (v->u.i < 0 || v->u.i > 0x10ffff)
				return pyerr_set(e, ERR_INVAL, "%%c arg not in range(0x110000)");
			buf_init(&tmp, 8);
			ustr_put(&tmp, (uint32_t)v->u.i);
			r = pyfmt_str(out, sp, buf_str(&tmp), tmp.len);
			buf_fini(&tmp);
			return r;
		}
		if (is_str(v) && ustr_len(v->u.s.ptr, v->u.s.len) == 1)
			return pyfmt_str(out, sp, v->u.s.ptr, v->u.s.len);
		return pyerr_set(e, ERR_INVAL, "%%c requires int or char");
	default:
		return ERR_INTERNAL;
	}
}

/* One "%..." conversion starting after the '%' at *ip. */
static int pct_one(struct tpl_rt *rt, struct buf *out, const char *f, size_t n, size_t *ip, struct pct_args *a,
                   struct pyerr *e)
{
	struct pyfmt_spec sp;
	const struct value *v = NULL;
	size_t start = *ip - 1, i = *ip;
	int r;

	memset(&sp, 0, sizeof(sp));
	sp.width = sp.prec = -1;
	if (i < n && f[i] == '(') {
		size_t depth = 1, k = ++i;

		if (a->map == NULL)
			return pyerr_set(e, ERR_INVAL, "format requires a mapping");
		while (k < n && depth > 0) {
			depth += f[k] == '(' ? 1 : f[k] == ')' ? (size_t)-1 : 0;
			k++;
		}
		if (depth > 0)
			return pyerr_set(e, ERR_INVAL, "incomplete format key");
		v = value_map_getn(a->map, f + i, k - 1 - i);
		if (v == NULL)
			return pyerr_set(e, ERR_INVAL, "'%.*s'", (int)(k - 1 - i), f + i);
		i = k;
	}
	for (; i < n; i++) {
		if (f[i] == '-') sp.left = 1;
		else if (f[i] == '0') sp.zero = 1;
		else if (f[i] == '+') sp.plus = 1;
		else if (f[i] == ' ') sp.space = 1;
		else if (f[i] == '#') sp.alt = 1;
		else break;
	}
	if ((r = pct_star(a, f, n, &i, &sp.width, e)) != 0)
		return r;
	if (sp.width < 0) {
		sp.left = 1;
		sp.width = -sp.width;
	}
	if (i < n && f[i] == '.') {
		i++;
		if ((r = pct_star(a, f, n, &i, &sp.prec, e)) != 0)
			return r;
		if (sp.prec < 0)
			sp.prec = 0;
	}
	while (i < n && (f[i] == 'h' || f[i] == 'l' || f[i] == 'L'))
		i++;
	if (i >= n)
		return pyerr_set(e, ERR_INVAL, "incomplete format");
	sp.type = f[i++];
	*ip = i;
	if (sp.type == '%')
		return buf_putc(out, '%');
	if (strchr("sradiuoxXeEfFgGc", sp.type) == NULL)
		return pyerr_set(e, ERR_INVAL, "unsupported format character '%c' (0x%x) at index %zu", sp.type,
		                 (unsigned char)sp.type, ustr_len(f, i - 1));
	(void)start;
	if (v == NULL && (v = pct_next(a)) == NULL)
		return pyerr_set(e, ERR_INVAL, "not enough arguments for format string");
	if (sp.zero && sp.left)
		sp.zero = 0;
	/* printf-style text is right-justified unless "-" is given. */
	if (!sp.left && strchr("srac", sp.type) != NULL)
		sp.align = '>';
	return pct_convert(rt, out, &sp, v, e);
}

int pyval_percent(struct tpl_rt *rt, const struct value *fmt, const struct value *args,
                  const struct tpl_limits *lim, struct value **vp, struct pyerr *e)
{
	struct pct_args a;
	struct buf out;
	const char *f = fmt->u.s.ptr, *pct;
	size_t n = fmt->u.s.len, i = 0, len;
	char *s;
	int r = 0;

	*vp = NULL;
	memset(&a, 0, sizeof(a));
	if (is_tuple(args) && !(args->flags & TPL_F_SPECIAL))
		a.tuple = args;
	else
		a.single = args;
	/* Python uses any non-tuple, non-str object with __getitem__ as the
	 * mapping (and then does not complain about unused arguments). */
	if (args->type == VALUE_MAP && !(args->flags & TPL_F_SPECIAL))
		a.map = args;
	buf_init(&out, lim->max_str);
	while (i < n && r == 0) {
		pct = memchr(f + i, '%', n - i);
		if (pct == NULL) {
			r = buf_put(&out, f + i, n - i);
			break;
		}
		if ((r = buf_put(&out, f + i, (size_t)(pct - (f + i)))) != 0)
			break;
		i = (size_t)(pct - f) + 1;
		r = pct_one(rt, &out, f, n, &i, &a, e);
	}
	if (r == 0 && a.map == NULL && !(args->type == VALUE_LIST && !is_tuple(args)) &&
	    ((a.tuple != NULL && a.next < a.tuple->u.l.len) || (a.tuple == NULL && a.next == 0)))
		r = pyerr_set(e, ERR_INVAL, "not all arguments converted during string formatting");
	if (r == ERR_TOOBIG)
		pyerr_set(e, ERR_TOOBIG, "string too long (over %zu bytes)", lim->max_str);
	if (r != 0) {
		buf_fini(&out);
		return r;
	}
	s = buf_take(&out, &len);
	*vp = value_str_take(s, len);
	return 0;
}

/* ---- str.format() ---- */

/* Parses a format spec: [[fill]align][sign][#][0][width][,|_][.prec][type]. */
static int fmt_parse_spec(const char *s, size_t n, struct pyfmt_spec *sp, struct pyerr *e)
{
	size_t i = 0;

	memset(sp, 0, sizeof(*sp));
	sp->width = sp->prec = -1;
	if (n >= 2 && strchr("<>=^", s[1]) != NULL && (unsigned char)s[0] < 0x80) {
		sp->fill = s[0];
		sp->align = s[1];
		i = 2;
	} else if (n >= 1 && strchr("<>=^", s[0]) != NULL) {
		sp->align = s[0];
		i = 1;
	}
	if (i < n && (s[i] == '+' || s[i] == '-' || s[i] == ' ')) {
		sp->plus = s[i] == '+';
		sp->space = s[i] == ' ';
		i++;
	}
	if (i < n && s[i] == '#') {
		sp->alt = 1;
		i++;
	}
	if (i < n && s[i] == '0') {
		sp->zero = 1;
		if (!sp->fill)
			sp->fill = '0';
		if (!sp->align)
			sp->align = '=';
		i++;
	}
	if (i < n && s[i] >= '0' && s[i] <= '9')
		sp->width = pct_number(s, n, &i);
	if (i < n && (s[i] == ',' || s[i] == '_'))
		sp->grouping = s[i++];
	if (i < n && s[i] == '.') {
		i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return pyerr_set(e, ERR_INVAL, "Format specifier missing precision");
		sp->prec = pct_number(s, n, &i);
	}
	if (i < n)
		sp->type = s[i++];
	if (i < n)
		return pyerr_set(e, ERR_INVAL, "Invalid format specifier");
	return 0;
}

static int fmt_value(struct tpl_rt *rt, struct buf *out, const struct value *v, const char *spec, size_t sn,
                     struct pyerr *e)
{
	struct pyfmt_spec sp;
	struct buf tmp;
	char fs[64];
	int r;

	if ((r = fmt_parse_spec(spec, sn, &sp, e)) != 0)
		return r;
	if (v->type == VALUE_INT || v->type == VALUE_BOOL) {
		if (v->type == VALUE_BOOL && sp.type == 0 && sn == 0)
			return buf_puts(out, v->u.b ? "True" : "False");
		if (sp.type == 0 || strchr("dbxXon", sp.type) != NULL)
			return pyfmt_int(out, &sp, pyval_int(v), sp.type == 'n' || !sp.type ? 'd' : sp.type, 0);
		if (sp.type == 'c') {
			sp.type = 0;
			buf_init(&tmp, 8);
			ustr_put(&tmp, (uint32_t)pyval_int(v));
			r = pyfmt_str(out, &sp, buf_str(&tmp), tmp.len);
			buf_fini(&tmp);
			return r;
		}
		if (strchr("eEfFgG%", sp.type) != NULL)
			return pyfmt_float(out, &sp, (double)pyval_int(v), sp.type);
	} else if (v->type == VALUE_FLOAT && !(v->flags & TPL_F_SPECIAL)) {
		if (sp.type == 0 && sp.prec < 0) {
			if (pyfmt_float_str(v, fs, sizeof(fs)) != 0)
				return ERR_INTERNAL;
			return pyfmt_number(out, &sp, fs[0] == '-', "", fs + (fs[0] == '-'), '>');
		}
		if (sp.type == 0 || sp.type == 'n')
			sp.type = 'g';
		if (strchr("eEfFgG%", sp.type) != NULL)
			return pyfmt_float(out, &sp, v->u.f, sp.type);
	} else if (is_str(v) || sn == 0) {
		if (sp.type == 0 || sp.type == 's') {
			if (is_str(v))
				return pyfmt_str(out, &sp, v->u.s.ptr, v->u.s.len);
			buf_init(&tmp, out->max);
			r = pyval_str(rt, &tmp, v);
			if (r == 0)
				r = buf_put(out, tmp.data ? tmp.data : "", tmp.len);
			buf_fini(&tmp);
			return r;
		}
	} else {
		return pyerr_set(e, ERR_INVAL, "unsupported format string passed to %s.__format__", pyval_type(v));
	}
	return pyerr_set(e, ERR_INVAL, "Unknown format code '%c' for object of type '%s'", sp.type, pyval_type(v));
}

struct fmt_state {
	struct tpl_rt *rt;
	struct value *const *args;
	size_t nargs;
	const struct value *kwargs;
	long auto_idx; /* -1: manual numbering used */
	int manual;
};

/* Resolves "name.attr[key]..." of a replacement field. */
static int fmt_field(struct fmt_state *st, const char *f, size_t n, const struct value **vp, struct pyerr *e)
{
	size_t i = 0, k;
	const struct value *v;
	long idx;

	while (i < n && f[i] != '.' && f[i] != '[')
		i++;
	if (i == 0) {
		if (st->manual)
			return pyerr_set(e, ERR_INVAL,
			                 "cannot switch from manual field specification to automatic field numbering");
		idx = st->auto_idx++;
		goto positional;
	}
	if (f[0] >= '0' && f[0] <= '9') {
		if (st->auto_idx > 0)
			return pyerr_set(e, ERR_INVAL,
			                 "cannot switch from automatic field numbering to manual field specification");
		st->manual = 1;
		for (idx = 0, k = 0; k < i; k++) {
			if (f[k] < '0' || f[k] > '9')
				return pyerr_set(e, ERR_INVAL, "'%.*s'", (int)i, f);
			idx = idx * 10 + (f[k] - '0');
			if (idx > 1000000)
				break;
		}
		goto positional;
	}
	v = st->kwargs ? value_map_getn(st->kwargs, f, i) : NULL;
	if (v == NULL)
		return pyerr_set(e, ERR_INVAL, "'%.*s'", (int)i, f);
	goto rest;
positional:
	if (idx < 0 || (size_t)idx >= st->nargs)
		return pyerr_set(e, ERR_INVAL, "Replacement index %ld out of range for positional args tuple", idx);
	v = st->args[idx];
rest:
	while (i < n) {
		const struct value *next = NULL;

		if (f[i] == '.') {
			for (k = ++i; k < n && f[k] != '.' && f[k] != '['; k++)
				;
			if (v->type == VALUE_MAP && !(v->flags & TPL_F_SPECIAL))
				next = value_map_getn(v, f + i, k - i);
			if (next == NULL)
				return pyerr_set(e, ERR_INVAL, "'%s' object has no attribute '%.*s'", pyval_type(v),
				                 (int)(k - i), f + i);
		} else if (f[i] == '[') {
			for (k = ++i; k < n && f[k] != ']'; k++)
				;
			if (k >= n)
				return pyerr_set(e, ERR_INVAL, "Missing ']' in format string");
			if (v->type == VALUE_LIST) {
				int64_t ix;

				if (pyval_parse_int(f + i, k - i, 10, &ix) == 0 && ix >= 0 && (size_t)ix < v->u.l.len)
					next = v->u.l.items[ix];
			} else if (v->type == VALUE_MAP) {
				next = value_map_getn(v, f + i, k - i);
			}
			if (next == NULL)
				return pyerr_set(e, ERR_INVAL, "'%.*s'", (int)(k - i), f + i);
			k++;
		} else {
			return pyerr_set(e, ERR_INVAL, "Only '.' or '[' may follow ']' in format field specifier");
		}
		v = next;
		i = k;
	}
	*vp = v;
	return 0;
}

/* One replacement field "{...}" whose inside is f[0..n). */
static int fmt_replace(struct fmt_state *st, struct buf *out, const char *f, size_t n, struct pyerr *e)
{
	const struct value *v;
	size_t name_end = 0, spec_start = n;
	char conv = 0;
	struct buf spec, conv_text;
	int r;
	long depth = 0;

	while (name_end < n && f[name_end] != '!' && (f[name_end] != ':' || depth > 0)) {
		depth += f[name_end] == '[' ? 1 : f[name_end] == ']' ? -1 : 0;
		name_end++;
	}
	if (name_end < n && f[name_end] == '!') {
		if (name_end + 1 >= n)
			return pyerr_set(e, ERR_INVAL, "end of string while looking for conversion specifier");
		conv = f[name_end + 1];
		if (name_end + 2 < n && f[name_end + 2] != ':')
			return pyerr_set(e, ERR_INVAL, "expected ':' after conversion specifier");
		spec_start = name_end + 2 < n ? name_end + 3 : n;
	} else if (name_end < n) {
		spec_start = name_end + 1;
	}
	if ((r = fmt_field(st, f, name_end, &v, e)) != 0)
		return r;
	/* Nested fields in the spec ("{:{width}}"). */
	buf_init(&spec, 256);
	for (size_t i = spec_start; i < n && r == 0; i++) {
		if (f[i] == '{') {
			size_t k = i + 1;
			const struct value *nv;

			while (k < n && f[k] != '}')
				k++;
			if ((r = fmt_field(st, f + i + 1, k - i - 1, &nv, e)) == 0)
				r = pyval_str(st->rt, &spec, nv);
			i = k;
		} else {
			r = buf_putc(&spec, f[i]);
		}
	}
	if (r != 0) {
		buf_fini(&spec);
		return r;
	}
	if (conv == 's' || conv == 'r' || conv == 'a') {
		struct value *tv;

		buf_init(&conv_text, out->max);
		r = conv == 's' ? pyval_str(st->rt, &conv_text, v) : pyval_repr(st->rt, &conv_text, v);
		if (r == 0) {
			tv = value_strn(conv_text.data ? conv_text.data : "", conv_text.len);
			r = fmt_value(st->rt, out, tv, buf_str(&spec), spec.len, e);
			value_unref(tv);
		}
		buf_fini(&conv_text);
	} else if (conv != 0) {
		r = pyerr_set(e, ERR_INVAL, "Unknown conversion specifier %c", conv);
	} else {
		r = fmt_value(st->rt, out, v, buf_str(&spec), spec.len, e);
	}
	buf_fini(&spec);
	return r;
}

int pyval_format(struct tpl_rt *rt, const char *f, size_t n, struct value *const *args, size_t nargs,
                 const struct value *kwargs, const struct tpl_limits *lim, struct value **vp, struct pyerr *e)
{
	struct fmt_state st = {rt, args, nargs, kwargs, 0, 0};
	struct buf out;
	size_t i = 0, k, len;
	int r = 0, depth;
	char *s;

	*vp = NULL;
	buf_init(&out, lim->max_str);
	while (i < n && r == 0) {
		if (f[i] == '{' && i + 1 < n && f[i + 1] == '{') {
			r = buf_putc(&out, '{');
			i += 2;
		} else if (f[i] == '}' && i + 1 < n && f[i + 1] == '}') {
			r = buf_putc(&out, '}');
			i += 2;
		} else if (f[i] == '}') {
			r = pyerr_set(e, ERR_INVAL, "Single '}' encountered in format string");
		} else if (f[i] == '{') {
			for (k = i + 1, depth = 1; k < n; k++) {
				depth += f[k] == '{' ? 1 : f[k] == '}' ? -1 : 0;
				if (depth == 0)
					break;
			}
			if (k >= n) {
				r = pyerr_set(e, ERR_INVAL, "expected '}' before end of string");
				break;
			}
			r = fmt_replace(&st, &out, f + i + 1, k - i - 1, e);
			i = k + 1;
		} else {
			r = buf_putc(&out, f[i++]);
		}
	}
	if (r == ERR_TOOBIG)
		pyerr_set(e, ERR_TOOBIG, "string too long (over %zu bytes)", lim->max_str);
	if (r != 0) {
		buf_fini(&out);
		return r;
	}
	s = buf_take(&out, &len);
	*vp = value_str_take(s, len);
	return 0;
}
