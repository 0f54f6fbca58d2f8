/* replace, as Ansible 2.14's: every match of a Python regular expression
 * (MULTILINE) replaced by a template with \1 and \g<name> references, in
 * the whole file or in the section after "after" and/or before "before";
 * "N replacements made", backups, validation and attributes as Ansible.
 * The section Ansible finds with "after(?P<subsection>.*?)before" (DOTALL)
 * is found by two searches here, POSIX having no lazy quantifier. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "data/pyre.h"

static const struct module_argspec replace_spec[] = {
	{"path", MODULE_ARG_PATH, NULL, "dest,destfile,name", NULL, MODULE_ARG_REQUIRED},
	{"regexp", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"replace", MODULE_ARG_STR, "", NULL, NULL, 0},
	{"after", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"before", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"validate", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"encoding", MODULE_ARG_STR, "utf-8", NULL, NULL, 0},
	FILEATTR_SPEC,
};

#define REPLACE_NSPEC (sizeof(replace_spec) / sizeof(replace_spec[0]))

static struct pyre *replace_compile(const char *what, const char *pattern, int flags, struct value **failp)
{
	struct pyre *re = NULL;
	char *err;

	if (pyre_compile(pattern, strlen(pattern), flags, &re, &err) != 0) {
		*failp = module_fail(value_map(), "%s: cannot use the regular expression '%s': %s", what, pattern, err);
		free(err);
		return NULL;
	}
	return re;
}

/* The section to work on, [*lop, *hip) of text. Returns 1 when found, 0
 * when after/before do not match, -1 with *failp on a bad pattern. */
static int replace_section(const char *after, const char *before, const char *text, size_t len, size_t *lop,
                           size_t *hip, struct value **failp)
{
	struct pyre *ra = NULL, *rb = NULL;
	struct pyre_match m;
	size_t pos;
	int found = 0;

	*lop = 0;
	*hip = len;
	if ((after != NULL && (ra = replace_compile("after", after, PYRE_DOTALL, failp)) == NULL) ||
	    (before != NULL && (rb = replace_compile("before", before, PYRE_DOTALL, failp)) == NULL)) {
		pyre_free(ra);
		return -1;
	}
	if (ra != NULL && rb != NULL) {
		/* after, then the nearest before that follows it. */
		if (pyre_search(ra, text, len, 0, &m)) {
			*lop = m.eo[0];
			if ((found = pyre_search(rb, text, len, m.eo[0], &m)))
				*hip = m.so[0];
		}
	} else if (ra != NULL) {
		if ((found = pyre_search(ra, text, len, 0, &m)))
			*lop = m.eo[0];
	} else {
		/* ".*before": up to where the last match of before starts. */
		for (pos = 0; pyre_search(rb, text, len, pos, &m); pos = m.so[0] + 1) {
			*hip = m.so[0];
			found = 1;
			if (m.so[0] >= len)
				break;
		}
	}
	pyre_free(ra);
	pyre_free(rb);
	return found;
}

/* Python's pattern for the section, as the "did not match" message shows it. */
static char *replace_section_pattern(const char *after, const char *before)
{
	if (after != NULL && before != NULL)
		return xasprintf("%s(?P<subsection>.*?)%s", after, before);
	if (after != NULL)
		return xasprintf("%s(?P<subsection>.*)", after);
	return xasprintf("(?P<subsection>.*)%s", before);
}

/* Reads the file after the checks Ansible makes. Returns NULL or a result
 * that ends the run. */
static struct value *replace_read(const char *path, struct buf *text)
{
	struct value *res;
	char *err;
	int r;

	if (fileutil_isdir(path)) {
		res = module_fail(value_map(), "Path %s is a directory !", path);
		value_map_set(res, "rc", value_int(256));
		return res;
	}
	if (!fileutil_exists(path)) {
		res = module_fail(value_map(), "Path %s does not exist !", path);
		value_map_set(res, "rc", value_int(257));
		return res;
	}
	if ((r = fileutil_read(path, FILEUTIL_MAX_TEXT, text)) != 0) {
		err = r == ERR_TOOBIG ? xasprintf("the file is over %zu bytes", FILEUTIL_MAX_TEXT)
		                      : fileutil_oserror(-r, path);
		res = module_fail(value_map(), "Unable to read the contents of %s: %s", path, err);
		free(err);
		return res;
	}
	return NULL;
}

/* The new text into whole, and the number of replacements. Returns NULL,
 * or a result that ends the run (no section, a bad pattern). */
static struct value *replace_substitute(const struct value *params, const struct buf *text, struct buf *whole,
                                        size_t *countp)
{
	const char *after = value_get_str(params, "after", NULL), *before = value_get_str(params, "before", NULL);
	const char *repl = value_get_str(params, "replace", "");
	struct value *res = NULL;
	struct pyre *re;
	struct buf out;
	size_t lo = 0, hi = buf_avail(text);
	char *err, *pattern, *section;
	int r;

	*countp = 0;
	if (after != NULL && after[0] == '\0')
		after = NULL;
	if (before != NULL && before[0] == '\0')
		before = NULL;
	if ((after != NULL || before != NULL) &&
	    (r = replace_section(after, before, buf_str(text), buf_avail(text), &lo, &hi, &res)) <= 0) {
		if (r == 0) {
			pattern = replace_section_pattern(after, before);
			res = value_map();
			value_map_set(res, "rc", value_int(0));
			value_map_set(res, "msg", value_strf("Pattern for before/after params did not match the given file: %s",
			                                     pattern));
			value_map_set(res, "changed", value_bool(0));
			free(pattern);
		}
		return res;
	}
	if ((re = replace_compile("regexp", value_get_str(params, "regexp", ""), PYRE_MULTILINE, &res)) == NULL)
		return res;
	/* The section on its own, so that ^, $ and \b see its ends as Python's
	 * search of the section string does. */
	section = xstrndup(buf_ptr(text) + lo, hi - lo);
	buf_init(&out, FILEUTIL_MAX_TEXT);
	if ((r = pyre_sub(re, repl, strlen(repl), section, hi - lo, &out, countp, &err)) != 0) {
		res = r == ERR_TOOBIG ? module_fail(value_map(), "the result is over %zu bytes", FILEUTIL_MAX_TEXT)
		                      : module_fail(value_map(), "replace: %s", err);
		if (r != ERR_TOOBIG)
			free(err);
	} else if (buf_avail(&out) == hi - lo && memcmp(buf_ptr(&out), section, hi - lo) == 0) {
		/* Replaced by the same text: nothing changed. */
		*countp = 0;
	}
	buf_put(whole, buf_ptr(text), lo);
	buf_put(whole, buf_ptr(&out), buf_avail(&out));
	buf_put(whole, buf_ptr(text) + hi, buf_avail(text) - hi);
	buf_fini(&out);
	free(section);
	pyre_free(re);
	return res;
}

MODULE_DEFINE(replace, replace_run, MODULE_CHECK_MODE)
struct value *replace_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *res = NULL, *shown, *warnings = value_list(), *diff, *fail = NULL;
	struct buf text, whole;
	struct fileutil_edit e;
	struct fileattr fa;
	const char *path;
	char *backup = NULL;
	size_t count = 0;
	int attr_changed = 0;

	buf_init(&text, FILEUTIL_MAX_TEXT);
	buf_init(&whole, FILEUTIL_MAX_TEXT);
	if (module_params_spec(ctx, "ansible.legacy.replace", replace_spec, REPLACE_NSPEC, NULL, warnings, &params,
	                       &res) != 0)
		goto done;
	path = value_get_str(params, "path", "");
	if ((res = replace_read(path, &text)) != NULL || (res = replace_substitute(params, &text, &whole, &count)) != NULL)
		goto out;
	res = value_map();
	value_map_set(res, "rc", value_int(0));
	if (count > 0 && ctx->diff) {
		diff = value_map();
		value_map_set(diff, "before_header", value_str(path));
		value_map_set(diff, "before", value_strn(buf_ptr(&text), buf_avail(&text)));
		value_map_set(diff, "after_header", value_str(path));
		value_map_set(diff, "after", value_strn(buf_ptr(&whole), buf_avail(&whole)));
		value_map_set(res, "diff", diff);
	}
	fileattr_from_params(&fa, params);
	memset(&e, 0, sizeof(e));
	e.path = path;
	e.data = buf_ptr(&whole);
	e.len = buf_avail(&whole);
	e.changed = count > 0;
	e.backup = value_get_bool(params, "backup", 0);
	e.validate = value_get_str(params, "validate", NULL);
	e.fa = &fa;
	e.unsafe_writes = value_get_bool(params, "unsafe_writes", 0);
	if (fileutil_edit(ctx, &e, &attr_changed, &backup, &fail) != 0) {
		value_unref(res);
		res = fail;
		goto out;
	}
	if (backup != NULL)
		value_map_set(res, "backup_file", value_str(backup));
	if (count > 0 && attr_changed)
		value_map_set(res, "msg", value_strf("%zu replacements made and ownership, perms or SE linux context "
		                                     "changed", count));
	else if (count > 0)
		value_map_set(res, "msg", value_strf("%zu replacements made", count));
	else
		value_map_set(res, "msg", value_str(attr_changed ? "ownership, perms or SE linux context changed" : ""));
	value_map_set(res, "changed", value_bool(count > 0 || attr_changed));
out:
	shown = module_invocation_args(replace_spec, REPLACE_NSPEC, params);
	module_finish(res, shown, warnings);
	value_unref(shown);
done:
	free(backup);
	value_unref(params);
	value_unref(warnings);
	buf_fini(&text);
	buf_fini(&whole);
	return res;
}
