/* The engine's own objects: macros and callers, loop variables,
 * namespaces, cyclers, joiners, bound methods and global functions. They
 * live in a per-render table; template values refer to them by index, so a
 * reference that outlives its render or its loop is detected, not
 * followed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/eval.h"
#include "template/pyval.h"

struct value *obj_new(struct tpl_rt *rt, struct obj *o, const char *repr)
{
	struct value *v;
	struct obj *copy;

	if (rt->nobjs >= rt->lim.max_objects) {
		rt_fail(rt, 0, ERR_TOOBIG, "too many template objects (over %llu)",
		        (unsigned long long)rt->lim.max_objects);
		value_unref(o->data);
		value_unref(o->self);
		if (o->kind == OBJ_METHOD)
			free((char *)o->name);
		return NULL;
	}
	if (rt->nobjs == rt->cobjs) {
		rt->cobjs = rt->cobjs ? rt->cobjs * 2 : 16;
		rt->objs = xreallocarray(rt->objs, rt->cobjs, sizeof(*rt->objs));
	}
	copy = xmalloc(sizeof(*copy));
	*copy = *o;
	rt->objs[rt->nobjs] = copy;
	v = value_str(repr);
	v->flags |= TPL_F_OBJ | ((uint32_t)o->kind << TPL_F_KIND_SHIFT);
	v->pos.line = (uint32_t)rt->nobjs;
	v->pos.col = rt->id;
	rt->nobjs++;
	return v;
}

struct obj *obj_get(struct tpl_rt *rt, const struct value *v)
{
	if (v == NULL || !(v->flags & TPL_F_OBJ) || rt == NULL || v->pos.col != rt->id || v->pos.line >= rt->nobjs)
		return NULL;
	return rt->objs[v->pos.line];
}

enum obj_kind obj_kind_of(const struct value *v)
{
	if (v == NULL || !(v->flags & TPL_F_OBJ))
		return OBJ_NONE;
	return (enum obj_kind)((v->flags >> TPL_F_KIND_SHIFT) & 0xf);
}

static size_t obj_loop_len(const struct loop *l)
{
	return l->items->u.l.len;
}

int obj_repr(struct tpl_rt *rt, const struct value *v, struct buf *out)
{
	struct obj *o = obj_get(rt, v);
	int r;

	if (o != NULL && o->kind == OBJ_NAMESPACE) {
		/* A namespace holding itself prints as Python's recursive dict. */
		if (o->in_repr)
			return buf_puts(out, "<Namespace {...}>");
		if ((r = buf_puts(out, "<Namespace ")) != 0)
			return r;
		o->in_repr = 1;
		r = pyval_repr(rt, out, o->data);
		o->in_repr = 0;
		return r ? r : buf_putc(out, '>');
	}
	if (o != NULL && o->kind == OBJ_LOOP && o->loop != NULL)
		return buf_printf(out, "<LoopContext %zu/%zu>", o->loop->index0 + 1, obj_loop_len(o->loop));
	return buf_put(out, v->u.s.ptr, v->u.s.len);
}

struct value *obj_func_new(struct tpl_rt *rt, const struct tpl_fn_def *fn)
{
	struct obj o = {.kind = OBJ_FUNC, .fn = fn};
	char repr[160];

	if (strcmp(fn->name, "range") == 0 || strcmp(fn->name, "dict") == 0)
		snprintf(repr, sizeof(repr), "<class '%s'>", fn->name);
	else
		snprintf(repr, sizeof(repr), "<function %s>", fn->name);
	return obj_new(rt, &o, repr);
}

struct value *obj_method_new(struct tpl_rt *rt, const struct value *self, const char *name, size_t len)
{
	struct obj o = {.kind = OBJ_METHOD};
	char repr[200];

	o.self = value_ref((struct value *)self);
	o.name = xstrndup(name, len);
	o.len = len;
	snprintf(repr, sizeof(repr), "<built-in method %.*s of %s object>", (int)(len > 64 ? 64 : len), name,
	         pyval_type(self));
	return obj_new(rt, &o, repr);
}

struct value *obj_loop_new(struct tpl_rt *rt, struct loop *l)
{
	struct obj o = {.kind = OBJ_LOOP, .loop = l};

	return obj_new(rt, &o, "<LoopContext>");
}

void obj_loop_end(struct tpl_rt *rt, struct value *v)
{
	struct obj *o = obj_get(rt, v);

	if (o != NULL)
		o->loop = NULL;
}

static int obj_loop_attr(struct tpl_rt *rt, struct obj *o, const struct value *self, const char *name,
                         size_t len, struct value **vp)
{
	struct loop *l = o->loop;
	size_t n, i;

#define IS(s) (len == sizeof(s) - 1 && memcmp(name, s, len) == 0)
	if (l == NULL) {
		*vp = rt_undef_hint("the loop has ended");
		return 0;
	}
	n = obj_loop_len(l);
	i = l->index0;
	if (IS("index"))
		*vp = value_int((int64_t)i + 1);
	else if (IS("index0"))
		*vp = value_int((int64_t)i);
	else if (IS("revindex"))
		*vp = value_int((int64_t)(n - i));
	else if (IS("revindex0"))
		*vp = value_int((int64_t)(n - i - 1));
	else if (IS("first"))
		*vp = value_bool(i == 0);
	else if (IS("last"))
		*vp = value_bool(i + 1 >= n);
	else if (IS("length"))
		*vp = value_int((int64_t)n);
	else if (IS("depth"))
		*vp = value_int((int64_t)l->depth0 + 1);
	else if (IS("depth0"))
		*vp = value_int((int64_t)l->depth0);
	else if (IS("previtem"))
		*vp = i == 0 ? rt_undef_hint("there is no previous item") : value_ref(l->items->u.l.items[i - 1]);
	else if (IS("nextitem"))
		*vp = i + 1 >= n ? rt_undef_hint("there is no next item") : value_ref(l->items->u.l.items[i + 1]);
	else if (IS("cycle") || IS("changed"))
		*vp = obj_method_new(rt, self, name, len);
	else
		*vp = rt_undef_attr(self, name, len);
#undef IS
	return *vp != NULL ? 0 : rt->err;
}

static int obj_macro_attr(struct obj *o, const struct value *self, const char *name, size_t len,
                          struct value **vp)
{
	struct value *l;
	uint32_t i;

	if (len == 4 && memcmp(name, "name", 4) == 0) {
		*vp = value_strn(o->name, o->len);
	} else if (len == 9 && memcmp(name, "arguments", 9) == 0) {
		l = value_list();
		l->flags |= VALUE_F_TUPLE;
		for (i = 0; i < o->node->n; i++)
			value_list_push(l, value_strn(o->node->list[i]->name, o->node->list[i]->len));
		*vp = l;
	} else if (len == 6 && memcmp(name, "caller", 6) == 0) {
		*vp = value_bool((o->node->flags & NF_USES_CALLER) != 0);
	} else if (len == 12 && memcmp(name, "catch_kwargs", 12) == 0) {
		*vp = value_bool((o->node->flags & NF_USES_KWARGS) != 0);
	} else if (len == 13 && memcmp(name, "catch_varargs", 13) == 0) {
		*vp = value_bool((o->node->flags & NF_USES_VARARGS) != 0);
	} else {
		*vp = rt_undef_attr(self, name, len);
	}
	return 0;
}

int obj_getattr(struct tpl_rt *rt, uint32_t off, const struct value *v, const char *name, size_t len,
                struct value **vp)
{
	struct obj *o = obj_get(rt, v);
	struct value *a;

	*vp = NULL;
	if (o == NULL)
		return rt_fail(rt, off, ERR_INVAL, "object used outside the render that made it");
	switch (o->kind) {
	case OBJ_LOOP:
		return obj_loop_attr(rt, o, v, name, len, vp);
	case OBJ_NAMESPACE:
		a = value_map_getn(o->data, name, len);
		*vp = a != NULL ? value_ref(a) : rt_undef_attr(v, name, len);
		return 0;
	case OBJ_MACRO:
		return obj_macro_attr(o, v, name, len, vp);
	case OBJ_CYCLER:
		if (len == 7 && memcmp(name, "current", 7) == 0) {
			*vp = o->data->u.l.len ? value_ref(o->data->u.l.items[o->pos]) : value_null();
			return 0;
		}
		if ((len == 4 && memcmp(name, "next", 4) == 0) || (len == 5 && memcmp(name, "reset", 5) == 0)) {
			*vp = obj_method_new(rt, v, name, len);
			return *vp ? 0 : rt->err;
		}
		break;
	default:
		break;
	}
	*vp = rt_undef_attr(v, name, len);
	return 0;
}

static int obj_loop_method(struct tpl_rt *rt, uint32_t off, struct obj *o, const char *name, size_t len,
                           struct value *const *args, size_t nargs, struct value **vp)
{
	struct loop *l = o->loop;
	struct value *t;
	size_t i;

	if (l == NULL)
		return rt_fail(rt, off, ERR_INVAL, "the loop has ended");
	if (len == 5 && memcmp(name, "cycle", 5) == 0) {
		if (nargs == 0)
			return rt_fail(rt, off, ERR_INVAL, "no items for cycling given");
		*vp = value_ref(args[l->index0 % nargs]);
		return 0;
	}
	if (len == 7 && memcmp(name, "changed", 7) == 0) {
		t = value_list();
		t->flags |= VALUE_F_TUPLE;
		for (i = 0; i < nargs; i++)
			value_list_push(t, value_ref(args[i]));
		if (l->last_changed != NULL && pyval_eq(l->last_changed, t)) {
			value_unref(t);
			*vp = value_bool(0);
			return 0;
		}
		value_unref(l->last_changed);
		l->last_changed = t;
		*vp = value_bool(1);
		return 0;
	}
	return ERR_NOTFOUND;
}

int obj_method(struct tpl_rt *rt, uint32_t off, const struct value *self, const char *name, size_t len,
               struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
               struct value **vp)
{
	struct obj *o = obj_get(rt, self);

	(void)kw;
	(void)nkw;
	*vp = NULL;
	if (o == NULL)
		return rt_fail(rt, off, ERR_INVAL, "object used outside the render that made it");
	if (o->kind == OBJ_LOOP)
		return obj_loop_method(rt, off, o, name, len, args, nargs, vp);
	if (o->kind == OBJ_CYCLER && len == 4 && memcmp(name, "next", 4) == 0) {
		if (o->data->u.l.len == 0)
			return rt_fail(rt, off, ERR_INVAL, "integer modulo by zero");
		*vp = value_ref(o->data->u.l.items[o->pos]);
		o->pos = (o->pos + 1) % o->data->u.l.len;
		return 0;
	}
	if (o->kind == OBJ_CYCLER && len == 5 && memcmp(name, "reset", 5) == 0) {
		o->pos = 0;
		*vp = value_null();
		return 0;
	}
	return ERR_NOTFOUND;
}

static int obj_call_method(struct tpl_rt *rt, uint32_t off, struct obj *o, struct value *const *args,
                           size_t nargs, const struct tpl_kwarg *kw, size_t nkw, struct value **vp)
{
	struct value *self;
	int r;

	if (o->self->flags & TPL_F_OBJ) {
		r = obj_method(rt, off, o->self, o->name, o->len, args, nargs, kw, nkw, vp);
		if (r == ERR_NOTFOUND)
			r = rt_fail(rt, off, ERR_INVAL, "'%s' object has no attribute '%s'", pyval_type(o->self), o->name);
		return r;
	}
	/* A bound method changes a private copy: Python would change the
	 * original, which drover values never share that way. */
	self = value_ref(o->self);
	if (methods_mutates(o->name, o->len))
		value_mut(&self);
	r = methods_call(rt, off, self, o->name, o->len, args, nargs, kw, nkw, vp);
	value_unref(self);
	if (r == ERR_NOTFOUND)
		r = rt_fail(rt, off, ERR_INVAL, "'%s' object has no attribute '%s'", pyval_type(o->self), o->name);
	return r;
}

int obj_call(struct tpl_rt *rt, uint32_t off, const struct value *fn, struct value *const *args, size_t nargs,
             const struct tpl_kwarg *kw, size_t nkw, struct value *caller, struct value **vp)
{
	struct obj *o = obj_get(rt, fn);

	*vp = NULL;
	if (o == NULL)
		return rt_fail(rt, off, ERR_INVAL, "object used outside the render that made it");
	switch (o->kind) {
	case OBJ_MACRO:
		return exec_macro(rt, off, o, args, nargs, kw, nkw, caller, vp);
	case OBJ_FUNC:
		return eval_call_fn(rt, off, o->fn, o->fn->name, args, nargs, kw, nkw, vp);
	case OBJ_METHOD:
		return obj_call_method(rt, off, o, args, nargs, kw, nkw, vp);
	case OBJ_LOOP:
		if (o->loop == NULL || !(o->loop->node->flags & NF_RECURSIVE))
			return rt_fail(rt, off, ERR_INVAL,
			               "The loop must have the 'recursive' marker to be called recursively.");
		if (nargs != 1)
			return rt_fail(rt, off, ERR_INVAL, "loop() takes exactly one argument");
		return exec_loop_recurse(rt, off, o->loop, args[0], vp);
	case OBJ_JOINER:
		if (!o->pos) {
			o->pos = 1;
			*vp = value_str("");
		} else {
			*vp = value_ref(o->data);
		}
		return 0;
	default:
		return rt_fail(rt, off, ERR_INVAL, "'%s' object is not callable", pyval_type(fn));
	}
}
