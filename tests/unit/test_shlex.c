/* shlex_split and shlex_quote against what Python's shlex returns for the
 * same input (expected values recorded from Python 3.11). */
#include <stdlib.h>
#include <string.h>

#include "data/shlex.h"
#include "t.h"

struct split_case {
	const char *in;
	const char *want; /* words joined by '|', or the error message after '!' */
};

static const struct split_case split_cases[] = {
	{"echo hello world", "echo|hello|world"},
	{"a 'b c' \"d e\"", "a|b c|d e"},
	{"a\\ b", "a b"},
	{"\"a\\\"b\"", "a\"b"},
	{"'a\\'", "a\\"},
	{"\"a\\nb\"", "a\\nb"},
	{"\"a\\\\b\"", "a\\b"},
	{"x\"\"y", "xy"},
	{"''", ""},
	{"\"\"", ""},
	{"  lead  trail  ", "lead|trail"},
	{"a\tb\nc\rd", "a|b|c|d"},
	{"\"$HOME\" '$HOME'", "$HOME|$HOME"},
	{"a\"b c\"d", "ab cd"},
	{"\xc3\xa9 \xc3\xbc", "\xc3\xa9|\xc3\xbc"},
	{"\\\\", "\\"},
	{"\"\\$\"", "\\$"},
	{"a\\\nb", "a\nb"},
	{"it's", "!No closing quotation"},
	{"\"unclosed", "!No closing quotation"},
	{"'unclosed", "!No closing quotation"},
	{"esc\\", "!No escaped character"},
};

static void test_split(void)
{
	struct value *l;
	const char *msg;
	struct buf b;
	size_t i, k;
	int r;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		buf_reset(&b);
		r = shlex_split(split_cases[i].in, strlen(split_cases[i].in), &l, &msg);
		if (r != 0) {
			T_CHECK(l == NULL);
			buf_printf(&b, "!%s", msg);
		} else {
			for (k = 0; k < value_len(l); k++)
				buf_printf(&b, "%s%s", k ? "|" : "", value_cstr(value_list_at(l, k)));
			if (value_len(l) == 0)
				buf_puts(&b, "(none)");
		}
		T_EQ_STR(buf_str(&b), split_cases[i].want);
		value_unref(l);
	}
	/* Nothing but blanks gives no words at all. */
	T_EQ_INT(shlex_split(" \t", 2, &l, &msg), 0);
	T_EQ_INT(value_len(l), 0);
	value_unref(l);
	buf_fini(&b);
}

static void test_quote(void)
{
	static const char *const cases[][2] = {
		{"", "''"},
		{"abc", "abc"},
		{"a b", "'a b'"},
		{"it's", "'it'\"'\"'s'"},
		{"a@%+=:,./-_Z9", "a@%+=:,./-_Z9"},
		{"\xc3\xa9", "'\xc3\xa9'"},
		{"$x", "'$x'"},
	};
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&b);
		T_EQ_INT(shlex_quote(&b, cases[i][0], strlen(cases[i][0])), 0);
		T_EQ_STR(buf_str(&b), cases[i][1]);
	}
	buf_fini(&b);
}

int main(void)
{
	T_RUN(test_split);
	T_RUN(test_quote);
	return T_DONE();
}
