/* Ansible's argument-string grammar (split_args, parse_kv, join_args of
 * ansible-core 2.14) over bytes. Only ASCII bytes steer the parse, so working
 * on UTF-8 bytes gives what Python gets working on code points. */
#include "playbook/kv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/value.h"

struct kv_split {
	const char *args;
	size_t len;
	struct diag *d;
	struct value *list;         /* owned; finished words */
	struct buf cur;             /* the last word, which may still grow */
	int have_cur;
	uint32_t cur_line, cur_col; /* where cur starts */
	uint32_t line;              /* of the byte at line_start */
	size_t line_start;
	char quote;                 /* open quote, or 0 */
	long depth[3];              /* open {{, {% and {# blocks */
	size_t open_at[4];          /* offsets where each depth, then the quote, opened */
};

/* Jinja2 delimiter pairs, each counted on its own as Ansible does. */
static const char kv_pairs[3][4] = {{'{', '{', '}', '}'}, {'{', '%', '%', '}'}, {'{', '#', '#', '}'}};

/* The options command and shell take beside their free-form command. */
static const char *const kv_cmd_opts[] = {"creates", "removes", "chdir", "executable", "warn",
                                          "stdin", "stdin_add_newline", "strip_empty_ends"};

static void kv_pos(const char *s, size_t off, uint32_t line, uint32_t col, uint32_t *linep,
                   uint32_t *colp)
{
	size_t i;

	for (i = 0; i < off; i++, col++) {
		if (s[i] == '\n') {
			line++;
			col = 0;
		}
	}
	*linep = line;
	*colp = col;
}

static void kv_flush(struct kv_split *s)
{
	size_t n;
	char *p;

	if (!s->have_cur)
		return;
	p = buf_take(&s->cur, &n);
	value_list_push(s->list, value_at(value_str_take(p, n), NULL, s->cur_line, s->cur_col));
	s->have_cur = 0;
}

static int kv_push(struct kv_split *s, size_t ts, size_t te)
{
	kv_flush(s);
	s->have_cur = 1;
	s->cur_line = s->line;
	s->cur_col = (uint32_t)(ts - s->line_start + 1);
	return buf_put(&s->cur, s->args + ts, te - ts);
}

/* Extends the last word; Ansible fails with an IndexError when there is none
 * yet, and so do we, blaming the byte at off. */
static int kv_add(struct kv_split *s, const char *p, size_t n, size_t off)
{
	uint32_t line, col;

	if (s->have_cur)
		return buf_put(&s->cur, p, n);
	kv_pos(s->args, off, 1, 1, &line, &col);
	diag_set(s->d, NULL, (int)line, (int)col, "Unable to parse argument string");
	return ERR_PARSE;
}

/* A quote right after a backslash in the same word does not count, even if
 * that backslash is itself escaped: Ansible looks one byte back only. */
static char kv_quote_state(const char *t, size_t n, char q, size_t base, size_t *openp)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((t[i] != '"' && t[i] != '\'') || (i > 0 && t[i - 1] == '\\'))
			continue;
		if (q == 0) {
			q = t[i];
			*openp = base + i;
		} else if (t[i] == q) {
			q = 0;
		}
	}
	return q;
}

/* Counts non-overlapping occurrences of the pair ab, as Python's str.count. */
static long kv_count(const char *t, size_t n, char a, char b)
{
	size_t i;
	long c = 0;

	for (i = 0; i + 1 < n; i++) {
		if (t[i] == a && t[i + 1] == b) {
			c++;
			i++;
		}
	}
	return c;
}

static long kv_depth(const char *t, size_t n, long depth, const char *pair)
{
	depth += kv_count(t, n, pair[0], pair[1]) - kv_count(t, n, pair[2], pair[3]);
	return depth < 0 ? 0 : depth;
}

/* One space-separated piece of a line (not an empty one, not a continuation):
 * it starts a word or extends the last, by the same rules and in the same
 * order as Ansible, whose quirks (such as doubled newlines) are kept. */
static int kv_word(struct kv_split *s, size_t ts, size_t te, size_t idx, int many)
{
	const char *t = s->args + ts;
	size_t tl = te - ts;
	long *depth = s->depth, prev;
	int was = s->quote != 0, inq, appended = 0, k, r = 0;

	s->quote = kv_quote_state(t, tl, s->quote, ts, &s->open_at[3]);
	inq = s->quote != 0;
	if (inq && !was && !(depth[0] || depth[1] || depth[2])) {
		r = kv_push(s, ts, te);
		appended = 1;
	} else if (depth[0] || depth[1] || depth[2] || inq || was) {
		/* The pieces were split on a space or a newline; put back that one. */
		if (idx > 0 && many)
			r = kv_add(s, " ", 1, ts - 1);
		else if (!(idx == 0 && was) && !many)
			r = kv_add(s, "\n", 1, ts);
		if (r == 0)
			r = kv_add(s, t, tl, ts);
		appended = 1;
	}
	for (k = 0; k < 3 && r == 0; k++) {
		prev = depth[k];
		depth[k] = kv_depth(t, tl, depth[k], kv_pairs[k]);
		if (prev == 0 && depth[k] > 0)
			s->open_at[k] = ts;
		if (depth[k] != prev && !appended) {
			r = kv_push(s, ts, te);
			appended = 1;
		}
	}
	if (r == 0 && !(depth[0] || depth[1] || depth[2]) && !inq && !appended && tl != 0)
		r = kv_push(s, ts, te);
	return r;
}

static int kv_split_run(struct kv_split *s)
{
	const char *a = s->args, *nl, *sp;
	size_t is = 0, ie, ts, te, idx, first;
	int many, cont, k, r = 0;
	uint32_t line, col;

	for (s->line = 1;; s->line++) {
		nl = memchr(a + is, '\n', s->len - is);
		ie = nl ? (size_t)(nl - a) : s->len;
		many = memchr(a + is, ' ', ie - is) != NULL;
		cont = 0;
		for (ts = is, idx = 0; ts <= ie; ts = te + 1, idx++) {
			sp = memchr(a + ts, ' ', ie - ts);
			te = sp ? (size_t)(sp - a) : ie;
			if (te == ts && idx != 0)
				r = kv_add(s, " ", 1, ts - 1);
			else if (te - ts == 1 && a[ts] == '\\' && s->quote == 0)
				cont = 1;
			else
				r = kv_word(s, ts, te, idx, many);
			if (r != 0)
				return r;
		}
		if (nl == NULL)
			break;
		if (!cont && (r = kv_add(s, "\n", 1, ie)) != 0)
			return r;
		s->line_start = is = ie + 1;
	}
	first = s->len;
	for (k = 0; k < 4; k++)
		if ((k < 3 ? s->depth[k] != 0 : s->quote != 0) && s->open_at[k] < first)
			first = s->open_at[k];
	if (first < s->len) {
		kv_pos(a, first, 1, 1, &line, &col);
		diag_set(s->d, NULL, (int)line, (int)col,
		         "failed at splitting arguments, either an unbalanced jinja2 block or quotes: %.*s",
		         (int)s->len, a);
		return ERR_PARSE;
	}
	kv_flush(s);
	return 0;
}

int kv_split(const char *args, size_t len, struct value **listp, struct diag *d)
{
	struct kv_split s;
	int r = ERR_INTERNAL;

	*listp = NULL;
	memset(&s, 0, sizeof(s));
	/* A newline inside a jinja2 block comes out twice, as in Ansible. */
	buf_init(&s.cur, 2 * KV_MAX_ARGS + 1);
	if (len > KV_MAX_ARGS) {
		diag_set(d, NULL, 0, 0, "argument string too long (%zu bytes, at most %zu)", len,
		         KV_MAX_ARGS);
		r = ERR_TOOBIG;
		goto out;
	}
	s.args = args ? args : "";
	s.len = len;
	s.d = d;
	s.list = value_list();
	if ((r = kv_split_run(&s)) != 0)
		goto out;
	*listp = s.list;
	s.list = NULL;
	r = 0;
out:
	value_unref(s.list);
	buf_fini(&s.cur);
	return r;
}

static int kv_join_buf(const struct value *list, struct buf *b)
{
	const struct value *it;
	size_t i;
	int r;

	if (list == NULL || list->type != VALUE_LIST)
		return ERR_INVAL;
	for (i = 0; i < value_len(list); i++) {
		it = value_list_at(list, i);
		if (it->type != VALUE_STR)
			return ERR_INVAL;
		if (b->len > 0 && b->data[b->len - 1] != '\n' && (r = buf_putc(b, ' ')) != 0)
			return r;
		if ((r = buf_put(b, it->u.s.ptr, it->u.s.len)) != 0)
			return r;
	}
	return 0;
}

char *kv_join(const struct value *list)
{
	struct buf b;

	buf_init(&b, 0);
	if (kv_join_buf(list, &b) != 0) {
		buf_fini(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}

/* The one-letter escapes and what they stand for. */
static const char kv_single[] = "\\'\"abfnrtv", kv_single_to[] = "\\'\"\a\b\f\n\r\t\v";

static int kv_hex(const char *s, size_t avail, size_t n, uint32_t *cpp)
{
	static const char digits[] = "0123456789abcdefABCDEF";
	const char *p;
	size_t i;

	*cpp = 0;
	for (i = 0; i < n; i++) {
		if (i >= avail || s[i] == '\0' || (p = strchr(digits, s[i])) == NULL)
			return 0;
		*cpp = *cpp << 4 | (uint32_t)(p - digits < 16 ? p - digits : p - digits - 6);
	}
	return 1;
}

/* Surrogates get their three-byte form, as Python keeps them in a str. */
static size_t kv_utf8(char *o, uint32_t cp)
{
	static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		o[i] = (char)(0x80 | (cp & 0x3f));
	o[0] = (char)(lead[n] | cp);
	return n;
}

/* Decodes the escapes of word w into a new string *xp of *xlenp bytes (never
 * longer than w: every escape is at least as long as its UTF-8). A \N{NAME}
 * is kept as written and its offset + 1 left in *namedp, for the caller to
 * refuse only if the decoded text is used, as a name is legal to Ansible. */
static int kv_decode(const struct value *w, char **xp, size_t *xlenp, size_t *namedp,
                     struct diag *d)
{
	const char *s = w->u.s.ptr, *e;
	size_t n = w->u.s.len, i = 0, m = 0, k;
	uint32_t cp, line, col;
	char *o = xmalloc(n + 1);
	char c;

	*namedp = 0;
	while (i < n) {
		c = i + 1 < n && s[i] == '\\' ? s[i + 1] : 0;
		k = c == 'U' ? 8 : c == 'u' ? 4 : c == 'x' ? 2 : 0;
		if (k != 0 && kv_hex(s + i + 2, n - i - 2, k, &cp)) {
			if (cp > 0x10ffff) {
				kv_pos(s, i, w->pos.line, w->pos.col, &line, &col);
				diag_set(d, NULL, (int)line, (int)col,
				         "cannot decode escape %.10s: illegal Unicode character", s + i);
				free(o);
				return ERR_PARSE;
			}
			m += kv_utf8(o + m, cp);
			i += k + 2;
		} else if (c == 'N' && i + 3 < n && s[i + 2] == '{' && s[i + 3] != '}' &&
		           (e = memchr(s + i + 3, '}', n - i - 3)) != NULL) {
			if (*namedp == 0)
				*namedp = i + 1;
			memcpy(o + m, s + i, (size_t)(e - s) + 1 - i);
			m += (size_t)(e - s) + 1 - i;
			i = (size_t)(e - s) + 1;
		} else if (c != 0 && (e = strchr(kv_single, c)) != NULL) {
			o[m++] = kv_single_to[e - kv_single];
			i += 2;
		} else {
			o[m++] = s[i++];
		}
	}
	o[m] = '\0';
	*xp = o;
	*xlenp = m;
	return 0;
}

/* Length of the Python whitespace character (str.isspace) starting at s, or 0. */
static size_t kv_space(const unsigned char *s, size_t n)
{
	if (n >= 1 && ((s[0] >= 0x09 && s[0] <= 0x0d) || (s[0] >= 0x1c && s[0] <= 0x20)))
		return 1;
	if (n >= 2 && s[0] == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe2 && s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 || s[2] == 0xa9 || s[2] == 0xaf)) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0x9f) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80))
		return 3;
	return 0;
}

static struct value *kv_strip(const char *s, size_t n, int unquote, const struct value *at)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k, w;

	while (n > 0 && (w = kv_space(u, n)) != 0) {
		u += w;
		n -= w;
	}
	for (k = 1; k <= 3 && k <= n;) {
		if (kv_space(u + n - k, k) == k) {
			n -= k;
			k = 1;
		} else {
			k++;
		}
	}
	if (unquote && n > 1 && u[0] == u[n - 1] && (u[0] == '"' || u[0] == '\'') && u[n - 2] != '\\') {
		u++;
		n -= 2;
	}
	return value_pos_from(value_strn((const char *)u, n), at);
}

static int kv_is_cmd_opt(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(kv_cmd_opts) / sizeof(kv_cmd_opts[0]); i++)
		if (strlen(kv_cmd_opts[i]) == n && memcmp(kv_cmd_opts[i], k, n) == 0)
			return 1;
	return 0;
}

static int kv_named(const struct value *w, size_t named, struct diag *d)
{
	uint32_t line, col;

	kv_pos(w->u.s.ptr, named - 1, w->pos.line, w->pos.col, &line, &col);
	diag_set(d, NULL, (int)line, (int)col,
	         "cannot decode escape \\N{...}: Unicode character names are not supported");
	return ERR_PARSE;
}

int kv_parse(const char *args, size_t len, int check_raw, struct value **mapp, struct diag *d)
{
	struct value *words = NULL, *map = NULL, *raw = NULL, *w;
	struct buf b;
	size_t i, j, m, xl, pos, named;
	char *x = NULL;
	int r = ERR_INTERNAL;

	*mapp = NULL;
	buf_init(&b, 0);
	if ((r = kv_split(args, len, &words, d)) != 0)
		goto out;
	map = value_map();
	raw = value_list();
	for (i = 0; i < value_len(words); i++) {
		w = value_list_at(words, i);
		free(x);
		if ((r = kv_decode(w, &x, &xl, &named, d)) != 0) {
			x = NULL;
			goto out;
		}
		if (memchr(x, '=', xl) == NULL) {
			value_list_push(raw, value_ref(w));
			continue;
		}
		for (pos = 1; pos < xl; pos++)
			if (x[pos] == '=' && x[pos - 1] != '\\')
				break;
		if (pos < xl && check_raw && !kv_is_cmd_opt(x, pos)) {
			value_list_push(raw, value_ref(w));
			continue;
		}
		if (named != 0) {
			r = kv_named(w, named, d);
			goto out;
		}
		if (pos == xl) {
			for (j = m = 0; j < xl; j++)
				if (!(x[j] == '\\' && j + 1 < xl && x[j + 1] == '='))
					x[m++] = x[j];
			value_list_push(raw, value_pos_from(value_strn(x, m), w));
			continue;
		}
		value_map_set_key(map, kv_strip(x, pos, 0, w), kv_strip(x + pos + 1, xl - pos - 1, 1, w));
	}
	if (value_len(raw) > 0) {
		if ((r = kv_join_buf(raw, &b)) != 0)
			goto out;
		xl = b.len;
		w = value_pos_from(value_str_take(buf_take(&b, NULL), xl), value_list_at(raw, 0));
		value_map_set(map, "_raw_params", w);
	}
	*mapp = map;
	map = NULL;
	r = 0;
out:
	free(x);
	buf_fini(&b);
	value_unref(raw);
	value_unref(map);
	value_unref(words);
	return r;
}
