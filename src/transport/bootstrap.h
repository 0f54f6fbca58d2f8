/* The POSIX-sh bootstrap that an ssh session runs on the managed host: it
 * execs the cached drover-worker for this build's hash, or asks the
 * controller for the binary over the same stream, installs it atomically and
 * execs it.
 *
 * Lines it writes to stdout before the worker starts (the worker's frames
 * begin with a zero byte, these with 'D'):
 *   "DRVBOOT1 NEED\n"      send exactly the worker's bytes now
 *   "DRVBOOT1 RUN\n"       the worker is being started (its hello comes next)
 *   "DRVBOOT1 ERR <why>\n" the bootstrap gives up (arch, no usable directory)
 * Cache: ${XDG_CACHE_HOME:-$HOME/.cache}/drover/<hash>/drover-worker, else
 * /tmp/drover-<uid>/<hash>/drover-worker in a private 0700 directory. */
#ifndef DROVER_TRANSPORT_BOOTSTRAP_H
#define DROVER_TRANSPORT_BOOTSTRAP_H

#include <stddef.h>

#define BOOTSTRAP_TAG "DRVBOOT1 "

/* Returns the remote command (heap string) for ssh: `exec /bin/sh -c '…'`.
 * hash is the worker's hex SHA-256, size its length, arch the `uname -m` it
 * runs on. */
char *bootstrap_command(const char *hash, size_t size, const char *arch);

/* Returns 1 when cmd is a command bootstrap_command made (a session that
 * carries the worker), else 0. */
int bootstrap_is_command(const char *cmd);

#endif
