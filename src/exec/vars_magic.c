/* Ansible's magic variables (VariableManager._get_magic_variables, the
 * options variables and the strategies' additions), computed when a
 * template reads them. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "exec/vars_priv.h"

enum vars_magic_id {
	VM_PLAYBOOK_DIR,
	VM_GROUPS,
	VM_OMIT,
	VM_HOSTVARS,
	VM_PLAY_NAME,
	VM_PLAY_HOSTS_ALL,
	VM_PLAY_HOSTS,
	VM_PLAY_BATCH,
	VM_PLAY_HOSTS_OLD,
	VM_ROLE_NAMES,
	VM_PLAY_ROLE_NAMES,
	VM_DEP_ROLE_NAMES,
	VM_ROLE_NAMES_OLD,
	VM_CURRENT_HOSTS,
	VM_FAILED_HOSTS,
	VM_ROLE_NAME,
	VM_ROLE_PATH,
	VM_ROLE_UUID,
	VM_ANSIBLE_ROLE_NAME,
	VM_COLLECTION_NAME,
	VM_OPTION, /* the rest: values of run->opt_magic */
};

static const struct {
	const char *name;
	enum vars_magic_id id;
} vars_magic_names[] = {
	{"playbook_dir", VM_PLAYBOOK_DIR},
	{"groups", VM_GROUPS},
	{"omit", VM_OMIT},
	{"hostvars", VM_HOSTVARS},
	{"ansible_play_name", VM_PLAY_NAME},
	{"ansible_play_hosts_all", VM_PLAY_HOSTS_ALL},
	{"ansible_play_hosts", VM_PLAY_HOSTS},
	{"ansible_play_batch", VM_PLAY_BATCH},
	{"play_hosts", VM_PLAY_HOSTS_OLD},
	{"ansible_role_names", VM_ROLE_NAMES},
	{"ansible_play_role_names", VM_PLAY_ROLE_NAMES},
	{"ansible_dependent_role_names", VM_DEP_ROLE_NAMES},
	{"role_names", VM_ROLE_NAMES_OLD},
	{"ansible_current_hosts", VM_CURRENT_HOSTS},
	{"ansible_failed_hosts", VM_FAILED_HOSTS},
	{"role_name", VM_ROLE_NAME},
	{"role_path", VM_ROLE_PATH},
	{"role_uuid", VM_ROLE_UUID},
	{"ansible_role_name", VM_ANSIBLE_ROLE_NAME},
	{"ansible_collection_name", VM_COLLECTION_NAME},
};

/* Options variables (load_options_vars), in Ansible's order. */
static const char *const vars_magic_options[] = {
	"ansible_playbook_python", "ansible_config_file", "ansible_version", "ansible_check_mode",
	"ansible_diff_mode", "ansible_forks", "ansible_inventory_sources", "ansible_skip_tags",
	"ansible_limit", "ansible_run_tags", "ansible_verbosity",
};

static struct value *vars_magic_list_or(const struct value *v, const char *def)
{
	struct value *l;

	if (v != NULL)
		return value_dup(v);
	l = value_list();
	if (def != NULL)
		value_list_push(l, value_str(def));
	return l;
}

void vars_magic_init(struct vars_run *run, const struct vars_opts *o)
{
	struct value *m = value_map(), *ver = value_map();
	size_t i;

	run->magic_index = value_map();
	for (i = 0; i < sizeof(vars_magic_names) / sizeof(vars_magic_names[0]); i++)
		value_map_set(run->magic_index, vars_magic_names[i].name, value_int(vars_magic_names[i].id));
	for (i = 0; i < sizeof(vars_magic_options) / sizeof(vars_magic_options[0]); i++)
		value_map_set(run->magic_index, vars_magic_options[i], value_int(VM_OPTION));

	value_map_set(m, "ansible_playbook_python", value_str(o->python ? o->python : "/usr/bin/python3"));
	value_map_set(m, "ansible_config_file", o->config_file ? value_str(o->config_file) : value_null());
	/* drover's compatibility target. */
	value_map_set(ver, "string", value_str("2.14.18"));
	value_map_set(ver, "full", value_str("2.14.18"));
	value_map_set(ver, "major", value_int(2));
	value_map_set(ver, "minor", value_int(14));
	value_map_set(ver, "revision", value_int(18));
	value_map_set(m, "ansible_version", ver);
	value_map_set(m, "ansible_check_mode", value_bool(o->check_mode));
	value_map_set(m, "ansible_diff_mode", value_bool(o->diff_mode));
	value_map_set(m, "ansible_forks", value_int(o->forks > 0 ? o->forks : 5));
	value_map_set(m, "ansible_inventory_sources", vars_magic_list_or(o->inventory_sources, "/etc/ansible/hosts"));
	value_map_set(m, "ansible_skip_tags", vars_magic_list_or(o->skip_tags, NULL));
	if (o->limit != NULL)
		value_map_set(m, "ansible_limit", value_str(o->limit));
	value_map_set(m, "ansible_run_tags", vars_magic_list_or(o->run_tags, "all"));
	value_map_set(m, "ansible_verbosity", value_int(o->verbosity));
	run->opt_magic = m;
}

/* A play host list without the hosts excluded by skip (a vars_host bit). */
static struct value *vars_magic_hosts(struct vars_run *run, struct inv_host *const *hosts, size_t n,
                                      enum vars_list which)
{
	struct value *l;
	size_t i;

	if (run->lists[which] != NULL && run->lists_gen[which] == run->hosts_gen)
		return value_ref(run->lists[which]);
	l = value_list();
	for (i = 0; i < n; i++) {
		struct vars_host *hs = vars_host_get(run, hosts[i]);
		int keep;

		switch (which) {
		case VARS_LIST_PLAY:
		case VARS_LIST_BATCH:
			keep = !hs->removed;
			break;
		case VARS_LIST_CURRENT:
			keep = !hs->failed && !hs->unreachable;
			break;
		case VARS_LIST_FAILED:
			keep = hs->failed;
			break;
		default:
			keep = 1;
			break;
		}
		if (keep)
			value_list_push(l, value_str(inv_host_name(hosts[i])));
	}
	value_unref(run->lists[which]);
	run->lists[which] = l;
	run->lists_gen[which] = run->hosts_gen;
	return value_ref(l);
}

int vars_magic_get(struct vars_ctx *c, const char *name, size_t len, struct value **vp)
{
	struct vars_run *run = c->run;
	const struct value *idv = value_map_getn(run->magic_index, name, len);
	struct vars_scope_cache *sc = c->tc;
	int has_play = c->play != NULL && c->play == run->play;

	*vp = NULL;
	if (idv == NULL)
		return ERR_NOTFOUND;
	switch ((enum vars_magic_id)idv->u.i) {
	case VM_PLAYBOOK_DIR:
		*vp = value_str(run->playbook_dir ? run->playbook_dir : ".");
		return 0;
	case VM_GROUPS:
		if (run->groups == NULL)
			run->groups = inventory_groups_var(run->inv);
		*vp = value_ref(run->groups);
		return 0;
	case VM_OMIT:
		*vp = value_str(run->omit);
		return 0;
	case VM_HOSTVARS:
		if (c->flags & (VARS_CTX_HOSTVARS))
			return ERR_NOTFOUND;
		*vp = tpl_proxy_new("hostvars", 8);
		return 0;
	case VM_OPTION: {
		const struct value *v = value_map_getn(run->opt_magic, name, len);

		if (v == NULL)
			return ERR_NOTFOUND;
		*vp = value_ref((struct value *)v);
		return 0;
	}
	default:
		break;
	}
	if (!has_play)
		return ERR_NOTFOUND;
	switch ((enum vars_magic_id)idv->u.i) {
	case VM_PLAY_NAME:
		*vp = value_str(pb_play_name(c->play));
		return 0;
	case VM_PLAY_HOSTS_ALL:
		*vp = vars_magic_hosts(run, run->all, run->nall, VARS_LIST_ALL);
		return 0;
	case VM_PLAY_HOSTS:
		*vp = vars_magic_hosts(run, run->all, run->nall, VARS_LIST_PLAY);
		return 0;
	case VM_PLAY_BATCH:
	case VM_PLAY_HOSTS_OLD:
		*vp = vars_magic_hosts(run, run->batch, run->nbatch, VARS_LIST_BATCH);
		return 0;
	case VM_ROLE_NAMES:
		*vp = value_ref(run->role_names);
		return 0;
	case VM_PLAY_ROLE_NAMES:
	case VM_ROLE_NAMES_OLD:
		*vp = value_ref(run->play_role_names);
		return 0;
	case VM_DEP_ROLE_NAMES:
		*vp = value_ref(run->dep_role_names);
		return 0;
	case VM_CURRENT_HOSTS:
		if (c->task == NULL)
			return ERR_NOTFOUND;
		*vp = vars_magic_hosts(run, run->batch, run->nbatch, VARS_LIST_CURRENT);
		return 0;
	case VM_FAILED_HOSTS:
		if (c->task == NULL)
			return ERR_NOTFOUND;
		*vp = vars_magic_hosts(run, run->batch, run->nbatch, VARS_LIST_FAILED);
		return 0;
	default:
		break;
	}
	if (sc == NULL || sc->role == NULL)
		return ERR_NOTFOUND;
	switch ((enum vars_magic_id)idv->u.i) {
	case VM_ROLE_NAME:
	case VM_ANSIBLE_ROLE_NAME:
		*vp = value_str(sc->role->name);
		return 0;
	case VM_ROLE_PATH:
		*vp = value_str(sc->role->path);
		return 0;
	case VM_ROLE_UUID:
		*vp = value_str(sc->role_uuid);
		return 0;
	case VM_COLLECTION_NAME:
		*vp = value_null();
		return 0;
	default:
		return ERR_NOTFOUND;
	}
}

void vars_magic_all(struct vars_ctx *c, struct value *m)
{
	struct value *v;
	size_t i;

	for (i = 0; i < value_len(c->run->magic_index); i++) {
		const struct value *k = value_map_key_at(c->run->magic_index, i);

		if (vars_magic_get(c, k->u.s.ptr, k->u.s.len, &v) == 0)
			value_map_set_key(m, value_ref((struct value *)k), v);
	}
}
