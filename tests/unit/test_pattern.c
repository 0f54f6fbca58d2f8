/* Host patterns: Python's fnmatch semantics, split_host_pattern, and
 * selection order, subscripts and limits as Ansible's InventoryManager. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "inventory/inv_priv.h"
#include "inventory/inventory.h"
#include "t.h"

static void test_fnmatch(void)
{
	/* Expected values from Python 3.11's fnmatch.fnmatchcase. */
	static const struct {
		const char *pat, *name;
		int want;
	} cases[] = {
		{"web*", "web01", 1}, {"web*", "db", 0}, {"w?b", "web", 1}, {"w?b", "wb", 0},
		{"[abc]x", "bx", 1}, {"[!abc]x", "bx", 0}, {"[!abc]x", "dx", 1}, {"[a-c]1", "b1", 1},
		{"[a-c]1", "d1", 0}, {"[z-a]", "a", 0}, {"[a-b-c]", "-", 1}, {"[a-b-c]", "c", 1},
		{"[a-b-c]", "b", 1}, {"[]]", "x", 0}, {"[]a]", "]", 1}, {"[!]a]", "b", 1}, {"[", "[", 1},
		{"a[b", "a[b", 1}, {"[a-]", "-", 1}, {"[!-]", "-", 0}, {"[!-]", "x", 1},
		{"*.example.com", "db1.example.com", 1}, {"*", "anything", 1}, {"**a", "xa", 1},
		{"é?", "éx", 1}, {"[é-ë]", "ê", 1}, {"\\x", "\\x", 1}, {"[^a]", "^", 1}, {"[^a]", "b", 0},
		{"a*b*c", "aXbYc", 1}, {"a*b*c", "aXbY", 0}, {"*[0-9]", "web7", 1}, {"?", "é", 1},
		{"", "", 1}, {"", "a", 0}, {"a", "", 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = pymatch_fnmatch(cases[i].pat, cases[i].name);

		if (got != cases[i].want)
			printf("#   fnmatch('%s', '%s') = %d, want %d\n", cases[i].name, cases[i].pat, got, cases[i].want);
		T_EQ_INT(got, cases[i].want);
	}
}

static void test_regex(void)
{
	/* Expected values from Python 3.11's re.match. */
	static const struct {
		const char *re, *s;
		int want; /* 1 match, 0 no match, -1 invalid */
	} cases[] = {
		{"web.*", "web01", 1}, {"eb", "web01", 0}, {"(?:a|b)c", "bc", 1}, {"\\d+$", "12", 1},
		{"\\d+$", "12a", 0}, {"[\\w-]+\\.example", "db-1.example.com", 1}, {"a{2,3}b", "aab", 1},
		{"a{2,3}b", "ab", 0}, {"a{,2}b", "b", 1}, {"a*?b", "aab", 1}, {"(?i)WEB", "web", 1},
		{"x{", "x{", 1}, {"[^a-c]", "d", 1}, {"[]a]", "]", 1}, {"a|^b", "b", 1}, {"(a)\\1", "aa", -1},
		{"a+++", "a", -1}, {"*a", "a", -1}, {"a**", "a", -1}, {"(?=x)", "x", -1}, {"a*+", "a", -1},
		{"(a{100}){100}", "a", -1}, {"\\", "a", -1},
	};
	struct pymatch_re *re;
	size_t i;
	int got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = pymatch_re_compile(cases[i].re, &re);
		if (got == 0) {
			got = pymatch_re_match(re, cases[i].s);
			pymatch_re_free(re);
		}
		if (got != cases[i].want)
			printf("#   re.match('%s', '%s') = %d, want %d\n", cases[i].re, cases[i].s, got, cases[i].want);
		T_EQ_INT(got, cases[i].want);
	}
}

static char *split_str(const char *pattern)
{
	struct value *terms = value_list();
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	pattern_split(pattern, terms);
	for (i = 0; i < value_len(terms); i++)
		buf_printf(&b, "%s%s", i ? "|" : "", value_cstr(value_list_at(terms, i)));
	value_unref(terms);
	return buf_take(&b, NULL);
}

static void test_split(void)
{
	static const char *const cases[][2] = {
		{"a,b[1], c[2:3] , d", "a|b[1]|c[2:3]|d"},
		{"web:db", "web|db"},
		{"web:&db:!x", "web|&db|!x"},
		{"web[0:2]", "web[0:2]"},
		{"fe80::1", "fe80::1"},
		{"host:22", "host:22"},
		{"~web.*:db", "~web.*|db"},
		{" all ", "all"},
		{"a,,b,", "a|b"},
		{"", ""},
		{"~[", "~"},
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = split_str(cases[i][0]);
		T_EQ_STR(got, cases[i][1]);
		free(got);
	}
}

static const char inv_text[] =
	"loose\n"
	"[web]\nweb[01:04]\n"
	"[db]\ndb1\ndb2\nweb01\n"
	"[app]\napp1\n"
	"[prod:children]\nweb\ndb\n"
	"[stage:children]\napp\n";

static char *select_str(struct inventory *inv, const char *pattern, const char *const *limits, size_t n,
                        int *rp)
{
	struct inv_host **hosts = NULL;
	struct diag d;
	struct buf b;
	size_t i, nh = 0;

	diag_init(&d);
	buf_init(&b, 0);
	*rp = inventory_select(inv, pattern, limits, n, &hosts, &nh, &d);
	if (*rp < 0) {
		char *m = diag_format(&d);

		buf_printf(&b, "ERR %s", m);
		free(m);
	}
	for (i = 0; i < nh; i++)
		buf_printf(&b, "%s%s", i ? " " : "", inv_host_name(hosts[i]));
	free(hosts);
	diag_fini(&d);
	return buf_take(&b, NULL);
}

static struct inventory *load(const char *text)
{
	struct inventory *inv = NULL;
	struct diag d;

	diag_init(&d);
	if (inventory_load_text(&inv, text, strlen(text), "inv", INV_FORMAT_INI, &d) != 0) {
		char *m = diag_format(&d);

		printf("#   load failed: %s\n", m);
		free(m);
	}
	diag_fini(&d);
	return inv;
}

static void test_select(void)
{
	/* Expected values from ansible 2.14 --list-hosts on the same inventory. */
	static const char *const cases[][2] = {
		{"all", "loose web01 web02 web03 web04 db1 db2 app1"},
		{"*", "loose web01 web02 web03 web04 db1 db2 app1"},
		{"db:web", "db1 db2 web01 web02 web03 web04"},
		{"prod:&db", "web01 db1 db2"},
		{"prod:!db", "web02 web03 web04"},
		{"!web", "loose db1 db2 app1"},
		{"&db", "web01 db1 db2"},
		{"web[1]", "web02"},
		{"web[-1]", "web04"},
		{"web[1:2]", "web02 web03"},
		{"web[2:]", "web03 web04"},
		{"web[0:0]", "web01"},
		{"web*", "web01 web02 web03 web04"},
		{"~web0[24]", "web02 web04"},
		{"~eb", ""},
		{"db2,web01,db1", "db2 web01 db1"},
		{"nosuch", ""},
		{"localhost", "localhost"},
		{"ungrouped", "loose"},
	};
	struct inventory *inv = load(inv_text);
	size_t i;
	char *got;
	int r;

	T_CHECK(inv != NULL);
	if (inv == NULL)
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = select_str(inv, cases[i][0], NULL, 0, &r);
		if (strcmp(got, cases[i][1]) != 0)
			printf("#   pattern %s\n", cases[i][0]);
		T_EQ_STR(got, cases[i][1]);
		free(got);
	}
	got = select_str(inv, "web[9]", NULL, 0, &r);
	T_CHECK(r == ERR_PARSE && strstr(got, "No hosts matched the subscripted pattern 'web[9]'") != NULL);
	free(got);
	inventory_free(inv);
}

static void test_limits(void)
{
	struct inventory *inv = load(inv_text);
	char path[] = "/tmp/drover-test-limit.XXXXXX";
	const char *lims[2];
	char *got, *at;
	int fd, r;

	T_CHECK(inv != NULL);
	if (inv == NULL)
		return;
	lims[0] = "web";
	got = select_str(inv, "prod", lims, 1, &r);
	T_EQ_STR(got, "web01 web02 web03 web04");
	free(got);
	lims[0] = "!web";
	got = select_str(inv, "all", lims, 1, &r);
	T_EQ_STR(got, "loose db1 db2 app1");
	free(got);
	lims[0] = "db";
	lims[1] = "app";
	got = select_str(inv, "all", lims, 2, &r);
	T_EQ_STR(got, "web01 db1 db2 app1");
	free(got);
	fd = mkstemp(path);
	T_CHECK(fd >= 0);
	T_CHECK(write(fd, "db2\n  web03 \n\n", 14) == 14);
	close(fd);
	at = xasprintf("@%s", path);
	lims[0] = at;
	got = select_str(inv, "all", lims, 1, &r);
	T_EQ_STR(got, "web03 db2");
	free(got);
	unlink(path);
	got = select_str(inv, "all", lims, 1, &r);
	T_CHECK(r == ERR_NOTFOUND && strstr(got, "Unable to find limit file") != NULL);
	free(got);
	free(at);
	/* A localhost pattern left empty by a limit still lists localhost. */
	lims[0] = "nosuch";
	got = select_str(inv, "localhost", lims, 1, &r);
	T_EQ_STR(got, "localhost");
	free(got);
	inventory_free(inv);
}

static void test_localhost(void)
{
	struct inventory *inv = load("127.0.0.1\nother\n");
	struct inv_host *h;
	char *got;
	int r;

	T_CHECK(inv != NULL);
	if (inv == NULL)
		return;
	/* An explicit 127.0.0.1 is what "localhost" selects. */
	got = select_str(inv, "localhost", NULL, 0, &r);
	T_EQ_STR(got, "127.0.0.1");
	free(got);
	got = select_str(inv, "all", NULL, 0, &r);
	T_EQ_STR(got, "127.0.0.1 other");
	free(got);
	inventory_free(inv);

	inv = load("h1\n");
	got = select_str(inv, "localhost:h1", NULL, 0, &r);
	T_EQ_STR(got, "localhost h1");
	free(got);
	/* The implicit localhost is in no group, not even all. */
	got = select_str(inv, "all", NULL, 0, &r);
	T_EQ_STR(got, "h1");
	free(got);
	h = inventory_host(inv, "localhost");
	T_CHECK(h != NULL);
	if (h != NULL) {
		struct value *v = inventory_host_vars(inv, h), *gn = inventory_group_names(inv, h);

		T_EQ_STR(value_get_str(v, "ansible_connection", ""), "local");
		T_EQ_INT(value_len(gn), 0);
		value_unref(v);
		value_unref(gn);
	}
	inventory_free(inv);
}

int main(void)
{
	T_RUN(test_fnmatch);
	T_RUN(test_regex);
	T_RUN(test_split);
	T_RUN(test_select);
	T_RUN(test_limits);
	T_RUN(test_localhost);
	return T_DONE();
}
