/* libFuzzer target for the HTTP response framing (proto/httpmsg): any
 * bytes as a response head, then the rest as a chunked body fed whole and
 * again split at every position the first byte picks. Both feeds must
 * agree (same outcome, same decoded bytes), decoding must never exceed its
 * input, a complete body must have had its last chunk, and nothing may
 * crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "proto/httpmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_put(void *arg, const char *p, size_t n)
{
	return buf_put(arg, p, n);
}

/* Feeds d[0..n) in pieces of step bytes. Returns the decoder's last
 * result. */
static int fuzz_feed(const char *d, size_t n, size_t step, struct buf *out)
{
	struct httpmsg_chunked c;
	size_t off = 0, used, len;
	int r = 0;

	memset(&c, 0, sizeof(c));
	while (off < n) {
		len = n - off < step ? n - off : step;
		r = httpmsg_chunked_feed(&c, d + off, len, fuzz_put, out, &used);
		if (used > len)
			abort();
		off += used;
		if (r != 0)
			break;
	}
	/* Done means the last chunk was read. */
	if (r == 1 && !httpmsg_chunked_last(&c))
		abort();
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;
	struct httpmsg_head h;
	enum httpmsg_framing fr;
	struct buf a, b;
	uint64_t len;
	size_t hl = 0, step;
	int r, ra, rb;

	memset(&h, 0, sizeof(h));
	r = httpmsg_parse_head(d, size, &h, &hl);
	if (r == 0) {
		if (hl > size || h.status < 100 || h.headers == NULL)
			abort();
		httpmsg_framing(&h, "GET", &fr, &len);
		httpmsg_header(&h, "content-length");
		httpmsg_head_fini(&h);
	} else if (hl != 0 || h.headers != NULL) {
		abort();
	}
	step = size > 0 ? (size_t)data[0] % 17 + 1 : 1;
	buf_init(&a, 1 << 20);
	buf_init(&b, 1 << 20);
	ra = fuzz_feed(d + hl, size - hl, size - hl + 1, &a);
	rb = fuzz_feed(d + hl, size - hl, step, &b);
	if (ra != rb || buf_avail(&a) != buf_avail(&b) || memcmp(buf_ptr(&a), buf_ptr(&b), buf_avail(&a)) != 0)
		abort();
	buf_fini(&a);
	buf_fini(&b);
	return 0;
}
