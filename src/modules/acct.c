/* The host side of the account modules (see acct.h). */
#include "modules/acct.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/pyfmt.h"
#include "modules/userdb.h"

struct value *acct_load(const char *path, int numfield)
{
	struct value *db;
	struct buf b;

	if (fileutil_read(path, USERDB_MAX, &b) != 0) {
		buf_fini(&b);
		return value_list();
	}
	db = userdb_parse(buf_ptr(&b), buf_avail(&b), numfield);
	buf_fini(&b);
	return db;
}

char *acct_bin(const struct module_ctx *ctx, const char *name, struct value **failp)
{
	static const char *const sbin[] = {"/sbin", "/usr/sbin", "/usr/local/sbin"};
	const char *path = pyfmt_getenv(ctx->envp, "PATH");
	char *bin;
	struct buf b;
	size_t i;
	int found;

	*failp = NULL;
	if ((bin = fileutil_bin_path(ctx, name)) != NULL)
		return bin;
	/* The paths Ansible names: PATH's, then the sbin directories it does
	 * not hold that exist. */
	buf_init(&b, 0);
	buf_puts(&b, path != NULL ? path : "");
	for (i = 0; i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		found = path != NULL && strstr(path, sbin[i]) != NULL;
		if (!found && fileutil_isdir(sbin[i])) {
			buf_puts(&b, ":");
			buf_puts(&b, sbin[i]);
		}
	}
	*failp = module_fail(value_map(), "Failed to find required executable \"%s\" in paths: %s", name, buf_str(&b));
	buf_fini(&b);
	return NULL;
}
void acct_exec(const struct module_ctx *ctx, const struct value *cmd, const char *input, int *rcp, struct buf *out,
               struct buf *err)
{
	size_t i, n = value_len(cmd);
	char **argv = xcalloc(n + 1, sizeof(*argv));
	int r;

	for (i = 0; i < n; i++)
		argv[i] = (char *)value_cstr(value_list_at(cmd, i));
	if ((r = fileutil_run_input(ctx, argv, input, rcp, out, err)) != 0) {
		/* run_command's answer to an OSError: rc of the errno, its text. */
		*rcp = r < 0 && r > -4096 ? -r : 1;
		buf_puts(err, r < 0 && r > -4096 ? pyfmt_strerror(-r) : "failed to run the command");
	}
	free(argv);
}
