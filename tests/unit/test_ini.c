/* Unit tests for data/ini: Python configparser's reading rules. The table's
 * expected results are Python 3.11's configparser output, printed by
 * tests/unit/ini_cases.py and pasted here; the other tests cover what
 * configparser does not define (positions, messages, caps, UTF-8, files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/ini.h"
#include "data/json.h"
#include "data/value.h"
#include "t.h"

/* mode: 'd' configparser defaults, 'a' ini_opts_ansible, 's'
 * ini_opts_supervisord. want: json.dumps of the sections, or "!" and the
 * line of the error. */
struct ini_case {
	char mode;
	const char *text;
	const char *want;
};

static const struct ini_case ini_cases[] = {
	{'d', "",
	 "{}"},
	{'d', "# only a comment\n; another\n",
	 "{}"},
	{'d', "[s]\nk = v\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\nk: v\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\nk=v",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\n  k  =   v  \n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\nk\t=\tv\t\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\nFoRkS = 10\nMixed_Key=Value\n",
	 "{\"s\": {\"forks\": \"10\", \"mixed_key\": \"Value\"}}"},
	{'d', "[S]\nk=1\n[s]\nk=2\n",
	 "{\"S\": {\"k\": \"1\"}, \"s\": {\"k\": \"2\"}}"},
	{'d', "[s]\nmy key = my value\n",
	 "{\"s\": {\"my key\": \"my value\"}}"},
	{'d', "[s]\nk =\n",
	 "{\"s\": {\"k\": \"\"}}"},
	{'d', "[s]\nk = \n",
	 "{\"s\": {\"k\": \"\"}}"},
	{'d', "[s]\nk:\n",
	 "{\"s\": {\"k\": \"\"}}"},
	{'d', "[s]\nk : v = w\n",
	 "{\"s\": {\"k\": \"v = w\"}}"},
	{'d', "[s]\nk = v : w\n",
	 "{\"s\": {\"k\": \"v : w\"}}"},
	{'d', "[s]\na:b=c\n",
	 "{\"s\": {\"a\": \"b=c\"}}"},
	{'d', "[s]\nk=:x\n",
	 "{\"s\": {\"k\": \":x\"}}"},
	{'d', "[s]\nk = 'quoted'\nq = \"dq\"\n",
	 "{\"s\": {\"k\": \"'quoted'\", \"q\": \"\\\"dq\\\"\"}}"},
	{'d', "[s]\nk = %(other)s/x\n",
	 "{\"s\": {\"k\": \"%(other)s/x\"}}"},
	{'d', "[s]\nk = a\n  b\n  c\n",
	 "{\"s\": {\"k\": \"a\\nb\\nc\"}}"},
	{'d', "[s]\nk =\n  a\n  b\n",
	 "{\"s\": {\"k\": \"\\na\\nb\"}}"},
	{'d', "[s]\nk = a\n\n  b\n",
	 "{\"s\": {\"k\": \"a\\n\\nb\"}}"},
	{'d', "[s]\nk = a\n  b\n\n\n[t]\nx=1\n",
	 "{\"s\": {\"k\": \"a\\nb\"}, \"t\": {\"x\": \"1\"}}"},
	{'d', "[s]\nk = a\n# c\n  b\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\nk = a\n  # c\n  b\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\nk = a\n  \n",
	 "{\"s\": {\"k\": \"a\"}}"},
	{'d', "[s]\nk = a\n\t\tb\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\n  k = a\n b = c\n",
	 "{\"s\": {\"k\": \"a\", \"b\": \"c\"}}"},
	{'d', "[s]\n  k = a\n    x\n",
	 "{\"s\": {\"k\": \"a\\nx\"}}"},
	{'d', "[s]\n  k = a\n  b = c\n",
	 "{\"s\": {\"k\": \"a\", \"b\": \"c\"}}"},
	{'d', "[s]\nk = a\n  [t]\n",
	 "{\"s\": {\"k\": \"a\\n[t]\"}}"},
	{'d', "[s]\n  [t]\nk=1\n",
	 "{\"s\": {}, \"t\": {\"k\": \"1\"}}"},
	{'d', "  [s]\n  k = 1\n",
	 "{\"s\": {\"k\": \"1\"}}"},
	{'d', "[s] trailing\nk=1\n",
	 "{\"s\": {\"k\": \"1\"}}"},
	{'d', "[s]k=1\n",
	 "{\"s\": {}}"},
	{'d', "[ s ]\nk=1\n",
	 "{\" s \": {\"k\": \"1\"}}"},
	{'d', "[a]b]\nk=1\n",
	 "{\"a]b\": {\"k\": \"1\"}}"},
	{'d', "[a] ; c]\nk=1\n",
	 "{\"a] ; c\": {\"k\": \"1\"}}"},
	{'d', "[[x]]\nk=1\n",
	 "{\"[x]\": {\"k\": \"1\"}}"},
	{'d', "[]]\nk=1\n",
	 "{\"]\": {\"k\": \"1\"}}"},
	{'d', "[s]\nk = v ; c\n",
	 "{\"s\": {\"k\": \"v ; c\"}}"},
	{'a', "[s]\nk = v ; c\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'a', "[s]\nk = v;c\n",
	 "{\"s\": {\"k\": \"v;c\"}}"},
	{'a', "[s]\nk = ;c\n",
	 "{\"s\": {\"k\": \"\"}}"},
	{'a', "[s]\nk=;c\n",
	 "{\"s\": {\"k\": \";c\"}}"},
	{'a', "[s]\nk = v ;\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'a', "[s]\nk = v\t;c\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'a', "[s] ; comment\nk=1\n",
	 "{\"s\": {\"k\": \"1\"}}"},
	{'a', "[s]\nk = a ; c\n  b ; d\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'a', "[s]\nk = a\n ; only comment\n  b\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'a', "[s]\nk = a # not a comment\n",
	 "{\"s\": {\"k\": \"a # not a comment\"}}"},
	{'a', "[s]\nk = a\302\240;c\n",
	 "{\"s\": {\"k\": \"a\"}}"},
	{'a', "[s]\nk = a\343\200\200;c\n",
	 "{\"s\": {\"k\": \"a\"}}"},
	{'a', "[s]\nk = x;y ;z\n",
	 "{\"s\": {\"k\": \"x;y\"}}"},
	{'a', "[s]\nk = ;;\n",
	 "{\"s\": {\"k\": \"\"}}"},
	{'s', "[s]\nk = a # c\n",
	 "{\"s\": {\"k\": \"a\"}}"},
	{'s', "[s]\nk = a#b\n",
	 "{\"s\": {\"k\": \"a#b\"}}"},
	{'s', "[s]\nk = x#y #z ;w\n",
	 "{\"s\": {\"k\": \"x#y #z\"}}"},
	{'s', "[s]\nk = x;y #z ;w\n",
	 "{\"s\": {\"k\": \"x;y\"}}"},
	{'s', "[s]\nk = 1\n[s]\nj = 2\n",
	 "{\"s\": {\"k\": \"1\", \"j\": \"2\"}}"},
	{'s', "[s]\nk = 1\nj = 2\nk = 3\n",
	 "{\"s\": {\"k\": \"3\", \"j\": \"2\"}}"},
	{'s', "[s]\nk = 1\n  more\nk = 3\n",
	 "{\"s\": {\"k\": \"3\"}}"},
	{'s', "[s]\r\nk = a\r\n  b\r\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'s', "[s]\rk = a\r  b\r",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\r\nk = a\r\n  b\r\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\nk = a\rj = b\n",
	 "{\"s\": {\"k\": \"a\\rj = b\"}}"},
	{'d', "[DEFAULT]\nx = 1\n[s]\ny = 2\n[DEFAULT]\nz = 3\n",
	 "{\"DEFAULT\": {\"x\": \"1\", \"z\": \"3\"}, \"s\": {\"y\": \"2\"}}"},
	{'d', "[DEFAULT]\nx = 1\n[DEFAULT]\nx = 2\n",
	 "!4"},
	{'d', "[default]\nx = 1\n",
	 "{\"default\": {\"x\": \"1\"}}"},
	{'d', "[s]\nk\302\240=\302\240v\302\240\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "[s]\n\343\200\200k = a\n\343\200\200\343\200\200b\n",
	 "{\"s\": {\"k\": \"a\\nb\"}}"},
	{'d', "[s]\nk = a\014\n\034b = c\035\n",
	 "{\"s\": {\"k\": \"a\\nb = c\"}}"},
	{'d', "[s]\nk = caf\303\251 \342\230\203\n\303\251t\303\251 = x\n",
	 "{\"s\": {\"k\": \"caf\303\251 \342\230\203\", \"\303\251t\303\251\": \"x\"}}"},
	{'d', "[s\303\251]\nk=1\n",
	 "{\"s\303\251\": {\"k\": \"1\"}}"},
	{'d', "[s]\nk = a\n[t]\n  x\n",
	 "!4"},
	{'d', "[s]\nk = v\n\n\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "\n\n[s]\n\nk = v\n",
	 "{\"s\": {\"k\": \"v\"}}"},
	{'d', "k = v\n",
	 "!1"},
	{'d', "# c\n\nk = v\n",
	 "!3"},
	{'d', "  k = v\n[s]\n",
	 "!1"},
	{'d', "[s]\ngarbage\n",
	 "!2"},
	{'d', "[s]\nk = 1\ngarbage\nmore garbage\n",
	 "!3"},
	{'d', "[s]\n[]\n",
	 "!2"},
	{'d', "[s]\n[t\n",
	 "!2"},
	{'d', "[s]\n= v\n",
	 "!2"},
	{'d', "[s]\n : v\n",
	 "!2"},
	{'d', "[s]\nk = 1\n[s]\n",
	 "!3"},
	{'d', "[s]\nk = 1\n[t]\n[s]\n",
	 "!4"},
	{'d', "[s]\nk = 1\nK = 2\n",
	 "!3"},
	{'d', "[s]\nk = 1\n[t]\nk = 1\n[s]\nj=1\n",
	 "!5"},
	{'d', "[s]\ngarbage\nk = 1\nk = 2\n",
	 "!4"},
	{'d', "[s]\n= 1\n  x\n= 2\n",
	 "!4"},
	{'d', "[s]\n= 1\n  b=1\nb=2\n",
	 "!4"},
	{'d', "[DEFAULT]\nx = 1\n[DEFAULT]\nX = 2\n",
	 "!4"},
	{'a', "[s]\nk = 1 ; c\nk = 2\n",
	 "!3"},
	{'s', "[s]\ngarbage\n",
	 "!2"},
	{'s', "k = 1\n",
	 "!1"},
};

static const struct ini_opts *ini_mode(char mode)
{
	return mode == 'a' ? &ini_opts_ansible : mode == 's' ? &ini_opts_supervisord : NULL;
}

static void test_configparser_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(ini_cases) / sizeof(ini_cases[0]); i++) {
		const struct ini_case *c = &ini_cases[i];
		struct value *doc = NULL;
		struct diag d;
		char got[64];
		char *js = NULL;
		int r;

		diag_init(&d);
		r = ini_load(c->text, strlen(c->text), "t.cfg", ini_mode(c->mode), &doc, &d);
		if (r == 0) {
			js = json_encode_str(doc, 0);
		} else {
			snprintf(got, sizeof(got), "!%d", d.line);
			js = xstrdup(got);
			T_CHECK(r == ERR_PARSE);
			T_CHECK(d.file != NULL && strcmp(d.file, "t.cfg") == 0);
		}
		if (strcmp(js, c->want) != 0) {
			printf("#   case %zu (%c) %s: got %s, want %s%s%s\n", i, c->mode, c->text, js, c->want,
			       d.msg ? " -- " : "", d.msg ? d.msg : "");
			t_failed_checks++;
		}
		free(js);
		value_unref(doc);
		diag_fini(&d);
	}
}

static struct value *ini_ok(const char *text, const struct ini_opts *o)
{
	struct value *doc = NULL;
	struct diag d;

	diag_init(&d);
	if (ini_load(text, strlen(text), "pos.cfg", o, &doc, &d) != 0)
		printf("#   unexpected error: %s\n", d.msg);
	diag_fini(&d);
	return doc;
}

static void test_positions(void)
{
	const char *text = "# c\n[defaults]\n  forks = 10\ninventory=hosts\nlong = a\n  b\n[ssh_connection]\n"
	                   "Key:\n";
	struct value *doc = ini_ok(text, &ini_opts_ansible);
	const struct value *s, *v, *k;

	T_CHECK(doc != NULL);
	if (doc == NULL)
		return;
	s = value_map_get(doc, "defaults");
	T_CHECK(s != NULL && s->pos.line == 2 && s->pos.col == 1);
	k = value_map_key_at(doc, 0);
	T_EQ_INT(k->pos.line, 2);
	T_EQ_INT(k->pos.col, 2);
	T_EQ_STR(k->pos.file, "pos.cfg");
	v = value_map_get(s, "forks");
	T_EQ_STR(value_cstr(v), "10");
	T_EQ_INT(v->pos.line, 3);
	T_EQ_INT(v->pos.col, 11);
	T_EQ_STR(v->pos.file, "pos.cfg");
	k = value_map_key_at(s, 0);
	T_EQ_INT(k->pos.line, 3);
	T_EQ_INT(k->pos.col, 3);
	v = value_map_get(s, "inventory");
	T_EQ_INT(v->pos.line, 4);
	T_EQ_INT(v->pos.col, 11);
	v = value_map_get(s, "long");
	T_EQ_STR(value_cstr(v), "a\nb");
	T_EQ_INT(v->pos.line, 5);
	T_EQ_INT(v->pos.col, 8);
	s = value_map_get(doc, "ssh_connection");
	v = value_map_get(s, "key");
	T_EQ_STR(value_cstr(v), "");
	T_EQ_INT(v->pos.line, 8);
	T_EQ_INT(v->pos.col, 5);
	value_unref(doc);
}

static void test_get_default_section(void)
{
	const char *text = "[DEFAULT]\nx = dx\ny = dy\n[a]\nx = ax\n[b]\n";
	struct value *doc = ini_ok(text, NULL);

	T_EQ_STR(value_cstr(ini_get(doc, "a", "x", NULL)), "ax");
	T_EQ_STR(value_cstr(ini_get(doc, "a", "y", NULL)), "dy");
	T_EQ_STR(value_cstr(ini_get(doc, "b", "x", NULL)), "dx");
	/* As configparser's get(): a section that does not exist has no keys,
	 * even those of the default section... */
	T_CHECK(ini_get(doc, "c", "x", NULL) == NULL);
	/* ...but the default section itself can be read. */
	T_EQ_STR(value_cstr(ini_get(doc, "DEFAULT", "y", NULL)), "dy");
	T_CHECK(ini_get(doc, "a", "z", NULL) == NULL);
	/* With no default section, DEFAULT is an ordinary one. */
	T_CHECK(ini_get(doc, "b", "x", "") == NULL);
	T_EQ_STR(value_cstr(ini_get(doc, "DEFAULT", "x", "")), "dx");
	T_CHECK(ini_get(NULL, "a", "x", NULL) == NULL);
	value_unref(doc);
}

static void test_options(void)
{
	static const char *const semi_only[] = {";", NULL};
	static const char *const multi[] = {"//", "--", NULL};
	struct ini_opts o;
	struct value *doc;
	struct diag d;
	const char *t;
	int r;

	/* Only ';' starts a comment line: '#' lines are then malformed. */
	memset(&o, 0, sizeof(o));
	o.comment_prefixes = semi_only;
	diag_init(&d);
	doc = NULL;
	t = "[s]\n; ok\n# not a comment\n";
	r = ini_load(t, strlen(t), "o.cfg", &o, &doc, &d);
	T_EQ_INT(r, ERR_PARSE);
	T_EQ_INT(d.line, 3);
	diag_fini(&d);

	/* Multi-character inline prefixes. */
	memset(&o, 0, sizeof(o));
	o.inline_prefixes = multi;
	doc = ini_ok("[s]\na = x // c\nb = y--z -- c\n", &o);
	T_EQ_STR(value_get_str(value_map_get(doc, "s"), "a", NULL), "x");
	T_EQ_STR(value_get_str(value_map_get(doc, "s"), "b", NULL), "y--z");
	value_unref(doc);

	/* default_section "": DEFAULT is an ordinary section, so repeating it is
	 * an error in strict mode. */
	memset(&o, 0, sizeof(o));
	o.default_section = "";
	diag_init(&d);
	doc = NULL;
	r = ini_load("[DEFAULT]\n[DEFAULT]\n", 20, NULL, &o, &doc, &d);
	T_EQ_INT(r, ERR_PARSE);
	T_EQ_INT(d.line, 2);
	T_CHECK(d.file == NULL);
	diag_fini(&d);

	/* Another name for the default section. */
	memset(&o, 0, sizeof(o));
	o.default_section = "common";
	doc = ini_ok("[common]\nx=1\n[common]\ny=2\n", &o);
	T_EQ_STR(value_get_str(value_map_get(doc, "common"), "y", NULL), "2");
	T_EQ_STR(value_cstr(ini_get(doc, "common", "x", "common")), "1");
	value_unref(doc);
}

static void ini_expect_error(const char *text, size_t len, const struct ini_opts *o, int want_r, int line, int col,
                             const char *msg)
{
	struct value *doc = NULL;
	struct diag d;
	char *f;
	int r;

	diag_init(&d);
	r = ini_load(text, len, "e.cfg", o, &doc, &d);
	T_EQ_INT(r, want_r);
	T_CHECK(doc == NULL);
	T_EQ_INT(d.line, line);
	T_EQ_INT(d.col, col);
	f = diag_format(&d);
	if (strcmp(f, msg) != 0) {
		printf("#   message: %s\n#   want:    %s\n", f, msg);
		t_failed_checks++;
	}
	free(f);
	diag_fini(&d);
}

static void test_messages(void)
{
	const char *t;

	t = "[defaults]\nforks = 1\n\n Forks = 2\n";
	/* Indented deeper than "forks", " Forks = 2" continues its value. */
	{
		struct value *doc = ini_ok(t, NULL);

		T_EQ_STR(value_get_str(value_map_get(doc, "defaults"), "forks", NULL), "1\n\nForks = 2");
		value_unref(doc);
	}
	t = "[defaults]\n forks = 1\n\n Forks = 2\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 4, 2,
	                 "e.cfg:4:2: option 'forks' in section 'defaults' already exists (first at line 2)");
	t = "[a]\n[b]\n[a]\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 3, 1, "e.cfg:3:1: section 'a' already exists (first at line 1)");
	t = "\n  forks = 1\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 2, 3,
	                 "e.cfg:2:3: 'forks = 1' comes before any [section] header");
	t = "[a]\nx = 1\njunk\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 3, 1,
	                 "e.cfg:3:1: expected '[section]' or 'key = value': 'junk'");
	t = "[a]\n  = 1\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 2, 3, "e.cfg:2:3: empty key before the delimiter: '= 1'");
	t = "[a]\nx = \001\002\n\001\n";
	ini_expect_error(t, strlen(t), NULL, ERR_PARSE, 3, 1,
	                 "e.cfg:3:1: expected '[section]' or 'key = value': '?'");
}

static void test_bytes(void)
{
	static const char nul[] = "[a]\nx = 1\ny = a\0b\n";
	static const char bad[] = "[a]\nx = caf\303\251\ny = \377\n";
	static const char surrogate[] = "[a]\nx = \355\240\200\n";
	static const char overlong[] = "[a]\nx = \300\257\n";
	static const char trunc[] = "[a]\nx = \342\230";
	struct value *doc;

	ini_expect_error(nul, sizeof(nul) - 1, NULL, ERR_PARSE, 3, 6, "e.cfg:3:6: NUL byte in an INI file");
	ini_expect_error(bad, sizeof(bad) - 1, &ini_opts_ansible, ERR_PARSE, 3, 5,
	                 "e.cfg:3:5: the file is not valid UTF-8 (byte 0xff)");
	ini_expect_error(surrogate, sizeof(surrogate) - 1, &ini_opts_ansible, ERR_PARSE, 2, 5,
	                 "e.cfg:2:5: the file is not valid UTF-8 (byte 0xed)");
	ini_expect_error(overlong, sizeof(overlong) - 1, &ini_opts_ansible, ERR_PARSE, 2, 5,
	                 "e.cfg:2:5: the file is not valid UTF-8 (byte 0xc0)");
	ini_expect_error(trunc, sizeof(trunc) - 1, &ini_opts_ansible, ERR_PARSE, 2, 5,
	                 "e.cfg:2:5: the file is not valid UTF-8 (byte 0xe2)");
	/* Without require_utf8 the bytes are kept as they are. */
	doc = ini_ok(bad, NULL);
	T_EQ_STR(value_get_str(value_map_get(doc, "a"), "y", NULL), "\377");
	value_unref(doc);
}

static void test_caps(void)
{
	struct ini_opts o;
	char *big;
	size_t n = 200;

	memset(&o, 0, sizeof(o));
	o.max_size = 100;
	big = xmalloc(n + 1);
	memset(big, 'x', n);
	memcpy(big, "[a]\nk = ", 8);
	big[n] = '\0';
	ini_expect_error(big, n, &o, ERR_TOOBIG, 0, 0, "e.cfg: INI file of 200 bytes is larger than the 100 byte limit");
	memset(&o, 0, sizeof(o));
	o.max_line = 50;
	ini_expect_error(big, n, &o, ERR_TOOBIG, 2, 0, "e.cfg:2: line of 196 bytes is longer than the 50 byte limit");
	o.max_line = 196;
	{
		struct value *doc = ini_ok(big, &o);

		T_EQ_INT(value_len(value_map_get(value_map_get(doc, "a"), "k")), 192);
		value_unref(doc);
	}
	free(big);
}

static void test_file(void)
{
	char dir[] = "/tmp/drover-ini.XXXXXX";
	char *path;
	struct value *doc = NULL;
	struct diag d;
	FILE *f;
	int r;

	T_CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/x.cfg", dir);
	diag_init(&d);
	r = ini_load_file(path, NULL, &doc, &d);
	T_EQ_INT(r, -ENOENT);
	T_CHECK(doc == NULL);
	T_EQ_STR(d.file, path);
	diag_fini(&d);
	f = fopen(path, "w");
	T_CHECK(f != NULL);
	if (f != NULL) {
		fputs("[s]\nk = v\n", f);
		fclose(f);
	}
	diag_init(&d);
	r = ini_load_file(path, &ini_opts_ansible, &doc, &d);
	T_EQ_INT(r, 0);
	T_EQ_STR(value_get_str(value_map_get(doc, "s"), "k", NULL), "v");
	T_EQ_STR(value_map_get(value_map_get(doc, "s"), "k")->pos.file, path);
	value_unref(doc);
	diag_fini(&d);
	unlink(path);
	rmdir(dir);
	free(path);
}

int main(void)
{
	T_RUN(test_configparser_table);
	T_RUN(test_positions);
	T_RUN(test_get_default_section);
	T_RUN(test_options);
	T_RUN(test_messages);
	T_RUN(test_bytes);
	T_RUN(test_caps);
	T_RUN(test_file);
	return T_DONE();
}
