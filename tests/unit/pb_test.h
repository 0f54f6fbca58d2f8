/* Helpers shared by the playbook loader's unit tests: a private directory
 * of files per test, loading with a fixed roles path, and checks. */
#ifndef DROVER_TESTS_PB_TEST_H
#define DROVER_TESTS_PB_TEST_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "playbook/playbook.h"
#include "t.h"

#define PB_TEST_UNUSED __attribute__((unused))

static char t_dir[64];

PB_TEST_UNUSED static int t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

PB_TEST_UNUSED static void t_fresh(void)
{
	if (t_dir[0])
		nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(t_dir, sizeof(t_dir), "/tmp/drover-test-pb.XXXXXX");
	if (mkdtemp(t_dir) == NULL)
		abort();
}

PB_TEST_UNUSED static char *t_path(const char *rel)
{
	return xasprintf("%s/%s", t_dir, rel);
}

/* Writes rel (directories made as needed) with text. */
PB_TEST_UNUSED static void t_write(const char *rel, const char *text)
{
	char *p = t_path(rel), *s;
	FILE *f;

	for (s = p + strlen(t_dir) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	f = fopen(p, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	free(p);
}

static const char *const t_roles_path[] = {"/nonexistent/roles"};

PB_TEST_UNUSED static int t_load(const char *rel, struct pb_playbook **pbp, struct diag *d)
{
	struct pb_opts o;
	char *p = t_path(rel);
	int r;

	memset(&o, 0, sizeof(o));
	o.roles_path = t_roles_path;
	o.nroles_path = 1;
	diag_init(d);
	r = playbook_load(p, &o, pbp, d);
	free(p);
	return r;
}

/* Loads a one-file playbook and checks the error it gives. */
PB_TEST_UNUSED static void t_err(const char *text, int code, const char *msg, int line, int col)
{
	struct pb_playbook *pb = NULL;
	struct diag d;
	int r;

	t_fresh();
	t_write("pb.yml", text);
	r = t_load("pb.yml", &pb, &d);
	T_EQ_INT(r, code);
	T_CHECK(pb == NULL);
	if (msg != NULL)
		T_EQ_STR(d.msg, msg);
	T_EQ_INT(d.line, line);
	T_EQ_INT(d.col, col);
	if (r == 0 || d.msg == NULL || (msg != NULL && strcmp(d.msg, msg) != 0) || d.line != line || d.col != col)
		printf("#   for: %s\n#   got: %s at %d:%d\n", text, d.msg ? d.msg : "(none)", d.line, d.col);
	diag_fini(&d);
	playbook_free(pb);
}

PB_TEST_UNUSED static struct pb_playbook *t_ok(const char *rel)
{
	struct pb_playbook *pb = NULL;
	struct diag d;
	int r = t_load(rel, &pb, &d);

	if (r != 0)
		printf("#   unexpected error %d: %s at %s:%d:%d\n", r, d.msg ? d.msg : "?", d.file ? d.file : "?", d.line,
		       d.col);
	T_EQ_INT(r, 0);
	diag_fini(&d);
	return pb;
}

PB_TEST_UNUSED static struct pb_play *t_play(struct pb_playbook *pb, size_t i)
{
	size_t n;
	struct pb_play *const *plays = playbook_plays(pb, &n);

	return i < n ? plays[i] : NULL;
}

/* The i-th entry of a block's block: list, as a task. */
PB_TEST_UNUSED static struct pb_task *t_task(const struct pb_block *b, size_t i)
{
	return i < b->nblock ? pb_obj_task(b->block[i]) : NULL;
}

PB_TEST_UNUSED static char *t_json(const struct value *v)
{
	return json_encode_str(v, 0);
}

PB_TEST_UNUSED static void t_eq_json(const struct value *v, const char *want)
{
	char *s = t_json(v);

	T_EQ_STR(s, want);
	free(s);
}


/* Removes the test directory at exit. */
PB_TEST_UNUSED static void t_cleanup(void)
{
	if (t_dir[0])
		nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
