/* The variable layer: per-run, per-host and per-play variable state, and
 * lookups that walk Ansible's precedence layers and template lazily. */
#include "exec/vars.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/sha1.h"
#include "base/xmalloc.h"
#include "exec/vars_priv.h"
#include "template/pyval.h"

#define VARS_MAX_HOSTVARS_NAME 4096 /* bytes of a host name read through hostvars */

/* Layers that are maps, lowest first (vars.h lists them highest first). */
enum vars_layer {
	VL_PLAY_DEFAULTS,
	VL_ROLE_DEFAULTS,
	VL_INVENTORY,
	VL_FACTS,
	VL_PLAY,
	VL_VARS_FILES,
	VL_PLAY_ROLES,
	VL_ROLE_VARS,
	VL_TASK,
	VL_INCLUDE_VARS,
	VL_SET_FACT,
	VL_ROLE_PARAMS,
	VL_INCLUDE,
	VL_EXTRA,
	VL_COUNT,
};

/* ---- helpers ---- */

char *vars_pystr(const struct value *v)
{
	struct buf b;
	char *s;

	/* Messages only: a value too long to print is cut short. */
	buf_init(&b, 1 << 16);
	(void)pyval_str(NULL, &b, v);
	s = buf_take(&b, NULL);
	buf_fini(&b);
	return s;
}

static size_t vars_ptr_hash(const void *p, size_t cap)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x & (cap - 1);
}

/* ---- the run ---- */

static void vars_omit_init(struct vars_run *run)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[64], dig[SHA1_LEN];
	struct sha1_ctx sc;
	size_t got = 0, i;
	ssize_t n;
	int fd;

	memset(rnd, 0, sizeof(rnd));
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && got < sizeof(rnd)) {
		n = read(fd, rnd + got, sizeof(rnd) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (fd >= 0)
		close(fd);
	if (got < sizeof(rnd)) {
		/* Only uniqueness matters for the placeholder, not secrecy. */
		uintptr_t mix[3] = {(uintptr_t)run, (uintptr_t)getpid(), (uintptr_t)&got};

		memcpy(rnd, mix, sizeof(mix));
	}
	sha1_init(&sc);
	sha1_update(&sc, rnd, sizeof(rnd));
	sha1_final(&sc, dig);
	memcpy(run->omit, "__omit_place_holder__", 21);
	for (i = 0; i < SHA1_LEN; i++) {
		run->omit[21 + 2 * i] = hex[dig[i] >> 4];
		run->omit[22 + 2 * i] = hex[dig[i] & 15];
	}
	run->omit[21 + 2 * SHA1_LEN] = '\0';
}

struct vars_run *vars_run_new(struct inventory *inv, struct templar *tr, const struct vars_opts *o)
{
	struct vars_run *run = xcalloc(1, sizeof(*run));
	struct vars_opts none;

	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	run->inv = inv;
	run->tr = tr;
	run->extra = o->extra_vars != NULL && o->extra_vars->type == VALUE_MAP ? value_ref((struct value *)o->extra_vars)
	                                                                       : value_map();
	run->playbook_dir = o->playbook_dir != NULL ? xstrdup(o->playbook_dir) : NULL;
	run->warned = value_map();
	run->inv_gen = 1;
	run->play_gen = 1;
	run->hosts_gen = 1;
	run->caphosts = 64;
	run->hosts = xcalloc(run->caphosts, sizeof(*run->hosts));
	run->vf_cache = value_map();
	diag_init(&run->play_diag);
	run->play_defaults = value_map();
	run->play_role_vars = value_map();
	run->role_names = value_list();
	run->play_role_names = value_list();
	run->dep_role_names = value_list();
	vars_magic_init(run, o);
	vars_omit_init(run);
	return run;
}

static void vars_scopes_clear(struct vars_run *run)
{
	size_t i;

	for (i = 0; i < run->capscopes; i++) {
		struct vars_scope_cache *sc = run->scopes[i];

		if (sc == NULL)
			continue;
		value_unref(sc->task_vars);
		value_unref(sc->include);
		value_unref(sc->role_params);
		value_unref(sc->role_vars);
		value_unref(sc->role_defaults);
		value_unref(sc->environment);
		free(sc);
		run->scopes[i] = NULL;
	}
	run->nscopes = 0;
}

static void vars_host_free(struct vars_host *hs)
{
	if (hs == NULL)
		return;
	value_unref(hs->inv);
	value_unref(hs->facts);
	value_unref(hs->facts_layer);
	value_unref(hs->np);
	value_unref(hs->vcache);
	value_unref(hs->vars_files);
	free(hs);
}

void vars_run_free(struct vars_run *run)
{
	size_t i;

	if (run == NULL)
		return;
	for (i = 0; i < run->caphosts; i++)
		vars_host_free(run->hosts[i]);
	free(run->hosts);
	vars_scopes_clear(run);
	free(run->scopes);
	for (i = 0; i < VARS_LIST_COUNT; i++)
		value_unref(run->lists[i]);
	value_unref(run->extra);
	value_unref(run->opt_magic);
	value_unref(run->magic_index);
	value_unref(run->groups);
	value_unref(run->warned);
	value_unref(run->vf_cache);
	value_unref(run->play_defaults);
	value_unref(run->play_role_vars);
	value_unref(run->role_names);
	value_unref(run->play_role_names);
	value_unref(run->dep_role_names);
	free(run->roles);
	free(run->all);
	free(run->batch);
	free(run->playbook_dir);
	diag_fini(&run->play_diag);
	free(run);
}

const char *vars_omit_token(const struct vars_run *run)
{
	return run->omit;
}

void vars_inventory_changed(struct vars_run *run)
{
	run->inv_gen++;
	value_unref(run->groups);
	run->groups = NULL;
}

/* ---- hosts ---- */

static void vars_hosts_grow(struct vars_run *run)
{
	struct vars_host **old = run->hosts;
	size_t oldcap = run->caphosts, i, s;

	run->caphosts *= 2;
	run->hosts = xcalloc(run->caphosts, sizeof(*run->hosts));
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NULL)
			continue;
		for (s = vars_ptr_hash(old[i]->h, run->caphosts); run->hosts[s] != NULL; s = (s + 1) & (run->caphosts - 1))
			;
		run->hosts[s] = old[i];
	}
	free(old);
}

struct vars_host *vars_host_get(struct vars_run *run, const struct inv_host *h)
{
	struct vars_host *hs;
	size_t s;

	for (s = vars_ptr_hash(h, run->caphosts); run->hosts[s] != NULL; s = (s + 1) & (run->caphosts - 1))
		if (run->hosts[s]->h == h)
			return run->hosts[s];
	hs = xcalloc(1, sizeof(*hs));
	hs->h = h;
	hs->facts = value_map();
	hs->np = value_map();
	hs->vcache = value_map();
	hs->facts_gen = 1;
	run->hosts[s] = hs;
	if (++run->nhosts * 2 > run->caphosts)
		vars_hosts_grow(run);
	return hs;
}

/* Sets every key of src into *mp (copy-on-write), values shared or marked
 * unsafe. */
static void vars_update(struct value **mp, const struct value *src, unsigned flags)
{
	size_t i;

	if (src == NULL || src->type != VALUE_MAP)
		return;
	value_mut(mp);
	for (i = 0; i < value_len(src); i++) {
		const struct value *k = value_map_key_at(src, i);
		struct value *v = value_map_val_at(src, i);

		value_map_set_key(*mp, value_ref((struct value *)k),
		                  (flags & VARS_UNSAFE) ? vars_facts_unsafe(v) : value_ref(v));
	}
}

void vars_set_facts(struct vars_run *run, const struct inv_host *h, const struct value *facts, unsigned flags)
{
	struct vars_host *hs = vars_host_get(run, h);

	if (facts == NULL || facts->type != VALUE_MAP)
		return;
	vars_update(&hs->facts, facts, flags);
	hs->facts_gen++;
	value_unref(hs->facts_layer);
	hs->facts_layer = NULL;
}

void vars_clear_facts(struct vars_run *run, const struct inv_host *h)
{
	struct vars_host *hs = vars_host_get(run, h);

	value_unref(hs->facts);
	hs->facts = value_map();
	hs->facts_gen++;
	value_unref(hs->facts_layer);
	hs->facts_layer = NULL;
}

const struct value *vars_host_facts(struct vars_run *run, const struct inv_host *h)
{
	return vars_host_get(run, h)->facts;
}

void vars_set_fact(struct vars_run *run, const struct inv_host *h, const struct value *facts, unsigned flags)
{
	struct vars_host *hs = vars_host_get(run, h);

	vars_update(&hs->np, facts, flags);
}

void vars_register(struct vars_run *run, const struct inv_host *h, const char *name, const struct value *result)
{
	struct vars_host *hs = vars_host_get(run, h);

	value_mut(&hs->np);
	value_map_set(hs->np, name, vars_facts_unsafe(result));
}

void vars_set_failed(struct vars_run *run, const struct inv_host *h, const struct value *task,
                     const struct value *result)
{
	struct vars_host *hs = vars_host_get(run, h);

	value_mut(&hs->np);
	value_map_set(hs->np, "ansible_failed_task", task != NULL ? vars_facts_unsafe(task) : value_map());
	value_map_set(hs->np, "ansible_failed_result", result != NULL ? vars_facts_unsafe(result) : value_map());
}

void vars_set_host_var(struct vars_run *run, const struct inv_host *h, const char *name, const struct value *value)
{
	struct vars_host *hs = vars_host_get(run, h);

	value_mut(&hs->vcache);
	value_map_set(hs->vcache, name, value_ref((struct value *)value));
}

void vars_host_set_removed(struct vars_run *run, const struct inv_host *h, int on)
{
	vars_host_get(run, h)->removed = on != 0;
	run->hosts_gen++;
}

void vars_host_set_failed(struct vars_run *run, const struct inv_host *h, int on)
{
	vars_host_get(run, h)->failed = on != 0;
	run->hosts_gen++;
}

void vars_host_set_unreachable(struct vars_run *run, const struct inv_host *h, int on)
{
	vars_host_get(run, h)->unreachable = on != 0;
	run->hosts_gen++;
}

/* ---- the play ---- */

static int vars_list_has(const struct value *l, const char *s)
{
	size_t i;

	for (i = 0; i < value_len(l); i++)
		if (strcmp(value_cstr(value_list_at(l, i)), s) == 0)
			return 1;
	return 0;
}

/* Role.get_all_dependencies: each dependency's own first, then itself. */
static void vars_role_all_deps(const struct pb_role *r, struct value *names, int depth)
{
	size_t i;

	if (depth > PB_MAX_DEPTH)
		return;
	for (i = 0; i < r->ndeps; i++) {
		vars_role_all_deps(r->deps[i], names, depth + 1);
		if (!vars_list_has(names, r->deps[i]->name))
			value_list_push(names, value_str(r->deps[i]->name));
	}
}

static void vars_play_roles_changed(struct vars_run *run)
{
	struct value *dv;
	size_t i;

	value_unref(run->play_defaults);
	value_unref(run->play_role_vars);
	value_unref(run->role_names);
	value_unref(run->play_role_names);
	value_unref(run->dep_role_names);
	run->play_defaults = value_map();
	run->play_role_vars = value_map();
	run->play_role_names = value_list();
	run->dep_role_names = value_list();
	for (i = 0; i < run->nroles; i++) {
		dv = pb_role_default_vars(run->roles[i], NULL, 0, 0);
		value_map_update(run->play_defaults, dv, 0);
		value_unref(dv);
		dv = pb_role_vars(run->roles[i], NULL, 0, 0, 0);
		value_map_update(run->play_role_vars, dv, 0);
		value_unref(dv);
		value_list_push(run->play_role_names, value_str(run->roles[i]->name));
		vars_role_all_deps(run->roles[i], run->dep_role_names, 0);
	}
	/* Ansible builds ansible_role_names from a set; drover keeps the
	 * order names were found in. */
	run->role_names = value_dup(run->dep_role_names);
	for (i = 0; i < value_len(run->play_role_names); i++) {
		const char *n = value_cstr(value_list_at(run->play_role_names, i));

		if (!vars_list_has(run->role_names, n))
			value_list_push(run->role_names, value_str(n));
	}
}

static void vars_play_push_role(struct vars_run *run, struct pb_role *r)
{
	if (run->nroles == run->caproles) {
		run->caproles = run->caproles ? run->caproles * 2 : 8;
		run->roles = xreallocarray(run->roles, run->caproles, sizeof(*run->roles));
	}
	run->roles[run->nroles++] = r;
}

static int vars_play_has_role(struct vars_run *run, const struct pb_role *r)
{
	size_t i;

	for (i = 0; i < run->nroles; i++)
		if (run->roles[i] == r)
			return 1;
	return 0;
}

/* import_role targets in the play's blocks, in order: Ansible adds them to
 * play.roles while loading. The top blocks of an imported role have the
 * import task as their parent. */
static void vars_play_scan(struct vars_run *run, struct pb_obj *const *objs, size_t n, size_t *budget)
{
	size_t i;

	for (i = 0; i < n && *budget > 0; i++, (*budget)--) {
		const struct pb_block *b = pb_obj_block(objs[i]);
		const struct pb_task *t;

		if (b == NULL)
			continue;
		t = b->parent != NULL ? pb_obj_task(b->parent) : NULL;
		if (t != NULL && t->type == PB_TASK_IMPORT_ROLE && t->import_role != NULL &&
		    !vars_play_has_role(run, t->import_role))
			vars_play_push_role(run, t->import_role);
		vars_play_scan(run, b->block, b->nblock, budget);
		vars_play_scan(run, b->rescue, b->nrescue, budget);
		vars_play_scan(run, b->always, b->nalways, budget);
	}
}

static void vars_play_scan_blocks(struct vars_run *run, struct pb_block *const *blocks, size_t n, size_t *budget)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pb_obj *o = &blocks[i]->obj;

		vars_play_scan(run, &o, 1, budget);
	}
}

static char *vars_abs_dir(const char *dir)
{
	char *real;

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	real = realpath(dir, NULL);
	if (real != NULL)
		return real;
	return xstrdup(dir);
}

void vars_play_begin(struct vars_run *run, struct pb_play *play)
{
	size_t i, budget = PB_MAX_OBJECTS;

	run->play = play;
	run->play_gen++;
	run->hosts_gen++;
	vars_scopes_clear(run);
	value_unref(run->vf_cache);
	run->vf_cache = value_map();
	free(run->playbook_dir);
	run->playbook_dir = vars_abs_dir(play->basedir);
	/* group_vars/ and host_vars/ beside the playbook. */
	diag_fini(&run->play_diag);
	diag_init(&run->play_diag);
	run->play_err = inventory_add_vars_dir(run->inv, run->playbook_dir, &run->play_diag);
	vars_inventory_changed(run);
	run->nroles = 0;
	for (i = 0; i < play->nroles; i++)
		vars_play_push_role(run, play->roles[i]);
	vars_play_scan_blocks(run, play->role_blocks, play->nrole_blocks, &budget);
	vars_play_scan_blocks(run, play->pre_tasks, play->npre_tasks, &budget);
	vars_play_scan_blocks(run, play->tasks, play->ntasks, &budget);
	vars_play_scan_blocks(run, play->post_tasks, play->npost_tasks, &budget);
	vars_play_scan_blocks(run, play->handlers, play->nhandlers, &budget);
	vars_play_roles_changed(run);
	free(run->all);
	free(run->batch);
	run->all = run->batch = NULL;
	run->nall = run->nbatch = 0;
	for (i = 0; i < run->caphosts; i++)
		if (run->hosts[i] != NULL)
			run->hosts[i]->removed = 0;
}

void vars_play_add_role(struct vars_run *run, struct pb_role *r)
{
	vars_play_push_role(run, r);
	vars_play_roles_changed(run);
}

static void vars_copy_hosts(struct inv_host ***dstp, size_t *np, struct inv_host *const *src, size_t n)
{
	free(*dstp);
	*dstp = n ? xreallocarray(NULL, n, sizeof(**dstp)) : NULL;
	if (n)
		memcpy(*dstp, src, n * sizeof(**dstp));
	*np = n;
}

void vars_play_set_hosts(struct vars_run *run, struct inv_host *const *all, size_t n)
{
	vars_copy_hosts(&run->all, &run->nall, all, n);
	run->hosts_gen++;
}

void vars_play_set_batch(struct vars_run *run, struct inv_host *const *batch, size_t n)
{
	vars_copy_hosts(&run->batch, &run->nbatch, batch, n);
	run->hosts_gen++;
}

/* ---- per-task and per-role layers ---- */

static struct vars_scope_cache *vars_scope_build(struct pb_task *task, struct pb_role *role)
{
	struct vars_scope_cache *sc = xcalloc(1, sizeof(*sc));
	struct pb_role *const *chain = NULL;
	size_t nchain = 0;
	uintptr_t p;

	sc->key = task != NULL ? (const void *)task : (const void *)role;
	sc->role = role;
	if (task != NULL) {
		sc->task_vars = pb_task_vars(task);
		sc->include = pb_task_include_params(task);
		sc->environment = pb_obj_kw(&task->obj, PB_KW_ENVIRONMENT);
		if (sc->environment == NULL)
			sc->environment = value_list();
		chain = pb_task_dep_chain(task, &nchain);
	}
	if (role != NULL) {
		sc->role_params = pb_role_params(role, chain, nchain, 0);
		sc->role_vars = pb_role_vars(role, chain, nchain, 0, 0);
		sc->role_defaults = pb_role_default_vars(role, chain, nchain, 0);
		/* A stable stand-in for the role instance's uuid4. */
		p = (uintptr_t)role;
		snprintf(sc->role_uuid, sizeof(sc->role_uuid), "%08lx-%04lx-4%03lx-8%03lx-%012lx",
		         (unsigned long)(p & 0xffffffffu), (unsigned long)((p >> 8) & 0xffff),
		         (unsigned long)((p >> 4) & 0xfff), (unsigned long)((p >> 16) & 0xfff),
		         (unsigned long)((uint64_t)p >> 20) & 0xffffffffffffUL);
	}
	return sc;
}

static struct vars_scope_cache *vars_scope_get(struct vars_run *run, struct pb_task *task, struct pb_role *role)
{
	const void *key = task != NULL ? (const void *)task : (const void *)role;
	struct vars_scope_cache **old;
	size_t s, i, oldcap;

	if (key == NULL)
		return NULL;
	if (run->capscopes == 0) {
		run->capscopes = 256;
		run->scopes = xcalloc(run->capscopes, sizeof(*run->scopes));
	}
	for (s = vars_ptr_hash(key, run->capscopes); run->scopes[s] != NULL; s = (s + 1) & (run->capscopes - 1))
		if (run->scopes[s]->key == key)
			return run->scopes[s];
	run->scopes[s] = vars_scope_build(task, role);
	if (++run->nscopes * 2 > run->capscopes) {
		struct vars_scope_cache *sc = run->scopes[s];

		old = run->scopes;
		oldcap = run->capscopes;
		run->capscopes *= 2;
		run->scopes = xcalloc(run->capscopes, sizeof(*run->scopes));
		for (i = 0; i < oldcap; i++) {
			if (old[i] == NULL)
				continue;
			for (s = vars_ptr_hash(old[i]->key, run->capscopes); run->scopes[s] != NULL;
			     s = (s + 1) & (run->capscopes - 1))
				;
			run->scopes[s] = old[i];
		}
		free(old);
		return sc;
	}
	return run->scopes[s];
}

/* ---- contexts ---- */

void vars_ctx_setup(struct vars_ctx *c, struct vars_run *run, const struct inv_host *h, struct pb_play *play,
                    struct pb_task *task, struct pb_role *role, unsigned flags)
{
	c->run = run;
	c->host = h;
	c->play = play;
	c->task = task;
	c->role = task != NULL ? task->role : role;
	c->locals = NULL;
	c->flags = flags;
	c->hs = h != NULL ? vars_host_get(run, h) : NULL;
	c->tc = (flags & (VARS_CTX_HOSTVARS | VARS_CTX_NO_FILES)) ? NULL : vars_scope_get(run, task, c->role);
	c->depth = 0;
}

int vars_ctx_init(struct vars_ctx *c, struct vars_run *run, const struct inv_host *h, struct pb_play *play,
                  struct pb_task *task, struct pb_role *role, struct diag *d)
{
	struct vars_host *hs;

	vars_ctx_setup(c, run, h, play, task, role, 0);
	if (run->play_err != 0 && play != NULL && play == run->play) {
		diag_set(d, run->play_diag.file, run->play_diag.line, run->play_diag.col, "%s",
		         run->play_diag.msg ? run->play_diag.msg : err_str(run->play_err));
		return run->play_err;
	}
	hs = c->hs;
	if (hs == NULL || play == NULL || play != run->play || play->obj.kw[PB_KW_VARS_FILES] == NULL)
		return 0;
	if (hs->vf_valid && hs->vf_play_gen == run->play_gen && hs->vf_facts_gen == hs->facts_gen)
		return 0;
	return vars_files_build(c, hs, d);
}

/* The map of layer l in c, or NULL when c has none. Derived layers are
 * built here on first use. */
static const struct value *vars_layer(struct vars_ctx *c, enum vars_layer l)
{
	struct vars_run *run = c->run;
	struct vars_host *hs = c->hs;
	struct vars_scope_cache *sc = c->tc;
	int play = c->play != NULL && c->play == run->play && !(c->flags & VARS_CTX_HOSTVARS);
	int files = !(c->flags & VARS_CTX_NO_FILES);

	switch (l) {
	case VL_PLAY_DEFAULTS:
		return play ? run->play_defaults : NULL;
	case VL_ROLE_DEFAULTS:
		return sc != NULL ? sc->role_defaults : NULL;
	case VL_INVENTORY:
		if (hs == NULL)
			return NULL;
		if (hs->inv == NULL || hs->inv_gen != run->inv_gen) {
			value_unref(hs->inv);
			hs->inv = inventory_host_vars_all(run->inv, hs->h);
			hs->inv_gen = run->inv_gen;
		}
		return hs->inv;
	case VL_FACTS:
		if (hs == NULL)
			return NULL;
		if (hs->facts_layer == NULL)
			hs->facts_layer = vars_facts_layer(run, hs->facts);
		return hs->facts_layer;
	case VL_PLAY:
		return play ? c->play->obj.kw[PB_KW_VARS] : NULL;
	case VL_VARS_FILES:
		return play && files && hs != NULL && hs->vf_valid && hs->vf_play_gen == run->play_gen ? hs->vars_files
		                                                                                       : NULL;
	case VL_PLAY_ROLES:
		return play && files ? run->play_role_vars : NULL;
	case VL_ROLE_VARS:
		return sc != NULL ? sc->role_vars : NULL;
	case VL_TASK:
		return sc != NULL ? sc->task_vars : NULL;
	case VL_INCLUDE_VARS:
		return hs != NULL && files ? hs->vcache : NULL;
	case VL_SET_FACT:
		return hs != NULL && files ? hs->np : NULL;
	case VL_ROLE_PARAMS:
		return sc != NULL ? sc->role_params : NULL;
	case VL_INCLUDE:
		return sc != NULL ? sc->include : NULL;
	case VL_EXTRA:
		return run->extra;
	default:
		return NULL;
	}
}

/* Finds name in c's layers, highest first. *vp is a new reference to the
 * raw value; *templp says whether it is to be templated (magic values and
 * proxies are not). */
static int vars_find(struct vars_ctx *c, const char *name, size_t len, struct value **vp, int *templp)
{
	const struct value *m, *v;
	int l;

	*vp = NULL;
	*templp = 1;
	if (c->locals != NULL && (v = value_map_getn(c->locals, name, len)) != NULL) {
		*vp = value_ref((struct value *)v);
		return 0;
	}
	if (!(c->flags & (VARS_CTX_HOSTVARS | VARS_CTX_NO_FILES))) {
		if (len == 4 && memcmp(name, "vars", 4) == 0 && (c->play != NULL || c->task != NULL)) {
			*vp = tpl_proxy_new("vars", 4);
			*templp = 0;
			return 0;
		}
		if (len == 11 && memcmp(name, "environment", 11) == 0 && c->task != NULL && c->tc != NULL) {
			*vp = value_ref(((struct vars_scope_cache *)c->tc)->environment);
			return 0;
		}
	}
	if (vars_magic_get(c, name, len, vp) == 0) {
		*templp = 0;
		return 0;
	}
	for (l = VL_COUNT - 1; l >= 0; l--) {
		m = vars_layer(c, (enum vars_layer)l);
		if (m != NULL && (v = value_map_getn(m, name, len)) != NULL) {
			*vp = value_ref((struct value *)v);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

static int vars_on_stack(const struct vars_ctx *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->depth; i++)
		if (c->stack[i].len == len && memcmp(c->stack[i].name, name, len) == 0)
			return 1;
	return 0;
}

static void vars_recursion_error(const struct value *raw, struct diag *d)
{
	char *s = vars_pystr(raw);

	diag_set(d, raw->pos.file, (int)raw->pos.line, (int)raw->pos.col,
	         "recursive loop detected in template string: %s", s);
	free(s);
}

/* Templates the raw value of name as AnsibleJ2Vars does. */
static int vars_resolve(struct vars_ctx *c, const char *name, size_t len, const struct value *raw, struct value **vp,
                        struct diag *d)
{
	struct tpl_scope s;
	struct diag inner;
	int r;

	*vp = NULL;
	if (vars_on_stack(c, name, len) || c->depth >= VARS_MAX_NEST || c->run->depth >= VARS_MAX_NEST) {
		vars_recursion_error(raw, d);
		return ERR_DEPTH;
	}
	c->stack[c->depth].name = name;
	c->stack[c->depth].len = len;
	c->depth++;
	c->run->depth++;
	vars_scope(c, &s);
	diag_init(&inner);
	r = templar_value(c->run->tr, raw, &s, vp, &inner);
	c->run->depth--;
	c->depth--;
	if (r == ERR_NOTFOUND) {
		char *text = vars_pystr(raw);
		char *hint = xasprintf("%s: %s", text, inner.msg ? inner.msg : "undefined");

		*vp = tpl_undef_new(hint);
		free(hint);
		free(text);
		r = 0;
	} else if (r != 0) {
		diag_set(d, inner.file, inner.line, inner.col, "%s", inner.msg ? inner.msg : err_str(r));
	}
	diag_fini(&inner);
	return r;
}

static int vars_lookup(struct vars_ctx *c, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct value *raw = NULL;
	int templ, r;

	*vp = NULL;
	if ((r = vars_find(c, name, len, &raw, &templ)) != 0)
		return r;
	if (!templ || !templar_needed(raw)) {
		*vp = raw;
		return 0;
	}
	r = vars_resolve(c, name, len, raw, vp, d);
	value_unref(raw);
	return r;
}

int vars_get(struct vars_ctx *c, const char *name, struct value **vp, struct diag *d)
{
	return vars_lookup(c, name, strlen(name), vp, d);
}

int vars_get_raw(struct vars_ctx *c, const char *name, struct value **vp)
{
	int templ;

	return vars_find(c, name, strlen(name), vp, &templ);
}

int vars_template(struct vars_ctx *c, const struct value *v, struct value **outp, struct diag *d)
{
	struct tpl_scope s;

	vars_scope(c, &s);
	return templar_value(c->run->tr, v, &s, outp, d);
}

int vars_template_lenient(struct vars_ctx *c, const struct value *v, struct value **outp, struct diag *d)
{
	struct value *out = NULL, *item = NULL;
	struct diag inner;
	size_t i;
	int r;

	*outp = NULL;
	if (!templar_needed(v)) {
		*outp = value_ref((struct value *)v);
		return 0;
	}
	if (v->type == VALUE_STR) {
		if (c->run->depth >= VARS_MAX_NEST) {
			vars_recursion_error(v, d);
			return ERR_DEPTH;
		}
		diag_init(&inner);
		c->run->depth++;
		r = vars_template(c, v, outp, &inner);
		c->run->depth--;
		if (r == ERR_NOTFOUND) {
			*outp = value_ref((struct value *)v);
			r = 0;
		} else if (r != 0) {
			diag_set(d, inner.file, inner.line, inner.col, "%s", inner.msg ? inner.msg : err_str(r));
		}
		diag_fini(&inner);
		return r;
	}
	out = value_pos_from(v->type == VALUE_LIST ? value_list() : value_map(), v);
	out->flags = v->flags;
	for (i = 0; i < value_len(v); i++) {
		const struct value *src = v->type == VALUE_LIST ? v->u.l.items[i] : v->u.m.ents[i].val;

		if ((r = vars_template_lenient(c, src, &item, d)) != 0) {
			value_unref(out);
			return r;
		}
		if (v->type == VALUE_LIST)
			value_list_push(out, item);
		else
			value_map_set_key(out, value_ref(v->u.m.ents[i].key), item);
	}
	*outp = out;
	return 0;
}

/* The merged raw variables of c: layers lowest first, then magic, then
 * environment and locals. */
static struct value *vars_merged(struct vars_ctx *c)
{
	struct value *m = value_map();
	const struct value *lm;
	int l;

	for (l = 0; l < VL_COUNT; l++) {
		lm = vars_layer(c, (enum vars_layer)l);
		if (lm != NULL)
			value_map_update(m, lm, 0);
	}
	vars_magic_all(c, m);
	value_map_del(m, "hostvars");
	if (c->task != NULL && c->tc != NULL && !(c->flags & VARS_CTX_HOSTVARS))
		value_map_set(m, "environment", value_ref(((struct vars_scope_cache *)c->tc)->environment));
	if (c->locals != NULL)
		value_map_update(m, c->locals, 0);
	return m;
}

int vars_all(struct vars_ctx *c, unsigned flags, struct value **vp, struct diag *d)
{
	struct value *m = vars_merged(c), *out, *v;
	size_t i;
	int r;

	*vp = NULL;
	if (!(flags & VARS_ALL_TEMPLATE)) {
		*vp = m;
		return 0;
	}
	out = value_map();
	for (i = 0; i < value_len(m); i++) {
		const struct value *k = value_map_key_at(m, i);

		if ((r = vars_template_lenient(c, value_map_val_at(m, i), &v, d)) != 0) {
			value_unref(out);
			value_unref(m);
			return r;
		}
		value_map_set_key(out, value_ref((struct value *)k), v);
	}
	value_unref(m);
	*vp = out;
	return 0;
}

/* ---- the scope callbacks ---- */

static int vars_cb_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	return vars_lookup(ctx, name, len, vp, d);
}

/* hostvars['name']: a proxy whose tag names the host. */
static int vars_cb_hostvars_get(struct vars_ctx *c, const char *key, size_t len, struct value **vp)
{
	struct inv_host *h;
	char *name, *tag, *hint;

	if (len > VARS_MAX_HOSTVARS_NAME || memchr(key, '\0', len) != NULL)
		return ERR_NOTFOUND;
	name = xstrndup(key, len);
	h = inventory_host(c->run->inv, name);
	if (h == NULL) {
		hint = xasprintf("'hostvars['%s']' is undefined", name);
		*vp = tpl_undef_new(hint);
		free(hint);
		free(name);
		return 0;
	}
	tag = xasprintf("hostvars/%s", name);
	*vp = tpl_proxy_new(tag, strlen(tag));
	free(tag);
	free(name);
	return 0;
}

/* The hostvars view of the host a "hostvars/<name>" tag names. */
static struct inv_host *vars_cb_tag_host(struct vars_ctx *c, const struct value *proxy)
{
	const char *tag = proxy->u.s.ptr;

	if (strncmp(tag, "hostvars/", 9) != 0)
		return NULL;
	return inventory_host(c->run->inv, tag + 9);
}

static int vars_cb_proxy_get(void *ctx, const struct value *proxy, const char *key, size_t len, struct value **vp,
                             struct diag *d)
{
	struct vars_ctx *c = ctx, *hc;
	struct value *raw = NULL;
	struct inv_host *h;
	int templ, r;

	*vp = NULL;
	if (strcmp(proxy->u.s.ptr, "vars") == 0) {
		if (len == 4 && memcmp(key, "vars", 4) == 0)
			return ERR_NOTFOUND;
		return vars_find(c, key, len, vp, &templ);
	}
	if (strcmp(proxy->u.s.ptr, "hostvars") == 0)
		return vars_cb_hostvars_get(c, key, len, vp);
	if ((h = vars_cb_tag_host(c, proxy)) == NULL)
		return ERR_NOTFOUND;
	/* Large: kept off the stack, which nested hostvars reads deepen. */
	hc = xmalloc(sizeof(*hc));
	vars_ctx_setup(hc, c->run, h, NULL, NULL, NULL, VARS_CTX_HOSTVARS);
	r = vars_find(hc, key, len, &raw, &templ);
	if (r == 0 && templ && templar_needed(raw)) {
		hc->stack[0].name = key;
		hc->stack[0].len = len;
		hc->depth = 1;
		r = vars_template_lenient(hc, raw, vp, d);
		value_unref(raw);
	} else if (r == 0) {
		*vp = raw;
	}
	free(hc);
	return r;
}

static int vars_cb_proxy_value(void *ctx, const struct value *proxy, struct value **vp, struct diag *d)
{
	struct vars_ctx *c = ctx, *hc;
	struct inv_host *const *hosts;
	struct inv_host *h;
	struct value *m, *one;
	size_t n, i;
	int r = 0;

	*vp = NULL;
	if (strcmp(proxy->u.s.ptr, "vars") == 0) {
		*vp = vars_merged(c);
		return 0;
	}
	hc = xmalloc(sizeof(*hc));
	if (strcmp(proxy->u.s.ptr, "hostvars") == 0) {
		m = value_map();
		hosts = inventory_hosts(c->run->inv, &n);
		for (i = 0; i <= n && r == 0; i++) {
			/* The implicit localhost is listed once it exists, as in
			 * HostVars.__iter__. */
			h = i < n ? hosts[i] : inventory_host(c->run->inv, "localhost");
			if (h == NULL || (i == n && value_map_get(m, inv_host_name(h)) != NULL))
				continue;
			vars_ctx_setup(hc, c->run, h, NULL, NULL, NULL, VARS_CTX_HOSTVARS);
			if ((r = vars_all(hc, VARS_ALL_TEMPLATE, &one, d)) == 0)
				value_map_set(m, inv_host_name(h), one);
		}
		if (r != 0)
			value_unref(m);
		else
			*vp = m;
	} else if ((h = vars_cb_tag_host(c, proxy)) != NULL) {
		vars_ctx_setup(hc, c->run, h, NULL, NULL, NULL, VARS_CTX_HOSTVARS);
		r = vars_all(hc, VARS_ALL_TEMPLATE, vp, d);
	} else {
		r = ERR_NOTFOUND;
	}
	free(hc);
	return r;
}

/* Templar.template's SINGLE_VAR shortcut judges the stored value. */
static int vars_cb_single_raw(void *ctx, const char *name, size_t len)
{
	struct value *raw = NULL;
	int templ, r;

	if (vars_find(ctx, name, len, &raw, &templ) != 0)
		return 0;
	r = raw->type == VALUE_BOOL || raw->type == VALUE_INT || raw->type == VALUE_FLOAT || raw->type == VALUE_NULL;
	value_unref(raw);
	return r;
}

void vars_scope(struct vars_ctx *c, struct tpl_scope *s)
{
	size_t n;

	memset(s, 0, sizeof(*s));
	s->ctx = c;
	s->lookup = vars_cb_lookup;
	s->single_raw = vars_cb_single_raw;
	s->proxy_get = vars_cb_proxy_get;
	s->proxy_value = vars_cb_proxy_value;
	/* Ansible's search path for lookups: the role, then the play. */
	memset(c->search_dirs, 0, sizeof(c->search_dirs));
	n = 0;
	if (c->role != NULL && c->role->path != NULL)
		c->search_dirs[n++] = c->role->path;
	if (c->play != NULL && c->play->basedir != NULL)
		c->search_dirs[n++] = c->play->basedir;
	s->search_dirs = n > 0 ? c->search_dirs : NULL;
}

/* ---- loops ---- */

struct value *vars_loop_locals(const char *loop_var, const struct value *item, const char *index_var,
                               size_t index, const struct value *items, int extended, int extended_allitems)
{
	struct value *m = value_map(), *loop;
	size_t n = items != NULL ? value_len(items) : 0;

	value_map_set(m, "ansible_loop_var", value_str(loop_var));
	value_map_set(m, loop_var, value_ref((struct value *)item));
	if (index_var != NULL) {
		value_map_set(m, "ansible_index_var", value_str(index_var));
		value_map_set(m, index_var, value_int((int64_t)index));
	}
	if (extended) {
		loop = value_map();
		value_map_set(loop, "index", value_int((int64_t)index + 1));
		value_map_set(loop, "index0", value_int((int64_t)index));
		value_map_set(loop, "first", value_bool(index == 0));
		value_map_set(loop, "last", value_bool(index + 1 == n));
		value_map_set(loop, "length", value_int((int64_t)n));
		value_map_set(loop, "revindex", value_int((int64_t)n - (int64_t)index));
		value_map_set(loop, "revindex0", value_int((int64_t)n - (int64_t)index - 1));
		if (extended_allitems && items != NULL)
			value_map_set(loop, "allitems", value_ref((struct value *)items));
		if (index + 1 < n)
			value_map_set(loop, "nextitem", value_ref(value_list_at(items, index + 1)));
		if (index > 0 && index - 1 < n)
			value_map_set(loop, "previtem", value_ref(value_list_at(items, index - 1)));
		value_map_set(m, "ansible_loop", loop);
	}
	return m;
}
