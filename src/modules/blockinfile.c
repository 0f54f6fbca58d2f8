/* blockinfile, as Ansible 2.14's: a block of lines between two marker
 * lines ("# {mark} ANSIBLE MANAGED BLOCK" with BEGIN and END), put in
 * place of the old block or after/before the last line matching
 * insertafter/insertbefore (or the whole text, for a pattern with (?m)),
 * or at the end or the start; removed with state=absent or an empty
 * block. Messages, diff and backups as Ansible's. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "data/pyre.h"

static const struct module_argspec blockinfile_spec[] = {
	{"path", MODULE_ARG_PATH, NULL, "dest,destfile,name", NULL, MODULE_ARG_REQUIRED},
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
	{"marker", MODULE_ARG_STR, "# {mark} ANSIBLE MANAGED BLOCK", NULL, NULL, 0},
	{"block", MODULE_ARG_STR, "", "content", NULL, 0},
	{"insertafter", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"insertbefore", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"create", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"validate", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"marker_begin", MODULE_ARG_STR, "BEGIN", NULL, NULL, 0},
	{"marker_end", MODULE_ARG_STR, "END", NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define BLOCKINFILE_NSPEC (sizeof(blockinfile_spec) / sizeof(blockinfile_spec[0]))

static const char *const blockinfile_exclusive[] = {"insertbefore|insertafter", NULL};

/* A line of the text: a slice of one of the buffers, ending included. */
struct blockinfile_line {
	const char *s;
	size_t n;
};

struct blockinfile_lines {
	struct blockinfile_line *v; /* owned array */
	size_t n, cap;
};

static void blockinfile_push(struct blockinfile_lines *l, const char *s, size_t n)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].s = s;
	l->v[l->n++].n = n;
}

/* bytes.splitlines(True): lines end at \n, \r or \r\n. */
static void blockinfile_split(struct blockinfile_lines *l, const char *p, size_t n)
{
	size_t i = 0, start = 0;

	while (i < n) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
			i++;
		if (p[i] == '\n' || p[i] == '\r') {
			blockinfile_push(l, p + start, i + 1 - start);
			start = i + 1;
		}
		i++;
	}
	if (start < n)
		blockinfile_push(l, p + start, n - start);
}

static int blockinfile_eq(const struct blockinfile_line *a, const char *s)
{
	return a->n == strlen(s) && memcmp(a->s, s, a->n) == 0;
}

/* The marker with every "{mark}" replaced, and a newline. */
static char *blockinfile_marker(const char *marker, const char *mark)
{
	struct buf b;
	const char *p;

	buf_init(&b, 0);
	for (p = marker; *p != '\0'; p++) {
		if (strncmp(p, "{mark}", 6) == 0) {
			buf_puts(&b, mark);
			p += 5;
		} else {
			buf_putc(&b, *p);
		}
	}
	buf_putc(&b, '\n');
	return buf_take(&b, NULL);
}

/* Where the block goes when there is none yet (n0 in Ansible's code). */
static int blockinfile_where(const struct pyre *re, const char *orig, size_t olen,
                             const struct blockinfile_lines *lines, int after, size_t *n0p)
{
	struct pyre_match m;
	size_t i, k, len;
	int found = 0;
	char *copy;

	if (pyre_flags(re) & PYRE_MULTILINE) {
		if (orig != NULL && pyre_search(re, orig, olen, 0, &m)) {
			for (k = 0, i = 0; i < (after ? m.eo[0] : m.so[0]); i++)
				k += orig[i] == '\n';
			*n0p = k;
			found = 1;
		}
	} else {
		for (i = 0; i < lines->n; i++) {
			/* Matched without the newline, as lineinfile does. */
			len = lines->v[i].n;
			if (len > 0 && lines->v[i].s[len - 1] == '\n')
				len--;
			copy = xstrndup(lines->v[i].s, len);
			if (pyre_search(re, copy, len, 0, &m)) {
				*n0p = i;
				found = 1;
			}
			free(copy);
		}
	}
	if (!found)
		*n0p = lines->n;
	else if (after)
		(*n0p)++;
	return 0;
}

/* One run's state. */
struct blockinfile {
	const struct module_ctx *ctx;
	struct value *params;          /* owned */
	const char *path;              /* borrowed from params */
	int exists;                    /* the file was there */
	int have_orig;                 /* orig holds its contents */
	struct buf orig;               /* the file as read */
	struct blockinfile_lines lines; /* slices of orig */
	struct buf result;             /* the new contents */
	int removed;                   /* the new text has no block */
};

/* The checks before reading, and the reading. Returns NULL, or a result
 * that ends the run. */
static struct value *blockinfile_load(struct blockinfile *b)
{
	struct value *res = NULL;
	char *dir, *e;
	int r;

	if (fileutil_isdir(b->path)) {
		res = module_fail(value_map(), "Path %s is a directory !", b->path);
		value_map_set(res, "rc", value_int(256));
		return res;
	}
	if ((b->exists = fileutil_exists(b->path))) {
		if ((r = fileutil_read(b->path, FILEUTIL_MAX_TEXT, &b->orig)) != 0) {
			e = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT)
			                    : fileutil_oserror(-r, b->path);
			res = module_fail(value_map(), "Unable to read %s: %s", b->path, e);
			free(e);
			return res;
		}
		b->have_orig = 1;
		blockinfile_split(&b->lines, buf_ptr(&b->orig), buf_avail(&b->orig));
		return NULL;
	}
	if (!value_get_bool(b->params, "create", 0)) {
		res = module_fail(value_map(), "Path %s does not exist !", b->path);
		value_map_set(res, "rc", value_int(257));
		return res;
	}
	dir = fileutil_dirname(b->path);
	if (dir[0] != '\0' && !fileutil_exists(dir) && !b->ctx->check && fileutil_makedirs(dir) != 0) {
		r = errno;
		e = fileutil_oserror(r, dir);
		res = module_fail(value_map(), "Error creating %s Error code: %d Error description: %s", dir, r, e);
		free(e);
	}
	free(dir);
	return res;
}

/* Appends the block between its markers. */
static void blockinfile_put_block(struct buf *out, const char *m0, const struct buf *blk, const char *m1)
{
	buf_puts(out, m0);
	buf_put(out, buf_ptr(blk), buf_avail(blk));
	buf_puts(out, m1);
}

/* The new text into b->result: the old block cut out and the new one put
 * where it was, or where insertafter/insertbefore say. Returns NULL or a
 * failure. */
static struct value *blockinfile_compose(struct blockinfile *b)
{
	const char *after = value_get_str(b->params, "insertafter", NULL);
	const char *before = value_get_str(b->params, "insertbefore", NULL), *pattern;
	const char *block = value_get_str(b->params, "block", "");
	struct blockinfile_lines out = {NULL, 0, 0};
	struct value *res = NULL;
	struct pyre *re = NULL;
	struct buf blk;
	char *m0, *m1, *err;
	long n0 = -1, n1 = -1;
	size_t i, at, lo, hi;

	if (after == NULL && before == NULL)
		after = "EOF";
	pattern = after != NULL && strcmp(after, "EOF") != 0      ? after
	          : before != NULL && strcmp(before, "BOF") != 0 ? before
	                                                         : NULL;
	if (pattern != NULL && pyre_compile(pattern, strlen(pattern), 0, &re, &err) != 0) {
		res = module_fail(value_map(), "cannot use the regular expression '%s': %s", pattern, err);
		free(err);
		return res;
	}
	m0 = blockinfile_marker(value_get_str(b->params, "marker", ""), value_get_str(b->params, "marker_begin", ""));
	m1 = blockinfile_marker(value_get_str(b->params, "marker", ""), value_get_str(b->params, "marker_end", ""));
	buf_init(&blk, 0);
	if (strcmp(value_get_str(b->params, "state", ""), "present") == 0 && block[0] != '\0') {
		buf_puts(&blk, block);
		if (block[strlen(block) - 1] != '\n')
			buf_putc(&blk, '\n');
	}
	for (i = 0; i < b->lines.n; i++) {
		if (blockinfile_eq(&b->lines.v[i], m0))
			n0 = (long)i;
		if (blockinfile_eq(&b->lines.v[i], m1))
			n1 = (long)i;
	}
	if (n0 < 0 || n1 < 0) {
		if (re != NULL)
			blockinfile_where(re, b->have_orig ? buf_str(&b->orig) : NULL, buf_avail(&b->orig), &b->lines,
			                  after != NULL, &at);
		else
			at = before != NULL ? 0 : b->lines.n;
		lo = hi = (size_t)-1;
	} else {
		lo = (size_t)(n0 < n1 ? n0 : n1);
		hi = (size_t)(n0 < n1 ? n1 : n0);
		at = lo;
	}
	for (i = 0; i < b->lines.n; i++)
		if (lo == (size_t)-1 || i < lo || i > hi)
			blockinfile_push(&out, b->lines.v[i].s, b->lines.v[i].n);
	for (i = 0; i < out.n; i++) {
		if (i == at && buf_avail(&blk) > 0)
			blockinfile_put_block(&b->result, m0, &blk, m1);
		buf_put(&b->result, out.v[i].s, out.v[i].n);
		/* Ansible ends the line before the block's place with a
		 * newline, even when there is no block to put there. */
		if (i + 1 == at && out.v[i].s[out.v[i].n - 1] != '\n')
			buf_putc(&b->result, '\n');
	}
	if (at >= out.n && buf_avail(&blk) > 0)
		blockinfile_put_block(&b->result, m0, &blk, m1);
	b->removed = buf_avail(&blk) == 0;
	pyre_free(re);
	free(out.v);
	free(m0);
	free(m1);
	buf_fini(&blk);
	return NULL;
}

/* Writes the new text if it changed, sets the attributes, and builds the
 * result. Takes diff. */
static struct value *blockinfile_finish(struct blockinfile *b, struct value *diff)
{
	struct value *res = NULL, *attr_diff = value_map(), *list;
	struct fileutil_edit e;
	struct fileattr fa;
	const char *msg;
	char *backup = NULL;
	int changed = 1, attr_changed = 0;

	if (b->have_orig && buf_avail(&b->orig) == buf_avail(&b->result) &&
	    memcmp(buf_ptr(&b->orig), buf_ptr(&b->result), buf_avail(&b->result)) == 0) {
		msg = "";
		changed = 0;
	} else {
		msg = !b->have_orig ? "File created" : b->removed ? "Block removed" : "Block inserted";
	}
	fileattr_from_params(&fa, b->params);
	memset(&e, 0, sizeof(e));
	e.path = b->path;
	e.data = buf_ptr(&b->result);
	e.len = buf_avail(&b->result);
	e.changed = changed;
	e.backup = value_get_bool(b->params, "backup", 0);
	e.validate = value_get_str(b->params, "validate", NULL);
	e.fa = &fa;
	e.unsafe_writes = value_get_bool(b->params, "unsafe_writes", 0);
	e.attr_diff = attr_diff;
	if (fileutil_edit(b->ctx, &e, &attr_changed, &backup, &res) != 0)
		goto out;
	res = value_map();
	if (b->ctx->check && !b->exists) {
		value_map_set(res, "changed", value_bool(changed));
		value_map_set(res, "msg", value_str(msg));
		value_map_set(res, "diff", value_ref(diff));
		goto out;
	}
	value_map_set(res, "changed", value_bool(changed || attr_changed));
	if (attr_changed)
		value_map_set(res, "msg", value_strf("%s%sownership, perms or SE linux context changed", msg,
		                                     changed ? " and " : ""));
	else
		value_map_set(res, "msg", value_str(msg));
	value_map_set(attr_diff, "before_header", value_strf("%s (file attributes)", b->path));
	value_map_set(attr_diff, "after_header", value_strf("%s (file attributes)", b->path));
	list = value_list();
	value_list_push(list, value_ref(diff));
	value_list_push(list, value_ref(attr_diff));
	value_map_set(res, "diff", list);
	if (backup != NULL)
		value_map_set(res, "backup_file", value_str(backup));
out:
	value_unref(diff);
	value_unref(attr_diff);
	free(backup);
	return res;
}

MODULE_DEFINE(blockinfile, blockinfile_run, MODULE_CHECK_MODE)
struct value *blockinfile_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown, *warnings = value_list(), *diff;
	struct blockinfile b;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	buf_init(&b.orig, FILEUTIL_MAX_TEXT);
	buf_init(&b.result, FILEUTIL_MAX_TEXT);
	if (module_params_spec(ctx, "ansible.legacy.blockinfile", blockinfile_spec, BLOCKINFILE_NSPEC,
	                       blockinfile_exclusive, warnings, &b.params, &res) != 0)
		goto done;
	b.path = value_get_str(b.params, "path", "");
	if ((res = blockinfile_load(&b)) != NULL)
		goto out;
	if (strcmp(value_get_str(b.params, "state", ""), "present") != 0 && !b.exists) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "msg", value_strf("File %s not present", b.path));
		goto out;
	}
	if ((res = blockinfile_compose(&b)) != NULL)
		goto out;
	diff = value_map();
	value_map_set(diff, "before", ctx->diff && b.have_orig && buf_avail(&b.orig) > 0
	                                      ? value_strn(buf_ptr(&b.orig), buf_avail(&b.orig))
	                                      : value_str(""));
	value_map_set(diff, "after", ctx->diff ? value_strn(buf_ptr(&b.result), buf_avail(&b.result)) : value_str(""));
	value_map_set(diff, "before_header", value_strf("%s (content)", b.path));
	value_map_set(diff, "after_header", value_strf("%s (content)", b.path));
	res = blockinfile_finish(&b, diff);
out:
	shown = module_invocation_args(blockinfile_spec, BLOCKINFILE_NSPEC, b.params);
	module_finish(res, shown, warnings);
	value_unref(shown);
done:
	value_unref(b.params);
	value_unref(warnings);
	free(b.lines.v);
	buf_fini(&b.orig);
	buf_fini(&b.result);
	return res;
}
