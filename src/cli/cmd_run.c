/* `drover run PATTERN -m MODULE -a ARGS`: ad-hoc tasks, flags as `ansible`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/becomeopt.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "data/json.h"
#include "exec/adhoc.h"
#include "playbook/modreg.h"
#include "inventory/inventory.h"
#include "playbook/kv.h"

static void run_usage(FILE *f)
{
	fprintf(f,
	        "usage: drover run PATTERN [-i INVENTORY] [-m MODULE] [-a ARGS] [options]\n"
	        "\n"
	        "Runs one module on the hosts PATTERN selects, as `ansible` does.\n"
	        "\n"
	        "  -i, --inventory SRC    inventory file, directory or 'h1,h2,' list (repeatable)\n"
	        "  -m, --module-name M    module to run (default: command)\n"
	        "  -a, --args ARGS        module arguments: key=value words, free form, or JSON\n"
	        "  -e, --extra-vars VARS  key=value, JSON/YAML, or @file (repeatable)\n"
	        "  -l, --limit SUBSET     further limit the hosts (repeatable; @file reads a file)\n"
	        "  -c, --connection TYPE  connection type when the inventory names none\n"
	        "  -f, --forks N          hosts in flight at once\n"
	        "  -T, --timeout SECONDS  connection timeout\n"
	        "      --task-timeout S   kill the task after S seconds\n"
	        "  -C, --check            change nothing; report what would change\n"
	        "  -D, --diff             show differences in changed files\n"
	        "  -o, --one-line         condense output\n"
	        "      --list-hosts       print the matching hosts and exit\n"
	        "  -u, --user USER        connect as this user\n"
	        "  -k, --ask-pass         ask for the connection password\n"
	        "  -b, --become           run the module as another user (--become-user, default root)\n"
	        "  -K, --ask-become-pass  ask for the become password\n"
	        "      --become-user U / --become-method M  (sudo, su, doas)\n"
	        "      --private-key FILE use this key file\n"
	        "      --ssh-common-args A  extra arguments for ssh (shell words)\n"
	        "      --ssh-extra-args A   likewise, after the common ones\n"
	        "      --no-persist       no ControlMaster kept between runs\n"
	        "      --retries N        retry connections that fail before a task starts\n"
	        "  -v, --verbose          more output (-vvvv for connection details)\n");
}

static int run_parse_args(const char *module, const char *text, struct value **argsp)
{
	const struct modinfo *mi = modreg_find(module);
	struct diag d;
	size_t len = text ? strlen(text) : 0;
	int r;

	*argsp = NULL;
	diag_init(&d);
	if (len >= 2 && text[0] == '{' && text[len - 1] == '}' &&
	    json_decode(text, len, "-a", argsp, &d) == 0 && (*argsp)->type == VALUE_MAP) {
		diag_fini(&d);
		return 0;
	}
	value_unref(*argsp);
	*argsp = NULL;
	diag_fini(&d);
	diag_init(&d);
	r = kv_parse(text ? text : "", len, mi != NULL && (mi->flags & MOD_F_REQUIRE_ARGS), argsp, &d);
	if (r != 0) {
		char *m = diag_format(&d);

		log_error("bad module arguments (-a): %s", m);
		free(m);
		r = EXIT_OPTIONS;
	} else if (mi != NULL && !(mi->flags & MOD_F_FREEFORM) && value_map_get(*argsp, "_raw_params") != NULL) {
		log_error("bad module arguments (-a): module '%s' takes key=value arguments, not free-form text "
		          "('%s')", module, value_get_str(*argsp, "_raw_params", ""));
		r = EXIT_PARSE;
	}
	diag_fini(&d);
	return r;
}

static int run_list_hosts(struct inv_host **hosts, size_t n)
{
	size_t i;

	printf("  hosts (%zu):\n", n);
	for (i = 0; i < n; i++)
		printf("    %s\n", inv_host_name(hosts[i]));
	return EXIT_OK;
}

static int run_exit_code(const struct adhoc_stats *st)
{
	if (st->unreachable > 0)
		return EXIT_UNREACHABLE;
	if (st->failed > 0)
		return EXIT_FAILED;
	return EXIT_OK;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"inventory", required_argument, NULL, 'i'}, {"inventory-file", required_argument, NULL, 'i'},
		{"module-name", required_argument, NULL, 'm'}, {"args", required_argument, NULL, 'a'},
		{"extra-vars", required_argument, NULL, 'e'}, {"limit", required_argument, NULL, 'l'},
		{"connection", required_argument, NULL, 'c'}, {"forks", required_argument, NULL, 'f'},
		{"timeout", required_argument, NULL, 'T'}, {"task-timeout", required_argument, NULL, 1},
		{"check", no_argument, NULL, 'C'}, {"diff", no_argument, NULL, 'D'},
		{"one-line", no_argument, NULL, 'o'}, {"list-hosts", no_argument, NULL, 2},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{"user", required_argument, NULL, 'u'}, {"private-key", required_argument, NULL, 3},
		{"key-file", required_argument, NULL, 3}, {"ssh-common-args", required_argument, NULL, 4},
		{"ssh-extra-args", required_argument, NULL, 5}, {"no-persist", no_argument, NULL, 6},
		{"ask-pass", no_argument, NULL, 'k'}, {"retries", required_argument, NULL, 7},
		BECOMEOPT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct cli_opts co;
	struct adhoc_opts ao;
	struct adhoc_stats st;
	struct inventory *inv = NULL;
	struct inv_host **hosts = NULL;
	struct value *args = NULL;
	struct cli_worker worker;
	const char *module = "command", *argtext = NULL;
	size_t nhosts = 0;
	int list_hosts = 0, ask_pass = 0, c, rc = EXIT_ERROR;
	char *password = NULL, *become_pass = NULL;
	struct becomeopt bo = {0, 0, NULL, NULL};

	cli_opts_init(&co);
	memset(&ao, 0, sizeof(ao));
	memset(&worker, 0, sizeof(worker));
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:m:a:e:l:c:f:T:u:kbKCDovh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': ao.remote_user = optarg; break;
		case 3: ao.private_key = optarg; break;
		case 4: ao.ssh_common_args = optarg; break;
		case 5: ao.ssh_extra_args = optarg; break;
		case 6: co.no_persist = 1; break;
		case 'k': ask_pass = 1; break;
		case 7:
			if (cli_parse_int(optarg, "--retries", 0, 100, &ao.retries) != 0)
				goto out_opts;
			break;
		case 'm': module = optarg; break;
		case 'a': argtext = optarg; break;
		case 'C': ao.check = 1; break;
		case 'D': ao.diff = 1; break;
		case 'o': ao.style.oneline = 1; break;
		case 2: list_hosts = 1; break;
		case 1:
			if (cli_parse_int(optarg, "--task-timeout", 0, 1 << 30, &ao.task_timeout) != 0)
				goto out_opts;
			break;
		case 'h': run_usage(stdout); rc = EXIT_OK; goto out;
		default:
			if (becomeopt_parse(&bo, c, optarg))
				break;
			if (c == '?' || cli_opts_common(&co, c, optarg) != 0)
				goto out_opts;
			break;
		}
	}
	if (optind != argc - 1) {
		log_error(optind >= argc ? "missing host pattern" : "only one host pattern may be given");
		goto out_opts;
	}
	if ((rc = cli_load_inventory(&co, &inv)) != EXIT_OK)
		goto out;
	if ((rc = cli_select_hosts(&co, inv, argv[optind], &hosts, &nhosts)) != EXIT_OK)
		goto out;
	if (list_hosts) {
		rc = run_list_hosts(hosts, nhosts);
		goto out;
	}
	if (modreg_find(module) == NULL) {
		log_error("couldn't resolve module/action '%s'. This often indicates a misspelling, "
		          "missing collection, or incorrect module path.", module);
		rc = EXIT_OPTIONS;
		goto out;
	}
	if ((modreg_find(module)->flags & MOD_F_REQUIRE_ARGS) && (argtext == NULL || *argtext == '\0')) {
		log_error("No argument passed to %s module", module);
		goto out_opts;
	}
	if ((rc = run_parse_args(module, argtext, &args)) != 0)
		goto out;
	ao.module = module;
	ao.args = args;
	ao.extra_vars = co.extra_vars;
	ao.connection = co.connection;
	ao.worker_path = cli_worker_path();
	ao.self_path = cli_self_path();
	if (ask_pass) {
		if ((password = cli_prompt_secret("SSH password: ")) == NULL) {
			log_error("-k: no terminal to ask for the password on");
			goto out_opts;
		}
		ao.conn_password = password;
	}
	if ((rc = cli_ssh_setup(&co, &ao, &worker)) != EXIT_OK || (rc = becomeopt_setup(&bo, &co, &ao, &become_pass)) != EXIT_OK)
		goto out;
	ao.style.verbosity = co.verbosity;
	ao.style.color = out_color_wanted(STDOUT_FILENO);
	if (adhoc_run(inv, hosts, nhosts, &ao, &st) != 0) {
		log_error("the run could not start");
		rc = EXIT_ERROR;
		goto out;
	}
	rc = run_exit_code(&st);
	goto out;
out_opts:
	rc = EXIT_OPTIONS;
out:
	if (become_pass != NULL) {
		explicit_bzero(become_pass, strlen(become_pass));
		free(become_pass);
	}
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	free(worker.bytes);
	free(worker.ctl_dir);
	value_unref(args);
	free(hosts);
	inventory_free(inv);
	cli_opts_fini(&co);
	return rc;
}
