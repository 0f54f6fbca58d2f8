/* Ansible's tests (ansible/plugins/test/{core,files,mathstuff}.py in 2.14):
 * task results (failed, succeeded, changed, skipped, finished, started,
 * unreachable, reachable), match/search/regex through data/pyre.h,
 * version/version_compare with LooseVersion, StrictVersion and semantic
 * versions, subset/superset/contains, any/all, truthy/falsy, nan, and the
 * file tests on the controller's file system. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "data/pyre.h"
#include "template/eval.h"
#include "template/pyval.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static int ta_is_map(const struct value *v)
{
	return v != NULL && v->type == VALUE_MAP && !is_special(v);
}

static int ta_is_list(const struct value *v)
{
	return v != NULL && v->type == VALUE_LIST && !is_special(v);
}

/* ---- task results ---- */

static int ta_result(struct tpl_call *c, const char *test, struct value **ap)
{
	BIND(c, ap, 1, "result");
	if (!ta_is_map(ap[0]))
		return tpl_fail(c, ERR_INVAL, "The '%s' test expects a dictionary", test);
	return 0;
}

/* result.get(key, def) */
static struct value *ta_get(const struct value *m, const char *key, int def)
{
	struct value *v = value_map_get(m, key);

	return v != NULL ? value_ref(v) : value_bool(def);
}

static int ta_key(struct tpl_call *c, const char *test, const char *key, int def, int negate, struct value **vp)
{
	struct value *a[1], *v;
	int truth, r;

	if ((r = ta_result(c, test, a)) != 0)
		return r;
	v = ta_get(a[0], key, def);
	if (!negate) {
		*vp = v;
		return 0;
	}
	r = tpl_truth(c, v, &truth);
	value_unref(v);
	if (r != 0)
		return r;
	*vp = value_bool(!truth);
	return 0;
}

static int t_failed(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "failed", "failed", 0, 0, vp);
}

static int t_success(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "success", "failed", 0, 1, vp);
}

static int t_skipped(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "skipped", "skipped", 0, 0, vp);
}

static int t_finished(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "finished", "finished", 1, 0, vp);
}

static int t_started(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "started", "started", 1, 0, vp);
}

static int t_unreachable(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "unreachable", "unreachable", 0, 0, vp);
}

static int t_reachable(struct tpl_call *c, struct value **vp)
{
	return ta_key(c, "reachable", "unreachable", 0, 1, vp);
}

static int t_changed(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *res;
	size_t i;
	int truth, r;

	if ((r = ta_result(c, "changed", a)) != 0)
		return r;
	if (value_map_get(a[0], "changed") != NULL) {
		*vp = value_ref(value_map_get(a[0], "changed"));
		return 0;
	}
	res = value_map_get(a[0], "results");
	if (ta_is_list(res) && value_len(res) > 0 && ta_is_map(value_list_at(res, 0))) {
		for (i = 0; i < value_len(res); i++) {
			struct value *it = value_list_at(res, i), *ch;

			if (!ta_is_map(it))
				return tpl_fail(c, ERR_INVAL, "'%s' object has no attribute 'get'", tpl_type_name(it));
			ch = value_map_get(it, "changed");
			if (ch != NULL) {
				if ((r = tpl_truth(c, ch, &truth)) != 0)
					return r;
				if (truth) {
					*vp = value_bool(1);
					return 0;
				}
			}
		}
	}
	*vp = value_bool(0);
	return 0;
}

/* ---- regular expressions ---- */

static int ta_regex(struct tpl_call *c, const struct value *val, const struct value *pat, int icase, int ml,
                    int match, struct value **vp)
{
	struct buf v, p;
	struct pyre *re = NULL;
	struct pyre_match m;
	char *err = NULL;
	int r, hit;

	tpl_buf(c, &v);
	tpl_buf(c, &p);
	if ((val != NULL && (r = tpl_str(c, val, &v)) != 0) || (pat != NULL && (r = tpl_str(c, pat, &p)) != 0))
		goto out;
	if (pyre_compile(buf_str(&p), p.len, (icase ? PYRE_IGNORECASE : 0) | (ml ? PYRE_MULTILINE : 0), &re,
	                 &err) != 0) {
		r = tpl_fail(c, ERR_INVAL, "regular expression: %s", err != NULL ? err : "cannot compile");
		goto out;
	}
	if ((r = tpl_charge(c, v.len)) != 0)
		goto out;
	hit = pyre_search(re, buf_str(&v), v.len, 0, &m);
	/* POSIX finds the leftmost match: one at 0 exists iff re.match would. */
	*vp = value_bool(hit && (!match || m.so[0] == 0));
	r = 0;
out:
	free(err);
	pyre_free(re);
	buf_fini(&v);
	buf_fini(&p);
	return r;
}

static int ta_regex_test(struct tpl_call *c, int kind, struct value **vp)
{
	struct value *a[5];
	int icase = 0, ml = 0, match = kind == 'm', r;

	BIND(c, a, 0, "value", "pattern", "ignorecase", "multiline", "match_type");
	if ((a[2] != NULL && (r = tpl_truth(c, a[2], &icase)) != 0) ||
	    (a[3] != NULL && (r = tpl_truth(c, a[3], &ml)) != 0))
		return r;
	if (kind == 'r' && a[4] != NULL)
		match = is_str(a[4]) && strcmp(a[4]->u.s.ptr, "match") == 0;
	else if (kind != 'r' && a[4] != NULL)
		return tpl_fail(c, ERR_INVAL, "%s() got an unexpected keyword argument 'match_type'", c->name);
	return ta_regex(c, a[0], a[1], icase, ml, match, vp);
}

static int t_match(struct tpl_call *c, struct value **vp)
{
	return ta_regex_test(c, 'm', vp);
}

static int t_search(struct tpl_call *c, struct value **vp)
{
	return ta_regex_test(c, 's', vp);
}

static int t_regex(struct tpl_call *c, struct value **vp)
{
	return ta_regex_test(c, 'r', vp);
}

/* ---- versions ---- */

#define TA_MAX_PARTS 64

/* One component: a number (num >= 0) or a text run (s, n). */
struct ta_part {
	int64_t num; /* -1 for text */
	const char *s;
	size_t n;
};

/* LooseVersion: runs of digits, runs of letters and other characters,
 * dots dropped. Returns the count or -1 when too many. */
static int ta_loose(const char *s, struct ta_part *parts)
{
	int n = 0;

	while (*s != '\0') {
		const char *st = s;

		if (*s == '.') {
			s++;
			continue;
		}
		if (n == TA_MAX_PARTS)
			return -1;
		if (*s >= '0' && *s <= '9') {
			int64_t v = 0;

			while (*s >= '0' && *s <= '9') {
				if (v < INT64_MAX / 10 - 10)
					v = v * 10 + (*s - '0');
				s++;
			}
			parts[n].num = v;
		} else if ((*s >= 'a' && *s <= 'z')) {
			while (*s >= 'a' && *s <= 'z')
				s++;
			parts[n].num = -1;
		} else {
			/* Each other character stands alone (re.split keeps it). */
			while (*s != '\0' && *s != '.' && !(*s >= '0' && *s <= '9') && !(*s >= 'a' && *s <= 'z'))
				s++;
			parts[n].num = -1;
		}
		parts[n].s = st;
		parts[n].n = (size_t)(s - st);
		n++;
	}
	return n;
}

static int ta_part_cmp(const struct ta_part *a, const struct ta_part *b, int *errp)
{
	int r;

	if ((a->num < 0) != (b->num < 0)) {
		*errp = 1;
		return 0;
	}
	if (a->num >= 0)
		return a->num < b->num ? -1 : a->num > b->num;
	r = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return a->n < b->n ? -1 : a->n > b->n;
}

static int ta_loose_cmp(struct tpl_call *c, const char *x, const char *y, int *cmpp)
{
	struct ta_part a[TA_MAX_PARTS], b[TA_MAX_PARTS];
	int na = ta_loose(x, a), nb = ta_loose(y, b), i, err = 0, k;

	if (na < 0 || nb < 0)
		return tpl_fail(c, ERR_INVAL, "Version comparison failed: version has too many components");
	for (i = 0; i < na && i < nb; i++) {
		k = ta_part_cmp(&a[i], &b[i], &err);
		if (err)
			return tpl_fail(c, ERR_INVAL,
			                "Version comparison failed: '<' not supported between instances of '%s' and '%s'",
			                a[i].num < 0 ? "str" : "int", b[i].num < 0 ? "str" : "int");
		if (k != 0) {
			*cmpp = k;
			return 0;
		}
	}
	*cmpp = na < nb ? -1 : na > nb;
	return 0;
}

static int ta_digits(const char **sp, int64_t *vp, int no_lead_zero)
{
	const char *s = *sp;
	int64_t v = 0;

	if (!(*s >= '0' && *s <= '9'))
		return -1;
	if (no_lead_zero && s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		if (v > INT64_MAX / 10 - 10)
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	*sp = s;
	*vp = v;
	return 0;
}

/* StrictVersion: N.N[.N][(a|b)N]; v[3] is 0 for a, 1 for b, 2 for none. */
static int ta_strict(const char *s, int64_t v[5])
{
	v[2] = 0;
	v[3] = 2;
	v[4] = 0;
	if (ta_digits(&s, &v[0], 0) != 0 || *s++ != '.' || ta_digits(&s, &v[1], 0) != 0)
		return -1;
	if (*s == '.') {
		s++;
		if (ta_digits(&s, &v[2], 0) != 0)
			return -1;
	}
	if (*s == 'a' || *s == 'b') {
		v[3] = *s++ == 'a' ? 0 : 1;
		if (ta_digits(&s, &v[4], 0) != 0)
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

/* Semantic version 2.0.0: core numbers, then the pre-release identifiers
 * (pre, npre bytes); build metadata is ignored. */
static int ta_semver(const char *s, int64_t core[3], const char **prep, size_t *npre)
{
	int i;

	for (i = 0; i < 3; i++) {
		if (ta_digits(&s, &core[i], 1) != 0 || (i < 2 && *s++ != '.'))
			return -1;
	}
	*prep = NULL;
	*npre = 0;
	if (*s == '-') {
		*prep = ++s;
		s += strcspn(s, "+");
		*npre = (size_t)(s - *prep);
		if (*npre == 0)
			return -1;
	}
	if (*s == '+') {
		if (s[1] == '\0')
			return -1;
		s += strlen(s);
	}
	for (i = 0; (*prep) != NULL && (size_t)i < *npre; i++) {
		char ch = (*prep)[i];

		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
		      ch == '.'))
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

static int ta_ident_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i;
	int an = na > 0, bn = nb > 0, r;

	for (i = 0; i < na; i++)
		an &= a[i] >= '0' && a[i] <= '9';
	for (i = 0; i < nb; i++)
		bn &= b[i] >= '0' && b[i] <= '9';
	if (an && bn) {
		if (na != nb)
			return na < nb ? -1 : 1;
	} else if (an != bn) {
		return an ? -1 : 1;
	}
	r = memcmp(a, b, na < nb ? na : nb);
	if (r != 0)
		return r < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static int ta_semver_cmp(const char *pa, size_t na, const char *pb, size_t nb)
{
	while (na > 0 && nb > 0) {
		size_t la = strcspn(pa, "."), lb = strcspn(pb, ".");
		int k;

		la = la > na ? na : la;
		lb = lb > nb ? nb : lb;
		if ((k = ta_ident_cmp(pa, la, pb, lb)) != 0)
			return k;
		pa += la;
		na -= la;
		pb += lb;
		nb -= lb;
		if (na > 0) {
			pa++;
			na--;
		}
		if (nb > 0) {
			pb++;
			nb--;
		}
	}
	return na > 0 ? 1 : nb > 0 ? -1 : 0;
}

static int ta_version_cmp(struct tpl_call *c, int type, const char *x, const char *y, int *cmpp)
{
	int64_t a[5], b[5];
	const char *pa, *pb;
	size_t na, nb;
	int i;

	if (type == 'l')
		return ta_loose_cmp(c, x, y, cmpp);
	if (type == 's') {
		if (ta_strict(x, a) != 0 || ta_strict(y, b) != 0)
			return tpl_fail(c, ERR_INVAL, "Version comparison failed: invalid version number '%s'",
			                ta_strict(x, a) != 0 ? x : y);
		for (i = 0; i < 5; i++)
			if (a[i] != b[i]) {
				*cmpp = a[i] < b[i] ? -1 : 1;
				return 0;
			}
		*cmpp = 0;
		return 0;
	}
	if (ta_semver(x, a, &pa, &na) != 0 || ta_semver(y, b, &pb, &nb) != 0)
		return tpl_fail(c, ERR_INVAL, "Version comparison failed: invalid semantic version '%s'",
		                ta_semver(x, a, &pa, &na) != 0 ? x : y);
	for (i = 0; i < 3; i++)
		if (a[i] != b[i]) {
			*cmpp = a[i] < b[i] ? -1 : 1;
			return 0;
		}
	if (pa == NULL || pb == NULL)
		*cmpp = pa == pb ? 0 : pa == NULL ? 1 : -1;
	else
		*cmpp = ta_semver_cmp(pa, na, pb, nb);
	return 0;
}

static int t_version(struct tpl_call *c, struct value **vp)
{
	static const char *const ops[][2] = {
	    {"==", "eq"}, {"=", "eq"}, {"eq", "eq"}, {"<", "lt"}, {"lt", "lt"}, {"<=", "le"}, {"le", "le"},
	    {">", "gt"},  {"gt", "gt"}, {">=", "ge"}, {"ge", "ge"}, {"!=", "ne"}, {"<>", "ne"}, {"ne", "ne"},
	};
	struct value *a[5];
	struct buf x, y;
	const char *op = "eq";
	int strict = 0, type = 'l', cmp = 0, tx, ty, r;
	size_t i;

	BIND(c, a, 2, "value", "version", "operator", "strict", "version_type");
	if (a[3] != NULL && (r = tpl_truth(c, a[3], &strict)) != 0)
		return r;
	if (a[4] != NULL && (a[4]->type != VALUE_NULL)) {
		if (strict)
			return tpl_fail(c, ERR_INVAL, "Cannot specify both 'strict' and 'version_type'");
		if (!is_str(a[4]))
			return tpl_fail(c, ERR_INVAL, "Invalid version type");
		if (strcmp(a[4]->u.s.ptr, "loose") == 0)
			type = 'l';
		else if (strcmp(a[4]->u.s.ptr, "strict") == 0)
			type = 's';
		else if (strcmp(a[4]->u.s.ptr, "semver") == 0 || strcmp(a[4]->u.s.ptr, "semantic") == 0)
			type = 'v';
		else if (strcmp(a[4]->u.s.ptr, "pep440") == 0)
			return tpl_fail(c, ERR_INVAL, "version_type pep440 is not supported by drover");
		else
			return tpl_fail(c, ERR_INVAL,
			                "Invalid version type (%s). Must be one of loose, strict, semver, semantic, pep440",
			                a[4]->u.s.ptr);
	} else if (strict) {
		type = 's';
	}
	if ((r = tpl_truth(c, a[0], &tx)) != 0 || (r = tpl_truth(c, a[1], &ty)) != 0)
		return r;
	if (!tx)
		return tpl_fail(c, ERR_INVAL, "Input version value cannot be empty");
	if (!ty)
		return tpl_fail(c, ERR_INVAL, "Version parameter to compare against cannot be empty");
	if (a[2] != NULL) {
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
			if (is_str(a[2]) && strcmp(a[2]->u.s.ptr, ops[i][0]) == 0)
				break;
		if (i == sizeof(ops) / sizeof(ops[0]))
			return tpl_fail(c, ERR_INVAL, "Invalid operator type");
		op = ops[i][1];
	}
	tpl_buf(c, &x);
	tpl_buf(c, &y);
	if ((r = tpl_str(c, a[0], &x)) == 0 && (r = tpl_str(c, a[1], &y)) == 0)
		r = ta_version_cmp(c, type, buf_str(&x), buf_str(&y), &cmp);
	buf_fini(&x);
	buf_fini(&y);
	if (r != 0)
		return r;
	if (strcmp(op, "eq") == 0)
		*vp = value_bool(cmp == 0);
	else if (strcmp(op, "ne") == 0)
		*vp = value_bool(cmp != 0);
	else if (strcmp(op, "lt") == 0)
		*vp = value_bool(cmp < 0);
	else if (strcmp(op, "le") == 0)
		*vp = value_bool(cmp <= 0);
	else if (strcmp(op, "gt") == 0)
		*vp = value_bool(cmp > 0);
	else
		*vp = value_bool(cmp >= 0);
	return 0;
}

/* ---- collections ---- */

static int ta_all_in(struct tpl_call *c, const struct value *a, const struct value *b, int *resp)
{
	struct value *la = NULL, *lb = NULL;
	size_t i, j;
	int r, eq = 0;

	*resp = 1;
	if ((r = tpl_iter(c, a, &la)) != 0 || (r = tpl_iter(c, b, &lb)) != 0)
		goto out;
	if ((r = tpl_charge(c, value_len(la) * (value_len(lb) + 1))) != 0)
		goto out;
	for (i = 0; i < value_len(la) && *resp; i++) {
		struct value *x = value_list_at(la, i);

		if (!pyval_hashable(x)) {
			r = tpl_fail(c, ERR_INVAL, "unhashable type: '%s'", tpl_type_name(x));
			goto out;
		}
		for (j = 0, eq = 0; j < value_len(lb) && !eq; j++)
			if ((r = tpl_eq(c, x, value_list_at(lb, j), &eq)) != 0)
				goto out;
		*resp = eq;
	}
	r = 0;
out:
	value_unref(la);
	value_unref(lb);
	return r;
}

static int t_subset(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	int res, r;

	BIND(c, a, 2, "a", "b");
	if ((r = ta_all_in(c, a[0], a[1], &res)) != 0)
		return r;
	*vp = value_bool(res);
	return 0;
}

static int t_superset(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	int res, r;

	BIND(c, a, 2, "a", "b");
	if ((r = ta_all_in(c, a[1], a[0], &res)) != 0)
		return r;
	*vp = value_bool(res);
	return 0;
}

static int t_contains(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	int res;

	BIND(c, a, 2, "seq", "value");
	if (tpl_test(c, "in", (struct value *const[]){a[1], a[0]}, 2, NULL, 0, &res) != 0)
		return c->rt->err;
	*vp = value_bool(res);
	return 0;
}

static int ta_anyall(struct tpl_call *c, int all, struct value **vp)
{
	struct value *a[1], *l;
	size_t i, n;
	int truth = all, r;

	BIND(c, a, 1, "seq");
	if ((r = tpl_iter(c, a[0], &l)) != 0)
		return r;
	for (i = 0; i < value_len(l); i++) {
		if ((r = tpl_truth(c, value_list_at(l, i), &truth)) != 0) {
			value_unref(l);
			return r;
		}
		if (truth != all)
			break;
	}
	n = value_len(l);
	value_unref(l);
	*vp = value_bool(n == 0 ? all : truth);
	return 0;
}

static int t_any(struct tpl_call *c, struct value **vp)
{
	return ta_anyall(c, 0, vp);
}

static int t_all(struct tpl_call *c, struct value **vp)
{
	return ta_anyall(c, 1, vp);
}

static int ta_truthy(struct tpl_call *c, int negate, struct value **vp)
{
	struct value *a[2], *v, *b = NULL;
	int conv = 0, truth, r;

	BIND(c, a, 1, "value", "convert_bool");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &conv)) != 0)
		return r;
	v = a[0];
	if (conv && tpl_filter(c, "bool", &v, 1, NULL, 0, &b) == 0)
		v = b;
	r = tpl_truth(c, v, &truth);
	value_unref(b);
	if (r != 0)
		return r;
	*vp = value_bool(negate ? !truth : truth);
	return 0;
}

static int t_truthy(struct tpl_call *c, struct value **vp)
{
	return ta_truthy(c, 0, vp);
}

static int t_falsy(struct tpl_call *c, struct value **vp)
{
	return ta_truthy(c, 1, vp);
}

static int t_nan(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "x");
	*vp = value_bool(a[0]->type == VALUE_FLOAT && !is_special(a[0]) && isnan(a[0]->u.f));
	return 0;
}

/* ---- files on the controller ---- */

static int ta_path(struct tpl_call *c, struct value **ap, size_t n, struct buf *b)
{
	static const char *const one[] = {"path", NULL}, *const two[] = {"path", "path2", NULL};
	int r;

	if ((r = tpl_bind(c, n == 1 ? one : two, n, ap)) != 0)
		return r;
	tpl_buf(c, b);
	if ((r = tpl_str(c, ap[0], b)) != 0)
		buf_fini(b);
	return r;
}

static int ta_stat(struct tpl_call *c, int kind, struct value **vp)
{
	struct value *a[1];
	struct stat st, up;
	struct buf b;
	int r, res = 0;

	if ((r = ta_path(c, a, 1, &b)) != 0)
		return r;
	switch (kind) {
	case 'f':
		res = stat(buf_str(&b), &st) == 0 && S_ISREG(st.st_mode);
		break;
	case 'd':
		res = stat(buf_str(&b), &st) == 0 && S_ISDIR(st.st_mode);
		break;
	case 'l':
		res = lstat(buf_str(&b), &st) == 0 && S_ISLNK(st.st_mode);
		break;
	case 'e':
		res = stat(buf_str(&b), &st) == 0;
		break;
	case 'L':
		res = lstat(buf_str(&b), &st) == 0;
		break;
	case 'a':
		res = b.len > 0 && buf_str(&b)[0] == '/';
		break;
	case 'm': {
		/* os.path.ismount: a different device than .., or the same inode. */
		struct buf parent;

		buf_init(&parent, 0);
		if (lstat(buf_str(&b), &st) == 0 && !S_ISLNK(st.st_mode) && buf_puts(&parent, buf_str(&b)) == 0 &&
		    buf_puts(&parent, "/..") == 0 && lstat(buf_str(&parent), &up) == 0)
			res = st.st_dev != up.st_dev || st.st_ino == up.st_ino;
		buf_fini(&parent);
		break;
	}
	}
	buf_fini(&b);
	*vp = value_bool(res);
	return 0;
}

static int t_file(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'f', vp);
}

static int t_directory(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'd', vp);
}

static int t_link(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'l', vp);
}

static int t_exists(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'e', vp);
}

static int t_link_exists(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'L', vp);
}

static int t_abs(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'a', vp);
}

static int t_mount(struct tpl_call *c, struct value **vp)
{
	return ta_stat(c, 'm', vp);
}

static int t_same_file(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct stat s1, s2;
	struct buf b, b2;
	int r;

	if ((r = ta_path(c, a, 2, &b)) != 0)
		return r;
	tpl_buf(c, &b2);
	if ((r = tpl_str(c, a[1], &b2)) != 0)
		goto out;
	if (stat(buf_str(&b), &s1) != 0 || stat(buf_str(&b2), &s2) != 0) {
		r = tpl_fail(c, ERR_INVAL, "[Errno 2] No such file or directory: '%s'",
		             stat(buf_str(&b), &s1) != 0 ? buf_str(&b) : buf_str(&b2));
		goto out;
	}
	*vp = value_bool(s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino);
out:
	buf_fini(&b);
	buf_fini(&b2);
	return r;
}

const struct tpl_fn_def tpl_tests_ansible[] = {
	{"abs", t_abs, 0},
	{"all", t_all, 0},
	{"any", t_any, 0},
	{"change", t_changed, 0},
	{"changed", t_changed, 0},
	{"contains", t_contains, 0},
	{"directory", t_directory, 0},
	{"exists", t_exists, 0},
	{"failed", t_failed, 0},
	{"failure", t_failed, 0},
	{"falsy", t_falsy, 0},
	{"file", t_file, 0},
	{"finished", t_finished, 0},
	{"is_abs", t_abs, 0},
	{"is_dir", t_directory, 0},
	{"is_file", t_file, 0},
	{"is_link", t_link, 0},
	{"is_mount", t_mount, 0},
	{"is_same_file", t_same_file, 0},
	{"isnan", t_nan, 0},
	{"issubset", t_subset, 0},
	{"issuperset", t_superset, 0},
	{"link", t_link, 0},
	{"link_exists", t_link_exists, 0},
	{"match", t_match, 0},
	{"mount", t_mount, 0},
	{"nan", t_nan, 0},
	{"reachable", t_reachable, 0},
	{"regex", t_regex, 0},
	{"same_file", t_same_file, 0},
	{"search", t_search, 0},
	{"skip", t_skipped, 0},
	{"skipped", t_skipped, 0},
	{"started", t_started, 0},
	{"subset", t_subset, 0},
	{"succeeded", t_success, 0},
	{"successful", t_success, 0},
	{"success", t_success, 0},
	{"superset", t_superset, 0},
	{"truthy", t_truthy, 0},
	{"unreachable", t_unreachable, 0},
	{"version", t_version, 0},
	{"version_compare", t_version, 0},
	{NULL, NULL, 0},
};
