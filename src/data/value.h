/* The value tree: null, bool, int, float, binary-safe string, list and ordered
 * map, each node carrying the file:line:col it came from.
 *
 * Values are reference-counted. Constructors return a new reference; containers
 * take ownership of what is added to them; accessors return borrowed pointers.
 * A value with more than one reference must not be modified: use value_dup or
 * value_mut (copy-on-write) first. Map keys are strings and keep insertion
 * order, as Python dicts do, so output matches Ansible's. */
#ifndef DROVER_DATA_VALUE_H
#define DROVER_DATA_VALUE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

enum value_type {
	VALUE_NULL,
	VALUE_BOOL,
	VALUE_INT,
	VALUE_FLOAT,
	VALUE_STR,
	VALUE_LIST,
	VALUE_MAP,
};

/* Flags on a node. */
enum {
	VALUE_F_UNSAFE = 1 << 0, /* string marked !unsafe: never templated */
	VALUE_F_TUPLE = 1 << 1,  /* list that came from a tuple literal */
};

struct value_pos {
	const char *file; /* interned (value_intern); NULL when unknown */
	uint32_t line;    /* 1-based; 0 when unknown */
	uint32_t col;     /* 1-based; 0 when unknown */
};

struct value;

struct value_ent {
	struct value *key; /* owned; a VALUE_STR */
	struct value *val; /* owned */
};

struct value {
	enum value_type type;
	uint32_t refs;
	uint32_t flags;
	struct value_pos pos;
	union {
		int b;
		int64_t i;
		double f;
		struct {
			char *ptr; /* owned; always NUL-terminated after len bytes */
			size_t len;
		} s;
		struct {
			struct value **items; /* owned references */
			size_t len, cap;
		} l;
		struct {
			struct value_ent *ents;
			size_t len, cap;
			uint32_t *index; /* hash slots holding entry index + 1; NULL when small */
			size_t index_cap;
		} m;
	} u;
};

/* Returns a stable copy of a file name that lives until exit; NULL for NULL. */
const char *value_intern(const char *file);

struct value *value_null(void);
struct value *value_bool(int b);
struct value *value_int(int64_t i);
struct value *value_float(double f);
/* Copies the NUL-terminated string s. */
struct value *value_str(const char *s);
/* Copies n bytes of s (which may contain NULs). */
struct value *value_strn(const char *s, size_t n);
/* Takes ownership of the heap string s of n bytes (s[n] must be NUL). */
struct value *value_str_take(char *s, size_t n);
struct value *value_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct value *value_list(void);
struct value *value_map(void);

/* Sets the position of v (file is interned here). Returns v. */
struct value *value_at(struct value *v, const char *file, uint32_t line, uint32_t col);
/* Copies the position of src to v. Returns v. */
struct value *value_pos_from(struct value *v, const struct value *src);

struct value *value_ref(struct value *v);
/* Drops a reference; frees at zero. Accepts NULL. */
void value_unref(struct value *v);
/* Returns a deep copy with one reference (positions and flags kept). */
struct value *value_dup(const struct value *v);
/* Copy-on-write: if *vp is shared, replaces it with a shallow private copy
 * (children shared) and drops the old reference. Returns *vp. */
struct value *value_mut(struct value **vp);

const char *value_type_name(const struct value *v);

/* Strings. */
int value_is_str(const struct value *v);
/* Returns the string of a VALUE_STR, or NULL for other types. */
const char *value_cstr(const struct value *v);

/* Lists. value_len is the element count of a list or map, the byte length of
 * a string, and 0 otherwise. */
size_t value_len(const struct value *v);
struct value *value_list_at(const struct value *l, size_t i);
/* Appends item, taking ownership. */
void value_list_push(struct value *l, struct value *item);
/* Replaces element i, taking ownership of item. */
void value_list_set(struct value *l, size_t i, struct value *item);

/* Maps. */
struct value *value_map_get(const struct value *m, const char *key);
struct value *value_map_getn(const struct value *m, const char *key, size_t n);
/* Returns the index of key or -1. */
long value_map_find(const struct value *m, const char *key, size_t n);
/* Sets key (copied) to val (taken); an existing key keeps its place. */
void value_map_set(struct value *m, const char *key, struct value *val);
/* Same with a key value (taken; must be VALUE_STR). */
void value_map_set_key(struct value *m, struct value *key, struct value *val);
/* Removes key; returns 0 or ERR_NOTFOUND. */
int value_map_del(struct value *m, const char *key);
const struct value *value_map_key_at(const struct value *m, size_t i);
struct value *value_map_val_at(const struct value *m, size_t i);
/* Sets every key of src into dst (later wins), sharing the values. With deep,
 * maps present in both are merged recursively (as Ansible's combine). */
void value_map_update(struct value *dst, const struct value *src, int deep);

/* Python's truth of v: null, false, 0, 0.0 and empty strings, lists and
 * maps are false. */
int value_truth(const struct value *v);

/* Structural equality (ints and floats compare numerically, as Python). */
int value_equal(const struct value *a, const struct value *b);

/* Convenience readers for modules and loaders: return def when key is absent
 * or of another type. */
const char *value_get_str(const struct value *m, const char *key, const char *def);
int64_t value_get_int(const struct value *m, const char *key, int64_t def);
int value_get_bool(const struct value *m, const char *key, int def);

#endif
