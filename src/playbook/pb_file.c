/* Paths and files of a playbook, resolved as Ansible's DataLoader resolves
 * them (path_dwim, path_dwim_relative, find_vars_files, unfrackpath). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "data/yaml.h"
#include "playbook/pb_priv.h"

#define PB_FILE_MAX_DIR_ENTRIES 10000 /* files taken from one vars directory */

char *pb_path_join(struct pb_playbook *pb, const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/' || n == 0)
		return pb_strdup(pb, b);
	if (b[0] == '\0')
		return pb_printf(pb, "%s%s", a, a[n - 1] == '/' ? "" : "/");
	return pb_printf(pb, "%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

char *pb_path_dirname(struct pb_playbook *pb, const char *p)
{
	const char *slash = strrchr(p, '/');
	const char *end;

	if (slash == NULL)
		return pb_strdup(pb, "");
	/* Python keeps a run of leading slashes but drops trailing ones. */
	end = slash;
	while (end > p && end[-1] == '/')
		end--;
	if (end == p)
		return pb_strndup(pb, p, (size_t)(slash - p) + 1);
	return pb_strndup(pb, p, (size_t)(end - p));
}

const char *pb_path_basename(const char *p)
{
	const char *slash = strrchr(p, '/');

	return slash ? slash + 1 : p;
}

/* os.path.normpath. */
static char *pb_path_norm(struct pb_playbook *pb, const char *p)
{
	size_t n = strlen(p), nparts = 0, i, len;
	const char **parts = xcalloc(n / 2 + 2, sizeof(*parts));
	size_t *lens = xcalloc(n / 2 + 2, sizeof(*lens));
	int abs = p[0] == '/';
	const char *s = p;
	struct buf b;
	char *out;

	while (*s) {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		len = strcspn(s, "/");
		if (len == 1 && s[0] == '.') {
			/* dropped */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (nparts > 0 && !(lens[nparts - 1] == 2 && parts[nparts - 1][0] == '.' &&
			                    parts[nparts - 1][1] == '.'))
				nparts--;
			else if (!abs) {
				parts[nparts] = s;
				lens[nparts++] = len;
			}
		} else {
			parts[nparts] = s;
			lens[nparts++] = len;
		}
		s += len;
	}
	buf_init(&b, 0);
	if (abs)
		buf_putc(&b, '/');
	for (i = 0; i < nparts; i++) {
		if (i > 0)
			buf_putc(&b, '/');
		buf_put(&b, parts[i], lens[i]);
	}
	if (b.len == 0)
		buf_putc(&b, '.');
	out = pb_strdup(pb, buf_str(&b));
	buf_fini(&b);
	free(parts);
	free(lens);
	return out;
}

/* "~" and "~/x" from the password database, as drover's config does: a
 * process started without HOME behaves as one started from a shell. */
static char *pb_path_expand_user(struct pb_playbook *pb, const char *p)
{
	struct passwd *pw;

	if (p[0] != '~' || (p[1] != '\0' && p[1] != '/'))
		return pb_strdup(pb, p);
	pw = getpwuid(getuid());
	if (pw == NULL || pw->pw_dir == NULL)
		return pb_strdup(pb, p);
	return pb_printf(pb, "%s%s", pw->pw_dir, p + 1);
}

char *pb_path_unfrack(struct pb_playbook *pb, const char *p)
{
	char cwd[PATH_MAX];
	char *e = pb_path_expand_user(pb, p);

	if (e[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return pb_path_norm(pb, e);
		e = pb_path_join(pb, cwd, e);
	}
	return pb_path_norm(pb, e);
}

char *pb_path_real(struct pb_playbook *pb, const char *p)
{
	char *u = pb_path_unfrack(pb, p);
	char *r = realpath(u, NULL);
	char *out;

	if (r == NULL)
		return u;
	out = pb_strdup(pb, r);
	free(r);
	return out;
}

int pb_path_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

int pb_path_is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

int pb_path_is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *pb_path_dwim(struct pb_playbook *pb, const char *basedir, const char *p)
{
	size_t n = strlen(p);
	char *given;

	/* Ansible's unquote: one pair of matching outer quotes. */
	if (n >= 2 && (p[0] == '"' || p[0] == '\'') && p[n - 1] == p[0])
		given = pb_strndup(pb, p + 1, n - 2);
	else
		given = pb_strdup(pb, p);
	if (given[0] == '/' || given[0] == '~')
		return pb_path_unfrack(pb, given);
	return pb_path_unfrack(pb, pb_path_join(pb, basedir, given));
}

/* Ansible's _is_role: a directory with tasks/ or meta/ holding main.*. */
static int pb_file_is_role(struct pb_playbook *pb, const char *path)
{
	static const char *const subs[] = {"tasks", "meta"};
	static const char *const mains[] = {"main.yml", "main.yaml", "main"};
	size_t i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 3; j++) {
			char *p = pb_printf(pb, "%s/%s/%s", path, subs[i], mains[j]);
			char *q = pb_printf(pb, "%s/%s/%s", pb_path_dirname(pb, path), subs[i], mains[j]);

			if (pb_path_exists(p) || pb_path_exists(q))
				return 1;
		}
	return 0;
}

/* Whether path ends in a "tasks" component (Ansible's RE_TASKS). */
static int pb_file_ends_tasks(const char *path)
{
	size_t n = strlen(path);

	while (n > 0 && path[n - 1] == '/')
		n--;
	return n >= 5 && strncmp(path + n - 5, "tasks", 5) == 0 && (n == 5 || path[n - 6] == '/');
}

char *pb_path_dwim_relative(struct pb_playbook *pb, const char *basedir, const char *path, const char *dirname,
                            const char *source, int is_role)
{
	char *cand[8], *base;
	size_t n = 0, i, dl = strlen(dirname), sl = strlen(source);

	if (source[0] == '/' || source[0] == '~') {
		cand[n++] = pb_path_unfrack(pb, source);
	} else {
		cand[n++] = pb_path_join(pb, pb_path_join(pb, path, dirname), source);
		base = pb_path_unfrack(pb, path);
		if (!is_role)
			is_role = pb_file_is_role(pb, path);
		if (is_role && pb_file_ends_tasks(path))
			base = pb_path_unfrack(pb, pb_path_dirname(pb, path));
		cand[n++] = pb_path_unfrack(pb, pb_path_join(pb, pb_path_join(pb, base, dirname), source));
		if (is_role && !(sl >= dl && strcmp(source + sl - dl, dirname) == 0))
			cand[n++] = pb_path_unfrack(pb, pb_path_join(pb, pb_path_join(pb, base, "tasks"), source));
		cand[n++] = pb_path_unfrack(pb, pb_path_join(pb, dirname, source));
		cand[n++] = pb_path_unfrack(pb, pb_path_join(pb, base, source));
		cand[n++] = pb_path_dwim(pb, basedir, pb_path_join(pb, dirname, source));
		cand[n++] = pb_path_dwim(pb, basedir, source);
	}
	for (i = 0; i < n; i++)
		if (pb_path_exists(cand[i]))
			return cand[i];
	return cand[n - 1];
}

int pb_file_load(struct pb_ctx *c, const char *path, const struct value *at, struct value **docp)
{
	struct diag yd;
	int r;

	*docp = NULL;
	if (++c->pb->nfiles > PB_MAX_FILES)
		return pb_err(c, ERR_TOOBIG, at, "the playbook reads too many files (more than %d)", PB_MAX_FILES);
	/* Only regular files: a FIFO or device named by a playbook would block
	 * or never end. */
	if (!pb_path_is_file(path))
		return pb_err(c, ERR_NOTFOUND, at,
		              "Unable to retrieve file contents\nCould not find or access '%s' on the Ansible Controller.",
		              path);
	diag_init(&yd);
	r = yaml_load_data_file(path, docp, &yd);
	if (r != 0) {
		if (r > ERR_BASE || r == ERR_INTERNAL) {
			/* A read error after the stat: report it as Ansible would. */
			pb_err(c, ERR_NOTFOUND, at,
			       "Unable to retrieve file contents\nCould not find or access '%s' on the Ansible Controller.",
			       path);
			r = ERR_NOTFOUND;
		} else {
			const char *msg = yd.msg ? yd.msg : "";
			const char *ctx = strstr(msg, " (while ");
			int n = ctx != NULL ? (int)(ctx - msg) : (int)strlen(msg);

			/* PyYAML's problem text is what Ansible shows; libyaml's
			 * "(while parsing ...)" context is dropped. */
			if (r == ERR_PARSE)
				diag_set(c->d, yd.file ? yd.file : path, yd.line, yd.col,
				         "We were unable to read either as JSON nor YAML, these are the errors we got "
				         "from each:\nJSON: Expecting value: line 1 column 1 (char 0)\n\n"
				         "Syntax Error while loading YAML.\n  %.*s", n, msg);
			else
				diag_set(c->d, yd.file ? yd.file : path, yd.line, yd.col, "%s", msg);
			if (r != ERR_TOOBIG && r != ERR_DEPTH)
				r = ERR_PARSE;
		}
	}
	diag_fini(&yd);
	return r;
}

static int pb_file_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int pb_file_ext_ok(const char *name, const char *const *exts)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name)
		return 1;
	for (i = 0; exts[i] != NULL; i++)
		if (exts[i][0] != '\0' && strcmp(dot, exts[i]) == 0)
			return 1;
	return 0;
}

static void pb_file_dir_vars(struct pb_playbook *pb, const char *dir, const char *const *exts, char ***filesp,
                             size_t *np, int depth)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;

	if (dh == NULL || depth > PB_MAX_DEPTH) {
		if (dh != NULL)
			closedir(dh);
		return;
	}
	while ((de = readdir(dh)) != NULL && n < PB_FILE_MAX_DIR_ENTRIES) {
		if (de->d_name[0] == '.' || de->d_name[strlen(de->d_name) - 1] == '~')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (n > 1)
		qsort(names, n, sizeof(*names), pb_file_cmp);
	for (i = 0; i < n; i++) {
		char *full = pb_path_join(pb, dir, names[i]);
		const char *dot = strrchr(names[i], '.');

		if (pb_path_is_dir(full) && (dot == NULL || dot == names[i]))
			pb_file_dir_vars(pb, full, exts, filesp, np, depth + 1);
		else if (pb_path_is_file(full) && pb_file_ext_ok(names[i], exts))
			pb_push(pb, (void ***)filesp, np, full);
		free(names[i]);
	}
	free(names);
}

void pb_file_find_vars(struct pb_playbook *pb, const char *dir, const char *name, const char *const *exts,
                       int allow_dir, char ***filesp, size_t *np)
{
	char *base = pb_path_join(pb, dir, name), *full;
	size_t i;

	*filesp = NULL;
	*np = 0;
	for (i = 0; exts[i] != NULL; i++) {
		full = pb_printf(pb, "%s%s", base, exts[i]);
		if (!pb_path_exists(full))
			continue;
		if (pb_path_is_dir(full)) {
			if (!allow_dir)
				continue;
			pb_file_dir_vars(pb, full, exts, filesp, np, 0);
		} else {
			pb_push(pb, (void ***)filesp, np, full);
		}
		break;
	}
}
