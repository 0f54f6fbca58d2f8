/* `drover config dump`: every setting drover takes from ansible.cfg and the
 * environment, with its value and where it came from, printed as
 * `ansible-config dump` prints it so the two can be compared line by line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "cli/config.h"

static void config_usage(FILE *f)
{
	fprintf(f,
	        "usage: drover config dump [--only-changed] [-c FILE] [-v]\n"
	        "\n"
	        "Prints the settings drover reads from ansible.cfg and ANSIBLE_* variables, as\n"
	        "`ansible-config dump` does: NAME(ORIGIN) = VALUE, base settings first, then the\n"
	        "ssh connection's options. ORIGIN is 'default', 'env: VARIABLE' or the file.\n"
	        "\n"
	        "  --only-changed, --changed-only  only the settings that are not defaults\n"
	        "  -c, --config FILE   read FILE instead of looking for ansible.cfg\n"
	        "  -v, --verbose       name the line of the file each setting came from\n");
}

static int config_cmp_def(const void *a, const void *b)
{
	const struct config_def *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Prints the settings of plugin (NULL: base settings) sorted by name, as
 * ansible-config's _render_settings; with_file adds CONFIG_FILE among them.
 * Returns the number of lines printed. */
static size_t config_render(const struct config *c, const char *plugin, int only_changed, int lines,
                            int with_file, struct buf *out)
{
	const struct config_def *defs[CONFIG_NKEYS + 1];
	static const struct config_def file_def = {CONFIG_NKEYS, "CONFIG_FILE", NULL, CONFIG_T_PATH, NULL,
	                                           {NULL}, {{NULL, NULL}}, {NULL}, 0};
	size_t n = 0, i, printed = 0;
	int k;

	for (k = 0; k < CONFIG_NKEYS; k++) {
		const struct config_def *def = config_def((enum config_key)k);

		if (plugin == NULL ? def->plugin == NULL : def->plugin != NULL && strcmp(def->plugin, plugin) == 0)
			defs[n++] = def;
	}
	if (with_file)
		defs[n++] = &file_def;
	qsort(defs, n, sizeof(defs[0]), config_cmp_def);
	for (i = 0; i < n; i++) {
		const struct config_def *def = defs[i];
		enum config_from from;
		const char *origin;

		if (def == &file_def) {
			buf_printf(out, "CONFIG_FILE() = %s\n", config_file(c) ? config_file(c) : "None");
			printed++;
			continue;
		}
		from = config_from(c, def->key);
		if (only_changed && from == CONFIG_FROM_DEFAULT)
			continue;
		/* Ansible names the file without the line. */
		origin = from == CONFIG_FROM_FILE && !lines ? config_file(c) : config_origin(c, def->key);
		buf_printf(out, "%s(%s) = ", def->name, origin);
		config_format_value(out, config_value(c, def->key));
		buf_putc(out, '\n');
		printed++;
	}
	return printed;
}

static int config_dump(const struct config *c, int only_changed, int lines)
{
	struct buf out, ssh;
	int rc = EXIT_OK;

	buf_init(&out, 0);
	buf_init(&ssh, 0);
	config_render(c, NULL, only_changed, lines, 1, &out);
	if (config_render(c, "ssh", only_changed, lines, 0, &ssh) > 0 || !only_changed)
		buf_printf(&out, "\nCONNECTION:\n==========\n\nssh:\n___\n%s", buf_str(&ssh));
	if (fwrite(buf_str(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0)
		rc = EXIT_ERROR;
	buf_fini(&out);
	buf_fini(&ssh);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"only-changed", no_argument, NULL, 'O'},
		{"changed-only", no_argument, NULL, 'O'},
		{"config", required_argument, NULL, 'c'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct config *cfg = NULL;
	const char *file = NULL;
	struct diag d;
	char *msg;
	int c, only_changed = 0, lines = 0, rc = EXIT_OPTIONS, r;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		config_usage(stdout);
		return EXIT_OK;
	}
	if (argc < 2 || strcmp(argv[1], "dump") != 0) {
		if (argc < 2)
			log_error("missing action: drover config dump");
		else
			log_error("unknown action '%s': drover config knows only 'dump'", argv[1]);
		config_usage(stderr);
		return EXIT_OPTIONS;
	}
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'O':
			only_changed = 1;
			break;
		case 'c':
			file = optarg;
			break;
		case 'v':
			lines = 1;
			break;
		case 'h':
			config_usage(stdout);
			return EXIT_OK;
		default:
			config_usage(stderr);
			return EXIT_OPTIONS;
		}
	}
	if (optind != argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return EXIT_OPTIONS;
	}
	diag_init(&d);
	r = file != NULL ? config_load_file(file, &cfg, &d) : config_load(&cfg, &d);
	if (r != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		goto out;
	}
	config_print_warnings(cfg);
	rc = config_dump(cfg, only_changed, lines);
out:
	diag_fini(&d);
	config_free(cfg);
	return rc;
}
