/* lineinfile, as Ansible 2.14's: a line present (replacing the last line
 * regexp or search_string matches, or the line itself, else inserted
 * after or before the insertafter/insertbefore match, BOF or EOF) or
 * absent; backrefs, firstmatch, create, backup, validate, attributes; the
 * same messages, "found" count and two-part diff. Regular expressions are
 * Python's, through pyre (see pyre.h for what translates); a line is
 * matched without its newline, where Python's $ would match anyway. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "data/pyre.h"

static const struct module_argspec lineinfile_spec[] = {
	{"path", MODULE_ARG_PATH, NULL, "dest,destfile,name", NULL, MODULE_ARG_REQUIRED},
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
	{"regexp", MODULE_ARG_STR, NULL, "regex", NULL, 0},
	{"search_string", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"line", MODULE_ARG_STR, NULL, "value", NULL, 0},
	{"insertafter", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"insertbefore", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"backrefs", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"create", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"firstmatch", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"validate", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define LINEINFILE_NSPEC (sizeof(lineinfile_spec) / sizeof(lineinfile_spec[0]))

static const char *const lineinfile_exclusive[] = {
	"insertbefore|insertafter", "regexp|search_string", "backrefs|search_string", NULL,
};

struct lineinfile_line {
	char *s; /* owned, NUL-terminated */
	size_t n;
};

struct lineinfile {
	const struct module_ctx *ctx;
	struct value *params;   /* owned */
	struct value *warnings; /* owned */
	struct fileattr fa;
	const char *path;
	struct lineinfile_line *lines; /* owned */
	size_t nlines, cap;
	struct buf before;      /* the file as read */
	struct pyre *re, *ins;  /* owned: regexp, insertafter/insertbefore */
	struct value *fail;     /* owned, set on failure */
};

static const char *lineinfile_param(const struct lineinfile *l, const char *key)
{
	const struct value *v = value_map_get(l->params, key);

	return v != NULL && v->type == VALUE_STR ? v->u.s.ptr : NULL;
}

static void lineinfile_insert(struct lineinfile *l, size_t at, const char *s, size_t n)
{
	if (l->nlines == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->lines = xreallocarray(l->lines, l->cap, sizeof(*l->lines));
	}
	memmove(l->lines + at + 1, l->lines + at, (l->nlines - at) * sizeof(*l->lines));
	l->lines[at].s = xstrndup(s, n);
	l->lines[at].n = n;
	l->nlines++;
}

/* Inserts line + '\n' as one line. */
static void lineinfile_insert_line(struct lineinfile *l, size_t at, const char *line)
{
	char *s = xasprintf("%s\n", line);

	lineinfile_insert(l, at, s, strlen(s));
	free(s);
}

/* Does the line end in '\n' or '\r'? */
static int lineinfile_ends_line(const struct lineinfile_line *ln)
{
	return ln->n > 0 && (ln->s[ln->n - 1] == '\n' || ln->s[ln->n - 1] == '\r');
}

/* readlines(): every line keeps its '\n'. */
static void lineinfile_split(struct lineinfile *l, const char *p, size_t n)
{
	const char *nl;
	size_t len;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) + 1 : n;
		lineinfile_insert(l, l->nlines, p, len);
		p += len;
		n -= len;
	}
}

static char *lineinfile_join(const struct lineinfile *l, size_t *lenp)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < l->nlines; i++)
		buf_put(&b, l->lines[i].s, l->lines[i].n);
	return buf_take(&b, lenp);
}

/* The line without its '\n', as regexes see it (see the file comment). */
static size_t lineinfile_body(const struct lineinfile_line *ln)
{
	return ln->n > 0 && ln->s[ln->n - 1] == '\n' ? ln->n - 1 : ln->n;
}

/* Searches line i with re; m may be NULL. */
static int lineinfile_search(const struct pyre *re, const struct lineinfile_line *ln, struct pyre_match *m)
{
	struct pyre_match scratch;
	size_t n = lineinfile_body(ln);
	char save = ln->s[n];
	int found;

	ln->s[n] = '\0';
	found = pyre_search(re, ln->s, n, 0, m != NULL ? m : &scratch);
	ln->s[n] = save;
	return found;
}

/* rstrip(b'\r\n') */
static size_t lineinfile_rstrip(const struct lineinfile_line *ln)
{
	size_t n = ln->n;

	while (n > 0 && (ln->s[n - 1] == '\r' || ln->s[n - 1] == '\n'))
		n--;
	return n;
}

static int lineinfile_is(const struct lineinfile_line *ln, const char *line)
{
	size_t n = lineinfile_rstrip(ln);

	return n == strlen(line) && memcmp(ln->s, line, n) == 0;
}

static int lineinfile_fail(struct lineinfile *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lineinfile_fail(struct lineinfile *l, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	value_unref(l->fail);
	l->fail = module_fail(value_map(), "%s", msg);
	free(msg);
	return ERR_INVAL;
}

static int lineinfile_compile(struct lineinfile *l, const char *what, const char *pattern, struct pyre **rep)
{
	char *err;

	if (pyre_compile(pattern, strlen(pattern), 0, rep, &err) != 0) {
		lineinfile_fail(l, "%s: cannot use the regular expression '%s': %s", what, pattern, err);
		free(err);
		return ERR_INVAL;
	}
	return 0;
}

/* Reads the file into lines. Returns 0 or ERR_INVAL. */
static int lineinfile_read(struct lineinfile *l)
{
	char *e;
	int r;

	if ((r = fileutil_read(l->path, FILEUTIL_MAX_TEXT, &l->before)) != 0) {
		e = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT)
		                    : fileutil_oserror(-r, l->path);
		lineinfile_fail(l, "Unable to read %s: %s", l->path, e);
		free(e);
		return ERR_INVAL;
	}
	lineinfile_split(l, buf_ptr(&l->before), buf_avail(&l->before));
	return 0;
}

static struct value *lineinfile_diff(const char *path, const char *before, size_t blen)
{
	struct value *d = value_map();

	value_map_set(d, "before", value_strn(before, blen));
	value_map_set(d, "after", value_str(""));
	value_map_set(d, "before_header", value_strf("%s (content)", path));
	value_map_set(d, "after_header", value_strf("%s (content)", path));
	return d;
}

/* Writes the lines back if changed, then the attributes; builds the result
 * (msg, backup, diff list) as present() and absent() end. */
static struct value *lineinfile_finish(struct lineinfile *l, int changed, const char *msg, struct value *diff,
                                       int existed, long found)
{
	struct value *res, *attr_diff, *list;
	struct fileutil_edit e;
	char *data, *backup = NULL;
	size_t len;
	int attr_changed = 0;

	data = lineinfile_join(l, &len);
	if (l->ctx->diff)
		value_map_set(diff, "after", value_strn(data, len));
	attr_diff = value_map();
	memset(&e, 0, sizeof(e));
	e.path = l->path;
	e.data = data;
	e.len = len;
	e.changed = changed;
	e.backup = value_get_bool(l->params, "backup", 0);
	e.validate = lineinfile_param(l, "validate");
	e.fa = &l->fa;
	e.unsafe_writes = value_get_bool(l->params, "unsafe_writes", 0);
	e.attr_diff = attr_diff;
	if (fileutil_edit(l->ctx, &e, &attr_changed, &backup, &res) != 0) {
		free(data);
		value_unref(attr_diff);
		value_unref(diff);
		return res;
	}
	free(data);
	res = value_map();
	if (l->ctx->check && !existed) {
		value_map_set(res, "changed", value_bool(changed));
		value_map_set(res, "msg", value_str(msg));
		value_map_set(res, "backup", value_str(""));
		value_map_set(res, "diff", diff);
		value_unref(attr_diff);
		return res;
	}
	value_map_set(res, "changed", value_bool(changed || attr_changed));
	if (found >= 0)
		value_map_set(res, "found", value_int(found));
	if (attr_changed)
		value_map_set(res, "msg", value_strf("%s%sownership, perms or SE linux context changed", msg,
		                                     changed ? " and " : ""));
	else
		value_map_set(res, "msg", value_str(msg));
	value_map_set(res, "backup", value_str(backup != NULL ? backup : ""));
	value_map_set(attr_diff, "before_header", value_strf("%s (file attributes)", l->path));
	value_map_set(attr_diff, "after_header", value_strf("%s (file attributes)", l->path));
	list = value_list();
	value_list_push(list, diff);
	value_list_push(list, attr_diff);
	value_map_set(res, "diff", list);
	free(backup);
	return res;
}

/* present() before the search: the file read, or its directory made when
 * create allows it. Returns 0 or ERR_INVAL. */
static int lineinfile_open(struct lineinfile *l, int existed)
{
	char *dir, *err;

	if (existed)
		return lineinfile_read(l);
	if (!value_get_bool(l->params, "create", 0)) {
		lineinfile_fail(l, "Destination %s does not exist !", l->path);
		value_map_set(l->fail, "rc", value_int(257));
		return ERR_INVAL;
	}
	dir = fileutil_dirname(l->path);
	if (dir[0] != '\0' && !fileutil_exists(dir) && !l->ctx->check && fileutil_makedirs(dir) != 0) {
		err = fileutil_oserror(errno, dir);
		lineinfile_fail(l, "Error creating %s (%s)", dir, err);
		free(err);
		free(dir);
		return ERR_INVAL;
	}
	free(dir);
	return 0;
}

/* Where present() acts: *idx0p the line regexp or search_string matched
 * (the last, or the first with firstmatch; *matchedp set), or else a line
 * equal to line; *idx1p the place insertafter/insertbefore point to.
 * Returns 0 or ERR_INVAL (a bad pattern). */
static int lineinfile_locate(struct lineinfile *l, const char *line, const char *after, const char *before,
                             long *idx0p, long *idx1p, int *matchedp, struct pyre_match *m)
{
	const char *regexp = lineinfile_param(l, "regexp"), *search = lineinfile_param(l, "search_string");
	int firstmatch = value_get_bool(l->params, "firstmatch", 0);
	size_t i;

	*idx0p = *idx1p = -1;
	*matchedp = 0;
	if (regexp != NULL && lineinfile_compile(l, "regexp", regexp, &l->re) != 0)
		return ERR_INVAL;
	if (after != NULL && strcmp(after, "BOF") != 0 && strcmp(after, "EOF") != 0) {
		if (lineinfile_compile(l, "insertafter", after, &l->ins) != 0)
			return ERR_INVAL;
	} else if (before != NULL && strcmp(before, "BOF") != 0 &&
	           lineinfile_compile(l, "insertbefore", before, &l->ins) != 0) {
		return ERR_INVAL;
	}
	for (i = 0; l->re != NULL && i < l->nlines && !(firstmatch && *matchedp); i++)
		if (lineinfile_search(l->re, &l->lines[i], m))
			*idx0p = (long)i, *matchedp = 1;
	if (*matchedp)
		lineinfile_search(l->re, &l->lines[*idx0p], m);
	for (i = 0; search != NULL && i < l->nlines && !(firstmatch && *matchedp); i++)
		if (memmem(l->lines[i].s, l->lines[i].n, search, strlen(search)) != NULL)
			*idx0p = (long)i, *matchedp = 1;
	for (i = 0; !*matchedp && i < l->nlines; i++) {
		if (lineinfile_is(&l->lines[i], line)) {
			*idx0p = (long)i;
		} else if (l->ins != NULL && lineinfile_search(l->ins, &l->lines[i], NULL)) {
			*idx1p = after != NULL ? (long)i + 1 : (long)i;
			if (firstmatch)
				break;
		}
	}
	return 0;
}

/* The matched line becomes line (backrefs expanded) unless it is already.
 * (Ansible's branch for an insertafter match here cannot be reached: with
 * neither regexp nor search_string, idx0 comes from an exact match.)
 * Returns 1 when it changed, 0 when not, ERR_INVAL on a bad template. */
static int lineinfile_replace_at(struct lineinfile *l, const char *line, long idx0, int expand,
                                 const struct pyre_match *m)
{
	struct lineinfile_line *ln = &l->lines[idx0];
	struct buf nl;
	char *err;
	int changed = 0;

	buf_init(&nl, 0);
	if (expand) {
		if (pyre_expand(l->re, line, strlen(line), ln->s, m, &nl, &err) != 0) {
			lineinfile_fail(l, "line: %s", err);
			free(err);
			buf_fini(&nl);
			return ERR_INVAL;
		}
	} else {
		buf_puts(&nl, line);
	}
	if (buf_avail(&nl) == 0 || buf_ptr(&nl)[buf_avail(&nl) - 1] != '\n')
		buf_putc(&nl, '\n');
	if (ln->n != buf_avail(&nl) || memcmp(ln->s, buf_ptr(&nl), buf_avail(&nl)) != 0) {
		free(ln->s);
		ln->n = buf_avail(&nl);
		ln->s = buf_take(&nl, NULL);
		changed = 1;
	}
	buf_fini(&nl);
	return changed;
}

/* Inserts line where present() puts a line nothing matched. Returns 1
 * when it did. */
static int lineinfile_insert_new(struct lineinfile *l, const char *line, const char *after, const char *before,
                                 long idx1)
{
	if ((before != NULL && strcmp(before, "BOF") == 0) || (after != NULL && strcmp(after, "BOF") == 0)) {
		lineinfile_insert_line(l, 0, line);
		return 1;
	}
	if ((after != NULL && strcmp(after, "EOF") == 0) || idx1 == -1) {
		if (l->nlines > 0 && !lineinfile_ends_line(&l->lines[l->nlines - 1]))
			lineinfile_insert(l, l->nlines, "\n", 1);
		lineinfile_insert_line(l, l->nlines, line);
		return 1;
	}
	/* insertafter matched: not when the line is already right there. */
	if (after != NULL && ((long)l->nlines == idx1 ? lineinfile_is(&l->lines[idx1 - 1], line)
	                                               : lineinfile_is(&l->lines[idx1], line)))
		return 0;
	lineinfile_insert_line(l, (size_t)idx1, line);
	return 1;
}

/* present(): where the line goes, or what it replaces. */
static struct value *lineinfile_present(struct lineinfile *l, const char *line, const char *after,
                                        const char *before)
{
	int backrefs = value_get_bool(l->params, "backrefs", 0), existed = fileutil_exists(l->path), matched, r = 0;
	struct pyre_match m;
	struct value *diff;
	long idx0, idx1;

	if (lineinfile_open(l, existed) != 0)
		return NULL;
	diff = lineinfile_diff(l->path, l->ctx->diff ? buf_ptr(&l->before) : "", l->ctx->diff ? buf_avail(&l->before) : 0);
	if (lineinfile_locate(l, line, after, before, &idx0, &idx1, &matched, &m) != 0) {
		value_unref(diff);
		return NULL;
	}
	if (idx0 != -1) {
		if ((r = lineinfile_replace_at(l, line, idx0, backrefs && matched && l->re != NULL, &m)) < 0) {
			value_unref(diff);
			return NULL;
		}
		return lineinfile_finish(l, r, r ? "line replaced" : "", diff, existed, -1);
	}
	/* With backrefs and no match there is nothing to fill them from. */
	if (!backrefs)
		r = lineinfile_insert_new(l, line, after, before, idx1);
	return lineinfile_finish(l, r, r ? "line added" : "", diff, existed, -1);
}

/* absent(): every line regexp, search_string or the line matches goes. */
static struct value *lineinfile_absent(struct lineinfile *l, const char *line)
{
	const char *regexp = lineinfile_param(l, "regexp"), *search = lineinfile_param(l, "search_string");
	struct value *diff, *res;
	char msg[64] = "";
	size_t i, kept = 0;
	long found = 0;
	int hit;

	if (!fileutil_exists(l->path)) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "msg", value_str("file not present"));
		return res;
	}
	if (lineinfile_read(l) != 0)
		return NULL;
	diff = lineinfile_diff(l->path, l->ctx->diff ? buf_ptr(&l->before) : "", l->ctx->diff ? buf_avail(&l->before) : 0);
	if (regexp != NULL && lineinfile_compile(l, "regexp", regexp, &l->re) != 0) {
		value_unref(diff);
		return NULL;
	}
	for (i = 0; i < l->nlines; i++) {
		if (l->re != NULL)
			hit = lineinfile_search(l->re, &l->lines[i], NULL);
		else if (search != NULL)
			hit = memmem(l->lines[i].s, l->lines[i].n, search, strlen(search)) != NULL;
		else
			hit = lineinfile_is(&l->lines[i], line);
		if (hit) {
			found++;
			free(l->lines[i].s);
		} else {
			l->lines[kept++] = l->lines[i];
		}
	}
	l->nlines = kept;
	if (found > 0)
		snprintf(msg, sizeof(msg), "%ld line(s) removed", found);
	return lineinfile_finish(l, found > 0, msg, diff, 1, found);
}

MODULE_DEFINE(lineinfile, lineinfile_run, MODULE_CHECK_MODE)
struct value *lineinfile_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown;
	const char *regexp, *search, *line, *after, *before;
	struct lineinfile l;
	size_t i;

	memset(&l, 0, sizeof(l));
	l.ctx = ctx;
	l.warnings = value_list();
	buf_init(&l.before, FILEUTIL_MAX_TEXT);
	if (module_params_spec(ctx, "ansible.legacy.lineinfile", lineinfile_spec, LINEINFILE_NSPEC, lineinfile_exclusive,
	                       l.warnings, &l.params, &res) != 0) {
		value_unref(l.warnings);
		return res;
	}
	fileattr_from_params(&l.fa, l.params);
	l.path = lineinfile_param(&l, "path");
	regexp = lineinfile_param(&l, "regexp");
	search = lineinfile_param(&l, "search_string");
	line = lineinfile_param(&l, "line");
	if ((regexp != NULL && regexp[0] == '\0') || (search != NULL && search[0] == '\0'))
		value_list_push(l.warnings,
		                value_strf("The %s is an empty string, which will match every line in the file. This may "
		                           "have unintended consequences, such as replacing the last line in the file "
		                           "rather than appending.%s",
		                           regexp != NULL && regexp[0] == '\0' ? "regular expression" : "search string",
		                           regexp != NULL && regexp[0] == '\0'
		                                   ? " If this is desired, use '^' to match every line in the file and "
		                                     "avoid this warning."
		                                   : ""));
	if (fileutil_isdir(l.path)) {
		lineinfile_fail(&l, "Path %s is a directory !", l.path);
		value_map_set(l.fail, "rc", value_int(256));
	} else if (strcmp(value_get_str(l.params, "state", ""), "present") == 0) {
		after = lineinfile_param(&l, "insertafter");
		before = lineinfile_param(&l, "insertbefore");
		if (value_get_bool(l.params, "backrefs", 0) && regexp == NULL)
			lineinfile_fail(&l, "regexp is required with backrefs=true");
		else if (line == NULL)
			lineinfile_fail(&l, "line is required with state=present");
		else
			res = lineinfile_present(&l, line, after == NULL && before == NULL ? "EOF" : after, before);
	} else if (regexp == NULL && search == NULL && line == NULL) {
		lineinfile_fail(&l, "one of line, search_string, or regexp is required with state=absent");
	} else {
		res = lineinfile_absent(&l, line != NULL ? line : "");
	}
	if (res == NULL) {
		res = l.fail != NULL ? l.fail : module_fail(value_map(), "internal error");
		l.fail = NULL;
	}
	shown = module_invocation_args(lineinfile_spec, LINEINFILE_NSPEC, l.params);
	module_finish(res, shown, l.warnings);
	value_unref(shown);
	for (i = 0; i < l.nlines; i++)
		free(l.lines[i].s);
	free(l.lines);
	buf_fini(&l.before);
	pyre_free(l.re);
	pyre_free(l.ins);
	value_unref(l.fail);
	value_unref(l.params);
	value_unref(l.warnings);
	return res;
}
