/* tempfile, as Ansible's: a new file (mode 0600) or directory (0700) named
 * prefix + 8 random characters + suffix, in path or in Python's
 * tempfile.gettempdir(). It does not support check mode, as Ansible's:
 * it checks its arguments, then skips. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pyfmt.h"

static const struct module_argspec tempfile_spec[] = {
	{"state", MODULE_ARG_STR, "file", NULL, "file,directory", 0},
	{"path", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	{"prefix", MODULE_ARG_STR, "ansible.", NULL, NULL, 0},
	{"suffix", MODULE_ARG_STR, "", NULL, NULL, 0},
};

#define TEMPFILE_NSPEC (sizeof(tempfile_spec) / sizeof(tempfile_spec[0]))

/* Creates the file or directory. Returns its path, or NULL with errno and
 * *triedp (heap) the last name tried. */
static char *tempfile_make(const char *dir, const char *prefix, const char *suffix, int directory, char **triedp)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	unsigned char rnd[8];
	char name[9], *path;
	int tries, i, fd, e;

	for (tries = 0; tries < 10000; tries++) {
		if (getentropy(rnd, sizeof(rnd)) != 0)
			return NULL;
		for (i = 0; i < 8; i++)
			name[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		name[8] = '\0';
		path = xasprintf("%s%s%s%s%s", dir, dir[0] != '\0' && dir[strlen(dir) - 1] != '/' ? "/" : "", prefix,
		                 name, suffix);
		if (directory) {
			if (mkdir(path, 0700) == 0)
				return path;
		} else if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0) {
			close(fd);
			return path;
		}
		e = errno;
		free(*triedp);
		*triedp = path;
		if (e != EEXIST) {
			errno = e;
			return NULL;
		}
	}
	errno = EEXIST;
	return NULL;
}

MODULE_DEFINE(tempfile, tempfile_run, MODULE_CHECK_SELF)
struct value *tempfile_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *shown;
	const char *given, *prefix, *suffix;
	char *dir, *path, *e, *abs, *tried = NULL;
	int directory;

	if (module_params_spec(ctx, "ansible.legacy.tempfile", tempfile_spec, TEMPFILE_NSPEC, NULL, NULL, &params,
	                       &res) != 0)
		return res;
	if (ctx->check) {
		res = module_check_skip(ctx);
		goto out;
	}
	given = value_get_str(params, "path", NULL);
	/* An explicit null is Python's default prefix. */
	prefix = value_get_str(params, "prefix", "tmp");
	suffix = value_get_str(params, "suffix", "");
	/* Anything but "file" (a null, too) makes a directory, as in Ansible. */
	directory = strcmp(value_get_str(params, "state", ""), "file") != 0;
	dir = given != NULL ? xstrdup(given) : fileutil_gettempdir(ctx);
	if ((path = tempfile_make(dir, prefix, suffix, directory, &tried)) == NULL) {
		/* Python's error names the path it tried. */
		e = fileutil_oserror(errno, tried != NULL ? tried : dir);
		res = module_fail(value_map(), "%s", e);
		free(e);
	} else {
		/* mkstemp answers with an absolute path. */
		if (!directory && path[0] != '/') {
			abs = fileutil_realpath(path);
			free(path);
			path = abs;
		}
		res = value_map();
		value_map_set(res, "changed", value_bool(1));
		value_map_set(res, "path", value_str_take(path, strlen(path)));
	}
	free(dir);
	free(tried);
out:
	shown = module_invocation_args(tempfile_spec, TEMPFILE_NSPEC, params);
	fileutil_finish(res, shown, NULL);
	value_unref(shown);
	value_unref(params);
	return res;
}
