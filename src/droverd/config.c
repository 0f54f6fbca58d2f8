/* Reading supervisord.conf: finding the file, merging [include]d files as
 * supervisord's parser does (later files win, %(here)s per file), then the
 * [supervisord], server and [supervisorctl] sections. Programs and groups
 * are read by progconf.c. */
#include "droverd/config.h"

#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <limits.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/ini.h"
#include "droverd/config_priv.h"
#include "droverd/conv.h"

extern char **environ;

#define CONFIG_MAX_INCLUDES 4096

static const char *const config_keys_supervisord[] = {
	"logfile", "logfile_maxbytes", "logfile_backups", "loglevel", "pidfile", "umask", "nodaemon",
	"silent", "minfds", "minprocs", "nocleanup", "childlogdir", "user", "directory", "strip_ansi",
	"environment", "identifier", "drover_exact_env", NULL,
};
static const char *const config_keys_unix[] = {"file", "chmod", "chown", "username", "password", NULL};
static const char *const config_keys_inet[] = {"port", "username", "password", NULL};
static const char *const config_keys_ctl[] = {"serverurl", "username", "password", "prompt", "history_file", NULL};
static const char *const config_keys_include[] = {"files", NULL};

char *config_find(const char *argv0dir, char **triedp)
{
	const char *fixed[] = {"supervisord.conf", "etc/supervisord.conf", "/etc/supervisord.conf",
	                       "/etc/supervisor/supervisord.conf"};
	char *paths[6], *found = NULL;
	struct buf tried;
	struct stat st;
	size_t i;

	/* os.path.join("", "etc", ...) drops the empty directory. */
	paths[0] = *argv0dir ? xasprintf("%s/etc/supervisord.conf", argv0dir) : xstrdup("etc/supervisord.conf");
	paths[1] = *argv0dir ? xasprintf("%s/supervisord.conf", argv0dir) : xstrdup("supervisord.conf");
	for (i = 0; i < 4; i++)
		paths[i + 2] = xstrdup(fixed[i]);
	buf_init(&tried, 0);
	for (i = 0; i < 6; i++) {
		if (i > 0)
			buf_puts(&tried, ", ");
		buf_puts(&tried, paths[i]);
		if (found == NULL && stat(paths[i], &st) == 0)
			found = xstrdup(paths[i]);
	}
	for (i = 0; i < 6; i++)
		free(paths[i]);
	if (triedp != NULL)
		*triedp = buf_take(&tried, NULL);
	buf_fini(&tried);
	return found;
}

void config_warn(struct dconf *c, char *msg)
{
	c->warnings = xreallocarray(c->warnings, c->nwarnings + 1, sizeof(*c->warnings));
	c->warnings[c->nwarnings++] = msg;
}

void config_info(struct dconf *c, char *msg)
{
	c->infos = xreallocarray(c->infos, c->ninfos + 1, sizeof(*c->infos));
	c->infos[c->ninfos++] = msg;
}

const struct value *config_raw(const struct config_ctx *x, const char *section, const char *key)
{
	return ini_get(x->doc, section, key, NULL);
}

int config_fail(struct config_ctx *x, const char *section, const char *key, char *msg)
{
	const struct value *v = key != NULL ? config_raw(x, section, key) : NULL;
	const struct value *s = value_map_get(x->doc, section);
	const struct value_pos *pos = v != NULL ? &v->pos : s != NULL ? &s->pos : NULL;

	if (key != NULL)
		diag_set(x->d, pos ? pos->file : x->c->configfile, pos ? (int)pos->line : 0, 0, "[%s] %s: %s",
		         section, key, msg);
	else
		diag_set(x->d, pos ? pos->file : x->c->configfile, pos ? (int)pos->line : 0, 0, "[%s] %s", section,
		         msg);
	free(msg);
	return ERR_PARSE;
}

int config_get(struct config_ctx *x, const char *section, const char *key, const char *def,
               const struct expand_vars *vars, char **outp)
{
	const struct value *v = config_raw(x, section, key);
	const char *raw = v != NULL ? value_cstr(v) : def;
	char *what, *err = NULL;
	int r;

	*outp = NULL;
	if (raw == NULL)
		return 0;
	if (vars == NULL) {
		*outp = xstrdup(raw);
		return 0;
	}
	what = xasprintf("%s.%s", section, key);
	r = expand(raw, vars, what, outp, &err);
	free(what);
	if (r != 0)
		return config_fail(x, section, key, err);
	return 0;
}

void config_vars(const struct config_ctx *x, struct expand_vars *out, ...)
{
	const char *name, *val;
	va_list ap;

	expand_vars_init(out);
	expand_vars_update(out, &x->env);
	va_start(ap, out);
	while ((name = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		expand_vars_set_str(out, name, val);
	}
	va_end(ap);
}

void config_check_keys(struct config_ctx *x, const char *section, const char *const *known)
{
	const struct value *sect = value_map_get(x->doc, section), *k;
	const char *best;
	size_t i, j, dist, bestd;

	if (sect == NULL)
		return;
	for (i = 0; i < value_len(sect); i++) {
		k = value_map_key_at(sect, i);
		best = NULL;
		bestd = 3;
		for (j = 0; known[j] != NULL; j++) {
			if (strcmp(known[j], value_cstr(k)) == 0)
				break;
			dist = conv_distance(value_cstr(k), known[j], 2);
			if (dist < bestd) {
				bestd = dist;
				best = known[j];
			}
		}
		if (known[j] != NULL)
			continue;
		if (best != NULL)
			config_warn(x->c, xasprintf("%s:%u: unknown option '%s' in [%s] (ignored); did you mean '%s'?",
			                            k->pos.file ? k->pos.file : "?", (unsigned)k->pos.line,
			                            value_cstr(k), section, best));
		else
			config_warn(x->c, xasprintf("%s:%u: unknown option '%s' in [%s] (ignored)",
			                            k->pos.file ? k->pos.file : "?", (unsigned)k->pos.line,
			                            value_cstr(k), section));
	}
}

/* supervisord's expand_here(): the literal text "%(here)s" in every value
 * read so far becomes dir, so each file's values name their own directory. */
static void config_expand_here(struct config_ctx *x, const char *dir)
{
	struct value *sect, *v;
	const char *s, *hit;
	struct buf b;
	size_t i, j;

	for (i = 0; i < value_len(x->doc); i++) {
		sect = value_map_val_at(x->doc, i);
		for (j = 0; j < value_len(sect); j++) {
			v = value_map_val_at(sect, j);
			s = value_cstr(v);
			if (strstr(s, "%(here)s") == NULL)
				continue;
			buf_init(&b, 0);
			while ((hit = strstr(s, "%(here)s")) != NULL) {
				buf_put(&b, s, (size_t)(hit - s));
				buf_puts(&b, dir);
				s = hit + strlen("%(here)s");
			}
			buf_puts(&b, s);
			value_map_set_key(sect, value_ref((struct value *)value_map_key_at(sect, j)),
			                  value_pos_from(value_str(buf_str(&b)), v));
			buf_fini(&b);
		}
	}
}

/* configparser's read() into an existing parser: sections merge, later
 * keys replace earlier ones. */
static void config_merge(struct config_ctx *x, struct value *doc)
{
	struct value *dst, *src;
	const struct value *name;
	size_t i, j;

	for (i = 0; i < value_len(doc); i++) {
		name = value_map_key_at(doc, i);
		src = value_map_val_at(doc, i);
		dst = value_map_get(x->doc, value_cstr(name));
		if (dst == NULL) {
			value_map_set_key(x->doc, value_ref((struct value *)name), value_ref(src));
			continue;
		}
		for (j = 0; j < value_len(src); j++)
			value_map_set_key(dst, value_ref((struct value *)value_map_key_at(src, j)),
			                  value_ref(value_map_val_at(src, j)));
	}
}

static char *config_dirname_abs(const char *path)
{
	char *abs = conv_normalize_path(path), *slash = strrchr(abs, '/');

	if (slash == abs)
		abs[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	return abs;
}

static int config_strcmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int config_includes(struct config_ctx *x, const char *mainfile)
{
	const struct value *files;
	struct expand_vars vars;
	char *expanded = NULL, *err = NULL, *pattern, *base = NULL, *dir;
	const char *p, *q;
	struct value *doc;
	glob_t g;
	size_t i, nread = 0;
	int r = ERR_INTERNAL, gr;

	expand_vars_init(&vars);
	if (value_map_get(x->doc, "include") == NULL)
		return 0;
	config_expand_here(x, x->here);
	if ((files = config_raw(x, "include", "files")) == NULL) {
		diag_set(x->d, mainfile, (int)value_map_get(x->doc, "include")->pos.line, 0,
		         ".ini file has [include] section, but no files setting");
		r = ERR_PARSE;
		goto out;
	}
	config_vars(x, &vars, "here", x->here, "host_node_name", x->host, (const char *)NULL);
	if (expand(value_cstr(files), &vars, "include.files", &expanded, &err) != 0) {
		r = config_fail(x, "include", "files", err);
		goto out;
	}
	config_check_keys(x, "include", config_keys_include);
	base = config_dirname_abs(mainfile);
	for (p = expanded; *p; p = q) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q && !(*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r' || *q == '\f' || *q == '\v');
		     q++)
			;
		pattern = *p == '/' ? xstrndup(p, (size_t)(q - p))
		                    : xasprintf("%s/%.*s", base, (int)(q - p), p);
		memset(&g, 0, sizeof(g));
		gr = glob(pattern, 0, NULL, &g);
		if (gr != 0 || g.gl_pathc == 0) {
			config_warn(x->c, xasprintf("No file matches via include \"%s\"", pattern));
			globfree(&g);
			free(pattern);
			continue;
		}
		qsort(g.gl_pathv, g.gl_pathc, sizeof(*g.gl_pathv), config_strcmp);
		for (i = 0; i < g.gl_pathc; i++) {
			if (++nread > CONFIG_MAX_INCLUDES) {
				diag_set(x->d, pattern, 0, 0, "more than %d included files", CONFIG_MAX_INCLUDES);
				globfree(&g);
				free(pattern);
				r = ERR_TOOBIG;
				goto out;
			}
			config_info(x->c, xasprintf("Included extra file \"%s\" during parsing", g.gl_pathv[i]));
			r = ini_load_file(g.gl_pathv[i], &ini_opts_supervisord, &doc, x->d);
			if (r < 0 && r > ERR_BASE) {
				/* configparser's read() skips files it cannot open. */
				if (x->d != NULL)
					diag_fini(x->d);
				config_warn(x->c, xasprintf("could not read included file \"%s\": %s", g.gl_pathv[i],
				                            err_str(r)));
				continue;
			}
			if (r != 0) {
				globfree(&g);
				free(pattern);
				goto out;
			}
			config_merge(x, doc);
			value_unref(doc);
			dir = config_dirname_abs(g.gl_pathv[i]);
			config_expand_here(x, dir);
			free(dir);
		}
		globfree(&g);
		free(pattern);
	}
	r = 0;
out:
	expand_vars_fini(&vars);
	free(expanded);
	free(base);
	return r;
}

/* tempfile.gettempdir(): the first usable of $TMPDIR, $TEMP, $TMP, /tmp,
 * /var/tmp, /usr/tmp and the current directory. */
static char *config_tempdir(void)
{
	const char *cands[] = {getenv("TMPDIR"), getenv("TEMP"), getenv("TMP"), "/tmp", "/var/tmp", "/usr/tmp", "."};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		if (cands[i] == NULL || *cands[i] == '\0')
			continue;
		if (stat(cands[i], &st) == 0 && S_ISDIR(st.st_mode) && access(cands[i], W_OK | X_OK) == 0)
			return conv_normalize_path(cands[i]);
	}
	return xstrdup("/tmp");
}

/* Fetches and converts one [supervisord] option. */
#define SUP_GET(key, def)                                                                  \
	do {                                                                               \
		free(v);                                                                   \
		if ((r = config_get(x, "supervisord", (key), (def), &vars, &v)) != 0)      \
			goto out;                                                          \
	} while (0)
#define SUP_CONV(key, call)                                                                \
	do {                                                                               \
		if ((call) != 0) {                                                         \
			r = config_fail(x, "supervisord", (key), err);                     \
			err = NULL;                                                        \
			goto out;                                                          \
		}                                                                          \
	} while (0)

static int config_supervisord(struct config_ctx *x)
{
	struct dconf *c = x->c;
	struct expand_vars vars, envvars;
	char *v = NULL, *err = NULL, *env2 = NULL, *tmp = NULL;
	struct kvlist env;
	size_t i;
	int r = ERR_INTERNAL;

	kvlist_init(&env);
	config_vars(x, &vars, "here", x->here, (const char *)NULL);
	config_vars(x, &envvars, "here", x->here, "host_node_name", x->host, (const char *)NULL);
	config_check_keys(x, "supervisord", config_keys_supervisord);
	SUP_GET("minfds", "1024");
	SUP_CONV("minfds", conv_int(v, &c->minfds, &err));
	SUP_GET("minprocs", "200");
	SUP_CONV("minprocs", conv_int(v, &c->minprocs, &err));
	SUP_GET("directory", NULL);
	if (v != NULL)
		SUP_CONV("directory", conv_existing_directory(v, &c->directory, &err));
	SUP_GET("user", NULL);
	c->user = v;
	v = NULL;
	SUP_GET("umask", "022");
	SUP_CONV("umask", conv_octal(v, &c->umask, &err));
	SUP_GET("logfile", "supervisord.log");
	SUP_CONV("logfile", conv_existing_dirpath(v, &c->logfile, &err));
	SUP_GET("logfile_maxbytes", "50MB");
	SUP_CONV("logfile_maxbytes", conv_byte_size(v, &c->logfile_maxbytes, &err));
	SUP_GET("logfile_backups", "10");
	SUP_CONV("logfile_backups", conv_int(v, &c->logfile_backups, &err));
	SUP_GET("loglevel", "info");
	SUP_CONV("loglevel", conv_loglevel(v, &c->loglevel, &err));
	SUP_GET("pidfile", "supervisord.pid");
	SUP_CONV("pidfile", conv_existing_dirpath(v, &c->pidfile, &err));
	SUP_GET("identifier", "supervisor");
	c->identifier = v;
	v = NULL;
	SUP_GET("nodaemon", "false");
	SUP_CONV("nodaemon", conv_bool(v, &c->nodaemon, &err));
	SUP_GET("silent", "false");
	SUP_CONV("silent", conv_bool(v, &c->silent, &err));
	tmp = config_tempdir();
	SUP_GET("childlogdir", tmp);
	SUP_CONV("childlogdir", conv_existing_directory(v, &c->childlogdir, &err));
	SUP_GET("nocleanup", "false");
	SUP_CONV("nocleanup", conv_bool(v, &c->nocleanup, &err));
	SUP_GET("strip_ansi", "false");
	SUP_CONV("strip_ansi", conv_bool(v, &c->strip_ansi, &err));
	SUP_GET("drover_exact_env", "false");
	SUP_CONV("drover_exact_env", conv_bool(v, &c->exact_env, &err));
	/* supervisord expands environment= twice: once as every option, once
	 * more on its own. */
	SUP_GET("environment", "");
	if (expand(v, &envvars, "environment", &env2, &err) != 0) {
		r = config_fail(x, "supervisord", "environment", err);
		err = NULL;
		goto out;
	}
	SUP_CONV("environment", kvpairs_parse(env2, &env, &err));
	kvlist_update(&c->environment, &env);
	for (i = 0; i < env.n; i++) {
		free(tmp);
		tmp = xasprintf("ENV_%s", env.keys[i]);
		expand_vars_set_str(&x->env, tmp, env.vals[i]);
	}
	r = 0;
out:
	free(v);
	free(err);
	free(env2);
	free(tmp);
	kvlist_fini(&env);
	expand_vars_fini(&vars);
	expand_vars_fini(&envvars);
	return r;
}

static int config_auth(struct config_ctx *x, const char *section, struct srvconf *s)
{
	int r;

	if ((r = config_get(x, section, "username", NULL, &x->env, &s->username)) != 0 ||
	    (r = config_get(x, section, "password", NULL, &x->env, &s->password)) != 0)
		return r;
	if ((s->username == NULL) != (s->password == NULL))
		return config_fail(x, section, NULL,
		                   xasprintf("Section [%s] contains incomplete authentication: If a username or a "
		                             "password is specified, both the username and password must be "
		                             "specified",
		                             section));
	return 0;
}

static int config_server(struct config_ctx *x, const char *section, enum srv_family fam)
{
	struct dconf *c = x->c;
	struct srvconf *s;
	struct expand_vars here;
	char *v = NULL, *err = NULL, *colon, *t;
	int r = ERR_INTERNAL;

	c->servers = xreallocarray(c->servers, c->nservers + 1, sizeof(*c->servers));
	s = &c->servers[c->nservers++];
	memset(s, 0, sizeof(*s));
	s->family = fam;
	s->section = xstrdup(section);
	s->chown_uid = (uid_t)-1;
	s->chown_gid = (gid_t)-1;
	s->chmod = 0700;
	config_vars(x, &here, "here", x->here, (const char *)NULL);
	if (fam == SRV_INET) {
		config_check_keys(x, section, config_keys_inet);
		if ((r = config_auth(x, section, s)) != 0)
			goto out;
		if ((r = config_get(x, section, "port", NULL, &x->env, &v)) != 0)
			goto out;
		if (v == NULL) {
			r = config_fail(x, section, NULL, xasprintf("section [%s] has no port value", section));
			goto out;
		}
		if (conv_inet_address(v, &s->host, &s->port, &err) != 0) {
			r = config_fail(x, section, "port", err);
			goto out;
		}
		r = 0;
		goto out;
	}
	config_check_keys(x, section, config_keys_unix);
	if ((r = config_get(x, section, "file", NULL, &here, &v)) != 0)
		goto out;
	if (v == NULL) {
		r = config_fail(x, section, NULL, xasprintf("section [%s] has no file value", section));
		goto out;
	}
	t = v + strlen(v);
	while (t > v && (t[-1] == ' ' || t[-1] == '\t'))
		*--t = '\0';
	for (t = v; *t == ' ' || *t == '\t'; t++)
		;
	s->file = conv_normalize_path(t);
	if ((r = config_auth(x, section, s)) != 0)
		goto out;
	free(v);
	if ((r = config_get(x, section, "chown", NULL, &x->env, &v)) != 0)
		goto out;
	if (v != NULL) {
		colon = strchr(v, ':');
		if (colon != NULL)
			*colon = '\0';
		if (conv_uid(v, &s->chown_uid, &err) != 0 ||
		    (colon != NULL && conv_gid(colon + 1, &s->chown_gid, &err) != 0)) {
			free(err);
			if (colon != NULL)
				*colon = ':';
			r = config_fail(x, section, "chown", xasprintf("Invalid sockchown value %s", v));
			goto out;
		}
	}
	free(v);
	if ((r = config_get(x, section, "chmod", NULL, &x->env, &v)) != 0)
		goto out;
	if (v != NULL && conv_octal(v, &s->chmod, &err) != 0) {
		free(err);
		err = NULL;
		r = config_fail(x, section, "chmod", xasprintf("Invalid chmod value %s", v));
		goto out;
	}
	r = 0;
out:
	free(v);
	free(err);
	expand_vars_fini(&here);
	return r;
}

static int config_servers(struct config_ctx *x)
{
	const char *name;
	size_t i;
	int pass, r;

	/* All inet servers first, then the unix ones, as supervisord lists
	 * them; any section starting with the name counts. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < value_len(x->doc); i++) {
			name = value_cstr(value_map_key_at(x->doc, i));
			if (strncmp(name, pass == 0 ? "inet_http_server" : "unix_http_server", 16) != 0)
				continue;
			if ((r = config_server(x, name, pass == 0 ? SRV_INET : SRV_UNIX)) != 0)
				return r;
		}
	}
	for (i = 0; i < x->c->nservers && x->c->serverurl == NULL; i++)
		if (x->c->servers[i].family == SRV_UNIX)
			x->c->serverurl = xasprintf("unix://%s", x->c->servers[i].file);
	for (i = 0; i < x->c->nservers && x->c->serverurl == NULL; i++)
		if (x->c->servers[i].family == SRV_INET)
			x->c->serverurl = xasprintf("http://%s:%d", *x->c->servers[i].host ? x->c->servers[i].host : "localhost",
			                            x->c->servers[i].port);
	return 0;
}

/* [supervisorctl] is read leniently: supervisord ignores it, and droverctl
 * reports its own errors. A value that does not expand is kept as written. */
static void config_ctl(struct config_ctx *x)
{
	struct ctlconf *ctl = &x->c->ctl;
	struct expand_vars here;
	struct diag *saved = x->d, quiet;
	char *v, *p;

	if (value_map_get(x->doc, "supervisorctl") == NULL)
		return;
	diag_init(&quiet);
	x->d = &quiet;
	ctl->present = 1;
	config_check_keys(x, "supervisorctl", config_keys_ctl);
	config_vars(x, &here, "here", x->here, (const char *)NULL);
	if (config_get(x, "supervisorctl", "serverurl", "http://localhost:9001", &here, &v) != 0) {
		diag_fini(&quiet);
		config_get(x, "supervisorctl", "serverurl", "http://localhost:9001", NULL, &v);
	}
	if (strncmp(v, "unix://", 7) == 0) {
		p = conv_normalize_path(v + 7);
		free(v);
		v = xasprintf("unix://%s", p);
		free(p);
	}
	ctl->serverurl = v;
	config_get(x, "supervisorctl", "prompt", "supervisor", NULL, &ctl->prompt);
	config_get(x, "supervisorctl", "username", NULL, NULL, &ctl->username);
	config_get(x, "supervisorctl", "password", NULL, NULL, &ctl->password);
	if (config_get(x, "supervisorctl", "history_file", NULL, &here, &v) != 0) {
		diag_fini(&quiet);
		config_get(x, "supervisorctl", "history_file", NULL, NULL, &v);
	}
	if (v != NULL && *v != '\0') {
		ctl->history_file = conv_normalize_path(v);
		free(v);
	} else {
		free(v);
	}
	expand_vars_fini(&here);
	diag_fini(&quiet);
	x->d = saved;
}

static int config_plugins(struct config_ctx *x)
{
	static const char *const known[] = {"supervisord",      "supervisorctl", "include", "DEFAULT",
	                                    "unix_http_server", "inet_http_server", NULL};
	const struct value *sect, *key;
	const char *name, *factory;
	struct rawsect *rs;
	size_t i, j;

	for (i = 0; i < value_len(x->doc); i++) {
		name = value_cstr(value_map_key_at(x->doc, i));
		sect = value_map_val_at(x->doc, i);
		factory = strncmp(name, "rpcinterface:", 13) == 0 ? "supervisor.rpcinterface_factory"
		          : strncmp(name, "ctlplugin:", 10) == 0  ? "supervisor.ctl_factory"
		                                                  : NULL;
		if (factory == NULL) {
			for (j = 0; known[j] != NULL; j++)
				if (strncmp(name, known[j], strlen(known[j])) == 0 &&
				    (strcmp(known[j], "unix_http_server") == 0 || strcmp(known[j], "inet_http_server") == 0 ||
				     strcmp(name, known[j]) == 0))
					break;
			if (known[j] == NULL && strncmp(name, "program:", 8) != 0 && strncmp(name, "group:", 6) != 0 &&
			    strncmp(name, "eventlistener:", 14) != 0 && strncmp(name, "fcgi-program:", 13) != 0)
				config_warn(x->c, xasprintf("%s:%u: unknown section [%s] (ignored)",
				                            sect->pos.file ? sect->pos.file : "?", (unsigned)sect->pos.line,
				                            name));
			continue;
		}
		if (config_raw(x, name, factory) == NULL)
			return config_fail(x, name, NULL, xasprintf("section [%s] does not specify a %s", name, factory));
		x->c->raw = xreallocarray(x->c->raw, x->c->nraw + 1, sizeof(*x->c->raw));
		rs = &x->c->raw[x->c->nraw++];
		rs->name = xstrdup(name);
		kvlist_init(&rs->keys);
		for (j = 0; j < value_len(sect); j++) {
			key = value_map_key_at(sect, j);
			kvlist_set(&rs->keys, value_cstr(key), value_cstr(value_map_val_at(sect, j)));
		}
	}
	return 0;
}

/* Applies command-line settings, already checked by the caller. */
static int config_apply_cli(struct config_ctx *x, const struct config_cli *cli)
{
	static const struct config_cli none;
	struct dconf *c = x->c;
	char *err = NULL, *s;
	int r = 0;

	if (cli == NULL)
		cli = &none;
	if (cli->nodaemon)
		c->nodaemon = 1;
	if (cli->silent)
		c->silent = 1;
	if (cli->nocleanup)
		c->nocleanup = 1;
	if (cli->strip_ansi)
		c->strip_ansi = 1;
	if (cli->user != NULL) {
		free(c->user);
		c->user = xstrdup(cli->user);
	}
	if (cli->umask != NULL)
		r |= conv_octal(cli->umask, &c->umask, &err);
	if (cli->directory != NULL) {
		free(c->directory);
		r |= conv_existing_directory(cli->directory, &c->directory, &err);
	}
	if (cli->logfile != NULL) {
		free(c->logfile);
		r |= conv_existing_dirpath(cli->logfile, &c->logfile, &err);
	}
	if (cli->logfile_maxbytes != NULL)
		r |= conv_byte_size(cli->logfile_maxbytes, &c->logfile_maxbytes, &err);
	if (cli->logfile_backups != NULL)
		r |= conv_int(cli->logfile_backups, &c->logfile_backups, &err);
	if (cli->loglevel != NULL)
		r |= conv_loglevel(cli->loglevel, &c->loglevel, &err);
	if (cli->pidfile != NULL) {
		free(c->pidfile);
		r |= conv_existing_dirpath(cli->pidfile, &c->pidfile, &err);
	}
	if (cli->identifier != NULL) {
		free(c->identifier);
		c->identifier = xstrdup(cli->identifier);
	}
	if (cli->childlogdir != NULL) {
		free(c->childlogdir);
		r |= conv_existing_directory(cli->childlogdir, &c->childlogdir, &err);
	}
	if (cli->minfds != NULL)
		r |= conv_int(cli->minfds, &c->minfds, &err);
	if (cli->minprocs != NULL)
		r |= conv_int(cli->minprocs, &c->minprocs, &err);
	if (r != 0) {
		diag_set(x->d, NULL, 0, 0, "%s", err ? err : "invalid command-line value");
		free(err);
		return ERR_PARSE;
	}
	/* supervisord makes these two absolute against the current directory. */
	if (strcmp(c->logfile, "syslog") != 0) {
		s = conv_normalize_path(c->logfile);
		free(c->logfile);
		c->logfile = s;
	}
	s = conv_normalize_path(c->pidfile);
	free(c->pidfile);
	c->pidfile = s;
	return 0;
}

int config_load(const char *path, const struct config_cli *cli, struct dconf **confp, struct diag *d)
{
	struct config_ctx x;
	struct utsname un;
	struct stat st;
	char **e, *eq, *name;
	size_t i;
	int r = ERR_INTERNAL;

	*confp = NULL;
	memset(&x, 0, sizeof(x));
	x.d = d;
	x.c = xcalloc(1, sizeof(*x.c));
	x.c->configfile = xstrdup(path);
	expand_vars_init(&x.env);
	for (e = environ; *e != NULL; e++) {
		if ((eq = strchr(*e, '=')) == NULL)
			continue;
		name = xasprintf("ENV_%.*s", (int)(eq - *e), *e);
		expand_vars_set_str(&x.env, name, eq + 1);
		free(name);
	}
	x.host = xstrdup(uname(&un) == 0 ? un.nodename : "");
	x.here = config_dirname_abs(path);
	x.c->here = xstrdup(x.here);
	if (stat(path, &st) != 0) {
		diag_set(d, NULL, 0, 0, "could not find config file %s", path);
		r = ERR_PARSE;
		goto out;
	}
	if ((r = ini_load_file(path, &ini_opts_supervisord, &x.doc, d)) != 0) {
		if (r < 0 && r > ERR_BASE) {
			if (d != NULL)
				diag_fini(d);
			diag_set(d, NULL, 0, 0, "could not read config file %s", path);
		}
		goto out;
	}
	if ((r = config_includes(&x, path)) != 0)
		goto out;
	if (value_map_get(x.doc, "supervisord") == NULL) {
		diag_set(d, path, 0, 0, ".ini file does not include supervisord section");
		r = ERR_PARSE;
		goto out;
	}
	if ((r = config_supervisord(&x)) != 0 || (r = config_plugins(&x)) != 0 ||
	    (r = progconf_load_groups(&x)) != 0 || (r = config_servers(&x)) != 0)
		goto out;
	config_ctl(&x);
	if ((r = config_apply_cli(&x, cli)) != 0)
		goto out;
	if (x.c->user != NULL) {
		char *err = NULL;

		if (conv_uid(x.c->user, &x.c->uid, &err) != 0) {
			diag_set(d, NULL, 0, 0, "%s", err);
			free(err);
			r = ERR_PARSE;
			goto out;
		}
		x.c->has_uid = 1;
	}
	for (i = 0; i < x.c->ngroups; i++) {
		struct gconf *g = x.c->groups[i];
		size_t j;

		for (j = 0; j < g->nprocs; j++) {
			struct kvlist env;

			kvlist_init(&env);
			kvlist_update(&env, &x.c->environment);
			kvlist_update(&env, &g->procs[j]->env);
			kvlist_fini(&g->procs[j]->env);
			g->procs[j]->env = env;
		}
	}
	*confp = x.c;
	x.c = NULL;
	r = 0;
out:
	config_free(x.c);
	value_unref(x.doc);
	expand_vars_fini(&x.env);
	free(x.here);
	free(x.host);
	return r;
}

struct gconf *gconf_ref(struct gconf *g)
{
	g->refs++;
	return g;
}

void gconf_unref(struct gconf *g)
{
	size_t i;

	if (g == NULL || --g->refs > 0)
		return;
	for (i = 0; i < g->nprocs; i++)
		pconf_free(g->procs[i]);
	free(g->procs);
	free(g->name);
	free(g);
}

struct gconf *config_group(const struct dconf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->ngroups; i++)
		if (strcmp(c->groups[i]->name, name) == 0)
			return c->groups[i];
	return NULL;
}

void config_free(struct dconf *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ngroups; i++)
		gconf_unref(c->groups[i]);
	free(c->groups);
	for (i = 0; i < c->nservers; i++) {
		free(c->servers[i].section);
		free(c->servers[i].file);
		free(c->servers[i].host);
		free(c->servers[i].username);
		free(c->servers[i].password);
	}
	free(c->servers);
	for (i = 0; i < c->nraw; i++) {
		free(c->raw[i].name);
		kvlist_fini(&c->raw[i].keys);
	}
	free(c->raw);
	for (i = 0; i < c->ncriticals; i++)
		free(c->criticals[i]);
	free(c->criticals);
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	free(c->warnings);
	for (i = 0; i < c->ninfos; i++)
		free(c->infos[i]);
	free(c->infos);
	free(c->ctl.serverurl);
	free(c->ctl.username);
	free(c->ctl.password);
	free(c->ctl.prompt);
	free(c->ctl.history_file);
	kvlist_fini(&c->environment);
	free(c->configfile);
	free(c->here);
	free(c->logfile);
	free(c->pidfile);
	free(c->childlogdir);
	free(c->user);
	free(c->directory);
	free(c->identifier);
	free(c->serverurl);
	free(c);
}

/* supervisord's (and supervisorctl's) sys.argv[0] is always a path. */
char *config_argv0dir(const char *argv0)
{
	char exe[PATH_MAX], *p, *slash;
	ssize_t n;
	int i;

	if (strchr(argv0, '/') != NULL) {
		p = xstrdup(argv0);
	} else {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return xstrdup("");
		exe[n] = '\0';
		p = xstrdup(exe);
	}
	for (i = 0; i < 2; i++) {
		slash = strrchr(p, '/');
		if (slash == NULL) {
			p[0] = '\0';
			break;
		}
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	return p;
}
