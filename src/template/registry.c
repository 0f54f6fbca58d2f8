/* The registration table of filters, tests and global functions. To add a
 * family, declare its NULL-terminated table in plugin.h (or here) and list
 * it below; later tables override earlier ones for the same name. Lookups
 * go through a hash index built on first use. */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "template/plugin.h"

extern const struct tpl_fn_def tpl_filters_ansible[], tpl_filters_text[], tpl_tests_ansible[], tpl_lookups[],
    tpl_filters_random[], tpl_filters_misc[], tpl_filters_yaml[];

/* Filters, tests and globals: one list of tables each. */
static const struct tpl_fn_def *const filter_tables[] = {
	tpl_filters_core,
	tpl_filters_seq,
	tpl_filters_ansible,
	tpl_filters_text,
	tpl_filters_random,
	tpl_filters_misc,
	tpl_filters_yaml,
	NULL,
};

static const struct tpl_fn_def *const test_tables[] = {
	tpl_tests_core,
	tpl_tests_ansible,
	NULL,
};

static const struct tpl_fn_def *const global_tables[] = {
	tpl_globals_core,
	tpl_lookups,
	NULL,
};

struct registry {
	const struct tpl_fn_def **slots; /* open addressing; NULL is empty */
	size_t cap;
	int built;
};

static struct registry reg_filters, reg_tests, reg_globals;

static uint32_t registry_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void registry_insert(struct registry *r, const struct tpl_fn_def *def)
{
	size_t n = strlen(def->name), mask = r->cap - 1, slot = registry_hash(def->name, n) & mask;

	while (r->slots[slot] != NULL) {
		if (strcmp(r->slots[slot]->name, def->name) == 0) {
			r->slots[slot] = def; /* a later table overrides */
			return;
		}
		slot = (slot + 1) & mask;
	}
	r->slots[slot] = def;
}

static void registry_build(struct registry *r, const struct tpl_fn_def *const *tables)
{
	size_t count = 0, i, j;

	for (i = 0; tables[i] != NULL; i++)
		for (j = 0; tables[i][j].name != NULL; j++)
			count++;
	r->cap = 64;
	while (r->cap < count * 2)
		r->cap *= 2;
	r->slots = xcalloc(r->cap, sizeof(*r->slots));
	for (i = 0; tables[i] != NULL; i++)
		for (j = 0; tables[i][j].name != NULL; j++)
			registry_insert(r, &tables[i][j]);
	r->built = 1;
}

static const struct tpl_fn_def *registry_find(struct registry *r, const struct tpl_fn_def *const *tables,
                                              const char *name, size_t n)
{
	size_t mask, slot;

	if (!r->built)
		registry_build(r, tables);
	/* Collection-qualified names of Ansible's own plugins. */
	if (n > 16 && memcmp(name, "ansible.builtin.", 16) == 0) {
		name += 16;
		n -= 16;
	} else if (n > 15 && memcmp(name, "ansible.legacy.", 15) == 0) {
		name += 15;
		n -= 15;
	}
	mask = r->cap - 1;
	for (slot = registry_hash(name, n) & mask; r->slots[slot] != NULL; slot = (slot + 1) & mask) {
		const char *s = r->slots[slot]->name;

		if (strlen(s) == n && memcmp(s, name, n) == 0)
			return r->slots[slot];
	}
	return NULL;
}

const struct tpl_fn_def *tpl_registry_filter(const char *name, size_t len)
{
	return registry_find(&reg_filters, filter_tables, name, len);
}

const struct tpl_fn_def *tpl_registry_test(const char *name, size_t len)
{
	return registry_find(&reg_tests, test_tables, name, len);
}

const struct tpl_fn_def *tpl_registry_global(const char *name, size_t len)
{
	return registry_find(&reg_globals, global_tables, name, len);
}
