/* group, as Ansible 2.14's on Linux: a group present (groupadd, or
 * groupmod when its gid differs) or absent (groupdel), looked up in
 * /etc/group; gid, system, non_unique; check mode; the same result keys
 * (name, state, gid, system, stdout/stderr of the command run). The
 * "local" option's luseradd tools are not supported: it is accepted and
 * must stay false. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "modules/module.h"
#include "modules/acct.h"
#include "modules/userdb.h"

static const struct module_argspec group_spec[] = {
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
	{"name", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"gid", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"system", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"local", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"non_unique", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
};

#define GROUP_NSPEC (sizeof(group_spec) / sizeof(group_spec[0]))

struct group_run {
	const struct module_ctx *ctx;
	const struct value *params;
	const char *name;
	struct value *res;   /* borrowed: the result being built */
	struct value *fail;  /* owned, set on failure */
	int ran, rc;         /* a command ran (or would in check mode), its rc */
	struct buf out, err;
};

/* The entry of the group named name now (a new reference), or NULL. */
static struct value *group_lookup(const char *name)
{
	struct value *db = acct_load(USERDB_GROUP, USERDB_GR_GID), *ent;

	ent = (struct value *)userdb_find(db, USERDB_GR_NAME, name);
	if (ent != NULL)
		value_ref(ent);
	value_unref(db);
	return ent;
}

/* Runs tool with args and the group's name, unless in check mode. */
static int group_exec(struct group_run *g, const char *tool, struct value *cmd)
{
	char *bin = acct_bin(g->ctx, tool, &g->fail);

	if (bin == NULL) {
		value_unref(cmd);
		return -1;
	}
	value_list_set(cmd, 0, value_str_take(bin, strlen(bin)));
	value_list_push(cmd, value_str(g->name));
	g->ran = 1;
	buf_fini(&g->out);
	buf_fini(&g->err);
	if (g->ctx->check) {
		g->rc = 0;
		buf_init(&g->out, 0);
		buf_init(&g->err, 0);
	} else {
		acct_exec(g->ctx, cmd, NULL, &g->rc, &g->out, &g->err);
	}
	value_unref(cmd);
	if (g->rc != 0) {
		g->fail = module_fail(value_map(), "%s", buf_str(&g->err));
		value_map_set(g->fail, "name", value_str(g->name));
		return -1;
	}
	return 0;
}

static struct value *group_cmd(void)
{
	struct value *cmd = value_list();

	value_list_push(cmd, value_null());
	return cmd;
}

static void group_gid_args(struct group_run *g, struct value *cmd)
{
	value_list_push(cmd, value_str("-g"));
	value_list_push(cmd, value_strf("%lld", (long long)value_get_int(g->params, "gid", 0)));
	if (value_get_bool(g->params, "non_unique", 0))
		value_list_push(cmd, value_str("-o"));
}

static int group_add(struct group_run *g)
{
	struct value *cmd = group_cmd();

	if (value_map_get(g->params, "gid")->type == VALUE_INT)
		group_gid_args(g, cmd);
	if (value_get_bool(g->params, "system", 0))
		value_list_push(cmd, value_str("-r"));
	return group_exec(g, "groupadd", cmd);
}

static int group_mod(struct group_run *g, const struct value *ent)
{
	const struct value *gid = value_map_get(g->params, "gid");
	struct value *cmd;

	if (gid->type != VALUE_INT || userdb_num(ent, USERDB_GR_GID, -1) == gid->u.i)
		return 0;
	cmd = group_cmd();
	group_gid_args(g, cmd);
	return group_exec(g, "groupmod", cmd);
}

/* Brings the group to its state; 0, or -1 with g->fail set. A check-mode
 * run that would create or remove the group ends early, as Ansible's
 * exit_json(changed=True) there: *shortp is then set. */
static int group_apply(struct group_run *g, int *shortp)
{
	struct value *ent = group_lookup(g->name);
	int r = 0;

	*shortp = 0;
	if (strcmp(value_get_str(g->params, "state", ""), "absent") == 0) {
		if (ent != NULL && g->ctx->check)
			*shortp = 1;
		else if (ent != NULL)
			r = group_exec(g, "groupdel", group_cmd());
	} else if (ent == NULL) {
		if (g->ctx->check)
			*shortp = 1;
		else
			r = group_add(g);
	} else {
		r = group_mod(g, ent);
	}
	value_unref(ent);
	return r;
}

static void group_result(struct group_run *g)
{
	struct value *ent;

	value_map_set(g->res, "changed", value_bool(g->ran));
	if (buf_avail(&g->out) > 0)
		value_map_set(g->res, "stdout", value_str(buf_str(&g->out)));
	if (buf_avail(&g->err) > 0)
		value_map_set(g->res, "stderr", value_str(buf_str(&g->err)));
	if ((ent = group_lookup(g->name)) != NULL) {
		value_map_set(g->res, "system", value_bool(value_get_bool(g->params, "system", 0)));
		value_map_set(g->res, "gid", value_int(userdb_num(ent, USERDB_GR_GID, 0)));
		value_unref(ent);
	}
}

MODULE_DEFINE(group, group_run, MODULE_CHECK_MODE)
struct value *group_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *shown;
	struct group_run g;
	int shortcut;

	if (module_params_spec(ctx, "ansible.legacy.group", group_spec, GROUP_NSPEC, NULL, NULL, &params, &res) != 0)
		return res;
	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.params = params;
	g.name = value_get_str(params, "name", "");
	buf_init(&g.out, 0);
	buf_init(&g.err, 0);
	if (value_get_bool(params, "non_unique", 0) && value_map_get(params, "gid")->type != VALUE_INT) {
		res = module_fail(value_map(), "non_unique is True but all of the following are missing: gid");
	} else if (value_get_bool(params, "local", 0)) {
		res = module_fail(value_map(), "local: true (the libuser tools) is not supported by drover");
	} else if (group_apply(&g, &shortcut) != 0) {
		res = g.fail;
	} else if (shortcut) {
		res = value_map();
		value_map_set(res, "changed", value_bool(1));
	} else {
		res = value_map();
		value_map_set(res, "name", value_str(g.name));
		value_map_set(res, "state", value_str(value_get_str(params, "state", "")));
		g.res = res;
		group_result(&g);
	}
	shown = module_invocation_args(group_spec, GROUP_NSPEC, params);
	module_finish(res, shown, NULL);
	value_unref(shown);
	value_unref(params);
	buf_fini(&g.out);
	buf_fini(&g.err);
	return res;
}
