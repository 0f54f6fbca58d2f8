/* One output channel (stdout or stderr) of a child, as supervisord's
 * POutputDispatcher handles it: what the pipe yields goes, ANSI escapes
 * stripped when asked, to the channel's log file (or, between
 * <!--XSUPERVISOR:BEGIN--> and <!--XSUPERVISOR:END--> when capture mode is
 * on, nowhere: droverd has no event listeners to hand it to), to syslog
 * when asked, to the main log at debug level ("'x' stdout output:\n..."),
 * and to the process's stderr tail. Reads are non-blocking. */
#ifndef DROVER_DROVERD_OUTPUT_H
#define DROVER_DROVERD_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "droverd/logfile.h"
#include "droverd/mainlog.h"
#include "droverd/tail.h"

struct output {
	const char *name;        /* borrowed process name */
	const char *channel;     /* "stdout" or "stderr" */
	int fd;                  /* read end; -1 once closed */
	int has_log;             /* log is open */
	struct logfile log;
	int syslog;
	int strip_ansi;
	long long capture_max;   /* capture mode when > 0 */
	int capturemode;
	struct buf pending;      /* held back while looking for a token */
	struct tail *tail;       /* borrowed; NULL: this channel is not tailed */
	struct mainlog *ml;      /* borrowed */
};

/* Sets o up with no pipe and no log. */
void output_init(struct output *o, const char *name, const char *channel, struct mainlog *ml);
/* Opens the channel's log file (path NULL: none). Returns 0 or -errno. */
int output_open_log(struct output *o, const char *path, long long maxbytes, long long backups);
enum {
	OUTPUT_AGAIN = 0, /* nothing more for now */
	OUTPUT_EOF = 1,   /* the pipe is done: stop watching, output_close_pipe */
	OUTPUT_MORE = 2,  /* stopped after 1 MiB; more may be waiting */
};
/* Reads what is available (up to 1 MiB). Returns OUTPUT_*. */
int output_read(struct output *o);
/* Closes the pipe (the log stays open for the next run). */
void output_close_pipe(struct output *o);
/* Closes everything. */
void output_fini(struct output *o);

/* supervisord's stripEscapes(): removes "ESC [ ... terminator" sequences
 * from [s, s+n) in place; returns the new length. */
size_t output_strip_ansi(char *s, size_t n);

#endif
