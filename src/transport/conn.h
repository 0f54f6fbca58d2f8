/* A connection to one host: a child process whose stdin/stdout carry worker
 * frames (doc/PROTOCOL.worker). The local transport runs drover-worker
 * directly; the ssh transport runs ssh with a bootstrap that execs the
 * worker. Everything after the process start — hello, requests, deadlines,
 * failure classification — is shared and lives here.
 *
 * All I/O runs on the caller's event loop; nothing blocks. Callbacks are
 * never called from inside the function that was called to start the work. */
#ifndef DROVER_TRANSPORT_CONN_H
#define DROVER_TRANSPORT_CONN_H

#include <stdint.h>
#include <sys/types.h>

#include "base/ev.h"
#include "data/value.h"

struct conn;

/* Where a connection failed; named in every UNREACHABLE message. */
enum conn_phase {
	CONN_PHASE_SPAWN,     /* starting the local process (worker or ssh) */
	CONN_PHASE_RESOLVE,
	CONN_PHASE_CONNECT,
	CONN_PHASE_HOSTKEY,
	CONN_PHASE_AUTH,
	CONN_PHASE_SESSION,
	CONN_PHASE_BOOTSTRAP,
	CONN_PHASE_HELLO,
	CONN_PHASE_REQUEST,
	CONN_PHASE_TRANSFER,
};

const char *conn_phase_name(enum conn_phase p);

enum conn_kind {
	CONN_LOCAL,
	CONN_SSH,
};

struct conn_params {
	const char *host;         /* inventory name, for messages (copied) */
	enum conn_kind kind;
	const char *worker_path;  /* local worker binary (copied) */
	uint64_t hello_ms;        /* deadline from start to the worker's hello */
	/* The process to run for CONN_SSH; the local transport ignores it. */
	char *const *argv;
	char *const *envp;        /* its environment, or NULL to inherit */
	/* The worker binary, sent when the bootstrap asks for it (borrowed;
	 * must outlive the connection). */
	const char *upload;
	size_t upload_len;
	/* Names the failed phase from the process's stderr (ssh's messages);
	 * NULL keeps the phase the connection was in. */
	enum conn_phase (*classify)(const char *text, enum conn_phase dflt);
};

struct conn_error {
	enum conn_phase phase;
	const char *msg;          /* what happened */
	const char *stderr_tail;  /* last lines the process wrote to stderr, or "" */
	int unknown_outcome;      /* a request was in flight: its effect is unknown */
};

struct conn_cbs {
	/* The worker said hello; requests may be sent. hello is borrowed. */
	void (*ready)(struct conn *c, const struct value *hello, void *arg);
	/* The connection failed before or between requests (not called for a
	 * failure that a pending request's callback reports). */
	void (*failed)(struct conn *c, const struct conn_error *e, void *arg);
};

/* Called once per request. On success result is the reply body (borrowed:
 * take a reference to keep it) and e is NULL; on failure result is NULL and
 * e says why (an ERROR frame from the worker is reported with phase REQUEST
 * and unknown_outcome 0). */
typedef void (*conn_reply_cb)(struct conn *c, const struct value *result, const struct conn_error *e, void *arg);

/* Starts the process and the hello deadline. Returns 0 with *cp set, or a
 * negative error (the process could not be started; *cp is NULL and msg, if
 * given, receives a heap string explaining it). */
int conn_start(struct ev_loop *loop, const struct conn_params *p, const struct conn_cbs *cbs, void *arg,
               struct conn **cp, char **msgp);

/* Sends a request; body is the REQUEST map (borrowed). timeout_ms 0 means no
 * deadline on the reply. Returns 0, or ERR_INVAL when the connection is not
 * ready, ERR_TOOBIG when the frame is too large. */
int conn_request(struct conn *c, const struct value *body, uint64_t timeout_ms, conn_reply_cb cb, void *arg);

/* Asks the worker to exit (BYE, then EOF), detaches the callbacks and frees
 * the connection once the process has exited; a process that does not exit
 * within a grace period is killed. Accepts NULL. */
void conn_close(struct conn *c);

/* The worker's hello (borrowed), or NULL before ready. */
const struct value *conn_hello(const struct conn *c);
const char *conn_host(const struct conn *c);
/* Times the bootstrap asked for the worker binary and was sent it: 0 when
 * the host had this worker cached. */
int conn_uploads(const struct conn *c);

#endif
