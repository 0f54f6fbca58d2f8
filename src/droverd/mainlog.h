/* droverd's main log, in supervisord's format: one record per message,
 * "2026-11-22 12:00:00,123 INFO spawned: 'x' with pid 42\n" (local time,
 * milliseconds, level CRIT ERRO WARN INFO DEBG TRAC BLAT), written to the
 * log file (rotated as child logs are), to stdout too when running in the
 * foreground (unless silent), or to syslog when logfile=syslog. Records
 * below the configured level are dropped. Writing never blocks the daemon
 * and a failure never stops it: failures are counted. */
#ifndef DROVER_DROVERD_MAINLOG_H
#define DROVER_DROVERD_MAINLOG_H

#include <stdint.h>

struct mainlog;

/* Opens the log. logfile is a path or "syslog"; maxbytes 0 never rotates.
 * echo: also write to fd 1. Returns 0 with *mlp new, or -errno when the file
 * cannot be opened (supervisord refuses to start then). */
int mainlog_open(const char *logfile, long long maxbytes, long long backups, int level, int echo,
                 struct mainlog **mlp);
/* Closes and frees. Accepts NULL. */
void mainlog_close(struct mainlog *ml);
/* Writes a record at level (LEVEL_*) when level >= the log's level.
 * Accepts a NULL log: the record goes to stderr (before the log is open). */
void mainlog_write(struct mainlog *ml, int level, const char *msg);
void mainlog_printf(struct mainlog *ml, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Whether level would be written. */
int mainlog_enabled(const struct mainlog *ml, int level);
/* Reopens the file (SIGUSR2, clearLog). */
void mainlog_reopen(struct mainlog *ml);
/* Removes the file and reopens it (supervisord's clearLog). Returns 0 or
 * -errno. */
int mainlog_clear(struct mainlog *ml);
/* The file's path, or NULL for syslog. */
const char *mainlog_path(const struct mainlog *ml);
/* Writes that failed since start. */
uint64_t mainlog_failures(const struct mainlog *ml);

/* "CRIT", "INFO", ... for a level. */
const char *mainlog_level_name(int level);

#endif
