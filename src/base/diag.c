/* Recording and formatting user-input errors. */
#include "base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

void diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
}

void diag_fini(struct diag *d)
{
	free(d->file);
	free(d->msg);
	diag_init(d);
}

void diag_set(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (d == NULL || d->msg != NULL)
		return;
	d->file = file ? xstrdup(file) : NULL;
	d->line = line;
	d->col = col;
	va_start(ap, fmt);
	d->msg = xvasprintf(fmt, ap);
	va_end(ap);
}

int diag_has(const struct diag *d)
{
	return d->msg != NULL;
}

char *diag_format(const struct diag *d)
{
	const char *msg = d->msg ? d->msg : "unknown error";

	if (d->file == NULL)
		return xstrdup(msg);
	if (d->line <= 0)
		return xasprintf("%s: %s", d->file, msg);
	if (d->col <= 0)
		return xasprintf("%s:%d: %s", d->file, d->line, msg);
	return xasprintf("%s:%d:%d: %s", d->file, d->line, d->col, msg);
}
