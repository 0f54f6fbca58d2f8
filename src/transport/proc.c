/* Controller-side command runner on the event loop. */
#include "transport/proc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/spawn.h"
#include "base/xmalloc.h"

struct proc {
	struct ev_loop *loop;
	proc_cb cb;
	void *arg;
	pid_t pid;
	int exited, status, err;
	const char *stage;
	int out_fd, err_fd, in_fd;
	struct buf out, errout, in;
	int truncated;
	uint64_t start_timer;
};

static void proc_finish(struct proc *p)
{
	struct proc_result r;

	if (!p->exited || p->out_fd >= 0 || p->err_fd >= 0)
		return;
	if (p->in_fd >= 0) {
		ev_fd_del(p->loop, p->in_fd);
		fd_close(&p->in_fd);
	}
	memset(&r, 0, sizeof(r));
	r.status = p->status;
	r.err = p->err;
	r.stage = p->stage;
	r.out = buf_str(&p->out);
	r.out_len = buf_avail(&p->out);
	r.errout = buf_str(&p->errout);
	r.err_len = buf_avail(&p->errout);
	r.truncated = p->truncated;
	p->cb(p, &r, p->arg);
	buf_fini(&p->out);
	buf_fini(&p->errout);
	buf_fini(&p->in);
	free(p);
}

static void proc_on_read(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct proc *p = arg;
	struct buf *b = fd == p->out_fd ? &p->out : &p->errout;
	char tmp[65536];
	ssize_t n;

	(void)events;
	n = read(fd, tmp, sizeof(tmp));
	if (n > 0) {
		if (buf_put(b, tmp, (size_t)n) != 0) {
			p->truncated = 1;
			buf_put(b, tmp, b->max - buf_avail(b));
		}
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	ev_fd_del(loop, fd);
	if (fd == p->out_fd)
		fd_close(&p->out_fd);
	else
		fd_close(&p->err_fd);
	proc_finish(p);
}

static void proc_on_write(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct proc *p = arg;
	ssize_t n;

	(void)events;
	n = write(fd, buf_ptr(&p->in), buf_avail(&p->in));
	if (n > 0)
		buf_consume(&p->in, (size_t)n);
	if ((n < 0 && errno != EAGAIN && errno != EINTR) || buf_avail(&p->in) == 0) {
		ev_fd_del(loop, fd);
		fd_close(&p->in_fd);
	}
}

/* Reads what fd already holds, then closes it: once the command has exited,
 * output still to come can only be from a child it left running in the
 * background, which the task must not wait for. */
static void proc_drain(struct proc *p, int *fdp, struct buf *b)
{
	char tmp[65536];
	ssize_t n;

	if (*fdp < 0)
		return;
	while ((n = read(*fdp, tmp, sizeof(tmp))) > 0 || (n < 0 && errno == EINTR)) {
		if (n > 0 && buf_put(b, tmp, (size_t)n) != 0) {
			p->truncated = 1;
			buf_put(b, tmp, b->max - buf_avail(b));
		}
	}
	ev_fd_del(p->loop, *fdp);
	fd_close(fdp);
}

static void proc_on_exit(struct ev_loop *loop, pid_t pid, int status, void *arg)
{
	struct proc *p = arg;

	(void)loop;
	(void)pid;
	p->exited = 1;
	p->status = status;
	proc_drain(p, &p->out_fd, &p->out);
	proc_drain(p, &p->err_fd, &p->errout);
	proc_finish(p);
}

static void proc_start_failed(struct ev_loop *loop, void *arg)
{
	struct proc *p = arg;

	(void)loop;
	p->exited = 1;
	proc_finish(p);
}

struct proc *proc_run(struct ev_loop *loop, char *const *argv, char *const *envp, const char *input,
                      size_t input_len, size_t cap, proc_cb cb, void *arg)
{
	struct proc *p = xcalloc(1, sizeof(*p));
	int out[2] = {-1, -1}, err[2] = {-1, -1}, in[2] = {-1, -1};
	struct spawn_opts o;
	int r;

	p->loop = loop;
	p->cb = cb;
	p->arg = arg;
	p->out_fd = p->err_fd = p->in_fd = -1;
	buf_init(&p->out, cap ? cap : (size_t)16 << 20);
	buf_init(&p->errout, cap ? cap : (size_t)16 << 20);
	buf_init(&p->in, input_len + 1);
	spawn_opts_init(&o);
	o.argv = argv;
	o.envp = envp;
	o.new_session = 1;
	if ((r = fd_pipe(out)) != 0 || (r = fd_pipe(err)) != 0 || (input != NULL && (r = fd_pipe(in)) != 0))
		goto fail;
	o.stdout_fd = out[1];
	o.stderr_fd = err[1];
	o.stdin_fd = in[0];
	if ((r = spawn(&o, &p->pid, &p->stage)) != 0)
		goto fail;
	fd_close(&out[1]);
	fd_close(&err[1]);
	fd_close(&in[0]);
	p->out_fd = out[0];
	p->err_fd = err[0];
	fd_set_nonblock(p->out_fd, 1);
	fd_set_nonblock(p->err_fd, 1);
	ev_fd_set(loop, p->out_fd, EV_READ, proc_on_read, p);
	ev_fd_set(loop, p->err_fd, EV_READ, proc_on_read, p);
	if (input != NULL) {
		p->in_fd = in[1];
		fd_set_nonblock(p->in_fd, 1);
		buf_put(&p->in, input, input_len);
		ev_fd_set(loop, p->in_fd, EV_WRITE, proc_on_write, p);
	}
	ev_child_add(loop, p->pid, proc_on_exit, p);
	return p;
fail:
	p->err = r;
	fd_close(&out[0]);
	fd_close(&out[1]);
	fd_close(&err[0]);
	fd_close(&err[1]);
	fd_close(&in[0]);
	fd_close(&in[1]);
	p->start_timer = ev_timer_add(loop, 0, proc_start_failed, p);
	return p;
}
