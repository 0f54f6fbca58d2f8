/* Dynamic include_tasks on a group of hosts, as Ansible's linear strategy
 * runs it: the include task is evaluated per host (when, the file name
 * templated with the host's variables), hosts that include the same file
 * are announced together ("included: <path> for h1, h2"), and the file's
 * blocks run next in each of those hosts' iterators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	struct value *from;  /* include_role: the templated *_from arguments, or NULL */
	struct pbhost **hosts;
	size_t nhosts;
	struct pb_block **blocks;
	size_t nblocks;
};

struct pbinc {
	struct pbrun_state *rs;
	struct pb_task *t;
	int role;            /* include_role (path is then the role's name) */
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
                      const struct value *item, const struct value *from);

/* One evaluation (the task, or one loop item with locals set in vc): when,
 * then the file name. Returns 1 and *pathp when the host includes a file,
 * 0 when it skips (an item's skip is printed), -1 on an error (d set). */
/* include_role's tasks_from, vars_from, defaults_from, handlers_from,
 * templated (NULL when none is given). */
static int pbinc_from(struct vars_ctx *vc, const struct value *args, struct value **fromp, struct diag *d)
{
	static const char *const keys[] = {"tasks", "vars", "defaults", "handlers"};
	char key[32];
	const struct value *v;
	struct value *out;
	size_t i;
	int r = 0;

	*fromp = NULL;
	for (i = 0; i < 4 && r == 0; i++) {
		snprintf(key, sizeof(key), "%s_from", keys[i]);
		if ((v = value_map_get(args, key)) == NULL)
			continue;
		if ((r = vars_template(vc, v, &out, d)) != 0)
			break;
		if (*fromp == NULL)
			*fromp = value_map();
		value_map_set(*fromp, keys[i], out);
	}
	return r;
}

static int pbinc_eval(struct pbinc *g, struct pbhost *ph, struct vars_ctx *vc, const struct value *item_result,
                      char **pathp, struct value **fromp, struct diag *d)
{
	struct value *when = pb_obj_kw(&g->t->obj, PB_KW_WHEN), *name = NULL;
	const struct value *raw = value_map_get(g->t->args, g->role ? "name" : "_raw_params");
	struct tpl_scope s;
	size_t i;
	int ok = 1, r = 0;

	*fromp = NULL;
	if (raw == NULL)
		raw = value_map_get(g->t->args, g->role ? "role" : "file");
	vars_scope(vc, &s);
	for (i = 0; r == 0 && i < value_len(when) && ok; i++)
		r = templar_cond(g->rs->tr, value_list_at(when, i), &s, &ok, d);
	value_unref(when);
	if (r == 0 && ok && raw != NULL)
		r = vars_template(vc, raw, &name, d);
	if (r == 0 && ok && (name == NULL || value_cstr(name) == NULL)) {
		diag_set(d, NULL, 0, 0, g->role ? "'name' is a required field for include_role."
		                                 : "No file specified for include_tasks");
		r = ERR_INVAL;
	}
	if (r == 0 && ok && g->role)
		r = pbinc_from(vc, g->t->args, fromp, d);
	if (r != 0) {
		value_unref(name);
		return -1;
	}
	if (ok)
		*pathp = g->role ? xstrdup(value_cstr(name)) : pb_include_path(g->t, value_cstr(name));
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
	struct value *locals, *item, *from = NULL;
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
		if ((r = pbinc_eval(g, ph, &vc, NULL, &path, &from, &d)) == 1)
			pbinc_add(g, ph, path, NULL, NULL, from);
		value_unref(from);
		any = r == 1;
	} else {
		for (i = 0; i < value_len(lp.items) && r >= 0; i++) {
			locals = vars_loop_locals(lp.loop_var, value_list_at(lp.items, i), lp.index_var, i, lp.items,
			                          lp.extended, 1);
			vc.locals = locals;
			item = pbinc_item(locals, lp.loop_var, value_list_at(lp.items, i));
			if ((r = pbinc_eval(g, ph, &vc, item, &path, &from, &d)) == 1) {
				pbinc_add(g, ph, path, locals, item, from);
				any++;
			}
			value_unref(from);
			value_unref(item);
			value_unref(locals);
		}
	}
	if (r < 0)
		pbinc_fail(g, ph, "msg", d.msg != NULL ? d.msg : "include_tasks failed", 1);
	else if (any && !g->role) /* include_role counts nothing itself */
		ph->st.ok += any;
	else if (any)
		;
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
static int pbinc_same(const struct value *a, const struct value *b)
{
	return a == b || (a != NULL && b != NULL && value_equal(a, b));
}

static void pbinc_add(struct pbinc *g, struct pbhost *ph, char *path, const struct value *vars,
                      const struct value *item, const struct value *from)
{
	struct pbinc_file *f = NULL;
	size_t i;

	for (i = 0; i < g->nfiles && f == NULL; i++)
		if (strcmp(g->files[i].path, path) == 0 && pbinc_same(g->files[i].vars, vars) &&
		    pbinc_same(g->files[i].from, from))
			f = &g->files[i];
	if (f == NULL) {
		g->files = xreallocarray(g->files, g->nfiles + 1, sizeof(*g->files));
		f = &g->files[g->nfiles++];
		memset(f, 0, sizeof(*f));
		f->path = path;
		f->vars = vars ? value_ref((struct value *)vars) : NULL;
		f->item = item ? value_ref((struct value *)item) : NULL;
		f->from = from ? value_ref((struct value *)from) : NULL;
	} else {
		free(path);
	}
	f->hosts = xreallocarray(f->hosts, f->nhosts + 1, sizeof(*f->hosts));
	f->hosts[f->nhosts++] = ph;
}

/* include_role: the role's blocks, and its handlers join the play's. */
static int pbinc_load_role(struct pbinc *g, struct pbinc_file *f, struct diag *d)
{
	struct pbrun_state *rs = g->rs;
	struct pb_block **hb = NULL;
	size_t nh = 0, i, j;
	int r;

	r = pb_include_role(rs->play->pb, g->t, f->path, f->from, NULL, &f->blocks, &f->nblocks, &hb, &nh, d);
	for (i = 0; r == 0 && i < nh; i++) {
		for (j = 0; j < rs->ndyn_handlers && rs->dyn_handlers[j] != hb[i]; j++)
			;
		if (j == rs->ndyn_handlers) {
			rs->dyn_handlers = xreallocarray(rs->dyn_handlers, rs->ndyn_handlers + 1, sizeof(*rs->dyn_handlers));
			rs->dyn_handlers[rs->ndyn_handlers++] = hb[i];
		}
	}
	free(hb);
	return r;
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
	int r;

	diag_init(&d);
	if (g->role) {
		if ((r = pbinc_load_role(g, f, &d)) == 0) {
			diag_fini(&d);
			return 0;
		}
	} else {
		r = pb_include_tasks(g->rs->play->pb, g->t, f->path, f->vars, &f->blocks, &f->nblocks, &d);
	}
	if (r != 0) {
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
		if (g->files[i].nblocks == 0)
			continue; /* empty, or not loaded */
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
				if (g->files[k].nblocks > 0 && pbinc_has(&g->files[k], ph)) {
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
	char *where, *role_name = NULL;
	struct timespec t0, t1;
	size_t i;

	memset(&g, 0, sizeof(g));
	g.rs = rs;
	g.t = t;
	g.role = t->type == PB_TASK_INCLUDE_ROLE;
	where = xasprintf("%s:%u", t->obj.pos.file ? t->obj.pos.file : "?", (unsigned)t->obj.pos.line);
	g.ht.id = t;
	g.ht.prefix = "TASK";
	g.ht.name = pb_task_name(t);
	/* An unnamed include_role shows as Ansible's "include_role : <name as written>". */
	if (g.role && t->obj.kw[PB_KW_NAME] == NULL && value_cstr(value_map_get(t->args, "name")) != NULL) {
		role_name = xasprintf("%s : %s", pb_task_name(t), value_cstr(value_map_get(t->args, "name")));
		g.ht.name = role_name;
	}
	g.ht.path = where;
	g.ht.check = rs->o->check;
	human_task_start(&rs->out, &g.ht);
	clock_gettime(CLOCK_MONOTONIC, &t0);
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
		value_unref(g.files[i].from);
		free(g.files[i].hosts);
		free(g.files[i].blocks);
	}
	free(g.files);
	if (rs->o->profile) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		pbrun_profile_add(rs, t, g.ht.name, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	free(where);
	free(role_name);
}
