/* One host's connection for a whole run: connects on first use (local
 * worker, or ssh with ControlMaster handling and the bootstrap), retries
 * failures that happen before a request reached the worker, queues requests
 * while connecting, and runs `raw` commands without the worker. Shared by
 * `drover run` and `drover playbook`, so every task of a run on a host goes
 * over the same worker session. */
#ifndef DROVER_EXEC_HOSTCONN_H
#define DROVER_EXEC_HOSTCONN_H

#include <stdint.h>

#include "base/ev.h"
#include "data/value.h"
#include "exec/adhoc.h"
#include "transport/conn.h"

struct hostconn;

/* What every host's connection shares in a run. */
struct hostconn_env {
	struct ev_loop *loop;
	const struct adhoc_opts *o;  /* connection options (borrowed) */
	struct askpass *askpass;     /* started on first need; hostconn_env_fini stops it */
	char *askpass_dir;           /* owned private directory when there is no control dir */
};

void hostconn_env_init(struct hostconn_env *env, struct ev_loop *loop, const struct adhoc_opts *o);
/* Stops the askpass server (call when no connection will start again). */
void hostconn_env_fini(struct hostconn_env *env);

/* Why a request did not get a module result: the host is unreachable. msg
 * names the phase, what happened, ssh's last words and a hint. */
struct hostconn_error {
	enum conn_phase phase;
	const char *msg;
	int unknown_outcome; /* the request may have run on the host */
};

/* Called once per request: result (borrowed) is the module's result
 * completed as Ansible's executor does (result_normalize), or NULL with e. */
typedef void (*hostconn_cb)(const struct value *result, const struct hostconn_error *e, void *arg);

/* A connection for host name with its variables vars (new reference kept).
 * Nothing is started until the first request. */
struct hostconn *hostconn_new(struct hostconn_env *env, const char *name, const struct value *vars);

/* Runs module (short name) with args (templated) on the host. opts may carry
 * check, diff, timeout and env for the request (see doc/PROTOCOL.worker);
 * become (NULL: none) is the request's "become" map (exec/becomereq.h). The
 * callback runs from the loop. */
void hostconn_module(struct hostconn *hc, const char *module, const struct value *args, int check, int diff,
                     int timeout_s, const struct value *environment, const struct value *become, hostconn_cb cb,
                     void *arg);

/* Runs cmd as `raw` does: on a local host through executable (NULL:
 * /bin/sh) -c, over ssh as the remote command. The result has rc, stdout,
 * stderr and their lines, changed true, failed on a non-zero rc. */
void hostconn_raw(struct hostconn *hc, const char *cmd, const char *executable, hostconn_cb cb, void *arg);

/* Forgets the worker session and any "unreachable" verdict, so that the
 * next request connects afresh: for actions that wait for a host to come
 * back (wait_for_connection, reboot). Call it with no request in flight. */
void hostconn_reset(struct hostconn *hc);

/* The connection type the host uses ("ssh", "local"...). */
const char *hostconn_type(const struct hostconn *hc);

/* Closes the connection (the worker exits; the ControlMaster persists) and
 * frees hc. Pending callbacks are not called. Accepts NULL. */
void hostconn_close(struct hostconn *hc);

#endif
