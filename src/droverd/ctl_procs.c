/* supervisord's per-process XML-RPC methods: information, start, stop and
 * signal (one process, a group, all, with supervisord's result lists),
 * stdin, and the process logs. Starts and stops that wait answer through
 * jobs polled by the server. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/conv.h"
#include "droverd/ctl_rpc.h"
#include "droverd/logfile.h"
#include "droverd/tail.h"

enum p_op { P_START, P_STOP, P_SIGNAL };

/* p_one's wait: 0 none, 1 look at once, P_WAIT_LATER leave it to a poll. */
#define P_WAIT_LATER 2

/* ---- information ---- */

/* supervisord's description, and for a process that failed, why and the
 * last line of its stderr: what supervisorctl's status column can carry
 * of droverd's "nothing dies silently". */
static char *p_description(struct dproc *p, const struct droverd_info *info)
{
	char **lines;
	size_t n = 0;
	char *s, *t;

	if (!*info->spawnerr || !*info->cause ||
	    (info->state != PROC_FATAL && info->state != PROC_BACKOFF && info->state != PROC_EXITED))
		return xstrdup(info->description);
	s = xasprintf("%s; %s", info->description, info->cause);
	lines = droverd_tail_lines(p, &n);
	if (n > 0) {
		t = xasprintf("%s; stderr: %.200s", s, lines[n - 1]);
		free(s);
		s = t;
	}
	tail_lines_free(lines, n);
	return s;
}

static void p_put_info(struct droverd *d, struct dproc *p, struct buf *b)
{
	struct droverd_info info;
	char *desc;

	droverd_info(d, p, &info);
	desc = p_description(p, &info);
	xmlrpc_put_struct_begin(b);
	xmlrpc_put_kv_str(b, "name", info.name);
	xmlrpc_put_kv_str(b, "group", info.group);
	xmlrpc_put_kv_int(b, "start", info.start);
	xmlrpc_put_kv_int(b, "stop", info.stop);
	xmlrpc_put_kv_int(b, "now", info.now);
	xmlrpc_put_kv_int(b, "state", info.state);
	xmlrpc_put_kv_str(b, "statename", info.statename);
	xmlrpc_put_kv_str(b, "spawnerr", info.spawnerr);
	xmlrpc_put_kv_int(b, "exitstatus", info.exitstatus);
	xmlrpc_put_kv_str(b, "logfile", info.stdout_logfile);
	xmlrpc_put_kv_str(b, "stdout_logfile", info.stdout_logfile);
	xmlrpc_put_kv_str(b, "stderr_logfile", info.stderr_logfile);
	xmlrpc_put_kv_int(b, "pid", info.pid);
	xmlrpc_put_kv_str(b, "description", desc);
	xmlrpc_put_struct_end(b);
	free(desc);
}

/* Resolves a namespec that must name one process (BAD_NAME otherwise). */
static int p_find_one(struct droverd *d, const struct value *arg, struct dproc **pp, const char **namep,
                      struct rpc_res *res)
{
	struct dgroup *g;

	if (rpc_arg_str(arg, namep, res))
		return 1;
	if (droverd_find(d, *namep, &g, pp) != FAULT_OK || *pp == NULL) {
		rpc_fault(res, FAULT_BAD_NAME, *namep);
		return 1;
	}
	return 0;
}

static int m_info(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct dproc *p;
	const char *name;

	(void)jobp;
	if (p_find_one(d, value_list_at(params, 0), &p, &name, res))
		return 1;
	p_put_info(d, p, &res->val);
	return 1;
}

static int m_all_info(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct dproc **l;
	size_t n, i;

	(void)params, (void)jobp;
	droverd_all(d, 1, &l, &n);
	xmlrpc_put_array_begin(&res->val);
	for (i = 0; i < n; i++)
		p_put_info(d, l[i], &res->val);
	xmlrpc_put_array_end(&res->val);
	free(l);
	return 1;
}

/* ---- one process: start, stop, signal ---- */

/* Whether a wait is over: 1 with res filled, 0 while not. */
static int p_check(enum p_op op, struct dproc *p, const char *name, int report, struct rpc_res *res)
{
	int r;

	if (op == P_START) {
		if ((r = droverd_start_result(p)) < 0)
			return 0;
		if (r != FAULT_OK)
			return rpc_fault(res, r, name);
	} else {
		if (report)
			droverd_stop_report(p);
		if (droverd_stop_result(p) < 0)
			return 0;
	}
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static int p_signal_one(struct droverd *d, struct dproc *p, const char *name, const struct value *sigv,
                        struct rpc_res *res)
{
	char num[32], *err = NULL;
	const char *s = num;
	int sig = -1, r;

	if (sigv->type == VALUE_STR)
		s = sigv->u.s.ptr;
	else if (sigv->type == VALUE_INT)
		snprintf(num, sizeof(num), "%lld", (long long)sigv->u.i);
	else
		return rpc_fault(res, FAULT_BAD_SIGNAL, NULL);
	if (conv_signal(s, &sig, &err) != 0) {
		free(err);
		return rpc_fault(res, FAULT_BAD_SIGNAL, s);
	}
	if ((r = droverd_signal(d, p, sig)) != FAULT_OK)
		return rpc_fault(res, r, name);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

/* Starts, stops or signals one process. Returns 1 with res filled, or 0
 * when the answer waits (then p_check tells when it is over). */
static int p_one(struct droverd *d, enum p_op op, struct dproc *p, const char *name, int wait, const struct value *sigv,
                 struct rpc_res *res)
{
	char *msg = NULL, *text;
	int r;

	if (op == P_SIGNAL)
		return p_signal_one(d, p, name, sigv, res);
	if (op == P_START) {
		r = droverd_start(d, p, &msg);
		if (r == FAULT_NO_FILE || r == FAULT_NOT_EXECUTABLE) {
			rpc_fault(res, r, msg != NULL ? msg : name);
			free(msg);
			return 1;
		}
		free(msg);
		if (r == FAULT_FAILED) {
			text = xasprintf("%s is in an unknown process state", name);
			rpc_fault(res, r, text);
			free(text);
			return 1;
		}
	} else {
		r = droverd_stop(d, p);
	}
	if (r != FAULT_OK)
		return rpc_fault(res, r, name);
	if (!wait) {
		xmlrpc_put_bool(&res->val, 1);
		return 1;
	}
	/* A group's waits are all looked at in one pass after every process
	 * was acted on, so results come in the group's order, as
	 * supervisord's do. */
	if (wait == P_WAIT_LATER)
		return 0;
	return p_check(op, p, name, 0, res);
}

struct p_wait {
	struct rpc_job job;
	enum p_op op;
	struct dproc *p;
	char *name; /* owned */
};

static int p_wait_poll(struct rpc_job *j, struct rpc_res *res)
{
	struct p_wait *w = (struct p_wait *)j;

	return p_check(w->op, w->p, w->name, 1, res);
}

static void p_wait_free(struct rpc_job *j)
{
	struct p_wait *w = (struct p_wait *)j;

	free(w->name);
	free(w);
}

/* ---- groups and all: supervisord's make_allfunc ---- */

struct p_entry {
	struct dproc *p;
	char *name; /* owned; the namespec */
	int waiting;
	int fault;  /* once a wait is over */
	char *text; /* owned; its fault text */
};

struct p_all {
	struct rpc_job job;
	enum p_op op;
	struct p_entry *e; /* owned */
	size_t n;
	struct buf out; /* result structs so far */
};

static void p_all_result(struct p_all *a, struct p_entry *e, int fault, const char *text)
{
	xmlrpc_put_struct_begin(&a->out);
	xmlrpc_put_kv_str(&a->out, "name", dproc_name(e->p));
	xmlrpc_put_kv_str(&a->out, "group", dgroup_name(dproc_group(e->p)));
	xmlrpc_put_kv_int(&a->out, "status", fault == FAULT_OK ? FAULT_SUCCESS : fault);
	xmlrpc_put_kv_str(&a->out, "description", fault == FAULT_OK ? "OK" : text);
	xmlrpc_put_struct_end(&a->out);
}

/* Answers come first for the processes that answered at once, then for
 * the waited ones in the group's order: supervisord collects those in one
 * pass after reaping, and children stopped together are reaped together
 * there, while droverd sees each exit as it happens. */
static int p_all_poll(struct rpc_job *j, struct rpc_res *res)
{
	struct p_all *a = (struct p_all *)j;
	struct rpc_res r;
	size_t i, left = 0;

	for (i = 0; i < a->n; i++) {
		if (a->e[i].waiting != 1)
			continue;
		rpc_res_init(&r);
		if (p_check(a->op, a->e[i].p, a->e[i].name, 1, &r)) {
			a->e[i].waiting = 2;
			a->e[i].fault = r.fault;
			a->e[i].text = r.text;
			r.text = NULL;
		} else {
			left++;
		}
		rpc_res_fini(&r);
	}
	if (left > 0)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->e[i].waiting == 2)
			p_all_result(a, &a->e[i], a->e[i].fault, a->e[i].text);
	xmlrpc_put_array_begin(&res->val);
	buf_put(&res->val, buf_ptr(&a->out), buf_avail(&a->out));
	xmlrpc_put_array_end(&res->val);
	return 1;
}

static void p_all_free(struct rpc_job *j)
{
	struct p_all *a = (struct p_all *)j;
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->e[i].name);
		free(a->e[i].text);
	}
	free(a->e);
	buf_fini(&a->out);
	free(a);
}

static int p_wanted(enum p_op op, struct dproc *p)
{
	enum proc_state s = dproc_proc(p)->state;

	if (op == P_START)
		return !proc_is_running(s);
	if (op == P_STOP)
		return proc_is_running(s);
	return proc_is_signallable(s);
}

/* Runs op on the processes of list (taken over) that op applies to. */
static int p_all_run(struct droverd *d, enum p_op op, struct dproc **list, size_t n, int wait, const struct value *sigv,
                     struct rpc_res *res, struct rpc_job **jobp)
{
	struct p_all *a = xcalloc(1, sizeof(*a));
	struct rpc_res r;
	size_t i;

	a->job.poll = p_all_poll;
	a->job.free = p_all_free;
	a->op = op;
	a->e = xcalloc(n + 1, sizeof(*a->e));
	buf_init(&a->out, CTL_RPC_MAX_RESULT);
	for (i = 0; i < n; i++) {
		if (!p_wanted(op, list[i]))
			continue;
		a->e[a->n].p = list[i];
		a->e[a->n].name = dproc_namespec(list[i]);
		a->n++;
	}
	free(list);
	for (i = 0; i < a->n; i++) {
		rpc_res_init(&r);
		if (p_one(d, op, a->e[i].p, a->e[i].name, wait ? P_WAIT_LATER : 0, sigv, &r))
			p_all_result(a, &a->e[i], r.fault, r.text);
		else
			a->e[i].waiting = 1;
		rpc_res_fini(&r);
	}
	if (p_all_poll(&a->job, res)) {
		p_all_free(&a->job);
		return 1;
	}
	*jobp = &a->job;
	return 0;
}

static int p_group_run(struct droverd *d, enum p_op op, const char *name, int wait, const struct value *sigv,
                       struct rpc_res *res, struct rpc_job **jobp)
{
	struct dgroup *g = droverd_group(d, name);
	struct dproc **l;
	size_t n;

	if (g == NULL)
		return rpc_fault(res, FAULT_BAD_NAME, name);
	dgroup_sorted(g, &l, &n);
	return p_all_run(d, op, l, n, wait, sigv, res, jobp);
}

/* startProcess, stopProcess, signalProcess: one process, or the group a
 * "group:*" names. */
static int p_named(struct droverd *d, enum p_op op, const struct value *params, struct rpc_res *res,
                   struct rpc_job **jobp)
{
	const struct value *sigv = op == P_SIGNAL ? value_list_at(params, 1) : NULL;
	struct dgroup *g;
	struct dproc *p;
	struct p_wait *w;
	const char *name;
	char *gname;
	int wait = 1, r;

	if (rpc_arg_str(value_list_at(params, 0), &name, res))
		return 1;
	if (op != P_SIGNAL && value_len(params) > 1)
		wait = value_truth(value_list_at(params, 1));
	if (droverd_find(d, name, &g, &p) != FAULT_OK)
		return rpc_fault(res, FAULT_BAD_NAME, name);
	if (p == NULL) {
		gname = xstrdup(dgroup_name(g));
		r = p_group_run(d, op, gname, wait, sigv, res, jobp);
		free(gname);
		return r;
	}
	if (p_one(d, op, p, name, wait, sigv, res))
		return 1;
	w = xcalloc(1, sizeof(*w));
	w->job.poll = p_wait_poll;
	w->job.free = p_wait_free;
	w->op = op;
	w->p = p;
	w->name = xstrdup(name);
	*jobp = &w->job;
	return 0;
}

static int m_start(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_named(d, P_START, params, res, jobp);
}

static int m_stop(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_named(d, P_STOP, params, res, jobp);
}

static int m_signal(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_named(d, P_SIGNAL, params, res, jobp);
}

static int p_group_method(struct droverd *d, enum p_op op, const struct value *params, struct rpc_res *res,
                          struct rpc_job **jobp)
{
	const char *name;
	int wait = 1;

	if (rpc_arg_str(value_list_at(params, 0), &name, res))
		return 1;
	if (op != P_SIGNAL && value_len(params) > 1)
		wait = value_truth(value_list_at(params, 1));
	return p_group_run(d, op, name, wait, op == P_SIGNAL ? value_list_at(params, 1) : NULL, res, jobp);
}

static int m_start_group(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_group_method(d, P_START, params, res, jobp);
}

static int m_stop_group(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_group_method(d, P_STOP, params, res, jobp);
}

static int m_signal_group(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_group_method(d, P_SIGNAL, params, res, jobp);
}

static int p_all_method(struct droverd *d, enum p_op op, const struct value *params, struct rpc_res *res,
                        struct rpc_job **jobp)
{
	struct dproc **l;
	size_t n;
	int wait = 1;

	if (op != P_SIGNAL && value_len(params) > 0)
		wait = value_truth(value_list_at(params, 0));
	droverd_all(d, 0, &l, &n);
	return p_all_run(d, op, l, n, wait, op == P_SIGNAL ? value_list_at(params, 0) : NULL, res, jobp);
}

static int m_start_all(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_all_method(d, P_START, params, res, jobp);
}

static int m_stop_all(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_all_method(d, P_STOP, params, res, jobp);
}

static int m_signal_all(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	return p_all_method(d, P_SIGNAL, params, res, jobp);
}

/* ---- stdin and logs ---- */

static int m_stdin(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	const struct value *chars = value_list_at(params, 1);
	struct dproc *p;
	const char *name;
	int r;

	(void)jobp;
	if (chars->type != VALUE_STR)
		return rpc_fault(res, FAULT_INCORRECT_PARAMETERS, NULL);
	if (p_find_one(d, value_list_at(params, 0), &p, &name, res))
		return 1;
	if ((r = droverd_send_stdin(d, p, chars->u.s.ptr, chars->u.s.len)) != FAULT_OK)
		return rpc_fault(res, r, name);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static const char *p_logfile(struct dproc *p, int err)
{
	return err ? dproc_stderr_logfile(p) : dproc_stdout_logfile(p);
}

static int p_read_log(struct droverd *d, const struct value *params, struct rpc_res *res, int err)
{
	struct dproc *p;
	const char *name;

	if (p_find_one(d, value_list_at(params, 0), &p, &name, res))
		return 1;
	return rpc_read_file(p_logfile(p, err), value_list_at(params, 1), value_list_at(params, 2), res);
}

static int m_read_out(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return p_read_log(d, params, res, 0);
}

static int m_read_err(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return p_read_log(d, params, res, 1);
}

static int p_tail_log(struct droverd *d, const struct value *params, struct rpc_res *res, int err)
{
	struct dproc *p;
	const char *name, *path;
	long long offset, length;
	struct buf data;
	int overflow = 0;

	if (p_find_one(d, value_list_at(params, 0), &p, &name, res) ||
	    rpc_arg_int(value_list_at(params, 1), &offset, res) || rpc_arg_int(value_list_at(params, 2), &length, res))
		return 1;
	if (length < 0 || length > (long long)(CTL_RPC_MAX_RESULT / 4))
		return rpc_fault(res, FAULT_BAD_ARGUMENTS, NULL);
	path = p_logfile(p, err);
	buf_init(&data, CTL_RPC_MAX_RESULT / 2);
	if (path == NULL || access(path, F_OK) != 0)
		offset = 0;
	else
		logfile_tail(path, &offset, length, &data, &overflow);
	xmlrpc_put_array_begin(&res->val);
	xmlrpc_put_strn(&res->val, buf_ptr(&data), buf_avail(&data));
	xmlrpc_put_int(&res->val, offset);
	xmlrpc_put_bool(&res->val, overflow);
	xmlrpc_put_array_end(&res->val);
	buf_fini(&data);
	return 1;
}

static int m_tail_out(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return p_tail_log(d, params, res, 0);
}

static int m_tail_err(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	(void)jobp;
	return p_tail_log(d, params, res, 1);
}

static int m_clear(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct dproc *p;
	const char *name;

	(void)jobp;
	if (p_find_one(d, value_list_at(params, 0), &p, &name, res))
		return 1;
	if (droverd_clear_logs(p) != FAULT_OK)
		return rpc_fault(res, FAULT_FAILED, name);
	xmlrpc_put_bool(&res->val, 1);
	return 1;
}

static int m_clear_all(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct dproc **l;
	size_t n, i;
	int ok;
	char *name;

	(void)params, (void)jobp;
	droverd_all(d, 0, &l, &n);
	xmlrpc_put_array_begin(&res->val);
	for (i = 0; i < n; i++) {
		ok = droverd_clear_logs(l[i]) == FAULT_OK;
		name = dproc_namespec(l[i]);
		xmlrpc_put_struct_begin(&res->val);
		xmlrpc_put_kv_str(&res->val, "name", dproc_name(l[i]));
		xmlrpc_put_kv_str(&res->val, "group", dgroup_name(dproc_group(l[i])));
		xmlrpc_put_kv_int(&res->val, "status", ok ? FAULT_SUCCESS : FAULT_FAILED);
		if (ok) {
			xmlrpc_put_kv_str(&res->val, "description", "OK");
		} else {
			char *text = xasprintf("FAILED: %s", name);

			xmlrpc_put_kv_str(&res->val, "description", text);
			free(text);
		}
		xmlrpc_put_struct_end(&res->val);
		free(name);
	}
	xmlrpc_put_array_end(&res->val);
	free(l);
	return 1;
}

const struct rpc_method ctl_procs_table[] = {
        {"clearAllProcessLogs", m_clear_all, 0, 0},
        {"clearProcessLog", m_clear, 1, 1},
        {"clearProcessLogs", m_clear, 1, 1},
        {"getAllProcessInfo", m_all_info, 0, 0},
        {"getProcessInfo", m_info, 1, 1},
        {"readProcessLog", m_read_out, 3, 3},
        {"readProcessStderrLog", m_read_err, 3, 3},
        {"readProcessStdoutLog", m_read_out, 3, 3},
        {"sendProcessStdin", m_stdin, 2, 2},
        {"signalAllProcesses", m_signal_all, 1, 1},
        {"signalProcess", m_signal, 2, 2},
        {"signalProcessGroup", m_signal_group, 2, 2},
        {"startAllProcesses", m_start_all, 0, 1},
        {"startProcess", m_start, 1, 2},
        {"startProcessGroup", m_start_group, 1, 2},
        {"stopAllProcesses", m_stop_all, 0, 1},
        {"stopProcess", m_stop, 1, 2},
        {"stopProcessGroup", m_stop_group, 1, 2},
        {"tailProcessLog", m_tail_out, 3, 3},
        {"tailProcessStderrLog", m_tail_err, 3, 3},
        {"tailProcessStdoutLog", m_tail_out, 3, 3},
};
const size_t ctl_procs_count = sizeof(ctl_procs_table) / sizeof(ctl_procs_table[0]);
