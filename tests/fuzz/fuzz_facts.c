/* libFuzzer target for the setup module's fact parsers: one input is fed
 * as os-release, both routing tables, cpuinfo (for three architectures),
 * mounts, meminfo, resolv.conf and the kernel command line. Any text must
 * give a value, never a crash or a leak. The module's source is compiled
 * in here, so the target links with the controller library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/modules/facts.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const arches[] = {"x86_64", "aarch64", "s390x"};
	char *s = malloc(size + 1), ifc[64], gw[64];
	struct value *v, *f;
	size_t i;

	memcpy(s, data, size);
	s[size] = '\0';
	v = facts_os_release(s);
	f = value_map();
	facts_distribution(f, v, s);
	value_unref(f);
	value_unref(v);
	(void)facts_route4_default(s, ifc, sizeof(ifc), gw, sizeof(gw));
	(void)facts_route6_default(s, ifc, sizeof(ifc), gw, sizeof(gw));
	for (i = 0; i < 3; i++) {
		f = value_map();
		facts_cpuinfo(f, s, arches[i], -1);
		value_unref(f);
	}
	value_unref(facts_mounts(s));
	value_unref(facts_bind_mounts(s));
	f = value_map();
	facts_meminfo(f, s);
	value_unref(f);
	value_unref(facts_resolv(s));
	value_unref(facts_cmdline(s, 0));
	value_unref(facts_cmdline(s, 1));
	free(s);
	return 0;
}
