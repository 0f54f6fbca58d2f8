/* Inventory changes while a playbook runs: add_host, group_by and
 * refresh_inventory (inventory_add_dynamic_host/group, inventory_refresh),
 * with the changed status Ansible 2.14's InventoryManager reports. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "inventory/inventory.h"
#include "t.h"

#define CHECK_STR(expr, want)                   \
	do {                                    \
		char *got_ = (expr);            \
		T_EQ_STR(got_, want);           \
		free(got_);                     \
	} while (0)

static char *names(struct inventory *inv, const char *group, int children)
{
	struct inv_group *g = inventory_group(inv, group);
	struct inv_host *const *hs;
	struct inv_group *const *gs;
	struct buf b;
	size_t i, n;

	if (g == NULL)
		return xstrdup("NOGROUP");
	buf_init(&b, 0);
	if (children) {
		gs = inv_group_children(g, &n);
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? " " : "", inv_group_name(gs[i]));
	} else {
		hs = inv_group_hosts(g, &n);
		for (i = 0; i < n; i++)
			buf_printf(&b, "%s%s", i ? " " : "", inv_host_name(hs[i]));
	}
	return buf_take(&b, NULL);
}

static char *own_var(struct inventory *inv, const char *host, const char *name)
{
	struct value *v = inventory_host_vars(inv, inventory_host(inv, host));
	char *s = json_encode_str(value_map_get(v, name), 0);

	value_unref(v);
	return s;
}

static struct value *strs(const char *a, const char *b)
{
	struct value *l = value_list();

	if (a != NULL)
		value_list_push(l, value_str(a));
	if (b != NULL)
		value_list_push(l, value_str(b));
	return l;
}

static void test_add_host(void)
{
	struct inventory *inv = NULL;
	struct value *groups = strs("web", NULL), *none = value_list(), *vars = value_map();
	struct diag d;
	int changed = -1;

	diag_init(&d);
	T_EQ_INT(inventory_load_text(&inv, "h1\n", 3, "inv", INV_FORMAT_INI, &d), 0);
	value_map_set(vars, "color", value_str("blue"));
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", none, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(names(inv, "ungrouped", 0), "h1 new");
	CHECK_STR(own_var(inv, "new", "color"), "\"blue\"");
	/* The same again changes nothing; joining a group does (and leaves ungrouped). */
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", none, vars, &changed, &d), 0);
	T_EQ_INT(changed, 0);
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", groups, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(names(inv, "ungrouped", 0), "h1");
	CHECK_STR(names(inv, "web", 0), "new");
	CHECK_STR(names(inv, "all", 1), "ungrouped web");
	value_map_set(vars, "color", value_str("red"));
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", groups, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(own_var(inv, "new", "color"), "\"red\"");
	T_EQ_INT(inventory_add_dynamic_host(inv, "", none, vars, &changed, &d) < 0, 1);
	value_unref(groups);
	value_unref(none);
	value_unref(vars);
	inventory_free(inv);
	diag_fini(&d);
}

static void test_group_by(void)
{
	struct inventory *inv = NULL;
	struct value *all = strs("all", NULL), *parents = strs("numbered", "all"), *loop = strs("odd", NULL);
	struct diag d;
	int changed = -1;

	diag_init(&d);
	T_EQ_INT(inventory_load_text(&inv, "[lab]\nh1\nh2\n", 12, "inv", INV_FORMAT_INI, &d), 0);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h1"), "odd", all, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h1"), "odd", all, &changed, &d), 0);
	T_EQ_INT(changed, 0);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h2"), "odd", parents, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(names(inv, "odd", 0), "h1 h2");
	CHECK_STR(names(inv, "numbered", 1), "odd");
	/* A parent that is the group's own child is a cycle. */
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h2"), "numbered", loop, &changed, &d) < 0, 1);
	value_unref(all);
	value_unref(parents);
	value_unref(loop);
	inventory_free(inv);
	diag_fini(&d);
}

static void test_refresh(void)
{
	char path[] = "/tmp/drover-invdyn-XXXXXX";
	const char *src[1] = {path};
	struct inventory *inv = NULL;
	struct value *none = value_list(), *vars = value_map();
	struct diag d;
	FILE *f;
	int fd = mkstemp(path), changed;

	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("[lab]\nh1 a=1\n", f);
	fclose(f);
	diag_init(&d);
	T_EQ_INT(inventory_load(&inv, src, 1, &d), 0);
	T_EQ_INT(inventory_add_dynamic_host(inv, "dyn", none, vars, &changed, &d), 0);
	f = fopen(path, "w");
	fputs("[lab]\nh1 a=2\nh2\n[late:children]\nlab\n", f);
	fclose(f);
	T_EQ_INT(inventory_refresh(inv, &d), 0);
	CHECK_STR(names(inv, "lab", 0), "h1 h2");
	CHECK_STR(names(inv, "late", 1), "lab");
	CHECK_STR(own_var(inv, "h1", "a"), "2");
	CHECK_STR(names(inv, "ungrouped", 0), "dyn");
	unlink(path);
	T_EQ_INT(inventory_refresh(inv, &d) < 0, 1);
	CHECK_STR(names(inv, "lab", 0), "h1 h2");
	value_unref(none);
	value_unref(vars);
	inventory_free(inv);
	diag_fini(&d);
}

int main(void)
{
	T_RUN(test_add_host);
	T_RUN(test_group_by);
	T_RUN(test_refresh);
	return T_DONE();
}
