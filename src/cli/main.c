/* drover's entry point: dispatches to one subcommand per file. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/version.h"
#include "cli/cli.h"
#include "transport/askpass.h"

static const struct cli_cmd cli_cmds[] = {
	{"run", cmd_run, "run one module on hosts (as `ansible`)"},
	{"playbook", cmd_playbook, "check and list playbooks (as `ansible-playbook`)"},
	{"config", cmd_config, "show ansible.cfg and ANSIBLE_* settings (as `ansible-config`)"},
	{"inventory", cmd_inventory, "show the inventory (as `ansible-inventory`)"},
	{"template", cmd_template, "render a template with a host's variables (as Ansible would)"},
	{"doctor", cmd_doctor, "walk every connection phase for hosts; show where it breaks"},
};

static void cli_usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: drover COMMAND [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cli_cmds[i].name, cli_cmds[i].summary);
	fprintf(f, "\n`drover COMMAND --help` describes each command.\n");
}

const char *cli_worker_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("DROVER_WORKER");
	ssize_t n;
	char *slash;

	if (env != NULL && *env)
		return env;
	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - sizeof("drover-worker") - 1);
	if (n <= 0) {
		snprintf(path, sizeof(path), "drover-worker");
		return path;
	}
	path[n] = '\0';
	slash = strrchr(path, '/');
	snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path), "drover-worker");
	return path;
}

const char *cli_self_path(void)
{
	static char path[PATH_MAX];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = '\0';
	return path;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	size_t i;

	log_set_prog("drover");
	/* A worker or ssh that dies must show up as an error on write, not
	 * kill drover. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Run by ssh as SSH_ASKPASS (argv[1] is ssh's prompt). */
	if (getenv("DROVER_ASKPASS_SOCK") != NULL)
		return askpass_client();
	if (argc < 2) {
		cli_usage(stderr);
		return EXIT_OPTIONS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("drover %s\n", DROVER_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			return cli_cmds[i].run(argc - 1, argv + 1);
	log_error("unknown command '%s'", argv[1]);
	cli_usage(stderr);
	return EXIT_OPTIONS;
}
