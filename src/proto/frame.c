/* Frames of the worker protocol (doc/PROTOCOL.worker, section 2). */
#include "proto/frame.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "proto/wire.h"

/* Bytes the length field counts: version, type, id. */
#define FRAME_FIXED (FRAME_HEADER_LEN - 4)
/* An empty map: tag and count. */
#define FRAME_MIN_BODY 5

const char *frame_type_name(uint8_t type)
{
	switch (type) {
	case FRAME_HELLO: return "HELLO";
	case FRAME_REQUEST: return "REQUEST";
	case FRAME_REPLY: return "REPLY";
	case FRAME_ERROR: return "ERROR";
	case FRAME_BYE: return "BYE";
	default: return "unknown";
	}
}

int frame_encode(struct buf *out, uint8_t type, uint32_t id, const struct value *body)
{
	struct value *empty = NULL;
	/* Counted from the unread part: a buffer with consumed bytes (a
	 * write queue half sent) may compact while the frame is appended. */
	size_t start = out->len - out->off, flen;
	int r = ERR_INTERNAL;

	if (body == NULL)
		body = empty = value_map();
	if (body->type != VALUE_MAP) {
		r = ERR_INVAL;
		goto out;
	}
	if ((r = buf_put_u32(out, 0)) != 0 || (r = buf_put_u8(out, PROTO_VERSION)) != 0 ||
	    (r = buf_put_u8(out, type)) != 0 || (r = buf_put_u32(out, id)) != 0 ||
	    (r = wire_encode(out, body)) != 0)
		goto out;
	flen = out->len - out->off - start;
	if (flen > FRAME_MAX) {
		r = ERR_TOOBIG;
		goto out;
	}
	flen -= 4;
	out->data[out->off + start] = (char)(flen >> 24);
	out->data[out->off + start + 1] = (char)(flen >> 16);
	out->data[out->off + start + 2] = (char)(flen >> 8);
	out->data[out->off + start + 3] = (char)flen;
	r = 0;
out:
	if (r != 0 && out->len - out->off > start) {
		out->len = out->off + start;
		out->data[out->len] = '\0';
	}
	value_unref(empty);
	return r;
}

int frame_decode(const char *p, size_t len, struct frame *f, size_t *usedp)
{
	const unsigned char *q = (const unsigned char *)p;
	struct value *body = NULL;
	uint32_t flen;
	int r = ERR_INTERNAL;

	memset(f, 0, sizeof(*f));
	*usedp = 0;
	/* The version byte is judged before the length, so that a peer whose
	 * framing differs is reported as a version mismatch, not as a size. */
	if (len < 5) {
		r = 0;
		goto out;
	}
	f->version = q[4];
	if (f->version != PROTO_VERSION) {
		r = ERR_VERSION;
		goto out;
	}
	flen = buf_get_u32(q);
	if (flen > FRAME_MAX - 4) {
		r = ERR_TOOBIG;
		goto out;
	}
	if (len - 4 < flen) {
		r = 0;
		goto out;
	}
	/* From here the frame's extent is known: errors report it so that the
	 * caller can skip the frame and stay in step with the stream. */
	*usedp = (size_t)flen + 4;
	if (flen < FRAME_FIXED + FRAME_MIN_BODY) {
		r = ERR_PROTO;
		goto out;
	}
	f->type = q[5];
	f->id = buf_get_u32(q + 6);
	if (f->type < FRAME_HELLO || f->type > FRAME_BYE) {
		r = ERR_PROTO;
		goto out;
	}
	if (wire_decode(p + FRAME_HEADER_LEN, flen - FRAME_FIXED, &body) != 0 || body->type != VALUE_MAP) {
		r = ERR_PROTO;
		goto out;
	}
	f->body = body;
	body = NULL;
	r = 0;
out:
	value_unref(body);
	if (r != 0 && r != ERR_PROTO)
		*usedp = 0;
	return r;
}

void frame_fini(struct frame *f)
{
	value_unref(f->body);
	memset(f, 0, sizeof(*f));
}

int frame_read_fd(int fd, struct buf *in, struct frame *f)
{
	size_t used, want, whole;
	ssize_t n;
	char *p;
	int r = ERR_INTERNAL;

	for (;;) {
		r = frame_decode(buf_ptr(in), buf_avail(in), f, &used);
		if (used > 0)
			buf_consume(in, used);
		if (r != 0 || used > 0)
			return r;
		/* Read the rest of a frame whose length is known in one go;
		 * otherwise a chunk. The cap of in bounds both. */
		want = 65536;
		if (buf_avail(in) >= 4) {
			whole = (size_t)buf_get_u32(buf_ptr(in)) + 4;
			if (whole <= FRAME_MAX && whole > buf_avail(in) && whole - buf_avail(in) > want)
				want = whole - buf_avail(in);
		}
		/* Near the cap, read no more than fits: a frame up to
		 * FRAME_MAX always does. */
		if (want > in->max - buf_avail(in))
			want = in->max - buf_avail(in);
		if (want == 0)
			return ERR_TOOBIG;
		if ((r = buf_reserve(in, want, &p)) != 0)
			return r;
		do
			n = read(fd, p, want);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return -errno;
		if (n == 0) {
			buf_consume(in, buf_avail(in));
			return ERR_EOF;
		}
		buf_commit(in, (size_t)n);
	}
}

int frame_write_fd(int fd, uint8_t type, uint32_t id, const struct value *body)
{
	struct buf out;
	int r = ERR_INTERNAL;

	buf_init(&out, FRAME_MAX);
	if ((r = frame_encode(&out, type, id, body)) != 0)
		goto out;
	r = fd_write_all(fd, buf_ptr(&out), buf_avail(&out));
out:
	buf_fini(&out);
	return r;
}
