/* The daemon's structures, shared by droverd.c (life cycle, children,
 * signals, shutdown) and api.c (what the control server calls). Not for
 * other files: they use droverd.h. */
#ifndef DROVER_DROVERD_DROVERD_PRIV_H
#define DROVER_DROVERD_DROVERD_PRIV_H

#include "base/buf.h"
#include "droverd/droverd.h"
#include "droverd/output.h"

struct dproc {
	struct proc p;          /* the state machine; p.rt points back here */
	struct droverd *d;
	struct dgroup *g;
	struct output out, err;
	int in_fd;              /* write end of the child's stdin; -1 */
	struct buf inbuf;       /* stdin bytes waiting for the pipe (capped) */
	int status_fd;          /* the child's error pipe; -1 */
	struct buf status;      /* what came through it */
	char *stdout_logfile;   /* owned; NULL: none */
	char *stderr_logfile;   /* owned; NULL: none */
	uint64_t timer;         /* ev timer id; 0: none */
};

struct dgroup {
	struct gconf *conf;     /* reference */
	struct dproc **procs;   /* owned; configuration order */
	size_t nprocs;
	struct droverd *d;
};

struct dobserver {
	droverd_observer cb;
	void *arg;
};

struct droverd {
	struct ev_loop *loop;            /* borrowed */
	struct dconf *conf;              /* owned; the running configuration */
	struct dconf *avail;             /* owned when != conf; the last read */
	struct dconf *next;              /* owned; what a reload runs */
	const struct config_cli *cli;    /* borrowed */
	struct mainlog *ml;              /* owned */
	struct proc_ops ops;
	struct dgroup **groups;          /* owned; process_groups order */
	size_t ngroups;
	int mood;                        /* DROVERD_* */
	int stopping;                    /* the ordered stop has begun */
	struct dgroup **stop_groups;     /* borrowed; ascending priority, stopped from the end */
	size_t nstop;
	uint64_t lastshutdownreport;     /* ms, monotonic */
	uint64_t step_timer;             /* ev timer id of the next stop step */
	uint64_t report_timer;           /* ev timer id of the next "waiting for" */
	int done;                        /* droverd_run returns */
	struct dobserver *obs;
	size_t nobs;
};

/* Creates a running group for gc (AUTO log files are created). */
struct dgroup *droverd_group_make(struct droverd *d, struct gconf *gc);
void droverd_group_free(struct dgroup *g);
/* Reaps every child that has exited. */
void droverd_reap(struct droverd *d);
/* Schedules a step of the ordered stop (from an event, never nested). */
void droverd_schedule_step(struct droverd *d);
/* Loads the configuration file again with the command-line settings. */
int droverd_load_config(struct droverd *d, struct dconf **confp, struct diag *err);
/* (priority, name) order of processes and of groups. */
int dproc_cmp_prio(const void *a, const void *b);

#endif
