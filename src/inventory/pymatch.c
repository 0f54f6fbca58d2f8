/* Python's matching, as Ansible's host patterns use it: fnmatch.fnmatchcase
 * reimplemented over code points (bracket classes built the way
 * fnmatch.translate writes them), and re.match through a translation of
 * Python regex syntax to POSIX ERE. For re.match only whether a match
 * starting at the beginning exists matters, so POSIX's leftmost-longest
 * rule and Python's leftmost-first rule give the same answer. */
#include "inventory/inv_priv.h"

#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

/* --- Python's fnmatch, over code points --- */

static size_t pm_decode(const char *s, uint32_t **outp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t *out = xcalloc(strlen(s) + 1, sizeof(*out));
	size_t n = 0;

	while (*p) {
		uint32_t c = *p;
		int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0, k;

		p++;
		if (extra)
			c &= 0x3F >> extra;
		for (k = 0; k < extra && (*p & 0xC0) == 0x80; k++)
			c = (c << 6) | (*p++ & 0x3F);
		out[n++] = c;
	}
	*outp = out;
	return n;
}

enum { FM_LIT, FM_ANY, FM_STAR, FM_CLASS, FM_NEVER };

struct fm_range {
	uint32_t lo, hi;
};

struct fm_tok {
	int kind;
	uint32_t c;              /* FM_LIT */
	int negate;              /* FM_CLASS */
	struct fm_range *ranges; /* FM_CLASS, owned */
	size_t nranges;
};

struct fm_chunk {
	uint32_t *c;
	size_t n;
};

static void fm_chunk_add(struct fm_chunk *chunks, size_t *np, const uint32_t *c, size_t n)
{
	chunks[*np].c = xcalloc(n + 2, sizeof(uint32_t));
	memcpy(chunks[*np].c, c, n * sizeof(uint32_t));
	chunks[(*np)++].n = n;
}

/* fnmatch.translate's chunks of pat[i, j): the text between range hyphens,
 * with empty ranges (z-a) removed. Returns -1 where Python raises
 * IndexError (an empty chunk), which Ansible reports as an invalid pattern. */
static int fm_chunks(const uint32_t *pat, size_t i, size_t j, struct fm_chunk *chunks, size_t *np)
{
	size_t k, f, start = i;
	struct fm_chunk *pc, *nc;

	*np = 0;
	for (k = i; k < j && pat[k] != '-'; k++)
		;
	if (k == j) {
		fm_chunk_add(chunks, np, pat + i, j - i);
		return 0;
	}
	for (k = pat[i] == '!' ? i + 2 : i + 1; k < j; k = f + 3) {
		for (f = k; f < j && pat[f] != '-'; f++)
			;
		if (f >= j)
			break;
		fm_chunk_add(chunks, np, pat + start, f - start);
		start = f + 1;
	}
	if (j > start)
		fm_chunk_add(chunks, np, pat + start, j - start);
	else if (*np > 0)
		chunks[*np - 1].c[chunks[*np - 1].n++] = '-';
	else
		return -1;
	for (k = *np - 1; k > 0; k--) {
		pc = &chunks[k - 1];
		nc = &chunks[k];
		if (pc->n == 0 || nc->n == 0)
			return -1;
		if (pc->c[pc->n - 1] > nc->c[0]) {
			pc->c = xreallocarray(pc->c, pc->n + nc->n + 1, sizeof(uint32_t));
			pc->n--;
			memcpy(pc->c + pc->n, nc->c + 1, (nc->n - 1) * sizeof(uint32_t));
			pc->n += nc->n - 1;
			free(nc->c);
			memmove(nc, nc + 1, (*np - k - 1) * sizeof(*chunks));
			(*np)--;
		}
	}
	return 0;
}

/* Builds a class the way fnmatch.translate writes it and sre then parses
 * it: the chunks joined by range hyphens, read as ranges from left to
 * right. Returns -1 when Python would raise (see fm_chunks, or a bad range). */
static int fm_class(const uint32_t *pat, size_t i, size_t j, struct fm_tok *t)
{
	struct fm_chunk *chunks = xcalloc(j - i + 2, sizeof(*chunks));
	size_t nchunks = 0, k, m, ntok = 0, a;
	uint32_t *tok = xcalloc(2 * (j - i) + 4, sizeof(*tok)), lo, hi;
	unsigned char *lit = xcalloc(2 * (j - i) + 4, 1);
	int r = -1;

	if (fm_chunks(pat, i, j, chunks, &nchunks) < 0)
		goto out;
	/* The class text as tokens: lit[] marks characters that are literal
	 * even when they are '-' (escaped ones); joining hyphens are not. */
	for (k = 0; k < nchunks; k++) {
		if (k > 0) {
			tok[ntok] = '-';
			lit[ntok++] = 0;
		}
		for (m = 0; m < chunks[k].n; m++) {
			tok[ntok] = chunks[k].c[m];
			lit[ntok++] = 1;
		}
	}
	r = 0;
	t->kind = FM_CLASS;
	if (ntok == 0 || (ntok == 1 && tok[0] == '!')) {
		t->kind = ntok == 0 ? FM_NEVER : FM_ANY;
		goto out;
	}
	a = tok[0] == '!';
	t->negate = (int)a;
	t->ranges = xcalloc(ntok + 1, sizeof(*t->ranges));
	while (a < ntok) {
		lo = hi = tok[a++];
		if (a + 1 < ntok && tok[a] == '-' && !lit[a]) {
			hi = tok[a + 1];
			if (hi < lo) {
				r = -1;
				goto out;
			}
			a += 2;
		}
		t->ranges[t->nranges].lo = lo;
		t->ranges[t->nranges++].hi = hi;
	}
out:
	for (k = 0; k < nchunks; k++)
		free(chunks[k].c);
	free(chunks);
	free(tok);
	free(lit);
	return r;
}

static void fm_free(struct fm_tok *toks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(toks[i].ranges);
	free(toks);
}

static int fm_compile(const uint32_t *pat, size_t n, struct fm_tok **toksp, size_t *ntokp)
{
	struct fm_tok *toks = xcalloc(n + 1, sizeof(*toks));
	size_t nt = 0, i = 0, j;

	while (i < n) {
		uint32_t c = pat[i++];

		if (c == '*') {
			if (nt == 0 || toks[nt - 1].kind != FM_STAR)
				toks[nt++].kind = FM_STAR;
		} else if (c == '?') {
			toks[nt++].kind = FM_ANY;
		} else if (c == '[') {
			j = i;
			if (j < n && pat[j] == '!')
				j++;
			if (j < n && pat[j] == ']')
				j++;
			while (j < n && pat[j] != ']')
				j++;
			if (j >= n) {
				toks[nt].kind = FM_LIT;
				toks[nt++].c = '[';
			} else {
				if (fm_class(pat, i, j, &toks[nt]) < 0) {
					fm_free(toks, nt + 1);
					return -1;
				}
				nt++;
				i = j + 1;
			}
		} else {
			toks[nt].kind = FM_LIT;
			toks[nt++].c = c;
		}
	}
	*toksp = toks;
	*ntokp = nt;
	return 0;
}

static int fm_one(const struct fm_tok *t, uint32_t c)
{
	size_t i;
	int in = 0;

	switch (t->kind) {
	case FM_LIT: return t->c == c;
	case FM_ANY: return 1;
	case FM_NEVER: return 0;
	case FM_CLASS:
		for (i = 0; i < t->nranges; i++)
			if (c >= t->ranges[i].lo && c <= t->ranges[i].hi)
				in = 1;
		return in != t->negate;
	default: return 0;
	}
}

static int fm_run(const struct fm_tok *t, size_t nt, const uint32_t *s, size_t ns)
{
	size_t ti = 0, si = 0, star_t = (size_t)-1, star_s = 0;

	while (si < ns) {
		if (ti < nt && t[ti].kind == FM_STAR) {
			star_t = ti++;
			star_s = si;
		} else if (ti < nt && fm_one(&t[ti], s[si])) {
			ti++;
			si++;
		} else if (star_t != (size_t)-1) {
			ti = star_t + 1;
			si = ++star_s;
		} else {
			return 0;
		}
	}
	while (ti < nt && t[ti].kind == FM_STAR)
		ti++;
	return ti == nt;
}

/* Returns 1 on match, 0 on no match, -1 for a pattern Python rejects. */
int pymatch_fnmatch(const char *pat, const char *name)
{
	uint32_t *p, *s;
	size_t np = pm_decode(pat, &p), ns = pm_decode(name, &s), nt;
	struct fm_tok *toks;
	int r;

	if (fm_compile(p, np, &toks, &nt) < 0) {
		r = -1;
	} else {
		r = fm_run(toks, nt, s, ns);
		fm_free(toks, nt);
	}
	free(p);
	free(s);
	return r;
}

/* --- Python's re.match, through POSIX ERE --- */

/* Is "{...}" at p a Python quantifier ({m}, {m,}, {,n}, {m,n})? Sets *lenp. */
static int rx_quant(const char *p, size_t *lenp)
{
	size_t i = 1, d1 = 0, d2 = 0;

	while (p[i] >= '0' && p[i] <= '9')
		i++, d1++;
	if (p[i] == '}') {
		*lenp = i + 1;
		return d1 > 0;
	}
	if (p[i] != ',')
		return 0;
	i++;
	while (p[i] >= '0' && p[i] <= '9')
		i++, d2++;
	if (p[i] != '}')
		return 0;
	*lenp = i + 1;
	return 1;
}

/* Appends a character literally to an ERE outside brackets. */
static void rx_lit(struct buf *b, char c)
{
	if (strchr(".[]()*+?{}|^$\\", c) != NULL)
		buf_putc(b, '\\');
	buf_putc(b, c);
}

/* Translates a bracket expression starting at p (at '['); returns the
 * characters consumed or 0 on something POSIX cannot express. */
static size_t rx_class(const char *p, struct buf *b)
{
	struct buf items;
	size_t i = 1;
	int negate = 0, close_lit = 0, dash = 0, first = 1;

	buf_init(&items, 0);
	if (p[i] == '^') {
		negate = 1;
		i++;
	}
	while (p[i] != '\0' && (p[i] != ']' || first)) {
		char c = p[i];

		first = 0;
		if (c == '\\' && p[i + 1] != '\0') {
			char e = p[i + 1];

			i += 2;
			if (e == 'd')
				buf_puts(&items, "0-9");
			else if (e == 'w')
				buf_puts(&items, "[:alnum:]_");
			else if (e == 's')
				buf_puts(&items, "[:space:]");
			else if (e == 'D' || e == 'W' || e == 'S' || e == 'b' || e == 'B') {
				buf_fini(&items);
				return 0;
			} else if (e == ']')
				close_lit = 1;
			else if (e == '-')
				dash = 1;
			else if (e == 'n')
				buf_putc(&items, '\n');
			else if (e == 't')
				buf_putc(&items, '\t');
			else
				buf_putc(&items, e);
			continue;
		}
		if (c == ']')
			close_lit = 1;
		else if (c == '[' && p[i + 1] == ':') {
			buf_fini(&items);
			return 0;
		} else
			buf_putc(&items, c);
		i++;
	}
	if (p[i] != ']') {
		buf_fini(&items);
		return 0;
	}
	buf_putc(b, '[');
	if (negate)
		buf_putc(b, '^');
	if (close_lit)
		buf_putc(b, ']');
	/* A '^' first would negate; move it after something else. */
	if (buf_avail(&items) > 0 && buf_str(&items)[0] == '^' && !close_lit) {
		buf_put(b, buf_str(&items) + 1, buf_avail(&items) - 1);
		buf_putc(b, '^');
	} else {
		buf_put(b, buf_str(&items), buf_avail(&items));
	}
	if (dash)
		buf_putc(b, '-');
	buf_putc(b, ']');
	buf_fini(&items);
	return i + 1;
}

/* A backslash escape outside brackets (e is the character after it).
 * Clears *can_repeatp after an anchor. Returns 0, or -1 for what ERE has no
 * equivalent for (back references, unknown letter escapes). */
static int rx_escape(char e, struct buf *b, int *can_repeatp)
{
	switch (e) {
	case 'd': buf_puts(b, "[0-9]"); return 0;
	case 'D': buf_puts(b, "[^0-9]"); return 0;
	case 'w': buf_puts(b, "[[:alnum:]_]"); return 0;
	case 'W': buf_puts(b, "[^[:alnum:]_]"); return 0;
	case 's': buf_puts(b, "[[:space:]]"); return 0;
	case 'S': buf_puts(b, "[^[:space:]]"); return 0;
	case 'n': buf_putc(b, '\n'); return 0;
	case 't': buf_putc(b, '\t'); return 0;
	case 'A': buf_putc(b, '^'); *can_repeatp = 0; return 0;
	case 'Z': buf_putc(b, '$'); *can_repeatp = 0; return 0;
	case 'b': buf_puts(b, "\\b"); *can_repeatp = 0; return 0;
	case 'B': buf_puts(b, "\\B"); *can_repeatp = 0; return 0;
	default: break;
	}
	if (e == '\0' || (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
		return -1;
	rx_lit(b, e);
	return 0;
}

/* The opening of a group at p: "(", "(?:" or "(?P<name>". Returns the
 * characters consumed, or 0 for other extensions (lookarounds, flags). */
static size_t rx_group(const char *p)
{
	const char *gt;

	if (p[1] != '?')
		return 1;
	if (p[2] == ':')
		return 3;
	if (p[2] == 'P' && p[3] == '<' && (gt = strchr(p, '>')) != NULL)
		return (size_t)(gt - p) + 1;
	return 0;
}

/* Largest product of {m,n} bounds accepted: POSIX regcomp expands counted
 * repetitions, so nested large counts would cost memory without bound. */
#define RX_MAX_REPEAT 1000

/* Translates Python regex syntax to an ERE anchored at the start (re.match).
 * Returns 0, or -1 for constructs POSIX ERE cannot express and for what
 * Python itself rejects ("nothing to repeat", "multiple repeat"). */
static int rx_translate(const char *p, struct buf *b, int *icasep)
{
	size_t i = 0, n;
	int can_repeat = 0, after_quant = 0;
	unsigned long repeat = 1, bound;
	char *end;

	*icasep = 0;
	if (strncmp(p, "(?i)", 4) == 0) {
		*icasep = 1;
		i = 4;
	}
	buf_puts(b, "^(");
	while (p[i] != '\0') {
		char c = p[i];

		if (c == '*' || c == '+' || c == '?' || (c == '{' && rx_quant(p + i, &n))) {
			if (after_quant && c == '?') {
				/* lazy: the same strings match, so drop it */
				i++;
				after_quant = 0;
				continue;
			}
			if (!can_repeat)
				return -1;
			if (c == '{') {
				/* {m}, {m,}, {,n}, {m,n}: the largest count written */
				bound = strtoul(p + i + 1, &end, 10);
				if (*end == ',' && end[1] != '}')
					bound = strtoul(end + 1, NULL, 10);
				repeat *= bound + 1;
				if (repeat > RX_MAX_REPEAT)
					return -1;
				if (p[i + 1] == ',')
					buf_puts(b, "{0");
				else
					buf_putc(b, '{');
				buf_put(b, p + i + 1, n - 1);
				i += n;
			} else {
				buf_putc(b, c);
				i++;
			}
			can_repeat = 0;
			after_quant = 1;
			continue;
		}
		after_quant = 0;
		can_repeat = 1;
		if (c == '\\') {
			if (rx_escape(p[i + 1], b, &can_repeat) < 0)
				return -1;
			i += 2;
			continue;
		}
		if (c == '[') {
			n = rx_class(p + i, b);
			if (n == 0)
				return -1;
			i += n;
			continue;
		}
		if (c == '(') {
			n = rx_group(p + i);
			if (n == 0)
				return -1;
			i += n;
			buf_putc(b, '(');
			can_repeat = 0;
			continue;
		}
		if (c == '|' || c == '^' || c == '$') {
			buf_putc(b, c);
			i++;
			can_repeat = 0;
			continue;
		}
		if (c == '{' || c == '}') {
			buf_putc(b, '\\');
			buf_putc(b, c);
			i++;
			continue;
		}
		buf_putc(b, c);
		i++;
	}
	buf_putc(b, ')');
	return 0;
}

struct pymatch_re {
	regex_t re;
};

int pymatch_re_compile(const char *py, struct pymatch_re **rep)
{
	struct buf b;
	int icase, r;

	*rep = NULL;
	buf_init(&b, 0);
	if (rx_translate(py, &b, &icase) < 0) {
		buf_fini(&b);
		return -1;
	}
	*rep = xcalloc(1, sizeof(**rep));
	r = regcomp(&(*rep)->re, buf_str(&b), REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	buf_fini(&b);
	if (r != 0) {
		free(*rep);
		*rep = NULL;
		return -1;
	}
	return 0;
}

int pymatch_re_match(const struct pymatch_re *re, const char *s)
{
	return regexec(&re->re, s, 0, NULL, 0) == 0;
}

void pymatch_re_free(struct pymatch_re *re)
{
	if (re == NULL)
		return;
	regfree(&re->re);
	free(re);
}
