/* libFuzzer target for droverd's configuration value parsers: environment=
 * (Python's legacy shlex), %(name)s expansion, the scalar types, the AUTO
 * log name pattern and the stderr tail. Any input must give either a value
 * or a message, never a crash or a leak. droverd's sources are compiled in
 * here, so the target links with the controller library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/droverd/conv.c"
#include "../../src/droverd/expand.c"
#include "../../src/droverd/kvpairs.c"
#include "../../src/droverd/tail.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_one(const char *s)
{
	struct expand_vars v;
	struct kvlist l;
	char *out = NULL, *err = NULL;
	long long ll;
	long lo;
	int i, r, *codes = NULL;
	uint8_t set[32];
	size_t n;

	kvlist_init(&l);
	r = kvpairs_parse(s, &l, &err);
	if ((r == 0) != (err == NULL))
		abort();
	free(err);
	err = NULL;
	kvlist_fini(&l);
	expand_vars_init(&v);
	expand_vars_set_str(&v, "here", "/etc");
	expand_vars_set_num(&v, "process_num", 7);
	r = expand(s, &v, "fuzz", &out, &err);
	if ((r == 0) != (out != NULL) || (r == 0) == (err != NULL))
		abort();
	free(out);
	free(err);
	expand_vars_fini(&v);
#define FUZZ_CONV(call)                     \
	do {                                \
		err = NULL;                 \
		if ((call) != 0 && err == NULL) \
			abort();            \
		free(err);                  \
	} while (0)
	FUZZ_CONV(conv_int(s, &ll, &err));
	FUZZ_CONV(conv_bool(s, &i, &err));
	FUZZ_CONV(conv_byte_size(s, &ll, &err));
	FUZZ_CONV(conv_octal(s, &lo, &err));
	FUZZ_CONV(conv_signal(s, &i, &err));
	FUZZ_CONV(conv_exitcodes(s, set, &codes, &n, &err));
	free(codes);
	FUZZ_CONV(conv_loglevel(s, &i, &err));
	FUZZ_CONV(conv_autorestart(s, &i, &err));
	out = NULL;
	FUZZ_CONV(conv_name(s, &out, &err));
	free(out);
	out = conv_repr(s);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	struct tail t;
	char **lines;
	size_t n, i, j, step;

	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_one(s);
	/* The tail: the input in chunks of its first byte's size. */
	tail_reset(&t);
	step = size > 0 ? (size_t)data[0] + 1 : 1;
	for (i = 0; i < size; i += step)
		tail_add(&t, (const char *)data + i, size - i < step ? size - i : step);
	lines = tail_lines(&t, &n);
	if (n > TAIL_LINES || t.len > TAIL_BYTES)
		abort();
	for (i = 0; i < n; i++)
		for (j = 0; lines[i][j]; j++)
			if ((unsigned char)lines[i][j] < 0x20 && lines[i][j] != '\t')
				abort();
	tail_lines_free(lines, n);
	free(s);
	return 0;
}
