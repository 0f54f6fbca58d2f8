/* fork + exec of a program's child. Everything that can be looked up is
 * looked up in the parent (command path, password and group entries,
 * environment), so the child between fork and exec only makes system
 * calls and writes fixed messages. */
#include "droverd/child.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "droverd/conv.h"
#include "droverd/errname.h"
#include "droverd/fault.h"
#include "droverd/kvpairs.h"

extern char **environ;

#define CHILD_MAX_GROUPS 1024

void child_argv_free(char **argv)
{
	size_t i;

	if (argv == NULL)
		return;
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static int child_fail(char **errp, int fault, const char *fmt, const char *what)
{
	char *rep = conv_repr(what);

	*errp = xasprintf(fmt, rep);
	free(rep);
	return fault;
}

int child_resolve(const struct pconf *conf, char **filenamep, char ***argvp, char **errp)
{
	struct value *words = NULL;
	const char *msg = NULL, *path, *p, *q;
	char **argv = NULL, *filename = NULL, *rep, *found;
	struct stat st;
	int have = 0, r = FAULT_FAILED;
	size_t i, n;

	*filenamep = NULL;
	*argvp = NULL;
	*errp = NULL;
	if (shlex_split(conf->command, strlen(conf->command), &words, &msg) != 0) {
		rep = conv_repr(conf->command);
		*errp = xasprintf("can't parse command %s: %s", rep, msg ? msg : "bad quoting");
		free(rep);
		return FAULT_NOT_EXECUTABLE;
	}
	n = value_len(words);
	if (n == 0) {
		*errp = xstrdup("command is empty");
		r = FAULT_NOT_EXECUTABLE;
		goto out;
	}
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = xstrdup(value_cstr(value_list_at(words, i)));
	if (strchr(argv[0], '/') != NULL) {
		filename = xstrdup(argv[0]);
		have = stat(filename, &st) == 0;
	} else {
		path = kvlist_get(&conf->env, "PATH");
		if (path == NULL) {
			path = getenv("PATH");
			if (path != NULL && *path == '\0')
				path = NULL;
		}
		if (path == NULL)
			path = "/bin:/usr/bin:/usr/local/bin";
		for (p = path;; p = q + 1) {
			for (q = p; *q && *q != ':'; q++)
				;
			/* os.path.join("", name) is just the name. */
			found = q == p ? xstrdup(argv[0]) : xasprintf("%.*s/%s", (int)(q - p), p, argv[0]);
			if (stat(found, &st) == 0) {
				filename = found;
				have = 1;
				break;
			}
			free(found);
			if (*q == '\0')
				break;
		}
		if (filename == NULL)
			filename = xstrdup(argv[0]);
	}
	if (!have) {
		r = child_fail(errp, FAULT_NO_FILE, "can't find command %s", filename);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = child_fail(errp, FAULT_NOT_EXECUTABLE, "command at %s is a directory", filename);
		goto out;
	}
	if ((st.st_mode & 0111) == 0) {
		r = child_fail(errp, FAULT_NOT_EXECUTABLE, "command at %s is not executable", filename);
		goto out;
	}
	if (access(filename, X_OK) != 0) {
		r = child_fail(errp, FAULT_NOT_EXECUTABLE, "no permission to run command %s", filename);
		goto out;
	}
	*filenamep = filename;
	*argvp = argv;
	filename = NULL;
	argv = NULL;
	r = 0;
out:
	free(filename);
	child_argv_free(argv);
	value_unref(words);
	return r;
}

char **child_environ(const struct child_spec *s)
{
	const struct pconf *c = s->conf;
	struct kvlist env;
	struct passwd *pw;
	const char *url = c->serverurl ? c->serverurl : s->serverurl;
	char **envp, **e, *eq, *k;
	size_t i;

	kvlist_init(&env);
	for (e = environ; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		k = xstrndup(*e, (size_t)(eq - *e));
		kvlist_set(&env, k, eq + 1);
		free(k);
	}
	kvlist_set(&env, "SUPERVISOR_ENABLED", "1");
	if (url != NULL && *url != '\0')
		kvlist_set(&env, "SUPERVISOR_SERVER_URL", url);
	kvlist_set(&env, "SUPERVISOR_PROCESS_NAME", c->name);
	if (s->group != NULL)
		kvlist_set(&env, "SUPERVISOR_GROUP_NAME", s->group);
	if (c->has_uid && !s->exact_env && (pw = getpwuid(c->uid)) != NULL) {
		/* The login variables systemd and su set; supervisord leaves the
		 * daemon's, so programs wrote into root's home. */
		kvlist_set(&env, "HOME", pw->pw_dir);
		kvlist_set(&env, "USER", pw->pw_name);
		kvlist_set(&env, "LOGNAME", pw->pw_name);
		kvlist_set(&env, "SHELL", pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh");
	}
	kvlist_update(&env, &c->env);
	envp = xcalloc(env.n + 1, sizeof(*envp));
	for (i = 0; i < env.n; i++)
		envp[i] = xasprintf("%s=%s", env.keys[i], env.vals[i]);
	kvlist_fini(&env);
	return envp;
}

/* Everything the child needs, prepared before the fork. */
struct child_plan {
	char *filename;
	char **argv;
	char **envp;
	const char *directory;
	long umask;
	int switch_user;        /* setgroups/setgid/setuid needed */
	uid_t uid;
	gid_t gid;
	gid_t groups[CHILD_MAX_GROUPS];
	int ngroups;
	const char *setuid_err; /* a message known before the fork */
	long long uid_shown;
	int redirect_stderr;
	long long minfds;
};

static void child_plan_user(const struct pconf *c, struct child_plan *pl)
{
	struct passwd *pw;
	int n;

	pl->uid_shown = (long long)c->uid;
	if ((pw = getpwuid(c->uid)) == NULL) {
		pl->setuid_err = "Can't find uid";
		return;
	}
	if (getuid() == c->uid)
		return;
	if (getuid() != 0) {
		pl->setuid_err = "Can't drop privilege as nonroot user";
		return;
	}
	pl->switch_user = 1;
	pl->uid = pw->pw_uid;
	pl->gid = pw->pw_gid;
	n = CHILD_MAX_GROUPS;
	/* The user's primary group first, then every group that lists it:
	 * what supervisord passes to setgroups() and initgroups() computes. */
	if (getgrouplist(pw->pw_name, pw->pw_gid, pl->groups, &n) < 0)
		n = CHILD_MAX_GROUPS;
	pl->ngroups = n;
}

/* Writes "supervisor: <msg>\n" to fd 2 and the detailed reason to the
 * error pipe, then exits 127, as supervisord's child does. */
static _Noreturn void child_die(int errfd, const char *stderr_msg, const char *detail)
{
	char line[PATH_MAX + 256];
	int n;

	if (stderr_msg != NULL) {
		n = snprintf(line, sizeof(line), "supervisor: %s\n", stderr_msg);
		if (n > 0 && write(2, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
			_exit(127);
	}
	if (write(2, "supervisor: child process was not spawned\n", 42) < 0)
		_exit(127);
	n = snprintf(line, sizeof(line), "%s", detail);
	if (n > 0 && write(errfd, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1) < 0)
		_exit(127);
	_exit(127);
}

static void child_close_from(int lo, int hi_excl, long long minfds)
{
	int fd, max;

	if (lo >= hi_excl)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lo, (unsigned)(hi_excl - 1), 0) == 0)
		return;
#endif
	max = hi_excl;
	if (max > 65536)
		max = minfds > 65536 ? (int)minfds : 65536;
	for (fd = lo; fd < max; fd++)
		close(fd);
}

static _Noreturn void child_run(const struct child_plan *pl, int fin, int fout, int ferr, int errfd)
{
	char msg[PATH_MAX + 128], detail[PATH_MAX + 256], en[16];
	struct sigaction sa;
	sigset_t none;
	int i, e;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (i = 1; i < NSIG; i++)
		sigaction(i, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Own session: own process group (signals to droverd's group, a
	 * terminal's ^C, never reach it) and no controlling terminal. */
	setsid();
	if (dup2(fin, 0) < 0 || dup2(fout, 1) < 0 || dup2(pl->redirect_stderr ? fout : ferr, 2) < 0)
		child_die(errfd, NULL, "could not set up stdin/stdout/stderr");
	/* The error pipe is close-on-exec; everything else above 2 goes. */
	child_close_from(3, errfd, pl->minfds);
	child_close_from(errfd + 1, INT_MAX, pl->minfds);
	if (pl->setuid_err != NULL) {
		if (strcmp(pl->setuid_err, "Can't find uid") == 0)
			snprintf(msg, sizeof(msg), "couldn't setuid to %lld: Can't find uid %lld", pl->uid_shown,
			         pl->uid_shown);
		else
			snprintf(msg, sizeof(msg), "couldn't setuid to %lld: %s", pl->uid_shown, pl->setuid_err);
		child_die(errfd, msg, msg);
	}
	if (pl->switch_user) {
		if (setgroups((size_t)pl->ngroups, pl->groups) < 0) {
			snprintf(msg, sizeof(msg), "couldn't setuid to %lld: Could not set groups of effective user",
			         pl->uid_shown);
			child_die(errfd, msg, msg);
		}
		if (setgid(pl->gid) < 0) {
			snprintf(msg, sizeof(msg), "couldn't setuid to %lld: Could not set group id of effective user",
			         pl->uid_shown);
			child_die(errfd, msg, msg);
		}
		if (setuid(pl->uid) < 0) {
			e = errno;
			snprintf(msg, sizeof(msg), "couldn't setuid to %lld: %s", pl->uid_shown, strerror(e));
			child_die(errfd, msg, msg);
		}
	}
	if (pl->directory != NULL && chdir(pl->directory) < 0) {
		e = errno;
		snprintf(msg, sizeof(msg), "couldn't chdir to %s: %s", pl->directory, errname_get(e, en));
		snprintf(detail, sizeof(detail), "%s (%s)", msg, strerror(e));
		child_die(errfd, msg, detail);
	}
	if (pl->umask >= 0)
		umask((mode_t)pl->umask);
	execve(pl->filename, pl->argv, pl->envp);
	e = errno;
	snprintf(msg, sizeof(msg), "couldn't exec %s: %s", pl->argv[0], errname_get(e, en));
	snprintf(detail, sizeof(detail), "%s (%s)", msg, strerror(e));
	child_die(errfd, msg, detail);
}

static void child_close_all(int *fds, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fd_close(&fds[i]);
}

int child_spawn(const struct child_spec *s, pid_t *pidp, struct child_fds *fds, char **errp)
{
	const struct pconf *c = s->conf;
	struct child_plan *pl = xcalloc(1, sizeof(*pl));
	/* in[2], out[2], err[2], status[2] */
	int p[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
	char en[16];
	sigset_t all, old;
	pid_t pid;
	int e, r = -1, i;

	*pidp = 0;
	*errp = NULL;
	fds->in = fds->out = fds->err = fds->status = -1;
	if (child_resolve(c, &pl->filename, &pl->argv, errp) != 0)
		goto out;
	for (i = 0; i < 8; i += 2) {
		if (i == 4 && c->redirect_stderr)
			continue;
		if ((e = -fd_pipe(&p[i])) != 0) {
			if (e == EMFILE)
				*errp = xasprintf("too many open files to spawn '%s'", c->name);
			else
				*errp = xasprintf("unknown error making dispatchers for '%s': %s", c->name,
				                  errname_get(e, en));
			goto out;
		}
	}
	fd_set_nonblock(p[1], 1);
	fd_set_nonblock(p[2], 1);
	if (p[4] >= 0)
		fd_set_nonblock(p[4], 1);
	fd_set_nonblock(p[6], 1);
	pl->envp = child_environ(s);
	pl->directory = c->directory;
	pl->umask = c->umask;
	pl->redirect_stderr = c->redirect_stderr;
	pl->minfds = s->minfds;
	if (c->has_uid)
		child_plan_user(c, pl);
	/* Signals stay blocked across fork until the child has reset its
	 * handlers, so none runs droverd's handler in the child. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_run(pl, p[0], p[3], p[5], p[7]);
	e = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		if (e == EAGAIN)
			*errp = xasprintf("Too many processes in process table to spawn '%s'", c->name);
		else
			*errp = xasprintf("unknown error during fork for '%s': %s", c->name, errname_get(e, en));
		goto out;
	}
	fd_close(&p[0]);
	fd_close(&p[3]);
	fd_close(&p[5]);
	fd_close(&p[7]);
	fds->in = p[1];
	fds->out = p[2];
	fds->err = p[4];
	fds->status = p[6];
	p[1] = p[2] = p[4] = p[6] = -1;
	*pidp = pid;
	r = 0;
out:
	child_close_all(p, 8);
	free(pl->filename);
	child_argv_free(pl->argv);
	child_argv_free(pl->envp);
	free(pl);
	return r;
}

int child_read_status(int fd, struct buf *out)
{
	char tmp[512];
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n > 0) {
			if (buf_put(out, tmp, (size_t)n) != 0)
				return 1;
			continue;
		}
		if (n == 0)
			return 1;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN ? 0 : 1;
	}
}
