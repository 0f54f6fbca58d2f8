/* The text parsers of the system modules (sysparse.h), apart from
 * anything that reads files or runs commands, so they can be fuzzed. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "modules/sysparse.h"

char *sysparse_strip(const char *s, size_t n)
{
	while (n > 0 && strchr(" \t\n\r\v\f", s[0]) != NULL)
		s++, n--;
	while (n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
		n--;
	return xstrndup(s, n);
}

/* str.split(): the whitespace-separated words of line (at most max). */
size_t sysparse_split(const char *line, char **words, size_t max)
{
	size_t n = 0, len;

	for (;;) {
		line += strspn(line, " \t\n\r\v\f");
		if (*line == '\0')
			return n;
		len = strcspn(line, " \t\n\r\v\f");
		if (n < max)
			words[n] = xstrndup(line, len);
		n++;
		line += len;
	}
}

void sysparse_free_words(char **words, size_t n, size_t max)
{
	size_t i;

	for (i = 0; i < n && i < max; i++)
		free(words[i]);
}

/* s ends, after white space, with c. */
static int sysparse_ends(const char *s, char c)
{
	size_t n = strlen(s);

	while (n > 0 && strchr(" \t\r\n\v\f", s[n - 1]) != NULL)
		n--;
	return n > 0 && s[n - 1] == c;
}

struct value *sysparse_show(const char *text)
{
	struct value *parsed = value_map();
	const char *line, *nl, *eq;
	struct buf multi;
	char *k = NULL, *l, *v;
	size_t n = 0;

	buf_init(&multi, 0);
	for (line = text; line != NULL && n++ < SYSPARSE_MAX_LINES; line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		l = xstrndup(line, nl != NULL ? (size_t)(nl - line) : strlen(line));
		if (k == NULL && (eq = strchr(l, '=')) != NULL) {
			k = xstrndup(l, (size_t)(eq - l));
			if (strncmp(k, "Exec", 4) == 0 && eq[1 + strspn(eq + 1, " \t\r\n\v\f")] == '{' &&
			    !sysparse_ends(eq + 1, '}')) {
				buf_reset(&multi);
				buf_puts(&multi, eq + 1);
			} else {
				v = sysparse_strip(eq + 1, strlen(eq + 1));
				value_map_set(parsed, k, value_str_take(v, strlen(v)));
				free(k);
				k = NULL;
			}
		} else if (k != NULL) {
			buf_printf(&multi, "\n%s", l);
			if (sysparse_ends(l, '}')) {
				v = sysparse_strip(buf_ptr(&multi), buf_avail(&multi));
				value_map_set(parsed, k, value_str_take(v, strlen(v)));
				free(k);
				k = NULL;
			}
		}
		free(l);
	}
	free(k);
	buf_fini(&multi);
	return parsed;
}

struct sysparse_mount {
	long id, parent;
	char *root, *dst, *src;
};

static long sysparse_info_find(const struct sysparse_mount *mi, size_t n, long id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mi[i].id == id)
			return (long)i;
	return -1;
}

struct value *sysparse_mountinfo(const char *mountinfo)
{
	struct sysparse_mount *mi = NULL;
	struct value *mounts;
	struct buf text;
	char *w[64], *line, *nl, *src;
	size_t n = 0, i, nw, rl;
	long p;

	buf_init(&text, 0);
	buf_puts(&text, mountinfo);
	for (line = (char *)buf_str(&text); *line != '\0' && n < SYSPARSE_MAX_LINES / 10; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		else
			nl = line + strlen(line);
		if ((nw = sysparse_split(line, w, 64)) >= 7 && nw <= 64) {
			mi = xreallocarray(mi, n + 1, sizeof(*mi));
			mi[n] = (struct sysparse_mount){strtol(w[0], NULL, 10), strtol(w[1], NULL, 10), xstrdup(w[3]),
			                            xstrdup(w[4]), xstrdup(w[nw - 2])};
			n++;
		}
		sysparse_free_words(w, nw, 64);
	}
	mounts = value_map();
	for (i = 0; i < n; i++) {
		if (mi[i].parent != 1 && (p = sysparse_info_find(mi, n, mi[i].parent)) >= 0) {
			rl = strlen(mi[p].root);
			if (rl > 1 && strncmp(mi[i].root, mi[p].root, rl) == 0 && mi[i].root[rl] == '/')
				memmove(mi[i].root, mi[i].root + rl, strlen(mi[i].root + rl) + 1);
			if (strcmp(mi[p].dst, "/") != 0) {
				src = xasprintf("%s%s", mi[p].dst, mi[i].root);
				free(mi[i].root);
				mi[i].root = src;
			}
			value_map_set(mounts, mi[i].dst, value_str(mi[i].root));
		} else {
			value_map_set(mounts, mi[i].dst, value_str(mi[i].src));
		}
	}
	for (i = 0; i < n; i++) {
		free(mi[i].root);
		free(mi[i].dst);
		free(mi[i].src);
	}
	free(mi);
	buf_fini(&text);
	return mounts;
}

/* A line that holds a key: not blank, not a comment, with an '='. The key
 * and value are stripped into *kp and *vp (heap). */
static int sysparse_sysctl_split(const char *line, char **kp, char **vp)
{
	const char *eq;

	*kp = *vp = NULL;
	if (line[0] == '\0' || line[0] == '#' || line[0] == ';' || (eq = strchr(line, '=')) == NULL)
		return 0;
	*kp = sysparse_strip(line, (size_t)(eq - line));
	*vp = sysparse_strip(eq + 1, strlen(eq + 1));
	return 1;
}

void sysparse_sysctl(const char *in, const char *name, const char *value, struct buf *text, char **oldvp)
{
	struct value *seen = value_map();
	const char *p, *nl;
	char *line, *k, *v;
	size_t nlines = 0;

	*oldvp = NULL;
	for (p = in; *p != '\0' && nlines++ < SYSPARSE_MAX_LINES; p = nl != NULL ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		line = sysparse_strip(p, nl != NULL ? (size_t)(nl - p + 1) : strlen(p));
		if (!sysparse_sysctl_split(line, &k, &v)) {
			buf_printf(text, "%s\n", line);
		} else {
			if (strcmp(k, name) == 0) {
				free(*oldvp);
				*oldvp = xstrdup(v);
			}
			if (value_map_get(seen, k) == NULL) {
				value_map_set(seen, k, value_bool(1));
				if (strcmp(k, name) != 0)
					buf_printf(text, "%s=%s\n", k, v);
				else if (value != NULL)
					buf_printf(text, "%s=%s\n", k, value);
			}
		}
		free(k);
		free(v);
		free(line);
	}
	if (value_map_get(seen, name) == NULL && value != NULL)
		buf_printf(text, "%s=%s\n", name, value);
	value_unref(seen);
}
