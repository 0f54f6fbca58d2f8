/* droverd: a process supervisor that reads supervisord's configuration and
 * behaves as supervisord 4.2.5 does. Command line, privileges and limits,
 * daemonizing, the pid file, and the run/reload cycle. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ev.h"
#include "base/version.h"
#include "base/xmalloc.h"
#include "droverd/conv.h"
#include "droverd/droverd.h"

#define MAIN_MAX_GROUPS 1024

static const char *main_prog = "droverd";

static const char main_usage[] =
	"droverd -- run a set of applications as daemons (supervisord-compatible).\n"
	"\n"
	"Usage: %s [options]\n"
	"\n"
	"Options:\n"
	"-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
	"-n/--nodaemon -- run in the foreground (same as 'nodaemon=true' in config file)\n"
	"-s/--silent -- no logs to stdout (maps to 'silent=true' in config file)\n"
	"-h/--help -- print this usage message and exit\n"
	"-v/--version -- print droverd version number and exit\n"
	"-u/--user USER -- run droverd as this user (or numeric uid)\n"
	"-m/--umask UMASK -- use this umask for daemon subprocess (default is 022)\n"
	"-d/--directory DIRECTORY -- directory to chdir to when daemonized\n"
	"-l/--logfile FILENAME -- use FILENAME as logfile path\n"
	"-y/--logfile_maxbytes BYTES -- use BYTES to limit the max size of logfile\n"
	"-z/--logfile_backups NUM -- number of backups to keep when max bytes reached\n"
	"-e/--loglevel LEVEL -- use LEVEL as log level (debug,info,warn,error,critical)\n"
	"-j/--pidfile FILENAME -- write a pid file for the daemon process to FILENAME\n"
	"-i/--identifier STR -- identifier used for this instance of droverd\n"
	"-q/--childlogdir DIRECTORY -- the log directory for child process logs\n"
	"-k/--nocleanup --  prevent the process from performing cleanup (removal of\n"
	"                   old automatic child log files) at startup.\n"
	"-a/--minfds NUM -- the minimum number of file descriptors for start success\n"
	"-t/--strip_ansi -- strip ansi escape codes from process output\n"
	"--minprocs NUM  -- the minimum number of processes available for start success\n"
	"--profile_options OPTIONS -- accepted for compatibility; ignored\n";

/* supervisord's usage(): the message, a hint, status 2. */
static _Noreturn void main_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void main_die(const char *fmt, ...)
{
	va_list ap;

	fputs("Error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nFor help, use %s -h\n", main_prog);
	exit(2);
}

enum main_kind { MK_FLAG, MK_ARG };

struct main_opt {
	char shortc;
	const char *longname;
	enum main_kind kind;
	const char **strp;  /* MK_ARG target */
	int *flagp;         /* MK_FLAG target */
	int (*check)(const char *v, char **errp);
};

static int main_check_octal(const char *v, char **errp)
{
	long o;

	return conv_octal(v, &o, errp);
}

static int main_check_dir(const char *v, char **errp)
{
	char *o = NULL;
	int r = conv_existing_directory(v, &o, errp);

	free(o);
	return r;
}

static int main_check_dirpath(const char *v, char **errp)
{
	char *o = NULL;
	int r = conv_existing_dirpath(v, &o, errp);

	free(o);
	return r;
}

static int main_check_bytes(const char *v, char **errp)
{
	long long n;

	return conv_byte_size(v, &n, errp);
}

static int main_check_int(const char *v, char **errp)
{
	long long n;

	return conv_int(v, &n, errp);
}

static int main_check_level(const char *v, char **errp)
{
	int n;

	return conv_loglevel(v, &n, errp);
}

static struct config_cli main_cli;
static int main_help, main_version;
static const char *main_profile;

static const struct main_opt main_opts[] = {
	{'h', "help", MK_FLAG, NULL, &main_help, NULL},
	{'?', NULL, MK_FLAG, NULL, &main_help, NULL},
	{'c', "configuration", MK_ARG, &main_cli.configfile, NULL, NULL},
	{'v', "version", MK_FLAG, NULL, &main_version, NULL},
	{'n', "nodaemon", MK_FLAG, NULL, &main_cli.nodaemon, NULL},
	{'u', "user", MK_ARG, &main_cli.user, NULL, NULL},
	{'m', "umask", MK_ARG, &main_cli.umask, NULL, main_check_octal},
	{'d', "directory", MK_ARG, &main_cli.directory, NULL, main_check_dir},
	{'l', "logfile", MK_ARG, &main_cli.logfile, NULL, main_check_dirpath},
	{'y', "logfile_maxbytes", MK_ARG, &main_cli.logfile_maxbytes, NULL, main_check_bytes},
	{'z', "logfile_backups", MK_ARG, &main_cli.logfile_backups, NULL, main_check_int},
	{'e', "loglevel", MK_ARG, &main_cli.loglevel, NULL, main_check_level},
	{'j', "pidfile", MK_ARG, &main_cli.pidfile, NULL, main_check_dirpath},
	{'i', "identifier", MK_ARG, &main_cli.identifier, NULL, NULL},
	{'q', "childlogdir", MK_ARG, &main_cli.childlogdir, NULL, main_check_dir},
	{'a', "minfds", MK_ARG, &main_cli.minfds, NULL, main_check_int},
	{'k', "nocleanup", MK_FLAG, NULL, &main_cli.nocleanup, NULL},
	{'t', "strip_ansi", MK_FLAG, NULL, &main_cli.strip_ansi, NULL},
	{0, "profile_options", MK_ARG, &main_profile, NULL, NULL},
	{'s', "silent", MK_FLAG, NULL, &main_cli.silent, NULL},
	{0, "minprocs", MK_ARG, &main_cli.minprocs, NULL, main_check_int},
};
#define MAIN_NOPTS (sizeof(main_opts) / sizeof(main_opts[0]))

static void main_set(const struct main_opt *o, const char *shown, const char *arg)
{
	char *err = NULL, *rep;

	if (o->check != NULL && o->check(arg, &err) != 0) {
		rep = conv_repr(arg);
		main_die("invalid value for %s %s: %s", shown, rep, err);
	}
	if (o->kind == MK_FLAG) {
		/* -h and -v act at once, as supervisord's handlers do. */
		if (o->flagp == &main_help || o->flagp == &main_version) {
			*o->flagp = 1;
			return;
		}
		if (*o->flagp) {
			rep = conv_repr(shown);
			main_die("conflicting command line option %s", rep);
		}
		*o->flagp = 1;
		return;
	}
	if (*o->strp != NULL) {
		rep = conv_repr(shown);
		main_die("conflicting command line option %s", rep);
	}
	*o->strp = arg;
}

/* Python's getopt.getopt: short options may be grouped, long options may
 * be abbreviated to a unique prefix, and the first non-option ends them. */
static void main_parse(int argc, char **argv)
{
	const struct main_opt *o;
	const char *a, *eq, *arg;
	char shown[4];
	size_t len, i, hits;
	int k;

	for (k = 1; k < argc; k++) {
		a = argv[k];
		if (strcmp(a, "--") == 0) {
			k++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (a[1] == '-') {
			eq = strchr(a + 2, '=');
			len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
			o = NULL;
			for (i = 0, hits = 0; i < MAIN_NOPTS; i++) {
				if (main_opts[i].longname == NULL || strncmp(main_opts[i].longname, a + 2, len) != 0)
					continue;
				if (strlen(main_opts[i].longname) == len) {
					o = &main_opts[i];
					hits = 1;
					break;
				}
				o = &main_opts[i];
				hits++;
			}
			if (hits == 0)
				main_die("option --%.*s not recognized", (int)len, a + 2);
			if (hits > 1)
				main_die("option --%.*s not a unique prefix", (int)len, a + 2);
			if (o->kind == MK_FLAG) {
				if (eq != NULL)
					main_die("option --%s must not have an argument", o->longname);
				arg = NULL;
			} else if (eq != NULL) {
				arg = eq + 1;
			} else {
				if (k + 1 >= argc)
					main_die("option --%s requires argument", o->longname);
				arg = argv[++k];
			}
			char *long_shown = xasprintf("--%s", o->longname);
			main_set(o, long_shown, arg);
			free(long_shown);
			continue;
		}
		for (a = a + 1; *a; a++) {
			for (i = 0; i < MAIN_NOPTS && main_opts[i].shortc != *a; i++)
				;
			if (i == MAIN_NOPTS || *a == 0)
				main_die("option -%c not recognized", *a);
			o = &main_opts[i];
			snprintf(shown, sizeof(shown), "-%c", *a);
			if (o->kind == MK_FLAG) {
				main_set(o, shown, NULL);
				continue;
			}
			if (a[1] != '\0') {
				arg = a + 1;
			} else {
				if (k + 1 >= argc)
					main_die("option -%c requires argument", *a);
				arg = argv[++k];
			}
			main_set(o, shown, arg);
			break;
		}
	}
	if (k < argc) {
		struct buf b;

		buf_init(&b, 0);
		buf_putc(&b, '[');
		for (; k < argc; k++) {
			char *rep = conv_repr(argv[k]);

			buf_puts(&b, rep);
			free(rep);
			if (k + 1 < argc)
				buf_puts(&b, ", ");
		}
		buf_putc(&b, ']');
		main_die("positional arguments are not supported: %s", buf_str(&b));
	}
}

static void main_add(char ***lp, size_t *np, char *msg)
{
	*lp = xreallocarray(*lp, *np + 1, sizeof(**lp));
	(*lp)[(*np)++] = msg;
}

/* supervisord's set_uid_or_exit(). */
static void main_set_uid(struct dconf *c)
{
	gid_t groups[MAIN_MAX_GROUPS];
	struct passwd *pw;
	int n = MAIN_MAX_GROUPS;

	if (!c->has_uid) {
		if (getuid() == 0)
			main_add(&c->criticals, &c->ncriticals,
			         xstrdup("Supervisor is running as root.  Privileges were not dropped because no user is "
			                 "specified in the config file.  If you intend to run as root, you can set "
			                 "user=root in the config file to avoid this message."));
		return;
	}
	if ((pw = getpwuid(c->uid)) == NULL)
		main_die("Can't find uid %lld", (long long)c->uid);
	if (getuid() != c->uid) {
		if (getuid() != 0)
			main_die("Can't drop privilege as nonroot user");
		if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &n) < 0)
			n = MAIN_MAX_GROUPS;
		if (setgroups((size_t)n, groups) < 0)
			main_die("Could not set groups of effective user");
		if (setgid(pw->pw_gid) < 0)
			main_die("Could not set group id of effective user");
		if (setuid(c->uid) < 0)
			main_die("Could not set user id of effective user: %s", strerror(errno));
	}
	main_add(&c->infos, &c->ninfos, xasprintf("Set uid to user %lld succeeded", (long long)c->uid));
}

/* supervisord's set_rlimits_or_exit(): raise the soft limit (and the hard
 * one when it is lower, which only root may) or refuse to start. */
static void main_rlimits(struct dconf *c)
{
	static const struct {
		int res;
		const char *name, *what, *setting, *noun;
	} lims[] = {
		{RLIMIT_NOFILE, "RLIMIT_NOFILE", "file descriptors required to run this process", "minfds",
		 "file descriptors"},
		{RLIMIT_NPROC, "RLIMIT_NPROC", "available processes required to run this program", "minprocs",
		 "processes"},
	};
	struct rlimit rl;
	long long min;
	size_t i;

	for (i = 0; i < 2; i++) {
		min = i == 0 ? c->minfds : c->minprocs;
		if (getrlimit(lims[i].res, &rl) != 0)
			continue;
		if (rl.rlim_cur == RLIM_INFINITY || (long long)rl.rlim_cur >= min)
			continue;
		if (rl.rlim_max != RLIM_INFINITY && (long long)rl.rlim_max < min)
			rl.rlim_max = (rlim_t)min;
		rl.rlim_cur = (rlim_t)min;
		if (min < 0 || setrlimit(lims[i].res, &rl) != 0) {
			getrlimit(lims[i].res, &rl);
			main_die("The minimum number of %s is %lld as per the \"%s\" command-line argument or config file "
			         "setting. The current environment will only allow you to open %lld %s.  Either raise the "
			         "number of usable %s in your environment (see README.rst) or lower the %s setting in the "
			         "config file to allow the process to start.",
			         lims[i].what, min, lims[i].setting,
			         rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max, lims[i].noun, lims[i].noun,
			         lims[i].setting);
		}
		main_add(&c->infos, &c->ninfos, xasprintf("Increased %s limit to %lld", lims[i].name, min));
	}
}

static void main_std_fds(void)
{
	int fd;

	/* The children's pipes must never land on 0-2. */
	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static void main_daemonize(struct dconf *c, struct mainlog *ml)
{
	pid_t pid = fork();
	int fd;
	char *rep;

	if (pid < 0)
		main_die("cannot fork to daemonize: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	mainlog_write(ml, LEVEL_INFO, "daemonizing the supervisord process");
	if (c->directory != NULL) {
		rep = conv_repr(c->directory);
		if (chdir(c->directory) < 0)
			mainlog_printf(ml, LEVEL_CRIT, "can't chdir into %s: %s", rep, strerror(errno));
		else
			mainlog_printf(ml, LEVEL_INFO, "set current directory: %s", rep);
		free(rep);
	}
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setsid();
	umask((mode_t)c->umask);
}

static int main_write_pidfile(struct dconf *c, struct mainlog *ml)
{
	char line[32];
	int fd, n;

	fd = open(c->pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
	if (fd < 0 || write(fd, line, (size_t)n) != n) {
		if (fd >= 0)
			close(fd);
		mainlog_printf(ml, LEVEL_CRIT, "could not write pidfile %s", c->pidfile);
		return 0;
	}
	close(fd);
	mainlog_printf(ml, LEVEL_INFO, "supervisord started with pid %d", (int)getpid());
	return 1;
}

int main(int argc, char **argv)
{
	struct ev_loop *loop;
	struct mainlog *ml;
	struct droverd *d;
	struct dconf *conf = NULL;
	struct diag err;
	struct sigaction sa;
	char *path, *tried = NULL, *dir, *msg;
	int first = 1, mood, wrote_pid, r;

	if (argc > 0 && argv[0] != NULL && *argv[0])
		main_prog = argv[0];
	main_std_fds();
	main_parse(argc, argv);
	if (main_help) {
		printf(main_usage, main_prog);
		return 0;
	}
	if (main_version) {
		printf("%s\n", DROVER_VERSION);
		return 0;
	}
	if (main_cli.user != NULL) {
		uid_t uid;
		char *e = NULL;

		if (conv_uid(main_cli.user, &uid, &e) != 0)
			main_die("%s", e);
	}
	if (main_cli.configfile != NULL) {
		path = xstrdup(main_cli.configfile);
	} else {
		if (getuid() == 0)
			fprintf(stderr, "%s: warning: running as root and searching for the configuration file in default "
			        "locations (including the current directory); you probably want -c with an absolute "
			        "path to a configuration file for improved security\n", main_prog);
		dir = config_argv0dir(argv[0] ? argv[0] : "droverd");
		path = config_find(dir, &tried);
		free(dir);
		if (path == NULL)
			main_die("No config file found at default paths (%s); use the -c option to specify a config file "
			         "at a different path", tried);
		free(tried);
	}
	/* Re-reads (SIGHUP, reread) happen after daemonizing may have changed
	 * the directory: keep the file's absolute name. */
	if (path[0] != '/') {
		char *abs = conv_normalize_path(path);

		free(path);
		path = abs;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	loop = ev_new();
	for (;;) {
		if (conf == NULL) {
			diag_init(&err);
			if (config_load(path, &main_cli, &conf, &err) != 0) {
				msg = diag_format(&err);
				main_die("%s", msg);
			}
			diag_fini(&err);
		}
		main_set_uid(conf);
		if (first)
			main_rlimits(conf);
		if ((r = mainlog_open(conf->logfile, conf->logfile_maxbytes, conf->logfile_backups, conf->loglevel,
		                      conf->nodaemon && !conf->silent, &ml)) != 0)
			main_die("cannot open the log file %s: %s", conf->logfile, strerror(-r));
		d = droverd_new(loop, conf, &main_cli, ml);
		conf = NULL;
		if (droverd_ctl_open && droverd_ctl_open(d) != 0)
			exit(2);
		if (!droverd_config(d)->nodaemon && first)
			main_daemonize((struct dconf *)droverd_config(d), ml);
		wrote_pid = main_write_pidfile((struct dconf *)droverd_config(d), ml);
		droverd_start_all(d);
		mood = droverd_run(d);
		if (droverd_ctl_close)
			droverd_ctl_close(d);
		if (wrote_pid)
			unlink(droverd_config(d)->pidfile);
		conf = droverd_take_next_config(d);
		droverd_free(d);
		if (mood != DROVERD_RESTARTING)
			break;
		first = 0;
	}
	ev_free(loop);
	free(path);
	return 0;
}
