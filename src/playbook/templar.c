/* Value-tree templating with a compile cache. */
#include "playbook/templar.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"

enum templar_kind { TK_TEXT, TK_COND, TK_FILE };

struct templar_ent {
	uint32_t hash;         /* 0: empty slot */
	enum templar_kind kind;
	char *text;            /* owned */
	size_t len;
	const char *file;      /* interned */
	uint32_t line, col;
	struct tpl *tpl;       /* owned; NULL when compiling failed */
};

struct templar {
	struct templar_ent *ents;
	size_t cap, n;
};

struct templar *templar_new(void)
{
	struct templar *tr = xcalloc(1, sizeof(*tr));

	tr->cap = 256;
	tr->ents = xcalloc(tr->cap, sizeof(*tr->ents));
	return tr;
}

void templar_free(struct templar *tr)
{
	size_t i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->cap; i++) {
		free(tr->ents[i].text);
		tpl_free(tr->ents[i].tpl);
	}
	free(tr->ents);
	free(tr);
}

static uint32_t templar_hash(enum templar_kind kind, const char *s, size_t n, const struct value_pos *pos)
{
	uint32_t h = 2166136261u ^ (uint32_t)kind;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	h ^= (uint32_t)(uintptr_t)pos->file;
	h *= 16777619u;
	h ^= pos->line * 31u + pos->col;
	h *= 16777619u;
	return h ? h : 1;
}

static void templar_grow(struct templar *tr)
{
	struct templar_ent *old = tr->ents;
	size_t oldcap = tr->cap, i, slot;

	tr->cap *= 2;
	tr->ents = xcalloc(tr->cap, sizeof(*tr->ents));
	for (i = 0; i < oldcap; i++) {
		if (old[i].hash == 0)
			continue;
		for (slot = old[i].hash & (tr->cap - 1); tr->ents[slot].hash != 0; slot = (slot + 1) & (tr->cap - 1))
			;
		tr->ents[slot] = old[i];
	}
	free(old);
}

static int templar_compile(enum templar_kind kind, const char *s, size_t n, const struct value_pos *pos,
                           struct tpl **tp, struct diag *d)
{
	struct tpl_opts o;

	switch (kind) {
	case TK_COND:
		return tpl_compile_cond(s, n, pos->file, (int)pos->line, (int)pos->col, tp, d);
	case TK_FILE:
		tpl_opts_file(&o);
		return tpl_compile(s, n, pos->file, 1, 1, &o, tp, d);
	case TK_TEXT:
	default:
		tpl_opts_playbook(&o);
		return tpl_compile(s, n, pos->file, (int)pos->line, (int)pos->col, &o, tp, d);
	}
}

/* Returns the cached template for (kind, text, position), compiling it on
 * first use. *ownp is set when the template is not cached and the caller
 * must free it. */
static int templar_get(struct templar *tr, enum templar_kind kind, const char *s, size_t n,
                       const struct value_pos *pos, struct tpl **tp, int *ownp, struct diag *d)
{
	uint32_t h = templar_hash(kind, s, n, pos);
	struct templar_ent *e;
	size_t slot;
	int r;

	*ownp = 0;
	for (slot = h & (tr->cap - 1); tr->ents[slot].hash != 0; slot = (slot + 1) & (tr->cap - 1)) {
		e = &tr->ents[slot];
		if (e->hash == h && e->kind == kind && e->len == n && e->file == pos->file && e->line == pos->line &&
		    e->col == pos->col && memcmp(e->text, s, n) == 0) {
			*tp = e->tpl;
			return 0;
		}
	}
	if ((r = templar_compile(kind, s, n, pos, tp, d)) != 0)
		return r;
	if (tr->n >= TEMPLAR_MAX_CACHED) {
		*ownp = 1;
		return 0;
	}
	e = &tr->ents[slot];
	e->hash = h;
	e->kind = kind;
	e->text = xstrndup(s, n);
	e->len = n;
	e->file = pos->file;
	e->line = pos->line;
	e->col = pos->col;
	e->tpl = *tp;
	if (++tr->n * 2 > tr->cap)
		templar_grow(tr);
	return 0;
}

int templar_needed(const struct value *v)
{
	size_t i;

	if (v == NULL)
		return 0;
	switch (v->type) {
	case VALUE_STR:
		return !(v->flags & VALUE_F_UNSAFE) && tpl_has_syntax(v->u.s.ptr, v->u.s.len);
	case VALUE_LIST:
		for (i = 0; i < v->u.l.len; i++)
			if (templar_needed(v->u.l.items[i]))
				return 1;
		return 0;
	case VALUE_MAP:
		for (i = 0; i < v->u.m.len; i++)
			if (templar_needed(v->u.m.ents[i].val))
				return 1;
		return 0;
	default:
		return 0;
	}
}

static int templar_string(struct templar *tr, const struct value *v, const struct tpl_scope *s, struct value **outp,
                          struct diag *d)
{
	struct tpl *t = NULL;
	int own = 0, r;

	if ((r = templar_get(tr, TK_TEXT, v->u.s.ptr, v->u.s.len, &v->pos, &t, &own, d)) != 0)
		return r;
	r = tpl_render_value(t, s, outp, d);
	if (own)
		tpl_free(t);
	return r;
}

int templar_value(struct templar *tr, const struct value *v, const struct tpl_scope *s, struct value **outp,
                  struct diag *d)
{
	struct value *c = NULL, *item = NULL;
	size_t i;
	int r = 0;

	*outp = NULL;
	if (!templar_needed(v)) {
		*outp = value_ref((struct value *)v);
		return 0;
	}
	if (v->type == VALUE_STR)
		return templar_string(tr, v, s, outp, d);
	c = value_pos_from(v->type == VALUE_LIST ? value_list() : value_map(), v);
	c->flags = v->flags;
	for (i = 0; i < value_len(v); i++) {
		const struct value *src = v->type == VALUE_LIST ? v->u.l.items[i] : v->u.m.ents[i].val;

		if ((r = templar_value(tr, src, s, &item, d)) != 0)
			goto out;
		if (v->type == VALUE_LIST)
			value_list_push(c, item);
		else
			value_map_set_key(c, value_ref(v->u.m.ents[i].key), item);
		item = NULL;
	}
	*outp = c;
	c = NULL;
out:
	value_unref(c);
	return r;
}

int templar_cond(struct templar *tr, const struct value *cond, const struct tpl_scope *s, int *resultp,
                 struct diag *d)
{
	struct tpl *t = NULL;
	int own = 0, r;

	*resultp = 0;
	if (cond == NULL || cond->type == VALUE_NULL) {
		*resultp = 1;
		return 0;
	}
	if (cond->type == VALUE_BOOL) {
		*resultp = cond->u.b;
		return 0;
	}
	if (cond->type == VALUE_INT) {
		*resultp = cond->u.i != 0;
		return 0;
	}
	if (cond->type != VALUE_STR) {
		diag_set(d, cond->pos.file, (int)cond->pos.line, (int)cond->pos.col,
		         "a conditional must be a string or a boolean, not a %s", value_type_name(cond));
		return ERR_PARSE;
	}
	if ((r = templar_get(tr, TK_COND, cond->u.s.ptr, cond->u.s.len, &cond->pos, &t, &own, d)) != 0)
		return r;
	r = tpl_eval_cond(t, s, resultp, d);
	if (own)
		tpl_free(t);
	return r;
}

int templar_file(struct templar *tr, const char *text, size_t len, const char *file, const struct tpl_scope *s,
                 struct buf *out, struct diag *d)
{
	struct value_pos pos = {value_intern(file), 1, 1};
	struct tpl *t = NULL;
	int own = 0, r;

	if ((r = templar_get(tr, TK_FILE, text, len, &pos, &t, &own, d)) != 0)
		return r;
	r = tpl_render(t, s, out, d);
	if (own)
		tpl_free(t);
	return r;
}
