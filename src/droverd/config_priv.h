/* What config.c and progconf.c share while a configuration is read: the
 * merged sections, the expansion values, and helpers that fetch an option
 * the way supervisord's saneget() does. Not for other files. */
#ifndef DROVER_DROVERD_CONFIG_PRIV_H
#define DROVER_DROVERD_CONFIG_PRIV_H

#include "data/value.h"
#include "droverd/config.h"
#include "droverd/expand.h"

struct config_ctx {
	struct value *doc;       /* owned; section name -> map of key -> string */
	struct expand_vars env;  /* ENV_X: the environment, then [supervisord] environment= */
	char *here;              /* directory of the main file */
	char *host;              /* platform.node() */
	struct dconf *c;         /* being filled */
	struct diag *d;
};

/* Looks key up in section, then in [DEFAULT], as configparser's get().
 * Returns the borrowed string value (with its position) or NULL. */
const struct value *config_raw(const struct config_ctx *x, const char *section, const char *key);

/* Fetches section.key as saneget() does: the raw value, or def when absent
 * (def NULL and absent: *outp NULL, returns 0), then, when vars is not
 * NULL, expanded with vars (naming it "section.key" in errors). Returns 0
 * with *outp new (or NULL), or ERR_PARSE with x->d set at the value's
 * position. */
int config_get(struct config_ctx *x, const char *section, const char *key, const char *def,
               const struct expand_vars *vars, char **outp);

/* Records an error about section.key at the value's position (or the
 * section's header when the key is absent; key NULL: the header):
 * "[section] key: msg". Takes ownership of msg. Returns ERR_PARSE. */
int config_fail(struct config_ctx *x, const char *section, const char *key, char *msg);

/* Adds a warning or an informational message for the main log. Takes
 * ownership of msg. */
void config_warn(struct dconf *c, char *msg);
void config_info(struct dconf *c, char *msg);

/* Warns about keys of section that are not in known (NULL-terminated),
 * suggesting a near one. */
void config_check_keys(struct config_ctx *x, const char *section, const char *const *known);

/* Returns x->env plus the given string pairs (name, value, ..., NULL), a
 * new set the caller finishes. */
void config_vars(const struct config_ctx *x, struct expand_vars *out, ...);

/* Reads every [program:x] and [group:x] into x->c->groups (sorted). */
int progconf_load_groups(struct config_ctx *x);
void pconf_free(struct pconf *p);

#endif
