/* The daemon API the control server uses (droverd.h), on a real event loop
 * with real children: name lookup, orders, process information and
 * supervisorctl's descriptions, start/stop/signal faults and waits,
 * observers, reread and the group diff. */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/ev.h"
#include "base/xmalloc.h"
#include "droverd/droverd.h"
#include "t.h"

static char dir[64];
static struct ev_loop *loop;
static struct droverd *D;
static int nchanges;

static void rm_dir(void)
{
	struct dirent *de;
	char *p;
	DIR *d;

	if (!dir[0] || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

static void write_conf(const char *programs)
{
	char *path = xasprintf("%s/supervisord.conf", dir);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		exit(1);
	fprintf(f, "[supervisord]\nlogfile=%%(here)s/main.log\nchildlogdir=%%(here)s\nuser=root\n%s", programs);
	fclose(f);
	free(path);
}

static const char *CONF1 = "[program:web]\ncommand=sleep 100\nstartsecs=0\npriority=5\n"
                           "[group:g]\nprograms=b,a\npriority=1\n"
                           "[program:a]\ncommand=sleep 100\nautostart=false\npriority=3\n"
                           "[program:b]\ncommand=sleep 100\nautostart=false\npriority=2\n"
                           "[program:nf]\ncommand=/nonexistent/x\nautostart=false\n";

static void observer(struct droverd *d, struct dproc *p, enum proc_state old, void *arg)
{
	(void)d;
	(void)p;
	(void)old;
	(*(int *)arg)++;
}

/* Runs the loop until cond(p) or 5 s pass. */
static int run_until(int (*cond)(struct dproc *), struct dproc *p)
{
	uint64_t end = ev_clock_ms() + 5000;

	while (cond(p) != FAULT_OK) {
		if (ev_clock_ms() > end)
			return -1;
		ev_run_once(loop, 50);
	}
	return 0;
}

static void setup(void)
{
	struct dconf *c = NULL;
	struct mainlog *ml = NULL;
	struct diag d;
	char *path, *logp;

	snprintf(dir, sizeof(dir), "/tmp/droverd-api.XXXXXX");
	if (mkdtemp(dir) == NULL)
		exit(1);
	write_conf(CONF1);
	path = xasprintf("%s/supervisord.conf", dir);
	diag_init(&d);
	if (config_load(path, NULL, &c, &d) != 0) {
		char *m = diag_format(&d);

		printf("# %s\n", m);
		exit(1);
	}
	free(path);
	logp = xasprintf("%s/main.log", dir);
	if (mainlog_open(logp, 0, 0, LEVEL_INFO, 0, &ml) != 0)
		exit(1);
	free(logp);
	loop = ev_new();
	D = droverd_new(loop, c, NULL, ml);
	droverd_observe(D, observer, &nchanges);
}

static void test_find(void)
{
	struct dgroup *g;
	struct dproc *p;

	T_EQ_INT(droverd_find(D, "web", &g, &p), FAULT_OK);
	T_CHECK(g != NULL && p != NULL);
	if (p != NULL)
		T_EQ_STR(dproc_name(p), "web");
	T_EQ_INT(droverd_find(D, "g:", &g, &p), FAULT_OK);
	T_CHECK(g != NULL && p == NULL);
	T_EQ_INT(droverd_find(D, "g:*", &g, &p), FAULT_OK);
	T_CHECK(p == NULL);
	T_EQ_INT(droverd_find(D, "g:a", &g, &p), FAULT_OK);
	T_CHECK(p != NULL);
	if (p != NULL) {
		char *spec = dproc_namespec(p);

		T_EQ_STR(spec, "g:a");
		free(spec);
	}
	T_EQ_INT(droverd_find(D, "a", &g, &p), FAULT_BAD_NAME);
	T_EQ_INT(droverd_find(D, "g:nope", &g, &p), FAULT_BAD_NAME);
	T_EQ_INT(droverd_find(D, "nope", &g, &p), FAULT_BAD_NAME);
}

static char *names_of(int lexical)
{
	struct dproc **l;
	struct buf b;
	size_t n, i;

	buf_init(&b, 0);
	droverd_all(D, lexical, &l, &n);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s ", dproc_name(l[i]));
	free(l);
	return buf_take(&b, NULL);
}

static void test_orders(void)
{
	char *s;

	s = names_of(1);
	T_EQ_STR(s, "a b nf web ");
	free(s);
	s = names_of(0);
	T_EQ_STR(s, "b a web nf ");
	free(s);
	/* a [group:x] keeps the order its programs= lists */
	T_EQ_STR(dproc_name(dgroup_proc_at(droverd_group(D, "g"), 0)), "b");
}

static void test_info_not_started(void)
{
	struct droverd_info info;
	struct dgroup *g;
	struct dproc *p;

	droverd_find(D, "g:a", &g, &p);
	droverd_info(D, p, &info);
	T_EQ_STR(info.name, "a");
	T_EQ_STR(info.group, "g");
	T_EQ_STR(info.statename, "STOPPED");
	T_EQ_INT(info.start, 0);
	T_EQ_INT(info.pid, 0);
	T_EQ_STR(info.spawnerr, "");
	T_EQ_STR(info.description, "Not started");
	T_CHECK(strstr(info.stdout_logfile, "/a-stdout---supervisor-") != NULL);
}

static void test_describe(void)
{
	struct droverd_info info;
	char out[160];

	memset(&info, 0, sizeof(info));
	info.name = "x";
	info.spawnerr = "";
	info.state = PROC_RUNNING;
	info.pid = 42;
	info.start = 1000;
	info.now = 1005;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "pid 42, uptime 0:00:05");
	info.now = 1000 + 86400 + 2 * 3600 + 3 * 60 + 4;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "pid 42, uptime 1 day, 2:03:04");
	info.now = 1000 + 3 * 86400;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "pid 42, uptime 3 days, 0:00:00");
	info.now = 900;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "pid 42, uptime 0:00:00");
	info.state = PROC_FATAL;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "unknown error (try \"tail x\")");
	info.spawnerr = "Exited too quickly (process log may have details)";
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "Exited too quickly (process log may have details)");
	info.state = PROC_STOPPING;
	droverd_describe(&info, out, sizeof(out));
	T_EQ_STR(out, "");
}

static int is_running(struct dproc *p)
{
	return droverd_start_result(p);
}

static int is_stopped(struct dproc *p)
{
	return droverd_stop_result(p);
}

static void test_start_stop_signal(void)
{
	struct droverd_info info;
	struct dgroup *g;
	struct dproc *p, *nf;
	char *msg = NULL;
	int before = nchanges;

	droverd_find(D, "nf", &g, &nf);
	T_EQ_INT(droverd_start(D, nf, &msg), FAULT_NO_FILE);
	T_EQ_STR(msg, "can't find command '/nonexistent/x'");
	free(msg);
	droverd_find(D, "g:a", &g, &p);
	T_EQ_INT(droverd_stop(D, p), FAULT_NOT_RUNNING);
	T_EQ_INT(droverd_signal(D, p, SIGHUP), FAULT_NOT_RUNNING);
	T_EQ_INT(droverd_start(D, p, NULL), FAULT_OK);
	T_EQ_INT(droverd_start_result(p), -1); /* STARTING for startsecs=1 */
	T_EQ_INT(droverd_start(D, p, NULL), FAULT_ALREADY_STARTED);
	T_EQ_INT(run_until(is_running, p), 0);
	droverd_info(D, p, &info);
	T_EQ_STR(info.statename, "RUNNING");
	T_CHECK(info.pid > 0);
	T_CHECK(strncmp(info.description, "pid ", 4) == 0);
	T_CHECK(nchanges >= before + 2);
	T_EQ_INT(droverd_signal(D, p, SIGCONT), FAULT_OK);
	T_EQ_INT(droverd_send_stdin(D, p, "hello\n", 6), FAULT_OK);
	T_EQ_INT(droverd_stop(D, p), FAULT_OK);
	droverd_stop_report(p);
	T_EQ_INT(run_until(is_stopped, p), 0);
	droverd_info(D, p, &info);
	T_EQ_STR(info.statename, "STOPPED");
	T_EQ_INT(info.exitstatus, -1); /* a signal death; Python's "exitstatus or 0" keeps -1 */
	T_CHECK(strlen(info.description) == strlen("Nov 22 12:00 PM"));
	T_EQ_INT(droverd_send_stdin(D, p, "x", 1), FAULT_NOT_RUNNING);
}

static void test_reread_and_groups(void)
{
	const char **added, **changed, **removed;
	size_t na, nc, nr;
	char **names;
	size_t n;
	struct diag err;

	diag_init(&err);
	write_conf("[program:web]\ncommand=sleep 101\nstartsecs=0\npriority=5\n"
	           "[group:g]\nprograms=b,a\npriority=1\n"
	           "[program:a]\ncommand=sleep 100\nautostart=false\npriority=3\n"
	           "[program:b]\ncommand=sleep 100\nautostart=false\npriority=2\n"
	           "[program:new]\ncommand=sleep 100\nautostart=false\n");
	T_EQ_INT(droverd_reread(D, &added, &na, &changed, &nc, &removed, &nr, &err), FAULT_OK);
	T_EQ_INT(na, 1);
	T_EQ_INT(nc, 1);
	T_EQ_INT(nr, 1);
	if (na == 1 && nc == 1 && nr == 1) {
		T_EQ_STR(added[0], "new");
		T_EQ_STR(changed[0], "web");
		T_EQ_STR(removed[0], "nf");
	}
	free(added);
	free(changed);
	free(removed);
	T_EQ_INT(droverd_group_diff(D, "web", &names, &n), FAULT_OK);
	T_EQ_INT(n, 1);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	T_EQ_INT(droverd_group_diff(D, "g", &names, &n), FAULT_OK);
	T_EQ_INT(n, 0);
	free(names);
	T_EQ_INT(droverd_add_group(D, "new"), FAULT_OK);
	T_EQ_INT(droverd_add_group(D, "new"), FAULT_ALREADY_ADDED);
	T_EQ_INT(droverd_add_group(D, "nope"), FAULT_BAD_NAME);
	T_EQ_INT(droverd_remove_group(D, "nf"), FAULT_OK);
	T_EQ_INT(droverd_remove_group(D, "nf"), FAULT_BAD_NAME);
	/* a bad file: CANT_REREAD, the running configuration stays */
	write_conf("[program:x]\nstartsecs=ten\ncommand=x\n");
	T_EQ_INT(droverd_reread(D, &added, &na, &changed, &nc, &removed, &nr, &err), FAULT_CANT_REREAD);
	T_CHECK(diag_has(&err));
	T_CHECK(droverd_group(D, "new") != NULL);
	diag_fini(&err);
}

static int all_stopped(struct dproc *unused)
{
	(void)unused;
	return droverd_mood(D) == DROVERD_SHUTDOWN ? FAULT_OK : -1;
}

static void test_shutdown(void)
{
	struct dgroup *g;
	struct dproc *web;

	droverd_find(D, "web", &g, &web);
	droverd_start_all(D);
	T_EQ_INT(run_until(is_running, web), 0);
	T_EQ_INT(droverd_shutdown(D), FAULT_OK);
	T_EQ_INT(run_until(all_stopped, NULL), 0);
	T_EQ_INT(droverd_run(D), DROVERD_SHUTDOWN);
	T_CHECK(proc_is_stopped(dproc_proc(web)->state));
	T_CHECK(droverd_take_next_config(D) == NULL);
}

int main(void)
{
	setup();
	T_RUN(test_find);
	T_RUN(test_orders);
	T_RUN(test_info_not_started);
	T_RUN(test_describe);
	T_RUN(test_start_stop_signal);
	T_RUN(test_reread_and_groups);
	T_RUN(test_shutdown);
	droverd_unobserve(D, observer, &nchanges);
	droverd_free(D);
	ev_free(loop);
	rm_dir();
	return T_DONE();
}
