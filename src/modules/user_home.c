/* The user module's home directory and SSH key, as Ansible's User class
 * makes them: create_homedir (a copy of the skeleton, mode from
 * login.defs' UMASK), chown_homedir, and ssh_key_gen with its
 * fingerprint and public key in the result. */
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
#include "modules/user.h"
#include "modules/acct.h"
#include "modules/userdb.h"

#define USER_HOME_LOGIN_DEFS "/etc/login.defs"

/* login.defs' "UMASK <octal>" (the last such line), or -1. */
static long user_home_umask(void)
{
	struct buf b;
	const char *line, *nl, *p;
	long umask = -1, v;
	char *end;

	if (fileutil_read(USER_HOME_LOGIN_DEFS, USERDB_MAX, &b) == 0) {
		for (line = buf_str(&b); line != NULL; line = nl != NULL ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if (strncmp(line, "UMASK", 5) != 0 || (line[5] != ' ' && line[5] != '\t'))
				continue;
			for (p = line + 5; *p == ' ' || *p == '\t'; p++)
				;
			v = strtol(p, &end, 8);
			if (end != p && (*end == '\n' || *end == '\0'))
				umask = v;
		}
	}
	buf_fini(&b);
	return umask;
}

int user_home_create(struct user *u, const char *path)
{
	const char *skel = value_get_str(u->params, "skeleton", NULL);
	struct value *cmd;
	struct user_cmd c;
	char *parent, *e;
	long umask;
	int r = -1;

	if (fileutil_exists(path))
		return 0;
	if (skel == NULL)
		skel = "/etc/skel";
	user_cmd_init(&c);
	if (fileutil_exists(skel)) {
		/* shutil.copytree(symlinks=True): the parents made, links kept as
		 * links, modes and times copied. */
		parent = fileutil_dirname(path);
		if (parent[0] != '\0' && fileutil_makedirs(parent) != 0 && errno != EEXIST) {
			e = fileutil_oserror(errno, parent);
			u->fail = module_fail(value_map(), "%s", e);
			free(e);
			free(parent);
			goto out;
		}
		free(parent);
		cmd = value_list();
		value_list_push(cmd, value_str("cp"));
		value_list_push(cmd, value_str("-R"));
		value_list_push(cmd, value_str("-P"));
		value_list_push(cmd, value_str("--preserve=mode,timestamps"));
		value_list_push(cmd, value_str("--"));
		value_list_push(cmd, value_str(skel));
		value_list_push(cmd, value_str(path));
		r = user_exec(u, cmd, NULL, 0, &c);
		value_unref(cmd);
		if (r != 0 || c.rc != 0) {
			if (u->fail == NULL)
				u->fail = module_fail(value_map(), "%s", buf_str(&c.err));
			r = -1;
			goto out;
		}
	} else if (fileutil_makedirs(path) != 0) {
		e = fileutil_oserror(errno, path);
		u->fail = module_fail(value_map(), "%s", e);
		free(e);
		goto out;
	}
	if ((umask = user_home_umask()) >= 0 && chmod(path, 0777 & ~(mode_t)umask) != 0) {
		e = fileutil_oserror(errno, path);
		u->fail = module_fail(value_map(), "%s", e);
		free(e);
		goto out;
	}
	r = 0;
out:
	user_cmd_fini(&c);
	return r;
}

struct user_home_owner {
	uid_t uid;
	gid_t gid;
};

static void user_home_chown_names(const char *root, const struct value *names, const struct user_home_owner *o)
{
	char *p;
	size_t i;

	for (i = 0; i < value_len(names); i++) {
		p = fileutil_join(root, value_cstr(value_list_at(names, i)));
		/* Not following links: a link in a skeleton must not hand its
		 * target to the user. */
		(void)fchownat(AT_FDCWD, p, o->uid, o->gid, AT_SYMLINK_NOFOLLOW);
		free(p);
	}
}

static int user_home_chown_dir(const char *root, struct value *dirs, struct value *files, void *arg)
{
	user_home_chown_names(root, dirs, arg);
	user_home_chown_names(root, files, arg);
	return 0;
}

void user_home_chown(const char *path, long long uid, long long gid)
{
	struct user_home_owner o = {(uid_t)uid, (gid_t)gid};
	char *errpath = NULL;

	if (chown(path, o.uid, o.gid) != 0)
		return;
	(void)fileutil_walk(path, 0, 0, user_home_chown_dir, &o, &errpath);
	free(errpath);
}

/* get_ssh_key_path: absolute, or under the account's home. Returns a heap
 * path, or NULL with *errp (heap) the reason. */
static char *user_home_keypath(struct user *u, const struct value *info, char **errp)
{
	const char *file = value_get_str(u->params, "ssh_key_file", NULL);
	const char *home = userdb_field(info, USERDB_PW_DIR);
	char *dflt = NULL, *path;

	*errp = NULL;
	if (file == NULL)
		file = dflt = xasprintf(".ssh/id_%s", value_get_str(u->params, "ssh_key_type", "rsa"));
	if (file[0] == '/') {
		path = xstrdup(file);
	} else if (!fileutil_exists(home) && !u->ctx->check) {
		*errp = xasprintf("User %s home directory does not exist", u->name);
		path = NULL;
	} else {
		path = fileutil_join(home, file);
	}
	free(dflt);
	return path;
}

static void user_home_warn(struct user *u, const char *what, const char *path, int force)
{
	if (force)
		value_list_push(u->warnings, value_strf("Overwriting existing ssh key %s file \"%s\"", what, path));
	else
		value_list_push(u->warnings,
		                value_strf("Found existing ssh key %s file \"%s\", no force, so skipping ssh-keygen "
		                           "generation",
		                           what, path));
}

/* The ssh-keygen command line. */
static struct value *user_home_keygen_cmd(struct user *u, const char *key)
{
	struct value *cmd = value_list();
	int64_t bits = value_get_int(u->params, "ssh_key_bits", 0);

	value_list_push(cmd, value_str("ssh-keygen"));
	value_list_push(cmd, value_str("-t"));
	value_list_push(cmd, value_str(value_get_str(u->params, "ssh_key_type", "rsa")));
	if (bits > 0) {
		value_list_push(cmd, value_str("-b"));
		value_list_push(cmd, value_strf("%lld", (long long)bits));
	}
	value_list_push(cmd, value_str("-C"));
	value_list_push(cmd, value_str(value_get_str(u->params, "ssh_key_comment", "")));
	value_list_push(cmd, value_str("-f"));
	value_list_push(cmd, value_str(key));
	if (value_get_str(u->params, "ssh_key_passphrase", NULL) == NULL) {
		value_list_push(cmd, value_str("-N"));
		value_list_push(cmd, value_str(""));
	}
	return cmd;
}

/* ssh_key_gen: c->rc stays USER_RC_NONE when a key is kept. Returns 0, or
 * -1 with u->fail when the tool is missing. */
static int user_home_keygen(struct user *u, const struct value *info, const char *key, struct user_cmd *c)
{
	int force = value_get_bool(u->params, "force", 0), r = 0;
	const char *pass;
	char *pub = xasprintf("%s.pub", key), *dir = fileutil_dirname(key), *e;
	uid_t uid = (uid_t)userdb_num(info, USERDB_PW_UID, 0);
	gid_t gid = (gid_t)userdb_num(info, USERDB_PW_GID, 0);
	struct value *cmd = NULL;

	if (!fileutil_exists(dir)) {
		c->rc = 0;
		if (u->ctx->check) {
			r = 0;
			goto out;
		}
		if (mkdir(dir, 0700) != 0 || chown(dir, uid, gid) != 0) {
			e = fileutil_oserror(errno, dir);
			c->rc = 1;
			buf_printf(&c->err, "Failed to create %s: %s", dir, e);
			free(e);
			r = 0;
			goto out;
		}
	}
	if (fileutil_exists(key) || fileutil_exists(pub)) {
		user_home_warn(u, fileutil_exists(key) ? "private" : "public", fileutil_exists(key) ? key : pub, force);
		if (!force) {
			c->rc = USER_RC_NONE;
			r = 0;
			goto out;
		}
		if (fileutil_exists(key) && fileutil_exists(pub))
			user_home_warn(u, "public", pub, force);
		if (!u->ctx->check)
			unlink(pub);
	}
	cmd = user_home_keygen_cmd(u, key);
	pass = value_get_str(u->params, "ssh_key_passphrase", NULL);
	if (pass != NULL && u->ctx->check)
		c->rc = 0;
	else if (pass != NULL)
		r = user_tty_keygen(u, cmd, pass, c);
	else /* ssh-keygen asks before overwriting a private key. */
		r = user_exec(u, cmd, force && fileutil_exists(key) ? "y\n" : NULL, 1, c);
	if (r != 0)
		goto out;
	if (c->rc == 0 && !u->ctx->check) {
		(void)chown(key, uid, gid);
		(void)chown(pub, uid, gid);
	}
	r = 0;
out:
	value_unref(cmd);
	free(pub);
	free(dir);
	return r;
}

/* The strip()ped text of a buffer. */
static struct value *user_home_strip(const struct buf *b)
{
	const char *p = buf_ptr(b);
	size_t n = buf_avail(b);

	while (n > 0 && strchr(AUTHKEY_PY_SPACE, p[0]) != NULL)
		p++, n--;
	return value_strn(p, pystr_rstrip_len(p, n, AUTHKEY_PY_SPACE));
}

static void user_home_keyinfo(struct user *u, const char *key, struct value *res)
{
	struct value *cmd = value_list();
	struct user_cmd c;
	char *pub = xasprintf("%s.pub", key);
	struct buf b;

	user_cmd_init(&c);
	if (!fileutil_exists(key)) {
		value_map_set(res, "ssh_fingerprint", value_str(""));
	} else {
		value_list_push(cmd, value_str("ssh-keygen"));
		value_list_push(cmd, value_str("-l"));
		value_list_push(cmd, value_str("-f"));
		value_list_push(cmd, value_str(key));
		if (user_exec(u, cmd, NULL, 0, &c) == 0)
			value_map_set(res, "ssh_fingerprint", user_home_strip(c.rc == 0 ? &c.out : &c.err));
	}
	value_map_set(res, "ssh_key_file", value_str(key));
	if (fileutil_read(pub, USERDB_MAX, &b) == 0)
		value_map_set(res, "ssh_public_key", user_home_strip(&b));
	else
		value_map_set(res, "ssh_public_key", value_null());
	buf_fini(&b);
	user_cmd_fini(&c);
	value_unref(cmd);
	free(pub);
}

int user_home_sshkey(struct user *u, struct value *res, int *changedp)
{
	struct value *info = user_info(u);
	struct user_cmd c;
	char *key = NULL, *err = NULL;
	int r = -1;

	*changedp = 0;
	user_cmd_init(&c);
	if (info == NULL) {
		r = 0;
		goto out;
	}
	if ((key = user_home_keypath(u, info, &err)) == NULL) {
		c.rc = 1;
		buf_puts(&c.err, err);
	} else if (user_home_keygen(u, info, key, &c) != 0) {
		goto out;
	}
	if (c.rc != USER_RC_NONE && c.rc != 0) {
		u->fail = module_fail(value_map(), "%s", buf_str(&c.err));
		value_map_set(u->fail, "name", value_str(u->name));
		value_map_set(u->fail, "rc", value_int(c.rc));
		goto out;
	}
	*changedp = c.rc == 0;
	user_home_keyinfo(u, key, res);
	r = 0;
out:
	user_cmd_fini(&c);
	value_unref(info);
	free(key);
	free(err);
	return r;
}
