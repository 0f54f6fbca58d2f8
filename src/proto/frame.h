/* Frames of the worker protocol (doc/PROTOCOL.worker): a 4-byte big-endian
 * length, a version byte, a type byte, a 4-byte request id and one
 * wire-encoded value. Shared by drover and drover-worker. */
#ifndef DROVER_PROTO_FRAME_H
#define DROVER_PROTO_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "data/value.h"

#define PROTO_VERSION 2
#define FRAME_HEADER_LEN 10            /* length(4) version(1) type(1) id(4) */
#define FRAME_MAX ((size_t)64 << 20)   /* largest frame, header included */

enum frame_type {
	FRAME_HELLO = 1,   /* both ends, first frame, id 0 */
	FRAME_REQUEST = 2, /* controller -> worker */
	FRAME_REPLY = 3,   /* worker -> controller, id echoes the request */
	FRAME_ERROR = 4,   /* either way: a request or frame was refused */
	FRAME_BYE = 5,     /* controller -> worker: finish and exit */
};

struct frame {
	uint8_t version;
	uint8_t type;
	uint32_t id;
	struct value *body; /* owned; a map */
};

/* Appends a frame carrying body (a map; NULL sends an empty map) to out.
 * Returns 0, ERR_TOOBIG (frame over FRAME_MAX or out's cap), ERR_DEPTH or
 * ERR_INVAL (body not a map); on failure out is left as it was. */
int frame_encode(struct buf *out, uint8_t type, uint32_t id, const struct value *body);

/* Decodes the first frame in p[0..len). Returns 0 with *usedp 0 when more
 * bytes are needed; 0 with *usedp the frame's size and f filled when one was
 * decoded; ERR_TOOBIG (declared length over FRAME_MAX), ERR_VERSION (version
 * byte not PROTO_VERSION: f->version is set so the caller can say which),
 * or ERR_PROTO (bad type, malformed body, body not a map) otherwise. With
 * ERR_PROTO on a complete frame, *usedp is its size (so the caller can skip
 * it and stay in step) and f->type and f->id are set, f->body NULL; after
 * the other errors *usedp is 0 and the stream cannot be resynchronised. */
int frame_decode(const char *p, size_t len, struct frame *f, size_t *usedp);

/* Frees f's body and clears f. */
void frame_fini(struct frame *f);

/* Blocking helpers for simple peers (the worker): read exactly one frame from
 * fd, buffering extra bytes in in (whose cap must be at least FRAME_MAX);
 * write one frame. Return 0, ERR_EOF at the end of the stream (a partial
 * frame before it is dropped: the peer died while writing it), -errno or a
 * frame_decode error. A malformed frame that frame_decode could delimit is
 * consumed from in, with f->type and f->id set, so the next call reads the
 * frame after it. */
int frame_read_fd(int fd, struct buf *in, struct frame *f);
int frame_write_fd(int fd, uint8_t type, uint32_t id, const struct value *body);

const char *frame_type_name(uint8_t type);

#endif
