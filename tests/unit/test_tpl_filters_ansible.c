/* Ansible's data-structure filters (src/template/filters_ansible.c). */
#include "tpl_render.h"

static void test_combine(void)
{
	TR_EQ("{{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}}) }}", NULL, "{'a': 1, 'b': {'y': 2}}");
	TR_EQ("{{ {'a': 1, 'b': {'x': 1}} | combine({'b': {'y': 2}}, recursive=true) }}", NULL,
	      "{'a': 1, 'b': {'x': 1, 'y': 2}}");
	TR_EQ("{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='append_rp') }}", NULL, "{'l': [1, 2, 3]}");
	TR_EQ("{{ {'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='prepend_rp') }}", NULL, "{'l': [2, 3, 1]}");
	TR_EQ("{{ {'l': [1]} | combine({'l': [2]}, list_merge='keep') }}", NULL, "{'l': [1]}");
	TR_EQ("{{ [{'a': 1}, none, {'a': 2}] | combine }}", NULL, "{'a': 2}");
	TR_ERR("{{ {} | combine(bad=1) }}", NULL, "only valid keyword");
	TR_ERR("{{ {} | combine(list_merge='nope') }}", NULL, "list_merge");
}

static void test_dict_items(void)
{
	TR_EQ("{{ d | dict2items }}", "{\"d\": {\"b\": 1, \"a\": 2}}",
	      "[{'key': 'b', 'value': 1}, {'key': 'a', 'value': 2}]");
	TR_EQ("{{ [{'n': 'x', 'v': 1}] | items2dict(key_name='n', value_name='v') }}", NULL, "{'x': 1}");
	TR_ERR("{{ 1 | dict2items }}", NULL, "requires a dictionary");
	TR_ERR("{{ [1] | items2dict }}", NULL, "list of dictionaries");
}

static void test_flatten(void)
{
	TR_EQ("{{ [1, [2, [3, none]], 'null'] | flatten }}", NULL, "[1, 2, 3]");
	TR_EQ("{{ [1, [2, [3]]] | flatten(levels=1) }}", NULL, "[1, 2, [3]]");
	TR_EQ("{{ [none, [none]] | flatten(skip_nulls=false) }}", NULL, "[None, None]");
}

static void test_sets(void)
{
	TR_EQ("{{ [3, 1, 3] | union([2, 1]) }}", NULL, "[3, 1, 2]");
	TR_EQ("{{ [3, 1, 3, 2] | intersect([2, 3]) }}", NULL, "[3, 2]");
	TR_EQ("{{ [3, 1, 3, 2] | difference([2]) }}", NULL, "[3, 1]");
	TR_EQ("{{ [1, 2] | symmetric_difference([2, 3]) }}", NULL, "[1, 3]");
	TR_EQ("{{ [1, 1.0, true] | union([]) }}", NULL, "[1]");
}

static void test_zip_product(void)
{
	TR_EQ("{{ [1, 2] | zip('ab') | list }}", NULL, "[(1, 'a'), (2, 'b')]");
	TR_EQ("{{ [1] | zip_longest([2, 3], fillvalue=0) | list }}", NULL, "[(1, 2), (0, 3)]");
	TR_EQ("{{ 'ab' | product([1]) | list }}", NULL, "[('a', 1), ('b', 1)]");
	TR_EQ("{{ [] | product([1]) | list }}", NULL, "[]");
}

static void test_misc(void)
{
	TR_EQ("{{ none | ternary(1, 2, 3) }} {{ 0 | ternary(1, 2) }}", NULL, "3 2");
	TR_EQ("{{ x | mandatory }}", "{\"x\": 5}", "5");
	TR_ERR("{{ nope | mandatory }}", NULL, "Mandatory variable");
	TR_ERR("{{ nope | mandatory('custom') }}", NULL, "custom");
	TR_EQ("{{ 1.5 | type_debug }} {{ (1,) | type_debug }}", NULL, "float tuple");
	TR_EQ("{{ 'a' | extract({'a': [5, 6]}, 1) }}", NULL, "6");
	TR_EQ("{{ [{'n': 1, 'l': ['x', 'y']}] | subelements('l') | map(attribute='1') | list }}", NULL, "['x', 'y']");
	TR_ERR("{{ [{'n': 1}] | subelements('l') }}", NULL, "could not find");
	TR_EQ("{{ [{'n': 1}] | subelements('l', skip_missing=true) }}", NULL, "[]");
}

int main(void)
{
	T_RUN(test_combine);
	T_RUN(test_dict_items);
	T_RUN(test_flatten);
	T_RUN(test_sets);
	T_RUN(test_zip_product);
	T_RUN(test_misc);
	return T_DONE();
}
