/* Unit tests of the template engine: syntax errors with their positions,
 * the evaluator through the public API (scopes, undefined values, proxies,
 * includes, Ansible's typed results and conditionals) and the limits that
 * make hostile templates fail instead of exhausting the machine.
 * Rendering semantics are covered case by case by the differential test
 * against Jinja2 (tests/e2e/test_template_jinja.sh). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "data/json.h"
#include "t.h"
#include "template/pyval.h"
#include "template/template.h"

/* A scope over a JSON object of variables. */
struct vars {
	struct value *map;
	int lookups;
	int fail_name; /* lookup of "boom" fails */
};

static int vars_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct vars *v = ctx;
	struct value *x;

	v->lookups++;
	if (v->fail_name && len == 4 && memcmp(name, "boom", 4) == 0) {
		diag_set(d, "vars.yml", 3, 1, "recursive loop detected in template string: {{ boom }}");
		return ERR_DEPTH;
	}
	if ((x = value_map_getn(v->map, name, len)) == NULL)
		return ERR_NOTFOUND;
	*vp = value_ref(x);
	return 0;
}

static struct value *json(const char *text)
{
	struct value *v = NULL;
	struct diag d;

	diag_init(&d);
	if (json_decode(text, strlen(text), NULL, &v, &d) != 0)
		abort();
	diag_fini(&d);
	return v;
}

static void vars_init(struct vars *v, struct tpl_scope *s, const char *jsontext)
{
	memset(v, 0, sizeof(*v));
	memset(s, 0, sizeof(*s));
	v->map = json(jsontext);
	s->ctx = v;
	s->lookup = vars_lookup;
}

/* Renders text as a .j2 file; returns the error code; *outp gets the text
 * or the formatted diagnostic (caller frees). */
static int render_opts(const char *text, const struct tpl_scope *s, const struct tpl_opts *o, char **outp)
{
	struct tpl *t;
	struct diag d;
	struct buf b;
	int r;

	diag_init(&d);
	buf_init(&b, 0);
	r = tpl_compile(text, strlen(text), "t.j2", 1, 1, o, &t, &d);
	if (r == 0) {
		r = tpl_render(t, s, &b, &d);
		tpl_free(t);
	}
	*outp = r == 0 ? buf_take(&b, NULL) : diag_format(&d);
	buf_fini(&b);
	diag_fini(&d);
	return r;
}

static int render(const char *text, const struct tpl_scope *s, char **outp)
{
	struct tpl_opts o;

	tpl_opts_file(&o);
	return render_opts(text, s, &o, outp);
}

/* Checks that text renders to want. */
static void check_render(const char *text, const struct tpl_scope *s, const char *want)
{
	char *out;
	int r = render(text, s, &out);

	T_EQ_INT(r, 0);
	T_EQ_STR(out, want);
	free(out);
}

/* Checks that compiling text at f.yml:10:5 fails with msg at line:col. */
static void check_syntax(const char *text, int line, int col, const char *msg)
{
	struct tpl_opts o;
	struct tpl *t = NULL;
	struct diag d;
	int r;

	tpl_opts_playbook(&o);
	diag_init(&d);
	r = tpl_compile(text, strlen(text), "f.yml", 10, 5, &o, &t, &d);
	T_EQ_INT(r, ERR_PARSE);
	T_CHECK(t == NULL);
	T_EQ_STR(d.file, "f.yml");
	T_EQ_INT(d.line, line);
	T_EQ_INT(d.col, col);
	T_EQ_STR(d.msg, msg);
	diag_fini(&d);
}

static void test_syntax_errors(void)
{
	check_syntax("{{ 1 + }}", 10, 12, "unexpected 'end of print statement'");
	check_syntax("ok\n{{ 1 + }}", 11, 8, "unexpected 'end of print statement'");
	check_syntax("{% for x in y %}", 10, 21,
	             "Unexpected end of template. Jinja was looking for the following tags: 'endfor' or 'else'. "
	             "The innermost block that needs to be closed is 'for'.");
	check_syntax("{% endif %}", 10, 8, "Encountered unknown tag 'endif'.");
	check_syntax("{% if x %}{% endfor %}", 10, 18,
	             "Encountered unknown tag 'endfor'. Jinja was looking for the following tags: 'elif' or 'else' "
	             "or 'endif'. The innermost block that needs to be closed is 'if'.");
	check_syntax("{% for x in y %}{% if x %}{% endfor %}", 10, 34,
	             "Encountered unknown tag 'endfor'. You probably made a nesting mistake. Jinja is expecting "
	             "this tag, but currently looking for 'elif' or 'else' or 'endif'. The innermost block that "
	             "needs to be closed is 'if'.");
	check_syntax("a\n  {{ x | nosuch }}", 11, 10, "No filter named 'nosuch'.");
	check_syntax("{{ x is nosuch }}", 10, 13, "No test named 'nosuch'.");
	check_syntax("{{ 'abc }}", 10, 8, "unexpected char \"'\" at 3");
	check_syntax("{{ x) }}", 10, 9, "unexpected ')'");
	check_syntax("{{ (x] }}", 10, 10, "unexpected ']', expected ')'");
	check_syntax("{# open", 10, 7, "Missing end of comment tag");
	check_syntax("{{ x", 10, 9, "unexpected end of template, expected 'end of print statement'.");
	check_syntax("{% set 1 = 2 %}", 10, 12, "can't assign to 'const'");
	check_syntax("{% macro m(a=1, b) %}{% endmacro %}", 10, 22, "non-default argument follows default argument");
	check_syntax("{{ 1 is a is b }}", 10, 15, "You cannot chain multiple tests with is");
	check_syntax("{% set x = 'a\\xZ' %}", 10, 16, "truncated \\xXX escape");
	check_syntax("{{ 99999999999999999999 }}", 10, 8, "integer literal too big (drover integers are 64-bit)");
	/* Columns count characters, not bytes. */
	check_syntax("é{{ ) }}", 10, 9, "unexpected ')'");
}

static void test_nesting_limit(void)
{
	struct buf b;
	struct tpl *t = NULL;
	struct diag d;
	int i, r;

	buf_init(&b, 0);
	for (i = 0; i < 300; i++)
		buf_puts(&b, "{% if x %}");
	diag_init(&d);
	r = tpl_compile(b.data, b.len, NULL, 0, 0, NULL, &t, &d);
	T_EQ_INT(r, ERR_DEPTH);
	diag_fini(&d);
	buf_reset(&b);
	for (i = 0; i < 5000; i++)
		buf_puts(&b, "not ");
	diag_init(&d);
	r = tpl_compile_expr(b.data, b.len, NULL, 0, 0, &t, &d);
	T_EQ_INT(r, ERR_DEPTH);
	diag_fini(&d);
	buf_fini(&b);
}

static void test_undefined_errors(void)
{
	struct tpl_scope s;
	struct vars v;
	char *out;
	int r;

	vars_init(&v, &s, "{\"d\": {\"a\": 1}, \"l\": [1]}");
	r = render("line1\n  {{ nope }}", &s, &out);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(out, "t.j2:2:6: 'nope' is undefined");
	free(out);
	r = render("{{ d.b }}", &s, &out);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(out, "t.j2:1:4: 'dict object' has no attribute 'b'");
	free(out);
	r = render("{{ l[3] }}", &s, &out);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(out, "t.j2:1:4: list object has no element 3");
	free(out);
	/* An undefined value can be passed around and tested. */
	check_render("{{ nope.x.y is defined }} {{ nope | default('z') }}", &s, "False z");
	value_unref(v.map);
}

static void test_scope_errors(void)
{
	struct tpl_scope s;
	struct vars v;
	char *out;
	int r;

	vars_init(&v, &s, "{}");
	v.fail_name = 1;
	r = render("{{ boom }}", &s, &out);
	T_EQ_INT(r, ERR_DEPTH);
	T_EQ_STR(out, "vars.yml:3:1: recursive loop detected in template string: {{ boom }}");
	free(out);
	value_unref(v.map);
}

static void test_render_many(void)
{
	struct tpl_scope s1, s2;
	struct vars v1, v2;
	struct tpl_opts o;
	struct tpl *t;
	struct diag d;
	struct buf b;
	int i;
	const char *text = "{% for x in xs %}{{ host }}:{{ x }} {% endfor %}";

	vars_init(&v1, &s1, "{\"host\": \"a\", \"xs\": [1, 2]}");
	vars_init(&v2, &s2, "{\"host\": \"b\", \"xs\": [3]}");
	tpl_opts_file(&o);
	diag_init(&d);
	T_EQ_INT(tpl_compile(text, strlen(text), NULL, 0, 0, &o, &t, &d), 0);
	buf_init(&b, 0);
	for (i = 0; i < 3; i++) {
		buf_reset(&b);
		T_EQ_INT(tpl_render(t, &s1, &b, &d), 0);
		T_EQ_STR(buf_str(&b), "a:1 a:2 ");
		buf_reset(&b);
		T_EQ_INT(tpl_render(t, &s2, &b, &d), 0);
		T_EQ_STR(buf_str(&b), "b:3 ");
	}
	buf_fini(&b);
	tpl_free(t);
	diag_fini(&d);
	value_unref(v1.map);
	value_unref(v2.map);
}

/* Renders text as a playbook string; returns repr() of the result. */
static char *value_repr(const char *text, const struct tpl_scope *s, int *rp)
{
	struct tpl_opts o;
	struct value *v = NULL;
	struct tpl *t;
	struct diag d;
	struct buf b;
	char *out;

	tpl_opts_playbook(&o);
	diag_init(&d);
	buf_init(&b, 0);
	*rp = tpl_compile(text, strlen(text), NULL, 0, 0, &o, &t, &d);
	if (*rp == 0) {
		*rp = tpl_render_value(t, s, &v, &d);
		tpl_free(t);
	}
	if (*rp == 0) {
		buf_printf(&b, "%s ", pyval_type(v));
		pyval_repr(NULL, &b, v);
	}
	out = *rp == 0 ? buf_take(&b, NULL) : diag_format(&d);
	buf_fini(&b);
	value_unref(v);
	diag_fini(&d);
	return out;
}

static void check_value(const char *text, const struct tpl_scope *s, const char *want)
{
	int r;
	char *out = value_repr(text, s, &r);

	T_EQ_INT(r, 0);
	T_EQ_STR(out, want);
	free(out);
}

static void test_render_value(void)
{
	struct tpl_scope s;
	struct vars v;

	vars_init(&v, &s, "{\"i\": 3, \"n\": null, \"s\": \"7\", \"l\": [1, \"a\"], \"b\": true}");
	check_value("{{ i }}", &s, "int 3");
	check_value("{{ n }}", &s, "NoneType None");
	check_value("{{ b }}", &s, "bool True");
	check_value("{{ s }}", &s, "str '7'");
	check_value("{{ l }}", &s, "list [1, 'a']");
	check_value("{{ i + 1 }}", &s, "str '4'");
	check_value("{{ [i, none] }}", &s, "list [3, None]");
	check_value("{{ 'True' }}", &s, "bool True");
	check_value("{{ l | to_json }}", &s, "str '[1, \"a\"]'");
	check_value("[{{ i }}]", &s, "list [3]");
	check_value("plain [1]", &s, "str 'plain [1]'");
	check_value("[1]", &s, "str '[1]'");
	check_value("{{ (1, 2) }}", &s, "str '(1, 2)'");
	check_value("{{ {'a': {'b': [none, false]}} }}", &s, "dict {'a': {'b': [None, False]}}");
	check_value("{{ 'x' }}\n\n", &s, "str 'x\\n\\n'");
	value_unref(v.map);
}

static int eval_cond(const char *text, const struct tpl_scope *s, int *resp, char **errp)
{
	struct tpl *t;
	struct diag d;
	int r;

	diag_init(&d);
	*errp = NULL;
	r = tpl_compile_cond(text, strlen(text), "when", 1, 1, &t, &d);
	if (r == 0) {
		r = tpl_eval_cond(t, s, resp, &d);
		tpl_free(t);
	}
	if (r != 0)
		*errp = diag_format(&d);
	diag_fini(&d);
	return r;
}

static void check_cond(const char *text, const struct tpl_scope *s, int want)
{
	char *err;
	int res = -1, r = eval_cond(text, s, &res, &err);

	T_EQ_INT(r, 0);
	T_EQ_INT(res, want);
	if (err != NULL)
		printf("#   %s: %s\n", text, err);
	free(err);
}

static void test_conditionals(void)
{
	struct tpl_scope s;
	struct vars v;
	char *err;
	int res, r;

	vars_init(&v, &s, "{\"i\": 3, \"xs\": [1], \"e\": \"\", \"c\": \"i > 1\"}");
	check_cond("i > 2", &s, 1);
	check_cond("i > 3", &s, 0);
	check_cond("xs", &s, 1);
	check_cond("e", &s, 0);
	check_cond("{{ i == 3 }}", &s, 1);
	check_cond("{{ c }}", &s, 1);
	check_cond("nope is defined", &s, 0);
	check_cond("nope is not defined", &s, 1);
	/* Ansible's rule for an undefined variable tested in the text. */
	check_cond("nope is undefined or nope.x", &s, 1);
	check_cond("nope is defined and nope.x", &s, 0);
	r = eval_cond("nope == 1", &s, &res, &err);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(err, "when:1:1: 'nope' is undefined");
	free(err);
	r = eval_cond("i > 1 and nope.x == 1", &s, &res, &err);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(err, "when:1:11: 'nope' is undefined");
	free(err);
	r = eval_cond("i >", &s, &res, &err);
	T_EQ_INT(r, ERR_PARSE);
	free(err);
	/* Text that came from unsafe data is never evaluated. */
	{
		struct value *u = value_str("i > 1");

		u->flags |= VALUE_F_UNSAFE;
		value_map_set(v.map, "unsafe", u);
	}
	r = eval_cond("{{ unsafe }}", &s, &res, &err);
	T_EQ_INT(r, ERR_INVAL);
	T_EQ_STR(err, "when:1:1: Conditional is marked as unsafe, and cannot be evaluated.");
	free(err);
	check_cond("unsafe", &s, 1);
	value_unref(v.map);
}

static void test_expr(void)
{
	struct tpl_scope s;
	struct vars v;
	struct value *out;
	struct tpl *t;
	struct diag d;

	vars_init(&v, &s, "{\"i\": 3}");
	diag_init(&d);
	T_EQ_INT(tpl_compile_expr("i * 2 ", 6, NULL, 0, 0, &t, &d), 0);
	T_EQ_INT(tpl_eval_expr(t, &s, &out, &d), 0);
	T_CHECK(out->type == VALUE_INT && out->u.i == 6);
	value_unref(out);
	tpl_free(t);
	T_EQ_INT(tpl_compile_expr("nope.x", 6, NULL, 0, 0, &t, &d), 0);
	T_EQ_INT(tpl_eval_expr(t, &s, &out, &d), 0);
	T_CHECK(tpl_is_undef(out));
	T_EQ_STR(tpl_undef_msg(out), "'nope' is undefined");
	value_unref(out);
	tpl_free(t);
	T_EQ_INT(tpl_compile_expr("1 2", 3, NULL, 0, 0, &t, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "chunk after expression");
	diag_fini(&d);
	value_unref(v.map);
}

/* A proxy for "hostvars": only the hosts asked for are built. */
static int proxy_gets, proxy_values;

static int px_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	(void)ctx;
	(void)d;
	if (len == 8 && memcmp(name, "hostvars", 8) == 0) {
		*vp = tpl_proxy_new("hostvars", 8);
		return 0;
	}
	return ERR_NOTFOUND;
}

static int px_get(void *ctx, const struct value *proxy, const char *key, size_t len, struct value **vp,
                  struct diag *d)
{
	(void)ctx;
	(void)d;
	(void)proxy;
	proxy_gets++;
	if (len != 3 || memcmp(key, "web", 3) != 0)
		return ERR_NOTFOUND;
	*vp = json("{\"ip\": \"10.0.0.1\"}");
	return 0;
}

static int px_value(void *ctx, const struct value *proxy, struct value **vp, struct diag *d)
{
	(void)ctx;
	(void)d;
	(void)proxy;
	proxy_values++;
	*vp = json("{\"web\": {\"ip\": \"10.0.0.1\"}, \"db\": {}}");
	return 0;
}

static void test_proxies(void)
{
	struct tpl_scope s;

	memset(&s, 0, sizeof(s));
	s.lookup = px_lookup;
	s.proxy_get = px_get;
	s.proxy_value = px_value;
	check_render("{{ hostvars.web.ip }} {{ hostvars['web']['ip'] }} {{ hostvars.db is defined }}", &s,
	             "10.0.0.1 10.0.0.1 False");
	T_EQ_INT(proxy_values, 0);
	check_render("{{ hostvars | length }} {% for h in hostvars %}{{ h }},{% endfor %} {{ hostvars.keys() | list }}", &s,
	             "2 web,db, ['web', 'db']");
	T_CHECK(proxy_values >= 3);
	T_CHECK(proxy_gets >= 3);
}

/* Includes through the scope's loader. */
static int inc_load(void *ctx, const char *name, size_t len, struct tpl **tp, struct diag *d)
{
	struct tpl_opts o;
	const char *text;

	(void)ctx;
	if (len == 6 && memcmp(name, "part.j", 6) == 0)
		text = "[{{ x }}{% set y = 1 %}]";
	else if (len == 5 && memcmp(name, "loop.", 5) == 0)
		text = "{% include 'loop.' %}";
	else
		return ERR_NOTFOUND;
	tpl_opts_file(&o);
	return tpl_compile(text, strlen(text), name, 1, 1, &o, tp, d);
}

static void test_include(void)
{
	struct tpl_scope s;
	char *out;
	int r;

	memset(&s, 0, sizeof(s));
	s.load = inc_load;
	check_render("{% for x in [1, 2] %}{% include 'part.j' %}{% endfor %}{{ y | default('-') }}", &s, "[1][2]-");
	check_render("a{% include 'missing' ignore missing %}b", &s, "ab");
	check_render("{% set x = 'L' %}{% include ['missing', 'part.j'] %}", &s, "[L]");
	r = render("{% include 'missing' %}", &s, &out);
	T_EQ_INT(r, ERR_INVAL);
	free(out);
	r = render("{% include 'loop.' %}", &s, &out);
	T_EQ_INT(r, ERR_DEPTH);
	free(out);
}

static void test_options(void)
{
	struct tpl_scope s;
	struct tpl_opts o;
	struct vars v;
	char *out;

	vars_init(&v, &s, "{\"x\": 1}");
	tpl_opts_file(&o);
	o.variable_start = "<<";
	o.variable_end = ">>";
	o.block_start = "<%";
	o.block_end = "%>";
	T_EQ_INT(render_opts("<% if x %><< x >><% endif %> {{ x }}", &s, &o, &out), 0);
	T_EQ_STR(out, "1 {{ x }}");
	free(out);
	tpl_opts_file(&o);
	o.newline_sequence = "\r\n";
	T_EQ_INT(render_opts("a\nb\n", &s, &o, &out), 0);
	T_EQ_STR(out, "a\r\nb\r\n");
	free(out);
	o.newline_sequence = "\t";
	T_EQ_INT(render_opts("a", &s, &o, &out), ERR_INVAL);
	free(out);
	/* Ansible's "#jinja2:" header. */
	check_render("#jinja2: trim_blocks: False\n{% if x %}\ny{% endif %}", &s, "\ny");
	/* Playbook strings: backslashes in {{ }} strings are literal. */
	tpl_opts_playbook(&o);
	T_EQ_INT(render_opts("{{ 'a\\nb' }}|{% set z = 'a\\tb' %}{{ z | length }}", &s, &o, &out), 0);
	T_EQ_STR(out, "a\\nb|3");
	free(out);
	value_unref(v.map);
}

static void test_has_syntax(void)
{
	T_CHECK(!tpl_has_syntax("plain text", 10));
	T_CHECK(!tpl_has_syntax("{ x }", 5));
	T_CHECK(!tpl_has_syntax("trailing {", 10));
	T_CHECK(tpl_has_syntax("a {{ x }}", 9));
	T_CHECK(tpl_has_syntax("{% if %}", 8));
	T_CHECK(tpl_has_syntax("{# c #}", 7));
}

static void test_undef_api(void)
{
	struct value *u = tpl_undef_new(NULL), *w = tpl_undef_new("custom hint"), *v_one = value_int(1);
	struct tpl_scope s;
	struct vars v;
	char *out;

	T_CHECK(tpl_is_undef(u));
	T_EQ_STR(tpl_undef_msg(u), "Mandatory variable has not been overridden");
	T_EQ_STR(tpl_undef_msg(w), "custom hint");
	T_CHECK(tpl_undef_msg(v_one) == NULL);
	/* A scope returning an undefined value (lazy templating that failed). */
	vars_init(&v, &s, "{}");
	value_map_set(v.map, "lazy", value_ref(w));
	check_render("{{ lazy is defined }}|{{ lazy | default('d') }}", &s, "False|d");
	T_EQ_INT(render("{{ lazy }}", &s, &out), ERR_NOTFOUND);
	T_EQ_STR(out, "t.j2:1:4: custom hint");
	free(out);
	value_unref(v.map);
	value_unref(u);
	value_unref(w);
	value_unref(v_one);
}

/* Renders text under small limits; returns the error code. */
static int render_limited(const char *text, const struct tpl_limits *lim)
{
	struct tpl_scope s;
	char *out;
	int r;

	memset(&s, 0, sizeof(s));
	s.limits = lim;
	r = render(text, &s, &out);
	free(out);
	return r;
}

static void test_limits(void)
{
	struct tpl_limits lim;

	memset(&lim, 0, sizeof(lim));
	lim.max_output = 1000;
	T_EQ_INT(render_limited("{% for i in range(100) %}0123456789ab{% endfor %}", &lim), ERR_TOOBIG);
	memset(&lim, 0, sizeof(lim));
	lim.max_iterations = 50;
	T_EQ_INT(render_limited("{% for i in range(10) %}{% for j in range(10) %}{% endfor %}{% endfor %}", &lim),
	         ERR_TOOBIG);
	memset(&lim, 0, sizeof(lim));
	lim.max_depth = 20;
	T_EQ_INT(render_limited("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", &lim), ERR_DEPTH);
	memset(&lim, 0, sizeof(lim));
	lim.max_range = 1000;
	T_EQ_INT(render_limited("{{ range(1001) | length }}", &lim), ERR_TOOBIG);
	T_EQ_INT(render_limited("{{ range(1000) | length }}", &lim), 0);
	memset(&lim, 0, sizeof(lim));
	lim.max_str = 1 << 20;
	T_EQ_INT(render_limited("{{ ('x' * 1048576) | length }}", &lim), 0);
	T_EQ_INT(render_limited("{{ ('x' * 1048577) | length }}", &lim), ERR_TOOBIG);
	T_EQ_INT(render_limited("{% set ns = namespace(s='x') %}{% for i in range(30) %}{% set ns.s = ns.s ~ ns.s %}"
	                        "{% endfor %}",
	                        &lim),
	         ERR_TOOBIG);
	memset(&lim, 0, sizeof(lim));
	lim.max_items = 1000;
	T_EQ_INT(render_limited("{{ ([1] * 1001) | length }}", &lim), ERR_TOOBIG);
	memset(&lim, 0, sizeof(lim));
	lim.max_work = 100000;
	T_EQ_INT(render_limited("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
	                        "{{ f(40) }}",
	                        &lim),
	         ERR_TOOBIG);
	memset(&lim, 0, sizeof(lim));
	lim.max_objects = 10;
	T_EQ_INT(render_limited("{% for i in range(20) %}{% set ns = namespace() %}{% endfor %}", &lim), ERR_TOOBIG);
	/* Values never nest deeper than the engine can walk and free. */
	T_EQ_INT(render_limited("{% set ns = namespace(x=1) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}"
	                        "{% endfor %}",
	                        NULL),
	         ERR_DEPTH);
	T_EQ_INT(render_limited("{% set ns = namespace(x={}) %}{% for i in range(5000) %}{% set ns.x = {'a': ns.x} %}"
	                        "{% endfor %}",
	                        NULL),
	         ERR_DEPTH);
	T_EQ_INT(render_limited("{% set l = [] %}{% for i in range(5000) %}{% set _ = l.append(l) %}{% endfor %}", NULL),
	         ERR_DEPTH);
	T_EQ_INT(render_limited("{% set ns = namespace(x=[]) %}{% for i in range(5000) %}{% set ns.x = ns.x | batch(1) "
	                        "| list + [[ns.x]] %}{% endfor %}",
	                        NULL),
	         ERR_DEPTH);
	/* Appending in a loop is linear: 200000 appends fit in the default
	 * work budget. */
	T_EQ_INT(render_limited("{% set l = [] %}{% for i in range(100000) %}{% set _ = l.extend([[i]]) %}"
	                        "{% set _ = l.append(i) %}{% endfor %}{{ l | length }}",
	                        NULL),
	         0);
	/* Integers are 64-bit: overflow is an error, not a wrong number. */
	T_EQ_INT(render_limited("{{ 2 ** 64 }}", NULL), ERR_INVAL);
	T_EQ_INT(render_limited("{{ 9223372036854775807 + 1 }}", NULL), ERR_INVAL);
}

static void test_python_semantics(void)
{
	struct tpl_scope s;

	memset(&s, 0, sizeof(s));
	check_render("{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 3 ** 2 }} {{ 1 / 4 }}", &s, "-4 2 -2 64 0.25");
	check_render("{{ [1, 'a', none, true, 1.5, (1,)] }}", &s, "[1, 'a', None, True, 1.5, (1,)]");
	check_render("{{ {'k': \"it's\"} }}", &s, "{'k': \"it's\"}");
	check_render("{{ 'ß'.upper() }} {{ 'ÀÉ'.lower() }} {{ 'é' | length }}", &s, "SS àé 1");
	check_render("{{ '%05.1f|%-3s|%x' % (3.14159, 'a', 255) }}", &s, "003.1|a  |ff");
	check_render("{{ '{:>5}|{:.2f}'.format('ab', 2.5) }}", &s, "   ab|2.50");
	check_render("{{ 0.1 + 0.2 }} {{ 1e16 }} {{ 1.0 }}", &s, "0.30000000000000004 1e+16 1.0");
}

int main(void)
{
	T_RUN(test_syntax_errors);
	T_RUN(test_nesting_limit);
	T_RUN(test_undefined_errors);
	T_RUN(test_scope_errors);
	T_RUN(test_render_many);
	T_RUN(test_render_value);
	T_RUN(test_conditionals);
	T_RUN(test_expr);
	T_RUN(test_proxies);
	T_RUN(test_include);
	T_RUN(test_options);
	T_RUN(test_has_syntax);
	T_RUN(test_undef_api);
	T_RUN(test_limits);
	T_RUN(test_python_semantics);
	return T_DONE();
}
