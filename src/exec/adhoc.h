/* Ad-hoc runs (`drover run`): one module on many hosts, each host on its own
 * connection, at most `forks` at a time, all on one event loop. */
#ifndef DROVER_EXEC_ADHOC_H
#define DROVER_EXEC_ADHOC_H

#include <stddef.h>
#include <stdint.h>

#include "data/value.h"
#include "exec/becomereq.h"
#include "inventory/inventory.h"
#include "output/adhoc.h"

struct adhoc_opts {
	const char *module;      /* as given, possibly with a collection prefix */
	const struct value *args; /* module arguments (a map) */
	const struct value *extra_vars; /* -e, above every inventory variable */
	int forks;               /* hosts in flight at once; >= 1 */
	uint64_t connect_timeout_ms; /* -T */
	int task_timeout;        /* seconds; 0 = none */
	int check, diff;
	const char *connection;  /* -c, or NULL for the inventory's choice */
	const char *worker_path;
	const char *worker_bytes;  /* the worker binary, for ssh uploads */
	size_t worker_len;
	const char *worker_hash;   /* its hex SHA-256 */
	const char *worker_arch;   /* the `uname -m` it runs on */
	const char *worker_error;  /* why worker_bytes is NULL */
	const char *remote_user;   /* -u */
	const char *private_key;   /* --private-key */
	const char *ssh_common_args; /* --ssh-common-args */
	const char *ssh_extra_args;  /* --ssh-extra-args */
	const char *ssh_args;      /* the user's ssh_args (ansible.cfg), or NULL */
	const char *ssh_executable; /* ssh_executable, or NULL for "ssh" */
	const char *ctl_dir;       /* usable control directory, or NULL */
	int persist;               /* ControlPersist seconds; 0 none */
	int host_key_checking;
	int retries;               /* reconnection retries (ansible_ssh_retries) */
	const char *conn_password; /* -k, or NULL (secret: never logged) */
	const char *self_path;     /* drover's own path, run by ssh as askpass */
	struct becomereq_defaults become; /* -b, --become-user, -K, [privilege_escalation] */
	struct adhoc_style style;
};

struct adhoc_stats {
	int ok, changed, failed, unreachable, skipped;
};

/* Runs the module on hosts and prints each result as it arrives. Returns 0
 * (the run happened; see stats) or a negative error when the run could not
 * start at all. */
int adhoc_run(struct inventory *inv, struct inv_host *const *hosts, size_t n, const struct adhoc_opts *o,
              struct adhoc_stats *stats);

#endif
