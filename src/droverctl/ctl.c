/* droverctl's XML-RPC calls over HTTP, supervisorctl's upcheck and its
 * wording of failures, and the small helpers every command shares. */
#include "droverctl/ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/xmlrpc.h"
#include "droverd/fault.h"

/* Where Python raises what supervisorctl reports as an uncaught exception:
 * its message names the frame, and scripts compare the whole line. */
#define CTL_PY_XMLRPC "/usr/lib/python3/dist-packages/supervisor/xmlrpc.py"

void ctl_out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

void ctl_outn(const char *p, size_t n)
{
	fwrite(p, 1, n, stdout);
	putchar('\n');
}

void ctl_err_fini(struct ctl_err *e)
{
	free(e->string);
	e->string = NULL;
}

struct value *ctl_params(const char *first, ...)
{
	struct value *l = value_list();
	const char *s;
	va_list ap;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		value_list_push(l, value_str(s));
	va_end(ap);
	return l;
}

/* An uncaught exception ends supervisorctl's command where it is raised:
 * nothing after it runs, and the exit status is 1. */
_Noreturn static void ctl_abort(void)
{
	fflush(stdout);
	exit(CTL_EXIT_GENERIC);
}

static const char *ctl_errno_class(int e)
{
	switch (e) {
	case ENOENT:
		return "FileNotFoundError";
	case ECONNREFUSED:
		return "ConnectionRefusedError";
	case EACCES:
	case EPERM:
		return "PermissionError";
	case ECONNRESET:
		return "ConnectionResetError";
	case EPIPE:
		return "BrokenPipeError";
	}
	return "OSError";
}

_Noreturn void ctl_raise_errno(struct ctl *c, int err)
{
	int e = -err;

	ctl_out("error: <class '%s'>, [Errno %d] %s: file: %s line: 557", ctl_errno_class(e), e, strerror(e),
	        CTL_PY_XMLRPC);
	c->exitstatus = CTL_EXIT_GENERIC;
	ctl_abort();
}

_Noreturn void ctl_uncaught(struct ctl *c, struct ctl_err *e)
{
	ctl_out("error: <class 'xmlrpc.client.Fault'>, <Fault %d: '%s'>: file: %s line: 542", e->code,
	        e->string != NULL ? e->string : "", CTL_PY_XMLRPC);
	c->exitstatus = CTL_EXIT_GENERIC;
	ctl_err_fini(e);
	ctl_abort();
}

static enum ctl_result ctl_decode(const struct buf *body, struct value **resultp, struct ctl_err *e)
{
	struct value *v = NULL;
	struct diag d;
	int fault = 0;

	diag_init(&d);
	if (xmlrpc_decode_response(body->data != NULL ? body->data : "", body->len, "response", &v, &fault, &d) !=
	    0) {
		char *msg = diag_format(&d);

		ctl_out("error: <class 'xml.parsers.expat.ExpatError'>, %s: file: %s line: 557", msg, CTL_PY_XMLRPC);
		ctl_abort();
	}
	diag_fini(&d);
	if (fault) {
		e->code = (int)value_get_int(v, "faultCode", 0);
		e->string = xstrdup(value_get_str(v, "faultString", ""));
		value_unref(v);
		return CTL_FAULT;
	}
	*resultp = v;
	return CTL_OK;
}

enum ctl_result ctl_call_quiet(struct ctl *c, const char *method, struct value *params, struct value **resultp,
                               struct ctl_err *e, int *errp)
{
	struct http_req req = {.method = "POST", .path = "/RPC2", .content_type = "text/xml"};
	struct buf call, body;
	enum ctl_result res = CTL_FAILED;
	char reason[128] = "";
	int r, status = 0;

	*resultp = NULL;
	*errp = 0;
	memset(e, 0, sizeof(*e));
	buf_init(&call, XMLRPC_SIZE_CAP);
	buf_init(&body, HTTP_MAX_BODY);
	if (xmlrpc_encode_call(method, params, &call) != 0) {
		ctl_out("error: <class 'OverflowError'>, int exceeds XML-RPC limits: file: %s line: 552",
		        "/usr/lib/python3.11/xmlrpc/client.py");
		ctl_abort();
	}
	req.auth = c->auth;
	req.body = call.data;
	req.len = call.len;
	r = http_request(&c->url, &req, &status, reason, sizeof(reason), &body);
	if (r < 0 && r > ERR_BASE && (status == 0)) {
		*errp = r;
		goto out;
	}
	if (r != 0) {
		ctl_out("error: <class 'http.client.RemoteDisconnected'>, %s: file: %s line: 557", err_str(r),
		        CTL_PY_XMLRPC);
		ctl_abort();
	}
	if (status != 200) {
		/* supervisorctl says this for a 401, then runs the command again,
		 * which raises the same error uncaught. */
		if (status == 401)
			ctl_out("Server requires authentication");
		ctl_out("error: <class 'xmlrpc.client.ProtocolError'>, <ProtocolError for 127.0.0.1/RPC2: %d %s>: "
		        "file: %s line: 539",
		        status, reason, CTL_PY_XMLRPC);
		ctl_abort();
	}
	res = ctl_decode(&body, resultp, e);
out:
	value_unref(params);
	buf_fini(&call);
	buf_fini(&body);
	return res;
}

enum ctl_result ctl_call(struct ctl *c, const char *method, struct value *params, struct value **resultp,
                         struct ctl_err *e)
{
	enum ctl_result res;
	int err;

	res = ctl_call_quiet(c, method, params, resultp, e, &err);
	if (res == CTL_FAILED && err != 0)
		ctl_raise_errno(c, err);
	return res;
}

struct value *ctl_get(struct ctl *c, const char *method, struct value *params)
{
	struct value *v = NULL;
	struct ctl_err e;
	enum ctl_result res = ctl_call(c, method, params, &v, &e);

	if (res == CTL_FAULT)
		ctl_uncaught(c, &e);
	return res == CTL_OK ? v : NULL;
}

int ctl_upcheck(struct ctl *c)
{
	struct value *v = NULL;
	struct ctl_err e;
	enum ctl_result res;
	int err;

	res = ctl_call_quiet(c, "supervisor.getVersion", NULL, &v, &e, &err);
	if (res == CTL_FAILED && err == -ECONNREFUSED) {
		ctl_out("%s refused connection", c->serverurl);
		c->exitstatus = CTL_EXIT_PRIVILEGES;
	} else if (res == CTL_FAILED && err == -ENOENT) {
		ctl_out("%s no such file", c->serverurl);
		c->exitstatus = CTL_EXIT_NOT_RUNNING;
	} else if (res == CTL_FAILED && err != 0) {
		ctl_raise_errno(c, err);
	} else if (res == CTL_FAULT && e.code == FAULT_UNKNOWN_METHOD) {
		ctl_out("Sorry, supervisord responded but did not recognize the supervisor namespace commands that "
		        "supervisorctl uses to control it.  Please check that the [rpcinterface:supervisor] section is "
		        "enabled in the configuration file (see sample.conf).");
		c->exitstatus = CTL_EXIT_UNIMPLEMENTED;
		ctl_err_fini(&e);
	} else if (res == CTL_FAULT) {
		ctl_uncaught(c, &e);
	} else if (res == CTL_OK && (!value_is_str(v) || strcmp(value_cstr(v), "3.0") != 0)) {
		ctl_out("Sorry, this version of supervisorctl expects to talk to a server with API version 3.0, but "
		        "the remote version is %s.",
		        value_is_str(v) ? value_cstr(v) : "?");
		c->exitstatus = CTL_EXIT_NOT_INSTALLED;
		res = CTL_FAILED;
	}
	value_unref(v);
	return res == CTL_OK;
}

char *ctl_namespec(const char *group, const char *name)
{
	if (strcmp(group, name) == 0)
		return xstrdup(name);
	return xasprintf("%s:%s", group, name);
}

void ctl_split(const char *spec, char **groupp, char **procp)
{
	const char *colon = strchr(spec, ':');

	if (colon == NULL) {
		*groupp = xstrdup(spec);
		*procp = xstrdup(spec);
		return;
	}
	*groupp = xstrndup(spec, (size_t)(colon - spec));
	*procp = colon[1] == '\0' || strcmp(colon + 1, "*") == 0 ? NULL : xstrdup(colon + 1);
}

void ctl_fault_status(struct ctl *c, int code, int ignored)
{
	if (code == ignored || code == FAULT_SUCCESS)
		return;
	/* SPAWN_ERROR, ABNORMAL_TERMINATION, NOT_RUNNING: the program is dead. */
	if (code == FAULT_SPAWN_ERROR || code == FAULT_ABNORMAL_TERMINATION || code == FAULT_NOT_RUNNING)
		c->exitstatus = CTL_EXIT_NOT_RUNNING;
	else
		c->exitstatus = CTL_EXIT_GENERIC;
}
