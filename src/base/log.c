/* Verbosity-filtered messages on stderr, written with one write(2) each so
 * lines from concurrent processes do not interleave. */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static const char *log_prog = "drover";
static int log_level_max = 0;

void log_set_prog(const char *prog)
{
	log_prog = prog;
}

void log_set_verbosity(int v)
{
	log_level_max = v;
}

int log_verbosity(void)
{
	return log_level_max;
}

int log_enabled(int level)
{
	return level <= log_level_max;
}

void log_msg(int level, const char *fmt, ...)
{
	char line[4096];
	const char *tag = "";
	va_list ap;
	int n, m;

	if (!log_enabled(level))
		return;
	if (level == LOG_ERROR)
		tag = "ERROR: ";
	else if (level == LOG_WARN)
		tag = "[WARNING]: ";
	n = snprintf(line, sizeof(line), "%s: %s", log_prog, tag);
	if (n < 0)
		return;
	/* snprintf returns the untruncated length: a prefix that fills the line
	 * leaves no room for the message, and must not move the write past it. */
	if ((size_t)n <= sizeof(line) - 2) {
		va_start(ap, fmt);
		m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
		va_end(ap);
		if (m < 0)
			return;
		n += m;
	}
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
