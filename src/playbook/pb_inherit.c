/* Keyword inheritance through blocks, import tasks, roles and plays, and the
 * variable maps Ansible's get_vars methods build from the same chains. */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

/* Ansible's _extend_value: both sides made lists (an unset side is empty),
 * joined in order, equal neighbours merged and nulls dropped. Takes both
 * references. */
static struct value *pb_inherit_extend(struct value *own, struct value *parent, int prepend)
{
	struct value *first = prepend ? parent : own, *second = prepend ? own : parent;
	struct value *all = value_list(), *out = value_list();
	struct value *sides[2] = {first, second};
	size_t i, s;

	for (s = 0; s < 2; s++) {
		struct value *v = sides[s];

		if (v == NULL)
			continue;
		if (v->type == VALUE_LIST) {
			for (i = 0; i < value_len(v); i++)
				value_list_push(all, value_ref(value_list_at(v, i)));
		} else {
			value_list_push(all, value_ref(v));
		}
	}
	for (i = 0; i < value_len(all); i++) {
		struct value *item = value_list_at(all, i);

		if (item->type == VALUE_NULL)
			continue;
		if (i > 0 && value_equal(item, value_list_at(all, i - 1)))
			continue;
		value_list_push(out, value_ref(item));
	}
	if (own != NULL)
		value_pos_from(out, own);
	value_unref(all);
	value_unref(own);
	value_unref(parent);
	return out;
}

/* Folds a parent's value (taken) into *valp per the inheritance kind. */
static void pb_inherit_fold(struct value **valp, struct value *pv, enum pb_kw_inherit how)
{
	if (how == PB_KWI_EXTEND || how == PB_KWI_PREPEND) {
		*valp = pb_inherit_extend(*valp, pv, how == PB_KWI_PREPEND);
	} else if (*valp == NULL) {
		*valp = pv;
	} else {
		value_unref(pv);
	}
}

static int pb_inherit_dynamic(const struct pb_obj *o)
{
	const struct pb_task *t = pb_obj_task(o);

	return t != NULL && !(t->flags & PB_TASK_STATIC) &&
	       (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_INCLUDE_ROLE);
}

static struct value *pb_inherit_get(const struct pb_obj *o, enum pb_kw k, int depth);

/* The parent an object inherits from: a dynamic include is skipped, and one
 * behind it stops the walk, as Ansible's statically_loaded checks do. */
static const struct pb_obj *pb_inherit_parent(const struct pb_obj *parent)
{
	if (parent != NULL && pb_inherit_dynamic(parent)) {
		const struct pb_task *t = (const struct pb_task *)parent;

		parent = t->parent;
		if (parent != NULL && pb_inherit_dynamic(parent))
			return NULL;
	}
	return parent;
}

static struct value *pb_inherit_own(const struct pb_obj *o, enum pb_kw k)
{
	return o->kw[k] != NULL ? value_ref(o->kw[k]) : NULL;
}

static const struct pb_obj *pb_inherit_up(const struct pb_obj *o);

/* Ansible's get_dep_chain: the nearest block up from o that has one. */
static struct pb_role *const *pb_inherit_chain(const struct pb_obj *o, size_t *np)
{
	int guard = 0;

	for (; o != NULL && guard < 100000; o = pb_inherit_up(o), guard++) {
		const struct pb_block *b = pb_obj_block(o);

		if (b != NULL && b->ndep_chain > 0) {
			*np = b->ndep_chain;
			return b->dep_chain;
		}
	}
	*np = 0;
	return NULL;
}

static struct value *pb_inherit_task(const struct pb_task *t, enum pb_kw k, int depth)
{
	enum pb_kw_inherit how = pb_kw_inherit(k);
	struct value *v = pb_inherit_own(&t->obj, k);
	const struct pb_obj *parent = pb_inherit_parent(t->parent);

	if (parent != NULL && (v == NULL || how != PB_KWI_OVERRIDE))
		pb_inherit_fold(&v, pb_inherit_get(parent, k, depth + 1), how);
	return v;
}

static struct value *pb_inherit_block(const struct pb_block *b, enum pb_kw k, int depth)
{
	enum pb_kw_inherit how = pb_kw_inherit(k);
	int extend = how != PB_KWI_OVERRIDE;
	struct value *v = pb_inherit_own(&b->obj, k);
	const struct pb_obj *parent = pb_inherit_parent(b->parent);
	size_t i;

	if (parent != NULL && (v == NULL || extend))
		pb_inherit_fold(&v, pb_inherit_get(parent, k, depth + 1), how);
	if (b->role != NULL && (v == NULL || extend)) {
		struct pb_role *const *chain;
		size_t n;

		pb_inherit_fold(&v, pb_inherit_own(&b->role->obj, k), how);
		chain = pb_inherit_chain(&b->obj, &n);
		for (i = n; i > 0 && (v == NULL || extend); i--)
			pb_inherit_fold(&v, pb_inherit_own(&chain[i - 1]->obj, k), how);
	}
	if (b->play != NULL && (v == NULL || extend) && b->play->obj.kw[k] != NULL)
		pb_inherit_fold(&v, pb_inherit_own(&b->play->obj, k), how);
	return v;
}

static struct value *pb_inherit_get(const struct pb_obj *o, enum pb_kw k, int depth)
{
	/* Parent chains are built by the loader and bounded by its caps; the
	 * depth check only guards against a cycle introduced by a bug. */
	if (depth > 10000)
		fatal("playbook: keyword inheritance loop");
	if (o->kind == PB_TASK)
		return pb_inherit_task((const struct pb_task *)o, k, depth);
	if (o->kind == PB_BLOCK)
		return pb_inherit_block((const struct pb_block *)o, k, depth);
	return pb_inherit_own(o, k);
}

struct value *pb_obj_kw(const struct pb_obj *o, enum pb_kw k)
{
	struct value *v;

	if ((unsigned)k >= PB_KW_COUNT || o == NULL)
		return NULL;
	if (pb_kw_inherit(k) == PB_KWI_NONE)
		return pb_inherit_own(o, k);
	v = pb_inherit_get(o, k, 0);
	if (v != NULL && pb_kw_inherit(k) != PB_KWI_OVERRIDE && v->type == VALUE_LIST && value_len(v) == 0) {
		value_unref(v);
		v = NULL;
	}
	return v;
}

static const struct pb_obj *pb_inherit_up(const struct pb_obj *o)
{
	if (o->kind == PB_TASK)
		return ((const struct pb_task *)o)->parent;
	if (o->kind == PB_BLOCK)
		return ((const struct pb_block *)o)->parent;
	return NULL;
}

static void pb_inherit_vars_into(struct value *all, const struct pb_obj *o, int depth)
{
	const struct pb_obj *up;

	if (o == NULL || depth > 10000)
		return;
	up = pb_inherit_up(o);
	if (up != NULL)
		pb_inherit_vars_into(all, up, depth + 1);
	if (o->kw[PB_KW_VARS] != NULL && o->kw[PB_KW_VARS]->type == VALUE_MAP)
		value_map_update(all, o->kw[PB_KW_VARS], 0);
}

struct value *pb_task_vars(const struct pb_task *t)
{
	struct value *all = value_map();

	pb_inherit_vars_into(all, &t->obj, 0);
	value_map_del(all, "tags");
	value_map_del(all, "when");
	return all;
}

static int pb_inherit_is_include(const struct pb_obj *o)
{
	const struct pb_task *t = pb_obj_task(o);

	return t != NULL && (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_INCLUDE_ROLE);
}

static void pb_inherit_params_into(struct value *all, const struct pb_obj *o, int depth)
{
	const struct pb_task *t = pb_obj_task(o);
	const struct pb_obj *up;

	if (o == NULL || depth > 10000)
		return;
	up = pb_inherit_up(o);
	if (up != NULL)
		pb_inherit_params_into(all, up, depth + 1);
	if (t == NULL)
		return;
	if (pb_inherit_is_include(o) && o->kw[PB_KW_VARS] != NULL)
		value_map_update(all, o->kw[PB_KW_VARS], 0);
	if (t->type == PB_TASK_INCLUDE_ROLE || t->type == PB_TASK_IMPORT_ROLE) {
		struct value *names, *paths, *l;

		if (t->role == NULL)
			return;
		value_map_update(all, t->role->params, 0);
		/* The parent role's name and path go first in these lists. */
		names = value_map_get(all, "ansible_parent_role_names");
		paths = value_map_get(all, "ansible_parent_role_paths");
		l = value_list();
		value_list_push(l, value_str(t->role->name));
		for (size_t i = 0; names != NULL && names->type == VALUE_LIST && i < value_len(names); i++)
			value_list_push(l, value_ref(value_list_at(names, i)));
		value_map_set(all, "ansible_parent_role_names", l);
		l = value_list();
		value_list_push(l, value_str(t->role->path));
		for (size_t i = 0; paths != NULL && paths->type == VALUE_LIST && i < value_len(paths); i++)
			value_list_push(l, value_ref(value_list_at(paths, i)));
		value_map_set(all, "ansible_parent_role_paths", l);
	}
}

struct value *pb_task_include_params(const struct pb_task *t)
{
	struct value *all = value_map();

	pb_inherit_params_into(all, &t->obj, 0);
	return all;
}

struct pb_role *const *pb_task_dep_chain(const struct pb_task *t, size_t *np)
{
	return pb_inherit_chain(t->parent, np);
}

static void pb_inherit_combine(struct value *all, const struct value *m, int deep)
{
	if (m != NULL && m->type == VALUE_MAP)
		value_map_update(all, m, deep);
}

static void pb_inherit_all_deps(const struct pb_role *r, const struct pb_role ***arrp, size_t *np, size_t *capp,
                                int depth)
{
	size_t i;

	if (depth > PB_MAX_DEPTH)
		return;
	for (i = 0; i < r->ndeps; i++) {
		pb_inherit_all_deps(r->deps[i], arrp, np, capp, depth + 1);
		if (*np == *capp) {
			*capp = *capp ? *capp * 2 : 8;
			*arrp = xreallocarray(*arrp, *capp, sizeof(**arrp));
		}
		(*arrp)[(*np)++] = r->deps[i];
	}
}

static struct value *pb_inherit_role_defaults(const struct pb_role *r, struct pb_role *const *chain, size_t n,
                                              int deep, int depth)
{
	struct value *all = value_map(), *dv;
	const struct pb_role **deps = NULL;
	size_t ndeps = 0, cap = 0, i;

	if (depth <= PB_MAX_DEPTH)
		pb_inherit_all_deps(r, &deps, &ndeps, &cap, 0);
	for (i = 0; i < ndeps; i++) {
		dv = pb_inherit_role_defaults(deps[i], NULL, 0, deep, depth + 1);
		pb_inherit_combine(all, dv, deep);
		value_unref(dv);
	}
	for (i = 0; i < n; i++)
		pb_inherit_combine(all, chain[i]->default_vars, deep);
	pb_inherit_combine(all, r->default_vars, deep);
	free(deps);
	return all;
}

struct value *pb_role_default_vars(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n, int deep)
{
	return pb_inherit_role_defaults(r, dep_chain, n, deep, 0);
}

struct value *pb_role_params(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n, int deep)
{
	struct value *all = value_map();
	size_t i;

	for (i = 0; i < n; i++)
		pb_inherit_combine(all, dep_chain[i]->params, deep);
	pb_inherit_combine(all, r->params, deep);
	return all;
}

static struct value *pb_inherit_role_vars(const struct pb_role *r, struct pb_role *const *chain, size_t n,
                                          int include_params, int deep, int depth)
{
	struct value *all = value_map(), *dv;
	const struct pb_role **deps = NULL;
	size_t ndeps = 0, cap = 0, i;

	for (i = 0; i < n; i++) {
		pb_inherit_combine(all, chain[i]->obj.kw[PB_KW_VARS], deep);
		pb_inherit_combine(all, chain[i]->role_vars, deep);
	}
	if (depth <= PB_MAX_DEPTH)
		pb_inherit_all_deps(r, &deps, &ndeps, &cap, 0);
	for (i = 0; i < ndeps; i++) {
		dv = pb_inherit_role_vars(deps[i], NULL, 0, include_params, deep, depth + 1);
		pb_inherit_combine(all, dv, deep);
		value_unref(dv);
	}
	pb_inherit_combine(all, r->obj.kw[PB_KW_VARS], deep);
	pb_inherit_combine(all, r->role_vars, deep);
	if (include_params) {
		dv = pb_role_params(r, chain, n, deep);
		pb_inherit_combine(all, dv, deep);
		value_unref(dv);
	}
	free(deps);
	return all;
}

struct value *pb_role_vars(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n, int include_params,
                           int deep)
{
	return pb_inherit_role_vars(r, dep_chain, n, include_params, deep, 0);
}
