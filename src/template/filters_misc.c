/* Ansible's formatting filters (ansible/plugins/filter/core.py and
 * mathstuff.py in 2.14): comment (its styles and options), human_readable
 * and human_to_bytes (module_utils' formatters), strftime, to_datetime
 * (which gives str() of the datetime: drover has no datetime values), log,
 * pow, root and path_join. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "template/eval.h"
#include "template/pyval.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static struct value *fm_take(struct buf *b)
{
	size_t len;
	char *s = buf_take(b, &len);

	return value_str_take(s, len);
}

/* ---- comment ---- */

enum { FM_NEWLINE, FM_BEGINNING, FM_PREFIX, FM_PREFIX_COUNT, FM_DECORATION, FM_POSTFIX, FM_POSTFIX_COUNT, FM_END,
       FM_NOPTS };

static const char *const fm_opt_names[FM_NOPTS] = {"newline",    "beginning", "prefix",        "prefix_count",
                                                    "decoration", "postfix",   "postfix_count", "end"};

/* Appends s with every occurrence of from replaced by to. */
static int fm_replace(struct buf *out, const char *s, size_t n, const char *from, size_t fl, const char *to,
                      size_t tl)
{
	size_t i = 0;

	while (i < n) {
		if (fl > 0 && i + fl <= n && memcmp(s + i, from, fl) == 0) {
			if (buf_put(out, to, tl) != 0)
				return -1;
			i += fl;
		} else if (buf_putc(out, s[i++]) != 0) {
			return -1;
		}
	}
	return 0;
}

static int f_comment(struct tpl_call *c, struct value **vp)
{
	static const char *const styles[][4] = {
	    /* name, beginning, decoration, end */
	    {"plain", "", "# ", ""},         {"erlang", "", "% ", ""},    {"c", "", "// ", ""},
	    {"cblock", "/*", " * ", " */"}, {"xml", "<!--", " - ", "-->"},
	};
	struct buf opt[FM_NOPTS], text, t1, t2, out;
	const char *style = "plain";
	struct value *txt = NULL;
	int64_t pre_n = 1, post_n = 1;
	size_t i, k, si;
	int r = ERR_INTERNAL, deco_given = 0;

	for (i = 0; i < FM_NOPTS; i++)
		tpl_buf(c, &opt[i]);
	tpl_buf(c, &text);
	tpl_buf(c, &t1);
	tpl_buf(c, &t2);
	tpl_buf(c, &out);
	if (c->nargs < 1 || c->nargs > 2) {
		r = tpl_fail(c, ERR_INVAL, "comment() takes from 1 to 2 positional arguments");
		goto out;
	}
	txt = c->args[0];
	if (c->nargs == 2) {
		if (!is_str(c->args[1])) {
			r = tpl_fail(c, ERR_INVAL, "unhashable type: '%s'", tpl_type_name(c->args[1]));
			goto out;
		}
		style = c->args[1]->u.s.ptr;
	}
	for (si = 0; si < sizeof(styles) / sizeof(styles[0]); si++)
		if (strcmp(styles[si][0], style) == 0)
			break;
	if (si == sizeof(styles) / sizeof(styles[0])) {
		r = tpl_fail(c, ERR_INVAL, "'%s'", style);
		goto out;
	}
	/* Defaults: prefix and postfix are the decoration stripped on the
	 * right; the style's own decoration/beginning/end apply next, then
	 * the keywords. */
	buf_puts(&opt[FM_NEWLINE], "\n");
	buf_puts(&opt[FM_BEGINNING], styles[si][1]);
	buf_puts(&opt[FM_DECORATION], styles[si][2]);
	buf_puts(&opt[FM_END], styles[si][3]);
	for (i = 0; i < c->nkw; i++)
		if (c->kw[i].len == 10 && memcmp(c->kw[i].name, "decoration", 10) == 0) {
			buf_reset(&opt[FM_DECORATION]);
			if ((r = tpl_str(c, c->kw[i].val, &opt[FM_DECORATION])) != 0)
				goto out;
			deco_given = 1;
		}
	(void)deco_given;
	k = opt[FM_DECORATION].len;
	while (k > 0 && strchr(" \t\n\r\v\f", buf_str(&opt[FM_DECORATION])[k - 1]) != NULL)
		k--;
	buf_put(&opt[FM_PREFIX], buf_str(&opt[FM_DECORATION]), k);
	buf_put(&opt[FM_POSTFIX], buf_str(&opt[FM_DECORATION]), k);
	/* p.update(style_params): the style's decoration replaces a keyword
	 * one only for prefix/postfix computation above; then kw wins. */
	buf_reset(&opt[FM_DECORATION]);
	buf_puts(&opt[FM_DECORATION], styles[si][2]);
	for (i = 0; i < c->nkw; i++) {
		const struct tpl_kwarg *kw = &c->kw[i];

		for (k = 0; k < FM_NOPTS; k++)
			if (strlen(fm_opt_names[k]) == kw->len && memcmp(fm_opt_names[k], kw->name, kw->len) == 0)
				break;
		if (k == FM_NOPTS)
			continue; /* Python keeps unknown keys in p, unused */
		if (k == FM_PREFIX_COUNT || k == FM_POSTFIX_COUNT) {
			if ((r = tpl_to_int(c, kw->val, k == FM_PREFIX_COUNT ? &pre_n : &post_n)) != 0)
				goto out;
			continue;
		}
		buf_reset(&opt[k]);
		if ((r = tpl_str(c, kw->val, &opt[k])) != 0)
			goto out;
	}
	if (pre_n > 1000 || post_n > 1000) {
		r = tpl_fail(c, ERR_TOOBIG, "comment: prefix_count and postfix_count are limited to 1000 in drover");
		goto out;
	}
	if (!is_str(txt)) {
		r = tpl_fail(c, ERR_INVAL, "'%s' object has no attribute 'replace'", tpl_type_name(txt));
		goto out;
	}
#define O(k) buf_str(&opt[k]), opt[k].len
	if (opt[FM_BEGINNING].len > 0 && (buf_put(&out, O(FM_BEGINNING)) != 0 || buf_put(&out, O(FM_NEWLINE)) != 0))
		goto big;
	if (opt[FM_PREFIX].len > 0) {
		int same = opt[FM_PREFIX].len == opt[FM_NEWLINE].len &&
		           memcmp(buf_str(&opt[FM_PREFIX]), buf_str(&opt[FM_NEWLINE]), opt[FM_NEWLINE].len) == 0;

		for (i = 0; i < (size_t)(pre_n > 0 ? pre_n : 0); i++)
			if ((!same && buf_put(&out, O(FM_PREFIX)) != 0) || buf_put(&out, O(FM_NEWLINE)) != 0)
				goto big;
	}
	/* decoration + text with newline -> newline + decoration, then
	 * "decoration newline" -> "decoration.rstrip() newline". */
	buf_put(&t1, O(FM_DECORATION));
	buf_put(&t2, O(FM_NEWLINE));
	buf_put(&t2, O(FM_DECORATION));
	if (fm_replace(&t1, txt->u.s.ptr, txt->u.s.len, O(FM_NEWLINE), buf_str(&t2), t2.len) != 0)
		goto big;
	buf_reset(&t2);
	buf_put(&t2, O(FM_DECORATION));
	buf_put(&t2, O(FM_NEWLINE));
	k = opt[FM_DECORATION].len;
	while (k > 0 && strchr(" \t\n\r\v\f", buf_str(&opt[FM_DECORATION])[k - 1]) != NULL)
		k--;
	buf_reset(&text);
	buf_put(&text, buf_str(&opt[FM_DECORATION]), k);
	buf_put(&text, O(FM_NEWLINE));
	if (fm_replace(&out, buf_str(&t1), t1.len, buf_str(&t2), t2.len, buf_str(&text), text.len) != 0)
		goto big;
	for (i = 0; i < (size_t)(post_n > 0 ? post_n : 0); i++)
		if (buf_put(&out, O(FM_NEWLINE)) != 0 || buf_put(&out, O(FM_POSTFIX)) != 0)
			goto big;
	if (opt[FM_END].len > 0 && (buf_put(&out, O(FM_NEWLINE)) != 0 || buf_put(&out, O(FM_END)) != 0))
		goto big;
#undef O
	*vp = fm_take(&out);
	r = 0;
	goto out;
big:
	r = tpl_fail(c, ERR_TOOBIG, "comment: result too large");
out:
	for (i = 0; i < FM_NOPTS; i++)
		buf_fini(&opt[i]);
	buf_fini(&text);
	buf_fini(&t1);
	buf_fini(&t2);
	buf_fini(&out);
	return r;
}

/* ---- sizes ---- */

static const struct {
	char suffix;
	int shift;
} fm_sizes[] = {{'Y', 80}, {'Z', 70}, {'E', 60}, {'P', 50}, {'T', 40}, {'G', 30}, {'M', 20}, {'K', 10}, {'B', 0}};

static int f_human_readable(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	const char *unit = NULL;
	char out[128];
	double size, limit = 1;
	int isbits = 0, r;
	size_t i;

	BIND(c, a, 1, "size", "isbits", "unit");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &isbits)) != 0)
		return r;
	if (a[2] != NULL && a[2]->type != VALUE_NULL) {
		if (!is_str(a[2]) || a[2]->u.s.len == 0)
			return tpl_fail(c, ERR_INVAL, "human_readable() can't interpret following string");
		unit = a[2]->u.s.ptr;
	}
	if (!pyval_is_number(a[0]))
		return tpl_fail(c, ERR_INVAL,
		                "human_readable() failed on bad input: '>=' not supported between instances of '%s' and "
		                "'int'",
		                tpl_type_name(a[0]));
	size = pyval_float(a[0]);
	for (i = 0; i < sizeof(fm_sizes) / sizeof(fm_sizes[0]); i++) {
		char u = unit != NULL ? unit[0] : 0;

		limit = ldexp(1.0, fm_sizes[i].shift);
		if (u >= 'a' && u <= 'z')
			u = (char)(u - 'a' + 'A');
		if ((unit == NULL && size >= limit) || (unit != NULL && u == fm_sizes[i].suffix))
			break;
	}
	if (i == sizeof(fm_sizes) / sizeof(fm_sizes[0]))
		i--;
	if (fm_sizes[i].shift != 0)
		snprintf(out, sizeof(out), "%.2f %c%c", size / limit, fm_sizes[i].suffix, isbits ? 'b' : 'B');
	else
		snprintf(out, sizeof(out), "%.2f %s", size / limit, isbits ? "bits" : "Bytes");
	*vp = value_str(out);
	return 0;
}

static int f_human_to_bytes(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	struct buf b;
	const char *s, *num, *unit = NULL;
	char numbuf[64], unitbuf[64];
	size_t nn, un, i;
	double f, limit = 0;
	int isbits = 0, r;

	BIND(c, a, 1, "size", "default_unit", "isbits");
	if (a[2] != NULL && (r = tpl_truth(c, a[2], &isbits)) != 0)
		return r;
	tpl_buf(c, &b);
	if ((r = tpl_str(c, a[0], &b)) != 0) {
		buf_fini(&b);
		return r;
	}
	s = buf_str(&b);
	s += strspn(s, " \t\n\r\v\f");
	num = s;
	nn = strspn(s, "0123456789");
	if (s[nn] == '.')
		nn += 1 + strspn(s + nn + 1, "0123456789");
	s += nn;
	s += strspn(s, " \t\n\r\v\f");
	un = 0;
	while ((s[un] >= 'a' && s[un] <= 'z') || (s[un] >= 'A' && s[un] <= 'Z'))
		un++;
	if (nn == 0 || nn >= sizeof(numbuf) || un >= sizeof(unitbuf) ||
	    pyval_parse_float(memcpy(numbuf, num, nn), nn, &f) != 0) {
		r = tpl_fail(c, ERR_INVAL, "human_to_bytes() can't interpret following string: %s", buf_str(&b));
		buf_fini(&b);
		return r;
	}
	numbuf[nn] = '\0';
	if (un > 0) {
		memcpy(unitbuf, s, un);
		unitbuf[un] = '\0';
		unit = unitbuf;
	} else if (a[1] != NULL && is_str(a[1])) {
		unit = a[1]->u.s.ptr;
	}
	if (unit == NULL || unit[0] == '\0') {
		buf_fini(&b);
		*vp = value_int((int64_t)rint(f));
		return 0;
	}
	for (i = 0; i < sizeof(fm_sizes) / sizeof(fm_sizes[0]); i++) {
		char u = unit[0];

		if (u >= 'a' && u <= 'z')
			u = (char)(u - 'a' + 'A');
		if (u == fm_sizes[i].suffix) {
			limit = ldexp(1.0, fm_sizes[i].shift);
			break;
		}
	}
	r = 0;
	if (limit == 0) {
		r = tpl_fail(c, ERR_INVAL, "human_to_bytes() failed to convert %s (unit = %s)", buf_str(&b), unit);
	} else if (strlen(unit) > 1) {
		const char *cls = isbits ? "bit" : "byte";
		int has = strcasestr(unit, cls) != NULL;

		if (!has && unit[1] != (isbits ? 'b' : 'B'))
			r = tpl_fail(c, ERR_INVAL, "human_to_bytes() failed to convert %s. Value is not a valid string",
			             buf_str(&b));
	}
	buf_fini(&b);
	if (r != 0)
		return r;
	f = rint(f * limit);
	if (!(fabs(f) < 9223372036854775808.0))
		return tpl_fail(c, ERR_INVAL, "integer overflow (drover integers are 64-bit)");
	*vp = value_int((int64_t)f);
	return 0;
}

/* ---- time ---- */

static int f_strftime(struct tpl_call *c, struct value **vp)
{
	struct value *a[3];
	struct tm tm;
	char out[4096];
	time_t t;
	double sec;
	int utc = 0, r;
	size_t n;

	BIND(c, a, 1, "string_format", "second", "utc");
	if (a[2] != NULL && (r = tpl_truth(c, a[2], &utc)) != 0)
		return r;
	if (a[1] != NULL && a[1]->type != VALUE_NULL) {
		if (pyval_is_number(a[1]))
			sec = pyval_float(a[1]);
		else if (!is_str(a[1]) || pyval_parse_float(a[1]->u.s.ptr, a[1]->u.s.len, &sec) != 0)
			return tpl_fail(c, ERR_INVAL, "Invalid value for epoch value");
		if (!(fabs(sec) < 1e15))
			return tpl_fail(c, ERR_INVAL, "timestamp out of range for platform time_t");
		t = (time_t)floor(sec);
	} else {
		t = time(NULL);
	}
	if (!is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "strftime() argument 1 must be str, not %s", tpl_type_name(a[0]));
	if ((utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == NULL)
		return tpl_fail(c, ERR_INVAL, "timestamp out of range for platform time_t");
	if (a[0]->u.s.len == 0) {
		*vp = value_str("");
		return 0;
	}
	n = strftime(out, sizeof(out), a[0]->u.s.ptr, &tm);
	if (n == 0)
		return tpl_fail(c, ERR_TOOBIG, "strftime: result too large for drover (4 KiB)");
	*vp = value_strn(out, n);
	return 0;
}

static int f_to_datetime(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	const char *fmt = "%Y-%m-%d %H:%M:%S", *end;
	struct tm tm;
	char out[64];

	BIND(c, a, 1, "string", "format");
	if (a[1] != NULL && is_str(a[1]))
		fmt = a[1]->u.s.ptr;
	if (!is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "strptime() argument 1 must be str, not %s", tpl_type_name(a[0]));
	memset(&tm, 0, sizeof(tm));
	tm.tm_mday = 1;
	tm.tm_year = 1900 - 1900;
	end = strptime(a[0]->u.s.ptr, fmt, &tm);
	if (end == NULL || *end != '\0')
		return tpl_fail(c, ERR_INVAL, "time data '%s' does not match format '%s'", a[0]->u.s.ptr, fmt);
	snprintf(out, sizeof(out), "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	         tm.tm_hour, tm.tm_min, tm.tm_sec);
	*vp = value_str(out);
	return 0;
}

/* ---- math and paths ---- */

static int fm_num(struct tpl_call *c, const struct value *v, double *fp)
{
	if (!pyval_is_number(v))
		return tpl_fail(c, ERR_INVAL, "must be real number, not %s", tpl_type_name(v));
	*fp = pyval_float(v);
	return 0;
}

static int f_log(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"x", "base", NULL};
	struct value *a[2];
	double x = 0, b = M_E;
	int r;

	if ((r = tpl_bind(c, params, 1, a)) != 0 || (r = fm_num(c, a[0], &x)) != 0 ||
	    (a[1] != NULL && (r = fm_num(c, a[1], &b)) != 0))
		return r;
	if (x <= 0 || b <= 0 || b == 1)
		return tpl_fail(c, ERR_INVAL, b == 1 ? "float division by zero" : "math domain error");
	*vp = value_float(a[1] == NULL ? log(x) : log(x) / log(b));
	return 0;
}

static int f_pow(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"x", "y", NULL};
	struct value *a[2];
	double x = 0, y = 0, z;
	int r;

	if ((r = tpl_bind(c, params, 2, a)) != 0 || (r = fm_num(c, a[0], &x)) != 0 || (r = fm_num(c, a[1], &y)) != 0)
		return r;
	z = pow(x, y);
	if (isnan(z) && !isnan(x) && !isnan(y))
		return tpl_fail(c, ERR_INVAL, "math domain error");
	if (isinf(z) && !isinf(x) && !isinf(y))
		return tpl_fail(c, ERR_INVAL, x == 0 ? "math domain error" : "math range error");
	*vp = value_float(z);
	return 0;
}

static int f_root(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"x", "base", NULL};
	struct value *a[2];
	double x = 0, b = 2;
	int r;

	if ((r = tpl_bind(c, params, 1, a)) != 0 || (r = fm_num(c, a[0], &x)) != 0 ||
	    (a[1] != NULL && (r = fm_num(c, a[1], &b)) != 0))
		return r;
	if (b == 2) {
		if (x < 0)
			return tpl_fail(c, ERR_INVAL, "math domain error");
		*vp = value_float(sqrt(x));
		return 0;
	}
	if (b == 0)
		return tpl_fail(c, ERR_INVAL, "float division by zero");
	if (x < 0)
		return tpl_fail(c, ERR_INVAL, "math domain error");
	*vp = value_float(pow(x, 1.0 / b));
	return 0;
}

/* os.path.join(*paths) of a string or a list. */
static int f_path_join(struct tpl_call *c, struct value **vp)
{
	static const char *const params[] = {"paths", NULL};
	struct value *a[1];
	struct buf out;
	size_t i, n;
	int r;

	if ((r = tpl_bind(c, params, 1, a)) != 0)
		return r;
	if (is_str(a[0])) {
		*vp = value_ref(a[0]);
		return 0;
	}
	if (a[0]->type != VALUE_LIST || is_special(a[0]))
		return tpl_fail(c, ERR_INVAL, "|path_join expects string or sequence, got %s instead.",
		                tpl_type_name(a[0]));
	n = value_len(a[0]);
	if (n == 0)
		return tpl_fail(c, ERR_INVAL, "join() missing 1 required positional argument: 'a'");
	tpl_buf(c, &out);
	for (i = 0; i < n; i++) {
		const struct value *p = value_list_at(a[0], i);

		if (!is_str(p)) {
			buf_fini(&out);
			return tpl_fail(c, ERR_INVAL, "join() argument must be str, bytes, or os.PathLike object, not '%s'",
			                tpl_type_name(p));
		}
		if (p->u.s.len > 0 && p->u.s.ptr[0] == '/')
			buf_reset(&out);
		else if (out.len > 0 && buf_str(&out)[out.len - 1] != '/')
			buf_putc(&out, '/');
		if (buf_put(&out, p->u.s.ptr, p->u.s.len) != 0) {
			buf_fini(&out);
			return tpl_fail(c, ERR_TOOBIG, "path_join: result too large");
		}
	}
	*vp = fm_take(&out);
	return 0;
}

const struct tpl_fn_def tpl_filters_misc[] = {
	{"comment", f_comment, 0},
	{"human_readable", f_human_readable, 0},
	{"human_to_bytes", f_human_to_bytes, 0},
	{"log", f_log, 0},
	{"path_join", f_path_join, 0},
	{"pow", f_pow, 0},
	{"root", f_root, 0},
	{"strftime", f_strftime, 0},
	{"to_datetime", f_to_datetime, 0},
	{NULL, NULL, 0},
};
