/* The ad-hoc runner: one module on many hosts, at most `forks` at a time,
 * each result printed as it arrives. */
#include "exec/adhoc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/ev.h"
#include "base/xmalloc.h"
#include "exec/drvinstall.h"
#include "exec/hostconn.h"
#include "exec/tmplmod.h"
#include "exec/xfer.h"
#include "exec/vars.h"
#include "playbook/modreg.h"
#include "playbook/templar.h"

struct adhoc_host {
	struct adhoc_run *run;
	const char *name;
	const struct inv_host *ih;
	struct value *vars;   /* owned: inventory vars with extra vars on top */
	struct hostconn *hc;
	int done;
};

struct adhoc_run {
	const struct adhoc_opts *o;
	const struct modinfo *mod;
	struct hostconn_env env;
	struct adhoc_host *hosts;
	size_t n, next, active;
	struct adhoc_stats *stats;
	/* The template module renders here, with each host's variables. */
	struct templar *tr;
	struct vars_run *vars;
	char basedir[4096];
};

static void adhoc_start_next(struct adhoc_run *run);

static enum adhoc_status adhoc_status_of(const struct value *result)
{
	if (value_get_bool(result, "unreachable", 0))
		return ADHOC_UNREACHABLE;
	if (value_get_bool(result, "failed", 0))
		return ADHOC_FAILED;
	if (value_get_bool(result, "skipped", 0))
		return ADHOC_SKIPPED;
	return ADHOC_OK;
}

static void adhoc_count(struct adhoc_stats *st, enum adhoc_status status, const struct value *result)
{
	switch (status) {
	case ADHOC_OK:
		st->ok++;
		if (value_get_bool(result, "changed", 0))
			st->changed++;
		break;
	case ADHOC_FAILED: st->failed++; break;
	case ADHOC_UNREACHABLE: st->unreachable++; break;
	case ADHOC_SKIPPED: st->skipped++; break;
	}
}

static void adhoc_done(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct adhoc_host *h = arg;
	struct adhoc_run *run = h->run;
	struct adhoc_style st = run->o->style;
	struct value *r = NULL;
	enum adhoc_status status;

	if (h->done)
		return;
	h->done = 1;
	if (e != NULL) {
		r = value_map();
		value_map_set(r, "changed", value_bool(0));
		value_map_set(r, "msg", value_str(e->msg));
		value_map_set(r, "unreachable", value_bool(1));
		result = r;
	}
	status = adhoc_status_of(result);
	st.no_json = (run->mod->flags & MOD_F_NO_JSON) != 0;
	out_adhoc_result(&st, h->name, status, result);
	adhoc_count(run->stats, status, result);
	value_unref(r);
	hostconn_close(h->hc);
	h->hc = NULL;
	run->active--;
	adhoc_start_next(run);
	/* An askpass listener would keep the loop alive after the last host. */
	if (run->active == 0 && run->next == run->n)
		hostconn_env_fini(&run->env);
}

static const char *adhoc_short_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static void adhoc_fail(struct adhoc_host *h, const char *msg)
{
	struct value *res = value_map();

	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "failed", value_bool(1));
	value_map_set(res, "msg", value_str(msg));
	adhoc_done(res, NULL, h);
	value_unref(res);
}

/* The request's "become" map as -b and the host's ansible_become* variables
 * say. Returns 0, or -1 after failing the host. */
static int adhoc_become(struct adhoc_host *h, struct value **becomep)
{
	struct becomereq_kw kw;
	const char *err;

	memset(&kw, 0, sizeof(kw));
	if (becomereq_build(&h->run->o->become, &kw, h->vars, becomep, &err) != 0) {
		adhoc_fail(h, err);
		return -1;
	}
	return 0;
}

static void adhoc_module(struct adhoc_host *h, const char *module, const struct value *args)
{
	const struct adhoc_opts *o = h->run->o;
	struct value *become = NULL;

	if (adhoc_become(h, &become) != 0)
		return;
	hostconn_module(h->hc, module, args, o->check, o->diff, o->task_timeout, NULL, become, adhoc_done, h);
	value_unref(become);
}

/* The template module: rendered here, written by the worker's copy, as
 * in playbooks (tmplmod.h). */
static void adhoc_start_template(struct adhoc_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	struct value *args = value_ref((struct value *)o->args);
	struct vars_ctx vc;
	struct diag d;

	diag_init(&d);
	if (vars_ctx_init(&vc, h->run->vars, h->ih, NULL, NULL, NULL, &d) == 0 &&
	    tmplmod_args(h->run->tr, &vc, NULL, h->run->basedir, &args, &d) == 0) {
		adhoc_module(h, "copy", args);
	} else {
		char *msg = diag_format(&d);

		adhoc_fail(h, msg != NULL ? msg : "template failed");
		free(msg);
	}
	value_unref(args);
	diag_fini(&d);
}

/* drover_install: droverd or droverctl written by the worker's copy, as in
 * playbooks (drvinstall.h). */
static void adhoc_start_install(struct adhoc_host *h)
{
	struct value *args = value_ref((struct value *)h->run->o->args);
	struct diag d;

	diag_init(&d);
	if (drvinstall_args(h->run->o->worker_path, &args, &d) == 0) {
		adhoc_module(h, "copy", args);
	} else {
		char *msg = diag_format(&d);

		adhoc_fail(h, msg != NULL ? msg : "drover_install failed");
		free(msg);
	}
	value_unref(args);
	diag_fini(&d);
}

/* copy with a local src, unarchive, fetch, script: exec/xfer.h. */
static void adhoc_xfer(struct adhoc_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	struct value *become = NULL;

	if (adhoc_become(h, &become) == 0) {
		struct xfer_task t = {adhoc_short_name(o->module), h->name, o->args, NULL, h->run->basedir, o->check,
		                      o->diff, o->task_timeout, NULL, become};

		xfer_start(h->hc, &t, adhoc_done, h);
	}
	value_unref(become);
}

static void adhoc_start_host(struct adhoc_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	struct value *become = NULL;

	h->run->active++;
	h->hc = hostconn_new(&h->run->env, h->name, h->vars);
	if (h->run->tr != NULL) {
		adhoc_start_template(h);
		return;
	}
	if (strcmp(adhoc_short_name(o->module), "drover_install") == 0) {
		adhoc_start_install(h);
		return;
	}
	if (xfer_handles(adhoc_short_name(o->module), o->args)) {
		adhoc_xfer(h);
		return;
	}
	if (h->run->mod->where != MOD_RAW) {
		adhoc_module(h, adhoc_short_name(o->module), o->args);
		return;
	}
	if (adhoc_become(h, &become) != 0)
		return;
	if (become != NULL)
		/* Running it as the login user instead would be a silent lie. */
		adhoc_fail(h, "raw with become is not supported by drover yet");
	else
		hostconn_raw(h->hc, value_get_str(o->args, "_raw_params", ""), value_get_str(o->args, "executable", NULL),
		             adhoc_done, h);
	value_unref(become);
}

static void adhoc_start_next(struct adhoc_run *run)
{
	while (run->active < (size_t)run->o->forks && run->next < run->n)
		adhoc_start_host(&run->hosts[run->next++]);
}

int adhoc_run(struct inventory *inv, struct inv_host *const *hosts, size_t n, const struct adhoc_opts *o,
              struct adhoc_stats *stats)
{
	struct adhoc_run run;
	struct ev_loop *loop;
	size_t i;
	int r;

	memset(stats, 0, sizeof(*stats));
	memset(&run, 0, sizeof(run));
	run.o = o;
	run.stats = stats;
	if ((run.mod = modreg_find(o->module)) == NULL)
		return ERR_NOTFOUND;
	if (getcwd(run.basedir, sizeof(run.basedir)) == NULL)
		memcpy(run.basedir, ".", 2);
	if (strcmp(adhoc_short_name(o->module), "template") == 0) {
		struct vars_opts vo;

		memset(&vo, 0, sizeof(vo));
		vo.extra_vars = o->extra_vars;
		vo.check_mode = o->check;
		vo.diff_mode = o->diff;
		vo.forks = o->forks;
		vo.playbook_dir = run.basedir;
		run.tr = templar_new();
		run.vars = vars_run_new(inv, run.tr, &vo);
	}
	loop = ev_new();
	hostconn_env_init(&run.env, loop, o);
	run.n = n;
	run.hosts = xcalloc(n ? n : 1, sizeof(*run.hosts));
	for (i = 0; i < n; i++) {
		run.hosts[i].run = &run;
		run.hosts[i].name = inv_host_name(hosts[i]);
		run.hosts[i].ih = hosts[i];
		run.hosts[i].vars = inventory_host_vars(inv, hosts[i]);
		if (o->extra_vars != NULL)
			value_map_update(value_mut(&run.hosts[i].vars), o->extra_vars, 0);
	}
	adhoc_start_next(&run);
	r = ev_run(loop);
	for (i = 0; i < n; i++)
		value_unref(run.hosts[i].vars);
	hostconn_env_fini(&run.env);
	if (run.vars != NULL)
		vars_run_free(run.vars);
	templar_free(run.tr);
	free(run.hosts);
	ev_free(loop);
	return r;
}
