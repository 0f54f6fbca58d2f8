/* Rotating log files with supervisord's naming, AUTO names, and reading
 * logs back for the control server. */
#include "droverd/logfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"

#define LOGFILE_READ_MAX ((size_t)64 << 20)

static int logfile_std_fd(const char *path)
{
	if (strcmp(path, "/dev/stdout") == 0)
		return 1;
	if (strcmp(path, "/dev/stderr") == 0)
		return 2;
	return -1;
}

static int logfile_do_open(struct logfile *lf, int trunc)
{
	int fd, std;

	fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC | (trunc ? O_TRUNC : 0), 0666);
	if (fd < 0 && (std = logfile_std_fd(lf->path)) >= 0)
		fd = fcntl(std, F_DUPFD_CLOEXEC, 3);
	if (fd < 0)
		return -errno;
	lf->fd = fd;
	return 0;
}

int logfile_open(struct logfile *lf, const char *path, long long maxbytes, long long backups)
{
	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->path = xstrdup(path);
	lf->maxbytes = maxbytes;
	lf->backups = backups;
	lf->seekable = 1;
	return logfile_do_open(lf, 0);
}

void logfile_close(struct logfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	free(lf->path);
	lf->path = NULL;
}

int logfile_reopen(struct logfile *lf)
{
	if (lf->path == NULL)
		return 0;
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	return logfile_do_open(lf, 0);
}

int logfile_clear(struct logfile *lf)
{
	int r = 0;

	if (lf->path == NULL)
		return 0;
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
	if (unlink(lf->path) < 0 && errno != ENOENT)
		r = -errno;
	if (logfile_do_open(lf, 0) != 0 && r == 0)
		r = -errno;
	return r;
}

/* supervisord's removeAndRename(): the target goes first; a source that
 * vanished is not an error. */
static int logfile_shift(const char *src, const char *dst)
{
	if (unlink(dst) < 0 && errno != ENOENT)
		return -errno;
	if (rename(src, dst) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static int logfile_rotate(struct logfile *lf)
{
	char *src, *dst;
	struct stat st;
	long long i;
	int r = 0, e;

	close(lf->fd);
	lf->fd = -1;
	if (lf->backups > 0) {
		for (i = lf->backups - 1; i > 0; i--) {
			src = xasprintf("%s.%lld", lf->path, i);
			dst = xasprintf("%s.%lld", lf->path, i + 1);
			if (stat(src, &st) == 0 && (e = logfile_shift(src, dst)) != 0 && r == 0)
				r = e;
			free(src);
			free(dst);
		}
		dst = xasprintf("%s.1", lf->path);
		if ((e = logfile_shift(lf->path, dst)) != 0 && r == 0)
			r = e;
		free(dst);
	}
	/* Even when a rename failed, logging goes on into a fresh file. */
	if ((e = logfile_do_open(lf, 1)) != 0 && r == 0)
		r = e;
	return r;
}

int logfile_write(struct logfile *lf, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;
	off_t pos;
	int r = 0;

	if (lf->path == NULL)
		return 0;
	if (lf->fd < 0 && (r = logfile_do_open(lf, 0)) != 0)
		goto fail;
	while (n > 0) {
		w = write(lf->fd, s, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			goto fail;
		}
		s += w;
		n -= (size_t)w;
	}
	lf->failing = 0;
	lf->episode_lost = 0;
	if (lf->maxbytes > 0 && lf->seekable) {
		pos = lseek(lf->fd, 0, SEEK_CUR);
		if (pos < 0)
			lf->seekable = 0;
		else if ((long long)pos >= lf->maxbytes)
			return logfile_rotate(lf);
	}
	return 0;
fail:
	lf->failing = 1;
	lf->last_errno = -r;
	lf->failures++;
	lf->lost += n;
	lf->episode_lost += n;
	return r;
}

static int logfile_random(unsigned char *out, size_t n)
{
	static unsigned long long state;
	size_t i;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t got = read(fd, out, n);

		close(fd);
		if (got == (ssize_t)n)
			return 0;
	}
	if (state == 0)
		state = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	for (i = 0; i < n; i++) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (unsigned char)(state >> 33);
	}
	return 0;
}

int logfile_auto_name(const char *dir, const char *name, const char *channel, const char *identifier,
                      char **pathp)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	unsigned char rnd[8];
	char suffix[9], *path;
	int tries, fd, i;

	*pathp = NULL;
	for (tries = 0; tries < 100; tries++) {
		logfile_random(rnd, sizeof(rnd));
		for (i = 0; i < 8; i++)
			suffix[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		suffix[8] = '\0';
		path = xasprintf("%s/%s-%s---%s-%s.log", dir, name, channel, identifier, suffix);
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			close(fd);
			*pathp = path;
			return 0;
		}
		free(path);
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int logfile_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int logfile_is_auto(const char *fname, const char *identifier)
{
	size_t mlen = strlen(identifier) + 4, i, j;
	char *marker = xasprintf("---%s-", identifier);
	const char *hit, *from = fname + 1, *log;
	int ok = 0;

	/* ".+?" takes at least one character and no newline; "\S+" then
	 * needs at least one non-blank before a ".log" with no blank between. */
	while (!ok && *fname && (hit = strstr(from, marker)) != NULL) {
		for (i = 0; fname + i < hit && fname[i] != '\n'; i++)
			;
		if (fname + i < hit)
			break;
		log = hit + mlen;
		for (j = 1; log[j - 1] != '\0' && !logfile_space((unsigned char)log[j - 1]); j++) {
			if (strncmp(log + j, ".log", 4) == 0) {
				ok = 1;
				break;
			}
		}
		from = hit + 1;
	}
	free(marker);
	return ok;
}

int logfile_clear_autodir(const char *dir, const char *identifier, void (*warn)(const char *path, void *arg),
                          void *arg)
{
	struct dirent *de;
	char *path;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL) {
		if (!logfile_is_auto(de->d_name, identifier))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && warn != NULL)
			warn(path, arg);
		free(path);
	}
	closedir(d);
	return 0;
}

static int logfile_read_fd(int fd, long long offset, size_t len, int to_end, struct buf *out)
{
	char tmp[65536];
	size_t want;
	ssize_t n;

	if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
		return LOGFILE_FAILED;
	while (to_end || len > 0) {
		want = to_end || len > sizeof(tmp) ? sizeof(tmp) : len;
		n = read(fd, tmp, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return LOGFILE_FAILED;
		if (n == 0)
			break;
		if (buf_put(out, tmp, (size_t)n) != 0)
			return LOGFILE_FAILED;
		if (!to_end)
			len -= (size_t)n;
	}
	return 0;
}

int logfile_read(const char *path, long long offset, long long length, struct buf *out)
{
	struct stat st;
	long long pos;
	int fd, r;

	if (offset < 0 && length != 0)
		return LOGFILE_BAD_ARGUMENTS;
	if (length < 0)
		return LOGFILE_BAD_ARGUMENTS;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return LOGFILE_FAILED;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return LOGFILE_FAILED;
	}
	if (offset < 0) {
		pos = (long long)st.st_size + offset;
		r = logfile_read_fd(fd, pos < 0 ? 0 : pos, (size_t)-offset, 0, out);
	} else {
		r = logfile_read_fd(fd, offset, length > (long long)LOGFILE_READ_MAX ? LOGFILE_READ_MAX : (size_t)length,
		                    length == 0, out);
	}
	close(fd);
	return r;
}

void logfile_tail(const char *path, long long *offsetp, long long length, struct buf *out, int *overflowp)
{
	long long offset = *offsetp, sz;
	struct stat st;
	int fd;

	*overflowp = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	sz = (long long)st.st_size;
	if (sz > offset + length) {
		*overflowp = 1;
		offset = sz - 1;
	}
	if (offset + length > sz) {
		if (offset > sz - 1)
			length = 0;
		offset = sz - length;
	}
	if (offset < 0)
		offset = 0;
	if (length < 0)
		length = 0;
	if (length > (long long)LOGFILE_READ_MAX)
		length = (long long)LOGFILE_READ_MAX;
	if (length > 0 && logfile_read_fd(fd, offset, (size_t)length, 0, out) != 0)
		buf_reset(out);
	close(fd);
	*offsetp = sz;
}
