/* Relaying escalated requests to the workers started through sudo, su or
 * doas. The login worker handles one request at a time, so the relay simply
 * waits for the answer, copying the escalated worker's stderr to its own. */
#include "worker/become.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xmalloc.h"

#define BECOME_KEY_SEP '\x1f'
#define BECOME_STR_(n) #n
#define BECOME_STR(n)  BECOME_STR_(n)
#define BECOME_MAX_STR BECOME_STR(BECOME_MAX_CHILDREN)

void become_set_init(struct become_set *bs)
{
	memset(bs, 0, sizeof(*bs));
}

static void become_child_fini(struct become_child *c)
{
	escalate_close(&c->e);
	free(c->key);
	free(c->failed);
	free(c->label);
	memset(c, 0, sizeof(*c));
}

void become_set_fini(struct become_set *bs)
{
	size_t i;

	for (i = 0; i < bs->n; i++)
		become_child_fini(&bs->kids[i]);
	bs->n = 0;
}

static int become_cstr_ok(const struct value *v, int empty_ok)
{
	return v == NULL || (value_is_str(v) && strlen(v->u.s.ptr) == v->u.s.len && (empty_ok || v->u.s.len > 0));
}

/* A misspelt key (say "password") must not quietly escalate without it. */
static int become_keys_known(const struct value *b)
{
	static const char *const known[] = {"method", "user", "exe", "flags", "pass", "timeout", NULL};
	size_t i, k;

	for (i = 0; i < value_len(b); i++) {
		for (k = 0; known[k] != NULL && strcmp(value_map_key_at(b, i)->u.s.ptr, known[k]) != 0; k++)
			;
		if (known[k] == NULL)
			return 0;
	}
	return 1;
}

const char *become_check(const struct value *body)
{
	const struct value *b = value_map_get(body, "become"), *v;

	if (b == NULL)
		return NULL;
	if (b->type != VALUE_MAP)
		return "\"become\" must be a map";
	if (!become_keys_known(b))
		return "\"become\" has an unknown key (known: method, user, exe, flags, pass, timeout)";
	if (!become_cstr_ok(v = value_map_get(b, "method"), 0) || (v != NULL && !escalate_method_ok(v->u.s.ptr)))
		return "\"become.method\" must be one of sudo, su, doas";
	if (!become_cstr_ok(value_map_get(b, "user"), 0) || !become_cstr_ok(value_map_get(b, "exe"), 1) ||
	    !become_cstr_ok(value_map_get(b, "flags"), 1) || !become_cstr_ok(value_map_get(b, "pass"), 1))
		return "\"become\" user, exe, flags and pass must be strings without NUL";
	if ((v = value_map_get(b, "timeout")) != NULL && (v->type != VALUE_INT || v->u.i < 0 || v->u.i > 3600))
		return "\"become.timeout\" must be an int from 0 to 3600";
	return NULL;
}

static void become_spec(const struct value *b, struct escalate_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->method = value_get_str(b, "method", "sudo");
	s->user = value_get_str(b, "user", "root");
	s->exe = value_get_str(b, "exe", NULL);
	s->flags = value_get_str(b, "flags", NULL);
	s->pass = value_get_str(b, "pass", NULL);
	/* As Ansible's plugins test it: an empty password is none, asked
	 * for with -n instead of costing a failed attempt. */
	if (s->pass != NULL && *s->pass == '\0')
		s->pass = NULL;
	s->timeout_s = (int)value_get_int(b, "timeout", 0);
}

static struct become_child *become_find(struct become_set *bs, struct escalate_spec *s)
{
	char *key = xasprintf("%s%c%s%c%s%c%s", s->method, BECOME_KEY_SEP, s->user, BECOME_KEY_SEP,
	                      s->exe ? s->exe : "", BECOME_KEY_SEP, s->flags ? s->flags : "\x1e");
	struct become_child *c = NULL;
	size_t i;
	char *msg;

	for (i = 0; i < bs->n; i++)
		if (strcmp(bs->kids[i].key, key) == 0) {
			free(key);
			return &bs->kids[i];
		}
	if (bs->n == BECOME_MAX_CHILDREN) {
		free(key);
		return NULL;
	}
	c = &bs->kids[bs->n++];
	c->key = key;
	c->label = xasprintf("%s to %s", s->method, s->user);
	log_v(2, "become: starting a worker (%s)", c->label);
	if (escalate_start(s, &c->e, &msg) != 0)
		c->failed = msg;
	return c;
}

static int become_fail(int out, uint32_t id, const char *msg)
{
	struct value *res = value_map();
	int r;

	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "failed", value_bool(1));
	value_map_set(res, "msg", value_str(msg));
	r = frame_write_fd(out, FRAME_REPLY, id, res);
	value_unref(res);
	return r;
}

/* The escalated worker is gone: this and every later request of its key
 * fail, as a new escalation could cost another password attempt. */
static int become_lost(struct become_child *c, int out, uint32_t id)
{
	escalate_close(&c->e);
	free(c->failed);
	c->failed = xasprintf("the escalated worker (%s) has exited", c->label);
	return become_fail(out, id, c->failed);
}

/* Copies what the escalated worker says on stderr to ours. */
static void become_copy_err(struct become_child *c)
{
	char tmp[4096];
	ssize_t n = read(c->e.err, tmp, sizeof(tmp));

	if (n > 0)
		(void)!write(STDERR_FILENO, tmp, (size_t)n);
	else if (n == 0 || errno != EINTR)
		fd_close(&c->e.err);
}

/* Reads from the escalated worker until the frame answering id; copies it
 * to out as it came. Returns 1 when copied, 0 to read on, or a negative
 * error: ERR_EOF (the worker is gone) or a failed write to out (-errno). */
static int become_answer(struct become_child *c, int out, uint32_t id)
{
	size_t used = 0, room = c->e.rbuf.max - buf_avail(&c->e.rbuf);
	struct frame f;
	char *p;
	ssize_t n;
	int r;

	/* Near the cap, no more than fits: a frame of FRAME_MAX always does. */
	if (room > 65536)
		room = 65536;
	if (room == 0 || buf_reserve(&c->e.rbuf, room, &p) != 0)
		return ERR_EOF;
	if ((n = read(c->e.out, p, room)) <= 0)
		return n < 0 && errno == EINTR ? 0 : ERR_EOF;
	buf_commit(&c->e.rbuf, (size_t)n);
	for (;;) {
		memset(&f, 0, sizeof(f));
		/* A worker of our own build sending garbage is as good as gone. */
		if (frame_decode(buf_ptr(&c->e.rbuf), buf_avail(&c->e.rbuf), &f, &used) != 0)
			return ERR_EOF;
		if (used == 0)
			return 0;
		r = 0;
		if (f.id == id && f.type == FRAME_REPLY && c->e.tty && !c->noted) {
			/* Shown at -v: a pty is a departure from the default. */
			value_map_set(
			        f.body, "_drover_note",
			        value_strf("become: %s requires a tty here (requiretty); it got a pty", c->label));
			c->noted = 1;
			r = frame_write_fd(out, f.type, f.id, f.body) == 0 ? 1 : -EPIPE;
		} else if (f.id == id && (f.type == FRAME_REPLY || f.type == FRAME_ERROR)) {
			r = fd_write_all(out, buf_ptr(&c->e.rbuf), used) == 0 ? 1 : -EPIPE;
		}
		if (r == 0)
			log_error("escalated worker (%s): unexpected %s frame", c->label, frame_type_name(f.type));
		frame_fini(&f);
		buf_consume(&c->e.rbuf, used);
		buf_compact(&c->e.rbuf);
		if (r != 0)
			return r;
	}
}

static int become_wait(struct become_child *c, int out, uint32_t id)
{
	struct pollfd pfd[2];
	int r;

	for (;;) {
		pfd[0] = (struct pollfd){.fd = c->e.out, .events = POLLIN};
		pfd[1] = (struct pollfd){.fd = c->e.err, .events = POLLIN};
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return become_lost(c, out, id);
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			become_copy_err(c);
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((r = become_answer(c, out, id)) == 1)
			return 0;
		if (r == ERR_EOF)
			return become_lost(c, out, id);
		if (r < 0)
			return r;
	}
}

int become_relay(struct become_set *bs, int out, struct frame *f)
{
	struct value *b = value_map_get(f->body, "become");
	const struct value *pass = value_map_get(b, "pass");
	struct escalate_spec s;
	struct become_child *c;
	int r;

	become_spec(b, &s);
	c = become_find(bs, &s);
	if (pass != NULL)
		memset(pass->u.s.ptr, 0, pass->u.s.len);
	value_map_del(f->body, "become");
	if (c == NULL)
		return become_fail(
		        out, f->id,
		        "too many different become (method, user, exe, flags) in one session: at most " BECOME_MAX_STR);
	if (c->failed != NULL)
		return become_fail(out, f->id, c->failed);
	if (frame_write_fd(c->e.in, FRAME_REQUEST, f->id, f->body) != 0)
		return become_lost(c, out, f->id);
	r = become_wait(c, out, f->id);
	return r;
}
