/* The become settings of one task. */
#include "exec/becomereq.h"

#include <string.h>
#include <strings.h>

#include "base/err.h"

const char *const becomereq_var_names[] = {
        "ansible_become",     "ansible_become_user",     "ansible_become_method", "ansible_become_flags",
        "ansible_become_exe", "ansible_become_password", "ansible_become_pass",   NULL,
};

/* Ansible's boolean conversion for become and ansible_become. */
static int becomereq_bool(const struct value *v, int *outp)
{
	const char *s;

	switch (v->type) {
	case VALUE_BOOL: *outp = v->u.b; return 0;
	case VALUE_INT: *outp = v->u.i != 0; return 0;
	case VALUE_STR:
		s = v->u.s.ptr;
		if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 || strcasecmp(s, "on") == 0 ||
		    strcmp(s, "1") == 0 || strcasecmp(s, "y") == 0 || strcasecmp(s, "t") == 0) {
			*outp = 1;
			return 0;
		}
		*outp = 0;
		return 0;
	case VALUE_NULL: return ERR_NOTFOUND;
	default: return ERR_INVAL;
	}
}

/* The variable when set, else the keyword, else the default. */
static const struct value *becomereq_pick(const struct value *vars, const char *var, const struct value *kw)
{
	const struct value *v = vars != NULL ? value_map_get(vars, var) : NULL;

	if (v != NULL && v->type != VALUE_NULL)
		return v;
	return kw != NULL && kw->type != VALUE_NULL ? kw : NULL;
}

static int becomereq_str(struct value *b, const char *key, const struct value *v, const char *dflt, const char **errp,
                         const char *err)
{
	if (v == NULL) {
		if (dflt != NULL)
			value_map_set(b, key, value_str(dflt));
		return 0;
	}
	if (!value_is_str(v) || strlen(v->u.s.ptr) != v->u.s.len) {
		*errp = err;
		return ERR_INVAL;
	}
	value_map_set(b, key, value_str(v->u.s.ptr));
	return 0;
}

int becomereq_build(const struct becomereq_defaults *dflt, const struct becomereq_kw *kw, const struct value *vars,
                    struct value **becomep, const char **errp)
{
	const struct value *v, *pw;
	struct value *b = NULL;
	int on = dflt->become, r = ERR_INTERNAL;
	const char *method;

	*becomep = NULL;
	*errp = NULL;
	if ((v = becomereq_pick(vars, "ansible_become", kw->become)) != NULL && becomereq_bool(v, &on) == ERR_INVAL) {
		*errp = "the field 'become' has an invalid value, which must be a boolean";
		r = ERR_INVAL;
		goto out;
	}
	if (!on) {
		r = 0;
		goto out;
	}
	b = value_map();
	if ((r = becomereq_str(b, "method", becomereq_pick(vars, "ansible_become_method", kw->method),
	                       dflt->method ? dflt->method : "sudo", errp, "become_method must be a string")) != 0 ||
	    (r = becomereq_str(b, "user", becomereq_pick(vars, "ansible_become_user", kw->user),
	                       dflt->user ? dflt->user : "root", errp, "become_user must be a string")) != 0 ||
	    (r = becomereq_str(b, "flags", becomereq_pick(vars, "ansible_become_flags", kw->flags), dflt->flags, errp,
	                       "become_flags must be a string")) != 0 ||
	    (r = becomereq_str(b, "exe", becomereq_pick(vars, "ansible_become_exe", kw->exe), dflt->exe, errp,
	                       "become_exe must be a string")) != 0)
		goto out;
	method = value_get_str(b, "method", "sudo");
	if (strcmp(method, "sudo") != 0 && strcmp(method, "su") != 0 && strcmp(method, "doas") != 0) {
		*errp = "Invalid become method specified, drover supports sudo, su and doas";
		r = ERR_INVAL;
		goto out;
	}
	if (*value_get_str(b, "user", "") == '\0')
		value_map_set(b, "user", value_str("root"));
	pw = becomereq_pick(vars, "ansible_become_password", becomereq_pick(vars, "ansible_become_pass", NULL));
	if ((r = becomereq_str(b, "pass", pw, dflt->pass, errp, "ansible_become_password must be a string")) != 0)
		goto out;
	if (dflt->timeout_s > 0)
		value_map_set(b, "timeout", value_int(dflt->timeout_s));
	*becomep = b;
	b = NULL;
	r = 0;
out:
	value_unref(b);
	return r;
}
