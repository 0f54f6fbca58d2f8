/* One task on one host: conditions, loops, arguments, the action through the
 * host's worker (or on the controller), until/retries, changed_when and
 * failed_when, register, notify, output and stats. */
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "exec/actions.h"
#include "exec/becomereq.h"
#include "exec/connact.h"
#include "playbook/modreg.h"
#include "exec/pbrun_priv.h"
#include "exec/drvinstall.h"
#include "exec/moddefaults.h"
#include "exec/tmplmod.h"
#include "exec/xfer.h"
#include "playbook/pb_kw.h"

struct pbexec {
	struct pbrun_state *rs;
	struct pbhost *ph;
	struct pb_task *t;
	int handler;
	struct human_task ht;
	struct vars_ctx vc;
	struct value *items;        /* loop items, or NULL */
	size_t item;                /* index of the item running */
	struct value *results;      /* per-item results */
	struct value *locals;       /* loop names of the item running */
	const char *loop_var, *index_var;
	struct value *label;        /* loop_control.label, as written */
	int extended;
	int check, diff, ignore_errors, ignore_unreachable;
	int64_t retries, delay, timeout;
	int attempts;
	const char *reg;            /* register name, or NULL */
	const char *delegate;       /* delegate_to: the host's name ("localhost" or as written), else NULL */
	struct pbhost *delegate_ph; /* delegate_to an inventory host other than localhost, or NULL */
	char *delegate_addr;        /* owned: that host's ansible_host, for "h1 -> h2(addr)", or NULL */
	char *delegate_err;         /* owned: why the delegation cannot run, or NULL */
	int delegate_facts;
	uint64_t timer;
	int done;
	char *path;                 /* owned: the banner's path when the exec keeps it (free strategy) */
};

static struct value *pbx_kw(const struct pbexec *x, enum pb_kw k)
{
	return pb_obj_kw(&x->t->obj, k);
}

/* A keyword templated, as Ansible's post_validate does. */
static int pbx_kw_tpl(struct pbexec *x, enum pb_kw k, struct value **vp, struct diag *d)
{
	struct value *raw = pbx_kw(x, k);
	int r;

	*vp = NULL;
	if (raw == NULL)
		return 0;
	r = vars_template(&x->vc, raw, vp, d);
	value_unref(raw);
	return r;
}

static int pbx_kw_bool(struct pbexec *x, enum pb_kw k, const char *name, int dflt, int *outp, struct diag *d)
{
	struct value *v = NULL;
	int r;

	*outp = dflt;
	if ((r = pbx_kw_tpl(x, k, &v, d)) != 0 || v == NULL || v->type == VALUE_NULL) {
		value_unref(v);
		return r;
	}
	r = pb_kw_bool(v, name, outp, d);
	value_unref(v);
	return r;
}

static int pbx_kw_int(struct pbexec *x, enum pb_kw k, const char *name, int64_t dflt, int64_t *outp, struct diag *d)
{
	struct value *v = NULL;
	int r;

	*outp = dflt;
	if ((r = pbx_kw_tpl(x, k, &v, d)) != 0 || v == NULL || v->type == VALUE_NULL) {
		value_unref(v);
		return r;
	}
	r = pb_kw_int(v, name, outp, d);
	value_unref(v);
	return r;
}

static struct value *pbx_fail_result(const char *msg)
{
	struct value *r = value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "failed", value_bool(1));
	value_map_set(r, "msg", value_str(msg));
	return r;
}

static struct value *pbx_diag_result(struct diag *d)
{
	char *m = diag_format(d);
	struct value *r = pbx_fail_result(m);

	free(m);
	return r;
}

/* Strips _ansible_ keys as Ansible does before registering or aggregating. */
static struct value *pbx_clean(const struct value *v)
{
	struct value *c = value_map();
	const struct value *k;
	size_t i;

	for (i = 0; i < value_len(v); i++) {
		k = value_map_key_at(v, i);
		if (strncmp(k->u.s.ptr, "_ansible_", 9) == 0)
			continue;
		value_map_set_key(c, value_ref((struct value *)k), value_ref(value_map_val_at(v, i)));
	}
	return c;
}

static void pbx_finish(struct pbexec *x, struct value *result, int unreachable);
static void pbx_next_item(struct pbexec *x);
static void pbx_item_result(struct pbexec *x, struct value *result, int unreachable);

/* changed_when / failed_when, with the result visible under the register
 * name as Ansible evaluates them. */
static int pbx_post_conditions(struct pbexec *x, struct value **resultp, struct diag *d)
{
	struct value *cw = pbx_kw(x, PB_KW_CHANGED_WHEN), *fw = pbx_kw(x, PB_KW_FAILED_WHEN);
	struct value *locals = NULL, *list;
	const struct value *saved = x->vc.locals;
	struct tpl_scope s;
	size_t i;
	int ok = 1, r = 0, any;

	if (cw == NULL && fw == NULL)
		return 0;
	locals = x->locals ? value_dup(x->locals) : value_map();
	if (x->reg != NULL)
		value_map_set(locals, x->reg, pbx_clean(*resultp));
	x->vc.locals = locals;
	vars_scope(&x->vc, &s);
	if (cw != NULL) {
		list = pb_kw_list(cw);
		for (i = 0, any = 1; i < value_len(list) && r == 0; i++) {
			r = templar_cond(x->rs->tr, value_list_at(list, i), &s, &ok, d);
			any = any && ok;
		}
		value_unref(list);
		if (r == 0)
			value_map_set(value_mut(resultp), "changed", value_bool(any));
	}
	if (fw != NULL && r == 0) {
		list = pb_kw_list(fw);
		for (i = 0, any = 1; i < value_len(list) && r == 0; i++) {
			r = templar_cond(x->rs->tr, value_list_at(list, i), &s, &ok, d);
			any = any && ok;
		}
		value_unref(list);
		if (r == 0) {
			value_map_set(value_mut(resultp), "failed", value_bool(any));
			value_map_set(value_mut(resultp), "failed_when_result", value_bool(any));
		}
	}
	x->vc.locals = saved;
	value_unref(locals);
	value_unref(cw);
	value_unref(fw);
	return r;
}

static void pbx_retry_timer(struct ev_loop *loop, void *arg);
static void pbx_dispatch(struct pbexec *x);

/* until/retries/delay: returns 1 when another attempt was scheduled. */
static int pbx_until(struct pbexec *x, struct value **resultp)
{
	struct value *until = pbx_kw(x, PB_KW_UNTIL), *locals, *list;
	const struct value *saved = x->vc.locals;
	struct tpl_scope s;
	struct diag d;
	size_t i;
	int ok = 1, r = 0, all = 1;

	if (until == NULL)
		return 0;
	locals = x->locals ? value_dup(x->locals) : value_map();
	if (x->reg != NULL)
		value_map_set(locals, x->reg, pbx_clean(*resultp));
	x->vc.locals = locals;
	vars_scope(&x->vc, &s);
	diag_init(&d);
	/* until is a list of conditions, as when: all must hold. */
	list = pb_kw_list(until);
	for (i = 0; i < value_len(list) && r == 0; i++) {
		r = templar_cond(x->rs->tr, value_list_at(list, i), &s, &ok, &d);
		all = all && ok;
	}
	ok = all;
	value_unref(list);
	x->vc.locals = saved;
	value_unref(locals);
	value_unref(until);
	x->attempts++;
	value_map_set(value_mut(resultp), "attempts", value_int(x->attempts));
	if (r != 0) {
		value_unref(*resultp);
		*resultp = pbx_diag_result(&d);
		diag_fini(&d);
		return 0;
	}
	diag_fini(&d);
	if (ok)
		return 0;
	if (x->attempts > x->retries) {
		value_map_set(value_mut(resultp), "failed", value_bool(1));
		return 0;
	}
	human_retry(&x->rs->out, &x->ht, x->ph->name, (int)(x->retries + 1 - x->attempts), *resultp);
	x->timer = ev_timer_add(x->rs->loop, (uint64_t)(x->delay > 0 ? x->delay : 0) * 1000, pbx_retry_timer, x);
	return 1;
}

static void pbx_retry_timer(struct ev_loop *loop, void *arg)
{
	struct pbexec *x = arg;

	(void)loop;
	x->timer = 0;
	pbx_dispatch(x);
}

/* A result for the current item (or the whole task without a loop). */
static void pbx_on_result(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct pbexec *x = arg;
	struct value *r;
	struct diag d;

	if (e != NULL) {
		r = value_map();
		value_map_set(r, "changed", value_bool(0));
		value_map_set(r, "msg", value_str(e->msg));
		value_map_set(r, "unreachable", value_bool(1));
		pbx_item_result(x, r, 1);
		return;
	}
	r = value_ref((struct value *)result);
	if (!value_get_bool(r, "skipped", 0) && pbx_until(x, &r)) {
		value_unref(r);
		return;
	}
	diag_init(&d);
	if (!value_get_bool(r, "skipped", 0) && pbx_post_conditions(x, &r, &d) != 0) {
		value_unref(r);
		r = pbx_diag_result(&d);
	}
	diag_fini(&d);
	pbx_item_result(x, r, 0);
}

static const char *pbx_module(const struct pbexec *x)
{
	return x->t->module ? x->t->module : "";
}

/* Removes arguments whose value is the omit placeholder. */
static void pbx_drop_omit(struct pbexec *x, struct value **argsp)
{
	const char *omit = vars_omit_token(x->rs->vars);
	size_t i;

	for (i = value_len(*argsp); i-- > 0;) {
		const struct value *v = value_map_val_at(*argsp, i);

		if (v->type == VALUE_STR && strcmp(v->u.s.ptr, omit) == 0)
			value_map_del(value_mut(argsp), value_map_key_at(*argsp, i)->u.s.ptr);
	}
}

/* The template module: rendered here with the host's variables, written by
 * the worker's copy (same atomic write path); see exec/tmplmod.h. */
static int pbx_template_args(struct pbexec *x, struct value **argsp, struct diag *d)
{
	return tmplmod_args(x->rs->tr, &x->vc, x->t->role != NULL ? x->t->role->path : NULL, x->rs->play->basedir,
	                    argsp, d);
}

static struct value *pbx_environment(struct pbexec *x)
{
	struct value *envs = pbx_kw(x, PB_KW_ENVIRONMENT), *merged = NULL, *t = NULL;
	struct diag d;
	size_t i;

	if (envs == NULL)
		return NULL;
	diag_init(&d);
	if (vars_template(&x->vc, envs, &t, &d) == 0 && t != NULL) {
		merged = value_map();
		for (i = 0; i < value_len(t); i++)
			if (value_list_at(t, i)->type == VALUE_MAP)
				value_map_update(merged, value_list_at(t, i), 0);
	}
	diag_fini(&d);
	value_unref(t);
	value_unref(envs);
	return merged;
}

/* The request's "become" map from the keywords and ansible_become*
 * variables in effect for the task (NULL: not escalated). */
static int pbx_become(struct pbexec *x, struct value **becomep, struct diag *d)
{
	static const enum pb_kw kws[] = {PB_KW_BECOME, PB_KW_BECOME_USER, PB_KW_BECOME_METHOD, PB_KW_BECOME_FLAGS,
	                                 PB_KW_BECOME_EXE};
	struct value *kv[5] = {NULL, NULL, NULL, NULL, NULL}, *vars = value_map(), *v;
	struct becomereq_kw kw;
	const char *err = NULL;
	size_t i;
	int r = 0;

	for (i = 0; i < 5 && r == 0; i++)
		r = pbx_kw_tpl(x, kws[i], &kv[i], d);
	for (i = 0; becomereq_var_names[i] != NULL && r == 0; i++) {
		v = NULL;
		if ((r = vars_get(&x->vc, becomereq_var_names[i], &v, d)) == ERR_NOTFOUND)
			r = 0;
		else if (r == 0 && v != NULL)
			value_map_set(vars, becomereq_var_names[i], value_ref(v));
		value_unref(v);
	}
	kw = (struct becomereq_kw){kv[0], kv[1], kv[2], kv[3], kv[4]};
	if (r == 0 && (r = becomereq_build(&x->rs->o->conn->become, &kw, vars, becomep, &err)) != 0)
		diag_set(d, x->t->obj.pos.file, (int)x->t->obj.pos.line, (int)x->t->obj.pos.col, "%s", err);
	for (i = 0; i < 5; i++)
		value_unref(kv[i]);
	value_unref(vars);
	return r;
}

static struct hostconn *pbx_hc(struct pbexec *x)
{
	if (x->delegate_ph != NULL)
		return x->delegate_ph->hc;
	return x->delegate != NULL ? pbrun_local_hc(x->rs) : x->ph->hc;
}

static int pbx_module_defaults(struct pbexec *x, struct value **argsp, struct diag *d)
{
	struct value *defaults = pbx_kw(x, PB_KW_MODULE_DEFAULTS);
	int r = moddefaults_apply(&x->vc, defaults, pbx_module(x), argsp, d);

	value_unref(defaults);
	return r;
}

/* copy with a src on the controller, unarchive, fetch, script: see exec/xfer.h. */
static void pbx_xfer(struct pbexec *x, const struct value *args, const struct value *env,
                     const struct value *become)
{
	struct xfer_task t = {pbx_module(x), x->ph->name, args, x->t->role != NULL ? x->t->role->path : NULL,
	                      x->rs->play->basedir, x->check, x->diff, (int)x->timeout, env, become};

	xfer_start(pbx_hc(x), &t, pbx_on_result, x);
}

static void pbx_dispatch(struct pbexec *x)
{
	struct pbrun_state *rs = x->rs;
	const char *module = pbx_module(x);
	struct value *args = NULL, *r, *env, *become = NULL;
	struct action_ctx ac;
	struct diag d;

	diag_init(&d);
	if (vars_template(&x->vc, x->t->args, &args, &d) != 0 || pbx_module_defaults(x, &args, &d) != 0) {
		pbx_on_result(r = pbx_diag_result(&d), NULL, x);
		value_unref(r);
		goto out;
	}
	pbx_drop_omit(x, &args);
	if (x->t->mod != NULL && x->t->mod->where == MOD_CONTROLLER && connact_known(module)) {
		connact_start(rs->env.loop, pbx_hc(x), module, args, x->check, pbx_on_result, x);
		goto out;
	}
	if (x->t->mod != NULL && x->t->mod->where == MOD_CONTROLLER) {
		memset(&ac, 0, sizeof(ac));
		ac.vc = &x->vc;
		ac.inv = rs->inv;
		ac.tr = rs->tr;
		ac.args = args;
		ac.raw_args = x->t->args;
		ac.basedir = x->t->role ? x->t->role->path : rs->play->basedir;
		ac.verbosity = rs->o->verbosity;
		ac.check = x->check;
		r = action_known(module) ? action_run(module, &ac)
		                         : pbx_fail_result("this action is not supported by drover yet");
		pbx_on_result(r, NULL, x);
		value_unref(r);
		goto out;
	}
	if (x->t->mod != NULL && x->t->mod->where == MOD_RAW) {
		/* Running it as the login user instead would be a silent lie. */
		if (pbx_become(x, &become, &d) != 0 || become != NULL) {
			pbx_on_result(r = become != NULL ? pbx_fail_result("raw with become is not supported by drover yet")
			                                 : pbx_diag_result(&d),
			              NULL, x);
			value_unref(r);
			goto out;
		}
		hostconn_raw(pbx_hc(x), value_get_str(args, "_raw_params", ""), value_get_str(args, "executable", NULL),
		             pbx_on_result, x);
		goto out;
	}
	if (strcmp(module, "template") == 0) {
		if (pbx_template_args(x, &args, &d) != 0) {
			pbx_on_result(r = pbx_diag_result(&d), NULL, x);
			value_unref(r);
			goto out;
		}
		module = "copy";
	} else if (strcmp(module, "drover_install") == 0) {
		if (drvinstall_args(rs->o->conn->worker_path, &args, &d) != 0) {
			pbx_on_result(r = pbx_diag_result(&d), NULL, x);
			value_unref(r);
			goto out;
		}
		module = "copy";
	}
	if (pbx_become(x, &become, &d) != 0) {
		pbx_on_result(r = pbx_diag_result(&d), NULL, x);
		value_unref(r);
		goto out;
	}
	env = pbx_environment(x);
	if (xfer_handles(module, args))
		pbx_xfer(x, args, env, become);
	else
		hostconn_module(pbx_hc(x), module, args, x->check, x->diff, (int)x->timeout, env, become, pbx_on_result, x);
	value_unref(env);
out:
	value_unref(become);
	value_unref(args);
	diag_fini(&d);
}

static struct value *pbx_skip_result(void)
{
	struct value *r = value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "skip_reason", value_str("Conditional result was False"));
	value_map_set(r, "skipped", value_bool(1));
	return r;
}

static int pbx_delegate(struct pbexec *x, struct diag *d);

/* Runs the current item: its when, then the action. */
static void pbx_run_item(struct pbexec *x)
{
	struct value *when = pbx_kw(x, PB_KW_WHEN), *r;
	struct tpl_scope s;
	struct diag d;
	size_t i;
	int ok = 1, rc = 0;

	x->attempts = 0;
	vars_scope(&x->vc, &s);
	diag_init(&d);
	for (i = 0; i < value_len(when) && ok && rc == 0; i++)
		rc = templar_cond(x->rs->tr, value_list_at(when, i), &s, &ok, &d);
	value_unref(when);
	if (rc == 0 && ok && x->items != NULL && x->t->obj.kw[PB_KW_LOOP] != NULL &&
	    (rc = pbx_delegate(x, &d)) == 0 && x->delegate_err != NULL) {
		pbx_item_result(x, pbx_fail_result(x->delegate_err), 0);
		diag_fini(&d);
		return;
	}
	if (rc != 0) {
		r = pbx_diag_result(&d);
		pbx_item_result(x, r, 0);
	} else if (!ok) {
		r = pbx_skip_result();
		pbx_item_result(x, r, 0);
	} else {
		diag_fini(&d);
		pbx_dispatch(x);
		return;
	}
	diag_fini(&d);
}

/* The hosts a result is for: the one that ran the task, or with run_once
 * every host the task was for. */
static size_t pbx_targets(struct pbexec *x, struct pbhost *const **listp)
{
	if (x->rs->once != NULL) {
		*listp = x->rs->once;
		return x->rs->nonce;
	}
	*listp = &x->ph;
	return 1;
}

static void pbx_apply_facts(struct pbexec *x, const struct value *result, const struct value *facts, struct inv_host *h)
{
	struct vars_run *vars = x->rs->vars;
	size_t i;

	if (value_get_bool(result, "_ansible_include_vars", 0)) {
		for (i = 0; i < value_len(facts); i++)
			vars_set_host_var(vars, h, value_map_key_at(facts, i)->u.s.ptr, value_map_val_at(facts, i));
	} else if (strcmp(pbx_module(x), "set_fact") == 0) {
		vars_set_fact(vars, h, facts, 0);
		if (value_get_bool(result, "_ansible_facts_cacheable", 0))
			vars_set_facts(vars, h, facts, 0);
	} else {
		vars_set_facts(vars, h, facts, VARS_UNSAFE);
	}
}

/* Only the host that ran the task notifies (run_once too, as Ansible's). */
static void pbx_notify(struct pbexec *x)
{
	struct value *notify = pbx_kw(x, PB_KW_NOTIFY), *list = pb_kw_list(notify);
	size_t i;

	for (i = 0; i < value_len(list); i++)
		if (value_cstr(value_list_at(list, i)) != NULL)
			value_list_push(x->ph->notified, value_ref(value_list_at(list, i)));
	value_unref(list);
	value_unref(notify);
}

/* Counts and prints the final result of the task, and applies it. */
static void pbx_apply(struct pbexec *x, struct value *result, int unreachable)
{
	struct pbhost *ph = x->ph;
	struct pbrun_state *rs = x->rs;
	struct human_result hr;
	const struct value *facts;
	int failed = value_get_bool(result, "failed", 0), skipped = value_get_bool(result, "skipped", 0);
	int changed = value_get_bool(result, "changed", 0);
	size_t i;

	memset(&hr, 0, sizeof(hr));
	hr.task = &x->ht;
	hr.host = ph->name;
	hr.delegate_to = x->delegate;
	hr.delegate_host = x->delegate_addr;
	hr.result = result;
	hr.action = pbx_module(x);
	hr.loop_summary = x->items != NULL;
	if (unreachable) {
		hr.status = HUMAN_UNREACHABLE;
		hr.ignore_errors = x->ignore_unreachable;
		human_result(&rs->out, &hr);
		if (x->ignore_unreachable) {
			ph->st.skipped++;
		} else {
			ph->st.unreachable++;
			ph->unreachable_run = 1;
			ph->failed_step = 1;
			ph->removed = 1;
			iter_end(&ph->it);
			vars_host_set_unreachable(rs->vars, ph->h, 1);
			vars_host_set_removed(rs->vars, ph->h, 1);
		}
		return;
	}
	if (x->reg != NULL) {
		struct value *c = pbx_clean(result);
		struct pbhost *const *to;
		size_t nto = pbx_targets(x, &to);

		/* Ansible's strategy registers the result without its top-level
		 * invocation (loop items keep theirs). */
		value_map_del(c, "invocation");

		for (i = 0; i < nto; i++)
			vars_register(rs->vars, to[i]->h, x->reg, c);
		value_unref(c);
	}
	if (failed) {
		hr.status = HUMAN_FAILED;
		hr.ignore_errors = x->ignore_errors;
		human_result(&rs->out, &hr);
		if (x->ignore_errors) {
			ph->st.ok++;
			ph->st.ignored++;
			if (changed)
				ph->st.changed++;
			return;
		}
		iter_fail(&ph->it);
		if (iter_rescuing(&ph->it) && !ph->it.done) {
			struct value *task = value_map();

			value_map_set(task, "name", value_str(pb_task_name(x->t)));
			ph->st.rescued++;
			vars_set_failed(rs->vars, ph->h, task, result);
			value_unref(task);
		} else {
			ph->st.failures++;
			ph->failed_step = 1;
		}
		if (ph->it.done && ph->it.failed) {
			ph->removed = 1;
			ph->failed_run = 1;
			vars_host_set_failed(rs->vars, ph->h, 1);
			vars_host_set_removed(rs->vars, ph->h, 1);
		}
		return;
	}
	if (skipped) {
		hr.status = HUMAN_SKIPPED;
		human_result(&rs->out, &hr);
		ph->st.skipped++;
		return;
	}
	if (x->diff && x->items == NULL)
		human_diff(&rs->out, &x->ht, result);
	hr.status = HUMAN_OK;
	human_result(&rs->out, &hr);
	ph->st.ok++;
	if (changed)
		ph->st.changed++;
	if ((facts = value_map_get(result, "ansible_facts")) != NULL) {
		struct pbhost *const *to;
		size_t nto = pbx_targets(x, &to);

		/* delegate_facts: the facts are the delegated host's alone. */
		if (x->delegate_facts && x->delegate_ph != NULL)
			pbx_apply_facts(x, result, facts, x->delegate_ph->h);
		else
			for (i = 0; i < nto; i++)
				pbx_apply_facts(x, result, facts, to[i]->h);
	}
	if (changed)
		pbx_notify(x);
}

static void pbx_free(struct pbexec *x)
{
	ev_timer_del(x->rs->loop, x->timer);
	value_unref(x->items);
	value_unref(x->results);
	value_unref(x->locals);
	value_unref(x->label);
	free(x->delegate_addr);
	free(x->delegate_err);
	free(x->path);
	free(x);
}

static void pbx_finish(struct pbexec *x, struct value *result, int unreachable)
{
	struct pbrun_state *rs = x->rs;

	pbx_apply(x, result, unreachable);
	value_unref(result);
	x->ph->busy = 0;
	x->ph->cur = NULL;
	rs->running--;
	pbx_free(x);
}

/* A loop's aggregate result, as Ansible's TaskExecutor builds it. */
static struct value *pbx_loop_result(struct pbexec *x)
{
	struct value *r = value_map();
	size_t i;
	int changed = 0, failed = 0, skipped = 1;

	for (i = 0; i < value_len(x->results); i++) {
		const struct value *ir = value_list_at(x->results, i);

		changed |= value_get_bool(ir, "changed", 0);
		failed |= value_get_bool(ir, "failed", 0);
		skipped &= value_get_bool(ir, "skipped", 0);
	}
	value_map_set(r, "changed", value_bool(changed));
	if (failed) {
		value_map_set(r, "failed", value_bool(1));
		value_map_set(r, "msg", value_str("One or more items failed"));
	} else {
		value_map_set(r, "msg", value_str("All items completed"));
	}
	if (value_len(x->results) > 0 && skipped) {
		value_map_set(r, "skipped", value_bool(1));
		value_map_set(r, "skipped_reason", value_str("No items in the list"));
	}
	value_map_set(r, "results", value_ref(x->results));
	if (value_len(x->results) == 0) {
		value_map_set(r, "skipped", value_bool(1));
		value_map_set(r, "skipped_reason", value_str("No items in the list"));
	}
	return r;
}

static void pbx_item_result(struct pbexec *x, struct value *result, int unreachable)
{
	struct human_result hr;
	const struct value *item;

	if (x->items == NULL) {
		pbx_finish(x, result, unreachable);
		return;
	}
	if (unreachable) {
		/* The host is gone: the loop ends here. */
		pbx_finish(x, result, 1);
		return;
	}
	item = value_list_at(x->items, x->item);
	value_map_set(value_mut(&result), x->loop_var, value_ref((struct value *)item));
	value_map_set(result, "ansible_loop_var", value_str(x->loop_var));
	if (x->label != NULL) {
		struct value *l = NULL;
		struct diag d;

		diag_init(&d);
		if (vars_template(&x->vc, x->label, &l, &d) == 0)
			value_map_set(result, "_ansible_item_label", l);
		diag_fini(&d);
	}
	memset(&hr, 0, sizeof(hr));
	hr.task = &x->ht;
	hr.host = x->ph->name;
	hr.delegate_to = x->delegate;
	hr.delegate_host = x->delegate_addr;
	hr.result = result;
	hr.action = pbx_module(x);
	hr.item = 1;
	hr.status = value_get_bool(result, "failed", 0) ? HUMAN_FAILED
	            : value_get_bool(result, "skipped", 0) ? HUMAN_SKIPPED : HUMAN_OK;
	if (hr.status == HUMAN_OK && x->diff)
		human_diff(&x->rs->out, &x->ht, result);
	human_result(&x->rs->out, &hr);
	value_list_push(x->results, pbx_clean(result));
	value_unref(result);
	x->item++;
	pbx_next_item(x);
}

static void pbx_next_item(struct pbexec *x)
{
	const char *index_var;

	if (x->item >= value_len(x->items)) {
		pbx_finish(x, pbx_loop_result(x), 0);
		return;
	}
	index_var = x->index_var;
	value_unref(x->locals);
	x->locals = vars_loop_locals(x->loop_var, value_list_at(x->items, x->item), index_var, x->item, x->items,
	                             x->extended, 1);
	x->vc.locals = x->locals;
	pbx_run_item(x);
}

/* with_<lookup>: the lookups a loop may come from, as Ansible's. */
static int pbx_with(struct pbexec *x, struct value *terms, struct value **itemsp, struct diag *d)
{
	const char *w = x->t->loop_with;
	struct value *items = value_list(), *kv;
	const struct value *v;
	size_t i, j;

	*itemsp = NULL;
	if (strcmp(w, "items") == 0 || strcmp(w, "list") == 0 || strcmp(w, "flattened") == 0) {
		if (terms->type != VALUE_LIST) {
			value_list_push(items, value_ref(terms));
		} else {
			for (i = 0; i < value_len(terms); i++) {
				v = value_list_at(terms, i);
				if (strcmp(w, "items") == 0 && v->type == VALUE_LIST)
					for (j = 0; j < value_len(v); j++)
						value_list_push(items, value_ref(value_list_at(v, j)));
				else
					value_list_push(items, value_ref((struct value *)v));
			}
		}
	} else if (strcmp(w, "dict") == 0 && terms->type == VALUE_MAP) {
		for (i = 0; i < value_len(terms); i++) {
			kv = value_map();
			value_map_set(kv, "key", value_ref((struct value *)value_map_key_at(terms, i)));
			value_map_set(kv, "value", value_ref(value_map_val_at(terms, i)));
			value_list_push(items, kv);
		}
	} else if (strcmp(w, "indexed_items") == 0 && terms->type == VALUE_LIST) {
		for (i = 0; i < value_len(terms); i++) {
			kv = value_list();
			value_list_push(kv, value_int((int64_t)i));
			value_list_push(kv, value_ref(value_list_at(terms, i)));
			value_list_push(items, kv);
		}
	} else {
		value_unref(items);
		diag_set(d, x->t->obj.pos.file, (int)x->t->obj.pos.line, (int)x->t->obj.pos.col,
		         "with_%s is not supported by drover yet", w);
		return ERR_INVAL;
	}
	*itemsp = items;
	return 0;
}

/* Evaluates loop / with_<lookup> into the item list, or leaves items NULL. */
static int pbx_loop_items(struct pbexec *x, struct diag *d)
{
	struct value *terms = NULL, *lc = pbx_kw(x, PB_KW_LOOP_CONTROL);
	int r;

	if ((r = pbx_kw_tpl(x, PB_KW_LOOP, &terms, d)) != 0 || terms == NULL) {
		value_unref(lc);
		return r;
	}
	x->loop_var = value_get_str(lc, "loop_var", "item");
	x->index_var = value_get_str(lc, "index_var", NULL);
	x->extended = value_get_bool(lc, "extended", 0);
	x->label = value_map_get(lc, "label") ? value_ref(value_map_get(lc, "label")) : NULL;
	/* Ansible's default label is the loop variable itself, whatever its name. */
	if (x->label == NULL && strcmp(x->loop_var, "item") != 0)
		x->label = value_strf("{{ %s }}", x->loop_var);
	value_unref(lc);
	if (x->t->loop_with != NULL) {
		r = pbx_with(x, terms, &x->items, d);
		value_unref(terms);
		return r;
	}
	if (terms->type != VALUE_LIST) {
		diag_set(d, terms->pos.file, (int)terms->pos.line, (int)terms->pos.col,
		         "Invalid data passed to 'loop', it requires a list, got this instead: %s. Hint: If you passed a "
		         "list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query "
		         "instead of lookup.", value_type_name(terms));
		value_unref(terms);
		return ERR_INVAL;
	}
	x->items = terms;
	return 0;
}

int pbtask_loop(struct pbrun_state *rs, struct pbhost *ph, struct pb_task *t, struct pbtask_loop *lp,
                struct diag *d)
{
	struct pbexec x;
	int r;

	memset(&x, 0, sizeof(x));
	memset(lp, 0, sizeof(*lp));
	x.rs = rs;
	x.ph = ph;
	x.t = t;
	if ((r = vars_ctx_init(&x.vc, rs->vars, ph->h, rs->play, t, NULL, d)) != 0 || (r = pbx_loop_items(&x, d)) != 0) {
		value_unref(x.items);
		value_unref(x.label);
		return r;
	}
	lp->items = x.items;
	lp->loop_var = x.loop_var;
	lp->index_var = x.index_var;
	lp->extended = x.extended;
	lp->label = x.label;
	return 0;
}

/* The delegated host's ansible_host when it is a plain string, as the
 * callback shows it beside the host's name. */
static char *pbx_delegate_addr(struct pbrun_state *rs, const struct inv_host *h)
{
	struct value *vars = inventory_host_vars(rs->inv, h);
	const char *addr = value_get_str(vars, "ansible_host", NULL);
	char *out = addr != NULL ? xstrdup(addr) : NULL;

	value_unref(vars);
	return out;
}

/* delegate_to: the controller itself (localhost, 127.0.0.1) runs the task
 * through a local connection, another inventory host over that host's own
 * connection (its ansible_host, port, user); the task keeps the delegating
 * host's variables. */
static int pbx_delegate(struct pbexec *x, struct diag *d)
{
	struct value *v = NULL;
	struct inv_host *h;
	int r;

	free(x->delegate_addr);
	free(x->delegate_err);
	x->delegate = NULL;
	x->delegate_ph = NULL;
	x->delegate_addr = x->delegate_err = NULL;
	x->delegate_facts = 0;
	r = pbx_kw_tpl(x, PB_KW_DELEGATE_TO, &v, d);

	if (r == 0 && v != NULL && v->type == VALUE_STR && strcmp(v->u.s.ptr, x->ph->name) != 0) {
		if (strcmp(v->u.s.ptr, "localhost") == 0 || strcmp(v->u.s.ptr, "127.0.0.1") == 0) {
			x->delegate = strcmp(v->u.s.ptr, "localhost") == 0 ? "localhost" : "127.0.0.1";
		} else if ((h = inventory_host(x->rs->inv, v->u.s.ptr)) != NULL) {
			x->delegate_ph = pbrun_host(x->rs, h);
			x->delegate = x->delegate_ph->name;
			x->delegate_addr = pbx_delegate_addr(x->rs, h);
		} else {
			x->delegate_err = xasprintf("delegate_to: '%s' is not in the inventory; drover delegates to "
			                            "inventory hosts and localhost only",
			                            v->u.s.ptr);
		}
	}
	value_unref(v);
	if (r == 0 && x->delegate != NULL)
		r = pbx_kw_bool(x, PB_KW_DELEGATE_FACTS, "delegate_facts", 0, &x->delegate_facts, d);
	return r;
}

static int pbx_settings(struct pbexec *x, struct diag *d)
{
	struct value *reg = pbx_kw(x, PB_KW_REGISTER);
	int r;

	x->reg = value_cstr(reg);
	value_unref(reg); /* the string lives in the playbook */
	if ((r = pbx_kw_bool(x, PB_KW_IGNORE_ERRORS, "ignore_errors", 0, &x->ignore_errors, d)) != 0 ||
	    (r = pbx_kw_bool(x, PB_KW_IGNORE_UNREACHABLE, "ignore_unreachable", 0, &x->ignore_unreachable, d)) != 0 ||
	    (r = pbx_kw_bool(x, PB_KW_CHECK_MODE, "check_mode", x->rs->o->check, &x->check, d)) != 0 ||
	    (r = pbx_kw_bool(x, PB_KW_DIFF, "diff", x->rs->o->diff, &x->diff, d)) != 0 ||
	    (r = pbx_kw_int(x, PB_KW_RETRIES, "retries", 3, &x->retries, d)) != 0 ||
	    (r = pbx_kw_int(x, PB_KW_DELAY, "delay", 5, &x->delay, d)) != 0 ||
	    (r = pbx_kw_int(x, PB_KW_TIMEOUT, "timeout", 0, &x->timeout, d)) != 0)
		return r;
	/* In a loop, delegate_to may name the item: each item's is its own. */
	return x->t->obj.kw[PB_KW_LOOP] != NULL ? 0 : pbx_delegate(x, d);
}

/* delegate_to reaches inventory hosts and localhost only; a task asking
 * for another fails clearly instead of running somewhere else. */
static const char *pbx_unsupported(struct pbexec *x)
{
	return x->delegate_err;
}

/* Starts t on ph; path (owned, or NULL) is what ht->path points to when the
 * exec must keep it. */
static void pbx_start(struct pbrun_state *rs, struct pbhost *ph, struct pb_task *t, int handler,
                      const struct human_task *ht, char *path)
{
	struct pbexec *x = xcalloc(1, sizeof(*x));
	struct diag d;
	const char *why;
	struct value *r;

	x->rs = rs;
	x->ph = ph;
	x->t = t;
	x->handler = handler;
	x->ht = *ht;
	x->path = path;
	x->results = value_list();
	ph->busy = 1;
	ph->cur = t;
	rs->running++;
	diag_init(&d);
	if (vars_ctx_init(&x->vc, rs->vars, ph->h, rs->play, t, NULL, &d) != 0 || pbx_settings(x, &d) != 0) {
		pbx_finish(x, pbx_diag_result(&d), 0);
		goto out;
	}
	if ((why = pbx_unsupported(x)) != NULL) {
		pbx_finish(x, pbx_fail_result(why), 0);
		goto out;
	}
	if (pbx_loop_items(x, &d) != 0) {
		pbx_finish(x, pbx_diag_result(&d), 0);
		goto out;
	}
	if (x->items != NULL) {
		x->item = 0;
		pbx_next_item(x);
		goto out;
	}
	pbx_run_item(x);
out:
	(void)r;
	diag_fini(&d);
}

/* The hosts' variables for t, before its banner: as in Ansible, a vars_files
 * entry that cannot be read ends the whole run rather than failing the task. */
static int pbx_vars_ok(struct pbrun_state *rs, struct pb_task *t, struct pbhost **group, size_t n)
{
	struct vars_ctx vc;
	struct diag d;
	size_t i;
	int r = 0;

	for (i = 0; i < n && r == 0; i++) {
		diag_init(&d);
		if ((r = vars_ctx_init(&vc, rs->vars, group[i]->h, rs->play, t, NULL, &d)) != 0) {
			rs->fatal = xstrdup(d.msg != NULL ? d.msg : err_str(r));
			rs->end_play = 1;
		}
		diag_fini(&d);
	}
	return r == 0;
}

/* run_once and throttle, templated with the first host's variables (an
 * error in run_once is left for the task itself to report; a throttle that
 * is not a number ends the run, as Ansible's strategy raises). */
int pbtask_group_kws(struct pbrun_state *rs, struct pb_task *t, struct pbhost *first, int *oncep,
                     int64_t *throttlep)
{
	struct pbexec x;
	struct diag d;
	int r;

	memset(&x, 0, sizeof(x));
	x.rs = rs;
	x.t = t;
	x.ph = first;
	*oncep = 0;
	*throttlep = 0;
	diag_init(&d);
	if (vars_ctx_init(&x.vc, rs->vars, first->h, rs->play, t, NULL, &d) != 0 ||
	    pbx_kw_bool(&x, PB_KW_RUN_ONCE, "run_once", 0, oncep, &d) != 0)
		*oncep = 0;
	diag_fini(&d);
	*oncep = *oncep ? PBTASK_RUN_ONCE : 0;
	/* add_host bypasses the host loop, as Ansible's action plugin asks. */
	if (t->module != NULL && strcmp(t->module, "add_host") == 0)
		*oncep |= PBTASK_BYPASS;
	diag_init(&d);
	r = pbx_kw_int(&x, PB_KW_THROTTLE, "throttle", 0, throttlep, &d);
	diag_fini(&d);
	if (r != 0) {
		pbrun_fatal_at(rs, &t->obj.pos, "Failed to convert the throttle value to an integer.");
		return 0;
	}
	return 1;
}

/* At most forks hosts at a time, fewer when the task is throttled (run_once
 * ignores throttle, as Ansible's). */
static size_t pbx_window(struct pbrun_state *rs, int once, int64_t throttle)
{
	size_t forks = rs->o->conn->forks > 0 ? (size_t)rs->o->conn->forks : 5;

	if (!(once & PBTASK_RUN_ONCE) && throttle > 0 && (uint64_t)throttle < forks)
		return (size_t)throttle;
	return forks;
}

static void pbx_task_banner(struct pbrun_state *rs, struct pb_task *t, int handler, char *path, struct human_task *ht)
{
	memset(ht, 0, sizeof(*ht));
	ht->id = t;
	ht->prefix = handler ? "RUNNING HANDLER" : "TASK";
	ht->name = pb_task_name(t);
	ht->path = path;
	ht->check = rs->o->check;
	human_task_start(&rs->out, ht);
}

void pbtask_start(struct pbrun_state *rs, struct pb_task *t, struct pbhost *ph)
{
	struct human_task ht;
	char *path;

	if (!pbx_vars_ok(rs, t, &ph, 1))
		return;
	path = xasprintf("%s:%u", t->obj.pos.file ? t->obj.pos.file : "?", (unsigned)t->obj.pos.line);
	pbx_task_banner(rs, t, 0, path, &ht);
	pbx_start(rs, ph, t, 0, &ht, path);
}

void pbtask_run_group(struct pbrun_state *rs, struct pb_task *t, int handler, struct pbhost **group, size_t n)
{
	struct human_task ht;
	struct timespec t0, t1;
	size_t next = 0, window;
	int64_t throttle = 0;
	int once = 0, kws_ok;
	char *path;

	if (!pbx_vars_ok(rs, t, group, n))
		return;
	kws_ok = n == 0 || pbtask_group_kws(rs, t, group[0], &once, &throttle);
	window = pbx_window(rs, once, throttle);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* run_once: the first host runs it; its result is every host's (a
	 * task that bypasses the host loop keeps its result to that host). */
	if (n > 1 && once) {
		if (once & PBTASK_RUN_ONCE) {
			rs->once = group;
			rs->nonce = n;
		}
		n = 1;
	}
	path = xasprintf("%s:%u", t->obj.pos.file ? t->obj.pos.file : "?", (unsigned)t->obj.pos.line);
	pbx_task_banner(rs, t, handler, path, &ht);
	/* A bad throttle ends the run after the banner, as Ansible's queueing does. */
	if (!kws_ok)
		n = 0;
	while (next < n || rs->running > 0) {
		while (next < n && rs->running < window)
			pbx_start(rs, group[next++], t, handler, &ht, NULL);
		if (rs->running > 0)
			ev_run_once(rs->loop, -1);
	}
	rs->once = NULL;
	rs->nonce = 0;
	if (rs->o->profile) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pbrun_profile_add(rs, t, ht.name, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	free(path);
}
