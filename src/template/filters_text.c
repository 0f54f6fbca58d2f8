/* Ansible's filters on text (ansible/plugins/filter/core.py in 2.14):
 * regex_replace, regex_search, regex_findall, regex_escape (Python's re
 * through data/pyre.h, with its documented limits), b64encode/b64decode,
 * hash, checksum, to_uuid, the path filters basename, dirname, splitext,
 * expanduser, realpath, relpath, expandvars, fileglob, quote, split, md5,
 * sha1, from_yaml and from_yaml_all. The input is
 * taken as Ansible's to_text takes it: str() of a non-string. */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/digest.h"
#include "base/err.h"
#include "base/sha1.h"
#include "base/hex.h"
#include "data/pyre.h"
#include "data/shlex.h"
#include "data/yaml.h"
#include "template/eval.h"
#include "template/pyval.h"

#define BIND(c, slots, nreq, ...)                                                    \
	do {                                                                         \
		static const char *const params_[] = {__VA_ARGS__, NULL};            \
		int br_ = tpl_bind((c), params_, (nreq), (slots));                    \
		if (br_ != 0)                                                        \
			return br_;                                                  \
	} while (0)

/* str(v) into a fresh buffer b (fini'd on failure). */
static int ft_text(struct tpl_call *c, const struct value *v, struct buf *b)
{
	int r;

	tpl_buf(c, b);
	if ((r = tpl_str(c, v, b)) != 0)
		buf_fini(b);
	return r;
}

static struct value *ft_take(struct buf *b)
{
	size_t len;
	char *s = buf_take(b, &len);

	return value_str_take(s, len);
}

static int ft_flag(struct tpl_call *c, const struct value *v, int *bp)
{
	*bp = 0;
	return v == NULL ? 0 : tpl_truth(c, v, bp);
}

/* Compiles pattern p (str() of it) with flags; records Python's error. */
static int ft_compile(struct tpl_call *c, const struct value *p, int flags, struct pyre **rep)
{
	struct buf b;
	char *err = NULL;
	int r;

	if ((r = ft_text(c, p, &b)) != 0)
		return r;
	r = pyre_compile(buf_str(&b), b.len, flags, rep, &err);
	buf_fini(&b);
	if (r != 0) {
		r = tpl_fail(c, ERR_INVAL, "regular expression: %s", err != NULL ? err : "cannot compile");
		free(err);
	}
	return r;
}

static struct value *ft_group(const char *s, const struct pyre_match *m, size_t g)
{
	if (m->so[g] == PYRE_NONE)
		return value_null();
	return value_strn(s + m->so[g], m->eo[g] - m->so[g]);
}

/* ---- regex ---- */

static int f_regex_replace(struct tpl_call *c, struct value **vp)
{
	struct value *a[7], *empty;
	struct pyre *re = NULL;
	struct pyre_match m;
	struct buf val, rep, out;
	int64_t count = 0, mand = 0;
	size_t subs = 0, pos = 0, last = 0;
	int icase, ml, r;
	char *err = NULL;

	/* Ansible 2.14 has neither count nor mandatory_count (2.17 has). */
	BIND(c, a, 0, "value", "pattern", "replacement", "ignorecase", "multiline");
	a[5] = a[6] = NULL;
	if ((r = ft_flag(c, a[3], &icase)) != 0 || (r = ft_flag(c, a[4], &ml)) != 0)
		return r;
	if ((a[5] != NULL && (r = tpl_to_int(c, a[5], &count)) != 0) ||
	    (a[6] != NULL && (r = tpl_to_int(c, a[6], &mand)) != 0))
		return r;
	if (a[0] == NULL)
		buf_init(&val, 0);
	else if ((r = ft_text(c, a[0], &val)) != 0)
		return r;
	buf_init(&rep, 0);
	tpl_buf(c, &out);
	if (a[2] != NULL && (r = tpl_str(c, a[2], &rep)) != 0)
		goto out;
	empty = value_str("");
	r = ft_compile(c, a[1] != NULL ? a[1] : empty, (icase ? PYRE_IGNORECASE : 0) | (ml ? PYRE_MULTILINE : 0), &re);
	value_unref(empty);
	if (r != 0)
		goto out;
	/* re.subn: an empty match right after the previous match is skipped. */
	while (pos <= val.len && (count <= 0 || subs < (size_t)count)) {
		if ((r = tpl_charge(c, val.len - pos + 1)) != 0)
			goto out;
		if (!pyre_search(re, buf_str(&val), val.len, pos, &m))
			break;
		if (buf_put(&out, buf_str(&val) + last, m.so[0] - last) != 0 ||
		    pyre_expand(re, buf_str(&rep), rep.len, buf_str(&val), &m, &out, &err) != 0) {
			r = err != NULL ? tpl_fail(c, ERR_INVAL, "regex_replace: %s", err)
			                : tpl_fail(c, ERR_TOOBIG, "regex_replace: result too large");
			goto out;
		}
		subs++;
		last = m.eo[0];
		if (m.eo[0] == m.so[0]) {
			if (m.eo[0] < val.len && buf_put(&out, buf_str(&val) + m.eo[0], 1) != 0) {
				r = tpl_fail(c, ERR_TOOBIG, "regex_replace: result too large");
				goto out;
			}
			last = m.eo[0] + 1;
			pos = m.eo[0] + 1;
		} else {
			pos = m.eo[0];
		}
	}
	if (last < val.len && buf_put(&out, buf_str(&val) + last, val.len - last) != 0) {
		r = tpl_fail(c, ERR_TOOBIG, "regex_replace: result too large");
		goto out;
	}
	if (mand != 0 && (size_t)mand != subs) {
		r = tpl_fail(c, ERR_INVAL, "'%s' should match %lld times, but matches %zu times",
		             a[1] != NULL && is_str(a[1]) ? a[1]->u.s.ptr : "", (long long)mand, subs);
		goto out;
	}
	*vp = ft_take(&out);
	r = 0;
out:
	free(err);
	pyre_free(re);
	buf_fini(&out);
	buf_fini(&rep);
	buf_fini(&val);
	return r;
}

static int ft_re_flags(struct tpl_call *c, int *flagsp)
{
	size_t i;
	int on, r;

	*flagsp = 0;
	for (i = 0; i < c->nkw; i++) {
		const struct tpl_kwarg *k = &c->kw[i];

		if ((r = tpl_truth(c, k->val, &on)) != 0)
			return r;
		if (k->len == 10 && memcmp(k->name, "ignorecase", 10) == 0)
			*flagsp |= on ? PYRE_IGNORECASE : 0;
		else if (k->len == 9 && memcmp(k->name, "multiline", 9) == 0)
			*flagsp |= on ? PYRE_MULTILINE : 0;
	}
	return 0;
}

static int f_regex_search(struct tpl_call *c, struct value **vp)
{
	struct pyre *re = NULL;
	struct pyre_match m;
	struct buf val, g;
	struct value *out = NULL;
	size_t i;
	int flags, r;
	char *err = NULL;

	if (c->nargs < 2)
		return tpl_fail(c, ERR_INVAL, "regex_search() missing 1 required positional argument: 'regex'");
	if ((r = ft_re_flags(c, &flags)) != 0)
		return r;
	if ((r = ft_text(c, c->args[0], &val)) != 0)
		return r;
	tpl_buf(c, &g);
	if ((r = ft_compile(c, c->args[1], flags, &re)) != 0)
		goto out;
	if ((r = tpl_charge(c, val.len)) != 0)
		goto out;
	if (!pyre_search(re, buf_str(&val), val.len, 0, &m)) {
		*vp = value_null();
		r = 0;
		goto out;
	}
	if (c->nargs == 2) {
		*vp = ft_group(buf_str(&val), &m, 0);
		r = 0;
		goto out;
	}
	out = value_list();
	for (i = 2; i < c->nargs; i++) {
		const struct value *arg = c->args[i];

		if (!is_str(arg) || arg->u.s.len < 2 || arg->u.s.ptr[0] != '\\') {
			r = tpl_fail(c, ERR_INVAL, "Unknown argument");
			goto out;
		}
		buf_reset(&g);
		if (pyre_expand(re, arg->u.s.ptr, arg->u.s.len, buf_str(&val), &m, &g, &err) != 0) {
			r = tpl_fail(c, ERR_INVAL, "regex_search: %s", err != NULL ? err : "bad group");
			goto out;
		}
		value_list_push(out, value_strn(buf_str(&g), g.len));
	}
	*vp = out;
	out = NULL;
	r = 0;
out:
	value_unref(out);
	free(err);
	pyre_free(re);
	buf_fini(&g);
	buf_fini(&val);
	return r;
}

static int f_regex_findall(struct tpl_call *c, struct value **vp)
{
	struct value *a[4], *out = NULL;
	struct pyre *re = NULL;
	struct pyre_match m;
	struct buf val;
	size_t pos = 0, ng, i;
	int icase, ml, r;

	BIND(c, a, 2, "value", "regex", "multiline", "ignorecase");
	if ((r = ft_flag(c, a[2], &ml)) != 0 || (r = ft_flag(c, a[3], &icase)) != 0)
		return r;
	if ((r = ft_text(c, a[0], &val)) != 0)
		return r;
	if ((r = ft_compile(c, a[1], (icase ? PYRE_IGNORECASE : 0) | (ml ? PYRE_MULTILINE : 0), &re)) != 0)
		goto out;
	ng = pyre_groups(re);
	out = value_list();
	while (pos <= val.len) {
		if ((r = tpl_charge(c, val.len - pos + 1)) != 0)
			goto out;
		if (!pyre_search(re, buf_str(&val), val.len, pos, &m))
			break;
		if (ng == 0) {
			value_list_push(out, ft_group(buf_str(&val), &m, 0));
		} else if (ng == 1) {
			value_list_push(out, m.so[1] == PYRE_NONE ? value_str("") : ft_group(buf_str(&val), &m, 1));
		} else {
			struct value *t = value_list();

			t->flags |= VALUE_F_TUPLE;
			for (i = 1; i <= ng; i++)
				value_list_push(t, m.so[i] == PYRE_NONE ? value_str("") : ft_group(buf_str(&val), &m, i));
			value_list_push(out, t);
		}
		if ((r = tpl_check_items(c, value_len(out))) != 0)
			goto out;
		pos = m.eo[0] > m.so[0] ? m.eo[0] : m.eo[0] + 1;
	}
	*vp = out;
	out = NULL;
	r = 0;
out:
	value_unref(out);
	pyre_free(re);
	buf_fini(&val);
	return r;
}

static int f_regex_escape(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct buf val, out;
	const char *special;
	size_t i;
	int r;

	BIND(c, a, 1, "string", "re_type");
	if (a[1] == NULL || (is_str(a[1]) && strcmp(a[1]->u.s.ptr, "python") == 0))
		special = "()[]{}?*+-|^$\\.&~# \t\n\r\v\f";
	else if (is_str(a[1]) && strcmp(a[1]->u.s.ptr, "posix_basic") == 0)
		special = "[].^$*\\";
	else if (is_str(a[1]) && strcmp(a[1]->u.s.ptr, "posix_extended") == 0)
		return tpl_fail(c, ERR_INVAL, "Regex type (posix_extended) not yet implemented");
	else
		return tpl_fail(c, ERR_INVAL, "Invalid regex type");
	if ((r = ft_text(c, a[0], &val)) != 0)
		return r;
	tpl_buf(c, &out);
	for (i = 0; i < val.len; i++) {
		char ch = buf_str(&val)[i];

		if ((ch != '\0' && strchr(special, ch) != NULL && buf_putc(&out, '\\') != 0) ||
		    buf_putc(&out, ch) != 0) {
			buf_fini(&val);
			buf_fini(&out);
			return tpl_fail(c, ERR_TOOBIG, "regex_escape: result too large");
		}
	}
	buf_fini(&val);
	*vp = ft_take(&out);
	return 0;
}

/* ---- base64 ---- */

static const char ft_b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int f_b64encode(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct buf val, out;
	const unsigned char *s;
	size_t i;
	char q[4];

	BIND(c, a, 1, "string", "encoding");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	tpl_buf(c, &out);
	s = (const unsigned char *)buf_str(&val);
	for (i = 0; i < val.len; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16 | (i + 1 < val.len ? (unsigned long)s[i + 1] << 8 : 0) |
		                  (i + 2 < val.len ? s[i + 2] : 0);

		q[0] = ft_b64[v >> 18 & 63];
		q[1] = ft_b64[v >> 12 & 63];
		q[2] = i + 1 < val.len ? ft_b64[v >> 6 & 63] : '=';
		q[3] = i + 2 < val.len ? ft_b64[v & 63] : '=';
		if (buf_put(&out, q, 4) != 0) {
			buf_fini(&val);
			buf_fini(&out);
			return tpl_fail(c, ERR_TOOBIG, "b64encode: result too large");
		}
	}
	buf_fini(&val);
	*vp = ft_take(&out);
	return 0;
}

/* base64.b64decode without validate: other characters are dropped. */
static int f_b64decode(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct buf val, out;
	unsigned long acc = 0;
	size_t i, n = 0, pad = 0;

	BIND(c, a, 1, "string", "encoding");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	tpl_buf(c, &out);
	for (i = 0; i < val.len; i++) {
		const char *p, ch = buf_str(&val)[i];

		if (ch == '=') {
			if (n % 4 >= 2 && (pad += 1) + n % 4 >= 4)
				break;
			continue;
		}
		if (ch == '\0' || (p = strchr(ft_b64, ch)) == NULL)
			continue;
		if (pad > 0) /* data after incomplete padding restarts it */
			pad = 0;
		acc = acc << 6 | (unsigned long)(p - ft_b64);
		if (++n % 4 == 0) {
			char o[3] = {(char)(acc >> 16), (char)(acc >> 8), (char)acc};

			buf_put(&out, o, 3);
			acc = 0;
		}
	}
	buf_fini(&val);
	if (n % 4 == 1) {
		buf_fini(&out);
		return tpl_fail(c, ERR_INVAL, "Invalid base64-encoded string");
	}
	if (n % 4 != 0 && pad + n % 4 < 4) {
		buf_fini(&out);
		return tpl_fail(c, ERR_INVAL, "Incorrect padding");
	}
	if (n % 4 == 2) {
		buf_putc(&out, (char)(acc >> 4));
	} else if (n % 4 == 3) {
		char o[2] = {(char)(acc >> 10), (char)(acc >> 2)};

		buf_put(&out, o, 2);
	}
	*vp = ft_take(&out);
	return 0;
}

/* ---- digests ---- */

static int ft_digest(struct tpl_call *c, const struct value *data, int alg, struct value **vp)
{
	struct buf val;
	char hex[DIGEST_MAX_HEX + 1];

	if (ft_text(c, data, &val) != 0)
		return c->rt->err;
	digest_hex((enum digest_alg)alg, buf_str(&val), val.len, hex);
	buf_fini(&val);
	*vp = value_str(hex);
	return 0;
}

static int f_hash(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	int alg;

	BIND(c, a, 1, "data", "hashtype");
	alg = a[1] == NULL ? DIGEST_SHA1 : is_str(a[1]) ? digest_find(a[1]->u.s.ptr) : -1;
	if (alg < 0)
		return tpl_fail(c, ERR_INVAL, "unsupported hash type %s", is_str(a[1]) ? a[1]->u.s.ptr : "?");
	return ft_digest(c, a[0], alg, vp);
}

static int f_checksum(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "data");
	return ft_digest(c, a[0], DIGEST_SHA1, vp);
}

/* uuid.UUID(text): braces, "urn:uuid:" and hyphens are ignored. */
static int ft_parse_uuid(const char *s, unsigned char out[16])
{
	size_t n = 0;

	if (strncmp(s, "urn:", 4) == 0)
		s += 4;
	if (strncmp(s, "uuid:", 5) == 0)
		s += 5;
	for (; *s != '\0'; s++) {
		int h;

		if (*s == '{' || *s == '}' || *s == '-')
			continue;
		if ((h = hex_digit((unsigned char)*s)) < 0 || n >= 32)
			return -1;
		out[n / 2] = (unsigned char)(n % 2 ? out[n / 2] | h : h << 4);
		n++;
	}
	return n == 32 ? 0 : -1;
}

static int f_to_uuid(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	unsigned char ns[16], md[SHA1_LEN];
	struct sha1_ctx h;
	struct buf val, ns_text;
	char out[37];
	size_t i, o = 0;

	BIND(c, a, 1, "string", "namespace");
	if (a[1] == NULL) {
		ft_parse_uuid("361E6D51-FAEC-444A-9079-341386DA8E2E", ns);
	} else {
		if (ft_text(c, a[1], &ns_text) != 0)
			return c->rt->err;
		i = (size_t)ft_parse_uuid(buf_str(&ns_text), ns);
		buf_fini(&ns_text);
		if (i != 0)
			return tpl_fail(c, ERR_INVAL, "Invalid value for 'namespace': badly formed hexadecimal UUID string");
	}
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	sha1_init(&h);
	sha1_update(&h, ns, 16);
	sha1_update(&h, buf_str(&val), val.len);
	sha1_final(&h, md);
	buf_fini(&val);
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50);
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80);
	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = "0123456789abcdef"[md[i] >> 4];
		out[o++] = "0123456789abcdef"[md[i] & 15];
	}
	out[o] = '\0';
	*vp = value_str(out);
	return 0;
}

/* ---- paths ---- */

static int f_basename(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val;
	const char *s, *slash;

	BIND(c, a, 1, "path");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	s = buf_str(&val);
	slash = memrchr(s, '/', val.len);
	*vp = value_strn(slash != NULL ? slash + 1 : s, slash != NULL ? val.len - (size_t)(slash + 1 - s) : val.len);
	buf_fini(&val);
	return 0;
}

static int f_dirname(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val;
	const char *s, *slash;
	size_t n, k;

	BIND(c, a, 1, "path");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	s = buf_str(&val);
	slash = memrchr(s, '/', val.len);
	n = slash != NULL ? (size_t)(slash + 1 - s) : 0;
	/* os.path.dirname keeps a head made only of slashes. */
	for (k = 0; k < n && s[k] == '/'; k++)
		;
	if (k < n)
		while (n > 0 && s[n - 1] == '/')
			n--;
	*vp = value_strn(s, n);
	buf_fini(&val);
	return 0;
}

static int f_splitext(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *t;
	struct buf val;
	const char *s, *slash, *dot;
	size_t base, i, cut;

	BIND(c, a, 1, "p");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	s = buf_str(&val);
	slash = memrchr(s, '/', val.len);
	base = slash != NULL ? (size_t)(slash + 1 - s) : 0;
	dot = memrchr(s + base, '.', val.len - base);
	cut = val.len;
	if (dot != NULL) {
		/* Leading dots of the file name do not start an extension. */
		for (i = base; i < (size_t)(dot - s); i++)
			if (s[i] != '.') {
				cut = (size_t)(dot - s);
				break;
			}
	}
	t = value_list();
	t->flags |= VALUE_F_TUPLE;
	value_list_push(t, value_strn(s, cut));
	value_list_push(t, value_strn(s + cut, val.len - cut));
	buf_fini(&val);
	*vp = t;
	return 0;
}

static int f_expanduser(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val, out;
	const char *s, *home = NULL, *end;
	size_t ul;

	BIND(c, a, 1, "path");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	s = buf_str(&val);
	if (s[0] != '~') {
		*vp = ft_take(&val);
		return 0;
	}
	end = strchr(s, '/');
	ul = end != NULL ? (size_t)(end - s) - 1 : val.len - 1;
	if (ul == 0) {
		home = getenv("HOME");
		if (home == NULL) {
			struct passwd *pw = getpwuid(getuid());

			home = pw != NULL ? pw->pw_dir : NULL;
		}
	} else if (ul < 256) {
		char user[256];
		struct passwd *pw;

		memcpy(user, s + 1, ul);
		user[ul] = '\0';
		pw = getpwnam(user);
		home = pw != NULL ? pw->pw_dir : NULL;
	}
	if (home == NULL) {
		*vp = ft_take(&val);
		return 0;
	}
	tpl_buf(c, &out);
	ul = strlen(home);
	while (ul > 1 && home[ul - 1] == '/')
		ul--;
	buf_put(&out, home, ul);
	if (buf_puts(&out, s + 1 + (end != NULL ? (size_t)(end - s) - 1 : val.len - 1)) != 0) {
		buf_fini(&out);
		buf_fini(&val);
		return tpl_fail(c, ERR_TOOBIG, "expanduser: result too large");
	}
	buf_fini(&val);
	*vp = ft_take(&out);
	return 0;
}

/* os.path.realpath (not strict): links resolved as far as the path exists,
 * the rest normalised. */
static int f_realpath(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val, out;
	char cwd[PATH_MAX], res[PATH_MAX];
	const char *s, *p;
	size_t n;

	BIND(c, a, 1, "path");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	if (realpath(buf_str(&val), res) != NULL) {
		buf_fini(&val);
		*vp = value_str(res);
		return 0;
	}
	tpl_buf(c, &out);
	s = buf_str(&val);
	if (s[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL)
		buf_puts(&out, strcmp(cwd, "/") == 0 ? "" : cwd);
	for (p = s; *p != '\0';) {
		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			const char *o = buf_str(&out), *sl = memrchr(o, '/', out.len);

			out.len = sl != NULL ? (size_t)(sl - o) : 0;
		} else {
			buf_putc(&out, '/');
			buf_put(&out, p, n);
		}
		p += n;
	}
	if (out.len == 0)
		buf_putc(&out, '/');
	buf_fini(&val);
	*vp = ft_take(&out);
	return 0;
}

static int f_quote(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val, out;
	int r;

	BIND(c, a, 1, "a");
	if (a[0]->type == VALUE_NULL && !is_special(a[0])) {
		*vp = value_str("''");
		return 0;
	}
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	tpl_buf(c, &out);
	r = shlex_quote(&out, buf_str(&val), val.len);
	buf_fini(&val);
	if (r != 0) {
		buf_fini(&out);
		return tpl_fail(c, ERR_TOOBIG, "quote: result too large");
	}
	*vp = ft_take(&out);
	return 0;
}

/* ---- YAML in ---- */

static int ft_from_yaml(struct tpl_call *c, int all, struct value **vp)
{
	struct value *a[1];
	struct diag d;
	int r;

	BIND(c, a, 1, "data");
	if (!is_str(a[0])) {
		*vp = value_ref(a[0]);
		return 0;
	}
	diag_init(&d);
	r = all ? yaml_load_all(a[0]->u.s.ptr, a[0]->u.s.len, NULL, vp, &d)
	        : yaml_load(a[0]->u.s.ptr, a[0]->u.s.len, NULL, vp, &d);
	if (r != 0)
		r = tpl_fail(c, ERR_INVAL, "%s: %s", c->name, d.msg != NULL ? d.msg : "invalid YAML");
	diag_fini(&d);
	return r;
}

static int f_from_yaml(struct tpl_call *c, struct value **vp)
{
	return ft_from_yaml(c, 0, vp);
}

static int f_from_yaml_all(struct tpl_call *c, struct value **vp)
{
	return ft_from_yaml(c, 1, vp);
}

/* ---- more of core.py ---- */

static int f_md5(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];

	BIND(c, a, 1, "data");
	return ft_digest(c, a[0], DIGEST_MD5, vp);
}

/* str.split(sep=None, maxsplit=-1), as the split filter calls it. */
static int f_split(struct tpl_call *c, struct value **vp)
{
	struct value *a[3], *out;
	const char *s, *e, *sep = NULL;
	int64_t max = -1;
	size_t seplen = 0, n = 0;
	int r;

	BIND(c, a, 1, "string", "sep", "maxsplit");
	if (!is_str(a[0]))
		return tpl_fail(c, ERR_INVAL, "descriptor 'split' for 'str' objects doesn't apply to a '%s' object",
		                tpl_type_name(a[0]));
	if (a[1] != NULL && a[1]->type != VALUE_NULL) {
		if (!is_str(a[1]))
			return tpl_fail(c, ERR_INVAL, "must be str or None, not %s", tpl_type_name(a[1]));
		if (a[1]->u.s.len == 0)
			return tpl_fail(c, ERR_INVAL, "empty separator");
		sep = a[1]->u.s.ptr;
		seplen = a[1]->u.s.len;
	}
	if (a[2] != NULL && (r = tpl_to_int(c, a[2], &max)) != 0)
		return r;
	s = a[0]->u.s.ptr;
	e = s + a[0]->u.s.len;
	out = value_list();
	if (sep != NULL) {
		for (;;) {
			const char *hit = (max < 0 || (int64_t)n < max) ? memmem(s, (size_t)(e - s), sep, seplen) : NULL;

			value_list_push(out, value_strn(s, hit != NULL ? (size_t)(hit - s) : (size_t)(e - s)));
			n++;
			if (hit == NULL)
				break;
			s = hit + seplen;
		}
	} else {
		/* ASCII whitespace runs (Python also splits on Unicode spaces). */
		for (;;) {
			const char *w;

			while (s < e && strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", *s) != NULL && *s != '\0')
				s++;
			if (s >= e)
				break;
			if (max >= 0 && (int64_t)n >= max) {
				/* The rest, its trailing whitespace kept. */
				value_list_push(out, value_strn(s, (size_t)(e - s)));
				break;
			}
			for (w = s; w < e && (strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", *w) == NULL || *w == '\0'); w++)
				;
			value_list_push(out, value_strn(s, (size_t)(w - s)));
			n++;
			s = w;
		}
	}
	if ((r = tpl_check_items(c, value_len(out))) != 0) {
		value_unref(out);
		return r;
	}
	*vp = out;
	return 0;
}

static int ft_globcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The fileglob filter: on the controller, relative to the current
 * directory; sorted (Python lists in directory order). */
static int f_fileglob(struct tpl_call *c, struct value **vp)
{
	struct value *a[1], *out;
	struct buf pat;
	struct stat st;
	glob_t g;
	size_t i;

	BIND(c, a, 1, "pathname");
	if (ft_text(c, a[0], &pat) != 0)
		return c->rt->err;
	out = value_list();
	if (glob(buf_str(&pat), 0, NULL, &g) == 0) {
		qsort(g.gl_pathv, g.gl_pathc, sizeof(char *), ft_globcmp);
		for (i = 0; i < g.gl_pathc; i++)
			if (stat(g.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
				value_list_push(out, value_str(g.gl_pathv[i]));
		globfree(&g);
	}
	buf_fini(&pat);
	*vp = out;
	return 0;
}

/* os.path.expandvars: $name and ${name} of set variables; others stay. */
static int f_expandvars(struct tpl_call *c, struct value **vp)
{
	struct value *a[1];
	struct buf val, out;
	const char *s, *v;
	size_t i, n;
	char name[256];

	BIND(c, a, 1, "path");
	if (ft_text(c, a[0], &val) != 0)
		return c->rt->err;
	tpl_buf(c, &out);
	s = buf_str(&val);
	for (i = 0; i < val.len;) {
		size_t st = i, nl;
		int brace;

		if (s[i] != '$') {
			buf_putc(&out, s[i++]);
			continue;
		}
		brace = s[i + 1] == '{';
		n = i + 1 + (size_t)brace;
		for (nl = 0; n + nl < val.len && (s[n + nl] == '_' || (s[n + nl] >= '0' && s[n + nl] <= '9') ||
		                                  (s[n + nl] >= 'a' && s[n + nl] <= 'z') ||
		                                  (s[n + nl] >= 'A' && s[n + nl] <= 'Z'));
		     nl++)
			;
		if (nl == 0 || nl >= sizeof(name) || (brace && s[n + nl] != '}')) {
			buf_putc(&out, s[i++]);
			continue;
		}
		memcpy(name, s + n, nl);
		name[nl] = '\0';
		i = n + nl + (size_t)brace;
		if ((v = getenv(name)) != NULL)
			buf_puts(&out, v);
		else
			buf_put(&out, s + st, i - st);
	}
	buf_fini(&val);
	*vp = ft_take(&out);
	return 0;
}

/* Normalises p (made absolute from the current directory) into out. */
static void ft_abspath(const char *p, struct buf *out)
{
	char cwd[PATH_MAX];
	const char *q;
	size_t n;

	buf_reset(out);
	if (p[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/") != 0)
		buf_puts(out, cwd);
	for (q = p; *q != '\0';) {
		while (*q == '/')
			q++;
		n = strcspn(q, "/");
		if (n == 0 || (n == 1 && q[0] == '.')) {
		} else if (n == 2 && q[0] == '.' && q[1] == '.') {
			const char *o = buf_str(out), *sl = memrchr(o, '/', out->len);

			out->len = sl != NULL ? (size_t)(sl - o) : 0;
		} else {
			buf_putc(out, '/');
			buf_put(out, q, n);
		}
		q += n;
	}
}

static int f_relpath(struct tpl_call *c, struct value **vp)
{
	struct value *a[2];
	struct buf p, st, pa, sa, out;
	const char *x, *y;
	size_t i, common = 0;

	BIND(c, a, 1, "path", "start");
	if (ft_text(c, a[0], &p) != 0)
		return c->rt->err;
	if (p.len == 0) {
		buf_fini(&p);
		return tpl_fail(c, ERR_INVAL, "no path specified");
	}
	if (a[1] == NULL) {
		buf_init(&st, 0);
		buf_puts(&st, ".");
	} else if (ft_text(c, a[1], &st) != 0) {
		buf_fini(&p);
		return c->rt->err;
	}
	buf_init(&pa, 0);
	buf_init(&sa, 0);
	tpl_buf(c, &out);
	ft_abspath(buf_str(&p), &pa);
	ft_abspath(buf_str(&st), &sa);
	buf_putc(&pa, '\0');
	buf_putc(&sa, '\0');
	x = buf_str(&pa);
	y = buf_str(&sa);
	/* Components in common. */
	for (i = 0;; i++) {
		if ((x[i] == '/' || x[i] == '\0') && (y[i] == '/' || y[i] == '\0'))
			common = i;
		if (x[i] != y[i] || x[i] == '\0')
			break;
	}
	for (i = common; y[i] != '\0'; i++)
		if (y[i] == '/')
			buf_puts(&out, out.len > 0 ? "/.." : "..");
	if (x[common] == '/') {
		if (out.len > 0)
			buf_putc(&out, '/');
		buf_puts(&out, x + common + 1);
	}
	if (out.len == 0)
		buf_putc(&out, '.');
	buf_fini(&p);
	buf_fini(&st);
	buf_fini(&pa);
	buf_fini(&sa);
	*vp = ft_take(&out);
	return 0;
}

const struct tpl_fn_def tpl_filters_text[] = {
	{"b64decode", f_b64decode, 0},
	{"b64encode", f_b64encode, 0},
	{"basename", f_basename, 0},
	{"checksum", f_checksum, 0},
	{"dirname", f_dirname, 0},
	{"expandvars", f_expandvars, 0},
	{"fileglob", f_fileglob, 0},
	{"expanduser", f_expanduser, 0},
	{"from_yaml", f_from_yaml, 0},
	{"from_yaml_all", f_from_yaml_all, 0},
	{"hash", f_hash, 0},
	{"md5", f_md5, 0},
	{"quote", f_quote, 0},
	{"realpath", f_realpath, 0},
	{"regex_escape", f_regex_escape, 0},
	{"regex_findall", f_regex_findall, 0},
	{"regex_replace", f_regex_replace, 0},
	{"regex_search", f_regex_search, 0},
	{"relpath", f_relpath, 0},
	{"sha1", f_checksum, 0},
	{"split", f_split, 0},
	{"splitext", f_splitext, 0},
	{"to_uuid", f_to_uuid, 0},
	{NULL, NULL, 0},
};
