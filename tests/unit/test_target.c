/* Unit tests for src/exec/target: a host's ssh settings from its variables
 * and the run's options, with Ansible's names and precedence. */
#include <string.h>

#include "data/value.h"
#include "exec/target.h"
#include "t.h"

static struct value *vars_of(const char *const *kv)
{
	struct value *m = value_map();

	for (; kv[0] != NULL; kv += 2)
		value_map_set(m, kv[0], value_str(kv[1]));
	return m;
}

static void test_defaults_from_options(void)
{
	static const char *const kv[] = {NULL};
	struct value *vars = vars_of(kv);
	struct adhoc_opts o;
	struct ssh_target t;

	memset(&o, 0, sizeof(o));
	o.remote_user = "deploy";
	o.private_key = "/keys/id";
	o.ssh_common_args = "-F cfg";
	o.ctl_dir = "/run/drover";
	o.persist = 60;
	o.connect_timeout_ms = 7000;
	o.host_key_checking = 1;
	o.style.verbosity = 2;
	target_from_vars(vars, &o, "web1", &t);
	T_EQ_STR(t.name, "web1");
	T_EQ_STR(t.addr, "web1");
	T_EQ_STR(t.user, "deploy");
	T_EQ_INT(t.port, 0);
	T_EQ_STR(t.key_file, "/keys/id");
	T_EQ_STR(t.common_args, "-F cfg");
	T_CHECK(t.extra_args == NULL);
	T_EQ_STR(t.ssh_exe, "ssh");
	T_EQ_STR(t.ctl_dir, "/run/drover");
	T_EQ_INT(t.persist, 60);
	T_EQ_INT(t.connect_timeout, 7);
	T_EQ_INT(t.alive_interval, 15);
	T_EQ_INT(t.alive_count, 3);
	T_EQ_INT(t.host_key_checking, 1);
	T_EQ_INT(t.verbosity, 2);
	T_CHECK(t.envp == NULL);
	T_EQ_INT(t.password, 0);
	T_EQ_STR(target_connection(vars, &o), "ssh");
	T_CHECK(target_password(vars, &o) == NULL);
	value_unref(vars);
}

static void test_vars_win(void)
{
	static const char *const kv[] = {
		"ansible_host", "10.0.0.1", "ansible_ssh_host", "10.0.0.2", "ansible_ssh_user", "old",
		"ansible_ssh_private_key_file", "/k1", "ansible_private_key_file", "/k2",
		"ansible_ssh_extra_args", "-o X=1", "ansible_ssh_executable", "/opt/ssh",
		"ansible_connection", "local", "ansible_ssh_pass", "secret", NULL,
	};
	struct value *vars = vars_of(kv);
	struct adhoc_opts o;
	struct ssh_target t;

	memset(&o, 0, sizeof(o));
	o.remote_user = "cli";
	o.connection = "ssh";
	o.conn_password = "from-k";
	o.host_key_checking = 1;
	value_map_set(vars, "ansible_ssh_port", value_int(2222));
	value_map_set(vars, "ansible_host_key_checking", value_bool(0));
	value_map_set(vars, "drover_ssh_alive_interval", value_int(5));
	target_from_vars(vars, &o, "web1", &t);
	T_EQ_STR(t.addr, "10.0.0.1");
	T_EQ_STR(t.user, "old");
	T_EQ_INT(t.port, 2222);
	T_EQ_STR(t.key_file, "/k1");
	T_EQ_STR(t.extra_args, "-o X=1");
	T_EQ_STR(t.ssh_exe, "/opt/ssh");
	T_EQ_INT(t.host_key_checking, 0);
	T_EQ_INT(t.alive_interval, 5);
	T_EQ_STR(target_connection(vars, &o), "local");
	T_EQ_STR(target_password(vars, &o), "secret");
	value_map_set(vars, "ansible_port", value_int(22));
	value_map_set(vars, "ansible_user", value_str("new"));
	value_map_set(vars, "ansible_password", value_str("newer"));
	target_from_vars(vars, &o, "web1", &t);
	T_EQ_INT(t.port, 22);
	T_EQ_STR(t.user, "new");
	T_EQ_STR(target_password(vars, &o), "newer");
	value_unref(vars);
}

int main(void)
{
	T_RUN(test_defaults_from_options);
	T_RUN(test_vars_win);
	return T_DONE();
}
