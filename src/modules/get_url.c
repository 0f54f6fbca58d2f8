/* get_url, as Ansible's: downloads url (httpc.h) to a temporary file,
 * compares its SHA-1 with dest's, and replaces dest through the atomic
 * write path only when they differ; checksum (algorithm:hex or a URL of a
 * checksum list) guards the file, an existing dest is sent as
 * If-Modified-Since (a 304 changes nothing), check mode asks with HEAD. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileattr.h"
#include "modules/fileutil.h"
#include "modules/httpc.h"
#include "modules/module.h"
#include "modules/pyfmt.h"

/* A checksum list fetched from a URL is kept in memory up to this. */
#define GET_URL_MAX_SUMS ((size_t)4 << 20)

static const struct module_argspec get_url_spec[] = {
	{"url", MODULE_ARG_STR, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	HTTPC_URL_SPEC,
	{"dest", MODULE_ARG_PATH, NULL, NULL, NULL, MODULE_ARG_REQUIRED},
	{"backup", MODULE_ARG_BOOL, "false", NULL, NULL, 0},
	{"checksum", MODULE_ARG_STR, "", NULL, NULL, 0},
	{"timeout", MODULE_ARG_INT, "10", NULL, NULL, 0},
	{"headers", MODULE_ARG_RAW, NULL, NULL, NULL, 0},
	{"tmp_dest", MODULE_ARG_PATH, NULL, NULL, NULL, 0},
	FILEATTR_SPEC,
};
#define GET_URL_NSPEC (sizeof(get_url_spec) / sizeof(get_url_spec[0]))

struct get_url {
	const struct module_ctx *ctx;
	const struct value *params;
	struct value *res;     /* the result (returned by get_url_do) */
	const char *url;
	char *dest;            /* owned */
	int force;
	int alg;               /* digest of checksum; -1: none */
	char *sum;             /* owned; lower-case hex, or NULL */
	struct value *headers; /* owned map */
	int64_t start_us;
};

static struct value *get_url_fail(struct get_url *g, const char *fmt, const char *a, const char *b, const char *c)
{
	module_fail(g->res, fmt, a, b, c);
	return g->res;
}

/* url_filename: the last path segment, or index.html. */
static char *get_url_filename(const char *url)
{
	const char *p = strstr(url, "://"), *end, *base;

	p = p != NULL ? p + 3 + strcspn(p + 3, "/?#") : url;
	end = p + strcspn(p, "?#");
	for (base = end; base > p && base[-1] != '/'; base--)
		;
	return base < end ? xstrndup(base, (size_t)(end - base)) : xstrdup("index.html");
}

/* The hex digest named in a checksum list fetched from a URL. */
static char *get_url_sum_from_list(const char *text, const char *filename)
{
	const char *line = text, *end, *sp, *name;
	size_t nlines = 0;

	for (end = text; *end != '\0'; end++)
		nlines += *end == '\n';
	for (; *line != '\0'; line = *end ? end + 1 : end) {
		end = line + strcspn(line, "\n");
		sp = memchr(line, ' ', (size_t)(end - line));
		if (sp == NULL) {
			if (nlines <= 1 && end > line)
				return xstrndup(line, (size_t)(end - line));
			continue;
		}
		name = sp + 1;
		if (*name == ' ' || *name == '*')
			name++;
		while (*name == '.' || *name == '/')
			name++;
		if ((size_t)(end - name) == strlen(filename) && memcmp(name, filename, (size_t)(end - name)) == 0)
			return xstrndup(line, (size_t)(sp - line));
	}
	return NULL;
}

/* Splits checksum into the algorithm and the hex value (fetched first when
 * it is a URL). Returns NULL or the failure result. */
static struct value *get_url_checksum(struct get_url *g)
{
	const char *cs = value_get_str(g->params, "checksum", ""), *colon, *val;
	char *raw = NULL, *alg;
	size_t i, k = 0;

	g->alg = -1;
	if (*cs == '\0')
		return NULL;
	if ((colon = strchr(cs, ':')) == NULL)
		return get_url_fail(g, "The checksum parameter has to be in format <algorithm>:<checksum>", NULL, NULL,
		                    NULL);
	alg = xstrndup(cs, (size_t)(colon - cs));
	g->alg = digest_find(alg);
	free(alg);
	val = colon + 1;
	if (strncmp(val, "http://", 7) == 0 || strncmp(val, "https://", 8) == 0) {
		struct httpc_req rq;
		struct httpc_resp resp;
		char *fn = get_url_filename(g->url);

		memset(&rq, 0, sizeof(rq));
		httpc_req_from_params(&rq, g->params);
		rq.method = "GET";
		rq.url = val;
		rq.follow = "urllib2";
		rq.headers = g->headers;
		rq.body_cap = GET_URL_MAX_SUMS;
		httpc_fetch(g->ctx, &rq, &resp);
		raw = resp.status == 200 ? get_url_sum_from_list(buf_str(&resp.body), fn) : NULL;
		httpc_resp_fini(&resp);
		if (raw == NULL) {
			get_url_fail(g, "Unable to find a checksum for file '%s' in '%s'", fn, val, NULL);
			free(fn);
			return g->res;
		}
		free(fn);
	} else {
		raw = xstrdup(val);
	}
	/* re.sub(r'\W+', '', checksum).lower() */
	for (i = 0; raw[i] != '\0'; i++) {
		char c = raw[i];

		if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '_')
			raw[k++] = c;
		else if (c >= 'A' && c <= 'Z')
			raw[k++] = (char)(c - 'A' + 'a');
	}
	raw[k] = '\0';
	g->sum = raw;
	if (k == 0 || strspn(raw, "0123456789abcdef") != k)
		return get_url_fail(g, "The checksum format is invalid", NULL, NULL, NULL);
	if (g->alg < 0)
		return get_url_fail(g, "Could not hash file '%s' with algorithm '%s'. Available algorithms: md5, sha1, "
		                       "sha224, sha256, sha384, sha512",
		                    g->dest, cs, NULL);
	return NULL;
}

/* A temporary file for the download, in tmp_dest or the worker's TMPDIR.
 * Returns the fd (its name in *namep) or NULL-free -1 with a failure set. */
static int get_url_tmpfile(struct get_url *g, char **namep)
{
	const char *tmp_dest = value_get_str(g->params, "tmp_dest", NULL);
	const char *dir = tmp_dest;
	char *tmpl;
	int fd;

	*namep = NULL;
	if (tmp_dest != NULL && !fileutil_isdir(tmp_dest)) {
		get_url_fail(g, fileutil_exists(tmp_dest) ? "%s is a file but should be a directory."
		                                          : "%s directory does not exist.",
		             tmp_dest, NULL, NULL);
		return -1;
	}
	if (dir == NULL)
		dir = pyfmt_getenv(g->ctx->envp, "TMPDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
	tmpl = xasprintf("%s/tmpXXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd < 0) {
		get_url_fail(g, "failed to create temporary content file: %s", strerror(errno), NULL, NULL);
		free(tmpl);
		return -1;
	}
	*namep = tmpl;
	return fd;
}

/* Leaves the attributes as the task asks and finishes the result. */
static struct value *get_url_attrs(struct get_url *g, int changed, const char *msg)
{
	struct fileattr fa;
	struct value *fail = NULL;

	fileattr_from_params(&fa, g->params);
	if (fileattr_apply(g->ctx, &fa, g->dest, &changed, NULL, &fail) != 0) {
		value_map_update(g->res, fail, 0);
		value_unref(fail);
		return g->res;
	}
	value_map_set(g->res, "changed", value_bool(changed));
	if (msg != NULL)
		value_map_set(g->res, "msg", value_str(msg));
	return g->res;
}

/* An existing dest (not a directory) before any download: a matching
 * checksum without force ends here; its mtime goes in If-Modified-Since. */
static int get_url_existing(struct get_url *g)
{
	char hex[DIGEST_MAX_HEX + 1];
	int mismatch = 0, changed = 0;

	if (fileutil_isdir(g->dest) || !fileutil_exists(g->dest))
		return 0;
	if (!g->force && g->sum != NULL) {
		if (digest_file_hex((enum digest_alg)g->alg, g->dest, hex) != 0 || strcmp(hex, g->sum) != 0)
			mismatch = 1;
		if (!mismatch) {
			get_url_attrs(g, changed, NULL);
			if (value_get_bool(g->res, "failed", 0))
				return 1;
			value_map_set(g->res, "msg", value_str(value_get_bool(g->res, "changed", 0)
			                                           ? "file already exists but file attributes changed"
			                                           : "file already exists"));
			return 1;
		}
	}
	httpc_conditional(g->headers, g->dest, g->force || mismatch);
	if (mismatch)
		g->force = 1;
	return 0;
}

/* The dest for a directory: Content-Disposition's filename, else the
 * final URL's last segment. */
static void get_url_dir_dest(struct get_url *g, const struct httpc_resp *resp)
{
	const char *cd = httpmsg_header(&resp->head, "content-disposition");
	char *name = NULL, *full;
	const char *p, *end;

	if (cd != NULL && strncmp(cd, "attachment;", 11) == 0) {
		p = cd + 11;
		if (*p == ' ')
			p++;
		if (strncmp(p, "filename=", 9) == 0) {
			p += 9;
			if (*p == '"')
				p++;
			end = p + strcspn(p, "\"");
			if (end > p) {
				char *whole = xstrndup(p, (size_t)(end - p));

				name = fileutil_basename(whole);
				free(whole);
			}
		}
	}
	if (name == NULL)
		name = get_url_filename(resp->url);
	full = fileutil_join(g->dest, name);
	free(name);
	free(g->dest);
	g->dest = full;
	value_map_set(g->res, "dest", value_str(g->dest));
}

/* Moves the download into place when it differs from dest. */
static struct value *get_url_install(struct get_url *g, int fd, const struct httpc_resp *resp)
{
	char src[64], cur[64], hex[DIGEST_MAX_HEX + 1], *backup = NULL;
	struct value *fail = NULL;
	struct fileattr fa;
	struct fileattr_plan plan;
	struct fileutil_write w;
	struct stat st;
	int changed = 0;

	if (lseek(fd, 0, SEEK_SET) != 0 || digest_fd_hex(DIGEST_SHA1, fd, src) != 0)
		return get_url_fail(g, "Source %s is not readable", value_get_str(g->res, "src", ""), NULL, NULL);
	value_map_set(g->res, "checksum_src", value_str(src));
	if (fileutil_exists(g->dest)) {
		if (access(g->dest, W_OK) != 0)
			return get_url_fail(g, "Destination %s is not writable", g->dest, NULL, NULL);
		if (digest_file_hex(DIGEST_SHA1, g->dest, cur) != 0)
			return get_url_fail(g, "Destination %s is not readable", g->dest, NULL, NULL);
		value_map_set(g->res, "checksum_dest", value_str(cur));
	} else {
		char *dir = fileutil_dirname(g->dest);
		int bad = !fileutil_exists(dir), denied = !bad && access(dir, W_OK) != 0;

		if (bad || denied)
			get_url_fail(g, bad ? "Destination %s does not exist" : "Destination %s is not writable", dir, NULL,
			             NULL);
		free(dir);
		if (bad || denied)
			return g->res;
		cur[0] = '\0';
	}
	if (g->ctx->check) {
		value_map_set(g->res, "changed", value_bool(strcmp(src, cur) != 0));
		value_map_set(g->res, "msg", value_str(resp->msg));
		return g->res;
	}
	if (strcmp(src, cur) != 0) {
		if (value_get_bool(g->params, "backup", 0) && cur[0] != '\0' &&
		    fileutil_backup(g->dest, &backup, &fail) != 0)
			goto failed;
		fileattr_from_params(&fa, g->params);
		if (fileattr_plan(&fa, g->dest, stat(g->dest, &st) == 0 ? &st : NULL, &plan, NULL, &fail) != 0)
			goto failed;
		memset(&w, 0, sizeof(w));
		w.dest = g->dest;
		w.from_fd = 1;
		w.src_fd = fd;
		w.plan = &plan;
		w.unsafe_writes = value_get_bool(g->params, "unsafe_writes", 0);
		if (lseek(fd, 0, SEEK_SET) != 0 || fileutil_write_atomic(g->ctx, &w, &fail) != 0)
			goto failed;
		changed = 1;
	}
	if (g->sum != NULL && (digest_file_hex((enum digest_alg)g->alg, g->dest, hex) != 0 || strcmp(hex, g->sum) != 0)) {
		unlink(g->dest);
		free(backup);
		value_map_set(g->res, "changed", value_bool(changed));
		return get_url_fail(g, "The checksum for %s did not match %s; it was %s.", g->dest, g->sum, hex);
	}
	get_url_attrs(g, changed, resp->msg);
	if (digest_file_hex(DIGEST_MD5, g->dest, hex) == 0)
		value_map_set(g->res, "md5sum", value_str(hex));
	if (backup != NULL)
		value_map_set(g->res, "backup_file", value_str(backup));
	value_map_set(g->res, "status_code", value_int(resp->status));
	free(backup);
	return g->res;
failed:
	free(backup);
	value_map_update(g->res, fail, 0);
	value_unref(fail);
	return g->res;
}

static struct value *get_url_do(struct get_url *g)
{
	struct httpc_req rq;
	struct httpc_resp resp;
	char *tmpname = NULL;
	int fd = -1;

	memset(&resp, 0, sizeof(resp));
	if (get_url_checksum(g) != NULL || get_url_existing(g))
		return g->res;
	if ((fd = get_url_tmpfile(g, &tmpname)) < 0)
		return g->res;
	memset(&rq, 0, sizeof(rq));
	httpc_req_from_params(&rq, g->params);
	rq.method = g->ctx->check ? "HEAD" : "GET";
	rq.url = g->url;
	rq.follow = "urllib2";
	rq.headers = g->headers;
	rq.body_fd = fd;
	httpc_fetch(g->ctx, &rq, &resp);
	value_map_set(g->res, "elapsed", value_int((pyfmt_now_us() - g->start_us) / 1000000));
	if (resp.status == 304) {
		value_map_set(g->res, "msg", value_str(resp.msg));
		value_map_set(g->res, "status_code", value_int(304));
		value_map_del(g->res, "checksum_dest");
		value_map_del(g->res, "checksum_src");
	} else if (resp.status < 0) {
		get_url_fail(g, "%s", resp.msg, NULL, NULL);
		value_map_del(g->res, "checksum_dest");
		value_map_del(g->res, "checksum_src");
	} else if (resp.status != 200) {
		get_url_fail(g, "Request failed", NULL, NULL, NULL);
		value_map_set(g->res, "status_code", value_int(resp.status));
		value_map_set(g->res, "response", value_str(resp.msg));
		value_map_del(g->res, "checksum_dest");
		value_map_del(g->res, "checksum_src");
	} else {
		value_map_set(g->res, "src", value_str(tmpname));
		if (fileutil_isdir(g->dest))
			get_url_dir_dest(g, &resp);
		get_url_install(g, fd, &resp);
	}
	unlink(tmpname);
	free(tmpname);
	close(fd);
	httpc_resp_fini(&resp);
	return g->res;
}

static struct value *get_url_fn(const struct module_ctx *ctx, struct value *params, struct value *warnings)
{
	const struct value *hv = value_map_get(params, "headers");
	struct value *res;
	struct get_url g;

	(void)warnings;
	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.start_us = pyfmt_now_us();
	g.params = params;
	g.headers = hv != NULL && hv->type == VALUE_MAP ? value_dup(hv) : value_map();
	g.url = value_get_str(params, "url", "");
	g.dest = xstrdup(value_get_str(params, "dest", ""));
	g.force = value_get_bool(params, "force", 0);
	g.res = value_map();
	value_map_set(g.res, "changed", value_bool(0));
	value_map_set(g.res, "checksum_dest", value_null());
	value_map_set(g.res, "checksum_src", value_null());
	value_map_set(g.res, "dest", value_str(g.dest));
	value_map_set(g.res, "elapsed", value_int(0));
	value_map_set(g.res, "url", value_str(g.url));
	res = get_url_do(&g);
	value_unref(g.headers);
	free(g.dest);
	free(g.sum);
	return res;
}

static const struct module_main get_url_module = {
	"ansible.legacy.get_url", get_url_spec, GET_URL_NSPEC, NULL, 0, fileutil_finish, get_url_fn,
};

MODULE_DEFINE(get_url, get_url_run, MODULE_CHECK_MODE)
struct value *get_url_run(const struct module_ctx *ctx)
{
	return module_main(ctx, &get_url_module);
}
