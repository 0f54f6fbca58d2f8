/* Decodes arbitrary bytes as a stream of worker frames. Every frame that
 * decodes must re-encode to exactly the bytes it came from (the encoding is
 * canonical), and its body must survive wire encode/decode unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "proto/frame.h"
#include "proto/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_frame(const char *p, size_t used, const struct frame *f)
{
	struct value *back = NULL;
	struct buf b;

	buf_init(&b, FRAME_MAX);
	if (frame_encode(&b, f->type, f->id, f->body) != 0)
		fatal("a decoded frame does not encode");
	if (buf_avail(&b) != used || memcmp(buf_ptr(&b), p, used) != 0)
		fatal("re-encoded frame differs from its input");
	buf_reset(&b);
	if (wire_encode(&b, f->body) != 0 || wire_decode(buf_ptr(&b), buf_avail(&b), &back) != 0)
		fatal("a decoded body does not round-trip");
	if (buf_avail(&b) != used - FRAME_HEADER_LEN ||
	    memcmp(buf_ptr(&b), p + FRAME_HEADER_LEN, buf_avail(&b)) != 0)
		fatal("body bytes differ");
	value_unref(back);
	buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct value *v = NULL;
	struct frame f;
	size_t used;
	int r;

	/* The raw bytes as one value, too. */
	if (wire_decode(p, size, &v) == 0) {
		struct buf b;

		buf_init(&b, 0);
		if (wire_encode(&b, v) != 0 || buf_avail(&b) != size || memcmp(buf_ptr(&b), p, size) != 0)
			fatal("value does not re-encode to its input");
		buf_fini(&b);
		value_unref(v);
	}
	while (size > 0) {
		r = frame_decode(p, size, &f, &used);
		if (r == 0 && used == 0)
			break;
		if (r == 0)
			fuzz_check_frame(p, used, &f);
		frame_fini(&f);
		if (used == 0)
			break;
		if (used > size)
			fatal("frame_decode used more than it was given");
		p += used;
		size -= used;
	}
	return 0;
}
