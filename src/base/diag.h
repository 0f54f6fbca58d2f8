/* Diagnostics for user-input errors: where (file, line, column) and what.
 * Loaders fill one and return ERR_PARSE; the CLI prints it. */
#ifndef DROVER_BASE_DIAG_H
#define DROVER_BASE_DIAG_H

struct diag {
	char *file; /* owned; NULL when the input has no file (an argument) */
	int line;   /* 1-based; 0 when unknown */
	int col;    /* 1-based; 0 when unknown */
	char *msg;  /* owned; NULL while no error has been recorded */
};

void diag_init(struct diag *d);
void diag_fini(struct diag *d);
/* Records an error (the first one wins: later calls are ignored so the root
 * cause is what the user sees). file may be NULL. */
void diag_set(struct diag *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Returns non-zero when an error was recorded. */
int diag_has(const struct diag *d);
/* Returns "file:line:col: msg" (or shorter forms when parts are unknown), a
 * new string the caller frees. */
char *diag_format(const struct diag *d);

#endif
