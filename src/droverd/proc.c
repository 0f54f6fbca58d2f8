/* supervisord's Subprocess state machine. proc_table below is the whole
 * behaviour: one handler per (state, event); a NULL entry means the event
 * does nothing in that state (for START, STOP and SIGNAL: the fault
 * supervisord's RPC raises). Every change of state goes through
 * proc_set_state(). Main-log lines are supervisord's, byte for byte. */
#include "droverd/proc.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/xmalloc.h"
#include "droverd/conv.h"
#include "droverd/fault.h"

/* droverd restarts an EXITED process no sooner than this after its last
 * spawn: supervisord's loop wakes once a second when nothing else happens,
 * which bounds a crash loop of a startsecs=0 program to about that pace. */
#define PROC_RESTART_MIN_MS 1000

/* Messages no longer than this are kept whole; process names are capped by
 * the configuration's line length, so this only guards the buffer. */
#define PROC_MSG_MAX 8192

static void proc_log(struct proc *p, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void proc_log(struct proc *p, int level, const char *fmt, ...)
{
	char msg[PROC_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->ops->log(level, msg, p->ops->arg);
}

static const char *proc_name(const struct proc *p)
{
	return p->conf->name;
}

static uint64_t proc_now(const struct proc *p)
{
	return p->ops->now_ms(p->ops->arg);
}

static int proc_expected(const struct proc *p, int es)
{
	return es >= 0 && es <= 255 && (p->conf->exitset[es / 8] & (1u << (es % 8))) != 0;
}

const char *proc_state_name(enum proc_state s)
{
	switch (s) {
	case PROC_STOPPED:
		return "STOPPED";
	case PROC_STARTING:
		return "STARTING";
	case PROC_RUNNING:
		return "RUNNING";
	case PROC_BACKOFF:
		return "BACKOFF";
	case PROC_STOPPING:
		return "STOPPING";
	case PROC_EXITED:
		return "EXITED";
	case PROC_FATAL:
		return "FATAL";
	case PROC_UNKNOWN:
		return "UNKNOWN";
	}
	return "UNKNOWN";
}

int proc_is_stopped(enum proc_state s)
{
	return s == PROC_STOPPED || s == PROC_EXITED || s == PROC_FATAL || s == PROC_UNKNOWN;
}

int proc_is_running(enum proc_state s)
{
	return s == PROC_RUNNING || s == PROC_BACKOFF || s == PROC_STARTING;
}

int proc_is_signallable(enum proc_state s)
{
	return s == PROC_RUNNING || s == PROC_STARTING || s == PROC_STOPPING;
}

void proc_decode_status(int status, int *esp, char *msg, size_t msgsz)
{
	char buf[24];

	if (WIFEXITED(status)) {
		*esp = WEXITSTATUS(status);
		snprintf(msg, msgsz, "exit status %d", *esp);
	} else if (WIFSIGNALED(status)) {
		*esp = -1;
		snprintf(msg, msgsz, "terminated by %s%s", conv_signame(WTERMSIG(status), buf),
		         WCOREDUMP(status) ? " (core dumped)" : "");
	} else {
		*esp = -1;
		snprintf(msg, msgsz, "unknown termination cause 0x%04x", (unsigned)status);
	}
}

void proc_init(struct proc *p, const struct pconf *conf, const char *group, const struct proc_ops *ops)
{
	memset(p, 0, sizeof(*p));
	p->conf = conf;
	p->group = group;
	p->ops = ops;
	p->state = PROC_STOPPED;
	tail_reset(&p->tail);
}

void proc_fini(struct proc *p)
{
	free(p->spawnerr);
	free(p->child_error);
	free(p->cause);
	p->spawnerr = p->child_error = p->cause = NULL;
}

static void proc_set_str(char **dst, char *s)
{
	free(*dst);
	*dst = s;
}

/* The one place a state changes: BACKOFF's counter and delay, the state's
 * deadline, a debug line, and the daemon's observer. */
static void proc_set_state(struct proc *p, enum proc_state new)
{
	enum proc_state old = p->state;
	uint64_t now = proc_now(p), at = 0;

	if (new == old)
		return;
	p->state = new;
	switch (new) {
	case PROC_STARTING:
		/* supervisord's next pass finds "now - laststart > startsecs";
		 * with startsecs <= 0 that pass is due at once, after the other
		 * spawns of this one. */
		at = p->conf->startsecs > 0 ? p->laststart_ms + (uint64_t)p->conf->startsecs * 1000 + 1 : p->laststart_ms;
		break;
	case PROC_BACKOFF:
		p->backoff++;
		p->delay_ms = now + (uint64_t)p->backoff * 1000;
		/* supervisord respawns once now > delay. */
		at = p->delay_ms + 1;
		break;
	case PROC_STOPPING:
		at = p->delay_ms;
		break;
	case PROC_EXITED:
		if (p->conf->autorestart == AUTORESTART_TRUE ||
		    (p->conf->autorestart == AUTORESTART_UNEXPECTED && !proc_expected(p, p->exitstatus))) {
			at = p->laststart_ms + PROC_RESTART_MIN_MS;
			if (at < now)
				at = now;
		}
		break;
	default:
		break;
	}
	p->ops->arm(p, at, p->ops->arg);
	proc_log(p, LEVEL_DEBG, "%s: %s -> %s", proc_name(p), proc_state_name(old), proc_state_name(new));
	p->ops->changed(p, old, p->ops->arg);
}

/* Writes the child's stderr tail after an unexpected exit, prefixed with
 * the process name so each line reads on its own. */
static void proc_report_tail(struct proc *p)
{
	char **lines;
	size_t n, i;

	if (p->child_error != NULL)
		proc_log(p, LEVEL_WARN, "%s: not spawned: %s", proc_name(p), p->child_error);
	lines = tail_lines(&p->tail, &n);
	if (n == 0) {
		proc_log(p, LEVEL_WARN, "%s: no output on %s before it exited", proc_name(p),
		         p->conf->redirect_stderr ? "stdout/stderr" : "stderr");
		return;
	}
	proc_log(p, LEVEL_WARN, "%s: last %zu line%s of %s:", proc_name(p), n, n == 1 ? "" : "s",
	         p->conf->redirect_stderr ? "stdout/stderr" : "stderr");
	for (i = 0; i < n; i++)
		proc_log(p, LEVEL_WARN, "%s: | %s", proc_name(p), lines[i]);
	tail_lines_free(lines, n);
}

static void proc_give_up(struct proc *p)
{
	p->delay_ms = 0;
	p->backoff = 0;
	p->system_stop = 1;
	proc_set_state(p, PROC_FATAL);
}

/* After BACKOFF was entered: give up once the retries are spent. */
static void proc_backoff_check(struct proc *p)
{
	long long attempts = p->backoff;

	if (p->state != PROC_BACKOFF || p->backoff <= p->conf->startretries)
		return;
	proc_give_up(p);
	proc_log(p, LEVEL_INFO, "gave up: %s entered FATAL state, too many start retries too quickly", proc_name(p));
	proc_log(p, LEVEL_WARN, "%s: gave up after %lld failed start%s; last: %s", proc_name(p), attempts,
	         attempts == 1 ? "" : "s", p->cause ? p->cause : "unknown");
	proc_set_str(&p->cause, xasprintf("FATAL after %lld failed start%s; last: %s", attempts,
	                                  attempts == 1 ? "" : "s", p->cause ? p->cause : "unknown"));
}

static void proc_spawn(struct proc *p)
{
	char *err = NULL;

	if (p->pid) {
		proc_log(p, LEVEL_WARN, "process '%s' already running", proc_name(p));
		return;
	}
	p->killing = 0;
	proc_set_str(&p->spawnerr, NULL);
	proc_set_str(&p->child_error, NULL);
	p->has_exitstatus = 0;
	p->system_stop = 0;
	p->administrative_stop = 0;
	p->laststart = p->ops->wall(p->ops->arg);
	p->laststart_ms = proc_now(p);
	tail_reset(&p->tail);
	proc_set_state(p, PROC_STARTING);
	if (p->ops->spawn(p, &err, p->ops->arg) != 0) {
		proc_set_str(&p->spawnerr, err ? err : xstrdup("unknown spawn error"));
		proc_set_str(&p->cause, xstrdup(p->spawnerr));
		proc_log(p, LEVEL_INFO, "spawnerr: %s", p->spawnerr);
		proc_set_state(p, PROC_BACKOFF);
		proc_backoff_check(p);
		return;
	}
	proc_log(p, LEVEL_INFO, "spawned: '%s' with pid %d", proc_name(p), (int)p->pid);
	proc_set_str(&p->spawnerr, NULL);
	p->delay_ms = p->laststart_ms + (uint64_t)(p->conf->startsecs > 0 ? p->conf->startsecs : 0) * 1000;
}

/* supervisord's kill(): signal the child (or its group) to make it exit. */
static int proc_kill(struct proc *p, int sig)
{
	char buf[24], msg[PROC_MSG_MAX];
	int asgroup, r;

	if (p->state == PROC_BACKOFF) {
		proc_log(p, LEVEL_DEBG, "Attempted to kill %s, which is in BACKOFF state.", proc_name(p));
		proc_set_state(p, PROC_STOPPED);
		return FAULT_OK;
	}
	if (!p->pid) {
		proc_log(p, LEVEL_DEBG, "attempted to kill %s with sig %s but it wasn't running", proc_name(p),
		         conv_signame(sig, buf));
		return FAULT_NOT_RUNNING;
	}
	asgroup = p->state == PROC_STOPPING ? p->conf->killasgroup : p->conf->stopasgroup;
	proc_log(p, LEVEL_DEBG, "killing %s (pid %d) %swith signal %s", proc_name(p), (int)p->pid,
	         asgroup ? "process group " : "", conv_signame(sig, buf));
	p->killing = 1;
	p->delay_ms = proc_now(p) + (uint64_t)(p->conf->stopwaitsecs > 0 ? p->conf->stopwaitsecs : 0) * 1000;
	if (p->state == PROC_STOPPING)
		p->ops->arm(p, p->delay_ms, p->ops->arg);
	else
		proc_set_state(p, PROC_STOPPING);
	r = p->ops->kill(p, asgroup ? -p->pid : p->pid, sig, p->ops->arg);
	if (r == -ESRCH) {
		/* It exited on its own; the reaper will see it. */
		proc_log(p, LEVEL_DEBG, "unable to signal %s (pid %d), it probably just exited on its own: "
		         "[Errno %d] %s", proc_name(p), (int)p->pid, ESRCH, strerror(ESRCH));
		return FAULT_OK;
	}
	if (r != 0) {
		snprintf(msg, sizeof(msg), "unknown problem killing %s (%d):%s", proc_name(p), (int)p->pid,
		         strerror(-r));
		proc_log(p, LEVEL_CRIT, "%s", msg);
		proc_set_state(p, PROC_UNKNOWN);
		p->killing = 0;
		p->delay_ms = 0;
		p->ops->arm(p, 0, p->ops->arg);
		return FAULT_FAILED;
	}
	return FAULT_OK;
}

/* ---- handlers, one per table entry ---- */

typedef int (*proc_handler)(struct proc *p, int arg);

static int proc_h_autostart(struct proc *p, int arg)
{
	(void)arg;
	if (p->laststart_ms == 0 && p->conf->autostart && p->ops->may_spawn(p->ops->arg))
		proc_spawn(p);
	return FAULT_OK;
}

static int proc_h_start(struct proc *p, int arg)
{
	(void)arg;
	proc_spawn(p);
	return FAULT_OK;
}

static int proc_h_start_already(struct proc *p, int arg)
{
	(void)p;
	(void)arg;
	return FAULT_ALREADY_STARTED;
}

static int proc_h_start_stopping(struct proc *p, int arg)
{
	(void)arg;
	/* supervisord's spawn() refuses while the old child lives; the RPC
	 * then sees the process neither STARTING nor RUNNING. */
	proc_spawn(p);
	return FAULT_ABNORMAL_TERMINATION;
}

static int proc_h_start_unknown(struct proc *p, int arg)
{
	(void)p;
	(void)arg;
	return FAULT_FAILED;
}

static int proc_h_stop(struct proc *p, int arg)
{
	(void)arg;
	p->administrative_stop = 1;
	p->laststopreport_ms = 0;
	return proc_kill(p, p->conf->stopsignal);
}

static int proc_h_not_running(struct proc *p, int arg)
{
	(void)p;
	(void)arg;
	return FAULT_NOT_RUNNING;
}

static int proc_h_group_give_up(struct proc *p, int arg)
{
	(void)arg;
	proc_give_up(p);
	return FAULT_OK;
}

static int proc_h_timer_starting(struct proc *p, int arg)
{
	uint64_t now = proc_now(p);

	(void)arg;
	if (p->conf->startsecs > 0 && now - p->laststart_ms <= (uint64_t)p->conf->startsecs * 1000) {
		p->ops->arm(p, p->laststart_ms + (uint64_t)p->conf->startsecs * 1000 + 1, p->ops->arg);
		return FAULT_OK;
	}
	p->delay_ms = 0;
	p->backoff = 0;
	proc_set_state(p, PROC_RUNNING);
	proc_log(p, LEVEL_INFO,
	         "success: %s entered RUNNING state, process has stayed up for > than %lld seconds (startsecs)",
	         proc_name(p), p->conf->startsecs);
	return FAULT_OK;
}

static int proc_h_timer_respawn(struct proc *p, int arg)
{
	(void)arg;
	/* While the daemon stops or reloads, a waiting process stays put
	 * until its group is stopped. */
	if (p->ops->may_spawn(p->ops->arg))
		proc_spawn(p);
	return FAULT_OK;
}

static int proc_h_timer_kill(struct proc *p, int arg)
{
	(void)arg;
	if (proc_now(p) < p->delay_ms) {
		p->ops->arm(p, p->delay_ms, p->ops->arg);
		return FAULT_OK;
	}
	proc_log(p, LEVEL_WARN, "killing '%s' (%d) with SIGKILL", proc_name(p), (int)p->pid);
	proc_kill(p, SIGKILL);
	return FAULT_OK;
}

static int proc_h_exit(struct proc *p, int status)
{
	char msg[128];
	uint64_t now = proc_now(p);
	int es, too_quickly, expected;

	/* supervisord runs its transition pass before it reaps, in every loop
	 * iteration: a startsecs=0 child is RUNNING, and says so, before its
	 * exit is seen, however fast it exits. */
	if (p->state == PROC_STARTING && p->conf->startsecs <= 0 && !p->killing)
		proc_h_timer_starting(p, 0);
	p->ops->drain(p, p->ops->arg);
	proc_decode_status(status, &es, msg, sizeof(msg));
	p->laststop = p->ops->wall(p->ops->arg);
	too_quickly = now - p->laststart_ms < (uint64_t)(p->conf->startsecs > 0 ? p->conf->startsecs : 0) * 1000 &&
	              p->conf->startsecs > 0;
	expected = proc_expected(p, es);
	p->pid = 0;
	if (p->killing) {
		p->killing = 0;
		p->delay_ms = 0;
		p->has_exitstatus = 1;
		p->exitstatus = es;
		proc_set_state(p, PROC_STOPPED);
		proc_log(p, expected ? LEVEL_INFO : LEVEL_WARN, "stopped: %s (%s)", proc_name(p), msg);
	} else if (too_quickly && p->state == PROC_STARTING) {
		p->has_exitstatus = 0;
		proc_set_str(&p->spawnerr, xstrdup("Exited too quickly (process log may have details)"));
		proc_set_str(&p->cause, xasprintf("%s less than %lld s after the start%s%s", msg, p->conf->startsecs,
		                                  p->child_error ? "; " : "", p->child_error ? p->child_error : ""));
		proc_set_state(p, PROC_BACKOFF);
		proc_log(p, LEVEL_WARN, "exited: %s (%s; not expected)", proc_name(p), msg);
		proc_report_tail(p);
		proc_backoff_check(p);
	} else {
		p->delay_ms = 0;
		p->backoff = 0;
		p->has_exitstatus = 1;
		p->exitstatus = es;
		if (p->state == PROC_STARTING)
			proc_set_state(p, PROC_RUNNING);
		if (expected) {
			proc_set_state(p, PROC_EXITED);
			proc_log(p, LEVEL_INFO, "exited: %s (%s; expected)", proc_name(p), msg);
		} else {
			proc_set_str(&p->spawnerr, xasprintf("Bad exit code %d", es));
			proc_set_str(&p->cause, xasprintf("%s (not expected)%s%s", msg, p->child_error ? "; " : "",
			                                  p->child_error ? p->child_error : ""));
			proc_set_state(p, PROC_EXITED);
			proc_log(p, LEVEL_WARN, "exited: %s (%s; not expected)", proc_name(p), msg);
			proc_report_tail(p);
		}
	}
	p->ops->release(p, p->ops->arg);
	return FAULT_OK;
}

static int proc_h_signal(struct proc *p, int sig)
{
	char buf[24];
	int r;

	if (!p->pid) {
		proc_log(p, LEVEL_DEBG, "attempted to send %s sig %s but it wasn't running", proc_name(p),
		         conv_signame(sig, buf));
		return FAULT_NOT_RUNNING;
	}
	proc_log(p, LEVEL_DEBG, "sending %s (pid %d) sig %s", proc_name(p), (int)p->pid, conv_signame(sig, buf));
	r = p->ops->kill(p, p->pid, sig, p->ops->arg);
	if (r == -ESRCH) {
		proc_log(p, LEVEL_DEBG, "unable to signal %s (pid %d), it probably just now exited on its own: "
		         "[Errno %d] %s", proc_name(p), (int)p->pid, ESRCH, strerror(ESRCH));
		return FAULT_OK;
	}
	if (r != 0) {
		proc_log(p, LEVEL_CRIT, "unknown problem sending sig %s (%d):%s", proc_name(p), (int)p->pid,
		         strerror(-r));
		proc_set_state(p, PROC_UNKNOWN);
		return FAULT_FAILED;
	}
	return FAULT_OK;
}

enum { PS_STOPPED, PS_STARTING, PS_RUNNING, PS_BACKOFF, PS_STOPPING, PS_EXITED, PS_FATAL, PS_UNKNOWN, PS_COUNT };

/* The state x event table. Rows: states; columns: AUTOSTART, START, STOP,
 * GROUP_STOP, TIMER, EXIT, SIGNAL. */
static const proc_handler proc_table[PS_COUNT][PEV_COUNT] = {
	[PS_STOPPED] = {proc_h_autostart, proc_h_start, proc_h_not_running, NULL, NULL, NULL, proc_h_not_running},
	[PS_STARTING] = {NULL, proc_h_start_already, proc_h_stop, proc_h_stop, proc_h_timer_starting, proc_h_exit,
	                 proc_h_signal},
	[PS_RUNNING] = {NULL, proc_h_start_already, proc_h_stop, proc_h_stop, NULL, proc_h_exit, proc_h_signal},
	[PS_BACKOFF] = {NULL, proc_h_start_already, proc_h_stop, proc_h_group_give_up, proc_h_timer_respawn, NULL,
	                proc_h_not_running},
	[PS_STOPPING] = {NULL, proc_h_start_stopping, proc_h_not_running, NULL, proc_h_timer_kill, proc_h_exit,
	                 proc_h_signal},
	[PS_EXITED] = {NULL, proc_h_start, proc_h_not_running, NULL, proc_h_timer_respawn, NULL, proc_h_not_running},
	[PS_FATAL] = {NULL, proc_h_start, proc_h_not_running, NULL, NULL, NULL, proc_h_not_running},
	[PS_UNKNOWN] = {NULL, proc_h_start_unknown, proc_h_not_running, NULL, NULL, proc_h_exit, proc_h_not_running},
};

static int proc_row(enum proc_state s)
{
	switch (s) {
	case PROC_STOPPED:
		return PS_STOPPED;
	case PROC_STARTING:
		return PS_STARTING;
	case PROC_RUNNING:
		return PS_RUNNING;
	case PROC_BACKOFF:
		return PS_BACKOFF;
	case PROC_STOPPING:
		return PS_STOPPING;
	case PROC_EXITED:
		return PS_EXITED;
	case PROC_FATAL:
		return PS_FATAL;
	case PROC_UNKNOWN:
		return PS_UNKNOWN;
	}
	return PS_UNKNOWN;
}

int proc_event(struct proc *p, enum proc_event ev, int arg)
{
	proc_handler h;

	if ((int)ev < 0 || ev >= PEV_COUNT)
		return FAULT_FAILED;
	h = proc_table[proc_row(p->state)][ev];
	if (h == NULL) {
		if (ev == PEV_EXIT) {
			/* A child the state machine no longer tracks: still
			 * release its pipes. */
			p->pid = 0;
			p->ops->release(p, p->ops->arg);
		}
		return FAULT_OK;
	}
	return h(p, arg);
}

void proc_stop_report(struct proc *p)
{
	uint64_t now = proc_now(p);

	if (p->state != PROC_STOPPING)
		return;
	if (now > p->laststopreport_ms + 2000) {
		proc_log(p, LEVEL_INFO, "waiting for %s to stop", proc_name(p));
		p->laststopreport_ms = now;
	}
}
