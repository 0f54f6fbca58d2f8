/* File modes as Ansible parses them (module_utils/basic.py,
 * _symbolic_mode_to_octal); see fmode.h. */
#include "modules/fmode.h"

#include <string.h>
#include <sys/stat.h>

#include "base/xmalloc.h"

static int fmode_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int fmode_pyint(const char *s, int base, long long *outp)
{
	const char *p = s;
	long long v = 0;
	int neg = 0, digits = 0, d;

	while (fmode_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (base == 8 && p[0] == '0' && (p[1] == 'o' || p[1] == 'O')) {
		p += 2;
		/* "0o_7" is valid Python: the prefix counts as a digit for '_'. */
		digits = -1;
	}
	for (; *p != '\0' && !fmode_space(*p); p++) {
		if (*p == '_') {
			if (digits == 0 || !(p[1] >= '0' && p[1] < '0' + base))
				return -1;
			continue;
		}
		d = *p - '0';
		if (d < 0 || d >= base || v > (0x7fffffffffffffffLL - d) / base)
			return -1;
		v = v * base + d;
		digits = digits < 0 ? 1 : digits + 1;
	}
	while (fmode_space(*p))
		p++;
	if (digits <= 0 || *p != '\0')
		return -1;
	*outp = neg ? -v : v;
	return 0;
}

/* The bits one permission letter stands for, for one user class
 * (_get_octal_mode_from_symbolic_perms). Returns -1 for an unknown letter. */
static long fmode_perm_bits(char user, char perm, unsigned prev, int x_ok, int use_umask, unsigned umask)
{
	static const char users[] = "ugo";
	int shift, i;
	unsigned mask = use_umask ? (umask ^ 07777) : 07777;

	if (user == '\0' || strchr(users, user) == NULL)
		return -1;
	i = (int)(strchr(users, user) - users);
	shift = 6 - 3 * i;
	switch (perm) {
	case 'r': return (long)(mask & (4u << shift));
	case 'w': return (long)(mask & (2u << shift));
	case 'x': return (long)(mask & (1u << shift));
	case 'X': return x_ok ? (long)(1u << shift) : 0;
	case 's': return user == 'u' ? S_ISUID : user == 'g' ? S_ISGID : 0;
	case 't': return user == 'o' ? S_ISVTX : 0;
	case 'u': return (long)(((prev >> 6) & 7) << shift);
	case 'g': return (long)(((prev >> 3) & 7) << shift);
	case 'o': return (long)((prev & 7) << shift);
	default: return -1;
	}
}

static unsigned fmode_apply(char user, char op, unsigned bits, unsigned cur)
{
	unsigned mask;

	if (op == '=') {
		mask = user == 'u' ? (S_IRWXU | S_ISUID) : user == 'g' ? (S_IRWXG | S_ISGID) : (S_IRWXO | S_ISVTX);
		return (cur & (mask ^ 07777)) | bits;
	}
	if (op == '+')
		return cur | bits;
	return cur & ~bits;
}

/* The length of the run of s[0..len) without any of the bytes in stop. */
static size_t fmode_span(const char *s, size_t len, const char *stop)
{
	size_t n = 0;

	while (n < len && strchr(stop, s[n]) == NULL)
		n++;
	return n;
}

/* One comma-separated clause, s[0..len): users, then operator and
 * permission letters any number of times ("u+r-w", "=rx", "go"). */
static int fmode_clause(const char *s, size_t len, unsigned prev, int x_ok, unsigned umask, unsigned *curp)
{
	size_t nusers = fmode_span(s, len, "+=-"), nu, nperms, i, k;
	const char *users = s, *p = s + nusers, *end = s + len;
	long bits, b;
	char op;

	nu = nusers;
	if (nusers == 0 || (nusers == 1 && s[0] == 'a')) {
		users = "ugo";
		nu = 3;
	}
	/* Python checks the first user letter up front; any other bad one
	 * fails only once a permission or '=' has to be looked up for it. */
	if (strchr("ugo", users[0]) == NULL)
		return -1;
	while (p < end) {
		op = *p++;
		nperms = fmode_span(p, (size_t)(end - p), "+=-");
		for (i = 0; i < nu; i++) {
			if ((nperms > 0 || op == '=') && strchr("ugo", users[i]) == NULL)
				return -1;
			bits = 0;
			for (k = 0; k < nperms; k++) {
				if ((b = fmode_perm_bits(users[i], p[k], prev, x_ok, nusers == 0, umask)) < 0)
					return -1;
				bits |= b;
			}
			*curp = fmode_apply(users[i], op, (unsigned)bits, *curp);
		}
		p += nperms;
	}
	return 0;
}

int fmode_symbolic(const char *s, unsigned st_mode, unsigned umask, unsigned *outp, char **errp)
{
	unsigned prev = st_mode & 07777, cur = prev;
	int x_ok = S_ISDIR(st_mode) || (prev & 0111) != 0;
	const char *p = s, *comma;
	size_t len;

	*errp = NULL;
	for (;;) {
		comma = strchr(p, ',');
		len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		if (fmode_clause(p, len, prev, x_ok, umask, &cur) != 0) {
			*errp = xasprintf("bad symbolic permission for mode: %.*s", (int)len, p);
			return -1;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*outp = cur;
	return 0;
}

int fmode_resolve(const struct value *mode, unsigned st_mode, unsigned umask, long long *outp, char **detailsp)
{
	unsigned sym;

	*detailsp = NULL;
	switch (mode->type) {
	case VALUE_INT: *outp = mode->u.i; return 0;
	case VALUE_BOOL: *outp = mode->u.b; return 0;
	case VALUE_STR:
		if (strlen(mode->u.s.ptr) == mode->u.s.len && fmode_pyint(mode->u.s.ptr, 8, outp) == 0)
			return 0;
		if (fmode_symbolic(mode->u.s.ptr, st_mode, umask, &sym, detailsp) != 0)
			return -1;
		*outp = sym;
		return 0;
	default:
		*detailsp = xasprintf("'%s' object has no attribute 'split'",
		                      mode->type == VALUE_FLOAT  ? "float"
		                      : mode->type == VALUE_LIST ? "list"
		                      : mode->type == VALUE_MAP  ? "dict"
		                                                 : "NoneType");
		return -1;
	}
}

unsigned fmode_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return (unsigned)m;
}
