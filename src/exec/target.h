/* How a host is reached: its ssh settings, connection type and password,
 * derived from its variables (inventory variables with extra vars on top)
 * and the run's options, with Ansible's variable names and precedence. One
 * place for every command that connects to hosts (`drover run`,
 * `drover doctor`). */
#ifndef DROVER_EXEC_TARGET_H
#define DROVER_EXEC_TARGET_H

#include "data/value.h"
#include "exec/adhoc.h"
#include "transport/ssh.h"

/*
 * target_from_vars - fill an ssh target for one host
 *
 * Sets every field of t from vars and o: addr from ansible_host (or
 * ansible_ssh_host, else name), user from ansible_user / ansible_ssh_user
 * (else o->remote_user), port from ansible_port / ansible_ssh_port (else 0,
 * ssh's choice), the key file from ansible_ssh_private_key_file /
 * ansible_private_key_file (else o->private_key), ansible_ssh_common_args,
 * ansible_ssh_extra_args (else the options'), ansible_ssh_executable (else
 * o->ssh_executable, else "ssh"), ansible_ssh_args (else o->ssh_args), keepalives from drover_ssh_alive_interval / drover_ssh_alive_count,
 * host key checking from ansible_host_key_checking /
 * ansible_ssh_host_key_checking (else o->host_key_checking), and the control
 * directory, ControlPersist, connect timeout and verbosity from o. envp and
 * password are cleared: see target_password.
 *
 * Every string in t is borrowed from vars, o or name, which must outlive t.
 */
void target_from_vars(const struct value *vars, const struct adhoc_opts *o, const char *name,
                      struct ssh_target *t);

/* Returns the host's connection type: ansible_connection, else
 * o->connection, else "ssh" (borrowed). */
const char *target_connection(const struct value *vars, const struct adhoc_opts *o);

/* Returns the host's login password: ansible_password, else
 * ansible_ssh_pass, else o->conn_password, else NULL (keys or an agent).
 * Borrowed; a secret, never to be logged. */
const char *target_password(const struct value *vars, const struct adhoc_opts *o);

#endif
