/* Per-host connection for a run: connect once, retry what may be retried,
 * queue requests until the worker is ready. */
#include "exec/hostconn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "data/pystr.h"
#include "exec/result.h"
#include "exec/target.h"
#include "transport/askpass.h"
#include "transport/bootstrap.h"
#include "transport/proc.h"
#include "transport/ssh.h"

enum hc_state { HC_IDLE, HC_CONNECTING, HC_READY, HC_DOWN };

struct hc_req {
	struct hc_req *next;
	struct value *body;   /* owned REQUEST map; NULL for raw */
	char *raw_cmd;        /* owned; raw only */
	char *raw_exe;        /* owned; raw only, may be NULL */
	uint64_t timeout_ms;
	hostconn_cb cb;
	void *arg;
	struct hostconn *hc;
};

struct hostconn {
	struct hostconn_env *env;
	char *name;                /* owned */
	struct value *vars;        /* owned reference */
	enum hc_state state;
	struct conn *conn;
	struct ssh_target ssh;     /* strings borrowed from vars, name and the options */
	const char *password;      /* borrowed secret, or NULL */
	char **envp;               /* owned; ssh's environment with an askpass token */
	int attempts;
	uint64_t retry_timer;
	struct hc_req *queue, *queue_tail; /* waiting for the connection */
	struct hc_req *raws;       /* raw commands in flight */
	char *down_msg;            /* owned: why the host is unreachable */
	enum conn_phase down_phase;
	int closing, busy;
};

void hostconn_env_init(struct hostconn_env *env, struct ev_loop *loop, const struct adhoc_opts *o)
{
	memset(env, 0, sizeof(*env));
	env->loop = loop;
	env->o = o;
}

void hostconn_env_fini(struct hostconn_env *env)
{
	askpass_free(env->askpass);
	env->askpass = NULL;
	if (env->askpass_dir != NULL) {
		rmdir(env->askpass_dir);
		free(env->askpass_dir);
		env->askpass_dir = NULL;
	}
}

static void hc_req_free(struct hc_req *rq)
{
	value_unref(rq->body);
	free(rq->raw_cmd);
	free(rq->raw_exe);
	free(rq);
}

static void hc_free(struct hostconn *hc)
{
	struct hc_req *rq;

	while ((rq = hc->queue) != NULL) {
		hc->queue = rq->next;
		hc_req_free(rq);
	}
	ev_timer_del(hc->env->loop, hc->retry_timer);
	conn_close(hc->conn);
	askpass_env_free(hc->envp);
	value_unref(hc->vars);
	free(hc->down_msg);
	free(hc->name);
	free(hc);
}

static void hc_unbusy(struct hostconn *hc)
{
	if (--hc->busy == 0 && hc->closing && hc->raws == NULL)
		hc_free(hc);
}

static char *hc_format(enum conn_phase phase, const char *msg, const char *tail)
{
	if (tail != NULL && *tail)
		return xasprintf("%s failed: %s; ssh said: %.*s (hint: %s)", conn_phase_name(phase), msg,
		                 (int)pystr_rstrip_len(tail, strlen(tail), "\r\n"), tail, ssh_hint(phase));
	return xasprintf("%s failed: %s (hint: %s)", conn_phase_name(phase), msg, ssh_hint(phase));
}

static void hc_deliver_error(struct hc_req *rq, enum conn_phase phase, const char *msg, int unknown)
{
	struct hostconn_error e;

	e.phase = phase;
	e.msg = msg;
	e.unknown_outcome = unknown;
	if (!rq->hc->closing)
		rq->cb(NULL, &e, rq->arg);
}

/* The host is unreachable for the rest of the run: fail what waits. */
static void hc_down(struct hostconn *hc, enum conn_phase phase, const char *msg, const char *tail)
{
	struct hc_req *rq;

	hc->state = HC_DOWN;
	hc->down_phase = phase;
	free(hc->down_msg);
	hc->down_msg = hc_format(phase, msg, tail);
	conn_close(hc->conn);
	hc->conn = NULL;
	while ((rq = hc->queue) != NULL) {
		hc->queue = rq->next;
		hc_deliver_error(rq, phase, hc->down_msg, 0);
		hc_req_free(rq);
	}
	hc->queue_tail = NULL;
}

static void hc_connect(struct hostconn *hc);

static void hc_retry_now(struct ev_loop *loop, void *arg)
{
	struct hostconn *hc = arg;

	(void)loop;
	hc->retry_timer = 0;
	hc->busy++;
	hc_connect(hc);
	hc_unbusy(hc);
}

/* Failures before a request reached the worker are retried with capped
 * exponential backoff and jitter (1 s, 2 s, 4 s ... at most 30 s, each
 * between half and all of it); authentication and host-key failures never
 * are, so a wrong password cannot lock an account. */
static int hc_retry(struct hostconn *hc, enum conn_phase phase, const char *msg)
{
	uint64_t ms;

	switch (phase) {
	case CONN_PHASE_RESOLVE: case CONN_PHASE_CONNECT: case CONN_PHASE_SESSION:
	case CONN_PHASE_BOOTSTRAP: case CONN_PHASE_HELLO: case CONN_PHASE_TRANSFER:
		break;
	default:
		return 0;
	}
	if (hc->attempts >= value_get_int(hc->vars, "ansible_ssh_retries", hc->env->o->retries))
		return 0;
	ms = (uint64_t)1000 << (hc->attempts < 5 ? hc->attempts : 5);
	if (ms > 30000)
		ms = 30000;
	ms = ms / 2 + (uint64_t)(random() % (long)(ms / 2 + 1));
	hc->attempts++;
	log_v(1, "<%s> %s failed: %s; retry %d in %llu ms", hc->name, conn_phase_name(phase), msg, hc->attempts,
	      (unsigned long long)ms);
	conn_close(hc->conn);
	hc->conn = NULL;
	hc->state = HC_CONNECTING;
	hc->retry_timer = ev_timer_add(hc->env->loop, ms, hc_retry_now, hc);
	return 1;
}

static void hc_connect_failed(struct hostconn *hc, enum conn_phase phase, const char *msg, const char *tail)
{
	if (!hc_retry(hc, phase, msg))
		hc_down(hc, phase, msg, tail);
}

static void hc_on_reply(struct conn *c, const struct value *result, const struct conn_error *e, void *arg)
{
	struct hc_req *rq = arg;
	struct hostconn *hc = rq->hc;
	struct value *full;
	char *msg;

	(void)c;
	hc->busy++;
	if (e == NULL) {
		full = result_normalize(result);
		if (value_map_get(full, "_drover_note") != NULL) {
			log_v(1, "<%s> %s", hc->name, value_get_str(full, "_drover_note", ""));
			value_map_del(full, "_drover_note");
		}
		if (!hc->closing)
			rq->cb(full, NULL, rq->arg);
		value_unref(full);
	} else if (!e->unknown_outcome && e->phase == CONN_PHASE_REQUEST) {
		/* The worker refused the request: a task failure, not the host's. */
		struct value *r = value_map();

		value_map_set(r, "changed", value_bool(0));
		value_map_set(r, "failed", value_bool(1));
		value_map_set(r, "msg", value_str(e->msg));
		if (!hc->closing)
			rq->cb(r, NULL, rq->arg);
		value_unref(r);
	} else {
		msg = hc_format(e->phase, e->msg, e->stderr_tail);
		hc->state = HC_DOWN;
		free(hc->down_msg);
		hc->down_msg = msg;
		hc->down_phase = e->phase;
		hc_deliver_error(rq, e->phase, msg, e->unknown_outcome);
	}
	hc_req_free(rq);
	hc_unbusy(hc);
}

static void hc_send(struct hostconn *hc, struct hc_req *rq)
{
	int r;
	char *msg;

	if ((r = conn_request(hc->conn, rq->body, rq->timeout_ms, hc_on_reply, rq)) != 0) {
		msg = hc_format(CONN_PHASE_REQUEST, err_str(r), NULL);
		hc_deliver_error(rq, CONN_PHASE_REQUEST, msg, 0);
		free(msg);
		hc_req_free(rq);
	}
}

static void hc_on_ready(struct conn *c, const struct value *hello, void *arg)
{
	struct hostconn *hc = arg;
	struct hc_req *rq;

	(void)c;
	(void)hello;
	hc->busy++;
	hc->state = HC_READY;
	while ((rq = hc->queue) != NULL && hc->state == HC_READY) {
		hc->queue = rq->next;
		if (hc->queue == NULL)
			hc->queue_tail = NULL;
		hc_send(hc, rq);
	}
	hc_unbusy(hc);
}

static void hc_on_failed(struct conn *c, const struct conn_error *e, void *arg)
{
	struct hostconn *hc = arg;

	(void)c;
	hc->busy++;
	hc_connect_failed(hc, e->phase, e->msg, e->stderr_tail);
	hc_unbusy(hc);
}

static const struct conn_cbs hc_conn_cbs = {hc_on_ready, hc_on_failed};

/* Each ssh process gets a fresh one-time askpass token: the master has used
 * its own, and a session that bypasses a stuck master must log in. */
static char *const *hc_ssh_env(struct hostconn *hc)
{
	if (hc->password == NULL || hc->env->askpass == NULL)
		return NULL;
	askpass_env_free(hc->envp);
	hc->envp = askpass_env(hc->env->askpass, hc->password);
	return hc->envp;
}

static int hc_askpass(struct hostconn *hc)
{
	struct hostconn_env *env = hc->env;
	const char *dir = env->o->ctl_dir;
	char *why = NULL, *msg;

	hc->password = target_password(hc->vars, env->o);
	if (hc->password == NULL || env->askpass != NULL)
		return 0;
	if (dir == NULL) {
		env->askpass_dir = xstrdup("/tmp/drover-askpass.XXXXXX");
		if (mkdtemp(env->askpass_dir) == NULL) {
			free(env->askpass_dir);
			env->askpass_dir = NULL;
		}
		dir = env->askpass_dir;
	}
	if (dir != NULL)
		env->askpass = askpass_start(env->loop, dir, env->o->self_path, &why);
	if (env->askpass != NULL)
		return 0;
	msg = xasprintf("cannot pass the password to ssh: %s", why ? why : "no private directory");
	hc_down(hc, CONN_PHASE_AUTH, msg, NULL);
	free(msg);
	free(why);
	return -1;
}

static void hc_on_ssh(char *const *argv, enum conn_phase phase, const char *msg, const char *tail, void *arg)
{
	struct hostconn *hc = arg;
	const struct adhoc_opts *o = hc->env->o;
	struct conn_params p;
	char *err = NULL;

	hc->busy++;
	if (argv == NULL) {
		hc_connect_failed(hc, phase, msg, tail);
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.host = hc->name;
	p.kind = CONN_SSH;
	p.argv = argv;
	p.envp = hc_ssh_env(hc);
	p.upload = o->worker_bytes;
	p.upload_len = o->worker_len;
	p.classify = ssh_classify;
	p.hello_ms = (o->connect_timeout_ms ? o->connect_timeout_ms : 10000) * 2 + 5000;
	if (conn_start(hc->env->loop, &p, &hc_conn_cbs, hc, &hc->conn, &err) != 0) {
		hc_down(hc, CONN_PHASE_SPAWN, err ? err : "cannot start ssh", NULL);
		free(err);
	}
out:
	hc_unbusy(hc);
}

static void hc_connect(struct hostconn *hc)
{
	const struct adhoc_opts *o = hc->env->o;
	const char *type = target_connection(hc->vars, o);
	struct conn_params p;
	char *msg = NULL, *cmd;

	hc->state = HC_CONNECTING;
	if (strcmp(type, "local") == 0) {
		memset(&p, 0, sizeof(p));
		p.host = hc->name;
		p.kind = CONN_LOCAL;
		p.worker_path = o->worker_path;
		p.hello_ms = o->connect_timeout_ms > 30000 ? o->connect_timeout_ms : 30000;
		if (conn_start(hc->env->loop, &p, &hc_conn_cbs, hc, &hc->conn, &msg) != 0) {
			hc_down(hc, CONN_PHASE_SPAWN, msg ? msg : "cannot start the worker", NULL);
			free(msg);
		}
		return;
	}
	if (strcmp(type, "ssh") != 0 && strcmp(type, "smart") != 0 && strcmp(type, "paramiko") != 0) {
		msg = xasprintf("connection type '%s' is not supported", type);
		hc_down(hc, CONN_PHASE_SPAWN, msg, NULL);
		free(msg);
		return;
	}
	if (o->worker_bytes == NULL) {
		hc_down(hc, CONN_PHASE_SPAWN, o->worker_error ? o->worker_error : "no worker binary", NULL);
		return;
	}
	target_from_vars(hc->vars, o, hc->name, &hc->ssh);
	if (hc_askpass(hc) != 0)
		return;
	hc->ssh.envp = hc_ssh_env(hc);
	hc->ssh.password = hc->password != NULL;
	cmd = bootstrap_command(o->worker_hash, o->worker_len, o->worker_arch);
	ssh_prepare(hc->env->loop, &hc->ssh, cmd, hc_on_ssh, hc);
	free(cmd);
}

struct hostconn *hostconn_new(struct hostconn_env *env, const char *name, const struct value *vars)
{
	struct hostconn *hc = xcalloc(1, sizeof(*hc));

	hc->env = env;
	hc->name = xstrdup(name);
	hc->vars = value_ref((struct value *)vars);
	return hc;
}

static void hc_fail_now(struct ev_loop *loop, void *arg)
{
	struct hc_req *rq = arg;
	struct hostconn *hc = rq->hc;

	(void)loop;
	hc->busy++;
	hc_deliver_error(rq, hc->down_phase, hc->down_msg, 0);
	hc_req_free(rq);
	hc_unbusy(hc);
}

void hostconn_module(struct hostconn *hc, const char *module, const struct value *args, int check, int diff,
                     int timeout_s, const struct value *environment, const struct value *become, hostconn_cb cb,
                     void *arg)
{
	struct hc_req *rq = xcalloc(1, sizeof(*rq));

	rq->hc = hc;
	rq->cb = cb;
	rq->arg = arg;
	rq->body = value_map();
	value_map_set(rq->body, "module", value_str(module));
	value_map_set(rq->body, "args", args ? value_ref((struct value *)args) : value_map());
	value_map_set(rq->body, "check", value_bool(check));
	value_map_set(rq->body, "diff", value_bool(diff));
	value_map_set(rq->body, "timeout", value_int(timeout_s));
	if (environment != NULL && environment->type == VALUE_MAP && value_len(environment) > 0)
		value_map_set(rq->body, "env", value_ref((struct value *)environment));
	if (become != NULL)
		value_map_set(rq->body, "become", value_ref((struct value *)become));
	switch (hc->state) {
	case HC_READY:
		hc_send(hc, rq);
		return;
	case HC_DOWN:
		/* The callback must not run inside this call. */
		ev_timer_add(hc->env->loop, 0, hc_fail_now, rq);
		return;
	case HC_IDLE:
	case HC_CONNECTING:
		if (hc->queue_tail != NULL)
			hc->queue_tail->next = rq;
		else
			hc->queue = rq;
		hc->queue_tail = rq;
		if (hc->state == HC_IDLE) {
			hc->busy++;
			hc_connect(hc);
			hc_unbusy(hc);
		}
		return;
	}
}

static void hc_raw_unlink(struct hostconn *hc, struct hc_req *rq)
{
	struct hc_req **pp;

	for (pp = &hc->raws; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == rq) {
			*pp = rq->next;
			return;
		}
	}
}

static void hc_raw_done(struct proc *p, const struct proc_result *pr, void *arg)
{
	struct hc_req *rq = arg;
	struct hostconn *hc = rq->hc;
	struct value *r;
	char *msg;
	int rc;

	(void)p;
	hc->busy++;
	hc_raw_unlink(hc, rq);
	if (pr->err != 0) {
		msg = hc_format(CONN_PHASE_SPAWN, err_str(pr->err), NULL);
		hc_deliver_error(rq, CONN_PHASE_SPAWN, msg, 0);
		free(msg);
		goto out;
	}
	rc = WIFEXITED(pr->status) ? WEXITSTATUS(pr->status) : 128 + WTERMSIG(pr->status);
	if (rq->raw_exe == NULL && rc == 255 && strcmp(target_connection(hc->vars, hc->env->o), "local") != 0) {
		/* ssh's own failure: the command may never have run. */
		enum conn_phase ph = ssh_classify(pr->errout, CONN_PHASE_CONNECT);

		msg = hc_format(ph, "ssh exited with status 255", pr->errout);
		hc_deliver_error(rq, ph, msg, 1);
		free(msg);
		goto out;
	}
	r = value_map();
	value_map_set(r, "changed", value_bool(1));
	value_map_set(r, "rc", value_int(rc));
	value_map_set(r, "stderr", value_strn(pr->errout, pr->err_len));
	value_map_set(r, "stderr_lines", pystr_splitlines(pr->errout, pr->err_len));
	value_map_set(r, "stdout", value_strn(pr->out, pr->out_len));
	value_map_set(r, "stdout_lines", pystr_splitlines(pr->out, pr->out_len));
	value_map_set(r, "failed", value_bool(rc != 0));
	if (rc != 0)
		value_map_set(r, "msg", value_str("non-zero return code"));
	if (!hc->closing)
		rq->cb(r, NULL, rq->arg);
	value_unref(r);
out:
	hc_req_free(rq);
	hc_unbusy(hc);
}

static void hc_raw_ssh(char *const *argv, enum conn_phase phase, const char *msg, const char *tail, void *arg)
{
	struct hc_req *rq = arg;
	struct hostconn *hc = rq->hc;
	char *full;

	if (argv != NULL) {
		proc_run(hc->env->loop, argv, hc_ssh_env(hc), NULL, 0, 0, hc_raw_done, rq);
		return;
	}
	hc->busy++;
	full = hc_format(phase, msg, tail);
	hc_deliver_error(rq, phase, full, 0);
	free(full);
	hc_raw_unlink(hc, rq);
	hc_req_free(rq);
	hc_unbusy(hc);
}

void hostconn_raw(struct hostconn *hc, const char *cmd, const char *executable, hostconn_cb cb, void *arg)
{
	const struct adhoc_opts *o = hc->env->o;
	struct hc_req *rq = xcalloc(1, sizeof(*rq));
	const char *type = target_connection(hc->vars, o);

	rq->hc = hc;
	rq->cb = cb;
	rq->arg = arg;
	rq->raw_cmd = xstrdup(cmd);
	if (strcmp(type, "local") != 0) {
		target_from_vars(hc->vars, o, hc->name, &hc->ssh);
		if (hc_askpass(hc) != 0) {
			ev_timer_add(hc->env->loop, 0, hc_fail_now, rq);
			return;
		}
	}
	rq->next = hc->raws;
	hc->raws = rq;
	if (strcmp(type, "local") == 0) {
		char *argv[] = {(char *)(executable ? executable : "/bin/sh"), "-c", rq->raw_cmd, NULL};

		rq->raw_exe = xstrdup(argv[0]);
		proc_run(hc->env->loop, argv, NULL, NULL, 0, 0, hc_raw_done, rq);
		return;
	}
	hc->ssh.envp = hc_ssh_env(hc);
	hc->ssh.password = hc->password != NULL;
	ssh_prepare(hc->env->loop, &hc->ssh, rq->raw_cmd, hc_raw_ssh, rq);
}

void hostconn_reset(struct hostconn *hc)
{
	ev_timer_del(hc->env->loop, hc->retry_timer);
	hc->retry_timer = 0;
	conn_close(hc->conn);
	hc->conn = NULL;
	hc->state = HC_IDLE;
	hc->attempts = 0;
	free(hc->down_msg);
	hc->down_msg = NULL;
}

const char *hostconn_type(const struct hostconn *hc)
{
	return target_connection(hc->vars, hc->env->o);
}

void hostconn_close(struct hostconn *hc)
{
	if (hc == NULL || hc->closing)
		return;
	hc->closing = 1;
	hc->busy++;
	hc_unbusy(hc);
}
