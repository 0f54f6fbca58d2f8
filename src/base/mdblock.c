/* Block buffering and length padding shared by the 64-byte-block hashes. */
#include "base/mdblock.h"

#include <string.h>

void mdblock_init(struct mdblock *m)
{
	m->total = 0;
	m->nblk = 0;
}

void mdblock_update(struct mdblock *m, const void *p, size_t n, mdblock_fn fn, void *ctx)
{
	const unsigned char *q = p;
	size_t take;

	m->total += n;
	if (m->nblk > 0) {
		take = 64 - m->nblk < n ? 64 - m->nblk : n;
		memcpy(m->blk + m->nblk, q, take);
		m->nblk += take;
		q += take;
		n -= take;
		if (m->nblk < 64)
			return;
		fn(ctx, m->blk);
		m->nblk = 0;
	}
	for (; n >= 64; q += 64, n -= 64)
		fn(ctx, q);
	memcpy(m->blk, q, n);
	m->nblk = n;
}

void mdblock_finish(struct mdblock *m, int little_endian, mdblock_fn fn, void *ctx)
{
	uint64_t bits = m->total * 8;
	int i;

	m->blk[m->nblk++] = 0x80;
	if (m->nblk > 56) {
		memset(m->blk + m->nblk, 0, 64 - m->nblk);
		fn(ctx, m->blk);
		m->nblk = 0;
	}
	memset(m->blk + m->nblk, 0, 56 - m->nblk);
	for (i = 0; i < 8; i++)
		m->blk[56 + i] = (unsigned char)(bits >> (little_endian ? 8 * i : 56 - 8 * i));
	fn(ctx, m->blk);
}
