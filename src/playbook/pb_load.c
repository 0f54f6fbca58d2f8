/* Loading a playbook file: its plays and import_playbook entries (flattened
 * with the import's vars, tags and when), then the post-validation Ansible
 * makes before listing or running plays; load-time templating. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/kv.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"
#include "playbook/templar.h"

static int pb_load_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct value *v = value_map_getn(ctx, name, len);

	(void)d;
	if (v == NULL)
		return ERR_NOTFOUND;
	*vp = value_ref(v);
	return 0;
}

/* The built-in hook: the variables given and nothing else (no inventory,
 * no facts), as Ansible's load-time templating sees them. */
static int pb_load_template(struct pb_playbook *pb, const struct value *vars, const struct value *text,
                            struct value **outp, struct diag *d)
{
	struct tpl_scope s;

	memset(&s, 0, sizeof(s));
	s.ctx = (void *)vars;
	s.lookup = pb_load_lookup;
	if (pb->flags & PB_OPT_NO_LOOKUPS)
		s.flags |= TPL_SCOPE_NO_LOOKUPS;
	if (pb->templar == NULL)
		pb->templar = templar_new();
	return templar_value(pb->templar, text, &s, outp, d);
}

/* The vars a load-time template sees: the ones given, then extra vars. */
int pb_template(struct pb_ctx *c, const struct value *v, struct value **outp)
{
	struct value *vars;
	int r;

	*outp = NULL;
	if (v == NULL) {
		*outp = value_null();
		return 0;
	}
	if (v->type != VALUE_STR || !pb_is_template(v->u.s.ptr) || (v->flags & VALUE_F_UNSAFE)) {
		*outp = value_ref((struct value *)v);
		return 0;
	}
	vars = value_map();
	if (c->pb->magic_vars != NULL)
		value_map_update(vars, c->pb->magic_vars, 0);
	if (c->play != NULL) {
		const struct value *vp = c->play->vars_prompt;
		size_t i;

		if (c->play->obj.kw[PB_KW_VARS] != NULL)
			value_map_update(vars, c->play->obj.kw[PB_KW_VARS], 0);
		/* What a prompt would ask stands at its default, as in
		 * ansible-playbook's listings. */
		for (i = 0; vp != NULL && i < value_len(vp); i++) {
			const struct value *p = value_list_at(vp, i);
			const char *name = value_cstr(value_map_get(p, "name"));
			struct value *def = value_map_get(p, "default");

			if (name != NULL)
				value_map_set(vars, name, def ? value_ref(def) : value_null());
		}
		value_map_set(vars, "playbook_dir", value_str(c->play->basedir));
	} else if (c->vars != NULL) {
		value_map_update(vars, c->vars, 0);
	}
	if (c->pb->extra_vars != NULL)
		value_map_update(vars, c->pb->extra_vars, 0);
	if (c->pb->template != NULL)
		r = c->pb->template(c->pb->template_ctx, vars, v, outp, c->d);
	else
		r = pb_load_template(c->pb, vars, v, outp, c->d);
	value_unref(vars);
	if (r != 0) {
		value_unref(*outp);
		*outp = NULL;
		return r == ERR_TOOBIG || r == ERR_DEPTH ? r : ERR_PARSE;
	}
	return 0;
}

static int pb_load_playbook(struct pb_ctx *c, const char *file, const struct value *at, const struct value *vars,
                            size_t *firstp);

static int pb_load_is_import(const char *k)
{
	return strcmp(k, "import_playbook") == 0 || strcmp(k, "ansible.builtin.import_playbook") == 0 ||
	       strcmp(k, "ansible.legacy.import_playbook") == 0;
}

static int pb_load_import_skip(const char *name)
{
	return pb_load_is_import(name);
}

/* Prepends the import's when to a block (or role) keyword list. */
static void pb_load_prepend_when(struct pb_playbook *pb, struct pb_obj *o, const struct value *when)
{
	struct value *l = value_dup(when);
	const struct value *own = o->kw[PB_KW_WHEN];
	size_t i;

	for (i = 0; own != NULL && i < value_len(own); i++)
		value_list_push(l, value_ref(value_list_at(own, i)));
	o->kw[PB_KW_WHEN] = pb_keep(pb, l);
}

static void pb_load_add_tags(struct pb_playbook *pb, struct pb_obj *o, const struct value *tags)
{
	struct value *l = o->kw[PB_KW_TAGS] ? value_dup(o->kw[PB_KW_TAGS]) : value_list();
	size_t i, j;

	for (i = 0; i < value_len(tags); i++) {
		for (j = 0; j < value_len(l); j++)
			if (value_equal(value_list_at(l, j), value_list_at(tags, i)))
				break;
		if (j == value_len(l))
			value_list_push(l, value_ref(value_list_at(tags, i)));
	}
	o->kw[PB_KW_TAGS] = pb_keep(pb, l);
}

/* The import's vars, tags and when applied to a play it brought in
 * (PlaybookInclude.load_data). */
static void pb_load_apply_import(struct pb_ctx *c, struct pb_play *play, const struct pb_obj *imp)
{
	const struct value *ivars = imp->kw[PB_KW_VARS], *when = imp->kw[PB_KW_WHEN];
	struct value *vars, *ptags;
	struct pb_block **lists[3] = {play->pre_tasks, play->tasks, play->post_tasks};
	size_t counts[3] = {play->npre_tasks, play->ntasks, play->npost_tasks};
	size_t i, j;

	if (when != NULL && value_len(when) > 0) {
		struct value *w = value_dup(when);

		for (i = 0; play->included_when != NULL && i < value_len(play->included_when); i++)
			value_list_push(w, value_ref(value_list_at(play->included_when, i)));
		play->included_when = pb_keep(c->pb, w);
	}
	vars = play->obj.kw[PB_KW_VARS] ? value_dup(play->obj.kw[PB_KW_VARS]) : value_map();
	if (ivars != NULL)
		value_map_update(vars, ivars, 0);
	ptags = value_map_get(vars, "tags");
	if (ptags != NULL) {
		struct value *split = NULL;

		ptags = value_ref(ptags);
		value_map_del(vars, "tags");
		/* Ansible extends the play's tag list in place: a play without
		 * tags of its own (or from an inner import) has no list to
		 * extend, and its tags var is dropped. */
		if (ptags->type == VALUE_STR && play->obj.kw[PB_KW_TAGS] != NULL) {
			const char *p = ptags->u.s.ptr, *comma;

			/* Split at commas but not stripped, as Ansible does here. */
			split = value_list();
			while ((comma = strchr(p, ',')) != NULL) {
				value_list_push(split, value_pos_from(value_strn(p, (size_t)(comma - p)), ptags));
				p = comma + 1;
			}
			value_list_push(split, value_pos_from(value_str(p), ptags));
			pb_load_add_tags(c->pb, &play->obj, split);
			value_unref(split);
		}
		value_unref(ptags);
	}
	play->obj.kw[PB_KW_VARS] = pb_keep(c->pb, vars);
	if (imp->kw[PB_KW_TAGS] != NULL)
		pb_load_add_tags(c->pb, &play->obj, imp->kw[PB_KW_TAGS]);
	if (when == NULL || value_len(when) == 0)
		return;
	for (i = 0; i < 3; i++)
		for (j = 0; j < counts[i]; j++)
			pb_load_prepend_when(c->pb, &lists[i][j]->obj, when);
	for (i = 0; i < play->nroles; i++) {
		for (j = 0; j < i; j++)
			if (play->roles[j] == play->roles[i])
				break;
		if (j == i)
			pb_load_prepend_when(c->pb, &play->roles[i]->obj, when);
	}
}

/* PlaybookInclude: the entry's own checks, then the imported file. */
static int pb_load_import(struct pb_ctx *c, const struct value *entry)
{
	struct pb_obj imp;
	const struct value *key = NULL, *v = NULL;
	struct value *words = NULL, *name = NULL, *rendered = NULL;
	const struct value *saved_vars = c->vars;
	struct diag kd;
	size_t i, first = 0;
	char *file, *word;
	int r;

	memset(&imp, 0, sizeof(imp));
	imp.kind = PB_PLAY;
	imp.pos = entry->pos;
	for (i = 0; i < value_len(entry); i++) {
		if (pb_load_is_import(value_cstr(value_map_key_at(entry, i)))) {
			key = value_map_key_at(entry, i);
			v = value_map_val_at(entry, i);
		}
	}
	if (v->type == VALUE_NULL)
		return pb_err(c, ERR_PARSE, key, "playbook import parameter is missing");
	if (v->type != VALUE_STR)
		return pb_err(c, ERR_PARSE, v,
		              "playbook import parameter must be a string indicating a file path, got %s instead",
		              pb_pytype(v));
	if ((v = value_map_get(entry, "vars")) != NULL && v->type != VALUE_MAP)
		return pb_err(c, ERR_PARSE, v, "vars for import_playbook statements must be specified as a dictionary");
	if ((r = pb_kw_load_all(c, &imp, entry, PB_ON_PBINCLUDE, "PlaybookInclude", pb_load_import_skip)) != 0)
		return r;
	v = value_map_get(entry, value_cstr(key));
	diag_init(&kd);
	r = kv_split(v->u.s.ptr, v->u.s.len, &words, &kd);
	diag_fini(&kd);
	if (r != 0 || value_len(words) == 0) {
		value_unref(words);
		if (r != 0)
			return pb_err(c, ERR_PARSE, v, "failed at splitting arguments, either an unbalanced jinja2 block or "
			                               "quotes: %s", v->u.s.ptr);
		return pb_err(c, ERR_PARSE, v, "import_playbook statements must specify the file name to import");
	}
	word = pb_strdup(c->pb, value_cstr(value_list_at(words, 0)));
	value_unref(words);
	while (*word == ' ' || *word == '\n')
		word++;
	for (i = strlen(word); i > 0 && (word[i - 1] == ' ' || word[i - 1] == '\n'); i--)
		word[i - 1] = '\0';
	name = value_pos_from(value_str(word), v);
	/* The import's file name sees its own vars and the extra vars. */
	c->vars = imp.kw[PB_KW_VARS];
	c->play = NULL;
	r = pb_template(c, name, &rendered);
	c->vars = saved_vars;
	value_unref(name);
	if (r != 0)
		return r;
	pb_keep(c->pb, rendered);
	if (rendered->type != VALUE_STR) {
		return pb_err(c, ERR_PARSE, v, "playbook import parameter must be a string indicating a file path, got %s "
		                               "instead", pb_pytype(rendered));
	}
	file = rendered->u.s.ptr[0] == '/' ? rendered->u.s.ptr : pb_path_join(c->pb, c->basedir, rendered->u.s.ptr);
	if (c->depth >= PB_MAX_DEPTH)
		return pb_err(c, ERR_DEPTH, v, "import_playbook nested deeper than %d levels (does a playbook import itself?)",
		              PB_MAX_DEPTH);
	c->depth++;
	r = pb_load_playbook(c, file, v, imp.kw[PB_KW_VARS], &first);
	c->depth--;
	if (r != 0)
		return r;
	for (i = first; i < c->pb->nplays; i++)
		pb_load_apply_import(c, c->pb->plays[i], &imp);
	return 0;
}

/* Playbook._load_playbook_data: a file of plays and imports. *firstp is
 * the index of the first play it added. */
static int pb_load_playbook(struct pb_ctx *c, const char *file, const struct value *at, const struct value *vars,
                            size_t *firstp)
{
	struct pb_ctx sub = *c;
	struct value *ds = NULL;
	struct pb_play *play;
	size_t i;
	int r;

	*firstp = c->pb->nplays;
	sub.basedir = pb_path_unfrack(c->pb, pb_path_dirname(c->pb, file));
	sub.play = NULL;
	sub.vars = vars;
	if ((r = pb_file_load(&sub, pb_path_join(c->pb, sub.basedir, pb_path_basename(file)), at, &ds)) != 0)
		return r;
	pb_keep(c->pb, ds);
	if (ds->type == VALUE_NULL)
		return pb_err(c, ERR_PARSE, NULL, "Empty playbook, nothing to do: %s", pb_path_unfrack(c->pb, file));
	if (ds->type != VALUE_LIST)
		return pb_err(c, ERR_PARSE, ds, "A playbook must be a list of plays, got a %s instead: %s", pb_pytype(ds),
		              pb_path_unfrack(c->pb, file));
	if (value_len(ds) == 0)
		return pb_err(c, ERR_PARSE, ds, "A playbook must contain at least one play: %s", pb_path_unfrack(c->pb, file));
	for (i = 0; i < value_len(ds); i++) {
		const struct value *e = value_list_at(ds, i);
		size_t k;

		if (e->type != VALUE_MAP)
			return pb_err(c, ERR_PARSE, e,
			              "playbook entries must be either valid plays or 'import_playbook' statements");
		for (k = 0; k < value_len(e); k++)
			if (pb_load_is_import(value_cstr(value_map_key_at(e, k))))
				break;
		if (k < value_len(e)) {
			if ((r = pb_load_import(&sub, e)) != 0)
				return r;
			continue;
		}
		if ((r = pb_play_load(&sub, e, vars, &play)) != 0)
			return r;
		play->index = (int)c->pb->nplays;
		if (c->pb->nplays == c->pb->capplays) {
			c->pb->capplays = c->pb->capplays ? c->pb->capplays * 2 : 8;
			c->pb->plays = xreallocarray(c->pb->plays, c->pb->capplays, sizeof(*c->pb->plays));
		}
		c->pb->plays[c->pb->nplays++] = play;
		sub.play = NULL;
	}
	return 0;
}

int playbook_load(const char *path, const struct pb_opts *o, struct pb_playbook **pbp, struct diag *d)
{
	struct pb_playbook *pb = xcalloc(1, sizeof(*pb));
	struct pb_ctx c;
	size_t i, first;
	int r;

	*pbp = NULL;
	pb->path = xstrdup(path);
	if (o != NULL) {
		size_t n = o->nroles_path < PB_MAX_ROLES_PATH ? o->nroles_path : PB_MAX_ROLES_PATH;

		pb->roles_path = xcalloc(n + 1, sizeof(*pb->roles_path));
		for (i = 0; i < n; i++)
			if (o->roles_path[i] != NULL && o->roles_path[i][0] != '\0')
				pb->roles_path[pb->nroles_path++] = xstrdup(o->roles_path[i]);
		pb->extra_vars = o->extra_vars ? value_ref((struct value *)o->extra_vars) : NULL;
		pb->magic_vars = o->magic_vars ? value_ref((struct value *)o->magic_vars) : NULL;
		pb->template = o->template;
		pb->template_ctx = o->template_ctx;
		pb->flags = o->flags;
	}
	memset(&c, 0, sizeof(c));
	c.pb = pb;
	c.d = d;
	c.basedir = pb_path_unfrack(pb, ".");
	if (!pb_path_exists(path)) {
		r = pb_err(&c, ERR_NOTFOUND, NULL, "the playbook: %s could not be found", path);
		goto out;
	}
	if (!pb_path_is_file(path)) {
		r = pb_err(&c, ERR_NOTFOUND, NULL, "the playbook: %s does not appear to be a file", path);
		goto out;
	}
	if ((r = pb_load_playbook(&c, path, NULL, NULL, &first)) != 0)
		goto out;
	for (i = 0; i < pb->nplays; i++) {
		c.play = pb->plays[i];
		if ((r = pb_play_post_validate(&c, pb->plays[i])) != 0)
			goto out;
	}
	*pbp = pb;
	pb = NULL;
	r = 0;
out:
	playbook_free(pb);
	return r;
}
