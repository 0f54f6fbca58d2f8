/* Starting child processes. fork + exec with a close-on-exec error pipe, so a
 * failed exec (or chdir, setsid) is reported to the caller as an error with
 * its errno instead of as a child that exits 127. */
#ifndef DROVER_BASE_SPAWN_H
#define DROVER_BASE_SPAWN_H

#include <sys/types.h>

struct spawn_opts {
	char *const *argv;     /* argv[0] is run through PATH unless it has a '/' */
	char *const *envp;     /* NULL: inherit the current environment */
	const char *cwd;       /* NULL: stay */
	int stdin_fd;          /* dup'd onto 0; -1: /dev/null */
	int stdout_fd;         /* dup'd onto 1; -1: /dev/null */
	int stderr_fd;         /* dup'd onto 2; -1: /dev/null */
	const int *keep_fds;   /* fds to keep open in the child at their numbers */
	int n_keep_fds;
	int new_session;       /* setsid(): no controlling tty, own process group */
	const char *ctty;      /* with new_session: terminal made the controlling one */
	int new_pgroup;        /* setpgid(0, 0) (ignored with new_session) */
};

/* Sets o to the defaults above (all fds -1). */
void spawn_opts_init(struct spawn_opts *o);

/* Starts a child. Returns 0 with *pidp set, or a negative error: -errno of a
 * failed fork, chdir, setsid or exec, with *stagep (optional) naming the step
 * that failed ("chdir", "exec", ...). Signals the parent ignores or blocks are
 * reset to default in the child. */
int spawn(const struct spawn_opts *o, pid_t *pidp, const char **stagep);

#endif
