/* The template engine's public entry points: compiling (newline
 * normalisation, Ansible's "#jinja2:" overrides), rendering to text or to a
 * typed value as Ansible's Templar does, bare expressions and Ansible
 * conditionals. */
#include "template/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/yaml.h"
#include "template/ast.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

#define TPL_MAX_SOURCE ((size_t)64 << 20)

/* ---- arena ---- */

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_fini(struct arena *a)
{
	struct arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	size_t size;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		size = n > 16384 ? n : 16384;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- compiled templates ---- */

struct value *tpl_keep(struct tpl *t, struct value *v)
{
	if (t->nconsts == t->cconsts) {
		t->cconsts = t->cconsts ? t->cconsts * 2 : 32;
		t->consts = xreallocarray(t->consts, t->cconsts, sizeof(*t->consts));
	}
	t->consts[t->nconsts++] = v;
	return v;
}

void tpl_pos(const struct tpl *t, uint32_t off, int *linep, int *colp)
{
	size_t i, start = 0;
	int line = 1;

	if (off > t->len)
		off = (uint32_t)t->len;
	for (i = 0; i < off; i++) {
		if (t->src[i] == '\n') {
			line++;
			start = i + 1;
		}
	}
	*colp = (int)ustr_len(t->src + start, off - start) + 1;
	if (line == 1 && t->col0 > 1)
		*colp += t->col0 - 1;
	*linep = line + (t->line0 > 1 ? t->line0 - 1 : 0);
}

void tpl_free(struct tpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nconsts; i++)
		value_unref(t->consts[i]);
	free(t->consts);
	arena_fini(&t->arena);
	free(t->src);
	tpl_free(t->cond_first);
	free(t->cond_text);
	free(t);
}

void tpl_opts_playbook(struct tpl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->trim_blocks = 1;
	o->escape_backslashes = 1;
	o->ansible = 1;
}

void tpl_opts_file(struct tpl_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->trim_blocks = 1;
	o->ansible = 1;
}

static int tpl_compile_fail(struct diag *d, const char *file, int line, int col, int err, const char *msg)
{
	diag_set(d, file, line > 0 ? line : 1, col > 0 ? col : 1, "%s", msg);
	return err;
}

static int tpl_check_opts(struct tpl *t, struct diag *d)
{
	const char *nl = t->opts.newline_sequence;
	const char *delims[6] = {t->opts.block_start, t->opts.block_end, t->opts.variable_start,
	                         t->opts.variable_end, t->opts.comment_start, t->opts.comment_end};
	size_t i;

	if (nl == NULL || strcmp(nl, "\n") == 0)
		t->opts.newline_sequence = "\n";
	else if (strcmp(nl, "\r\n") == 0)
		t->opts.newline_sequence = "\r\n";
	else if (strcmp(nl, "\r") == 0)
		t->opts.newline_sequence = "\r";
	else
		return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_INVAL,
		                "newline_sequence needs to be one of: \\n, \\r or \\r\\n");
	for (i = 0; i < 6; i++)
		if (delims[i] != NULL && (delims[i][0] == '\0' || strlen(delims[i]) > 8))
			return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_INVAL, "template delimiters must be 1 to 8 bytes");
	return 0;
}

/* Reads one "#jinja2:" value: True/False or a quoted string. */
static int tpl_header_value(struct tpl *t, const char *s, size_t n, int *boolp, const char **strp)
{
	while (n > 0 && ustr_isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && ustr_isspace((unsigned char)s[n - 1]))
		n--;
	*strp = NULL;
	if (n == 4 && memcmp(s, "True", 4) == 0)
		*boolp = 1;
	else if (n == 5 && memcmp(s, "False", 5) == 0)
		*boolp = 0;
	else if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
		struct value *v;
		const char *err;

		if (lexer_unescape(s + 1, n - 2, "\n", 0, &v, &err) != 0)
			return -1;
		*strp = arena_strndup(&t->arena, v->u.s.ptr, v->u.s.len);
		value_unref(v);
	} else {
		return -1;
	}
	return 0;
}

/* Applies Ansible's "#jinja2: key: value, ..." first line. Returns the
 * offset where the template proper starts. */
static int tpl_header(struct tpl *t, const char *text, size_t len, size_t *startp, struct diag *d)
{
	static const struct {
		const char *key;
		size_t offset;
		int is_bool;
	} keys[] = {
		{"trim_blocks", offsetof(struct tpl_opts, trim_blocks), 1},
		{"lstrip_blocks", offsetof(struct tpl_opts, lstrip_blocks), 1},
		{"keep_trailing_newline", offsetof(struct tpl_opts, keep_trailing_newline), 1},
		{"newline_sequence", offsetof(struct tpl_opts, newline_sequence), 0},
		{"block_start_string", offsetof(struct tpl_opts, block_start), 0},
		{"block_end_string", offsetof(struct tpl_opts, block_end), 0},
		{"variable_start_string", offsetof(struct tpl_opts, variable_start), 0},
		{"variable_end_string", offsetof(struct tpl_opts, variable_end), 0},
		{"comment_start_string", offsetof(struct tpl_opts, comment_start), 0},
		{"comment_end_string", offsetof(struct tpl_opts, comment_end), 0},
	};
	const char *eol = memchr(text, '\n', len), *p, *end, *comma, *colon;
	const char *str;
	size_t i, klen;
	int b = 0;
	char msg[300];

	*startp = 0;
	if (len < 8 || memcmp(text, "#jinja2:", 8) != 0)
		return 0;
	/* As Ansible: without a newline, the header is all but the last byte
	 * and the whole text stays the template. */
	end = eol != NULL ? eol : text + len - 1;
	for (p = text + 8; p < end; p = comma + 1) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		colon = memchr(p, ':', (size_t)(comma - p));
		if (colon == NULL) {
			const char *q = p, *qe = comma;

			while (q < qe && ustr_isspace((unsigned char)*q))
				q++;
			while (qe > q && ustr_isspace((unsigned char)qe[-1]))
				qe--;
			snprintf(msg, sizeof(msg), "failed to parse jinja2 override '%.*s'. Did you use something different "
			         "from colon as key-value separator?", (int)(qe - q > 100 ? 100 : qe - q), q);
			return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_INVAL, msg);
		}
		while (p < colon && ustr_isspace((unsigned char)*p))
			p++;
		for (klen = (size_t)(colon - p); klen > 0 && ustr_isspace((unsigned char)p[klen - 1]); klen--)
			;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i].key) == klen && memcmp(keys[i].key, p, klen) == 0)
				break;
		if (tpl_header_value(t, colon + 1, (size_t)(comma - colon - 1), &b, &str) != 0)
			return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_INVAL, "malformed #jinja2 override value");
		if (i == sizeof(keys) / sizeof(keys[0]))
			continue; /* Ansible sets unknown attributes without effect */
		if (keys[i].is_bool)
			*(int *)((char *)&t->opts + keys[i].offset) = str != NULL ? str[0] != '\0' : b;
		else if (str != NULL)
			*(const char **)((char *)&t->opts + keys[i].offset) = str;
		else
			return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_INVAL, "#jinja2 override needs a string value");
	}
	if (eol != NULL) {
		*startp = (size_t)(eol - text) + 1;
		t->line0 = (t->line0 > 0 ? t->line0 : 1) + 1;
		t->col0 = 1;
	}
	return 0;
}

/* Copies text with every \r\n and \r turned into \n, dropping one final
 * newline unless keep is set (as Jinja's lexer does). */
static void tpl_normalize(struct tpl *t, const char *text, size_t len, int keep)
{
	size_t i, k = 0;

	t->src = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (text[i] == '\r') {
			t->src[k++] = '\n';
			if (i + 1 < len && text[i + 1] == '\n')
				i++;
		} else {
			t->src[k++] = text[i];
		}
	}
	if (!keep && k > 0 && t->src[k - 1] == '\n')
		k--;
	t->src[k] = '\0';
	t->len = k;
}

static int tpl_word_char(const char *s, size_t n, size_t *kp)
{
	uint32_t cp;

	*kp = ustr_decode(s, n, &cp);
	return cp == '_' || ustr_isalpha(cp) || ustr_isdigit(cp) || ustr_isnumeric(cp);
}

/* Ansible's SINGLE_VAR: "^{{\s*(\w*)\s*}}$" ($ also before a final \n). */
static void tpl_single_var(struct tpl *t, const char *text, size_t len)
{
	const char *vs = t->opts.variable_start ? t->opts.variable_start : "{{";
	const char *ve = t->opts.variable_end ? t->opts.variable_end : "}}";
	size_t vsl = strlen(vs), vel = strlen(ve), i, k, name, name_end;
	uint32_t cp;

	if (len > 0 && text[len - 1] == '\n')
		len--;
	if (len < vsl + vel || memcmp(text, vs, vsl) != 0 || memcmp(text + len - vel, ve, vel) != 0)
		return;
	for (i = vsl; i < len - vel && (k = ustr_decode(text + i, len - vel - i, &cp)) && ustr_isspace(cp);)
		i += k;
	name = i;
	while (i < len - vel && tpl_word_char(text + i, len - vel - i, &k))
		i += k;
	name_end = i;
	for (; i < len - vel && (k = ustr_decode(text + i, len - vel - i, &cp)) && ustr_isspace(cp);)
		i += k;
	if (i != len - vel)
		return;
	t->single_var = arena_strndup(&t->arena, text + name, name_end - name);
	t->single_len = name_end - name;
	t->single_var_ok = 1;
}

static struct tpl *tpl_new(enum tpl_kind kind, const char *file, int line, int col, const struct tpl_opts *o)
{
	struct tpl *t = xcalloc(1, sizeof(*t));

	t->kind = kind;
	arena_init(&t->arena);
	t->file = value_intern(file);
	t->line0 = line;
	t->col0 = col;
	if (o != NULL)
		t->opts = *o;
	return t;
}

/* Ansible's _count_newlines_from_end. */
static unsigned tpl_trailing_newlines(const char *s, size_t n)
{
	unsigned k = 0;

	while (n > 0 && s[n - 1] == '\n') {
		n--;
		k++;
	}
	return k;
}

static int tpl_build(struct tpl *t, const char *text, size_t len, struct diag *d)
{
	size_t start = 0;
	int r;

	if (len > TPL_MAX_SOURCE)
		return tpl_compile_fail(d, t->file, t->line0, t->col0, ERR_TOOBIG, "template too large (over 64 MiB)");
	if (t->kind == TPL_TEMPLATE && t->opts.ansible) {
		t->trailing_nl = tpl_trailing_newlines(text, len);
		tpl_single_var(t, text, len);
		if (!tpl_has_syntax(text, len))
			t->plain = tpl_keep(t, value_strn(text, len));
		if ((r = tpl_header(t, text, len, &start, d)) != 0)
			return r;
	}
	if ((r = tpl_check_opts(t, d)) != 0)
		return r;
	tpl_normalize(t, text + start, len - start, t->kind != TPL_TEMPLATE || t->opts.keep_trailing_newline);
	return parser_run(t, d);
}

int tpl_compile(const char *text, size_t len, const char *file, int line, int col, const struct tpl_opts *o,
                struct tpl **tp, struct diag *d)
{
	struct tpl *t = tpl_new(TPL_TEMPLATE, file, line, col, o);
	int r;

	*tp = NULL;
	if ((r = tpl_build(t, text, len, d)) != 0) {
		tpl_free(t);
		return r;
	}
	*tp = t;
	return 0;
}

int tpl_compile_expr(const char *text, size_t len, const char *file, int line, int col, struct tpl **tp,
                     struct diag *d)
{
	struct tpl *t = tpl_new(TPL_EXPR, file, line, col, NULL);
	int r;

	*tp = NULL;
	if ((r = tpl_build(t, text, len, d)) != 0) {
		tpl_free(t);
		return r;
	}
	*tp = t;
	return 0;
}

int tpl_compile_cond(const char *text, size_t len, const char *file, int line, int col, struct tpl **tp,
                     struct diag *d)
{
	struct tpl_opts o;
	struct tpl *t;
	int r;

	*tp = NULL;
	if (tpl_has_syntax(text, len)) {
		/* The text is templated first; what it becomes is only known
		 * per render. */
		t = tpl_new(TPL_COND, file, line, col, NULL);
		tpl_opts_playbook(&o);
		if ((r = tpl_compile(text, len, file, line, col, &o, &t->cond_first, d)) != 0) {
			tpl_free(t);
			return r;
		}
		t->cond_text = xstrndup(text, len);
		t->cond_len = len;
		*tp = t;
		return 0;
	}
	t = tpl_new(TPL_COND, file, line, col, NULL);
	t->opts.trim_blocks = 1;
	if ((r = tpl_build(t, text, len, d)) != 0) {
		tpl_free(t);
		return r;
	}
	t->cond_text = xstrndup(text, len);
	t->cond_len = len;
	*tp = t;
	return 0;
}

int tpl_has_syntax(const char *s, size_t n)
{
	const char *p = s, *end = s + n;

	while (p < end && (p = memchr(p, '{', (size_t)(end - p))) != NULL) {
		if (p + 1 < end && (p[1] == '{' || p[1] == '%' || p[1] == '#'))
			return 1;
		p++;
	}
	return 0;
}

/* ---- undefined values and proxies ---- */

struct value *tpl_undef_new(const char *hint)
{
	return rt_undef_hint(hint != NULL && hint[0] != '\0' ? hint : "Mandatory variable has not been overridden");
}

int tpl_is_undef(const struct value *v)
{
	return is_undef(v);
}

const char *tpl_undef_msg(const struct value *v)
{
	return is_undef(v) ? v->u.s.ptr : NULL;
}

struct value *tpl_proxy_new(const char *tag, size_t len)
{
	struct value *v = value_strn(tag, len);

	v->flags |= TPL_F_PROXY;
	return v;
}

int tpl_is_proxy(const struct value *v)
{
	return v != NULL && (v->flags & TPL_F_PROXY);
}

/* ---- rendering ---- */

/* Ansible's preserve_trailing_newlines for text just rendered into out
 * from offset from. */
static int tpl_add_newlines(const struct tpl *t, struct buf *out, size_t from)
{
	unsigned have = tpl_trailing_newlines(out->data ? out->data + from : "", out->len - from), i;
	int r = 0;

	if (!t->opts.ansible || t->kind != TPL_TEMPLATE)
		return 0;
	for (i = have; i < t->trailing_nl && r == 0; i++)
		r = buf_puts(out, t->opts.newline_sequence);
	return r;
}

static int tpl_run(struct tpl_rt *rt, const struct tpl *t)
{
	struct frame top;
	struct value *v;
	int r;

	if (t->kind == TPL_TEMPLATE)
		return exec_template(rt, t);
	/* An expression printed as Jinja's {{ }} would. */
	rt_frame_push(rt, &top, NULL);
	rt->top = &top;
	r = eval_expr(rt, t->root, &v);
	if (r == 0) {
		if (is_undef(v))
			r = rt_fail_undef(rt, t->root->off, v);
		else if (!(v->type == VALUE_NULL && !is_special(v)))
			r = eval_str(rt, t->root->off, v, rt->out);
		value_unref(v);
	}
	rt->frame = NULL;
	rt_frame_pop(rt, &top);
	return r;
}

int tpl_render(const struct tpl *t, const struct tpl_scope *s, struct buf *out, struct diag *d)
{
	struct tpl_rt rt;
	size_t before = out->len;
	int r;

	rt_init(&rt, t, s, d);
	rt.out = out;
	r = tpl_run(&rt, t);
	if (r == 0 && (r = tpl_add_newlines(t, out, before)) != 0)
		r = rt_fail(&rt, 0, r, "template output too large");
	rt_fini(&rt);
	if (r != 0 && out->data != NULL) {
		out->len = before;
		out->data[before] = '\0';
	}
	return r;
}

/* ---- Python literals (ast.literal_eval as Ansible calls it) ---- */

static int tpl_lit_eval(const struct node *n, struct value **vp, int depth);

static int tpl_lit_name(const struct node *n, struct value **vp)
{
#define NAME_IS(s) (n->len == sizeof(s) - 1 && memcmp(n->name, s, n->len) == 0)
	if (NAME_IS("True") || NAME_IS("true"))
		*vp = value_bool(1);
	else if (NAME_IS("False") || NAME_IS("false"))
		*vp = value_bool(0);
	else if (NAME_IS("None") || NAME_IS("null"))
		*vp = value_null();
	else
		return -1;
#undef NAME_IS
	return 0;
}

static int tpl_lit_key(const struct node *n, struct value **keyp)
{
	struct value *k;
	struct buf b;
	char *s;
	size_t len;

	if (tpl_lit_eval(n, &k, 0) != 0)
		return -1;
	if (k->type == VALUE_STR) {
		*keyp = k;
		return 0;
	}
	if (k->type == VALUE_LIST || k->type == VALUE_MAP) {
		value_unref(k);
		return -1;
	}
	buf_init(&b, 64);
	pyval_repr(NULL, &b, k);
	value_unref(k);
	/* Stored as YAML would store such a key, with the text JSON gives. */
	if (strcmp(buf_str(&b), "True") == 0 || strcmp(buf_str(&b), "False") == 0 || strcmp(buf_str(&b), "None") == 0) {
		const char *j = buf_str(&b)[0] == 'T' ? "true" : buf_str(&b)[0] == 'F' ? "false" : "null";

		buf_reset(&b);
		buf_puts(&b, j);
	}
	s = buf_take(&b, &len);
	*keyp = value_str_take(s, len);
	(*keyp)->flags |= YAML_F_NONSTR_KEY;
	return 0;
}

static int tpl_lit_eval(const struct node *n, struct value **vp, int depth)
{
	struct value *c, *k, *v;
	uint32_t i;

	*vp = NULL;
	if (depth > 200)
		return -1;
	switch (n->kind) {
	case N_CONST:
		*vp = value_ref(n->v);
		return 0;
	case N_NAME:
		return tpl_lit_name(n, vp);
	case N_UNARY:
		if (n->op == OP_NOT || n->a->kind != N_CONST || (n->a->v->type != VALUE_INT && n->a->v->type != VALUE_FLOAT))
			return -1;
		return pyval_unary(n->op, n->a->v, vp, NULL) == 0 ? 0 : -1;
	case N_LIST:
	case N_TUPLE:
		c = value_list();
		if (n->kind == N_TUPLE)
			c->flags |= VALUE_F_TUPLE;
		for (i = 0; i < n->n; i++) {
			if (tpl_lit_eval(n->list[i], &v, depth + 1) != 0) {
				value_unref(c);
				return -1;
			}
			value_list_push(c, v);
		}
		*vp = c;
		return 0;
	case N_DICT:
		c = value_map();
		for (i = 0; i + 1 < n->n; i += 2) {
			if (tpl_lit_key(n->list[i], &k) != 0) {
				value_unref(c);
				return -1;
			}
			if (tpl_lit_eval(n->list[i + 1], &v, depth + 1) != 0) {
				value_unref(k);
				value_unref(c);
				return -1;
			}
			value_map_set_key(c, k, v);
		}
		*vp = c;
		return 0;
	default:
		return -1;
	}
}

/* Returns 1 with *vp when text is a Python literal, 0 when it is not. */
static int tpl_literal(const char *text, size_t len, struct value **vp)
{
	struct tpl *t = tpl_new(TPL_LITERAL, NULL, 1, 1, NULL);
	struct diag d;
	int ok = 0;

	*vp = NULL;
	diag_init(&d);
	if (tpl_build(t, text, len, &d) == 0 && tpl_lit_eval(t->root, vp, 0) == 0)
		ok = 1;
	diag_fini(&d);
	tpl_free(t);
	return ok;
}

static void tpl_mark_unsafe_tree(struct value *v)
{
	size_t i;

	if (v->type == VALUE_STR)
		v->flags |= VALUE_F_UNSAFE;
	else if (v->type == VALUE_LIST)
		for (i = 0; i < v->u.l.len; i++)
			tpl_mark_unsafe_tree(v->u.l.items[i]);
	else if (v->type == VALUE_MAP)
		for (i = 0; i < v->u.m.len; i++)
			tpl_mark_unsafe_tree(v->u.m.ents[i].val);
}

/* Whether printing v and reading the text back with literal_eval gives v
 * again, so that the round trip can be skipped. */
static int tpl_roundtrips(const struct value *v, int depth)
{
	size_t i;

	if ((v->flags & TPL_F_SPECIAL) || depth > 200)
		return 0;
	switch (v->type) {
	case VALUE_FLOAT:
		return isfinite(v->u.f);
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			if (!tpl_roundtrips(v->u.l.items[i], depth + 1))
				return 0;
		return 1;
	case VALUE_MAP:
		for (i = 0; i < v->u.m.len; i++)
			if (!tpl_roundtrips(v->u.m.ents[i].val, depth + 1))
				return 0;
		return 1;
	default:
		return 1;
	}
}

/* The lone "{{ name }}" shortcut of Templar.template. Returns 1 when it
 * produced the value. */
static int tpl_single_shortcut(const struct tpl *t, const struct tpl_scope *s, struct value **vp, struct diag *d,
                               int *errp)
{
	struct value *v = NULL;
	int r;

	*errp = 0;
	if (!t->single_var_ok || t->single_len == 0 || s == NULL || s->lookup == NULL)
		return 0;
	if (s->single_raw != NULL && s->single_raw(s->ctx, t->single_var, t->single_len) != 1)
		return 0;
	r = s->lookup(s->ctx, t->single_var, t->single_len, &v, d);
	if (r != 0 && r != ERR_NOTFOUND) {
		value_unref(v);
		*errp = r;
		return 1;
	}
	if (r == 0 && v != NULL && !(v->flags & TPL_F_SPECIAL) &&
	    (v->type == VALUE_BOOL || v->type == VALUE_INT || v->type == VALUE_FLOAT || v->type == VALUE_NULL)) {
		*vp = v;
		return 1;
	}
	value_unref(v);
	return 0;
}

int tpl_render_value(const struct tpl *t, const struct tpl_scope *s, struct value **vp, struct diag *d)
{
	struct tpl_rt rt;
	struct buf out;
	struct value *v;
	char *text;
	size_t len;
	int r;

	*vp = NULL;
	if (t->plain != NULL) {
		/* Templar.template returns strings without template syntax
		 * untouched. */
		*vp = value_ref(t->plain);
		return 0;
	}
	if (tpl_single_shortcut(t, s, vp, d, &r))
		return r;
	rt_init(&rt, t, s, d);
	buf_init(&out, rt.lim.max_output);
	rt.out = &out;
	r = tpl_run(&rt, t);
	if (r != 0) {
		rt_fini(&rt);
		buf_fini(&out);
		return r;
	}
	text = out.data ? out.data : "";
	len = out.len;
	v = NULL;
	if (rt.yields == 1 && rt.last != NULL && ((rt.last->type == VALUE_LIST && !(rt.last->flags & VALUE_F_TUPLE)) ||
	                                          rt.last->type == VALUE_MAP) &&
	    tpl_roundtrips(rt.last, 0)) {
		/* The value itself is what literal_eval would rebuild from its
		 * text; unsafe marking needs a private copy. */
		v = rt.unsafe ? value_dup(rt.last) : value_ref(rt.last);
	} else if (!(rt.yields == 1 && rt.native_text) &&
	    ((len > 0 && (text[0] == '[' || text[0] == '{')) || (len == 4 && memcmp(text, "True", 4) == 0) ||
	     (len == 5 && memcmp(text, "False", 5) == 0)))
		tpl_literal(text, len, &v);
	if (v == NULL) {
		if ((r = tpl_add_newlines(t, &out, 0)) != 0) {
			r = rt_fail(&rt, 0, r, "template output too large");
			rt_fini(&rt);
			buf_fini(&out);
			return r;
		}
		text = buf_take(&out, &len);
		v = value_str_take(text, len);
	}
	if (rt.unsafe)
		tpl_mark_unsafe_tree(v);
	rt_fini(&rt);
	buf_fini(&out);
	*vp = v;
	return 0;
}

int tpl_eval_expr(const struct tpl *t, const struct tpl_scope *s, struct value **vp, struct diag *d)
{
	struct tpl_rt rt;
	struct frame top;
	int r;

	*vp = NULL;
	if (t->kind == TPL_TEMPLATE)
		return tpl_render_value(t, s, vp, d);
	rt_init(&rt, t, s, d);
	rt_frame_push(&rt, &top, NULL);
	rt.top = &top;
	r = eval_expr(&rt, t->root, vp);
	rt.frame = NULL;
	rt_frame_pop(&rt, &top);
	rt_fini(&rt);
	return r;
}

/* ---- conditionals ---- */

static int tpl_word(char c)
{
	return c == '_' || (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (unsigned char)c >= 0x80;
}

static size_t tpl_skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && ustr_isspace((unsigned char)s[i]))
		i++;
	return i;
}

/* Matches "\s+(not\s+is|is|is\s+not)\s+(defined|undefined)" at i; sets
 * *negp when "not" is in the logic and *definedp for "defined". */
static size_t tpl_match_logic(const char *s, size_t n, size_t i, int *negp, int *definedp)
{
	static const char *const logics[] = {"not is", "is", "is not"};
	size_t j, k, p, q;
	int li;

	if (i >= n || !ustr_isspace((unsigned char)s[i]))
		return 0;
	j = tpl_skip_ws(s, n, i);
	for (li = 0; li < 3; li++) {
		const char *w = logics[li];

		p = j;
		for (k = 0; w[k] && p < n;) {
			if (w[k] == ' ') {
				if (!ustr_isspace((unsigned char)s[p]))
					break;
				p = tpl_skip_ws(s, n, p);
				k++;
			} else if (s[p] == w[k]) {
				p++;
				k++;
			} else {
				break;
			}
		}
		if (w[k] != '\0' || p >= n || !ustr_isspace((unsigned char)s[p]))
			continue;
		q = tpl_skip_ws(s, n, p);
		*negp = li != 1;
		if (n - q >= 9 && memcmp(s + q, "undefined", 9) == 0) {
			*definedp = 0;
			return q + 9;
		}
		if (n - q >= 7 && memcmp(s + q, "defined", 7) == 0) {
			*definedp = 1;
			return q + 7;
		}
	}
	return 0;
}

/* Compares two variable expressions with quotes normalised as Ansible. */
static int tpl_same_var(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i;

	if (an != bn)
		return 0;
	for (i = 0; i < an; i++) {
		char x = a[i] == '\'' ? '"' : a[i], y = b[i] == '\'' ? '"' : b[i];

		if (x != y)
			return 0;
	}
	return 1;
}

/* Ansible's rule: the undefined variable var is tested by "var is
 * [not] defined/undefined" in the conditional. Returns 0/1 for the
 * result, or -1 when the rule does not apply. */
static int tpl_defined_rule(const char *cond, size_t n, const char *var, size_t vn)
{
	size_t p, e, k, end;
	int neg, defined;

	for (p = 0; p < n; p++) {
		/* (hostvars\[.+\]|[\w_]+) */
		if (n - p >= 9 && memcmp(cond + p, "hostvars[", 9) == 0) {
			for (k = n; k-- > p + 9;) {
				if (cond[k] != ']')
					continue;
				if ((end = tpl_match_logic(cond, n, k + 1, &neg, &defined)) != 0) {
					if (tpl_same_var(cond + p, k + 1 - p, var, vn))
						return neg != defined ? 0 : 1;
					p = end - 1;
					break;
				}
			}
			if (k > p + 8 && cond[k] == ']')
				continue;
		}
		if (!tpl_word(cond[p]))
			continue;
		for (e = p; e < n && tpl_word(cond[e]); e++)
			;
		if ((end = tpl_match_logic(cond, n, e, &neg, &defined)) != 0) {
			if (tpl_same_var(cond + p, e - p, var, vn))
				return neg != defined ? 0 : 1;
			p = end - 1;
		}
	}
	return -1;
}

/* The variable named by "'X' is undefined" in an error message. */
static int tpl_undefined_var(const char *msg, const char **varp, size_t *lenp)
{
	const char *p, *q, *tail = "' is undefined";
	size_t tl = strlen(tail);

	for (p = strchr(msg, '\''); p != NULL; p = strchr(p + 1, '\'')) {
		if (strncmp(p + 1, "hostvars[", 9) == 0) {
			const char *last = NULL;

			for (q = p + 10; (q = strstr(q, "]' is undefined")) != NULL; q++)
				last = q;
			if (last != NULL) {
				*varp = p + 1;
				*lenp = (size_t)(last + 1 - (p + 1));
				return 0;
			}
		}
		for (q = p + 1; *q && tpl_word(*q); q++)
			;
		if (q > p + 1 && strncmp(q, tail, tl) == 0) {
			*varp = p + 1;
			*lenp = (size_t)(q - (p + 1));
			return 0;
		}
	}
	return -1;
}

static int tpl_cond_truth(const struct tpl *t, const struct tpl_scope *s, int *resultp, struct diag *d)
{
	struct tpl_rt rt;
	struct frame top;
	struct value *v;
	int r;

	rt_init(&rt, t, s, d);
	rt_frame_push(&rt, &top, NULL);
	rt.top = &top;
	r = eval_expr(&rt, t->root, &v);
	if (r == 0) {
		r = eval_bool(&rt, t->root->off, v, resultp);
		value_unref(v);
	}
	rt.frame = NULL;
	rt_frame_pop(&rt, &top);
	rt_fini(&rt);
	return r;
}

int tpl_eval_cond(const struct tpl *t, const struct tpl_scope *s, int *resultp, struct diag *d)
{
	struct tpl *second = NULL;
	struct value *v = NULL;
	const char *text = t->cond_text, *var;
	size_t len = t->cond_len, vlen;
	struct diag inner;
	int r, rule;

	*resultp = 0;
	diag_init(&inner);
	if (t->cond_first != NULL) {
		if ((r = tpl_render_value(t->cond_first, s, &v, &inner)) != 0)
			goto fail;
		if (v->type != VALUE_STR || v->u.s.len == 0) {
			*resultp = pyval_truth(v);
			r = 0;
			goto out;
		}
		if (v->flags & VALUE_F_UNSAFE) {
			/* Ansible never evaluates text that came from unsafe data. */
			r = ERR_INVAL;
			diag_set(&inner, t->file, t->line0, t->col0, "Conditional is marked as unsafe, and cannot be evaluated.");
			goto fail;
		}
		text = v->u.s.ptr;
		len = v->u.s.len;
		if ((r = tpl_compile_cond(text, len, t->file, t->line0, t->col0, &second, &inner)) != 0)
			goto fail;
		if (second->cond_first != NULL) {
			/* Rendering produced template syntax again: Ansible would not
			 * template it twice. */
			r = ERR_INVAL;
			diag_set(&inner, t->file, t->line0, t->col0, "unable to evaluate conditional: %.*s", (int)len, text);
			goto fail;
		}
		r = tpl_cond_truth(second, s, resultp, &inner);
	} else {
		r = tpl_cond_truth(t, s, resultp, &inner);
	}
	if (r == 0)
		goto out;
fail:
	if (r == ERR_NOTFOUND && inner.msg != NULL && tpl_undefined_var(inner.msg, &var, &vlen) == 0 &&
	    (rule = tpl_defined_rule(text, len, var, vlen)) >= 0) {
		*resultp = rule;
		r = 0;
		goto out;
	}
	if (inner.msg != NULL)
		diag_set(d, inner.file, inner.line, inner.col, "%s", inner.msg);
out:
	diag_fini(&inner);
	tpl_free(second);
	value_unref(v);
	return r;
}
