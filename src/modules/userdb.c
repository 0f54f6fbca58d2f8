/* The account databases read as text (see userdb.h). */
#include "modules/userdb.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

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

int userdb_has(const struct value *list, const char *s)
{
	const char *item;
	size_t i;

	for (i = 0; i < value_len(list); i++)
		if ((item = value_cstr(value_list_at(list, i))) != NULL && strcmp(item, s) == 0)
			return 1;
	return 0;
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

