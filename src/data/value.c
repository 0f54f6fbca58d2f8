/* Reference-counted value tree with ordered maps. */
#include "data/value.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/err.h"
#include "base/xmalloc.h"

/* Interned file names: a small list; there are few distinct files per run. */
struct intern_node {
	struct intern_node *next;
	char name[];
};
static struct intern_node *intern_head;

const char *value_intern(const char *file)
{
	struct intern_node *n;
	size_t len;

	if (file == NULL)
		return NULL;
	for (n = intern_head; n != NULL; n = n->next)
		if (n->name == file || strcmp(n->name, file) == 0)
			return n->name;
	len = strlen(file);
	n = xmalloc(sizeof(*n) + len + 1);
	memcpy(n->name, file, len + 1);
	n->next = intern_head;
	intern_head = n;
	return n->name;
}

static struct value *value_new(enum value_type t)
{
	struct value *v = xcalloc(1, sizeof(*v));

	v->type = t;
	v->refs = 1;
	return v;
}

struct value *value_null(void)
{
	return value_new(VALUE_NULL);
}

struct value *value_bool(int b)
{
	struct value *v = value_new(VALUE_BOOL);

	v->u.b = b != 0;
	return v;
}

struct value *value_int(int64_t i)
{
	struct value *v = value_new(VALUE_INT);

	v->u.i = i;
	return v;
}

struct value *value_float(double f)
{
	struct value *v = value_new(VALUE_FLOAT);

	v->u.f = f;
	return v;
}

struct value *value_str_take(char *s, size_t n)
{
	struct value *v = value_new(VALUE_STR);

	v->u.s.ptr = s;
	v->u.s.len = n;
	return v;
}

struct value *value_strn(const char *s, size_t n)
{
	return value_str_take(xstrndup(s, n), n);
}

struct value *value_str(const char *s)
{
	return value_strn(s, strlen(s));
}

struct value *value_strf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return value_str_take(s, strlen(s));
}

struct value *value_list(void)
{
	return value_new(VALUE_LIST);
}

struct value *value_map(void)
{
	return value_new(VALUE_MAP);
}

struct value *value_at(struct value *v, const char *file, uint32_t line, uint32_t col)
{
	v->pos.file = value_intern(file);
	v->pos.line = line;
	v->pos.col = col;
	return v;
}

struct value *value_pos_from(struct value *v, const struct value *src)
{
	if (src != NULL)
		v->pos = src->pos;
	return v;
}

struct value *value_ref(struct value *v)
{
	if (v != NULL) {
		if (v->refs == UINT32_MAX)
			fatal("value reference count overflow");
		v->refs++;
	}
	return v;
}

static void value_free_children(struct value *v)
{
	size_t i;

	switch (v->type) {
	case VALUE_STR:
		free(v->u.s.ptr);
		break;
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			value_unref(v->u.l.items[i]);
		free(v->u.l.items);
		break;
	case VALUE_MAP:
		for (i = 0; i < v->u.m.len; i++) {
			value_unref(v->u.m.ents[i].key);
			value_unref(v->u.m.ents[i].val);
		}
		free(v->u.m.ents);
		free(v->u.m.index);
		break;
	default:
		break;
	}
}

void value_unref(struct value *v)
{
	if (v == NULL)
		return;
	if (v->refs == 0)
		fatal("value_unref of a freed value");
	if (--v->refs > 0)
		return;
	value_free_children(v);
	free(v);
}

static struct value *value_copy_node(const struct value *v, int deep)
{
	struct value *c = value_new(v->type);
	size_t i;

	c->flags = v->flags;
	c->pos = v->pos;
	switch (v->type) {
	case VALUE_BOOL: c->u.b = v->u.b; break;
	case VALUE_INT: c->u.i = v->u.i; break;
	case VALUE_FLOAT: c->u.f = v->u.f; break;
	case VALUE_STR:
		c->u.s.ptr = xstrndup(v->u.s.ptr, v->u.s.len);
		c->u.s.len = v->u.s.len;
		break;
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			value_list_push(c, deep ? value_dup(v->u.l.items[i]) : value_ref(v->u.l.items[i]));
		break;
	case VALUE_MAP:
		for (i = 0; i < v->u.m.len; i++)
			value_map_set_key(c, value_ref(v->u.m.ents[i].key),
			                  deep ? value_dup(v->u.m.ents[i].val) : value_ref(v->u.m.ents[i].val));
		break;
	case VALUE_NULL:
		break;
	}
	return c;
}

struct value *value_dup(const struct value *v)
{
	return value_copy_node(v, 1);
}

struct value *value_mut(struct value **vp)
{
	struct value *c;

	if ((*vp)->refs > 1) {
		c = value_copy_node(*vp, 0);
		value_unref(*vp);
		*vp = c;
	}
	return *vp;
}

const char *value_type_name(const struct value *v)
{
	static const char *const names[] = {"null", "bool", "int", "float", "str", "list", "dict"};

	return v == NULL ? "undefined" : names[v->type];
}

int value_is_str(const struct value *v)
{
	return v != NULL && v->type == VALUE_STR;
}

const char *value_cstr(const struct value *v)
{
	return value_is_str(v) ? v->u.s.ptr : NULL;
}

size_t value_len(const struct value *v)
{
	if (v == NULL)
		return 0;
	switch (v->type) {
	case VALUE_STR: return v->u.s.len;
	case VALUE_LIST: return v->u.l.len;
	case VALUE_MAP: return v->u.m.len;
	default: return 0;
	}
}

struct value *value_list_at(const struct value *l, size_t i)
{
	if (l == NULL || l->type != VALUE_LIST || i >= l->u.l.len)
		return NULL;
	return l->u.l.items[i];
}

static void value_check_writable(const struct value *v, enum value_type t)
{
	if (v->type != t)
		fatal("value: %s used as %s", value_type_name(v), t == VALUE_LIST ? "list" : "dict");
	if (v->refs > 1)
		fatal("value: modifying a shared %s", value_type_name(v));
}

void value_list_push(struct value *l, struct value *item)
{
	value_check_writable(l, VALUE_LIST);
	if (l->u.l.len == l->u.l.cap) {
		l->u.l.cap = l->u.l.cap ? l->u.l.cap * 2 : 4;
		l->u.l.items = xreallocarray(l->u.l.items, l->u.l.cap, sizeof(*l->u.l.items));
	}
	l->u.l.items[l->u.l.len++] = item;
}

void value_list_set(struct value *l, size_t i, struct value *item)
{
	value_check_writable(l, VALUE_LIST);
	if (i >= l->u.l.len)
		fatal("value_list_set: index %zu out of range", i);
	value_unref(l->u.l.items[i]);
	l->u.l.items[i] = item;
}

/* Maps up to this many entries are searched linearly; larger ones get a hash
 * index, so building a dict of N keys stays O(N). */
#define MAP_LINEAR_MAX 8

static uint32_t map_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void map_index_insert(struct value *m, size_t ent)
{
	const struct value *k = m->u.m.ents[ent].key;
	size_t mask = m->u.m.index_cap - 1;
	size_t slot = map_hash(k->u.s.ptr, k->u.s.len) & mask;

	while (m->u.m.index[slot] != 0)
		slot = (slot + 1) & mask;
	m->u.m.index[slot] = (uint32_t)ent + 1;
}

static void map_reindex(struct value *m)
{
	size_t i;

	free(m->u.m.index);
	m->u.m.index = NULL;
	m->u.m.index_cap = 0;
	if (m->u.m.len <= MAP_LINEAR_MAX)
		return;
	m->u.m.index_cap = 16;
	while (m->u.m.index_cap < m->u.m.len * 2)
		m->u.m.index_cap *= 2;
	m->u.m.index = xcalloc(m->u.m.index_cap, sizeof(uint32_t));
	for (i = 0; i < m->u.m.len; i++)
		map_index_insert(m, i);
}

long value_map_find(const struct value *m, const char *key, size_t n)
{
	const struct value *k;
	size_t i, slot, mask;
	uint32_t e;

	if (m == NULL || m->type != VALUE_MAP)
		return -1;
	if (m->u.m.index == NULL) {
		for (i = 0; i < m->u.m.len; i++) {
			k = m->u.m.ents[i].key;
			if (k->u.s.len == n && memcmp(k->u.s.ptr, key, n) == 0)
				return (long)i;
		}
		return -1;
	}
	mask = m->u.m.index_cap - 1;
	for (slot = map_hash(key, n) & mask; (e = m->u.m.index[slot]) != 0; slot = (slot + 1) & mask) {
		k = m->u.m.ents[e - 1].key;
		if (k->u.s.len == n && memcmp(k->u.s.ptr, key, n) == 0)
			return (long)e - 1;
	}
	return -1;
}

struct value *value_map_getn(const struct value *m, const char *key, size_t n)
{
	long i = value_map_find(m, key, n);

	return i < 0 ? NULL : m->u.m.ents[i].val;
}

struct value *value_map_get(const struct value *m, const char *key)
{
	return value_map_getn(m, key, strlen(key));
}

void value_map_set_key(struct value *m, struct value *key, struct value *val)
{
	long i;

	value_check_writable(m, VALUE_MAP);
	if (key->type != VALUE_STR)
		fatal("value_map_set_key: key is %s", value_type_name(key));
	i = value_map_find(m, key->u.s.ptr, key->u.s.len);
	if (i >= 0) {
		value_unref(key);
		value_unref(m->u.m.ents[i].val);
		m->u.m.ents[i].val = val;
		return;
	}
	if (m->u.m.len == m->u.m.cap) {
		m->u.m.cap = m->u.m.cap ? m->u.m.cap * 2 : 4;
		m->u.m.ents = xreallocarray(m->u.m.ents, m->u.m.cap, sizeof(*m->u.m.ents));
	}
	m->u.m.ents[m->u.m.len].key = key;
	m->u.m.ents[m->u.m.len].val = val;
	m->u.m.len++;
	if (m->u.m.len > MAP_LINEAR_MAX && m->u.m.len * 2 <= m->u.m.index_cap)
		map_index_insert(m, m->u.m.len - 1);
	else if (m->u.m.len > MAP_LINEAR_MAX)
		map_reindex(m);
}

void value_map_set(struct value *m, const char *key, struct value *val)
{
	value_map_set_key(m, value_str(key), val);
}

int value_map_del(struct value *m, const char *key)
{
	long i = value_map_find(m, key, strlen(key));

	if (i < 0)
		return ERR_NOTFOUND;
	value_check_writable(m, VALUE_MAP);
	value_unref(m->u.m.ents[i].key);
	value_unref(m->u.m.ents[i].val);
	memmove(&m->u.m.ents[i], &m->u.m.ents[i + 1], (m->u.m.len - (size_t)i - 1) * sizeof(*m->u.m.ents));
	m->u.m.len--;
	map_reindex(m);
	return 0;
}

const struct value *value_map_key_at(const struct value *m, size_t i)
{
	if (m == NULL || m->type != VALUE_MAP || i >= m->u.m.len)
		return NULL;
	return m->u.m.ents[i].key;
}

struct value *value_map_val_at(const struct value *m, size_t i)
{
	if (m == NULL || m->type != VALUE_MAP || i >= m->u.m.len)
		return NULL;
	return m->u.m.ents[i].val;
}

void value_map_update(struct value *dst, const struct value *src, int deep)
{
	const struct value *k;
	struct value *sv, *dv, *merged;
	size_t i;

	if (src == NULL)
		return;
	/* value_len of a string is its byte count: iterating it as a map would
	 * read past the string, so a wrong type is a bug to stop at. */
	if (src->type != VALUE_MAP)
		fatal("value_map_update: source is %s, not dict", value_type_name(src));
	for (i = 0; i < src->u.m.len; i++) {
		k = src->u.m.ents[i].key;
		sv = src->u.m.ents[i].val;
		dv = value_map_getn(dst, k->u.s.ptr, k->u.s.len);
		if (deep && dv != NULL && dv->type == VALUE_MAP && sv->type == VALUE_MAP) {
			/* A shallow private copy is enough: the recursion only sets
			 * keys in maps it copies itself, never in shared children. */
			merged = value_ref(dv);
			value_mut(&merged);
			value_map_update(merged, sv, 1);
			value_map_set_key(dst, value_ref((struct value *)k), merged);
		} else {
			value_map_set_key(dst, value_ref((struct value *)k), value_ref(sv));
		}
	}
}

static int value_is_num(const struct value *v)
{
	return v->type == VALUE_INT || v->type == VALUE_FLOAT || v->type == VALUE_BOOL;
}

/* The integer of a VALUE_INT or VALUE_BOOL (Python's bool is an int). */
static int64_t value_int_of(const struct value *v)
{
	return v->type == VALUE_BOOL ? v->u.b : v->u.i;
}

/* Converts f to *ip when it is integral and within int64 (casting anything else
 * is undefined behaviour). Returns 0 or -1. */
static int value_float_int(double f, int64_t *ip)
{
	if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0) || (double)(int64_t)f != f)
		return -1;
	*ip = (int64_t)f;
	return 0;
}

/* Compares an integer with a float exactly, as Python does: converting the
 * integer to double would make 2**53 + 1 equal to 2.0**53. */
static int value_int_eq_float(int64_t i, double f)
{
	int64_t fi;

	return value_float_int(f, &fi) == 0 && fi == i;
}

int value_truth(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL: return 0;
	case VALUE_BOOL: return v->u.b;
	case VALUE_INT: return v->u.i != 0;
	case VALUE_FLOAT: return v->u.f != 0.0;
	case VALUE_STR: return v->u.s.len > 0;
	case VALUE_LIST: return v->u.l.len > 0;
	case VALUE_MAP: return v->u.m.len > 0;
	}
	return 1;
}

int value_equal(const struct value *a, const struct value *b)
{
	size_t i;
	const struct value *k, *bv;

	if (a == b)
		return 1;
	if (a == NULL || b == NULL)
		return 0;
	if (value_is_num(a) && value_is_num(b)) {
		if (a->type == VALUE_FLOAT && b->type == VALUE_FLOAT)
			return a->u.f == b->u.f;
		if (a->type == VALUE_FLOAT)
			return value_int_eq_float(value_int_of(b), a->u.f);
		if (b->type == VALUE_FLOAT)
			return value_int_eq_float(value_int_of(a), b->u.f);
		return value_int_of(a) == value_int_of(b);
	}
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case VALUE_NULL: return 1;
	case VALUE_STR:
		return a->u.s.len == b->u.s.len && memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len) == 0;
	case VALUE_LIST:
		if (a->u.l.len != b->u.l.len)
			return 0;
		for (i = 0; i < a->u.l.len; i++)
			if (!value_equal(a->u.l.items[i], b->u.l.items[i]))
				return 0;
		return 1;
	case VALUE_MAP:
		if (a->u.m.len != b->u.m.len)
			return 0;
		for (i = 0; i < a->u.m.len; i++) {
			k = a->u.m.ents[i].key;
			bv = value_map_getn(b, k->u.s.ptr, k->u.s.len);
			if (bv == NULL || !value_equal(a->u.m.ents[i].val, bv))
				return 0;
		}
		return 1;
	default:
		return 0;
	}
}

const char *value_get_str(const struct value *m, const char *key, const char *def)
{
	const char *s = value_cstr(value_map_get(m, key));

	return s ? s : def;
}

/* Python's str.strip() set for ASCII. */
static int value_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* As Ansible's int check: ints (and bools, which Python counts as ints), and
 * strings Python's int() accepts in base 10, surrounding whitespace included.
 * Integral floats are taken too; other floats are another type. */
int64_t value_get_int(const struct value *m, const char *key, int64_t def)
{
	const struct value *v = value_map_get(m, key);
	const char *s;
	char *end;
	long long n;
	int64_t i;

	if (v == NULL)
		return def;
	switch (v->type) {
	case VALUE_INT: return v->u.i;
	case VALUE_BOOL: return v->u.b;
	case VALUE_FLOAT: return value_float_int(v->u.f, &i) == 0 ? i : def;
	case VALUE_STR:
		for (s = v->u.s.ptr; value_is_space(*s); s++)
			;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (end == s || errno == ERANGE)
			return def;
		while (value_is_space(*end))
			end++;
		return *end == '\0' && end == v->u.s.ptr + v->u.s.len ? n : def;
	default: return def;
	}
}

/* As Ansible's boolean(): strings are stripped and compared without case. */
int value_get_bool(const struct value *m, const char *key, int def)
{
	const struct value *v = value_map_get(m, key);
	static const char *const yes[] = {"y", "yes", "on", "1", "true", "t"};
	static const char *const no[] = {"n", "no", "off", "0", "false", "f"};
	const char *s;
	size_t i, n;

	if (v == NULL)
		return def;
	switch (v->type) {
	case VALUE_BOOL: return v->u.b;
	case VALUE_INT: return v->u.i == 1 ? 1 : v->u.i == 0 ? 0 : def;
	case VALUE_FLOAT: return v->u.f == 1.0 ? 1 : v->u.f == 0.0 ? 0 : def;
	case VALUE_STR:
		for (s = v->u.s.ptr, n = v->u.s.len; n > 0 && value_is_space(*s); s++, n--)
			;
		while (n > 0 && value_is_space(s[n - 1]))
			n--;
		for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (strlen(yes[i]) == n && strncasecmp(s, yes[i], n) == 0)
				return 1;
			if (strlen(no[i]) == n && strncasecmp(s, no[i], n) == 0)
				return 0;
		}
		return def;
	default:
		return def;
	}
}
