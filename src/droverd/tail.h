/* The last bytes a child wrote to stderr (or to stdout when stderr is
 * redirected there), kept in memory whatever the log file settings, so an
 * unexpected exit can be explained in the main log and in status. */
#ifndef DROVER_DROVERD_TAIL_H
#define DROVER_DROVERD_TAIL_H

#include <stddef.h>

#define TAIL_BYTES 4096 /* bytes kept */
#define TAIL_LINES 20   /* lines reported */

struct tail {
	char ring[TAIL_BYTES];
	size_t start;   /* index of the oldest byte */
	size_t len;     /* bytes held */
	int dropped;    /* older bytes were pushed out */
};

/* Empties t. */
void tail_reset(struct tail *t);
/* Appends n bytes, dropping the oldest beyond TAIL_BYTES. */
void tail_add(struct tail *t, const char *p, size_t n);
/* Returns the last TAIL_LINES lines (a line cut by the window's start is
 * left out, "\r" before a newline is removed, control characters become
 * "?"), as a new array of new strings with *np entries; NULL when empty. */
char **tail_lines(const struct tail *t, size_t *np);
/* Frees what tail_lines returned. */
void tail_lines_free(char **lines, size_t n);

#endif
