/* The ad-hoc runner: per host, connect, send one request, print the result. */
#include "exec/adhoc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/ev.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "data/pystr.h"
#include "exec/modreg.h"
#include "exec/result.h"
#include "exec/target.h"
#include "transport/conn.h"
#include "transport/askpass.h"
#include "transport/bootstrap.h"
#include "transport/proc.h"
#include "transport/ssh.h"

struct adhoc_host {
	struct adhoc_run *run;
	struct inv_host *host;
	const char *name;
	struct value *vars; /* owned: merged inventory vars with extra vars on top */
	struct conn *conn;
	struct ssh_target ssh; /* strings borrowed from vars and the options */
	int raw_over_ssh;
	char **env;            /* owned; ssh's environment when a password is used */
	int attempts;          /* retries made */
	uint64_t retry_timer;
	const char *password;  /* borrowed; NULL when keys or agents are used */
	int done;
};

struct adhoc_run {
	struct ev_loop *loop;
	const struct adhoc_opts *o;
	const struct modinfo *mod;
	struct adhoc_host *hosts;
	size_t n, next, active;
	struct adhoc_stats *stats;
	struct askpass *askpass; /* started when a host has a password */
	char *askpass_dir;       /* owned private directory when no control dir */
};

static void adhoc_start_next(struct adhoc_run *run);

static void adhoc_finish(struct adhoc_host *h, enum adhoc_status status, const struct value *result)
{
	struct adhoc_run *run = h->run;
	struct adhoc_style st = run->o->style;

	if (h->done)
		return;
	h->done = 1;
	st.no_json = (run->mod->flags & MOD_F_NO_JSON) != 0;
	out_adhoc_result(&st, h->name, status, result);
	switch (status) {
	case ADHOC_OK:
		run->stats->ok++;
		if (value_get_bool(result, "changed", 0))
			run->stats->changed++;
		break;
	case ADHOC_FAILED: run->stats->failed++; break;
	case ADHOC_UNREACHABLE: run->stats->unreachable++; break;
	case ADHOC_SKIPPED: run->stats->skipped++; break;
	}
	conn_close(h->conn);
	h->conn = NULL;
	run->active--;
	adhoc_start_next(run);
	/* The askpass listener would keep the loop alive after the last host. */
	if (run->active == 0 && run->next == run->n) {
		askpass_free(run->askpass);
		run->askpass = NULL;
	}
}

static void adhoc_start_host(struct adhoc_host *h);

static void adhoc_retry_now(struct ev_loop *loop, void *arg)
{
	struct adhoc_host *h = arg;

	(void)loop;
	h->retry_timer = 0;
	h->run->active--; /* adhoc_start_host counts it again */
	adhoc_start_host(h);
}

/* Failures before a request reached the worker are retried with capped
 * exponential backoff and jitter (1 s, 2 s, 4 s ... at most 30 s, each
 * between half and all of it); authentication and host-key failures never
 * are, so a wrong password cannot lock an account. */
static int adhoc_retry(struct adhoc_host *h, enum conn_phase phase, const char *msg)
{
	uint64_t ms;

	switch (phase) {
	case CONN_PHASE_RESOLVE: case CONN_PHASE_CONNECT: case CONN_PHASE_SESSION:
	case CONN_PHASE_BOOTSTRAP: case CONN_PHASE_HELLO: case CONN_PHASE_TRANSFER:
		break;
	default:
		return 0;
	}
	if (h->done || h->attempts >= value_get_int(h->vars, "ansible_ssh_retries", h->run->o->retries))
		return 0;
	ms = (uint64_t)1000 << (h->attempts < 5 ? h->attempts : 5);
	if (ms > 30000)
		ms = 30000;
	ms = ms / 2 + (uint64_t)(random() % (long)(ms / 2 + 1));
	h->attempts++;
	log_v(1, "<%s> %s failed: %s; retry %d in %llu ms", h->name, conn_phase_name(phase), msg, h->attempts,
	      (unsigned long long)ms);
	conn_close(h->conn);
	h->conn = NULL;
	h->retry_timer = ev_timer_add(h->run->loop, ms, adhoc_retry_now, h);
	return 1;
}

static void adhoc_unreachable_ex(struct adhoc_host *h, enum conn_phase phase, const char *msg, const char *tail,
                                 int may_retry)
{
	struct value *r;
	char *full;

	if (may_retry && adhoc_retry(h, phase, msg))
		return;
	r = value_map();
	if (tail != NULL && *tail)
		full = xasprintf("%s failed: %s; ssh said: %.*s (hint: %s)", conn_phase_name(phase), msg,
		                 (int)pystr_rstrip_len(tail, strlen(tail), "\r\n"), tail, ssh_hint(phase));
	else
		full = xasprintf("%s failed: %s (hint: %s)", conn_phase_name(phase), msg, ssh_hint(phase));
	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "msg", value_str(full));
	value_map_set(r, "unreachable", value_bool(1));
	adhoc_finish(h, ADHOC_UNREACHABLE, r);
	value_unref(r);
	free(full);
}

static void adhoc_unreachable(struct adhoc_host *h, enum conn_phase phase, const char *msg, const char *tail)
{
	adhoc_unreachable_ex(h, phase, msg, tail, 1);
}

static void adhoc_result(struct adhoc_host *h, const struct value *result)
{
	enum adhoc_status st = ADHOC_OK;

	if (value_get_bool(result, "unreachable", 0))
		st = ADHOC_UNREACHABLE;
	else if (value_get_bool(result, "failed", 0))
		st = ADHOC_FAILED;
	else if (value_get_bool(result, "skipped", 0))
		st = ADHOC_SKIPPED;
	adhoc_finish(h, st, result);
}

static void adhoc_on_reply(struct conn *c, const struct value *result, const struct conn_error *e, void *arg)
{
	struct adhoc_host *h = arg;
	struct value *full;

	(void)c;
	if (e != NULL) {
		if (!e->unknown_outcome && e->phase == CONN_PHASE_REQUEST) {
			struct value *r = value_map();

			value_map_set(r, "changed", value_bool(0));
			value_map_set(r, "failed", value_bool(1));
			value_map_set(r, "msg", value_str(e->msg));
			adhoc_finish(h, ADHOC_FAILED, r);
			value_unref(r);
			return;
		}
		adhoc_unreachable_ex(h, e->phase, e->msg, e->stderr_tail, !e->unknown_outcome);
		return;
	}
	full = result_normalize(result);
	adhoc_result(h, full);
	value_unref(full);
}

static const char *adhoc_short_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

static void adhoc_on_ready(struct conn *c, const struct value *hello, void *arg)
{
	struct adhoc_host *h = arg;
	const struct adhoc_opts *o = h->run->o;
	struct value *body = value_map();
	int r;

	(void)hello;
	value_map_set(body, "module", value_str(adhoc_short_name(o->module)));
	value_map_set(body, "args", value_ref((struct value *)o->args));
	value_map_set(body, "check", value_bool(o->check));
	value_map_set(body, "diff", value_bool(o->diff));
	value_map_set(body, "timeout", value_int(o->task_timeout));
	if ((r = conn_request(c, body, 0, adhoc_on_reply, h)) != 0)
		adhoc_unreachable(h, CONN_PHASE_REQUEST, err_str(r), NULL);
	value_unref(body);
}

static void adhoc_on_failed(struct conn *c, const struct conn_error *e, void *arg)
{
	(void)c;
	adhoc_unreachable(arg, e->phase, e->msg, e->stderr_tail);
}

static const struct conn_cbs adhoc_conn_cbs = {adhoc_on_ready, adhoc_on_failed};


/* `raw` runs without the worker: for a local host, through the shell. */
static void adhoc_on_raw(struct proc *p, const struct proc_result *pr, void *arg)
{
	struct adhoc_host *h = arg;
	struct value *r;
	int rc;

	(void)p;
	if (pr->err != 0) {
		adhoc_unreachable(h, CONN_PHASE_SPAWN, err_str(pr->err), NULL);
		return;
	}
	rc = WIFEXITED(pr->status) ? WEXITSTATUS(pr->status) : 128 + WTERMSIG(pr->status);
	if (h->raw_over_ssh && rc == 255) {
		/* ssh's own failure: the command may never have run. */
		adhoc_unreachable(h, ssh_classify(pr->errout, CONN_PHASE_CONNECT), "ssh exited with status 255",
		                  pr->errout);
		return;
	}
	r = value_map();
	value_map_set(r, "changed", value_bool(1));
	value_map_set(r, "rc", value_int(rc));
	value_map_set(r, "stderr", value_strn(pr->errout, pr->err_len));
	value_map_set(r, "stderr_lines", pystr_splitlines(pr->errout, pr->err_len));
	value_map_set(r, "stdout", value_strn(pr->out, pr->out_len));
	value_map_set(r, "stdout_lines", pystr_splitlines(pr->out, pr->out_len));
	if (rc != 0) {
		value_map_set(r, "failed", value_bool(1));
		value_map_set(r, "msg", value_str("non-zero return code"));
	}
	adhoc_result(h, r);
	value_unref(r);
}


/* Each ssh process gets a fresh one-time askpass token: the master has
 * used its own, and a session that bypasses a stuck master must log in. */
static char *const *adhoc_session_env(struct adhoc_host *h)
{
	if (h->password == NULL)
		return NULL;
	askpass_env_free(h->env);
	h->env = askpass_env(h->run->askpass, h->password);
	return h->env;
}

static void adhoc_on_ssh(char *const *argv, enum conn_phase phase, const char *msg, const char *tail, void *arg)
{
	struct adhoc_host *h = arg;
	const struct adhoc_opts *o = h->run->o;
	struct conn_params p;
	char *err = NULL;

	if (argv == NULL) {
		adhoc_unreachable(h, phase, msg, tail);
		return;
	}
	if (h->run->mod->where == MOD_RAW) {
		h->raw_over_ssh = 1;
		proc_run(h->run->loop, argv, adhoc_session_env(h), NULL, 0, 0, adhoc_on_raw, h);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.host = h->name;
	p.kind = CONN_SSH;
	p.argv = argv;
	p.upload = o->worker_bytes;
	p.upload_len = o->worker_len;
	p.classify = ssh_classify;
	p.envp = adhoc_session_env(h);
	p.hello_ms = (o->connect_timeout_ms ? o->connect_timeout_ms : 10000) * 2 + 5000;
	if (conn_start(h->run->loop, &p, &adhoc_conn_cbs, h, &h->conn, &err) != 0) {
		adhoc_unreachable(h, CONN_PHASE_SPAWN, err ? err : "cannot start ssh", NULL);
		free(err);
	}
}

/* Sets up askpass for a host with a password (ansible_password, -k). */
static int adhoc_password(struct adhoc_host *h, struct ssh_target *t)
{
	struct adhoc_run *run = h->run;
	const char *pw = target_password(h->vars, run->o);
	char *why = NULL;

	if (pw == NULL)
		return 0;
	if (run->askpass == NULL) {
		const char *dir = run->o->ctl_dir;

		if (dir == NULL) {
			run->askpass_dir = xstrdup("/tmp/drover-askpass.XXXXXX");
			if (mkdtemp(run->askpass_dir) == NULL) {
				free(run->askpass_dir);
				run->askpass_dir = NULL;
			}
			dir = run->askpass_dir;
		}
		if (dir != NULL)
			run->askpass = askpass_start(run->loop, dir, run->o->self_path, &why);
		if (run->askpass == NULL) {
			char *msg = xasprintf("cannot pass the password to ssh: %s", why ? why : "no private directory");

			adhoc_unreachable(h, CONN_PHASE_AUTH, msg, NULL);
			free(msg);
			free(why);
			return -1;
		}
	}
	h->password = pw;
	h->env = askpass_env(run->askpass, pw);
	t->envp = h->env;
	t->password = 1;
	return 0;
}

static void adhoc_start_ssh(struct adhoc_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	struct ssh_target *t = &h->ssh;
	char *cmd;

	if (o->worker_bytes == NULL && h->run->mod->where != MOD_RAW) {
		adhoc_unreachable(h, CONN_PHASE_SPAWN, o->worker_error ? o->worker_error : "no worker binary", NULL);
		return;
	}
	target_from_vars(h->vars, o, h->name, t);
	if (adhoc_password(h, t) != 0)
		return;
	if (h->run->mod->where == MOD_RAW)
		cmd = xstrdup(value_get_str(o->args, "_raw_params", ""));
	else
		cmd = bootstrap_command(o->worker_hash, o->worker_len, o->worker_arch);
	ssh_prepare(h->run->loop, t, cmd, adhoc_on_ssh, h);
	free(cmd);
}

static void adhoc_start_host(struct adhoc_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	const char *conn = target_connection(h->vars, o);
	struct conn_params p;
	char *msg = NULL;

	askpass_env_free(h->env);
	h->env = NULL;
	h->password = NULL;
	h->run->active++;
	if (strcmp(conn, "ssh") == 0 || strcmp(conn, "smart") == 0 || strcmp(conn, "paramiko") == 0) {
		adhoc_start_ssh(h);
		return;
	}
	if (strcmp(conn, "local") != 0) {
		msg = xasprintf("connection type '%s' is not supported", conn);
		adhoc_unreachable(h, CONN_PHASE_SPAWN, msg, NULL);
		free(msg);
		return;
	}
	if (h->run->mod->where == MOD_RAW) {
		const char *exe = value_get_str(o->args, "executable", "/bin/sh");
		const char *cmd = value_get_str(o->args, "_raw_params", "");
		char *argv[] = {(char *)exe, "-c", (char *)cmd, NULL};

		proc_run(h->run->loop, argv, NULL, NULL, 0, 0, adhoc_on_raw, h);
		return;
	}
	memset(&p, 0, sizeof(p));
	p.host = h->name;
	p.kind = CONN_LOCAL;
	p.worker_path = o->worker_path;
	p.hello_ms = o->connect_timeout_ms > 30000 ? o->connect_timeout_ms : 30000;
	if (conn_start(h->run->loop, &p, &adhoc_conn_cbs, h, &h->conn, &msg) != 0) {
		adhoc_unreachable(h, CONN_PHASE_SPAWN, msg ? msg : "cannot start the worker", NULL);
		free(msg);
	}
}

static void adhoc_start_next(struct adhoc_run *run)
{
	while (run->active < (size_t)run->o->forks && run->next < run->n)
		adhoc_start_host(&run->hosts[run->next++]);
}

int adhoc_run(struct inventory *inv, struct inv_host *const *hosts, size_t n, const struct adhoc_opts *o,
              struct adhoc_stats *stats)
{
	struct adhoc_run run;
	size_t i;
	int r = ERR_INTERNAL;

	memset(stats, 0, sizeof(*stats));
	memset(&run, 0, sizeof(run));
	run.o = o;
	run.stats = stats;
	if ((run.mod = modreg_find(o->module)) == NULL)
		return ERR_NOTFOUND;
	run.loop = ev_new();
	run.n = n;
	run.hosts = xcalloc(n ? n : 1, sizeof(*run.hosts));
	for (i = 0; i < n; i++) {
		run.hosts[i].run = &run;
		run.hosts[i].host = hosts[i];
		run.hosts[i].name = inv_host_name(hosts[i]);
		run.hosts[i].vars = inventory_host_vars(inv, hosts[i]);
		if (o->extra_vars != NULL)
			value_map_update(value_mut(&run.hosts[i].vars), o->extra_vars, 0);
	}
	adhoc_start_next(&run);
	r = ev_run(run.loop);
	for (i = 0; i < n; i++) {
		value_unref(run.hosts[i].vars);
		askpass_env_free(run.hosts[i].env);
	}
	askpass_free(run.askpass);
	if (run.askpass_dir != NULL) {
		rmdir(run.askpass_dir);
		free(run.askpass_dir);
	}
	free(run.hosts);
	ev_free(run.loop);
	return r;
}
