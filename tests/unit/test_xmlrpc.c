/* Unit tests for data/xmlrpc and base/base64: the encoder's bytes against
 * what Python's xmlrpc.client.dumps() writes, decoding of what supervisord
 * sends and of calls as supervisorctl writes them (droverd's control
 * server), the streaming putters, and refusal of malformed documents with
 * a position. */
#include <stdio.h>
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

static struct value *t_call_ok(const char *doc, char **methodp)
{
	struct value *params = NULL;
	struct diag d;

	diag_init(&d);
	T_EQ_INT(xmlrpc_decode_call(doc, strlen(doc), NULL, methodp, &params, &d), 0);
	if (diag_has(&d))
		printf("# %s\n", d.msg);
	diag_fini(&d);
	return params;
}

static void t_call_bad(const char *doc, const char *frag)
{
	struct value *params = NULL;
	char *method = NULL;
	struct diag d;

	diag_init(&d);
	T_CHECK(xmlrpc_decode_call(doc, strlen(doc), "req", &method, &params, &d) != 0);
	T_CHECK(method == NULL && params == NULL);
	T_CHECK(diag_has(&d) && strstr(d.msg, frag) != NULL);
	if (diag_has(&d) && strstr(d.msg, frag) == NULL)
		printf("# got: %s (wanted %s)\n", d.msg, frag);
	diag_fini(&d);
}

static void test_decode_calls(void)
{
	struct value *p, *k;
	char *m = NULL;

	p = t_call_ok("<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.startProcess</methodName>\n"
	              "<params>\n<param>\n<value><string>web:*</string></value>\n</param>\n<param>\n"
	              "<value><boolean>1</boolean></value>\n</param>\n</params>\n</methodCall>\n",
	              &m);
	T_EQ_STR(m, "supervisor.startProcess");
	T_CHECK(p != NULL && value_len(p) == 2);
	if (p != NULL && value_len(p) == 2) {
		T_EQ_STR(value_cstr(value_list_at(p, 0)), "web:*");
		T_CHECK(value_list_at(p, 1)->type == VALUE_BOOL && value_list_at(p, 1)->u.b == 1);
	}
	value_unref(p);
	free(m);

	/* Untyped values are strings, with entities, character references and
	 * CDATA; int, i4, i8, double, nil, empty string, nested and empty
	 * structs and arrays. */
	p = t_call_ok("<methodCall><methodName>a.b</methodName><params>"
	              "<param><value> a &amp;&lt;&#65;&#x263a;<![CDATA[<x>]]></value></param>"
	              "<param><value><i4>-7</i4></value></param>"
	              "<param><value><i8> 9000000000 </i8></value></param>"
	              "<param><value><double>1.5</double></value></param>"
	              "<param><value><nil/></value></param>"
	              "<param><value><string/></value></param>"
	              "<param><value><struct><member><name>k</name><value><array><data>"
	              "<value><int>1</int></value></data></array></value></member></struct></value></param>"
	              "<param><value><array/></value></param><param><value><struct/></value></param>"
	              "</params></methodCall>",
	              &m);
	T_CHECK(p != NULL && value_len(p) == 9);
	if (p != NULL && value_len(p) == 9) {
		T_EQ_STR(value_cstr(value_list_at(p, 0)), " a &<A\xe2\x98\xba<x>");
		T_CHECK(value_list_at(p, 1)->u.i == -7 && value_list_at(p, 2)->u.i == 9000000000LL);
		T_CHECK(value_list_at(p, 3)->type == VALUE_FLOAT && value_list_at(p, 3)->u.f == 1.5);
		T_CHECK(value_list_at(p, 4)->type == VALUE_NULL);
		T_CHECK(value_list_at(p, 5)->type == VALUE_STR && value_list_at(p, 5)->u.s.len == 0);
		k = value_map_get(value_list_at(p, 6), "k");
		T_CHECK(k != NULL && value_len(k) == 1);
		T_CHECK(!value_truth(value_list_at(p, 5)) && value_truth(value_list_at(p, 6)));
		T_CHECK(value_list_at(p, 7)->type == VALUE_LIST && !value_truth(value_list_at(p, 7)));
		T_CHECK(value_list_at(p, 8)->type == VALUE_MAP && !value_truth(value_list_at(p, 8)));
	}
	value_unref(p);
	free(m);

	/* No <params>: an empty list, as supervisord accepts. */
	p = t_call_ok("<methodCall><methodName>x.y</methodName></methodCall>", &m);
	T_CHECK(p != NULL && p->type == VALUE_LIST && value_len(p) == 0);
	value_unref(p);
	free(m);
}

static void test_refuse_calls(void)
{
	struct buf b;
	int i;

	t_call_bad("", "unexpected end of document");
	t_call_bad("<methodCall><methodName>x</methodName>", "unexpected end of document");
	t_call_bad("<methodResponse/>", "expected <methodCall>");
	t_call_bad("<methodCall><params/></methodCall>", "expected <methodName>");
	t_call_bad("<!DOCTYPE x [<!ENTITY a 'b'>]><methodCall/>", "document type declarations");
	t_call_bad("<methodCall><methodName>x</methodName><params><param><value><int>1x</int></value></param>"
	           "</params></methodCall>",
	           "bad integer");
	t_call_bad("<methodCall><methodName>x</methodName><params><param><value><int>99999999999999999999</int>"
	           "</value></param></params></methodCall>",
	           "bad integer");
	t_call_bad("<methodCall><methodName>x</methodName><params><param><value>&bogus;</value></param></params>"
	           "</methodCall>",
	           "undefined entity");
	t_call_bad("<methodCall><methodName>x</methodName><params><param><value>&#0;</value></param></params>"
	           "</methodCall>",
	           "bad character reference");
	t_call_bad("<methodCall><methodName>x</methodName><params><param><value><blob>1</blob></value></param>"
	           "</params></methodCall>",
	           "unknown type <blob>");
	t_call_bad("<methodCall><methodName>x</methodName></methodCall>trailing", "junk after document element");
	buf_init(&b, 0);
	buf_puts(&b, "<methodCall><methodName>x</methodName><params><param>");
	for (i = 0; i < XMLRPC_DEPTH_CAP + 8; i++)
		buf_puts(&b, "<value><array><data>");
	t_call_bad(buf_str(&b), "nested too deeply");
	buf_reset(&b);
	buf_puts(&b, "<methodCall><methodName>x</methodName><params><param><value><array><data>");
	for (i = 0; i <= XMLRPC_VALUES_CAP; i++)
		buf_puts(&b, "<value/>");
	t_call_bad(buf_str(&b), "values");
	buf_fini(&b);
}

/* The putters, as droverd's control server streams its answers. */
static void test_putters(void)
{
	struct buf v, doc;

	buf_init(&v, 0);
	buf_init(&doc, 0);
	xmlrpc_put_strn(&v, "a<b>&c\xff\x01\xe2\x98\xba", 11);
	T_EQ_STR(buf_str(&v), "<value><string>a&lt;b&gt;&amp;c\xef\xbf\xbd\xef\xbf\xbd\xe2\x98\xba</string></value>\n");
	T_EQ_INT(xmlrpc_wrap_response(&v, &doc), 0);
	T_CHECK(strstr(buf_str(&doc), "<methodResponse>\n<params>\n<param>\n<value><string>") != NULL);
	buf_reset(&v);
	xmlrpc_put_struct_begin(&v);
	xmlrpc_put_kv_int(&v, "i", 3000000000LL);
	xmlrpc_put_kv_bool(&v, "b", 7);
	xmlrpc_put_kv_str(&v, "s", "x");
	xmlrpc_put_struct_end(&v);
	T_EQ_STR(buf_str(&v), "<value><struct>\n<member>\n<name>i</name>\n<value><int>3000000000</int></value>\n"
	                      "</member>\n<member>\n<name>b</name>\n<value><boolean>1</boolean></value>\n</member>\n"
	                      "<member>\n<name>s</name>\n<value><string>x</string></value>\n</member>\n"
	                      "</struct></value>\n");
	buf_fini(&v);
	buf_fini(&doc);
	/* A cap reached is reported, not a truncated document passed on. */
	buf_init(&doc, 16);
	T_EQ_INT(xmlrpc_encode_fault(10, "BAD_NAME: x", &doc), ERR_TOOBIG);
	buf_fini(&doc);
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
	T_RUN(test_decode_calls);
	T_RUN(test_refuse_calls);
	T_RUN(test_putters);
	T_RUN(test_encode_numbers);
	T_RUN(test_base64);
	return T_DONE();
}
