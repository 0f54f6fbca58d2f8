/* The daemon: process groups on an event loop, the state machine's
 * operations (spawn, kill, timers, output), reaping, signals, and the
 * ordered stop that ends a shutdown or a reload. */
#include "droverd/droverd.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "droverd/child.h"
#include "droverd/conv.h"
#include "droverd/droverd_priv.h"
#include "droverd/errname.h"
#include "droverd/logfile.h"

#define DROVERD_STATUS_MAX 4096     /* bytes kept from a child's error pipe */
#define DROVERD_STDIN_MAX (1 << 20) /* stdin bytes held for a child */

static struct dproc *droverd_dp(struct proc *p)
{
	return p->rt;
}

/* ---- child output ---- */

static void droverd_output_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct output *o = arg;

	(void)events;
	if (output_read(o) == OUTPUT_EOF) {
		ev_fd_del(loop, fd);
		output_close_pipe(o);
	}
}

static void droverd_status_cb(struct ev_loop *loop, int fd, int events, void *arg)
{
	struct dproc *dp = arg;

	(void)events;
	if (child_read_status(fd, &dp->status)) {
		ev_fd_del(loop, fd);
		fd_close(&dp->status_fd);
	}
}

/* ---- the state machine's operations ---- */

static int droverd_op_spawn(struct proc *p, char **errp, void *arg)
{
	struct droverd *d = arg;
	struct dproc *dp = droverd_dp(p);
	const struct pconf *c = p->conf;
	struct child_spec spec;
	struct child_fds fds;
	char *fn = NULL, **argv = NULL, en[16];
	pid_t pid;
	int r;

	if (child_resolve(c, &fn, &argv, errp) != 0)
		return -1;
	free(fn);
	child_argv_free(argv);
	/* supervisord opens the logs with the pipes, before the fork; a log
	 * that cannot be opened is a spawn error. */
	if ((r = output_open_log(&dp->out, dp->stdout_logfile, c->out.maxbytes, c->out.backups)) != 0 ||
	    (r = output_open_log(&dp->err, dp->stderr_logfile, c->err.maxbytes, c->err.backups)) != 0) {
		*errp = xasprintf("unknown error making dispatchers for '%s': %s", c->name, errname_get(-r, en));
		output_open_log(&dp->out, NULL, 0, 0);
		output_open_log(&dp->err, NULL, 0, 0);
		return -1;
	}
	memset(&spec, 0, sizeof(spec));
	spec.conf = c;
	spec.group = dp->g->conf->name;
	spec.serverurl = d->conf->serverurl;
	spec.exact_env = d->conf->exact_env;
	spec.minfds = d->conf->minfds;
	if (child_spawn(&spec, &pid, &fds, errp) != 0) {
		output_open_log(&dp->out, NULL, 0, 0);
		output_open_log(&dp->err, NULL, 0, 0);
		return -1;
	}
	p->pid = pid;
	dp->out.fd = fds.out;
	dp->err.fd = fds.err;
	dp->in_fd = fds.in;
	dp->status_fd = fds.status;
	buf_reset(&dp->status);
	buf_reset(&dp->inbuf);
	dp->out.capturemode = dp->err.capturemode = 0;
	buf_reset(&dp->out.pending);
	buf_reset(&dp->err.pending);
	ev_fd_set(d->loop, dp->out.fd, EV_READ, droverd_output_cb, &dp->out);
	if (dp->err.fd >= 0)
		ev_fd_set(d->loop, dp->err.fd, EV_READ, droverd_output_cb, &dp->err);
	ev_fd_set(d->loop, dp->status_fd, EV_READ, droverd_status_cb, dp);
	return 0;
}

static int droverd_op_kill(struct proc *p, pid_t pid, int sig, void *arg)
{
	(void)p;
	(void)arg;
	return kill(pid, sig) < 0 ? -errno : 0;
}

static void droverd_timer_cb(struct ev_loop *loop, void *arg)
{
	struct dproc *dp = arg;

	(void)loop;
	dp->timer = 0;
	proc_event(&dp->p, PEV_TIMER, 0);
}

static void droverd_op_arm(struct proc *p, uint64_t at, void *arg)
{
	struct droverd *d = arg;
	struct dproc *dp = droverd_dp(p);
	uint64_t now = ev_clock_ms();

	ev_timer_del(d->loop, dp->timer);
	dp->timer = 0;
	if (at != 0)
		dp->timer = ev_timer_add(d->loop, at > now ? at - now : 0, droverd_timer_cb, dp);
}

static void droverd_drain_output(struct droverd *d, struct output *o)
{
	int r;

	if (o->fd < 0)
		return;
	while ((r = output_read(o)) == OUTPUT_MORE)
		;
	if (r == OUTPUT_EOF) {
		ev_fd_del(d->loop, o->fd);
		output_close_pipe(o);
	}
}

static void droverd_op_drain(struct proc *p, void *arg)
{
	struct droverd *d = arg;
	struct dproc *dp = droverd_dp(p);
	size_t n;
	char *s;

	droverd_drain_output(d, &dp->out);
	droverd_drain_output(d, &dp->err);
	if (dp->status_fd >= 0)
		child_read_status(dp->status_fd, &dp->status);
	free(p->child_error);
	p->child_error = NULL;
	if (buf_avail(&dp->status) > 0) {
		s = xstrndup(buf_ptr(&dp->status), buf_avail(&dp->status));
		n = strlen(s);
		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			s[--n] = '\0';
		p->child_error = s;
	}
}

static void droverd_op_release(struct proc *p, void *arg)
{
	struct droverd *d = arg;
	struct dproc *dp = droverd_dp(p);

	if (dp->out.fd >= 0)
		ev_fd_del(d->loop, dp->out.fd);
	if (dp->err.fd >= 0)
		ev_fd_del(d->loop, dp->err.fd);
	output_close_pipe(&dp->out);
	output_close_pipe(&dp->err);
	if (dp->status_fd >= 0)
		ev_fd_del(d->loop, dp->status_fd);
	fd_close(&dp->status_fd);
	if (dp->in_fd >= 0)
		ev_fd_del(d->loop, dp->in_fd);
	fd_close(&dp->in_fd);
	buf_reset(&dp->inbuf);
	/* supervisord's dispatchers, and the log files they hold, die with
	 * the child. */
	output_open_log(&dp->out, NULL, 0, 0);
	output_open_log(&dp->err, NULL, 0, 0);
}

static void droverd_op_log(int level, const char *msg, void *arg)
{
	struct droverd *d = arg;

	mainlog_write(d->ml, level, msg);
}

static void droverd_op_changed(struct proc *p, enum proc_state old, void *arg)
{
	struct droverd *d = arg;
	size_t i;

	for (i = 0; i < d->nobs; i++)
		d->obs[i].cb(d, droverd_dp(p), old, d->obs[i].arg);
	if (d->stopping)
		droverd_schedule_step(d);
}

static uint64_t droverd_op_now(void *arg)
{
	(void)arg;
	return ev_clock_ms();
}

static double droverd_op_wall(void *arg)
{
	struct timeval tv;

	(void)arg;
	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int droverd_op_may_spawn(void *arg)
{
	struct droverd *d = arg;

	return d->mood > DROVERD_RESTARTING;
}

/* ---- groups ---- */

static char *droverd_log_name(struct droverd *d, const struct pconf *pc, const struct chanconf *cc,
                              const char *channel)
{
	char *path = NULL;
	int r;

	if (cc->kind == CHANLOG_FILE)
		return xstrdup(cc->path);
	if (cc->kind != CHANLOG_AUTO)
		return NULL;
	if ((r = logfile_auto_name(d->conf->childlogdir, pc->name, channel, d->conf->identifier, &path)) != 0) {
		mainlog_printf(d->ml, LEVEL_ERRO, "%s: cannot create an AUTO %s log in %s: %s; its %s is not logged",
		               pc->name, channel, d->conf->childlogdir, strerror(-r), channel);
		return NULL;
	}
	return path;
}

struct dgroup *droverd_group_make(struct droverd *d, struct gconf *gc)
{
	struct dgroup *g = xcalloc(1, sizeof(*g));
	const struct pconf *pc;
	struct dproc *dp;
	size_t i;

	g->conf = gconf_ref(gc);
	g->d = d;
	g->procs = xcalloc(gc->nprocs + 1, sizeof(*g->procs));
	for (i = 0; i < gc->nprocs; i++) {
		pc = gc->procs[i];
		dp = xcalloc(1, sizeof(*dp));
		proc_init(&dp->p, pc, gc->name, &d->ops);
		dp->p.rt = dp;
		dp->d = d;
		dp->g = g;
		dp->in_fd = -1;
		dp->status_fd = -1;
		buf_init(&dp->status, DROVERD_STATUS_MAX);
		buf_init(&dp->inbuf, DROVERD_STDIN_MAX);
		output_init(&dp->out, pc->name, "stdout", d->ml);
		output_init(&dp->err, pc->name, "stderr", d->ml);
		dp->out.syslog = pc->out.syslog;
		dp->err.syslog = pc->err.syslog;
		dp->out.strip_ansi = dp->err.strip_ansi = d->conf->strip_ansi;
		dp->out.capture_max = pc->out.capture_maxbytes;
		dp->err.capture_max = pc->err.capture_maxbytes;
		if (pc->redirect_stderr)
			dp->out.tail = &dp->p.tail;
		else
			dp->err.tail = &dp->p.tail;
		dp->stdout_logfile = droverd_log_name(d, pc, &pc->out, "stdout");
		dp->stderr_logfile = droverd_log_name(d, pc, &pc->err, "stderr");
		g->procs[g->nprocs++] = dp;
	}
	return g;
}

void droverd_group_free(struct dgroup *g)
{
	struct dproc *dp;
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->nprocs; i++) {
		dp = g->procs[i];
		ev_timer_del(g->d->loop, dp->timer);
		droverd_op_release(&dp->p, g->d);
		output_fini(&dp->out);
		output_fini(&dp->err);
		buf_fini(&dp->status);
		buf_fini(&dp->inbuf);
		free(dp->stdout_logfile);
		free(dp->stderr_logfile);
		proc_fini(&dp->p);
		free(dp);
	}
	free(g->procs);
	gconf_unref(g->conf);
	free(g);
}

/* ---- reaping and signals ---- */

static struct dproc *droverd_by_pid(struct droverd *d, pid_t pid)
{
	size_t i, j;

	for (i = 0; i < d->ngroups; i++)
		for (j = 0; j < d->groups[i]->nprocs; j++)
			if (d->groups[i]->procs[j]->p.pid == pid)
				return d->groups[i]->procs[j];
	return NULL;
}

void droverd_reap(struct droverd *d)
{
	struct dproc *dp;
	char msg[128];
	pid_t pid;
	int status, es;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return;
		if ((dp = droverd_by_pid(d, pid)) == NULL) {
			proc_decode_status(status, &es, msg, sizeof(msg));
			mainlog_printf(d->ml, LEVEL_INFO, "reaped unknown pid %d (%s)", (int)pid, msg);
			continue;
		}
		proc_event(&dp->p, PEV_EXIT, status);
	}
}

int droverd_load_config(struct droverd *d, struct dconf **confp, struct diag *err)
{
	struct config_cli cli;

	if (d->cli != NULL)
		cli = *d->cli;
	else
		memset(&cli, 0, sizeof(cli));
	return config_load(d->conf->configfile, &cli, confp, err);
}

static void droverd_signal_cb(struct ev_loop *loop, int sig, void *arg)
{
	struct droverd *d = arg;
	struct diag err;
	char buf[24];
	size_t i, j;

	(void)loop;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
	case SIGQUIT:
		mainlog_printf(d->ml, LEVEL_WARN, "received %s indicating exit request", conv_signame(sig, buf));
		droverd_shutdown(d);
		break;
	case SIGHUP:
		if (d->mood == DROVERD_SHUTDOWN) {
			mainlog_printf(d->ml, LEVEL_WARN,
			               "ignored %s indicating restart request (shutdown in progress)", conv_signame(sig, buf));
			break;
		}
		mainlog_printf(d->ml, LEVEL_WARN, "received %s indicating restart request", conv_signame(sig, buf));
		diag_init(&err);
		droverd_restart(d, &err);
		diag_fini(&err);
		break;
	case SIGUSR2:
		mainlog_printf(d->ml, LEVEL_INFO, "received %s indicating log reopen request", conv_signame(sig, buf));
		mainlog_write(d->ml, LEVEL_INFO, "supervisord logreopen");
		mainlog_reopen(d->ml);
		for (i = 0; i < d->ngroups; i++) {
			for (j = 0; j < d->groups[i]->nprocs; j++) {
				struct dproc *dp = d->groups[i]->procs[j];

				if (dp->out.has_log)
					logfile_reopen(&dp->out.log);
				if (dp->err.has_log)
					logfile_reopen(&dp->err.log);
			}
		}
		break;
	case SIGCHLD:
		mainlog_printf(d->ml, LEVEL_DEBG, "received %s indicating a child quit", conv_signame(sig, buf));
		droverd_reap(d);
		break;
	default:
		mainlog_printf(d->ml, LEVEL_BLAT, "received %s indicating nothing", conv_signame(sig, buf));
		break;
	}
}

/* ---- the ordered stop ---- */

static int droverd_group_unstopped(const struct dgroup *g)
{
	size_t i;

	for (i = 0; i < g->nprocs; i++)
		if (!proc_is_stopped(g->procs[i]->p.state))
			return 1;
	return 0;
}

static int droverd_gcmp(const void *a, const void *b)
{
	const struct dgroup *x = *(struct dgroup *const *)a, *y = *(struct dgroup *const *)b;

	if (x->conf->priority != y->conf->priority)
		return x->conf->priority < y->conf->priority ? -1 : 1;
	return strcmp(x->conf->name, y->conf->name);
}

/* supervisord's stop_all(): the group's processes in descending priority. */
static void droverd_group_stop_all(struct dgroup *g)
{
	struct dproc **list;
	size_t n, i;

	dgroup_sorted(g, &list, &n);
	for (i = n; i > 0; i--)
		proc_event(&list[i - 1]->p, PEV_GROUP_STOP, 0);
	free(list);
}

static void droverd_step(struct droverd *d);

static void droverd_step_cb(struct ev_loop *loop, void *arg)
{
	struct droverd *d = arg;

	(void)loop;
	d->step_timer = 0;
	droverd_step(d);
}

static void droverd_report_cb(struct ev_loop *loop, void *arg)
{
	struct droverd *d = arg;

	(void)loop;
	d->report_timer = 0;
	droverd_step(d);
}

void droverd_schedule_step(struct droverd *d)
{
	if (d->step_timer == 0)
		d->step_timer = ev_timer_add(d->loop, 0, droverd_step_cb, d);
}

/* One pass of supervisord's shutdown: stop the group with the highest
 * priority number that still runs something, report what is left (every
 * 3 s), and end once everything is stopped. */
static void droverd_step(struct droverd *d)
{
	uint64_t now = ev_clock_ms();
	struct buf names;
	struct dgroup *g;
	size_t i, j;
	int any = 0;

	if (!d->stopping) {
		d->stopping = 1;
		free(d->stop_groups);
		d->stop_groups = xcalloc(d->ngroups + 1, sizeof(*d->stop_groups));
		memcpy(d->stop_groups, d->groups, d->ngroups * sizeof(*d->groups));
		d->nstop = d->ngroups;
		qsort(d->stop_groups, d->nstop, sizeof(*d->stop_groups), droverd_gcmp);
	}
	while (d->nstop > 0) {
		g = d->stop_groups[d->nstop - 1];
		droverd_group_stop_all(g);
		if (droverd_group_unstopped(g))
			break;
		d->nstop--;
	}
	buf_init(&names, 0);
	for (i = 0; i < d->ngroups; i++) {
		for (j = 0; j < d->groups[i]->nprocs; j++) {
			if (proc_is_stopped(d->groups[i]->procs[j]->p.state))
				continue;
			if (any++)
				buf_puts(&names, ", ");
			buf_puts(&names, d->groups[i]->procs[j]->p.conf->name);
		}
	}
	if (!any) {
		buf_fini(&names);
		ev_timer_del(d->loop, d->report_timer);
		d->report_timer = 0;
		d->done = 1;
		return;
	}
	if (d->lastshutdownreport == 0 || now > d->lastshutdownreport + 3000) {
		mainlog_printf(d->ml, LEVEL_INFO, "waiting for %s to die", buf_str(&names));
		d->lastshutdownreport = now;
	}
	buf_fini(&names);
	if (d->report_timer == 0)
		d->report_timer = ev_timer_add(d->loop, d->lastshutdownreport + 3001 - now, droverd_report_cb, d);
}

int droverd_shutdown(struct droverd *d)
{
	d->mood = DROVERD_SHUTDOWN;
	droverd_schedule_step(d);
	return FAULT_OK;
}

int droverd_restart(struct droverd *d, struct diag *err)
{
	struct dconf *nc = NULL;
	char *msg;

	/* supervisord re-reads only once everything has stopped, and exits if
	 * the file no longer loads; droverd reads first and keeps running. */
	if (droverd_load_config(d, &nc, err) != 0) {
		msg = diag_format(err);
		mainlog_printf(d->ml, LEVEL_ERRO, "restart refused, the configuration does not load: %s", msg);
		free(msg);
		return FAULT_CANT_REREAD;
	}
	config_free(d->next);
	d->next = nc;
	d->mood = DROVERD_RESTARTING;
	droverd_schedule_step(d);
	return FAULT_OK;
}

/* ---- life cycle ---- */

static void droverd_cleanup_warn(const char *path, void *arg)
{
	struct droverd *d = arg;
	char *rep = conv_repr(path);

	mainlog_printf(d->ml, LEVEL_WARN, "Failed to clean up %s", rep);
	free(rep);
}

struct droverd *droverd_new(struct ev_loop *loop, struct dconf *conf, const struct config_cli *cli,
                            struct mainlog *ml)
{
	static const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD, SIGUSR2};
	struct droverd *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->loop = loop;
	d->conf = d->avail = conf;
	d->cli = cli;
	d->ml = ml;
	d->mood = DROVERD_RUNNING;
	d->ops.spawn = droverd_op_spawn;
	d->ops.kill = droverd_op_kill;
	d->ops.arm = droverd_op_arm;
	d->ops.drain = droverd_op_drain;
	d->ops.release = droverd_op_release;
	d->ops.log = droverd_op_log;
	d->ops.changed = droverd_op_changed;
	d->ops.now_ms = droverd_op_now;
	d->ops.wall = droverd_op_wall;
	d->ops.may_spawn = droverd_op_may_spawn;
	d->ops.arg = d;
	for (i = 0; i < conf->ncriticals; i++)
		mainlog_write(ml, LEVEL_CRIT, conf->criticals[i]);
	for (i = 0; i < conf->nwarnings; i++)
		mainlog_write(ml, LEVEL_WARN, conf->warnings[i]);
	for (i = 0; i < conf->ninfos; i++)
		mainlog_write(ml, LEVEL_INFO, conf->infos[i]);
	if (!conf->nocleanup &&
	    logfile_clear_autodir(conf->childlogdir, conf->identifier, droverd_cleanup_warn, d) != 0)
		mainlog_write(ml, LEVEL_WARN, "Could not clear childlog dir");
	d->groups = xcalloc(conf->ngroups + 1, sizeof(*d->groups));
	for (i = 0; i < conf->ngroups; i++)
		d->groups[d->ngroups++] = droverd_group_make(d, conf->groups[i]);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		ev_signal_add(loop, sigs[i], droverd_signal_cb, d);
	return d;
}

void droverd_start_all(struct droverd *d)
{
	struct dgroup **order;
	size_t i, j, n = d->ngroups;

	/* supervisord's loop walks the groups by priority, each group's
	 * processes in configuration order. */
	order = xcalloc(n + 1, sizeof(*order));
	memcpy(order, d->groups, n * sizeof(*order));
	qsort(order, n, sizeof(*order), droverd_gcmp);
	for (i = 0; i < n; i++)
		for (j = 0; j < order[i]->nprocs; j++)
			proc_event(&order[i]->procs[j]->p, PEV_AUTOSTART, 0);
	free(order);
}

int droverd_run(struct droverd *d)
{
	while (!d->done)
		if (ev_run_once(d->loop, -1) != 0)
			break;
	return d->mood;
}

struct dconf *droverd_take_next_config(struct droverd *d)
{
	struct dconf *c = d->mood == DROVERD_RESTARTING ? d->next : NULL;

	if (c != NULL)
		d->next = NULL;
	return c;
}

void droverd_free(struct droverd *d)
{
	size_t i;

	if (d == NULL)
		return;
	ev_timer_del(d->loop, d->step_timer);
	ev_timer_del(d->loop, d->report_timer);
	for (i = 0; i < d->ngroups; i++)
		droverd_group_free(d->groups[i]);
	free(d->groups);
	free(d->stop_groups);
	free(d->obs);
	if (d->avail != d->conf)
		config_free(d->avail);
	config_free(d->conf);
	config_free(d->next);
	mainlog_close(d->ml);
	free(d);
}
