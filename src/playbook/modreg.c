/* The table of modules drover knows. */
#include "playbook/modreg.h"

#include <string.h>

static const struct modinfo modreg_table[] = {
	{"command", MOD_WORKER, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
	{"ping", MOD_WORKER, 0},
	{"raw", MOD_RAW, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
	{"shell", MOD_WORKER, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS | MOD_F_NO_JSON},
	/* Controller-side actions: the playbook engine runs them itself. */
	{"debug", MOD_CONTROLLER, 0},
	{"set_fact", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"assert", MOD_CONTROLLER, 0},
	{"fail", MOD_CONTROLLER, 0},
	{"meta", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"include_vars", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"pause", MOD_CONTROLLER, 0},
	{"add_host", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"group_by", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"gather_facts", MOD_CONTROLLER, 0},
	{"include_tasks", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"import_tasks", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"include_role", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"import_role", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"import_playbook", MOD_CONTROLLER, MOD_F_FREEFORM},
	{"wait_for_connection", MOD_CONTROLLER, 0},
	{"reboot", MOD_CONTROLLER, 0},
	{"validate_argument_spec", MOD_CONTROLLER, 0},
	/* Modules the worker runs (some with a controller-side part, as
	 * Ansible's action plugins: copy, template, fetch, unarchive, script). */
	{"setup", MOD_WORKER, 0},
	{"file", MOD_WORKER, 0},
	{"copy", MOD_WORKER, 0},
	{"template", MOD_WORKER, 0},
	{"lineinfile", MOD_WORKER, 0},
	{"blockinfile", MOD_WORKER, 0},
	{"replace", MOD_WORKER, 0},
	{"stat", MOD_WORKER, 0},
	{"slurp", MOD_WORKER, 0},
	{"fetch", MOD_WORKER, 0},
	{"find", MOD_WORKER, 0},
	{"tempfile", MOD_WORKER, 0},
	{"unarchive", MOD_WORKER, 0},
	{"archive", MOD_WORKER, 0},
	{"service", MOD_WORKER, 0},
	{"systemd", MOD_WORKER, 0},
	{"systemd_service", MOD_WORKER, 0},
	{"package", MOD_WORKER, 0},
	{"apt", MOD_WORKER, 0},
	{"dnf", MOD_WORKER, 0},
	{"user", MOD_WORKER, 0},
	{"group", MOD_WORKER, 0},
	{"cron", MOD_WORKER, 0},
	{"hostname", MOD_WORKER, 0},
	{"sysctl", MOD_WORKER, 0},
	{"authorized_key", MOD_WORKER, 0},
	{"known_hosts", MOD_WORKER, 0},
	{"mount", MOD_WORKER, 0},
	{"wait_for", MOD_WORKER, 0},
	{"script", MOD_WORKER, MOD_F_FREEFORM | MOD_F_REQUIRE_ARGS},
	{"git", MOD_WORKER, 0},
	{"get_url", MOD_WORKER, 0},
	{"uri", MOD_WORKER, 0},
	{"supervisorctl", MOD_WORKER, 0},
	/* drover's own: droverd or droverctl installed from the controller
	 * (exec/drvinstall.h), written by the worker's copy. */
	{"drover_install", MOD_WORKER, 0},
};

/* Modules of other collections drover implements, by their full names
 * (the short name alone resolves too, as Ansible's collection search does
 * for a module installed in ansible.legacy). */
static const char *const modreg_collections[] = {"community.general.supervisorctl", "community.general.archive"};

const struct modinfo *modreg_find(const char *name)
{
	static const char *const prefixes[] = {"ansible.builtin.", "ansible.legacy."};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0) {
			name += strlen(prefixes[i]);
			break;
		}
	}
	for (i = 0; i < sizeof(modreg_collections) / sizeof(modreg_collections[0]); i++)
		if (strcmp(name, modreg_collections[i]) == 0)
			name = strrchr(name, '.') + 1;
	for (i = 0; i < sizeof(modreg_table) / sizeof(modreg_table[0]); i++)
		if (strcmp(modreg_table[i].name, name) == 0)
			return &modreg_table[i];
	return NULL;
}
