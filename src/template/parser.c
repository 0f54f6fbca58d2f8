/* The template parser: Jinja2 3.1's grammar, production for production
 * (parse_tuple, parse_condexpr, ..., parse_postfix, parse_filter_expr), with
 * its error messages, building nodes in the template's arena. Filters and
 * tests are resolved here, so an unknown name is a compile error as in
 * Jinja. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/ast.h"
#include "template/plugin.h"

#define PARSER_MAX_DEPTH 200
#define PARSER_MAX_TAGS 64

struct parser {
	struct tpl *t;
	struct lexer lx;
	struct token cur;
	struct token peek;
	int have_peek;
	struct diag *d;
	int err;             /* first error code; parsing stops at the first */
	int depth;
	int literal;         /* TPL_LITERAL: names stay names */
	const char *tags[PARSER_MAX_TAGS]; /* open statement tags, for messages */
	int ntags;
	const char *const *ends[PARSER_MAX_TAGS]; /* end-token sets being looked for */
	int nends;
	/* The first unknown filter or test: Jinja reports it from the compiler,
	 * after a successful parse. */
	char unknown[160];
	uint32_t unknown_off;
};

struct nvec {
	struct node **v;
	size_t n, cap;
};

static void nvec_push(struct nvec *nv, struct node *n)
{
	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 8;
		nv->v = xreallocarray(nv->v, nv->cap, sizeof(*nv->v));
	}
	nv->v[nv->n++] = n;
}

/* Moves the vector into the arena; returns its size. */
static uint32_t nvec_take(struct parser *p, struct nvec *nv, struct node ***outp)
{
	uint32_t n = (uint32_t)nv->n;

	*outp = NULL;
	if (n > 0) {
		*outp = arena_alloc(&p->t->arena, n * sizeof(struct node *));
		memcpy(*outp, nv->v, n * sizeof(struct node *));
	}
	free(nv->v);
	memset(nv, 0, sizeof(*nv));
	return n;
}

static void nvec_free(struct nvec *nv)
{
	free(nv->v);
	memset(nv, 0, sizeof(*nv));
}

static int parser_fail_at(struct parser *p, uint32_t off, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int parser_fail_at(struct parser *p, uint32_t off, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int line, col;

	if (p->err != 0)
		return p->err;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tpl_pos(p->t, off, &line, &col);
	diag_set(p->d, p->t->file, line, col, "%s", msg);
	p->err = err;
	return err;
}

#define FAIL(p, ...) parser_fail_at((p), (p)->cur.off, ERR_PARSE, __VA_ARGS__)

static struct node *parser_node(struct parser *p, enum node_kind kind, uint32_t off)
{
	struct node *n = arena_alloc(&p->t->arena, sizeof(*n));

	n->kind = (uint8_t)kind;
	n->off = off;
	return n;
}

/* Advances to the next token; a lexer error fails the parse. */
static void parser_advance(struct parser *p)
{
	if (p->cur.v != NULL) {
		value_unref(p->cur.v);
		p->cur.v = NULL;
	}
	if (p->have_peek) {
		p->cur = p->peek;
		p->have_peek = 0;
	} else {
		lexer_next(&p->lx, &p->cur);
	}
	if (p->cur.type == TK_ERROR)
		parser_fail_at(p, p->cur.off, ERR_PARSE, "%s", p->cur.err);
}

static const struct token *parser_look(struct parser *p)
{
	if (!p->have_peek) {
		lexer_next(&p->lx, &p->peek);
		p->have_peek = 1;
	}
	return &p->peek;
}

static int tok_is_name(const struct token *t, const char *name)
{
	return t->type == TK_NAME && t->tlen == strlen(name) && memcmp(t->text, name, t->tlen) == 0;
}

static int parser_is(struct parser *p, const char *name)
{
	return tok_is_name(&p->cur, name);
}

static int parser_skip_if(struct parser *p, enum tok type)
{
	if (p->cur.type != type)
		return 0;
	parser_advance(p);
	return 1;
}

static int parser_skip_name(struct parser *p, const char *name)
{
	if (!parser_is(p, name))
		return 0;
	parser_advance(p);
	return 1;
}

/* describe_token: a name is its own text. */
static void parser_describe(const struct token *t, char *out, size_t n)
{
	if (t->type == TK_NAME)
		snprintf(out, n, "%.*s", (int)(t->tlen > 100 ? 100 : t->tlen), t->text);
	else
		snprintf(out, n, "%s", lexer_describe(t->type));
}

static int parser_expect_fail(struct parser *p, const char *what)
{
	char got[128];

	if (p->err != 0)
		return p->err;
	if (p->cur.type == TK_EOF)
		return FAIL(p, "unexpected end of template, expected '%s'.", what);
	parser_describe(&p->cur, got, sizeof(got));
	return FAIL(p, "expected token '%s', got '%s'", what, got);
}

static int parser_expect(struct parser *p, enum tok type)
{
	if (p->err != 0)
		return p->err;
	if (p->cur.type != type)
		return parser_expect_fail(p, lexer_describe(type));
	parser_advance(p);
	return p->err;
}

static int parser_expect_name(struct parser *p, const char *name)
{
	if (p->err != 0)
		return p->err;
	if (!parser_is(p, name))
		return parser_expect_fail(p, name);
	parser_advance(p);
	return p->err;
}

/* Expects a name token and returns its text (pointing into the source). */
static int parser_take_name(struct parser *p, const char **namep, uint32_t *lenp)
{
	*namep = "";
	*lenp = 0;
	if (p->err != 0)
		return p->err;
	if (p->cur.type != TK_NAME)
		return parser_expect_fail(p, "name");
	*namep = p->cur.text;
	*lenp = (uint32_t)p->cur.tlen;
	parser_advance(p);
	return p->err;
}

static int parser_enter(struct parser *p)
{
	if (++p->depth > PARSER_MAX_DEPTH)
		return parser_fail_at(p, p->cur.off, ERR_DEPTH, "template nested too deeply");
	return 0;
}

static struct node *parser_expression(struct parser *p, int with_condexpr);
static struct node *parser_tuple(struct parser *p, int simplified, int with_condexpr,
                                 const char *const *extra_end, int explicit_parens);
static struct node *parser_unary(struct parser *p, int with_filter);
static struct node *parser_primary(struct parser *p);
static struct node *parser_postfix(struct parser *p, struct node *node);
static struct node *parser_filter(struct parser *p, struct node *node, int start_inline);
static struct node *parser_subparse(struct parser *p, const char *const *end_tokens);

/* ---- expressions ---- */

static struct node *parser_binary(struct parser *p, enum node_kind kind, int op, uint32_t off,
                                  struct node *a, struct node *b)
{
	struct node *n;

	if (p->err != 0)
		return NULL;
	n = parser_node(p, kind, off);
	n->op = (uint8_t)op;
	n->a = a;
	n->b = b;
	return n;
}

static struct node *parser_condexpr(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *e1, *e2, *e3, *n;

	e1 = parser_expression(p, 0);
	while (p->err == 0 && parser_skip_name(p, "if")) {
		e2 = parser_expression(p, 0);
		e3 = NULL;
		if (parser_skip_name(p, "else"))
			e3 = parser_condexpr(p);
		if (p->err != 0)
			return NULL;
		n = parser_node(p, N_CONDEXPR, off);
		n->a = e2;
		n->b = e1;
		n->c = e3;
		e1 = n;
		off = p->cur.off;
	}
	return e1;
}

static struct node *parser_not(struct parser *p);

static struct node *parser_and(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *left = parser_not(p);

	while (p->err == 0 && parser_skip_name(p, "and")) {
		left = parser_binary(p, N_AND, OP_NONE, off, left, parser_not(p));
	}
	return left;
}

static struct node *parser_or(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *left = parser_and(p);

	while (p->err == 0 && parser_skip_name(p, "or")) {
		left = parser_binary(p, N_OR, OP_NONE, off, left, parser_and(p));
	}
	return left;
}

static struct node *parser_math1(struct parser *p);

static struct node *parser_compare(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *expr = parser_math1(p), *operand, *n;
	struct nvec ops = {0};
	int op;

	while (p->err == 0) {
		switch (p->cur.type) {
		case TK_EQ: op = OP_EQ; break;
		case TK_NE: op = OP_NE; break;
		case TK_LT: op = OP_LT; break;
		case TK_LTEQ: op = OP_LTEQ; break;
		case TK_GT: op = OP_GT; break;
		case TK_GTEQ: op = OP_GTEQ; break;
		default: op = OP_NONE; break;
		}
		if (op != OP_NONE) {
			parser_advance(p);
		} else if (parser_skip_name(p, "in")) {
			op = OP_IN;
		} else if (parser_is(p, "not") && tok_is_name(parser_look(p), "in")) {
			parser_advance(p);
			parser_advance(p);
			op = OP_NOTIN;
		} else {
			break;
		}
		operand = parser_node(p, N_OPERAND, p->cur.off);
		operand->op = (uint8_t)op;
		operand->a = parser_math1(p);
		nvec_push(&ops, operand);
	}
	if (p->err != 0 || ops.n == 0) {
		nvec_free(&ops);
		return p->err ? NULL : expr;
	}
	n = parser_node(p, N_COMPARE, off);
	n->a = expr;
	n->n = nvec_take(p, &ops, &n->list);
	return n;
}

static struct node *parser_not(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *n;

	if (!parser_is(p, "not"))
		return parser_compare(p);
	if (parser_enter(p) != 0)
		return NULL;
	parser_advance(p);
	n = parser_binary(p, N_UNARY, OP_NOT, off, parser_not(p), NULL);
	p->depth--;
	return n;
}

static int parser_math_op(enum tok t)
{
	switch (t) {
	case TK_ADD: return OP_ADD;
	case TK_SUB: return OP_SUB;
	case TK_MUL: return OP_MUL;
	case TK_DIV: return OP_DIV;
	case TK_FLOORDIV: return OP_FLOORDIV;
	case TK_MOD: return OP_MOD;
	default: return OP_NONE;
	}
}

static struct node *parser_math2(struct parser *p);

static struct node *parser_concat(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *first = parser_math2(p), *n;
	struct nvec args = {0};

	if (p->err != 0 || p->cur.type != TK_TILDE)
		return first;
	nvec_push(&args, first);
	while (p->err == 0 && p->cur.type == TK_TILDE) {
		parser_advance(p);
		nvec_push(&args, parser_math2(p));
	}
	if (p->err != 0) {
		nvec_free(&args);
		return NULL;
	}
	n = parser_node(p, N_CONCAT, off);
	n->n = nvec_take(p, &args, &n->list);
	return n;
}

static struct node *parser_math1(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *left = parser_concat(p);
	int op;

	while (p->err == 0 && (p->cur.type == TK_ADD || p->cur.type == TK_SUB)) {
		op = parser_math_op(p->cur.type);
		parser_advance(p);
		left = parser_binary(p, N_BINOP, op, off, left, parser_concat(p));
	}
	return left;
}

static struct node *parser_pow(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *left = parser_unary(p, 1);

	while (p->err == 0 && p->cur.type == TK_POW) {
		parser_advance(p);
		left = parser_binary(p, N_BINOP, OP_POW, off, left, parser_unary(p, 1));
	}
	return left;
}

static struct node *parser_math2(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *left = parser_pow(p);
	int op;

	while (p->err == 0 && (op = parser_math_op(p->cur.type)) >= OP_MUL && op <= OP_MOD) {
		parser_advance(p);
		left = parser_binary(p, N_BINOP, op, off, left, parser_pow(p));
	}
	return left;
}

/* A test (after "is") or a filter may only be followed by these. */
static struct node *parser_filter_expr(struct parser *p, struct node *node);

static struct node *parser_unary(struct parser *p, int with_filter)
{
	uint32_t off = p->cur.off;
	struct node *node;

	if (parser_enter(p) != 0)
		return NULL;
	if (p->cur.type == TK_SUB || p->cur.type == TK_ADD) {
		int op = p->cur.type == TK_SUB ? OP_NEG : OP_POS;

		parser_advance(p);
		node = parser_binary(p, N_UNARY, op, off, parser_unary(p, 0), NULL);
	} else {
		node = parser_primary(p);
	}
	node = parser_postfix(p, node);
	if (with_filter)
		node = parser_filter_expr(p, node);
	p->depth--;
	return p->err ? NULL : node;
}

static struct node *parser_const(struct parser *p, uint32_t off, struct value *v)
{
	struct node *n = parser_node(p, N_CONST, off);

	n->v = tpl_keep(p->t, v);
	return n;
}

static struct node *parser_string(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct value *v = p->cur.v;
	struct buf b;
	char *s;
	size_t len;

	p->cur.v = NULL;
	parser_advance(p);
	if (p->cur.type != TK_STRING || p->err != 0)
		return parser_const(p, off, v);
	buf_init(&b, 0);
	buf_put(&b, v->u.s.ptr, v->u.s.len);
	value_unref(v);
	while (p->err == 0 && p->cur.type == TK_STRING) {
		if (buf_put(&b, p->cur.v->u.s.ptr, p->cur.v->u.s.len) != 0) {
			buf_fini(&b);
			parser_fail_at(p, off, ERR_TOOBIG, "string literal too long");
			return NULL;
		}
		parser_advance(p);
	}
	s = buf_take(&b, &len);
	return parser_const(p, off, value_str_take(s, len));
}

static struct node *parser_list(struct parser *p);
static struct node *parser_dict(struct parser *p);

static struct node *parser_primary(struct parser *p)
{
	struct token *t = &p->cur;
	uint32_t off = t->off;
	struct node *n = NULL;
	char got[128];

	if (p->err != 0)
		return NULL;
	switch (t->type) {
	case TK_NAME:
		if (!p->literal && (tok_is_name(t, "true") || tok_is_name(t, "True")))
			n = parser_const(p, off, value_bool(1));
		else if (!p->literal && (tok_is_name(t, "false") || tok_is_name(t, "False")))
			n = parser_const(p, off, value_bool(0));
		else if (!p->literal && (tok_is_name(t, "none") || tok_is_name(t, "None")))
			n = parser_const(p, off, value_null());
		else {
			n = parser_node(p, N_NAME, off);
			n->name = t->text;
			n->len = (uint32_t)t->tlen;
		}
		parser_advance(p);
		return n;
	case TK_STRING:
		return parser_string(p);
	case TK_INT:
	case TK_FLOAT:
		n = parser_const(p, off, t->v);
		t->v = NULL;
		parser_advance(p);
		return n;
	case TK_LPAREN:
		parser_advance(p);
		n = parser_tuple(p, 0, 1, NULL, 1);
		parser_expect(p, TK_RPAREN);
		return p->err ? NULL : n;
	case TK_LBRACKET:
		return parser_list(p);
	case TK_LBRACE:
		return parser_dict(p);
	default:
		parser_describe(t, got, sizeof(got));
		FAIL(p, "unexpected '%s'", got);
		return NULL;
	}
}

static int parser_is_tuple_end(struct parser *p, const char *const *extra_end)
{
	size_t i;

	if (p->cur.type == TK_VAR_END || p->cur.type == TK_BLOCK_END || p->cur.type == TK_RPAREN)
		return 1;
	for (i = 0; extra_end != NULL && extra_end[i] != NULL; i++)
		if (parser_is(p, extra_end[i]))
			return 1;
	return 0;
}

static struct node *parser_tuple(struct parser *p, int simplified, int with_condexpr,
                                 const char *const *extra_end, int explicit_parens)
{
	uint32_t off = p->cur.off;
	struct nvec args = {0};
	struct node *n;
	int is_tuple = 0;
	char got[128];

	for (;;) {
		if (args.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		if (parser_is_tuple_end(p, extra_end))
			break;
		if (simplified)
			n = parser_primary(p);
		else
			n = parser_expression(p, with_condexpr);
		if (p->err != 0)
			break;
		nvec_push(&args, n);
		if (p->cur.type != TK_COMMA)
			break;
		is_tuple = 1;
		off = p->cur.off;
	}
	if (p->err != 0) {
		nvec_free(&args);
		return NULL;
	}
	if (!is_tuple) {
		if (args.n > 0) {
			n = args.v[0];
			nvec_free(&args);
			return n;
		}
		if (!explicit_parens) {
			parser_describe(&p->cur, got, sizeof(got));
			FAIL(p, "Expected an expression, got '%s'", got);
			nvec_free(&args);
			return NULL;
		}
	}
	n = parser_node(p, N_TUPLE, off);
	n->n = nvec_take(p, &args, &n->list);
	return n;
}

static struct node *parser_list(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct nvec items = {0};
	struct node *n;

	parser_expect(p, TK_LBRACKET);
	while (p->err == 0 && p->cur.type != TK_RBRACKET) {
		if (items.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		if (p->cur.type == TK_RBRACKET)
			break;
		nvec_push(&items, parser_expression(p, 1));
	}
	parser_expect(p, TK_RBRACKET);
	if (p->err != 0) {
		nvec_free(&items);
		return NULL;
	}
	n = parser_node(p, N_LIST, off);
	n->n = nvec_take(p, &items, &n->list);
	return n;
}

static struct node *parser_dict(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct nvec items = {0};
	struct node *n;

	parser_expect(p, TK_LBRACE);
	while (p->err == 0 && p->cur.type != TK_RBRACE) {
		if (items.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		if (p->cur.type == TK_RBRACE)
			break;
		nvec_push(&items, parser_expression(p, 1));
		parser_expect(p, TK_COLON);
		nvec_push(&items, parser_expression(p, 1));
	}
	parser_expect(p, TK_RBRACE);
	if (p->err != 0) {
		nvec_free(&items);
		return NULL;
	}
	n = parser_node(p, N_DICT, off);
	n->n = nvec_take(p, &items, &n->list);
	return n;
}

static struct node *parser_subscribed(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *args[3] = {NULL, NULL, NULL}, *n;

	if (p->cur.type == TK_COLON) {
		parser_advance(p);
	} else {
		n = parser_expression(p, 1);
		if (p->err != 0 || p->cur.type != TK_COLON)
			return n;
		parser_advance(p);
		args[0] = n;
	}
	if (p->cur.type != TK_COLON && p->cur.type != TK_RBRACKET && p->cur.type != TK_COMMA)
		args[1] = parser_expression(p, 1);
	if (p->err == 0 && p->cur.type == TK_COLON) {
		parser_advance(p);
		if (p->cur.type != TK_RBRACKET && p->cur.type != TK_COMMA)
			args[2] = parser_expression(p, 1);
	}
	if (p->err != 0)
		return NULL;
	n = parser_node(p, N_SLICE, off);
	n->a = args[0];
	n->b = args[1];
	n->c = args[2];
	return n;
}

static struct node *parser_subscript(struct parser *p, struct node *node)
{
	uint32_t off = node != NULL ? node->off : p->cur.off;
	struct nvec args = {0};
	struct node *n, *arg;

	if (p->cur.type == TK_DOT) {
		parser_advance(p);
		if (p->err != 0)
			return NULL;
		if (p->cur.type == TK_NAME) {
			n = parser_node(p, N_GETATTR, off);
			n->a = node;
			n->name = p->cur.text;
			n->len = (uint32_t)p->cur.tlen;
			parser_advance(p);
			return p->err ? NULL : n;
		}
		if (p->cur.type != TK_INT) {
			FAIL(p, "expected name or number");
			return NULL;
		}
		arg = parser_const(p, p->cur.off, p->cur.v);
		p->cur.v = NULL;
		parser_advance(p);
		n = parser_node(p, N_GETITEM, off);
		n->a = node;
		n->b = arg;
		return p->err ? NULL : n;
	}
	parser_advance(p); /* [ */
	while (p->err == 0 && p->cur.type != TK_RBRACKET) {
		if (args.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		nvec_push(&args, parser_subscribed(p));
	}
	parser_expect(p, TK_RBRACKET);
	if (p->err != 0) {
		nvec_free(&args);
		return NULL;
	}
	n = parser_node(p, N_GETITEM, off);
	n->a = node;
	if (args.n == 1) {
		n->b = args.v[0];
		nvec_free(&args);
	} else {
		arg = parser_node(p, N_TUPLE, off);
		arg->n = nvec_take(p, &args, &arg->list);
		n->b = arg;
	}
	return n;
}

/* parse_call_args: fills n's positional (list), keyword (kw), *args (b)
 * and **kwargs (c). */
static void parser_call_args(struct parser *p, struct node *n)
{
	uint32_t off = p->cur.off;
	struct nvec args = {0}, kwargs = {0};
	struct node *kw;
	int require_comma = 0;

	parser_expect(p, TK_LPAREN);
	while (p->err == 0 && p->cur.type != TK_RPAREN) {
		if (require_comma) {
			if (parser_expect(p, TK_COMMA) != 0 || p->cur.type == TK_RPAREN)
				break;
		}
		if (p->cur.type == TK_MUL) {
			if (n->b != NULL || n->c != NULL)
				goto invalid;
			parser_advance(p);
			n->b = parser_expression(p, 1);
		} else if (p->cur.type == TK_POW) {
			if (n->c != NULL)
				goto invalid;
			parser_advance(p);
			n->c = parser_expression(p, 1);
		} else if (p->cur.type == TK_NAME && parser_look(p)->type == TK_ASSIGN) {
			if (n->c != NULL)
				goto invalid;
			kw = parser_node(p, N_KEYWORD, p->cur.off);
			kw->name = p->cur.text;
			kw->len = (uint32_t)p->cur.tlen;
			parser_advance(p);
			parser_advance(p);
			kw->a = parser_expression(p, 1);
			nvec_push(&kwargs, kw);
		} else {
			if (n->b != NULL || n->c != NULL || kwargs.n > 0)
				goto invalid;
			nvec_push(&args, parser_expression(p, 1));
		}
		require_comma = 1;
	}
	parser_expect(p, TK_RPAREN);
	n->n = nvec_take(p, &args, &n->list);
	n->nkw = nvec_take(p, &kwargs, &n->kw);
	return;
invalid:
	parser_fail_at(p, off, ERR_PARSE, "invalid syntax for function call expression");
	nvec_free(&args);
	nvec_free(&kwargs);
}

static struct node *parser_call(struct parser *p, struct node *node)
{
	struct node *n = parser_node(p, N_CALL, node != NULL ? node->off : p->cur.off);

	n->a = node;
	parser_call_args(p, n);
	return p->err ? NULL : n;
}

static struct node *parser_postfix(struct parser *p, struct node *node)
{
	while (p->err == 0) {
		if (p->cur.type == TK_DOT || p->cur.type == TK_LBRACKET)
			node = parser_subscript(p, node);
		else if (p->cur.type == TK_LPAREN)
			node = parser_call(p, node);
		else
			break;
	}
	return p->err ? NULL : node;
}

/* Reads a possibly dotted filter or test name ("ansible.builtin.to_json"). */
static int parser_dotted_name(struct parser *p, char *buf, size_t n, uint32_t *offp)
{
	const char *name;
	uint32_t len;
	size_t k;

	*offp = p->cur.off;
	if (parser_take_name(p, &name, &len) != 0)
		return p->err;
	k = (size_t)snprintf(buf, n, "%.*s", (int)len, name);
	while (p->err == 0 && p->cur.type == TK_DOT) {
		parser_advance(p);
		if (parser_take_name(p, &name, &len) != 0)
			return p->err;
		if (k < n)
			k += (size_t)snprintf(buf + k, n - k, ".%.*s", (int)len, name);
	}
	if (k >= n)
		return FAIL(p, "filter or test name too long");
	return 0;
}

static void parser_unknown(struct parser *p, uint32_t off, const char *kind, const char *name)
{
	if (p->unknown[0] == '\0') {
		snprintf(p->unknown, sizeof(p->unknown), "No %s named '%s'.", kind, name);
		p->unknown_off = off;
	}
}

static struct node *parser_filter(struct parser *p, struct node *node, int start_inline)
{
	char name[128];
	uint32_t off;
	struct node *n;

	while (p->err == 0 && (p->cur.type == TK_PIPE || start_inline)) {
		if (!start_inline)
			parser_advance(p);
		start_inline = 0;
		if (parser_dotted_name(p, name, sizeof(name), &off) != 0)
			return NULL;
		n = parser_node(p, N_FILTER, off);
		n->a = node;
		n->name = arena_strndup(&p->t->arena, name, strlen(name));
		n->len = (uint32_t)strlen(name);
		n->fn = tpl_registry_filter(name, strlen(name));
		if (n->fn == NULL)
			parser_unknown(p, off, "filter", name);
		else if (n->fn->flags & TPL_FN_STRING_TYPE)
			n->flags |= NF_STRING_TYPE;
		if (p->cur.type == TK_LPAREN)
			parser_call_args(p, n);
		node = n;
	}
	return p->err ? NULL : node;
}

static int parser_test_arg_start(struct parser *p)
{
	switch (p->cur.type) {
	case TK_NAME:
		return !parser_is(p, "else") && !parser_is(p, "or") && !parser_is(p, "and");
	case TK_STRING: case TK_INT: case TK_FLOAT: case TK_LPAREN: case TK_LBRACKET: case TK_LBRACE:
		return 1;
	default:
		return 0;
	}
}

static struct node *parser_test(struct parser *p, struct node *node)
{
	uint32_t off = p->cur.off, noff;
	struct node *n, *arg, *neg;
	char name[128];
	int negated;

	parser_advance(p); /* is */
	negated = parser_skip_name(p, "not");
	if (parser_dotted_name(p, name, sizeof(name), &noff) != 0)
		return NULL;
	n = parser_node(p, N_TEST, off);
	n->a = node;
	n->name = arena_strndup(&p->t->arena, name, strlen(name));
	n->len = (uint32_t)strlen(name);
	n->fn = tpl_registry_test(name, strlen(name));
	if (n->fn == NULL)
		parser_unknown(p, noff, "test", name);
	if (p->cur.type == TK_LPAREN) {
		parser_call_args(p, n);
	} else if (parser_test_arg_start(p)) {
		if (parser_is(p, "is")) {
			FAIL(p, "You cannot chain multiple tests with is");
			return NULL;
		}
		arg = parser_postfix(p, parser_primary(p));
		if (p->err != 0)
			return NULL;
		n->list = arena_alloc(&p->t->arena, sizeof(struct node *));
		n->list[0] = arg;
		n->n = 1;
	}
	if (p->err != 0)
		return NULL;
	if (!negated)
		return n;
	neg = parser_node(p, N_UNARY, off);
	neg->op = OP_NOT;
	neg->a = n;
	return neg;
}

static struct node *parser_filter_expr(struct parser *p, struct node *node)
{
	while (p->err == 0) {
		if (p->cur.type == TK_PIPE)
			node = parser_filter(p, node, 0);
		else if (parser_is(p, "is"))
			node = parser_test(p, node);
		else if (p->cur.type == TK_LPAREN)
			node = parser_call(p, node);
		else
			break;
	}
	return p->err ? NULL : node;
}

static struct node *parser_expression(struct parser *p, int with_condexpr)
{
	struct node *n;

	if (parser_enter(p) != 0)
		return NULL;
	n = with_condexpr ? parser_condexpr(p) : parser_or(p);
	p->depth--;
	return p->err ? NULL : n;
}

/* ---- statements ---- */

static const char *parser_node_name(const struct node *n)
{
	switch (n->kind) {
	case N_CONST: return "const";
	case N_GETATTR: return "getattr";
	case N_GETITEM: return "getitem";
	case N_CALL: return "call";
	case N_FILTER: return "filter";
	case N_TEST: return "test";
	case N_LIST: return "list";
	case N_DICT: return "dict";
	case N_UNARY: return n->op == OP_NOT ? "not" : n->op == OP_NEG ? "neg" : "pos";
	case N_BINOP: return "binexpr";
	case N_CONCAT: return "concat";
	case N_COMPARE: return "compare";
	case N_CONDEXPR: return "condexpr";
	case N_AND: return "and";
	case N_OR: return "or";
	default: return "expr";
	}
}

static int parser_can_assign(const struct node *n)
{
	uint32_t i;

	if (n->kind == N_NAME || n->kind == N_NSREF)
		return 1;
	if (n->kind != N_TUPLE)
		return 0;
	for (i = 0; i < n->n; i++)
		if (!parser_can_assign(n->list[i]))
			return 0;
	return 1;
}

static struct node *parser_assign_target(struct parser *p, int with_tuple, int name_only,
                                         const char *const *extra_end, int with_namespace)
{
	struct node *target;
	uint32_t off = p->cur.off;

	if (with_namespace && parser_look(p)->type == TK_DOT) {
		target = parser_node(p, N_NSREF, off);
		if (parser_take_name(p, &target->name, &target->len) != 0)
			return NULL;
		parser_advance(p); /* . */
		if (parser_take_name(p, &target->attr, &target->alen) != 0)
			return NULL;
		return target;
	}
	if (name_only) {
		target = parser_node(p, N_NAME, off);
		if (parser_take_name(p, &target->name, &target->len) != 0)
			return NULL;
		return target;
	}
	if (with_tuple)
		target = parser_tuple(p, 1, 1, extra_end, 0);
	else
		target = parser_primary(p);
	if (p->err != 0)
		return NULL;
	if (!parser_can_assign(target)) {
		parser_fail_at(p, target->off, ERR_PARSE, "can't assign to '%s'",
		               target->kind == N_TUPLE ? "tuple" : parser_node_name(target));
		return NULL;
	}
	return target;
}

static struct node *parser_statements(struct parser *p, const char *const *end_tokens, int drop_needle)
{
	struct node *body;

	parser_skip_if(p, TK_COLON);
	if (parser_expect(p, TK_BLOCK_END) != 0)
		return NULL;
	body = parser_subparse(p, end_tokens);
	if (p->err != 0)
		return NULL;
	if (p->cur.type == TK_EOF) {
		/* fail_eof: reported by the caller of subparse with the stack. */
		return NULL;
	}
	if (drop_needle)
		parser_advance(p);
	return p->err ? NULL : body;
}

static const char *const END_SET[] = {"endset", NULL};
static const char *const END_FOR[] = {"endfor", "else", NULL};
static const char *const END_FOR2[] = {"endfor", NULL};
static const char *const END_IF[] = {"elif", "else", "endif", NULL};
static const char *const END_IF2[] = {"endif", NULL};
static const char *const END_WITH[] = {"endwith", NULL};
static const char *const END_AUTOESCAPE[] = {"endautoescape", NULL};
static const char *const END_BLOCK[] = {"endblock", NULL};
static const char *const END_CALL[] = {"endcall", NULL};
static const char *const END_FILTER[] = {"endfilter", NULL};
static const char *const END_MACRO[] = {"endmacro", NULL};
static const char *const EXTRA_IN[] = {"in", NULL};
static const char *const EXTRA_RECURSIVE[] = {"recursive", NULL};

static struct node *parser_set(struct parser *p, uint32_t off)
{
	struct node *n, *target;

	parser_advance(p);
	target = parser_assign_target(p, 1, 0, NULL, 1);
	if (p->err != 0)
		return NULL;
	if (parser_skip_if(p, TK_ASSIGN)) {
		n = parser_node(p, N_SET, off);
		n->a = target;
		n->b = parser_tuple(p, 0, 1, NULL, 0);
		return p->err ? NULL : n;
	}
	n = parser_node(p, N_SETBLOCK, off);
	n->a = target;
	n->b = parser_filter(p, NULL, 0);
	n->c = parser_statements(p, END_SET, 1);
	return p->err ? NULL : n;
}

static struct node *parser_for(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_FOR, off);

	parser_advance(p);
	n->a = parser_assign_target(p, 1, 0, EXTRA_IN, 0);
	parser_expect_name(p, "in");
	n->b = parser_tuple(p, 0, 0, EXTRA_RECURSIVE, 0);
	if (p->err == 0 && parser_skip_name(p, "if"))
		n->e = parser_expression(p, 1);
	if (p->err == 0 && parser_skip_name(p, "recursive"))
		n->flags |= NF_RECURSIVE;
	n->c = parser_statements(p, END_FOR, 0);
	if (p->err != 0 || n->c == NULL)
		return NULL;
	if (parser_is(p, "endfor")) {
		parser_advance(p);
	} else {
		parser_advance(p); /* else */
		n->d = parser_statements(p, END_FOR2, 1);
	}
	return p->err ? NULL : n;
}

static struct node *parser_if(struct parser *p, uint32_t off)
{
	struct node *result = parser_node(p, N_IF, off), *node = result, *elif;

	parser_advance(p);
	for (;;) {
		node->a = parser_tuple(p, 0, 0, NULL, 0);
		node->b = parser_statements(p, END_IF, 0);
		if (p->err != 0 || node->b == NULL)
			return NULL;
		if (parser_is(p, "elif")) {
			elif = parser_node(p, N_IF, p->cur.off);
			parser_advance(p);
			node->c = elif;
			node = elif;
			continue;
		}
		if (parser_is(p, "else")) {
			parser_advance(p);
			node->c = parser_statements(p, END_IF2, 1);
		} else {
			parser_advance(p);
		}
		break;
	}
	return p->err ? NULL : result;
}

static struct node *parser_with(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_WITH, off);
	struct nvec targets = {0}, values = {0};

	parser_advance(p);
	while (p->err == 0 && p->cur.type != TK_BLOCK_END) {
		if (targets.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		nvec_push(&targets, parser_assign_target(p, 1, 0, NULL, 0));
		parser_expect(p, TK_ASSIGN);
		nvec_push(&values, parser_expression(p, 1));
	}
	n->n = nvec_take(p, &targets, &n->list);
	n->nkw = nvec_take(p, &values, &n->kw);
	if (p->err != 0)
		return NULL;
	n->c = parser_statements(p, END_WITH, 1);
	return p->err ? NULL : n;
}

/* parse_signature: parameters into n->list, defaults into n->kw. */
static void parser_signature(struct parser *p, struct node *n)
{
	struct nvec args = {0}, defaults = {0};
	struct node *arg;

	parser_expect(p, TK_LPAREN);
	while (p->err == 0 && p->cur.type != TK_RPAREN) {
		if (args.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		arg = parser_assign_target(p, 1, 1, NULL, 0);
		if (p->err != 0)
			break;
		if (parser_skip_if(p, TK_ASSIGN))
			nvec_push(&defaults, parser_expression(p, 1));
		else if (defaults.n > 0) {
			FAIL(p, "non-default argument follows default argument");
			break;
		}
		nvec_push(&args, arg);
	}
	parser_expect(p, TK_RPAREN);
	n->n = nvec_take(p, &args, &n->list);
	n->nkw = nvec_take(p, &defaults, &n->kw);
}

/* Sets the NF_USES_* flags from the names a macro body reads. */
static void parser_scan_names(const struct node *n, uint16_t *flags)
{
	uint32_t i;

	if (n == NULL)
		return;
	if (n->kind == N_NAME) {
		if (n->len == 6 && memcmp(n->name, "caller", 6) == 0)
			*flags |= NF_USES_CALLER;
		else if (n->len == 7 && memcmp(n->name, "varargs", 7) == 0)
			*flags |= NF_USES_VARARGS;
		else if (n->len == 6 && memcmp(n->name, "kwargs", 6) == 0)
			*flags |= NF_USES_KWARGS;
		return;
	}
	if (n->kind == N_BLOCK)
		return;
	parser_scan_names(n->a, flags);
	parser_scan_names(n->b, flags);
	parser_scan_names(n->c, flags);
	parser_scan_names(n->d, flags);
	parser_scan_names(n->e, flags);
	for (i = 0; i < n->n; i++)
		parser_scan_names(n->list[i], flags);
	for (i = 0; i < n->nkw; i++)
		parser_scan_names(n->kw[i], flags);
}

static struct node *parser_macro(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_MACRO, off), *name;

	parser_advance(p);
	name = parser_assign_target(p, 1, 1, NULL, 0);
	if (p->err != 0)
		return NULL;
	n->name = name->name;
	n->len = name->len;
	parser_signature(p, n);
	if (p->err != 0)
		return NULL;
	n->c = parser_statements(p, END_MACRO, 1);
	if (p->err != 0)
		return NULL;
	parser_scan_names(n->c, &n->flags);
	return n;
}

static struct node *parser_call_block(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_CALLBLOCK, off);

	parser_advance(p);
	if (p->cur.type == TK_LPAREN)
		parser_signature(p, n);
	if (p->err != 0)
		return NULL;
	n->a = parser_expression(p, 1);
	if (p->err != 0)
		return NULL;
	if (n->a->kind != N_CALL) {
		parser_fail_at(p, off, ERR_PARSE, "expected call");
		return NULL;
	}
	n->c = parser_statements(p, END_CALL, 1);
	if (p->err != 0)
		return NULL;
	parser_scan_names(n->c, &n->flags);
	return n;
}

static struct node *parser_filter_block(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_FILTERBLOCK, off);

	parser_advance(p);
	n->b = parser_filter(p, NULL, 1);
	n->c = parser_statements(p, END_FILTER, 1);
	return p->err ? NULL : n;
}

static struct node *parser_block(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_BLOCK, off);

	parser_advance(p);
	if (parser_take_name(p, &n->name, &n->len) != 0)
		return NULL;
	if (parser_skip_name(p, "scoped"))
		n->flags |= NF_SCOPED;
	parser_skip_name(p, "required");
	if (p->cur.type == TK_SUB) {
		FAIL(p, "Block names in Jinja have to be valid Python identifiers and may not contain "
		        "hyphens, use an underscore instead.");
		return NULL;
	}
	n->c = parser_statements(p, END_BLOCK, 1);
	if (p->err != 0)
		return NULL;
	if (p->cur.type == TK_NAME && p->cur.tlen == n->len && memcmp(p->cur.text, n->name, n->len) == 0)
		parser_advance(p);
	return p->err ? NULL : n;
}

static void parser_import_context(struct parser *p, struct node *n, int def)
{
	if ((parser_is(p, "with") || parser_is(p, "without")) && tok_is_name(parser_look(p), "context")) {
		if (parser_is(p, "with"))
			n->flags |= NF_WITH_CONTEXT;
		parser_advance(p);
		parser_advance(p);
	} else if (def) {
		n->flags |= NF_WITH_CONTEXT;
	}
}

static struct node *parser_include(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_INCLUDE, off);

	parser_advance(p);
	n->a = parser_expression(p, 1);
	if (p->err == 0 && parser_is(p, "ignore") && tok_is_name(parser_look(p), "missing")) {
		n->flags |= NF_IGNORE_MISSING;
		parser_advance(p);
		parser_advance(p);
	}
	if (p->err == 0)
		parser_import_context(p, n, 1);
	return p->err ? NULL : n;
}

static struct node *parser_import(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_IMPORT, off), *target;

	parser_advance(p);
	n->a = parser_expression(p, 1);
	parser_expect_name(p, "as");
	target = parser_assign_target(p, 1, 1, NULL, 0);
	if (p->err != 0)
		return NULL;
	n->name = target->name;
	n->len = target->len;
	parser_import_context(p, n, 0);
	return p->err ? NULL : n;
}

static int parser_from_context(struct parser *p, struct node *n)
{
	if ((parser_is(p, "with") || parser_is(p, "without")) && tok_is_name(parser_look(p), "context")) {
		if (parser_is(p, "with"))
			n->flags |= NF_WITH_CONTEXT;
		parser_advance(p);
		parser_advance(p);
		return 1;
	}
	return 0;
}

static struct node *parser_from(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_FROMIMPORT, off), *target, *alias, *kw;
	struct nvec names = {0};

	parser_advance(p);
	n->a = parser_expression(p, 1);
	parser_expect_name(p, "import");
	while (p->err == 0) {
		if (names.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		if (p->cur.type != TK_NAME) {
			parser_expect(p, TK_NAME);
			break;
		}
		if (parser_from_context(p, n))
			break;
		target = parser_assign_target(p, 1, 1, NULL, 0);
		if (p->err != 0)
			break;
		if (target->name[0] == '_') {
			parser_fail_at(p, target->off, ERR_PARSE, "names starting with an underline can not be imported");
			break;
		}
		kw = parser_node(p, N_KEYWORD, target->off);
		kw->name = target->name;
		kw->len = target->len;
		kw->a = target;
		if (parser_skip_name(p, "as")) {
			alias = parser_assign_target(p, 1, 1, NULL, 0);
			if (p->err != 0)
				break;
			kw->a = alias;
		}
		nvec_push(&names, kw);
		if (parser_from_context(p, n) || p->cur.type != TK_COMMA)
			break;
	}
	n->n = nvec_take(p, &names, &n->list);
	return p->err ? NULL : n;
}

static struct node *parser_print(struct parser *p, uint32_t off)
{
	struct node *n = parser_node(p, N_OUTPUT, off);
	struct nvec items = {0};

	parser_advance(p);
	while (p->err == 0 && p->cur.type != TK_BLOCK_END) {
		if (items.n > 0 && parser_expect(p, TK_COMMA) != 0)
			break;
		nvec_push(&items, parser_expression(p, 1));
	}
	n->n = nvec_take(p, &items, &n->list);
	return p->err ? NULL : n;
}

static struct node *parser_simple(struct parser *p, enum node_kind kind, uint32_t off, const char *const *end)
{
	struct node *n = parser_node(p, kind, off);

	parser_advance(p);
	n->a = parser_expression(p, 1);
	if (end != NULL && p->err == 0)
		n->c = parser_statements(p, end, 1);
	return p->err ? NULL : n;
}

/* _fail_ut_eof: Jinja's message for an unknown tag or a premature end. */
static void parser_fail_tag(struct parser *p, const char *name, size_t nlen, uint32_t off)
{
	char msg[512], looking[256] = "";
	size_t k = 0, l = 0;
	int i, j, expected = 0;

	if (name == NULL)
		k += (size_t)snprintf(msg, sizeof(msg), "Unexpected end of template.");
	else
		k += (size_t)snprintf(msg, sizeof(msg), "Encountered unknown tag '%.*s'.", (int)nlen, name);
	if (p->nends > 0) {
		const char *const *last = p->ends[p->nends - 1];

		for (j = 0; last[j] != NULL && l < sizeof(looking); j++)
			l += (size_t)snprintf(looking + l, sizeof(looking) - l, "%s'%s'", j ? " or " : "", last[j]);
		for (i = 0; name != NULL && i < p->nends; i++)
			for (j = 0; p->ends[i][j] != NULL; j++)
				if (strlen(p->ends[i][j]) == nlen && memcmp(p->ends[i][j], name, nlen) == 0)
					expected = 1;
		if (k < sizeof(msg)) {
			if (expected)
				k += (size_t)snprintf(msg + k, sizeof(msg) - k,
				                      " You probably made a nesting mistake. Jinja is expecting this "
				                      "tag, but currently looking for %s.", looking);
			else
				k += (size_t)snprintf(msg + k, sizeof(msg) - k,
				                      " Jinja was looking for the following tags: %s.", looking);
		}
	}
	if (p->ntags > 0 && k < sizeof(msg))
		snprintf(msg + k, sizeof(msg) - k, " The innermost block that needs to be closed is '%s'.",
		         p->tags[p->ntags - 1]);
	parser_fail_at(p, off, ERR_PARSE, "%s", msg);
}

static const struct {
	const char *name;
	struct node *(*fn)(struct parser *p, uint32_t off);
} parser_stmts[] = {
	{"for", parser_for}, {"if", parser_if}, {"block", parser_block}, {"print", parser_print},
	{"macro", parser_macro}, {"include", parser_include}, {"from", parser_from},
	{"import", parser_import}, {"set", parser_set}, {"with", parser_with},
	{"call", parser_call_block}, {"filter", parser_filter_block},
};

static struct node *parser_statement(struct parser *p)
{
	uint32_t off = p->cur.off;
	struct node *n = NULL;
	size_t i;

	if (p->cur.type != TK_NAME) {
		FAIL(p, "tag name expected");
		return NULL;
	}
	if (parser_enter(p) != 0)
		return NULL;
	for (i = 0; i < sizeof(parser_stmts) / sizeof(parser_stmts[0]); i++) {
		if (!parser_is(p, parser_stmts[i].name))
			continue;
		if (p->ntags < PARSER_MAX_TAGS)
			p->tags[p->ntags] = parser_stmts[i].name;
		p->ntags++;
		n = parser_stmts[i].fn(p, off);
		p->ntags--;
		p->depth--;
		return n;
	}
	if (parser_is(p, "extends"))
		n = parser_simple(p, N_EXTENDS, off, NULL);
	else if (parser_is(p, "autoescape")) {
		if (p->ntags < PARSER_MAX_TAGS)
			p->tags[p->ntags] = "autoescape";
		p->ntags++;
		n = parser_simple(p, N_AUTOESCAPE, off, END_AUTOESCAPE);
		p->ntags--;
	} else
		parser_fail_tag(p, p->cur.text, p->cur.tlen, off);
	p->depth--;
	return n;
}

static int parser_is_end(struct parser *p, const char *const *end_tokens)
{
	size_t i;

	for (i = 0; end_tokens != NULL && end_tokens[i] != NULL; i++)
		if (parser_is(p, end_tokens[i]))
			return 1;
	return 0;
}

static void parser_flush(struct parser *p, struct nvec *body, struct nvec *data)
{
	struct node *out;

	if (data->n == 0)
		return;
	out = parser_node(p, N_OUTPUT, data->v[0]->off);
	out->n = nvec_take(p, data, &out->list);
	nvec_push(body, out);
}

static struct node *parser_data(struct parser *p)
{
	const char *nl = p->lx.nl;
	struct buf b;
	size_t i;
	char *s;
	size_t len;
	struct node *n = parser_node(p, N_DATA, p->cur.off);

	if (nl[0] == '\n' && nl[1] == '\0') {
		n->v = tpl_keep(p->t, value_strn(p->cur.text, p->cur.tlen));
	} else {
		buf_init(&b, 0);
		for (i = 0; i < p->cur.tlen; i++) {
			if (p->cur.text[i] == '\n')
				buf_puts(&b, nl);
			else
				buf_putc(&b, p->cur.text[i]);
		}
		s = buf_take(&b, &len);
		n->v = tpl_keep(p->t, value_str_take(s, len));
	}
	parser_advance(p);
	return n;
}

static struct node *parser_subparse(struct parser *p, const char *const *end_tokens)
{
	struct nvec body = {0}, data = {0};
	struct node *n;

	if (parser_enter(p) != 0)
		return NULL;
	if (end_tokens != NULL) {
		if (p->nends < PARSER_MAX_TAGS)
			p->ends[p->nends] = end_tokens;
		p->nends++;
	}
	while (p->err == 0 && p->cur.type != TK_EOF) {
		if (p->cur.type == TK_DATA) {
			nvec_push(&data, parser_data(p));
		} else if (p->cur.type == TK_VAR_BEGIN) {
			parser_advance(p);
			n = parser_tuple(p, 0, 1, NULL, 0);
			parser_expect(p, TK_VAR_END);
			if (p->err == 0)
				nvec_push(&data, n);
		} else if (p->cur.type == TK_BLOCK_BEGIN) {
			parser_flush(p, &body, &data);
			parser_advance(p);
			if (p->err == 0 && end_tokens != NULL && parser_is_end(p, end_tokens))
				goto done;
			n = parser_statement(p);
			parser_expect(p, TK_BLOCK_END);
			if (p->err == 0)
				nvec_push(&body, n);
		} else {
			FAIL(p, "internal parsing error");
		}
	}
	if (p->err == 0 && end_tokens != NULL)
		parser_fail_tag(p, NULL, 0, p->cur.off);
	parser_flush(p, &body, &data);
done:
	if (end_tokens != NULL)
		p->nends--;
	p->depth--;
	nvec_free(&data);
	if (p->err != 0) {
		nvec_free(&body);
		return NULL;
	}
	n = parser_node(p, N_BODY, 0);
	n->n = nvec_take(p, &body, &n->list);
	return n;
}

/* The expression grammars (TPL_EXPR, TPL_COND, TPL_LITERAL). */
static struct node *parser_top_expr(struct parser *p)
{
	struct node *n;
	char got[128];

	switch (p->t->kind) {
	case TPL_COND:
		n = parser_tuple(p, 0, 0, NULL, 0);
		break;
	case TPL_LITERAL:
		n = parser_tuple(p, 0, 1, NULL, 0);
		break;
	default:
		n = parser_expression(p, 1);
		break;
	}
	if (p->err == 0 && p->cur.type != TK_EOF) {
		parser_describe(&p->cur, got, sizeof(got));
		if (p->t->kind == TPL_COND)
			FAIL(p, "expected token 'end of statement block', got '%s'", got);
		else
			FAIL(p, "chunk after expression");
	}
	return p->err ? NULL : n;
}

int parser_run(struct tpl *t, struct diag *d)
{
	struct parser p;
	int line, col;

	memset(&p, 0, sizeof(p));
	p.t = t;
	p.d = d;
	p.literal = t->kind == TPL_LITERAL;
	lexer_init(&p.lx, t->src, t->len, &t->opts, t->kind != TPL_TEMPLATE);
	p.lx.raw_strings = t->opts.escape_backslashes;
	if (t->kind == TPL_COND)
		p.lx.state = 1; /* inside a block tag, as "{% if <cond> %}" */
	parser_advance(&p);
	if (t->kind == TPL_TEMPLATE)
		t->root = parser_subparse(&p, NULL);
	else
		t->root = parser_top_expr(&p);
	if (p.err == 0 && p.unknown[0] != '\0') {
		tpl_pos(t, p.unknown_off, &line, &col);
		diag_set(d, t->file, line, col, "%s", p.unknown);
		p.err = ERR_PARSE;
	}
	value_unref(p.cur.v);
	if (p.have_peek)
		value_unref(p.peek.v);
	return p.err;
}
