/* Loading one task: finding its action among its keys and reading its
 * arguments in every form Ansible accepts (ModuleArgsParser), then its
 * keywords (Task.preprocess_data and load_data), with Ansible's checks. */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/modreg.h"
#include "playbook/kv.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"

/* Ansible's builtin lookup plugins (with_<lookup>), and the community
 * ones its routing table still answers for. */
static const char *const pb_task_lookups[] = {
	"cartesian", "config", "csvfile", "dict", "env", "file", "fileglob", "first_found", "flattened",
	"indexed_items", "ini", "inventory_hostnames", "items", "lines", "list", "nested", "password",
	"pipe", "random_choice", "sequence", "subelements", "template", "together", "unvault", "url",
	"varnames", "vars",
};

/* Modules whose free-form words may stay free-form (RAW_PARAM_MODULES). */
static const char *const pb_task_raw_param_modules[] = {
	"command", "win_command", "shell", "win_shell", "raw", "script", "include", "include_vars",
	"include_tasks", "include_role", "import_tasks", "import_role", "add_host", "group_by",
	"set_fact", "meta",
};

/* A task's action, arguments and implied delegate_to, as parsed. */
struct pb_task_action {
	const char *action;           /* as written */
	const struct value *at;       /* where the action was written */
	struct value *args;           /* new VALUE_MAP */
	struct value *delegate_to;    /* new reference ("localhost" for local_action), or NULL */
	int old_style;                /* action: / local_action: */
};

static const char *pb_task_short(const char *name)
{
	if (strncmp(name, "ansible.builtin.", 16) == 0)
		return name + 16;
	if (strncmp(name, "ansible.legacy.", 15) == 0)
		return name + 15;
	return name;
}

static int pb_task_in(const char *name, const char *const *list, size_t n)
{
	size_t i;

	name = pb_task_short(name);
	for (i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return 1;
	return 0;
}

/* command, shell, raw, script (and Windows' own): key=value words other than
 * their few options stay free-form text. */
static int pb_task_check_raw(const char *action)
{
	static const char *const raw[] = {"command", "win_command", "shell", "win_shell", "raw", "script"};

	return pb_task_in(action, raw, sizeof(raw) / sizeof(raw[0])) ||
	       strcmp(action, "ansible.windows.win_command") == 0 || strcmp(action, "ansible.windows.win_shell") == 0;
}

/* Names Ansible accepts as actions without looking for a plugin. */
static int pb_task_builtin(const char *action)
{
	static const char *const builtin[] = {"meta", "include", "include_tasks", "include_role", "import_tasks",
	                                      "import_role"};

	return pb_task_in(action, builtin, sizeof(builtin) / sizeof(builtin[0]));
}

/* Keys Ansible's ModuleArgsParser never takes for a module: the attributes
 * of Task and Handler, local_action and static. */
static int pb_task_is_attr(const char *name)
{
	int k = pb_kw_lookup(name);

	if (k >= 0)
		return (pb_kw_accepts((enum pb_kw)k) & (PB_ON_TASK | PB_ON_HANDLER)) != 0;
	return strcmp(name, "action") == 0 || strcmp(name, "args") == 0 || strcmp(name, "local_action") == 0 ||
	       strcmp(name, "static") == 0 || strcmp(name, "loop_with") == 0;
}

/* kv_parse with positions moved into the file: words on the scalar's first
 * line are offset by its column (exact for plain scalars). */
static int pb_task_kv(struct pb_ctx *c, const struct value *src, const char *text, int check_raw,
                      struct value **argsp)
{
	struct diag kd;
	size_t i;
	int r;

	diag_init(&kd);
	r = kv_parse(text, strlen(text), check_raw, argsp, &kd);
	if (r != 0) {
		struct value_pos pos = src->pos;

		if (kd.line > 1) {
			pos.line += (uint32_t)kd.line - 1;
			pos.col = (uint32_t)kd.col;
		} else if (kd.col > 0) {
			pos.col += (uint32_t)kd.col - 1;
		}
		pb_err_pos(c->d, r == ERR_TOOBIG ? ERR_TOOBIG : ERR_PARSE, &pos, "%s", kd.msg ? kd.msg : "bad arguments");
		diag_fini(&kd);
		return r == ERR_TOOBIG ? ERR_TOOBIG : ERR_PARSE;
	}
	diag_fini(&kd);
	for (i = 0; i < value_len(*argsp); i++) {
		struct value *k = (struct value *)value_map_key_at(*argsp, i);
		struct value *v = value_map_val_at(*argsp, i);
		uint32_t line = k->pos.line, col = k->pos.col;

		if (line <= 1) {
			value_at(k, src->pos.file, src->pos.line, src->pos.col + (col > 0 ? col - 1 : 0));
		} else {
			value_at(k, src->pos.file, src->pos.line + line - 1, col);
		}
		line = v->pos.line;
		col = v->pos.col;
		if (line <= 1)
			value_at(v, src->pos.file, src->pos.line, src->pos.col + (col > 0 ? col - 1 : 0));
		else
			value_at(v, src->pos.file, src->pos.line + line - 1, col);
	}
	return 0;
}

/* Ansible's _split_module_string: the first word is the module. */
static int pb_task_split_module(struct pb_ctx *c, const struct value *src, const char *s, char **modp,
                                char **restp)
{
	struct value *words = NULL;
	struct diag kd;
	size_t i, n;
	char *rest;

	*modp = *restp = NULL;
	diag_init(&kd);
	if (kv_split(s, strlen(s), &words, &kd) != 0) {
		pb_err(c, ERR_PARSE, src, "%s", kd.msg ? kd.msg : "bad arguments");
		diag_fini(&kd);
		return ERR_PARSE;
	}
	diag_fini(&kd);
	if (value_len(words) == 0) {
		value_unref(words);
		return pb_err(c, ERR_PARSE, src, "no module/action detected in task.");
	}
	{
		const char *w = value_cstr(value_list_at(words, 0));
		size_t a = 0, b = strlen(w);

		while (a < b && strchr(" \t\n\r", w[a]) != NULL)
			a++;
		while (b > a && strchr(" \t\n\r", w[b - 1]) != NULL)
			b--;
		*modp = pb_strndup(c->pb, w + a, b - a);
	}
	n = value_len(words);
	rest = pb_strdup(c->pb, "");
	for (i = 1; i < n; i++)
		rest = pb_printf(c->pb, "%s%s%s", rest, i > 1 ? " " : "", value_cstr(value_list_at(words, i)));
	*restp = rest;
	value_unref(words);
	return 0;
}

static void pb_task_update(struct value *dst, const struct value *src)
{
	if (src != NULL && src->type == VALUE_MAP)
		value_map_update(dst, src, 0);
}

static int pb_task_truthy(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return 0;
	case VALUE_BOOL: return v->u.b;
	case VALUE_INT: return v->u.i != 0;
	case VALUE_FLOAT: return v->u.f != 0.0;
	default: return value_len(v) > 0;
	}
}

/* The task's args: (Ansible's additional_args), below the action's own. */
static int pb_task_extra_args(struct pb_ctx *c, const struct value *extra, struct value *final)
{
	if (extra == NULL || !pb_task_truthy(extra))
		return 0;
	if (extra->type == VALUE_STR) {
		if (!pb_is_template(extra->u.s.ptr))
			return pb_err(c, ERR_PARSE, extra,
			              "Complex args containing variables cannot use bare variables (without Jinja2 "
			              "delimiters), and must use the full variable style ('{{var_name}}')");
		value_map_set(final, "_variable_params", value_ref((struct value *)extra));
		return 0;
	}
	if (extra->type != VALUE_MAP)
		return pb_err(c, ERR_PARSE, extra, "Complex args must be a dictionary or variable string (\"{{var}}\").");
	value_map_update(final, extra, 0);
	return 0;
}

/* "module: copy: ..." with the module known: a map or key=value text. */
static int pb_task_new_style(struct pb_ctx *c, const struct value *thing, const char *action, struct value **argsp)
{
	*argsp = NULL;
	if (thing->type == VALUE_MAP) {
		*argsp = value_ref((struct value *)thing);
		return 0;
	}
	if (thing->type == VALUE_STR)
		return pb_task_kv(c, thing, thing->u.s.ptr, pb_task_check_raw(action), argsp);
	if (thing->type != VALUE_NULL)
		return pb_err(c, ERR_PARSE, thing, "unexpected parameter type in action: %s", pb_pytype(thing));
	return 0;
}

/* Sets every key and value of args at src's position (the words of an
 * action: string follow the module name, so their own columns would lie). */
static void pb_task_pos_all(struct value *args, const struct value *src)
{
	size_t i;

	for (i = 0; i < value_len(args); i++) {
		value_pos_from((struct value *)value_map_key_at(args, i), src);
		value_pos_from(value_map_val_at(args, i), src);
	}
}

/* action: / local_action: "copy src=a" or {module: "copy src=a", ...},
 * with a nested args: merged in. The module is NULL for a map without
 * module:, as in Ansible. */
static int pb_task_old_style(struct pb_ctx *c, const struct value *thing, const char **actionp,
                             struct value **argsp)
{
	const struct value *src = thing, *m;
	struct value *args = NULL, *tmp = NULL, *a;
	char *mod = NULL, *rest = NULL;
	int r;

	*actionp = NULL;
	*argsp = NULL;
	if (thing->type == VALUE_MAP) {
		if ((m = value_map_get(thing, "module")) == NULL)
			return 0;
		if (m->type != VALUE_STR)
			return pb_err(c, ERR_PARSE, m, "unexpected parameter type in action: %s", pb_pytype(m));
		src = m;
	} else if (thing->type != VALUE_STR) {
		return pb_err(c, ERR_PARSE, thing, "unexpected parameter type in action: %s", pb_pytype(thing));
	}
	if ((r = pb_task_split_module(c, src, src->u.s.ptr, &mod, &rest)) != 0 ||
	    (r = pb_task_kv(c, src, rest, pb_task_check_raw(mod), &tmp)) != 0)
		return r;
	pb_task_pos_all(tmp, src);
	args = value_pos_from(value_map(), thing);
	if (thing->type == VALUE_MAP)
		value_map_update(args, thing, 0);
	value_map_update(args, tmp, 0);
	value_map_del(args, "module");
	value_unref(tmp);
	tmp = NULL;
	if ((a = value_map_get(args, "args")) != NULL) {
		a = value_ref(a);
		value_map_del(args, "args");
		if (a->type == VALUE_STR)
			r = pb_task_kv(c, a, a->u.s.ptr, 0, &tmp);
		else
			tmp = value_ref(a);
		value_unref(a);
		if (r != 0) {
			value_unref(args);
			return r;
		}
		pb_task_update(args, tmp);
		value_unref(tmp);
	}
	*actionp = mod;
	*argsp = args;
	return 0;
}

/* Only Ansible itself passes _ansible_ options, except to the free-form
 * modules. */
static int pb_task_internal_args(struct pb_ctx *c, const char *action, const struct value *args)
{
	size_t i;

	if (args == NULL || action == NULL || pb_task_check_raw(action))
		return 0;
	for (i = 0; i < value_len(args); i++) {
		const char *k = value_cstr(value_map_key_at(args, i));

		if (strncmp(k, "_ansible_", 9) == 0)
			return pb_err(c, ERR_INVAL, value_map_key_at(args, i),
			              "invalid parameter specified for action '%s': '%s'", action, k);
	}
	return 0;
}

/* Ansible's _normalize_parameters for one action form: action is the
 * module key, or NULL for action:/local_action:. */
static int pb_task_normalize(struct pb_ctx *c, const struct value *ds, const struct value *thing,
                             const char *action, struct pb_task_action *out)
{
	struct value *final = value_pos_from(value_map(), ds), *args = NULL;
	int r;

	if ((r = pb_task_extra_args(c, value_map_get(ds, "args"), final)) != 0)
		goto out;
	if (action != NULL)
		r = pb_task_new_style(c, thing, action, &args);
	else
		r = pb_task_old_style(c, thing, &action, &args);
	if (r != 0 || (r = pb_task_internal_args(c, action, args)) != 0)
		goto out;
	if (args != NULL)
		value_map_update(final, args, 0);
	out->action = action;
	value_unref(out->args);
	out->args = final;
	final = NULL;
	r = 0;
out:
	value_unref(final);
	value_unref(args);
	return r;
}

/* Ansible's ModuleArgsParser.parse, with the module of a module key checked
 * against modreg (and, unlike Ansible, the module of action: too). */
static int pb_task_parse(struct pb_ctx *c, const struct value *ds, struct pb_task_action *a)
{
	const struct value *v;
	size_t i;
	int r;

	memset(a, 0, sizeof(*a));
	if ((v = value_map_get(ds, "action")) != NULL) {
		if ((r = pb_task_normalize(c, ds, v, NULL, a)) != 0)
			return r;
		a->at = v;
		a->old_style = 1;
	}
	if ((v = value_map_get(ds, "local_action")) != NULL) {
		if (a->action != NULL)
			return pb_err(c, ERR_PARSE, value_map_key_at(ds, (size_t)value_map_find(ds, "local_action", 12)),
			              "action and local_action are mutually exclusive");
		if ((r = pb_task_normalize(c, ds, v, NULL, a)) != 0)
			return r;
		a->at = v;
		a->old_style = 1;
		a->delegate_to = value_pos_from(value_str("localhost"), v);
	}
	for (i = 0; i < value_len(ds); i++) {
		const struct value *key = value_map_key_at(ds, i);
		const char *name = value_cstr(key);

		if (pb_task_is_attr(name) || strncmp(name, "with_", 5) == 0)
			continue;
		if (a->action != NULL)
			return pb_err(c, ERR_PARSE, key, "conflicting action statements: %s, %s", a->action, name);
		if ((r = pb_task_normalize(c, ds, value_map_val_at(ds, i), name, a)) != 0)
			return r;
		a->action = name;
		a->at = key;
		a->old_style = 0;
	}
	if (a->action == NULL) {
		if (a->old_style)
			return pb_err(c, ERR_PARSE, a->at, "no module/action detected in task.");
		return pb_err_pos(c->d, ERR_PARSE, &ds->pos, "no module/action detected in task.");
	}
	if (strcmp(pb_task_short(a->action), "include") == 0)
		return pb_err(c, ERR_PARSE, a->at,
		              "'include' is not supported by drover; use include_tasks or import_tasks instead");
	if (!pb_task_builtin(a->action) && modreg_find(a->action) == NULL)
		return pb_err(c, ERR_PARSE, a->at,
		              "couldn't resolve module/action '%s'. This often indicates a misspelling, missing "
		              "collection, or incorrect module path.",
		              a->action);
	v = value_map_get(a->args, "_raw_params");
	if (v != NULL && !(v->type == VALUE_STR && v->u.s.len == 0) &&
	    !pb_task_in(a->action, pb_task_raw_param_modules,
	                sizeof(pb_task_raw_param_modules) / sizeof(pb_task_raw_param_modules[0]))) {
		struct value *raw = value_ref((struct value *)v);

		if (raw->type != VALUE_STR || !pb_is_template(raw->u.s.ptr)) {
			value_unref(raw);
			return pb_err(c, ERR_PARSE, a->at,
			              "this task '%s' has extra params, which is only allowed in the following modules: "
			              "command, win_command, shell, win_shell, raw, script, include, include_vars, "
			              "include_tasks, include_role, import_tasks, import_role, add_host, group_by, "
			              "set_fact, meta",
			              a->action);
		}
		value_map_del(a->args, "_raw_params");
		value_map_set(a->args, "_variable_params", raw);
	}
	return 0;
}

static void pb_task_action_fini(struct pb_task_action *a)
{
	value_unref(a->args);
	value_unref(a->delegate_to);
}

static enum pb_task_type pb_task_type_of(const char *action)
{
	const char *s = pb_task_short(action);

	if (strcmp(s, "meta") == 0)
		return PB_TASK_META;
	if (strcmp(s, "include_tasks") == 0)
		return PB_TASK_INCLUDE_TASKS;
	if (strcmp(s, "import_tasks") == 0)
		return PB_TASK_IMPORT_TASKS;
	if (strcmp(s, "include_role") == 0)
		return PB_TASK_INCLUDE_ROLE;
	if (strcmp(s, "import_role") == 0)
		return PB_TASK_IMPORT_ROLE;
	return PB_TASK_ACTION;
}

static const char *pb_task_class(enum pb_task_type type, int handlers)
{
	switch (type) {
	case PB_TASK_INCLUDE_TASKS:
	case PB_TASK_IMPORT_TASKS: return handlers ? "HandlerTaskInclude" : "TaskInclude";
	case PB_TASK_INCLUDE_ROLE:
	case PB_TASK_IMPORT_ROLE: return "IncludeRole";
	default: return handlers ? "Handler" : "Task";
	}
}

/* Keys the keyword loader must leave to the action parser. */
static int pb_task_skip_key(const char *name)
{
	return strcmp(name, "action") == 0 || strcmp(name, "local_action") == 0 || strcmp(name, "args") == 0;
}

/* with_<lookup>: the loop and the lookup's name, once per task. */
static int pb_task_with(struct pb_ctx *c, struct pb_task *t, const struct value *key, const struct value *v)
{
	const char *lookup = value_cstr(key) + 5;

	if (t->obj.kw[PB_KW_LOOP] != NULL)
		return pb_err(c, ERR_INVAL, key, "duplicate loop in task: %s", lookup);
	if (v->type == VALUE_NULL)
		return pb_err(c, ERR_INVAL, key, "you must specify a value when using %s", value_cstr(key));
	t->loop_with = pb_strdup(c->pb, lookup);
	t->obj.kw[PB_KW_LOOP] = pb_keep(c->pb, value_ref((struct value *)v));
	return 0;
}

/* TaskInclude.preprocess_data: include_tasks and include_role take only a
 * few keywords. */
static int pb_task_include_keywords(struct pb_ctx *c, const struct value *ds, const char *class, int handlers,
                                    const struct pb_task_action *a)
{
	size_t i;

	if (a->delegate_to != NULL)
		return pb_err(c, ERR_PARSE, a->at, "'delegate_to' is not a valid attribute for a %s", class);
	for (i = 0; i < value_len(ds); i++) {
		const struct value *key = value_map_key_at(ds, i);
		const char *name = value_cstr(key);
		int k = pb_kw_lookup(name);

		if (pb_task_skip_key(name) || strcmp(name, a->action) == 0 || strncmp(name, "with_", 5) == 0)
			continue;
		if (k >= 0 && ((pb_kw_accepts((enum pb_kw)k) & PB_ON_INCLUDE) || (handlers && k == PB_KW_LISTEN)))
			continue;
		if (strcmp(name, "loop_with") == 0)
			continue;
		return pb_err(c, ERR_PARSE, key, "'%s' is not a valid attribute for a %s", name, class);
	}
	return 0;
}

static int pb_task_loop_control(struct pb_ctx *c, const struct value *v)
{
	static const char *const keys[] = {"loop_var", "index_var", "label", "pause", "extended", "extended_allitems"};
	size_t i, j;

	if (v->type != VALUE_MAP)
		return pb_err(c, ERR_PARSE, v,
		              "the `loop_control` value must be specified as a dictionary and cannot be a variable "
		              "itself (though it can contain variables)");
	for (i = 0; i < value_len(v); i++) {
		const char *name = value_cstr(value_map_key_at(v, i));

		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++)
			if (strcmp(name, keys[j]) == 0)
				break;
		if (j == sizeof(keys) / sizeof(keys[0]))
			return pb_err(c, ERR_PARSE, value_map_key_at(v, i), "'%s' is not a valid attribute for a LoopControl",
			              name);
	}
	return 0;
}

/* Keywords of the task map (all but the action), as Task.preprocess_data
 * and load_data read them. */
static int pb_task_keywords(struct pb_ctx *c, struct pb_task *t, const struct value *ds, const char *class,
                            int handlers, const struct pb_task_action *a)
{
	unsigned on = handlers ? PB_ON_HANDLER : PB_ON_TASK;
	struct value *v;
	size_t i, j;
	int k, r;

	for (i = 0; i < value_len(ds); i++) {
		const struct value *key = value_map_key_at(ds, i);
		const struct value *val = value_map_val_at(ds, i);
		const char *name = value_cstr(key);

		if (pb_task_skip_key(name) || (!a->old_style && strcmp(name, a->action) == 0))
			continue;
		if (strncmp(name, "with_", 5) == 0) {
			for (j = 0; j < sizeof(pb_task_lookups) / sizeof(pb_task_lookups[0]); j++)
				if (strcmp(name + 5, pb_task_lookups[j]) == 0)
					break;
			if (j < sizeof(pb_task_lookups) / sizeof(pb_task_lookups[0])) {
				if ((r = pb_task_with(c, t, key, val)) != 0)
					return r;
				continue;
			}
		}
		k = pb_kw_lookup(name);
		if (k < 0 || !(pb_kw_accepts((enum pb_kw)k) & on))
			return pb_err(c, ERR_PARSE, key, "'%s' is not a valid attribute for a %s", name, class);
		if (k == PB_KW_VARS) {
			if ((r = pb_kw_load_vars(c, class, val, &v)) != 0)
				return r;
		} else if (k == PB_KW_TAGS) {
			if ((r = pb_kw_load_tags(c, val, &v)) != 0)
				return r;
		} else if ((k == PB_KW_WHEN || k == PB_KW_CHANGED_WHEN || k == PB_KW_FAILED_WHEN || k == PB_KW_UNTIL) &&
		           val->type != VALUE_LIST) {
			v = value_pos_from(value_list(), val);
			value_list_push(v, value_ref((struct value *)val));
		} else {
			if (k == PB_KW_LOOP_CONTROL && (r = pb_task_loop_control(c, val)) != 0)
				return r;
			if (k == PB_KW_MODULE_DEFAULTS && (r = pb_kw_load_module_defaults(c, val)) != 0)
				return r;
			v = value_ref((struct value *)val);
		}
		/* A later with_ or loop replaces the earlier loop, as in Ansible. */
		if (k == PB_KW_LOOP)
			t->loop_with = NULL;
		t->obj.kw[k] = pb_keep(c->pb, v);
	}
	if (a->delegate_to != NULL)
		t->obj.kw[PB_KW_DELEGATE_TO] = pb_keep(c->pb, value_ref(a->delegate_to));
	return pb_kw_validate(c, &t->obj);
}

/* command/shell/script: cmd is the free-form text. */
static int pb_task_cmd(struct pb_ctx *c, struct pb_task_action *a)
{
	static const char *const has_cmd[] = {"command", "shell", "script"};
	struct value *cmd;
	const struct value *raw;

	if (!pb_task_in(a->action, has_cmd, 3) || (cmd = value_map_get(a->args, "cmd")) == NULL)
		return 0;
	raw = value_map_get(a->args, "_raw_params");
	if (raw != NULL && !(raw->type == VALUE_STR && raw->u.s.len == 0))
		return pb_err(c, ERR_INVAL, cmd,
		              "The 'cmd' argument cannot be used when other raw parameters are specified. Please put "
		              "everything in one or the other place.");
	cmd = value_ref(cmd);
	value_map_del(a->args, "cmd");
	value_map_set(a->args, "_raw_params", cmd);
	return 0;
}

/* TaskInclude.check_options and IncludeRole.load. */
static int pb_task_include_args(struct pb_ctx *c, struct pb_task *t, const struct value *at)
{
	static const char *const role_args[] = {"name", "role", "tasks_from", "vars_from", "defaults_from",
	                                        "handlers_from", "apply", "public", "allow_duplicates",
	                                        "rolespec_validate"};
	struct value *args = t->args;
	const struct value *apply, *v, *badat = at;
	const char *bad = NULL;
	size_t i, j;

	if (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_IMPORT_TASKS) {
		for (i = 0; i < value_len(args) && bad == NULL; i++) {
			const char *k = value_cstr(value_map_key_at(args, i));

			if (strcmp(k, "file") != 0 && strcmp(k, "_raw_params") != 0 && strcmp(k, "apply") != 0) {
				bad = k;
				badat = value_map_key_at(args, i);
			}
		}
		if (bad != NULL)
			return pb_err(c, ERR_PARSE, badat, "Invalid options for %s: %s", t->action, bad);
		v = value_map_get(args, "_raw_params");
		if (v == NULL || v->type == VALUE_NULL || (v->type == VALUE_STR && v->u.s.len == 0)) {
			struct value *file = value_map_get(args, "file");

			file = file != NULL ? value_ref(file) : value_null();
			value_map_del(args, "file");
			value_map_set(args, "_raw_params", file);
			if (file->type == VALUE_NULL || (file->type == VALUE_STR && file->u.s.len == 0))
				return pb_err(c, ERR_PARSE, at, "No file specified for %s", t->action);
		}
		apply = value_map_get(args, "apply");
		if (apply != NULL && apply->type != VALUE_NULL && !(apply->type == VALUE_MAP && value_len(apply) == 0) &&
		    t->type != PB_TASK_INCLUDE_TASKS)
			return pb_err(c, ERR_PARSE, at, "Invalid options for %s: apply", t->action);
		if (apply != NULL && apply->type != VALUE_MAP && apply->type != VALUE_NULL)
			return pb_err(c, ERR_PARSE, at, "Expected a dict for apply but got %s instead", pb_pytype(apply));
		return 0;
	}
	v = value_map_get(args, "name");
	if (v == NULL)
		v = value_map_get(args, "role");
	if (v == NULL || v->type == VALUE_NULL)
		return pb_err(c, ERR_PARSE, at, "'name' is a required field for %s.", t->action);
	if (value_map_get(args, "public") != NULL && t->type != PB_TASK_INCLUDE_ROLE)
		return pb_err(c, ERR_PARSE, value_map_key_at(args, (size_t)value_map_find(args, "public", 6)),
		              "Invalid options for %s: public", t->action);
	for (i = 0; i < value_len(args) && bad == NULL; i++) {
		const char *k = value_cstr(value_map_key_at(args, i));

		for (j = 0; j < sizeof(role_args) / sizeof(role_args[0]); j++)
			if (strcmp(k, role_args[j]) == 0)
				break;
		if (j == sizeof(role_args) / sizeof(role_args[0])) {
			bad = k;
			badat = value_map_key_at(args, i);
		}
	}
	if (bad != NULL)
		return pb_err(c, ERR_PARSE, badat, "Invalid options for %s: %s", t->action, bad);
	for (i = 0; i < value_len(args); i++) {
		const char *k = value_cstr(value_map_key_at(args, i));
		const struct value *fv = value_map_val_at(args, i);
		size_t n = strlen(k);

		if (n > 5 && strcmp(k + n - 5, "_from") == 0 && fv->type != VALUE_STR)
			return pb_err(c, ERR_PARSE, fv, "Expected a string for %s but got %s instead", k,
			              pb_pytype(fv));
	}
	apply = value_map_get(args, "apply");
	if (apply != NULL && apply->type != VALUE_NULL && !(apply->type == VALUE_MAP && value_len(apply) == 0) &&
	    t->type != PB_TASK_INCLUDE_ROLE)
		return pb_err(c, ERR_PARSE, at, "Invalid options for %s: apply", t->action);
	if (apply != NULL && apply->type != VALUE_MAP && apply->type != VALUE_NULL)
		return pb_err(c, ERR_PARSE, at, "Expected a dict for apply but got %s instead", pb_pytype(apply));
	return 0;
}

int pb_task_load(struct pb_ctx *c, const struct value *ds, struct pb_obj *parent, struct pb_role *role,
                 int handlers, struct pb_task **tp)
{
	struct pb_task_action a;
	struct pb_task *t = NULL;
	const char *class;
	int r;

	*tp = NULL;
	if ((r = pb_count_object(c, ds)) != 0)
		return r;
	if ((r = pb_task_parse(c, ds, &a)) != 0)
		goto out;
	t = pb_task_new(c->pb, ds);
	t->parent = parent;
	t->role = role;
	t->action = pb_strdup(c->pb, a.action);
	t->module = pb_task_short(t->action);
	t->type = pb_task_type_of(t->action);
	if (handlers)
		t->flags |= PB_TASK_HANDLER;
	if (handlers && (t->type == PB_TASK_INCLUDE_ROLE || t->type == PB_TASK_IMPORT_ROLE)) {
		r = pb_err(c, ERR_PARSE, a.at, "Using '%s' as a handler is not supported.", t->action);
		goto out;
	}
	class = pb_task_class(t->type, handlers);
	if ((r = pb_task_cmd(c, &a)) != 0)
		goto out;
	t->args = pb_keep(c->pb, value_ref(a.args));
	if (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_INCLUDE_ROLE)
		if ((r = pb_task_include_keywords(c, ds, class, handlers, &a)) != 0)
			goto out;
	if ((r = pb_task_keywords(c, t, ds, class, handlers, &a)) != 0)
		goto out;
	if (t->type != PB_TASK_ACTION && t->type != PB_TASK_META) {
		/* The include's own args are edited below; keep them private. */
		t->args = pb_keep(c->pb, value_dup(t->args));
		if ((r = pb_task_include_args(c, t, a.at)) != 0)
			goto out;
		if (t->type == PB_TASK_IMPORT_TASKS || t->type == PB_TASK_IMPORT_ROLE)
			t->flags |= PB_TASK_STATIC;
	} else {
		t->mod = modreg_find(t->action);
	}
	pb_model_task_name(c->pb, t);
	*tp = t;
	r = 0;
out:
	pb_task_action_fini(&a);
	return r;
}

struct pb_task *pb_task_meta(struct pb_playbook *pb, const char *op, struct pb_obj *parent, struct pb_role *role)
{
	struct pb_task *t = pb_task_new(pb, NULL);
	struct value *args = value_map();

	value_map_set(args, "_raw_params", value_str(op));
	t->parent = parent;
	t->role = role;
	t->type = PB_TASK_META;
	t->action = "meta";
	t->module = "meta";
	t->mod = modreg_find("meta");
	t->args = pb_keep(pb, args);
	t->flags = PB_TASK_IMPLICIT;
	pb->nobjects++;
	pb_model_task_name(pb, t);
	return t;
}
