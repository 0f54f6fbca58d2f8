/* Ad-hoc result lines in Ansible's minimal and oneline formats. */
#include "output/adhoc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/json.h"

/* Ansible's default colours (constants COLOR_OK, COLOR_CHANGED, ...). */
#define COLOR_OK "0;32"
#define COLOR_CHANGED "0;33"
#define COLOR_ERROR "0;31"
#define COLOR_UNREACHABLE "1;31"
#define COLOR_SKIP "0;36"

int out_color_wanted(int fd)
{
	const char *e;

	if (((e = getenv("ANSIBLE_NOCOLOR")) != NULL && *e && strcmp(e, "0") != 0 && strcasecmp(e, "false") != 0) ||
	    getenv("NO_COLOR") != NULL)
		return 0;
	if ((e = getenv("ANSIBLE_FORCE_COLOR")) != NULL && *e && strcmp(e, "0") != 0 &&
	    strcasecmp(e, "false") != 0)
		return 1;
	return isatty(fd);
}

static struct value *strip_internal(const struct value *v)
{
	struct value *c;
	const struct value *k;
	size_t i;

	if (v->type == VALUE_LIST) {
		c = value_list();
		for (i = 0; i < v->u.l.len; i++)
			value_list_push(c, strip_internal(v->u.l.items[i]));
		return c;
	}
	if (v->type != VALUE_MAP)
		return value_ref((struct value *)v);
	c = value_map();
	for (i = 0; i < v->u.m.len; i++) {
		k = v->u.m.ents[i].key;
		if (k->u.s.len >= 9 && memcmp(k->u.s.ptr, "_ansible_", 9) == 0)
			continue;
		value_map_set_key(c, value_ref((struct value *)k), strip_internal(v->u.m.ents[i].val));
	}
	return c;
}

struct value *out_clean_result(const struct value *result, int verbosity)
{
	struct value *c = strip_internal(result);

	/* The event already says failed or skipped (TaskResult.clean_copy). */
	value_map_del(c, "failed");
	value_map_del(c, "skipped");
	if (verbosity < 3) {
		value_map_del(c, "invocation");
		value_map_del(c, "diff");
	}
	value_map_del(c, "exception");
	return c;
}

static const char *str_or(const struct value *m, const char *key)
{
	const struct value *v = value_map_get(m, key);

	return v != NULL && v->type == VALUE_STR ? v->u.s.ptr : "";
}

static void put_rc(struct buf *b, const struct value *result)
{
	const struct value *rc = value_map_get(result, "rc");

	if (rc == NULL)
		buf_puts(b, "-1");
	else if (rc->type == VALUE_STR)
		buf_put(b, rc->u.s.ptr, rc->u.s.len);
	else
		json_encode(b, rc, 0);
}

/* Appends s with newlines and carriage returns shown as \n and \r. */
static void put_escaped_lines(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			buf_puts(b, "\\n");
		else if (*s == '\r')
			buf_puts(b, "\\r");
		else
			buf_putc(b, *s);
	}
}

static void put_generic(struct buf *b, const struct adhoc_style *st, const char *host, const char *caption,
                        const struct value *result)
{
	const char *err = str_or(result, "stderr");

	buf_printf(b, "%s | %s | rc=", host, caption);
	put_rc(b, result);
	if (st->oneline) {
		buf_puts(b, " | (stdout) ");
		put_escaped_lines(b, str_or(result, "stdout"));
		if (*err) {
			buf_puts(b, " (stderr) ");
			put_escaped_lines(b, err);
		}
		return;
	}
	buf_puts(b, " >>\n");
	buf_puts(b, str_or(result, "stdout"));
	buf_puts(b, err);
	buf_puts(b, str_or(result, "msg"));
	buf_puts(b, "\n");
}

static void put_json(struct buf *b, const struct adhoc_style *st, const struct value *result)
{
	struct value *clean = out_clean_result(result, st->verbosity);
	struct buf j;
	const char *p;

	if (!st->oneline || st->verbosity > 2) {
		json_encode(b, clean, JSON_SORT_KEYS | JSON_INDENT(4));
	} else {
		buf_init(&j, 0);
		json_encode(&j, clean, JSON_SORT_KEYS | JSON_INDENT(0));
		for (p = buf_str(&j); *p; p++)
			if (*p != '\n')
				buf_putc(b, *p);
		buf_fini(&j);
	}
	value_unref(clean);
}

static void put_body(struct buf *b, const struct adhoc_style *st, const char *host, enum adhoc_status status,
                     const struct value *result)
{
	const char *state = value_get_bool(result, "changed", 0) ? "CHANGED" : "SUCCESS";

	switch (status) {
	case ADHOC_SKIPPED:
		buf_printf(b, "%s | SKIPPED", host);
		return;
	case ADHOC_UNREACHABLE:
		if (st->oneline) {
			buf_printf(b, "%s | UNREACHABLE!: %s", host, str_or(result, "msg"));
			return;
		}
		buf_printf(b, "%s | UNREACHABLE! => ", host);
		put_json(b, st, result);
		return;
	case ADHOC_FAILED:
		if (!st->oneline && st->no_json && value_map_get(result, "module_stderr") == NULL) {
			put_generic(b, st, host, "FAILED", result);
			return;
		}
		buf_printf(b, "%s | FAILED! => ", host);
		put_json(b, st, result);
		return;
	case ADHOC_OK:
		if (st->no_json && value_map_get(result, "ansible_job_id") == NULL) {
			put_generic(b, st, host, state, result);
			return;
		}
		buf_printf(b, "%s | %s => ", host, state);
		put_json(b, st, result);
		return;
	}
}

static const char *status_color(enum adhoc_status status, const struct value *result)
{
	switch (status) {
	case ADHOC_OK: return value_get_bool(result, "changed", 0) ? COLOR_CHANGED : COLOR_OK;
	case ADHOC_FAILED: return COLOR_ERROR;
	case ADHOC_UNREACHABLE: return COLOR_UNREACHABLE;
	case ADHOC_SKIPPED: return COLOR_SKIP;
	}
	return COLOR_OK;
}

/* Appends msg as Ansible's Display.display does: one trailing newline is
 * set aside, each line is coloured on its own, and a newline ends the text. */
static void put_display(struct buf *out, const char *msg, size_t len, const char *color)
{
	const char *p, *nl, *end;

	if (len > 0 && msg[len - 1] == '\n')
		len--;
	end = msg + len;
	if (color == NULL) {
		buf_put(out, msg, len);
	} else {
		for (p = msg;; p = nl + 1) {
			nl = memchr(p, '\n', (size_t)(end - p));
			buf_printf(out, "\033[%sm%.*s\033[0m", color, (int)((nl ? nl : end) - p), p);
			if (nl == NULL)
				break;
			buf_putc(out, '\n');
		}
	}
	buf_putc(out, '\n');
}

void out_adhoc_result(const struct adhoc_style *st, const char *host, enum adhoc_status status,
                      const struct value *result)
{
	struct buf body, line;

	buf_init(&body, 0);
	buf_init(&line, 0);
	put_body(&body, st, host, status, result);
	put_display(&line, buf_ptr(&body), buf_avail(&body), st->color ? status_color(status, result) : NULL);
	fd_write_all(STDOUT_FILENO, buf_ptr(&line), buf_avail(&line));
	buf_fini(&body);
	buf_fini(&line);
}
