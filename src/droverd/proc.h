/* The process state machine of supervisord 4.2.5 (supervisor/process.py),
 * as an explicit state x event table.
 *
 * States (supervisord's codes): STOPPED 0, STARTING 10, RUNNING 20,
 * BACKOFF 30, STOPPING 40, EXITED 100, FATAL 200, UNKNOWN 1000.
 *
 * Events: AUTOSTART (the group was added), START and STOP (an operator),
 * GROUP_STOP (the daemon stops a whole group: shutdown, reload, stop of a
 * group), TIMER (the process's one deadline passed), EXIT (the child was
 * reaped), SIGNAL (an operator's signal). Every state change goes through
 * one function, which logs it at debug level and tells the daemon.
 *
 * The rules, as supervisord's code has them:
 *   - a spawn sets laststart and enters STARTING; a failure before the fork
 *     (command not found, no pipes, no fork) logs "spawnerr: ..." and enters
 *     BACKOFF; otherwise "spawned: 'x' with pid N".
 *   - STARTING becomes RUNNING once the child has been up more than
 *     startsecs ("success: ..."); with startsecs <= 0 the deadline is due
 *     at once, so it passes after the other spawns of the same moment, as
 *     supervisord's next loop pass does.
 *   - an exit less than startsecs after the spawn is "too quick": BACKOFF,
 *     "exited: x (...; not expected)" whatever the code. Entering BACKOFF
 *     adds 1 to the backoff count and waits that many seconds; once the
 *     count passes startretries the process gives up: FATAL, "gave up: ...".
 *     So startretries=3 means 4 attempts, 1+2+3 s apart.
 *   - other exits: EXITED, "expected" when the code is in exitcodes (a
 *     signal death never is); autorestart=true restarts, "unexpected"
 *     restarts on an unexpected exit, false never. droverd restarts no
 *     sooner than 1 s after the previous spawn, which is the pace
 *     supervisord's one-second loop gives a crash loop.
 *   - STOP sends stopsignal (to the process group with stopasgroup) and
 *     enters STOPPING; after stopwaitsecs, "killing 'x' (N) with SIGKILL"
 *     (to the group with killasgroup), repeated every stopwaitsecs. STOP in
 *     BACKOFF goes straight to STOPPED. The exit that follows is "stopped:
 *     x (terminated by SIGTERM)", at WARN unless the status is expected.
 *   - GROUP_STOP stops STARTING and RUNNING processes and turns BACKOFF
 *     into FATAL without a message.
 *   - a kill that fails for another reason than ESRCH enters UNKNOWN.
 * Spawning (autostart, BACKOFF retries, autorestart) happens only while the
 * daemon is running (not shutting down or reloading).
 *
 * droverd adds, after supervisord's own line so log watchers still match
 * it: for every unexpected exit, the last lines the child wrote to stderr
 * (and what the child reported before it could exec), and for FATAL a
 * summary of why; both are kept for status. */
#ifndef DROVER_DROVERD_PROC_H
#define DROVER_DROVERD_PROC_H

#include <stdint.h>
#include <sys/types.h>

#include "droverd/config.h"
#include "droverd/tail.h"

enum proc_state {
	PROC_STOPPED = 0,
	PROC_STARTING = 10,
	PROC_RUNNING = 20,
	PROC_BACKOFF = 30,
	PROC_STOPPING = 40,
	PROC_EXITED = 100,
	PROC_FATAL = 200,
	PROC_UNKNOWN = 1000,
};

enum proc_event {
	PEV_AUTOSTART,
	PEV_START,
	PEV_STOP,
	PEV_GROUP_STOP,
	PEV_TIMER,
	PEV_EXIT,   /* arg: the wait status */
	PEV_SIGNAL, /* arg: the signal number */
	PEV_COUNT,
};

struct proc;

/* What the state machine needs from the daemon (and a unit test fakes). */
struct proc_ops {
	/* Resolves the command, makes the pipes and forks. Returns 0 with
	 * p->pid set, or non-zero with *errp the spawn error (new string, in
	 * supervisord's words). */
	int (*spawn)(struct proc *p, char **errp, void *arg);
	/* kill(2); returns 0 or -errno. */
	int (*kill)(struct proc *p, pid_t pid, int sig, void *arg);
	/* Sets p's one deadline (monotonic ms); 0 clears it. */
	void (*arm)(struct proc *p, uint64_t at_ms, void *arg);
	/* The child was reaped: read what is left in its pipes (before the
	 * exit is judged, so the stderr tail is complete). */
	void (*drain)(struct proc *p, void *arg);
	/* Closes the child's pipes (after the exit was handled). */
	void (*release)(struct proc *p, void *arg);
	/* Writes a main-log line. */
	void (*log)(int level, const char *msg, void *arg);
	/* A state changed (after the change, before its log line). */
	void (*changed)(struct proc *p, enum proc_state old, void *arg);
	uint64_t (*now_ms)(void *arg); /* monotonic */
	double (*wall)(void *arg);     /* seconds since the epoch */
	/* Whether the daemon is running (not shutting down or reloading). */
	int (*may_spawn)(void *arg);
	void *arg;
};

struct proc {
	const struct pconf *conf;    /* borrowed from the group's configuration */
	const char *group;           /* borrowed group name */
	const struct proc_ops *ops;  /* borrowed */
	enum proc_state state;
	pid_t pid;                   /* 0 when no child */
	uint64_t laststart_ms;       /* monotonic; 0: never started */
	double laststart, laststop;  /* wall seconds; 0: never */
	uint64_t laststopreport_ms;
	uint64_t delay_ms;           /* the state's deadline; 0: none */
	long long backoff;           /* failed starts since the last success */
	int killing;                 /* a stop or kill signal was sent */
	int administrative_stop;
	int system_stop;
	int has_exitstatus;
	int exitstatus;              /* -1 for a signal death */
	char *spawnerr;              /* owned; NULL when none */
	char *child_error;           /* owned; what the child said before exec */
	char *cause;                 /* owned; why the last run ended badly */
	struct tail tail;            /* stderr (or redirected stdout) tail */
	void *rt;                    /* the daemon's per-process data */
};

/* Sets p up in STOPPED for conf; ops must outlive p. */
void proc_init(struct proc *p, const struct pconf *conf, const char *group, const struct proc_ops *ops);
/* Frees what p owns (not p itself). */
void proc_fini(struct proc *p);

/* Delivers an event. Returns FAULT_OK, or for START, STOP and SIGNAL the
 * fault supervisord's RPC would raise (FAULT_ALREADY_STARTED,
 * FAULT_NOT_RUNNING, FAULT_FAILED, FAULT_ABNORMAL_TERMINATION). */
int proc_event(struct proc *p, enum proc_event ev, int arg);

/* Logs "waiting for x to stop" while p is STOPPING, at most every 2 s (the
 * control server calls it while a stop request waits). */
void proc_stop_report(struct proc *p);

/* "STOPPED", "RUNNING", ... */
const char *proc_state_name(enum proc_state s);
/* Whether s is one of supervisord's STOPPED_STATES (STOPPED EXITED FATAL
 * UNKNOWN), RUNNING_STATES (RUNNING BACKOFF STARTING) or
 * SIGNALLABLE_STATES (RUNNING STARTING STOPPING). */
int proc_is_stopped(enum proc_state s);
int proc_is_running(enum proc_state s);
int proc_is_signallable(enum proc_state s);

/* decode_wait_status(): *esp is the exit status, -1 for a signal; writes
 * "exit status N", "terminated by SIGX", with " (core dumped)", into msg. */
void proc_decode_status(int status, int *esp, char *msg, size_t msgsz);

#endif
