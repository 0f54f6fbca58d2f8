/* The ssh transport: turns a host's connection settings into the ssh command
 * that carries its worker session, managing the OpenSSH ControlMaster first.
 *
 * Per host: find the control socket (ctlpath.h); if a master answers the
 * liveness check, reuse it; if the socket is stale, remove it and start a
 * new master; if the master is stuck, bypass it; if no control directory is
 * usable, connect directly. The master is started by drover with its stdio on
 * /dev/null and its log in a file, so no reader ever waits on it. */
#ifndef DROVER_TRANSPORT_SSH_H
#define DROVER_TRANSPORT_SSH_H

#include <stdint.h>

#include "base/ev.h"
#include "data/value.h"
#include "transport/conn.h"

struct ssh_target {
	const char *name;         /* inventory name, for messages */
	const char *addr;         /* ansible_host, or the name */
	const char *user;         /* ansible_user / -u, or NULL (ssh's default) */
	int port;                 /* 0: ssh's default */
	const char *key_file;     /* ansible_ssh_private_key_file / --private-key */
	const char *ssh_args;     /* ssh_args (shell words); Control* options dropped */
	const char *common_args;  /* ansible_ssh_common_args (shell words) */
	const char *extra_args;   /* ansible_ssh_extra_args (shell words) */
	const char *ssh_exe;      /* ansible_ssh_executable, default "ssh" */
	const char *ctl_dir;      /* control directory, or NULL: no multiplexing */
	int persist;              /* ControlPersist seconds; 0: no master */
	int connect_timeout;      /* seconds (ConnectTimeout, -T) */
	int alive_interval;       /* ServerAliveInterval */
	int alive_count;          /* ServerAliveCountMax */
	int host_key_checking;    /* 1 on (ssh's own settings), 0 off */
	int verbosity;            /* drover's -v count */
	char *const *envp;        /* environment for ssh (askpass), or NULL */
	int password;             /* a password is supplied through envp's askpass */
};

/* Called once: on success argv is the session command (borrowed for the
 * call) and msg NULL; on failure argv is NULL and phase/msg/tail say why. */
typedef void (*ssh_prepare_cb)(char *const *argv, enum conn_phase phase, const char *msg, const char *tail,
                               void *arg);

/* Prepares the connection (master check or start) and hands back the
 * session's argv ending in remote_cmd. The callback runs from the loop. */
void ssh_prepare(struct ev_loop *loop, const struct ssh_target *t, const char *remote_cmd, ssh_prepare_cb cb,
                 void *arg);

/* Classifies ssh's error output into the phase that failed; dflt when
 * nothing in text is recognised. */
enum conn_phase ssh_classify(const char *text, enum conn_phase dflt);

/* A one-line hint for an UNREACHABLE in phase p. */
const char *ssh_hint(enum conn_phase p);

#endif
