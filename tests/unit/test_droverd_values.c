/* droverd's value types against supervisor 4.2.5's own functions: the
 * tables below are printed by tests/unit/droverd_cases.py (run it with
 * Debian's /usr/bin/python3 and paste its output here). Each expected value
 * is the result in the encoding of the matching check below, or "!" and
 * supervisord's error message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "droverd/conv.h"
#include "droverd/expand.h"
#include "droverd/kvpairs.h"
#include "droverd/logfile.h"
#include "t.h"

struct vcase {
	const char *in;
	const char *want;
};

static const struct vcase env_cases[] = {
	{"A=1", "A\0111\012"},
	{"A=1,B=2", "A\0111\012B\0112\012"},
	{"A=\"x y\",B=z", "A\011x y\012B\011z\012"},
	{"A='x,y'", "A\011x,y\012"},
	{"A=1 B=2", "!Unexpected end of key/value pairs in value 'A=1 B=2'"},
	{"A=a@b", "!Unexpected end of key/value pairs in value 'A=a@b'"},
	{"A=caf\303\251", "A\011caf\012"},
	{"A=x#y,B=z", "A\011x\012"},
	{"A=\"unclosed", "!No closing quotation"},
	{"", ""},
	{"A=", "!Unexpected end of key/value pairs in value 'A='"},
	{"A=,B=1", "!Unexpected end of key/value pairs in value 'A=,B=1'"},
	{"KEY=\"val\",KEY2=val2", "KEY\011val\012KEY2\011val2\012"},
	{"PATH=\"/usr/bin:/bin\"", "PATH\011/usr/bin:/bin\012"},
	{"A=http://x:80/y", "A\011http://x:80/y\012"},
	{"A=1,A=2", "A\0112\012"},
	{"\"A\"=1", "\"A\"\0111\012"},
	{"A=b\\c", "!Unexpected end of key/value pairs in value 'A=b\\c'"},
	{"A=1,\012B=2", "A\0111\012B\0112\012"},
	{"A=\"it's\"", "A\011it's\012"},
	{"A='a\"b'", "A\011a\"b\012"},
	{"A==", "A\011=\012"},
	{"A", "!Unexpected end of key/value pairs in value 'A'"},
	{"A=1,", "A\0111\012"},
	{"A=1,,B=2", "!Unexpected end of key/value pairs in value 'A=1,,B=2'"},
	{"A=-1.5e+3", "A\011-1.5e+3\012"},
	{"A=%", "A\011%\012"},
	{"A=x y z,B=1", "!Unexpected end of key/value pairs in value 'A=x y z,B=1'"},
	{"A = 1 , B = 2", "A\0111\012B\0112\012"},
	{"A=\"a\"\"b\",C=d", "!Unexpected end of key/value pairs in value 'A=\"a\"\"b\",C=d'"},
	{"A=x\"y z\",B=1", "!Unexpected end of key/value pairs in value 'A=x\"y z\",B=1'"},
	{"A=1;B=2", "A\0111\012B\0112\012"},
	{"A=~/x", "A\011~\012"},
	{"A=$HOME", "A\011$\012"},
	{"A=*", "A\011*\012"},
	{"A='' ,B=\"\"", "A\011\012B\011\012"},
	{"A=1\011B=2", "!Unexpected end of key/value pairs in value 'A=1\011B=2'"},
	{"# c\012A=1", "A\0111\012"},
	{"A=1 # c\012,B=2", "A\0111\012B\0112\012"},
	{"A=\303\251\303\251,B=1", "!Unexpected end of key/value pairs in value 'A=\303\251\303\251,B=1'"},
	{"A=a\303\251b", "!Unexpected end of key/value pairs in value 'A=a\303\251b'"},
};
static const struct vcase expand_cases[] = {
	{"%(here)s", "/etc/sv"},
	{"%(process_num)02d", "03"},
	{"%(process_num)d", "3"},
	{"%(process_num)s", "3"},
	{"%(numprocs)x", "a"},
	{"%(here)r", "'/etc/sv'"},
	{"%(program_name)10s|", "       web|"},
	{"%(program_name)-10s|", "web       |"},
	{"%(program_name).2s", "we"},
	{"100%%", "100%"},
	{"%(nope)s", "!Format string '%(nope)s' for 'what' contains names ('nope') which cannot be expanded. Available names: ENV_HOME, group_name, here, numprocs, process_num, program_name, q"},
	{"%(here)d", "!Format string '%(here)d' for 'what' is badly formatted: %d format: a real number is required, not str"},
	{"%", "!Format string '%' for 'what' is badly formatted: incomplete format"},
	{"%(here", "!Format string '%(here' for 'what' is badly formatted: incomplete format key"},
	{"%(here)", "!Format string '%(here)' for 'what' is badly formatted: incomplete format"},
	{"%(here)q", "!Format string '%(here)q' for 'what' is badly formatted: unsupported format character 'q' (0x71) at index 7"},
	{"%(process_num)+d", "+3"},
	{"%(process_num) d", " 3"},
	{"%(process_num)#x", "0x3"},
	{"%(process_num)#o", "0o3"},
	{"%(process_num)5.3d", "  003"},
	{"%(process_num)-4d|", "3   |"},
	{"%(process_num)f", "3.000000"},
	{"%(process_num).2e", "3.00e+00"},
	{"a%(here)sb%(program_name)sc", "a/etc/svbwebc"},
	{"%(q)r", "\"it's\""},
	{"%(ENV_HOME)s/x", "/root/x"},
	{"%(numprocs)X", "A"},
	{"%(process_num)05s", "    3"},
	{"%(here)x", "!Format string '%(here)x' for 'what' is badly formatted: %x format: an integer is required, not str"},
	{"%(process_num)i", "3"},
	{"%(process_num)u", "3"},
	{"%(here)c", "!Format string '%(here)c' for 'what' is badly formatted: %c requires int or char"},
	{"%(process_num)g", "3"},
	{"%(process_num)*d", "!Format string '%(process_num)*d' for 'what' is badly formatted: not enough arguments for format string"},
	{"x%(a(b)c)sy", "!Format string 'x%(a(b)c)sy' for 'what' contains names ('a(b)c') which cannot be expanded. Available names: ENV_HOME, group_name, here, numprocs, process_num, program_name, q"},
	{"%(here)ls", "/etc/sv"},
	{"%%(here)s", "%(here)s"},
	{"%(program_name)%", "!Format string '%(program_name)%' for 'what' is badly formatted: unsupported format character '%' (0x25) at index 15"},
};
static const struct vcase bytes_cases[] = {
	{"50MB", "52428800"},
	{"1kb", "1024"},
	{"10", "10"},
	{"1GB", "1073741824"},
	{"0", "0"},
	{"x", "!invalid literal for int() with base 10: 'x'"},
	{"kb", "!invalid literal for int() with base 10: ''"},
	{"1.5MB", "!invalid literal for int() with base 10: '1.5'"},
	{" 7 ", "7"},
	{"-1", "-1"},
	{"1_000", "1000"},
	{"5 mb", "5242880"},
	{"12b", "!invalid literal for int() with base 10: '12b'"},
};
static const struct vcase bool_cases[] = {
	{"true", "1"},
	{"TRUE", "1"},
	{"Yes", "1"},
	{"on", "1"},
	{"1", "1"},
	{"false", "0"},
	{"No", "0"},
	{"OFF", "0"},
	{"0", "0"},
	{"2", "!not a valid boolean value: '2'"},
	{"", "!not a valid boolean value: ''"},
	{"t", "!not a valid boolean value: 't'"},
};
static const struct vcase signal_cases[] = {
	{"TERM", "15"},
	{"SIGTERM", "15"},
	{"term", "15"},
	{"9", "9"},
	{" KILL ", "9"},
	{"HUP", "1"},
	{"USR1", "10"},
	{"40", "!value '40' is not a valid signal number"},
	{"34", "34"},
	{"64", "64"},
	{"0", "0"},
	{"NOPE", "!value 'NOPE' is not a valid signal name"},
	{"SIGCLD", "17"},
	{"IOT", "6"},
	{"POLL", "29"},
	{"RTMIN", "34"},
	{"_DFL", "0"},
	{"-1", "!value '-1' is not a valid signal number"},
	{"99", "!value '99' is not a valid signal number"},
};
static const struct vcase exitcode_cases[] = {
	{"0", "0"},
	{"0,2", "0,2"},
	{"", ""},
	{"1, 2 ,3", "1,2,3"},
	{"256", "!not a valid list of exit codes: '256'"},
	{"-1", "!not a valid list of exit codes: '-1'"},
	{"a", "!not a valid list of exit codes: 'a'"},
	{"0,,2", "!not a valid list of exit codes: '0,,2'"},
	{"255", "255"},
	{" 5 ", "5"},
};
static const struct vcase octal_cases[] = {
	{"022", "18"},
	{"0o22", "18"},
	{"777", "511"},
	{"8", "!8 can not be converted to an octal type"},
	{"", "! can not be converted to an octal type"},
	{"0o", "!0o can not be converted to an octal type"},
	{"-7", "-7"},
	{" 7 ", "7"},
	{"0_22", "18"},
	{"022x", "!022x can not be converted to an octal type"},
};
static const struct vcase int_cases[] = {
	{"1", "1"},
	{"-1", "-1"},
	{"+5", "5"},
	{" 10 ", "10"},
	{"1_000", "1000"},
	{"1__0", "!invalid literal for int() with base 10: '1__0'"},
	{"_1", "!invalid literal for int() with base 10: '_1'"},
	{"1_", "!invalid literal for int() with base 10: '1_'"},
	{"", "!invalid literal for int() with base 10: ''"},
	{"x", "!invalid literal for int() with base 10: 'x'"},
	{"0x10", "!invalid literal for int() with base 10: '0x10'"},
	{"007", "7"},
	{"9223372036854775807", "9223372036854775807"},
	{"-9223372036854775808", "-9223372036854775808"},
};
static const struct vcase name_cases[] = {
	{"web", "web"},
	{" web ", "web"},
	{"a b", "!Invalid name: 'a b' because of character: ' '"},
	{"a:b", "!Invalid name: 'a:b' because of character: ':'"},
	{"a/b", "!Invalid name: 'a/b' because of character: '/'"},
	{"caf\303\251", "caf\303\251"},
};
static const struct vcase autorestart_cases[] = {
	{"true", "true"},
	{"false", "0"},
	{"unexpected", "unexpected"},
	{"UNEXPECTED", "unexpected"},
	{"yes", "true"},
	{"0", "0"},
	{"maybe", "!invalid 'autorestart' value 'maybe'"},
};
static const struct vcase level_cases[] = {
	{"info", "20"},
	{"INFO", "20"},
	{"debug", "10"},
	{"warn", "30"},
	{"error", "40"},
	{"critical", "50"},
	{"trace", "5"},
	{"blather", "3"},
	{"bogus", "!bad logging level name 'bogus'"},
};
static const struct vcase auto_cases[] = {
	{"web-stdout---supervisor-abc123.log", "1"},
	{"web-stdout---supervisor-abc123.log.1", "1"},
	{"web-stderr---supervisor-x.log.10", "1"},
	{"---supervisor-x.log", "0"},
	{"w---supervisor-.log", "0"},
	{"w---supervisor-x y.log", "0"},
	{"w---other-x.log", "0"},
	{"a---supervisor-b.logx", "1"},
	{"a---supervisor-b.txt", "0"},
	{"a---supervisor-b.log.12345", "1"},
	{"x.log", "0"},
};

#define NCASES(t) (sizeof(t) / sizeof(t[0]))

/* Runs fn over a table; fn returns a new string in the table's encoding. */
static void run_table(const char *name, const struct vcase *cases, size_t n, char *(*fn)(const char *))
{
	size_t i;
	char *got;

	for (i = 0; i < n; i++) {
		got = fn(cases[i].in);
		if (strcmp(got, cases[i].want) != 0) {
			printf("#   %s[%zu] %s: got \"%s\", want \"%s\"\n", name, i, cases[i].in, got, cases[i].want);
			t_failed_checks++;
		}
		free(got);
	}
}

static char *err_or(int r, char *err, char *ok)
{
	if (r != 0) {
		char *s = xasprintf("!%s", err ? err : "(no message)");

		free(err);
		free(ok);
		return s;
	}
	return ok;
}

static char *f_env(const char *in)
{
	struct kvlist l;
	struct buf b;
	char *err = NULL;
	size_t i;
	int r;

	kvlist_init(&l);
	r = kvpairs_parse(in, &l, &err);
	buf_init(&b, 0);
	for (i = 0; i < l.n; i++)
		buf_printf(&b, "%s\t%s\n", l.keys[i], l.vals[i]);
	kvlist_fini(&l);
	return err_or(r, err, buf_take(&b, NULL));
}

static char *f_expand(const char *in)
{
	struct expand_vars v;
	char *out = NULL, *err = NULL;
	int r;

	expand_vars_init(&v);
	expand_vars_set_str(&v, "here", "/etc/sv");
	expand_vars_set_str(&v, "program_name", "web");
	expand_vars_set_num(&v, "process_num", 3);
	expand_vars_set_num(&v, "numprocs", 10);
	expand_vars_set_str(&v, "ENV_HOME", "/root");
	expand_vars_set_str(&v, "group_name", "g");
	expand_vars_set_str(&v, "q", "it's");
	r = expand(in, &v, "what", &out, &err);
	expand_vars_fini(&v);
	return err_or(r, err, out);
}

static char *f_bytes(const char *in)
{
	long long v = 0;
	char *err = NULL;
	int r = conv_byte_size(in, &v, &err);

	return err_or(r, err, xasprintf("%lld", v));
}

static char *f_bool(const char *in)
{
	int v = 0;
	char *err = NULL;
	int r = conv_bool(in, &v, &err);

	return err_or(r, err, xasprintf("%d", v));
}

static char *f_signal(const char *in)
{
	int v = 0;
	char *err = NULL;
	int r = conv_signal(in, &v, &err);

	return err_or(r, err, xasprintf("%d", v));
}

static char *f_exitcodes(const char *in)
{
	uint8_t set[32];
	int *codes = NULL;
	size_t n = 0, i;
	char *err = NULL;
	struct buf b;
	int r = conv_exitcodes(in, set, &codes, &n, &err);

	buf_init(&b, 0);
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%d", i ? "," : "", codes[i]);
	free(codes);
	return err_or(r, err, buf_take(&b, NULL));
}

static char *f_octal(const char *in)
{
	long v = 0;
	char *err = NULL;
	int r = conv_octal(in, &v, &err);

	return err_or(r, err, xasprintf("%ld", v));
}

static char *f_int(const char *in)
{
	long long v = 0;
	char *err = NULL;
	int r = conv_int(in, &v, &err);

	return err_or(r, err, xasprintf("%lld", v));
}

static char *f_name(const char *in)
{
	char *out = NULL, *err = NULL;
	int r = conv_name(in, &out, &err);

	return err_or(r, err, out);
}

static char *f_autorestart(const char *in)
{
	int v = 0;
	char *err = NULL;
	int r = conv_autorestart(in, &v, &err);

	return err_or(r, err, xstrdup(v == AUTORESTART_TRUE ? "true" : v == AUTORESTART_UNEXPECTED ? "unexpected" : "0"));
}

static char *f_level(const char *in)
{
	int v = 0;
	char *err = NULL;
	int r = conv_loglevel(in, &v, &err);

	return err_or(r, err, xasprintf("%d", v));
}

static char *f_auto(const char *in)
{
	return xstrdup(logfile_is_auto(in, "supervisor") ? "1" : "0");
}

static void test_env_table(void)
{
	run_table("env", env_cases, NCASES(env_cases), f_env);
}

static void test_expand_table(void)
{
	run_table("expand", expand_cases, NCASES(expand_cases), f_expand);
}

static void test_expand_unnamed(void)
{
	/* Python would print the whole mapping for an unnamed %s; droverd
	 * refuses it as badly formatted. */
	char *got = f_expand("date +%s");

	T_CHECK(got[0] == '!' && strstr(got, "badly formatted") != NULL);
	free(got);
}

static void test_scalar_tables(void)
{
	run_table("bytes", bytes_cases, NCASES(bytes_cases), f_bytes);
	run_table("bool", bool_cases, NCASES(bool_cases), f_bool);
	run_table("signal", signal_cases, NCASES(signal_cases), f_signal);
	run_table("exitcodes", exitcode_cases, NCASES(exitcode_cases), f_exitcodes);
	run_table("octal", octal_cases, NCASES(octal_cases), f_octal);
	run_table("int", int_cases, NCASES(int_cases), f_int);
	run_table("name", name_cases, NCASES(name_cases), f_name);
	run_table("autorestart", autorestart_cases, NCASES(autorestart_cases), f_autorestart);
	run_table("level", level_cases, NCASES(level_cases), f_level);
	run_table("auto", auto_cases, NCASES(auto_cases), f_auto);
}

static void test_int_overflow(void)
{
	/* Python's ints are unbounded; droverd refuses what does not fit 64 bits. */
	char *got = f_int("99999999999999999999");

	T_EQ_STR(got, "!integer '99999999999999999999' is too large");
	free(got);
}

static void test_signame(void)
{
	char buf[24];

	T_EQ_STR(conv_signame(15, buf), "SIGTERM");
	T_EQ_STR(conv_signame(9, buf), "SIGKILL");
	T_EQ_STR(conv_signame(6, buf), "SIGABRT");
	T_EQ_STR(conv_signame(17, buf), "SIGCHLD");
	T_EQ_STR(conv_signame(29, buf), "SIGPOLL");
	T_EQ_STR(conv_signame(40, buf), "signal 40");
	T_EQ_STR(conv_signame(0, buf), "signal 0");
}

static void test_repr(void)
{
	char *s;

	s = conv_repr("abc");
	T_EQ_STR(s, "'abc'");
	free(s);
	s = conv_repr("it's");
	T_EQ_STR(s, "\"it's\"");
	free(s);
	s = conv_repr("a'b\"c");
	T_EQ_STR(s, "'a\\'b\"c'");
	free(s);
	s = conv_repr("a\nb\\c\x01");
	T_EQ_STR(s, "'a\\nb\\\\c\\x01'");
	free(s);
	s = conv_repr("caf\xc3\xa9\xc2\xa0");
	T_EQ_STR(s, "'caf\xc3\xa9\\xa0'");
	free(s);
}

static void test_normalize(void)
{
	char *s;

	s = conv_normalize_path("/a/./b/../c//d/");
	T_EQ_STR(s, "/a/c/d");
	free(s);
	s = conv_normalize_path("/../x");
	T_EQ_STR(s, "/x");
	free(s);
	s = conv_normalize_path("//x");
	T_EQ_STR(s, "//x");
	free(s);
	s = conv_normalize_path("///x");
	T_EQ_STR(s, "/x");
	free(s);
}

static void test_inet(void)
{
	char *host = NULL, *err = NULL;
	int port = 0;

	T_EQ_INT(conv_inet_address("127.0.0.1:9001", &host, &port, &err), 0);
	T_EQ_STR(host, "127.0.0.1");
	T_EQ_INT(port, 9001);
	free(host);
	T_EQ_INT(conv_inet_address("*:80", &host, &port, &err), 0);
	T_EQ_STR(host, "");
	free(host);
	T_EQ_INT(conv_inet_address("9001", &host, &port, &err), 0);
	T_EQ_STR(host, "");
	free(host);
	T_CHECK(conv_inet_address("x:0", &host, &port, &err) != 0);
	T_EQ_STR(err, "0 is below lower bound (1)");
	free(err);
	T_CHECK(conv_inet_address("x", &host, &port, &err) != 0);
	T_EQ_STR(err, "not a valid port number: 'x' ");
	free(err);
	T_CHECK(conv_inet_address("x:", &host, &port, &err) != 0);
	T_EQ_STR(err, "no port number specified in ''");
	free(err);
}

int main(void)
{
	T_RUN(test_env_table);
	T_RUN(test_expand_table);
	T_RUN(test_expand_unnamed);
	T_RUN(test_scalar_tables);
	T_RUN(test_int_overflow);
	T_RUN(test_signame);
	T_RUN(test_repr);
	T_RUN(test_normalize);
	T_RUN(test_inet);
	return T_DONE();
}
