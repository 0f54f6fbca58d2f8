/* Python's printf-style "format % mapping", the subset supervisord's
 * configurations reach: keyed conversions over strings and integers. */
#include "droverd/expand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "droverd/conv.h"

#define EXPAND_MAX_WIDTH 4096

void expand_vars_init(struct expand_vars *vars)
{
	memset(vars, 0, sizeof(*vars));
}

void expand_vars_fini(struct expand_vars *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		free(vars->v[i].name);
		free(vars->v[i].str);
	}
	free(vars->v);
	expand_vars_init(vars);
}

static struct expand_var *expand_vars_slot(struct expand_vars *vars, const char *name)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, name) == 0) {
			free(vars->v[i].str);
			vars->v[i].str = NULL;
			return &vars->v[i];
		}
	}
	if (vars->n == vars->cap) {
		vars->cap = vars->cap ? vars->cap * 2 : 16;
		vars->v = xreallocarray(vars->v, vars->cap, sizeof(*vars->v));
	}
	memset(&vars->v[vars->n], 0, sizeof(vars->v[0]));
	vars->v[vars->n].name = xstrdup(name);
	return &vars->v[vars->n++];
}

void expand_vars_set_str(struct expand_vars *vars, const char *name, const char *s)
{
	struct expand_var *v = expand_vars_slot(vars, name);

	v->str = xstrdup(s);
}

void expand_vars_set_num(struct expand_vars *vars, const char *name, long long num)
{
	struct expand_var *v = expand_vars_slot(vars, name);

	v->num = num;
}

void expand_vars_update(struct expand_vars *dst, const struct expand_vars *src)
{
	size_t i;

	for (i = 0; i < src->n; i++) {
		if (src->v[i].str != NULL)
			expand_vars_set_str(dst, src->v[i].name, src->v[i].str);
		else
			expand_vars_set_num(dst, src->v[i].name, src->v[i].num);
	}
}

const struct expand_var *expand_vars_get(const struct expand_vars *vars, const char *name)
{
	size_t i;

	for (i = 0; i < vars->n; i++)
		if (strcmp(vars->v[i].name, name) == 0)
			return &vars->v[i];
	return NULL;
}

static int expand_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *expand_available(const struct expand_vars *vars)
{
	const char **names = xcalloc(vars->n + 1, sizeof(*names));
	struct buf b;
	size_t i;

	for (i = 0; i < vars->n; i++)
		names[i] = vars->v[i].name;
	qsort(names, vars->n, sizeof(*names), expand_cmp);
	buf_init(&b, 0);
	for (i = 0; i < vars->n; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		buf_puts(&b, names[i]);
	}
	free(names);
	return buf_take(&b, NULL);
}

/* Number of code points in [s, s+n). */
static size_t expand_chars(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	return c;
}

/* Byte length of the first k code points of s. */
static size_t expand_prefix_bytes(const char *s, size_t n, size_t k)
{
	size_t i = 0;

	while (i < n && k > 0) {
		i++;
		while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		k--;
	}
	return i;
}

struct expand_spec {
	int minus, plus, space, alt, zero;
	long width, prec; /* -1: none */
	char conv;
};

static void expand_pad(struct buf *out, const char *s, size_t n, const struct expand_spec *sp)
{
	size_t chars = expand_chars(s, n);
	long pad = sp->width > (long)chars ? sp->width - (long)chars : 0;

	if (!sp->minus)
		while (pad-- > 0)
			buf_putc(out, ' ');
	buf_put(out, s, n);
	if (sp->minus)
		while (pad-- > 0)
			buf_putc(out, ' ');
}

static void expand_text(struct buf *out, const char *s, const struct expand_spec *sp)
{
	size_t n = strlen(s);

	if (sp->prec >= 0)
		n = expand_prefix_bytes(s, n, (size_t)sp->prec);
	expand_pad(out, s, n, sp);
}

/* Python's formatlong(): sign, base prefix, digits (at least prec of them),
 * then padding with spaces, or with zeros after the prefix. */
static void expand_int(struct buf *out, long long v, const struct expand_spec *sp)
{
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
	const char *prefix = "";
	char digits[72], head[8];
	long ndig, zeros, len, pad;
	size_t hl;

	switch (sp->conv) {
	case 'x':
		snprintf(digits, sizeof(digits), "%llx", u);
		prefix = sp->alt ? "0x" : "";
		break;
	case 'X':
		snprintf(digits, sizeof(digits), "%llX", u);
		prefix = sp->alt ? "0X" : "";
		break;
	case 'o':
		snprintf(digits, sizeof(digits), "%llo", u);
		prefix = sp->alt ? "0o" : "";
		break;
	default:
		snprintf(digits, sizeof(digits), "%llu", u);
		break;
	}
	snprintf(head, sizeof(head), "%s%s", v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "", prefix);
	hl = strlen(head);
	ndig = (long)strlen(digits);
	zeros = sp->prec > ndig ? sp->prec - ndig : 0;
	len = (long)hl + zeros + ndig;
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->minus && !sp->zero)
		while (pad-- > 0)
			buf_putc(out, ' ');
	buf_puts(out, head);
	if (!sp->minus && sp->zero)
		while (pad-- > 0)
			buf_putc(out, '0');
	while (zeros-- > 0)
		buf_putc(out, '0');
	buf_puts(out, digits);
	if (sp->minus)
		while (pad-- > 0)
			buf_putc(out, ' ');
}

static void expand_float(struct buf *out, double d, const struct expand_spec *sp)
{
	char fmt[32], tmp[EXPAND_MAX_WIDTH + 400];

	snprintf(fmt, sizeof(fmt), "%%%s%s%s%s%s*.*%c", sp->minus ? "-" : "", sp->plus ? "+" : "",
	         sp->space ? " " : "", sp->alt ? "#" : "", sp->zero ? "0" : "", sp->conv);
	snprintf(tmp, sizeof(tmp), fmt, (int)sp->width, sp->prec >= 0 ? (int)sp->prec : 6, d);
	buf_puts(out, tmp);
}

static void expand_codepoint(struct buf *out, unsigned long c, const struct expand_spec *sp)
{
	char u[4];

	expand_pad(out, u, buf_utf8((uint32_t)c, u), sp);
}

/* Converts var per sp into out. Returns NULL or a new message. */
static char *expand_convert(struct buf *out, const struct expand_var *var, const struct expand_spec *sp)
{
	char num[32], *rep;

	switch (sp->conv) {
	case 's':
	case 'r':
	case 'a':
		if (var->str == NULL) {
			snprintf(num, sizeof(num), "%lld", var->num);
			expand_text(out, num, sp);
		} else if (sp->conv == 's') {
			expand_text(out, var->str, sp);
		} else {
			rep = conv_repr(var->str);
			expand_text(out, rep, sp);
			free(rep);
		}
		return NULL;
	case 'd':
	case 'i':
	case 'u':
		if (var->str != NULL)
			return xasprintf("%%%c format: a real number is required, not str", sp->conv);
		expand_int(out, var->num, sp);
		return NULL;
	case 'x':
	case 'X':
	case 'o':
		if (var->str != NULL)
			return xasprintf("%%%c format: an integer is required, not str", sp->conv);
		expand_int(out, var->num, sp);
		return NULL;
	case 'e':
	case 'E':
	case 'f':
	case 'F':
	case 'g':
	case 'G':
		if (var->str != NULL)
			return xstrdup("must be real number, not str");
		expand_float(out, (double)var->num, sp);
		return NULL;
	case 'c':
		if (var->str != NULL) {
			if (expand_chars(var->str, strlen(var->str)) != 1)
				return xstrdup("%c requires int or char");
			expand_text(out, var->str, sp);
			return NULL;
		}
		if (var->num < 0 || var->num > 0x10ffff)
			return xstrdup("%c arg not in range(0x110000)");
		expand_codepoint(out, (unsigned long)var->num, sp);
		return NULL;
	default:
		return xstrdup("unsupported conversion");
	}
}

/* Reads digits into *vp; returns non-zero when the number is too big. */
static int expand_number(const char **pp, const char *end, long *vp)
{
	const char *p = *pp;
	long v = 0;

	while (p < end && *p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (v > EXPAND_MAX_WIDTH)
			return -1;
	}
	*pp = p;
	*vp = v;
	return 0;
}

int expand(const char *s, const struct expand_vars *vars, const char *what, char **outp, char **errp)
{
	const char *p = s, *end = s + strlen(s), *ks;
	const struct expand_var *var;
	struct expand_spec sp;
	char *key = NULL, *why = NULL, *rs, *rw, *avail, *rk;
	struct buf out;
	int depth;
	int r = ERR_INTERNAL;

	*outp = NULL;
	*errp = NULL;
	buf_init(&out, 0);
	while (p < end) {
		if (*p != '%') {
			buf_putc(&out, *p++);
			continue;
		}
		p++;
		if (p < end && *p == '%') {
			buf_putc(&out, *p++);
			continue;
		}
		var = NULL;
		if (p < end && *p == '(') {
			/* Python counts nested parentheses inside the key. */
			ks = ++p;
			for (depth = 1; p < end; p++) {
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					break;
			}
			if (p >= end) {
				why = xstrdup("incomplete format key");
				goto bad;
			}
			key = xstrndup(ks, (size_t)(p - ks));
			p++;
			if ((var = expand_vars_get(vars, key)) == NULL) {
				rs = conv_repr(s);
				rw = conv_repr(what);
				rk = conv_repr(key);
				avail = expand_available(vars);
				*errp = xasprintf("Format string %s for %s contains names (%s) which cannot be "
				                  "expanded. Available names: %s",
				                  rs, rw, rk, avail);
				free(rs);
				free(rw);
				free(rk);
				free(avail);
				r = ERR_PARSE;
				goto out;
			}
			free(key);
			key = NULL;
		}
		memset(&sp, 0, sizeof(sp));
		sp.width = sp.prec = -1;
		for (; p < end && strchr("-+ #0", *p) != NULL; p++) {
			sp.minus |= *p == '-';
			sp.plus |= *p == '+';
			sp.space |= *p == ' ';
			sp.alt |= *p == '#';
			sp.zero |= *p == '0';
		}
		if (p < end && *p == '*') {
			/* Python fetches the width from a positional argument. */
			why = xstrdup("not enough arguments for format string");
			goto bad;
		}
		if (expand_number(&p, end, &sp.width) != 0) {
			why = xstrdup("width too big");
			goto bad;
		}
		if (p < end && *p == '.') {
			p++;
			if (p < end && *p == '*') {
				why = xstrdup("not enough arguments for format string");
				goto bad;
			}
			if (expand_number(&p, end, &sp.prec) != 0) {
				why = xstrdup("precision too big");
				goto bad;
			}
		}
		if (p < end && (*p == 'h' || *p == 'l' || *p == 'L'))
			p++;
		if (p >= end) {
			why = xstrdup("incomplete format");
			goto bad;
		}
		sp.conv = *p;
		/* Only "%%" itself is a literal percent; after a key, flags or a
		 * width, Python calls '%' an unsupported character. */
		if (strchr("sradiuxXoeEfFgGc", sp.conv) == NULL || sp.conv == '\0') {
			why = xasprintf("unsupported format character '%c' (0x%x) at index %zu",
			                (unsigned char)sp.conv >= 0x20 && (unsigned char)sp.conv < 0x7f ? sp.conv : '?',
			                (unsigned char)sp.conv, expand_chars(s, (size_t)(p - s)));
			goto bad;
		}
		if (var == NULL) {
			why = xasprintf("'%%%c' without a (name): droverd expands only named values", sp.conv);
			goto bad;
		}
		p++;
		if ((why = expand_convert(&out, var, &sp)) != NULL)
			goto bad;
		if (out.len > ((size_t)1 << 20)) {
			why = xstrdup("the expanded value is longer than 1 MiB");
			goto bad;
		}
	}
	*outp = buf_take(&out, NULL);
	r = 0;
	goto out;
bad:
	rs = conv_repr(s);
	rw = conv_repr(what);
	*errp = xasprintf("Format string %s for %s is badly formatted: %s", rs, rw, why);
	free(rs);
	free(rw);
	r = ERR_PARSE;
out:
	free(why);
	free(key);
	buf_fini(&out);
	return r;
}
