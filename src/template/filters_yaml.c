/* Ansible's to_yaml and to_nice_yaml: yaml.dump with Ansible's dumper, as
 * PyYAML writes it, byte for byte. The emitter below follows PyYAML's
 * Emitter for the documents a value tree gives (no anchors, tags or block
 * scalars): its indentation rules (indentless sequences in mappings), its
 * choice of scalar style (plain when the resolver would read the text back
 * as a string and the context allows it, else single quoted, else double
 * quoted), its line folding at the width (80 columns, counted in
 * characters), flow style for collections of scalars when
 * default_flow_style is None (to_yaml) and sorted mapping keys; Ansible
 * dumps through libyaml (CSafeDumper), whose double-quoted folding and
 * document end this follows where they differ from PyYAML's. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"

struct fy {
	struct buf *out;
	int indent, *indents; /* indent -1 is None */
	size_t nindents;
	int flow_level, column, whitespace, indention, open_ended;
	int root_ctx, seq_ctx, map_ctx, simple_key_ctx;
	int best_indent, best_width, flow_style; /* flow_style: -1 None, 0, 1 */
	int sort_keys, err;
	unsigned depth;
};

static void fy_put(struct fy *e, const char *s, size_t n, int cols)
{
	if (buf_put(e->out, s, n) != 0)
		e->err = ERR_TOOBIG;
	e->column += cols;
}

static int fy_chars(const char *s, size_t n)
{
	int c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static void fy_push_indent(struct fy *e, int flow, int indentless)
{
	e->indents = realloc(e->indents, (e->nindents + 1) * sizeof(int));
	if (e->indents == NULL)
		abort();
	e->indents[e->nindents++] = e->indent;
	if (e->indent < 0)
		e->indent = flow ? e->best_indent : 0;
	else if (!indentless)
		e->indent += e->best_indent;
}

static void fy_pop_indent(struct fy *e)
{
	e->indent = e->indents[--e->nindents];
}

static void fy_indicator(struct fy *e, const char *ind, int need_ws, int ws, int indention)
{
	if (!e->whitespace && need_ws)
		fy_put(e, " ", 1, 1);
	fy_put(e, ind, strlen(ind), (int)strlen(ind));
	e->whitespace = ws;
	e->indention = e->indention && indention;
	e->open_ended = 0;
}

static void fy_line_break(struct fy *e)
{
	fy_put(e, "\n", 1, 0);
	e->whitespace = 1;
	e->indention = 1;
	e->column = 0;
}

static void fy_write_indent(struct fy *e)
{
	int indent = e->indent < 0 ? 0 : e->indent;

	if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace))
		fy_line_break(e);
	if (e->column < indent) {
		e->whitespace = 1;
		while (e->column < indent)
			fy_put(e, " ", 1, 1);
	}
}

/* ---- scalars ---- */

/* The code point at s[*i] (advancing *i); an invalid byte stands for
 * itself. */
static unsigned long fy_cp(const char *s, size_t n, size_t *i)
{
	const unsigned char *u = (const unsigned char *)s + *i;
	unsigned long c = u[0];
	size_t k = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0, j;

	if (k <= 1 || *i + k > n) {
		*i += 1;
		return c;
	}
	c &= 0x7f >> k;
	for (j = 1; j < k; j++) {
		if ((u[j] & 0xc0) != 0x80) {
			*i += 1;
			return u[0];
		}
		c = c << 6 | (u[j] & 0x3f);
	}
	*i += k;
	return c;
}

static int fy_is_break(unsigned long c)
{
	return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static int fy_is_ws(unsigned long c)
{
	return c == 0 || c == ' ' || c == '\t' || c == '\r' || fy_is_break(c);
}

struct fy_an {
	int empty, multiline, flow_plain, block_plain, single;
};

static void fy_analyze(const char *s, size_t n, struct fy_an *a)
{
	int block_ind = 0, flow_ind = 0, breaks = 0, special = 0;
	int lead_sp = 0, lead_br = 0, trail_sp = 0, trail_br = 0, br_sp = 0, sp_br = 0;
	int prev_sp = 0, prev_br = 0, preceded = 1, followed;
	size_t i = 0, idx = 0, total = 0, j;
	unsigned long *cps, c;

	memset(a, 0, sizeof(*a));
	if (n == 0) {
		a->empty = 1;
		a->block_plain = a->single = 1;
		return;
	}
	cps = malloc((n + 1) * sizeof(*cps));
	if (cps == NULL)
		abort();
	while (i < n)
		cps[total++] = fy_cp(s, n, &i);
	if ((n >= 3 && memcmp(s, "---", 3) == 0) || (n >= 3 && memcmp(s, "...", 3) == 0))
		block_ind = flow_ind = 1;
	followed = total == 1 || fy_is_ws(cps[1]);
	for (idx = 0; idx < total; idx++) {
		c = cps[idx];
		if (idx == 0) {
			if (c < 0x80 && strchr("#,[]{}&*!|>'\"%@`", (int)c) != NULL && c != 0)
				flow_ind = block_ind = 1;
			if (c == '?' || c == ':') {
				flow_ind = 1;
				if (followed)
					block_ind = 1;
			}
			if (c == '-' && followed)
				flow_ind = block_ind = 1;
		} else {
			if (c < 0x80 && c != 0 && strchr(",?[]{}", (int)c) != NULL)
				flow_ind = 1;
			if (c == ':') {
				flow_ind = 1;
				if (followed)
					block_ind = 1;
			}
			if (c == '#' && preceded)
				flow_ind = block_ind = 1;
		}
		if (fy_is_break(c))
			breaks = 1;
		if (!(c == '\n' || (c >= 0x20 && c <= 0x7e))) {
			if (!((c == 0x85 || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
			       (c >= 0x10000 && c < 0x10ffff)) &&
			      c != 0xfeff))
				special = 1;
		}
		if (c == ' ') {
			lead_sp |= idx == 0;
			trail_sp |= idx == total - 1;
			br_sp |= prev_br;
			prev_sp = 1;
			prev_br = 0;
		} else if (fy_is_break(c)) {
			lead_br |= idx == 0;
			trail_br |= idx == total - 1;
			sp_br |= prev_sp;
			prev_sp = 0;
			prev_br = 1;
		} else {
			prev_sp = prev_br = 0;
		}
		preceded = fy_is_ws(c);
		j = idx + 1;
		followed = j + 1 >= total || fy_is_ws(cps[j + 1]);
	}
	free(cps);
	a->flow_plain = a->block_plain = a->single = 1;
	if (lead_sp || lead_br || trail_sp || trail_br)
		a->flow_plain = a->block_plain = 0;
	if (br_sp)
		a->flow_plain = a->block_plain = a->single = 0;
	if (sp_br || special)
		a->flow_plain = a->block_plain = a->single = 0;
	if (breaks)
		a->flow_plain = a->block_plain = 0;
	if (flow_ind)
		a->flow_plain = 0;
	if (block_ind)
		a->block_plain = 0;
	a->multiline = breaks;
}

static void fy_plain(struct fy *e, const char *s, size_t n, int split)
{
	size_t start = 0, end = 0;
	int spaces = 0, brk = 0;

	if (e->root_ctx)
		e->open_ended = 1;
	if (n == 0)
		return;
	if (!e->whitespace)
		fy_put(e, " ", 1, 1);
	e->whitespace = e->indention = 0;
	while (end <= n) {
		int ch = end < n ? (unsigned char)s[end] : -1;

		if (spaces) {
			if (ch != ' ') {
				if (start + 1 == end && e->column > e->best_width && split) {
					fy_write_indent(e);
					e->whitespace = e->indention = 0;
				} else {
					fy_put(e, s + start, end - start, fy_chars(s + start, end - start));
				}
				start = end;
			}
		} else if (brk) {
			if (ch != '\n') {
				size_t k;

				if (s[start] == '\n')
					fy_line_break(e);
				for (k = start; k < end; k++)
					fy_line_break(e);
				fy_write_indent(e);
				e->whitespace = e->indention = 0;
				start = end;
			}
		} else if (ch == -1 || ch == ' ' || ch == '\n') {
			fy_put(e, s + start, end - start, fy_chars(s + start, end - start));
			start = end;
		}
		if (ch != -1) {
			spaces = ch == ' ';
			brk = ch == '\n';
		}
		end++;
	}
}

static void fy_single(struct fy *e, const char *s, size_t n, int split)
{
	size_t start = 0, end = 0;
	int spaces = 0, brk = 0;

	fy_indicator(e, "'", 1, 0, 0);
	while (end <= n) {
		int ch = end < n ? (unsigned char)s[end] : -1;

		if (spaces) {
			if (ch == -1 || ch != ' ') {
				if (start + 1 == end && e->column > e->best_width && split && start != 0 && end != n)
					fy_write_indent(e);
				else
					fy_put(e, s + start, end - start, fy_chars(s + start, end - start));
				start = end;
			}
		} else if (brk) {
			if (ch == -1 || ch != '\n') {
				size_t k;

				if (s[start] == '\n')
					fy_line_break(e);
				for (k = start; k < end; k++)
					fy_line_break(e);
				fy_write_indent(e);
				start = end;
			}
		} else if (ch == -1 || ch == ' ' || ch == '\n' || ch == '\'') {
			if (start < end) {
				fy_put(e, s + start, end - start, fy_chars(s + start, end - start));
				start = end;
			}
		}
		if (ch == '\'') {
			fy_put(e, "''", 2, 2);
			start = end + 1;
		}
		if (ch != -1) {
			spaces = ch == ' ';
			brk = ch == '\n';
		}
		end++;
	}
	fy_indicator(e, "'", 0, 0, 0);
}

/* libyaml's double-quoted writer (Ansible dumps through CSafeDumper): a
 * long line folds at a single space, which the break replaces; a space
 * that follows the break is escaped. */
static void fy_double(struct fy *e, const char *s, size_t n, int split)
{
	static const char repl_from[] = {0, 7, 8, 9, 10, 11, 12, 13, 27, '"', '\\'};
	static const char repl_to[] = "0abtnvfre\"\\";
	size_t i = 0, nx, k;
	unsigned long c;
	int spaces = 0;
	char esc[32];

	fy_indicator(e, "\"", 1, 0, 0);
	while (i < n) {
		nx = i;
		c = fy_cp(s, n, &nx);
		if (c == '"' || c == '\\' || c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xfeff || c == '\n' ||
		    c == '\r' || !((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
		                   (c >= 0x10000 && c <= 0x10ffff))) {
			for (k = 0; k < sizeof(repl_from); k++)
				if (c == (unsigned char)repl_from[k])
					break;
			if (k < sizeof(repl_from))
				snprintf(esc, sizeof(esc), "\\%c", repl_to[k]);
			else if (c == 0x85)
				snprintf(esc, sizeof(esc), "\\N");
			else if (c == 0xa0)
				snprintf(esc, sizeof(esc), "\\_");
			else if (c == 0x2028)
				snprintf(esc, sizeof(esc), "\\L");
			else if (c == 0x2029)
				snprintf(esc, sizeof(esc), "\\P");
			else if (c <= 0xff)
				snprintf(esc, sizeof(esc), "\\x%02lX", c);
			else if (c <= 0xffff)
				snprintf(esc, sizeof(esc), "\\u%04lX", c);
			else
				snprintf(esc, sizeof(esc), "\\U%08lX", c);
			fy_put(e, esc, strlen(esc), (int)strlen(esc));
			spaces = 0;
		} else if (c == ' ') {
			if (split && !spaces && e->column > e->best_width && i != 0 && i != n - 1) {
				fy_write_indent(e);
				if (i + 1 < n && s[i + 1] == ' ')
					fy_put(e, "\\", 1, 1);
			} else {
				fy_put(e, " ", 1, 1);
			}
			spaces = 1;
		} else {
			fy_put(e, s + i, nx - i, 1);
			spaces = 0;
		}
		i = nx;
	}
	fy_indicator(e, "\"", 0, 0, 0);
}

/* The resolver of YAML 1.1 implicit types (PyYAML's Resolver): a string
 * that reads back as another type cannot be written plain. */
static const char *const fy_implicit[] = {
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9][0-9_]*([eE][-+][0-9]+)?|"
    "[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$",
    "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$",
    "^(<<)$",
    "^(~|null|Null|NULL|)$",
    "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
    "([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
    "^(=)$",
};

static int fy_resolves_other(const char *s, size_t n)
{
	static regex_t re[sizeof(fy_implicit) / sizeof(fy_implicit[0])];
	static int compiled;
	size_t i;

	if (n == 0)
		return 1;
	if (memchr(s, '\0', n) != NULL || n > 256)
		return 0;
	if (!compiled) {
		for (i = 0; i < sizeof(fy_implicit) / sizeof(fy_implicit[0]); i++)
			if (regcomp(&re[i], fy_implicit[i], REG_EXTENDED | REG_NOSUB) != 0)
				abort();
		compiled = 1;
	}
	for (i = 0; i < sizeof(fy_implicit) / sizeof(fy_implicit[0]); i++)
		if (regexec(&re[i], s, 0, NULL, 0) == 0)
			return 1;
	return 0;
}

static void fy_scalar(struct fy *e, const char *s, size_t n, int implicit)
{
	struct fy_an a;
	int split = !e->simple_key_ctx;

	fy_push_indent(e, 1, 0);
	fy_analyze(s, n, &a);
	if (implicit && !(e->simple_key_ctx && (a.empty || a.multiline)) &&
	    (e->flow_level ? a.flow_plain : a.block_plain))
		fy_plain(e, s, n, split);
	else if (a.single && !(e->simple_key_ctx && a.multiline))
		fy_single(e, s, n, split);
	else
		fy_double(e, s, n, split);
	fy_pop_indent(e);
}

/* ---- nodes ---- */

static int fy_emit(struct tpl_call *c, struct fy *e, const struct value *v, int root, int seq, int map,
                   int simple_key);

static int fy_is_coll(const struct value *v)
{
	return (v->type == VALUE_LIST || v->type == VALUE_MAP) && !is_special(v);
}

static int fy_flow(const struct fy *e, const struct value *v)
{
	size_t i;

	if (e->flow_style >= 0)
		return e->flow_style;
	for (i = 0; i < value_len(v); i++)
		if (fy_is_coll(v->type == VALUE_LIST ? value_list_at(v, i) : value_map_val_at(v, i)))
			return 0;
	return 1;
}

static int fy_key_cmp(const void *a, const void *b)
{
	const struct value *x = *(const struct value *const *)a, *y = *(const struct value *const *)b;
	size_t n = x->u.s.len < y->u.s.len ? x->u.s.len : y->u.s.len;
	int r = memcmp(x->u.s.ptr, y->u.s.ptr, n);

	return r != 0 ? r : x->u.s.len < y->u.s.len ? -1 : x->u.s.len > y->u.s.len;
}

/* The keys of map m, sorted when asked (Python sorts str by code point,
 * which is UTF-8 byte order). */
static const struct value **fy_keys(struct fy *e, const struct value *m)
{
	size_t n = value_len(m), i;
	const struct value **k = malloc((n + 1) * sizeof(*k));

	if (k == NULL)
		abort();
	for (i = 0; i < n; i++)
		k[i] = value_map_key_at(m, i);
	if (e->sort_keys)
		qsort(k, n, sizeof(*k), fy_key_cmp);
	return k;
}

static int fy_simple_key(const struct value *k)
{
	return k->u.s.len > 0 && fy_chars(k->u.s.ptr, k->u.s.len) < 128 && memchr(k->u.s.ptr, '\n', k->u.s.len) == NULL;
}

static int fy_mapping(struct tpl_call *c, struct fy *e, const struct value *m, int flow)
{
	const struct value **keys = fy_keys(e, m);
	size_t i, n = value_len(m);
	int r = 0;

	if (flow) {
		fy_indicator(e, "{", 1, 1, 0);
		e->flow_level++;
		fy_push_indent(e, 1, 0);
	} else {
		fy_push_indent(e, 0, 0);
	}
	for (i = 0; i < n && r == 0; i++) {
		const struct value *val = value_map_getn(m, keys[i]->u.s.ptr, keys[i]->u.s.len);

		if (flow) {
			if (i > 0)
				fy_indicator(e, ",", 0, 0, 0);
			if (e->column > e->best_width)
				fy_write_indent(e);
		} else {
			fy_write_indent(e);
		}
		if (fy_simple_key(keys[i])) {
			if ((r = fy_emit(c, e, keys[i], 0, 0, 1, 1)) != 0)
				break;
			fy_indicator(e, ":", 0, 0, 0);
		} else {
			fy_indicator(e, "?", 1, 0, !flow);
			if ((r = fy_emit(c, e, keys[i], 0, 0, 1, 0)) != 0)
				break;
			if (flow) {
				if (e->column > e->best_width)
					fy_write_indent(e);
			} else {
				fy_write_indent(e);
			}
			fy_indicator(e, ":", 1, 0, !flow);
		}
		r = fy_emit(c, e, val, 0, 0, 1, 0);
	}
	fy_pop_indent(e);
	if (flow) {
		e->flow_level--;
		fy_indicator(e, "}", 0, 0, 0);
	}
	free(keys);
	return r;
}

static int fy_sequence(struct tpl_call *c, struct fy *e, const struct value *l, int flow)
{
	size_t i;
	int r = 0;

	if (flow) {
		fy_indicator(e, "[", 1, 1, 0);
		e->flow_level++;
		fy_push_indent(e, 1, 0);
	} else {
		fy_push_indent(e, 0, e->map_ctx && !e->indention);
	}
	for (i = 0; i < value_len(l) && r == 0; i++) {
		if (flow) {
			if (i > 0)
				fy_indicator(e, ",", 0, 0, 0);
			if (e->column > e->best_width)
				fy_write_indent(e);
		} else {
			fy_write_indent(e);
			fy_indicator(e, "-", 1, 0, 1);
		}
		r = fy_emit(c, e, value_list_at(l, i), 0, 1, 0, 0);
	}
	fy_pop_indent(e);
	if (flow) {
		e->flow_level--;
		fy_indicator(e, "]", 0, 0, 0);
	}
	return r;
}

static int fy_emit(struct tpl_call *c, struct fy *e, const struct value *v, int root, int seq, int map,
                   int simple_key)
{
	struct buf b;
	int r;

	e->root_ctx = root;
	e->seq_ctx = seq;
	e->map_ctx = map;
	e->simple_key_ctx = simple_key;
	if (e->err != 0)
		return tpl_fail(c, e->err, "to_yaml: result too large");
	if (++e->depth > 200)
		return tpl_fail(c, ERR_DEPTH, "to_yaml: value nested too deeply");
	if ((r = tpl_charge(c, 1)) != 0)
		return r;
	if (tpl_is_undef(v))
		return tpl_fail_undef(c, v);
	if (is_special(v))
		return tpl_fail(c, ERR_INVAL, "cannot represent an object: %s", tpl_type_name(v));
	switch (v->type) {
	case VALUE_LIST:
		r = fy_sequence(c, e, v, e->flow_level || value_len(v) == 0 || fy_flow(e, v));
		break;
	case VALUE_MAP:
		r = fy_mapping(c, e, v, e->flow_level || value_len(v) == 0 || fy_flow(e, v));
		break;
	case VALUE_STR:
		fy_scalar(e, v->u.s.ptr, v->u.s.len, !fy_resolves_other(v->u.s.ptr, v->u.s.len));
		break;
	case VALUE_NULL:
		fy_scalar(e, "null", 4, 1);
		break;
	case VALUE_BOOL:
		fy_scalar(e, v->u.b ? "true" : "false", v->u.b ? 4 : 5, 1);
		break;
	default:
		/* Numbers: str() (float's repr), lower-cased, ".0" before an
		 * exponent that has no point, as PyYAML's representer. */
		tpl_buf(c, &b);
		if ((r = tpl_str(c, v, &b)) != 0) {
			buf_fini(&b);
			return r;
		}
		if (v->type == VALUE_FLOAT) {
			char *p = b.data;
			size_t i;

			for (i = 0; i < b.len; i++)
				p[i] = (char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
			if (strcmp(p, "nan") == 0 || strcmp(p, "inf") == 0 || strcmp(p, "-inf") == 0) {
				buf_reset(&b);
				buf_puts(&b, v->u.f != v->u.f ? ".nan" : v->u.f > 0 ? ".inf" : "-.inf");
			} else if (strchr(p, '.') == NULL && strchr(p, 'e') != NULL) {
				struct buf t;
				char *ep = strchr(p, 'e');

				buf_init(&t, 0);
				buf_put(&t, p, (size_t)(ep - p));
				buf_puts(&t, ".0");
				buf_puts(&t, ep);
				buf_fini(&b);
				b = t;
			}
		}
		fy_scalar(e, buf_str(&b), b.len, 1);
		buf_fini(&b);
		break;
	}
	e->depth--;
	if (e->err != 0)
		return tpl_fail(c, e->err, "to_yaml: result too large");
	return r;
}

static int fy_dump(struct tpl_call *c, int nice, struct value **vp)
{
	struct fy e;
	struct buf out;
	int64_t n;
	int r;
	size_t i;

	memset(&e, 0, sizeof(e));
	e.indent = -1;
	e.whitespace = e.indention = 1;
	e.best_indent = nice ? 4 : 2;
	e.best_width = 80;
	e.flow_style = nice ? 0 : -1;
	e.sort_keys = 1;
	if (c->nargs != 1)
		return tpl_fail(c, ERR_INVAL, "%s: drover takes no positional options", c->name);
	for (i = 0; i < c->nkw; i++) {
		const struct tpl_kwarg *k = &c->kw[i];
		int t;

		if (k->len == 6 && memcmp(k->name, "indent", 6) == 0) {
			if ((r = tpl_to_int(c, k->val, &n)) != 0)
				return r;
			if (n > 1 && n < 10)
				e.best_indent = (int)n;
		} else if (k->len == 5 && memcmp(k->name, "width", 5) == 0) {
			if ((r = tpl_to_int(c, k->val, &n)) != 0)
				return r;
			e.best_width = n > 2 * e.best_indent ? (n > 1000000 ? 1000000 : (int)n) : 80;
		} else if (k->len == 18 && memcmp(k->name, "default_flow_style", 18) == 0) {
			if (k->val->type == VALUE_NULL)
				e.flow_style = -1;
			else if ((r = tpl_truth(c, k->val, &t)) != 0)
				return r;
			else
				e.flow_style = t;
		} else if (k->len == 9 && memcmp(k->name, "sort_keys", 9) == 0) {
			if ((r = tpl_truth(c, k->val, &e.sort_keys)) != 0)
				return r;
		} else if (!(k->len == 13 && memcmp(k->name, "allow_unicode", 13) == 0)) {
			return tpl_fail(c, ERR_INVAL, "%s: drover does not support the option %.*s", c->name, (int)k->len,
			                k->name);
		}
	}
	tpl_buf(c, &out);
	e.out = &out;
	r = fy_emit(c, &e, c->args[0], 1, 0, 0, 0);
	if (r == 0) {
		/* Document end; libyaml writes no "..." after a plain scalar. */
		fy_write_indent(&e);
		if (e.err != 0)
			r = tpl_fail(c, e.err, "to_yaml: result too large");
	}
	free(e.indents);
	if (r != 0) {
		buf_fini(&out);
		return r;
	}
	*vp = value_strn(buf_str(&out), out.len);
	buf_fini(&out);
	return 0;
}

static int f_to_yaml(struct tpl_call *c, struct value **vp)
{
	return fy_dump(c, 0, vp);
}

static int f_to_nice_yaml(struct tpl_call *c, struct value **vp)
{
	return fy_dump(c, 1, vp);
}

const struct tpl_fn_def tpl_filters_yaml[] = {
	{"to_nice_yaml", f_to_nice_yaml, TPL_FN_STRING_TYPE},
	{"to_yaml", f_to_yaml, TPL_FN_STRING_TYPE},
	{NULL, NULL, 0},
};
