/* libFuzzer target for INI inventories (the ini plugin's rules, Python
 * literal values, host ranges) and the host patterns run on the result. */
#include "fuzz_inventory_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_inventory_run(data, size, INV_FORMAT_INI);
	return 0;
}
