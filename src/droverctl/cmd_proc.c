/* droverctl's process commands: status, pid, start, stop, restart and
 * signal, with supervisorctl's words and exit codes. */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "droverctl/ctl.h"
#include "droverd/fault.h"

static int cmd_has_all(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "all") == 0)
			return 1;
	return 0;
}

static const char *cmd_info_str(const struct value *info, const char *key)
{
	return value_get_str(info, key, "");
}

static char *cmd_info_spec(const struct value *info)
{
	return ctl_namespec(cmd_info_str(info, "group"), cmd_info_str(info, "name"));
}

static void cmd_show_statuses(const struct value *infos)
{
	size_t i, maxlen = 30;

	for (i = 0; i < value_len(infos); i++) {
		char *spec = cmd_info_spec(value_list_at(infos, i));

		if (strlen(spec) > maxlen)
			maxlen = strlen(spec);
		free(spec);
	}
	for (i = 0; i < value_len(infos); i++) {
		const struct value *info = value_list_at(infos, i);
		char *spec = cmd_info_spec(info);

		ctl_out("%-*s%-10s%s", (int)maxlen + 3, spec, cmd_info_str(info, "statename"),
		        cmd_info_str(info, "description"));
		free(spec);
	}
}

static int cmd_stopped_state(int64_t st)
{
	return st == CTL_STOPPED || st == CTL_EXITED || st == CTL_FATAL || st == CTL_UNKNOWN;
}

void cmd_status(struct ctl *c, int argc, char **argv)
{
	struct value *all = NULL, *shown = value_list();
	size_t j;
	int i;

	if (!ctl_upcheck(c)) {
		c->exitstatus = CTL_EXIT_STATUS_UNKNOWN;
		goto out;
	}
	if ((all = ctl_get(c, "supervisor.getAllProcessInfo", NULL)) == NULL)
		goto out;
	for (i = 0; i < argc && !cmd_has_all(argc, argv); i++) {
		char *group, *proc;
		int bad = 1;

		ctl_split(argv[i], &group, &proc);
		for (j = 0; j < value_len(all); j++) {
			struct value *info = value_list_at(all, j);

			if (strcmp(cmd_info_str(info, "group"), group) != 0 ||
			    (proc != NULL && strcmp(cmd_info_str(info, "name"), proc) != 0))
				continue;
			bad = 0;
			value_list_push(shown, value_ref(info));
		}
		if (bad) {
			if (proc == NULL)
				ctl_out("%s: ERROR (no such group)", group);
			else
				ctl_out("%s: ERROR (no such process)", argv[i]);
			c->exitstatus = CTL_EXIT_STATUS_UNKNOWN;
		}
		free(group);
		free(proc);
	}
	if (argc == 0 || cmd_has_all(argc, argv)) {
		value_unref(shown);
		shown = value_ref(all);
	}
	cmd_show_statuses(shown);
	for (j = 0; j < value_len(shown); j++)
		if (cmd_stopped_state(value_get_int(value_list_at(shown, j), "state", CTL_UNKNOWN)))
			c->exitstatus = CTL_EXIT_STATUS_NOT_RUNNING;
out:
	value_unref(all);
	value_unref(shown);
}

void cmd_pid(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	size_t j;
	int i;

	if (!ctl_upcheck(c))
		return;
	if (argc == 0) {
		if ((v = ctl_get(c, "supervisor.getPID", NULL)) != NULL)
			ctl_out("%lld", (long long)(v->type == VALUE_INT ? v->u.i : 0));
	} else if (cmd_has_all(argc, argv)) {
		v = ctl_get(c, "supervisor.getAllProcessInfo", NULL);
		for (j = 0; j < value_len(v); j++)
			ctl_out("%lld", (long long)value_get_int(value_list_at(v, j), "pid", 0));
	} else {
		for (i = 0; i < argc; i++) {
			enum ctl_result res = ctl_call(c, "supervisor.getProcessInfo", ctl_params(argv[i], NULL), &v, &e);

			if (res == CTL_FAULT && e.code == FAULT_BAD_NAME) {
				ctl_out("No such process %s", argv[i]);
				c->exitstatus = CTL_EXIT_GENERIC;
				ctl_err_fini(&e);
			} else if (res == CTL_FAULT) {
				ctl_uncaught(c, &e);
			} else if (res == CTL_OK) {
				int64_t pid = value_get_int(v, "pid", 0);

				ctl_out("%lld", (long long)pid);
				if (pid == 0)
					c->exitstatus = CTL_EXIT_NOT_RUNNING;
			}
			value_unref(v);
			v = NULL;
		}
	}
	value_unref(v);
}

/* supervisorctl's _startresult / _signalresult: the line for one result. */
static void cmd_result(const char *spec, int code, const char *desc, const char *success, int start)
{
	const char *what = NULL;

	switch (code) {
	case FAULT_BAD_NAME:
		what = "no such process";
		break;
	case FAULT_NO_FILE:
		what = start ? "no such file" : NULL;
		break;
	case FAULT_NOT_EXECUTABLE:
		what = start ? "file is not executable" : NULL;
		break;
	case FAULT_ALREADY_STARTED:
		what = start ? "already started" : NULL;
		break;
	case FAULT_SPAWN_ERROR:
		what = start ? "spawn error" : NULL;
		break;
	case FAULT_ABNORMAL_TERMINATION:
		what = start ? "abnormal termination" : NULL;
		break;
	case FAULT_BAD_SIGNAL:
		what = start ? NULL : "bad signal name";
		break;
	case FAULT_NOT_RUNNING:
		what = start ? NULL : "not running";
		break;
	case FAULT_SUCCESS:
		ctl_out("%s: %s", spec, success);
		return;
	case FAULT_FAILED:
		if (!start) {
			ctl_out("%s", desc);
			return;
		}
		break;
	}
	if (what != NULL)
		ctl_out("%s: ERROR (%s)", spec, what);
	else
		ctl_out("error: <class 'ValueError'>, Unknown result code %d for %s: file: "
		        "/usr/lib/python3/dist-packages/supervisor/supervisorctl.py line: 0",
		        code, spec);
}

/* Prints each result of a group or "all" call. */
static void cmd_results(struct ctl *c, const struct value *results, const char *success, int start, int ignored)
{
	size_t j;

	for (j = 0; j < value_len(results); j++) {
		const struct value *res = value_list_at(results, j);
		char *spec = cmd_info_spec(res);
		int code = (int)value_get_int(res, "status", 0);

		cmd_result(spec, code, cmd_info_str(res, "description"), success, start);
		ctl_fault_status(c, code, ignored);
		free(spec);
	}
}

/* What start, stop and signal have in common: the method for all, for a
 * group and for one process, and the words and faults that differ. */
struct cmd_op {
	const char *all, *group, *one;
	const char *success;
	int start;
	int ignored;       /* the fault that does not change the exit code */
	int group_badname; /* exit code for "no such group" */
};

static void cmd_one(struct ctl *c, const struct cmd_op *op, const char *name, const char *sig)
{
	struct value *v = NULL, *params = value_list();
	struct ctl_err e;
	char *group, *proc;
	enum ctl_result res;

	ctl_split(name, &group, &proc);
	value_list_push(params, value_str(proc == NULL ? group : name));
	if (sig != NULL)
		value_list_push(params, value_str(sig));
	res = ctl_call(c, proc == NULL ? op->group : op->one, params, &v, &e);
	if (proc == NULL && res == CTL_OK) {
		cmd_results(c, v, op->success, op->start, op->ignored);
	} else if (proc == NULL && res == CTL_FAULT && e.code == FAULT_BAD_NAME) {
		ctl_out("%s: ERROR (no such group)", group);
		c->exitstatus = op->group_badname;
		ctl_err_fini(&e);
	} else if (proc == NULL && res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	} else if (res == CTL_OK || res == CTL_FAULT) {
		char *spec = ctl_namespec(group, proc);

		cmd_result(spec, res == CTL_OK ? FAULT_SUCCESS : e.code, e.string != NULL ? e.string : "", op->success,
		           op->start);
		ctl_fault_status(c, res == CTL_OK ? FAULT_SUCCESS : e.code, op->ignored);
		free(spec);
		ctl_err_fini(&e);
	}
	value_unref(v);
	free(group);
	free(proc);
}

static void cmd_op_run(struct ctl *c, const struct cmd_op *op, int argc, char **argv, const char *sig)
{
	struct value *v;
	int i;

	if (cmd_has_all(argc, argv)) {
		v = ctl_get(c, op->all, sig != NULL ? ctl_params(sig, NULL) : NULL);
		cmd_results(c, v, op->success, op->start, op->ignored);
		value_unref(v);
		return;
	}
	for (i = 0; i < argc; i++)
		cmd_one(c, op, argv[i], sig);
}

static const struct cmd_op cmd_op_start = {"supervisor.startAllProcesses", "supervisor.startProcessGroup",
                                           "supervisor.startProcess", "started", 1, FAULT_ALREADY_STARTED,
                                           CTL_EXIT_INVALID_ARGS};
static const struct cmd_op cmd_op_stop = {"supervisor.stopAllProcesses", "supervisor.stopProcessGroup",
                                          "supervisor.stopProcess", "stopped", 0, FAULT_NOT_RUNNING,
                                          CTL_EXIT_GENERIC};
static const struct cmd_op cmd_op_signal = {"supervisor.signalAllProcesses", "supervisor.signalProcessGroup",
                                            "supervisor.signalProcess", "signalled", 0, FAULT_SUCCESS,
                                            CTL_EXIT_GENERIC};

static void cmd_help(const char *const *lines)
{
	for (; *lines != NULL; lines++)
		ctl_out("%s", *lines);
}

static const char *const cmd_help_start[] = {"start <name>\t\tStart a process",
                                             "start <gname>:*\t\tStart all processes in a group",
                                             "start <name> <name>\tStart multiple processes or groups",
                                             "start all\t\tStart all processes", NULL};
static const char *const cmd_help_stop[] = {"stop <name>\t\tStop a process",
                                            "stop <gname>:*\t\tStop all processes in a group",
                                            "stop <name> <name>\tStop multiple processes or groups",
                                            "stop all\t\tStop all processes", NULL};

void cmd_start(struct ctl *c, int argc, char **argv)
{
	if (!ctl_upcheck(c))
		return;
	if (argc == 0) {
		ctl_out("Error: start requires a process name");
		c->exitstatus = CTL_EXIT_INVALID_ARGS;
		cmd_help(cmd_help_start);
		return;
	}
	cmd_op_run(c, &cmd_op_start, argc, argv, NULL);
}

void cmd_stop(struct ctl *c, int argc, char **argv)
{
	if (!ctl_upcheck(c))
		return;
	if (argc == 0) {
		ctl_out("Error: stop requires a process name");
		c->exitstatus = CTL_EXIT_GENERIC;
		cmd_help(cmd_help_stop);
		return;
	}
	cmd_op_run(c, &cmd_op_stop, argc, argv, NULL);
}

void cmd_restart(struct ctl *c, int argc, char **argv)
{
	static const char *const help[] = {
		"restart <name>\t\tRestart a process", "restart <gname>:*\tRestart all processes in a group",
		"restart <name> <name>\tRestart multiple processes or groups", "restart all\t\tRestart all processes",
		"Note: restart does not reread config files. For that, see reread and update.", NULL};

	if (!ctl_upcheck(c))
		return;
	if (argc == 0) {
		ctl_out("Error: restart requires a process name");
		c->exitstatus = CTL_EXIT_GENERIC;
		cmd_help(help);
		return;
	}
	cmd_stop(c, argc, argv);
	cmd_start(c, argc, argv);
}

void cmd_signal(struct ctl *c, int argc, char **argv)
{
	static const char *const help[] = {"signal <signal name> <name>\t\tSignal a process",
	                                   "signal <signal name> <gname>:*\t\tSignal all processes in a group",
	                                   "signal <signal name> <name> <name>\tSignal multiple processes or groups",
	                                   "signal <signal name> all\t\tSignal all processes", NULL};

	if (!ctl_upcheck(c))
		return;
	if (argc < 2) {
		ctl_out("Error: signal requires a signal name and a process name");
		cmd_help(help);
		c->exitstatus = CTL_EXIT_GENERIC;
		return;
	}
	cmd_op_run(c, &cmd_op_signal, argc - 1, argv + 1, argv[0]);
}
