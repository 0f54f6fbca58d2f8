/* Configuration as Ansible users have it: the ansible.cfg subset drover
 * understands and the ANSIBLE_* environment variables, with Ansible's names,
 * defaults, types and precedence (environment > ansible.cfg > default).
 *
 * The file is found as Ansible 2.14 finds it, the first readable one winning
 * (files are never merged):
 *   1. $ANSIBLE_CONFIG (a file, or a directory holding ansible.cfg);
 *   2. ./ansible.cfg, unless the current directory is world-writable (then it
 *      is ignored and a warning says so, as Ansible does);
 *   3. ~/.ansible.cfg, the home directory taken from the password database;
 *   4. /etc/ansible/ansible.cfg.
 * It is read with Ansible's INI rules (data/ini.h, ini_opts_ansible): inline
 * ";" comments, no interpolation, keys in the [DEFAULT] section visible in
 * every existing section. Its name must end in .cfg or .ini.
 *
 * Typing follows Ansible's config manager: strings lose one pair of matching
 * outer quotes; booleans are Ansible's ("yes", "on", "1", "true", "t", "y"
 * are true, anything else false); integers are Python int() literals (an
 * empty ANSIBLE_* variable for an integer means the default); lists split at
 * commas. Path settings expand $VARS from the environment, then "~"; a
 * relative path is taken from the directory of ansible.cfg when it came from
 * the file, else from the current directory; "{{CWD}}" is the current
 * directory. Unlike Ansible, "~", "$HOME" and "${HOME}" always mean the home
 * directory in the password database, never the HOME variable, so a process
 * started without HOME (by a supervisor, cron, systemd) behaves the same as
 * one started from a login shell.
 *
 * Settings are named as `ansible-config dump` names them: base settings in
 * upper case (DEFAULT_FORKS), and the ssh connection plugin's options in
 * lower case (ssh_args), which is also how `ansible-config dump -t connection
 * ssh` lists them. */
#ifndef DROVER_CLI_CONFIG_H
#define DROVER_CLI_CONFIG_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

enum config_key {
	/* Base settings (ansible-config dump). */
	CONFIG_ANSIBLE_FORCE_COLOR,          /* bool: color even without a terminal */
	CONFIG_ANSIBLE_HOME,                 /* path: ~/.ansible */
	CONFIG_ANSIBLE_NOCOLOR,              /* bool: also NO_COLOR */
	CONFIG_ANSIBLE_PIPELINING,           /* bool */
	CONFIG_ANY_ERRORS_FATAL,             /* bool */
	CONFIG_DEFAULT_ASK_PASS,             /* bool: as -k */
	CONFIG_DEFAULT_BECOME,               /* bool: as -b */
	CONFIG_DEFAULT_BECOME_ASK_PASS,      /* bool: as -K */
	CONFIG_DEFAULT_BECOME_EXE,           /* string or None */
	CONFIG_DEFAULT_BECOME_FLAGS,         /* string or None */
	CONFIG_DEFAULT_BECOME_METHOD,        /* string: sudo */
	CONFIG_DEFAULT_BECOME_USER,          /* string: root */
	CONFIG_DEFAULT_EXECUTABLE,           /* string: /bin/sh */
	CONFIG_DEFAULT_FORKS,                /* int: 5 */
	CONFIG_DEFAULT_GATHERING,            /* string: implicit, explicit or smart */
	CONFIG_DEFAULT_HASH_BEHAVIOUR,       /* string: replace or merge */
	CONFIG_DEFAULT_HOST_LIST,            /* pathlist: inventory sources */
	CONFIG_DEFAULT_KEEP_REMOTE_FILES,    /* bool */
	CONFIG_DEFAULT_LOG_PATH,             /* path or None */
	CONFIG_DEFAULT_MODULE_NAME,          /* string: command (no variable) */
	CONFIG_DEFAULT_PRIVATE_KEY_FILE,     /* path or None */
	CONFIG_DEFAULT_REMOTE_PORT,          /* int or None */
	CONFIG_DEFAULT_REMOTE_USER,          /* string or None */
	CONFIG_DEFAULT_ROLES_PATH,           /* pathspec: colon-separated */
	CONFIG_DEFAULT_STDOUT_CALLBACK,      /* string: default */
	CONFIG_DEFAULT_STRATEGY,             /* string: linear */
	CONFIG_DEFAULT_TIMEOUT,              /* int: 10 (seconds) */
	CONFIG_DEFAULT_TRANSPORT,            /* string: smart */
	CONFIG_DEFAULT_UNDEFINED_VAR_BEHAVIOR, /* bool: error_on_undefined_vars */
	CONFIG_DEFAULT_VAULT_PASSWORD_FILE,  /* path or None */
	CONFIG_DEFAULT_VERBOSITY,            /* int: 0 */
	CONFIG_DEPRECATION_WARNINGS,         /* bool */
	CONFIG_DISPLAY_SKIPPED_HOSTS,        /* bool */
	CONFIG_HOST_KEY_CHECKING,            /* bool: True */
	CONFIG_HOST_PATTERN_MISMATCH,        /* string: warning, error or ignore */
	CONFIG_LOCALHOST_WARNING,            /* bool */
	CONFIG_RETRY_FILES_ENABLED,          /* bool: False */
	CONFIG_RETRY_FILES_SAVE_PATH,        /* path or None */
	CONFIG_SYSTEM_WARNINGS,              /* bool */
	/* The ssh connection plugin's options (ansible-config dump -t connection
	 * ssh, with its documentation fragments): where Ansible has both, these are the ones its ssh connections
	 * use, and they know more variables and sections than the base ones. */
	CONFIG_SSH_CONTROL_PATH,             /* string or None: ssh's ControlPath */
	CONFIG_SSH_CONTROL_PATH_DIR,         /* string: ~/.ansible/cp (config_path expands it) */
	CONFIG_SSH_HOST_KEY_CHECKING,        /* bool: True */
	CONFIG_SSH_PIPELINING,               /* bool: False */
	CONFIG_SSH_PORT,                     /* int or None */
	CONFIG_SSH_PRIVATE_KEY_FILE,         /* string or None (config_path expands it) */
	CONFIG_SSH_RETRIES,                  /* int: 0 (reconnection_retries) */
	CONFIG_SSH_REMOTE_USER,              /* string or None */
	CONFIG_SSH_ARGS,                     /* string: -C -o ControlMaster=auto -o ControlPersist=60s */
	CONFIG_SSH_COMMON_ARGS,              /* string: "" */
	CONFIG_SSH_EXECUTABLE,               /* string: ssh */
	CONFIG_SSH_EXTRA_ARGS,               /* string: "" */
	CONFIG_SSH_TIMEOUT,                  /* int: 10 (seconds) */
	CONFIG_SSH_USE_TTY,                  /* bool: True (usetty) */
	CONFIG_NKEYS,
};

enum config_type {
	CONFIG_T_STR,      /* text, one pair of outer quotes removed */
	CONFIG_T_INT,      /* Python int() */
	CONFIG_T_BOOL,     /* Ansible's boolean(), not strict */
	CONFIG_T_PATH,     /* one expanded path */
	CONFIG_T_PATHLIST, /* comma-separated, each stripped and expanded */
	CONFIG_T_PATHSPEC, /* colon-separated, each expanded (not stripped) */
	CONFIG_T_LIST,     /* comma-separated, each stripped and unquoted */
};

enum {
	CONFIG_F_HOME_DEFAULT = 1 << 0, /* the default follows ANSIBLE_HOME */
	CONFIG_F_USE_PATH = 1 << 1,     /* a string Ansible expands as a path when it uses it */
};

#define CONFIG_MAX_ENV 2
#define CONFIG_MAX_INI 3
#define CONFIG_MAX_CHOICES 3

struct config_ini_entry {
	const char *section;
	const char *key;
};

/* One setting. Where several variables or file entries are listed, the last
 * one present wins, as in Ansible. */
struct config_def {
	enum config_key key;
	const char *name;   /* Ansible's name: DEFAULT_FORKS, or ssh_args */
	const char *plugin; /* NULL for base settings; "ssh" for the ssh connection plugin */
	enum config_type type;
	const char *def;    /* default before typing; NULL for None */
	const char *env[CONFIG_MAX_ENV];
	struct config_ini_entry ini[CONFIG_MAX_INI];
	const char *choices[CONFIG_MAX_CHOICES]; /* allowed values; none when choices[0] is NULL */
	unsigned flags;     /* CONFIG_F_* */
};

enum config_from {
	CONFIG_FROM_DEFAULT,
	CONFIG_FROM_ENV,
	CONFIG_FROM_FILE,
};

struct config;

/* Finds ansible.cfg as described above, reads it and settles every setting.
 * On success returns 0 with *cfgp a new config (config_free). On failure
 * returns ERR_PARSE (the file is malformed, a value has the wrong type or is
 * not among the allowed ones, the file's name does not end in .cfg/.ini) or
 * -errno (the file cannot be read), with d saying where: file:line:col for
 * the file, the variable's name for the environment. Ansible exits with 5 for
 * all of these. Non-fatal findings (a world-writable current directory, an
 * ANSIBLE_CONFIG naming nothing, a "~" with no home) are kept as warnings:
 * config_warning. Reads the environment, the current directory and the
 * password database at the time of the call. */
int config_load(struct config **cfgp, struct diag *d);
/* The same with the file given (as `ansible-config -c FILE`), or none at
 * all when path is NULL. */
int config_load_file(const char *path, struct config **cfgp, struct diag *d);
void config_free(struct config *c);

/* The file in use (absolute), or NULL when there is none. */
const char *config_file(const struct config *c);
/* The i-th warning (0-based), or NULL past the last one. */
const char *config_warning(const struct config *c, size_t i);
/* Prints each warning with log_warn. */
void config_print_warnings(const struct config *c);

/* The typed value: VALUE_NULL for None, VALUE_BOOL, VALUE_INT, VALUE_STR, or
 * a VALUE_LIST of strings for the list types. A value from the file carries
 * its file:line:col. Borrowed; lives as long as c. */
const struct value *config_value(const struct config *c, enum config_key k);
/* The string of a string or path setting; NULL when it is None or of
 * another type. */
const char *config_str(const struct config *c, enum config_key k);
/* A string or path setting as a path drover can use: path settings as they
 * are, and the strings Ansible expands only when it uses them
 * (CONFIG_F_USE_PATH: control_path_dir, the ssh private_key_file) expanded
 * the same way, relative to the current directory. NULL when None. */
const char *config_path(const struct config *c, enum config_key k);
/* The integer of an int setting, or def when it is None. */
int config_int(const struct config *c, enum config_key k, int def);
/* The boolean of a bool setting (0 or 1); 0 for None and other types. */
int config_bool(const struct config *c, enum config_key k);
/* The list of a list setting (borrowed VALUE_LIST of strings), or NULL. */
const struct value *config_list(const struct config *c, enum config_key k);

/* Where the value came from. */
enum config_from config_from(const struct config *c, enum config_key k);
/* The same for people: "default", "env: ANSIBLE_FORKS" or
 * "/path/ansible.cfg:12". Borrowed. */
const char *config_origin(const struct config *c, enum config_key k);

/* The table of settings, ordered by key. */
const struct config_def *config_def(enum config_key k);
/* The setting named name (Ansible's spelling) of plugin (NULL for base
 * settings), or NULL. */
const struct config_def *config_find(const char *name, const char *plugin);

/* Appends v as `ansible-config dump` prints a value (Python's str(): None,
 * True, 10, text, ['a', 'b']). Returns 0 or ERR_TOOBIG. */
int config_format_value(struct buf *out, const struct value *v);

/* For tests: replaces the home directory the password database gives (NULL
 * restores it; "" means there is none) and the system-wide file
 * /etc/ansible/ansible.cfg (NULL restores it). Copies neither string: they
 * must outlive the calls to config_load. */
void config_test_paths(const char *home, const char *etc_cfg);

#endif
