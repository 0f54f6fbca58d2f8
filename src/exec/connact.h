/* Controller actions that wait on a host's connection, as Ansible's action
 * plugins of the same names: wait_for_connection (until the worker answers
 * a ping) and reboot (shutdown -r through the connection, then until the
 * boot id changes and a test command succeeds). They run on the run's
 * event loop with timers and the host's connection, never blocking the
 * other hosts. */
#ifndef DROVER_EXEC_CONNACT_H
#define DROVER_EXEC_CONNACT_H

#include "base/ev.h"
#include "data/value.h"
#include "exec/hostconn.h"

/* Returns 1 when module is one of these actions. */
int connact_known(const char *module);

/* Starts the action module with templated args on the host connection hc
 * (borrowed; it must outlive the action). cb is called once, from the
 * loop, with the result (never with an error: an unreachable host within
 * the timeout is what these actions wait out, and a timeout is a failed
 * result). */
void connact_start(struct ev_loop *loop, struct hostconn *hc, const char *module, const struct value *args,
                   int check, hostconn_cb cb, void *arg);

#endif
