/* supervisord's daemon-wide XML-RPC methods: versions, identity, state,
 * the main log, shutdown and restart, re-reading the configuration,
 * adding and removing groups, and the configuration listing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/ctl_rpc.h"

/* What supervisorctl checks (API) and shows (version): droverd speaks
 * supervisord 4.2.5's interface. */
#define CTL_API_VERSION        "3.0"
#define CTL_SUPERVISOR_VERSION "4.2.5"

static int m_api_version(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)d, (void)params, (void)jobp;
	xmlrpc_put_str(&res->val, CTL_API_VERSION);
	return 1;
}

static int m_supervisor_version(struct droverd *d, const struct value *params, struct rpc_res *res,
                                struct rpc_job **jobp)
{
	(void)d, (void)params, (void)jobp;
	xmlrpc_put_str(&res->val, CTL_SUPERVISOR_VERSION);
	return 1;
}

static int m_identification(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)params, (void)jobp;
	xmlrpc_put_str(&res->val, droverd_config(d)->identifier);
	return 1;
}

static int m_state(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)params, (void)jobp;
	xmlrpc_put_struct_begin(&res->val);
	xmlrpc_put_member(&res->val, "statecode");
	xmlrpc_put_int(&res->val, droverd_mood(d));
	xmlrpc_put_member_end(&res->val);
	xmlrpc_put_member(&res->val, "statename");
	xmlrpc_put_str(&res->val, droverd_mood_name(droverd_mood(d)));
	xmlrpc_put_member_end(&res->val);
	xmlrpc_put_struct_end(&res->val);
	return 1;
}

static int m_pid(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)d, (void)params, (void)jobp;
	xmlrpc_put_int(&res->val, (long long)getpid());
	return 1;
}

static int m_read_log(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return rpc_read_file(mainlog_path(droverd_mainlog(d)), value_list_at(params, 0), value_list_at(params, 1), res);
}

static int m_clear_log(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	int r = droverd_clear_mainlog(d);

	(void)params, (void)jobp;
	if (r != FAULT_OK)
		return rpc_fault(res, r, NULL);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static int m_shutdown(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)params, (void)jobp;
	droverd_shutdown(d);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static int m_restart(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct diag err;
	char *msg;

	(void)params, (void)jobp;
	diag_init(&err);
	if (droverd_restart(d, &err) != FAULT_OK) {
		msg = diag_format(&err);
		rpc_fault(res, FAULT_CANT_REREAD, msg);
		free(msg);
	} else {
		xmlrpc_put_bool(&res->val, 1);
	}
	diag_fini(&err);
	return 1;
}

static void m_put_names(struct buf *b, const char **names, size_t n)
{
	size_t i;

	xmlrpc_put_array_begin(b);
	for (i = 0; i < n; i++)
		xmlrpc_put_str(b, names[i]);
	xmlrpc_put_array_end(b);
}

static int m_reload_config(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	const char **added, **changed, **removed;
	size_t nadded, nchanged, nremoved;
	struct diag err;
	char *msg;

	(void)params, (void)jobp;
	diag_init(&err);
	if (droverd_reread(d, &added, &nadded, &changed, &nchanged, &removed, &nremoved, &err) != FAULT_OK) {
		msg = diag_format(&err);
		rpc_fault(res, FAULT_CANT_REREAD, msg);
		free(msg);
		diag_fini(&err);
		return 1;
	}
	diag_fini(&err);
	/* [[added, changed, removed]], as supervisord nests it. */
	xmlrpc_put_array_begin(&res->val);
	xmlrpc_put_array_begin(&res->val);
	m_put_names(&res->val, added, nadded);
	m_put_names(&res->val, changed, nchanged);
	m_put_names(&res->val, removed, nremoved);
	xmlrpc_put_array_end(&res->val);
	xmlrpc_put_array_end(&res->val);
	free(added);
	free(changed);
	free(removed);
	return 1;
}

static int m_group_op(struct droverd *d, const struct value *params, struct rpc_res *res, int add)
{
	const char *name;
	int r;

	if (rpc_arg_str(value_list_at(params, 0), &name, res))
		return 1;
	r = add ? droverd_add_group(d, name) : droverd_remove_group(d, name);
	if (r != FAULT_OK)
		return rpc_fault(res, r, name);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static int m_add_group(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return m_group_op(d, params, res, 1);
}

static int m_remove_group(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return m_group_op(d, params, res, 0);
}

static void m_kv_chan(struct buf *b, const char *prefix, const struct chanconf *c)
{
	/* supervisord's getAllConfigInfo() writes None and Automatic so. */
	static const char *const kinds[] = {"none", "auto", NULL};
	char key[40];

#define M_KEY(s) (snprintf(key, sizeof(key), "%s_%s", prefix, s), key)
	xmlrpc_put_kv_int(b, M_KEY("capture_maxbytes"), c->capture_maxbytes);
	xmlrpc_put_kv_bool(b, M_KEY("events_enabled"), c->events_enabled);
	xmlrpc_put_kv_str(b, M_KEY("logfile"), c->kind == CHANLOG_FILE ? c->path : kinds[c->kind]);
	xmlrpc_put_kv_int(b, M_KEY("logfile_backups"), c->backups);
	xmlrpc_put_kv_int(b, M_KEY("logfile_maxbytes"), c->maxbytes);
	xmlrpc_put_kv_bool(b, M_KEY("syslog"), c->syslog);
#undef M_KEY
}

/* One process's configuration with getAllConfigInfo()'s keys, in its
 * order: the stdout_ keys come between startsecs and stopsignal. */
static void m_put_config(struct buf *b, const struct gconf *g, const struct pconf *pc, int inuse)
{
	size_t i;

	xmlrpc_put_struct_begin(b);
	xmlrpc_put_kv_bool(b, "autostart", pc->autostart);
	xmlrpc_put_kv_str(b, "directory", pc->directory ? pc->directory : "none");
	if (pc->has_uid)
		xmlrpc_put_kv_int(b, "uid", (long long)pc->uid);
	else
		xmlrpc_put_kv_str(b, "uid", "none");
	xmlrpc_put_kv_str(b, "command", pc->command);
	xmlrpc_put_member(b, "exitcodes");
	xmlrpc_put_array_begin(b);
	for (i = 0; i < pc->nexitcodes; i++)
		xmlrpc_put_int(b, pc->exitcodes[i]);
	xmlrpc_put_array_end(b);
	xmlrpc_put_member_end(b);
	xmlrpc_put_kv_str(b, "group", g->name);
	xmlrpc_put_kv_int(b, "group_prio", g->priority);
	xmlrpc_put_kv_bool(b, "inuse", inuse);
	xmlrpc_put_kv_bool(b, "killasgroup", pc->killasgroup);
	xmlrpc_put_kv_str(b, "name", pc->name);
	xmlrpc_put_kv_int(b, "process_prio", pc->priority);
	xmlrpc_put_kv_bool(b, "redirect_stderr", pc->redirect_stderr);
	xmlrpc_put_kv_int(b, "startretries", pc->startretries);
	xmlrpc_put_kv_int(b, "startsecs", pc->startsecs);
	m_kv_chan(b, "stdout", &pc->out);
	xmlrpc_put_kv_int(b, "stopsignal", pc->stopsignal);
	xmlrpc_put_kv_int(b, "stopwaitsecs", pc->stopwaitsecs);
	m_kv_chan(b, "stderr", &pc->err);
	xmlrpc_put_kv_str(b, "serverurl", pc->serverurl ? pc->serverurl : "none");
	xmlrpc_put_struct_end(b);
}

struct m_cfg {
	const struct gconf *g;
	const struct pconf *p;
	size_t seq;
};

static int m_cfg_cmp(const void *a, const void *b)
{
	const struct m_cfg *x = a, *y = b;
	int c = strcmp(x->p->name, y->p->name);

	/* Python's sort is stable: equal names keep the listing's order. */
	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int m_all_config(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	const struct dconf *c = droverd_available(d);
	struct m_cfg *l = NULL;
	size_t n = 0, i, j;

	(void)params, (void)jobp;
	for (i = 0; i < c->ngroups; i++) {
		l = xreallocarray(l, n + c->groups[i]->nprocs + 1, sizeof(*l));
		for (j = 0; j < c->groups[i]->nprocs; j++, n++) {
			l[n].g = c->groups[i];
			l[n].p = c->groups[i]->procs[j];
			l[n].seq = n;
		}
	}
	if (n > 0)
		qsort(l, n, sizeof(*l), m_cfg_cmp);
	xmlrpc_put_array_begin(&res->val);
	for (i = 0; i < n; i++)
		m_put_config(&res->val, l[i].g, l[i].p, droverd_group(d, l[i].g->name) != NULL);
	xmlrpc_put_array_end(&res->val);
	free(l);
	return 1;
}

const struct rpc_method ctl_methods_table[] = {
        {"addProcessGroup", m_add_group, 1, 1},
        {"clearLog", m_clear_log, 0, 0},
        {"getAPIVersion", m_api_version, 0, 0},
        {"getAllConfigInfo", m_all_config, 0, 0},
        {"getIdentification", m_identification, 0, 0},
        {"getPID", m_pid, 0, 0},
        {"getState", m_state, 0, 0},
        {"getSupervisorVersion", m_supervisor_version, 0, 0},
        {"getVersion", m_api_version, 0, 0},
        {"readLog", m_read_log, 2, 2},
        {"readMainLog", m_read_log, 2, 2},
        {"reloadConfig", m_reload_config, 0, 0},
        {"removeProcessGroup", m_remove_group, 1, 1},
        {"restart", m_restart, 0, 0},
        {"shutdown", m_shutdown, 0, 0},
};
const size_t ctl_methods_count = sizeof(ctl_methods_table) / sizeof(ctl_methods_table[0]);
