/* Ansible's lookup(), query() and q() with the lookup plugins playbooks use
 * most (the lookup plugins of Ansible 2.14): env, file, template, vars,
 * pipe, lines, items, list, indexed_items, dict, together, nested, subelements,
 * first_found, fileglob, password, random_choice and sequence.
 *
 * A plugin receives the terms (the arguments after the plugin's name) and
 * its keyword options and returns a list. lookup() then returns the items
 * joined with "," when all are text, the single item of a one-item list, or
 * the list; query() and q() (and wantlist=True) return the list. errors=
 * 'ignore' and 'warn' turn a plugin's failure into None (an empty list for
 * query), 'warn' also logging it. Files are searched as Ansible's
 * find_file_in_search_path does: in "files/" under each of the scope's
 * search_dirs, then in the directory itself (the current directory when the
 * scope has none); pipe and lines run through /bin/sh in the first of
 * them. The results are marked unsafe, as Ansible wraps lookup results. */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/spawn.h"
#include "template/eval.h"
#include "template/lookups_priv.h"
#include "template/pyval.h"

#define LK_MAX_FILE ((size_t)64 << 20)

static const char *const lk_here[] = {".", NULL};

const char *const *lookups_dirs(struct tpl_call *c)
{
	const struct tpl_scope *s = tpl_call_scope(c);

	return s != NULL && s->search_dirs != NULL && s->search_dirs[0] != NULL ? s->search_dirs : lk_here;
}

static const struct value *lk_kw(const struct tpl_kwarg *kw, size_t nkw, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < nkw; i++)
		if (kw[i].len == n && memcmp(kw[i].name, name, n) == 0)
			return kw[i].val;
	return NULL;
}

int lookups_text(struct tpl_call *c, const struct value *v, struct buf *b)
{
	int r;

	tpl_buf(c, b);
	if ((r = tpl_str(c, v, b)) != 0)
		buf_fini(b);
	return r;
}

/* find_file_in_search_path(variables, 'files', name): the path in *outp
 * (a buffer the caller finis), or ERR_NOTFOUND. */
static int lk_find(struct tpl_call *c, const char *name, int want_dir, struct buf *outp)
{
	const char *const *d;
	char cwd[4096];
	struct stat st;
	int pass;

	buf_init(outp, 0);
	if (name[0] == '/') {
		if (stat(name, &st) == 0 && (want_dir || !S_ISDIR(st.st_mode))) {
			buf_puts(outp, name);
			return 0;
		}
		return ERR_NOTFOUND;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	for (d = lookups_dirs(c); *d != NULL; d++) {
		for (pass = 0; pass < 2; pass++) {
			/* Ansible's search path is absolute: its basedir. */
			buf_reset(outp);
			if ((*d)[0] == '/')
				buf_puts(outp, *d);
			else if (strcmp(*d, ".") == 0)
				buf_puts(outp, cwd);
			else
				buf_printf(outp, "%s/%s", cwd, *d);
			buf_printf(outp, "/%s%s", pass == 0 ? "files/" : "", name);
			if (stat(buf_str(outp), &st) == 0 && (want_dir || !S_ISDIR(st.st_mode)))
				return 0;
		}
	}
	return ERR_NOTFOUND;
}

static int lk_read(struct tpl_call *c, const char *path, struct buf *b)
{
	int r;

	buf_init(b, LK_MAX_FILE);
	if ((r = file_read(path, b)) != 0) {
		buf_fini(b);
		return tpl_fail(c, ERR_INVAL, "could not read file %s: %s", path, err_str(r));
	}
	return 0;
}

/* ---- plugins ---- */

static int lk_env(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                  struct value **retp)
{
	const struct value *def = lk_kw(kw, nkw, "default");
	struct value *out = value_list();
	size_t i;

	for (i = 0; i < value_len(terms); i++) {
		struct buf b;
		const char *name, *val;
		size_t n;

		if (lookups_text(c, value_list_at(terms, i), &b) != 0) {
			value_unref(out);
			return c->rt->err;
		}
		name = buf_str(&b);
		name += strspn(name, " \t\n");
		n = strcspn(name, " \t\n");
		((char *)name)[n] = '\0';
		val = getenv(name);
		value_list_push(out, val != NULL ? value_str(val) : def != NULL ? value_ref((struct value *)def)
		                                                                 : value_str(""));
		buf_fini(&b);
	}
	*retp = out;
	return 0;
}

static int lk_strip_opt(struct tpl_call *c, const struct tpl_kwarg *kw, size_t nkw, const char *name, int def,
                        int *outp)
{
	const struct value *v = lk_kw(kw, nkw, name);

	*outp = def;
	return v == NULL ? 0 : tpl_truth(c, v, outp);
}

static int lk_file(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                   struct value **retp)
{
	struct value *out = value_list();
	int lstrip, rstrip, r;
	size_t i;

	if ((r = lk_strip_opt(c, kw, nkw, "lstrip", 0, &lstrip)) != 0 ||
	    (r = lk_strip_opt(c, kw, nkw, "rstrip", 1, &rstrip)) != 0)
		goto fail;
	for (i = 0; i < value_len(terms); i++) {
		struct buf name, path, data;
		const char *s;
		size_t n;

		if ((r = lookups_text(c, value_list_at(terms, i), &name)) != 0)
			goto fail;
		if (lk_find(c, buf_str(&name), 0, &path) != 0) {
			r = tpl_fail(c, ERR_INVAL, "could not locate file in lookup: %s", buf_str(&name));
			buf_fini(&path);
			buf_fini(&name);
			goto fail;
		}
		buf_fini(&name);
		r = lk_read(c, buf_str(&path), &data);
		buf_fini(&path);
		if (r != 0)
			goto fail;
		s = buf_str(&data);
		n = data.len;
		while (lstrip && n > 0 && strchr(" \t\n\r\v\f", *s) != NULL)
			s++, n--;
		while (rstrip && n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
			n--;
		value_list_push(out, value_strn(s, n));
		buf_fini(&data);
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}

static int lk_template(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                       struct value **retp)
{
	struct value *out = value_list();
	struct tpl_opts o;
	size_t i;
	int r;

	(void)kw;
	(void)nkw;
	tpl_opts_file(&o);
	for (i = 0; i < value_len(terms); i++) {
		struct buf name, path, data, res;
		struct tpl *t = NULL;

		if ((r = lookups_text(c, value_list_at(terms, i), &name)) != 0)
			goto fail;
		if (lk_find(c, buf_str(&name), 0, &path) != 0) {
			r = tpl_fail(c, ERR_INVAL, "the template file %s could not be found for the lookup",
			             buf_str(&name));
			buf_fini(&path);
			buf_fini(&name);
			goto fail;
		}
		buf_fini(&name);
		if ((r = lk_read(c, buf_str(&path), &data)) != 0) {
			buf_fini(&path);
			goto fail;
		}
		if (c->rt->depth >= c->rt->lim.max_depth) {
			r = tpl_fail(c, ERR_DEPTH, "template lookups nested too deeply");
		} else if ((r = tpl_compile(buf_str(&data), data.len, buf_str(&path), 1, 1, &o, &t, c->rt->d)) != 0) {
			c->rt->err = r;
		} else {
			tpl_buf(c, &res);
			c->rt->depth++;
			r = tpl_render(t, c->rt->s, &res, c->rt->d);
			c->rt->depth--;
			if (r != 0)
				c->rt->err = r;
			else
				value_list_push(out, value_strn(buf_str(&res), res.len));
			buf_fini(&res);
		}
		tpl_free(t);
		buf_fini(&data);
		buf_fini(&path);
		if (r != 0)
			goto fail;
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}

static int lk_vars(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                   struct value **retp)
{
	const struct value *def = lk_kw(kw, nkw, "default");
	struct value *out = value_list(), *v;
	size_t i;
	int r;

	for (i = 0; i < value_len(terms); i++) {
		const struct value *t = value_list_at(terms, i);

		if (!is_str(t)) {
			r = tpl_fail(c, ERR_INVAL, "Invalid setting identifier, \"%s\" is not a string, its a %s",
			             "?", tpl_type_name(t));
			goto fail;
		}
		if ((r = tpl_lookup_var(c, t->u.s.ptr, t->u.s.len, &v)) != 0)
			goto fail;
		if (tpl_is_undef(v)) {
			value_unref(v);
			if (def == NULL) {
				r = tpl_fail(c, ERR_NOTFOUND, "No variable found with this name: %s", t->u.s.ptr);
				goto fail;
			}
			v = value_ref((struct value *)def);
		}
		value_list_push(out, v);
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}

/* Runs cmd through /bin/sh in the first search directory; *outp gets its
 * output and *statusp its wait status. */
static int lk_run(struct tpl_call *c, const char *cmd, struct buf *outp, int *statusp)
{
	char *argv[] = {"/bin/sh", "-c", (char *)cmd, NULL};
	struct spawn_opts o;
	const char *stage = NULL;
	pid_t pid;
	int fds[2], r;

	tpl_buf(c, outp);
	if ((r = fd_pipe(fds)) != 0)
		return tpl_fail(c, ERR_INVAL, "pipe: %s", err_str(r));
	spawn_opts_init(&o);
	o.argv = argv;
	o.cwd = lookups_dirs(c)[0];
	o.stdout_fd = fds[1];
	o.stderr_fd = 2;
	r = spawn(&o, &pid, &stage);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		return tpl_fail(c, ERR_INVAL, "lookup_plugin.pipe(%s): %s: %s", cmd, stage ? stage : "spawn",
		                err_str(r));
	}
	r = fd_read_all(fds[0], outp);
	close(fds[0]);
	while (waitpid(pid, statusp, 0) < 0 && errno == EINTR)
		;
	if (r != 0)
		return tpl_fail(c, ERR_TOOBIG, "lookup_plugin.pipe(%s): output too large", cmd);
	return tpl_charge(c, outp->len);
}

static int lk_pipe_lines(struct tpl_call *c, struct value *terms, int lines, struct value **retp)
{
	struct value *out = value_list();
	size_t i;
	int r, st;

	for (i = 0; i < value_len(terms); i++) {
		struct buf cmd, res;
		const char *s;
		size_t n;

		if ((r = lookups_text(c, value_list_at(terms, i), &cmd)) != 0)
			goto fail;
		r = lk_run(c, buf_str(&cmd), &res, &st);
		if (r == 0 && (!WIFEXITED(st) || WEXITSTATUS(st) != 0))
			r = tpl_fail(c, ERR_INVAL, "%s(%s) returned %d", lines ? "lookup_plugin.lines" : "lookup_plugin.pipe",
			             buf_str(&cmd), WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st));
		buf_fini(&cmd);
		if (r != 0) {
			buf_fini(&res);
			goto fail;
		}
		s = buf_str(&res);
		n = res.len;
		if (!lines) {
			while (n > 0 && strchr(" \t\n\r\v\f", s[n - 1]) != NULL)
				n--;
			value_list_push(out, value_strn(s, n));
		} else {
			/* str.splitlines() on \n, \r\n and \r */
			while (n > 0) {
				size_t k = strcspn(s, "\r\n");

				k = k > n ? n : k;
				value_list_push(out, value_strn(s, k));
				if (k < n && s[k] == '\r' && k + 1 < n && s[k + 1] == '\n')
					k++;
				k = k < n ? k + 1 : k;
				s += k;
				n -= k;
			}
		}
		buf_fini(&res);
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}

static int lk_pipe(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                   struct value **retp)
{
	(void)kw;
	(void)nkw;
	return lk_pipe_lines(c, terms, 0, retp);
}

static int lk_lines(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                    struct value **retp)
{
	(void)kw;
	(void)nkw;
	return lk_pipe_lines(c, terms, 1, retp);
}

/* LookupBase._flatten: one level of lists opened. */
static struct value *lk_flat(const struct value *terms)
{
	struct value *out = value_list();
	size_t i, j;

	for (i = 0; i < value_len(terms); i++) {
		struct value *t = value_list_at(terms, i);

		if (t->type == VALUE_LIST && !is_special(t))
			for (j = 0; j < value_len(t); j++)
				value_list_push(out, value_ref(value_list_at(t, j)));
		else
			value_list_push(out, value_ref(t));
	}
	return out;
}

static int lk_items(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                    struct value **retp)
{
	(void)c;
	(void)kw;
	(void)nkw;
	*retp = lk_flat(terms);
	return 0;
}

static int lk_list(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                   struct value **retp)
{
	(void)c;
	(void)kw;
	(void)nkw;
	*retp = value_dup(terms);
	return 0;
}

static int lk_indexed_items(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                            struct value **retp)
{
	struct value *flat, *out;
	size_t i;

	(void)kw;
	(void)nkw;
	if (value_len(terms) != 1 || value_list_at(terms, 0)->type != VALUE_LIST)
		return tpl_fail(c, ERR_INVAL, "with_indexed_items expects a list");
	flat = lk_flat(terms);
	out = value_list();
	for (i = 0; i < value_len(flat); i++) {
		struct value *t = value_list();

		t->flags |= VALUE_F_TUPLE;
		value_list_push(t, value_int((int64_t)i));
		value_list_push(t, value_ref(value_list_at(flat, i)));
		value_list_push(out, t);
	}
	value_unref(flat);
	*retp = out;
	return 0;
}

static int lk_dict(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                   struct value **retp)
{
	struct value *out = value_list();
	size_t i, j;

	(void)kw;
	(void)nkw;
	for (i = 0; i < value_len(terms); i++) {
		struct value *t = value_list_at(terms, i);

		if (t->type != VALUE_MAP || is_special(t)) {
			value_unref(out);
			return tpl_fail(c, ERR_INVAL, "with_dict expects a dict");
		}
		for (j = 0; j < value_len(t); j++) {
			struct value *m = value_map();

			value_map_set(m, "key", value_ref((struct value *)value_map_key_at(t, j)));
			value_map_set(m, "value", value_ref(value_map_val_at(t, j)));
			value_list_push(out, m);
		}
	}
	*retp = out;
	return 0;
}

static int lk_together(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                       struct value **retp)
{
	struct value *out;
	size_t i, j, n = 0;

	(void)kw;
	(void)nkw;
	if (value_len(terms) == 0)
		return tpl_fail(c, ERR_INVAL, "with_together requires at least one element in each list");
	for (i = 0; i < value_len(terms); i++)
		if (value_len(value_list_at(terms, i)) > n)
			n = value_len(value_list_at(terms, i));
	out = value_list();
	for (j = 0; j < n; j++) {
		struct value *row = value_list();

		for (i = 0; i < value_len(terms); i++) {
			struct value *l = value_list_at(terms, i);

			value_list_push(row, l->type == VALUE_LIST && j < value_len(l) ? value_ref(value_list_at(l, j))
			                                                               : value_null());
		}
		value_list_push(out, row);
	}
	*retp = out;
	return 0;
}

static int lk_nested(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                     struct value **retp)
{
	struct value *out = value_list(), *next;
	size_t i, j, k;
	int r;

	(void)kw;
	(void)nkw;
	if (value_len(terms) == 0) {
		value_unref(out);
		return tpl_fail(c, ERR_INVAL, "with_nested requires at least one element in the nested list");
	}
	value_list_push(out, value_list());
	for (i = 0; i < value_len(terms); i++) {
		struct value *l = value_list_at(terms, i);

		if (l->type != VALUE_LIST) {
			value_unref(out);
			return tpl_fail(c, ERR_INVAL, "with_nested expects lists");
		}
		if ((r = tpl_check_items(c, value_len(out) * value_len(l))) != 0 ||
		    (r = tpl_charge(c, value_len(out) * value_len(l) * (i + 1))) != 0) {
			value_unref(out);
			return r;
		}
		next = value_list();
		for (j = 0; j < value_len(out); j++)
			for (k = 0; k < value_len(l); k++) {
				struct value *row = value_dup(value_list_at(out, j));

				value_list_push(row, value_ref(value_list_at(l, k)));
				value_list_push(next, row);
			}
		value_unref(out);
		out = next;
	}
	*retp = out;
	return 0;
}

/* Terms of first_found: strings split on ",;" (files) or ",:;" (paths). */
static void lk_split_push(struct value *dst, const struct value *v, const char *seps)
{
	size_t i;

	if (v == NULL)
		return;
	if (v->type == VALUE_LIST) {
		for (i = 0; i < value_len(v); i++)
			lk_split_push(dst, value_list_at(v, i), seps);
		return;
	}
	if (is_str(v)) {
		const char *s = v->u.s.ptr, *e = s + v->u.s.len;

		while (s <= e) {
			size_t n = strcspn(s, seps);

			if (n > 0)
				value_list_push(dst, value_strn(s, n));
			s += n + 1;
		}
	}
}

static int lk_first_found(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                          struct value **retp)
{
	struct value *files = value_list(), *paths = value_list(), *found = NULL;
	const struct value *skipv = lk_kw(kw, nkw, "skip");
	int skip = 0, r = 0;
	size_t i, j;

	/* Options given as keywords apply to the terms: none, nothing to find. */
	if (value_len(terms) > 0)
		lk_split_push(files, lk_kw(kw, nkw, "files"), ",;");
	lk_split_push(paths, lk_kw(kw, nkw, "paths"), ",:;");
	if (skipv != NULL && (r = tpl_truth(c, skipv, &skip)) != 0)
		goto out;
	for (i = 0; i < value_len(terms); i++) {
		struct value *t = value_list_at(terms, i);

		if (t->type == VALUE_MAP && !is_special(t)) {
			lk_split_push(files, value_map_get(t, "files"), ",;");
			lk_split_push(paths, value_map_get(t, "paths"), ",:;");
			if (value_map_get(t, "skip") != NULL && (r = tpl_truth(c, value_map_get(t, "skip"), &skip)) != 0)
				goto out;
		} else {
			lk_split_push(files, t, ",;");
		}
	}
	for (i = 0; i < value_len(files) && found == NULL; i++) {
		const char *f = value_list_at(files, i)->u.s.ptr;
		struct buf p;

		if (value_len(paths) == 0) {
			if (lk_find(c, f, 0, &p) == 0)
				found = value_str(buf_str(&p));
			buf_fini(&p);
			continue;
		}
		for (j = 0; j < value_len(paths) && found == NULL; j++) {
			struct buf q;

			buf_init(&p, 0);
			buf_printf(&p, "%s/%s", value_list_at(paths, j)->u.s.ptr, f);
			if (lk_find(c, buf_str(&p), 0, &q) == 0)
				found = value_str(buf_str(&q));
			buf_fini(&q);
			buf_fini(&p);
		}
	}
	if (found == NULL && !skip) {
		r = tpl_fail(c, ERR_INVAL,
		             "No file was found when using first_found. Use errors='ignore' to allow this task to be "
		             "skipped if no files are found");
		goto out;
	}
	*retp = value_list();
	if (found != NULL)
		value_list_push(*retp, found);
	r = 0;
out:
	value_unref(files);
	value_unref(paths);
	return r;
}

static int lk_globcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Globs dir/base; appends the regular files found. */
static void lk_glob_in(const char *dir, const char *base, struct value *out)
{
	struct buf pat;
	struct stat st;
	glob_t g;
	size_t k;

	buf_init(&pat, 0);
	buf_printf(&pat, "%s/%s", dir, base);
	if (glob(buf_str(&pat), 0, NULL, &g) == 0) {
		/* Python's glob lists in directory order; sorted here. */
		qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), lk_globcmp);
		for (k = 0; k < g.gl_pathc; k++)
			if (stat(g.gl_pathv[k], &st) == 0 && S_ISREG(st.st_mode))
				value_list_push(out, value_str(g.gl_pathv[k]));
		globfree(&g);
	}
	buf_fini(&pat);
}

static int lk_fileglob(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                       struct value **retp)
{
	struct value *out = value_list();
	const char *const *d;
	char cwd[4096];
	size_t i;
	int r;

	(void)kw;
	(void)nkw;
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	for (i = 0; i < value_len(terms); i++) {
		struct buf term, dir, found;
		const char *slash, *base;

		if ((r = lookups_text(c, value_list_at(terms, i), &term)) != 0) {
			value_unref(out);
			return r;
		}
		slash = strrchr(buf_str(&term), '/');
		base = slash != NULL ? slash + 1 : buf_str(&term);
		if (slash != NULL) {
			buf_init(&dir, 0);
			buf_put(&dir, buf_str(&term), (size_t)(slash - buf_str(&term)));
			if (dir.len == 0)
				buf_puts(&dir, "/");
			if (lk_find(c, buf_str(&dir), 1, &found) == 0)
				lk_glob_in(buf_str(&found), base, out);
			buf_fini(&found);
			buf_fini(&dir);
		} else {
			/* Each search directory's files/, then the directory: the first
			 * with matches wins. */
			for (d = lookups_dirs(c); *d != NULL; d++) {
				size_t before = value_len(out);
				int pass;

				for (pass = 0; pass < 2 && value_len(out) == before; pass++) {
					buf_init(&dir, 0);
					if ((*d)[0] == '/')
						buf_puts(&dir, *d);
					else if (strcmp(*d, ".") == 0)
						buf_puts(&dir, cwd);
					else
						buf_printf(&dir, "%s/%s", cwd, *d);
					if (pass == 0)
						buf_puts(&dir, "/files");
					lk_glob_in(buf_str(&dir), base, out);
					buf_fini(&dir);
				}
				if (value_len(out) > before)
					break;
			}
		}
		buf_fini(&term);
	}
	*retp = out;
	return 0;
}

int lookups_random_index(size_t n, size_t *ip)
{
	uint64_t x;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		return -1;
	*ip = (size_t)(x % n);
	return 0;
}

static int lk_random_choice(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                            struct value **retp)
{
	size_t i;

	(void)kw;
	(void)nkw;
	*retp = value_list();
	if (value_len(terms) == 0)
		return 0;
	if (lookups_random_index(value_len(terms), &i) != 0) {
		value_unref(*retp);
		return tpl_fail(c, ERR_INVAL, "random_choice: no randomness available");
	}
	value_list_push(*retp, value_ref(value_list_at(terms, i)));
	return 0;
}

/* subelements: (item, subitem) pairs; as Ansible's, the list is taken out
 * of the item returned (a copy here). */
static int lk_subelements(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                          struct value **retp)
{
	struct value *elems, *out = NULL, *flags, *path;
	const struct value *key;
	int skip = 0, r;
	size_t i, j, k;

	(void)kw;
	(void)nkw;
	if (value_len(terms) < 2 || value_len(terms) > 3)
		return tpl_fail(c, ERR_INVAL, "subelements lookup expects a list of two or three items, ");
	elems = value_list_at(terms, 0);
	key = value_list_at(terms, 1);
	if ((elems->type != VALUE_LIST && elems->type != VALUE_MAP) || is_special(elems) || !is_str(key))
		return tpl_fail(c, ERR_INVAL, "subelements lookup expects a list of two or three items, first a dict or "
		                              "a list, second a string pointing to the subkey");
	flags = value_len(terms) == 3 ? value_list_at(terms, 2) : NULL;
	if (flags != NULL && value_map_get(flags, "skip_missing") != NULL &&
	    (r = tpl_filter(c, "bool", (struct value *const[]){value_map_get(flags, "skip_missing")}, 1, NULL, 0,
	                    &path)) == 0) {
		skip = pyval_truth(path);
		value_unref(path);
	}
	path = value_list();
	{
		const char *s = key->u.s.ptr, *e = s + key->u.s.len, *dot;

		for (;;) {
			dot = memchr(s, '.', (size_t)(e - s));
			value_list_push(path, value_strn(s, (size_t)((dot ? dot : e) - s)));
			if (dot == NULL)
				break;
			s = dot + 1;
		}
	}
	out = value_list();
	for (i = 0; i < value_len(elems); i++) {
		struct value *item = elems->type == VALUE_MAP ? value_map_val_at(elems, i) : value_list_at(elems, i);
		struct value *copy, *cur, *sub = NULL;

		if (item->type != VALUE_MAP || is_special(item)) {
			r = tpl_fail(c, ERR_INVAL, "subelements lookup expects a dictionary, got '%s'", tpl_type_name(item));
			goto fail;
		}
		if (value_map_get(item, "skipped") != NULL && pyval_truth(value_map_get(item, "skipped")))
			continue;
		copy = value_dup(item);
		cur = copy;
		for (k = 0; k < value_len(path); k++) {
			const char *name = value_list_at(path, k)->u.s.ptr;
			struct value *v = value_map_get(cur, name);

			if (v == NULL) {
				if (skip)
					break;
				value_unref(copy);
				r = tpl_fail(c, ERR_INVAL, "could not find '%s' key in iterated item", name);
				goto fail;
			}
			if (k + 1 < value_len(path)) {
				if (v->type != VALUE_MAP) {
					if (skip)
						break;
					value_unref(copy);
					r = tpl_fail(c, ERR_INVAL, "the key %s should point to a dictionary", name);
					goto fail;
				}
				/* Copy on the way down: the list is removed from the copy. */
				value_map_set(cur, name, value_dup(v));
				cur = value_map_get(cur, name);
			} else {
				if (v->type != VALUE_LIST) {
					value_unref(copy);
					r = tpl_fail(c, ERR_INVAL, "the key %s should point to a list", name);
					goto fail;
				}
				sub = value_ref(v);
				value_map_del(cur, name);
			}
		}
		for (j = 0; sub != NULL && j < value_len(sub); j++) {
			struct value *t = value_list();

			t->flags |= VALUE_F_TUPLE;
			value_list_push(t, value_ref(copy));
			value_list_push(t, value_ref(value_list_at(sub, j)));
			value_list_push(out, t);
		}
		value_unref(sub);
		value_unref(copy);
		if ((r = tpl_check_items(c, value_len(out))) != 0)
			goto fail;
	}
	value_unref(path);
	*retp = out;
	return 0;
fail:
	value_unref(path);
	value_unref(out);
	return r;
}

static const struct {
	const char *name;
	lookups_fn fn;
} lk_plugins[] = {
	{"dict", lk_dict},
	{"env", lk_env},
	{"file", lk_file},
	{"fileglob", lk_fileglob},
	{"first_found", lk_first_found},
	{"indexed_items", lk_indexed_items},
	{"items", lk_items},
	{"lines", lk_lines},
	{"list", lk_list},
	{"nested", lk_nested},
	{"password", lookups_gen_password},
	{"pipe", lk_pipe},
	{"random_choice", lk_random_choice},
	{"sequence", lookups_gen_sequence},
	{"subelements", lk_subelements},
	{"template", lk_template},
	{"together", lk_together},
	{"vars", lk_vars},
};

/* lookup(name, *terms, wantlist=False, errors='strict', **options) */
static int lk_call(struct tpl_call *c, int wantlist, struct value **vp)
{
	struct tpl_kwarg kw[32];
	struct value *terms = NULL, *ran = NULL;
	const char *name, *errors = "strict";
	size_t i, nkw = 0, n;
	int r, all_str = 1;
	lookups_fn fn = NULL;

	if (tpl_call_scope(c) != NULL && (tpl_call_scope(c)->flags & TPL_SCOPE_NO_LOOKUPS))
		return tpl_fail(c, ERR_INVAL, "lookups are not allowed in this template (unsafe input)");
	if (c->nargs < 1 || !is_str(c->args[0]))
		return tpl_fail(c, ERR_INVAL, "%s() requires the name of a lookup plugin", c->name);
	name = c->args[0]->u.s.ptr;
	n = c->args[0]->u.s.len;
	if (n > 16 && memcmp(name, "ansible.builtin.", 16) == 0)
		name += 16;
	for (i = 0; i < sizeof(lk_plugins) / sizeof(lk_plugins[0]); i++)
		if (strcmp(lk_plugins[i].name, name) == 0)
			fn = lk_plugins[i].fn;
	if (fn == NULL)
		return tpl_fail(c, ERR_INVAL, "lookup plugin (%s) not found", name);
	for (i = 0; i < c->nkw; i++) {
		const struct tpl_kwarg *k = &c->kw[i];

		if (k->len == 8 && memcmp(k->name, "wantlist", 8) == 0) {
			if ((r = tpl_truth(c, k->val, &wantlist)) != 0)
				return r;
		} else if (k->len == 6 && memcmp(k->name, "errors", 6) == 0 && is_str(k->val)) {
			errors = k->val->u.s.ptr;
		} else if (k->len == 12 && memcmp(k->name, "allow_unsafe", 12) == 0) {
		} else if (nkw < 32) {
			kw[nkw++] = *k;
		} else {
			return tpl_fail(c, ERR_INVAL, "too many options for lookup %s", name);
		}
	}
	terms = value_list();
	for (i = 1; i < c->nargs; i++)
		value_list_push(terms, value_ref(c->args[i]));
	r = fn(c, terms, kw, nkw, &ran);
	value_unref(terms);
	if (r != 0) {
		if (r == ERR_TOOBIG || r == ERR_DEPTH || strcmp(errors, "strict") == 0 ||
		    (strcmp(errors, "warn") != 0 && strcmp(errors, "ignore") != 0))
			return r;
		if (strcmp(errors, "warn") == 0)
			log_warn("An unhandled exception occurred while running the lookup plugin '%s': %s", name,
			         c->rt->d != NULL && c->rt->d->msg != NULL ? c->rt->d->msg : err_str(r));
		/* The failure is handled: forget it. */
		c->rt->err = 0;
		if (c->rt->d != NULL) {
			diag_fini(c->rt->d);
			diag_init(c->rt->d);
		}
		*vp = wantlist ? value_list() : value_null();
		return 0;
	}
	tpl_mark_unsafe(c);
	if (wantlist) {
		*vp = ran;
		return 0;
	}
	for (i = 0; i < value_len(ran); i++)
		all_str &= is_str(value_list_at(ran, i));
	if (all_str) {
		struct buf b;

		tpl_buf(c, &b);
		for (i = 0; i < value_len(ran); i++) {
			struct value *it = value_list_at(ran, i);

			if ((i > 0 && buf_putc(&b, ',') != 0) || buf_put(&b, it->u.s.ptr, it->u.s.len) != 0) {
				buf_fini(&b);
				value_unref(ran);
				return tpl_fail(c, ERR_TOOBIG, "lookup result too large");
			}
		}
		value_unref(ran);
		*vp = value_strn(buf_str(&b), b.len);
		buf_fini(&b);
		return 0;
	}
	if (value_len(ran) == 1) {
		*vp = value_ref(value_list_at(ran, 0));
		value_unref(ran);
		return 0;
	}
	*vp = ran;
	return 0;
}

static int g_lookup(struct tpl_call *c, struct value **vp)
{
	return lk_call(c, 0, vp);
}

static int g_query(struct tpl_call *c, struct value **vp)
{
	return lk_call(c, 1, vp);
}

const struct tpl_fn_def tpl_lookups[] = {
	{"lookup", g_lookup, 0},
	{"q", g_query, 0},
	{"query", g_query, 0},
	{NULL, NULL, 0},
};
