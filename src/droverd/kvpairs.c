/* environment= parsing: Python's legacy shlex tokeniser (states "between
 * tokens", "in a word", "in a quote") followed by supervisord's walk over
 * the tokens in steps of four (key, "=", value, separator). */
#include "droverd/kvpairs.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"

#define KVPAIRS_MAX ((size_t)64 << 10)

void kvlist_init(struct kvlist *l)
{
	memset(l, 0, sizeof(*l));
}

void kvlist_fini(struct kvlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->keys[i]);
		free(l->vals[i]);
	}
	free(l->keys);
	free(l->vals);
	kvlist_init(l);
}

static long kvlist_find(const struct kvlist *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->keys[i], key) == 0)
			return (long)i;
	return -1;
}

void kvlist_set(struct kvlist *l, const char *key, const char *val)
{
	long i = kvlist_find(l, key);

	if (i >= 0) {
		free(l->vals[i]);
		l->vals[i] = xstrdup(val);
		return;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->keys = xreallocarray(l->keys, l->cap, sizeof(*l->keys));
		l->vals = xreallocarray(l->vals, l->cap, sizeof(*l->vals));
	}
	l->keys[l->n] = xstrdup(key);
	l->vals[l->n] = xstrdup(val);
	l->n++;
}

const char *kvlist_get(const struct kvlist *l, const char *key)
{
	long i = kvlist_find(l, key);

	return i >= 0 ? l->vals[i] : NULL;
}

void kvlist_update(struct kvlist *dst, const struct kvlist *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		kvlist_set(dst, src->keys[i], src->vals[i]);
}

int kvlist_equal(const struct kvlist *a, const struct kvlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->keys[i], b->keys[i]) != 0 || strcmp(a->vals[i], b->vals[i]) != 0)
			return 0;
	return 1;
}

static int kvpairs_is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       (c != '\0' && strchr("/.+-():", c) != NULL);
}

static int kvpairs_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Byte length of the character at p: Python reads code points, so a
 * multi-byte UTF-8 sequence is one "other" character. */
static size_t kvpairs_char_len(const char *p, const char *end)
{
	unsigned char c = (unsigned char)*p;
	size_t n = c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, i;

	for (i = 1; i < n; i++)
		if (p + i >= end || ((unsigned char)p[i] & 0xc0) != 0x80)
			return 1;
	return n;
}

/* Skips to just after the next newline, as shlex's instream.readline(). */
static const char *kvpairs_skip_line(const char *p, const char *end)
{
	while (p < end && *p != '\n')
		p++;
	return p < end ? p + 1 : p;
}

/* Splits s into tokens (a list of heap strings). Returns 0 or ERR_PARSE. */
static int kvpairs_tokens(const char *s, char ***toksp, size_t *np)
{
	const char *p = s, *end = s + strlen(s);
	char **toks = NULL;
	size_t n = 0, cl;
	int state = ' ';
	struct buf tok;

	buf_init(&tok, KVPAIRS_MAX + 1);
	for (;;) {
		if (state == ' ') {
			if (p >= end)
				break;
			if (kvpairs_is_space((unsigned char)*p)) {
				p++;
				continue;
			}
			if (*p == '#') {
				p = kvpairs_skip_line(p + 1, end);
				continue;
			}
			if (kvpairs_is_word((unsigned char)*p)) {
				buf_putc(&tok, *p++);
				state = 'a';
				continue;
			}
			if (*p == '\'' || *p == '"') {
				state = *p;
				buf_putc(&tok, *p++);
				continue;
			}
			cl = kvpairs_char_len(p, end);
			buf_put(&tok, p, cl);
			p += cl;
		} else if (state == 'a') {
			if (p < end && *p == '#') {
				/* Legacy mode drops the rest of the line and goes on
				 * with the same word. */
				p = kvpairs_skip_line(p + 1, end);
				continue;
			}
			if (p < end && (kvpairs_is_word((unsigned char)*p) || *p == '\'' || *p == '"')) {
				buf_putc(&tok, *p++);
				continue;
			}
			/* End of input, a blank, or another character that is then
			 * a token of its own. */
			state = ' ';
		} else {
			if (p >= end) {
				buf_fini(&tok);
				while (n > 0)
					free(toks[--n]);
				free(toks);
				return ERR_PARSE;
			}
			buf_putc(&tok, *p);
			if (*p++ != state)
				continue;
			state = ' ';
		}
		toks = xreallocarray(toks, n + 1, sizeof(*toks));
		toks[n++] = buf_take(&tok, NULL);
	}
	buf_fini(&tok);
	*toksp = toks;
	*np = n;
	return 0;
}

static char *kvpairs_strip_quotes(const char *v)
{
	size_t n = strlen(v);

	while (*v == '\'' || *v == '"') {
		v++;
		n--;
	}
	while (n > 0 && (v[n - 1] == '\'' || v[n - 1] == '"'))
		n--;
	return xstrndup(v, n);
}

int kvpairs_parse(const char *s, struct kvlist *out, char **errp)
{
	char **toks = NULL, *val;
	size_t n = 0, i;
	int r = ERR_INTERNAL;

	*errp = NULL;
	if (strlen(s) > KVPAIRS_MAX) {
		*errp = xasprintf("environment value longer than %zu bytes", KVPAIRS_MAX);
		return ERR_TOOBIG;
	}
	if (kvpairs_tokens(s, &toks, &n) != 0) {
		*errp = xstrdup("No closing quotation");
		r = ERR_PARSE;
		goto out;
	}
	for (i = 0; i < n; i += 4) {
		if (i + 3 > n || strcmp(toks[i + 1], "=") != 0) {
			*errp = xasprintf("Unexpected end of key/value pairs in value '%s'", s);
			r = ERR_PARSE;
			goto out;
		}
		val = kvpairs_strip_quotes(toks[i + 2]);
		kvlist_set(out, toks[i], val);
		free(val);
	}
	r = 0;
out:
	for (i = 0; i < n; i++)
		free(toks[i]);
	free(toks);
	return r;
}
