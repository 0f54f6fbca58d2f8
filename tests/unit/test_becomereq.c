/* Which user a task runs as: precedence of variables over keywords over
 * the run's defaults, Ansible's defaults, and refusals (exec/becomereq.h). */
#include <string.h>

#include "base/err.h"
#include "exec/becomereq.h"
#include "t.h"

static void test_off_unless_asked(void)
{
	struct becomereq_defaults d;
	struct becomereq_kw kw;
	struct value *b = (struct value *)1;
	const char *err;

	memset(&d, 0, sizeof(d));
	memset(&kw, 0, sizeof(kw));
	T_EQ_INT(becomereq_build(&d, &kw, NULL, &b, &err), 0);
	T_CHECK(b == NULL);
}

static void test_defaults(void)
{
	struct becomereq_defaults d;
	struct becomereq_kw kw;
	struct value *b = NULL, *on = value_bool(1);
	const char *err;

	memset(&d, 0, sizeof(d));
	memset(&kw, 0, sizeof(kw));
	kw.become = on;
	T_EQ_INT(becomereq_build(&d, &kw, NULL, &b, &err), 0);
	T_EQ_STR(value_get_str(b, "method", NULL), "sudo");
	T_EQ_STR(value_get_str(b, "user", NULL), "root");
	T_CHECK(value_map_get(b, "flags") == NULL && value_map_get(b, "pass") == NULL);
	value_unref(b);
	value_unref(on);
}

static void test_precedence(void)
{
	struct becomereq_defaults d;
	struct becomereq_kw kw;
	struct value *b = NULL, *vars = value_map(), *kuser = value_str("kwuser"), *off = value_str("no");
	const char *err;

	memset(&d, 0, sizeof(d));
	memset(&kw, 0, sizeof(kw));
	d.become = 1;
	d.user = "cliuser";
	d.method = "su";
	d.pass = "clipass";
	d.timeout_s = 7;
	/* The command line's user gives way to the keyword, the keyword to the variable. */
	kw.user = kuser;
	T_EQ_INT(becomereq_build(&d, &kw, vars, &b, &err), 0);
	T_EQ_STR(value_get_str(b, "user", NULL), "kwuser");
	T_EQ_STR(value_get_str(b, "method", NULL), "su");
	T_EQ_STR(value_get_str(b, "pass", NULL), "clipass");
	T_EQ_INT(value_get_int(b, "timeout", 0), 7);
	value_unref(b);
	value_map_set(vars, "ansible_become_user", value_str("varuser"));
	value_map_set(vars, "ansible_become_pass", value_str("old"));
	value_map_set(vars, "ansible_become_password", value_str("new"));
	T_EQ_INT(becomereq_build(&d, &kw, vars, &b, &err), 0);
	T_EQ_STR(value_get_str(b, "user", NULL), "varuser");
	T_EQ_STR(value_get_str(b, "pass", NULL), "new");
	value_unref(b);
	/* become: "no" on the task turns off the command line's -b. */
	kw.become = off;
	T_EQ_INT(becomereq_build(&d, &kw, vars, &b, &err), 0);
	T_CHECK(b == NULL);
	/* ...and ansible_become turns it on again. */
	value_map_set(vars, "ansible_become", value_bool(1));
	T_EQ_INT(becomereq_build(&d, &kw, vars, &b, &err), 0);
	T_CHECK(b != NULL);
	value_unref(b);
	value_unref(vars);
	value_unref(kuser);
	value_unref(off);
}

static void test_refusals(void)
{
	struct becomereq_defaults d;
	struct becomereq_kw kw;
	struct value *b = NULL, *m = value_str("runas"), *l = value_list();
	const char *err = NULL;

	memset(&d, 0, sizeof(d));
	memset(&kw, 0, sizeof(kw));
	d.become = 1;
	kw.method = m;
	T_EQ_INT(becomereq_build(&d, &kw, NULL, &b, &err), ERR_INVAL);
	T_CHECK(b == NULL && err != NULL && strstr(err, "become method") != NULL);
	kw.method = NULL;
	kw.user = l;
	T_EQ_INT(becomereq_build(&d, &kw, NULL, &b, &err), ERR_INVAL);
	T_CHECK(b == NULL && err != NULL);
	kw.user = NULL;
	kw.become = l;
	T_EQ_INT(becomereq_build(&d, &kw, NULL, &b, &err), ERR_INVAL);
	value_unref(m);
	value_unref(l);
}

int main(void)
{
	T_RUN(test_off_unless_asked);
	T_RUN(test_defaults);
	T_RUN(test_precedence);
	T_RUN(test_refusals);
	return T_DONE();
}
