/* The state x event table of proc.c, driven with a fake clock and fake
 * operations: every case checks the state sequence, the main-log lines
 * (supervisord's words) and what was spawned and killed, when. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "droverd/config.h"
#include "droverd/conv.h"
#include "droverd/fault.h"
#include "droverd/proc.h"
#include "t.h"

/* The fake world: a clock, one armed deadline, and a journal of what the
 * state machine did ("spawn 1000", "kill -42 15", "INFO spawned: ..."). */
struct fake {
	uint64_t now;       /* ms */
	uint64_t deadline;  /* 0: none */
	int fail_spawn;     /* next spawns fail with this message */
	int kill_errno;     /* kill fails with this */
	int may_spawn;
	pid_t next_pid;
	struct buf journal;
	struct buf states;  /* "STARTING RUNNING ..." */
	int min_level;
};

static struct fake fk;

static void j(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void j(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&fk.journal, fmt, ap);
	va_end(ap);
	buf_putc(&fk.journal, '\n');
}

static int f_spawn(struct proc *p, char **errp, void *arg)
{
	(void)arg;
	if (fk.fail_spawn) {
		*errp = xstrdup("can't find command '/nope'");
		j("spawn-fail %llu", (unsigned long long)fk.now);
		return -1;
	}
	p->pid = fk.next_pid++;
	j("spawn %llu", (unsigned long long)fk.now);
	return 0;
}

static int f_kill(struct proc *p, pid_t pid, int sig, void *arg)
{
	(void)p;
	(void)arg;
	j("kill %d %d", (int)pid, sig);
	return fk.kill_errno ? -fk.kill_errno : 0;
}

static void f_arm(struct proc *p, uint64_t at, void *arg)
{
	(void)p;
	(void)arg;
	fk.deadline = at;
}

static void f_drain(struct proc *p, void *arg)
{
	(void)p;
	(void)arg;
}

static void f_release(struct proc *p, void *arg)
{
	(void)p;
	(void)arg;
	j("release");
}

static void f_log(int level, const char *msg, void *arg)
{
	(void)arg;
	if (level >= fk.min_level)
		j("%s %s", level == LEVEL_WARN ? "WARN" : level == LEVEL_INFO ? "INFO" : level == LEVEL_CRIT ? "CRIT"
		           : level == LEVEL_DEBG ? "DEBG" : "????", msg);
}

static void f_changed(struct proc *p, enum proc_state old, void *arg)
{
	(void)old;
	(void)arg;
	if (fk.states.len)
		buf_putc(&fk.states, ' ');
	buf_puts(&fk.states, proc_state_name(p->state));
}

static uint64_t f_now(void *arg)
{
	(void)arg;
	return fk.now;
}

static double f_wall(void *arg)
{
	(void)arg;
	return 1.7e9 + (double)fk.now / 1000.0;
}

static int f_may(void *arg)
{
	(void)arg;
	return fk.may_spawn;
}

static const struct proc_ops ops = {
	f_spawn, f_kill, f_arm, f_drain, f_release, f_log, f_changed, f_now, f_wall, f_may, NULL,
};

static struct pconf pc;
static struct proc P;

static void setup(void)
{
	buf_fini(&fk.journal);
	buf_fini(&fk.states);
	memset(&fk, 0, sizeof(fk));
	buf_init(&fk.journal, 0);
	buf_init(&fk.states, 0);
	fk.now = 1000;
	fk.may_spawn = 1;
	fk.next_pid = 42;
	fk.min_level = LEVEL_INFO;
	memset(&pc, 0, sizeof(pc));
	pc.name = "web";
	pc.autostart = 1;
	pc.autorestart = AUTORESTART_UNEXPECTED;
	pc.startsecs = 1;
	pc.startretries = 3;
	pc.stopsignal = SIGTERM;
	pc.stopwaitsecs = 10;
	pc.exitset[0] = 1; /* exitcodes=0 */
	proc_fini(&P);
	proc_init(&P, &pc, "web", &ops);
}

/* Moves the clock to t, firing the deadline on the way when due. */
static void advance(uint64_t t)
{
	while (fk.deadline != 0 && fk.deadline <= t) {
		fk.now = fk.deadline;
		fk.deadline = 0;
		proc_event(&P, PEV_TIMER, 0);
	}
	fk.now = t;
}

static int exited(int code)
{
	return code << 8;
}

static int killed(int sig)
{
	return sig;
}

static void expect_journal(const char *want)
{
	T_EQ_STR(buf_str(&fk.journal), want);
	buf_reset(&fk.journal);
}

static void test_start_success(void)
{
	setup();
	T_EQ_INT(proc_event(&P, PEV_AUTOSTART, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STARTING);
	advance(1999);
	T_EQ_INT(P.state, PROC_STARTING);
	advance(2001);
	T_EQ_INT(P.state, PROC_RUNNING);
	expect_journal("spawn 1000\nINFO spawned: 'web' with pid 42\n"
	               "INFO success: web entered RUNNING state, process has stayed up for > than 1 seconds "
	               "(startsecs)\n");
	T_EQ_STR(buf_str(&fk.states), "STARTING RUNNING");
	/* autostart happens once */
	P.state = PROC_STOPPED;
	T_EQ_INT(proc_event(&P, PEV_AUTOSTART, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STOPPED);
}

static void test_backoff_to_fatal(void)
{
	uint64_t t = 1000;
	int i;

	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	/* 1 + startretries attempts, each dying at once; waits of 1, 2, 3 s. */
	for (i = 0; i < 4; i++) {
		T_EQ_INT(P.state, PROC_STARTING);
		advance(t + 100);
		proc_event(&P, PEV_EXIT, exited(3));
		if (i < 3) {
			T_EQ_INT(P.state, PROC_BACKOFF);
			T_EQ_INT(fk.deadline, t + 100 + (uint64_t)(i + 1) * 1000 + 1);
			t = fk.deadline;
			advance(t);
		}
	}
	T_EQ_INT(P.state, PROC_FATAL);
	T_EQ_STR(buf_str(&fk.states), "STARTING BACKOFF STARTING BACKOFF STARTING BACKOFF STARTING BACKOFF FATAL");
	T_CHECK(strstr(buf_str(&fk.journal), "spawn 1000\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.journal), "spawn 2101\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.journal), "spawn 4202\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.journal), "spawn 7303\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.journal), "WARN exited: web (exit status 3; not expected)\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.journal), "INFO gave up: web entered FATAL state, too many start retries too "
	                                      "quickly\nWARN web: gave up after 4 failed starts; last: exit status 3 "
	                                      "less than 1 s after the start\n") != NULL);
	T_EQ_STR(P.spawnerr, "Exited too quickly (process log may have details)");
	T_CHECK(P.cause != NULL && strncmp(P.cause, "FATAL after 4 failed starts", 27) == 0);
	/* FATAL is left only by a start */
	advance(100000);
	T_EQ_INT(P.state, PROC_FATAL);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STARTING);
}

static void test_startretries_zero(void)
{
	setup();
	pc.startretries = 0;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(1500);
	proc_event(&P, PEV_EXIT, exited(0));
	T_EQ_INT(P.state, PROC_FATAL);
	T_EQ_STR(buf_str(&fk.states), "STARTING BACKOFF FATAL");
	/* even exit 0 is "not expected" when too quick */
	T_CHECK(strstr(buf_str(&fk.journal), "WARN exited: web (exit status 0; not expected)\n") != NULL);
}

static void test_spawnerr(void)
{
	setup();
	pc.startretries = 1;
	fk.fail_spawn = 1;
	proc_event(&P, PEV_AUTOSTART, 0);
	T_EQ_INT(P.state, PROC_BACKOFF);
	advance(2001);
	T_EQ_INT(P.state, PROC_FATAL);
	expect_journal("spawn-fail 1000\nINFO spawnerr: can't find command '/nope'\n"
	               "spawn-fail 2001\nINFO spawnerr: can't find command '/nope'\n"
	               "INFO gave up: web entered FATAL state, too many start retries too quickly\n"
	               "WARN web: gave up after 2 failed starts; last: can't find command '/nope'\n");
	T_EQ_STR(buf_str(&fk.states), "STARTING BACKOFF STARTING BACKOFF FATAL");
}

static void test_exit_expected_and_not(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(5000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, exited(0));
	T_EQ_INT(P.state, PROC_EXITED);
	T_EQ_INT(fk.deadline, 0); /* unexpected-only restart: no */
	expect_journal("INFO exited: web (exit status 0; expected)\nrelease\n");
	/* an unexpected code restarts, no sooner than 1 s after the last spawn */
	proc_event(&P, PEV_START, 0);
	advance(5100);
	T_EQ_INT(P.state, PROC_STARTING);
	proc_event(&P, PEV_EXIT, exited(0)); /* too quick */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(5000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, exited(2));
	T_EQ_INT(P.state, PROC_EXITED);
	T_EQ_STR(P.spawnerr, "Bad exit code 2");
	T_EQ_INT(fk.deadline, 5000);
	advance(5000);
	T_EQ_INT(P.state, PROC_STARTING);
	/* a signal death is never expected */
	setup();
	pc.exitset[0] = 0xff;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(5000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, killed(SIGSEGV));
	T_CHECK(strncmp(buf_str(&fk.journal), "WARN exited: web (terminated by SIGSEGV; not expected)\n", 55) == 0);
}

static void test_autorestart_modes(void)
{
	setup();
	pc.autorestart = AUTORESTART_FALSE;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	proc_event(&P, PEV_EXIT, exited(1));
	T_EQ_INT(P.state, PROC_EXITED);
	T_EQ_INT(fk.deadline, 0);
	setup();
	pc.autorestart = AUTORESTART_TRUE;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	proc_event(&P, PEV_EXIT, exited(0));
	T_EQ_INT(fk.deadline, 3000);
	/* while stopping or reloading, nothing restarts */
	fk.may_spawn = 0;
	advance(4000);
	T_EQ_INT(P.state, PROC_EXITED);
}

static void test_startsecs_zero_crash_loop(void)
{
	uint64_t last = 0;
	int i;

	setup();
	pc.startsecs = 0;
	pc.autorestart = AUTORESTART_TRUE;
	proc_event(&P, PEV_AUTOSTART, 0);
	T_EQ_INT(P.state, PROC_STARTING);
	T_EQ_INT(fk.deadline, 1000);
	advance(1000);
	T_EQ_INT(P.state, PROC_RUNNING);
	for (i = 0; i < 5; i++) {
		T_EQ_INT(P.state, PROC_RUNNING);
		advance(fk.now + 5);
		proc_event(&P, PEV_EXIT, exited(1));
		T_EQ_INT(P.state, PROC_EXITED);
		/* the restart comes 1 s after the previous spawn, not at once */
		T_CHECK(fk.deadline >= P.laststart_ms + 1000);
		last = fk.deadline;
		advance(last);
		advance(last); /* the due startsecs deadline */
	}
	T_EQ_INT(P.state, PROC_RUNNING);
	T_EQ_INT(P.laststart_ms, 6000);
	T_CHECK(strstr(buf_str(&fk.journal),
	               "INFO success: web entered RUNNING state, process has stayed up for > than 0 seconds "
	               "(startsecs)\n") != NULL);
	T_CHECK(strstr(buf_str(&fk.states), "BACKOFF") == NULL);
}

static void test_stop_and_kill(void)
{
	setup();
	pc.stopwaitsecs = 2;
	pc.stopasgroup = 1;
	pc.killasgroup = 1;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	buf_reset(&fk.journal);
	T_EQ_INT(proc_event(&P, PEV_STOP, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STOPPING);
	expect_journal("kill -42 15\n");
	/* still alive after stopwaitsecs: SIGKILL to the group, again every
	 * stopwaitsecs */
	advance(5000);
	expect_journal("WARN killing 'web' (42) with SIGKILL\nkill -42 9\n");
	advance(7000);
	expect_journal("WARN killing 'web' (42) with SIGKILL\nkill -42 9\n");
	proc_event(&P, PEV_EXIT, killed(SIGKILL));
	T_EQ_INT(P.state, PROC_STOPPED);
	expect_journal("WARN stopped: web (terminated by SIGKILL)\nrelease\n");
	T_EQ_STR(buf_str(&fk.states), "STARTING RUNNING STOPPING STOPPED");
	/* a clean exit on the stop signal is INFO */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	proc_event(&P, PEV_STOP, 0);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, exited(0));
	expect_journal("INFO stopped: web (exit status 0)\nrelease\n");
	T_EQ_INT(proc_event(&P, PEV_STOP, 0), FAULT_NOT_RUNNING);
}

static void test_stop_debug_lines(void)
{
	setup();
	fk.min_level = LEVEL_DEBG;
	pc.stopasgroup = 1;
	pc.killasgroup = 1;
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_STOP, 0);
	expect_journal("DEBG killing web (pid 42) process group with signal SIGTERM\nDEBG web: RUNNING -> STOPPING\n"
	               "kill -42 15\n");
}

static void test_stop_in_backoff_and_group_stop(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	proc_event(&P, PEV_EXIT, exited(1));
	T_EQ_INT(P.state, PROC_BACKOFF);
	buf_reset(&fk.journal);
	T_EQ_INT(proc_event(&P, PEV_STOP, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STOPPED);
	T_EQ_INT(fk.deadline, 0);
	expect_journal(""); /* no signal, no INFO line */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	proc_event(&P, PEV_EXIT, exited(1));
	buf_reset(&fk.journal);
	proc_event(&P, PEV_GROUP_STOP, 0);
	T_EQ_INT(P.state, PROC_FATAL);
	expect_journal("");
	/* group stop of a STARTING process is a stop */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	proc_event(&P, PEV_GROUP_STOP, 0);
	T_EQ_INT(P.state, PROC_STOPPING);
}

static void test_kill_failure_unknown(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	fk.kill_errno = EPERM;
	buf_reset(&fk.journal);
	T_EQ_INT(proc_event(&P, PEV_STOP, 0), FAULT_FAILED);
	T_EQ_INT(P.state, PROC_UNKNOWN);
	T_CHECK(strstr(buf_str(&fk.journal), "CRIT unknown problem killing web (42):") != NULL);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_FAILED);
	/* ESRCH is not a failure: the reaper will see the exit */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	fk.kill_errno = ESRCH;
	T_EQ_INT(proc_event(&P, PEV_STOP, 0), FAULT_OK);
	T_EQ_INT(P.state, PROC_STOPPING);
}

static void test_start_faults(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_ALREADY_STARTED);
	advance(3000);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_ALREADY_STARTED);
	proc_event(&P, PEV_STOP, 0);
	buf_reset(&fk.journal);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_ABNORMAL_TERMINATION);
	expect_journal("WARN process 'web' already running\n");
	T_EQ_INT(P.state, PROC_STOPPING);
	T_EQ_INT(proc_event(&P, PEV_SIGNAL, SIGHUP), FAULT_OK);
	proc_event(&P, PEV_EXIT, killed(SIGTERM));
	T_EQ_INT(proc_event(&P, PEV_SIGNAL, SIGHUP), FAULT_NOT_RUNNING);
	T_EQ_INT(proc_event(&P, PEV_START, 0), FAULT_OK);
}

static void test_exit_at_startsecs_boundary(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	fk.now = 2000; /* exactly startsecs: not too quick, but not yet RUNNING */
	proc_event(&P, PEV_EXIT, exited(1));
	T_EQ_STR(buf_str(&fk.states), "STARTING RUNNING EXITED");
	T_CHECK(strstr(buf_str(&fk.journal), "success:") == NULL);
}

static void test_backoff_waits_while_stopping(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	proc_event(&P, PEV_EXIT, exited(1));
	fk.may_spawn = 0;
	advance(10000);
	T_EQ_INT(P.state, PROC_BACKOFF);
}

static void test_tail_report(void)
{
	const char *err = "starting\nerror: config missing\r\n";

	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	tail_add(&P.tail, err, strlen(err));
	P.child_error = xstrdup("couldn't exec /x: ENOENT (No such file or directory)");
	advance(5000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, exited(3));
	expect_journal("WARN exited: web (exit status 3; not expected)\n"
	               "WARN web: not spawned: couldn't exec /x: ENOENT (No such file or directory)\n"
	               "WARN web: last 2 lines of stderr:\nWARN web: | starting\n"
	               "WARN web: | error: config missing\nrelease\n");
	T_EQ_STR(P.cause, "exit status 3 (not expected); couldn't exec /x: ENOENT (No such file or directory)");
	/* an empty tail says so */
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(5000);
	buf_reset(&fk.journal);
	proc_event(&P, PEV_EXIT, exited(3));
	expect_journal("WARN exited: web (exit status 3; not expected)\nWARN web: no output on stderr before it "
	               "exited\nrelease\n");
}

static void test_stop_report(void)
{
	setup();
	proc_event(&P, PEV_AUTOSTART, 0);
	advance(3000);
	proc_event(&P, PEV_STOP, 0);
	buf_reset(&fk.journal);
	proc_stop_report(&P);
	proc_stop_report(&P);
	advance(4000);
	proc_stop_report(&P);
	advance(5001);
	proc_stop_report(&P);
	expect_journal("INFO waiting for web to stop\nINFO waiting for web to stop\n");
}

static void test_decode(void)
{
	char msg[64];
	int es;

	proc_decode_status(exited(3), &es, msg, sizeof(msg));
	T_EQ_INT(es, 3);
	T_EQ_STR(msg, "exit status 3");
	proc_decode_status(killed(SIGTERM), &es, msg, sizeof(msg));
	T_EQ_INT(es, -1);
	T_EQ_STR(msg, "terminated by SIGTERM");
	proc_decode_status(killed(SIGSEGV) | 0x80, &es, msg, sizeof(msg));
	T_EQ_STR(msg, "terminated by SIGSEGV (core dumped)");
}

int main(void)
{
	T_RUN(test_start_success);
	T_RUN(test_backoff_to_fatal);
	T_RUN(test_startretries_zero);
	T_RUN(test_spawnerr);
	T_RUN(test_exit_expected_and_not);
	T_RUN(test_autorestart_modes);
	T_RUN(test_startsecs_zero_crash_loop);
	T_RUN(test_stop_and_kill);
	T_RUN(test_stop_debug_lines);
	T_RUN(test_stop_in_backoff_and_group_stop);
	T_RUN(test_kill_failure_unknown);
	T_RUN(test_start_faults);
	T_RUN(test_exit_at_startsecs_boundary);
	T_RUN(test_backoff_waits_while_stopping);
	T_RUN(test_tail_report);
	T_RUN(test_stop_report);
	T_RUN(test_decode);
	proc_fini(&P);
	buf_fini(&fk.journal);
	buf_fini(&fk.states);
	return T_DONE();
}
