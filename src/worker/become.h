/* The login worker's side of become: requests that carry a "become" map
 * (doc/PROTOCOL.worker, section 12) go to a second worker started through
 * the escalation tool, one per (method, user, exe, flags) for the whole
 * session, and its answers come back unchanged. */
#ifndef DROVER_WORKER_BECOME_H
#define DROVER_WORKER_BECOME_H

#include <stddef.h>

#include "proto/frame.h"
#include "worker/escalate.h"

#define BECOME_MAX_CHILDREN 16

struct become_child {
	char *key;         /* owned: method, user, exe, flags */
	char *failed;      /* owned: why it could not start (never retried), or NULL */
	struct escalated e;
	char *label;       /* owned: "sudo to root" */
	int noted;         /* the pty was reported (in the first reply) */
};

struct become_set {
	struct become_child kids[BECOME_MAX_CHILDREN];
	size_t n;
};

void become_set_init(struct become_set *bs);
/* Closes every escalated worker's streams (they exit at end of file). */
void become_set_fini(struct become_set *bs);

/* Returns NULL when body's "become" map is well formed, or the reason. */
const char *become_check(const struct value *body);

/* Answers request f (its body has a valid "become") on out: starts the
 * escalated worker on first use, forwards the request without "become"
 * (the password in it is wiped) and copies the answer to out. A worker that
 * could not be started or has died gives a failed REPLY; a key that failed
 * once fails the same way again without a new attempt. Returns 0, or a
 * negative error when writing to out failed. */
int become_relay(struct become_set *bs, int out, struct frame *f);

#endif
