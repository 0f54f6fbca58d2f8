/* Python-compatible formatting for module results. */
#include "modules/pyfmt.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"

extern char **environ;

int64_t pyfmt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int pyfmt_datetime(struct buf *out, int64_t us)
{
	time_t sec = (time_t)(us / 1000000);
	int64_t frac = us % 1000000;
	struct tm tm;
	int r;

	if (frac < 0) {
		frac += 1000000;
		sec--;
	}
	if (localtime_r(&sec, &tm) == NULL)
		return ERR_INVAL;
	if ((r = buf_printf(out, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	                    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)) != 0)
		return r;
	if (frac != 0)
		return buf_printf(out, ".%06lld", (long long)frac);
	return 0;
}

int pyfmt_timedelta(struct buf *out, int64_t us)
{
	/* timedelta normalises to days (any sign) plus non-negative seconds
	 * and microseconds, which is what makes "-1 day, 23:59:59.999999". */
	int64_t day = (int64_t)86400 * 1000000;
	int64_t days = us / day, rest = us % day, secs;
	int r;

	if (rest < 0) {
		rest += day;
		days--;
	}
	secs = rest / 1000000;
	if (days != 0 && (r = buf_printf(out, "%lld day%s, ", (long long)days,
	                                 days == 1 || days == -1 ? "" : "s")) != 0)
		return r;
	if ((r = buf_printf(out, "%lld:%02lld:%02lld", (long long)(secs / 3600), (long long)(secs / 60 % 60),
	                    (long long)(secs % 60))) != 0)
		return r;
	if (rest % 1000000 != 0)
		return buf_printf(out, ".%06lld", (long long)(rest % 1000000));
	return 0;
}

static int pyfmt_repr(struct buf *out, const char *prefix, const char *s, size_t len)
{
	int quote = '\'', c, r;
	size_t i;

	if (memchr(s, '\'', len) != NULL && memchr(s, '"', len) == NULL)
		quote = '"';
	if ((r = buf_puts(out, prefix)) != 0 || (r = buf_putc(out, (char)quote)) != 0)
		return r;
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == quote || c == '\\')
			r = buf_printf(out, "\\%c", c);
		else if (c == '\t')
			r = buf_puts(out, "\\t");
		else if (c == '\n')
			r = buf_puts(out, "\\n");
		else if (c == '\r')
			r = buf_puts(out, "\\r");
		else if (c < 0x20 || c >= 0x7f)
			r = buf_printf(out, "\\x%02x", c);
		else
			r = buf_putc(out, (char)c);
		if (r != 0)
			return r;
	}
	return buf_putc(out, (char)quote);
}

int pyfmt_bytes_repr(struct buf *out, const char *s, size_t len)
{
	return pyfmt_repr(out, "b", s, len);
}

const char *pyfmt_strerror(int errnum)
{
	/* Only where musl and glibc differ for errors a module can hit. */
	switch (errnum) {
	case ELOOP: return "Too many levels of symbolic links";
	case ENAMETOOLONG: return "File name too long";
	case ETXTBSY: return "Text file busy";
	case E2BIG: return "Argument list too long";
	case ENOMEM: return "Cannot allocate memory";
	case EPERM: return "Operation not permitted";
	case EIO: return "Input/output error";
	case ENXIO: return "No such device or address";
	case EAGAIN: return "Resource temporarily unavailable";
	case ENOSPC: return "No space left on device";
	case EROFS: return "Read-only file system";
	default: return strerror(errnum);
	}
}

int pyfmt_oserror(struct buf *out, int errnum, const char *filename, int as_str)
{
	int r;

	if ((r = buf_printf(out, "[Errno %d] %s", errnum, pyfmt_strerror(errnum))) != 0 || filename == NULL)
		return r;
	if ((r = buf_puts(out, ": ")) != 0)
		return r;
	return pyfmt_repr(out, as_str ? "" : "b", filename, strlen(filename));
}

const char *pyfmt_getenv(char *const *envp, const char *name)
{
	size_t n = strlen(name);

	if (envp == NULL)
		envp = environ;
	for (; *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int pyfmt_is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* os.path.expandvars: $name and ${name}, name matching \w+ (ASCII) or, in
 * braces, anything but '}'; unknown names stay as written. */
static int pyfmt_expandvars(struct buf *out, const char *s, size_t len, char *const *envp)
{
	const char *val;
	char *name;
	size_t i = 0, j, nstart, nend;
	int r;

	while (i < len) {
		if (s[i] != '$') {
			if ((r = buf_putc(out, s[i++])) != 0)
				return r;
			continue;
		}
		j = i + 1;
		if (j < len && s[j] == '{') {
			for (j++; j < len && s[j] != '}'; j++)
				;
			if (j >= len) {
				if ((r = buf_putc(out, s[i++])) != 0)
					return r;
				continue;
			}
			nstart = i + 2;
			nend = j;
			j++;
		} else {
			while (j < len && pyfmt_is_word((unsigned char)s[j]))
				j++;
			if (j == i + 1) {
				if ((r = buf_putc(out, s[i++])) != 0)
					return r;
				continue;
			}
			nstart = i + 1;
			nend = j;
		}
		name = xstrndup(s + nstart, nend - nstart);
		val = strlen(name) == nend - nstart ? pyfmt_getenv(envp, name) : NULL;
		free(name);
		r = val != NULL ? buf_puts(out, val) : buf_put(out, s + i, j - i);
		if (r != 0)
			return r;
		i = j;
	}
	return 0;
}

/* os.path.expanduser on an already var-expanded path. */
static int pyfmt_expanduser(struct buf *out, const char *s, size_t len, char *const *envp)
{
	const char *home = NULL, *slash;
	struct passwd *pw;
	char *user;
	size_t i, hlen;

	if (len == 0 || s[0] != '~')
		return buf_put(out, s, len);
	slash = memchr(s + 1, '/', len - 1);
	i = slash != NULL ? (size_t)(slash - s) : len;
	if (i == 1) {
		home = pyfmt_getenv(envp, "HOME");
		if (home == NULL && (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
	} else {
		user = xstrndup(s + 1, i - 1);
		pw = strlen(user) == i - 1 ? getpwnam(user) : NULL;
		free(user);
		if (pw != NULL)
			home = pw->pw_dir;
	}
	if (home == NULL)
		return buf_put(out, s, len);
	hlen = strlen(home);
	while (hlen > 0 && home[hlen - 1] == '/')
		hlen--;
	if (hlen == 0 && i == len)
		return buf_putc(out, '/');
	return buf_put(out, home, hlen) != 0 ? ERR_TOOBIG : buf_put(out, s + i, len - i);
}

int pyfmt_expand_path(struct buf *out, const char *s, size_t len, char *const *envp)
{
	struct buf vars;
	int r;

	buf_init(&vars, out->max);
	r = pyfmt_expandvars(&vars, s, len, envp);
	if (r == 0)
		r = pyfmt_expanduser(out, buf_ptr(&vars), buf_avail(&vars), envp);
	buf_fini(&vars);
	return r;
}
