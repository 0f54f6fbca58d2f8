/* Jinja2's built-in tests (x is defined, x is number, x is divisibleby 3,
 * x is eq y...). Type tests accept undefined values and say false, as
 * isinstance() would; tests that compute with their operand fail on one,
 * as AnsibleUndefined does. */
#include <math.h>
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static int t_ret(struct value **vp, int b)
{
	*vp = value_bool(b);
	return 0;
}

static int t_plain(const struct value *v, enum value_type type)
{
	return v->type == type && !is_special(v);
}

static int t_defined(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, !is_undef(a[0]));
}

static int t_undefined(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, is_undef(a[0]));
}

static int t_none(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_NULL));
}

static int t_boolean(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_BOOL));
}

static int t_true(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_BOOL) && a[0]->u.b);
}

static int t_false(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_BOOL) && !a[0]->u.b);
}

static int t_integer(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_INT));
}

static int t_float(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_FLOAT));
}

static int t_number(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, pyval_is_number(a[0]));
}

static int t_string(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, is_str(a[0]));
}

static int t_mapping(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, t_plain(a[0], VALUE_MAP) || (a[0]->flags & TPL_F_PROXY));
}

static int t_sequence(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	const struct value *v;

	BIND(c, a, 1, "value");
	v = a[0];
	return t_ret(vp, !is_special(v) && (v->type == VALUE_STR || v->type == VALUE_LIST || v->type == VALUE_MAP));
}

static int t_iterable(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	const struct value *v;

	BIND(c, a, 1, "value");
	v = a[0];
	return t_ret(vp, !is_special(v) && (v->type == VALUE_STR || v->type == VALUE_LIST || v->type == VALUE_MAP));
}

static int t_callable(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, tpl_is_callable(a[0]));
}

static int t_escaped(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return t_ret(vp, 0);
}

/* value % num == want, with Python's operators. */
static int t_mod(struct tpl_call *c, const struct value *v, const struct value *num, int64_t want, struct value **vp)
{
	struct value *m, *w;
	struct pyerr e;
	int r;

	if ((r = pyval_binop(OP_MOD, v, num, &c->rt->lim, &m, &e)) != 0)
		return tpl_fail(c, r, "%s", e.msg);
	w = value_int(want);
	r = t_ret(vp, pyval_eq(m, w));
	value_unref(m);
	value_unref(w);
	return r;
}

static int t_even(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *two;
	int r;

	BIND(c, a, 1, "value");
	two = value_int(2);
	r = t_mod(c, a[0], two, 0, vp);
	value_unref(two);
	return r;
}

static int t_odd(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *two;
	int r;

	BIND(c, a, 1, "value");
	two = value_int(2);
	r = t_mod(c, a[0], two, 1, vp);
	value_unref(two);
	return r;
}

static int t_divisibleby(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];

	BIND(c, a, 2, "value", "num");
	return t_mod(c, a[0], a[1], 0, vp);
}

/* Python's "is": singletons and small cached ints compare by value,
 * everything else by identity. */
static int t_sameas(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	const struct value *x, *y;

	BIND(c, a, 2, "value", "other");
	x = a[0];
	y = a[1];
	if (x == y)
		return t_ret(vp, 1);
	if (is_special(x) || is_special(y))
		return t_ret(vp, is_obj(x) && is_obj(y) && pyval_eq(x, y));
	if (x->type != y->type)
		return t_ret(vp, 0);
	switch (x->type) {
	case VALUE_NULL: return t_ret(vp, 1);
	case VALUE_BOOL: return t_ret(vp, x->u.b == y->u.b);
	case VALUE_INT: return t_ret(vp, x->u.i == y->u.i && x->u.i >= -5 && x->u.i <= 256);
	default: return t_ret(vp, 0);
	}
}

static int t_in(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct pyerr e;
	int r, in;

	BIND(c, a, 2, "value", "seq");
	if ((r = pyval_contains(a[1], a[0], &in, &e)) != 0)
		return tpl_fail(c, r, "%s", e.msg);
	return t_ret(vp, in);
}

enum { T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE };

static int t_compare(struct tpl_call *c, struct value **vp, int op)
{
	static const char *const names[] = {"==", "!=", "<", "<=", ">", ">="};
	struct value *a[2];
	struct pyerr e;
	int r, cmp;

	BIND(c, a, 2, "a", "b");
	if (op == T_EQ || op == T_NE)
		return t_ret(vp, pyval_eq(a[0], a[1]) == (op == T_EQ));
	if ((r = pyval_cmp(a[0], a[1], names[op], &cmp, &e)) != 0)
		return tpl_fail(c, r, "%s", e.msg);
	if ((a[0]->type == VALUE_FLOAT && isnan(a[0]->u.f)) || (a[1]->type == VALUE_FLOAT && isnan(a[1]->u.f)))
		return t_ret(vp, 0);
	switch (op) {
	case T_LT: return t_ret(vp, cmp < 0);
	case T_LE: return t_ret(vp, cmp <= 0);
	case T_GT: return t_ret(vp, cmp > 0);
	default: return t_ret(vp, cmp >= 0);
	}
}

#define T_CMP(fname, op)                                                  \
	static int fname(struct tpl_call *c, struct value **vp)           \
	{                                                                 \
		return t_compare(c, vp, op);                              \
	}
T_CMP(t_eq, T_EQ)
T_CMP(t_ne, T_NE)
T_CMP(t_lt, T_LT)
T_CMP(t_le, T_LE)
T_CMP(t_gt, T_GT)
T_CMP(t_ge, T_GE)

static int t_case(struct tpl_call *c, struct value **vp, int upper)
{
	struct value *a[1], *s, *res;
	struct buf b;
	int r;

	BIND(c, a, 1, "value");
	tpl_buf(c, &b);
	if ((r = tpl_str(c, a[0], &b)) != 0) {
		buf_fini(&b);
		return r;
	}
	s = value_strn(b.data ? b.data : "", b.len);
	buf_fini(&b);
	r = methods_call(c->rt, c->off, s, upper ? "isupper" : "islower", 7, NULL, 0, NULL, 0, &res);
	value_unref(s);
	if (r == 0)
		*vp = res;
	return r;
}

static int t_lower(struct tpl_call *c, struct value **vp)
{
	return t_case(c, vp, 0);
}

static int t_upper(struct tpl_call *c, struct value **vp)
{
	return t_case(c, vp, 1);
}

/* Ansible's plugin loader fails on an unknown name instead of saying
 * false, and so does drover. */
static int t_filter_or_test(struct tpl_call *c, struct value **vp, int filter)
{
	struct value *a[1];
	const struct tpl_fn_def *def;

	BIND(c, a, 1, "value");
	if (!is_str(a[0]))
		return t_ret(vp, 0);
	def = filter ? tpl_registry_filter(a[0]->u.s.ptr, a[0]->u.s.len) : tpl_registry_test(a[0]->u.s.ptr, a[0]->u.s.len);
	if (def == NULL)
		return tpl_fail(c, ERR_PARSE, "Could not load \"%s\": '%s'", a[0]->u.s.ptr, a[0]->u.s.ptr);
	return t_ret(vp, 1);
}

static int t_filter(struct tpl_call *c, struct value **vp)
{
	return t_filter_or_test(c, vp, 1);
}

static int t_test(struct tpl_call *c, struct value **vp)
{
	return t_filter_or_test(c, vp, 0);
}

const struct tpl_fn_def tpl_tests_core[] = {
	{"!=", t_ne, 0},
	{"<", t_lt, 0},
	{"<=", t_le, 0},
	{"==", t_eq, 0},
	{">", t_gt, 0},
	{">=", t_ge, 0},
	{"boolean", t_boolean, TPL_FN_UNDEF_OK},
	{"callable", t_callable, TPL_FN_UNDEF_OK},
	{"defined", t_defined, TPL_FN_UNDEF_OK},
	{"divisibleby", t_divisibleby, 0},
	{"eq", t_eq, 0},
	{"equalto", t_eq, 0},
	{"escaped", t_escaped, TPL_FN_UNDEF_OK},
	{"even", t_even, 0},
	{"false", t_false, TPL_FN_UNDEF_OK},
	{"filter", t_filter, 0},
	{"float", t_float, TPL_FN_UNDEF_OK},
	{"ge", t_ge, 0},
	{"greaterthan", t_gt, 0},
	{"gt", t_gt, 0},
	{"in", t_in, 0},
	{"integer", t_integer, TPL_FN_UNDEF_OK},
	{"iterable", t_iterable, 0},
	{"le", t_le, 0},
	{"lessthan", t_lt, 0},
	{"lower", t_lower, 0},
	{"lt", t_lt, 0},
	{"mapping", t_mapping, TPL_FN_UNDEF_OK},
	{"ne", t_ne, 0},
	{"none", t_none, TPL_FN_UNDEF_OK},
	{"number", t_number, TPL_FN_UNDEF_OK},
	{"odd", t_odd, 0},
	{"sameas", t_sameas, TPL_FN_UNDEF_OK},
	{"sequence", t_sequence, TPL_FN_UNDEF_OK},
	{"string", t_string, TPL_FN_UNDEF_OK},
	{"test", t_test, 0},
	{"true", t_true, TPL_FN_UNDEF_OK},
	{"undefined", t_undefined, TPL_FN_UNDEF_OK},
	{"upper", t_upper, 0},
	{NULL, NULL, 0},
};
