/* The statement executor: output with Ansible's finalize, if, for (with
 * Jinja's loop variable, filters, else, unpacking, recursion), set and
 * block set, macros and call blocks, filter blocks, with, block, include
 * and import. Scoping follows Jinja: for bodies, macros, call bodies and with
 * blocks get a new frame per execution (per iteration for loops); if does
 * not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/eval.h"
#include "template/pyval.h"

static int exec_stmt(struct tpl_rt *rt, const struct node *n);

static int exec_write(struct tpl_rt *rt, uint32_t off, const char *s, size_t n)
{
	if (rt->capture == 0 && rt->out->len + n > rt->lim.max_output)
		return rt_fail(rt, off, ERR_TOOBIG, "template output too large (over %zu bytes)", rt->lim.max_output);
	if (buf_put(rt->out, s, n) != 0)
		return rt_fail(rt, off, ERR_TOOBIG, "template output too large");
	return 0;
}

/* Ansible's _fail_on_undefined: an undefined value anywhere in what is
 * printed is an error. */
static int exec_check_undef(struct tpl_rt *rt, uint32_t off, const struct value *v, int depth)
{
	size_t i;
	int r;

	if (is_soft_undef(v))
		return 0;
	if (is_undef(v))
		return rt_fail_undef(rt, off, v);
	if (depth > 512)
		return 0;
	if (v->type == VALUE_LIST && !is_special(v)) {
		if ((r = rt_charge(rt, off, v->u.l.len)) != 0)
			return r;
		for (i = 0; i < v->u.l.len; i++)
			if ((r = exec_check_undef(rt, off, v->u.l.items[i], depth + 1)) != 0)
				return r;
	} else if (v->type == VALUE_MAP && !is_special(v)) {
		if ((r = rt_charge(rt, off, v->u.m.len)) != 0)
			return r;
		for (i = 0; i < v->u.m.len; i++)
			if ((r = exec_check_undef(rt, off, v->u.m.ents[i].val, depth + 1)) != 0)
				return r;
	}
	return 0;
}

/* Prints an expression's value after Ansible's finalize. */
static int exec_print(struct tpl_rt *rt, uint32_t off, const struct value *v)
{
	size_t before = rt->out->len;
	int r;

	if ((r = exec_check_undef(rt, off, v, 0)) != 0)
		return r;
	if ((v->type == VALUE_NULL && !is_special(v)) || is_soft_undef(v))
		return 0;
	if (is_str(v))
		return exec_write(rt, off, v->u.s.ptr, v->u.s.len);
	if ((r = pyval_str(rt, rt->out, v)) != 0) {
		rt->out->len = before;
		return rt_fail(rt, off, ERR_TOOBIG, "template output too large");
	}
	if (rt->capture == 0 && rt->out->len > rt->lim.max_output)
		return rt_fail(rt, off, ERR_TOOBIG, "template output too large (over %zu bytes)", rt->lim.max_output);
	return rt_charge(rt, off, (rt->out->len - before) / 16);
}

static int exec_output(struct tpl_rt *rt, const struct node *n)
{
	struct value *v;
	uint32_t i;
	int r, prev_const = 0;

	for (i = 0; i < n->n; i++) {
		const struct node *c = n->list[i];

		if (c->kind == N_DATA || c->kind == N_CONST) {
			/* Jinja folds constant output into one chunk. */
			if (rt->capture == 0 && !prev_const) {
				rt->yields++;
				rt->native_text = 0;
				value_unref(rt->last);
				rt->last = NULL;
			}
			prev_const = 1;
			r = c->kind == N_DATA ? exec_write(rt, c->off, c->v->u.s.ptr, c->v->u.s.len)
			                      : exec_print(rt, c->off, c->v);
			if (r != 0)
				return r;
			continue;
		}
		prev_const = 0;
		if ((r = eval_expr(rt, c, &v)) != 0)
			return r;
		r = exec_print(rt, c->off, v);
		if (rt->capture == 0) {
			rt->yields++;
			rt->native_text = c->kind == N_FILTER && (c->flags & NF_STRING_TYPE) && is_str(v);
			value_unref(rt->last);
			rt->last = value_ref(v);
		}
		value_unref(v);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Renders body into a new string. */
static int exec_capture(struct tpl_rt *rt, const struct node *body, struct value **vp)
{
	struct buf tmp, *saved = rt->out;
	char *s;
	size_t len;
	int r;

	*vp = NULL;
	buf_init(&tmp, rt->lim.max_str);
	rt->out = &tmp;
	rt->capture++;
	r = body != NULL ? exec_body(rt, body) : 0;
	rt->capture--;
	rt->out = saved;
	if (r != 0) {
		buf_fini(&tmp);
		return r;
	}
	s = buf_take(&tmp, &len);
	*vp = value_str_take(s, len);
	return 0;
}

/* ---- assignment ---- */

static int exec_assign(struct tpl_rt *rt, struct frame *f, const struct node *target, struct value *v);

static int exec_unpack(struct tpl_rt *rt, struct frame *f, const struct node *target, struct value *v)
{
	struct value *items;
	uint32_t i;
	int r;

	if (is_undef(v))
		return rt_fail_undef(rt, target->off, v);
	if (v->type != VALUE_LIST && v->type != VALUE_MAP && !is_str(v))
		return rt_fail(rt, target->off, ERR_INVAL, "cannot unpack non-iterable %s object", pyval_type(v));
	if ((r = eval_iter(rt, target->off, v, &items)) != 0)
		return r;
	if (items->u.l.len != target->n) {
		if (items->u.l.len > target->n)
			r = rt_fail(rt, target->off, ERR_INVAL, "too many values to unpack (expected %u)", target->n);
		else
			r = rt_fail(rt, target->off, ERR_INVAL, "not enough values to unpack (expected %u, got %zu)",
			            target->n, items->u.l.len);
		value_unref(items);
		return r;
	}
	for (i = 0; i < target->n && r == 0; i++)
		r = exec_assign(rt, f, target->list[i], items->u.l.items[i]);
	value_unref(items);
	return r;
}

static int exec_assign(struct tpl_rt *rt, struct frame *f, const struct node *target, struct value *v)
{
	struct value *ns;
	struct obj *o;
	int r;

	switch (target->kind) {
	case N_NAME:
		rt_frame_set(f, target->name, target->len, value_ref(v));
		return 0;
	case N_TUPLE:
		return exec_unpack(rt, f, target, v);
	case N_NSREF:
		if ((r = eval_lookup(rt, target->off, target->name, target->len, &ns)) != 0)
			return r;
		o = obj_get(rt, ns);
		value_unref(ns);
		if (o == NULL || o->kind != OBJ_NAMESPACE)
			return rt_fail(rt, target->off, ERR_INVAL, "cannot assign attribute on non-namespace object");
		value_mut(&o->data);
		value_map_set_key(o->data, value_strn(target->attr, target->alen), value_ref(v));
		return 0;
	default:
		return rt_fail(rt, target->off, ERR_INTERNAL, "bad assignment target");
	}
}

static int exec_set(struct tpl_rt *rt, const struct node *n)
{
	struct value *v;
	int r;

	if ((r = eval_expr(rt, n->b, &v)) != 0)
		return r;
	r = exec_assign(rt, rt->frame, n->a, v);
	value_unref(v);
	return r;
}

static int exec_setblock(struct tpl_rt *rt, const struct node *n)
{
	struct value *v, *f;
	int r;

	if ((r = exec_capture(rt, n->c, &v)) != 0)
		return r;
	if (n->b != NULL) {
		r = eval_filter_chain(rt, n->b, v, &f);
		value_unref(v);
		if (r != 0)
			return r;
		v = f;
	}
	r = exec_assign(rt, rt->frame, n->a, v);
	value_unref(v);
	return r;
}

/* ---- if ---- */

static int exec_if(struct tpl_rt *rt, const struct node *n)
{
	int r, truth = 0;

	while (n != NULL && n->kind == N_IF) {
		if ((r = eval_truth(rt, n->a, &truth)) != 0)
			return r;
		if (truth)
			return exec_body(rt, n->b);
		n = n->c;
	}
	return n != NULL ? exec_body(rt, n) : 0;
}

/* ---- for ---- */

/* Applies "for x in xs if cond": a new list of the items that pass. */
static int exec_for_filter(struct tpl_rt *rt, const struct node *n, struct value *items, struct value **outp)
{
	struct value *l = value_list();
	struct frame f;
	size_t i;
	int r = 0, truth;

	for (i = 0; i < items->u.l.len && r == 0; i++) {
		rt_frame_push(rt, &f, rt->frame);
		r = exec_assign(rt, &f, n->a, items->u.l.items[i]);
		if (r == 0)
			r = eval_truth(rt, n->e, &truth);
		rt->frame = f.parent;
		rt_frame_pop(rt, &f);
		if (r == 0 && truth)
			value_list_push(l, value_ref(items->u.l.items[i]));
	}
	if (r != 0) {
		value_unref(l);
		return r;
	}
	*outp = l;
	return 0;
}

/* Runs the loop body over l->items in frames whose parent is outer. */
static int exec_loop_run(struct tpl_rt *rt, const struct node *n, struct loop *l, struct frame *outer)
{
	struct value *loopv;
	struct frame f, *saved = rt->frame;
	size_t i;
	int r = 0;

	if ((loopv = obj_loop_new(rt, l)) == NULL)
		return rt->err;
	for (i = 0; i < l->items->u.l.len && r == 0; i++) {
		if (++rt->iters > rt->lim.max_iterations) {
			r = rt_fail(rt, n->off, ERR_TOOBIG, "too many loop iterations (over %llu)",
			            (unsigned long long)rt->lim.max_iterations);
			break;
		}
		l->index0 = i;
		rt_frame_push(rt, &f, outer);
		rt_frame_set(&f, "loop", 4, value_ref(loopv));
		r = exec_assign(rt, &f, n->a, l->items->u.l.items[i]);
		if (r == 0)
			r = exec_body(rt, n->c);
		rt->frame = saved;
		rt_frame_pop(rt, &f);
	}
	obj_loop_end(rt, loopv);
	value_unref(loopv);
	return r;
}

static int exec_for(struct tpl_rt *rt, const struct node *n)
{
	struct loop l;
	struct value *v, *items, *filtered;
	int r;

	if ((r = eval_expr(rt, n->b, &v)) != 0)
		return r;
	r = eval_iter(rt, n->b->off, v, &items);
	value_unref(v);
	if (r != 0)
		return r;
	if (n->e != NULL) {
		r = exec_for_filter(rt, n, items, &filtered);
		value_unref(items);
		if (r != 0)
			return r;
		items = filtered;
	}
	memset(&l, 0, sizeof(l));
	l.items = items;
	l.node = n;
	l.outer = rt->frame;
	r = exec_loop_run(rt, n, &l, rt->frame);
	if (r == 0 && items->u.l.len == 0 && n->d != NULL)
		r = exec_body(rt, n->d);
	value_unref(l.last_changed);
	value_unref(items);
	return r;
}

int exec_loop_recurse(struct tpl_rt *rt, uint32_t off, struct loop *outer, struct value *itv, struct value **vp)
{
	struct loop l;
	struct value *items;
	struct buf tmp, *saved = rt->out;
	char *s;
	size_t len;
	int r;

	*vp = NULL;
	if (rt->depth >= rt->lim.max_depth)
		return rt_fail(rt, off, ERR_DEPTH, "maximum recursion depth exceeded");
	if ((r = eval_iter(rt, off, itv, &items)) != 0)
		return r;
	memset(&l, 0, sizeof(l));
	l.items = items;
	l.node = outer->node;
	l.outer = outer->outer;
	l.depth0 = outer->depth0 + 1;
	buf_init(&tmp, rt->lim.max_str);
	rt->out = &tmp;
	rt->capture++;
	rt->depth++;
	r = exec_loop_run(rt, l.node, &l, l.outer);
	rt->depth--;
	rt->capture--;
	rt->out = saved;
	value_unref(l.last_changed);
	value_unref(items);
	if (r != 0) {
		buf_fini(&tmp);
		return r;
	}
	s = buf_take(&tmp, &len);
	*vp = value_str_take(s, len);
	return 0;
}

/* ---- macros ---- */

static int exec_macro_def(struct tpl_rt *rt, const struct node *n)
{
	struct obj o = {.kind = OBJ_MACRO, .node = n, .t = rt->t, .closure = rt->frame};
	struct value *v;
	char repr[160];

	o.name = n->name;
	o.len = n->len;
	snprintf(repr, sizeof(repr), "<Macro '%.*s'>", (int)(n->len > 100 ? 100 : n->len), n->name);
	if ((v = obj_new(rt, &o, repr)) == NULL)
		return rt->err;
	rt_frame_set(rt->frame, n->name, n->len, v);
	return 0;
}

static const struct tpl_kwarg *exec_find_kw(const struct tpl_kwarg *kw, size_t nkw, const char *name, size_t len,
                                            char *used)
{
	size_t i;

	for (i = 0; i < nkw; i++) {
		if (!used[i] && kw[i].len == len && memcmp(kw[i].name, name, len) == 0) {
			used[i] = 1;
			return &kw[i];
		}
	}
	return NULL;
}

/* Binds a macro's parameters in f as Jinja's Macro.__call__ does. */
static int exec_macro_bind(struct tpl_rt *rt, uint32_t off, struct obj *o, struct frame *f,
                           struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
                           struct value *caller, char *used)
{
	const struct node *m = o->node;
	const struct tpl_kwarg *k;
	struct value *v, *extra;
	uint32_t i, ndef = m->nkw, npar = m->n;
	size_t j;
	int r;

	if (nargs > npar && !(m->flags & NF_USES_VARARGS))
		return rt_fail(rt, off, ERR_INVAL, "macro '%.*s' takes not more than %u argument(s)", (int)o->len,
		               o->name, npar);
	for (i = 0; i < npar; i++) {
		const struct node *p = m->list[i];

		if (i < nargs) {
			v = value_ref(args[i]);
		} else if ((k = exec_find_kw(kw, nkw, p->name, p->len, used)) != NULL) {
			v = value_ref(k->val);
		} else if (p->len == 6 && memcmp(p->name, "caller", 6) == 0 && caller != NULL) {
			v = value_ref(caller);
			caller = NULL;
		} else if (i >= npar - ndef) {
			if ((r = eval_expr(rt, m->kw[i - (npar - ndef)], &v)) != 0)
				return r;
		} else {
			char hint[160];

			snprintf(hint, sizeof(hint), "parameter '%.*s' was not provided", (int)p->len, p->name);
			v = rt_undef_hint(hint);
		}
		rt_frame_set(f, p->name, p->len, v);
	}
	for (i = 0; i < npar; i++)
		if (m->list[i]->len == 6 && memcmp(m->list[i]->name, "caller", 6) == 0)
			break;
	if (i == npar) {
		/* caller is not one of the declared parameters */
		if (m->flags & NF_USES_CALLER) {
			if (caller == NULL && (k = exec_find_kw(kw, nkw, "caller", 6, used)) != NULL)
				caller = k->val;
			rt_frame_set(f, "caller", 6, caller ? value_ref(caller) : rt_undef_hint("No caller defined"));
		} else if (caller != NULL) {
			return rt_fail(rt, off, ERR_INVAL, "macro '%.*s' takes no keyword argument 'caller'",
			               (int)o->len, o->name);
		}
	}
	extra = value_map();
	for (j = 0; j < nkw; j++)
		if (!used[j])
			value_map_set_key(extra, value_strn(kw[j].name, kw[j].len), value_ref(kw[j].val));
	if (m->flags & NF_USES_KWARGS) {
		rt_frame_set(f, "kwargs", 6, extra);
	} else if (extra->u.m.len > 0) {
		r = rt_fail(rt, off, ERR_INVAL, "macro '%.*s' takes no keyword argument '%s'", (int)o->len, o->name,
		            extra->u.m.ents[0].key->u.s.ptr);
		value_unref(extra);
		return r;
	} else {
		value_unref(extra);
	}
	if (m->flags & NF_USES_VARARGS) {
		extra = value_list();
		extra->flags |= VALUE_F_TUPLE;
		for (j = npar; j < nargs; j++)
			value_list_push(extra, value_ref(args[j]));
		rt_frame_set(f, "varargs", 7, extra);
	}
	return 0;
}

int exec_macro(struct tpl_rt *rt, uint32_t off, struct obj *o, struct value *const *args, size_t nargs,
               const struct tpl_kwarg *kw, size_t nkw, struct value *caller, struct value **vp)
{
	const struct tpl *saved_t = rt->t;
	struct frame f, *saved = rt->frame;
	char used_inl[16], *used = used_inl;
	int r;

	*vp = NULL;
	if (o->closure == NULL)
		return rt_fail(rt, off, ERR_INVAL, "macro '%.*s' called outside the scope it was defined in",
		               (int)o->len, o->name);
	if (rt->depth >= rt->lim.max_depth)
		return rt_fail(rt, off, ERR_DEPTH, "maximum recursion depth exceeded");
	if (nkw > sizeof(used_inl))
		used = xcalloc(nkw, 1);
	else
		memset(used_inl, 0, sizeof(used_inl));
	rt->depth++;
	rt_frame_push(rt, &f, o->closure);
	rt->t = o->t;
	r = exec_macro_bind(rt, off, o, &f, args, nargs, kw, nkw, caller, used);
	if (r == 0)
		r = exec_capture(rt, o->node->c, vp);
	rt->t = saved_t;
	rt->frame = saved;
	rt_frame_pop(rt, &f);
	rt->depth--;
	if (used != used_inl)
		free(used);
	return r;
}

static int exec_callblock(struct tpl_rt *rt, const struct node *n)
{
	struct obj o = {.kind = OBJ_MACRO, .node = n, .t = rt->t, .closure = rt->frame, .is_caller = 1};
	struct value *caller, *res;
	struct buf tmp;
	int r;

	o.name = "caller";
	o.len = 6;
	if ((caller = obj_new(rt, &o, "<Macro 'caller'>")) == NULL)
		return rt->err;
	r = eval_call_caller(rt, n->a, caller, &res);
	value_unref(caller);
	if (r != 0)
		return r;
	buf_init(&tmp, rt->lim.max_str);
	if ((r = eval_str(rt, n->off, res, &tmp)) == 0)
		r = exec_write(rt, n->off, tmp.data ? tmp.data : "", tmp.len);
	buf_fini(&tmp);
	value_unref(res);
	return r;
}

static int exec_filterblock(struct tpl_rt *rt, const struct node *n)
{
	struct value *v, *res;
	struct buf tmp;
	int r;

	if ((r = exec_capture(rt, n->c, &v)) != 0)
		return r;
	r = eval_filter_chain(rt, n->b, v, &res);
	value_unref(v);
	if (r != 0)
		return r;
	buf_init(&tmp, rt->lim.max_str);
	if ((r = eval_str(rt, n->off, res, &tmp)) == 0)
		r = exec_write(rt, n->off, tmp.data ? tmp.data : "", tmp.len);
	buf_fini(&tmp);
	value_unref(res);
	return r;
}

static int exec_with(struct tpl_rt *rt, const struct node *n)
{
	struct frame f, *saved = rt->frame;
	struct value **vals;
	uint32_t i;
	int r = 0;

	vals = xcalloc(n->nkw + 1, sizeof(*vals));
	for (i = 0; i < n->nkw && r == 0; i++)
		r = eval_expr(rt, n->kw[i], &vals[i]);
	if (r == 0) {
		rt_frame_push(rt, &f, saved);
		for (i = 0; i < n->n && r == 0; i++)
			r = exec_assign(rt, &f, n->list[i], vals[i]);
		if (r == 0)
			r = exec_body(rt, n->c);
		rt->frame = saved;
		rt_frame_pop(rt, &f);
	}
	for (i = 0; i < n->nkw; i++)
		value_unref(vals[i]);
	free(vals);
	return r;
}

static int exec_block(struct tpl_rt *rt, const struct node *n)
{
	struct frame f, *saved = rt->frame;
	int r;

	/* A block sees the template's variables, and its locals only when
	 * scoped. */
	rt_frame_push(rt, &f, (n->flags & NF_SCOPED) ? saved : rt->top);
	r = exec_body(rt, n->c);
	rt->frame = saved;
	rt_frame_pop(rt, &f);
	return r;
}

/* Asks the scope's loader for one template; records nothing. */
static int exec_try_load(struct tpl_rt *rt, struct value *name, struct tpl **tp, struct diag *d)
{
	*tp = NULL;
	if (!is_str(name)) {
		diag_set(d, NULL, 0, 0, "template name must be a string, not %s", pyval_type(name));
		return ERR_INVAL;
	}
	if (rt->s == NULL || rt->s->load == NULL) {
		diag_set(d, NULL, 0, 0, "template '%s' not found (no loader)", name->u.s.ptr);
		return ERR_NOTFOUND;
	}
	return rt->s->load(rt->s->ctx, name->u.s.ptr, name->u.s.len, tp, d);
}

/* Loads the template an include names (a name, or the first of a list
 * that exists). Returns ERR_NOTFOUND unrecorded when missing templates are
 * to be ignored. */
static int exec_load(struct tpl_rt *rt, const struct node *n, struct value *name, struct tpl **tp)
{
	struct diag d;
	size_t i, count = 1;
	int r = ERR_NOTFOUND;
	char *msg;

	*tp = NULL;
	diag_init(&d);
	if (name->type == VALUE_LIST && !is_special(name))
		count = name->u.l.len;
	for (i = 0; i < count && r == ERR_NOTFOUND; i++) {
		diag_fini(&d);
		r = exec_try_load(rt, count == 1 && name->type != VALUE_LIST ? name : name->u.l.items[i], tp, &d);
	}
	if (r == 0 || (r == ERR_NOTFOUND && (n->flags & NF_IGNORE_MISSING))) {
		diag_fini(&d);
		return r;
	}
	if (!diag_has(&d))
		diag_set(&d, NULL, 0, 0, "template not found");
	msg = diag_format(&d);
	/* A missing template is Jinja's TemplateNotFound, not an undefined
	 * variable. */
	rt_fail(rt, n->off, r == ERR_NOTFOUND ? ERR_INVAL : r, "%s", msg);
	free(msg);
	diag_fini(&d);
	return rt->err;
}

static int exec_include(struct tpl_rt *rt, const struct node *n)
{
	const struct tpl *saved_t = rt->t;
	struct frame f, *saved = rt->frame, *saved_top = rt->top;
	struct value *name;
	struct tpl *t = NULL;
	int r;

	if (rt->depth >= rt->lim.max_depth)
		return rt_fail(rt, n->off, ERR_DEPTH, "includes nested too deeply");
	if ((r = eval_expr(rt, n->a, &name)) != 0)
		return r;
	r = exec_load(rt, n, name, &t);
	value_unref(name);
	if (r == ERR_NOTFOUND && (n->flags & NF_IGNORE_MISSING) && rt->err == 0)
		return 0;
	if (r != 0)
		return r;
	rt->depth++;
	rt_frame_push(rt, &f, (n->flags & NF_WITH_CONTEXT) ? saved : NULL);
	f.isolated = !(n->flags & NF_WITH_CONTEXT);
	rt->top = &f;
	rt->t = t;
	r = exec_body(rt, t->root);
	rt->t = saved_t;
	rt->top = saved_top;
	rt->frame = saved;
	rt_frame_pop(rt, &f);
	rt->depth--;
	/* Macros of the included template may still be referenced by values;
	 * they are cut from their frame above, so freeing is safe. */
	tpl_free(t);
	return r;
}

/* Runs an imported template in its own kept frame (with the importer's
 * variables visible only "with context"); its output is dropped. */
static int exec_module(struct tpl_rt *rt, const struct node *n, struct module **mp)
{
	const struct tpl *saved_t = rt->t;
	struct frame *saved = rt->frame, *saved_top = rt->top;
	struct value *name, *out = NULL;
	struct module *m;
	struct tpl *t = NULL;
	int r;

	*mp = NULL;
	if (rt->depth >= rt->lim.max_depth)
		return rt_fail(rt, n->off, ERR_DEPTH, "imports nested too deeply");
	if (rt->nobjs + rt->nmods >= rt->lim.max_objects)
		return rt_fail(rt, n->off, ERR_TOOBIG, "too many imported templates");
	if ((r = eval_expr(rt, n->a, &name)) != 0)
		return r;
	r = exec_load(rt, n, name, &t);
	value_unref(name);
	if (r != 0)
		return r;
	m = xcalloc(1, sizeof(*m));
	m->t = t;
	if (rt->nmods == rt->cmods) {
		rt->cmods = rt->cmods ? rt->cmods * 2 : 4;
		rt->mods = xreallocarray(rt->mods, rt->cmods, sizeof(*rt->mods));
	}
	rt->mods[rt->nmods++] = m;
	rt_frame_push(rt, &m->f, (n->flags & NF_WITH_CONTEXT) ? saved : NULL);
	m->f.isolated = !(n->flags & NF_WITH_CONTEXT);
	rt->top = &m->f;
	rt->t = t;
	rt->depth++;
	r = exec_capture(rt, t->root, &out);
	rt->depth--;
	rt->t = saved_t;
	rt->top = saved_top;
	rt->frame = saved;
	value_unref(out);
	*mp = m;
	return r;
}

/* A name the module exports: its own top-level binding, not private. */
static struct value *exec_export(const struct module *m, const char *name, size_t len)
{
	size_t i;

	if (len > 0 && name[0] == '_')
		return NULL;
	for (i = 0; i < m->f.n; i++)
		if (m->f.b[i].len == len && memcmp(m->f.b[i].name, name, len) == 0)
			return m->f.b[i].v;
	return NULL;
}

static int exec_import(struct tpl_rt *rt, const struct node *n)
{
	struct obj o = {.kind = OBJ_NAMESPACE};
	struct module *m;
	struct value *v;
	char repr[300];
	size_t i;
	int r;

	if ((r = exec_module(rt, n, &m)) != 0)
		return r;
	o.data = value_map();
	for (i = 0; i < m->f.n; i++)
		if (exec_export(m, m->f.b[i].name, m->f.b[i].len) != NULL)
			value_map_set_key(o.data, value_strn(m->f.b[i].name, m->f.b[i].len), value_ref(m->f.b[i].v));
	snprintf(repr, sizeof(repr), "<TemplateModule '%s'>", m->t->file ? m->t->file : "");
	if ((v = obj_new(rt, &o, repr)) == NULL)
		return rt->err;
	rt_frame_set(rt->frame, n->name, n->len, v);
	return 0;
}

static int exec_fromimport(struct tpl_rt *rt, const struct node *n)
{
	struct module *m;
	struct value *v;
	char hint[300];
	uint32_t i;
	int r, line, col;

	if ((r = exec_module(rt, n, &m)) != 0)
		return r;
	for (i = 0; i < n->n; i++) {
		const struct node *k = n->list[i];

		if ((v = exec_export(m, k->name, k->len)) != NULL) {
			v = value_ref(v);
		} else {
			tpl_pos(rt->t, n->off, &line, &col);
			snprintf(hint, sizeof(hint),
			         "the template '%s' (imported on line %d) does not export the requested name '%.*s'",
			         m->t->file ? m->t->file : "", line, (int)(k->len > 100 ? 100 : k->len), k->name);
			v = rt_undef_hint(hint);
		}
		rt_frame_set(rt->frame, k->a->name, k->a->len, v);
	}
	return 0;
}

static int exec_stmt(struct tpl_rt *rt, const struct node *n)
{
	int r, truth = 0;

	if (rt->err != 0)
		return rt->err;
	if (++rt->work > rt->lim.max_work)
		return rt_charge(rt, n->off, 0);
	switch (n->kind) {
	case N_OUTPUT: return exec_output(rt, n);
	case N_IF: return exec_if(rt, n);
	case N_FOR: return exec_for(rt, n);
	case N_SET: return exec_set(rt, n);
	case N_SETBLOCK: return exec_setblock(rt, n);
	case N_MACRO: return exec_macro_def(rt, n);
	case N_CALLBLOCK: return exec_callblock(rt, n);
	case N_FILTERBLOCK: return exec_filterblock(rt, n);
	case N_WITH: return exec_with(rt, n);
	case N_BLOCK: return exec_block(rt, n);
	case N_INCLUDE: return exec_include(rt, n);
	case N_AUTOESCAPE:
		if ((r = eval_truth(rt, n->a, &truth)) != 0)
			return r;
		if (truth)
			return rt_fail(rt, n->off, ERR_INVAL, "autoescape is not supported by drover");
		return exec_body(rt, n->c);
	case N_EXTENDS:
		return rt_fail(rt, n->off, ERR_INVAL, "template inheritance (extends) is not supported by drover");
	case N_IMPORT:
		return exec_import(rt, n);
	case N_FROMIMPORT:
		return exec_fromimport(rt, n);
	default:
		return rt_fail(rt, n->off, ERR_INTERNAL, "cannot execute node kind %d", n->kind);
	}
}

int exec_body(struct tpl_rt *rt, const struct node *body)
{
	uint32_t i;
	int r;

	if (body->kind != N_BODY)
		return exec_stmt(rt, body);
	for (i = 0; i < body->n; i++)
		if ((r = exec_stmt(rt, body->list[i])) != 0)
			return r;
	return 0;
}

int exec_template(struct tpl_rt *rt, const struct tpl *t)
{
	struct frame top;
	int r;

	rt_frame_push(rt, &top, NULL);
	rt->top = &top;
	rt->t = t;
	r = exec_body(rt, t->root);
	rt->frame = NULL;
	rt_frame_pop(rt, &top);
	rt->top = NULL;
	return r;
}
