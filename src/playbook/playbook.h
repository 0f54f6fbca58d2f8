/* Playbooks as ansible-core 2.14 loads them: plays, roles, blocks and tasks,
 * with every keyword kept as written (unevaluated value trees carrying their
 * file:line:col), so that the executor templates them per host at run time.
 *
 * playbook_load reads a playbook file and everything it pulls in statically
 * (import_playbook, import_tasks, import_role, the roles: section with its
 * meta/ dependencies), validates keys and module names with Ansible's
 * messages, and returns one struct pb_playbook that owns every object,
 * string and value reference in it (an arena freed by playbook_free).
 * Dynamic includes (include_tasks, include_role) stay tasks of their own
 * type; the executor loads their files at run time with pb_include_tasks and
 * pb_include_role, which add to the same playbook.
 *
 * The object graph mirrors Ansible's, because keyword inheritance and the
 * executor's iteration depend on it:
 *
 *   playbook → plays (import_playbook flattened, in order)
 *   play     → pre_tasks, tasks, post_tasks, handlers: lists of blocks;
 *              roles: role instances, expanded into role_blocks
 *   block    → block, rescue, always: lists of entries, each a task or a
 *              nested block (struct pb_obj with kind PB_TASK / PB_BLOCK)
 *   task     → its parent: the block holding it, or the import_tasks /
 *              import_role task its file was imported by (a static task
 *              that is itself not in any list), or for files a dynamic
 *              include loaded at run time, the include task or its apply
 *              block
 *   block    → parent (enclosing block or import task), role, dep_chain
 *              (the roles that pulled the role in), play
 *
 * Bare tasks in a task list are grouped into implicit blocks, as Ansible
 * does. Role instances are shared: a role listed twice with the same
 * parameters (role params, when, tags, vars, *_from files) is one
 * struct pb_role whose blocks appear twice, and the executor runs it once
 * per host unless its meta says allow_duplicates (Ansible's ROLE_CACHE and
 * has_run rule). Each role expansion ends with an implicit
 * "meta: role_complete" block, and pb_play_compile adds Ansible's implicit
 * "meta: flush_handlers" blocks between sections; listings skip implicit
 * meta tasks.
 *
 * Errors: loaders fill a struct diag (file:line:col of the offending key or
 * value, Ansible's message) and return
 *   ERR_PARSE   what Ansible reports as a parser error (ansible-playbook
 *               exits 4): unknown keys, unknown modules, conflicting
 *               actions, malformed structures, YAML errors;
 *   ERR_NOTFOUND a file or role that cannot be found (Ansible exits 1);
 *   ERR_INVAL   the other errors Ansible raises as plain AnsibleError
 *               (exit 1): "tags must be specified as a list", "duplicate
 *               loop in task", ...;
 *   ERR_TOOBIG / ERR_DEPTH  a cap below was reached (treated as parse errors).
 * playbook_exit_code maps these to ansible-playbook's exit status. pb_diag_format
 * (pb_diag.h) writes a diagnostic the way ansible-playbook shows it. */
#ifndef DROVER_PLAYBOOK_PLAYBOOK_H
#define DROVER_PLAYBOOK_PLAYBOOK_H

#include <stddef.h>

#include "base/diag.h"
#include "data/value.h"
#include "playbook/pb_kw.h"

/* Caps on what one playbook may pull in. */
#define PB_MAX_DEPTH 64          /* nested import_playbook / import_tasks / role dependencies */
#define PB_MAX_FILES 20000       /* files read by one playbook_load */
#define PB_MAX_OBJECTS 2000000   /* tasks and blocks, role expansions included */
#define PB_MAX_ROLES_PATH 64     /* entries of roles_path used */

struct modinfo;
struct pb_playbook;
struct pb_play;
struct pb_role;
struct pb_block;
struct pb_task;
struct pb_play_priv;

enum pb_kind {
	PB_PLAY,
	PB_ROLE,
	PB_BLOCK,
	PB_TASK,
};

/*
 * The part every playbook object shares. kw[k] is the keyword as written on
 * this object (a borrowed reference owned by the playbook), NULL when it was
 * not written here; pb_obj_kw computes the inherited value. kw[PB_KW_VARS]
 * is the object's vars already combined into one map (a list of maps is
 * merged as Ansible's _load_vars does); kw[PB_KW_TAGS] is always a list
 * ("a, b" was split); kw[PB_KW_WHEN], kw[PB_KW_CHANGED_WHEN],
 * kw[PB_KW_FAILED_WHEN] and kw[PB_KW_UNTIL] are lists when set. Everything
 * else is the value tree as written: templates are strings with positions.
 */
struct pb_obj {
	enum pb_kind kind;
	struct value_pos pos;            /* the object's mapping in its file */
	struct value *kw[PB_KW_COUNT];   /* borrowed; NULL when not written */
};

/* An entry of a block's lists: obj->kind is PB_TASK or PB_BLOCK. */
struct pb_block {
	struct pb_obj obj;               /* kind PB_BLOCK */
	struct pb_obj *parent;           /* enclosing block, import/include task or apply block; NULL at the top */
	struct pb_play *play;
	struct pb_role *role;            /* role whose tasks these are, or NULL */
	struct pb_role **dep_chain;      /* Ansible's _dep_chain: the roles that pulled role in,
	                                  * outermost first, ending with role itself; NULL
	                                  * (0) outside roles and in blocks that take their
	                                  * parent's (pb_task_dep_chain finds it) */
	size_t ndep_chain;
	struct pb_obj **block, **rescue, **always; /* tasks and nested blocks */
	size_t nblock, nrescue, nalways;
	unsigned flags;                  /* PB_BLOCK_* */
};

enum {
	PB_BLOCK_IMPLICIT = 1 << 0, /* made for bare tasks, not written as "block:" */
	PB_BLOCK_HANDLERS = 1 << 1, /* holds handlers */
	PB_BLOCK_APPLY = 1 << 2,    /* an include's "apply:" keywords, parent of the included blocks */
};

enum pb_task_type {
	PB_TASK_ACTION,        /* a module or controller action (mod says which) */
	PB_TASK_META,          /* meta: args._raw_params names the operation */
	PB_TASK_INCLUDE_TASKS, /* dynamic: args._raw_params is the file (a template) */
	PB_TASK_IMPORT_TASKS,  /* static: only ever a parent of the blocks it imported */
	PB_TASK_INCLUDE_ROLE,  /* dynamic: args name/role, *_from, apply, public, allow_duplicates */
	PB_TASK_IMPORT_ROLE,   /* static: only ever a parent of the role's blocks */
};

struct pb_task {
	struct pb_obj obj;               /* kind PB_TASK */
	struct pb_obj *parent;           /* see the top of this file */
	struct pb_role *role;            /* role whose task this is, or NULL */
	enum pb_task_type type;
	const char *action;              /* as written: "ansible.builtin.file", "file" */
	const char *module;              /* without a builtin/legacy prefix: "file" */
	const struct modinfo *mod;       /* modreg_find(action) (playbook/modreg.h); NULL for the
	                                  * include/import types */
	struct value *args;              /* borrowed VALUE_MAP, unevaluated; free-form text is
	                                  * "_raw_params", a templated args string "_variable_params" */
	const char *loop_with;           /* lookup of with_<lookup> (loop is kw[PB_KW_LOOP]), or NULL */
	struct pb_role *import_role;     /* PB_TASK_IMPORT_ROLE: the role it imported */
	const char *import_path;         /* PB_TASK_IMPORT_TASKS: the file it imported */
	unsigned flags;                  /* PB_TASK_* */
	const char *display_name;        /* pb_task_name */
};

enum {
	PB_TASK_HANDLER = 1 << 0,  /* listed under handlers (listen is allowed) */
	PB_TASK_IMPLICIT = 1 << 1, /* added by drover as by Ansible (flush_handlers, role_complete, noop) */
	PB_TASK_STATIC = 1 << 2,   /* an import: its keywords reach the tasks it imported */
};

/*
 * A role instance: one per role name and parameters in a play (Ansible's
 * ROLE_CACHE key: role params, when, tags, vars, *_from files, and whether
 * an include loaded it). Its tasks may be expanded several times (listed
 * twice, or as a dependency of several roles); the executor runs them once
 * per host unless allow_duplicates: it marks the instance done for a host
 * when the implicit "meta: role_complete" ending an expansion runs, and
 * skips the tasks of an instance already done (Ansible's has_run).
 */
struct pb_role {
	struct pb_obj obj;               /* kind PB_ROLE: keywords of the role definition
	                                  * (when, tags, become, vars, ... in roles: or meta dependencies) */
	const char *name;                /* as listed in output: "r1" (a path gives its basename) */
	const char *path;                /* the role's directory, symbolic links resolved */
	struct value *params;            /* borrowed VALUE_MAP: the role params (keys that are not keywords) */
	struct value *default_vars;      /* borrowed VALUE_MAP: defaults/ (maybe empty) */
	struct value *role_vars;         /* borrowed VALUE_MAP: vars/ (maybe empty) */
	struct value *from_files;        /* borrowed VALUE_MAP: tasks/vars/defaults/handlers -> file base name */
	struct pb_role **deps;           /* meta/ dependencies, in order */
	size_t ndeps;
	struct pb_role **parents;        /* roles that list this one as a dependency */
	size_t nparents;
	struct pb_block **task_blocks;   /* tasks/ as loaded; executed through copies (role_blocks) */
	size_t ntask_blocks;
	struct pb_block **handler_blocks; /* handlers/ as loaded */
	size_t nhandler_blocks;
	int allow_duplicates;            /* meta: allow_duplicates (include_role sets its own) */
	int from_include;                /* loaded by include_role / import_role */
	struct pb_block **compiled_handlers; /* cache for pb_play's handler list */
	size_t ncompiled_handlers;
	int handlers_compiled;
};

struct pb_play {
	struct pb_obj obj;               /* kind PB_PLAY */
	struct pb_playbook *pb;
	const char *file;                /* the playbook file that holds the play */
	const char *basedir;             /* its directory: relative paths start here */
	struct pb_block **pre_tasks, **tasks, **post_tasks, **handlers;
	size_t npre_tasks, ntasks, npost_tasks, nhandlers;
	struct pb_role **roles;          /* the roles: section (an instance may repeat) */
	size_t nroles;
	struct pb_block **role_blocks;   /* roles: expanded as Ansible's _compile_roles */
	size_t nrole_blocks;
	struct value *vars_prompt;       /* borrowed list of maps, or NULL */
	struct value *included_when;     /* borrowed list: when of the import_playbook(s) that
	                                  * brought the play in (already prepended to the
	                                  * blocks' when), or NULL; gather_facts is skipped
	                                  * when it is false */
	int index;                       /* 0-based position in the playbook */
	const char *display_name;        /* pb_play_name */
	struct value *hosts_list;        /* pb_play_hosts (borrowed), or NULL */
	struct pb_play_priv *priv;       /* the loader's */
};

/* What the loader needs from its caller. All fields may be zero. */
struct pb_opts {
	/* Directories searched for roles after <playbook dir>/roles (Ansible's
	 * DEFAULT_ROLES_PATH, already expanded); NULL means none. */
	const char *const *roles_path;
	size_t nroles_path;
	/* Extra vars (-e): names the loader templates see, above play vars. */
	const struct value *extra_vars;
	/* Variables known before any host, below play vars, for the same
	 * templates: Ansible's magic variables such as groups (may be NULL). */
	const struct value *magic_vars;
	/*
	 * Ansible templates a few strings at load time: import_playbook and
	 * import_tasks file names, role names in roles: and import_role, and a
	 * play's name and hosts (for what the listings show; the keywords stay
	 * as written). When such a string holds "{{" or "{%", the loader calls
	 * template with the variables visible (play vars, vars_prompt
	 * defaults, playbook_dir, or an import's vars; then extra vars) and
	 * expects a new reference in *outp. Without a hook, the loader renders
	 * them with playbook/templar.h over those variables alone. Errors are
	 * returned as they come (with d filled).
	 */
	int (*template)(void *ctx, const struct value *vars, const struct value *text,
	                struct value **outp, struct diag *d);
	void *template_ctx;
	unsigned flags;              /* PB_OPT_* */
};

enum {
	/* The built-in templating refuses lookup() and query(): for input
	 * that must not read files or run commands (fuzzing, untrusted text). */
	PB_OPT_NO_LOOKUPS = 1 << 0,
};

/*
 * playbook_load - load a playbook file and everything it imports
 *
 * path is the playbook as given on the command line (relative to the current
 * directory, or absolute). o may be NULL. On success *pbp is a new playbook.
 * On failure returns one of the codes above with d filled and *pbp NULL.
 * Nothing is printed and nothing is executed.
 */
int playbook_load(const char *path, const struct pb_opts *o, struct pb_playbook **pbp, struct diag *d);

/* Frees the playbook and everything in it. Accepts NULL. */
void playbook_free(struct pb_playbook *pb);

/* The playbook path as given to playbook_load (borrowed). */
const char *playbook_path(const struct pb_playbook *pb);
/* The plays, import_playbook flattened, in order (borrowed). */
struct pb_play *const *playbook_plays(const struct pb_playbook *pb, size_t *np);

/* ansible-playbook's exit status for a return code of the loaders: 0 for 0,
 * 4 for ERR_PARSE, ERR_TOOBIG and ERR_DEPTH, 1 otherwise. */
int playbook_exit_code(int r);

/*
 * pb_play_name - the play's name as Ansible shows it
 *
 * The name keyword as written, else its hosts joined with ",". Returns a
 * string owned by the playbook.
 */
const char *pb_play_name(const struct pb_play *play);

/*
 * pb_play_hosts - the play's host patterns
 *
 * Returns a borrowed VALUE_LIST of strings (a hosts string is one pattern,
 * as in Ansible), or NULL when hosts is a template the loader could not
 * evaluate (then the caller templates kw[PB_KW_HOSTS]).
 */
const struct value *pb_play_hosts(const struct pb_play *play);

/*
 * pb_play_compile - the play's blocks in execution order
 *
 * As Ansible's Play.compile: pre_tasks, a flush_handlers block, role_blocks,
 * tasks, a flush_handlers block, post_tasks, a flush_handlers block. With
 * force_handlers, three blocks instead, holding pre_tasks, roles+tasks and
 * post_tasks (an implicit meta noop when empty) with the flush in always.
 * *blocksp is a new array of borrowed blocks (free the array only).
 */
void pb_play_compile(struct pb_play *play, int force_handlers, struct pb_block ***blocksp, size_t *np);

/*
 * pb_play_handlers - every handler block of the play
 *
 * The handlers of the roles in roles: (each instance once, dependencies
 * first), then the play's handlers:, then those of import_role tasks, as
 * Ansible orders them. *blocksp is a new array of borrowed blocks.
 */
void pb_play_handlers(struct pb_play *play, struct pb_block ***blocksp, size_t *np);

/* The task's name as Ansible prints it: "role : name", "name", or the
 * action when the task has no name ("role : action"). Owned by the playbook. */
const char *pb_task_name(const struct pb_task *t);

/* Downcasts; NULL when o is of another kind. */
struct pb_task *pb_obj_task(const struct pb_obj *o);
struct pb_block *pb_obj_block(const struct pb_obj *o);

/*
 * pb_include_path - resolve the file of a dynamic include_tasks
 *
 * target is the templated file name. Resolves it as Ansible's
 * IncludedFile does: relative to the directories of the import/include
 * tasks above inc, then to the role's tasks/ (handlers/ for a handler) or
 * the play's directory. Returns a new string the caller frees (the last
 * candidate when none exists, so the error names it).
 */
char *pb_include_path(const struct pb_task *inc, const char *target);

/*
 * pb_include_tasks - load the file of a dynamic include_tasks
 *
 * Loads path as a task list for inc (PB_TASK_INCLUDE_TASKS) the way the
 * executor must run it: the blocks' parent is a copy of inc whose vars are
 * inc's vars updated with vars (the loop variable and other specials; may
 * be NULL), or an apply block above that copy; their role is inc's role.
 * Keywords of inc itself other than vars do not reach the included tasks,
 * as in Ansible. The blocks are added to the playbook (they live until
 * playbook_free); *blocksp is a new array the caller frees. An empty file
 * gives no blocks. Returns 0 or an error as playbook_load (ERR_NOTFOUND with
 * "Could not find or access '<path>' on the Ansible Controller.").
 */
int pb_include_tasks(struct pb_playbook *pb, const struct pb_task *inc, const char *path,
                     const struct value *vars, struct pb_block ***blocksp, size_t *np, struct diag *d);

/*
 * pb_include_role - load the role of a dynamic include_role
 *
 * role_name is the templated name; from_files (may be NULL) maps tasks,
 * vars, defaults, handlers to the templated *_from file names. Finds and
 * loads the role as for roles: (shared with an identical earlier instance)
 * and returns its expansion for inc: the role's blocks with inc (or its
 * apply block) as parent, and its handler blocks, which the executor adds to
 * the play's handlers. *rolep (may be NULL) receives the role instance,
 * whose allow_duplicates is set from inc's allow_duplicates argument
 * (default true). Arrays are new; the blocks live in the playbook.
 */
int pb_include_role(struct pb_playbook *pb, const struct pb_task *inc, const char *role_name,
                    const struct value *from_files, struct pb_role **rolep,
                    struct pb_block ***blocksp, size_t *np,
                    struct pb_block ***handlersp, size_t *nhandlersp, struct diag *d);

#endif
