/* Python str semantics over UTF-8: decoding, character properties and case
 * mappings from generated Unicode tables. */
#include "template/ustr.h"

#include <string.h>

#include "base/err.h"
#include "template/unicode_tab.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

size_t ustr_decode(const char *s, size_t n, uint32_t *cpp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t need, i;

	if (p[0] < 0x80) {
		*cpp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		need = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		need = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		need = 4;
		cp = p[0] & 0x07;
	} else {
		goto bad;
	}
	if (n < need)
		goto bad;
	for (i = 1; i < need; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* Overlong forms and out-of-range values are not characters. */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		goto bad;
	*cpp = cp;
	return need;
bad:
	*cpp = 0xdc00 + p[0];
	return 1;
}

size_t ustr_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp >= 0xdc80 && cp <= 0xdcff) {
		o[0] = (unsigned char)(cp - 0xdc00);
		return 1;
	}
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xc0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xe0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (unsigned char)(0xf0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

int ustr_put(struct buf *out, uint32_t cp)
{
	char tmp[4];

	return buf_put(out, tmp, ustr_encode(cp, tmp));
}

int ustr_is_ascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

size_t ustr_len(const char *s, size_t n)
{
	size_t i = 0, count = 0;
	uint32_t cp;

	while (i < n) {
		if ((unsigned char)s[i] < 0x80)
			i++;
		else
			i += ustr_decode(s + i, n - i, &cp);
		count++;
	}
	return count;
}

size_t ustr_offset(const char *s, size_t n, size_t idx)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n && idx > 0) {
		i += ustr_decode(s + i, n - i, &cp);
		idx--;
	}
	return i;
}

static int ustr_in_ranges(const uint32_t (*r)[2], size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < r[mid][0])
			hi = mid;
		else if (cp > r[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

int ustr_isspace(uint32_t cp)
{
	if (cp < 0x80)
		return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20);
	switch (cp) {
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029: case 0x202f:
	case 0x205f: case 0x3000:
		return 1;
	default:
		return cp >= 0x2000 && cp <= 0x200a;
	}
}

int ustr_isalpha(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	return ustr_in_ranges(uc_alpha, NELEM(uc_alpha), cp);
}

int ustr_isdigit(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= '0' && cp <= '9';
	return ustr_in_ranges(uc_digit, NELEM(uc_digit), cp);
}

int ustr_isdecimal(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= '0' && cp <= '9';
	return ustr_in_ranges(uc_decimal, NELEM(uc_decimal), cp);
}

int ustr_isnumeric(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= '0' && cp <= '9';
	return ustr_in_ranges(uc_numeric, NELEM(uc_numeric), cp);
}

int ustr_isprintable(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 0x20 && cp < 0x7f;
	if (cp >= 0xdc80 && cp <= 0xdcff)
		return 0;
	return !ustr_in_ranges(uc_nonprint, NELEM(uc_nonprint), cp);
}

int ustr_islower(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'a' && cp <= 'z';
	return ustr_in_ranges(uc_lowerp, NELEM(uc_lowerp), cp);
}

int ustr_isupper(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z';
	return ustr_in_ranges(uc_upperp, NELEM(uc_upperp), cp);
}

int ustr_istitle(uint32_t cp)
{
	return cp >= 0x80 && ustr_in_ranges(uc_titlep, NELEM(uc_titlep), cp);
}

int ustr_iscased(uint32_t cp)
{
	if (cp < 0x80)
		return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
	return ustr_in_ranges(uc_cased, NELEM(uc_cased), cp);
}

static uint32_t ustr_run_map(const int32_t (*runs)[4], size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint32_t first = (uint32_t)runs[mid][0], last = (uint32_t)runs[mid][1];

		if (cp < first) {
			hi = mid;
		} else if (cp > last) {
			lo = mid + 1;
		} else {
			if ((cp - first) % (uint32_t)runs[mid][3] != 0)
				return cp;
			return (uint32_t)((int32_t)cp + runs[mid][2]);
		}
	}
	return cp;
}

static const char *ustr_special(const struct ucase_special *sp, size_t n, uint32_t cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (cp < sp[mid].cp)
			hi = mid;
		else if (cp > sp[mid].cp)
			lo = mid + 1;
		else
			return sp[mid].utf8;
	}
	return NULL;
}

uint32_t ustr_simple_case(uint32_t cp, enum ustr_case which)
{
	if (cp < 0x80) {
		if (which == USTR_LOWER)
			return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
		return cp >= 'a' && cp <= 'z' ? cp - 32 : cp;
	}
	switch (which) {
	case USTR_UPPER: return ustr_run_map(uc_upper_runs, NELEM(uc_upper_runs), cp);
	case USTR_LOWER: return ustr_run_map(uc_lower_runs, NELEM(uc_lower_runs), cp);
	default: return ustr_run_map(uc_title_runs, NELEM(uc_title_runs), cp);
	}
}

int ustr_put_case(struct buf *out, uint32_t cp, enum ustr_case which)
{
	const char *sp = NULL;

	if (cp < 0x80)
		return buf_putc(out, (char)ustr_simple_case(cp, which));
	switch (which) {
	case USTR_UPPER: sp = ustr_special(uc_upper_special, NELEM(uc_upper_special), cp); break;
	case USTR_LOWER: sp = ustr_special(uc_lower_special, NELEM(uc_lower_special), cp); break;
	case USTR_TITLE: sp = ustr_special(uc_title_special, NELEM(uc_title_special), cp); break;
	}
	if (sp != NULL)
		return buf_puts(out, sp);
	return ustr_put(out, ustr_simple_case(cp, which));
}

int ustr_upper(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int r;

	while (i < n) {
		i += ustr_decode(s + i, n - i, &cp);
		if ((r = ustr_put_case(out, cp, USTR_UPPER)) != 0)
			return r;
	}
	return 0;
}

/* Python's final sigma rule: a capital sigma preceded by a cased letter and
 * not followed by one lowers to the final form. */
static int ustr_final_sigma(const char *s, size_t n, size_t at, size_t next)
{
	size_t i;
	uint32_t cp;
	int before = 0;

	for (i = 0; i < at;) {
		i += ustr_decode(s + i, at - i, &cp);
		before = ustr_iscased(cp);
	}
	if (!before)
		return 0;
	if (next >= n)
		return 1;
	ustr_decode(s + next, n - next, &cp);
	return !ustr_iscased(cp);
}

int ustr_lower(struct buf *out, const char *s, size_t n)
{
	size_t i = 0, at;
	uint32_t cp;
	int r;

	while (i < n) {
		at = i;
		i += ustr_decode(s + i, n - i, &cp);
		if (cp == 0x3a3 && ustr_final_sigma(s, n, at, i))
			r = ustr_put(out, 0x3c2);
		else
			r = ustr_put_case(out, cp, USTR_LOWER);
		if (r != 0)
			return r;
	}
	return 0;
}

int ustr_title(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int prev_cased = 0, r;

	while (i < n) {
		i += ustr_decode(s + i, n - i, &cp);
		r = ustr_put_case(out, cp, prev_cased ? USTR_LOWER : USTR_TITLE);
		if (r != 0)
			return r;
		prev_cased = ustr_iscased(cp);
	}
	return 0;
}

int ustr_capitalize(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int r;

	if (n == 0)
		return 0;
	i = ustr_decode(s, n, &cp);
	if ((r = ustr_put_case(out, cp, USTR_TITLE)) != 0)
		return r;
	return ustr_lower(out, s + i, n - i);
}

int ustr_swapcase(struct buf *out, const char *s, size_t n)
{
	size_t i = 0;
	uint32_t cp;
	int r;

	while (i < n) {
		i += ustr_decode(s + i, n - i, &cp);
		if (ustr_isupper(cp))
			r = ustr_put_case(out, cp, USTR_LOWER);
		else if (ustr_islower(cp))
			r = ustr_put_case(out, cp, USTR_UPPER);
		else
			r = ustr_put(out, cp);
		if (r != 0)
			return r;
	}
	return 0;
}

size_t ustr_rstrip_ws(const char *s, size_t n)
{
	size_t i = 0, keep = 0;
	uint32_t cp;

	while (i < n) {
		i += ustr_decode(s + i, n - i, &cp);
		if (!ustr_isspace(cp))
			keep = i;
	}
	return keep;
}

size_t ustr_lstrip_ws(const char *s, size_t n)
{
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = ustr_decode(s + i, n - i, &cp);
		if (!ustr_isspace(cp))
			break;
		i += len;
	}
	return n - i;
}
