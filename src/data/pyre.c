/* Python regular expressions through POSIX <regex.h>; see pyre.h for what
 * translates and what does not. The translation follows the grammar of
 * Python's sre_parse closely enough to reject what Python rejects with the
 * same words, so a pattern that fails here fails for a reason a user of
 * Ansible would recognise. */
#include "data/pyre.h"

#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "base/hex.h"

#define PYRE_MAX_DEPTH 64     /* nested groups */
#define PYRE_MAX_REPEAT 255   /* RE_DUP_MAX of musl's regcomp */
#define PYRE_MAX_WEIGHT 4096  /* copies nested counted repeats may make */

struct pyre {
	regex_t rx;
	int flags;                            /* effective PYRE_* */
	size_t nsub;                          /* ERE subexpressions */
	size_t ngroups;                       /* Python groups */
	size_t map[PYRE_MAX_GROUPS + 1];      /* ERE subexpression of each Python group */
	char *names[PYRE_MAX_GROUPS + 1];     /* owned; NULL for unnamed groups */
};

/* Translation state. */
struct pyre_tr {
	const char *base, *p, *end; /* the pattern, the next byte, its end */
	struct buf *out;
	struct pyre *re;      /* receives the group map and names */
	int flags;
	int at_start;         /* nothing translated yet: global flags allowed */
	int can_repeat;       /* the last item is an atom a quantifier may follow */
	int after_repeat;     /* the last item is a quantifier */
	size_t last_weight;   /* copies of the last atom a counted repeat multiplies */
	size_t depth;
	size_t weight[PYRE_MAX_DEPTH + 1]; /* per open group: largest nested copy count */
	size_t open_at[PYRE_MAX_DEPTH + 1]; /* per open group: offset of its '(' */
	char *err;            /* heap; the first error */
};

/* Records the first error, with the offset of at as Python reports it. */
static int pyre_vfail(struct pyre_tr *t, const char *at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int pyre_vfail(struct pyre_tr *t, const char *at, const char *fmt, va_list ap)
{
	char *msg;

	if (t->err == NULL) {
		msg = xvasprintf(fmt, ap);
		t->err = xasprintf("%s at position %zu", msg, (size_t)(at - t->base));
		free(msg);
	}
	return -1;
}

static int pyre_fail_at(struct pyre_tr *t, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pyre_fail_at(struct pyre_tr *t, const char *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pyre_vfail(t, at, fmt, ap);
	va_end(ap);
	return -1;
}

/* pyre_fail_at the current position. */
static int pyre_fail(struct pyre_tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int pyre_fail(struct pyre_tr *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pyre_vfail(t, t->p, fmt, ap);
	va_end(ap);
	return -1;
}

static int pyre_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* Reads the n hex digits after p ("\\x41": p at 'x'). Returns the value or
 * -1. */
static long pyre_hex_escape(struct pyre_tr *t, const char *p, int n)
{
	long v = 0;
	int i, d;

	for (i = 1; i <= n; i++) {
		if (p + i >= t->end || (d = hex_digit((unsigned char)p[i])) < 0)
			return pyre_fail_at(t, p - 1, "incomplete escape \\%c%.*s", p[0], i - 1, p + 1);
		v = v * 16 + d;
	}
	if (v > 0x10ffff)
		return pyre_fail_at(t, p - 1, "bad escape \\%c%.*s", p[0], n, p + 1);
	return v;
}

/* Appends one literal byte to the ERE, escaped where it is special. */
static void pyre_lit(struct pyre_tr *t, char c)
{
	if (strchr(".[]()*+?{}|^$\\", c) != NULL && c != '\0')
		buf_putc(t->out, '\\');
	buf_putc(t->out, c);
}

/* Appends a code point as literal bytes. */
static int pyre_lit_cp(struct pyre_tr *t, long cp)
{
	struct buf tmp;
	size_t i;

	if (cp == 0)
		return pyre_fail(t, "NUL characters are not supported in patterns");
	buf_init(&tmp, 8);
	(void)buf_put_utf8(&tmp, (uint32_t)cp);
	for (i = 0; i < buf_avail(&tmp); i++)
		pyre_lit(t, buf_ptr(&tmp)[i]);
	buf_fini(&tmp);
	return 0;
}

/* --- character classes --- */

struct pyre_set {
	unsigned char bits[32];
};

static void pyre_set_add(struct pyre_set *s, unsigned lo, unsigned hi)
{
	unsigned c;

	for (c = lo; c <= hi && c < 256; c++)
		s->bits[c / 8] |= (unsigned char)(1u << (c % 8));
}

static int pyre_set_has(const struct pyre_set *s, unsigned c)
{
	return (s->bits[c / 8] >> (c % 8)) & 1;
}

static void pyre_set_word(struct pyre_set *s)
{
	pyre_set_add(s, '0', '9');
	pyre_set_add(s, 'A', 'Z');
	pyre_set_add(s, 'a', 'z');
	pyre_set_add(s, '_', '_');
}

static void pyre_set_space(struct pyre_set *s)
{
	pyre_set_add(s, '\t', '\r');
	pyre_set_add(s, ' ', ' ');
}

/* One item of a class at t->p: a single character (*cp set, returns 1) or
 * a class escape added to s (returns 0). Returns -1 on error. */
static int pyre_class_item(struct pyre_tr *t, struct pyre_set *s, long *cp)
{
	const char *p = t->p;
	long v;
	int n;

	if (*p != '\\') {
		if ((unsigned char)*p >= 0x80)
			return pyre_fail_at(t, p, "non-ASCII characters in a character class are not supported");
		*cp = (unsigned char)*p;
		t->p++;
		return 1;
	}
	if (p + 1 >= t->end)
		return pyre_fail_at(t, p, "bad escape (end of pattern)");
	t->p += 2;
	switch (p[1]) {
	case 'd': pyre_set_add(s, '0', '9'); return 0;
	case 'w': pyre_set_word(s); return 0;
	case 's': pyre_set_space(s); return 0;
	case 'D':
	case 'W':
	case 'S': return pyre_fail_at(t, p, "\\%c inside a character class is not supported", p[1]);
	case 'b': *cp = '\b'; return 1;
	case 'n': *cp = '\n'; return 1;
	case 't': *cp = '\t'; return 1;
	case 'r': *cp = '\r'; return 1;
	case 'f': *cp = '\f'; return 1;
	case 'v': *cp = '\v'; return 1;
	case 'a': *cp = '\a'; return 1;
	case 'x':
	case 'u':
	case 'U':
		n = p[1] == 'x' ? 2 : p[1] == 'u' ? 4 : 8;
		if ((v = pyre_hex_escape(t, p + 1, n)) < 0)
			return -1;
		t->p += n;
		if (v >= 0x80)
			return pyre_fail_at(t, p, "non-ASCII characters in a character class are not supported");
		*cp = v;
		return 1;
	default: break;
	}
	if (pyre_octal(p[1])) {
		v = 0;
		for (n = 0; n < 3 && p + 1 + n < t->end && pyre_octal(p[1 + n]); n++)
			v = v * 8 + (p[1 + n] - '0');
		t->p = p + 1 + n;
		if (v > 0377)
			return pyre_fail_at(t, p, "octal escape value \\%.*s outside of range 0-0o377", n, p + 1);
		if (v >= 0x80)
			return pyre_fail_at(t, p, "non-ASCII characters in a character class are not supported");
		*cp = v;
		return 1;
	}
	if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z') || (p[1] >= '0' && p[1] <= '9'))
		return pyre_fail_at(t, p, "bad escape \\%c", p[1]);
	if ((unsigned char)p[1] >= 0x80)
		return pyre_fail_at(t, p, "non-ASCII characters in a character class are not supported");
	*cp = (unsigned char)p[1];
	return 1;
}

/* Writes the set as a POSIX bracket expression. POSIX brackets have no
 * escapes: ']' must come first, '-' last, '^' anywhere but first, and '['
 * must not be followed by ':', '.' or '='. */
static void pyre_set_emit(struct pyre_tr *t, const struct pyre_set *s, int negate)
{
	static const char *const runs[] = {"09", "AZ", "az"};
	unsigned c, lo, hi, k;
	size_t before;
	int any = 0;

	if (!negate) {
		for (c = 0; c < 256 && !(pyre_set_has(s, c) && c != '^'); c++)
			;
		if (c == 256) {
			buf_puts(t->out, "\\^");
			return;
		}
	}
	buf_putc(t->out, '[');
	if (negate)
		buf_putc(t->out, '^');
	before = buf_avail(t->out);
	if (pyre_set_has(s, ']'))
		buf_putc(t->out, ']');
	for (k = 0; k < 3; k++) {
		for (lo = (unsigned char)runs[k][0]; lo <= (unsigned char)runs[k][1]; lo = hi + 1) {
			for (; lo <= (unsigned char)runs[k][1] && !pyre_set_has(s, lo); lo++)
				;
			if (lo > (unsigned char)runs[k][1])
				break;
			for (hi = lo; hi + 1 <= (unsigned char)runs[k][1] && pyre_set_has(s, hi + 1); hi++)
				;
			buf_putc(t->out, (char)lo);
			if (hi > lo + 1)
				buf_putc(t->out, '-');
			if (hi > lo)
				buf_putc(t->out, (char)hi);
		}
	}
	for (c = 1; c < 128; c++) {
		if (!pyre_set_has(s, c) || strchr("]^-[", (int)c) != NULL || (c >= '0' && c <= '9') ||
		    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
			continue;
		buf_putc(t->out, (char)c);
	}
	if (pyre_set_has(s, '['))
		buf_putc(t->out, '[');
	any = buf_avail(t->out) > before;
	if (pyre_set_has(s, '^') && !any && !negate) {
		/* '^' cannot come first: put the '-' (there must be one, or the
		 * set would be '^' alone, handled above) in front of it. */
		buf_puts(t->out, "-^");
	} else {
		if (pyre_set_has(s, '^'))
			buf_putc(t->out, '^');
		if (pyre_set_has(s, '-'))
			buf_putc(t->out, '-');
	}
	buf_putc(t->out, ']');
}

static int pyre_class(struct pyre_tr *t)
{
	struct pyre_set s;
	const char *start = t->p, *item;
	long lo, hi;
	int negate = 0, first = 1, r;

	memset(&s, 0, sizeof(s));
	t->p++;
	if (t->p < t->end && *t->p == '^') {
		negate = 1;
		t->p++;
	}
	for (;;) {
		if (t->p >= t->end)
			return pyre_fail_at(t, start, "unterminated character set");
		if (*t->p == ']' && !first)
			break;
		first = 0;
		item = t->p;
		if ((r = pyre_class_item(t, &s, &lo)) < 0)
			return -1;
		if (t->p + 1 < t->end && t->p[0] == '-' && t->p[1] != ']') {
			t->p++;
			if ((r = r == 0 ? 0 : pyre_class_item(t, &s, &hi)) < 0)
				return -1;
			if (r == 0 || hi < lo) {
				if (r == 0 && t->p[-1] == '-')
					t->p += t->p[0] == '\\' ? 2 : 1;
				return pyre_fail_at(t, item, "bad character range %.*s", (int)(t->p - item), item);
			}
			if (lo == 0)
				return pyre_fail_at(t, item, "NUL characters are not supported in patterns");
			pyre_set_add(&s, (unsigned)lo, (unsigned)hi);
			continue;
		}
		if (r == 0)
			continue;
		if (lo == 0)
			return pyre_fail_at(t, item, "NUL characters are not supported in patterns");
		pyre_set_add(&s, (unsigned)lo, (unsigned)lo);
	}
	t->p++;
	pyre_set_emit(t, &s, negate);
	return 0;
}

/* --- escapes, groups, quantifiers --- */

static int pyre_escape(struct pyre_tr *t)
{
	const char *p = t->p;
	long v;
	int n;

	if (p + 1 >= t->end)
		return pyre_fail_at(t, p, "bad escape (end of pattern)");
	t->p += 2;
	t->can_repeat = 1;
	t->last_weight = 1;
	switch (p[1]) {
	case 'd': buf_puts(t->out, "[0-9]"); return 0;
	case 'D': buf_puts(t->out, "[^0-9]"); return 0;
	case 'w': buf_puts(t->out, "[[:alnum:]_]"); return 0;
	case 'W': buf_puts(t->out, "[^[:alnum:]_]"); return 0;
	case 's': buf_puts(t->out, "[[:space:]]"); return 0;
	case 'S': buf_puts(t->out, "[^[:space:]]"); return 0;
	case 'b': buf_puts(t->out, "\\b"); t->can_repeat = 0; return 0;
	case 'B': buf_puts(t->out, "\\B"); t->can_repeat = 0; return 0;
	case 'A': buf_putc(t->out, '^'); t->can_repeat = 0; return 0;
	case 'Z': buf_putc(t->out, '$'); t->can_repeat = 0; return 0;
	case 'n': pyre_lit(t, '\n'); return 0;
	case 't': pyre_lit(t, '\t'); return 0;
	case 'r': pyre_lit(t, '\r'); return 0;
	case 'f': pyre_lit(t, '\f'); return 0;
	case 'v': pyre_lit(t, '\v'); return 0;
	case 'a': pyre_lit(t, '\a'); return 0;
	case 'x':
	case 'u':
	case 'U':
		n = p[1] == 'x' ? 2 : p[1] == 'u' ? 4 : 8;
		if ((v = pyre_hex_escape(t, p + 1, n)) < 0)
			return -1;
		t->p += n;
		return pyre_lit_cp(t, v);
	case 'N': return pyre_fail_at(t, p, "named Unicode escapes (\\N{...}) are not supported");
	default: break;
	}
	if (p[1] == '0' || (pyre_octal(p[1]) && p + 3 < t->end && pyre_octal(p[2]) && pyre_octal(p[3]))) {
		/* \0, \0NN, or three octal digits: a character. */
		v = 0;
		for (n = 0; n < 3 && p + 1 + n < t->end && pyre_octal(p[1 + n]); n++)
			v = v * 8 + (p[1 + n] - '0');
		t->p = p + 1 + n;
		if (v > 0377)
			return pyre_fail_at(t, p, "octal escape value \\%.*s outside of range 0-0o377", n, p + 1);
		return pyre_lit_cp(t, v);
	}
	if (p[1] >= '1' && p[1] <= '9')
		return pyre_fail_at(t, p, "back references (\\%c) are not supported", p[1]);
	if ((p[1] >= 'a' && p[1] <= 'z') || (p[1] >= 'A' && p[1] <= 'Z'))
		return pyre_fail_at(t, p, "bad escape \\%c", p[1]);
	if (p[1] == '\0')
		return pyre_fail_at(t, p, "NUL characters are not supported in patterns");
	pyre_lit(t, p[1]);
	return 0;
}

static int pyre_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      s[i] == '_' || (unsigned char)s[i] >= 0x80))
			return 0;
	return 1;
}

/* Global inline flags "(?ims)" at t->p (at '('). */
static int pyre_inline_flags(struct pyre_tr *t)
{
	const char *p = t->p + 2;

	for (; p < t->end && strchr("aiLmsux", *p) != NULL && *p != '\0'; p++) {
		switch (*p) {
		case 'i': t->flags |= PYRE_IGNORECASE; break;
		case 'm': t->flags |= PYRE_MULTILINE; break;
		case 's': t->flags |= PYRE_DOTALL; break;
		case 'x': return pyre_fail(t, "verbose patterns ((?x)) are not supported");
		case 'L': return pyre_fail(t, "bad inline flag: cannot use 'L' flag with a str pattern");
		default: break;
		}
	}
	if (p >= t->end)
		return pyre_fail(t, "missing -, : or )");
	if (*p == ':' || *p == '-')
		return pyre_fail(t, "scoped inline flags ((?flags:...)) are not supported");
	if (*p != ')')
		return pyre_fail(t, "unknown flag");
	if (!t->at_start)
		return pyre_fail_at(t, t->p, "global flags not at the start of the expression");
	t->p = p + 1;
	return 0;
}

static int pyre_group_open(struct pyre_tr *t)
{
	const char *p = t->p, *name = NULL, *close;
	size_t nlen = 0, i;
	int capture = 1;

	if (p + 1 < t->end && p[1] == '?') {
		if (p + 2 >= t->end)
			return pyre_fail_at(t, p, "unexpected end of pattern");
		switch (p[2]) {
		case ':':
			capture = 0;
			t->p = p + 3;
			break;
		case 'P':
			if (p + 3 < t->end && p[3] == '=')
				return pyre_fail_at(t, p, "back references ((?P=name)) are not supported");
			if (p + 3 >= t->end || p[3] != '<')
				return pyre_fail_at(t, p + 1, "unknown extension ?P%c", p + 3 < t->end ? p[3] : ' ');
			close = memchr(p + 4, '>', (size_t)(t->end - (p + 4)));
			if (close == NULL)
				return pyre_fail_at(t, p + 4, "missing >, unterminated name");
			name = p + 4;
			nlen = (size_t)(close - name);
			if (nlen == 0)
				return pyre_fail_at(t, p + 4, "missing group name");
			if (!pyre_ident(name, nlen))
				return pyre_fail_at(t, p + 4, "bad character in group name '%.*s'", (int)nlen, name);
			for (i = 1; i <= t->re->ngroups; i++)
				if (t->re->names[i] != NULL && strlen(t->re->names[i]) == nlen &&
				    memcmp(t->re->names[i], name, nlen) == 0)
					return pyre_fail_at(t, p + 4,
					                    "redefinition of group name '%.*s' as group %zu; was group %zu",
					                    (int)nlen, name, t->re->ngroups + 1, i);
			t->p = close + 1;
			break;
		case '#':
			close = memchr(p + 3, ')', (size_t)(t->end - (p + 3)));
			if (close == NULL)
				return pyre_fail_at(t, p, "missing ), unterminated comment");
			t->p = close + 1;
			return 1;
		case '=':
		case '!': return pyre_fail_at(t, p, "lookahead assertions ((?%c...)) are not supported", p[2]);
		case '<':
			if (p + 3 < t->end && (p[3] == '=' || p[3] == '!'))
				return pyre_fail_at(t, p, "lookbehind assertions ((?<%c...)) are not supported", p[3]);
			return pyre_fail_at(t, p + 1, "unknown extension ?<%c", p + 3 < t->end ? p[3] : ' ');
		case '>': return pyre_fail_at(t, p, "atomic groups ((?>...)) are not supported");
		case '(': return pyre_fail_at(t, p, "conditional groups ((?(...)...)) are not supported");
		default:
			if (strchr("aiLmsux-", p[2]) != NULL && p[2] != '\0') {
				if (pyre_inline_flags(t) != 0)
					return -1;
				return 1;
			}
			return pyre_fail_at(t, p + 1, "unknown extension ?%c", p[2]);
		}
	} else {
		t->p = p + 1;
	}
	if (t->depth >= PYRE_MAX_DEPTH)
		return pyre_fail(t, "groups nested more than %d deep are not supported", PYRE_MAX_DEPTH);
	t->re->nsub++;
	if (capture) {
		if (t->re->ngroups >= PYRE_MAX_GROUPS)
			return pyre_fail(t, "more than %d groups are not supported", PYRE_MAX_GROUPS);
		t->re->ngroups++;
		t->re->map[t->re->ngroups] = t->re->nsub;
		if (name != NULL)
			t->re->names[t->re->ngroups] = xstrndup(name, nlen);
	}
	t->weight[++t->depth] = 1;
	t->open_at[t->depth] = (size_t)(p - t->base);
	t->at_start = 0;
	buf_putc(t->out, '(');
	t->can_repeat = 0;
	return 0;
}

/* Is "{...}" at p a quantifier? Fills *lo, *hi (-1: no upper bound) and
 * *lenp. */
static int pyre_brace(const char *p, const char *end, long *lo, long *hi, size_t *lenp)
{
	const char *q = p + 1;
	long a = -1, b = -1;

	for (; q < end && *q >= '0' && *q <= '9'; q++)
		a = a > 100000 ? a : (a < 0 ? 0 : a * 10) + (*q - '0');
	if (q < end && *q == '}') {
		if (a < 0)
			return 0;
		*lo = *hi = a;
		*lenp = (size_t)(q + 1 - p);
		return 1;
	}
	if (q >= end || *q != ',')
		return 0;
	for (q++; q < end && *q >= '0' && *q <= '9'; q++)
		b = b > 100000 ? b : (b < 0 ? 0 : b * 10) + (*q - '0');
	if (q >= end || *q != '}')
		return 0;
	*lo = a < 0 ? 0 : a;
	*hi = b;
	*lenp = (size_t)(q + 1 - p);
	return 1;
}

static int pyre_quantifier(struct pyre_tr *t, long lo, long hi, size_t len)
{
	const char *q = t->p;
	size_t w;

	if (!t->can_repeat)
		return pyre_fail(t, t->after_repeat ? "multiple repeat" : "nothing to repeat");
	t->p += len;
	if (t->p < t->end && *t->p == '?')
		return pyre_fail_at(t, q, "lazy quantifiers (%.*s?) are not supported", (int)len, q);
	if (t->p < t->end && *t->p == '+')
		return pyre_fail_at(t, q, "possessive quantifiers (%.*s+) are not supported", (int)len, q);
	if (lo == -2) {
		buf_putc(t->out, *q);
	} else {
		if (hi >= 0 && hi < lo)
			return pyre_fail_at(t, q + 1, "min repeat greater than max repeat");
		if (lo > PYRE_MAX_REPEAT || hi > PYRE_MAX_REPEAT)
			return pyre_fail(t, "repeat counts over %d are not supported", PYRE_MAX_REPEAT);
		if (hi == lo)
			buf_printf(t->out, "{%ld}", lo);
		else if (hi < 0)
			buf_printf(t->out, "{%ld,}", lo);
		else
			buf_printf(t->out, "{%ld,%ld}", lo, hi);
		w = t->last_weight * (size_t)(hi > lo ? hi : lo > 0 ? lo : 1);
		if (w > PYRE_MAX_WEIGHT)
			return pyre_fail(t, "nested repeat counts are too large (over %d copies)", PYRE_MAX_WEIGHT);
		if (w > t->weight[t->depth])
			t->weight[t->depth] = w;
	}
	t->can_repeat = 0;
	t->after_repeat = 1;
	return 0;
}

static int pyre_step(struct pyre_tr *t)
{
	char c = *t->p;
	long lo, hi;
	size_t len, w;
	int r, repeat_before = t->after_repeat;

	t->after_repeat = 0;
	switch (c) {
	case '(':
		if ((r = pyre_group_open(t)) < 0)
			return -1;
		if (r == 1)
			t->after_repeat = repeat_before;
		return 0;
	case ')':
		if (t->depth == 0)
			return pyre_fail(t, "unbalanced parenthesis");
		w = t->weight[t->depth--];
		if (w > t->weight[t->depth])
			t->weight[t->depth] = w;
		t->last_weight = w;
		buf_putc(t->out, ')');
		t->p++;
		t->can_repeat = 1;
		return 0;
	case '|':
		buf_putc(t->out, '|');
		t->p++;
		t->can_repeat = 0;
		return 0;
	case '*':
	case '+':
	case '?':
		t->after_repeat = repeat_before;
		return pyre_quantifier(t, -2, -2, 1);
	case '{':
		if (pyre_brace(t->p, t->end, &lo, &hi, &len)) {
			t->after_repeat = repeat_before;
			return pyre_quantifier(t, lo, hi, len);
		}
		buf_puts(t->out, "\\{");
		t->p++;
		break;
	case '[':
		if (pyre_class(t) != 0)
			return -1;
		break;
	case '.':
		if ((t->flags & PYRE_DOTALL) && (t->flags & PYRE_MULTILINE)) {
			/* REG_NEWLINE keeps '.' off newlines; an unmapped group
			 * puts them back. */
			buf_puts(t->out, "(.|\n)");
			t->re->nsub++;
		} else if (!(t->flags & (PYRE_DOTALL | PYRE_MULTILINE))) {
			buf_puts(t->out, "[^\n]");
		} else {
			buf_putc(t->out, '.');
		}
		t->p++;
		break;
	case '^':
	case '$':
		buf_putc(t->out, c);
		t->p++;
		t->can_repeat = 0;
		t->at_start = 0;
		return 0;
	case '\\':
		t->at_start = 0;
		return pyre_escape(t);
	case '\0': return pyre_fail(t, "NUL characters are not supported in patterns");
	default:
		pyre_lit(t, c);
		t->p++;
		break;
	}
	t->can_repeat = 1;
	t->last_weight = 1;
	t->at_start = 0;
	return 0;
}

static int pyre_translate_into(struct pyre *re, const char *py, size_t len, int flags, struct buf *ere,
                               int *cflagsp, char **errp)
{
	struct pyre_tr t;

	*errp = NULL;
	memset(&t, 0, sizeof(t));
	t.base = t.p = py;
	t.end = py + len;
	t.out = ere;
	t.re = re;
	t.flags = flags;
	t.at_start = 1;
	t.weight[0] = 1;
	if (len > PYRE_MAX_PATTERN) {
		*errp = xasprintf("patterns over %d bytes are not supported", PYRE_MAX_PATTERN);
		return ERR_INVAL;
	}
	while (t.p < t.end && t.err == NULL) {
		if (*t.p != '(')
			t.at_start = 0;
		if (pyre_step(&t) != 0)
			break;
	}
	if (t.err == NULL && t.depth > 0) {
		t.p = t.base + t.open_at[t.depth];
		pyre_fail(&t, "missing ), unterminated subpattern");
	}
	if (t.err != NULL) {
		*errp = t.err;
		return ERR_INVAL;
	}
	re->flags = t.flags;
	*cflagsp = REG_EXTENDED | (t.flags & PYRE_IGNORECASE ? REG_ICASE : 0) |
	           (t.flags & PYRE_MULTILINE ? REG_NEWLINE : 0);
	return 0;
}

static void pyre_names_free(struct pyre *re)
{
	size_t i;

	for (i = 0; i <= PYRE_MAX_GROUPS; i++) {
		free(re->names[i]);
		re->names[i] = NULL;
	}
}

int pyre_translate(const char *py, size_t len, int flags, struct buf *ere, int *cflagsp, char **errp)
{
	struct pyre *re = xcalloc(1, sizeof(*re));
	int r = pyre_translate_into(re, py, len, flags, ere, cflagsp, errp);

	pyre_names_free(re);
	free(re);
	return r;
}

int pyre_compile(const char *py, size_t len, int flags, struct pyre **rep, char **errp)
{
	struct pyre *re = xcalloc(1, sizeof(*re));
	struct buf ere;
	char msg[256];
	int cflags, rc, r = ERR_INTERNAL;

	*rep = NULL;
	buf_init(&ere, 0);
	if ((r = pyre_translate_into(re, py, len, flags, &ere, &cflags, errp)) != 0)
		goto out;
	if ((rc = regcomp(&re->rx, buf_str(&ere), cflags)) != 0) {
		regerror(rc, &re->rx, msg, sizeof(msg));
		*errp = xasprintf("%s (as the POSIX regular expression %s)", msg, buf_str(&ere));
		r = ERR_INVAL;
		goto out;
	}
	if (re->rx.re_nsub != re->nsub) {
		regfree(&re->rx);
		*errp = xasprintf("internal error: %zu groups translated, regcomp counts %zu", re->nsub,
		                  (size_t)re->rx.re_nsub);
		r = ERR_INVAL;
		goto out;
	}
	*rep = re;
	re = NULL;
	r = 0;
out:
	if (re != NULL) {
		pyre_names_free(re);
		free(re);
	}
	buf_fini(&ere);
	return r;
}

void pyre_free(struct pyre *re)
{
	if (re == NULL)
		return;
	regfree(&re->rx);
	pyre_names_free(re);
	free(re);
}

const char *pyre_group_name(const struct pyre *re, size_t i)
{
	return i >= 1 && i <= PYRE_MAX_GROUPS ? re->names[i] : NULL;
}

size_t pyre_groups(const struct pyre *re)
{
	return re->ngroups;
}

int pyre_flags(const struct pyre *re)
{
	return re->flags;
}

int pyre_search(const struct pyre *re, const char *s, size_t len, size_t start, struct pyre_match *m)
{
	regmatch_t *pm;
	size_t i;
	int eflags = 0, found;

	if (start > len)
		return 0;
	if (start > 0 && !((re->flags & PYRE_MULTILINE) && s[start - 1] == '\n'))
		eflags |= REG_NOTBOL;
	pm = xcalloc(re->nsub + 1, sizeof(*pm));
	found = regexec(&re->rx, s + start, re->nsub + 1, pm, eflags) == 0 && start + (size_t)pm[0].rm_eo <= len;
	if (found) {
		m->ngroups = re->ngroups;
		for (i = 0; i <= re->ngroups; i++) {
			regmatch_t *g = &pm[re->map[i]];

			m->so[i] = g->rm_so < 0 ? PYRE_NONE : start + (size_t)g->rm_so;
			m->eo[i] = g->rm_so < 0 ? PYRE_NONE : start + (size_t)g->rm_eo;
		}
	}
	free(pm);
	return found;
}

/* Appends group g of the match (nothing when it did not take part). */
static void pyre_put_group(struct buf *out, const char *s, const struct pyre_match *m, size_t g)
{
	if (m != NULL && m->so[g] != PYRE_NONE)
		buf_put(out, s + m->so[g], m->eo[g] - m->so[g]);
}

/* \g<...> at t[i] ('g'); returns the bytes consumed after the backslash or
 * -1 with *errp. */
static long pyre_expand_named(const struct pyre *re, const char *t, size_t tlen, size_t i, size_t *gp, char **errp)
{
	const char *name, *close;
	size_t n, k, g = 0;

	if (i + 1 >= tlen || t[i + 1] != '<') {
		*errp = xasprintf("missing < at position %zu", i + 1);
		return -1;
	}
	name = t + i + 2;
	close = memchr(name, '>', tlen - (i + 2));
	if (close == NULL) {
		*errp = xasprintf("missing >, unterminated name at position %zu", i + 2);
		return -1;
	}
	n = (size_t)(close - name);
	if (n == 0) {
		*errp = xasprintf("missing group name at position %zu", i + 2);
		return -1;
	}
	for (k = 0; k < n && name[k] >= '0' && name[k] <= '9'; k++)
		g = g * 10 + (size_t)(name[k] - '0') > 1000000 ? 1000000 : g * 10 + (size_t)(name[k] - '0');
	if (k < n) {
		if (!pyre_ident(name, n)) {
			*errp = xasprintf("bad character in group name '%.*s' at position %zu", (int)n, name, i + 2);
			return -1;
		}
		for (g = 1; g <= re->ngroups; g++)
			if (re->names[g] != NULL && strlen(re->names[g]) == n && memcmp(re->names[g], name, n) == 0)
				break;
		if (g > re->ngroups) {
			*errp = xasprintf("unknown group name '%.*s'", (int)n, name);
			return -1;
		}
	} else if (g > re->ngroups) {
		*errp = xasprintf("invalid group reference %zu at position %zu", g, i + 2);
		return -1;
	}
	*gp = g;
	return (long)(n + 3);
}

int pyre_expand(const struct pyre *re, const char *t, size_t tlen, const char *s, const struct pyre_match *m,
                struct buf *out, char **errp)
{
	static const char esc_from[] = "abfnrtv\\", esc_to[] = "\a\b\f\n\r\t\v\\";
	size_t i = 0, g;
	long used;
	char e;
	int v;

	*errp = NULL;
	while (i < tlen) {
		if (t[i] != '\\') {
			buf_putc(out, t[i++]);
			continue;
		}
		if (i + 1 >= tlen) {
			*errp = xasprintf("bad escape (end of pattern) at position %zu", i);
			return ERR_INVAL;
		}
		e = t[i + 1];
		if (e == 'g') {
			if ((used = pyre_expand_named(re, t, tlen, i + 1, &g, errp)) < 0)
				return ERR_INVAL;
			pyre_put_group(out, s, m, g);
			i += 1 + (size_t)used;
		} else if (e == '0') {
			v = 0;
			for (i += 1, g = 0; g < 3 && i < tlen && pyre_octal(t[i]); i++, g++)
				v = v * 8 + (t[i] - '0');
			buf_putc(out, (char)v);
		} else if (e >= '1' && e <= '9') {
			if (i + 2 < tlen && t[i + 2] >= '0' && t[i + 2] <= '9') {
				if (pyre_octal(e) && pyre_octal(t[i + 2]) && i + 3 < tlen && pyre_octal(t[i + 3])) {
					v = (e - '0') * 64 + (t[i + 2] - '0') * 8 + (t[i + 3] - '0');
					if (v > 0377) {
						*errp = xasprintf("octal escape value \\%.3s outside of range 0-0o377 at position %zu",
						                  t + i + 1, i);
						return ERR_INVAL;
					}
					buf_putc(out, (char)v);
					i += 4;
					continue;
				}
				g = (size_t)(e - '0') * 10 + (size_t)(t[i + 2] - '0');
				i += 3;
			} else {
				g = (size_t)(e - '0');
				i += 2;
			}
			if (g > re->ngroups) {
				*errp = xasprintf("invalid group reference %zu at position %zu", g,
				                  i - (g >= 10 ? 2 : 1));
				return ERR_INVAL;
			}
			pyre_put_group(out, s, m, g);
		} else if (e != '\0' && strchr(esc_from, e) != NULL) {
			buf_putc(out, esc_to[strchr(esc_from, e) - esc_from]);
			i += 2;
		} else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) {
			*errp = xasprintf("bad escape \\%c at position %zu", e, i);
			return ERR_INVAL;
		} else {
			buf_putc(out, '\\');
			buf_putc(out, e);
			i += 2;
		}
	}
	return 0;
}

int pyre_sub(const struct pyre *re, const char *repl, size_t rlen, const char *s, size_t len, struct buf *out,
             size_t *countp, char **errp)
{
	struct pyre_match m;
	struct buf scratch;
	size_t pos = 0, last = 0, count = 0;
	int must_advance = 0, r;

	*countp = 0;
	/* Python parses the template before it searches: a bad one fails
	 * even when nothing matches. */
	buf_init(&scratch, 0);
	r = pyre_expand(re, repl, rlen, s, NULL, &scratch, errp);
	buf_fini(&scratch);
	if (r != 0)
		return r;
	while (pos <= len && pyre_search(re, s, len, pos, &m)) {
		if (must_advance && m.so[0] == pos && m.eo[0] == pos) {
			/* An empty match where the last one ended is not
			 * allowed; try one further on. */
			if (pos + 1 > len || !pyre_search(re, s, len, pos + 1, &m))
				break;
		}
		if (buf_put(out, s + last, m.so[0] - last) != 0)
			return ERR_TOOBIG;
		if ((r = pyre_expand(re, repl, rlen, s, &m, out, errp)) != 0)
			return r;
		count++;
		last = m.eo[0];
		must_advance = m.so[0] == m.eo[0];
		pos = m.eo[0];
	}
	if (buf_put(out, s + last, len - last) != 0)
		return ERR_TOOBIG;
	*countp = count;
	return 0;
}
