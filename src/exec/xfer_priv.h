/* What copy (xfer.c) and fetch (xfer_fetch.c) share. */
#ifndef DROVER_EXEC_XFER_PRIV_H
#define DROVER_EXEC_XFER_PRIV_H

#include "exec/xfer.h"

/* A failed result: failed true and msg. */
struct value *xfer_failure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Calls cb with res (taken), completed with failed and changed when
 * absent and, when invocation is not NULL, {"module_args": invocation}; or,
 * when unreachable is not NULL, with that connection error instead. */
void xfer_deliver(hostconn_cb cb, void *arg, struct value *res, const char *unreachable, enum conn_phase phase,
                  const struct value *invocation);

/* fetch and script: see xfer.h. */
void xfer_fetch_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg);
void xfer_script_start(struct hostconn *hc, const struct xfer_task *t, hostconn_cb cb, void *arg);

#endif
