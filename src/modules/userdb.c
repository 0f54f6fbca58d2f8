/* The account databases read as text (see userdb.h), and the account
 * tools run for the user and group modules. */
#include "modules/userdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "modules/fileutil.h"
#include "modules/pyfmt.h"

int userdb_is_num(const char *s, long long *np)
{
	const char *p = s;
	long long n = 0;
	int digits = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++, digits++) {
		if (n > (0x7fffffffffffffffLL - 9) / 10)
			return 0;
		n = n * 10 + (*p - '0');
	}
	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (digits == 0 || *p != '\0')
		return 0;
	if (np != NULL)
		*np = n;
	return 1;
}

/* One line split at every ':'. */
static struct value *userdb_split(const char *p, size_t n)
{
	struct value *ent = value_list();
	const char *colon;

	for (;;) {
		colon = memchr(p, ':', n);
		if (colon == NULL) {
			value_list_push(ent, value_strn(p, n));
			return ent;
		}
		value_list_push(ent, value_strn(p, (size_t)(colon - p)));
		n -= (size_t)(colon - p) + 1;
		p = colon + 1;
	}
}

struct value *userdb_parse(const char *text, size_t len, int numfield)
{
	struct value *db = value_list(), *ent;
	const char *p = text, *nl;
	size_t n;

	while (len > 0) {
		nl = memchr(p, '\n', len);
		n = nl != NULL ? (size_t)(nl - p) : len;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0 && p[0] != '#' && p[0] != '+' && p[0] != '-' && memchr(p, '\0', n) == NULL) {
			ent = userdb_split(p, n);
			if (numfield < 0 || userdb_is_num(userdb_field(ent, (size_t)numfield), NULL))
				value_list_push(db, ent);
			else
				value_unref(ent);
		}
		if (nl == NULL)
			break;
		len -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	return db;
}

struct value *userdb_load(const char *path, int numfield)
{
	struct value *db;
	struct buf b;

	if (fileutil_read(path, USERDB_MAX, &b) != 0) {
		buf_fini(&b);
		return value_list();
	}
	db = userdb_parse(buf_ptr(&b), buf_avail(&b), numfield);
	buf_fini(&b);
	return db;
}

const char *userdb_field(const struct value *ent, size_t i)
{
	const struct value *f;

	if (ent == NULL || i >= value_len(ent))
		return "";
	f = value_list_at(ent, i);
	return value_cstr(f) != NULL ? value_cstr(f) : "";
}

long long userdb_num(const struct value *ent, size_t i, long long def)
{
	long long n;

	return userdb_is_num(userdb_field(ent, i), &n) ? n : def;
}

const struct value *userdb_find(const struct value *db, size_t field, const char *key)
{
	const struct value *ent;
	size_t i;

	for (i = 0; i < value_len(db); i++) {
		ent = value_list_at(db, i);
		if (strcmp(userdb_field(ent, field), key) == 0)
			return ent;
	}
	return NULL;
}

const struct value *userdb_group(const struct value *groups, const char *g)
{
	const struct value *ent;
	long long gid;
	size_t i;

	if (userdb_is_num(g, &gid))
		for (i = 0; i < value_len(groups); i++) {
			ent = value_list_at(groups, i);
			if (userdb_num(ent, USERDB_GR_GID, -1) == gid)
				return ent;
		}
	return userdb_find(groups, USERDB_GR_NAME, g);
}

struct value *userdb_member_of(const struct value *groups, const char *user)
{
	struct value *names = value_list();
	const struct value *ent;
	const char *mem, *p, *comma;
	size_t i, ulen = strlen(user), n;

	for (i = 0; i < value_len(groups); i++) {
		ent = value_list_at(groups, i);
		mem = userdb_field(ent, USERDB_GR_MEM);
		for (p = mem; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
			comma = strchr(p, ',');
			n = comma != NULL ? (size_t)(comma - p) : strlen(p);
			if (n == ulen && memcmp(p, user, n) == 0) {
				value_list_push(names, value_str(userdb_field(ent, USERDB_GR_NAME)));
				break;
			}
		}
	}
	return names;
}

char *userdb_bin(const struct module_ctx *ctx, const char *name, struct value **failp)
{
	static const char *const sbin[] = {"/sbin", "/usr/sbin", "/usr/local/sbin"};
	const char *path = pyfmt_getenv(ctx->envp, "PATH");
	char *bin;
	struct buf b;
	size_t i;
	int found;

	*failp = NULL;
	if ((bin = fileutil_bin_path(ctx, name)) != NULL)
		return bin;
	/* The paths Ansible names: PATH's, then the sbin directories it does
	 * not hold that exist. */
	buf_init(&b, 0);
	buf_puts(&b, path != NULL ? path : "");
	for (i = 0; i < sizeof(sbin) / sizeof(sbin[0]); i++) {
		found = path != NULL && strstr(path, sbin[i]) != NULL;
		if (!found && fileutil_isdir(sbin[i])) {
			buf_puts(&b, ":");
			buf_puts(&b, sbin[i]);
		}
	}
	*failp = module_fail(value_map(), "Failed to find required executable \"%s\" in paths: %s", name, buf_str(&b));
	buf_fini(&b);
	return NULL;
}

void userdb_exec(const struct module_ctx *ctx, const struct value *cmd, const char *input, int *rcp,
                 struct buf *out, struct buf *err)
{
	size_t i, n = value_len(cmd);
	char **argv = xcalloc(n + 1, sizeof(*argv));
	int r;

	for (i = 0; i < n; i++)
		argv[i] = (char *)value_cstr(value_list_at(cmd, i));
	if ((r = fileutil_run_input(ctx, argv, input, rcp, out, err)) != 0) {
		/* run_command's answer to an OSError: rc of the errno, its text. */
		*rcp = r < 0 && r > -4096 ? -r : 1;
		buf_puts(err, r < 0 && r > -4096 ? strerror(-r) : "failed to run the command");
	}
	free(argv);
}
