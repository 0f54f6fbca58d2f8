/* Python methods of strings, lists, tuples and dicts that playbooks call
 * from templates ("a,b".split(","), xs.append(1), d.items()...), with
 * Python's results and error messages. Indices are in characters.
 *
 * dict.items(), keys() and values() return lists (of tuples for items):
 * Python's views print differently when nested, which Ansible unrolls at
 * the top level anyway. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/pystr.h"
#include "template/eval.h"
#include "template/pyval.h"
#include "template/ustr.h"

typedef int (*method_fn)(struct tpl_call *c, struct value *self, struct value **vp);

struct method_def {
	char type; /* 's' str, 'l' list, 't' tuple and list, 'd' dict */
	const char *name;
	method_fn fn;
	int mutates;
};

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

static int m_need_str(struct tpl_call *c, const struct value *v, const char *what)
{
	if (is_undef(v))
		return tpl_fail_undef(c, v);
	if (!is_str(v))
		return tpl_fail(c, ERR_INVAL, "%s must be str, not %s", what, pyval_type(v));
	return 0;
}

static int m_opt_int(struct tpl_call *c, const struct value *v, int64_t def, int64_t *ip)
{
	if (v == NULL || (v->type == VALUE_NULL && !is_special(v))) {
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

static struct value *m_str_take(struct buf *b)
{
	size_t len;
	char *s = buf_take(b, &len);

	return value_str_take(s, len);
}

static int m_toobig(struct tpl_call *c, struct buf *b)
{
	buf_fini(b);
	return tpl_fail(c, ERR_TOOBIG, "string too long");
}

/* ---- str: case and tests ---- */

static int m_case(struct tpl_call *c, struct value *self, struct value **vp,
                  int (*fn)(struct buf *, const char *, size_t))
{
	struct buf b;

	if (c->nargs > 0 || c->nkw > 0)
		return tpl_fail(c, ERR_INVAL, "%s() takes no arguments (%zu given)", c->name, c->nargs + c->nkw);
	tpl_buf(c, &b);
	if (fn(&b, self->u.s.ptr, self->u.s.len) != 0)
		return m_toobig(c, &b);
	*vp = m_str_take(&b);
	return tpl_charge(c, self->u.s.len / 16);
}

static int m_lower(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_case(c, self, vp, ustr_lower);
}

static int m_upper(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_case(c, self, vp, ustr_upper);
}

static int m_title(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_case(c, self, vp, ustr_title);
}

static int m_capitalize(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_case(c, self, vp, ustr_capitalize);
}

static int m_swapcase(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_case(c, self, vp, ustr_swapcase);
}

enum { IS_DIGIT, IS_ALPHA, IS_ALNUM, IS_SPACE, IS_DECIMAL, IS_NUMERIC, IS_ASCII, IS_LOWER, IS_UPPER, IS_TITLE,
       IS_IDENT };

static int m_is(struct tpl_call *c, struct value *self, struct value **vp, int what)
{
	const char *s = self->u.s.ptr;
	size_t n = self->u.s.len, i = 0;
	uint32_t cp;
	int ok = n > 0 || what == IS_ASCII, cased = 0, prev_cased = 0, first = 1;

	if (c->nargs > 0 || c->nkw > 0)
		return tpl_fail(c, ERR_INVAL, "%s() takes no arguments (%zu given)", c->name, c->nargs + c->nkw);
	while (i < n && ok) {
		i += ustr_decode(s + i, n - i, &cp);
		switch (what) {
		case IS_DIGIT: ok = ustr_isdigit(cp); break;
		case IS_ALPHA: ok = ustr_isalpha(cp); break;
		case IS_ALNUM: ok = ustr_isalpha(cp) || ustr_isnumeric(cp); break;
		case IS_SPACE: ok = ustr_isspace(cp); break;
		case IS_DECIMAL: ok = ustr_isdecimal(cp); break;
		case IS_NUMERIC: ok = ustr_isnumeric(cp); break;
		case IS_ASCII: ok = cp < 0x80; break;
		case IS_LOWER:
			if (ustr_isupper(cp) || ustr_istitle(cp))
				ok = 0;
			cased |= ustr_islower(cp);
			break;
		case IS_UPPER:
			if (ustr_islower(cp) || ustr_istitle(cp))
				ok = 0;
			cased |= ustr_isupper(cp);
			break;
		case IS_TITLE:
			if (ustr_isupper(cp) || ustr_istitle(cp)) {
				if (prev_cased)
					ok = 0;
				prev_cased = cased = 1;
			} else if (ustr_islower(cp)) {
				if (!prev_cased)
					ok = 0;
				prev_cased = cased = 1;
			} else {
				prev_cased = 0;
			}
			break;
		case IS_IDENT:
			ok = cp == '_' || ustr_isalpha(cp) || (!first && ustr_isnumeric(cp));
			break;
		}
		first = 0;
	}
	if (what == IS_LOWER || what == IS_UPPER || what == IS_TITLE)
		ok = ok && cased;
	*vp = value_bool(ok);
	return 0;
}

#define M_IS(fname, what)                                                           \
	static int fname(struct tpl_call *c, struct value *self, struct value **vp) \
	{                                                                           \
		return m_is(c, self, vp, what);                                     \
	}
M_IS(m_isdigit, IS_DIGIT)
M_IS(m_isalpha, IS_ALPHA)
M_IS(m_isalnum, IS_ALNUM)
M_IS(m_isspace, IS_SPACE)
M_IS(m_isdecimal, IS_DECIMAL)
M_IS(m_isnumeric, IS_NUMERIC)
M_IS(m_isascii, IS_ASCII)
M_IS(m_islower, IS_LOWER)
M_IS(m_isupper, IS_UPPER)
M_IS(m_istitle, IS_TITLE)
M_IS(m_isidentifier, IS_IDENT)

/* ---- str: strip, split, join ---- */

/* Whether cp is in chars (NULL: whitespace). */
static int m_in_chars(uint32_t cp, const struct value *chars)
{
	size_t i = 0;
	uint32_t x;

	if (chars == NULL)
		return ustr_isspace(cp);
	while (i < chars->u.s.len) {
		i += ustr_decode(chars->u.s.ptr + i, chars->u.s.len - i, &x);
		if (x == cp)
			return 1;
	}
	return 0;
}

static int m_strip_any(struct tpl_call *c, struct value *self, struct value **vp, int left, int right)
{
	struct value *a[1];
	const struct value *chars;
	const char *s = self->u.s.ptr;
	size_t n = self->u.s.len, start = 0, end = n, i, k;
	uint32_t cp;
	int r;

	BIND(c, a, 0, "chars");
	chars = a[0] != NULL && a[0]->type == VALUE_NULL && !is_special(a[0]) ? NULL : a[0];
	if (chars != NULL && (r = m_need_str(c, chars, "strip arg")) != 0)
		return r;
	if (left) {
		while (start < n) {
			k = ustr_decode(s + start, n - start, &cp);
			if (!m_in_chars(cp, chars))
				break;
			start += k;
		}
	}
	if (right) {
		for (i = start, end = start; i < n;) {
			i += ustr_decode(s + i, n - i, &cp);
			if (!m_in_chars(cp, chars))
				end = i;
		}
	}
	*vp = value_strn(s + start, end - start);
	return tpl_charge(c, n / 16);
}

static int m_strip(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_strip_any(c, self, vp, 1, 1);
}

static int m_lstrip(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_strip_any(c, self, vp, 1, 0);
}

static int m_rstrip(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_strip_any(c, self, vp, 0, 1);
}

/* Splits on runs of whitespace (sep None). */
static void m_split_ws(const char *s, size_t n, int64_t maxsplit, int reverse, struct value *l)
{
	size_t i, j, k;
	uint32_t cp;
	struct value *tmp;

	if (!reverse) {
		i = 0;
		while (i < n) {
			while (i < n && (k = ustr_decode(s + i, n - i, &cp)) && ustr_isspace(cp))
				i += k;
			if (i >= n)
				break;
			if (maxsplit == 0) {
				value_list_push(l, value_strn(s + i, n - i));
				return;
			}
			j = i;
			while (j < n && (k = ustr_decode(s + j, n - j, &cp)) && !ustr_isspace(cp))
				j += k;
			value_list_push(l, value_strn(s + i, j - i));
			maxsplit--;
			i = j;
		}
		return;
	}
	/* From the right: collect then reverse. */
	tmp = value_list();
	j = ustr_rstrip_ws(s, n);
	while (j > 0) {
		size_t word_end = j, w;

		if (maxsplit == 0) {
			value_list_push(tmp, value_strn(s, j));
			break;
		}
		/* Find the start of the last word before j. */
		i = 0;
		w = 0;
		while (i < word_end) {
			k = ustr_decode(s + i, word_end - i, &cp);
			if (ustr_isspace(cp))
				w = i + k;
			i += k;
		}
		value_list_push(tmp, value_strn(s + w, word_end - w));
		maxsplit--;
		j = ustr_rstrip_ws(s, w);
	}
	for (i = tmp->u.l.len; i-- > 0;)
		value_list_push(l, value_ref(tmp->u.l.items[i]));
	value_unref(tmp);
}

static int m_split_any(struct tpl_call *c, struct value *self, struct value **vp, int reverse)
{
	struct value *a[2], *l, *tmp;
	const char *s = self->u.s.ptr, *p, *sep;
	size_t n = self->u.s.len, seplen, i, end;
	int64_t maxsplit;
	int r;

	BIND(c, a, 0, "sep", "maxsplit");
	if ((r = m_opt_int(c, a[1], -1, &maxsplit)) != 0)
		return r;
	if ((r = tpl_charge(c, n)) != 0)
		return r;
	l = value_list();
	if (a[0] == NULL || (a[0]->type == VALUE_NULL && !is_special(a[0]))) {
		m_split_ws(s, n, maxsplit, reverse, l);
		*vp = l;
		return 0;
	}
	if ((r = m_need_str(c, a[0], "sep")) != 0) {
		value_unref(l);
		return r;
	}
	sep = a[0]->u.s.ptr;
	seplen = a[0]->u.s.len;
	if (seplen == 0) {
		value_unref(l);
		return tpl_fail(c, ERR_INVAL, "empty separator");
	}
	if (!reverse) {
		for (i = 0; maxsplit != 0 && (p = memmem(s + i, n - i, sep, seplen)) != NULL; maxsplit--) {
			value_list_push(l, value_strn(s + i, (size_t)(p - (s + i))));
			i = (size_t)(p - s) + seplen;
		}
		value_list_push(l, value_strn(s + i, n - i));
		*vp = l;
		return 0;
	}
	tmp = value_list();
	end = n;
	while (maxsplit != 0 && end >= seplen) {
		for (i = end - seplen + 1; i-- > 0;)
			if (memcmp(s + i, sep, seplen) == 0)
				break;
		if (i == (size_t)-1)
			break;
		value_list_push(tmp, value_strn(s + i + seplen, end - i - seplen));
		end = i;
		maxsplit--;
	}
	value_list_push(tmp, value_strn(s, end));
	for (i = tmp->u.l.len; i-- > 0;)
		value_list_push(l, value_ref(tmp->u.l.items[i]));
	value_unref(tmp);
	*vp = l;
	return 0;
}

static int m_split(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_split_any(c, self, vp, 0);
}

static int m_rsplit(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_split_any(c, self, vp, 1);
}

static int m_splitlines(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1], *l, *parts;
	int keep = 0, r;
	size_t i, pos = 0, n = self->u.s.len;

	BIND(c, a, 0, "keepends");
	if (a[0] != NULL && (r = tpl_truth(c, a[0], &keep)) != 0)
		return r;
	parts = pystr_splitlines(self->u.s.ptr, n);
	if (!keep) {
		*vp = parts;
		return tpl_charge(c, n);
	}
	/* Re-attach each line's break from the original text. */
	l = value_list();
	for (i = 0; i < parts->u.l.len; i++) {
		size_t len = parts->u.l.items[i]->u.s.len, brk = pos + len, end = brk;

		if (end < n) {
			end += self->u.s.ptr[end] == '\r' && end + 1 < n && self->u.s.ptr[end + 1] == '\n' ? 2
			       : (unsigned char)self->u.s.ptr[end] == 0xc2                               ? 2
			       : (unsigned char)self->u.s.ptr[end] == 0xe2                               ? 3
			                                                                                 : 1;
		}
		value_list_push(l, value_strn(self->u.s.ptr + pos, end - pos));
		pos = end;
	}
	value_unref(parts);
	*vp = l;
	return tpl_charge(c, n);
}

static int m_join(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1], *items;
	struct buf b;
	size_t i;
	int r;

	BIND(c, a, 1, "iterable");
	if ((r = tpl_iter(c, a[0], &items)) != 0)
		return r;
	tpl_buf(c, &b);
	for (i = 0; i < items->u.l.len; i++) {
		const struct value *it = items->u.l.items[i];

		if (!is_str(it)) {
			buf_fini(&b);
			r = tpl_fail(c, ERR_INVAL, "sequence item %zu: expected str instance, %s found", i, pyval_type(it));
			value_unref(items);
			return r;
		}
		if ((i > 0 && buf_put(&b, self->u.s.ptr, self->u.s.len) != 0) || buf_put(&b, it->u.s.ptr, it->u.s.len) != 0) {
			value_unref(items);
			return m_toobig(c, &b);
		}
	}
	value_unref(items);
	*vp = m_str_take(&b);
	return tpl_charge(c, (*vp)->u.s.len / 16);
}

/* ---- str: search ---- */

/* Python's slice bounds for start/end arguments, in characters, turned
 * into byte offsets of s. */
static int m_bounds(struct tpl_call *c, const struct value *self, struct value *sv, struct value *ev,
                    size_t *startp, size_t *endp, int64_t *cstartp, int *emptyp)
{
	int64_t len, start, end;
	int ascii = ustr_is_ascii(self->u.s.ptr, self->u.s.len), r;

	len = ascii ? (int64_t)self->u.s.len : (int64_t)ustr_len(self->u.s.ptr, self->u.s.len);
	if ((r = m_opt_int(c, sv, 0, &start)) != 0 || (r = m_opt_int(c, ev, len, &end)) != 0)
		return r;
	if (end > len)
		end = len;
	else if (end < 0 && (end += len) < 0)
		end = 0;
	if (start < 0 && (start += len) < 0)
		start = 0;
	*emptyp = start > len;
	*cstartp = start;
	if (start > end)
		end = start > len ? len : start;
	*startp = ascii ? (size_t)(start > len ? len : start) : ustr_offset(self->u.s.ptr, self->u.s.len, (size_t)start);
	*endp = ascii ? (size_t)end : ustr_offset(self->u.s.ptr, self->u.s.len, (size_t)end);
	return 0;
}

static int m_find_any(struct tpl_call *c, struct value *self, struct value **vp, int reverse, int raise)
{
	struct value *a[3];
	size_t start, end, i, found = (size_t)-1, sl;
	int64_t cstart;
	int r, empty;
	const char *p;

	BIND(c, a, 1, "sub", "start", "end");
	if ((r = m_need_str(c, a[0], "must be str")) != 0 ||
	    (r = m_bounds(c, self, a[1], a[2], &start, &end, &cstart, &empty)) != 0)
		return r;
	sl = a[0]->u.s.len;
	if (!empty && end >= start && end - start >= sl) {
		if (!reverse) {
			p = sl == 0 ? self->u.s.ptr + start : memmem(self->u.s.ptr + start, end - start, a[0]->u.s.ptr, sl);
			if (p != NULL)
				found = (size_t)(p - self->u.s.ptr);
		} else {
			for (i = end - sl + 1; i-- > start;) {
				if (memcmp(self->u.s.ptr + i, a[0]->u.s.ptr, sl) == 0) {
					found = i;
					break;
				}
			}
		}
	}
	if ((r = tpl_charge(c, self->u.s.len)) != 0)
		return r;
	if (found == (size_t)-1) {
		if (raise)
			return tpl_fail(c, ERR_INVAL, "substring not found");
		*vp = value_int(-1);
		return 0;
	}
	*vp = value_int((int64_t)ustr_len(self->u.s.ptr, found));
	return 0;
}

static int m_find(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_find_any(c, self, vp, 0, 0);
}

static int m_rfind(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_find_any(c, self, vp, 1, 0);
}

static int m_sindex(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_find_any(c, self, vp, 0, 1);
}

static int m_srindex(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_find_any(c, self, vp, 1, 1);
}

static int m_scount(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[3];
	size_t start, end, i, sl, count = 0;
	int64_t cstart;
	int r, empty;
	const char *p;

	BIND(c, a, 1, "sub", "start", "end");
	if ((r = m_need_str(c, a[0], "must be str")) != 0 ||
	    (r = m_bounds(c, self, a[1], a[2], &start, &end, &cstart, &empty)) != 0)
		return r;
	sl = a[0]->u.s.len;
	if (empty) {
		*vp = value_int(0);
		return 0;
	}
	if (sl == 0) {
		count = ustr_len(self->u.s.ptr + start, end - start) + 1;
	} else {
		for (i = start; i + sl <= end && (p = memmem(self->u.s.ptr + i, end - i, a[0]->u.s.ptr, sl)) != NULL;) {
			count++;
			i = (size_t)(p - self->u.s.ptr) + sl;
		}
	}
	*vp = value_int((int64_t)count);
	return tpl_charge(c, self->u.s.len);
}

/* startswith / endswith with a string or a tuple of strings. */
static int m_affix(struct tpl_call *c, struct value *self, struct value **vp, int end_side)
{
	struct value *a[3];
	const struct value *cand;
	size_t start, end, i, n;
	int64_t cstart;
	int r, empty, hit = 0;

	BIND(c, a, 1, "prefix", "start", "end");
	if ((r = m_bounds(c, self, a[1], a[2], &start, &end, &cstart, &empty)) != 0)
		return r;
	n = a[0]->type == VALUE_LIST && is_tuple(a[0]) ? a[0]->u.l.len : 1;
	for (i = 0; i < n && !hit && !empty; i++) {
		cand = a[0]->type == VALUE_LIST && is_tuple(a[0]) ? a[0]->u.l.items[i] : a[0];
		if (!is_str(cand)) {
			if (is_undef(cand))
				return tpl_fail_undef(c, cand);
			return tpl_fail(c, ERR_INVAL, "%s first arg must be str or a tuple of str, not %s", c->name,
			                pyval_type(cand));
		}
		if (end < start || end - start < cand->u.s.len)
			continue;
		hit = memcmp(self->u.s.ptr + (end_side ? end - cand->u.s.len : start), cand->u.s.ptr, cand->u.s.len) == 0;
	}
	*vp = value_bool(hit);
	return 0;
}

static int m_startswith(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_affix(c, self, vp, 0);
}

static int m_endswith(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_affix(c, self, vp, 1);
}

static int m_replace(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[3];
	const char *s = self->u.s.ptr, *p;
	size_t n = self->u.s.len, i = 0, k;
	int64_t count;
	uint32_t cp;
	struct buf b;
	int r;

	BIND(c, a, 2, "old", "new", "count");
	if ((r = m_need_str(c, a[0], "replace() argument 1")) != 0 ||
	    (r = m_need_str(c, a[1], "replace() argument 2")) != 0 || (r = m_opt_int(c, a[2], -1, &count)) != 0)
		return r;
	tpl_buf(c, &b);
	if (a[0]->u.s.len == 0) {
		/* An empty old inserts new around every character. */
		while (count != 0) {
			if (buf_put(&b, a[1]->u.s.ptr, a[1]->u.s.len) != 0)
				return m_toobig(c, &b);
			count--;
			if (i >= n)
				break;
			k = ustr_decode(s + i, n - i, &cp);
			if (buf_put(&b, s + i, k) != 0)
				return m_toobig(c, &b);
			i += k;
		}
	} else {
		while (count != 0 && (p = memmem(s + i, n - i, a[0]->u.s.ptr, a[0]->u.s.len)) != NULL) {
			if (buf_put(&b, s + i, (size_t)(p - (s + i))) != 0 || buf_put(&b, a[1]->u.s.ptr, a[1]->u.s.len) != 0)
				return m_toobig(c, &b);
			i = (size_t)(p - s) + a[0]->u.s.len;
			count--;
		}
	}
	if (buf_put(&b, s + i, n - i) != 0)
		return m_toobig(c, &b);
	*vp = m_str_take(&b);
	return tpl_charge(c, n + (*vp)->u.s.len / 16);
}

static int m_affix_remove(struct tpl_call *c, struct value *self, struct value **vp, int suffix)
{
	const char *params[] = {suffix ? "suffix" : "prefix", NULL};
	struct value *a[1];
	size_t n = self->u.s.len, k;
	int r;

	if ((r = tpl_bind(c, params, 1, a)) != 0)
		return r;
	if ((r = m_need_str(c, a[0], c->name)) != 0)
		return r;
	k = a[0]->u.s.len;
	if (k > 0 && k <= n && memcmp(self->u.s.ptr + (suffix ? n - k : 0), a[0]->u.s.ptr, k) == 0)
		*vp = value_strn(self->u.s.ptr + (suffix ? 0 : k), n - k);
	else
		*vp = value_ref(self);
	return 0;
}

static int m_removeprefix(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_affix_remove(c, self, vp, 0);
}

static int m_removesuffix(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_affix_remove(c, self, vp, 1);
}

static int m_partition_any(struct tpl_call *c, struct value *self, struct value **vp, int reverse)
{
	struct value *a[1], *t;
	const char *s = self->u.s.ptr, *p = NULL;
	size_t n = self->u.s.len, sl, i;
	int r;

	BIND(c, a, 1, "sep");
	if ((r = m_need_str(c, a[0], "sep")) != 0)
		return r;
	if ((sl = a[0]->u.s.len) == 0)
		return tpl_fail(c, ERR_INVAL, "empty separator");
	if (!reverse) {
		p = memmem(s, n, a[0]->u.s.ptr, sl);
	} else if (n >= sl) {
		for (i = n - sl + 1; i-- > 0;) {
			if (memcmp(s + i, a[0]->u.s.ptr, sl) == 0) {
				p = s + i;
				break;
			}
		}
	}
	t = value_list();
	t->flags |= VALUE_F_TUPLE;
	if (p == NULL) {
		value_list_push(t, reverse ? value_str("") : value_ref(self));
		value_list_push(t, value_str(""));
		value_list_push(t, reverse ? value_ref(self) : value_str(""));
	} else {
		value_list_push(t, value_strn(s, (size_t)(p - s)));
		value_list_push(t, value_ref(a[0]));
		value_list_push(t, value_strn(p + sl, n - (size_t)(p - s) - sl));
	}
	*vp = t;
	return tpl_charge(c, n / 16);
}

static int m_partition(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_partition_any(c, self, vp, 0);
}

static int m_rpartition(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_partition_any(c, self, vp, 1);
}

/* ---- str: padding ---- */

static int m_pad(struct tpl_call *c, struct value *self, struct value **vp, int how)
{
	struct value *a[2];
	size_t len = ustr_len(self->u.s.ptr, self->u.s.len), marg, left, i;
	const char *fill = " ";
	size_t filln = 1;
	int64_t width;
	struct buf b;
	int r;

	BIND(c, a, 1, "width", "fillchar");
	if ((r = m_opt_int(c, a[0], 0, &width)) != 0)
		return r;
	if (a[1] != NULL) {
		if ((r = m_need_str(c, a[1], "fillchar")) != 0)
			return r;
		if (ustr_len(a[1]->u.s.ptr, a[1]->u.s.len) != 1)
			return tpl_fail(c, ERR_INVAL, "The fill character must be exactly one character long");
		fill = a[1]->u.s.ptr;
		filln = a[1]->u.s.len;
	}
	if (width <= (int64_t)len) {
		*vp = value_ref(self);
		return 0;
	}
	if ((r = rt_check_str(c->rt, c->off, (size_t)width * filln)) != 0)
		return r;
	marg = (size_t)width - len;
	if (how == '<')
		left = 0;
	else if (how == '>')
		left = marg;
	else
		left = marg / 2 + (marg & (size_t)width & 1);
	tpl_buf(c, &b);
	for (i = 0; i < left; i++)
		buf_put(&b, fill, filln);
	buf_put(&b, self->u.s.ptr, self->u.s.len);
	for (i = left; i < marg; i++)
		buf_put(&b, fill, filln);
	*vp = m_str_take(&b);
	return 0;
}

static int m_center(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_pad(c, self, vp, '^');
}

static int m_ljust(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_pad(c, self, vp, '<');
}

static int m_rjust(struct tpl_call *c, struct value *self, struct value **vp)
{
	return m_pad(c, self, vp, '>');
}

static int m_zfill(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1];
	size_t len = ustr_len(self->u.s.ptr, self->u.s.len), i, sign;
	int64_t width;
	struct buf b;
	int r;

	BIND(c, a, 1, "width");
	if ((r = m_opt_int(c, a[0], 0, &width)) != 0)
		return r;
	if (width <= (int64_t)len) {
		*vp = value_ref(self);
		return 0;
	}
	if ((r = rt_check_str(c->rt, c->off, (size_t)width)) != 0)
		return r;
	sign = self->u.s.len > 0 && (self->u.s.ptr[0] == '+' || self->u.s.ptr[0] == '-');
	tpl_buf(c, &b);
	buf_put(&b, self->u.s.ptr, sign);
	for (i = len; i < (size_t)width; i++)
		buf_putc(&b, '0');
	buf_put(&b, self->u.s.ptr + sign, self->u.s.len - sign);
	*vp = m_str_take(&b);
	return 0;
}

static int m_format(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *kw = value_map();
	struct pyerr e;
	size_t i;
	int r;

	for (i = 0; i < c->nkw; i++)
		value_map_set_key(kw, value_strn(c->kw[i].name, c->kw[i].len), value_ref(c->kw[i].val));
	for (i = 0; i < c->nargs; i++)
		if (is_undef(c->args[i])) {
			value_unref(kw);
			return tpl_fail_undef(c, c->args[i]);
		}
	r = pyval_format(c->rt, self->u.s.ptr, self->u.s.len, c->args, c->nargs, kw, &c->rt->lim, vp, &e);
	value_unref(kw);
	if (r != 0)
		return tpl_fail(c, r, "%s", e.msg);
	return tpl_charge(c, (*vp)->u.s.len / 16);
}

/* ---- lists and tuples ---- */

static int m_lindex(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[3];
	int64_t start, end, len = (int64_t)self->u.l.len, i;
	int r;

	BIND(c, a, 1, "value", "start", "stop");
	if ((r = m_opt_int(c, a[1], 0, &start)) != 0 || (r = m_opt_int(c, a[2], len, &end)) != 0)
		return r;
	if (start < 0 && (start += len) < 0)
		start = 0;
	if (end < 0 && (end += len) < 0)
		end = 0;
	for (i = start; i < end && i < len; i++) {
		if (pyval_eq(self->u.l.items[i], a[0])) {
			*vp = value_int(i);
			return 0;
		}
	}
	if (is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "'%s' is not in list", a[0]->u.s.ptr);
	return tpl_fail(c, ERR_INVAL, "value is not in list");
}

static int m_lcount(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1];
	size_t i, n = 0;

	BIND(c, a, 1, "value");
	for (i = 0; i < self->u.l.len; i++)
		n += (size_t)pyval_eq(self->u.l.items[i], a[0]);
	*vp = value_int((int64_t)n);
	return tpl_charge(c, self->u.l.len);
}

static int m_append(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1];
	int r;

	BIND(c, a, 1, "object");
	if ((r = tpl_check_items(c, self->u.l.len + 1)) != 0)
		return r;
	if (rt_depth(a[0]) < 0 || rt_depth(a[0]) >= TPL_MAX_VALUE_DEPTH)
		return tpl_fail(c, ERR_DEPTH, "value nested too deeply (over %d levels)", TPL_MAX_VALUE_DEPTH);
	value_list_push(self, value_ref(a[0]));
	rt_depth_added(self, a[0]);
	*vp = value_null();
	return 0;
}

static int m_extend(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1], *items;
	size_t i;
	int r;

	BIND(c, a, 1, "iterable");
	if ((r = tpl_iter(c, a[0], &items)) != 0)
		return r;
	if ((r = tpl_check_items(c, self->u.l.len + items->u.l.len)) != 0 || (r = tpl_charge(c, items->u.l.len)) != 0) {
		value_unref(items);
		return r;
	}
	for (i = 0; i < items->u.l.len; i++) {
		value_list_push(self, value_ref(items->u.l.items[i]));
		rt_depth_added(self, items->u.l.items[i]);
	}
	value_unref(items);
	*vp = value_null();
	return 0;
}

static int m_insert(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[2];
	int64_t at, len = (int64_t)self->u.l.len;
	int r;

	BIND(c, a, 2, "index", "object");
	if ((r = m_opt_int(c, a[0], 0, &at)) != 0 || (r = tpl_check_items(c, self->u.l.len + 1)) != 0)
		return r;
	if (at < 0 && (at += len) < 0)
		at = 0;
	if (at > len)
		at = len;
	if ((r = tpl_charge(c, (uint64_t)(len - at))) != 0)
		return r;
	value_list_push(self, NULL);
	memmove(&self->u.l.items[at + 1], &self->u.l.items[at], (size_t)(len - at) * sizeof(struct value *));
	self->u.l.items[at] = value_ref(a[1]);
	rt_depth_added(self, a[1]);
	*vp = value_null();
	return 0;
}

static int m_lpop(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1];
	int64_t at, len = (int64_t)self->u.l.len;
	int r;

	BIND(c, a, 0, "index");
	if ((r = m_opt_int(c, a[0], -1, &at)) != 0)
		return r;
	if (len == 0)
		return tpl_fail(c, ERR_INVAL, "pop from empty list");
	if (at < 0)
		at += len;
	if (at < 0 || at >= len)
		return tpl_fail(c, ERR_INVAL, "pop index out of range");
	*vp = self->u.l.items[at];
	memmove(&self->u.l.items[at], &self->u.l.items[at + 1], (size_t)(len - at - 1) * sizeof(struct value *));
	self->u.l.len--;
	return 0;
}

static int m_remove(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[1];
	size_t i, len = self->u.l.len;

	BIND(c, a, 1, "value");
	for (i = 0; i < len; i++) {
		if (pyval_eq(self->u.l.items[i], a[0])) {
			value_unref(self->u.l.items[i]);
			memmove(&self->u.l.items[i], &self->u.l.items[i + 1], (len - i - 1) * sizeof(struct value *));
			self->u.l.len--;
			*vp = value_null();
			return 0;
		}
	}
	return tpl_fail(c, ERR_INVAL, "list.remove(x): x not in list");
}

static int m_reverse(struct tpl_call *c, struct value *self, struct value **vp)
{
	size_t i, n = self->u.l.len;
	struct value *t;

	if (c->nargs > 0 || c->nkw > 0)
		return tpl_fail(c, ERR_INVAL, "reverse() takes no arguments");
	for (i = 0; i < n / 2; i++) {
		t = self->u.l.items[i];
		self->u.l.items[i] = self->u.l.items[n - 1 - i];
		self->u.l.items[n - 1 - i] = t;
	}
	*vp = value_null();
	return 0;
}

/* A stable merge sort with Python's "<"; errors stop it. */
static int m_merge_sort(struct tpl_call *c, struct value **v, struct value **tmp, size_t n, int reverse)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;
	int r, cmp;

	if (n < 2)
		return 0;
	if ((r = m_merge_sort(c, v, tmp, mid, reverse)) != 0 || (r = m_merge_sort(c, v + mid, tmp, n - mid, reverse)) != 0)
		return r;
	while (i < mid && j < n) {
		if ((r = tpl_cmp(c, v[j], v[i], &cmp)) != 0)
			return r;
		/* Take from the right only when strictly before, to stay stable. */
		if (reverse ? cmp > 0 : cmp < 0)
			tmp[k++] = v[j++];
		else
			tmp[k++] = v[i++];
	}
	while (i < mid)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
	return tpl_charge(c, n);
}

static int m_sort(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[2], **tmp;
	int rev = 0, r;

	BIND(c, a, 0, "key", "reverse");
	if (a[0] != NULL && !(a[0]->type == VALUE_NULL && !is_special(a[0])))
		return tpl_fail(c, ERR_INVAL, "sort(key=...) is not supported in templates");
	if (a[1] != NULL && (r = tpl_truth(c, a[1], &rev)) != 0)
		return r;
	tmp = xreallocarray(NULL, self->u.l.len + 1, sizeof(*tmp));
	r = m_merge_sort(c, self->u.l.items, tmp, self->u.l.len, rev);
	free(tmp);
	if (r == 0)
		*vp = value_null();
	return r;
}

static int m_lcopy(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *l = value_dup(self);

	(void)c;
	*vp = l;
	return 0;
}

static int m_clear(struct tpl_call *c, struct value *self, struct value **vp)
{
	size_t i;

	(void)c;
	if (self->type == VALUE_LIST) {
		for (i = 0; i < self->u.l.len; i++)
			value_unref(self->u.l.items[i]);
		self->u.l.len = 0;
	} else {
		while (self->u.m.len > 0)
			value_map_del(self, self->u.m.ents[self->u.m.len - 1].key->u.s.ptr);
	}
	*vp = value_null();
	return 0;
}

/* ---- dicts ---- */

static int m_items(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *l = value_list(), *t;
	size_t i;

	for (i = 0; i < self->u.m.len; i++) {
		t = value_list();
		t->flags |= VALUE_F_TUPLE;
		value_list_push(t, value_ref(self->u.m.ents[i].key));
		value_list_push(t, value_ref(self->u.m.ents[i].val));
		value_list_push(l, t);
	}
	*vp = l;
	return tpl_charge(c, self->u.m.len);
}

static int m_keys(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *l = value_list();
	size_t i;

	for (i = 0; i < self->u.m.len; i++)
		value_list_push(l, value_ref(self->u.m.ents[i].key));
	*vp = l;
	return tpl_charge(c, self->u.m.len);
}

static int m_values(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *l = value_list();
	size_t i;

	for (i = 0; i < self->u.m.len; i++)
		value_list_push(l, value_ref(self->u.m.ents[i].val));
	*vp = l;
	return tpl_charge(c, self->u.m.len);
}

static int m_get(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[2], *v;
	int r;

	BIND(c, a, 1, "key", "default");
	if ((r = eval_getitem(c->rt, c->off, self, a[0], &v)) != 0)
		return r;
	if (is_undef(v) || obj_kind_of(v) == OBJ_METHOD) {
		value_unref(v);
		v = a[1] != NULL ? value_ref(a[1]) : value_null();
	}
	*vp = v;
	return 0;
}

static int m_dpop(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[2], *v;
	int r;

	BIND(c, a, 1, "key", "default");
	if ((r = m_need_str(c, a[0], "key")) != 0)
		return r;
	v = value_map_getn(self, a[0]->u.s.ptr, a[0]->u.s.len);
	if (v == NULL) {
		if (a[1] == NULL)
			return tpl_fail(c, ERR_INVAL, "'%s'", a[0]->u.s.ptr);
		*vp = value_ref(a[1]);
		return 0;
	}
	*vp = value_ref(v);
	value_map_del(self, a[0]->u.s.ptr);
	return 0;
}

static int m_popitem(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *t;
	size_t last;

	if (self->u.m.len == 0)
		return tpl_fail(c, ERR_INVAL, "'popitem(): dictionary is empty'");
	last = self->u.m.len - 1;
	t = value_list();
	t->flags |= VALUE_F_TUPLE;
	value_list_push(t, value_ref(self->u.m.ents[last].key));
	value_list_push(t, value_ref(self->u.m.ents[last].val));
	value_map_del(self, self->u.m.ents[last].key->u.s.ptr);
	*vp = t;
	return 0;
}

static int m_setdefault(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *a[2], *v;
	int r;

	BIND(c, a, 1, "key", "default");
	if ((r = m_need_str(c, a[0], "key")) != 0)
		return r;
	v = value_map_getn(self, a[0]->u.s.ptr, a[0]->u.s.len);
	if (v == NULL) {
		v = a[1] != NULL ? a[1] : NULL;
		value_map_set_key(self, value_ref(a[0]), v ? value_ref(v) : value_null());
		v = value_map_getn(self, a[0]->u.s.ptr, a[0]->u.s.len);
		rt_depth_added(self, v);
	}
	*vp = value_ref(v);
	return 0;
}

static int m_update(struct tpl_call *c, struct value *self, struct value **vp)
{
	const struct value *src;
	size_t i;
	int r;

	if (c->nargs > 1)
		return tpl_fail(c, ERR_INVAL, "update expected at most 1 argument, got %zu", c->nargs);
	if (c->nargs == 1) {
		src = c->args[0];
		if (is_undef(src))
			return tpl_fail_undef(c, src);
		if (src->type == VALUE_MAP && !is_special(src)) {
			if ((r = tpl_charge(c, src->u.m.len)) != 0)
				return r;
			value_map_update(self, src, 0);
		} else if (src->type == VALUE_LIST && !is_special(src)) {
			for (i = 0; i < src->u.l.len; i++) {
				const struct value *p = src->u.l.items[i];

				if (p->type != VALUE_LIST || p->u.l.len != 2 || !is_str(p->u.l.items[0]))
					return tpl_fail(c, ERR_INVAL,
					                "dictionary update sequence element #%zu has the wrong shape", i);
				value_map_set_key(self, value_ref(p->u.l.items[0]), value_ref(p->u.l.items[1]));
			}
		} else {
			return tpl_fail(c, ERR_INVAL, "'%s' object is not iterable", pyval_type(src));
		}
	}
	for (i = 0; i < c->nkw; i++)
		value_map_set_key(self, value_strn(c->kw[i].name, c->kw[i].len), value_ref(c->kw[i].val));
	if ((r = tpl_check_items(c, self->u.m.len)) != 0)
		return r;
	*vp = value_null();
	return 0;
}

static int m_dcopy(struct tpl_call *c, struct value *self, struct value **vp)
{
	struct value *m = value_map();

	value_map_update(m, self, 0);
	*vp = m;
	return tpl_charge(c, self->u.m.len);
}

static const struct method_def methods[] = {
	{'s', "capitalize", m_capitalize, 0},
	{'s', "casefold", m_lower, 0},
	{'s', "center", m_center, 0},
	{'s', "count", m_scount, 0},
	{'s', "endswith", m_endswith, 0},
	{'s', "find", m_find, 0},
	{'s', "format", m_format, 0},
	{'s', "index", m_sindex, 0},
	{'s', "isalnum", m_isalnum, 0},
	{'s', "isalpha", m_isalpha, 0},
	{'s', "isascii", m_isascii, 0},
	{'s', "isdecimal", m_isdecimal, 0},
	{'s', "isdigit", m_isdigit, 0},
	{'s', "isidentifier", m_isidentifier, 0},
	{'s', "islower", m_islower, 0},
	{'s', "isnumeric", m_isnumeric, 0},
	{'s', "isspace", m_isspace, 0},
	{'s', "istitle", m_istitle, 0},
	{'s', "isupper", m_isupper, 0},
	{'s', "join", m_join, 0},
	{'s', "ljust", m_ljust, 0},
	{'s', "lower", m_lower, 0},
	{'s', "lstrip", m_lstrip, 0},
	{'s', "partition", m_partition, 0},
	{'s', "removeprefix", m_removeprefix, 0},
	{'s', "removesuffix", m_removesuffix, 0},
	{'s', "replace", m_replace, 0},
	{'s', "rfind", m_rfind, 0},
	{'s', "rindex", m_srindex, 0},
	{'s', "rjust", m_rjust, 0},
	{'s', "rpartition", m_rpartition, 0},
	{'s', "rsplit", m_rsplit, 0},
	{'s', "rstrip", m_rstrip, 0},
	{'s', "split", m_split, 0},
	{'s', "splitlines", m_splitlines, 0},
	{'s', "startswith", m_startswith, 0},
	{'s', "strip", m_strip, 0},
	{'s', "swapcase", m_swapcase, 0},
	{'s', "title", m_title, 0},
	{'s', "upper", m_upper, 0},
	{'s', "zfill", m_zfill, 0},
	{'t', "count", m_lcount, 0},
	{'t', "index", m_lindex, 0},
	{'l', "append", m_append, 1},
	{'l', "clear", m_clear, 1},
	{'l', "copy", m_lcopy, 0},
	{'l', "extend", m_extend, 1},
	{'l', "insert", m_insert, 1},
	{'l', "pop", m_lpop, 1},
	{'l', "remove", m_remove, 1},
	{'l', "reverse", m_reverse, 1},
	{'l', "sort", m_sort, 1},
	{'d', "clear", m_clear, 1},
	{'d', "copy", m_dcopy, 0},
	{'d', "get", m_get, 0},
	{'d', "items", m_items, 0},
	{'d', "keys", m_keys, 0},
	{'d', "pop", m_dpop, 1},
	{'d', "popitem", m_popitem, 1},
	{'d', "setdefault", m_setdefault, 1},
	{'d', "update", m_update, 1},
	{'d', "values", m_values, 0},
};

static char methods_type(const struct value *v)
{
	if (v == NULL)
		return 'd';
	if (is_special(v))
		return 0;
	switch (v->type) {
	case VALUE_STR: return 's';
	case VALUE_LIST: return is_tuple(v) ? 'T' : 'l';
	case VALUE_MAP: return 'd';
	default: return 0;
	}
}

static const struct method_def *methods_find(char type, const char *name, size_t len)
{
	size_t i;

	if (type == 0)
		return NULL;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char mt = methods[i].type;

		if (!(mt == type || (mt == 't' && (type == 'l' || type == 'T'))))
			continue;
		if (strlen(methods[i].name) == len && memcmp(methods[i].name, name, len) == 0)
			return &methods[i];
	}
	return NULL;
}

int methods_has(const struct value *v, const char *name, size_t len)
{
	return methods_find(methods_type(v), name, len) != NULL;
}

int methods_mutates(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (methods[i].mutates && strlen(methods[i].name) == len && memcmp(methods[i].name, name, len) == 0)
			return 1;
	return 0;
}

int methods_call(struct tpl_rt *rt, uint32_t off, struct value *self, const char *name, size_t len,
                 struct value *const *args, size_t nargs, const struct tpl_kwarg *kw, size_t nkw,
                 struct value **vp)
{
	const struct method_def *m = methods_find(methods_type(self), name, len);
	struct tpl_call c = {NULL, args, nargs, kw, nkw, rt, off};
	int r;

	*vp = NULL;
	if (m == NULL)
		return ERR_NOTFOUND;
	if (m->mutates && self->refs > 1)
		return rt_fail(rt, off, ERR_INTERNAL, "method %s on a shared value", m->name);
	c.name = m->name;
	if ((r = rt_charge(rt, off, 1)) != 0)
		return r;
	r = m->fn(&c, self, vp);
	/* A changed receiver and a new container must stay within the depth
	 * cap; methods that add items keep the receiver's recorded depth up to
	 * date (rt_depth_added), so that appending in a loop stays cheap. */
	if (r == 0 && m->mutates && !(self->flags & TPL_F_DEPTH))
		r = rt_check_depth(rt, off, self);
	if (r == 0)
		r = rt_check_depth(rt, off, *vp);
	if (r != 0) {
		value_unref(*vp);
		*vp = NULL;
	}
	return r;
}
