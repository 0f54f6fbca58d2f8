/* Changes to the inventory while a playbook runs, as Ansible's add_host and
 * group_by make them (InventoryManager.add_dynamic_host and
 * add_dynamic_group). */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "inventory/inv_priv.h"

static int inv_dyn_group(struct inventory *inv, const char *name, int *changedp, struct inv_group **gp,
                         struct diag *d)
{
	int r;

	if ((*gp = inv_group_get(inv, name)) != NULL)
		return 0;
	if ((r = inv_group_add(inv, name, gp, d)) == 0)
		*changedp = 1;
	return r;
}

int inventory_add_dynamic_host(struct inventory *inv, const char *name, const struct value *groups,
                               const struct value *vars, int *changedp, struct diag *d)
{
	struct inv_host *h;
	struct inv_group *g;
	const struct value *k;
	size_t i;
	int r;

	*changedp = 0;
	if ((h = inv_host_get(inv, name)) == NULL) {
		if ((r = inv_host_add(inv, name, inv_group_get(inv, "all"), -1, NULL, 0, 0, &h, d)) != 0)
			return r;
		*changedp = 1;
	}
	for (i = 0; i < value_len(vars); i++) {
		k = value_map_key_at(vars, i);
		if (!value_equal(value_map_get(h->vars, k->u.s.ptr), value_map_val_at(vars, i))) {
			inv_host_set_var(h, k->u.s.ptr, value_ref(value_map_val_at(vars, i)));
			*changedp = 1;
		}
	}
	for (i = 0; i < value_len(groups); i++) {
		if ((r = inv_dyn_group(inv, value_cstr(value_list_at(groups, i)), changedp, &g, d)) != 0)
			return r;
		if (inv_group_add_host(g, h))
			*changedp = 1;
	}
	if (*changedp)
		inv_reconcile(inv);
	return 0;
}

int inventory_add_dynamic_group(struct inventory *inv, struct inv_host *h, const char *group,
                                const struct value *parents, int *changedp, struct diag *d)
{
	struct inv_group *g, *p;
	size_t i, j;
	int r, created = 0, changed = 0;

	*changedp = 0;
	/* A new group alone is no change, as in Ansible; new parents, new
	 * links and the host joining are. */
	if ((r = inv_dyn_group(inv, group, &created, &g, d)) != 0)
		return r;
	for (i = 0; i < value_len(parents); i++) {
		if ((r = inv_dyn_group(inv, value_cstr(value_list_at(parents, i)), &changed, &p, d)) != 0)
			return r;
		for (j = 0; j < p->nchildren && p->children[j] != g; j++)
			;
		if (p == g || j < p->nchildren)
			continue;
		if ((r = inv_group_add_child(inv, p, g, NULL, 0, 0, d)) != 0)
			return r;
		changed = 1;
	}
	changed |= inv_group_add_host(g, h);
	if (changed || created)
		inv_reconcile(inv);
	*changedp = changed;
	return 0;
}

int inventory_parse_address(const char *address, char **hostp, long *portp)
{
	return inv_addr_parse(address, 0, hostp, portp);
}

/* Puts what fresh says of its groups and hosts into inv: new groups and
 * hosts, their links, their inline variables over the old ones. */
static int inv_dyn_merge(struct inventory *inv, struct inventory *fresh, struct diag *d)
{
	struct inv_group *g, *c;
	struct inv_host *h;
	size_t i, j;
	int r, changed = 0;

	for (i = 0; i < fresh->ngroups; i++) {
		if ((r = inv_dyn_group(inv, fresh->groups[i]->name, &changed, &g, d)) != 0)
			return r;
		value_map_update(g->vars, fresh->groups[i]->vars, 0);
	}
	for (i = 0; i < fresh->ngroups; i++) {
		g = inv_group_get(inv, fresh->groups[i]->name);
		for (j = 0; j < fresh->groups[i]->nchildren; j++) {
			c = inv_group_get(inv, fresh->groups[i]->children[j]->name);
			if ((r = inv_group_add_child(inv, g, c, NULL, 0, 0, d)) != 0)
				return r;
		}
	}
	for (i = 0; i < fresh->nhosts; i++) {
		if ((r = inv_host_add(inv, fresh->hosts[i]->name, NULL, -1, NULL, 0, 0, &h, d)) != 0)
			return r;
		value_map_update(h->vars, fresh->hosts[i]->vars, 0);
		for (j = 0; j < fresh->hosts[i]->ndirect; j++)
			inv_group_add_host(inv_group_get(inv, fresh->hosts[i]->direct[j]->name), h);
	}
	inv_reconcile(inv);
	return 0;
}

int inventory_refresh(struct inventory *inv, struct diag *d)
{
	struct inventory *fresh = NULL;
	int r;

	if ((r = inventory_load(&fresh, (const char *const *)inv->sources, inv->nloaded, d)) != 0)
		return r;
	r = inv_dyn_merge(inv, fresh, d);
	inventory_free(fresh);
	return r;
}
