/* lookup()/query() and the lookup plugins (src/template/lookups*.c), in a
 * scratch directory given as the scope's search directory. */
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tpl_render.h"

static char dir[256];

static void tl_write(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static char *tl_render(const char *text)
{
	const char *dirs[] = {dir, NULL};

	return tr_render_dirs(text, "{\"i\": 41, \"xs\": [1, 2]}", dirs);
}

#define TL_EQ(text, want)                                                                   \
	do {                                                                                \
		char *g_ = tl_render(text);                                                 \
		T_EQ_STR(g_, want);                                                         \
		free(g_);                                                                   \
	} while (0)

static void test_file_template(void)
{
	char want[600];

	tl_write("a.txt", "alpha\n\n");
	tl_write("files/b.txt", "beta\n");
	tl_write("t.j2", "{{ i + 1 }}\n");
	TL_EQ("{{ lookup('file', 'a.txt') }}|{{ lookup('file', 'b.txt', 'a.txt') }}", "alpha|beta,alpha");
	TL_EQ("{{ query('file', 'a.txt', rstrip=false) }}", "['alpha\\n\\n']");
	TL_EQ("{{ lookup('template', 't.j2') }}", "42\n");
	snprintf(want, sizeof(want), "%s/files/b.txt", dir);
	TL_EQ("{{ lookup('first_found', ['nope', 'b.txt']) }}", want);
	TL_EQ("{{ lookup('file', 'nope', errors='ignore') is none }}", "True");
	{
		char *g = tl_render("{{ lookup('file', 'nope') }}");

		T_CHECK(strstr(g, "could not locate file") != NULL);
		free(g);
	}
}

static void test_pipe_env_vars(void)
{
	TL_EQ("{{ lookup('pipe', 'cat a.txt') }}", "alpha");
	TL_EQ("{{ query('lines', 'printf \"x\\\\ny\"') }}", "['x', 'y']");
	TL_EQ("{{ lookup('env', 'DROVER_TL_NOPE', default='d') }}", "d");
	TL_EQ("{{ lookup('vars', 'i') }} {{ lookup('vars', 'nope', default=0) }}", "41 0");
	TL_EQ("{{ lookup('items', [1, [2]], 3) }} {{ lookup('indexed_items', ['a']) }}", "[1, [2], 3] (0, 'a')");
	TL_EQ("{{ query('nested', [1, 2], ['a']) }} {{ query('together', [1, 2], ['a']) }}",
	      "[[1, 'a'], [2, 'a']] [[1, 'a'], [2, None]]");
	TL_EQ("{{ query('sequence', 'start=1 end=3 format=h%02d') }} {{ query('sequence', '2-6/2') }}",
	      "['h01', 'h02', 'h03'] ['2', '4', '6']");
}

static void test_password(void)
{
	char path[512], *first, *again;
	struct stat st;

	first = tl_render("{{ lookup('password', 'creds/pw length=12 chars=digits') }}");
	T_EQ_INT(strlen(first), 12);
	T_EQ_INT(strspn(first, "0123456789"), 12);
	snprintf(path, sizeof(path), "%s/creds/pw", dir);
	T_CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_size == 13);
	again = tl_render("{{ lookup('password', 'creds/pw length=30') }}");
	T_EQ_STR(again, first);
	free(first);
	free(again);
	tl_write("pw2", "secret salt=abc\n");
	TL_EQ("{{ lookup('password', 'pw2') }}", "secret");
}

int main(void)
{
	char sub[300];
	int r;

	snprintf(dir, sizeof(dir), "/tmp/drover-tl-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sub, sizeof(sub), "%s/files", dir);
	mkdir(sub, 0700);
	T_RUN(test_file_template);
	T_RUN(test_pipe_env_vars);
	T_RUN(test_password);
	r = T_DONE();
	/* The scratch directory goes with rm -rf. */
	{
		char *argv[] = {"/bin/rm", "-rf", "--", dir, NULL};
		pid_t pid = fork();

		if (pid == 0) {
			execv(argv[0], argv);
			_exit(127);
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	return r;
}
