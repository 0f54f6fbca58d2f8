/* group_vars/ and host_vars/ beside inventory sources, found and merged as
 * Ansible's host_group_vars plugin and DataLoader.find_vars_files do. */
#include "inventory/inv_priv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/yaml.h"

static const char *const iv_exts[] = {"", ".yml", ".yaml", ".json"};

/* os.path.splitext(name)[1] for a bare name: from the last '.', unless
 * every character before it is a dot. */
static const char *iv_ext(const char *name)
{
	const char *dot = strrchr(name, '.'), *p;

	if (dot == NULL)
		return "";
	for (p = name; p < dot; p++)
		if (*p != '.')
			return dot;
	return "";
}

static int iv_ext_ok(const char *ext)
{
	size_t i;

	for (i = 0; i < sizeof(iv_exts) / sizeof(iv_exts[0]); i++)
		if (strcmp(ext, iv_exts[i]) == 0)
			return 1;
	return 0;
}

static int iv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* _get_dir_vars_files: sorted entries, hidden and backup files skipped,
 * extension-less directories searched recursively. */
static int iv_dir_files(const char *path, struct value *files, int depth, struct diag *d)
{
	DIR *dir;
	struct dirent *e;
	char **names = NULL, *full;
	size_t n = 0, cap = 0, i;
	struct stat st;
	int r = 0;

	if (depth > INV_MAX_DIR_DEPTH) {
		diag_set(d, path, 0, 0, "variable directories nested too deeply");
		return ERR_DEPTH;
	}
	dir = opendir(path);
	if (dir == NULL) {
		diag_set(d, path, 0, 0, "cannot read directory: %s", strerror(errno));
		return -errno;
	}
	while ((e = readdir(dir)) != NULL) {
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.' || (len > 0 && e->d_name[len - 1] == '~'))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof(*names), iv_cmp);
	for (i = 0; i < n && r == 0; i++) {
		const char *ext = iv_ext(names[i]);

		full = xasprintf("%s/%s", path, names[i]);
		if (stat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode) && ext[0] == '\0')
				r = iv_dir_files(full, files, depth + 1, d);
			else if (S_ISREG(st.st_mode) && iv_ext_ok(ext))
				value_list_push(files, value_str(full));
		}
		free(full);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

/* find_vars_files: the first of name, name.yml, name.yaml, name.json that
 * exists, a directory being searched as a whole. */
static int iv_find(const char *dir, const char *name, struct value *files, struct diag *d)
{
	struct stat st;
	char *full;
	size_t i;
	int r = 0;

	for (i = 0; i < sizeof(iv_exts) / sizeof(iv_exts[0]); i++) {
		full = xasprintf("%s/%s%s", dir, name, iv_exts[i]);
		if (stat(full, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = iv_dir_files(full, files, 0, d);
			else
				value_list_push(files, value_str(full));
			free(full);
			return r;
		}
		free(full);
	}
	return 0;
}

static int iv_falsy(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return 1;
	case VALUE_BOOL: return !v->u.b;
	case VALUE_INT: return v->u.i == 0;
	case VALUE_FLOAT: return v->u.f == 0.0;
	default: return value_len(v) == 0;
	}
}

/* Loads and merges the vars files of one entity under dir; *outp is a new
 * map or NULL when there is nothing. */
static int iv_entity(const char *dir, const char *name, struct value **outp, struct diag *d)
{
	struct value *files = value_list(), *data = NULL, *doc;
	size_t i;
	int r = 0;

	*outp = NULL;
	/* Names like /path/to/chroot are not looked up, as in Ansible. */
	if (dir == NULL || name[0] == '/')
		goto out;
	r = iv_find(dir, name, files, d);
	for (i = 0; i < value_len(files) && r == 0; i++) {
		const char *path = value_cstr(value_list_at(files, i));

		r = yaml_load_data_file(path, &doc, d);
		if (r < 0)
			break;
		if (iv_falsy(doc)) {
			value_unref(doc);
			continue;
		}
		if (doc->type != VALUE_MAP) {
			diag_set(d, path, (int)doc->pos.line, (int)doc->pos.col,
			         "failed to combine variables, expected dicts but got a 'dict' and a '%s'",
			         value_type_name(doc));
			value_unref(doc);
			r = ERR_PARSE;
			break;
		}
		if (data == NULL) {
			data = doc;
			continue;
		}
		value_map_update(data, doc, 0);
		value_unref(doc);
	}
	if (r < 0) {
		value_unref(data);
		data = NULL;
	}
	*outp = data;
out:
	value_unref(files);
	return r;
}

/* realpath(base/sub) when it is a directory; warns when it is something
 * else. */
static char *iv_subdir(struct inventory *inv, const char *base, const char *sub)
{
	char *joined, *real;
	struct stat st;

	if (base == NULL)
		return NULL;
	joined = xasprintf("%s/%s", base, sub);
	real = realpath(joined, NULL);
	free(joined);
	if (real == NULL)
		return NULL;
	if (stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
		inv_warn(inv, "Found %s that is not a directory, skipping: %s", sub, real);
		free(real);
		return NULL;
	}
	return real;
}

int inv_vars_load_host(struct inventory *inv, struct inv_host *h, struct diag *d)
{
	size_t s;
	int r;

	if (inv->nsources == 0 || h->file_vars != NULL)
		return 0;
	h->file_vars = xcalloc(inv->nsources, sizeof(*h->file_vars));
	for (s = 0; s < inv->nsources; s++) {
		r = iv_entity(inv->hv_dirs[s], h->name, &h->file_vars[s], d);
		if (r < 0)
			return r;
	}
	return 0;
}

int inv_vars_load(struct inventory *inv, struct diag *d)
{
	size_t s, i;
	int r;

	if (inv->nsources == 0)
		return 0;
	inv->gv_dirs = xcalloc(inv->nsources, sizeof(*inv->gv_dirs));
	inv->hv_dirs = xcalloc(inv->nsources, sizeof(*inv->hv_dirs));
	for (s = 0; s < inv->nsources; s++) {
		inv->gv_dirs[s] = iv_subdir(inv, inv->var_dirs[s], "group_vars");
		inv->hv_dirs[s] = iv_subdir(inv, inv->var_dirs[s], "host_vars");
	}
	for (i = 0; i < inv->ngroups; i++) {
		struct inv_group *g = inv->groups[i];

		g->file_vars = xcalloc(inv->nsources, sizeof(*g->file_vars));
		for (s = 0; s < inv->nsources; s++) {
			r = iv_entity(inv->gv_dirs[s], g->name, &g->file_vars[s], d);
			if (r < 0)
				return r;
		}
	}
	for (i = 0; i < inv->nhosts; i++) {
		r = inv_vars_load_host(inv, inv->hosts[i], d);
		if (r < 0)
			return r;
	}
	return 0;
}

static int iv_group_cmp(const void *a, const void *b)
{
	const struct inv_group *ga = *(struct inv_group *const *)a, *gb = *(struct inv_group *const *)b;

	if (ga->depth != gb->depth)
		return ga->depth < gb->depth ? -1 : 1;
	if (ga->priority != gb->priority)
		return ga->priority < gb->priority ? -1 : 1;
	return strcmp(ga->name, gb->name);
}

void inv_vars_sort_groups(struct inv_group **groups, size_t n)
{
	if (n > 1)
		qsort(groups, n, sizeof(*groups), iv_group_cmp);
}

/* Grows a per-source array of pointers to n + 1 entries, the new one NULL. */
static void iv_grow(void *arrp, size_t n)
{
	void ***p = arrp;

	*p = xreallocarray(*p, n + 1, sizeof(**p));
	(*p)[n] = NULL;
}

int inv_vars_add_dir(struct inventory *inv, const char *dir, struct diag *d)
{
	char *real = realpath(dir, NULL);
	size_t s, i, n = inv->nsources;
	int r = 0;

	if (real == NULL)
		return 0;
	/* A directory already read as a source's adds nothing: Ansible reads
	 * the same files again at places where they change no value. */
	for (s = 0; s < n; s++) {
		char *have = inv->var_dirs[s] != NULL ? realpath(inv->var_dirs[s], NULL) : NULL;
		int same = have != NULL && strcmp(have, real) == 0;

		free(have);
		if (same) {
			free(real);
			return 0;
		}
	}
	if (n >= INV_MAX_SOURCES) {
		free(real);
		diag_set(d, dir, 0, 0, "too many inventory sources and variable directories (over %d)",
		         INV_MAX_SOURCES);
		return ERR_TOOBIG;
	}
	iv_grow(&inv->sources, n);
	iv_grow(&inv->var_dirs, n);
	iv_grow(&inv->gv_dirs, n);
	iv_grow(&inv->hv_dirs, n);
	inv->sources[n] = xstrdup(dir);
	inv->var_dirs[n] = real;
	inv->gv_dirs[n] = iv_subdir(inv, real, "group_vars");
	inv->hv_dirs[n] = iv_subdir(inv, real, "host_vars");
	for (i = 0; i < inv->ngroups; i++)
		if (inv->groups[i]->file_vars != NULL)
			iv_grow(&inv->groups[i]->file_vars, n);
	for (i = 0; i < inv->nhosts; i++)
		if (inv->hosts[i]->file_vars != NULL)
			iv_grow(&inv->hosts[i]->file_vars, n);
	if (inv->implicit != NULL && inv->implicit->file_vars != NULL)
		iv_grow(&inv->implicit->file_vars, n);
	inv->nsources = n + 1;
	for (i = 0; i < inv->ngroups && r >= 0; i++) {
		struct inv_group *g = inv->groups[i];

		if (g->file_vars == NULL)
			g->file_vars = xcalloc(inv->nsources, sizeof(*g->file_vars));
		r = iv_entity(inv->gv_dirs[n], g->name, &g->file_vars[n], d);
	}
	for (i = 0; i < inv->nhosts && r >= 0; i++) {
		struct inv_host *h = inv->hosts[i];

		if (h->file_vars == NULL)
			r = inv_vars_load_host(inv, h, d);
		else
			r = iv_entity(inv->hv_dirs[n], h->name, &h->file_vars[n], d);
	}
	if (r >= 0 && inv->implicit != NULL && inv->implicit->file_vars != NULL)
		r = iv_entity(inv->hv_dirs[n], inv->implicit->name, &inv->implicit->file_vars[n], d);
	return r < 0 ? r : 0;
}
