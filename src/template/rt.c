/* The state of one render: errors with their positions, limits and work
 * accounting, frames of variables, undefined values, and the depth guard
 * that keeps every value the engine builds shallow enough to walk. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/eval.h"
#include "template/pyval.h"

static uint32_t rt_next_id;

void rt_init(struct tpl_rt *rt, const struct tpl *t, const struct tpl_scope *s, struct diag *d)
{
	static const struct tpl_limits defaults = {
		.max_output = (size_t)64 << 20,
		.max_str = (size_t)64 << 20,
		.max_items = (size_t)1 << 22,
		.max_depth = 200,
		.max_iterations = 10000000,
		.max_work = (uint64_t)1 << 32,
		.max_objects = (uint64_t)1 << 20,
		.max_range = (size_t)1 << 22,
	};
	const struct tpl_limits *l = s != NULL ? s->limits : NULL;

	memset(rt, 0, sizeof(*rt));
	rt->t = t;
	rt->s = s;
	rt->d = d;
	rt->lim = defaults;
	if (l != NULL) {
#define RT_LIM(f) if (l->f) rt->lim.f = l->f
		RT_LIM(max_output);
		RT_LIM(max_str);
		RT_LIM(max_items);
		RT_LIM(max_depth);
		RT_LIM(max_iterations);
		RT_LIM(max_work);
		RT_LIM(max_objects);
		RT_LIM(max_range);
#undef RT_LIM
	}
	rt->id = ++rt_next_id;
	if (rt->id == 0)
		rt->id = ++rt_next_id;
}

void rt_fini(struct tpl_rt *rt)
{
	size_t i;

	/* Modules first: popping their frames looks at the objects. */
	for (i = 0; i < rt->nmods; i++) {
		rt_frame_pop(rt, &rt->mods[i]->f);
		tpl_free(rt->mods[i]->t);
		free(rt->mods[i]);
	}
	free(rt->mods);
	rt->mods = NULL;
	rt->nmods = rt->cmods = 0;

	for (i = 0; i < rt->nobjs; i++) {
		value_unref(rt->objs[i]->data);
		value_unref(rt->objs[i]->self);
		free((char *)(rt->objs[i]->kind == OBJ_METHOD ? rt->objs[i]->name : NULL));
		free(rt->objs[i]);
	}
	free(rt->objs);
	rt->objs = NULL;
	value_unref(rt->last);
	rt->last = NULL;
	rt->nobjs = rt->cobjs = 0;
}

/* ---- errors and limits ---- */

int rt_fail(struct tpl_rt *rt, uint32_t off, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int line, col;

	if (rt->err != 0)
		return rt->err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Ansible reports a type error about an undefined value as an
	 * undefined variable. */
	if (err == ERR_INVAL && strstr(msg, "AnsibleUndefined") != NULL)
		err = ERR_NOTFOUND;
	tpl_pos(rt->t, off, &line, &col);
	diag_set(rt->d, rt->t->file, line, col, "%s", msg);
	rt->err = err;
	return err;
}

int rt_fail_undef(struct tpl_rt *rt, uint32_t off, const struct value *u)
{
	return rt_fail(rt, off, ERR_NOTFOUND, "%s", u->u.s.ptr);
}

int rt_charge(struct tpl_rt *rt, uint32_t off, uint64_t n)
{
	rt->work += n;
	if (rt->work > rt->lim.max_work)
		return rt_fail(rt, off, ERR_TOOBIG, "template needs too much work (over %llu steps)",
		               (unsigned long long)rt->lim.max_work);
	return 0;
}

int rt_check_str(struct tpl_rt *rt, uint32_t off, size_t n)
{
	if (n > rt->lim.max_str)
		return rt_fail(rt, off, ERR_TOOBIG, "string too long (over %zu bytes)", rt->lim.max_str);
	return rt_charge(rt, off, n / 16);
}

int rt_check_items(struct tpl_rt *rt, uint32_t off, size_t n)
{
	/* No work is charged here: callers check totals after adding a few
	 * items, and charging the total would make appending quadratic. */
	if (n > rt->lim.max_items)
		return rt_fail(rt, off, ERR_TOOBIG, "list too long (over %zu items)", rt->lim.max_items);
	return 0;
}

/* ---- value depth ---- */

static int rt_depth_at(const struct value *v, int level)
{
	struct value *mv = (struct value *)v;
	size_t i, n;
	int d = 0, cd;

	if ((v->type != VALUE_LIST && v->type != VALUE_MAP) || (v->flags & TPL_F_SPECIAL))
		return 0;
	if (v->flags & TPL_F_DEPTH)
		return (int)((v->flags >> TPL_DEPTH_SHIFT) & 0x7ff);
	if (level > TPL_MAX_VALUE_DEPTH)
		return -1;
	n = v->type == VALUE_LIST ? v->u.l.len : v->u.m.len;
	for (i = 0; i < n; i++) {
		cd = rt_depth_at(v->type == VALUE_LIST ? v->u.l.items[i] : v->u.m.ents[i].val, level + 1);
		if (cd < 0)
			return -1;
		if (cd > d)
			d = cd;
	}
	if (++d > TPL_MAX_VALUE_DEPTH)
		return -1;
	/* The depth of an immutable subtree never changes: recording it in the
	 * node (even a shared one) keeps later checks O(1). */
	mv->flags = (mv->flags & ~(0x7ffu << TPL_DEPTH_SHIFT)) | TPL_F_DEPTH | ((uint32_t)d << TPL_DEPTH_SHIFT);
	return d;
}

int rt_depth(const struct value *v)
{
	return rt_depth_at(v, 0);
}

int rt_check_depth(struct tpl_rt *rt, uint32_t off, struct value *v)
{
	if (v == NULL || (v->type != VALUE_LIST && v->type != VALUE_MAP))
		return 0;
	v->flags &= ~TPL_F_DEPTH;
	if (rt_depth(v) < 0)
		return rt_fail(rt, off, ERR_DEPTH, "value nested too deeply (over %d levels)", TPL_MAX_VALUE_DEPTH);
	return 0;
}

void rt_depth_added(struct value *c, const struct value *item)
{
	int d = rt_depth(item), cur;

	if (!(c->flags & TPL_F_DEPTH))
		return;
	cur = (int)((c->flags >> TPL_DEPTH_SHIFT) & 0x7ff);
	if (d < 0 || d + 1 > TPL_MAX_VALUE_DEPTH)
		c->flags &= ~TPL_F_DEPTH; /* the next check recomputes and fails */
	else if (d + 1 > cur)
		c->flags = (c->flags & ~(0x7ffu << TPL_DEPTH_SHIFT)) | ((uint32_t)(d + 1) << TPL_DEPTH_SHIFT);
}

/* ---- undefined values ---- */

static struct value *rt_undef_new(struct buf *msg)
{
	struct value *v;
	size_t len;
	char *s = buf_take(msg, &len);

	v = value_str_take(s, len);
	v->flags |= TPL_F_UNDEF;
	return v;
}

struct value *rt_undef_hint(const char *hint)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, hint);
	return rt_undef_new(&b);
}

struct value *rt_undef_name(const char *name, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	pyval_repr_str(&b, name, len);
	buf_puts(&b, " is undefined");
	return rt_undef_new(&b);
}

/* Jinja's object_type_repr. */
static void rt_undef_type(struct buf *b, const struct value *obj)
{
	if (obj->type == VALUE_NULL && !(obj->flags & TPL_F_SPECIAL))
		buf_puts(b, "None");
	else
		buf_printf(b, "%s object", pyval_type(obj));
}

struct value *rt_undef_attr(const struct value *obj, const char *name, size_t len)
{
	struct buf b, t;

	buf_init(&b, 0);
	buf_init(&t, 0);
	rt_undef_type(&t, obj);
	pyval_repr_str(&b, buf_str(&t), t.len);
	buf_puts(&b, " has no attribute ");
	pyval_repr_str(&b, name, len);
	buf_fini(&t);
	return rt_undef_new(&b);
}

struct value *rt_undef_item(const struct value *obj, const struct value *key)
{
	struct buf b;

	if (is_str(key))
		return rt_undef_attr(obj, key->u.s.ptr, key->u.s.len);
	buf_init(&b, 0);
	rt_undef_type(&b, obj);
	buf_puts(&b, " has no element ");
	pyval_repr(NULL, &b, key);
	return rt_undef_new(&b);
}

/* ---- frames ---- */

void rt_frame_push(struct tpl_rt *rt, struct frame *f, struct frame *parent)
{
	memset(f, 0, sizeof(*f));
	f->parent = parent;
	f->b = f->inl;
	f->cap = sizeof(f->inl) / sizeof(f->inl[0]);
	f->obj_mark = rt->nobjs;
	rt->frame = f;
}

void rt_frame_pop(struct tpl_rt *rt, struct frame *f)
{
	size_t i;

	/* Macros defined in this frame keep a pointer to it: cut it. */
	for (i = f->obj_mark; i < rt->nobjs; i++)
		if (rt->objs[i]->closure == f)
			rt->objs[i]->closure = NULL;
	for (i = 0; i < f->n; i++)
		value_unref(f->b[i].v);
	if (f->b != f->inl)
		free(f->b);
	f->n = 0;
}

struct binding *rt_frame_find(struct frame *f, const char *name, uint32_t len)
{
	size_t i;

	for (; f != NULL; f = f->parent)
		for (i = f->n; i-- > 0;)
			if (f->b[i].len == len && memcmp(f->b[i].name, name, len) == 0)
				return &f->b[i];
	return NULL;
}

void rt_frame_set(struct frame *f, const char *name, uint32_t len, struct value *v)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->b[i].len == len && memcmp(f->b[i].name, name, len) == 0) {
			value_unref(f->b[i].v);
			f->b[i].v = v;
			return;
		}
	}
	if (f->n == f->cap) {
		struct binding *nb = xreallocarray(NULL, f->cap * 2, sizeof(*nb));

		memcpy(nb, f->b, f->n * sizeof(*nb));
		if (f->b != f->inl)
			free(f->b);
		f->b = nb;
		f->cap *= 2;
	}
	f->b[f->n].name = name;
	f->b[f->n].len = len;
	f->b[f->n].v = v;
	f->n++;
}

