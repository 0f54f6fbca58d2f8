/* What the control server calls: lookups, process information in
 * supervisord's getProcessInfo() shape, start/stop/signal with
 * supervisord's faults, and the re-read/add/remove of groups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/child.h"
#include "droverd/droverd_priv.h"

struct ev_loop *droverd_loop(struct droverd *d)
{
	return d->loop;
}

const struct dconf *droverd_config(const struct droverd *d)
{
	return d->conf;
}

const struct dconf *droverd_available(const struct droverd *d)
{
	return d->avail;
}

struct mainlog *droverd_mainlog(struct droverd *d)
{
	return d->ml;
}

int droverd_mood(const struct droverd *d)
{
	return d->mood;
}

const char *droverd_mood_name(int mood)
{
	switch (mood) {
	case DROVERD_FATAL:
		return "FATAL";
	case DROVERD_RUNNING:
		return "RUNNING";
	case DROVERD_RESTARTING:
		return "RESTARTING";
	case DROVERD_SHUTDOWN:
		return "SHUTDOWN";
	}
	return "UNKNOWN";
}

size_t droverd_ngroups(const struct droverd *d)
{
	return d->ngroups;
}

struct dgroup *droverd_group_at(struct droverd *d, size_t i)
{
	return i < d->ngroups ? d->groups[i] : NULL;
}

struct dgroup *droverd_group(struct droverd *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ngroups; i++)
		if (strcmp(d->groups[i]->conf->name, name) == 0)
			return d->groups[i];
	return NULL;
}

const char *dgroup_name(const struct dgroup *g)
{
	return g->conf->name;
}

long long dgroup_priority(const struct dgroup *g)
{
	return g->conf->priority;
}

const struct gconf *dgroup_conf(const struct dgroup *g)
{
	return g->conf;
}

size_t dgroup_nprocs(const struct dgroup *g)
{
	return g->nprocs;
}

struct dproc *dgroup_proc_at(struct dgroup *g, size_t i)
{
	return i < g->nprocs ? g->procs[i] : NULL;
}

struct proc *dproc_proc(struct dproc *p)
{
	return &p->p;
}

struct dgroup *dproc_group(struct dproc *p)
{
	return p->g;
}

const char *dproc_name(const struct dproc *p)
{
	return p->p.conf->name;
}

char *dproc_namespec(const struct dproc *p)
{
	if (strcmp(p->g->conf->name, p->p.conf->name) == 0)
		return xstrdup(p->p.conf->name);
	return xasprintf("%s:%s", p->g->conf->name, p->p.conf->name);
}

const char *dproc_stdout_logfile(const struct dproc *p)
{
	return p->stdout_logfile;
}

const char *dproc_stderr_logfile(const struct dproc *p)
{
	return p->stderr_logfile;
}

int droverd_find(struct droverd *d, const char *namespec, struct dgroup **groupp, struct dproc **procp)
{
	const char *colon = strchr(namespec, ':'), *pname;
	struct dgroup *g;
	char *gname;
	size_t i;

	*groupp = NULL;
	*procp = NULL;
	if (colon != NULL) {
		gname = xstrndup(namespec, (size_t)(colon - namespec));
		pname = colon[1] == '\0' || strcmp(colon + 1, "*") == 0 ? NULL : colon + 1;
	} else {
		gname = xstrdup(namespec);
		pname = namespec;
	}
	g = droverd_group(d, gname);
	free(gname);
	if (g == NULL)
		return FAULT_BAD_NAME;
	*groupp = g;
	if (pname == NULL)
		return FAULT_OK;
	for (i = 0; i < g->nprocs; i++) {
		if (strcmp(g->procs[i]->p.conf->name, pname) == 0) {
			*procp = g->procs[i];
			return FAULT_OK;
		}
	}
	*groupp = NULL;
	return FAULT_BAD_NAME;
}

int dproc_cmp_prio(const void *a, const void *b)
{
	const struct dproc *x = *(struct dproc *const *)a, *y = *(struct dproc *const *)b;

	if (x->p.conf->priority != y->p.conf->priority)
		return x->p.conf->priority < y->p.conf->priority ? -1 : 1;
	return strcmp(x->p.conf->name, y->p.conf->name);
}

static int api_cmp_name(const void *a, const void *b)
{
	const struct dproc *x = *(struct dproc *const *)a, *y = *(struct dproc *const *)b;

	return strcmp(x->p.conf->name, y->p.conf->name);
}

static int api_gcmp_name(const void *a, const void *b)
{
	return strcmp((*(struct dgroup *const *)a)->conf->name, (*(struct dgroup *const *)b)->conf->name);
}

static int api_gcmp_prio(const void *a, const void *b)
{
	const struct dgroup *x = *(struct dgroup *const *)a, *y = *(struct dgroup *const *)b;

	if (x->conf->priority != y->conf->priority)
		return x->conf->priority < y->conf->priority ? -1 : 1;
	return strcmp(x->conf->name, y->conf->name);
}

void dgroup_sorted(struct dgroup *g, struct dproc ***listp, size_t *np)
{
	struct dproc **l = xcalloc(g->nprocs + 1, sizeof(*l));

	memcpy(l, g->procs, g->nprocs * sizeof(*l));
	/* Python's sort is stable; qsort is not, but (priority, name) is a
	 * total order within a group (names are unique there). */
	qsort(l, g->nprocs, sizeof(*l), dproc_cmp_prio);
	*listp = l;
	*np = g->nprocs;
}

void droverd_all(struct droverd *d, int lexical, struct dproc ***listp, size_t *np)
{
	struct dgroup **groups = xcalloc(d->ngroups + 1, sizeof(*groups));
	struct dproc **l = NULL;
	size_t i, n = 0, first;

	memcpy(groups, d->groups, d->ngroups * sizeof(*groups));
	qsort(groups, d->ngroups, sizeof(*groups), lexical ? api_gcmp_name : api_gcmp_prio);
	for (i = 0; i < d->ngroups; i++) {
		first = n;
		l = xreallocarray(l, n + groups[i]->nprocs + 1, sizeof(*l));
		memcpy(l + n, groups[i]->procs, groups[i]->nprocs * sizeof(*l));
		n += groups[i]->nprocs;
		qsort(l + first, n - first, sizeof(*l), lexical ? api_cmp_name : dproc_cmp_prio);
	}
	if (l == NULL)
		l = xcalloc(1, sizeof(*l));
	free(groups);
	*listp = l;
	*np = n;
}

void droverd_describe(const struct droverd_info *info, char *out, size_t outsz)
{
	long long up, days;
	time_t t;
	struct tm tm;

	out[0] = '\0';
	switch (info->state) {
	case PROC_RUNNING:
		up = info->now - info->start;
		if (up < 0)
			up = 0;
		days = up / 86400;
		up %= 86400;
		if (days > 0)
			snprintf(out, outsz, "pid %d, uptime %lld day%s, %lld:%02lld:%02lld", info->pid, days,
			         days == 1 ? "" : "s", up / 3600, up / 60 % 60, up % 60);
		else
			snprintf(out, outsz, "pid %d, uptime %lld:%02lld:%02lld", info->pid, up / 3600, up / 60 % 60,
			         up % 60);
		break;
	case PROC_FATAL:
	case PROC_BACKOFF:
		if (*info->spawnerr)
			snprintf(out, outsz, "%s", info->spawnerr);
		else
			snprintf(out, outsz, "unknown error (try \"tail %s\")", info->name);
		break;
	case PROC_STOPPED:
	case PROC_EXITED:
		if (info->start) {
			t = (time_t)info->stop;
			localtime_r(&t, &tm);
			strftime(out, outsz, "%b %d %I:%M %p", &tm);
		} else {
			snprintf(out, outsz, "Not started");
		}
		break;
	default:
		break;
	}
}

void droverd_info(struct droverd *d, struct dproc *p, struct droverd_info *out)
{
	struct timeval tv;

	(void)d;
	memset(out, 0, sizeof(*out));
	gettimeofday(&tv, NULL);
	out->name = p->p.conf->name;
	out->group = p->g->conf->name;
	out->start = (long long)p->p.laststart;
	out->stop = (long long)p->p.laststop;
	out->now = (long long)tv.tv_sec;
	out->state = (int)p->p.state;
	out->statename = proc_state_name(p->p.state);
	out->spawnerr = p->p.spawnerr ? p->p.spawnerr : "";
	out->exitstatus = p->p.has_exitstatus ? p->p.exitstatus : 0;
	out->stdout_logfile = p->stdout_logfile ? p->stdout_logfile : "";
	out->stderr_logfile = p->stderr_logfile ? p->stderr_logfile : "";
	out->pid = (int)p->p.pid;
	out->cause = p->p.cause ? p->p.cause : "";
	out->log_failures = p->out.log.failures + p->err.log.failures;
	out->log_lost = p->out.log.lost + p->err.log.lost;
	droverd_describe(out, out->description, sizeof(out->description));
}

char **droverd_tail_lines(struct dproc *p, size_t *np)
{
	return tail_lines(&p->p.tail, np);
}

int droverd_start(struct droverd *d, struct dproc *p, char **msgp)
{
	char *fn = NULL, **argv = NULL, *err = NULL;
	int r;

	if (msgp != NULL)
		*msgp = NULL;
	if ((r = child_resolve(p->p.conf, &fn, &argv, &err)) != 0) {
		if (msgp != NULL)
			*msgp = err;
		else
			free(err);
		return r;
	}
	free(fn);
	child_argv_free(argv);
	if (proc_is_running(p->p.state))
		return FAULT_ALREADY_STARTED;
	if (p->p.state == PROC_UNKNOWN)
		return FAULT_FAILED;
	r = proc_event(&p->p, PEV_START, 0);
	if (r != FAULT_OK)
		return r;
	droverd_reap(d);
	if (p->p.spawnerr != NULL)
		return FAULT_SPAWN_ERROR;
	return FAULT_OK;
}

int droverd_start_result(struct dproc *p)
{
	if (p->p.spawnerr != NULL)
		return FAULT_SPAWN_ERROR;
	if (p->p.state != PROC_STARTING && p->p.state != PROC_RUNNING)
		return FAULT_ABNORMAL_TERMINATION;
	return p->p.state == PROC_RUNNING ? FAULT_OK : -1;
}

int droverd_stop(struct droverd *d, struct dproc *p)
{
	if (!proc_is_running(p->p.state))
		return FAULT_NOT_RUNNING;
	if (proc_event(&p->p, PEV_STOP, 0) != FAULT_OK)
		return FAULT_FAILED;
	droverd_reap(d);
	return FAULT_OK;
}

int droverd_stop_result(struct dproc *p)
{
	return proc_is_stopped(p->p.state) ? FAULT_OK : -1;
}

void droverd_stop_report(struct dproc *p)
{
	proc_stop_report(&p->p);
}

int droverd_signal(struct droverd *d, struct dproc *p, int sig)
{
	(void)d;
	if (sig < 0)
		return FAULT_BAD_SIGNAL;
	if (!proc_is_signallable(p->p.state))
		return FAULT_NOT_RUNNING;
	return proc_event(&p->p, PEV_SIGNAL, sig) == FAULT_OK ? FAULT_OK : FAULT_FAILED;
}

static void api_stdin_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct dproc *dp = arg;
	ssize_t w;

	(void)events;
	while (buf_avail(&dp->inbuf) > 0) {
		w = write(fd, buf_ptr(&dp->inbuf), buf_avail(&dp->inbuf));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			/* The child closed its stdin: what is left is dropped,
			 * as supervisord's input dispatcher does. */
			buf_reset(&dp->inbuf);
			ev_fd_del(loop, fd);
			close(dp->in_fd);
			dp->in_fd = -1;
			return;
		}
		buf_consume(&dp->inbuf, (size_t)w);
	}
	buf_reset(&dp->inbuf);
	ev_fd_set(loop, fd, 0, api_stdin_cb, dp);
}

int droverd_send_stdin(struct droverd *d, struct dproc *p, const void *data, size_t n)
{
	if (!p->p.pid || p->p.killing)
		return FAULT_NOT_RUNNING;
	if (p->in_fd < 0)
		return FAULT_NO_FILE;
	if (buf_put(&p->inbuf, data, n) != 0)
		return FAULT_FAILED;
	api_stdin_cb(d->loop, p->in_fd, EV_WRITE, p);
	if (p->in_fd < 0)
		return FAULT_NO_FILE;
	if (buf_avail(&p->inbuf) > 0)
		ev_fd_set(d->loop, p->in_fd, EV_WRITE, api_stdin_cb, p);
	return FAULT_OK;
}

int droverd_clear_logs(struct dproc *p)
{
	int r = 0;
	char *paths[2] = {p->stdout_logfile, p->stderr_logfile};
	struct output *outs[2] = {&p->out, &p->err};
	size_t i;

	for (i = 0; i < 2; i++) {
		if (paths[i] == NULL)
			continue;
		if (outs[i]->has_log)
			r |= logfile_clear(&outs[i]->log);
		else if (unlink(paths[i]) < 0 && errno != ENOENT)
			r = -1;
	}
	return r != 0 ? FAULT_FAILED : FAULT_OK;
}

int droverd_clear_mainlog(struct droverd *d)
{
	const char *path = mainlog_path(d->ml);

	if (path == NULL || access(path, F_OK) != 0)
		return FAULT_NO_FILE;
	mainlog_write(d->ml, LEVEL_INFO, "reopening log file");
	return mainlog_clear(d->ml) == 0 ? FAULT_OK : FAULT_FAILED;
}

static void api_push(const char ***lp, size_t *np, const char *name)
{
	*lp = xreallocarray(*lp, *np + 1, sizeof(**lp));
	(*lp)[(*np)++] = name;
}

int droverd_reread(struct droverd *d, const char ***addedp, size_t *naddedp, const char ***changedp,
                   size_t *nchangedp, const char ***removedp, size_t *nremovedp, struct diag *err)
{
	struct dconf *nc = NULL;
	struct dgroup *g;
	size_t i;

	*addedp = *changedp = *removedp = NULL;
	*naddedp = *nchangedp = *nremovedp = 0;
	if (droverd_load_config(d, &nc, err) != 0)
		return FAULT_CANT_REREAD;
	if (d->avail != d->conf)
		config_free(d->avail);
	d->avail = nc;
	for (i = 0; i < nc->ngroups; i++) {
		g = droverd_group(d, nc->groups[i]->name);
		if (g == NULL)
			api_push(addedp, naddedp, nc->groups[i]->name);
		else if (!gconf_equal(nc->groups[i], g->conf))
			api_push(changedp, nchangedp, nc->groups[i]->name);
	}
	for (i = 0; i < d->ngroups; i++)
		if (config_group(nc, d->groups[i]->conf->name) == NULL)
			api_push(removedp, nremovedp, d->groups[i]->conf->name);
	return FAULT_OK;
}

int droverd_add_group(struct droverd *d, const char *name)
{
	struct gconf *gc = config_group(d->avail, name);
	struct dgroup *g;
	size_t i;

	if (gc == NULL)
		return FAULT_BAD_NAME;
	if (droverd_group(d, name) != NULL)
		return FAULT_ALREADY_ADDED;
	g = droverd_group_make(d, gc);
	d->groups = xreallocarray(d->groups, d->ngroups + 1, sizeof(*d->groups));
	d->groups[d->ngroups++] = g;
	for (i = 0; i < g->nprocs; i++)
		proc_event(&g->procs[i]->p, PEV_AUTOSTART, 0);
	return FAULT_OK;
}

int droverd_remove_group(struct droverd *d, const char *name)
{
	struct dgroup *g = droverd_group(d, name);
	size_t i, j;

	if (g == NULL)
		return FAULT_BAD_NAME;
	for (i = 0; i < g->nprocs; i++)
		if (!proc_is_stopped(g->procs[i]->p.state))
			return FAULT_STILL_RUNNING;
	for (i = 0; i < d->ngroups; i++)
		if (d->groups[i] == g)
			break;
	memmove(&d->groups[i], &d->groups[i + 1], (d->ngroups - i - 1) * sizeof(*d->groups));
	d->ngroups--;
	/* A stop in progress must not walk a freed group. */
	for (i = 0, j = 0; i < d->nstop; i++)
		if (d->stop_groups[i] != g)
			d->stop_groups[j++] = d->stop_groups[i];
	d->nstop = j;
	droverd_group_free(g);
	return FAULT_OK;
}

static void api_push_name(char ***lp, size_t *np, const char *name)
{
	*lp = xreallocarray(*lp, *np + 1, sizeof(**lp));
	(*lp)[(*np)++] = xstrdup(name);
}

int droverd_group_diff(struct droverd *d, const char *name, char ***namesp, size_t *np)
{
	const struct gconf *nc = config_group(d->avail, name);
	struct dgroup *g = droverd_group(d, name);
	size_t i, j;

	*namesp = NULL;
	*np = 0;
	if (nc == NULL || g == NULL)
		return FAULT_BAD_NAME;
	for (i = 0; i < nc->nprocs; i++) {
		for (j = 0; j < g->conf->nprocs; j++)
			if (strcmp(nc->procs[i]->name, g->conf->procs[j]->name) == 0)
				break;
		if (j == g->conf->nprocs || !pconf_equal(nc->procs[i], g->conf->procs[j]))
			api_push_name(namesp, np, nc->procs[i]->name);
	}
	for (j = 0; j < g->conf->nprocs; j++) {
		for (i = 0; i < nc->nprocs; i++)
			if (strcmp(nc->procs[i]->name, g->conf->procs[j]->name) == 0)
				break;
		if (i == nc->nprocs)
			api_push_name(namesp, np, g->conf->procs[j]->name);
	}
	return FAULT_OK;
}

void droverd_observe(struct droverd *d, droverd_observer cb, void *arg)
{
	d->obs = xreallocarray(d->obs, d->nobs + 1, sizeof(*d->obs));
	d->obs[d->nobs].cb = cb;
	d->obs[d->nobs].arg = arg;
	d->nobs++;
}

void droverd_unobserve(struct droverd *d, droverd_observer cb, void *arg)
{
	size_t i;

	for (i = 0; i < d->nobs; i++) {
		if (d->obs[i].cb == cb && d->obs[i].arg == arg) {
			memmove(&d->obs[i], &d->obs[i + 1], (d->nobs - i - 1) * sizeof(*d->obs));
			d->nobs--;
			return;
		}
	}
}
