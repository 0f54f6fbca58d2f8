/* Helpers the system modules share (sysutil.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/pyfmt.h"
#include "modules/sysutil.h"

/* Entries of an environment the modules run commands with. */
#define SYSUTIL_MAX_ENV 4096

char *sysutil_bin(const struct module_ctx *ctx, const char *name, struct value **failp)
{
	static const char *const sbin[] = {"/sbin", "/usr/sbin", "/usr/local/sbin"};
	const char *path = pyfmt_getenv(ctx->envp, "PATH");
	struct buf dirs;
	char *bin;
	size_t i;

	*failp = NULL;
	if ((bin = fileutil_bin_path(ctx, name)) != NULL)
		return bin;
	buf_init(&dirs, 0);
	buf_puts(&dirs, path != NULL ? path : "");
	for (i = 0; i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		/* get_bin_path adds the sbin directories PATH lacks. */
		if ((path != NULL && sysutil_list_has(path, sbin[i], ':')) || !fileutil_exists(sbin[i]))
			continue;
		if (buf_avail(&dirs) > 0)
			buf_putc(&dirs, ':');
		buf_puts(&dirs, sbin[i]);
	}
	*failp = module_fail(value_map(), "Failed to find required executable \"%s\" in paths: %s", name,
	                     buf_str(&dirs));
	buf_fini(&dirs);
	return NULL;
}

/* envp (or nothing, when bare) with the locale forced: a new
 * NULL-terminated array of borrowed strings but for the three it adds,
 * which *ownp (heap, one block) holds. */
static char **sysutil_locale_env(char *const *envp, const char *locale, int bare, char **ownp)
{
	char **env;
	size_t n = 0, k = 0, i, ll = strlen(locale);

	/* No environment given is the worker's own, as runcmd takes it. */
	if (envp == NULL)
		envp = environ;
	while (!bare && envp != NULL && envp[n] != NULL && n < SYSUTIL_MAX_ENV)
		n++;
	env = xcalloc(n + 4, sizeof(*env));
	for (i = 0; i < n; i++) {
		if (strncmp(envp[i], "LANG=", 5) == 0 || strncmp(envp[i], "LC_ALL=", 7) == 0 ||
		    strncmp(envp[i], "LC_MESSAGES=", 12) == 0)
			continue;
		env[k++] = envp[i];
	}
	/* One block: "LANG=l\0LC_ALL=l\0LC_MESSAGES=l". */
	*ownp = xasprintf("LANG=%s%cLC_ALL=%s%cLC_MESSAGES=%s", locale, 0, locale, 0, locale);
	env[k++] = *ownp;
	env[k++] = *ownp + ll + 6;
	env[k++] = *ownp + 2 * ll + 14;
	return env;
}

int sysutil_run_locale(const struct module_ctx *ctx, char *const *argv, const char *locale, int bare, int *rcp,
                       struct buf *out, struct buf *err)
{
	struct module_ctx c = *ctx;
	char **env = NULL, *own = NULL;
	int r;

	if (locale != NULL) {
		env = sysutil_locale_env(ctx->envp, locale, bare, &own);
		c.envp = env;
	}
	if ((r = fileutil_run(&c, argv, rcp, out, err)) != 0) {
		buf_reset(err);
		pyfmt_oserror(err, r > ERR_BASE ? -r : EIO, argv[0], 0);
	}
	free(env);
	free(own);
	return r;
}

int sysutil_run(const struct module_ctx *ctx, char *const *argv, int c_locale, int *rcp, struct buf *out,
                struct buf *err)
{
	return sysutil_run_locale(ctx, argv, c_locale ? "C" : NULL, 0, rcp, out, err);
}

char *sysutil_required_if(const struct value *params, const char *key, const char *val, const char *need, int any)
{
	const struct value *v;
	const char *p, *comma;
	struct buf missing;
	char *name, *msg = NULL;
	int given = 0, nmissing = 0;

	if (strcmp(value_get_str(params, key, ""), val) != 0)
		return NULL;
	buf_init(&missing, 0);
	for (p = need; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		name = comma != NULL ? xstrndup(p, (size_t)(comma - p)) : xstrdup(p);
		v = value_map_get(params, name);
		if (v != NULL && v->type != VALUE_NULL) {
			given++;
		} else {
			buf_printf(&missing, "%s%s", nmissing > 0 ? ", " : "", name);
			nmissing++;
		}
		free(name);
	}
	if ((any && given == 0) || (!any && nmissing > 0))
		msg = xasprintf("%s is %s but %s of the following are missing: %s", key, val, any ? "any" : "all",
		                buf_str(&missing));
	buf_fini(&missing);
	return msg;
}

int sysutil_write(const struct module_ctx *ctx, const char *path, const char *data, size_t len,
                  struct value **failp)
{
	struct fileutil_edit e;
	struct fileattr fa;
	char *backup = NULL;
	int attr_changed = 0, r;

	memset(&fa, 0, sizeof(fa));
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.data = data;
	e.len = len;
	e.changed = 1;
	e.fa = &fa;
	/* Ansible's modules write these files in place; where a rename is
	 * refused (a file bind-mounted into a container) so does this. */
	e.unsafe_writes = 1;
	r = fileutil_edit(ctx, &e, &attr_changed, &backup, failp);
	free(backup);
	return r;
}

int sysutil_strip_eq(const char *s, const char *word)
{
	size_t n;

	s += strspn(s, " \t\r\n\v\f");
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n\v\f", s[n - 1]) != NULL)
		n--;
	return n == strlen(word) && strncmp(s, word, n) == 0;
}

int sysutil_lines_eq(const char *s, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s, word, n) == 0 &&
	       (s[n] == '\0' || ((s[n] == '\n' || s[n] == '\r') && (s[n + 1] == '\0' || (s[n] == '\r' && s[n + 1] == '\n' && s[n + 2] == '\0'))));
}

int sysutil_env_is(const struct module_ctx *ctx, const char *name, const char *val)
{
	const char *v = pyfmt_getenv(ctx->envp, name);

	return v != NULL && strcmp(v, val) == 0;
}

int sysutil_is_chroot(const struct module_ctx *ctx)
{
	const char *dc = pyfmt_getenv(ctx->envp, "debian_chroot");
	struct stat me, init;
	struct statfs fs;
	ino_t root_ino = 2;

	if (dc != NULL && dc[0] != '\0')
		return 1;
	if (stat("/", &me) != 0)
		return 0;
	if (stat("/proc/1/root/.", &init) == 0)
		return me.st_ino != init.st_ino || me.st_dev != init.st_dev;
	/* Without /proc: the root inode number of the file system. */
	if (statfs("/", &fs) == 0 && (unsigned long)fs.f_type == 0x9123683EUL)
		root_ino = 256;
	else if (statfs("/", &fs) == 0 && (unsigned long)fs.f_type == 0x58465342UL)
		root_ino = 128;
	return me.st_ino != root_ino;
}

char *sysutil_strip_chars(const char *s, const char *chars)
{
	size_t n;

	s += strspn(s, chars);
	n = strlen(s);
	while (n > 0 && strchr(chars, s[n - 1]) != NULL)
		n--;
	return xstrndup(s, n);
}

size_t sysutil_words(char **argv, size_t k, const char *a, const char *b, const char *c)
{
	if (a != NULL)
		argv[k++] = (char *)a;
	if (b != NULL)
		argv[k++] = (char *)b;
	if (c != NULL)
		argv[k++] = (char *)c;
	return k;
}

int sysutil_list_has(const char *list, const char *item, char sep)
{
	size_t n = strlen(item);
	const char *p;

	for (p = list; p != NULL; p = strchr(p, sep), p = p != NULL ? p + 1 : NULL)
		if (strncmp(p, item, n) == 0 && (p[n] == sep || p[n] == '\0'))
			return 1;
	return 0;
}
