/* Unit tests for the playbook loader and model: every error class with its
 * message (Ansible 2.14's text, checked against ansible-playbook by
 * tests/e2e/test_playbook_list.sh) and its position, the forms of actions
 * and arguments, keyword storage and inheritance, blocks, roles and their
 * cache, imports, run-time includes, tags, conversions and the listings. */
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
#include "playbook/modreg.h"
#include "playbook/pb_diag.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_list.h"
#include "playbook/pb_tags.h"
#include "playbook/playbook.h"
#include "t.h"

static char t_dir[64];

static int t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void t_fresh(void)
{
	if (t_dir[0])
		nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(t_dir, sizeof(t_dir), "/tmp/drover-test-pb.XXXXXX");
	if (mkdtemp(t_dir) == NULL)
		abort();
}

static char *t_path(const char *rel)
{
	return xasprintf("%s/%s", t_dir, rel);
}

/* Writes rel (directories made as needed) with text. */
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

static const char *const t_roles_path[] = {"/nonexistent/roles"};

static int t_load(const char *rel, struct pb_playbook **pbp, struct diag *d)
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
static void t_err(const char *text, int code, const char *msg, int line, int col)
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

static struct pb_playbook *t_ok(const char *rel)
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

static struct pb_play *t_play(struct pb_playbook *pb, size_t i)
{
	size_t n;
	struct pb_play *const *plays = playbook_plays(pb, &n);

	return i < n ? plays[i] : NULL;
}

/* The i-th entry of a block's block: list, as a task. */
static struct pb_task *t_task(const struct pb_block *b, size_t i)
{
	return i < b->nblock ? pb_obj_task(b->block[i]) : NULL;
}

static char *t_json(const struct value *v)
{
	return json_encode_str(v, 0);
}

static void t_eq_json(const struct value *v, const char *want)
{
	char *s = t_json(v);

	T_EQ_STR(s, want);
	free(s);
}

static void test_errors_play(void)
{
	t_err("- hosts: all\n  foo: 1\n", ERR_PARSE, "'foo' is not a valid attribute for a Play", 2, 3);
	t_err("- name: x\n  tasks: []\n", ERR_PARSE, "the field 'hosts' is required but was not set", 1, 3);
	t_err("- hosts: []\n", ERR_PARSE, "Hosts list cannot be empty. Please check your playbook", 1, 10);
	t_err("- hosts:\n", ERR_PARSE, "Hosts list cannot be empty. Please check your playbook", 1, 9);
	t_err("- hosts: [1]\n", ERR_PARSE, "Hosts list contains an invalid host value: '1'", 1, 11);
	t_err("- hosts: {a: 1}\n", ERR_PARSE, "Hosts list must be a sequence or string. Please check your playbook.", 1,
	      10);
	t_err("- hosts: all\n  name: [a]\n", ERR_PARSE,
	      "The field 'name' is supposed to be a string type, however the incoming data structure is a <class "
	      "'ansible.parsing.yaml.objects.AnsibleSequence'>",
	      2, 9);
	t_err("- hosts: all\n  vars: [1]\n", ERR_PARSE,
	      "Vars in a Play must be specified as a dictionary, or a list of dictionaries", 2, 9);
	t_err("- hosts: all\n  vars:\n    a-b: 1\n", ERR_PARSE,
	      "Invalid variable name in vars specified for Play: 'a-b' is not a valid variable name", 3, 5);
	t_err("- hosts: all\n  vars: {class: 1}\n", ERR_PARSE,
	      "Invalid variable name in vars specified for Play: 'class' is not a valid variable name", 2, 10);
	t_err("- hosts: all\n  tags: {a: 1}\n", ERR_INVAL, "tags must be specified as a list", 2, 9);
	t_err("- hosts: all\n  when: x\n", ERR_PARSE, "'when' is not a valid attribute for a Play", 2, 3);
	t_err("- hosts: all\n  gather_facts: maybe\n", ERR_PARSE,
	      "the field 'gather_facts' has an invalid value (maybe), and could not be converted to an bool.The error "
	      "was: The value 'maybe' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', "
	      "'t', 1, 'n', 'no', 'off', '0', 'false', 'f', 0",
	      2, 17);
	t_err("- hosts: all\n  serial: [1, x]\n", ERR_PARSE,
	      "the field 'serial' has an invalid value (x): a batch size is a number of hosts or a percentage", 2, 15);
	t_err("- hosts: all\n  vars_prompt:\n    - name: x\n      bogus: 1\n", ERR_PARSE,
	      "Invalid vars_prompt data structure, found unsupported key 'bogus'", 4, 7);
	t_err("- hosts: all\n  vars_prompt:\n    - prompt: x\n", ERR_PARSE,
	      "Invalid vars_prompt data structure, missing 'name' key", 3, 7);
	t_err("- hosts: all\n  user: a\n  remote_user: b\n", ERR_PARSE,
	      "both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be "
	      "removed",
	      1, 3);
	t_err("- hosts: all\n  tasks: {a: 1}\n", ERR_PARSE,
	      "A malformed block was encountered while loading tasks: {'a': 1} should be a list or None but is <class "
	      "'ansible.parsing.yaml.objects.AnsibleMapping'>",
	      2, 10);
}

static void test_errors_playbook(void)
{
	struct diag d;
	struct pb_playbook *pb = NULL;
	char *msg;

	t_err("hosts: all\n", ERR_PARSE, NULL, 1, 1);
	t_err("- hello\n", ERR_PARSE, "playbook entries must be either valid plays or 'import_playbook' statements", 1,
	      3);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=\"a\n      b: [\n", ERR_PARSE, NULL, 5, 1);
	t_err("- import_playbook:\n", ERR_PARSE, "playbook import parameter is missing", 1, 3);
	t_err("- import_playbook: [a]\n", ERR_PARSE,
	      "playbook import parameter must be a string indicating a file path, got <class "
	      "'ansible.parsing.yaml.objects.AnsibleSequence'> instead",
	      1, 20);
	t_err("- import_playbook: x.yml\n  foo: 1\n", ERR_PARSE, "'foo' is not a valid attribute for a PlaybookInclude",
	      2, 3);
	t_err("- import_playbook: x.yml\n  vars: [1]\n", ERR_PARSE,
	      "vars for import_playbook statements must be specified as a dictionary", 2, 9);
	/* Empty and list-less playbooks name the file. */
	t_fresh();
	t_write("empty.yml", "");
	T_EQ_INT(t_load("empty.yml", &pb, &d), ERR_PARSE);
	msg = xasprintf("Empty playbook, nothing to do: %s/empty.yml", t_dir);
	T_EQ_STR(d.msg, msg);
	free(msg);
	diag_fini(&d);
	t_write("none.yml", "[]\n");
	T_EQ_INT(t_load("none.yml", &pb, &d), ERR_PARSE);
	msg = xasprintf("A playbook must contain at least one play: %s/none.yml", t_dir);
	T_EQ_STR(d.msg, msg);
	free(msg);
	diag_fini(&d);
	t_write("imp.yml", "- import_playbook: missing.yml\n");
	T_EQ_INT(t_load("imp.yml", &pb, &d), ERR_NOTFOUND);
	msg = xasprintf("Unable to retrieve file contents\nCould not find or access '%s/missing.yml' on the Ansible "
	                "Controller.",
	                t_dir);
	T_EQ_STR(d.msg, msg);
	free(msg);
	T_EQ_INT(d.line, 1);
	T_EQ_INT(d.col, 20);
	diag_fini(&d);
	/* A playbook importing itself ends at the depth cap. */
	t_write("self.yml", "- import_playbook: self.yml\n");
	T_EQ_INT(t_load("self.yml", &pb, &d), ERR_DEPTH);
	diag_fini(&d);
	T_EQ_INT(t_load("nothere.yml", &pb, &d), ERR_NOTFOUND);
	T_CHECK(d.msg != NULL && strstr(d.msg, "could not be found") != NULL);
	diag_fini(&d);
	T_CHECK(pb == NULL);
}

static void test_errors_task(void)
{
	t_err("- hosts: all\n  tasks:\n    - name: x\n      debugz: msg=hi\n", ERR_PARSE,
	      "couldn't resolve module/action 'debugz'. This often indicates a misspelling, missing collection, or "
	      "incorrect module path.",
	      4, 7);
	t_err("- hosts: all\n  tasks:\n    - ansible.builtin.xyzzy: a=1\n", ERR_PARSE,
	      "couldn't resolve module/action 'ansible.builtin.xyzzy'. This often indicates a misspelling, missing "
	      "collection, or incorrect module path.",
	      3, 7);
	t_err("- hosts: all\n  tasks:\n    - name: x\n      debug: msg=hi\n      command: echo hi\n", ERR_PARSE,
	      "conflicting action statements: debug, command", 5, 7);
	/* Any unknown key next to an action is a second action, as in Ansible. */
	t_err("- hosts: all\n  tasks:\n    - debug: msg=hi\n      foo: 1\n", ERR_PARSE,
	      "conflicting action statements: debug, foo", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - name: x\n      when: true\n", ERR_PARSE, "no module/action detected in task.",
	      3, 7);
	t_err("- hosts: all\n  tasks:\n    - action: debug msg=1\n      local_action: debug msg=2\n", ERR_PARSE,
	      "action and local_action are mutually exclusive", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      listen: x\n", ERR_PARSE,
	      "'listen' is not a valid attribute for a Task", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      with_nothing: [1]\n", ERR_PARSE,
	      "'with_nothing' is not a valid attribute for a Task", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      static: yes\n", ERR_PARSE,
	      "'static' is not a valid attribute for a Task", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      loop: [1]\n      with_items: [2]\n", ERR_INVAL,
	      "duplicate loop in task: items", 5, 7);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      with_items:\n", ERR_INVAL,
	      "you must specify a value when using with_items", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - file: path=/x hello\n", ERR_PARSE,
	      "this task 'file' has extra params, which is only allowed in the following modules: command, "
	      "win_command, shell, win_shell, raw, script, include, include_vars, include_tasks, include_role, "
	      "import_tasks, import_role, add_host, group_by, set_fact, meta",
	      3, 7);
	t_err("- hosts: all\n  tasks:\n    - command: echo hi\n      args: chdir=/tmp\n", ERR_PARSE,
	      "Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use "
	      "the full variable style ('{{var_name}}')",
	      4, 13);
	t_err("- hosts: all\n  tasks:\n    - command: echo hi\n      args:\n        cmd: echo ho\n", ERR_INVAL,
	      "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one "
	      "or the other place.",
	      5, 14);
	t_err("- hosts: all\n  tasks:\n    - file:\n        _ansible_x: 1\n", ERR_INVAL,
	      "invalid parameter specified for action 'file': '_ansible_x'", 4, 9);
	t_err("- hosts: all\n  tasks:\n    - debug: 5\n", ERR_PARSE, "unexpected parameter type in action: <class 'int'>",
	      3, 14);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      loop_control: \"{{ x }}\"\n", ERR_PARSE,
	      "the `loop_control` value must be specified as a dictionary and cannot be a variable itself (though it "
	      "can contain variables)",
	      4, 21);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      loop_control: {foo: 1}\n", ERR_PARSE,
	      "'foo' is not a valid attribute for a LoopControl", 4, 22);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      become_user: [a]\n", ERR_PARSE,
	      "The field 'become_user' is supposed to be a string type, however the incoming data structure is a "
	      "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>",
	      4, 20);
	t_err("- hosts: all\n  tasks:\n    - debug: msg=1\n      vars: 3\n", ERR_PARSE,
	      "Vars in a Task must be specified as a dictionary, or a list of dictionaries", 4, 13);
	t_err("- hosts: all\n  tasks:\n    - command: echo 'a\n", ERR_PARSE,
	      "failed at splitting arguments, either an unbalanced jinja2 block or quotes: echo 'a", 3, 21);
	t_err("- hosts: all\n  tasks:\n    - include: x.yml\n", ERR_PARSE,
	      "'include' is not supported by drover; use include_tasks or import_tasks instead", 3, 7);
	t_err("- hosts: all\n  tasks:\n    - [1]\n", ERR_PARSE,
	      "A malformed block was encountered while loading a block. The ds ([[1]]) should be a dict but was a "
	      "<class 'list'>",
	      3, 7);
}

static void test_errors_blocks_includes(void)
{
	t_err("- hosts: all\n  tasks:\n    - block:\n        - debug: msg=1\n      foo: 2\n", ERR_PARSE,
	      "'foo' is not a valid attribute for a Block", 5, 7);
	t_err("- hosts: all\n  tasks:\n    - rescue:\n        - debug: msg=1\n", ERR_PARSE,
	      "'rescue' keyword cannot be used without 'block'", 3, 7);
	t_err("- hosts: all\n  handlers:\n    - block:\n        - block:\n            - debug: msg=1\n", ERR_PARSE,
	      "Using a block as a handler is not supported.", 4, 11);
	t_err("- hosts: all\n  tasks:\n    - import_tasks: x.yml\n      loop: [1]\n", ERR_PARSE,
	      "You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.", 3, 7);
	t_err("- hosts: all\n  tasks:\n    - include_tasks:\n        file: x.yml\n        foo: 1\n", ERR_PARSE,
	      "Invalid options for include_tasks: foo", 5, 9);
	t_err("- hosts: all\n  tasks:\n    - include_tasks: x.yml\n      become: true\n", ERR_PARSE,
	      "'become' is not a valid attribute for a TaskInclude", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - include_role: name=x\n      become: true\n", ERR_PARSE,
	      "'become' is not a valid attribute for a IncludeRole", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - include_role:\n        tasks_from: x\n", ERR_PARSE,
	      "'name' is a required field for include_role.", 3, 7);
	t_err("- hosts: all\n  tasks:\n    - import_role: name=x public=yes\n", ERR_PARSE,
	      "Invalid options for import_role: public", 3, 27);
	t_err("- hosts: all\n  tasks:\n    - import_tasks:\n        apply: {}\n", ERR_PARSE,
	      "No file specified for import_tasks", 3, 7);
	t_err("- hosts: all\n  tasks:\n    - include_tasks: x.yml\n      delegate_to: y\n", ERR_PARSE,
	      "'delegate_to' is not a valid attribute for a TaskInclude", 4, 7);
	t_err("- hosts: all\n  tasks:\n    - include_tasks: x.yml\n      local_action: debug\n", ERR_PARSE,
	      "conflicting action statements: debug, include_tasks", 3, 7);
	t_err("- hosts: all\n  handlers:\n    - import_role: name=x\n", ERR_PARSE,
	      "Using 'import_role' as a handler is not supported.", 3, 7);
}

static void test_errors_files(void)
{
	struct pb_playbook *pb = NULL;
	struct diag d;
	char *msg;

	t_fresh();
	t_write("pb.yml", "- hosts: all\n  tasks:\n    - import_tasks: nothere.yml\n");
	T_EQ_INT(t_load("pb.yml", &pb, &d), ERR_NOTFOUND);
	msg = xasprintf("Unable to retrieve file contents\nCould not find or access '%s/nothere.yml' on the Ansible "
	                "Controller.",
	                t_dir);
	T_EQ_STR(d.msg, msg);
	T_EQ_INT(d.line, 3);
	T_EQ_INT(d.col, 21);
	free(msg);
	diag_fini(&d);

	t_write("pb2.yml", "- hosts: all\n  roles:\n    - nothere\n");
	T_EQ_INT(t_load("pb2.yml", &pb, &d), ERR_NOTFOUND);
	msg = xasprintf("the role 'nothere' was not found in %s/roles:/nonexistent/roles:%s", t_dir, t_dir);
	T_EQ_STR(d.msg, msg);
	T_EQ_INT(d.line, 3);
	T_EQ_INT(d.col, 7);
	free(msg);
	diag_fini(&d);

	t_write("pb3.yml", "- hosts: all\n  tasks:\n    - import_tasks: notlist.yml\n");
	t_write("notlist.yml", "a: 1\n");
	T_EQ_INT(t_load("pb3.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "included task files must contain a list of tasks");
	diag_fini(&d);

	/* An error inside an imported file points into that file. */
	t_write("pb4.yml", "- hosts: all\n  tasks:\n    - import_tasks: bad.yml\n");
	t_write("bad.yml", "- debug: msg=1\n- nosuchmodule: x\n");
	T_EQ_INT(t_load("pb4.yml", &pb, &d), ERR_PARSE);
	msg = t_path("bad.yml");
	T_EQ_STR(d.file, msg);
	free(msg);
	T_EQ_INT(d.line, 2);
	T_EQ_INT(d.col, 3);
	diag_fini(&d);

	/* A task file importing itself ends at the depth cap. */
	t_write("pb5.yml", "- hosts: all\n  tasks:\n    - import_tasks: loop.yml\n");
	t_write("loop.yml", "- import_tasks: loop.yml\n");
	T_EQ_INT(t_load("pb5.yml", &pb, &d), ERR_DEPTH);
	diag_fini(&d);

	/* Roles: a meta that is not a map, dependencies not a list, a loop. */
	t_write("roles/m/meta/main.yml", "- a\n");
	t_write("pb6.yml", "- hosts: all\n  roles: [m]\n");
	T_EQ_INT(t_load("pb6.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "the 'meta/main.yml' for role m is not a dictionary");
	diag_fini(&d);
	t_write("roles/n/meta/main.yml", "dependencies: x\n");
	t_write("pb7.yml", "- hosts: all\n  roles: [n]\n");
	T_EQ_INT(t_load("pb7.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "Expected role dependencies to be a list.");
	diag_fini(&d);
	t_write("roles/a/meta/main.yml", "dependencies: [b]\n");
	t_write("roles/b/meta/main.yml", "dependencies: [a]\n");
	t_write("pb8.yml", "- hosts: all\n  roles: [a]\n");
	T_EQ_INT(t_load("pb8.yml", &pb, &d), ERR_INVAL);
	T_EQ_STR(d.msg, "A recursion loop was detected with the roles specified. Make sure child roles do not have "
	                "dependencies on parent roles");
	diag_fini(&d);
	t_write("roles/v/vars/main.yml", "- 1\n");
	t_write("pb9.yml", "- hosts: all\n  roles: [v]\n");
	T_EQ_INT(t_load("pb9.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "The vars/main.yml file for role 'v' must contain a dictionary of variables");
	diag_fini(&d);
	t_write("roles/t/tasks/main.yml", "a: 1\n");
	t_write("pb10.yml", "- hosts: all\n  roles: [t]\n");
	T_EQ_INT(t_load("pb10.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "The tasks/main.yml file for role 't' must contain a list of tasks");
	diag_fini(&d);
	t_write("pb11.yml", "- hosts: all\n  tasks:\n    - import_role: name=t tasks_from=nope\n");
	T_EQ_INT(t_load("pb11.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "Could not find specified file in role: tasks/nope");
	diag_fini(&d);
	t_write("pb12.yml", "- hosts: all\n  roles: [\"a,b\"]\n");
	T_EQ_INT(t_load("pb12.yml", &pb, &d), ERR_INVAL);
	T_EQ_STR(d.msg, "Invalid old style role requirement: a,b");
	diag_fini(&d);
	t_write("pb13.yml", "- hosts: all\n  roles: [{x: 1}]\n");
	T_EQ_INT(t_load("pb13.yml", &pb, &d), ERR_INVAL);
	T_EQ_STR(d.msg, "role definitions must contain a role name");
	diag_fini(&d);
	t_write("roles/f/meta/main.yml", "foo: 1\n");
	t_write("pb14.yml", "- hosts: all\n  roles: [f]\n");
	T_EQ_INT(t_load("pb14.yml", &pb, &d), ERR_PARSE);
	T_EQ_STR(d.msg, "'foo' is not a valid attribute for a RoleMetadata");
	diag_fini(&d);
	T_CHECK(pb == NULL);
}

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
	t_eq_json(play->obj.kw[PB_KW_TAGS], "[\"x\", \"y\", \"t\"]");
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

static void test_diag_format(void)
{
	struct diag d;
	struct buf b;
	char *file, *want;

	t_fresh();
	t_write("x.yml", "- hosts: all\n\n\n  foo: 1\n");
	file = t_path("x.yml");
	diag_init(&d);
	diag_set(&d, file, 4, 3, "'foo' is not a valid attribute for a Play");
	buf_init(&b, 0);
	T_EQ_INT(pb_diag_format(&b, &d), 0);
	want = xasprintf("ERROR! 'foo' is not a valid attribute for a Play\n\nThe error appears to be in '%s': line 4, "
	                 "column 3, but may\nbe elsewhere in the file depending on the exact syntax problem.\n\nThe "
	                 "offending line appears to be:\n\n\n  foo: 1\n  ^ here\n",
	                 file);
	T_EQ_STR(buf_str(&b), want);
	free(want);
	diag_fini(&d);
	buf_reset(&b);
	/* A blank target line moves up to the nearest line with text. */
	diag_set(&d, file, 3, 1, "m");
	pb_diag_format(&b, &d);
	want = xasprintf("ERROR! m\n\nThe error appears to be in '%s': line 3, column 1, but may\nbe elsewhere in the "
	                 "file depending on the exact syntax problem.\n\nThe offending line appears to be:\n\n\n"
	                 "- hosts: all\n^ here\n",
	                 file);
	T_EQ_STR(buf_str(&b), want);
	free(want);
	diag_fini(&d);
	buf_reset(&b);
	diag_set(&d, NULL, 0, 0, "plain");
	pb_diag_format(&b, &d);
	T_EQ_STR(buf_str(&b), "ERROR! plain\n");
	diag_fini(&d);
	buf_fini(&b);
	free(file);
}

static int t_select(void *ctx, const struct value *patterns, struct value **namesp, struct diag *d)
{
	(void)ctx;
	(void)d;
	*namesp = value_list();
	value_list_push(*namesp, value_strf("h-%s", value_cstr(value_list_at(patterns, 0))));
	return 0;
}

static void test_listing(void)
{
	struct pb_playbook *pb;
	struct pb_list_opts lo;
	struct diag d;
	struct buf b;
	char *want;

	t_fresh();
	t_write("roles/r/tasks/main.yml", "- name: in role\n  debug: msg=r\n  tags: rt\n- command: echo\n");
	t_write("pb.yml",
	        "- hosts: [a, \"b's\"]\n"
	        "  tags: [p]\n"
	        "  roles: [r]\n"
	        "  tasks:\n"
	        "    - name: t1\n"
	        "      debug: msg=1\n"
	        "      tags: [x, never]\n"
	        "    - block:\n"
	        "        - ping:\n"
	        "      rescue:\n"
	        "        - name: not listed\n"
	        "          debug: msg=r\n"
	        "- name: second\n"
	        "  hosts: c\n");
	pb = t_ok("pb.yml");
	if (pb == NULL)
		return;
	memset(&lo, 0, sizeof(lo));
	lo.tasks = lo.tags = lo.hosts = 1;
	lo.select = t_select;
	buf_init(&b, 0);
	diag_init(&d);
	T_EQ_INT(pb_list_format(&b, &pb, 1, &lo, &d), 0);
	want = xasprintf("\nplaybook: %s/pb.yml\n"
	                 "\n  play #1 (a,b's): a,b's\tTAGS: [p]\n"
	                 "    pattern: ['a', \"b's\"]\n"
	                 "    hosts (1):\n      h-a\n"
	                 "    tasks:\n"
	                 "      r : in role\tTAGS: [p, rt]\n"
	                 "      command\tTAGS: [p]\n"
	                 "      ping\tTAGS: [p]\n"
	                 "      TASK TAGS: [p, rt]\n"
	                 "\n  play #2 (c): second\tTAGS: []\n"
	                 "    pattern: ['c']\n"
	                 "    hosts (1):\n      h-c\n"
	                 "    tasks:\n"
	                 "      TASK TAGS: []\n",
	                 t_dir);
	T_EQ_STR(buf_str(&b), want);
	free(want);
	buf_reset(&b);
	lo.hosts = lo.tags = 0;
	lo.only = value_list();
	pb_tags_add_arg((struct value *)lo.only, "x");
	T_EQ_INT(pb_list_format(&b, &pb, 1, &lo, &d), 0);
	want = xasprintf("\nplaybook: %s/pb.yml\n"
	                 "\n  play #1 (a,b's): a,b's\tTAGS: [p]\n"
	                 "    tasks:\n"
	                 "      t1\tTAGS: [never, p, x]\n"
	                 "\n  play #2 (c): second\tTAGS: []\n"
	                 "    tasks:\n",
	                 t_dir);
	T_EQ_STR(buf_str(&b), want);
	free(want);
	value_unref((struct value *)lo.only);
	buf_reset(&b);
	memset(&lo, 0, sizeof(lo));
	lo.syntax = 1;
	T_EQ_INT(pb_list_format(&b, &pb, 1, &lo, &d), 0);
	want = xasprintf("\nplaybook: %s/pb.yml\n", t_dir);
	T_EQ_STR(buf_str(&b), want);
	free(want);
	buf_reset(&b);
	pb_list_repr_str(&b, "a'b\"c\n");
	T_EQ_STR(buf_str(&b), "'a\\'b\"c\\n'");
	buf_fini(&b);
	diag_fini(&d);
	playbook_free(pb);
}

int main(void)
{
	T_RUN(test_errors_play);
	T_RUN(test_errors_playbook);
	T_RUN(test_errors_task);
	T_RUN(test_errors_blocks_includes);
	T_RUN(test_errors_files);
	T_RUN(test_action_forms);
	T_RUN(test_keywords);
	T_RUN(test_inheritance);
	T_RUN(test_inheritance_imports);
	T_RUN(test_blocks);
	T_RUN(test_roles);
	T_RUN(test_include_role);
	T_RUN(test_import_playbook);
	T_RUN(test_tags);
	T_RUN(test_conversions);
	T_RUN(test_diag_format);
	T_RUN(test_listing);
	if (t_dir[0])
		nftw(t_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS);
	return T_DONE();
}
