/* Human output of ad-hoc runs, byte-compatible with Ansible's `minimal`
 * callback (the default of `ansible`) and `oneline` (-o). */
#ifndef DROVER_OUTPUT_ADHOC_H
#define DROVER_OUTPUT_ADHOC_H

#include "data/value.h"

enum adhoc_status {
	ADHOC_OK,
	ADHOC_FAILED,
	ADHOC_UNREACHABLE,
	ADHOC_SKIPPED,
};

struct adhoc_style {
	int oneline;   /* -o */
	int verbosity; /* -v count */
	int color;     /* ANSI colours (a tty, or forced) */
	int no_json;   /* the module prints as text (command, shell, raw) */
};

/* Prints one host's result to stdout in a single write. */
void out_adhoc_result(const struct adhoc_style *st, const char *host, enum adhoc_status status,
                      const struct value *result);

/* Returns a copy of result without what Ansible hides from the screen:
 * `_ansible_*` keys everywhere, `failed` and `skipped` (the status says
 * it), `invocation` and `diff` below -vvv, `exception`. */
struct value *out_clean_result(const struct value *result, int verbosity);

/* Decides colour as Ansible does: ANSIBLE_NOCOLOR / NO_COLOR off,
 * ANSIBLE_FORCE_COLOR on, else whether fd is a tty. */
int out_color_wanted(int fd);

#endif
