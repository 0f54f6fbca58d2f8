/* Ansible's default stdout callback, event by event. */
#include "output/human.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "output/adhoc.h"
#include "output/human_json.h"
#include "output/udiff.h"
#include "template/pyval.h"

#define C_OK "0;32"
#define C_CHANGED "0;33"
#define C_ERROR "0;31"
#define C_UNREACHABLE "1;31"
#define C_SKIP "0;36"
#define C_WARN "1;35"
#define C_DEBUG "0;90"
#define C_VERBOSE "0;34"

void human_init(struct human *h, int verbosity)
{
	struct winsize ws;
	int tty = 0;

	memset(h, 0, sizeof(*h));
	h->verbosity = verbosity;
	h->color = out_color_wanted(STDOUT_FILENO);
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		tty = ws.ws_col;
	h->columns = tty - 1 > 79 ? tty - 1 : 79;
	h->check_markers = 0;
	h->show_skipped = 1;
	h->show_ok = 1;
	h->diff_context = 3;
}

void human_fini(struct human *h)
{
	size_t i;

	for (i = 0; i < h->nwarned; i++)
		free(h->warned[i]);
	free(h->warned);
	h->warned = NULL;
	h->nwarned = 0;
}

/* Display.display: one trailing newline set aside, each line coloured on its
 * own, a newline added; one write so lines never interleave. */
static void human_display(struct human *h, const char *msg, const char *color, int fd)
{
	struct buf b;
	size_t len = strlen(msg);
	const char *p, *nl, *end;

	buf_init(&b, 0);
	if (len > 0 && msg[len - 1] == '\n')
		len--;
	end = msg + len;
	if (color == NULL || !h->color) {
		buf_put(&b, msg, len);
	} else {
		for (p = msg;; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			buf_printf(&b, "\033[%sm%.*s\033[0m", color, (int)((nl ? nl : end) - p), p);
			if (nl == NULL)
				break;
			buf_putc(&b, '\n');
		}
	}
	buf_putc(&b, '\n');
	fd_write_all(fd, buf_ptr(&b), buf_avail(&b));
	buf_fini(&b);
}

static void human_banner(struct human *h, const char *msg, const char *color)
{
	struct buf b;
	int stars = h->columns - (int)strlen(msg);

	if (stars <= 3)
		stars = 3;
	buf_init(&b, 0);
	buf_printf(&b, "\n%s ", msg);
	while (stars-- > 0)
		buf_putc(&b, '*');
	human_display(h, buf_str(&b), color, STDOUT_FILENO);
	buf_fini(&b);
}

void human_playbook_start(struct human *h, const char *path)
{
	if (h->json) {
		struct value *f = value_map();

		value_map_set(f, "path", value_str(path));
		hjson_emit("playbook_start", f);
		return;
	}
	const char *base = strrchr(path, '/');
	char *msg;

	if (h->verbosity <= 1)
		return;
	msg = xasprintf("PLAYBOOK: %s", base ? base + 1 : path);
	human_banner(h, msg, NULL);
	free(msg);
}

void human_play_start(struct human *h, const char *name, int check)
{
	if (h->json) {
		struct value *f = value_map();

		value_map_set(f, "name", value_str(name));
		hjson_emit("play_start", f);
		return;
	}
	char *msg = xasprintf("PLAY [%s]%s", name, check && h->check_markers ? " [CHECK MODE]" : "");

	human_banner(h, msg, NULL);
	free(msg);
}

void human_task_start(struct human *h, const struct human_task *t)
{
	if (h->json) {
		struct value *f = value_map();

		value_map_set(f, "name", value_str(t->name));
		value_map_set(f, "handler", value_bool(strcmp(t->prefix, "TASK") != 0));
		h->last_banner = t->id;
		hjson_emit("task_start", f);
		return;
	}
	char *msg = xasprintf("%s [%s]%s", t->prefix, t->name, t->check && h->check_markers ? " [CHECK MODE]" : "");

	human_banner(h, msg, NULL);
	free(msg);
	h->last_banner = t->id;
	if (h->verbosity >= 2 && t->path != NULL) {
		msg = xasprintf("task path: %s", t->path);
		human_display(h, msg, C_DEBUG, STDOUT_FILENO);
		free(msg);
	}
}

static void human_need_banner(struct human *h, const struct human_task *t)
{
	if (h->last_banner != t->id)
		human_task_start(h, t);
}

/* Appends the result as the callback's _dump_results does: compact JSON,
 * or indented at -vvv and for results that ask for it (debug). */
static void human_dump(struct human *h, struct buf *b, const struct value *r)
{
	struct value *clean = out_clean_result(r, h->verbosity);
	int indent = h->verbosity > 2 || value_get_bool(r, "_ansible_verbose_always", 0);

	/* The callback's _handle_warnings showed them on lines of their own
	 * and took them out of the result. */
	if (value_len(value_map_get(clean, "warnings")) > 0)
		value_map_del(clean, "warnings");
	json_encode(b, clean, JSON_SORT_KEYS | (indent ? JSON_INDENT(4) : 0));
	value_unref(clean);
}

static int human_verbose(const struct human *h, const struct value *r)
{
	return (h->verbosity > 0 || value_get_bool(r, "_ansible_verbose_always", 0)) &&
	       !value_get_bool(r, "_ansible_verbose_override", 0);
}

/* The callback's _clean_results: debug shows only what it was asked to. */
static struct value *human_clean(const struct value *r, const char *action)
{
	static const char *const hide[] = {"changed", "failed", "skipped", "invocation", "skip_reason"};
	struct value *c = value_ref((struct value *)r);
	const struct value *k;
	size_t i;

	if (action == NULL || strcmp(action, "debug") != 0)
		return c;
	if (value_map_get(r, "msg") != NULL) {
		value_mut(&c);
		for (i = value_len(c); i-- > 0;) {
			k = value_map_key_at(c, i);
			if (k->u.s.ptr[0] != '_' && strcmp(k->u.s.ptr, "msg") != 0 && strcmp(k->u.s.ptr, "exception") != 0 &&
			    strcmp(k->u.s.ptr, "warnings") != 0 && strcmp(k->u.s.ptr, "deprecations") != 0)
				value_map_del(c, k->u.s.ptr);
		}
		return c;
	}
	value_mut(&c);
	for (i = 0; i < sizeof(hide) / sizeof(hide[0]); i++)
		value_map_del(c, hide[i]);
	return c;
}

static void human_warnings(struct human *h, const struct value *r)
{
	const struct value *w = value_map_get(r, "warnings");
	size_t i;

	for (i = 0; i < value_len(w); i++)
		if (value_cstr(value_list_at(w, i)) != NULL)
			human_warning(h, value_cstr(value_list_at(w, i)));
}

static void human_exception(struct human *h, const struct value *r)
{
	const char *ex = value_get_str(r, "exception", NULL);
	const char *last;
	size_t n;
	char *msg;

	if (ex == NULL)
		return;
	n = strlen(ex);
	while (n > 0 && (ex[n - 1] == '\n' || ex[n - 1] == ' '))
		n--;
	for (last = ex + n; last > ex && last[-1] != '\n'; last--)
		;
	if (h->verbosity < 3)
		msg = xasprintf("An exception occurred during task execution. To see the full traceback, use -vvv. "
		                "The error was: %.*s", (int)(ex + n - last), last);
	else
		msg = xasprintf("An exception occurred during task execution. The full traceback is:\n%s", ex);
	human_display(h, msg, C_ERROR, STDERR_FILENO);
	free(msg);
}

static void human_label(struct buf *b, const struct human_result *r)
{
	buf_puts(b, r->host);
	if (r->delegate_to != NULL && strcmp(r->delegate_to, r->host) != 0) {
		buf_printf(b, " -> %s", r->delegate_to);
		if (r->delegate_host != NULL && strcmp(r->delegate_host, r->delegate_to) != 0)
			buf_printf(b, "(%s)", r->delegate_host);
	}
}

static void human_item_label(struct buf *b, const struct value *r)
{
	const struct value *item = value_map_get(r, "_ansible_item_label");

	if (value_get_bool(r, "_ansible_no_log", 0)) {
		buf_puts(b, "(censored due to no_log)");
		return;
	}
	if (item == NULL)
		item = value_map_get(r, "item");
	if (item == NULL)
		buf_puts(b, "None");
	else
		pyval_str(NULL, b, item);
}

/* The item label is read from the whole result, before debug's cleaning. */
static void human_item(struct human *h, const struct human_result *r, const struct value *res)
{
	const struct value *raw = r->result;
	int changed = value_get_bool(res, "changed", 0);
	const char *color;
	struct buf b;

	buf_init(&b, 0);
	switch (r->status) {
	case HUMAN_OK:
		if (!changed && !h->show_ok)
			goto out;
		color = changed ? C_CHANGED : C_OK;
		buf_printf(&b, "%s: [", changed ? "changed" : "ok");
		human_label(&b, r);
		buf_puts(&b, "] => (item=");
		human_item_label(&b, raw);
		buf_putc(&b, ')');
		if (human_verbose(h, res)) {
			buf_puts(&b, " => ");
			human_dump(h, &b, res);
		}
		break;
	case HUMAN_FAILED:
		color = C_ERROR;
		human_exception(h, res);
		buf_puts(&b, "failed: [");
		human_label(&b, r);
		buf_puts(&b, "] (item=");
		human_item_label(&b, raw);
		buf_puts(&b, ") => ");
		human_dump(h, &b, res);
		break;
	case HUMAN_SKIPPED:
		if (!h->show_skipped)
			goto out;
		color = C_SKIP;
		buf_printf(&b, "skipping: [%s] => (item=", r->host);
		human_item_label(&b, raw);
		buf_puts(&b, ") ");
		if (human_verbose(h, res)) {
			buf_puts(&b, " => ");
			human_dump(h, &b, res);
		}
		break;
	default:
		color = C_UNREACHABLE;
		buf_puts(&b, "fatal: [");
		human_label(&b, r);
		buf_puts(&b, "]: UNREACHABLE! => ");
		human_dump(h, &b, res);
		break;
	}
	human_need_banner(h, r->task);
	human_warnings(h, res);
	human_display(h, buf_str(&b), color, STDOUT_FILENO);
out:
	buf_fini(&b);
}

static void human_ok(struct human *h, const struct human_result *r, const struct value *res)
{
	/* Read before cleaning, which drops debug's "changed" (changed_when: true). */
	int changed = value_get_bool(r->result, "changed", 0);
	struct buf b;

	if (!changed && !h->show_ok)
		return;
	human_need_banner(h, r->task);
	human_warnings(h, res);
	if (r->loop_summary)
		return; /* the items said it all */
	buf_init(&b, 0);
	buf_printf(&b, "%s: [", changed ? "changed" : "ok");
	human_label(&b, r);
	buf_putc(&b, ']');
	if (human_verbose(h, res)) {
		buf_puts(&b, " => ");
		human_dump(h, &b, res);
	}
	human_display(h, buf_str(&b), changed ? C_CHANGED : C_OK, STDOUT_FILENO);
	buf_fini(&b);
}

static void human_failed(struct human *h, const struct human_result *r, const struct value *res)
{
	struct buf b;

	human_need_banner(h, r->task);
	human_exception(h, res);
	human_warnings(h, res);
	if (!r->loop_summary) {
		buf_init(&b, 0);
		buf_puts(&b, "fatal: [");
		human_label(&b, r);
		buf_puts(&b, "]: FAILED! => ");
		human_dump(h, &b, res);
		human_display(h, buf_str(&b), C_ERROR, STDOUT_FILENO);
		buf_fini(&b);
	}
	if (r->ignore_errors)
		human_display(h, "...ignoring", C_SKIP, STDOUT_FILENO);
}

static void human_json_result(struct human *h, const struct human_result *r)
{
	static const char *const names[] = {"ok", "failed", "skipped", "unreachable"};
	struct value *f = value_map();
	int changed = value_get_bool(r->result, "changed", 0);

	(void)h;
	value_map_set(f, "task", value_str(r->task->name));
	value_map_set(f, "host", value_str(r->host));
	value_map_set(f, "status", value_str(r->status == HUMAN_OK && changed ? "changed" : names[r->status]));
	value_map_set(f, "item", value_bool(r->item));
	value_map_set(f, "ignored", value_bool(r->ignore_errors && r->status != HUMAN_OK && r->status != HUMAN_SKIPPED));
	if (r->delegate_to != NULL)
		value_map_set(f, "delegate_to", value_str(r->delegate_to));
	value_map_set(f, "result", hjson_public(r->result));
	hjson_emit("result", f);
}

static void human_json_summary(const struct human_stats *stats, size_t n)
{
	struct value *all = value_map(), *f = value_map(), *one;
	size_t i;

	for (i = 0; i < n; i++) {
		one = value_map();
		value_map_set(one, "ok", value_int(stats[i].ok));
		value_map_set(one, "changed", value_int(stats[i].changed));
		value_map_set(one, "unreachable", value_int(stats[i].unreachable));
		value_map_set(one, "failed", value_int(stats[i].failures));
		value_map_set(one, "skipped", value_int(stats[i].skipped));
		value_map_set(one, "rescued", value_int(stats[i].rescued));
		value_map_set(one, "ignored", value_int(stats[i].ignored));
		value_map_set(all, stats[i].host, one);
	}
	value_map_set(f, "stats", all);
	hjson_emit("summary", f);
}

void human_result(struct human *h, const struct human_result *r)
{
	if (h->json) {
		human_json_result(h, r);
		return;
	}
	struct value *res = human_clean(r->result, r->action);
	struct buf b;

	if (r->item) {
		human_item(h, r, res);
		value_unref(res);
		return;
	}
	switch (r->status) {
	case HUMAN_OK:
		human_ok(h, r, res);
		break;
	case HUMAN_FAILED:
		human_failed(h, r, res);
		break;
	case HUMAN_SKIPPED:
		if (!h->show_skipped || r->loop_summary)
			break;
		human_need_banner(h, r->task);
		buf_init(&b, 0);
		buf_printf(&b, "skipping: [%s]", r->host);
		if (human_verbose(h, res)) {
			buf_puts(&b, " => ");
			human_dump(h, &b, res);
		}
		human_display(h, buf_str(&b), C_SKIP, STDOUT_FILENO);
		buf_fini(&b);
		break;
	case HUMAN_UNREACHABLE:
		human_need_banner(h, r->task);
		buf_init(&b, 0);
		buf_puts(&b, "fatal: [");
		human_label(&b, r);
		buf_puts(&b, "]: UNREACHABLE! => ");
		human_dump(h, &b, res);
		human_display(h, buf_str(&b), C_UNREACHABLE, STDOUT_FILENO);
		buf_fini(&b);
		if (r->ignore_errors)
			human_display(h, "...ignoring", C_SKIP, STDOUT_FILENO);
		break;
	}
	value_unref(res);
}

void human_retry(struct human *h, const struct human_task *t, const char *host, int retries_left,
                 const struct value *result)
{
	if (h->json) {
		struct value *f = value_map();

		value_map_set(f, "task", value_str(t->name));
		value_map_set(f, "host", value_str(host));
		value_map_set(f, "retries_left", value_int(retries_left));
		hjson_emit("retry", f);
		return;
	}
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "FAILED - RETRYING: [%s]: %s (%d retries left).", host, t->name, retries_left);
	if ((h->verbosity >= 2 || value_get_bool(result, "_ansible_verbose_always", 0)) &&
	    !value_get_bool(result, "_ansible_verbose_override", 0)) {
		buf_puts(&b, "Result was: ");
		human_dump(h, &b, result);
	}
	human_display(h, buf_str(&b), C_DEBUG, STDOUT_FILENO);
	buf_fini(&b);
}

void human_no_hosts(struct human *h)
{
	if (h->json) {
		hjson_emit("no_hosts", NULL);
		return;
	}
	human_display(h, "skipping: no hosts matched", C_SKIP, STDOUT_FILENO);
}

void human_no_more_hosts(struct human *h)
{
	if (h->json) {
		hjson_emit("no_more_hosts", NULL);
		return;
	}
	human_banner(h, "NO MORE HOSTS LEFT", NULL);
}

/* textwrap.wrap(msg, width) for the plain words of a warning. */
static void human_wrap(struct buf *out, const char *msg, int width, int col0)
{
	const char *p = msg, *w;
	int col = col0, line_start = 1; /* nothing written on this line yet */
	size_t n;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *w && *w != ' ' && *w != '\t' && *w != '\n'; w++)
			;
		n = (size_t)(w - p);
		if (!line_start && col + 1 + (int)n > width) {
			buf_putc(out, '\n');
			col = 0;
		} else if (!line_start) {
			buf_putc(out, ' ');
			col++;
		}
		line_start = 0;
		buf_put(out, p, n);
		col += (int)n;
		p = w;
	}
}

void human_diff(struct human *h, const struct human_task *t, const struct value *r)
{
	if (h->json)
		return; /* the result carries its diff */
	const struct value *d = value_map_get(r, "diff");
	struct buf b;

	if (d == NULL || !pyval_truth(d) || !value_get_bool(r, "changed", 0))
		return;
	buf_init(&b, 0);
	if (udiff_ansible(&b, d, h->diff_context) > 0) {
		human_need_banner(h, t);
		human_display(h, buf_str(&b), NULL, STDOUT_FILENO);
	}
	buf_fini(&b);
}

void human_included(struct human *h, const struct human_task *t, const char *what, const struct value *item)
{
	if (h->json) {
		struct value *f = value_map();

		value_map_set(f, "task", value_str(t->name));
		value_map_set(f, "what", value_str(what));
		if (item != NULL)
			value_map_set(f, "item", hjson_public(item));
		hjson_emit("included", f);
		return;
	}
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "included: %s", what);
	if (item != NULL) {
		buf_puts(&b, " => (item=");
		human_item_label(&b, item);
		buf_putc(&b, ')');
	}
	human_need_banner(h, t);
	human_display(h, buf_str(&b), C_SKIP, STDOUT_FILENO);
	buf_fini(&b);
}

void human_error_wrapped(struct human *h, const char *msg)
{
	struct buf b;
	char *full = xasprintf("[ERROR]: %s", msg);

	/* Display.error wraps "\n[ERROR]: ...": the newline becomes a leading space. */
	buf_init(&b, 0);
	buf_putc(&b, ' ');
	human_wrap(&b, full, h->columns, 1);
	buf_putc(&b, '\n');
	free(full);
	human_display(h, buf_str(&b), C_ERROR, STDERR_FILENO);
	buf_fini(&b);
}

void human_error(struct human *h, const char *msg)
{
	char *full = xasprintf("ERROR! %s", msg);

	human_display(h, full, C_ERROR, STDERR_FILENO);
	free(full);
}

void human_warning(struct human *h, const char *msg)
{
	struct buf b;
	char *full = xasprintf("[WARNING]: %s", msg);
	size_t i;

	buf_init(&b, 0);
	human_wrap(&b, full, h->columns, 0);
	buf_putc(&b, '\n');
	free(full);
	for (i = 0; i < h->nwarned; i++) {
		if (strcmp(h->warned[i], buf_str(&b)) == 0) {
			buf_fini(&b);
			return;
		}
	}
	h->warned = xreallocarray(h->warned, h->nwarned + 1, sizeof(*h->warned));
	h->warned[h->nwarned++] = xstrdup(buf_str(&b));
	human_display(h, buf_str(&b), C_WARN, STDERR_FILENO);
	buf_fini(&b);
}

static int human_stats_cmp(const void *a, const void *b)
{
	return strcmp(((const struct human_stats *)a)->host, ((const struct human_stats *)b)->host);
}

/* "ok=1   " and friends: the count left-aligned in four columns. */
static void human_count(struct human *h, struct buf *b, const char *lead, int n, const char *color)
{
	char cell[64];

	snprintf(cell, sizeof(cell), "%s=%-4d", lead, n);
	if (n != 0 && h->color)
		buf_printf(b, "\033[%sm%s\033[0m", color, cell);
	else
		buf_puts(b, cell);
}

void human_recap(struct human *h, struct human_stats *stats, size_t n)
{
	if (h->json) {
		human_json_summary(stats, n);
		return;
	}
	struct buf b;
	const char *hc;
	size_t i;
	int k;

	human_banner(h, "PLAY RECAP", NULL);
	qsort(stats, n, sizeof(*stats), human_stats_cmp);
	for (i = 0; i < n; i++) {
		buf_init(&b, 0);
		if (h->color) {
			hc = stats[i].failures || stats[i].unreachable ? C_ERROR : stats[i].changed ? C_CHANGED : C_OK;
			buf_printf(&b, "\033[%sm%s\033[0m", hc, stats[i].host);
			/* Ansible pads the coloured name, escapes included, to 37. */
			for (k = (int)strlen(stats[i].host) + 11; k < 37; k++)
				buf_putc(&b, ' ');
		} else {
			buf_printf(&b, "%-26s", stats[i].host);
		}
		buf_puts(&b, " : ");
		human_count(h, &b, "ok", stats[i].ok, C_OK);
		buf_putc(&b, ' ');
		human_count(h, &b, "changed", stats[i].changed, C_CHANGED);
		buf_putc(&b, ' ');
		human_count(h, &b, "unreachable", stats[i].unreachable, C_UNREACHABLE);
		buf_putc(&b, ' ');
		human_count(h, &b, "failed", stats[i].failures, C_ERROR);
		buf_putc(&b, ' ');
		human_count(h, &b, "skipped", stats[i].skipped, C_SKIP);
		buf_putc(&b, ' ');
		human_count(h, &b, "rescued", stats[i].rescued, C_OK);
		buf_putc(&b, ' ');
		human_count(h, &b, "ignored", stats[i].ignored, C_WARN);
		human_display(h, buf_str(&b), NULL, STDOUT_FILENO);
		buf_fini(&b);
	}
	human_display(h, "", NULL, STDOUT_FILENO);
}
