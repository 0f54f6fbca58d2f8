/* Options shared by the subcommands that select hosts (`run`, `inventory`,
 * later `playbook`): inventories, limits, extra vars, connection, forks,
 * timeout and verbosity, parsed as ansible's CLI does. */
#ifndef DROVER_CLI_OPTS_H
#define DROVER_CLI_OPTS_H

#include <stddef.h>

#include "data/value.h"
#include "inventory/inventory.h"

struct config;

struct cli_opts {
	const char **inventories; /* borrowed from argv; owned array */
	size_t ninventories;
	const char **limits;      /* borrowed from argv; owned array */
	size_t nlimits;
	struct value *extra_vars; /* owned map */
	const char *connection;   /* -c, or NULL */
	int forks;                /* -f; 0 when not given */
	int timeout;              /* -T, seconds; 0 when not given */
	int verbosity;            /* -v count */
	int no_persist;           /* --no-persist */
	struct config *cfg;       /* owned; ansible.cfg and ANSIBLE_* (cli_opts_config) */
};

/* The worker binary shipped to ssh hosts. */
struct cli_worker {
	char *bytes; /* owned */
	size_t len;
	const char *hash; /* hex SHA-256 (static storage) */
	char *ctl_dir;    /* owned; the control directory in use, or NULL */
	char error[512];  /* why bytes is NULL */
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

/* Loads ansible.cfg and the ANSIBLE_* variables into co->cfg once (later
 * calls do nothing), printing warnings and errors. Returns an exit code. */
int cli_opts_config(struct cli_opts *co);

/* Loads the inventories named by -i (else the configured ones: ANSIBLE_INVENTORY,
 * [defaults] inventory, /etc/ansible/hosts when it exists). Prints errors.
 * Returns an exit code. */
int cli_load_inventory(struct cli_opts *co, struct inventory **invp);

/* Selects the hosts of pattern after the limits. An empty selection is an
 * error. Prints errors. Returns an exit code; *hostsp is freed by the caller. */
int cli_select_hosts(const struct cli_opts *co, struct inventory *inv, const char *pattern,
                     struct inv_host ***hostsp, size_t *np);

/* Reads a secret from the terminal with echo off, as Ansible's -k / -K do.
 * Returns a heap string (the caller wipes and frees it) or NULL when there
 * is no terminal. */
char *cli_prompt_secret(const char *prompt);

struct adhoc_opts;
/* Fills the connection options of o that the command line left unset from
 * ansible.cfg / ANSIBLE_* (timeout, remote_user, private_key_file, ssh_args,
 * ssh_common_args, ssh_extra_args, ssh_executable, reconnection_retries,
 * host_key_checking, forks — else sized from CPU count and the open-file
 * limit), loads the worker binary and its hash, picks the control directory
 * (control_path_dir honoured; any problem means direct connections, said at
 * -v) and ControlPersist (from ssh_args, $DROVER_CONTROL_PERSIST, default
 * 60; --no-persist: none). Returns an exit code. */
int cli_ssh_setup(struct cli_opts *co, struct adhoc_opts *o, struct cli_worker *w);

#endif
