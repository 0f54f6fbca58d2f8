/* Roles: role definitions (a name, or a map with role:/name:, keywords and
 * role params), the role search path, a role directory's files
 * (tasks/ handlers/ defaults/ vars/ meta/), meta dependencies, the per-play
 * instance cache, and expansion into blocks (Role.compile). */
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

/* A role definition after RoleDefinition.preprocess_data. */
struct pb_role_def {
	const struct value *ds;     /* as written: a string or a map */
	const char *name;           /* as resolved: a path's basename */
	const char *path;           /* the role directory (links resolved) */
	struct pb_obj kw;           /* keywords of the definition */
	struct value *params;       /* new map */
};

static int pb_role_def_skip(const char *name)
{
	int k = pb_kw_lookup(name);

	/* Role params are every key that is not a RoleInclude attribute. */
	return strcmp(name, "role") == 0 || k < 0 || !(pb_kw_accepts((enum pb_kw)k) & PB_ON_ROLE);
}

/* RoleDefinition._load_role_path: the first existing directory among the
 * playbook's roles/, roles_path, the depending role's parent directory and
 * the playbook directory itself. */
static int pb_role_find(struct pb_ctx *c, const struct value *at, const char *name, const char *role_basedir,
                        const char **namep, const char **pathp)
{
	const char **paths = NULL;
	size_t n = 0, i;
	struct value *msg;
	char *cand;

	pb_push(c->pb, (void ***)&paths, &n, pb_path_join(c->pb, c->basedir, "roles"));
	for (i = 0; i < c->pb->nroles_path; i++)
		pb_push(c->pb, (void ***)&paths, &n, c->pb->roles_path[i]);
	if (role_basedir != NULL)
		pb_push(c->pb, (void ***)&paths, &n, (void *)role_basedir);
	pb_push(c->pb, (void ***)&paths, &n, (void *)c->basedir);
	for (i = 0; i < n; i++) {
		cand = pb_path_unfrack(c->pb, pb_path_join(c->pb, paths[i], name));
		if (pb_path_exists(cand)) {
			*namep = name;
			*pathp = pb_path_real(c->pb, cand);
			return 0;
		}
	}
	cand = pb_path_unfrack(c->pb, name);
	if (pb_path_exists(cand)) {
		*namep = pb_strdup(c->pb, pb_path_basename(name));
		*pathp = pb_path_real(c->pb, cand);
		return 0;
	}
	msg = value_str("");
	for (i = 0; i < n; i++) {
		struct value *m = value_strf("%s%s%s", value_cstr(msg), i ? ":" : "", paths[i]);

		value_unref(msg);
		msg = m;
	}
	pb_err(c, ERR_NOTFOUND, at, "the role '%s' was not found in %s", name, value_cstr(msg));
	value_unref(msg);
	return ERR_NOTFOUND;
}

/* RoleInclude.load and RoleDefinition.preprocess_data. */
static int pb_role_def_load(struct pb_ctx *c, const struct value *ds, const char *role_basedir,
                            struct pb_role_def *def)
{
	const struct value *namev = NULL;
	struct value *rendered = NULL;
	size_t i;
	int r;

	memset(def, 0, sizeof(*def));
	def->ds = ds;
	def->kw.kind = PB_ROLE;
	def->kw.pos = ds->pos;
	if (ds->type != VALUE_STR && ds->type != VALUE_MAP)
		return pb_err(c, ERR_PARSE, ds, "Invalid role definition: %s", pb_pystr(c->pb, ds));
	if (ds->type == VALUE_STR && strchr(ds->u.s.ptr, ',') != NULL)
		return pb_err(c, ERR_INVAL, ds, "Invalid old style role requirement: %s", ds->u.s.ptr);
	if (ds->type == VALUE_STR) {
		namev = ds;
	} else {
		namev = value_map_get(ds, "role");
		if (namev == NULL)
			namev = value_map_get(ds, "name");
		if (namev == NULL || namev->type != VALUE_STR || namev->u.s.len == 0)
			return pb_err(c, ERR_INVAL, ds, "role definitions must contain a role name");
	}
	if ((r = pb_template(c, namev, &rendered)) != 0)
		return r;
	if (rendered->type != VALUE_STR || rendered->u.s.len == 0) {
		value_unref(rendered);
		return pb_err(c, ERR_INVAL, namev, "role definitions must contain a role name");
	}
	pb_keep(c->pb, rendered);
	if ((r = pb_role_find(c, namev, rendered->u.s.ptr, role_basedir, &def->name, &def->path)) != 0)
		return r;
	def->params = pb_keep(c->pb, value_pos_from(value_map(), ds));
	if (ds->type != VALUE_MAP)
		return 0;
	for (i = 0; i < value_len(ds); i++) {
		const char *k = value_cstr(value_map_key_at(ds, i));

		if (pb_role_def_skip(k) && strcmp(k, "role") != 0)
			value_map_set(def->params, k, value_ref(value_map_val_at(ds, i)));
	}
	return pb_kw_load_all(c, &def->kw, ds, PB_ON_ROLE, "RoleInclude", pb_role_def_skip);
}

/* The ROLE_CACHE key of Role.load. */
static struct value *pb_role_key(const struct pb_role_def *def, const struct value *from_files, int from_include)
{
	struct value *key = value_map();
	const struct value *vars = def->kw.kw[PB_KW_VARS];

	value_map_update(key, def->params, 0);
	value_map_set(key, "when", def->kw.kw[PB_KW_WHEN] ? value_ref(def->kw.kw[PB_KW_WHEN]) : value_list());
	value_map_set(key, "tags", def->kw.kw[PB_KW_TAGS] ? value_ref(def->kw.kw[PB_KW_TAGS]) : value_list());
	value_map_set(key, "from_files", from_files ? value_ref((struct value *)from_files) : value_map());
	if (vars != NULL && value_len(vars) > 0)
		value_map_set(key, "vars", value_ref((struct value *)vars));
	value_map_set(key, "from_include", value_bool(from_include));
	return key;
}

static struct pb_play_priv *pb_role_priv(struct pb_play *play)
{
	if (play->priv == NULL)
		play->priv = xcalloc(1, sizeof(*play->priv));
	return play->priv;
}

static void pb_role_add_parent(struct pb_playbook *pb, struct pb_role *r, struct pb_role *parent)
{
	size_t i;

	if (parent == NULL)
		return;
	for (i = 0; i < r->nparents; i++)
		if (r->parents[i] == parent)
			return;
	pb_push(pb, (void ***)&r->parents, &r->nparents, parent);
}

/* Ansible's Role._load_role_yaml: the data of subdir/main (or the *_from
 * file), a vars directory's files combined when allow_dir. */
static int pb_role_yaml(struct pb_ctx *c, struct pb_role *r, const char *subdir, const char *main, int allow_dir,
                        struct value **datap)
{
	static const char *const ext_main[] = {".yml", ".yaml", ".json", "", NULL};
	static const char *const ext_from[] = {"", ".yml", ".yaml", ".json", NULL};
	char *dir = pb_path_join(c->pb, r->path, subdir);
	struct value *data = NULL, *nd = NULL;
	char **files = NULL;
	size_t n = 0, i;
	struct value at;
	int rc;

	*datap = NULL;
	if (!pb_path_is_dir(dir))
		return 0;
	pb_file_find_vars(c->pb, dir, main ? main : "main", main ? ext_from : ext_main, allow_dir, &files, &n);
	memset(&at, 0, sizeof(at));
	at.pos = r->obj.pos;
	if (n == 0 && main != NULL)
		return pb_err(c, ERR_PARSE, &at, "Could not find specified file in role: %s/%s", subdir, main);
	for (i = 0; i < n; i++) {
		if ((rc = pb_file_load(c, files[i], &at, &nd)) != 0) {
			value_unref(data);
			return rc;
		}
		if (nd->type == VALUE_NULL || ((nd->type == VALUE_MAP || nd->type == VALUE_LIST) && value_len(nd) == 0)) {
			value_unref(nd);
			continue;
		}
		if (data != NULL && nd->type == VALUE_MAP && data->type == VALUE_MAP) {
			value_mut(&data);
			value_map_update(data, nd, 0);
			value_unref(nd);
		} else {
			value_unref(data);
			data = nd;
		}
		nd = NULL;
		if (!allow_dir)
			break;
	}
	*datap = data ? pb_keep(c->pb, data) : NULL;
	return 0;
}

static int pb_role_vars_file(struct pb_ctx *c, struct pb_role *r, const char *subdir, struct value **outp)
{
	const struct value *from = value_map_get(r->from_files, subdir);
	struct value *data;
	struct value at;
	int rc;

	if ((rc = pb_role_yaml(c, r, subdir, value_cstr(from), 1, &data)) != 0)
		return rc;
	if (data == NULL) {
		*outp = pb_keep(c->pb, value_map());
		return 0;
	}
	if (data->type != VALUE_MAP) {
		memset(&at, 0, sizeof(at));
		at.pos = data->pos;
		return pb_err(c, ERR_PARSE, &at, "The %s/main.yml file for role '%s' must contain a dictionary of variables",
		              subdir, r->name);
	}
	*outp = data;
	return 0;
}

static int pb_role_meta_skip(const char *name)
{
	int k = pb_kw_lookup(name);

	if (strcmp(name, "allow_duplicates") == 0 || strcmp(name, "dependencies") == 0 ||
	    strcmp(name, "galaxy_info") == 0 || strcmp(name, "argument_specs") == 0)
		return 1;
	/* RoleMetadata has Base's attributes and collections, not tags/when. */
	return k >= 0 && k <= PB_KW_BECOME_EXE;
}

/* Ansible's RoleRequirement.role_yaml_parse for a dependency given as
 * {src: ...}: the role's name. */
static const char *pb_role_src_name(struct pb_ctx *c, const struct value *src)
{
	const char *s = value_cstr(src), *p, *comma;
	char *name;
	size_t n;

	if (s == NULL)
		return NULL;
	comma = strchr(s, ',');
	if (comma != NULL) {
		const char *second = strchr(comma + 1, ',');

		if (second != NULL && second[1] != '\0')
			return pb_strdup(c->pb, second + 1);
		s = pb_strndup(c->pb, s, (size_t)(comma - s));
	}
	if (strstr(s, "://") == NULL && strchr(s, '@') == NULL)
		return s;
	p = strrchr(s, '/');
	name = pb_strdup(c->pb, p ? p + 1 : s);
	n = strlen(name);
	if (n > 4 && strcmp(name + n - 4, ".git") == 0)
		name[n - 4] = '\0';
	else if (n > 7 && strcmp(name + n - 7, ".tar.gz") == 0)
		name[n - 7] = '\0';
	return name;
}

static int pb_role_meta(struct pb_ctx *c, struct pb_role *r, const struct value *meta)
{
	const struct value *deps, *dup;
	struct value *list;
	size_t i;
	int rc;

	if (meta->type != VALUE_MAP)
		return pb_err(c, ERR_PARSE, meta, "the 'meta/main.yml' for role %s is not a dictionary", r->name);
	for (i = 0; i < value_len(meta); i++) {
		const struct value *k = value_map_key_at(meta, i);

		if (!pb_role_meta_skip(value_cstr(k)) && pb_kw_lookup(value_cstr(k)) != PB_KW_COLLECTIONS)
			return pb_err(c, ERR_PARSE, k, "'%s' is not a valid attribute for a RoleMetadata", value_cstr(k));
	}
	dup = value_map_get(meta, "allow_duplicates");
	if (dup != NULL) {
		struct diag tmp;
		int b = 0;

		diag_init(&tmp);
		if (pb_kw_bool(dup, "allow_duplicates", &b, &tmp) != 0)
			b = !(dup->type == VALUE_NULL || (dup->type == VALUE_STR && dup->u.s.len == 0));
		diag_fini(&tmp);
		r->allow_duplicates = b;
	}
	deps = value_map_get(meta, "dependencies");
	if (deps == NULL || deps->type == VALUE_NULL || (deps->type != VALUE_LIST && value_len(deps) == 0))
		return 0;
	if (deps->type != VALUE_LIST)
		return pb_err(c, ERR_PARSE, deps, "Expected role dependencies to be a list.");
	list = pb_keep(c->pb, value_pos_from(value_list(), deps));
	for (i = 0; i < value_len(deps); i++) {
		struct value *d = value_list_at(deps, i);

		if (d->type == VALUE_MAP && value_map_get(d, "role") == NULL && value_map_get(d, "name") == NULL &&
		    value_map_get(d, "src") != NULL) {
			const char *name = pb_role_src_name(c, value_map_get(d, "src"));

			d = pb_keep(c->pb, value_dup(d));
			if (name != NULL)
				value_map_set(d, "name", value_pos_from(value_str(name), value_map_get(d, "src")));
			value_map_del(d, "src");
			value_map_del(d, "scm");
			value_map_del(d, "version");
		}
		value_list_push(list, value_ref(d));
	}
	c->depth++;
	rc = pb_role_load_list(c, list, r, &r->deps, &r->ndeps);
	c->depth--;
	return rc;
}

/* Role._get_role_argspecs: meta/argument_specs.* when there is one, else
 * the argument_specs of meta/main. */
static int pb_role_argspecs(struct pb_ctx *c, struct pb_role *r, const struct value *meta, const struct value **specp)
{
	static const char *const exts[] = {"", ".yml", ".yaml", ".json"};
	struct value *data;
	size_t i;
	int rc;

	*specp = NULL;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *p = pb_printf(c->pb, "%s/meta/argument_specs%s", r->path, exts[i]);

		if (!pb_path_exists(p))
			continue;
		if ((rc = pb_role_yaml(c, r, "meta", "argument_specs", 0, &data)) != 0)
			return rc;
		*specp = data != NULL && data->type == VALUE_MAP ? value_map_get(data, "argument_specs") : NULL;
		return 0;
	}
	if (meta != NULL && meta->type == VALUE_MAP)
		*specp = value_map_get(meta, "argument_specs");
	return 0;
}

/* Role._create_validation_task: the task Ansible puts first in a role whose
 * entry point has an argument spec. */
static struct value *pb_role_validation_task(struct pb_ctx *c, struct pb_role *r, const struct value *spec,
                                             const char *entry)
{
	struct value *task = value_map(), *action = value_map(), *ctx = value_map(), *tags = value_list();
	const struct value *opts = spec->type == VALUE_MAP ? value_map_get(spec, "options") : NULL;
	const char *desc = spec->type == VALUE_MAP ? value_cstr(value_map_get(spec, "short_description")) : NULL;

	value_map_set(action, "module", value_str("ansible.builtin.validate_argument_spec"));
	value_map_set(action, "argument_spec", opts ? value_ref((struct value *)opts) : value_map());
	value_map_set(action, "provided_arguments", value_ref(r->params));
	value_map_set(ctx, "type", value_str("role"));
	value_map_set(ctx, "name", value_str(r->name));
	value_map_set(ctx, "argument_spec_name", value_str(entry));
	value_map_set(ctx, "path", value_str(r->path));
	value_map_set(action, "validate_args_context", ctx);
	value_map_set(task, "action", action);
	if (desc != NULL)
		value_map_set(task, "name",
		              value_strf("Validating arguments against arg spec '%s' - %s", entry, desc));
	else
		value_map_set(task, "name", value_strf("Validating arguments against arg spec '%s'", entry));
	value_list_push(tags, value_str("always"));
	value_map_set(task, "tags", tags);
	value_at(task, r->obj.pos.file, r->obj.pos.line, r->obj.pos.col);
	(void)c;
	return task;
}

static int pb_role_tasks(struct pb_ctx *c, struct pb_role *r, const char *subdir, int handlers,
                         const struct value *argspecs, struct pb_block ***outp, size_t *np)
{
	const struct value *from = value_map_get(r->from_files, subdir), *spec = NULL;
	const char *entry = value_cstr(from) ? value_cstr(from) : "main";
	struct value *data;
	int rc;

	if ((rc = pb_role_yaml(c, r, subdir, value_cstr(from), 0, &data)) != 0)
		return rc;
	if (argspecs != NULL && argspecs->type == VALUE_MAP)
		spec = value_map_get(argspecs, entry);
	if (spec != NULL && !(spec->type == VALUE_NULL || value_len(spec) == 0)) {
		struct value *l = value_list();

		value_list_push(l, pb_role_validation_task(c, r, spec, entry));
		if (data != NULL && data->type == VALUE_LIST)
			for (size_t i = 0; i < value_len(data); i++)
				value_list_push(l, value_ref(value_list_at(data, i)));
		else if (data != NULL)
			value_list_push(l, value_ref(data));
		data = pb_keep(c->pb, l);
	}
	if (data == NULL)
		return 0;
	if (data->type != VALUE_LIST)
		return pb_err(c, ERR_PARSE, data, "The %s/main.yml file for role '%s' must contain a list of tasks", subdir,
		              r->name);
	return pb_block_load_list(c, data, NULL, r, handlers, NULL, outp, np);
}

/* Role.load: the cached instance for the same name and parameters, or a
 * new one with its files and dependencies loaded. */
static int pb_role_load(struct pb_ctx *c, const struct pb_role_def *def, struct pb_role *parent,
                        const struct value *from_files, int from_include, int validate, struct pb_role **rolep)
{
	struct pb_play_priv *pp = pb_role_priv(c->play);
	struct value *key = pb_keep(c->pb, pb_role_key(def, from_files, from_include));
	const struct value *meta = NULL, *argspecs = NULL;
	struct pb_role *r;
	size_t i;
	int rc;

	*rolep = NULL;
	for (i = 0; i < pp->ncache; i++) {
		if (strcmp(pp->cache[i].name, def->name) == 0 && value_equal(pp->cache[i].key, key)) {
			pb_role_add_parent(c->pb, pp->cache[i].role, parent);
			*rolep = pp->cache[i].role;
			return 0;
		}
	}
	for (i = 0; i < pp->nloading; i++)
		if (strcmp(pp->loading[i]->name, def->name) == 0 && strcmp(pp->loading[i]->path, def->path) == 0 &&
		    value_equal(pp->loading[i]->params, def->params))
			return pb_err(c, ERR_INVAL, def->ds,
			              "A recursion loop was detected with the roles specified. Make sure child roles do not "
			              "have dependencies on parent roles");
	if (c->depth >= PB_MAX_DEPTH)
		return pb_err(c, ERR_DEPTH, def->ds, "role dependencies nested deeper than %d levels", PB_MAX_DEPTH);
	r = pb_alloc(c->pb, sizeof(*r));
	r->obj = def->kw;
	r->obj.kind = PB_ROLE;
	r->name = def->name;
	r->path = def->path;
	r->params = def->params;
	r->from_files = pb_keep(c->pb, from_files ? value_ref((struct value *)from_files) : value_map());
	r->from_include = from_include;
	pb_role_add_parent(c->pb, r, parent);
	if (pp->nloading == pp->caploading) {
		pp->caploading = pp->caploading ? pp->caploading * 2 : 8;
		pp->loading = xreallocarray(pp->loading, pp->caploading, sizeof(*pp->loading));
	}
	pp->loading[pp->nloading++] = r;
	if ((rc = pb_role_vars_file(c, r, "vars", &r->role_vars)) != 0 ||
	    (rc = pb_role_vars_file(c, r, "defaults", &r->default_vars)) != 0)
		goto out;
	if ((rc = pb_role_yaml(c, r, "meta", NULL, 0, (struct value **)&meta)) != 0)
		goto out;
	if (meta != NULL && (rc = pb_role_meta(c, r, meta)) != 0)
		goto out;
	if (validate && (rc = pb_role_argspecs(c, r, meta, &argspecs)) != 0)
		goto out;
	if ((rc = pb_role_tasks(c, r, "tasks", 0, argspecs, &r->task_blocks, &r->ntask_blocks)) != 0 ||
	    (rc = pb_role_tasks(c, r, "handlers", 1, NULL, &r->handler_blocks, &r->nhandler_blocks)) != 0)
		goto out;
	if (pp->ncache == pp->capcache) {
		pp->capcache = pp->capcache ? pp->capcache * 2 : 8;
		pp->cache = xreallocarray(pp->cache, pp->capcache, sizeof(*pp->cache));
	}
	pp->cache[pp->ncache].name = def->name;
	pp->cache[pp->ncache].key = key;
	pp->cache[pp->ncache].role = r;
	pp->ncache++;
	*rolep = r;
	rc = 0;
out:
	pp->nloading--;
	return rc;
}

int pb_role_load_list(struct pb_ctx *c, const struct value *ds, struct pb_role *owner, struct pb_role ***outp,
                      size_t *np)
{
	struct pb_role_def *defs;
	const char *basedir = owner ? pb_path_dirname(c->pb, owner->path) : NULL;
	size_t n = value_len(ds), i;
	int rc;

	if (n == 0)
		return 0;
	defs = pb_alloc(c->pb, n * sizeof(*defs));
	/* Every definition is resolved before any role is loaded, as Ansible
	 * does, so a missing role is reported before errors inside others. */
	for (i = 0; i < n; i++)
		if ((rc = pb_role_def_load(c, value_list_at(ds, i), basedir, &defs[i])) != 0)
			return rc;
	for (i = 0; i < n; i++) {
		struct pb_role *r;

		if ((rc = pb_role_load(c, &defs[i], owner, NULL, 0, 1, &r)) != 0)
			return rc;
		pb_push(c->pb, (void ***)outp, np, r);
	}
	return 0;
}

int pb_role_load_for_include(struct pb_ctx *c, const struct pb_task *inc, const struct value *name,
                             const struct value *from_files, struct pb_role **rolep)
{
	struct pb_role_def def;
	const struct value *v;
	struct value *vars;
	int rc, b = 1, validate = 1;

	*rolep = NULL;
	if (name == NULL || name->type != VALUE_STR)
		return pb_err(c, ERR_PARSE, name, "role definitions must contain a role name");
	if ((rc = pb_role_def_load(c, name, NULL, &def)) != 0)
		return rc;
	/* The include's vars become the role definition's (ri.vars |= vars). */
	if (inc->obj.kw[PB_KW_VARS] != NULL && value_len(inc->obj.kw[PB_KW_VARS]) > 0) {
		vars = def.kw.kw[PB_KW_VARS] ? value_dup(def.kw.kw[PB_KW_VARS]) : value_map();
		value_map_update(vars, inc->obj.kw[PB_KW_VARS], 0);
		def.kw.kw[PB_KW_VARS] = pb_keep(c->pb, vars);
	}
	v = value_map_get(inc->args, "rolespec_validate");
	if (v != NULL && pb_kw_bool(v, "rolespec_validate", &validate, c->d) != 0)
		return ERR_PARSE;
	if ((rc = pb_role_load(c, &def, inc->role, from_files, 1, validate, rolep)) != 0)
		return rc;
	v = value_map_get(inc->args, "allow_duplicates");
	if (v != NULL && pb_kw_bool(v, "allow_duplicates", &b, c->d) != 0)
		return ERR_PARSE;
	(*rolep)->allow_duplicates = b;
	return 0;
}

static struct pb_role **pb_role_chain_plus(struct pb_playbook *pb, struct pb_role **chain, size_t n,
                                           struct pb_role *r)
{
	struct pb_role **out = pb_alloc(pb, (n + 1) * sizeof(*out));

	if (n > 0)
		memcpy(out, chain, n * sizeof(*out));
	out[n] = r;
	return out;
}

void pb_role_compile(struct pb_playbook *pb, struct pb_play *play, struct pb_role *r, struct pb_role **chain,
                     size_t nchain, struct pb_block ***outp, size_t *np)
{
	struct pb_role **nc = pb_role_chain_plus(pb, chain, nchain, r);
	struct pb_block *eor;
	struct pb_task *t;
	struct value *tags, *when;
	size_t i;

	/* Dependencies are bounded by PB_MAX_DEPTH but can still multiply
	 * (every role depending on two others): stop copying past the cap
	 * and let the caller report it. */
	if (pb->nobjects > PB_MAX_OBJECTS || nchain > PB_MAX_DEPTH)
		return;
	for (i = 0; i < r->ndeps; i++)
		pb_role_compile(pb, play, r->deps[i], nc, nchain + 1, outp, np);
	for (i = 0; i < r->ntask_blocks && pb->nobjects <= PB_MAX_OBJECTS; i++) {
		struct pb_block *b = pb_block_copy(pb, r->task_blocks[i], NULL);

		pb_block_set_context(b, play, r, nc, nchain + 1);
		pb_push(pb, (void ***)outp, np, b);
	}
	eor = pb_block_new(pb, NULL);
	eor->obj.pos = r->obj.pos;
	eor->play = play;
	eor->role = r;
	eor->obj.kw[PB_KW_RUN_ONCE] = pb_keep(pb, value_bool(0));
	t = pb_task_meta(pb, "role_complete", &eor->obj, r);
	tags = value_list();
	value_list_push(tags, value_str("always"));
	t->obj.kw[PB_KW_TAGS] = pb_keep(pb, tags);
	when = value_list();
	value_list_push(when, value_bool(1));
	t->obj.kw[PB_KW_WHEN] = pb_keep(pb, when);
	pb_push(pb, (void ***)&eor->block, &eor->nblock, &t->obj);
	pb->nobjects++;
	pb_push(pb, (void ***)outp, np, eor);
}

void pb_role_handler_blocks(struct pb_playbook *pb, struct pb_play *play, struct pb_role *r, struct pb_role **chain,
                            size_t nchain, struct pb_block ***outp, size_t *np)
{
	struct pb_role **nc;
	struct pb_block **deps;
	size_t ndeps, i, j;

	if (r->handlers_compiled || nchain > PB_MAX_DEPTH || pb->nobjects > PB_MAX_OBJECTS) {
		*outp = r->compiled_handlers;
		*np = r->ncompiled_handlers;
		return;
	}
	r->handlers_compiled = 1;
	nc = pb_role_chain_plus(pb, chain, nchain, r);
	for (i = 0; i < r->ndeps; i++) {
		deps = NULL;
		ndeps = 0;
		pb_role_handler_blocks(pb, play, r->deps[i], nc, nchain + 1, &deps, &ndeps);
		for (j = 0; j < ndeps; j++)
			pb_push(pb, (void ***)&r->compiled_handlers, &r->ncompiled_handlers, deps[j]);
	}
	for (i = 0; i < r->nhandler_blocks; i++) {
		struct pb_block *b = pb_block_copy(pb, r->handler_blocks[i], NULL);

		pb_block_set_context(b, play, r, nc, nchain + 1);
		pb_push(pb, (void ***)&r->compiled_handlers, &r->ncompiled_handlers, b);
	}
	*outp = r->compiled_handlers;
	*np = r->ncompiled_handlers;
}

int pb_role_expand_include(struct pb_ctx *c, const struct pb_task *inc, struct pb_role *r, struct pb_block ***blocksp,
                           size_t *np, struct pb_block ***handlersp, size_t *nh)
{
	struct pb_block *apply = NULL, **hb = NULL;
	struct pb_role **chain = NULL;
	struct pb_obj *parent;
	size_t nchain = 0, nhb = 0, i;
	int rc;

	if ((rc = pb_block_apply(c, inc, &apply)) != 0)
		return rc;
	parent = apply != NULL ? &apply->obj : (struct pb_obj *)&inc->obj;
	if (inc->role != NULL) {
		for (i = 0; i < inc->role->nparents; i++)
			pb_push(c->pb, (void ***)&chain, &nchain, inc->role->parents[i]);
		pb_push(c->pb, (void ***)&chain, &nchain, inc->role);
	}
	pb_role_compile(c->pb, c->play, r, chain, nchain, blocksp, np);
	for (i = 0; i < *np; i++)
		(*blocksp)[i]->parent = parent;
	pb_role_handler_blocks(c->pb, c->play, r, NULL, 0, &hb, &nhb);
	for (i = 0; i < nhb; i++) {
		hb[i]->parent = parent;
		pb_push(c->pb, (void ***)handlersp, nh, hb[i]);
	}
	if (c->pb->nobjects > PB_MAX_OBJECTS)
		return pb_err(c, ERR_TOOBIG, value_map_get(inc->args, "name"),
		              "the playbook is too big: more than %d tasks and blocks", PB_MAX_OBJECTS);
	return 0;
}
