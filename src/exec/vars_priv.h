/* Internals of the variable layer shared by vars.c (run, host and play
 * state, lookups), vars_magic.c (magic variables), vars_files.c
 * (vars_files) and vars_facts.c (fact cleaning, unsafe marking). Not for use
 * outside src/exec/vars*.c; the contract is vars.h. */
#ifndef DROVER_EXEC_VARS_PRIV_H
#define DROVER_EXEC_VARS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "exec/vars.h"

/* One host's runtime state. Maps are owned; a NULL derived layer is stale. */
struct vars_host {
	const struct inv_host *h;
	struct value *inv;          /* inventory layer, built for run->inv_gen */
	uint32_t inv_gen;
	struct value *facts;        /* the fact cache (map) */
	struct value *facts_layer;  /* ansible_facts + injected facts, or NULL */
	uint32_t facts_gen;         /* bumped by every fact change */
	struct value *np;           /* set_fact / register / ansible_failed_* */
	struct value *vcache;       /* include_vars */
	struct value *vars_files;   /* layer for (vf_play_gen, vf_facts_gen), or NULL */
	uint32_t vf_play_gen, vf_facts_gen;
	int vf_valid;
	unsigned removed : 1, failed : 1, unreachable : 1;
};

/* Layers of a task or of a role without a task, built on first use and
 * kept for the play (they do not depend on the host). */
struct vars_scope_cache {
	const void *key;            /* the task or role */
	struct pb_role *role;
	struct value *task_vars;    /* pb_task_vars, or NULL without a task */
	struct value *include;      /* pb_task_include_params, or NULL */
	struct value *role_params;  /* or NULL without a role */
	struct value *role_vars;
	struct value *role_defaults;
	struct value *environment;  /* the task's environment keyword, [] when unset */
	char role_uuid[40];
};

/* Cached values of the magic variables that depend on the play's host
 * lists, rebuilt when hosts_gen moves on. */
enum vars_list {
	VARS_LIST_ALL,       /* ansible_play_hosts_all */
	VARS_LIST_PLAY,      /* ansible_play_hosts */
	VARS_LIST_BATCH,     /* ansible_play_batch, play_hosts */
	VARS_LIST_CURRENT,   /* ansible_current_hosts */
	VARS_LIST_FAILED,    /* ansible_failed_hosts */
	VARS_LIST_COUNT,
};

struct vars_run {
	struct inventory *inv;
	struct templar *tr;
	struct value *extra;        /* -e map */
	struct value *opt_magic;    /* ansible_version, ansible_check_mode, ... */
	struct value *magic_index;  /* name -> VALUE_INT magic id */
	char *playbook_dir;
	char omit[64];
	struct value *groups;       /* cached `groups`, or NULL */
	uint32_t inv_gen;
	struct value *warned;       /* fact names already warned about */
	int depth;                  /* nested variable templating, all contexts */

	struct vars_host **hosts;   /* open addressing on the host pointer */
	size_t nhosts, caphosts;

	/* The current play. */
	struct pb_play *play;
	uint32_t play_gen;
	struct pb_role **roles;     /* play.roles, in order (repeats kept) */
	size_t nroles, caproles;
	struct value *play_defaults;  /* merged defaults of roles */
	struct value *play_role_vars; /* merged vars of roles */
	struct value *role_names;     /* ansible_role_names */
	struct value *play_role_names;
	struct value *dep_role_names;
	struct inv_host **all, **batch;
	size_t nall, nbatch;
	uint32_t hosts_gen;
	struct value *lists[VARS_LIST_COUNT];
	uint32_t lists_gen[VARS_LIST_COUNT];
	struct value *vf_cache;     /* resolved vars_files path -> parsed data */
	int play_err;               /* reading the play's group_vars/host_vars failed */
	struct diag play_diag;      /* its error, returned by vars_ctx_init */
	struct vars_scope_cache **scopes; /* open addressing on the task/role pointer */
	size_t nscopes, capscopes;
};

/* vars.c */
struct vars_host *vars_host_get(struct vars_run *run, const struct inv_host *h);
/* Initialises c without loading anything (for hostvars and vars_files
 * contexts). */
void vars_ctx_setup(struct vars_ctx *c, struct vars_run *run, const struct inv_host *h, struct pb_play *play,
                    struct pb_task *task, struct pb_role *role, unsigned flags);
/* Templates v with c; strings whose template is undefined stay as written
 * (HostVarsVars' fail_on_undefined=False). New reference in *outp. */
int vars_template_lenient(struct vars_ctx *c, const struct value *v, struct value **outp, struct diag *d);
/* Python's str() of v, for messages (new string). */
char *vars_pystr(const struct value *v);

/* vars_magic.c */
/* Fills run->magic_index and run->opt_magic. */
void vars_magic_init(struct vars_run *run, const struct vars_opts *o);
/* The magic variable called name in c, or ERR_NOTFOUND when it is not one
 * or does not apply to c. *vp is a new reference. */
int vars_magic_get(struct vars_ctx *c, const char *name, size_t len, struct value **vp);
/* Sets every magic variable that applies to c into m. */
void vars_magic_all(struct vars_ctx *c, struct value *m);

/* vars_files.c */
/* Builds hs->vars_files for c's play, host (and whether a task runs). */
int vars_files_build(struct vars_ctx *c, struct vars_host *hs, struct diag *d);

/* vars_facts.c */
/* A new reference to v with every string marked unsafe (copies only what
 * changes). */
struct value *vars_facts_unsafe(const struct value *v);
/* The facts layer of a fact cache: {ansible_facts: ...} and the cleaned
 * facts, warning once per removed name. New map. */
struct value *vars_facts_layer(struct vars_run *run, const struct value *facts);

#endif
