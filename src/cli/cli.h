/* The drover command line: one file per subcommand, dispatched from main.c
 * through a const table. Each subcommand parses its own flags, prints its own
 * errors and returns the process exit status (Ansible's codes). */
#ifndef DROVER_CLI_CLI_H
#define DROVER_CLI_CLI_H

/* Exit codes as ansible / ansible-playbook. */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,       /* generic error */
	EXIT_FAILED = 2,      /* a host failed */
	EXIT_UNREACHABLE = 4, /* a host was unreachable (see doc/exit-codes) */
	EXIT_PARSE = 4,       /* a parse error in an input file */
	EXIT_OPTIONS = 5,     /* bad or incomplete options */
	EXIT_INTERRUPTED = 99,
};

struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the subcommand name */
	const char *summary;
};

int cmd_run(int argc, char **argv);
int cmd_inventory(int argc, char **argv);
int cmd_template(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_config(int argc, char **argv);
int cmd_playbook(int argc, char **argv);

/* Path of the drover-worker binary shipped with this drover (beside the
 * executable, or $DROVER_WORKER). Returns a static string. */
const char *cli_worker_path(void);
/* Absolute path of this drover executable (static string). */
const char *cli_self_path(void);

#endif
