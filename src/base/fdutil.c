/* File-descriptor helpers. */
#include "base/fdutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "base/err.h"

int fd_set_nonblock(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
	return fcntl(fd, F_SETFL, fl) < 0 ? -errno : 0;
}

int fd_set_cloexec(int fd, int on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -errno;
	fl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
	return fcntl(fd, F_SETFD, fl) < 0 ? -errno : 0;
}

int fd_pipe(int fds[2])
{
	return pipe2(fds, O_CLOEXEC) < 0 ? -errno : 0;
}

void fd_close(int *fdp)
{
	if (*fdp >= 0) {
		close(*fdp);
		*fdp = -1;
	}
}

int fd_write_all(int fd, const void *p, size_t n)
{
	const char *q = p;
	struct pollfd pfd;
	ssize_t w;

	while (n > 0) {
		w = write(fd, q, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -errno;
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
			continue;
		}
		q += w;
		n -= (size_t)w;
	}
	return 0;
}

int fd_read_all(int fd, struct buf *out)
{
	size_t room, want;
	char *p, probe;
	ssize_t n;
	int r;

	for (;;) {
		room = buf_avail(out) < out->max ? out->max - buf_avail(out) : 0;
		if (room == 0) {
			/* Full: the input fitted only if it ends right here, and
			 * that takes one more read to know. */
			n = read(fd, &probe, 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return -errno;
			return n == 0 ? 0 : ERR_TOOBIG;
		}
		want = room < 65536 ? room : 65536;
		if ((r = buf_reserve(out, want, &p)) != 0)
			return r;
		n = read(fd, p, want);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		buf_commit(out, (size_t)n);
	}
}

int file_read(const char *path, struct buf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -errno;
	r = fd_read_all(fd, out);
	close(fd);
	return r;
}

int fd_devnull(int flags)
{
	int fd = open("/dev/null", flags | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}
