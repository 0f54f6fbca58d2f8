/* The playbook's arena and object constructors, copies for role expansion,
 * and the small accessors of the model. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/modreg.h"
#include "playbook/pb_priv.h"
#include "playbook/templar.h"

#define PB_CHUNK_SIZE ((size_t)64 << 10)

struct pb_chunk {
	struct pb_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *pb_alloc(struct pb_playbook *pb, size_t n)
{
	struct pb_chunk *ch = pb->chunks;
	size_t align = sizeof(max_align_t), need;
	void *p;

	n = (n + align - 1) / align * align;
	if (n == 0)
		n = align;
	if (ch == NULL || ch->size - ch->used < n) {
		need = n > PB_CHUNK_SIZE / 4 ? n : PB_CHUNK_SIZE;
		ch = xmalloc(sizeof(*ch) + need);
		ch->size = need;
		ch->used = 0;
		/* A big allocation gets a chunk of its own behind the current one,
		 * so the current one keeps serving small requests. */
		if (need != PB_CHUNK_SIZE && pb->chunks != NULL) {
			ch->next = pb->chunks->next;
			pb->chunks->next = ch;
		} else {
			ch->next = pb->chunks;
			pb->chunks = ch;
		}
	}
	p = (char *)ch->data + ch->used;
	ch->used += n;
	memset(p, 0, n);
	return p;
}

char *pb_strndup(struct pb_playbook *pb, const char *s, size_t n)
{
	char *p = pb_alloc(pb, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *pb_strdup(struct pb_playbook *pb, const char *s)
{
	return s == NULL ? NULL : pb_strndup(pb, s, strlen(s));
}

char *pb_printf(struct pb_playbook *pb, const char *fmt, ...)
{
	va_list ap;
	char *tmp, *s;

	va_start(ap, fmt);
	tmp = xvasprintf(fmt, ap);
	va_end(ap);
	s = pb_strdup(pb, tmp);
	free(tmp);
	return s;
}

struct value *pb_keep(struct pb_playbook *pb, struct value *v)
{
	if (v == NULL)
		return NULL;
	if (pb->nkeep == pb->capkeep) {
		pb->capkeep = pb->capkeep ? pb->capkeep * 2 : 256;
		pb->keep = xreallocarray(pb->keep, pb->capkeep, sizeof(*pb->keep));
	}
	pb->keep[pb->nkeep++] = v;
	return v;
}

void pb_push(struct pb_playbook *pb, void ***arrp, size_t *np, void *p)
{
	void **old = *arrp, **arr;
	size_t n = *np;

	/* Capacities are the powers of two, so the count alone says when the
	 * arena array is full. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		arr = pb_alloc(pb, (n < 4 ? 4 : n * 2) * sizeof(*arr));
		if (n > 0)
			memcpy(arr, old, n * sizeof(*arr));
		*arrp = arr;
	}
	(*arrp)[n] = p;
	*np = n + 1;
}

int pb_count_object(struct pb_ctx *c, const struct value *at)
{
	if (++c->pb->nobjects > PB_MAX_OBJECTS)
		return pb_err(c, ERR_TOOBIG, at, "the playbook is too big: more than %d tasks and blocks",
		              PB_MAX_OBJECTS);
	return 0;
}

struct pb_task *pb_task_new(struct pb_playbook *pb, const struct value *at)
{
	struct pb_task *t = pb_alloc(pb, sizeof(*t));

	t->obj.kind = PB_TASK;
	if (at != NULL)
		t->obj.pos = at->pos;
	return t;
}

struct pb_block *pb_block_new(struct pb_playbook *pb, const struct value *at)
{
	struct pb_block *b = pb_alloc(pb, sizeof(*b));

	b->obj.kind = PB_BLOCK;
	if (at != NULL)
		b->obj.pos = at->pos;
	return b;
}

struct pb_task *pb_task_copy(struct pb_playbook *pb, const struct pb_task *t, struct pb_obj *parent)
{
	struct pb_task *n = pb_alloc(pb, sizeof(*n));

	*n = *t;
	pb->nobjects++;
	n->parent = parent;
	return n;
}

static struct pb_obj **pb_model_copy_list(struct pb_playbook *pb, struct pb_obj *const *list, size_t n,
                                          struct pb_block *owner, const struct pb_block *orig);

/* A task whose parent is a static import task (not in any list) keeps an
 * import task of its own, copied once per block copy. */
static struct pb_obj *pb_model_copy_parent(struct pb_playbook *pb, struct pb_obj *p, const struct pb_block *orig,
                                           struct pb_block *owner)
{
	struct pb_task *t;

	if (p == &orig->obj)
		return &owner->obj;
	if (p == NULL || p->kind != PB_TASK)
		return p;
	t = (struct pb_task *)p;
	return &pb_task_copy(pb, t, pb_model_copy_parent(pb, t->parent, orig, owner))->obj;
}

struct pb_block *pb_block_copy(struct pb_playbook *pb, const struct pb_block *b, struct pb_obj *parent)
{
	struct pb_block *n = pb_alloc(pb, sizeof(*n));

	*n = *b;
	pb->nobjects++;
	n->parent = parent;
	n->block = pb_model_copy_list(pb, b->block, b->nblock, n, b);
	n->rescue = pb_model_copy_list(pb, b->rescue, b->nrescue, n, b);
	n->always = pb_model_copy_list(pb, b->always, b->nalways, n, b);
	return n;
}

static struct pb_obj **pb_model_copy_list(struct pb_playbook *pb, struct pb_obj *const *list, size_t n,
                                          struct pb_block *owner, const struct pb_block *orig)
{
	struct pb_obj **out;
	size_t i;

	if (n == 0)
		return NULL;
	out = pb_alloc(pb, n * sizeof(*out));
	for (i = 0; i < n; i++) {
		if (list[i]->kind == PB_BLOCK) {
			const struct pb_block *b = (const struct pb_block *)list[i];

			out[i] = &pb_block_copy(pb, b, pb_model_copy_parent(pb, b->parent, orig, owner))->obj;
		} else {
			const struct pb_task *t = (const struct pb_task *)list[i];

			out[i] = &pb_task_copy(pb, t, pb_model_copy_parent(pb, t->parent, orig, owner))->obj;
		}
	}
	return out;
}

static void pb_model_set_list(struct pb_obj **list, size_t n, struct pb_play *play, struct pb_role *role,
                              struct pb_role **chain, size_t nchain)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i]->kind == PB_BLOCK) {
			pb_block_set_context((struct pb_block *)list[i], play, role, chain, nchain);
		} else {
			struct pb_task *t = (struct pb_task *)list[i];
			struct pb_obj *p;

			t->role = role;
			/* The import tasks above t (outside any list) belong to the
			 * same role. */
			for (p = t->parent; p != NULL && p->kind == PB_TASK; p = ((struct pb_task *)p)->parent)
				((struct pb_task *)p)->role = role;
		}
	}
}

void pb_block_set_context(struct pb_block *b, struct pb_play *play, struct pb_role *role, struct pb_role **chain,
                          size_t nchain)
{
	b->play = play;
	b->role = role;
	b->dep_chain = chain;
	b->ndep_chain = nchain;
	pb_model_set_list(b->block, b->nblock, play, role, chain, nchain);
	pb_model_set_list(b->rescue, b->nrescue, play, role, chain, nchain);
	pb_model_set_list(b->always, b->nalways, play, role, chain, nchain);
}

void playbook_free(struct pb_playbook *pb)
{
	struct pb_chunk *ch, *next;
	size_t i;

	if (pb == NULL)
		return;
	for (i = 0; i < pb->nkeep; i++)
		value_unref(pb->keep[i]);
	free(pb->keep);
	for (i = 0; i < pb->nmade; i++) {
		struct pb_play_priv *pp = pb->made[i]->priv;

		if (pp == NULL)
			continue;
		free(pp->cache);
		free(pp->loading);
		free(pp);
	}
	free(pb->plays);
	for (i = 0; i < pb->nroles_path; i++)
		free(pb->roles_path[i]);
	free(pb->roles_path);
	value_unref(pb->extra_vars);
	value_unref(pb->magic_vars);
	templar_free(pb->templar);
	free(pb->path);
	for (ch = pb->chunks; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(pb);
}

const char *playbook_path(const struct pb_playbook *pb)
{
	return pb->path;
}

struct pb_play *const *playbook_plays(const struct pb_playbook *pb, size_t *np)
{
	*np = pb->nplays;
	return pb->plays;
}

int playbook_exit_code(int r)
{
	if (r == 0)
		return 0;
	if (r == ERR_PARSE || r == ERR_TOOBIG || r == ERR_DEPTH)
		return 4;
	return 1;
}

struct pb_task *pb_obj_task(const struct pb_obj *o)
{
	return o != NULL && o->kind == PB_TASK ? (struct pb_task *)o : NULL;
}

struct pb_block *pb_obj_block(const struct pb_obj *o)
{
	return o != NULL && o->kind == PB_BLOCK ? (struct pb_block *)o : NULL;
}

void pb_model_names(struct pb_play *play)
{
	const struct value *name = play->obj.kw[PB_KW_NAME];
	const struct value *h = play->obj.kw[PB_KW_HOSTS];
	struct buf b;
	size_t i;
	const char *s;

	play->hosts_list = NULL;
	if (h != NULL && h->type == VALUE_LIST) {
		play->hosts_list = (struct value *)h;
	} else if (h != NULL && h->type == VALUE_STR && !pb_is_template(value_cstr(h))) {
		play->hosts_list = pb_keep(play->pb, value_list());
		value_list_push(play->hosts_list, value_ref((struct value *)h));
	}
	if (name != NULL && name->type != VALUE_NULL) {
		s = pb_pystr(play->pb, name);
		if (*s) {
			play->display_name = s;
			return;
		}
	}
	if (h == NULL || h->type == VALUE_NULL) {
		play->display_name = "";
		return;
	}
	if (h->type != VALUE_LIST) {
		play->display_name = pb_pystr(play->pb, h);
		return;
	}
	buf_init(&b, 0);
	for (i = 0; i < value_len(h); i++) {
		if (i > 0)
			buf_putc(&b, ',');
		buf_puts(&b, pb_pystr(play->pb, value_list_at(h, i)));
	}
	play->display_name = pb_strdup(play->pb, buf_str(&b));
	buf_fini(&b);
}

const char *pb_play_name(const struct pb_play *play)
{
	return play->display_name ? play->display_name : "";
}

const struct value *pb_play_hosts(const struct pb_play *play)
{
	return play->hosts_list;
}

void pb_model_task_name(struct pb_playbook *pb, struct pb_task *t)
{
	const struct value *name = t->obj.kw[PB_KW_NAME];
	const char *n = NULL;

	if (name != NULL && name->type != VALUE_NULL)
		n = pb_pystr(pb, name);
	if (n != NULL && *n == '\0')
		n = NULL;
	if (t->role != NULL)
		t->display_name = pb_printf(pb, "%s : %s", t->role->name, n ? n : t->action);
	else
		t->display_name = n ? n : t->action;
}

const char *pb_task_name(const struct pb_task *t)
{
	return t->display_name ? t->display_name : t->action;
}
