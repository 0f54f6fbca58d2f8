/* The modules compiled into drover-worker: a const table of descriptors
 * (name, run function, flags), the context a request gives a module, and
 * the argument checking every module shares, which reproduces Ansible's
 * AnsibleModule: defaults, type conversion, "Unsupported parameters"
 * failures, and the "invocation" key of the result. */
#ifndef DROVER_MODULES_MODULE_H
#define DROVER_MODULES_MODULE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ev.h"
#include "data/value.h"

/* Bytes of stdout and of stderr a module keeps by default, and at most. */
#define MODULE_OUTPUT_CAP ((size_t)16 << 20)
#define MODULE_OUTPUT_CAP_MAX ((size_t)24 << 20)

struct module_ctx {
	struct ev_loop *loop;      /* the worker's loop, for running processes */
	const char *name;          /* the module's table name */
	const struct value *args;  /* borrowed; a map */
	int check;                 /* check mode */
	int diff;                  /* diff mode */
	int64_t timeout_s;         /* the request's timeout; 0: none */
	uint64_t deadline_ms;      /* monotonic (ev_clock_ms); 0: none */
	char *const *envp;         /* environment for the module's processes */
	size_t output_cap;         /* bytes kept per captured stream */
};

enum {
	MODULE_CHECK_MODE = 1 << 0, /* supports check mode */
	MODULE_CHECK_SELF = 1 << 1, /* does not, but checks its arguments first and
	                               then skips with module_check_skip, as
	                               AnsibleModule does */
};

/* A module returns its result map (a new reference); it never returns NULL. */
typedef struct value *(*module_run_fn)(const struct module_ctx *ctx);

struct module {
	const char *name;
	module_run_fn run;
	unsigned flags;
};

/* Finds a module by name; "ansible.builtin." and "ansible.legacy." prefixes
 * are ignored. Returns NULL when there is none. */
const struct module *module_find(const char *name);
/* The i-th module of the table, or NULL past the end (for the hello). */
const struct module *module_at(size_t i);

/* Runs m, or returns Ansible's skip result when check mode is asked of a
 * module that does not support it. Messages name the module as the
 * request's "_ansible_module_name" argument does (the name the task used,
 * which Ansible's action layer passes to modules), else as
 * "ansible.legacy.<name>". */
struct value *module_run(const struct module *m, const struct module_ctx *ctx);

/* Argument specifications, as AnsibleModule's argument_spec. */
enum module_arg_type {
	MODULE_ARG_STR,   /* other types converted to their Python str() */
	MODULE_ARG_BOOL,  /* Ansible's boolean(): yes/no/true/false/1/0/on/off... */
	MODULE_ARG_PATH,  /* a str, then expandvars + expanduser */
	MODULE_ARG_LIST,  /* a list of str; a str is split at commas */
	MODULE_ARG_INT,   /* an int; a str is read as Python's int() does */
	MODULE_ARG_RAW,   /* kept as given (a file mode: an int or a str) */
};

struct module_arg {
	const char *name;
	enum module_arg_type type;
	const char *def;  /* default: "true"/"false" for bools, text for str; NULL: null */
};

/* Checks ctx->args against spec[0..n) for the module named fqname in
 * messages ("ansible.legacy.command"). Returns 0 with *paramsp a new map
 * holding every spec key (given and converted, or the default) in
 * AnsibleModule's order: given keys first, then defaults. On a bad argument
 * returns ERR_INVAL with *paramsp NULL and *failp a complete failure result
 * (failed, msg, invocation) to reply with. */
int module_params(const struct module_ctx *ctx, const char *fqname, const struct module_arg *spec, size_t n,
                  struct value **paramsp, struct value **failp);

/* The full argument_spec entry: module_arg plus aliases, choices and flags. */
enum {
	MODULE_ARG_REQUIRED = 1 << 0, /* "missing required arguments" when absent */
	MODULE_ARG_NO_LOG = 1 << 1,   /* shown in the invocation as Ansible hides it */
};

struct module_argspec {
	const char *name;
	enum module_arg_type type;
	const char *def;     /* as module_arg; a list default is split at commas, "" is [] */
	const char *aliases; /* other names, comma-separated; NULL: none */
	const char *choices; /* the accepted values, comma-separated; NULL: any */
	unsigned flags;      /* MODULE_ARG_* above */
};

/* module_params with everything AnsibleModule checks, in its order (the
 * first failure wins): an alias sets its option (and warns into warnings,
 * a list that may be NULL, when both are given), mutually exclusive groups
 * (exclusive: NULL or a NULL-terminated list of "a|b" names), required
 * options, types, choices, then unknown options. */
int module_params_spec(const struct module_ctx *ctx, const char *fqname, const struct module_argspec *spec,
                       size_t n, const char *const *exclusive, struct value *warnings, struct value **paramsp,
                       struct value **failp);

/* Returns params as an invocation shows them, with MODULE_ARG_NO_LOG
 * options hidden (a new reference). */
struct value *module_invocation_args(const struct module_argspec *spec, size_t n, const struct value *params);

/* A module whose work is one function of its checked params. */
struct module_main {
	const char *fqname;                   /* "ansible.legacy.apt", for messages */
	const struct module_argspec *spec;
	size_t n;
	const char *const *exclusive;         /* as module_params_spec; NULL: none */
	int check_skip;                       /* skip in check mode once the arguments pass */
	/* Adds the invocation (and warnings) to the result: module_finish, or
	 * fileutil_finish for modules whose results name a path. */
	void (*finish)(struct value *res, const struct value *shown, const struct value *warnings);
	/* The work: returns the result (new reference, never NULL); may add
	 * to warnings. */
	struct value *(*fn)(const struct module_ctx *ctx, struct value *params, struct value *warnings);
};

/* Runs a module_main: arguments checked with module_params_spec (their
 * failure returned as is), the check-mode skip, fn, then finish with the
 * invocation as module_invocation_args shows it. */
struct value *module_main(const struct module_ctx *ctx, const struct module_main *mm);

/* Ansible's result for a module that does not support check mode, asked
 * to run in it: skipped, with the message naming the module. */
struct value *module_check_skip(const struct module_ctx *ctx);

/* Sets "failed": true and "msg" on result. Returns result. */
struct value *module_fail(struct value *result, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Adds "invocation": {"module_args": params} and, when warnings is not
 * empty, "warnings" to result, as AnsibleModule's exit_json does. */
void module_finish(struct value *result, const struct value *params, const struct value *warnings);

/* Ansible's failure for a module that raised an exception: "MODULE FAILURE"
 * with the exception text in module_stderr. */
struct value *module_crash(const char *exception);

/* A module registers itself with one line at file scope, just before its run
 * function:
 *     MODULE_DEFINE(name, name_run, flags)
 * scripts/modtab.sh collects these lines from the files of src/modules into the
 * worker's table (build/gen/modtab.inc, sorted by name), so adding a module
 * means adding its file and nothing else. Here the line declares the run
 * function. */
#define MODULE_DEFINE(name, fn, flags) struct value *fn(const struct module_ctx *ctx);

/* Modules other modules call: copy applies file's attributes as Ansible's
 * copy calls file. */
struct value *file_run(const struct module_ctx *ctx);

#endif
