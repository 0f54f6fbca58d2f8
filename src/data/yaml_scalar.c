/* Scalar typing for the YAML loader: PyYAML's YAML 1.1 implicit resolver,
 * written as small hand matchers for its regular expressions, and the
 * constructors behind !!int, !!float, !!bool, !!null and !!timestamp. */
#include "data/yaml_scalar.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"

static int ys_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int ys_eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

static int ys_is_bool(const char *s, size_t n)
{
	static const char *const words[] = {"yes", "Yes", "YES", "no", "No", "NO", "true", "True",
	                                    "TRUE", "false", "False", "FALSE", "on", "On", "ON",
	                                    "off", "Off", "OFF"};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (ys_eq(s, n, words[i]))
			return 1;
	return 0;
}

static int ys_is_null(const char *s, size_t n)
{
	return n == 0 || ys_eq(s, n, "~") || ys_eq(s, n, "null") || ys_eq(s, n, "Null") ||
	       ys_eq(s, n, "NULL");
}

/* Consumes one or more characters from set (a string of allowed bytes). */
static size_t ys_span(const char *s, size_t n, size_t i, const char *set)
{
	while (i < n && s[i] != '\0' && strchr(set, s[i]) != NULL)
		i++;
	return i;
}

#define YS_DEC "0123456789_"

/* Matches "(?::[0-5]?[0-9])+" at i; returns the end, or 0 when it does not
 * match at least once. Each segment is one digit, or two digits the first
 * of which is 0-5, and is never followed by a further digit. */
static size_t ys_sexa(const char *s, size_t n, size_t i)
{
	size_t start = i;

	while (i < n && s[i] == ':') {
		if (i + 1 < n && ys_digit(s[i + 1]) && (i + 2 >= n || !ys_digit(s[i + 2])))
			i += 2;
		else if (i + 2 < n && s[i + 1] >= '0' && s[i + 1] <= '5' && ys_digit(s[i + 2]) &&
		         (i + 3 >= n || !ys_digit(s[i + 3])))
			i += 3;
		else
			return 0;
	}
	return i == start ? 0 : i;
}

static int ys_is_int(const char *s, size_t n)
{
	size_t i = 0, j;

	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (i >= n || !ys_digit(s[i]))
		return 0;
	if (s[i] == '0') {
		if (i + 1 == n)
			return 1;
		if (s[i + 1] == 'b')
			return i + 2 < n && ys_span(s, n, i + 2, "01_") == n;
		if (s[i + 1] == 'x')
			return i + 2 < n && ys_span(s, n, i + 2, "0123456789abcdefABCDEF_") == n;
		return ys_span(s, n, i + 1, "01234567_") == n;
	}
	j = ys_span(s, n, i + 1, YS_DEC);
	if (j == n)
		return 1;
	return ys_sexa(s, n, j) == n;
}

/* "(?:[eE][-+][0-9]+)?" followed by the end. */
static int ys_exp_end(const char *s, size_t n, size_t i)
{
	if (i == n)
		return 1;
	if ((s[i] != 'e' && s[i] != 'E') || i + 2 >= n || (s[i + 1] != '-' && s[i + 1] != '+'))
		return 0;
	return ys_span(s, n, i + 2, "0123456789") == n && ys_digit(s[i + 2]);
}

static int ys_is_float(const char *s, size_t n)
{
	size_t i = 0, j, k;

	if (n >= 2 && s[0] == '.' && ys_digit(s[1]))
		return ys_exp_end(s, n, ys_span(s, n, 2, YS_DEC));
	if (ys_eq(s, n, ".nan") || ys_eq(s, n, ".NaN") || ys_eq(s, n, ".NAN"))
		return 1;
	if (n > 0 && (s[0] == '-' || s[0] == '+'))
		i = 1;
	if (ys_eq(s + i, n - i, ".inf") || ys_eq(s + i, n - i, ".Inf") || ys_eq(s + i, n - i, ".INF"))
		return 1;
	if (i >= n || !ys_digit(s[i]))
		return 0;
	j = ys_span(s, n, i + 1, YS_DEC);
	if (j < n && s[j] == '.')
		return ys_exp_end(s, n, ys_span(s, n, j + 1, YS_DEC));
	k = ys_sexa(s, n, j);
	if (k == 0 || k >= n || s[k] != '.')
		return 0;
	return ys_span(s, n, k + 1, YS_DEC) == n;
}

struct ys_time {
	int year, month, day;
	int has_time, hour, minute, second, usec;
	int tz; /* 0 none, 1 'Z', 2 numeric offset */
	int tz_min; /* signed offset in minutes */
};

/* Reads 1..max digits at *ip; returns -1 when there are fewer than min. */
static int ys_num(const char *s, size_t n, size_t *ip, int min, int max)
{
	int v = 0, k = 0;

	while (*ip < n && k < max && ys_digit(s[*ip])) {
		v = v * 10 + (s[*ip] - '0');
		(*ip)++;
		k++;
	}
	return k < min ? -1 : v;
}

/* PyYAML's timestamp regexp (the constructor's form, which also accepts
 * what the resolver's does). */
static int ys_time_parse(const char *s, size_t n, struct ys_time *t)
{
	size_t i = 0, j;
	int k, hour, min;

	memset(t, 0, sizeof(*t));
	if ((t->year = ys_num(s, n, &i, 4, 4)) < 0 || i >= n || s[i++] != '-' ||
	    (t->month = ys_num(s, n, &i, 1, 2)) < 0 || i >= n || s[i++] != '-' ||
	    (t->day = ys_num(s, n, &i, 1, 2)) < 0)
		return -1;
	if (i == n)
		return 0;
	if (s[i] == 'T' || s[i] == 't')
		i++;
	else if (s[i] == ' ' || s[i] == '\t')
		i = ys_span(s, n, i, " \t");
	else
		return -1;
	t->has_time = 1;
	if ((t->hour = ys_num(s, n, &i, 1, 2)) < 0 || i >= n || s[i++] != ':' ||
	    (t->minute = ys_num(s, n, &i, 2, 2)) < 0 || i >= n || s[i++] != ':' ||
	    (t->second = ys_num(s, n, &i, 2, 2)) < 0)
		return -1;
	if (i < n && s[i] == '.') {
		i++;
		for (k = 0; i < n && ys_digit(s[i]); i++, k++)
			if (k < 6)
				t->usec = t->usec * 10 + (s[i] - '0');
		for (; k < 6; k++)
			t->usec *= 10;
	}
	j = ys_span(s, n, i, " \t");
	if (j == n)
		return i == n ? 0 : -1;
	i = j;
	if (s[i] == 'Z') {
		t->tz = 1;
		i++;
	} else if (s[i] == '-' || s[i] == '+') {
		t->tz = 2;
		j = i + 1;
		if ((hour = ys_num(s, n, &j, 1, 2)) < 0)
			return -1;
		min = 0;
		if (j < n && s[j] == ':') {
			j++;
			if ((min = ys_num(s, n, &j, 2, 2)) < 0)
				return -1;
		}
		t->tz_min = (hour * 60 + min) * (s[i] == '-' ? -1 : 1);
		i = j;
	} else {
		return -1;
	}
	return i == n ? 0 : -1;
}

static int ys_is_timestamp(const char *s, size_t n)
{
	struct ys_time t;
	size_t i;

	/* The resolver's regexp is stricter than the constructor's: a date alone
	 * needs two-digit month and day. */
	if (ys_time_parse(s, n, &t) < 0)
		return 0;
	if (!t.has_time) {
		if (n != 10)
			return 0;
		for (i = 0; i < n; i++)
			if (i != 4 && i != 7 && !ys_digit(s[i]))
				return 0;
	}
	return 1;
}

enum yaml_scalar_kind yaml_scalar_resolve(const char *s, size_t n)
{
	char c = n ? s[0] : '\0';

	/* The resolver tries, for the scalar's first character, bool, float,
	 * int, merge, null, timestamp and value, in that order. */
	if (strchr("yYnNtTfFoO", c) != NULL && c != '\0' && ys_is_bool(s, n))
		return YAML_SCALAR_BOOL;
	if (strchr("-+0123456789.", c) != NULL && c != '\0' && ys_is_float(s, n))
		return YAML_SCALAR_FLOAT;
	if (strchr("-+0123456789", c) != NULL && c != '\0' && ys_is_int(s, n))
		return YAML_SCALAR_INT;
	if (ys_eq(s, n, "<<"))
		return YAML_SCALAR_MERGE;
	if (ys_is_null(s, n))
		return YAML_SCALAR_NULL;
	if (ys_digit(c) && ys_is_timestamp(s, n))
		return YAML_SCALAR_TIMESTAMP;
	if (ys_eq(s, n, "="))
		return YAML_SCALAR_VALUE;
	return YAML_SCALAR_STR;
}

/* Copies s without '_' (PyYAML removes them before converting). */
static char *ys_strip_underscores(const char *s, size_t n)
{
	char *out = xmalloc(n + 1);
	size_t i, j = 0;

	for (i = 0; i < n; i++)
		if (s[i] != '_')
			out[j++] = s[i];
	out[j] = '\0';
	return out;
}

static int ys_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Python's int(s, base) for bases 2, 8, 10 and 16 over ASCII: surrounding
 * whitespace, a sign, the matching 0b/0o/0x prefix, then digits. The
 * magnitude goes to *magp (at most 2^63) and the sign to *negp. Returns 0,
 * -1 for bad syntax or -2 for a magnitude over 2^63. */
static int ys_pyint(const char *s, int base, uint64_t *magp, int *negp)
{
	const char *e = s + strlen(s);
	uint64_t v = 0, lim = (uint64_t)INT64_MAX + 1;
	int d, any = 0;

	*negp = 0;
	while (ys_space(*s))
		s++;
	while (e > s && ys_space(e[-1]))
		e--;
	if (s < e && (*s == '-' || *s == '+'))
		*negp = *s++ == '-';
	if (e - s > 2 && s[0] == '0' &&
	    ((base == 16 && (s[1] == 'x' || s[1] == 'X')) || (base == 8 && (s[1] == 'o' || s[1] == 'O')) ||
	     (base == 2 && (s[1] == 'b' || s[1] == 'B'))))
		s += 2;
	for (; s < e; s++) {
		if (ys_digit(*s))
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -1;
		if (d >= base)
			return -1;
		if (v > (lim - (uint64_t)d) / (uint64_t)base)
			return -2;
		v = v * (uint64_t)base + (uint64_t)d;
		any = 1;
	}
	if (!any)
		return -1;
	*magp = v;
	return 0;
}

/* Combines a sign and a magnitude into *out; -2 when it does not fit. */
static int ys_signed(uint64_t mag, int neg, int64_t *out)
{
	if (neg && mag <= (uint64_t)INT64_MAX + 1) {
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
		return 0;
	}
	if (!neg && mag <= (uint64_t)INT64_MAX) {
		*out = (int64_t)mag;
		return 0;
	}
	return -2;
}

static int ys_int(const char *raw, size_t n, struct value **vp, const char **whyp)
{
	char *s = ys_strip_underscores(raw, n), *p = s, *part, *colon;
	uint64_t mag = 0, digit;
	int64_t v = 0;
	int r = ERR_PARSE, neg = 0, dneg;

	*whyp = "invalid integer";
	if (*p == '\0')
		goto out;
	if (*p == '-')
		neg = 1;
	if (*p == '-' || *p == '+')
		p++;
	dneg = 0;
	if (strcmp(p, "0") == 0)
		r = 0;
	else if (strncmp(p, "0b", 2) == 0)
		r = ys_pyint(p + 2, 2, &mag, &dneg);
	else if (strncmp(p, "0x", 2) == 0)
		r = ys_pyint(p + 2, 16, &mag, &dneg);
	else if (p[0] == '0')
		r = ys_pyint(p, 8, &mag, &dneg);
	else if (strchr(p, ':') != NULL) {
		r = 0;
		for (part = p; r == 0; part = colon + 1) {
			colon = strchr(part, ':');
			if (colon != NULL)
				*colon = '\0';
			r = ys_pyint(part, 10, &digit, &dneg);
			if (r == 0 && (dneg || mag > ((uint64_t)INT64_MAX - digit) / 60))
				r = dneg ? -1 : -2;
			if (r == 0)
				mag = mag * 60 + digit;
			if (colon == NULL)
				break;
		}
	} else
		r = ys_pyint(p, 10, &mag, &dneg);
	if (r == 0)
		r = ys_signed(mag, neg != dneg, &v);
	if (r == -2) {
		*whyp = "integer out of range (drover's integers are 64-bit; quote the value to keep it as a string)";
		r = ERR_PARSE;
		goto out;
	}
	if (r < 0) {
		r = ERR_PARSE;
		goto out;
	}
	*vp = value_int(v);
	r = 0;
out:
	free(s);
	return r;
}

/* Python's float() over ASCII text already lower-cased: whitespace, a sign,
 * inf/infinity/nan, or a decimal number with an optional exponent. */
static int ys_pyfloat(const char *s, double *out)
{
	const char *e = s + strlen(s), *p;
	char *copy, *end;
	int neg = 0, digits = 0;

	while (ys_space(*s))
		s++;
	while (e > s && ys_space(e[-1]))
		e--;
	p = s;
	if (p < e && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	if ((e - p == 3 && memcmp(p, "inf", 3) == 0) || (e - p == 8 && memcmp(p, "infinity", 8) == 0)) {
		*out = neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (e - p == 3 && memcmp(p, "nan", 3) == 0) {
		*out = NAN;
		return 0;
	}
	for (; p < e && ys_digit(*p); p++)
		digits++;
	if (p < e && *p == '.')
		for (p++; p < e && ys_digit(*p); p++)
			digits++;
	if (digits == 0)
		return -1;
	if (p < e && *p == 'e') {
		p++;
		if (p < e && (*p == '-' || *p == '+'))
			p++;
		if (p >= e || !ys_digit(*p))
			return -1;
		while (p < e && ys_digit(*p))
			p++;
	}
	if (p != e)
		return -1;
	copy = xstrndup(s, (size_t)(e - s));
	*out = strtod(copy, &end);
	free(copy);
	return 0;
}

static int ys_float(const char *raw, size_t n, struct value **vp, const char **whyp)
{
	char *s = ys_strip_underscores(raw, n), *p = s, *part, *colon;
	double v = 0, digit, sign = 1;
	int r = ERR_PARSE;

	*whyp = "invalid float";
	for (p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	p = s;
	if (*p == '\0')
		goto out;
	if (*p == '-')
		sign = -1;
	if (*p == '-' || *p == '+')
		p++;
	if (strcmp(p, ".inf") == 0) {
		v = INFINITY;
	} else if (strcmp(p, ".nan") == 0) {
		v = NAN;
		sign = 1;
	} else if (strchr(p, ':') != NULL) {
		for (part = p;; part = colon + 1) {
			colon = strchr(part, ':');
			if (colon != NULL)
				*colon = '\0';
			if (ys_pyfloat(part, &digit) < 0)
				goto out;
			v = v * 60 + digit;
			if (colon == NULL)
				break;
		}
	} else if (ys_pyfloat(p, &v) < 0) {
		goto out;
	}
	*vp = value_float(sign * v);
	r = 0;
out:
	free(s);
	return r;
}

static int ys_bool(const char *s, size_t n, struct value **vp, const char **whyp)
{
	static const char *const yes[] = {"yes", "true", "on"};
	static const char *const no[] = {"no", "false", "off"};
	char low[8];
	size_t i;

	*whyp = "invalid boolean";
	if (n >= sizeof(low))
		return ERR_PARSE;
	for (i = 0; i < n; i++)
		low[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	low[n] = '\0';
	for (i = 0; i < 3; i++) {
		if (strcmp(low, yes[i]) == 0) {
			*vp = value_bool(1);
			return 0;
		}
		if (strcmp(low, no[i]) == 0) {
			*vp = value_bool(0);
			return 0;
		}
	}
	return ERR_PARSE;
}

static int ys_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* Python's date/datetime isoformat() of the parsed timestamp, which is what
 * Ansible prints for a YAML date. */
static int ys_timestamp(const char *s, size_t n, struct value **vp, const char **whyp)
{
	struct ys_time t;
	char frac[16] = "", tz[16] = "";
	int off;

	*whyp = "invalid timestamp";
	if (ys_time_parse(s, n, &t) < 0)
		return ERR_PARSE;
	if (t.year < 1 || t.month < 1 || t.month > 12 || t.day < 1 ||
	    t.day > ys_days_in_month(t.year, t.month) || t.hour > 23 || t.minute > 59 || t.second > 59 ||
	    t.tz_min <= -24 * 60 || t.tz_min >= 24 * 60)
		return ERR_PARSE;
	if (!t.has_time) {
		*vp = value_strf("%04d-%02d-%02d", t.year, t.month, t.day);
		return 0;
	}
	off = t.tz_min < 0 ? -t.tz_min : t.tz_min;
	if (t.usec != 0)
		snprintf(frac, sizeof(frac), ".%06d", t.usec);
	if (t.tz != 0)
		snprintf(tz, sizeof(tz), "%c%02d:%02d", t.tz_min < 0 ? '-' : '+', off / 60, off % 60);
	*vp = value_strf("%04d-%02d-%02dT%02d:%02d:%02d%s%s", t.year, t.month, t.day, t.hour, t.minute,
	                 t.second, frac, tz);
	return 0;
}

int yaml_scalar_construct(enum yaml_scalar_kind kind, const char *s, size_t n, struct value **vp,
                          const char **whyp)
{
	*vp = NULL;
	*whyp = NULL;
	switch (kind) {
	case YAML_SCALAR_STR: *vp = value_strn(s, n); return 0;
	case YAML_SCALAR_NULL: *vp = value_null(); return 0;
	case YAML_SCALAR_BOOL: return ys_bool(s, n, vp, whyp);
	case YAML_SCALAR_INT: return ys_int(s, n, vp, whyp);
	case YAML_SCALAR_FLOAT: return ys_float(s, n, vp, whyp);
	case YAML_SCALAR_TIMESTAMP: return ys_timestamp(s, n, vp, whyp);
	case YAML_SCALAR_MERGE:
		*whyp = "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'";
		return ERR_PARSE;
	case YAML_SCALAR_VALUE:
		*whyp = "could not determine a constructor for the tag 'tag:yaml.org,2002:value'";
		return ERR_PARSE;
	}
	*whyp = "unknown scalar kind";
	return ERR_PARSE;
}

struct value *yaml_scalar_key_str(const struct value *v)
{
	struct buf b;

	switch (v->type) {
	case VALUE_NULL: return value_str("null");
	case VALUE_BOOL: return value_str(v->u.b ? "true" : "false");
	case VALUE_INT: return value_strf("%lld", (long long)v->u.i);
	case VALUE_FLOAT:
		if (isnan(v->u.f))
			return value_str("NaN");
		if (isinf(v->u.f))
			return value_str(v->u.f < 0 ? "-Infinity" : "Infinity");
		buf_init(&b, 64);
		if (json_put_float(&b, v->u.f) < 0) {
			buf_fini(&b);
			return value_str("0.0");
		}
		{
			size_t len;
			char *text = buf_take(&b, &len);

			return value_str_take(text, len);
		}
	case VALUE_STR: return value_strn(v->u.s.ptr, v->u.s.len);
	default: return value_str("");
	}
}
