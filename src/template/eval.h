/* Internal to src/template: the state of one render and the evaluator's
 * entry points shared by rt.c (render state), eval.c (expressions), exec.c
 * (statements), objects.c (macros, loops, namespaces...), methods.c, call.c
 * (the plugin API) and the filters.
 *
 * Undefined values, engine objects and proxies are VALUE_STR nodes carrying
 * private flags, so that one leaking out of the engine degrades to text
 * rather than to something unsafe:
 *   TPL_F_UNDEF  the string is the error message of the undefined value;
 *   TPL_F_OBJ    an object of the render whose id is in pos.col, its index
 *                in the render's object table in pos.line, its kind in the
 *                flag bits at TPL_F_KIND_SHIFT; the string is its repr;
 *   TPL_F_PROXY  the string is the caller's tag (struct tpl_scope). */
#ifndef DROVER_TEMPLATE_EVAL_H
#define DROVER_TEMPLATE_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"
#include "template/ast.h"
#include "template/plugin.h"
#include "template/template.h"

#define TPL_F_UNDEF (1u << 12)
#define TPL_F_OBJ (1u << 13)
#define TPL_F_PROXY (1u << 14)
#define TPL_F_GROUP (1u << 15) /* a groupby result: (grouper, list) with those attributes */
#define TPL_F_SOFT (1u << 11)  /* with TPL_F_UNDEF: Jinja's lenient Undefined (prints as "") */
#define TPL_F_MARKUP (1u << 10) /* a string markupsafe considers escaped already */
/* On lists and dicts: the nesting depth, once computed (rt_depth), in
 * bits 20-30, with TPL_F_DEPTH set. Values are never deeper than
 * TPL_MAX_VALUE_DEPTH, so that code walking them (and freeing them) cannot
 * exhaust the stack, whatever a template builds in a loop. */
#define TPL_F_DEPTH (1u << 31)
#define TPL_DEPTH_SHIFT 20
#define TPL_MAX_VALUE_DEPTH 1000
#define TPL_F_KIND_SHIFT 16
#define TPL_F_SPECIAL (TPL_F_UNDEF | TPL_F_OBJ | TPL_F_PROXY)

enum obj_kind {
	OBJ_NONE,
	OBJ_MACRO,     /* a {% macro %} or a call block's caller */
	OBJ_LOOP,      /* the loop variable */
	OBJ_NAMESPACE, /* namespace() */
	OBJ_METHOD,    /* a bound method: self.name */
	OBJ_FUNC,      /* a global function (range, dict, lookup...) */
	OBJ_CYCLER,    /* cycler() */
	OBJ_JOINER,    /* joiner() */
};

struct frame;
struct loop;

struct obj {
	enum obj_kind kind;
	const struct node *node;      /* OBJ_MACRO: N_MACRO or N_CALLBLOCK */
	const struct tpl *t;          /* OBJ_MACRO: template of node */
	struct frame *closure;        /* OBJ_MACRO: defining frame; NULL once popped */
	struct loop *loop;            /* OBJ_LOOP; NULL once the loop ended */
	struct value *data;           /* owned: namespace attributes (map),
	                               * cycler items (list), joiner separator */
	struct value *self;           /* owned: OBJ_METHOD receiver */
	const char *name;             /* OBJ_METHOD, OBJ_MACRO */
	size_t len;
	const struct tpl_fn_def *fn;  /* OBJ_FUNC */
	size_t pos;                   /* cycler position; joiner called */
	int is_caller;
	int in_repr;                  /* namespace being printed (recursion guard) */
};

struct binding {
	const char *name;
	uint32_t len;
	struct value *v; /* owned */
};

struct frame {
	struct frame *parent;    /* lexical parent */
	struct binding *b;       /* heap, or inl */
	size_t n, cap;
	struct binding inl[4];
	size_t obj_mark;         /* objects created before this frame */
	int isolated;            /* root frame of a module imported without
	                          * context: the scope's variables are hidden */
};

/* An imported template: its top-level frame and the template, kept until
 * the render ends because the module's macros refer to both. */
struct module {
	struct frame f;
	struct tpl *t;           /* owned */
};

struct loop {
	struct value *items;     /* owned list */
	size_t index0;
	size_t depth0;
	struct value *last_changed; /* owned; NULL before the first changed() */
	const struct node *node; /* the N_FOR, for recursive calls */
	struct frame *outer;     /* frame the loop runs in (for recursion) */
};

struct tpl_rt {
	const struct tpl *t;       /* template whose nodes are running */
	const struct tpl_scope *s;
	struct tpl_limits lim;
	struct diag *d;
	struct buf *out;
	int capture;               /* output goes to a temporary buffer */
	struct frame *frame;       /* innermost frame */
	struct frame *top;         /* the template's top-level frame */
	uint64_t work, iters;
	unsigned depth;            /* nested macro calls, includes, recursive loops */
	unsigned edepth;           /* nested expression evaluation */
	struct obj **objs;         /* owned */
	size_t nobjs, cobjs;
	uint32_t id;               /* unique per render (objects carry it) */
	int unsafe;                /* an unsafe value was read */
	unsigned yields;           /* top-level output chunks (Ansible's concat) */
	int native_text;           /* the last chunk came from a string filter */
	struct value *last;        /* owned: the value of the last chunk when it was an expression */
	struct module **mods;      /* owned: imported templates */
	size_t nmods, cmods;
	int err;                   /* first error */
};

/* Errors: record the first error at byte offset off of rt->t. Return err. */
int rt_fail(struct tpl_rt *rt, uint32_t off, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The error for using undefined value u at off ("'x' is undefined"). */
int rt_fail_undef(struct tpl_rt *rt, uint32_t off, const struct value *u);
/* Work accounting; fails with ERR_TOOBIG past the limit. */
int rt_charge(struct tpl_rt *rt, uint32_t off, uint64_t n);
/* Fails with ERR_TOOBIG when a string of n bytes exceeds the limit. */
int rt_check_str(struct tpl_rt *rt, uint32_t off, size_t n);
int rt_check_items(struct tpl_rt *rt, uint32_t off, size_t n);

void rt_init(struct tpl_rt *rt, const struct tpl *t, const struct tpl_scope *s, struct diag *d);
void rt_fini(struct tpl_rt *rt);

/* Frames. */
void rt_frame_push(struct tpl_rt *rt, struct frame *f, struct frame *parent);
void rt_frame_pop(struct tpl_rt *rt, struct frame *f);
/* Binds name in f, taking ownership of v. */
void rt_frame_set(struct frame *f, const char *name, uint32_t len, struct value *v);
/* Finds name in f and its parents; returns the binding or NULL. */
struct binding *rt_frame_find(struct frame *f, const char *name, uint32_t len);

/* Undefined values. */
struct value *rt_undef_name(const char *name, size_t len);
struct value *rt_undef_attr(const struct value *obj, const char *name, size_t len);
struct value *rt_undef_item(const struct value *obj, const struct value *key);
struct value *rt_undef_hint(const char *hint);
static inline int is_undef(const struct value *v)
{
	return v != NULL && (v->flags & TPL_F_UNDEF);
}
/* Jinja's plain Undefined (an inline if without else): empty when printed,
 * false, an empty iterable; Ansible's strict undefined fails instead. */
static inline int is_soft_undef(const struct value *v)
{
	return v != NULL && (v->flags & TPL_F_UNDEF) && (v->flags & TPL_F_SOFT);
}
static inline int is_obj(const struct value *v)
{
	return v != NULL && (v->flags & TPL_F_OBJ);
}
static inline int is_special(const struct value *v)
{
	return v != NULL && (v->flags & TPL_F_SPECIAL);
}
/* A plain string (not undefined, object or proxy). */
static inline int is_str(const struct value *v)
{
	return v != NULL && v->type == VALUE_STR && !(v->flags & TPL_F_SPECIAL);
}
static inline int is_tuple(const struct value *v)
{
	return v->type == VALUE_LIST && (v->flags & VALUE_F_TUPLE);
}

/* Objects (objects.c). */
struct value *obj_new(struct tpl_rt *rt, struct obj *o, const char *repr);
/* The object behind v, or NULL (wrong render, released, not an object). */
struct obj *obj_get(struct tpl_rt *rt, const struct value *v);
enum obj_kind obj_kind_of(const struct value *v);
/* Appends repr() of object v (namespaces show their attributes). */
int obj_repr(struct tpl_rt *rt, const struct value *v, struct buf *out);
/* Attribute of an object: *vp new reference (undefined when missing). */
int obj_getattr(struct tpl_rt *rt, uint32_t off, const struct value *v, const char *name, size_t len,
                struct value **vp);
/* Calls an object (macro, function, method, loop for recursion, joiner). */
int obj_call(struct tpl_rt *rt, uint32_t off, const struct value *fn, struct value *const *args, size_t nargs,
             const struct tpl_kwarg *kw, size_t nkw, struct value *caller, struct value **vp);
/* A method call on an object (loop.cycle, namespace has none...). Returns
 * ERR_NOTFOUND (nothing recorded) when the object has no such method. */
int obj_method(struct tpl_rt *rt, uint32_t off, const struct value *self, const char *name, size_t len,
               struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
               struct value **vp);
struct value *obj_func_new(struct tpl_rt *rt, const struct tpl_fn_def *fn);
struct value *obj_method_new(struct tpl_rt *rt, const struct value *self, const char *name, size_t len);
struct value *obj_loop_new(struct tpl_rt *rt, struct loop *l);
void obj_loop_end(struct tpl_rt *rt, struct value *v);

/* Expressions (eval.c). eval_expr returns a new reference in *vp with
 * proxies resolved; eval_raw may leave a proxy. */
int eval_expr(struct tpl_rt *rt, const struct node *n, struct value **vp);
int eval_raw(struct tpl_rt *rt, const struct node *n, struct value **vp);
/* Truth of an expression (undefined fails). */
int eval_truth(struct tpl_rt *rt, const struct node *n, int *bp);
/* Evaluates a filter chain node whose innermost input is NULL with in. */
int eval_filter_chain(struct tpl_rt *rt, const struct node *n, struct value *in, struct value **vp);
/* Looks name up: frames, scope, globals. *vp new reference or undefined. */
int eval_lookup(struct tpl_rt *rt, uint32_t off, const char *name, size_t len, struct value **vp);
/* Resolves a proxy to its value (new reference); other values are
 * returned with a new reference. */
int eval_resolve(struct tpl_rt *rt, uint32_t off, struct value *v, struct value **vp);
/* Jinja's getattr/getitem on values. */
int eval_getattr(struct tpl_rt *rt, uint32_t off, struct value *obj, const char *name, size_t len,
                 struct value **vp);
int eval_getitem(struct tpl_rt *rt, uint32_t off, struct value *obj, struct value *key, struct value **vp);
/* Evaluates a call node with caller passed to the macro it calls (call
 * blocks). */
int eval_call_caller(struct tpl_rt *rt, const struct node *call, struct value *caller, struct value **vp);
/* Calls a filter or test definition. */
int eval_call_fn(struct tpl_rt *rt, uint32_t off, const struct tpl_fn_def *fn, const char *name,
                 struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
                 struct value **vp);
/* The nesting depth of v (0 for scalars), recorded in the flags of the
 * containers it walks; -1 past TPL_MAX_VALUE_DEPTH. */
int rt_depth(const struct value *v);
/* Checks that the container the engine just built or changed is not too
 * deep (recomputing its depth); records an error at off otherwise. */
int rt_check_depth(struct tpl_rt *rt, uint32_t off, struct value *v);
/* After item was added to container c in place: keeps c's depth right. */
void rt_depth_added(struct value *c, const struct value *item);
/* Python iteration: a new list of v's items. */
int eval_iter(struct tpl_rt *rt, uint32_t off, const struct value *v, struct value **listp);
/* Python's bool(v); undefined values fail. */
int eval_bool(struct tpl_rt *rt, uint32_t off, const struct value *v, int *bp);
/* Appends str(v) for output or ~: undefined fails. */
int eval_str(struct tpl_rt *rt, uint32_t off, const struct value *v, struct buf *out);

/* Statements (exec.c). */
int exec_body(struct tpl_rt *rt, const struct node *body);
/* Renders a template's root in rt (a new top frame when own_top). */
int exec_template(struct tpl_rt *rt, const struct tpl *t);
/* Calls a macro object with bound arguments. */
int exec_macro(struct tpl_rt *rt, uint32_t off, struct obj *o, struct value *const *args, size_t nargs,
               const struct tpl_kwarg *kw, size_t nkw, struct value *caller, struct value **vp);
/* Renders a recursive loop's body over items (loop(items)). */
int exec_loop_recurse(struct tpl_rt *rt, uint32_t off, struct loop *l, struct value *items, struct value **vp);

/* Python methods of plain values (methods.c). Returns ERR_NOTFOUND
 * without recording anything when the type has no such method. */
int methods_call(struct tpl_rt *rt, uint32_t off, struct value *self, const char *name, size_t len,
                 struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
                 struct value **vp);
/* Whether the type of v has a method called name (v NULL: a dict, for
 * proxies whose value is not resolved yet). */
int methods_has(const struct value *v, const char *name, size_t len);
/* Methods that change their receiver (list.append, dict.update...). */
int methods_mutates(const char *name, size_t len);

/* The plugin-call glue (call.c): runs fn with a struct tpl_call. */
int call_fn(struct tpl_rt *rt, uint32_t off, const struct tpl_fn_def *fn, const char *name,
            struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
            struct value **vp);

#endif
