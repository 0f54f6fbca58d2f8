/* drover-worker: runs modules for drover on a managed host. It speaks the
 * protocol of doc/PROTOCOL.worker on its stdin and stdout, one request at a
 * time; stdout carries frames and nothing else. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/ev.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/version.h"
#include "base/xmalloc.h"
#include "modules/module.h"
#include "proto/frame.h"
#include "worker/become.h"
#include "worker/identity.h"

extern char **environ;

enum {
	WORKER_EXIT_OK = 0,
	WORKER_EXIT_IO = 1,
	WORKER_EXIT_PROTO = 2,
	WORKER_CONTINUE = -1,
};

struct worker {
	struct ev_loop *loop;
	int in, out;     /* the protocol streams, moved off fds 0 and 1 */
	struct buf rbuf; /* bytes read ahead of the next frame */
	struct become_set become; /* escalated workers this one relays to */
};

/* Moves the protocol streams to private descriptors and puts /dev/null on
 * stdin and stderr on stdout, so that nothing printed by mistake can
 * corrupt the stream. */
static int worker_setup_fds(struct worker *w)
{
	int null = -1, r = ERR_INTERNAL;

	if (fcntl(STDERR_FILENO, F_GETFD) < 0 && (null = open("/dev/null", O_WRONLY)) != STDERR_FILENO) {
		r = -EBADF;
		goto out;
	}
	null = -1;
	if ((w->in = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    (w->out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)) < 0) {
		r = -errno;
		goto out;
	}
	if ((null = open("/dev/null", O_RDONLY)) < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
		r = -errno;
		goto out;
	}
	/* frame_read_fd blocks; a non-blocking stream inherited from the
	 * launcher would turn an idle moment into EAGAIN and an exit. */
	if ((r = fd_set_nonblock(w->in, 0)) != 0)
		goto out;
	r = 0;
out:
	if (null > STDERR_FILENO)
		close(null);
	return r;
}

static struct value *worker_hello(void)
{
	struct value *h = value_map(), *mods = value_list();
	char hex[SHA256_HEX_LEN + 1];
	const struct module *m;
	struct passwd *pw;
	struct utsname u;
	size_t i;

	value_map_set(h, "proto", value_int(PROTO_VERSION));
	value_map_set(h, "version", value_str(DROVER_VERSION));
	if (sha256_file_hex("/proc/self/exe", hex) == 0)
		value_map_set(h, "hash", value_str(hex));
	if (uname(&u) == 0) {
		value_map_set(h, "arch", value_str(u.machine));
		value_map_set(h, "os", value_str(u.sysname));
	}
	value_map_set(h, "uid", value_int(getuid()));
	value_map_set(h, "gid", value_int(getgid()));
	if ((pw = getpwuid(getuid())) != NULL) {
		value_map_set(h, "user", value_str(pw->pw_name));
		value_map_set(h, "home", value_str(pw->pw_dir));
	}
	value_map_set(h, "pid", value_int(getpid()));
	for (i = 0; (m = module_at(i)) != NULL; i++)
		value_list_push(mods, value_str(m->name));
	value_map_set(h, "modules", mods);
	return h;
}

/* Writes a frame; an I/O failure ends the worker (the controller is gone). */
static int worker_send(struct worker *w, uint8_t type, uint32_t id, const struct value *body)
{
	int r = frame_write_fd(w->out, type, id, body);

	if (r != 0 && r != ERR_TOOBIG)
		log_v(1, "cannot write to the controller: %s", err_str(r));
	return r;
}

static int worker_error(struct worker *w, uint32_t id, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int worker_error(struct worker *w, uint32_t id, const char *code, const char *fmt, ...)
{
	struct value *body = value_map();
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	value_map_set(body, "code", value_str(code));
	value_map_set(body, "msg", value_str_take(msg, strlen(msg)));
	r = worker_send(w, FRAME_ERROR, id, body);
	value_unref(body);
	return r;
}

/* Sends a module's result. A result too big for one frame loses its
 * invocation first, then becomes a failure that says so: the request is
 * always answered. */
static int worker_reply(struct worker *w, uint32_t id, struct value *res)
{
	struct value *small;
	int r;

	if ((r = worker_send(w, FRAME_REPLY, id, res)) != ERR_TOOBIG)
		return r;
	if (value_map_get(res, "invocation") != NULL) {
		value_map_del(res, "invocation");
		if ((r = worker_send(w, FRAME_REPLY, id, res)) != ERR_TOOBIG)
			return r;
	}
	small = value_map();
	value_map_set(small, "changed", value_bool(value_get_bool(res, "changed", 0)));
	if (value_map_get(res, "rc") != NULL)
		value_map_set(small, "rc", value_ref(value_map_get(res, "rc")));
	module_fail(small, "the module's result is too big to send (over %zu bytes)", FRAME_MAX);
	r = worker_send(w, FRAME_REPLY, id, small);
	value_unref(small);
	return r;
}

/* The worker's environment with env's entries added (replacing those of
 * the same name). */
static char **worker_env(const struct value *env)
{
	size_t n = 0, i, j, k = 0, klen;
	const struct value *key;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = xcalloc(n + value_len(env) + 1, sizeof(*envp));
	for (i = 0; i < n; i++) {
		for (j = 0; j < value_len(env); j++) {
			key = value_map_key_at(env, j);
			klen = key->u.s.len;
			if (strncmp(environ[i], key->u.s.ptr, klen) == 0 && environ[i][klen] == '=')
				break;
		}
		if (j == value_len(env))
			envp[k++] = xstrdup(environ[i]);
	}
	for (j = 0; j < value_len(env); j++)
		envp[k++] = xasprintf("%s=%s", value_map_key_at(env, j)->u.s.ptr,
		                      value_cstr(value_map_val_at(env, j)));
	return envp;
}

static void worker_env_free(char **envp)
{
	size_t i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		free(envp[i]);
	free(envp);
}

/* Checks the request body. Returns NULL when it is valid, or the reason. */
static const char *worker_check_request(const struct value *body)
{
	const struct value *v, *k;
	size_t i;

	if (!value_is_str(v = value_map_get(body, "module")) || value_len(v) == 0 ||
	    strlen(v->u.s.ptr) != v->u.s.len)
		return "\"module\" must be a non-empty string";
	if ((v = value_map_get(body, "args")) != NULL && v->type != VALUE_MAP)
		return "\"args\" must be a map";
	if ((v = value_map_get(body, "check")) != NULL && v->type != VALUE_BOOL)
		return "\"check\" must be a bool";
	if ((v = value_map_get(body, "diff")) != NULL && v->type != VALUE_BOOL)
		return "\"diff\" must be a bool";
	if ((v = value_map_get(body, "timeout")) != NULL &&
	    (v->type != VALUE_INT || v->u.i < 0 || v->u.i > INT64_MAX / 1000))
		return "\"timeout\" must be a non-negative int";
	if ((v = value_map_get(body, "output_cap")) != NULL && (v->type != VALUE_INT || v->u.i < 0))
		return "\"output_cap\" must be a non-negative int";
	if ((v = value_map_get(body, "env")) != NULL) {
		if (v->type != VALUE_MAP)
			return "\"env\" must be a map";
		for (i = 0; i < value_len(v); i++) {
			k = value_map_key_at(v, i);
			if (k->u.s.len == 0 || strlen(k->u.s.ptr) != k->u.s.len || strchr(k->u.s.ptr, '=') != NULL)
				return "\"env\" names must be non-empty, without '=' or NUL";
			if (!value_is_str(value_map_val_at(v, i)) ||
			    strlen(value_map_val_at(v, i)->u.s.ptr) != value_map_val_at(v, i)->u.s.len)
				return "\"env\" values must be strings without NUL";
		}
	}
	return NULL;
}

static int worker_request(struct worker *w, struct frame *f)
{
	struct module_ctx ctx;
	const struct module *m;
	struct value *args = NULL, *res = NULL, *env, *b;
	const char *why, *name;
	char **envp = NULL;
	int64_t cap;
	int r;

	if ((why = worker_check_request(f->body)) != NULL || (why = become_check(f->body)) != NULL)
		return worker_error(w, f->id, "bad_request", "%s", why) == 0 ? WORKER_CONTINUE : WORKER_EXIT_IO;
	if ((b = value_map_get(f->body, "become")) != NULL) {
		/* The frame's bytes, password included, are still in rbuf. Not
		 * dumpable: no core file, and no process of the login user
		 * reads this one's memory or attaches to it from now on. */
		if (value_map_get(b, "pass") != NULL) {
			buf_wipe_spare(&w->rbuf);
			(void)prctl(PR_SET_DUMPABLE, 0);
		}
		return become_relay(&w->become, w->out, f) == 0 ? WORKER_CONTINUE : WORKER_EXIT_IO;
	}
	name = value_get_str(f->body, "module", "");
	if ((m = module_find(name)) == NULL)
		return worker_error(w, f->id, "unknown_module", "drover-worker %s has no module named '%s'",
		                    DROVER_VERSION, name) == 0
		               ? WORKER_CONTINUE
		               : WORKER_EXIT_IO;
	memset(&ctx, 0, sizeof(ctx));
	ctx.loop = w->loop;
	ctx.name = m->name;
	args = value_map_get(f->body, "args") ? value_ref(value_map_get(f->body, "args")) : value_map();
	ctx.args = args;
	ctx.check = value_get_bool(f->body, "check", 0);
	ctx.diff = value_get_bool(f->body, "diff", 0);
	ctx.timeout_s = value_get_int(f->body, "timeout", 0);
	if (ctx.timeout_s > 0)
		ctx.deadline_ms = ev_clock_ms() + (uint64_t)ctx.timeout_s * 1000;
	cap = value_get_int(f->body, "output_cap", 0);
	ctx.output_cap = MODULE_OUTPUT_CAP;
	if (cap > 0)
		ctx.output_cap = (uint64_t)cap < MODULE_OUTPUT_CAP_MAX ? (size_t)cap : MODULE_OUTPUT_CAP_MAX;
	env = value_map_get(f->body, "env");
	if (env != NULL && value_len(env) > 0)
		ctx.envp = envp = worker_env(env);
	log_v(2, "request %" PRIu32 ": %s", f->id, m->name);
	res = module_run(m, &ctx);
	r = worker_reply(w, f->id, res);
	value_unref(res);
	value_unref(args);
	worker_env_free(envp);
	return r == 0 ? WORKER_CONTINUE : WORKER_EXIT_IO;
}

/* Reads the next frame. Returns WORKER_CONTINUE with f filled, or an exit
 * status after telling the controller what went wrong where possible. */
static int worker_read(struct worker *w, struct frame *f)
{
	int r;

	for (;;) {
		switch ((r = frame_read_fd(w->in, &w->rbuf, f))) {
		case 0:
			return WORKER_CONTINUE;
		case ERR_EOF:
			return WORKER_EXIT_OK;
		case ERR_VERSION:
			worker_error(w, 0, "version", "drover-worker %s speaks protocol %d, not %d", DROVER_VERSION,
			             PROTO_VERSION, f->version);
			return WORKER_EXIT_PROTO;
		case ERR_TOOBIG:
			worker_error(w, 0, "too_big", "frame larger than %zu bytes", FRAME_MAX);
			return WORKER_EXIT_PROTO;
		case ERR_PROTO:
			/* Delimited, so skipped: the stream is still in step. */
			if (worker_error(w, f->id, "malformed", "malformed %s frame", frame_type_name(f->type)) != 0)
				return WORKER_EXIT_IO;
			continue;
		default:
			log_error("cannot read from the controller: %s", err_str(r));
			return WORKER_EXIT_IO;
		}
	}
}

static int worker_handshake(struct worker *w)
{
	struct value *hello = worker_hello();
	struct frame f;
	int64_t proto;
	int r;

	memset(&f, 0, sizeof(f));
	r = worker_send(w, FRAME_HELLO, 0, hello);
	value_unref(hello);
	if (r != 0)
		return WORKER_EXIT_IO;
	if ((r = worker_read(w, &f)) != WORKER_CONTINUE)
		return r;
	if (f.type != FRAME_HELLO) {
		worker_error(w, 0, "malformed", "expected HELLO, got %s", frame_type_name(f.type));
		r = WORKER_EXIT_PROTO;
	} else if ((proto = value_get_int(f.body, "proto", -1)) != PROTO_VERSION) {
		worker_error(w, 0, "version", "drover-worker %s speaks protocol %d, the controller %lld",
		             DROVER_VERSION, PROTO_VERSION, (long long)proto);
		r = WORKER_EXIT_PROTO;
	} else if (value_map_get(f.body, "become") != NULL &&
	           (r = identity_apply(value_get_bool(value_map_get(f.body, "become"), "login", 0))) != 0) {
		/* Running tasks under a half-taken identity would be worse. */
		log_error("cannot take on the identity of uid %u: %s", (unsigned)geteuid(), err_str(r));
		r = WORKER_EXIT_PROTO;
	} else {
		log_v(2, "controller %s", value_get_str(f.body, "version", "?"));
		r = WORKER_CONTINUE;
	}
	frame_fini(&f);
	return r;
}

static int worker_serve(struct worker *w)
{
	struct frame f;
	int r;

	if ((r = worker_handshake(w)) != WORKER_CONTINUE)
		return r;
	for (;;) {
		memset(&f, 0, sizeof(f));
		if ((r = worker_read(w, &f)) != WORKER_CONTINUE)
			return r;
		switch (f.type) {
		case FRAME_REQUEST:
			r = worker_request(w, &f);
			break;
		case FRAME_BYE:
			r = WORKER_EXIT_OK;
			break;
		case FRAME_ERROR:
			/* Not answered, so two peers cannot trade errors for ever. */
			log_error("controller: %s: %s", value_get_str(f.body, "code", "?"),
			          value_get_str(f.body, "msg", ""));
			r = WORKER_CONTINUE;
			break;
		default:
			r = worker_error(w, f.id, "malformed", "unexpected %s frame", frame_type_name(f.type)) == 0
			            ? WORKER_CONTINUE
			            : WORKER_EXIT_IO;
			break;
		}
		frame_fini(&f);
		if (r != WORKER_CONTINUE)
			return r;
	}
}

int main(int argc, char **argv)
{
	struct worker w;
	struct sigaction sa;
	sigset_t mask;
	const char *v;
	int r;

	log_set_prog("drover-worker");
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("drover-worker %s (protocol %d)\n", DROVER_VERSION, PROTO_VERSION);
		return 0;
	}
	if (argc > 1) {
		log_error("usage: drover-worker [--version] (it speaks doc/PROTOCOL.worker on stdin/stdout)");
		return WORKER_EXIT_PROTO;
	}
	if ((v = getenv("DROVER_WORKER_VERBOSITY")) != NULL)
		log_set_verbosity((int)strtol(v, NULL, 10));
	/* A dead controller must show up as EPIPE on write, not kill us
	 * between a command and its reply. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* A mask inherited from the launcher would hold back the SIGCHLD the
	 * loop waits for. */
	sigemptyset(&mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	memset(&w, 0, sizeof(w));
	w.in = w.out = -1;
	if ((r = worker_setup_fds(&w)) != 0) {
		log_error("cannot set up the protocol streams: %s", err_str(r));
		return WORKER_EXIT_IO;
	}
	buf_init(&w.rbuf, FRAME_MAX);
	/* Requests may carry a become password: no stale copy on growth. */
	w.rbuf.secret = 1;
	w.loop = ev_new();
	become_set_init(&w.become);
	r = worker_serve(&w);
	become_set_fini(&w.become);
	ev_free(w.loop);
	buf_fini(&w.rbuf);
	fd_close(&w.in);
	fd_close(&w.out);
	return r;
}
