/* Log files as supervisord's RotatingFileHandler writes them: opened for
 * appending, and after a write that brings the file to maxbytes or more,
 * renamed to name.1 (name.1 to name.2 ... up to name.<backups>, the oldest
 * dropped) and started afresh; backups=0 just truncates; maxbytes=0 never
 * rotates. A file that cannot seek (a pipe, a terminal, /dev/stdout) is
 * never rotated (supervisord's channel dies with "Illegal seek" there).
 *
 * Writes never stop the daemon: files are opened non-blocking (a full pipe
 * drops the data), and a failed write (disk full, quota) is counted and the
 * data dropped; the caller reports it. Also here: AUTO log names and their
 * clean-up at start, and supervisord's readFile/tailFile for the control
 * server. */
#ifndef DROVER_DROVERD_LOGFILE_H
#define DROVER_DROVERD_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct logfile {
	char *path;          /* owned */
	int fd;              /* -1 when closed */
	long long maxbytes;  /* 0: never rotate */
	long long backups;
	int seekable;        /* learnt at the first write */
	int failing;         /* the last write failed */
	int last_errno;
	uint64_t failures;   /* writes that failed, in all */
	uint64_t lost;       /* bytes dropped, in all */
	uint64_t episode_lost; /* bytes dropped since the writes began failing */
};

/* Opens path for appending (creating it 0666 less the umask). /dev/stdout
 * and /dev/stderr fall back to droverd's own fd 1 or 2 when they cannot be
 * opened (a socket). Returns 0 or -errno; lf is usable (closed) either
 * way, and later writes retry the open. */
int logfile_open(struct logfile *lf, const char *path, long long maxbytes, long long backups);
/* Writes n bytes, then rotates when due. Returns 0, or -errno when the data
 * (or part of it) was dropped. */
int logfile_write(struct logfile *lf, const void *p, size_t n);
/* Closes and opens the file again (SIGUSR2, after a rename by logrotate). */
int logfile_reopen(struct logfile *lf);
/* Removes the file and its backups' base and opens it anew (supervisord's
 * clearProcessLogs: only the base file is removed). */
int logfile_clear(struct logfile *lf);
void logfile_close(struct logfile *lf);

/* Creates an AUTO log file in dir named "<name>-<channel>---<identifier>-
 * XXXXXXXX.log" (8 random characters as Python's mkstemp, mode 0600) and
 * returns its path in *pathp. Returns 0 or -errno. */
int logfile_auto_name(const char *dir, const char *name, const char *channel, const char *identifier,
                      char **pathp);
/* Whether a file name is one of identifier's AUTO logs or their backups
 * (supervisord's pattern ".+?---<identifier>-\S+\.log\.{0,1}\d{0,4}"). */
int logfile_is_auto(const char *fname, const char *identifier);
/* Removes every AUTO log of identifier in dir. Calls warn(path, arg) for
 * each file it cannot remove. Returns 0, or -errno when dir cannot be read. */
int logfile_clear_autodir(const char *dir, const char *identifier, void (*warn)(const char *path, void *arg),
                          void *arg);

/* Results of logfile_read, with supervisord's fault names. */
enum {
	LOGFILE_BAD_ARGUMENTS = -1,
	LOGFILE_FAILED = -2,
};
/* readFile(): length bytes from offset (length 0: to the end); a negative
 * offset reads the last -offset bytes (length must then be 0). Appends to
 * out. Returns 0, LOGFILE_BAD_ARGUMENTS or LOGFILE_FAILED. */
int logfile_read(const char *path, long long offset, long long length, struct buf *out);
/* tailFile(): up to length bytes starting at offset; when the file grew
 * beyond offset + length, the last length bytes and *overflowp = 1.
 * *offsetp becomes the file size. A file that cannot be read gives no data,
 * the same offset and no overflow. */
void logfile_tail(const char *path, long long *offsetp, long long length, struct buf *out, int *overflowp);

#endif
