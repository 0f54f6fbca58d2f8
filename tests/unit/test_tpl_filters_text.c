/* Ansible's text filters (filters_text.c) and formatting filters
 * (filters_misc.c). Expected values come from ansible-core 2.14. */
#include "tpl_render.h"

static void test_regex(void)
{
	TR_EQ("{{ 'abxd' | regex_replace('x*', '-') }}", NULL, "-a-b--d-");
	TR_EQ("{{ 'k=v' | regex_replace('(?P<a>\\\\w)=(\\\\w)', '\\\\2=\\\\g<a>') }}", NULL, "v=k");
	TR_EQ("{{ 'AbA' | regex_replace('a', 'z', ignorecase=true) }}", NULL, "zbz");
	TR_EQ("{{ 'foo=bar' | regex_search('(\\\\w+)=(\\\\w+)', '\\\\2', '\\\\1') }}", NULL, "['bar', 'foo']");
	TR_EQ("{{ 'abc' | regex_search('z') is none }}", NULL, "True");
	TR_EQ("{{ 'a1b22' | regex_findall('\\\\d+') }}", NULL, "['1', '22']");
	TR_EQ("{{ 'k1=v1 k2=v2' | regex_findall('(\\\\w+)=(\\\\w+)') }}", NULL, "[('k1', 'v1'), ('k2', 'v2')]");
	TR_EQ("{{ 'a.b*c' | regex_escape }} {{ '^a.' | regex_escape('posix_basic') }}", NULL, "a\\.b\\*c \\^a\\.");
	TR_ERR("{{ 'a' | regex_replace('(', 'x') }}", NULL, "regular expression");
}

static void test_b64_hash(void)
{
	TR_EQ("{{ 'hello' | b64encode }} {{ 'aGVsbG8=' | b64decode }} {{ 'YWJj ZGVm' | b64decode }}", NULL,
	      "aGVsbG8= hello abcdef");
	TR_ERR("{{ 'aGk' | b64decode }}", NULL, "Incorrect padding");
	TR_EQ("{{ 'test' | hash('md5') }}", NULL, "098f6bcd4621d373cade4e832627b4f6");
	TR_EQ("{{ 'test' | checksum }}", NULL, "a94a8fe5ccb19ba61c4c0873d391e987982fbbd3");
	TR_ERR("{{ 'test' | hash('nope') }}", NULL, "unsupported hash type");
	TR_EQ("{{ 'web01' | to_uuid }}", NULL, "1366e976-9f5c-56fc-89f3-793cbaf36534");
}

static void test_paths(void)
{
	TR_EQ("{{ '/a/b.c' | basename }} {{ '/a/b.c' | dirname }} {{ '//x' | dirname }}", NULL, "b.c /a //");
	TR_EQ("{{ 'a/b.tar.gz' | splitext }} {{ '.rc' | splitext }}", NULL, "('a/b.tar', '.gz') ('.rc', '')");
	TR_EQ("{{ '/nonexistent/a/../b' | realpath }}", NULL, "/nonexistent/b");
	TR_EQ("{{ \"it's\" | quote }} {{ none | quote }}", NULL, "'it'\"'\"'s' ''");
	TR_EQ("{{ 'a: [1, yes]' | from_yaml }} {{ 'a: 1\\n---\\n2' | from_yaml_all | list }}", NULL,
	      "{'a': [1, True]} [{'a': 1}, 2]");
}

static void test_formatting(void)
{
	TR_EQ("{{ 'a\\nb' | comment }}", NULL, "#\n# a\n# b\n#");
	TR_EQ("{{ 'x' | comment('cblock') }}", NULL, "/*\n *\n * x\n *\n */");
	TR_EQ("{{ 1536 | human_readable }} {{ 1024 | human_readable(isbits=true) }}", NULL, "1.50 KB 1.00 Kb");
	TR_EQ("{{ '1.5G' | human_to_bytes }} {{ '2.5' | human_to_bytes }}", NULL, "1610612736 2");
	TR_ERR("{{ '1Mb' | human_to_bytes }}", NULL, "not a valid string");
	TR_EQ("{{ '%Y-%m-%d' | strftime(0, utc=true) }}", NULL, "1970-01-01");
	TR_EQ("{{ '02/01/2020' | to_datetime('%d/%m/%Y') }}", NULL, "2020-01-02 00:00:00");
}

int main(void)
{
	T_RUN(test_regex);
	T_RUN(test_b64_hash);
	T_RUN(test_paths);
	T_RUN(test_formatting);
	return T_DONE();
}
