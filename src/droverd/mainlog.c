/* The main log: a record formatted once, then handed to each handler
 * (file, stdout, syslog) as supervisord's logger does. */
#include "droverd/mainlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/config.h"
#include "droverd/logfile.h"

#define MAINLOG_LINE_MAX 65536

struct mainlog {
	int level;
	int use_syslog;
	struct logfile file;  /* unused with syslog */
	int echo_fd;          /* -1: no stdout handler */
	uint64_t failures;
};

const char *mainlog_level_name(int level)
{
	switch (level) {
	case LEVEL_CRIT:
		return "CRIT";
	case LEVEL_ERRO:
		return "ERRO";
	case LEVEL_WARN:
		return "WARN";
	case LEVEL_INFO:
		return "INFO";
	case LEVEL_DEBG:
		return "DEBG";
	case LEVEL_TRAC:
		return "TRAC";
	case LEVEL_BLAT:
		return "BLAT";
	}
	return "INFO";
}

/* An fd of our own on stdout, non-blocking, so a stalled reader of our
 * stdout costs log lines, not the daemon. Reopening /proc/self/fd/1 gives
 * a separate open file, whose flags do not touch the caller's. */
static int mainlog_stdout_fd(void)
{
	int fd = open("/proc/self/fd/1", O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		fd = fcntl(1, F_DUPFD_CLOEXEC, 3);
	return fd;
}

int mainlog_open(const char *logfile, long long maxbytes, long long backups, int level, int echo,
                 struct mainlog **mlp)
{
	struct mainlog *ml = xcalloc(1, sizeof(*ml));
	int r;

	*mlp = NULL;
	ml->level = level;
	ml->echo_fd = echo ? mainlog_stdout_fd() : -1;
	ml->file.fd = -1;
	if (strcmp(logfile, "syslog") == 0) {
		ml->use_syslog = 1;
		openlog("droverd", LOG_PID, LOG_DAEMON);
	} else if ((r = logfile_open(&ml->file, logfile, maxbytes, backups)) != 0) {
		logfile_close(&ml->file);
		if (ml->echo_fd >= 0)
			close(ml->echo_fd);
		free(ml);
		return r;
	}
	*mlp = ml;
	return 0;
}

void mainlog_close(struct mainlog *ml)
{
	if (ml == NULL)
		return;
	logfile_close(&ml->file);
	if (ml->echo_fd >= 0)
		close(ml->echo_fd);
	if (ml->use_syslog)
		closelog();
	free(ml);
}

int mainlog_enabled(const struct mainlog *ml, int level)
{
	return ml == NULL ? level >= LEVEL_INFO : level >= ml->level;
}

static size_t mainlog_format(char *line, size_t size, int level, const char *msg)
{
	struct timeval tv;
	struct tm tm;
	size_t n;
	int k;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(line, size, "%Y-%m-%d %H:%M:%S", &tm);
	k = snprintf(line + n, size - n, ",%03d %s %s\n", (int)(tv.tv_usec / 1000), mainlog_level_name(level), msg);
	if (k < 0)
		return n;
	n += (size_t)k;
	if (n >= size) {
		/* A cut record still ends its line. */
		n = size - 1;
		line[n - 1] = '\n';
	}
	return n;
}

void mainlog_write(struct mainlog *ml, int level, const char *msg)
{
	/* Records are formatted one at a time (one thread, no callbacks). */
	static char line[MAINLOG_LINE_MAX];
	size_t n;
	const char *s, *e;
	ssize_t w;

	if (!mainlog_enabled(ml, level))
		return;
	n = mainlog_format(line, MAINLOG_LINE_MAX, level, msg);
	if (ml == NULL) {
		if (write(2, line, n) < 0)
			n = 0;
		return;
	}
	if (ml->echo_fd >= 0) {
		w = write(ml->echo_fd, line, n);
		if (w < 0 || (size_t)w != n)
			ml->failures++;
	}
	if (ml->use_syslog) {
		/* supervisord's syslog handler sends each line of a message as
		 * one formatted record. */
		for (s = msg; *s; s = *e ? e + 1 : e) {
			char *one;

			e = strchr(s, '\n');
			if (e == NULL)
				e = s + strlen(s);
			one = xstrndup(s, (size_t)(e - s));
			n = mainlog_format(line, MAINLOG_LINE_MAX, level, one);
			free(one);
			if (n > 0 && line[n - 1] == '\n')
				line[n - 1] = '\0';
			syslog(LOG_INFO, "%s", line);
		}
	} else if (logfile_write(&ml->file, line, n) != 0) {
		ml->failures++;
	}
}

void mainlog_printf(struct mainlog *ml, int level, const char *fmt, ...)
{
	char *msg;
	va_list ap;

	if (!mainlog_enabled(ml, level))
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	mainlog_write(ml, level, msg);
	free(msg);
}

void mainlog_reopen(struct mainlog *ml)
{
	if (ml != NULL && !ml->use_syslog)
		logfile_reopen(&ml->file);
}

int mainlog_clear(struct mainlog *ml)
{
	if (ml == NULL || ml->use_syslog)
		return -ENOENT;
	return logfile_clear(&ml->file);
}

const char *mainlog_path(const struct mainlog *ml)
{
	return ml != NULL && !ml->use_syslog ? ml->file.path : NULL;
}

uint64_t mainlog_failures(const struct mainlog *ml)
{
	return ml != NULL ? ml->failures : 0;
}
