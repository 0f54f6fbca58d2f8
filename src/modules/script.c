/* The internal module "_script": the host half of Ansible's script action,
 * in one request. The controller finds the local script and sends its
 * bytes (_content_b) with the task's arguments; here, in the action's
 * order, come creates and removes (a skip), chdir (absolute), a script the
 * controller could not find (_missing: its message), check mode, then the
 * script is written to a private temporary directory (mode 0700), run
 * through /bin/sh -c as the task's command line with the script's name
 * replaced by its path (after executable, when given), and removed. The
 * result is the action's: changed, rc, stdout, stderr, and "non-zero
 * return code" as msg on failure. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/shlex.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/runcmd.h"

static const char *script_arg(const struct module_ctx *ctx, const char *key)
{
	const struct value *v = value_map_get(ctx->args, key);

	return v != NULL && v->type == VALUE_STR && v->u.s.len > 0 ? v->u.s.ptr : NULL;
}

static struct value *script_skip(const char *fmt, const char *path)
{
	struct value *r = value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "skipped", value_bool(1));
	value_map_set(r, "msg", value_strf(fmt, path));
	return r;
}

/* Python's str.strip() then str.replace(old, new): every occurrence. */
static char *script_command(const char *raw, const char *old, const char *path)
{
	struct buf b;
	size_t n = strlen(raw), olen = strlen(old), i;
	char *out;

	while (n > 0 && strchr(" \t\n\r\f\v", raw[0]) != NULL)
		raw++, n--;
	while (n > 0 && strchr(" \t\n\r\f\v", raw[n - 1]) != NULL)
		n--;
	buf_init(&b, 0);
	for (i = 0; i < n;) {
		if (olen > 0 && i + olen <= n && memcmp(raw + i, old, olen) == 0) {
			buf_puts(&b, path);
			i += olen;
		} else {
			buf_putc(&b, raw[i++]);
		}
	}
	out = buf_take(&b, NULL);
	return out != NULL ? out : xstrdup("");
}

/* Writes the script into a new private directory; *dirp and *pathp are
 * heap strings. Returns 0 or -errno. */
static int script_write(const struct value *bytes, const char *name, char **dirp, char **pathp)
{
	const char *tmp = getenv("TMPDIR");
	int fd, r;

	*pathp = NULL;
	*dirp = xasprintf("%s/.drover-script.XXXXXX", tmp != NULL && tmp[0] == '/' ? tmp : "/tmp");
	if (mkdtemp(*dirp) == NULL) {
		r = -errno;
		free(*dirp);
		*dirp = NULL;
		return r;
	}
	*pathp = xasprintf("%s/%s", *dirp, name);
	if ((fd = open(*pathp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700)) < 0)
		return -errno;
	r = fd_write_all(fd, bytes->u.s.ptr, bytes->u.s.len);
	if (close(fd) != 0 && r == 0)
		r = -errno;
	return r;
}

/* Runs line through /bin/sh -c in chdir; fills res. */
static void script_exec(const struct module_ctx *ctx, const char *line, const char *chdir_to, struct value *res)
{
	char *argv[] = {"/bin/sh", "-c", (char *)line, NULL};
	struct runcmd_opts o;
	struct runcmd_result rr;
	int cwd = -1, r;

	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.envp = ctx->envp;
	o.cap = ctx->output_cap;
	o.deadline_ms = ctx->deadline_ms;
	if (chdir_to != NULL && ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || chdir(chdir_to) != 0)) {
		char *e = fileutil_oserror(errno, chdir_to);

		module_fail(res, "%s", e);
		free(e);
		fd_close(&cwd);
		return;
	}
	r = runcmd(ctx->loop, &o, &rr);
	if (cwd >= 0 && fchdir(cwd) != 0)
		r = r != 0 ? r : -errno;
	fd_close(&cwd);
	if (r != 0 || rr.spawn_err != 0) {
		module_fail(res, "cannot run the script: %s", err_str(r != 0 ? r : rr.spawn_err));
	} else {
		value_map_set(res, "rc", value_int(runcmd_rc(rr.status)));
		value_map_set(res, "stdout", value_strn(buf_ptr(&rr.out), buf_avail(&rr.out)));
		value_map_set(res, "stderr", value_strn(buf_ptr(&rr.err), buf_avail(&rr.err)));
		if (rr.timed_out)
			module_fail(res, "The script action failed to execute in the expected time frame (%lld) and was "
			                 "terminated", (long long)ctx->timeout_s);
		else if (runcmd_rc(rr.status) != 0)
			module_fail(res, "non-zero return code");
	}
	runcmd_result_fini(&rr);
}

/* The script proper: written, run, removed. */
static struct value *script_run_it(const struct module_ctx *ctx, const struct value *bytes)
{
	const char *raw = script_arg(ctx, "_raw_params"), *exe = script_arg(ctx, "executable"), *msg;
	struct value *res = value_map(), *parts = NULL;
	char *dir = NULL, *path = NULL, *base, *cmd = NULL, *line;
	int r;

	value_map_set(res, "changed", value_bool(1));
	if (raw == NULL || shlex_split(raw, strlen(raw), &parts, &msg) != 0 || value_len(parts) == 0) {
		module_fail(res, "no script given");
		goto out;
	}
	base = fileutil_basename(value_cstr(value_list_at(parts, 0)));
	r = script_write(bytes, base, &dir, &path);
	free(base);
	if (r != 0) {
		char *e = fileutil_oserror(-r, path != NULL ? path : dir);

		module_fail(res, "could not write the script: %s", e);
		free(e);
		goto out;
	}
	cmd = script_command(raw, value_cstr(value_list_at(parts, 0)), path);
	line = exe != NULL ? xasprintf("%s %s", exe, cmd) : xstrdup(cmd);
	script_exec(ctx, line, script_arg(ctx, "chdir"), res);
	free(line);
out:
	if (path != NULL)
		unlink(path);
	if (dir != NULL)
		rmdir(dir);
	free(path);
	free(dir);
	free(cmd);
	value_unref(parts);
	return res;
}

MODULE_DEFINE(_script, script_run, MODULE_CHECK_MODE)
struct value *script_run(const struct module_ctx *ctx)
{
	const char *creates = script_arg(ctx, "creates"), *removes = script_arg(ctx, "removes");
	const char *chdir_to = script_arg(ctx, "chdir"), *missing = script_arg(ctx, "_missing");
	const struct value *bytes = value_map_get(ctx->args, "_content_b");
	struct value *res;

	if (creates != NULL && fileutil_exists(creates))
		return script_skip("%s exists, matching creates option", creates);
	if (removes != NULL && !fileutil_exists(removes))
		return script_skip("%s does not exist, matching removes option", removes);
	if (chdir_to != NULL && chdir_to[0] != '/')
		return module_fail(value_map(), "chdir %s must be an absolute path for a Unix-aware remote node",
		                   chdir_to);
	if (missing != NULL)
		return module_fail(value_map(), "%s", missing);
	if (bytes == NULL || bytes->type != VALUE_STR)
		return module_fail(value_map(), "_script needs the script's bytes in _content_b");
	if (ctx->check) {
		if (creates != NULL || removes != NULL) {
			res = value_map();
			value_map_set(res, "changed", value_bool(1));
			return res;
		}
		res = script_skip("%s", "Check mode is not supported for this task.");
		return res;
	}
	return script_run_it(ctx, bytes);
}
