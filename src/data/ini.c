/* The INI reader: Python configparser's line rules over bytes, producing a
 * value tree with positions. See ini.h for the accepted syntax. */
#include "data/ini.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

#define INI_NONE SIZE_MAX
#define INI_MAX_PREFIXES 16

static const char *const ini_default_comments[] = {"#", ";", NULL};
static const char *const ini_no_prefixes[] = {NULL};
static const char *const ini_semicolon[] = {";", NULL};
static const char *const ini_semicolon_hash[] = {";", "#", NULL};

const struct ini_opts ini_opts_ansible = {
	.comment_prefixes = ini_default_comments,
	.inline_prefixes = ini_semicolon,
	.require_utf8 = 1,
};

const struct ini_opts ini_opts_supervisord = {
	.comment_prefixes = ini_default_comments,
	.inline_prefixes = ini_semicolon_hash,
	.lax = 1,
	.universal_newlines = 1,
};

struct ini_parser {
	const char *file; /* interned */
	const struct ini_opts *o;
	const char *const *comments;
	const char *const *inlines;
	const char *defsect;
	struct diag *d;
	unsigned line; /* 1-based number of the line being read */

	struct value *doc;   /* owned */
	struct value *sect;  /* borrowed from doc; NULL before the first header */
	const char *sectname; /* borrowed from doc's key */

	char *opt;           /* owned; key of the option being read, NULL when none */
	struct buf val;      /* its value so far, lines joined with "\n" */
	unsigned opt_line, opt_col;
	size_t indent;       /* characters of indentation of the option's line */

	/* configparser collects malformed lines and raises them at the end. */
	unsigned bad_line, bad_col;
	char *bad_msg; /* owned */
};

/* Returns the byte length of the Python whitespace character at p (str.isspace
 * over the UTF-8 form), or 0. */
static size_t ini_space_at(const char *s, const char *end)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = (size_t)(end - s);

	if (n == 0)
		return 0;
	if ((p[0] >= 0x09 && p[0] <= 0x0d) || (p[0] >= 0x1c && p[0] <= 0x20))
		return 1;
	if (n >= 2 && p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (n < 3)
		return 0;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80)
		return 3; /* U+1680 */
	if (p[0] == 0xe2 && p[1] == 0x80 &&
	    (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf) && p[2] >= 0x80)
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f)
		return 3; /* U+205F */
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

/* Whether the character that ends just before p (and after start) is
 * whitespace. Lead bytes never occur inside a sequence, so looking 1, 2 and
 * 3 bytes back is unambiguous. */
static int ini_space_before(const char *start, const char *p)
{
	size_t k;

	for (k = 1; k <= 3 && (size_t)(p - start) >= k; k++)
		if (ini_space_at(p - k, p) == k)
			return 1;
	return 0;
}

/* Returns the end of [s, e) without its trailing whitespace. Stepping over a
 * non-space byte at a time is safe: continuation bytes are never taken for
 * the start of a space. */
static const char *ini_rtrim(const char *s, const char *e)
{
	const char *last = s;
	size_t n;

	while (s < e) {
		if ((n = ini_space_at(s, e)) > 0) {
			s += n;
			continue;
		}
		last = ++s;
	}
	return last;
}

/* Narrows [*sp, *ep) as Python's str.strip(). */
static void ini_strip(const char **sp, const char **ep)
{
	const char *s = *sp;
	size_t n;

	while (s < *ep && (n = ini_space_at(s, *ep)) > 0)
		s += n;
	*sp = s;
	*ep = ini_rtrim(s, *ep);
}

/* Writes a short printable excerpt of [s, e) into out (for messages). */
static const char *ini_excerpt(const char *s, const char *e, char *out, size_t outsz)
{
	size_t i = 0;

	while (s < e && i + 4 < outsz) {
		unsigned char c = (unsigned char)*s++;

		out[i++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (s < e) {
		/* Never cut a UTF-8 sequence in two. */
		while (i > 0 && ((unsigned char)out[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)out[i - 1] >= 0xc0)
			i--;
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

/* Returns the 1-based column of p in the line that starts at ls. */
static unsigned ini_col(const char *ls, const char *p)
{
	return (unsigned)(p - ls) + 1;
}

/* Records a malformed line; only the first one is reported, at the end. */
static void ini_bad(struct ini_parser *x, unsigned col, const char *msg, const char *s, const char *e)
{
	char ex[80];

	if (x->bad_msg != NULL)
		return;
	x->bad_line = x->line;
	x->bad_col = col;
	x->bad_msg = xasprintf("%s: '%s'", msg, ini_excerpt(s, e, ex, sizeof(ex)));
}

/* Stores the option being read in the current section and forgets it. */
static void ini_finish_opt(struct ini_parser *x)
{
	struct value *v;

	if (x->opt == NULL)
		return;
	v = value_strn(buf_str(&x->val), (size_t)(ini_rtrim(buf_str(&x->val), buf_str(&x->val) + x->val.len) -
	                                          buf_str(&x->val)));
	value_at(v, x->file, x->opt_line, x->opt_col);
	value_map_set(x->sect, x->opt, v);
	free(x->opt);
	x->opt = NULL;
	buf_reset(&x->val);
}

/* Returns the index of the first inline comment in [ls, le), or INI_NONE.
 * configparser searches in rounds (the next occurrence of every prefix per
 * round) and stops at the first round that finds one after whitespace, taking
 * the smallest of that round: the same order is kept so the same text is cut. */
static size_t ini_inline_comment(const struct ini_parser *x, const char *ls, const char *le)
{
	size_t from[INI_MAX_PREFIXES], plen[INI_MAX_PREFIXES], cs = INI_NONE, len = (size_t)(le - ls);
	int live[INI_MAX_PREFIXES], any = 0;
	size_t i, n;

	for (n = 0; x->inlines[n] != NULL && n < INI_MAX_PREFIXES; n++) {
		plen[n] = strlen(x->inlines[n]);
		from[n] = 0;
		live[n] = plen[n] > 0;
		any |= live[n];
	}
	while (cs == INI_NONE && any) {
		any = 0;
		for (i = 0; i < n; i++) {
			const char *hit;

			if (!live[i])
				continue;
			hit = from[i] <= len ? memmem(ls + from[i], len - from[i], x->inlines[i], plen[i]) : NULL;
			if (hit == NULL) {
				live[i] = 0;
				continue;
			}
			any = 1;
			from[i] = (size_t)(hit - ls) + 1;
			if ((hit == ls || ini_space_before(ls, hit)) && (size_t)(hit - ls) < cs)
				cs = (size_t)(hit - ls);
		}
	}
	return cs;
}

static int ini_is_comment_line(const struct ini_parser *x, const char *s, const char *e)
{
	size_t i, n;

	ini_strip(&s, &e);
	for (i = 0; x->comments[i] != NULL; i++) {
		n = strlen(x->comments[i]);
		if ((size_t)(e - s) >= n && memcmp(s, x->comments[i], n) == 0)
			return 1;
	}
	return 0;
}

/* A "[name]" line: the name runs to the last "]" and is not empty. */
static int ini_header(const char *s, const char *e, const char **np, const char **nep)
{
	const char *close;

	if (e - s < 3 || *s != '[')
		return 0;
	close = e - 1;
	while (close > s && *close != ']')
		close--;
	if (close - s < 2)
		return 0;
	*np = s + 1;
	*nep = close;
	return 1;
}

static int ini_section(struct ini_parser *x, const char *ls, const char *s, const char *name, const char *nend)
{
	char *nm = xstrndup(name, (size_t)(nend - name));
	struct value *sect;
	long i;
	int r = ERR_INTERNAL;

	ini_finish_opt(x);
	i = value_map_find(x->doc, nm, strlen(nm));
	if (i >= 0) {
		sect = value_map_val_at(x->doc, (size_t)i);
		if (!x->o->lax && strcmp(nm, x->defsect) != 0) {
			diag_set(x->d, x->file, (int)x->line, (int)ini_col(ls, s),
			         "section '%s' already exists (first at line %u)", nm, (unsigned)sect->pos.line);
			r = ERR_PARSE;
			goto out;
		}
	} else {
		sect = value_at(value_map(), x->file, x->line, ini_col(ls, s));
		value_map_set_key(x->doc, value_at(value_str(nm), x->file, x->line, ini_col(ls, name)), sect);
		i = (long)value_len(x->doc) - 1;
	}
	x->sect = sect;
	x->sectname = value_cstr(value_map_key_at(x->doc, (size_t)i));
	r = 0;
out:
	free(nm);
	return r;
}

static int ini_option(struct ini_parser *x, const char *ls, const char *s, const char *e)
{
	const char *delim = s, *ke, *vs;
	struct value *prev;
	char *key;
	size_t i;
	int r = ERR_INTERNAL;

	while (delim < e && *delim != '=' && *delim != ':')
		delim++;
	if (delim == e) {
		ini_bad(x, ini_col(ls, s), "expected '[section]' or 'key = value'", s, e);
		return 0;
	}
	ini_finish_opt(x);
	ke = ini_rtrim(s, delim);
	vs = delim + 1;
	ini_strip(&vs, &e);
	if (ke == s)
		ini_bad(x, ini_col(ls, s), "empty key before the delimiter", s, e);
	key = xstrndup(s, (size_t)(ke - s));
	for (i = 0; key[i]; i++)
		if (key[i] >= 'A' && key[i] <= 'Z')
			key[i] = (char)(key[i] - 'A' + 'a');
	prev = value_map_getn(x->sect, key, strlen(key));
	if (prev != NULL && !x->o->lax) {
		diag_set(x->d, x->file, (int)x->line, (int)ini_col(ls, s),
		         "option '%s' in section '%s' already exists (first at line %u)", key, x->sectname,
		         (unsigned)prev->pos.line);
		free(key);
		r = ERR_PARSE;
		goto out;
	}
	/* Insert now so the key takes its place in file order. */
	value_map_set_key(x->sect, value_at(value_str(key), x->file, x->line, ini_col(ls, s)), value_str(""));
	if ((r = buf_put(&x->val, vs, (size_t)(e - vs))) != 0) {
		free(key);
		goto out;
	}
	x->opt = key;
	x->opt_line = x->line;
	x->opt_col = ini_col(ls, vs);
	r = 0;
out:
	return r;
}

/* Handles one line [ls, le) without its terminator. */
static int ini_line(struct ini_parser *x, const char *ls, const char *le)
{
	size_t cs = ini_inline_comment(x, ls, le), indent = 0, n;
	const char *s = ls, *e, *name, *nend, *p;
	int r;

	if (ini_is_comment_line(x, ls, le))
		cs = 0;
	e = cs == INI_NONE ? le : ls + cs;
	ini_strip(&s, &e);
	if (s == e) {
		/* A blank line belongs to a value being read; a comment line does not. */
		if (cs == INI_NONE && x->opt != NULL && x->opt[0] != '\0')
			return buf_putc(&x->val, '\n');
		return 0;
	}
	for (p = ls; p < le && (n = ini_space_at(p, le)) > 0; p += n)
		indent++;
	if (x->sect != NULL && x->opt != NULL && x->opt[0] != '\0' && indent > x->indent) {
		if ((r = buf_putc(&x->val, '\n')) != 0)
			return r;
		return buf_put(&x->val, s, (size_t)(e - s));
	}
	x->indent = indent;
	if (ini_header(s, e, &name, &nend))
		return ini_section(x, ls, s, name, nend);
	if (x->sect == NULL) {
		char ex[80];

		diag_set(x->d, x->file, (int)x->line, (int)ini_col(ls, s),
		         "'%s' comes before any [section] header", ini_excerpt(s, e, ex, sizeof(ex)));
		return ERR_PARSE;
	}
	return ini_option(x, ls, s, e);
}

/* Refuses NUL bytes and, when asked, bytes that are not strict UTF-8 (no
 * overlong forms, no surrogates, nothing above U+10FFFF), naming where. */
static int ini_check_bytes(const struct ini_parser *x, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len, *ls = p;
	unsigned line = 1;

	while (p < end) {
		unsigned c = *p;
		size_t n = 1;

		if (c == 0) {
			diag_set(x->d, x->file, (int)line, (int)(p - ls) + 1, "NUL byte in an INI file");
			return ERR_PARSE;
		}
		if (c == '\n' || (c == '\r' && x->o->universal_newlines && (p + 1 == end || p[1] != '\n'))) {
			line++;
			ls = ++p;
			continue;
		}
		if (c >= 0x80 && x->o->require_utf8) {
			unsigned lo = 0x80, hi = 0xbf;
			size_t i;

			if (c >= 0xc2 && c <= 0xdf)
				n = 2;
			else if (c >= 0xe0 && c <= 0xef) {
				n = 3;
				if (c == 0xe0)
					lo = 0xa0;
				else if (c == 0xed)
					hi = 0x9f;
			} else if (c >= 0xf0 && c <= 0xf4) {
				n = 4;
				if (c == 0xf0)
					lo = 0x90;
				else if (c == 0xf4)
					hi = 0x8f;
			} else {
				n = 0;
			}
			for (i = 1; n > 0 && i < n; i++) {
				if (p + i >= end || p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
					n = 0;
			}
			if (n == 0) {
				diag_set(x->d, x->file, (int)line, (int)(p - ls) + 1,
				         "the file is not valid UTF-8 (byte 0x%02x)", c);
				return ERR_PARSE;
			}
		}
		p += n;
	}
	return 0;
}

int ini_load(const char *text, size_t len, const char *file, const struct ini_opts *o, struct value **docp,
             struct diag *d)
{
	static const struct ini_opts defaults;
	struct ini_parser x;
	size_t max_size, max_line;
	const char *p, *end, *le, *next;
	int r = ERR_INTERNAL;

	*docp = NULL;
	memset(&x, 0, sizeof(x));
	x.o = o != NULL ? o : &defaults;
	x.file = value_intern(file);
	x.d = d;
	x.comments = x.o->comment_prefixes != NULL ? x.o->comment_prefixes : ini_default_comments;
	x.inlines = x.o->inline_prefixes != NULL ? x.o->inline_prefixes : ini_no_prefixes;
	x.defsect = x.o->default_section != NULL ? x.o->default_section : "DEFAULT";
	max_size = x.o->max_size ? x.o->max_size : INI_MAX_SIZE_DEFAULT;
	max_line = x.o->max_line ? x.o->max_line : INI_MAX_LINE_DEFAULT;
	buf_init(&x.val, max_size + 1);
	x.doc = value_map();
	if (text == NULL)
		text = "";
	if (len > max_size) {
		diag_set(d, file, 0, 0, "INI file of %zu bytes is larger than the %zu byte limit", len, max_size);
		r = ERR_TOOBIG;
		goto out;
	}
	if ((r = ini_check_bytes(&x, text, len)) != 0)
		goto out;
	for (p = text, end = text + len; p < end; p = next) {
		x.line++;
		le = p;
		while (le < end && *le != '\n' && !(*le == '\r' && x.o->universal_newlines))
			le++;
		next = le;
		if (next < end)
			next += *next == '\r' && next + 1 < end && next[1] == '\n' ? 2 : 1;
		if ((size_t)(le - p) > max_line) {
			diag_set(d, file, (int)x.line, 0, "line of %zu bytes is longer than the %zu byte limit",
			         (size_t)(le - p), max_line);
			r = ERR_TOOBIG;
			goto out;
		}
		if ((r = ini_line(&x, p, le)) != 0) {
			if (r == ERR_TOOBIG)
				diag_set(d, file, (int)x.line, 0, "value larger than the %zu byte limit", max_size);
			goto out;
		}
	}
	ini_finish_opt(&x);
	if (x.bad_msg != NULL) {
		diag_set(d, file, (int)x.bad_line, (int)x.bad_col, "%s", x.bad_msg);
		r = ERR_PARSE;
		goto out;
	}
	*docp = x.doc;
	x.doc = NULL;
	r = 0;
out:
	free(x.opt);
	free(x.bad_msg);
	buf_fini(&x.val);
	value_unref(x.doc);
	return r;
}

int ini_load_file(const char *path, const struct ini_opts *o, struct value **docp, struct diag *d)
{
	size_t max = o != NULL && o->max_size ? o->max_size : INI_MAX_SIZE_DEFAULT;
	struct buf b;
	int r = ERR_INTERNAL;

	*docp = NULL;
	/* One byte over the cap lets ini_load name the file as too big. */
	buf_init(&b, max + 1);
	if ((r = file_read(path, &b)) != 0) {
		if (r == ERR_TOOBIG)
			diag_set(d, path, 0, 0, "INI file is larger than the %zu byte limit", max);
		else
			diag_set(d, path, 0, 0, "cannot read: %s", err_str(r));
		goto out;
	}
	r = ini_load(buf_str(&b), b.len, path, o, docp, d);
out:
	buf_fini(&b);
	return r;
}

const struct value *ini_get(const struct value *doc, const char *section, const char *key,
                            const char *default_section)
{
	const struct value *sect, *defs, *v;

	if (doc == NULL || doc->type != VALUE_MAP)
		return NULL;
	if (default_section == NULL)
		default_section = "DEFAULT";
	defs = *default_section ? value_map_get(doc, default_section) : NULL;
	sect = value_map_get(doc, section);
	if (sect == NULL && (defs == NULL || strcmp(section, default_section) != 0))
		return NULL;
	if (sect != NULL && (v = value_map_get(sect, key)) != NULL)
		return v;
	return defs != NULL ? value_map_get(defs, key) : NULL;
}
