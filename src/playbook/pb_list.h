/* What ansible-playbook prints for --list-tasks, --list-tags, --list-hosts
 * and --syntax-check, byte for byte. */
#ifndef DROVER_PLAYBOOK_PB_LIST_H
#define DROVER_PLAYBOOK_PB_LIST_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

struct pb_playbook;

struct pb_list_opts {
	int tasks;                 /* --list-tasks */
	int tags;                  /* --list-tags */
	int hosts;                 /* --list-hosts */
	int syntax;                /* --syntax-check: only "playbook: FILE" lines */
	const struct value *only;  /* -t tags (VALUE_LIST; NULL or empty: all) */
	const struct value *skip;  /* --skip-tags (VALUE_LIST, may be NULL) */
	/*
	 * For --list-hosts: the names of the hosts a play's patterns select
	 * (after --limit), in the order to print them. patterns is a
	 * VALUE_LIST of strings; *namesp must be a new VALUE_LIST of strings.
	 * Returns 0, or an error with d filled.
	 */
	int (*select)(void *ctx, const struct value *patterns, struct value **namesp, struct diag *d);
	void *select_ctx;
};

/*
 * pb_list_format - append the listing of playbooks
 *
 * For each playbook: "\nplaybook: <path>\n", then (unless syntax) for each
 * play "\n  play #N (<hosts>): <name>\tTAGS: [<play tags>]\n" with, for
 * hosts, its pattern and selected hosts, and for tasks/tags the tasks the
 * tag selection keeps (implicit meta tasks and rescue/always sections are
 * not listed, as in Ansible) with their sorted tags, and the play's task
 * tags. Returns 0, ERR_TOOBIG (out's cap) or select's error.
 */
int pb_list_format(struct buf *out, struct pb_playbook *const *pbs, size_t n, const struct pb_list_opts *o,
                   struct diag *d);

/* Appends Python's repr() of a string (quotes chosen as Python does). */
void pb_list_repr_str(struct buf *out, const char *s);

#endif
