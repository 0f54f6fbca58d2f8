/* The template parser, statements: Jinja2 3.1's parse_statement and its
 * tags (for, if, set, macro, call, filter, with, block, include, import,
 * from, extends, autoescape, print), subparse for template bodies, and the
 * messages for unknown tags and unclosed blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "template/ast.h"
#include "template/parser.h"

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

/* Whether a for, set or block set inside n assigns to a name "loop". */
static int parser_stores_loop(const struct node *n)
{
	uint32_t i;

	if (n == NULL)
		return 0;
	if (n->kind == N_NAME)
		return 0;
	if ((n->kind == N_FOR || n->kind == N_SET || n->kind == N_SETBLOCK) && n->a != NULL) {
		const struct node *t = n->a;

		if (t->kind == N_NAME && t->len == 4 && memcmp(t->name, "loop", 4) == 0)
			return 1;
		for (i = 0; t->kind == N_TUPLE && i < t->n; i++)
			if (t->list[i]->kind == N_NAME && t->list[i]->len == 4 && memcmp(t->list[i]->name, "loop", 4) == 0)
				return 1;
	}
	if (parser_stores_loop(n->a) || parser_stores_loop(n->b) || parser_stores_loop(n->c) ||
	    parser_stores_loop(n->d) || parser_stores_loop(n->e))
		return 1;
	for (i = 0; i < n->n; i++)
		if (parser_stores_loop(n->list[i]))
			return 1;
	for (i = 0; i < n->nkw; i++)
		if (parser_stores_loop(n->kw[i]))
			return 1;
	return 0;
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
	if (p->err == 0 && parser_stores_loop(n))
		parser_defer(p, off, "Can't assign to special loop variable in for-loop target");
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
		parser_vec_push(&targets, parser_assign_target(p, 1, 0, NULL, 0));
		parser_expect(p, TK_ASSIGN);
		parser_vec_push(&values, parser_expression(p, 1));
	}
	n->n = parser_vec_take(p, &targets, &n->list);
	n->nkw = parser_vec_take(p, &values, &n->kw);
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
			parser_vec_push(&defaults, parser_expression(p, 1));
		else if (defaults.n > 0) {
			FAIL(p, "non-default argument follows default argument");
			break;
		}
		parser_vec_push(&args, arg);
	}
	parser_expect(p, TK_RPAREN);
	n->n = parser_vec_take(p, &args, &n->list);
	n->nkw = parser_vec_take(p, &defaults, &n->kw);
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
	if ((parser_is(p, "with") || parser_is(p, "without")) && parser_tok_is_name(parser_look(p), "context")) {
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
	if (p->err == 0 && parser_is(p, "ignore") && parser_tok_is_name(parser_look(p), "missing")) {
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
	if ((parser_is(p, "with") || parser_is(p, "without")) && parser_tok_is_name(parser_look(p), "context")) {
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
		parser_vec_push(&names, kw);
		if (parser_from_context(p, n) || p->cur.type != TK_COMMA)
			break;
	}
	n->n = parser_vec_take(p, &names, &n->list);
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
		parser_vec_push(&items, parser_expression(p, 1));
	}
	n->n = parser_vec_take(p, &items, &n->list);
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
	out->n = parser_vec_take(p, data, &out->list);
	parser_vec_push(body, out);
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

struct node *parser_subparse(struct parser *p, const char *const *end_tokens)
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
			parser_vec_push(&data, parser_data(p));
		} else if (p->cur.type == TK_VAR_BEGIN) {
			parser_advance(p);
			n = parser_tuple(p, 0, 1, NULL, 0);
			parser_expect(p, TK_VAR_END);
			if (p->err == 0)
				parser_vec_push(&data, n);
		} else if (p->cur.type == TK_BLOCK_BEGIN) {
			parser_flush(p, &body, &data);
			parser_advance(p);
			if (p->err == 0 && end_tokens != NULL && parser_is_end(p, end_tokens))
				goto done;
			n = parser_statement(p);
			parser_expect(p, TK_BLOCK_END);
			if (p->err == 0)
				parser_vec_push(&body, n);
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
	parser_vec_free(&data);
	if (p->err != 0) {
		parser_vec_free(&body);
		return NULL;
	}
	n = parser_node(p, N_BODY, 0);
	n->n = parser_vec_take(p, &body, &n->list);
	return n;
}

