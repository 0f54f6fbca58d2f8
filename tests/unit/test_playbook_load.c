/* Unit tests for the playbook loader's errors: every error class with its
 * message (Ansible 2.14's text, checked against ansible-playbook by
 * tests/e2e/test_playbook_list.sh) and its position; the ERROR! layout; and
 * the listings. The model itself is tested in test_playbook_model.c. */
#define _XOPEN_SOURCE 700
#include "base/buf.h"
#include "playbook/pb_diag.h"
#include "playbook/pb_list.h"
#include "playbook/pb_tags.h"
#include "pb_test.h"

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
	T_RUN(test_diag_format);
	T_RUN(test_listing);
	t_cleanup();
	return T_DONE();
}
