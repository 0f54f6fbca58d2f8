/* The per-host block cursor. */
#include "exec/iter.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

void iter_init(struct iter *it, struct pb_block **blocks, size_t n)
{
	memset(it, 0, sizeof(*it));
	it->blocks = blocks;
	it->nblocks = n;
}

void iter_fini(struct iter *it)
{
	free(it->frames);
	memset(it, 0, sizeof(*it));
}

static void iter_push(struct iter *it, struct pb_block *blk)
{
	if (it->nframes == it->cap) {
		it->cap = it->cap ? it->cap * 2 : 8;
		it->frames = xreallocarray(it->frames, it->cap, sizeof(*it->frames));
	}
	memset(&it->frames[it->nframes], 0, sizeof(it->frames[0]));
	it->frames[it->nframes++].blk = blk;
}

static struct pb_obj **iter_items(const struct iter_frame *f, size_t *np)
{
	switch (f->section) {
	case ITER_RESCUE: *np = f->blk->nrescue; return f->blk->rescue;
	case ITER_ALWAYS: *np = f->blk->nalways; return f->blk->always;
	case ITER_TASKS:
	default: *np = f->blk->nblock; return f->blk->block;
	}
}

/* The innermost block ended with an unrescued failure: its parent fails. */
static void iter_pop_failed(struct iter *it)
{
	/* Later siblings of the failed block never run. */
	while (it->nframes > 0 && it->frames[--it->nframes].sib_below)
		;
	if (it->nframes == 0) {
		it->failed = 1;
		it->done = 1;
		return;
	}
	iter_fail(it);
}

/* The current section of the innermost block has no more items. */
static void iter_section_done(struct iter *it)
{
	struct iter_frame *f = &it->frames[it->nframes - 1];

	if (f->section != ITER_ALWAYS && f->blk->nalways > 0) {
		f->section = ITER_ALWAYS;
		f->idx = 0;
		return;
	}
	if (f->failed)
		iter_pop_failed(it);
	else
		it->nframes--;
}

struct pb_task *iter_next(struct iter *it)
{
	struct iter_frame *f;
	struct pb_obj **items, *o;
	struct pb_block *b;
	size_t n;

	while (!it->done) {
		if (it->nframes == 0) {
			if (it->next_block >= it->nblocks) {
				it->done = 1;
				break;
			}
			iter_push(it, it->blocks[it->next_block++]);
			continue;
		}
		f = &it->frames[it->nframes - 1];
		items = iter_items(f, &n);
		if (f->idx >= n) {
			iter_section_done(it);
			continue;
		}
		o = items[f->idx++];
		if ((b = pb_obj_block(o)) != NULL) {
			iter_push(it, b);
			continue;
		}
		return pb_obj_task(o);
	}
	return NULL;
}

void iter_fail(struct iter *it)
{
	struct iter_frame *f;

	if (it->nframes == 0) {
		it->failed = 1;
		it->done = 1;
		return;
	}
	f = &it->frames[it->nframes - 1];
	switch (f->section) {
	case ITER_TASKS:
		f->failed = 1;
		if (f->blk->nrescue > 0) {
			f->section = ITER_RESCUE;
			f->idx = 0;
			/* Rescue may clear it: a block whose rescue succeeds is not failed. */
			f->failed = 0;
			return;
		}
		if (f->blk->nalways > 0) {
			f->section = ITER_ALWAYS;
			f->idx = 0;
			return;
		}
		iter_pop_failed(it);
		return;
	case ITER_RESCUE:
		f->failed = 1;
		if (f->blk->nalways > 0) {
			f->section = ITER_ALWAYS;
			f->idx = 0;
			return;
		}
		iter_pop_failed(it);
		return;
	case ITER_ALWAYS:
		iter_pop_failed(it);
		return;
	}
}

enum iter_section iter_section(const struct iter *it)
{
	return it->nframes ? it->frames[it->nframes - 1].section : ITER_TASKS;
}

int iter_rescuing(const struct iter *it)
{
	size_t i;

	for (i = 0; i < it->nframes; i++)
		if (it->frames[i].section == ITER_RESCUE)
			return 1;
	return 0;
}

void iter_push_blocks(struct iter *it, struct pb_block **blocks, size_t n)
{
	size_t i;

	/* Pushed in reverse so the first block runs first; all of them are
	 * nested in the current block, so failures propagate to it. */
	for (i = n; i-- > 0;) {
		iter_push(it, blocks[i]);
		it->frames[it->nframes - 1].sib_below = i + 1 < n;
	}
}

void iter_end(struct iter *it)
{
	it->nframes = 0;
	it->next_block = it->nblocks;
	it->done = 1;
}
