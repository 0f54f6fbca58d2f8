/* `drover doctor PATTERN...`: walks every phase of a connection for each
 * selected host, one host after the other, and prints where it breaks and
 * how long each phase took: resolve, connect, host key, auth, session (one
 * direct `ssh -v`, its debug lines time-stamped as they arrive), control
 * (the ControlMaster socket), then a real worker session as `drover run`
 * makes it: bootstrap, hello, and a ping request. Every phase has its own
 * deadline; a host stops at its first failure with ssh's last words and a
 * hint. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/ev.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/spawn.h"
#include "base/version.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "exec/adhoc.h"
#include "exec/target.h"
#include "inventory/inventory.h"
#include "transport/askpass.h"
#include "transport/bootstrap.h"
#include "transport/conn.h"
#include "transport/ctlpath.h"
#include "transport/netprobe.h"
#include "transport/ssh.h"

#define DOCTOR_LINE_MAX       4096   /* bytes of one stderr line kept */
#define DOCTOR_OUT_MAX        65536  /* bytes of `ssh -G` output read */
#define DOCTOR_ERRS_MAX       8192   /* bytes of ssh's own (non-debug) lines kept */
#define DOCTOR_TRANSCRIPT_MAX 262144 /* bytes of the time-stamped `ssh -v` lines kept */
#define DOCTOR_TAIL_LINES     4      /* lines of ssh's stderr shown with a failure */
#define DOCTOR_CHECK_MS       2000   /* a live master answers its socket at once */
#define DOCTOR_SHOW_MAX       72     /* characters of a ProxyCommand shown */
#define DOCTOR_SSH_GRACE_MS   2000   /* past -T in ssh's phases: its own timeouts speak first */

enum doctor_phase {
	DOCTOR_RESOLVE,
	DOCTOR_CONNECT,
	DOCTOR_HOSTKEY,
	DOCTOR_AUTH,
	DOCTOR_SESSION,
	DOCTOR_CONTROL,
	DOCTOR_BOOTSTRAP,
	DOCTOR_HELLO,
	DOCTOR_REQUEST,
	DOCTOR_NPHASES,
};

static const char *const doctor_phase_names[DOCTOR_NPHASES] = {
	"resolve", "connect", "host key", "auth", "session", "control", "bootstrap", "hello", "request",
};

/* The transport's name for each phase, for ssh_hint and ssh_classify. */
static const enum conn_phase doctor_conn_phases[DOCTOR_NPHASES] = {
	CONN_PHASE_RESOLVE, CONN_PHASE_CONNECT,   CONN_PHASE_HOSTKEY, CONN_PHASE_AUTH,    CONN_PHASE_SESSION,
	CONN_PHASE_SESSION, CONN_PHASE_BOOTSTRAP, CONN_PHASE_HELLO,   CONN_PHASE_REQUEST,
};

/* A command whose stderr is delivered line by line, each line stamped with
 * the time it arrived, and whose stdout is collected (capped). */
struct doctor_cmd;
typedef void (*doctor_cmd_line_cb)(const char *line, uint64_t ms, void *arg);
/* Called once the command has exited and its pipes are drained; the
 * command is freed when the callback returns. */
typedef void (*doctor_cmd_exit_cb)(int status, const char *out, void *arg);

struct doctor_cmd {
	struct ev_loop *loop;
	pid_t pid; /* -1 once reaped */
	int out_fd, err_fd;
	int status;
	struct buf out;  /* stdout, capped at DOCTOR_OUT_MAX */
	struct buf line; /* the stderr line being read */
	int line_long;   /* the current line overflowed: rest dropped */
	doctor_cmd_line_cb on_line;
	doctor_cmd_exit_cb on_exit;
	void *arg;
};

struct doctor_run;

struct doctor_host {
	struct doctor_run *run;
	const char *name;
	struct value *vars; /* owned: inventory vars with extra vars on top */
	const char *conn_type;
	const char *password;        /* borrowed secret, or NULL */
	struct ssh_target t;         /* as `drover run` connects (strings borrowed) */
	struct ssh_target probe;     /* the same, direct and without -vvv */
	char **env[3];               /* owned askpass environments: probe, master, session */
	enum doctor_phase phase;     /* the phase running now */
	uint64_t start, phase_start; /* ms, monotonic */
	uint64_t timer;              /* the current phase's deadline */
	uint64_t deadline_ms;        /* its length */
	int done, failed;
	/* resolve and connect */
	char **argv; /* owned: direct `ssh ... ADDR true` */
	char *g_hostname, *g_user, *g_proxy;
	int g_port;
	struct netprobe_addr addr; /* the first address */
	size_t naddrs;
	/* the `ssh -v` run */
	struct doctor_cmd *cmd;
	uint64_t cmd_start, t_connecting, t_established;
	int hostkey_unverified;
	char *hostkey, *known_at, *server, *methods, *tried, *auth_method, *auth_key;
	int exit_status;       /* the remote command's, -1 until ssh says */
	char last[256];        /* ssh's last debug line, for timeouts */
	struct buf errs;       /* ssh's own (non-debug) lines */
	struct buf transcript; /* every line, time-stamped (-v) */
	/* control and the worker session */
	char *sock;   /* owned control socket path, or NULL */
	char **sargv; /* owned: the session's ssh command */
	int over_master;
	pid_t master_pid;
	struct conn *conn;
	uint64_t ping_sent;
};

struct doctor_run {
	struct ev_loop *loop;
	struct adhoc_opts *o;
	const char *ctl_why; /* why no (or another) control directory */
	struct doctor_host *hosts;
	size_t n, next;
	size_t passed, failed;
	uint64_t next_timer;
	struct askpass *askpass;
	char *askpass_dir; /* owned private directory when no control dir */
	int verbosity;
};

static void doctor_next_host(struct doctor_run *run);

/* ---- output ---- */

static void doctor_emit(struct buf *b)
{
	fwrite(buf_ptr(b), 1, buf_avail(b), stdout);
	fflush(stdout);
}

/* Prints one phase line: name, status, time (negative: none) and detail. */
static void doctor_line(enum doctor_phase p, const char *status, int64_t ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void doctor_line(enum doctor_phase p, const char *status, int64_t ms, const char *fmt, ...)
{
	struct buf b;
	char t[32];
	va_list ap;

	if (ms >= 0)
		snprintf(t, sizeof(t), "%lld ms", (long long)ms);
	else
		snprintf(t, sizeof(t), "-");
	buf_init(&b, 0);
	buf_printf(&b, "  %-9s  %-4s  %9s  ", doctor_phase_names[p], status, t);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_putc(&b, '\n');
	doctor_emit(&b);
	buf_fini(&b);
}

/* Prints text indented under the detail column, one line per line of it. */
static void doctor_more(const char *prefix, const char *text)
{
	struct buf b;
	const char *p, *nl;
	size_t n;

	buf_init(&b, 0);
	for (p = text; *p; p = nl ? nl + 1 : p + n) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		while (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0)
			buf_printf(&b, "%30s%s%.*s\n", "", prefix, (int)n, p);
	}
	doctor_emit(&b);
	buf_fini(&b);
}

/* The last DOCTOR_TAIL_LINES lines of text. */
static const char *doctor_tail(const char *text)
{
	size_t n = strlen(text);
	int lines = 0;

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	while (n > 0) {
		if (text[n - 1] == '\n' && ++lines == DOCTOR_TAIL_LINES)
			break;
		n--;
	}
	return text + n;
}

/* text cut to DOCTOR_SHOW_MAX characters for a one-line detail (heap). */
static char *doctor_short(const char *text)
{
	size_t n = strlen(text);

	if (n <= DOCTOR_SHOW_MAX)
		return xstrdup(text);
	return xasprintf("%.*s...", DOCTOR_SHOW_MAX - 3, text);
}

static uint64_t doctor_since(uint64_t t)
{
	uint64_t now = ev_clock_ms();

	return now > t ? now - t : 0;
}

/* ---- the host's progress ---- */

/* Stops whatever the host has running. What ssh_prepare and ctlpath_check
 * hold (h->t, its environment) stays until the run ends: they cannot be
 * cancelled and call back later, which the callbacks ignore. */
static void doctor_host_cleanup(struct doctor_host *h)
{
	struct doctor_cmd *c = h->cmd;

	ev_timer_del(h->run->loop, h->timer);
	h->timer = 0;
	if (c != NULL) {
		h->cmd = NULL;
		if (c->pid > 0) {
			kill(c->pid, SIGKILL);
			ev_child_del(c->loop, c->pid);
		}
		if (c->out_fd >= 0) {
			ev_fd_del(c->loop, c->out_fd);
			fd_close(&c->out_fd);
		}
		if (c->err_fd >= 0) {
			ev_fd_del(c->loop, c->err_fd);
			fd_close(&c->err_fd);
		}
		buf_fini(&c->out);
		buf_fini(&c->line);
		free(c);
	}
	conn_close(h->conn);
	h->conn = NULL;
}

static void doctor_next_timer(struct ev_loop *loop, void *arg)
{
	struct doctor_run *run = arg;

	(void)loop;
	run->next_timer = 0;
	doctor_next_host(run);
}

static void doctor_host_done(struct doctor_host *h)
{
	struct doctor_run *run = h->run;
	struct buf b;

	h->done = 1;
	doctor_host_cleanup(h);
	buf_init(&b, 0);
	if (h->failed) {
		run->failed++;
		buf_printf(&b, "  => %s: failed at %s after %llu ms\n\n", h->name, doctor_phase_names[h->phase],
		           (unsigned long long)doctor_since(h->start));
	} else {
		run->passed++;
		buf_printf(&b, "  => %s: every phase passed in %llu ms\n\n", h->name,
		           (unsigned long long)doctor_since(h->start));
	}
	doctor_emit(&b);
	buf_fini(&b);
	/* From the loop, so that a run of quick failures does not nest. */
	run->next_timer = ev_timer_add(run->loop, 0, doctor_next_timer, run);
}

/* The current phase failed: prints why, ssh's last words and a hint, and
 * ends the host. cls is the transport's phase for the hint. */
static void doctor_fail_ex(struct doctor_host *h, enum conn_phase cls, const char *hint, const char *msg,
                           const char *tail)
{
	if (h->done)
		return;
	h->failed = 1;
	doctor_line(h->phase, "FAIL", (int64_t)doctor_since(h->phase_start), "%s", msg);
	if (tail != NULL && *tail)
		doctor_more("ssh: ", doctor_tail(tail));
	doctor_more("hint: ", hint ? hint : ssh_hint(cls));
	if (h->run->verbosity >= 1 && buf_avail(&h->transcript) > 0 && h->phase >= DOCTOR_HOSTKEY &&
	    h->phase <= DOCTOR_SESSION)
		doctor_more("", buf_str(&h->transcript));
	doctor_host_done(h);
}

static void doctor_fail(struct doctor_host *h, const char *msg, const char *tail)
{
	enum conn_phase cls = doctor_conn_phases[h->phase];

	if (tail != NULL && *tail)
		cls = ssh_classify(tail, cls);
	doctor_fail_ex(h, cls, NULL, msg, tail);
}

static void doctor_deadline_fired(struct ev_loop *loop, void *arg);

/* Starts phase p with a deadline of ms (0: the phase has its own). */
static void doctor_begin(struct doctor_host *h, enum doctor_phase p, uint64_t ms)
{
	h->phase = p;
	h->phase_start = ev_clock_ms();
	ev_timer_del(h->run->loop, h->timer);
	h->deadline_ms = ms;
	h->timer = ms ? ev_timer_add(h->run->loop, ms, doctor_deadline_fired, h) : 0;
}

static uint64_t doctor_timeout_ms(const struct doctor_host *h)
{
	return h->run->o->connect_timeout_ms ? h->run->o->connect_timeout_ms : 10000;
}

static void doctor_deadline_fired(struct ev_loop *loop, void *arg)
{
	struct doctor_host *h = arg;
	const char *hint = NULL;
	char *msg;

	(void)loop;
	h->timer = 0;
	if (h->phase >= DOCTOR_HOSTKEY && h->phase <= DOCTOR_SESSION) {
		hint = "the connection went silent: a firewall or VPN may let TCP through and drop what follows, "
		       "or the server is overloaded (MaxStartups)";
		msg = xasprintf("no progress within %llu ms; ssh's last line: %s", (unsigned long long)h->deadline_ms,
		                h->last[0] ? h->last : "none");
	} else {
		if (h->phase == DOCTOR_RESOLVE)
			hint = "ssh or the resolver did not answer: check the DNS servers in /etc/resolv.conf";
		msg = xasprintf("no progress within %llu ms", (unsigned long long)h->deadline_ms);
	}
	/* ssh's words belong to the phases of the `ssh -v` run only. */
	doctor_fail_ex(h, doctor_conn_phases[h->phase], hint, msg,
	               h->phase <= DOCTOR_SESSION ? buf_str(&h->errs) : NULL);
	free(msg);
}

/* ---- commands with time-stamped stderr ---- */

/* Delivers the line read so far. ssh ends its log lines with "\r\n". */
static void doctor_cmd_line(struct doctor_cmd *c)
{
	size_t n = buf_avail(&c->line);
	char *line;

	if (n > 0 && buf_ptr(&c->line)[n - 1] == '\r') {
		line = xstrndup(buf_ptr(&c->line), n - 1);
		c->on_line(line, ev_clock_ms(), c->arg);
		free(line);
		return;
	}
	c->on_line(buf_str(&c->line), ev_clock_ms(), c->arg);
}

static void doctor_cmd_finish(struct doctor_cmd *c)
{
	struct doctor_host *h = c->arg;

	if (c->pid > 0 || c->out_fd >= 0 || c->err_fd >= 0)
		return;
	if (c->line_long || buf_avail(&c->line) > 0)
		doctor_cmd_line(c);
	/* The host owns the command until here; the callback may end it. */
	h->cmd = NULL;
	c->on_exit(c->status, buf_str(&c->out), c->arg);
	buf_fini(&c->out);
	buf_fini(&c->line);
	free(c);
}

static void doctor_cmd_err_bytes(struct doctor_cmd *c, const char *p, size_t n)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) : n;
		if (!c->line_long && buf_put(&c->line, p, k) != 0)
			c->line_long = 1;
		if (nl == NULL)
			return;
		doctor_cmd_line(c);
		buf_reset(&c->line);
		c->line_long = 0;
		p += k + 1;
		n -= k + 1;
	}
}

/* Reads what fd holds; closes it at EOF, or when drain is set (the command
 * has exited: anything later is from a child it left behind). */
static void doctor_cmd_read(struct doctor_cmd *c, int *fdp, int drain)
{
	char tmp[8192];
	ssize_t n;
	int reads = 0;

	/* Draining is bounded: a child left behind may write for ever. */
	while (reads++ < 64) {
		n = read(*fdp, tmp, sizeof(tmp));
		if (n > 0) {
			if (*fdp == c->err_fd)
				doctor_cmd_err_bytes(c, tmp, (size_t)n);
			else if (buf_put(&c->out, tmp, (size_t)n) != 0)
				buf_put(&c->out, tmp, c->out.max - buf_avail(&c->out));
			if (!drain)
				return;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !drain)
			return;
		break;
	}
	ev_fd_del(c->loop, *fdp);
	fd_close(fdp);
}

static void doctor_cmd_readable(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct doctor_cmd *c = arg;

	(void)loop;
	(void)events;
	doctor_cmd_read(c, fd == c->out_fd ? &c->out_fd : &c->err_fd, 0);
	doctor_cmd_finish(c);
}

static void doctor_cmd_exited(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct doctor_cmd *c = arg;

	(void)loop;
	(void)pid;
	c->pid = -1;
	c->status = status;
	if (c->out_fd >= 0)
		doctor_cmd_read(c, &c->out_fd, 1);
	if (c->err_fd >= 0)
		doctor_cmd_read(c, &c->err_fd, 1);
	doctor_cmd_finish(c);
}

/* Starts argv with stdin on /dev/null in its own session. Returns 0 with
 * h->cmd set, or an error with *msgp (heap) saying why. */
static int doctor_cmd_start(struct doctor_host *h, char *const *argv, char *const *envp, doctor_cmd_line_cb on_line,
                            doctor_cmd_exit_cb on_exit, char **msgp)
{
	struct doctor_cmd *c = xcalloc(1, sizeof(*c));
	int out[2] = {-1, -1}, err[2] = {-1, -1};
	struct spawn_opts so;
	const char *stage = NULL;
	int r = ERR_INTERNAL;

	*msgp = NULL;
	c->loop = h->run->loop;
	c->pid = -1;
	c->out_fd = c->err_fd = -1;
	c->on_line = on_line;
	c->on_exit = on_exit;
	c->arg = h;
	buf_init(&c->out, DOCTOR_OUT_MAX);
	buf_init(&c->line, DOCTOR_LINE_MAX);
	if ((r = fd_pipe(out)) != 0 || (r = fd_pipe(err)) != 0) {
		*msgp = xasprintf("cannot make a pipe: %s", err_str(r));
		goto out;
	}
	spawn_opts_init(&so);
	so.argv = argv;
	so.envp = envp;
	so.stdout_fd = out[1];
	so.stderr_fd = err[1];
	so.new_session = 1;
	if ((r = spawn(&so, &c->pid, &stage)) != 0) {
		*msgp = xasprintf("cannot run %s (%s): %s", argv[0], stage ? stage : "spawn", err_str(r));
		goto out;
	}
	c->out_fd = out[0];
	c->err_fd = err[0];
	out[0] = err[0] = -1;
	fd_set_nonblock(c->out_fd, 1);
	fd_set_nonblock(c->err_fd, 1);
	if ((r = ev_child_add(c->loop, c->pid, doctor_cmd_exited, c)) != 0 ||
	    (r = ev_fd_set(c->loop, c->out_fd, EV_READ, doctor_cmd_readable, c)) != 0 ||
	    (r = ev_fd_set(c->loop, c->err_fd, EV_READ, doctor_cmd_readable, c)) != 0) {
		*msgp = xasprintf("cannot watch %s: %s", argv[0], err_str(r));
		h->cmd = c;
		c = NULL;
		doctor_host_cleanup(h);
		goto out;
	}
	h->cmd = c;
	c = NULL;
	r = 0;
out:
	fd_close(&out[0]);
	fd_close(&out[1]);
	fd_close(&err[0]);
	fd_close(&err[1]);
	if (c != NULL) {
		buf_fini(&c->out);
		buf_fini(&c->line);
		free(c);
	}
	return r;
}

static char *doctor_exit_text(int status)
{
	if (WIFEXITED(status))
		return xasprintf("exited with status %d", WEXITSTATUS(status));
	if (WIFSIGNALED(status))
		return xasprintf("was killed by signal %d", WTERMSIG(status));
	return xstrdup("ended");
}

static char **doctor_argv_dup(char *const *argv, const char *insert)
{
	size_t n = 0, i, k = 0;
	char **v;

	while (argv[n] != NULL)
		n++;
	v = xcalloc(n + 2, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[k++] = xstrdup(argv[i]);
		/* Right after the program: the user's own arguments follow. */
		if (i == 0 && insert != NULL)
			v[k++] = xstrdup(insert);
	}
	return v;
}

static void doctor_argv_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/* Appends line to b, dropping the oldest lines when b is full. */
static void doctor_keep(struct buf *b, const char *line)
{
	const char *nl;
	size_t n = strlen(line);

	if (n + 1 > b->max)
		return;
	while (buf_avail(b) + n + 1 > b->max) {
		nl = memchr(buf_ptr(b), '\n', buf_avail(b));
		buf_consume(b, nl ? (size_t)(nl - buf_ptr(b)) + 1 : buf_avail(b));
	}
	buf_put(b, line, n);
	buf_putc(b, '\n');
}

/* A string replaced by a copy of the n bytes at p. */
static void doctor_set(char **dst, const char *p, size_t n)
{
	free(*dst);
	*dst = xstrndup(p, n);
}

static int doctor_prefix(const char *s, const char *prefix, const char **restp)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n) != 0)
		return 0;
	*restp = s + n;
	return 1;
}

/* ---- askpass ---- */

/* A fresh one-time askpass environment for one ssh process of h (slot:
 * 0 the probe, 1 the master, 2 the session), or NULL when h logs in with
 * keys or an agent. */
static char *const *doctor_env(struct doctor_host *h, int slot)
{
	if (h->password == NULL || h->run->askpass == NULL)
		return NULL;
	askpass_env_free(h->env[slot]);
	h->env[slot] = askpass_env(h->run->askpass, h->password);
	return h->env[slot];
}

static int doctor_askpass(struct doctor_host *h)
{
	struct doctor_run *run = h->run;
	const char *dir = run->o->ctl_dir;
	char *why = NULL, *msg;

	if (h->password == NULL || run->askpass != NULL)
		return 0;
	if (dir == NULL) {
		if (run->askpass_dir == NULL) {
			run->askpass_dir = xstrdup("/tmp/drover-askpass.XXXXXX");
			if (mkdtemp(run->askpass_dir) == NULL) {
				free(run->askpass_dir);
				run->askpass_dir = NULL;
			}
		}
		dir = run->askpass_dir;
	}
	if (dir != NULL)
		run->askpass = askpass_start(run->loop, dir, run->o->self_path, &why);
	if (run->askpass != NULL)
		return 0;
	msg = xasprintf("cannot pass the password to ssh: %s", why ? why : "no private directory");
	doctor_begin(h, DOCTOR_AUTH, 0);
	doctor_fail(h, msg, NULL);
	free(msg);
	free(why);
	return -1;
}

/* ---- resolve and connect ---- */

static void doctor_start_probe(struct doctor_host *h);

static void doctor_on_connect(int r, void *arg)
{
	struct doctor_host *h = arg;
	char *m;

	if (h->done)
		return;
	if (r != 0) {
		if (r == ERR_TIMEOUT)
			m = xasprintf("%s port %d: no answer within %llu ms", h->addr.text, h->g_port,
			              (unsigned long long)doctor_timeout_ms(h));
		else
			m = xasprintf("%s port %d: %s", h->addr.text, h->g_port, err_str(r));
		doctor_fail(h, m, NULL);
		free(m);
		return;
	}
	if (h->naddrs > 1)
		doctor_line(DOCTOR_CONNECT, "ok", (int64_t)doctor_since(h->phase_start),
		            "TCP to %s port %d (the first of %zu addresses)", h->addr.text, h->g_port, h->naddrs);
	else
		doctor_line(DOCTOR_CONNECT, "ok", (int64_t)doctor_since(h->phase_start), "TCP to %s port %d",
		            h->addr.text, h->g_port);
	doctor_start_probe(h);
}

static void doctor_on_addrs(int err, const char *msg, const struct netprobe_addr *addrs, size_t n, void *arg)
{
	struct doctor_host *h = arg;
	struct buf b;
	size_t i;
	char *m;

	if (h->done)
		return;
	if (err != 0) {
		m = xasprintf("cannot resolve %s: %s", h->g_hostname, msg);
		doctor_fail(h, m, NULL);
		free(m);
		return;
	}
	h->addr = addrs[0];
	h->naddrs = n;
	buf_init(&b, 0);
	for (i = 0; i < n && i < 4; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", addrs[i].text);
	if (n > 4)
		buf_printf(&b, " and %zu more", n - 4);
	doctor_line(DOCTOR_RESOLVE, "ok", (int64_t)doctor_since(h->phase_start), "HostName %s, Port %d, User %s -> %s",
	            h->g_hostname, h->g_port, h->g_user ? h->g_user : "(ssh's default)", buf_str(&b));
	buf_fini(&b);
	doctor_begin(h, DOCTOR_CONNECT, 0);
	netprobe_connect(h->run->loop, &h->addr, (unsigned)doctor_timeout_ms(h), doctor_on_connect, h);
}

/* The settings `ssh -G` printed: what ssh really uses for this host. */
static void doctor_on_config(int status, const char *out, void *arg)
{
	struct doctor_host *h = arg;
	const char *p, *nl, *sp, *v;
	char *m, *why, *shown;
	size_t klen, vlen;
	long port;

	if (h->done)
		return;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		why = doctor_exit_text(status);
		m = xasprintf("`ssh -G` %s: ssh cannot work out its settings for this host", why);
		doctor_fail(h, m, buf_str(&h->errs));
		free(why);
		free(m);
		return;
	}
	for (p = out; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		sp = strchr(p, ' ');
		if (sp == NULL || (nl != NULL && sp > nl))
			continue;
		klen = (size_t)(sp - p);
		v = sp + 1;
		vlen = nl ? (size_t)(nl - v) : strlen(v);
		if (vlen == 4 && strncmp(v, "none", 4) == 0)
			continue;
		if (klen == 8 && strncmp(p, "hostname", 8) == 0) {
			doctor_set(&h->g_hostname, v, vlen);
		} else if (klen == 4 && strncmp(p, "user", 4) == 0) {
			doctor_set(&h->g_user, v, vlen);
		} else if (klen == 4 && strncmp(p, "port", 4) == 0) {
			port = strtol(v, NULL, 10);
			h->g_port = port > 0 && port < 65536 ? (int)port : 22;
		} else if (klen == 12 && strncmp(p, "proxycommand", 12) == 0) {
			free(h->g_proxy);
			h->g_proxy = xasprintf("ProxyCommand %.*s", (int)vlen, v);
		} else if (klen == 9 && strncmp(p, "proxyjump", 9) == 0 && h->g_proxy == NULL) {
			h->g_proxy = xasprintf("ProxyJump %.*s", (int)vlen, v);
		}
	}
	if (h->g_hostname == NULL)
		h->g_hostname = xstrdup(h->t.addr);
	if (h->g_port == 0)
		h->g_port = h->t.port > 0 ? h->t.port : 22;
	ev_timer_del(h->run->loop, h->timer);
	h->timer = 0;
	if (h->g_proxy != NULL) {
		shown = doctor_short(h->g_proxy);
		doctor_line(DOCTOR_RESOLVE, "ok", (int64_t)doctor_since(h->phase_start),
		            "HostName %s, Port %d, User %s, through %s (resolved by the proxy)", h->g_hostname,
		            h->g_port, h->g_user ? h->g_user : "(ssh's default)", shown);
		free(shown);
		doctor_line(DOCTOR_CONNECT, "skip", -1, "a proxy makes the connection");
		doctor_start_probe(h);
		return;
	}
	netprobe_resolve(h->run->loop, h->g_hostname, h->g_port, (unsigned)doctor_timeout_ms(h), doctor_on_addrs, h);
}

/* Every stderr line of ssh: kept time-stamped for -v, ssh's own messages
 * kept for failures, and the debug lines that mark a phase's end read. */
static void doctor_on_line(const char *line, uint64_t ms, void *arg);

static void doctor_on_argv(char *const *argv, enum conn_phase phase, const char *msg, const char *tail, void *arg)
{
	struct doctor_host *h = arg;
	char **gargv;
	char *m = NULL;

	(void)phase;
	if (h->done)
		return;
	if (argv == NULL) {
		m = xasprintf("cannot build the ssh command: %s", msg ? msg : "unknown error");
		doctor_fail_ex(h, CONN_PHASE_SPAWN, "check ansible_ssh_common_args / ansible_ssh_extra_args", m, tail);
		free(m);
		return;
	}
	h->argv = doctor_argv_dup(argv, NULL);
	gargv = doctor_argv_dup(argv, "-G");
	if (doctor_cmd_start(h, gargv, NULL, doctor_on_line, doctor_on_config, &m) != 0) {
		doctor_fail_ex(h, CONN_PHASE_SPAWN,
		               "check ansible_ssh_executable and that OpenSSH's client is installed", m, NULL);
		free(m);
	}
	doctor_argv_free(gargv);
}

/* ---- host key, auth, session: one `ssh -v HOST true` ---- */

static void doctor_start_control(struct doctor_host *h);

static char *doctor_ssh_detail(const struct doctor_host *h, enum doctor_phase p)
{
	struct buf b;

	buf_init(&b, 0);
	switch (p) {
	case DOCTOR_HOSTKEY:
		buf_puts(&b, h->hostkey ? h->hostkey : "host key");
		if (h->hostkey_unverified)
			buf_puts(&b, " accepted unverified (host key checking is off)");
		else if (h->known_at)
			buf_printf(&b, " known (%s)", h->known_at);
		else
			buf_puts(&b, " accepted");
		if (h->t_connecting && h->t_established >= h->t_connecting)
			buf_printf(&b, "; TCP in %llu ms", (unsigned long long)(h->t_established - h->t_connecting));
		if (h->server)
			buf_printf(&b, "; server %s", h->server);
		break;
	case DOCTOR_AUTH:
		buf_puts(&b, h->auth_method ? h->auth_method : "authenticated");
		if (h->auth_key)
			buf_printf(&b, " (%s)", h->auth_key);
		if (h->g_user)
			buf_printf(&b, " as %s", h->g_user);
		break;
	case DOCTOR_SESSION: buf_puts(&b, "ran `true` on the host: exit status 0"); break;
	default: break;
	}
	return buf_take(&b, NULL);
}

/* The phases before upto are done at time ms: prints them and starts the
 * next with its own deadline. */
static void doctor_pass_to(struct doctor_host *h, enum doctor_phase upto, uint64_t ms)
{
	char *d;

	while (h->phase < upto && h->phase >= DOCTOR_HOSTKEY && h->phase <= DOCTOR_SESSION) {
		d = doctor_ssh_detail(h, h->phase);
		doctor_line(h->phase, "ok", (int64_t)(ms > h->phase_start ? ms - h->phase_start : 0), "%s", d);
		free(d);
		h->phase++;
		h->phase_start = ms;
		ev_timer_del(h->run->loop, h->timer);
		h->deadline_ms = doctor_timeout_ms(h) + DOCTOR_SSH_GRACE_MS;
		h->timer = ev_timer_add(h->run->loop, h->deadline_ms, doctor_deadline_fired, h);
	}
}

static void doctor_on_line(const char *line, uint64_t ms, void *arg)
{
	struct doctor_host *h = arg;
	const char *r, *e;
	char *stamped;

	if (h->done)
		return;
	stamped = xasprintf("+%5llu ms  %s", (unsigned long long)(ms > h->cmd_start ? ms - h->cmd_start : 0), line);
	doctor_keep(&h->transcript, stamped);
	free(stamped);
	if (strncmp(line, "debug", 5) != 0 && strncmp(line, "OpenSSH_", 8) != 0 &&
	    strncmp(line, "Authenticated to ", 17) != 0 && strncmp(line, "Transferred: ", 13) != 0 &&
	    strncmp(line, "Bytes per second", 16) != 0 && *line)
		doctor_keep(&h->errs, line);
	if (h->phase < DOCTOR_HOSTKEY || h->phase > DOCTOR_SESSION)
		return;
	if (strncmp(line, "debug", 5) == 0)
		snprintf(h->last, sizeof(h->last), "%s", line);
	if (doctor_prefix(line, "debug1: Connecting to ", &r)) {
		h->t_connecting = ms;
	} else if (strcmp(line, "debug1: Connection established.") == 0) {
		h->t_established = ms;
	} else if (doctor_prefix(line, "debug1: Remote protocol version ", &r)) {
		if ((r = strstr(r, "remote software version ")) != NULL)
			doctor_set(&h->server, r + 24, strlen(r + 24));
	} else if (doctor_prefix(line, "debug1: Server host key: ", &r)) {
		doctor_set(&h->hostkey, r, strlen(r));
	} else if (doctor_prefix(line, "debug1: Found key in ", &r)) {
		doctor_set(&h->known_at, r, strlen(r));
		doctor_pass_to(h, DOCTOR_AUTH, ms);
	} else if (doctor_prefix(line, "debug1: Host '", &r) && strstr(r, "' is known and matches") != NULL) {
		/* "Found key in FILE:LINE" follows at once and says where. */
	} else if (doctor_prefix(line, "Warning: Permanently added ", &r)) {
		h->hostkey_unverified = 1;
		doctor_pass_to(h, DOCTOR_AUTH, ms);
	} else if (doctor_prefix(line, "debug1: Authentications that can continue: ", &r)) {
		doctor_pass_to(h, DOCTOR_AUTH, ms);
		doctor_set(&h->methods, r, strlen(r));
	} else if (doctor_prefix(line, "debug1: Next authentication method: ", &r)) {
		if (h->tried == NULL || strstr(h->tried, r) == NULL) {
			stamped = h->tried ? xasprintf("%s,%s", h->tried, r) : xstrdup(r);
			free(h->tried);
			h->tried = stamped;
		}
	} else if (doctor_prefix(line, "debug1: Server accepts key: ", &r)) {
		e = strchr(r, ' ');
		doctor_set(&h->auth_key, r, e ? (size_t)(e - r) : strlen(r));
	} else if (doctor_prefix(line, "Authenticated to ", &r)) {
		if ((r = strstr(r, " using \"")) != NULL) {
			r += 8;
			e = strchr(r, '"');
			doctor_set(&h->auth_method, r, e ? (size_t)(e - r) : strlen(r));
		}
		doctor_pass_to(h, DOCTOR_SESSION, ms);
	} else if (doctor_prefix(line, "debug1: Exit status ", &r)) {
		h->exit_status = (int)strtol(r, NULL, 10);
	}
}

static void doctor_on_probe_exit(int status, const char *out, void *arg)
{
	struct doctor_host *h = arg;
	char *why, *m;

	(void)out;
	if (h->done)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		buf_reset(&h->errs);
		doctor_pass_to(h, DOCTOR_CONTROL, ev_clock_ms());
		if (h->run->verbosity >= 1)
			doctor_more("", buf_str(&h->transcript));
		doctor_start_control(h);
		return;
	}
	if (h->phase == DOCTOR_SESSION && h->exit_status > 0 && h->exit_status != 255) {
		m = xasprintf("`true` exited with status %d on the host: its login shell or start-up files fail",
		              h->exit_status);
		doctor_fail(h, m, buf_str(&h->errs));
		free(m);
		return;
	}
	why = doctor_exit_text(status);
	if (h->phase == DOCTOR_AUTH && h->methods != NULL)
		m = xasprintf("ssh %s; the server accepts %s; tried %s", why, h->methods,
		              h->tried ? h->tried : "nothing");
	else
		m = xasprintf("ssh %s", why);
	doctor_fail(h, m, buf_str(&h->errs));
	free(m);
	free(why);
}

static void doctor_start_probe(struct doctor_host *h)
{
	char **vargv;
	char *m = NULL;

	doctor_begin(h, DOCTOR_HOSTKEY, doctor_timeout_ms(h) + DOCTOR_SSH_GRACE_MS);
	buf_reset(&h->errs);
	h->cmd_start = h->phase_start;
	h->exit_status = -1;
	vargv = doctor_argv_dup(h->argv, "-v");
	if (doctor_cmd_start(h, vargv, doctor_env(h, 0), doctor_on_line, doctor_on_probe_exit, &m) != 0) {
		doctor_fail_ex(h, CONN_PHASE_SPAWN,
		               "check ansible_ssh_executable and that OpenSSH's client is installed", m, NULL);
		free(m);
	}
	doctor_argv_free(vargv);
}

/* ---- control ---- */

static void doctor_start_worker(struct doctor_host *h);

static void doctor_on_control(enum ctlpath_state st, pid_t pid, void *arg)
{
	struct doctor_host *h = arg;
	int64_t ms;
	const char *why = h->run->ctl_why;

	if (h->done || h->phase != DOCTOR_CONTROL)
		return;
	ms = (int64_t)doctor_since(h->phase_start);
	switch (st) {
	case CTLPATH_ALIVE:
		doctor_line(DOCTOR_CONTROL, "ok", ms, "master pid %d is alive at %s: sessions reuse it", (int)pid,
		            h->sock);
		break;
	case CTLPATH_ABSENT:
		doctor_line(DOCTOR_CONTROL, "ok", ms, "no master yet at %s: one will be started", h->sock);
		break;
	case CTLPATH_STALE:
		doctor_line(DOCTOR_CONTROL, "warn", ms,
		            "stale socket %s removed (its master was gone): a new one will be started", h->sock);
		break;
	case CTLPATH_STUCK:
		doctor_line(DOCTOR_CONTROL, "warn", ms,
		            "the master at %s did not answer within %d ms: sessions bypass it", h->sock,
		            DOCTOR_CHECK_MS);
		break;
	case CTLPATH_BROKEN:
		doctor_line(DOCTOR_CONTROL, "warn", ms, "%s is not a usable control socket: sessions connect directly",
		            h->sock);
		break;
	}
	if (why != NULL)
		doctor_more("note: ", why);
	doctor_start_worker(h);
}

static void doctor_start_control(struct doctor_host *h)
{
	const struct ssh_target *t = &h->t;

	doctor_begin(h, DOCTOR_CONTROL, 0);
	if (t->persist <= 0) {
		doctor_line(DOCTOR_CONTROL, "skip", -1, "no control master: ControlPersist is 0 (--no-persist)");
		doctor_start_worker(h);
		return;
	}
	if (t->ctl_dir == NULL) {
		doctor_line(DOCTOR_CONTROL, "warn", (int64_t)doctor_since(h->phase_start),
		            "no usable control directory: every session connects directly");
		doctor_more("why: ", h->run->ctl_why ? h->run->ctl_why : "unknown");
		doctor_start_worker(h);
		return;
	}
	h->sock = ctlpath_socket(t->ctl_dir, t->user, t->addr, t->port);
	ctlpath_check(h->run->loop, h->sock, DOCTOR_CHECK_MS, doctor_on_control, h);
}

/* ---- bootstrap, hello, request: a worker session as `drover run` makes it ---- */

static void doctor_on_reply(struct conn *c, const struct value *result, const struct conn_error *e, void *arg)
{
	struct doctor_host *h = arg;
	char *m;

	(void)c;
	if (h->done)
		return;
	if (e != NULL) {
		doctor_fail_ex(h, e->phase, NULL, e->msg, e->stderr_tail);
		return;
	}
	if (value_get_bool(result, "failed", 0) || value_get_str(result, "ping", NULL) == NULL) {
		m = xasprintf("ping failed: %s", value_get_str(result, "msg", "no answer in the reply"));
		doctor_fail_ex(h, CONN_PHASE_REQUEST, "the worker runs but its modules fail: run with -vvvv", m, NULL);
		free(m);
		return;
	}
	doctor_line(DOCTOR_REQUEST, "ok", (int64_t)doctor_since(h->phase_start),
	            "ping answered \"%s\": round trip %llu ms", value_get_str(result, "ping", ""),
	            (unsigned long long)doctor_since(h->ping_sent));
	doctor_host_done(h);
}

static void doctor_on_ready(struct conn *c, const struct value *hello, void *arg)
{
	struct doctor_host *h = arg;
	const struct adhoc_opts *o = h->run->o;
	const char *hash = value_get_str(hello, "hash", NULL);
	const char *version = value_get_str(hello, "version", "?");
	struct value *body;
	struct buf b;
	char *m;
	int r;

	if (h->done)
		return;
	buf_init(&b, 0);
	if (strcmp(h->conn_type, "local") == 0)
		buf_printf(&b, "worker %s started locally", o->worker_path);
	else
		buf_printf(&b, "worker %s (%zu bytes, sha256 %.12s)",
		           conn_uploads(c) > 0 ? "uploaded" : "cached on the host", o->worker_len, o->worker_hash);
	if (h->over_master && h->master_pid > 0)
		buf_printf(&b, "; session over control master pid %d", (int)h->master_pid);
	else if (h->over_master)
		buf_puts(&b, "; session over the control master");
	else if (strcmp(h->conn_type, "local") != 0)
		buf_puts(&b, "; direct session (no control master)");
	doctor_line(DOCTOR_BOOTSTRAP, "ok", (int64_t)doctor_since(h->phase_start), "%s", buf_str(&b));
	buf_fini(&b);

	doctor_begin(h, DOCTOR_HELLO, 0);
	if (hash != NULL && o->worker_hash != NULL && strcmp(hash, o->worker_hash) != 0) {
		m = xasprintf("the worker's hash %.16s... is not this drover's %.16s...: the cached binary is not the "
		              "one drover sent",
		              hash, o->worker_hash);
		doctor_fail_ex(h, CONN_PHASE_HELLO, "remove the host's ~/.cache/drover and run again", m, NULL);
		free(m);
		return;
	}
	doctor_line(DOCTOR_HELLO, "ok", (int64_t)doctor_since(h->phase_start),
	            "drover-worker %s%s%s, %s %s, uid %lld (%s), home %s", version,
	            strcmp(version, DROVER_VERSION) ? " (drover is " DROVER_VERSION ")" : "",
	            hash ? "" : ", hash unknown", value_get_str(hello, "os", "?"), value_get_str(hello, "arch", "?"),
	            (long long)value_get_int(hello, "uid", -1), value_get_str(hello, "user", "?"),
	            value_get_str(hello, "home", "?"));

	doctor_begin(h, DOCTOR_REQUEST, 0);
	body = value_map();
	value_map_set(body, "module", value_str("ping"));
	value_map_set(body, "args", value_map());
	h->ping_sent = ev_clock_ms();
	if ((r = conn_request(c, body, doctor_timeout_ms(h), doctor_on_reply, h)) != 0) {
		m = xasprintf("cannot send the request: %s", err_str(r));
		doctor_fail(h, m, NULL);
		free(m);
	}
	value_unref(body);
}

static void doctor_on_conn_failed(struct conn *c, const struct conn_error *e, void *arg)
{
	struct doctor_host *h = arg;

	(void)c;
	if (h->done)
		return;
	doctor_fail_ex(h, e->phase, NULL, e->msg, e->stderr_tail);
}

static const struct conn_cbs doctor_conn_cbs = {doctor_on_ready, doctor_on_conn_failed};

static uint64_t doctor_bootstrap_ms(const struct doctor_host *h)
{
	/* As `drover run`: a master start, a session and an upload. */
	return doctor_timeout_ms(h) * 2 + 5000;
}

static void doctor_conn_start(struct doctor_host *h, char *const *argv)
{
	const struct adhoc_opts *o = h->run->o;
	struct conn_params p;
	char *m = NULL;

	memset(&p, 0, sizeof(p));
	p.host = h->name;
	/* A backstop only: the phase's own deadline comes first. */
	p.hello_ms = doctor_bootstrap_ms(h) + 1000;
	if (argv == NULL) {
		p.kind = CONN_LOCAL;
		p.worker_path = o->worker_path;
	} else {
		p.kind = CONN_SSH;
		p.argv = argv;
		p.envp = doctor_env(h, 2);
		p.upload = o->worker_bytes;
		p.upload_len = o->worker_len;
		p.classify = ssh_classify;
	}
	if (conn_start(h->run->loop, &p, &doctor_conn_cbs, h, &h->conn, &m) != 0) {
		doctor_fail_ex(h, CONN_PHASE_SPAWN, NULL, m ? m : "cannot start the session", NULL);
		free(m);
	}
}

static void doctor_on_master(enum ctlpath_state st, pid_t pid, void *arg)
{
	struct doctor_host *h = arg;

	if (h->done || h->phase != DOCTOR_BOOTSTRAP)
		return;
	if (st == CTLPATH_ALIVE)
		h->master_pid = pid;
	doctor_conn_start(h, h->sargv);
}

static void doctor_on_session_argv(char *const *argv, enum conn_phase phase, const char *msg, const char *tail,
                                   void *arg)
{
	struct doctor_host *h = arg;
	const char *sock = NULL;
	size_t i;
	char *m;

	if (h->done || h->phase != DOCTOR_BOOTSTRAP)
		return;
	if (argv == NULL) {
		m = xasprintf("cannot set up the session: %s", msg ? msg : "unknown error");
		doctor_fail_ex(h, phase, NULL, m, tail);
		free(m);
		return;
	}
	for (i = 0; argv[i] != NULL; i++)
		if (doctor_prefix(argv[i], "ControlPath=", &sock) && strcmp(sock, "none") != 0)
			break;
	if (argv[i] == NULL) {
		doctor_conn_start(h, argv);
		return;
	}
	/* The master is up: ask it for its pid, to name it. */
	h->over_master = 1;
	h->sargv = doctor_argv_dup(argv, NULL);
	ctlpath_check(h->run->loop, sock, DOCTOR_CHECK_MS, doctor_on_master, h);
}

static void doctor_start_worker(struct doctor_host *h)
{
	const struct adhoc_opts *o = h->run->o;
	char *cmd;

	doctor_begin(h, DOCTOR_BOOTSTRAP, doctor_bootstrap_ms(h));
	if (strcmp(h->conn_type, "local") == 0) {
		doctor_conn_start(h, NULL);
		return;
	}
	if (o->worker_bytes == NULL) {
		doctor_fail_ex(h, CONN_PHASE_BOOTSTRAP, "build drover-worker beside drover, or set DROVER_WORKER to it",
		               o->worker_error ? o->worker_error : "no worker binary", NULL);
		return;
	}
	cmd = bootstrap_command(o->worker_hash, o->worker_len, o->worker_arch);
	h->t.envp = doctor_env(h, 1);
	ssh_prepare(h->run->loop, &h->t, cmd, doctor_on_session_argv, h);
	free(cmd);
}

/* ---- hosts ---- */

static void doctor_start_host(struct doctor_host *h)
{
	struct doctor_run *run = h->run;
	const struct ssh_target *t = &h->t;
	struct buf b;
	enum doctor_phase p;
	char *m;

	h->start = ev_clock_ms();
	h->conn_type = target_connection(h->vars, run->o);
	buf_init(&b, 0);
	if (strcmp(h->conn_type, "local") == 0) {
		buf_printf(&b, "%s (local connection)\n", h->name);
		doctor_emit(&b);
		buf_fini(&b);
		for (p = DOCTOR_RESOLVE; p <= DOCTOR_CONTROL; p++)
			doctor_line(p, "skip", -1, "local connection: no ssh");
		doctor_start_worker(h);
		return;
	}
	if (strcmp(h->conn_type, "ssh") != 0 && strcmp(h->conn_type, "smart") != 0 &&
	    strcmp(h->conn_type, "paramiko") != 0) {
		buf_printf(&b, "%s (connection %s)\n", h->name, h->conn_type);
		doctor_emit(&b);
		buf_fini(&b);
		m = xasprintf("connection type '%s' is not supported", h->conn_type);
		doctor_begin(h, DOCTOR_RESOLVE, 0);
		doctor_fail_ex(h, CONN_PHASE_SPAWN, "use ssh or local (ansible_connection, -c)", m, NULL);
		free(m);
		return;
	}
	target_from_vars(h->vars, run->o, h->name, &h->t);
	buf_printf(&b, "%s (ssh to %s%s%s", h->name, t->user ? t->user : "", t->user ? "@" : "", t->addr);
	if (t->port > 0)
		buf_printf(&b, " port %d", t->port);
	buf_puts(&b, ")\n");
	doctor_emit(&b);
	buf_fini(&b);
	h->password = target_password(h->vars, run->o);
	if (h->password != NULL) {
		h->t.password = 1;
		if (doctor_askpass(h) != 0)
			return;
	}
	h->probe = h->t;
	h->probe.ctl_dir = NULL;
	h->probe.persist = 0;
	h->probe.verbosity = 0;
	doctor_begin(h, DOCTOR_RESOLVE, doctor_timeout_ms(h));
	ssh_prepare(run->loop, &h->probe, "true", doctor_on_argv, h);
}

static void doctor_next_host(struct doctor_run *run)
{
	if (run->next < run->n) {
		doctor_start_host(&run->hosts[run->next++]);
		return;
	}
	/* Its listening socket would keep the loop running for ever; what
	 * else is left (workers closing, masters of hosts that timed out)
	 * ends by itself. */
	askpass_free(run->askpass);
	run->askpass = NULL;
}

static void doctor_host_free(struct doctor_host *h)
{
	size_t i;

	value_unref(h->vars);
	for (i = 0; i < sizeof(h->env) / sizeof(h->env[0]); i++)
		askpass_env_free(h->env[i]);
	doctor_argv_free(h->argv);
	doctor_argv_free(h->sargv);
	free(h->g_hostname);
	free(h->g_user);
	free(h->g_proxy);
	free(h->hostkey);
	free(h->known_at);
	free(h->server);
	free(h->methods);
	free(h->tried);
	free(h->auth_method);
	free(h->auth_key);
	free(h->sock);
	buf_fini(&h->errs);
	buf_fini(&h->transcript);
}

/* Walks every host; returns 0 or a negative error when the loop failed. */
static int doctor_run_hosts(struct inventory *inv, struct inv_host *const *hosts, size_t n, struct adhoc_opts *o,
                            const char *ctl_why, int verbosity, size_t *failedp)
{
	struct doctor_run run;
	size_t i;
	int r;

	memset(&run, 0, sizeof(run));
	run.loop = ev_new();
	run.o = o;
	run.ctl_why = ctl_why;
	run.verbosity = verbosity;
	run.n = n;
	run.hosts = xcalloc(n ? n : 1, sizeof(*run.hosts));
	for (i = 0; i < n; i++) {
		run.hosts[i].run = &run;
		run.hosts[i].name = inv_host_name(hosts[i]);
		run.hosts[i].vars = inventory_host_vars(inv, hosts[i]);
		if (o->extra_vars != NULL)
			value_map_update(value_mut(&run.hosts[i].vars), o->extra_vars, 0);
		run.hosts[i].master_pid = -1;
		buf_init(&run.hosts[i].errs, DOCTOR_ERRS_MAX);
		buf_init(&run.hosts[i].transcript, DOCTOR_TRANSCRIPT_MAX);
	}
	doctor_next_host(&run);
	r = ev_run(run.loop);
	printf("doctor: %zu host%s, %zu passed, %zu failed\n", n, n == 1 ? "" : "s", run.passed, run.failed);
	fflush(stdout);
	*failedp = run.failed + (n - run.passed - run.failed);
	for (i = 0; i < n; i++)
		doctor_host_free(&run.hosts[i]);
	askpass_free(run.askpass);
	if (run.askpass_dir != NULL) {
		rmdir(run.askpass_dir);
		free(run.askpass_dir);
	}
	free(run.hosts);
	ev_free(run.loop);
	return r;
}

static void doctor_usage(FILE *f)
{
	fprintf(f, "usage: drover doctor PATTERN... [-i INVENTORY] [options]\n"
	           "\n"
	           "Walks every phase of a connection to each host PATTERN selects, one host after\n"
	           "the other, and prints how long each phase took and where it breaks: resolve,\n"
	           "connect, host key, auth, session (a direct `ssh -v HOST true`), control (the\n"
	           "ControlMaster socket), bootstrap, hello and request (a worker session as\n"
	           "`drover run` makes it, and a ping). Exits 0 when every host passed, 4 when a\n"
	           "host failed a phase.\n"
	           "\n"
	           "  -i, --inventory SRC    inventory file, directory or 'h1,h2,' list (repeatable)\n"
	           "  -e, --extra-vars VARS  key=value, JSON/YAML, or @file (repeatable)\n"
	           "  -l, --limit SUBSET     further limit the hosts (repeatable)\n"
	           "  -c, --connection TYPE  connection type when the inventory names none\n"
	           "  -T, --timeout SECONDS  deadline of each phase (default 10)\n"
	           "  -u, --user USER        connect as this user\n"
	           "  -k, --ask-pass         ask for the connection password\n"
	           "      --private-key FILE use this key file\n"
	           "      --ssh-common-args A  extra arguments for ssh (shell words)\n"
	           "      --ssh-extra-args A   likewise, after the common ones\n"
	           "      --no-persist       no ControlMaster\n"
	           "  -v, --verbose          also print ssh's time-stamped debug lines\n");
}

/* Joins the patterns into one: a union, as ',' does in a pattern. */
static char *doctor_pattern(char **pats, int n)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? "," : "", pats[i]);
	return buf_take(&b, NULL);
}

/* Everything after the flags: hosts, the worker, the control directory,
 * then the walk. Returns the exit code. */
static int doctor_walk(struct cli_opts *co, struct adhoc_opts *ao, const char *pattern)
{
	struct cli_worker worker;
	struct inventory *inv = NULL;
	struct inv_host **hosts = NULL;
	struct sigaction sa;
	char *dir = NULL, *why = NULL;
	size_t nhosts = 0, failed = 0;
	int rc;

	memset(&worker, 0, sizeof(worker));
	if ((rc = cli_load_inventory(co, &inv)) != EXIT_OK)
		goto out;
	if ((rc = cli_select_hosts(co, inv, pattern, &hosts, &nhosts)) != EXIT_OK)
		goto out;
	ao->module = "ping";
	ao->extra_vars = co->extra_vars;
	ao->connect_timeout_ms = (uint64_t)co->timeout * 1000;
	ao->connection = co->connection;
	ao->worker_path = cli_worker_path();
	ao->self_path = cli_self_path();
	if ((rc = cli_ssh_setup(co, ao, &worker)) != EXIT_OK)
		goto out;
	ao->style.verbosity = co->verbosity;
	/* What cli_ssh_setup says only at -v: why the configured control
	 * directory, or any, is not used. */
	if (ao->persist > 0) {
		ctlpath_dir(getenv("ANSIBLE_SSH_CONTROL_PATH_DIR"), &dir, &why);
		free(dir);
	}
	/* A worker or ssh that dies while we write to it is a failed phase,
	 * not the end of drover. Children get the default back (spawn.h). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (doctor_run_hosts(inv, hosts, nhosts, ao, why, co->verbosity, &failed) != 0) {
		log_error("the event loop failed");
		rc = EXIT_ERROR;
		goto out;
	}
	rc = failed > 0 ? EXIT_UNREACHABLE : EXIT_OK;
out:
	free(why);
	free(worker.bytes);
	free(worker.ctl_dir);
	free(hosts);
	inventory_free(inv);
	return rc;
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"inventory", required_argument, NULL, 'i'},
		{"inventory-file", required_argument, NULL, 'i'},
		{"extra-vars", required_argument, NULL, 'e'},
		{"limit", required_argument, NULL, 'l'},
		{"connection", required_argument, NULL, 'c'},
		{"timeout", required_argument, NULL, 'T'},
		{"user", required_argument, NULL, 'u'},
		{"private-key", required_argument, NULL, 3},
		{"key-file", required_argument, NULL, 3},
		{"ssh-common-args", required_argument, NULL, 4},
		{"ssh-extra-args", required_argument, NULL, 5},
		{"no-persist", no_argument, NULL, 6},
		{"ask-pass", no_argument, NULL, 'k'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct cli_opts co;
	struct adhoc_opts ao;
	char *pattern = NULL, *password = NULL;
	int ask_pass = 0, c, rc = EXIT_ERROR;

	cli_opts_init(&co);
	memset(&ao, 0, sizeof(ao));
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:e:l:c:T:u:kvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': ao.remote_user = optarg; break;
		case 3: ao.private_key = optarg; break;
		case 4: ao.ssh_common_args = optarg; break;
		case 5: ao.ssh_extra_args = optarg; break;
		case 6: co.no_persist = 1; break;
		case 'k': ask_pass = 1; break;
		case 'h':
			doctor_usage(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			if (c == '?' || cli_opts_common(&co, c, optarg) != 0)
				goto out_opts;
			break;
		}
	}
	if (optind >= argc) {
		log_error("missing host pattern");
		goto out_opts;
	}
	if (ask_pass) {
		if ((password = cli_prompt_secret("SSH password: ")) == NULL) {
			log_error("-k: no terminal to ask for the password on");
			goto out_opts;
		}
		ao.conn_password = password;
	}
	pattern = doctor_pattern(argv + optind, argc - optind);
	rc = doctor_walk(&co, &ao, pattern);
	goto out;
out_opts:
	rc = EXIT_OPTIONS;
out:
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	free(pattern);
	cli_opts_fini(&co);
	return rc;
}
