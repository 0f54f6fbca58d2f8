/* Asking the user on the controlling terminal (passwords, vars_prompt). */
#ifndef DROVER_BASE_TTYPROMPT_H
#define DROVER_BASE_TTYPROMPT_H

#define TTYPROMPT_MAX 4096 /* bytes of one answer */

/*
 * ttyprompt_read - ask on /dev/tty
 *
 * Writes prompt to the terminal and reads one line (at most TTYPROMPT_MAX
 * bytes, the rest dropped), without echo when secret (then a newline is
 * written after it, as getpass does). Returns the answer without its line
 * end (owned by the caller; wipe it when secret), or NULL when there is no
 * terminal.
 */
char *ttyprompt_read(const char *prompt, int secret);

#endif
