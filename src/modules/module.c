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

/* The table scripts/modtab.sh builds from the MODULE_DEFINE lines of
 * the files of src/modules, sorted by name ("shell" is "command" with _uses_shell,
 * as in Ansible): static const struct module module_table[]. */
#include "modtab.inc"

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
	/* The modules of another collection the worker has. */
	if (strcmp(name, "community.general.supervisorctl") == 0 || strcmp(name, "community.general.archive") == 0)
		name += strlen("community.general.");
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

	if (ctx->check && !(m->flags & (MODULE_CHECK_MODE | MODULE_CHECK_SELF)))
		return module_check_skip(ctx);
	return m->run(ctx);
}

struct value *module_main(const struct module_ctx *ctx, const struct module_main *mm)
{
	struct value *params = NULL, *res = NULL, *warnings = value_list(), *shown;

	if (module_params_spec(ctx, mm->fqname, mm->spec, mm->n, mm->exclusive, warnings, &params, &res) != 0)
		goto out;
	if (mm->check_skip && ctx->check) {
		res = module_check_skip(ctx);
		goto out;
	}
	res = mm->fn(ctx, params, warnings);
	shown = module_invocation_args(mm->spec, mm->n, params);
	(mm->finish != NULL ? mm->finish : module_finish)(res, shown, warnings);
	value_unref(shown);
out:
	value_unref(params);
	value_unref(warnings);
	return res;
}

struct value *module_check_skip(const struct module_ctx *ctx)
{
	struct value *res = value_map();
	const char *name = value_get_str(ctx->args, "_ansible_module_name", NULL);

	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "skipped", value_bool(1));
	if (name != NULL)
		value_map_set(res, "msg", value_strf("remote module (%s) does not support check mode", name));
	else
		value_map_set(res, "msg", value_strf("remote module (ansible.legacy.%s) does not support check mode",
		                                     ctx->name));
	return res;
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

/* Python's int(s) for a str argument: surrounding whitespace, a sign,
 * digits with single underscores between them. Returns 0 or -1. */
static int module_pyint(const char *s, int64_t *outp)
{
	const char *p = s;
	int64_t v = 0;
	int neg = 0, digits = 0;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	for (; (*p >= '0' && *p <= '9') || *p == '_'; p++) {
		if (*p == '_') {
			if (!digits || !(p[1] >= '0' && p[1] <= '9'))
				return -1;
			continue;
		}
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*p - '0');
		digits++;
	}
	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (!digits || *p != '\0')
		return -1;
	*outp = neg ? -v : v;
	return 0;
}

static struct value *module_split_commas(const char *s, size_t len)
{
	struct value *l = value_list();
	const char *p, *comma;

	for (p = s;; p = comma + 1) {
		comma = memchr(p, ',', len - (size_t)(p - s));
		if (comma == NULL) {
			value_list_push(l, value_strn(p, len - (size_t)(p - s)));
			break;
		}
		value_list_push(l, value_strn(p, (size_t)(comma - p)));
	}
	return l;
}

/* Converts v to spec's type. Returns the new value, or NULL with *msgp (heap)
 * saying why, in AnsibleModule's words. */
static struct value *module_convert(const struct module_ctx *ctx, const struct module_argspec *spec,
                                    const struct value *v, char **msgp)
{
	struct value *l, *s;
	struct buf b;
	size_t i;
	int64_t n;
	char *text;
	int t;

	*msgp = NULL;
	if (v->type == VALUE_NULL)
		return value_null();
	switch (spec->type) {
	case MODULE_ARG_STR:
		return module_to_str(v);
	case MODULE_ARG_RAW:
		return value_ref((struct value *)v);
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
	case MODULE_ARG_INT:
		if (v->type == VALUE_INT || v->type == VALUE_BOOL)
			return value_ref((struct value *)v);
		if (v->type == VALUE_STR && strlen(v->u.s.ptr) == v->u.s.len && module_pyint(v->u.s.ptr, &n) == 0)
			return value_int(n);
		*msgp = xasprintf("argument '%s' is of type %s and we were unable to convert to int: %s cannot be "
		                  "converted to an int",
		                  spec->name, module_pytype(v), module_pytype(v));
		return NULL;
	case MODULE_ARG_LIST:
		if (v->type == VALUE_STR)
			return module_split_commas(v->u.s.ptr, v->u.s.len);
		l = value_list();
		if (v->type == VALUE_INT || v->type == VALUE_FLOAT) {
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

/* Is name one of the comma-separated words of list? */
static int module_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = list; p != NULL && *p != '\0'; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* The spec entry named key (or aliased so), or NULL. */
static const struct module_argspec *module_spec_find(const struct module_argspec *spec, size_t n, const char *key,
                                                     int *aliasp)
{
	size_t j;

	for (j = 0; j < n; j++) {
		if (strcmp(spec[j].name, key) == 0) {
			*aliasp = 0;
			return &spec[j];
		}
		if (module_in_list(spec[j].aliases, key)) {
			*aliasp = 1;
			return &spec[j];
		}
	}
	return NULL;
}

/* Appends the sorted words of names (n of them) to b, comma-separated. */
static void module_put_sorted(struct buf *b, const char **names, size_t n)
{
	size_t i;

	qsort(names, n, sizeof(*names), module_cmp_str);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s", i ? ", " : "", names[i]);
}

/* "Unsupported parameters" message, or NULL when every key is known. */
static char *module_unsupported(const char *fqname, const struct module_argspec *spec, size_t n,
                                const struct value *args)
{
	const char **bad, **good, **aliases;
	const char *key;
	char *words = NULL, *p, *comma;
	size_t i, j, nbad = 0, nal = 0;
	struct buf b, all;
	char *msg;
	int alias;

	bad = xcalloc(value_len(args) + 1, sizeof(*bad));
	for (i = 0; i < value_len(args); i++) {
		key = value_map_key_at(args, i)->u.s.ptr;
		if (strncmp(key, "_ansible_", 9) != 0 && module_spec_find(spec, n, key, &alias) == NULL)
			bad[nbad++] = key;
	}
	if (nbad == 0) {
		free(bad);
		return NULL;
	}
	good = xcalloc(n + 1, sizeof(*good));
	buf_init(&all, 0);
	for (j = 0; j < n; j++) {
		good[j] = spec[j].name;
		if (spec[j].aliases != NULL)
			buf_printf(&all, "%s%s", buf_avail(&all) ? "," : "", spec[j].aliases);
	}
	aliases = xcalloc(buf_avail(&all) + 1, sizeof(*aliases));
	words = buf_take(&all, &i);
	for (p = words; i > 0; p = comma + 1) {
		aliases[nal++] = p;
		if ((comma = strchr(p, ',')) == NULL)
			break;
		*comma = '\0';
	}
	buf_init(&b, 0);
	buf_printf(&b, "Unsupported parameters for (%s) module: ", fqname);
	module_put_sorted(&b, bad, nbad);
	buf_puts(&b, ". Supported parameters include: ");
	module_put_sorted(&b, good, n);
	if (nal > 0) {
		buf_puts(&b, " (");
		module_put_sorted(&b, aliases, nal);
		buf_putc(&b, ')');
	}
	buf_putc(&b, '.');
	msg = buf_take(&b, NULL);
	free(words);
	free(aliases);
	free(bad);
	free(good);
	return msg;
}

/* check_mutually_exclusive: the first group with two or more given names. */
static char *module_exclusive(const char *const *groups, const struct value *params)
{
	struct buf b;
	const char *p, *bar;
	char name[128];
	size_t g, count, len;

	if (groups == NULL)
		return NULL;
	buf_init(&b, 0);
	for (g = 0; groups[g] != NULL; g++) {
		count = 0;
		for (p = groups[g];; p = bar + 1) {
			bar = strchr(p, '|');
			len = bar != NULL ? (size_t)(bar - p) : strlen(p);
			if (len < sizeof(name)) {
				memcpy(name, p, len);
				name[len] = '\0';
				count += value_map_get(params, name) != NULL;
			}
			if (bar == NULL)
				break;
		}
		if (count > 1)
			buf_printf(&b, "%s%s", buf_avail(&b) ? ", " : "", groups[g]);
	}
	if (buf_avail(&b) == 0) {
		buf_fini(&b);
		return NULL;
	}
	return xasprintf("parameters are mutually exclusive: %s", buf_str(&b));
}

/* check_required_arguments: the sorted names of absent required options. */
static char *module_missing(const struct module_argspec *spec, size_t n, const struct value *params)
{
	const char **names = xcalloc(n + 1, sizeof(*names));
	const struct value *v;
	size_t j, nm = 0;
	struct buf b;

	/* A required option given as null counts as missing: Ansible lets
	 * it through and its module then dies on it. */
	for (j = 0; j < n; j++)
		if ((spec[j].flags & MODULE_ARG_REQUIRED) &&
		    ((v = value_map_get(params, spec[j].name)) == NULL || v->type == VALUE_NULL))
			names[nm++] = spec[j].name;
	if (nm == 0) {
		free(names);
		return NULL;
	}
	buf_init(&b, 0);
	buf_puts(&b, "missing required arguments: ");
	module_put_sorted(&b, names, nm);
	free(names);
	return buf_take(&b, NULL);
}

/* Sets the defaults of absent options: those that are not None (pass 0),
 * then the rest to None (pass 1). */
static void module_defaults(const struct module_argspec *spec, size_t n, struct value *params, int pass)
{
	struct value *conv;
	size_t j;

	for (j = 0; j < n; j++) {
		if ((spec[j].def == NULL) != pass || value_map_get(params, spec[j].name) != NULL)
			continue;
		if (spec[j].def == NULL)
			conv = value_null();
		else if (spec[j].type == MODULE_ARG_BOOL)
			conv = value_bool(strcmp(spec[j].def, "true") == 0);
		else if (spec[j].type == MODULE_ARG_INT)
			conv = value_int(strtoll(spec[j].def, NULL, 10));
		else if (spec[j].type == MODULE_ARG_LIST)
			conv = spec[j].def[0] ? module_split_commas(spec[j].def, strlen(spec[j].def)) : value_list();
		else
			conv = value_str(spec[j].def);
		value_map_set(params, spec[j].name, conv);
	}
}

/* Type conversion then choices, in spec order; the first message wins. */
static char *module_check_values(const struct module_ctx *ctx, const struct module_argspec *spec, size_t n,
                                 struct value *params)
{
	struct value *conv, *v;
	const char *p;
	struct buf b;
	char *msg = NULL, *one;
	size_t j;

	/* Every option is converted (the invocation shows them so), the
	 * first message kept. */
	for (j = 0; j < n; j++) {
		if ((v = value_map_get(params, spec[j].name)) == NULL)
			continue;
		if ((conv = module_convert(ctx, &spec[j], v, &one)) != NULL)
			value_map_set(params, spec[j].name, conv);
		if (msg == NULL)
			msg = one;
		else
			free(one);
	}
	for (j = 0; j < n && msg == NULL; j++) {
		v = value_map_get(params, spec[j].name);
		if (spec[j].choices == NULL || v == NULL || v->type == VALUE_NULL)
			continue;
		if (v->type == VALUE_STR && strlen(v->u.s.ptr) == v->u.s.len && module_in_list(spec[j].choices, v->u.s.ptr))
			continue;
		buf_init(&b, 0);
		buf_printf(&b, "value of %s must be one of: ", spec[j].name);
		for (p = spec[j].choices; *p != '\0'; p++) {
			buf_putc(&b, *p);
			if (*p == ',')
				buf_putc(&b, ' ');
		}
		buf_puts(&b, ", got: ");
		module_pystr(&b, v, 0);
		msg = buf_take(&b, NULL);
	}
	return msg;
}

/* The invocation's copy of params: no_log options hidden. */
static struct value *module_visible(const struct module_argspec *spec, size_t n, struct value *params)
{
	struct value *v;
	size_t j;

	for (j = 0; j < n; j++) {
		if (!(spec[j].flags & MODULE_ARG_NO_LOG) || (v = value_map_get(params, spec[j].name)) == NULL ||
		    v->type == VALUE_NULL)
			continue;
		if (params->refs > 1)
			params = value_mut(&params);
		value_map_set(params, spec[j].name, value_str("VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"));
	}
	return params;
}

int module_params_spec(const struct module_ctx *ctx, const char *fqname, const struct module_argspec *spec,
                       size_t n, const char *const *exclusive, struct value *warnings, struct value **paramsp,
                       struct value **failp)
{
	struct value *params = value_map(), *shown;
	const struct module_argspec *a;
	const char *key;
	char *msg = NULL, *unsupported = NULL;
	size_t i, j;
	int alias, r = ERR_INTERNAL;

	*paramsp = NULL;
	*failp = NULL;
	/* The name the task used, as Ansible's action layer passes it. */
	fqname = value_get_str(ctx->args, "_ansible_module_name", fqname);
	for (i = 0; i < value_len(ctx->args); i++) {
		key = value_map_key_at(ctx->args, i)->u.s.ptr;
		if (strncmp(key, "_ansible_", 9) != 0)
			value_map_set(params, key, value_ref(value_map_val_at(ctx->args, i)));
	}
	/* _handle_aliases: an alias sets its option, whose value it replaces. */
	for (j = 0; j < n; j++) {
		for (i = 0; i < value_len(ctx->args); i++) {
			key = value_map_key_at(ctx->args, i)->u.s.ptr;
			a = module_spec_find(&spec[j], 1, key, &alias);
			if (a == NULL || !alias)
				continue;
			if (warnings != NULL && value_map_get(ctx->args, spec[j].name) != NULL)
				value_list_push(warnings,
				                value_strf("Both option %s and its alias %s are set.", spec[j].name, key));
			value_map_set(params, spec[j].name, value_ref(value_map_val_at(ctx->args, i)));
		}
	}
	unsupported = module_unsupported(fqname, spec, n, ctx->args);
	msg = module_exclusive(exclusive, params);
	module_defaults(spec, n, params, 0);
	if (msg == NULL)
		msg = module_missing(spec, n, params);
	if (msg == NULL)
		msg = module_check_values(ctx, spec, n, params);
	module_defaults(spec, n, params, 1);
	if (msg == NULL && unsupported != NULL) {
		msg = unsupported;
		unsupported = NULL;
	}
	if (msg != NULL) {
		*failp = module_fail(value_map(), "%s", msg);
		shown = module_visible(spec, n, value_ref(params));
		module_finish(*failp, shown, warnings);
		value_unref(shown);
		r = ERR_INVAL;
		goto out;
	}
	*paramsp = params;
	params = NULL;
	r = 0;
out:
	free(msg);
	free(unsupported);
	value_unref(params);
	return r;
}

int module_params(const struct module_ctx *ctx, const char *fqname, const struct module_arg *spec, size_t n,
                  struct value **paramsp, struct value **failp)
{
	struct module_argspec *full = xcalloc(n + 1, sizeof(*full));
	size_t j;
	int r;

	for (j = 0; j < n; j++) {
		full[j].name = spec[j].name;
		full[j].type = spec[j].type;
		full[j].def = spec[j].def;
	}
	r = module_params_spec(ctx, fqname, full, n, NULL, NULL, paramsp, failp);
	free(full);
	return r;
}

struct value *module_invocation_args(const struct module_argspec *spec, size_t n, const struct value *params)
{
	return module_visible(spec, n, value_ref((struct value *)params));
}
