/* Passwords for ssh without sshpass and without putting them on argv or in
 * the environment: ssh runs drover itself as SSH_ASKPASS
 * (SSH_ASKPASS_REQUIRE=force), and that askpass process fetches the secret
 * from the running drover over a Unix socket in a private 0700 directory,
 * presenting a one-time token; the server checks the peer's uid.
 *
 * (A pipe inherited by ssh cannot carry it: ssh closes every descriptor
 * above stderr when it starts, so its askpass child never sees the pipe.)
 *
 * Each token is answered once: when the password is wrong, ssh asks again,
 * is refused, and gives up at once — no retry, no account lockout. */
#ifndef DROVER_TRANSPORT_ASKPASS_H
#define DROVER_TRANSPORT_ASKPASS_H

#include "base/ev.h"

struct askpass;

/* Starts the server in dir (which must be private), for ssh processes that
 * will run self_path as their askpass program. Returns NULL with *whyp set
 * (heap) when the socket cannot be created. */
struct askpass *askpass_start(struct ev_loop *loop, const char *dir, const char *self_path, char **whyp);
/* Stops the server and wipes every secret. Accepts NULL. */
void askpass_free(struct askpass *ap);

/* Registers secret (copied into wiped memory) for one ssh process and
 * returns a new environment for it (NULL-terminated, heap; free with
 * askpass_env_free): the current environment plus SSH_ASKPASS,
 * SSH_ASKPASS_REQUIRE=force, DISPLAY when unset, and the socket path and
 * token (neither is the secret). */
char **askpass_env(struct askpass *ap, const char *secret);
void askpass_env_free(char **env);

/* The askpass side: when DROVER_ASKPASS_SOCK is set in the environment,
 * fetches the secret and prints it on stdout. Returns the exit status. */
int askpass_client(void);

#endif
