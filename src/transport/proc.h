/* Running a command on the controller's event loop and collecting its exit
 * status, stdout and stderr (capped). Used for `raw` and other work that
 * needs no worker. */
#ifndef DROVER_TRANSPORT_PROC_H
#define DROVER_TRANSPORT_PROC_H

#include <stddef.h>

#include "base/ev.h"

struct proc;

struct proc_result {
	int status;        /* wait status; meaningful when err is 0 */
	int err;           /* 0, or -errno when the command could not start */
	const char *stage; /* with err: which step failed ("exec", "chdir") */
	const char *out;   /* stdout bytes, NUL-terminated */
	size_t out_len;
	const char *errout; /* stderr bytes, NUL-terminated */
	size_t err_len;
	int truncated;     /* an output hit the cap */
};

/* Called once when the process has exited and both pipes are drained.
 * The result's strings are valid during the call only. */
typedef void (*proc_cb)(struct proc *p, const struct proc_result *r, void *arg);

/* Runs argv (environment envp, or ours when NULL) in a new session with stdin from /dev/null (or the bytes of
 * input, when given). cap bounds each output (0: 16 MiB). The callback runs
 * from the loop, also when starting fails. Returns the handle, freed after
 * the callback returns. */
struct proc *proc_run(struct ev_loop *loop, char *const *argv, char *const *envp, const char *input,
                      size_t input_len, size_t cap, proc_cb cb, void *arg);

#endif
