/* Actions that run on the controller, as Ansible's action plugins do:
 * debug, set_fact, assert, fail, include_vars, pause, add_host, group_by. Each turns templated
 * arguments into a result; the executor applies side effects the result
 * asks for (ansible_facts of set_fact and include_vars). */
#ifndef DROVER_EXEC_ACTIONS_H
#define DROVER_EXEC_ACTIONS_H

#include "data/value.h"
#include "exec/vars.h"

struct action_ctx {
	struct vars_ctx *vc;        /* the host's variables for the task */
	struct inventory *inv;      /* the run's inventory (add_host, group_by change it) */
	struct templar *tr;         /* the run's templar */
	const struct value *args;   /* templated arguments */
	const struct value *raw_args; /* as written (debug var=, assert that:) */
	const char *basedir;        /* relative files start here (include_vars) */
	int verbosity;
	int check;
};

/* A failed result (new reference): msg from fmt with one %s for arg (NULL
 * counts as ""), or the diagnostic as diag_format shows it. */
struct value *action_failed(const char *fmt, const char *arg);
struct value *action_diag_failed(struct diag *d);

/* Returns 1 when module is one of the actions here. */
int action_known(const char *module);

/* Runs the action and returns its result (new reference; never NULL). */
struct value *action_run(const char *module, const struct action_ctx *ac);

#endif
