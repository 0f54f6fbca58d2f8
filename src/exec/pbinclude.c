/* Dynamic include_tasks on a group of hosts, as Ansible's linear strategy
 * runs it: the include task is evaluated per host (when, the file name
 * templated with the host's variables), hosts that include the same file
 * are announced together ("included: <path> for h1, h2"), and the file's
 * blocks run next in each of those hosts' iterators. */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/xmalloc.h"
#include "exec/pbrun_priv.h"
#include "playbook/templar.h"

/* One file included by some of the group's hosts. */
struct pbinc_file {
	char *path;
	struct value *vars;  /* the loop item's names, or NULL */
	struct value *item;  /* the same as an item result, for its label */
	struct pbhost **hosts;
	size_t nhosts;
	struct pb_block **blocks;
	size_t nblocks;
};

struct pbinc {
	struct pbrun_state *rs;
	struct pb_task *t;
	struct human_task ht;
	struct pbinc_file *files;
	size_t nfiles;
};

static void pbinc_result(struct pbinc *g, struct pbhost *ph, enum human_status st, struct value *r, int item)
{
	struct human_result hr;

	memset(&hr, 0, sizeof(hr));
	hr.item = item;
	hr.task = &g->ht;
	hr.host = ph->name;
	hr.result = r;
	hr.action = "include_tasks";
	hr.status = st;
	human_result(&g->rs->out, &hr);
	value_unref(r);
}

/* The host fails the include task (ignore_errors is not read for includes
 * yet). A file that cannot be loaded counts as a failure even when a rescue
 * runs (loaded 0), as in Ansible. */
static void pbinc_fail(struct pbinc *g, struct pbhost *ph, const char *key, const char *msg, int loaded)
{
	struct value *r = value_map();
	struct vars_run *vars = g->rs->vars;

	value_map_set(r, "failed", value_bool(1));
	value_map_set(r, key, value_str(msg));
	iter_fail(&ph->it);
	if (loaded && iter_rescuing(&ph->it) && !ph->it.done) {
		struct value *task = value_map();

		value_map_set(task, "name", value_str(pb_task_name(g->t)));
		ph->st.rescued++;
		vars_set_failed(vars, ph->h, task, r);
		value_unref(task);
	} else {
		ph->st.failures++;
		if (!loaded && iter_rescuing(&ph->it) && !ph->it.done)
			vars_set_failed(vars, ph->h, NULL, r);
		else
			ph->failed_step = 1;
	}
	if (ph->it.done && ph->it.failed) {
		ph->removed = 1;
		ph->failed_run = 1;
		vars_host_set_failed(vars, ph->h, 1);
		vars_host_set_removed(vars, ph->h, 1);
	}
	pbinc_result(g, ph, HUMAN_FAILED, r, 0);
}

static struct value *pbinc_skip(const struct value *base)
{
	struct value *r = base != NULL ? value_dup(base) : value_map();

	value_map_set(r, "changed", value_bool(0));
	value_map_set(r, "skip_reason", value_str("Conditional result was False"));
	value_map_set(r, "skipped", value_bool(1));
	return r;
}

/* A loop item's names as its result carries them (the label is the item). */
static struct value *pbinc_item(const struct value *locals, const char *loop_var, const struct value *item)
{
	struct value *r = value_dup(locals);

	value_map_set(r, "ansible_loop_var", value_str(loop_var));
	value_map_set(r, "_ansible_item_label", value_ref((struct value *)item));
	return r;
}

/* Nothing included: the task was skipped (a loop's items were shown). */
static void pbinc_skipped(struct pbinc *g, struct pbhost *ph, int loop)
{
	struct value *r = pbinc_skip(NULL);

	if (loop) {
		value_map_set(r, "msg", value_str("All items skipped"));
		value_map_set(r, "results", value_list());
	}
	ph->st.skipped++;
	pbinc_result(g, ph, HUMAN_SKIPPED, r, 0);
}

static void pbinc_add(struct pbinc *g, struct pbhost *ph, char *path, const struct value *vars,
                      const struct value *item);

/* One evaluation (the task, or one loop item with locals set in vc): when,
 * then the file name. Returns 1 and *pathp when the host includes a file,
 * 0 when it skips (an item's skip is printed), -1 on an error (d set). */
static int pbinc_eval(struct pbinc *g, struct pbhost *ph, struct vars_ctx *vc, const struct value *item_result,
                      char **pathp, struct diag *d)
{
	struct value *when = pb_obj_kw(&g->t->obj, PB_KW_WHEN), *name = NULL;
	const struct value *raw = value_map_get(g->t->args, "_raw_params");
	struct tpl_scope s;
	size_t i;
	int ok = 1, r = 0;

	if (raw == NULL)
		raw = value_map_get(g->t->args, "file");
	vars_scope(vc, &s);
	for (i = 0; r == 0 && i < value_len(when) && ok; i++)
		r = templar_cond(g->rs->tr, value_list_at(when, i), &s, &ok, d);
	value_unref(when);
	if (r == 0 && ok && raw != NULL)
		r = vars_template(vc, raw, &name, d);
	if (r == 0 && ok && (name == NULL || value_cstr(name) == NULL)) {
		diag_set(d, NULL, 0, 0, "No file specified for include_tasks");
		r = ERR_INVAL;
	}
	if (r != 0) {
		value_unref(name);
		return -1;
	}
	if (ok)
		*pathp = pb_include_path(g->t, value_cstr(name));
	else if (item_result != NULL)
		pbinc_result(g, ph, HUMAN_SKIPPED, pbinc_skip(item_result), 1);
	value_unref(name);
	return ok;
}

/* The host's evaluations: the task once, or each loop item. */
static void pbinc_host(struct pbinc *g, struct pbhost *ph)
{
	struct pbtask_loop lp;
	struct vars_ctx vc;
	struct value *locals, *item;
	struct diag d;
	char *path = NULL;
	size_t i;
	int r = 0, any = 0; /* files included: each counts as ok, as in Ansible */

	diag_init(&d);
	memset(&lp, 0, sizeof(lp));
	if (vars_ctx_init(&vc, g->rs->vars, ph->h, g->rs->play, g->t, NULL, &d) != 0 ||
	    pbtask_loop(g->rs, ph, g->t, &lp, &d) != 0) {
		r = -1;
	} else if (lp.items == NULL) {
		if ((r = pbinc_eval(g, ph, &vc, NULL, &path, &d)) == 1)
			pbinc_add(g, ph, path, NULL, NULL);
		any = r == 1;
	} else {
		for (i = 0; i < value_len(lp.items) && r >= 0; i++) {
			locals = vars_loop_locals(lp.loop_var, value_list_at(lp.items, i), lp.index_var, i, lp.items,
			                          lp.extended, 1);
			vc.locals = locals;
			item = pbinc_item(locals, lp.loop_var, value_list_at(lp.items, i));
			if ((r = pbinc_eval(g, ph, &vc, item, &path, &d)) == 1) {
				pbinc_add(g, ph, path, locals, item);
				any++;
			}
			value_unref(item);
			value_unref(locals);
		}
	}
	if (r < 0)
		pbinc_fail(g, ph, "msg", d.msg != NULL ? d.msg : "include_tasks failed", 1);
	else if (any)
		ph->st.ok += any;
	else
		pbinc_skipped(g, ph, lp.items != NULL);
	value_unref(lp.items);
	value_unref(lp.label);
	diag_fini(&d);
}

static int pbinc_has(const struct pbinc_file *f, const struct pbhost *ph)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (f->hosts[i] == ph)
			return 1;
	return 0;
}

/* Hosts that include the same file with the same loop names share it. */
static void pbinc_add(struct pbinc *g, struct pbhost *ph, char *path, const struct value *vars,
                      const struct value *item)
{
	struct pbinc_file *f = NULL;
	size_t i;

	for (i = 0; i < g->nfiles && f == NULL; i++)
		if (strcmp(g->files[i].path, path) == 0 &&
		    (g->files[i].vars == vars || (vars != NULL && g->files[i].vars != NULL &&
		                                  value_equal(g->files[i].vars, vars))))
			f = &g->files[i];
	if (f == NULL) {
		g->files = xreallocarray(g->files, g->nfiles + 1, sizeof(*g->files));
		f = &g->files[g->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = path;
		f->vars = vars ? value_ref((struct value *)vars) : NULL;
		f->item = item ? value_ref((struct value *)item) : NULL;
	} else {
		free(path);
	}
	f->hosts = xreallocarray(f->hosts, f->nhosts + 1, sizeof(*f->hosts));
	f->hosts[f->nhosts++] = ph;
}

/* Loads the file and announces it, or fails its hosts when it cannot be
 * loaded (Ansible's reason has no "Unable to retrieve file contents" line). */
static int pbinc_load(struct pbinc *g, struct pbinc_file *f)
{
	static const char unable[] = "Unable to retrieve file contents\n";
	struct buf b;
	struct diag d;
	const char *msg;
	size_t i;

	diag_init(&d);
	if (pb_include_tasks(g->rs->play->pb, g->t, f->path, f->vars, &f->blocks, &f->nblocks, &d) != 0) {
		msg = d.msg != NULL ? d.msg : "cannot load the included file";
		if (strncmp(msg, unable, sizeof(unable) - 1) == 0)
			msg += sizeof(unable) - 1;
		for (i = 0; i < f->nhosts; i++) {
			f->hosts[i]->st.ok--;
			pbinc_fail(g, f->hosts[i], "reason", msg, 0);
		}
		diag_fini(&d);
		return -1;
	}
	diag_fini(&d);
	buf_init(&b, 0);
	buf_printf(&b, "%s for ", f->path);
	for (i = 0; i < f->nhosts; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", f->hosts[i]->name);
	human_included(&g->rs->out, &g->ht, buf_str(&b), f->item);
	buf_fini(&b);
	return 0;
}

/* Each host runs the blocks of its files next, in the files' order; the
 * run order gets them at the cursor. */
static void pbinc_queue(struct pbinc *g)
{
	struct pb_block **all = NULL, **mine;
	size_t nall = 0, nmine, i, j, k;
	struct pbhost *ph;

	for (i = 0; i < g->nfiles; i++) {
		all = xreallocarray(all, nall + g->files[i].nblocks + 1, sizeof(*all));
		memcpy(all + nall, g->files[i].blocks, g->files[i].nblocks * sizeof(*all));
		nall += g->files[i].nblocks;
	}
	pbrun_order_insert(g->rs, all, nall);
	for (i = 0; i < g->nfiles; i++)
		for (j = 0; j < g->files[i].nhosts; j++)
			g->files[i].hosts[j]->queued = NULL;
	mine = xcalloc(nall + 1, sizeof(*mine));
	for (i = 0; i < g->nfiles; i++) {
		for (j = 0; j < g->files[i].nhosts; j++) {
			ph = g->files[i].hosts[j];
			if (ph->removed || ph->queued == g)
				continue;
			ph->queued = g;
			nmine = 0;
			for (k = i; k < g->nfiles; k++)
				if (pbinc_has(&g->files[k], ph)) {
					memcpy(mine + nmine, g->files[k].blocks, g->files[k].nblocks * sizeof(*mine));
					nmine += g->files[k].nblocks;
				}
			iter_push_blocks(&ph->it, mine, nmine);
		}
	}
	free(mine);
	free(all);
}

void pbinclude_run_group(struct pbrun_state *rs, struct pb_task *t, struct pbhost **group, size_t n)
{
	struct pbinc g;
	char *where;
	size_t i;

	memset(&g, 0, sizeof(g));
	g.rs = rs;
	g.t = t;
	where = xasprintf("%s:%u", t->obj.pos.file ? t->obj.pos.file : "?", (unsigned)t->obj.pos.line);
	g.ht.id = t;
	g.ht.prefix = "TASK";
	g.ht.name = pb_task_name(t);
	g.ht.path = where;
	g.ht.check = rs->o->check;
	human_task_start(&rs->out, &g.ht);
	for (i = 0; i < n; i++)
		pbinc_host(&g, group[i]);
	for (i = 0; i < g.nfiles; i++)
		if (pbinc_load(&g, &g.files[i]) != 0)
			g.files[i].nblocks = 0;
	pbinc_queue(&g);
	for (i = 0; i < g.nfiles; i++) {
		free(g.files[i].path);
		value_unref(g.files[i].vars);
		value_unref(g.files[i].item);
		free(g.files[i].hosts);
		free(g.files[i].blocks);
	}
	free(g.files);
	free(where);
}
