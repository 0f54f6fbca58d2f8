/* droverctl's shared state and its XML-RPC calls: what every command uses
 * to reach the daemon, word failures as supervisorctl 4.2.5 words them and
 * set its LSB exit codes. */
#ifndef DROVER_DROVERCTL_CTL_H
#define DROVER_DROVERCTL_CTL_H

#include <stddef.h>

#include "data/value.h"
#include "droverctl/http.h"

/* supervisorctl's exit codes (LSBInitExitStatuses, LSBStatusExitStatuses). */
enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_GENERIC = 1,
	CTL_EXIT_INVALID_ARGS = 2,
	CTL_EXIT_UNIMPLEMENTED = 3,
	CTL_EXIT_PRIVILEGES = 4,
	CTL_EXIT_NOT_INSTALLED = 5,
	CTL_EXIT_NOT_RUNNING = 7,
	CTL_EXIT_STATUS_NOT_RUNNING = 3,
	CTL_EXIT_STATUS_UNKNOWN = 4,
};

/* supervisord's process states (supervisor/states.py). */
enum {
	CTL_STOPPED = 0,
	CTL_STARTING = 10,
	CTL_RUNNING = 20,
	CTL_BACKOFF = 30,
	CTL_STOPPING = 40,
	CTL_EXITED = 100,
	CTL_FATAL = 200,
	CTL_UNKNOWN = 1000,
};

struct ctl {
	char *serverurl;  /* owned */
	struct http_url url;
	char *auth;       /* owned "user:password", or NULL */
	int exitstatus;
};

/* How a call ended. */
enum ctl_result {
	CTL_OK,        /* *resultp holds the value */
	CTL_FAULT,     /* fault code and string in the ctl_err */
	CTL_FAILED,    /* transport or protocol failure: already reported */
};

struct ctl_err {
	int code;      /* fault code */
	char *string;  /* owned fault string */
};

/* Calls method with params (a list, taken; NULL for none). On CTL_OK,
 * *resultp is a new value; on CTL_FAULT, e is filled (ctl_err_fini it).
 * Any other failure is printed as supervisorctl prints an uncaught
 * exception and ends droverctl with status 1, as the exception ends
 * supervisorctl's command. */
enum ctl_result ctl_call(struct ctl *c, const char *method, struct value *params, struct value **resultp,
                         struct ctl_err *e);
/* The same, but a failure to connect is not reported: it returns
 * CTL_FAILED with *errp set to the -errno. */
enum ctl_result ctl_call_quiet(struct ctl *c, const char *method, struct value *params, struct value **resultp,
                               struct ctl_err *e, int *errp);
/* Reports an unexpected fault as supervisorctl's uncaught exception and
 * exits with status 1. */
_Noreturn void ctl_uncaught(struct ctl *c, struct ctl_err *e);
void ctl_err_fini(struct ctl_err *e);
/* ctl_call for a call whose every fault supervisorctl lets escape: returns
 * the result (new), or NULL after reporting the failure. */
struct value *ctl_get(struct ctl *c, const char *method, struct value *params);
/* Reports a system error (-errno) as supervisorctl's uncaught socket
 * exception and exits with status 1. */
_Noreturn void ctl_raise_errno(struct ctl *c, int err);

/* Builds a params list from strings (NULL-terminated). */
struct value *ctl_params(const char *first, ...);

/* supervisorctl's upcheck(): asks the API version; on failure prints the
 * reason, sets exitstatus and returns 0. */
int ctl_upcheck(struct ctl *c);

/* Writes a line (message plus "\n") to stdout. */
void ctl_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes n bytes of p and a newline. */
void ctl_outn(const char *p, size_t n);

/* make_namespec / split_namespec of supervisor/options.py. The split
 * returns new strings; *procp is NULL for "group:" and "group:*". */
char *ctl_namespec(const char *group, const char *name);
void ctl_split(const char *spec, char **groupp, char **procp);

/* supervisorctl's set_exitstatus_from_xmlrpc_fault. */
void ctl_fault_status(struct ctl *c, int code, int ignored);

/* A command: args are the words after its name. */
typedef void (*ctl_cmd_fn)(struct ctl *c, int argc, char **argv);

void cmd_status(struct ctl *c, int argc, char **argv);
void cmd_pid(struct ctl *c, int argc, char **argv);
void cmd_start(struct ctl *c, int argc, char **argv);
void cmd_stop(struct ctl *c, int argc, char **argv);
void cmd_restart(struct ctl *c, int argc, char **argv);
void cmd_signal(struct ctl *c, int argc, char **argv);
void cmd_avail(struct ctl *c, int argc, char **argv);
void cmd_reread(struct ctl *c, int argc, char **argv);
void cmd_update(struct ctl *c, int argc, char **argv);
void cmd_add(struct ctl *c, int argc, char **argv);
void cmd_remove(struct ctl *c, int argc, char **argv);
void cmd_reload(struct ctl *c, int argc, char **argv);
void cmd_shutdown(struct ctl *c, int argc, char **argv);
void cmd_version(struct ctl *c, int argc, char **argv);
void cmd_tail(struct ctl *c, int argc, char **argv);
void cmd_maintail(struct ctl *c, int argc, char **argv);
void cmd_clear(struct ctl *c, int argc, char **argv);

#endif
