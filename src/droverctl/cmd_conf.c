/* droverctl's configuration and daemon commands: avail, reread, update,
 * add, remove, reload, shutdown and version, as supervisorctl words them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "droverctl/ctl.h"
#include "droverd/fault.h"

/* Prints "Error: NAME accepts no arguments" and the help line; returns 1
 * when there were arguments. */
static int cmd_no_args(struct ctl *c, const char *name, const char *help, int argc)
{
	if (argc == 0)
		return 0;
	ctl_out("Error: %s accepts no arguments", name);
	c->exitstatus = CTL_EXIT_GENERIC;
	ctl_out("%s", help);
	return 1;
}

void cmd_avail(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	enum ctl_result res;
	size_t i;

	(void)argv;
	if (cmd_no_args(c, "avail", "avail\t\t\tDisplay all configured processes", argc))
		return;
	res = ctl_call(c, "supervisor.getAllConfigInfo", NULL, &v, &e);
	if (res == CTL_FAULT && e.code == FAULT_SHUTDOWN_STATE) {
		ctl_out("ERROR: supervisor shutting down");
		c->exitstatus = CTL_EXIT_GENERIC;
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	}
	for (i = 0; res == CTL_OK && i < value_len(v); i++) {
		const struct value *ci = value_list_at(v, i);
		char *spec = ctl_namespec(value_get_str(ci, "group", ""), value_get_str(ci, "name", ""));
		char *prio = xasprintf("%lld:%lld", (long long)value_get_int(ci, "group_prio", 0),
		                       (long long)value_get_int(ci, "process_prio", 0));

		ctl_out("%-32s %-9s %-9s %s", spec, value_get_bool(ci, "inuse", 0) ? "in use" : "avail",
		        value_get_bool(ci, "autostart", 0) ? "auto" : "manual", prio);
		free(spec);
		free(prio);
	}
	value_unref(v);
}

/* supervisorctl's _formatChanges: every name with what happened to it,
 * sorted, a later list winning for a name in two. */
static void cmd_changes(const struct value *acd)
{
	static const char *const words[] = {"available", "changed", "disappeared"};
	const char **names = NULL, **what = NULL;
	size_t n = 0, i, j, k;

	for (i = 0; i < 3 && i < value_len(acd); i++) {
		const struct value *l = value_list_at(acd, i);

		for (j = 0; j < value_len(l); j++) {
			const char *name = value_cstr(value_list_at(l, j));

			if (name == NULL)
				continue;
			for (k = 0; k < n && strcmp(names[k], name) != 0; k++)
				;
			if (k == n) {
				names = xreallocarray(names, n + 1, sizeof(*names));
				what = xreallocarray(what, n + 1, sizeof(*what));
				names[n++] = name;
			}
			what[k] = words[i];
		}
	}
	if (n == 0)
		ctl_out("No config updates to processes");
	for (i = 0; i < n; i++) {
		/* A selection sort keeps each name with its word. */
		for (j = i + 1; j < n; j++) {
			if (strcmp(names[j], names[i]) < 0) {
				const char *t = names[i], *w = what[i];

				names[i] = names[j];
				what[i] = what[j];
				names[j] = t;
				what[j] = w;
			}
		}
		ctl_out("%s: %s", names[i], what[i]);
	}
	free(names);
	free(what);
}

void cmd_reread(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	enum ctl_result res;

	(void)argv;
	if (cmd_no_args(c, "reread", "reread \t\t\tReload the daemon's configuration files without add/remove", argc))
		return;
	res = ctl_call(c, "supervisor.reloadConfig", NULL, &v, &e);
	if (res == CTL_FAULT && (e.code == FAULT_SHUTDOWN_STATE || e.code == FAULT_CANT_REREAD)) {
		if (e.code == FAULT_SHUTDOWN_STATE)
			ctl_out("ERROR: supervisor shutting down");
		else
			ctl_out("ERROR: %s", e.string);
		c->exitstatus = CTL_EXIT_GENERIC;
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	} else if (res == CTL_OK) {
		cmd_changes(value_list_at(v, 0));
	}
	value_unref(v);
}

static int cmd_in(const struct value *l, const char *s)
{
	size_t i;

	for (i = 0; i < value_len(l); i++)
		if (value_is_str(value_list_at(l, i)) && strcmp(value_cstr(value_list_at(l, i)), s) == 0)
			return 1;
	return 0;
}

/* update's work for the groups of one list (0 removed, 1 changed, 2 added). */
static int cmd_update_list(struct ctl *c, const struct value *names, int kind, const struct value *only)
{
	size_t i, j;

	for (i = 0; i < value_len(names); i++) {
		const char *g = value_cstr(value_list_at(names, i));
		struct value *res;
		int fails = 0;

		if (g == NULL || (value_len(only) > 0 && !cmd_in(only, g)))
			continue;
		if (kind != 2) {
			if ((res = ctl_get(c, "supervisor.stopProcessGroup", ctl_params(g, NULL))) == NULL)
				return -1;
			ctl_out("%s: stopped", g);
			for (j = 0; j < value_len(res); j++)
				fails |= value_get_int(value_list_at(res, j), "status", 0) == FAULT_FAILED;
			value_unref(res);
			if (kind == 0 && fails) {
				ctl_out("%s: has problems; not removing", g);
				c->exitstatus = CTL_EXIT_GENERIC;
				continue;
			}
			if ((res = ctl_get(c, "supervisor.removeProcessGroup", ctl_params(g, NULL))) == NULL)
				return -1;
			value_unref(res);
			if (kind == 0)
				ctl_out("%s: removed process group", g);
		}
		if (kind != 0) {
			if ((res = ctl_get(c, "supervisor.addProcessGroup", ctl_params(g, NULL))) == NULL)
				return -1;
			value_unref(res);
			ctl_out("%s: %s process group", g, kind == 1 ? "updated" : "added");
		}
	}
	return 0;
}

/* Checks the names given to update; prints the unknown ones. */
static int cmd_update_check(struct ctl *c, const struct value *only, const struct value *added)
{
	struct value *infos, *groups;
	size_t i;

	if ((infos = ctl_get(c, "supervisor.getAllProcessInfo", NULL)) == NULL)
		return -1;
	groups = value_list();
	for (i = 0; i < value_len(infos); i++)
		value_list_push(groups, value_str(value_get_str(value_list_at(infos, i), "group", "")));
	for (i = 0; i < value_len(only); i++) {
		const char *g = value_cstr(value_list_at(only, i));

		if (!cmd_in(groups, g) && !cmd_in(added, g)) {
			ctl_out("ERROR: no such group: %s", g);
			c->exitstatus = CTL_EXIT_GENERIC;
		}
	}
	value_unref(infos);
	value_unref(groups);
	return 0;
}

void cmd_update(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL, *only = value_list(), *acd;
	struct ctl_err e;
	enum ctl_result res;
	int i;

	res = ctl_call(c, "supervisor.reloadConfig", NULL, &v, &e);
	if (res == CTL_FAULT && e.code == FAULT_SHUTDOWN_STATE) {
		ctl_out("ERROR: already shutting down");
		c->exitstatus = CTL_EXIT_GENERIC;
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	}
	if (res != CTL_OK)
		goto out;
	acd = value_list_at(v, 0);
	for (i = 0; i < argc; i++)
		if (!cmd_in(only, argv[i]))
			value_list_push(only, value_str(argv[i]));
	if (cmd_in(only, "all")) {
		value_unref(only);
		only = value_list();
	}
	if (value_len(only) > 0 && cmd_update_check(c, only, value_list_at(acd, 0)) != 0)
		goto out;
	/* supervisorctl walks removed, then changed, then added groups. */
	if (cmd_update_list(c, value_list_at(acd, 2), 0, only) == 0 &&
	    cmd_update_list(c, value_list_at(acd, 1), 1, only) == 0)
		cmd_update_list(c, value_list_at(acd, 0), 2, only);
out:
	value_unref(v);
	value_unref(only);
}

void cmd_add(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	int i;

	for (i = 0; i < argc; i++) {
		enum ctl_result res = ctl_call(c, "supervisor.addProcessGroup", ctl_params(argv[i], NULL), &v, &e);

		if (res == CTL_OK)
			ctl_out("%s: added process group", argv[i]);
		else if (res == CTL_FAULT && e.code == FAULT_SHUTDOWN_STATE)
			ctl_out("ERROR: shutting down");
		else if (res == CTL_FAULT && e.code == FAULT_ALREADY_ADDED)
			ctl_out("ERROR: process group already active");
		else if (res == CTL_FAULT && e.code == FAULT_BAD_NAME)
			ctl_out("ERROR: no such process/group: %s", argv[i]);
		if (res == CTL_FAULT && e.code != FAULT_ALREADY_ADDED)
			c->exitstatus = CTL_EXIT_GENERIC;
		value_unref(v);
		v = NULL;
		if (res == CTL_FAULT && e.code != FAULT_SHUTDOWN_STATE && e.code != FAULT_ALREADY_ADDED &&
		    e.code != FAULT_BAD_NAME) {
			ctl_uncaught(c, &e);
		}
		ctl_err_fini(&e);
	}
}

void cmd_remove(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	int i;

	for (i = 0; i < argc; i++) {
		enum ctl_result res = ctl_call(c, "supervisor.removeProcessGroup", ctl_params(argv[i], NULL), &v, &e);

		value_unref(v);
		v = NULL;
		if (res == CTL_OK) {
			ctl_out("%s: removed process group", argv[i]);
			continue;
		}
		c->exitstatus = CTL_EXIT_GENERIC;
		if (e.code == FAULT_STILL_RUNNING) {
			ctl_out("ERROR: process/group still running: %s", argv[i]);
		} else if (e.code == FAULT_BAD_NAME) {
			ctl_out("ERROR: no such process/group: %s", argv[i]);
		} else {
			ctl_uncaught(c, &e);
		}
		ctl_err_fini(&e);
	}
}

/* reload and shutdown: one call, and the same wording of a daemon that is
 * gone or going. */
static void cmd_daemon(struct ctl *c, const char *method, const char *done, int quiet_shutdown)
{
	struct value *v = NULL;
	struct ctl_err e;
	enum ctl_result res;
	int err = 0;

	if (quiet_shutdown)
		res = ctl_call_quiet(c, method, NULL, &v, &e, &err);
	else
		res = ctl_call(c, method, NULL, &v, &e);
	if (res == CTL_OK) {
		ctl_out("%s", done);
	} else if (res == CTL_FAULT && e.code == FAULT_SHUTDOWN_STATE) {
		ctl_out("ERROR: already shutting down");
		/* supervisorctl's shutdown leaves the exit code alone here. */
		if (!quiet_shutdown)
			c->exitstatus = CTL_EXIT_GENERIC;
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	} else if (err == -ECONNREFUSED || err == -ENOENT) {
		ctl_out("ERROR: %s %s (already shut down?)", c->serverurl,
		        err == -ENOENT ? "no such file" : "refused connection");
		c->exitstatus = CTL_EXIT_GENERIC;
	} else if (err != 0) {
		ctl_raise_errno(c, err);
	}
	value_unref(v);
}

void cmd_reload(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (cmd_no_args(c, "reload", "reload \t\tRestart the remote supervisord.", argc))
		return;
	cmd_daemon(c, "supervisor.restart", "Restarted supervisord", 0);
}

void cmd_shutdown(struct ctl *c, int argc, char **argv)
{
	(void)argv;
	if (cmd_no_args(c, "shutdown", "shutdown \tShut the remote supervisord down.", argc))
		return;
	cmd_daemon(c, "supervisor.shutdown", "Shut down", 1);
}

void cmd_version(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;

	(void)argv;
	if (cmd_no_args(c, "version", "version\t\t\tShow the version of the remote supervisord process", argc))
		return;
	if (!ctl_upcheck(c))
		return;
	if ((v = ctl_get(c, "supervisor.getSupervisorVersion", NULL)) != NULL)
		ctl_out("%s", value_is_str(v) ? value_cstr(v) : "");
	value_unref(v);
}
