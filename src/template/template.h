/* Drover's template engine: Jinja2 3.1 as Ansible 2.14 configures it.
 *
 * Playbooks and .j2 files written for Ansible must render byte for byte as
 * they do under ansible-core 2.14 with Jinja2 3.1: the same lexer rules
 * (delimiters, whitespace control, trim_blocks, lstrip_blocks, newline
 * normalisation), the same grammar and operator semantics (Python's int,
 * float, str, list and dict behaviour, including str() and repr() of
 * values), Ansible's finalize (None prints as an empty string), Ansible's
 * undefined variables (AnsibleUndefined: an undefined value may be passed
 * around and tested, but printing, iterating or comparing it is an error),
 * and Ansible's typed results (Templar.template: "{{ [1] }}" is a list,
 * "{{ 1 }}" the string "1", a lone "{{ var }}" the variable's own number or
 * boolean).
 *
 * A template is compiled once (tpl_compile: lexer, parser, a tree in an arena
 * owned by the compiled template) and rendered many times, once per host,
 * against variables supplied through a callback (struct tpl_scope), so that
 * the caller can template variables lazily and apply its own precedence.
 * Compiled templates are immutable: one may be rendered by several renders
 * in turn (the engine is single-threaded).
 *
 * Values are src/data/value.h trees. Undefined values (Jinja's Undefined)
 * and the engine's own objects (macros, loop objects, namespaces, bound
 * methods) are value nodes carrying private flags; tpl_is_undef() tells an
 * undefined value apart. Values handed to the engine are borrowed or
 * referenced, never modified.
 *
 * Integers are 64-bit: where Python would grow a big integer (2 ** 64), the
 * render fails with "integer overflow" instead of giving a wrong number.
 * Known differences from Jinja2 are listed, with their reasons, in
 * tests/template/EXCEPTIONS.md; doc/internals/template.md explains the
 * engine's design.
 *
 * Every render is bounded (struct tpl_limits): output size, size of each
 * string and list built, nesting of macro calls and includes, loop
 * iterations, range() lengths and total work. A template that exceeds a
 * limit fails with ERR_TOOBIG or ERR_DEPTH and a diagnostic; hostile input
 * never crashes the engine or makes it allocate without bound.
 *
 * Errors: syntax errors are ERR_PARSE with the diag at the file:line:col of
 * the offending token and Jinja2's message where it has one ("unexpected
 * '}'", "Encountered unknown tag 'x'.", "No filter named 'x'."). Render
 * errors fill the diag with the position of the expression at fault:
 * ERR_NOTFOUND for an undefined variable or attribute ("'x' is undefined",
 * "'dict object' has no attribute 'y'"), ERR_INVAL for type and value
 * errors (Python's TypeError/ValueError/ZeroDivisionError wording),
 * ERR_TOOBIG and ERR_DEPTH for limits, or whatever a scope callback
 * returned. Positions inside a template are relative to the (line, col)
 * passed to the compiler, so errors point into the playbook or .j2 file.
 *
 * Extending the engine with filters, tests and global functions (lookups):
 * see src/template/plugin.h. */
#ifndef DROVER_TEMPLATE_TEMPLATE_H
#define DROVER_TEMPLATE_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

struct tpl;

/* Lexer and Ansible settings of a template, fixed at compile time. */
struct tpl_opts {
	int trim_blocks;           /* drop the newline after a block tag */
	int lstrip_blocks;         /* strip blanks before a block tag on its line */
	int keep_trailing_newline; /* Jinja drops one final newline unless set */
	const char *newline_sequence; /* "\n" (NULL), "\r\n" or "\r": every line
	                            * break of the text and of string literals
	                            * becomes this */
	/* Delimiters; NULL means Jinja's default ("{%" "%}" "{{" "}}" "{#" "#}").
	 * Each must be 1 to 8 bytes. */
	const char *block_start, *block_end;
	const char *variable_start, *variable_end;
	const char *comment_start, *comment_end;
	/* Ansible's escape_backslashes (Templar.template on playbook strings):
	 * inside {{ }}, a backslash in a string literal is a plain character. */
	int escape_backslashes;
	/* Ansible's Templar.do_template: newlines ending the text that Jinja
	 * dropped are added back, and a first line "#jinja2: key: value, ..."
	 * overrides the settings above (trim_blocks, lstrip_blocks,
	 * keep_trailing_newline, newline_sequence, *_string delimiters). */
	int ansible;
};

/* Settings for strings in playbooks (Templar.template): trim_blocks,
 * escape_backslashes, ansible. */
void tpl_opts_playbook(struct tpl_opts *o);
/* Settings of the template module for .j2 files: trim_blocks, ansible. */
void tpl_opts_file(struct tpl_opts *o);

/* Bounds on one render. Zero fields take the default shown. */
struct tpl_limits {
	size_t max_output;        /* bytes of rendered text (64 MiB) */
	size_t max_str;           /* bytes of one string value built (64 MiB) */
	size_t max_items;         /* items of one list or dict built (1 << 22) */
	unsigned max_depth;       /* nested macro calls, includes, recursive
	                           * loops and expression nesting (200) */
	uint64_t max_iterations;  /* loop iterations per render (10 million) */
	uint64_t max_work;        /* evaluation steps plus bytes and items
	                           * processed (1 << 32) */
	uint64_t max_objects;     /* macros, loops, namespaces, bound methods
	                           * created per render (1 << 20) */
	size_t max_range;         /* items range() may produce (1 << 22) */
};

/*
 * struct tpl_scope - where a render finds its variables
 *
 * lookup is called for every name a template reads that is not one of its
 * own (loop variables, {% set %}, macro parameters). It returns 0 with a
 * new reference in *vp, ERR_NOTFOUND when there is no such variable (the
 * engine then tries its global functions, and else makes an undefined
 * value), or another error code to abort the render (after filling d, e.g.
 * for a recursive variable). To template a variable lazily and keep
 * Ansible's behaviour, a callback whose variable fails to template with an
 * undefined error returns tpl_undef_new() with a hint instead of failing,
 * as Ansible's AnsibleJ2Vars does.
 *
 * Proxies (optional) keep large variables such as hostvars lazy: lookup may
 * return tpl_proxy_new(tag); the engine then calls proxy_get for an
 * attribute or item of it (0 and a new reference, or ERR_NOTFOUND for an
 * undefined attribute) and proxy_value when the whole value is needed (new
 * reference).
 *
 * load (optional) resolves {% include %}/{% import %}/{% from %} names to
 * compiled templates (a new tpl the engine frees when done with it, or
 * ERR_NOTFOUND; d may explain). Without it every include fails as Jinja's
 * TemplateNotFound. {% extends %} is not supported.
 *
 * single_raw (optional) serves Ansible's lone "{{ name }}" shortcut, which
 * looks at the variable as stored, before templating: it returns 1 when
 * name's stored value is a bool, number or null (the shortcut then returns
 * lookup's value), 0 when it is anything else (the template is rendered, so
 * "{{ x }}" of x: "{{ 1 }}" is the text "1"). Without it the shortcut
 * judges lookup's value.
 *
 * limits may be NULL for the defaults. flags: TPL_SCOPE_* bits, visible to
 * plugins (tpl_call_scope). search_dirs (optional, NULL-terminated) are the
 * playbook's and role's directories for lookups (src/template/lookups.c).
 */
struct tpl_scope {
	void *ctx;
	int (*lookup)(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d);
	int (*proxy_get)(void *ctx, const struct value *proxy, const char *key, size_t len,
	                 struct value **vp, struct diag *d);
	int (*proxy_value)(void *ctx, const struct value *proxy, struct value **vp, struct diag *d);
	int (*load)(void *ctx, const char *name, size_t len, struct tpl **tp, struct diag *d);
	const struct tpl_limits *limits;
	unsigned flags;
	int (*single_raw)(void *ctx, const char *name, size_t len);
	/* Directories the lookups search for files, in order (file, template,
	 * first_found and fileglob look in "<dir>/files/" then "<dir>/";
	 * pipe, lines and password's relative paths use the first); NULL or
	 * empty means the current directory. */
	const char *const *search_dirs;
};

enum {
	TPL_SCOPE_NO_LOOKUPS = 1 << 0, /* lookup()/query() must fail (unsafe input) */
};

/*
 * tpl_compile - compile a template
 *
 * Compiles the len bytes at text. file, line and col say where the text
 * starts (file may be NULL; line and col are 1-based, 0 when unknown) and
 * are used in every diagnostic. o may be NULL for Jinja's defaults. On
 * success *tp is a new compiled template. On failure returns ERR_PARSE (or
 * ERR_TOOBIG for a template over 64 MiB, ERR_DEPTH for nesting over 200)
 * with d filled and *tp NULL.
 */
int tpl_compile(const char *text, size_t len, const char *file, int line, int col,
                const struct tpl_opts *o, struct tpl **tp, struct diag *d);

/*
 * tpl_compile_expr - compile a bare expression
 *
 * As tpl_compile for the text of a Jinja expression without delimiters (as
 * Environment.compile_expression): "x.y | default(1) > 2". Trailing
 * whitespace is allowed, nothing else.
 */
int tpl_compile_expr(const char *text, size_t len, const char *file, int line, int col,
                     struct tpl **tp, struct diag *d);

/*
 * tpl_compile_cond - compile an Ansible conditional (when:, failed_when:...)
 *
 * Ansible templates the conditional once (it may contain {{ }}, with a
 * warning) and evaluates the result as "{% if <cond> %} True {% else %}
 * False {% endif %}"; the expression is parsed as Jinja parses an if test
 * (a tuple is allowed, an inline if-else is not).
 */
int tpl_compile_cond(const char *text, size_t len, const char *file, int line, int col,
                     struct tpl **tp, struct diag *d);

/* Frees a compiled template. Accepts NULL. */
void tpl_free(struct tpl *t);

/*
 * tpl_render - render to text
 *
 * Appends the output of t to out (whose cap is honoured as well as the
 * output limit), as Ansible's template module does (Templar.do_template
 * with convert_data false): expression results are printed with Python's
 * str() after Ansible's finalize (None prints nothing; an undefined value,
 * even one nested in a list or dict, is an error). On error out may hold
 * partial output (its length is restored to what it was).
 */
int tpl_render(const struct tpl *t, const struct tpl_scope *s, struct buf *out, struct diag *d);

/*
 * tpl_render_value - render as Ansible's Templar.template
 *
 * Returns in *vp a new value, as Templar.template (jinja2_native false,
 * convert_data true) returns for a playbook string:
 *   - "{{ name }}" alone (Ansible's SINGLE_VAR) of a variable holding a
 *     bool, int or float gives that value, of a null gives null;
 *   - otherwise the text is rendered; when it starts with "[" or "{", or is
 *     "True" or "False", it is read back as a Python literal (true, false
 *     and null accepted) and that value is returned if it is one, so
 *     "{{ [1, 2] }}" is a list and "{{ 1 }}" the string "1";
 *   - the text of a lone string filter ({{ x | to_json }}, | string,
 *     | to_nice_json, | to_yaml, | to_nice_yaml) stays text.
 * Strings in the result carry VALUE_F_UNSAFE when the render read an unsafe
 * variable, as Ansible wraps such results.
 */
int tpl_render_value(const struct tpl *t, const struct tpl_scope *s, struct value **vp, struct diag *d);

/*
 * tpl_eval_expr - evaluate a compiled bare expression
 *
 * *vp receives the expression's value, which may be undefined
 * (tpl_is_undef) or contain undefined values: the caller decides. A
 * template compiled with tpl_compile is rendered with tpl_render_value.
 */
int tpl_eval_expr(const struct tpl *t, const struct tpl_scope *s, struct value **vp, struct diag *d);

/*
 * tpl_eval_cond - evaluate a compiled Ansible conditional
 *
 * Sets *resultp to 0 or 1 as Ansible's Conditional._check_conditional
 * does, including its rule for undefined variables: when evaluating fails
 * because variable X is undefined and the text contains "X is defined" or
 * "X is undefined" (or their negations), the result follows from that
 * test instead of failing. Errors as tpl_render_value.
 */
int tpl_eval_cond(const struct tpl *t, const struct tpl_scope *s, int *resultp, struct diag *d);

/* Returns non-zero when s (n bytes) contains "{{", "{%" or "{#" (Ansible's
 * is_possibly_template): strings without them need no templating. */
int tpl_has_syntax(const char *s, size_t n);

/* Undefined values. hint is the message an error about it shows
 * ("'x' is undefined"); NULL gives "Mandatory variable has not been
 * overridden" as Ansible's undef(). Returns a new value. */
struct value *tpl_undef_new(const char *hint);
int tpl_is_undef(const struct value *v);
/* The error message of an undefined value (borrowed). */
const char *tpl_undef_msg(const struct value *v);

/* Proxies (see struct tpl_scope): tag identifies the proxied value to the
 * callbacks. Returns a new value. */
struct value *tpl_proxy_new(const char *tag, size_t len);
int tpl_is_proxy(const struct value *v);

#endif
