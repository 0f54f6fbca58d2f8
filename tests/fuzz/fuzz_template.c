/* libFuzzer target for the template engine: compiles arbitrary bytes as a
 * template (the first byte picks the kind and options) and renders it
 * against a small fixed set of variables, with an include loader and tight
 * limits. Whatever the input, the engine must return (the limits make
 * every render end), never crash, and free everything; errors must come
 * with a diagnostic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "data/json.h"
#include "template/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct value *fuzz_vars;

static const char fuzz_vars_json[] =
	"{\"s\": \"Hello World\", \"i\": 42, \"f\": 1.5, \"n\": null, \"t\": true,"
	" \"xs\": [3, 1, 2], \"d\": {\"a\": 1, \"b\": [1, 2, {\"c\": \"x\"}]},"
	" \"users\": [{\"name\": \"bob\", \"age\": 3}, {\"name\": \"al\", \"age\": 1}],"
	" \"u\": \"h\\u00e9llo \\u00df\", \"tmpl\": \"{{ i + 1 }}\"}";

static int fuzz_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct value *v;

	(void)ctx;
	(void)d;
	if (len == 8 && memcmp(name, "hostvars", 8) == 0) {
		*vp = tpl_proxy_new("hostvars", 8);
		return 0;
	}
	if ((v = value_map_getn(fuzz_vars, name, len)) == NULL)
		return ERR_NOTFOUND;
	*vp = value_ref(v);
	return 0;
}

static int fuzz_proxy_get(void *ctx, const struct value *proxy, const char *key, size_t len, struct value **vp,
                          struct diag *d)
{
	(void)ctx;
	(void)proxy;
	(void)d;
	if (len != 4 || memcmp(key, "host", 4) != 0)
		return ERR_NOTFOUND;
	*vp = value_ref(fuzz_vars);
	return 0;
}

static int fuzz_proxy_value(void *ctx, const struct value *proxy, struct value **vp, struct diag *d)
{
	struct value *m = value_map();

	(void)ctx;
	(void)proxy;
	(void)d;
	value_map_set(m, "host", value_ref(fuzz_vars));
	*vp = m;
	return 0;
}

/* "self" includes the template being fuzzed: recursion must be bounded. */
static const uint8_t *fuzz_data;
static size_t fuzz_size;

static int fuzz_load(void *ctx, const char *name, size_t len, struct tpl **tp, struct diag *d)
{
	static const char part[] = "[{{ s }}{% set z = 1 %}{% macro m(a) %}{{ a }}{% endmacro %}]";

	(void)ctx;
	if (len == 4 && memcmp(name, "part", 4) == 0)
		return tpl_compile(part, sizeof(part) - 1, "part", 1, 1, NULL, tp, d);
	if (len == 4 && memcmp(name, "self", 4) == 0)
		return tpl_compile((const char *)fuzz_data, fuzz_size, "self", 1, 1, NULL, tp, d);
	return ERR_NOTFOUND;
}

static void fuzz_init(void)
{
	if (fuzz_vars == NULL && json_decode(fuzz_vars_json, sizeof(fuzz_vars_json) - 1, NULL, &fuzz_vars, NULL) != 0)
		abort();
}

static void fuzz_check(int r, const struct diag *d)
{
	if (r != 0 && d->msg == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tpl_limits lim = {
		.max_output = 1 << 20,
		.max_str = 1 << 20,
		.max_items = 1 << 16,
		.max_depth = 40,
		.max_iterations = 20000,
		.max_work = 300000,
		.max_objects = 10000,
		.max_range = 10000,
	};
	struct tpl_scope s;
	struct tpl_opts o;
	struct value *v = NULL;
	struct tpl *t = NULL;
	struct diag d;
	struct buf out;
	const char *text;
	size_t len;
	int mode, r, res;

	if (size < 1)
		return 0;
	fuzz_init();
	memset(&s, 0, sizeof(s));
	s.lookup = fuzz_lookup;
	s.proxy_get = fuzz_proxy_get;
	s.proxy_value = fuzz_proxy_value;
	s.load = fuzz_load;
	s.limits = &lim;
	/* Lookups run commands (pipe) and write files (password): never on
	 * fuzzed input. */
	s.flags = TPL_SCOPE_NO_LOOKUPS;
	mode = data[0];
	text = (const char *)data + 1;
	len = size - 1;
	fuzz_data = data + 1;
	fuzz_size = len;
	tpl_opts_file(&o);
	o.lstrip_blocks = mode & 0x10;
	o.trim_blocks = !(mode & 0x20);
	o.keep_trailing_newline = mode & 0x40;
	o.escape_backslashes = mode & 0x80;
	diag_init(&d);
	buf_init(&out, 0);
	switch (mode & 3) {
	case 0:
		if ((r = tpl_compile(text, len, "fuzz", 1, 1, &o, &t, &d)) == 0)
			r = tpl_render(t, &s, &out, &d);
		break;
	case 1:
		tpl_opts_playbook(&o);
		if ((r = tpl_compile(text, len, "fuzz", 1, 1, &o, &t, &d)) == 0)
			r = tpl_render_value(t, &s, &v, &d);
		break;
	case 2:
		if ((r = tpl_compile_expr(text, len, "fuzz", 1, 1, &t, &d)) == 0)
			r = tpl_eval_expr(t, &s, &v, &d);
		break;
	default:
		if ((r = tpl_compile_cond(text, len, "fuzz", 1, 1, &t, &d)) == 0)
			r = tpl_eval_cond(t, &s, &res, &d);
		break;
	}
	fuzz_check(r, &d);
	if (r == 0 && (mode & 3) == 0 && out.len > lim.max_output)
		abort();
	tpl_free(t);
	value_unref(v);
	buf_fini(&out);
	diag_fini(&d);
	return 0;
}
