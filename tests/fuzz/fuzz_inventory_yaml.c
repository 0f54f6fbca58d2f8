/* libFuzzer target for YAML inventories and the YAML loader under them:
 * the text is loaded as an inventory, and also as plain YAML, which when it
 * loads must survive yaml_emit and a second load unchanged. */
#include <math.h>

#include "data/yaml.h"
#include "fuzz_inventory_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* value_equal, except that NaN equals NaN. */
static int fuzz_same(const struct value *a, const struct value *b)
{
	size_t i;

	if (a->type == VALUE_FLOAT && b->type == VALUE_FLOAT && isnan(a->u.f) && isnan(b->u.f))
		return 1;
	if (a->type != b->type)
		return 0;
	if (a->type == VALUE_LIST) {
		if (a->u.l.len != b->u.l.len)
			return 0;
		for (i = 0; i < a->u.l.len; i++)
			if (!fuzz_same(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	}
	if (a->type == VALUE_MAP) {
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (i = 0; i < a->u.m.len; i++) {
			const struct value *k = a->u.m.ents[i].key;
			const struct value *bv = value_map_getn(b, k->u.s.ptr, k->u.s.len);

			if (bv == NULL || !fuzz_same(a->u.m.ents[i].val, bv))
				return 0;
		}
		return 1;
	}
	return value_equal(a, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *v, *back;
	struct diag d;
	struct buf b;

	fuzz_inventory_run(data, size, INV_FORMAT_YAML);
	diag_init(&d);
	if (yaml_load((const char *)data, size, "fuzz", &v, &d) == 0) {
		buf_init(&b, (size_t)64 << 20);
		if (yaml_emit(&b, v, 0) == 0) {
			diag_fini(&d);
			diag_init(&d);
			if (yaml_load(buf_ptr(&b), buf_avail(&b), "emitted", &back, &d) != 0)
				abort();
			if (!fuzz_same(v, back))
				abort();
			value_unref(back);
		}
		buf_fini(&b);
		value_unref(v);
	}
	diag_fini(&d);
	return 0;
}
