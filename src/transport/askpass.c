/* The askpass server (in drover's event loop) and client (drover run as
 * SSH_ASKPASS). */
#include "transport/askpass.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fdutil.h"
#include "base/sha256.h"
#include "base/xmalloc.h"

#define ASKPASS_TOKEN_LEN 32

struct askpass_secret {
	char token[ASKPASS_TOKEN_LEN + 1];
	struct buf secret; /* wiped on free */
	int used;
};

struct askpass {
	struct ev_loop *loop;
	int fd;
	char *path;
	char *self;
	struct askpass_secret *secrets;
	size_t n;
};

extern char **environ;

static void askpass_random(char *out, size_t n)
{
	unsigned char raw[ASKPASS_TOKEN_LEN / 2];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	size_t i;

	memset(raw, 0, sizeof(raw));
	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		/* No randomness: the uid check still guards the socket. */
		unsigned long v = (unsigned long)getpid() ^ (unsigned long)(uintptr_t)out;

		memcpy(raw, &v, sizeof(v) < sizeof(raw) ? sizeof(v) : sizeof(raw));
	}
	if (fd >= 0)
		close(fd);
	for (i = 0; i < n / 2 && i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	out[n] = '\0';
}

static void askpass_reply(struct askpass *ap, int cfd)
{
	char req[ASKPASS_TOKEN_LEN + 2];
	struct ucred cred;
	socklen_t len = sizeof(cred);
	ssize_t n;
	size_t i;

	struct timeval tv = {1, 0};

	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid != getuid())
		return;
	/* Only our own ssh children get here; still, a silent peer must not
	 * hold the event loop for long. */
	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The client writes its token in one small write right after connect. */
	n = read(cfd, req, sizeof(req) - 1);
	if (n <= 0)
		return;
	req[n] = '\0';
	req[strcspn(req, "\n")] = '\0';
	for (i = 0; i < ap->n; i++) {
		if (strcmp(ap->secrets[i].token, req) != 0)
			continue;
		if (!ap->secrets[i].used) {
			ap->secrets[i].used = 1;
			fd_write_all(cfd, buf_ptr(&ap->secrets[i].secret), buf_avail(&ap->secrets[i].secret));
		}
		return;
	}
}

static void askpass_on_accept(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct askpass *ap = arg;
	int cfd;

	(void)loop;
	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		askpass_reply(ap, cfd);
		close(cfd);
	}
}

struct askpass *askpass_start(struct ev_loop *loop, const char *dir, const char *self_path, char **whyp)
{
	struct askpass *ap = xcalloc(1, sizeof(*ap));
	struct sockaddr_un sa;
	char tok[17];

	*whyp = NULL;
	ap->loop = loop;
	ap->self = xstrdup(self_path);
	askpass_random(tok, 16);
	ap->path = xasprintf("%s/ask-%s", dir, tok);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(ap->path) >= sizeof(sa.sun_path)) {
		*whyp = xasprintf("askpass socket path '%s' is too long", ap->path);
		goto fail;
	}
	memcpy(sa.sun_path, ap->path, strlen(ap->path) + 1);
	ap->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ap->fd < 0 || bind(ap->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ap->fd, 64) < 0) {
		*whyp = xasprintf("cannot listen on '%s': %s", ap->path, strerror(errno));
		goto fail;
	}
	chmod(ap->path, 0600);
	ev_fd_set(loop, ap->fd, EV_READ, askpass_on_accept, ap);
	return ap;
fail:
	if (ap->fd >= 0)
		close(ap->fd);
	free(ap->path);
	free(ap->self);
	free(ap);
	return NULL;
}

void askpass_free(struct askpass *ap)
{
	size_t i;

	if (ap == NULL)
		return;
	ev_fd_del(ap->loop, ap->fd);
	close(ap->fd);
	unlink(ap->path);
	for (i = 0; i < ap->n; i++)
		buf_fini(&ap->secrets[i].secret);
	free(ap->secrets);
	free(ap->path);
	free(ap->self);
	free(ap);
}

char **askpass_env(struct askpass *ap, const char *secret)
{
	struct askpass_secret *s;
	size_t n = 0, i, k = 0;
	char **env;

	ap->secrets = xreallocarray(ap->secrets, ap->n + 1, sizeof(*ap->secrets));
	s = &ap->secrets[ap->n++];
	memset(s, 0, sizeof(*s));
	askpass_random(s->token, ASKPASS_TOKEN_LEN);
	buf_init(&s->secret, 4096);
	s->secret.secret = 1;
	buf_puts(&s->secret, secret);
	buf_putc(&s->secret, '\n');
	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 6, sizeof(*env));
	for (i = 0; i < n; i++) {
		if (strncmp(environ[i], "SSH_ASKPASS", 11) == 0 || strncmp(environ[i], "DROVER_ASKPASS", 14) == 0)
			continue;
		env[k++] = xstrdup(environ[i]);
	}
	env[k++] = xasprintf("SSH_ASKPASS=%s", ap->self);
	env[k++] = xstrdup("SSH_ASKPASS_REQUIRE=force");
	if (getenv("DISPLAY") == NULL)
		env[k++] = xstrdup("DISPLAY=drover:0");
	env[k++] = xasprintf("DROVER_ASKPASS_SOCK=%s", ap->path);
	env[k++] = xasprintf("DROVER_ASKPASS_TOKEN=%s", s->token);
	env[k] = NULL;
	return env;
}

void askpass_env_free(char **env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

int askpass_client(void)
{
	const char *path = getenv("DROVER_ASKPASS_SOCK");
	const char *token = getenv("DROVER_ASKPASS_TOKEN");
	struct sockaddr_un sa;
	struct buf b;
	char *line;
	int fd, r;

	if (path == NULL || token == NULL || strlen(path) >= sizeof(sa.sun_path))
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	line = xasprintf("%s\n", token);
	fd_write_all(fd, line, strlen(line));
	free(line);
	buf_init(&b, 4096);
	b.secret = 1;
	r = fd_read_all(fd, &b);
	close(fd);
	/* An empty answer means the token was used: refuse, so ssh stops. */
	if (r != 0 || buf_avail(&b) == 0) {
		buf_fini(&b);
		return 1;
	}
	fd_write_all(STDOUT_FILENO, buf_ptr(&b), buf_avail(&b));
	buf_fini(&b);
	return 0;
}
