/* known_hosts, as Ansible 2.14's: a host's key present (added, or put in
 * place of the line holding a different key of its type) or absent (that
 * line removed, or with no key every line of the host through ssh-keygen
 * -R) in path; hash_host writes the name hashed (|1|salt|hmac); lookups go
 * through ssh-keygen -F as Ansible's, so hashed entries are found too;
 * check mode and the diff; the result is the parameters with changed and
 * diff. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/base64.h"
#include "base/buf.h"
#include "base/fdutil.h"
#include "base/sha1.h"
#include "base/xmalloc.h"
#include "data/pystr.h"
#include "modules/authkey.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/pyfmt.h"
#include "modules/acct.h"
#include "modules/userdb.h"

static const struct module_argspec known_hosts_spec[] = {
	{"name", MODULE_ARG_STR, NULL, "host", NULL, MODULE_ARG_REQUIRED},
	{"key", MODULE_ARG_STR, NULL, NULL, NULL, 0},
	{"path", MODULE_ARG_PATH, "~/.ssh/known_hosts", NULL, NULL, 0},
	{"hash_host", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"state", MODULE_ARG_STR, "present", NULL, "absent,present", 0},
};

#define KNOWN_HOSTS_NSPEC (sizeof(known_hosts_spec) / sizeof(known_hosts_spec[0]))

struct known_hosts {
	const struct module_ctx *ctx;
	struct value *params;  /* owned, until it becomes the result */
	char *host;            /* owned: the name in lower case */
	char *key;             /* owned: the line to write (hashed, ending in '\n'), or NULL */
	const char *path;      /* in params */
	char *keygen;          /* owned: ssh-keygen's path */
	int present;
	int found, replace;    /* search_for_host_key's answer */
	long found_line;       /* 1-based; 0: none */
	struct value *fail;    /* owned, set on failure */
};

/* Runs ssh-keygen with args; fills *rcp, out and err. */
static void known_hosts_keygen(struct known_hosts *k, const char *const *args, int *rcp, struct buf *out,
                               struct buf *err)
{
	struct value *cmd = value_list();
	size_t i;

	value_list_push(cmd, value_str(k->keygen));
	for (i = 0; args[i] != NULL; i++)
		value_list_push(cmd, value_str(args[i]));
	acct_exec(k->ctx, cmd, NULL, rcp, out, err);
	value_unref(cmd);
}

/* hash_host_key: the host field of the key replaced by |1|salt|hmac. */

static char *known_hosts_b64(const unsigned char *p, size_t n)
{
	struct buf b;

	buf_init(&b, 0);
	base64_encode(p, n, &b);
	return buf_take(&b, NULL);
}
static char *known_hosts_hash(const char *host, const char *key)
{
	struct value *parts = authkey_words(key, AUTHKEY_PY_SPACE);
	unsigned char salt[SHA1_LEN], mac[SHA1_LEN];
	char *s64, *m64, *out;
	struct buf b;
	size_t i, at;

	if (value_len(parts) == 0 || getentropy(salt, sizeof(salt)) != 0) {
		value_unref(parts);
		return xstrdup(key);
	}
	sha1_hmac(salt, sizeof(salt), host, strlen(host), mac);
	s64 = known_hosts_b64(salt, sizeof(salt));
	m64 = known_hosts_b64(mac, sizeof(mac));
	at = value_cstr(value_list_at(parts, 0))[0] == '@' ? 1 : 0;
	buf_init(&b, 0);
	for (i = 0; i < value_len(parts); i++) {
		if (i > 0)
			buf_puts(&b, " ");
		if (i == at)
			buf_printf(&b, "|1|%s|%s", s64, m64);
		else
			buf_puts(&b, value_cstr(value_list_at(parts, i)));
	}
	out = buf_take(&b, NULL);
	free(s64);
	free(m64);
	value_unref(parts);
	return out;
}

/* sanity_check: the host must find the key (ssh-keygen -F on a file
 * holding it alone). 0, or -1 with k->fail. */
static int known_hosts_sanity(struct known_hosts *k)
{
	const char *dir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/drover-kh.XXXXXX", dir != NULL && dir[0] != '\0' ? dir : "/tmp");
	const char *args[] = {"-F", k->host, "-f", tmp, NULL};
	struct buf out, err;
	int fd, rc, r = -1;

	if ((fd = mkstemp(tmp)) < 0 || fd_write_all(fd, k->key, strlen(k->key)) != 0) {
		k->fail = module_fail(value_map(), "Failed to write to temporary file %s: %s", tmp,
		                      pyfmt_strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		return -1;
	}
	close(fd);
	known_hosts_keygen(k, args, &rc, &out, &err);
	unlink(tmp);
	if (buf_avail(&out) == 0)
		k->fail = module_fail(value_map(), "Host parameter does not match hashed host field in supplied key");
	else
		r = 0;
	buf_fini(&out);
	buf_fini(&err);
	free(tmp);
	return r;
}

/* normalize_known_hosts_key: [options or null, host, type, key]. */
static struct value *known_hosts_norm(const char *line)
{
	struct value *w = authkey_words(line, AUTHKEY_PY_SPACE), *d = value_list();
	size_t at = value_len(w) > 0 && value_cstr(value_list_at(w, 0))[0] == '@' ? 1 : 0, i;

	value_list_push(d, at ? value_ref(value_list_at(w, 0)) : value_null());
	for (i = at; i < at + 3; i++)
		value_list_push(d, i < value_len(w) ? value_ref(value_list_at(w, i)) : value_null());
	value_unref(w);
	return d;
}

static int known_hosts_hashed(const struct value *d)
{
	const char *h = value_cstr(value_list_at(d, 1));

	return h != NULL && strncmp(h, "|1|", 3) == 0;
}

/* search_for_host_key over ssh-keygen -F's output. */
static void known_hosts_match(struct known_hosts *k, const char *out)
{
	struct value *want = known_hosts_norm(k->key), *got;
	const char *line, *nl, *f;
	char *l;
	int same;

	k->found = 1;
	k->replace = 1;
	for (line = out; line != NULL && *line != '\0'; line = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		l = nl != NULL ? xstrndup(line, (size_t)(nl - line)) : xstrdup(line);
		if (l[0] == '#') {
			if ((f = strstr(l, "found: line ")) != NULL)
				k->found_line = strtol(f + 12, NULL, 10);
		} else if (l[0] != '\0') {
			got = known_hosts_norm(l);
			/* An entry hashed already keeps its hash. */
			if (known_hosts_hashed(want) && known_hosts_hashed(got))
				value_list_set(want, 1, value_ref(value_list_at(got, 1)));
			same = value_equal(want, got);
			if (same || value_equal(value_list_at(want, 2), value_list_at(got, 2))) {
				k->replace = !same;
				value_unref(got);
				free(l);
				value_unref(want);
				return;
			}
			value_unref(got);
		}
		free(l);
	}
	k->found_line = 0;
	value_unref(want);
}

/* search_for_host_key. 0, or -1 with k->fail. */
static int known_hosts_search(struct known_hosts *k)
{
	const char *args[] = {"-F", k->host, "-f", k->path, NULL};
	struct buf out, err;
	int rc, r = -1;

	k->found = k->replace = 0;
	k->found_line = 0;
	if (!fileutil_exists(k->path))
		return 0;
	known_hosts_keygen(k, args, &rc, &out, &err);
	if (buf_avail(&out) == 0 && buf_avail(&err) == 0 && (rc == 0 || rc == 1)) {
		r = 0;
	} else if (rc != 0) {
		k->fail = module_fail(value_map(), "ssh-keygen failed (rc=%d, stdout='%s',stderr='%s')", rc,
		                      buf_str(&out), buf_str(&err));
	} else {
		k->found = 1;
		if (k->key != NULL)
			known_hosts_match(k, buf_str(&out));
		r = 0;
	}
	buf_fini(&out);
	buf_fini(&err);
	return r;
}

/* The lines of text (ends kept); a new list. */
static struct value *known_hosts_lines(const char *p, size_t n)
{
	struct value *lines = value_list();
	const char *nl;
	size_t len;

	while (n > 0) {
		nl = memchr(p, '\n', n);
		len = nl != NULL ? (size_t)(nl - p) + 1 : n;
		value_list_push(lines, value_strn(p, len));
		p += len;
		n -= len;
	}
	return lines;
}

/* The file without the found line (when replacing or removing), plus
 * the key when present and asked; *existedp: the file was there. */
static char *known_hosts_new_text(struct known_hosts *k, const struct buf *before, int add, size_t *lenp)
{
	struct value *lines = known_hosts_lines(buf_ptr(before), buf_avail(before));
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < value_len(lines); i++) {
		if (k->found_line == (long)i + 1 && (k->replace || !k->present))
			continue;
		buf_put(&b, value_cstr(value_list_at(lines, i)), value_len(value_list_at(lines, i)));
	}
	if (add)
		buf_puts(&b, k->key);
	value_unref(lines);
	return buf_take(&b, lenp);
}

/* compute_diff. */
static struct value *known_hosts_diff(struct known_hosts *k, const struct buf *before, int existed)
{
	struct value *d = value_map();
	char *after;
	size_t len;

	after = known_hosts_new_text(k, before, k->present && (k->replace || k->found_line == 0), &len);
	value_map_set(d, "before_header", value_str(existed ? k->path : "/dev/null"));
	value_map_set(d, "after_header", value_str(k->path));
	value_map_set(d, "before", value_strn(buf_ptr(before), buf_avail(before)));
	value_map_set(d, "after", value_str_take(after, len));
	return d;
}

/* A name as tempfile.NamedTemporaryFile makes in dir. */
static char *known_hosts_tmpname(const char *dir)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
	unsigned char rnd[8];
	char name[9];
	size_t i;

	if (getentropy(rnd, sizeof(rnd)) != 0)
		memset(rnd, 0, sizeof(rnd));
	for (i = 0; i < 8; i++)
		name[i] = chars[rnd[i] % (sizeof(chars) - 1)];
	name[8] = '\0';
	return xasprintf("%s/tmp%s", dir, name);
}

/* Writes the new file through a temporary file in its directory, keeping
 * an existing file's owner and mode (atomic_move). 0, or -1 with k->fail. */
static int known_hosts_write(struct known_hosts *k)
{
	struct fileattr fa;
	struct fileattr_plan plan;
	struct fileutil_write w;
	struct stat st;
	struct buf cur;
	char *text, *dir, *e, *tmp;
	size_t len;
	int r = -1, exists = stat(k->path, &st) == 0;

	memset(&fa, 0, sizeof(fa));
	if (fileutil_read(k->path, FILEUTIL_MAX_TEXT, &cur) != 0 && exists) {
		e = fileutil_oserror(errno, k->path);
		k->fail = module_fail(value_map(), "Failed to read %s: %s", k->path, e);
		free(e);
		buf_fini(&cur);
		return -1;
	}
	dir = fileutil_dirname(k->path);
	if (!fileutil_isdir(dir[0] != '\0' ? dir : ".")) {
		/* Python names the temporary file it could not create there. */
		tmp = known_hosts_tmpname(dir);
		e = fileutil_oserror(ENOENT, tmp);
		free(tmp);
		k->fail = module_fail(value_map(), "Failed to write to file %s: %s", k->path, e);
		free(e);
		goto out;
	}
	if (fileattr_plan(&fa, k->path, exists ? &st : NULL, &plan, NULL, &k->fail) != 0)
		goto out;
	text = known_hosts_new_text(k, &cur, k->present, &len);
	memset(&w, 0, sizeof(w));
	w.dest = k->path;
	w.data = text;
	w.len = len;
	w.plan = &plan;
	r = fileutil_write_atomic(k->ctx, &w, &k->fail) == 0 ? 0 : -1;
	free(text);
out:
	free(dir);
	buf_fini(&cur);
	return r;
}

/* ssh-keygen -R: every line of the host removed. 0, or -1 with k->fail. */
static int known_hosts_remove_all(struct known_hosts *k)
{
	const char *args[] = {"-R", k->host, "-f", k->path, NULL};
	struct buf out, err;
	size_t n;
	int rc;

	known_hosts_keygen(k, args, &rc, &out, &err);
	if (rc != 0) {
		k->fail = value_map();
		value_map_set(k->fail, "rc", value_int(rc));
		value_map_set(k->fail, "stdout", value_str(buf_str(&out)));
		value_map_set(k->fail, "stderr", value_str(buf_str(&err)));
		n = pystr_rstrip_len(buf_ptr(&err), buf_avail(&err), AUTHKEY_PY_SPACE);
		module_fail(k->fail, "%.*s", (int)n, buf_ptr(&err));
	}
	buf_fini(&out);
	buf_fini(&err);
	return rc == 0 ? 0 : -1;
}

/* Does the name look like a list (r'\S+(\s+)?,(\s+)?' matches)? */
static int known_hosts_is_list(const char *s)
{
	size_t i, j;

	for (i = 1; s[i] != '\0'; i++) {
		if (s[i] != ',')
			continue;
		for (j = i; j > 0 && strchr(" \t\r\n\v\f", s[j - 1]) != NULL; j--)
			;
		if (j > 0)
			return 1;
	}
	return 0;
}

/* enforce_state: the result, or NULL with k->fail. */
static struct value *known_hosts_enforce(struct known_hosts *k)
{
	struct value *res = NULL, *diff;
	struct buf before;
	int existed;

	buf_init(&before, 0);
	if (k->key == NULL && k->present) {
		k->fail = module_fail(value_map(), "No key specified when adding a host");
		goto out;
	}
	if (k->key != NULL && known_hosts_is_list(k->host)) {
		k->fail = module_fail(value_map(), "Comma separated list of names is not supported. Please pass a "
		                                   "single name to lookup in the known_hosts file.");
		goto out;
	}
	if ((k->key != NULL && known_hosts_sanity(k) != 0) || known_hosts_search(k) != 0)
		goto out;
	buf_fini(&before);
	existed = fileutil_read(k->path, FILEUTIL_MAX_TEXT, &before) == 0;
	if (!existed) {
		buf_fini(&before);
		buf_init(&before, 0);
	}
	diff = known_hosts_diff(k, &before, existed || errno != ENOENT);
	if (!k->present && k->found_line == 0 && k->key != NULL) {
		value_map_set(k->params, "diff", diff);
		value_map_set(k->params, "changed", value_bool(0));
	} else if (k->ctx->check) {
		res = value_map();
		value_map_set(res, "changed", value_bool(k->replace || k->present != k->found));
		value_map_set(res, "diff", diff);
		goto out;
	} else {
		value_map_set(k->params, "diff", diff);
		if (k->found && k->key == NULL && !k->present) {
			if (known_hosts_remove_all(k) != 0)
				goto out;
			value_map_set(k->params, "changed", value_bool(1));
		}
		if (k->replace || k->found != k->present) {
			if (known_hosts_write(k) != 0)
				goto out;
			value_map_set(k->params, "changed", value_bool(1));
		}
	}
	res = k->params;
	k->params = NULL;
out:
	buf_fini(&before);
	return res;
}

MODULE_DEFINE(known_hosts, known_hosts_run, MODULE_CHECK_MODE)
struct value *known_hosts_run(const struct module_ctx *ctx)
{
	struct value *res = NULL, *shown;
	struct known_hosts k;
	const char *key;
	char *line, *p;

	memset(&k, 0, sizeof(k));
	k.ctx = ctx;
	if (module_params_spec(ctx, "ansible.legacy.known_hosts", known_hosts_spec, KNOWN_HOSTS_NSPEC, NULL, NULL,
	                       &k.params, &res) != 0)
		return res;
	shown = module_invocation_args(known_hosts_spec, KNOWN_HOSTS_NSPEC, k.params);
	value_mut(&k.params);
	k.host = xstrdup(value_get_str(k.params, "name", ""));
	for (p = k.host; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	k.path = value_get_str(k.params, "path", "");
	k.present = strcmp(value_get_str(k.params, "state", ""), "present") == 0;
	key = value_get_str(k.params, "key", NULL);
	if (key != NULL && key[0] != '\0') {
		line = value_get_bool(k.params, "hash_host", 0) ? known_hosts_hash(k.host, key) : xstrdup(key);
		k.key = line[strlen(line) - 1] == '\n' ? line : xasprintf("%s\n", line);
		if (k.key != line)
			free(line);
	}
	if ((k.keygen = acct_bin(ctx, "ssh-keygen", &k.fail)) == NULL || (res = known_hosts_enforce(&k)) == NULL) {
		res = k.fail;
		k.fail = NULL;
	}
	/* "path" in the result: AnsibleModule adds the path's info. */
	fileutil_finish(res, shown, NULL);
	value_unref(shown);
	value_unref(k.fail);
	value_unref(k.params);
	free(k.host);
	free(k.key);
	free(k.keygen);
	return res;
}
