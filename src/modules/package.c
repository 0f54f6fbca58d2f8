/* package, as Ansible's package action: the task goes to the host's
 * package manager module (apt or dnf) with "use" taken out. The manager is
 * "use", or, with "auto", the one ansible_pkg_mgr would name among those
 * drover-worker implements: apt where apt-get exists, else dnf. */
#include <string.h>
#include <unistd.h>

#include "modules/module.h"
#include "modules/pkgmgr.h"

static struct value *package_fail(const char *msg)
{
	return module_fail(value_map(), "%s", msg);
}

MODULE_DEFINE(package, package_run, MODULE_CHECK_MODE)
struct value *package_run(const struct module_ctx *ctx)
{
	const char *use = value_get_str(ctx->args, "use", "auto");
	struct module_ctx sub = *ctx;
	struct value *args, *res;
	module_run_fn run;

	if (strcmp(use, "auto") == 0) {
		if (access("/usr/bin/apt-get", X_OK) == 0)
			use = "apt";
		else if (access("/usr/bin/dnf", X_OK) == 0)
			use = "dnf";
	}
	if (strcmp(use, "apt") == 0) {
		run = apt_run_module;
	} else if (strcmp(use, "dnf") == 0) {
		run = dnf_run_module;
	} else if (strcmp(use, "auto") == 0) {
		return package_fail("Could not detect which package manager to use. Try gathering facts or setting the "
		                    "\"use\" option.");
	} else {
		return package_fail("drover-worker has no module for this package manager (it has apt and dnf)");
	}
	args = value_dup(ctx->args);
	value_map_del(args, "use");
	value_map_set(args, "_ansible_module_name", value_strf("ansible.legacy.%s", use));
	sub.args = args;
	sub.name = use;
	res = run(&sub);
	value_unref(args);
	return res;
}
