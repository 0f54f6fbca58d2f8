/* One command at a time on the worker's event loop: pipes in, a child
 * callback, a deadline timer. The loop runs until the main process has been
 * reaped; at that point whatever is already in the pipes is taken, bounded
 * by FIONREAD, so a background process that inherited them and keeps them
 * open (or keeps writing) cannot hold the reply back. */
#include "modules/runcmd.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/spawn.h"
#include "base/xmalloc.h"

#define RUNCMD_CHUNK 65536

struct runcmd_run {
	struct ev_loop *loop;
	struct runcmd_result *res;
	size_t cap;
	int out_fd, err_fd, in_fd;  /* owned; -1 once closed */
	const char *input;          /* borrowed */
	size_t input_len, input_off;
	pid_t pid;
	uint64_t timer;
	int done;
};

static void runcmd_close(struct runcmd_run *x, int *fdp)
{
	if (*fdp >= 0)
		ev_fd_del(x->loop, *fdp);
	fd_close(fdp);
}

/* Reads at most limit bytes from *fdp into b (one chunk only when once),
 * keeping up to the cap and dropping the rest. Closes the fd at EOF or on
 * an error. */
static void runcmd_read(struct runcmd_run *x, int *fdp, struct buf *b, int *truncp, size_t limit, int once)
{
	char chunk[RUNCMD_CHUNK];
	size_t keep;
	ssize_t n;

	while (*fdp >= 0 && limit > 0) {
		n = read(*fdp, chunk, limit < sizeof(chunk) ? limit : sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			runcmd_close(x, fdp);
			return;
		}
		limit -= (size_t)n;
		keep = buf_avail(b) < x->cap ? x->cap - buf_avail(b) : 0;
		if (keep > (size_t)n)
			keep = (size_t)n;
		if (keep < (size_t)n)
			*truncp = 1;
		if (keep > 0 && buf_put(b, chunk, keep) != 0)
			*truncp = 1;
		/* One chunk per wake-up: the loop stays fair to the other pipe. */
		if (once)
			return;
	}
}

static void runcmd_on_out(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct runcmd_run *x = arg;

	(void)loop;
	(void)events;
	if (fd == x->out_fd)
		runcmd_read(x, &x->out_fd, &x->res->out, &x->res->out_truncated, (size_t)-1, 1);
	else if (fd == x->err_fd)
		runcmd_read(x, &x->err_fd, &x->res->err, &x->res->err_truncated, (size_t)-1, 1);
}

static void runcmd_on_in(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct runcmd_run *x = arg;
	size_t n = x->input_len - x->input_off;
	ssize_t w;

	(void)loop;
	(void)fd;
	(void)events;
	if (n > RUNCMD_CHUNK)
		n = RUNCMD_CHUNK;
	if (n > 0) {
		w = write(x->in_fd, x->input + x->input_off, n);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		/* EPIPE: the command does not read its input; that is its
		 * business, not a failure of the task. */
		if (w < 0) {
			runcmd_close(x, &x->in_fd);
			return;
		}
		x->input_off += (size_t)w;
	}
	if (x->input_off == x->input_len)
		runcmd_close(x, &x->in_fd);
}

/* Takes what is in a pipe now, no more: later writes can only come from
 * processes the command left behind. */
static void runcmd_drain(struct runcmd_run *x, int *fdp, struct buf *b, int *truncp)
{
	int avail = 0;

	if (*fdp < 0)
		return;
	if (ioctl(*fdp, FIONREAD, &avail) == 0 && avail > 0)
		runcmd_read(x, fdp, b, truncp, (size_t)avail, 0);
	runcmd_close(x, fdp);
}

static void runcmd_on_child(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct runcmd_run *x = arg;

	(void)loop;
	(void)pid;
	x->res->status = status;
	x->pid = -1;
	runcmd_drain(x, &x->out_fd, &x->res->out, &x->res->out_truncated);
	runcmd_drain(x, &x->err_fd, &x->res->err, &x->res->err_truncated);
	runcmd_close(x, &x->in_fd);
	x->done = 1;
}

static void runcmd_on_timeout(struct ev_loop *loop, void *arg)
{
	struct runcmd_run *x = arg;

	(void)loop;
	x->timer = 0;
	if (x->pid <= 0)
		return;
	x->res->timed_out = 1;
	/* The command leads its own group (setsid); the second kill covers a
	 * main process that moved itself out of it. */
	kill(-x->pid, SIGKILL);
	kill(x->pid, SIGKILL);
}

int runcmd(struct ev_loop *loop, const struct runcmd_opts *o, struct runcmd_result *res)
{
	struct runcmd_run x;
	struct spawn_opts so;
	int outp[2] = {-1, -1}, errp[2] = {-1, -1}, inp[2] = {-1, -1};
	uint64_t now;
	int r = ERR_INTERNAL;

	memset(res, 0, sizeof(*res));
	buf_init(&res->out, 0);
	buf_init(&res->err, 0);
	memset(&x, 0, sizeof(x));
	x.loop = loop;
	x.res = res;
	x.cap = o->cap;
	x.out_fd = x.err_fd = x.in_fd = -1;
	x.pid = -1;
	x.input = o->input;
	x.input_len = o->input_len;
	if ((r = fd_pipe(outp)) != 0 || (r = fd_pipe(errp)) != 0 ||
	    (o->input != NULL && (r = fd_pipe(inp)) != 0))
		goto out;
	spawn_opts_init(&so);
	so.argv = o->argv;
	so.envp = o->envp;
	so.stdin_fd = inp[0];
	so.stdout_fd = outp[1];
	so.stderr_fd = errp[1];
	so.new_session = 1;
	so.cwd = o->cwd;
	r = spawn(&so, &x.pid, &res->stage);
	fd_close(&outp[1]);
	fd_close(&errp[1]);
	fd_close(&inp[0]);
	if (r != 0) {
		res->spawn_err = r;
		r = 0;
		goto out;
	}
	res->stage = NULL;
	x.out_fd = outp[0];
	x.err_fd = errp[0];
	x.in_fd = inp[1];
	outp[0] = errp[0] = inp[1] = -1;
	if ((r = fd_set_nonblock(x.out_fd, 1)) != 0 || (r = fd_set_nonblock(x.err_fd, 1)) != 0 ||
	    (x.in_fd >= 0 && (r = fd_set_nonblock(x.in_fd, 1)) != 0))
		goto out;
	if ((r = ev_child_add(loop, x.pid, runcmd_on_child, &x)) != 0)
		goto out;
	if ((r = ev_fd_set(loop, x.out_fd, EV_READ, runcmd_on_out, &x)) != 0 ||
	    (r = ev_fd_set(loop, x.err_fd, EV_READ, runcmd_on_out, &x)) != 0 ||
	    (x.in_fd >= 0 && (r = ev_fd_set(loop, x.in_fd, EV_WRITE, runcmd_on_in, &x)) != 0))
		goto out;
	if (o->deadline_ms != 0) {
		now = ev_clock_ms();
		x.timer = ev_timer_add(loop, o->deadline_ms > now ? o->deadline_ms - now : 0, runcmd_on_timeout, &x);
	}
	while (!x.done)
		if ((r = ev_run_once(loop, -1)) != 0)
			goto out;
	r = 0;
out:
	if (x.pid > 0) {
		/* The worker gave up on the command (a loop failure): do not
		 * leave it running unseen. */
		ev_child_del(loop, x.pid);
		kill(-x.pid, SIGKILL);
		kill(x.pid, SIGKILL);
		while (waitpid(x.pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	ev_timer_del(loop, x.timer);
	runcmd_close(&x, &x.out_fd);
	runcmd_close(&x, &x.err_fd);
	runcmd_close(&x, &x.in_fd);
	fd_close(&outp[0]);
	fd_close(&outp[1]);
	fd_close(&errp[0]);
	fd_close(&errp[1]);
	fd_close(&inp[0]);
	fd_close(&inp[1]);
	return r;
}

void runcmd_result_fini(struct runcmd_result *res)
{
	buf_fini(&res->out);
	buf_fini(&res->err);
}

int runcmd_rc(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return -1;
}

extern char **environ;

/* Whether entry "NAME=..." names the same variable as one of set. */
static int runcmd_env_replaced(const char *entry, const char *const *set)
{
	size_t i, n;

	for (i = 0; set[i] != NULL; i++) {
		n = strcspn(set[i], "=") + 1;
		if (strncmp(entry, set[i], n) == 0)
			return 1;
	}
	return 0;
}

char **runcmd_env_with(char *const *envp, const char *const *set)
{
	size_t n = 0, m = 0, k = 0, i;
	char **env;

	if (envp == NULL)
		envp = environ;
	while (envp[n] != NULL)
		n++;
	while (set[m] != NULL)
		m++;
	env = xcalloc(n + m + 1, sizeof(*env));
	for (i = 0; i < n; i++)
		if (!runcmd_env_replaced(envp[i], set))
			env[k++] = xstrdup(envp[i]);
	for (i = 0; i < m; i++)
		env[k++] = xstrdup(set[i]);
	env[k] = NULL;
	return env;
}

void runcmd_env_free(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	free(env);
}
