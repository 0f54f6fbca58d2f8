/* The expression evaluator: names, literals, attribute and item access,
 * calls, filters, tests and operators, with Jinja's runtime semantics
 * (environment.getattr/getitem, AnsibleUndefined) and Python's. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "data/yaml.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

#define EVAL_MAX_ARGS 256 /* arguments of one call, after * and ** expansion */

static int eval_pyerr(struct tpl_rt *rt, uint32_t off, int r, const struct pyerr *e)
{
	return rt_fail(rt, off, r, "%s", e->msg);
}

/* ---- lookups ---- */

/* Whether v or anything in it is marked unsafe; the walk is bounded so
 * that huge variables cost little. */
static int eval_has_unsafe(const struct value *v, size_t *budget)
{
	size_t i;

	if (*budget == 0)
		return 0;
	(*budget)--;
	if (v->flags & VALUE_F_UNSAFE)
		return 1;
	if (v->type == VALUE_LIST) {
		for (i = 0; i < v->u.l.len; i++)
			if (eval_has_unsafe(v->u.l.items[i], budget))
				return 1;
	} else if (v->type == VALUE_MAP) {
		for (i = 0; i < v->u.m.len; i++)
			if (eval_has_unsafe(v->u.m.ents[i].val, budget))
				return 1;
	}
	return 0;
}

/* Code of a module imported without context sees only its own names and
 * the global functions, as in Jinja. */
static int eval_isolated(const struct frame *f)
{
	while (f != NULL && f->parent != NULL)
		f = f->parent;
	return f != NULL && f->isolated;
}

int eval_lookup(struct tpl_rt *rt, uint32_t off, const char *name, size_t len, struct value **vp)
{
	const struct tpl_fn_def *fn;
	struct binding *b;
	size_t budget = 1000;
	char tmp[256];
	int r;

	*vp = NULL;
	if ((b = rt_frame_find(rt->frame, name, (uint32_t)len)) != NULL) {
		*vp = value_ref(b->v);
		return 0;
	}
	if (eval_isolated(rt->frame))
		goto globals;
	if (rt->s != NULL && rt->s->lookup != NULL) {
		r = rt->s->lookup(rt->s->ctx, name, len, vp, rt->d);
		if (r == 0 && *vp != NULL) {
			if (!rt->unsafe && eval_has_unsafe(*vp, &budget))
				rt->unsafe = 1;
			return 0;
		}
		value_unref(*vp);
		*vp = NULL;
		if (r != 0 && r != ERR_NOTFOUND) {
			if (rt->err == 0 && !diag_has(rt->d))
				rt_fail(rt, off, r, "looking up '%.*s': %s", (int)len, name, err_str(r));
			rt->err = rt->err ? rt->err : r;
			return r;
		}
	}
globals:
	if (len < sizeof(tmp) && (fn = tpl_registry_global(name, len)) != NULL) {
		*vp = obj_func_new(rt, fn);
		return *vp != NULL ? 0 : rt->err;
	}
	*vp = rt_undef_name(name, len);
	return 0;
}

int eval_resolve(struct tpl_rt *rt, uint32_t off, struct value *v, struct value **vp)
{
	int r;

	*vp = NULL;
	if (!(v->flags & TPL_F_PROXY)) {
		*vp = value_ref(v);
		return 0;
	}
	if (rt->s == NULL || rt->s->proxy_value == NULL)
		return rt_fail(rt, off, ERR_INTERNAL, "no way to resolve proxy '%s'", v->u.s.ptr);
	r = rt->s->proxy_value(rt->s->ctx, v, vp, rt->d);
	if (r != 0 || *vp == NULL) {
		value_unref(*vp);
		*vp = NULL;
		if (rt->err == 0 && !diag_has(rt->d))
			rt_fail(rt, off, r ? r : ERR_INTERNAL, "resolving '%s' failed", v->u.s.ptr);
		rt->err = rt->err ? rt->err : (r ? r : ERR_INTERNAL);
		return rt->err;
	}
	return 0;
}

static int eval_proxy_get(struct tpl_rt *rt, uint32_t off, struct value *proxy, const char *key, size_t len,
                          struct value **vp)
{
	int r;

	*vp = NULL;
	if (rt->s == NULL || rt->s->proxy_get == NULL)
		return rt_fail(rt, off, ERR_INTERNAL, "no way to resolve proxy '%s'", proxy->u.s.ptr);
	r = rt->s->proxy_get(rt->s->ctx, proxy, key, len, vp, rt->d);
	if (r == ERR_NOTFOUND || (r == 0 && *vp == NULL)) {
		value_unref(*vp);
		*vp = rt_undef_attr(proxy, key, len);
		return 0;
	}
	if (r != 0) {
		value_unref(*vp);
		*vp = NULL;
		if (rt->err == 0 && !diag_has(rt->d))
			rt_fail(rt, off, r, "looking up '%.*s': %s", (int)len, key, err_str(r));
		rt->err = rt->err ? rt->err : r;
		return r;
	}
	return 0;
}

/* ---- attribute and item access ---- */

int eval_getattr(struct tpl_rt *rt, uint32_t off, struct value *obj, const char *name, size_t len,
                 struct value **vp)
{
	struct value *v;

	*vp = NULL;
	if (is_undef(obj)) {
		*vp = value_ref(obj);
		return 0;
	}
	/* Python internals (__class__, __globals__, _private...) are never
	 * reachable from a template. */
	if (len > 0 && name[0] == '_') {
		*vp = rt_undef_attr(obj, name, len);
		return 0;
	}
	if (obj->flags & TPL_F_PROXY)
		return eval_proxy_get(rt, off, obj, name, len, vp);
	if (obj->flags & TPL_F_OBJ)
		return obj_getattr(rt, off, obj, name, len, vp);
	if ((obj->flags & TPL_F_GROUP) && obj->type == VALUE_LIST && obj->u.l.len == 2) {
		if (len == 7 && memcmp(name, "grouper", 7) == 0) {
			*vp = value_ref(obj->u.l.items[0]);
			return 0;
		}
		if (len == 4 && memcmp(name, "list", 4) == 0) {
			*vp = value_ref(obj->u.l.items[1]);
			return 0;
		}
	}
	if (pyval_is_number(obj) && ((len == 4 && memcmp(name, "real", 4) == 0) ||
	                             (len == 9 && memcmp(name, "numerator", 9) == 0 && obj->type != VALUE_FLOAT))) {
		*vp = obj->type == VALUE_FLOAT ? value_float(obj->u.f) : value_int(pyval_int(obj));
		return 0;
	}
	if (pyval_is_number(obj) && ((len == 4 && memcmp(name, "imag", 4) == 0) ||
	                             (len == 11 && memcmp(name, "denominator", 11) == 0 && obj->type != VALUE_FLOAT))) {
		*vp = obj->type == VALUE_FLOAT ? value_float(0.0) : value_int(name[0] == 'd');
		return 0;
	}
	if (methods_has(obj, name, len)) {
		*vp = obj_method_new(rt, obj, name, len);
		return *vp != NULL ? 0 : rt->err;
	}
	if (obj->type == VALUE_MAP && (v = value_map_getn(obj, name, len)) != NULL) {
		*vp = value_ref(v);
		return 0;
	}
	*vp = rt_undef_attr(obj, name, len);
	return 0;
}

/* Python's index normalisation: returns 0 and the index, or -1 when it is
 * out of range. */
static int eval_index(int64_t i, size_t len, size_t *outp)
{
	if (i < 0)
		i += (int64_t)len;
	if (i < 0 || (uint64_t)i >= len)
		return -1;
	*outp = (size_t)i;
	return 0;
}

static int eval_map_item(struct tpl_rt *rt, uint32_t off, struct value *obj, struct value *key,
                         struct value **vp)
{
	struct value *v;
	struct buf b;
	long i;

	if (is_str(key)) {
		if ((v = value_map_getn(obj, key->u.s.ptr, key->u.s.len)) != NULL) {
			*vp = value_ref(v);
			return 0;
		}
		if (methods_has(obj, key->u.s.ptr, key->u.s.len)) {
			*vp = obj_method_new(rt, obj, key->u.s.ptr, key->u.s.len);
			return *vp ? 0 : rt->err;
		}
	} else if (pyval_is_number(key) || (key->type == VALUE_NULL && !is_special(key))) {
		/* Keys YAML converted from numbers keep the number's text. */
		buf_init(&b, 64);
		if (key->type == VALUE_NULL)
			buf_puts(&b, "null");
		else if (key->type == VALUE_BOOL)
			buf_puts(&b, key->u.b ? "true" : "false");
		else if (key->type == VALUE_INT)
			buf_printf(&b, "%lld", (long long)key->u.i);
		else
			json_put_float(&b, key->u.f);
		i = value_map_find(obj, buf_str(&b), b.len);
		buf_fini(&b);
		if (i >= 0 && (obj->u.m.ents[i].key->flags & YAML_F_NONSTR_KEY)) {
			*vp = value_ref(obj->u.m.ents[i].val);
			return 0;
		}
	}
	(void)off;
	*vp = rt_undef_item(obj, key);
	return 0;
}

int eval_getitem(struct tpl_rt *rt, uint32_t off, struct value *obj, struct value *key, struct value **vp)
{
	size_t idx, a, b;
	uint32_t cp;

	*vp = NULL;
	if (is_undef(obj)) {
		*vp = value_ref(obj);
		return 0;
	}
	if (is_undef(key))
		return rt_fail_undef(rt, off, key);
	if (obj->flags & TPL_F_PROXY) {
		if (is_str(key))
			return eval_proxy_get(rt, off, obj, key->u.s.ptr, key->u.s.len, vp);
		*vp = rt_undef_item(obj, key);
		return 0;
	}
	if (is_str(key) && (obj->flags & TPL_F_OBJ))
		return eval_getattr(rt, off, obj, key->u.s.ptr, key->u.s.len, vp);
	if (obj->type == VALUE_MAP && !is_special(obj))
		return eval_map_item(rt, off, obj, key, vp);
	if ((key->type == VALUE_INT || key->type == VALUE_BOOL) && !is_special(obj)) {
		if (obj->type == VALUE_LIST && eval_index(pyval_int(key), obj->u.l.len, &idx) == 0) {
			*vp = value_ref(obj->u.l.items[idx]);
			return 0;
		}
		if (obj->type == VALUE_STR) {
			size_t n = ustr_is_ascii(obj->u.s.ptr, obj->u.s.len) ? obj->u.s.len
			                                                     : ustr_len(obj->u.s.ptr, obj->u.s.len);

			if (eval_index(pyval_int(key), n, &idx) == 0) {
				a = ustr_offset(obj->u.s.ptr, obj->u.s.len, idx);
				b = a + ustr_decode(obj->u.s.ptr + a, obj->u.s.len - a, &cp);
				*vp = value_strn(obj->u.s.ptr + a, b - a);
				return 0;
			}
		}
	}
	if (is_str(key) && !is_special(obj) && methods_has(obj, key->u.s.ptr, key->u.s.len)) {
		*vp = obj_method_new(rt, obj, key->u.s.ptr, key->u.s.len);
		return *vp ? 0 : rt->err;
	}
	*vp = rt_undef_item(obj, key);
	return 0;
}

/* ---- slices ---- */

static int eval_slice_arg(struct tpl_rt *rt, const struct node *n, int64_t *ip, int *setp)
{
	struct value *v;
	int r;

	*setp = 0;
	if (n == NULL)
		return 0;
	if ((r = eval_expr(rt, n, &v)) != 0)
		return r;
	if (is_undef(v)) {
		r = rt_fail_undef(rt, n->off, v);
	} else if (v->type == VALUE_NULL) {
		r = 0;
	} else if (v->type == VALUE_INT || v->type == VALUE_BOOL) {
		*ip = pyval_int(v);
		*setp = 1;
	} else {
		r = rt_fail(rt, n->off, ERR_INVAL, "slice indices must be integers or None or have an __index__ method");
	}
	value_unref(v);
	return r;
}

/* PySlice_AdjustIndices for one bound. */
static int64_t eval_slice_bound(int64_t i, int set, int64_t len, int64_t step, int is_start)
{
	if (!set) {
		if (is_start)
			return step < 0 ? len - 1 : 0;
		return step < 0 ? -1 : len;
	}
	if (i < 0) {
		i += len;
		if (i < 0)
			i = step < 0 ? -1 : 0;
	} else if (i >= len) {
		i = step < 0 ? len - 1 : len;
	}
	return i;
}

static int eval_slice(struct tpl_rt *rt, const struct node *sl, struct value *obj, struct value **vp)
{
	int64_t start = 0, stop = 0, step = 1, len, i;
	int has_start, has_stop, has_step, r;
	struct value *l;
	struct buf b;
	size_t *offs = NULL, n;
	uint32_t cp;
	char *s;

	if ((r = eval_slice_arg(rt, sl->a, &start, &has_start)) != 0 ||
	    (r = eval_slice_arg(rt, sl->b, &stop, &has_stop)) != 0 ||
	    (r = eval_slice_arg(rt, sl->c, &step, &has_step)) != 0)
		return r;
	if (!has_step)
		step = 1;
	if (step == 0)
		return rt_fail(rt, sl->off, ERR_INVAL, "slice step cannot be zero");
	if (step == INT64_MIN)
		step = -INT64_MAX;
	if (obj->type == VALUE_LIST && !is_special(obj)) {
		len = (int64_t)obj->u.l.len;
		start = eval_slice_bound(start, has_start, len, step, 1);
		stop = eval_slice_bound(stop, has_stop, len, step, 0);
		l = value_list();
		l->flags = obj->flags & VALUE_F_TUPLE;
		for (i = start; step > 0 ? i < stop : i > stop; i += step)
			value_list_push(l, value_ref(obj->u.l.items[i]));
		*vp = l;
		return rt_charge(rt, sl->off, l->u.l.len);
	}
	if (!is_str(obj))
		return rt_fail(rt, sl->off, ERR_INVAL, "'%s' object is not subscriptable", pyval_type(obj));
	/* Character offsets, so that slicing works on code points. */
	n = obj->u.s.len;
	offs = xreallocarray(NULL, n + 1, sizeof(*offs));
	for (len = 0, i = 0; (size_t)i < n; len++) {
		offs[len] = (size_t)i;
		i += (int64_t)ustr_decode(obj->u.s.ptr + i, n - (size_t)i, &cp);
	}
	offs[len] = n;
	start = eval_slice_bound(start, has_start, len, step, 1);
	stop = eval_slice_bound(stop, has_stop, len, step, 0);
	buf_init(&b, 0);
	if (step == 1 && start < stop) {
		buf_put(&b, obj->u.s.ptr + offs[start], offs[stop] - offs[start]);
	} else {
		for (i = start; step > 0 ? i < stop : i > stop; i += step)
			buf_put(&b, obj->u.s.ptr + offs[i], offs[i + 1] - offs[i]);
	}
	free(offs);
	s = buf_take(&b, &n);
	*vp = value_str_take(s, n);
	return rt_charge(rt, sl->off, n / 16);
}

/* ---- iteration, truth, str ---- */

int eval_iter(struct tpl_rt *rt, uint32_t off, const struct value *v, struct value **listp)
{
	struct value *l, *res;
	size_t i, k;
	uint32_t cp;
	int r;

	*listp = NULL;
	if (is_soft_undef(v)) {
		*listp = value_list();
		return 0;
	}
	if (is_undef(v))
		return rt_fail_undef(rt, off, v);
	if (v->flags & TPL_F_PROXY) {
		if ((r = eval_resolve(rt, off, (struct value *)v, &res)) != 0)
			return r;
		r = eval_iter(rt, off, res, listp);
		value_unref(res);
		return r;
	}
	if (v->flags & TPL_F_OBJ)
		return rt_fail(rt, off, ERR_INVAL, "'%s' object is not iterable", pyval_type(v));
	switch (v->type) {
	case VALUE_LIST:
		*listp = value_ref((struct value *)v);
		return 0;
	case VALUE_MAP:
		l = value_list();
		for (i = 0; i < v->u.m.len; i++)
			value_list_push(l, value_ref(v->u.m.ents[i].key));
		*listp = l;
		return rt_charge(rt, off, v->u.m.len);
	case VALUE_STR:
		l = value_list();
		for (i = 0; i < v->u.s.len; i += k) {
			k = ustr_decode(v->u.s.ptr + i, v->u.s.len - i, &cp);
			value_list_push(l, value_strn(v->u.s.ptr + i, k));
		}
		*listp = l;
		return rt_charge(rt, off, v->u.s.len);
	default:
		return rt_fail(rt, off, ERR_INVAL, "'%s' object is not iterable", pyval_type(v));
	}
}

int eval_bool(struct tpl_rt *rt, uint32_t off, const struct value *v, int *bp)
{
	if (is_soft_undef(v)) {
		*bp = 0;
		return 0;
	}
	if (is_undef(v))
		return rt_fail_undef(rt, off, v);
	*bp = pyval_truth(v);
	return 0;
}

int eval_str(struct tpl_rt *rt, uint32_t off, const struct value *v, struct buf *out)
{
	int r;

	if (is_soft_undef(v))
		return 0;
	if (is_undef(v))
		return rt_fail_undef(rt, off, v);
	if ((r = pyval_str(rt, out, v)) != 0)
		return rt_fail(rt, off, r, r == ERR_TOOBIG ? "string too long" : "cannot convert to text");
	return 0;
}

int eval_truth(struct tpl_rt *rt, const struct node *n, int *bp)
{
	struct value *v;
	int r;

	if ((r = eval_expr(rt, n, &v)) != 0)
		return r;
	r = eval_bool(rt, n->off, v, bp);
	value_unref(v);
	return r;
}

/* ---- arguments ---- */

#define ARGS_INLINE 6

/* A call's evaluated arguments; small calls need no allocation. */
struct args {
	struct value **pos;
	size_t npos, cpos;
	struct tpl_kwarg *kw;
	size_t nkw, ckw;
	struct value *keep[2];          /* maps whose keys name **kwargs */
	struct value *pos_inl[ARGS_INLINE];
	struct tpl_kwarg kw_inl[ARGS_INLINE];
};

static void args_init(struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->pos = a->pos_inl;
	a->cpos = ARGS_INLINE;
	a->kw = a->kw_inl;
	a->ckw = ARGS_INLINE;
}

static void args_fini(struct args *a)
{
	size_t i;

	for (i = 0; i < a->npos; i++)
		value_unref(a->pos[i]);
	for (i = 0; i < a->nkw; i++)
		value_unref(a->kw[i].val);
	value_unref(a->keep[0]);
	value_unref(a->keep[1]);
	if (a->pos != a->pos_inl)
		free(a->pos);
	if (a->kw != a->kw_inl)
		free(a->kw);
	args_init(a);
}

static int args_push(struct tpl_rt *rt, uint32_t off, struct args *a, struct value *v)
{
	if (a->npos >= EVAL_MAX_ARGS) {
		value_unref(v);
		return rt_fail(rt, off, ERR_TOOBIG, "too many arguments");
	}
	if (a->npos == a->cpos) {
		struct value **np = xreallocarray(NULL, a->cpos * 2, sizeof(*np));

		memcpy(np, a->pos, a->npos * sizeof(*np));
		if (a->pos != a->pos_inl)
			free(a->pos);
		a->pos = np;
		a->cpos *= 2;
	}
	a->pos[a->npos++] = v;
	return 0;
}

static int args_push_kw(struct tpl_rt *rt, uint32_t off, struct args *a, const char *name, size_t len,
                        struct value *v)
{
	size_t i;

	for (i = 0; i < a->nkw; i++) {
		if (a->kw[i].len == len && memcmp(a->kw[i].name, name, len) == 0) {
			value_unref(v);
			return rt_fail(rt, off, ERR_INVAL, "got multiple values for keyword argument '%.*s'", (int)len,
			               name);
		}
	}
	if (a->nkw >= EVAL_MAX_ARGS) {
		value_unref(v);
		return rt_fail(rt, off, ERR_TOOBIG, "too many arguments");
	}
	if (a->nkw == a->ckw) {
		struct tpl_kwarg *nk = xreallocarray(NULL, a->ckw * 2, sizeof(*nk));

		memcpy(nk, a->kw, a->nkw * sizeof(*nk));
		if (a->kw != a->kw_inl)
			free(a->kw);
		a->kw = nk;
		a->ckw *= 2;
	}
	a->kw[a->nkw].name = name;
	a->kw[a->nkw].len = len;
	a->kw[a->nkw].val = v;
	a->nkw++;
	return 0;
}

/* Evaluates a call's arguments (n->list, n->kw, *n->b, **n->c). */
static int eval_args(struct tpl_rt *rt, const struct node *n, struct args *a)
{
	struct value *v, *l;
	size_t i;
	int r;

	for (i = 0; i < n->n; i++) {
		if ((r = eval_expr(rt, n->list[i], &v)) != 0 || (r = args_push(rt, n->off, a, v)) != 0)
			return r;
	}
	if (n->b != NULL) {
		if ((r = eval_expr(rt, n->b, &v)) != 0)
			return r;
		r = eval_iter(rt, n->b->off, v, &l);
		value_unref(v);
		if (r != 0)
			return r;
		for (i = 0; i < l->u.l.len && r == 0; i++)
			r = args_push(rt, n->off, a, value_ref(l->u.l.items[i]));
		value_unref(l);
		if (r != 0)
			return r;
	}
	for (i = 0; i < n->nkw; i++) {
		if ((r = eval_expr(rt, n->kw[i]->a, &v)) != 0 ||
		    (r = args_push_kw(rt, n->kw[i]->off, a, n->kw[i]->name, n->kw[i]->len, v)) != 0)
			return r;
	}
	if (n->c != NULL) {
		if ((r = eval_expr(rt, n->c, &v)) != 0)
			return r;
		if (v->type != VALUE_MAP || is_special(v)) {
			r = is_undef(v) ? rt_fail_undef(rt, n->c->off, v)
			                : rt_fail(rt, n->c->off, ERR_INVAL, "argument after ** must be a mapping, not %s",
			                          pyval_type(v));
			value_unref(v);
			return r;
		}
		/* The keyword names point into v's keys: keep v until the call ends. */
		a->keep[0] = v;
		for (i = 0; i < v->u.m.len && r == 0; i++)
			r = args_push_kw(rt, n->c->off, a, v->u.m.ents[i].key->u.s.ptr, v->u.m.ents[i].key->u.s.len,
			                 value_ref(v->u.m.ents[i].val));
		if (r != 0)
			return r;
	}
	return 0;
}

/* ---- calls, filters, tests ---- */

int eval_call_fn(struct tpl_rt *rt, uint32_t off, const struct tpl_fn_def *fn, const char *name,
                 struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
                 struct value **vp)
{
	size_t i;
	int r;

	*vp = NULL;
	if (!(fn->flags & TPL_FN_UNDEF_OK)) {
		for (i = 0; i < nargs; i++)
			if (is_undef(args[i]))
				return rt_fail_undef(rt, off, args[i]);
		for (i = 0; i < nkw; i++)
			if (is_undef(kw[i].val))
				return rt_fail_undef(rt, off, kw[i].val);
	}
	if ((r = call_fn(rt, off, fn, name, args, nargs, kw, nkw, vp)) != 0)
		return r;
	if ((r = rt_check_depth(rt, off, *vp)) != 0) {
		value_unref(*vp);
		*vp = NULL;
	}
	return r;
}

/* A filter or test node; in is the input for a filter block's chain. */
static int eval_filter_test(struct tpl_rt *rt, const struct node *n, struct value *in, struct value **vp)
{
	struct args args, *a = &args;
	struct value *input = NULL, *res = NULL;
	int r, truth = 0;

	args_init(a);
	*vp = NULL;
	if (n->a != NULL)
		r = n->a->kind == N_FILTER && n->kind == N_FILTER ? eval_filter_test(rt, n->a, in, &input)
		                                                  : eval_expr(rt, n->a, &input);
	else
		r = (input = value_ref(in)) != NULL ? 0 : rt_fail(rt, n->off, ERR_INTERNAL, "no input");
	if (r != 0)
		goto out;
	args_push(rt, n->off, a, input);
	input = NULL;
	if ((r = eval_args(rt, n, a)) != 0)
		goto out;
	if (n->fn == NULL) {
		r = rt_fail(rt, n->off, ERR_PARSE, "No %s named '%s' found.", n->kind == N_FILTER ? "filter" : "test",
		            n->name);
		goto out;
	}
	if ((r = eval_call_fn(rt, n->off, n->fn, n->name, a->pos, a->npos, a->kw, a->nkw, &res)) != 0)
		goto out;
	if (n->kind == N_TEST) {
		if ((r = eval_bool(rt, n->off, res, &truth)) != 0)
			goto out;
		value_unref(res);
		res = value_bool(truth);
	}
	*vp = res;
	res = NULL;
out:
	value_unref(input);
	value_unref(res);
	args_fini(a);
	return r;
}

int eval_filter_chain(struct tpl_rt *rt, const struct node *n, struct value *in, struct value **vp)
{
	return eval_filter_test(rt, n, in, vp);
}

/* Writes v back to the variable or namespace attribute that node names,
 * after a method changed (a copy of) it. */
static int eval_store_back(struct tpl_rt *rt, const struct node *node, struct value *v)
{
	struct binding *b;
	struct value *parent;
	struct obj *o;
	int r;

	if (node->kind == N_NAME) {
		if ((b = rt_frame_find(rt->frame, node->name, node->len)) != NULL) {
			value_unref(b->v);
			b->v = value_ref(v);
		} else {
			rt_frame_set(rt->top, node->name, node->len, value_ref(v));
		}
		return 0;
	}
	if (node->kind != N_GETATTR)
		return 0;
	if ((r = eval_raw(rt, node->a, &parent)) != 0)
		return r;
	if ((o = obj_get(rt, parent)) != NULL && o->kind == OBJ_NAMESPACE) {
		value_mut(&o->data);
		value_map_set_key(o->data, value_strn(node->name, node->len), value_ref(v));
	} else if (parent->type == VALUE_MAP && !is_special(parent) &&
	           value_map_getn(parent, node->name, node->len) != NULL) {
		value_mut(&parent);
		value_map_set_key(parent, value_strn(node->name, node->len), value_ref(v));
		if ((r = rt_check_depth(rt, node->off, parent)) == 0)
			r = eval_store_back(rt, node->a, parent);
	}
	value_unref(parent);
	return r;
}

/* A method that changes its receiver: works on a private copy and stores it
 * back, so that {% set _ = xs.append(1) %} is seen by later reads of xs. */
static int eval_mutating_call(struct tpl_rt *rt, const struct node *call, const struct node *recv_node,
                              struct value *recv, struct args *a, struct value **vp)
{
	const struct node *attr = call->a;
	struct binding *b = NULL;
	int r;

	/* A variable of this template that nobody else holds is changed in
	 * place, so that appending in a loop stays linear. */
	if (recv_node->kind == N_NAME && (b = rt_frame_find(rt->frame, recv_node->name, recv_node->len)) != NULL &&
	    b->v == recv) {
		value_unref(recv);
		recv = b->v;
		b->v = value_null();
	}
	value_mut(&recv);
	r = methods_call(rt, call->off, recv, attr->name, attr->len, a->pos, a->npos, a->kw, a->nkw, vp);
	if (b != NULL) {
		value_unref(b->v);
		b->v = recv;
		return r;
	}
	if (r == 0)
		r = eval_store_back(rt, recv_node, recv);
	value_unref(recv);
	return r;
}

static int eval_call_value(struct tpl_rt *rt, uint32_t off, struct value *fn, struct args *a,
                           struct value **vp)
{
	if (is_undef(fn))
		return rt_fail_undef(rt, off, fn);
	if (!(fn->flags & TPL_F_OBJ))
		return rt_fail(rt, off, ERR_INVAL, "'%s' object is not callable", pyval_type(fn));
	return obj_call(rt, off, fn, a->pos, a->npos, a->kw, a->nkw, NULL, vp);
}

/* x.name(args): Python methods, object methods, or a callable attribute. */
static int eval_method_call(struct tpl_rt *rt, const struct node *n, struct args *a, struct value **vp)
{
	const struct node *attr = n->a;
	struct value *recv = NULL, *res = NULL, *fn = NULL;
	int r;

	if ((r = eval_raw(rt, attr->a, &recv)) != 0)
		return r;
	if (is_undef(recv)) {
		r = rt_fail_undef(rt, n->off, recv);
		goto out;
	}
	if ((recv->flags & TPL_F_PROXY) && methods_has(NULL, attr->name, attr->len)) {
		if ((r = eval_resolve(rt, attr->off, recv, &res)) != 0)
			goto out;
		value_unref(recv);
		recv = res;
		res = NULL;
	}
	if ((r = eval_args(rt, n, a)) != 0)
		goto out;
	if (recv->flags & TPL_F_OBJ) {
		r = obj_method(rt, n->off, recv, attr->name, attr->len, a->pos, a->npos, a->kw, a->nkw, vp);
		if (r != ERR_NOTFOUND)
			goto out;
	} else if (!is_special(recv) && attr->name[0] != '_' && methods_has(recv, attr->name, attr->len)) {
		if (methods_mutates(attr->name, attr->len) && (recv->type == VALUE_LIST || recv->type == VALUE_MAP)) {
			r = eval_mutating_call(rt, n, attr->a, recv, a, vp);
			recv = NULL;
			goto out;
		}
		r = methods_call(rt, n->off, recv, attr->name, attr->len, a->pos, a->npos, a->kw, a->nkw, vp);
		goto out;
	}
	if ((r = eval_getattr(rt, attr->off, recv, attr->name, attr->len, &fn)) != 0)
		goto out;
	r = eval_call_value(rt, n->off, fn, a, vp);
out:
	value_unref(recv);
	value_unref(fn);
	return r;
}

static int eval_call(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct args args, *a = &args;
	struct value *fn = NULL;
	int r;

	args_init(a);
	if (n->a->kind == N_GETATTR) {
		r = eval_method_call(rt, n, a, vp);
	} else if ((r = eval_expr(rt, n->a, &fn)) == 0 && (r = eval_args(rt, n, a)) == 0) {
		r = eval_call_value(rt, n->off, fn, a, vp);
	}
	value_unref(fn);
	args_fini(a);
	return r;
}

int eval_call_caller(struct tpl_rt *rt, const struct node *call, struct value *caller, struct value **vp)
{
	struct args args, *a = &args;
	struct value *fn = NULL;
	int r;

	args_init(a);
	if ((r = eval_expr(rt, call->a, &fn)) == 0 && (r = eval_args(rt, call, a)) == 0) {
		if (obj_kind_of(fn) == OBJ_MACRO)
			r = obj_call(rt, call->off, fn, a->pos, a->npos, a->kw, a->nkw, caller, vp);
		else if ((r = args_push_kw(rt, call->off, a, "caller", 6, value_ref(caller))) == 0)
			r = eval_call_value(rt, call->off, fn, a, vp);
	}
	value_unref(fn);
	args_fini(a);
	return r;
}

/* ---- operators ---- */

static int eval_binop(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *a = NULL, *b = NULL;
	struct pyerr e;
	int r;

	if ((r = eval_expr(rt, n->a, &a)) != 0 || (r = eval_expr(rt, n->b, &b)) != 0)
		goto out;
	if (is_undef(a) || is_undef(b)) {
		r = rt_fail_undef(rt, n->off, is_undef(a) ? a : b);
		goto out;
	}
	if ((r = pyval_binop(n->op, a, b, &rt->lim, vp, &e)) != 0) {
		r = eval_pyerr(rt, n->off, r, &e);
		goto out;
	}
	if ((*vp)->type == VALUE_STR)
		r = rt_charge(rt, n->off, (*vp)->u.s.len / 16);
	else if ((*vp)->type == VALUE_LIST && (r = rt_charge(rt, n->off, (*vp)->u.l.len)) == 0)
		r = rt_check_depth(rt, n->off, *vp);
out:
	value_unref(a);
	value_unref(b);
	return r;
}

static int eval_unary(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *a;
	struct pyerr e;
	int r, truth = 0;

	if ((r = eval_expr(rt, n->a, &a)) != 0)
		return r;
	if (n->op == OP_NOT) {
		if ((r = eval_bool(rt, n->off, a, &truth)) == 0)
			*vp = value_bool(!truth);
	} else if (is_undef(a)) {
		r = rt_fail_undef(rt, n->off, a);
	} else if ((r = pyval_unary(n->op, a, vp, &e)) != 0) {
		r = eval_pyerr(rt, n->off, r, &e);
	}
	value_unref(a);
	return r;
}

static int eval_andor(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *a;
	int r, truth = 0;

	if ((r = eval_expr(rt, n->a, &a)) != 0)
		return r;
	if ((r = eval_bool(rt, n->off, a, &truth)) != 0) {
		value_unref(a);
		return r;
	}
	if ((n->kind == N_AND) != truth) {
		*vp = a;
		return 0;
	}
	value_unref(a);
	return eval_expr(rt, n->b, vp);
}

static int eval_concat(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *v;
	struct buf b;
	uint32_t i;
	char *s;
	size_t len;
	int r = 0;

	buf_init(&b, rt->lim.max_str);
	for (i = 0; i < n->n && r == 0; i++) {
		if ((r = eval_expr(rt, n->list[i], &v)) != 0)
			break;
		r = eval_str(rt, n->list[i]->off, v, &b);
		value_unref(v);
	}
	if (r == 0)
		r = rt_charge(rt, n->off, b.len / 16);
	if (r != 0) {
		buf_fini(&b);
		return r;
	}
	s = buf_take(&b, &len);
	*vp = value_str_take(s, len);
	return 0;
}

static int eval_compare_one(struct tpl_rt *rt, uint32_t off, int op, struct value *a, struct value *b, int *resp)
{
	static const char *const names[] = {[OP_LT] = "<", [OP_LTEQ] = "<=", [OP_GT] = ">", [OP_GTEQ] = ">="};
	struct pyerr e;
	int r, c;

	if ((op == OP_EQ || op == OP_NE) && (is_soft_undef(a) || is_soft_undef(b))) {
		*resp = (is_soft_undef(a) && is_soft_undef(b)) == (op == OP_EQ);
		return 0;
	}
	if (is_undef(a) || is_undef(b))
		return rt_fail_undef(rt, off, is_undef(a) ? a : b);
	switch (op) {
	case OP_EQ: *resp = pyval_eq(a, b); return 0;
	case OP_NE: *resp = !pyval_eq(a, b); return 0;
	case OP_IN:
	case OP_NOTIN:
		if ((r = pyval_contains(b, a, resp, &e)) != 0)
			return eval_pyerr(rt, off, r, &e);
		if (op == OP_NOTIN)
			*resp = !*resp;
		return rt_charge(rt, off, value_len(b) / 16);
	default:
		if ((r = pyval_cmp(a, b, names[op], &c, &e)) != 0)
			return eval_pyerr(rt, off, r, &e);
		/* NaN compares false both ways: pyval_cmp gives 0 then. */
		if (c == 0 && ((a->type == VALUE_FLOAT && a->u.f != a->u.f) ||
		               (b->type == VALUE_FLOAT && b->u.f != b->u.f))) {
			*resp = 0;
			return 0;
		}
		*resp = op == OP_LT ? c < 0 : op == OP_LTEQ ? c <= 0 : op == OP_GT ? c > 0 : c >= 0;
		return 0;
	}
}

static int eval_compare(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *left, *right;
	uint32_t i;
	int r, res = 1;

	if ((r = eval_expr(rt, n->a, &left)) != 0)
		return r;
	for (i = 0; i < n->n && res; i++) {
		if ((r = eval_expr(rt, n->list[i]->a, &right)) != 0)
			break;
		r = eval_compare_one(rt, n->off, n->list[i]->op, left, right, &res);
		value_unref(left);
		left = right;
		if (r != 0)
			break;
	}
	value_unref(left);
	if (r == 0)
		*vp = value_bool(res);
	return r;
}

static int eval_condexpr(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	int r, truth = 0, line, col;
	char hint[160];

	if ((r = eval_truth(rt, n->a, &truth)) != 0)
		return r;
	if (truth)
		return eval_expr(rt, n->b, vp);
	if (n->c != NULL)
		return eval_expr(rt, n->c, vp);
	tpl_pos(rt->t, n->off, &line, &col);
	snprintf(hint, sizeof(hint),
	         "the inline if-expression on line %d evaluated to false and no else section was defined.", line);
	*vp = rt_undef_hint(hint);
	(*vp)->flags |= TPL_F_SOFT;
	return 0;
}

/* ---- literals ---- */

static int eval_list(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *l = value_list(), *v;
	uint32_t i;
	int r;

	for (i = 0; i < n->n; i++) {
		if ((r = eval_expr(rt, n->list[i], &v)) != 0) {
			value_unref(l);
			return r;
		}
		value_list_push(l, v);
	}
	if (n->kind == N_TUPLE)
		l->flags |= VALUE_F_TUPLE;
	if ((r = rt_check_depth(rt, n->off, l)) != 0) {
		value_unref(l);
		return r;
	}
	*vp = l;
	return 0;
}

/* A dict key: strings as they are; numbers, booleans and None as the text
 * YAML gives such keys, marked so that repr() prints them as Python. */
static int eval_dict_key(struct tpl_rt *rt, uint32_t off, struct value *k, struct value **keyp)
{
	struct buf b;
	char *s;
	size_t len;

	*keyp = NULL;
	if (is_undef(k))
		return rt_fail_undef(rt, off, k);
	if (is_str(k)) {
		*keyp = value_ref(k);
		if (k->flags & YAML_F_NONSTR_KEY) {
			value_unref(*keyp);
			*keyp = value_strn(k->u.s.ptr, k->u.s.len);
		}
		return 0;
	}
	if (!pyval_hashable(k) || k->type == VALUE_LIST || is_special(k))
		return rt_fail(rt, off, ERR_INVAL, "unhashable type: '%s'", pyval_type(k));
	buf_init(&b, 64);
	if (k->type == VALUE_NULL)
		buf_puts(&b, "null");
	else if (k->type == VALUE_BOOL)
		buf_puts(&b, k->u.b ? "true" : "false");
	else if (k->type == VALUE_INT)
		buf_printf(&b, "%lld", (long long)k->u.i);
	else
		json_put_float(&b, k->u.f);
	s = buf_take(&b, &len);
	*keyp = value_str_take(s, len);
	(*keyp)->flags |= YAML_F_NONSTR_KEY;
	return 0;
}

static int eval_dict(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *m = value_map(), *k, *key, *v;
	uint32_t i;
	int r = 0;

	for (i = 0; i + 1 < n->n && r == 0; i += 2) {
		if ((r = eval_expr(rt, n->list[i], &k)) != 0)
			break;
		r = eval_dict_key(rt, n->list[i]->off, k, &key);
		value_unref(k);
		if (r != 0)
			break;
		if ((r = eval_expr(rt, n->list[i + 1], &v)) != 0) {
			value_unref(key);
			break;
		}
		value_map_set_key(m, key, v);
	}
	if (r == 0)
		r = rt_check_depth(rt, n->off, m);
	if (r != 0) {
		value_unref(m);
		return r;
	}
	*vp = m;
	return 0;
}

/* ---- the dispatcher ---- */

/* obj[...]: an item, or a slice (of a resolved proxy). */
static int eval_subscript(struct tpl_rt *rt, const struct node *n, struct value *obj, struct value **vp)
{
	struct value *key, *res;
	int r;

	if (n->b->kind != N_SLICE) {
		if ((r = eval_expr(rt, n->b, &key)) != 0)
			return r;
		r = eval_getitem(rt, n->off, obj, key, vp);
		value_unref(key);
		return r;
	}
	if (is_undef(obj)) {
		*vp = value_ref(obj);
		return 0;
	}
	if (!(obj->flags & TPL_F_PROXY))
		return eval_slice(rt, n->b, obj, vp);
	if ((r = eval_resolve(rt, n->off, obj, &res)) != 0)
		return r;
	r = eval_slice(rt, n->b, res, vp);
	value_unref(res);
	return r;
}

#define EVAL_MAX_NEST 1500

int eval_raw(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *obj = NULL;
	int r;

	*vp = NULL;
	if (rt->err != 0)
		return rt->err;
	if (++rt->work > rt->lim.max_work)
		return rt_charge(rt, n->off, 0);
	if (++rt->edepth > EVAL_MAX_NEST) {
		rt->edepth--;
		return rt_fail(rt, n->off, ERR_DEPTH, "template nested too deeply");
	}
	switch (n->kind) {
	case N_CONST:
		*vp = value_ref(n->v);
		r = 0;
		break;
	case N_NAME:
		r = eval_lookup(rt, n->off, n->name, n->len, vp);
		break;
	case N_LIST:
	case N_TUPLE:
		r = eval_list(rt, n, vp);
		break;
	case N_DICT:
		r = eval_dict(rt, n, vp);
		break;
	case N_GETATTR:
		if ((r = eval_raw(rt, n->a, &obj)) == 0)
			r = eval_getattr(rt, n->off, obj, n->name, n->len, vp);
		break;
	case N_GETITEM:
		if ((r = eval_raw(rt, n->a, &obj)) == 0)
			r = eval_subscript(rt, n, obj, vp);
		break;
	case N_CALL:
		r = eval_call(rt, n, vp);
		break;
	case N_FILTER:
	case N_TEST:
		r = eval_filter_test(rt, n, NULL, vp);
		break;
	case N_UNARY:
		r = eval_unary(rt, n, vp);
		break;
	case N_BINOP:
		r = eval_binop(rt, n, vp);
		break;
	case N_AND:
	case N_OR:
		r = eval_andor(rt, n, vp);
		break;
	case N_CONCAT:
		r = eval_concat(rt, n, vp);
		break;
	case N_COMPARE:
		r = eval_compare(rt, n, vp);
		break;
	case N_CONDEXPR:
		r = eval_condexpr(rt, n, vp);
		break;
	default:
		r = rt_fail(rt, n->off, ERR_INTERNAL, "cannot evaluate node kind %d", n->kind);
		break;
	}
	rt->edepth--;
	value_unref(obj);
	if (r != 0) {
		value_unref(*vp);
		*vp = NULL;
		if (rt->err == 0)
			rt->err = r;
	}
	return r;
}

int eval_expr(struct tpl_rt *rt, const struct node *n, struct value **vp)
{
	struct value *v;
	int r;

	if ((r = eval_raw(rt, n, &v)) != 0)
		return r;
	if (!(v->flags & TPL_F_PROXY)) {
		*vp = v;
		return 0;
	}
	r = eval_resolve(rt, n->off, v, vp);
	value_unref(v);
	return r;
}
