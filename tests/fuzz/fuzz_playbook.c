/* libFuzzer target for the playbook loader: arbitrary bytes are loaded as a
 * playbook file in a private directory that also holds a role (with a
 * dependency, handlers, defaults) and a task file to import, so imports and
 * roles are reached (lookups are refused in load-time templates, so no
 * input runs a command or reads a file through them). Loading must never
 * crash or leak; a failure must leave
 * a diagnostic and no playbook; a loaded playbook is walked the way the
 * executor and the listings walk it (inheritance of every keyword, vars,
 * compile, handlers, listings, run-time includes). */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "playbook/pb_diag.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_list.h"
#include "playbook/playbook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dir[64];

static void fuzz_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir, rel);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

static int fuzz_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* The private directory goes when the fuzzer exits (libFuzzer ends with
 * exit() after -max_total_time and -runs). */
static void fuzz_cleanup(void)
{
	if (fuzz_dir[0])
		nftw(fuzz_dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_setup(void)
{
	static const char *const dirs[] = {"roles", "roles/r", "roles/r/tasks", "roles/r/meta", "roles/r/handlers",
	                                   "roles/r/defaults", "roles/s", "roles/s/tasks", "tasks"};
	char path[256];
	size_t i;

	if (fuzz_dir[0])
		return;
	snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/drover-fuzz-pb.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	atexit(fuzz_cleanup);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", fuzz_dir, dirs[i]);
		mkdir(path, 0755);
	}
	fuzz_file("roles/r/tasks/main.yml", "- name: r\n  debug: msg=r\n  tags: [rt]\n- import_tasks: other.yml\n");
	fuzz_file("roles/r/tasks/other.yml", "- command: echo other\n");
	fuzz_file("roles/r/meta/main.yml", "dependencies:\n  - role: s\n    p: 1\n  - s\n");
	fuzz_file("roles/r/handlers/main.yml", "- name: h\n  debug: msg=h\n  listen: l\n");
	fuzz_file("roles/r/defaults/main.yml", "d: 1\n");
	fuzz_file("roles/s/tasks/main.yml", "- block:\n    - ping:\n  rescue:\n    - debug: msg=x\n");
	fuzz_file("tasks/t.yml", "- name: t\n  shell: echo t\n  when: x\n- include_tasks: t.yml\n");
}

static int fuzz_select(void *ctx, const struct value *patterns, struct value **namesp, struct diag *d)
{
	(void)ctx;
	(void)d;
	*namesp = value_list();
	if (value_len(patterns) > 0 && value_cstr(value_list_at(patterns, 0)) != NULL)
		value_list_push(*namesp, value_str(value_cstr(value_list_at(patterns, 0))));
	return 0;
}

static void fuzz_walk(struct pb_playbook *pb, const struct pb_obj *o, int depth);

static void fuzz_walk_list(struct pb_playbook *pb, struct pb_obj *const *list, size_t n, int depth)
{
	size_t i;

	for (i = 0; i < n; i++)
		fuzz_walk(pb, list[i], depth + 1);
}

static void fuzz_walk(struct pb_playbook *pb, const struct pb_obj *o, int depth)
{
	const struct pb_block *b = pb_obj_block(o);
	const struct pb_task *t = pb_obj_task(o);
	struct pb_block **blocks = NULL, **handlers = NULL;
	size_t n = 0, nh = 0, nchain;
	struct value *v;
	struct diag d;
	char *path;
	int k;

	if (depth > 300)
		abort();
	for (k = 0; k < PB_KW_COUNT; k++)
		value_unref(pb_obj_kw(o, (enum pb_kw)k));
	if (b != NULL) {
		fuzz_walk_list(pb, b->block, b->nblock, depth);
		fuzz_walk_list(pb, b->rescue, b->nrescue, depth);
		fuzz_walk_list(pb, b->always, b->nalways, depth);
		return;
	}
	if (t == NULL)
		abort();
	if (pb_task_name(t) == NULL || t->args == NULL || t->args->type != VALUE_MAP)
		abort();
	value_unref(pb_task_vars(t));
	value_unref(pb_task_include_params(t));
	pb_task_dep_chain(t, &nchain);
	if (t->role != NULL) {
		struct pb_role *const *chain = pb_task_dep_chain(t, &nchain);

		value_unref(pb_role_vars(t->role, chain, nchain, 1, depth & 1));
		value_unref(pb_role_default_vars(t->role, chain, nchain, 0));
	}
	/* Run-time includes, once per task at the top levels only. */
	if (depth > 3)
		return;
	diag_init(&d);
	if (t->type == PB_TASK_INCLUDE_TASKS) {
		path = pb_include_path(t, "tasks/t.yml");
		if (pb_include_tasks(pb, t, path, NULL, &blocks, &n, &d) != 0 && !diag_has(&d))
			abort();
		free(path);
		free(blocks);
	} else if (t->type == PB_TASK_INCLUDE_ROLE) {
		v = value_map();
		value_map_set(v, "tasks", value_str("other"));
		if (pb_include_role(pb, t, "r", v, NULL, &blocks, &n, &handlers, &nh, &d) != 0 && !diag_has(&d))
			abort();
		value_unref(v);
		free(blocks);
		free(handlers);
	}
	diag_fini(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_playbook *pb = NULL;
	struct pb_block **blocks = NULL;
	struct pb_list_opts lo;
	struct pb_opts po;
	struct diag d;
	struct buf out;
	char path[256];
	size_t n = 0, nplays, i, j;
	FILE *f;
	int r;

	fuzz_setup();
	snprintf(path, sizeof(path), "%s/pb.yml", fuzz_dir);
	f = fopen(path, "w");
	if (f == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	diag_init(&d);
	/* Load-time templates could run lookup('pipe', ...): not here. */
	memset(&po, 0, sizeof(po));
	po.flags = PB_OPT_NO_LOOKUPS;
	r = playbook_load(path, &po, &pb, &d);
	if ((r == 0) != (pb != NULL) || (r != 0) != diag_has(&d))
		abort();
	buf_init(&out, 0);
	if (r != 0) {
		if (pb_diag_format(&out, &d) != 0 || playbook_exit_code(r) == 0)
			abort();
		goto out;
	}
	memset(&lo, 0, sizeof(lo));
	lo.tasks = lo.tags = lo.hosts = 1;
	lo.select = fuzz_select;
	if (pb_list_format(&out, &pb, 1, &lo, &d) != 0)
		abort();
	{
		struct pb_play *const *plays = playbook_plays(pb, &nplays);

		for (i = 0; i < nplays; i++) {
			pb_play_compile(plays[i], (int)(i & 1), &blocks, &n);
			for (j = 0; j < n; j++)
				fuzz_walk(pb, &blocks[j]->obj, 0);
			free(blocks);
			pb_play_handlers(plays[i], &blocks, &n);
			for (j = 0; j < n; j++)
				fuzz_walk(pb, &blocks[j]->obj, 0);
			free(blocks);
			if (pb_play_name(plays[i]) == NULL)
				abort();
		}
	}
out:
	buf_fini(&out);
	diag_fini(&d);
	playbook_free(pb);
	return 0;
}
