/* Controller-side actions. */
#include "exec/actions.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/diag.h"
#include "base/xmalloc.h"
#include "data/yaml.h"
#include "exec/actions_inv.h"
#include "playbook/pb_kw.h"

struct value *action_failed(const char *fmt, const char *arg)
{
	struct value *r = value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "failed", value_bool(1));
	value_map_set(r, "msg", value_strf(fmt, arg ? arg : ""));
	return r;
}

struct value *action_diag_failed(struct diag *d)
{
	char *m = diag_format(d);
	struct value *r = action_failed("%s", m);

	free(m);
	return r;
}

static struct value *action_debug(const struct action_ctx *ac)
{
	const struct value *msg = value_map_get(ac->args, "msg");
	const struct value *var = value_map_get(ac->raw_args, "var");
	struct value *r = value_map(), *v = NULL, *expr = NULL;
	int64_t verbosity = value_get_int(ac->args, "verbosity", 0);
	struct diag d;

	if (verbosity > ac->verbosity) {
		value_map_set(r, "changed", value_bool(0));
		value_map_set(r, "skipped", value_bool(1));
		value_map_set(r, "skipped_reason", value_str("Verbosity threshold not met."));
		return r;
	}
	if (msg != NULL && var != NULL) {
		value_unref(r);
		return action_failed("'msg' and 'var' are incompatible options%s", NULL);
	}
	value_map_set(r, "_ansible_verbose_always", value_bool(1));
	if (var == NULL) {
		value_map_set(r, "msg", msg ? value_ref((struct value *)msg) : value_str("Hello world!"));
		value_map_set(r, "changed", value_bool(0));
		return r;
	}
	/* var names an expression: "{{ var }}" templated, undefined shown as
	 * Ansible shows it. */
	diag_init(&d);
	if (var->type == VALUE_STR) {
		expr = value_strf("{{ %s }}", var->u.s.ptr);
		value_pos_from(expr, var);
	} else {
		expr = value_ref((struct value *)var);
	}
	if (vars_template(ac->vc, expr, &v, &d) != 0 || v == NULL || tpl_is_undef(v))
		value_map_set(r, var->type == VALUE_STR ? var->u.s.ptr : "var", value_str("VARIABLE IS NOT DEFINED!"));
	else
		value_map_set(r, var->type == VALUE_STR ? var->u.s.ptr : "var", value_ref(v));
	value_map_set(r, "changed", value_bool(0));
	value_unref(v);
	value_unref(expr);
	diag_fini(&d);
	return r;
}

static struct value *action_set_fact(const struct action_ctx *ac)
{
	struct value *facts = value_map(), *r = value_map();
	const struct value *k;
	size_t i;

	for (i = 0; i < value_len(ac->args); i++) {
		k = value_map_key_at(ac->args, i);
		if (strcmp(k->u.s.ptr, "cacheable") == 0)
			continue;
		value_map_set_key(facts, value_ref((struct value *)k), value_ref(value_map_val_at(ac->args, i)));
	}
	if (value_len(facts) == 0) {
		value_unref(facts);
		value_unref(r);
		return action_failed("No key/value pairs provided, at least one is required for this action to succeed%s",
		                     NULL);
	}
	value_map_set(r, "ansible_facts", facts);
	value_map_set(r, "changed", value_bool(0));
	if (value_get_bool(ac->args, "cacheable", 0))
		value_map_set(r, "_ansible_facts_cacheable", value_bool(1));
	return r;
}

static struct value *action_assert(const struct action_ctx *ac)
{
	struct value *that = pb_kw_list(value_map_get(ac->raw_args, "that"));
	const struct value *fail_msg = value_map_get(ac->args, "fail_msg");
	const struct value *success_msg = value_map_get(ac->args, "success_msg");
	struct value *r = value_map();
	struct tpl_scope s;
	struct diag d;
	size_t i;
	int ok;

	if (fail_msg == NULL)
		fail_msg = value_map_get(ac->args, "msg");
	/* Set before the checks: a failed assertion prints in full too. */
	if (!value_get_bool(ac->args, "quiet", 0))
		value_map_set(r, "_ansible_verbose_always", value_bool(1));
	vars_scope(ac->vc, &s);
	diag_init(&d);
	for (i = 0; i < value_len(that); i++) {
		const struct value *c = value_list_at(that, i);

		if (templar_cond(ac->tr, c, &s, &ok, &d) != 0) {
			value_unref(r);
			r = action_diag_failed(&d);
			goto out;
		}
		if (!ok) {
			value_map_set(r, "assertion", value_ref((struct value *)c));
			value_map_set(r, "changed", value_bool(0));
			value_map_set(r, "evaluated_to", value_bool(0));
			value_map_set(r, "failed", value_bool(1));
			value_map_set(r, "msg", fail_msg ? value_ref((struct value *)fail_msg) : value_str("Assertion failed"));
			goto out;
		}
	}
	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "msg", success_msg ? value_ref((struct value *)success_msg) : value_str("All assertions passed"));
out:
	diag_fini(&d);
	value_unref(that);
	return r;
}

static struct value *action_fail(const struct action_ctx *ac)
{
	const struct value *msg = value_map_get(ac->args, "msg");
	struct value *r = value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "failed", value_bool(1));
	value_map_set(r, "msg", msg ? value_ref((struct value *)msg) : value_str("Failed as requested from task"));
	return r;
}

static struct value *action_include_vars(const struct action_ctx *ac)
{
	const char *file = value_get_str(ac->args, "file", value_get_str(ac->args, "_raw_params", NULL));
	const char *name = value_get_str(ac->args, "name", NULL);
	struct value *data = NULL, *r, *files;
	char *path;
	struct diag d;

	if (file == NULL)
		return action_failed("include_vars: only 'file' (or a file name) is supported%s", NULL);
	path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/vars/%s", ac->basedir, file);
	diag_init(&d);
	if (yaml_load_data_file(path, &data, &d) != 0) {
		free(path);
		path = file[0] == '/' ? xstrdup(file) : xasprintf("%s/%s", ac->basedir, file);
		diag_fini(&d);
		diag_init(&d);
		if (yaml_load_data_file(path, &data, &d) != 0) {
			r = action_diag_failed(&d);
			free(path);
			diag_fini(&d);
			return r;
		}
	}
	diag_fini(&d);
	if (data->type == VALUE_NULL) {
		value_unref(data);
		data = value_map();
	}
	if (data->type != VALUE_MAP) {
		value_unref(data);
		r = action_failed("%s must be stored as a dictionary/hash", path);
		free(path);
		return r;
	}
	if (name != NULL) {
		struct value *wrap = value_map();

		value_map_set(wrap, name, data);
		data = wrap;
	}
	r = value_map();
	files = value_list();
	value_list_push(files, value_str(path));
	value_map_set(r, "ansible_facts", data);
	value_map_set(r, "ansible_included_var_files", files);
	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "_ansible_include_vars", value_bool(1));
	free(path);
	return r;
}

static struct value *action_pause(const struct action_ctx *ac)
{
	int64_t secs = value_get_int(ac->args, "seconds", 0) + 60 * value_get_int(ac->args, "minutes", 0);
	struct timespec ts;
	struct value *r = value_map();
	time_t start = time(NULL);

	/* A short blocking sleep is acceptable here: pause halts the play for
	 * every host by design. Prompts need a terminal and are not offered. */
	ts.tv_sec = secs > 0 ? secs : 0;
	ts.tv_nsec = 0;
	while (nanosleep(&ts, &ts) != 0)
		;
	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "delta", value_int((int64_t)(time(NULL) - start)));
	value_map_set(r, "echo", value_bool(1));
	value_map_set(r, "rc", value_int(0));
	value_map_set(r, "start", value_strf("%lld", (long long)start));
	value_map_set(r, "stop", value_strf("%lld", (long long)time(NULL)));
	value_map_set(r, "stderr", value_str(""));
	value_map_set(r, "stdout", value_strf("Paused for %lld seconds", (long long)secs));
	value_map_set(r, "user_input", value_str(""));
	return r;
}

int action_known(const char *module)
{
	static const char *const names[] = {"debug",        "set_fact", "assert",  "fail",
	                                    "include_vars", "pause",    "add_host", "group_by"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(module, names[i]) == 0)
			return 1;
	return 0;
}

struct value *action_run(const char *module, const struct action_ctx *ac)
{
	if (strcmp(module, "debug") == 0)
		return action_debug(ac);
	if (strcmp(module, "set_fact") == 0)
		return action_set_fact(ac);
	if (strcmp(module, "assert") == 0)
		return action_assert(ac);
	if (strcmp(module, "fail") == 0)
		return action_fail(ac);
	if (strcmp(module, "include_vars") == 0)
		return action_include_vars(ac);
	if (strcmp(module, "pause") == 0)
		return action_pause(ac);
	if (strcmp(module, "add_host") == 0)
		return actions_inv_add_host(ac->inv, ac->vc->run, ac->args);
	if (strcmp(module, "group_by") == 0)
		return actions_inv_group_by(ac->inv, ac->vc->run, inv_host_name(ac->vc->host), ac->args);
	return action_failed("the action '%s' is not supported yet", module);
}
