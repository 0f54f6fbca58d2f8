/* `drover inventory`: shows the inventory as Ansible sees it, with the
 * options and output of ansible-inventory (--list, --host, --graph). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "data/json.h"
#include "data/yaml.h"
#include "inventory/inventory.h"
#include "template/pyval.h"

#define INVCMD_MAX_GRAPH_DEPTH 1000
#define INVCMD_MAX_OUTPUT ((size_t)256 << 20)

struct invcmd {
	struct cli_opts co;
	struct inventory *inv;
	int list, graph, yaml, export, show_vars;
	const char *host;
	const char *output;
	const char *pattern;
	unsigned char *selected; /* per host index: kept by --limit, or NULL for all */
};

static void invcmd_usage(FILE *f)
{
	fprintf(f,
	        "usage: drover inventory [-i INVENTORY] [--list | --host HOST | --graph [GROUP]] [options]\n"
	        "\n"
	        "Shows the inventory as Ansible sees it, as `ansible-inventory` does.\n"
	        "\n"
	        "  -i, --inventory SRC    inventory file, directory or 'h1,h2,' list (repeatable)\n"
	        "      --list             all groups and hosts with their variables, as JSON\n"
	        "      --host HOST        the variables of one host, as JSON\n"
	        "      --graph [GROUP]    the tree of groups and hosts under GROUP (default all)\n"
	        "      --vars             with --graph: show variables too\n"
	        "  -y, --yaml             YAML instead of JSON\n"
	        "      --export           --list as sources define it: group vars apart\n"
	        "      --output FILE      write --list output to FILE\n"
	        "  -e, --extra-vars VARS  key=value, JSON/YAML, or @file (repeatable)\n"
	        "  -l, --limit SUBSET     only the hosts SUBSET selects (@file reads a file)\n"
	        "  -v, --verbose          more output\n");
}

/* ansible-inventory prints !unsafe strings as {"__ansible_unsafe": text}. */
static struct value *invcmd_unsafe(const struct value *v)
{
	struct value *r, *m;
	size_t i;

	switch (v->type) {
	case VALUE_STR:
		if (!(v->flags & VALUE_F_UNSAFE))
			return value_ref((struct value *)v);
		m = value_map();
		value_map_set(m, "__ansible_unsafe", value_strn(v->u.s.ptr, v->u.s.len));
		return m;
	case VALUE_LIST:
		r = value_list();
		for (i = 0; i < v->u.l.len; i++)
			value_list_push(r, invcmd_unsafe(v->u.l.items[i]));
		return r;
	case VALUE_MAP:
		r = value_map();
		for (i = 0; i < v->u.m.len; i++)
			value_map_set_key(r, value_ref(v->u.m.ents[i].key), invcmd_unsafe(v->u.m.ents[i].val));
		return r;
	default:
		return value_ref((struct value *)v);
	}
}

/* _get_host_variables */
static struct value *invcmd_host_vars(struct invcmd *c, const struct inv_host *h)
{
	struct value *v;

	if (c->export) {
		/* Only what the sources define on the host itself. */
		v = inventory_host_vars_export(c->inv, h);
	} else {
		v = inventory_host_vars_all(c->inv, h);
		if (c->co.extra_vars != NULL)
			value_map_update(v, c->co.extra_vars, 0);
	}
	inventory_strip_internal(v);
	return v;
}

static int invcmd_kept(const struct invcmd *c, const struct inv_host *h)
{
	size_t n, i;
	struct inv_host *const *all;

	if (c->selected == NULL)
		return 1;
	all = inventory_hosts(c->inv, &n);
	for (i = 0; i < n; i++)
		if (all[i] == h)
			return c->selected[i];
	return 0;
}

/* json_inventory's format_group: each group once, `all` without hosts,
 * empty hosts/children/vars left out, empty groups left out. */
static void invcmd_json_group(struct invcmd *c, struct inv_group *g, struct value *out, struct value *seen)
{
	struct value *entry = value_map(), *hosts = value_list(), *children = value_list(), *vars;
	struct inv_group *const *kids;
	struct inv_host *const *hs;
	size_t i, n;

	if (strcmp(inv_group_name(g), "all") != 0) {
		hs = inv_group_hosts(g, &n);
		for (i = 0; i < n; i++)
			if (invcmd_kept(c, hs[i]))
				value_list_push(hosts, value_str(inv_host_name(hs[i])));
	}
	kids = inv_group_children(g, &n);
	for (i = 0; i < n; i++) {
		value_list_push(children, value_str(inv_group_name(kids[i])));
		if (value_map_get(seen, inv_group_name(kids[i])) == NULL) {
			invcmd_json_group(c, kids[i], out, seen);
			value_map_set(seen, inv_group_name(kids[i]), value_null());
		}
	}
	if (value_len(hosts) > 0)
		value_map_set(entry, "hosts", value_ref(hosts));
	if (value_len(children) > 0)
		value_map_set(entry, "children", value_ref(children));
	if (c->export) {
		vars = inventory_group_vars(c->inv, g);
		if (value_len(vars) > 0)
			value_map_set(entry, "vars", value_ref(vars));
		value_unref(vars);
	}
	if (value_len(entry) > 0)
		value_map_set(out, inv_group_name(g), value_ref(entry));
	value_unref(entry);
	value_unref(hosts);
	value_unref(children);
}

/* yaml_inventory's format_group: nested children, hosts with their vars
 * the first time they appear. */
static struct value *invcmd_yaml_group(struct invcmd *c, struct inv_group *g, struct value *seen, int depth)
{
	struct value *entry = value_map(), *children = value_map(), *hosts = value_map(), *vars, *sub;
	struct inv_group *const *kids;
	struct inv_host *const *hs;
	size_t i, n;

	kids = inv_group_children(g, &n);
	for (i = 0; i < n && depth < INVCMD_MAX_GRAPH_DEPTH; i++) {
		if (strcmp(inv_group_name(kids[i]), "all") == 0)
			continue;
		sub = invcmd_yaml_group(c, kids[i], seen, depth + 1);
		value_map_update(children, sub, 0);
		value_unref(sub);
	}
	if (strcmp(inv_group_name(g), "all") != 0) {
		hs = inv_group_hosts(g, &n);
		for (i = 0; i < n; i++) {
			if (!invcmd_kept(c, hs[i]))
				continue;
			if (value_map_get(seen, inv_host_name(hs[i])) == NULL) {
				value_map_set(seen, inv_host_name(hs[i]), value_null());
				value_map_set(hosts, inv_host_name(hs[i]), invcmd_host_vars(c, hs[i]));
			} else {
				value_map_set(hosts, inv_host_name(hs[i]), value_map());
			}
		}
	}
	if (value_len(children) > 0)
		value_map_set(entry, "children", value_ref(children));
	if (value_len(hosts) > 0)
		value_map_set(entry, "hosts", value_ref(hosts));
	if (c->export) {
		vars = inventory_group_vars(c->inv, g);
		if (value_len(vars) > 0)
			value_map_set(entry, "vars", value_ref(vars));
		value_unref(vars);
	}
	value_unref(children);
	value_unref(hosts);
	sub = value_map();
	value_map_set(sub, inv_group_name(g), entry);
	return sub;
}

static struct value *invcmd_list(struct invcmd *c)
{
	struct value *out = value_map(), *seen = value_map(), *meta, *hostvars, *hv;
	struct inv_host **hosts = NULL;
	struct diag d;
	size_t i, n = 0;

	if (c->yaml) {
		value_unref(out);
		out = invcmd_yaml_group(c, inventory_group(c->inv, "all"), seen, 0);
		value_unref(seen);
		return out;
	}
	invcmd_json_group(c, inventory_group(c->inv, "all"), out, seen);
	value_unref(seen);
	meta = value_map();
	hostvars = value_map();
	diag_init(&d);
	if (inventory_select(c->inv, "all", NULL, 0, &hosts, &n, &d) == 0)
		for (i = 0; i < n; i++) {
			if (!invcmd_kept(c, hosts[i]))
				continue;
			hv = invcmd_host_vars(c, hosts[i]);
			if (value_len(hv) > 0)
				value_map_set(hostvars, inv_host_name(hosts[i]), hv);
			else
				value_unref(hv);
		}
	diag_fini(&d);
	free(hosts);
	value_map_set(meta, "hostvars", hostvars);
	value_map_set(out, "_meta", meta);
	return out;
}

/* _graph_name */
static void invcmd_graph_line(struct buf *b, int depth, const char *text, size_t len)
{
	int i;

	if (buf_avail(b) > 0)
		buf_putc(b, '\n');
	for (i = 0; i < depth; i++)
		buf_puts(b, "  |");
	if (depth > 0)
		buf_puts(b, "--");
	buf_put(b, text, len);
}

static int invcmd_key_cmp(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

/* _show_vars: "{name = str(value)}" in sorted order. */
static void invcmd_graph_vars(struct buf *b, struct value *vars, int depth)
{
	struct value *keys = value_list();
	struct buf line;
	size_t i;

	for (i = 0; i < value_len(vars); i++)
		value_list_push(keys, value_ref((struct value *)value_map_key_at(vars, i)));
	if (value_len(keys) > 1)
		qsort(keys->u.l.items, value_len(keys), sizeof(*keys->u.l.items), invcmd_key_cmp);
	for (i = 0; i < value_len(keys); i++) {
		const char *k = value_cstr(value_list_at(keys, i));

		buf_init(&line, 0);
		buf_printf(&line, "{%s = ", k);
		pyval_str(NULL, &line, value_map_get(vars, k));
		buf_putc(&line, '}');
		invcmd_graph_line(b, depth, buf_str(&line), buf_avail(&line));
		buf_fini(&line);
	}
	value_unref(keys);
	value_unref(vars);
}

/* _graph_group */
static int invcmd_graph(struct invcmd *c, struct inv_group *g, int depth, struct buf *b)
{
	struct inv_group *const *kids;
	struct inv_host *const *hs;
	size_t i, n;
	char *title;
	int r;

	if (depth > INVCMD_MAX_GRAPH_DEPTH) {
		log_error("group nesting too deep to graph");
		return ERR_DEPTH;
	}
	if (buf_avail(b) > INVCMD_MAX_OUTPUT) {
		log_error("graph output too large");
		return ERR_TOOBIG;
	}
	title = xasprintf("@%s:", inv_group_name(g));
	invcmd_graph_line(b, depth, title, strlen(title));
	free(title);
	kids = inv_group_children(g, &n);
	for (i = 0; i < n; i++)
		if ((r = invcmd_graph(c, kids[i], depth + 1, b)) < 0)
			return r;
	if (strcmp(inv_group_name(g), "all") != 0) {
		hs = inv_group_hosts(g, &n);
		for (i = 0; i < n; i++) {
			if (!invcmd_kept(c, hs[i]))
				continue;
			invcmd_graph_line(b, depth + 1, inv_host_name(hs[i]), strlen(inv_host_name(hs[i])));
			if (c->show_vars)
				invcmd_graph_vars(b, invcmd_host_vars(c, hs[i]), depth + 2);
		}
	}
	if (c->show_vars)
		invcmd_graph_vars(b, inventory_group_vars(c->inv, g), depth + 1);
	return 0;
}

static int invcmd_dump(struct invcmd *c, struct value *data, struct buf *b)
{
	struct value *safe;
	int r;

	/* Ansible's YAML dumper writes unsafe strings as plain strings. */
	if (c->yaml)
		return yaml_emit(b, data, YAML_EMIT_SORT_KEYS);
	safe = invcmd_unsafe(data);
	r = json_encode(b, safe, JSON_SORT_KEYS | JSON_INDENT(4));
	value_unref(safe);
	return r;
}

static int invcmd_write(struct invcmd *c, struct buf *b)
{
	int fd, r;

	if (c->output == NULL) {
		/* display.display adds the newline (YAML text already has one). */
		if (!(c->yaml && buf_avail(b) > 0 && buf_str(b)[buf_avail(b) - 1] == '\n'))
			buf_putc(b, '\n');
		r = fd_write_all(1, buf_ptr(b), buf_avail(b));
		return r < 0 ? EXIT_ERROR : EXIT_OK;
	}
	fd = open(c->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || fd_write_all(fd, buf_ptr(b), buf_avail(b)) < 0) {
		log_error("Unable to write to destination file (%s): %s", c->output, strerror(errno));
		fd_close(&fd);
		return EXIT_ERROR;
	}
	fd_close(&fd);
	return EXIT_OK;
}

/* Applies --limit: marks the hosts the limits keep. */
static int invcmd_limit(struct invcmd *c)
{
	struct inv_host **sel = NULL;
	struct inv_host *const *all;
	struct diag d;
	size_t n, i, j, nall;
	char *msg;
	int rc = EXIT_OK;

	if (c->co.nlimits == 0)
		return EXIT_OK;
	diag_init(&d);
	if (inventory_select(c->inv, "all", c->co.limits, c->co.nlimits, &sel, &n, &d) != 0) {
		msg = diag_format(&d);
		log_error("%s", msg);
		free(msg);
		rc = EXIT_ERROR;
	} else {
		all = inventory_hosts(c->inv, &nall);
		c->selected = xcalloc(nall + 1, 1);
		for (i = 0; i < n; i++)
			for (j = 0; j < nall; j++)
				if (all[j] == sel[i])
					c->selected[j] = 1;
	}
	diag_fini(&d);
	free(sel);
	return rc;
}

static int invcmd_run(struct invcmd *c)
{
	struct inv_host **hosts = NULL;
	struct inv_group *g;
	struct value *data = NULL;
	struct buf b;
	struct diag d;
	size_t n = 0;
	char *msg;
	int rc;

	rc = invcmd_limit(c);
	if (rc != EXIT_OK)
		return rc;
	buf_init(&b, INVCMD_MAX_OUTPUT);
	if (c->host != NULL) {
		diag_init(&d);
		if (inventory_select(c->inv, c->host, NULL, 0, &hosts, &n, &d) != 0) {
			msg = diag_format(&d);
			log_error("%s", msg);
			free(msg);
			diag_fini(&d);
			rc = EXIT_ERROR;
			goto out;
		}
		diag_fini(&d);
		if (n != 1) {
			log_error("You must pass a single valid host to --host parameter");
			rc = EXIT_OPTIONS;
			goto out;
		}
		data = invcmd_host_vars(c, hosts[0]);
		if (invcmd_dump(c, data, &b) < 0)
			goto toobig;
	} else if (c->graph) {
		g = inventory_group(c->inv, c->pattern);
		if (g == NULL) {
			log_error("Pattern must be valid group name when using --graph");
			rc = EXIT_OPTIONS;
			goto out;
		}
		if (invcmd_graph(c, g, 0, &b) < 0) {
			rc = EXIT_ERROR;
			goto out;
		}
	} else {
		data = invcmd_list(c);
		if (invcmd_dump(c, data, &b) < 0)
			goto toobig;
	}
	rc = invcmd_write(c, &b);
	goto out;
toobig:
	log_error("inventory output too large");
	rc = EXIT_ERROR;
out:
	value_unref(data);
	free(hosts);
	buf_fini(&b);
	return rc;
}

int cmd_inventory(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"inventory", required_argument, NULL, 'i'}, {"inventory-file", required_argument, NULL, 'i'},
		{"extra-vars", required_argument, NULL, 'e'}, {"limit", required_argument, NULL, 'l'},
		{"list", no_argument, NULL, 1},             {"host", required_argument, NULL, 2},
		{"graph", no_argument, NULL, 3},            {"vars", no_argument, NULL, 4},
		{"yaml", no_argument, NULL, 'y'},           {"export", no_argument, NULL, 5},
		{"output", required_argument, NULL, 6},     {"toml", no_argument, NULL, 7},
		{"verbose", no_argument, NULL, 'v'},        {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct invcmd c;
	int opt, actions, rc;

	memset(&c, 0, sizeof(c));
	cli_opts_init(&c.co);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+i:e:l:yvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 1: c.list = 1; break;
		case 2: c.host = optarg; break;
		case 3: c.graph = 1; break;
		case 4: c.show_vars = 1; break;
		case 'y': c.yaml = 1; break;
		case 5: c.export = 1; break;
		case 6: c.output = optarg; break;
		case 7:
			log_error("--toml is not supported");
			rc = EXIT_OPTIONS;
			goto out;
		case 'h':
			invcmd_usage(stdout);
			rc = EXIT_OK;
			goto out;
		case 'i': case 'e': case 'l': case 'v':
			if (cli_opts_common(&c.co, opt, optarg) != 0) {
				rc = EXIT_OPTIONS;
				goto out;
			}
			break;
		default:
			invcmd_usage(stderr);
			rc = EXIT_OPTIONS;
			goto out;
		}
	}
	if (optind < argc - 1) {
		log_error("unexpected argument '%s'", argv[optind + 1]);
		rc = EXIT_OPTIONS;
		goto out;
	}
	c.pattern = optind < argc ? argv[optind] : "all";
	actions = c.list + (c.host != NULL) + c.graph;
	if (actions == 0) {
		log_error("No action selected, at least one of --host, --graph or --list needs to be specified.");
		rc = EXIT_OPTIONS;
		goto out;
	}
	if (actions > 1) {
		log_error("Conflicting options used, only one of --host, --graph or --list can be used at the same time.");
		rc = EXIT_OPTIONS;
		goto out;
	}
	rc = cli_load_inventory(&c.co, &c.inv);
	if (rc != EXIT_OK)
		goto out;
	rc = invcmd_run(&c);
out:
	free(c.selected);
	inventory_free(c.inv);
	cli_opts_fini(&c.co);
	return rc;
}
