/* Plays: their keywords and sections (Play.load), the checks Ansible makes
 * when a play is post-validated before it runs or is listed, and the block
 * lists the executor walks (Play.compile, the handler list). */
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

static const char *const pb_play_sections[] = {"roles", "handlers", "pre_tasks", "post_tasks", "tasks", "vars_prompt",
                                               "user"};

static int pb_play_skip(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(pb_play_sections) / sizeof(pb_play_sections[0]); i++)
		if (strcmp(name, pb_play_sections[i]) == 0)
			return 1;
	return 0;
}

static int pb_play_vars_prompt(struct pb_ctx *c, struct pb_play *play, const struct value *v)
{
	static const char *const keys[] = {"name", "prompt", "default", "private", "confirm",
	                                   "encrypt", "salt_size", "salt", "unsafe"};
	struct value *list;
	size_t i, j, k;

	if (v == NULL || v->type == VALUE_NULL)
		return 0;
	if (v->type == VALUE_MAP) {
		list = value_pos_from(value_list(), v);
		value_list_push(list, value_ref((struct value *)v));
	} else if (v->type == VALUE_LIST) {
		list = value_ref((struct value *)v);
	} else {
		return pb_err(c, ERR_PARSE, v,
		              "variable files must contain either a dictionary of variables, or a list of dictionaries. "
		              "Got: %s (%s)",
		              pb_pystr(c->pb, v), pb_pytype(v));
	}
	pb_keep(c->pb, list);
	for (i = 0; i < value_len(list); i++) {
		const struct value *p = value_list_at(list, i);

		if (p->type != VALUE_MAP || value_map_get(p, "name") == NULL)
			return pb_err(c, ERR_PARSE, p, "Invalid vars_prompt data structure, missing 'name' key");
		for (j = 0; j < value_len(p); j++) {
			const char *key = value_cstr(value_map_key_at(p, j));

			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
				if (strcmp(key, keys[k]) == 0)
					break;
			if (k == sizeof(keys) / sizeof(keys[0]))
				return pb_err(c, ERR_PARSE, value_map_key_at(p, j),
				              "Invalid vars_prompt data structure, found unsupported key '%s'", key);
		}
	}
	play->vars_prompt = list;
	return 0;
}

/* Play._validate_hosts, for a hosts key that was written. */
static int pb_play_validate_hosts(struct pb_ctx *c, const struct value *h)
{
	size_t i;

	if (h->type == VALUE_NULL || ((h->type == VALUE_STR || h->type == VALUE_LIST || h->type == VALUE_MAP) &&
	                              value_len(h) == 0) ||
	    (h->type == VALUE_BOOL && !h->u.b) || (h->type == VALUE_INT && h->u.i == 0))
		return pb_err(c, ERR_PARSE, h, "Hosts list cannot be empty. Please check your playbook");
	if (h->type == VALUE_LIST) {
		for (i = 0; i < value_len(h); i++) {
			const struct value *e = value_list_at(h, i);

			if (e->type == VALUE_NULL)
				return pb_err(c, ERR_PARSE, e, "Hosts list cannot contain values of 'None'. Please check your playbook");
			if (e->type != VALUE_STR)
				return pb_err(c, ERR_PARSE, e, "Hosts list contains an invalid host value: '%s'", pb_pystr(c->pb, e));
		}
		return 0;
	}
	if (h->type != VALUE_STR)
		return pb_err(c, ERR_PARSE, h, "Hosts list must be a sequence or string. Please check your playbook.");
	return 0;
}

/* Blocks from one of the task sections. */
static int pb_play_section(struct pb_ctx *c, struct pb_play *play, const struct value *ds, const char *key,
                           int handlers, struct pb_block ***outp, size_t *np)
{
	const struct value *v = value_map_get(ds, key);

	if (v == NULL || v->type == VALUE_NULL)
		return 0;
	if (v->type != VALUE_LIST) {
		if (strcmp(key, "tasks") == 0)
			return pb_err(c, ERR_PARSE, v,
			              "A malformed block was encountered while loading tasks: %s should be a list or None but "
			              "is %s",
			              pb_pyrepr(c->pb, v), pb_pytype(v));
		return pb_err(c, ERR_PARSE, v, "A malformed block was encountered while loading %s", key);
	}
	(void)play;
	return pb_block_load_list(c, v, NULL, NULL, handlers, key, outp, np);
}

int pb_play_load(struct pb_ctx *c, const struct value *ds, const struct value *vars, struct pb_play **playp)
{
	struct pb_play *play;
	const struct value *v;
	struct value *pvars = NULL;
	size_t i;
	int r;

	*playp = NULL;
	play = pb_alloc(c->pb, sizeof(*play));
	pb_push(c->pb, (void ***)&c->pb->made, &c->pb->nmade, play);
	play->obj.kind = PB_PLAY;
	play->obj.pos = ds->pos;
	play->pb = c->pb;
	play->basedir = c->basedir;
	play->file = ds->pos.file;
	c->play = play;
	if (value_map_get(ds, "user") != NULL && value_map_get(ds, "remote_user") != NULL)
		return pb_err(c, ERR_PARSE, ds,
		              "both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and "
		              "should be removed");
	if ((r = pb_kw_load_all(c, &play->obj, ds, PB_ON_PLAY, "Play", pb_play_skip)) != 0)
		return r;
	if ((v = value_map_get(ds, "user")) != NULL)
		play->obj.kw[PB_KW_REMOTE_USER] = (struct value *)v;
	/* vars of an import_playbook come first; the play's own override them
	 * here (and the import's win again once the import is applied). */
	if (vars != NULL && value_len(vars) > 0) {
		pvars = value_dup(vars);
		if (play->obj.kw[PB_KW_VARS] != NULL)
			value_map_update(pvars, play->obj.kw[PB_KW_VARS], 0);
		play->obj.kw[PB_KW_VARS] = pb_keep(c->pb, pvars);
	}
	if ((r = pb_kw_validate(c, &play->obj)) != 0)
		return r;
	v = value_map_get(ds, "roles");
	if (v != NULL && v->type != VALUE_NULL) {
		if (v->type != VALUE_LIST)
			return pb_err(c, ERR_PARSE, v, "A malformed role declaration was encountered.");
		if ((r = pb_role_load_list(c, v, NULL, &play->roles, &play->nroles)) != 0)
			return r;
	}
	if ((r = pb_play_vars_prompt(c, play, value_map_get(ds, "vars_prompt"))) != 0)
		return r;
	if ((r = pb_play_section(c, play, ds, "handlers", 1, &play->handlers, &play->nhandlers)) != 0 ||
	    (r = pb_play_section(c, play, ds, "pre_tasks", 0, &play->pre_tasks, &play->npre_tasks)) != 0 ||
	    (r = pb_play_section(c, play, ds, "post_tasks", 0, &play->post_tasks, &play->npost_tasks)) != 0 ||
	    (r = pb_play_section(c, play, ds, "tasks", 0, &play->tasks, &play->ntasks)) != 0)
		return r;
	if ((v = value_map_get(ds, "hosts")) != NULL && (r = pb_play_validate_hosts(c, v)) != 0)
		return r;
	for (i = 0; i < play->nroles; i++)
		if (!play->roles[i]->from_include)
			pb_role_compile(c->pb, play, play->roles[i], NULL, 0, &play->role_blocks, &play->nrole_blocks);
	if (c->pb->nobjects > PB_MAX_OBJECTS)
		return pb_err(c, ERR_TOOBIG, value_map_get(ds, "roles"),
		              "the playbook is too big: more than %d tasks and blocks", PB_MAX_OBJECTS);
	*playp = play;
	return 0;
}

static int pb_play_check(struct pb_ctx *c, struct pb_play *play, enum pb_kw k)
{
	const struct value *v = play->obj.kw[k];
	int64_t n;
	double f;
	int b;
	size_t i;

	if (v == NULL || v->type == VALUE_NULL || (v->type == VALUE_STR && pb_is_template(v->u.s.ptr)))
		return 0;
	switch (k) {
	case PB_KW_GATHER_FACTS:
	case PB_KW_FORCE_HANDLERS: return pb_kw_bool(v, pb_kw_name(k), &b, c->d);
	case PB_KW_GATHER_TIMEOUT: return pb_kw_int(v, pb_kw_name(k), &n, c->d);
	case PB_KW_MAX_FAIL_PERCENTAGE: return pb_kw_percent(v, pb_kw_name(k), &f, c->d);
	case PB_KW_GATHER_SUBSET:
		for (i = 0; v->type == VALUE_LIST && i < value_len(v); i++)
			if (value_list_at(v, i)->type != VALUE_STR)
				return pb_err(c, ERR_PARSE, value_list_at(v, i),
				              "the field 'gather_subset' should be a list of <class 'str'>, but the item '%s' "
				              "is a %s",
				              pb_pystr(c->pb, value_list_at(v, i)), pb_pytype(value_list_at(v, i)));
		return 0;
	case PB_KW_SERIAL: {
		struct value *l = pb_keep(c->pb, pb_kw_list(v));

		/* Ansible finds a bad batch size only when the play runs; drover
		 * says so before anything runs. */
		for (i = 0; i < value_len(l); i++) {
			const struct value *e = value_list_at(l, i);

			if (e->type == VALUE_INT || (e->type == VALUE_STR && pb_is_template(e->u.s.ptr)))
				continue;
			if (e->type == VALUE_STR && pb_kw_percent(e, "serial", &f, NULL) == 0)
				continue;
			return pb_err(c, ERR_PARSE, e,
			              "the field 'serial' has an invalid value (%s): a batch size is a number of hosts or "
			              "a percentage",
			              pb_pystr(c->pb, e));
		}
		return 0;
	}
	default: return 0;
	}
}

static int pb_play_templated(const struct value *v)
{
	size_t i;

	if (v == NULL)
		return 0;
	if (v->type == VALUE_STR)
		return pb_is_template(v->u.s.ptr) && !(v->flags & VALUE_F_UNSAFE);
	for (i = 0; v->type == VALUE_LIST && i < value_len(v); i++)
		if (pb_play_templated(value_list_at(v, i)))
			return 1;
	return 0;
}

/* A keyword rendered for post-validation, with Ansible's message when a
 * variable is undefined (which repeats the cause, as Ansible's does). */
static int pb_play_render(struct pb_ctx *c, const struct value *v, const char *field, struct value **outp)
{
	struct diag *saved = c->d, tmp;
	int r;

	diag_init(&tmp);
	c->d = &tmp;
	r = pb_template(c, v, outp);
	c->d = saved;
	if (r != 0)
		pb_err(c, ERR_PARSE, v,
		       "The field '%s' has an invalid value, which includes an undefined variable. The error was: %s. %s",
		       field, tmp.msg ? tmp.msg : "?", tmp.msg ? tmp.msg : "?");
	diag_fini(&tmp);
	return r != 0 ? ERR_PARSE : 0;
}

/* Ansible templates a play's name and hosts before it lists or runs it;
 * the keywords stay as written for the executor, the names shown use the
 * rendering. An undefined name stays as written, as in Ansible. */
static int pb_play_template_names(struct pb_ctx *c, struct pb_play *play)
{
	const struct value *name = play->obj.kw[PB_KW_NAME], *hosts = play->obj.kw[PB_KW_HOSTS];
	struct value *out = NULL, *list;
	struct diag tmp;
	size_t i;
	int r;

	if (pb_play_templated(hosts)) {
		list = pb_keep(c->pb, value_pos_from(value_list(), hosts));
		for (i = 0; i < (hosts->type == VALUE_LIST ? value_len(hosts) : 1); i++) {
			const struct value *h = hosts->type == VALUE_LIST ? value_list_at(hosts, i) : hosts;

			if ((r = pb_play_render(c, h, "hosts", &out)) != 0)
				return r;
			if (out->type == VALUE_LIST) {
				for (size_t j = 0; j < value_len(out); j++)
					value_list_push(list, value_str(pb_pystr(c->pb, value_list_at(out, j))));
			} else {
				value_list_push(list, value_pos_from(value_str(pb_pystr(c->pb, out)), h));
			}
			value_unref(out);
		}
		play->hosts_list = list;
		if (name == NULL || name->type == VALUE_NULL) {
			struct value *joined = value_str("");

			for (i = 0; i < value_len(list); i++) {
				struct value *n = value_strf("%s%s%s", value_cstr(joined), i ? "," : "",
				                             value_cstr(value_list_at(list, i)));

				value_unref(joined);
				joined = n;
			}
			play->display_name = pb_strdup(c->pb, value_cstr(joined));
			value_unref(joined);
		}
	}
	if (pb_play_templated(name)) {
		struct diag *saved = c->d;

		diag_init(&tmp);
		c->d = &tmp;
		r = pb_template(c, name, &out);
		c->d = saved;
		diag_fini(&tmp);
		if (r == 0) {
			play->display_name = pb_pystr(c->pb, out);
			value_unref(out);
		}
	}
	return 0;
}

int pb_play_post_validate(struct pb_ctx *c, struct pb_play *play)
{
	static const enum pb_kw checked[] = {PB_KW_GATHER_FACTS, PB_KW_GATHER_SUBSET, PB_KW_GATHER_TIMEOUT,
	                                     PB_KW_FORCE_HANDLERS, PB_KW_MAX_FAIL_PERCENTAGE, PB_KW_SERIAL};
	const struct value *h = play->obj.kw[PB_KW_HOSTS];
	size_t i;
	int r;

	if (h == NULL || h->type == VALUE_NULL)
		return pb_err_pos(c->d, ERR_PARSE, &play->obj.pos, "the field 'hosts' is required but was not set");
	if (h->type == VALUE_LIST) {
		for (i = 0; i < value_len(h); i++) {
			const char *s = value_cstr(value_list_at(h, i));

			while (s != NULL && (*s == ' ' || *s == '\t' || *s == '\n'))
				s++;
			if (s == NULL || *s == '\0')
				return pb_err(c, ERR_PARSE, value_list_at(h, i),
				              "the field 'hosts' is required, and cannot have empty values");
		}
	}
	for (i = 0; i < sizeof(checked) / sizeof(checked[0]); i++)
		if ((r = pb_play_check(c, play, checked[i])) != 0)
			return r;
	pb_model_names(play);
	return pb_play_template_names(c, play);
}

static struct pb_block *pb_play_flush_block(struct pb_play *play)
{
	struct pb_block *b = pb_block_new(play->pb, NULL);
	struct pb_task *t;

	b->obj.pos = play->obj.pos;
	b->play = play;
	b->flags = PB_BLOCK_IMPLICIT;
	t = pb_task_meta(play->pb, "flush_handlers", &b->obj, NULL);
	pb_push(play->pb, (void ***)&b->block, &b->nblock, &t->obj);
	return b;
}

static void pb_play_push(struct pb_block ***arrp, size_t *np, size_t *capp, struct pb_block *b)
{
	if (*np == *capp) {
		*capp = *capp ? *capp * 2 : 16;
		*arrp = xreallocarray(*arrp, *capp, sizeof(**arrp));
	}
	(*arrp)[(*np)++] = b;
}

/* A force_handlers section: its tasks in block, the flush in always. */
static struct pb_block *pb_play_forced(struct pb_play *play, struct pb_block **a, size_t na, struct pb_block **b,
                                       size_t nb, struct pb_block *flush)
{
	struct pb_block *blk = pb_block_new(play->pb, NULL);
	size_t i;

	blk->obj.pos = play->obj.pos;
	blk->play = play;
	for (i = 0; i < na; i++)
		pb_push(play->pb, (void ***)&blk->block, &blk->nblock, &a[i]->obj);
	for (i = 0; i < nb; i++)
		pb_push(play->pb, (void ***)&blk->block, &blk->nblock, &b[i]->obj);
	if (blk->nblock == 0) {
		struct pb_task *noop = pb_task_meta(play->pb, "noop", &blk->obj, NULL);

		pb_push(play->pb, (void ***)&blk->block, &blk->nblock, &noop->obj);
	}
	pb_push(play->pb, (void ***)&blk->always, &blk->nalways, &flush->obj);
	return blk;
}

void pb_play_compile(struct pb_play *play, int force_handlers, struct pb_block ***blocksp, size_t *np)
{
	struct pb_block *flush = pb_play_flush_block(play);
	struct pb_block **out = NULL;
	size_t n = 0, cap = 0, i;

	if (force_handlers) {
		pb_play_push(&out, &n, &cap, pb_play_forced(play, play->pre_tasks, play->npre_tasks, NULL, 0, flush));
		pb_play_push(&out, &n, &cap,
		             pb_play_forced(play, play->role_blocks, play->nrole_blocks, play->tasks, play->ntasks, flush));
		pb_play_push(&out, &n, &cap, pb_play_forced(play, play->post_tasks, play->npost_tasks, NULL, 0, flush));
	} else {
		for (i = 0; i < play->npre_tasks; i++)
			pb_play_push(&out, &n, &cap, play->pre_tasks[i]);
		pb_play_push(&out, &n, &cap, flush);
		for (i = 0; i < play->nrole_blocks; i++)
			pb_play_push(&out, &n, &cap, play->role_blocks[i]);
		for (i = 0; i < play->ntasks; i++)
			pb_play_push(&out, &n, &cap, play->tasks[i]);
		pb_play_push(&out, &n, &cap, flush);
		for (i = 0; i < play->npost_tasks; i++)
			pb_play_push(&out, &n, &cap, play->post_tasks[i]);
		pb_play_push(&out, &n, &cap, flush);
	}
	*blocksp = out;
	*np = n;
}

void pb_play_handlers(struct pb_play *play, struct pb_block ***blocksp, size_t *np)
{
	struct pb_block **out = NULL, **hb;
	size_t n = 0, cap = 0, nhb, i, j, k;

	for (i = 0; i < play->nroles; i++) {
		if (play->roles[i]->from_include)
			continue;
		for (k = 0; k < i; k++)
			if (play->roles[k] == play->roles[i])
				break;
		if (k < i)
			continue;
		hb = NULL;
		nhb = 0;
		pb_role_handler_blocks(play->pb, play, play->roles[i], NULL, 0, &hb, &nhb);
		/* A shared instance's blocks come back for each place it is
		 * listed; Ansible lists the same handler objects again, which
		 * run once all the same. */
		for (j = 0; j < nhb; j++) {
			for (k = 0; k < n; k++)
				if (out[k] == hb[j])
					break;
			if (k == n)
				pb_play_push(&out, &n, &cap, hb[j]);
		}
	}
	for (i = 0; i < play->nhandlers; i++) {
		for (k = 0; k < n; k++)
			if (out[k] == play->handlers[i])
				break;
		if (k == n)
			pb_play_push(&out, &n, &cap, play->handlers[i]);
	}
	*blocksp = out;
	*np = n;
}
