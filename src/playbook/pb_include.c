/* Dynamic includes the executor loads at run time: include_tasks files
 * (found as Ansible's IncludedFile finds them) and include_role roles. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

static const struct pb_obj *pb_include_up(const struct pb_obj *o)
{
	if (o->kind == PB_TASK)
		return ((const struct pb_task *)o)->parent;
	if (o->kind == PB_BLOCK)
		return ((const struct pb_block *)o)->parent;
	return NULL;
}

static struct pb_play *pb_include_play(const struct pb_task *t)
{
	const struct pb_obj *o;

	for (o = t->parent; o != NULL; o = pb_include_up(o)) {
		const struct pb_block *b = pb_obj_block(o);

		if (b != NULL && b->play != NULL)
			return b->play;
	}
	return NULL;
}

/* The directory an include/import task above names, for relative paths
 * below it: its file argument as written when it is no template, else the
 * directory of the file it was resolved to. */
static const char *pb_include_parent_dir(struct pb_playbook *pb, const struct pb_task *p)
{
	const char *raw;

	if (p->type == PB_TASK_INCLUDE_ROLE || p->type == PB_TASK_IMPORT_ROLE)
		return p->import_role != NULL ? p->import_role->path : "";
	raw = value_cstr(value_map_get(p->args, "_raw_params"));
	if (raw != NULL && !pb_is_template(raw))
		return pb_path_dirname(pb, raw);
	return p->import_path != NULL ? pb_path_dirname(pb, p->import_path) : "";
}

char *pb_include_path(const struct pb_task *inc, const char *target)
{
	struct pb_play *play = pb_include_play(inc);
	struct pb_playbook *pb;
	const char *basedir, *cumulative = NULL, *file = NULL;
	const struct pb_obj *o;

	if (play == NULL)
		return xstrdup(target);
	pb = play->pb;
	basedir = play->basedir;
	for (o = inc->parent; o != NULL; o = pb_include_up(o)) {
		const struct pb_task *p = pb_obj_task(o);
		const char *dir;

		if (p == NULL || p->type == PB_TASK_ACTION || p->type == PB_TASK_META)
			continue;
		dir = pb_include_parent_dir(pb, p);
		if (cumulative != NULL && cumulative[0] != '/')
			cumulative = pb_path_join(pb, dir, cumulative);
		else
			cumulative = dir;
		if (inc->role != NULL) {
			const char *nb = pb_path_join(pb, pb_path_join(pb, inc->role->path, "tasks"), cumulative);

			file = pb_path_dwim_relative(pb, basedir, inc->role->path, "tasks", target, 0);
			if (!pb_path_exists(file))
				file = pb_path_dwim_relative(pb, basedir, nb, "tasks", target, 0);
		} else {
			file = pb_path_dwim_relative(pb, basedir, basedir, cumulative, target, 0);
		}
		if (pb_path_exists(file))
			break;
	}
	if (file == NULL) {
		if (inc->role != NULL)
			file = pb_path_dwim_relative(pb, basedir, inc->role->path,
			                             (inc->flags & PB_TASK_HANDLER) ? "handlers" : "tasks", target, 1);
		else
			file = pb_path_dwim(pb, basedir, target);
	}
	return xstrdup(file);
}

static void pb_include_ctx(struct pb_ctx *c, struct pb_playbook *pb, struct pb_play *play, struct diag *d)
{
	memset(c, 0, sizeof(*c));
	c->pb = pb;
	c->d = d;
	c->play = play;
	c->basedir = play->basedir;
}

static struct pb_block **pb_include_array(struct pb_block **arena, size_t n)
{
	struct pb_block **out;

	if (n == 0)
		return NULL;
	out = xcalloc(n, sizeof(*out));
	memcpy(out, arena, n * sizeof(*out));
	return out;
}

int pb_include_tasks(struct pb_playbook *pb, const struct pb_task *inc, const char *path, const struct value *vars,
                     struct pb_block ***blocksp, size_t *np, struct diag *d)
{
	struct pb_play *play = pb_include_play(inc);
	struct pb_block **blocks = NULL, *apply = NULL;
	struct pb_task *copy;
	struct value *data = NULL, *v;
	struct value at;
	size_t n = 0;
	struct pb_ctx c;
	int r;

	*blocksp = NULL;
	*np = 0;
	if (play == NULL)
		return pb_err_pos(d, ERR_INTERNAL, &inc->obj.pos, "include_tasks outside a play");
	pb_include_ctx(&c, pb, play, d);
	memset(&at, 0, sizeof(at));
	at.pos = inc->obj.pos;
	if ((r = pb_file_load(&c, path, &at, &data)) != 0)
		return r;
	pb_keep(pb, data);
	if (data->type == VALUE_NULL)
		return 0;
	if (data->type != VALUE_LIST)
		return pb_err(&c, ERR_INVAL, data, "included task files must contain a list of tasks");
	/* The blocks hang below a copy of the include whose vars carry the
	 * loop item and the other specials of this inclusion. */
	copy = pb_task_copy(pb, inc, inc->parent);
	copy->import_path = pb_strdup(pb, path);
	if (vars != NULL && value_len(vars) > 0) {
		v = inc->obj.kw[PB_KW_VARS] ? value_dup(inc->obj.kw[PB_KW_VARS]) : value_map();
		value_map_update(v, vars, 0);
		copy->obj.kw[PB_KW_VARS] = pb_keep(pb, v);
	}
	if ((r = pb_block_apply(&c, copy, &apply)) != 0)
		return r;
	if ((r = pb_block_load_list(&c, data, apply ? &apply->obj : &copy->obj, inc->role,
	                            (inc->flags & PB_TASK_HANDLER) != 0, NULL, &blocks, &n)) != 0)
		return r;
	*blocksp = pb_include_array(blocks, n);
	*np = n;
	return 0;
}

int pb_include_role(struct pb_playbook *pb, const struct pb_task *inc, const char *role_name,
                    const struct value *from_files, struct pb_role **rolep, struct pb_block ***blocksp, size_t *np,
                    struct pb_block ***handlersp, size_t *nhandlersp, struct diag *d)
{
	struct pb_play *play = pb_include_play(inc);
	struct pb_block **blocks = NULL, **handlers = NULL;
	size_t nb = 0, nh = 0, i;
	struct value *name, *from;
	struct pb_role *r = NULL;
	struct pb_ctx c;
	int rc;

	*blocksp = *handlersp = NULL;
	*np = *nhandlersp = 0;
	if (rolep != NULL)
		*rolep = NULL;
	if (play == NULL)
		return pb_err_pos(d, ERR_INTERNAL, &inc->obj.pos, "include_role outside a play");
	pb_include_ctx(&c, pb, play, d);
	name = pb_keep(pb, value_at(value_str(role_name), inc->obj.pos.file, inc->obj.pos.line, inc->obj.pos.col));
	from = pb_keep(pb, value_map());
	for (i = 0; from_files != NULL && i < value_len(from_files); i++) {
		const char *f = value_cstr(value_map_val_at(from_files, i));

		if (f != NULL)
			value_map_set(from, value_cstr(value_map_key_at(from_files, i)), value_str(pb_path_basename(f)));
	}
	if ((rc = pb_role_load_for_include(&c, inc, name, from, &r)) != 0)
		return rc;
	if ((rc = pb_role_expand_include(&c, inc, r, &blocks, &nb, &handlers, &nh)) != 0)
		return rc;
	if (rolep != NULL)
		*rolep = r;
	*blocksp = pb_include_array(blocks, nb);
	*np = nb;
	*handlersp = pb_include_array(handlers, nh);
	*nhandlersp = nh;
	return 0;
}
