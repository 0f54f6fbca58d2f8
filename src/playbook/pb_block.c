/* Blocks and task lists: implicit blocks for bare tasks, block/rescue/always,
 * and the static imports (import_tasks, import_role) expanded where they
 * stand, as Ansible's load_list_of_blocks and load_list_of_tasks do. */
#include <string.h>

#include "base/err.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

static int pb_block_load(struct pb_ctx *c, const struct value *ds, const struct value *group, struct pb_obj *parent,
                         struct pb_role *role, int handlers, struct pb_block **bp);

static int pb_block_is_block(const struct value *ds)
{
	return ds != NULL && ds->type == VALUE_MAP &&
	       (value_map_get(ds, "block") != NULL || value_map_get(ds, "rescue") != NULL ||
	        value_map_get(ds, "always") != NULL);
}

static const struct pb_obj *pb_block_up(const struct pb_obj *o)
{
	if (o->kind == PB_TASK)
		return ((const struct pb_task *)o)->parent;
	if (o->kind == PB_BLOCK)
		return ((const struct pb_block *)o)->parent;
	return NULL;
}

/* The file an import_tasks names, as load_list_of_tasks finds it: relative
 * to the import/include tasks above it first, then to the role or the
 * playbook directory. */
static int pb_block_import_file(struct pb_ctx *c, const struct pb_task *t, const struct pb_block *block,
                                int handlers, char **pathp)
{
	const char *subdir = handlers ? "handlers" : "tasks";
	const struct pb_obj *p = &block->obj;
	struct value *target = NULL, *pdir = NULL;
	char *cumulative = NULL, *file = NULL;
	int r;

	*pathp = NULL;
	if ((r = pb_template(c, value_map_get(t->args, "_raw_params"), &target)) != 0) {
		diag_fini(c->d);
		return pb_err(c, ERR_PARSE, value_map_get(t->args, "_raw_params"),
		              "Error when evaluating variable in import path: %s.\n\nWhen using static imports, ensure "
		              "that any variables used in their names are defined in vars/vars_files\nor extra-vars "
		              "passed in from the command line. Static imports cannot use variables from facts or "
		              "inventory\nsources like group or host vars.",
		              value_cstr(value_map_get(t->args, "_raw_params")));
	}
	if (target->type != VALUE_STR) {
		r = pb_err(c, ERR_PARSE, value_map_get(t->args, "_raw_params"), "the file to import must be a string");
		goto out;
	}
	for (; p != NULL; p = pb_block_up(p)) {
		const struct pb_task *pt = pb_obj_task(p);
		char *dir;

		if (pt == NULL || (pt->type != PB_TASK_IMPORT_TASKS && pt->type != PB_TASK_INCLUDE_TASKS))
			continue;
		value_unref(pdir);
		pdir = NULL;
		if ((r = pb_template(c, value_map_get(pt->args, "_raw_params"), &pdir)) != 0)
			goto out;
		dir = pb_path_dirname(c->pb, value_cstr(pdir) ? value_cstr(pdir) : "");
		if (cumulative == NULL)
			cumulative = dir;
		else if (cumulative[0] != '/')
			cumulative = pb_path_join(c->pb, dir, cumulative);
		if (t->role != NULL)
			file = pb_path_dwim_relative(c->pb, c->basedir,
			                             pb_path_join(c->pb, pb_path_join(c->pb, t->role->path, subdir), cumulative),
			                             subdir, target->u.s.ptr, 0);
		else
			file = pb_path_dwim_relative(c->pb, c->basedir, c->basedir, cumulative, target->u.s.ptr, 0);
		if (pb_path_exists(file))
			break;
		file = NULL;
	}
	if (file == NULL) {
		if (t->role != NULL)
			file = pb_path_dwim_relative(c->pb, c->basedir, t->role->path, subdir, target->u.s.ptr, 0);
		else
			file = pb_path_dwim(c->pb, c->basedir, target->u.s.ptr);
	}
	*pathp = file;
	r = 0;
out:
	value_unref(target);
	value_unref(pdir);
	return r;
}

/* Adds the import task's own tags to an imported block's. */
static void pb_block_add_tags(struct pb_ctx *c, struct pb_block *b, const struct value *tags)
{
	struct value *l;
	size_t i, j;

	if (tags == NULL || value_len(tags) == 0)
		return;
	l = b->obj.kw[PB_KW_TAGS] ? value_dup(b->obj.kw[PB_KW_TAGS]) : value_list();
	for (i = 0; i < value_len(tags); i++) {
		for (j = 0; j < value_len(l); j++)
			if (value_equal(value_list_at(l, j), value_list_at(tags, i)))
				break;
		if (j == value_len(l))
			value_list_push(l, value_ref(value_list_at(tags, i)));
	}
	b->obj.kw[PB_KW_TAGS] = pb_keep(c->pb, l);
}

static int pb_block_import_tasks_file(struct pb_ctx *c, const struct value *ds, struct pb_task *t,
                                      struct pb_block *block, struct pb_role *role, int handlers,
                                      struct pb_obj ***listp, size_t *np)
{
	struct pb_block **blocks = NULL;
	struct value *data = NULL;
	size_t nblocks = 0, i, j;
	char *file = NULL;
	int r;

	if (t->obj.kw[PB_KW_LOOP] != NULL)
		return pb_err(c, ERR_PARSE, ds,
		              "You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.");
	if (c->depth >= PB_MAX_DEPTH)
		return pb_err(c, ERR_DEPTH, value_map_get(t->args, "_raw_params"),
		              "imports nested deeper than %d levels (does a file import itself?)", PB_MAX_DEPTH);
	if ((r = pb_block_import_file(c, t, block, handlers, &file)) != 0)
		return r;
	t->import_path = file;
	if ((r = pb_file_load(c, file, value_map_get(t->args, "_raw_params"), &data)) != 0)
		return r;
	if (data->type == VALUE_NULL || (data->type == VALUE_LIST && value_len(data) == 0)) {
		/* Ansible warns and imports nothing. */
		value_unref(data);
		return 0;
	}
	if (data->type != VALUE_LIST) {
		r = pb_err(c, ERR_PARSE, data, "included task files must contain a list of tasks");
		value_unref(data);
		return r;
	}
	pb_keep(c->pb, data);
	t->parent = &block->obj;
	c->depth++;
	r = pb_block_load_list(c, data, &t->obj, role, handlers, NULL, &blocks, &nblocks);
	c->depth--;
	if (r != 0)
		return r;
	for (i = 0; i < nblocks; i++) {
		pb_block_add_tags(c, blocks[i], t->obj.kw[PB_KW_TAGS]);
		if (handlers) {
			/* Ansible lists the handlers themselves, not their blocks
			 * (the blocks stay their parents). */
			for (j = 0; j < blocks[i]->nblock; j++)
				pb_push(c->pb, (void ***)listp, np, blocks[i]->block[j]);
		} else {
			pb_push(c->pb, (void ***)listp, np, &blocks[i]->obj);
		}
	}
	return 0;
}

static int pb_block_import_role(struct pb_ctx *c, const struct value *ds, struct pb_task *t,
                                struct pb_obj ***listp, size_t *np)
{
	struct pb_block **blocks = NULL, **handlers = NULL;
	size_t nblocks = 0, nhandlers = 0, i;
	struct value *name = value_map_get(t->args, "name");
	struct value *from = value_map(), *rendered = NULL;
	struct pb_role *r = NULL;
	int rc;

	if (name == NULL)
		name = value_map_get(t->args, "role");
	if (t->obj.kw[PB_KW_LOOP] != NULL) {
		rc = pb_err(c, ERR_PARSE, ds,
		            "You cannot use loops on 'import_role' statements. You should use 'include_role' instead.");
		goto out;
	}
	for (i = 0; i < value_len(t->args); i++) {
		const char *k = value_cstr(value_map_key_at(t->args, i));
		size_t n = strlen(k);

		if (n > 5 && strcmp(k + n - 5, "_from") == 0) {
			value_unref(rendered);
			rendered = NULL;
			if ((rc = pb_template(c, value_map_val_at(t->args, i), &rendered)) != 0)
				goto out;
			value_map_set(from, pb_strndup(c->pb, k, n - 5),
			              value_pos_from(value_str(pb_path_basename(value_cstr(rendered) ? value_cstr(rendered)
			                                                                          : "")),
			                             value_map_val_at(t->args, i)));
		}
	}
	if ((rc = pb_role_load_for_include(c, t, name, from, &r)) != 0)
		goto out;
	t->import_role = r;
	if ((rc = pb_role_expand_include(c, t, r, &blocks, &nblocks, &handlers, &nhandlers)) != 0)
		goto out;
	for (i = 0; i < nblocks; i++)
		pb_push(c->pb, (void ***)listp, np, &blocks[i]->obj);
	for (i = 0; i < nhandlers; i++)
		pb_push(c->pb, (void ***)&c->play->handlers, &c->play->nhandlers, handlers[i]);
	rc = 0;
out:
	value_unref(from);
	value_unref(rendered);
	return rc;
}

/* A non-map entry where a task was expected. */
static int pb_block_not_task(struct pb_ctx *c, const struct value *entry, const struct value *group)
{
	if (group != NULL)
		return pb_err(c, ERR_PARSE, entry,
		              "A malformed block was encountered while loading a block. The ds (%s) should be a dict "
		              "but was a <class 'list'>",
		              pb_pyrepr(c->pb, group));
	return pb_err(c, ERR_PARSE, entry, "A malformed block was encountered while loading a block");
}

/* Ansible's load_list_of_tasks for one of block's lists. group is the list
 * of bare tasks an implicit block was made for (for messages), or NULL. */
static int pb_block_load_tasks(struct pb_ctx *c, const struct value *ds, const struct value *group,
                               struct pb_block *block, struct pb_role *role, int handlers,
                               struct pb_obj ***listp, size_t *np)
{
	size_t i;
	int r;

	for (i = 0; i < value_len(ds); i++) {
		const struct value *e = value_list_at(ds, i);
		struct pb_block *b;
		struct pb_task *t;

		if (e->type != VALUE_MAP)
			return pb_block_not_task(c, e, group);
		if (value_map_get(e, "block") != NULL) {
			if (handlers)
				return pb_err(c, ERR_PARSE, e, "Using a block as a handler is not supported.");
			if ((r = pb_block_load(c, e, NULL, &block->obj, role, handlers, &b)) != 0)
				return r;
			pb_push(c->pb, (void ***)listp, np, &b->obj);
			continue;
		}
		if ((r = pb_task_load(c, e, &block->obj, role, handlers, &t)) != 0)
			return r;
		if (t->type == PB_TASK_IMPORT_TASKS)
			r = pb_block_import_tasks_file(c, e, t, block, role, handlers, listp, np);
		else if (t->type == PB_TASK_IMPORT_ROLE)
			r = pb_block_import_role(c, e, t, listp, np);
		else
			pb_push(c->pb, (void ***)listp, np, &t->obj);
		if (r != 0)
			return r;
	}
	return 0;
}

static int pb_block_skip_key(const char *name)
{
	return strcmp(name, "block") == 0 || strcmp(name, "rescue") == 0 || strcmp(name, "always") == 0;
}

static int pb_block_section(struct pb_ctx *c, struct pb_block *b, const struct value *ds, const char *key,
                            struct pb_obj ***listp, size_t *np)
{
	const struct value *v = value_map_get(ds, key);

	if (v == NULL)
		return 0;
	if (v->type != VALUE_LIST)
		return pb_err(c, ERR_PARSE, v, "A malformed block was encountered while loading %s",
		              strcmp(key, "block") == 0 ? "a block" : strcmp(key, "rescue") == 0 ? "rescue." : key);
	return pb_block_load_tasks(c, v, NULL, b, b->role, (b->flags & PB_BLOCK_HANDLERS) != 0, listp, np);
}

/* Ansible's Block.load: ds is a block map, or group is a list of bare tasks
 * for an implicit block. */
static int pb_block_load(struct pb_ctx *c, const struct value *ds, const struct value *group, struct pb_obj *parent,
                         struct pb_role *role, int handlers, struct pb_block **bp)
{
	struct pb_block *b;
	int r;

	*bp = NULL;
	if ((r = pb_count_object(c, ds ? ds : group)) != 0)
		return r;
	b = pb_block_new(c->pb, ds ? ds : value_list_at(group, 0));
	b->parent = parent;
	b->play = c->play;
	b->role = role;
	if (handlers)
		b->flags |= PB_BLOCK_HANDLERS;
	if (group != NULL) {
		b->flags |= PB_BLOCK_IMPLICIT;
		if ((r = pb_block_load_tasks(c, group, group, b, role, handlers, &b->block, &b->nblock)) != 0)
			return r;
		*bp = b;
		return 0;
	}
	if ((r = pb_kw_load_all(c, &b->obj, ds, PB_ON_BLOCK, "Block", pb_block_skip_key)) != 0)
		return r;
	if ((r = pb_block_section(c, b, ds, "block", &b->block, &b->nblock)) != 0 ||
	    (r = pb_block_section(c, b, ds, "rescue", &b->rescue, &b->nrescue)) != 0 ||
	    (r = pb_block_section(c, b, ds, "always", &b->always, &b->nalways)) != 0)
		return r;
	if (b->nblock == 0 && (b->nrescue > 0 || b->nalways > 0)) {
		const char *which = b->nrescue > 0 ? "rescue" : "always";

		return pb_err(c, ERR_PARSE, value_map_key_at(ds, (size_t)value_map_find(ds, which, strlen(which))),
		              "'%s' keyword cannot be used without 'block'", which);
	}
	*bp = b;
	return 0;
}

int pb_block_load_list(struct pb_ctx *c, const struct value *ds, struct pb_obj *parent, struct pb_role *role,
                       int handlers, const char *what, struct pb_block ***outp, size_t *np)
{
	struct pb_block *b;
	struct value *group;
	size_t i = 0, n = value_len(ds);
	int r;

	(void)what;
	while (i < n) {
		const struct value *e = value_list_at(ds, i);

		if (e->type == VALUE_NULL) {
			i++;
			continue;
		}
		if (pb_block_is_block(e)) {
			if ((r = pb_block_load(c, e, NULL, parent, role, handlers, &b)) != 0)
				return r;
			pb_push(c->pb, (void ***)outp, np, b);
			i++;
			continue;
		}
		/* Consecutive bare tasks share one implicit block; a null entry
		 * ends the run, as in Ansible. */
		group = value_pos_from(value_list(), e);
		while (i < n && value_list_at(ds, i)->type != VALUE_NULL && !pb_block_is_block(value_list_at(ds, i)))
			value_list_push(group, value_ref(value_list_at(ds, i++)));
		pb_keep(c->pb, group);
		if ((r = pb_block_load(c, NULL, group, parent, role, handlers, &b)) != 0)
			return r;
		pb_push(c->pb, (void ***)outp, np, b);
	}
	return 0;
}

int pb_block_apply(struct pb_ctx *c, const struct pb_task *inc, struct pb_block **bp)
{
	const struct value *apply = value_map_get(inc->args, "apply");
	struct value *ds;
	struct pb_block *b;
	int r;

	*bp = NULL;
	if (apply == NULL || apply->type != VALUE_MAP || value_len(apply) == 0)
		return 0;
	/* apply: takes block keywords; its own block/rescue/always would be
	 * dropped by Ansible, which sets block to an empty list. */
	ds = pb_keep(c->pb, value_dup(apply));
	value_map_del(ds, "block");
	value_map_del(ds, "rescue");
	value_map_del(ds, "always");
	if ((r = pb_count_object(c, apply)) != 0)
		return r;
	b = pb_block_new(c->pb, apply);
	b->parent = (struct pb_obj *)&inc->obj;
	b->play = c->play;
	b->role = inc->role;
	b->flags = PB_BLOCK_APPLY;
	if ((r = pb_kw_load_all(c, &b->obj, ds, PB_ON_BLOCK, "Block", pb_block_skip_key)) != 0)
		return r;
	*bp = b;
	return 0;
}
