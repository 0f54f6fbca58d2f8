/* The template module on the controller. See tmplmod.h. */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "exec/needle.h"
#include "exec/tmplmod.h"

#define TMPLMOD_MAX_FILE ((size_t)64 << 20)

/* The variables the template module adds (Ansible's template_* and
 * ansible_managed, DEFAULT_MANAGED_STR "Ansible managed"). */
static struct value *tmplmod_vars(const struct value *locals, const char *path, const char *dest)
{
	struct value *l = locals != NULL ? value_dup(locals) : value_map();
	struct stat st;
	char host[256] = "";
	struct passwd *pw;

	gethostname(host, sizeof(host) - 1);
	value_map_set(l, "ansible_managed", value_str("Ansible managed"));
	value_map_set(l, "template_host", value_str(host));
	value_map_set(l, "template_path", value_str(path));
	value_map_set(l, "template_fullpath", value_str(path));
	value_map_set(l, "template_destpath", value_str(dest));
	if (stat(path, &st) == 0) {
		pw = getpwuid(st.st_uid);
		value_map_set(l, "template_uid", pw ? value_str(pw->pw_name) : value_int(st.st_uid));
		value_map_set(l, "template_mtime", value_strf("%lld", (long long)st.st_mtime));
	}
	return l;
}

/* Reads src from the first place it is found; *pathp is where (heap). */
static int tmplmod_find(const char *src, const char *role_path, const char *basedir, struct buf *text,
                        char **pathp)
{
	char **cand = needle_candidates("templates", src, role_path, basedir);
	size_t i;
	int r = ERR_NOTFOUND;

	*pathp = NULL;
	for (i = 0; cand[i] != NULL && *pathp == NULL; i++) {
		buf_reset(text);
		if ((r = file_read(cand[i], text)) == 0)
			*pathp = xstrdup(cand[i]);
	}
	needle_free(cand);
	return *pathp != NULL ? 0 : r;
}

static void tmplmod_not_found(const char *src, const char *role_path, const char *basedir, struct diag *d)
{
	struct buf m;

	buf_init(&m, 0);
	needle_not_found("templates", src, role_path, basedir, &m);
	diag_set(d, NULL, 0, 0, "%s", buf_str(&m));
	buf_fini(&m);
}

int tmplmod_args(struct templar *tr, struct vars_ctx *c, const char *role_path, const char *basedir,
                 struct value **argsp, struct diag *d)
{
	const char *src = value_get_str(*argsp, "src", NULL), *dirs[3] = {NULL, NULL, NULL};
	const struct value *saved = c->locals;
	struct value *locals = NULL;
	struct tpl_scope s;
	struct buf text, out;
	char *path = NULL;
	size_t nd = 0;
	int r = ERR_INTERNAL;

	buf_init(&text, TMPLMOD_MAX_FILE);
	buf_init(&out, TMPLMOD_MAX_FILE);
	if (src == NULL) {
		diag_set(d, NULL, 0, 0, "src is required");
		r = ERR_INVAL;
		goto out;
	}
	if ((r = tmplmod_find(src, role_path, basedir, &text, &path)) != 0) {
		tmplmod_not_found(src, role_path, basedir, d);
		goto out;
	}
	locals = tmplmod_vars(saved, path, value_get_str(*argsp, "dest", ""));
	c->locals = locals;
	vars_scope(c, &s);
	if (role_path != NULL)
		dirs[nd++] = role_path;
	dirs[nd++] = basedir != NULL ? basedir : ".";
	s.search_dirs = dirs;
	r = templar_file(tr, buf_ptr(&text), buf_avail(&text), path, &s, &out, d);
	c->locals = saved;
	if (r != 0)
		goto out;
	value_map_del(value_mut(argsp), "src");
	value_map_set(value_mut(argsp), "content", value_strn(buf_ptr(&out), buf_avail(&out)));
	r = 0;
out:
	value_unref(locals);
	buf_fini(&out);
	buf_fini(&text);
	free(path);
	return r;
}
