/* Python regexes through POSIX ERE (data/pyre.c) and symbolic file
 * modes (modules/fmode.c) on arbitrary input. The input is a flags byte,
 * then pattern, text and replacement template separated by NUL bytes.
 * Every pattern either compiles or fails with a message; a compiled one
 * must search and substitute without fault, with match spans inside the
 * text and a substitution count no larger than the text allows. The
 * module layer is not in libdrover.a, so its sources are compiled in. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "modules/fmode.c"
#include "data/pyre.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *fuzz_next(const char **p, const char *end, size_t *lenp)
{
	const char *start = *p, *nul = memchr(start, '\0', (size_t)(end - start));

	*lenp = nul != NULL ? (size_t)(nul - start) : (size_t)(end - start);
	*p = nul != NULL ? nul + 1 : end;
	return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1, *end = (const char *)data + size, *pat, *text, *tmpl;
	size_t plen, tlen, rlen, g, count, pos;
	struct pyre_match m;
	struct pyre *re;
	struct buf out;
	char *err = NULL, *pz, *tz, *rz;
	unsigned mode;
	int flags;

	if (size == 0)
		return 0;
	flags = data[0] & (PYRE_IGNORECASE | PYRE_MULTILINE | PYRE_DOTALL);
	pat = fuzz_next(&p, end, &plen);
	text = fuzz_next(&p, end, &tlen);
	tmpl = fuzz_next(&p, end, &rlen);
	pz = xstrndup(pat, plen);
	tz = xstrndup(text, tlen);
	rz = xstrndup(tmpl, rlen);
	if (fmode_symbolic(pz, 0100644u | (data[0] & 1u ? 040000u : 0u), 022, &mode, &err) == 0) {
		if (mode > 07777)
			fatal("symbolic mode out of range");
	} else if (err == NULL) {
		fatal("a bad symbolic mode must give a message");
	}
	free(err);
	err = NULL;
	if (pyre_compile(pz, plen, flags, &re, &err) != 0) {
		if (err == NULL)
			fatal("a failed compile must give a message");
		free(err);
		goto out;
	}
	for (pos = 0; pos <= tlen && pos < 64; pos += 7) {
		if (!pyre_search(re, tz, tlen, pos, &m))
			continue;
		for (g = 0; g <= m.ngroups; g++)
			if (m.so[g] != PYRE_NONE && (m.so[g] > m.eo[g] || m.eo[g] > tlen || (g == 0 && m.so[g] < pos)))
				fatal("match span out of bounds");
		buf_init(&out, 0);
		if (pyre_expand(re, rz, rlen, tz, &m, &out, &err) != 0)
			free(err);
		buf_fini(&out);
	}
	buf_init(&out, 0);
	if (pyre_sub(re, rz, rlen, tz, tlen, &out, &count, &err) == 0) {
		if (count > tlen + 1)
			fatal("more substitutions than positions");
	} else if (err != NULL) {
		free(err);
	}
	buf_fini(&out);
	pyre_free(re);
out:
	free(pz);
	free(tz);
	free(rz);
	return 0;
}
