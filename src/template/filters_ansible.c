/* Ansible's filters on data structures (ansible/plugins/filter/core.py and
 * mathstuff.py in 2.14): combine with recursive and list_merge,
 * dict2items/items2dict, flatten, the set operations (union, intersect,
 * difference, symmetric_difference, in Ansible's order: first operand's
 * order, duplicates removed by equality), zip/zip_longest/product (lists of
 * tuples, as Ansible's finalize unrolls the iterators it hands out),
 * combinations/permutations, ternary, mandatory, type_debug, subelements
 * and extract.
 * Text and encoding filters are in filters_text.c. */
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static int fa_is_list(const struct value *v)
{
	return v != NULL && v->type == VALUE_LIST && !is_special(v);
}

static int fa_is_map(const struct value *v)
{
	return v != NULL && v->type == VALUE_MAP && !is_special(v);
}

static int fa_is_none(const struct value *v)
{
	return v == NULL || (v->type == VALUE_NULL && !is_special(v));
}

static struct value *fa_tuple(void)
{
	struct value *t = value_list();

	t->flags |= VALUE_F_TUPLE;
	return t;
}

/* Python's "x in list" by equality; undefined items fail. */
static int fa_in(struct tpl_call *c, const struct value *x, const struct value *l, int *inp)
{
	size_t i;
	int r;

	*inp = 0;
	for (i = 0; i < value_len(l); i++) {
		if ((r = tpl_eq(c, x, value_list_at(l, i), inp)) != 0)
			return r;
		if (*inp)
			return 0;
	}
	return 0;
}

/* ---- combine ---- */

enum fa_merge { FA_REPLACE, FA_KEEP, FA_APPEND, FA_PREPEND, FA_APPEND_RP, FA_PREPEND_RP };

static int fa_concat(struct tpl_call *c, const struct value *a, const struct value *b, const struct value *skip,
                     struct value **outp)
{
	struct value *l = value_list();
	size_t i;
	int in, r;

	for (i = 0; i < value_len(a); i++) {
		if (skip != NULL) {
			if ((r = fa_in(c, value_list_at(a, i), skip, &in)) != 0) {
				value_unref(l);
				return r;
			}
			if (in)
				continue;
		}
		value_list_push(l, value_ref(value_list_at(a, i)));
	}
	for (i = 0; i < value_len(b); i++)
		value_list_push(l, value_ref(value_list_at(b, i)));
	if ((r = tpl_check_items(c, value_len(l))) != 0) {
		value_unref(l);
		return r;
	}
	*outp = l;
	return 0;
}

/* Ansible's merge_hash(x, y): y has the higher priority. */
static int fa_merge_hash(struct tpl_call *c, const struct value *x, const struct value *y, int recursive,
                         enum fa_merge lm, int depth, struct value **outp)
{
	struct value *res = NULL, *nv;
	size_t i;
	int r = ERR_INTERNAL, eq;

	*outp = NULL;
	if (depth > 200)
		return tpl_fail(c, ERR_DEPTH, "combine: dictionaries nested too deeply");
	if ((r = tpl_charge(c, value_len(x) + value_len(y))) != 0)
		return r;
	if (value_len(x) == 0 || ((r = tpl_eq(c, x, y, &eq)) == 0 && eq)) {
		*outp = value_dup(y);
		return 0;
	}
	if (r != 0)
		return r;
	res = value_dup(x);
	for (i = 0; i < value_len(y); i++) {
		const struct value *k = value_map_key_at(y, i);
		struct value *yv = value_map_val_at(y, i), *xv = value_map_getn(res, k->u.s.ptr, k->u.s.len);

		nv = NULL;
		if (xv == NULL || (lm == FA_REPLACE && !recursive)) {
			nv = value_ref(yv);
		} else if (fa_is_map(xv) && fa_is_map(yv)) {
			if (!recursive)
				nv = value_ref(yv);
			else if ((r = fa_merge_hash(c, xv, yv, recursive, lm, depth + 1, &nv)) != 0)
				goto out;
		} else if (fa_is_list(xv) && fa_is_list(yv)) {
			switch (lm) {
			case FA_REPLACE:
				nv = value_ref(yv);
				break;
			case FA_KEEP:
				nv = value_ref(xv);
				break;
			case FA_APPEND:
				r = fa_concat(c, xv, yv, NULL, &nv);
				break;
			case FA_PREPEND:
				r = fa_concat(c, yv, xv, NULL, &nv);
				break;
			case FA_APPEND_RP:
				r = fa_concat(c, xv, yv, yv, &nv);
				break;
			case FA_PREPEND_RP: {
				struct value *rest, *none = value_list();

				if ((r = fa_concat(c, xv, none, yv, &rest)) == 0) {
					r = fa_concat(c, yv, rest, NULL, &nv);
					value_unref(rest);
				}
				value_unref(none);
				break;
			}
			}
			if (r != 0)
				goto out;
		} else {
			nv = value_ref(yv);
		}
		value_map_set_key(res, value_ref((struct value *)k), nv);
	}
	*outp = res;
	res = NULL;
	r = 0;
out:
	value_unref(res);
	return r;
}

/* flatten(terms, levels=1) as combine uses it: nulls skipped. */
static void fa_push_terms(struct value *dst, struct value *const *args, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (fa_is_none(args[i]))
			continue;
		if (fa_is_list(args[i])) {
			for (j = 0; j < value_len(args[i]); j++) {
				struct value *e = value_list_at(args[i], j);

				if (!fa_is_none(e) && !(is_str(e) && (strcmp(e->u.s.ptr, "None") == 0 ||
				                                      strcmp(e->u.s.ptr, "null") == 0)))
					value_list_push(dst, value_ref(e));
			}
		} else if (!(is_str(args[i]) &&
		             (strcmp(args[i]->u.s.ptr, "None") == 0 || strcmp(args[i]->u.s.ptr, "null") == 0))) {
			value_list_push(dst, value_ref(args[i]));
		}
	}
}

static int f_combine(struct tpl_call *c, struct value **vp)
{
	static const char *const modes[] = {"replace", "keep", "append", "prepend", "append_rp", "prepend_rp"};
	struct value *dicts = value_list(), *res = NULL, *next;
	int recursive = 0, r = ERR_INTERNAL;
	enum fa_merge lm = FA_REPLACE;
	size_t i, n;

	for (i = 0; i < c->nkw; i++) {
		const struct tpl_kwarg *k = &c->kw[i];

		if (k->len == 9 && memcmp(k->name, "recursive", 9) == 0) {
			if ((r = tpl_truth(c, k->val, &recursive)) != 0)
				goto out;
		} else if (k->len == 10 && memcmp(k->name, "list_merge", 10) == 0) {
			size_t m;

			for (m = 0; m < 6; m++)
				if (is_str(k->val) && strcmp(k->val->u.s.ptr, modes[m]) == 0)
					break;
			if (m == 6) {
				r = tpl_fail(c, ERR_INVAL, "'%s' is not a valid list_merge value",
				             is_str(k->val) ? k->val->u.s.ptr : "?");
				goto out;
			}
			lm = (enum fa_merge)m;
		} else {
			r = tpl_fail(c, ERR_INVAL, "'recursive' and 'list_merge' are the only valid keyword arguments");
			goto out;
		}
	}
	fa_push_terms(dicts, c->args, c->nargs);
	n = value_len(dicts);
	for (i = 0; i < n; i++) {
		if (!fa_is_map(value_list_at(dicts, i))) {
			r = tpl_fail(c, ERR_INVAL, "failed to combine variables, expected dicts but got '%s'",
			             tpl_type_name(value_list_at(dicts, i)));
			goto out;
		}
	}
	if (n == 0) {
		*vp = value_map();
		r = 0;
		goto out;
	}
	res = value_ref(value_list_at(dicts, n - 1));
	for (i = n - 1; i-- > 0;) {
		if ((r = fa_merge_hash(c, value_list_at(dicts, i), res, recursive, lm, 0, &next)) != 0)
			goto out;
		value_unref(res);
		res = next;
	}
	*vp = res;
	res = NULL;
	r = 0;
out:
	value_unref(res);
	value_unref(dicts);
	return r;
}

/* ---- dict2items / items2dict ---- */

static int fa_name_arg(struct tpl_call *c, const struct value *v, const char *def, const char **sp, size_t *np)
{
	if (v == NULL) {
		*sp = def;
		*np = strlen(def);
		return 0;
	}
	if (!is_str(v))
		return tpl_fail(c, ERR_INVAL, "key_name and value_name must be strings in drover");
	*sp = v->u.s.ptr;
	*np = v->u.s.len;
	return 0;
}

static int f_dict2items(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *l;
	const char *kn = NULL, *vn = NULL;
	size_t kl = 0, vl = 0, i;
	int r;

	BIND(c, a, 1, "mydict", "key_name", "value_name");
	if (!fa_is_map(a[0]))
		return tpl_fail(c, ERR_INVAL, "dict2items requires a dictionary, got <class '%s'> instead.",
		                tpl_type_name(a[0]));
	if ((r = fa_name_arg(c, a[1], "key", &kn, &kl)) != 0 || (r = fa_name_arg(c, a[2], "value", &vn, &vl)) != 0)
		return r;
	l = value_list();
	for (i = 0; i < value_len(a[0]); i++) {
		struct value *m = value_map();

		value_map_set_key(m, value_strn(kn, kl), value_ref((struct value *)value_map_key_at(a[0], i)));
		value_map_set_key(m, value_strn(vn, vl), value_ref(value_map_val_at(a[0], i)));
		value_list_push(l, m);
	}
	*vp = l;
	return 0;
}

static int f_items2dict(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *m, *k, *v;
	const char *kn = NULL, *vn = NULL;
	size_t kl = 0, vl = 0, i;
	int r;

	BIND(c, a, 1, "mylist", "key_name", "value_name");
	if (!fa_is_list(a[0]))
		return tpl_fail(c, ERR_INVAL, "items2dict requires a list, got <class '%s'> instead.",
		                tpl_type_name(a[0]));
	if ((r = fa_name_arg(c, a[1], "key", &kn, &kl)) != 0 || (r = fa_name_arg(c, a[2], "value", &vn, &vl)) != 0)
		return r;
	m = value_map();
	for (i = 0; i < value_len(a[0]); i++) {
		struct value *it = value_list_at(a[0], i);

		if (!fa_is_map(it)) {
			value_unref(m);
			return tpl_fail(c, ERR_INVAL, "items2dict requires a list of dictionaries");
		}
		k = value_map_getn(it, kn, kl);
		v = value_map_getn(it, vn, vl);
		if (k == NULL || v == NULL) {
			value_unref(m);
			return tpl_fail(c, ERR_INVAL,
			                "items2dict requires each dictionary in the list to contain the keys '%.*s' and '%.*s'",
			                (int)kl, kn, (int)vl, vn);
		}
		if (!is_str(k)) {
			value_unref(m);
			return tpl_fail(c, ERR_INVAL, "items2dict: drover dictionary keys must be strings");
		}
		value_map_set_key(m, value_ref(k), value_ref(v));
	}
	*vp = m;
	return 0;
}

/* ---- flatten ---- */

static int fa_flatten(struct tpl_call *c, const struct value *l, int64_t levels, int skip_nulls, int depth,
                      struct value *out)
{
	size_t i;
	int r;

	if (depth > 200)
		return tpl_fail(c, ERR_DEPTH, "flatten: lists nested too deeply");
	if ((r = tpl_charge(c, value_len(l))) != 0)
		return r;
	for (i = 0; i < value_len(l); i++) {
		struct value *e = value_list_at(l, i);

		if (skip_nulls && (fa_is_none(e) || (is_str(e) && (strcmp(e->u.s.ptr, "None") == 0 ||
		                                                    strcmp(e->u.s.ptr, "null") == 0))))
			continue;
		if (fa_is_list(e) && (levels < 0 || levels >= 1)) {
			if ((r = fa_flatten(c, e, levels < 0 ? -1 : levels - 1, skip_nulls, depth + 1, out)) != 0)
				return r;
		} else {
			value_list_push(out, value_ref(e));
		}
		if ((r = tpl_check_items(c, value_len(out))) != 0)
			return r;
	}
	return 0;
}

static int f_flatten(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *out;
	int64_t levels = -1;
	int skip = 1, r;

	BIND(c, a, 1, "mylist", "levels", "skip_nulls");
	if (!fa_is_none(a[1]) && (r = tpl_to_int(c, a[1], &levels)) != 0)
		return r;
	if (a[1] != NULL && !fa_is_none(a[1]) && levels < 0)
		levels = 0;
	if (a[2] != NULL && (r = tpl_truth(c, a[2], &skip)) != 0)
		return r;
	if (!fa_is_list(a[0]))
		return tpl_fail(c, ERR_INVAL, "flatten: drover flattens lists only, got '%s'", tpl_type_name(a[0]));
	out = value_list();
	if ((r = fa_flatten(c, a[0], levels, skip, 0, out)) != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

/* ---- set theory ---- */

/* Appends the items of l to out unless already there (or, with excl, in excl). */
static int fa_add_unique(struct tpl_call *c, const struct value *l, const struct value *excl, int want_in,
                         const struct value *other, struct value *out)
{
	size_t i;
	int in, r;

	if ((r = tpl_charge(c, value_len(l) * (value_len(out) + value_len(other) + 1))) != 0)
		return r;
	for (i = 0; i < value_len(l); i++) {
		struct value *x = value_list_at(l, i);

		if (other != NULL) {
			if ((r = fa_in(c, x, other, &in)) != 0)
				return r;
			if (in != want_in)
				continue;
		}
		if (excl != NULL) {
			if ((r = fa_in(c, x, excl, &in)) != 0)
				return r;
			if (in)
				continue;
		}
		if ((r = fa_in(c, x, out, &in)) != 0)
			return r;
		if (!in)
			value_list_push(out, value_ref(x));
	}
	return 0;
}

static int fa_two_lists(struct tpl_call *c, struct value **a)
{
	BIND(c, a, 2, "a", "b");
	if (!fa_is_list(a[0]) || !fa_is_list(a[1]))
		return tpl_fail(c, ERR_INVAL, "%s: drover supports lists only, got '%s' and '%s'", c->name,
		                tpl_type_name(a[0]), tpl_type_name(a[1]));
	return 0;
}

static int fa_setop(struct tpl_call *c, int op, struct value **vp)
{
	struct value *a[2], *out = NULL, *isect = NULL, *uni = NULL;
	int r;

	if ((r = fa_two_lists(c, a)) != 0)
		return r;
	out = value_list();
	switch (op) {
	case 'u':
		if ((r = fa_add_unique(c, a[0], NULL, 0, NULL, out)) == 0)
			r = fa_add_unique(c, a[1], NULL, 0, NULL, out);
		break;
	case 'i':
		r = fa_add_unique(c, a[0], NULL, 1, a[1], out);
		break;
	case 'd':
		r = fa_add_unique(c, a[0], NULL, 0, a[1], out);
		break;
	default:
		isect = value_list();
		uni = value_list();
		if ((r = fa_add_unique(c, a[0], NULL, 1, a[1], isect)) == 0 &&
		    (r = fa_add_unique(c, a[0], NULL, 0, NULL, uni)) == 0 &&
		    (r = fa_add_unique(c, a[1], NULL, 0, NULL, uni)) == 0)
			r = fa_add_unique(c, uni, NULL, 0, isect, out);
		break;
	}
	value_unref(isect);
	value_unref(uni);
	if (r == 0)
		r = tpl_check_items(c, value_len(out));
	if (r != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

static int f_union(struct tpl_call *c, struct value **vp)
{
	return fa_setop(c, 'u', vp);
}

static int f_intersect(struct tpl_call *c, struct value **vp)
{
	return fa_setop(c, 'i', vp);
}

static int f_difference(struct tpl_call *c, struct value **vp)
{
	return fa_setop(c, 'd', vp);
}

static int f_symmetric_difference(struct tpl_call *c, struct value **vp)
{
	return fa_setop(c, 's', vp);
}

/* ---- zip, zip_longest, product ---- */

static int fa_lists(struct tpl_call *c, struct value **lists)
{
	size_t i;
	int r;

	for (i = 0; i < c->nargs; i++)
		if ((r = tpl_iter(c, c->args[i], &lists[i])) != 0)
			return r;
	return 0;
}

static void fa_unref_all(struct value **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		value_unref(l[i]);
}

static int fa_zip(struct tpl_call *c, int longest, struct value **vp)
{
	struct value *lists[16] = {NULL}, *fill = NULL, *out;
	size_t n = 0, i, j;
	int r;

	for (i = 0; i < c->nkw; i++) {
		if (longest && c->kw[i].len == 9 && memcmp(c->kw[i].name, "fillvalue", 9) == 0)
			fill = c->kw[i].val;
		else
			return tpl_fail(c, ERR_INVAL, "%s() takes no keyword argument '%.*s'", c->name,
			                (int)c->kw[i].len, c->kw[i].name);
	}
	if (c->nargs > 16)
		return tpl_fail(c, ERR_INVAL, "%s: drover zips at most 16 sequences", c->name);
	if ((r = fa_lists(c, lists)) != 0) {
		fa_unref_all(lists, c->nargs);
		return r;
	}
	for (i = 0; i < c->nargs; i++) {
		size_t len = value_len(lists[i]);

		if (i == 0 || (longest ? len > n : len < n))
			n = len;
	}
	out = value_list();
	for (j = 0; j < n; j++) {
		struct value *t = fa_tuple();

		for (i = 0; i < c->nargs; i++)
			value_list_push(t, j < value_len(lists[i]) ? value_ref(value_list_at(lists[i], j))
			                                           : fill != NULL ? value_ref(fill) : value_null());
		value_list_push(out, t);
	}
	fa_unref_all(lists, c->nargs);
	if ((r = tpl_charge(c, n * c->nargs)) != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

static int f_zip(struct tpl_call *c, struct value **vp)
{
	return fa_zip(c, 0, vp);
}

static int f_zip_longest(struct tpl_call *c, struct value **vp)
{
	return fa_zip(c, 1, vp);
}

static int f_product(struct tpl_call *c, struct value **vp)
{
	struct value *lists[16] = {NULL}, *out = NULL;
	size_t idx[16] = {0}, total = 1, i, k;
	int64_t repeat = 1;
	size_t nl;
	int r;

	for (i = 0; i < c->nkw; i++) {
		if (c->kw[i].len == 6 && memcmp(c->kw[i].name, "repeat", 6) == 0) {
			if ((r = tpl_to_int(c, c->kw[i].val, &repeat)) != 0)
				return r;
		} else {
			return tpl_fail(c, ERR_INVAL, "product() takes no keyword argument '%.*s'",
			                (int)c->kw[i].len, c->kw[i].name);
		}
	}
	if (repeat < 0)
		return tpl_fail(c, ERR_INVAL, "repeat argument cannot be negative");
	if (c->nargs * (size_t)repeat > 16)
		return tpl_fail(c, ERR_INVAL, "product: drover takes at most 16 sequences");
	if ((r = fa_lists(c, lists)) != 0)
		goto out;
	nl = c->nargs * (size_t)repeat;
	for (i = c->nargs; i < nl; i++)
		lists[i] = value_ref(lists[i % c->nargs]);
	for (i = 0; i < nl; i++) {
		total *= value_len(lists[i]);
		if (total > (1u << 22)) {
			r = tpl_check_items(c, (size_t)-1);
			goto out;
		}
	}
	if ((r = tpl_check_items(c, total)) != 0 || (r = tpl_charge(c, total * (nl + 1))) != 0)
		goto out;
	out = value_list();
	for (k = 0; k < total; k++) {
		struct value *t = fa_tuple();

		for (i = 0; i < nl; i++)
			value_list_push(t, value_ref(value_list_at(lists[i], idx[i])));
		value_list_push(out, t);
		for (i = nl; i-- > 0;) {
			if (++idx[i] < value_len(lists[i]))
				break;
			idx[i] = 0;
		}
	}
	*vp = out;
	out = NULL;
	r = 0;
out:
	value_unref(out);
	fa_unref_all(lists, 16);
	return r;
}

/* ---- small ones ---- */

static int f_ternary(struct tpl_call *c, struct value **vp)
{
	struct value *a[4];
	int truth, r;

	BIND(c, a, 3, "value", "true_val", "false_val", "none_val");
	if (fa_is_none(a[0]) && a[3] != NULL && !fa_is_none(a[3])) {
		*vp = value_ref(a[3]);
		return 0;
	}
	if ((r = tpl_truth(c, a[0], &truth)) != 0)
		return r;
	*vp = value_ref(truth ? a[1] : a[2]);
	return 0;
}

static int f_mandatory(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct buf b;
	int r;

	BIND(c, a, 1, "a", "msg");
	if (!tpl_is_undef(a[0])) {
		*vp = value_ref(a[0]);
		return 0;
	}
	if (a[1] != NULL && !tpl_is_undef(a[1])) {
		tpl_buf(c, &b);
		if ((r = tpl_str(c, a[1], &b)) == 0)
			r = tpl_fail(c, ERR_INVAL, "%s", buf_str(&b));
		buf_fini(&b);
		return r;
	}
	return tpl_fail(c, ERR_INVAL, "Mandatory variable not defined (%s).", tpl_undef_msg(a[0]));
}

static int f_type_debug(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "o");
	*vp = value_str(tpl_type_name(a[0]));
	return 0;
}

static int f_extract(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *cur, *next;
	size_t i, n;
	int r;

	BIND(c, a, 2, "item", "container", "morekeys");
	if ((r = tpl_getitem(c, a[1], a[0], &cur)) != 0)
		return r;
	n = a[2] == NULL || fa_is_none(a[2]) ? 0 : fa_is_list(a[2]) ? value_len(a[2]) : 1;
	for (i = 0; i < n && !tpl_is_undef(cur); i++) {
		const struct value *k = fa_is_list(a[2]) ? value_list_at(a[2], i) : a[2];

		r = tpl_getitem(c, cur, k, &next);
		value_unref(cur);
		if (r != 0)
			return r;
		cur = next;
	}
	*vp = cur;
	return 0;
}

static int f_subelements(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *elems = NULL, *path = NULL, *out = NULL;
	int skip = 0, r = ERR_INTERNAL;
	size_t i, j;

	BIND(c, a, 2, "obj", "subelements", "skip_missing");
	if (a[2] != NULL && (r = tpl_truth(c, a[2], &skip)) != 0)
		return r;
	if (fa_is_map(a[0])) {
		elems = value_list();
		for (i = 0; i < value_len(a[0]); i++)
			value_list_push(elems, value_ref(value_map_val_at(a[0], i)));
	} else if (fa_is_list(a[0])) {
		elems = value_ref(a[0]);
	} else {
		return tpl_fail(c, ERR_INVAL, "obj must be a list of dicts or a nested dict");
	}
	if (fa_is_list(a[1])) {
		path = value_ref(a[1]);
	} else if (is_str(a[1])) {
		const char *s = a[1]->u.s.ptr, *e = s + a[1]->u.s.len, *dot;

		path = value_list();
		for (;;) {
			dot = memchr(s, '.', (size_t)(e - s));
			value_list_push(path, value_strn(s, (size_t)((dot ? dot : e) - s)));
			if (dot == NULL)
				break;
			s = dot + 1;
		}
	} else {
		r = tpl_fail(c, ERR_INVAL, "subelements must be a list or a string");
		goto out;
	}
	out = value_list();
	for (i = 0; i < value_len(elems); i++) {
		struct value *el = value_list_at(elems, i), *v = el;

		for (j = 0; j < value_len(path); j++) {
			const struct value *k = value_list_at(path, j);
			struct value *nv;

			if (!fa_is_map(v) || !is_str(k)) {
				r = tpl_fail(c, ERR_INVAL, "the key %s should point to a dictionary",
				             is_str(k) ? k->u.s.ptr : "?");
				goto out;
			}
			nv = value_map_getn(v, k->u.s.ptr, k->u.s.len);
			if (nv == NULL) {
				if (skip) {
					v = NULL;
					break;
				}
				r = tpl_fail(c, ERR_INVAL, "could not find '%s' key in iterated item", k->u.s.ptr);
				goto out;
			}
			v = nv;
		}
		if (v == NULL)
			continue;
		if (!fa_is_list(v)) {
			r = tpl_fail(c, ERR_INVAL, "the key should point to a list, got '%s'", tpl_type_name(v));
			goto out;
		}
		for (j = 0; j < value_len(v); j++) {
			struct value *t = fa_tuple();

			value_list_push(t, value_ref(el));
			value_list_push(t, value_ref(value_list_at(v, j)));
			value_list_push(out, t);
		}
		if ((r = tpl_check_items(c, value_len(out))) != 0)
			goto out;
	}
	*vp = out;
	out = NULL;
	r = 0;
out:
	value_unref(out);
	value_unref(path);
	value_unref(elems);
	return r;
}

/* itertools.combinations(iterable, r) and permutations(iterable, r=None),
 * in itertools' order. */
static int fa_comb(struct tpl_call *c, int perm, struct value **vp)
{
	static const char *const cparams[] = {"iterable", "r", NULL};
	struct value *a[2], *pool = NULL, *out = NULL;
	size_t idx[32], n, k, i, j;
	int64_t rr;
	int r;

	if ((r = tpl_bind(c, cparams, perm ? 1 : 2, a)) != 0 || (r = tpl_iter(c, a[0], &pool)) != 0)
		return r;
	n = value_len(pool);
	rr = (int64_t)n;
	if (a[1] != NULL && !fa_is_none(a[1]) && (r = tpl_to_int(c, a[1], &rr)) != 0)
		goto out;
	if (rr < 0) {
		r = tpl_fail(c, ERR_INVAL, "r must be non-negative");
		goto out;
	}
	k = (size_t)rr;
	out = value_list();
	if (k > n)
		goto done;
	if (k > 32) {
		r = tpl_fail(c, ERR_INVAL, "%s: drover takes at most 32 items per tuple", c->name);
		goto out;
	}
	if (perm) {
		/* The odometer below visits n ** k vectors: bound it. */
		uint64_t visits = 1;

		for (i = 0; i < k && visits <= ((uint64_t)1 << 26); i++)
			visits *= n;
		if (visits > ((uint64_t)1 << 26)) {
			r = tpl_fail(c, ERR_TOOBIG, "permutations: too many for drover");
			goto out;
		}
	}
	/* Odometer over k indices: increasing for combinations, distinct for
	 * permutations; lexicographic order is itertools' order. */
	for (i = 0; i < k; i++)
		idx[i] = perm ? 0 : i;
	for (;;) {
		int ok = 1;

		if (perm) {
			for (i = 0; i < k && ok; i++) {
				for (j = 0; j < i; j++)
					if (idx[j] == idx[i])
						ok = 0;
			}
		}
		if (ok) {
			struct value *t = fa_tuple();

			for (i = 0; i < k; i++)
				value_list_push(t, value_ref(value_list_at(pool, idx[i])));
			value_list_push(out, t);
			if ((r = tpl_check_items(c, value_len(out))) != 0 || (r = tpl_charge(c, k + 1)) != 0)
				goto out;
		} else if ((r = tpl_charge(c, 1)) != 0) {
			goto out;
		}
		/* Next index vector. */
		for (i = k; i-- > 0;) {
			size_t lim = perm ? n - 1 : n - k + i;

			if (idx[i] < lim) {
				idx[i]++;
				for (j = i + 1; j < k; j++)
					idx[j] = perm ? 0 : idx[j - 1] + 1;
				break;
			}
		}
		if (i == (size_t)-1)
			break;
	}
done:
	*vp = out;
	out = NULL;
	r = 0;
out:
	value_unref(out);
	value_unref(pool);
	return r;
}

static int f_combinations(struct tpl_call *c, struct value **vp)
{
	return fa_comb(c, 0, vp);
}

static int f_permutations(struct tpl_call *c, struct value **vp)
{
	return fa_comb(c, 1, vp);
}

const struct tpl_fn_def tpl_filters_ansible[] = {
	{"combinations", f_combinations, 0},
	{"combine", f_combine, 0},
	{"dict2items", f_dict2items, 0},
	{"difference", f_difference, 0},
	{"extract", f_extract, 0},
	{"flatten", f_flatten, 0},
	{"intersect", f_intersect, 0},
	{"items2dict", f_items2dict, 0},
	{"mandatory", f_mandatory, TPL_FN_UNDEF_OK},
	{"permutations", f_permutations, 0},
	{"product", f_product, 0},
	{"subelements", f_subelements, 0},
	{"symmetric_difference", f_symmetric_difference, 0},
	{"ternary", f_ternary, 0},
	{"type_debug", f_type_debug, 0},
	{"union", f_union, 0},
	{"zip", f_zip, 0},
	{"zip_longest", f_zip_longest, 0},
	{NULL, NULL, 0},
};
