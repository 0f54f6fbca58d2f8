/* The variable layer of the executor: what a template sees when it is
 * rendered for one host and one task, with ansible-core 2.14's precedence,
 * lazy templating, magic variables and hostvars.
 *
 * PRECEDENCE
 *   A name is looked up in these layers, highest first; the first layer
 *   holding it gives the whole value (hash_behaviour=replace: maps are never
 *   merged across layers):
 *
 *      locals        the executor's per-evaluation names (vars_ctx.locals):
 *                    loop variable, index_var, ansible_loop, ansible_loop_var,
 *                    ansible_index_var (TaskExecutor sets them last)
 *      vars          `vars`, and `environment` for a task
 *      magic         see MAGIC VARIABLES (they beat even -e, as in Ansible)
 *      extra         -e
 *      include       include params: vars of the include_tasks/include_role
 *                    tasks above the task (pb_task_include_params)
 *      role params   of the task's role and its dependency chain
 *      set_fact      set_fact, registered results, ansible_failed_task/result
 *                    (Ansible's non-persistent fact cache)
 *      include_vars  include_vars results (Ansible's vars cache)
 *      task          vars of the task, its blocks and import tasks
 *      role vars     vars/ and vars: of the task's role and dependency chain
 *      play roles    vars of every role of the play (roles:, import_role,
 *                    public include_role), as DEFAULT_PRIVATE_ROLE_VARS=False
 *      vars_files    the play's vars_files, loaded per host (see below)
 *      play          the play's vars:
 *      facts         ansible_facts (the fact cache without the ansible_
 *                    prefix) and every cleaned fact as a top-level name
 *                    (INJECT_FACTS_AS_VARS)
 *      inventory     inventory_host_vars_all: all < parent groups < child
 *                    groups < host, inline and group_vars/host_vars files
 *                    beside the inventory sources and beside the play
 *                    (inventory_add_vars_dir, at Ansible's places), plus
 *                    inventory_hostname(_short), group_names,
 *                    inventory_file, inventory_dir
 *      role defaults defaults/ of the task's role and dependency chain
 *      play defaults defaults/ of every role of the play
 *
 *   A context without a play (hostvars of another host) has only locals,
 *   magic (without the play's names and without hostvars), extra, set_fact,
 *   include_vars, facts and inventory, as Ansible's HostVars does
 *   (get_vars(host=h) with no play).
 *
 * LAZY TEMPLATING
 *   The value found is returned templated (Templar.template through the
 *   run's templar, with the same scope), never copied when it holds no
 *   template: "a: '{{ b }}'" reads b when a is read. A value whose template
 *   hits an undefined variable comes back as an undefined value whose
 *   message is "<raw text>: <error>", so `a is defined` and `a | default()`
 *   work, as AnsibleJ2Vars does. Strings marked unsafe (facts, registered
 *   results, !unsafe) are never templated. A variable that is read again
 *   while its own value is being templated fails with "recursive loop
 *   detected in template string: <raw text>" (Ansible nests that message in
 *   a long chain of "An unhandled exception occurred ..." lines; drover
 *   reports the loop alone). VARS_MAX_NEST nested variable templatings (also
 *   across hosts through hostvars) fail the same way.
 *
 * MAGIC VARIABLES
 *   Always: playbook_dir, ansible_playbook_python, ansible_config_file,
 *   groups, omit, ansible_version, ansible_check_mode, ansible_diff_mode,
 *   ansible_forks, ansible_inventory_sources, ansible_run_tags,
 *   ansible_skip_tags, ansible_verbosity, ansible_limit (when -l was
 *   given), and hostvars (not inside hostvars itself).
 *   With a play: ansible_play_name, ansible_play_hosts_all,
 *   ansible_play_hosts (all minus the hosts that failed or became
 *   unreachable), ansible_play_batch and play_hosts (the current batch minus
 *   those), ansible_role_names, ansible_play_role_names,
 *   ansible_dependent_role_names, role_names.
 *   With a task (the linear and free strategies add them):
 *   ansible_current_hosts (batch minus failed and unreachable hosts),
 *   ansible_failed_hosts.
 *   With a role: role_name, role_path, role_uuid, ansible_role_name,
 *   ansible_collection_name (null).
 *   ansible_version is drover's compatibility target, ansible-core 2.14.18:
 *   {string: "2.14.18", full: "2.14.18", major: 2, minor: 14, revision: 18}.
 *   omit is "__omit_place_holder__" and the SHA-1 hex of 64 random bytes,
 *   fixed for the run (vars_omit_token).
 *   `vars` is the merged dict of raw (untemplated) values, as Ansible's
 *   all_vars.copy(): {{ vars.x }} gives x as written.
 *   `hostvars` is a proxy: hostvars['h2'].x evaluates x in h2's context
 *   (no play) when it is read, without building any host's dict; like
 *   HostVarsVars, a value whose template is undefined there is returned as
 *   written instead of failing. Only inventory hosts (and the implicit
 *   localhost once it exists) are in hostvars.
 *
 * VARS_FILES
 *   Each entry is templated per host with the layers below it plus extra and
 *   magic; a list entry means "the first that exists". Names are found as
 *   Ansible's path_dwim_relative_stack does for a play: <playdir>/vars/<f>,
 *   then <playdir>/<f> (absolute and ~ paths as they are), and loaded with
 *   yaml_load_data_file (a map, a list of maps, or empty). No file found is
 *   ERR_NOTFOUND "vars file <entry> was not found\nCould not find file on
 *   the Ansible Controller.\n..." (the entry as Python prints it). An entry
 *   whose name is undefined is skipped, unless the host's facts hold
 *   module_setup and a task is being run: then it is ERR_NOTFOUND "an
 *   undefined variable was found when attempting to template the vars_files
 *   item '<entry>'". The layer is kept per host and rebuilt when the host's
 *   facts change; files are parsed once per play.
 *
 * COST
 *   Nothing is deep-copied per lookup: layers are maps shared by reference.
 *   The inventory layer is built once per host for the run (again after
 *   vars_inventory_changed); task, include, role layers once per task (or
 *   role) per play, not per host; play layers once per play; facts once per
 *   change. A lookup walks at most the layers above and reads one map entry
 *   in each.
 *
 * Not implemented: hash_behaviour=merge, vars plugins other than
 * group_vars/host_vars, delegate_to's ansible_delegated_vars; the
 * play-adjacent group_vars/ and host_vars/ are read from the play's
 * directory only (Ansible also looks beside imported task files and in the
 * roles of the dependency chain), and once read they stay for later plays.
 *
 * Everything here is single-threaded and prints nothing except one
 * "Removed restricted key from module data: X" warning per fact name, as
 * Ansible warns. */
#ifndef DROVER_EXEC_VARS_H
#define DROVER_EXEC_VARS_H

#include <stddef.h>

#include "base/diag.h"
#include "data/value.h"
#include "inventory/inventory.h"
#include "playbook/playbook.h"
#include "playbook/templar.h"
#include "template/template.h"

#define VARS_MAX_NEST 64 /* variables templated inside variables */

struct vars_run;

/* What the command line says; every field may be zero. */
struct vars_opts {
	const struct value *extra_vars;        /* -e map (a reference is kept), or NULL */
	const char *playbook_dir;              /* until vars_play_begin: directory of the first playbook */
	int check_mode;                        /* -C */
	int diff_mode;                         /* -D */
	int forks;                             /* -f; 0 means Ansible's default 5 */
	int verbosity;                         /* number of -v */
	const struct value *run_tags;          /* -t list (reference kept); NULL means ["all"] */
	const struct value *skip_tags;         /* --skip-tags list; NULL means [] */
	const char *limit;                     /* -l as given; NULL: ansible_limit is not set */
	const struct value *inventory_sources; /* list of absolute paths; NULL means ["/etc/ansible/hosts"] */
	const char *config_file;               /* ansible.cfg in use, or NULL (None) */
	const char *python;                    /* ansible_playbook_python; NULL means "/usr/bin/python3" */
};

/*
 * vars_run_new - the variable state of one playbook run
 *
 * inv and tr are borrowed and must outlive the run. Copies what it keeps of
 * o. Draws the omit token. Returns a new run (vars_run_free).
 */
struct vars_run *vars_run_new(struct inventory *inv, struct templar *tr, const struct vars_opts *o);
void vars_run_free(struct vars_run *run);

/* The run's omit placeholder ("__omit_place_holder__<40 hex digits>"). */
const char *vars_omit_token(const struct vars_run *run);

/* The inventory gained hosts or groups, or group memberships changed
 * (add_host, group_by): every cached inventory layer and `groups` are
 * rebuilt on next use. */
void vars_inventory_changed(struct vars_run *run);

/* ---- per-host runtime state (kept for the whole run) ---- */

enum {
	VARS_UNSAFE = 1 << 0, /* mark every string unsafe (results and facts of modules) */
};

/*
 * vars_set_facts - add to a host's fact cache (set_host_facts)
 *
 * Each key of facts (a map) replaces the one in the cache. Pass
 * VARS_UNSAFE for facts returned by modules (Ansible wraps them); set_fact
 * with cacheable: true calls this without it, and vars_set_fact as well.
 * The values are shared, not copied (unsafe marking copies what it
 * changes). Non-map facts are ignored.
 */
void vars_set_facts(struct vars_run *run, const struct inv_host *h, const struct value *facts, unsigned flags);
/* meta: clear_facts: empties the host's fact cache. */
void vars_clear_facts(struct vars_run *run, const struct inv_host *h);

/* set_fact: each key of facts (a map) replaces the host's non-persistent
 * fact. VARS_UNSAFE as above. */
void vars_set_fact(struct vars_run *run, const struct inv_host *h, const struct value *facts, unsigned flags);

/* register: name = result for the host, every string of result marked
 * unsafe (as Ansible's wrap_var), with the same precedence as set_fact. */
void vars_register(struct vars_run *run, const struct inv_host *h, const char *name, const struct value *result);

/* A failure rescued: ansible_failed_task and ansible_failed_result (both
 * marked unsafe) become set_fact-level variables of the host, as Ansible's
 * strategy stores them; they stay after the rescue. */
void vars_set_failed(struct vars_run *run, const struct inv_host *h, const struct value *task,
                     const struct value *result);

/* include_vars: name = value for the host (Ansible's vars cache). */
void vars_set_host_var(struct vars_run *run, const struct inv_host *h, const char *name, const struct value *value);

/* The host's fact cache (borrowed map, empty when nothing was gathered),
 * for `ansible_facts` of setup's output and fact caching. */
const struct value *vars_host_facts(struct vars_run *run, const struct inv_host *h);

/* ---- per-play state ---- */

/*
 * vars_play_begin - start a play
 *
 * Makes play the run's current play: playbook_dir becomes the absolute
 * directory of the play's file, whose group_vars/ and host_vars/ join the
 * inventory (an error reading them is returned by every vars_ctx_init of
 * the play), the play's roles (roles:, then import_role
 * targets in the order of its task lists) give the play defaults and play
 * roles layers, host lists and per-task caches are reset. Borrowed until the
 * next vars_play_begin or vars_run_free.
 */
void vars_play_begin(struct vars_run *run, struct pb_play *play);

/* include_role with public: true (or an import resolved at run time): r
 * joins the play's roles (its defaults and vars become visible play-wide). */
void vars_play_add_role(struct vars_run *run, struct pb_role *r);

/* The play's hosts: all that the pattern and limit select
 * (ansible_play_hosts_all), and the current serial batch. Arrays are
 * copied; hosts are borrowed from the inventory. */
void vars_play_set_hosts(struct vars_run *run, struct inv_host *const *all, size_t n);
void vars_play_set_batch(struct vars_run *run, struct inv_host *const *batch, size_t n);

/* Host states the play's lists depend on. removed: failed without rescue or
 * unreachable (Ansible's play._removed_hosts; a rescue sets it back to 0).
 * failed / unreachable: the run's failed and unreachable hosts, for
 * ansible_current_hosts and ansible_failed_hosts. */
void vars_host_set_removed(struct vars_run *run, const struct inv_host *h, int on);
void vars_host_set_failed(struct vars_run *run, const struct inv_host *h, int on);
void vars_host_set_unreachable(struct vars_run *run, const struct inv_host *h, int on);

/* ---- evaluation contexts ---- */

enum {
	VARS_CTX_HOSTVARS = 1 << 0, /* private: a hostvars view (no play, no hostvars) */
	VARS_CTX_NO_FILES = 1 << 1, /* private: templating vars_files names */
};

/*
 * struct vars_ctx - one host's variables for one evaluation
 *
 * Lives on the caller's stack, filled by vars_ctx_init; the public fields
 * may be read. locals (a borrowed map, or NULL) holds names above every
 * layer, set by the caller between init and use (vars_loop_locals builds
 * the loop's). A context is cheap: it holds pointers to cached layers only,
 * which vars_play_begin frees: a context does not outlive its play.
 */
struct vars_ctx {
	struct vars_run *run;
	const struct inv_host *host;
	struct pb_play *play;             /* NULL: no play context */
	struct pb_task *task;             /* NULL: play level */
	struct pb_role *role;             /* the task's role, or the role given */
	const struct value *locals;       /* borrowed, or NULL */
	unsigned flags;
	/* Private. */
	void *hs;                         /* struct vars_host */
	void *tc;                         /* struct vars_scope_cache of task/role */
	struct {
		const char *name;
		size_t len;
	} stack[VARS_MAX_NEST];           /* names being templated */
	size_t depth;
	const char *search_dirs[3];       /* lookups' directories (vars_scope) */
};

/*
 * vars_ctx_init - prepare the variables of host for task in play
 *
 * play must be the run's current play (or NULL for the no-play view);
 * task may be NULL (play level: play vars, gathering facts, play keywords);
 * role may be given without a task (role_name, role defaults, vars and
 * params of that role with no dependency chain), else pass NULL. Loads what
 * the host needs in this play and not cached yet (its vars_files). Returns
 * 0, or the vars_files error described above with d filled (the context is
 * usable all the same, without the failed layer).
 */
int vars_ctx_init(struct vars_ctx *c, struct vars_run *run, const struct inv_host *h, struct pb_play *play,
                  struct pb_task *task, struct pb_role *role, struct diag *d);

/* Fills s with callbacks that read c's variables (lookup, proxy_get,
 * proxy_value for hostvars and vars), and the directories lookups search:
 * the role's, then the play's. c must outlive every use of s. */
void vars_scope(struct vars_ctx *c, struct tpl_scope *s);

/*
 * vars_get - one variable, templated
 *
 * *vp receives a new reference: the variable's value templated lazily as
 * described above (possibly an undefined value, tpl_is_undef, when its
 * template reads undefined variables). Returns 0, ERR_NOTFOUND (*vp NULL)
 * when no layer holds name, or a templating error with d filled.
 */
int vars_get(struct vars_ctx *c, const char *name, struct value **vp, struct diag *d);

/* The raw value of name, as written (borrowed or new: *vp is a new
 * reference), or ERR_NOTFOUND. Magic names give their value. */
int vars_get_raw(struct vars_ctx *c, const char *name, struct value **vp);

/* Templates v (a value tree, e.g. a task's args) with c's variables through
 * the run's templar. As templar_value. */
int vars_template(struct vars_ctx *c, const struct value *v, struct value **outp, struct diag *d);

enum {
	VARS_ALL_TEMPLATE = 1 << 0, /* template every value (undefined parts stay as written) */
};

/*
 * vars_all - every variable of c in one map
 *
 * A new map of every name c can see (layers merged in precedence order,
 * sharing values, and magic names), without `hostvars` and `vars`. With
 * VARS_ALL_TEMPLATE each value is templated as hostvars values are:
 * strings whose templates are undefined stay as written; other template
 * errors fail with d filled. Used for hostvars' whole-dict views and
 * `vars`.
 */
int vars_all(struct vars_ctx *c, unsigned flags, struct value **vp, struct diag *d);

/*
 * vars_loop_locals - the names TaskExecutor sets for one loop item
 *
 * Returns a new map: ansible_loop_var = loop_var, <loop_var> = item, and
 * with index_var (may be NULL) ansible_index_var and <index_var> = index;
 * with extended, ansible_loop = {index, index0, first, last, length,
 * revindex, revindex0, [allitems,] nextitem, previtem} over items (a list).
 * Values are shared.
 */
struct value *vars_loop_locals(const char *loop_var, const struct value *item, const char *index_var,
                               size_t index, const struct value *items, int extended, int extended_allitems);

#endif
