/* The POSIX-sh bootstrap script that starts drover-worker on a host: it
 * execs the cached worker for a build's hash, or asks for the binary over
 * its standard input, installs it atomically and execs it. The controller
 * runs it through ssh (transport/bootstrap.h, which documents its lines);
 * the worker runs it through sudo, su or doas for become, so both ends
 * share it. */
#ifndef DROVER_PROTO_BOOTSCRIPT_H
#define DROVER_PROTO_BOOTSCRIPT_H

#include <stddef.h>

/* Returns the script (heap string, free with free) for the worker whose hex
 * SHA-256 is hash, size bytes long, built for `uname -m` arch. It contains
 * no single quote, so it can be passed inside one single-quoted word. */
char *bootscript_new(const char *hash, size_t size, const char *arch);

#endif
