/* Listening sockets for the control server (see ctl_listen.h). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "droverd/ctl_listen.h"

#define CTL_LISTEN_BACKLOG 128

static int ctl_listen_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* supervisord's checkused(): a socket something accepts on is in use. */
static int ctl_listen_used(const char *path)
{
	struct sockaddr_un sa;
	int fd, used;

	if (ctl_listen_addr(path, &sa) != 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	/* A full backlog (EAGAIN) is a server too busy to accept, not a
	 * stale socket. */
	used = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	return used;
}

static void ctl_listen_mkdir(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir;

	if (slash == NULL || slash == file)
		return;
	dir = xstrndup(file, (size_t)(slash - file));
	/* Only the last component, and only when missing: a directory the
	 * administrator made keeps its mode. */
	if (mkdir(dir, 0700) == 0)
		chmod(dir, 0700);
	free(dir);
}

static int ctl_listen_chown(const struct srvconf *s, char **errp)
{
	struct passwd *pw;

	if (s->chown_uid == (uid_t)-1 && s->chown_gid == (gid_t)-1)
		return 0;
	if (chown(s->file, s->chown_uid, s->chown_gid) == 0)
		return 0;
	if (errno != EPERM) {
		*errp = xasprintf("Cannot chown %s: %s", s->file, strerror(errno));
		return -errno;
	}
	pw = getpwuid(geteuid());
	*errp = xasprintf("Not permitted to chown %s to uid/gid (%ld, %ld); adjust \"sockchown\" value in config file "
	                  "or on command line to values that the current user (%s) can successfully chown",
	                  s->file, (long)(int)s->chown_uid, (long)(int)s->chown_gid, pw ? pw->pw_name : "?");
	return -EPERM;
}

/* Binds under "<file>.<pid>" and links into place; a stale socket in the
 * way is removed and the link tried again, a live one is left alone. */
static int ctl_listen_unix(const struct srvconf *s, int *fdp, char **errp)
{
	struct sockaddr_un sa;
	char *tmp = xasprintf("%s.%d", s->file, (int)getpid());
	int fd = -1, r = -EINVAL, tries;

	ctl_listen_mkdir(s->file);
	if ((r = ctl_listen_addr(tmp, &sa)) != 0) {
		*errp = xasprintf("Cannot open an HTTP server: the socket path %s is too long", s->file);
		goto out;
	}
	for (tries = 0; tries < 5; tries++) {
		unlink(tmp);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(tmp, (mode_t)s->chmod) < 0) {
			r = -errno;
			goto out;
		}
		if (link(tmp, s->file) == 0)
			break;
		if (ctl_listen_used(s->file)) {
			r = CTL_LISTEN_IN_USE;
			goto out;
		}
		fprintf(stderr, "Unlinking stale socket %s\n", s->file);
		unlink(s->file);
		fd_close(&fd);
	}
	if (fd < 0) {
		r = -EADDRINUSE;
		goto out;
	}
	if ((r = ctl_listen_chown(s, errp)) != 0) {
		unlink(s->file);
		goto out;
	}
	if (listen(fd, CTL_LISTEN_BACKLOG) < 0) {
		r = -errno;
		unlink(s->file);
		goto out;
	}
	*fdp = fd;
	fd = -1;
	r = 0;
out:
	unlink(tmp);
	fd_close(&fd);
	free(tmp);
	return r;
}

static int ctl_listen_loopback(const struct sockaddr *a)
{
	if (a->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)a)->sin_addr.s_addr) >> 24) == 127;
	if (a->sa_family == AF_INET6) {
		static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, lo, 16) == 0;
	}
	return 0;
}

static int ctl_listen_inet(const struct srvconf *s, int *fdp, char **warnp, char **errp)
{
	struct addrinfo hints, *ai = NULL;
	const char *host = s->host;
	char port[16];
	int fd = -1, one = 1, r;

	if (*host == '\0' || strcmp(host, "*") == 0) {
		*warnp = xasprintf("%s: port %d is served on 127.0.0.1 only (droverd's control server does not listen "
		                   "beyond loopback)",
		                   s->section, s->port);
		host = "127.0.0.1";
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", s->port);
	if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) {
		*errp = xasprintf("Cannot open an HTTP server: cannot resolve %s", host);
		r = -EINVAL;
		goto out;
	}
	if (!ctl_listen_loopback(ai->ai_addr)) {
		*errp = xasprintf("%s: droverd serves its control interface on loopback only; %s is not", s->section,
		                  s->host);
		r = -EINVAL;
		goto out;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, CTL_LISTEN_BACKLOG) < 0) {
		r = errno == EADDRINUSE ? CTL_LISTEN_IN_USE : -errno;
		goto out;
	}
	*fdp = fd;
	fd = -1;
	r = 0;
out:
	if (ai != NULL)
		freeaddrinfo(ai);
	fd_close(&fd);
	return r;
}

int ctl_listen_open(const struct srvconf *s, int *fdp, char **warnp, char **errp)
{
	*fdp = -1;
	*warnp = NULL;
	*errp = NULL;
	if (s->family == SRV_UNIX)
		return ctl_listen_unix(s, fdp, errp);
	return ctl_listen_inet(s, fdp, warnp, errp);
}

int ctl_listen_peer_ok(const struct srvconf *s, uid_t uid)
{
	if (uid == 0 || uid == geteuid())
		return 1;
	if (s->chown_uid != (uid_t)-1 && uid == s->chown_uid)
		return 1;
	return (s->chmod & 077) != 0;
}
