/* supervisord's configuration value types, with Python's parsing rules
 * (int(), str.lower(), str.strip()) reproduced where they decide what a
 * setting means. */
#include "droverd/conv.h"

#include <ctype.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"

static int conv_fail(char **errp, char *msg)
{
	*errp = msg;
	return ERR_PARSE;
}

static int conv_is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
	       (c >= 0x1c && c <= 0x1f);
}

/* Parses [s, e) as Python's int(x, base) for base 8 or 10; 0 or -1. */
static int conv_parse_int(const char *s, const char *e, int base, long long *outp)
{
	unsigned long long v = 0, lim;
	int neg = 0, digits = 0, may_us = 0, d;

	while (s < e && conv_is_blank((unsigned char)*s))
		s++;
	while (e > s && conv_is_blank((unsigned char)e[-1]))
		e--;
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	if (base == 8 && e - s >= 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		s += 2;
		may_us = 1; /* "0o_7" is valid Python */
	}
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
	for (; s < e; s++) {
		if (*s == '_') {
			/* One underscore at a time, between digits. */
			if (!may_us || s + 1 == e)
				return -1;
			may_us = 0;
			continue;
		}
		if (*s < '0' || *s >= '0' + base)
			return -1;
		d = *s - '0';
		if (v > (lim - (unsigned long long)d) / (unsigned long long)base)
			return -2;
		v = v * (unsigned long long)base + (unsigned long long)d;
		digits++;
		may_us = 1;
	}
	if (digits == 0)
		return -1;
	*outp = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

int conv_int(const char *s, long long *outp, char **errp)
{
	char *rep;
	int r;

	*errp = NULL;
	r = conv_parse_int(s, s + strlen(s), 10, outp);
	if (r == 0)
		return 0;
	rep = conv_repr(s);
	if (r == -2)
		*errp = xasprintf("integer %s is too large", rep);
	else
		*errp = xasprintf("invalid literal for int() with base 10: %s", rep);
	free(rep);
	return ERR_PARSE;
}

static int conv_lower_eq(const char *s, const char *word)
{
	for (; *s && *word; s++, word++)
		if (tolower((unsigned char)*s) != *word)
			return 0;
	return *s == '\0' && *word == '\0';
}

static int conv_word_bool(const char *s)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (conv_lower_eq(s, yes[i]))
			return 1;
		if (conv_lower_eq(s, no[i]))
			return 0;
	}
	return -1;
}

int conv_bool(const char *s, int *outp, char **errp)
{
	char *rep;
	int b = conv_word_bool(s);

	*errp = NULL;
	if (b >= 0) {
		*outp = b;
		return 0;
	}
	rep = conv_repr(s);
	*errp = xasprintf("not a valid boolean value: %s", rep);
	free(rep);
	return ERR_PARSE;
}

int conv_byte_size(const char *s, long long *outp, char **errp)
{
	static const struct {
		const char *sfx;
		long long mult;
	} sfx[] = {{"kb", 1024}, {"mb", 1024 * 1024}, {"gb", 1024LL * 1024 * 1024}};
	size_t n = strlen(s), i;
	long long v;
	char *num;
	int r;

	*errp = NULL;
	for (i = 0; i < 3; i++) {
		if (n >= 2 && tolower((unsigned char)s[n - 2]) == sfx[i].sfx[0] &&
		    tolower((unsigned char)s[n - 1]) == sfx[i].sfx[1]) {
			num = xstrndup(s, n - 2);
			r = conv_int(num, &v, errp);
			free(num);
			if (r != 0)
				return r;
			if (v > LLONG_MAX / sfx[i].mult || v < LLONG_MIN / sfx[i].mult)
				return conv_fail(errp, xasprintf("byte size %s is too large", s));
			*outp = v * sfx[i].mult;
			return 0;
		}
	}
	return conv_int(s, outp, errp);
}

int conv_octal(const char *s, long *outp, char **errp)
{
	long long v;

	*errp = NULL;
	if (conv_parse_int(s, s + strlen(s), 8, &v) != 0 || v > LONG_MAX || v < LONG_MIN)
		return conv_fail(errp, xasprintf("%s can not be converted to an octal type", s));
	*outp = (long)v;
	return 0;
}

/* Signal names in Python's signal module on Linux, and SIG_* constants that
 * signal_number() accepts by accident of getattr(). */
static const struct {
	const char *name;
	int num;
} conv_signals[] = {
	{"SIGHUP", 1},     {"SIGINT", 2},     {"SIGQUIT", 3},   {"SIGILL", 4},     {"SIGTRAP", 5},
	{"SIGABRT", 6},    {"SIGIOT", 6},     {"SIGBUS", 7},    {"SIGFPE", 8},     {"SIGKILL", 9},
	{"SIGUSR1", 10},   {"SIGSEGV", 11},   {"SIGUSR2", 12},  {"SIGPIPE", 13},   {"SIGALRM", 14},
	{"SIGTERM", 15},   {"SIGSTKFLT", 16}, {"SIGCHLD", 17},  {"SIGCLD", 17},    {"SIGCONT", 18},
	{"SIGSTOP", 19},   {"SIGTSTP", 20},   {"SIGTTIN", 21},  {"SIGTTOU", 22},   {"SIGURG", 23},
	{"SIGXCPU", 24},   {"SIGXFSZ", 25},   {"SIGVTALRM", 26}, {"SIGPROF", 27},  {"SIGWINCH", 28},
	{"SIGIO", 29},     {"SIGPOLL", 29},   {"SIGPWR", 30},   {"SIGSYS", 31},    {"SIGRTMIN", 34},
	{"SIGRTMAX", 64},  {"SIG_DFL", 0},    {"SIG_IGN", 1},   {"SIG_BLOCK", 0},  {"SIG_UNBLOCK", 1},
	{"SIG_SETMASK", 2},
};

/* The name signame() prints: Python keeps the last alias its module lists. */
static const char *const conv_signames[65] = {
	[1] = "SIGHUP",     [2] = "SIGINT",     [3] = "SIGQUIT",   [4] = "SIGILL",    [5] = "SIGTRAP",
	[6] = "SIGABRT",    [7] = "SIGBUS",     [8] = "SIGFPE",    [9] = "SIGKILL",   [10] = "SIGUSR1",
	[11] = "SIGSEGV",   [12] = "SIGUSR2",   [13] = "SIGPIPE",  [14] = "SIGALRM",  [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD",   [18] = "SIGCONT",  [19] = "SIGSTOP",  [20] = "SIGTSTP",
	[21] = "SIGTTIN",   [22] = "SIGTTOU",   [23] = "SIGURG",   [24] = "SIGXCPU",  [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF",   [28] = "SIGWINCH", [29] = "SIGPOLL",  [30] = "SIGPWR",
	[31] = "SIGSYS",    [34] = "SIGRTMIN",  [64] = "SIGRTMAX",
};

const char *conv_signame(int sig, char buf[24])
{
	if (sig > 0 && sig <= 64 && conv_signames[sig] != NULL)
		return conv_signames[sig];
	snprintf(buf, 24, "signal %d", sig);
	return buf;
}

int conv_signal(const char *s, int *outp, char **errp)
{
	long long v;
	char *name, *rep, *p;
	const char *b, *e;
	size_t i;
	int found = 0;

	*errp = NULL;
	if (conv_parse_int(s, s + strlen(s), 10, &v) == 0) {
		if (!((v >= 0 && v <= 31) || v == 34 || v == 64)) {
			rep = conv_repr(s);
			*errp = xasprintf("value %s is not a valid signal number", rep);
			free(rep);
			return ERR_PARSE;
		}
		*outp = (int)v;
		return 0;
	}
	b = s;
	e = s + strlen(s);
	while (b < e && conv_is_blank((unsigned char)*b))
		b++;
	while (e > b && conv_is_blank((unsigned char)e[-1]))
		e--;
	p = xstrndup(b, (size_t)(e - b));
	for (i = 0; p[i]; i++)
		p[i] = (char)toupper((unsigned char)p[i]);
	name = strncmp(p, "SIG", 3) == 0 ? xstrdup(p) : xasprintf("SIG%s", p);
	free(p);
	for (i = 0; i < sizeof(conv_signals) / sizeof(conv_signals[0]); i++) {
		if (strcmp(conv_signals[i].name, name) == 0) {
			*outp = conv_signals[i].num;
			found = 1;
			break;
		}
	}
	free(name);
	if (found)
		return 0;
	rep = conv_repr(s);
	*errp = xasprintf("value %s is not a valid signal name", rep);
	free(rep);
	return ERR_PARSE;
}

int conv_exitcodes(const char *s, uint8_t set[32], int **codesp, size_t *np, char **errp)
{
	const char *p = s, *comma;
	long long v;
	int *codes = NULL;
	size_t n = 0;
	char *rep;

	*errp = NULL;
	*codesp = NULL;
	*np = 0;
	memset(set, 0, 32);
	if (*s == '\0')
		return 0;
	for (;;) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		if (conv_parse_int(p, comma, 10, &v) != 0 || v < 0 || v > 255)
			goto bad;
		/* Every input-driven allocation is capped: 256 distinct codes
		 * exist, and a list longer than the line cap cannot be read. */
		codes = xreallocarray(codes, n + 1, sizeof(*codes));
		codes[n++] = (int)v;
		set[v / 8] = (uint8_t)(set[v / 8] | (1u << (v % 8)));
		if (*comma == '\0')
			break;
		p = comma + 1;
	}
	*codesp = codes;
	*np = n;
	return 0;
bad:
	free(codes);
	memset(set, 0, 32);
	rep = conv_repr(s);
	*errp = xasprintf("not a valid list of exit codes: %s", rep);
	free(rep);
	return ERR_PARSE;
}

int conv_loglevel(const char *s, int *outp, char **errp)
{
	static const struct {
		const char *name;
		int level;
	} levels[] = {{"critical", 50}, {"error", 40}, {"warn", 30},   {"info", 20},
	              {"debug", 10},    {"trace", 5},  {"blather", 3}};
	char *rep;
	size_t i;

	*errp = NULL;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (conv_lower_eq(s, levels[i].name)) {
			*outp = levels[i].level;
			return 0;
		}
	}
	rep = conv_repr(s);
	*errp = xasprintf("bad logging level name %s", rep);
	free(rep);
	return ERR_PARSE;
}

int conv_name(const char *s, char **outp, char **errp)
{
	const char *b = s, *e = s + strlen(s), *bad;
	char *name, *rep;
	char ch[2] = {0, 0};

	*outp = NULL;
	*errp = NULL;
	while (b < e && conv_is_blank((unsigned char)*b))
		b++;
	while (e > b && conv_is_blank((unsigned char)e[-1]))
		e--;
	name = xstrndup(b, (size_t)(e - b));
	for (bad = " :/"; *bad; bad++) {
		if (strchr(name, *bad) != NULL) {
			ch[0] = *bad;
			rep = conv_repr(s);
			*errp = xasprintf("Invalid name: %s because of character: '%s'", rep, ch);
			free(rep);
			free(name);
			return ERR_PARSE;
		}
	}
	*outp = name;
	return 0;
}

int conv_autorestart(const char *s, int *outp, char **errp)
{
	char *low = xstrdup(s), *rep;
	size_t i;
	int b;

	*errp = NULL;
	for (i = 0; low[i]; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	b = conv_word_bool(low);
	if (b >= 0 || strcmp(low, "unexpected") == 0) {
		*outp = b == 1 ? AUTORESTART_TRUE : b == 0 ? AUTORESTART_FALSE : AUTORESTART_UNEXPECTED;
		free(low);
		return 0;
	}
	rep = conv_repr(low);
	*errp = xasprintf("invalid 'autorestart' value %s", rep);
	free(rep);
	free(low);
	return ERR_PARSE;
}

int conv_uid(const char *s, uid_t *outp, char **errp)
{
	struct passwd *pw;
	long long v;

	*errp = NULL;
	if (conv_parse_int(s, s + strlen(s), 10, &v) == 0) {
		if (v < 0 || v > (long long)UINT32_MAX - 1 || (pw = getpwuid((uid_t)v)) == NULL)
			return conv_fail(errp, xasprintf("Invalid user id %s", s));
		*outp = (uid_t)v;
		return 0;
	}
	if ((pw = getpwnam(s)) == NULL)
		return conv_fail(errp, xasprintf("Invalid user name %s", s));
	*outp = pw->pw_uid;
	return 0;
}

int conv_gid(const char *s, gid_t *outp, char **errp)
{
	struct group *gr;
	long long v;

	*errp = NULL;
	if (conv_parse_int(s, s + strlen(s), 10, &v) == 0) {
		if (v < 0 || v > (long long)UINT32_MAX - 1 || (gr = getgrgid((gid_t)v)) == NULL)
			return conv_fail(errp, xasprintf("Invalid group id %s", s));
		*outp = (gid_t)v;
		return 0;
	}
	if ((gr = getgrnam(s)) == NULL)
		return conv_fail(errp, xasprintf("Invalid group name %s", s));
	*outp = gr->gr_gid;
	return 0;
}

static int conv_port(const char *s, int *portp, char **errp)
{
	long long v;
	int r;

	if ((r = conv_int(s, &v, errp)) != 0)
		return r;
	if (v < 1)
		return conv_fail(errp, xasprintf("%lld is below lower bound (1)", v));
	if (v > 0xffff)
		return conv_fail(errp, xasprintf("%lld is above upper bound (65535)", v));
	*portp = (int)v;
	return 0;
}

int conv_inet_address(const char *s, char **hostp, int *portp, char **errp)
{
	const char *colon = strrchr(s, ':');
	char *host, *rep, *e2 = NULL;
	size_t i;
	int r;

	*hostp = NULL;
	*errp = NULL;
	if (colon == NULL) {
		if (conv_port(s, portp, &e2) != 0) {
			free(e2);
			rep = conv_repr(s);
			*errp = xasprintf("not a valid port number: %s ", rep);
			free(rep);
			return ERR_PARSE;
		}
		*hostp = xstrdup("");
		return 0;
	}
	if (colon[1] == '\0')
		return conv_fail(errp, xstrdup("no port number specified in ''"));
	if ((r = conv_port(colon + 1, portp, errp)) != 0)
		return r;
	host = xstrndup(s, (size_t)(colon - s));
	for (i = 0; host[i]; i++)
		host[i] = (char)tolower((unsigned char)host[i]);
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	*hostp = host;
	return 0;
}

char *conv_expanduser(const char *path)
{
	const char *rest, *home = NULL;
	struct passwd *pw;
	char *user, *h, *out;
	size_t n;

	if (path[0] != '~')
		return xstrdup(path);
	rest = strchr(path, '/');
	if (rest == NULL)
		rest = path + strlen(path);
	if (rest == path + 1) {
		home = getenv("HOME");
		if (home == NULL) {
			if ((pw = getpwuid(getuid())) == NULL)
				return xstrdup(path);
			home = pw->pw_dir;
		}
	} else {
		user = xstrndup(path + 1, (size_t)(rest - path - 1));
		pw = getpwnam(user);
		free(user);
		if (pw == NULL)
			return xstrdup(path);
		home = pw->pw_dir;
	}
	h = xstrdup(home);
	n = strlen(h);
	while (n > 0 && h[n - 1] == '/')
		h[--n] = '\0';
	out = xasprintf("%s%s", h, rest);
	free(h);
	if (*out == '\0') {
		free(out);
		return xstrdup("/");
	}
	return out;
}

static int conv_isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int conv_existing_directory(const char *s, char **outp, char **errp)
{
	char *nv = conv_expanduser(s);

	*errp = NULL;
	*outp = NULL;
	if (conv_isdir(nv)) {
		*outp = nv;
		return 0;
	}
	free(nv);
	return conv_fail(errp, xasprintf("%s is not an existing directory", s));
}

int conv_existing_dirpath(const char *s, char **outp, char **errp)
{
	char *nv = conv_expanduser(s), *slash, *dir;
	int ok;

	*errp = NULL;
	*outp = NULL;
	slash = strrchr(nv, '/');
	if (slash == NULL) {
		*outp = nv;
		return 0;
	}
	/* posixpath.dirname keeps a root made only of slashes. */
	dir = slash == nv ? xstrdup("/") : xstrndup(nv, (size_t)(slash - nv));
	ok = conv_isdir(dir);
	free(dir);
	if (ok) {
		*outp = nv;
		return 0;
	}
	free(nv);
	return conv_fail(errp, xasprintf("The directory named as part of the path %s does not exist", s));
}

char *conv_normalize_path(const char *s)
{
	char *e = conv_expanduser(s), *abs, *out;
	char cwd[PATH_MAX];
	struct buf b;
	const char **parts, *p, *q;
	size_t *lens, n = 0, i, lead;

	if (e[0] == '/') {
		abs = e;
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			snprintf(cwd, sizeof(cwd), "/");
		abs = xasprintf("%s/%s", cwd, e);
		free(e);
	}
	/* posixpath.normpath: "//" at the start is kept, three or more
	 * slashes become one. */
	lead = abs[0] == '/' && abs[1] == '/' && abs[2] != '/' ? 2 : 1;
	parts = xcalloc(strlen(abs) + 1, sizeof(*parts));
	lens = xcalloc(strlen(abs) + 1, sizeof(*lens));
	for (p = abs; *p; p = q) {
		while (*p == '/')
			p++;
		for (q = p; *q && *q != '/'; q++)
			;
		if (q == p || (q - p == 1 && p[0] == '.'))
			continue;
		if (q - p == 2 && p[0] == '.' && p[1] == '.') {
			if (n > 0)
				n--;
			continue;
		}
		parts[n] = p;
		lens[n++] = (size_t)(q - p);
	}
	buf_init(&b, 0);
	buf_put(&b, "//", lead);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, '/');
		buf_put(&b, parts[i], lens[i]);
	}
	out = buf_take(&b, NULL);
	free(parts);
	free(lens);
	free(abs);
	return out;
}

/* Whether Python's str.isprintable() holds for the code point starting at
 * p (valid UTF-8 assumed; the Latin-1 controls and NBSP are the cases seen
 * in practice). */
static size_t conv_utf8_len(const unsigned char *p)
{
	if (*p < 0x80)
		return 1;
	if ((*p & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80)
		return 2;
	if ((*p & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80)
		return 3;
	if ((*p & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80)
		return 4;
	return 0;
}

char *conv_repr(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	char quote = strchr(s, '\'') != NULL && strchr(s, '"') == NULL ? '"' : '\'';
	struct buf b;
	size_t n;

	buf_init(&b, 0);
	buf_putc(&b, quote);
	while (*p) {
		if (*p == '\\' || *p == (unsigned char)quote) {
			buf_putc(&b, '\\');
			buf_putc(&b, (char)*p++);
		} else if (*p == '\n') {
			buf_puts(&b, "\\n");
			p++;
		} else if (*p == '\r') {
			buf_puts(&b, "\\r");
			p++;
		} else if (*p == '\t') {
			buf_puts(&b, "\\t");
			p++;
		} else if (*p < 0x20 || *p == 0x7f) {
			buf_printf(&b, "\\x%02x", *p++);
		} else if (*p < 0x80) {
			buf_putc(&b, (char)*p++);
		} else if ((n = conv_utf8_len(p)) == 0) {
			buf_printf(&b, "\\x%02x", *p++);
		} else if (n == 2 && p[0] == 0xc2 && (p[1] < 0xa1 || p[1] == 0xad)) {
			buf_printf(&b, "\\x%02x", p[1]);
			p += 2;
		} else {
			buf_put(&b, p, n);
			p += n;
		}
	}
	buf_putc(&b, quote);
	return buf_take(&b, NULL);
}

size_t conv_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b), i, j, best;
	size_t *prev, *cur, *t;

	if (la > 64 || lb > 64)
		return cap + 1;
	prev = xcalloc(lb + 1, sizeof(*prev));
	cur = xcalloc(lb + 1, sizeof(*cur));
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		best = cur[0];
		for (j = 1; j <= lb; j++) {
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);

			cur[j] = del < ins ? del : ins;
			if (sub < cur[j])
				cur[j] = sub;
			if (cur[j] < best)
				best = cur[j];
		}
		t = prev;
		prev = cur;
		cur = t;
		if (best > cap)
			break;
	}
	best = i > la ? prev[lb] : cap + 1;
	free(prev);
	free(cur);
	return best > cap ? cap + 1 : best;
}
