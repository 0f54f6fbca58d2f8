/* Host patterns, evaluated as Ansible's InventoryManager evaluates them:
 * split on ',' (or ':'), plain terms first, then '&' terms, then '!'
 * terms; each term a host or group name, a glob (Python's fnmatch) or a
 * regex (Python's re.match, translated to POSIX ERE), with optional
 * [i] / [i:j] subscripts; limits (--limit, @file) filter the result. */
#include "inventory/inv_priv.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

#define PATTERN_MAX_LIMIT_FILE ((size_t)16 << 20)

/* Matches name against a pattern term: "~regex" (compiled in rx) or a glob.
 * Returns 1, 0, or -1 for a pattern Python would reject. */
static int pat_match(const char *pat, const struct pymatch_re *rx, const char *name)
{
	if (pat[0] == '~')
		return pymatch_re_match(rx, name);
	return pymatch_fnmatch(pat, name);
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
	struct pymatch_re *rx = NULL;
	struct inv_host **hosts, *h;
	size_t i, j, n, ngroups = 0;
	int m, r = 0;

	if (pat[0] == '~' && pymatch_re_compile(pat + 1, &rx) < 0)
		goto bad;
	for (i = 0; i < inv->ngroups; i++) {
		m = pat_match(pat, rx, inv->groups[i]->name);
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
			m = pat_match(pat, rx, inv->hosts[i]->name);
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
	pymatch_re_free(rx);
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
