/* The template lexer, following Jinja2 3.1's lexer rule for rule: text and
 * tags found lazily, whitespace control ("-", "+", trim_blocks,
 * lstrip_blocks), raw blocks, comments, and inside tags the operators,
 * names, numbers and string literals of Jinja's expression language.
 * Tags only end when brackets are balanced, as in Jinja. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "template/ast.h"
#include "template/ustr.h"

enum { LEX_ROOT, LEX_BLOCK, LEX_VAR };

static const char *lexer_delim(const char *s, const char *def)
{
	return s != NULL ? s : def;
}

#define BS(lx) lexer_delim((lx)->o->block_start, "{%")
#define BE(lx) lexer_delim((lx)->o->block_end, "%}")
#define VS(lx) lexer_delim((lx)->o->variable_start, "{{")
#define VE(lx) lexer_delim((lx)->o->variable_end, "}}")
#define CS(lx) lexer_delim((lx)->o->comment_start, "{#")
#define CE(lx) lexer_delim((lx)->o->comment_end, "#}")

void lexer_init(struct lexer *lx, const char *src, size_t len, const struct tpl_opts *o, int start_in_var)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
	lx->o = o;
	lx->nl = o->newline_sequence ? o->newline_sequence : "\n";
	lx->line_starting = 1;
	lx->raw_strings = 0;
	lx->state = start_in_var ? LEX_VAR : LEX_ROOT;
}

const char *lexer_describe(enum tok t)
{
	static const char *const names[] = {
		[TK_EOF] = "end of template", [TK_ERROR] = "error", [TK_DATA] = "template data / text",
		[TK_VAR_BEGIN] = "begin of print statement", [TK_VAR_END] = "end of print statement",
		[TK_BLOCK_BEGIN] = "begin of statement block", [TK_BLOCK_END] = "end of statement block",
		[TK_NAME] = "name", [TK_STRING] = "string", [TK_INT] = "integer", [TK_FLOAT] = "float",
		[TK_ADD] = "+", [TK_SUB] = "-", [TK_DIV] = "/", [TK_FLOORDIV] = "//", [TK_MUL] = "*",
		[TK_MOD] = "%", [TK_POW] = "**", [TK_TILDE] = "~", [TK_LBRACKET] = "[",
		[TK_RBRACKET] = "]", [TK_LPAREN] = "(", [TK_RPAREN] = ")", [TK_LBRACE] = "{",
		[TK_RBRACE] = "}", [TK_EQ] = "==", [TK_NE] = "!=", [TK_GT] = ">", [TK_GTEQ] = ">=",
		[TK_LT] = "<", [TK_LTEQ] = "<=", [TK_ASSIGN] = "=", [TK_DOT] = ".", [TK_COLON] = ":",
		[TK_PIPE] = "|", [TK_COMMA] = ",", [TK_SEMICOLON] = ";",
	};

	return names[t];
}

static int lexer_at(const struct lexer *lx, size_t pos, const char *s)
{
	size_t n = strlen(s);

	return pos <= lx->len && lx->len - pos >= n && memcmp(lx->src + pos, s, n) == 0;
}

/* Skips Python whitespace (\s) from pos; returns the new position. */
static size_t lexer_skip_ws(const struct lexer *lx, size_t pos)
{
	uint32_t cp;
	size_t k;

	while (pos < lx->len) {
		k = ustr_decode(lx->src + pos, lx->len - pos, &cp);
		if (!ustr_isspace(cp))
			break;
		pos += k;
	}
	return pos;
}

static void lexer_push(struct lexer *lx, enum tok type, size_t off, size_t len)
{
	struct token *t = &lx->queue[lx->nqueue++];

	memset(t, 0, sizeof(*t));
	t->type = type;
	t->off = (uint32_t)off;
	t->len = (uint32_t)len;
}

static void lexer_fail(struct lexer *lx, size_t off, const char *msg)
{
	if (msg != lx->errbuf)
		snprintf(lx->errbuf, sizeof(lx->errbuf), "%s", msg);
	lx->nqueue = 0;
	lexer_push(lx, TK_ERROR, off, 0);
	lx->queue[0].err = lx->errbuf;
	lx->state = -1;
}

/* Python's repr() of the character at pos, for "unexpected char" messages. */
static void lexer_unexpected(struct lexer *lx, size_t pos)
{
	char ch[8] = {0};
	uint32_t cp;
	size_t k = ustr_decode(lx->src + pos, lx->len - pos, &cp), idx;

	memcpy(ch, lx->src + pos, k);
	idx = ustr_len(lx->src, pos);
	if (cp == '\'')
		snprintf(lx->errbuf, sizeof(lx->errbuf), "unexpected char \"'\" at %zu", idx);
	else if (cp == '\\')
		snprintf(lx->errbuf, sizeof(lx->errbuf), "unexpected char '\\\\' at %zu", idx);
	else if (cp < 0x20 || cp == 0x7f)
		snprintf(lx->errbuf, sizeof(lx->errbuf), "unexpected char '\\x%02x' at %zu", cp, idx);
	else
		snprintf(lx->errbuf, sizeof(lx->errbuf), "unexpected char '%s' at %zu", ch, idx);
	lx->nqueue = 0;
	lexer_push(lx, TK_ERROR, pos, 0);
	lx->queue[0].err = lx->errbuf;
	lx->state = -1;
}

/* A begin delimiter found in the text. */
struct lexer_begin {
	size_t at;     /* where the delimiter starts */
	size_t end;    /* after the delimiter and its sign (after the whole tag for raw) */
	enum tok type; /* TK_VAR_BEGIN, TK_BLOCK_BEGIN, TK_COMMENT (as TK_ERROR placeholder) or raw */
	int is_comment, is_raw;
	char sign;     /* '-', '+' or 0 */
};

/* Matches "{%(-|+|)\s*raw\s*(-%}\s*|%})" at pos (the raw_begin rule). */
static int lexer_match_raw(const struct lexer *lx, size_t pos, struct lexer_begin *b)
{
	size_t p = pos + strlen(BS(lx));
	char sign = 0;

	if (p < lx->len && (lx->src[p] == '-' || lx->src[p] == '+'))
		sign = lx->src[p++];
	p = lexer_skip_ws(lx, p);
	if (!lexer_at(lx, p, "raw"))
		return 0;
	p = lexer_skip_ws(lx, p + 3);
	if (p < lx->len && lx->src[p] == '-' && lexer_at(lx, p + 1, BE(lx)))
		p = lexer_skip_ws(lx, p + 1 + strlen(BE(lx)));
	else if (lexer_at(lx, p, BE(lx)))
		p += strlen(BE(lx));
	else
		return 0;
	b->at = pos;
	b->end = p;
	b->is_raw = 1;
	b->sign = sign;
	return 1;
}

struct lexer_rule {
	const char *s;
	enum tok type;
	int comment;
	const char *name;
};

/* Tries the begin rules at pos in Jinja's order (raw, then the delimiters
 * longest first, then variable, comment, block for equal lengths). */
static int lexer_match_begin(const struct lexer *lx, size_t pos, struct lexer_begin *b)
{
	struct lexer_rule r[3] = {{VS(lx), TK_VAR_BEGIN, 0, "variable_begin"},
	                          {CS(lx), TK_ERROR, 1, "comment_begin"},
	                          {BS(lx), TK_BLOCK_BEGIN, 0, "block_begin"}};
	struct lexer_rule tmp;
	size_t i, j, best;

	if (lx->src[pos] != r[0].s[0] && lx->src[pos] != r[1].s[0] && lx->src[pos] != r[2].s[0])
		return 0;
	memset(b, 0, sizeof(*b));
	if (lexer_at(lx, pos, BS(lx)) && lexer_match_raw(lx, pos, b))
		return 1;
	/* Sort by (length, name) descending as Jinja's compile_rules does. */
	for (i = 0; i < 3; i++) {
		best = i;
		for (j = i + 1; j < 3; j++) {
			size_t lb = strlen(r[best].s), lj = strlen(r[j].s);

			if (lj > lb || (lj == lb && strcmp(r[j].name, r[best].name) > 0))
				best = j;
		}
		if (best != i) {
			tmp = r[i];
			r[i] = r[best];
			r[best] = tmp;
		}
		if (lexer_at(lx, pos, r[i].s)) {
			b->at = pos;
			b->end = pos + strlen(r[i].s);
			b->type = r[i].type;
			b->is_comment = r[i].comment;
			if (b->end < lx->len && (lx->src[b->end] == '-' || lx->src[b->end] == '+'))
				b->sign = lx->src[b->end++];
			return 1;
		}
	}
	return 0;
}

/* Applies "-" and lstrip_blocks to the text before a tag; returns its new
 * length. */
static size_t lexer_strip(const struct lexer *lx, const char *text, size_t n, char sign, int is_var)
{
	size_t lpos, i;
	uint32_t cp;

	if (sign == '-')
		return ustr_rstrip_ws(text, n);
	if (sign == '+' || !lx->o->lstrip_blocks || is_var)
		return n;
	for (lpos = n; lpos > 0 && text[lpos - 1] != '\n'; lpos--)
		;
	if (!(lpos > 0 || lx->line_starting) || lpos == n)
		return n;
	for (i = lpos; i < n;) {
		i += ustr_decode(text + i, n - i, &cp);
		if (!ustr_isspace(cp))
			return n;
	}
	return lpos;
}

static void lexer_push_data(struct lexer *lx, size_t off, size_t len)
{
	if (len == 0)
		return;
	lexer_push(lx, TK_DATA, off, len);
	lx->queue[lx->nqueue - 1].text = lx->src + off;
	lx->queue[lx->nqueue - 1].tlen = len;
}

/* The body of a raw block up to its endraw tag. */
static void lexer_raw_body(struct lexer *lx, size_t start)
{
	size_t k, p, n, bs = strlen(BS(lx)), be = strlen(BE(lx));
	char sign;

	for (k = start; k < lx->len; k++) {
		if (!lexer_at(lx, k, BS(lx)))
			continue;
		p = k + bs;
		sign = 0;
		if (p < lx->len && (lx->src[p] == '-' || lx->src[p] == '+'))
			sign = lx->src[p++];
		p = lexer_skip_ws(lx, p);
		if (!lexer_at(lx, p, "endraw"))
			continue;
		p = lexer_skip_ws(lx, p + 6);
		if (p < lx->len && lx->src[p] == '+' && lexer_at(lx, p + 1, BE(lx)))
			p += 1 + be;
		else if (p < lx->len && lx->src[p] == '-' && lexer_at(lx, p + 1, BE(lx)))
			p = lexer_skip_ws(lx, p + 1 + be);
		else if (lexer_at(lx, p, BE(lx)))
			p += be + (lx->o->trim_blocks && p + be < lx->len && lx->src[p + be] == '\n');
		else
			continue;
		n = lexer_strip(lx, lx->src + start, k - start, sign, 0);
		lexer_push_data(lx, start, n);
		lx->line_starting = lx->src[p - 1] == '\n';
		lx->pos = p;
		return;
	}
	lexer_fail(lx, start, "Missing end of raw directive");
}

/* Skips a comment body and its end tag. */
static void lexer_comment(struct lexer *lx, size_t start)
{
	size_t k, ce = strlen(CE(lx));

	for (k = start; k < lx->len; k++) {
		if (lx->src[k] == '+' && lexer_at(lx, k + 1, CE(lx))) {
			lx->pos = k + 1 + ce;
		} else if (lx->src[k] == '-' && lexer_at(lx, k + 1, CE(lx))) {
			lx->pos = lexer_skip_ws(lx, k + 1 + ce);
		} else if (lexer_at(lx, k, CE(lx))) {
			lx->pos = k + ce;
			if (lx->o->trim_blocks && lx->pos < lx->len && lx->src[lx->pos] == '\n')
				lx->pos++;
		} else {
			continue;
		}
		lx->line_starting = lx->src[lx->pos - 1] == '\n';
		return;
	}
	lexer_fail(lx, start, "Missing end of comment tag");
}

/* The root state: text up to the next tag. Comments are skipped here, so
 * one call may loop over several of them. */
static void lexer_root(struct lexer *lx)
{
	struct lexer_begin b;
	size_t k, n;

	while (lx->nqueue == 0 && lx->state == LEX_ROOT) {
		if (lx->pos >= lx->len)
			return;
		for (k = lx->pos; k < lx->len; k++)
			if (lexer_match_begin(lx, k, &b))
				break;
		if (k >= lx->len) {
			lexer_push_data(lx, lx->pos, lx->len - lx->pos);
			lx->pos = lx->len;
			return;
		}
		n = lexer_strip(lx, lx->src + lx->pos, k - lx->pos, b.sign, b.type == TK_VAR_BEGIN);
		lexer_push_data(lx, lx->pos, n);
		lx->line_starting = 0;
		if (b.is_raw) {
			lx->line_starting = lx->src[b.end - 1] == '\n';
			lx->pos = b.end;
			lexer_raw_body(lx, b.end);
		} else if (b.is_comment) {
			lexer_comment(lx, b.end);
		} else {
			lexer_push(lx, b.type, b.at, b.end - b.at);
			lx->state = b.type == TK_VAR_BEGIN ? LEX_VAR : LEX_BLOCK;
			lx->pos = b.end;
		}
	}
}

/* The end of a block or variable tag at pos, if brackets are balanced. */
static int lexer_tag_end(struct lexer *lx)
{
	size_t p = lx->pos;
	const char *end = lx->state == LEX_BLOCK ? BE(lx) : VE(lx);
	size_t elen = strlen(end);

	if (lx->depth > 0)
		return 0;
	if (lx->state == LEX_BLOCK && lx->src[p] == '+' && lexer_at(lx, p + 1, end)) {
		p += 1 + elen;
	} else if (lx->src[p] == '-' && lexer_at(lx, p + 1, end)) {
		p = lexer_skip_ws(lx, p + 1 + elen);
	} else if (lexer_at(lx, p, end)) {
		p += elen;
		if (lx->state == LEX_BLOCK && lx->o->trim_blocks && p < lx->len && lx->src[p] == '\n')
			p++;
	} else {
		return 0;
	}
	lexer_push(lx, lx->state == LEX_BLOCK ? TK_BLOCK_END : TK_VAR_END, lx->pos, p - lx->pos);
	lx->line_starting = lx->src[p - 1] == '\n';
	lx->pos = p;
	lx->state = LEX_ROOT;
	return 1;
}

static int lexer_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/* (\d+_)*\d+ from p; returns the end or p when there is no digit. */
static size_t lexer_digits(const struct lexer *lx, size_t p)
{
	size_t q = p;

	while (q < lx->len && lexer_isdigit(lx->src[q])) {
		q++;
		if (q + 1 < lx->len && lx->src[q] == '_' && lexer_isdigit(lx->src[q + 1]))
			q++;
	}
	return q;
}

/* Jinja's float_re at pos; returns the end or 0. */
static size_t lexer_match_float(const struct lexer *lx, size_t pos)
{
	size_t p, q, e;

	if (pos > 0 && lx->src[pos - 1] == '.')
		return 0;
	p = lexer_digits(lx, pos);
	if (p == pos)
		return 0;
	q = p;
	if (q + 1 < lx->len && lx->src[q] == '.' && lexer_isdigit(lx->src[q + 1]))
		q = lexer_digits(lx, q + 1);
	if (q < lx->len && (lx->src[q] == 'e' || lx->src[q] == 'E')) {
		e = q + 1;
		if (e < lx->len && (lx->src[e] == '+' || lx->src[e] == '-'))
			e++;
		if (e < lx->len && lexer_isdigit(lx->src[e]))
			return lexer_digits(lx, e);
	}
	return q > p ? q : 0;
}

static int lexer_is_radix_digit(char c, int radix)
{
	if (radix == 2)
		return c == '0' || c == '1';
	if (radix == 8)
		return c >= '0' && c <= '7';
	return lexer_isdigit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* Jinja's integer_re at pos; returns the end (pos when none) and the radix. */
static size_t lexer_match_int(const struct lexer *lx, size_t pos, int *radixp)
{
	const char *s = lx->src;
	size_t p = pos;
	int radix = 0;
	char x;

	if (s[p] == '0' && p + 1 < lx->len) {
		x = (char)(s[p + 1] | 0x20);
		radix = x == 'b' ? 2 : x == 'o' ? 8 : x == 'x' ? 16 : 0;
	}
	if (radix != 0) {
		p += 2;
		while (p < lx->len) {
			if (s[p] == '_' && p + 1 < lx->len && lexer_is_radix_digit(s[p + 1], radix))
				p++;
			if (!lexer_is_radix_digit(s[p], radix))
				break;
			p++;
		}
		if (p > pos + 2) {
			*radixp = radix;
			return p;
		}
		p = pos;
	}
	*radixp = 10;
	if (s[p] >= '1' && s[p] <= '9')
		return lexer_digits(lx, p);
	if (s[p] != '0')
		return pos;
	p++;
	while (p < lx->len && (s[p] == '0' || (s[p] == '_' && p + 1 < lx->len && s[p + 1] == '0')))
		p += s[p] == '_' ? 2 : 1;
	return p;
}

static void lexer_number(struct lexer *lx, size_t end, int is_float, int radix)
{
	char tmp[128];
	size_t i, k = 0, start = lx->pos;
	unsigned long long u = 0;
	struct token *t;
	int overflow = 0, d;

	for (i = start + (radix != 10 ? 2 : 0); i < end; i++) {
		if (lx->src[i] == '_')
			continue;
		if (is_float) {
			if (k + 1 < sizeof(tmp))
				tmp[k++] = lx->src[i];
			continue;
		}
		d = lexer_isdigit(lx->src[i]) ? lx->src[i] - '0' : (lx->src[i] | 0x20) - 'a' + 10;
		if (u > (~0ULL - (unsigned)d) / (unsigned)radix)
			overflow = 1;
		u = u * (unsigned)radix + (unsigned)d;
	}
	if (overflow || (!is_float && u > (unsigned long long)INT64_MAX)) {
		lexer_fail(lx, start, "integer literal too big (drover integers are 64-bit)");
		return;
	}
	lexer_push(lx, is_float ? TK_FLOAT : TK_INT, start, end - start);
	t = &lx->queue[lx->nqueue - 1];
	if (is_float) {
		tmp[k] = '\0';
		t->v = value_float(strtod(tmp, NULL));
	} else {
		t->v = value_int((int64_t)u);
	}
	lx->pos = end;
}

static int lexer_name_char(uint32_t cp)
{
	if (cp < 0x80)
		return cp == '_' || (cp | 0x20) - 'a' < 26 || (cp >= '0' && cp <= '9');
	return !ustr_isspace(cp) && ustr_isprintable(cp);
}

static int lexer_name(struct lexer *lx)
{
	size_t p = lx->pos, k;
	uint32_t cp;

	while (p < lx->len) {
		k = ustr_decode(lx->src + p, lx->len - p, &cp);
		if (!lexer_name_char(cp))
			break;
		p += k;
	}
	if (p == lx->pos)
		return 0;
	lexer_push(lx, TK_NAME, lx->pos, p - lx->pos);
	lx->queue[lx->nqueue - 1].text = lx->src + lx->pos;
	lx->queue[lx->nqueue - 1].tlen = p - lx->pos;
	lx->pos = p;
	return 1;
}

static int lexer_string(struct lexer *lx)
{
	char q = lx->src[lx->pos];
	size_t p = lx->pos + 1;
	const char *err = NULL;
	struct value *v = NULL;
	int raw = lx->raw_strings && lx->state == LEX_VAR;

	while (p < lx->len && lx->src[p] != q) {
		if (lx->src[p] == '\\' && !raw) {
			if (p + 1 >= lx->len)
				return 0;
			p++;
		}
		p++;
	}
	if (p >= lx->len)
		return 0;
	if (lexer_unescape(lx->src + lx->pos + 1, p - lx->pos - 1, lx->nl, raw, &v, &err) != 0) {
		lexer_fail(lx, lx->pos, err);
		return 1;
	}
	lexer_push(lx, TK_STRING, lx->pos, p + 1 - lx->pos);
	lx->queue[lx->nqueue - 1].v = v;
	lx->pos = p + 1;
	return 1;
}

static const struct {
	const char *s;
	enum tok type;
} lexer_ops[] = {
	{"//", TK_FLOORDIV}, {"**", TK_POW}, {"==", TK_EQ}, {"!=", TK_NE}, {">=", TK_GTEQ},
	{"<=", TK_LTEQ}, {"+", TK_ADD}, {"-", TK_SUB}, {"/", TK_DIV}, {"*", TK_MUL}, {"%", TK_MOD},
	{"~", TK_TILDE}, {"[", TK_LBRACKET}, {"]", TK_RBRACKET}, {"(", TK_LPAREN}, {")", TK_RPAREN},
	{"{", TK_LBRACE}, {"}", TK_RBRACE}, {">", TK_GT}, {"<", TK_LT}, {"=", TK_ASSIGN},
	{".", TK_DOT}, {":", TK_COLON}, {"|", TK_PIPE}, {",", TK_COMMA}, {";", TK_SEMICOLON},
};

static void lexer_balance(struct lexer *lx, char c)
{
	char want;

	if (c == '{' || c == '(' || c == '[') {
		if (lx->depth >= LEXER_MAX_NEST) {
			lexer_fail(lx, lx->pos, "too many nested brackets");
			return;
		}
		lx->nest[lx->depth++] = c == '{' ? '}' : c == '(' ? ')' : ']';
		return;
	}
	if (c != '}' && c != ')' && c != ']')
		return;
	if (lx->depth == 0) {
		snprintf(lx->errbuf, sizeof(lx->errbuf), "unexpected '%c'", c);
		lexer_fail(lx, lx->pos, lx->errbuf);
		return;
	}
	want = lx->nest[--lx->depth];
	if (want != c) {
		char msg[64];

		snprintf(msg, sizeof(msg), "unexpected '%c', expected '%c'", c, want);
		lexer_fail(lx, lx->pos, msg);
	}
}

static int lexer_operator(struct lexer *lx)
{
	size_t i, n;

	for (i = 0; i < sizeof(lexer_ops) / sizeof(lexer_ops[0]); i++) {
		if (!lexer_at(lx, lx->pos, lexer_ops[i].s))
			continue;
		n = strlen(lexer_ops[i].s);
		lexer_balance(lx, lexer_ops[i].s[0]);
		if (lx->state < 0)
			return 1;
		lexer_push(lx, lexer_ops[i].type, lx->pos, n);
		lx->pos += n;
		return 1;
	}
	return 0;
}

/* One token inside a tag (whitespace is skipped first). */
static void lexer_tag(struct lexer *lx)
{
	size_t end;
	int radix;

	for (;;) {
		if (lx->pos >= lx->len) {
			lexer_push(lx, TK_EOF, lx->len, 0);
			return;
		}
		if (lexer_tag_end(lx))
			return;
		end = lexer_skip_ws(lx, lx->pos);
		if (end == lx->pos)
			break;
		lx->line_starting = lx->src[end - 1] == '\n';
		lx->pos = end;
	}
	lx->line_starting = 0;
	if ((end = lexer_match_float(lx, lx->pos)) != 0) {
		lexer_number(lx, end, 1, 10);
		return;
	}
	if ((end = lexer_match_int(lx, lx->pos, &radix)) != lx->pos) {
		lexer_number(lx, end, 0, radix);
		return;
	}
	if (lexer_name(lx))
		return;
	if ((lx->src[lx->pos] == '\'' || lx->src[lx->pos] == '"') && lexer_string(lx))
		return;
	if (lexer_operator(lx))
		return;
	lexer_unexpected(lx, lx->pos);
}

void lexer_next(struct lexer *lx, struct token *t)
{
	if (lx->nqueue == 0) {
		if (lx->state == LEX_ROOT)
			lexer_root(lx);
		else if (lx->state == LEX_BLOCK || lx->state == LEX_VAR)
			lexer_tag(lx);
	}
	if (lx->nqueue == 0) {
		memset(t, 0, sizeof(*t));
		t->type = lx->state < 0 ? TK_ERROR : TK_EOF;
		t->off = (uint32_t)lx->len;
		t->err = lx->errbuf;
		return;
	}
	*t = lx->queue[0];
	if (t->type == TK_ERROR)
		return; /* sticky: the queue keeps the error */
	memmove(&lx->queue[0], &lx->queue[1], (size_t)(lx->nqueue - 1) * sizeof(lx->queue[0]));
	lx->nqueue--;
}

static int lexer_hex(const char *s, size_t n, size_t want, uint32_t *cpp)
{
	uint32_t cp = 0;
	size_t i;

	if (n < want)
		return -1;
	for (i = 0; i < want; i++) {
		char c = s[i];

		if (lexer_isdigit(c))
			cp = cp * 16 + (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			cp = cp * 16 + (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return -1;
	}
	*cpp = cp;
	return 0;
}

/* One backslash escape at s[0] == '\\'; returns the bytes consumed or 0 on
 * error. */
static size_t lexer_escape(const char *s, size_t n, struct buf *b, const char **errp)
{
	static const char simple[] = "\\\\''\"\"a\ab\bf\fn\nr\rt\tv\v";
	uint32_t cp = 0;
	size_t i, k;
	char c = s[1];

	for (i = 0; simple[i]; i += 2)
		if (simple[i] == c)
			return buf_putc(b, simple[i + 1]) == 0 ? 2 : 0;
	if (c == '\n')
		return 2;
	if (c >= '0' && c <= '7') {
		for (k = 1; k < 4 && k < n && s[k] >= '0' && s[k] <= '7'; k++)
			cp = cp * 8 + (uint32_t)(s[k] - '0');
		return ustr_put(b, cp) == 0 ? k : 0;
	}
	if (c == 'x' || c == 'u' || c == 'U') {
		size_t want = c == 'x' ? 2 : c == 'u' ? 4 : 8;

		if (lexer_hex(s + 2, n - 2, want, &cp) != 0) {
			*errp = c == 'x' ? "truncated \\xXX escape" : c == 'u' ? "truncated \\uXXXX escape"
			                                                   : "truncated \\UXXXXXXXX escape";
			return 0;
		}
		if (cp > 0x10ffff) {
			*errp = "illegal Unicode character";
			return 0;
		}
		return ustr_put(b, cp) == 0 ? 2 + want : 0;
	}
	if (c == 'N') {
		*errp = "\\N{...} escapes are not supported by drover";
		return 0;
	}
	if ((unsigned char)c >= 0x80) {
		/* Jinja escapes non-ASCII text with backslashreplace before
		 * decoding, so a backslash before it stays with the escape. */
		k = ustr_decode(s + 1, n - 1, &cp);
		if (buf_putc(b, '\\') != 0)
			return 0;
		if (cp < 0x100)
			buf_printf(b, "\\x%02x", cp);
		else if (cp < 0x10000)
			buf_printf(b, "\\u%04x", cp);
		else
			buf_printf(b, "\\U%08x", cp);
		return 1 + k;
	}
	return buf_putc(b, '\\') == 0 ? 1 : 0;
}

int lexer_unescape(const char *s, size_t n, const char *nl, int raw, struct value **vp, const char **errp)
{
	struct buf b;
	size_t i = 0, k;
	char *str;
	size_t len;

	buf_init(&b, 0);
	*vp = NULL;
	*errp = "string literal too long";
	while (i < n) {
		if (s[i] == '\n') {
			if (buf_puts(&b, nl) != 0)
				goto fail;
			i++;
		} else if (s[i] == '\\' && !raw && i + 1 < n && s[i + 1] == '\n' && nl[0] == '\n' && !nl[1]) {
			i += 2; /* a line continuation */
		} else if (s[i] == '\\' && !raw && i + 1 < n && s[i + 1] != '\n') {
			if ((k = lexer_escape(s + i, n - i, &b, errp)) == 0)
				goto fail;
			i += k;
		} else {
			if (buf_putc(&b, s[i]) != 0)
				goto fail;
			i++;
		}
	}
	str = buf_take(&b, &len);
	*vp = value_str_take(str, len);
	return 0;
fail:
	buf_fini(&b);
	return -1;
}
