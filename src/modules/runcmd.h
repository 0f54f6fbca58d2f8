/* Running one command for a module: in a new session, stdin from /dev/null
 * or from given bytes, stdout and stderr captured through pipes with a size
 * cap, an optional deadline after which the whole process group is killed.
 * The call returns when the command's main process has exited; output a
 * background process writes later is not waited for (doc/PROTOCOL.worker,
 * section 6). */
#ifndef DROVER_MODULES_RUNCMD_H
#define DROVER_MODULES_RUNCMD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/ev.h"

struct runcmd_opts {
	char *const *argv;     /* argv[0] is looked up in PATH unless it has a '/' */
	char *const *envp;     /* NULL: the worker's environment */
	const char *input;     /* bytes for stdin, or NULL for /dev/null */
	size_t input_len;
	size_t cap;            /* bytes kept per stream */
	uint64_t deadline_ms;  /* monotonic (ev_clock_ms); 0: none */
	const char *cwd;       /* directory to run in; NULL: the worker's */
};

struct runcmd_result {
	int spawn_err;          /* 0, or -errno when the command could not start */
	const char *stage;      /* with spawn_err: the step that failed ("exec") */
	int status;             /* wait status of the main process */
	int timed_out;          /* the deadline passed and the group was killed */
	struct buf out, err;    /* captured bytes (at most cap each) */
	int out_truncated, err_truncated;
};

/* Runs o->argv on loop (the process's only loop) and fills res, which the
 * caller releases with runcmd_result_fini (res is initialised first thing,
 * so that is always safe). Returns 0 when the command ran
 * (whatever its exit status) or could not be started (res->spawn_err says
 * why); a negative error only when the worker itself failed (pipes, loop). */
int runcmd(struct ev_loop *loop, const struct runcmd_opts *o, struct runcmd_result *res);

void runcmd_result_fini(struct runcmd_result *res);

/* A copy of envp (NULL: the worker's environment) with the "NAME=value" entries of set
 * (NULL-terminated) in place of any of the same names. Free it with
 * runcmd_env_free. */
char **runcmd_env_with(char *const *envp, const char *const *set);
void runcmd_env_free(char **env);

/* Returns the exit code Python's subprocess reports for a wait status: the
 * exit status, or minus the signal number. */
int runcmd_rc(int status);

#endif
