/* Python str methods over UTF-8 bytes. */
#include "data/pystr.h"

#include <string.h>

/* Returns the byte length of the line break starting at p, or 0. */
static size_t pystr_break_len(const unsigned char *p, const unsigned char *end)
{
	switch (*p) {
	case '\r':
		return p + 1 < end && p[1] == '\n' ? 2 : 1;
	case '\n': case '\v': case '\f': case 0x1c: case 0x1d: case 0x1e:
		return 1;
	case 0xc2:
		return p + 1 < end && p[1] == 0x85 ? 2 : 0;
	case 0xe2:
		return p + 2 < end && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9) ? 3 : 0;
	default:
		return 0;
	}
}

struct value *pystr_splitlines(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *start = p;
	struct value *l = value_list();
	size_t n;

	while (p < end) {
		n = pystr_break_len(p, end);
		if (n == 0) {
			p++;
			continue;
		}
		value_list_push(l, value_strn((const char *)start, (size_t)(p - start)));
		p += n;
		start = p;
	}
	if (start < end)
		value_list_push(l, value_strn((const char *)start, (size_t)(end - start)));
	return l;
}

size_t pystr_rstrip_len(const char *s, size_t len, const char *chars)
{
	size_t n = len;

	while (n > 0 && strchr(chars, s[n - 1]) != NULL && s[n - 1] != '\0')
		n--;
	return n;
}
