/* droverctl: supervisorctl's command line (one command per run) over
 * supervisord's XML-RPC, for droverd and supervisord alike. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/xmalloc.h"
#include "droverctl/ctl.h"
#include "droverd/config.h"

static const char *main_prog = "droverctl";

static const struct {
	const char *name;
	ctl_cmd_fn fn;
} main_cmds[] = {
	{"add", cmd_add},         {"avail", cmd_avail},     {"clear", cmd_clear},       {"maintail", cmd_maintail},
	{"pid", cmd_pid},         {"reload", cmd_reload},   {"remove", cmd_remove},     {"reread", cmd_reread},
	{"restart", cmd_restart}, {"shutdown", cmd_shutdown}, {"signal", cmd_signal},   {"start", cmd_start},
	{"status", cmd_status},   {"stop", cmd_stop},       {"tail", cmd_tail},         {"update", cmd_update},
	{"version", cmd_version},
};

/* Usage errors as supervisorctl's Options.usage() prints them. */
_Noreturn static void main_usage(const char *fmt, const char *arg)
{
	fputs("Error: ", stderr);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nFor help, use %s -h\n", main_prog);
	exit(2);
}

static void main_help(void)
{
	printf("%s -- control applications run by droverd or supervisord from the cmd line.\n\n"
	       "Usage: %s [options] [action [arguments]]\n\n"
	       "Options:\n"
	       "-c/--configuration FILENAME -- configuration file path (searches if not given)\n"
	       "-h/--help -- print usage message and exit\n"
	       "-s/--serverurl URL -- URL on which supervisord server is listening\n"
	       "     (default \"http://localhost:9001\").\n"
	       "-u/--username USERNAME -- username to use for authentication with server\n"
	       "-p/--password PASSWORD -- password to use for authentication with server\n\n"
	       "action [arguments] -- see below\n\n"
	       "Actions are commands like \"tail\" or \"stop\": add avail clear maintail pid reload remove\n"
	       "reread restart shutdown signal start status stop tail update version.\n",
	       main_prog, main_prog);
	exit(0);
}

struct main_opts {
	const char *configfile, *serverurl, *username, *password;
};

/* Reads the configuration supervisorctl would: -c, or the first file of the
 * search path; none found leaves the defaults. Fills c. */
static void main_config(const struct main_opts *o, struct ctl *c)
{
	struct dconf *conf = NULL;
	const char *url = "http://localhost:9001", *user = NULL, *pass = NULL;
	char *path = NULL, *dir, *msg;
	struct diag d;
	size_t i;

	if (o->configfile != NULL) {
		path = xstrdup(o->configfile);
		if (access(path, F_OK) != 0)
			main_usage("could not find config file %s", path);
	} else {
		dir = config_argv0dir(main_prog);
		path = config_find(dir, NULL);
		free(dir);
	}
	diag_init(&d);
	if (path != NULL && config_load(path, NULL, &conf, &d) != 0) {
		msg = diag_format(&d);
		main_usage("%s", msg);
	}
	if (conf != NULL && !conf->ctl.present)
		main_usage("%s", ".ini file does not include supervisorctl section");
	if (conf != NULL) {
		url = conf->ctl.serverurl;
		user = conf->ctl.username;
		pass = conf->ctl.password;
		/* No serverurl in [supervisorctl]: the daemon's own unix socket
		 * rather than supervisorctl's inet default nobody listens on. */
		for (i = 0; i < conf->nservers && strcmp(url, "http://localhost:9001") == 0; i++)
			if (conf->servers[i].family == SRV_INET)
				break;
		if (i == conf->nservers && strcmp(url, "http://localhost:9001") == 0 && conf->nservers > 0)
			url = conf->serverurl;
	}
	c->serverurl = xstrdup(o->serverurl != NULL ? o->serverurl : url);
	if (o->username != NULL)
		user = o->username;
	if (o->password != NULL)
		pass = o->password;
	if (user != NULL && pass != NULL)
		c->auth = xasprintf("%s:%s", user, pass);
	if (http_url_parse(c->serverurl, &c->url) != 0)
		main_usage("Unknown protocol for serverurl %s", c->serverurl);
	config_free(conf);
	diag_fini(&d);
	free(path);
}

/* supervisorctl joins its arguments into one line and splits it again on
 * whitespace: an argument with a space becomes two. */
static char **main_words(int argc, char **argv, int *np)
{
	char **w = NULL, *s, *tok;
	int n = 0, i;

	for (i = 0; i < argc; i++) {
		s = argv[i];
		while (*s != '\0') {
			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v')
				s++;
			if (*s == '\0')
				break;
			tok = s;
			while (*s != '\0' && strchr(" \t\n\r\f\v", *s) == NULL)
				s++;
			w = xreallocarray(w, (size_t)n + 1, sizeof(*w));
			w[n++] = xstrndup(tok, (size_t)(s - tok));
		}
	}
	*np = n;
	return w;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"configuration", required_argument, NULL, 'c'}, {"help", no_argument, NULL, 'h'},
		{"interactive", no_argument, NULL, 'i'},         {"serverurl", required_argument, NULL, 's'},
		{"username", required_argument, NULL, 'u'},      {"password", required_argument, NULL, 'p'},
		{"history-file", required_argument, NULL, 'r'},  {NULL, 0, NULL, 0},
	};
	struct main_opts o = {0};
	struct ctl c = {0};
	struct sigaction sa;
	char **w;
	int ch, n = 0, i;
	size_t k;

	main_prog = argv[0] != NULL ? argv[0] : "droverctl";
	while ((ch = getopt_long(argc, argv, "+c:his:u:p:r:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o.configfile = optarg;
			break;
		case 'h':
			main_help();
			break;
		case 's':
			o.serverurl = optarg;
			break;
		case 'u':
			o.username = optarg;
			break;
		case 'p':
			o.password = optarg;
			break;
		case 'i':
		case 'r':
			break;
		default:
			fprintf(stderr, "For help, use %s -h\n", main_prog);
			return 2;
		}
	}
	w = main_words(argc - optind, argv + optind, &n);
	if (n == 0)
		main_usage("%s", "interactive mode is not supported: give an action (droverctl status, ...)");
	main_config(&o, &c);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	for (k = 0; k < sizeof(main_cmds) / sizeof(main_cmds[0]); k++)
		if (strcmp(main_cmds[k].name, w[0]) == 0)
			break;
	if (k < sizeof(main_cmds) / sizeof(main_cmds[0])) {
		main_cmds[k].fn(&c, n - 1, w + 1);
	} else {
		printf("*** Unknown syntax: ");
		for (i = 0; i < n; i++)
			printf("%s%s", i > 0 ? " " : "", w[i]);
		printf("\n");
		c.exitstatus = CTL_EXIT_GENERIC;
	}
	fflush(stdout);
	for (i = 0; i < n; i++)
		free(w[i]);
	free(w);
	free(c.serverurl);
	free(c.auth);
	http_url_fini(&c.url);
	return c.exitstatus;
}
