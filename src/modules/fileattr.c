/* Owner, group, mode and chattr flags of files, set as Ansible's
 * set_fs_attributes_if_different sets them; see fileattr.h. */
#include "modules/fileattr.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/fmode.h"

/* module_utils/common/file.py FILE_ATTRIBUTES, in its order. */
static const char fileattr_letters[] = "AacCdDehiIjNsStTuXZ";
static const char *const fileattr_words[] = {
	"noatime", "append", "compressed", "nocow", "nodump", "dirsync", "extents",
	"blocksize", "immutable", "indexed", "journalled", "inline", "zero", "synchronous",
	"notail", "blockroot", "undelete", "compressedraw", "compresseddirty",
};

static const char *fileattr_str(const struct value *params, const char *key)
{
	const struct value *v = value_map_get(params, key);

	return v != NULL && v->type == VALUE_STR ? v->u.s.ptr : NULL;
}

void fileattr_from_params(struct fileattr *fa, const struct value *params)
{
	const struct value *mode = value_map_get(params, "mode");

	memset(fa, 0, sizeof(*fa));
	fa->mode = mode != NULL && mode->type != VALUE_NULL ? mode : NULL;
	fa->owner = fileattr_str(params, "owner");
	fa->group = fileattr_str(params, "group");
	fa->attributes = fileattr_str(params, "attributes");
}

static struct value *fileattr_failure(const char *path, const char *msg, const char *details)
{
	struct value *f = value_map();

	if (details != NULL)
		value_map_set(f, "details", value_str(details));
	value_map_set(f, "path", value_str(path));
	return module_fail(f, "%s", msg);
}

/* Adds before[key] = b and after[key] = a to diff (which may be NULL);
 * takes b and a. */
static void fileattr_diff(struct value *diff, const char *key, struct value *b, struct value *a)
{
	struct value *side;

	if (diff == NULL) {
		value_unref(b);
		value_unref(a);
		return;
	}
	if ((side = value_map_get(diff, "before")) == NULL) {
		side = value_map();
		value_map_set(diff, "before", side);
	}
	value_map_set(side, key, b);
	if ((side = value_map_get(diff, "after")) == NULL) {
		side = value_map();
		value_map_set(diff, "after", side);
	}
	value_map_set(side, key, a);
}

/* int(owner) or the password database. Returns 0 or -1. */
static int fileattr_uid(const char *owner, uid_t *uidp)
{
	struct passwd *pw;
	long long n;

	if (fmode_pyint(owner, 10, &n) == 0) {
		*uidp = (uid_t)n;
		return 0;
	}
	if ((pw = getpwnam(owner)) == NULL)
		return -1;
	*uidp = pw->pw_uid;
	return 0;
}

static int fileattr_gid(const char *group, gid_t *gidp)
{
	struct group *gr;
	long long n;

	if (fmode_pyint(group, 10, &n) == 0) {
		*gidp = (gid_t)n;
		return 0;
	}
	if ((gr = getgrnam(group)) == NULL)
		return -1;
	*gidp = gr->gr_gid;
	return 0;
}

/* The mode fa asks for, given the file's current st_mode. */
static int fileattr_want_mode(const struct fileattr *fa, const char *path, mode_t st_mode, long long *modep,
                              struct value **failp)
{
	char *details = NULL;

	if (fmode_resolve(fa->mode, st_mode, fmode_umask(), modep, &details) != 0) {
		*failp = fileattr_failure(path, "mode must be in octal or symbolic form", details);
		free(details);
		return ERR_INVAL;
	}
	return 0;
}

int fileattr_lsattr(const struct module_ctx *ctx, const char *path, int with_version, char **flagsp,
                    char **versionp)
{
	char *bin = fileutil_bin_path(ctx, "lsattr"), *argv[4], *p, *words[2];
	struct buf out, err;
	size_t n = 0, i;
	int rc = -1, r = -1;

	*flagsp = NULL;
	if (versionp != NULL)
		*versionp = NULL;
	if (bin == NULL)
		return -1;
	argv[0] = bin;
	argv[1] = with_version ? "-vd" : "-d";
	argv[2] = (char *)path;
	argv[3] = NULL;
	if (fileutil_run(ctx, argv, &rc, &out, &err) == 0 && rc == 0) {
		for (p = (char *)buf_str(&out); n < 2 && *p != '\0';) {
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
			if (*p == '\0')
				break;
			words[n++] = p;
			while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n')
				p++;
			if (*p != '\0')
				*p++ = '\0';
		}
		if (n == 2) {
			char *flags = words[with_version ? 1 : 0], *q = flags;

			for (i = 0; flags[i] != '\0'; i++)
				if (flags[i] != '-')
					*q++ = flags[i];
			*q = '\0';
			*flagsp = xstrdup(flags);
			if (with_version && versionp != NULL)
				*versionp = xstrdup(words[0]);
			r = 0;
		}
	}
	buf_fini(&out);
	buf_fini(&err);
	free(bin);
	return r;
}

struct value *fileattr_names(const char *flags)
{
	struct value *l = value_list();
	const char *p;

	for (; *flags != '\0'; flags++)
		if ((p = strchr(fileattr_letters, *flags)) != NULL)
			value_list_push(l, value_str(fileattr_words[p - fileattr_letters]));
	return l;
}

/* set_attributes_if_different, through lsattr and chattr. */
static int fileattr_chattr(const struct module_ctx *ctx, const char *path, const char *want, int *changedp,
                           struct value *diff, struct value **failp)
{
	char *existing = NULL, *bin = NULL, *argv[4], *arg = NULL;
	struct buf out, err, details;
	char op = '=';
	int rc, r = ERR_INTERNAL;

	buf_init(&out, 0);
	buf_init(&err, 0);
	if (want[0] == '+' || want[0] == '-')
		op = *want++;
	fileattr_lsattr(ctx, path, 0, &existing, NULL);
	if (existing != NULL && strcmp(existing, want) == 0 && op != '-') {
		r = 0;
		goto out;
	}
	if ((bin = fileutil_bin_path(ctx, "chattr")) == NULL) {
		r = 0;
		goto out;
	}
	*changedp = 1;
	arg = xasprintf("%c%s", op, want);
	fileattr_diff(diff, "attributes", existing != NULL ? value_str(existing) : value_null(), value_str(arg));
	if (ctx->check) {
		r = 0;
		goto out;
	}
	argv[0] = bin;
	argv[1] = arg;
	argv[2] = (char *)path;
	argv[3] = NULL;
	buf_fini(&out);
	buf_fini(&err);
	if (fileutil_run(ctx, argv, &rc, &out, &err) != 0 || rc != 0 || buf_avail(&err) > 0) {
		buf_init(&details, 0);
		buf_printf(&details, "Error while setting attributes: %s%s", buf_str(&out), buf_str(&err));
		*failp = fileattr_failure(path, "chattr failed", buf_str(&details));
		buf_fini(&details);
		r = ERR_INVAL;
		goto out;
	}
	r = 0;
out:
	buf_fini(&out);
	buf_fini(&err);
	free(existing);
	free(bin);
	free(arg);
	return r;
}

/* set_mode_if_different once the wanted mode is known; symbolic links keep
 * their mode (Linux has no lchmod, and Ansible puts the target's back). */
static int fileattr_chmod(const char *path, const struct stat *st, long long mode, int check, int *changedp,
                          struct value *diff, struct value **failp)
{
	mode_t prev = st->st_mode & 07777;
	struct stat now;
	char *e;

	if ((long long)prev == mode)
		return 0;
	fileattr_diff(diff, "mode", fileutil_mode_str(prev), fileutil_mode_str(mode));
	if (check) {
		*changedp = 1;
		return 0;
	}
	if (!S_ISLNK(st->st_mode) && chmod(path, (mode_t)mode) != 0 && errno != ENOENT && errno != ELOOP) {
		e = fileutil_oserror(errno, path);
		*failp = fileattr_failure(path, "chmod failed", e);
		free(e);
		return ERR_INVAL;
	}
	if (lstat(path, &now) == 0 && (now.st_mode & 07777) != prev)
		*changedp = 1;
	return 0;
}

int fileattr_apply(const struct module_ctx *ctx, const struct fileattr *fa, const char *path, int *changedp,
                   struct value *diff, struct value **failp)
{
	struct stat st;
	long long mode;
	uid_t uid;
	gid_t gid;
	char *e, *msg;
	int r;

	*failp = NULL;
	if (fa->owner == NULL && fa->group == NULL && fa->mode == NULL && fa->attributes == NULL)
		return 0;
	if (ctx->check && !fileutil_exists(path)) {
		*changedp = 1;
		return 0;
	}
	if (lstat(path, &st) != 0) {
		e = fileutil_oserror(errno, path);
		*failp = fileattr_failure(path, e, NULL);
		free(e);
		return ERR_INVAL;
	}
	if (fa->owner != NULL) {
		if (fileattr_uid(fa->owner, &uid) != 0) {
			msg = xasprintf("chown failed: failed to look up user %s", fa->owner);
			*failp = fileattr_failure(path, msg, NULL);
			free(msg);
			return ERR_INVAL;
		}
		if (uid != st.st_uid) {
			fileattr_diff(diff, "owner", value_int(st.st_uid), value_int(uid));
			*changedp = 1;
			if (!ctx->check && lchown(path, uid, (gid_t)-1) != 0) {
				e = fileutil_oserror(errno, path);
				msg = xasprintf("chown failed: %s", e);
				*failp = fileattr_failure(path, msg, NULL);
				free(e);
				free(msg);
				return ERR_INVAL;
			}
		}
	}
	if (fa->group != NULL) {
		if (fileattr_gid(fa->group, &gid) != 0) {
			msg = xasprintf("chgrp failed: failed to look up group %s", fa->group);
			*failp = fileattr_failure(path, msg, NULL);
			free(msg);
			return ERR_INVAL;
		}
		if (gid != st.st_gid) {
			fileattr_diff(diff, "group", value_int(st.st_gid), value_int(gid));
			*changedp = 1;
			if (!ctx->check && lchown(path, (uid_t)-1, gid) != 0) {
				*failp = fileattr_failure(path, "chgrp failed", NULL);
				return ERR_INVAL;
			}
		}
	}
	if (fa->mode != NULL) {
		/* chown may have cleared set-id bits: compare with now. */
		if (!ctx->check && (fa->owner != NULL || fa->group != NULL))
			lstat(path, &st);
		if ((r = fileattr_want_mode(fa, path, st.st_mode, &mode, failp)) != 0)
			return r;
		if ((r = fileattr_chmod(path, &st, mode, ctx->check, changedp, diff, failp)) != 0)
			return r;
	}
	if (fa->attributes != NULL)
		return fileattr_chattr(ctx, path, fa->attributes, changedp, diff, failp);
	return 0;
}

int fileattr_plan(const struct fileattr *fa, const char *path, const struct stat *prev, struct fileattr_plan *plan,
                  struct value *diff, struct value **failp)
{
	mode_t cur = prev != NULL ? prev->st_mode & 07777 : 0666 & ~(mode_t)fmode_umask();
	long long mode;
	char *msg;
	int r;

	*failp = NULL;
	plan->uid = prev != NULL ? prev->st_uid : geteuid();
	plan->gid = prev != NULL ? prev->st_gid : getegid();
	plan->mode = cur;
	plan->changed = 0;
	plan->chown = 0;
	if (fa->owner != NULL) {
		uid_t uid;

		if (fileattr_uid(fa->owner, &uid) != 0) {
			msg = xasprintf("chown failed: failed to look up user %s", fa->owner);
			*failp = fileattr_failure(path, msg, NULL);
			free(msg);
			return ERR_INVAL;
		}
		if (uid != plan->uid) {
			fileattr_diff(diff, "owner", value_int(plan->uid), value_int(uid));
			plan->uid = uid;
			plan->changed = plan->chown = 1;
		}
	}
	if (fa->group != NULL) {
		gid_t gid;

		if (fileattr_gid(fa->group, &gid) != 0) {
			msg = xasprintf("chgrp failed: failed to look up group %s", fa->group);
			*failp = fileattr_failure(path, msg, NULL);
			free(msg);
			return ERR_INVAL;
		}
		if (gid != plan->gid) {
			fileattr_diff(diff, "group", value_int(plan->gid), value_int(gid));
			plan->gid = gid;
			plan->changed = plan->chown = 1;
		}
	}
	if (fa->mode != NULL) {
		if ((r = fileattr_want_mode(fa, path, S_IFREG | cur, &mode, failp)) != 0)
			return r;
		if (mode != (long long)cur) {
			fileattr_diff(diff, "mode", fileutil_mode_str(cur), fileutil_mode_str(mode));
			plan->mode = (mode_t)mode & 07777;
			plan->changed = plan->mode != cur || plan->changed;
		}
	}
	return 0;
}
