/* Unit tests for the playbook model: the forms of actions and arguments,
 * keyword storage and inheritance, blocks, roles and their cache, imports,
 * run-time includes, tags and keyword conversions. */
#define _XOPEN_SOURCE 700
#include "base/buf.h"
#include "playbook/modreg.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_tags.h"
#include "pb_test.h"

static void test_action_forms(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_block *b;
	struct pb_task *t;

	t_fresh();
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  tasks:\n"
	        "    - command: echo hi creates=/x chdir=/tmp\n"              /* 0 */
	        "    - file: path=/x state=touch\n"                           /* 1 */
	        "    - shell: echo a\n"                                       /* 2 */
	        "      args: {chdir: /a, executable: /bin/sh}\n"
	        "    - ansible.builtin.copy: {content: x, dest: /y}\n"        /* 3 */
	        "    - action: debug msg=\"old style\"\n"                     /* 4 */
	        "    - action: {module: command echo z, chdir: /c}\n"         /* 5 */
	        "    - local_action: command echo local\n"                    /* 6 */
	        "    - command: {cmd: echo c}\n"                              /* 7 */
	        "    - debug: \"{{ params }}\"\n"                             /* 8 */
	        "    - file: path=/x\n"                                       /* 9 */
	        "      args: {path: /lower, mode: '0644'}\n"
	        "    - ping:\n"                                               /* 10 */
	        "    - meta: flush_handlers\n"                                /* 11 */
	        "    - ansible.legacy.debug: msg=x\n"                         /* 12 */
	        "    - copy: src=a dest=b\n"                                  /* 13 */
	        "      args: \"{{ more }}\"\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	T_EQ_INT(play->ntasks, 1);
	b = play->tasks[0];
	T_EQ_INT(b->nblock, 14);
	T_CHECK(b->flags & PB_BLOCK_IMPLICIT);
	t = t_task(b, 0);
	T_EQ_STR(t->action, "command");
	T_CHECK(t->mod != NULL && t->mod->where == MOD_WORKER);
	t_eq_json(t->args, "{\"creates\": \"/x\", \"chdir\": \"/tmp\", \"_raw_params\": \"echo hi\"}");
	/* Free-form words keep their place in the file. */
	T_EQ_INT(value_map_get(t->args, "creates")->pos.line, 3);
	T_EQ_INT(value_map_get(t->args, "creates")->pos.col, 24);
	T_EQ_STR(pb_task_name(t), "command");
	t_eq_json(t_task(b, 1)->args, "{\"path\": \"/x\", \"state\": \"touch\"}");
	t_eq_json(t_task(b, 2)->args, "{\"chdir\": \"/a\", \"executable\": \"/bin/sh\", \"_raw_params\": \"echo a\"}");
	t = t_task(b, 3);
	T_EQ_STR(t->action, "ansible.builtin.copy");
	T_EQ_STR(t->module, "copy");
	t_eq_json(t->args, "{\"content\": \"x\", \"dest\": \"/y\"}");
	t = t_task(b, 4);
	T_EQ_STR(t->action, "debug");
	T_CHECK(t->mod != NULL && t->mod->where == MOD_CONTROLLER);
	t_eq_json(t->args, "{\"msg\": \"old style\"}");
	t = t_task(b, 5);
	T_EQ_STR(t->action, "command");
	t_eq_json(t->args, "{\"chdir\": \"/c\", \"_raw_params\": \"echo z\"}");
	t = t_task(b, 6);
	T_EQ_STR(t->action, "command");
	t_eq_json(t->obj.kw[PB_KW_DELEGATE_TO], "\"localhost\"");
	t_eq_json(t_task(b, 7)->args, "{\"_raw_params\": \"echo c\"}");
	t_eq_json(t_task(b, 8)->args, "{\"_variable_params\": \"{{ params }}\"}");
	/* Inline arguments win over args:, as in Ansible. */
	t_eq_json(t_task(b, 9)->args, "{\"path\": \"/x\", \"mode\": \"0644\"}");
	t_eq_json(t_task(b, 10)->args, "{}");
	t = t_task(b, 11);
	T_EQ_INT(t->type, PB_TASK_META);
	t_eq_json(t->args, "{\"_raw_params\": \"flush_handlers\"}");
	T_EQ_STR(t_task(b, 12)->module, "debug");
	t_eq_json(t_task(b, 13)->args, "{\"_variable_params\": \"{{ more }}\", \"src\": \"a\", \"dest\": \"b\"}");
	playbook_free(pb);
}

static void test_keywords(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_task *t;

	t_fresh();
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  tasks:\n"
	        "    - name: k\n"
	        "      debug: msg={{ item }}\n"
	        "      with_items: [1, 2]\n"
	        "      when: x is defined\n"
	        "      tags: \"a, b ,c\"\n"
	        "      vars: [{a: 1, b: 1}, {b: 2}]\n"
	        "      notify: h\n"
	        "      changed_when: false\n"
	        "      register: out\n"
	        "      until: out is success\n"
	        "      retries: 2\n"
	        "      delay: 0\n"
	        "      async_val: 3\n"
	        "      loop_control: {label: x}\n"
	        "      become: yes\n"
	        "      debugger: never\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	t = t_task(play->tasks[0], 0);
	T_EQ_STR(t->loop_with, "items");
	t_eq_json(t->obj.kw[PB_KW_LOOP], "[1, 2]");
	t_eq_json(t->obj.kw[PB_KW_WHEN], "[\"x is defined\"]");
	t_eq_json(t->obj.kw[PB_KW_TAGS], "[\"a\", \"b\", \"c\"]");
	t_eq_json(t->obj.kw[PB_KW_VARS], "{\"a\": 1, \"b\": 2}");
	t_eq_json(t->obj.kw[PB_KW_NOTIFY], "\"h\"");
	t_eq_json(t->obj.kw[PB_KW_CHANGED_WHEN], "[false]");
	t_eq_json(t->obj.kw[PB_KW_UNTIL], "[\"out is success\"]");
	t_eq_json(t->obj.kw[PB_KW_ASYNC], "3");
	t_eq_json(t->obj.kw[PB_KW_REGISTER], "\"out\"");
	T_EQ_INT(t->obj.kw[PB_KW_WHEN]->pos.line, 6);
	T_EQ_INT(t->obj.kw[PB_KW_WHEN]->pos.col, 13);
	T_EQ_STR(pb_task_name(t), "k");
	playbook_free(pb);
}

static void t_kw_eq(const struct pb_obj *o, enum pb_kw k, const char *want)
{
	struct value *v = pb_obj_kw(o, k);

	if (want == NULL) {
		T_CHECK(v == NULL);
	} else {
		t_eq_json(v, want);
	}
	value_unref(v);
}

static void test_inheritance(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_block *outer, *inner;
	struct pb_task *t;

	t_fresh();
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  become: true\n"
	        "  become_user: play\n"
	        "  tags: [p]\n"
	        "  environment: {A: play}\n"
	        "  tasks:\n"
	        "    - block:\n"
	        "        - block:\n"
	        "            - name: deep\n"
	        "              debug: msg=x\n"
	        "              when: task\n"
	        "              tags: [t]\n"
	        "              environment: {A: task}\n"
	        "          when: inner\n"
	        "          tags: [i]\n"
	        "          become_user: inner\n"
	        "      when: outer\n"
	        "      tags: [o]\n"
	        "      remote_user: outer\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	T_EQ_INT(play->ntasks, 1);
	outer = play->tasks[0];
	T_CHECK(!(outer->flags & PB_BLOCK_IMPLICIT));
	inner = pb_obj_block(outer->block[0]);
	t = inner != NULL ? t_task(inner, 0) : NULL;
	T_CHECK(t != NULL);
	if (t != NULL) {
		t_kw_eq(&t->obj, PB_KW_BECOME, "true");
		t_kw_eq(&t->obj, PB_KW_BECOME_USER, "\"inner\"");
		t_kw_eq(&t->obj, PB_KW_REMOTE_USER, "\"outer\"");
		t_kw_eq(&t->obj, PB_KW_CONNECTION, NULL);
		/* when: outermost first; tags: own first; environment: play first. */
		t_kw_eq(&t->obj, PB_KW_WHEN, "[\"outer\", \"inner\", \"task\"]");
		t_kw_eq(&t->obj, PB_KW_TAGS, "[\"t\", \"i\", \"o\", \"p\"]");
		t_kw_eq(&t->obj, PB_KW_ENVIRONMENT, "[{\"A\": \"play\"}, {\"A\": \"task\"}]");
		t_kw_eq(&t->obj, PB_KW_NAME, "\"deep\"");
		t_kw_eq(&inner->obj, PB_KW_WHEN, "[\"outer\", \"inner\"]");
		t_kw_eq(&play->obj, PB_KW_BECOME_USER, "\"play\"");
	}
	playbook_free(pb);
}

static void test_inheritance_imports(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_block *b, *ib;
	struct pb_task *it, *inc, *t;
	struct pb_block **blocks = NULL;
	struct value *vars;
	size_t n = 0;
	struct diag d;
	char *path;

	t_fresh();
	t_write("inc.yml", "- name: imported\n  debug: msg=i\n  tags: [own]\n");
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  become: true\n"
	        "  tasks:\n"
	        "    - import_tasks: inc.yml\n"
	        "      when: imp\n"
	        "      tags: [imp]\n"
	        "      become: false\n"
	        "      vars: {v: 1}\n"
	        "    - include_tasks:\n"
	        "        file: inc.yml\n"
	        "        apply: {become_user: applied}\n"
	        "      when: dyn\n"
	        "      tags: [dyn]\n"
	        "      vars: {w: 2}\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	T_EQ_INT(play->ntasks, 1);
	b = play->tasks[0];
	T_EQ_INT(b->nblock, 2);
	ib = pb_obj_block(b->block[0]);
	T_CHECK(ib != NULL && (ib->flags & PB_BLOCK_IMPLICIT));
	if (ib == NULL)
		goto out;
	it = t_task(ib, 0);
	T_EQ_STR(pb_task_name(it), "imported");
	T_CHECK(ib->parent != NULL && pb_obj_task(ib->parent)->type == PB_TASK_IMPORT_TASKS);
	path = t_path("inc.yml");
	T_EQ_STR(pb_obj_task(ib->parent)->import_path, path);
	free(path);
	t_kw_eq(&it->obj, PB_KW_BECOME, "false");
	t_kw_eq(&it->obj, PB_KW_WHEN, "[\"imp\"]");
	t_kw_eq(&it->obj, PB_KW_TAGS, "[\"own\", \"imp\"]");
	vars = pb_task_vars(it);
	t_eq_json(vars, "{\"v\": 1}");
	value_unref(vars);
	/* The dynamic include stays a task. */
	inc = t_task(b, 1);
	T_CHECK(inc != NULL && inc->type == PB_TASK_INCLUDE_TASKS);
	if (inc == NULL)
		goto out;
	t_eq_json(inc->args, "{\"apply\": {\"become_user\": \"applied\"}, \"_raw_params\": \"inc.yml\"}");
	t_kw_eq(&inc->obj, PB_KW_WHEN, "[\"dyn\"]");
	path = pb_include_path(inc, "inc.yml");
	{
		char *want = t_path("inc.yml");

		T_EQ_STR(path, want);
		free(want);
	}
	diag_init(&d);
	vars = value_map();
	value_map_set(vars, "item", value_str("x"));
	T_EQ_INT(pb_include_tasks(pb, inc, path, vars, &blocks, &n, &d), 0);
	value_unref(vars);
	free(path);
	T_EQ_INT(n, 1);
	if (n == 1) {
		t = t_task(blocks[0], 0);
		T_EQ_STR(pb_task_name(t), "imported");
		/* The include's own keywords stop at the include; apply: and its
		 * vars pass. */
		t_kw_eq(&t->obj, PB_KW_BECOME, "true");
		t_kw_eq(&t->obj, PB_KW_BECOME_USER, "\"applied\"");
		t_kw_eq(&t->obj, PB_KW_WHEN, NULL);
		t_kw_eq(&t->obj, PB_KW_TAGS, "[\"own\"]");
		vars = pb_task_vars(t);
		t_eq_json(vars, "{\"w\": 2, \"item\": \"x\"}");
		value_unref(vars);
		vars = pb_task_include_params(t);
		t_eq_json(vars, "{\"w\": 2, \"item\": \"x\"}");
		value_unref(vars);
	}
	free(blocks);
	T_EQ_INT(pb_include_tasks(pb, inc, "/nonexistent/x.yml", NULL, &blocks, &n, &d), ERR_NOTFOUND);
	diag_fini(&d);
out:
	playbook_free(pb);
}

static void test_blocks(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_block *b;

	t_fresh();
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  tasks:\n"
	        "    - debug: msg=1\n"
	        "    - debug: msg=2\n"
	        "    -\n"
	        "    - debug: msg=3\n"
	        "    - block: [{debug: msg=4}]\n"
	        "      rescue: [{debug: msg=5}, {debug: msg=6}]\n"
	        "      always: [{debug: msg=7}]\n"
	        "    - debug: msg=8\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	/* Bare tasks share implicit blocks; a null entry ends one. */
	T_EQ_INT(play->ntasks, 4);
	if (play->ntasks == 4) {
		T_EQ_INT(play->tasks[0]->nblock, 2);
		T_EQ_INT(play->tasks[1]->nblock, 1);
		b = play->tasks[2];
		T_CHECK(!(b->flags & PB_BLOCK_IMPLICIT));
		T_EQ_INT(b->nblock, 1);
		T_EQ_INT(b->nrescue, 2);
		T_EQ_INT(b->nalways, 1);
		T_EQ_INT(b->obj.pos.line, 7);
		T_EQ_INT(b->obj.pos.col, 7);
		T_EQ_INT(play->tasks[3]->nblock, 1);
	}
	playbook_free(pb);
}

static const char *t_task_names(struct pb_block *const *blocks, size_t n, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < blocks[i]->nblock; j++) {
			const struct pb_task *t = pb_obj_task(blocks[i]->block[j]);

			if (t != NULL)
				buf_printf(out, "%s|", pb_task_name(t));
			else
				t_task_names((struct pb_block *const *)&blocks[i]->block[j], 1, out);
		}
	}
	return buf_str(out);
}

static void test_roles(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_block **hb = NULL, **blocks = NULL;
	struct pb_role *web, *common = NULL;
	struct pb_role *const *chain;
	size_t nh = 0, n = 0, nchain, i;
	struct value *v;
	struct buf b;

	t_fresh();
	t_write("roles/common/tasks/main.yml", "- name: common task\n  debug: msg=c\n");
	t_write("roles/common/handlers/main.yml", "- name: common handler\n  debug: msg=h\n");
	t_write("roles/common/defaults/main.yml", "port: 1\nname: common\n");
	t_write("roles/common/vars/main.yml", "cv: 1\n");
	t_write("roles/web/meta/main.yml", "dependencies:\n  - role: common\n    p: 1\n    tags: dep\n");
	t_write("roles/web/defaults/main.yml", "port: 2\n");
	t_write("roles/web/vars/main/a.yml", "wa: 1\n");
	t_write("roles/web/vars/main/b.yml", "wb: 1\nwa: 2\n");
	t_write("roles/web/tasks/main.yml", "- name: web task\n  debug: msg=w\n");
	t_write("roles/web/tasks/other.yaml", "- name: other task\n  ping:\n");
	t_write("roles/web/handlers/main.yml", "- name: web handler\n  debug: msg=h\n");
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  roles:\n"
	        "    - web\n"
	        "    - {role: common, p: 1, tags: dep}\n"
	        "    - role: common\n"
	        "      become: true\n"
	        "  tasks:\n"
	        "    - import_role: name=web tasks_from=other\n"
	        "  handlers:\n"
	        "    - name: play handler\n"
	        "      debug: msg=p\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	T_EQ_INT(play->nroles, 3);
	if (play->nroles != 3)
		goto out;
	web = play->roles[0];
	T_EQ_STR(web->name, "web");
	T_EQ_INT(web->ndeps, 1);
	/* The dependency and the second roles: entry have the same name and
	 * params: one instance. The third has different keywords. */
	if (web->ndeps == 1) {
		common = web->deps[0];
		T_CHECK(play->roles[1] == common);
		T_CHECK(play->roles[2] != common);
		t_eq_json(common->params, "{\"p\": 1}");
		/* web and the web of import_role both depend on it. */
		T_EQ_INT(common->nparents, 2);
	}
	t_eq_json(web->role_vars, "{\"wa\": 2, \"wb\": 1}");
	t_eq_json(web->default_vars, "{\"port\": 2}");
	buf_init(&b, 0);
	T_EQ_STR(t_task_names(play->role_blocks, play->nrole_blocks, &b),
	         "common : common task|common : meta|web : web task|web : meta|common : common task|common : meta|"
	         "common : common task|common : meta|");
	buf_reset(&b);
	/* Each expansion knows its chain: the dependency's tasks run below web. */
	chain = pb_task_dep_chain(t_task(play->role_blocks[0], 0), &nchain);
	T_EQ_INT(nchain, 2);
	if (nchain == 2) {
		T_CHECK(chain[0] == web);
		T_CHECK(chain[1] == common);
	}
	t_kw_eq(&t_task(play->role_blocks[0], 0)->obj, PB_KW_TAGS, "[\"dep\"]");
	t_kw_eq(&t_task(play->role_blocks[6], 0)->obj, PB_KW_BECOME, "true");
	T_CHECK(t_task(play->role_blocks[1], 0)->flags & PB_TASK_IMPLICIT);
	if (common != NULL) {
		v = pb_role_vars(common, chain, nchain, 1, 0);
		t_eq_json(v, "{\"wa\": 2, \"wb\": 1, \"cv\": 1, \"p\": 1}");
		value_unref(v);
		v = pb_role_default_vars(web, NULL, 0, 0);
		t_eq_json(v, "{\"port\": 2, \"name\": \"common\"}");
		value_unref(v);
	}
	/* import_role expanded in place with its tasks_from file. */
	T_EQ_INT(play->ntasks, 1);
	T_EQ_STR(t_task_names(play->tasks, play->ntasks, &b),
	         "common : common task|common : meta|web : other task|web : meta|");
	buf_reset(&b);
	/* Handlers: roles' (dependencies first, each instance once), the
	 * play's, then import_role's. */
	pb_play_handlers(play, &hb, &nh);
	T_EQ_STR(t_task_names(hb, nh, &b), "common : common handler|web : web handler|common : common handler|"
	                                   "play handler|web : web handler|");
	buf_reset(&b);
	free(hb);
	pb_play_compile(play, 0, &blocks, &n);
	T_EQ_INT(n, play->npre_tasks + play->nrole_blocks + play->ntasks + play->npost_tasks + 3);
	for (i = 0; i < n; i++)
		T_CHECK(blocks[i] != NULL);
	free(blocks);
	pb_play_compile(play, 1, &blocks, &n);
	T_EQ_INT(n, 3);
	if (n == 3) {
		T_EQ_INT(blocks[0]->nblock, 1);
		T_EQ_INT(blocks[0]->nalways, 1);
		T_EQ_INT(pb_obj_task(blocks[0]->block[0])->type, PB_TASK_META);
	}
	free(blocks);
	buf_fini(&b);
out:
	playbook_free(pb);
}

static void test_argument_specs(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_task *t;
	struct buf b;

	t_fresh();
	t_write("roles/a/meta/main.yml",
	        "argument_specs:\n  main:\n    short_description: Main\n    options: {x: {type: str}}\n");
	t_write("roles/a/tasks/main.yml", "- name: a main\n  debug: msg=a\n");
	t_write("roles/a/tasks/other.yml", "- name: a other\n  debug: msg=o\n");
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  roles:\n"
	        "    - {role: a, x: given}\n"
	        "  tasks:\n"
	        "    - import_role: name=a tasks_from=other\n"
	        "    - import_role: name=a rolespec_validate=false\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	buf_init(&b, 0);
	/* The spec of the entry point adds a first task tagged always; other
	 * entry points without a spec and rolespec_validate=false add none. */
	T_EQ_STR(t_task_names(play->role_blocks, play->nrole_blocks, &b),
	         "a : Validating arguments against arg spec 'main' - Main|a : a main|a : meta|");
	buf_reset(&b);
	T_EQ_STR(t_task_names(play->tasks, play->ntasks, &b), "a : a other|a : meta|a : a main|a : meta|");
	t = t_task(play->role_blocks[0], 0);
	T_EQ_STR(t->module, "validate_argument_spec");
	T_CHECK(t->mod != NULL && t->mod->where == MOD_CONTROLLER);
	t_eq_json(t->obj.kw[PB_KW_TAGS], "[\"always\"]");
	t_eq_json(value_map_get(t->args, "provided_arguments"), "{\"x\": \"given\"}");
	t_eq_json(value_map_get(t->args, "argument_spec"), "{\"x\": {\"type\": \"str\"}}");
	buf_fini(&b);
	playbook_free(pb);
}

static void test_include_role(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	struct pb_task *inc;
	struct pb_block **blocks = NULL, **handlers = NULL;
	struct pb_role *r = NULL;
	size_t n = 0, nh = 0;
	struct value *from;
	struct diag d;
	struct buf b;

	t_fresh();
	t_write("roles/x/tasks/main.yml", "- name: x main\n  debug: msg=m\n");
	t_write("roles/x/tasks/alt.yml", "- name: x alt\n  debug: msg=a\n");
	t_write("roles/x/handlers/main.yml", "- name: x handler\n  debug: msg=h\n");
	t_write("pb.yml",
	        "- hosts: all\n"
	        "  tasks:\n"
	        "    - include_role:\n"
	        "        name: x\n"
	        "        apply: {tags: [applied]}\n"
	        "      vars: {iv: 1}\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	play = t_play(pb, 0);
	inc = t_task(play->tasks[0], 0);
	T_EQ_INT(inc->type, PB_TASK_INCLUDE_ROLE);
	T_EQ_STR(pb_task_name(inc), "include_role");
	from = value_map();
	value_map_set(from, "tasks", value_str("sub/alt.yml"));
	diag_init(&d);
	T_EQ_INT(pb_include_role(pb, inc, "x", from, &r, &blocks, &n, &handlers, &nh, &d), 0);
	value_unref(from);
	buf_init(&b, 0);
	T_EQ_STR(t_task_names(blocks, n, &b), "x : x alt|x : meta|");
	buf_reset(&b);
	T_EQ_STR(t_task_names(handlers, nh, &b), "x : x handler|");
	T_CHECK(r != NULL && r->allow_duplicates && r->from_include);
	if (n > 0)
		t_kw_eq(&t_task(blocks[0], 0)->obj, PB_KW_TAGS, "[\"applied\"]");
	free(blocks);
	free(handlers);
	T_EQ_INT(pb_include_role(pb, inc, "nope", NULL, &r, &blocks, &n, &handlers, &nh, &d), ERR_NOTFOUND);
	diag_fini(&d);
	buf_fini(&b);
	playbook_free(pb);
}

static void test_import_playbook(void)
{
	struct pb_playbook *pb;
	struct pb_play *play;
	size_t n;

	t_fresh();
	t_write("sub/inner.yml", "- name: inner\n  hosts: db\n  vars: {a: play, b: play}\n  tasks:\n    - debug: msg=x\n");
	t_write("pb.yml",
	        "- hosts: web\n"
	        "  tasks: []\n"
	        "- import_playbook: sub/inner.yml\n"
	        "  vars: {a: import, tags: 'x,y'}\n"
	        "  tags: [t]\n"
	        "  when: cond\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	playbook_plays(pb, &n);
	T_EQ_INT(n, 2);
	play = t_play(pb, 1);
	T_EQ_STR(pb_play_name(play), "inner");
	T_EQ_STR(pb_play_name(t_play(pb, 0)), "web");
	T_EQ_INT(play->index, 1);
	t_eq_json(play->obj.kw[PB_KW_VARS], "{\"a\": \"import\", \"b\": \"play\"}");
	/* A tags var extends only a tag list the play already has. */
	t_eq_json(play->obj.kw[PB_KW_TAGS], "[\"t\"]");
	t_eq_json(play->included_when, "[\"cond\"]");
	t_eq_json(play->tasks[0]->obj.kw[PB_KW_WHEN], "[\"cond\"]");
	{
		char *dir = t_path("sub");

		T_EQ_STR(play->basedir, dir);
		free(dir);
	}
	playbook_free(pb);
}

static void test_tags(void)
{
	static const struct {
		const char *tags, *only, *skip;
		int run;
	} cases[] = {
		{"[]", "[]", "[]", 1},
		{"[\"never\"]", "[]", "[]", 0},
		{"[\"never\", \"x\"]", "[\"x\"]", "[]", 1},
		{"[\"always\"]", "[\"x\"]", "[]", 1},
		{"[\"always\"]", "[]", "[\"always\"]", 0},
		{"[\"always\"]", "[]", "[\"all\"]", 1},
		{"[\"always\", \"x\"]", "[]", "[\"x\"]", 0},
		{"[\"a\"]", "[\"tagged\"]", "[]", 1},
		{"[]", "[\"tagged\"]", "[]", 0},
		{"[]", "[\"untagged\"]", "[]", 1},
		{"[\"a\"]", "[\"untagged\"]", "[]", 0},
		{"[\"a\"]", "[]", "[\"tagged\"]", 0},
		{"[]", "[]", "[\"tagged\"]", 1},
		{"[\"a\"]", "[\"b\"]", "[]", 0},
		{"[\"a\", \"b\"]", "[\"b\"]", "[\"a\"]", 0},
		{"[[\"a\", \"b\"]]", "[\"b\"]", "[]", 1},
		{"[\"never\"]", "[\"all\"]", "[]", 0},
		{"[\"never\"]", "[\"tagged\"]", "[]", 0},
		{"[1]", "[\"1\"]", "[]", 0},
	};
	struct value *only = value_list();
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct value *tags, *o, *s;

		json_decode(cases[i].tags, strlen(cases[i].tags), NULL, &tags, NULL);
		json_decode(cases[i].only, strlen(cases[i].only), NULL, &o, NULL);
		json_decode(cases[i].skip, strlen(cases[i].skip), NULL, &s, NULL);
		if (pb_tags_should_run(tags, o, s) != cases[i].run) {
			printf("#   tags %s only %s skip %s: expected %d\n", cases[i].tags, cases[i].only, cases[i].skip,
			       cases[i].run);
			T_CHECK(0);
		}
		value_unref(tags);
		value_unref(o);
		value_unref(s);
	}
	pb_tags_add_arg(only, "a, b");
	pb_tags_add_arg(only, "b,c");
	t_eq_json(only, "[\"a\", \"b\", \"c\"]");
	value_unref(only);
}

static void test_conversions(void)
{
	struct diag d;
	struct value *v;
	int64_t n = 0;
	double f = 0;
	int b = -1;

	diag_init(&d);
	v = value_str("Yes");
	T_EQ_INT(pb_kw_bool(v, "become", &b, &d), 0);
	T_EQ_INT(b, 1);
	value_unref(v);
	v = value_int(0);
	T_EQ_INT(pb_kw_bool(v, "become", &b, &d), 0);
	T_EQ_INT(b, 0);
	value_unref(v);
	v = value_int(2);
	T_EQ_INT(pb_kw_bool(v, "become", &b, &d), ERR_PARSE);
	value_unref(v);
	diag_fini(&d);
	v = value_str(" 12 ");
	T_EQ_INT(pb_kw_int(v, "retries", &n, &d), 0);
	T_EQ_INT(n, 12);
	value_unref(v);
	v = value_str("1x");
	T_EQ_INT(pb_kw_int(v, "retries", &n, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "the field 'retries' has an invalid value (1x), and could not be converted to an int.The error "
	                "was: invalid literal for int() with base 10: '1x'");
	value_unref(v);
	diag_fini(&d);
	v = value_str("25%");
	T_EQ_INT(pb_kw_percent(v, "max_fail_percentage", &f, &d), 0);
	T_CHECK(f == 25.0);
	value_unref(v);
	v = value_null();
	{
		struct value *l = pb_kw_list(v);

		t_eq_json(l, "[]");
		value_unref(l);
	}
	value_unref(v);
	v = value_str("x");
	{
		struct value *l = pb_kw_list(v);

		t_eq_json(l, "[\"x\"]");
		value_unref(l);
	}
	value_unref(v);
	T_CHECK(pb_is_template("a {{ b }}"));
	T_CHECK(pb_is_template("{% if %}"));
	T_CHECK(!pb_is_template("{ a }"));
	T_EQ_INT(pb_kw_lookup("async_val"), PB_KW_ASYNC);
	T_EQ_INT(pb_kw_lookup("nope"), -1);
	T_EQ_STR(pb_kw_name(PB_KW_BECOME_USER), "become_user");
	T_EQ_INT(pb_kw_inherit(PB_KW_WHEN), PB_KWI_PREPEND);
	T_EQ_INT(pb_kw_inherit(PB_KW_TAGS), PB_KWI_EXTEND);
	T_EQ_INT(pb_kw_inherit(PB_KW_REGISTER), PB_KWI_NONE);
	T_CHECK(pb_kw_accepts(PB_KW_LISTEN) == PB_ON_HANDLER);
	T_EQ_INT(playbook_exit_code(0), 0);
	T_EQ_INT(playbook_exit_code(ERR_PARSE), 4);
	T_EQ_INT(playbook_exit_code(ERR_NOTFOUND), 1);
}


int main(void)
{
	T_RUN(test_action_forms);
	T_RUN(test_keywords);
	T_RUN(test_inheritance);
	T_RUN(test_inheritance_imports);
	T_RUN(test_blocks);
	T_RUN(test_roles);
	T_RUN(test_argument_specs);
	T_RUN(test_include_role);
	T_RUN(test_import_playbook);
	T_RUN(test_tags);
	T_RUN(test_conversions);
	t_cleanup();
	return T_DONE();
}
