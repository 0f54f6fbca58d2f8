/* Network checks with deadlines on the event loop, for `drover doctor`:
 * name resolution (getaddrinfo, as ssh calls it) and a TCP connect.
 *
 * getaddrinfo blocks and has no deadline of its own (a dead DNS server
 * holds it for many seconds), so it runs in a forked child that is killed
 * when the deadline passes; the controller stays single-threaded. Callbacks
 * run from the loop, exactly once, never inside the starting call. */
#ifndef DROVER_TRANSPORT_NETPROBE_H
#define DROVER_TRANSPORT_NETPROBE_H

#include <stddef.h>
#include <sys/socket.h>

#include "base/ev.h"

#define NETPROBE_MAX_ADDRS 16 /* addresses kept from one lookup */

struct netprobe_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[64];            /* numeric address, without the port */
};

/* Called once. On success err is 0, msg NULL and addrs the n addresses in
 * getaddrinfo's order (borrowed for the call; n >= 1). On failure addrs is
 * NULL and msg says why: getaddrinfo's own words, or that the deadline
 * passed (err ERR_TIMEOUT) or the lookup could not be started (-errno). */
typedef void (*netprobe_resolve_cb)(int err, const char *msg, const struct netprobe_addr *addrs, size_t n,
                                    void *arg);

/* Resolves host for TCP port port (both families, as ssh's default
 * AddressFamily any). host is copied. */
void netprobe_resolve(struct ev_loop *loop, const char *host, int port, unsigned timeout_ms,
                      netprobe_resolve_cb cb, void *arg);

/* Called once with 0 when the connection was established (it is closed at
 * once), -errno when it was refused or failed, ERR_TIMEOUT when the
 * deadline passed. */
typedef void (*netprobe_connect_cb)(int r, void *arg);

/* Opens a TCP connection to a (copied) and closes it. */
void netprobe_connect(struct ev_loop *loop, const struct netprobe_addr *a, unsigned timeout_ms,
                      netprobe_connect_cb cb, void *arg);

#endif
