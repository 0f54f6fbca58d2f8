/* The control server's listening sockets, made as supervisord makes them:
 * [unix_http_server] bound under a temporary name, chmod'ed, then
 * hard-linked into place (so a live server's socket is never replaced and a
 * stale one is), chown'ed when configured; [inet_http_server] on loopback
 * only. Fds are non-blocking and close-on-exec. */
#ifndef DROVER_DROVERD_CTL_LISTEN_H
#define DROVER_DROVERD_CTL_LISTEN_H

#include <sys/types.h>

#include "droverd/config.h"

/* Results besides 0 and -errno. */
enum {
	CTL_LISTEN_IN_USE = 1, /* another server answers there */
};

/* Opens the socket for s. When droverd creates the socket's directory it
 * makes it 0700. An [inet_http_server] on every interface ("" or "*") is
 * bound to 127.0.0.1 instead, with *warnp (new) saying so; other
 * non-loopback addresses are refused. Returns 0 with *fdp, or
 * CTL_LISTEN_IN_USE, or -errno; *errp (new) then says why in supervisord's
 * words where it has them. */
int ctl_listen_open(const struct srvconf *s, int *fdp, char **warnp, char **errp);
/* Whether a unix-socket peer may talk to the server of s: root, droverd's
 * own uid and the socket's chown owner always; anyone the file system lets
 * connect when s->chmod opens the socket to group or others. */
int ctl_listen_peer_ok(const struct srvconf *s, uid_t uid);

#endif
