/* wait_for, as Ansible's: waits for a TCP port to accept (or refuse)
 * connections, optionally for text it sends, for a file to appear (with
 * text in it) or go away, or for a port's connections to drain. Every wait
 * runs the worker's event loop (netconn.h), so the worker stays responsive
 * while a long wait is under way. state=drained counts the port's
 * connections in /proc/net/tcp and tcp6 by local port and state;
 * exclude_hosts is checked but not applied. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/ev.h"
#include "base/xmalloc.h"
#include "data/pyre.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/netconn.h"
#include "modules/pyfmt.h"

/* Bytes of a file or of what a port sends that are searched. */
#define WAIT_FOR_MAX_TEXT ((size_t)16 << 20)

static const struct module_argspec wait_for_spec[] = {
	{"host", MODULE_ARG_STR, "127.0.0.1", NULL, NULL, 0},
	{"timeout", MODULE_ARG_INT, "300", NULL, NULL, 0},
	{"connect_timeout", MODULE_ARG_INT, "5", NULL, NULL, 0},
	{"delay", MODULE_ARG_INT, "0", NULL, NULL, 0},
	{"port", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"active_connection_states", MODULE_ARG_LIST, "ESTABLISHED,FIN_WAIT1,FIN_WAIT2,SYN_RECV,SYN_SENT,TIME_WAIT",
	 NULL, NULL, 0},
	{"path", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"search_regex", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"state", MODULE_ARG_STR, "started", NULL, "absent,drained,present,started,stopped", 0},
	{"exclude_hosts", MODULE_ARG_LIST, NULL, NULL, NULL, 0},
	{"sleep", MODULE_ARG_INT, "1", NULL, NULL, 0},
	{"msg", MODULE_ARG_STR, NULL, NULL, NULL, 0},
};
#define WAIT_FOR_NSPEC (sizeof(wait_for_spec) / sizeof(wait_for_spec[0]))

/* /proc/net/tcp's state numbers, by name. */
static const char *const wait_for_states[] = {
	"",          "ESTABLISHED", "SYN_SENT", "SYN_RECV",   "FIN_WAIT1", "FIN_WAIT2",
	"TIME_WAIT", "CLOSE",       "CLOSE_WAIT", "LAST_ACK", "LISTEN",    "CLOSING",
};
#define WAIT_FOR_NSTATES (sizeof(wait_for_states) / sizeof(wait_for_states[0]))

struct wait_for {
	const struct module_ctx *ctx;
	const struct value *params;
	const char *host, *path, *regex_text, *state;
	long port, connect_timeout, sleep_s;
	struct pyre *re;           /* owned; NULL: none */
	uint64_t start, end;       /* ms, monotonic */
	unsigned active;           /* bit per /proc/net/tcp state */
	struct value *groups;      /* owned list: match_groups */
	struct value *groupdict;   /* owned map: match_groupdict */
};

static int64_t wait_for_elapsed(const struct wait_for *w)
{
	return (int64_t)((ev_clock_ms() - w->start) / 1000);
}

/* Records a match's groups as match_groups and match_groupdict. */
static void wait_for_groups(struct wait_for *w, const char *s, const struct pyre_match *m)
{
	size_t i;

	for (i = 1; i <= m->ngroups; i++) {
		struct value *g = m->so[i] == PYRE_NONE ? value_null() : value_strn(s + m->so[i], m->eo[i] - m->so[i]);
		const char *name = pyre_group_name(w->re, i);

		if (name != NULL)
			value_map_set(w->groupdict, name, value_ref(g));
		value_list_push(w->groups, g);
	}
}

/* The file exists and, with a regex, holds a match. -1: stat failed for
 * another reason than its absence (errno set). */
static int wait_for_file(struct wait_for *w)
{
	struct pyre_match m;
	struct stat st;
	struct buf text;
	int found = 0;

	if (stat(w->path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (w->re == NULL)
		return 1;
	if (fileutil_read(w->path, WAIT_FOR_MAX_TEXT, &text) == 0 &&
	    pyre_search(w->re, buf_str(&text), buf_avail(&text), 0, &m)) {
		wait_for_groups(w, buf_str(&text), &m);
		found = 1;
	}
	buf_fini(&text);
	return found;
}

/* The port accepts a connection and, with a regex, sends a match before
 * it closes or the time runs out. */
static int wait_for_port(struct wait_for *w)
{
	uint64_t now = ev_clock_ms(), cap = now + (uint64_t)w->connect_timeout * 1000;
	struct pyre_match m;
	struct buf data;
	char chunk[1024];
	int fd = -1, gai, found = 0;
	ssize_t n;

	if (netconn_open(w->ctx->loop, w->host, (int)w->port, netconn_min_deadline(cap < w->end ? cap : w->end,
	                                                                             w->ctx->deadline_ms),
	                 &fd, &gai) != 0)
		return 0;
	if (w->re == NULL) {
		shutdown(fd, SHUT_RDWR);
		close(fd);
		return 1;
	}
	buf_init(&data, WAIT_FOR_MAX_TEXT);
	while (!found && netconn_wait(w->ctx->loop, fd, EV_READ, netconn_min_deadline(w->end, w->ctx->deadline_ms)) == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0 || buf_put(&data, chunk, (size_t)n) != 0)
			break;
		if (pyre_search(w->re, buf_str(&data), buf_avail(&data), 0, &m))
			found = 1;
	}
	shutdown(fd, SHUT_RDWR);
	close(fd);
	buf_fini(&data);
	return found;
}

/* Connections on the port in an active state (/proc/net/tcp and tcp6). */
static int wait_for_active_count(struct wait_for *w)
{
	static const char *const files[] = {"/proc/net/tcp", "/proc/net/tcp6"};
	unsigned lport, st;
	struct buf text;
	const char *line, *end, *colon;
	size_t f;
	int count = 0;

	for (f = 0; f < 2; f++) {
		if (fileutil_read(files[f], WAIT_FOR_MAX_TEXT, &text) != 0) {
			buf_fini(&text);
			continue;
		}
		line = strchr(buf_str(&text), '\n');
		for (; line != NULL && *line != '\0'; line = end) {
			end = strchr(line + 1, '\n');
			colon = strchr(line, ':');
			colon = colon != NULL ? strchr(colon + 1, ':') : NULL;
			if (colon == NULL || (end != NULL && colon > end))
				continue;
			if (sscanf(colon + 1, "%x %*s %x", &lport, &st) == 2 && lport == (unsigned)w->port &&
			    st < WAIT_FOR_NSTATES && (w->active & (1u << st)))
				count++;
		}
		buf_fini(&text);
	}
	return count;
}

/* One look at the condition: 1 when the wait is over. */
static int wait_for_probe(struct wait_for *w, struct value *res)
{
	int r;

	if (strcmp(w->state, "drained") == 0)
		return wait_for_active_count(w) == 0;
	if (strcmp(w->state, "absent") == 0 || strcmp(w->state, "stopped") == 0) {
		if (w->path != NULL)
			return access(w->path, F_OK) != 0;
		return !wait_for_port(w);
	}
	if (w->path != NULL) {
		r = wait_for_file(w);
		if (r < 0) {
			const char *msg = value_get_str(w->params, "msg", NULL);
			int e = errno;

			module_fail(res, "%s", msg != NULL ? msg : "");
			if (msg == NULL)
				value_map_set(res, "msg", value_strf("Failed to stat %s, %s", w->path, pyfmt_strerror(e)));
			return -1;
		}
		return r;
	}
	return wait_for_port(w);
}

/* The failure message when time runs out. */
static struct value *wait_for_timeout_msg(const struct wait_for *w)
{
	const char *msg = value_get_str(w->params, "msg", NULL);

	if (msg != NULL)
		return value_str(msg);
	if (strcmp(w->state, "drained") == 0)
		return value_strf("Timeout when waiting for %s:%ld to drain", w->host, w->port);
	if (strcmp(w->state, "absent") == 0 || strcmp(w->state, "stopped") == 0)
		return w->port ? value_strf("Timeout when waiting for %s:%ld to stop.", w->host, w->port)
		               : value_strf("Timeout when waiting for %s to be absent.", w->path);
	if (w->port)
		return w->regex_text != NULL
		           ? value_strf("Timeout when waiting for search string %s in %s:%ld", w->regex_text, w->host, w->port)
		           : value_strf("Timeout when waiting for %s:%ld", w->host, w->port);
	return w->regex_text != NULL ? value_strf("Timeout when waiting for search string %s in %s", w->regex_text, w->path)
	                             : value_strf("Timeout when waiting for file %s", w->path);
}

/* Argument checks made before any waiting. Returns NULL or a failure. */
static struct value *wait_for_check(struct wait_for *w)
{
	const struct value *states = value_map_get(w->params, "active_connection_states");
	char *err = NULL;
	size_t i, k;

	if (w->regex_text != NULL &&
	    pyre_compile(w->regex_text, strlen(w->regex_text), PYRE_MULTILINE, &w->re, &err) != 0) {
		struct value *f = module_fail(value_map(), "Invalid regular expression: %s", err);

		free(err);
		return f;
	}
	if (w->port && w->path != NULL)
		return module_fail(value_map(), "port and path parameter can not both be passed to wait_for");
	if (w->path != NULL && (strcmp(w->state, "stopped") == 0 || strcmp(w->state, "drained") == 0))
		return module_fail(value_map(), "state=%s should only be used for checking a port in the wait_for module",
		                   w->state);
	if (value_map_get(w->params, "exclude_hosts") != NULL &&
	    value_map_get(w->params, "exclude_hosts")->type != VALUE_NULL && strcmp(w->state, "drained") != 0)
		return module_fail(value_map(), "exclude_hosts should only be with state=drained");
	for (i = 0; states != NULL && i < value_len(states); i++) {
		const char *name = value_cstr(value_list_at(states, i));

		for (k = 1; k < WAIT_FOR_NSTATES && strcmp(wait_for_states[k], name) != 0; k++)
			;
		if (k == WAIT_FOR_NSTATES)
			return module_fail(value_map(), "unknown active_connection_state (%s) defined", name);
		w->active |= 1u << k;
	}
	return NULL;
}

static struct value *wait_for_do(struct wait_for *w)
{
	struct value *res = value_map(), *f;
	long delay = (long)value_get_int(w->params, "delay", 0);
	long timeout = (long)value_get_int(w->params, "timeout", 300);
	int done = 0;

	if ((f = wait_for_check(w)) != NULL) {
		value_unref(res);
		value_map_set(f, "elapsed", value_int(0));
		return f;
	}
	w->start = ev_clock_ms();
	w->end = w->start + (uint64_t)(timeout > 0 ? timeout : 0) * 1000;
	if (delay > 0)
		netconn_sleep(w->ctx->loop, (uint64_t)delay * 1000);
	if (!w->port && w->path == NULL && strcmp(w->state, "drained") != 0) {
		netconn_sleep(w->ctx->loop, (uint64_t)(timeout > 0 ? timeout : 0) * 1000);
		done = 1;
	}
	while (!done && ev_clock_ms() < w->end) {
		if ((done = wait_for_probe(w, res)) < 0) {
			value_map_set(res, "elapsed", value_int(wait_for_elapsed(w)));
			return res;
		}
		if (!done)
			netconn_sleep(w->ctx->loop, (uint64_t)(w->sleep_s > 0 ? w->sleep_s : 0) * 1000);
	}
	if (!done) {
		module_fail(res, "%s", "");
		value_map_set(res, "msg", wait_for_timeout_msg(w));
		value_map_set(res, "elapsed", value_int(wait_for_elapsed(w)));
		return res;
	}
	value_map_set(res, "state", value_str(w->state));
	value_map_set(res, "port", w->port ? value_int(w->port) : value_null());
	value_map_set(res, "search_regex", w->regex_text != NULL ? value_str(w->regex_text) : value_null());
	value_map_set(res, "match_groups", value_ref(w->groups));
	value_map_set(res, "match_groupdict", value_ref(w->groupdict));
	value_map_set(res, "path", w->path != NULL ? value_str(w->path) : value_null());
	value_map_set(res, "elapsed", value_int(wait_for_elapsed(w)));
	value_map_set(res, "changed", value_bool(0));
	return res;
}

static struct value *wait_for_fn(const struct module_ctx *ctx, struct value *params, struct value *warnings)
{
	struct value *res;
	struct wait_for w;

	(void)warnings;
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.params = params;
	w.host = value_get_str(params, "host", "127.0.0.1");
	w.path = value_get_str(params, "path", NULL);
	w.regex_text = value_get_str(params, "search_regex", NULL);
	w.state = value_get_str(params, "state", "started");
	w.port = (long)value_get_int(params, "port", 0);
	w.connect_timeout = (long)value_get_int(params, "connect_timeout", 5);
	w.sleep_s = (long)value_get_int(params, "sleep", 1);
	w.groups = value_list();
	w.groupdict = value_map();
	res = wait_for_do(&w);
	pyre_free(w.re);
	value_unref(w.groups);
	value_unref(w.groupdict);
	return res;
}

static const struct module_main wait_for_module = {
	"ansible.legacy.wait_for", wait_for_spec, WAIT_FOR_NSPEC, NULL, 1, fileutil_finish, wait_for_fn,
};

MODULE_DEFINE(wait_for, wait_for_run, MODULE_CHECK_SELF)
struct value *wait_for_run(const struct module_ctx *ctx)
{
	return module_main(ctx, &wait_for_module);
}
