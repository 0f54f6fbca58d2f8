/* INI inventories as Ansible's ini plugin reads them: [group],
 * [group:children] and [group:vars] sections, host lines split like
 * shlex.split(comments=True), values typed by ast.literal_eval (pylit.c),
 * and the same rules for groups declared after they are referenced. */
#include "inventory/inv_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "inventory/pylit.h"

/* A group referenced before its [group] or [group:children] section. */
struct ini_pending {
	char *name;
	int line;
	int is_vars;          /* [name:vars] seen; else referenced as a child */
	struct value *parents; /* list of parent group names (children state) */
	int done;
};

struct ini {
	struct inventory *inv;
	const char *file;
	struct diag *d;
	int lineno;
	const char *raw;  /* the current raw line (for columns) */
	size_t rawlen;
	struct ini_pending *pend;
	size_t npend, cappend;
	struct value *pend_index; /* name -> index into pend */
};

/* Python's str.isspace over one UTF-8 character at p; returns its length
 * when it is whitespace, else 0. */
static size_t ini_space_len(const unsigned char *p, size_t avail)
{
	if (avail == 0)
		return 0;
	if (*p == ' ' || (*p >= '\t' && *p <= '\r') || (*p >= 0x1c && *p <= 0x1f))
		return 1;
	if (avail >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
		return 2;
	if (avail >= 3 && p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80)
		return 3;
	if (avail >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
		return 3;
	if (avail >= 3 && p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F)
		return 3;
	if (avail >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
		return 3;
	return 0;
}

/* Python's \w for the character at p (ASCII word characters; any other
 * non-space, non-ASCII character counts as a letter). */
static int ini_word(const unsigned char *p, size_t avail)
{
	if (*p >= 0x80)
		return ini_space_len(p, avail) == 0;
	return (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_';
}

/* The 1-based column of byte offset off of the raw line, in characters. */
static int ini_col(const struct ini *x, const char *at)
{
	const char *p;
	int col = 1;

	if (at < x->raw || at > x->raw + x->rawlen)
		return 0;
	for (p = x->raw; p < at; p++)
		if (((unsigned char)*p & 0xC0) != 0x80)
			col++;
	return col;
}

static int ini_fail(struct ini *x, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int ini_fail(struct ini *x, const char *at, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_set(x->d, x->file, x->lineno, at ? ini_col(x, at) : 0, "%s", msg);
	free(msg);
	return ERR_PARSE;
}

/* Section header: ^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$ over the
 * stripped line. Returns 1 with the name and optional state set. */
static int ini_section(const char *s, size_t n, char **namep, char **statep)
{
	size_t i = 1, name_end, st = 0, st_end = 0, k;

	*namep = *statep = NULL;
	if (n == 0 || s[0] != '[')
		return 0;
	while (i < n && s[i] != ':' && s[i] != ']' && ini_space_len((const unsigned char *)s + i, n - i) == 0)
		i++;
	if (i == 1 || i >= n)
		return 0;
	name_end = i;
	if (s[i] == ':') {
		st = ++i;
		while (i < n && ini_word((const unsigned char *)s + i, n - i))
			i++;
		if (i == st)
			return 0;
		st_end = i;
	}
	if (i >= n || s[i] != ']')
		return 0;
	i++;
	while (i < n && (k = ini_space_len((const unsigned char *)s + i, n - i)) > 0)
		i += k;
	if (i < n && s[i] != '#')
		return 0;
	*namep = xstrndup(s + 1, name_end - 1);
	if (st != 0)
		*statep = xstrndup(s + st, st_end - st);
	return 1;
}

/* A line of [g:children]: ^([^:\]\s]+)\s*(?:#.*)?$ */
static char *ini_group_name(const char *s, size_t n)
{
	size_t i = 0, k, name_len;

	while (i < n && s[i] != ':' && s[i] != ']' && ini_space_len((const unsigned char *)s + i, n - i) == 0)
		i++;
	if (i == 0)
		return NULL;
	name_len = i;
	while (i < n && (k = ini_space_len((const unsigned char *)s + i, n - i)) > 0)
		i += k;
	if (i < n && s[i] != '#')
		return NULL;
	return xstrndup(s, name_len);
}

struct ini_tok {
	char *text;       /* owned */
	const char *at;   /* where it starts in the raw line */
};

/* shlex.split(line, comments=True): POSIX quoting, '#' starts a comment,
 * backslash escapes (inside double quotes only before '"' and '\').
 * Returns the number of tokens, or -1 with *whyp set. */
static int ini_shlex(const char *s, size_t n, struct ini_tok **toksp, const char **whyp)
{
	struct ini_tok *toks = NULL;
	size_t i, ntok = 0, cap = 0;
	struct buf tok;
	char state = ' ', esc_state = 'a';
	int quoted = 0, in_token = 0;
	const char *start = NULL;

	*toksp = NULL;
	buf_init(&tok, 0);
	for (i = 0; i <= n; i++) {
		int eof = i == n;
		char c = eof ? '\0' : s[i];

		if (state == ' ' || state == 'a') {
			int ws = !eof && (c == ' ' || c == '\t' || c == '\r' || c == '\n');

			if (eof || ws || c == '#') {
				if (state == 'a' && (in_token || quoted)) {
					if (ntok == cap) {
						cap = cap ? cap * 2 : 8;
						toks = xreallocarray(toks, cap, sizeof(*toks));
					}
					toks[ntok].text = buf_take(&tok, NULL);
					toks[ntok++].at = start;
				}
				buf_reset(&tok);
				in_token = quoted = 0;
				state = ' ';
				if (eof || c == '#')
					break;
				continue;
			}
			if (state == ' ')
				start = s + i;
			in_token = 1;
			if (c == '\'' || c == '"') {
				state = c;
			} else if (c == '\\') {
				esc_state = 'a';
				state = '\\';
			} else {
				buf_putc(&tok, c);
				state = 'a';
			}
		} else if (state == '\'' || state == '"') {
			quoted = 1;
			if (eof) {
				*whyp = "No closing quotation";
				goto fail;
			}
			if (c == state) {
				state = 'a';
			} else if (c == '\\' && state == '"') {
				esc_state = state;
				state = '\\';
			} else {
				buf_putc(&tok, c);
			}
		} else { /* escape */
			if (eof) {
				*whyp = "No escaped character";
				goto fail;
			}
			if ((esc_state == '"' || esc_state == '\'') && c != '\\' && c != esc_state)
				buf_putc(&tok, '\\');
			buf_putc(&tok, c);
			state = esc_state;
		}
	}
	buf_fini(&tok);
	*toksp = toks;
	return (int)ntok;
fail:
	buf_fini(&tok);
	while (ntok > 0)
		free(toks[--ntok].text);
	free(toks);
	return -1;
}

static void ini_toks_free(struct ini_tok *toks, int n)
{
	while (n > 0)
		free(toks[--n].text);
	free(toks);
}

/* _parse_value: a Python literal when it is one, else the text. */
static int ini_value(struct ini *x, const char *v, size_t n, const char *at, struct value **vp)
{
	const char *why;
	int r, col = ini_col(x, at);

	r = pylit_eval(v, n, x->file, x->lineno, col, vp, &why);
	if (r < 0)
		return ini_fail(x, at, "%s: %.*s", why, (int)(n > 200 ? 200 : n), v);
	if (r == 0)
		*vp = value_at(value_strn(v, n), x->file, (uint32_t)x->lineno, (uint32_t)col);
	return 0;
}

static long ini_pend_find(const struct ini *x, const char *name)
{
	const struct value *i = value_map_get(x->pend_index, name);

	return i && !x->pend[i->u.i].done ? (long)i->u.i : -1;
}

static struct ini_pending *ini_pend_add(struct ini *x, const char *name, int is_vars)
{
	struct ini_pending *p;

	if (x->npend == x->cappend) {
		x->cappend = x->cappend ? x->cappend * 2 : 8;
		x->pend = xreallocarray(x->pend, x->cappend, sizeof(*x->pend));
	}
	p = &x->pend[x->npend];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->line = x->lineno;
	p->is_vars = is_vars;
	p->parents = value_list();
	value_map_set(x->pend_index, name, value_int((int64_t)x->npend));
	x->npend++;
	return p;
}

/* _add_pending_children: the group is now declared; link it to the parents
 * that named it, and recursively for parents that were pending too. */
static int ini_pend_children(struct ini *x, long idx, int depth)
{
	struct ini_pending *p = &x->pend[idx];
	struct inv_group *parent, *child = inv_group_get(x->inv, p->name);
	size_t i;
	long pi;
	int r;

	if (depth > 10000)
		return ini_fail(x, NULL, "group %s: pending children nested too deeply", p->name);
	for (i = 0; i < value_len(p->parents); i++) {
		const char *pname = value_cstr(value_list_at(x->pend[idx].parents, i));

		parent = inv_group_get(x->inv, pname);
		if (parent == NULL || child == NULL)
			return ini_fail(x, NULL, "%s is not a known group", pname);
		r = inv_group_add_child(x->inv, parent, child, x->file, x->pend[idx].line, 0, x->d);
		if (r < 0)
			return r;
		pi = ini_pend_find(x, pname);
		if (pi >= 0 && !x->pend[pi].is_vars && pi != idx) {
			r = ini_pend_children(x, pi, depth + 1);
			if (r < 0)
				return r;
		}
	}
	x->pend[idx].done = 1;
	return 0;
}

static int ini_section_line(struct ini *x, const char *name, const char *state, struct inv_group **gp,
                            int *statep)
{
	long pi;
	int r;

	if (state == NULL || strcmp(state, "hosts") == 0)
		*statep = 0;
	else if (strcmp(state, "children") == 0)
		*statep = 1;
	else if (strcmp(state, "vars") == 0)
		*statep = 2;
	else
		return ini_fail(x, x->raw, "Section [%s:%s] has unknown type: %s", name, state, state);
	if (inv_group_get(x->inv, name) == NULL) {
		/* [g:vars] alone does not declare g: it must be declared later. */
		if (*statep == 2 && ini_pend_find(x, name) < 0)
			ini_pend_add(x, name, 1);
	}
	r = inv_group_add(x->inv, name, gp, x->d);
	if (r < 0)
		return r;
	pi = ini_pend_find(x, name);
	if (pi >= 0 && *statep != 2) {
		if (!x->pend[pi].is_vars)
			return ini_pend_children(x, pi, 0);
		x->pend[pi].done = 1;
	}
	return 0;
}

static int ini_host_line(struct ini *x, struct inv_group *g, const char *s, size_t n)
{
	struct ini_tok *toks = NULL;
	struct value *names = NULL, *vars = value_map(), *v;
	const char *why = NULL, *eq;
	char *msg = NULL, *stripped;
	long port = -1;
	int ntok, r = ERR_PARSE, i;
	size_t k, len;

	ntok = ini_shlex(s, n, &toks, &why);
	if (ntok < 0) {
		r = ini_fail(x, s, "Error parsing host definition '%.*s': %s", (int)n, s, why);
		goto out;
	}
	if (ntok == 0) {
		r = ini_fail(x, s, "Expected a host definition, got: %.*s", (int)n, s);
		goto out;
	}
	r = inv_addr_hostpattern(toks[0].text, &names, &port, &msg);
	if (r < 0) {
		r = ini_fail(x, toks[0].at, "%s%s", msg,
		             toks[0].text[0] == '[' && strchr(toks[0].text, ']') == NULL ? " (an unterminated [section]?)" : "");
		goto out;
	}
	len = strlen(toks[0].text);
	stripped = toks[0].text;
	while (len > 0 && (stripped[len - 1] == ' ' || stripped[len - 1] == '\t'))
		len--;
	if (len > 0 && stripped[len - 1] == ':' && port < 0) {
		r = ini_fail(x, toks[0].at, "Invalid host pattern '%s' supplied, ending in ':' is not allowed, this character is reserved to provide a port.",
		             toks[0].text);
		goto out;
	}
	for (k = 0; k < value_len(names); k++)
		if (strcmp(value_cstr(value_list_at(names, k)), "---") == 0) {
			r = ini_fail(x, toks[0].at, "Invalid host pattern '%s' supplied, '---' is normally a sign this is a YAML file.",
			             toks[0].text);
			goto out;
		}
	for (i = 1; i < ntok; i++) {
		eq = strchr(toks[i].text, '=');
		if (eq == NULL) {
			r = ini_fail(x, toks[i].at, "Expected key=value host variable assignment, got: %s", toks[i].text);
			goto out;
		}
		r = ini_value(x, eq + 1, strlen(eq + 1), toks[i].at + (eq - toks[i].text) + 1, &v);
		if (r < 0)
			goto out;
		value_map_set_key(vars, value_strn(toks[i].text, (size_t)(eq - toks[i].text)), v);
	}
	for (k = 0; k < value_len(names); k++) {
		struct inv_host *h;
		size_t j;

		r = inv_host_add(x->inv, value_cstr(value_list_at(names, k)), g, port, x->file, x->lineno,
		                 ini_col(x, toks[0].at), &h, x->d);
		if (r < 0)
			goto out;
		for (j = 0; j < value_len(vars); j++)
			inv_host_set_var(h, value_cstr(value_map_key_at(vars, j)), value_ref(value_map_val_at(vars, j)));
	}
	r = 0;
out:
	free(msg);
	if (ntok > 0)
		ini_toks_free(toks, ntok);
	value_unref(names);
	value_unref(vars);
	return r;
}

static int ini_vars_line(struct ini *x, struct inv_group *g, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n), *k0, *k1, *v0, *v1;
	struct value *v;
	char *key;
	size_t sp;
	int r;

	if (eq == NULL)
		return ini_fail(x, s, "Expected key=value, got: %.*s", (int)n, s);
	k0 = s;
	k1 = eq;
	while (k1 > k0 && (sp = ini_space_len((const unsigned char *)k1 - 1, 1)) > 0)
		k1--;
	v0 = eq + 1;
	v1 = s + n;
	while (v0 < v1 && (sp = ini_space_len((const unsigned char *)v0, (size_t)(v1 - v0))) > 0)
		v0 += sp;
	r = ini_value(x, v0, (size_t)(v1 - v0), v0, &v);
	if (r < 0)
		return r;
	key = xstrndup(k0, (size_t)(k1 - k0));
	r = inv_group_set_var(g, key, v, x->d);
	free(key);
	return r;
}

static int ini_children_line(struct ini *x, struct inv_group *g, const char *s, size_t n)
{
	char *child = ini_group_name(s, n);
	struct inv_group *cg;
	struct ini_pending *p;
	long pi;
	int r;

	if (child == NULL)
		return ini_fail(x, s, "Expected group name, got: %.*s", (int)n, s);
	cg = inv_group_get(x->inv, child);
	if (cg == NULL) {
		pi = ini_pend_find(x, child);
		p = pi >= 0 ? &x->pend[pi] : ini_pend_add(x, child, 0);
		value_list_push(p->parents, value_str(g->name));
		r = 0;
	} else {
		r = inv_group_add_child(x->inv, g, cg, x->file, x->lineno, ini_col(x, s), x->d);
	}
	free(child);
	return r;
}

/* Strips Python whitespace from both ends of [*sp, *sp + *np). */
static void ini_strip(const char **sp, size_t *np)
{
	const unsigned char *s = (const unsigned char *)*sp;
	size_t n = *np, k, i;

	while (n > 0 && (k = ini_space_len(s, n)) > 0) {
		s += k;
		n -= k;
	}
	/* Trailing: walk back over characters (at most 3 bytes each). */
	for (;;) {
		int found = 0;

		for (i = 1; i <= 3 && i <= n; i++)
			if ((s[n - i] & 0xC0) != 0x80 && ini_space_len(s + n - i, i) == i) {
				n -= i;
				found = 1;
				break;
			}
		if (!found)
			break;
	}
	*sp = (const char *)s;
	*np = n;
}

/* Length of the line break at p (str.splitlines' separators), or 0. */
static size_t ini_break(const unsigned char *p, const unsigned char *end)
{
	switch (*p) {
	case '\r': return p + 1 < end && p[1] == '\n' ? 2 : 1;
	case '\n': case '\v': case '\f': case 0x1c: case 0x1d: case 0x1e: return 1;
	case 0xC2: return p + 1 < end && p[1] == 0x85 ? 2 : 0;
	case 0xE2: return p + 2 < end && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9) ? 3 : 0;
	default: return 0;
	}
}

static int ini_line(struct ini *x, const char *line, size_t len, struct inv_group **gp, int *statep)
{
	const char *s = line;
	size_t n = len;
	char *name = NULL, *state = NULL;
	int r;

	ini_strip(&s, &n);
	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	if (ini_section(s, n, &name, &state)) {
		r = ini_section_line(x, name, state, gp, statep);
		free(name);
		free(state);
		return r;
	}
	if (s[0] == '[' && s[n - 1] == ']')
		return ini_fail(x, s, "Invalid section entry: '%.*s'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters",
		                (int)n, s);
	switch (*statep) {
	case 0: return ini_host_line(x, *gp, s, n);
	case 1: return ini_children_line(x, *gp, s, n);
	default: return ini_vars_line(x, *gp, s, n);
	}
}

int inv_ini_load(struct inventory *inv, const char *text, size_t len, const char *file, struct diag *d)
{
	struct ini x;
	const unsigned char *p = (const unsigned char *)text, *end = p + len, *start = p;
	struct inv_group *g;
	size_t i, k, brk;
	int state = 0, r = 0;

	memset(&x, 0, sizeof(x));
	x.inv = inv;
	x.file = file;
	x.d = d;
	x.pend_index = value_map();
	/* Hosts before any section belong to `ungrouped`. */
	r = inv_group_add(inv, "ungrouped", &g, d);
	while (r == 0 && start < end) {
		for (p = start; p < end && (brk = ini_break(p, end)) == 0; p++)
			;
		x.lineno++;
		x.raw = (const char *)start;
		x.rawlen = (size_t)(p - start);
		r = ini_line(&x, x.raw, x.rawlen, &g, &state);
		start = p < end ? p + ini_break(p, end) : p;
	}
	/* Groups referenced but never declared: the first one is the error. */
	for (i = 0; r == 0 && i < x.npend; i++) {
		struct ini_pending *pd = &x.pend[i];

		if (pd->done)
			continue;
		x.raw = NULL;
		x.lineno = pd->line;
		if (pd->is_vars)
			r = ini_fail(&x, NULL, "Section [%s:vars] not valid for undefined group: %s", pd->name, pd->name);
		else
			r = ini_fail(&x, NULL, "Section [%s:children] includes undefined group: %s",
			             value_cstr(value_list_at(pd->parents, value_len(pd->parents) - 1)), pd->name);
	}
	for (k = 0; k < x.npend; k++) {
		free(x.pend[k].name);
		value_unref(x.pend[k].parents);
	}
	free(x.pend);
	value_unref(x.pend_index);
	return r;
}
