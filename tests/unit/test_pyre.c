/* The Python regex layer of the worker (data/pyre.c, shared with the template engine): translation to
 * POSIX ERE, matches and group spans compared with Python's re.search on
 * the same text (cases where Python and POSIX agree), re.subn results
 * (template escapes, named groups, empty matches), and the errors: what
 * Python rejects, with its words and positions, and the constructs POSIX
 * cannot express, named. Expected values were recorded from Python 3.11.
 * The module layer is not in libdrover.a, so its source is compiled in. */
#include <stdlib.h>

#include "data/pyre.c"
#include "t.h"

struct search_case {
	const char *pat;
	int flags;
	const char *text;
	int nspans; /* -1: no match */
	int spans[16];
};

static const struct search_case search_cases[] = {
	{"foo", 0, "a foo b", 1, {2, 5}},
	{"^foo", 0, "foo bar", 1, {0, 3}},
	{"^bar", 0, "foo bar", -1, {0}},
	{"bar$", 0, "foo bar", 1, {4, 7}},
	{"^(\\w+)=(.*)$", 0, "key=value here", 3, {0, 14, 0, 3, 4, 14}},
	{"(?P<k>\\w+)\\s*=\\s*(?P<v>\\S+)", 0, "  name = drover  ", 3, {2, 15, 2, 6, 9, 15}},
	{"\\d+", 0, "abc 12345 def", 1, {4, 9}},
	{"\\D+", 0, "123abc456", 1, {3, 6}},
	{"\\s+", 0, "a \t b", 1, {1, 4}},
	{"\\S+", 0, "   xyz  ", 1, {3, 6}},
	{"\\bfoo\\b", 0, "afoo foo", 1, {5, 8}},
	{"\\Bfoo", 0, "foo afoo", 1, {5, 8}},
	{"[a-c]+", 0, "xxabcabd", 1, {2, 7}},
	{"[^a-c]+", 0, "abcxyzabc", 1, {3, 6}},
	{"[\\d.]+", 0, "v 1.2.3 x", 1, {2, 7}},
	{"[\\w-]+", 0, "  my-name_1 ", 1, {2, 11}},
	{"[]x]+", 0, "a]x]b", 1, {1, 4}},
	{"[^]x]+", 0, "]]ab]", 1, {2, 4}},
	{"[\\]\\\\]+", 0, "a\\]\\b", 1, {1, 4}},
	{"[-a]+", 0, "b-a-c", 1, {1, 4}},
	{"[a-]+", 0, "b-a-c", 1, {1, 4}},
	{"[\\^x]+", 0, "a^x^b", 1, {1, 4}},
	{"[x^]+", 0, "a^x^b", 1, {1, 4}},
	{"[\\[]", 0, "a[b", 1, {1, 2}},
	{"[[]+", 0, "a[[b", 1, {1, 3}},
	{"[*+?{}().|$]+", 0, "ab*+?{}().|$c", 1, {2, 12}},
	{"a{2}", 0, "a aa aaa", 1, {2, 4}},
	{"a{2,}", 0, "a aaaa", 1, {2, 6}},
	{"a{,2}b", 0, "aaab", 1, {1, 4}},
	{"a{1,3}", 0, "aaaaa", 1, {0, 3}},
	{"x{", 0, "ax{b", 1, {1, 3}},
	{"x{a}", 0, "x{a}", 1, {0, 4}},
	{"a}", 0, "a}", 1, {0, 2}},
	{"(?:ab)+", 0, "xababab", 1, {1, 7}},
	{"(a)(?:b)(c)", 0, "abc", 3, {0, 3, 0, 1, 2, 3}},
	{"(?i)FOO", 0, "a foo", 1, {2, 5}},
	{"foo", 1, "FoO", 1, {0, 3}},
	{"^b", 2, "a\nb\nc", 1, {2, 3}},
	{"a$", 2, "a\nb", 1, {0, 1}},
	{"a.c", 0, "a\nc abc", 1, {4, 7}},
	{"a.c", 4, "a\nc", 1, {0, 3}},
	{"(?s)a.c", 0, "a\nc", 1, {0, 3}},
	{"a.c", 6, "x\na\nc", 1, {2, 5}},
	{"(?m)^c", 0, "a\nc", 1, {2, 3}},
	{"\\x41\\x42", 0, "zAB", 1, {1, 3}},
	{"\\u00e9", 0, "caf\303\251", 1, {3, 5}},
	{"\\101", 0, "A", 1, {0, 1}},
	{"\\0101", 0, "\0101", 1, {0, 2}},
	{"\\t\\n", 0, "a\t\nb", 1, {1, 3}},
	{"\\.\\*\\+", 0, "a.*+", 1, {1, 4}},
	{"\\/", 0, "a/b", 1, {1, 2}},
	{"a|b", 0, "xxb", 1, {2, 3}},
	{"(a|b)c", 0, "bc", 2, {0, 2, 0, 1}},
	{"(x)?y", 0, "y", 2, {0, 1, -1, -1}},
	{"()", 0, "ab", 2, {0, 0, 0, 0}},
	{"\\Aab", 0, "ab", 1, {0, 2}},
	{"ab\\Z", 0, "xab", 1, {1, 3}},
	{"(?#comment)ab", 0, "xab", 1, {1, 3}},
	{"a(?#c)+", 0, "aaa", 1, {0, 3}},
	{"ANSIBLE MANAGED", 0, "# BEGIN ANSIBLE MANAGED BLOCK", 1, {8, 23}},
	{"^#?Port\\s", 0, "#Port 22", 1, {0, 6}},
	{"^(host=).*", 0, "host=old", 2, {0, 8, 0, 5}},
	{"[[:alpha:]]", 0, "a:", -1, {0}},
};

struct sub_case {
	const char *pat, *repl, *text, *expect; /* expect NULL: a template error */
	int count;
};

static const struct sub_case sub_cases[] = {
	{"foo", "bar", "foo foo", "bar bar", 2},
	{"x*", "-", "abxd", "-a-b--d-", 5},
	{"^", "# ", "a\nb\n", "# a\n# b\n# ", 3},
	{"$", ";", "a\nb", "a;\nb;", 2},
	{"(\\w+)=(\\w+)", "\\2=\\1", "a=b c=d", "b=a d=c", 2},
	{"(?P<k>\\w+)=(?P<v>\\w+)", "\\g<v>:\\g<k>", "a=b", "b:a", 1},
	{"(\\d)", "<\\g<1>0>", "a1b2", "a<10>b<20>", 2},
	{"a", "\\n\\t\\\\", "xa", "x\n\t\\", 1},
	{"a", "\\.", "a", "\\.", 1},
	{"(a)|(b)", "[\\1\\2]", "ab", "[a][b]", 2},
	{"\\s+$", "", "a  \nb \n", "a\nb", 2},
	{"^#\\s*", "", "# a\n#b\nc", "a\nb\nc", 2},
	{"", "-", "abc", "-a-b-c-", 4},
	{"b*", "X", "abc", "XaXXcX", 4},
	{"(\\d+)", "\\1\\1", "7 and 42", "77 and 4242", 2},
	{"o", "\\0101", "foo", "f\0101\0101", 2},
	{"(a)", "\\101", "a", "A", 1},
	{"z", "y", "abc", "abc", 0},
	{"(a)", "\\2", "a", NULL, -1}, /* invalid group reference 2 at position 1 */
	{"(a)", "\\g<x>", "a", NULL, -1}, /* unknown group name 'x' */
	{"(a)", "\\q", "a", NULL, -1}, /* bad escape \q at position 0 */
	{"(a)", "\\", "a", NULL, -1}, /* bad escape (end of pattern) at position 0 */
	{"(a)", "\\g<1", "a", NULL, -1}, /* missing >, unterminated name at position 3 */
	{"(a)", "\\g", "a", NULL, -1}, /* missing < at position 2 */
	{"a", "\\g<>", "a", NULL, -1}, /* missing group name at position 3 */
};

struct error_case {
	const char *pat, *msg; /* msg: the message, or a part of it */
};

static const struct error_case error_cases[] = {
	{"a*?", "lazy quantifiers (*?) are not supported at position 1"},
	{"a+?", "lazy quantifiers (+?) are not supported"},
	{"a??", "lazy quantifiers (?\?) are not supported"},
	{"a{1,2}?", "lazy quantifiers ({1,2}?) are not supported"},
	{"a*+", "possessive quantifiers (*+) are not supported"},
	{"(?=a)", "lookahead assertions ((?=...)) are not supported at position 0"},
	{"(?!a)", "lookahead assertions ((?!...)) are not supported"},
	{"(?<=a)b", "lookbehind assertions ((?<=...)) are not supported"},
	{"(?<!a)b", "lookbehind assertions ((?<!...)) are not supported"},
	{"(a)\\1", "back references (\\1) are not supported at position 3"},
	{"(?P<x>a)(?P=x)", "back references ((?P=name)) are not supported"},
	{"(?>a)", "atomic groups ((?>...)) are not supported"},
	{"(?(1)a|b)", "conditional groups ((?(...)...)) are not supported"},
	{"(?i:a)", "scoped inline flags ((?flags:...)) are not supported"},
	{"(?x)a", "verbose patterns ((?x)) are not supported"},
	{"[\\D]", "\\D inside a character class is not supported at position 1"},
	{"[\\W]", "\\W inside a character class is not supported"},
	{"[\\S]", "\\S inside a character class is not supported"},
	{"[\xc3\xa9]", "non-ASCII characters in a character class are not supported"},
	{"a\\0b", "NUL characters are not supported"},
	{"\\N{DIGIT ONE}", "named Unicode escapes (\\N{...}) are not supported"},
	{"a{300}", "repeat counts over 255 are not supported"},
	{"(a{100}){100}", "nested repeat counts are too large"},
	{"*a", "nothing to repeat at position 0"},
	{"a**", "multiple repeat at position 2"},
	{"^*", "nothing to repeat at position 1"},
	{"|*", "nothing to repeat at position 1"},
	{"\\b+", "nothing to repeat at position 2"},
	{"(a", "missing ), unterminated subpattern at position 0"},
	{"a(b(c)", "missing ), unterminated subpattern at position 1"},
	{"a)", "unbalanced parenthesis at position 1"},
	{"[a", "unterminated character set at position 0"},
	{"\\q", "bad escape \\q at position 0"},
	{"a\\", "bad escape (end of pattern) at position 1"},
	{"[z-a]", "bad character range z-a at position 1"},
	{"[\\d-z]", "bad character range \\d-z at position 1"},
	{"a{2,1}", "min repeat greater than max repeat at position 2"},
	{"x(?i)", "global flags not at the start of the expression at position 1"},
	{"\\x4", "incomplete escape \\x4 at position 0"},
	{"(?P<1a>x)", "bad character in group name '1a' at position 4"},
	{"(?P<a>x)(?P<a>y)", "redefinition of group name 'a' as group 2; was group 1 at position 12"},
	{"(?Q)", "unknown extension ?Q at position 1"},
};

static void test_search(void)
{
	struct pyre_match m;
	struct pyre *re;
	size_t i, g;
	char *err;
	int found;

	for (i = 0; i < sizeof(search_cases) / sizeof(search_cases[0]); i++) {
		const struct search_case *c = &search_cases[i];

		if (pyre_compile(c->pat, strlen(c->pat), c->flags, &re, &err) != 0) {
			printf("#   /%s/: %s\n", c->pat, err);
			T_CHECK(0);
			free(err);
			continue;
		}
		found = pyre_search(re, c->text, strlen(c->text), 0, &m);
		if (found != (c->nspans >= 0))
			printf("#   /%s/ on \"%s\": found %d\n", c->pat, c->text, found);
		T_EQ_INT(found, c->nspans >= 0);
		if (found && c->nspans >= 0) {
			T_EQ_INT(m.ngroups + 1, c->nspans);
			for (g = 0; g < m.ngroups + 1 && (int)g < c->nspans; g++) {
				long so = m.so[g] == PYRE_NONE ? -1 : (long)m.so[g];
				long eo = m.eo[g] == PYRE_NONE ? -1 : (long)m.eo[g];

				if (so != c->spans[2 * g] || eo != c->spans[2 * g + 1])
					printf("#   /%s/ on \"%s\": group %zu at %ld-%ld, want %d-%d\n", c->pat, c->text, g, so,
					       eo, c->spans[2 * g], c->spans[2 * g + 1]);
				T_EQ_INT(so, c->spans[2 * g]);
				T_EQ_INT(eo, c->spans[2 * g + 1]);
			}
		}
		pyre_free(re);
	}
}

static void test_sub(void)
{
	struct pyre *re;
	struct buf out;
	size_t i, count;
	char *err;
	int r;

	for (i = 0; i < sizeof(sub_cases) / sizeof(sub_cases[0]); i++) {
		const struct sub_case *c = &sub_cases[i];

		T_EQ_INT(pyre_compile(c->pat, strlen(c->pat), PYRE_MULTILINE, &re, &err), 0);
		buf_init(&out, 0);
		r = pyre_sub(re, c->repl, strlen(c->repl), c->text, strlen(c->text), &out, &count, &err);
		if (c->expect == NULL) {
			T_EQ_INT(r, ERR_INVAL);
			T_CHECK(r != 0 && err != NULL);
			if (r != 0)
				free(err);
		} else {
			if (r != 0 || strcmp(buf_str(&out), c->expect) != 0)
				printf("#   sub(/%s/, '%s', '%s') = '%s'\n", c->pat, c->repl, c->text, buf_str(&out));
			T_EQ_INT(r, 0);
			T_EQ_STR(buf_str(&out), c->expect);
			T_EQ_INT(count, c->count);
		}
		buf_fini(&out);
		pyre_free(re);
	}
}

static void test_template_errors(void)
{
	static const char *const cases[][2] = {
		{"\\2", "invalid group reference 2 at position 1"},
		{"\\g<x>", "unknown group name 'x'"},
		{"\\q", "bad escape \\q at position 0"},
		{"\\", "bad escape (end of pattern) at position 0"},
		{"\\g<1", "missing >, unterminated name at position 3"},
		{"\\g", "missing < at position 2"},
		{"\\g<>", "missing group name at position 3"},
		{"\\g<2>", "invalid group reference 2 at position 3"},
	};
	struct pyre_match m;
	struct pyre *re;
	struct buf out;
	size_t i;
	char *err;

	T_EQ_INT(pyre_compile("(a)", 3, 0, &re, &err), 0);
	T_EQ_INT(pyre_search(re, "a", 1, 0, &m), 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_init(&out, 0);
		err = NULL;
		T_EQ_INT(pyre_expand(re, cases[i][0], strlen(cases[i][0]), "a", &m, &out, &err), ERR_INVAL);
		T_EQ_STR(err, cases[i][1]);
		free(err);
		buf_fini(&out);
	}
	pyre_free(re);
}

static void test_errors(void)
{
	struct pyre *re = NULL;
	size_t i;
	char *err = NULL;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		err = NULL;
		T_EQ_INT(pyre_compile(error_cases[i].pat, strlen(error_cases[i].pat), 0, &re, &err), ERR_INVAL);
		if (err == NULL || strstr(err, error_cases[i].msg) == NULL)
			printf("#   /%s/: \"%s\", want \"%s\"\n", error_cases[i].pat, err ? err : "(none)",
			       error_cases[i].msg);
		T_CHECK(err != NULL && strstr(err, error_cases[i].msg) != NULL);
		free(err);
	}
}

static const char *translate(const char *py, int flags)
{
	static struct buf b;
	char *err = NULL;
	int cflags;

	buf_fini(&b);
	buf_init(&b, 0);
	if (pyre_translate(py, strlen(py), flags, &b, &cflags, &err) != 0) {
		free(err);
		return "(error)";
	}
	return buf_str(&b);
}

static void test_translation(void)
{
	T_EQ_STR(translate("a.b", 0), "a[^\n]b");
	T_EQ_STR(translate("a.b", PYRE_DOTALL), "a.b");
	T_EQ_STR(translate("a.b", PYRE_MULTILINE), "a.b");
	T_EQ_STR(translate("a.b", PYRE_MULTILINE | PYRE_DOTALL), "a(.|\n)b");
	T_EQ_STR(translate("\\d+\\s*\\w", 0), "[0-9]+[[:space:]]*[[:alnum:]_]");
	T_EQ_STR(translate("x{,3}y{2}z{1,}", 0), "x{0,3}y{2}z{1,}");
	T_EQ_STR(translate("(?:a)(?P<n>b)", 0), "(a)(b)");
	T_EQ_STR(translate("[]a-c^-]", 0), "[]a-c^-]");
	T_EQ_STR(translate("[\\^]", 0), "\\^");
	T_EQ_STR(translate("[\\^-]", 0), "[-^]");
	T_EQ_STR(translate("[^^]", 0), "[^^]");
	T_EQ_STR(translate("[\\]\\\\[]", 0), "[]\\[]");
	T_EQ_STR(translate("[\\d_x]", 0), "[0-9x_]");
	T_EQ_STR(translate("a{b}c]", 0), "a\\{b\\}c\\]");
	T_EQ_STR(translate("\\x41\\.", 0), "A\\.");
	T_EQ_STR(translate("(?#note)a", 0), "a");
}

static void test_search_positions(void)
{
	struct pyre_match m;
	struct pyre *re;
	char *err;
	const char *text = "ab\nab";

	T_EQ_INT(pyre_compile("^ab", 3, 0, &re, &err), 0);
	T_EQ_INT(pyre_search(re, text, 5, 0, &m), 1);
	T_EQ_INT(pyre_search(re, text, 5, 1, &m), 0);
	pyre_free(re);
	T_EQ_INT(pyre_compile("^ab", 3, PYRE_MULTILINE, &re, &err), 0);
	T_EQ_INT(pyre_search(re, text, 5, 1, &m), 1);
	T_EQ_INT(m.so[0], 3);
	pyre_free(re);
	T_EQ_INT(pyre_compile("(?P<a>x)|(?P<b>y)", 17, 0, &re, &err), 0);
	T_EQ_INT(pyre_groups(re), 2);
	T_EQ_INT(pyre_search(re, "zy", 2, 0, &m), 1);
	T_CHECK(m.so[1] == PYRE_NONE);
	T_EQ_INT(m.so[2], 1);
	pyre_free(re);
}

int main(void)
{
	T_RUN(test_translation);
	T_RUN(test_search);
	T_RUN(test_search_positions);
	T_RUN(test_sub);
	T_RUN(test_template_errors);
	T_RUN(test_errors);
	return T_DONE();
}
