/* Generating lookups (password, sequence), apart from lookups.c to keep
 * files short. See lookups_priv.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "template/eval.h"
#include "template/lookups_priv.h"
#include "template/pyval.h"

/* The "string" module's names the password plugin's chars= accepts. */
static const char *gen_charset(const char *name, size_t n)
{
	static const struct {
		const char *name, *chars;
	} sets[] = {
	    {"ascii_letters", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"},
	    {"ascii_lowercase", "abcdefghijklmnopqrstuvwxyz"},
	    {"ascii_uppercase", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"},
	    {"digits", "0123456789"},
	    {"hexdigits", "0123456789abcdefABCDEF"},
	    {"octdigits", "01234567"},
	    {"punctuation", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"},
	    {"whitespace", " \t\n\r\v\f"},
	};
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (strlen(sets[i].name) == n && memcmp(sets[i].name, name, n) == 0)
			return sets[i].chars;
	return NULL;
}

/* chars=a,b,,c: names or literal characters; ",," is a literal comma;
 * quotes are dropped as Ansible drops them. */
static int gen_chars(const char *spec, struct buf *out)
{
	const char *p = spec, *set;

	buf_init(out, 4096);
	if (strstr(spec, ",,") != NULL && buf_putc(out, ',') != 0)
		return -1;
	while (*p != '\0') {
		size_t n;

		if (*p == ',') {
			p++;
			continue;
		}
		n = strcspn(p, ",");
		set = gen_charset(p, n);
		if (set != NULL ? buf_puts(out, set) != 0 : buf_put(out, p, n) != 0)
			return -1;
		p += n;
	}
	for (p = buf_str(out); *p != '\0';) {
		if (*p == '"' || *p == '\'') {
			size_t off = (size_t)(p - buf_str(out));

			memmove(out->data + off, out->data + off + 1, out->len - off);
			out->len--;
		} else {
			p++;
		}
	}
	return 0;
}

static int gen_password_one(struct tpl_call *c, const char *term, struct value **vp)
{
	struct buf path, chars, content;
	const char *sp, *p;
	int64_t length = 20;
	char spec[1024] = "ascii_letters,digits,.,:-_";
	size_t i, cut;
	int fd, r = ERR_INTERNAL;

	buf_init(&path, 4096);
	buf_init(&chars, 0);
	buf_init(&content, 4096);
	sp = strchr(term, ' ');
	/* Parameters: key=value words after the path. */
	for (p = sp; p != NULL && *p != '\0';) {
		size_t n;
		const char *eq;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 0)
			break;
		eq = memchr(p, '=', n);
		if (eq == NULL) {
			r = tpl_fail(c, ERR_INVAL, "Unrecognized value after key=value parameters given to password lookup");
			goto out;
		}
		if ((size_t)(eq - p) == 6 && memcmp(p, "length", 6) == 0) {
			if (pyval_parse_int(eq + 1, n - 7, 10, &length) != 0 || length < 0 || length > 4096) {
				r = tpl_fail(c, ERR_INVAL, "invalid literal for int() with base 10: '%.*s'", (int)(n - 7),
				             eq + 1);
				goto out;
			}
		} else if ((size_t)(eq - p) == 5 && memcmp(p, "chars", 5) == 0) {
			if (n - 6 >= sizeof(spec)) {
				r = tpl_fail(c, ERR_INVAL, "password lookup: chars too long");
				goto out;
			}
			memcpy(spec, eq + 1, n - 6);
			spec[n - 6] = '\0';
		} else if (!(((size_t)(eq - p) == 7 && memcmp(p, "encrypt", 7) == 0) ||
		             ((size_t)(eq - p) == 5 && memcmp(p, "ident", 5) == 0) ||
		             ((size_t)(eq - p) == 4 && memcmp(p, "seed", 4) == 0))) {
			r = tpl_fail(c, ERR_INVAL, "Unrecognized parameter(s) given to password lookup: %.*s",
			             (int)(eq - p), p);
			goto out;
		}
		p += n;
	}
	if (term[0] != '/')
		buf_printf(&path, "%s/", lookups_dirs(c)[0]);
	buf_put(&path, term, sp != NULL ? (size_t)(sp - term) : strlen(term));
	if (gen_chars(spec, &chars) != 0 || chars.len == 0) {
		r = tpl_fail(c, ERR_INVAL, "password lookup: no characters to choose from");
		goto out;
	}
	if (strcmp(buf_str(&path), "/dev/null") != 0 && file_read(buf_str(&path), &content) == 0) {
		const char *s = buf_str(&content), *salt;

		cut = content.len;
		while (cut > 0 && strchr(" \t\n\r\v\f", s[cut - 1]) != NULL)
			cut--;
		content.data[cut] = '\0';
		salt = NULL;
		for (p = s; (p = strstr(p, " salt=")) != NULL; p++)
			salt = p;
		*vp = value_strn(s, salt != NULL ? (size_t)(salt - s) : cut);
		r = 0;
		goto out;
	}
	buf_reset(&content);
	for (i = 0; i < (size_t)length; i++) {
		size_t k;

		if (lookups_random_index(chars.len, &k) != 0) {
			r = tpl_fail(c, ERR_INVAL, "password lookup: no randomness available");
			goto out;
		}
		buf_putc(&content, buf_str(&chars)[k]);
	}
	if (strcmp(buf_str(&path), "/dev/null") != 0) {
		/* Create the directories, then the file, readable by its owner only. */
		char *dir = buf_str(&path)[0] != '\0' ? strdup(buf_str(&path)) : NULL, *s;

		for (s = dir != NULL ? dir + 1 : NULL; s != NULL && (s = strchr(s, '/')) != NULL; s++) {
			*s = '\0';
			if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
				r = tpl_fail(c, ERR_INVAL, "cannot create directory %s: %s", dir, strerror(errno));
				free(dir);
				goto out;
			}
			*s = '/';
		}
		free(dir);
		fd = open(buf_str(&path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 || fd_write_all(fd, buf_str(&content), content.len) != 0 || fd_write_all(fd, "\n", 1) != 0) {
			r = tpl_fail(c, ERR_INVAL, "cannot write password file %s: %s", buf_str(&path), strerror(errno));
			if (fd >= 0)
				close(fd);
			goto out;
		}
		fchmod(fd, 0600);
		close(fd);
	}
	*vp = value_strn(buf_str(&content), content.len);
	r = 0;
out:
	buf_fini(&path);
	buf_fini(&chars);
	buf_fini(&content);
	return r;
}

int lookups_gen_password(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                         struct value **retp)
{
	struct value *out = value_list(), *v;
	size_t i;
	int r;

	(void)kw;
	(void)nkw;
	for (i = 0; i < value_len(terms); i++) {
		struct buf t;

		if ((r = lookups_text(c, value_list_at(terms, i), &t)) != 0)
			goto fail;
		r = gen_password_one(c, buf_str(&t), &v);
		buf_fini(&t);
		if (r != 0)
			goto fail;
		value_list_push(out, v);
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}

/* int(s, 0) */
static int gen_int0(struct tpl_call *c, const char *what, const char *s, size_t n, int64_t *ip)
{
	if (pyval_parse_int(s, n, 0, ip) != 0)
		return tpl_fail(c, ERR_INVAL, "can't parse %s=%.*s as integer", what, (int)n, s);
	return 0;
}

static int gen_seq_one(struct tpl_call *c, const char *term, struct value *out)
{
	int64_t start = 1, end = 0, stride = 1, count = 0, i;
	int have_end = 0, have_count = 0, r, pct = 0;
	const char *fmt = "%d", *p;
	size_t fmtlen = 2, n;
	struct value *fv = NULL;

	/* The shortcut: [start-]end[/stride][:format]. */
	p = term;
	n = strspn(p, "0123456789abcdefxABCDEFX");
	if (n > 0 && (p[n] == '\0' || p[n] == '-' || p[n] == '/' || p[n] == ':')) {
		const char *a = p;
		size_t an = n;

		p += n;
		if (*p == '-') {
			if ((r = gen_int0(c, "start", a, an, &start)) != 0)
				return r;
			a = ++p;
			an = strspn(p, "0123456789abcdefxABCDEFX");
			p += an;
		}
		if ((r = gen_int0(c, "end", a, an, &end)) != 0)
			return r;
		have_end = 1;
		if (*p == '/') {
			a = ++p;
			an = strspn(p, "0123456789abcdefxABCDEFX");
			p += an;
			if ((r = gen_int0(c, "stride", a, an, &stride)) != 0)
				return r;
		}
		if (*p == ':' && p[1] != '\0') {
			fmt = p + 1;
			fmtlen = strlen(fmt);
		} else if (*p != '\0') {
			return tpl_fail(c, ERR_INVAL, "unrecognized arguments to with_sequence");
		}
	} else {
		for (p = term; *p != '\0';) {
			const char *eq;

			p += strspn(p, " ");
			n = strcspn(p, " ");
			if (n == 0)
				break;
			eq = memchr(p, '=', n);
			if (eq == NULL)
				return tpl_fail(c, ERR_INVAL, "unrecognized arguments to with_sequence: ['_raw_params']");
#define LK_KEY(k) ((size_t)(eq - p) == strlen(k) && memcmp(p, k, strlen(k)) == 0)
			if (LK_KEY("start"))
				r = gen_int0(c, "start", eq + 1, n - 6, &start);
			else if (LK_KEY("end"))
				r = gen_int0(c, "end", eq + 1, n - 4, &end), have_end = 1;
			else if (LK_KEY("count"))
				r = gen_int0(c, "count", eq + 1, n - 6, &count), have_count = 1;
			else if (LK_KEY("stride"))
				r = gen_int0(c, "stride", eq + 1, n - 7, &stride);
			else if (LK_KEY("format"))
				fmt = eq + 1, fmtlen = n - 7, r = 0;
			else
				r = tpl_fail(c, ERR_INVAL, "unrecognized arguments to with_sequence: ['%.*s']",
				             (int)(eq - p), p);
#undef LK_KEY
			if (r != 0)
				return r;
			p += n;
		}
	}
	if (!have_end && !have_count)
		return tpl_fail(c, ERR_INVAL, "must specify count or end in with_sequence");
	if (have_end && have_count)
		return tpl_fail(c, ERR_INVAL, "can't specify both count and end in with_sequence");
	if (have_count) {
		if (count != 0) {
			end = start + count * stride - 1;
		} else {
			start = end = stride = 0;
		}
	}
	if (stride > 0 && end < start)
		return tpl_fail(c, ERR_INVAL, "to count backwards make stride negative");
	if (stride < 0 && end > start)
		return tpl_fail(c, ERR_INVAL, "to count forward don't make stride negative");
	for (n = 0; n < fmtlen; n++)
		pct += fmt[n] == '%';
	if (pct != 1)
		return tpl_fail(c, ERR_INVAL, "bad formatting string: %.*s", (int)fmtlen, fmt);
	if (stride == 0)
		return 0;
	if ((end - start) / stride + 1 > (int64_t)(1 << 22))
		return tpl_check_items(c, (size_t)-1);
	fv = value_strn(fmt, fmtlen);
	for (i = start; stride > 0 ? i <= end : i >= end; i += stride) {
		struct value *num = value_int(i), *s = NULL;
		struct pyerr e;

		memset(&e, 0, sizeof(e));
		r = pyval_percent(c->rt, fv, num, &c->rt->lim, &s, &e);
		value_unref(num);
		if (r != 0) {
			value_unref(fv);
			return tpl_fail(c, ERR_INVAL, "problem formatting %lld with '%.*s'", (long long)i, (int)fmtlen, fmt);
		}
		value_list_push(out, s);
	}
	value_unref(fv);
	return tpl_check_items(c, value_len(out));
}

int lookups_gen_sequence(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                         struct value **retp)
{
	struct value *out = value_list();
	size_t i;
	int r;

	(void)kw;
	(void)nkw;
	for (i = 0; i < value_len(terms); i++) {
		struct buf t;

		if ((r = lookups_text(c, value_list_at(terms, i), &t)) != 0)
			goto fail;
		r = gen_seq_one(c, buf_str(&t), out);
		buf_fini(&t);
		if (r != 0)
			goto fail;
	}
	*retp = out;
	return 0;
fail:
	value_unref(out);
	return r;
}
