/* vars_prompt: the variables a play asks the user for before it starts, as
 * ansible-playbook's PlaybookExecutor and Display.do_var_prompt get them. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fdutil.h"
#include "base/ttyprompt.h"
#include "base/xmalloc.h"
#include "exec/pbrun_priv.h"
#include "playbook/pb_kw.h"

/* The answer as Python's to_text makes it: a default of another type
 * becomes its text. */
static struct value *pbprompt_text(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return value_str("None");
	case VALUE_BOOL: return value_str(v->u.b ? "True" : "False");
	case VALUE_INT: return value_strf("%lld", (long long)v->u.i);
	default: return value_ref((struct value *)v);
	}
}

static int pbprompt_flag(const struct value *p, const char *key, int dflt)
{
	const struct value *v = value_map_get(p, key);
	struct diag d;
	int on = dflt;

	diag_init(&d);
	if (v != NULL && pb_kw_bool(v, key, &on, &d) != 0)
		on = dflt;
	diag_fini(&d);
	return on;
}

/* Asks on the terminal (twice with confirm, until both answers match). */
static char *pbprompt_ask(const char *msg, int private, int confirm)
{
	char *again, *first, *cmsg;

	for (;;) {
		if ((first = ttyprompt_read(msg, private)) == NULL || !confirm)
			return first;
		cmsg = xasprintf("confirm %s", msg);
		again = ttyprompt_read(cmsg, private);
		free(cmsg);
		if (again != NULL && strcmp(again, first) == 0) {
			free(again);
			return first;
		}
		free(again);
		free(first);
		fd_write_all(STDOUT_FILENO, "***** VALUES ENTERED DO NOT MATCH ****\n", 39);
	}
}

/* One prompt entry (templated): its value, or NULL with rs->fatal set. */
static struct value *pbprompt_one(struct pbrun_state *rs, const struct value *p, const char *name)
{
	const struct value *def = value_map_get(p, "default");
	const char *prompt = value_get_str(p, "prompt", name);
	struct value *v = NULL;
	char *msg, *answer = NULL;

	if (value_map_get(p, "encrypt") != NULL) {
		rs->fatal = xasprintf("vars_prompt '%s': encrypt is not supported by drover; hash the value with "
		                      "the password_hash filter instead",
		                      name);
		return NULL;
	}
	if (isatty(STDIN_FILENO)) {
		if (def != NULL && def->type != VALUE_NULL) {
			v = pbprompt_text(def);
			msg = xasprintf("%s [%s]: ", prompt, value_cstr(v) ? value_cstr(v) : "...");
			value_unref(v);
			v = NULL;
		} else {
			msg = xasprintf("%s: ", prompt);
		}
		answer = pbprompt_ask(msg, pbprompt_flag(p, "private", 1), pbprompt_flag(p, "confirm", 0));
		free(msg);
	} else {
		human_warning(&rs->out, "Not prompting as we are not in interactive mode");
	}
	if (answer != NULL && answer[0] != '\0')
		v = value_str(answer);
	else if (def != NULL)
		v = pbprompt_text(def);
	else
		v = value_str("None");
	if (answer != NULL) {
		explicit_bzero(answer, strlen(answer));
		free(answer);
	}
	if (pbprompt_flag(p, "unsafe", 0) && v->type == VALUE_STR)
		value_mut(&v)->flags |= VALUE_F_UNSAFE;
	return v;
}

struct value *pbprompt_vars(struct pbrun_state *rs, struct pb_play *play)
{
	struct value *prompts = NULL, *vars, *v;
	struct vars_ctx vc;
	struct diag d;
	const char *name;
	size_t i;

	if (play->vars_prompt == NULL || value_len(play->vars_prompt) == 0)
		return NULL;
	diag_init(&d);
	/* Prompts may use the play's variables, as Ansible templates them. */
	if (vars_ctx_init(&vc, rs->vars, NULL, play, NULL, NULL, &d) != 0 ||
	    vars_template(&vc, play->vars_prompt, &prompts, &d) != 0) {
		rs->fatal = diag_format(&d);
		diag_fini(&d);
		value_unref(prompts);
		return NULL;
	}
	diag_fini(&d);
	vars = play->obj.kw[PB_KW_VARS] != NULL ? value_dup(play->obj.kw[PB_KW_VARS]) : value_map();
	for (i = 0; i < value_len(prompts) && rs->fatal == NULL; i++) {
		name = value_get_str(value_list_at(prompts, i), "name", NULL);
		if (name == NULL || value_map_get(rs->o->extra_vars, name) != NULL)
			continue;
		if ((v = pbprompt_one(rs, value_list_at(prompts, i), name)) != NULL)
			value_map_set(vars, name, v);
	}
	value_unref(prompts);
	if (rs->fatal != NULL) {
		value_unref(vars);
		return NULL;
	}
	return vars;
}
