/* Waiting on the network from a module without stopping the worker: TCP
 * connections opened and fds waited on through the worker's event loop,
 * with monotonic deadlines, and sleeps that keep the loop running. */
#ifndef DROVER_MODULES_NETCONN_H
#define DROVER_MODULES_NETCONN_H

#include <stdint.h>

#include "base/ev.h"

/* Connects to host:port (a name or an address; each address getaddrinfo
 * gives is tried in turn) before deadline_ms (monotonic; 0: none). Returns
 * 0 with *fdp a connected, non-blocking, close-on-exec socket; -errno of
 * the last attempt (-ECONNREFUSED...), ERR_TIMEOUT, or ERR_NOTFOUND when
 * the name does not resolve (*gai_errp then holds getaddrinfo's code). */
int netconn_open(struct ev_loop *loop, const char *host, int port, uint64_t deadline_ms, int *fdp, int *gai_errp);

/* Runs the loop until fd is ready for events (EV_READ or EV_WRITE) or the
 * deadline passes. Returns 0, ERR_TIMEOUT, or the loop's error. */
int netconn_wait(struct ev_loop *loop, int fd, int events, uint64_t deadline_ms);

/* Runs the loop for ms milliseconds. Returns 0 or the loop's error. */
int netconn_sleep(struct ev_loop *loop, uint64_t ms);

/* The earlier of two deadlines, where 0 means none. */
uint64_t netconn_min_deadline(uint64_t a, uint64_t b);

#endif
