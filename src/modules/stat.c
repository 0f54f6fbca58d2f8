/* stat, as Ansible 2.14's: every key of its "stat" dict (times as floats,
 * permission booleans, access as the worker's user, link source and
 * target, names of owner and group), the checksum in any hashlib
 * algorithm, the MIME type through file(1) and chattr flags through
 * lsattr(1) when those programs are there ("unknown" and no attributes
 * when they are not, as Ansible reports). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pyfmt.h"

static const struct module_argspec stat_spec[] = {
	{"path", MODULE_ARG_PATH, NULL, "dest,name", NULL, MODULE_ARG_REQUIRED},
	{"follow", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"get_md5", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"get_checksum", MODULE_ARG_BOOL, "true", NULL, NULL, 0},
	{"get_mime", MODULE_ARG_BOOL, "true", "mime,mime_type,mime-type", NULL, 0},
	{"get_attributes", MODULE_ARG_BOOL, "true", "attr,attributes", NULL, 0},
	{"checksum_algorithm", MODULE_ARG_STR, "sha1", "checksum,checksum_algo", "md5,sha1,sha224,sha256,sha384,sha512",
	 0},
};

#define STAT_NSPEC (sizeof(stat_spec) / sizeof(stat_spec[0]))

static double stat_time(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

/* format_output: the keys every existing path gets, in Ansible's order. */
static void stat_format(struct value *o, const char *path, const struct stat *st)
{
	static const struct {
		const char *key;
		mode_t bit;
	} bits[] = {
		{"wusr", S_IWUSR}, {"rusr", S_IRUSR}, {"xusr", S_IXUSR}, {"wgrp", S_IWGRP}, {"rgrp", S_IRGRP},
		{"xgrp", S_IXGRP}, {"woth", S_IWOTH}, {"roth", S_IROTH}, {"xoth", S_IXOTH}, {"isuid", S_ISUID},
		{"isgid", S_ISGID},
	};
	mode_t m = st->st_mode;
	size_t i;

	value_map_set(o, "exists", value_bool(1));
	value_map_set(o, "path", value_str(path));
	value_map_set(o, "mode", value_strf("%04o", (unsigned)(m & 07777)));
	value_map_set(o, "isdir", value_bool(S_ISDIR(m)));
	value_map_set(o, "ischr", value_bool(S_ISCHR(m)));
	value_map_set(o, "isblk", value_bool(S_ISBLK(m)));
	value_map_set(o, "isreg", value_bool(S_ISREG(m)));
	value_map_set(o, "isfifo", value_bool(S_ISFIFO(m)));
	value_map_set(o, "islnk", value_bool(S_ISLNK(m)));
	value_map_set(o, "issock", value_bool(S_ISSOCK(m)));
	value_map_set(o, "uid", value_int(st->st_uid));
	value_map_set(o, "gid", value_int(st->st_gid));
	value_map_set(o, "size", value_int(st->st_size));
	value_map_set(o, "inode", value_int((int64_t)st->st_ino));
	value_map_set(o, "dev", value_int((int64_t)st->st_dev));
	value_map_set(o, "nlink", value_int((int64_t)st->st_nlink));
	value_map_set(o, "atime", value_float(stat_time(&st->st_atim)));
	value_map_set(o, "mtime", value_float(stat_time(&st->st_mtim)));
	value_map_set(o, "ctime", value_float(stat_time(&st->st_ctim)));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		value_map_set(o, bits[i].key, value_bool((m & bits[i].bit) != 0));
	/* What Python's os.stat_result has on Linux besides. */
	value_map_set(o, "blocks", value_int(st->st_blocks));
	value_map_set(o, "block_size", value_int(st->st_blksize));
	value_map_set(o, "device_type", value_int((int64_t)st->st_rdev));
}

/* str.strip() */
static struct value *stat_strip(const char *s)
{
	size_t n;

	s += strspn(s, " \t\n\r\v\f");
	n = strlen(s);
	while (n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
		n--;
	return value_strn(s, n);
}

/* file --mime-type --mime-encoding: "path: text/plain; charset=us-ascii". */
static void stat_mime(const struct module_ctx *ctx, struct value *o, const char *path)
{
	char *bin = fileutil_bin_path(ctx, "file"), *argv[5], *colon, *semi, *eq, *type, *charset;
	struct buf out, err;
	int rc;

	value_map_set(o, "mimetype", value_str("unknown"));
	value_map_set(o, "charset", value_str("unknown"));
	if (bin == NULL)
		return;
	argv[0] = bin;
	argv[1] = "--mime-type";
	argv[2] = "--mime-encoding";
	argv[3] = (char *)path;
	argv[4] = NULL;
	if (fileutil_run(ctx, argv, &rc, &out, &err) == 0 && rc == 0 &&
	    (colon = strrchr(buf_str(&out), ':')) != NULL && (semi = strchr(colon, ';')) != NULL &&
	    strchr(semi + 1, ';') == NULL && (eq = strchr(semi, '=')) != NULL && strchr(eq + 1, '=') == NULL) {
		type = xstrndup(colon + 1, (size_t)(semi - colon - 1));
		charset = xstrdup(eq + 1);
		value_map_set(o, "mimetype", stat_strip(type));
		value_map_set(o, "charset", stat_strip(charset));
		free(type);
		free(charset);
	}
	buf_fini(&out);
	buf_fini(&err);
	free(bin);
}

static void stat_attributes(const struct module_ctx *ctx, struct value *o, const char *path)
{
	char *flags = NULL, *version = NULL;

	value_map_set(o, "version", value_null());
	value_map_set(o, "attributes", value_list());
	value_map_set(o, "attr_flags", value_str(""));
	if (fileattr_lsattr(ctx, path, 1, &flags, &version) != 0)
		return;
	value_map_set(o, "version", value_str(version));
	value_map_set(o, "attributes", fileattr_names(flags));
	value_map_set(o, "attr_flags", value_str(flags));
	free(flags);
	free(version);
}

/* The stat dict of an existing path. Returns NULL with *failp set when the
 * checksum cannot be taken. */
static struct value *stat_output(const struct module_ctx *ctx, const struct value *params, const char *path,
                                 const struct stat *st, struct value **failp)
{
	struct value *o = value_map();
	char hex[DIGEST_MAX_HEX + 1], *real, link[4096];
	struct passwd *pw;
	struct group *gr;
	ssize_t n;
	int r;

	*failp = NULL;
	stat_format(o, path, st);
	value_map_set(o, "readable", value_bool(access(path, R_OK) == 0));
	value_map_set(o, "writeable", value_bool(access(path, W_OK) == 0));
	value_map_set(o, "executable", value_bool(access(path, X_OK) == 0));
	if (S_ISLNK(st->st_mode)) {
		real = fileutil_realpath(path);
		value_map_set(o, "lnk_source", value_str_take(real, strlen(real)));
		n = readlink(path, link, sizeof(link) - 1);
		value_map_set(o, "lnk_target", value_strn(link, n > 0 ? (size_t)n : 0));
	}
	if ((pw = getpwuid(st->st_uid)) != NULL)
		value_map_set(o, "pw_name", value_str(pw->pw_name));
	if ((gr = getgrgid(st->st_gid)) != NULL)
		value_map_set(o, "gr_name", value_str(gr->gr_name));
	if (S_ISREG(st->st_mode) && access(path, R_OK) == 0) {
		if (value_get_bool(params, "get_md5", 0)) {
			r = digest_file_hex(DIGEST_MD5, path, hex);
			value_map_set(o, "md5", r == 0 ? value_str(hex) : value_null());
		}
		if (value_get_bool(params, "get_checksum", 1)) {
			if ((r = digest_file_hex(digest_find(value_get_str(params, "checksum_algorithm", "sha1")), path,
			                         hex)) != 0) {
				*failp = module_fail(value_map(), "%s", pyfmt_strerror(-r));
				value_unref(o);
				return NULL;
			}
			value_map_set(o, "checksum", value_str(hex));
		}
	}
	if (value_get_bool(params, "get_mime", 1))
		stat_mime(ctx, o, path);
	if (value_get_bool(params, "get_attributes", 1))
		stat_attributes(ctx, o, path);
	return o;
}

MODULE_DEFINE(stat, stat_run, MODULE_CHECK_MODE)
struct value *stat_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *o, *shown, *warnings = value_list();
	const char *path;
	struct stat st;
	int r;

	if (module_params_spec(ctx, "ansible.legacy.stat", stat_spec, STAT_NSPEC, NULL, warnings, &params, &res) != 0) {
		value_unref(warnings);
		return res;
	}
	path = value_get_str(params, "path", "");
	r = value_get_bool(params, "follow", 0) ? stat(path, &st) : lstat(path, &st);
	if (r != 0) {
		if (errno == ENOENT) {
			res = value_map();
			value_map_set(res, "changed", value_bool(0));
			o = value_map();
			value_map_set(o, "exists", value_bool(0));
			value_map_set(res, "stat", o);
		} else {
			res = module_fail(value_map(), "%s", pyfmt_strerror(errno));
		}
	} else if ((o = stat_output(ctx, params, path, &st, &res)) != NULL) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "stat", o);
	}
	shown = module_invocation_args(stat_spec, STAT_NSPEC, params);
	module_finish(res, shown, warnings);
	value_unref(shown);
	value_unref(params);
	value_unref(warnings);
	return res;
}
