/* Playbook keywords: their names, which objects accept them, their types,
 * and how a task or block inherits them from its blocks, role, the roles
 * that pulled it in, and its play (Ansible's FieldAttribute rules).
 *
 * Inheritance (pb_obj_kw), as ansible-core 2.14 computes it:
 *   - a task looks at itself, then its parent (block, or static import task),
 *     which looks at its own parents in turn; a dynamic include task is
 *     skipped (its keywords reach the included tasks only through apply:);
 *   - a block looks at itself, its parent chain, then its role (the role
 *     definition's keywords), the roles of its dependency chain from the
 *     nearest up, then the play;
 *   - "override" keywords (become, remote_user, delegate_to, ...) take the
 *     nearest value written;
 *   - "extend" keywords collect every level: tags (own first), when,
 *     environment and module_defaults (outermost first, "prepend"); equal
 *     neighbours are merged and nulls dropped, as Ansible's _extend_value.
 * Keywords that are not inheritable (name, vars, register, loop, until,
 * retries, delay, changed_when, failed_when, async, poll, loop_control,
 * listen, and the play-only ones) are only ever the object's own.
 *
 * Variables are not keywords in this sense: pb_task_vars and the role
 * helpers give the maps Ansible's get_vars functions build, for the
 * variable layer to place in its precedence order.
 *
 * Values are returned unevaluated; the pb_kw_bool/int/percent helpers
 * convert a templated value with Ansible's rules and messages. */
#ifndef DROVER_PLAYBOOK_PB_KW_H
#define DROVER_PLAYBOOK_PB_KW_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "data/value.h"

enum pb_kw {
	/* Every object (Ansible's Base, Taggable, Conditional, CollectionSearch). */
	PB_KW_NAME,
	PB_KW_CONNECTION,
	PB_KW_PORT,
	PB_KW_REMOTE_USER,
	PB_KW_VARS,
	PB_KW_MODULE_DEFAULTS,
	PB_KW_ENVIRONMENT,
	PB_KW_NO_LOG,
	PB_KW_RUN_ONCE,
	PB_KW_IGNORE_ERRORS,
	PB_KW_IGNORE_UNREACHABLE,
	PB_KW_CHECK_MODE,
	PB_KW_DIFF,
	PB_KW_ANY_ERRORS_FATAL,
	PB_KW_THROTTLE,
	PB_KW_TIMEOUT,
	PB_KW_DEBUGGER,
	PB_KW_BECOME,
	PB_KW_BECOME_METHOD,
	PB_KW_BECOME_USER,
	PB_KW_BECOME_FLAGS,
	PB_KW_BECOME_EXE,
	PB_KW_TAGS,
	PB_KW_WHEN,
	PB_KW_COLLECTIONS,
	/* Blocks, tasks and role definitions. */
	PB_KW_DELEGATE_TO,
	PB_KW_DELEGATE_FACTS,
	PB_KW_NOTIFY,
	/* Tasks. */
	PB_KW_ASYNC,
	PB_KW_POLL,
	PB_KW_CHANGED_WHEN,
	PB_KW_FAILED_WHEN,
	PB_KW_UNTIL,
	PB_KW_RETRIES,
	PB_KW_DELAY,
	PB_KW_LOOP,
	PB_KW_LOOP_CONTROL,
	PB_KW_REGISTER,
	PB_KW_LISTEN,
	/* Plays. */
	PB_KW_HOSTS,
	PB_KW_GATHER_FACTS,
	PB_KW_GATHER_SUBSET,
	PB_KW_GATHER_TIMEOUT,
	PB_KW_FACT_PATH,
	PB_KW_VARS_FILES,
	PB_KW_FORCE_HANDLERS,
	PB_KW_MAX_FAIL_PERCENTAGE,
	PB_KW_SERIAL,
	PB_KW_STRATEGY,
	PB_KW_ORDER,
	PB_KW_COUNT,
};

/* Ansible's type of a keyword (its FieldAttribute isa). */
enum pb_kw_type {
	PB_KWT_ANY,
	PB_KWT_STR,
	PB_KWT_BOOL,
	PB_KWT_INT,
	PB_KWT_PERCENT,
	PB_KWT_LIST,
	PB_KWT_DICT,
	PB_KWT_CLASS, /* loop_control: a map of its own keys */
};

/* Objects that accept a keyword (pb_kw_accepts). */
enum {
	PB_ON_PLAY = 1 << 0,
	PB_ON_BLOCK = 1 << 1,
	PB_ON_TASK = 1 << 2,
	PB_ON_HANDLER = 1 << 3,
	PB_ON_ROLE = 1 << 4,       /* a role definition in roles: or meta dependencies */
	PB_ON_PBINCLUDE = 1 << 5,  /* an import_playbook entry */
	PB_ON_INCLUDE = 1 << 6,    /* include_tasks / include_role (a subset of tasks' keywords) */
};

/* How a keyword is inherited. */
enum pb_kw_inherit {
	PB_KWI_NONE,     /* the object's own value only */
	PB_KWI_OVERRIDE, /* the nearest value written */
	PB_KWI_EXTEND,   /* own values first, then the parents' (tags) */
	PB_KWI_PREPEND,  /* the parents' values first (when, environment, module_defaults) */
};

/* The keyword's name as written in playbooks ("become_user"). */
const char *pb_kw_name(enum pb_kw k);
enum pb_kw_type pb_kw_type(enum pb_kw k);
enum pb_kw_inherit pb_kw_inherit(enum pb_kw k);
/* PB_ON_* bits of the objects that accept k. */
unsigned pb_kw_accepts(enum pb_kw k);
/* The keyword called name (aliases such as async_val included), or -1. */
int pb_kw_lookup(const char *name);

struct pb_obj;

/*
 * pb_obj_kw - the effective value of a keyword for an object
 *
 * For a task or block, applies the inheritance rules above; for a play or a
 * role definition, returns its own value. Returns a new reference (for the
 * extend kinds, a new VALUE_LIST), or NULL when no level sets it or, for
 * the extend kinds, when the collected list is empty (the caller then uses
 * the default: the command line, ansible.cfg or Ansible's own).
 */
struct value *pb_obj_kw(const struct pb_obj *o, enum pb_kw k);

/*
 * Conversions of a templated keyword value, as Ansible's post_validate does.
 * field names the keyword in the message. Each returns 0, or ERR_PARSE with
 * d at v's position and Ansible's text: "the field 'become' has an invalid
 * value (maybe), and could not be converted to an bool.The error was: The
 * value 'maybe' is not a valid boolean. ..."
 *   pb_kw_bool:    Ansible's strict boolean (yes/no/on/off/true/false/y/n/
 *                  t/f/1/0 in any case, 1, 0, 1.0, 0.0, true, false)
 *   pb_kw_int:     Python int(): ints, floats (truncated), decimal strings
 *   pb_kw_percent: a number, or a string with a "%" anywhere (dropped), as float
 */
int pb_kw_bool(const struct value *v, const char *field, int *outp, struct diag *d);
int pb_kw_int(const struct value *v, const char *field, int64_t *outp, struct diag *d);
int pb_kw_percent(const struct value *v, const char *field, double *outp, struct diag *d);
/* v as a list, as Ansible's isa=list: null gives an empty list, a scalar a
 * list of one; a list is returned as is. New reference. */
struct value *pb_kw_list(const struct value *v);

/* Non-zero when text holds a template ("{{" or "{%"), as Templar.is_template. */
int pb_is_template(const char *text);

struct pb_task;
struct pb_role;

/*
 * pb_task_vars - the task's own and inherited vars (Ansible's Task.get_vars)
 *
 * The vars of the blocks and import/include tasks above t, outermost first,
 * then t's own, in one new map; "tags" and "when" are removed. Role vars and
 * the play's are not included (see the role helpers).
 */
struct value *pb_task_vars(const struct pb_task *t);

/* Ansible's get_include_params: the vars of the include_* tasks above t and
 * of t itself if it is one, plus the role params of an include_role's parent
 * role. New map. */
struct value *pb_task_include_params(const struct pb_task *t);

/* The roles above t's role (its block's dep_chain), outermost first;
 * borrowed. *np is 0 outside roles. */
struct pb_role *const *pb_task_dep_chain(const struct pb_task *t, size_t *np);

/*
 * Role variables, as Ansible's Role methods build them for the variable
 * layer. dep_chain is the chain of the task being run (pb_task_dep_chain).
 * Each returns a new map; deep selects hash_behaviour=merge.
 *   pb_role_default_vars: defaults of every dependency, then of the chain,
 *                         then the role's own
 *   pb_role_vars:         vars/ and vars: of the chain, then of every
 *                         dependency, then the role's own, then (with
 *                         params) the role params
 *   pb_role_params:       the params of the chain, then the role's
 */
struct value *pb_role_default_vars(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n,
                                   int deep);
struct value *pb_role_vars(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n,
                           int include_params, int deep);
struct value *pb_role_params(const struct pb_role *r, struct pb_role *const *dep_chain, size_t n,
                             int deep);

#endif
