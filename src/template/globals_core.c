/* Jinja2's global functions (range, dict, namespace, cycler, joiner) and
 * Ansible's undef(). range() builds a list, capped by the render's
 * max_range limit. */
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"

static int g_int(struct tpl_call *c, const struct value *v, int64_t *ip)
{
	if ((v->type == VALUE_INT || v->type == VALUE_BOOL) && !is_special(v)) {
		*ip = pyval_int(v);
		return 0;
	}
	if (is_undef(v))
		return tpl_fail_undef(c, v);
	return tpl_fail(c, ERR_INVAL, "'%s' object cannot be interpreted as an integer", pyval_type(v));
}

static int g_range(struct tpl_call *c, struct value **vp)
{
	int64_t start = 0, stop, step = 1, i;
	uint64_t n = 0;
	struct value *l;
	int r;

	if (c->nkw > 0)
		return tpl_fail(c, ERR_INVAL, "range() takes no keyword arguments");
	if (c->nargs < 1 || c->nargs > 3)
		return tpl_fail(c, ERR_INVAL, c->nargs < 1 ? "range expected at least 1 argument, got 0"
		                                           : "range expected at most 3 arguments, got %zu", c->nargs);
	if (c->nargs == 1) {
		if ((r = g_int(c, c->args[0], &stop)) != 0)
			return r;
	} else if ((r = g_int(c, c->args[0], &start)) != 0 || (r = g_int(c, c->args[1], &stop)) != 0 ||
	           (c->nargs == 3 && (r = g_int(c, c->args[2], &step)) != 0)) {
		return r;
	}
	if (step == 0)
		return tpl_fail(c, ERR_INVAL, "range() arg 3 must not be zero");
	if (step > 0 && start < stop)
		n = ((uint64_t)stop - (uint64_t)start - 1) / (uint64_t)step + 1;
	else if (step < 0 && start > stop)
		n = ((uint64_t)start - (uint64_t)stop - 1) / ((uint64_t)0 - (uint64_t)step) + 1;
	if (n > c->rt->lim.max_range)
		return tpl_fail(c, ERR_TOOBIG, "range too large (over %zu items)", c->rt->lim.max_range);
	if ((r = tpl_charge(c, n)) != 0)
		return r;
	l = value_list();
	for (i = 0; (uint64_t)i < n; i++)
		value_list_push(l, value_int(start + i * step));
	*vp = l;
	return 0;
}

/* dict(mapping or pairs, **kwargs), also the base of namespace(). */
static int g_dict_build(struct tpl_call *c, struct value **vp)
{
	struct value *m = value_map(), *k;
	const struct value *src;
	size_t i;
	int r = 0;

	if (c->nargs > 1) {
		value_unref(m);
		return tpl_fail(c, ERR_INVAL, "dict expected at most 1 argument, got %zu", c->nargs);
	}
	if (c->nargs == 1) {
		src = c->args[0];
		if (src->type == VALUE_MAP && !is_special(src)) {
			value_map_update(m, src, 0);
		} else if (src->type == VALUE_LIST && !is_special(src)) {
			for (i = 0; i < src->u.l.len && r == 0; i++) {
				const struct value *p = src->u.l.items[i];

				if (p->type != VALUE_LIST || p->u.l.len != 2 || is_special(p)) {
					r = tpl_fail(c, ERR_INVAL, "dictionary update sequence element #%zu has length %zu; 2 is required",
					             i, value_len(p));
					break;
				}
				k = p->u.l.items[0];
				if (!is_str(k)) {
					r = tpl_fail(c, ERR_INVAL, "drover dict keys must be strings, not %s", pyval_type(k));
					break;
				}
				value_map_set_key(m, value_ref(k), value_ref(p->u.l.items[1]));
			}
		} else {
			r = is_undef(src) ? tpl_fail_undef(c, src)
			                  : tpl_fail(c, ERR_INVAL, "'%s' object is not iterable", pyval_type(src));
		}
	}
	for (i = 0; i < c->nkw && r == 0; i++)
		value_map_set_key(m, value_strn(c->kw[i].name, c->kw[i].len), value_ref(c->kw[i].val));
	if (r != 0) {
		value_unref(m);
		return r;
	}
	*vp = m;
	return 0;
}

static int g_namespace(struct tpl_call *c, struct value **vp)
{
	struct obj o = {.kind = OBJ_NAMESPACE};
	struct value *m;
	int r;

	if ((r = g_dict_build(c, &m)) != 0)
		return r;
	o.data = m;
	*vp = obj_new(c->rt, &o, "<Namespace>");
	return *vp != NULL ? 0 : c->rt->err;
}

static int g_cycler(struct tpl_call *c, struct value **vp)
{
	struct obj o = {.kind = OBJ_CYCLER};
	struct value *l = value_list();
	size_t i;

	for (i = 0; i < c->nargs; i++)
		value_list_push(l, value_ref(c->args[i]));
	o.data = l;
	*vp = obj_new(c->rt, &o, "<jinja2.utils.Cycler object>");
	return *vp != NULL ? 0 : c->rt->err;
}

static int g_joiner(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"sep", NULL};
	struct obj o = {.kind = OBJ_JOINER};
	struct value *a[1];
	struct buf b;
	size_t len;
	char *s;
	int r;

	if ((r = tpl_bind(c, params, 0, a)) != 0)
		return r;
	tpl_buf(c, &b);
	if (a[0] == NULL)
		buf_puts(&b, ", ");
	else if ((r = tpl_str(c, a[0], &b)) != 0) {
		buf_fini(&b);
		return r;
	}
	s = buf_take(&b, &len);
	o.data = value_str_take(s, len);
	*vp = obj_new(c->rt, &o, "<jinja2.utils.Joiner object>");
	return *vp != NULL ? 0 : c->rt->err;
}

/* Ansible's undef(hint): an undefined value carrying the hint. */
static int g_undef(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"hint", NULL};
	struct value *a[1];
	int r;

	if ((r = tpl_bind(c, params, 0, a)) != 0)
		return r;
	if (a[0] == NULL || is_undef(a[0]) || (a[0]->type == VALUE_NULL && !is_special(a[0])) ||
	    (is_str(a[0]) && a[0]->u.s.len == 0))
		*vp = tpl_undef_new(NULL);
	else if (is_str(a[0]))
		*vp = tpl_undef_new(a[0]->u.s.ptr);
	else
		return tpl_fail(c, ERR_INVAL, "undef() hint must be a string");
	return 0;
}

const struct tpl_fn_def tpl_globals_core[] = {
	{"cycler", g_cycler, 0},
	{"dict", g_dict_build, 0},
	{"joiner", g_joiner, 0},
	{"namespace", g_namespace, 0},
	{"range", g_range, 0},
	{"undef", g_undef, TPL_FN_UNDEF_OK},
	{NULL, NULL, 0},
};
