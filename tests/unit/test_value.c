/* Unit tests for the value tree: constructors, reference counts,
 * copy-on-write, ordered maps with their hash index, equality, merging and
 * the typed readers modules use. */
#include <math.h>
#include <stdint.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "data/value.h"
#include "t.h"

static void test_constructors(void)
{
	struct value *v;

	v = value_null();
	T_EQ_INT(v->type, VALUE_NULL);
	T_EQ_INT(v->refs, 1);
	T_EQ_STR(value_type_name(v), "null");
	value_unref(v);
	v = value_bool(5);
	T_EQ_INT(v->type, VALUE_BOOL);
	T_EQ_INT(v->u.b, 1);
	T_EQ_STR(value_type_name(v), "bool");
	value_unref(v);
	v = value_int(INT64_MIN);
	T_EQ_INT(v->u.i, INT64_MIN);
	T_EQ_STR(value_type_name(v), "int");
	value_unref(v);
	v = value_float(-0.5);
	T_CHECK(v->u.f == -0.5);
	T_EQ_STR(value_type_name(v), "float");
	value_unref(v);
	v = value_strn("a\0b", 3);
	T_EQ_INT(value_len(v), 3);
	T_CHECK(memcmp(value_cstr(v), "a\0b", 4) == 0);
	T_EQ_STR(value_type_name(v), "str");
	value_unref(v);
	v = value_strf("%s-%d", "x", 42);
	T_EQ_STR(value_cstr(v), "x-42");
	T_EQ_INT(value_len(v), 4);
	value_unref(v);
	v = value_str_take(strdup("taken"), 5);
	T_EQ_STR(value_cstr(v), "taken");
	value_unref(v);
	v = value_list();
	T_EQ_STR(value_type_name(v), "list");
	T_EQ_INT(value_len(v), 0);
	T_CHECK(value_cstr(v) == NULL);
	T_CHECK(!value_is_str(v));
	value_unref(v);
	v = value_map();
	T_EQ_STR(value_type_name(v), "dict");
	value_unref(v);
	T_EQ_STR(value_type_name(NULL), "undefined");
	T_EQ_INT(value_len(NULL), 0);
	value_unref(NULL);
}

static void test_positions(void)
{
	struct value *a = value_at(value_int(1), "f.yml", 3, 7), *b = value_null();
	char name[] = "f.yml";

	T_EQ_STR(a->pos.file, "f.yml");
	T_EQ_INT(a->pos.line, 3);
	T_EQ_INT(a->pos.col, 7);
	/* Interned: equal names give the same pointer, whatever the buffer. */
	T_CHECK(value_intern(name) == a->pos.file);
	T_CHECK(value_intern(NULL) == NULL);
	value_pos_from(b, a);
	T_CHECK(b->pos.file == a->pos.file && b->pos.line == 3 && b->pos.col == 7);
	value_pos_from(b, NULL);
	T_EQ_INT(b->pos.line, 3);
	value_unref(a);
	value_unref(b);
}

static void test_refcounts(void)
{
	struct value *l = value_list(), *s = value_str("x");

	value_list_push(l, value_ref(s));
	T_EQ_INT(s->refs, 2);
	T_CHECK(value_ref(l) == l);
	T_EQ_INT(l->refs, 2);
	value_unref(l);
	T_EQ_INT(l->refs, 1);
	value_unref(l);
	T_EQ_INT(s->refs, 1);
	T_EQ_STR(value_cstr(s), "x");
	value_unref(s);
}

static void test_lists(void)
{
	struct value *l = value_list();
	int i;

	for (i = 0; i < 100; i++)
		value_list_push(l, value_int(i));
	T_EQ_INT(value_len(l), 100);
	T_EQ_INT(value_list_at(l, 99)->u.i, 99);
	T_CHECK(value_list_at(l, 100) == NULL);
	T_CHECK(value_list_at(NULL, 0) == NULL);
	value_list_set(l, 5, value_str("five"));
	T_EQ_STR(value_cstr(value_list_at(l, 5)), "five");
	value_unref(l);
}

static void test_dup_and_mut(void)
{
	struct value *m = value_map(), *inner = value_list(), *c, *p;

	value_list_push(inner, value_int(1));
	value_map_set(m, "l", inner);
	value_at(m, "a.json", 1, 2);
	m->flags = VALUE_F_UNSAFE;
	c = value_dup(m);
	T_CHECK(c != m && value_equal(c, m));
	T_CHECK(value_map_get(c, "l") != inner);
	T_EQ_INT(c->pos.line, 1);
	T_EQ_INT(c->flags, VALUE_F_UNSAFE);
	value_unref(c);

	/* Unshared: value_mut keeps the same node. */
	p = m;
	T_CHECK(value_mut(&p) == m);
	/* Shared: value_mut gives a shallow private copy and drops one reference. */
	value_ref(m);
	T_CHECK(value_mut(&p) != m);
	T_EQ_INT(m->refs, 1);
	T_EQ_INT(p->refs, 1);
	T_CHECK(value_map_get(p, "l") == inner);
	T_EQ_INT(inner->refs, 2);
	value_map_set(p, "n", value_null());
	T_EQ_INT(value_len(p), 2);
	T_EQ_INT(value_len(m), 1);
	T_EQ_INT(p->pos.line, 1);
	value_unref(p);
	T_EQ_INT(inner->refs, 1);
	value_unref(m);
}

static void test_map_order_and_replace(void)
{
	struct value *m = value_map(), *k;

	value_map_set(m, "b", value_int(1));
	value_map_set(m, "a", value_int(2));
	value_map_set(m, "c", value_int(3));
	value_map_set(m, "b", value_int(4));
	T_EQ_INT(value_len(m), 3);
	T_EQ_STR(value_cstr(value_map_key_at(m, 0)), "b");
	T_EQ_INT(value_map_val_at(m, 0)->u.i, 4);
	T_EQ_STR(value_cstr(value_map_key_at(m, 1)), "a");
	T_EQ_STR(value_cstr(value_map_key_at(m, 2)), "c");
	T_CHECK(value_map_key_at(m, 3) == NULL && value_map_val_at(m, 3) == NULL);
	T_EQ_INT(value_map_find(m, "c", 1), 2);
	T_EQ_INT(value_map_find(m, "zz", 2), -1);
	T_CHECK(value_map_get(m, "zz") == NULL);
	T_CHECK(value_map_get(NULL, "a") == NULL);
	/* Keys are binary-safe. */
	k = value_strn("a\0x", 3);
	value_map_set_key(m, k, value_int(9));
	T_EQ_INT(value_map_getn(m, "a\0x", 3)->u.i, 9);
	T_EQ_INT(value_map_get(m, "a")->u.i, 2);
	T_EQ_INT(value_map_del(m, "a"), 0);
	T_EQ_INT(value_map_del(m, "a"), ERR_NOTFOUND);
	T_EQ_STR(value_cstr(value_map_key_at(m, 1)), "c");
	T_EQ_INT(value_len(m), 3);
	value_unref(m);
}

static void test_map_index(void)
{
	struct value *m = value_map();
	char key[16];
	int i, ok = 1;

	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		value_map_set(m, key, value_int(i));
	}
	T_CHECK(m->u.m.index != NULL);
	T_EQ_INT(value_len(m), 1000);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ok &= value_map_get(m, key) != NULL && value_map_get(m, key)->u.i == i;
		ok &= value_map_find(m, key, strlen(key)) == i;
	}
	T_CHECK(ok);
	/* Replacing through the index keeps the place. */
	value_map_set(m, "k500", value_str("x"));
	T_EQ_STR(value_cstr(value_map_val_at(m, 500)), "x");
	T_EQ_INT(value_len(m), 1000);
	/* Delete every even key; the odd ones must still be found, in order. */
	for (i = 0; i < 1000; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		ok &= value_map_del(m, key) == 0;
	}
	T_CHECK(ok);
	T_EQ_INT(value_len(m), 500);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ok &= (value_map_get(m, key) != NULL) == (i % 2 == 1);
	}
	T_CHECK(ok);
	T_EQ_STR(value_cstr(value_map_key_at(m, 0)), "k1");
	T_EQ_STR(value_cstr(value_map_key_at(m, 499)), "k999");
	/* Shrinking back to a small map drops the index; lookups still work. */
	for (i = 1; i < 990; i += 2) {
		snprintf(key, sizeof(key), "k%d", i);
		value_map_del(m, key);
	}
	T_EQ_INT(value_len(m), 5);
	T_CHECK(m->u.m.index == NULL);
	T_EQ_INT(value_map_get(m, "k997")->u.i, 997);
	T_CHECK(value_map_get(m, "k1") == NULL);
	/* And growing again past the limit rebuilds it. */
	for (i = 0; i < 20; i++) {
		snprintf(key, sizeof(key), "n%d", i);
		value_map_set(m, key, value_int(i));
	}
	T_CHECK(m->u.m.index != NULL);
	T_EQ_INT(value_map_get(m, "n19")->u.i, 19);
	T_EQ_INT(value_map_get(m, "k991")->u.i, 991);
	value_unref(m);
}

static void test_map_index_boundary(void)
{
	struct value *m = value_map();
	char key[8];
	int i;

	/* Exactly at the linear limit and one past it. */
	for (i = 0; i < 9; i++) {
		snprintf(key, sizeof(key), "%c", 'a' + i);
		value_map_set(m, key, value_int(i));
		T_EQ_INT(value_map_get(m, key)->u.i, i);
		T_EQ_INT(value_map_get(m, "a")->u.i, 0);
	}
	T_CHECK(m->u.m.index != NULL);
	T_EQ_INT(value_map_del(m, "e"), 0);
	T_CHECK(m->u.m.index == NULL);
	T_EQ_INT(value_map_get(m, "i")->u.i, 8);
	value_unref(m);
}

static void test_equal(void)
{
	struct value *a, *b, *c;

	T_CHECK(value_equal(NULL, NULL));
	a = value_int(1);
	T_CHECK(!value_equal(a, NULL));
	b = value_float(1.0);
	T_CHECK(value_equal(a, b));
	value_unref(b);
	b = value_bool(1);
	T_CHECK(value_equal(a, b));
	value_unref(b);
	b = value_float(1.5);
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	b = value_str("1");
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	value_unref(a);
	/* Exact comparison of large ints with floats, as Python. */
	a = value_int(((int64_t)1 << 53) + 1);
	b = value_float(9007199254740992.0);
	T_CHECK(!value_equal(a, b) && !value_equal(b, a));
	value_unref(a);
	a = value_int((int64_t)1 << 53);
	T_CHECK(value_equal(a, b));
	value_unref(a);
	value_unref(b);
	a = value_int(INT64_MAX);
	b = value_float(9223372036854775808.0);
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	b = value_float(NAN);
	c = value_float(NAN);
	T_CHECK(!value_equal(a, b) && !value_equal(b, c));
	/* The same node is equal to itself, as Python's [nan] == [nan] (identity). */
	T_CHECK(value_equal(b, b));
	value_unref(c);
	value_unref(b);
	b = value_float(INFINITY);
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	value_unref(a);
	a = value_bool(0);
	b = value_float(-0.0);
	T_CHECK(value_equal(a, b));
	value_unref(b);
	b = value_null();
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	value_unref(a);
}

static struct value *mk_map(const char *k1, struct value *v1, const char *k2, struct value *v2)
{
	struct value *m = value_map();

	if (k1 != NULL)
		value_map_set(m, k1, v1);
	if (k2 != NULL)
		value_map_set(m, k2, v2);
	return m;
}

static void test_equal_containers(void)
{
	struct value *a = mk_map("x", value_int(1), "y", value_list());
	struct value *b = mk_map("y", value_list(), "x", value_float(1.0));
	struct value *l1 = value_list(), *l2 = value_list();

	/* Dict equality ignores order, as Python's. */
	T_CHECK(value_equal(a, b));
	value_list_push(value_map_get(b, "y"), value_null());
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	b = mk_map("x", value_int(1), "z", value_list());
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	b = mk_map("x", value_int(1), NULL, NULL);
	T_CHECK(!value_equal(a, b));
	value_unref(b);
	value_list_push(l1, value_str("a"));
	value_list_push(l1, value_str("b"));
	value_list_push(l2, value_str("b"));
	value_list_push(l2, value_str("a"));
	T_CHECK(!value_equal(l1, l2));
	T_CHECK(!value_equal(l1, a));
	value_unref(l1);
	value_unref(l2);
	value_unref(a);
}

static void test_map_update(void)
{
	struct value *dst = mk_map("a", value_int(1), "n", mk_map("x", value_int(1), "y", value_int(2)));
	struct value *src = mk_map("n", mk_map("y", value_int(20), "z", value_int(30)), "b", value_int(2));
	struct value *shallow = value_dup(dst), *n, *keep = value_ref(value_map_get(dst, "n"));

	value_map_update(dst, src, 1);
	T_EQ_INT(value_len(dst), 3);
	T_EQ_STR(value_cstr(value_map_key_at(dst, 2)), "b");
	n = value_map_get(dst, "n");
	T_EQ_INT(value_len(n), 3);
	T_EQ_INT(value_map_get(n, "x")->u.i, 1);
	T_EQ_INT(value_map_get(n, "y")->u.i, 20);
	T_EQ_INT(value_map_get(n, "z")->u.i, 30);
	T_EQ_STR(value_cstr(value_map_key_at(n, 0)), "x");
	/* The old nested map, held elsewhere, is untouched. */
	T_EQ_INT(value_len(keep), 2);
	T_EQ_INT(value_map_get(keep, "y")->u.i, 2);
	/* The source is untouched and its values are shared, not copied. */
	T_EQ_INT(value_len(value_map_get(src, "n")), 2);
	T_CHECK(value_map_get(dst, "b") == value_map_get(src, "b"));

	/* Shallow: the nested map is replaced whole. */
	value_map_update(shallow, src, 0);
	T_CHECK(value_map_get(shallow, "n") == value_map_get(src, "n"));
	T_EQ_INT(value_len(value_map_get(shallow, "n")), 2);
	/* Deep merge where only one side is a map replaces. */
	value_unref(src);
	src = mk_map("a", mk_map("q", value_int(1), NULL, NULL), "n", value_str("s"));
	value_map_update(dst, src, 1);
	T_EQ_STR(value_type_name(value_map_get(dst, "a")), "dict");
	T_EQ_STR(value_cstr(value_map_get(dst, "n")), "s");
	value_map_update(dst, NULL, 1);
	T_EQ_INT(value_len(dst), 3);
	value_unref(keep);
	value_unref(shallow);
	value_unref(src);
	value_unref(dst);
}

/* A non-dict source is a caller's bug: it must stop the program, not read a
 * string's bytes as map entries. */
static void test_map_update_wrong_type(void)
{
	struct value *dst = value_map(), *src = value_str("not a dict at all");
	pid_t pid;
	int status = 0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		value_map_update(dst, src, 1);
		_exit(0);
	}
	T_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	value_unref(dst);
	value_unref(src);
}

static void test_get_str_int(void)
{
	struct value *m = value_map();

	value_map_set(m, "s", value_str("text"));
	value_map_set(m, "i", value_int(-7));
	value_map_set(m, "f", value_float(3.0));
	value_map_set(m, "fx", value_float(3.5));
	value_map_set(m, "fbig", value_float(1e300));
	value_map_set(m, "fnan", value_float(NAN));
	value_map_set(m, "b", value_bool(1));
	value_map_set(m, "n", value_str(" 42\n"));
	value_map_set(m, "neg", value_str("-5"));
	value_map_set(m, "bad", value_str("12abc"));
	value_map_set(m, "empty", value_str(""));
	value_map_set(m, "blank", value_str("  "));
	value_map_set(m, "huge", value_str("99999999999999999999"));
	value_map_set(m, "hex", value_str("0x10"));
	value_map_set(m, "nul", value_strn("1\0" "2", 3));
	value_map_set(m, "l", value_list());
	T_EQ_STR(value_get_str(m, "s", "d"), "text");
	T_EQ_STR(value_get_str(m, "i", "d"), "d");
	T_EQ_STR(value_get_str(m, "missing", "d"), "d");
	T_CHECK(value_get_str(m, "missing", NULL) == NULL);
	T_EQ_STR(value_get_str(NULL, "s", "d"), "d");
	T_EQ_INT(value_get_int(m, "i", 0), -7);
	T_EQ_INT(value_get_int(m, "f", 0), 3);
	T_EQ_INT(value_get_int(m, "fx", 99), 99);
	T_EQ_INT(value_get_int(m, "fbig", 99), 99);
	T_EQ_INT(value_get_int(m, "fnan", 99), 99);
	T_EQ_INT(value_get_int(m, "b", 99), 1);
	T_EQ_INT(value_get_int(m, "n", 0), 42);
	T_EQ_INT(value_get_int(m, "neg", 0), -5);
	T_EQ_INT(value_get_int(m, "bad", 99), 99);
	T_EQ_INT(value_get_int(m, "empty", 99), 99);
	T_EQ_INT(value_get_int(m, "blank", 99), 99);
	T_EQ_INT(value_get_int(m, "huge", 99), 99);
	T_EQ_INT(value_get_int(m, "hex", 99), 99);
	T_EQ_INT(value_get_int(m, "nul", 99), 99);
	T_EQ_INT(value_get_int(m, "l", 99), 99);
	T_EQ_INT(value_get_int(m, "missing", 99), 99);
	value_unref(m);
}

static void test_get_bool(void)
{
	/* Ansible's BOOLEANS_TRUE and BOOLEANS_FALSE, after lower() and strip(). */
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t", "YES", "True", " yes ", "On\n"};
	static const char *const no[] = {"n", "no", "off", "0", "false", "f", "NO", "False", "\tno", "OFF "};
	static const char *const neither[] = {"", " ", "2", "yes please", "nope", "tru", "enabled", "y e s"};
	struct value *m = value_map();
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		value_map_set(m, "k", value_str(yes[i]));
		if (value_get_bool(m, "k", -1) != 1)
			printf("#   \"%s\" is not true\n", yes[i]);
		T_EQ_INT(value_get_bool(m, "k", -1), 1);
	}
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		value_map_set(m, "k", value_str(no[i]));
		T_EQ_INT(value_get_bool(m, "k", -1), 0);
	}
	for (i = 0; i < sizeof(neither) / sizeof(neither[0]); i++) {
		value_map_set(m, "k", value_str(neither[i]));
		T_EQ_INT(value_get_bool(m, "k", -1), -1);
	}
	value_map_set(m, "k", value_strn("yes\0", 4));
	T_EQ_INT(value_get_bool(m, "k", -1), -1);
	value_map_set(m, "k", value_bool(1));
	T_EQ_INT(value_get_bool(m, "k", -1), 1);
	value_map_set(m, "k", value_bool(0));
	T_EQ_INT(value_get_bool(m, "k", -1), 0);
	value_map_set(m, "k", value_int(1));
	T_EQ_INT(value_get_bool(m, "k", -1), 1);
	value_map_set(m, "k", value_int(0));
	T_EQ_INT(value_get_bool(m, "k", -1), 0);
	value_map_set(m, "k", value_int(2));
	T_EQ_INT(value_get_bool(m, "k", -1), -1);
	value_map_set(m, "k", value_float(1.0));
	T_EQ_INT(value_get_bool(m, "k", -1), 1);
	value_map_set(m, "k", value_float(0.0));
	T_EQ_INT(value_get_bool(m, "k", -1), 0);
	value_map_set(m, "k", value_float(0.5));
	T_EQ_INT(value_get_bool(m, "k", -1), -1);
	value_map_set(m, "k", value_null());
	T_EQ_INT(value_get_bool(m, "k", -1), -1);
	T_EQ_INT(value_get_bool(m, "missing", 1), 1);
	value_unref(m);
}

int main(void)
{
	T_RUN(test_constructors);
	T_RUN(test_positions);
	T_RUN(test_refcounts);
	T_RUN(test_lists);
	T_RUN(test_dup_and_mut);
	T_RUN(test_map_order_and_replace);
	T_RUN(test_map_index);
	T_RUN(test_map_index_boundary);
	T_RUN(test_equal);
	T_RUN(test_equal_containers);
	T_RUN(test_map_update);
	T_RUN(test_map_update_wrong_type);
	T_RUN(test_get_str_int);
	T_RUN(test_get_bool);
	return T_DONE();
}
