/* The inventory's public face: loading sources, selecting hosts, and the
 * variables Ansible derives from the inventory (merged host variables,
 * `groups`, `group_names`). */
#include "inventory/inventory.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "inventory/inv_priv.h"

/* Names ansible-inventory removes from what it prints (INTERNAL_VARS). */
static const char *const inventory_internal[] = {
	"ansible_diff_mode", "ansible_config_file", "ansible_facts", "ansible_forks",
	"ansible_inventory_sources", "ansible_limit", "ansible_playbook_python", "ansible_run_tags",
	"ansible_skip_tags", "ansible_verbosity", "ansible_version", "inventory_dir", "inventory_file",
	"inventory_hostname", "inventory_hostname_short", "groups", "group_names", "omit", "playbook_dir",
};

void inventory_strip_internal(struct value *vars)
{
	size_t i;

	for (i = 0; i < sizeof(inventory_internal) / sizeof(inventory_internal[0]); i++)
		value_map_del(vars, inventory_internal[i]);
}

static struct inventory *inventory_new(void)
{
	struct inventory *inv = xcalloc(1, sizeof(*inv));
	struct inv_group *all, *ungrouped;

	inv->group_index = value_map();
	inv->host_index = value_map();
	inv->warned = value_map();
	inv_group_add(inv, "all", &all, NULL);
	inv_group_add(inv, "ungrouped", &ungrouped, NULL);
	inv_group_add_child(inv, all, ungrouped, NULL, 0, 0, NULL);
	return inv;
}

/* Where a source's group_vars/ and host_vars/ live: the source itself when
 * it is a directory, else its directory; none for a host list. */
static char *inventory_var_dir(const char *source)
{
	struct stat st;
	char *path, *slash;

	if (strchr(source, ',') != NULL && stat(source, &st) != 0)
		return NULL;
	path = inv_source_unfrack(source);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return path;
	slash = strrchr(path, '/');
	if (slash != NULL)
		*(slash == path ? slash + 1 : slash) = '\0';
	return path;
}

int inventory_load(struct inventory **invp, const char *const *sources, size_t n, struct diag *d)
{
	struct inventory *inv;
	size_t i;
	int r;

	*invp = NULL;
	if (n > INV_MAX_SOURCES) {
		diag_set(d, NULL, 0, 0, "too many inventory sources (over %d)", INV_MAX_SOURCES);
		return ERR_TOOBIG;
	}
	inv = inventory_new();
	inv->nsources = inv->nloaded = n;
	inv->sources = xcalloc(n ? n : 1, sizeof(*inv->sources));
	inv->var_dirs = xcalloc(n ? n : 1, sizeof(*inv->var_dirs));
	for (i = 0; i < n; i++) {
		inv->sources[i] = xstrdup(sources[i]);
		inv->var_dirs[i] = inventory_var_dir(sources[i]);
	}
	for (i = 0; i < n; i++) {
		r = inv_source_load(inv, sources[i], d);
		if (r < 0)
			goto fail;
	}
	inv_reconcile(inv);
	r = inv_vars_load(inv, d);
	if (r < 0)
		goto fail;
	*invp = inv;
	return 0;
fail:
	inventory_free(inv);
	return r;
}

int inventory_add_vars_dir(struct inventory *inv, const char *dir, struct diag *d)
{
	return inv_vars_add_dir(inv, dir, d);
}

int inventory_load_text(struct inventory **invp, const char *text, size_t len, const char *name,
                        enum inv_format fmt, struct diag *d)
{
	struct inventory *inv = inventory_new();
	int r;

	*invp = NULL;
	r = inv_source_load_text(inv, text, len, name, fmt, d);
	if (r < 0) {
		inventory_free(inv);
		return r;
	}
	inv_reconcile(inv);
	*invp = inv;
	return 0;
}

int inventory_select(struct inventory *inv, const char *pattern, const char *const *limits, size_t nlimits,
                     struct inv_host ***hostsp, size_t *np, struct diag *d)
{
	return pattern_select(inv, pattern, limits, nlimits, hostsp, np, d);
}

struct inv_host *inventory_host(const struct inventory *inv, const char *name)
{
	struct inv_host *h = inv_host_get(inv, name);

	if (h == NULL && inv->implicit != NULL && strcmp(inv->implicit->name, name) == 0)
		h = inv->implicit;
	return h;
}

struct inv_host *const *inventory_hosts(const struct inventory *inv, size_t *np)
{
	*np = inv->nhosts;
	return inv->hosts;
}

struct inv_group *inventory_group(const struct inventory *inv, const char *name)
{
	return inv_group_get(inv, name);
}

/* The host's groups without `all`, sorted as Ansible's sort_groups. */
static struct inv_group **inventory_sorted_groups(struct inventory *inv, const struct inv_host *h, size_t *np)
{
	struct inv_group **gs = inv_host_groups(inv, h, np);
	size_t i, k;

	for (i = k = 0; i < *np; i++)
		if (strcmp(gs[i]->name, "all") != 0)
			gs[k++] = gs[i];
	*np = k;
	inv_vars_sort_groups(gs, k);
	return gs;
}

static int inventory_name_cmp(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

struct value *inventory_group_names(struct inventory *inv, const struct inv_host *h)
{
	struct inv_group **gs;
	struct value *l = value_list();
	size_t i, n;

	gs = inventory_sorted_groups(inv, h, &n);
	for (i = 0; i < n; i++)
		value_list_push(l, value_str(gs[i]->name));
	free(gs);
	if (value_len(l) > 1)
		qsort(l->u.l.items, value_len(l), sizeof(*l->u.l.items), inventory_name_cmp);
	return l;
}

static void inventory_update(struct value *dst, const struct value *src)
{
	if (src != NULL)
		value_map_update(dst, src, 0);
}

/* Host.get_vars (inline variables, then the magic names), then host_vars. */
static void inventory_host_own(struct inventory *inv, const struct inv_host *h, struct value *r)
{
	const char *dot;
	size_t s;

	inventory_update(r, h->vars);
	value_map_set(r, "inventory_hostname", value_str(h->name));
	dot = strchr(h->name, '.');
	if (dot == NULL || inv_addr_is_ip(h->name))
		value_map_set(r, "inventory_hostname_short", value_str(h->name));
	else
		value_map_set(r, "inventory_hostname_short", value_strn(h->name, (size_t)(dot - h->name)));
	value_map_set(r, "group_names", inventory_group_names(inv, h));
	if (h->file_vars != NULL)
		for (s = 0; s < inv->nsources; s++)
			inventory_update(r, h->file_vars[s]);
}

struct value *inventory_host_vars_all(struct inventory *inv, const struct inv_host *h)
{
	struct inv_group *all = inv_group_get(inv, "all");
	struct inv_group **gs;
	struct value *r = value_map();
	size_t i, n, s;

	/* VariableManager's order: all's inline vars, the other groups' inline
	 * vars, group_vars/all, the other groups' group_vars (source by
	 * source), the host's inline vars with Host.get_vars' magic names,
	 * host_vars. */
	gs = inventory_sorted_groups(inv, h, &n);
	inventory_update(r, all->vars);
	for (i = 0; i < n; i++)
		inventory_update(r, gs[i]->vars);
	if (all->file_vars != NULL)
		for (s = 0; s < inv->nsources; s++)
			inventory_update(r, all->file_vars[s]);
	for (s = 0; s < inv->nsources; s++)
		for (i = 0; i < n; i++)
			if (gs[i]->file_vars != NULL)
				inventory_update(r, gs[i]->file_vars[s]);
	free(gs);
	inventory_host_own(inv, h, r);
	return r;
}

struct value *inventory_host_vars_export(struct inventory *inv, const struct inv_host *h)
{
	struct value *r = value_map();

	inventory_host_own(inv, h, r);
	return r;
}

struct value *inventory_host_vars(struct inventory *inv, const struct inv_host *h)
{
	struct value *r = inventory_host_vars_all(inv, h);

	inventory_strip_internal(r);
	return r;
}

struct value *inventory_groups_var(struct inventory *inv)
{
	struct value *m = value_map(), *l;
	struct inv_host **hosts;
	size_t i, j, n;

	for (i = 0; i < inv->ngroups; i++) {
		hosts = inv_group_all_hosts(inv, inv->groups[i], &n);
		l = value_list();
		for (j = 0; j < n; j++)
			value_list_push(l, value_str(hosts[j]->name));
		free(hosts);
		value_map_set(m, inv->groups[i]->name, l);
	}
	return m;
}

struct value *inventory_group_vars(struct inventory *inv, const struct inv_group *g)
{
	struct value *r = value_map();
	size_t s;

	inventory_update(r, g->vars);
	if (g->file_vars != NULL)
		for (s = 0; s < inv->nsources; s++)
			inventory_update(r, g->file_vars[s]);
	if (g->priority != 1)
		value_map_set(r, "ansible_group_priority", value_int(g->priority));
	inventory_strip_internal(r);
	return r;
}
