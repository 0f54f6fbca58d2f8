/* ansible.cfg and ANSIBLE_* variables: finding the file, reading it, and
 * typing each setting as Ansible's config manager does. See config.h. */
#include "cli/config.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "data/ini.h"

#define CONFIG_MAX_WARNINGS 32
#define CONFIG_PATH_MAX 4096

/* Names, types, defaults, variables and file entries are ansible-core 2.14's
 * (config/base.yml and the ssh connection plugin's documentation). */
static const struct config_def config_defs[CONFIG_NKEYS] = {
	{CONFIG_ANSIBLE_FORCE_COLOR, "ANSIBLE_FORCE_COLOR", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_FORCE_COLOR"}, {{"defaults", "force_color"}}, {NULL}, 0},
	{CONFIG_ANSIBLE_HOME, "ANSIBLE_HOME", NULL, CONFIG_T_PATH, "~/.ansible",
	 {"ANSIBLE_HOME"}, {{"defaults", "home"}}, {NULL}, 0},
	{CONFIG_ANSIBLE_NOCOLOR, "ANSIBLE_NOCOLOR", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_NOCOLOR", "NO_COLOR"}, {{"defaults", "nocolor"}}, {NULL}, 0},
	{CONFIG_ANSIBLE_PIPELINING, "ANSIBLE_PIPELINING", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_PIPELINING"}, {{"defaults", "pipelining"}, {"connection", "pipelining"}}, {NULL}, 0},
	{CONFIG_ANY_ERRORS_FATAL, "ANY_ERRORS_FATAL", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_ANY_ERRORS_FATAL"}, {{"defaults", "any_errors_fatal"}}, {NULL}, 0},
	{CONFIG_DEFAULT_ASK_PASS, "DEFAULT_ASK_PASS", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_ASK_PASS"}, {{"defaults", "ask_pass"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME, "DEFAULT_BECOME", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_BECOME"}, {{"privilege_escalation", "become"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME_ASK_PASS, "DEFAULT_BECOME_ASK_PASS", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_BECOME_ASK_PASS"}, {{"privilege_escalation", "become_ask_pass"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME_EXE, "DEFAULT_BECOME_EXE", NULL, CONFIG_T_STR, NULL,
	 {"ANSIBLE_BECOME_EXE"}, {{"privilege_escalation", "become_exe"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME_FLAGS, "DEFAULT_BECOME_FLAGS", NULL, CONFIG_T_STR, NULL,
	 {"ANSIBLE_BECOME_FLAGS"}, {{"privilege_escalation", "become_flags"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME_METHOD, "DEFAULT_BECOME_METHOD", NULL, CONFIG_T_STR, "sudo",
	 {"ANSIBLE_BECOME_METHOD"}, {{"privilege_escalation", "become_method"}}, {NULL}, 0},
	{CONFIG_DEFAULT_BECOME_USER, "DEFAULT_BECOME_USER", NULL, CONFIG_T_STR, "root",
	 {"ANSIBLE_BECOME_USER"}, {{"privilege_escalation", "become_user"}}, {NULL}, 0},
	{CONFIG_DEFAULT_EXECUTABLE, "DEFAULT_EXECUTABLE", NULL, CONFIG_T_STR, "/bin/sh",
	 {"ANSIBLE_EXECUTABLE"}, {{"defaults", "executable"}}, {NULL}, 0},
	{CONFIG_DEFAULT_FORKS, "DEFAULT_FORKS", NULL, CONFIG_T_INT, "5",
	 {"ANSIBLE_FORKS"}, {{"defaults", "forks"}}, {NULL}, 0},
	{CONFIG_DEFAULT_GATHERING, "DEFAULT_GATHERING", NULL, CONFIG_T_STR, "implicit",
	 {"ANSIBLE_GATHERING"}, {{"defaults", "gathering"}}, {"implicit", "explicit", "smart"}, 0},
	{CONFIG_DEFAULT_HASH_BEHAVIOUR, "DEFAULT_HASH_BEHAVIOUR", NULL, CONFIG_T_STR, "replace",
	 {"ANSIBLE_HASH_BEHAVIOUR"}, {{"defaults", "hash_behaviour"}}, {"replace", "merge"}, 0},
	{CONFIG_DEFAULT_HOST_LIST, "DEFAULT_HOST_LIST", NULL, CONFIG_T_PATHLIST, "/etc/ansible/hosts",
	 {"ANSIBLE_INVENTORY"}, {{"defaults", "inventory"}}, {NULL}, 0},
	{CONFIG_DEFAULT_KEEP_REMOTE_FILES, "DEFAULT_KEEP_REMOTE_FILES", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_KEEP_REMOTE_FILES"}, {{"defaults", "keep_remote_files"}}, {NULL}, 0},
	{CONFIG_DEFAULT_LOG_PATH, "DEFAULT_LOG_PATH", NULL, CONFIG_T_PATH, NULL,
	 {"ANSIBLE_LOG_PATH"}, {{"defaults", "log_path"}}, {NULL}, 0},
	{CONFIG_DEFAULT_MODULE_NAME, "DEFAULT_MODULE_NAME", NULL, CONFIG_T_STR, "command",
	 {NULL}, {{"defaults", "module_name"}}, {NULL}, 0},
	{CONFIG_DEFAULT_PRIVATE_KEY_FILE, "DEFAULT_PRIVATE_KEY_FILE", NULL, CONFIG_T_PATH, NULL,
	 {"ANSIBLE_PRIVATE_KEY_FILE"}, {{"defaults", "private_key_file"}}, {NULL}, 0},
	{CONFIG_DEFAULT_REMOTE_PORT, "DEFAULT_REMOTE_PORT", NULL, CONFIG_T_INT, NULL,
	 {"ANSIBLE_REMOTE_PORT"}, {{"defaults", "remote_port"}}, {NULL}, 0},
	{CONFIG_DEFAULT_REMOTE_USER, "DEFAULT_REMOTE_USER", NULL, CONFIG_T_STR, NULL,
	 {"ANSIBLE_REMOTE_USER"}, {{"defaults", "remote_user"}}, {NULL}, 0},
	{CONFIG_DEFAULT_ROLES_PATH, "DEFAULT_ROLES_PATH", NULL, CONFIG_T_PATHSPEC,
	 "/roles:/usr/share/ansible/roles:/etc/ansible/roles",
	 {"ANSIBLE_ROLES_PATH"}, {{"defaults", "roles_path"}}, {NULL}, CONFIG_F_HOME_DEFAULT},
	{CONFIG_DEFAULT_STDOUT_CALLBACK, "DEFAULT_STDOUT_CALLBACK", NULL, CONFIG_T_STR, "default",
	 {"ANSIBLE_STDOUT_CALLBACK"}, {{"defaults", "stdout_callback"}}, {NULL}, 0},
	{CONFIG_DEFAULT_STRATEGY, "DEFAULT_STRATEGY", NULL, CONFIG_T_STR, "linear",
	 {"ANSIBLE_STRATEGY"}, {{"defaults", "strategy"}}, {NULL}, 0},
	{CONFIG_DEFAULT_TIMEOUT, "DEFAULT_TIMEOUT", NULL, CONFIG_T_INT, "10",
	 {"ANSIBLE_TIMEOUT"}, {{"defaults", "timeout"}}, {NULL}, 0},
	{CONFIG_DEFAULT_TRANSPORT, "DEFAULT_TRANSPORT", NULL, CONFIG_T_STR, "smart",
	 {"ANSIBLE_TRANSPORT"}, {{"defaults", "transport"}}, {NULL}, 0},
	{CONFIG_DEFAULT_UNDEFINED_VAR_BEHAVIOR, "DEFAULT_UNDEFINED_VAR_BEHAVIOR", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_ERROR_ON_UNDEFINED_VARS"}, {{"defaults", "error_on_undefined_vars"}}, {NULL}, 0},
	{CONFIG_DEFAULT_VAULT_PASSWORD_FILE, "DEFAULT_VAULT_PASSWORD_FILE", NULL, CONFIG_T_PATH, NULL,
	 {"ANSIBLE_VAULT_PASSWORD_FILE"}, {{"defaults", "vault_password_file"}}, {NULL}, 0},
	{CONFIG_DEFAULT_VERBOSITY, "DEFAULT_VERBOSITY", NULL, CONFIG_T_INT, "0",
	 {"ANSIBLE_VERBOSITY"}, {{"defaults", "verbosity"}}, {NULL}, 0},
	{CONFIG_DEPRECATION_WARNINGS, "DEPRECATION_WARNINGS", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_DEPRECATION_WARNINGS"}, {{"defaults", "deprecation_warnings"}}, {NULL}, 0},
	{CONFIG_DISPLAY_SKIPPED_HOSTS, "DISPLAY_SKIPPED_HOSTS", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_DISPLAY_SKIPPED_HOSTS"}, {{"defaults", "display_skipped_hosts"}}, {NULL}, 0},
	{CONFIG_HOST_KEY_CHECKING, "HOST_KEY_CHECKING", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_HOST_KEY_CHECKING"}, {{"defaults", "host_key_checking"}}, {NULL}, 0},
	{CONFIG_HOST_PATTERN_MISMATCH, "HOST_PATTERN_MISMATCH", NULL, CONFIG_T_STR, "warning",
	 {"ANSIBLE_HOST_PATTERN_MISMATCH"}, {{"inventory", "host_pattern_mismatch"}},
	 {"error", "warning", "ignore"}, 0},
	{CONFIG_LOCALHOST_WARNING, "LOCALHOST_WARNING", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_LOCALHOST_WARNING"}, {{"defaults", "localhost_warning"}}, {NULL}, 0},
	{CONFIG_RETRY_FILES_ENABLED, "RETRY_FILES_ENABLED", NULL, CONFIG_T_BOOL, "False",
	 {"ANSIBLE_RETRY_FILES_ENABLED"}, {{"defaults", "retry_files_enabled"}}, {NULL}, 0},
	{CONFIG_RETRY_FILES_SAVE_PATH, "RETRY_FILES_SAVE_PATH", NULL, CONFIG_T_PATH, NULL,
	 {"ANSIBLE_RETRY_FILES_SAVE_PATH"}, {{"defaults", "retry_files_save_path"}}, {NULL}, 0},
	{CONFIG_SYSTEM_WARNINGS, "SYSTEM_WARNINGS", NULL, CONFIG_T_BOOL, "True",
	 {"ANSIBLE_SYSTEM_WARNINGS"}, {{"defaults", "system_warnings"}}, {NULL}, 0},

	{CONFIG_SSH_CONTROL_PATH, "control_path", "ssh", CONFIG_T_STR, NULL,
	 {"ANSIBLE_SSH_CONTROL_PATH"}, {{"ssh_connection", "control_path"}}, {NULL}, 0},
	{CONFIG_SSH_CONTROL_PATH_DIR, "control_path_dir", "ssh", CONFIG_T_STR, "~/.ansible/cp",
	 {"ANSIBLE_SSH_CONTROL_PATH_DIR"}, {{"ssh_connection", "control_path_dir"}}, {NULL}, CONFIG_F_USE_PATH},
	{CONFIG_SSH_HOST_KEY_CHECKING, "host_key_checking", "ssh", CONFIG_T_BOOL, "True",
	 {"ANSIBLE_HOST_KEY_CHECKING", "ANSIBLE_SSH_HOST_KEY_CHECKING"},
	 {{"defaults", "host_key_checking"}, {"ssh_connection", "host_key_checking"}}, {NULL}, 0},
	{CONFIG_SSH_PIPELINING, "pipelining", "ssh", CONFIG_T_BOOL, "False",
	 {"ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING"},
	 {{"defaults", "pipelining"}, {"connection", "pipelining"}, {"ssh_connection", "pipelining"}}, {NULL}, 0},
	{CONFIG_SSH_PORT, "port", "ssh", CONFIG_T_INT, NULL,
	 {"ANSIBLE_REMOTE_PORT"}, {{"defaults", "remote_port"}}, {NULL}, 0},
	{CONFIG_SSH_PRIVATE_KEY_FILE, "private_key_file", "ssh", CONFIG_T_STR, NULL,
	 {"ANSIBLE_PRIVATE_KEY_FILE"}, {{"defaults", "private_key_file"}}, {NULL}, CONFIG_F_USE_PATH},
	{CONFIG_SSH_RETRIES, "reconnection_retries", "ssh", CONFIG_T_INT, "0",
	 {"ANSIBLE_SSH_RETRIES"}, {{"connection", "retries"}, {"ssh_connection", "retries"}}, {NULL}, 0},
	{CONFIG_SSH_REMOTE_USER, "remote_user", "ssh", CONFIG_T_STR, NULL,
	 {"ANSIBLE_REMOTE_USER"}, {{"defaults", "remote_user"}}, {NULL}, 0},
	{CONFIG_SSH_ARGS, "ssh_args", "ssh", CONFIG_T_STR, "-C -o ControlMaster=auto -o ControlPersist=60s",
	 {"ANSIBLE_SSH_ARGS"}, {{"ssh_connection", "ssh_args"}}, {NULL}, 0},
	{CONFIG_SSH_COMMON_ARGS, "ssh_common_args", "ssh", CONFIG_T_STR, "",
	 {"ANSIBLE_SSH_COMMON_ARGS"}, {{"ssh_connection", "ssh_common_args"}}, {NULL}, 0},
	{CONFIG_SSH_EXECUTABLE, "ssh_executable", "ssh", CONFIG_T_STR, "ssh",
	 {"ANSIBLE_SSH_EXECUTABLE"}, {{"ssh_connection", "ssh_executable"}}, {NULL}, 0},
	{CONFIG_SSH_EXTRA_ARGS, "ssh_extra_args", "ssh", CONFIG_T_STR, "",
	 {"ANSIBLE_SSH_EXTRA_ARGS"}, {{"ssh_connection", "ssh_extra_args"}}, {NULL}, 0},
	{CONFIG_SSH_TIMEOUT, "timeout", "ssh", CONFIG_T_INT, "10",
	 {"ANSIBLE_TIMEOUT", "ANSIBLE_SSH_TIMEOUT"}, {{"defaults", "timeout"}, {"ssh_connection", "timeout"}},
	 {NULL}, 0},
	{CONFIG_SSH_USE_TTY, "use_tty", "ssh", CONFIG_T_BOOL, "yes",
	 {"ANSIBLE_SSH_USETTY"}, {{"ssh_connection", "usetty"}}, {NULL}, 0},
};

struct config_setting {
	struct value *val; /* owned */
	enum config_from from;
	char *origin;      /* owned; for config_origin */
	char *path;        /* owned; CONFIG_F_USE_PATH expansion, or NULL */
};

struct config {
	char *file;   /* owned; absolute, or NULL when there is none */
	char *home;   /* owned; from the password database, NULL when unknown */
	char *cwd;    /* owned; NULL when unknown */
	struct value *doc; /* owned: the file's sections */
	char *warnings[CONFIG_MAX_WARNINGS]; /* owned */
	size_t nwarnings;
	struct config_setting set[CONFIG_NKEYS];
};

static const char *config_test_home;
static const char *config_test_etc;

void config_test_paths(const char *home, const char *etc_cfg)
{
	config_test_home = home;
	config_test_etc = etc_cfg;
}

static void config_warn(struct config *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void config_warn(struct config *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nwarnings == CONFIG_MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	c->warnings[c->nwarnings++] = xvasprintf(fmt, ap);
	va_end(ap);
}

/* The home directory of the real uid from the password database. */
static char *config_home_dir(void)
{
	struct passwd *pw;

	if (config_test_home != NULL)
		return *config_test_home ? xstrdup(config_test_home) : NULL;
	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/')
		return NULL;
	return xstrdup(pw->pw_dir);
}

/* posixpath.normpath, in place: "." and empty parts go, ".." takes one
 * part back (never above the root), exactly two leading slashes stay. */
static void config_normpath(char *path)
{
	struct {
		size_t off, len;
	} *comps;
	size_t n = strlen(path), lead = 0, ncomp = 0, i, start, len, out = 0;
	char *res;

	if (n == 0)
		return;
	if (path[0] == '/')
		lead = path[1] == '/' && path[2] != '/' ? 2 : 1;
	comps = xreallocarray(NULL, n / 2 + 1, sizeof(*comps));
	for (i = 0; i < n;) {
		while (i < n && path[i] == '/')
			i++;
		start = i;
		while (i < n && path[i] != '/')
			i++;
		len = i - start;
		if (len == 0 || (len == 1 && path[start] == '.'))
			continue;
		if (len == 2 && path[start] == '.' && path[start + 1] == '.' && !(lead == 0 && ncomp == 0) &&
		    !(ncomp > 0 && comps[ncomp - 1].len == 2 && memcmp(path + comps[ncomp - 1].off, "..", 2) == 0)) {
			if (ncomp > 0)
				ncomp--;
			continue;
		}
		comps[ncomp].off = start;
		comps[ncomp].len = len;
		ncomp++;
	}
	res = xmalloc(n + 2);
	for (i = 0; i < lead; i++)
		res[out++] = '/';
	for (i = 0; i < ncomp; i++) {
		if (i > 0)
			res[out++] = '/';
		memcpy(res + out, path + comps[i].off, comps[i].len);
		out += comps[i].len;
	}
	if (out == 0)
		res[out++] = '.';
	res[out] = '\0';
	memcpy(path, res, out + 1);
	free(res);
	free(comps);
}

/* Appends the expansion of text's $NAME and ${NAME} (os.path.expandvars):
 * HOME from the password database, anything else from the environment, an
 * unset name left as written. */
static int config_expandvars(const struct config *c, const char *text, struct buf *out, char **whyp)
{
	const char *p = text, *name, *end, *val;
	char *nm;
	int braced, r;

	while (*p) {
		if (*p != '$') {
			if ((r = buf_putc(out, *p++)) != 0)
				return r;
			continue;
		}
		braced = p[1] == '{' && (end = strchr(p + 2, '}')) != NULL;
		if (braced) {
			name = p + 2;
		} else {
			name = end = p + 1;
			while ((*end >= 'a' && *end <= 'z') || (*end >= 'A' && *end <= 'Z') ||
			       (*end >= '0' && *end <= '9') || *end == '_')
				end++;
			if (end == name) {
				if ((r = buf_putc(out, *p++)) != 0)
					return r;
				continue;
			}
		}
		nm = xstrndup(name, (size_t)(end - name));
		if (strcmp(nm, "HOME") == 0) {
			val = c->home;
			if (val == NULL) {
				*whyp = xasprintf("cannot expand $HOME: uid %u has no home directory in the password database",
				                  (unsigned)getuid());
				free(nm);
				return ERR_NOTFOUND;
			}
		} else {
			val = getenv(nm);
		}
		free(nm);
		end += braced;
		r = val != NULL ? buf_puts(out, val) : buf_put(out, p, (size_t)(end - p));
		if (r != 0)
			return r;
		p = end;
	}
	return 0;
}

/* Resolves a path as Ansible's resolve_path: {{CWD}}, $VARS, then "~" or
 * "~user", then relative to basedir, then normalised. Returns 0 with *outp,
 * or an error with *whyp saying what could not be expanded. */
static int config_resolve(const struct config *c, const char *in, const char *basedir, char **outp, char **whyp)
{
	struct buf a, b;
	const char *p, *cwdtag, *slash, *home = NULL, *rest;
	char *user = NULL;
	struct passwd *pw;
	int r = ERR_INTERNAL;

	*outp = NULL;
	*whyp = NULL;
	buf_init(&a, CONFIG_PATH_MAX * 4);
	buf_init(&b, CONFIG_PATH_MAX * 4);
	for (p = in; (cwdtag = strstr(p, "{{CWD}}")) != NULL; p = cwdtag + 7) {
		if (c->cwd == NULL) {
			*whyp = xasprintf("cannot expand {{CWD}} in '%s': the current directory is unknown", in);
			r = ERR_NOTFOUND;
			goto out;
		}
		if ((r = buf_put(&a, p, (size_t)(cwdtag - p))) != 0 || (r = buf_puts(&a, c->cwd)) != 0)
			goto out;
	}
	if ((r = buf_puts(&a, p)) != 0 || (r = config_expandvars(c, buf_str(&a), &b, whyp)) != 0)
		goto out;
	buf_reset(&a);
	p = buf_str(&b);
	if (p[0] == '~') {
		slash = strchr(p, '/');
		rest = slash != NULL ? slash : p + strlen(p);
		if (rest == p + 1) {
			if ((home = c->home) == NULL) {
				*whyp = xasprintf("cannot expand '~' in '%s': uid %u has no home directory in the "
				                  "password database", in, (unsigned)getuid());
				r = ERR_NOTFOUND;
				goto out;
			}
		} else {
			user = xstrndup(p + 1, (size_t)(rest - p - 1));
			pw = getpwnam(user);
			home = pw != NULL && pw->pw_dir != NULL ? pw->pw_dir : NULL;
		}
		if (home != NULL) {
			size_t hl = strlen(home);

			while (hl > 0 && home[hl - 1] == '/')
				hl--;
			if ((r = buf_put(&a, home, hl)) != 0 || (r = buf_puts(&a, rest)) != 0)
				goto out;
			if (a.len == 0 && (r = buf_putc(&a, '/')) != 0)
				goto out;
			p = buf_str(&a);
		}
	}
	if (p[0] != '/') {
		if (basedir == NULL) {
			*whyp = xasprintf("cannot resolve the relative path '%s': the current directory is unknown", in);
			r = ERR_NOTFOUND;
			goto out;
		}
		*outp = xasprintf("%s%s%s", basedir, basedir[strlen(basedir) - 1] == '/' ? "" : "/", p);
	} else {
		*outp = xstrdup(p);
	}
	config_normpath(*outp);
	r = 0;
out:
	if (r == ERR_TOOBIG)
		*whyp = xasprintf("'%s' expands to a path that is too long", in);
	free(user);
	buf_fini(&a);
	buf_fini(&b);
	return r;
}

/* ansible.parsing.quoting.unquote: one pair of matching outer quotes, unless
 * the closing one is escaped. */
static char *config_unquote(const char *s, size_t n)
{
	if (n > 1 && s[0] == s[n - 1] && (s[0] == '"' || s[0] == '\'') && s[n - 2] != '\\')
		return xstrndup(s + 1, n - 2);
	return xstrndup(s, n);
}

static int config_isspace(char ch)
{
	unsigned char u = (unsigned char)ch;

	return (u >= 0x09 && u <= 0x0d) || (u >= 0x1c && u <= 0x20);
}

/* Narrows [*sp, *ep) past ASCII whitespace (Python's str.strip() for the
 * characters config values contain). */
static void config_strip(const char **sp, const char **ep)
{
	while (*sp < *ep && config_isspace(**sp))
		(*sp)++;
	while (*ep > *sp && config_isspace((*ep)[-1]))
		(*ep)--;
}

/* Python's int() on a str: blanks around, a sign, digits with single
 * underscores between them. Values outside int are refused. */
static int config_parse_int(const char *text, int *outp)
{
	const char *s = text, *e = text + strlen(text);
	long long v = 0;
	int neg = 0, digits = 0;

	config_strip(&s, &e);
	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	for (; s < e; s++) {
		if (*s == '_' && digits > 0 && s + 1 < e && s[1] >= '0' && s[1] <= '9')
			continue;
		if (*s < '0' || *s > '9')
			return ERR_INVAL;
		digits++;
		v = v * 10 + (*s - '0');
		if (v > (long long)INT_MAX + 1)
			return ERR_TOOBIG;
	}
	if (digits == 0)
		return ERR_INVAL;
	v = neg ? -v : v;
	if (v > INT_MAX || v < INT_MIN)
		return ERR_TOOBIG;
	*outp = (int)v;
	return 0;
}

/* Ansible's boolean(value, strict=False). */
static int config_parse_bool(const char *text)
{
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t"};
	const char *s = text, *e = text + strlen(text);
	size_t i, n;

	config_strip(&s, &e);
	n = (size_t)(e - s);
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
			return 1;
	return 0;
}

/* Types text as def says. Returns 0 with *vp; ERR_INVAL with *whyp for a
 * value of the wrong type; ERR_NOTFOUND with *whyp for a path that cannot be
 * expanded. */
static int config_convert(const struct config *c, const struct config_def *def, const char *text,
                          const char *basedir, struct value **vp, char **whyp)
{
	struct value *list = NULL;
	const char *p, *e, *sep;
	char sepc = def->type == CONFIG_T_PATHSPEC ? ':' : ',';
	char *item = NULL, *path = NULL;
	int i, r = ERR_INTERNAL;

	*vp = NULL;
	*whyp = NULL;
	if (text == NULL) {
		*vp = value_null();
		return 0;
	}
	switch (def->type) {
	case CONFIG_T_STR:
		item = config_unquote(text, strlen(text));
		*vp = value_str_take(item, strlen(item));
		return 0;
	case CONFIG_T_INT:
		if ((r = config_parse_int(text, &i)) != 0) {
			*whyp = xasprintf(r == ERR_TOOBIG ? "'%s' is out of range" : "'%s' is not an integer", text);
			return ERR_INVAL;
		}
		*vp = value_int(i);
		return 0;
	case CONFIG_T_BOOL:
		*vp = value_bool(config_parse_bool(text));
		return 0;
	case CONFIG_T_PATH:
		if ((r = config_resolve(c, text, basedir, &path, whyp)) != 0)
			return r;
		*vp = value_str_take(path, strlen(path));
		return 0;
	case CONFIG_T_PATHLIST:
	case CONFIG_T_PATHSPEC:
	case CONFIG_T_LIST:
		break;
	}
	list = value_list();
	for (p = text;; p = sep + 1) {
		sep = strchr(p, sepc);
		e = sep != NULL ? sep : p + strlen(p);
		if (def->type != CONFIG_T_PATHSPEC)
			config_strip(&p, &e);
		item = def->type == CONFIG_T_LIST ? config_unquote(p, (size_t)(e - p)) : xstrndup(p, (size_t)(e - p));
		if (def->type != CONFIG_T_LIST) {
			if ((r = config_resolve(c, item, basedir, &path, whyp)) != 0)
				goto out;
			free(item);
			item = path;
		}
		value_list_push(list, value_str_take(item, strlen(item)));
		item = NULL;
		if (sep == NULL)
			break;
	}
	*vp = list;
	list = NULL;
	r = 0;
out:
	free(item);
	value_unref(list);
	return r;
}

/* Sets the position of v and of its items. */
static void config_position(struct value *v, const struct value *from)
{
	size_t i;

	value_pos_from(v, from);
	if (v->type == VALUE_LIST)
		for (i = 0; i < value_len(v); i++)
			value_pos_from(value_list_at(v, i), from);
}

static int config_check_choice(const struct config_def *def, const struct value *v)
{
	size_t i;

	if (def->choices[0] == NULL || v->type != VALUE_STR)
		return 0;
	for (i = 0; i < CONFIG_MAX_CHOICES && def->choices[i] != NULL; i++)
		if (strcmp(def->choices[i], value_cstr(v)) == 0)
			return 0;
	return ERR_INVAL;
}

static char *config_choices_text(const struct config_def *def)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < CONFIG_MAX_CHOICES && def->choices[i] != NULL; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", def->choices[i]);
	return buf_take(&b, NULL);
}

/* Finds the text of a setting in the environment (the last variable set
 * wins) or else the file (the last entry present wins); NULL when neither
 * has it. */
static const char *config_source(const struct config *c, const struct config_def *def, const char **envp,
                                 const struct value **fvp, const struct config_ini_entry **wherep)
{
	const char *text = NULL;
	size_t i;

	*envp = NULL;
	*fvp = NULL;
	*wherep = NULL;
	for (i = 0; i < CONFIG_MAX_ENV && def->env[i] != NULL; i++)
		if (getenv(def->env[i]) != NULL) {
			*envp = def->env[i];
			text = getenv(def->env[i]);
		}
	if (text != NULL || c->doc == NULL)
		return text;
	for (i = 0; i < CONFIG_MAX_INI && def->ini[i].section != NULL; i++) {
		const struct value *iv = ini_get(c->doc, def->ini[i].section, def->ini[i].key, NULL);

		if (iv != NULL) {
			*fvp = iv;
			*wherep = &def->ini[i];
		}
	}
	return *fvp != NULL ? value_cstr(*fvp) : NULL;
}

/* The default's text (heap), after ANSIBLE_HOME for the defaults built on it;
 * NULL for None. */
static char *config_default_text(const struct config *c, const struct config_def *def)
{
	const struct value *home = c->set[CONFIG_ANSIBLE_HOME].val;

	if (def->def == NULL)
		return NULL;
	if (!(def->flags & CONFIG_F_HOME_DEFAULT))
		return xstrdup(def->def);
	/* An ANSIBLE_HOME that could not be expanded leaves "~" for the same
	 * warning to name. */
	return xasprintf("%s%s", home != NULL && home->type == VALUE_STR ? value_cstr(home) : "~/.ansible", def->def);
}

/* Types the text found for def, falling back to the default where Ansible
 * does; a path that cannot be expanded leaves the setting None with a
 * warning. Returns 0 with *vp, or ERR_INVAL with *whyp. */
static int config_type_value(struct config *c, const struct config_def *def, const char *text, const char **envp,
                             const char *basedir, struct value **vp, char **whyp)
{
	char *deftext = NULL, *choices;
	int r;

	if (text == NULL)
		text = deftext = config_default_text(c, def);
	r = config_convert(c, def, text, basedir, vp, whyp);
	if (r == ERR_INVAL && *envp != NULL && *text == '\0') {
		/* Ansible takes an empty variable that does not type as unset. */
		*envp = NULL;
		free(*whyp);
		text = deftext = config_default_text(c, def);
		r = config_convert(c, def, text, c->cwd, vp, whyp);
	}
	if (r == ERR_NOTFOUND) {
		config_warn(c, "%s is unset: %s", def->name, *whyp);
		free(*whyp);
		*whyp = NULL;
		*vp = value_null();
		r = 0;
	}
	if (r == 0 && config_check_choice(def, *vp) != 0) {
		choices = config_choices_text(def);
		*whyp = xasprintf("'%s' is not one of %s", value_cstr(*vp), choices);
		free(choices);
		value_unref(*vp);
		*vp = NULL;
		r = ERR_INVAL;
	}
	free(deftext);
	return r;
}

/* Settles one setting: environment, then file, then default. */
static int config_settle(struct config *c, const struct config_def *def, struct diag *d)
{
	struct config_setting *s = &c->set[def->key];
	const struct value *fv;
	const struct config_ini_entry *where;
	const char *text, *envname;
	char *why = NULL, *dir = NULL;
	struct value *v = NULL;
	int r = ERR_INTERNAL;

	text = config_source(c, def, &envname, &fv, &where);
	if (fv != NULL) {
		/* A relative path in the file is relative to the file. */
		dir = xstrdup(c->file);
		*strrchr(dir, '/') = '\0';
	}
	if ((r = config_type_value(c, def, text, &envname, dir != NULL ? (*dir ? dir : "/") : c->cwd, &v, &why)) != 0) {
		if (fv != NULL)
			diag_set(d, fv->pos.file, (int)fv->pos.line, (int)fv->pos.col, "invalid value for %s ([%s] %s): %s",
			         def->name, where->section, where->key, why);
		else if (envname != NULL)
			diag_set(d, NULL, 0, 0, "invalid value for %s (from $%s): %s", def->name, envname, why);
		else
			diag_set(d, NULL, 0, 0, "invalid default for %s: %s", def->name, why);
		r = ERR_PARSE;
		goto out;
	}
	if (fv != NULL) {
		config_position(v, fv);
		s->from = CONFIG_FROM_FILE;
		s->origin = xasprintf("%s:%u", c->file, (unsigned)fv->pos.line);
	} else if (envname != NULL) {
		s->from = CONFIG_FROM_ENV;
		s->origin = xasprintf("env: %s", envname);
	} else {
		s->from = CONFIG_FROM_DEFAULT;
		s->origin = xstrdup("default");
	}
	if ((def->flags & CONFIG_F_USE_PATH) && v->type == VALUE_STR &&
	    config_resolve(c, value_cstr(v), c->cwd, &s->path, &why) != 0)
		config_warn(c, "%s cannot be used as a path: %s", def->name, why);
	s->val = v;
	v = NULL;
	r = 0;
out:
	value_unref(v);
	free(why);
	free(dir);
	return r;
}

/* posixpath.splitext's extension of path's last component. */
static const char *config_ext(const char *path)
{
	const char *base = strrchr(path, '/'), *dot = strrchr(path, '.'), *p;

	base = base != NULL ? base + 1 : path;
	if (dot == NULL || dot < base)
		return "";
	for (p = base; p < dot; p++)
		if (*p != '.')
			return dot;
	return "";
}

static int config_readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && access(path, R_OK) == 0;
}

/* Picks the file as Ansible's find_ini_config_file. */
static void config_locate(struct config *c)
{
	const char *env = getenv("ANSIBLE_CONFIG");
	char *cand[4] = {NULL, NULL, NULL, NULL}, *envpath = NULL, *why = NULL, *cwdcfg = NULL;
	struct stat st;
	size_t n = 0, i;
	int warn_public = 0;

	if (env != NULL) {
		if (config_resolve(c, env, c->cwd, &envpath, &why) != 0) {
			config_warn(c, "ANSIBLE_CONFIG is ignored: %s", why);
		} else {
			if (stat(envpath, &st) == 0 && S_ISDIR(st.st_mode)) {
				char *p = xasprintf("%s%sansible.cfg", envpath,
				                    envpath[strlen(envpath) - 1] == '/' ? "" : "/");

				free(envpath);
				envpath = p;
			}
			cand[n++] = xstrdup(envpath);
		}
	}
	if (c->cwd != NULL && stat(c->cwd, &st) == 0) {
		cwdcfg = xasprintf("%s%sansible.cfg", c->cwd, strcmp(c->cwd, "/") == 0 ? "" : "/");
		if (st.st_mode & S_IWOTH)
			/* Anyone could have put it there. */
			warn_public = access(cwdcfg, F_OK) == 0;
		else
			cand[n++] = xstrdup(cwdcfg);
	}
	if (c->home != NULL)
		cand[n++] = xasprintf("%s%s.ansible.cfg", c->home, strcmp(c->home, "/") == 0 ? "" : "/");
	cand[n++] = xstrdup(config_test_etc != NULL ? config_test_etc : "/etc/ansible/ansible.cfg");
	for (i = 0; i < n && c->file == NULL; i++)
		if (config_readable(cand[i])) {
			c->file = cand[i];
			cand[i] = NULL;
		}
	if (envpath != NULL && (c->file == NULL || strcmp(c->file, envpath) != 0))
		config_warn(c, "ANSIBLE_CONFIG names %s, which does not exist or cannot be read; using %s", envpath,
		            c->file != NULL ? c->file : "no configuration file");
	if (warn_public && (envpath == NULL || c->file == NULL || strcmp(c->file, envpath) != 0))
		config_warn(c, "ignoring %s: the current directory is world-writable, so anyone could have "
		            "written it (Ansible ignores it too)", cwdcfg);
	for (i = 0; i < n; i++)
		free(cand[i]);
	free(envpath);
	free(cwdcfg);
	free(why);
}

static int config_load_common(const char *path, int search, struct config **cfgp, struct diag *d)
{
	struct config *c = xcalloc(1, sizeof(*c));
	char cwd[PATH_MAX];
	const char *ext;
	char *why = NULL;
	size_t i;
	int r = ERR_INTERNAL;

	*cfgp = NULL;
	for (i = 0; i < CONFIG_NKEYS; i++)
		if (config_defs[i].key != (enum config_key)i)
			fatal("config: the settings table is out of order at %s", config_defs[i].name);
	c->home = config_home_dir();
	if (getcwd(cwd, sizeof(cwd)) != NULL && cwd[0] == '/')
		c->cwd = xstrdup(cwd);
	if (search) {
		config_locate(c);
	} else if (path != NULL) {
		if ((r = config_resolve(c, path, c->cwd, &c->file, &why)) != 0) {
			diag_set(d, path, 0, 0, "%s", why);
			r = ERR_PARSE;
			goto out;
		}
	}
	if (c->file != NULL) {
		ext = config_ext(c->file);
		if (strcmp(ext, ".cfg") != 0 && strcmp(ext, ".ini") != 0) {
			diag_set(d, c->file, 0, 0, "a configuration file's name must end in .cfg or .ini, not '%s'", ext);
			r = ERR_PARSE;
			goto out;
		}
		if ((r = ini_load_file(c->file, &ini_opts_ansible, &c->doc, d)) != 0)
			goto out;
	}
	for (i = 0; i < CONFIG_NKEYS; i++)
		if ((r = config_settle(c, &config_defs[i], d)) != 0)
			goto out;
	*cfgp = c;
	c = NULL;
	r = 0;
out:
	free(why);
	config_free(c);
	return r;
}

int config_load(struct config **cfgp, struct diag *d)
{
	return config_load_common(NULL, 1, cfgp, d);
}

int config_load_file(const char *path, struct config **cfgp, struct diag *d)
{
	return config_load_common(path, 0, cfgp, d);
}

void config_free(struct config *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		value_unref(c->set[i].val);
		free(c->set[i].origin);
		free(c->set[i].path);
	}
	for (i = 0; i < c->nwarnings; i++)
		free(c->warnings[i]);
	value_unref(c->doc);
	free(c->file);
	free(c->home);
	free(c->cwd);
	free(c);
}

const char *config_file(const struct config *c)
{
	return c->file;
}

const char *config_warning(const struct config *c, size_t i)
{
	return i < c->nwarnings ? c->warnings[i] : NULL;
}

void config_print_warnings(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nwarnings; i++)
		log_warn("%s", c->warnings[i]);
}

static const struct config_setting *config_get(const struct config *c, enum config_key k)
{
	if ((unsigned)k >= CONFIG_NKEYS)
		fatal("config: no setting %d", (int)k);
	return &c->set[k];
}

const struct value *config_value(const struct config *c, enum config_key k)
{
	return config_get(c, k)->val;
}

const char *config_str(const struct config *c, enum config_key k)
{
	return value_cstr(config_get(c, k)->val);
}

const char *config_path(const struct config *c, enum config_key k)
{
	const struct config_setting *s = config_get(c, k);

	if (config_defs[k].flags & CONFIG_F_USE_PATH)
		return s->path;
	return config_defs[k].type == CONFIG_T_PATH ? value_cstr(s->val) : NULL;
}

int config_int(const struct config *c, enum config_key k, int def)
{
	const struct value *v = config_get(c, k)->val;

	return v->type == VALUE_INT ? (int)v->u.i : def;
}

int config_bool(const struct config *c, enum config_key k)
{
	const struct value *v = config_get(c, k)->val;

	return v->type == VALUE_BOOL && v->u.b;
}

const struct value *config_list(const struct config *c, enum config_key k)
{
	const struct value *v = config_get(c, k)->val;

	return v->type == VALUE_LIST ? v : NULL;
}

enum config_from config_from(const struct config *c, enum config_key k)
{
	return config_get(c, k)->from;
}

const char *config_origin(const struct config *c, enum config_key k)
{
	return config_get(c, k)->origin;
}

const struct config_def *config_def(enum config_key k)
{
	return (unsigned)k < CONFIG_NKEYS ? &config_defs[k] : NULL;
}

const struct config_def *config_find(const char *name, const char *plugin)
{
	size_t i;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		const struct config_def *def = &config_defs[i];

		if (strcmp(def->name, name) == 0 &&
		    (plugin == NULL ? def->plugin == NULL : def->plugin != NULL && strcmp(def->plugin, plugin) == 0))
			return def;
	}
	return NULL;
}

/* Decodes the UTF-8 character at s (n bytes left): returns its length and
 * sets *cp, or returns 0 for a byte that starts no valid character. */
static size_t config_utf8(const unsigned char *s, size_t n, unsigned *cp)
{
	size_t len, i;
	unsigned v;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, v = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, v = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, v = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) || (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return len;
}

/* Whether Python's str.isprintable() is false for a non-ASCII code point
 * drover is likely to meet: C1 controls, and the separators and format
 * characters of the Latin-1 and General Punctuation blocks. */
static int config_unprintable(unsigned cp)
{
	return cp <= 0xa0 || cp == 0xad || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200f) ||
	       (cp >= 0x2028 && cp <= 0x202f) || (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff;
}

/* Appends Python's repr() of a str. */
static int config_repr_str(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	char q = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL ? '"' : '\'';
	unsigned cp;
	size_t len;
	int r;

	if ((r = buf_putc(out, q)) != 0)
		return r;
	while (p < end) {
		if ((len = config_utf8(p, (size_t)(end - p), &cp)) == 0) {
			/* Python decodes such a byte to a lone surrogate (surrogateescape). */
			r = buf_printf(out, "\\udc%02x", *p);
			len = 1;
		} else if (cp == (unsigned char)q || cp == '\\') {
			r = buf_printf(out, "\\%c", (char)cp);
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			r = buf_printf(out, "\\%c", cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't');
		} else if (cp < 0x20 || cp == 0x7f) {
			r = buf_printf(out, "\\x%02x", cp);
		} else if (cp >= 0x80 && config_unprintable(cp)) {
			r = cp <= 0xff ? buf_printf(out, "\\x%02x", cp) : buf_printf(out, "\\u%04x", cp);
		} else {
			r = buf_put(out, p, len);
		}
		if (r != 0)
			return r;
		p += len;
	}
	return buf_putc(out, q);
}

int config_format_value(struct buf *out, const struct value *v)
{
	size_t i;
	int r;

	if (v == NULL || v->type == VALUE_NULL)
		return buf_puts(out, "None");
	switch (v->type) {
	case VALUE_BOOL:
		return buf_puts(out, v->u.b ? "True" : "False");
	case VALUE_INT:
		return buf_printf(out, "%lld", (long long)v->u.i);
	case VALUE_STR:
		return buf_put(out, v->u.s.ptr, v->u.s.len);
	case VALUE_LIST:
		if ((r = buf_putc(out, '[')) != 0)
			return r;
		for (i = 0; i < value_len(v); i++) {
			const struct value *item = value_list_at(v, i);

			if (i > 0 && (r = buf_puts(out, ", ")) != 0)
				return r;
			r = item->type == VALUE_STR ? config_repr_str(out, item->u.s.ptr, item->u.s.len)
			                            : config_format_value(out, item);
			if (r != 0)
				return r;
		}
		return buf_putc(out, ']');
	default:
		return buf_puts(out, value_type_name(v));
	}
}
