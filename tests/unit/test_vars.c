/* Unit tests for the executor's variable layer: every precedence level
 * against the one below it, lazy and recursive templating, hostvars,
 * magic variables, omit, facts, registered results, loops and vars_files.
 * The expected values follow ansible-playbook 2.14 (the same cases run
 * against Ansible in tests/playbooks/vars/). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "data/yaml.h"
#include "exec/vars.h"
#include "inventory/inventory.h"
#include "playbook/playbook.h"
#include "playbook/templar.h"
#include "t.h"

static char t_dir[64];

static int t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void t_clean(void)
{
	if (t_dir[0])
		nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	t_dir[0] = '\0';
}

static void t_fresh(void)
{
	t_clean();
	snprintf(t_dir, sizeof(t_dir), "/tmp/drover-test-vars.XXXXXX");
	if (mkdtemp(t_dir) == NULL)
		abort();
}

static char *t_path(const char *rel)
{
	return xasprintf("%s/%s", t_dir, rel);
}

static void t_write(const char *rel, const char *text)
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

/* A loaded fixture: inventory, playbook, run, and the play begun. */
struct fx {
	struct inventory *inv;
	struct pb_playbook *pb;
	struct pb_play *play;
	struct templar *tr;
	struct vars_run *run;
	struct value *extra;
};

static int fx_load(struct fx *f, const char *inv_rel, const char *pb_rel, const char *extra_yaml,
                   struct vars_opts *o)
{
	char *ip = t_path(inv_rel), *pp = t_path(pb_rel);
	const char *srcs[1];
	struct pb_play *const *plays;
	struct vars_opts none;
	struct pb_opts po;
	struct diag d;
	size_t n;
	int r;

	memset(f, 0, sizeof(*f));
	memset(&po, 0, sizeof(po));
	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	diag_init(&d);
	srcs[0] = ip;
	r = inventory_load(&f->inv, srcs, 1, &d);
	if (r == 0 && extra_yaml != NULL)
		r = yaml_load(extra_yaml, strlen(extra_yaml), "-e", &f->extra, &d);
	po.extra_vars = f->extra;
	if (r == 0)
		r = playbook_load(pp, &po, &f->pb, &d);
	if (r != 0) {
		printf("# fixture: %s\n", d.msg ? d.msg : err_str(r));
	} else {
		plays = playbook_plays(f->pb, &n);
		f->play = plays[0];
		f->tr = templar_new();
		o->extra_vars = f->extra;
		f->run = vars_run_new(f->inv, f->tr, o);
		vars_play_begin(f->run, f->play);
	}
	diag_fini(&d);
	free(ip);
	free(pp);
	return r;
}

static void fx_free(struct fx *f)
{
	vars_run_free(f->run);
	templar_free(f->tr);
	playbook_free(f->pb);
	inventory_free(f->inv);
	value_unref(f->extra);
}

/* Sets the play's hosts (all of them, one batch). */
static void fx_hosts(struct fx *f, const char *const *names, size_t n)
{
	struct inv_host *hs[16];
	size_t i;

	for (i = 0; i < n; i++)
		hs[i] = inventory_host(f->inv, names[i]);
	vars_play_set_hosts(f->run, hs, n);
	vars_play_set_batch(f->run, hs, n);
}

static struct pb_task *t_find_in(struct pb_obj *const *objs, size_t n, const char *name);

static struct pb_task *t_find_blocks(struct pb_block *const *bs, size_t n, const char *name)
{
	struct pb_task *t;
	size_t i;

	for (i = 0; i < n; i++) {
		struct pb_obj *o = &bs[i]->obj;

		if ((t = t_find_in(&o, 1, name)) != NULL)
			return t;
	}
	return NULL;
}

/* The task called name (its name keyword) in objs, depth first. */
static struct pb_task *t_find_in(struct pb_obj *const *objs, size_t n, const char *name)
{
	struct pb_task *t;
	struct pb_block *b;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((t = pb_obj_task(objs[i])) != NULL) {
			const struct value *nm = t->obj.kw[PB_KW_NAME];

			if (nm != NULL && value_cstr(nm) != NULL && strcmp(value_cstr(nm), name) == 0)
				return t;
			continue;
		}
		b = pb_obj_block(objs[i]);
		if ((t = t_find_in(b->block, b->nblock, name)) != NULL || (t = t_find_in(b->rescue, b->nrescue, name)) ||
		    (t = t_find_in(b->always, b->nalways, name)))
			return t;
	}
	return NULL;
}

static struct pb_task *fx_task(struct fx *f, const char *name)
{
	struct pb_task *t = t_find_blocks(f->play->role_blocks, f->play->nrole_blocks, name);

	if (t == NULL)
		t = t_find_blocks(f->play->tasks, f->play->ntasks, name);
	if (t == NULL)
		printf("# no task %s\n", name);
	return t;
}

/* Templates text in c and returns the result as JSON (or "ERR: msg"). */
static char *t_ev(struct vars_ctx *c, const char *text)
{
	struct value *v = value_str(text), *out = NULL;
	struct diag d;
	char *s;
	int r;

	diag_init(&d);
	r = vars_template(c, v, &out, &d);
	if (r != 0)
		s = xasprintf("ERR: %s", d.msg ? d.msg : err_str(r));
	else if (out->type == VALUE_STR)
		s = xstrdup(value_cstr(out));
	else
		s = json_encode_str(out, 0);
	value_unref(v);
	value_unref(out);
	diag_fini(&d);
	return s;
}

#define T_EV(c, text, want)                                                        \
	do {                                                                       \
		char *t_s_ = t_ev((c), (text));                                    \
		T_EQ_STR(t_s_, (want));                                            \
		free(t_s_);                                                        \
	} while (0)

/* Levels, lowest first: a file for level i defines v<j> = "L<i>" for every
 * j >= i, so v<i> must read "L<i>": level i beats every level below. */
enum {
	LV_PLAY_DEFAULTS,
	LV_ROLE_DEFAULTS,
	LV_INV_ALL,
	LV_INV_PARENT,
	LV_INV_CHILD,
	LV_GV_ALL,
	LV_GV_PARENT,
	LV_GV_CHILD,
	LV_INV_HOST,
	LV_HOST_VARS,
	LV_FACTS,
	LV_PLAY,
	LV_VARS_FILES,
	LV_PLAY_ROLES,
	LV_ROLE_VARS,
	LV_BLOCK,
	LV_TASK,
	LV_INCLUDE_VARS,
	LV_SET_FACT,
	LV_ROLE_PARAMS,
	LV_INCLUDE_PARAMS,
	LV_EXTRA,
	LV_COUNT,
};

/* The definitions of level i: "v<j>: L<i>" lines (YAML, with indent),
 * " v<j>=L<i>" words (an INI host line) or "v<j>=L<i>" lines (INI vars). */
enum { T_YAML, T_INI_WORDS, T_INI_LINES };

static char *t_level(int i, const char *indent, int form)
{
	struct buf b;
	int j;

	buf_init(&b, 0);
	for (j = i; j < LV_COUNT; j++) {
		if (form == T_INI_WORDS)
			buf_printf(&b, " v%d=L%d", j, i);
		else if (form == T_INI_LINES)
			buf_printf(&b, "v%d=L%d\n", j, i);
		else
			buf_printf(&b, "%sv%d: L%d\n", indent, j, i);
	}
	return buf_take(&b, NULL);
}

static void t_write_level(const char *rel, int i)
{
	char *s = t_level(i, "", T_YAML);

	t_write(rel, s);
	free(s);
}

static struct value *t_level_map(int i)
{
	char *s = t_level(i, "", T_YAML);
	struct value *v = NULL;
	struct diag d;

	diag_init(&d);
	yaml_load(s, strlen(s), "level", &v, &d);
	diag_fini(&d);
	free(s);
	return v;
}

static void t_precedence_fixture(void)
{
	char *all = t_level(LV_INV_ALL, "", T_INI_LINES), *par = t_level(LV_INV_PARENT, "", T_INI_LINES),
	     *chi = t_level(LV_INV_CHILD, "", T_INI_LINES), *host = t_level(LV_INV_HOST, "", T_INI_WORDS);
	char *play = t_level(LV_PLAY, "    ", T_YAML), *blk = t_level(LV_BLOCK, "    ", T_YAML),
	     *task = t_level(LV_TASK, "        ", T_YAML), *params = t_level(LV_ROLE_PARAMS, "      ", T_YAML),
	     *incp = t_level(LV_INCLUDE_PARAMS, "    ", T_YAML);
	char *s;

	s = xasprintf("[g_parent:children]\ng_child\n[g_child]\nh1%s\nh2 hv=h2val ref=\"{{ v11 }}\" "
	              "ref2=\"{{ hv }}-x\" refbad=\"{{ nope }}\"\n[all:vars]\n%s[g_parent:vars]\n%s"
	              "[g_child:vars]\n%s",
	              host, all, par, chi);
	t_write("inv/hosts", s);
	free(s);
	t_write_level("inv/group_vars/all.yml", LV_GV_ALL);
	t_write_level("inv/group_vars/g_parent.yml", LV_GV_PARENT);
	t_write_level("inv/group_vars/g_child.yml", LV_GV_CHILD);
	t_write_level("inv/host_vars/h1.yml", LV_HOST_VARS);
	t_write_level("pb/roles/other/defaults/main.yml", LV_PLAY_DEFAULTS);
	t_write_level("pb/roles/other/vars/main.yml", LV_PLAY_ROLES);
	t_write("pb/roles/other/tasks/main.yml", "- name: other task\n  debug: msg=x\n");
	t_write_level("pb/roles/r/defaults/main.yml", LV_ROLE_DEFAULTS);
	t_write_level("pb/roles/r/vars/main.yml", LV_ROLE_VARS);
	s = xasprintf("- name: the include\n  include_tasks: inner.yml\n  vars:\n%s", incp);
	t_write("pb/roles/r/tasks/main.yml", s);
	free(s);
	s = xasprintf("- block:\n    - name: probe\n      debug: msg=x\n      vars:\n%s  vars:\n%s", task, blk);
	t_write("pb/roles/r/tasks/inner.yml", s);
	free(s);
	t_write_level("pb/vf.yml", LV_VARS_FILES);
	s = xasprintf("- hosts: all\n  gather_facts: false\n  vars_files: [vf.yml]\n  vars:\n%s  roles:\n"
	              "    - other\n    - role: r\n%s",
	              play, params);
	t_write("pb/pb.yml", s);
	free(s);
	free(all);
	free(par);
	free(chi);
	free(host);
	free(play);
	free(blk);
	free(task);
	free(params);
	free(incp);
}

/* The probe task of the precedence fixture: loaded through its include. */
static struct pb_task *t_probe(struct fx *f)
{
	struct pb_task *inc = fx_task(f, "the include"), *t;
	struct pb_block **blocks = NULL;
	struct diag d;
	size_t n = 0;
	char *path;
	int r;

	if (inc == NULL)
		return NULL;
	diag_init(&d);
	path = pb_include_path(inc, "inner.yml");
	r = pb_include_tasks(f->pb, inc, path, NULL, &blocks, &n, &d);
	if (r != 0)
		printf("# include: %s\n", d.msg ? d.msg : err_str(r));
	t = r == 0 ? t_find_blocks(blocks, n, "probe") : NULL;
	free(blocks);
	free(path);
	diag_fini(&d);
	return t;
}

static void test_precedence(void)
{
	static const char *const hosts[] = {"h1", "h2"};
	struct vars_ctx c;
	struct value *m;
	struct pb_task *t;
	struct diag d;
	struct fx f;
	char *extra = t_level(LV_EXTRA, "", T_YAML), want[16], expr[32];
	int i;

	t_fresh();
	t_precedence_fixture();
	if (fx_load(&f, "inv/hosts", "pb/pb.yml", extra, NULL) != 0) {
		T_CHECK(0);
		free(extra);
		return;
	}
	fx_hosts(&f, hosts, 2);
	m = t_level_map(LV_FACTS);
	vars_set_facts(f.run, inventory_host(f.inv, "h1"), m, VARS_UNSAFE);
	value_unref(m);
	m = t_level_map(LV_INCLUDE_VARS);
	for (i = 0; i < (int)value_len(m); i++)
		vars_set_host_var(f.run, inventory_host(f.inv, "h1"), value_cstr(value_map_key_at(m, (size_t)i)),
		                  value_map_val_at(m, (size_t)i));
	value_unref(m);
	m = t_level_map(LV_SET_FACT);
	vars_set_fact(f.run, inventory_host(f.inv, "h1"), m, 0);
	value_unref(m);
	t = t_probe(&f);
	T_CHECK(t != NULL);
	diag_init(&d);
	T_EQ_INT(vars_ctx_init(&c, f.run, inventory_host(f.inv, "h1"), f.play, t, NULL, &d), 0);
	for (i = 0; i < LV_COUNT; i++) {
		snprintf(want, sizeof(want), "L%d", i);
		snprintf(expr, sizeof(expr), "{{ v%d }}", i);
		T_EV(&c, expr, want);
	}
	/* At play level only the play's layers count. */
	T_EQ_INT(vars_ctx_init(&c, f.run, inventory_host(f.inv, "h1"), f.play, NULL, NULL, &d), 0);
	T_EV(&c, "{{ v0 }} {{ v1 }} {{ v9 }} {{ v12 }} {{ v13 }} {{ v15 }} {{ v17 }} {{ v18 }} {{ v19 }} {{ v21 }}",
	     "L0 L1 L9 L12 L13 L14 L17 L18 L18 L21");
	/* h2 lacks the host levels: group_vars of its child group show. */
	T_EQ_INT(vars_ctx_init(&c, f.run, inventory_host(f.inv, "h2"), f.play, t, NULL, &d), 0);
	T_EV(&c, "{{ v8 }} {{ v10 }} {{ v17 }} {{ v19 }}", "L7 L7 L16 L19");
	diag_fini(&d);
	fx_free(&f);
	free(extra);
}

/* A playbook with one play of vars for the smaller tests. */
static int t_simple(struct fx *f, const char *inv, const char *vars_yaml, const char *extra, struct vars_opts *o)
{
	static const char *const hosts[] = {"h1", "h2", "web.example.com"};
	char *s;
	int r;

	t_fresh();
	t_write("inv", inv != NULL ? inv : "[g]\nh1 hv=h1val\nh2 hv=h2val hvref=\"{{ hv }}!\"\n[web]\nweb.example.com\n");
	s = xasprintf("- hosts: all\n  gather_facts: false\n  vars:\n%s  tasks:\n    - name: t1\n      debug: msg=x\n",
	              vars_yaml);
	t_write("pb.yml", s);
	free(s);
	r = fx_load(f, "inv", "pb.yml", extra, o);
	if (r == 0 && inv == NULL)
		fx_hosts(f, hosts, 3);
	return r;
}

static void t_ctx(struct fx *f, struct vars_ctx *c, const char *host, const char *task)
{
	struct diag d;

	diag_init(&d);
	if (vars_ctx_init(c, f->run, inventory_host(f->inv, host), f->play, task ? fx_task(f, task) : NULL, NULL,
	                  &d) != 0)
		printf("# ctx: %s\n", d.msg);
	diag_fini(&d);
}

static void test_lazy(void)
{
	struct vars_ctx c;
	struct value *v;
	struct diag d;
	struct fx f;

	if (t_simple(&f, NULL,
	             "    a: \"{{ b }}-x\"\n    b: \"{{ c }}\"\n    c: 1\n    d: \"{{ c }}\"\n"
	             "    l: [\"{{ c }}\", \"{{ b }}\", 3]\n    m: {k: \"{{ a }}\"}\n"
	             "    e: \"{{ nope }}\"\n    u: !unsafe \"{{ c }}\"\n    n: \"{{ e | default('dflt') }}\"\n",
	             NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ a }}", "1-x");
	/* A lone "{{ d }}" of a templated d is text, as Ansible's SINGLE_VAR
	 * shortcut only returns values stored as numbers. */
	T_EV(&c, "{{ d }}", "1");
	T_EV(&c, "{{ c }}", "1");
	T_EV(&c, "{{ d + 1 }}", "2");
	T_EV(&c, "{{ l }}", "[1, \"1\", 3]");
	T_EV(&c, "{{ m.k }}", "1-x");
	T_EV(&c, "{{ e is defined }}", "false");
	T_EV(&c, "{{ e | default('x') }}", "x");
	T_EV(&c, "{{ n }}", "dflt");
	T_EV(&c, "{{ u }}", "{{ c }}");
	diag_init(&d);
	{
		struct value *in = value_str("{{ d }}"), *in2 = value_str("{{ c }}");

		T_EQ_INT(vars_template(&c, in, &v, &d), 0);
		T_CHECK(v != NULL && v->type == VALUE_STR);
		value_unref(v);
		T_EQ_INT(vars_template(&c, in2, &v, &d), 0);
		T_CHECK(v != NULL && v->type == VALUE_INT);
		value_unref(v);
		value_unref(in);
		value_unref(in2);
	}
	T_EQ_INT(vars_get(&c, "d", &v, &d), 0);
	T_CHECK(v != NULL && v->type == VALUE_INT && v->u.i == 1);
	value_unref(v);
	T_EQ_INT(vars_get(&c, "e", &v, &d), 0);
	T_CHECK(v != NULL && tpl_is_undef(v));
	if (v != NULL && tpl_is_undef(v))
		T_EQ_STR(tpl_undef_msg(v), "{{ nope }}: 'nope' is undefined");
	value_unref(v);
	T_EQ_INT(vars_get(&c, "zzz", &v, &d), ERR_NOTFOUND);
	T_EQ_INT(vars_get_raw(&c, "a", &v), 0);
	T_EQ_STR(value_cstr(v), "{{ b }}-x");
	value_unref(v);
	diag_fini(&d);
	fx_free(&f);
}

static void test_recursion(void)
{
	struct vars_ctx c;
	struct fx f;

	if (t_simple(&f, NULL, "    a: \"{{ b }}\"\n    b: \"{{ a }}\"\n    s: \"{{ s | default(1) }}\"\n", NULL,
	             NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ a }}", "ERR: recursive loop detected in template string: {{ b }}");
	T_EV(&c, "{{ s }}", "ERR: recursive loop detected in template string: {{ s | default(1) }}");
	/* The context is usable after the error. */
	T_EQ_INT(c.depth, 0);
	T_EV(&c, "{{ inventory_hostname }}", "h1");
	fx_free(&f);
}

static void test_hostvars(void)
{
	struct vars_ctx c;
	struct fx f;

	if (t_simple(&f, NULL, "    pv: playvar\n    ref: \"{{ pv }}\"\n", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ hostvars['h2'].hv }}", "h2val");
	T_EV(&c, "{{ hostvars.h2['hv'] }}", "h2val");
	T_EV(&c, "{{ hostvars['h2'].hvref }}", "h2val!");
	T_EV(&c, "{{ hostvars['h2'].inventory_hostname }}", "h2");
	T_EV(&c, "{{ hostvars[inventory_hostname].hv }}", "h1val");
	/* Play vars are not in hostvars, as in Ansible. */
	T_EV(&c, "{{ hostvars['h1'].pv | default('UNDEF') }}", "UNDEF");
	T_EV(&c, "{{ hostvars['nope'] is defined }}", "false");
	T_EV(&c, "{{ hostvars['h2'].nope | default('d') }}", "d");
	T_EV(&c, "{{ hostvars['h2']['group_names'] }}", "[\"g\"]");
	T_EV(&c, "{{ hostvars['web.example.com'].inventory_hostname_short }}", "web");
	T_EV(&c, "{{ hostvars | length }}", "3");
	T_EV(&c, "{{ hostvars['h2'].hostvars is defined }}", "false");
	/* Set facts and registered results of another host are visible. */
	{
		struct value *r = value_map();

		value_map_set(r, "rc", value_int(0));
		vars_register(f.run, inventory_host(f.inv, "h2"), "res", r);
		value_unref(r);
	}
	T_EV(&c, "{{ hostvars['h2'].res.rc }}", "0");
	fx_free(&f);
}

static void test_hostvars_lenient(void)
{
	struct vars_ctx c;
	struct fx f;

	if (t_simple(&f, "h1\nh2 a=\"{{ pv }}\" b=\"{{ c }}-x\" c=1 l=\"['{{ c }}', '{{ nope }}']\"\n",
	             "    pv: playvar\n", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ hostvars['h2'].a }}", "{{ pv }}");
	T_EV(&c, "{{ hostvars['h2'].b }}", "1-x");
	T_EV(&c, "{{ hostvars['h2'].l }}", "[1, \"{{ nope }}\"]");
	fx_free(&f);
}

static void test_magic(void)
{
	static const char *const run_tags[] = {"t1"};
	struct vars_opts o;
	struct vars_ctx c;
	struct value *tags = value_list();
	struct fx f;
	char *s, *want;

	memset(&o, 0, sizeof(o));
	o.check_mode = 1;
	o.limit = "h*";
	value_list_push(tags, value_str(run_tags[0]));
	o.run_tags = tags;
	if (t_simple(&f, NULL, "    x: \"{{ inventory_hostname }}\"\n", NULL, &o) != 0) {
		T_CHECK(0);
		value_unref(tags);
		return;
	}
	t_ctx(&f, &c, "web.example.com", "t1");
	T_EV(&c, "{{ inventory_hostname }} {{ inventory_hostname_short }}", "web.example.com web");
	T_EV(&c, "{{ group_names }}", "[\"web\"]");
	T_EV(&c, "{{ groups }}", "{\"all\": [\"h1\", \"h2\", \"web.example.com\"], \"ungrouped\": [], \"g\": [\"h1\", \"h2\"], "
	                         "\"web\": [\"web.example.com\"]}");
	T_EV(&c, "{{ play_hosts }} {{ ansible_play_hosts }} {{ ansible_play_batch }}",
	     "['h1', 'h2', 'web.example.com'] ['h1', 'h2', 'web.example.com'] ['h1', 'h2', 'web.example.com']");
	vars_host_set_removed(f.run, inventory_host(f.inv, "h2"), 1);
	vars_host_set_failed(f.run, inventory_host(f.inv, "h2"), 1);
	T_EV(&c, "{{ ansible_play_hosts_all }} {{ ansible_play_hosts }} {{ play_hosts }}",
	     "['h1', 'h2', 'web.example.com'] ['h1', 'web.example.com'] ['h1', 'web.example.com']");
	T_EV(&c, "{{ ansible_current_hosts }} {{ ansible_failed_hosts }}", "['h1', 'web.example.com'] ['h2']");
	vars_host_set_removed(f.run, inventory_host(f.inv, "h2"), 0);
	T_EV(&c, "{{ ansible_play_hosts }}", "[\"h1\", \"h2\", \"web.example.com\"]");
	T_EV(&c, "{{ ansible_check_mode }} {{ ansible_diff_mode }} {{ ansible_limit }} {{ ansible_run_tags }} "
	         "{{ ansible_skip_tags }} {{ ansible_forks }} {{ ansible_verbosity }}",
	     "True False h* ['t1'] [] 5 0");
	T_EV(&c, "{{ ansible_version.full }} {{ ansible_version.major }}.{{ ansible_version.minor }}", "2.14.18 2.14");
	T_EV(&c, "{{ ansible_play_name }} {{ ansible_config_file }}", "all ");
	s = realpath(t_dir, NULL);
	T_EV(&c, "{{ playbook_dir }}", s);
	free(s);
	s = t_ev(&c, "{{ omit }}");
	T_EQ_INT(strlen(s), 21 + 40);
	T_CHECK(strncmp(s, "__omit_place_holder__", 21) == 0);
	T_EQ_STR(s, vars_omit_token(f.run));
	free(s);
	/* vars holds raw values. */
	T_EV(&c, "{{ vars.x }}", "{{ inventory_hostname }}");
	T_EV(&c, "{{ vars['inventory_hostname'] }} {{ 'x' in vars }} {{ vars.nope | default(7) }}",
	     "web.example.com True 7");
	T_EV(&c, "{{ environment }}", "[]");
	T_EV(&c, "{{ role_name | default('none') }}", "none");
	want = xstrdup("true");
	T_EV(&c, "{{ vars.hostvars is defined }}", want);
	free(want);
	fx_free(&f);
	value_unref(tags);
}

static void test_role_magic(void)
{
	struct vars_ctx c;
	struct fx f;
	char *rp;

	t_fresh();
	t_write("inv", "h1\n");
	t_write("roles/dep/tasks/main.yml", "- name: dep task\n  debug: msg=x\n");
	t_write("roles/r/meta/main.yml", "dependencies: [dep]\n");
	t_write("roles/r/tasks/main.yml", "- name: r task\n  debug: msg=x\n");
	t_write("roles/imp/tasks/main.yml", "- name: imp task\n  debug: msg=x\n");
	t_write("roles/imp/defaults/main.yml", "impdef: 1\n");
	t_write("pb.yml", "- hosts: all\n  gather_facts: false\n  roles: [r]\n  tasks:\n"
	                  "    - import_role: {name: imp}\n    - name: t1\n      debug: msg=x\n");
	if (fx_load(&f, "inv", "pb.yml", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "r task");
	rp = t_path("roles/r");
	T_EV(&c, "{{ role_name }} {{ ansible_role_name }}", "r r");
	{
		char *real = realpath(rp, NULL);
		char *s = t_ev(&c, "{{ role_path }}");

		T_EQ_STR(s, real);
		free(s);
		free(real);
	}
	free(rp);
	T_EV(&c, "{{ role_names }} {{ ansible_play_role_names }}", "['r', 'imp'] ['r', 'imp']");
	T_EV(&c, "{{ ansible_dependent_role_names }} {{ ansible_role_names | sort }}", "['dep'] ['dep', 'imp', 'r']");
	/* An import_role's defaults are visible play-wide. */
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ impdef }} {{ role_name | default('-') }}", "1 -");
	t_ctx(&f, &c, "h1", "dep task");
	T_EV(&c, "{{ role_name }}", "dep");
	fx_free(&f);
}

static void test_extra_and_magic_order(void)
{
	struct vars_ctx c;
	struct fx f;

	if (t_simple(&f, NULL, "    x: play\n", "{x: extra, playbook_dir: /nowhere, inventory_hostname: eh, omit: o}",
	             NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ x }}", "extra");
	/* Magic variables beat -e; inventory_hostname is not magic. */
	T_EV(&c, "{{ playbook_dir == '/nowhere' }} {{ inventory_hostname }} {{ omit == 'o' }}", "False eh False");
	fx_free(&f);
}

static void test_facts(void)
{
	struct vars_ctx c;
	struct value *facts = NULL;
	struct diag d;
	struct fx f;

	if (t_simple(&f, NULL, "    ansible_distribution: playwins\n", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	diag_init(&d);
	yaml_load("{ansible_distribution: Debian, ansible_host: evil, ansible_local: {a: 1}, "
	          "ansible_ssh_host_key_rsa_public: K, ansible_python_interpreter: /x, discovered: \"{{ nope }}\", "
	          "module_setup: true, nested: {_ansible_no_log: 1, k: v}}",
	          strlen("{ansible_distribution: Debian, ansible_host: evil, ansible_local: {a: 1}, "
	                 "ansible_ssh_host_key_rsa_public: K, ansible_python_interpreter: /x, discovered: \"{{ nope }}\", "
	                 "module_setup: true, nested: {_ansible_no_log: 1, k: v}}"),
	          "facts", &facts, &d);
	diag_fini(&d);
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ ansible_facts }}", "{}");
	vars_set_facts(f.run, inventory_host(f.inv, "h1"), facts, VARS_UNSAFE);
	value_unref(facts);
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ ansible_facts.distribution }} {{ ansible_facts['host'] }} {{ ansible_local.a }}", "Debian evil 1");
	/* Play vars beat injected facts. */
	T_EV(&c, "{{ ansible_distribution }}", "playwins");
	T_EV(&c, "{{ ansible_host | default('removed') }} {{ ansible_ssh_host_key_rsa_public }}", "removed K");
	T_EV(&c, "{{ ansible_python_interpreter | default('removed') }}", "removed");
	T_EV(&c, "{{ discovered }}", "{{ nope }}");
	T_EV(&c, "{{ nested }}", "{\"k\": \"v\"}");
	T_EV(&c, "{{ ansible_facts.nested }}", "{\"_ansible_no_log\": 1, \"k\": \"v\"}");
	/* The other host has none. */
	t_ctx(&f, &c, "h2", "t1");
	T_EV(&c, "{{ ansible_facts }} {{ hostvars['h1'].ansible_facts.distribution }}", "{} Debian");
	vars_clear_facts(f.run, inventory_host(f.inv, "h1"));
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "{{ ansible_facts }}", "{}");
	fx_free(&f);
}

static void test_register_set_fact(void)
{
	struct vars_ctx c;
	struct value *r = value_map(), *sf = value_map(), *out = value_map();
	struct fx f;

	if (t_simple(&f, NULL, "    c: 5\n", NULL, NULL) != 0) {
		T_CHECK(0);
		goto out;
	}
	value_map_set(out, "stdout", value_str("{{ c }}"));
	value_map_set(r, "rc", value_int(0));
	value_map_set(r, "nested", value_ref(out));
	vars_register(f.run, inventory_host(f.inv, "h1"), "res", r);
	value_map_set(sf, "viaset", value_str("{{ c }}"));
	vars_set_fact(f.run, inventory_host(f.inv, "h1"), sf, 0);
	t_ctx(&f, &c, "h1", "t1");
	/* Registered results are unsafe; set_fact values are templated again. */
	T_EV(&c, "{{ res.nested.stdout }}", "{{ c }}");
	T_EV(&c, "{{ viaset }}", "5");
	/* The caller's value was not modified. */
	T_CHECK(!(value_map_get(out, "stdout")->flags & VALUE_F_UNSAFE));
	vars_set_failed(f.run, inventory_host(f.inv, "h1"), sf, r);
	T_EV(&c, "{{ ansible_failed_result.rc }} {{ ansible_failed_task.viaset }}", "0 {{ c }}");
	fx_free(&f);
out:
	value_unref(r);
	value_unref(sf);
	value_unref(out);
}

static void test_loop_locals(void)
{
	struct vars_ctx c;
	struct value *items = value_list(), *loc;
	struct fx f;

	value_list_push(items, value_str("a"));
	value_list_push(items, value_str("{{ c }}"));
	value_list_push(items, value_str("z"));
	if (t_simple(&f, NULL, "    c: 5\n", "{item: extra, idx: 9}", NULL) != 0) {
		T_CHECK(0);
		value_unref(items);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	loc = vars_loop_locals("item", value_list_at(items, 1), "idx", 1, items, 1, 0);
	c.locals = loc;
	T_EV(&c, "{{ item }} {{ idx }} {{ ansible_loop_var }} {{ ansible_index_var }}", "5 1 item idx");
	T_EV(&c, "{{ ansible_loop.index }} {{ ansible_loop.first }} {{ ansible_loop.last }} {{ ansible_loop.length }} "
	         "{{ ansible_loop.revindex0 }} {{ ansible_loop.previtem }} {{ ansible_loop.nextitem }} "
	         "{{ ansible_loop.allitems is defined }}",
	     "2 False False 3 1 a z False");
	value_unref(loc);
	c.locals = NULL;
	T_EV(&c, "{{ item }}", "extra");
	fx_free(&f);
	value_unref(items);
}

static void test_vars_files(void)
{
	struct vars_ctx c;
	struct diag d;
	struct fx f;
	int r;

	t_fresh();
	t_write("inv", "h1 which=b\nh2 which=nope\n");
	t_write("vars/a.yml", "fa: from_vars_dir\n");
	t_write("b.yml", "- fb: from_b\n- fb2: second\n");
	t_write("empty.yml", "");
	t_write("pb.yml", "- hosts: all\n  gather_facts: false\n  vars:\n    pv: pvv\n    fb: play\n"
	                  "  vars_files:\n    - a.yml\n    - [\"{{ which }}.yml\", \"{{ 'c' }}.yml\"]\n    - empty.yml\n"
	                  "    - \"{{ undefined_name }}.yml\"\n  tasks:\n    - name: t1\n      debug: msg=x\n");
	if (fx_load(&f, "inv", "pb.yml", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	diag_init(&d);
	r = vars_ctx_init(&c, f.run, inventory_host(f.inv, "h1"), f.play, fx_task(&f, "t1"), NULL, &d);
	T_EQ_INT(r, 0);
	T_EV(&c, "{{ fa }} {{ fb }} {{ fb2 }} {{ pv }}", "from_vars_dir from_b second pvv");
	diag_fini(&d);
	diag_init(&d);
	r = vars_ctx_init(&c, f.run, inventory_host(f.inv, "h2"), f.play, fx_task(&f, "t1"), NULL, &d);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(d.msg, "vars file ['{{ which }}.yml', \"{{ 'c' }}.yml\"] was not found\n"
	                "Could not find file on the Ansible Controller.\n"
	                "If you are using a module and expect the file to exist on the remote, see the remote_src "
	                "option");
	diag_fini(&d);
	/* Once facts say setup ran, an undefined name is an error. */
	{
		struct value *fm = value_map();

		value_map_set(fm, "module_setup", value_bool(1));
		vars_set_facts(f.run, inventory_host(f.inv, "h1"), fm, 0);
		value_unref(fm);
	}
	diag_init(&d);
	r = vars_ctx_init(&c, f.run, inventory_host(f.inv, "h1"), f.play, fx_task(&f, "t1"), NULL, &d);
	T_EQ_INT(r, ERR_NOTFOUND);
	T_EQ_STR(d.msg, "an undefined variable was found when attempting to template the vars_files item "
	                "'{{ undefined_name }}.yml'");
	diag_fini(&d);
	fx_free(&f);
}

static void test_vars_all(void)
{
	struct vars_ctx c;
	struct value *all = NULL;
	struct diag d;
	struct fx f;

	if (t_simple(&f, NULL, "    a: \"{{ b }}\"\n    b: 2\n    e: \"{{ nope }}\"\n", "{x: 1}", NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	diag_init(&d);
	T_EQ_INT(vars_all(&c, 0, &all, &d), 0);
	T_EQ_STR(value_cstr(value_map_get(all, "a")), "{{ b }}");
	T_CHECK(value_map_get(all, "x") != NULL && value_map_get(all, "groups") != NULL &&
	        value_map_get(all, "inventory_hostname") != NULL && value_map_get(all, "hostvars") == NULL &&
	        value_map_get(all, "omit") != NULL && value_map_get(all, "ansible_facts") != NULL);
	value_unref(all);
	T_EQ_INT(vars_all(&c, VARS_ALL_TEMPLATE, &all, &d), 0);
	T_CHECK(all != NULL && value_map_get(all, "a")->type == VALUE_INT);
	T_EQ_STR(value_cstr(value_map_get(all, "e")), "{{ nope }}");
	value_unref(all);
	diag_fini(&d);
	T_EV(&c, "{{ hostvars['h2'] | length > 10 }}", "true");
	T_EV(&c, "{{ hostvars['h2'].hvref }}", "h2val!");
	fx_free(&f);
}

/* group_vars/ and host_vars/ beside the playbook interleave with the
 * inventory's as in Ansible (checked with ansible-playbook 2.14). */
static void test_play_adjacent(void)
{
	struct vars_ctx c;
	struct fx f;

	t_fresh();
	t_write("inv/hosts", "[all:vars]\na=inv_inline_all\n[g]\nh1 c=inv_inline_host e=inv_inline_host\n"
	                     "[g:vars]\nb=inv_inline_g\nd=inv_inline_g\n");
	t_write("inv/group_vars/all.yml", "a: inv_gv_all\nb: inv_gv_all\n");
	t_write("inv/group_vars/g.yml", "d: inv_gv_g\n");
	t_write("inv/host_vars/h1.yml", "f: inv_hv\n");
	t_write("pb/group_vars/all.yml", "a: pb_gv_all\nb: pb_gv_all\nc: pb_gv_all\nd: pb_gv_all\ne: pb_gv_all\n"
	                                 "f: pb_gv_all\ng: pb_gv_all\n");
	t_write("pb/group_vars/g.yml", "c: pb_gv_g\nd: pb_gv_g\ne: pb_gv_g\nf: pb_gv_g\ng: pb_gv_g\n");
	t_write("pb/host_vars/h1.yml", "e: pb_hv\nf: pb_hv\n");
	t_write("pb/pb.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: t1\n      debug: msg=x\n");
	if (fx_load(&f, "inv/hosts", "pb/pb.yml", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	t_ctx(&f, &c, "h1", "t1");
	T_EV(&c, "a={{ a }} b={{ b }} c={{ c }} d={{ d }} e={{ e }} f={{ f }} g={{ g }}",
	     "a=pb_gv_all b=pb_gv_all c=inv_inline_host d=pb_gv_g e=pb_hv f=pb_hv g=pb_gv_g");
	fx_free(&f);
	/* A broken file there fails every context of the play. */
	t_write("pb/group_vars/all.yml", "a: [\n");
	t_write("pb/pb.yml", "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: t1\n      debug: msg=x\n");
	if (fx_load(&f, "inv/hosts", "pb/pb.yml", NULL, NULL) != 0) {
		T_CHECK(0);
		return;
	}
	{
		struct diag d;

		diag_init(&d);
		T_EQ_INT(vars_ctx_init(&c, f.run, inventory_host(f.inv, "h1"), f.play, NULL, NULL, &d), ERR_PARSE);
		T_CHECK(d.file != NULL && strstr(d.file, "group_vars/all.yml") != NULL);
		diag_fini(&d);
	}
	fx_free(&f);
}

int main(void)
{
	T_RUN(test_precedence);
	T_RUN(test_lazy);
	T_RUN(test_recursion);
	T_RUN(test_hostvars);
	T_RUN(test_hostvars_lenient);
	T_RUN(test_magic);
	T_RUN(test_role_magic);
	T_RUN(test_extra_and_magic_order);
	T_RUN(test_facts);
	T_RUN(test_register_set_fact);
	T_RUN(test_loop_locals);
	T_RUN(test_vars_files);
	T_RUN(test_vars_all);
	T_RUN(test_play_adjacent);
	t_clean();
	return T_DONE();
}
