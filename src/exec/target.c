/* A host's connection settings from its variables and the run's options. */
#include "exec/target.h"

#include <string.h>

/* The first of two variable names that is set to a string, else dflt.
 * Ansible's older ansible_ssh_* spellings are the second choice. */
static const char *target_var(const struct value *vars, const char *a, const char *b, const char *dflt)
{
	const char *v = value_get_str(vars, a, NULL);

	if (v == NULL && b != NULL)
		v = value_get_str(vars, b, NULL);
	return v ? v : dflt;
}

void target_from_vars(const struct value *vars, const struct adhoc_opts *o, const char *name, struct ssh_target *t)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->addr = target_var(vars, "ansible_host", "ansible_ssh_host", name);
	t->user = target_var(vars, "ansible_user", "ansible_ssh_user", o->remote_user);
	t->port = (int)value_get_int(vars, "ansible_port", value_get_int(vars, "ansible_ssh_port", 0));
	t->key_file = target_var(vars, "ansible_ssh_private_key_file", "ansible_private_key_file", o->private_key);
	t->common_args = target_var(vars, "ansible_ssh_common_args", NULL, o->ssh_common_args);
	t->extra_args = target_var(vars, "ansible_ssh_extra_args", NULL, o->ssh_extra_args);
	t->ssh_exe = target_var(vars, "ansible_ssh_executable", NULL, o->ssh_executable ? o->ssh_executable : "ssh");
	t->ssh_args = target_var(vars, "ansible_ssh_args", NULL, o->ssh_args);
	t->ctl_dir = o->ctl_dir;
	t->persist = o->persist;
	t->connect_timeout = (int)(o->connect_timeout_ms / 1000);
	t->alive_interval = (int)value_get_int(vars, "drover_ssh_alive_interval", 15);
	t->alive_count = (int)value_get_int(vars, "drover_ssh_alive_count", 3);
	t->host_key_checking =
		value_get_bool(vars, "ansible_host_key_checking",
	                       value_get_bool(vars, "ansible_ssh_host_key_checking", o->host_key_checking));
	t->verbosity = o->style.verbosity;
}

const char *target_connection(const struct value *vars, const struct adhoc_opts *o)
{
	const char *c = value_get_str(vars, "ansible_connection", NULL);

	if (c == NULL)
		c = o->connection;
	return c ? c : "ssh";
}

const char *target_password(const struct value *vars, const struct adhoc_opts *o)
{
	return target_var(vars, "ansible_password", "ansible_ssh_pass", o->conn_password);
}
