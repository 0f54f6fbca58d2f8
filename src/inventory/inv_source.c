/* One inventory source (-i argument): a comma list of hosts, a file (YAML
 * then INI, as Ansible's plugins are tried in turn) or a directory of
 * sources. */
#include "inventory/inv_priv.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/yaml.h"

#define INV_MAX_FILE ((size_t)64 << 20)

/* Entries of an inventory directory that Ansible skips: hidden ones,
 * group_vars, host_vars, vars_plugins, and INVENTORY_IGNORE_EXTS. */
static int src_ignored(const char *name)
{
	static const char *const exts[] = {".pyc", ".pyo", ".swp", ".bak", "~",     ".rpm",  ".md",
	                                   ".txt", ".rst", ".orig", ".ini", ".cfg", ".retry"};
	size_t i, n = strlen(name), m;

	if (name[0] == '.' || strcmp(name, "host_vars") == 0 || strcmp(name, "group_vars") == 0 ||
	    strcmp(name, "vars_plugins") == 0)
		return 1;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		m = strlen(exts[i]);
		if (n >= m && strcmp(name + n - m, exts[i]) == 0)
			return 1;
	}
	return 0;
}

/* os.path.expandvars: $NAME and ${NAME} with NAME set are replaced. */
static char *src_expandvars(const char *s)
{
	struct buf b;
	const char *p = s, *q, *val;
	char *name;

	buf_init(&b, 0);
	while (*p) {
		if (*p != '$') {
			buf_putc(&b, *p++);
			continue;
		}
		if (p[1] == '{' && (q = strchr(p + 2, '}')) != NULL) {
			name = xstrndup(p + 2, (size_t)(q - p - 2));
			q++;
		} else {
			for (q = p + 1; *q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
			                (*q >= '0' && *q <= '9');
			     q++)
				;
			name = xstrndup(p + 1, (size_t)(q - p - 1));
		}
		val = name[0] ? getenv(name) : NULL;
		if (val != NULL)
			buf_puts(&b, val);
		else
			buf_put(&b, p, (size_t)(q - p));
		free(name);
		p = q;
	}
	return buf_take(&b, NULL);
}

/* os.path.expanduser for "~" and "~user". */
static char *src_expanduser(const char *s)
{
	const char *slash, *home = NULL;
	struct passwd *pw;
	char *user;

	if (s[0] != '~')
		return xstrdup(s);
	slash = strchr(s, '/');
	if (slash == NULL)
		slash = s + strlen(s);
	if (slash == s + 1) {
		home = getenv("HOME");
		if (home == NULL && (pw = getpwuid(getuid())) != NULL)
			home = pw->pw_dir;
	} else {
		user = xstrndup(s + 1, (size_t)(slash - s - 1));
		pw = getpwnam(user);
		free(user);
		if (pw != NULL)
			home = pw->pw_dir;
	}
	if (home == NULL)
		return xstrdup(s);
	return xasprintf("%s%s", home, slash);
}

/* os.path.normpath of an absolute path: no ".", "..", or repeated '/'. */
static void src_normpath(char *path)
{
	char *out = path, *p = path, *seg;
	size_t len;

	while (*p) {
		while (*p == '/')
			p++;
		seg = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

/* Ansible's unfrackpath(follow=False): ~ and $VARS expanded, made absolute
 * against the cwd, normalised, symlinks kept. */
char *inv_source_unfrack(const char *source)
{
	char *vars = src_expandvars(source), *user = src_expanduser(vars), *abs, cwd[PATH_MAX];

	free(vars);
	if (user[0] == '/') {
		abs = user;
	} else {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			snprintf(cwd, sizeof(cwd), ".");
		abs = xasprintf("%s/%s", cwd, user);
		free(user);
	}
	src_normpath(abs);
	return abs;
}

/* The host_list plugin: "h1,h2:22,[::1]:2222". */
static int src_host_list(struct inventory *inv, const char *source, struct diag *d)
{
	struct inv_group *ungrouped = inv_group_get(inv, "ungrouped");
	const char *p = source, *comma;
	char *item, *host;
	size_t len;
	long port;
	int r = 0;

	inv->cur_file = source;
	inv->cur_dir = NULL;
	while (r == 0) {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			item = xstrndup(p, len);
			if (inv_addr_parse(item, 0, &host, &port) < 0) {
				host = xstrdup(item);
				port = -1;
			}
			if (inv_host_get(inv, host) == NULL)
				r = inv_host_add(inv, host, ungrouped, port, NULL, 0, 0, NULL, d);
			free(host);
			free(item);
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	inv->cur_file = NULL;
	return r;
}

/* Which parser got further: compares two errors by position. */
static int src_later(const struct diag *a, const struct diag *b)
{
	if (a->line != b->line)
		return a->line > b->line;
	return a->col > b->col;
}

static void src_copy_diag(struct diag *to, const struct diag *from, const char *hint)
{
	diag_set(to, from->file, from->line, from->col, "%s%s", from->msg ? from->msg : "unknown error",
	         hint ? hint : "");
}

/* Does the first line that is not blank or a comment start with '['? Then
 * the text is meant as INI (a YAML inventory is a mapping). */
static int src_looks_ini(const char *text, size_t len)
{
	size_t i = 0;

	for (;;) {
		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
			i++;
		if (i < len && (text[i] == '#' || text[i] == ';')) {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		return i < len && text[i] == '[';
	}
}

/* A file's text: YAML first unless fmt says INI, then INI unless fmt says
 * YAML. When both fail, the error reported is the YAML one if the text is
 * a YAML mapping, the INI one if it starts like INI, else that of the
 * parser that got further (at the same place, YAML if prefer_yaml). */
static int src_text(struct inventory *inv, const char *text, size_t len, const char *path, enum inv_format fmt,
                    int prefer_yaml, int executable, struct diag *d)
{
	struct diag dy, di;
	const char *hint = executable ? " (executable inventory scripts are not supported)" : NULL;
	int ry = 0, ri, r, mapping = 0, use_ini;

	diag_init(&dy);
	diag_init(&di);
	if (fmt != INV_FORMAT_INI) {
		ry = inv_yaml_load(inv, text, len, path, &mapping, &dy);
		if (ry == 1) {
			r = 0;
			goto out;
		}
		if ((ry < 0 && ry != ERR_PARSE) || fmt == INV_FORMAT_YAML) {
			src_copy_diag(d, &dy, NULL);
			r = ry < 0 ? ry : ERR_PARSE;
			goto out;
		}
	}
	ri = inv_ini_load(inv, text, len, path, &di);
	if (ri == 0) {
		r = 0;
		goto out;
	}
	if (ri != ERR_PARSE || fmt == INV_FORMAT_INI || ry == 0)
		use_ini = 1;
	else if (mapping)
		use_ini = 0;
	else if (src_looks_ini(text, len))
		use_ini = 1;
	else
		use_ini = src_later(&di, &dy) || (!src_later(&dy, &di) && !prefer_yaml);
	src_copy_diag(d, use_ini ? &di : &dy, hint);
	r = ri;
out:
	diag_fini(&dy);
	diag_fini(&di);
	return r;
}

/* Ansible's yaml plugin takes files without extension or with .yml, .yaml
 * or .json; every other file goes to the ini plugin only. */
static enum inv_format src_format(const char *path, int *yaml_extp)
{
	const char *base = strrchr(path, '/'), *dot;

	*yaml_extp = 0;
	base = base ? base + 1 : path;
	while (*base == '.')
		base++;
	dot = strrchr(base, '.');
	if (dot == NULL)
		return INV_FORMAT_AUTO;
	if (strcmp(dot, ".yml") == 0 || strcmp(dot, ".yaml") == 0 || strcmp(dot, ".json") == 0) {
		*yaml_extp = 1;
		return INV_FORMAT_AUTO;
	}
	return INV_FORMAT_INI;
}

static int src_file(struct inventory *inv, const char *path, const struct stat *st, struct diag *d)
{
	struct buf b;
	char *dir, *slash;
	int r, yaml_ext;
	enum inv_format fmt = src_format(path, &yaml_ext);

	buf_init(&b, INV_MAX_FILE);
	r = file_read(path, &b);
	if (r < 0) {
		if (r == ERR_TOOBIG)
			diag_set(d, path, 0, 0, "inventory file too large (over %zu bytes)", (size_t)INV_MAX_FILE);
		else
			diag_set(d, path, 0, 0, "cannot read inventory: %s", strerror(-r));
		buf_fini(&b);
		return r;
	}
	dir = xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	inv->cur_file = path;
	inv->cur_dir = dir;
	r = src_text(inv, buf_ptr(&b), buf_avail(&b), path, fmt, yaml_ext, (st->st_mode & 0111) != 0, d);
	inv->cur_file = NULL;
	inv->cur_dir = NULL;
	free(dir);
	buf_fini(&b);
	return r;
}

static int src_path(struct inventory *inv, const char *path, int depth, struct diag *d);

static int src_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int src_dir(struct inventory *inv, const char *path, int depth, struct diag *d)
{
	DIR *dir;
	struct dirent *e;
	char **names = NULL, *full;
	size_t n = 0, cap = 0, i;
	int r = 0;

	if (depth > INV_MAX_DIR_DEPTH) {
		diag_set(d, path, 0, 0, "inventory directories nested too deeply");
		return ERR_DEPTH;
	}
	dir = opendir(path);
	if (dir == NULL) {
		r = -errno;
		diag_set(d, path, 0, 0, "cannot read inventory directory: %s", strerror(errno));
		return r;
	}
	while ((e = readdir(dir)) != NULL) {
		if (src_ignored(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dir);
	if (n > 1)
		qsort(names, n, sizeof(*names), src_cmp);
	for (i = 0; i < n && r == 0; i++) {
		full = xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", names[i]);
		r = src_path(inv, full, depth + 1, d);
		free(full);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

static int src_path(struct inventory *inv, const char *path, int depth, struct diag *d)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		diag_set(d, path, 0, 0, "cannot read inventory source: %s", strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode))
		return src_dir(inv, path, depth, d);
	return src_file(inv, path, &st, d);
}

int inv_source_load(struct inventory *inv, const char *source, struct diag *d)
{
	struct stat st;
	char *path;
	int r;

	if (strchr(source, ',') != NULL && stat(source, &st) != 0)
		return src_host_list(inv, source, d);
	path = inv_source_unfrack(source);
	if (stat(path, &st) != 0) {
		diag_set(d, source, 0, 0, "inventory source not found (%s is not a file, a directory or a comma-separated host list)",
		         path);
		free(path);
		return ERR_NOTFOUND;
	}
	r = src_path(inv, path, 0, d);
	free(path);
	return r;
}

int inv_source_load_text(struct inventory *inv, const char *text, size_t len, const char *name,
                         enum inv_format fmt, struct diag *d)
{
	int r;

	inv->cur_file = name;
	inv->cur_dir = NULL;
	r = src_text(inv, text, len, name, fmt, 0, 0, d);
	inv->cur_file = NULL;
	return r;
}
