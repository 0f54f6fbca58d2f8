/* The ssh transport: ControlMaster management and session commands. */
#include "transport/ssh.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/spawn.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "transport/bootstrap.h"
#include "transport/ctlpath.h"

#define SSH_CHECK_MS 2000    /* a live master answers its socket at once */
#define SSH_LOG_MAX 65536    /* bytes of a master's log read for messages */

struct ssh_prep {
	struct ev_loop *loop;
	const struct ssh_target *t;
	char *remote_cmd;
	ssh_prepare_cb cb;
	void *arg;
	char *sock;          /* control socket, or NULL */
	char *logpath;       /* master's stderr: <sock>.log */
	int keep_log;        /* the master runs: its log stays for sessions */
	pid_t master_pid;
	uint64_t timer;
	uint64_t started;    /* ms, for -vvvv timings */
};

struct argv_b {
	char **v;
	size_t n;
};

static void argv_add(struct argv_b *a, const char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof(*a->v));
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

static void argv_addf(struct argv_b *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void argv_addf(struct argv_b *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	argv_add(a, s);
	free(s);
}

static void argv_free(struct argv_b *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Whether an ssh option word sets up multiplexing, which drover manages. */
static int ssh_is_control_opt(const char *w)
{
	return strncasecmp(w, "ControlMaster", 13) == 0 || strncasecmp(w, "ControlPath", 11) == 0 ||
	       strncasecmp(w, "ControlPersist", 14) == 0;
}

/* Adds the shell words of s (ansible_ssh_common_args and friends); with
 * drop_control, "-o Control…" options are left out. */
static int argv_add_words(struct argv_b *a, const char *s, const char *what, int drop_control, char **errp)
{
	struct value *words = NULL;
	const char *msg = NULL, *w, *next;
	size_t i;

	if (s == NULL || *s == '\0')
		return 0;
	if (shlex_split(s, strlen(s), &words, &msg) != 0) {
		*errp = xasprintf("cannot split %s '%s': %s", what, s, msg ? msg : "bad quoting");
		return ERR_PARSE;
	}
	for (i = 0; i < value_len(words); i++) {
		w = value_cstr(value_list_at(words, i));
		next = value_cstr(value_list_at(words, i + 1));
		if (drop_control && strcmp(w, "-o") == 0 && next != NULL && ssh_is_control_opt(next)) {
			i++;
			continue;
		}
		if (drop_control && strncmp(w, "-o", 2) == 0 && ssh_is_control_opt(w + 2))
			continue;
		argv_add(a, w);
	}
	value_unref(words);
	return 0;
}

/* Options common to the master and the session. The user's own arguments
 * come first: ssh keeps the first value it sees for an option, so
 * ansible_ssh_common_args can override every default below. */
static int ssh_common_argv(const struct ssh_target *t, struct argv_b *a, char **errp)
{
	int r;

	argv_add(a, t->ssh_exe ? t->ssh_exe : "ssh");
	if ((r = argv_add_words(a, t->ssh_args, "ssh_args", 1, errp)) != 0 ||
	    (r = argv_add_words(a, t->common_args, "ansible_ssh_common_args", 0, errp)) != 0 ||
	    (r = argv_add_words(a, t->extra_args, "ansible_ssh_extra_args", 0, errp)) != 0)
		return r;
	argv_add(a, "-o");
	/* Never a prompt on a terminal: keys, agents, or our askpass. One
	 * password attempt only, so a wrong one fails at once. */
	if (t->password) {
		argv_add(a, "BatchMode=no");
		argv_add(a, "-o");
		argv_add(a, "NumberOfPasswordPrompts=1");
	} else {
		argv_add(a, "BatchMode=yes");
	}
	argv_add(a, "-o");
	argv_addf(a, "ConnectTimeout=%d", t->connect_timeout > 0 ? t->connect_timeout : 10);
	argv_add(a, "-o");
	argv_addf(a, "ServerAliveInterval=%d", t->alive_interval > 0 ? t->alive_interval : 15);
	argv_add(a, "-o");
	argv_addf(a, "ServerAliveCountMax=%d", t->alive_count > 0 ? t->alive_count : 3);
	if (!t->host_key_checking) {
		argv_add(a, "-o");
		argv_add(a, "StrictHostKeyChecking=no");
		argv_add(a, "-o");
		argv_add(a, "UserKnownHostsFile=/dev/null");
	}
	if (t->port > 0) {
		argv_add(a, "-p");
		argv_addf(a, "%d", t->port);
	}
	if (t->user != NULL && *t->user) {
		argv_add(a, "-l");
		argv_add(a, t->user);
	}
	if (t->key_file != NULL && *t->key_file) {
		argv_add(a, "-i");
		argv_add(a, t->key_file);
	}
	return 0;
}

static void ssh_log_argv(const char *what, const char *host, char *const *v)
{
	struct buf b;
	size_t i;

	if (!log_enabled(4))
		return;
	buf_init(&b, 0);
	for (i = 0; v[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	log_msg(4, "<%s> %s: %s", host, what, buf_str(&b));
	buf_fini(&b);
}

static void ssh_prep_free(struct ssh_prep *p)
{
	ev_timer_del(p->loop, p->timer);
	if (p->logpath != NULL && !p->keep_log)
		unlink(p->logpath);
	free(p->logpath);
	free(p->sock);
	free(p->remote_cmd);
	free(p);
}

static void ssh_fail(struct ssh_prep *p, enum conn_phase phase, const char *msg, const char *tail)
{
	p->cb(NULL, phase, msg, tail, p->arg);
	ssh_prep_free(p);
}

/* Builds the session command: over the master when sock is given, else
 * direct. No pty: background processes must survive their task. */
static void ssh_session(struct ssh_prep *p, const char *sock)
{
	struct argv_b a = {NULL, 0};
	char *err = NULL;

	if (ssh_common_argv(p->t, &a, &err) != 0) {
		ssh_fail(p, CONN_PHASE_SPAWN, err, NULL);
		free(err);
		argv_free(&a);
		return;
	}
	if (p->t->verbosity >= 4) {
		argv_add(&a, "-vvv");
	} else if (bootstrap_is_command(p->remote_cmd)) {
		/* ssh says why a path went silent ("Timeout, server ... not
		 * responding") at INFO, which a LogLevel ERROR in ssh_config
		 * would hide from the failure message. A worker session's
		 * stderr is shown only when it fails, so this costs nothing;
		 * the user's own -q or -o LogLevel still win (they come first).
		 * Not for raw commands, whose stderr is the task's output. */
		argv_add(&a, "-o");
		argv_add(&a, "LogLevel=INFO");
	}
	argv_add(&a, "-T");
	argv_add(&a, "-o");
	argv_add(&a, "ControlMaster=no");
	argv_add(&a, "-o");
	argv_addf(&a, "ControlPath=%s", sock ? sock : "none");
	argv_add(&a, p->t->addr);
	argv_add(&a, p->remote_cmd);
	ssh_log_argv(sock ? "session over master" : "direct session", p->t->name, a.v);
	p->cb(a.v, CONN_PHASE_SESSION, NULL, NULL, p->arg);
	argv_free(&a);
	ssh_prep_free(p);
}

static const char *ssh_tail(const char *text)
{
	size_t n = strlen(text);
	int lines = 0;

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	while (n > 0) {
		if (text[n - 1] == '\n' && ++lines == 4)
			break;
		n--;
	}
	return text + n;
}

enum conn_phase ssh_classify(const char *text, enum conn_phase dflt)
{
	static const struct {
		const char *needle;
		enum conn_phase phase;
	} rules[] = {
		{"Could not resolve hostname", CONN_PHASE_RESOLVE},
		{"Name or service not known", CONN_PHASE_RESOLVE},
		{"Host key verification failed", CONN_PHASE_HOSTKEY},
		{"REMOTE HOST IDENTIFICATION HAS CHANGED", CONN_PHASE_HOSTKEY},
		{"host key is known", CONN_PHASE_HOSTKEY},
		{"Permission denied", CONN_PHASE_AUTH},
		{"Too many authentication failures", CONN_PHASE_AUTH},
		{"No more authentication methods", CONN_PHASE_AUTH},
		{"Connection refused", CONN_PHASE_CONNECT},
		{"No route to host", CONN_PHASE_CONNECT},
		{"Network is unreachable", CONN_PHASE_CONNECT},
		{"Connection timed out", CONN_PHASE_CONNECT},
		{"kex_exchange_identification", CONN_PHASE_CONNECT},
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (strstr(text, rules[i].needle) != NULL)
			return rules[i].phase;
	/* A path that goes silent after login fails whatever phase was under
	 * way: a worker that never said hello is not a task that died. */
	if (strstr(text, "Timeout, server") != NULL || strstr(text, "Broken pipe") != NULL)
		return dflt >= CONN_PHASE_SESSION ? dflt : CONN_PHASE_REQUEST;
	return dflt;
}

const char *ssh_hint(enum conn_phase p)
{
	switch (p) {
	case CONN_PHASE_RESOLVE: return "check the host name or ansible_host";
	case CONN_PHASE_CONNECT: return "check that the host is up, the port is right and a firewall lets it through";
	case CONN_PHASE_HOSTKEY: return "the host's key is unknown or changed: verify it and update known_hosts";
	case CONN_PHASE_AUTH: return "check the user, the key (ansible_ssh_private_key_file) or the password";
	case CONN_PHASE_SESSION: return "the login worked but the session gave nothing back: check MaxSessions, the login shell and its rc files, and the network path";
	case CONN_PHASE_BOOTSTRAP: return "the worker could not be installed or started on the host";
	case CONN_PHASE_HELLO: return "the worker did not start: run with -vvvv to see the bootstrap";
	case CONN_PHASE_REQUEST: return "the connection died during a task: the network path may have gone silent";
	default: return "run `drover doctor HOST` to walk every phase";
	}
}

/* Which phase a master that never finished starting was in, from its -v log. */
static enum conn_phase ssh_log_phase(const char *log)
{
	if (strstr(log, "Authenticated to") != NULL)
		return CONN_PHASE_SESSION;
	if (strstr(log, "Server host key:") != NULL)
		return strstr(log, "Host key verification failed") ? CONN_PHASE_HOSTKEY : CONN_PHASE_AUTH;
	if (strstr(log, "Connection established") != NULL)
		return CONN_PHASE_CONNECT;
	if (strstr(log, "Connecting to") != NULL)
		return CONN_PHASE_CONNECT;
	return CONN_PHASE_RESOLVE;
}

/* The non-debug lines of the master's log: what ssh itself would have said.
 * ssh ends the lines it logs to stderr with "\r\n"; messages get "\n". */
static char *ssh_log_errors(const char *log)
{
	struct buf b;
	const char *p, *nl;
	size_t n;

	buf_init(&b, SSH_LOG_MAX);
	for (p = log; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		if (strncmp(p, "debug", 5) == 0 || strncmp(p, "OpenSSH_", 8) == 0)
			continue;
		n = nl ? (size_t)(nl - p) : strlen(p);
		while (n > 0 && p[n - 1] == '\r')
			n--;
		buf_put(&b, p, n);
		buf_putc(&b, '\n');
	}
	return buf_take(&b, NULL);
}

static char *ssh_read_log(const struct ssh_prep *p)
{
	struct buf b;

	buf_init(&b, SSH_LOG_MAX);
	if (p->logpath != NULL)
		file_read(p->logpath, &b);
	return buf_take(&b, NULL);
}

static void ssh_master_exit(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct ssh_prep *p = arg;
	char *log, *errs, *msg;
	enum conn_phase phase;

	(void)loop;
	(void)pid;
	p->master_pid = -1;
	ev_timer_del(p->loop, p->timer);
	p->timer = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		log_v(3, "<%s> control master ready in %llu ms", p->t->name,
		      (unsigned long long)(ev_clock_ms() - p->started));
		p->keep_log = 1;
		ssh_session(p, p->sock);
		return;
	}
	log = ssh_read_log(p);
	errs = ssh_log_errors(log);
	if (strstr(log, "muxserver_listen") != NULL || strstr(log, "ControlSocket") != NULL) {
		/* The master could not create its socket: go on without one. */
		log_warn("<%s> cannot start a control master (%s); connecting directly", p->t->name,
		      ssh_tail(errs));
		free(log);
		free(errs);
		ssh_session(p, NULL);
		return;
	}
	phase = ssh_classify(errs, ssh_log_phase(log));
	msg = xasprintf("ssh exited with status %d", WIFEXITED(status) ? WEXITSTATUS(status) : 255);
	ssh_fail(p, phase, msg, ssh_tail(errs));
	free(msg);
	free(log);
	free(errs);
}

static void ssh_master_timeout(struct ev_loop *loop, void *arg)
{
	struct ssh_prep *p = arg;
	char *log, *msg;
	enum conn_phase phase;

	(void)loop;
	p->timer = 0;
	if (p->master_pid > 0) {
		kill(p->master_pid, SIGKILL);
		ev_child_del(p->loop, p->master_pid);
		p->master_pid = -1;
	}
	log = ssh_read_log(p);
	phase = ssh_log_phase(log);
	msg = xasprintf("timed out after %d s in phase %s", p->t->connect_timeout * 2, conn_phase_name(phase));
	ssh_fail(p, phase, msg, NULL);
	free(msg);
	free(log);
}

static void ssh_start_master(struct ssh_prep *p)
{
	struct argv_b a = {NULL, 0};
	struct spawn_opts o;
	const char *stage = NULL;
	char *err = NULL;
	int logfd = -1, r;

	if (ssh_common_argv(p->t, &a, &err) != 0) {
		ssh_fail(p, CONN_PHASE_SPAWN, err, NULL);
		goto out;
	}
	argv_add(&a, "-v");
	argv_add(&a, "-M");
	argv_add(&a, "-N");
	argv_add(&a, "-f");
	argv_add(&a, "-o");
	argv_addf(&a, "ControlPath=%s", p->sock);
	argv_add(&a, "-o");
	argv_addf(&a, "ControlPersist=%d", p->t->persist);
	argv_add(&a, p->t->addr);
	ssh_log_argv("starting control master", p->t->name, a.v);
	p->logpath = xasprintf("%s.log", p->sock);
	/* O_APPEND: a later run may truncate the log under the running master. */
	logfd = open(p->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	spawn_opts_init(&o);
	o.argv = a.v;
	o.envp = p->t->envp;
	o.stderr_fd = logfd; /* -1 falls back to /dev/null */
	o.new_session = 1;
	p->started = ev_clock_ms();
	if ((r = spawn(&o, &p->master_pid, &stage)) != 0) {
		err = xasprintf("cannot run %s (%s): %s", a.v[0], stage, err_str(r));
		ssh_fail(p, CONN_PHASE_SPAWN, err, NULL);
		goto out;
	}
	ev_child_add(p->loop, p->master_pid, ssh_master_exit, p);
	p->timer = ev_timer_add(p->loop, (uint64_t)(p->t->connect_timeout > 0 ? p->t->connect_timeout : 10) * 2000,
	                        ssh_master_timeout, p);
out:
	fd_close(&logfd);
	free(err);
	argv_free(&a);
}

/* A long-lived master keeps appending to its log (one session's worth of
 * -v lines per run): empty it when it has grown, between sessions. */
static void ssh_trim_log(const char *sock)
{
	char *path = xasprintf("%s.log", sock);
	struct stat st;
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > SSH_LOG_MAX)
		if (ftruncate(fd, 0) != 0)
			log_v(4, "cannot empty %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
}

static void ssh_on_check(enum ctlpath_state st, pid_t master_pid, void *arg)
{
	struct ssh_prep *p = arg;

	log_v(4, "<%s> control socket %s: %s%s", p->t->name, p->sock, ctlpath_state_name(st),
	      st == CTLPATH_ALIVE ? " (reusing the master)" : "");
	(void)master_pid;
	switch (st) {
	case CTLPATH_ALIVE:
		ssh_trim_log(p->sock);
		ssh_session(p, p->sock);
		return;
	case CTLPATH_STALE:
		log_v(1, "<%s> removed the stale control socket %s (its master is gone)", p->t->name, p->sock);
		ssh_start_master(p);
		return;
	case CTLPATH_ABSENT:
		ssh_start_master(p);
		return;
	case CTLPATH_STUCK:
		/* Said every time: each run pays the check's deadline until
		 * the master is killed. A stale socket is routine: -v only. */
		log_warn("<%s> the control master at %s does not answer; connecting directly", p->t->name, p->sock);
		ssh_session(p, NULL);
		return;
	case CTLPATH_BROKEN:
		log_warn("<%s> the control socket %s is unusable; connecting directly", p->t->name, p->sock);
		ssh_session(p, NULL);
		return;
	}
}

static void ssh_direct_now(struct ev_loop *loop, void *arg)
{
	struct ssh_prep *p = arg;

	(void)loop;
	p->timer = 0;
	ssh_session(p, NULL);
}

void ssh_prepare(struct ev_loop *loop, const struct ssh_target *t, const char *remote_cmd, ssh_prepare_cb cb,
                 void *arg)
{
	struct ssh_prep *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	p->t = t;
	p->remote_cmd = xstrdup(remote_cmd);
	p->cb = cb;
	p->arg = arg;
	p->master_pid = -1;
	if (t->ctl_dir == NULL || t->persist <= 0) {
		p->timer = ev_timer_add(loop, 0, ssh_direct_now, p);
		return;
	}
	p->sock = ctlpath_socket(t->ctl_dir, t->user, t->addr, t->port);
	ctlpath_check(loop, p->sock, SSH_CHECK_MS, ssh_on_check, p);
}
