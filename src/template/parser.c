/* The template parser, expressions: Jinja2 3.1's grammar, production for
 * production (parse_tuple, parse_condexpr, ..., parse_postfix,
 * parse_filter_expr), with its error messages, building nodes in the
 * template's arena. Filters and tests are resolved here, so an unknown name
 * is a compile error as in Jinja. Statements are in parser_stmt.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/ast.h"
#include "template/parser.h"
#include "template/plugin.h"

void parser_vec_push(struct nvec *nv, struct node *n)
{
	if (nv->n == nv->cap) {
		nv->cap = nv->cap ? nv->cap * 2 : 8;
		nv->v = xreallocarray(nv->v, nv->cap, sizeof(*nv->v));
	}
	nv->v[nv->n++] = n;
}

/* Moves the vector into the arena; returns its size. */
uint32_t parser_vec_take(struct parser *p, struct nvec *nv, struct node ***outp)
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

void parser_vec_free(struct nvec *nv)
{
	free(nv->v);
	memset(nv, 0, sizeof(*nv));
}

int parser_fail_at(struct parser *p, uint32_t off, int err, const char *fmt, ...)
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

struct node *parser_node(struct parser *p, enum node_kind kind, uint32_t off)
{
	struct node *n = arena_alloc(&p->t->arena, sizeof(*n));

	n->kind = (uint8_t)kind;
	n->off = off;
	return n;
}

/* Advances to the next token; a lexer error fails the parse. */
void parser_advance(struct parser *p)
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

const struct token *parser_look(struct parser *p)
{
	if (!p->have_peek) {
		lexer_next(&p->lx, &p->peek);
		p->have_peek = 1;
	}
	return &p->peek;
}

int parser_tok_is_name(const struct token *t, const char *name)
{
	return t->type == TK_NAME && t->tlen == strlen(name) && memcmp(t->text, name, t->tlen) == 0;
}

int parser_is(struct parser *p, const char *name)
{
	return parser_tok_is_name(&p->cur, name);
}

int parser_skip_if(struct parser *p, enum tok type)
{
	if (p->cur.type != type)
		return 0;
	parser_advance(p);
	return 1;
}

int parser_skip_name(struct parser *p, const char *name)
{
	if (!parser_is(p, name))
		return 0;
	parser_advance(p);
	return 1;
}

/* describe_token: a name is its own text. */
void parser_describe(const struct token *t, char *out, size_t n)
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

int parser_expect(struct parser *p, enum tok type)
{
	if (p->err != 0)
		return p->err;
	if (p->cur.type != type)
		return parser_expect_fail(p, lexer_describe(type));
	parser_advance(p);
	return p->err;
}

int parser_expect_name(struct parser *p, const char *name)
{
	if (p->err != 0)
		return p->err;
	if (!parser_is(p, name))
		return parser_expect_fail(p, name);
	parser_advance(p);
	return p->err;
}

/* Expects a name token and returns its text (pointing into the source). */
int parser_take_name(struct parser *p, const char **namep, uint32_t *lenp)
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

int parser_enter(struct parser *p)
{
	if (++p->depth > PARSER_MAX_DEPTH)
		return parser_fail_at(p, p->cur.off, ERR_DEPTH, "template nested too deeply");
	return 0;
}

static struct node *parser_unary(struct parser *p, int with_filter);

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
		} else if (parser_is(p, "not") && parser_tok_is_name(parser_look(p), "in")) {
			parser_advance(p);
			parser_advance(p);
			op = OP_NOTIN;
		} else {
			break;
		}
		operand = parser_node(p, N_OPERAND, p->cur.off);
		operand->op = (uint8_t)op;
		operand->a = parser_math1(p);
		parser_vec_push(&ops, operand);
	}
	if (p->err != 0 || ops.n == 0) {
		parser_vec_free(&ops);
		return p->err ? NULL : expr;
	}
	n = parser_node(p, N_COMPARE, off);
	n->a = expr;
	n->n = parser_vec_take(p, &ops, &n->list);
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
	parser_vec_push(&args, first);
	while (p->err == 0 && p->cur.type == TK_TILDE) {
		parser_advance(p);
		parser_vec_push(&args, parser_math2(p));
	}
	if (p->err != 0) {
		parser_vec_free(&args);
		return NULL;
	}
	n = parser_node(p, N_CONCAT, off);
	n->n = parser_vec_take(p, &args, &n->list);
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

struct node *parser_primary(struct parser *p)
{
	struct token *t = &p->cur;
	uint32_t off = t->off;
	struct node *n = NULL;
	char got[128];

	if (p->err != 0)
		return NULL;
	switch (t->type) {
	case TK_NAME:
		if (!p->literal && (parser_tok_is_name(t, "true") || parser_tok_is_name(t, "True")))
			n = parser_const(p, off, value_bool(1));
		else if (!p->literal && (parser_tok_is_name(t, "false") || parser_tok_is_name(t, "False")))
			n = parser_const(p, off, value_bool(0));
		else if (!p->literal && (parser_tok_is_name(t, "none") || parser_tok_is_name(t, "None")))
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

struct node *parser_tuple(struct parser *p, int simplified, int with_condexpr,
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
		parser_vec_push(&args, n);
		if (p->cur.type != TK_COMMA)
			break;
		is_tuple = 1;
		off = p->cur.off;
	}
	if (p->err != 0) {
		parser_vec_free(&args);
		return NULL;
	}
	if (!is_tuple) {
		if (args.n > 0) {
			n = args.v[0];
			parser_vec_free(&args);
			return n;
		}
		if (!explicit_parens) {
			parser_describe(&p->cur, got, sizeof(got));
			FAIL(p, "Expected an expression, got '%s'", got);
			parser_vec_free(&args);
			return NULL;
		}
	}
	n = parser_node(p, N_TUPLE, off);
	n->n = parser_vec_take(p, &args, &n->list);
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
		parser_vec_push(&items, parser_expression(p, 1));
	}
	parser_expect(p, TK_RBRACKET);
	if (p->err != 0) {
		parser_vec_free(&items);
		return NULL;
	}
	n = parser_node(p, N_LIST, off);
	n->n = parser_vec_take(p, &items, &n->list);
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
		parser_vec_push(&items, parser_expression(p, 1));
		parser_expect(p, TK_COLON);
		parser_vec_push(&items, parser_expression(p, 1));
	}
	parser_expect(p, TK_RBRACE);
	if (p->err != 0) {
		parser_vec_free(&items);
		return NULL;
	}
	n = parser_node(p, N_DICT, off);
	n->n = parser_vec_take(p, &items, &n->list);
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
		parser_vec_push(&args, parser_subscribed(p));
	}
	parser_expect(p, TK_RBRACKET);
	if (p->err != 0) {
		parser_vec_free(&args);
		return NULL;
	}
	n = parser_node(p, N_GETITEM, off);
	n->a = node;
	if (args.n == 1) {
		n->b = args.v[0];
		parser_vec_free(&args);
	} else {
		arg = parser_node(p, N_TUPLE, off);
		arg->n = parser_vec_take(p, &args, &arg->list);
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
			parser_vec_push(&kwargs, kw);
		} else {
			if (n->b != NULL || n->c != NULL || kwargs.n > 0)
				goto invalid;
			parser_vec_push(&args, parser_expression(p, 1));
		}
		require_comma = 1;
	}
	parser_expect(p, TK_RPAREN);
	n->n = parser_vec_take(p, &args, &n->list);
	n->nkw = parser_vec_take(p, &kwargs, &n->kw);
	return;
invalid:
	parser_fail_at(p, off, ERR_PARSE, "invalid syntax for function call expression");
	parser_vec_free(&args);
	parser_vec_free(&kwargs);
}

static struct node *parser_call(struct parser *p, struct node *node)
{
	struct node *n = parser_node(p, N_CALL, node != NULL ? node->off : p->cur.off);

	n->a = node;
	parser_call_args(p, n);
	return p->err ? NULL : n;
}

struct node *parser_postfix(struct parser *p, struct node *node)
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

void parser_defer(struct parser *p, uint32_t off, const char *msg)
{
	if (p->unknown[0] == '\0') {
		snprintf(p->unknown, sizeof(p->unknown), "%s", msg);
		p->unknown_off = off;
	}
}

static void parser_unknown(struct parser *p, uint32_t off, const char *kind, const char *name)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "No %s named '%s'.", kind, name);
	parser_defer(p, off, msg);
}

struct node *parser_filter(struct parser *p, struct node *node, int start_inline)
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

struct node *parser_expression(struct parser *p, int with_condexpr)
{
	struct node *n;

	if (parser_enter(p) != 0)
		return NULL;
	n = with_condexpr ? parser_condexpr(p) : parser_or(p);
	p->depth--;
	return p->err ? NULL : n;
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
