/* The inventory model and loaders: INI and YAML sources, ranges and
 * addresses, group_vars/host_vars precedence, implicit groups, errors with
 * positions, and the changes a playbook run makes (add_host, group_by,
 * refresh_inventory). Expected values were checked against ansible-inventory
 * and ansible-playbook 2.14. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "inventory/inv_priv.h"
#include "inventory/inventory.h"
#include "t.h"

static struct inventory *load_text(const char *text, enum inv_format fmt, char **errp)
{
	struct inventory *inv = NULL;
	struct diag d;

	diag_init(&d);
	*errp = NULL;
	if (inventory_load_text(&inv, text, strlen(text), "inv", fmt, &d) != 0)
		*errp = diag_format(&d);
	diag_fini(&d);
	return inv;
}

static char *host_json(struct inventory *inv, const char *name)
{
	struct inv_host *h = inventory_host(inv, name);
	struct value *v;
	char *s;

	if (h == NULL)
		return xstrdup("NOHOST");
	v = inventory_host_vars(inv, h);
	s = json_encode_str(v, JSON_SORT_KEYS);
	value_unref(v);
	return s;
}

static char *group_hosts(struct inventory *inv, const char *name)
{
	struct inv_group *g = inventory_group(inv, name);
	struct inv_host *const *hs;
	struct buf b;
	size_t i, n;

	if (g == NULL)
		return xstrdup("NOGROUP");
	buf_init(&b, 0);
	hs = inv_group_hosts(g, &n);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", inv_host_name(hs[i]));
	return buf_take(&b, NULL);
}

static char *group_children(struct inventory *inv, const char *name)
{
	struct inv_group *g = inventory_group(inv, name);
	struct inv_group *const *gs;
	struct buf b;
	size_t i, n;

	if (g == NULL)
		return xstrdup("NOGROUP");
	buf_init(&b, 0);
	gs = inv_group_children(g, &n);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", inv_group_name(gs[i]));
	return buf_take(&b, NULL);
}

#define CHECK_STR(expr, want)                   \
	do {                                    \
		char *got_ = (expr);            \
		T_EQ_STR(got_, want);           \
		free(got_);                     \
	} while (0)

static void test_ini(void)
{
	static const char text[] =
		"# comment\n; comment\nloose a=1\n"
		"[web]\nweb[01:03] p=8080 f=1.5 t=True l=\"[1, 'x']\" d=\"{'k': None}\" s=hello q=\"'07'\"\n"
		"web04:2222 spaced=\"two words\" esc=a\\ b hash=x#y\n"
		"web01 again=1\n"
		"[db]   # trailing comment\n"
		"db-[a:c]\n"
		"db[1:5:2].example.com\n"
		"[parent:children]\nweb\nlater\n"
		"[later]\nlate1\n"
		"[web:vars]\nv1 = 23\nv2 = foo # kept\nv3=[1, 2]\n"
		"[all:vars]\nglobal=yes\n";
	char *err;
	struct inventory *inv = load_text(text, INV_FORMAT_INI, &err);

	T_CHECK(inv != NULL);
	if (inv == NULL) {
		printf("#   %s\n", err);
		free(err);
		return;
	}
	CHECK_STR(group_hosts(inv, "web"), "web01 web02 web03 web04");
	CHECK_STR(group_hosts(inv, "db"), "db-a db-b db-c db1.example.com db3.example.com db5.example.com");
	CHECK_STR(group_hosts(inv, "ungrouped"), "loose");
	CHECK_STR(group_children(inv, "parent"), "web later");
	CHECK_STR(group_children(inv, "all"), "ungrouped db parent");
	CHECK_STR(host_json(inv, "web01"),
	          "{\"again\": 1, \"d\": {\"k\": null}, \"f\": 1.5, \"global\": \"yes\", \"l\": [1, \"x\"], \"p\": 8080, "
	          "\"q\": \"07\", \"s\": \"hello\", \"t\": true, \"v1\": 23, \"v2\": \"foo # kept\", \"v3\": [1, 2]}");
	CHECK_STR(host_json(inv, "web04"),
	          "{\"ansible_port\": 2222, \"esc\": \"a b\", \"global\": \"yes\", \"hash\": \"x\", \"spaced\": \"two words\", "
	          "\"v1\": 23, \"v2\": \"foo # kept\", \"v3\": [1, 2]}");
	CHECK_STR(host_json(inv, "loose"), "{\"a\": 1, \"global\": \"yes\"}");
	inventory_free(inv);
}

static void test_ini_errors(void)
{
	static const char *const cases[][2] = {
		{"[web\nh1\n", "inv:1:1: invalid host range in '[web' (an unterminated [section]?)"},
		{"[web]\nweb[1:]\n", "inv:2:1: host range must specify end value"},
		{"[web]\nweb[01:5]\n", "inv:2:1: host range must specify equal-length begin and end formats"},
		{"[web]\nweb[5:1:x]\n", "inv:2:1: invalid step in host range 'web[5:1:x]'"},
		{"[web]\nweb[c:a]\n", "inv:2:1: host range must have begin <= end"},
		{"[web]\nh1\n[web:vars]\nnovalue\n", "inv:4:1: Expected key=value, got: novalue"},
		{"[g:foo]\nh1\n", "inv:1:1: Section [g:foo] has unknown type: foo"},
		{"[p:children]\nmissing\n", "inv:2: Section [p:children] includes undefined group: missing"},
		{"[v:vars]\nx=1\n", "inv:1: Section [v:vars] not valid for undefined group: v"},
		{"h1 a=\"open\n", "inv:1:1: Error parsing host definition 'h1 a=\"open': No closing quotation"},
		{"h1 novalue\n", "inv:1:4: Expected key=value host variable assignment, got: novalue"},
		{"[web x]\n", "inv:1:1: Invalid section entry: '[web x]'. Please make sure that there are no spaces in the "
		              "section entry, and that there are no other invalid characters"},
		{"host:\n", "inv:1:1: Invalid host pattern 'host:' supplied, ending in ':' is not allowed, this character is "
		            "reserved to provide a port."},
		{"---\n", "inv:1:1: Invalid host pattern '---' supplied, '---' is normally a sign this is a YAML file."},
		{"[a:children]\nb\n[b:children]\na\n[b]\n", "inv:4:1: Adding group 'a' as child to 'b' creates a recursive dependency loop."},
		{"[a:children]\na\n", "inv:2:1: can't add group to itself: a"},
		{"h x=99999999999999999999\n", "inv:1:5: integer out of range (drover's integers are 64-bit; quote the value "
		                               "to keep it as a string): 99999999999999999999"},
		{"[g]\nh\n[g:vars]\nansible_group_priority=high\n",
		 "inv:4:24: invalid ansible_group_priority for group g: expected an integer, got str"},
	};
	size_t i;
	char *err;
	struct inventory *inv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		inv = load_text(cases[i][0], INV_FORMAT_INI, &err);
		T_CHECK(inv == NULL);
		inventory_free(inv);
		if (err == NULL || strcmp(err, cases[i][1]) != 0)
			printf("#   ini <%s>\n", cases[i][0]);
		T_EQ_STR(err, cases[i][1]);
		free(err);
	}
}

static void test_yaml(void)
{
	static const char text[] =
		"all:\n"
		"  vars: {shared: all}\n"
		"  hosts:\n"
		"    solo: {ansible_port: 22}\n"
		"  children:\n"
		"    web:\n"
		"      hosts:\n"
		"        web[1:2]:\n"
		"          x: 1\n"
		"      vars:\n"
		"        shared: web\n"
		"      children:\n"
		"        east:\n"
		"          hosts: web1\n"
		"    empty:\n"
		"other:\n"
		"  hosts:\n"
		"    web2: {y: 2}\n";
	char *err;
	struct inventory *inv = load_text(text, INV_FORMAT_YAML, &err);

	T_CHECK(inv != NULL);
	if (inv == NULL) {
		printf("#   %s\n", err);
		free(err);
		return;
	}
	CHECK_STR(group_children(inv, "all"), "ungrouped web empty other");
	CHECK_STR(group_children(inv, "web"), "east");
	CHECK_STR(group_hosts(inv, "east"), "web1");
	CHECK_STR(group_hosts(inv, "ungrouped"), "solo");
	CHECK_STR(host_json(inv, "web2"), "{\"shared\": \"web\", \"x\": 1, \"y\": 2}");
	CHECK_STR(host_json(inv, "solo"), "{\"ansible_port\": 22, \"shared\": \"all\"}");
	inventory_free(inv);
}

static void test_yaml_errors(void)
{
	static const char *const cases[][2] = {
		{"all:\n  hosts: [a, b]\n", "inv:2:10: Invalid \"hosts\" entry for \"all\" group, requires a dictionary, found a list instead."},
		{"all:\n  hosts:\n    1: {}\n", "inv:3:5: Host pattern 1 must be a string. Enclose integers/floats in quotation marks."},
		{"all:\n  hosts:\n    h1: 5\n", "inv:3:9: Invalid data from file, expected dictionary and got an integer for host h1"},
		{"all:\n  children:\n    g: [x]\n", "inv:3:5: g is not a known host nor group"},
		{"plugin: aws_ec2\n", "inv:1:9: inventory plugin configuration files are not supported (plugin: aws_ec2)"},
		{"all:\n  hosts:\n    a: [1\n", "inv:4:1: did not find expected ',' or ']' (while parsing a flow sequence at line 3 column 8)"},
	};
	size_t i;
	char *err;
	struct inventory *inv;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		inv = load_text(cases[i][0], INV_FORMAT_AUTO, &err);
		T_CHECK(inv == NULL);
		inventory_free(inv);
		if (err == NULL || strcmp(err, cases[i][1]) != 0)
			printf("#   yaml <%s>\n", cases[i][0]);
		T_EQ_STR(err, cases[i][1]);
		free(err);
	}
}

static void test_auto(void)
{
	char *err;
	struct inventory *inv;

	/* Empty text is an empty INI inventory, as in Ansible. */
	inv = load_text("", INV_FORMAT_AUTO, &err);
	T_CHECK(inv != NULL && err == NULL);
	inventory_free(inv);
	/* INI text that YAML reads as a plain string. */
	inv = load_text("h1\nh2 x=1\n", INV_FORMAT_AUTO, &err);
	T_CHECK(inv != NULL);
	if (inv != NULL)
		CHECK_STR(group_hosts(inv, "ungrouped"), "h1 h2");
	inventory_free(inv);
	/* JSON is loaded as JSON. */
	inv = load_text("{\"g\": {\"hosts\": {\"h\": {\"f\": 1e3}}}}", INV_FORMAT_AUTO, &err);
	T_CHECK(inv != NULL);
	if (inv != NULL)
		CHECK_STR(host_json(inv, "h"), "{\"f\": 1000.0}");
	inventory_free(inv);
}

static void test_addr(void)
{
	static const struct {
		const char *in, *host;
		long port;
	} cases[] = {
		{"host", "host", -1}, {"host:22", "host", 22}, {"10.0.0.1:2222", "10.0.0.1", 2222},
		{"[fe80::1]:22", "fe80::1", 22}, {"fe80::1", "fe80::1", -1}, {"::1", "::1", -1},
		{"web[01:10].example.com:22", "web[01:10].example.com", 22}, {"host_", NULL, 0}, {"-host", NULL, 0},
		{"a..b", NULL, 0}, {"1.2.3.256", "1.2.3.256", -1}, {"a:b", NULL, 0}, {"x-[a:c]", "x-[a:c]", -1},
	};
	size_t i;
	char *host;
	long port;
	int r;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = inv_addr_parse(cases[i].in, 1, &host, &port);
		if (cases[i].host == NULL) {
			T_EQ_INT(r, -1);
			continue;
		}
		T_EQ_INT(r, 0);
		if (r == 0) {
			T_EQ_STR(host, cases[i].host);
			T_EQ_INT(port, cases[i].port);
		}
		free(host);
	}
	T_EQ_INT(inv_addr_parse("web[1:3]", 0, &host, &port), -1);
}

static char *expand(const char *pattern)
{
	struct value *l;
	struct buf b;
	char *msg;
	size_t i;

	buf_init(&b, 0);
	if (inv_addr_expand(pattern, &l, &msg) != 0) {
		buf_printf(&b, "ERR %s", msg);
		free(msg);
		return buf_take(&b, NULL);
	}
	for (i = 0; i < value_len(l); i++)
		buf_printf(&b, "%s%s", i ? " " : "", value_cstr(value_list_at(l, i)));
	value_unref(l);
	return buf_take(&b, NULL);
}

static void test_ranges(void)
{
	CHECK_STR(expand("web[1:3]"), "web1 web2 web3");
	CHECK_STR(expand("web[01:03]"), "web01 web02 web03");
	CHECK_STR(expand("web[:2]"), "web0 web1 web2");
	CHECK_STR(expand("web[1:7:3]x"), "web1x web4x web7x");
	CHECK_STR(expand("db-[a:c]"), "db-a db-b db-c");
	CHECK_STR(expand("[a:b][1:2]"), "a1 a2 b1 b2");
	CHECK_STR(expand("x[y:B]"), "xy xz xA xB");
	CHECK_STR(expand("h[3:1]"), "");
	CHECK_STR(expand("x]1:2[y"), "x1y x2y");
	CHECK_STR(expand("h[1:2|]"), "ERR invalid host range in 'h[1:2|]'");
	CHECK_STR(expand("h[1-3]"), "ERR host range must be begin:end or begin:end:step");
	CHECK_STR(expand("h[a:1]"), "ERR invalid host range 'h[a:1]'");
	CHECK_STR(expand("h[0:2000000]"), "ERR host range expands to more than 1048576 hosts");
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	T_CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void test_vars_precedence(void)
{
	char dir[] = "/tmp/drover-test-inv.XXXXXX", *p;
	const char *src[2];
	struct inventory *inv = NULL;
	struct diag d;

	T_CHECK(mkdtemp(dir) != NULL);
#define F(name, text)                                 \
	do {                                          \
		p = xasprintf("%s/%s", dir, name);   \
		write_file(p, text);                  \
		free(p);                              \
	} while (0)
#define D(name)                                       \
	do {                                          \
		p = xasprintf("%s/%s", dir, name);   \
		mkdir(p, 0755);                       \
		free(p);                              \
	} while (0)
	D("a");
	D("a/group_vars");
	D("a/group_vars/child");
	D("a/host_vars");
	D("b");
	D("b/group_vars");
	F("a/hosts", "[parent:children]\nchild\n[child]\nh1 inline=host\n[parent:vars]\nv=parent_inline\n"
	             "[child:vars]\nv=child_inline\n[all:vars]\nv=all_inline\nonly_all=1\n");
	F("a/group_vars/all.yml", "v: all_file\nallf: 1\n");
	F("a/group_vars/child/01.yml", "v: child_file\norder: one\n");
	F("a/group_vars/child/02.yml", "order: two\n");
	F("a/group_vars/child/skip.txt", "order: skipped\n");
	F("a/group_vars/parent", "pf: 1\n");
	F("a/group_vars/parent.yml", "pf: shadowed\n");
	F("a/host_vars/h1.yml", "hostfile: 1\ninline: from_file\n");
	F("b/hosts", "[parent]\nh1\n");
	F("b/group_vars/parent.yml", "v: parent_file_b\n");
	src[0] = xasprintf("%s/a/hosts", dir);
	src[1] = xasprintf("%s/b/hosts", dir);
	diag_init(&d);
	T_EQ_INT(inventory_load(&inv, src, 1, &d), 0);
	if (inv != NULL)
		CHECK_STR(host_json(inv, "h1"),
		          "{\"allf\": 1, \"hostfile\": 1, \"inline\": \"from_file\", \"only_all\": 1, \"order\": \"two\", "
		          "\"pf\": 1, \"v\": \"child_file\"}");
	inventory_free(inv);
	/* Per source, then per group: b's parent file comes after a's child. */
	T_EQ_INT(inventory_load(&inv, src, 2, &d), 0);
	if (inv != NULL)
		CHECK_STR(host_json(inv, "h1"),
		          "{\"allf\": 1, \"hostfile\": 1, \"inline\": \"from_file\", \"only_all\": 1, \"order\": \"two\", "
		          "\"pf\": 1, \"v\": \"parent_file_b\"}");
	inventory_free(inv);
	/* A broken vars file is an error with its position. */
	F("a/group_vars/child/03.yml", "x: [\n");
	T_EQ_INT(inventory_load(&inv, src, 1, &d), ERR_PARSE);
	T_CHECK(d.msg != NULL && strstr(d.file, "03.yml") != NULL && d.line == 2);
	diag_fini(&d);
	free((char *)src[0]);
	free((char *)src[1]);
	T_EQ_INT(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
#undef F
#undef D
}

static void test_magic(void)
{
	static const char text[] =
		"lone\n[a]\nh1\n[b]\nh1\nh2\n[c]\nh1\n[top:children]\na\n"
		"[a:vars]\nv=a\nansible_group_priority=10\n[b:vars]\nv=b\n[c:vars]\nv=c\nansible_group_priority=2\n"
		"[top:vars]\nv=top\n";
	char *err, *s;
	struct inventory *inv = load_text(text, INV_FORMAT_INI, &err);
	struct value *v;

	T_CHECK(inv != NULL);
	if (inv == NULL)
		return;
	/* Depth first, then priority, then name: a (depth 2) beats b and c. */
	CHECK_STR(host_json(inv, "h1"), "{\"v\": \"a\"}");
	CHECK_STR(host_json(inv, "h2"), "{\"v\": \"b\"}");
	v = inventory_group_names(inv, inventory_host(inv, "h1"));
	s = json_encode_str(v, 0);
	T_EQ_STR(s, "[\"a\", \"b\", \"c\", \"top\"]");
	free(s);
	value_unref(v);
	v = inventory_group_names(inv, inventory_host(inv, "lone"));
	s = json_encode_str(v, 0);
	T_EQ_STR(s, "[\"ungrouped\"]");
	free(s);
	value_unref(v);
	v = inventory_groups_var(inv);
	s = json_encode_str(v, 0);
	T_EQ_STR(s, "{\"all\": [\"lone\", \"h1\", \"h2\"], \"ungrouped\": [\"lone\"], \"a\": [\"h1\"], "
	            "\"b\": [\"h1\", \"h2\"], \"c\": [\"h1\"], \"top\": [\"h1\"]}");
	free(s);
	value_unref(v);
	v = inventory_host_vars_all(inv, inventory_host(inv, "h1"));
	T_EQ_STR(value_get_str(v, "inventory_hostname", ""), "h1");
	T_EQ_STR(value_get_str(v, "inventory_file", ""), "inv");
	T_CHECK(value_map_get(v, "inventory_dir")->type == VALUE_NULL);
	value_unref(v);
	v = inventory_group_vars(inv, inventory_group(inv, "a"));
	s = json_encode_str(v, JSON_SORT_KEYS);
	T_EQ_STR(s, "{\"ansible_group_priority\": 10, \"v\": \"a\"}");
	free(s);
	value_unref(v);
	inventory_free(inv);
	inv = load_text("db1.example.com\n10.0.0.1\n", INV_FORMAT_INI, &err);
	v = inventory_host_vars_all(inv, inventory_host(inv, "db1.example.com"));
	T_EQ_STR(value_get_str(v, "inventory_hostname_short", ""), "db1");
	value_unref(v);
	v = inventory_host_vars_all(inv, inventory_host(inv, "10.0.0.1"));
	T_EQ_STR(value_get_str(v, "inventory_hostname_short", ""), "10.0.0.1");
	value_unref(v);
	inventory_free(inv);
}

static void test_sources(void)
{
	struct inventory *inv = NULL;
	const char *src[1];
	struct diag d;

	diag_init(&d);
	src[0] = "h1, h2:2222 ,[::1]:22,h1";
	T_EQ_INT(inventory_load(&inv, src, 1, &d), 0);
	if (inv != NULL) {
		CHECK_STR(group_hosts(inv, "ungrouped"), "h1 h2 ::1");
		CHECK_STR(host_json(inv, "h2"), "{\"ansible_port\": 2222}");
	}
	inventory_free(inv);
	src[0] = "/nonexistent/inventory";
	T_EQ_INT(inventory_load(&inv, src, 1, &d), ERR_NOTFOUND);
	T_CHECK(inv == NULL && strcmp(d.file, "/nonexistent/inventory") == 0);
	diag_fini(&d);
	diag_init(&d);
	T_EQ_INT(inventory_load(&inv, NULL, 0, &d), 0);
	CHECK_STR(group_children(inv, "all"), "ungrouped");
	inventory_free(inv);
	diag_fini(&d);
}

static char *own_var(struct inventory *inv, const char *host, const char *name)
{
	struct value *v = inventory_host_vars(inv, inventory_host(inv, host));
	char *s = json_encode_str(value_map_get(v, name), 0);

	value_unref(v);
	return s;
}

static struct value *strs(const char *a, const char *b)
{
	struct value *l = value_list();

	if (a != NULL)
		value_list_push(l, value_str(a));
	if (b != NULL)
		value_list_push(l, value_str(b));
	return l;
}

/* add_host, group_by and refresh_inventory: the changes a run makes, with the
 * changed status Ansible 2.14's InventoryManager reports. */
static void test_add_host(void)
{
	struct inventory *inv = NULL;
	struct value *groups = strs("web", NULL), *none = value_list(), *vars = value_map();
	struct diag d;
	int changed = -1;

	diag_init(&d);
	T_EQ_INT(inventory_load_text(&inv, "h1\n", 3, "inv", INV_FORMAT_INI, &d), 0);
	value_map_set(vars, "color", value_str("blue"));
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", none, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(group_hosts(inv, "ungrouped"), "h1 new");
	CHECK_STR(own_var(inv, "new", "color"), "\"blue\"");
	/* The same again changes nothing; joining a group does (and leaves ungrouped). */
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", none, vars, &changed, &d), 0);
	T_EQ_INT(changed, 0);
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", groups, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(group_hosts(inv, "ungrouped"), "h1");
	CHECK_STR(group_hosts(inv, "web"), "new");
	CHECK_STR(group_children(inv, "all"), "ungrouped web");
	value_map_set(vars, "color", value_str("red"));
	T_EQ_INT(inventory_add_dynamic_host(inv, "new", groups, vars, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(own_var(inv, "new", "color"), "\"red\"");
	T_EQ_INT(inventory_add_dynamic_host(inv, "", none, vars, &changed, &d) < 0, 1);
	value_unref(groups);
	value_unref(none);
	value_unref(vars);
	inventory_free(inv);
	diag_fini(&d);
}

static void test_group_by(void)
{
	struct inventory *inv = NULL;
	struct value *all = strs("all", NULL), *parents = strs("numbered", "all"), *loop = strs("odd", NULL);
	struct diag d;
	int changed = -1;

	diag_init(&d);
	T_EQ_INT(inventory_load_text(&inv, "[lab]\nh1\nh2\n", 12, "inv", INV_FORMAT_INI, &d), 0);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h1"), "odd", all, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h1"), "odd", all, &changed, &d), 0);
	T_EQ_INT(changed, 0);
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h2"), "odd", parents, &changed, &d), 0);
	T_EQ_INT(changed, 1);
	CHECK_STR(group_hosts(inv, "odd"), "h1 h2");
	CHECK_STR(group_children(inv, "numbered"), "odd");
	/* A parent that is the group's own child is a cycle. */
	T_EQ_INT(inventory_add_dynamic_group(inv, inventory_host(inv, "h2"), "numbered", loop, &changed, &d) < 0, 1);
	value_unref(all);
	value_unref(parents);
	value_unref(loop);
	inventory_free(inv);
	diag_fini(&d);
}

static void test_refresh(void)
{
	char path[] = "/tmp/drover-invdyn-XXXXXX";
	const char *src[1] = {path};
	struct inventory *inv = NULL;
	struct value *none = value_list(), *vars = value_map();
	struct diag d;
	FILE *f;
	int fd = mkstemp(path), changed;

	T_CHECK(fd >= 0);
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs("[lab]\nh1 a=1\n", f);
	fclose(f);
	diag_init(&d);
	T_EQ_INT(inventory_load(&inv, src, 1, &d), 0);
	T_EQ_INT(inventory_add_dynamic_host(inv, "dyn", none, vars, &changed, &d), 0);
	f = fopen(path, "w");
	fputs("[lab]\nh1 a=2\nh2\n[late:children]\nlab\n", f);
	fclose(f);
	T_EQ_INT(inventory_refresh(inv, &d), 0);
	CHECK_STR(group_hosts(inv, "lab"), "h1 h2");
	CHECK_STR(group_children(inv, "late"), "lab");
	CHECK_STR(own_var(inv, "h1", "a"), "2");
	CHECK_STR(group_hosts(inv, "ungrouped"), "dyn");
	unlink(path);
	T_EQ_INT(inventory_refresh(inv, &d) < 0, 1);
	CHECK_STR(group_hosts(inv, "lab"), "h1 h2");
	value_unref(none);
	value_unref(vars);
	inventory_free(inv);
	diag_fini(&d);
}

int main(void)
{
	T_RUN(test_ini);
	T_RUN(test_ini_errors);
	T_RUN(test_yaml);
	T_RUN(test_yaml_errors);
	T_RUN(test_auto);
	T_RUN(test_addr);
	T_RUN(test_ranges);
	T_RUN(test_vars_precedence);
	T_RUN(test_magic);
	T_RUN(test_sources);
	T_RUN(test_add_host);
	T_RUN(test_group_by);
	T_RUN(test_refresh);
	return T_DONE();
}
