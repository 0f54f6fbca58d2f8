/* Host patterns, evaluated as Ansible's InventoryManager evaluates them:
 * split on ',' (or ':'), plain terms first, then '&' terms, then '!'
 * terms; each term a host or group name, a glob (Python's fnmatch) or a
 * regex (Python's re.match, translated to POSIX ERE), with optional
 * [i] / [i:j] subscripts; limits (--limit, @file) filter the result. */
#include "inventory/inv_priv.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

#define PATTERN_MAX_LIMIT_FILE ((size_t)16 << 20)

/* --- Python's fnmatch, over code points --- */

static size_t pat_decode(const char *s, uint32_t **outp)
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

/* Builds a class the way fnmatch.translate writes it and sre then parses
 * it: chunks between range hyphens, empty ranges removed, then hyphens
 * joining chunks read as range operators from left to right. Returns -1
 * when Python would raise (fnmatch indexing an empty chunk, or a bad
 * range), which Ansible reports as an invalid pattern. */
static int fm_class(const uint32_t *pat, size_t i, size_t j, struct fm_tok *t)
{
	struct fm_chunk *chunks = xcalloc(j - i + 2, sizeof(*chunks));
	size_t nchunks = 0, k, m, ntok = 0, a;
	uint32_t *tok = xcalloc(2 * (j - i) + 4, sizeof(*tok));
	unsigned char *lit = xcalloc(2 * (j - i) + 4, 1);
	int has_dash = 0, r = -1;

	for (k = i; k < j; k++)
		if (pat[k] == '-')
			has_dash = 1;
	if (!has_dash) {
		chunks[0].c = xcalloc(j - i + 1, sizeof(uint32_t));
		memcpy(chunks[0].c, pat + i, (j - i) * sizeof(uint32_t));
		chunks[0].n = j - i;
		nchunks = 1;
	} else {
		size_t start = i;

		k = pat[i] == '!' ? i + 2 : i + 1;
		for (;;) {
			size_t f = k;

			while (f < j && pat[f] != '-')
				f++;
			if (k >= j || f >= j)
				break;
			chunks[nchunks].c = xcalloc(f - start + 2, sizeof(uint32_t));
			memcpy(chunks[nchunks].c, pat + start, (f - start) * sizeof(uint32_t));
			chunks[nchunks++].n = f - start;
			start = f + 1;
			k = f + 3;
		}
		if (j > start) {
			chunks[nchunks].c = xcalloc(j - start + 2, sizeof(uint32_t));
			memcpy(chunks[nchunks].c, pat + start, (j - start) * sizeof(uint32_t));
			chunks[nchunks++].n = j - start;
		} else if (nchunks > 0) {
			chunks[nchunks - 1].c[chunks[nchunks - 1].n++] = '-';
		} else {
			goto out;
		}
		for (k = nchunks - 1; k > 0; k--) {
			if (chunks[k - 1].n == 0 || chunks[k].n == 0)
				goto out; /* Python raises IndexError here */
			if (chunks[k - 1].c[chunks[k - 1].n - 1] > chunks[k].c[0]) {
				struct fm_chunk *pc = &chunks[k - 1], *nc = &chunks[k];

				pc->c = xreallocarray(pc->c, pc->n + nc->n + 1, sizeof(uint32_t));
				pc->n--;
				memcpy(pc->c + pc->n, nc->c + 1, (nc->n - 1) * sizeof(uint32_t));
				pc->n += nc->n - 1;
				free(nc->c);
				memmove(&chunks[k], &chunks[k + 1], (nchunks - k - 1) * sizeof(*chunks));
				nchunks--;
			}
		}
	}
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
	t->kind = FM_CLASS;
	if (ntok == 0) {
		t->kind = FM_NEVER;
		r = 0;
		goto out;
	}
	if (ntok == 1 && tok[0] == '!') {
		t->kind = FM_ANY;
		r = 0;
		goto out;
	}
	a = 0;
	if (tok[0] == '!') {
		t->negate = 1;
		a = 1;
	}
	t->ranges = xcalloc(ntok + 1, sizeof(*t->ranges));
	while (a < ntok) {
		uint32_t lo = tok[a++], hi = lo;

		if (a + 1 < ntok && tok[a] == '-' && !lit[a]) {
			hi = tok[a + 1];
			if (hi < lo)
				goto out;
			a += 2;
		}
		t->ranges[t->nranges].lo = lo;
		t->ranges[t->nranges++].hi = hi;
	}
	r = 0;
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
int pattern_fnmatch(const char *pat, const char *name)
{
	uint32_t *p, *s;
	size_t np = pat_decode(pat, &p), ns = pat_decode(name, &s), nt;
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

/* Translates Python regex syntax to an ERE anchored at the start (re.match).
 * Returns 0, or -1 for constructs POSIX ERE cannot express. */
static int rx_translate(const char *p, struct buf *b, int *icasep)
{
	size_t i = 0, n;

	*icasep = 0;
	if (strncmp(p, "(?i)", 4) == 0) {
		*icasep = 1;
		i = 4;
	}
	buf_puts(b, "^(");
	while (p[i] != '\0') {
		char c = p[i];

		if (c == '\\') {
			char e = p[i + 1];

			if (e == '\0')
				return -1;
			i += 2;
			switch (e) {
			case 'd': buf_puts(b, "[0-9]"); break;
			case 'D': buf_puts(b, "[^0-9]"); break;
			case 'w': buf_puts(b, "[[:alnum:]_]"); break;
			case 'W': buf_puts(b, "[^[:alnum:]_]"); break;
			case 's': buf_puts(b, "[[:space:]]"); break;
			case 'S': buf_puts(b, "[^[:space:]]"); break;
			case 'A': buf_putc(b, '^'); break;
			case 'Z': buf_putc(b, '$'); break;
			case 'b': buf_puts(b, "\\b"); break;
			case 'B': buf_puts(b, "\\B"); break;
			case 'n': buf_putc(b, '\n'); break;
			case 't': buf_putc(b, '\t'); break;
			default:
				if (e >= '1' && e <= '9') {
					buf_putc(b, '\\');
					buf_putc(b, e);
				} else if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || e == '0') {
					return -1;
				} else {
					rx_lit(b, e);
				}
			}
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
			if (p[i + 1] == '?') {
				if (p[i + 2] == ':')
					i += 3;
				else if (p[i + 2] == 'P' && p[i + 3] == '<') {
					const char *gt = strchr(p + i, '>');

					if (gt == NULL)
						return -1;
					i = (size_t)(gt - p) + 1;
				} else
					return -1;
			} else {
				i++;
			}
			buf_putc(b, '(');
			continue;
		}
		if (c == '{') {
			if (rx_quant(p + i, &n)) {
				if (p[i + 1] == ',')
					buf_puts(b, "{0");
				else
					buf_putc(b, '{');
				buf_put(b, p + i + 1 + (p[i + 1] == ','), n - 1 - (p[i + 1] == ','));
				i += n;
				if (p[i] == '?') /* lazy: the same set of strings matches */
					i++;
			} else {
				buf_puts(b, "\\{");
				i++;
			}
			continue;
		}
		if (c == '*' || c == '+' || c == '?') {
			buf_putc(b, c);
			i++;
			if (p[i] == '?')
				i++;
			continue;
		}
		if (c == '}') {
			buf_puts(b, "\\}");
			i++;
			continue;
		}
		buf_putc(b, c);
		i++;
	}
	buf_putc(b, ')');
	return 0;
}

struct pat_rx {
	regex_t re;
	int ok;
};

static int pat_rx_compile(const char *py, struct pat_rx *rx)
{
	struct buf b;
	int icase, r;

	buf_init(&b, 0);
	rx->ok = 0;
	if (rx_translate(py, &b, &icase) < 0) {
		buf_fini(&b);
		return -1;
	}
	r = regcomp(&rx->re, buf_str(&b), REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
	buf_fini(&b);
	if (r != 0)
		return -1;
	rx->ok = 1;
	return 0;
}

static void pat_rx_free(struct pat_rx *rx)
{
	if (rx->ok)
		regfree(&rx->re);
	rx->ok = 0;
}

/* Matches name against a pattern term: "~regex" (compiled in rx) or a glob.
 * Returns 1, 0, or -1 for a pattern Python would reject. */
static int pat_match(const char *pat, const struct pat_rx *rx, const char *name)
{
	if (pat[0] == '~')
		return regexec(&rx->re, name, 0, NULL, 0) == 0;
	return pattern_fnmatch(pat, name);
}

/* --- host lists --- */

struct hl {
	struct inv_host **v;
	size_t n, cap;
};

static void hl_push(struct hl *l, struct inv_host *h)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n++] = h;
}

/* Slot of h in per-call membership arrays (nhosts + 1 slots). */
static size_t hl_slot(const struct inventory *inv, const struct inv_host *h)
{
	return h->implicit ? inv->nhosts : h->index;
}

static int pat_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void pat_push_stripped(struct value *terms, const char *s, size_t n)
{
	while (n > 0 && pat_space(*s))
		s++, n--;
	while (n > 0 && pat_space(s[n - 1]))
		n--;
	if (n > 0)
		value_list_push(terms, value_strn(s, n));
}

/* split_host_pattern: commas separate terms; without commas, a pattern that
 * parses as an address (IPv6, host[1:3]) is one term, and otherwise ':'
 * separates terms (brackets protect their contents). */
void pattern_split(const char *pattern, struct value *terms)
{
	const char *p = pattern, *q, *close;
	char *host;
	long port;

	if (strchr(pattern, ',') != NULL) {
		for (;;) {
			q = strchr(p, ',');
			pat_push_stripped(terms, p, q ? (size_t)(q - p) : strlen(p));
			if (q == NULL)
				return;
			p = q + 1;
		}
	}
	if (inv_addr_parse(pattern, 1, &host, &port) == 0) {
		free(host);
		pat_push_stripped(terms, pattern, strlen(pattern));
		return;
	}
	/* re.findall(r'(?:[^\s:\[\]]|\[[^\]]*\])+') */
	while (*p) {
		q = p;
		for (;;) {
			if (*q == '[' && (close = strchr(q, ']')) != NULL)
				q = close + 1;
			else if (*q != '\0' && !pat_space(*q) && *q != ':' && *q != '[' && *q != ']')
				q++;
			else
				break;
		}
		if (q > p) {
			pat_push_stripped(terms, p, (size_t)(q - p));
			p = q;
		} else {
			p++;
		}
	}
}

/* _split_subscript: "expr[i]", "expr[i:j]", "expr[i:]" or "expr[i-j]". */
static int pat_subscript(struct inventory *inv, const char *pat, char **exprp, int *hasp, long *startp,
                         long *endp)
{
	const char *open = strrchr(pat, '['), *p;
	char *end;
	long a, b = 0;
	int sep = 0;

	*exprp = xstrdup(pat);
	*hasp = 0;
	if (pat[0] == '~' || open == NULL || open == pat)
		return 0;
	p = open + 1;
	if (*p == '-' && p[1] >= '0' && p[1] <= '9') {
		a = strtol(p, &end, 10);
		if (strcmp(end, "]") != 0)
			return 0;
	} else {
		if (!(*p >= '0' && *p <= '9'))
			return 0;
		a = strtol(p, &end, 10);
		if (strcmp(end, "]") == 0)
			goto single;
		if (*end != ':' && *end != '-')
			return 0;
		sep = *end;
		p = end + 1;
		if (*p == ']') {
			b = -1;
		} else {
			if (!(*p >= '0' && *p <= '9'))
				return 0;
			b = strtol(p, &end, 10);
			if (strcmp(end, "]") != 0)
				return 0;
		}
		if (sep == '-')
			inv_warn(inv, "Use [x:y] inclusive subscripts instead of [x-y] which has been removed");
		(*exprp)[open - pat] = '\0';
		*hasp = 2;
		*startp = a;
		*endp = b;
		return 0;
	}
single:
	(*exprp)[open - pat] = '\0';
	*hasp = 1;
	*startp = a;
	*endp = 0;
	return 0;
}

/* _enumerate_matches: groups matching the pattern contribute all their
 * hosts; hosts are matched by name when no group matched or the pattern is
 * a regex or has glob or dot characters. Duplicates are kept (a subscript
 * indexes them). */
static int pat_enumerate(struct inventory *inv, const char *pat, struct hl *out, struct diag *d)
{
	struct pat_rx rx = {0};
	struct inv_host **hosts, *h;
	size_t i, j, n, ngroups = 0;
	int m, r = 0;

	if (pat[0] == '~' && pat_rx_compile(pat + 1, &rx) < 0)
		goto bad;
	for (i = 0; i < inv->ngroups; i++) {
		m = pat_match(pat, &rx, inv->groups[i]->name);
		if (m < 0)
			goto bad;
		if (!m)
			continue;
		ngroups++;
		hosts = inv_group_all_hosts(inv, inv->groups[i], &n);
		for (j = 0; j < n; j++)
			hl_push(out, hosts[j]);
		free(hosts);
	}
	if (ngroups == 0 || pat[0] == '~' || strpbrk(pat, ".?*[") != NULL)
		for (i = 0; i < inv->nhosts; i++) {
			m = pat_match(pat, &rx, inv->hosts[i]->name);
			if (m < 0)
				goto bad;
			if (m)
				hl_push(out, inv->hosts[i]);
		}
	if (out->n == 0 && inv_is_localhost_name(pat)) {
		r = inv_get_host(inv, pat, &h, d);
		if (r < 0)
			goto done;
		if (h != NULL)
			hl_push(out, h);
	}
	if (out->n == 0 && ngroups == 0 && strcmp(pat, "all") != 0)
		inv_warn(inv, "Could not match supplied host pattern, ignoring: %s", pat);
	goto done;
bad:
	diag_set(d, NULL, 0, 0, "Invalid host list pattern: %s", pat);
	r = ERR_PARSE;
done:
	pat_rx_free(&rx);
	return r;
}

/* _match_one_pattern: the term without its & or ! prefix, subscripted. */
static int pat_match_one(struct inventory *inv, const char *term, struct hl *out, struct diag *d)
{
	struct hl all = {0};
	char *expr;
	int has, r;
	long start = 0, end = 0, len, k;

	if (term[0] == '&' || term[0] == '!')
		term++;
	pat_subscript(inv, term, &expr, &has, &start, &end);
	r = expr[0] == '\0' ? 0 : pat_enumerate(inv, expr, &all, d);
	if (r < 0)
		goto out;
	len = (long)all.n;
	if (!has || len == 0) {
		for (k = 0; k < len; k++)
			hl_push(out, all.v[k]);
	} else if (has == 2 && end != 0) {
		/* hosts[start:end + 1], end -1 meaning the last */
		if (end == -1)
			end = len - 1;
		for (k = start; k <= end && k < len; k++)
			hl_push(out, all.v[k]);
	} else {
		k = start < 0 ? start + len : start;
		if (k < 0 || k >= len) {
			diag_set(d, NULL, 0, 0, "No hosts matched the subscripted pattern '%s'", term);
			r = ERR_PARSE;
			goto out;
		}
		hl_push(out, all.v[k]);
	}
out:
	free(expr);
	free(all.v);
	return r;
}

/* _evaluate_patterns over a list of terms. */
static int pat_evaluate(struct inventory *inv, const struct value *terms, struct hl *out, struct diag *d)
{
	struct value *order = value_list();
	unsigned char *in = NULL;
	struct hl that = {0};
	struct inv_host *h;
	size_t i, j, k, pass;
	int r = 0;
	const char *t;

	/* order_patterns: plain terms, then '&', then '!'; "all" when there is
	 * no plain term. */
	for (pass = 0; pass < 3; pass++) {
		for (i = 0; i < value_len(terms); i++) {
			t = value_cstr(value_list_at(terms, i));
			if (t[0] == '\0')
				continue;
			if ((pass == 0 && t[0] != '&' && t[0] != '!') || (pass == 1 && t[0] == '&') ||
			    (pass == 2 && t[0] == '!'))
				value_list_push(order, value_str(t));
		}
		if (pass == 0 && value_len(order) == 0)
			value_list_push(order, value_str("all"));
	}
	for (i = 0; i < value_len(order) && r == 0; i++) {
		t = value_cstr(value_list_at(order, i));
		h = inv_host_get(inv, t);
		if (h != NULL) {
			hl_push(out, h);
			continue;
		}
		that.n = 0;
		r = pat_match_one(inv, t, &that, d);
		if (r < 0)
			break;
		free(in);
		in = xcalloc(inv->nhosts + 1, 1);
		if (t[0] == '!' || t[0] == '&') {
			for (j = 0; j < that.n; j++)
				in[hl_slot(inv, that.v[j])] = 1;
			for (j = k = 0; j < out->n; j++)
				if (in[hl_slot(inv, out->v[j])] == (t[0] == '&'))
					out->v[k++] = out->v[j];
			out->n = k;
		} else {
			for (j = 0; j < out->n; j++)
				in[hl_slot(inv, out->v[j])] = 1;
			for (j = 0; j < that.n; j++)
				if (!in[hl_slot(inv, that.v[j])])
					hl_push(out, that.v[j]);
		}
	}
	free(in);
	free(that.v);
	value_unref(order);
	return r;
}

/* Expands --limit values: split, with "@file" replaced by its lines. */
static int pat_limits(const char *const *limits, size_t nlimits, struct value *terms, struct diag *d)
{
	struct value *parts;
	struct buf b;
	const char *x, *line, *nl;
	size_t i, j;
	int r;

	for (i = 0; i < nlimits; i++) {
		parts = value_list();
		pattern_split(limits[i], parts);
		for (j = 0; j < value_len(parts); j++) {
			x = value_cstr(value_list_at(parts, j));
			if (x[0] != '@') {
				value_list_push(terms, value_str(x));
				continue;
			}
			buf_init(&b, PATTERN_MAX_LIMIT_FILE);
			r = file_read(x + 1, &b);
			if (r < 0) {
				if (r == -ENOENT)
					diag_set(d, NULL, 0, 0, "Unable to find limit file %s", x + 1);
				else if (r == -EISDIR)
					diag_set(d, NULL, 0, 0, "Limit starting with \"@\" must be a file, not a directory: %s", x + 1);
				else
					diag_set(d, NULL, 0, 0, "Unable to read limit file %s: %s", x + 1, err_str(r));
				buf_fini(&b);
				value_unref(parts);
				return r == ERR_TOOBIG ? ERR_TOOBIG : ERR_NOTFOUND;
			}
			/* Each line is one term, stripped but not split further. */
			for (line = buf_str(&b);; line = nl + 1) {
				size_t len;
				const char *s;

				nl = strchr(line, '\n');
				len = nl ? (size_t)(nl - line) : strlen(line);
				s = line;
				while (len > 0 && pat_space(*s))
					s++, len--;
				while (len > 0 && pat_space(s[len - 1]))
					len--;
				value_list_push(terms, value_strn(s, len));
				if (nl == NULL)
					break;
			}
			buf_fini(&b);
		}
		value_unref(parts);
	}
	return 0;
}

int pattern_select(struct inventory *inv, const char *pattern, const char *const *limits, size_t nlimits,
                   struct inv_host ***hostsp, size_t *np, struct diag *d)
{
	struct value *terms = value_list(), *subset = NULL;
	struct hl hosts = {0}, sub = {0};
	unsigned char *in = NULL;
	struct inv_host *h;
	size_t i, k;
	int r;

	*hostsp = NULL;
	*np = 0;
	pattern_split(pattern, terms);
	r = pat_evaluate(inv, terms, &hosts, d);
	if (r < 0)
		goto out;
	if (nlimits > 0) {
		subset = value_list();
		r = pat_limits(limits, nlimits, subset, d);
		if (r < 0)
			goto out;
	}
	/* An empty limit list filters nothing, as Ansible's falsy subset. */
	if (subset != NULL && value_len(subset) > 0) {
		r = pat_evaluate(inv, subset, &sub, d);
		if (r < 0)
			goto out;
		in = xcalloc(inv->nhosts + 1, 1);
		for (i = 0; i < sub.n; i++)
			in[hl_slot(inv, sub.v[i])] = 1;
		for (i = k = 0; i < hosts.n; i++)
			if (in[hl_slot(inv, hosts.v[i])])
				hosts.v[k++] = hosts.v[i];
		hosts.n = k;
		free(in);
	}
	/* deduplicate_list: first occurrence wins. */
	in = xcalloc(inv->nhosts + 1, 1);
	for (i = k = 0; i < hosts.n; i++)
		if (!in[hl_slot(inv, hosts.v[i])]) {
			in[hl_slot(inv, hosts.v[i])] = 1;
			hosts.v[k++] = hosts.v[i];
		}
	hosts.n = k;
	free(in);
	/* list_hosts: a localhost pattern with nothing left still lists it. */
	if (hosts.n == 0 && inv_is_localhost_name(pattern)) {
		r = inv_get_host(inv, pattern, &h, d);
		if (r < 0)
			goto out;
		if (h != NULL)
			hl_push(&hosts, h);
	}
	*hostsp = hosts.v;
	*np = hosts.n;
	hosts.v = NULL;
	r = 0;
out:
	free(hosts.v);
	free(sub.v);
	value_unref(terms);
	value_unref(subset);
	return r;
}
