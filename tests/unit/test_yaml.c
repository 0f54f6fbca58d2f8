/* The YAML loader: typing as PyYAML's SafeLoader (expected values checked
 * against Ansible's AnsibleLoader), positions, anchors, merge keys, caps and
 * errors; and yaml_emit round trips. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "data/json.h"
#include "data/yaml.h"
#include "t.h"

/* Loads text and returns its JSON (sorted keys, unsafe strings wrapped the
 * way ansible-inventory prints them) or "ERR line:col: msg". */
static char *load_json(const char *text)
{
	struct value *v;
	struct diag d;
	char *s, *m;
	struct buf b;

	diag_init(&d);
	if (yaml_load(text, strlen(text), "t.yml", &v, &d) != 0) {
		m = diag_format(&d);
		buf_init(&b, 0);
		buf_printf(&b, "ERR %s", m + strlen("t.yml:"));
		free(m);
		diag_fini(&d);
		return buf_take(&b, NULL);
	}
	s = json_encode_str(v, JSON_SORT_KEYS);
	value_unref(v);
	diag_fini(&d);
	return s;
}

static void check(const char *text, const char *want)
{
	char *got = load_json(text);

	if (strcmp(got, want) != 0)
		printf("#   yaml <%s>\n", text);
	T_EQ_STR(got, want);
	free(got);
}

static void test_scalars(void)
{
	check("- 1.0e3\n- 1.0e+3\n- 0o17\n- 017\n- 1:20\n- 0b\n- 09\n- 1e3\n- .5\n- -.5\n- 1.\n- +.inf\n- -.Inf\n- 0x1F\n"
	      "- 0X1F\n- -0x1f\n- 1_000\n- 0_\n- 1:2:3\n- 1:60\n- 1:2.5\n- +1\n- -0\n- -0.0\n- 0.1\n- 1.5e-3\n"
	      "- 9223372036854775807\n- -9223372036854775808\n- 0b1_1\n",
	      "[\"1.0e3\", 1000.0, \"0o17\", 15, 80, \"0b\", \"09\", \"1e3\", 0.5, \"-.5\", 1.0, Infinity, -Infinity, 31, "
	      "\"0X1F\", -31, 1000, 0, 3723, \"1:60\", 62.5, 1, 0, -0.0, 0.1, 0.0015, 9223372036854775807, "
	      "-9223372036854775808, 3]");
	check("- .nan\n", "[NaN]");
	check("- yes\n- No\n- ON\n- off\n- y\n- n\n- True\n- tRUE\n- ~\n- null\n- Null\n- NULL\n- nULL\n-\n- ''\n- \"\"\n",
	      "[true, false, true, false, \"y\", \"n\", true, \"tRUE\", null, null, null, null, \"nULL\", null, \"\", \"\"]");
	check("- 2001-12-14\n- 2001-12-14t21:59:43.10-05:00\n- 2001-1-1 1:00:00 Z\n- 2001-01-01 1:00:00.5 +1\n"
	      "- 2001-01-01t1:00:00.1234567-00:30\n- 2001-1-1\n- !!timestamp 2001-1-1\n",
	      "[\"2001-12-14\", \"2001-12-14T21:59:43.100000-05:00\", \"2001-01-01T01:00:00+00:00\", "
	      "\"2001-01-01T01:00:00.500000+01:00\", \"2001-01-01T01:00:00.123456-00:30\", \"2001-1-1\", \"2001-01-01\"]");
	check("- 2001-02-29\n", "ERR 1:3: invalid timestamp: '2001-02-29'");
	check("- '12'\n- \"yes\"\n- |\n  a\n  b\n- >\n  c\n  d\n- plain\n  multi\n",
	      "[\"12\", \"yes\", \"a\\nb\\n\", \"c d\\n\", \"plain multi\"]");
	check("key: 99999999999999999999",
	      "ERR 1:6: integer out of range (drover's integers are 64-bit; quote the value to keep it as a string): "
	      "'99999999999999999999'");
}

static void test_tags(void)
{
	check("- !!float 1e3\n- !!bool Yes\n- !!str\n- !!null abc\n- !!int \"0x1f\"\n- !!int \" 12 \"\n- !!int \"0o17\"\n"
	      "- !!float \" inf\"\n- !!str 12\n- ! 12\n- ! \"12\"\n- !<tag:yaml.org,2002:int> \"7\"\n",
	      "[1000.0, true, \"\", null, 31, 12, 15, Infinity, \"12\", 12, 12, 7]");
	check("[!!int 12, !!int x]", "ERR 1:12: invalid integer: 'x'");
	check("!foo x", "ERR 1:1: could not determine a constructor for the tag '!foo'");
	check("x: !vault |\n  abc", "ERR 1:4: vault-encrypted values are not supported (!vault)");
	check("a: =", "ERR 1:4: could not determine a constructor for the tag 'tag:yaml.org,2002:value': '='");
	check("=: 1", "{\"=\": 1}");
	check("!!python/dict {a: 1}", "{\"a\": 1}");
	check("- !!set {a, b}", "ERR 1:3: could not determine a constructor for the tag 'tag:yaml.org,2002:set' on a mapping");
	check("!!binary aGVsbG8=", "ERR 1:1: could not determine a constructor for the tag 'tag:yaml.org,2002:binary'");
}

static void test_unsafe(void)
{
	struct value *v;
	struct diag d;
	const char *text = "x: !unsafe 12\ny: &q foo\nz: !unsafe [*q, {k: v}]\nw: *q\n";

	diag_init(&d);
	T_EQ_INT(yaml_load(text, strlen(text), NULL, &v, &d), 0);
	T_CHECK(value_map_get(v, "x")->type == VALUE_STR);
	T_CHECK(value_map_get(v, "x")->flags & VALUE_F_UNSAFE);
	T_CHECK(value_list_at(value_map_get(v, "z"), 0)->flags & VALUE_F_UNSAFE);
	T_CHECK(value_map_get(value_list_at(value_map_get(v, "z"), 1), "k")->flags & VALUE_F_UNSAFE);
	/* The alias outside the !unsafe node keeps its own flags. */
	T_CHECK(!(value_map_get(v, "w")->flags & VALUE_F_UNSAFE));
	T_CHECK(!(value_map_get(v, "y")->flags & VALUE_F_UNSAFE));
	value_unref(v);
	diag_fini(&d);
}

static void test_mappings(void)
{
	check("{1: a, null: c, 1.5: d, 2001-01-01: e, true: b}",
	      "{\"1\": \"a\", \"1.5\": \"d\", \"2001-01-01\": \"e\", \"null\": \"c\", \"true\": \"b\"}");
	check("a: 1\nb: 2\na: 3\n", "{\"a\": 3, \"b\": 2}");
	check("? [1]\n: 2\n", "ERR 1:3: found unacceptable key (a sequence cannot be a mapping key)");
	check("<<: {a: 1}\nb: 2\n", "{\"a\": 1, \"b\": 2}");
	check("- <<: [{a: 1, b: 1}, {a: 2, c: 2}]\n  c: 3\n", "[{\"a\": 1, \"b\": 1, \"c\": 3}]");
	check("- &b {x: 1, y: 2}\n- <<: *b\n  y: 3\n- <<: [*b, {z: 1}]\n",
	      "[{\"x\": 1, \"y\": 2}, {\"x\": 1, \"y\": 3}, {\"x\": 1, \"y\": 2, \"z\": 1}]");
	check("<<: [1]", "ERR 1:5: expected a mapping for merging, but found scalar");
	check("a: <<", "ERR 1:4: could not determine a constructor for the tag 'tag:yaml.org,2002:merge': '<<'");
}

static void test_key_order(void)
{
	struct value *v;
	struct diag d;
	const char *text = "- <<: [{a: 1, b: 1}, {a: 2, c: 2}]\n  c: 3\n";

	/* PyYAML's flatten_mapping order: a, c, b. */
	diag_init(&d);
	T_EQ_INT(yaml_load(text, strlen(text), NULL, &v, &d), 0);
	T_EQ_STR(value_cstr(value_map_key_at(value_list_at(v, 0), 0)), "a");
	T_EQ_STR(value_cstr(value_map_key_at(value_list_at(v, 0), 1)), "c");
	T_EQ_STR(value_cstr(value_map_key_at(value_list_at(v, 0), 2)), "b");
	value_unref(v);
	diag_fini(&d);
}

static void test_anchors(void)
{
	struct value *v;
	struct diag d;
	struct buf b;
	const char *text = "a: &x [1, 2]\nb: *x\n";
	int i, r;

	check("a: &x 1\nb: *y\n", "ERR 2:4: found undefined alias 'y'");
	check("a: &x [*x]\n", "ERR 1:8: found recursive alias 'x' (not supported)");
	check("&a x: &a y\n", "ERR 1:7: found duplicate anchor 'a'");
	diag_init(&d);
	T_EQ_INT(yaml_load(text, strlen(text), NULL, &v, &d), 0);
	/* Shared by reference. */
	T_CHECK(value_map_get(v, "a") == value_map_get(v, "b"));
	value_unref(v);
	/* A billion laughs stops at the expansion cap. */
	buf_init(&b, 0);
	buf_puts(&b, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
	for (i = 1; i < 12; i++)
		buf_printf(&b, "l%d: &l%d [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d, *l%d]\n", i, i, i - 1,
		           i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
	r = yaml_load(buf_str(&b), buf_avail(&b), "bomb", &v, &d);
	T_EQ_INT(r, ERR_TOOBIG);
	T_CHECK(d.msg != NULL && strstr(d.msg, "aliases expanded") != NULL);
	buf_fini(&b);
	diag_fini(&d);
}

static void test_depth(void)
{
	struct value *v;
	struct diag d;
	struct buf b;
	int i;

	buf_init(&b, 0);
	for (i = 0; i < YAML_MAX_DEPTH; i++)
		buf_putc(&b, '[');
	for (i = 0; i < YAML_MAX_DEPTH; i++)
		buf_putc(&b, ']');
	diag_init(&d);
	T_EQ_INT(yaml_load(buf_str(&b), buf_avail(&b), NULL, &v, &d), 0);
	value_unref(v);
	buf_reset(&b);
	for (i = 0; i <= YAML_MAX_DEPTH; i++)
		buf_putc(&b, '[');
	for (i = 0; i <= YAML_MAX_DEPTH; i++)
		buf_putc(&b, ']');
	T_EQ_INT(yaml_load(buf_str(&b), buf_avail(&b), NULL, &v, &d), ERR_DEPTH);
	T_CHECK(v == NULL);
	buf_fini(&b);
	diag_fini(&d);
}

static void test_documents(void)
{
	struct value *v;
	struct diag d;

	check("", "null");
	check("# only a comment\n", "null");
	check("---\n...\n", "null");
	check("--- 1\n--- 2\n", "ERR 2:1: expected a single document in the stream, but found another document");
	diag_init(&d);
	T_EQ_INT(yaml_load_all("--- 1\n--- [2]\n---\n", 18, NULL, &v, &d), 0);
	T_EQ_INT(value_len(v), 3);
	T_EQ_INT(value_list_at(v, 0)->u.i, 1);
	T_CHECK(value_list_at(v, 2)->type == VALUE_NULL);
	value_unref(v);
	T_EQ_INT(yaml_load_all("", 0, NULL, &v, &d), 0);
	T_EQ_INT(value_len(v), 0);
	value_unref(v);
	diag_fini(&d);
}

static void test_errors(void)
{
	check("a: b: c", "ERR 1:5: mapping values are not allowed in this context");
	check("a:\n  - b\n  c: d\n",
	      "ERR 3:3: did not find expected '-' indicator (while parsing a block collection at line 2 column 3)");
	check("[1, 2\n", "ERR 2:1: did not find expected ',' or ']' (while parsing a flow sequence at line 1 column 1)");
	check("a: \"\\xff\x01\"", "ERR 1:9: control characters are not allowed (byte 0x01)");
}

static void test_positions(void)
{
	struct value *v, *item;
	struct diag d;
	const char *text = "# c\nouter:\n  key: value\n  list:\n    - 'q'\n";

	diag_init(&d);
	T_EQ_INT(yaml_load(text, strlen(text), "pos.yml", &v, &d), 0);
	T_EQ_STR(v->pos.file, "pos.yml");
	T_EQ_INT(v->pos.line, 2);
	T_EQ_INT(v->pos.col, 1);
	item = value_map_get(value_map_get(v, "outer"), "key");
	T_EQ_INT(item->pos.line, 3);
	T_EQ_INT(item->pos.col, 8);
	T_EQ_INT(value_map_key_at(value_map_get(v, "outer"), 0)->pos.col, 3);
	item = value_list_at(value_map_get(value_map_get(v, "outer"), "list"), 0);
	T_EQ_INT(item->pos.line, 5);
	T_EQ_INT(item->pos.col, 7);
	value_unref(v);
	diag_fini(&d);
}

static void test_data(void)
{
	struct value *v;
	struct diag d;

	/* JSON first, as Ansible's DataLoader: 1e3 is a float there. */
	diag_init(&d);
	T_EQ_INT(yaml_load_data("{\"x\": 1e3}", 10, "j", &v, &d), 0);
	T_CHECK(value_map_get(v, "x")->type == VALUE_FLOAT);
	value_unref(v);
	T_EQ_INT(yaml_load_data("x: 1e3", 6, "y", &v, &d), 0);
	T_CHECK(value_map_get(v, "x")->type == VALUE_STR);
	value_unref(v);
	T_EQ_INT(yaml_load_data("$ANSIBLE_VAULT;1.1;AES256\n", 26, "v", &v, &d), ERR_PARSE);
	T_CHECK(strstr(d.msg, "vault") != NULL);
	diag_fini(&d);
	diag_init(&d);
	T_CHECK(yaml_load_file("/nonexistent/file.yml", &v, &d) < 0);
	T_CHECK(d.msg != NULL && strstr(d.msg, "could not read file") != NULL);
	diag_fini(&d);
}

static void test_emit(void)
{
	static const char *const texts[] = {
		"a: 1\nb: [yes, 'yes', '12', 12, 1.5, null, '', 'null', ~, 1e+16, '1:20', true, 'a: b', '- x', \"\\ttab\"]\n"
		"c: {d: {e: [1, [2, 3], {f: g}]}}\nempty_map: {}\nempty_list: []\nmulti: \"line1\\nline2\\n\"\n"
		"unicode: é€\n",
		"[1, 2]",
		"plain",
	};
	struct value *v, *back;
	struct diag d;
	struct buf b;
	size_t i;

	diag_init(&d);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		buf_init(&b, 0);
		T_EQ_INT(yaml_load(texts[i], strlen(texts[i]), NULL, &v, &d), 0);
		T_EQ_INT(yaml_emit(&b, v, YAML_EMIT_SORT_KEYS), 0);
		T_EQ_INT(yaml_load(buf_str(&b), buf_avail(&b), NULL, &back, &d), 0);
		if (!value_equal(v, back))
			printf("#   emitted:\n%s", buf_str(&b));
		T_CHECK(value_equal(v, back));
		value_unref(v);
		value_unref(back);
		buf_fini(&b);
	}
	diag_fini(&d);
}

int main(void)
{
	T_RUN(test_scalars);
	T_RUN(test_tags);
	T_RUN(test_unsafe);
	T_RUN(test_mappings);
	T_RUN(test_key_order);
	T_RUN(test_anchors);
	T_RUN(test_depth);
	T_RUN(test_documents);
	T_RUN(test_errors);
	T_RUN(test_positions);
	T_RUN(test_data);
	T_RUN(test_emit);
	return T_DONE();
}
