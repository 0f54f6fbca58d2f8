/* Python semantics of template values: str/repr, truth, comparisons and
 * arithmetic, with CPython's results and error messages. */
#include "template/pyval.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "data/yaml.h"
#include "template/ast.h"
#include "template/eval.h"
#include "template/ustr.h"

int pyerr_set(struct pyerr *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e != NULL) {
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

const char *pyval_type(const struct value *v)
{
	if (v == NULL)
		return "NoneType";
	if (v->flags & TPL_F_UNDEF)
		return "AnsibleUndefined";
	if (v->flags & TPL_F_OBJ) {
		switch (obj_kind_of(v)) {
		case OBJ_MACRO: return "Macro";
		case OBJ_LOOP: return "LoopContext";
		case OBJ_NAMESPACE: return "Namespace";
		case OBJ_METHOD: return "builtin_function_or_method";
		case OBJ_CYCLER: return "Cycler";
		case OBJ_JOINER: return "Joiner";
		default: return "function";
		}
	}
	if (v->flags & TPL_F_PROXY)
		return "dict";
	switch (v->type) {
	case VALUE_NULL: return "NoneType";
	case VALUE_BOOL: return "bool";
	case VALUE_INT: return "int";
	case VALUE_FLOAT: return "float";
	case VALUE_STR: return "str";
	case VALUE_LIST: return v->flags & VALUE_F_TUPLE ? "tuple" : "list";
	case VALUE_MAP: return "dict";
	}
	return "object";
}

int pyval_is_number(const struct value *v)
{
	return v != NULL && !(v->flags & TPL_F_SPECIAL) &&
	       (v->type == VALUE_INT || v->type == VALUE_FLOAT || v->type == VALUE_BOOL);
}

double pyval_float(const struct value *v)
{
	switch (v->type) {
	case VALUE_BOOL: return v->u.b;
	case VALUE_INT: return (double)v->u.i;
	case VALUE_FLOAT: return v->u.f;
	default: return 0;
	}
}

int64_t pyval_int(const struct value *v)
{
	return v->type == VALUE_BOOL ? v->u.b : v->u.i;
}

/* ---- str() and repr() ---- */

int pyval_repr_str(struct buf *out, const char *s, size_t n)
{
	const char *p;
	char quote = '\'';
	size_t i = 0, k;
	uint32_t cp;
	int r = 0;

	if (memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL)
		quote = '"';
	if ((r = buf_putc(out, quote)) != 0)
		return r;
	while (i < n && r == 0) {
		/* Copy runs of plain ASCII at once: most strings are just that. */
		for (p = s + i; p < s + n && (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f &&
		                *p != '\\' && *p != quote;
		     p++)
			;
		if (p > s + i) {
			r = buf_put(out, s + i, (size_t)(p - (s + i)));
			i = (size_t)(p - s);
			continue;
		}
		k = ustr_decode(s + i, n - i, &cp);
		if (cp == '\\' || cp == (uint32_t)quote)
			r = buf_printf(out, "\\%c", (char)cp);
		else if (cp == '\t')
			r = buf_puts(out, "\\t");
		else if (cp == '\n')
			r = buf_puts(out, "\\n");
		else if (cp == '\r')
			r = buf_puts(out, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			r = buf_printf(out, "\\x%02x", cp);
		else if (cp < 0x80 || ustr_isprintable(cp))
			r = buf_put(out, s + i, k);
		else if (cp < 0x100)
			r = buf_printf(out, "\\x%02x", cp);
		else if (cp < 0x10000)
			r = buf_printf(out, "\\u%04x", cp);
		else
			r = buf_printf(out, "\\U%08x", cp);
		i += k;
	}
	return r ? r : buf_putc(out, quote);
}

/* A dict key: the original Python text for keys YAML or a literal gave as
 * numbers, booleans or null. */
static int pyval_repr_key(struct buf *out, const struct value *k)
{
	if (!(k->flags & YAML_F_NONSTR_KEY))
		return pyval_repr_str(out, k->u.s.ptr, k->u.s.len);
	if (strcmp(k->u.s.ptr, "true") == 0)
		return buf_puts(out, "True");
	if (strcmp(k->u.s.ptr, "false") == 0)
		return buf_puts(out, "False");
	if (strcmp(k->u.s.ptr, "null") == 0)
		return buf_puts(out, "None");
	/* YAML's .inf and .nan keys, kept as JSON spells them. */
	if (strcmp(k->u.s.ptr, "Infinity") == 0)
		return buf_puts(out, "inf");
	if (strcmp(k->u.s.ptr, "-Infinity") == 0)
		return buf_puts(out, "-inf");
	if (strcmp(k->u.s.ptr, "NaN") == 0)
		return buf_puts(out, "nan");
	return buf_put(out, k->u.s.ptr, k->u.s.len);
}

#define PYVAL_MAX_DEPTH 512

static int pyval_repr_depth(struct tpl_rt *rt, struct buf *out, const struct value *v, int depth);

static int pyval_repr_list(struct tpl_rt *rt, struct buf *out, const struct value *v, int depth)
{
	int tuple = is_tuple(v), r;
	size_t i;

	if ((r = buf_putc(out, tuple ? '(' : '[')) != 0)
		return r;
	for (i = 0; i < v->u.l.len; i++) {
		if (i > 0 && (r = buf_puts(out, ", ")) != 0)
			return r;
		if ((r = pyval_repr_depth(rt, out, v->u.l.items[i], depth + 1)) != 0)
			return r;
	}
	if (tuple && v->u.l.len == 1 && (r = buf_putc(out, ',')) != 0)
		return r;
	return buf_putc(out, tuple ? ')' : ']');
}

static int pyval_repr_map(struct tpl_rt *rt, struct buf *out, const struct value *v, int depth)
{
	size_t i;
	int r;

	if ((r = buf_putc(out, '{')) != 0)
		return r;
	for (i = 0; i < v->u.m.len; i++) {
		if (i > 0 && (r = buf_puts(out, ", ")) != 0)
			return r;
		if ((r = pyval_repr_key(out, v->u.m.ents[i].key)) != 0 || (r = buf_puts(out, ": ")) != 0)
			return r;
		if ((r = pyval_repr_depth(rt, out, v->u.m.ents[i].val, depth + 1)) != 0)
			return r;
	}
	return buf_putc(out, '}');
}

static int pyval_repr_depth(struct tpl_rt *rt, struct buf *out, const struct value *v, int depth)
{
	if (depth > PYVAL_MAX_DEPTH)
		return ERR_DEPTH;
	if (v->flags & TPL_F_UNDEF)
		return buf_printf(out, "AnsibleUndefined(hint=None, obj=missing, name=%s)", v->u.s.ptr);
	if (v->flags & TPL_F_OBJ)
		return obj_repr(rt, v, out);
	switch (v->type) {
	case VALUE_NULL: return buf_puts(out, "None");
	case VALUE_BOOL: return buf_puts(out, v->u.b ? "True" : "False");
	case VALUE_INT: return buf_printf(out, "%lld", (long long)v->u.i);
	case VALUE_FLOAT: return json_put_float(out, v->u.f);
	case VALUE_STR: return pyval_repr_str(out, v->u.s.ptr, v->u.s.len);
	case VALUE_LIST: return pyval_repr_list(rt, out, v, depth);
	case VALUE_MAP: return pyval_repr_map(rt, out, v, depth);
	}
	return ERR_INTERNAL;
}

int pyval_repr(struct tpl_rt *rt, struct buf *out, const struct value *v)
{
	return pyval_repr_depth(rt, out, v, 0);
}

int pyval_str(struct tpl_rt *rt, struct buf *out, const struct value *v)
{
	if (v->type == VALUE_STR && !(v->flags & TPL_F_OBJ))
		return buf_put(out, v->u.s.ptr, v->u.s.len);
	return pyval_repr_depth(rt, out, v, 0);
}

/* ---- truth, equality, ordering ---- */

int pyval_truth(const struct value *v)
{
	if (v->flags & (TPL_F_OBJ | TPL_F_PROXY))
		return 1;
	return value_truth(v);
}

/* Exact comparison of an int with a float, as Python (no rounding of the
 * int to double). Returns -1, 0, 1, or 2 for NaN. */
static int pyval_cmp_int_float(int64_t i, double f)
{
	double fi;

	if (isnan(f))
		return 2;
	if (f >= 9223372036854775808.0)
		return -1;
	if (f < -9223372036854775808.0)
		return 1;
	fi = floor(f);
	if ((int64_t)fi != i)
		return i < (int64_t)fi ? -1 : 1;
	return fi < f ? -1 : 0;
}

/* Numeric three-way compare; 2 means unordered (NaN). */
static int pyval_num_cmp(const struct value *a, const struct value *b)
{
	int c;

	if (a->type != VALUE_FLOAT && b->type != VALUE_FLOAT) {
		int64_t x = pyval_int(a), y = pyval_int(b);

		return x < y ? -1 : x > y;
	}
	if (a->type == VALUE_FLOAT && b->type == VALUE_FLOAT) {
		if (isnan(a->u.f) || isnan(b->u.f))
			return 2;
		return a->u.f < b->u.f ? -1 : a->u.f > b->u.f;
	}
	if (a->type == VALUE_FLOAT) {
		c = pyval_cmp_int_float(pyval_int(b), a->u.f);
		return c == 2 ? 2 : -c;
	}
	return pyval_cmp_int_float(pyval_int(a), b->u.f);
}

int pyval_eq(const struct value *a, const struct value *b)
{
	size_t i;
	const struct value *k, *bv;

	if (a == b)
		return !(a->type == VALUE_FLOAT && isnan(a->u.f));
	if ((a->flags | b->flags) & TPL_F_SPECIAL) {
		if ((a->flags & TPL_F_OBJ) && (b->flags & TPL_F_OBJ))
			return a->pos.line == b->pos.line && a->pos.col == b->pos.col;
		if ((a->flags & TPL_F_PROXY) && (b->flags & TPL_F_PROXY))
			return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
		return 0;
	}
	if (pyval_is_number(a) && pyval_is_number(b))
		return pyval_num_cmp(a, b) == 0;
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case VALUE_NULL: return 1;
	case VALUE_STR:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case VALUE_LIST:
		if (is_tuple(a) != is_tuple(b) || a->u.l.len != b->u.l.len)
			return 0;
		for (i = 0; i < a->u.l.len; i++)
			if (!pyval_eq(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	case VALUE_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (i = 0; i < a->u.m.len; i++) {
			k = a->u.m.ents[i].key;
			bv = value_map_getn(b, k->u.s.ptr, k->u.s.len);
			if (bv == NULL || !pyval_eq(a->u.m.ents[i].val, bv))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

static int pyval_unorderable(const struct value *a, const struct value *b, const char *op, struct pyerr *e)
{
	return pyerr_set(e, ERR_INVAL, "'%s' not supported between instances of '%s' and '%s'", op,
	                 pyval_type(a), pyval_type(b));
}

int pyval_cmp(const struct value *a, const struct value *b, const char *op, int *cmpp, struct pyerr *e)
{
	size_t i, n;
	int c, r;

	*cmpp = 0;
	if ((a->flags | b->flags) & TPL_F_UNDEF)
		return pyerr_set(e, ERR_NOTFOUND, "%s", (a->flags & TPL_F_UNDEF) ? a->u.s.ptr : b->u.s.ptr);
	if ((a->flags | b->flags) & TPL_F_SPECIAL)
		return pyval_unorderable(a, b, op, e);
	if (pyval_is_number(a) && pyval_is_number(b)) {
		c = pyval_num_cmp(a, b);
		*cmpp = c == 2 ? 0 : c;
		return 0;
	}
	if (a->type == VALUE_STR && b->type == VALUE_STR) {
		n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
		c = memcmp(a->u.s.ptr, b->u.s.ptr, n);
		if (c == 0)
			c = a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
		*cmpp = c < 0 ? -1 : c > 0;
		return 0;
	}
	if (a->type == VALUE_LIST && b->type == VALUE_LIST && is_tuple(a) == is_tuple(b)) {
		n = a->u.l.len < b->u.l.len ? a->u.l.len : b->u.l.len;
		for (i = 0; i < n; i++) {
			if (pyval_eq(a->u.l.items[i], b->u.l.items[i]))
				continue;
			if ((r = pyval_cmp(a->u.l.items[i], b->u.l.items[i], op, cmpp, e)) != 0)
				return r;
			return 0;
		}
		*cmpp = a->u.l.len < b->u.l.len ? -1 : a->u.l.len > b->u.l.len;
		return 0;
	}
	return pyval_unorderable(a, b, op, e);
}

int pyval_hashable(const struct value *v)
{
	size_t i;

	if (v->flags & TPL_F_UNDEF)
		return 0;
	if (v->type == VALUE_MAP || (v->type == VALUE_LIST && !is_tuple(v)))
		return 0;
	if (v->type == VALUE_LIST)
		for (i = 0; i < v->u.l.len; i++)
			if (!pyval_hashable(v->u.l.items[i]))
				return 0;
	return 1;
}

/* Finds the dict key equal to item: a string key, or a key YAML converted
 * from the number, boolean or null item. */
static int pyval_map_has(const struct value *m, const struct value *item)
{
	struct buf b;
	long i;

	if (item->type == VALUE_STR)
		return value_map_find(m, item->u.s.ptr, item->u.s.len) >= 0;
	if (item->type == VALUE_LIST)
		return 0;
	buf_init(&b, 64);
	if (item->type == VALUE_NULL)
		buf_puts(&b, "null");
	else if (item->type == VALUE_BOOL)
		buf_puts(&b, item->u.b ? "true" : "false");
	else if (item->type == VALUE_INT)
		buf_printf(&b, "%lld", (long long)item->u.i);
	else
		json_put_float(&b, item->u.f);
	i = value_map_find(m, buf_str(&b), b.len);
	buf_fini(&b);
	return i >= 0 && (m->u.m.ents[i].key->flags & YAML_F_NONSTR_KEY);
}

int pyval_contains(const struct value *container, const struct value *item, int *inp, struct pyerr *e)
{
	size_t i;

	*inp = 0;
	if (container->flags & TPL_F_SPECIAL)
		return pyerr_set(e, ERR_INVAL, "argument of type '%s' is not iterable", pyval_type(container));
	switch (container->type) {
	case VALUE_STR:
		if (!is_str(item))
			return pyerr_set(e, ERR_INVAL, "'in <string>' requires string as left operand, not %s",
			                 pyval_type(item));
		*inp = item->u.s.len == 0 ||
		       memmem(container->u.s.ptr, container->u.s.len, item->u.s.ptr, item->u.s.len) != NULL;
		return 0;
	case VALUE_LIST:
		for (i = 0; i < container->u.l.len; i++) {
			if (pyval_eq(container->u.l.items[i], item)) {
				*inp = 1;
				break;
			}
		}
		return 0;
	case VALUE_MAP:
		if (!pyval_hashable(item))
			return pyerr_set(e, ERR_INVAL, "unhashable type: '%s'", pyval_type(item));
		*inp = pyval_map_has(container, item);
		return 0;
	default:
		return pyerr_set(e, ERR_INVAL, "argument of type '%s' is not iterable", pyval_type(container));
	}
}

/* ---- arithmetic ---- */

static const char *pyval_opstr(int op)
{
	switch (op) {
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_FLOORDIV: return "//";
	case OP_MOD: return "%";
	case OP_POW: return "** or pow()";
	default: return "?";
	}
}

static int pyval_overflow(struct pyerr *e)
{
	return pyerr_set(e, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
}

static int pyval_int_pow(int64_t x, int64_t y, struct value **vp, struct pyerr *e)
{
	int64_t result = 1, base = x;

	if (y < 0) {
		if (x == 0)
			return pyerr_set(e, ERR_INVAL, "0.0 cannot be raised to a negative power");
		*vp = value_float(pow((double)x, (double)y));
		return 0;
	}
	while (y > 0) {
		if (y & 1) {
			if (__builtin_mul_overflow(result, base, &result))
				return pyval_overflow(e);
		}
		y >>= 1;
		if (y > 0 && __builtin_mul_overflow(base, base, &base))
			return pyval_overflow(e);
	}
	*vp = value_int(result);
	return 0;
}

static int pyval_int_op(int op, int64_t x, int64_t y, struct value **vp, struct pyerr *e)
{
	int64_t r, q;

	switch (op) {
	case OP_ADD:
		if (__builtin_add_overflow(x, y, &r))
			return pyval_overflow(e);
		break;
	case OP_SUB:
		if (__builtin_sub_overflow(x, y, &r))
			return pyval_overflow(e);
		break;
	case OP_MUL:
		if (__builtin_mul_overflow(x, y, &r))
			return pyval_overflow(e);
		break;
	case OP_DIV:
		if (y == 0)
			return pyerr_set(e, ERR_INVAL, "division by zero");
		*vp = value_float((double)x / (double)y);
		return 0;
	case OP_FLOORDIV:
	case OP_MOD:
		if (y == 0)
			return pyerr_set(e, ERR_INVAL, op == OP_MOD ? "integer modulo by zero"
			                                            : "integer division or modulo by zero");
		if (y == -1) {
			if (op == OP_MOD) {
				r = 0;
				break;
			}
			if (x == INT64_MIN)
				return pyval_overflow(e);
			r = -x;
			break;
		}
		q = x / y;
		r = x % y;
		if (r != 0 && ((r < 0) != (y < 0))) {
			q--;
			r += y;
		}
		if (op == OP_FLOORDIV)
			r = q;
		break;
	case OP_POW:
		return pyval_int_pow(x, y, vp, e);
	default:
		return pyerr_set(e, ERR_INTERNAL, "bad operator");
	}
	*vp = value_int(r);
	return 0;
}

/* CPython's float floor division and modulo. */
static void pyval_float_divmod(double vx, double wx, double *divp, double *modp)
{
	double mod = fmod(vx, wx), div = (vx - mod) / wx, floordiv;

	if (mod != 0) {
		if ((wx < 0) != (mod < 0)) {
			mod += wx;
			div -= 1.0;
		}
	} else {
		mod = copysign(0.0, wx);
	}
	if (div != 0) {
		floordiv = floor(div);
		if (div - floordiv > 0.5)
			floordiv += 1.0;
	} else {
		floordiv = copysign(0.0, vx / wx);
	}
	*divp = floordiv;
	*modp = mod;
}

static int pyval_float_pow(double x, double y, struct value **vp, struct pyerr *e)
{
	double r;

	if (y == 0) {
		*vp = value_float(1.0);
		return 0;
	}
	if (x == 0 && y < 0)
		return pyerr_set(e, ERR_INVAL, "0.0 cannot be raised to a negative power");
	if (x < 0 && isfinite(y) && floor(y) != y)
		return pyerr_set(e, ERR_INVAL, "complex numbers are not supported by drover");
	errno = 0;
	r = pow(x, y);
	if (isinf(r) && isfinite(x) && isfinite(y))
		return pyerr_set(e, ERR_INVAL, "(34, 'Numerical result out of range')");
	*vp = value_float(r);
	return 0;
}

static int pyval_float_op(int op, double x, double y, struct value **vp, struct pyerr *e)
{
	double d, m;

	switch (op) {
	case OP_ADD: *vp = value_float(x + y); return 0;
	case OP_SUB: *vp = value_float(x - y); return 0;
	case OP_MUL: *vp = value_float(x * y); return 0;
	case OP_DIV:
		if (y == 0)
			return pyerr_set(e, ERR_INVAL, "float division by zero");
		*vp = value_float(x / y);
		return 0;
	case OP_FLOORDIV:
	case OP_MOD:
		if (y == 0)
			return pyerr_set(e, ERR_INVAL, op == OP_MOD ? "float modulo" : "float floor division by zero");
		pyval_float_divmod(x, y, &d, &m);
		*vp = value_float(op == OP_MOD ? m : d);
		return 0;
	case OP_POW:
		return pyval_float_pow(x, y, vp, e);
	default:
		return pyerr_set(e, ERR_INTERNAL, "bad operator");
	}
}

static int pyval_concat(const struct value *a, const struct value *b, const struct tpl_limits *lim,
                        struct value **vp, struct pyerr *e)
{
	struct value *l;
	size_t i;
	char *s;

	if (a->type == VALUE_STR) {
		if (a->u.s.len + b->u.s.len > lim->max_str)
			return pyerr_set(e, ERR_TOOBIG, "string too long (over %zu bytes)", lim->max_str);
		s = xmalloc(a->u.s.len + b->u.s.len + 1);
		memcpy(s, a->u.s.ptr, a->u.s.len);
		memcpy(s + a->u.s.len, b->u.s.ptr, b->u.s.len);
		s[a->u.s.len + b->u.s.len] = '\0';
		*vp = value_str_take(s, a->u.s.len + b->u.s.len);
		return 0;
	}
	if (a->u.l.len + b->u.l.len > lim->max_items)
		return pyerr_set(e, ERR_TOOBIG, "list too long (over %zu items)", lim->max_items);
	l = value_list();
	l->flags = a->flags & VALUE_F_TUPLE;
	for (i = 0; i < a->u.l.len; i++)
		value_list_push(l, value_ref(a->u.l.items[i]));
	for (i = 0; i < b->u.l.len; i++)
		value_list_push(l, value_ref(b->u.l.items[i]));
	*vp = l;
	return 0;
}

static int pyval_repeat(const struct value *seq, int64_t n, const struct tpl_limits *lim, struct value **vp,
                        struct pyerr *e)
{
	struct value *l;
	size_t len = seq->type == VALUE_STR ? seq->u.s.len : seq->u.l.len, i, j, total;
	char *s;

	if (n < 0)
		n = 0;
	if (len > 0 && (uint64_t)n > (seq->type == VALUE_STR ? lim->max_str : lim->max_items) / len)
		return pyerr_set(e, ERR_TOOBIG, "%s too long", seq->type == VALUE_STR ? "string" : "list");
	total = len * (size_t)n;
	if (seq->type == VALUE_STR) {
		s = xmalloc(total + 1);
		for (i = 0; i < (size_t)n; i++)
			memcpy(s + i * len, seq->u.s.ptr, len);
		s[total] = '\0';
		*vp = value_str_take(s, total);
		return 0;
	}
	l = value_list();
	l->flags = seq->flags & VALUE_F_TUPLE;
	for (i = 0; i < (size_t)n; i++)
		for (j = 0; j < len; j++)
			value_list_push(l, value_ref(seq->u.l.items[j]));
	*vp = l;
	return 0;
}

static int pyval_is_seq(const struct value *v)
{
	return !(v->flags & TPL_F_SPECIAL) && (v->type == VALUE_STR || v->type == VALUE_LIST);
}

static int pyval_binop_error(int op, const struct value *a, const struct value *b, struct pyerr *e)
{
	if (op == OP_ADD && pyval_is_seq(a) && !(a->flags & TPL_F_SPECIAL))
		return pyerr_set(e, ERR_INVAL, "can only concatenate %s (not \"%s\") to %s", pyval_type(a),
		                 pyval_type(b), pyval_type(a));
	if (op == OP_MUL && (pyval_is_seq(a) || pyval_is_seq(b)))
		return pyerr_set(e, ERR_INVAL, "can't multiply sequence by non-int of type '%s'",
		                 pyval_type(pyval_is_seq(a) ? b : a));
	return pyerr_set(e, ERR_INVAL, "unsupported operand type(s) for %s: '%s' and '%s'", pyval_opstr(op),
	                 pyval_type(a), pyval_type(b));
}

int pyval_binop(int op, const struct value *a, const struct value *b, const struct tpl_limits *lim,
                struct value **vp, struct pyerr *e)
{
	*vp = NULL;
	if (pyval_is_number(a) && pyval_is_number(b)) {
		if (a->type != VALUE_FLOAT && b->type != VALUE_FLOAT)
			return pyval_int_op(op, pyval_int(a), pyval_int(b), vp, e);
		return pyval_float_op(op, pyval_float(a), pyval_float(b), vp, e);
	}
	if ((a->flags | b->flags) & TPL_F_SPECIAL)
		return pyval_binop_error(op, a, b, e);
	if (op == OP_ADD && a->type == b->type && (a->type == VALUE_STR ||
	                                           (a->type == VALUE_LIST && is_tuple(a) == is_tuple(b))))
		return pyval_concat(a, b, lim, vp, e);
	if (op == OP_MUL && pyval_is_seq(a) && (b->type == VALUE_INT || b->type == VALUE_BOOL))
		return pyval_repeat(a, pyval_int(b), lim, vp, e);
	if (op == OP_MUL && pyval_is_seq(b) && (a->type == VALUE_INT || a->type == VALUE_BOOL))
		return pyval_repeat(b, pyval_int(a), lim, vp, e);
	if (op == OP_MOD && a->type == VALUE_STR)
		return pyval_percent(NULL, a, b, lim, vp, e);
	return pyval_binop_error(op, a, b, e);
}

int pyval_unary(int op, const struct value *a, struct value **vp, struct pyerr *e)
{
	*vp = NULL;
	if (!pyval_is_number(a))
		return pyerr_set(e, ERR_INVAL, "bad operand type for unary %s: '%s'", op == OP_NEG ? "-" : "+",
		                 pyval_type(a));
	if (a->type == VALUE_FLOAT) {
		*vp = value_float(op == OP_NEG ? -a->u.f : a->u.f);
		return 0;
	}
	if (op == OP_POS) {
		*vp = value_int(pyval_int(a));
		return 0;
	}
	if (pyval_int(a) == INT64_MIN)
		return pyval_overflow(e);
	*vp = value_int(-pyval_int(a));
	return 0;
}

/* ---- conversions ---- */

static int pyval_digit(char c, int base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		d = (c | 0x20) - 'a' + 10;
	else
		return -1;
	return d < base ? d : -1;
}

int pyval_parse_int(const char *s, size_t n, int base, int64_t *ip)
{
	size_t i = 0, start;
	uint64_t u = 0, lim;
	int neg = 0, d, prev_digit = 0;

	while (n > 0 && ustr_isspace((unsigned char)s[n - 1]))
		n--;
	while (i < n && ustr_isspace((unsigned char)s[i]))
		i++;
	if (i < n && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	if (i + 1 < n && s[i] == '0') {
		char x = (char)(s[i + 1] | 0x20);
		int pb = x == 'x' ? 16 : x == 'o' ? 8 : x == 'b' ? 2 : 0;

		if (pb != 0 && (base == 0 || base == pb)) {
			base = pb;
			i += 2;
			prev_digit = 1; /* "0x_1" is valid */
		}
	}
	if (base == 0) {
		base = 10;
		/* int("010", 0) is an error in Python: leading zeros need a prefix. */
		if (i + 1 < n && s[i] == '0') {
			size_t k;

			for (k = i; k < n && (s[k] == '0' || s[k] == '_'); k++)
				;
			if (k < n)
				return ERR_INVAL;
		}
	}
	start = i;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] == '_' && prev_digit && i + 1 < n && pyval_digit(s[i + 1], base) >= 0) {
			prev_digit = 0;
			continue;
		}
		if ((d = pyval_digit(s[i], base)) < 0)
			return ERR_INVAL;
		if (u > (lim - (uint64_t)d) / (uint64_t)base)
			return ERR_TOOBIG;
		u = u * (uint64_t)base + (uint64_t)d;
		prev_digit = 1;
	}
	if (i == start)
		return ERR_INVAL;
	*ip = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

int pyval_parse_float(const char *s, size_t n, double *fp)
{
	char tmp[128], *end;
	size_t i = 0, k = 0;
	double f;

	while (n > 0 && ustr_isspace((unsigned char)s[n - 1]))
		n--;
	while (i < n && ustr_isspace((unsigned char)s[i]))
		i++;
	if (n - i == 0 || n - i >= sizeof(tmp))
		return ERR_INVAL;
	for (; i < n; i++) {
		/* Underscores only between digits, as Python's float(). */
		if (s[i] == '_') {
			if (k == 0 || !(tmp[k - 1] >= '0' && tmp[k - 1] <= '9') || i + 1 >= n ||
			    !(s[i + 1] >= '0' && s[i + 1] <= '9'))
				return ERR_INVAL;
			continue;
		}
		if (s[i] == '\0')
			return ERR_INVAL;
		tmp[k++] = s[i];
	}
	tmp[k] = '\0';
	/* strtod takes hex floats and "infinity"/"nan(...)" spellings Python
	 * handles differently; reject what Python's float() rejects. */
	if (strpbrk(tmp, "xX(") != NULL)
		return ERR_INVAL;
	f = strtod(tmp, &end);
	if (end == tmp || *end != '\0')
		return ERR_INVAL;
	*fp = f;
	return 0;
}

double pyval_round(double x, int ndigits)
{
	char buf[64], *end;
	double y;

	if (!isfinite(x) || ndigits > 300)
		return x;
	if (ndigits < -300)
		return copysign(0.0, x);
	if (ndigits >= 0) {
		/* printf rounds the exact binary value half to even, as CPython's
		 * round() does through its correctly rounded dtoa. */
		snprintf(buf, sizeof(buf), "%.*f", ndigits > 40 ? 40 : ndigits, x);
		if (ndigits > 40)
			return x;
		y = strtod(buf, &end);
		return y;
	}
	{
		double p = pow(10.0, -ndigits), q = x / p, r = nearbyint(q);

		if (fabs(q - trunc(q)) == 0.5)
			r = 2.0 * nearbyint(q / 2.0);
		y = r * p;
		return isfinite(y) ? y : copysign(0.0, x);
	}
}
