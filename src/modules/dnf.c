/* dnf, on hosts that have it: packages installed, upgraded or removed
 * through the dnf program, their state read with rpm -q, with Ansible's
 * result keys (msg, results, rc) and check mode. Where there is no dnf the
 * module fails saying so. Groups, modules, repositories and the list
 * option are not handled. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pkgmgr.h"

static const struct module_argspec dnf_spec[] = {
	{"name", MODULE_ARG_LIST, "", "pkg", NULL, 0},
	{"state", MODULE_ARG_STR, NULL, NULL, "absent,installed,latest,present,removed", 0},
	{"update_cache", MODULE_ARG_BOOL, "false", "expire-cache", NULL, 0},
	{"list", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"conf_file", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"disable_gpg_check", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"disablerepo", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"enablerepo", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"exclude", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"installroot", MODULE_ARG_STR, "/", NULL, NULL, 0},
	{"autoremove", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"download_only", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"download_dir", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"security", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"bugfix", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"skip_broken", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"update_only", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"allow_downgrade", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"releasever", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"validate_certs", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"sslverify", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"install_weak_deps", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"cacheonly", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"lock_timeout", MODULE_ARG_INT, "30", NULL, NULL, 0},
	{"disable_excludes", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"disable_plugin", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"enable_plugin", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"install_repoquery", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"allowerasing", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"nobest", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
};
#define DNF_NSPEC (sizeof(dnf_spec) / sizeof(dnf_spec[0]))

/* Whether rpm knows name (or something providing it) as installed. */
static int dnf_installed(const struct module_ctx *ctx, const char *name)
{
	char *argv[] = {"rpm", "-q", "--whatprovides", (char *)name, NULL};
	struct buf o, e;
	int rc = -1;

	fileutil_run(ctx, argv, &rc, &o, &e);
	buf_fini(&o);
	buf_fini(&e);
	return rc == 0;
}

/* Runs dnf -y verb names, and fills res from it. */
static void dnf_apply(const struct module_ctx *ctx, const char *dnf, const char *verb, const struct value *names,
                      const char *label, struct value *res)
{
	char **argv = xcalloc(value_len(names) + 4, sizeof(*argv));
	struct value *results = value_list();
	struct buf o, e;
	size_t i, n = 0;
	int rc = -1;

	argv[n++] = (char *)dnf;
	argv[n++] = "-y";
	argv[n++] = (char *)verb;
	for (i = 0; i < value_len(names); i++) {
		argv[n++] = (char *)value_cstr(value_list_at(names, i));
		value_list_push(results, value_strf("%s: %s", label, value_cstr(value_list_at(names, i))));
	}
	if (!ctx->check)
		fileutil_run(ctx, argv, &rc, &o, &e);
	else
		rc = 0, buf_init(&o, 0), buf_init(&e, 0);
	if (rc != 0) {
		module_fail(res, "Failed to %s packages: %s", verb, buf_str(&e));
		value_map_set(res, "rc", value_int(rc));
		value_map_set(res, "results", value_list());
	} else {
		int nothing = strstr(buf_str(&o), "Nothing to do") != NULL;

		value_map_set(res, "changed", value_bool(!nothing));
		value_map_set(res, "msg", value_str(nothing ? "Nothing to do" : ""));
		value_map_set(res, "rc", value_int(0));
		value_map_set(res, "results", nothing ? value_list() : value_ref(results));
	}
	value_unref(results);
	buf_fini(&o);
	buf_fini(&e);
	free(argv);
}

static struct value *dnf_do(const struct module_ctx *ctx, const struct value *params)
{
	const char *state = value_get_str(params, "state", "present");
	const struct value *names = value_map_get(params, "name");
	struct value *res = value_map(), *todo = value_list();
	char *dnf = fileutil_bin_path(ctx, "dnf");
	int removing = strcmp(state, "absent") == 0 || strcmp(state, "removed") == 0;
	size_t i;

	if (dnf == NULL) {
		module_fail(res, "drover-worker's dnf module needs the dnf program on the host, and there is none in PATH");
		value_map_set(res, "results", value_list());
		goto out;
	}
	for (i = 0; i < value_len(names); i++) {
		const char *n = value_cstr(value_list_at(names, i));
		int have = dnf_installed(ctx, n);

		if ((removing && have) || (!removing && (!have || strcmp(state, "latest") == 0)))
			value_list_push(todo, value_str(n));
	}
	if (value_len(todo) == 0) {
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "msg", value_str("Nothing to do"));
		value_map_set(res, "rc", value_int(0));
		value_map_set(res, "results", value_list());
	} else {
		dnf_apply(ctx, dnf, removing ? "remove" : strcmp(state, "latest") == 0 ? "upgrade" : "install", todo,
		          removing ? "Removed" : "Installed", res);
	}
out:
	free(dnf);
	value_unref(todo);
	return res;
}

static struct value *dnf_fn(const struct module_ctx *ctx, struct value *params, struct value *warnings)
{
	(void)warnings;
	return dnf_do(ctx, params);
}

static const struct module_main dnf_module = {
	"ansible.legacy.dnf", dnf_spec, DNF_NSPEC, NULL, 0, NULL, dnf_fn,
};

MODULE_DEFINE(dnf, dnf_run_module, MODULE_CHECK_MODE)
struct value *dnf_run_module(const struct module_ctx *ctx)
{
	return module_main(ctx, &dnf_module);
}
