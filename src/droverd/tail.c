/* A fixed ring of a child's latest output bytes, split into lines only when
 * asked. */
#include "droverd/tail.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

void tail_reset(struct tail *t)
{
	t->start = 0;
	t->len = 0;
	t->dropped = 0;
}

void tail_add(struct tail *t, const char *p, size_t n)
{
	size_t end, k;

	if (n >= TAIL_BYTES) {
		t->dropped |= t->len > 0 || n > TAIL_BYTES;
		memcpy(t->ring, p + n - TAIL_BYTES, TAIL_BYTES);
		t->start = 0;
		t->len = TAIL_BYTES;
		return;
	}
	while (n > 0) {
		if (t->len == TAIL_BYTES) {
			/* Full: the new bytes overwrite the oldest. */
			k = TAIL_BYTES - t->start;
			if (k > n)
				k = n;
			memcpy(t->ring + t->start, p, k);
			t->start = (t->start + k) % TAIL_BYTES;
			t->dropped = 1;
		} else {
			end = (t->start + t->len) % TAIL_BYTES;
			k = end >= t->start ? TAIL_BYTES - end : t->start - end;
			if (k > n)
				k = n;
			if (k > TAIL_BYTES - t->len)
				k = TAIL_BYTES - t->len;
			memcpy(t->ring + end, p, k);
			t->len += k;
		}
		p += k;
		n -= k;
	}
}

char **tail_lines(const struct tail *t, size_t *np)
{
	char *flat = xmalloc(t->len + 1), **lines = NULL, *s, *e, *nl;
	size_t i, n = 0, first, k;

	*np = 0;
	for (i = 0; i < t->len; i++)
		flat[i] = t->ring[(t->start + i) % TAIL_BYTES];
	flat[t->len] = '\0';
	s = flat;
	e = flat + t->len;
	if (t->dropped && (nl = memchr(s, '\n', (size_t)(e - s))) != NULL)
		s = nl + 1;
	while (e > s && e[-1] == '\n')
		e--;
	if (e <= s) {
		free(flat);
		return NULL;
	}
	/* Count lines, then keep the last TAIL_LINES. */
	for (nl = s, k = 1; (nl = memchr(nl, '\n', (size_t)(e - nl))) != NULL; nl++)
		k++;
	first = k > TAIL_LINES ? k - TAIL_LINES : 0;
	lines = xcalloc(k - first, sizeof(*lines));
	for (i = 0; s <= e && i < k; i++) {
		nl = memchr(s, '\n', (size_t)(e - s));
		if (nl == NULL)
			nl = e;
		if (i >= first) {
			char *l = xstrndup(s, (size_t)(nl - s));
			size_t j, len = strlen(l);

			if (len > 0 && l[len - 1] == '\r')
				l[--len] = '\0';
			for (j = 0; j < len; j++)
				if ((unsigned char)l[j] < 0x20 && l[j] != '\t')
					l[j] = '?';
			lines[n++] = l;
		}
		s = nl + 1;
	}
	free(flat);
	*np = n;
	return lines;
}

void tail_lines_free(char **lines, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}
