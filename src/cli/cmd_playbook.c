/* `drover playbook PLAYBOOK...`: flags as `ansible-playbook`. For now only
 * the modes that run nothing: --syntax-check, --list-tasks, --list-tags and
 * --list-hosts, printed exactly as ansible-playbook prints them. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/becomeopt.h"
#include "cli/cli.h"
#include "cli/config.h"
#include "cli/opts.h"
#include "inventory/inventory.h"
#include "playbook/pb_diag.h"
#include "playbook/pb_list.h"
#include "playbook/pb_tags.h"
#include "exec/pbrun.h"
#include "playbook/playbook.h"

#define PBCMD_MAX_OUTPUT ((size_t)256 << 20)

struct pbcmd {
	struct cli_opts co;
	struct inventory *inv;
	struct value *only, *skip;
	int syntax, list_tasks, list_tags, list_hosts;
	struct adhoc_opts ao;       /* connection options for running */
	int check, diff, force_handlers, ask_pass, profile, json;
	struct becomeopt bo;
	const char *start_at;
};

static void pbcmd_usage(FILE *f)
{
	fprintf(f,
	        "usage: drover playbook PLAYBOOK... [-i INVENTORY] [options]\n"
	        "\n"
	        "Runs Ansible playbooks, as `ansible-playbook` does.\n"
	        "\n"
	        "  -i, --inventory SRC    inventory file, directory or 'h1,h2,' list (repeatable)\n"
	        "  -e, --extra-vars VARS  key=value, JSON/YAML, or @file (repeatable)\n"
	        "  -l, --limit SUBSET     further limit the hosts (repeatable; @file reads a file)\n"
	        "  -t, --tags TAGS        only tasks tagged with these (comma-separated, repeatable)\n"
	        "      --skip-tags TAGS   skip tasks tagged with these\n"
	        "      --syntax-check     check the playbooks and exit\n"
	        "      --list-tasks       list the tasks that would run\n"
	        "      --list-tags        list the tags\n"
	        "      --list-hosts       list the hosts each play would run on\n"
	        "  -v, --verbose          more output\n"
	        "      --profile          after the recap, the slowest tasks' durations (profile_tasks)\n"
	        "      --json             JSON-lines events instead of text (also DROVER_OUTPUT=json)\n"
	        "\n"
	        "  -b, --become / -K, --ask-become-pass / --become-user U / --become-method M\n"
	        "                         run tasks as another user (sudo, su, doas)\n"
	        "Accepted for later: -f -c -T -u -k -C -D\n"
	        "--start-at-task --force-handlers --flush-cache --private-key --ssh-common-args\n"
	        "--ssh-extra-args.\n");
}

static void pbcmd_print_diag(const struct diag *d)
{
	struct buf b;

	buf_init(&b, 0);
	pb_diag_format(&b, d);
	fd_write_all(2, b.data ? b.data : "", b.len);
	buf_fini(&b);
}

/* --list-hosts: a play's patterns joined into one pattern (a list of
 * patterns means the same as their comma-separated text), after --limit. */
static int pbcmd_select(void *ctx, const struct value *patterns, struct value **namesp, struct diag *d)
{
	struct pbcmd *pc = ctx;
	struct inv_host **hosts = NULL;
	struct buf pat;
	size_t n = 0, i;
	int r;

	*namesp = value_list();
	buf_init(&pat, 0);
	for (i = 0; i < value_len(patterns); i++) {
		const char *s = value_cstr(value_list_at(patterns, i));

		if (s == NULL)
			continue;
		if (pat.len > 0)
			buf_putc(&pat, ',');
		buf_puts(&pat, s);
	}
	r = inventory_select(pc->inv, buf_str(&pat), pc->co.limits, pc->co.nlimits, &hosts, &n, d);
	buf_fini(&pat);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++)
		value_list_push(*namesp, value_str(inv_host_name(hosts[i])));
	free(hosts);
	return 0;
}

/* Ansible's CLI.get_host_list: an inventory with hosts that --limit
 * empties is an error before any playbook is read. */
static int pbcmd_check_limit(struct pbcmd *pc)
{
	struct inv_host **hosts = NULL;
	size_t n = 0, ninv = 0;
	struct diag d;
	char *msg;
	int rc = EXIT_OK;

	inventory_hosts(pc->inv, &ninv);
	if (ninv == 0) {
		log_warn("provided hosts list is empty, only localhost is available. Note that the implicit localhost "
		         "does not match 'all'");
		return EXIT_OK;
	}
	diag_init(&d);
	if (inventory_select(pc->inv, "all", pc->co.limits, pc->co.nlimits, &hosts, &n, &d) != 0) {
		msg = diag_format(&d);
		fprintf(stderr, "ERROR! %s\n", msg);
		free(msg);
		rc = EXIT_ERROR;
	} else if (n == 0) {
		fprintf(stderr, "ERROR! Specified inventory, host pattern and/or --limit leaves us with no hosts to "
		                "target.\n");
		rc = EXIT_ERROR;
	}
	free(hosts);
	diag_fini(&d);
	return rc;
}

static int pbcmd_parse(struct pbcmd *pc, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"inventory", required_argument, NULL, 'i'}, {"inventory-file", required_argument, NULL, 'i'},
		{"extra-vars", required_argument, NULL, 'e'}, {"limit", required_argument, NULL, 'l'},
		{"tags", required_argument, NULL, 't'}, {"skip-tags", required_argument, NULL, 1},
		{"syntax-check", no_argument, NULL, 2}, {"list-tasks", no_argument, NULL, 3},
		{"list-tags", no_argument, NULL, 4}, {"list-hosts", no_argument, NULL, 5},
		{"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
		{"connection", required_argument, NULL, 'c'}, {"forks", required_argument, NULL, 'f'},
		{"timeout", required_argument, NULL, 'T'}, {"user", required_argument, NULL, 'u'},
		BECOMEOPT_LONGOPTS,
		{"ask-pass", no_argument, NULL, 'k'}, {"check", no_argument, NULL, 'C'},
		{"diff", no_argument, NULL, 'D'}, {"start-at-task", required_argument, NULL, 13},
		{"private-key", required_argument, NULL, 8}, {"key-file", required_argument, NULL, 8},
		{"ssh-common-args", required_argument, NULL, 9}, {"ssh-extra-args", required_argument, NULL, 10},
		{"force-handlers", no_argument, NULL, 11}, {"flush-cache", no_argument, NULL, 7},
		{"no-persist", no_argument, NULL, 12}, {"profile", no_argument, NULL, 14},
		{"json", no_argument, NULL, 15},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "i:e:l:t:c:f:T:u:bKkCDvh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': pb_tags_add_arg(pc->only, optarg); break;
		case 1: pb_tags_add_arg(pc->skip, optarg); break;
		case 2: pc->syntax = 1; break;
		case 3: pc->list_tasks = 1; break;
		case 4: pc->list_tags = 1; break;
		case 5: pc->list_hosts = 1; break;
		case 'h': pbcmd_usage(stdout); return -1;
		case 'u': pc->ao.remote_user = optarg; break;
		case 'k': pc->ask_pass = 1; break;
		case 'C': pc->check = 1; break;
		case 'D': pc->diff = 1; break;
		case 8: pc->ao.private_key = optarg; break;
		case 9: pc->ao.ssh_common_args = optarg; break;
		case 10: pc->ao.ssh_extra_args = optarg; break;
		case 11: pc->force_handlers = 1; break;
		case 12: pc->co.no_persist = 1; break;
		case 13: pc->start_at = optarg; break;
		case 14: pc->profile = 1; break;
		case 15: pc->json = 1; break;
		case 7: break;
		default:
			if (becomeopt_parse(&pc->bo, c, optarg))
				break;
			if (c == '?' || cli_opts_common(&pc->co, c, optarg) != 0)
				return EXIT_OPTIONS;
			break;
		}
	}
	if (optind >= argc) {
		log_error("the following arguments are required: playbook");
		return EXIT_OPTIONS;
	}
	return EXIT_OK;
}

/* The playbook files must exist before anything else is done. */
static int pbcmd_check_files(int argc, char **argv)
{
	struct stat st;
	int i;

	for (i = optind; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "ERROR! the playbook: %s could not be found\n", argv[i]);
			return EXIT_ERROR;
		}
		if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
			fprintf(stderr, "ERROR! the playbook: %s does not appear to be a file\n", argv[i]);
			return EXIT_ERROR;
		}
	}
	return EXIT_OK;
}

static void pbcmd_roles_path(const struct pbcmd *pc, struct pb_opts *po)
{
	const struct value *l = config_list(pc->co.cfg, CONFIG_DEFAULT_ROLES_PATH);
	const char **paths;
	size_t i, n = value_len(l);

	po->roles_path = NULL;
	po->nroles_path = 0;
	if (l == NULL || n == 0)
		return;
	paths = xcalloc(n, sizeof(*paths));
	for (i = 0; i < n; i++)
		paths[i] = value_cstr(value_list_at(l, i));
	po->roles_path = paths;
	po->nroles_path = n;
}

/* Runs the loaded playbooks on their hosts. */
static int pbcmd_run(struct pbcmd *pc, struct pb_playbook **pbs, size_t n)
{
	struct pbrun_opts ro;
	struct cli_worker worker;
	char *password = NULL, *become_pass = NULL;
	int rc;

	memset(&worker, 0, sizeof(worker));
	pc->ao.worker_path = cli_worker_path();
	pc->ao.self_path = cli_self_path();
	pc->ao.style.verbosity = pc->co.verbosity;
	pc->ao.connection = pc->co.connection;
	if (pc->ask_pass) {
		if ((password = cli_prompt_secret("SSH password: ")) == NULL) {
			log_error("-k: no terminal to ask for the password on");
			return EXIT_OPTIONS;
		}
		pc->ao.conn_password = password;
	}
	if ((rc = cli_ssh_setup(&pc->co, &pc->ao, &worker)) != EXIT_OK ||
	    (rc = becomeopt_setup(&pc->bo, &pc->co, &pc->ao, &become_pass)) != EXIT_OK)
		goto out;
	memset(&ro, 0, sizeof(ro));
	ro.conn = &pc->ao;
	ro.extra_vars = pc->co.extra_vars;
	ro.only_tags = pc->only;
	ro.skip_tags = pc->skip;
	ro.limits = pc->co.limits;
	ro.nlimits = pc->co.nlimits;
	ro.check = pc->check;
	ro.diff = pc->diff;
	ro.verbosity = pc->co.verbosity;
	ro.force_handlers = pc->force_handlers;
	ro.start_at_task = pc->start_at;
	ro.profile = pc->profile;
	ro.strategy = config_str(pc->co.cfg, CONFIG_DEFAULT_STRATEGY);
	ro.json = pc->json || (getenv("DROVER_OUTPUT") != NULL && strcmp(getenv("DROVER_OUTPUT"), "json") == 0);
	rc = pbrun(pbs, n, pc->inv, &ro);
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
	return rc;
}

int cmd_playbook(int argc, char **argv)
{
	struct pbcmd pc;
	struct pb_playbook **pbs = NULL;
	struct pb_list_opts lo;
	struct pb_opts po;
	struct value *pb_magic = NULL;
	struct diag d;
	struct buf out;
	int i, npb = 0, r, rc;

	memset(&pc, 0, sizeof(pc));
	memset(&po, 0, sizeof(po));
	cli_opts_init(&pc.co);
	pc.only = value_list();
	pc.skip = value_list();
	diag_init(&d);
	buf_init(&out, PBCMD_MAX_OUTPUT);
	if ((rc = pbcmd_parse(&pc, argc, argv)) != EXIT_OK) {
		if (rc < 0)
			rc = EXIT_OK;
		goto out;
	}
	if ((rc = pbcmd_check_files(argc, argv)) != EXIT_OK)
		goto out;
	if ((rc = cli_opts_config(&pc.co)) != EXIT_OK)
		goto out;
	if ((rc = cli_load_inventory(&pc.co, &pc.inv)) != EXIT_OK)
		goto out;
	if ((rc = pbcmd_check_limit(&pc)) != EXIT_OK)
		goto out;
	pbcmd_roles_path(&pc, &po);
	po.extra_vars = pc.co.extra_vars;
	/* Play names and hosts may use groups, as in Ansible. */
	po.magic_vars = pb_magic = value_map();
	value_map_set(pb_magic, "groups", inventory_groups_var(pc.inv));
	pbs = xcalloc((size_t)(argc - optind), sizeof(*pbs));
	/* Every playbook is loaded before anything is printed, as
	 * ansible-playbook does. */
	for (i = optind; i < argc; i++) {
		if ((r = playbook_load(argv[i], &po, &pbs[npb], &d)) != 0) {
			pbcmd_print_diag(&d);
			rc = playbook_exit_code(r);
			goto out;
		}
		npb++;
	}
	if (!pc.syntax && !pc.list_tasks && !pc.list_tags && !pc.list_hosts) {
		rc = pbcmd_run(&pc, pbs, (size_t)npb);
		goto out;
	}
	memset(&lo, 0, sizeof(lo));
	lo.syntax = pc.syntax;
	lo.tasks = pc.list_tasks;
	lo.tags = pc.list_tags;
	lo.hosts = pc.list_hosts;
	lo.only = pc.only;
	lo.skip = pc.skip;
	lo.select = pbcmd_select;
	lo.select_ctx = &pc;
	if ((r = pb_list_format(&out, pbs, (size_t)npb, &lo, &d)) != 0) {
		char *msg = diag_format(&d);

		fprintf(stderr, "ERROR! %s\n", diag_has(&d) ? msg : err_str(r));
		free(msg);
		rc = EXIT_ERROR;
		goto out;
	}
	fflush(stdout);
	if (fd_write_all(1, out.data ? out.data : "", out.len) != 0) {
		rc = EXIT_ERROR;
		goto out;
	}
	rc = EXIT_OK;
out:
	for (i = 0; i < npb; i++)
		playbook_free(pbs[i]);
	free(pbs);
	free((void *)po.roles_path);
	value_unref(pb_magic);
	buf_fini(&out);
	diag_fini(&d);
	value_unref(pc.only);
	value_unref(pc.skip);
	inventory_free(pc.inv);
	cli_opts_fini(&pc.co);
	return rc;
}
