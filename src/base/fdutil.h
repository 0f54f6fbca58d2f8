/* File-descriptor helpers. Every fd drover creates is close-on-exec; -1 means
 * "no fd". */
#ifndef DROVER_BASE_FDUTIL_H
#define DROVER_BASE_FDUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "base/buf.h"

/* Sets or clears O_NONBLOCK / FD_CLOEXEC. Return 0 or -errno. */
int fd_set_nonblock(int fd, int on);
int fd_set_cloexec(int fd, int on);
/* pipe2(O_CLOEXEC); returns 0 or -errno. */
int fd_pipe(int fds[2]);
/* Closes *fdp if it is not -1 and sets it to -1. */
void fd_close(int *fdp);
/* Writes all n bytes (retrying EINTR; a non-blocking fd is polled).
 * Returns 0 or -errno. */
int fd_write_all(int fd, const void *p, size_t n);
/* Reads until EOF into out (capped by out->max). Returns 0, -errno or ERR_TOOBIG. */
int fd_read_all(int fd, struct buf *out);
/* Reads a whole file into out. Returns 0, -errno or ERR_TOOBIG. */
int file_read(const char *path, struct buf *out);
/* Opens /dev/null with flags (O_RDONLY / O_WRONLY / O_RDWR), close-on-exec. */
int fd_devnull(int flags);

#endif
