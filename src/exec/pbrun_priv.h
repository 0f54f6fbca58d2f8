/* State shared by the playbook runner's files (pbrun.c: plays, strategy,
 * handlers, recap; pbtask.c: one task on one host). */
#ifndef DROVER_EXEC_PBRUN_PRIV_H
#define DROVER_EXEC_PBRUN_PRIV_H

#include "base/ev.h"
#include "exec/hostconn.h"
#include "exec/iter.h"
#include "exec/pbrun.h"
#include "exec/vars.h"
#include "output/human.h"
#include "playbook/templar.h"

struct pbrun_state;

struct pbhost {
	struct pbrun_state *rs;
	struct inv_host *h;
	const char *name;
	struct hostconn *hc;        /* the host's worker session for the whole run */
	struct iter it;
	struct pb_task *next;       /* peeked next task, or NULL */
	int removed;                /* out of the play: failed without rescue, unreachable, ended */
	int failed_run, unreachable_run;
	struct human_stats st;
	struct value *notified;     /* names of handlers notified in this play (list) */
	int busy;                   /* a task is running on it */
	struct pb_task *cur;        /* that task, or NULL */
	int failed_step;            /* failed (unrescued) or unreachable in the task just run */
	const void *queued;         /* pbinclude: the include whose blocks it got */
};

struct pbrun_prof {
	const void *task;
	const char *name;           /* as the banner shows it (owned by the playbook) */
	double secs;
};

/* --profile: records how long the task t (named name) took this time. */
void pbrun_profile_add(struct pbrun_state *rs, const void *t, const char *name, double secs);

struct pbrun_state {
	const struct pbrun_opts *o;
	struct ev_loop *loop;
	struct hostconn_env env;
	struct inventory *inv;
	struct templar *tr;
	struct vars_run *vars;
	struct human out;
	struct pbhost **hosts;      /* every host seen in the run, in first-seen order */
	size_t nhosts;
	struct pb_play *play;
	int end_play;
	char *fatal;                /* an error that ends the run (ERROR!, exit 1), or NULL */
	int break_play;             /* Ansible's RUN_FAILED_BREAK_PLAY: the playbook's later plays are off */
	int start_done;             /* --start-at-task found its task */
	struct pb_task **order;     /* the batch's tasks in Ansible's all_tasks order */
	size_t norder, cur;         /* and the lockstep cursor in it */
	struct pb_block **dyn_handlers; /* handlers of roles include_role brought into the play */
	size_t ndyn_handlers;
	struct hostconn *local_hc;  /* pbrun_local_hc */
	struct pbrun_prof *prof;    /* --profile: each task's last duration */
	size_t nprof;
	struct pbhost **once;       /* run_once: the hosts the running task's result is for */
	size_t nonce;
	size_t running;             /* tasks in flight */
};

/* Runs task t (a handler when handler) on every host of group (forks at a
 * time) and returns when all are done. */
void pbtask_run_group(struct pbrun_state *rs, struct pb_task *t, int handler, struct pbhost **group, size_t n);

/* Starts task t on ph alone, after its banner, and returns: the result
 * arrives through the loop (ph->busy until then). The free strategy's way. */
void pbtask_start(struct pbrun_state *rs, struct pb_task *t, struct pbhost *ph);

/* run_once (*oncep: PBTASK_RUN_ONCE, and PBTASK_BYPASS for add_host, which
 * runs once without sharing its result) and throttle (0: none) of t,
 * templated with host's variables. Returns 0 when throttle is not a number
 * (rs->fatal is then set), else 1. */
enum {
	PBTASK_RUN_ONCE = 1 << 0,
	PBTASK_BYPASS = 1 << 1,
};
int pbtask_group_kws(struct pbrun_state *rs, struct pb_task *t, struct pbhost *host, int *oncep, int64_t *throttlep);

/* The free strategy (pbfree.c): each host of the batch goes through its
 * tasks without waiting for the others, forks at a time. */
void pbfree_run(struct pbrun_state *rs, struct pbhost **batch, size_t n);

/* The host's next task, skipping those tags deselect, or NULL; a host whose
 * always section ran after a failure leaves the play here (pbrun.c). */
struct pb_task *pbrun_next_task(struct pbrun_state *rs, struct pbhost *ph);

/* Runs meta task t for the hosts of group (pbrun.c). */
void pbrun_meta(struct pbrun_state *rs, struct pb_task *t, struct pbhost **group, size_t n, struct pbhost **batch,
                size_t nbatch);

/* A task's loop for one host (pbtask.c): items NULL when the task has no
 * loop; the caller unrefs items and label. Returns 0 or an error with d set. */
struct pbtask_loop {
	struct value *items;
	const char *loop_var, *index_var;
	int extended;
	struct value *label; /* loop_control.label as written, or NULL */
};
int pbtask_loop(struct pbrun_state *rs, struct pbhost *ph, struct pb_task *t, struct pbtask_loop *lp,
                struct diag *d);

/* Whether keyword value v (taken; NULL is false) is a true boolean. */
int pbrun_kw_true(struct value *v, const char *name);

/* Ends the run with Ansible's error for an object: msg, then the paragraph
 * that shows where pos is in its file. */
void pbrun_fatal_at(struct pbrun_state *rs, const struct value_pos *pos, const char *msg);

/* The run's record of inventory host h (its connection, stats), made on
 * first use: a play's host, or the target of delegate_to. */
struct pbhost *pbrun_host(struct pbrun_state *rs, struct inv_host *h);

/* The controller's own connection for delegate_to: localhost (the
 * inventory's localhost variables, ansible_connection local), made on first
 * use and closed with the run. */
struct hostconn *pbrun_local_hc(struct pbrun_state *rs);

/* Splices the tasks of included blocks into the run order at the cursor. */
void pbrun_order_insert(struct pbrun_state *rs, struct pb_block **blocks, size_t n);

/* Runs the dynamic include_tasks t (each loop item too) on the group: the
 * hosts that include a file get its blocks next (pbinclude.c). */
void pbinclude_run_group(struct pbrun_state *rs, struct pb_task *t, struct pbhost **group, size_t n);

/* vars_prompt (pbprompt.c): the play's vars with the prompted variables
 * added (new map), or NULL when the play prompts for nothing or on an error
 * (then rs->fatal is set). */
struct value *pbprompt_vars(struct pbrun_state *rs, struct pb_play *play);

#endif
