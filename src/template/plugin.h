/* Extending the template engine: filters, tests and global functions.
 *
 * A filter, a test and a global function (range, lookup, query...) are all
 * the same thing to the engine: a C function called with the evaluated
 * arguments of one call, described by a struct tpl_fn_def. Filters and
 * tests receive the value on the left of "|" or "is" as args[0]; global
 * functions receive only what is inside the parentheses.
 *
 * Adding a family of filters (filters_ansible.c, lookups.c, ...):
 *   1. In your file, define a NULL-terminated table:
 *          const struct tpl_fn_def tpl_filters_ansible[] = {
 *              {"combine", filters_ansible_combine, 0},
 *              {NULL, NULL, 0},
 *          };
 *   2. Add one line for it in src/template/registry.c (filters, tests or
 *      globals list). Tables listed later override earlier ones for the same
 *      name, as Ansible's filters override Jinja's. Names are resolved when
 *      a template is compiled; "ansible.builtin.x" and "ansible.legacy.x"
 *      resolve to "x".
 *
 * Writing one:
 *
 *   static int filters_ansible_ternary(struct tpl_call *c, struct value **outp)
 *   {
 *       static const char *const params[] = {"value", "true_val", "false_val", "none_val", NULL};
 *       struct value *a[4];
 *       int r, truth;
 *
 *       if ((r = tpl_bind(c, params, 2, a)) != 0)      // value and true_val required
 *           return r;
 *       if (a[3] != NULL && a[0]->type == VALUE_NULL) {
 *           *outp = value_ref(a[3]);
 *           return 0;
 *       }
 *       if ((r = tpl_truth(c, a[0], &truth)) != 0)
 *           return r;
 *       *outp = truth ? value_ref(a[1]) : a[2] != NULL ? value_ref(a[2]) : value_null();
 *       return 0;
 *   }
 *
 * Contract: arguments are borrowed; on success return 0 with a new reference
 * in *outp (tests return any value; its truth is used). On failure return
 * the code from a tpl_* helper that failed, or tpl_fail(c, ERR_INVAL, ...)
 * which records the message at the position of the call in the template.
 * Never print, never abort on user input; build strings in a buffer made
 * by tpl_buf (it carries the per-value size limit) and charge long work with
 * tpl_charge so that hostile templates end.
 *
 * Undefined arguments: unless the definition has TPL_FN_UNDEF_OK, the engine
 * fails with the undefined error before calling the function when the
 * value on the left or any positional or keyword argument is undefined (as
 * most Jinja filters fail on AnsibleUndefined). Functions with the flag
 * test with tpl_is_undef().
 *
 * Values inside lists and dicts may still be undefined or engine objects
 * (macros, namespaces...): use the tpl_* helpers below, which know them,
 * rather than looking at value->type directly when that matters. */
#ifndef DROVER_TEMPLATE_PLUGIN_H
#define DROVER_TEMPLATE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "data/value.h"
#include "template/template.h"

struct tpl_rt; /* a render in progress */

struct tpl_kwarg {
	const char *name; /* not NUL-terminated */
	size_t len;
	struct value *val; /* borrowed */
};

struct tpl_call {
	const char *name;          /* the filter, test or function name */
	struct value *const *args; /* positional arguments (borrowed) */
	size_t nargs;
	const struct tpl_kwarg *kw; /* keyword arguments, in call order */
	size_t nkw;
	struct tpl_rt *rt;         /* the render: pass c to the helpers */
	uint32_t off;              /* private: where the call is in the template */
};

typedef int (*tpl_fn)(struct tpl_call *c, struct value **outp);

struct tpl_fn_def {
	const char *name;
	tpl_fn fn;
	unsigned flags; /* TPL_FN_* */
};

enum {
	TPL_FN_UNDEF_OK = 1 << 0,     /* called with undefined arguments */
	TPL_FN_STRING_TYPE = 1 << 1,  /* Ansible's STRING_TYPE_FILTERS: the
	                               * result stays text in tpl_render_value */
};

/* Registry (src/template/registry.c). Each returns NULL for an unknown
 * name. */
const struct tpl_fn_def *tpl_registry_filter(const char *name, size_t len);
const struct tpl_fn_def *tpl_registry_test(const char *name, size_t len);
const struct tpl_fn_def *tpl_registry_global(const char *name, size_t len);

/* The core tables (filters_core.c, filters_seq.c, tests_core.c,
 * globals_core.c). */
extern const struct tpl_fn_def tpl_filters_core[];
extern const struct tpl_fn_def tpl_filters_seq[];
extern const struct tpl_fn_def tpl_tests_core[];
extern const struct tpl_fn_def tpl_globals_core[];

/*
 * tpl_bind - bind a call's arguments to named parameters
 *
 * params is a NULL-terminated list of parameter names, as in a Python def;
 * the first nreq are required. Fills slots[i] (one per name) with the
 * borrowed argument for params[i], or NULL when it was not given.
 * Positional arguments bind in order, keyword arguments by name. Fails,
 * recording Python's TypeError wording, on too many positional arguments,
 * an unknown or repeated keyword, or a missing required one.
 */
int tpl_bind(struct tpl_call *c, const char *const *params, size_t nreq, struct value **slots);

/* Records "fmt..." as the render's error at the call's position; returns
 * err (ERR_INVAL for TypeError/ValueError-like problems). */
int tpl_fail(struct tpl_call *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Records the error of using the undefined value u; returns ERR_NOTFOUND. */
int tpl_fail_undef(struct tpl_call *c, const struct value *u);

/* Accounts for n units of work (bytes or items processed); fails with
 * ERR_TOOBIG past the render's budget. */
int tpl_charge(struct tpl_call *c, uint64_t n);
/* Initialises b with the render's cap on one string value. */
void tpl_buf(struct tpl_call *c, struct buf *b);
/* Fails with ERR_TOOBIG (recorded) when a list or dict of n items would
 * exceed the limit; 0 otherwise. */
int tpl_check_items(struct tpl_call *c, size_t n);
/* The scope of the render (for lookups: ctx, flags). */
const struct tpl_scope *tpl_call_scope(struct tpl_call *c);

/* Python semantics, with errors recorded at the call (each returns 0 or an
 * error code): */
/* Appends str(v) (Ansible's to_text); undefined values fail. */
int tpl_str(struct tpl_call *c, const struct value *v, struct buf *out);
/* Appends repr(v). */
int tpl_repr(struct tpl_call *c, const struct value *v, struct buf *out);
/* bool(v); undefined fails. */
int tpl_truth(struct tpl_call *c, const struct value *v, int *truthp);
/* a == b. */
int tpl_eq(struct tpl_call *c, const struct value *a, const struct value *b, int *eqp);
/* Ordering of a and b as Python's < (-1, 0, 1); TypeError when unorderable. */
int tpl_cmp(struct tpl_call *c, const struct value *a, const struct value *b, int *cmpp);
/* int(v) for numbers, bools and numeric strings; ERR_INVAL otherwise. */
int tpl_to_int(struct tpl_call *c, const struct value *v, int64_t *ip);
/* float(v) likewise. */
int tpl_to_float(struct tpl_call *c, const struct value *v, double *fp);
/* list(v): a new list of v's items (a dict's keys, a string's characters). */
int tpl_iter(struct tpl_call *c, const struct value *v, struct value **listp);
/* Jinja's environment.getattr / getitem: new reference in *outp, which is
 * undefined when missing. */
int tpl_getattr(struct tpl_call *c, const struct value *obj, const char *name, size_t len,
                struct value **outp);
int tpl_getitem(struct tpl_call *c, const struct value *obj, const struct value *key, struct value **outp);
/* Jinja's make_attrgetter: a dotted path ("a.b.0") applied to obj. */
int tpl_attrpath(struct tpl_call *c, const struct value *obj, const char *path, size_t len,
                 struct value **outp);
/* Calls the filter or test named name on args (args[0] is the input). */
int tpl_filter(struct tpl_call *c, const char *name, struct value *const *args, size_t nargs,
               const struct tpl_kwarg *kw, size_t nkw, struct value **outp);
int tpl_test(struct tpl_call *c, const char *name, struct value *const *args, size_t nargs,
             const struct tpl_kwarg *kw, size_t nkw, int *resultp);
/* Calls a callable value (a macro, caller(), a global function). */
int tpl_call_value(struct tpl_call *c, const struct value *fn, struct value *const *args, size_t nargs,
                   const struct tpl_kwarg *kw, size_t nkw, struct value **outp);
/* Resolves a variable as the template would (its own variables, then the
 * scope); *outp is undefined when there is none. */
int tpl_lookup_var(struct tpl_call *c, const char *name, size_t len, struct value **outp);
/* Python's type name of v ("int", "str", "list", "dict", "NoneType",
 * "AnsibleUndefined", ...). */
const char *tpl_type_name(const struct value *v);
/* Returns non-zero for values the engine may hand out but Python would
 * not count as plain data (macros, namespaces, loop objects, methods). */
int tpl_is_object(const struct value *v);
/* Returns non-zero when v is callable (macros, functions, methods). */
int tpl_is_callable(const struct value *v);
/* Marks the result of the render as unsafe (Ansible's AnsibleUnsafe
 * results of lookups). */
void tpl_mark_unsafe(struct tpl_call *c);

#endif
