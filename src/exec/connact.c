/* wait_for_connection and reboot on the run's loop (see connact.h). Each
 * is a small state machine: a step sends one request on the host's
 * connection, its callback decides the next step or schedules a retry. */
#include "exec/connact.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "data/pystr.h"

enum connact_step {
	CA_PING,      /* wait_for_connection: ping through the worker */
	CA_BOOT0,     /* reboot: the boot id before */
	CA_SHUTDOWN,  /* reboot: the shutdown command */
	CA_BOOTCHK,   /* reboot: until the boot id differs */
	CA_TEST,      /* reboot: until the test command succeeds */
};

struct connact {
	struct ev_loop *loop;
	struct hostconn *hc;
	hostconn_cb cb;
	void *arg;
	enum connact_step step;
	uint64_t start, deadline;   /* ms, monotonic */
	long sleep_s, timeout_s;
	int fails;                  /* consecutive failures, for the backoff */
	char *boot_cmd, *shutdown_cmd, *test_cmd; /* owned */
	long post_delay_s;
	char *boot0;                /* owned; the boot id before */
	char *last_error;           /* owned */
	const char *what;           /* the step's name in a timeout message */
};

static void connact_next(struct ev_loop *loop, void *arg);

static long connact_arg_int(const struct value *args, const char *name, long def)
{
	const struct value *v = value_map_get(args, name);

	if (v == NULL || v->type == VALUE_NULL)
		return def;
	if (v->type == VALUE_INT)
		return (long)v->u.i;
	if (v->type == VALUE_STR)
		return strtol(v->u.s.ptr, NULL, 10);
	return def;
}

static void connact_finish(struct connact *ca, struct value *res)
{
	value_map_set(res, "elapsed", value_int((int64_t)((ev_clock_ms() - ca->start) / 1000)));
	ca->cb(res, NULL, ca->arg);
	value_unref(res);
	free(ca->boot_cmd);
	free(ca->shutdown_cmd);
	free(ca->test_cmd);
	free(ca->boot0);
	free(ca->last_error);
	free(ca);
}

/* A failed attempt: try again after the sleep, or give up at the deadline
 * with Ansible's message. */
static void connact_retry(struct connact *ca, const char *error)
{
	struct value *res;
	uint64_t ms;

	free(ca->last_error);
	ca->last_error = xstrdup(error != NULL ? error : "");
	if (ev_clock_ms() >= ca->deadline) {
		res = value_map();
		value_map_set(res, "failed", value_bool(1));
		if (ca->step == CA_PING) {
			value_map_set(res, "msg", value_strf("timed out waiting for %s: %s", ca->what, ca->last_error));
		} else {
			value_map_set(res, "rebooted", value_bool(1));
			value_map_set(res, "msg", value_strf("Timed out waiting for %s (timeout=%ld)", ca->what, ca->timeout_s));
		}
		connact_finish(ca, res);
		return;
	}
	if (ca->step == CA_PING) {
		ms = (uint64_t)ca->sleep_s * 1000;
	} else {
		/* Ansible's reboot backs off 1, 2, 4 ... 12 s. */
		ms = ca->fails < 4 ? (uint64_t)1000 << ca->fails : 12000;
		ca->fails++;
	}
	if (ev_clock_ms() + ms > ca->deadline)
		ms = ca->deadline - ev_clock_ms();
	ev_timer_add(ca->loop, ms, connact_next, ca);
}

static char *connact_stripped(const struct value *res, const char *key)
{
	const char *s = value_get_str(res, key, "");
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		n--;
	while (n > 0 && strchr(" \t\r\n", *s))
		s++, n--;
	return xstrndup(s, n);
}

static void connact_on_reply(const struct value *result, const struct hostconn_error *e, void *arg)
{
	struct connact *ca = arg;
	struct value *res;
	char *out, *err;

	if (e != NULL) {
		if (ca->step == CA_SHUTDOWN) {
			/* The connection dropped under the shutdown: the reboot
			 * has begun (Ansible treats it as rc 0). */
			ca->step = CA_BOOTCHK;
			ca->what = "last boot time check";
			ev_timer_add(ca->loop, (uint64_t)ca->post_delay_s * 1000, connact_next, ca);
			return;
		}
		connact_retry(ca, e->msg);
		return;
	}
	switch (ca->step) {
	case CA_PING:
		if (strcmp(value_get_str(result, "ping", ""), "pong") != 0) {
			connact_retry(ca, "ping test failed");
			return;
		}
		connact_finish(ca, value_map());
		return;
	case CA_BOOT0:
		if (value_get_int(result, "rc", 1) != 0) {
			res = value_map();
			value_map_set(res, "failed", value_bool(1));
			value_map_set(res, "reboot", value_bool(0));
			value_map_set(res, "msg", value_strf("failed to get system boot time: %s",
			                                     value_get_str(result, "stderr", "")));
			connact_finish(ca, res);
			return;
		}
		ca->boot0 = connact_stripped(result, "stdout");
		ca->step = CA_SHUTDOWN;
		ev_timer_add(ca->loop, 0, connact_next, ca);
		return;
	case CA_SHUTDOWN:
		if (value_get_int(result, "rc", 1) != 0) {
			out = connact_stripped(result, "stdout");
			err = connact_stripped(result, "stderr");
			res = value_map();
			value_map_set(res, "failed", value_bool(1));
			value_map_set(res, "rebooted", value_bool(0));
			value_map_set(res, "msg", value_strf("Reboot command failed. Error was: '%s, %s'", out, err));
			free(out);
			free(err);
			connact_finish(ca, res);
			return;
		}
		ca->step = CA_BOOTCHK;
		ca->what = "last boot time check";
		ev_timer_add(ca->loop, (uint64_t)ca->post_delay_s * 1000, connact_next, ca);
		return;
	case CA_BOOTCHK:
		out = connact_stripped(result, "stdout");
		if (value_get_int(result, "rc", 1) != 0 || out[0] == '\0' || strcmp(out, ca->boot0) == 0) {
			free(out);
			connact_retry(ca, "boot time has not changed");
			return;
		}
		free(out);
		ca->step = CA_TEST;
		ca->what = "post-reboot test command";
		ca->fails = 0;
		ev_timer_add(ca->loop, 0, connact_next, ca);
		return;
	case CA_TEST:
		if (value_get_int(result, "rc", 1) != 0) {
			connact_retry(ca, "Test command failed");
			return;
		}
		/* The worker session died with the old boot: later tasks
		 * connect afresh. */
		hostconn_reset(ca->hc);
		res = value_map();
		value_map_set(res, "rebooted", value_bool(1));
		value_map_set(res, "changed", value_bool(1));
		connact_finish(ca, res);
		return;
	}
}

static void connact_next(struct ev_loop *loop, void *arg)
{
	struct connact *ca = arg;
	struct value *args;

	(void)loop;
	switch (ca->step) {
	case CA_PING:
		hostconn_reset(ca->hc);
		args = value_map();
		hostconn_module(ca->hc, "ping", args, 0, 0, 0, NULL, NULL, connact_on_reply, ca);
		value_unref(args);
		return;
	case CA_BOOT0:
	case CA_BOOTCHK:
		hostconn_raw(ca->hc, ca->boot_cmd, NULL, connact_on_reply, ca);
		return;
	case CA_SHUTDOWN:
		hostconn_raw(ca->hc, ca->shutdown_cmd, NULL, connact_on_reply, ca);
		return;
	case CA_TEST:
		hostconn_raw(ca->hc, ca->test_cmd, NULL, connact_on_reply, ca);
		return;
	}
}

int connact_known(const char *module)
{
	return strcmp(module, "wait_for_connection") == 0 || strcmp(module, "reboot") == 0;
}

/* reboot's command lines from its arguments. */
static void connact_reboot_setup(struct connact *ca, const struct value *args)
{
	const char *cmd = value_get_str(args, "reboot_command", NULL);
	const char *msg = value_get_str(args, "msg", "Reboot initiated by Ansible");
	long pre = connact_arg_int(args, "pre_reboot_delay", 0);

	ca->timeout_s = connact_arg_int(args, "reboot_timeout", connact_arg_int(args, "reboot_timeout_sec", 600));
	ca->post_delay_s = connact_arg_int(args, "post_reboot_delay", 0);
	ca->boot_cmd = xstrdup(value_get_str(args, "boot_time_command", "cat /proc/sys/kernel/random/boot_id"));
	ca->test_cmd = xstrdup(value_get_str(args, "test_command", "whoami"));
	if (cmd != NULL)
		ca->shutdown_cmd = xstrdup(cmd);
	else
		ca->shutdown_cmd = xasprintf("shutdown -r %ld \"%s\"", (pre > 0 ? pre : 0) / 60, msg);
	ca->step = CA_BOOT0;
	ca->what = "last boot time check";
}

void connact_start(struct ev_loop *loop, struct hostconn *hc, const char *module, const struct value *args,
                   int check, hostconn_cb cb, void *arg)
{
	struct connact *ca = xcalloc(1, sizeof(*ca));
	struct value *res;
	long delay = 0;

	ca->loop = loop;
	ca->hc = hc;
	ca->cb = cb;
	ca->arg = arg;
	ca->start = ev_clock_ms();
	if (strcmp(module, "reboot") == 0) {
		if (strcmp(hostconn_type(hc), "local") == 0 || check) {
			res = value_map();
			value_map_set(res, "changed", value_bool(check));
			value_map_set(res, "rebooted", value_bool(check));
			if (!check) {
				value_map_set(res, "failed", value_bool(1));
				value_map_set(res, "msg", value_str("Running reboot with local connection would reboot the "
				                                    "control node."));
			}
			connact_finish(ca, res);
			return;
		}
		connact_reboot_setup(ca, args);
	} else {
		if (check) {
			res = value_map();
			value_map_set(res, "skipped", value_bool(1));
			ca->cb(res, NULL, ca->arg);
			value_unref(res);
			free(ca);
			return;
		}
		ca->step = CA_PING;
		ca->what = "ping module test";
		ca->sleep_s = connact_arg_int(args, "sleep", 1);
		ca->timeout_s = connact_arg_int(args, "timeout", 600);
		delay = connact_arg_int(args, "delay", 0);
	}
	ca->deadline = ca->start + (uint64_t)(delay + ca->timeout_s) * 1000;
	ev_timer_add(loop, (uint64_t)(delay > 0 ? delay : 0) * 1000, connact_next, ca);
}
