/* Internals shared by the playbook loader's files: the arena, the loading
 * context, and the functions each file offers the others. Not for use
 * outside src/playbook/. */
#ifndef DROVER_PLAYBOOK_PB_PRIV_H
#define DROVER_PLAYBOOK_PB_PRIV_H

#include <stddef.h>

#include "base/diag.h"
#include "data/value.h"
#include "playbook/playbook.h"

struct pb_chunk;
struct templar;

/* One role instance remembered per play, as Ansible's ROLE_CACHE. */
struct pb_role_cached {
	const char *name;   /* the role name as written (before path resolution) */
	struct value *key;  /* params, when, tags, vars, from_files, from_include */
	struct pb_role *role;
};

struct pb_play_priv {
	struct pb_role_cached *cache;
	size_t ncache, capcache;
	struct pb_role **loading;   /* roles being loaded: a dependency loop check */
	size_t nloading, caploading;
};

struct pb_playbook {
	char *path;                 /* as given */
	struct pb_play **plays;
	size_t nplays, capplays;
	struct pb_play **made;      /* every play created, loaded or not (arena array): their priv is freed */
	size_t nmade;
	struct pb_chunk *chunks;    /* the arena */
	struct value **keep;        /* references dropped at playbook_free */
	size_t nkeep, capkeep;
	size_t nobjects;            /* tasks and blocks made (PB_MAX_OBJECTS) */
	size_t nfiles;              /* files read (PB_MAX_FILES) */
	char **roles_path;          /* owned copies */
	size_t nroles_path;
	struct value *extra_vars;   /* owned reference, or NULL */
	struct value *magic_vars;   /* owned reference, or NULL */
	int (*template)(void *ctx, const struct value *vars, const struct value *text,
	                struct value **outp, struct diag *d);
	void *template_ctx;
	struct templar *templar;    /* owned: the built-in hook's, made on first use */
	unsigned flags;             /* PB_OPT_* */
};

/* The state of one load: where relative paths start and what is visible. */
struct pb_ctx {
	struct pb_playbook *pb;
	struct diag *d;
	struct pb_play *play;       /* the play being loaded, or NULL */
	const char *basedir;        /* the loader's base directory */
	int depth;                  /* nested imports and role dependencies */
	const struct value *vars;   /* vars for load-time templates when no play is
	                             * being loaded (an import_playbook's) */
};

/* The arena (pb_model.c). Allocation aborts on exhaustion, as xmalloc. */
void *pb_alloc(struct pb_playbook *pb, size_t n);
char *pb_strdup(struct pb_playbook *pb, const char *s);
char *pb_strndup(struct pb_playbook *pb, const char *s, size_t n);
char *pb_printf(struct pb_playbook *pb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Takes ownership of the reference v (NULL allowed); it lives until
 * playbook_free. Returns v. */
struct value *pb_keep(struct pb_playbook *pb, struct value *v);
/* Appends p to an arena array *arrp of *np pointers (grown in the arena). */
void pb_push(struct pb_playbook *pb, void ***arrp, size_t *np, void *p);
/* Counts one more task or block; ERR_TOOBIG with d set past PB_MAX_OBJECTS. */
int pb_count_object(struct pb_ctx *c, const struct value *at);
struct pb_task *pb_task_new(struct pb_playbook *pb, const struct value *at);
struct pb_block *pb_block_new(struct pb_playbook *pb, const struct value *at);
/* A deep copy of b (nested blocks and tasks copied, their parents pointing
 * into the copy), with parent set as given; values are shared. */
struct pb_block *pb_block_copy(struct pb_playbook *pb, const struct pb_block *b, struct pb_obj *parent);
struct pb_task *pb_task_copy(struct pb_playbook *pb, const struct pb_task *t, struct pb_obj *parent);
/* Sets role, dep_chain and play on b and every block nested in it and the
 * role of every task in it. */
void pb_block_set_context(struct pb_block *b, struct pb_play *play, struct pb_role *role,
                          struct pb_role **chain, size_t nchain);

/* Sets play->display_name and play->hosts_list from its keywords. */
void pb_model_names(struct pb_play *play);
/* Sets t->display_name from its name, action and role. */
void pb_model_task_name(struct pb_playbook *pb, struct pb_task *t);

/* Diagnostics at a value's position (pb_diag.c). The playbook's error codes
 * are returned so callers can "return pb_err(...)". */
int pb_err(struct pb_ctx *c, int code, const struct value *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int pb_err_pos(struct diag *d, int code, const struct value_pos *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Python's type(v) as Ansible's messages print it for loaded YAML:
 * "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>", "<class 'int'>". */
const char *pb_pytype(const struct value *v);
/* Python's repr-like text of v for messages (capped), appended to a new
 * string in the arena. */
const char *pb_pyrepr(struct pb_playbook *pb, const struct value *v);
/* Python's str() of a scalar (or repr of a collection), in the arena. */
const char *pb_pystr(struct pb_playbook *pb, const struct value *v);

/* Keyword loading (pb_kw.c). class is Ansible's class name for messages
 * ("Play", "Task", "Block", ...); the value may be NULL for "not written". */
int pb_kw_load_vars(struct pb_ctx *c, const char *class, const struct value *v, struct value **outp);
int pb_kw_load_tags(struct pb_ctx *c, const struct value *v, struct value **outp);
/* module_defaults: a map or a list of maps whose keys are modules drover
 * knows (action groups, "group/<name>", are refused). */
int pb_kw_load_module_defaults(struct pb_ctx *c, const struct value *v);
/* Stores every keyword of ds that obj accepts (on: PB_ON_* bit) into
 * obj->kw, loading vars and tags and making when-like keywords lists;
 * skip(name) != 0 leaves a key alone. Unknown keys are errors with class in
 * the message. Then checks that string keywords are not lists or maps. */
int pb_kw_load_all(struct pb_ctx *c, struct pb_obj *obj, const struct value *ds, unsigned on,
                   const char *class, int (*skip)(const char *name));
/* The string-type check alone, on obj->kw. */
int pb_kw_validate(struct pb_ctx *c, struct pb_obj *obj);
/* Python's str.isidentifier() and not a keyword, as Ansible's isidentifier. */
int pb_kw_is_identifier(const char *s);

/* Files (pb_file.c). Paths returned are arena strings. */
char *pb_path_join(struct pb_playbook *pb, const char *a, const char *b);
char *pb_path_dirname(struct pb_playbook *pb, const char *p);
const char *pb_path_basename(const char *p);
/* os.path.normpath of p made absolute from the current directory, "~"
 * expanded (Ansible's unfrackpath without following links). */
char *pb_path_unfrack(struct pb_playbook *pb, const char *p);
/* The same with symbolic links resolved (unfrackpath(follow=True)). */
char *pb_path_real(struct pb_playbook *pb, const char *p);
int pb_path_exists(const char *p);
int pb_path_is_dir(const char *p);
int pb_path_is_file(const char *p);
/* Ansible's path_dwim: p itself when absolute or "~...", else basedir/p. */
char *pb_path_dwim(struct pb_playbook *pb, const char *basedir, const char *p);
/* Ansible's path_dwim_relative: the first existing candidate for source
 * under path/dirname, path, basedir..., else the last candidate. */
char *pb_path_dwim_relative(struct pb_playbook *pb, const char *basedir, const char *path,
                            const char *dirname, const char *source, int is_role);
/* Loads a YAML/JSON file of a playbook. A file that cannot be read is
 * ERR_NOTFOUND "Unable to retrieve file contents ...", with d at at. */
int pb_file_load(struct pb_ctx *c, const char *path, const struct value *at, struct value **docp);
/* Ansible's find_vars_files: files for name under dir with the extensions
 * given (NULL-terminated), a directory's files (sorted, recursive) when
 * allow_dir. */
void pb_file_find_vars(struct pb_playbook *pb, const char *dir, const char *name,
                       const char *const *exts, int allow_dir, char ***filesp, size_t *np);

/* Blocks and tasks (pb_block.c, pb_task.c). */
int pb_block_load_list(struct pb_ctx *c, const struct value *ds, struct pb_obj *parent, struct pb_role *role,
                       int handlers, const char *what, struct pb_block ***outp, size_t *np);
int pb_task_load(struct pb_ctx *c, const struct value *ds, struct pb_obj *parent, struct pb_role *role,
                 int handlers, struct pb_task **tp);
/* An implicit meta task (flush_handlers, role_complete, noop). */
struct pb_task *pb_task_meta(struct pb_playbook *pb, const char *op, struct pb_obj *parent,
                             struct pb_role *role);

/* Roles (pb_role.c). */
int pb_role_load_list(struct pb_ctx *c, const struct value *ds, struct pb_role *owner,
                      struct pb_role ***outp, size_t *np);
/* Finds and loads role name for an include_role / import_role task. */
int pb_role_load_for_include(struct pb_ctx *c, const struct pb_task *inc, const struct value *name,
                             const struct value *from_files, struct pb_role **rolep);
/* Ansible's Role.compile: the role's blocks for one place it runs,
 * dependencies first, then an implicit role_complete block. */
void pb_role_compile(struct pb_playbook *pb, struct pb_play *play, struct pb_role *r, struct pb_role **chain,
                     size_t nchain, struct pb_block ***outp, size_t *np);
/* Ansible's Role.get_handler_blocks (cached per role). */
void pb_role_handler_blocks(struct pb_playbook *pb, struct pb_play *play, struct pb_role *r,
                            struct pb_role **chain, size_t nchain, struct pb_block ***outp, size_t *np);
/* Expands an include_role / import_role task into blocks (parent: the task,
 * or its apply block) and handler blocks. */
int pb_role_expand_include(struct pb_ctx *c, const struct pb_task *inc, struct pb_role *r,
                           struct pb_block ***blocksp, size_t *np, struct pb_block ***handlersp, size_t *nh);
/* An apply: block for an include task, or NULL when it has none. */
int pb_block_apply(struct pb_ctx *c, const struct pb_task *inc, struct pb_block **bp);

/* Plays (pb_play.c). vars are the import_playbook vars (may be NULL). */
int pb_play_load(struct pb_ctx *c, const struct value *ds, const struct value *vars, struct pb_play **playp);
int pb_play_post_validate(struct pb_ctx *c, struct pb_play *play);

/* Templating a load-time string (pb_load.c): returns a new reference to the
 * rendered value, or to v itself when it holds no template. */
int pb_template(struct pb_ctx *c, const struct value *v, struct value **outp);

#endif
