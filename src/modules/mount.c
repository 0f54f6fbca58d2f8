/* mount, as ansible.posix's on Linux: a mount point's line in an fstab
 * (fields escaped as \040, \046 and \134; the file replaced atomically,
 * keeping its mode) and the mount itself through the mount and umount
 * programs (mount -T for another fstab). States present, absent,
 * absent_from_fstab, mounted, unmounted, remounted and ephemeral. The
 * result repeats the fstab entry's fields (name, src, fstype, opts, dump,
 * passno, boot, fstab). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/sysparse.h"
#include "modules/sysutil.h"

/* Lines of an fstab or of mountinfo taken in. */
#define MOUNT_MAX_LINES 100000

static const struct module_argspec mount_spec[] = {
	{"boot", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"dump", MODULE_ARG_STR, "0", NULL, NULL, 0},
	{"fstab", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"fstype", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"path", MODULE_ARG_PATH, NULL, "name", NULL, MODULE_ARG_REQUIRED},
	{"opts", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"passno", MODULE_ARG_STR, "0", NULL, NULL, 0},
	{"src", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"state", MODULE_ARG_STR, NULL, NULL, "absent,absent_from_fstab,mounted,present,unmounted,remounted,ephemeral",
	 MODULE_ARG_REQUIRED},
};

#define MOUNT_NSPEC (sizeof(mount_spec) / sizeof(mount_spec[0]))

/* The fields of an fstab line, in their order. */
static const char *const mount_fields[] = {"src", "name", "fstype", "opts", "dump", "passno"};

struct mount_job {
	const struct module_ctx *ctx;
	const struct value *params;
	struct value *args;     /* the result's entry fields (owned) */
	struct value *mounts;   /* mountinfo: dst -> src, or NULL (owned) */
	const char *state;
	int check;
};

static const char *mount_arg(const struct mount_job *j, const char *key)
{
	return value_get_str(j->args, key, NULL);
}

/* _escape_fstab */
static char *mount_escape(const char *v)
{
	struct buf b;

	buf_init(&b, 0);
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_puts(&b, "\\134");
		else if (*v == ' ')
			buf_puts(&b, "\\040");
		else if (*v == '&')
			buf_puts(&b, "\\046");
		else
			buf_putc(&b, *v);
	}
	return buf_take(&b, NULL);
}

/* os.path.ismount as Ansible's copy has it. */
static int mount_ismount(const char *path)
{
	struct stat s1, s2;
	char *up, *parent;
	int r;

	if (lstat(path, &s1) != 0 || S_ISLNK(s1.st_mode))
		return 0;
	up = fileutil_join(path, "..");
	parent = fileutil_realpath(up);
	r = lstat(parent, &s2) == 0 && (s1.st_dev != s2.st_dev || s1.st_ino == s2.st_ino);
	free(up);
	free(parent);
	return r;
}

/* get_linux_mounts: NULL when mountinfo cannot be read. */
static struct value *mount_linux_mounts(void)
{
	struct value *mounts = NULL;
	struct buf text;

	if (fileutil_read("/proc/self/mountinfo", (size_t)16 << 20, &text) == 0)
		mounts = sysparse_mountinfo(buf_str(&text));
	buf_fini(&text);
	return mounts;
}

/* is_bind_mounted (Linux, mountinfo read): dest is a mount point, of src
 * when src is given. */
static int mount_is_bind(const struct mount_job *j, const char *dest, const char *src)
{
	const char *have;

	if (j->mounts == NULL)
		return 0;
	have = value_get_str(j->mounts, dest, NULL);
	return have != NULL && (src == NULL || strcmp(have, src) == 0);
}

static int mount_is_mounted(const struct mount_job *j, const char *dest, const char *src)
{
	return mount_ismount(dest) || mount_is_bind(j, dest, src);
}

/* Reads the fstab as readlines(): a list of lines with their newline. */
static struct value *mount_read_fstab(const char *path, struct value **failp)
{
	struct value *lines;
	struct buf text;
	const char *p, *nl;
	size_t n = 0;
	char *e;
	int r;

	*failp = NULL;
	if ((r = fileutil_read(path, FILEUTIL_MAX_TEXT, &text)) != 0) {
		e = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT) : fileutil_oserror(-r, path);
		*failp = module_crash(e);
		free(e);
		buf_fini(&text);
		return NULL;
	}
	lines = value_list();
	for (p = buf_str(&text); *p != '\0' && n++ < MOUNT_MAX_LINES; p = nl) {
		nl = strchr(p, '\n');
		nl = nl != NULL ? nl + 1 : p + strlen(p);
		value_list_push(lines, value_strn(p, (size_t)(nl - p)));
	}
	buf_fini(&text);
	return lines;
}

/* write_fstab: backup_local first when asked. Returns NULL or a failure. */
static struct value *mount_write_fstab(struct mount_job *j, const struct buf *text, int backup)
{
	struct value *fail = NULL;
	const char *path = mount_arg(j, "fstab");
	char *bk = NULL;

	if (backup && value_get_bool(j->params, "backup", 0) && fileutil_backup(path, &bk, &fail) != 0)
		return fail;
	if (bk != NULL)
		value_map_set(j->args, "backup_file", value_str(bk));
	free(bk);
	if (sysutil_write(j->ctx, path, buf_ptr(text), buf_avail(text), &fail) != 0)
		return fail;
	return NULL;
}

/* The line's entry is the one for the mount point: its name, and for swap
 * ("none") its source too. */
static int mount_line_is(const struct mount_job *j, char *const *f, const char *ename)
{
	const char *src = mount_arg(j, "src");

	return strcmp(f[1], ename) == 0 &&
	       !(src != NULL && strcmp(f[1], "none") == 0 && strcmp(f[2], "swap") == 0 && strcmp(f[0], src) != 0);
}

/* _set_mount_save_old: the entry added or its fields corrected. *oldp
 * (when not NULL) receives the lines as they were, for putting back. */
static struct value *mount_set(struct mount_job *j, int *changedp, struct value **oldp)
{
	static const size_t check[] = {0, 2, 3, 4, 5};
	struct value *lines, *fail = NULL, *old = value_list();
	char *esc[6], *f[6], *ld[6];
	const char *l;
	struct buf out, line;
	size_t i, k, n, nf;
	int exists = 0, changed = 0;

	*changedp = 0;
	if ((lines = mount_read_fstab(mount_arg(j, "fstab"), &fail)) == NULL) {
		value_unref(old);
		return fail;
	}
	for (k = 0; k < 6; k++)
		esc[k] = mount_escape(value_get_str(j->args, mount_fields[k], ""));
	buf_init(&out, FILEUTIL_MAX_TEXT);
	for (i = 0, n = value_len(lines); i < n; i++) {
		buf_init(&line, 0);
		l = value_cstr(value_list_at(lines, i));
		buf_puts(&line, l);
		if (l[0] == '\0' || l[strlen(l) - 1] != '\n')
			buf_putc(&line, '\n');
		value_list_push(old, value_str(buf_str(&line)));
		nf = sysparse_split(l, f, 6);
		if (nf < 4 || nf > 6 || f[0][0] == '#' || !mount_line_is(j, f, esc[1])) {
			buf_puts(&out, buf_str(&line));
		} else {
			exists = 1;
			/* Missing dump and passno are Python's int 0, never equal to text. */
			for (k = 0; k < 6; k++)
				ld[k] = k < nf ? f[k] : NULL;
			for (k = 0; k < 5; k++)
				if (ld[check[k]] == NULL || strcmp(ld[check[k]], esc[check[k]]) != 0)
					ld[check[k]] = esc[check[k]], changed = 1;
			if (changed)
				buf_printf(&out, "%s %s %s %s %s %s\n", ld[0], ld[1], ld[2], ld[3], ld[4], ld[5]);
			else
				buf_puts(&out, buf_str(&line));
		}
		sysparse_free_words(f, nf, 6);
		buf_fini(&line);
	}
	if (!exists) {
		buf_printf(&out, "%s %s %s %s %s %s\n", esc[0], esc[1], esc[2], esc[3], esc[4], esc[5]);
		changed = 1;
	}
	if (changed && !j->check)
		fail = mount_write_fstab(j, &out, 1);
	*changedp = changed;
	for (k = 0; k < 6; k++)
		free(esc[k]);
	buf_fini(&out);
	value_unref(lines);
	if (oldp != NULL && fail == NULL)
		*oldp = value_ref(old);
	value_unref(old);
	return fail;
}

/* unset_mount: the entry's lines (of six fields) removed. */
static struct value *mount_unset(struct mount_job *j, int *changedp)
{
	struct value *lines, *fail = NULL;
	char *ename = mount_escape(mount_arg(j, "name")), *f[6];
	const char *l;
	struct buf out;
	size_t i, n, nf;

	*changedp = 0;
	if ((lines = mount_read_fstab(mount_arg(j, "fstab"), &fail)) == NULL) {
		free(ename);
		return fail;
	}
	buf_init(&out, FILEUTIL_MAX_TEXT);
	for (i = 0, n = value_len(lines); i < n; i++) {
		l = value_cstr(value_list_at(lines, i));
		nf = sysparse_split(l, f, 6);
		if (nf != 6 || f[0][0] == '#' || !mount_line_is(j, f, ename))
			buf_puts(&out, l);
		else
			*changedp = 1;
		sysparse_free_words(f, nf, 6);
	}
	if (*changedp && !j->check)
		fail = mount_write_fstab(j, &out, 1);
	buf_fini(&out);
	value_unref(lines);
	free(ename);
	return fail;
}

/* Runs mount or umount; 0, or the exit status with *msgp (heap) its
 * output. */
static int mount_exec(struct mount_job *j, const char *prog, char *const *args, size_t nargs, char **msgp,
                      struct value **failp)
{
	char *bin, **argv;
	struct buf out, err;
	size_t i;
	int rc;

	*msgp = NULL;
	if ((bin = sysutil_bin(j->ctx, prog, failp)) == NULL)
		return -1;
	argv = xcalloc(nargs + 2, sizeof(*argv));
	argv[0] = bin;
	for (i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	sysutil_run(j->ctx, argv, 0, &rc, &out, &err);
	if (rc != 0)
		*msgp = xasprintf("%s%s", buf_str(&out), buf_str(&err));
	buf_fini(&out);
	buf_fini(&err);
	free(argv);
	free(bin);
	return rc;
}

/* The mount command's arguments after any options: -T fstab for another
 * fstab, or -t type [-o opts] src for ephemeral, then the mount point. */
static size_t mount_tail(const struct mount_job *j, char **a, size_t k)
{
	const char *fstab = mount_arg(j, "fstab");

	if (strcmp(j->state, "ephemeral") != 0) {
		if (fstab != NULL && fstab[0] != '\0' && strcmp(fstab, "/etc/fstab") != 0) {
			a[k++] = "-T";
			a[k++] = (char *)fstab;
		}
	} else {
		a[k++] = "-t";
		a[k++] = (char *)mount_arg(j, "fstype");
		if (strcmp(mount_arg(j, "opts"), "defaults") != 0) {
			a[k++] = "-o";
			a[k++] = (char *)mount_arg(j, "opts");
		}
		a[k++] = (char *)mount_arg(j, "src");
	}
	a[k++] = (char *)mount_arg(j, "name");
	return k;
}

static int mount_mount(struct mount_job *j, char **msgp, struct value **failp)
{
	char *a[10];

	return mount_exec(j, "mount", a, mount_tail(j, a, 0), msgp, failp);
}

static int mount_umount(struct mount_job *j, char **msgp, struct value **failp)
{
	char *a[] = {(char *)mount_arg(j, "name")};

	return mount_exec(j, "umount", a, 1, msgp, failp);
}

/* remount: "mount -o remount", else umount and mount. */
static int mount_remount(struct mount_job *j, char **msgp, struct value **failp)
{
	const char *opts = mount_arg(j, "opts");
	char *a[12], *o = NULL;
	size_t k = 0;
	int rc, with = strcmp(j->state, "remounted") == 0 && strcmp(opts, "defaults") != 0;

	a[k++] = "-o";
	a[k++] = o = with ? xasprintf("remount,%s", opts) : xstrdup("remount");
	rc = mount_exec(j, "mount", a, mount_tail(j, a, k), msgp, failp);
	free(o);
	if (rc == 0 || *failp != NULL)
		return rc;
	if (with) {
		*failp = module_fail(value_map(), "Options were specified with remounted, but the remount command failed. "
		                                  "Failing in order to prevent an unexpected mount result. Try replacing "
		                                  "this command with a \"state: unmounted\" followed by a \"state: "
		                                  "mounted\" using the full desired mount options instead.");
		return rc;
	}
	free(*msgp);
	if ((rc = mount_umount(j, msgp, failp)) == 0)
		rc = mount_mount(j, msgp, failp);
	return rc;
}

/* state=absent: out of the fstab, unmounted, its directory removed. */
static struct value *mount_absent(struct mount_job *j, int *changedp)
{
	struct value *fail;
	const char *name = mount_arg(j, "name");
	char *msg = NULL, *e;

	if ((fail = mount_unset(j, changedp)) != NULL || !*changedp || j->check)
		return fail;
	if (mount_is_mounted(j, name, NULL) && mount_umount(j, &msg, &fail) != 0 && fail == NULL)
		fail = module_fail(value_map(), "Error unmounting %s: %s", name, msg);
	if (fail == NULL && fileutil_exists(name) && rmdir(name) != 0) {
		e = fileutil_oserror(errno, name);
		fail = module_fail(value_map(), "Error rmdir %s: %s", name, e);
		free(e);
	}
	free(msg);
	return fail;
}

/* Creates the missing directories of path, listing them in created. */
static struct value *mount_mkdirs(const char *path, struct value *created)
{
	struct value *fail;
	size_t i, n = strlen(path);
	char *part, *e;

	for (i = 1; i <= n; i++) {
		if (i < n && path[i] != '/')
			continue;
		part = xstrndup(path, i);
		if (!fileutil_exists(part)) {
			if (mkdir(part, 0777) != 0 && !(errno == EEXIST && fileutil_isdir(part))) {
				e = fileutil_oserror(errno, part);
				fail = module_fail(value_map(), "Error making dir %s: %s", path, e);
				free(e);
				free(part);
				return fail;
			}
			value_list_push(created, value_str(part));
		}
		free(part);
	}
	return NULL;
}

/* Puts back the fstab and removes the directories made when mounting
 * failed, as Ansible does (errors there are ignored). */
static void mount_undo(struct mount_job *j, const struct value *old, const struct value *created)
{
	struct value *fail = NULL;
	struct buf text;
	size_t i;

	if (old != NULL) {
		buf_init(&text, FILEUTIL_MAX_TEXT);
		for (i = 0; i < value_len(old); i++)
			buf_puts(&text, value_cstr(value_list_at(old, i)));
		fail = mount_write_fstab(j, &text, 0);
		value_unref(fail);
		buf_fini(&text);
	}
	for (i = value_len(created); i-- > 0;)
		rmdir(value_cstr(value_list_at(created, i)));
}

/* state=mounted or ephemeral. */
static struct value *mount_mounted(struct mount_job *j, int *changedp)
{
	struct value *fail = NULL, *old = NULL, *created = value_list();
	const char *name = mount_arg(j, "name");
	int eph = strcmp(j->state, "ephemeral") == 0, rc = 0;
	char *msg = NULL;

	*changedp = 0;
	if (!fileutil_exists(name) && !j->check && (fail = mount_mkdirs(name, created)) != NULL)
		goto out;
	if (!eph && (fail = mount_set(j, changedp, &old)) != NULL)
		goto out;
	if (mount_is_mounted(j, name, mount_arg(j, "src"))) {
		if (*changedp && !j->check)
			rc = mount_remount(j, &msg, &fail);
		if (eph && !mount_is_bind(j, name, mount_arg(j, "src"))) {
			fail = module_fail(value_map(), "Ephemeral mount point is already mounted with a different source "
			                                "than the specified one. Failing in order to prevent an unwanted "
			                                "unmount or override operation. Try replacing this command with a "
			                                "\"state: unmounted\" followed by a \"state: ephemeral\", or use a "
			                                "different destination path.");
			goto out;
		}
		if (eph) {
			*changedp = 1;
			if (!j->check)
				rc = mount_remount(j, &msg, &fail);
		}
	} else {
		*changedp = 1;
		if (!j->check)
			rc = mount_mount(j, &msg, &fail);
	}
	if (fail == NULL && rc != 0) {
		mount_undo(j, eph ? NULL : old, created);
		fail = module_fail(value_map(), "Error mounting %s: %s", name, msg != NULL ? msg : "");
	}
out:
	free(msg);
	value_unref(old);
	value_unref(created);
	return fail;
}

/* The entry's fields from the params, with boot turned into "noauto". */
static void mount_args(struct mount_job *j, struct value *warnings)
{
	static const char *const keys[] = {"src", "fstype", "passno", "opts", "dump", "fstab"};
	const struct value *p = j->params;
	const char *opts;
	size_t i;

	j->args = value_map();
	value_map_set(j->args, "name", value_str(value_get_str(p, "path", "")));
	value_map_set(j->args, "opts", value_str("defaults"));
	value_map_set(j->args, "dump", value_str("0"));
	value_map_set(j->args, "passno", value_str("0"));
	value_map_set(j->args, "fstab", value_str("/etc/fstab"));
	value_map_set(j->args, "boot", value_str("yes"));
	value_map_set(j->args, "backup_file", value_str(""));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (value_get_str(p, keys[i], NULL) != NULL)
			value_map_set(j->args, keys[i], value_str(value_get_str(p, keys[i], "")));
	opts = mount_arg(j, "opts");
	if (sysutil_list_has(opts, "noauto", ',')) {
		value_list_push(warnings, value_str("Ignore the 'boot' due to 'opts' contains 'noauto'."));
	} else if (!value_get_bool(p, "boot", 1)) {
		value_map_set(j->args, "boot", value_str("no"));
		if (sysutil_list_has(opts, "defaults", ','))
			value_list_push(warnings, value_str("Ignore the 'boot' due to 'opts' contains 'defaults'."));
		else
			value_map_set(j->args, "opts", value_strf("%s,noauto", opts));
	}
}

/* An fstab that does not exist is created empty, even in check mode, as
 * Ansible does. Returns NULL or a failure. */
static struct value *mount_touch_fstab(struct mount_job *j)
{
	const char *path = mount_arg(j, "fstab");
	char *dir, *e;
	int fd;

	if (fileutil_exists(path))
		return NULL;
	dir = fileutil_dirname(path);
	if (!fileutil_exists(dir))
		fileutil_makedirs(dir);
	free(dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666)) >= 0) {
		close(fd);
		return NULL;
	}
	if (errno == EACCES || errno == EPERM)
		return module_fail(value_map(), "Failed to open %s due to permission issue", path);
	e = fileutil_oserror(errno, path);
	return module_fail(value_map(), "Failed to open %s due to %s", path, e);
}

static struct value *mount_state(struct mount_job *j, int *changedp)
{
	struct value *fail = NULL;
	char *msg = NULL;
	const char *name = mount_arg(j, "name");
	int rc;

	*changedp = 0;
	if (strcmp(j->state, "absent_from_fstab") == 0 || strcmp(j->state, "present") == 0) {
		return j->state[0] == 'p' ? mount_set(j, changedp, NULL) : mount_unset(j, changedp);
	} else if (strcmp(j->state, "absent") == 0) {
		return mount_absent(j, changedp);
	} else if (strcmp(j->state, "unmounted") == 0) {
		if (mount_is_mounted(j, name, NULL)) {
			if (!j->check && (rc = mount_umount(j, &msg, &fail)) != 0 && fail == NULL)
				fail = module_fail(value_map(), "Error unmounting %s: %s", name, msg);
			*changedp = 1;
		}
	} else if (strcmp(j->state, "remounted") == 0) {
		if (!j->check && (rc = mount_remount(j, &msg, &fail)) != 0 && fail == NULL)
			fail = module_fail(value_map(), "Error remounting %s: %s", name, msg);
		*changedp = 1;
	} else {
		return mount_mounted(j, changedp);
	}
	free(msg);
	return fail;
}

MODULE_DEFINE(mount, mount_run, MODULE_CHECK_MODE)
struct value *mount_run(const struct module_ctx *ctx)
{
	static const char *const need[] = {"mounted", "present", "ephemeral"};
	struct value *params = NULL, *res = NULL, *warnings = value_list();
	struct mount_job j;
	size_t i;
	char *msg = NULL;
	int changed = 0;

	memset(&j, 0, sizeof(j));
	if (module_params_spec(ctx, "ansible.posix.mount", mount_spec, MOUNT_NSPEC, NULL, warnings, &params, &res) != 0)
		goto done;
	for (i = 0; i < 3 && msg == NULL; i++)
		msg = sysutil_required_if(params, "state", need[i], "src,fstype", 0);
	if (msg != NULL) {
		res = module_fail(value_map(), "%s", msg);
		goto out;
	}
	j = (struct mount_job){ctx, params, NULL, NULL, value_get_str(params, "state", ""), ctx->check};
	if ((j.mounts = mount_linux_mounts()) == NULL)
		value_list_push(warnings, value_str("Cannot open file /proc/self/mountinfo. Bind mounts might be "
		                                    "misinterpreted."));
	mount_args(&j, warnings);
	if ((strcmp(j.state, "ephemeral") == 0 || (res = mount_touch_fstab(&j)) == NULL) &&
	    (res = mount_state(&j, &changed)) == NULL) {
		res = value_map();
		value_map_set(res, "changed", value_bool(changed));
		value_map_update(res, j.args, 0);
	}
out:
	module_finish(res, params, warnings);
done:
	free(msg);
	value_unref(j.args);
	value_unref(j.mounts);
	value_unref(params);
	value_unref(warnings);
	return res;
}
