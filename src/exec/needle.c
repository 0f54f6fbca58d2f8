/* Local files of a task. See needle.h. */
#include "exec/needle.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "base/xmalloc.h"

char **needle_candidates(const char *subdir, const char *src, const char *role_path, const char *basedir)
{
	char **cand = xcalloc(5, sizeof(*cand));
	const char *base = basedir != NULL ? basedir : ".";
	size_t n = 0;

	if (src[0] == '/') {
		cand[n++] = xstrdup(src);
		return cand;
	}
	if (role_path != NULL) {
		cand[n++] = xasprintf("%s/%s/%s", role_path, subdir, src);
		cand[n++] = xasprintf("%s/%s", role_path, src);
	}
	cand[n++] = xasprintf("%s/%s/%s", base, subdir, src);
	cand[n++] = xasprintf("%s/%s", base, src);
	return cand;
}

void needle_free(char **cand)
{
	size_t i;

	for (i = 0; cand != NULL && cand[i] != NULL; i++)
		free(cand[i]);
	free(cand);
}

char *needle_find(const char *subdir, const char *src, const char *role_path, const char *basedir)
{
	char **cand = needle_candidates(subdir, src, role_path, basedir), *found = NULL;
	struct stat st;
	size_t i;

	for (i = 0; cand[i] != NULL && found == NULL; i++)
		if (stat(cand[i], &st) == 0)
			found = xstrdup(cand[i]);
	needle_free(cand);
	return found;
}

/* Ansible lists its relative "./" places too, which the absolute ones
 * here cover; they are named all the same so the message reads alike. */
void needle_not_found(const char *subdir, const char *src, const char *role_path, const char *basedir,
                      struct buf *m)
{
	const char *base = basedir != NULL ? basedir : ".";

	buf_printf(m, "Could not find or access '%s'", src);
	if (src[0] != '/') {
		buf_puts(m, "\nSearched in:");
		if (role_path != NULL)
			buf_printf(m, "\n\t%s/%s/%s\n\t%s/%s", role_path, subdir, src, role_path, src);
		buf_printf(m, "\n\t%s/%s/%s\n\t%s/%s\n\t./%s/%s\n\t./%s", base, subdir, src, base, src, subdir, src, src);
	}
	buf_puts(m, " on the Ansible Controller.\nIf you are using a module and expect the file to exist on the "
	            "remote, see the remote_src option");
}
