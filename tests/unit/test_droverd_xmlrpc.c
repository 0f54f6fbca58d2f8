/* The control server's XML-RPC layer without a daemon: decoding calls as
 * xmlrpc.client writes them (and refusing what is not a call), encoding
 * responses and faults, and the dispatcher's rules (unknown and private
 * methods, parameter counts, multicall) that need no process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "droverd/ctl_rpc.h"
#include "droverd/xmlrpc.h"
#include "t.h"

static struct xr_value *parse_ok(const char *doc, char **methodp)
{
	struct xr_value *params = NULL;
	char *err = NULL;

	T_EQ_INT(xmlrpc_parse_call(doc, strlen(doc), methodp, &params, &err), 0);
	if (err != NULL)
		printf("# %s\n", err);
	free(err);
	return params;
}

static void parse_bad(const char *doc, const char *frag)
{
	struct xr_value *params = NULL;
	char *err = NULL, *method = NULL;

	T_CHECK(xmlrpc_parse_call(doc, strlen(doc), &method, &params, &err) != 0);
	T_CHECK(method == NULL && params == NULL);
	T_CHECK(err != NULL && strstr(err, frag) != NULL);
	if (err != NULL && strstr(err, frag) == NULL)
		printf("# got: %s\n", err);
	free(err);
}

static void test_decode(void)
{
	char *m = NULL;
	struct xr_value *p;

	p = parse_ok("<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n"
	             "<params>\n<param>\n<value><string>web:*</string></value>\n</param>\n<param>\n"
	             "<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n",
	             &m);
	T_EQ_STR(m, "supervisor.startProcess");
	T_CHECK(p != NULL && p->n == 2);
	if (p != NULL && p->n == 2) {
		T_EQ_STR(p->items[0]->s, "web:*");
		T_CHECK(p->items[1]->type == XR_BOOL && p->items[1]->i == 1);
	}
	xr_free(p);
	free(m);

	/* Untyped values are strings, with entities, character references and
	 * CDATA; int, i4, i8, double, nil, empty string, nested structs. */
	p = parse_ok("<methodCall><methodName>a.b</methodName><params>"
	             "<param><value> a &amp;&lt;&#65;&#x263a;<![CDATA[<x>]]></value></param>"
	             "<param><value><i4>-7</i4></value></param>"
	             "<param><value><i8> 9000000000 </i8></value></param>"
	             "<param><value><double>1.5</double></value></param>"
	             "<param><value><nil/></value></param>"
	             "<param><value><string/></value></param>"
	             "<param><value><struct><member><name>k</name><value><array><data>"
	             "<value><int>1</int></value></data></array></value></member></struct></value></param>"
	             "</params></methodCall>",
	             &m);
	T_CHECK(p != NULL && p->n == 7);
	if (p != NULL && p->n == 7) {
		T_EQ_STR(p->items[0]->s, " a &<A\xe2\x98\xba<x>");
		T_CHECK(p->items[1]->i == -7 && p->items[2]->i == 9000000000LL);
		T_CHECK(p->items[3]->type == XR_DOUBLE && p->items[3]->d == 1.5);
		T_CHECK(p->items[4]->type == XR_NIL);
		T_CHECK(p->items[5]->type == XR_STRING && p->items[5]->slen == 0);
		T_CHECK(xr_member(p->items[6], "k") != NULL && xr_member(p->items[6], "k")->n == 1);
		T_CHECK(!xr_truth(p->items[5]) && xr_truth(p->items[6]));
	}
	xr_free(p);
	free(m);

	/* No <params>: an empty list, as supervisord accepts. */
	p = parse_ok("<methodCall><methodName>x.y</methodName></methodCall>", &m);
	T_CHECK(p != NULL && p->type == XR_ARRAY && p->n == 0);
	xr_free(p);
	free(m);
}

static void test_refuse(void)
{
	char deep[4096];
	size_t i, n = 0;

	parse_bad("", "expected <methodCall>");
	parse_bad("<methodCall><methodName>x</methodName>", "expected </methodCall>");
	parse_bad("<!DOCTYPE x [<!ENTITY a 'b'>]><methodCall/>", "declarations are not accepted");
	parse_bad("<methodCall><params><param><value><int>1x</int></value></param></params></methodCall>",
	          "bad integer");
	parse_bad("<methodCall><params><param><value><int>99999999999999999999</int></value></param></params>"
	          "</methodCall>",
	          "bad integer");
	parse_bad("<methodCall><params><param><value>&bogus;</value></param></params></methodCall>", "entity");
	parse_bad("<methodCall><params><param><value>&#0;</value></param></params></methodCall>",
	          "bad character reference");
	parse_bad("<methodCall><params><param><value><blob>1</blob></value></param></params></methodCall>",
	          "unknown value type");
	parse_bad("<methodCall></methodCall>trailing", "data after </methodCall>");
	n += (size_t)snprintf(deep, sizeof(deep), "<methodCall><params><param>");
	for (i = 0; i < 40; i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<value><array><data>");
	parse_bad(deep, "nested too deeply");
}

static void test_encode(void)
{
	struct buf v, doc;

	buf_init(&v, 0);
	buf_init(&doc, 0);
	xmlrpc_put_strn(&v, "a<b>&c\xff\x01\xe2\x98\xba", 11);
	T_EQ_STR(buf_str(&v), "<value><string>a&lt;b&gt;&amp;c\xef\xbf\xbd\xef\xbf\xbd\xe2\x98\xba</string></value>\n");
	xmlrpc_response(&doc, &v);
	T_CHECK(strstr(buf_str(&doc), "<methodResponse>\n<params>\n<param>\n<value><string>") != NULL);
	buf_reset(&doc);
	xmlrpc_fault(&doc, FAULT_BAD_NAME, "BAD_NAME: x");
	T_CHECK(strstr(buf_str(&doc), "<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n"
	                              "<value><int>10</int></value>\n") != NULL);
	T_CHECK(strstr(buf_str(&doc), "<value><string>BAD_NAME: x</string></value>") != NULL);
	buf_fini(&v);
	buf_fini(&doc);
}

/* Dispatch rules that are decided before any process is looked at. */
static void call(const char *method, const char *doc_params, int fault, const char *frag)
{
	struct rpc_job *job = NULL;
	struct xr_value *p;
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
	xr_free(p);
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
	T_RUN(test_decode);
	T_RUN(test_refuse);
	T_RUN(test_encode);
	T_RUN(test_dispatch);
	return T_DONE();
}
