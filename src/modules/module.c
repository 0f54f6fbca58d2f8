/* The module table and what every module shares: argument checking as
 * AnsibleModule does it, and the common shapes of a result. */
#include "modules/module.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "modules/pyfmt.h"

/* Sorted by name; "shell" is "command" with _uses_shell, as in Ansible. */
static const struct module module_table[] = {
	{"command", command_run, MODULE_CHECK_MODE},
	{"ping", ping_run, MODULE_CHECK_MODE},
	{"shell", command_run, MODULE_CHECK_MODE},
};

const struct module *module_find(const char *name)
{
	static const char *const prefixes[] = {"ansible.builtin.", "ansible.legacy."};
	size_t i, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(name, prefixes[i], n) == 0) {
			name += n;
			break;
		}
	}
	for (i = 0; i < sizeof(module_table) / sizeof(module_table[0]); i++)
		if (strcmp(module_table[i].name, name) == 0)
			return &module_table[i];
	return NULL;
}

const struct module *module_at(size_t i)
{
	return i < sizeof(module_table) / sizeof(module_table[0]) ? &module_table[i] : NULL;
}

struct value *module_run(const struct module *m, const struct module_ctx *ctx)
{
	struct value *res;

	if (ctx->check && !(m->flags & MODULE_CHECK_MODE)) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "skipped", value_bool(1));
		value_map_set(res, "msg", value_strf("remote module (ansible.legacy.%s) does not support check mode",
		                                     m->name));
		return res;
	}
	return m->run(ctx);
}

struct value *module_fail(struct value *result, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	value_map_set(result, "failed", value_bool(1));
	value_map_set(result, "msg", value_str_take(msg, strlen(msg)));
	return result;
}

void module_finish(struct value *result, const struct value *params, const struct value *warnings)
{
	struct value *inv = value_map();

	value_map_set(inv, "module_args", params != NULL ? value_ref((struct value *)params) : value_map());
	value_map_set(result, "invocation", inv);
	if (warnings != NULL && value_len(warnings) > 0)
		value_map_set(result, "warnings", value_ref((struct value *)warnings));
}

struct value *module_crash(const char *exception)
{
	struct value *res = value_map();
	char *text = xasprintf("Traceback (most recent call last):\n%s\n", exception);

	value_map_set(res, "failed", value_bool(1));
	value_map_set(res, "module_stderr", value_str(text));
	value_map_set(res, "module_stdout", value_str(""));
	value_map_set(res, "msg", value_str("MODULE FAILURE\nSee stdout/stderr for the exact error"));
	value_map_set(res, "rc", value_int(1));
	value_map_set(res, "exception", value_str_take(text, strlen(text)));
	return res;
}

/* Python's type(value) as printed in AnsibleModule's messages. */
static const char *module_pytype(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return "<class 'NoneType'>";
	case VALUE_BOOL: return "<class 'bool'>";
	case VALUE_INT: return "<class 'int'>";
	case VALUE_FLOAT: return "<class 'float'>";
	case VALUE_STR: return "<class 'str'>";
	case VALUE_LIST: return "<class 'list'>";
	case VALUE_MAP: return "<class 'dict'>";
	}
	return "<class 'object'>";
}

/* Appends str(v) (repr for strings inside containers), as to_native does
 * when a non-string lands in a string parameter. */
static void module_pystr(struct buf *out, const struct value *v, int nested)
{
	size_t i;

	switch (v->type) {
	case VALUE_NULL: buf_puts(out, "None"); return;
	case VALUE_BOOL: buf_puts(out, v->u.b ? "True" : "False"); return;
	case VALUE_INT: buf_printf(out, "%lld", (long long)v->u.i); return;
	case VALUE_FLOAT: json_put_float(out, v->u.f); return;
	case VALUE_STR:
		if (!nested) {
			buf_put(out, v->u.s.ptr, v->u.s.len);
			return;
		}
		buf_putc(out, memchr(v->u.s.ptr, '\'', v->u.s.len) ? '"' : '\'');
		buf_put(out, v->u.s.ptr, v->u.s.len);
		buf_putc(out, memchr(v->u.s.ptr, '\'', v->u.s.len) ? '"' : '\'');
		return;
	case VALUE_LIST:
		buf_putc(out, '[');
		for (i = 0; i < v->u.l.len; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			module_pystr(out, v->u.l.items[i], 1);
		}
		buf_putc(out, ']');
		return;
	case VALUE_MAP:
		buf_putc(out, '{');
		for (i = 0; i < v->u.m.len; i++) {
			if (i > 0)
				buf_puts(out, ", ");
			module_pystr(out, v->u.m.ents[i].key, 1);
			buf_puts(out, ": ");
			module_pystr(out, v->u.m.ents[i].val, 1);
		}
		buf_putc(out, '}');
		return;
	}
}

static struct value *module_to_str(const struct value *v)
{
	struct buf b;
	char *s;
	size_t n;

	if (v->type == VALUE_STR)
		return value_ref((struct value *)v);
	buf_init(&b, 0);
	module_pystr(&b, v, 0);
	s = buf_take(&b, &n);
	return value_str_take(s, n);
}

/* Ansible's boolean(): -1 when v is not one. */
static int module_to_bool(const struct value *v)
{
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t"};
	static const char *const no[] = {"n", "no", "off", "0", "false", "f"};
	size_t i;

	switch (v->type) {
	case VALUE_BOOL: return v->u.b;
	case VALUE_INT: return v->u.i == 1 ? 1 : v->u.i == 0 ? 0 : -1;
	case VALUE_FLOAT: return v->u.f == 1.0 ? 1 : v->u.f == 0.0 ? 0 : -1;
	case VALUE_STR:
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcasecmp(v->u.s.ptr, yes[i]) == 0)
				return 1;
			if (strcasecmp(v->u.s.ptr, no[i]) == 0)
				return 0;
		}
		return -1;
	default: return -1;
	}
}

/* Converts v to spec's type. Returns the new value, or NULL with *msgp (heap)
 * saying why, in AnsibleModule's words. */
static struct value *module_convert(const struct module_ctx *ctx, const struct module_arg *spec,
                                    const struct value *v, char **msgp)
{
	struct value *l, *s;
	struct buf b;
	const char *p, *comma;
	size_t i;
	char *text;
	int t;

	*msgp = NULL;
	if (v->type == VALUE_NULL)
		return value_null();
	switch (spec->type) {
	case MODULE_ARG_STR:
		return module_to_str(v);
	case MODULE_ARG_PATH:
		s = module_to_str(v);
		buf_init(&b, 0);
		pyfmt_expand_path(&b, s->u.s.ptr, s->u.s.len, ctx->envp);
		value_unref(s);
		text = buf_take(&b, &i);
		return value_str_take(text, i);
	case MODULE_ARG_BOOL:
		if ((t = module_to_bool(v)) >= 0)
			return value_bool(t);
		buf_init(&b, 0);
		module_pystr(&b, v, 0);
		*msgp = xasprintf("argument '%s' is of type %s and we were unable to convert to bool: The value '%s' "
		                  "is not a valid boolean.  Valid booleans include: 0, 1, 'true', '0', 'y', '1', "
		                  "'no', 'false', 't', 'on', 'yes', 'n', 'f', 'off'",
		                  spec->name, module_pytype(v), buf_str(&b));
		buf_fini(&b);
		return NULL;
	case MODULE_ARG_LIST:
		l = value_list();
		if (v->type == VALUE_STR) {
			for (p = v->u.s.ptr;; p = comma + 1) {
				comma = memchr(p, ',', v->u.s.len - (size_t)(p - v->u.s.ptr));
				if (comma == NULL) {
					value_list_push(l, value_strn(p, v->u.s.len - (size_t)(p - v->u.s.ptr)));
					break;
				}
				value_list_push(l, value_strn(p, (size_t)(comma - p)));
			}
		} else if (v->type == VALUE_INT || v->type == VALUE_FLOAT) {
			value_list_push(l, module_to_str(v));
		} else if (v->type == VALUE_LIST) {
			for (i = 0; i < v->u.l.len; i++)
				value_list_push(l, module_to_str(v->u.l.items[i]));
		} else {
			value_unref(l);
			*msgp = xasprintf("argument '%s' is of type %s and we were unable to convert to list: %s "
			                  "cannot be converted to a list",
			                  spec->name, module_pytype(v), module_pytype(v));
			return NULL;
		}
		return l;
	}
	return NULL;
}

static int module_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "Unsupported parameters" message, or NULL when every key is known. */
static char *module_unsupported(const char *fqname, const struct module_arg *spec, size_t n,
                                const struct value *args)
{
	const char **bad, **good;
	const char *key;
	size_t i, j, nbad = 0;
	struct buf b;
	char *msg;

	bad = xcalloc(value_len(args) + 1, sizeof(*bad));
	for (i = 0; i < value_len(args); i++) {
		key = value_map_key_at(args, i)->u.s.ptr;
		if (strncmp(key, "_ansible_", 9) == 0)
			continue;
		for (j = 0; j < n && strcmp(spec[j].name, key) != 0; j++)
			;
		if (j == n)
			bad[nbad++] = key;
	}
	if (nbad == 0) {
		free(bad);
		return NULL;
	}
	good = xcalloc(n + 1, sizeof(*good));
	for (j = 0; j < n; j++)
		good[j] = spec[j].name;
	qsort(bad, nbad, sizeof(*bad), module_cmp_str);
	qsort(good, n, sizeof(*good), module_cmp_str);
	buf_init(&b, 0);
	buf_printf(&b, "Unsupported parameters for (%s) module: ", fqname);
	for (i = 0; i < nbad; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", bad[i]);
	buf_puts(&b, ". Supported parameters include: ");
	for (j = 0; j < n; j++)
		buf_printf(&b, "%s%s", j ? ", " : "", good[j]);
	buf_putc(&b, '.');
	msg = buf_take(&b, NULL);
	free(bad);
	free(good);
	return msg;
}

int module_params(const struct module_ctx *ctx, const char *fqname, const struct module_arg *spec, size_t n,
                  struct value **paramsp, struct value **failp)
{
	struct value *params = value_map(), *conv;
	const struct value *given;
	const char *key;
	char *msg = NULL;
	size_t i, j;
	int pass, r = ERR_INTERNAL;

	*paramsp = NULL;
	*failp = NULL;
	msg = module_unsupported(fqname, spec, n, ctx->args);
	/* AnsibleModule's order: the given arguments as given, then defaults
	 * that are not None, then those that are. */
	for (i = 0; i < value_len(ctx->args); i++) {
		key = value_map_key_at(ctx->args, i)->u.s.ptr;
		given = value_map_val_at(ctx->args, i);
		for (j = 0; j < n && strcmp(spec[j].name, key) != 0; j++)
			;
		if (j == n) {
			if (strncmp(key, "_ansible_", 9) != 0)
				value_map_set(params, key, value_ref((struct value *)given));
			continue;
		}
		conv = NULL;
		if (msg == NULL)
			conv = module_convert(ctx, &spec[j], given, &msg);
		value_map_set(params, key, conv != NULL ? conv : value_ref((struct value *)given));
	}
	for (pass = 0; pass < 2; pass++) {
		for (j = 0; j < n; j++) {
			if ((spec[j].def == NULL) != pass || value_map_get(params, spec[j].name) != NULL)
				continue;
			if (spec[j].def == NULL)
				conv = value_null();
			else if (spec[j].type == MODULE_ARG_BOOL)
				conv = value_bool(strcmp(spec[j].def, "true") == 0);
			else
				conv = value_str(spec[j].def);
			value_map_set(params, spec[j].name, conv);
		}
	}
	if (msg != NULL) {
		*failp = module_fail(value_map(), "%s", msg);
		module_finish(*failp, params, NULL);
		r = ERR_INVAL;
		goto out;
	}
	*paramsp = params;
	params = NULL;
	r = 0;
out:
	free(msg);
	value_unref(params);
	return r;
}
