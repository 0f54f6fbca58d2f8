/* The table of modules drover knows. */
#include "exec/modreg.h"

#include <string.h>

static const struct modinfo modreg_table[] = {
	{"command", MOD_WORKER, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
	{"ping", MOD_WORKER, 0},
	{"raw", MOD_RAW, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
	{"shell", MOD_WORKER, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
};

const struct modinfo *modreg_find(const char *name)
{
	static const char *const prefixes[] = {"ansible.builtin.", "ansible.legacy."};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
			name += strlen(prefixes[i]);
			break;
		}
	}
	for (i = 0; i < sizeof(modreg_table) / sizeof(modreg_table[0]); i++)
		if (strcmp(modreg_table[i].name, name) == 0)
			return &modreg_table[i];
	return NULL;
}
