/* Facts as variables: the fact cache namespaced under ansible_facts and
 * injected as top-level names after Ansible's clean_facts, and the unsafe
 * marking Ansible's wrap_var gives module results. */
#include <string.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "exec/vars_priv.h"

/* Names that would override connection settings or internal keys
 * (MAGIC_VARIABLE_MAPPING, COMMON_CONNECTION_VARS, RESTRICTED_RESULT_KEYS,
 * INTERNAL_RESULT_KEYS of ansible-core 2.14). */
static const char *const vars_facts_restricted[] = {
	"ansible_connection", "ansible_module_compression", "ansible_shell_type", "ansible_shell_executable",
	"ansible_ssh_host", "ansible_host", "ansible_ssh_user", "ansible_user", "ansible_ssh_pass",
	"ansible_password", "ansible_ssh_port", "ansible_port", "ansible_ssh_pipelining", "ansible_pipelining",
	"ansible_ssh_timeout", "ansible_timeout", "ansible_ssh_private_key_file", "ansible_private_key_file",
	"ansible_network_os", "ansible_connection_user", "ansible_ssh_executable", "ansible_ssh_common_args",
	"ansible_sftp_extra_args", "ansible_scp_extra_args", "ansible_ssh_extra_args",
	"ansible_ssh_transfer_method", "ansible_docker_extra_args", "ansible_become", "ansible_become_method",
	"ansible_become_user", "ansible_become_password", "ansible_become_pass", "ansible_become_exe",
	"ansible_become_flags", "ansible_rsync_path", "ansible_playbook_python", "ansible_facts", "add_host",
	"add_group",
};

/* Connection plugins whose ansible_<name>_* variables facts may not set. */
static const char *const vars_facts_conn[] = {"local", "paramiko_ssh", "psrp", "ssh", "winrm"};

static int vars_facts_ends(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int vars_facts_is_restricted(const char *k, size_t n)
{
	size_t i, m;

	for (i = 0; i < sizeof(vars_facts_restricted) / sizeof(vars_facts_restricted[0]); i++)
		if (strlen(vars_facts_restricted[i]) == n && memcmp(vars_facts_restricted[i], k, n) == 0)
			return 1;
	if (n < 8 || memcmp(k, "ansible_", 8) != 0)
		return 0;
	if (n >= 15 && memcmp(k, "ansible_become_", 15) == 0)
		return 1;
	for (i = 0; i < sizeof(vars_facts_conn) / sizeof(vars_facts_conn[0]); i++) {
		m = strlen(vars_facts_conn[i]);
		/* Device names of container tech look like ansible_ssh_..._bridge. */
		if (n > 8 + m && memcmp(k + 8, vars_facts_conn[i], m) == 0 && k[8 + m] == '_' &&
		    !vars_facts_ends(k, n, "_bridge") && !vars_facts_ends(k, n, "_gwbridge"))
			return 1;
	}
	/* ^ansible_.*_interpreter$ */
	return n >= 8 + 12 && vars_facts_ends(k, n, "_interpreter");
}

/* strip_internal_keys: _ansible_* keys removed at every depth; a new
 * reference, copied only where something is removed. */
static struct value *vars_facts_strip(const struct value *v, int depth)
{
	struct value *out = NULL, *child;
	size_t i;

	if (depth > 1000 || (v->type != VALUE_MAP && v->type != VALUE_LIST))
		return value_ref((struct value *)v);
	for (i = 0; i < value_len(v); i++) {
		const struct value *item = v->type == VALUE_LIST ? v->u.l.items[i] : v->u.m.ents[i].val;
		const char *key = v->type == VALUE_MAP ? v->u.m.ents[i].key->u.s.ptr : NULL;
		int drop = key != NULL && strncmp(key, "_ansible_", 9) == 0;

		child = drop ? NULL : vars_facts_strip(item, depth + 1);
		if (out == NULL && (drop || child != item)) {
			size_t j;

			out = value_pos_from(v->type == VALUE_LIST ? value_list() : value_map(), v);
			out->flags = v->flags;
			for (j = 0; j < i; j++) {
				if (v->type == VALUE_LIST)
					value_list_push(out, value_ref(v->u.l.items[j]));
				else
					value_map_set_key(out, value_ref(v->u.m.ents[j].key),
					                  value_ref(v->u.m.ents[j].val));
			}
		}
		if (out != NULL && child != NULL) {
			if (v->type == VALUE_LIST)
				value_list_push(out, child);
			else
				value_map_set_key(out, value_ref(v->u.m.ents[i].key), child);
			child = NULL;
		}
		value_unref(child);
	}
	return out != NULL ? out : value_ref((struct value *)v);
}

struct value *vars_facts_layer(struct vars_run *run, const struct value *facts)
{
	struct value *layer = value_map(), *ns = value_map(), *clean;
	size_t i;

	for (i = 0; facts != NULL && i < value_len(facts); i++) {
		const struct value *k = value_map_key_at(facts, i);
		struct value *v = value_map_val_at(facts, i);

		if (k->u.s.len > 8 && memcmp(k->u.s.ptr, "ansible_", 8) == 0 && strcmp(k->u.s.ptr, "ansible_local") != 0)
			value_map_set(ns, k->u.s.ptr + 8, value_ref(v));
		else
			value_map_set_key(ns, value_ref((struct value *)k), value_ref(v));
		if (vars_facts_is_restricted(k->u.s.ptr, k->u.s.len)) {
			if (strncmp(k->u.s.ptr, "ansible_ssh_host_key_", 21) == 0) {
				/* Kept, as Ansible keeps host keys. */
			} else {
				if (value_map_get(run->warned, k->u.s.ptr) == NULL) {
					log_warn("Removed restricted key from module data: %s", k->u.s.ptr);
					value_map_set(run->warned, k->u.s.ptr, value_bool(1));
				}
				continue;
			}
		}
		if (strncmp(k->u.s.ptr, "_ansible_", 9) == 0)
			continue;
		clean = vars_facts_strip(v, 0);
		value_map_set_key(layer, value_ref((struct value *)k), clean);
	}
	value_map_set(layer, "ansible_facts", ns);
	return layer;
}

static struct value *vars_facts_unsafe_depth(const struct value *v, int depth)
{
	struct value *out = NULL, *child;
	size_t i;

	if (v->type == VALUE_STR) {
		if (v->flags & VALUE_F_UNSAFE)
			return value_ref((struct value *)v);
		out = value_pos_from(value_strn(v->u.s.ptr, v->u.s.len), v);
		out->flags = v->flags | VALUE_F_UNSAFE;
		return out;
	}
	if (depth > 1000 || (v->type != VALUE_MAP && v->type != VALUE_LIST))
		return value_ref((struct value *)v);
	for (i = 0; i < value_len(v); i++) {
		const struct value *item = v->type == VALUE_LIST ? v->u.l.items[i] : v->u.m.ents[i].val;

		child = vars_facts_unsafe_depth(item, depth + 1);
		if (out == NULL && child != item) {
			size_t j;

			out = value_pos_from(v->type == VALUE_LIST ? value_list() : value_map(), v);
			out->flags = v->flags;
			for (j = 0; j < i; j++) {
				if (v->type == VALUE_LIST)
					value_list_push(out, value_ref(v->u.l.items[j]));
				else
					value_map_set_key(out, value_ref(v->u.m.ents[j].key),
					                  value_ref(v->u.m.ents[j].val));
			}
		}
		if (out != NULL) {
			if (v->type == VALUE_LIST)
				value_list_push(out, child);
			else
				value_map_set_key(out, value_ref(v->u.m.ents[i].key), child);
		} else {
			value_unref(child);
		}
	}
	return out != NULL ? out : value_ref((struct value *)v);
}

struct value *vars_facts_unsafe(const struct value *v)
{
	return vars_facts_unsafe_depth(v, 0);
}
