/* The inventory model: hosts and groups with the relationships and rules of
 * Ansible's InventoryData, Group and Host classes (depths, ancestors,
 * `ungrouped` bookkeeping, the implicit localhost). */
#include "inventory/inv_priv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"

#define INV_GROW(arr, n, cap)                                                   \
	do {                                                                    \
		if ((n) == (cap)) {                                             \
			(cap) = (cap) ? (cap) * 2 : 4;                          \
			(arr) = xreallocarray((arr), (cap), sizeof(*(arr)));    \
		}                                                               \
	} while (0)

const char *inv_host_name(const struct inv_host *h)
{
	return h->name;
}

const char *inv_group_name(const struct inv_group *g)
{
	return g->name;
}

struct inv_group *const *inv_group_children(const struct inv_group *g, size_t *np)
{
	*np = g->nchildren;
	return g->children;
}

struct inv_host *const *inv_group_hosts(const struct inv_group *g, size_t *np)
{
	*np = g->nhosts;
	return g->hosts;
}

int inv_is_localhost_name(const char *name)
{
	return strcmp(name, "localhost") == 0 || strcmp(name, "127.0.0.1") == 0 || strcmp(name, "::1") == 0;
}

void inv_warn(struct inventory *inv, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (value_map_get(inv->warned, msg) == NULL) {
		value_map_set(inv->warned, msg, value_null());
		log_warn("%s", msg);
	}
	free(msg);
}

struct inv_group *inv_group_get(const struct inventory *inv, const char *name)
{
	const struct value *i = value_map_get(inv->group_index, name);

	return i ? inv->groups[i->u.i] : NULL;
}

struct inv_host *inv_host_get(const struct inventory *inv, const char *name)
{
	const struct value *i = value_map_get(inv->host_index, name);

	return i ? inv->hosts[i->u.i] : NULL;
}

/* Python's \w over UTF-8 bytes: ASCII letters, digits and '_', and (as an
 * approximation of Unicode letters) every non-ASCII byte. */
static int inv_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c >= 0x80;
}

/* Ansible's INVALID_VARIABLE_NAMES: a digit or non-word first character, or
 * any non-word character. */
static int inv_bad_group_name(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;

	if ((*p >= '0' && *p <= '9') || !inv_word_char(*p))
		return 1;
	for (; *p; p++)
		if (!inv_word_char(*p))
			return 1;
	return 0;
}

int inv_group_add(struct inventory *inv, const char *name, struct inv_group **gp, struct diag *d)
{
	struct inv_group *g;

	*gp = NULL;
	if (name[0] == '\0') {
		diag_set(d, inv->cur_file, 0, 0, "Invalid empty/false group name provided");
		return ERR_PARSE;
	}
	g = inv_group_get(inv, name);
	if (g != NULL) {
		*gp = g;
		return 0;
	}
	if (inv->ngroups >= INV_MAX_GROUPS) {
		diag_set(d, inv->cur_file, 0, 0, "too many groups (over %zu)", (size_t)INV_MAX_GROUPS);
		return ERR_TOOBIG;
	}
	if (inv_bad_group_name(name))
		inv_warn(inv, "Invalid characters were found in group names but not replaced, use -vvvv to see details");
	g = xcalloc(1, sizeof(*g));
	g->name = xstrdup(name);
	g->index = inv->ngroups;
	g->vars = value_map();
	g->priority = 1;
	INV_GROW(inv->groups, inv->ngroups, inv->capgroups);
	inv->groups[inv->ngroups++] = g;
	value_map_set(inv->group_index, name, value_int((int64_t)g->index));
	*gp = g;
	return 0;
}

int inv_group_add_host(struct inv_group *g, struct inv_host *h)
{
	size_t i;

	for (i = 0; i < h->ndirect; i++)
		if (h->direct[i] == g)
			return 0;
	INV_GROW(g->hosts, g->nhosts, g->caphosts);
	g->hosts[g->nhosts++] = h;
	INV_GROW(h->direct, h->ndirect, h->capdirect);
	h->direct[h->ndirect++] = g;
	return 1;
}

int inv_host_add(struct inventory *inv, const char *name, struct inv_group *g, long port, const char *file,
                 int line, int col, struct inv_host **hp, struct diag *d)
{
	struct inv_host *h;

	if (hp != NULL)
		*hp = NULL;
	if (name[0] == '\0') {
		diag_set(d, file, line, col, "Invalid empty host name provided");
		return ERR_PARSE;
	}
	h = inv_host_get(inv, name);
	if (h == NULL) {
		if (inv->nhosts >= INV_MAX_HOSTS) {
			diag_set(d, file, line, col, "too many hosts (over %zu)", (size_t)INV_MAX_HOSTS);
			return ERR_TOOBIG;
		}
		h = xcalloc(1, sizeof(*h));
		h->name = xstrdup(name);
		h->index = inv->nhosts;
		h->vars = value_map();
		/* A port given with a later mention of the host is ignored, as in
		 * Ansible, where it only reaches the Host constructor. */
		if (port > 0)
			value_map_set(h->vars, "ansible_port", value_int(port));
		value_map_set(h->vars, "inventory_file", inv->cur_file ? value_str(inv->cur_file) : value_null());
		value_map_set(h->vars, "inventory_dir", inv->cur_dir ? value_str(inv->cur_dir) : value_null());
		INV_GROW(inv->hosts, inv->nhosts, inv->caphosts);
		inv->hosts[inv->nhosts++] = h;
		value_map_set(inv->host_index, name, value_int((int64_t)h->index));
		if (inv_is_localhost_name(name)) {
			if (inv->localhost == NULL)
				inv->localhost = h;
			else
				inv_warn(inv, "A duplicate localhost-like entry was found (%s). First found localhost was %s",
				         name, inv->localhost->name);
		}
	}
	if (g != NULL)
		inv_group_add_host(g, h);
	if (hp != NULL)
		*hp = h;
	return 0;
}

static uint32_t inv_next_gen(struct inventory *inv)
{
	size_t i;

	if (++inv->gen == 0) {
		for (i = 0; i < inv->ngroups; i++)
			inv->groups[i]->mark = 0;
		for (i = 0; i < inv->nhosts; i++)
			inv->hosts[i]->mark = 0;
		if (inv->implicit != NULL)
			inv->implicit->mark = 0;
		inv->gen = 1;
	}
	return inv->gen;
}

/* Marks the ancestors of the n groups in start (not the groups themselves,
 * unless they are ancestors of one another) with gen, appending each to
 * *outp (grown as needed). Iterative: nesting depth is input-driven. */
static void inv_collect_ancestors(struct inv_group *const *start, size_t n, uint32_t gen,
                                  struct inv_group ***outp, size_t *np, size_t *capp)
{
	struct inv_group **stack = NULL, *g;
	size_t nstack = 0, capstack = 0, i;

	for (i = 0; i < n; i++) {
		INV_GROW(stack, nstack, capstack);
		stack[nstack++] = start[i];
	}
	while (nstack > 0) {
		g = stack[--nstack];
		for (i = 0; i < g->nparents; i++) {
			if (g->parents[i]->mark == gen)
				continue;
			g->parents[i]->mark = gen;
			INV_GROW(*outp, *np, *capp);
			(*outp)[(*np)++] = g->parents[i];
			INV_GROW(stack, nstack, capstack);
			stack[nstack++] = g->parents[i];
		}
	}
	free(stack);
}

static void inv_fix_depth(struct inv_group *top)
{
	struct inv_group **stack = NULL, *g;
	size_t nstack = 0, capstack = 0, i;

	INV_GROW(stack, nstack, capstack);
	stack[nstack++] = top;
	while (nstack > 0) {
		g = stack[--nstack];
		for (i = 0; i < g->nchildren; i++)
			if (g->children[i]->depth < g->depth + 1) {
				g->children[i]->depth = g->depth + 1;
				INV_GROW(stack, nstack, capstack);
				stack[nstack++] = g->children[i];
			}
	}
	free(stack);
}

int inv_group_add_child(struct inventory *inv, struct inv_group *parent, struct inv_group *child,
                        const char *file, int line, int col, struct diag *d)
{
	struct inv_group **anc = NULL;
	size_t i, n = 0, cap = 0;
	uint32_t gen;

	if (parent == child) {
		diag_set(d, file, line, col, "can't add group to itself: %s", child->name);
		return ERR_PARSE;
	}
	for (i = 0; i < parent->nchildren; i++)
		if (parent->children[i] == child)
			return 0;
	gen = inv_next_gen(inv);
	inv_collect_ancestors(&parent, 1, gen, &anc, &n, &cap);
	free(anc);
	if (child->mark == gen) {
		diag_set(d, file, line, col, "Adding group '%s' as child to '%s' creates a recursive dependency loop.",
		         child->name, parent->name);
		return ERR_PARSE;
	}
	INV_GROW(parent->children, parent->nchildren, parent->capchildren);
	parent->children[parent->nchildren++] = child;
	if (child->depth < parent->depth + 1)
		child->depth = parent->depth + 1;
	inv_fix_depth(child);
	INV_GROW(child->parents, child->nparents, child->capparents);
	child->parents[child->nparents++] = parent;
	return 0;
}

static int inv_pyint(const char *s, int64_t *out)
{
	char *clean = xmalloc(strlen(s) + 1), *q = clean, *end;
	const char *p = s;
	long long v;
	int ok;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
		p++;
	for (; *p; p++)
		if (*p != '_')
			*q++ = *p;
	while (q > clean && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n' || q[-1] == '\r'))
		q--;
	*q = '\0';
	v = strtoll(clean, &end, 10);
	ok = clean[0] != '\0' && *end == '\0';
	free(clean);
	*out = v;
	return ok ? 0 : -1;
}

int inv_group_set_var(struct inv_group *g, const char *key, struct value *val, struct diag *d)
{
	int64_t prio = 0;
	int ok = 1;

	if (strcmp(key, "ansible_group_priority") != 0) {
		value_map_set(g->vars, key, val);
		return 0;
	}
	/* Ansible stores int(value) as the priority and not as a variable. */
	switch (val->type) {
	case VALUE_INT: prio = val->u.i; break;
	case VALUE_BOOL: prio = val->u.b; break;
	case VALUE_FLOAT:
		ok = val->u.f > -9.2e18 && val->u.f < 9.2e18;
		prio = (int64_t)val->u.f;
		break;
	case VALUE_STR: ok = inv_pyint(val->u.s.ptr, &prio) == 0; break;
	default: ok = 0; break;
	}
	if (!ok) {
		diag_set(d, val->pos.file, (int)val->pos.line, (int)val->pos.col,
		         "invalid ansible_group_priority for group %s: expected an integer, got %s", g->name,
		         value_type_name(val));
		value_unref(val);
		return ERR_PARSE;
	}
	value_unref(val);
	g->priority = prio;
	return 0;
}

void inv_host_set_var(struct inv_host *h, const char *key, struct value *val)
{
	value_map_set(h->vars, key, val);
}

static int inv_cmp_index(const void *a, const void *b)
{
	const struct inv_group *ga = *(struct inv_group *const *)a, *gb = *(struct inv_group *const *)b;

	return ga->index < gb->index ? -1 : ga->index > gb->index;
}

struct inv_group **inv_host_groups(struct inventory *inv, const struct inv_host *h, size_t *np)
{
	struct inv_group **out = NULL;
	size_t i, n = 0, cap = 0;
	uint32_t gen = inv_next_gen(inv);

	for (i = 0; i < h->ndirect; i++) {
		if (h->direct[i]->mark == gen)
			continue;
		h->direct[i]->mark = gen;
		INV_GROW(out, n, cap);
		out[n++] = h->direct[i];
	}
	inv_collect_ancestors(h->direct, h->ndirect, gen, &out, &n, &cap);
	if (n > 1)
		qsort(out, n, sizeof(*out), inv_cmp_index);
	if (out == NULL)
		out = xcalloc(1, sizeof(*out));
	*np = n;
	return out;
}

struct inv_host **inv_group_all_hosts(struct inventory *inv, const struct inv_group *g, size_t *np)
{
	struct inv_group **order = NULL;
	struct inv_host **out = NULL;
	size_t n = 0, cap = 0, norder = 0, caporder = 0, level_start, level_end, i, j, k;
	uint32_t gen = inv_next_gen(inv);

	/* Group._get_hosts walks the descendants level by level: the group, its
	 * children, then each further level. Ansible orders groups within a
	 * level beyond the first by set iteration (memory addresses); drover
	 * uses the order in which the previous level lists them. */
	INV_GROW(order, norder, caporder);
	order[norder++] = (struct inv_group *)g;
	((struct inv_group *)g)->mark = gen;
	level_start = 0;
	level_end = norder;
	while (level_start < level_end) {
		for (j = level_start; j < level_end; j++)
			for (k = 0; k < order[j]->nchildren; k++) {
				struct inv_group *c = order[j]->children[k];

				if (c->mark == gen)
					continue;
				c->mark = gen;
				INV_GROW(order, norder, caporder);
				order[norder++] = c;
			}
		level_start = level_end;
		level_end = norder;
	}
	for (i = 0; i < norder; i++)
		for (j = 0; j < order[i]->nhosts; j++) {
			struct inv_host *h = order[i]->hosts[j];

			if (h->mark == gen || h->implicit)
				continue;
			h->mark = gen;
			INV_GROW(out, n, cap);
			out[n++] = h;
		}
	free(order);
	*np = n;
	return out;
}

void inv_reconcile(struct inventory *inv)
{
	struct inv_group *all = inv_group_get(inv, "all"), *ungrouped = inv_group_get(inv, "ungrouped");
	struct inv_group **groups;
	unsigned char *drop;
	size_t i, j, n, ndrop = 0, other;
	int in_ungrouped;

	for (i = 0; i < inv->ngroups; i++)
		if (inv->groups[i] != all && inv->groups[i]->nparents == 0)
			inv_group_add_child(inv, all, inv->groups[i], NULL, 0, 0, NULL);
	drop = xcalloc(inv->nhosts ? inv->nhosts : 1, 1);
	for (i = 0; i < inv->nhosts; i++) {
		struct inv_host *h = inv->hosts[i];

		groups = inv_host_groups(inv, h, &n);
		in_ungrouped = 0;
		other = 0;
		for (j = 0; j < n; j++) {
			if (groups[j] == ungrouped)
				in_ungrouped = 1;
			else if (groups[j] != all)
				other++;
		}
		free(groups);
		if (in_ungrouped) {
			if (other > 0) {
				drop[i] = 1;
				ndrop++;
			}
		} else if (!h->implicit && other == 0) {
			inv_group_add_host(ungrouped, h);
		}
	}
	if (ndrop > 0) {
		/* Removed in one pass: many hosts may leave `ungrouped` at once. */
		for (i = j = 0; i < ungrouped->nhosts; i++)
			if (!drop[ungrouped->hosts[i]->index])
				ungrouped->hosts[j++] = ungrouped->hosts[i];
		ungrouped->nhosts = j;
		for (i = 0; i < inv->nhosts; i++) {
			struct inv_host *h = inv->hosts[i];

			if (!drop[i])
				continue;
			for (j = n = 0; j < h->ndirect; j++)
				if (h->direct[j] != ungrouped)
					h->direct[n++] = h->direct[j];
			h->ndirect = n;
		}
	}
	free(drop);
	for (i = 0; i < inv->ngroups; i++)
		if (inv_host_get(inv, inv->groups[i]->name) != NULL)
			inv_warn(inv, "Found both group and host with same name: %s", inv->groups[i]->name);
}

int inv_get_host(struct inventory *inv, const char *name, struct inv_host **hp, struct diag *d)
{
	struct inv_host *h = inv_host_get(inv, name);
	int r;

	*hp = h;
	if (h != NULL || !inv_is_localhost_name(name))
		return 0;
	if (inv->localhost != NULL) {
		*hp = inv->localhost;
		return 0;
	}
	h = xcalloc(1, sizeof(*h));
	h->name = xstrdup(name);
	h->index = (size_t)-1;
	h->implicit = 1;
	h->vars = value_map();
	value_map_set(h->vars, "ansible_connection", value_str("local"));
	inv->implicit = h;
	inv->localhost = h;
	r = inv_vars_load_host(inv, h, d);
	if (r < 0)
		return r;
	*hp = h;
	return 0;
}

static void inv_host_free(struct inv_host *h, size_t nsources)
{
	size_t i;

	if (h == NULL)
		return;
	free(h->name);
	value_unref(h->vars);
	free(h->direct);
	if (h->file_vars != NULL)
		for (i = 0; i < nsources; i++)
			value_unref(h->file_vars[i]);
	free(h->file_vars);
	free(h);
}

static void inv_group_free(struct inv_group *g, size_t nsources)
{
	size_t i;

	free(g->name);
	free(g->children);
	free(g->parents);
	free(g->hosts);
	value_unref(g->vars);
	if (g->file_vars != NULL)
		for (i = 0; i < nsources; i++)
			value_unref(g->file_vars[i]);
	free(g->file_vars);
	free(g);
}

void inventory_free(struct inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	for (i = 0; i < inv->nhosts; i++)
		inv_host_free(inv->hosts[i], inv->nsources);
	inv_host_free(inv->implicit, inv->nsources);
	for (i = 0; i < inv->ngroups; i++)
		inv_group_free(inv->groups[i], inv->nsources);
	for (i = 0; i < inv->nsources; i++) {
		free(inv->sources[i]);
		free(inv->var_dirs[i]);
		if (inv->gv_dirs != NULL)
			free(inv->gv_dirs[i]);
		if (inv->hv_dirs != NULL)
			free(inv->hv_dirs[i]);
	}
	free(inv->sources);
	free(inv->var_dirs);
	free(inv->gv_dirs);
	free(inv->hv_dirs);
	free(inv->hosts);
	free(inv->groups);
	value_unref(inv->group_index);
	value_unref(inv->host_index);
	value_unref(inv->warned);
	free(inv);
}
