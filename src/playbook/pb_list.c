/* The listings of ansible-playbook (PlaybookCLI.run with --list-tasks,
 * --list-tags, --list-hosts, --syntax-check), from the loaded model. */
#include "playbook/pb_list.h"

#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_priv.h"
#include "playbook/pb_tags.h"

void pb_list_repr_str(struct buf *out, const char *s)
{
	size_t n = strlen(s), i;
	char q = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL ? '"' : '\'';

	buf_putc(out, q);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' || ch == (unsigned char)q)
			buf_printf(out, "\\%c", ch);
		else if (ch == '\n')
			buf_puts(out, "\\n");
		else if (ch == '\r')
			buf_puts(out, "\\r");
		else if (ch == '\t')
			buf_puts(out, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(out, "\\x%02x", ch);
		else if (ch == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f)
			buf_printf(out, "\\x%02x", (unsigned char)s[++i]);
		else
			buf_putc(out, (char)ch);
	}
	buf_putc(out, q);
}

/* Python's str() of a tag for the listings. */
static void pb_list_tag_text(struct pb_playbook *pb, const struct value *t, struct buf *out)
{
	buf_puts(out, pb_pystr(pb, t));
}

static int pb_list_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A set of tag strings, kept in insertion order. */
struct pb_list_set {
	char **items;
	size_t n, cap;
};

static void pb_list_set_add(struct pb_list_set *s, const char *t)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->items[i], t) == 0)
			return;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		s->items = xreallocarray(s->items, s->cap, sizeof(*s->items));
	}
	s->items[s->n++] = xstrdup(t);
}

static void pb_list_set_add_values(struct pb_playbook *pb, struct pb_list_set *s, const struct value *tags)
{
	size_t i, j;
	struct buf b;

	buf_init(&b, 0);
	for (i = 0; tags != NULL && i < value_len(tags); i++) {
		const struct value *t = value_list_at(tags, i);

		if (t->type == VALUE_LIST) {
			for (j = 0; j < value_len(t); j++) {
				buf_reset(&b);
				pb_list_tag_text(pb, value_list_at(t, j), &b);
				pb_list_set_add(s, buf_str(&b));
			}
			continue;
		}
		buf_reset(&b);
		pb_list_tag_text(pb, t, &b);
		pb_list_set_add(s, buf_str(&b));
	}
	buf_fini(&b);
}

static void pb_list_set_free(struct pb_list_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

/* "a, b" of the sorted union of two sets. */
static void pb_list_sorted(struct buf *out, const struct pb_list_set *a, const struct pb_list_set *b,
                           const char *sep)
{
	struct pb_list_set u;
	size_t i;

	memset(&u, 0, sizeof(u));
	for (i = 0; i < a->n; i++)
		pb_list_set_add(&u, a->items[i]);
	for (i = 0; b != NULL && i < b->n; i++)
		pb_list_set_add(&u, b->items[i]);
	if (u.n > 1)
		qsort(u.items, u.n, sizeof(*u.items), pb_list_cmp);
	for (i = 0; i < u.n; i++)
		buf_printf(out, "%s%s", i ? sep : "", u.items[i]);
	pb_list_set_free(&u);
}

static int pb_list_keeps(const struct pb_task *t, const struct pb_list_opts *o)
{
	struct value *tags;
	int run;

	if (t->type == PB_TASK_META && (t->flags & PB_TASK_IMPLICIT))
		return 1;
	tags = pb_obj_kw(&t->obj, PB_KW_TAGS);
	run = pb_tags_should_run(tags, o->only, o->skip);
	value_unref(tags);
	return run;
}

static int pb_list_has(const struct pb_obj *const *list, size_t n, const struct pb_list_opts *o);

static int pb_list_block_has(const struct pb_block *b, const struct pb_list_opts *o)
{
	return pb_list_has((const struct pb_obj *const *)b->block, b->nblock, o) ||
	       pb_list_has((const struct pb_obj *const *)b->rescue, b->nrescue, o) ||
	       pb_list_has((const struct pb_obj *const *)b->always, b->nalways, o);
}

/* Whether filter_tagged_tasks leaves anything in the list. */
static int pb_list_has(const struct pb_obj *const *list, size_t n, const struct pb_list_opts *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (list[i]->kind == PB_BLOCK) {
			if (pb_list_block_has((const struct pb_block *)list[i], o))
				return 1;
		} else if (pb_list_keeps((const struct pb_task *)list[i], o)) {
			return 1;
		}
	}
	return 0;
}

/* PlaybookCLI's _process_block: the kept tasks of the block: part. */
static void pb_list_block(struct buf *out, struct pb_playbook *pb, const struct pb_block *b,
                          const struct pb_list_set *mytags, struct pb_list_set *all, const struct pb_list_opts *o)
{
	size_t i;

	for (i = 0; i < b->nblock; i++) {
		const struct pb_obj *e = b->block[i];
		const struct pb_task *t;
		struct pb_list_set own;
		struct value *tags;

		if (e->kind == PB_BLOCK) {
			if (pb_list_block_has((const struct pb_block *)e, o))
				pb_list_block(out, pb, (const struct pb_block *)e, mytags, all, o);
			continue;
		}
		t = (const struct pb_task *)e;
		if (!pb_list_keeps(t, o) || (t->type == PB_TASK_META && (t->flags & PB_TASK_IMPLICIT)))
			continue;
		memset(&own, 0, sizeof(own));
		tags = pb_obj_kw(&t->obj, PB_KW_TAGS);
		pb_list_set_add_values(pb, &own, tags);
		value_unref(tags);
		for (size_t j = 0; j < own.n; j++)
			pb_list_set_add(all, own.items[j]);
		if (o->tasks) {
			const struct value *name = t->obj.kw[PB_KW_NAME];
			int named = name != NULL && !(name->type == VALUE_NULL || (name->type == VALUE_STR && name->u.s.len == 0));

			buf_printf(out, "      %s\tTAGS: [", named ? pb_task_name(t) : t->action);
			pb_list_sorted(out, mytags, &own, ", ");
			buf_puts(out, "]\n");
		}
		pb_list_set_free(&own);
	}
}

static void pb_list_patterns(struct buf *out, const struct pb_play *play)
{
	const struct value *hosts = pb_play_hosts(play);
	const struct value *raw = play->obj.kw[PB_KW_HOSTS];
	size_t i;

	if (hosts == NULL) {
		buf_putc(out, '[');
		pb_list_repr_str(out, value_cstr(raw) ? value_cstr(raw) : "");
		buf_putc(out, ']');
		return;
	}
	buf_putc(out, '[');
	for (i = 0; i < value_len(hosts); i++) {
		if (i > 0)
			buf_puts(out, ", ");
		pb_list_repr_str(out, value_cstr(value_list_at(hosts, i)) ? value_cstr(value_list_at(hosts, i)) : "");
	}
	buf_putc(out, ']');
}

static int pb_list_play(struct buf *out, struct pb_play *play, const struct pb_list_opts *o, struct diag *d)
{
	const struct value *hosts = pb_play_hosts(play);
	struct pb_list_set mytags, all;
	struct value *names = NULL, *pat = NULL;
	struct pb_block **blocks = NULL;
	size_t nblocks = 0, i;
	int r = 0;

	memset(&mytags, 0, sizeof(mytags));
	memset(&all, 0, sizeof(all));
	pb_list_set_add_values(play->pb, &mytags, play->obj.kw[PB_KW_TAGS]);
	buf_printf(out, "\n  play #%d (", play->index + 1);
	if (hosts != NULL) {
		for (i = 0; i < value_len(hosts); i++)
			buf_printf(out, "%s%s", i ? "," : "", value_cstr(value_list_at(hosts, i)));
	} else if (value_cstr(play->obj.kw[PB_KW_HOSTS]) != NULL) {
		buf_puts(out, value_cstr(play->obj.kw[PB_KW_HOSTS]));
	}
	buf_printf(out, "): %s\tTAGS: [", pb_play_name(play));
	for (i = 0; i < mytags.n; i++)
		buf_printf(out, "%s%s", i ? "," : "", mytags.items[i]);
	buf_putc(out, ']');
	if (o->hosts) {
		buf_puts(out, "\n    pattern: ");
		pb_list_patterns(out, play);
		if (hosts == NULL) {
			pat = value_list();
			value_list_push(pat, value_ref(play->obj.kw[PB_KW_HOSTS]));
		}
		if (o->select != NULL && (r = o->select(o->select_ctx, hosts ? hosts : pat, &names, d)) != 0)
			goto out;
		buf_printf(out, "\n    hosts (%zu):", value_len(names));
		for (i = 0; i < value_len(names); i++)
			buf_printf(out, "\n      %s", value_cstr(value_list_at(names, i)));
	}
	buf_putc(out, '\n');
	if (o->tasks || o->tags) {
		if (o->tasks)
			buf_puts(out, "    tasks:\n");
		pb_play_compile(play, 0, &blocks, &nblocks);
		for (i = 0; i < nblocks; i++)
			if (pb_list_block_has(blocks[i], o))
				pb_list_block(out, play->pb, blocks[i], &mytags, &all, o);
		if (o->tags) {
			buf_puts(out, "      TASK TAGS: [");
			pb_list_sorted(out, &mytags, &all, ", ");
			buf_puts(out, "]\n");
		}
	}
out:
	free(blocks);
	value_unref(names);
	value_unref(pat);
	pb_list_set_free(&mytags);
	pb_list_set_free(&all);
	return r;
}

int pb_list_format(struct buf *out, struct pb_playbook *const *pbs, size_t n, const struct pb_list_opts *o,
                   struct diag *d)
{
	size_t i, j, nplays;
	int r;

	for (i = 0; i < n; i++) {
		struct pb_play *const *plays = playbook_plays(pbs[i], &nplays);

		buf_printf(out, "\nplaybook: %s\n", playbook_path(pbs[i]));
		if (o->syntax)
			continue;
		for (j = 0; j < nplays; j++)
			if ((r = pb_list_play(out, plays[j], o, d)) != 0)
				return r;
	}
	return out->len >= out->max ? ERR_TOOBIG : 0;
}
