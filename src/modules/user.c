/* user, as Ansible 2.14's on Linux (its generic User class): an account
 * present (useradd, or usermod with only what differs from /etc/passwd,
 * /etc/group and /etc/shadow) or absent (userdel); groups with append,
 * password hashes with update_password and password_lock, expires,
 * password_expire_min/max (chage), the home directory and the SSH key
 * (user_home.c, user_tty.c); check mode; the same result keys and
 * messages. Not supported, and refused clearly: local (the libuser
 * tools). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/user.h"
#include "modules/acct.h"
#include "modules/userdb.h"

static const struct module_argspec user_spec[] = {
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
	{"name", MODULE_ARG_STR, NULL, "user", NULL, MODULE_ARG_REQUIRED},
	{"uid", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"non_unique", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"group", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"groups", MODULE_ARG_LIST, NULL, NULL, NULL, 0},
	{"comment", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"home", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"shell", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"password", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_NO_LOG},
	{"login_class", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"password_expire_max", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"password_expire_min", MODULE_ARG_INT, NULL, NULL, NULL, 0},
	{"hidden", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"seuser", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"force", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"remove", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"create_home", MODULE_ARG_BOOL, "true", "createhome", NULL, 0},
	{"skeleton", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"system", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"move_home", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"append", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"generate_ssh_key", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"ssh_key_bits", MODULE_ARG_INT, "0", NULL, NULL, 0},
	{"ssh_key_type", MODULE_ARG_STR, "rsa", NULL, NULL, 0},
	{"ssh_key_file", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"ssh_key_comment", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"ssh_key_passphrase", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_NO_LOG},
	{"update_password", MODULE_ARG_STR, "always", NULL, "always,on_create", 0},
	{"expires", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"password_lock", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"local", MODULE_ARG_BOOL, NULL, NULL, NULL, 0},
	{"profile", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"authorization", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"role", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"umask", MODULE_ARG_STR, NULL, NULL, NULL, 0},
};

#define USER_NSPEC (sizeof(user_spec) / sizeof(user_spec[0]))

static const char *user_str(const struct user *u, const char *key)
{
	const struct value *v = value_map_get(u->params, key);

	return v != NULL ? value_cstr(v) : NULL;
}

static int user_given(const struct user *u, const char *key)
{
	const struct value *v = value_map_get(u->params, key);

	return v != NULL && v->type != VALUE_NULL;
}

/* A tri-state bool: -1 for null (Python's None). */
static int user_bool3(const struct user *u, const char *key)
{
	const struct value *v = value_map_get(u->params, key);

	return v == NULL || v->type != VALUE_BOOL ? -1 : v->u.b;
}

void user_cmd_init(struct user_cmd *c)
{
	c->rc = USER_RC_NONE;
	buf_init(&c->out, 0);
	buf_init(&c->err, 0);
}

void user_cmd_fini(struct user_cmd *c)
{
	buf_fini(&c->out);
	buf_fini(&c->err);
}

int user_exec(struct user *u, struct value *cmd, const char *input, int obey_check, struct user_cmd *c)
{
	char *bin = acct_bin(u->ctx, value_cstr(value_list_at(cmd, 0)), &u->fail);

	user_cmd_fini(c);
	user_cmd_init(c);
	if (bin == NULL)
		return -1;
	value_list_set(cmd, 0, value_str_take(bin, strlen(bin)));
	if (u->ctx->check && obey_check) {
		c->rc = 0;
		return 0;
	}
	user_cmd_fini(c);
	acct_exec(u->ctx, cmd, input, &c->rc, &c->out, &c->err);
	return 0;
}

struct value *user_info(const struct user *u)
{
	struct value *db = acct_load(USERDB_PASSWD, USERDB_PW_UID), *info = NULL, *sp = NULL;
	const struct value *ent = userdb_find(db, USERDB_PW_NAME, u->name);
	long long expire;
	int found;

	if (ent != NULL) {
		info = value_dup(ent);
		while (value_len(info) < 7)
			value_list_push(info, value_str(""));
		if (strlen(userdb_field(info, USERDB_PW_PASSWD)) <= 1)
			value_list_set(info, USERDB_PW_PASSWD, value_str(user_shadow(u, &sp, &expire, &found)));
	}
	value_unref(sp);
	value_unref(db);
	return info;
}

const char *user_shadow(const struct user *u, struct value **entp, long long *expirep, int *foundp)
{
	struct value *db = acct_load(USERDB_SHADOW, -1);
	const struct value *ent = userdb_find(db, USERDB_SP_NAMP, u->name);

	*entp = ent != NULL ? value_ref((struct value *)ent) : NULL;
	value_unref(db);
	*foundp = ent != NULL;
	*expirep = ent != NULL ? userdb_num(ent, USERDB_SP_EXPIRE, -1) : 0;
	return ent != NULL ? userdb_field(ent, USERDB_SP_PWDP) : "";
}

static int user_exists(const struct user *u)
{
	struct value *info = user_info(u);
	int e = info != NULL;

	value_unref(info);
	return e;
}

/* check_password_encrypted: a warning for what does not look like a crypt
 * hash. */
static void user_check_password(struct user *u)
{
	const char *pw = user_str(u, "password"), *last, *p;
	int bad = 0, nfields = 1;
	size_t lastlen;

	if (pw == NULL || pw[0] == '\0' || strcmp(pw, "*") == 0 || strcmp(pw, "!") == 0 ||
	    strcmp(pw, "*************") == 0)
		return;
	if (strpbrk(pw, ":*!") != NULL || strchr(pw, '$') == NULL)
		bad = 1;
	for (p = pw; (p = strchr(p, '$')) != NULL; p++)
		nfields++;
	last = strrchr(pw, '$');
	last = last != NULL ? last + 1 : pw;
	lastlen = strlen(last);
	if (strchr(pw, '$') != NULL && nfields < 3)
		bad = 1;
	if (nfields >= 3) {
		if (strspn(last, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./=") != lastlen)
			bad = 1;
		if ((strncmp(pw, "$1$", 3) == 0 && lastlen != 22) || (strncmp(pw, "$5$", 3) == 0 && lastlen != 43) ||
		    (strncmp(pw, "$6$", 3) == 0 && lastlen != 86))
			bad = 1;
	}
	if (bad)
		value_list_push(u->warnings, value_str("The input password appears not to have been hashed. The "
		                                       "'password' argument must be encrypted for this module to "
		                                       "work properly."));
}

/* The expires option as Python's time.gmtime(float) gives it: *tmp, and
 * *negp when it lies before the epoch. Returns 0, or -1 with u->fail. */
static int user_expires(struct user *u, struct tm *tmp, int *negp)
{
	const struct value *v = value_map_get(u->params, "expires");
	const char *type;
	double d = 0;
	char *end;
	time_t t;

	if (v->type == VALUE_BOOL)
		d = v->u.b;
	else if (v->type == VALUE_INT)
		d = (double)v->u.i;
	else if (v->type == VALUE_FLOAT)
		d = v->u.f;
	else if (v->type == VALUE_STR && (d = strtod(v->u.s.ptr, &end), end != v->u.s.ptr && *end == '\0'))
		;
	else {
		type = v->type == VALUE_STR ? "str" : v->type == VALUE_LIST ? "list" : "dict";
		u->fail = module_fail(value_map(),
		                      "argument 'expires' is of type <class '%s'> and we were unable to convert to "
		                      "float: <class '%s'> cannot be converted to a float",
		                      type, type);
		return -1;
	}
	if (!isfinite(d) || d > 1e15 || d < -1e15) {
		u->fail = module_fail(value_map(),
		                      "Invalid value for 'expires' None: timestamp out of range for platform time_t");
		return -1;
	}
	/* Python's gmtime rounds towards minus infinity (floor needs libm). */
	t = (time_t)d;
	if ((double)t > d)
		t--;
	gmtime_r(&t, tmp);
	*negp = t < 0;
	return 0;
}

static void user_push(struct value *cmd, const char *s)
{
	value_list_push(cmd, value_str(s));
}

static int user_group_exists(const char *g)
{
	struct value *db = acct_load(USERDB_GROUP, USERDB_GR_GID);
	int e = userdb_group(db, g) != NULL;

	value_unref(db);
	return e;
}

/* get_groups_set: the groups option's names (stripped, without empty
 * ones, each once) after checking each exists; for a new user
 * (primary_gid < 0) none is dropped, else the primary group is when
 * drop_primary. Returns a new list, or NULL with u->fail. */
static struct value *user_groups_set(struct user *u, long long primary_gid, int drop_primary)
{
	const struct value *given = value_map_get(u->params, "groups"), *ent;
	struct value *db = acct_load(USERDB_GROUP, USERDB_GR_GID), *set = value_list(), *item;
	const char *s;
	size_t i, j, a, b;

	for (i = 0; i < value_len(given); i++) {
		s = value_cstr(value_list_at(given, i));
		if (s == NULL || s[0] == '\0')
			continue;
		for (a = 0; s[a] == ' ' || s[a] == '\t' || s[a] == '\n'; a++)
			;
		for (b = strlen(s); b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\n'); b--)
			;
		item = value_strn(s + a, b - a);
		for (j = 0; j < value_len(set); j++)
			if (value_equal(value_list_at(set, j), item))
				break;
		if (j < value_len(set)) {
			value_unref(item);
			continue;
		}
		if ((ent = userdb_group(db, value_cstr(item))) == NULL) {
			u->fail = module_fail(value_map(), "Group %s does not exist", value_cstr(item));
			value_unref(item);
			value_unref(set);
			set = NULL;
			break;
		}
		if (drop_primary && primary_gid >= 0 && userdb_num(ent, USERDB_GR_GID, -2) == primary_gid)
			value_unref(item);
		else
			value_list_push(set, item);
	}
	value_unref(db);
	return set;
}

static char *user_join(const struct value *list)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < value_len(list); i++) {
		if (i > 0)
			buf_puts(&b, ",");
		buf_puts(&b, value_cstr(value_list_at(list, i)));
	}
	return buf_take(&b, NULL);
}

static struct value *user_str_own(char *s)
{
	return value_str_take(s, strlen(s));
}

static void user_push_take(struct value *cmd, char *s)
{
	value_list_push(cmd, user_str_own(s));
}

static void user_push_password(struct user *u, struct value *cmd)
{
	user_push(cmd, "-p");
	if (user_bool3(u, "password_lock") == 1)
		user_push_take(cmd, xasprintf("!%s", user_str(u, "password")));
	else
		user_push(cmd, user_str(u, "password"));
}

/* useradd's options for the given uid, groups, comment, shell, expiry. */
static int user_add_args(struct user *u, struct value *cmd)
{
	struct value *set;
	char *joined;
	int any;

	if (user_given(u, "uid")) {
		user_push(cmd, "-u");
		user_push_take(cmd, xasprintf("%lld", (long long)value_get_int(u->params, "uid", 0)));
		if (value_get_bool(u->params, "non_unique", 0))
			user_push(cmd, "-o");
	}
	if (user_given(u, "seuser")) {
		user_push(cmd, "-Z");
		user_push(cmd, user_str(u, "seuser"));
	}
	if (user_given(u, "group")) {
		if (!user_group_exists(user_str(u, "group"))) {
			u->fail = module_fail(value_map(), "Group %s does not exist", user_str(u, "group"));
			return -1;
		}
		user_push(cmd, "-g");
		user_push(cmd, user_str(u, "group"));
	} else if (user_group_exists(u->name)) {
		/* Debian's useradd would otherwise fail on the existing group
		 * (USERGROUPS_ENAB). */
		user_push(cmd, "-N");
	}
	/* Ansible tests the joined names: [""] asks for no groups too. */
	joined = user_given(u, "groups") ? user_join(value_map_get(u->params, "groups")) : NULL;
	any = joined != NULL && joined[0] != '\0';
	free(joined);
	if (any) {
		if ((set = user_groups_set(u, -1, 0)) == NULL)
			return -1;
		user_push(cmd, "-G");
		user_push_take(cmd, user_join(set));
		value_unref(set);
	}
	if (user_given(u, "comment")) {
		user_push(cmd, "-c");
		user_push(cmd, user_str(u, "comment"));
	}
	return 0;
}

static int user_add_home_args(struct user *u, struct value *cmd)
{
	const char *home = user_str(u, "home");
	char *parent;
	int r = 0;

	if (home == NULL)
		return 0;
	if (value_get_bool(u->params, "create_home", 1)) {
		parent = fileutil_dirname(home);
		if (!fileutil_isdir(parent))
			r = user_home_create(u, home);
		free(parent);
	}
	user_push(cmd, "-d");
	user_push(cmd, home);
	return r;
}

static int user_add_rest_args(struct user *u, struct value *cmd)
{
	struct tm tm;
	char day[32];
	int neg;

	if (user_given(u, "shell")) {
		user_push(cmd, "-s");
		user_push(cmd, user_str(u, "shell"));
	}
	if (user_given(u, "expires")) {
		if (user_expires(u, &tm, &neg) != 0)
			return -1;
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		user_push(cmd, "-e");
		user_push(cmd, neg ? "" : day);
	}
	if (user_given(u, "password"))
		user_push_password(u, cmd);
	if (value_get_bool(u->params, "create_home", 1)) {
		user_push(cmd, "-m");
		if (user_given(u, "skeleton")) {
			user_push(cmd, "-k");
			user_push(cmd, user_str(u, "skeleton"));
		}
		if (user_given(u, "umask")) {
			user_push(cmd, "-K");
			user_push_take(cmd, xasprintf("UMASK=%s", user_str(u, "umask")));
		}
	} else {
		user_push(cmd, "-M");
	}
	if (value_get_bool(u->params, "system", 0))
		user_push(cmd, "-r");
	user_push(cmd, u->name);
	return 0;
}

/* create_user_useradd. */
static int user_add(struct user *u, struct user_cmd *c)
{
	struct value *cmd = value_list();
	int r = -1;

	user_push(cmd, "useradd");
	if (user_add_args(u, cmd) != 0 || user_add_home_args(u, cmd) != 0 || user_add_rest_args(u, cmd) != 0)
		goto out;
	r = user_exec(u, cmd, NULL, 1, c);
out:
	value_unref(cmd);
	return r;
}

/* _check_usermod_append: does usermod --help list "-a, --append"? */
static int user_has_append(struct user *u)
{
	struct value *cmd = value_list();
	struct user_cmd c;
	const char *p, *line;
	int found = 0;

	user_cmd_init(&c);
	user_push(cmd, "usermod");
	user_push(cmd, "--help");
	if (user_exec(u, cmd, NULL, 0, &c) == 0) {
		buf_put(&c.out, buf_ptr(&c.err), buf_avail(&c.err));
		for (line = buf_str(&c.out); line != NULL && !found; line = (p = strchr(line, '\n')) ? p + 1 : NULL) {
			while (*line == ' ' || *line == '\t')
				line++;
			found = strncmp(line, "-a, --append", 12) == 0;
		}
	}
	value_unref(u->fail);
	u->fail = NULL;
	user_cmd_fini(&c);
	value_unref(cmd);
	return found;
}

/* The groups part of modify_user_usermod. */
static int user_mod_groups(struct user *u, const struct value *info, struct value *cmd)
{
	struct value *db = acct_load(USERDB_GROUP, USERDB_GR_GID), *current, *set = NULL, *diff;
	char *joined = user_join(value_map_get(u->params, "groups"));
	int append = value_get_bool(u->params, "append", 0), has_append, need = 0, r = -1;
	size_t i;

	current = userdb_member_of(db, u->name);
	diff = value_list();
	has_append = user_has_append(u);
	if (joined[0] == '\0') {
		need = value_len(current) > 0 && !append;
		set = value_list();
	} else {
		if ((set = user_groups_set(u, userdb_num(info, USERDB_PW_GID, -1), 0)) == NULL)
			goto out;
		for (i = 0; i < value_len(current); i++)
			if (!userdb_has(set, value_cstr(value_list_at(current, i))))
				value_list_push(diff, value_ref(value_list_at(current, i)));
		for (i = 0; i < value_len(set); i++)
			if (!userdb_has(current, value_cstr(value_list_at(set, i))))
				value_list_push(diff, value_ref(value_list_at(set, i)));
		if (value_len(diff) > 0 && !append)
			need = 1;
		for (i = 0; value_len(diff) > 0 && append && i < value_len(set) && !need; i++)
			if (userdb_has(diff, value_cstr(value_list_at(set, i)))) {
				if (has_append)
					user_push(cmd, "-a");
				need = 1;
			}
	}
	if (need && append && !has_append) {
		user_push(cmd, "-A");
		user_push_take(cmd, user_join(diff));
	} else if (need) {
		user_push(cmd, "-G");
		user_push_take(cmd, user_join(set));
	}
	r = 0;
out:
	free(joined);
	value_unref(set);
	value_unref(diff);
	value_unref(current);
	value_unref(db);
	return r;
}

/* The uid, primary group, comment, home and shell parts. */
static int user_mod_ids(struct user *u, const struct value *info, struct value *cmd)
{
	struct value *db;
	const struct value *ent;
	long long gid;
	const char *s;

	if (user_given(u, "uid") && userdb_num(info, USERDB_PW_UID, -1) != value_get_int(u->params, "uid", 0)) {
		user_push(cmd, "-u");
		user_push_take(cmd, xasprintf("%lld", (long long)value_get_int(u->params, "uid", 0)));
		if (value_get_bool(u->params, "non_unique", 0))
			user_push(cmd, "-o");
	}
	if (user_given(u, "group")) {
		db = acct_load(USERDB_GROUP, USERDB_GR_GID);
		ent = userdb_group(db, user_str(u, "group"));
		gid = ent != NULL ? userdb_num(ent, USERDB_GR_GID, -1) : -1;
		value_unref(db);
		if (ent == NULL) {
			u->fail = module_fail(value_map(), "Group %s does not exist", user_str(u, "group"));
			return -1;
		}
		if (userdb_num(info, USERDB_PW_GID, -1) != gid) {
			user_push(cmd, "-g");
			user_push_take(cmd, xasprintf("%lld", gid));
		}
	}
	if (user_given(u, "groups") && user_mod_groups(u, info, cmd) != 0)
		return -1;
	if ((s = user_str(u, "comment")) != NULL && strcmp(userdb_field(info, USERDB_PW_GECOS), s) != 0) {
		user_push(cmd, "-c");
		user_push(cmd, s);
	}
	if ((s = user_str(u, "home")) != NULL && strcmp(userdb_field(info, USERDB_PW_DIR), s) != 0) {
		user_push(cmd, "-d");
		user_push(cmd, s);
		if (value_get_bool(u->params, "move_home", 0))
			user_push(cmd, "-m");
	}
	if ((s = user_str(u, "shell")) != NULL && strcmp(userdb_field(info, USERDB_PW_SHELL), s) != 0) {
		user_push(cmd, "-s");
		user_push(cmd, s);
	}
	return 0;
}

/* The expiry part: -e when the day differs. */
static int user_mod_expires(struct user *u, struct value *cmd)
{
	struct value *sp = NULL;
	struct tm want, cur;
	long long current;
	time_t t;
	char day[32];
	int neg, found;

	if (!user_given(u, "expires"))
		return 0;
	if (user_expires(u, &want, &neg) != 0)
		return -1;
	user_shadow(u, &sp, &current, &found);
	value_unref(sp);
	if (neg) {
		if (current >= 0) {
			user_push(cmd, "-e");
			user_push(cmd, "");
		}
		return 0;
	}
	t = (time_t)(current * 86400);
	gmtime_r(&t, &cur);
	if (current < 0 || cur.tm_year != want.tm_year || cur.tm_mon != want.tm_mon || cur.tm_mday != want.tm_mday) {
		strftime(day, sizeof(day), "%Y-%m-%d", &want);
		user_push(cmd, "-e");
		user_push(cmd, day);
	}
	return 0;
}

/* The password part: -L/-U for password_lock, -p for a new hash (which
 * replaces -L/-U, as Ansible drops them). */
static void user_mod_password(struct user *u, const struct value *info, struct value **cmdp)
{
	const char *cur = userdb_field(info, USERDB_PW_PASSWD), *pw = user_str(u, "password");
	int lock = user_bool3(u, "password_lock");
	struct value *kept;
	const char *s;
	size_t i;

	if (lock == 1 && cur[0] != '!')
		user_push(*cmdp, "-L");
	else if (lock == 0 && cur[0] == '!')
		user_push(*cmdp, "-U");
	if (pw == NULL || strcmp(value_get_str(u->params, "update_password", ""), "always") != 0)
		return;
	while (*cur == '!')
		cur++;
	while (*pw == '!')
		pw++;
	if (strcmp(cur, pw) == 0)
		return;
	kept = value_list();
	for (i = 0; i < value_len(*cmdp); i++) {
		s = value_cstr(value_list_at(*cmdp, i));
		if (strcmp(s, "-U") != 0 && strcmp(s, "-L") != 0)
			value_list_push(kept, value_ref(value_list_at(*cmdp, i)));
	}
	value_unref(*cmdp);
	*cmdp = kept;
	user_push_password(u, kept);
}

/* modify_user_usermod: usermod with what differs, or rc None. */
static int user_mod(struct user *u, struct user_cmd *c)
{
	struct value *cmd = value_list(), *info = user_info(u);
	int r = -1;

	user_push(cmd, "usermod");
	if (user_mod_ids(u, info, cmd) != 0 || user_mod_expires(u, cmd) != 0)
		goto out;
	user_mod_password(u, info, &cmd);
	r = 0;
	if (value_len(cmd) > 1) {
		user_push(cmd, u->name);
		r = user_exec(u, cmd, NULL, 1, c);
	}
out:
	value_unref(info);
	value_unref(cmd);
	return r;
}

/* remove_user_userdel. */
static int user_del(struct user *u, struct user_cmd *c)
{
	struct value *cmd = value_list();
	int r;

	user_push(cmd, "userdel");
	if (value_get_bool(u->params, "force", 0))
		user_push(cmd, "-f");
	if (value_get_bool(u->params, "remove", 0))
		user_push(cmd, "-r");
	user_push(cmd, u->name);
	r = user_exec(u, cmd, NULL, 1, c);
	value_unref(cmd);
	return r;
}

/* set_password_expire: chage for the minimum and maximum ages that
 * differ from /etc/shadow's; rc None without a shadow entry. */
static int user_chage(struct user *u, struct user_cmd *c)
{
	struct value *sp = NULL, *cmd;
	long long expire;
	int found, min_change = user_given(u, "password_expire_min"),
	           max_change = user_given(u, "password_expire_max"), r = 0;
	int64_t want_min = value_get_int(u->params, "password_expire_min", 0),
	        want_max = value_get_int(u->params, "password_expire_max", 0);

	user_shadow(u, &sp, &expire, &found);
	if (!found) {
		value_unref(sp);
		return 0;
	}
	min_change = min_change && userdb_num(sp, USERDB_SP_MIN, -1) != want_min;
	max_change = max_change && userdb_num(sp, USERDB_SP_MAX, -1) != want_max;
	value_unref(sp);
	if (!min_change && !max_change)
		return 0;
	cmd = value_list();
	user_push(cmd, "chage");
	if (min_change) {
		user_push(cmd, "-m");
		user_push_take(cmd, xasprintf("%lld", (long long)want_min));
	}
	if (max_change) {
		user_push(cmd, "-M");
		user_push_take(cmd, xasprintf("%lld", (long long)want_max));
	}
	user_push(cmd, u->name);
	r = user_exec(u, cmd, NULL, 1, c);
	value_unref(cmd);
	return r;
}

/* A command's failure as the module reports it: name, msg (its stderr), rc. */
static int user_cmd_failed(struct user *u, const struct user_cmd *c)
{
	if (c->rc == USER_RC_NONE || c->rc == 0)
		return 0;
	u->fail = module_fail(value_map(), "%s", buf_str(&c->err));
	value_map_set(u->fail, "name", value_str(u->name));
	value_map_set(u->fail, "rc", value_int(c->rc));
	return -1;
}

/* The account's keys of the result, a home made when missing, the SSH key
 * and the password ages, as the end of Ansible's main(). */
static int user_present_tail(struct user *u, struct value *res)
{
	struct value *info = user_info(u);
	struct user_cmd c;
	int changed = 0, r = -1;

	user_cmd_init(&c);
	if (info == NULL) {
		r = 0;
		goto out;
	}
	value_map_set(res, "uid", value_int(userdb_num(info, USERDB_PW_UID, 0)));
	value_map_set(res, "group", value_int(userdb_num(info, USERDB_PW_GID, 0)));
	value_map_set(res, "comment", value_str(userdb_field(info, USERDB_PW_GECOS)));
	value_map_set(res, "home", value_str(userdb_field(info, USERDB_PW_DIR)));
	value_map_set(res, "shell", value_str(userdb_field(info, USERDB_PW_SHELL)));
	if (user_given(u, "groups"))
		value_map_set(res, "groups", user_str_own(user_join(value_map_get(u->params, "groups"))));
	if (u->home == NULL)
		u->home = xstrdup(userdb_field(info, USERDB_PW_DIR));
	if (!fileutil_exists(u->home) && value_get_bool(u->params, "create_home", 1)) {
		if (!u->ctx->check) {
			if (user_home_create(u, u->home) != 0)
				goto out;
			user_home_chown(u->home, userdb_num(info, USERDB_PW_UID, 0),
			                userdb_num(info, USERDB_PW_GID, 0));
		}
		value_map_set(res, "changed", value_bool(1));
	}
	if (user_bool3(u, "generate_ssh_key") == 1) {
		if (user_home_sshkey(u, res, &changed) != 0)
			goto out;
		if (changed)
			value_map_set(res, "changed", value_bool(1));
	}
	if (user_chage(u, &c) != 0 || user_cmd_failed(u, &c) != 0)
		goto out;
	if (c.rc == 0)
		value_map_set(res, "changed", value_bool(1));
	r = 0;
out:
	user_cmd_fini(&c);
	value_unref(info);
	return r;
}

/* Ansible's main() for state=present; 0, or -1 with u->fail. *shortp: a
 * check-mode run that would create the user ends with changed alone. */
static int user_present(struct user *u, struct value *res, struct user_cmd *c, int *shortp)
{
	const char *home = user_str(u, "home");
	int create_home = value_get_bool(u->params, "create_home", 1), needs_parents = 0;
	struct value *info;
	char *parent;

	if (user_exists(u)) {
		if (user_mod(u, c) != 0 || user_cmd_failed(u, c) != 0)
			return -1;
		value_map_set(res, "append", value_bool(value_get_bool(u->params, "append", 0)));
		value_map_set(res, "move_home", value_bool(value_get_bool(u->params, "move_home", 0)));
		return 0;
	}
	if (u->ctx->check) {
		*shortp = 1;
		return 0;
	}
	if (home != NULL && create_home) {
		parent = fileutil_dirname(home);
		needs_parents = !fileutil_isdir(parent);
		free(parent);
	}
	if (user_add(u, c) != 0)
		return -1;
	/* useradd made the home inside directories Ansible created as root:
	 * the home itself goes to the user. */
	if (needs_parents && (info = user_info(u)) != NULL) {
		user_home_chown(home, userdb_num(info, USERDB_PW_UID, 0), userdb_num(info, USERDB_PW_GID, 0));
		value_unref(info);
	}
	if (user_cmd_failed(u, c) != 0)
		return -1;
	value_map_set(res, "system", value_bool(value_get_bool(u->params, "system", 0)));
	value_map_set(res, "create_home", value_bool(create_home));
	return 0;
}

/* Runs the module; returns the result, or NULL with u->fail set. */
static struct value *user_apply(struct user *u)
{
	struct value *res = value_map();
	struct user_cmd c;
	int shortcut = 0, absent = strcmp(value_get_str(u->params, "state", ""), "absent") == 0, ok = 0;

	user_cmd_init(&c);
	value_map_set(res, "name", value_str(u->name));
	value_map_set(res, "state", value_str(value_get_str(u->params, "state", "")));
	if (absent && user_exists(u)) {
		if (u->ctx->check)
			shortcut = 1;
		else if (user_del(u, &c) != 0 || user_cmd_failed(u, &c) != 0)
			goto out;
		else {
			value_map_set(res, "force", value_bool(value_get_bool(u->params, "force", 0)));
			value_map_set(res, "remove", value_bool(value_get_bool(u->params, "remove", 0)));
		}
	} else if (!absent) {
		if (user_present(u, res, &c, &shortcut) != 0)
			goto out;
		if (user_given(u, "password") && !shortcut)
			value_map_set(res, "password", value_str("NOT_LOGGING_PASSWORD"));
	}
	if (shortcut) {
		value_unref(res);
		res = value_map();
		value_map_set(res, "changed", value_bool(1));
		ok = 1;
		goto out;
	}
	value_map_set(res, "changed", value_bool(c.rc != USER_RC_NONE));
	if (buf_avail(&c.out) > 0)
		value_map_set(res, "stdout", value_str(buf_str(&c.out)));
	if (buf_avail(&c.err) > 0)
		value_map_set(res, "stderr", value_str(buf_str(&c.err)));
	ok = absent || user_present_tail(u, res) == 0;
out:
	user_cmd_fini(&c);
	if (!ok) {
		value_unref(res);
		res = NULL;
	}
	return res;
}

/* Arguments Ansible checks before acting; 0, or -1 with u->fail. */
static int user_check_args(struct user *u)
{
	struct utsname un;

	if (user_given(u, "umask") && user_bool3(u, "local") == 1) {
		u->fail = module_fail(value_map(), "'umask' can not be used with 'local'");
		return -1;
	}
	if (user_bool3(u, "local") == 1) {
		u->fail = module_fail(value_map(), "local: true (the libuser tools) is not supported by drover");
		return -1;
	}
	if (!user_given(u, "ssh_key_comment"))
		value_map_set(u->params, "ssh_key_comment",
		              value_strf("ansible-generated on %s", uname(&un) == 0 ? un.nodename : "localhost"));
	if (!user_given(u, "groups") && value_get_bool(u->params, "append", 0))
		value_list_push(u->warnings,
		                value_str("'append' is set, but no 'groups' are specified. Use 'groups' for "
		                          "appending new groups.This will change to an error in Ansible 2.14."));
	user_check_password(u);
	return 0;
}

MODULE_DEFINE(user, user_run, MODULE_CHECK_MODE)
struct value *user_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown;
	struct user u;

	memset(&u, 0, sizeof(u));
	u.ctx = ctx;
	u.warnings = value_list();
	if (module_params_spec(ctx, "ansible.legacy.user", user_spec, USER_NSPEC, NULL, u.warnings, &u.params, &res) !=
	    0) {
		value_unref(u.warnings);
		return res;
	}
	u.name = value_get_str(u.params, "name", "");
	if (user_given(&u, "home"))
		u.home = xstrdup(user_str(&u, "home"));
	if (user_check_args(&u) != 0 || (res = user_apply(&u)) == NULL) {
		res = u.fail;
		u.fail = NULL;
	}
	shown = module_invocation_args(user_spec, USER_NSPEC, u.params);
	module_finish(res, shown, u.warnings);
	value_unref(shown);
	value_unref(u.fail);
	value_unref(u.warnings);
	value_unref(u.params);
	free(u.home);
	return res;
}
