/* droverctl's log commands: tail [-f] [-N], maintail and clear, as
 * supervisorctl words them. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "droverctl/ctl.h"
#include "droverd/fault.h"

static void cmd_tail_help(void)
{
	ctl_out("tail [-f] <name> [stdout|stderr] (default stdout)\nEx:\ntail -f <name>\t\tContinuous tail of named "
	        "process stdout\n\t\t\tCtrl-C to exit.\ntail -100 <name>\tlast 100 *bytes* of process stdout\ntail "
	        "<name> stderr\tlast 1600 *bytes* of process stderr");
}

static void cmd_maintail_help(void)
{
	ctl_out("maintail -f \tContinuous tail of supervisor main log file (Ctrl-C to exit)\nmaintail -100\tlast 100 "
	        "*bytes* of supervisord main log file\nmaintail\tlast 1600 *bytes* of supervisor main log file\n");
}

/* Python's int() of a tail modifier: optional sign, digits, blanks around. */
static int cmd_int(const char *s, long long *np)
{
	char *end;

	if (*s == '\0')
		return -1;
	*np = strtoll(s, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int cmd_tailf_sink(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	fwrite(p, 1, n, stdout);
	fflush(stdout);
	return 0;
}

/* Ctrl-C ends a tail -f as supervisorctl's KeyboardInterrupt does: an
 * empty line, status 0. Every chunk was flushed when it came. */
static void cmd_tailf_interrupt(int sig)
{
	(void)sig;
	if (write(STDOUT_FILENO, "\n", 1) < 0)
		_exit(0);
	_exit(0);
}

/* tail -f: supervisord streams the log over a plain GET until the client
 * goes away. */
static void cmd_tailf(struct ctl *c, const char *path)
{
	struct http_req req = {.method = "GET", .path = path, .auth = c->auth, .sink = cmd_tailf_sink};
	char reason[128] = "";
	int status = 0, r;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cmd_tailf_interrupt;
	sigaction(SIGINT, &sa, NULL);

	ctl_out("==> Press Ctrl-C to exit <==");
	fflush(stdout);
	r = http_request(&c->url, &req, &status, reason, sizeof(reason), NULL);
	if (r == 0 && status != 200)
		fprintf(stderr, "%s %s\n", c->serverurl, reason);
	else if (r != 0 && r != ERR_EOF)
		fprintf(stderr, "%s Cannot connect, error: %s\n", c->serverurl, err_str(r));
}

/* Reads the last n bytes of a log with method; who names it in errors. */
static void cmd_read_log(struct ctl *c, const char *method, const char *name, const char *who, long long n)
{
	struct value *params = value_list(), *v = NULL;
	struct ctl_err e;
	enum ctl_result res;

	if (name != NULL)
		value_list_push(params, value_str(name));
	value_list_push(params, value_int(-n));
	value_list_push(params, value_int(0));
	res = ctl_call(c, method, params, &v, &e);
	if (res == CTL_OK) {
		ctl_outn(value_is_str(v) ? value_cstr(v) : "", value_is_str(v) ? value_len(v) : 0);
	} else if (res == CTL_FAULT && (e.code == FAULT_NO_FILE || e.code == FAULT_FAILED ||
	                                (name != NULL && e.code == FAULT_BAD_NAME))) {
		c->exitstatus = CTL_EXIT_GENERIC;
		ctl_out("%s: ERROR (%s)", who,
		        e.code == FAULT_NO_FILE  ? "no log file"
		        : e.code == FAULT_FAILED ? "unknown error reading log"
		                                 : "no such process name");
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	}
	value_unref(v);
}

void cmd_tail(struct ctl *c, int argc, char **argv)
{
	const char *mod = NULL, *name, *channel = "stdout";
	long long n = 1600;
	char *lower = NULL, *path;
	size_t i;

	if (!ctl_upcheck(c))
		return;
	if (argc < 1 || argc > 3) {
		ctl_out("Error: %s", argc < 1 ? "too few arguments" : "too many arguments");
		c->exitstatus = CTL_EXIT_GENERIC;
		cmd_tail_help();
		return;
	}
	if (argv[0][0] == '-') {
		mod = argv[0];
		argv++;
		argc--;
	}
	if (argc == 0) {
		ctl_out("Error: tail requires process name");
		c->exitstatus = CTL_EXIT_GENERIC;
		return;
	}
	name = argv[0];
	if (argc > 1) {
		lower = xstrdup(argv[argc - 1]);
		for (i = 0; lower[i] != '\0'; i++)
			if (lower[i] >= 'A' && lower[i] <= 'Z')
				lower[i] = (char)(lower[i] - 'A' + 'a');
		if (strcmp(lower, "stderr") != 0 && strcmp(lower, "stdout") != 0) {
			ctl_out("Error: bad channel '%s'", lower);
			c->exitstatus = CTL_EXIT_GENERIC;
			free(lower);
			return;
		}
		channel = lower;
	}
	if (mod != NULL && strcmp(mod + 1, "f") == 0) {
		path = xasprintf("/logtail/%s/%s", name, channel);
		cmd_tailf(c, path);
		free(path);
	} else if (mod != NULL && cmd_int(mod + 1, &n) != 0) {
		ctl_out("Error: bad argument %s", mod);
		c->exitstatus = CTL_EXIT_GENERIC;
	} else {
		cmd_read_log(c, strcmp(channel, "stdout") == 0 ? "supervisor.readProcessStdoutLog"
		                                               : "supervisor.readProcessStderrLog",
		             name, name, n);
	}
	free(lower);
}

void cmd_maintail(struct ctl *c, int argc, char **argv)
{
	long long n = 1600;

	if (!ctl_upcheck(c))
		return;
	if (argc > 1) {
		ctl_out("Error: too many arguments");
		c->exitstatus = CTL_EXIT_GENERIC;
		cmd_maintail_help();
		return;
	}
	if (argc == 1 && strcmp(argv[0], "-f") == 0) {
		cmd_tailf(c, "/mainlogtail");
		return;
	}
	if (argc == 1 && (argv[0][0] != '-' || cmd_int(argv[0] + 1, &n) != 0)) {
		ctl_out("Error: bad argument %s", argv[0]);
		c->exitstatus = CTL_EXIT_GENERIC;
		return;
	}
	cmd_read_log(c, "supervisor.readLog", NULL, "supervisord", n);
}

static void cmd_clear_result(struct ctl *c, const char *spec, int code)
{
	if (code == FAULT_BAD_NAME)
		ctl_out("%s: ERROR (no such process)", spec);
	else if (code == FAULT_FAILED)
		ctl_out("%s: ERROR (failed)", spec);
	else if (code == FAULT_SUCCESS)
		ctl_out("%s: cleared", spec);
	ctl_fault_status(c, code, -1);
}

void cmd_clear(struct ctl *c, int argc, char **argv)
{
	struct value *v = NULL;
	struct ctl_err e;
	size_t j;
	int i, all = 0;

	if (!ctl_upcheck(c))
		return;
	if (argc == 0) {
		ctl_out("Error: clear requires a process name");
		c->exitstatus = CTL_EXIT_GENERIC;
		ctl_out("clear <name>\t\tClear a process' log files.\nclear <name> <name>\tClear multiple process' log "
		        "files\nclear all\t\tClear all process' log files");
		return;
	}
	for (i = 0; i < argc; i++)
		all |= strcmp(argv[i], "all") == 0;
	if (all) {
		v = ctl_get(c, "supervisor.clearAllProcessLogs", NULL);
		for (j = 0; j < value_len(v); j++) {
			const struct value *res = value_list_at(v, j);
			char *spec = ctl_namespec(value_get_str(res, "group", ""), value_get_str(res, "name", ""));

			cmd_clear_result(c, spec, (int)value_get_int(res, "status", 0));
			free(spec);
		}
		value_unref(v);
		return;
	}
	for (i = 0; i < argc; i++) {
		enum ctl_result res = ctl_call(c, "supervisor.clearProcessLogs", ctl_params(argv[i], NULL), &v, &e);
		char *group, *proc, *spec;

		value_unref(v);
		v = NULL;
		ctl_split(argv[i], &group, &proc);
		spec = proc != NULL ? ctl_namespec(group, proc) : xasprintf("%s:None", group);
		cmd_clear_result(c, spec, res == CTL_OK ? FAULT_SUCCESS : e.code);
		ctl_err_fini(&e);
		free(spec);
		free(group);
		free(proc);
	}
}
