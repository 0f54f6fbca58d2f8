/* The account modules' parsers: /etc/passwd, /etc/group and /etc/shadow
 * text (modules/userdb.c) looked up as getpwnam/getgrgid do, and
 * authorized_keys lines and option lists (modules/authkey.c) read, compared
 * and written back as ansible.posix's authorized_key does. The module layer
 * is not in libdrover.a, so the sources are compiled in. */
#include <stdlib.h>
#include <string.h>

#include "data/json.h"
#include "modules/authkey.c"
#include "modules/userdb.c"
#include "t.h"

static char *js(const struct value *v)
{
	return json_encode_str(v, 0);
}

#define T_JSON(v, expect)                                                                    \
	do {                                                                                 \
		char *t_js_ = js(v);                                                         \
		T_EQ_STR(t_js_, expect);                                                     \
		free(t_js_);                                                                 \
	} while (0)

static void test_passwd(void)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/bash\n"
	                           "# a comment\n\n+nisuser::::::\n"
	                           "bad:x:notanumber:0::/:/bin/sh\n"
	                           "alice:x:1000:1000:Alice A,,,:/home/alice:/bin/sh\r\n"
	                           "short:x:1001\n"
	                           "alice:x:2000:2000::/other:/bin/false";
	struct value *db = userdb_parse(text, strlen(text), USERDB_PW_UID);
	const struct value *e;

	T_EQ_INT(value_len(db), 4);
	e = userdb_find(db, USERDB_PW_NAME, "alice");
	T_CHECK(e != NULL);
	T_EQ_STR(userdb_field(e, USERDB_PW_GECOS), "Alice A,,,");
	T_EQ_STR(userdb_field(e, USERDB_PW_SHELL), "/bin/sh");
	T_EQ_INT(userdb_num(e, USERDB_PW_UID, -1), 1000);
	e = userdb_find(db, USERDB_PW_NAME, "short");
	T_EQ_STR(userdb_field(e, USERDB_PW_DIR), "");
	T_EQ_INT(userdb_num(e, USERDB_PW_GID, -7), -7);
	T_CHECK(userdb_find(db, USERDB_PW_NAME, "bad") == NULL);
	T_CHECK(userdb_find(db, USERDB_PW_NAME, "nisuser") == NULL);
	value_unref(db);
}

static void test_group(void)
{
	static const char text[] = "root:x:0:\nstaff:x:50:alice,bob\nwheel:x:10:bob\n12:x:99:\n";
	struct value *db = userdb_parse(text, strlen(text), USERDB_GR_GID), *m;

	T_EQ_STR(userdb_field(userdb_group(db, "50"), USERDB_GR_NAME), "staff");
	T_EQ_STR(userdb_field(userdb_group(db, "wheel"), USERDB_GR_NAME), "wheel");
	/* A number is a gid first, as group_exists tries getgrgid first. */
	T_EQ_STR(userdb_field(userdb_group(db, "12"), USERDB_GR_NAME), "12");
	T_CHECK(userdb_group(db, "nosuch") == NULL);
	m = userdb_member_of(db, "bob");
	T_JSON(m, "[\"staff\", \"wheel\"]");
	value_unref(m);
	m = userdb_member_of(db, "bo");
	T_JSON(m, "[]");
	value_unref(m);
	value_unref(db);
}

static void test_is_num(void)
{
	long long n = 0;

	T_CHECK(userdb_is_num(" +12 ", &n) && n == 12);
	T_CHECK(!userdb_is_num("", &n));
	T_CHECK(!userdb_is_num("1x", &n));
	T_CHECK(!userdb_is_num("-1", &n));
	T_CHECK(!userdb_is_num("99999999999999999999999", &n));
}

static void test_options(void)
{
	struct value *o = authkey_options("no-pty,from=\"10.0.0.1,10.0.0.2\",command='a,b'");

	T_JSON(o, "[[\"no-pty\", null], [\"from\", \"\\\"10.0.0.1,10.0.0.2\\\"\"], [\"command\", \"'a,b'\"]]");
	value_unref(o);
	/* What the regex leaves between runs is an option of its own, unless
	 * it is a single comma; what comes before the first run is dropped. */
	o = authkey_options(",a,,b\"c");
	T_JSON(o, "[[\"a\", null], [\",,\", null], [\"b\", null], [\"\\\"\", null], [\"c\", null]]");
	value_unref(o);
	o = authkey_options(NULL);
	T_JSON(o, "[]");
	value_unref(o);
}

static void test_parse(void)
{
	struct authkey_entry e;
	static const char l1[] = "no-pty ssh-ed25519 AAAAbody the comment\n";

	T_EQ_INT(authkey_parse(l1, strlen(l1), 3, &e), 0);
	T_EQ_STR(e.type, "ssh-ed25519");
	T_EQ_STR(e.hash, "AAAAbody");
	T_EQ_STR(e.comment, "the comment");
	T_EQ_INT(e.rank, 3);
	T_JSON(e.options, "[[\"no-pty\", null]]");
	authkey_entry_fini(&e);
	T_EQ_INT(authkey_parse("# ssh-rsa AAAA x", 16, 0, &e), 0);
	T_EQ_STR(e.type, "skipped");
	authkey_entry_fini(&e);
	T_EQ_INT(authkey_parse("ssh-foo AAAA", 12, 0, &e), -1);
	T_EQ_INT(authkey_parse("ssh-rsa", 7, 0, &e), -1);
	T_EQ_INT(authkey_parse("", 0, 0, &e), -1);
}

static void test_table(void)
{
	static const char text[] = "# keep me\nssh-rsa AAAA one\njunk\n\nssh-rsa BBBB two\nssh-rsa AAAA again";
	struct authkey_table t;
	struct authkey_entry e, f;
	char *out;

	authkey_table_init(&t);
	T_EQ_INT(authkey_table_read(&t, text, strlen(text)), 0);
	/* The later AAAA line takes the earlier one's place and its rank. */
	T_EQ_INT(t.n, 5);
	T_EQ_INT(t.e[authkey_table_find(&t, "AAAA")].rank, 5);
	out = authkey_table_write(&t, NULL);
	T_EQ_STR(out, "# keep me\njunk\n\nssh-rsa BBBB two\nssh-rsa AAAA again\n");
	free(out);
	T_EQ_INT(authkey_parse("ssh-rsa AAAA again", 18, 0, &e), 0);
	T_EQ_INT(authkey_parse("from=\"x\" ssh-rsa AAAA again", 27, 0, &f), 0);
	T_CHECK(authkey_entry_equal(&e, &t.e[authkey_table_find(&t, "AAAA")]));
	T_CHECK(!authkey_entry_equal(&e, &f));
	authkey_entry_fini(&f);
	authkey_table_del(&t, (size_t)authkey_table_find(&t, "AAAA"));
	e.rank = 9;
	authkey_table_set(&t, &e);
	out = authkey_table_write(&t, NULL);
	T_EQ_STR(out, "# keep me\njunk\n\nssh-rsa BBBB two\nssh-rsa AAAA again\n");
	free(out);
	authkey_table_fini(&t);
}

static void test_options_equal(void)
{
	struct value *a = authkey_options("a=1,b,a=2"), *b = authkey_options("b,a=1,a=2");
	struct value *c = authkey_options("a=2,a=1,b");

	/* keydict equality: per option in order, the options' order aside. */
	T_CHECK(authkey_options_equal(a, b));
	T_CHECK(!authkey_options_equal(a, c));
	value_unref(a);
	value_unref(b);
	value_unref(c);
}

int main(void)
{
	T_RUN(test_passwd);
	T_RUN(test_group);
	T_RUN(test_is_num);
	T_RUN(test_options);
	T_RUN(test_parse);
	T_RUN(test_table);
	T_RUN(test_options_equal);
	return T_DONE();
}
