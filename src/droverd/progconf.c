/* [program:x] and [group:x]: each program becomes numprocs process
 * configurations, read in the order and with the expansions supervisord
 * 4.2.5 uses (options read before the per-process loop cannot use
 * %(process_num)d; those read inside it can), and grouped. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "droverd/config_priv.h"
#include "droverd/conv.h"

#define PROGCONF_MAX_NUMPROCS 10000

static const char *const progconf_keys[] = {
	"command", "process_name", "numprocs", "numprocs_start", "priority", "autostart", "startsecs",
	"startretries", "autorestart", "exitcodes", "stopsignal", "stopwaitsecs", "stopasgroup",
	"killasgroup", "user", "redirect_stderr", "stdout_logfile", "stdout_logfile_maxbytes",
	"stdout_logfile_backups", "stdout_capture_maxbytes", "stdout_events_enabled", "stdout_syslog",
	"stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups", "stderr_capture_maxbytes",
	"stderr_events_enabled", "stderr_syslog", "environment", "directory", "umask", "serverurl", NULL,
};
static const char *const progconf_group_keys[] = {"programs", "priority", NULL};

void pconf_free(struct pconf *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->program);
	free(p->group);
	free(p->section);
	free(p->command);
	free(p->directory);
	free(p->user);
	free(p->exitcodes);
	free(p->out.path);
	free(p->err.path);
	kvlist_fini(&p->env);
	free(p->serverurl);
	free(p);
}

/* What every process of a program shares: the options supervisord reads
 * before its per-process loop. */
struct progconf_common {
	long long priority, startsecs, startretries, stopwaitsecs, numprocs, numprocs_start;
	long long out_cmax, err_cmax;
	int autostart, autorestart, stopsignal, stopasgroup, killasgroup, redirect_stderr;
	int out_events, err_events, has_uid;
	uid_t uid;
	long umask;
	uint8_t exitset[32];
	int *exitcodes;
	size_t nexitcodes;
	char *environment, *serverurl, *user, *process_name;
};

#define PC_GET(key, def, vars)                                                           \
	do {                                                                             \
		free(v);                                                                 \
		if ((r = config_get(x, section, (key), (def), (vars), &v)) != 0)         \
			goto out;                                                        \
	} while (0)
#define PC_CONV(key, call)                                                               \
	do {                                                                             \
		if ((call) != 0) {                                                       \
			r = config_fail(x, section, (key), err);                         \
			err = NULL;                                                      \
			goto out;                                                        \
		}                                                                        \
	} while (0)

static int progconf_common(struct config_ctx *x, const char *section, const struct expand_vars *vars,
                           struct progconf_common *pc)
{
	char *v = NULL, *err = NULL;
	int r = ERR_INTERNAL;

	PC_GET("priority", "999", vars);
	PC_CONV("priority", conv_int(v, &pc->priority, &err));
	PC_GET("autostart", "true", vars);
	PC_CONV("autostart", conv_bool(v, &pc->autostart, &err));
	PC_GET("autorestart", "unexpected", vars);
	PC_CONV("autorestart", conv_autorestart(v, &pc->autorestart, &err));
	PC_GET("startsecs", "1", vars);
	PC_CONV("startsecs", conv_int(v, &pc->startsecs, &err));
	PC_GET("startretries", "3", vars);
	PC_CONV("startretries", conv_int(v, &pc->startretries, &err));
	PC_GET("stopsignal", "TERM", vars);
	PC_CONV("stopsignal", conv_signal(v, &pc->stopsignal, &err));
	PC_GET("stopwaitsecs", "10", vars);
	PC_CONV("stopwaitsecs", conv_int(v, &pc->stopwaitsecs, &err));
	PC_GET("stopasgroup", "false", vars);
	PC_CONV("stopasgroup", conv_bool(v, &pc->stopasgroup, &err));
	/* killasgroup defaults to whatever stopasgroup is. */
	PC_GET("killasgroup", pc->stopasgroup ? "true" : "false", vars);
	PC_CONV("killasgroup", conv_bool(v, &pc->killasgroup, &err));
	PC_GET("exitcodes", "0", vars);
	PC_CONV("exitcodes", conv_exitcodes(v, pc->exitset, &pc->exitcodes, &pc->nexitcodes, &err));
	PC_GET("redirect_stderr", "false", vars);
	PC_CONV("redirect_stderr", conv_bool(v, &pc->redirect_stderr, &err));
	PC_GET("numprocs", "1", vars);
	PC_CONV("numprocs", conv_int(v, &pc->numprocs, &err));
	PC_GET("numprocs_start", "0", vars);
	PC_CONV("numprocs_start", conv_int(v, &pc->numprocs_start, &err));
	if (pc->numprocs > PROGCONF_MAX_NUMPROCS) {
		r = config_fail(x, section, "numprocs",
		                xasprintf("%lld is more processes than droverd runs for one program (%d)",
		                          pc->numprocs, PROGCONF_MAX_NUMPROCS));
		goto out;
	}
	if (pc->numprocs_start > (1LL << 40) || pc->numprocs_start < -(1LL << 40)) {
		r = config_fail(x, section, "numprocs_start", xasprintf("%lld is out of range", pc->numprocs_start));
		goto out;
	}
	if ((r = config_get(x, section, "environment", "", NULL, &pc->environment)) != 0)
		goto out;
	PC_GET("stdout_capture_maxbytes", "0", vars);
	PC_CONV("stdout_capture_maxbytes", conv_byte_size(v, &pc->out_cmax, &err));
	PC_GET("stdout_events_enabled", "false", vars);
	PC_CONV("stdout_events_enabled", conv_bool(v, &pc->out_events, &err));
	PC_GET("stderr_capture_maxbytes", "0", vars);
	PC_CONV("stderr_capture_maxbytes", conv_byte_size(v, &pc->err_cmax, &err));
	PC_GET("stderr_events_enabled", "false", vars);
	PC_CONV("stderr_events_enabled", conv_bool(v, &pc->err_events, &err));
	PC_GET("serverurl", NULL, vars);
	if (v != NULL) {
		const char *s = v, *e = v + strlen(v);

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (!(e - s == 4 && strncasecmp(s, "auto", 4) == 0)) {
			pc->serverurl = v;
			v = NULL;
		}
	}
	PC_GET("user", NULL, vars);
	if (v != NULL) {
		PC_CONV("user", conv_uid(v, &pc->uid, &err));
		pc->has_uid = 1;
		pc->user = v;
		v = NULL;
	}
	pc->umask = -1;
	PC_GET("umask", NULL, vars);
	if (v != NULL)
		PC_CONV("umask", conv_octal(v, &pc->umask, &err));
	if ((r = config_get(x, section, "process_name", "%(program_name)s", NULL, &v)) != 0)
		goto out;
	PC_CONV("process_name", conv_name(v, &pc->process_name, &err));
	if (pc->numprocs > 1 && strstr(pc->process_name, "%(process_num)") == NULL) {
		r = config_fail(x, section, "process_name",
		                xstrdup("%(process_num) must be present within process_name when numprocs > 1"));
		goto out;
	}
	if (pc->stopasgroup && !pc->killasgroup) {
		r = config_fail(x, section, "killasgroup", xstrdup("Cannot set stopasgroup=true and killasgroup=false"));
		goto out;
	}
	r = 0;
out:
	free(v);
	free(err);
	return r;
}

static void progconf_common_fini(struct progconf_common *pc)
{
	free(pc->exitcodes);
	free(pc->environment);
	free(pc->serverurl);
	free(pc->user);
	free(pc->process_name);
}

/* One channel's log settings for one process. */
static int progconf_channel(struct config_ctx *x, const char *section, const char *ch,
                            const struct expand_vars *vars, struct chanconf *cc)
{
	char key[40], *v = NULL, *v2 = NULL, *err = NULL;
	int r = ERR_INTERNAL, syslog_name = 0;

	snprintf(key, sizeof(key), "%s_logfile", ch);
	cc->kind = CHANLOG_AUTO;
	if (config_raw(x, section, key) != NULL) {
		PC_GET(key, NULL, vars);
		/* The file name is expanded a second time on its own. */
		if (expand(v, vars, key, &v2, &err) != 0) {
			r = config_fail(x, section, key, err);
			err = NULL;
			goto out;
		}
		if (strcasecmp(v2, "none") == 0 || strcasecmp(v2, "off") == 0) {
			cc->kind = CHANLOG_NONE;
		} else if (strcasecmp(v2, "auto") == 0) {
			cc->kind = CHANLOG_AUTO;
		} else if (strcasecmp(v2, "syslog") == 0) {
			syslog_name = 1;
		} else {
			PC_CONV(key, conv_existing_dirpath(v2, &cc->path, &err));
			cc->kind = CHANLOG_FILE;
		}
	}
	snprintf(key, sizeof(key), "%s_logfile_backups", ch);
	PC_GET(key, "10", vars);
	PC_CONV(key, conv_int(v, &cc->backups, &err));
	snprintf(key, sizeof(key), "%s_logfile_maxbytes", ch);
	PC_GET(key, "50MB", vars);
	PC_CONV(key, conv_byte_size(v, &cc->maxbytes, &err));
	snprintf(key, sizeof(key), "%s_syslog", ch);
	PC_GET(key, "false", vars);
	PC_CONV(key, conv_bool(v, &cc->syslog, &err));
	if (syslog_name) {
		config_warn(x->c, xasprintf("For [%s], %s_logfile=syslog but this is deprecated and will be removed.  "
		                            "Use %s_syslog=true to enable syslog instead.",
		                            section, ch, ch));
		cc->kind = CHANLOG_NONE;
		cc->syslog = 1;
	}
	if (cc->kind == CHANLOG_AUTO && cc->maxbytes == 0)
		config_warn(x->c, xasprintf("For [%s], AUTO logging used for %s_logfile without rollover, set "
		                            "maxbytes > 0 to avoid filling up filesystem unintentionally",
		                            section, ch));
	r = 0;
out:
	free(v);
	free(v2);
	free(err);
	return r;
}

static int progconf_cmp(const struct pconf *a, const struct pconf *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* Reads the processes of one program section into *outp (appended). */
static int progconf_processes(struct config_ctx *x, const char *section, const char *group_name,
                              struct pconf ***procsp, size_t *np)
{
	struct progconf_common pc;
	struct expand_vars common, pv;
	struct kvlist env;
	struct pconf *p = NULL, **procs = NULL, *t;
	char *program = NULL, *err = NULL, *envs = NULL, *name, *v = NULL;
	long long num;
	size_t n = 0, i, j, first = *np;
	int r = ERR_INTERNAL;

	memset(&pc, 0, sizeof(pc));
	kvlist_init(&env);
	expand_vars_init(&pv);
	expand_vars_init(&common);
	if (conv_name(strchr(section, ':') + 1, &program, &err) != 0) {
		r = config_fail(x, section, NULL, err);
		goto out;
	}
	config_vars(x, &common, "here", x->here, "program_name", program, "host_node_name", x->host, "group_name",
	            group_name, (const char *)NULL);
	if ((r = progconf_common(x, section, &common, &pc)) != 0)
		goto out;
	for (num = pc.numprocs_start; num < pc.numprocs + pc.numprocs_start; num++) {
		expand_vars_fini(&pv);
		expand_vars_init(&pv);
		expand_vars_update(&pv, &common);
		expand_vars_set_num(&pv, "process_num", num);
		expand_vars_set_num(&pv, "numprocs", pc.numprocs);
		free(envs);
		if (expand(pc.environment, &pv, "environment", &envs, &err) != 0) {
			envs = NULL;
			r = config_fail(x, section, "environment", err);
			err = NULL;
			goto out;
		}
		kvlist_fini(&env);
		kvlist_init(&env);
		if (kvpairs_parse(envs, &env, &err) != 0) {
			r = config_fail(x, section, "environment", err);
			err = NULL;
			goto out;
		}
		for (i = 0; i < env.n; i++) {
			name = xasprintf("ENV_%s", env.keys[i]);
			expand_vars_set_str(&pv, name, env.vals[i]);
			free(name);
		}
		p = xcalloc(1, sizeof(*p));
		p->program = xstrdup(program);
		p->group = xstrdup(group_name);
		p->section = xstrdup(section);
		p->file = value_map_get(x->doc, section)->pos.file;
		p->line = (int)value_map_get(x->doc, section)->pos.line;
		p->priority = pc.priority;
		p->autostart = pc.autostart;
		p->autorestart = pc.autorestart;
		p->startsecs = pc.startsecs;
		p->startretries = pc.startretries;
		p->stopsignal = pc.stopsignal;
		p->stopwaitsecs = pc.stopwaitsecs;
		p->stopasgroup = pc.stopasgroup;
		p->killasgroup = pc.killasgroup;
		p->redirect_stderr = pc.redirect_stderr;
		p->has_uid = pc.has_uid;
		p->uid = pc.uid;
		p->user = pc.user ? xstrdup(pc.user) : NULL;
		p->umask = pc.umask;
		memcpy(p->exitset, pc.exitset, sizeof(p->exitset));
		p->exitcodes = xcalloc(pc.nexitcodes + 1, sizeof(int));
		if (pc.nexitcodes > 0)
			memcpy(p->exitcodes, pc.exitcodes, pc.nexitcodes * sizeof(int));
		p->nexitcodes = pc.nexitcodes;
		p->serverurl = pc.serverurl ? xstrdup(pc.serverurl) : NULL;
		p->numprocs = pc.numprocs;
		p->process_num = num;
		kvlist_init(&p->env);
		kvlist_update(&p->env, &env);
		if ((r = config_get(x, section, "directory", NULL, &pv, &p->directory)) != 0)
			goto out;
		if ((r = progconf_channel(x, section, "stdout", &pv, &p->out)) != 0 ||
		    (r = progconf_channel(x, section, "stderr", &pv, &p->err)) != 0)
			goto out;
		p->out.capture_maxbytes = pc.out_cmax;
		p->out.events_enabled = pc.out_events;
		p->err.capture_maxbytes = pc.err_cmax;
		p->err.events_enabled = pc.err_events;
		if (p->redirect_stderr) {
			if (p->err.kind == CHANLOG_FILE)
				config_warn(x->c, xasprintf("For [%s], redirect_stderr=true but stderr_logfile has also been "
				                            "set to a filename, the filename has been ignored",
				                            section));
			p->err.kind = CHANLOG_NONE;
			free(p->err.path);
			p->err.path = NULL;
		}
		if ((r = config_get(x, section, "command", NULL, &pv, &p->command)) != 0)
			goto out;
		if (p->command == NULL) {
			r = config_fail(x, section, NULL,
			                xasprintf("program section %s does not specify a command", section));
			goto out;
		}
		if (expand(pc.process_name, &pv, "process_name", &p->name, &err) != 0) {
			r = config_fail(x, section, "process_name", err);
			err = NULL;
			goto out;
		}
		procs = xreallocarray(procs, n + 1, sizeof(*procs));
		procs[n++] = p;
		p = NULL;
	}
	/* Ascending (priority, name), stable, as list.sort() does. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && progconf_cmp(procs[j - 1], procs[j]) > 0; j--) {
			t = procs[j];
			procs[j] = procs[j - 1];
			procs[j - 1] = t;
		}
	*procsp = xreallocarray(*procsp, first + n + 1, sizeof(**procsp));
	for (i = 0; i < n; i++)
		(*procsp)[first + i] = procs[i];
	*np = first + n;
	n = 0;
	r = 0;
out:
	pconf_free(p);
	for (i = 0; i < n; i++)
		pconf_free(procs[i]);
	free(procs);
	free(program);
	free(err);
	free(envs);
	free(v);
	kvlist_fini(&env);
	expand_vars_fini(&pv);
	expand_vars_fini(&common);
	progconf_common_fini(&pc);
	return r;
}

static struct gconf *progconf_group_new(const char *name, long long priority, int hetero)
{
	struct gconf *g = xcalloc(1, sizeof(*g));

	g->refs = 1;
	g->name = xstrdup(name);
	g->priority = priority;
	g->heterogeneous = hetero;
	return g;
}

/* Drops a process whose name repeats within its group: supervisord keeps
 * one entry per name, so only one of them would ever run. */
static void progconf_dedup(struct config_ctx *x, struct gconf *g)
{
	size_t i, j;

	for (i = 0; i < g->nprocs; i++) {
		for (j = i + 1; j < g->nprocs; j++) {
			if (strcmp(g->procs[i]->name, g->procs[j]->name) != 0)
				continue;
			config_warn(x->c, xasprintf("process name '%s' appears twice in group '%s'; only the one from "
			                            "[%s] is used",
			                            g->procs[j]->name, g->name, g->procs[j]->section));
			pconf_free(g->procs[i]);
			memmove(&g->procs[i], &g->procs[i + 1], (g->nprocs - i - 1) * sizeof(*g->procs));
			g->nprocs--;
			i--;
			break;
		}
	}
}

static void progconf_add_group(struct config_ctx *x, struct gconf *g)
{
	struct dconf *c = x->c;

	progconf_dedup(x, g);
	c->groups = xreallocarray(c->groups, c->ngroups + 1, sizeof(*c->groups));
	c->groups[c->ngroups++] = g;
}

static int progconf_gcmp(const struct gconf *a, const struct gconf *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return strcmp(a->name, b->name);
}

static int progconf_hetero(struct config_ctx *x, const char *section, char ***excludep, size_t *nexcludep)
{
	struct expand_vars vars;
	struct gconf *g = NULL;
	char *gname = NULL, *v = NULL, *err = NULL, *psect = NULL, *prog;
	const char *p, *q;
	long long prio;
	int r = ERR_INTERNAL;

	config_vars(x, &vars, "here", x->here, (const char *)NULL);
	config_check_keys(x, section, progconf_group_keys);
	if (conv_name(strchr(section, ':') + 1, &gname, &err) != 0) {
		r = config_fail(x, section, NULL, err);
		err = NULL;
		goto out;
	}
	PC_GET("priority", "999", &vars);
	PC_CONV("priority", conv_int(v, &prio, &err));
	g = progconf_group_new(gname, prio, 1);
	PC_GET("programs", NULL, &vars);
	for (p = v; v != NULL && *v != '\0'; p = q + 1) {
		const char *b, *e;

		for (q = p; *q && *q != ','; q++)
			;
		for (b = p; b < q && (*b == ' ' || *b == '\t' || *b == '\n'); b++)
			;
		for (e = q; e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'); e--)
			;
		prog = xstrndup(b, (size_t)(e - b));
		free(psect);
		psect = xasprintf("program:%s", prog);
		if (value_map_get(x->doc, psect) == NULL) {
			char *fsect = xasprintf("fcgi-program:%s", prog);
			int fcgi = value_map_get(x->doc, fsect) != NULL;

			free(fsect);
			r = config_fail(x, section, "programs",
			                fcgi ? xasprintf("[%s] names fcgi-program %s, which droverd does not run", section,
			                                 prog)
			                     : xasprintf("[%s] names unknown program or fcgi-program %s", section, prog));
			free(prog);
			goto out;
		}
		free(prog);
		*excludep = xreallocarray(*excludep, *nexcludep + 1, sizeof(**excludep));
		(*excludep)[(*nexcludep)++] = xstrdup(psect);
		if ((r = progconf_processes(x, psect, gname, &g->procs, &g->nprocs)) != 0)
			goto out;
		if (*q == '\0')
			break;
	}
	progconf_add_group(x, g);
	g = NULL;
	r = 0;
out:
	gconf_unref(g);
	free(gname);
	free(v);
	free(err);
	free(psect);
	expand_vars_fini(&vars);
	return r;
}

int progconf_load_groups(struct config_ctx *x)
{
	struct dconf *c = x->c;
	struct expand_vars vars;
	struct gconf *g, *t;
	char **exclude = NULL, *pname = NULL, *v = NULL, *err = NULL;
	const char *section;
	long long prio;
	size_t i, j, nexclude = 0;
	int r = ERR_INTERNAL;

	expand_vars_init(&vars);
	for (i = 0; i < value_len(x->doc); i++) {
		section = value_cstr(value_map_key_at(x->doc, i));
		if (strncmp(section, "group:", 6) == 0 && (r = progconf_hetero(x, section, &exclude, &nexclude)) != 0)
			goto out;
	}
	for (i = 0; i < value_len(x->doc); i++) {
		section = value_cstr(value_map_key_at(x->doc, i));
		if (strncmp(section, "eventlistener:", 14) == 0 || strncmp(section, "fcgi-program:", 13) == 0) {
			config_warn(c, xasprintf("[%s]: droverd does not run %s sections; it is ignored", section,
			                         section[0] == 'e' ? "eventlistener" : "fcgi-program"));
			continue;
		}
		if (strncmp(section, "program:", 8) != 0)
			continue;
		config_check_keys(x, section, progconf_keys);
		for (j = 0; j < nexclude; j++)
			if (strcmp(exclude[j], section) == 0)
				break;
		if (j < nexclude)
			continue;
		free(pname);
		pname = NULL;
		if (conv_name(section + 8, &pname, &err) != 0) {
			r = config_fail(x, section, NULL, err);
			err = NULL;
			goto out;
		}
		expand_vars_fini(&vars);
		config_vars(x, &vars, "here", x->here, (const char *)NULL);
		PC_GET("priority", "999", &vars);
		PC_CONV("priority", conv_int(v, &prio, &err));
		g = progconf_group_new(pname, prio, 0);
		if ((r = progconf_processes(x, section, pname, &g->procs, &g->nprocs)) != 0) {
			gconf_unref(g);
			goto out;
		}
		progconf_add_group(x, g);
	}
	for (i = 1; i < c->ngroups; i++)
		for (j = i; j > 0 && progconf_gcmp(c->groups[j - 1], c->groups[j]) > 0; j--) {
			t = c->groups[j];
			c->groups[j] = c->groups[j - 1];
			c->groups[j - 1] = t;
		}
	/* Two groups of one name (a [group:x] and a [program:x]): supervisord
	 * runs only the first it adds. */
	for (i = 1; i < c->ngroups; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(c->groups[i]->name, c->groups[j]->name) == 0)
				break;
		if (j == i)
			continue;
		config_warn(c, xasprintf("two process groups are named '%s'; only the first (priority %lld) is used",
		                         c->groups[i]->name, c->groups[j]->priority));
		gconf_unref(c->groups[i]);
		memmove(&c->groups[i], &c->groups[i + 1], (c->ngroups - i - 1) * sizeof(*c->groups));
		c->ngroups--;
		i--;
	}
	r = 0;
out:
	for (i = 0; i < nexclude; i++)
		free(exclude[i]);
	free(exclude);
	free(pname);
	free(v);
	free(err);
	expand_vars_fini(&vars);
	return r;
}

static int progconf_chan_equal(const struct chanconf *a, const struct chanconf *b)
{
	if (a->kind != CHANLOG_AUTO && b->kind != CHANLOG_AUTO) {
		if (a->kind != b->kind)
			return 0;
		if (a->kind == CHANLOG_FILE && strcmp(a->path, b->path) != 0)
			return 0;
	}
	return a->maxbytes == b->maxbytes && a->backups == b->backups && a->capture_maxbytes == b->capture_maxbytes &&
	       a->events_enabled == b->events_enabled && a->syslog == b->syslog;
}

static int progconf_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Python dicts compare without regard to order. */
static int progconf_env_equal(const struct kvlist *a, const struct kvlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!progconf_streq(a->vals[i], kvlist_get(b, a->keys[i])))
			return 0;
	return 1;
}

int pconf_equal(const struct pconf *a, const struct pconf *b)
{
	return progconf_streq(a->name, b->name) && a->has_uid == b->has_uid && (!a->has_uid || a->uid == b->uid) &&
	       progconf_streq(a->command, b->command) && progconf_streq(a->directory, b->directory) &&
	       a->umask == b->umask && a->priority == b->priority && a->autostart == b->autostart &&
	       a->autorestart == b->autorestart && a->startsecs == b->startsecs &&
	       a->startretries == b->startretries && progconf_chan_equal(&a->out, &b->out) &&
	       progconf_chan_equal(&a->err, &b->err) && a->stopsignal == b->stopsignal &&
	       a->stopwaitsecs == b->stopwaitsecs && a->stopasgroup == b->stopasgroup &&
	       a->killasgroup == b->killasgroup && a->nexitcodes == b->nexitcodes &&
	       (a->nexitcodes == 0 || memcmp(a->exitcodes, b->exitcodes, a->nexitcodes * sizeof(int)) == 0) &&
	       a->redirect_stderr == b->redirect_stderr && progconf_env_equal(&a->env, &b->env) &&
	       progconf_streq(a->serverurl, b->serverurl);
}

int gconf_equal(const struct gconf *a, const struct gconf *b)
{
	size_t i;

	if (strcmp(a->name, b->name) != 0 || a->priority != b->priority || a->nprocs != b->nprocs)
		return 0;
	for (i = 0; i < a->nprocs; i++)
		if (!pconf_equal(a->procs[i], b->procs[i]))
			return 0;
	return 1;
}
