/* The interface between the engine and filters, tests and global
 * functions (plugin.h): calling them, binding their arguments, and the
 * helpers they use to reach the engine's Python semantics. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"

int call_fn(struct tpl_rt *rt, uint32_t off, const struct tpl_fn_def *fn, const char *name,
            struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
            struct value **vp)
{
	struct tpl_call c = {name, args, nargs, kw, nkw, rt, off};
	int r;

	*vp = NULL;
	if ((r = rt_charge(rt, off, 1)) != 0)
		return r;
	r = fn->fn(&c, vp);
	if (r == 0 && *vp == NULL)
		r = rt_fail(rt, off, ERR_INTERNAL, "%s returned nothing", name);
	if (r != 0) {
		value_unref(*vp);
		*vp = NULL;
		if (rt->err == 0)
			rt_fail(rt, off, r, "%s failed: %s", name, err_str(r));
	}
	return r;
}

int tpl_fail(struct tpl_call *c, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return rt_fail(c->rt, c->off, err, "%s", msg);
}

int tpl_fail_undef(struct tpl_call *c, const struct value *u)
{
	return rt_fail_undef(c->rt, c->off, u);
}

int tpl_charge(struct tpl_call *c, uint64_t n)
{
	return rt_charge(c->rt, c->off, n);
}

void tpl_buf(struct tpl_call *c, struct buf *b)
{
	buf_init(b, c->rt->lim.max_str);
}

int tpl_check_items(struct tpl_call *c, size_t n)
{
	return rt_check_items(c->rt, c->off, n);
}

const struct tpl_scope *tpl_call_scope(struct tpl_call *c)
{
	return c->rt->s;
}

int tpl_bind(struct tpl_call *c, const char *const *params, size_t nreq, struct value **slots)
{
	size_t np = 0, i, j;

	while (params[np] != NULL)
		np++;
	for (i = 0; i < np; i++)
		slots[i] = i < c->nargs ? c->args[i] : NULL;
	if (c->nargs > np)
		return tpl_fail(c, ERR_INVAL, "%s() takes %s %zu positional argument%s but %zu were given", c->name,
		                nreq < np ? "at most" : "exactly", np, np == 1 ? "" : "s", c->nargs);
	for (i = 0; i < c->nkw; i++) {
		for (j = 0; j < np; j++)
			if (strlen(params[j]) == c->kw[i].len && memcmp(params[j], c->kw[i].name, c->kw[i].len) == 0)
				break;
		if (j == np)
			return tpl_fail(c, ERR_INVAL, "%s() got an unexpected keyword argument '%.*s'", c->name,
			                (int)c->kw[i].len, c->kw[i].name);
		if (slots[j] != NULL)
			return tpl_fail(c, ERR_INVAL, "%s() got multiple values for argument '%s'", c->name, params[j]);
		slots[j] = c->kw[i].val;
	}
	for (i = 0; i < nreq; i++)
		if (slots[i] == NULL)
			return tpl_fail(c, ERR_INVAL, "%s() missing required argument '%s'", c->name, params[i]);
	return 0;
}

int tpl_str(struct tpl_call *c, const struct value *v, struct buf *out)
{
	return eval_str(c->rt, c->off, v, out);
}

int tpl_repr(struct tpl_call *c, const struct value *v, struct buf *out)
{
	int r = pyval_repr(c->rt, out, v);

	return r ? rt_fail(c->rt, c->off, r, "repr() failed: %s", err_str(r)) : 0;
}

int tpl_truth(struct tpl_call *c, const struct value *v, int *truthp)
{
	return eval_bool(c->rt, c->off, v, truthp);
}

int tpl_eq(struct tpl_call *c, const struct value *a, const struct value *b, int *eqp)
{
	if (is_undef(a) || is_undef(b))
		return tpl_fail_undef(c, is_undef(a) ? a : b);
	*eqp = pyval_eq(a, b);
	return 0;
}

int tpl_cmp(struct tpl_call *c, const struct value *a, const struct value *b, int *cmpp)
{
	struct pyerr e;
	int r;

	if (is_undef(a) || is_undef(b))
		return tpl_fail_undef(c, is_undef(a) ? a : b);
	if ((r = pyval_cmp(a, b, "<", cmpp, &e)) != 0)
		return tpl_fail(c, r, "%s", e.msg);
	/* Undefined values inside compared lists fail as Jinja's do. */
	return 0;
}

int tpl_to_int(struct tpl_call *c, const struct value *v, int64_t *ip)
{
	if (is_undef(v))
		return tpl_fail_undef(c, v);
	if (!is_special(v)) {
		switch (v->type) {
		case VALUE_INT:
		case VALUE_BOOL:
			*ip = pyval_int(v);
			return 0;
		case VALUE_FLOAT:
			if (!isfinite(v->u.f))
				return tpl_fail(c, ERR_INVAL, "cannot convert float %s to integer",
				                isnan(v->u.f) ? "NaN" : "infinity");
			if (fabs(v->u.f) >= 9223372036854775808.0)
				return tpl_fail(c, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
			*ip = (int64_t)v->u.f;
			return 0;
		case VALUE_STR:
			if (pyval_parse_int(v->u.s.ptr, v->u.s.len, 10, ip) == 0)
				return 0;
			return tpl_fail(c, ERR_INVAL, "invalid literal for int() with base 10: '%.*s'",
			                (int)(v->u.s.len > 100 ? 100 : v->u.s.len), v->u.s.ptr);
		default:
			break;
		}
	}
	return tpl_fail(c, ERR_INVAL, "int() argument must be a string, a bytes-like object or a real number, not '%s'",
	                pyval_type(v));
}

int tpl_to_float(struct tpl_call *c, const struct value *v, double *fp)
{
	if (is_undef(v))
		return tpl_fail_undef(c, v);
	if (pyval_is_number(v)) {
		*fp = pyval_float(v);
		return 0;
	}
	if (is_str(v)) {
		if (pyval_parse_float(v->u.s.ptr, v->u.s.len, fp) == 0)
			return 0;
		return tpl_fail(c, ERR_INVAL, "could not convert string to float: '%.*s'",
		                (int)(v->u.s.len > 100 ? 100 : v->u.s.len), v->u.s.ptr);
	}
	return tpl_fail(c, ERR_INVAL, "float() argument must be a string or a real number, not '%s'", pyval_type(v));
}

int tpl_iter(struct tpl_call *c, const struct value *v, struct value **listp)
{
	return eval_iter(c->rt, c->off, v, listp);
}

int tpl_getattr(struct tpl_call *c, const struct value *obj, const char *name, size_t len, struct value **outp)
{
	return eval_getattr(c->rt, c->off, (struct value *)obj, name, len, outp);
}

int tpl_getitem(struct tpl_call *c, const struct value *obj, const struct value *key, struct value **outp)
{
	return eval_getitem(c->rt, c->off, (struct value *)obj, (struct value *)key, outp);
}

static int call_all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int tpl_attrpath(struct tpl_call *c, const struct value *obj, const char *path, size_t len, struct value **outp)
{
	struct value *cur = value_ref((struct value *)obj), *next, *key;
	size_t i = 0, k;
	int64_t idx;
	int r = 0;

	while (i <= len) {
		for (k = i; k < len && path[k] != '.'; k++)
			;
		if (call_all_digits(path + i, k - i) && pyval_parse_int(path + i, k - i, 10, &idx) == 0)
			key = value_int(idx);
		else
			key = value_strn(path + i, k - i);
		r = eval_getitem(c->rt, c->off, cur, key, &next);
		value_unref(key);
		value_unref(cur);
		if (r != 0)
			return r;
		cur = next;
		i = k + 1;
	}
	*outp = cur;
	return 0;
}

int tpl_filter(struct tpl_call *c, const char *name, struct value *const *args, size_t nargs,
               const struct tpl_kwarg *kw, size_t nkw, struct value **outp)
{
	const struct tpl_fn_def *fn = tpl_registry_filter(name, strlen(name));

	*outp = NULL;
	if (fn == NULL)
		return tpl_fail(c, ERR_PARSE, "Could not load \"%s\": '%s'", name, name);
	return eval_call_fn(c->rt, c->off, fn, name, args, nargs, kw, nkw, outp);
}

int tpl_test(struct tpl_call *c, const char *name, struct value *const *args, size_t nargs,
             const struct tpl_kwarg *kw, size_t nkw, int *resultp)
{
	const struct tpl_fn_def *fn = tpl_registry_test(name, strlen(name));
	struct value *v;
	int r;

	if (fn == NULL)
		return tpl_fail(c, ERR_PARSE, "Could not load \"%s\": '%s'", name, name);
	if ((r = eval_call_fn(c->rt, c->off, fn, name, args, nargs, kw, nkw, &v)) != 0)
		return r;
	r = eval_bool(c->rt, c->off, v, resultp);
	value_unref(v);
	return r;
}

int tpl_call_value(struct tpl_call *c, const struct value *fn, struct value *const *args, size_t nargs,
                   const struct tpl_kwarg *kw, size_t nkw, struct value **outp)
{
	*outp = NULL;
	if (is_undef(fn))
		return tpl_fail_undef(c, fn);
	if (!is_obj(fn))
		return tpl_fail(c, ERR_INVAL, "'%s' object is not callable", pyval_type(fn));
	return obj_call(c->rt, c->off, fn, args, nargs, kw, nkw, NULL, outp);
}

int tpl_lookup_var(struct tpl_call *c, const char *name, size_t len, struct value **outp)
{
	return eval_lookup(c->rt, c->off, name, len, outp);
}

const char *tpl_type_name(const struct value *v)
{
	return pyval_type(v);
}

int tpl_is_object(const struct value *v)
{
	return is_obj(v);
}

int tpl_is_callable(const struct value *v)
{
	switch (obj_kind_of(v)) {
	case OBJ_MACRO: case OBJ_FUNC: case OBJ_METHOD: case OBJ_JOINER: case OBJ_LOOP:
		return 1;
	default:
		return 0;
	}
}

void tpl_mark_unsafe(struct tpl_call *c)
{
	c->rt->unsafe = 1;
}
