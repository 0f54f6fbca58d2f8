/* libFuzzer target for playbook/kv: splitting and parsing argument strings
 * in both modes must never crash or leak, a failure must leave a diagnostic
 * and no result, and joining what was split must work. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "data/value.h"
#include "playbook/kv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_kv_check(int r, struct value *v, struct diag *d)
{
	if ((r == 0) != (v != NULL) || (r != 0) != diag_has(d))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct value *v = NULL;
	struct diag d;
	char *joined;
	int r, check_raw;

	diag_init(&d);
	r = kv_split(in, size, &v, &d);
	fuzz_kv_check(r, v, &d);
	if (r == 0) {
		joined = kv_join(v);
		/* A newline inside a jinja2 block comes out doubled, as in Ansible; joining
		 * adds at most one separator per word. */
		if (joined == NULL || strlen(joined) > 2 * size + value_len(v))
			abort();
		free(joined);
	}
	value_unref(v);
	diag_fini(&d);
	for (check_raw = 0; check_raw < 2; check_raw++) {
		v = NULL;
		r = kv_parse(in, size, check_raw, &v, &d);
		fuzz_kv_check(r, v, &d);
		if (r == 0 && v->type != VALUE_MAP)
			abort();
		value_unref(v);
		diag_fini(&d);
	}
	return 0;
}
