/* Options shared by the subcommands that select hosts (`run`, `inventory`,
 * later `playbook`): inventories, limits, extra vars, connection, forks,
 * timeout and verbosity, parsed as ansible's CLI does. */
#ifndef DROVER_CLI_OPTS_H
#define DROVER_CLI_OPTS_H

#include <stddef.h>

#include "data/value.h"
#include "inventory/inventory.h"

struct cli_opts {
	const char **inventories; /* borrowed from argv; owned array */
	size_t ninventories;
	const char **limits;      /* borrowed from argv; owned array */
	size_t nlimits;
	struct value *extra_vars; /* owned map */
	const char *connection;   /* -c, or NULL */
	int forks;                /* -f */
	int timeout;              /* -T, seconds */
	int verbosity;            /* -v count */
};

void cli_opts_init(struct cli_opts *co);
void cli_opts_fini(struct cli_opts *co);

/* Handles one of the shared flags (i, e, l, c, f, T, v). Returns 0, or
 * ERR_INVAL after printing what is wrong with the value. */
int cli_opts_common(struct cli_opts *co, int flag, const char *arg);

/* Parses a decimal integer in [min, max]; prints an error naming the flag. */
int cli_parse_int(const char *s, const char *flag, int min, int max, int *outp);

/* Merges one -e argument (key=value words, JSON/YAML text, or @file) into
 * *varsp as Ansible does. Returns 0, or an error with d filled. */
int cli_extra_vars(struct value **varsp, const char *arg, struct diag *d);

/* Loads the inventories named by -i (else $ANSIBLE_INVENTORY, else
 * /etc/ansible/hosts when it exists). Prints errors. Returns an exit code. */
int cli_load_inventory(const struct cli_opts *co, struct inventory **invp);

/* Selects the hosts of pattern after the limits. An empty selection is an
 * error. Prints errors. Returns an exit code; *hostsp is freed by the caller. */
int cli_select_hosts(const struct cli_opts *co, struct inventory *inv, const char *pattern,
                     struct inv_host ***hostsp, size_t *np);

#endif
