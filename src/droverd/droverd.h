/* droverd's daemon core and its internal API, for the control server
 * (supervisord's XML-RPC, droverctl's protocol) and main.c.
 *
 * One struct droverd runs one configuration on one event loop: process
 * groups (supervisord's process_groups), their processes (each a struct
 * proc state machine, see proc.h), child output, the main log, signals
 * (TERM/INT/QUIT shut down, HUP reloads, USR2 reopens logs, CHLD reaps)
 * and the ordered stop of everything. All calls are made from the loop's
 * thread; nothing here blocks.
 *
 * Names. A "namespec" is supervisord's: "group:process", "group:" or
 * "group:*" (the whole group), or "name" (group and process of one name).
 *
 * Faults. Operations return FAULT_OK or one of fault.h's codes, the ones
 * supervisord's RPC raises for the same call, so the control server maps
 * them to XML-RPC faults or supervisorctl's messages unchanged.
 *
 * Waiting. supervisord's startProcess/stopProcess (with wait=true) answer
 * only once the process is RUNNING or stopped; the control server does the
 * same by registering an observer (droverd_observe), which is called after
 * every state change, and asking droverd_start_result / droverd_stop_result
 * whether the wait is over. While a stop waits, call droverd_stop_report
 * from time to time (supervisord logs "waiting for x to stop" every 2 s).
 *
 * Control server hooks. If the program links functions named
 * droverd_ctl_open and droverd_ctl_close (declared weak below), main calls
 * droverd_ctl_open(d) after the groups are added and before daemonizing (a
 * non-zero return stops droverd with status 2, as supervisord's "Another
 * program is already listening..."), and droverd_ctl_close(d) before a
 * reload or exit. The server watches its sockets with droverd_loop(d) and
 * reads its settings from droverd_config(d)->servers and ->ctl. */
#ifndef DROVER_DROVERD_DROVERD_H
#define DROVER_DROVERD_DROVERD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/ev.h"
#include "droverd/config.h"
#include "droverd/fault.h"
#include "droverd/mainlog.h"
#include "droverd/proc.h"

/* supervisord's SupervisorStates, as getState() reports them. */
enum droverd_mood {
	DROVERD_FATAL = 2,
	DROVERD_RUNNING = 1,
	DROVERD_RESTARTING = 0,
	DROVERD_SHUTDOWN = -1,
};

struct droverd;
struct dgroup;
struct dproc;

/* ---- life cycle (main.c) ---- */

/* Creates the daemon for conf (taken over) with the main log ml (taken
 * over) on loop (borrowed); cli (borrowed, may be NULL) is applied again
 * whenever the configuration is re-read. Logs the loader's messages,
 * clears the AUTO log directory (unless nocleanup), adds every group
 * (creating AUTO log files) and installs the signal handlers. */
struct droverd *droverd_new(struct ev_loop *loop, struct dconf *conf, const struct config_cli *cli,
                            struct mainlog *ml);
/* Starts the programs that autostart, in priority order. */
void droverd_start_all(struct droverd *d);
/* Runs until the daemon has stopped everything after a shutdown or reload
 * request. Returns DROVERD_SHUTDOWN or DROVERD_RESTARTING. */
int droverd_run(struct droverd *d);
/* The configuration to run after a reload (taken out of d; NULL when the
 * run ended in a shutdown). */
struct dconf *droverd_take_next_config(struct droverd *d);
/* Frees d, its groups, configuration and main log. Children must have been
 * stopped (droverd_run returned). */
void droverd_free(struct droverd *d);

/* ---- what the control server reads ---- */

struct ev_loop *droverd_loop(struct droverd *d);
/* The running configuration ([supervisord] settings, servers, ctl). */
const struct dconf *droverd_config(const struct droverd *d);
/* The configuration last read (by reread), whose groups add_group uses and
 * getAllConfigInfo lists. Same as droverd_config until a reread. */
const struct dconf *droverd_available(const struct droverd *d);
struct mainlog *droverd_mainlog(struct droverd *d);
/* supervisord's getState(): DROVERD_RUNNING, _RESTARTING or _SHUTDOWN. */
int droverd_mood(const struct droverd *d);
const char *droverd_mood_name(int mood);

/* Groups in supervisord's process_groups order (as added). */
size_t droverd_ngroups(const struct droverd *d);
struct dgroup *droverd_group_at(struct droverd *d, size_t i);
struct dgroup *droverd_group(struct droverd *d, const char *name);
const char *dgroup_name(const struct dgroup *g);
long long dgroup_priority(const struct dgroup *g);
const struct gconf *dgroup_conf(const struct dgroup *g);
/* A group's processes in configuration order. */
size_t dgroup_nprocs(const struct dgroup *g);
struct dproc *dgroup_proc_at(struct dgroup *g, size_t i);

/* Resolves a namespec. Returns FAULT_OK with *groupp and *procp (NULL
 * when the spec names a whole group), or FAULT_BAD_NAME. */
int droverd_find(struct droverd *d, const char *namespec, struct dgroup **groupp, struct dproc **procp);
/* Every process: lexical (by group name, then process name, as
 * getAllProcessInfo) or by priority (groups, then processes, ascending, as
 * startAllProcesses and stopAllProcesses walk them). *listp is a new array
 * of borrowed pointers. */
void droverd_all(struct droverd *d, int lexical, struct dproc ***listp, size_t *np);
/* A group's processes sorted by (priority, name), as supervisord's group
 * operations walk them. */
void dgroup_sorted(struct dgroup *g, struct dproc ***listp, size_t *np);

struct proc *dproc_proc(struct dproc *p);
struct dgroup *dproc_group(struct dproc *p);
const char *dproc_name(const struct dproc *p);
/* "group:name", or "name" when both are the same (make_namespec). New. */
char *dproc_namespec(const struct dproc *p);
/* The effective log paths (AUTO resolved); NULL for none. */
const char *dproc_stdout_logfile(const struct dproc *p);
const char *dproc_stderr_logfile(const struct dproc *p);

/* supervisord's getProcessInfo() fields, plus droverd's own. Strings are
 * borrowed until the next change to the process. */
struct droverd_info {
	const char *name;
	const char *group;
	long long start;            /* laststart, whole seconds since the epoch; 0: never */
	long long stop;             /* laststop */
	long long now;
	int state;                  /* PROC_* */
	const char *statename;
	const char *spawnerr;       /* "" when none */
	int exitstatus;             /* 0 when none */
	const char *stdout_logfile; /* "" when none; also "logfile" */
	const char *stderr_logfile;
	int pid;
	char description[160];      /* supervisorctl's status column */
	/* droverd's additions */
	const char *cause;          /* why the last run ended badly; "" */
	uint64_t log_failures;      /* failed writes to this process's logs */
	uint64_t log_lost;          /* bytes those failures dropped */
};
void droverd_info(struct droverd *d, struct dproc *p, struct droverd_info *out);
/* The last lines the process wrote to stderr (see tail.h): a new array of
 * new strings (free with tail_lines_free), NULL when none. */
char **droverd_tail_lines(struct dproc *p, size_t *np);
/* _interpretProcessInfo(): "pid 42, uptime 0:00:05", the spawn error for
 * BACKOFF and FATAL, the stop time ("Nov 22 12:00 PM") or "Not started". */
void droverd_describe(const struct droverd_info *info, char *out, size_t outsz);

/* ---- operations ---- */

/* startProcess: FAULT_NO_FILE / FAULT_NOT_EXECUTABLE (with *msgp the
 * reason, new, when msgp is not NULL), FAULT_ALREADY_STARTED, FAULT_FAILED
 * (UNKNOWN state), FAULT_SPAWN_ERROR, FAULT_ABNORMAL_TERMINATION, or
 * FAULT_OK once spawned. */
int droverd_start(struct droverd *d, struct dproc *p, char **msgp);
/* While a start waits: FAULT_OK when RUNNING, -1 while STARTING,
 * FAULT_SPAWN_ERROR or FAULT_ABNORMAL_TERMINATION when it failed. */
int droverd_start_result(struct dproc *p);
/* stopProcess: FAULT_NOT_RUNNING, FAULT_FAILED, or FAULT_OK once the stop
 * signal was sent. */
int droverd_stop(struct droverd *d, struct dproc *p);
/* While a stop waits: FAULT_OK once stopped, -1 while not. */
int droverd_stop_result(struct dproc *p);
void droverd_stop_report(struct dproc *p);
/* signalProcess: FAULT_BAD_SIGNAL (sig < 0), FAULT_NOT_RUNNING, FAULT_FAILED,
 * FAULT_OK. Parse names with conv_signal. */
int droverd_signal(struct droverd *d, struct dproc *p, int sig);
/* sendProcessStdin: FAULT_NOT_RUNNING, FAULT_NO_FILE (stdin closed),
 * FAULT_FAILED (more than 1 MiB waiting), FAULT_OK. */
int droverd_send_stdin(struct droverd *d, struct dproc *p, const void *data, size_t n);
/* clearProcessLogs: removes and reopens the process's log files. FAULT_OK or
 * FAULT_FAILED. */
int droverd_clear_logs(struct dproc *p);
/* clearLog: removes and reopens the main log. FAULT_NO_FILE, FAULT_FAILED,
 * FAULT_OK. */
int droverd_clear_mainlog(struct droverd *d);

/* shutdown: stops every group, highest priority number first, then exits. */
int droverd_shutdown(struct droverd *d);
/* restart (and SIGHUP): re-reads the configuration first; when it does not
 * load, returns FAULT_CANT_REREAD with d filled and keeps running (where
 * supervisord would exit); else stops everything and starts again with it. */
int droverd_restart(struct droverd *d, struct diag *err);

/* reloadConfig: re-reads the configuration and compares its groups with
 * the running ones (supervisord's diff_to_active). Returns FAULT_OK with
 * three new arrays of borrowed group names (free the arrays only), or
 * FAULT_CANT_REREAD with err filled. The new configuration becomes the
 * available one (add_group uses it); running groups are not touched. */
int droverd_reread(struct droverd *d, const char ***addedp, size_t *naddedp, const char ***changedp,
                   size_t *nchangedp, const char ***removedp, size_t *nremovedp, struct diag *err);
/* addProcessGroup: FAULT_BAD_NAME, FAULT_ALREADY_ADDED, FAULT_OK (its
 * autostart processes start). */
int droverd_add_group(struct droverd *d, const char *name);
/* removeProcessGroup: FAULT_BAD_NAME, FAULT_STILL_RUNNING, FAULT_OK. */
int droverd_remove_group(struct droverd *d, const char *name);
/* Which processes of a running group differ from the available
 * configuration (for an update that restarts only what changed): *procsp
 * lists the names whose configuration changed, was added or was removed
 * (new array of new strings). FAULT_BAD_NAME when the group is not in both. */
int droverd_group_diff(struct droverd *d, const char *name, char ***namesp, size_t *np);

/* Observers: cb runs after every state change of every process. */
typedef void (*droverd_observer)(struct droverd *d, struct dproc *p, enum proc_state old, void *arg);
void droverd_observe(struct droverd *d, droverd_observer cb, void *arg);
void droverd_unobserve(struct droverd *d, droverd_observer cb, void *arg);

/* Control server hooks (see above); weak, so droverd links without them. */
int droverd_ctl_open(struct droverd *d) __attribute__((weak));
void droverd_ctl_close(struct droverd *d) __attribute__((weak));

#endif
