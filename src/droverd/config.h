/* droverd's configuration: supervisord's INI files read as supervisord
 * 4.2.5 reads them (lookup order, [include], %(name)s expansions, value
 * types, defaults and errors), into plain structures.
 *
 * Sections understood: [supervisord], [supervisorctl], [unix_http_server]
 * and [inet_http_server] (and their ":name" variants), [program:x],
 * [group:x], [include], [rpcinterface:x] and [ctlplugin:x] (kept for the
 * control server, not interpreted). [eventlistener:x] and [fcgi-program:x]
 * load with a warning and are not run. Unknown keys and sections are
 * warned about, never fatal (supervisord ignores them silently).
 *
 * Errors name file:line, the section and the option, then supervisord's own
 * words: "/etc/x.conf:12: [program:web] startsecs: invalid literal for int()
 * with base 10: 'ten'". */
#ifndef DROVER_DROVERD_CONFIG_H
#define DROVER_DROVERD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/diag.h"
#include "droverd/kvpairs.h"

/* Main-log levels, supervisord's numbers. */
enum {
	LEVEL_BLAT = 3,
	LEVEL_TRAC = 5,
	LEVEL_DEBG = 10,
	LEVEL_INFO = 20,
	LEVEL_WARN = 30,
	LEVEL_ERRO = 40,
	LEVEL_CRIT = 50,
};

enum chanlog_kind {
	CHANLOG_NONE, /* NONE / OFF, or a redirected stderr */
	CHANLOG_AUTO, /* a file in childlogdir, named when the group is added */
	CHANLOG_FILE, /* path */
};

/* One output channel of a program (stdout or stderr). */
struct chanconf {
	enum chanlog_kind kind;
	char *path;             /* owned; CHANLOG_FILE only */
	long long maxbytes;     /* 0: never rotate */
	long long backups;
	long long capture_maxbytes;
	int events_enabled;
	int syslog;             /* also send lines to syslog(3) */
};

/* One process (a program expands to numprocs of them). */
struct pconf {
	char *name;             /* process name, after expansion */
	char *program;          /* the section's name after "program:" */
	char *group;            /* group name */
	char *section;          /* "program:x" */
	const char *file;       /* interned; file of the section header */
	int line;               /* line of the section header */
	char *command;
	char *directory;        /* NULL: none */
	long umask;             /* -1: inherit */
	long long priority;
	int autostart;
	int autorestart;        /* AUTORESTART_* */
	long long startsecs;
	long long startretries;
	int stopsignal;
	long long stopwaitsecs;
	int stopasgroup;
	int killasgroup;
	int redirect_stderr;
	int has_uid;
	uid_t uid;
	char *user;             /* as written; NULL when has_uid is 0 */
	uint8_t exitset[32];    /* bit per code 0..255 */
	int *exitcodes;         /* owned; as listed */
	size_t nexitcodes;
	struct chanconf out, err;
	struct kvlist env;      /* [supervisord] environment, then the program's */
	char *serverurl;        /* NULL: unset (the daemon's own URL is used) */
	long long numprocs;
	long long process_num;
};

/* A process group: a program's processes, or a [group:x]'s programs. */
struct gconf {
	unsigned refs;
	char *name;
	long long priority;
	int heterogeneous;      /* from a [group:x] section */
	struct pconf **procs;   /* owned; in supervisord's order: each program's
	                         * processes by (priority, name), programs as a
	                         * [group:x] lists them */
	size_t nprocs;
};

enum srv_family { SRV_UNIX, SRV_INET };

/* A [unix_http_server] or [inet_http_server] section. */
struct srvconf {
	enum srv_family family;
	char *section;          /* "unix_http_server" or with ":name" */
	char *file;             /* SRV_UNIX: normalized absolute path */
	long chmod;             /* SRV_UNIX: default 0700 */
	uid_t chown_uid;        /* (uid_t)-1: unchanged */
	gid_t chown_gid;        /* (gid_t)-1: unchanged */
	char *host;             /* SRV_INET: "" for every interface */
	int port;               /* SRV_INET */
	char *username;         /* NULL: no authentication */
	char *password;
};

/* [supervisorctl], for droverctl. */
struct ctlconf {
	int present;
	char *serverurl;        /* default http://localhost:9001 */
	char *username, *password, *prompt, *history_file;
};

/* A section the daemon does not interpret but the control server may
 * ([rpcinterface:x], [ctlplugin:x]): its name and raw keys. */
struct rawsect {
	char *name;
	struct kvlist keys;
};

struct dconf {
	char *configfile;       /* as given or found */
	char *here;             /* its absolute directory */
	/* [supervisord] (with command-line overrides applied) */
	char *logfile;          /* absolute, or "syslog" */
	long long logfile_maxbytes;
	long long logfile_backups;
	int loglevel;           /* LEVEL_* */
	char *pidfile;          /* absolute */
	long umask;
	int nodaemon;
	int silent;
	long long minfds;
	long long minprocs;
	int nocleanup;
	char *childlogdir;
	char *user;             /* NULL: none */
	int has_uid;
	uid_t uid;
	char *directory;        /* NULL: none */
	int strip_ansi;
	struct kvlist environment;
	char *identifier;
	int exact_env;          /* drover_exact_env: no login variables on user= */
	/* programs */
	struct gconf **groups;  /* owned references; ascending (priority, name) */
	size_t ngroups;
	struct srvconf *servers;
	size_t nservers;
	char *serverurl;        /* what children get as SUPERVISOR_SERVER_URL; NULL: none */
	struct ctlconf ctl;
	struct rawsect *raw;
	size_t nraw;
	/* what the loader (and main) have to say, logged once the main log
	 * is open: criticals, then warnings, then infos */
	char **criticals;
	size_t ncriticals;
	char **warnings;
	size_t nwarnings;
	char **infos;
	size_t ninfos;
};

/* Command-line settings, which override the file (supervisord's -n -s -u
 * -m -d -l -y -z -e -j -i -q -k -a -t --minprocs). A field left NULL or -1
 * is not set. */
struct config_cli {
	const char *configfile;
	int nodaemon, silent, nocleanup, strip_ansi; /* 1 when given */
	const char *user, *umask, *directory, *logfile, *logfile_maxbytes, *logfile_backups;
	const char *loglevel, *pidfile, *identifier, *childlogdir, *minfds, *minprocs;
};

/* The files supervisord looks for without -c, in order: argv0dir is the
 * directory above the executable's (dirname(dirname(argv[0]))). Returns the
 * first that exists as a new string, or NULL; *triedp (optional) receives
 * the list joined with ", " as supervisord prints it. */
char *config_find(const char *argv0dir, char **triedp);
/* dirname(dirname(argv0)) for config_find, with argv0 resolved through
 * /proc/self/exe when it has no slash. Returns a new string. */
char *config_argv0dir(const char *argv0);

/* Reads path and everything it includes, applies cli (may be NULL), and
 * checks every value. Returns 0 with *confp new, or ERR_PARSE (or -errno)
 * with d filled. Nothing is started, created or changed on disk except
 * that nothing is: AUTO log names are chosen later. */
int config_load(const char *path, const struct config_cli *cli, struct dconf **confp, struct diag *d);
void config_free(struct dconf *c);

/* Reference counting of group configurations, which running groups keep
 * while the daemon's configuration is replaced by a re-read. */
struct gconf *gconf_ref(struct gconf *g);
void gconf_unref(struct gconf *g);
/* supervisord's ProcessConfig.__eq__ and ProcessGroupConfig.__eq__: every
 * setting equal, a log file name compared only when neither is AUTO. */
int pconf_equal(const struct pconf *a, const struct pconf *b);
int gconf_equal(const struct gconf *a, const struct gconf *b);
/* Finds a group by name in c, or NULL. */
struct gconf *config_group(const struct dconf *c, const char *name);

#endif
