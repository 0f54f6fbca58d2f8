/* Python literals as ast.literal_eval reads them, and repr()/str(). The
 * expected values come from Python 3.11 (ast.literal_eval, then json.dumps
 * with sort_keys, or "STR" when Python raises and Ansible keeps the text). */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "data/json.h"
#include "inventory/pylit.h"
#include "template/pyval.h"
#include "t.h"

static char *eval_json(const char *text)
{
	struct value *v;
	const char *why;
	struct buf b;
	int r = pylit_eval(text, strlen(text), "f", 1, 1, &v, &why);
	char *s;

	if (r == 0)
		return strdup("STR");
	if (r < 0) {
		buf_init(&b, 0);
		buf_printf(&b, "ERR %s", why);
		return buf_take(&b, NULL);
	}
	s = json_encode_str(v, JSON_SORT_KEYS);
	value_unref(v);
	return s;
}

static void test_literals(void)
{
	static const char *const cases[][2] = {
		{"1", "1"}, {"-1", "-1"}, {"+1", "1"}, {"--1", "STR"}, {"-(1)", "-1"}, {"-(-1)", "STR"},
		{"0x1f", "31"}, {"0X_1F", "31"}, {"0o17", "15"}, {"0b101", "5"}, {"017", "STR"}, {"00", "0"},
		{"0_0", "0"}, {"1_000", "1000"}, {"1__0", "STR"}, {"1_", "STR"}, {"1.5", "1.5"}, {"1.", "1.0"},
		{".5", "0.5"}, {"1e5", "100000.0"}, {"1E+5", "100000.0"}, {"1.5e-3", "0.0015"},
		{"1_0.0_1", "10.01"}, {"1+2", "STR"}, {"1e", "STR"}, {"0777.5", "777.5"},
		{"'abc'", "\"abc\""}, {"\"abc\"", "\"abc\""}, {"'a' 'b'", "\"ab\""}, {"'a' \"b\" 'c'", "\"abc\""},
		{"r'a\\nb'", "\"a\\\\nb\""}, {"b'abc'", "\"abc\""}, {"'a\\nb\\tc\\\\d\\'e'", "\"a\\nb\\tc\\\\d'e\""},
		{"'\\x41\\101\\u00e9'", "\"AA\u00e9\""}, {"'\\q'", "\"\\\\q\""}, {"'\\x4'", "STR"},
		{"'unterminated", "STR"}, {"'''triple'''", "\"triple\""}, {"\"a#b\" # comment", "\"a#b\""},
		{"f'x'", "STR"}, {"u'x'", "\"x\""}, {"ub'x'", "STR"}, {"'a' b'b'", "STR"}, {"True", "true"},
		{"False", "false"}, {"None", "null"}, {"true", "STR"}, {"none", "STR"}, {"[1, 2, 3]", "[1, 2, 3]"},
		{"[1, 2, 3,]", "[1, 2, 3]"}, {"[]", "[]"}, {"[1 2]", "STR"}, {"[1,,2]", "STR"}, {"(1)", "1"},
		{"(1,)", "[1]"}, {"()", "[]"}, {"(1, 2)", "[1, 2]"}, {"1, 2", "[1, 2]"}, {"1,", "[1]"}, {"{}", "{}"},
		{"{'a': 1, 'b': [1, 2]}", "{\"a\": 1, \"b\": [1, 2]}"},
		{"{1: 'a', 2.5: 'b', None: 'c'}", "{\"1\": \"a\", \"2.5\": \"b\", \"null\": \"c\"}"},
		{"{'a': 1, 'a': 2}", "{\"a\": 2}"}, {"{1, 2, 1}", "[1, 2]"}, {"set()", "[]"}, {"set(1)", "STR"},
		{"foo", "STR"}, {"foo bar", "STR"}, {"a=b", "STR"}, {"1 # c", "1"}, {"foo # c", "STR"}, {"  1", "1"},
		{"[1, [2, [3, {'x': (4,)}]]]", "[1, [2, [3, {\"x\": [4]}]]]"}, {"-9223372036854775808", "-9223372036854775808"},
		{"9223372036854775807", "9223372036854775807"}, {"-0", "0"}, {"-0.0", "-0.0"}, {"/etc/hosts", "STR"},
		{"1.2.3.4", "STR"}, {"{'a': 1}}", "STR"}, {"{1: 2, 3}", "STR"}, {"1 if True else 2", "STR"},
		{"'a'[0]", "STR"}, {"1 1", "STR"}, {"", "STR"}, {"1j", "ERR complex numbers are not supported"},
		{"1+2j", "ERR complex numbers are not supported"}, {"...", "ERR Ellipsis is not supported"},
		{"99999999999999999999", "ERR integer out of range (drover's integers are 64-bit; quote the value to keep it as a string)"},
		{"{[1]: 2}", "ERR unhashable dict key or set member"}, {"'\\N{DASH}'", "ERR \\N{...} escapes are not supported"},
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = eval_json(cases[i][0]);
		if (strcmp(got, cases[i][1]) != 0)
			printf("#   literal <%s>\n", cases[i][0]);
		T_EQ_STR(got, cases[i][1]);
		free(got);
	}
}

static void test_nesting(void)
{
	char deep[PYLIT_MAX_DEPTH * 2 + 2];
	char *got;
	int i;

	/* Python's parser refuses 200 nested brackets: the text stays a string. */
	for (i = 0; i < PYLIT_MAX_DEPTH; i++) {
		deep[i] = '[';
		deep[PYLIT_MAX_DEPTH * 2 - 1 - i] = ']';
	}
	deep[PYLIT_MAX_DEPTH * 2] = '\0';
	got = eval_json(deep);
	T_EQ_STR(got, "STR");
	free(got);
	deep[PYLIT_MAX_DEPTH * 2 - 1] = '\0';
	memmove(deep, deep + 1, PYLIT_MAX_DEPTH * 2 - 1);
	got = eval_json(deep);
	T_CHECK(strncmp(got, "[[[", 3) == 0);
	free(got);
}

static char *repr_of(const char *text, int as_str)
{
	struct value *v;
	const char *why;
	struct buf b;

	buf_init(&b, 0);
	if (pylit_eval(text, strlen(text), NULL, 0, 0, &v, &why) != 1)
		v = value_str(text);
	if (as_str)
		pyval_str(NULL, &b, v);
	else
		pyval_repr(NULL, &b, v);
	value_unref(v);
	return buf_take(&b, NULL);
}

static void test_repr(void)
{
	/* Expected values: Python's repr(ast.literal_eval(text)). */
	static const char *const cases[][2] = {
		{"None", "None"}, {"True", "True"}, {"1", "1"}, {"1.5", "1.5"}, {"1e16", "1e+16"}, {"1.0", "1.0"},
		{"'x'", "'x'"}, {"\"it's\"", "\"it's\""}, {"'say \"hi\"'", "'say \"hi\"'"},
		{"'both \\' and \"'", "'both \\' and \"'"}, {"'a\\nb\\\\'", "'a\\nb\\\\'"}, {"'\\x00\\x7f'", "'\\x00\\x7f'"},
		{"[1, 'a', None]", "[1, 'a', None]"}, {"(1,)", "(1,)"}, {"(1, 2)", "(1, 2)"}, {"()", "()"},
		{"{'k': [1, {'x': 2}]}", "{'k': [1, {'x': 2}]}"}, {"{1: 'a', None: 2}", "{1: 'a', None: 2}"},
		{"'é\\xa0'", "'é\\xa0'"},
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = repr_of(cases[i][0], 0);
		T_EQ_STR(got, cases[i][1]);
		free(got);
	}
	got = repr_of("'plain text'", 1);
	T_EQ_STR(got, "plain text");
	free(got);
	got = repr_of("[1, 'a']", 1);
	T_EQ_STR(got, "[1, 'a']");
	free(got);
}

static void test_positions(void)
{
	struct value *v;
	const char *why;

	T_EQ_INT(pylit_eval("[1, 'a']", 8, "inv.ini", 7, 12, &v, &why), 1);
	T_EQ_STR(v->pos.file, "inv.ini");
	T_EQ_INT(v->pos.line, 7);
	T_EQ_INT(v->pos.col, 12);
	T_EQ_INT(value_list_at(v, 1)->pos.line, 7);
	value_unref(v);
}

int main(void)
{
	T_RUN(test_literals);
	T_RUN(test_nesting);
	T_RUN(test_repr);
	T_RUN(test_positions);
	return T_DONE();
}
