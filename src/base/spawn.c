/* fork + exec with failures reported through a close-on-exec pipe: the child
 * writes {stage, errno} there when a step fails; a successful exec closes the
 * pipe, so the parent reads EOF. */
#include "base/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"

extern char **environ;

enum spawn_stage { STAGE_FORK, STAGE_SETSID, STAGE_STDIO, STAGE_CHDIR, STAGE_EXEC };
static const char *const spawn_stage_names[] = {"fork", "setsid", "stdio", "chdir", "exec"};

void spawn_opts_init(struct spawn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->stdin_fd = o->stdout_fd = o->stderr_fd = -1;
}

static _Noreturn void spawn_child_fail(int errfd, int stage)
{
	int msg[2] = {stage, errno};

	if (write(errfd, msg, sizeof(msg)) < 0)
		_exit(127);
	_exit(127);
}

/* Moves fd to a number above 2 (and above every kept fd) so that placing
 * stdio cannot clobber it. */
static int spawn_lift(int fd, int floor)
{
	if (fd < 0 || fd > floor)
		return fd;
	return fcntl(fd, F_DUPFD_CLOEXEC, floor + 1);
}

static _Noreturn void spawn_child(const struct spawn_opts *o, int errfd)
{
	int src[3] = {o->stdin_fd, o->stdout_fd, o->stderr_fd};
	int modes[3] = {O_RDONLY, O_WRONLY, O_WRONLY};
	int floor = 2, i, fd;
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (o->new_session ? setsid() < 0 : (o->new_pgroup && setpgid(0, 0) < 0))
		spawn_child_fail(errfd, STAGE_SETSID);
	/* A session leader's first terminal opened without O_NOCTTY becomes
	 * its controlling terminal; the fd itself is not needed. */
	if (o->new_session && o->ctty != NULL && ((fd = open(o->ctty, O_RDWR)) < 0 || close(fd) < 0))
		spawn_child_fail(errfd, STAGE_SETSID);
	for (i = 0; i < o->n_keep_fds; i++)
		if (o->keep_fds[i] > floor)
			floor = o->keep_fds[i];
	errfd = spawn_lift(errfd, floor);
	for (i = 0; i < 3; i++) {
		if (src[i] < 0 && (src[i] = open("/dev/null", modes[i] | O_CLOEXEC)) < 0)
			spawn_child_fail(errfd, STAGE_STDIO);
		if ((src[i] = spawn_lift(src[i], floor)) < 0)
			spawn_child_fail(errfd, STAGE_STDIO);
	}
	for (i = 0; i < 3; i++)
		if (dup2(src[i], i) < 0)
			spawn_child_fail(errfd, STAGE_STDIO);
	for (i = 0; i < o->n_keep_fds; i++) {
		fd = o->keep_fds[i];
		if (fd >= 0 && fd_set_cloexec(fd, 0) < 0)
			spawn_child_fail(errfd, STAGE_STDIO);
	}
	if (o->cwd != NULL && chdir(o->cwd) < 0)
		spawn_child_fail(errfd, STAGE_CHDIR);
	if (o->envp != NULL)
		environ = (char **)o->envp;
	execvp(o->argv[0], o->argv);
	spawn_child_fail(errfd, STAGE_EXEC);
}

int spawn(const struct spawn_opts *o, pid_t *pidp, const char **stagep)
{
	int errpipe[2] = {-1, -1};
	int msg[2];
	sigset_t all, old;
	ssize_t n;
	pid_t pid;
	int saved, r = ERR_INTERNAL;

	*pidp = -1;
	if (stagep != NULL)
		*stagep = spawn_stage_names[STAGE_FORK];
	if ((r = fd_pipe(errpipe)) != 0)
		goto out;
	/* Signals stay blocked across fork until the child has reset every
	 * handler: a signal arriving in between would run the parent's
	 * handler in the child and be seen twice through its self-pipe. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(errpipe[0]);
		spawn_child(o, errpipe[1]);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		r = -saved;
		goto out;
	}
	fd_close(&errpipe[1]);
	do
		n = read(errpipe[0], msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(msg)) {
		/* The child failed before exec and has exited: reap it here so the
		 * caller never sees a pid it must wait for. */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (stagep != NULL && msg[0] >= 0 && msg[0] <= STAGE_EXEC)
			*stagep = spawn_stage_names[msg[0]];
		r = msg[1] ? -msg[1] : ERR_INTERNAL;
		goto out;
	}
	*pidp = pid;
	r = 0;
out:
	fd_close(&errpipe[0]);
	fd_close(&errpipe[1]);
	return r;
}
