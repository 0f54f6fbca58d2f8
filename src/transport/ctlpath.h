/* Where OpenSSH ControlMaster sockets live, and whether a master behind one
 * is alive.
 *
 * The directory is absolute and short: $XDG_RUNTIME_DIR/drover when that is
 * usable, else /tmp/drover-<uid>; a configured directory (control_path_dir)
 * is expanded with the password database, never with an unexpanded $HOME or
 * the current directory. It is created 0700 and its owner and mode are
 * verified. Socket names are a short hash of local uid + user@host:port. */
#ifndef DROVER_TRANSPORT_CTLPATH_H
#define DROVER_TRANSPORT_CTLPATH_H

#include <stddef.h>
#include <sys/types.h>

#include "base/ev.h"

/* OpenSSH binds "<path>.<16 random chars>" before renaming it to path, and
 * sun_path holds 108 bytes with its NUL: paths longer than this are refused. */
#define CTLPATH_MAX 90

/* Chooses and prepares the control directory. configured may be NULL (use
 * the defaults); "~" and "$HOME" in it are expanded from the password
 * database. On success returns 0 with *dirp a heap string; otherwise returns
 * a negative error with *whyp (heap) saying why no directory is usable, and
 * the caller connects without multiplexing. */
int ctlpath_dir(const char *configured, char **dirp, char **whyp);

/* Returns the socket path for user@host:port in dir (heap string). */
char *ctlpath_socket(const char *dir, const char *user, const char *host, int port);

enum ctlpath_state {
	CTLPATH_ALIVE,  /* a master answered; *pid is its pid */
	CTLPATH_ABSENT, /* no socket */
	CTLPATH_STALE,  /* a socket nobody listens on (removed by the check) */
	CTLPATH_STUCK,  /* a listener that did not answer within the deadline */
	CTLPATH_BROKEN, /* something else is wrong with the path (not removed) */
};

const char *ctlpath_state_name(enum ctlpath_state s);

typedef void (*ctlpath_check_cb)(enum ctlpath_state st, pid_t master_pid, void *arg);

/* Asks the master behind path whether it is alive, speaking OpenSSH's
 * multiplexing protocol as `ssh -O check` does (hello, then an alive check),
 * without a process. A stale socket is unlinked. The callback runs from the
 * loop, exactly once, at most timeout_ms later. */
void ctlpath_check(struct ev_loop *loop, const char *path, unsigned timeout_ms, ctlpath_check_cb cb, void *arg);

#endif
