/* Python's semantics for template values: str() and repr(), truth,
 * equality and ordering, arithmetic on int, float, str, list and tuple
 * (Python's floor division and modulo signs, true division, int ** int),
 * membership, and the "%" operator on strings.
 *
 * Integers are 64-bit: where Python would grow a big integer, these
 * functions fail with "integer overflow" instead.
 *
 * Failures return ERR_INVAL (TypeError, ValueError, ZeroDivisionError,
 * OverflowError) or ERR_TOOBIG (a result over the limits) with Python's
 * message in e->msg; nothing is recorded elsewhere. */
#ifndef DROVER_TEMPLATE_PYVAL_H
#define DROVER_TEMPLATE_PYVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "data/value.h"
#include "template/template.h"

struct tpl_rt;

struct pyerr {
	char msg[256];
};

/* Records a message in e; returns code. */
int pyerr_set(struct pyerr *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Python's type name: "int", "float", "bool", "str", "list", "tuple",
 * "dict", "NoneType", "AnsibleUndefined", "Macro", "Namespace"... */
const char *pyval_type(const struct value *v);

/* str(v) and repr(v), appended. rt (may be NULL) shows engine objects. */
int pyval_str(struct tpl_rt *rt, struct buf *out, const struct value *v);
int pyval_repr(struct tpl_rt *rt, struct buf *out, const struct value *v);
/* repr() of a str of n bytes. */
int pyval_repr_str(struct buf *out, const char *s, size_t n);

/* bool(v) for a defined value. */
int pyval_truth(const struct value *v);
/* a == b (ints and floats compare exactly; a list never equals a tuple). */
int pyval_eq(const struct value *a, const struct value *b);
/* Python's ordering: *cmpp is -1, 0 or 1; op ("<", ">=", ...) names the
 * operator in the TypeError message for unorderable values. */
int pyval_cmp(const struct value *a, const struct value *b, const char *op, int *cmpp, struct pyerr *e);
/* item in container. */
int pyval_contains(const struct value *container, const struct value *item, int *inp, struct pyerr *e);
/* Whether v can be a dict key or set member (str, numbers, None, tuples of them). */
int pyval_hashable(const struct value *v);

/* Binary arithmetic (OP_ADD .. OP_POW from ast.h); lim bounds string and
 * list results. */
int pyval_binop(int op, const struct value *a, const struct value *b, const struct tpl_limits *lim,
                struct value **vp, struct pyerr *e);
/* Unary minus and plus. */
int pyval_unary(int op, const struct value *a, struct value **vp, struct pyerr *e);

/* Numbers: the value of an int, bool or float as a double / int64. */
int pyval_is_number(const struct value *v);
double pyval_float(const struct value *v);
int64_t pyval_int(const struct value *v);

/* Python's int(s) of a string: base 0..36 as int(); returns 0 and *ip,
 * or ERR_INVAL when s is not an integer literal of that base. */
int pyval_parse_int(const char *s, size_t n, int base, int64_t *ip);
/* Python's float(s) of a string ("1e3", " 2.5 ", "inf", "nan"). */
int pyval_parse_float(const char *s, size_t n, double *fp);

/* Python's round(x, ndigits) for floats (round half to even on the exact
 * decimal value, as CPython). */
double pyval_round(double x, int ndigits);

/* "fmt % args" (printf-style: %s %r %a %d %i %u %o %x %X %e %E %f %F %g %G
 * %c %% with flags, width, precision, * and %(name)s with a dict). */
int pyval_percent(struct tpl_rt *rt, const struct value *fmt, const struct value *args,
                  const struct tpl_limits *lim, struct value **vp, struct pyerr *e);
/* str.format(*args, **kwargs): {}, {0}, {name}, {0.attr}, {0[key]},
 * conversions !s !r and format specs for str, int and float. */
int pyval_format(struct tpl_rt *rt, const char *fmt, size_t n, struct value *const *args, size_t nargs,
                 const struct value *kwargs, const struct tpl_limits *lim, struct value **vp,
                 struct pyerr *e);

#endif
