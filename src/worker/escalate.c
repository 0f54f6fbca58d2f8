/* Starting the escalated worker: the tool's command line, the password
 * dialogue on its stderr (or on a pty for doas), the bootstrap lines, and
 * the hello that tells the new worker to take on its user's identity. */
#include "worker/escalate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/ev.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/sha256.h"
#include "base/spawn.h"
#include "base/version.h"
#include "base/xmalloc.h"
#include "proto/bootscript.h"
#include "proto/escjudge.h"
#include "proto/frame.h"

extern char **environ;

#define ESC_MAX_ARGS        48 /* flags included */
#define ESCALATE_MAX_BIN         ((size_t)256 << 20)
#define ESC_ERRTXT_MAX      8192 /* tool messages kept for matching */
#define ESC_LINE_MAX        4096 /* a bootstrap line */
#define ESC_DEFAULT_TIMEOUT 10

enum {
	ESC_MORE = 0,     /* keep reading */
	ESC_DONE = 1,     /* the worker said hello */
	ESC_FAIL = 2,     /* msg says why */
	ESC_NEED_TTY = 3, /* sudo's requiretty: start again with a pty */
};

/* This worker's own binary, read once: the escalated worker is the same
 * build, so the target user's cache is keyed by the same hash. */
static struct {
	int loaded;
	struct buf bin;
	char hash[SHA256_HEX_LEN + 1];
	char arch[sizeof(((struct utsname *)0)->machine)];
} escalate_self;

struct escalate_run {
	struct escalate_spec *s;
	struct escalated *e;
	char prompt[64];   /* sudo's -p: unique, so no other text is taken for it */
	struct buf errtxt; /* the tool's stderr (and pty) text */
	size_t scan;       /* errtxt before this was already answered */
	int sent;          /* the password was written */
	int running;       /* "DRVBOOT1 RUN" seen: a hello comes next */
	int uploading;     /* "DRVBOOT1 NEED" seen: the binary is being sent */
	size_t uploaded;   /* bytes of it sent so far */
	char *msg;         /* owned: why it failed */
};

int escalate_method_ok(const char *method)
{
	return strcmp(method, "sudo") == 0 || strcmp(method, "su") == 0 || strcmp(method, "doas") == 0;
}

static int escalate_load_self(void)
{
	struct utsname u;
	int r;

	if (escalate_self.loaded)
		return 0;
	buf_init(&escalate_self.bin, ESCALATE_MAX_BIN);
	if ((r = file_read("/proc/self/exe", &escalate_self.bin)) != 0 || uname(&u) != 0) {
		buf_fini(&escalate_self.bin);
		return r != 0 ? r : -errno;
	}
	sha256_hex(buf_ptr(&escalate_self.bin), buf_avail(&escalate_self.bin), escalate_self.hash);
	snprintf(escalate_self.arch, sizeof(escalate_self.arch), "%s", u.machine);
	escalate_self.loaded = 1;
	return 0;
}

static void escalate_push(char **argv, size_t *np, const char *s)
{
	if (*np < ESC_MAX_ARGS - 1)
		argv[(*np)++] = xstrdup(s);
}

/* Splits flags on blanks into argv, leaving out "-n" when a password will
 * be given (as Ansible does), and notes a login request. Returns 1 when
 * flags had "-S" (sudo reads the password on stdin). */
static int escalate_flags(struct escalate_spec *s, char **argv, size_t *np)
{
	const char *p = s->flags, *end;
	int has_s = 0, login;
	char *w;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		for (end = p; *end != '\0' && *end != ' ' && *end != '\t'; end++)
			;
		if (end == p)
			break;
		w = xstrndup(p, (size_t)(end - p));
		has_s |= strcmp(w, "-S") == 0;
		login = strcmp(w, "-i") == 0 || strcmp(w, "--login") == 0 ||
		        (strcmp(s->method, "su") == 0 && (strcmp(w, "-") == 0 || strcmp(w, "-l") == 0));
		s->login |= login;
		/* sudo -i hands the command to a login shell with every '$'
		 * unescaped, which the bootstrap cannot survive: the worker
		 * gives the login semantics itself (see identity.h). */
		if (!(s->pass != NULL && strcmp(w, "-n") == 0) && !(login && strcmp(s->method, "sudo") == 0))
			escalate_push(argv, np, w);
		free(w);
		p = end;
	}
	return has_s;
}

/* The tool's command line; argv has ESC_MAX_ARGS slots, filled with heap
 * strings and a NULL. */
static void escalate_argv(struct escalate_spec *s, const char *prompt, const char *script, char **argv)
{
	const char *exe = s->exe != NULL && *s->exe != '\0' ? s->exe : s->method;
	size_t n = 0;
	char *cmd;

	escalate_push(argv, &n, exe);
	if (strcmp(s->method, "su") == 0) {
		if (s->flags == NULL)
			s->flags = "";
		escalate_flags(s, argv, &n);
		escalate_push(argv, &n, s->user);
		escalate_push(argv, &n, "-c");
		/* su runs the command with the target user's shell. */
		cmd = xasprintf("exec /bin/sh -c '%s'", script);
		escalate_push(argv, &n, cmd);
		free(cmd);
	} else {
		if (s->flags == NULL)
			s->flags = strcmp(s->method, "sudo") == 0 ? "-H -S -n" : "";
		if (!escalate_flags(s, argv, &n) && strcmp(s->method, "sudo") == 0 && s->pass != NULL)
			escalate_push(argv, &n, "-S");
		if (strcmp(s->method, "doas") == 0 && s->pass == NULL)
			escalate_push(argv, &n, "-n");
		if (strcmp(s->method, "sudo") == 0) {
			escalate_push(argv, &n, "-p");
			escalate_push(argv, &n, prompt);
		}
		escalate_push(argv, &n, "-u");
		escalate_push(argv, &n, s->user);
		escalate_push(argv, &n, "/bin/sh");
		escalate_push(argv, &n, "-c");
		escalate_push(argv, &n, script);
	}
	argv[n] = NULL;
}

/* The environment for the tool: su keeps it, and a login user's cache
 * directory must not steer the target user's bootstrap. */
static char **escalate_env(void)
{
	size_t n = 0, i, k = 0;
	char **envp;

	while (environ[n] != NULL)
		n++;
	envp = xcalloc(n + 1, sizeof(*envp));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "XDG_CACHE_HOME=", 15) != 0)
			envp[k++] = environ[i];
	return envp;
}

static int escalate_open_pty(struct escalated *e, char *name, size_t len)
{
	int r = ERR_INTERNAL;

	if ((e->ptm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0 || grantpt(e->ptm) != 0 ||
	    unlockpt(e->ptm) != 0 || ptsname_r(e->ptm, name, len) != 0 ||
	    (e->pts = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		r = -errno;
		fd_close(&e->ptm);
		goto out;
	}
	r = 0;
out:
	return r;
}

static int escalate_spawn(struct escalate_run *run, int tty)
{
	struct escalated *e = run->e;
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, r = ERR_INTERNAL;
	char *argv[ESC_MAX_ARGS], *script = NULL, ptsname_buf[128];
	struct spawn_opts o;
	char **envp = NULL;
	size_t i;

	memset(argv, 0, sizeof(argv));
	e->ptm = e->pts = -1;
	if ((r = fd_pipe(pin)) != 0 || (r = fd_pipe(pout)) != 0 || (r = fd_pipe(perr)) != 0)
		goto out;
	if (tty && (r = escalate_open_pty(e, ptsname_buf, sizeof(ptsname_buf))) != 0)
		goto out;
	script = bootscript_new(escalate_self.hash, buf_avail(&escalate_self.bin), escalate_self.arch);
	escalate_argv(run->s, run->prompt, script, argv);
	envp = escalate_env();
	spawn_opts_init(&o);
	o.argv = argv;
	o.envp = envp;
	o.stdin_fd = pin[0];
	o.stdout_fd = pout[1];
	o.stderr_fd = perr[1];
	/* Without a controlling terminal a tool that wants to ask on the
	 * terminal fails at once instead of waiting on the login's tty. */
	o.new_session = 1;
	o.ctty = tty ? ptsname_buf : NULL;
	if ((r = spawn(&o, &e->pid, NULL)) != 0)
		goto out;
	e->in = pin[1];
	e->out = pout[0];
	e->err = perr[0];
	pin[1] = pout[0] = perr[0] = -1;
	e->tty = tty;
	r = 0;
out:
	fd_close(&pin[0]);
	fd_close(&pin[1]);
	fd_close(&pout[0]);
	fd_close(&pout[1]);
	fd_close(&perr[0]);
	fd_close(&perr[1]);
	for (i = 0; i < ESC_MAX_ARGS; i++)
		free(argv[i]);
	free(script);
	free(envp);
	return r;
}

static const char *escalate_tool(const struct escalate_run *run)
{
	return run->s->method;
}

static int escalate_fail(struct escalate_run *run, const char *fmt, const char *arg)
{
	free(run->msg);
	run->msg = xasprintf(fmt, arg);
	return ESC_FAIL;
}

static int escalate_write_pass(struct escalate_run *run)
{
	struct buf b;
	int fd = run->e->tty && strcmp(run->s->method, "doas") == 0 ? run->e->ptm : run->e->in, r;

	buf_init(&b, 0);
	b.secret = 1;
	buf_puts(&b, run->s->pass);
	buf_putc(&b, '\n');
	r = fd_write_all(fd, buf_ptr(&b), buf_avail(&b));
	buf_fini(&b);
	run->sent = 1;
	run->scan = buf_avail(&run->errtxt);
	return r == 0 ? ESC_MORE : escalate_fail(run, "cannot write the %s password", escalate_tool(run));
}

/* The tool's words since the last answer; at_exit when the tool is gone. */
static int escalate_on_text(struct escalate_run *run, int at_exit)
{
	struct escjudge_state js;

	js.method = run->s->method;
	js.prompt = run->prompt;
	js.has_pass = run->s->pass != NULL;
	js.sent = run->sent;
	js.tty = run->e->tty;
	js.at_exit = at_exit;
	switch (escjudge_text(&js, buf_str(&run->errtxt) + run->scan)) {
	case ESCJUDGE_ANSWER: return escalate_write_pass(run);
	case ESCJUDGE_MISSING: return escalate_fail(run, "Missing %s password", escalate_tool(run));
	case ESCJUDGE_INCORRECT: return escalate_fail(run, "Incorrect %s password", escalate_tool(run));
	case ESCJUDGE_NEED_TTY: return ESC_NEED_TTY;
	default: return ESC_MORE;
	}
}

static void escalate_keep_text(struct escalate_run *run, const char *p, size_t n)
{
	size_t drop;

	if (buf_avail(&run->errtxt) + n > ESC_ERRTXT_MAX) {
		drop = buf_avail(&run->errtxt) + n - ESC_ERRTXT_MAX;
		drop = drop < buf_avail(&run->errtxt) ? drop : buf_avail(&run->errtxt);
		buf_consume(&run->errtxt, drop);
		buf_compact(&run->errtxt);
		run->scan = run->scan > drop ? run->scan - drop : 0;
	}
	if (n > ESC_ERRTXT_MAX)
		p += n - ESC_ERRTXT_MAX, n = ESC_ERRTXT_MAX;
	buf_put(&run->errtxt, p, n);
}

static int escalate_hello(struct escalate_run *run, const struct frame *f)
{
	struct value *h, *b;
	int r;

	if (f->type != FRAME_HELLO || value_get_int(f->body, "proto", -1) != PROTO_VERSION)
		return escalate_fail(run, "the escalated worker (%s) did not say hello", escalate_tool(run));
	h = value_map();
	b = value_map();
	value_map_set(h, "proto", value_int(PROTO_VERSION));
	value_map_set(h, "version", value_str(DROVER_VERSION));
	value_map_set(b, "login", value_bool(run->s->login));
	value_map_set(h, "become", b);
	r = frame_write_fd(run->e->in, FRAME_HELLO, 0, h);
	value_unref(h);
	return r == 0 ? ESC_DONE : escalate_fail(run, "cannot write to the escalated worker (%s)", escalate_tool(run));
}

/* One bootstrap line at the front of rbuf, or the hello after "RUN". */
static int escalate_on_stdout(struct escalate_run *run)
{
	struct buf *in = &run->e->rbuf;
	const char *p, *nl;
	struct frame f;
	size_t used = 0;
	int r;

	while (buf_avail(in) > 0) {
		p = buf_ptr(in);
		if (run->running) {
			memset(&f, 0, sizeof(f));
			if ((r = frame_decode(p, buf_avail(in), &f, &used)) != 0)
				return escalate_fail(run, "the escalated worker (%s) sent a malformed hello", escalate_tool(run));
			if (used == 0)
				return ESC_MORE;
			buf_consume(in, used);
			r = escalate_hello(run, &f);
			frame_fini(&f);
			return r;
		}
		if ((nl = memchr(p, '\n', buf_avail(in))) == NULL)
			return buf_avail(in) > ESC_LINE_MAX ? escalate_fail(run, "unexpected output from %s", escalate_tool(run))
			                                    : ESC_MORE;
		if (strncmp(p, "DRVBOOT1 RUN\n", 13) == 0) {
			if (run->uploading)
				return escalate_fail(run, "unexpected output from %s", escalate_tool(run));
			run->running = 1;
		} else if (strncmp(p, "DRVBOOT1 NEED\n", 14) == 0) {
			if (run->uploading || fd_set_nonblock(run->e->in, 1) != 0)
				return escalate_fail(run, "cannot send the worker through %s", escalate_tool(run));
			run->uploading = 1;
			run->uploaded = 0;
		} else if (strncmp(p, "DRVBOOT1 ERR ", 13) == 0) {
			free(run->msg);
			run->msg = xasprintf("as %s: %.*s", run->s->user, (int)(nl - p - 13), p + 13);
			return ESC_FAIL;
		} else {
			/* A login shell's banner (su -l, sudo -i) is not ours: skip it. */
			log_v(2, "become: skipping output line from %s", escalate_tool(run));
		}
		buf_consume(in, (size_t)(nl - p) + 1);
	}
	return ESC_MORE;
}

/* Sends as much of the worker's binary as the pipe takes now: a tool that
 * stops reading must not keep the escalation past its deadline. */
static int escalate_upload_more(struct escalate_run *run)
{
	size_t size = buf_avail(&escalate_self.bin);
	ssize_t w;

	do
		w = write(run->e->in, buf_ptr(&escalate_self.bin) + run->uploaded, size - run->uploaded);
	while (w < 0 && errno == EINTR);
	if (w < 0 && errno != EAGAIN)
		return escalate_fail(run, "cannot send the worker through %s", escalate_tool(run));
	run->uploaded += w > 0 ? (size_t)w : 0;
	if (run->uploaded == size) {
		run->uploading = 0;
		if (fd_set_nonblock(run->e->in, 0) != 0)
			return escalate_fail(run, "cannot send the worker through %s", escalate_tool(run));
	}
	return ESC_MORE;
}

/* Reads what fd has; returns the byte count, 0 at end of file. */
static ssize_t escalate_read(int fd, char *tmp, size_t len)
{
	ssize_t n;

	do
		n = read(fd, tmp, len);
	while (n < 0 && errno == EINTR);
	return n < 0 && errno == EIO ? 0 : n; /* EIO: a pty whose other side closed */
}

/* The message when the tool exits before the worker's hello: its last
 * words, as Ansible shows them. */
static int escalate_on_exit(struct escalate_run *run)
{
	const char *t = buf_str(&run->errtxt);
	size_t n = strlen(t);
	int r;

	/* The final words may explain it ("a password is required"). */
	run->scan = 0;
	if ((r = escalate_on_text(run, 1)) != ESC_MORE && r != ESC_DONE)
		return r;
	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
		n--;
	free(run->msg);
	run->msg = n > 0 ? xasprintf("privilege escalation (%s to %s) failed: %.*s", escalate_tool(run), run->s->user,
	                             (int)n, t)
	                 : xasprintf("privilege escalation (%s to %s) failed: %s exited before the worker started",
	                             escalate_tool(run), run->s->user, escalate_tool(run));
	return ESC_FAIL;
}

static int escalate_poll_once(struct escalate_run *run, uint64_t deadline)
{
	struct pollfd pfd[4];
	char tmp[65536], *p;
	uint64_t now = ev_clock_ms();
	int n = 2, r = ESC_MORE, i;
	ssize_t got;

	if (now >= deadline)
		return escalate_fail(run, "Timeout waiting for privilege escalation (%s)", escalate_tool(run));
	pfd[0] = (struct pollfd){.fd = run->e->out, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = run->e->err, .events = POLLIN};
	if (run->e->ptm >= 0)
		pfd[n++] = (struct pollfd){.fd = run->e->ptm, .events = POLLIN};
	/* Last, and not read: the tool's stdin while the binary is sent. */
	pfd[n] = (struct pollfd){.fd = run->uploading ? run->e->in : -1, .events = POLLOUT};
	if (poll(pfd, (nfds_t)n + 1, (int)(deadline - now)) < 0)
		return errno == EINTR ? ESC_MORE : escalate_fail(run, "poll: %s", strerror(errno));
	if (pfd[n].revents != 0 && (r = escalate_upload_more(run)) != ESC_MORE)
		return r;
	for (i = n - 1; i >= 0 && r == ESC_MORE; i--) {
		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if ((got = escalate_read(pfd[i].fd, tmp, sizeof(tmp))) < 0)
			return escalate_fail(run, "cannot read from %s", escalate_tool(run));
		if (i == 0 && got == 0)
			return escalate_on_exit(run);
		if (got == 0) {
			/* Closed (-1) descriptors drop out of the next poll. */
			fd_close(i == 1 ? &run->e->err : &run->e->ptm);
			continue;
		}
		if (i == 0) {
			if (buf_reserve(&run->e->rbuf, (size_t)got, &p) != 0)
				return escalate_fail(run, "too much output from %s", escalate_tool(run));
			memcpy(p, tmp, (size_t)got);
			buf_commit(&run->e->rbuf, (size_t)got);
			r = escalate_on_stdout(run);
		} else {
			escalate_keep_text(run, tmp, (size_t)got);
			r = escalate_on_text(run, 0);
		}
	}
	return r;
}

/* Waits up to ms for the tool to exit; returns 1 when it has. */
static int escalate_reap(struct escalated *e, int ms)
{
	uint64_t until = ev_clock_ms() + (uint64_t)ms;
	int status;

	while (waitpid(e->pid, &status, WNOHANG) == 0) {
		if (ev_clock_ms() >= until)
			return 0;
		poll(NULL, 0, 20);
	}
	return 1;
}

/* Ends the tool: first the end of its input, on which a tool at its
 * second prompt gives up and logs the one failed attempt (a signal there
 * may end sudo before it logs), then SIGTERM, then SIGKILL. */
static void escalate_stop(struct escalated *e)
{
	int status;

	if (e->pid <= 0)
		return;
	fd_close(&e->in);
	if (!escalate_reap(e, 1000)) {
		kill(e->pid, SIGTERM);
		if (!escalate_reap(e, 2000)) {
			kill(e->pid, SIGKILL);
			waitpid(e->pid, &status, 0);
		}
	}
	e->pid = 0;
}

static int escalate_attempt(struct escalate_run *run, int tty)
{
	uint64_t deadline;
	int r, t = run->s->timeout_s > 0 ? run->s->timeout_s : ESC_DEFAULT_TIMEOUT;

	if ((r = escalate_spawn(run, tty)) != 0) {
		free(run->msg);
		run->msg = xasprintf("cannot start %s: %s", run->s->exe && *run->s->exe ? run->s->exe : run->s->method,
		                     err_str(r));
		return ESC_FAIL;
	}
	deadline = ev_clock_ms() + (uint64_t)t * 1000;
	while ((r = escalate_poll_once(run, deadline)) == ESC_MORE)
		;
	if (r != ESC_DONE) {
		escalate_stop(run->e);
		escalate_close(run->e);
	}
	return r;
}

/* The tool's words may echo what it was given (a wrapper, a chatty PAM
 * module): no message leaves here with the password in it. */
static char *escalate_redact(const struct escalate_spec *s, char *msg)
{
	size_t n = s->pass != NULL ? strlen(s->pass) : 0;
	char *p;

	while (n > 0 && (p = strstr(msg, s->pass)) != NULL)
		memset(p, '*', n);
	return msg;
}

static void escalate_prompt(char *out, size_t len)
{
	unsigned char rnd[8];
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(ev_clock_ms() >> (i * 3)) ^ (unsigned char)getpid();
	snprintf(out, len, "[drover become %02x%02x%02x%02x%02x%02x%02x%02x] password:", rnd[0], rnd[1], rnd[2], rnd[3],
	         rnd[4], rnd[5], rnd[6], rnd[7]);
}

int escalate_start(struct escalate_spec *s, struct escalated *e, char **msgp)
{
	struct escalate_run run;
	int r = ERR_INTERNAL, st;

	*msgp = NULL;
	memset(e, 0, sizeof(*e));
	e->in = e->out = e->err = e->ptm = e->pts = -1;
	buf_init(&e->rbuf, FRAME_MAX);
	memset(&run, 0, sizeof(run));
	run.s = s;
	run.e = e;
	buf_init(&run.errtxt, 0);
	escalate_prompt(run.prompt, sizeof(run.prompt));
	if ((r = escalate_load_self()) != 0) {
		*msgp = xasprintf("cannot read the worker's own binary: %s", err_str(r));
		goto out;
	}
	st = escalate_attempt(&run, 0);
	if (st == ESC_NEED_TTY) {
		/* requiretty in sudoers: only then is a terminal worth its risks. */
		log_v(1, "become: %s requires a tty for %s; starting it again on a pty", escalate_tool(&run), s->user);
		buf_reset(&run.errtxt);
		run.scan = 0;
		run.sent = run.running = run.uploading = 0;
		buf_init(&e->rbuf, FRAME_MAX);
		st = escalate_attempt(&run, 1);
	}
	if (st != ESC_DONE) {
		*msgp = escalate_redact(s, run.msg != NULL ? run.msg
		                                      : xasprintf("privilege escalation (%s) failed", s->method));
		run.msg = NULL;
		r = ERR_INVAL;
		goto out;
	}
	r = 0;
out:
	free(run.msg);
	buf_fini(&run.errtxt);
	if (r != 0)
		buf_fini(&e->rbuf);
	return r;
}

void escalate_close(struct escalated *e)
{
	int status;

	fd_close(&e->in);
	fd_close(&e->out);
	fd_close(&e->err);
	fd_close(&e->ptm);
	fd_close(&e->pts);
	buf_fini(&e->rbuf);
	if (e->pid > 0 && waitpid(e->pid, &status, WNOHANG) == e->pid)
		e->pid = 0;
}
