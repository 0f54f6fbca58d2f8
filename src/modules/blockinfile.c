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
#include "modules/pyre.h"

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

struct value *blockinfile_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *shown, *warnings = value_list(), *diff = NULL, *attr_diff, *list;
	struct blockinfile_lines lines = {NULL, 0, 0}, out = {NULL, 0, 0};
	const char *path, *after, *before, *block, *msg, *pattern;
	struct buf orig, blk, result;
	struct pyre *re = NULL;
	struct fileutil_edit e;
	struct fileattr fa;
	char *m0 = NULL, *m1 = NULL, *err, *backup = NULL;
	int present, exists, changed, attr_changed = 0, have_orig = 0;
	long n0 = -1, n1 = -1;
	size_t i, at;

	buf_init(&orig, FILEUTIL_MAX_TEXT);
	buf_init(&blk, 0);
	buf_init(&result, 0);
	if (module_params_spec(ctx, "ansible.legacy.blockinfile", blockinfile_spec, BLOCKINFILE_NSPEC,
	                       blockinfile_exclusive, warnings, &params, &res) != 0)
		goto done;
	fileattr_from_params(&fa, params);
	path = value_get_str(params, "path", "");
	present = strcmp(value_get_str(params, "state", "present"), "present") == 0;
	if (fileutil_isdir(path)) {
		res = module_fail(value_map(), "Path %s is a directory !", path);
		value_map_set(res, "rc", value_int(256));
		goto out;
	}
	exists = fileutil_exists(path);
	if (!exists) {
		if (!value_get_bool(params, "create", 0)) {
			res = module_fail(value_map(), "Path %s does not exist !", path);
			value_map_set(res, "rc", value_int(257));
			goto out;
		}
		err = fileutil_dirname(path);
		if (err[0] != '\0' && !fileutil_exists(err) && !ctx->check && fileutil_makedirs(err) != 0) {
			char *oe = fileutil_oserror(errno, err);

			res = module_fail(value_map(), "Error creating %s Error code: %d Error description: %s", err,
			                  errno, oe);
			free(oe);
			free(err);
			goto out;
		}
		free(err);
	} else {
		int r = fileutil_read(path, FILEUTIL_MAX_TEXT, &orig);

		if (r != 0) {
			err = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT)
			                      : fileutil_oserror(-r, path);
			res = module_fail(value_map(), "Unable to read %s: %s", path, err);
			free(err);
			goto out;
		}
		have_orig = 1;
		blockinfile_split(&lines, buf_ptr(&orig), buf_avail(&orig));
	}
	diff = value_map();
	value_map_set(diff, "before", ctx->diff && have_orig && buf_avail(&orig) > 0
	                                      ? value_strn(buf_ptr(&orig), buf_avail(&orig))
	                                      : value_str(""));
	value_map_set(diff, "after", value_str(""));
	value_map_set(diff, "before_header", value_strf("%s (content)", path));
	value_map_set(diff, "after_header", value_strf("%s (content)", path));
	if (!present && !exists) {
		res = value_map();
		value_map_set(res, "changed", value_bool(0));
		value_map_set(res, "msg", value_strf("File %s not present", path));
		goto out;
	}
	after = value_get_str(params, "insertafter", NULL);
	before = value_get_str(params, "insertbefore", NULL);
	if (after == NULL && before == NULL)
		after = "EOF";
	pattern = after != NULL && strcmp(after, "EOF") != 0      ? after
	          : before != NULL && strcmp(before, "BOF") != 0 ? before
	                                                         : NULL;
	if (pattern != NULL && pyre_compile(pattern, strlen(pattern), 0, &re, &err) != 0) {
		res = module_fail(value_map(), "cannot use the regular expression '%s': %s", pattern, err);
		free(err);
		goto out;
	}
	m0 = blockinfile_marker(value_get_str(params, "marker", ""), value_get_str(params, "marker_begin", ""));
	m1 = blockinfile_marker(value_get_str(params, "marker", ""), value_get_str(params, "marker_end", ""));
	block = value_get_str(params, "block", "");
	if (present && block[0] != '\0') {
		buf_puts(&blk, block);
		if (block[strlen(block) - 1] != '\n')
			buf_putc(&blk, '\n');
	}
	for (i = 0; i < lines.n; i++) {
		if (blockinfile_eq(&lines.v[i], m0))
			n0 = (long)i;
		if (blockinfile_eq(&lines.v[i], m1))
			n1 = (long)i;
	}
	/* The new list of lines: the old block cut out, the new one put at. */
	if (n0 < 0 || n1 < 0) {
		if (re != NULL)
			blockinfile_where(re, have_orig ? buf_str(&orig) : NULL, buf_avail(&orig), &lines, after != NULL, &at);
		else
			at = before != NULL ? 0 : lines.n;
		for (i = 0; i < lines.n; i++)
			blockinfile_push(&out, lines.v[i].s, lines.v[i].n);
	} else {
		size_t lo = (size_t)(n0 < n1 ? n0 : n1), hi = (size_t)(n0 < n1 ? n1 : n0);

		for (i = 0; i < lines.n; i++)
			if (i < lo || i > hi)
				blockinfile_push(&out, lines.v[i].s, lines.v[i].n);
		at = lo;
	}
	for (i = 0; i < out.n; i++) {
		if (i == at && buf_avail(&blk) > 0) {
			buf_puts(&result, m0);
			buf_put(&result, buf_ptr(&blk), buf_avail(&blk));
			buf_puts(&result, m1);
		}
		buf_put(&result, out.v[i].s, out.v[i].n);
		/* Ansible ends the line before the block's place with a
		 * newline, even when there is no block to put there. */
		if (i + 1 == at && out.v[i].s[out.v[i].n - 1] != '\n')
			buf_putc(&result, '\n');
	}
	if (at >= out.n && buf_avail(&blk) > 0) {
		buf_puts(&result, m0);
		buf_put(&result, buf_ptr(&blk), buf_avail(&blk));
		buf_puts(&result, m1);
	}
	if (ctx->diff)
		value_map_set(diff, "after", value_strn(buf_ptr(&result), buf_avail(&result)));
	if (have_orig && buf_avail(&orig) == buf_avail(&result) &&
	    memcmp(buf_ptr(&orig), buf_ptr(&result), buf_avail(&result)) == 0) {
		msg = "";
		changed = 0;
	} else if (!have_orig) {
		msg = "File created";
		changed = 1;
	} else if (buf_avail(&blk) == 0) {
		msg = "Block removed";
		changed = 1;
	} else {
		msg = "Block inserted";
		changed = 1;
	}
	attr_diff = value_map();
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.data = buf_ptr(&result);
	e.len = buf_avail(&result);
	e.changed = changed;
	e.backup = value_get_bool(params, "backup", 0);
	e.validate = value_get_str(params, "validate", NULL);
	e.fa = &fa;
	e.unsafe_writes = value_get_bool(params, "unsafe_writes", 0);
	e.attr_diff = attr_diff;
	if (fileutil_edit(ctx, &e, &attr_changed, &backup, &res) != 0) {
		value_unref(attr_diff);
		goto out;
	}
	res = value_map();
	if (ctx->check && !exists) {
		value_map_set(res, "changed", value_bool(changed));
		value_map_set(res, "msg", value_str(msg));
		value_map_set(res, "diff", diff);
		diff = NULL;
		value_unref(attr_diff);
		goto out;
	}
	value_map_set(res, "changed", value_bool(changed || attr_changed));
	if (attr_changed)
		value_map_set(res, "msg", value_strf("%s%sownership, perms or SE linux context changed", msg,
		                                     changed ? " and " : ""));
	else
		value_map_set(res, "msg", value_str(msg));
	value_map_set(attr_diff, "before_header", value_strf("%s (file attributes)", path));
	value_map_set(attr_diff, "after_header", value_strf("%s (file attributes)", path));
	list = value_list();
	value_list_push(list, diff);
	value_list_push(list, attr_diff);
	diff = NULL;
	value_map_set(res, "diff", list);
	if (backup != NULL)
		value_map_set(res, "backup_file", value_str(backup));
out:
	shown = module_invocation_args(blockinfile_spec, BLOCKINFILE_NSPEC, params);
	module_finish(res, shown, warnings);
	value_unref(shown);
done:
	value_unref(diff);
	value_unref(params);
	value_unref(warnings);
	pyre_free(re);
	free(lines.v);
	free(out.v);
	free(m0);
	free(m1);
	free(backup);
	buf_fini(&orig);
	buf_fini(&blk);
	buf_fini(&result);
	return res;
}
