/* Internal to the template parser (parser.c: expressions, parser_stmt.c:
 * statements): the parser's state and the helpers both halves use. */
#ifndef DROVER_TEMPLATE_PARSER_H
#define DROVER_TEMPLATE_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/err.h"
#include "template/ast.h"

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

/* Growable node vectors, moved into the arena when done. */
void parser_vec_push(struct nvec *nv, struct node *n);
uint32_t parser_vec_take(struct parser *p, struct nvec *nv, struct node ***outp);
void parser_vec_free(struct nvec *nv);

/* Records the first error (file position of byte off); returns err. */
int parser_fail_at(struct parser *p, uint32_t off, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define FAIL(p, ...) parser_fail_at((p), (p)->cur.off, ERR_PARSE, __VA_ARGS__)
/* Records an error Jinja's compiler (not its parser) raises: reported only
 * when the whole template parses. The first one wins. */
void parser_defer(struct parser *p, uint32_t off, const char *msg);

struct node *parser_node(struct parser *p, enum node_kind kind, uint32_t off);
/* Token stream: advance (a lexer error fails the parse), look one ahead. */
void parser_advance(struct parser *p);
const struct token *parser_look(struct parser *p);
int parser_tok_is_name(const struct token *t, const char *name);
int parser_is(struct parser *p, const char *name);
int parser_skip_if(struct parser *p, enum tok type);
int parser_skip_name(struct parser *p, const char *name);
/* Jinja's describe_token. */
void parser_describe(const struct token *t, char *out, size_t n);
int parser_expect(struct parser *p, enum tok type);
int parser_expect_name(struct parser *p, const char *name);
int parser_take_name(struct parser *p, const char **namep, uint32_t *lenp);
/* Counts nesting; fails with ERR_DEPTH past PARSER_MAX_DEPTH. */
int parser_enter(struct parser *p);

/* Productions (parser.c). */
struct node *parser_expression(struct parser *p, int with_condexpr);
struct node *parser_tuple(struct parser *p, int simplified, int with_condexpr, const char *const *extra_end,
                          int explicit_parens);
struct node *parser_primary(struct parser *p);
struct node *parser_postfix(struct parser *p, struct node *node);
struct node *parser_filter(struct parser *p, struct node *node, int start_inline);
/* A template body up to one of end_tokens (parser_stmt.c). */
struct node *parser_subparse(struct parser *p, const char *const *end_tokens);

#endif
