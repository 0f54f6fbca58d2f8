/* authorized_key, as ansible.posix's: keys (one or several, a line each)
 * present or absent in ~user/.ssh/authorized_keys or path, with
 * key_options and comment overriding the key's own, exclusive, manage_dir
 * (the directory 0700 and the file 0600, owned by the user), follow;
 * check mode and the diff; the result is the module's parameters with
 * keyfile and changed, as the module returns them. Keys fetched from a
 * URL are not supported (the worker fetches nothing): such a key fails
 * with the module's message for a fetch that failed. The file is parsed
 * by authkey.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "data/pystr.h"
#include "modules/authkey.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/acct.h"
#include "modules/userdb.h"

static const struct module_argspec authorized_key_spec[] = {
	{"user", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"key", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"path", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"manage_dir", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
	{"key_options", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"exclusive", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"comment", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"validate_certs", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"follow", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
};

#define AUTHORIZED_KEY_NSPEC (sizeof(authorized_key_spec) / sizeof(authorized_key_spec[0]))

struct authorized_key {
	const struct module_ctx *ctx;
	struct value *params;  /* owned, until it becomes the result */
	const char *user, *path; /* in params */
	struct value *pw;      /* owned: the user's passwd entry, or NULL */
	struct value *fail;    /* owned, set on failure */
};

static void authorized_key_failf(struct authorized_key *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void authorized_key_failf(struct authorized_key *a, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	a->fail = module_fail(value_map(), "%s", msg);
	free(msg);
}

/* keyfile() without writing: the file's name. Returns a heap path, or
 * NULL with a->fail. */
static char *authorized_key_name(struct authorized_key *a, int follow)
{
	char *dir, *path;

	if (a->ctx->check && a->path != NULL)
		return follow ? fileutil_realpath(a->path) : xstrdup(a->path);
	if (a->pw == NULL) {
		if (a->ctx->check && a->path == NULL)
			authorized_key_failf(a, "Either user must exist or you must provide full path to key file in "
			                        "check mode");
		else
			authorized_key_failf(a, "Failed to lookup user %s: \"getpwnam(): name not found: '%s'\"",
			                     a->user, a->user);
		return NULL;
	}
	if (a->path != NULL) {
		path = xstrdup(a->path);
	} else {
		dir = fileutil_join(userdb_field(a->pw, USERDB_PW_DIR), ".ssh");
		path = fileutil_join(dir, "authorized_keys");
		free(dir);
	}
	if (follow) {
		dir = path;
		path = fileutil_realpath(dir);
		free(dir);
	}
	return path;
}

/* keyfile(write=True): the directory made and given to the user (with
 * manage_dir), the file created, both with their modes. 0, or -1 with
 * a->fail. */
static int authorized_key_prepare(struct authorized_key *a, const char *file)
{
	uid_t uid = (uid_t)userdb_num(a->pw, USERDB_PW_UID, 0);
	gid_t gid = (gid_t)userdb_num(a->pw, USERDB_PW_GID, 0);
	char *sshdir, *e;
	int fd, r = -1;

	sshdir = a->path != NULL ? fileutil_dirname(a->path)
	                         : fileutil_join(userdb_field(a->pw, USERDB_PW_DIR), ".ssh");
	if (value_get_bool(a->params, "manage_dir", 1)) {
		if (!fileutil_exists(sshdir) && mkdir(sshdir, 0700) != 0) {
			e = fileutil_oserror(errno, sshdir);
			authorized_key_failf(a, "Failed to create directory %s : %s", sshdir, e);
			free(e);
			goto out;
		}
		(void)chown(sshdir, uid, gid);
		(void)chmod(sshdir, 0700);
	}
	if (!fileutil_exists(file)) {
		free(sshdir);
		sshdir = fileutil_dirname(file);
		if (!fileutil_exists(sshdir))
			(void)fileutil_makedirs(sshdir);
		if ((fd = open(file, O_WRONLY | O_CREAT | O_CLOEXEC, 0666)) < 0) {
			e = fileutil_oserror(errno, file);
			a->fail = module_crash(e);
			free(e);
			goto out;
		}
		close(fd);
	}
	(void)chown(file, uid, gid);
	(void)chmod(file, 0600);
	r = 0;
out:
	free(sshdir);
	return r;
}

/* A new key line with key_options and comment applied. 0, or -1 with
 * a->fail. */
static int authorized_key_new(struct authorized_key *a, const char *line, long rank, struct authkey_entry *e)
{
	const char *opts = value_get_str(a->params, "key_options", NULL);
	const char *comment = value_get_str(a->params, "comment", NULL);

	if (authkey_parse(line, strlen(line), rank, e) != 0) {
		authorized_key_failf(a, "invalid key specified: %s", line);
		return -1;
	}
	if (opts != NULL) {
		value_unref(e->options);
		e->options = authkey_options(opts);
	}
	if (comment != NULL) {
		free(e->comment);
		e->comment = xstrdup(comment);
	}
	return 0;
}

/* The keys of the key option: its lines (str.splitlines), blank ones and
 * "#" ones left out. */
static struct value *authorized_key_lines(const char *key)
{
	struct value *all = pystr_splitlines(key, strlen(key)), *lines = value_list(), *line;
	size_t i;

	for (i = 0; i < value_len(all); i++) {
		line = value_list_at(all, i);
		if (value_len(line) > 0 && value_cstr(line)[0] != '#')
			value_list_push(lines, value_ref(line));
	}
	value_unref(all);
	return lines;
}

/* enforce_state's loop over the new keys. Sets *writep when the table
 * changed. 0, or -1 with a->fail. */
static int authorized_key_apply(struct authorized_key *a, struct authkey_table *t, int *writep)
{
	struct value *lines = authorized_key_lines(value_get_str(a->params, "key", "")), *keep = value_list();
	int present = strcmp(value_get_str(a->params, "state", ""), "present") == 0, matched, r = -1;
	long max_rank = (long)t->n, at;
	struct authkey_entry e;
	size_t i;

	for (i = 0; i < value_len(lines); i++) {
		if (authorized_key_new(a, value_cstr(value_list_at(lines, i)), (long)i, &e) != 0)
			goto out;
		matched = 0;
		at = authkey_table_find(t, e.hash);
		if (at >= 0 && present && !authkey_entry_equal(&e, &t->e[at])) {
			/* A key whose options or comment changed moves to the end. */
			authkey_table_del(t, (size_t)at);
			*writep = 1;
		} else if (at >= 0) {
			matched = 1;
		}
		if (present) {
			value_list_push(keep, value_str(e.hash));
			if (!matched) {
				e.rank = max_rank + (long)i;
				authkey_table_set(t, &e);
				*writep = 1;
			}
		} else if (matched) {
			authkey_table_del(t, (size_t)at);
			*writep = 1;
		}
		authkey_entry_fini(&e);
	}
	for (i = t->n; present && value_get_bool(a->params, "exclusive", 0) && i-- > 0;) {
		if (userdb_has(keep, t->e[i].hash))
			continue;
		authkey_table_del(t, i);
		*writep = 1;
	}
	r = 0;
out:
	value_unref(keep);
	value_unref(lines);
	return r;
}

/* Writes the new text to file (the followed name) as the user's, 0600. */
static int authorized_key_write(struct authorized_key *a, const char *file, const char *text, size_t len)
{
	struct fileutil_write w;
	struct fileattr_plan plan;

	if (authorized_key_prepare(a, file) != 0)
		return -1;
	memset(&plan, 0, sizeof(plan));
	plan.uid = (uid_t)userdb_num(a->pw, USERDB_PW_UID, 0);
	plan.gid = (gid_t)userdb_num(a->pw, USERDB_PW_GID, 0);
	plan.mode = 0600;
	memset(&w, 0, sizeof(w));
	w.dest = file;
	w.data = text;
	w.len = len;
	w.plan = &plan;
	return fileutil_write_atomic(a->ctx, &w, &a->fail) == 0 ? 0 : -1;
}

/* enforce_state: the result (the params with keyfile, changed, diff), or
 * NULL with a->fail. */
static struct value *authorized_key_enforce(struct authorized_key *a)
{
	struct authkey_table t;
	struct value *res = NULL, *diff;
	char *keyfile = NULL, *file = NULL, *text = NULL;
	struct buf before;
	int write = 0;
	size_t len;

	authkey_table_init(&t);
	buf_init(&before, 0);
	if (strncmp(value_get_str(a->params, "key", ""), "http", 4) == 0) {
		authorized_key_failf(a, "Error getting key from: %s", value_get_str(a->params, "key", ""));
		goto out;
	}
	if ((keyfile = authorized_key_name(a, 0)) == NULL)
		goto out;
	buf_fini(&before);
	if (!fileutil_isfile(keyfile) || fileutil_read(keyfile, FILEUTIL_MAX_TEXT, &before) != 0)
		buf_init(&before, 0);
	if (authkey_table_read(&t, buf_ptr(&before), buf_avail(&before)) != 0) {
		authorized_key_failf(a, "%s: more than %d lines", keyfile, AUTHKEY_MAX_LINES);
		goto out;
	}
	value_map_set(a->params, "keyfile", value_str(keyfile));
	if (authorized_key_apply(a, &t, &write) != 0)
		goto out;
	if (write) {
		if ((file = authorized_key_name(a, value_get_bool(a->params, "follow", 0))) == NULL)
			goto out;
		text = authkey_table_write(&t, &len);
		if (a->ctx->diff) {
			diff = value_map();
			value_map_set(diff, "before_header", value_str(keyfile));
			value_map_set(diff, "after_header", value_str(file));
			value_map_set(diff, "before", value_strn(buf_ptr(&before), buf_avail(&before)));
			value_map_set(diff, "after", value_strn(text, len));
			value_map_set(a->params, "diff", diff);
		}
		if (!a->ctx->check && authorized_key_write(a, file, text, len) != 0)
			goto out;
		value_map_set(a->params, "changed", value_bool(1));
	}
	res = a->params;
	a->params = NULL;
out:
	authkey_table_fini(&t);
	buf_fini(&before);
	free(keyfile);
	free(file);
	free(text);
	return res;
}

MODULE_DEFINE(authorized_key, authorized_key_run, MODULE_CHECK_MODE)
struct value *authorized_key_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown, *db;
	struct authorized_key a;

	memset(&a, 0, sizeof(a));
	a.ctx = ctx;
	if (module_params_spec(ctx, "ansible.posix.authorized_key", authorized_key_spec, AUTHORIZED_KEY_NSPEC, NULL,
	                       NULL, &a.params, &res) != 0)
		return res;
	shown = module_invocation_args(authorized_key_spec, AUTHORIZED_KEY_NSPEC, a.params);
	/* The params become the result: a copy of their own, apart from
	 * the invocation's. */
	value_mut(&a.params);
	a.user = value_get_str(a.params, "user", "");
	a.path = value_get_str(a.params, "path", NULL);
	db = acct_load(USERDB_PASSWD, USERDB_PW_UID);
	if (userdb_find(db, USERDB_PW_NAME, a.user) != NULL)
		a.pw = value_ref((struct value *)userdb_find(db, USERDB_PW_NAME, a.user));
	value_unref(db);
	if ((res = authorized_key_enforce(&a)) == NULL) {
		res = a.fail;
		a.fail = NULL;
	}
	/* "path" in the result: AnsibleModule adds the path's info. */
	fileutil_finish(res, shown, NULL);
	value_unref(shown);
	value_unref(a.fail);
	value_unref(a.pw);
	value_unref(a.params);
	return res;
}
