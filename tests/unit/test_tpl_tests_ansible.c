/* Ansible's tests (src/template/tests_ansible.c). */
#include "tpl_render.h"

static void test_results(void)
{
	TR_EQ("{{ r is failed }} {{ r is succeeded }} {{ r is changed }} {{ r is skipped }} {{ r is finished }}",
	      "{\"r\": {\"failed\": true}}", "True False False False True");
	TR_EQ("{{ {'results': [{}, {'changed': 1}]} is changed }}", NULL, "True");
	TR_EQ("{{ {'unreachable': true} is reachable }}", NULL, "False");
	TR_ERR("{{ 1 is failed }}", NULL, "expects a dictionary");
}

static void test_regex(void)
{
	TR_EQ("{{ 'foobar' is match('foo') }} {{ 'foobar' is match('bar') }} {{ 'foobar' is search('bar') }}", NULL,
	      "True False True");
	TR_EQ("{{ 'X' is match('x', ignorecase=true) }} {{ 'a\\nb' is match('^b', multiline=true) }}", NULL,
	      "True False");
	TR_EQ("{{ 'ab' is regex('b', match_type='match') }}", NULL, "False");
}

static void test_versions(void)
{
	TR_EQ("{{ '1.10' is version('1.9', '>') }} {{ '1.0' is version('1.0.0', '==') }}", NULL, "True False");
	TR_EQ("{{ '1.0a1' is version('1.0', '<', strict=true) }}", NULL, "True");
	TR_EQ("{{ '1.0.0-alpha.1' is version('1.0.0-alpha.beta', 'lt', version_type='semver') }}", NULL, "True");
	TR_EQ("{{ '1.0.0-2' is version('1.0.0-10', 'lt', version_type='semver') }}", NULL, "True");
	TR_ERR("{{ '1.a' is version('1.1', '<') }}", NULL, "not supported between");
	TR_ERR("{{ '1.2.3.4' is version('1', strict=true) }}", NULL, "invalid version number");
	TR_ERR("{{ '1' is version('1', 'foo') }}", NULL, "Invalid operator");
}

static void test_collections(void)
{
	TR_EQ("{{ [1] is subset([1, 2]) }} {{ [1, 2] is superset([3]) }} {{ [1, 2] is contains(2) }}", NULL,
	      "True False True");
	TR_EQ("{{ [0, 1] is any }} {{ [0, 1] is all }} {{ [] is all }}", NULL, "True False True");
	TR_EQ("{{ 'no' is truthy(convert_bool=true) }} {{ '' is falsy }}", NULL, "False True");
	TR_EQ("{{ ('nan' | float) is nan }} {{ 1 is nan }}", NULL, "True False");
}

static void test_files(void)
{
	TR_EQ("{{ '/' is directory }} {{ '/' is file }} {{ '/' is exists }} {{ '/' is mount }} {{ 'x' is abs }}", NULL,
	      "True False True True False");
	TR_EQ("{{ '/' is same_file('/.') }}", NULL, "True");
}

int main(void)
{
	T_RUN(test_results);
	T_RUN(test_regex);
	T_RUN(test_versions);
	T_RUN(test_collections);
	T_RUN(test_files);
	return T_DONE();
}
