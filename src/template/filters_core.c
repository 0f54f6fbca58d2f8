/* Jinja2's built-in filters on single values (text, numbers, JSON,
 * defaults), with Ansible's overrides where Ansible 2.14 has them (bool,
 * to_json, to_nice_json, from_json). Sequence filters are in
 * filters_seq.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "data/json.h"
#include "data/pystr.h"
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

static int fc_is_none(const struct value *v)
{
	return v == NULL || (v->type == VALUE_NULL && !is_special(v));
}

static struct value *fc_take(struct buf *b)
{
	size_t len;
	char *s = buf_take(b, &len);

	return value_str_take(s, len);
}

/* str(v) into a fresh buffer. */
static int fc_text(struct tpl_call *c, const struct value *v, struct buf *b)
{
	tpl_buf(c, b);
	if (tpl_str(c, v, b) != 0) {
		buf_fini(b);
		return c->rt->err;
	}
	return 0;
}

static int fc_int_arg(struct tpl_call *c, const struct value *v, int64_t def, int64_t *ip)
{
	if (fc_is_none(v)) {
		*ip = def;
		return 0;
	}
	if ((v->type == VALUE_INT || v->type == VALUE_BOOL) && !is_special(v)) {
		*ip = pyval_int(v);
		return 0;
	}
	if (is_undef(v))
		return tpl_fail_undef(c, v);
	return tpl_fail(c, ERR_INVAL, "'%s' object cannot be interpreted as an integer", pyval_type(v));
}

static int fc_bool_arg(struct tpl_call *c, const struct value *v, int def, int *bp)
{
	if (v == NULL) {
		*bp = def;
		return 0;
	}
	return tpl_truth(c, v, bp);
}

/* ---- defaults and conversions ---- */

static int f_default(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	int boolean = 0, truth, r;

	BIND(c, a, 1, "value", "default_value", "boolean");
	if ((r = fc_bool_arg(c, a[2], 0, &boolean)) != 0)
		return r;
	if (is_undef(a[0]) || (boolean && (r = tpl_truth(c, a[0], &truth)) == 0 && !truth)) {
		*vp = a[1] != NULL ? value_ref(a[1]) : value_str("");
		return 0;
	}
	if (r != 0)
		return r;
	*vp = value_ref(a[0]);
	return 0;
}

static int f_length(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	const struct value *v;

	BIND(c, a, 1, "obj");
	v = a[0];
	if (is_str(v))
		*vp = value_int((int64_t)ustr_len(v->u.s.ptr, v->u.s.len));
	else if (!is_special(v) && (v->type == VALUE_LIST || v->type == VALUE_MAP))
		*vp = value_int((int64_t)value_len(v));
	else
		return tpl_fail(c, ERR_INVAL, "object of type '%s' has no len()", pyval_type(v));
	return 0;
}

static int f_string(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf b;
	int r;

	BIND(c, a, 1, "value");
	if (is_str(a[0])) {
		*vp = value_ref(a[0]);
		return 0;
	}
	if ((r = fc_text(c, a[0], &b)) != 0)
		return r;
	*vp = fc_take(&b);
	return 0;
}

static int f_int(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	const struct value *v;
	int64_t base, i;
	double f;
	int r;

	BIND(c, a, 1, "value", "default", "base");
	if ((r = fc_int_arg(c, a[2], 10, &base)) != 0)
		return r;
	v = a[0];
	if (is_str(v)) {
		if (base != 0 && (base < 2 || base > 36))
			return tpl_fail(c, ERR_INVAL, "int() base must be >= 2 and <= 36, or 0");
		if (pyval_parse_int(v->u.s.ptr, v->u.s.len, (int)base, &i) == 0) {
			*vp = value_int(i);
			return 0;
		}
		/* Jinja's quirk: "42.23" | int is 42. */
		if (pyval_parse_float(v->u.s.ptr, v->u.s.len, &f) == 0)
			goto from_float;
	} else if (pyval_is_number(v)) {
		if (v->type != VALUE_FLOAT) {
			*vp = value_int(pyval_int(v));
			return 0;
		}
		f = v->u.f;
		goto from_float;
	}
	*vp = a[1] != NULL ? value_ref(a[1]) : value_int(0);
	return 0;
from_float:
	if (isnan(f))
		return tpl_fail(c, ERR_INVAL, "cannot convert float NaN to integer");
	if (isinf(f))
		return tpl_fail(c, ERR_INVAL, "cannot convert float infinity to integer");
	if (fabs(f) >= 9223372036854775808.0)
		return tpl_fail(c, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
	*vp = value_int((int64_t)f);
	return 0;
}

static int f_float(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	double f;

	BIND(c, a, 1, "value", "default");
	if (pyval_is_number(a[0])) {
		*vp = value_float(pyval_float(a[0]));
		return 0;
	}
	if (is_str(a[0]) && pyval_parse_float(a[0]->u.s.ptr, a[0]->u.s.len, &f) == 0) {
		*vp = value_float(f);
		return 0;
	}
	*vp = a[1] != NULL ? value_ref(a[1]) : value_float(0.0);
	return 0;
}

/* Ansible's bool filter (to_bool). */
static int f_bool(struct tpl_call *c, struct value **vp)
{
	static const char *const yes[] = {"yes", "on", "1", "true"};
	struct value *a[1];
	const struct value *v;
	struct buf b;
	size_t i;
	int hit = 0;

	BIND(c, a, 1, "a");
	v = a[0];
	if (fc_is_none(v) || v->type == VALUE_BOOL) {
		*vp = value_ref((struct value *)v);
		return 0;
	}
	if (is_str(v)) {
		tpl_buf(c, &b);
		ustr_lower(&b, v->u.s.ptr, v->u.s.len);
		for (i = 0; i < 4; i++)
			if (strcmp(buf_str(&b), yes[i]) == 0 && strlen(yes[i]) == b.len)
				hit = 1;
		buf_fini(&b);
	} else if (pyval_is_number(v)) {
		hit = pyval_float(v) == 1.0;
	}
	*vp = value_bool(hit);
	return 0;
}

/* ---- text ---- */

static int fc_case(struct tpl_call *c, struct value **vp, int (*fn)(struct buf *, const char *, size_t))
{
	struct value *a[1];
	struct buf s, b;
	int r;

	BIND(c, a, 1, "s");
	if ((r = fc_text(c, a[0], &s)) != 0)
		return r;
	tpl_buf(c, &b);
	r = fn(&b, s.data ? s.data : "", s.len);
	buf_fini(&s);
	if (r != 0) {
		buf_fini(&b);
		return tpl_fail(c, ERR_TOOBIG, "string too long");
	}
	*vp = fc_take(&b);
	return tpl_charge(c, (*vp)->u.s.len / 16);
}

static int f_upper(struct tpl_call *c, struct value **vp)
{
	return fc_case(c, vp, ustr_upper);
}

static int f_lower(struct tpl_call *c, struct value **vp)
{
	return fc_case(c, vp, ustr_lower);
}

static int f_capitalize(struct tpl_call *c, struct value **vp)
{
	return fc_case(c, vp, ustr_capitalize);
}

/* Jinja's title: words start after runs of [-\s({\[<]. */
static int fc_title(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;
	int at_start = 1, r = 0;

	while (i < n && r == 0) {
		k = ustr_decode(s + i, n - i, &cp);
		if (cp == '-' || cp == '(' || cp == '{' || cp == '[' || cp == '<' || ustr_isspace(cp)) {
			r = buf_put(out, s + i, k);
			at_start = 1;
		} else {
			r = ustr_put_case(out, cp, at_start ? USTR_UPPER : USTR_LOWER);
			at_start = 0;
		}
		i += k;
	}
	return r;
}

static int f_title(struct tpl_call *c, struct value **vp)
{
	return fc_case(c, vp, fc_title);
}

static int f_trim(struct tpl_call *c, struct value **vp)
{
	struct value *a[2], *s, *args[1];
	struct buf b;
	int r;

	BIND(c, a, 1, "value", "chars");
	if ((r = fc_text(c, a[0], &b)) != 0)
		return r;
	s = fc_take(&b);
	args[0] = a[1];
	r = methods_call(c->rt, c->off, s, "strip", 5, args, a[1] != NULL, NULL, 0, vp);
	value_unref(s);
	return r;
}

static int f_replace(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *strs[3] = {NULL, NULL, NULL}, *args[3];
	struct buf b;
	int i, r = 0;

	BIND(c, a, 3, "s", "old", "new", "count");
	for (i = 0; i < 3 && r == 0; i++)
		if ((r = fc_text(c, a[i], &b)) == 0)
			strs[i] = fc_take(&b);
	if (r == 0) {
		args[0] = strs[1];
		args[1] = strs[2];
		args[2] = a[3];
		r = methods_call(c->rt, c->off, strs[0], "replace", 7, args, fc_is_none(a[3]) ? 2 : 3, NULL, 0, vp);
	}
	for (i = 0; i < 3; i++)
		value_unref(strs[i]);
	return r;
}

static int f_center(struct tpl_call *c, struct value **vp)
{
	struct value *a[2], *s, *args[1];
	struct buf b;
	int r;

	BIND(c, a, 1, "value", "width");
	if ((r = fc_text(c, a[0], &b)) != 0)
		return r;
	s = fc_take(&b);
	args[0] = a[1] != NULL ? value_ref(a[1]) : value_int(80);
	r = methods_call(c->rt, c->off, s, "center", 6, args, 1, NULL, 0, vp);
	value_unref(args[0]);
	value_unref(s);
	return r;
}

static int f_wordcount(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf b;
	size_t i = 0, k, words = 0;
	uint32_t cp;
	int in_word = 0, r;

	BIND(c, a, 1, "s");
	if ((r = fc_text(c, a[0], &b)) != 0)
		return r;
	while (i < b.len) {
		k = ustr_decode(b.data + i, b.len - i, &cp);
		if (cp == '_' || ustr_isalpha(cp) || ustr_isnumeric(cp)) {
			words += !in_word;
			in_word = 1;
		} else {
			in_word = 0;
		}
		i += k;
	}
	buf_fini(&b);
	*vp = value_int((int64_t)words);
	return 0;
}

static int f_indent(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *lines;
	struct buf ind, out, s;
	int64_t width;
	int first = 0, blank = 0, r;
	size_t i;

	BIND(c, a, 1, "s", "width", "first", "blank");
	if (!is_str(a[0])) {
		if (is_undef(a[0]))
			return tpl_fail_undef(c, a[0]);
		return tpl_fail(c, ERR_INVAL, "can only concatenate %s (not \"str\") to %s", pyval_type(a[0]),
		                pyval_type(a[0]));
	}
	if ((r = fc_bool_arg(c, a[2], 0, &first)) != 0 || (r = fc_bool_arg(c, a[3], 0, &blank)) != 0)
		return r;
	tpl_buf(c, &ind);
	if (a[1] != NULL && is_str(a[1])) {
		buf_put(&ind, a[1]->u.s.ptr, a[1]->u.s.len);
	} else {
		if ((r = fc_int_arg(c, a[1], 4, &width)) != 0) {
			buf_fini(&ind);
			return r;
		}
		if (width > 0 && (r = rt_check_str(c->rt, c->off, (size_t)width)) != 0) {
			buf_fini(&ind);
			return r;
		}
		for (; width > 0; width--)
			buf_putc(&ind, ' ');
	}
	/* s + "\n", split into lines, as Jinja's quirk for splitlines. */
	tpl_buf(c, &s);
	buf_put(&s, a[0]->u.s.ptr, a[0]->u.s.len);
	buf_putc(&s, '\n');
	lines = pystr_splitlines(buf_str(&s), s.len);
	buf_fini(&s);
	tpl_buf(c, &out);
	r = 0;
	if (first)
		r |= buf_put(&out, ind.data ? ind.data : "", ind.len);
	for (i = 0; i < lines->u.l.len && r == 0; i++) {
		const struct value *ln = lines->u.l.items[i];

		if (i > 0) {
			r |= buf_putc(&out, '\n');
			if (blank || ln->u.s.len > 0)
				r |= buf_put(&out, ind.data ? ind.data : "", ind.len);
		}
		r |= buf_put(&out, ln->u.s.ptr, ln->u.s.len);
	}
	value_unref(lines);
	buf_fini(&ind);
	if (r != 0) {
		buf_fini(&out);
		return tpl_fail(c, ERR_TOOBIG, "string too long");
	}
	*vp = fc_take(&out);
	return tpl_charge(c, (*vp)->u.s.len / 16);
}

static int f_format(struct tpl_call *c, struct value **vp)
{
	struct value *fmt, *args;
	struct buf b;
	struct pyerr e;
	size_t i;
	int r;

	if (c->nargs < 1)
		return tpl_fail(c, ERR_INVAL, "format() missing required argument 'value'");
	if (c->nargs > 1 && c->nkw > 0)
		return tpl_fail(c, ERR_INVAL, "can't handle positional and keyword arguments at the same time");
	if ((r = fc_text(c, c->args[0], &b)) != 0)
		return r;
	fmt = fc_take(&b);
	if (c->nkw > 0) {
		args = value_map();
		for (i = 0; i < c->nkw; i++)
			value_map_set_key(args, value_strn(c->kw[i].name, c->kw[i].len), value_ref(c->kw[i].val));
	} else if (c->nargs > 1) {
		args = value_list();
		args->flags |= VALUE_F_TUPLE;
		for (i = 1; i < c->nargs; i++)
			value_list_push(args, value_ref(c->args[i]));
	} else {
		args = value_map();
	}
	r = pyval_percent(c->rt, fmt, args, &c->rt->lim, vp, &e);
	value_unref(fmt);
	value_unref(args);
	if (r != 0)
		return tpl_fail(c, r, "%s", e.msg);
	return 0;
}

/* markupsafe.escape; escaped text is marked and not escaped again unless
 * force is set (forceescape). */
static int fc_escape(struct tpl_call *c, const struct value *v, int force, struct value **vp)
{
	struct buf s, b;
	size_t i;
	int r = 0;

	if (!force && is_str(v) && (v->flags & TPL_F_MARKUP)) {
		*vp = value_ref((struct value *)v);
		return 0;
	}
	if ((r = fc_text(c, v, &s)) != 0)
		return r;
	tpl_buf(c, &b);
	for (i = 0; i < s.len && r == 0; i++) {
		switch (s.data[i]) {
		case '&': r = buf_puts(&b, "&amp;"); break;
		case '<': r = buf_puts(&b, "&lt;"); break;
		case '>': r = buf_puts(&b, "&gt;"); break;
		case '"': r = buf_puts(&b, "&#34;"); break;
		case '\'': r = buf_puts(&b, "&#39;"); break;
		default: r = buf_putc(&b, s.data[i]); break;
		}
	}
	buf_fini(&s);
	if (r != 0) {
		buf_fini(&b);
		return tpl_fail(c, ERR_TOOBIG, "string too long");
	}
	*vp = fc_take(&b);
	(*vp)->flags |= TPL_F_MARKUP;
	return 0;
}

static int f_escape(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "s");
	return fc_escape(c, a[0], 0, vp);
}

static int f_forceescape(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "value");
	return fc_escape(c, a[0], 1, vp);
}

static int f_safe(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf b;
	int r;

	BIND(c, a, 1, "value");
	if (is_str(a[0]) && (a[0]->flags & TPL_F_MARKUP)) {
		*vp = value_ref(a[0]);
		return 0;
	}
	if ((r = fc_text(c, a[0], &b)) != 0)
		return r;
	*vp = fc_take(&b);
	(*vp)->flags |= TPL_F_MARKUP;
	return 0;
}

/* ---- numbers ---- */

static int f_abs(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	const struct value *v;

	BIND(c, a, 1, "x");
	v = a[0];
	if (!pyval_is_number(v))
		return tpl_fail(c, ERR_INVAL, "bad operand type for abs(): '%s'", pyval_type(v));
	if (v->type == VALUE_FLOAT) {
		*vp = value_float(fabs(v->u.f));
	} else {
		if (pyval_int(v) == INT64_MIN)
			return tpl_fail(c, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
		*vp = value_int(pyval_int(v) < 0 ? -pyval_int(v) : pyval_int(v));
	}
	return 0;
}

static int f_round(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	const struct value *v;
	int64_t prec, p10, q;
	double x, scale;
	const char *method = "common";
	int r;

	BIND(c, a, 1, "value", "precision", "method");
	if ((r = fc_int_arg(c, a[1], 0, &prec)) != 0)
		return r;
	if (a[2] != NULL) {
		if (!is_str(a[2]) || (strcmp(a[2]->u.s.ptr, "common") && strcmp(a[2]->u.s.ptr, "ceil") &&
		                      strcmp(a[2]->u.s.ptr, "floor")))
			return tpl_fail(c, ERR_INVAL, "method must be common, ceil or floor");
		method = a[2]->u.s.ptr;
	}
	v = a[0];
	if (!pyval_is_number(v))
		return tpl_fail(c, ERR_INVAL, strcmp(method, "common") == 0 ? "type %s doesn't define __round__ method"
		                                                            : "must be real number, not %s",
		                pyval_type(v));
	if (prec > 400)
		prec = 400;
	if (prec < -400)
		prec = -400;
	if (strcmp(method, "common") == 0) {
		if (v->type != VALUE_FLOAT) {
			/* round(int, n) stays an int. */
			if (prec >= 0) {
				*vp = value_int(pyval_int(v));
				return 0;
			}
			if (prec < -18) {
				*vp = value_int(0);
				return 0;
			}
			for (p10 = 1, q = prec; q < 0; q++)
				p10 *= 10;
			x = (double)pyval_int(v) / (double)p10;
			*vp = value_int((int64_t)pyval_round(x, 0) * p10);
			return 0;
		}
		*vp = value_float(pyval_round(v->u.f, (int)prec));
		return 0;
	}
	scale = pow(10.0, (double)prec);
	x = pyval_float(v) * scale;
	x = strcmp(method, "ceil") == 0 ? ceil(x) : floor(x);
	*vp = value_float(x / scale);
	return 0;
}

/* ---- JSON ---- */

/* JSON can only hold plain data. */
static int fc_json_check(struct tpl_call *c, const struct value *v, int depth)
{
	size_t i;
	int r;

	if (is_undef(v))
		return tpl_fail_undef(c, v);
	if (is_special(v))
		return tpl_fail(c, ERR_INVAL, "Object of type %s is not JSON serializable", pyval_type(v));
	if (depth > JSON_MAX_DEPTH)
		return tpl_fail(c, ERR_DEPTH, "value nested too deeply for JSON");
	if (v->type == VALUE_LIST) {
		for (i = 0; i < v->u.l.len; i++)
			if ((r = fc_json_check(c, v->u.l.items[i], depth + 1)) != 0)
				return r;
	} else if (v->type == VALUE_MAP) {
		for (i = 0; i < v->u.m.len; i++)
			if ((r = fc_json_check(c, v->u.m.ents[i].val, depth + 1)) != 0)
				return r;
	}
	return 0;
}

static int fc_json(struct tpl_call *c, const struct value *v, int flags, struct value **vp)
{
	struct buf b;
	int r;

	if ((r = fc_json_check(c, v, 0)) != 0)
		return r;
	tpl_buf(c, &b);
	if ((r = json_encode(&b, v, flags)) != 0) {
		buf_fini(&b);
		return tpl_fail(c, r, r == ERR_DEPTH ? "value nested too deeply for JSON" : "JSON text too long");
	}
	*vp = fc_take(&b);
	return tpl_charge(c, (*vp)->u.s.len / 8);
}

/* json.dumps keyword arguments drover understands. */
static int fc_json_kwargs(struct tpl_call *c, size_t first_kw, int *flagsp)
{
	size_t i;
	int64_t indent;
	int b, r;

	for (i = first_kw; i < c->nkw; i++) {
		const struct tpl_kwarg *k = &c->kw[i];

#define KW(s) (k->len == sizeof(s) - 1 && memcmp(k->name, s, k->len) == 0)
		if (KW("indent")) {
			if (fc_is_none(k->val)) {
				*flagsp &= ~(0xffff << JSON_INDENT_SHIFT);
				continue;
			}
			if ((r = fc_int_arg(c, k->val, 0, &indent)) != 0)
				return r;
			if (indent < 0)
				indent = 0;
			if (indent > 1000)
				indent = 1000;
			*flagsp = (*flagsp & ~(0xffff << JSON_INDENT_SHIFT)) | JSON_INDENT((int)indent);
		} else if (KW("sort_keys") || KW("ensure_ascii")) {
			int bit = KW("sort_keys") ? JSON_SORT_KEYS : JSON_ASCII;

			if ((r = tpl_truth(c, k->val, &b)) != 0)
				return r;
			*flagsp = b ? (*flagsp | bit) : (*flagsp & ~bit);
		} else if (KW("separators")) {
			const struct value *s = k->val;

			/* Only the separators json.dumps uses anyway. */
			if (s->type != VALUE_LIST || s->u.l.len != 2 || !is_str(s->u.l.items[1]) ||
			    strcmp(s->u.l.items[1]->u.s.ptr, ": ") != 0 || !is_str(s->u.l.items[0]) ||
			    strcmp(s->u.l.items[0]->u.s.ptr, (*flagsp >> JSON_INDENT_SHIFT) ? "," : ", ") != 0)
				return tpl_fail(c, ERR_INVAL, "json separators other than the defaults are not supported by drover");
		} else if (!(KW("vault_to_text") || KW("preprocess_unsafe") || KW("check_circular") || KW("allow_nan") ||
		             KW("skipkeys"))) {
			return tpl_fail(c, ERR_INVAL, "%s() got an unexpected keyword argument '%.*s'", c->name, (int)k->len,
			                k->name);
		}
#undef KW
	}
	return 0;
}

static int f_to_json(struct tpl_call *c, struct value **vp)
{
	int flags = JSON_ASCII, r;

	if (c->nargs != 1)
		return tpl_fail(c, ERR_INVAL, "to_json() takes exactly one positional argument");
	if ((r = fc_json_kwargs(c, 0, &flags)) != 0)
		return r;
	return fc_json(c, c->args[0], flags, vp);
}

static int f_to_nice_json(struct tpl_call *c, struct value **vp)
{
	int flags = JSON_ASCII | JSON_SORT_KEYS | JSON_INDENT(4), r;
	int64_t indent;
	int sort;

	if (c->nargs < 1 || c->nargs > 3)
		return tpl_fail(c, ERR_INVAL, "to_nice_json() takes 1 to 3 positional arguments");
	if (c->nargs >= 2) {
		if ((r = fc_int_arg(c, c->args[1], 4, &indent)) != 0)
			return r;
		flags = (flags & ~(0xffff << JSON_INDENT_SHIFT)) | JSON_INDENT((int)(indent < 0 ? 0 : indent > 1000 ? 1000 : indent));
	}
	if (c->nargs >= 3) {
		if ((r = tpl_truth(c, c->args[2], &sort)) != 0)
			return r;
		flags = sort ? flags | JSON_SORT_KEYS : flags & ~JSON_SORT_KEYS;
	}
	if ((r = fc_json_kwargs(c, 0, &flags)) != 0)
		return r;
	return fc_json(c, c->args[0], flags, vp);
}

static int f_from_json(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct diag d;
	int r;

	BIND(c, a, 1, "a");
	if (!is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "the JSON object must be str, bytes or bytearray, not %s", pyval_type(a[0]));
	diag_init(&d);
	r = json_decode(a[0]->u.s.ptr, a[0]->u.s.len, NULL, vp, &d);
	if (r != 0)
		r = tpl_fail(c, r == ERR_PARSE ? ERR_INVAL : r, "%s", d.msg ? d.msg : "invalid JSON");
	diag_fini(&d);
	return r;
}

/* Jinja's tojson: sorted keys, HTML-safe. */
static int f_tojson(struct tpl_call *c, struct value **vp)
{
	struct value *a[2], *j;
	struct buf b;
	int64_t indent;
	int flags = JSON_ASCII | JSON_SORT_KEYS, r = 0;
	size_t i;

	BIND(c, a, 1, "value", "indent");
	if (!fc_is_none(a[1])) {
		if ((r = fc_int_arg(c, a[1], 0, &indent)) != 0)
			return r;
		flags |= JSON_INDENT((int)(indent < 0 ? 0 : indent > 1000 ? 1000 : indent));
	}
	if ((r = fc_json(c, a[0], flags, &j)) != 0)
		return r;
	tpl_buf(c, &b);
	for (i = 0; i < j->u.s.len && r == 0; i++) {
		switch (j->u.s.ptr[i]) {
		case '<': r = buf_puts(&b, "\\u003c"); break;
		case '>': r = buf_puts(&b, "\\u003e"); break;
		case '&': r = buf_puts(&b, "\\u0026"); break;
		case '\'': r = buf_puts(&b, "\\u0027"); break;
		default: r = buf_putc(&b, j->u.s.ptr[i]); break;
		}
	}
	value_unref(j);
	if (r != 0) {
		buf_fini(&b);
		return tpl_fail(c, ERR_TOOBIG, "string too long");
	}
	*vp = fc_take(&b);
	(*vp)->flags |= TPL_F_MARKUP;
	return 0;
}

const struct tpl_fn_def tpl_filters_core[] = {
	{"abs", f_abs, 0},
	{"bool", f_bool, 0},
	{"capitalize", f_capitalize, 0},
	{"center", f_center, 0},
	{"count", f_length, 0},
	{"d", f_default, TPL_FN_UNDEF_OK},
	{"default", f_default, TPL_FN_UNDEF_OK},
	{"e", f_escape, 0},
	{"escape", f_escape, 0},
	{"float", f_float, 0},
	{"forceescape", f_forceescape, 0},
	{"format", f_format, 0},
	{"from_json", f_from_json, 0},
	{"indent", f_indent, 0},
	{"int", f_int, 0},
	{"length", f_length, 0},
	{"lower", f_lower, 0},
	{"replace", f_replace, 0},
	{"round", f_round, 0},
	{"safe", f_safe, 0},
	{"string", f_string, TPL_FN_STRING_TYPE},
	{"title", f_title, 0},
	{"to_json", f_to_json, TPL_FN_STRING_TYPE},
	{"to_nice_json", f_to_nice_json, TPL_FN_STRING_TYPE},
	{"tojson", f_tojson, 0},
	{"trim", f_trim, 0},
	{"upper", f_upper, 0},
	{"wordcount", f_wordcount, 0},
	{NULL, NULL, 0},
};
