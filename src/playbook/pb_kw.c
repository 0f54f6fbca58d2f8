/* The keyword table, loading keywords from a playbook map with Ansible's
 * checks (vars, tags, string types), and the post-validation conversions. */
#include "playbook/pb_kw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "playbook/modreg.h"
#include "playbook/pb_priv.h"

#define ALLB (PB_ON_PLAY | PB_ON_BLOCK | PB_ON_TASK | PB_ON_HANDLER | PB_ON_ROLE | PB_ON_PBINCLUDE)
#define NOPLAY (PB_ON_BLOCK | PB_ON_TASK | PB_ON_HANDLER | PB_ON_ROLE | PB_ON_PBINCLUDE)
#define TASKS (PB_ON_TASK | PB_ON_HANDLER)
#define INC PB_ON_INCLUDE

struct pb_kw_def {
	const char *name;
	enum pb_kw_type type;
	enum pb_kw_inherit inherit;
	unsigned on;
};

/* Ansible 2.14's FieldAttributes of Base, Taggable, Conditional,
 * CollectionSearch, Block, Task, Handler, RoleInclude, PlaybookInclude and
 * Play; INC marks TaskInclude's VALID_INCLUDE_KEYWORDS. */
static const struct pb_kw_def pb_kw_defs[PB_KW_COUNT] = {
	[PB_KW_NAME] = {"name", PB_KWT_STR, PB_KWI_NONE, ALLB | INC},
	[PB_KW_CONNECTION] = {"connection", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_PORT] = {"port", PB_KWT_INT, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_REMOTE_USER] = {"remote_user", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_VARS] = {"vars", PB_KWT_DICT, PB_KWI_NONE, ALLB | INC},
	[PB_KW_MODULE_DEFAULTS] = {"module_defaults", PB_KWT_LIST, PB_KWI_PREPEND, ALLB},
	[PB_KW_ENVIRONMENT] = {"environment", PB_KWT_LIST, PB_KWI_PREPEND, ALLB},
	[PB_KW_NO_LOG] = {"no_log", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB | INC},
	[PB_KW_RUN_ONCE] = {"run_once", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB | INC},
	[PB_KW_IGNORE_ERRORS] = {"ignore_errors", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB | INC},
	[PB_KW_IGNORE_UNREACHABLE] = {"ignore_unreachable", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_CHECK_MODE] = {"check_mode", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_DIFF] = {"diff", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_ANY_ERRORS_FATAL] = {"any_errors_fatal", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_THROTTLE] = {"throttle", PB_KWT_INT, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_TIMEOUT] = {"timeout", PB_KWT_INT, PB_KWI_OVERRIDE, ALLB | INC},
	[PB_KW_DEBUGGER] = {"debugger", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB | INC},
	[PB_KW_BECOME] = {"become", PB_KWT_BOOL, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_BECOME_METHOD] = {"become_method", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_BECOME_USER] = {"become_user", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_BECOME_FLAGS] = {"become_flags", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_BECOME_EXE] = {"become_exe", PB_KWT_STR, PB_KWI_OVERRIDE, ALLB},
	[PB_KW_TAGS] = {"tags", PB_KWT_LIST, PB_KWI_EXTEND, ALLB | INC},
	[PB_KW_WHEN] = {"when", PB_KWT_LIST, PB_KWI_PREPEND, NOPLAY | INC},
	[PB_KW_COLLECTIONS] = {"collections", PB_KWT_LIST, PB_KWI_OVERRIDE,
	                       PB_ON_PLAY | PB_ON_BLOCK | TASKS | PB_ON_ROLE | INC},
	[PB_KW_DELEGATE_TO] = {"delegate_to", PB_KWT_STR, PB_KWI_OVERRIDE, PB_ON_BLOCK | TASKS | PB_ON_ROLE},
	[PB_KW_DELEGATE_FACTS] = {"delegate_facts", PB_KWT_BOOL, PB_KWI_OVERRIDE, PB_ON_BLOCK | TASKS | PB_ON_ROLE},
	[PB_KW_NOTIFY] = {"notify", PB_KWT_LIST, PB_KWI_OVERRIDE, PB_ON_BLOCK | TASKS},
	[PB_KW_ASYNC] = {"async", PB_KWT_INT, PB_KWI_NONE, TASKS},
	[PB_KW_POLL] = {"poll", PB_KWT_INT, PB_KWI_NONE, TASKS},
	[PB_KW_CHANGED_WHEN] = {"changed_when", PB_KWT_LIST, PB_KWI_NONE, TASKS},
	[PB_KW_FAILED_WHEN] = {"failed_when", PB_KWT_LIST, PB_KWI_NONE, TASKS},
	[PB_KW_UNTIL] = {"until", PB_KWT_LIST, PB_KWI_NONE, TASKS},
	[PB_KW_RETRIES] = {"retries", PB_KWT_INT, PB_KWI_NONE, TASKS},
	[PB_KW_DELAY] = {"delay", PB_KWT_INT, PB_KWI_NONE, TASKS},
	[PB_KW_LOOP] = {"loop", PB_KWT_ANY, PB_KWI_NONE, TASKS | INC},
	[PB_KW_LOOP_CONTROL] = {"loop_control", PB_KWT_CLASS, PB_KWI_NONE, TASKS | INC},
	[PB_KW_REGISTER] = {"register", PB_KWT_STR, PB_KWI_NONE, TASKS | INC},
	[PB_KW_LISTEN] = {"listen", PB_KWT_LIST, PB_KWI_NONE, PB_ON_HANDLER},
	[PB_KW_HOSTS] = {"hosts", PB_KWT_LIST, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_GATHER_FACTS] = {"gather_facts", PB_KWT_BOOL, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_GATHER_SUBSET] = {"gather_subset", PB_KWT_LIST, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_GATHER_TIMEOUT] = {"gather_timeout", PB_KWT_INT, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_FACT_PATH] = {"fact_path", PB_KWT_STR, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_VARS_FILES] = {"vars_files", PB_KWT_LIST, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_FORCE_HANDLERS] = {"force_handlers", PB_KWT_BOOL, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_MAX_FAIL_PERCENTAGE] = {"max_fail_percentage", PB_KWT_PERCENT, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_SERIAL] = {"serial", PB_KWT_LIST, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_STRATEGY] = {"strategy", PB_KWT_STR, PB_KWI_NONE, PB_ON_PLAY},
	[PB_KW_ORDER] = {"order", PB_KWT_STR, PB_KWI_NONE, PB_ON_PLAY},
};

const char *pb_kw_name(enum pb_kw k)
{
	return (unsigned)k < PB_KW_COUNT ? pb_kw_defs[k].name : "?";
}

enum pb_kw_type pb_kw_type(enum pb_kw k)
{
	return (unsigned)k < PB_KW_COUNT ? pb_kw_defs[k].type : PB_KWT_ANY;
}

enum pb_kw_inherit pb_kw_inherit(enum pb_kw k)
{
	return (unsigned)k < PB_KW_COUNT ? pb_kw_defs[k].inherit : PB_KWI_NONE;
}

unsigned pb_kw_accepts(enum pb_kw k)
{
	return (unsigned)k < PB_KW_COUNT ? pb_kw_defs[k].on : 0;
}

int pb_kw_lookup(const char *name)
{
	int k;

	/* Ansible's aliases: async_val is the attribute behind async. */
	if (strcmp(name, "async_val") == 0)
		return PB_KW_ASYNC;
	for (k = 0; k < PB_KW_COUNT; k++)
		if (strcmp(pb_kw_defs[k].name, name) == 0)
			return k;
	return -1;
}

int pb_is_template(const char *text)
{
	return text != NULL && (strstr(text, "{{") != NULL || strstr(text, "{%") != NULL);
}

static const char *const pb_kw_pykeywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
	"def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
	"in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
	"with", "yield",
};

int pb_kw_is_identifier(const char *s)
{
	size_t i;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	/* Bytes past ASCII are taken as letters: Python accepts most of them. */
	for (i = 0; s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!(ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch >= 0x80))
			return 0;
	}
	for (i = 0; i < sizeof(pb_kw_pykeywords) / sizeof(pb_kw_pykeywords[0]); i++)
		if (strcmp(s, pb_kw_pykeywords[i]) == 0)
			return 0;
	return 1;
}

static int pb_kw_check_var_names(struct pb_ctx *c, const char *class, const struct value *m)
{
	size_t i;

	for (i = 0; i < value_len(m); i++) {
		const struct value *k = value_map_key_at(m, i);

		if (!pb_kw_is_identifier(value_cstr(k)))
			return pb_err(c, ERR_PARSE, k,
			              "Invalid variable name in vars specified for %s: '%s' is not a valid variable name",
			              class, value_cstr(k));
	}
	return 0;
}

int pb_kw_load_vars(struct pb_ctx *c, const char *class, const struct value *v, struct value **outp)
{
	struct value *all;
	size_t i;
	int r;

	*outp = NULL;
	if (v == NULL || v->type == VALUE_NULL) {
		*outp = value_map();
		if (v != NULL)
			value_pos_from(*outp, v);
		return 0;
	}
	if (v->type == VALUE_MAP) {
		if ((r = pb_kw_check_var_names(c, class, v)) != 0)
			return r;
		*outp = value_ref((struct value *)v);
		return 0;
	}
	if (v->type != VALUE_LIST)
		goto bad;
	for (i = 0; i < value_len(v); i++)
		if (value_list_at(v, i)->type != VALUE_MAP)
			goto bad;
	all = value_pos_from(value_map(), v);
	for (i = 0; i < value_len(v); i++) {
		if ((r = pb_kw_check_var_names(c, class, value_list_at(v, i))) != 0) {
			value_unref(all);
			return r;
		}
		value_map_update(all, value_list_at(v, i), 0);
	}
	*outp = all;
	return 0;
bad:
	return pb_err(c, ERR_PARSE, v, "Vars in a %s must be specified as a dictionary, or a list of dictionaries",
	              class);
}

/* Python's str.strip() over ASCII whitespace. */
static struct value *pb_kw_stripped(const char *s, size_t n, const struct value *at)
{
	while (n > 0 && strchr(" \t\n\r\f\v", *s) != NULL) {
		s++;
		n--;
	}
	while (n > 0 && strchr(" \t\n\r\f\v", s[n - 1]) != NULL)
		n--;
	return value_pos_from(value_strn(s, n), at);
}

int pb_kw_load_tags(struct pb_ctx *c, const struct value *v, struct value **outp)
{
	struct value *l;
	const char *s, *comma;

	*outp = NULL;
	if (v->type == VALUE_LIST) {
		*outp = value_ref((struct value *)v);
		return 0;
	}
	if (v->type != VALUE_STR)
		return pb_err(c, ERR_INVAL, v, "tags must be specified as a list");
	l = value_pos_from(value_list(), v);
	s = v->u.s.ptr;
	while ((comma = strchr(s, ',')) != NULL) {
		value_list_push(l, pb_kw_stripped(s, (size_t)(comma - s), v));
		s = comma + 1;
	}
	value_list_push(l, pb_kw_stripped(s, strlen(s), v));
	*outp = l;
	return 0;
}

/* when, changed_when, failed_when and until hold lists, as Ansible's
 * validators make them (until only at post_validate; the same result). */
static int pb_kw_listish(enum pb_kw k)
{
	return k == PB_KW_WHEN || k == PB_KW_CHANGED_WHEN || k == PB_KW_FAILED_WHEN || k == PB_KW_UNTIL;
}

int pb_kw_validate(struct pb_ctx *c, struct pb_obj *obj)
{
	int k;

	for (k = 0; k < PB_KW_COUNT; k++) {
		const struct value *v = obj->kw[k];

		if (v == NULL || pb_kw_defs[k].type != PB_KWT_STR)
			continue;
		if (v->type == VALUE_LIST || v->type == VALUE_MAP)
			return pb_err(c, ERR_PARSE, v,
			              "The field '%s' is supposed to be a string type, however the incoming data "
			              "structure is a %s",
			              pb_kw_defs[k].name, pb_pytype(v));
	}
	return 0;
}

static int pb_kw_module_defaults_keys(struct pb_ctx *c, const struct value *m)
{
	const struct value *key;
	const char *name;
	size_t i;

	for (i = 0; i < value_len(m); i++) {
		key = value_map_key_at(m, i);
		name = value_cstr(key);
		if (strncmp(name, "group/", 6) == 0)
			return pb_err(c, ERR_PARSE, key,
			              "module_defaults for action groups ('%s') are not supported by drover; name the "
			              "modules instead",
			              name);
		if (modreg_find(name) == NULL)
			return pb_err(c, ERR_PARSE, key, "Could not resolve action %s%s in module_defaults",
			              strchr(name, '.') != NULL && strchr(strchr(name, '.') + 1, '.') != NULL
			                      ? ""
			                      : "ansible.legacy.",
			              name);
	}
	return 0;
}

int pb_kw_load_module_defaults(struct pb_ctx *c, const struct value *v)
{
	size_t i;
	int r;

	if (v->type == VALUE_NULL)
		return 0;
	if (v->type == VALUE_MAP)
		return pb_kw_module_defaults_keys(c, v);
	for (i = 0; v->type == VALUE_LIST && i < value_len(v); i++) {
		if (value_list_at(v, i)->type != VALUE_MAP)
			break;
		if ((r = pb_kw_module_defaults_keys(c, value_list_at(v, i))) != 0)
			return r;
	}
	if (v->type == VALUE_LIST && i == value_len(v))
		return 0;
	return pb_err(c, ERR_PARSE, v,
	              "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries, the keys "
	              "of which must be static action, module, or group names. Only the values may contain "
	              "templates. For example: {'ping': \"{{ ping_defaults }}\"}");
}

int pb_kw_load_all(struct pb_ctx *c, struct pb_obj *obj, const struct value *ds, unsigned on,
                   const char *class, int (*skip)(const char *name))
{
	struct value *v;
	size_t i;
	int k, r;

	for (i = 0; i < value_len(ds); i++) {
		const struct value *key = value_map_key_at(ds, i);
		const char *name = value_cstr(key);

		if (skip != NULL && skip(name))
			continue;
		k = pb_kw_lookup(name);
		if (k < 0 || !(pb_kw_defs[k].on & on))
			return pb_err(c, ERR_PARSE, key, "'%s' is not a valid attribute for a %s", name,
			              class);
	}
	for (i = 0; i < value_len(ds); i++) {
		const char *name = value_cstr(value_map_key_at(ds, i));
		struct value *val = value_map_val_at(ds, i);

		if (skip != NULL && skip(name))
			continue;
		k = pb_kw_lookup(name);
		v = NULL;
		if (k == PB_KW_VARS) {
			if ((r = pb_kw_load_vars(c, class, val, &v)) != 0)
				return r;
		} else if (k == PB_KW_TAGS) {
			if ((r = pb_kw_load_tags(c, val, &v)) != 0)
				return r;
		} else if (k == PB_KW_MODULE_DEFAULTS && (r = pb_kw_load_module_defaults(c, val)) != 0) {
			return r;
		} else if (pb_kw_listish(k) && val->type != VALUE_LIST) {
			v = value_pos_from(value_list(), val);
			value_list_push(v, value_ref(val));
		} else {
			v = value_ref(val);
		}
		obj->kw[k] = pb_keep(c->pb, v);
	}
	return pb_kw_validate(c, obj);
}

static int pb_kw_conv_err(const struct value *v, const char *field, const char *isa, const char *why,
                          struct diag *d)
{
	char tmp[64];
	const char *shown;

	switch (v->type) {
	case VALUE_STR: shown = v->u.s.ptr; break;
	case VALUE_BOOL: shown = v->u.b ? "True" : "False"; break;
	case VALUE_NULL: shown = "None"; break;
	case VALUE_INT: snprintf(tmp, sizeof(tmp), "%lld", (long long)v->u.i); shown = tmp; break;
	case VALUE_FLOAT: snprintf(tmp, sizeof(tmp), "%g", v->u.f); shown = tmp; break;
	default: shown = v->type == VALUE_LIST ? "[...]" : "{...}"; break;
	}
	return pb_err_pos(d, ERR_PARSE, &v->pos,
	                  "the field '%s' has an invalid value (%s), and could not be converted to an %s."
	                  "The error was: %s",
	                  field, shown, isa, why);
}

int pb_kw_bool(const struct value *v, const char *field, int *outp, struct diag *d)
{
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t"};
	static const char *const no[] = {"n", "no", "off", "0", "false", "f"};
	char why[512];
	size_t i;

	if (v->type == VALUE_BOOL) {
		*outp = v->u.b;
		return 0;
	}
	if ((v->type == VALUE_INT && (v->u.i == 0 || v->u.i == 1)) ||
	    (v->type == VALUE_FLOAT && (v->u.f == 0.0 || v->u.f == 1.0))) {
		*outp = v->type == VALUE_INT ? v->u.i == 1 : v->u.f == 1.0;
		return 0;
	}
	if (v->type == VALUE_STR) {
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strcasecmp(v->u.s.ptr, yes[i]) == 0) {
				*outp = 1;
				return 0;
			}
			if (strcasecmp(v->u.s.ptr, no[i]) == 0) {
				*outp = 0;
				return 0;
			}
		}
	}
	snprintf(why, sizeof(why),
	         "The value '%.200s' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', "
	         "'true', 't', 1, 'n', 'no', 'off', '0', 'false', 'f', 0",
	         v->type == VALUE_STR ? v->u.s.ptr : "?");
	return pb_kw_conv_err(v, field, "bool", why, d);
}

int pb_kw_int(const struct value *v, const char *field, int64_t *outp, struct diag *d)
{
	char why[512], *end;
	const char *s;
	long long n;

	switch (v->type) {
	case VALUE_INT: *outp = v->u.i; return 0;
	case VALUE_BOOL: *outp = v->u.b; return 0;
	case VALUE_FLOAT:
		if (isfinite(v->u.f) && fabs(v->u.f) < 9.2e18) {
			*outp = (int64_t)v->u.f;
			return 0;
		}
		return pb_kw_conv_err(v, field, "int", "cannot convert float infinity to integer", d);
	case VALUE_STR:
		s = v->u.s.ptr;
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		errno = 0;
		n = strtoll(s, &end, 10);
		while (end != s && (*end == ' ' || *end == '\t' || *end == '\n'))
			end++;
		if (end != s && *end == '\0' && errno == 0 && *s != '\0') {
			*outp = n;
			return 0;
		}
		snprintf(why, sizeof(why), "invalid literal for int() with base 10: '%.200s'", v->u.s.ptr);
		return pb_kw_conv_err(v, field, "int", why, d);
	default:
		snprintf(why, sizeof(why), "int() argument must be a string, a bytes-like object or a real number, "
		                           "not '%s'", v->type == VALUE_NULL ? "NoneType" : value_type_name(v));
		return pb_kw_conv_err(v, field, "int", why, d);
	}
}

int pb_kw_percent(const struct value *v, const char *field, double *outp, struct diag *d)
{
	char why[512], buf[256], *end;
	size_t i, n = 0;

	switch (v->type) {
	case VALUE_INT: *outp = (double)v->u.i; return 0;
	case VALUE_FLOAT: *outp = v->u.f; return 0;
	case VALUE_BOOL: *outp = v->u.b; return 0;
	case VALUE_STR:
		for (i = 0; i < v->u.s.len && n < sizeof(buf) - 1; i++)
			if (v->u.s.ptr[i] != '%')
				buf[n++] = v->u.s.ptr[i];
		buf[n] = '\0';
		*outp = strtod(buf, &end);
		while (end != buf && (*end == ' ' || *end == '\t'))
			end++;
		if (end != buf && *end == '\0' && i == v->u.s.len)
			return 0;
		snprintf(why, sizeof(why), "could not convert string to float: '%.200s'", buf);
		return pb_kw_conv_err(v, field, "percent", why, d);
	default:
		return pb_kw_conv_err(v, field, "percent", "float() argument must be a string or a number", d);
	}
}

struct value *pb_kw_list(const struct value *v)
{
	struct value *l;

	if (v != NULL && v->type == VALUE_LIST)
		return value_ref((struct value *)v);
	l = value_list();
	if (v == NULL)
		return l;
	value_pos_from(l, v);
	if (v->type != VALUE_NULL)
		value_list_push(l, value_ref((struct value *)v));
	return l;
}
