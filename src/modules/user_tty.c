/* ssh-keygen with a passphrase, as Ansible's user module runs it: the
 * passphrase is typed at ssh-keygen's prompts on a pseudo-terminal (never
 * put on its command line), and a prompt to overwrite an existing key
 * means the key is kept. ssh-keygen, without a controlling terminal,
 * prompts for the passphrase on stderr, asks to overwrite on stdout and
 * reads stdin: all three are the terminal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/ev.h"
#include "base/fdutil.h"
#include "base/spawn.h"
#include "base/xmalloc.h"
#include "modules/acct.h"
#include "modules/pyfmt.h"
#include "modules/user.h"

#define USER_TTY_CAP ((size_t)64 << 10)
#define USER_TTY_WAIT_MS 120000

/* A pseudo-terminal: *masterp and *slavep (both close-on-exec). */
static int user_tty_open(int *masterp, int *slavep)
{
	char name[128];
	int m;

	*masterp = *slavep = -1;
	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return -errno;
	if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, name, sizeof(name)) != 0 ||
	    (*slavep = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		close(m);
		return -errno;
	}
	*masterp = m;
	return 0;
}

/* Counts the occurrences of s in b. */
static size_t user_tty_count(const struct buf *b, const char *s)
{
	const char *p = buf_str(b);
	size_t n = 0;

	while ((p = strstr(p, s)) != NULL) {
		n++;
		p += strlen(s);
	}
	return n;
}

/* Reads the terminal until ssh-keygen closes it, typing pass at each
 * passphrase prompt. Returns 1 when it asked to overwrite a key. */
static int user_tty_converse(int master, const char *pass, uint64_t deadline, struct buf *err)
{
	char chunk[4096];
	size_t answered = 0, prompts;
	struct pollfd pfd;
	ssize_t n;

	for (;;) {
		if (ev_clock_ms() >= deadline)
			return 0;
		pfd.fd = master;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			return 0;
		if (pfd.revents == 0)
			continue;
		if ((n = read(master, chunk, sizeof(chunk))) < 0 && errno == EINTR)
			continue;
		/* EIO: every slave descriptor is closed, ssh-keygen is done. */
		if (n <= 0)
			return 0;
		if (buf_avail(err) + (size_t)n <= USER_TTY_CAP)
			buf_put(err, chunk, (size_t)n);
		if (strstr(buf_str(err), "Overwrite (y/n)?") != NULL)
			return 1;
		prompts = user_tty_count(err, "Enter passphrase") + user_tty_count(err, "Enter same passphrase again");
		for (; answered < prompts; answered++)
			if (fd_write_all(master, pass, strlen(pass)) != 0 || fd_write_all(master, "\r", 1) != 0)
				return 0;
	}
}

int user_tty_keygen(struct user *u, struct value *cmd, const char *pass, struct user_cmd *c)
{
	char *bin = acct_bin(u->ctx, value_cstr(value_list_at(cmd, 0)), &u->fail);
	size_t i, n = value_len(cmd);
	char **argv = NULL;
	struct spawn_opts so;
	int master = -1, slave = -1, status = 0, overwrite, r;
	uint64_t deadline;
	pid_t pid = -1;

	user_cmd_fini(c);
	user_cmd_init(c);
	if (bin == NULL)
		return -1;
	value_list_set(cmd, 0, value_str_take(bin, strlen(bin)));
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = (char *)value_cstr(value_list_at(cmd, i));
	if ((r = user_tty_open(&master, &slave)) == 0) {
		spawn_opts_init(&so);
		so.argv = argv;
		so.envp = u->ctx->envp;
		so.stdin_fd = slave;
		so.stdout_fd = slave;
		so.stderr_fd = slave;
		so.new_session = 1;
		r = spawn(&so, &pid, NULL);
	}
	fd_close(&slave);
	if (r != 0) {
		c->rc = 1;
		buf_puts(&c->err, pyfmt_strerror(-r));
		goto out;
	}
	deadline = u->ctx->deadline_ms != 0 ? u->ctx->deadline_ms : ev_clock_ms() + USER_TTY_WAIT_MS;
	overwrite = user_tty_converse(master, pass, deadline, &c->err);
	if (overwrite || ev_clock_ms() >= deadline)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (overwrite) {
		/* Ansible keeps the key then: no passphrase answers that prompt. */
		c->rc = USER_RC_NONE;
		buf_reset(&c->err);
		buf_puts(&c->out, "Key already exists");
	} else {
		c->rc = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
	}
out:
	fd_close(&master);
	free(argv);
	return 0;
}
