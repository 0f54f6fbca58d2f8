/* The free strategy: each host of a batch runs its next task as soon as it
 * is done with the last one, forks hosts at a time, as Ansible's free (and
 * host_pinned) strategy; each host's start of a task announces it. */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "exec/pbrun_priv.h"
#include "playbook/pb_kw.h"

/* How many hosts of the batch are running t. */
static size_t pbfree_running(struct pbhost **batch, size_t n, const struct pb_task *t)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += batch[i]->busy && batch[i]->cur == t;
	return k;
}

/* Whether t may start on ph now: a free worker, under the task's throttle.
 * Ansible's free strategy warns of run_once and refuses add_host. */
static int pbfree_may_start(struct pbrun_state *rs, struct pbhost **batch, size_t n, struct pbhost *ph,
                            struct pb_task *t)
{
	size_t forks = rs->o->conn->forks > 0 ? (size_t)rs->o->conn->forks : 5;
	int64_t throttle = 0;
	int once = 0;

	if (rs->running >= forks)
		return 0;
	if (t->type != PB_TASK_ACTION)
		return 1;
	if (!pbtask_group_kws(rs, t, ph, &once, &throttle))
		return 0;
	if (throttle > 0 && pbfree_running(batch, n, t) >= (uint64_t)throttle)
		return 0;
	if (once & PBTASK_BYPASS) {
		char *msg = xasprintf("The '%s' module bypasses the host loop, which is currently not supported in "
		                      "the free strategy and would instead execute for every host in the inventory "
		                      "list.",
		                      t->module);

		pbrun_fatal_at(rs, &t->obj.pos, msg);
		free(msg);
		return 0;
	}
	if (once)
		human_warning(&rs->out, "Using run_once with the free strategy is not currently supported. This task "
		                        "will still be executed for every host in the inventory list.");
	if (pbrun_kw_true(pb_obj_kw(&t->obj, PB_KW_ANY_ERRORS_FATAL), "any_errors_fatal"))
		human_warning(&rs->out, "Using any_errors_fatal with the free strategy is not supported, as tasks are "
		                        "executed independently on each host");
	return 1;
}

static void pbfree_step(struct pbrun_state *rs, struct pbhost *ph, struct pb_task *t)
{
	ph->next = NULL;
	ph->failed_step = 0;
	if (t->type == PB_TASK_META)
		pbrun_meta(rs, t, &ph, 1, &ph, 1);
	else if (t->type == PB_TASK_ACTION)
		pbtask_start(rs, t, ph);
	else if (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_INCLUDE_ROLE)
		pbinclude_run_group(rs, t, &ph, 1);
}

/* One pass over the hosts from *lastp on, as Ansible's loop: returns 1 when
 * some host has work left (a task to start or one running). */
static int pbfree_pass(struct pbrun_state *rs, struct pbhost **batch, size_t n, size_t *lastp)
{
	struct pbhost *ph;
	struct pb_task *t;
	size_t k, i;
	int work = 0;

	for (k = 0; k < n && !rs->end_play && rs->fatal == NULL; k++) {
		i = (*lastp + k) % n;
		ph = batch[i];
		if (ph->busy) {
			work = 1;
			continue;
		}
		if ((t = pbrun_next_task(rs, ph)) == NULL)
			continue;
		work = 1;
		if (!pbfree_may_start(rs, batch, n, ph, t))
			break;
		pbfree_step(rs, ph, t);
		*lastp = (i + 1) % n;
	}
	return work;
}

void pbfree_run(struct pbrun_state *rs, struct pbhost **batch, size_t n)
{
	size_t last = 0, i, left;

	if (rs->play->obj.kw[PB_KW_MAX_FAIL_PERCENTAGE] != NULL)
		human_warning(&rs->out, "Using max_fail_percentage with the free strategy is not supported, as tasks "
		                        "are executed independently on each host");
	while (n > 0 && rs->fatal == NULL && !rs->end_play) {
		for (i = left = 0; i < n; i++)
			left += !batch[i]->unreachable_run;
		if (left == 0) {
			human_no_more_hosts(&rs->out);
			break;
		}
		if (!pbfree_pass(rs, batch, n, &last) && rs->running == 0)
			break;
		if (rs->running > 0)
			ev_run_once(rs->loop, -1);
	}
	while (rs->running > 0)
		ev_run_once(rs->loop, -1);
}
