/* Playbooks: plays, serial batches, the linear strategy, meta tasks,
 * handlers, and the recap. */
#include "exec/pbrun.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/fdutil.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "playbook/modreg.h"
#include "exec/pbrun_priv.h"
#include "playbook/pb_diag.h"
#include "playbook/pb_kw.h"
#include "playbook/pb_tags.h"

/* The host's connection, from its inventory variables and extra vars. */
static struct hostconn *pbrun_host_conn(struct pbrun_state *rs, struct pbhost *ph)
{
	struct value *vars = inventory_host_vars(rs->inv, ph->h);
	struct hostconn *hc;

	if (rs->o->extra_vars != NULL)
		value_map_update(value_mut(&vars), rs->o->extra_vars, 0);
	hc = hostconn_new(&rs->env, ph->name, vars);
	value_unref(vars);
	return hc;
}

/* meta: reset_connection: the worker session ends; the next task starts a
 * new one (with the variables the host has then). */
static void pbrun_reset_connection(struct pbrun_state *rs, struct pbhost *ph)
{
	hostconn_close(ph->hc);
	ph->hc = pbrun_host_conn(rs, ph);
}

/* meta: refresh_inventory: the sources are read again (see
 * inventory_refresh); an error there ends the run, as Ansible's. */
static void pbrun_refresh_inventory(struct pbrun_state *rs)
{
	struct diag d;

	diag_init(&d);
	if (inventory_refresh(rs->inv, &d) != 0) {
		rs->fatal = diag_format(&d);
		rs->end_play = 1;
	}
	diag_fini(&d);
	vars_inventory_changed(rs->vars);
}

struct pbhost *pbrun_host(struct pbrun_state *rs, struct inv_host *h)
{
	struct pbhost *ph;
	size_t i;

	for (i = 0; i < rs->nhosts; i++)
		if (rs->hosts[i]->h == h)
			return rs->hosts[i];
	ph = xcalloc(1, sizeof(*ph));
	ph->rs = rs;
	ph->h = h;
	ph->name = inv_host_name(h);
	ph->st.host = ph->name;
	ph->hc = pbrun_host_conn(rs, ph);
	ph->notified = value_list();
	rs->hosts = xreallocarray(rs->hosts, rs->nhosts + 1, sizeof(*rs->hosts));
	rs->hosts[rs->nhosts++] = ph;
	return ph;
}

struct hostconn *pbrun_local_hc(struct pbrun_state *rs)
{
	struct inv_host *h;
	struct value *vars;

	if (rs->local_hc != NULL)
		return rs->local_hc;
	h = inventory_host(rs->inv, "localhost");
	vars = h != NULL ? inventory_host_vars(rs->inv, h) : value_map();
	if (rs->o->extra_vars != NULL)
		value_map_update(value_mut(&vars), rs->o->extra_vars, 0);
	if (value_map_get(vars, "ansible_connection") == NULL)
		value_map_set(value_mut(&vars), "ansible_connection", value_str("local"));
	rs->local_hc = hostconn_new(&rs->env, "localhost", vars);
	value_unref(vars);
	return rs->local_hc;
}

/* Whether a task passes --tags / --skip-tags. */
static int pbrun_tagged(struct pbrun_state *rs, struct pb_task *t)
{
	struct value *tags = pb_obj_kw(&t->obj, PB_KW_TAGS);
	int run = pb_tags_should_run(tags, rs->o->only_tags, rs->o->skip_tags);

	value_unref(tags);
	return run;
}

/* meta tasks run once for the hosts that reached them, without output. */
static void pbrun_flush_handlers(struct pbrun_state *rs, struct pbhost **hosts, size_t n);

/* Ansible announces a written meta task once for each host that runs it. */
static void pbrun_meta_banners(struct pbrun_state *rs, struct pb_task *t, size_t n)
{
	struct human_task ht;
	char *path;
	size_t i;

	if (t->flags & PB_TASK_IMPLICIT)
		return;
	path = xasprintf("%s:%u", t->obj.pos.file ? t->obj.pos.file : "?", (unsigned)t->obj.pos.line);
	memset(&ht, 0, sizeof(ht));
	ht.id = t;
	ht.prefix = "TASK";
	ht.name = pb_task_name(t);
	ht.path = path;
	ht.check = rs->o->check;
	for (i = 0; i < n; i++)
		human_task_start(&rs->out, &ht);
	free(path);
}

void pbrun_meta(struct pbrun_state *rs, struct pb_task *t, struct pbhost **group, size_t n, struct pbhost **batch,
                size_t nbatch)
{
	const char *op = value_get_str(t->args, "_raw_params", "noop");
	size_t i;

	/* Ansible's linear strategy runs the other meta actions for the first
	 * host only (once for all), so they are announced once. */
	pbrun_meta_banners(rs, t, strcmp(op, "noop") == 0 || strcmp(op, "reset_connection") == 0 ||
	                                          strcmp(op, "end_host") == 0 || strcmp(op, "role_complete") == 0 ||
	                                          strcmp(op, "flush_handlers") == 0
	                                  ? n
	                                  : n > 0);
	if (strcmp(op, "flush_handlers") == 0) {
		pbrun_flush_handlers(rs, batch, nbatch);
	} else if (strcmp(op, "end_play") == 0) {
		rs->end_play = 1;
	} else if (strcmp(op, "end_host") == 0) {
		for (i = 0; i < n; i++)
			iter_end(&group[i]->it);
	} else if (strcmp(op, "clear_facts") == 0) {
		for (i = 0; i < n; i++)
			vars_clear_facts(rs->vars, group[i]->h);
	} else if (strcmp(op, "clear_host_errors") == 0) {
		for (i = 0; i < nbatch; i++) {
			batch[i]->failed_run = 0;
			vars_host_set_failed(rs->vars, batch[i]->h, 0);
		}
	} else if (strcmp(op, "reset_connection") == 0) {
		for (i = 0; i < n; i++)
			pbrun_reset_connection(rs, group[i]);
	} else if (strcmp(op, "refresh_inventory") == 0) {
		pbrun_refresh_inventory(rs);
	} else if (strcmp(op, "noop") != 0 && strcmp(op, "role_complete") != 0 && strcmp(op, "end_batch") != 0) {
		human_warning(&rs->out, "unknown meta action; ignored");
	}
	if (strcmp(op, "end_batch") == 0)
		rs->end_play = 2;
}

/* Appends the tasks of objs to the run order: a block's tasks, then its
 * rescue, then its always, as Ansible's Block.get_tasks. */
static void pbrun_flatten(struct pb_obj *const *objs, size_t n, struct pb_task ***tp, size_t *np)
{
	struct pb_block *b;
	struct pb_task *t;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((b = pb_obj_block(objs[i])) != NULL) {
			pbrun_flatten((struct pb_obj *const *)b->block, b->nblock, tp, np);
			pbrun_flatten((struct pb_obj *const *)b->rescue, b->nrescue, tp, np);
			pbrun_flatten((struct pb_obj *const *)b->always, b->nalways, tp, np);
		} else if ((t = pb_obj_task(objs[i])) != NULL) {
			*tp = xreallocarray(*tp, *np + 1, sizeof(**tp));
			(*tp)[(*np)++] = t;
		}
	}
}

void pbrun_order_insert(struct pbrun_state *rs, struct pb_block **blocks, size_t n)
{
	struct pb_task **add = NULL;
	size_t nadd = 0;

	pbrun_flatten((struct pb_obj *const *)blocks, n, &add, &nadd);
	if (nadd == 0)
		return;
	rs->order = xreallocarray(rs->order, rs->norder + nadd, sizeof(*rs->order));
	memmove(rs->order + rs->cur + nadd, rs->order + rs->cur, (rs->norder - rs->cur) * sizeof(*rs->order));
	memcpy(rs->order + rs->cur, add, nadd * sizeof(*add));
	rs->norder += nadd;
	free(add);
}

static int pbrun_is_next(struct pbhost **batch, size_t n, const struct pb_task *t)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!batch[i]->removed && batch[i]->next == t)
			return 1;
	return 0;
}

/* The task to run next, as Ansible's lockstep: the first task at or after
 * the cursor in the run order (the play's tasks with included ones spliced
 * in) that some host has next, wrapping around once; so a block's remaining
 * tasks run before another host's rescue. */
static struct pb_task *pbrun_pick(struct pbrun_state *rs, struct pbhost **batch, size_t n, struct pb_task *first)
{
	int pass;

	for (pass = 0; pass < 2; pass++) {
		for (; rs->cur < rs->norder; rs->cur++) {
			if (pbrun_is_next(batch, n, rs->order[rs->cur]))
				return rs->order[rs->cur++];
		}
		rs->cur = 0;
	}
	return first;
}

static void pbrun_fail_host(struct pbrun_state *rs, struct pbhost *ph)
{
	ph->removed = 1;
	ph->failed_run = 1;
	iter_end(&ph->it);
	vars_host_set_failed(rs->vars, ph->h, 1);
	vars_host_set_removed(rs->vars, ph->h, 1);
}

int pbrun_kw_true(struct value *v, const char *name)
{
	struct diag d;
	int on = 0;

	diag_init(&d);
	if (v != NULL && pb_kw_bool(v, name, &on, &d) != 0)
		on = 0;
	diag_fini(&d);
	value_unref(v);
	return on;
}

/* max_fail_percentage: more of the batch failed (hosts failed earlier in
 * the run count, as in Ansible) than the play allows. */
static int pbrun_too_many_failed(struct pbrun_state *rs, size_t batch_size)
{
	struct value *v = rs->play->obj.kw[PB_KW_MAX_FAIL_PERCENTAGE];
	struct diag d;
	double pct = 0;
	size_t i, failed = 0;
	int r;

	if (v == NULL || batch_size == 0)
		return 0;
	diag_init(&d);
	r = pb_kw_percent(v, "max_fail_percentage", &pct, &d);
	diag_fini(&d);
	if (r != 0)
		return 0;
	for (i = 0; i < rs->nhosts; i++)
		failed += rs->hosts[i]->failed_run;
	return (double)failed / (double)batch_size > pct / 100.0;
}

/* After a task: any_errors_fatal fails the hosts not in a rescue or always
 * section, max_fail_percentage all of them; either ends the play and the
 * playbook (NO MORE HOSTS LEFT once no host is left). */
static void pbrun_after_step(struct pbrun_state *rs, struct pb_task *t, struct pbhost **batch, size_t n)
{
	size_t i, left = 0;
	int any = 0, brk = 0;

	for (i = 0; i < n; i++)
		any |= batch[i]->failed_step;
	if (any && pbrun_kw_true(pb_obj_kw(&t->obj, PB_KW_ANY_ERRORS_FATAL), "any_errors_fatal")) {
		for (i = 0; i < n; i++)
			if (!batch[i]->removed && iter_section(&batch[i]->it) == ITER_TASKS && !iter_rescuing(&batch[i]->it))
				pbrun_fail_host(rs, batch[i]);
		brk = 1;
	}
	if (pbrun_too_many_failed(rs, n)) {
		for (i = 0; i < n; i++)
			if (!batch[i]->removed)
				pbrun_fail_host(rs, batch[i]);
		human_no_more_hosts(&rs->out);
		brk = 1;
	}
	if (!brk)
		return;
	rs->break_play = 1;
	for (i = 0; i < n; i++)
		left += !batch[i]->removed;
	if (left == 0) {
		human_no_more_hosts(&rs->out);
		rs->end_play = 1;
	}
}

struct pb_task *pbrun_next_task(struct pbrun_state *rs, struct pbhost *ph)
{
	while (!ph->removed && ph->next == NULL && !ph->it.done) {
		ph->next = iter_next(&ph->it);
		if (ph->next != NULL &&
		    (ph->next->type == PB_TASK_ACTION || ph->next->type == PB_TASK_INCLUDE_TASKS ||
		     ph->next->type == PB_TASK_INCLUDE_ROLE) &&
		    !pbrun_tagged(rs, ph->next))
			ph->next = NULL; /* not selected by tags: skipped silently */
	}
	/* A failure that ran an always section first ends the host here. */
	if (!ph->removed && ph->it.done && ph->it.failed && !ph->failed_run) {
		ph->removed = 1;
		ph->failed_run = 1;
		vars_host_set_failed(rs->vars, ph->h, 1);
		vars_host_set_removed(rs->vars, ph->h, 1);
	}
	return ph->removed ? NULL : ph->next;
}

/* Runs the tasks of the batch with the linear strategy: every host runs the
 * same task before any host moves on; hosts whose blocks diverge (rescue,
 * always) run their own next task in later steps. */
static void pbrun_linear(struct pbrun_state *rs, struct pbhost **batch, size_t n)
{
	struct pbhost **group = xcalloc(n ? n : 1, sizeof(*group));
	struct pb_task *t;
	size_t i, ng;

	for (;;) {
		t = NULL;
		for (i = 0; i < n; i++)
			if (pbrun_next_task(rs, batch[i]) != NULL && t == NULL)
				t = batch[i]->next;
		if (t == NULL || rs->end_play)
			break;
		t = pbrun_pick(rs, batch, n, t);
		for (i = ng = 0; i < n; i++) {
			batch[i]->failed_step = 0;
			if (!batch[i]->removed && batch[i]->next == t) {
				group[ng++] = batch[i];
				batch[i]->next = NULL;
			}
		}
		if (t->type == PB_TASK_META)
			pbrun_meta(rs, t, group, ng, batch, n);
		else if (t->type == PB_TASK_ACTION)
			pbtask_run_group(rs, t, 0, group, ng);
		else if (t->type == PB_TASK_INCLUDE_TASKS || t->type == PB_TASK_INCLUDE_ROLE)
			pbinclude_run_group(rs, t, group, ng);
		else
			human_warning(&rs->out, "dynamic includes are not supported by drover yet; skipped");
		pbrun_after_step(rs, t, batch, n);
	}
	free(group);
}

static int pbrun_listens(struct pb_task *h, const char *name)
{
	struct value *listen;
	const char *tname = value_cstr(h->obj.kw[PB_KW_NAME]);
	size_t i;
	int hit = 0;

	if (tname != NULL && strcmp(tname, name) == 0)
		return 1;
	if (strcmp(pb_task_name(h), name) == 0)
		return 1;
	listen = pb_kw_list(h->obj.kw[PB_KW_LISTEN]);
	for (i = 0; i < value_len(listen) && !hit; i++)
		hit = value_cstr(value_list_at(listen, i)) && strcmp(value_cstr(value_list_at(listen, i)), name) == 0;
	value_unref(listen);
	return hit;
}

static int pbrun_notified(struct pbhost *ph, struct pb_task *h)
{
	size_t i;

	for (i = 0; i < value_len(ph->notified); i++)
		if (pbrun_listens(h, value_cstr(value_list_at(ph->notified, i))))
			return 1;
	return 0;
}

static void pbrun_handler_tasks(struct pb_obj *const *objs, size_t n, struct pb_task ***tasksp, size_t *np)
{
	struct pb_block *b;
	struct pb_task *t;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((b = pb_obj_block(objs[i])) != NULL) {
			pbrun_handler_tasks((struct pb_obj *const *)b->block, b->nblock, tasksp, np);
		} else if ((t = pb_obj_task(objs[i])) != NULL) {
			*tasksp = xreallocarray(*tasksp, *np + 1, sizeof(**tasksp));
			(*tasksp)[(*np)++] = t;
		}
	}
}

/* A handler named as an earlier one (a role included twice) is that one:
 * notifications find the first. */
static int pbrun_handler_dup(struct pb_task **tasks, size_t j)
{
	size_t k;

	if (tasks[j]->obj.kw[PB_KW_NAME] == NULL)
		return 0;
	for (k = 0; k < j; k++)
		if (tasks[k]->obj.kw[PB_KW_NAME] != NULL && strcmp(pb_task_name(tasks[k]), pb_task_name(tasks[j])) == 0)
			return 1;
	return 0;
}

/* Each notified handler runs once, in the order handlers are defined, on the
 * hosts that notified it. */
static void pbrun_flush_handlers(struct pbrun_state *rs, struct pbhost **hosts, size_t n)
{
	struct pb_block **blocks = NULL;
	struct pb_task **tasks = NULL;
	struct pbhost **group;
	size_t nb = 0, nt = 0, i, j, ng;

	for (i = 0; i < n && value_len(hosts[i]->notified) == 0; i++)
		;
	if (i == n)
		return;
	pb_play_handlers(rs->play, &blocks, &nb);
	blocks = xreallocarray(blocks, nb + rs->ndyn_handlers + 1, sizeof(*blocks));
	for (i = 0; i < rs->ndyn_handlers; i++)
		blocks[nb++] = rs->dyn_handlers[i];
	for (i = 0; i < nb; i++)
		pbrun_handler_tasks((struct pb_obj *const *)blocks[i]->block, blocks[i]->nblock, &tasks, &nt);
	group = xcalloc(n, sizeof(*group));
	for (j = 0; j < nt; j++) {
		if (pbrun_handler_dup(tasks, j))
			continue;
		for (i = ng = 0; i < n; i++)
			if (!hosts[i]->removed && pbrun_notified(hosts[i], tasks[j]))
				group[ng++] = hosts[i];
		if (ng > 0)
			pbtask_run_group(rs, tasks[j], 1, group, ng);
	}
	for (i = 0; i < n; i++) {
		value_unref(hosts[i]->notified);
		hosts[i]->notified = value_list();
	}
	free(group);
	free(tasks);
	free(blocks);
}

/* serial: batch sizes from numbers, percentages and lists of them. */
static size_t pbrun_batch_size(struct pbrun_state *rs, size_t nhosts, size_t batch_no, int *errp)
{
	struct value *serial = rs->play->obj.kw[PB_KW_SERIAL], *list;
	const struct value *v;
	struct diag d;
	double pct;
	int64_t num;
	size_t size;

	*errp = 0;
	if (serial == NULL)
		return nhosts;
	list = pb_kw_list(serial);
	if (value_len(list) == 0) {
		value_unref(list);
		return nhosts;
	}
	v = value_list_at(list, batch_no < value_len(list) ? batch_no : value_len(list) - 1);
	diag_init(&d);
	if (v->type == VALUE_STR && strchr(v->u.s.ptr, '%') != NULL) {
		if (pb_kw_percent(v, "serial", &pct, &d) != 0)
			*errp = 1;
		size = (size_t)((double)nhosts * pct / 100.0);
	} else {
		if (pb_kw_int(v, "serial", &num, &d) != 0)
			*errp = 1;
		size = num > 0 ? (size_t)num : nhosts;
	}
	diag_fini(&d);
	value_unref(list);
	return size == 0 ? 1 : size;
}

static int pbrun_gather(struct pbrun_state *rs)
{
	struct value *g = rs->play->obj.kw[PB_KW_GATHER_FACTS];
	struct diag d;
	int on = 1;

	if (g == NULL)
		return 1;
	diag_init(&d);
	if (pb_kw_bool(g, "gather_facts", &on, &d) != 0)
		on = 1;
	diag_fini(&d);
	return on;
}

/* Fact gathering runs the setup module on every host of the batch, as a
 * task of its own in a block of the play (so play keywords apply). */
static void pbrun_gather_facts(struct pbrun_state *rs, struct pbhost **batch, size_t n)
{
	struct pb_block blk;
	struct pb_task t;
	struct value *args;

	if (!pbrun_gather(rs))
		return;
	memset(&blk, 0, sizeof(blk));
	blk.obj.kind = PB_BLOCK;
	blk.obj.pos = rs->play->obj.pos;
	blk.play = rs->play;
	blk.flags = PB_BLOCK_IMPLICIT;
	memset(&t, 0, sizeof(t));
	t.obj.kind = PB_TASK;
	t.obj.pos = rs->play->obj.pos;
	t.parent = &blk.obj;
	t.type = PB_TASK_ACTION;
	t.action = "gather_facts";
	t.module = "setup";
	t.mod = modreg_find("setup");
	t.display_name = "Gathering Facts";
	args = value_map();
	t.args = args;
	pbtask_run_group(rs, &t, 0, batch, n);
	value_unref(args);
}

static int pbrun_select(struct pbrun_state *rs, struct pb_play *play, struct inv_host ***hostsp, size_t *np)
{
	const struct value *pats = pb_play_hosts(play);
	struct buf pattern;
	struct diag d;
	size_t i;
	int r;

	buf_init(&pattern, 0);
	for (i = 0; i < value_len(pats); i++)
		buf_printf(&pattern, "%s%s", i ? "," : "", value_cstr(value_list_at(pats, i)));
	diag_init(&d);
	r = inventory_select(rs->inv, buf_str(&pattern), rs->o->limits, rs->o->nlimits, hostsp, np, &d);
	if (r != 0) {
		char *m = diag_format(&d);

		log_error("%s", m);
		free(m);
	}
	diag_fini(&d);
	buf_fini(&pattern);
	return r;
}

/* --start-at-task: whether t is the task (its name as written or as shown,
 * equal or as a shell pattern). */
static int pbrun_start_here(const char *want, struct pb_task *t)
{
	const char *name = value_cstr(t->obj.kw[PB_KW_NAME]);

	if (name != NULL && (strcmp(name, want) == 0 || fnmatch(want, name, 0) == 0))
		return 1;
	return strcmp(pb_task_name(t), want) == 0 || fnmatch(want, pb_task_name(t), 0) == 0;
}

/* Until a play has the --start-at-task task, each host skips the tasks
 * before it (silently; fact gathering still runs), as Ansible's PlayIterator;
 * the match is kept as the host's next task. Later batches and plays start
 * at their beginning. */
static void pbrun_start_at(struct pbrun_state *rs, struct pbhost **batch, size_t n)
{
	const char *want = rs->o->start_at_task;
	struct pbhost *ph;
	size_t i;
	int found = 0;

	if (want == NULL || rs->start_done)
		return;
	for (i = 0; i < n; i++) {
		ph = batch[i];
		while ((ph->next = iter_next(&ph->it)) != NULL && !pbrun_start_here(want, ph->next))
			;
		found |= ph->next != NULL;
	}
	rs->start_done = found;
}

/* Moves the batch's hosts still in the run to its front, starts their
 * iterators and returns how many there are. */
static size_t pbrun_batch_begin(struct pbrun_state *rs, struct pbhost **batch, size_t size, struct pb_block **blocks,
                                size_t nblocks)
{
	struct inv_host **bh = xcalloc(size ? size : 1, sizeof(*bh));
	struct pbhost *ph;
	size_t i, n = 0;

	for (i = 0; i < size; i++) {
		ph = batch[i];
		if (ph->failed_run || ph->unreachable_run)
			continue;
		batch[i] = batch[n];
		batch[n++] = ph;
		bh[n - 1] = ph->h;
		ph->removed = 0;
		value_unref(ph->notified);
		ph->notified = value_list();
		iter_init(&ph->it, blocks, nblocks);
	}
	vars_play_set_batch(rs->vars, bh, n);
	free(bh);
	return n;
}

void pbrun_fatal_at(struct pbrun_state *rs, const struct value_pos *pos, const char *msg)
{
	struct buf b;
	struct diag d;

	buf_init(&b, 0);
	diag_init(&d);
	diag_set(&d, pos->file, (int)pos->line, (int)pos->col, "%s", msg);
	pb_diag_format(&b, &d);
	/* human_error adds the "ERROR! " and the line end. */
	free(rs->fatal);
	rs->fatal = xstrdup(strncmp(buf_str(&b), "ERROR! ", 7) == 0 ? buf_str(&b) + 7 : buf_str(&b));
	while (rs->fatal[0] != '\0' && rs->fatal[strlen(rs->fatal) - 1] == '\n')
		rs->fatal[strlen(rs->fatal) - 1] = '\0';
	rs->end_play = 1;
	diag_fini(&d);
	buf_fini(&b);
}

/* The play's strategy (templated with its variables, the configured one by
 * default): 1 for free (host_pinned runs as free), 0 for linear, -1 after
 * Ansible's error for any other name. */
static int pbrun_strategy(struct pbrun_state *rs, struct pb_play *play)
{
	struct value *v = NULL;
	struct vars_ctx vc;
	struct diag d;
	const char *name;
	int r = 0;

	diag_init(&d);
	if (play->obj.kw[PB_KW_STRATEGY] != NULL &&
	    (vars_ctx_init(&vc, rs->vars, NULL, play, NULL, NULL, &d) != 0 ||
	     vars_template(&vc, play->obj.kw[PB_KW_STRATEGY], &v, &d) != 0)) {
		rs->fatal = diag_format(&d);
		diag_fini(&d);
		return -1;
	}
	diag_fini(&d);
	name = v != NULL ? value_cstr(v) : rs->o->strategy;
	if (name == NULL || strcmp(name, "linear") == 0 || strcmp(name, "ansible.builtin.linear") == 0)
		r = 0;
	else if (strcmp(name, "free") == 0 || strcmp(name, "ansible.builtin.free") == 0 ||
	         strcmp(name, "host_pinned") == 0 || strcmp(name, "ansible.builtin.host_pinned") == 0)
		r = 1;
	else {
		char *msg = xasprintf("Invalid play strategy specified: %s", name);

		pbrun_fatal_at(rs, &play->obj.pos, msg);
		free(msg);
		r = -1;
	}
	value_unref(v);
	return r;
}

static void pbrun_play_batches(struct pbrun_state *rs, struct pb_play *play);

static void pbrun_play(struct pbrun_state *rs, struct pb_play *play)
{
	struct value *prompted, *play_vars = NULL;

	rs->play = play;
	rs->end_play = 0;
	vars_play_begin(rs->vars, play);
	if ((prompted = pbprompt_vars(rs, play)) != NULL) {
		/* The answers are play vars, as Ansible's play.vars[name]. */
		play_vars = play->obj.kw[PB_KW_VARS];
		play->obj.kw[PB_KW_VARS] = prompted;
		vars_play_begin(rs->vars, play);
	}
	if (rs->fatal == NULL)
		pbrun_play_batches(rs, play);
	if (prompted != NULL) {
		play->obj.kw[PB_KW_VARS] = play_vars;
		value_unref(prompted);
	}
}

static void pbrun_play_batches(struct pbrun_state *rs, struct pb_play *play)
{
	struct inv_host **sel = NULL;
	struct pbhost **hosts = NULL;
	struct pb_block **blocks = NULL;
	size_t nsel = 0, nblocks = 0, i, start, size, batch_no = 0, n = 0, failed;
	int err, free_strategy;

	human_play_start(&rs->out, pb_play_name(play), rs->o->check);
	if ((free_strategy = pbrun_strategy(rs, play)) < 0)
		return;
	if (pbrun_select(rs, play, &sel, &nsel) != 0 || nsel == 0) {
		human_no_hosts(&rs->out);
		free(sel);
		return;
	}
	hosts = xcalloc(nsel, sizeof(*hosts));
	for (i = 0; i < nsel; i++)
		hosts[i] = pbrun_host(rs, sel[i]);
	vars_play_set_hosts(rs->vars, sel, nsel);
	pb_play_compile(play, rs->o->force_handlers, &blocks, &nblocks);
	/* Batches are cut from all the play's hosts, as Ansible's; hosts that
	 * failed or were unreachable earlier then stay out of theirs. */
	for (start = 0; start < nsel && rs->end_play != 1; start += size) {
		size = pbrun_batch_size(rs, nsel, batch_no++, &err);
		if (size > nsel - start)
			size = nsel - start;
		/* Each later serial batch is announced as the play again. */
		if (batch_no > 1)
			human_play_start(&rs->out, pb_play_name(play), rs->o->check);
		n = pbrun_batch_begin(rs, hosts + start, size, blocks, nblocks);
		rs->norder = rs->cur = 0;
		pbrun_order_insert(rs, blocks, nblocks);
		rs->end_play = 0;
		pbrun_start_at(rs, hosts + start, n);
		pbrun_gather_facts(rs, hosts + start, n);
		if (free_strategy)
			pbfree_run(rs, hosts + start, n);
		else
			pbrun_linear(rs, hosts + start, n);
		for (i = failed = 0; i < n; i++) {
			iter_fini(&hosts[start + i]->it);
			failed += hosts[start + i]->failed_run || hosts[start + i]->unreachable_run;
		}
		/* A batch whose every host failed ends the playbook, as Ansible's. */
		if (rs->break_play || (size > 0 && failed == size)) {
			rs->break_play = 1;
			break;
		}
	}
	free(blocks);
	free(hosts);
	free(sel);
	free(rs->order);
	rs->order = NULL;
	free(rs->dyn_handlers);
	rs->dyn_handlers = NULL;
	rs->ndyn_handlers = 0;
	rs->norder = rs->cur = 0;
}

static int pbrun_exit_code(struct pbrun_state *rs)
{
	size_t i;
	int failed = 0, unreachable = 0;

	for (i = 0; i < rs->nhosts; i++) {
		unreachable |= rs->hosts[i]->st.unreachable > 0;
		/* Hosts whose failures a rescue caught do not count, even when the
		 * recap shows them (a file an include could not load). */
		failed |= rs->hosts[i]->failed_run;
	}
	return unreachable ? 4 : failed ? 2 : 0;
}

void pbrun_profile_add(struct pbrun_state *rs, const void *t, const char *name, double secs)
{
	size_t i;

	for (i = 0; i < rs->nprof && rs->prof[i].task != t; i++)
		;
	if (i == rs->nprof) {
		rs->prof = xreallocarray(rs->prof, rs->nprof + 1, sizeof(*rs->prof));
		rs->nprof++;
	}
	rs->prof[i].task = t;
	rs->prof[i].name = name;
	rs->prof[i].secs = secs;
}

static int pbrun_prof_cmp(const void *a, const void *b)
{
	const struct pbrun_prof *x = a, *y = b;

	return x->secs < y->secs ? 1 : x->secs > y->secs ? -1 : 0;
}

/* profile_tasks' summary: a rule, then the 20 slowest tasks, slowest first,
 * each "name ---- 1.23s" ("{name} " filled with '-' to the width less 9,
 * then " 1.23s" right-aligned in 9 with '-'). */
static void pbrun_profile_print(struct pbrun_state *rs)
{
	int width = rs->out.columns, col;
	struct buf b;
	char secs[32];
	size_t i;

	qsort(rs->prof, rs->nprof, sizeof(*rs->prof), pbrun_prof_cmp);
	/* The rule is profile_tasks' filled(""): 79 '=' and a space, whatever the width. */
	buf_init(&b, 0);
	for (col = 0; col < 79; col++)
		buf_putc(&b, '=');
	buf_puts(&b, " \n");
	for (i = 0; i < rs->nprof && i < 20; i++) {
		buf_printf(&b, "%s ", rs->prof[i].name);
		for (col = (int)strlen(rs->prof[i].name) + 1; col < width - 9; col++)
			buf_putc(&b, '-');
		snprintf(secs, sizeof(secs), " %.02fs", rs->prof[i].secs);
		for (col = (int)strlen(secs); col < 9; col++)
			buf_putc(&b, '-');
		buf_printf(&b, "%s\n", secs);
	}
	fd_write_all(STDOUT_FILENO, buf_ptr(&b), buf_avail(&b));
	buf_fini(&b);
}

static int pbrun_processed(const struct human_stats *st)
{
	return st->ok || st->changed || st->unreachable || st->failures || st->skipped || st->rescued || st->ignored;
}

static void pbrun_recap(struct pbrun_state *rs)
{
	struct human_stats *stats = xcalloc(rs->nhosts ? rs->nhosts : 1, sizeof(*stats));
	size_t i;

	size_t n = 0;

	/* Ansible's recap lists the hosts something happened to. */
	for (i = 0; i < rs->nhosts; i++)
		if (pbrun_processed(&rs->hosts[i]->st))
			stats[n++] = rs->hosts[i]->st;
	human_recap(&rs->out, stats, n);
	free(stats);
	if (rs->o->start_at_task != NULL && !rs->start_done) {
		char *msg = xasprintf("No matching task \"%s\" found. Note: --start-at-task can only follow static "
		                      "includes.", rs->o->start_at_task);

		human_error_wrapped(&rs->out, msg);
		free(msg);
	}
}

int pbrun(struct pb_playbook *const *pbs, size_t n, struct inventory *inv, const struct pbrun_opts *o)
{
	struct pbrun_state rs;
	struct vars_opts vo;
	struct pb_play *const *plays;
	size_t i, j, np;
	int rc;

	memset(&rs, 0, sizeof(rs));
	rs.o = o;
	rs.inv = inv;
	rs.loop = ev_new();
	hostconn_env_init(&rs.env, rs.loop, o->conn);
	rs.tr = templar_new();
	memset(&vo, 0, sizeof(vo));
	vo.extra_vars = o->extra_vars;
	vo.check_mode = o->check;
	vo.diff_mode = o->diff;
	vo.forks = o->conn->forks;
	vo.verbosity = o->verbosity;
	vo.run_tags = o->only_tags;
	vo.skip_tags = o->skip_tags;
	/* -l is a single option in Ansible: the last one given is ansible_limit. */
	vo.limit = o->nlimits > 0 ? o->limits[o->nlimits - 1] : NULL;
	rs.vars = vars_run_new(inv, rs.tr, &vo);
	human_init(&rs.out, o->verbosity);
	rs.out.json = o->json;
	for (i = 0; i < n; i++) {
		human_playbook_start(&rs.out, playbook_path(pbs[i]));
		plays = playbook_plays(pbs[i], &np);
		rs.break_play = 0;
		for (j = 0; j < np && rs.fatal == NULL && !rs.break_play; j++)
			pbrun_play(&rs, plays[j]);
	}
	if (rs.fatal != NULL) {
		human_error(&rs.out, rs.fatal);
		free(rs.fatal);
		rc = 1;
	} else {
		pbrun_recap(&rs);
		if (o->profile && !o->json)
			pbrun_profile_print(&rs);
		rc = pbrun_exit_code(&rs);
	}
	for (i = 0; i < rs.nhosts; i++) {
		hostconn_close(rs.hosts[i]->hc);
		value_unref(rs.hosts[i]->notified);
		free(rs.hosts[i]);
	}
	free(rs.hosts);
	hostconn_close(rs.local_hc);
	free(rs.prof);
	hostconn_env_fini(&rs.env);
	/* Workers exit on BYE; let the loop see them go. */
	while (ev_run_once(rs.loop, 200) == 0 && rs.running > 0)
		;
	ev_run(rs.loop);
	human_fini(&rs.out);
	vars_run_free(rs.vars);
	templar_free(rs.tr);
	ev_free(rs.loop);
	return rc;
}
