/* difflib.unified_diff over lines (see udiff.h). */
#include "output/udiff.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

static const char udiff_nonl[] = "\n\\ No newline at end of file\n";

struct udiff_line {
	const char *p;
	size_t n;
};

struct udiff_side {
	struct udiff_line *l;
	size_t n;
	char *last; /* the last line with Ansible's "No newline" note, or NULL */
};

struct udiff_match {
	size_t i, j, k;
};

struct udiff {
	struct udiff_side a, b;
	unsigned char *popular; /* per line of b: left out of the index (autojunk) */
	size_t *row, *prev;     /* longest-match lengths, one row of b per line of a */
	struct udiff_match *m;
	size_t nm, cap;
};

static int udiff_eq(const struct udiff_line *x, const struct udiff_line *y)
{
	return x->n == y->n && memcmp(x->p, y->p, x->n) == 0;
}

static int udiff_split(struct udiff_side *s, const char *t, size_t len)
{
	size_t i, start = 0;

	memset(s, 0, sizeof(*s));
	s->l = xcalloc(len + 1, sizeof(*s->l));
	for (i = 0; i < len; i++) {
		if (t[i] != '\n' && t[i] != '\r')
			continue;
		if (t[i] == '\r' && i + 1 < len && t[i + 1] == '\n')
			i++;
		s->l[s->n].p = t + start;
		s->l[s->n++].n = i + 1 - start;
		start = i + 1;
	}
	if (start < len) {
		s->last = xmalloc(len - start + sizeof(udiff_nonl));
		memcpy(s->last, t + start, len - start);
		memcpy(s->last + len - start, udiff_nonl, sizeof(udiff_nonl));
		s->l[s->n].p = s->last;
		s->l[s->n++].n = len - start + sizeof(udiff_nonl) - 1;
	} else if (s->n > 0 && t[len - 1] == '\r') {
		/* Ends with "\r": not "\n", so the callback adds its note too. */
		struct udiff_line *l = &s->l[s->n - 1];

		s->last = xmalloc(l->n + sizeof(udiff_nonl));
		memcpy(s->last, l->p, l->n);
		memcpy(s->last + l->n, udiff_nonl, sizeof(udiff_nonl));
		l->p = s->last;
		l->n += sizeof(udiff_nonl) - 1;
	}
	return s->n <= UDIFF_MAX_LINES ? 0 : -1;
}

static int udiff_cmp_line(const void *x, const void *y, void *arg)
{
	const struct udiff_line *l = arg;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	size_t n = l[i].n < l[j].n ? l[i].n : l[j].n;
	int c = memcmp(l[i].p, l[j].p, n);

	return c != 0 ? c : l[i].n < l[j].n ? -1 : l[i].n > l[j].n;
}

/* SequenceMatcher's autojunk: in a b of 200 lines or more, lines found more
 * than n/100 + 1 times are not indexed. */
static void udiff_popular(struct udiff *u)
{
	size_t n = u->b.n, *idx, i, j;

	u->popular = xcalloc(n + 1, 1);
	if (n < 200)
		return;
	idx = xcalloc(n, sizeof(*idx));
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), udiff_cmp_line, u->b.l);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && udiff_eq(&u->b.l[idx[i]], &u->b.l[idx[j]]); j++)
			;
		if (j - i > n / 100 + 1)
			for (; i < j; i++)
				u->popular[idx[i]] = 1;
	}
	free(idx);
}

/* find_longest_match on a[alo:ahi] and b[blo:bhi]. */
static struct udiff_match udiff_longest(struct udiff *u, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	struct udiff_match best = {alo, blo, 0};
	size_t i, j, k, *t;

	memset(u->prev + blo, 0, (bhi - blo + 1) * sizeof(*u->prev));
	for (i = alo; i < ahi; i++) {
		for (j = blo; j < bhi; j++) {
			if (u->popular[j] || !udiff_eq(&u->a.l[i], &u->b.l[j])) {
				u->row[j + 1] = 0;
				continue;
			}
			k = u->row[j + 1] = (j > blo ? u->prev[j] : 0) + 1;
			if (k > best.k) {
				best.i = i + 1 - k;
				best.j = j + 1 - k;
				best.k = k;
			}
		}
		t = u->prev;
		u->prev = u->row;
		u->row = t;
	}
	while (best.i > alo && best.j > blo && udiff_eq(&u->a.l[best.i - 1], &u->b.l[best.j - 1])) {
		best.i--;
		best.j--;
		best.k++;
	}
	while (best.i + best.k < ahi && best.j + best.k < bhi &&
	       udiff_eq(&u->a.l[best.i + best.k], &u->b.l[best.j + best.k]))
		best.k++;
	return best;
}

static void udiff_blocks(struct udiff *u, size_t alo, size_t ahi, size_t blo, size_t bhi)
{
	struct udiff_match x;

	while (alo < ahi && blo < bhi) {
		x = udiff_longest(u, alo, ahi, blo, bhi);
		if (x.k == 0)
			return;
		if (u->nm == u->cap) {
			u->cap = u->cap ? 2 * u->cap : 16;
			u->m = xreallocarray(u->m, u->cap, sizeof(*u->m));
		}
		u->m[u->nm++] = x;
		if (alo < x.i && blo < x.j)
			udiff_blocks(u, alo, x.i, blo, x.j);
		alo = x.i + x.k;
		blo = x.j + x.k;
	}
}

static int udiff_cmp_match(const void *x, const void *y)
{
	const struct udiff_match *p = x, *q = y;

	if (p->i != q->i)
		return p->i < q->i ? -1 : 1;
	return p->j < q->j ? -1 : p->j > q->j;
}

/* get_matching_blocks: sorted, adjacent blocks merged, the sentinel last. */
static void udiff_matching(struct udiff *u)
{
	size_t r, w = 0;

	udiff_blocks(u, 0, u->a.n, 0, u->b.n);
	if (u->nm > 1)
		qsort(u->m, u->nm, sizeof(*u->m), udiff_cmp_match);
	for (r = 0; r < u->nm; r++) {
		if (w > 0 && u->m[w - 1].i + u->m[w - 1].k == u->m[r].i && u->m[w - 1].j + u->m[w - 1].k == u->m[r].j)
			u->m[w - 1].k += u->m[r].k;
		else
			u->m[w++] = u->m[r];
	}
	u->m = xreallocarray(u->m, w + 1, sizeof(*u->m));
	u->m[w].i = u->a.n;
	u->m[w].j = u->b.n;
	u->m[w].k = 0;
	u->nm = w + 1;
}

struct udiff_op {
	char tag; /* 'e'qual, 'r'eplace, 'd'elete, 'i'nsert */
	size_t i1, i2, j1, j2;
};

static size_t udiff_opcodes(const struct udiff *u, struct udiff_op *ops)
{
	size_t i = 0, j = 0, r, n = 0;

	for (r = 0; r < u->nm; r++) {
		const struct udiff_match *x = &u->m[r];
		char tag = i < x->i && j < x->j ? 'r' : i < x->i ? 'd' : j < x->j ? 'i' : 0;

		if (tag)
			ops[n++] = (struct udiff_op){tag, i, x->i, j, x->j};
		i = x->i + x->k;
		j = x->j + x->k;
		if (x->k)
			ops[n++] = (struct udiff_op){'e', x->i, i, x->j, j};
	}
	if (n == 0)
		ops[n++] = (struct udiff_op){'e', 0, 1, 0, 1};
	return n;
}

static void udiff_range(struct buf *out, size_t start, size_t stop)
{
	size_t len = stop - start;

	if (len == 1)
		buf_printf(out, "%zu", start + 1);
	else
		buf_printf(out, "%zu,%zu", len ? start + 1 : start, len);
}

static void udiff_lines(struct buf *out, char mark, const struct udiff_side *s, size_t from, size_t to)
{
	for (; from < to; from++) {
		buf_putc(out, mark);
		buf_put(out, s->l[from].p, s->l[from].n);
	}
}

static void udiff_hunk(struct buf *out, const struct udiff *u, const struct udiff_op *g, size_t n)
{
	size_t k;

	buf_puts(out, "@@ -");
	udiff_range(out, g[0].i1, g[n - 1].i2);
	buf_puts(out, " +");
	udiff_range(out, g[0].j1, g[n - 1].j2);
	buf_puts(out, " @@\n");
	for (k = 0; k < n; k++) {
		if (g[k].tag == 'e') {
			udiff_lines(out, ' ', &u->a, g[k].i1, g[k].i2);
			continue;
		}
		if (g[k].tag != 'i')
			udiff_lines(out, '-', &u->a, g[k].i1, g[k].i2);
		if (g[k].tag != 'd')
			udiff_lines(out, '+', &u->b, g[k].j1, g[k].j2);
	}
}

static size_t udiff_min(size_t x, size_t y)
{
	return x < y ? x : y;
}

static size_t udiff_max(size_t x, size_t y)
{
	return x > y ? x : y;
}

/* get_grouped_opcodes and the hunks; returns how many were printed. */
static int udiff_groups(struct buf *out, const struct udiff *u, struct udiff_op *ops, size_t nops, size_t ctx,
                        const char *from, const char *to)
{
	struct udiff_op *g = xcalloc(nops + 1, sizeof(*g));
	size_t k, ng = 0;
	int hunks = 0;

	if (ops[0].tag == 'e') {
		ops[0].i1 = udiff_max(ops[0].i1, ops[0].i2 > ctx ? ops[0].i2 - ctx : 0);
		ops[0].j1 = udiff_max(ops[0].j1, ops[0].j2 > ctx ? ops[0].j2 - ctx : 0);
	}
	if (ops[nops - 1].tag == 'e') {
		ops[nops - 1].i2 = udiff_min(ops[nops - 1].i2, ops[nops - 1].i1 + ctx);
		ops[nops - 1].j2 = udiff_min(ops[nops - 1].j2, ops[nops - 1].j1 + ctx);
	}
	for (k = 0; k < nops; k++) {
		struct udiff_op o = ops[k];

		if (o.tag == 'e' && o.i2 - o.i1 > 2 * ctx) {
			g[ng++] = (struct udiff_op){'e', o.i1, udiff_min(o.i2, o.i1 + ctx), o.j1, udiff_min(o.j2, o.j1 + ctx)};
			if (!hunks++)
				buf_printf(out, "--- %s\n+++ %s\n", from, to);
			udiff_hunk(out, u, g, ng);
			ng = 0;
			o.i1 = udiff_max(o.i1, o.i2 - ctx);
			o.j1 = udiff_max(o.j1, o.j2 - ctx);
		}
		g[ng++] = o;
	}
	if (ng > 0 && !(ng == 1 && g[0].tag == 'e')) {
		if (!hunks++)
			buf_printf(out, "--- %s\n+++ %s\n", from, to);
		udiff_hunk(out, u, g, ng);
	}
	free(g);
	return hunks;
}

int udiff_unified(struct buf *out, const char *a, size_t alen, const char *b, size_t blen, const char *from,
                  const char *to, int ctx)
{
	struct udiff u;
	struct udiff_op *ops;
	size_t nops;
	int r = -1;

	memset(&u, 0, sizeof(u));
	if (udiff_split(&u.a, a, alen) != 0 || udiff_split(&u.b, b, blen) != 0)
		goto out;
	udiff_popular(&u);
	u.row = xcalloc(u.b.n + 1, sizeof(*u.row));
	u.prev = xcalloc(u.b.n + 1, sizeof(*u.prev));
	udiff_matching(&u);
	ops = xcalloc(2 * u.nm + 1, sizeof(*ops));
	nops = udiff_opcodes(&u, ops);
	r = udiff_groups(out, &u, ops, nops, ctx > 0 ? (size_t)ctx : 0, from, to) > 0;
	free(ops);
out:
	free(u.a.l);
	free(u.a.last);
	free(u.b.l);
	free(u.b.last);
	free(u.popular);
	free(u.row);
	free(u.prev);
	free(u.m);
	return r;
}
