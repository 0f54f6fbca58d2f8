/* droverd's configuration loader: defaults, expansions, includes, numprocs,
 * groups, errors with file:line and option, and warnings. Each test writes
 * its files into a fresh temporary directory. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/xmalloc.h"
#include "droverd/config.h"
#include "droverd/conv.h"
#include "t.h"

static char tmpdir[64];

static void put(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f;

	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	free(path);
}

static void rm_rf(const char *path)
{
	struct dirent *de;
	struct stat st;
	char *sub;
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			sub = xasprintf("%s/%s", path, de->d_name);
			rm_rf(sub);
			free(sub);
		}
		closedir(d);
		rmdir(path);
		return;
	}
	unlink(path);
}

static void fresh(void)
{
	if (tmpdir[0])
		rm_rf(tmpdir);
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/droverd-cfg.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		exit(1);
}

/* Loads main.conf; returns the configuration or NULL with *msgp the error. */
static struct dconf *load(char **msgp)
{
	char *path = xasprintf("%s/main.conf", tmpdir);
	struct dconf *c = NULL;
	struct diag d;

	diag_init(&d);
	*msgp = NULL;
	if (config_load(path, NULL, &c, &d) != 0)
		*msgp = diag_format(&d);
	diag_fini(&d);
	free(path);
	return c;
}

/* Expects an error containing want (after the temp dir is replaced by @). */
static void expect_error(const char *text, const char *want)
{
	struct dconf *c;
	char *msg, *at;
	size_t n = strlen(tmpdir);

	put("main.conf", text);
	c = load(&msg);
	T_CHECK(c == NULL);
	config_free(c);
	if (msg == NULL)
		return;
	while ((at = strstr(msg, tmpdir)) != NULL) {
		*at = '@';
		memmove(at + 1, at + n, strlen(at + n) + 1);
	}
	if (strstr(msg, want) == NULL) {
		printf("#   error \"%s\" lacks \"%s\"\n", msg, want);
		t_failed_checks++;
	}
	free(msg);
}

static int has_warning(const struct dconf *c, const char *part)
{
	size_t i;

	for (i = 0; i < c->nwarnings; i++)
		if (strstr(c->warnings[i], part) != NULL)
			return 1;
	return 0;
}

static void test_defaults(void)
{
	struct dconf *c;
	struct pconf *p;
	char *msg, *cwd = getcwd(NULL, 0), *want;

	fresh();
	put("main.conf", "[supervisord]\n[program:web]\ncommand=/bin/sleep 100\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		printf("#   %s\n", msg);
		free(msg);
		free(cwd);
		return;
	}
	want = xasprintf("%s/supervisord.log", cwd);
	T_EQ_STR(c->logfile, want);
	free(want);
	T_EQ_INT(c->logfile_maxbytes, 50 * 1024 * 1024);
	T_EQ_INT(c->logfile_backups, 10);
	T_EQ_INT(c->loglevel, LEVEL_INFO);
	T_EQ_INT(c->umask, 022);
	T_EQ_INT(c->minfds, 1024);
	T_EQ_INT(c->minprocs, 200);
	T_EQ_STR(c->identifier, "supervisor");
	T_EQ_INT(c->nodaemon, 0);
	T_EQ_INT(c->ngroups, 1);
	T_CHECK(c->serverurl == NULL);
	p = c->groups[0]->procs[0];
	T_EQ_STR(p->name, "web");
	T_EQ_STR(p->group, "web");
	T_EQ_INT(p->priority, 999);
	T_EQ_INT(p->autostart, 1);
	T_EQ_INT(p->autorestart, AUTORESTART_UNEXPECTED);
	T_EQ_INT(p->startsecs, 1);
	T_EQ_INT(p->startretries, 3);
	T_EQ_INT(p->stopsignal, 15);
	T_EQ_INT(p->stopwaitsecs, 10);
	T_EQ_INT(p->stopasgroup, 0);
	T_EQ_INT(p->killasgroup, 0);
	T_EQ_INT(p->nexitcodes, 1);
	T_EQ_INT(p->exitcodes[0], 0);
	T_EQ_INT(p->out.kind, CHANLOG_AUTO);
	T_EQ_INT(p->err.kind, CHANLOG_AUTO);
	T_EQ_INT(p->out.maxbytes, 50 * 1024 * 1024);
	T_EQ_INT(p->out.backups, 10);
	T_EQ_INT(p->umask, -1);
	T_CHECK(p->directory == NULL);
	T_CHECK(!p->has_uid);
	T_EQ_INT(p->numprocs, 1);
	config_free(c);
	free(cwd);
}

static void test_expansions_and_numprocs(void)
{
	struct dconf *c;
	struct pconf *p;
	char *msg, *want;

	fresh();
	setenv("DROVERD_TEST_X", "fromenv", 1);
	put("main.conf", "[supervisord]\nlogfile=%(here)s/main.log\nenvironment=GLOBAL=\"g v\",SHARED=sup\n"
	                 "[program:w]\nprocess_name=%(program_name)s_%(process_num)02d\nnumprocs=3\n"
	                 "numprocs_start=1\n"
	                 "command=/bin/echo %(ENV_DROVERD_TEST_X)s %(process_num)d/%(numprocs)d %(group_name)s "
	                 "%(ENV_GLOBAL)s %(ENV_LOCAL)s\n"
	                 "environment=LOCAL=l%(process_num)d,SHARED=prog\n"
	                 "stdout_logfile=%(here)s/%(program_name)s-%(process_num)d.log\n"
	                 "directory=/tmp/%(process_num)d\n"
	                 "priority=5\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		printf("#   %s\n", msg);
		free(msg);
		return;
	}
	want = xasprintf("%s/main.log", tmpdir);
	T_EQ_STR(c->logfile, want);
	free(want);
	T_EQ_INT(c->groups[0]->nprocs, 3);
	p = c->groups[0]->procs[0];
	T_EQ_STR(p->name, "w_01");
	T_EQ_STR(p->command, "/bin/echo fromenv 1/3 w g v l1");
	T_EQ_STR(kvlist_get(&p->env, "GLOBAL"), "g v");
	T_EQ_STR(kvlist_get(&p->env, "SHARED"), "prog");
	T_EQ_STR(kvlist_get(&p->env, "LOCAL"), "l1");
	T_EQ_STR(p->directory, "/tmp/1");
	want = xasprintf("%s/w-1.log", tmpdir);
	T_EQ_STR(p->out.path, want);
	free(want);
	T_EQ_STR(c->groups[0]->procs[2]->name, "w_03");
	T_EQ_INT(c->groups[0]->procs[2]->priority, 5);
	config_free(c);
}

static void test_include_and_here(void)
{
	struct dconf *c;
	char *msg, *want;
	size_t i;

	fresh();
	put("main.conf", "[supervisord]\nlogfile=%(here)s/x.log\n[include]\nfiles = conf.d/*.conf other.ini\n"
	                 "[program:a]\ncommand=/bin/true\npriority=2\n");
	want = xasprintf("%s/conf.d", tmpdir);
	mkdir(want, 0755);
	free(want);
	put("conf.d/b.conf", "[program:b]\ncommand=/bin/true %(here)s\npriority=1\n");
	put("conf.d/c.conf", "[program:a]\npriority=3\n[group:g]\nprograms=c1,c2\npriority=10\n"
	                     "[program:c1]\ncommand=/bin/true\npriority=7\n[program:c2]\ncommand=/bin/true\n"
	                     "priority=6\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		printf("#   %s\n", msg);
		free(msg);
		return;
	}
	/* sorted by (priority, name); a later file's key wins */
	T_EQ_INT(c->ngroups, 3);
	T_EQ_STR(c->groups[0]->name, "b");
	T_EQ_STR(c->groups[1]->name, "a");
	T_EQ_INT(c->groups[1]->priority, 3);
	T_EQ_STR(c->groups[2]->name, "g");
	/* a [group:x] keeps its programs' order, each program's processes
	 * sorted */
	T_EQ_STR(c->groups[2]->procs[0]->name, "c1");
	T_EQ_STR(c->groups[2]->procs[1]->name, "c2");
	T_EQ_STR(c->groups[2]->procs[0]->group, "g");
	want = xasprintf("/bin/true %s/conf.d", tmpdir);
	T_EQ_STR(c->groups[0]->procs[0]->command, want);
	free(want);
	T_CHECK(has_warning(c, "No file matches via include"));
	T_EQ_INT(c->ninfos, 2);
	for (i = 0; i < c->ninfos; i++)
		T_CHECK(strstr(c->infos[i], "Included extra file") != NULL);
	config_free(c);
}

static void test_unknown_keys_warn(void)
{
	struct dconf *c;
	char *msg;

	fresh();
	put("main.conf", "[supervisord]\nlogfle=/tmp/x\n[program:a]\ncommand=/bin/true\nautostrat=false\n"
	                 "frobnicate=1\n[weird]\nx=1\n[eventlistener:e]\ncommand=x\nevents=TICK_5\n"
	                 "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = "
	                 "supervisor.rpcinterface:make_main_rpcinterface\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		free(msg);
		return;
	}
	T_CHECK(has_warning(c, "main.conf:2: unknown option 'logfle' in [supervisord] (ignored); did you mean "
	                       "'logfile'?"));
	T_CHECK(has_warning(c, "main.conf:5: unknown option 'autostrat' in [program:a] (ignored); did you mean "
	                       "'autostart'?"));
	T_CHECK(has_warning(c, "unknown option 'frobnicate' in [program:a] (ignored)"));
	T_CHECK(has_warning(c, "unknown section [weird]"));
	T_CHECK(has_warning(c, "[eventlistener:e]: droverd does not run eventlistener sections"));
	T_EQ_INT(c->nraw, 1);
	T_EQ_INT(c->groups[0]->procs[0]->autostart, 1);
	config_free(c);
}

static void test_parse_warnings(void)
{
	struct dconf *c;
	char *msg;

	fresh();
	put("main.conf", "[supervisord]\n[program:a]\ncommand=/bin/true\nstdout_logfile_maxbytes=0\n"
	                 "redirect_stderr=true\nstderr_logfile=/tmp/x.log\n[program:b]\ncommand=/bin/true\n"
	                 "stdout_logfile=syslog\nstderr_logfile=NONE\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		free(msg);
		return;
	}
	T_CHECK(has_warning(c, "For [program:a], AUTO logging used for stdout_logfile without rollover, set "
	                       "maxbytes > 0 to avoid filling up filesystem unintentionally"));
	T_CHECK(has_warning(c, "For [program:a], redirect_stderr=true but stderr_logfile has also been set to a "
	                       "filename, the filename has been ignored"));
	T_CHECK(has_warning(c, "For [program:b], stdout_logfile=syslog but this is deprecated and will be removed.  "
	                       "Use stdout_syslog=true to enable syslog instead."));
	T_EQ_INT(c->groups[0]->procs[0]->err.kind, CHANLOG_NONE);
	T_EQ_INT(c->groups[1]->procs[0]->out.kind, CHANLOG_NONE);
	T_EQ_INT(c->groups[1]->procs[0]->out.syslog, 1);
	T_EQ_INT(c->groups[1]->procs[0]->err.kind, CHANLOG_NONE);
	config_free(c);
}

static void test_errors(void)
{
	fresh();
	expect_error("[program:a]\ncommand=x\n", "main.conf: .ini file does not include supervisord section");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nstartsecs=ten\n",
	             "@/main.conf:4: [program:a] startsecs: invalid literal for int() with base 10: 'ten'");
	expect_error("[supervisord]\n[program:a]\nautostart=maybe\n",
	             "@/main.conf:3: [program:a] autostart: not a valid boolean value: 'maybe'");
	expect_error("[supervisord]\n[program:a]\npriority=1\n",
	             "@/main.conf:2: [program:a] program section program:a does not specify a command");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nnumprocs=2\n",
	             "[program:a] process_name: %(process_num) must be present within process_name when numprocs > 1");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nstopasgroup=true\nkillasgroup=false\n",
	             "[program:a] killasgroup: Cannot set stopasgroup=true and killasgroup=false");
	expect_error("[supervisord]\n[program:a]\ncommand=x %(nope)s\n",
	             "@/main.conf:3: [program:a] command: Format string 'x %(nope)s' for 'program:a.command' contains "
	             "names ('nope') which cannot be expanded.");
	expect_error("[supervisord]\n[program:a]\ncommand=x\npriority=%(process_num)d\n",
	             "contains names ('process_num') which cannot be expanded");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nuser=no_such_user_here\n",
	             "[program:a] user: Invalid user name no_such_user_here");
	expect_error("[supervisord]\n[program:a b]\ncommand=x\n",
	             "[program:a b] Invalid name: 'a b' because of character: ' '");
	expect_error("[supervisord]\n[group:g]\nprograms=nope\n",
	             "[group:g] programs: [group:g] names unknown program or fcgi-program nope");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nenvironment=A=\"x\n",
	             "[program:a] environment: No closing quotation");
	expect_error("[supervisord]\n[program:a]\ncommand=x\nstdout_logfile=/no/such/dir/x.log\n",
	             "[program:a] stdout_logfile: The directory named as part of the path /no/such/dir/x.log does not "
	             "exist");
	expect_error("[supervisord]\nchilddir=1\nchildlogdir=/no/such\n",
	             "[supervisord] childlogdir: /no/such is not an existing directory");
	expect_error("[supervisord]\nloglevel=loud\n", "[supervisord] loglevel: bad logging level name 'loud'");
	expect_error("[supervisord]\n[unix_http_server]\nchmod=0700\n",
	             "[unix_http_server] section [unix_http_server] has no file value");
	expect_error("[supervisord]\n[inet_http_server]\nport=127.0.0.1:9001\nusername=u\n",
	             "contains incomplete authentication");
	expect_error("[supervisord]\n[include]\nx=1\n", ".ini file has [include] section, but no files setting");
	expect_error("[supervisord]\ngarbage\n", "@/main.conf:2:1: expected '[section]' or 'key = value'");
	expect_error("[supervisord]\n[rpcinterface:x]\ny=1\n", "section [rpcinterface:x] does not specify a "
	                                                        "supervisor.rpcinterface_factory");
}

static void test_servers_and_ctl(void)
{
	struct dconf *c;
	char *msg, *want;

	fresh();
	put("main.conf", "[supervisord]\n[unix_http_server]\nfile=%(here)s/sv.sock\nchmod=0770\n"
	                 "[inet_http_server]\nport=*:9001\n[supervisorctl]\nserverurl=unix://%(here)s/sv.sock\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		free(msg);
		return;
	}
	T_EQ_INT(c->nservers, 2);
	T_EQ_INT(c->servers[0].family, SRV_INET);
	T_EQ_STR(c->servers[0].host, "");
	T_EQ_INT(c->servers[0].port, 9001);
	T_EQ_INT(c->servers[1].chmod, 0770);
	want = xasprintf("unix://%s/sv.sock", tmpdir);
	T_EQ_STR(c->serverurl, want);
	T_EQ_STR(c->ctl.serverurl, want);
	free(want);
	config_free(c);
}

static void test_default_section_and_comments(void)
{
	struct dconf *c;
	char *msg;

	fresh();
	put("main.conf", "[DEFAULT]\nstartsecs=7\n[supervisord]\n[program:a]\ncommand=/bin/sh -c 'a ; b' ; cut\n"
	                 "stopsignal=INT # comment\n");
	c = load(&msg);
	T_CHECK(c != NULL);
	if (c == NULL) {
		free(msg);
		return;
	}
	T_EQ_INT(c->groups[0]->procs[0]->startsecs, 7);
	T_EQ_STR(c->groups[0]->procs[0]->command, "/bin/sh -c 'a");
	T_EQ_INT(c->groups[0]->procs[0]->stopsignal, 2);
	config_free(c);
}

static void test_cli_overrides(void)
{
	struct config_cli cli;
	struct dconf *c = NULL;
	struct diag d;
	char *path;

	fresh();
	put("main.conf", "[supervisord]\nloglevel=debug\nnodaemon=false\n");
	memset(&cli, 0, sizeof(cli));
	cli.loglevel = "warn";
	cli.nodaemon = 1;
	cli.logfile = "rel.log";
	path = xasprintf("%s/main.conf", tmpdir);
	diag_init(&d);
	T_EQ_INT(config_load(path, &cli, &c, &d), 0);
	if (c != NULL) {
		T_EQ_INT(c->loglevel, LEVEL_WARN);
		T_EQ_INT(c->nodaemon, 1);
		T_CHECK(c->logfile[0] == '/');
		T_CHECK(strstr(c->logfile, "/rel.log") != NULL);
	}
	config_free(c);
	diag_fini(&d);
	free(path);
}

static void test_equality(void)
{
	struct dconf *a, *b;
	char *msg;

	fresh();
	put("main.conf", "[supervisord]\n[program:a]\ncommand=/bin/true\nenvironment=X=1,Y=2\n");
	a = load(&msg);
	put("main.conf", "[supervisord]\n[program:a]\ncommand=/bin/true\nenvironment=Y=2,X=1\n");
	b = load(&msg);
	T_CHECK(a != NULL && b != NULL);
	if (a != NULL && b != NULL)
		T_CHECK(gconf_equal(a->groups[0], b->groups[0]));
	config_free(b);
	put("main.conf", "[supervisord]\n[program:a]\ncommand=/bin/false\nenvironment=Y=2,X=1\n");
	b = load(&msg);
	if (a != NULL && b != NULL)
		T_CHECK(!gconf_equal(a->groups[0], b->groups[0]));
	config_free(a);
	config_free(b);
}

static void test_find(void)
{
	char *found, *tried = NULL, *old = getcwd(NULL, 0);

	fresh();
	if (chdir(tmpdir) != 0)
		return;
	found = config_find("/nonexistent", &tried);
	T_CHECK(found == NULL || strcmp(found, "/etc/supervisord.conf") == 0 ||
	        strcmp(found, "/etc/supervisor/supervisord.conf") == 0);
	free(found);
	T_EQ_STR(tried, "/nonexistent/etc/supervisord.conf, /nonexistent/supervisord.conf, supervisord.conf, "
	                "etc/supervisord.conf, /etc/supervisord.conf, /etc/supervisor/supervisord.conf");
	free(tried);
	put("supervisord.conf", "[supervisord]\n");
	found = config_find("/nonexistent", NULL);
	T_EQ_STR(found, "supervisord.conf");
	free(found);
	if (chdir(old) != 0)
		t_failed_checks++;
	free(old);
}

int main(void)
{
	T_RUN(test_defaults);
	T_RUN(test_expansions_and_numprocs);
	T_RUN(test_include_and_here);
	T_RUN(test_unknown_keys_warn);
	T_RUN(test_parse_warnings);
	T_RUN(test_errors);
	T_RUN(test_servers_and_ctl);
	T_RUN(test_default_section_and_comments);
	T_RUN(test_cli_overrides);
	T_RUN(test_equality);
	T_RUN(test_find);
	rm_rf(tmpdir);
	return T_DONE();
}
