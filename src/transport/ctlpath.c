/* Control-socket directory, names, and the native liveness check. */
#include "transport/ctlpath.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/sha256.h"
#include "base/xmalloc.h"

/* From OpenSSH's PROTOCOL.mux. */
#define MUX_MSG_HELLO 0x00000001u
#define MUX_C_ALIVE_CHECK 0x10000004u
#define MUX_S_ALIVE 0x80000005u
#define MUX_VERSION 4u

const char *ctlpath_state_name(enum ctlpath_state s)
{
	static const char *const names[] = {"alive", "absent", "stale", "stuck", "broken"};

	return (unsigned)s < 5 ? names[s] : "?";
}

/* Checks that dir exists (creating it 0700), is a real directory owned by
 * us, private and writable. */
static int ctlpath_verify(const char *dir, char **whyp)
{
	struct stat st;

	if (dir[0] != '/') {
		*whyp = xasprintf("'%s' is not an absolute path", dir);
		return ERR_INVAL;
	}
	if (strlen(dir) + 1 + 16 > CTLPATH_MAX) {
		*whyp = xasprintf("'%s' is too long for a socket path", dir);
		return ERR_TOOBIG;
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*whyp = xasprintf("cannot create '%s': %s", dir, strerror(errno));
		return -errno;
	}
	if (lstat(dir, &st) < 0) {
		*whyp = xasprintf("cannot stat '%s': %s", dir, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		*whyp = xasprintf("'%s' is not a directory", dir);
		return ERR_INVAL;
	}
	if (st.st_uid != getuid()) {
		*whyp = xasprintf("'%s' belongs to uid %u, not to us (uid %u)", dir, (unsigned)st.st_uid,
		                  (unsigned)getuid());
		return ERR_INVAL;
	}
	if ((st.st_mode & 077) != 0 && chmod(dir, 0700) < 0) {
		*whyp = xasprintf("'%s' is open to others (mode %03o) and cannot be made private: %s", dir,
		                  (unsigned)(st.st_mode & 0777), strerror(errno));
		return -errno;
	}
	if (access(dir, W_OK | X_OK) < 0) {
		*whyp = xasprintf("'%s' is not writable: %s", dir, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Expands a leading "~" or "$HOME" / "${HOME}" from the password database. */
static char *ctlpath_expand(const char *in, char **whyp)
{
	struct passwd *pw = getpwuid(getuid());
	const char *rest = NULL;

	if (in[0] == '~' && (in[1] == '/' || in[1] == '\0'))
		rest = in + 1;
	else if (strncmp(in, "$HOME", 5) == 0 && (in[5] == '/' || in[5] == '\0'))
		rest = in + 5;
	else if (strncmp(in, "${HOME}", 7) == 0 && (in[7] == '/' || in[7] == '\0'))
		rest = in + 7;
	if (rest == NULL)
		return xstrdup(in);
	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/') {
		*whyp = xasprintf("cannot expand '%s': uid %u has no home directory in the password database", in,
		                  (unsigned)getuid());
		return NULL;
	}
	return xasprintf("%s%s", pw->pw_dir, rest);
}

int ctlpath_dir(const char *configured, char **dirp, char **whyp)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *cand = NULL, *why = NULL, *first_why = NULL;
	int r;

	*dirp = NULL;
	*whyp = NULL;
	if (configured != NULL && *configured) {
		if ((cand = ctlpath_expand(configured, &why)) != NULL && (r = ctlpath_verify(cand, &why)) == 0) {
			*dirp = cand;
			return 0;
		}
		free(cand);
		first_why = why;
		why = NULL;
	}
	if (xdg != NULL && xdg[0] == '/') {
		cand = xasprintf("%s/drover", xdg);
		if (ctlpath_verify(cand, &why) == 0)
			goto found;
		free(cand);
		if (first_why == NULL)
			first_why = why;
		else
			free(why);
		why = NULL;
	}
	cand = xasprintf("/tmp/drover-%u", (unsigned)getuid());
	if ((r = ctlpath_verify(cand, &why)) == 0)
		goto found;
	free(cand);
	*whyp = first_why ? xasprintf("%s; %s", first_why, why) : why;
	if (first_why != NULL)
		free(why);
	free(first_why);
	return r ? r : ERR_INVAL;
found:
	*dirp = cand;
	if (first_why != NULL)
		*whyp = first_why; /* usable, but say why the configured one was not */
	return 0;
}

char *ctlpath_socket(const char *dir, const char *user, const char *host, int port)
{
	char *key = xasprintf("%u %s@%s:%d", (unsigned)getuid(), user ? user : "", host, port);
	char hex[SHA256_HEX_LEN + 1];
	char *path;

	sha256_hex(key, strlen(key), hex);
	hex[16] = '\0';
	path = xasprintf("%s/%s", dir, hex);
	free(key);
	return path;
}

struct ctlpath_check {
	struct ev_loop *loop;
	ctlpath_check_cb cb;
	void *arg;
	int fd;
	uint64_t timer;
	struct buf in;
	int got_hello;
};

static void ctlpath_done(struct ctlpath_check *ck, enum ctlpath_state st, pid_t pid)
{
	ev_timer_del(ck->loop, ck->timer);
	if (ck->fd >= 0) {
		ev_fd_del(ck->loop, ck->fd);
		fd_close(&ck->fd);
	}
	ck->cb(st, pid, ck->arg);
	buf_fini(&ck->in);
	free(ck);
}

static void ctlpath_timeout(struct ev_loop *loop, void *arg)
{
	struct ctlpath_check *ck = arg;

	(void)loop;
	ck->timer = 0;
	ctlpath_done(ck, CTLPATH_STUCK, -1);
}

/* Parses whole mux messages: the master's hello, then the alive reply. */
static void ctlpath_parse(struct ctlpath_check *ck)
{
	const char *p;
	uint32_t len, type;

	while (buf_avail(&ck->in) >= 4) {
		p = buf_ptr(&ck->in);
		len = buf_get_u32(p);
		if (len < 4 || len > 4096) {
			ctlpath_done(ck, CTLPATH_BROKEN, -1);
			return;
		}
		if (buf_avail(&ck->in) < 4 + (size_t)len)
			return;
		type = buf_get_u32(p + 4);
		if (!ck->got_hello) {
			if (type != MUX_MSG_HELLO) {
				ctlpath_done(ck, CTLPATH_BROKEN, -1);
				return;
			}
			ck->got_hello = 1;
		} else {
			if (type != MUX_S_ALIVE || len < 12) {
				ctlpath_done(ck, CTLPATH_BROKEN, -1);
				return;
			}
			ctlpath_done(ck, CTLPATH_ALIVE, (pid_t)buf_get_u32(p + 12));
			return;
		}
		buf_consume(&ck->in, 4 + (size_t)len);
	}
}

static void ctlpath_readable(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct ctlpath_check *ck = arg;
	char tmp[512];
	ssize_t n;

	(void)loop;
	(void)events;
	n = read(fd, tmp, sizeof(tmp));
	if (n > 0) {
		if (buf_put(&ck->in, tmp, (size_t)n) != 0) {
			ctlpath_done(ck, CTLPATH_BROKEN, -1);
			return;
		}
		ctlpath_parse(ck);
		return;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* A master that hangs up on a check is dying: treat as stale. */
	ctlpath_done(ck, CTLPATH_STALE, -1);
}

static void ctlpath_now(struct ev_loop *loop, void *arg)
{
	struct ctlpath_check *ck = arg;
	enum ctlpath_state st = (enum ctlpath_state)ck->got_hello;

	(void)loop;
	ck->timer = 0;
	ck->got_hello = 0;
	ctlpath_done(ck, st, -1);
}

void ctlpath_check(struct ev_loop *loop, const char *path, unsigned timeout_ms, ctlpath_check_cb cb, void *arg)
{
	struct ctlpath_check *ck = xcalloc(1, sizeof(*ck));
	struct sockaddr_un sa;
	struct buf req;
	struct stat st;
	enum ctlpath_state early = CTLPATH_ALIVE;

	ck->loop = loop;
	ck->cb = cb;
	ck->arg = arg;
	buf_init(&ck->in, 8192);
	ck->fd = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		early = CTLPATH_BROKEN;
		goto early;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (lstat(path, &st) < 0) {
		early = errno == ENOENT ? CTLPATH_ABSENT : CTLPATH_BROKEN;
		goto early;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != getuid()) {
		early = CTLPATH_BROKEN;
		goto early;
	}
	ck->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ck->fd < 0) {
		early = CTLPATH_BROKEN;
		goto early;
	}
	if (connect(ck->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		/* Refused: nobody listens, the master died and left its socket
		 * behind. EAGAIN: the listener's backlog is full, it is not
		 * accepting: stuck. */
		early = errno == ECONNREFUSED ? CTLPATH_STALE : errno == EAGAIN ? CTLPATH_STUCK : CTLPATH_BROKEN;
		if (early == CTLPATH_STALE)
			unlink(path);
		goto early;
	}
	buf_init(&req, 64);
	buf_put_u32(&req, 8);
	buf_put_u32(&req, MUX_MSG_HELLO);
	buf_put_u32(&req, MUX_VERSION);
	buf_put_u32(&req, 8);
	buf_put_u32(&req, MUX_C_ALIVE_CHECK);
	buf_put_u32(&req, 1);
	/* 24 bytes into an empty socket buffer cannot block. */
	if (write(ck->fd, buf_ptr(&req), buf_avail(&req)) != (ssize_t)buf_avail(&req)) {
		buf_fini(&req);
		early = CTLPATH_STUCK;
		goto early;
	}
	buf_fini(&req);
	ev_fd_set(loop, ck->fd, EV_READ, ctlpath_readable, ck);
	ck->timer = ev_timer_add(loop, timeout_ms, ctlpath_timeout, ck);
	return;
early:
	/* The callback must not run inside this call; deliver from the loop. */
	fd_close(&ck->fd);
	ck->got_hello = (int)early;
	ck->timer = ev_timer_add(loop, 0, ctlpath_now, ck);
}
