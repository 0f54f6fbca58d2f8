/* The controller actions that change the inventory: add_host and group_by,
 * with the arguments and results of Ansible's action plugins and the change
 * its strategy then makes (the executor runs add_host once per task, as
 * Ansible's BYPASS_HOST_LOOP). */
#include "exec/actions_inv.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "exec/actions.h"

/* Appends s[0..n) stripped of white space unless out has it already. */
static void actions_inv_add_name(struct value *out, const char *s, size_t n)
{
	size_t i;

	while (n > 0 && isspace((unsigned char)*s))
		s++, n--;
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	for (i = 0; i < value_len(out); i++)
		if (strlen(value_cstr(value_list_at(out, i))) == n && memcmp(value_cstr(value_list_at(out, i)), s, n) == 0)
			return;
	value_list_push(out, value_strn(s, n));
}

/* groups (or group, groupname): a list of names or a string of
 * comma-separated ones. NULL for anything else. */
static struct value *actions_inv_groups(const struct value *g)
{
	struct value *out = value_list();
	const char *s, *comma;
	size_t i;

	if (g == NULL || (g->type == VALUE_STR && g->u.s.len == 0))
		return out;
	if (g->type == VALUE_STR) {
		for (s = g->u.s.ptr; (comma = strchr(s, ',')) != NULL; s = comma + 1)
			actions_inv_add_name(out, s, (size_t)(comma - s));
		actions_inv_add_name(out, s, strlen(s));
		return out;
	}
	for (i = 0; g->type == VALUE_LIST && i < value_len(g); i++) {
		if (!value_is_str(value_list_at(g, i)))
			break;
		actions_inv_add_name(out, value_cstr(value_list_at(g, i)), strlen(value_cstr(value_list_at(g, i))));
	}
	if (g->type != VALUE_LIST || i < value_len(g)) {
		value_unref(out);
		return NULL;
	}
	return out;
}

static const struct value *actions_inv_first(const struct value *args, const char *const *names)
{
	const struct value *v;

	for (; *names != NULL; names++)
		if ((v = value_map_get(args, *names)) != NULL)
			return v;
	return NULL;
}

/* The add_host result: host_name, groups and host_vars, changed as the
 * inventory changed. */
static struct value *actions_inv_added(const char *name, struct value *groups, struct value *vars, int changed)
{
	struct value *r = value_map(), *info = value_map();

	value_map_set(info, "host_name", value_str(name));
	value_map_set(info, "groups", groups);
	value_map_set(info, "host_vars", vars);
	value_map_set(r, "add_host", info);
	value_map_set(r, "changed", value_bool(changed));
	return r;
}

struct value *actions_inv_add_host(struct inventory *inv, struct vars_run *run, const struct value *args)
{
	static const char *const name_keys[] = {"name", "hostname", "host", NULL};
	static const char *const group_keys[] = {"groupname", "groups", "group", NULL};
	static const char *const special[] = {"name", "hostname", "groupname", "groups", "_raw_params"};
	const struct value *n = actions_inv_first(args, name_keys), *k;
	struct value *groups, *vars, *r;
	struct diag d;
	char *host = NULL;
	long port = -1;
	size_t i, j;
	int changed;

	if (n == NULL)
		return action_failed("name, host or hostname needs to be provided", NULL);
	if (!value_is_str(n))
		return action_failed("add_host: the host name must be a string", NULL);
	if ((groups = actions_inv_groups(actions_inv_first(args, group_keys))) == NULL)
		return action_failed("Groups must be specified as a list.", NULL);
	if (inventory_parse_address(value_cstr(n), &host, &port) != 0 || host == NULL) {
		free(host);
		host = xstrdup(value_cstr(n));
		port = -1;
	}
	vars = value_map();
	for (i = 0; i < value_len(args); i++) {
		k = value_map_key_at(args, i);
		for (j = 0; j < sizeof(special) / sizeof(special[0]) && strcmp(k->u.s.ptr, special[j]) != 0; j++)
			;
		if (j == sizeof(special) / sizeof(special[0]))
			value_map_set(vars, k->u.s.ptr, value_ref(value_map_val_at(args, i)));
	}
	if (port > 0)
		value_map_set(vars, "ansible_ssh_port", value_int(port));
	diag_init(&d);
	if (inventory_add_dynamic_host(inv, host, groups, vars, &changed, &d) != 0) {
		r = action_diag_failed(&d);
		value_unref(groups);
		value_unref(vars);
	} else {
		vars_inventory_changed(run);
		r = actions_inv_added(host, groups, vars, changed);
	}
	diag_fini(&d);
	free(host);
	return r;
}

/* group_by's names: spaces become dashes, as Ansible's. */
static struct value *actions_inv_dashed(const char *s)
{
	struct value *v = value_str(s);
	size_t i;

	for (i = 0; i < v->u.s.len; i++)
		if (v->u.s.ptr[i] == ' ')
			v->u.s.ptr[i] = '-';
	return v;
}

static struct value *actions_inv_parents(const struct value *p)
{
	struct value *out = value_list();
	size_t i;

	if (p == NULL) {
		value_list_push(out, value_str("all"));
		return out;
	}
	if (value_is_str(p)) {
		value_list_push(out, actions_inv_dashed(value_cstr(p)));
		return out;
	}
	for (i = 0; p->type == VALUE_LIST && i < value_len(p) && value_is_str(value_list_at(p, i)); i++)
		value_list_push(out, actions_inv_dashed(value_cstr(value_list_at(p, i))));
	if (p->type != VALUE_LIST || i < value_len(p)) {
		value_unref(out);
		return NULL;
	}
	return out;
}

struct value *actions_inv_group_by(struct inventory *inv, struct vars_run *run, const char *host,
                                   const struct value *args)
{
	const struct value *key = value_map_get(args, "key");
	struct value *group, *parents, *r;
	struct inv_host *h = inventory_host(inv, host);
	struct diag d;
	size_t i;
	int changed;

	for (i = 0; i < value_len(args); i++) {
		const char *k = value_map_key_at(args, i)->u.s.ptr;

		if (strcmp(k, "key") != 0 && strcmp(k, "parents") != 0 && strcmp(k, "_raw_params") != 0) {
			return action_failed("Invalid options for group_by: %s", k);
		}
	}
	if (key == NULL)
		return action_failed("the 'key' param is required when using group_by", NULL);
	if (!value_is_str(key))
		return action_failed("group_by: the key must be a string", NULL);
	if ((parents = actions_inv_parents(value_map_get(args, "parents"))) == NULL)
		return action_failed("group_by: parents must be a string or a list of strings", NULL);
	if (h == NULL) {
		value_unref(parents);
		return action_failed("group_by: the host is not in the inventory", NULL);
	}
	group = actions_inv_dashed(value_cstr(key));
	diag_init(&d);
	if (inventory_add_dynamic_group(inv, h, group->u.s.ptr, parents, &changed, &d) != 0) {
		r = action_diag_failed(&d);
		value_unref(group);
		value_unref(parents);
	} else {
		vars_inventory_changed(run);
		r = value_map();
		value_map_set(r, "add_group", group);
		value_map_set(r, "changed", value_bool(changed));
		value_map_set(r, "parent_groups", parents);
	}
	diag_fini(&d);
	return r;
}
