/* The XML-RPC dispatcher: supervisord's method lookup rules, faults in its
 * words, system.listMethods and system.multicall (which runs its calls in
 * order, waiting for each that answers later, as supervisord's does). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/ctl_rpc.h"
#include "droverd/logfile.h"

static const char *rpc_fault_name(int code)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
	        {FAULT_UNKNOWN_METHOD, "UNKNOWN_METHOD"},
	        {FAULT_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS"},
	        {FAULT_BAD_ARGUMENTS, "BAD_ARGUMENTS"},
	        {FAULT_SIGNATURE_UNSUPPORTED, "SIGNATURE_UNSUPPORTED"},
	        {FAULT_SHUTDOWN_STATE, "SHUTDOWN_STATE"},
	        {FAULT_BAD_NAME, "BAD_NAME"},
	        {FAULT_BAD_SIGNAL, "BAD_SIGNAL"},
	        {FAULT_NO_FILE, "NO_FILE"},
	        {FAULT_NOT_EXECUTABLE, "NOT_EXECUTABLE"},
	        {FAULT_FAILED, "FAILED"},
	        {FAULT_ABNORMAL_TERMINATION, "ABNORMAL_TERMINATION"},
	        {FAULT_SPAWN_ERROR, "SPAWN_ERROR"},
	        {FAULT_ALREADY_STARTED, "ALREADY_STARTED"},
	        {FAULT_NOT_RUNNING, "NOT_RUNNING"},
	        {FAULT_SUCCESS, "SUCCESS"},
	        {FAULT_ALREADY_ADDED, "ALREADY_ADDED"},
	        {FAULT_STILL_RUNNING, "STILL_RUNNING"},
	        {FAULT_CANT_REREAD, "CANT_REREAD"},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "UNKNOWN";
}

void rpc_res_init(struct rpc_res *res)
{
	res->fault = FAULT_OK;
	res->text = NULL;
	buf_init(&res->val, CTL_RPC_MAX_RESULT);
}

void rpc_res_fini(struct rpc_res *res)
{
	free(res->text);
	res->text = NULL;
	buf_fini(&res->val);
}

int rpc_fault(struct rpc_res *res, int code, const char *extra)
{
	free(res->text);
	res->fault = code;
	if (extra != NULL)
		res->text = xasprintf("%s: %s", rpc_fault_name(code), extra);
	else
		res->text = xstrdup(rpc_fault_name(code));
	buf_reset(&res->val);
	return 1;
}

int rpc_arg_str(const struct value *v, const char **sp, struct rpc_res *res)
{
	if (v->type != VALUE_STR) {
		rpc_fault(res, FAULT_INCORRECT_PARAMETERS, NULL);
		return 1;
	}
	*sp = v->u.s.ptr;
	return 0;
}

int rpc_arg_int(const struct value *v, long long *ip, struct rpc_res *res)
{
	char *end;

	if (v->type == VALUE_INT || v->type == VALUE_BOOL) {
		*ip = v->type == VALUE_INT ? (long long)v->u.i : v->u.b;
		return 0;
	}
	if (v->type == VALUE_STR && v->u.s.len > 0) {
		*ip = strtoll(v->u.s.ptr, &end, 10);
		if (*end == '\0')
			return 0;
	}
	rpc_fault(res, FAULT_INCORRECT_PARAMETERS, NULL);
	return 1;
}

int rpc_read_file(const char *path, const struct value *offset, const struct value *length, struct rpc_res *res)
{
	long long off, len;
	struct buf data;
	int r;

	if (rpc_arg_int(offset, &off, res) || rpc_arg_int(length, &len, res))
		return 1;
	if (path == NULL || access(path, F_OK) != 0)
		return rpc_fault(res, FAULT_NO_FILE, path);
	buf_init(&data, CTL_RPC_MAX_RESULT / 2);
	r = logfile_read(path, off, len, &data);
	if (r == LOGFILE_BAD_ARGUMENTS)
		rpc_fault(res, FAULT_BAD_ARGUMENTS, NULL);
	else if (r != 0)
		rpc_fault(res, FAULT_FAILED, NULL);
	else
		xmlrpc_put_strn(&res->val, buf_ptr(&data), buf_avail(&data));
	buf_fini(&data);
	return 1;
}

static int rpc_list_methods(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp);
static int rpc_multicall(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp);

static const struct rpc_method rpc_system_table[] = {
        {"listMethods", rpc_list_methods, 0, 0},
        {"multicall", rpc_multicall, 1, 1},
};

static const struct rpc_method *rpc_lookup(const struct rpc_method *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

int rpc_call(struct droverd *d, const char *method, const struct value *params, struct rpc_res *res,
             struct rpc_job **jobp)
{
	const struct rpc_method *m = NULL;
	const char *dot = strchr(method, '.');

	*jobp = NULL;
	res->fault = FAULT_OK;
	buf_reset(&res->val);
	/* supervisord's traverse(): exactly "namespace.method", no private
	 * names (CVE-2017-11610). */
	if (dot == NULL || strchr(dot + 1, '.') != NULL || dot[1] == '_')
		return rpc_fault(res, FAULT_UNKNOWN_METHOD, NULL);
	if (strncmp(method, "system.", 7) == 0) {
		m = rpc_lookup(rpc_system_table, sizeof(rpc_system_table) / sizeof(rpc_system_table[0]), dot + 1);
	} else if (strncmp(method, "supervisor.", 11) == 0) {
		m = rpc_lookup(ctl_methods_table, ctl_methods_count, dot + 1);
		if (m == NULL)
			m = rpc_lookup(ctl_procs_table, ctl_procs_count, dot + 1);
	}
	if (m == NULL)
		return rpc_fault(res, FAULT_UNKNOWN_METHOD, NULL);
	if (value_len(params) < m->minargs || value_len(params) > m->maxargs)
		return rpc_fault(res, FAULT_INCORRECT_PARAMETERS, NULL);
	/* supervisord's _update(): nothing but the system namespace once a
	 * shutdown or restart is under way. */
	if (strncmp(method, "supervisor.", 11) == 0 && droverd_mood(d) < DROVERD_RUNNING)
		return rpc_fault(res, FAULT_SHUTDOWN_STATE, NULL);
	return m->fn(d, params, res, jobp);
}

int rpc_poll(struct rpc_job *j, struct rpc_res *res)
{
	return j->poll(j, res);
}

void rpc_job_free(struct rpc_job *j)
{
	if (j != NULL)
		j->free(j);
}

static int rpc_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int rpc_list_methods(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	size_t n = 0, i, cap = ctl_methods_count + ctl_procs_count + 2;
	char **names = xcalloc(cap, sizeof(*names));

	(void)d;
	(void)params;
	(void)jobp;
	for (i = 0; i < 2; i++)
		names[n++] = xasprintf("system.%s", rpc_system_table[i].name);
	for (i = 0; i < ctl_methods_count; i++)
		names[n++] = xasprintf("supervisor.%s", ctl_methods_table[i].name);
	for (i = 0; i < ctl_procs_count; i++)
		names[n++] = xasprintf("supervisor.%s", ctl_procs_table[i].name);
	qsort(names, n, sizeof(*names), rpc_cmp_str);
	xmlrpc_put_array_begin(&res->val);
	for (i = 0; i < n; i++) {
		xmlrpc_put_str(&res->val, names[i]);
		free(names[i]);
	}
	xmlrpc_put_array_end(&res->val);
	free(names);
	return 1;
}

/* system.multicall: one call at a time; a call that answers later holds
 * up the ones after it. */
struct rpc_multi {
	struct rpc_job job;
	struct droverd *d;
	const struct value *calls; /* borrowed from the request */
	size_t next;
	struct rpc_job *waiting; /* owned */
	struct rpc_res sub;
	struct buf out; /* the results so far */
};

static void rpc_multi_add(struct rpc_multi *m)
{
	if (m->sub.fault != FAULT_OK)
		xmlrpc_put_fault_value(&m->out, m->sub.fault, m->sub.text);
	else
		buf_put(&m->out, buf_ptr(&m->sub.val), buf_avail(&m->sub.val));
}

static int rpc_multi_poll(struct rpc_job *j, struct rpc_res *res)
{
	struct rpc_multi *m = (struct rpc_multi *)j;
	const struct value *call, *name, *params;
	static const struct value noparams = {.type = VALUE_LIST};

	if (m->waiting != NULL) {
		if (!rpc_poll(m->waiting, &m->sub))
			return 0;
		rpc_job_free(m->waiting);
		m->waiting = NULL;
		rpc_multi_add(m);
	}
	while (m->next < value_len(m->calls)) {
		call = value_list_at(m->calls, m->next++);
		name = value_map_get(call, "methodName");
		params = value_map_get(call, "params");
		if (params == NULL)
			params = &noparams;
		rpc_res_fini(&m->sub);
		rpc_res_init(&m->sub);
		if (name == NULL || name->type != VALUE_STR)
			rpc_fault(&m->sub, FAULT_INCORRECT_PARAMETERS, "No methodName");
		else if (strcmp(name->u.s.ptr, "system.multicall") == 0)
			rpc_fault(&m->sub, FAULT_INCORRECT_PARAMETERS, "Recursive system.multicall forbidden");
		else if (params->type != VALUE_LIST)
			rpc_fault(&m->sub, FAULT_INCORRECT_PARAMETERS, NULL);
		else if (!rpc_call(m->d, name->u.s.ptr, params, &m->sub, &m->waiting))
			return 0;
		rpc_multi_add(m);
	}
	xmlrpc_put_array_begin(&res->val);
	buf_put(&res->val, buf_ptr(&m->out), buf_avail(&m->out));
	xmlrpc_put_array_end(&res->val);
	return 1;
}

static void rpc_multi_free(struct rpc_job *j)
{
	struct rpc_multi *m = (struct rpc_multi *)j;

	rpc_job_free(m->waiting);
	rpc_res_fini(&m->sub);
	buf_fini(&m->out);
	free(m);
}

static int rpc_multicall(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp)
{
	struct rpc_multi *m;

	if (value_list_at(params, 0)->type != VALUE_LIST)
		return rpc_fault(res, FAULT_INCORRECT_PARAMETERS, NULL);
	m = xcalloc(1, sizeof(*m));
	m->job.poll = rpc_multi_poll;
	m->job.free = rpc_multi_free;
	m->d = d;
	m->calls = value_list_at(params, 0);
	rpc_res_init(&m->sub);
	buf_init(&m->out, CTL_RPC_MAX_RESULT);
	if (rpc_multi_poll(&m->job, res)) {
		rpc_multi_free(&m->job);
		return 1;
	}
	*jobp = &m->job;
	return 0;
}
