/* `drover template`: renders a template file, a playbook string, an
 * expression or a conditional with one host's variables (inventory and
 * -e), as Ansible would, and prints the result; errors point into the
 * template. --batch runs many cases from JSON lines (for the differential
 * tests against Jinja2). */
#include <errno.h>
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
#include "inventory/inventory.h"
#include "template/pyval.h"
#include "template/template.h"

#define TPLCMD_MAX_INPUT ((size_t)64 << 20)
#define TPLCMD_MAX_NEST 32 /* variables templating variables */

enum tplcmd_mode { TPLCMD_FILE, TPLCMD_STRING, TPLCMD_EXPR, TPLCMD_COND };

/* Variables for a render: a map of raw values, templated lazily when read
 * (as Ansible's AnsibleJ2Vars does), and hostvars as a proxy. */
struct tplvars {
	struct value *vars;      /* owned map */
	struct inventory *inv;   /* borrowed; NULL without -i */
	int depth;
	const char *dir;         /* directory of the template file, or NULL */
	const struct tpl_opts *opts; /* settings for included templates */
	struct tpl_scope scope;
};

static int tplvars_template(struct tplvars *tv, const struct value *raw, struct value **vp, struct diag *d);

static int tplvars_string(struct tplvars *tv, const struct value *raw, struct value **vp, struct diag *d)
{
	struct tpl_opts o;
	struct tpl *t;
	int r;

	tpl_opts_playbook(&o);
	if ((r = tpl_compile(raw->u.s.ptr, raw->u.s.len, raw->pos.file, (int)raw->pos.line, (int)raw->pos.col, &o, &t,
	                     d)) != 0)
		return r;
	r = tpl_render_value(t, &tv->scope, vp, d);
	tpl_free(t);
	return r;
}

/* Templar.template on a value: strings with template syntax are rendered,
 * lists and dicts recursively; unsafe strings never. */
static int tplvars_template(struct tplvars *tv, const struct value *raw, struct value **vp, struct diag *d)
{
	struct value *out, *v;
	size_t i;
	int r;

	*vp = NULL;
	switch (raw->type) {
	case VALUE_STR:
		if ((raw->flags & VALUE_F_UNSAFE) || !tpl_has_syntax(raw->u.s.ptr, raw->u.s.len))
			break;
		return tplvars_string(tv, raw, vp, d);
	case VALUE_LIST:
		out = value_list();
		out->flags = raw->flags;
		for (i = 0; i < raw->u.l.len; i++) {
			if ((r = tplvars_template(tv, raw->u.l.items[i], &v, d)) != 0) {
				value_unref(out);
				return r;
			}
			value_list_push(out, v);
		}
		*vp = out;
		return 0;
	case VALUE_MAP:
		out = value_map();
		for (i = 0; i < raw->u.m.len; i++) {
			if ((r = tplvars_template(tv, raw->u.m.ents[i].val, &v, d)) != 0) {
				value_unref(out);
				return r;
			}
			value_map_set_key(out, value_ref(raw->u.m.ents[i].key), v);
		}
		*vp = out;
		return 0;
	default:
		break;
	}
	*vp = value_ref((struct value *)raw);
	return 0;
}

static int tplvars_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct tplvars *tv = ctx;
	const struct value *raw;
	struct diag inner;
	int r;

	*vp = NULL;
	if (len == 8 && memcmp(name, "hostvars", 8) == 0 && tv->inv != NULL) {
		*vp = tpl_proxy_new("hostvars", 8);
		return 0;
	}
	if ((raw = value_map_getn(tv->vars, name, len)) == NULL)
		return ERR_NOTFOUND;
	if (tv->depth >= TPLCMD_MAX_NEST) {
		diag_set(d, raw->pos.file, (int)raw->pos.line, (int)raw->pos.col,
		         "recursive loop detected in template string: %.*s", (int)(raw->u.s.len > 200 ? 200 : raw->u.s.len),
		         raw->type == VALUE_STR ? raw->u.s.ptr : "");
		return ERR_DEPTH;
	}
	diag_init(&inner);
	tv->depth++;
	r = tplvars_template(tv, raw, vp, &inner);
	tv->depth--;
	if (r == ERR_NOTFOUND) {
		/* An undefined value, so that "x is defined" and default() work
		 * on a variable whose template fails, as in Ansible. */
		char *msg = xasprintf("%s: %s", raw->type == VALUE_STR ? raw->u.s.ptr : "(value)",
		                      inner.msg ? inner.msg : "undefined");

		*vp = tpl_undef_new(msg);
		free(msg);
		r = 0;
	} else if (r != 0) {
		diag_set(d, inner.file, inner.line, inner.col, "%s", inner.msg ? inner.msg : err_str(r));
	}
	diag_fini(&inner);
	return r;
}

static int tplvars_proxy_get(void *ctx, const struct value *proxy, const char *key, size_t len, struct value **vp,
                             struct diag *d)
{
	struct tplvars *tv = ctx;
	struct inv_host *h;
	char *name;

	(void)proxy;
	(void)d;
	name = xstrndup(key, len);
	h = inventory_host(tv->inv, name);
	free(name);
	if (h == NULL)
		return ERR_NOTFOUND;
	*vp = inventory_host_vars_all(tv->inv, h);
	return 0;
}

static int tplvars_proxy_value(void *ctx, const struct value *proxy, struct value **vp, struct diag *d)
{
	struct tplvars *tv = ctx;
	struct inv_host *const *hosts;
	struct value *m = value_map();
	size_t n, i;

	(void)proxy;
	(void)d;
	hosts = inventory_hosts(tv->inv, &n);
	for (i = 0; i < n; i++)
		value_map_set(m, inv_host_name(hosts[i]), inventory_host_vars_all(tv->inv, hosts[i]));
	*vp = m;
	return 0;
}

/* Whether a template name has a ".." path segment (Jinja refuses those). */
static int tplvars_escapes(const char *name)
{
	const char *p = name, *slash;

	for (;;) {
		slash = strchr(p, '/');
		if ((slash ? (size_t)(slash - p) : strlen(p)) == 2 && p[0] == '.' && p[1] == '.')
			return 1;
		if (slash == NULL)
			return 0;
		p = slash + 1;
	}
}

/* {% include %} and {% import %}: a template file found beside the main
 * template, else in the current directory, as Jinja's FileSystemLoader
 * (no ".." components). */
static int tplvars_load(void *ctx, const char *name, size_t len, struct tpl **tp, struct diag *d)
{
	struct tplvars *tv = ctx;
	struct buf b;
	char *path = NULL, *rel;
	int r = ERR_NOTFOUND, i;

	*tp = NULL;
	rel = xstrndup(name, len);
	if (strlen(rel) != len || rel[0] == '\0' || tplvars_escapes(rel)) {
		diag_set(d, NULL, 0, 0, "%s", rel);
		free(rel);
		return ERR_NOTFOUND;
	}
	buf_init(&b, TPLCMD_MAX_INPUT);
	for (i = 0; i < 2 && r == ERR_NOTFOUND; i++) {
		free(path);
		if (i == 0 && (tv->dir == NULL || rel[0] == '/'))
			continue;
		path = i == 0 ? xasprintf("%s/%s", tv->dir, rel) : xstrdup(rel);
		buf_reset(&b);
		r = file_read(path, &b);
		if (r == -ENOENT || r == -ENOTDIR)
			r = ERR_NOTFOUND;
	}
	if (r == 0)
		r = tpl_compile(b.data ? b.data : "", b.len, path, 1, 1, tv->opts, tp, d);
	else if (r != ERR_NOTFOUND)
		diag_set(d, path, 0, 0, "%s", err_str(r));
	else
		diag_set(d, NULL, 0, 0, "%s", rel);
	free(path);
	free(rel);
	buf_fini(&b);
	return r;
}

static void tplvars_init(struct tplvars *tv, struct value *vars, struct inventory *inv)
{
	memset(tv, 0, sizeof(*tv));
	tv->vars = vars;
	tv->inv = inv;
	tv->scope.ctx = tv;
	tv->scope.lookup = tplvars_lookup;
	tv->scope.proxy_get = tplvars_proxy_get;
	tv->scope.proxy_value = tplvars_proxy_value;
	tv->scope.load = tplvars_load;
}

/* ---- one render ---- */

struct tplcmd {
	struct cli_opts co;
	enum tplcmd_mode mode;
	const char *text;     /* --string/--expr/--cond argument */
	const char *host;
	const char *batch;
	struct tpl_opts opts;
};

static void tplcmd_usage(FILE *f)
{
	fprintf(f,
	        "usage: drover template [options] FILE\n"
	        "       drover template [options] --string TEXT | --expr EXPR | --cond CONDITION\n"
	        "\n"
	        "Renders a template as Ansible would, with one host's variables, and prints it.\n"
	        "\n"
	        "  FILE                    a .j2 file, rendered as the template module does\n"
	        "      --string TEXT       a playbook string (Templar.template); prints the typed\n"
	        "                          result as JSON\n"
	        "      --expr EXPR         a bare expression; prints its value as Python's repr()\n"
	        "      --cond CONDITION    a when: condition; prints True or False\n"
	        "  -i, --inventory SRC     inventory (repeatable); variables of --host come from it\n"
	        "  -H, --host HOST         the host whose variables to use (default localhost)\n"
	        "  -e, --extra-vars VARS   key=value, JSON/YAML, or @file (repeatable)\n"
	        "      --lstrip-blocks     the template module's lstrip_blocks\n"
	        "      --no-trim-blocks    trim_blocks: false\n"
	        "      --keep-trailing-newline\n"
	        "      --newline-sequence SEQ   \\n, \\r or \\r\\n\n"
	        "      --batch FILE        run the JSON-lines cases in FILE (for tests)\n");
}

/* The host's variables: inventory variables, then -e. */
static int tplcmd_vars(struct tplcmd *tc, struct inventory **invp, struct value **varsp)
{
	struct value *vars = value_map();
	struct inv_host *h;
	struct diag d;
	int r;

	*invp = NULL;
	if (tc->co.ninventories > 0) {
		if ((r = cli_load_inventory(&tc->co, invp)) != EXIT_OK) {
			value_unref(vars);
			return r;
		}
		h = inventory_host(*invp, tc->host ? tc->host : "localhost");
		if (h == NULL && tc->host != NULL) {
			log_error("host '%s' is not in the inventory", tc->host);
			value_unref(vars);
			inventory_free(*invp);
			*invp = NULL;
			return EXIT_OPTIONS;
		}
		if (h != NULL) {
			struct value *hv = inventory_host_vars_all(*invp, h);

			value_map_update(vars, hv, 0);
			value_unref(hv);
			value_map_set(vars, "groups", inventory_groups_var(*invp));
		}
	}
	diag_init(&d);
	if (tc->co.extra_vars != NULL)
		value_map_update(vars, tc->co.extra_vars, 0);
	diag_fini(&d);
	*varsp = vars;
	return EXIT_OK;
}

static void tplcmd_print_diag(struct diag *d, int r)
{
	char *msg = diag_format(d);

	log_error("%s", diag_has(d) ? msg : err_str(r));
	free(msg);
}

static int tplcmd_read(const char *path, char **textp, size_t *lenp)
{
	struct buf b;
	int r;

	buf_init(&b, TPLCMD_MAX_INPUT);
	r = strcmp(path, "-") == 0 ? fd_read_all(0, &b) : file_read(path, &b);
	if (r != 0) {
		buf_fini(&b);
		log_error("cannot read %s: %s", path, err_str(r));
		return r;
	}
	*textp = buf_take(&b, lenp);
	return 0;
}

/* Runs one case; the result is a value (text for templates). */
static int tplcmd_run(enum tplcmd_mode mode, const char *text, size_t len, const char *file,
                      const struct tpl_opts *o, struct tplvars *tv, struct value **vp, struct diag *d)
{
	struct tpl_opts po;
	struct tpl *t = NULL;
	struct buf out;
	int r = ERR_INVAL, res;
	char *s;
	size_t n;

	*vp = NULL;
	tv->opts = o;
	switch (mode) {
	case TPLCMD_FILE:
		if ((r = tpl_compile(text, len, file, 1, 1, o, &t, d)) != 0)
			return r;
		buf_init(&out, 0);
		if ((r = tpl_render(t, &tv->scope, &out, d)) == 0) {
			s = buf_take(&out, &n);
			*vp = value_str_take(s, n);
		}
		buf_fini(&out);
		break;
	case TPLCMD_STRING:
		tpl_opts_playbook(&po);
		if ((r = tpl_compile(text, len, file, 1, 1, &po, &t, d)) != 0)
			return r;
		r = tpl_render_value(t, &tv->scope, vp, d);
		break;
	case TPLCMD_EXPR:
		if ((r = tpl_compile_expr(text, len, file, 1, 1, &t, d)) != 0)
			return r;
		r = tpl_eval_expr(t, &tv->scope, vp, d);
		break;
	case TPLCMD_COND:
		if ((r = tpl_compile_cond(text, len, file, 1, 1, &t, d)) != 0)
			return r;
		if ((r = tpl_eval_cond(t, &tv->scope, &res, d)) == 0)
			*vp = value_bool(res);
		break;
	}
	tpl_free(t);
	return r;
}

static int tplcmd_single(struct tplcmd *tc, const char *file)
{
	struct tplvars tv;
	struct inventory *inv = NULL;
	struct value *vars = NULL, *v = NULL;
	struct diag d;
	struct buf out;
	char *text = NULL, *dir = NULL;
	size_t len;
	int r, ex;

	if ((ex = tplcmd_vars(tc, &inv, &vars)) != EXIT_OK)
		return ex;
	if (tc->mode == TPLCMD_FILE) {
		if (tplcmd_read(file, &text, &len) != 0) {
			ex = EXIT_ERROR;
			goto out;
		}
	} else {
		text = xstrdup(tc->text);
		len = strlen(text);
		file = NULL;
	}
	tplvars_init(&tv, vars, inv);
	if (file != NULL && strchr(file, '/') != NULL) {
		dir = xstrdup(file);
		*strrchr(dir, '/') = '\0';
		tv.dir = dir;
	}
	diag_init(&d);
	r = tplcmd_run(tc->mode, text, len, file, &tc->opts, &tv, &v, &d);
	if (r != 0) {
		tplcmd_print_diag(&d, r);
		ex = r == ERR_PARSE ? EXIT_PARSE : EXIT_ERROR;
	} else {
		buf_init(&out, 0);
		if (tc->mode == TPLCMD_FILE)
			buf_put(&out, v->u.s.ptr, v->u.s.len);
		else if (tc->mode == TPLCMD_STRING)
			json_encode(&out, v, 0), buf_putc(&out, '\n');
		else
			pyval_repr(NULL, &out, v), buf_putc(&out, '\n');
		fwrite(out.data ? out.data : "", 1, out.len, stdout);
		buf_fini(&out);
		ex = EXIT_OK;
	}
	diag_fini(&d);
out:
	value_unref(v);
	value_unref(vars);
	inventory_free(inv);
	free(text);
	free(dir);
	return ex;
}

/* ---- --batch ---- */

static void tplcmd_case_opts(const struct value *o, struct tpl_opts *opts)
{
	tpl_opts_file(opts);
	if (o == NULL || o->type != VALUE_MAP)
		return;
	opts->trim_blocks = value_get_bool(o, "trim_blocks", 1);
	opts->lstrip_blocks = value_get_bool(o, "lstrip_blocks", 0);
	opts->keep_trailing_newline = value_get_bool(o, "keep_trailing_newline", 0);
	opts->newline_sequence = value_get_str(o, "newline_sequence", NULL);
}

static void tplcmd_case(const struct value *c, struct buf *out)
{
	static const char *const modes[] = {"render", "value", "expr", "cond"};
	const struct value *t = value_map_get(c, "t"), *id = value_map_get(c, "id");
	const char *mode = value_get_str(c, "mode", "render");
	struct value *vars = value_map_get(c, "vars"), *v = NULL, *res = value_map();
	struct tpl_opts opts;
	struct tplvars tv;
	struct diag d;
	struct buf tmp;
	int m, r;

	for (m = 0; m < 4 && strcmp(mode, modes[m]) != 0; m++)
		;
	tplcmd_case_opts(value_map_get(c, "opts"), &opts);
	value_map_set(res, "id", id ? value_ref((struct value *)id) : value_null());
	vars = vars != NULL && vars->type == VALUE_MAP ? value_ref(vars) : value_map();
	tplvars_init(&tv, vars, NULL);
	diag_init(&d);
	if (m == 4 || t == NULL || t->type != VALUE_STR)
		r = ERR_INVAL, diag_set(&d, NULL, 0, 0, "bad case");
	else
		r = tplcmd_run((enum tplcmd_mode)m, t->u.s.ptr, t->u.s.len, "case", &opts, &tv, &v, &d);
	if (r != 0) {
		value_map_set(res, "kind", value_str(r == ERR_PARSE ? "syntax" : r == ERR_NOTFOUND ? "undefined" : "error"));
		value_map_set(res, "err", value_str(d.msg ? d.msg : err_str(r)));
	} else if (m == 0) {
		value_map_set(res, "ok", value_ref(v));
	} else {
		buf_init(&tmp, 0);
		pyval_repr(NULL, &tmp, v);
		value_map_set(res, "type", value_str(pyval_type(v)));
		value_map_set(res, "repr", value_strn(tmp.data ? tmp.data : "", tmp.len));
		buf_fini(&tmp);
	}
	json_encode(out, res, 0);
	buf_putc(out, '\n');
	diag_fini(&d);
	value_unref(v);
	value_unref(vars);
	value_unref(res);
}

static int tplcmd_batch(const char *path)
{
	struct value *c;
	struct diag d;
	struct buf out;
	char *text, *line, *nl, *end;
	size_t len;

	if (tplcmd_read(path, &text, &len) != 0)
		return EXIT_ERROR;
	buf_init(&out, (size_t)1 << 30);
	for (line = text, end = text + len; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		if (nl == line)
			continue;
		diag_init(&d);
		if (json_decode(line, (size_t)(nl - line), path, &c, &d) != 0) {
			char *msg = diag_format(&d);

			log_error("%s", msg);
			free(msg);
			diag_fini(&d);
			continue;
		}
		diag_fini(&d);
		tplcmd_case(c, &out);
		value_unref(c);
	}
	fwrite(out.data ? out.data : "", 1, out.len, stdout);
	buf_fini(&out);
	free(text);
	return EXIT_OK;
}

int cmd_template(int argc, char **argv)
{
	enum { OPT_STRING = 256, OPT_EXPR, OPT_COND, OPT_LSTRIP, OPT_NOTRIM, OPT_KEEPNL, OPT_NLSEQ, OPT_BATCH };
	static const struct option longopts[] = {
		{"inventory", required_argument, NULL, 'i'},
		{"host", required_argument, NULL, 'H'},
		{"extra-vars", required_argument, NULL, 'e'},
		{"string", required_argument, NULL, OPT_STRING},
		{"expr", required_argument, NULL, OPT_EXPR},
		{"cond", required_argument, NULL, OPT_COND},
		{"lstrip-blocks", no_argument, NULL, OPT_LSTRIP},
		{"no-trim-blocks", no_argument, NULL, OPT_NOTRIM},
		{"keep-trailing-newline", no_argument, NULL, OPT_KEEPNL},
		{"newline-sequence", required_argument, NULL, OPT_NLSEQ},
		{"batch", required_argument, NULL, OPT_BATCH},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct tplcmd tc;
	int c, ex = EXIT_OPTIONS;

	memset(&tc, 0, sizeof(tc));
	cli_opts_init(&tc.co);
	tpl_opts_file(&tc.opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "i:H:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': case 'e': case 'v':
			if (cli_opts_common(&tc.co, c, optarg) != 0)
				goto out;
			break;
		case 'H': tc.host = optarg; break;
		case OPT_STRING: tc.mode = TPLCMD_STRING; tc.text = optarg; break;
		case OPT_EXPR: tc.mode = TPLCMD_EXPR; tc.text = optarg; break;
		case OPT_COND: tc.mode = TPLCMD_COND; tc.text = optarg; break;
		case OPT_LSTRIP: tc.opts.lstrip_blocks = 1; break;
		case OPT_NOTRIM: tc.opts.trim_blocks = 0; break;
		case OPT_KEEPNL: tc.opts.keep_trailing_newline = 1; break;
		case OPT_NLSEQ:
			tc.opts.newline_sequence = strcmp(optarg, "\\r\\n") == 0 ? "\r\n" : strcmp(optarg, "\\r") == 0 ? "\r"
			                         : strcmp(optarg, "\\n") == 0 ? "\n" : optarg;
			break;
		case OPT_BATCH: tc.batch = optarg; break;
		case 'h': tplcmd_usage(stdout); ex = EXIT_OK; goto out;
		default: tplcmd_usage(stderr); goto out;
		}
	}
	if (tc.batch != NULL) {
		ex = tplcmd_batch(tc.batch);
	} else if (tc.mode == TPLCMD_FILE && optind != argc - 1) {
		tplcmd_usage(stderr);
	} else if (tc.mode != TPLCMD_FILE && optind != argc) {
		tplcmd_usage(stderr);
	} else {
		ex = tplcmd_single(&tc, tc.mode == TPLCMD_FILE ? argv[optind] : NULL);
	}
out:
	cli_opts_fini(&tc.co);
	return ex;
}
