/* find, as Ansible 2.14's: files, directories or links under the given
 * paths (recursively, to a depth, following links or not), selected by
 * shell patterns or Python regexes on the base name, excludes, contents,
 * age and size; each with the stat keys Ansible gives, optionally a
 * SHA-1 checksum; matched, examined and skipped_paths as Ansible counts
 * them. */
#include <errno.h>
#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pyfmt.h"
#include "data/pyre.h"

static const struct module_argspec find_spec[] = {
	{"paths", MODULE_ARG_LIST, NULL, "name,path", NULL, MODULE_ARG_REQUIRED},
	{"patterns", MODULE_ARG_LIST, "", "pattern", NULL, 0},
	{"excludes", MODULE_ARG_LIST, NULL, "exclude", NULL, 0},
	{"contains", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"read_whole_file", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"file_type", MODULE_ARG_STR, "file", NULL, "any,directory,file,link", 0},
	{"age", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"age_stamp", MODULE_ARG_STR, "mtime", NULL, "atime,ctime,mtime", 0},
	{"size", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"recurse", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"hidden", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"follow", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"get_checksum", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"use_regex", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"depth", MODULE_ARG_INT, NULL, NULL, NULL, 0},
};

#define FIND_NSPEC (sizeof(find_spec) / sizeof(find_spec[0]))

/* Most entries reported: the reply must fit in a frame. */
#define FIND_MAX_FILES 100000

struct find {
	const struct module_ctx *ctx;
	struct value *params;     /* owned */
	struct value *warnings;   /* owned */
	struct value *files;      /* owned; the result list */
	struct value *skipped;    /* owned; path -> reason */
	struct pyre **pats, **excl; /* owned, with use_regex */
	const struct value *patterns, *excludes;
	struct pyre *contains;    /* owned */
	const char *npath;        /* the path being walked */
	const char *file_type, *age_stamp;
	long long age, size;
	int has_age, has_size, use_regex, hidden, recurse, checksum, whole, depth;
	long examined;
	double now;
	int warned;
};

/* Does name match the pattern list (fnmatch, or re.match with use_regex)? */
static int find_match_one(const struct find *f, const struct value *list, struct pyre *const *res, size_t i,
                          const char *name)
{
	struct pyre_match m;

	if (f->use_regex)
		return res[i] != NULL && pyre_search(res[i], name, strlen(name), 0, &m) && m.so[0] == 0;
	/* Python's fnmatch has no escapes, and '*' crosses '/' and dots. */
	return fnmatch(value_cstr(value_list_at(list, i)), name, FNM_NOESCAPE) == 0;
}

/* pfilter. */
static int find_pfilter(const struct find *f, const char *name)
{
	size_t i, j;

	for (i = 0; i < value_len(f->patterns); i++) {
		if (!find_match_one(f, f->patterns, f->pats, i, name))
			continue;
		for (j = 0; f->excludes != NULL && j < value_len(f->excludes); j++)
			if (find_match_one(f, f->excludes, f->excl, j, name))
				return 0;
		return 1;
	}
	return 0;
}

static double find_time(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec * 1e-9;
}

static int find_agefilter(const struct find *f, const struct stat *st)
{
	const struct timespec *ts;
	double d;

	if (!f->has_age)
		return 1;
	ts = strcmp(f->age_stamp, "atime") == 0 ? &st->st_atim : strcmp(f->age_stamp, "ctime") == 0 ? &st->st_ctim
	                                                                                          : &st->st_mtim;
	d = f->now - find_time(ts);
	return f->age >= 0 ? d >= (double)f->age : d <= (double)-f->age;
}

static int find_sizefilter(const struct find *f, const struct stat *st)
{
	if (!f->has_size)
		return 1;
	return f->size >= 0 ? st->st_size >= f->size : st->st_size <= -f->size;
}

/* Is s valid UTF-8 (Python's text-mode open would fail otherwise)? */
static int find_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, extra;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0 && s[i] >= 0xc2)
			extra = 1;
		else if ((s[i] & 0xf0) == 0xe0)
			extra = 2;
		else if ((s[i] & 0xf8) == 0xf0 && s[i] <= 0xf4)
			extra = 3;
		else
			return 0;
		if (i + extra >= n)
			return 0;
		for (k = 1; k <= extra; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
		i += extra + 1;
	}
	return 1;
}

/* contentfilter: a line that matches at its start (re.match), or with
 * read_whole_file a search of the whole text. The file is read as Python's
 * text mode reads it: UTF-8, universal newlines. */
static int find_contentfilter(const struct find *f, const char *path)
{
	struct pyre_match m;
	struct buf b;
	char *text, *line, *nl;
	size_t n, i, o = 0;
	int hit = 0;

	if (f->contains == NULL)
		return 1;
	if (fileutil_read(path, FILEUTIL_MAX_TEXT, &b) != 0 ||
	    !find_utf8((const unsigned char *)buf_ptr(&b), buf_avail(&b))) {
		buf_fini(&b);
		return 0;
	}
	n = buf_avail(&b);
	text = xmalloc(n + 1);
	for (i = 0; i < n; i++) {
		if (buf_ptr(&b)[i] == '\r') {
			text[o++] = '\n';
			if (i + 1 < n && buf_ptr(&b)[i + 1] == '\n')
				i++;
		} else {
			text[o++] = buf_ptr(&b)[i];
		}
	}
	text[o] = '\0';
	buf_fini(&b);
	if (f->whole) {
		hit = pyre_search(f->contains, text, o, 0, &m);
	} else {
		for (line = text; !hit && *line != '\0'; line = nl + 1) {
			if ((nl = strchr(line, '\n')) != NULL)
				*nl = '\0';
			hit = pyre_search(f->contains, line, strlen(line), 0, &m) && m.so[0] == 0;
			if (nl == NULL)
				break;
		}
	}
	free(text);
	return hit;
}

/* statinfo. */
static void find_statinfo(struct value *r, const struct stat *st)
{
	static const struct {
		const char *key;
		mode_t bit;
	} bits[] = {
		{"wusr", S_IWUSR}, {"rusr", S_IRUSR}, {"xusr", S_IXUSR}, {"wgrp", S_IWGRP}, {"rgrp", S_IRGRP},
		{"xgrp", S_IXGRP}, {"woth", S_IWOTH}, {"roth", S_IROTH}, {"xoth", S_IXOTH}, {"isuid", S_ISUID},
		{"isgid", S_ISGID},
	};
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	mode_t m = st->st_mode;
	size_t i;

	value_map_set(r, "mode", value_strf("%04o", (unsigned)(m & 07777)));
	value_map_set(r, "isdir", value_bool(S_ISDIR(m)));
	value_map_set(r, "ischr", value_bool(S_ISCHR(m)));
	value_map_set(r, "isblk", value_bool(S_ISBLK(m)));
	value_map_set(r, "isreg", value_bool(S_ISREG(m)));
	value_map_set(r, "isfifo", value_bool(S_ISFIFO(m)));
	value_map_set(r, "islnk", value_bool(S_ISLNK(m)));
	value_map_set(r, "issock", value_bool(S_ISSOCK(m)));
	value_map_set(r, "uid", value_int(st->st_uid));
	value_map_set(r, "gid", value_int(st->st_gid));
	value_map_set(r, "size", value_int(st->st_size));
	value_map_set(r, "inode", value_int((int64_t)st->st_ino));
	value_map_set(r, "dev", value_int((int64_t)st->st_dev));
	value_map_set(r, "nlink", value_int((int64_t)st->st_nlink));
	value_map_set(r, "atime", value_float(find_time(&st->st_atim)));
	value_map_set(r, "mtime", value_float(find_time(&st->st_mtim)));
	value_map_set(r, "ctime", value_float(find_time(&st->st_ctim)));
	value_map_set(r, "gr_name", value_str(gr != NULL ? gr->gr_name : ""));
	value_map_set(r, "pw_name", value_str(pw != NULL ? pw->pw_name : ""));
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		value_map_set(r, bits[i].key, value_bool((m & bits[i].bit) != 0));
}

/* os.path.normpath. */
static char *find_normpath(const char *path)
{
	struct buf b;
	const char *p = path, *slash;
	size_t n, len;
	int abs = path[0] == '/';

	buf_init(&b, 0);
	while (*p != '\0') {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		slash = strchr(p, '/');
		n = slash != NULL ? (size_t)(slash - p) : strlen(p);
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.' && buf_avail(&b) > 0 &&
		           !(buf_avail(&b) >= 2 && strcmp(buf_str(&b) + buf_avail(&b) - 2, "..") == 0 &&
		             (buf_avail(&b) == 2 || buf_str(&b)[buf_avail(&b) - 3] == '/'))) {
			len = buf_avail(&b);
			while (len > 0 && buf_str(&b)[len - 1] != '/')
				len--;
			{
				char *keep = xstrndup(buf_str(&b), len > 0 ? len - 1 : 0);

				buf_reset(&b);
				buf_puts(&b, keep);
				free(keep);
			}
		} else if (!(n == 2 && p[0] == '.' && p[1] == '.' && abs)) {
			if (buf_avail(&b) > 0)
				buf_putc(&b, '/');
			buf_put(&b, p, n);
		}
		p += n;
	}
	{
		char *s = xasprintf("%s%s", abs ? "/" : "", buf_avail(&b) > 0 ? buf_str(&b) : abs ? "" : ".");

		buf_fini(&b);
		return s;
	}
}

static void find_warn_skip(struct find *f, const char *fmt, const char *path, const char *why)
{
	value_list_push(f->warnings, value_strf(fmt, path, why));
	value_map_set(f->skipped, path, value_str(why));
	f->warned = 1;
}

static void find_consider(struct find *f, const char *root, const char *name, struct value *dirs)
{
	struct value *r;
	struct stat st;
	char *joined = fileutil_join(root, name), *fsname = find_normpath(joined), *wpath, *e;
	char hex[DIGEST_MAX_HEX + 1];
	long depth, slashes = 0;
	const char *p;
	size_t n;
	int add = 0, stats = 0;

	free(joined);
	if (f->depth > 0) {
		n = strlen(f->npath);
		while (n > 0 && f->npath[n - 1] == '/')
			n--;
		wpath = xasprintf("%.*s/", (int)n, f->npath);
		for (p = fsname; *p; p++)
			slashes += *p == '/';
		for (p = wpath; *p; p++)
			slashes -= *p == '/';
		free(wpath);
		depth = slashes + 1;
		if (depth > f->depth) {
			/* Keep the walk from going deeper. */
			while (value_len(dirs) > 0)
				value_unref(dirs->u.l.items[--dirs->u.l.len]);
			goto out;
		}
	}
	if (name[0] == '.' && !f->hidden)
		goto out;
	if (lstat(fsname, &st) != 0) {
		e = fileutil_oserror(errno, fsname);
		find_warn_skip(f, "Skipped entry '%s' due to this access issue: %s\n", fsname, e);
		free(e);
		goto out;
	}
	if (strcmp(f->file_type, "any") == 0) {
		if (find_pfilter(f, name) && find_agefilter(f, &st)) {
			stats = 1;
			add = !S_ISREG(st.st_mode) || find_sizefilter(f, &st);
		}
	} else if (S_ISDIR(st.st_mode) && strcmp(f->file_type, "directory") == 0) {
		add = stats = find_pfilter(f, name) && find_agefilter(f, &st);
	} else if (S_ISREG(st.st_mode) && strcmp(f->file_type, "file") == 0) {
		add = stats = find_pfilter(f, name) && find_agefilter(f, &st) && find_sizefilter(f, &st) &&
		              find_contentfilter(f, fsname);
	} else if (S_ISLNK(st.st_mode) && strcmp(f->file_type, "link") == 0) {
		add = stats = find_pfilter(f, name) && find_agefilter(f, &st);
	}
	if (!add || value_len(f->files) >= FIND_MAX_FILES)
		goto out;
	r = value_map();
	value_map_set(r, "path", value_str(fsname));
	if (stats) {
		find_statinfo(r, &st);
		if (S_ISREG(st.st_mode) && f->checksum && strcmp(f->file_type, "link") != 0)
			value_map_set(r, "checksum",
			              digest_file_hex(DIGEST_SHA1, fsname, hex) == 0 ? value_str(hex) : value_null());
	}
	value_list_push(f->files, r);
out:
	free(fsname);
}

static int find_visit(const char *root, struct value *dirs, struct value *files, void *arg)
{
	struct find *f = arg;
	struct value *names[2] = {files, dirs};
	struct value *copy;
	size_t k, i;

	f->examined += (long)(value_len(files) + value_len(dirs));
	for (k = 0; k < 2; k++) {
		/* files + dirs is a new list in Python: pruning dirs while
		 * looking at them does not cut the loop short. */
		copy = value_dup(names[k]);
		for (i = 0; i < value_len(copy); i++)
			find_consider(f, root, value_cstr(value_list_at(copy, i)), dirs);
		value_unref(copy);
	}
	return f->recurse ? 0 : 1;
}

/* "^(-?\\d+)(s|m|h|d|w)?$" and the like: a number with an optional unit. */
static int find_number(const char *s, const char *units, const long long *mult, long long *outp)
{
	char *low = xstrdup(s), *p, *end;
	long long v;
	size_t i;
	int r = -1;

	for (p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	p = low + (*low == '-');
	if (*p >= '0' && *p <= '9') {
		errno = 0;
		v = strtoll(low, &end, 10);
		if (errno == 0 && (*end == '\0' || (end[1] == '\0' && strchr(units, *end) != NULL))) {
			i = *end != '\0' ? (size_t)(strchr(units, *end) - units) : 0;
			*outp = v * (*end != '\0' ? mult[i] : 1);
			r = 0;
		}
	}
	free(low);
	return r;
}

static int find_compile_list(struct find *f, const struct value *list, struct pyre ***outp, struct value **failp)
{
	size_t i;
	char *err;

	*outp = xcalloc(value_len(list) + 1, sizeof(**outp));
	for (i = 0; i < value_len(list); i++) {
		if (pyre_compile(value_cstr(value_list_at(list, i)), value_len(value_list_at(list, i)), 0, &(*outp)[i],
		                 &err) != 0) {
			*failp = module_fail(value_map(), "cannot use the regular expression '%s': %s",
			                     value_cstr(value_list_at(list, i)), err);
			free(err);
			return ERR_INVAL;
		}
	}
	(void)f;
	return 0;
}

static void find_free_list(struct pyre **l, const struct value *list)
{
	size_t i;

	for (i = 0; l != NULL && list != NULL && i < value_len(list); i++)
		pyre_free(l[i]);
	free(l);
}

/* Reads the options into f. Returns NULL or a failure. */
static struct value *find_setup(struct find *f)
{
	static const long long age_mult[] = {1, 60, 3600, 86400, 604800};
	static const long long size_mult[] = {1, 1024, 1048576, 1073741824LL, 1099511627776LL};
	struct value *res = NULL, *v;
	struct timespec ts;
	const char *s;
	char *e;

	f->use_regex = value_get_bool(f->params, "use_regex", 0);
	if (value_len(value_map_get(f->params, "patterns")) == 0) {
		v = value_list();
		value_list_push(v, value_str(f->use_regex ? ".*" : "*"));
		value_map_set(f->params, "patterns", v);
	}
	f->patterns = value_map_get(f->params, "patterns");
	v = value_map_get(f->params, "excludes");
	f->excludes = v->type == VALUE_LIST && value_len(v) > 0 ? v : NULL;
	f->file_type = value_get_str(f->params, "file_type", "");
	f->age_stamp = value_get_str(f->params, "age_stamp", "mtime");
	f->hidden = value_get_bool(f->params, "hidden", 0);
	f->recurse = value_get_bool(f->params, "recurse", 0);
	f->checksum = value_get_bool(f->params, "get_checksum", 0);
	f->whole = value_get_bool(f->params, "read_whole_file", 0);
	f->depth = (int)value_get_int(f->params, "depth", 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	f->now = find_time(&ts);
	if ((s = value_get_str(f->params, "age", NULL)) != NULL && !(f->has_age = find_number(s, "smhdw", age_mult,
	                                                                                        &f->age) == 0)) {
		res = module_fail(value_map(), "failed to process age");
		value_map_set(res, "age", value_str(s));
		return res;
	}
	if ((s = value_get_str(f->params, "size", NULL)) != NULL && !(f->has_size = find_number(s, "bkmgt", size_mult,
	                                                                                          &f->size) == 0)) {
		res = module_fail(value_map(), "failed to process size");
		value_map_set(res, "size", value_str(s));
		return res;
	}
	if (f->use_regex && (find_compile_list(f, f->patterns, &f->pats, &res) != 0 ||
	                     (f->excludes != NULL && find_compile_list(f, f->excludes, &f->excl, &res) != 0)))
		return res;
	if ((s = value_get_str(f->params, "contains", NULL)) != NULL && pyre_compile(s, strlen(s), 0, &f->contains,
	                                                                              &e) != 0) {
		res = module_fail(value_map(), "cannot use the regular expression '%s': %s", s, e);
		free(e);
	}
	return res;
}

/* Walks one of the paths (os.walk with an onerror that raises: a
 * directory that cannot be read skips the rest of the path). */
static void find_path(struct find *f, const char *given)
{
	struct buf b;
	char *npath, *errpath = NULL, *e;
	int r;

	buf_init(&b, 0);
	pyfmt_expand_path(&b, given, strlen(given), f->ctx->envp);
	npath = buf_take(&b, NULL);
	f->npath = npath;
	if (!fileutil_isdir(npath)) {
		e = xasprintf("'%s' is not a directory", npath);
		find_warn_skip(f, "Skipped '%s' path due to this access issue: %s\n", npath, e);
		free(e);
	} else if ((r = fileutil_walk(npath, value_get_bool(f->params, "follow", 0), 1, find_visit, f, &errpath)) < 0 &&
	           errpath != NULL) {
		e = fileutil_oserror(-r, errpath);
		find_warn_skip(f, "Skipped '%s' path due to this access issue: %s\n", npath, e);
		free(e);
	}
	free(errpath);
	free(npath);
}

MODULE_DEFINE(find, find_run, MODULE_CHECK_MODE)
struct value *find_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown, *paths;
	struct find f;
	size_t i;

	memset(&f, 0, sizeof(f));
	f.ctx = ctx;
	f.warnings = value_list();
	if (module_params_spec(ctx, "ansible.legacy.find", find_spec, FIND_NSPEC, NULL, f.warnings, &f.params, &res) !=
	    0) {
		value_unref(f.warnings);
		return res;
	}
	f.files = value_list();
	f.skipped = value_map();
	if ((res = find_setup(&f)) != NULL)
		goto out;
	paths = value_map_get(f.params, "paths");
	for (i = 0; i < value_len(paths); i++)
		find_path(&f, value_cstr(value_list_at(paths, i)));
	res = value_map();
	value_map_set(res, "files", value_ref(f.files));
	value_map_set(res, "changed", value_bool(0));
	value_map_set(res, "msg", value_str(f.warned ? "Not all paths examined, check warnings for details"
	                                             : "All paths examined"));
	value_map_set(res, "matched", value_int((int64_t)value_len(f.files)));
	value_map_set(res, "examined", value_int(f.examined));
	value_map_set(res, "skipped_paths", value_ref(f.skipped));
out:
	shown = module_invocation_args(find_spec, FIND_NSPEC, f.params);
	module_finish(res, shown, f.warnings);
	value_unref(shown);
	find_free_list(f.pats, f.patterns);
	find_free_list(f.excl, f.excludes);
	pyre_free(f.contains);
	value_unref(f.files);
	value_unref(f.skipped);
	value_unref(f.params);
	value_unref(f.warnings);
	return res;
}
