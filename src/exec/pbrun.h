/* Running playbooks (`drover playbook`): plays in order, each on its hosts
 * in serial batches with the linear or free strategy, tasks through each host's
 * worker session (exec/hostconn), variables with Ansible's precedence
 * (exec/vars), output in Ansible's default format (output/human), handlers
 * at flush points, and Ansible's PLAY RECAP and exit codes. */
#ifndef DROVER_EXEC_PBRUN_H
#define DROVER_EXEC_PBRUN_H

#include <stddef.h>

#include "data/value.h"
#include "exec/adhoc.h"
#include "inventory/inventory.h"
#include "playbook/playbook.h"

struct pbrun_opts {
	const struct adhoc_opts *conn;  /* connection options, forks, verbosity */
	const struct value *extra_vars; /* -e */
	const struct value *only_tags;  /* -t list; empty means all */
	const struct value *skip_tags;  /* --skip-tags list */
	const char *const *limits;      /* -l */
	size_t nlimits;
	int check, diff;                /* -C, -D */
	int verbosity;
	int force_handlers;
	const char *start_at_task;      /* --start-at-task, or NULL */
	int profile;                    /* --profile: task durations after the recap */
	int json;                       /* --json: JSON-lines events (output/human_json.c) */
	const char *strategy;           /* DEFAULT_STRATEGY, for plays without one; NULL: linear */
};

/* Runs the playbooks in order. Returns ansible-playbook's exit status:
 * 0, 2 (a host failed), 4 (a host was unreachable), 1 (an error before or
 * outside the hosts, printed). */
int pbrun(struct pb_playbook *const *pbs, size_t n, struct inventory *inv, const struct pbrun_opts *o);

#endif
