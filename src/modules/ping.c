/* ping: proves the worker runs and answers; data=crash fails the way
 * Ansible's ping does, for testing failure handling. */
#include <string.h>

#include "modules/module.h"

static const struct module_arg ping_spec[] = {
	{"data", MODULE_ARG_STR, "pong"},
};

MODULE_DEFINE(ping, ping_run, MODULE_CHECK_MODE)
struct value *ping_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL;
	const char *data;

	if (module_params(ctx, "ansible.legacy.ping", ping_spec, sizeof(ping_spec) / sizeof(ping_spec[0]), &params,
	                  &res) != 0)
		return res;
	data = value_get_str(params, "data", "pong");
	if (strcmp(data, "crash") == 0) {
		value_unref(params);
		return module_crash("Exception: boom");
	}
	res = value_map();
	value_map_set(res, "ping", value_ref(value_map_get(params, "data")));
	module_finish(res, params, NULL);
	value_unref(params);
	return res;
}
