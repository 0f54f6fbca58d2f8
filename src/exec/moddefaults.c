/* module_defaults, applied when a task runs. */
#include "exec/moddefaults.h"

#include <string.h>

#include "playbook/modreg.h"

/* The entry the innermost map gives module, or NULL. */
static const struct value *moddefaults_find(const struct value *defaults, const char *module)
{
	const struct value *found = NULL, *m;
	const struct modinfo *mi;
	size_t i, j;

	for (i = 0; i < value_len(defaults); i++) {
		m = value_list_at(defaults, i);
		for (j = 0; m->type == VALUE_MAP && j < value_len(m); j++) {
			mi = modreg_find(value_cstr(value_map_key_at(m, j)));
			if (mi != NULL && strcmp(mi->name, module) == 0)
				found = value_map_val_at(m, j);
		}
	}
	return found;
}

int moddefaults_apply(struct vars_ctx *vc, const struct value *defaults, const char *module, struct value **argsp,
                      struct diag *d)
{
	const struct value *entry;
	struct value *tv = NULL, *merged;
	int r;

	if (defaults == NULL || defaults->type != VALUE_LIST || (entry = moddefaults_find(defaults, module)) == NULL)
		return 0;
	if ((r = vars_template(vc, entry, &tv, d)) != 0)
		return r;
	if (tv != NULL && tv->type == VALUE_MAP && value_len(tv) > 0) {
		merged = value_dup(tv);
		value_map_update(merged, *argsp, 0);
		value_unref(*argsp);
		*argsp = merged;
	}
	value_unref(tv);
	return 0;
}
