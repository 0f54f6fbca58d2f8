/* Unit tests for data/xmlrpc and base/base64: the encoder's bytes against
 * what Python's xmlrpc.client.dumps() writes, decoding of what supervisord
 * sends, and refusal of malformed documents with a position. */
#include <stdlib.h>
#include <string.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "data/xmlrpc.h"
#include "t.h"

/* xmlrpc.client.dumps(('a<&>', 1, True, [1, 'b'], {'k': 2.5, 'n': None}), 'm', allow_none=True) */
static const char t_call_py[] =
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>m</methodName>\n<params>\n<param>\n"
	"<value><string>a&lt;&amp;&gt;</string></value>\n</param>\n<param>\n<value><int>1</int></value>\n"
	"</param>\n<param>\n<value><boolean>1</boolean></value>\n</param>\n<param>\n"
	"<value><array><data>\n<value><int>1</int></value>\n<value><string>b</string></value>\n"
	"</data></array></value>\n</param>\n<param>\n<value><struct>\n<member>\n<name>k</name>\n"
	"<value><double>2.5</double></value>\n</member>\n<member>\n<name>n</name>\n"
	"<value><nil/></value></member>\n</struct></value>\n</param>\n</params>\n</methodCall>\n";

static struct value *t_sample(void)
{
	struct value *p = value_list(), *l = value_list(), *m = value_map();

	value_list_push(p, value_str("a<&>"));
	value_list_push(p, value_int(1));
	value_list_push(p, value_bool(1));
	value_list_push(l, value_int(1));
	value_list_push(l, value_str("b"));
	value_list_push(p, l);
	value_map_set(m, "k", value_float(2.5));
	value_map_set(m, "n", value_null());
	value_list_push(p, m);
	return p;
}

static void test_encode_call_as_python(void)
{
	struct value *p = t_sample();
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(xmlrpc_encode_call("m", p, &b), 0);
	T_EQ_STR(buf_str(&b), t_call_py);
	value_unref(p);
	buf_fini(&b);
}

static void test_call_roundtrip(void)
{
	struct value *p = t_sample(), *got = NULL;
	struct diag d;
	char *method = NULL;

	diag_init(&d);
	T_EQ_INT(xmlrpc_decode_call(t_call_py, strlen(t_call_py), NULL, &method, &got, &d), 0);
	T_EQ_STR(method, "m");
	T_CHECK(got != NULL && value_equal(got, p));
	value_unref(p);
	value_unref(got);
	free(method);
	diag_fini(&d);
}

static void test_fault(void)
{
	static const char py[] = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n<member>\n"
	                         "<name>faultCode</name>\n<value><int>10</int></value>\n</member>\n<member>\n"
	                         "<name>faultString</name>\n<value><string>BAD_NAME: x</string></value>\n"
	                         "</member>\n</struct></value>\n</fault>\n</methodResponse>\n";
	struct value *v = NULL;
	struct diag d;
	struct buf b;
	int fault = 0;

	buf_init(&b, 0);
	diag_init(&d);
	T_EQ_INT(xmlrpc_encode_fault(10, "BAD_NAME: x", &b), 0);
	T_EQ_STR(buf_str(&b), py);
	T_EQ_INT(xmlrpc_decode_response(py, strlen(py), NULL, &v, &fault, &d), 0);
	T_EQ_INT(fault, 1);
	T_EQ_INT(value_get_int(v, "faultCode", 0), 10);
	T_EQ_STR(value_get_str(v, "faultString", NULL), "BAD_NAME: x");
	value_unref(v);
	buf_fini(&b);
	diag_fini(&d);
}

static void test_response_forms(void)
{
	static const char doc[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><!-- c --><methodResponse><params><param>"
	                          "<value><struct><member><name>s</name><value>  raw &#x41;&#66;\r\nx </value></member>"
	                          "<member><name>i</name><value><i4> -7 </i4></value></member>"
	                          "<member><name>e</name><value><string/></value></member>"
	                          "<member><name>c</name><value><string><![CDATA[<&>]]></string></value></member>"
	                          "<member><name>b</name><value><base64>aGk=</base64></value></member>"
	                          "<member><name>a</name><value><array><data/></array></value></member>"
	                          "</struct></value></param></params></methodResponse>\n";
	struct value *v = NULL;
	struct diag d;
	int fault = 1;

	diag_init(&d);
	T_EQ_INT(xmlrpc_decode_response(doc, strlen(doc), NULL, &v, &fault, &d), 0);
	T_EQ_INT(fault, 0);
	T_EQ_STR(value_get_str(v, "s", NULL), "  raw AB\nx ");
	T_EQ_INT(value_get_int(v, "i", 0), -7);
	T_EQ_STR(value_get_str(v, "e", NULL), "");
	T_EQ_STR(value_get_str(v, "c", NULL), "<&>");
	T_EQ_STR(value_get_str(v, "b", NULL), "hi");
	T_CHECK(value_map_get(v, "a") != NULL && value_len(value_map_get(v, "a")) == 0);
	value_unref(v);
	diag_fini(&d);
}

static void t_bad(const char *doc, int line, int col)
{
	struct value *v = NULL;
	struct diag d;
	int fault = 0;

	diag_init(&d);
	T_EQ_INT(xmlrpc_decode_response(doc, strlen(doc), "resp", &v, &fault, &d), ERR_PARSE);
	T_CHECK(v == NULL && diag_has(&d));
	T_EQ_INT(d.line, line);
	if (col >= 0)
		T_EQ_INT(d.col, col);
	diag_fini(&d);
}

static void test_bad_documents(void)
{
	t_bad("<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>", 1, 39);
	t_bad("<methodResponse>\n<params><param><value><foo>1</foo></value></param></params></methodResponse>", 2, 23);
	t_bad("<!DOCTYPE x [<!ENTITY a 'b'>]><methodResponse/>", 1, 1);
	t_bad("<methodResponse><params><param><value>&bogus;</value></param></params></methodResponse>", 1, 39);
	t_bad("<methodResponse><params><param><value><string>x</value></param></params></methodResponse>", 1, 48);
	t_bad("<methodResponse><params><param><value>1</value></param></params></methodResponse>junk", 1, 82);
	t_bad("<methodResponse><fault><value><int>1</int></value></fault></methodResponse>", 1, 31);
}

static void test_depth_capped(void)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	buf_puts(&b, "<methodResponse><params><param><value>");
	for (i = 0; i < XMLRPC_DEPTH_CAP + 2; i++)
		buf_puts(&b, "<array><data><value>");
	t_bad(buf_str(&b), 1, -1);
	buf_fini(&b);
}

static void test_encode_numbers(void)
{
	struct value *v;
	struct buf b;

	buf_init(&b, 0);
	v = value_int((int64_t)1 << 40);
	T_EQ_INT(xmlrpc_encode_response(v, &b), ERR_INVAL);
	value_unref(v);
	buf_reset(&b);
	v = value_float(1e16);
	xmlrpc_encode_response(v, &b);
	T_CHECK(strstr(buf_str(&b), "<double>1e+16</double>") != NULL);
	value_unref(v);
	buf_reset(&b);
	v = value_float(100.0);
	xmlrpc_encode_response(v, &b);
	T_CHECK(strstr(buf_str(&b), "<double>100.0</double>") != NULL);
	value_unref(v);
	buf_reset(&b);
	v = value_float(0.1);
	xmlrpc_encode_response(v, &b);
	T_CHECK(strstr(buf_str(&b), "<double>0.1</double>") != NULL);
	value_unref(v);
	buf_fini(&b);
}

static void test_base64(void)
{
	struct buf b;

	buf_init(&b, 0);
	T_EQ_INT(base64_encode("user:pass", 9, &b), 0);
	T_EQ_STR(buf_str(&b), "dXNlcjpwYXNz");
	buf_reset(&b);
	T_EQ_INT(base64_decode("dXNl\ncjpwYXNz", 13, &b), 0);
	T_EQ_STR(buf_str(&b), "user:pass");
	buf_reset(&b);
	T_EQ_INT(base64_decode("aGk", 3, &b), ERR_PARSE);
	buf_reset(&b);
	T_EQ_INT(base64_decode("a=Gk", 4, &b), ERR_PARSE);
	buf_fini(&b);
}

int main(void)
{
	T_RUN(test_encode_call_as_python);
	T_RUN(test_call_roundtrip);
	T_RUN(test_fault);
	T_RUN(test_response_forms);
	T_RUN(test_bad_documents);
	T_RUN(test_depth_capped);
	T_RUN(test_encode_numbers);
	T_RUN(test_base64);
	return T_DONE();
}
