/* Worker protocol frames: header layout, partial input, size and version
 * checks, skipping a malformed frame, and the blocking fd helpers. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "proto/frame.h"
#include "t.h"

static void test_layout(void)
{
	static const char want[] = "\0\0\0\x0b\2\2\0\0\0\x2a" "M\0\0\0\0";
	struct buf b;
	struct frame f;
	size_t used, n;

	buf_init(&b, 0);
	T_EQ_INT(frame_encode(&b, FRAME_REQUEST, 42, NULL), 0);
	T_EQ_INT(buf_avail(&b), sizeof(want) - 1);
	T_CHECK(memcmp(buf_ptr(&b), want, sizeof(want) - 1) == 0);
	/* Every proper prefix asks for more. */
	for (n = 0; n < buf_avail(&b); n++) {
		T_EQ_INT(frame_decode(buf_ptr(&b), n, &f, &used), 0);
		T_EQ_INT(used, 0);
	}
	T_EQ_INT(frame_decode(buf_ptr(&b), buf_avail(&b), &f, &used), 0);
	T_EQ_INT(used, 15);
	T_EQ_INT(f.type, FRAME_REQUEST);
	T_EQ_INT(f.id, 42);
	T_EQ_INT(f.version, PROTO_VERSION);
	T_CHECK(f.body != NULL && f.body->type == VALUE_MAP && value_len(f.body) == 0);
	frame_fini(&f);
	T_CHECK(f.body == NULL);
	buf_fini(&b);
}

static void test_two_frames(void)
{
	struct value *m = value_map();
	struct buf b;
	struct frame f;
	size_t used;

	value_map_set(m, "module", value_str("ping"));
	buf_init(&b, 0);
	T_EQ_INT(frame_encode(&b, FRAME_HELLO, 0, m), 0);
	T_EQ_INT(frame_encode(&b, FRAME_BYE, 7, NULL), 0);
	T_EQ_INT(frame_decode(buf_ptr(&b), buf_avail(&b), &f, &used), 0);
	T_EQ_STR(value_get_str(f.body, "module", NULL), "ping");
	frame_fini(&f);
	buf_consume(&b, used);
	T_EQ_INT(frame_decode(buf_ptr(&b), buf_avail(&b), &f, &used), 0);
	T_EQ_INT(f.type, FRAME_BYE);
	T_EQ_INT(f.id, 7);
	T_EQ_INT(used, buf_avail(&b));
	frame_fini(&f);
	value_unref(m);
	buf_fini(&b);
}

/* A write queue half sent (consumed bytes at the front) compacts while a
 * frame is appended; the frame must still come out whole. */
static void test_after_consume(void)
{
	struct value *m = value_map();
	char junk[1000];
	struct buf b;
	struct frame f;
	size_t used;

	memset(junk, 'x', sizeof(junk));
	value_map_set(m, "data", value_strn(junk, sizeof(junk)));
	buf_init(&b, 0);
	T_EQ_INT(buf_put(&b, junk, sizeof(junk)), 0);
	T_EQ_INT(buf_put(&b, "ab", 2), 0);
	buf_consume(&b, sizeof(junk));
	T_EQ_INT(frame_encode(&b, FRAME_REQUEST, 9, m), 0);
	T_EQ_INT(buf_avail(&b) > 2, 1);
	T_EQ_INT(memcmp(buf_ptr(&b), "ab", 2), 0);
	T_EQ_INT(frame_decode(buf_ptr(&b) + 2, buf_avail(&b) - 2, &f, &used), 0);
	T_EQ_INT(f.id, 9);
	T_EQ_INT(value_len(value_map_get(f.body, "data")), sizeof(junk));
	T_EQ_INT(used, buf_avail(&b) - 2);
	frame_fini(&f);
	value_unref(m);
	buf_fini(&b);
}

static void test_refusals(void)
{
	struct frame f;
	size_t used;
	struct value *s = value_str("x");
	struct buf b;

	/* Version is judged as soon as its byte is there. */
	T_EQ_INT(frame_decode("\0\0\0\x0b\3", 5, &f, &used), ERR_VERSION);
	T_EQ_INT(f.version, 3);
	T_EQ_INT(used, 0);
	/* A declared length over FRAME_MAX is refused without waiting for it. */
	T_EQ_INT(frame_decode("\x04\0\0\0\2", 5, &f, &used), ERR_TOOBIG);
	T_EQ_INT(frame_decode("\x03\xff\xff\xfc\2", 5, &f, &used), 0);
	T_EQ_INT(frame_decode("\x03\xff\xff\xfd\2", 5, &f, &used), ERR_TOOBIG);
	/* Malformed bodies and bad types are delimited so they can be skipped. */
	T_EQ_INT(frame_decode("\0\0\0\x0b\2\2\0\0\0\5" "L\0\0\0\0", 15, &f, &used), ERR_PROTO);
	T_EQ_INT(used, 15);
	T_EQ_INT(f.id, 5);
	T_EQ_INT(f.type, FRAME_REQUEST);
	T_CHECK(f.body == NULL);
	T_EQ_INT(frame_decode("\0\0\0\x0b\2\x09\0\0\0\5" "M\0\0\0\0", 15, &f, &used), ERR_PROTO);
	T_EQ_INT(used, 15);
	T_EQ_INT(frame_decode("\0\0\0\x0c\2\2\0\0\0\5" "M\0\0\0\0N", 16, &f, &used), ERR_PROTO);
	T_EQ_INT(frame_decode("\0\0\0\x02\2\2", 6, &f, &used), ERR_PROTO);
	T_EQ_INT(used, 6);
	/* Encoding refuses a body that is not a map. */
	buf_init(&b, 0);
	T_EQ_INT(frame_encode(&b, FRAME_REPLY, 1, s), ERR_INVAL);
	T_EQ_INT(buf_avail(&b), 0);
	buf_fini(&b);
	value_unref(s);
}

static void test_too_big(void)
{
	struct value *m = value_map();
	char *big = malloc(FRAME_MAX);
	struct buf b;

	memset(big, 'x', FRAME_MAX);
	/* Body overhead: map(5) + key len(4) + "k"(1) + tag(1) + len(4). */
	value_map_set(m, "k", value_strn(big, FRAME_MAX - FRAME_HEADER_LEN - 15));
	buf_init(&b, FRAME_MAX * 2);
	T_EQ_INT(frame_encode(&b, FRAME_REPLY, 1, m), 0);
	T_EQ_INT(buf_avail(&b), FRAME_MAX);
	buf_reset(&b);
	value_map_set(m, "k", value_strn(big, FRAME_MAX - FRAME_HEADER_LEN - 14));
	T_EQ_INT(frame_encode(&b, FRAME_REPLY, 1, m), ERR_TOOBIG);
	T_EQ_INT(buf_avail(&b), 0);
	buf_fini(&b);
	value_unref(m);
	free(big);
}

static void test_fd(void)
{
	struct value *m = value_map();
	struct buf in;
	struct frame f;
	int p[2];

	T_EQ_INT(pipe(p), 0);
	value_map_set(m, "data", value_strn("\0\1\2", 3));
	T_EQ_INT(frame_write_fd(p[1], FRAME_REQUEST, 3, m), 0);
	T_EQ_INT(frame_write_fd(p[1], FRAME_BYE, 0, NULL), 0);
	/* A malformed but complete frame, then a partial one. */
	T_CHECK(write(p[1], "\0\0\0\x0b\2\2\0\0\0\4" "X\0\0\0\0", 15) == 15);
	T_CHECK(write(p[1], "\0\0\0\x0b\2\2", 6) == 6);
	close(p[1]);
	buf_init(&in, FRAME_MAX);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), 0);
	T_EQ_INT(f.id, 3);
	T_EQ_INT(value_len(value_map_get(f.body, "data")), 3);
	frame_fini(&f);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), 0);
	T_EQ_INT(f.type, FRAME_BYE);
	frame_fini(&f);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), ERR_PROTO);
	T_EQ_INT(f.id, 4);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), ERR_EOF);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), ERR_EOF);
	close(p[0]);
	buf_fini(&in);
	value_unref(m);
}

/* Frames of every size up to FRAME_MAX come through a pipe, also when
 * the read-ahead buffer holds the start of the next one. */
static void test_fd_big(void)
{
	struct value *m = value_map(), *small = value_map();
	struct buf in;
	struct frame f;
	char *big = malloc(FRAME_MAX);
	int p[2], i, status;
	pid_t pid;

	memset(big, 'y', FRAME_MAX);
	value_map_set(m, "k", value_strn(big, FRAME_MAX - FRAME_HEADER_LEN - 15));
	value_map_set(small, "n", value_int(1));
	T_EQ_INT(pipe(p), 0);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		for (i = 0; i < 2; i++)
			if (frame_write_fd(p[1], FRAME_REQUEST, 1, small) != 0 ||
			    frame_write_fd(p[1], FRAME_REQUEST, 2, m) != 0)
				_exit(1);
		_exit(frame_write_fd(p[1], FRAME_BYE, 3, small) != 0);
	}
	close(p[1]);
	buf_init(&in, FRAME_MAX);
	for (i = 0; i < 2; i++) {
		T_EQ_INT(frame_read_fd(p[0], &in, &f), 0);
		T_EQ_INT(f.id, 1);
		frame_fini(&f);
		T_EQ_INT(frame_read_fd(p[0], &in, &f), 0);
		T_EQ_INT(f.id, 2);
		T_EQ_INT(value_len(value_map_get(f.body, "k")), FRAME_MAX - FRAME_HEADER_LEN - 15);
		frame_fini(&f);
	}
	T_EQ_INT(frame_read_fd(p[0], &in, &f), 0);
	T_EQ_INT(f.type, FRAME_BYE);
	frame_fini(&f);
	T_EQ_INT(frame_read_fd(p[0], &in, &f), ERR_EOF);
	T_CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(p[0]);
	buf_fini(&in);
	value_unref(m);
	value_unref(small);
	free(big);
}

int main(void)
{
	T_RUN(test_layout);
	T_RUN(test_two_frames);
	T_RUN(test_after_consume);
	T_RUN(test_refusals);
	T_RUN(test_too_big);
	T_RUN(test_fd);
	T_RUN(test_fd_big);
	return T_DONE();
}
