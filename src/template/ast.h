/* Internal to src/template: the compiled form of a template. The lexer turns
 * the source into tokens following Jinja2 3.1's lexer rules, the parser
 * builds a tree of nodes in an arena owned by the compiled template, and the
 * evaluator walks that tree once per render. Nothing here is allocated per
 * render. */
#ifndef DROVER_TEMPLATE_AST_H
#define DROVER_TEMPLATE_AST_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "data/value.h"
#include "template/template.h"

struct tpl_fn_def;

/* A bump allocator: parse products die with the template. */
struct arena_chunk;
struct arena {
	struct arena_chunk *head; /* owned */
	size_t used;              /* bytes handed out, for the size cap */
};

void arena_init(struct arena *a);
void arena_fini(struct arena *a);
/* Returns n zeroed bytes aligned for any node (aborts on OOM only). */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes of s and adds a NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);

/* Token types, named as Jinja2 describes them in its error messages. */
enum tok {
	TK_EOF,
	TK_ERROR,
	TK_DATA,
	TK_VAR_BEGIN,
	TK_VAR_END,
	TK_BLOCK_BEGIN,
	TK_BLOCK_END,
	TK_NAME,
	TK_STRING,
	TK_INT,
	TK_FLOAT,
	/* operators */
	TK_ADD, TK_SUB, TK_DIV, TK_FLOORDIV, TK_MUL, TK_MOD, TK_POW, TK_TILDE,
	TK_LBRACKET, TK_RBRACKET, TK_LPAREN, TK_RPAREN, TK_LBRACE, TK_RBRACE,
	TK_EQ, TK_NE, TK_GT, TK_GTEQ, TK_LT, TK_LTEQ, TK_ASSIGN, TK_DOT,
	TK_COLON, TK_PIPE, TK_COMMA, TK_SEMICOLON,
};

struct token {
	enum tok type;
	uint32_t off;      /* byte offset of the token in the source */
	uint32_t len;      /* bytes of source text */
	const char *text;  /* TK_DATA: text after whitespace control; TK_NAME: the name */
	size_t tlen;
	struct value *v;   /* TK_STRING, TK_INT, TK_FLOAT: new reference for the parser */
	const char *err;   /* TK_ERROR: message (points into the lexer) */
};

#define LEXER_MAX_NEST 256 /* open brackets inside one tag */

struct lexer {
	const char *src;     /* normalised source (only \n line breaks) */
	size_t len;          /* effective length (trailing newline removed) */
	size_t pos;
	int state;           /* LEX_ROOT, LEX_BLOCK, LEX_VAR */
	int line_starting;   /* the last match ended with a newline */
	int raw_strings;     /* Ansible's escape_backslashes inside {{ }} */
	const struct tpl_opts *o;
	const char *nl;      /* newline_sequence */
	char nest[LEXER_MAX_NEST];
	int depth;
	struct token queue[2]; /* tokens produced ahead */
	int nqueue;
	char errbuf[160];
};

void lexer_init(struct lexer *lx, const char *src, size_t len, const struct tpl_opts *o, int start_in_var);
/* Produces the next token; TK_ERROR carries a message and stays sticky. */
void lexer_next(struct lexer *lx, struct token *t);
/* Jinja's name for a token type ("end of print statement", "integer"...). */
const char *lexer_describe(enum tok t);
/* Decodes a Jinja string literal body (Python's unicode-escape after
 * newline normalisation). Returns 0 or -1 with *errp set. */
int lexer_unescape(const char *s, size_t n, const char *nl, int raw, struct value **vp, const char **errp);

/* Node kinds. Expressions first, then statements. */
enum node_kind {
	N_CONST,     /* v */
	N_NAME,      /* name */
	N_LIST,      /* list[n] */
	N_TUPLE,     /* list[n] */
	N_DICT,      /* list[2*pairs]: key, value, ... */
	N_GETATTR,   /* a.name */
	N_GETITEM,   /* a[b] */
	N_SLICE,     /* a:b:c (each may be NULL) */
	N_CALL,      /* a(list[n], kw[nkw]=, *b, **c) */
	N_FILTER,    /* a | fn(list, kw, *b, **c); a NULL: the filtered block */
	N_TEST,      /* a is fn(list, kw, *b, **c) */
	N_KEYWORD,   /* name = a (in kw lists) */
	N_UNARY,     /* op a */
	N_BINOP,     /* a op b */
	N_AND,
	N_OR,
	N_CONCAT,    /* list[n] joined with ~ */
	N_COMPARE,   /* a, then list of N_OPERAND (op, a) */
	N_OPERAND,
	N_CONDEXPR,  /* b if a else c (c may be NULL) */
	N_NSREF,     /* name.attr as a {% set %} target: name, attr in list? see parser */
	/* statements */
	N_BODY,      /* list[n] of statements */
	N_OUTPUT,    /* list[n] of N_DATA or expressions */
	N_DATA,      /* v: text, already newline-normalised */
	N_IF,        /* if a: b (N_BODY) else c (N_BODY, or N_IF for elif) */
	N_FOR,       /* for a in b if e: c else d */
	N_SET,       /* a = b */
	N_SETBLOCK,  /* a = (c rendered) | b */
	N_MACRO,     /* name(list = params, kw = defaults of the last nkw): c */
	N_CALLBLOCK, /* a (a call) with caller(list, kw): c */
	N_FILTERBLOCK, /* b applied to c rendered */
	N_WITH,      /* list = targets, kw = values: c */
	N_BLOCK,     /* name: c */
	N_INCLUDE,   /* a: template name expression */
	N_IMPORT,    /* a as name */
	N_FROMIMPORT, /* from a import list (N_KEYWORD name = alias) */
	N_EXTENDS,   /* a */
	N_AUTOESCAPE, /* a: c */
};

enum node_op {
	OP_NONE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD, OP_POW,
	OP_NEG, OP_POS, OP_NOT,
	OP_EQ, OP_NE, OP_LT, OP_LTEQ, OP_GT, OP_GTEQ, OP_IN, OP_NOTIN,
};

/* Node flags. */
enum {
	NF_RECURSIVE = 1 << 0,     /* for ... recursive */
	NF_USES_CALLER = 1 << 1,   /* macro body mentions caller */
	NF_USES_VARARGS = 1 << 2,  /* ... varargs */
	NF_USES_KWARGS = 1 << 3,   /* ... kwargs */
	NF_IGNORE_MISSING = 1 << 4, /* include ... ignore missing */
	NF_WITH_CONTEXT = 1 << 5,  /* include/import with context */
	NF_STRING_TYPE = 1 << 6,   /* filter whose result Ansible keeps as text */
	NF_SCOPED = 1 << 7,        /* block ... scoped */
};

struct node {
	uint8_t kind;
	uint8_t op;
	uint16_t flags;
	uint32_t off;             /* byte offset in the template source */
	struct node *a, *b, *c, *d, *e;
	struct node **list;       /* arena */
	struct node **kw;         /* arena */
	uint32_t n, nkw;
	const char *name;         /* points into the source or the arena */
	uint32_t len;
	const char *attr;         /* N_NSREF: attribute name */
	uint32_t alen;
	struct value *v;          /* owned by the template (see tpl.consts) */
	const struct tpl_fn_def *fn; /* N_FILTER, N_TEST: resolved at compile time */
};

enum tpl_kind {
	TPL_TEMPLATE, /* a whole template */
	TPL_EXPR,     /* a bare expression */
	TPL_COND,     /* an Ansible conditional (see tpl_compile_cond) */
	TPL_LITERAL,  /* Python literal syntax, for ast.literal_eval */
};

struct tpl {
	enum tpl_kind kind;
	struct arena arena;
	char *src;              /* owned; normalised source */
	size_t len;
	const char *file;       /* interned; NULL for an argument */
	int line0, col0;        /* where the source starts in file */
	struct tpl_opts opts;   /* newline_sequence points to static storage */
	struct node *root;      /* N_BODY for templates, an expression otherwise */
	struct value **consts;  /* owned references, freed with the template */
	size_t nconsts, cconsts;
	unsigned trailing_nl;   /* '\n' ending the original text (Ansible keeps them) */
	struct value *plain;    /* the text when it has no template syntax (in consts) */
	const char *single_var; /* "{{ name }}": the name (Ansible's SINGLE_VAR) */
	size_t single_len;
	int single_var_ok;      /* single_var set (the name may be empty) */
	struct tpl *cond_first; /* TPL_COND with {{ }} in it: the first pass */
	char *cond_text;        /* TPL_COND first pass: the original text */
	size_t cond_len;
};

/* Parses the lexer's tokens of t->src into t->root. kind selects the
 * grammar. Returns 0 or ERR_PARSE/ERR_DEPTH with d filled. */
int parser_run(struct tpl *t, struct diag *d);

/* Converts a byte offset of t's source to a file line and column
 * (1-based, columns in characters). */
void tpl_pos(const struct tpl *t, uint32_t off, int *linep, int *colp);

/* Records v so that it is freed with t; returns v. */
struct value *tpl_keep(struct tpl *t, struct value *v);

#endif
