/* supervisord's XML-RPC interface on droverd: method dispatch (system.* and
 * supervisor.*), results and faults with supervisord's codes and texts, and
 * the calls that answer later (startProcess with wait, the group and "all"
 * operations, multicall), which are polled until done.
 *
 * A call's result is either a value (written as XML-RPC into res->val) or a
 * fault (res->fault with res->text, "BAD_NAME: foo" as supervisord's
 * RPCError words it). A call that cannot answer at once returns a job; the
 * server polls it after every process state change and a few times a second
 * until it is done. */
#ifndef DROVER_DROVERD_CTL_RPC_H
#define DROVER_DROVERD_CTL_RPC_H

#include "base/buf.h"
#include "data/xmlrpc.h"
#include "droverd/droverd.h"

#define CTL_RPC_MAX_RESULT ((size_t)64 << 20)

struct rpc_res {
	int fault;      /* FAULT_OK, or a fault code */
	char *text;     /* owned; the fault string */
	struct buf val; /* the value, when fault is FAULT_OK */
};

struct rpc_job;

void rpc_res_init(struct rpc_res *res);
void rpc_res_fini(struct rpc_res *res);
/* Sets a fault: supervisord's code name, with ": extra" when extra is not
 * NULL. Returns 1 (done), for "return rpc_fault(...)". */
int rpc_fault(struct rpc_res *res, int code, const char *extra);

/* Calls method with params (borrowed; they must outlive a returned job).
 * Returns 1 with res filled, or 0 with *jobp new: poll it with rpc_poll. */
int rpc_call(struct droverd *d, const char *method, const struct value *params, struct rpc_res *res,
             struct rpc_job **jobp);
/* Polls a job. Returns 1 with res filled once done, else 0. */
int rpc_poll(struct rpc_job *j, struct rpc_res *res);
void rpc_job_free(struct rpc_job *j);

/* ---- for the method files (ctl_methods.c, ctl_procs.c) ---- */

/* A method: params are checked for count (Python's TypeError) before. */
typedef int (*rpc_method_fn)(struct droverd *d, const struct value *params, struct rpc_res *res, struct rpc_job **jobp);
struct rpc_method {
	const char *name;
	rpc_method_fn fn;
	unsigned char minargs, maxargs;
};

/* The tables (sorted by name) the methods files define. */
extern const struct rpc_method ctl_methods_table[];
extern const size_t ctl_methods_count;
extern const struct rpc_method ctl_procs_table[];
extern const size_t ctl_procs_count;

/* Parameter conversions as Python's int()/str() would take them; each
 * returns 0 or sets INCORRECT_PARAMETERS and returns 1. */
int rpc_arg_str(const struct value *v, const char **sp, struct rpc_res *res);
int rpc_arg_int(const struct value *v, long long *ip, struct rpc_res *res);

/* supervisord's readLog/readProcess*Log on path (NULL: no log, "NO_FILE"): offset and
 * length are the call's parameters; NO_FILE, BAD_ARGUMENTS or FAILED as
 * supervisord raises them, else the bytes as a string. Returns 1. */
int rpc_read_file(const char *path, const struct value *offset, const struct value *length, struct rpc_res *res);

/* Jobs: poll returns 1 when done (res filled), 0 while not; free frees. */
struct rpc_job {
	int (*poll)(struct rpc_job *j, struct rpc_res *res);
	void (*free)(struct rpc_job *j);
};

#endif
