/* Starting a program's child as supervisord 4.2.5 does: the command
 * resolved in the parent (so "can't find command" is a spawn error, not a
 * dead child), pipes for stdin/stdout/stderr, then in the child: a new
 * session (own process group, no controlling terminal), the pipes on
 * 0/1/2, every other fd closed, the user switched (supplementary groups of
 * the password database's user, setgid, setuid), the directory and umask
 * set, and execve with the program's environment.
 *
 * The environment, each layer over the one before: droverd's own;
 * SUPERVISOR_ENABLED=1, SUPERVISOR_SERVER_URL (when there is a server),
 * SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME; with user=, HOME, USER,
 * LOGNAME and SHELL of that user from the password database (supervisord
 * leaves root's; exact_env restores that); then [supervisord] environment=
 * and the program's environment=, which win.
 *
 * A failure after the fork is written to the child's stderr in supervisord's
 * words ("supervisor: couldn't chdir to /x: ENOENT", then "supervisor: child
 * process was not spawned"; the child exits 127) and also through a
 * close-on-exec pipe, so the daemon can name the reason in its main log. */
#ifndef DROVER_DROVERD_CHILD_H
#define DROVER_DROVERD_CHILD_H

#include <sys/types.h>

#include "base/buf.h"
#include "droverd/config.h"

struct child_spec {
	const struct pconf *conf;
	const char *group;      /* SUPERVISOR_GROUP_NAME */
	const char *serverurl;  /* the daemon's URL, used when conf has none; may be NULL */
	int exact_env;          /* no login variables for user= */
	long long minfds;       /* fds below this are closed even without close_range */
};

/* The parent's ends of the child's pipes; -1 when absent. All are
 * close-on-exec; the output ones are non-blocking. */
struct child_fds {
	int in;     /* write end of the child's stdin */
	int out;    /* read end of its stdout (and stderr when redirected) */
	int err;    /* read end of its stderr */
	int status; /* read end of the error pipe: EOF at a successful exec,
	             * else the reason it failed */
};

/* supervisord's get_execv_args(): splits the command (Python shlex), finds
 * argv[0] in the program's PATH (its environment=, else droverd's, else
 * /bin:/usr/bin:/usr/local/bin) and checks it can be run. Returns 0 with
 * *filenamep and *argvp new (free with child_argv_free), or FAULT_NO_FILE
 * ("can't find command 'x'") or FAULT_NOT_EXECUTABLE ("command at 'x' is
 * a directory", "... is not executable", "no permission to run command
 * 'x'", "can't parse command ..."), with *errp the message. */
int child_resolve(const struct pconf *conf, char **filenamep, char ***argvp, char **errp);
void child_argv_free(char **argv);

/* Builds the child's environment as described above (a NULL-terminated
 * array of new "K=V" strings; free with child_argv_free). */
char **child_environ(const struct child_spec *s);

/* Starts the child. Returns 0 with *pidp and fds filled, or non-zero with
 * *errp the spawn error in supervisord's words. */
int child_spawn(const struct child_spec *s, pid_t *pidp, struct child_fds *fds, char **errp);

/* Reads what is available from the error pipe into out (non-blocking).
 * Returns 1 at EOF (the pipe may be closed), 0 when more may come. */
int child_read_status(int fd, struct buf *out);

#endif
