/* Unit tests for cli/config: where ansible.cfg is found, precedence of the
 * environment over the file over defaults, Ansible's typing, and path
 * expansion from the password database (with HOME unset or lying). Each
 * test works in its own temporary tree; the home directory and the system
 * file are redirected there with config_test_paths. */
#include <errno.h>
#include <ftw.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "cli/config.h"
#include "data/value.h"
#include "t.h"

static char t_root[64];
static char t_start[4096];

/* Creates dir/name with text (dir relative to the test root), returns the
 * absolute path (caller frees). */
static char *t_write(const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", t_root, rel);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		printf("#   cannot write %s: %s\n", path, strerror(errno));
		t_failed_checks++;
		return path;
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static char *t_mkdir(const char *rel)
{
	char *path = xasprintf("%s/%s", t_root, rel);

	mkdir(path, 0755);
	return path;
}

/* Unsets every variable the table reads, and ANSIBLE_CONFIG. */
static void t_clear_env(void)
{
	int k;
	size_t i;

	unsetenv("ANSIBLE_CONFIG");
	for (k = 0; k < CONFIG_NKEYS; k++)
		for (i = 0; i < CONFIG_MAX_ENV && config_def((enum config_key)k)->env[i]; i++)
			unsetenv(config_def((enum config_key)k)->env[i]);
}

/* A fresh tree: home/, etc/, cwd/ (the current directory), and the config
 * module pointed at home and etc/ansible.cfg. */
static char t_home[128], t_etc[128], t_cwd[128];

static void t_fresh(void)
{
	static int n;
	char *p;

	snprintf(t_root, sizeof(t_root), "/tmp/drover-config.%d.%d", (int)getpid(), n++);
	mkdir(t_root, 0700);
	p = t_mkdir("home");
	snprintf(t_home, sizeof(t_home), "%s", p);
	free(p);
	p = t_mkdir("etc");
	free(p);
	snprintf(t_etc, sizeof(t_etc), "%s/etc/ansible.cfg", t_root);
	p = t_mkdir("cwd");
	snprintf(t_cwd, sizeof(t_cwd), "%s", p);
	free(p);
	T_CHECK(chdir(t_cwd) == 0);
	t_clear_env();
	setenv("HOME", t_home, 1);
	config_test_paths(t_home, t_etc);
}

static int t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

static void t_cleanup(void)
{
	T_CHECK(chdir(t_start) == 0);
	T_CHECK(nftw(t_root, t_rm, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static struct config *t_load(void)
{
	struct config *c = NULL;
	struct diag d;
	int r;

	diag_init(&d);
	r = config_load(&c, &d);
	if (r != 0) {
		char *m = diag_format(&d);

		printf("#   config_load: %s\n", m);
		free(m);
		t_failed_checks++;
	}
	diag_fini(&d);
	return c;
}

/* Loads expecting failure; returns the formatted diagnostic (caller frees). */
static char *t_load_error(int *rp)
{
	struct config *c = NULL;
	struct diag d;
	char *m;

	diag_init(&d);
	*rp = config_load(&c, &d);
	T_CHECK(*rp != 0);
	T_CHECK(c == NULL);
	config_free(c);
	m = diag_format(&d);
	diag_fini(&d);
	return m;
}

static char *t_fmt(const struct config *c, enum config_key k)
{
	struct buf b;

	buf_init(&b, 0);
	config_format_value(&b, config_value(c, k));
	return buf_take(&b, NULL);
}

#define T_FMT(c, k, want)                              \
	do {                                           \
		char *t_s_ = t_fmt((c), (k));          \
		T_EQ_STR(t_s_, (want));                \
		free(t_s_);                            \
	} while (0)

static int t_has_warning(const struct config *c, const char *needle)
{
	size_t i;

	for (i = 0; config_warning(c, i) != NULL; i++)
		if (strstr(config_warning(c, i), needle) != NULL)
			return 1;
	return 0;
}

static void test_defaults(void)
{
	struct config *c;
	char *s;

	t_fresh();
	c = t_load();
	if (c == NULL)
		goto out;
	T_CHECK(config_file(c) == NULL);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, -1), 5);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_TIMEOUT, -1), 10);
	T_EQ_INT(config_int(c, CONFIG_SSH_TIMEOUT, -1), 10);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_REMOTE_PORT, -1), -1);
	T_EQ_INT(config_bool(c, CONFIG_HOST_KEY_CHECKING), 1);
	T_EQ_INT(config_bool(c, CONFIG_SSH_USE_TTY), 1);
	T_EQ_INT(config_bool(c, CONFIG_RETRY_FILES_ENABLED), 0);
	T_CHECK(config_str(c, CONFIG_DEFAULT_REMOTE_USER) == NULL);
	T_EQ_STR(config_str(c, CONFIG_SSH_ARGS), "-C -o ControlMaster=auto -o ControlPersist=60s");
	T_EQ_STR(config_str(c, CONFIG_SSH_CONTROL_PATH_DIR), "~/.ansible/cp");
	s = xasprintf("%s/.ansible/cp", t_home);
	T_EQ_STR(config_path(c, CONFIG_SSH_CONTROL_PATH_DIR), s);
	free(s);
	s = xasprintf("%s/.ansible", t_home);
	T_EQ_STR(config_str(c, CONFIG_ANSIBLE_HOME), s);
	free(s);
	s = xasprintf("['%s/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles']", t_home);
	T_FMT(c, CONFIG_DEFAULT_ROLES_PATH, s);
	free(s);
	T_FMT(c, CONFIG_DEFAULT_HOST_LIST, "['/etc/ansible/hosts']");
	T_EQ_STR(config_origin(c, CONFIG_DEFAULT_FORKS), "default");
	T_EQ_INT(config_from(c, CONFIG_DEFAULT_FORKS), CONFIG_FROM_DEFAULT);
	T_CHECK(config_path(c, CONFIG_DEFAULT_PRIVATE_KEY_FILE) == NULL);
	T_CHECK(config_warning(c, 0) == NULL);
	config_free(c);

	/* No home in the password database: the settings made from "~" are
	 * unset and say why, rather than naming a directory that is not there. */
	config_test_paths("", t_etc);
	c = t_load();
	if (c == NULL)
		goto out;
	T_CHECK(config_value(c, CONFIG_ANSIBLE_HOME)->type == VALUE_NULL);
	T_CHECK(config_value(c, CONFIG_DEFAULT_ROLES_PATH)->type == VALUE_NULL);
	T_CHECK(config_path(c, CONFIG_SSH_CONTROL_PATH_DIR) == NULL);
	T_CHECK(t_has_warning(c, "ANSIBLE_HOME is unset: cannot expand '~' in '~/.ansible'"));
	T_CHECK(t_has_warning(c, "DEFAULT_ROLES_PATH is unset"));
	T_FMT(c, CONFIG_DEFAULT_HOST_LIST, "['/etc/ansible/hosts']");
out:
	config_free(c);
	t_cleanup();
}

static void test_lookup_order(void)
{
	struct config *c;
	char *env_cfg, *cwd_cfg, *home_cfg, *etc_cfg, *envdir;

	t_fresh();
	env_cfg = t_write("env.cfg", "[defaults]\nforks = 1\n");
	envdir = t_mkdir("envdir");
	free(t_write("envdir/ansible.cfg", "[defaults]\nforks = 11\n"));
	cwd_cfg = t_write("cwd/ansible.cfg", "[defaults]\nforks = 2\n");
	home_cfg = t_write("home/.ansible.cfg", "[defaults]\nforks = 3\n");
	etc_cfg = t_write("etc/ansible.cfg", "[defaults]\nforks = 4\n");

	setenv("ANSIBLE_CONFIG", env_cfg, 1);
	c = t_load();
	T_EQ_STR(config_file(c), env_cfg);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 1);
	config_free(c);

	/* A directory means its ansible.cfg; a relative name is from the cwd. */
	setenv("ANSIBLE_CONFIG", "../envdir", 1);
	c = t_load();
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 11);
	config_free(c);

	/* A name that does not exist is passed over, with a warning. */
	setenv("ANSIBLE_CONFIG", "/nonexistent/x.cfg", 1);
	c = t_load();
	T_EQ_STR(config_file(c), cwd_cfg);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 2);
	T_CHECK(t_has_warning(c, "ANSIBLE_CONFIG names /nonexistent/x.cfg"));
	config_free(c);
	unsetenv("ANSIBLE_CONFIG");

	c = t_load();
	T_EQ_STR(config_file(c), cwd_cfg);
	config_free(c);
	unlink(cwd_cfg);
	c = t_load();
	T_EQ_STR(config_file(c), home_cfg);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 3);
	config_free(c);

	/* The home is the password database's, whatever HOME says. */
	setenv("HOME", "/nonexistent-home", 1);
	c = t_load();
	T_EQ_STR(config_file(c), home_cfg);
	config_free(c);
	unsetenv("HOME");
	c = t_load();
	T_EQ_STR(config_file(c), home_cfg);
	config_free(c);

	unlink(home_cfg);
	c = t_load();
	T_EQ_STR(config_file(c), etc_cfg);
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 4);
	config_free(c);
	unlink(etc_cfg);
	c = t_load();
	T_CHECK(c != NULL && config_file(c) == NULL);
	config_free(c);

	/* No home at all: ~/.ansible.cfg is not a candidate. */
	free(home_cfg);
	home_cfg = t_write("home/.ansible.cfg", "[defaults]\nforks = 3\n");
	config_test_paths("", t_etc);
	c = t_load();
	T_CHECK(c != NULL && config_file(c) == NULL);
	config_free(c);

	free(env_cfg);
	free(envdir);
	free(cwd_cfg);
	free(home_cfg);
	free(etc_cfg);
	t_cleanup();
}

static void test_world_writable_cwd(void)
{
	struct config *c;
	char *cwd_cfg, *home_cfg;

	t_fresh();
	cwd_cfg = t_write("cwd/ansible.cfg", "[defaults]\nforks = 2\n");
	home_cfg = t_write("home/.ansible.cfg", "[defaults]\nforks = 3\n");
	T_CHECK(chmod(t_cwd, 0777) == 0);
	c = t_load();
	T_EQ_STR(config_file(c), home_cfg);
	T_CHECK(t_has_warning(c, "world-writable"));
	T_CHECK(t_has_warning(c, cwd_cfg));
	config_free(c);

	/* Named by ANSIBLE_CONFIG, the same file is used, without a warning. */
	setenv("ANSIBLE_CONFIG", cwd_cfg, 1);
	c = t_load();
	T_EQ_STR(config_file(c), cwd_cfg);
	T_CHECK(!t_has_warning(c, "world-writable"));
	config_free(c);
	unsetenv("ANSIBLE_CONFIG");

	/* Nothing to ignore, nothing to say. */
	unlink(cwd_cfg);
	c = t_load();
	T_CHECK(c != NULL && config_warning(c, 0) == NULL);
	config_free(c);
	free(cwd_cfg);
	free(home_cfg);
	t_cleanup();
}

static void test_precedence(void)
{
	struct config *c;
	char *cfg, *origin;

	t_fresh();
	cfg = t_write("cwd/ansible.cfg",
	              "[DEFAULT]\n"
	              "become_user = fromdefault\n"
	              "[defaults]\n"
	              "forks = 7\n"
	              "timeout = 20\n"
	              "host_key_checking = yes\n"
	              "remote_user = alice\n"
	              "[ssh_connection]\n"
	              "host_key_checking = no\n"
	              "retries = 2\n"
	              "[connection]\n"
	              "retries = 9\n"
	              "[privilege_escalation]\n"
	              "become = true\n");
	setenv("ANSIBLE_TIMEOUT", "30", 1);
	setenv("ANSIBLE_SSH_TIMEOUT", "40", 1);
	setenv("ANSIBLE_REMOTE_USER", "", 1);
	setenv("ANSIBLE_FORKS", "", 1);
	c = t_load();
	if (c == NULL)
		goto out;
	/* An empty variable that does not type as an integer means the default. */
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_FORKS, 0), 5);
	T_EQ_STR(config_origin(c, CONFIG_DEFAULT_FORKS), "default");
	/* An empty string variable is a value. */
	T_EQ_STR(config_str(c, CONFIG_DEFAULT_REMOTE_USER), "");
	T_EQ_STR(config_origin(c, CONFIG_DEFAULT_REMOTE_USER), "env: ANSIBLE_REMOTE_USER");
	/* Environment beats the file; of two variables the later listed wins. */
	T_EQ_INT(config_int(c, CONFIG_DEFAULT_TIMEOUT, 0), 30);
	T_EQ_INT(config_int(c, CONFIG_SSH_TIMEOUT, 0), 40);
	T_EQ_STR(config_origin(c, CONFIG_SSH_TIMEOUT), "env: ANSIBLE_SSH_TIMEOUT");
	/* Of two file entries the later listed wins. */
	T_EQ_INT(config_bool(c, CONFIG_HOST_KEY_CHECKING), 1);
	T_EQ_INT(config_bool(c, CONFIG_SSH_HOST_KEY_CHECKING), 0);
	T_EQ_INT(config_int(c, CONFIG_SSH_RETRIES, -1), 2);
	origin = xasprintf("%s:9", cfg);
	T_EQ_STR(config_origin(c, CONFIG_SSH_HOST_KEY_CHECKING), origin);
	free(origin);
	T_EQ_INT(config_from(c, CONFIG_SSH_HOST_KEY_CHECKING), CONFIG_FROM_FILE);
	T_EQ_INT(config_value(c, CONFIG_SSH_HOST_KEY_CHECKING)->pos.line, 9);
	T_EQ_STR(config_value(c, CONFIG_SSH_HOST_KEY_CHECKING)->pos.file, cfg);
	/* [DEFAULT] keys are seen in existing sections only. */
	T_EQ_STR(config_str(c, CONFIG_DEFAULT_BECOME_USER), "fromdefault");
	T_EQ_INT(config_bool(c, CONFIG_DEFAULT_BECOME), 1);
	T_EQ_STR(config_str(c, CONFIG_HOST_PATTERN_MISMATCH), "warning");
	config_free(c);

	setenv("ANSIBLE_HOST_KEY_CHECKING", "False", 1);
	setenv("ANSIBLE_SSH_HOST_KEY_CHECKING", "True", 1);
	c = t_load();
	T_EQ_INT(config_bool(c, CONFIG_HOST_KEY_CHECKING), 0);
	T_EQ_INT(config_bool(c, CONFIG_SSH_HOST_KEY_CHECKING), 1);
	config_free(c);
out:
	free(cfg);
	t_cleanup();
}

static void test_types(void)
{
	static const struct {
		const char *text;
		int want;
	} bools[] = {
		{"yes", 1}, {"Yes", 1}, {" on ", 1}, {"1", 1}, {"TRUE", 1}, {"t", 1}, {"y", 1},
		{"no", 0},  {"0", 0},   {"", 0},     {"2", 0}, {"yess", 0}, {"1.0", 0},
	};
	static const struct {
		const char *text;
		int ok, want;
	} ints[] = {
		{"7", 1, 7},    {" 8 ", 1, 8},  {"+3", 1, 3},   {"-4", 1, -4}, {"1_0", 1, 10},
		{"007", 1, 7},  {"0x1", 0, 0},  {"1e3", 0, 0},  {"1__0", 0, 0}, {"_1", 0, 0},
		{"1_", 0, 0},   {"", 0, 0},     {"99999999999", 0, 0},
	};
	struct config *c;
	char *m;
	size_t i;
	int r;

	t_fresh();
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		setenv("ANSIBLE_BECOME", bools[i].text, 1);
		c = t_load();
		if (c != NULL && config_bool(c, CONFIG_DEFAULT_BECOME) != bools[i].want) {
			printf("#   boolean '%s' is not %d\n", bools[i].text, bools[i].want);
			t_failed_checks++;
		}
		config_free(c);
	}
	unsetenv("ANSIBLE_BECOME");
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		char *text = xasprintf("[defaults]\nforks = %s\n", ints[i].text);

		free(t_write("cwd/ansible.cfg", text));
		free(text);
		if (ints[i].ok) {
			c = t_load();
			T_EQ_INT(c != NULL ? config_int(c, CONFIG_DEFAULT_FORKS, -100) : -100, ints[i].want);
			config_free(c);
		} else {
			m = t_load_error(&r);
			T_EQ_INT(r, ERR_PARSE);
			T_CHECK(strstr(m, "ansible.cfg:2:") != NULL);
			T_CHECK(strstr(m, "DEFAULT_FORKS") != NULL);
			free(m);
		}
	}
	/* Strings lose one pair of matching quotes. */
	free(t_write("cwd/ansible.cfg", "[defaults]\nremote_user = 'bob'\nexecutable = \"/bin/bash\"\n"
	                                "stdout_callback = 'odd\"\nstrategy = \"esc\\\"\n"
	                                "[privilege_escalation]\nbecome_method = '\n"));
	c = t_load();
	if (c != NULL) {
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_REMOTE_USER), "bob");
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_EXECUTABLE), "/bin/bash");
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_STDOUT_CALLBACK), "'odd\"");
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_STRATEGY), "\"esc\\\"");
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_BECOME_METHOD), "'");
	}
	config_free(c);
	/* Choices. */
	free(t_write("cwd/ansible.cfg", "[defaults]\ngathering = sometimes\n"));
	m = t_load_error(&r);
	T_EQ_INT(r, ERR_PARSE);
	T_CHECK(strstr(m, "ansible.cfg:2:13: invalid value for DEFAULT_GATHERING ([defaults] gathering): "
	                  "'sometimes' is not one of implicit, explicit, smart") != NULL);
	free(m);
	unlink(t_etc);
	free(t_write("cwd/ansible.cfg", "[defaults]\n"));
	setenv("ANSIBLE_FORKS", "many", 1);
	m = t_load_error(&r);
	T_EQ_STR(m, "invalid value for DEFAULT_FORKS (from $ANSIBLE_FORKS): 'many' is not an integer");
	free(m);
	t_cleanup();
}

static void test_paths(void)
{
	struct passwd *pw = getpwnam("root");
	struct config *c;
	char *cfgdir, *want, *root_log;

	t_fresh();
	root_log = xasprintf("%s/log", pw != NULL && strcmp(pw->pw_dir, "/") != 0 ? pw->pw_dir : "");
	cfgdir = t_mkdir("conf");
	free(t_write("conf/ansible.cfg",
	             "[defaults]\n"
	             "inventory = hosts, ~/inv ,$HOME/a, ${HOME}/b,$DROVER_T_VAR/c, ${DROVER_T_UNSET}/d, /abs//x/./y/../z/\n"
	             "private_key_file = keys/../keys/id\n"
	             "roles_path = roles: ~/r:{{CWD}}/cr\n"
	             "log_path = ~root/log\n"
	             "vault_password_file = ~nosuchuser-drover/v\n"
	             "retry_files_save_path = //two/slashes\n"
	             "[ssh_connection]\n"
	             "control_path_dir = $HOME/cp\n"));
	setenv("ANSIBLE_CONFIG", cfgdir, 1);
	setenv("DROVER_T_VAR", "/var-value", 1);
	unsetenv("DROVER_T_UNSET");
	/* HOME unset: "~" and "$HOME" still mean the home in the password database. */
	unsetenv("HOME");
	setenv("ANSIBLE_PRIVATE_KEY_FILE", "rel/key", 1);
	c = t_load();
	if (c == NULL)
		goto out;
	want = xasprintf("['%s/hosts', '%s/inv', '%s/a', '%s/b', '/var-value/c', '%s/${DROVER_T_UNSET}/d', '/abs/x/z']",
	                 cfgdir, t_home, t_home, t_home, cfgdir);
	T_FMT(c, CONFIG_DEFAULT_HOST_LIST, want);
	free(want);
	/* From the environment, a relative path is from the current directory. */
	want = xasprintf("%s/rel/key", t_cwd);
	T_EQ_STR(config_str(c, CONFIG_DEFAULT_PRIVATE_KEY_FILE), want);
	T_EQ_STR(config_path(c, CONFIG_SSH_PRIVATE_KEY_FILE), want);
	T_EQ_STR(config_str(c, CONFIG_SSH_PRIVATE_KEY_FILE), "rel/key");
	free(want);
	/* pathspec: colon-separated, items not stripped. */
	want = xasprintf("['%s/roles', '%s/ ~/r', '%s/cr']", cfgdir, cfgdir, t_cwd);
	T_FMT(c, CONFIG_DEFAULT_ROLES_PATH, want);
	free(want);
	T_EQ_STR(config_str(c, CONFIG_DEFAULT_LOG_PATH), root_log);
	want = xasprintf("%s/~nosuchuser-drover/v", cfgdir);
	T_EQ_STR(config_str(c, CONFIG_DEFAULT_VAULT_PASSWORD_FILE), want);
	free(want);
	T_EQ_STR(config_str(c, CONFIG_RETRY_FILES_SAVE_PATH), "//two/slashes");
	/* The ssh option keeps its text, as Ansible shows it; config_path expands it. */
	T_EQ_STR(config_str(c, CONFIG_SSH_CONTROL_PATH_DIR), "$HOME/cp");
	want = xasprintf("%s/cp", t_home);
	T_EQ_STR(config_path(c, CONFIG_SSH_CONTROL_PATH_DIR), want);
	free(want);
	config_free(c);

	/* A HOME that says otherwise changes nothing. */
	setenv("HOME", "/elsewhere", 1);
	c = t_load();
	want = xasprintf("%s/cp", t_home);
	T_EQ_STR(c ? config_path(c, CONFIG_SSH_CONTROL_PATH_DIR) : NULL, want);
	free(want);
	config_free(c);

	/* No home in the password database: what needs it is unset, with a warning. */
	config_test_paths("", t_etc);
	c = t_load();
	if (c != NULL) {
		T_CHECK(config_value(c, CONFIG_DEFAULT_HOST_LIST)->type == VALUE_NULL);
		T_CHECK(config_value(c, CONFIG_ANSIBLE_HOME)->type == VALUE_NULL);
		T_CHECK(config_path(c, CONFIG_SSH_CONTROL_PATH_DIR) == NULL);
		T_CHECK(t_has_warning(c, "DEFAULT_HOST_LIST is unset: cannot expand"));
		T_CHECK(t_has_warning(c, "control_path_dir cannot be used as a path"));
		T_EQ_STR(config_str(c, CONFIG_DEFAULT_LOG_PATH), root_log);
	}
	config_free(c);
out:
	free(cfgdir);
	free(root_log);
	t_cleanup();
}

static void test_file_errors(void)
{
	struct config *c = NULL;
	struct diag d;
	char *m, *path;
	int r;

	t_fresh();
	path = t_write("cwd/settings.conf", "[defaults]\n");
	setenv("ANSIBLE_CONFIG", path, 1);
	m = t_load_error(&r);
	T_EQ_INT(r, ERR_PARSE);
	T_CHECK(strstr(m, "must end in .cfg or .ini, not '.conf'") != NULL);
	free(m);
	free(path);
	path = t_write("cwd/bad.ini", "[defaults]\nforks = 1\nforks = 2\n");
	setenv("ANSIBLE_CONFIG", path, 1);
	m = t_load_error(&r);
	T_CHECK(strstr(m, "bad.ini:3:1: option 'forks' in section 'defaults' already exists") != NULL);
	free(m);
	free(path);
	unsetenv("ANSIBLE_CONFIG");

	/* config_load_file: the file given, nothing searched. */
	free(t_write("cwd/ansible.cfg", "[defaults]\nforks = 2\n"));
	path = t_write("other.cfg", "[defaults]\nforks = 9\n");
	diag_init(&d);
	r = config_load_file(path, &c, &d);
	T_EQ_INT(r, 0);
	T_EQ_INT(c ? config_int(c, CONFIG_DEFAULT_FORKS, 0) : 0, 9);
	config_free(c);
	c = NULL;
	diag_fini(&d);
	free(path);
	diag_init(&d);
	r = config_load_file("missing.cfg", &c, &d);
	T_EQ_INT(r, -ENOENT);
	T_CHECK(c == NULL);
	diag_fini(&d);
	diag_init(&d);
	r = config_load_file(NULL, &c, &d);
	T_EQ_INT(r, 0);
	T_CHECK(c != NULL && config_file(c) == NULL && config_int(c, CONFIG_DEFAULT_FORKS, 0) == 5);
	config_free(c);
	diag_fini(&d);
	t_cleanup();
}

static void test_format(void)
{
	struct value *l = value_list();
	struct buf b;

	value_list_push(l, value_str("plain"));
	value_list_push(l, value_str("it's"));
	value_list_push(l, value_str("both ' and \""));
	value_list_push(l, value_str("tab\tnl\nbs\\"));
	value_list_push(l, value_str("\001\177caf\303\251\302\240"));
	buf_init(&b, 0);
	config_format_value(&b, l);
	T_EQ_STR(buf_str(&b), "['plain', \"it's\", 'both \\' and \"', 'tab\\tnl\\nbs\\\\', "
	                      "'\\x01\\x7fcaf\303\251\\xa0']");
	buf_reset(&b);
	config_format_value(&b, NULL);
	buf_puts(&b, " ");
	value_unref(l);
	l = value_bool(1);
	config_format_value(&b, l);
	buf_puts(&b, " ");
	value_unref(l);
	l = value_int(-3);
	config_format_value(&b, l);
	T_EQ_STR(buf_str(&b), "None True -3");
	value_unref(l);
	buf_fini(&b);
}

static void test_table(void)
{
	int k;

	for (k = 0; k < CONFIG_NKEYS; k++)
		T_EQ_INT(config_def((enum config_key)k)->key, k);
	T_CHECK(config_def(CONFIG_NKEYS) == NULL);
	T_CHECK(config_find("DEFAULT_FORKS", NULL) == config_def(CONFIG_DEFAULT_FORKS));
	T_CHECK(config_find("timeout", "ssh") == config_def(CONFIG_SSH_TIMEOUT));
	T_CHECK(config_find("timeout", NULL) == NULL);
	T_CHECK(config_find("DEFAULT_FORKS", "ssh") == NULL);
}

int main(void)
{
	if (getcwd(t_start, sizeof(t_start)) == NULL)
		return 1;
	T_RUN(test_defaults);
	T_RUN(test_lookup_order);
	T_RUN(test_world_writable_cwd);
	T_RUN(test_precedence);
	T_RUN(test_types);
	T_RUN(test_paths);
	T_RUN(test_file_errors);
	T_RUN(test_format);
	T_RUN(test_table);
	return T_DONE();
}
