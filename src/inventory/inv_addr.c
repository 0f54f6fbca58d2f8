/* Host addresses in inventories: Ansible's parse_address (host, optional
 * :port, IPv4/IPv6/hostname shapes that may contain [x:y] ranges) and its
 * expand_hostname_range, reproduced from their regular expressions. */
#include "inventory/inv_priv.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

static int ia_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int ia_hex(char c)
{
	return ia_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Matches "[" x ":" y (":" step)? "]" at s, where x and y are runs of
 * characters accepted by cls (1 = digits, 2 = hex digits) or, for cls 3,
 * either one letter each or digit runs. Returns the length or 0. */
static size_t ia_range(const char *s, int cls)
{
	size_t i = 1, k;

	if (s[0] != '[')
		return 0;
	if (cls == 3 && ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z')) {
		if (s[2] != ':' || !((s[3] | 0x20) >= 'a' && (s[3] | 0x20) <= 'z'))
			return 0;
		i = 4;
	} else {
		for (k = 0; cls == 2 ? ia_hex(s[i]) : ia_digit(s[i]); i++, k++)
			;
		if (k == 0 || s[i++] != ':')
			return 0;
		for (k = 0; cls == 2 ? ia_hex(s[i]) : ia_digit(s[i]); i++, k++)
			;
		if (k == 0)
			return 0;
	}
	if (s[i] == ':') {
		for (i++, k = 0; ia_digit(s[i]); i++, k++)
			;
		if (k == 0)
			return 0;
	}
	return s[i] == ']' ? i + 1 : 0;
}

/* An IPv4 component: 0..255 written as Ansible's regexp allows, or a
 * numeric range. Returns its length or 0. */
static size_t ia_v4comp(const char *s)
{
	size_t n = 0;

	if (s[0] == '[')
		return ia_range(s, 1);
	while (ia_digit(s[n]))
		n++;
	if (n == 1 || n == 2)
		return n;
	if (n == 3 && (s[0] == '0' || s[0] == '1' || (s[0] == '2' && s[1] <= '4') ||
	               (s[0] == '2' && s[1] == '5' && s[2] <= '5')))
		return 3;
	return 0;
}

static int ia_is_ipv4(const char *s)
{
	size_t i = 0, n;
	int k;

	for (k = 0; k < 4; k++) {
		n = ia_v4comp(s + i);
		if (n == 0)
			return 0;
		i += n;
		if (k < 3 && s[i++] != '.')
			return 0;
	}
	return s[i] == '\0';
}

/* An IPv6 component: 1-4 hex digits or a hexadecimal range. */
static size_t ia_v6comp(const char *s)
{
	size_t n = 0;

	if (s[0] == '[')
		return ia_range(s, 2);
	while (n < 4 && ia_hex(s[n]))
		n++;
	return n;
}

/* Matches "(C:){min,max}" greedily at s; returns the count matched and the
 * end in *endp. */
static int ia_v6run(const char *s, int max, size_t *endp)
{
	size_t i = 0, n;
	int k;

	for (k = 0; k < max; k++) {
		n = ia_v6comp(s + i);
		if (n == 0 || s[i + n] != ':')
			break;
		i += n + 1;
	}
	*endp = i;
	return k;
}

/* "(C\.){3}C" with IPv6 components, as Ansible's IPv4-in-IPv6 forms use. */
static size_t ia_v6dotted(const char *s)
{
	size_t i = 0, n;
	int k;

	for (k = 0; k < 4; k++) {
		n = ia_v6comp(s + i);
		if (n == 0)
			return 0;
		i += n;
		if (k < 3 && s[i++] != '.')
			return 0;
	}
	return i;
}

/* Ansible's ipv6 regexp has '^' bound to its first alternative and '$' to
 * its last, so every alternative but the last only has to match a prefix
 * (re.match anchors at the start). Those prefixes reduce to the forms
 * tested here. */
static int ia_is_ipv6(const char *s)
{
	size_t end, n;
	int k;

	k = ia_v6run(s, 7, &end);
	if (k == 7 && ia_v6comp(s + end) > 0)
		return 1;
	/* (C:){1,6}: and every compressed form with something before "::". */
	for (k = 1; k <= 6; k++) {
		size_t i = 0;
		int m;

		for (m = 0; m < k; m++) {
			n = ia_v6comp(s + i);
			if (n == 0 || s[i + n] != ':')
				break;
			i += n + 1;
		}
		if (m == k && s[i] == ':')
			return 1;
	}
	/* C?:: */
	if (s[0] == ':' && s[1] == ':')
		return 1;
	n = ia_v6comp(s);
	if (n > 0 && s[n] == ':' && s[n + 1] == ':')
		return 1;
	/* (0:){6}(C\.){3}C */
	if (strncmp(s, "0:0:0:0:0:0:", 12) == 0 && ia_v6dotted(s + 12) > 0)
		return 1;
	/* (0:){5}ffff:(C\.){3}C$ (case-insensitive) */
	if (strncmp(s, "0:0:0:0:0:", 10) == 0 && strncasecmp(s + 10, "ffff:", 5) == 0) {
		n = ia_v6dotted(s + 15);
		if (n > 0 && s[15 + n] == '\0')
			return 1;
	}
	return 0;
}

int inv_addr_is_ip(const char *s)
{
	return ia_is_ipv4(s) || ia_is_ipv6(s);
}

static int ia_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || ia_digit(c) || c == '_' ||
	       (unsigned char)c >= 0x80;
}

/* label: (\w|range)(\w|[_-]|range)* not ending in '_' or '-'. */
static size_t ia_label(const char *s)
{
	size_t i = 0, n;
	char last = '\0';

	if (s[0] == '[') {
		n = ia_range(s, 3);
		if (n == 0)
			return 0;
		i = n;
		last = ']';
	} else if (ia_word(s[0])) {
		last = s[0];
		i = 1;
	} else {
		return 0;
	}
	for (;;) {
		if (s[i] == '[' && (n = ia_range(s + i, 3)) > 0) {
			i += n;
			last = ']';
		} else if (ia_word(s[i]) || s[i] == '-') {
			last = s[i++];
		} else {
			break;
		}
	}
	/* The regexp can backtrack over trailing '_' and '-' only to fail at
	 * the following '.' or end, so a label ending in one never matches. */
	return last == '_' || last == '-' ? 0 : i;
}

static int ia_is_hostname(const char *s)
{
	size_t i = 0, n;

	for (;;) {
		n = ia_label(s + i);
		if (n == 0)
			return 0;
		i += n;
		if (s[i] == '\0')
			return 1;
		if (s[i] != '.')
			return 0;
		i++;
	}
}

static int ia_port(const char *s, long *portp)
{
	char *end;
	long v;

	if (!ia_digit(s[0]))
		return -1;
	for (end = (char *)s; ia_digit(*end); end++)
		;
	if (*end != '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno == ERANGE)
		v = LONG_MAX;
	*portp = v;
	return 0;
}

int inv_addr_parse(const char *address, int allow_ranges, char **hostp, long *portp)
{
	char *a = xstrdup(address), *colon, *close;
	size_t i, n;
	long port = -1;

	*hostp = NULL;
	*portp = -1;
	/* bracketed_hostport: ^\[(.+)\]:([0-9]+)$ (greedy, so the last "]:") */
	n = strlen(a);
	if (a[0] == '[') {
		colon = strrchr(a, ':');
		if (colon != NULL && colon > a + 2 && colon[-1] == ']' && ia_port(colon + 1, &port) == 0) {
			colon[-1] = '\0';
			memmove(a, a + 1, (size_t)(colon - a));
		} else {
			port = -1;
		}
	}
	/* hostport: ((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$, tried on what the
	 * first one left, as Ansible does. */
	n = strlen(a);
	for (i = 0; i < n;) {
		if (a[i] == '[') {
			close = strchr(a + i, ']');
			if (close == NULL)
				break;
			i = (size_t)(close - a) + 1;
		} else if (a[i] == ']') {
			break;
		} else if (a[i] == ':') {
			long p2;

			if (ia_port(a + i + 1, &p2) == 0) {
				a[i] = '\0';
				port = p2;
			}
			break;
		} else {
			i++;
		}
	}
	if (!ia_is_ipv4(a) && !ia_is_ipv6(a) && !ia_is_hostname(a)) {
		free(a);
		return -1;
	}
	if (!allow_ranges && strchr(a, '[') != NULL) {
		free(a);
		return -1;
	}
	*hostp = a;
	*portp = port;
	return 0;
}

/* Python's int() over a bound of a host range. */
static int ia_int(const char *s, long *out)
{
	char *clean = xmalloc(strlen(s) + 1), *q = clean, *end;
	const char *p = s;
	long v;
	int ok;

	while (*p == ' ' || *p == '\t')
		p++;
	for (; *p; p++)
		if (*p != '_')
			*q++ = *p;
	while (q > clean && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	*q = '\0';
	errno = 0;
	v = strtol(clean, &end, 10);
	ok = clean[0] != '\0' && *end == '\0' && errno == 0 && v > -1000000000L && v < 1000000000L;
	free(clean);
	*out = v;
	return ok ? 0 : -1;
}

static const char ia_letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

static int ia_expand_into(const char *line, struct value *out, char **msgp, int depth);

static int ia_add_name(const char *head, size_t headlen, const char *mid, const char *tail, struct value *out,
                       char **msgp, int depth)
{
	char *name = xasprintf("%.*s%s%s", (int)headlen, head, mid, tail);
	int r = 0;

	if (strchr(name, '[') != NULL) {
		r = ia_expand_into(name, out, msgp, depth + 1);
	} else if (value_len(out) >= INV_MAX_RANGE) {
		*msgp = xasprintf("host range expands to more than %zu hosts", (size_t)INV_MAX_RANGE);
		r = ERR_TOOBIG;
	} else {
		value_list_push(out, value_str(name));
	}
	free(name);
	return r;
}

/* One "head[beg:end:step]tail" range, as expand_hostname_range splits it. */
struct ia_rng {
	size_t headlen;   /* bytes of line before the range */
	const char *tail; /* in line, after the range */
	char *text;       /* owned: "beg:end[:step]", cut into beg, end, step */
	const char *beg, *end;
	long step;
	size_t width;     /* zero-padding width, 0 for none */
};

/* Ansible replaces the first '[' and then the first ']' by '|' and wants
 * exactly three '|'-separated parts: head, range, tail. Then the range must
 * be begin:end or begin:end:step. */
static int ia_split(const char *line, struct ia_rng *g, char **msgp)
{
	char *work = xstrdup(line), *p1, *p2, *c1, *c2;
	int r = ERR_PARSE;

	memset(g, 0, sizeof(*g));
	g->step = 1;
	if ((p1 = strchr(work, '[')) != NULL)
		*p1 = '|';
	if ((p2 = strchr(work, ']')) != NULL)
		*p2 = '|';
	p1 = strchr(work, '|');
	p2 = p1 ? strchr(p1 + 1, '|') : NULL;
	if (p1 == NULL || p2 == NULL || strchr(p2 + 1, '|') != NULL) {
		*msgp = xasprintf("invalid host range in '%s'", line);
		goto out;
	}
	g->headlen = (size_t)(p1 - work);
	g->tail = line + (p2 - work) + 1;
	g->text = xstrndup(p1 + 1, (size_t)(p2 - p1 - 1));
	c1 = strchr(g->text, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c1 == NULL || (c2 != NULL && strchr(c2 + 1, ':') != NULL)) {
		*msgp = xstrdup("host range must be begin:end or begin:end:step");
		goto out;
	}
	*c1 = '\0';
	if (c2 != NULL)
		*c2 = '\0';
	g->beg = g->text[0] ? g->text : "0";
	g->end = c1 + 1;
	if (g->end[0] == '\0') {
		*msgp = xstrdup("host range must specify end value");
		goto out;
	}
	if (g->beg[0] == '0' && strlen(g->beg) > 1) {
		g->width = strlen(g->beg);
		if (g->width != strlen(g->end)) {
			*msgp = xstrdup("host range must specify equal-length begin and end formats");
			goto out;
		}
	}
	if (c2 != NULL && ia_int(c2 + 1, &g->step) < 0) {
		*msgp = xasprintf("invalid step in host range '%s'", line);
		goto out;
	}
	r = 0;
out:
	free(work);
	return r;
}

/* expand_hostname_range: each name of the first range is expanded again
 * for further ranges. */
static int ia_expand_into(const char *line, struct value *out, char **msgp, int depth)
{
	struct ia_rng g;
	const char *ib, *ie;
	char num[64];
	long b, e, x;
	int r;

	if (depth > 64) {
		*msgp = xasprintf("too many ranges in host pattern '%s'", line);
		return ERR_PARSE;
	}
	r = ia_split(line, &g, msgp);
	if (r < 0)
		goto out;
	/* An alphabetic range when both bounds are found in ascii_letters (as
	 * substrings: Ansible uses str.index). */
	ib = strstr(ia_letters, g.beg);
	ie = strstr(ia_letters, g.end);
	if (ib != NULL && ie != NULL && g.step != 0) {
		if (ib > ie) {
			*msgp = xstrdup("host range must have begin <= end");
			r = ERR_PARSE;
			goto out;
		}
		for (x = ib - ia_letters; g.step > 0 && x <= ie - ia_letters && r == 0; x += g.step) {
			char one[2] = {ia_letters[x], '\0'};

			r = ia_add_name(line, g.headlen, one, g.tail, out, msgp, depth);
		}
		goto out;
	}
	r = ERR_PARSE;
	if (ia_int(g.beg, &b) < 0 || ia_int(g.end, &e) < 0) {
		*msgp = xasprintf("invalid host range '%s'", line);
		goto out;
	}
	if (g.step == 0) {
		*msgp = xstrdup("range() arg 3 must not be zero");
		goto out;
	}
	r = 0;
	/* range(b, e + 1, step), zero-filled like str.zfill */
	for (x = b; (g.step > 0 ? x < e + 1 : x > e + 1) && r == 0; x += g.step) {
		if (g.width > 0 && x >= 0)
			snprintf(num, sizeof(num), "%0*ld", (int)g.width, x);
		else if (g.width > 0)
			snprintf(num, sizeof(num), "-%0*ld", (int)g.width - 1, -x);
		else
			snprintf(num, sizeof(num), "%ld", x);
		r = ia_add_name(line, g.headlen, num, g.tail, out, msgp, depth);
	}
out:
	free(g.text);
	return r;
}

int inv_addr_expand(const char *pattern, struct value **listp, char **msgp)
{
	struct value *out = value_list();
	int r;

	*listp = NULL;
	*msgp = NULL;
	if (strchr(pattern, '[') == NULL) {
		value_list_push(out, value_str(pattern));
		*listp = out;
		return 0;
	}
	r = ia_expand_into(pattern, out, msgp, 0);
	if (r < 0) {
		value_unref(out);
		return r;
	}
	*listp = out;
	return 0;
}

int inv_addr_hostpattern(const char *pattern, struct value **namesp, long *portp, char **msgp)
{
	char *host = NULL;
	long port = -1;
	int r;

	*namesp = NULL;
	*portp = -1;
	if (inv_addr_parse(pattern, 1, &host, &port) < 0) {
		host = xstrdup(pattern);
		port = -1;
	}
	r = inv_addr_expand(host, namesp, msgp);
	free(host);
	if (r == 0)
		*portp = port;
	return r;
}
