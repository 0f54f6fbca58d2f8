/* The control server's dispatcher without a daemon: the rules (unknown
 * and private methods, parameter counts, multicall) that need no process.
 * The XML-RPC codec itself is tested in test_xmlrpc.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/xmalloc.h"
#include "data/xmlrpc.h"
#include "droverd/ctl_rpc.h"
#include "t.h"

static struct value *parse_ok(const char *doc, char **methodp)
{
	struct value *params = NULL;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(xmlrpc_decode_call(doc, strlen(doc), NULL, methodp, &params, &d), 0);
	diag_fini(&d);
	return params;
}

/* Dispatch rules that are decided before any process is looked at. */
static void call(const char *method, const char *doc_params, int fault, const char *frag)
{
	struct rpc_job *job = NULL;
	struct value *p;
	struct rpc_res res;
	char *doc, *m = NULL;

	doc = xasprintf("<methodCall><methodName>%s</methodName><params>%s</params></methodCall>", method, doc_params);
	p = parse_ok(doc, &m);
	rpc_res_init(&res);
	T_EQ_INT(rpc_call(NULL, m, p, &res, &job), 1);
	T_EQ_INT(res.fault, fault);
	if (fault != FAULT_OK)
		T_CHECK(res.text != NULL && strstr(res.text, frag) != NULL);
	else
		T_CHECK(strstr(buf_str(&res.val), frag) != NULL);
	rpc_res_fini(&res);
	rpc_job_free(job);
	value_unref(p);
	free(m);
	free(doc);
}

static void test_dispatch(void)
{
	call("supervisor.nosuch", "", FAULT_UNKNOWN_METHOD, "UNKNOWN_METHOD");
	call("supervisor._update", "", FAULT_UNKNOWN_METHOD, "UNKNOWN_METHOD");
	call("supervisor.getState.x", "", FAULT_UNKNOWN_METHOD, "UNKNOWN_METHOD");
	call("nosuch.getState", "", FAULT_UNKNOWN_METHOD, "UNKNOWN_METHOD");
	call("supervisor.getState", "<param><value>x</value></param>", FAULT_INCORRECT_PARAMETERS,
	     "INCORRECT_PARAMETERS");
	call("supervisor.startProcess", "", FAULT_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	call("system.listMethods", "", FAULT_OK, "<value><string>supervisor.tailProcessStderrLog</string></value>");
	/* multicall: faults become structs in place, recursion is refused. */
	call("system.multicall",
	     "<param><value><array><data>"
	     "<value><struct><member><name>methodName</name><value>system.multicall</value></member></struct></value>"
	     "<value><struct><member><name>methodName</name><value>x.y</value></member></struct></value>"
	     "<value><struct></struct></value>"
	     "</data></array></value></param>",
	     FAULT_OK, "Recursive system.multicall forbidden");
	call("system.multicall", "<param><value>x</value></param>", FAULT_INCORRECT_PARAMETERS, "INCORRECT");
}

int main(void)
{
	T_RUN(test_dispatch);
	return T_DONE();
}
