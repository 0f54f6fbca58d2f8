/* YAML to value trees: libyaml's event parser drives a stack of collections
 * under construction; scalars are typed by yaml_scalar.c. The semantics
 * (tags, merge keys, anchors, duplicate keys) follow PyYAML's SafeLoader with
 * Ansible's constructor on top, because Ansible's output is the reference. */
#include "data/yaml.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "data/yaml_scalar.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

struct yl_anchor {
	char *name;      /* owned */
	struct value *v; /* owned reference; NULL while the node is being built */
	size_t size;     /* expanded node count of v */
};

struct yl_frame {
	struct value *v;      /* the list or map being built (owned) */
	struct value *key;    /* pending key of a map, or NULL (owned) */
	int key_merge;        /* the pending key is "<<" */
	int have_key;         /* a key (or merge key) is pending */
	struct value *merges; /* maps to merge, in PyYAML's order, or NULL (owned) */
	size_t size;          /* expanded node count so far */
	long anchor;          /* index into anchors, or -1 */
	int unsafe;           /* tagged !unsafe */
	yaml_mark_t mark;     /* where the collection started */
};

struct yl {
	yaml_parser_t parser;
	const char *text;
	size_t len;
	const char *file; /* interned */
	struct diag *d;
	struct yl_frame *stack; /* YAML_MAX_DEPTH frames */
	int depth;
	struct value *root; /* the document being built (owned) */
	size_t root_size;
	struct yl_anchor *anchors;
	size_t nanchors, capanchors;
};

static int yl_fail(struct yl *y, int r, const yaml_mark_t *m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int yl_fail(struct yl *y, int r, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_set(y->d, y->file, m ? (int)m->line + 1 : 0, m ? (int)m->column + 1 : 0, "%s", msg);
	free(msg);
	return r;
}

/* Reader errors carry a byte offset rather than a mark. */
static void yl_offset_mark(const struct yl *y, size_t off, yaml_mark_t *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < off && i < y->len; i++) {
		if (y->text[i] == '\n') {
			m->line++;
			m->column = 0;
		} else if (((unsigned char)y->text[i] & 0xC0) != 0x80) {
			m->column++;
		}
	}
}

static int yl_parser_error(struct yl *y)
{
	const yaml_parser_t *p = &y->parser;
	const char *problem = p->problem ? p->problem : "unknown error";
	yaml_mark_t m;

	if (p->error == YAML_MEMORY_ERROR)
		fatal("libyaml: out of memory");
	if (p->error == YAML_READER_ERROR) {
		yl_offset_mark(y, p->problem_offset, &m);
		return yl_fail(y, ERR_PARSE, &m, "%s (byte 0x%02x)", problem, (unsigned)p->problem_value & 0xff);
	}
	if (p->context != NULL)
		return yl_fail(y, ERR_PARSE, &p->problem_mark, "%s (%s at line %zu column %zu)", problem,
		               p->context, p->context_mark.line + 1, p->context_mark.column + 1);
	return yl_fail(y, ERR_PARSE, &p->problem_mark, "%s", problem);
}

static struct value *yl_pos(struct yl *y, struct value *v, const yaml_mark_t *m)
{
	return value_at(v, y->file, (uint32_t)m->line + 1, (uint32_t)m->column + 1);
}

/* Gives every string under *vp the unsafe flag, copying shared nodes first
 * so that an alias elsewhere keeps its own flags (as Ansible's wrap_var
 * builds new objects). */
static void yl_mark_unsafe(struct value **vp)
{
	struct value *v = *vp;
	size_t i;

	switch (v->type) {
	case VALUE_STR:
		if (v->flags & VALUE_F_UNSAFE)
			return;
		value_mut(vp)->flags |= VALUE_F_UNSAFE;
		return;
	case VALUE_LIST:
		v = value_mut(vp);
		for (i = 0; i < v->u.l.len; i++)
			yl_mark_unsafe(&v->u.l.items[i]);
		return;
	case VALUE_MAP:
		v = value_mut(vp);
		for (i = 0; i < v->u.m.len; i++) {
			yl_mark_unsafe(&v->u.m.ents[i].key);
			yl_mark_unsafe(&v->u.m.ents[i].val);
		}
		return;
	default:
		return;
	}
}

static size_t yl_add_size(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static long yl_anchor_find(const struct yl *y, const char *name)
{
	size_t i;

	for (i = 0; i < y->nanchors; i++)
		if (strcmp(y->anchors[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* Registers an anchor before its node is built, so that an alias inside the
 * node itself is recognised as recursive. */
static int yl_anchor_new(struct yl *y, const yaml_char_t *name, const yaml_mark_t *m, long *idxp)
{
	*idxp = -1;
	if (name == NULL)
		return 0;
	if (yl_anchor_find(y, (const char *)name) >= 0)
		return yl_fail(y, ERR_PARSE, m, "found duplicate anchor '%s'", (const char *)name);
	if (y->nanchors == y->capanchors) {
		y->capanchors = y->capanchors ? y->capanchors * 2 : 8;
		y->anchors = xreallocarray(y->anchors, y->capanchors, sizeof(*y->anchors));
	}
	y->anchors[y->nanchors].name = xstrdup((const char *)name);
	y->anchors[y->nanchors].v = NULL;
	y->anchors[y->nanchors].size = 0;
	*idxp = (long)y->nanchors++;
	return 0;
}

static void yl_anchors_clear(struct yl *y)
{
	size_t i;

	for (i = 0; i < y->nanchors; i++) {
		free(y->anchors[i].name);
		value_unref(y->anchors[i].v);
	}
	y->nanchors = 0;
}

/* Checks that a merge value is a map or a list of maps and appends the maps
 * to the frame's merge list in the order PyYAML applies them (a list is
 * applied last to first). */
static int yl_merge_add(struct yl *y, struct yl_frame *f, struct value *v, const yaml_mark_t *m)
{
	size_t i;

	if (f->merges == NULL)
		f->merges = value_list();
	if (v->type == VALUE_MAP) {
		value_list_push(f->merges, value_ref(v));
		return 0;
	}
	if (v->type != VALUE_LIST)
		return yl_fail(y, ERR_PARSE, m, "expected a mapping or list of mappings for merging, but found %s",
		               "scalar");
	for (i = 0; i < value_len(v); i++)
		if (value_list_at(v, i)->type != VALUE_MAP)
			return yl_fail(y, ERR_PARSE, m, "expected a mapping for merging, but found %s",
			               value_list_at(v, i)->type == VALUE_LIST ? "sequence" : "scalar");
	for (i = value_len(v); i > 0; i--)
		value_list_push(f->merges, value_ref(value_list_at(v, i - 1)));
	return 0;
}

/* Hands a finished node (v, a new reference; size its expanded node count)
 * to the collection on top of the stack, or makes it the document. is_merge
 * says v is a "<<" scalar, allowed only as a key. */
static int yl_emit(struct yl *y, struct value *v, size_t size, int is_merge, const yaml_mark_t *m)
{
	struct yl_frame *f;
	struct value *key;
	int r = ERR_INTERNAL;

	if (y->depth == 0) {
		y->root = v;
		y->root_size = size;
		return 0;
	}
	f = &y->stack[y->depth - 1];
	f->size = yl_add_size(f->size, size);
	if (f->size > YAML_MAX_EXPANDED) {
		r = yl_fail(y, ERR_TOOBIG, m, "document too large with its aliases expanded (over %zu nodes)",
		            (size_t)YAML_MAX_EXPANDED);
		goto out;
	}
	if (f->v->type == VALUE_LIST) {
		if (is_merge) {
			r = yl_fail(y, ERR_PARSE, m, "could not determine a constructor for the tag '%smerge'", TAG_PREFIX);
			goto out;
		}
		value_list_push(f->v, v);
		return 0;
	}
	if (!f->have_key) {
		if (v->type == VALUE_LIST || v->type == VALUE_MAP) {
			r = yl_fail(y, ERR_PARSE, m, "found unacceptable key (a %s cannot be a mapping key)",
			            v->type == VALUE_LIST ? "sequence" : "mapping");
			goto out;
		}
		f->have_key = 1;
		f->key_merge = is_merge;
		if (is_merge) {
			value_unref(v);
			return 0;
		}
		if (v->type == VALUE_STR) {
			f->key = v;
			return 0;
		}
		key = yaml_scalar_key_str(v);
		value_pos_from(key, v);
		key->flags |= YAML_F_NONSTR_KEY | (v->flags & VALUE_F_UNSAFE);
		value_unref(v);
		f->key = key;
		return 0;
	}
	if (is_merge) {
		r = yl_fail(y, ERR_PARSE, m, "could not determine a constructor for the tag '%smerge'", TAG_PREFIX);
		goto out;
	}
	f->have_key = 0;
	if (f->key_merge) {
		f->key_merge = 0;
		r = yl_merge_add(y, f, v, m);
		goto out;
	}
	key = f->key;
	f->key = NULL;
	value_map_set_key(f->v, key, v);
	return 0;
out:
	value_unref(v);
	return r;
}

/* Resolves the tag of a scalar event to a kind; returns ERR_PARSE for tags
 * Ansible's loader has no constructor for. *unsafep is set for !unsafe. */
static int yl_scalar_kind(struct yl *y, const yaml_event_t *e, enum yaml_scalar_kind *kindp, int *unsafep)
{
	const char *tag = (const char *)e->data.scalar.tag;
	const char *val = (const char *)e->data.scalar.value;
	size_t len = e->data.scalar.length;
	static const struct {
		const char *name;
		enum yaml_scalar_kind kind;
	} tags[] = {
		{"str", YAML_SCALAR_STR},     {"python/unicode", YAML_SCALAR_STR},
		{"int", YAML_SCALAR_INT},     {"float", YAML_SCALAR_FLOAT},
		{"bool", YAML_SCALAR_BOOL},   {"null", YAML_SCALAR_NULL},
		{"timestamp", YAML_SCALAR_TIMESTAMP}, {"merge", YAML_SCALAR_MERGE},
		{"value", YAML_SCALAR_VALUE},
	};
	size_t i;

	*unsafep = 0;
	/* libyaml marks the non-specific "!" tag plain-implicit, and PyYAML
	 * then resolves even a quoted scalar by its text. */
	if (tag == NULL || strcmp(tag, "!") == 0) {
		*kindp = e->data.scalar.plain_implicit ? yaml_scalar_resolve(val, len) : YAML_SCALAR_STR;
		return 0;
	}
	if (strcmp(tag, "!unsafe") == 0) {
		*kindp = YAML_SCALAR_STR;
		*unsafep = 1;
		return 0;
	}
	if (strcmp(tag, "!vault") == 0 || strcmp(tag, "!vault-encrypted") == 0)
		return yl_fail(y, ERR_PARSE, &e->start_mark, "vault-encrypted values are not supported (%s)", tag);
	if (strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)) == 0)
		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (strcmp(tag + strlen(TAG_PREFIX), tags[i].name) == 0) {
				*kindp = tags[i].kind;
				return 0;
			}
	if (strcmp(tag, TAG_PREFIX "map") == 0 || strcmp(tag, TAG_PREFIX "seq") == 0 ||
	    strcmp(tag, TAG_PREFIX "python/dict") == 0)
		return yl_fail(y, ERR_PARSE, &e->start_mark, "expected a %s node, but found scalar",
		               strstr(tag, "seq") ? "sequence" : "mapping");
	return yl_fail(y, ERR_PARSE, &e->start_mark, "could not determine a constructor for the tag '%s'", tag);
}

static int yl_scalar(struct yl *y, const yaml_event_t *e)
{
	enum yaml_scalar_kind kind = YAML_SCALAR_STR;
	struct value *v = NULL;
	const char *why;
	int unsafe, r, in_key;
	long anchor;
	const struct yl_frame *f = y->depth ? &y->stack[y->depth - 1] : NULL;

	r = yl_scalar_kind(y, e, &kind, &unsafe);
	if (r < 0)
		return r;
	in_key = f != NULL && f->v->type == VALUE_MAP && !f->have_key;
	if (kind == YAML_SCALAR_MERGE && in_key)
		return yl_emit(y, value_null(), 1, 1, &e->start_mark);
	if (kind == YAML_SCALAR_VALUE && in_key)
		kind = YAML_SCALAR_STR;
	r = yaml_scalar_construct(kind, (const char *)e->data.scalar.value, e->data.scalar.length, &v, &why);
	if (r < 0)
		return yl_fail(y, r, &e->start_mark, "%s: '%.*s'", why, (int)(e->data.scalar.length > 80 ? 80 : e->data.scalar.length),
		               (const char *)e->data.scalar.value);
	if (unsafe)
		v->flags |= VALUE_F_UNSAFE;
	yl_pos(y, v, &e->start_mark);
	r = yl_anchor_new(y, e->data.scalar.anchor, &e->start_mark, &anchor);
	if (r < 0) {
		value_unref(v);
		return r;
	}
	if (anchor >= 0) {
		y->anchors[anchor].v = value_ref(v);
		y->anchors[anchor].size = 1;
	}
	return yl_emit(y, v, 1, 0, &e->start_mark);
}

static int yl_alias(struct yl *y, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	long i = yl_anchor_find(y, name);

	if (i < 0)
		return yl_fail(y, ERR_PARSE, &e->start_mark, "found undefined alias '%s'", name);
	if (y->anchors[i].v == NULL)
		return yl_fail(y, ERR_PARSE, &e->start_mark, "found recursive alias '%s' (not supported)", name);
	return yl_emit(y, value_ref(y->anchors[i].v), y->anchors[i].size, 0, &e->start_mark);
}

static int yl_start(struct yl *y, const yaml_event_t *e, int is_map)
{
	const char *tag = (const char *)(is_map ? e->data.mapping_start.tag : e->data.sequence_start.tag);
	const yaml_char_t *anchor = is_map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
	struct yl_frame *f;
	int unsafe = 0, r;
	long idx;

	if (tag != NULL && strcmp(tag, "!") != 0) {
		if (strcmp(tag, "!unsafe") == 0)
			unsafe = 1;
		else if (strcmp(tag, "!vault") == 0 || strcmp(tag, "!vault-encrypted") == 0)
			return yl_fail(y, ERR_PARSE, &e->start_mark, "vault-encrypted values are not supported (%s)", tag);
		else if (is_map ? strcmp(tag, TAG_PREFIX "map") != 0 && strcmp(tag, TAG_PREFIX "python/dict") != 0 :
		                  strcmp(tag, TAG_PREFIX "seq") != 0)
			return yl_fail(y, ERR_PARSE, &e->start_mark,
			               "could not determine a constructor for the tag '%s' on a %s", tag,
			               is_map ? "mapping" : "sequence");
	}
	if (y->depth > 0 && y->stack[y->depth - 1].v->type == VALUE_MAP && !y->stack[y->depth - 1].have_key)
		return yl_fail(y, ERR_PARSE, &e->start_mark, "found unacceptable key (a %s cannot be a mapping key)",
		               is_map ? "mapping" : "sequence");
	if (y->depth >= YAML_MAX_DEPTH)
		return yl_fail(y, ERR_DEPTH, &e->start_mark, "nesting deeper than %d levels", YAML_MAX_DEPTH);
	r = yl_anchor_new(y, anchor, &e->start_mark, &idx);
	if (r < 0)
		return r;
	f = &y->stack[y->depth++];
	memset(f, 0, sizeof(*f));
	f->v = yl_pos(y, is_map ? value_map() : value_list(), &e->start_mark);
	f->size = 1;
	f->anchor = idx;
	f->unsafe = unsafe;
	f->mark = e->start_mark;
	return 0;
}

/* Applies merge keys: merged entries first, in merge order, then the
 * mapping's own entries, later ones overriding earlier ones in value but
 * not in place, which is what PyYAML's flatten_mapping gives. */
static struct value *yl_apply_merges(struct value *own, const struct value *merges)
{
	struct value *r = value_pos_from(value_map(), own);
	size_t i;

	for (i = 0; i < value_len(merges); i++)
		value_map_update(r, value_list_at(merges, i), 0);
	value_map_update(r, own, 0);
	value_unref(own);
	return r;
}

static void yl_frame_fini(struct yl_frame *f)
{
	value_unref(f->v);
	value_unref(f->key);
	value_unref(f->merges);
	memset(f, 0, sizeof(*f));
}

static int yl_end(struct yl *y, const yaml_event_t *e)
{
	struct yl_frame *f = &y->stack[y->depth - 1];
	struct value *v;
	size_t size = f->size;
	long anchor = f->anchor;
	yaml_mark_t mark = f->mark;

	(void)e;
	v = f->v;
	f->v = NULL;
	if (f->merges != NULL)
		v = yl_apply_merges(v, f->merges);
	if (f->unsafe)
		yl_mark_unsafe(&v);
	yl_frame_fini(f);
	y->depth--;
	if (anchor >= 0) {
		y->anchors[anchor].v = value_ref(v);
		y->anchors[anchor].size = size;
	}
	return yl_emit(y, v, size, 0, &mark);
}

static int yl_next(struct yl *y, yaml_event_t *e)
{
	if (!yaml_parser_parse(&y->parser, e))
		return yl_parser_error(y);
	return 0;
}

/* Builds one document; the DOCUMENT_START event has been consumed. */
static int yl_document(struct yl *y, struct value **docp)
{
	yaml_event_t e;
	int r = 0, done = 0;

	*docp = NULL;
	y->root = NULL;
	y->root_size = 0;
	while (!done && r == 0) {
		r = yl_next(y, &e);
		if (r < 0)
			break;
		switch (e.type) {
		case YAML_SCALAR_EVENT: r = yl_scalar(y, &e); break;
		case YAML_ALIAS_EVENT: r = yl_alias(y, &e); break;
		case YAML_SEQUENCE_START_EVENT: r = yl_start(y, &e, 0); break;
		case YAML_MAPPING_START_EVENT: r = yl_start(y, &e, 1); break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: r = yl_end(y, &e); break;
		case YAML_DOCUMENT_END_EVENT: done = 1; break;
		default: r = yl_fail(y, ERR_PARSE, &e.start_mark, "unexpected YAML event"); break;
		}
		yaml_event_delete(&e);
	}
	while (y->depth > 0)
		yl_frame_fini(&y->stack[--y->depth]);
	yl_anchors_clear(y);
	if (r < 0) {
		value_unref(y->root);
		y->root = NULL;
		return r;
	}
	*docp = y->root ? y->root : value_null();
	y->root = NULL;
	return 0;
}

/* Loads documents: max 1 means "at most one" (yaml_load), 0 means all. */
static int yl_run(const char *text, size_t len, const char *file, int single, struct value **outp,
                  struct diag *d)
{
	struct yl y;
	yaml_event_t e;
	struct value *docs = NULL, *doc = NULL;
	int r = ERR_INTERNAL, started = 0, stream_done = 0;

	*outp = NULL;
	memset(&y, 0, sizeof(y));
	y.file = value_intern(file);
	y.d = d;
	y.text = text;
	y.len = len;
	if (len > YAML_MAX_INPUT) {
		diag_set(d, file, 0, 0, "YAML input too large (over %zu bytes)", (size_t)YAML_MAX_INPUT);
		return ERR_TOOBIG;
	}
	if (!yaml_parser_initialize(&y.parser))
		fatal("libyaml: cannot initialise a parser");
	started = 1;
	yaml_parser_set_input_string(&y.parser, (const unsigned char *)(text ? text : ""), len);
	yaml_parser_set_encoding(&y.parser, YAML_UTF8_ENCODING);
	y.stack = xcalloc(YAML_MAX_DEPTH, sizeof(*y.stack));
	docs = value_list();
	while (!stream_done) {
		r = yl_next(&y, &e);
		if (r < 0)
			goto out;
		switch (e.type) {
		case YAML_STREAM_START_EVENT: break;
		case YAML_STREAM_END_EVENT: stream_done = 1; break;
		case YAML_DOCUMENT_START_EVENT:
			if (single && value_len(docs) == 1) {
				r = yl_fail(&y, ERR_PARSE, &e.start_mark,
				            "expected a single document in the stream, but found another document");
				yaml_event_delete(&e);
				goto out;
			}
			r = yl_document(&y, &doc);
			if (r < 0) {
				yaml_event_delete(&e);
				goto out;
			}
			value_list_push(docs, doc);
			doc = NULL;
			break;
		default:
			r = yl_fail(&y, ERR_PARSE, &e.start_mark, "unexpected YAML event");
			yaml_event_delete(&e);
			goto out;
		}
		yaml_event_delete(&e);
	}
	if (single) {
		*outp = value_len(docs) ? value_ref(value_list_at(docs, 0)) : value_null();
	} else {
		*outp = docs;
		docs = NULL;
	}
	r = 0;
out:
	value_unref(docs);
	if (started)
		yaml_parser_delete(&y.parser);
	yl_anchors_clear(&y);
	free(y.anchors);
	free(y.stack);
	return r;
}

int yaml_load(const char *text, size_t len, const char *file, struct value **docp, struct diag *d)
{
	return yl_run(text, len, file, 1, docp, d);
}

int yaml_load_all(const char *text, size_t len, const char *file, struct value **docsp, struct diag *d)
{
	return yl_run(text, len, file, 0, docsp, d);
}

static int yaml_read(const char *path, struct buf *b, struct diag *d)
{
	int r;

	buf_init(b, YAML_MAX_INPUT);
	r = file_read(path, b);
	if (r == ERR_TOOBIG)
		diag_set(d, path, 0, 0, "file too large (over %zu bytes)", (size_t)YAML_MAX_INPUT);
	else if (r < 0)
		diag_set(d, path, 0, 0, "could not read file: %s", strerror(-r));
	return r;
}

int yaml_load_file(const char *path, struct value **docp, struct diag *d)
{
	struct buf b;
	int r;

	*docp = NULL;
	r = yaml_read(path, &b, d);
	if (r == 0)
		r = yaml_load(buf_ptr(&b), buf_avail(&b), path, docp, d);
	buf_fini(&b);
	return r;
}

#define VAULT_HEADER "$ANSIBLE_VAULT;"

int yaml_load_data(const char *text, size_t len, const char *file, struct value **docp, struct diag *d)
{
	struct diag jd;
	int r;

	*docp = NULL;
	if (len >= strlen(VAULT_HEADER) && memcmp(text, VAULT_HEADER, strlen(VAULT_HEADER)) == 0) {
		diag_set(d, file, 1, 1, "vault-encrypted files are not supported");
		return ERR_PARSE;
	}
	diag_init(&jd);
	r = json_decode(text, len, file, docp, &jd);
	diag_fini(&jd);
	if (r == 0)
		return 0;
	return yaml_load(text, len, file, docp, d);
}

int yaml_load_data_file(const char *path, struct value **docp, struct diag *d)
{
	struct buf b;
	int r;

	*docp = NULL;
	r = yaml_read(path, &b, d);
	if (r == 0)
		r = yaml_load_data(buf_ptr(&b), buf_avail(&b), path, docp, d);
	buf_fini(&b);
	return r;
}

struct ye {
	yaml_emitter_t em;
	struct buf *out;
	int flags;
	int r;
};

static int ye_write(void *data, unsigned char *buffer, size_t size)
{
	struct ye *e = data;

	if (e->r == 0)
		e->r = buf_put(e->out, buffer, size);
	return e->r == 0;
}

static int ye_scalar(struct ye *e, const char *text, size_t len, int as_str)
{
	yaml_event_t ev;
	int plain = 1;

	/* A string that PyYAML would resolve to another type must be quoted. */
	if (as_str && yaml_scalar_resolve(text, len) != YAML_SCALAR_STR)
		plain = 0;
	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, plain, 1,
	                                  YAML_ANY_SCALAR_STYLE))
		return -1;
	return yaml_emitter_emit(&e->em, &ev) ? 0 : -1;
}

static int ye_key_cmp(const void *a, const void *b)
{
	const struct value_ent *x = *(const struct value_ent *const *)a, *y = *(const struct value_ent *const *)b;
	size_t n = x->key->u.s.len < y->key->u.s.len ? x->key->u.s.len : y->key->u.s.len;
	int c = memcmp(x->key->u.s.ptr, y->key->u.s.ptr, n);

	return c ? c : (x->key->u.s.len > y->key->u.s.len) - (x->key->u.s.len < y->key->u.s.len);
}

static int ye_value(struct ye *e, const struct value *v, int depth)
{
	yaml_event_t ev;
	struct buf num;
	const struct value_ent **ents;
	size_t i;
	int r = 0;

	if (depth > JSON_MAX_DEPTH)
		return ye_scalar(e, "null", 4, 0);
	switch (v ? v->type : VALUE_NULL) {
	case VALUE_NULL: return ye_scalar(e, "null", 4, 0);
	case VALUE_BOOL: return ye_scalar(e, v->u.b ? "true" : "false", v->u.b ? 4 : 5, 0);
	case VALUE_INT:
		buf_init(&num, 64);
		buf_printf(&num, "%lld", (long long)v->u.i);
		r = ye_scalar(e, buf_str(&num), buf_avail(&num), 0);
		buf_fini(&num);
		return r;
	case VALUE_FLOAT:
		buf_init(&num, 64);
		if (v->u.f != v->u.f)
			buf_puts(&num, ".nan");
		else if (isinf(v->u.f))
			buf_puts(&num, v->u.f > 0 ? ".inf" : "-.inf");
		else {
			json_put_float(&num, v->u.f);
			/* PyYAML writes 1e+16 as 1.0e+16 so that it reads back as a float. */
			if (strchr(buf_str(&num), '.') == NULL && strchr(buf_str(&num), 'e') != NULL) {
				char *t = buf_take(&num, NULL), *ep = strchr(t, 'e');

				buf_put(&num, t, (size_t)(ep - t));
				buf_puts(&num, ".0");
				buf_puts(&num, ep);
				free(t);
			}
		}
		r = ye_scalar(e, buf_str(&num), buf_avail(&num), 0);
		buf_fini(&num);
		return r;
	case VALUE_STR: return ye_scalar(e, v->u.s.ptr, v->u.s.len, 1);
	case VALUE_LIST:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(&e->em, &ev))
			return -1;
		for (i = 0; i < v->u.l.len && r == 0; i++)
			r = ye_value(e, v->u.l.items[i], depth + 1);
		if (r < 0 || !yaml_sequence_end_event_initialize(&ev) || !yaml_emitter_emit(&e->em, &ev))
			return -1;
		return 0;
	case VALUE_MAP:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(&e->em, &ev))
			return -1;
		ents = xcalloc(v->u.m.len + 1, sizeof(*ents));
		for (i = 0; i < v->u.m.len; i++)
			ents[i] = &v->u.m.ents[i];
		if ((e->flags & YAML_EMIT_SORT_KEYS) && v->u.m.len > 1)
			qsort(ents, v->u.m.len, sizeof(*ents), ye_key_cmp);
		for (i = 0; i < v->u.m.len && r == 0; i++) {
			r = ye_value(e, ents[i]->key, depth + 1);
			if (r == 0)
				r = ye_value(e, ents[i]->val, depth + 1);
		}
		free(ents);
		if (r < 0 || !yaml_mapping_end_event_initialize(&ev) || !yaml_emitter_emit(&e->em, &ev))
			return -1;
		return 0;
	}
	return -1;
}

int yaml_emit(struct buf *out, const struct value *v, int flags)
{
	struct ye e;
	yaml_event_t ev;
	int ok;

	memset(&e, 0, sizeof(e));
	e.out = out;
	e.flags = flags;
	if (!yaml_emitter_initialize(&e.em))
		fatal("libyaml: cannot initialise an emitter");
	yaml_emitter_set_output(&e.em, ye_write, &e);
	yaml_emitter_set_unicode(&e.em, 1);
	yaml_emitter_set_indent(&e.em, 2);
	ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) && yaml_emitter_emit(&e.em, &ev) &&
	     yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) && yaml_emitter_emit(&e.em, &ev) &&
	     ye_value(&e, v, 0) == 0 && yaml_document_end_event_initialize(&ev, 1) &&
	     yaml_emitter_emit(&e.em, &ev) && yaml_stream_end_event_initialize(&ev) &&
	     yaml_emitter_emit(&e.em, &ev) && yaml_emitter_flush(&e.em);
	yaml_emitter_delete(&e.em);
	if (e.r != 0)
		return e.r;
	if (!ok)
		fatal("libyaml: emitter failed");
	return 0;
}
