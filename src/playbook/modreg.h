/* Which modules exist and where each runs: in the worker, as a raw command
 * without the worker, or on the controller. Names may carry the
 * ansible.builtin. or ansible.legacy. prefix. */
#ifndef DROVER_PLAYBOOK_MODREG_H
#define DROVER_PLAYBOOK_MODREG_H

enum mod_where {
	MOD_WORKER,
	MOD_RAW,
	MOD_CONTROLLER,
};

enum {
	MOD_F_FREEFORM = 1 << 0,     /* takes free-form text as _raw_params */
	MOD_F_REQUIRE_ARGS = 1 << 1, /* ad-hoc use needs -a */
	MOD_F_NO_JSON = 1 << 2,      /* ad-hoc output is text, not JSON */
};

struct modinfo {
	const char *name; /* short name, without a collection prefix */
	enum mod_where where;
	unsigned flags;
};

/* Returns the module called name (with or without a builtin prefix), or NULL. */
const struct modinfo *modreg_find(const char *name);

#endif
