/* Jinja2's built-in filters over sequences and mappings: first, last,
 * list, join, reverse, sort, unique (with Ansible's fallback for
 * unhashable items), min, max, sum, map, select, reject, selectattr,
 * rejectattr, dictsort, items, batch, slice, groupby and attr. Results that
 * Jinja yields lazily are lists, as Ansible unrolls them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static int fs_is_none(const struct value *v)
{
	return v == NULL || (v->type == VALUE_NULL && !is_special(v));
}

/* Jinja's ignore_case postprocessor. */
static struct value *fs_lower(struct tpl_call *c, struct value *v)
{
	struct buf b;
	size_t len;
	char *s;

	if (!is_str(v))
		return v;
	tpl_buf(c, &b);
	ustr_lower(&b, v->u.s.ptr, v->u.s.len);
	value_unref(v);
	s = buf_take(&b, &len);
	return value_str_take(s, len);
}

/* make_attrgetter: attr (NULL: the item), a default for undefined
 * results, and lowercasing. */
struct getter {
	const struct value *attr;
	const struct value *deflt;
	int lower;
};

static int fs_get(struct tpl_call *c, const struct getter *g, struct value *item, struct value **outp)
{
	struct value *v;
	int r;

	if (g->attr == NULL || fs_is_none(g->attr))
		v = value_ref(item);
	else if (is_str(g->attr) && (r = tpl_attrpath(c, item, g->attr->u.s.ptr, g->attr->u.s.len, &v)) != 0)
		return r;
	else if (!is_str(g->attr) && (r = tpl_getitem(c, item, g->attr, &v)) != 0)
		return r;
	if (g->deflt != NULL && !fs_is_none(g->deflt) && is_undef(v)) {
		value_unref(v);
		v = value_ref((struct value *)g->deflt);
	}
	*outp = g->lower ? fs_lower(c, v) : v;
	return 0;
}

/* make_multi_attrgetter: "a,b" gives a list of both. */
static int fs_multi_get(struct tpl_call *c, const struct value *attr, int lower, struct value *item,
                        struct value **outp)
{
	struct getter g = {NULL, NULL, lower};
	struct value *l = value_list(), *part, *v;
	const char *s, *comma;
	size_t n;
	int r;

	if (attr == NULL || !is_str(attr)) {
		g.attr = attr;
		if ((r = fs_get(c, &g, item, &v)) != 0) {
			value_unref(l);
			return r;
		}
		value_list_push(l, v);
		*outp = l;
		return 0;
	}
	s = attr->u.s.ptr;
	n = attr->u.s.len;
	for (;;) {
		comma = memchr(s, ',', n);
		part = value_strn(s, comma ? (size_t)(comma - s) : n);
		g.attr = part;
		r = fs_get(c, &g, item, &v);
		value_unref(part);
		if (r != 0) {
			value_unref(l);
			return r;
		}
		value_list_push(l, v);
		if (comma == NULL)
			break;
		n -= (size_t)(comma - s) + 1;
		s = comma + 1;
	}
	*outp = l;
	return 0;
}

struct keyed {
	struct value *key; /* owned */
	struct value *item; /* owned */
};

static void fs_keyed_free(struct keyed *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		value_unref(k[i].key);
		value_unref(k[i].item);
	}
	free(k);
}

/* A stable merge sort on keys with Python's "<" (reverse keeps equal
 * items in their order, as sorted(reverse=True)). */
static int fs_sort(struct tpl_call *c, struct keyed *v, struct keyed *tmp, size_t n, int reverse)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int r, cmp;

	if (n < 2)
		return 0;
	if ((r = fs_sort(c, v, tmp, mid, reverse)) != 0 || (r = fs_sort(c, v + mid, tmp, n - mid, reverse)) != 0)
		return r;
	while (i < mid && j < n) {
		if ((r = tpl_cmp(c, v[j].key, v[i].key, &cmp)) != 0)
			return r;
		if (reverse ? cmp > 0 : cmp < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
	return tpl_charge(c, n);
}

static int fs_sort_keyed(struct tpl_call *c, struct keyed *k, size_t n, int reverse)
{
	struct keyed *tmp = xreallocarray(NULL, n + 1, sizeof(*tmp));
	int r = fs_sort(c, k, tmp, n, reverse);

	free(tmp);
	return r;
}

static struct value *fs_list_of(struct keyed *k, size_t n)
{
	struct value *l = value_list();
	size_t i;

	for (i = 0; i < n; i++)
		value_list_push(l, value_ref(k[i].item));
	return l;
}

/* ---- simple ones ---- */

static int f_list(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *l;
	int r;

	BIND(c, a, 1, "value");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	if (l == a[0] && is_tuple(l)) {
		/* list() of a tuple is a list. */
		*vp = value_dup(l);
		(*vp)->flags &= ~VALUE_F_TUPLE;
		value_unref(l);
		return 0;
	}
	*vp = l;
	return 0;
}

static int f_first(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *l;
	int r;

	BIND(c, a, 1, "seq");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	*vp = l->u.l.len ? value_ref(l->u.l.items[0]) : rt_undef_hint("No first item, sequence was empty.");
	value_unref(l);
	return 0;
}

static int f_last(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *l;
	int r;

	BIND(c, a, 1, "seq");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	*vp = l->u.l.len ? value_ref(l->u.l.items[l->u.l.len - 1]) : rt_undef_hint("No last item, sequence was empty.");
	value_unref(l);
	return 0;
}

static int f_reverse(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *l, *out;
	struct buf b;
	size_t i, k, len;
	uint32_t cp;
	char *s;
	int r;

	BIND(c, a, 1, "value");
	if (is_str(a[0])) {
		tpl_buf(c, &b);
		for (i = a[0]->u.s.len; i > 0;) {
			/* Step back to the start of the previous character. */
			k = i - 1;
			while (k > 0 && ((unsigned char)a[0]->u.s.ptr[k] & 0xc0) == 0x80 && i - k < 4)
				k--;
			if (ustr_decode(a[0]->u.s.ptr + k, i - k, &cp) != i - k)
				k = i - 1;
			buf_put(&b, a[0]->u.s.ptr + k, i - k);
			i = k;
		}
		s = buf_take(&b, &len);
		*vp = value_str_take(s, len);
		return 0;
	}
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	out = value_list();
	for (i = l->u.l.len; i-- > 0;)
		value_list_push(out, value_ref(l->u.l.items[i]));
	value_unref(l);
	*vp = out;
	return tpl_charge(c, out->u.l.len);
}

static int f_join(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l, *it;
	struct getter g = {NULL, NULL, 0};
	struct buf b, sep;
	size_t i, len;
	char *s;
	int r = 0;

	BIND(c, a, 1, "value", "d", "attribute");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	tpl_buf(c, &sep);
	if (a[1] != NULL && (r = tpl_str(c, a[1], &sep)) != 0) {
		buf_fini(&sep);
		value_unref(l);
		return r;
	}
	g.attr = a[2];
	tpl_buf(c, &b);
	for (i = 0; i < l->u.l.len && r == 0; i++) {
		if (i > 0 && buf_put(&b, sep.data ? sep.data : "", sep.len) != 0) {
			r = tpl_fail(c, ERR_TOOBIG, "string too long");
			break;
		}
		if ((r = fs_get(c, &g, l->u.l.items[i], &it)) != 0)
			break;
		r = tpl_str(c, it, &b);
		value_unref(it);
	}
	buf_fini(&sep);
	value_unref(l);
	if (r != 0) {
		buf_fini(&b);
		return r;
	}
	s = buf_take(&b, &len);
	*vp = value_str_take(s, len);
	return tpl_charge(c, len / 16);
}

/* ---- sorting and uniqueness ---- */

static int f_sort(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *l;
	struct keyed *k;
	int reverse = 0, cs = 0, r = 0;
	size_t i, n;

	BIND(c, a, 1, "value", "reverse", "case_sensitive", "attribute");
	if ((a[1] && (r = tpl_truth(c, a[1], &reverse)) != 0) || (a[2] && (r = tpl_truth(c, a[2], &cs)) != 0))
		return r;
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	n = l->u.l.len;
	k = xcalloc(n + 1, sizeof(*k));
	for (i = 0; i < n && r == 0; i++) {
		k[i].item = value_ref(l->u.l.items[i]);
		r = fs_multi_get(c, a[3], !cs, k[i].item, &k[i].key);
	}
	value_unref(l);
	if (r == 0 && (r = fs_sort_keyed(c, k, n, reverse)) == 0)
		*vp = fs_list_of(k, n);
	fs_keyed_free(k, n);
	return r;
}

/* A hash consistent with pyval_eq for hashable values. */
static uint64_t fs_hash(const struct value *v)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;
	double f;

	switch (v->type) {
	case VALUE_NULL: return 0x9e3779b97f4a7c15ull;
	case VALUE_BOOL: return (uint64_t)v->u.b;
	case VALUE_INT: return (uint64_t)v->u.i;
	case VALUE_FLOAT:
		f = v->u.f;
		if (f == floor(f) && fabs(f) < 9.2e18)
			return (uint64_t)(int64_t)f;
		memcpy(&h, &f, sizeof(h));
		return h;
	case VALUE_STR:
		for (i = 0; i < v->u.s.len; i++) {
			h ^= (unsigned char)v->u.s.ptr[i];
			h *= 1099511628211ull;
		}
		return h;
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			h = (h ^ fs_hash(v->u.l.items[i])) * 1099511628211ull;
		return h;
	default:
		return 0;
	}
}

/* A set of hashable keys (open addressing over an array). */
struct hset {
	const struct value **slot;
	uint64_t *hash;
	size_t cap, n;
};

static void hset_init(struct hset *s, size_t want)
{
	s->cap = 16;
	while (s->cap < want * 2)
		s->cap *= 2;
	s->slot = xcalloc(s->cap, sizeof(*s->slot));
	s->hash = xcalloc(s->cap, sizeof(*s->hash));
	s->n = 0;
}

static void hset_fini(struct hset *s)
{
	free(s->slot);
	free(s->hash);
}

/* Adds key (borrowed; must outlive the set); returns 1 when it was new. */
static int hset_add(struct hset *s, const struct value *key)
{
	uint64_t h = fs_hash(key);
	size_t i = (size_t)h & (s->cap - 1);

	while (s->slot[i] != NULL) {
		if (s->hash[i] == h && pyval_eq(s->slot[i], key))
			return 0;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = key;
	s->hash[i] = h;
	s->n++;
	return 1;
}

/* Ansible's own unique, used when Jinja's fails on unhashable items. */
static int fs_unique_fallback(struct tpl_call *c, struct value *l, struct value **vp)
{
	struct value *out = value_list();
	size_t i, j;
	int r;

	for (i = 0; i < l->u.l.len; i++) {
		for (j = 0; j < out->u.l.len; j++)
			if (pyval_eq(out->u.l.items[j], l->u.l.items[i]))
				break;
		if (j == out->u.l.len)
			value_list_push(out, value_ref(l->u.l.items[i]));
		if ((r = tpl_charge(c, out->u.l.len)) != 0) {
			value_unref(out);
			return r;
		}
	}
	*vp = out;
	return 0;
}

static int f_unique(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l, *out, **keys;
	struct getter g = {NULL, NULL, 1};
	struct hset set;
	int cs = 0, r = 0, hashable = 1;
	size_t i, n;

	BIND(c, a, 1, "a", "case_sensitive", "attribute");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &cs)) != 0)
		return r;
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	g.attr = a[2];
	g.lower = !cs;
	n = l->u.l.len;
	keys = xcalloc(n + 1, sizeof(*keys));
	for (i = 0; i < n && r == 0; i++) {
		if ((r = fs_get(c, &g, l->u.l.items[i], &keys[i])) == 0 && !pyval_hashable(keys[i]))
			hashable = 0;
		if (r == 0 && is_undef(keys[i]))
			r = tpl_fail_undef(c, keys[i]);
	}
	if (r == 0 && !hashable) {
		/* Jinja's unique raised; Ansible falls back to its own version
		 * unless case_sensitive=False or attribute was given. */
		if ((a[1] != NULL && !cs) || (a[2] != NULL && !fs_is_none(a[2])))
			r = tpl_fail(c, ERR_INVAL, "Jinja2's unique filter failed and we cannot fall back to Ansible's "
			                           "version as it does not support the parameters supplied");
		else
			r = fs_unique_fallback(c, l, vp);
	} else if (r == 0) {
		hset_init(&set, n);
		out = value_list();
		for (i = 0; i < n; i++)
			if (hset_add(&set, keys[i]))
				value_list_push(out, value_ref(l->u.l.items[i]));
		hset_fini(&set);
		*vp = out;
		r = tpl_charge(c, n);
	}
	for (i = 0; i < n; i++)
		value_unref(keys[i]);
	free(keys);
	value_unref(l);
	return r;
}

static int fs_min_max(struct tpl_call *c, struct value **vp, int want_max)
{
	struct value *a[3], *l, *best = NULL, *key;
	struct getter g = {NULL, NULL, 1};
	int cs = 0, r = 0, cmp;
	size_t i;

	BIND(c, a, 1, "value", "case_sensitive", "attribute");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &cs)) != 0)
		return r;
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	if (l->u.l.len == 0) {
		value_unref(l);
		*vp = rt_undef_hint("No aggregated item, sequence was empty.");
		return 0;
	}
	g.attr = a[2];
	g.lower = !cs;
	for (i = 0; i < l->u.l.len && r == 0; i++) {
		if ((r = fs_get(c, &g, l->u.l.items[i], &key)) != 0)
			break;
		if (best == NULL) {
			best = key;
			*vp = l->u.l.items[i];
			continue;
		}
		if ((r = tpl_cmp(c, key, best, &cmp)) == 0 && (want_max ? cmp > 0 : cmp < 0)) {
			value_unref(best);
			best = key;
			*vp = l->u.l.items[i];
		} else {
			value_unref(key);
		}
	}
	value_unref(best);
	if (r == 0)
		value_ref(*vp);
	else
		*vp = NULL;
	value_unref(l);
	return r;
}

static int f_min(struct tpl_call *c, struct value **vp)
{
	return fs_min_max(c, vp, 0);
}

static int f_max(struct tpl_call *c, struct value **vp)
{
	return fs_min_max(c, vp, 1);
}

static int f_sum(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l, *acc, *it, *next;
	struct getter g = {NULL, NULL, 0};
	struct pyerr e;
	size_t i;
	int r;

	BIND(c, a, 1, "iterable", "attribute", "start");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	g.attr = a[1];
	acc = a[2] != NULL ? value_ref(a[2]) : value_int(0);
	if (is_str(acc)) {
		value_unref(acc);
		value_unref(l);
		return tpl_fail(c, ERR_INVAL, "sum() can't sum strings [use ''.join(seq) instead]");
	}
	for (i = 0; i < l->u.l.len && r == 0; i++) {
		if ((r = fs_get(c, &g, l->u.l.items[i], &it)) != 0)
			break;
		if (is_undef(it))
			r = tpl_fail_undef(c, it);
		else if ((r = pyval_binop(OP_ADD, acc, it, &c->rt->lim, &next, &e)) != 0)
			r = tpl_fail(c, r, "%s", e.msg);
		else {
			value_unref(acc);
			acc = next;
			r = tpl_charge(c, value_len(acc) + 1);
		}
		value_unref(it);
	}
	value_unref(l);
	if (r != 0) {
		value_unref(acc);
		return r;
	}
	*vp = acc;
	return 0;
}

/* ---- map, select ---- */

static int f_map(struct tpl_call *c, struct value **vp)
{
	struct getter g = {NULL, NULL, 0};
	struct value *l, *out, *v, **args;
	const char *name = NULL;
	size_t i, nargs;
	int r = 0;

	if (c->nargs < 1)
		return tpl_fail(c, ERR_INVAL, "map() missing required argument 'value'");
	if (c->nargs == 1 && c->nkw > 0) {
		for (i = 0; i < c->nkw; i++) {
			const struct tpl_kwarg *k = &c->kw[i];

			if (k->len == 9 && memcmp(k->name, "attribute", 9) == 0)
				g.attr = k->val;
			else if (k->len == 7 && memcmp(k->name, "default", 7) == 0)
				g.deflt = k->val;
			else
				return tpl_fail(c, ERR_INVAL, "Unexpected keyword argument '%.*s'", (int)k->len, k->name);
		}
		if (g.attr == NULL)
			return tpl_fail(c, ERR_INVAL, "map requires a filter argument");
	} else if (c->nargs < 2) {
		return tpl_fail(c, ERR_INVAL, "map requires a filter argument");
	} else if (!is_str(c->args[1])) {
		return tpl_fail(c, ERR_INVAL, "map filter name must be a string");
	} else {
		name = c->args[1]->u.s.ptr;
	}
	if ((r = tpl_iter(c, c->args[0], &l)) != 0)
		return r;
	out = value_list();
	nargs = c->nargs > 2 ? c->nargs - 1 : 1;
	args = xcalloc(nargs + 1, sizeof(*args));
	for (i = 2; i < c->nargs; i++)
		args[i - 1] = c->args[i];
	for (i = 0; i < l->u.l.len && r == 0; i++) {
		if (name == NULL) {
			r = fs_get(c, &g, l->u.l.items[i], &v);
		} else {
			args[0] = l->u.l.items[i];
			r = tpl_filter(c, name, args, nargs, c->kw, c->nkw, &v);
		}
		if (r == 0)
			value_list_push(out, v);
	}
	free(args);
	value_unref(l);
	if (r != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

/* select, reject, selectattr, rejectattr. */
static int fs_select(struct tpl_call *c, struct value **vp, int want, int by_attr)
{
	struct getter g = {NULL, NULL, 0};
	struct value *l, *out, *v, **args;
	const char *test = NULL;
	size_t i, off = by_attr ? 2 : 1, nargs;
	int r = 0, hit;

	if (c->nargs < 1)
		return tpl_fail(c, ERR_INVAL, "%s() missing required argument 'value'", c->name);
	if (by_attr) {
		if (c->nargs < 2)
			return tpl_fail(c, ERR_INVAL, "Missing parameter for attribute name");
		g.attr = c->args[1];
	}
	if (c->nargs > off) {
		if (!is_str(c->args[off]))
			return tpl_fail(c, ERR_INVAL, "test name must be a string");
		test = c->args[off]->u.s.ptr;
	}
	if ((r = tpl_iter(c, c->args[0], &l)) != 0)
		return r;
	out = value_list();
	nargs = c->nargs > off + 1 ? c->nargs - off : 1;
	args = xcalloc(nargs + 1, sizeof(*args));
	for (i = off + 1; i < c->nargs; i++)
		args[i - off] = c->args[i];
	for (i = 0; i < l->u.l.len && r == 0; i++) {
		if ((r = fs_get(c, &g, l->u.l.items[i], &v)) != 0)
			break;
		if (test == NULL) {
			r = tpl_truth(c, v, &hit);
		} else {
			args[0] = v;
			r = tpl_test(c, test, args, nargs, c->kw, c->nkw, &hit);
		}
		value_unref(v);
		if (r == 0 && hit == want)
			value_list_push(out, value_ref(l->u.l.items[i]));
	}
	free(args);
	value_unref(l);
	if (r != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

static int f_select(struct tpl_call *c, struct value **vp)
{
	return fs_select(c, vp, 1, 0);
}

static int f_reject(struct tpl_call *c, struct value **vp)
{
	return fs_select(c, vp, 0, 0);
}

static int f_selectattr(struct tpl_call *c, struct value **vp)
{
	return fs_select(c, vp, 1, 1);
}

static int f_rejectattr(struct tpl_call *c, struct value **vp)
{
	return fs_select(c, vp, 0, 1);
}

/* ---- mappings ---- */

static struct value *fs_pair(struct value *k, struct value *v)
{
	struct value *t = value_list();

	t->flags |= VALUE_F_TUPLE;
	value_list_push(t, value_ref(k));
	value_list_push(t, value_ref(v));
	return t;
}

static int f_dictsort(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *m;
	struct keyed *k;
	int cs = 0, reverse = 0, pos = 0, r = 0;
	size_t i, n;

	BIND(c, a, 1, "value", "case_sensitive", "by", "reverse");
	if ((a[1] && (r = tpl_truth(c, a[1], &cs)) != 0) || (a[3] && (r = tpl_truth(c, a[3], &reverse)) != 0))
		return r;
	if (a[2] != NULL) {
		if (is_str(a[2]) && strcmp(a[2]->u.s.ptr, "key") == 0)
			pos = 0;
		else if (is_str(a[2]) && strcmp(a[2]->u.s.ptr, "value") == 0)
			pos = 1;
		else
			return tpl_fail(c, ERR_INVAL, "You can only sort by either \"key\" or \"value\"");
	}
	m = a[0];
	if (m->type != VALUE_MAP || is_special(m))
		return tpl_fail(c, ERR_INVAL, "'%s' object has no attribute 'items'", pyval_type(m));
	n = m->u.m.len;
	k = xcalloc(n + 1, sizeof(*k));
	for (i = 0; i < n; i++) {
		k[i].item = fs_pair(m->u.m.ents[i].key, m->u.m.ents[i].val);
		k[i].key = value_ref(pos ? m->u.m.ents[i].val : m->u.m.ents[i].key);
		if (!cs)
			k[i].key = fs_lower(c, k[i].key);
	}
	if ((r = fs_sort_keyed(c, k, n, reverse)) == 0)
		*vp = fs_list_of(k, n);
	fs_keyed_free(k, n);
	return r;
}

static int f_items(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *l;
	size_t i;

	BIND(c, a, 1, "value");
	l = value_list();
	if (is_undef(a[0])) {
		*vp = l;
		return 0;
	}
	if (a[0]->type != VALUE_MAP || is_special(a[0])) {
		value_unref(l);
		return tpl_fail(c, ERR_INVAL, "Can only get item pairs from a mapping.");
	}
	for (i = 0; i < a[0]->u.m.len; i++)
		value_list_push(l, fs_pair(a[0]->u.m.ents[i].key, a[0]->u.m.ents[i].val));
	*vp = l;
	return tpl_charge(c, a[0]->u.m.len);
}

/* ---- batch, slice, groupby ---- */

static int f_batch(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l, *out, *tmp;
	int64_t count;
	size_t i;
	int r;

	BIND(c, a, 2, "value", "linecount", "fill_with");
	if (a[1]->type != VALUE_INT && a[1]->type != VALUE_BOOL) {
		double f;

		if ((r = tpl_to_float(c, a[1], &f)) != 0)
			return r;
		count = (int64_t)ceil(f);
	} else {
		count = pyval_int(a[1]);
	}
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	out = value_list();
	tmp = value_list();
	for (i = 0; i < l->u.l.len; i++) {
		if ((int64_t)tmp->u.l.len == count) {
			value_list_push(out, tmp);
			tmp = value_list();
		}
		value_list_push(tmp, value_ref(l->u.l.items[i]));
	}
	if (tmp->u.l.len > 0) {
		if (!fs_is_none(a[2]))
			while ((int64_t)tmp->u.l.len < count)
				value_list_push(tmp, value_ref(a[2]));
		value_list_push(out, tmp);
	} else {
		value_unref(tmp);
	}
	value_unref(l);
	*vp = out;
	return 0;
}

static int f_slice(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l, *out, *tmp;
	int64_t slices, len, per, extra, offset = 0, n, start, end, i;
	int r;

	BIND(c, a, 2, "value", "slices", "fill_with");
	if (a[1]->type != VALUE_INT && a[1]->type != VALUE_BOOL)
		return tpl_fail(c, ERR_INVAL, "'%s' object cannot be interpreted as an integer", pyval_type(a[1]));
	slices = pyval_int(a[1]);
	if (slices == 0)
		return tpl_fail(c, ERR_INVAL, "integer division or modulo by zero");
	if (slices > (int64_t)c->rt->lim.max_items || slices < -(int64_t)c->rt->lim.max_items)
		return tpl_fail(c, ERR_TOOBIG, "too many slices");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	len = (int64_t)l->u.l.len;
	/* Python's floor division and modulo, for negative counts too. */
	per = len / slices - ((len % slices != 0) && ((len < 0) != (slices < 0)));
	extra = len - per * slices;
	out = value_list();
	for (n = 0; n < slices; n++) {
		start = offset + n * per;
		if (n < extra)
			offset++;
		end = offset + (n + 1) * per;
		tmp = value_list();
		for (i = start < 0 ? 0 : start; i < end && i < len; i++)
			value_list_push(tmp, value_ref(l->u.l.items[i]));
		if (!fs_is_none(a[2]) && n >= extra)
			value_list_push(tmp, value_ref(a[2]));
		value_list_push(out, tmp);
	}
	value_unref(l);
	*vp = out;
	return 0;
}

static int f_groupby(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *l, *out, *group = NULL, *items = NULL, *okey;
	struct getter g = {NULL, NULL, 1}, og = {NULL, NULL, 0};
	struct keyed *k;
	int cs = 0, r = 0, eq;
	size_t i, n;

	BIND(c, a, 2, "value", "attribute", "default", "case_sensitive");
	if (a[3] != NULL && (r = tpl_truth(c, a[3], &cs)) != 0)
		return r;
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	g.attr = og.attr = a[1];
	g.deflt = og.deflt = a[2];
	g.lower = !cs;
	n = l->u.l.len;
	k = xcalloc(n + 1, sizeof(*k));
	for (i = 0; i < n && r == 0; i++) {
		k[i].item = value_ref(l->u.l.items[i]);
		r = fs_get(c, &g, k[i].item, &k[i].key);
	}
	value_unref(l);
	if (r == 0)
		r = fs_sort_keyed(c, k, n, 0);
	out = value_list();
	for (i = 0; i < n && r == 0; i++) {
		eq = 0;
		if (items != NULL && (r = tpl_eq(c, k[i - 1].key, k[i].key, &eq)) != 0)
			break;
		if (!eq) {
			if ((r = fs_get(c, cs ? &g : &og, k[i].item, &okey)) != 0)
				break;
			group = value_list();
			group->flags |= VALUE_F_TUPLE | TPL_F_GROUP;
			value_list_push(group, okey);
			items = value_list();
			value_list_push(group, items);
			value_list_push(out, group);
		}
		value_list_push(items, value_ref(k[i].item));
	}
	fs_keyed_free(k, n);
	if (r != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

static int f_attr(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];

	BIND(c, a, 2, "obj", "name");
	if (!is_str(a[1]))
		return tpl_fail(c, ERR_INVAL, "attribute name must be a string");
	/* Python attributes only: dict keys are not attributes. */
	if (is_obj(a[0]) || (a[1]->u.s.len > 0 && a[1]->u.s.ptr[0] != '_' && methods_has(a[0], a[1]->u.s.ptr, a[1]->u.s.len)))
		return tpl_getattr(c, a[0], a[1]->u.s.ptr, a[1]->u.s.len, vp);
	*vp = rt_undef_attr(a[0], a[1]->u.s.ptr, a[1]->u.s.len);
	return 0;
}

const struct tpl_fn_def tpl_filters_seq[] = {
	{"attr", f_attr, 0},
	{"batch", f_batch, 0},
	{"dictsort", f_dictsort, 0},
	{"first", f_first, 0},
	{"groupby", f_groupby, 0},
	{"items", f_items, TPL_FN_UNDEF_OK},
	{"join", f_join, 0},
	{"last", f_last, 0},
	{"list", f_list, 0},
	{"map", f_map, 0},
	{"max", f_max, 0},
	{"min", f_min, 0},
	{"reject", f_reject, 0},
	{"rejectattr", f_rejectattr, 0},
	{"reverse", f_reverse, 0},
	{"select", f_select, 0},
	{"selectattr", f_selectattr, 0},
	{"slice", f_slice, 0},
	{"sort", f_sort, 0},
	{"sum", f_sum, 0},
	{"unique", f_unique, 0},
	{NULL, NULL, 0},
};
