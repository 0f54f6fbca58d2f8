/* Where one host is in a play: a cursor over the play's blocks with
 * Ansible's block semantics — a failure in a block's tasks moves to its
 * rescue, then its always; an unrescued failure leaves the block after its
 * always and fails the enclosing one, up to the play, where the host stops.
 * Dynamic includes push their blocks in place. */
#ifndef DROVER_EXEC_ITER_H
#define DROVER_EXEC_ITER_H

#include <stddef.h>

#include "playbook/playbook.h"

enum iter_section {
	ITER_TASKS,
	ITER_RESCUE,
	ITER_ALWAYS,
};

struct iter_frame {
	struct pb_block *blk;
	enum iter_section section;
	size_t idx;       /* next item of the section */
	int failed;       /* a failure not (yet) rescued in this block */
	int sib_below;    /* the frame below is a later sibling (included blocks),
	                   * not the enclosing block */
};

struct iter {
	struct pb_block **blocks; /* the play's compiled blocks (borrowed) */
	size_t nblocks, next_block;
	struct iter_frame *frames;
	size_t nframes, cap;
	int failed;       /* the host failed the play (an unrescued failure reached the top) */
	int done;         /* no tasks left */
};

void iter_init(struct iter *it, struct pb_block **blocks, size_t n);
void iter_fini(struct iter *it);

/* Returns the next task and advances, or NULL when the host is done. */
struct pb_task *iter_next(struct iter *it);

/* The task just returned failed (and was not ignored): moves to the
 * innermost rescue or always as Ansible does. */
void iter_fail(struct iter *it);

/* The section the host is in now (of the innermost block), for the rules
 * that treat rescue differently (stats, ansible_failed_task). */
enum iter_section iter_section(const struct iter *it);
/* Whether any enclosing block is running its rescue. */
int iter_rescuing(const struct iter *it);

/* Runs blocks next, inside the current block (include_tasks / include_role). */
void iter_push_blocks(struct iter *it, struct pb_block **blocks, size_t n);

/* Ends the host's play (meta end_host, end_play, or the host is gone). */
void iter_end(struct iter *it);

#endif
