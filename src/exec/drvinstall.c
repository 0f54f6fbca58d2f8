/* drover_install: droverd and droverctl shipped through the worker's copy. */
#include "exec/drvinstall.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"

static const char *const drvinstall_keys[] = {"name", "dest", "mode", "owner", "group", "src"};

static int drvinstall_check_keys(const struct value *args, struct diag *d)
{
	size_t i, k;

	for (i = 0; i < value_len(args); i++) {
		const char *key = value_cstr(value_map_key_at(args, i));

		for (k = 0; k < sizeof(drvinstall_keys) / sizeof(drvinstall_keys[0]); k++)
			if (strcmp(key, drvinstall_keys[k]) == 0)
				break;
		if (k == sizeof(drvinstall_keys) / sizeof(drvinstall_keys[0])) {
			diag_set(d, NULL, 0, 0,
			         "Unsupported parameters for (drover_install) module: %s. Supported parameters include: "
			         "dest, group, mode, name, owner, src.",
			         key);
			return ERR_INVAL;
		}
	}
	return 0;
}

/* src, or the binary called name next to the worker. */
static char *drvinstall_src(const char *worker_path, const struct value *args, const char *name)
{
	const char *src = value_get_str(args, "src", NULL), *slash;

	if (src != NULL)
		return xstrdup(src);
	slash = strrchr(worker_path, '/');
	if (slash == NULL)
		return xstrdup(name);
	return xasprintf("%.*s/%s", (int)(slash - worker_path), worker_path, name);
}

int drvinstall_args(const char *worker_path, struct value **argsp, struct diag *d)
{
	const struct value *args = *argsp;
	struct value *copy = NULL;
	const char *name = value_get_str(args, "name", "droverd"), *dir = value_get_str(args, "dest", "/usr/local/bin");
	char *src = NULL;
	struct buf bin;
	size_t len;
	int r = ERR_INTERNAL;

	buf_init(&bin, DRVINSTALL_MAX);
	if ((r = drvinstall_check_keys(args, d)) != 0)
		goto out;
	if (strcmp(name, "droverd") != 0 && strcmp(name, "droverctl") != 0) {
		diag_set(d, NULL, 0, 0, "value of name must be one of: droverd, droverctl, got: %s", name);
		r = ERR_INVAL;
		goto out;
	}
	src = drvinstall_src(worker_path, args, name);
	if ((r = file_read(src, &bin)) != 0) {
		diag_set(d, src, 0, 0, "cannot read the %s binary to install: %s", name, err_str(r));
		goto out;
	}
	copy = value_map();
	value_map_set(copy, "_content_b", value_strn(buf_str(&bin), bin.len));
	len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		len--;
	value_map_set(copy, "dest", value_strf("%.*s/%s", (int)len, dir, name));
	value_map_set(copy, "mode", value_map_get(args, "mode") != NULL ? value_ref(value_map_get(args, "mode"))
	                                                                : value_str("0755"));
	if (value_map_get(args, "owner") != NULL)
		value_map_set(copy, "owner", value_ref(value_map_get(args, "owner")));
	if (value_map_get(args, "group") != NULL)
		value_map_set(copy, "group", value_ref(value_map_get(args, "group")));
	value_unref(*argsp);
	*argsp = copy;
	copy = NULL;
	r = 0;
out:
	value_unref(copy);
	buf_fini(&bin);
	free(src);
	return r;
}
