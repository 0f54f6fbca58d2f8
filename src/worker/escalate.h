/* Starting a second drover-worker as another user through sudo, su or doas
 * (become): the tool runs the bootstrap script (proto/bootscript.h) as the
 * target user, which execs that user's cached worker or receives this
 * worker's own binary (/proc/self/exe) over its standard input. A password
 * is written once, on the tool's own prompt, and never appears on argv, in
 * the environment or in any message. See doc/internals/become.md. */
#ifndef DROVER_WORKER_ESCALATE_H
#define DROVER_WORKER_ESCALATE_H

#include <sys/types.h>

#include "base/buf.h"

struct escalate_spec {
	const char *method;  /* "sudo", "su" or "doas" */
	const char *user;    /* target user */
	const char *exe;     /* the tool to run; NULL or "": the method's name */
	const char *flags;   /* extra arguments split on blanks; NULL: the method's default */
	const char *pass;    /* NULL: none (non-interactive); secret */
	int timeout_s;       /* deadline of the whole escalation; <= 0: 10 s */
	int login;           /* set by escalate_start: flags ask for a login (-i, -l, -) */
};

/* A running escalated worker past its hello. */
struct escalated {
	pid_t pid;        /* the tool's process */
	int in;           /* its stdin: frames to the worker */
	int out;          /* its stdout: frames from the worker */
	int err;          /* its stderr (the tool's and then the worker's messages) */
	struct buf rbuf;  /* bytes read from out ahead of the next frame */
	int tty;          /* a pty was needed (requiretty) */
	int ptm;          /* the pty's master, or -1 */
	int pts;          /* its slave, held open so the master never reads a hang-up */
};

/* Returns 1 when method is one escalate_start knows. */
int escalate_method_ok(const char *method);

/* Starts the escalated worker for s and completes its hello (the worker is
 * told, in the hello, to take on the target user's identity). Returns 0 with
 * e filled, or a negative error with *msgp a heap message for the task
 * result ("Missing sudo password", "Incorrect sudo password", the tool's own
 * words, a timeout); the tool has then been stopped and reaped. */
int escalate_start(struct escalate_spec *s, struct escalated *e, char **msgp);

/* Closes e's streams (the worker exits at end of file) and reaps the tool
 * if it has already exited. Accepts a zeroed e. */
void escalate_close(struct escalated *e);

#endif
