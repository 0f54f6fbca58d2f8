/* YAML (and JSON) inventories as Ansible's yaml plugin reads them: top-level
 * keys are groups, each with optional `hosts`, `children` and `vars`
 * mappings, nested to any depth, host keys possibly holding ranges. */
#include "inventory/inv_priv.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/yaml.h"

struct iy {
	struct inventory *inv;
	const char *file;
	struct diag *d;
};

static int iy_fail(struct iy *y, const struct value *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int iy_fail(struct iy *y, const struct value *at, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (at != NULL && at->pos.line > 0)
		diag_set(y->d, at->pos.file ? at->pos.file : y->file, (int)at->pos.line, (int)at->pos.col, "%s", msg);
	else
		diag_set(y->d, y->file, 0, 0, "%s", msg);
	free(msg);
	return ERR_PARSE;
}

static const char *iy_kind(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return "null";
	case VALUE_BOOL: return "a boolean";
	case VALUE_INT: return "an integer";
	case VALUE_FLOAT: return "a float";
	case VALUE_STR: return "a string";
	case VALUE_LIST: return "a list";
	case VALUE_MAP: return "a mapping";
	}
	return "a value";
}

static int iy_falsy(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return 1;
	case VALUE_BOOL: return !v->u.b;
	case VALUE_INT: return v->u.i == 0;
	case VALUE_FLOAT: return v->u.f == 0.0;
	case VALUE_STR:
	case VALUE_LIST:
	case VALUE_MAP: return value_len(v) == 0;
	}
	return 0;
}

static int iy_mapish(const struct value *v)
{
	return v->type == VALUE_MAP || v->type == VALUE_NULL;
}

static int iy_group(struct iy *y, const struct value *key, const struct value *data, const char **namep);

static int iy_hosts(struct iy *y, struct inv_group *g, const struct value *hosts)
{
	const struct value *hk, *hv;
	struct value *names = NULL;
	struct inv_host *h;
	char *msg = NULL;
	long port;
	size_t i, j, k;
	int r;

	for (i = 0; i < value_len(hosts); i++) {
		hk = value_map_key_at(hosts, i);
		hv = value_map_val_at(hosts, i);
		if (hk->flags & YAML_F_NONSTR_KEY)
			return iy_fail(y, hk, "Host pattern %s must be a string. Enclose integers/floats in quotation marks.",
			               value_cstr(hk));
		if (!iy_falsy(hv) && hv->type != VALUE_MAP)
			return iy_fail(y, hv, "Invalid data from file, expected dictionary and got %s for host %s",
			               iy_kind(hv), value_cstr(hk));
		r = inv_addr_hostpattern(value_cstr(hk), &names, &port, &msg);
		if (r < 0) {
			r = iy_fail(y, hk, "%s", msg);
			free(msg);
			return r;
		}
		for (j = 0; j < value_len(names); j++) {
			r = inv_host_add(y->inv, value_cstr(value_list_at(names, j)), g, port, hk->pos.file,
			                 (int)hk->pos.line, (int)hk->pos.col, &h, y->d);
			if (r < 0) {
				value_unref(names);
				return r;
			}
			if (hv->type == VALUE_MAP)
				for (k = 0; k < value_len(hv); k++)
					inv_host_set_var(h, value_cstr(value_map_key_at(hv, k)),
					                 value_ref(value_map_val_at(hv, k)));
		}
		value_unref(names);
		names = NULL;
	}
	return 0;
}

static int iy_children(struct iy *y, struct inv_group *g, const struct value *children)
{
	const struct value *ck;
	struct inv_group *cg;
	struct inv_host *ch;
	const char *name;
	size_t i;
	int r;

	for (i = 0; i < value_len(children); i++) {
		ck = value_map_key_at(children, i);
		r = iy_group(y, ck, value_map_val_at(children, i), &name);
		if (r < 0)
			return r;
		/* Ansible's add_child takes a group, or else a host of that name. */
		cg = inv_group_get(y->inv, name);
		if (cg != NULL) {
			r = inv_group_add_child(y->inv, g, cg, ck->pos.file, (int)ck->pos.line, (int)ck->pos.col, y->d);
			if (r < 0)
				return r;
		} else if ((ch = inv_host_get(y->inv, name)) != NULL) {
			inv_group_add_host(g, ch);
		} else {
			return iy_fail(y, ck, "%s is not a known host nor group", name);
		}
	}
	return 0;
}

/* _parse_group: returns the group's name in *namep (borrowed from key). */
static int iy_group(struct iy *y, const struct value *key, const struct value *data, const char **namep)
{
	static const char *const sections[] = {"vars", "children", "hosts"};
	struct value *sect[3] = {NULL, NULL, NULL}, *v;
	const struct value *k;
	struct inv_group *g;
	size_t i, s;
	int r = 0;

	*namep = value_cstr(key);
	if (key->flags & YAML_F_NONSTR_KEY)
		return iy_fail(y, key, "Unable to add group %s: Invalid group name supplied, expected a string", value_cstr(key));
	if (!iy_mapish(data)) {
		inv_warn(y->inv, "Skipping '%s' as this is not a valid group definition", value_cstr(key));
		return 0;
	}
	if (value_len(key) == 0)
		return iy_fail(y, key, "Unable to add group %s: Invalid empty/false group name provided", value_cstr(key));
	r = inv_group_add(y->inv, value_cstr(key), &g, y->d);
	if (r < 0)
		return r;
	if (data->type == VALUE_NULL)
		return 0;
	/* A section given as a string means {string: None}. */
	for (s = 0; s < 3; s++) {
		v = value_map_get(data, sections[s]);
		if (v == NULL)
			continue;
		if (v->type == VALUE_STR) {
			sect[s] = value_pos_from(value_map(), v);
			value_map_set_key(sect[s], value_ref(v), value_null());
		} else if (!iy_mapish(v)) {
			r = iy_fail(y, v, "Invalid \"%s\" entry for \"%s\" group, requires a dictionary, found %s instead.",
			            sections[s], g->name, iy_kind(v));
			goto out;
		}
	}
	for (i = 0; i < value_len(data) && r == 0; i++) {
		k = value_map_key_at(data, i);
		v = value_map_val_at(data, i);
		for (s = 0; s < 3; s++)
			if (strcmp(value_cstr(k), sections[s]) == 0 && sect[s] != NULL)
				v = sect[s];
		if (!iy_mapish(v)) {
			inv_warn(y->inv, "Skipping key (%s) in group (%s) as it is not a mapping, it is %s", value_cstr(k),
			         g->name, iy_kind(v));
			continue;
		}
		if (v->type == VALUE_NULL)
			continue;
		if (strcmp(value_cstr(k), "vars") == 0) {
			for (s = 0; s < value_len(v) && r == 0; s++)
				r = inv_group_set_var(g, value_cstr(value_map_key_at(v, s)), value_ref(value_map_val_at(v, s)),
				                      y->d);
		} else if (strcmp(value_cstr(k), "children") == 0) {
			r = iy_children(y, g, v);
		} else if (strcmp(value_cstr(k), "hosts") == 0) {
			r = iy_hosts(y, g, v);
		} else {
			inv_warn(y->inv, "Skipping unexpected key (%s) in group (%s), only \"vars\", \"children\" and \"hosts\" are valid",
			         value_cstr(k), g->name);
		}
	}
out:
	for (s = 0; s < 3; s++)
		value_unref(sect[s]);
	return r;
}

int inv_yaml_load(struct inventory *inv, const char *text, size_t len, const char *file, int *mappingp,
                  struct diag *d)
{
	struct iy y = {inv, file, d};
	struct value *doc = NULL;
	const struct value *plugin;
	const char *name;
	size_t i;
	int r;

	*mappingp = 0;
	r = yaml_load_data(text, len, file, &doc, d);
	if (r < 0)
		return r;
	if (iy_falsy(doc)) {
		diag_set(d, file, 0, 0, "Parsed empty YAML file");
		r = 0;
		goto out;
	}
	if (doc->type != VALUE_MAP) {
		iy_fail(&y, doc, "YAML inventory has invalid structure, it should be a dictionary, got %s",
		        iy_kind(doc));
		r = 0;
		goto out;
	}
	*mappingp = 1;
	plugin = value_map_get(doc, "plugin");
	if (plugin != NULL && !iy_falsy(plugin)) {
		r = iy_fail(&y, plugin, "inventory plugin configuration files are not supported (plugin: %s)",
		            value_cstr(plugin) ? value_cstr(plugin) : "?");
		goto out;
	}
	for (i = 0; i < value_len(doc); i++) {
		r = iy_group(&y, value_map_key_at(doc, i), value_map_val_at(doc, i), &name);
		if (r < 0)
			goto out;
	}
	r = 1;
out:
	value_unref(doc);
	return r;
}
