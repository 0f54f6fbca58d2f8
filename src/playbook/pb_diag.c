/* Loader diagnostics: recording errors at value positions, Python-style
 * renderings of values for Ansible's messages, and the ERROR! layout. */
#include "playbook/pb_diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/fdutil.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "playbook/pb_priv.h"

#define PB_DIAG_REPR_MAX 2000 /* bytes of a value shown in a message */
#define PB_DIAG_FILE_MAX ((size_t)64 << 20)

static int pb_diag_vset(struct diag *d, int code, const struct value_pos *pos, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);

	if (pos != NULL)
		diag_set(d, pos->file, (int)pos->line, (int)pos->col, "%s", msg);
	else
		diag_set(d, NULL, 0, 0, "%s", msg);
	free(msg);
	return code;
}

int pb_err(struct pb_ctx *c, int code, const struct value *at, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pb_diag_vset(c->d, code, at != NULL ? &at->pos : NULL, fmt, ap);
	va_end(ap);
	return r;
}

int pb_err_pos(struct diag *d, int code, const struct value_pos *pos, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pb_diag_vset(d, code, pos, fmt, ap);
	va_end(ap);
	return r;
}

const char *pb_pytype(const struct value *v)
{
	switch (v == NULL ? VALUE_NULL : v->type) {
	case VALUE_NULL: return "<class 'NoneType'>";
	case VALUE_BOOL: return "<class 'bool'>";
	case VALUE_INT: return "<class 'int'>";
	case VALUE_FLOAT: return "<class 'float'>";
	case VALUE_STR: return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>";
	case VALUE_LIST: return "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>";
	case VALUE_MAP: return "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>";
	}
	return "<class 'object'>";
}

static void pb_diag_repr_str(struct buf *b, const char *s, size_t n)
{
	char q = memchr(s, '\'', n) != NULL && memchr(s, '"', n) == NULL ? '"' : '\'';
	size_t i;

	buf_putc(b, q);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\\' || ch == (unsigned char)q)
			buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			buf_puts(b, "\\n");
		else if (ch == '\r')
			buf_puts(b, "\\r");
		else if (ch == '\t')
			buf_puts(b, "\\t");
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(b, "\\x%02x", ch);
		else
			buf_putc(b, (char)ch);
	}
	buf_putc(b, q);
}

static void pb_diag_repr(struct buf *b, const struct value *v, int depth)
{
	size_t i;

	if (b->len > PB_DIAG_REPR_MAX)
		return;
	switch (v == NULL ? VALUE_NULL : v->type) {
	case VALUE_NULL: buf_puts(b, "None"); break;
	case VALUE_BOOL: buf_puts(b, v->u.b ? "True" : "False"); break;
	case VALUE_INT: buf_printf(b, "%lld", (long long)v->u.i); break;
	case VALUE_FLOAT: json_put_float(b, v->u.f); break;
	case VALUE_STR: pb_diag_repr_str(b, v->u.s.ptr, v->u.s.len); break;
	case VALUE_LIST:
		if (depth > 32) {
			buf_puts(b, "[...]");
			break;
		}
		buf_putc(b, '[');
		for (i = 0; i < v->u.l.len && b->len <= PB_DIAG_REPR_MAX; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			pb_diag_repr(b, v->u.l.items[i], depth + 1);
		}
		buf_putc(b, ']');
		break;
	case VALUE_MAP:
		if (depth > 32) {
			buf_puts(b, "{...}");
			break;
		}
		buf_putc(b, '{');
		for (i = 0; i < v->u.m.len && b->len <= PB_DIAG_REPR_MAX; i++) {
			if (i > 0)
				buf_puts(b, ", ");
			pb_diag_repr(b, v->u.m.ents[i].key, depth + 1);
			buf_puts(b, ": ");
			pb_diag_repr(b, v->u.m.ents[i].val, depth + 1);
		}
		buf_putc(b, '}');
		break;
	}
}

const char *pb_pyrepr(struct pb_playbook *pb, const struct value *v)
{
	struct buf b;
	const char *s;

	buf_init(&b, PB_DIAG_REPR_MAX * 4);
	pb_diag_repr(&b, v, 0);
	if (b.len > PB_DIAG_REPR_MAX) {
		b.len = PB_DIAG_REPR_MAX;
		buf_puts(&b, "...");
	}
	s = pb_strdup(pb, buf_str(&b));
	buf_fini(&b);
	return s;
}

const char *pb_pystr(struct pb_playbook *pb, const struct value *v)
{
	if (v != NULL && v->type == VALUE_STR)
		return pb_strndup(pb, v->u.s.ptr, strlen(v->u.s.ptr));
	return pb_pyrepr(pb, v);
}

/* Line n (1-based) of text, without its newline. */
static const char *pb_diag_line(const char *text, size_t len, int n, size_t *lenp)
{
	const char *p = text, *end = text + len, *nl;
	int i;

	for (i = 1; i < n && p < end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	if (p >= end && n > 1)
		return NULL;
	nl = memchr(p, '\n', (size_t)(end - p));
	*lenp = (size_t)((nl ? nl : end) - p);
	return p;
}

static int pb_diag_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\f' && s[i] != '\v')
			return 0;
	return 1;
}

static size_t pb_diag_rstrip(const char *s, size_t n)
{
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* The offending line and the one before it, as Ansible picks them. */
static void pb_diag_context(struct buf *out, const struct diag *d)
{
	struct buf text;
	const char *line, *prev = NULL;
	size_t n = 0, nprev = 0, nlines = 0, i;
	int target = d->line;

	buf_init(&text, PB_DIAG_FILE_MAX);
	if (file_read(d->file, &text) != 0 || text.len == 0) {
		buf_fini(&text);
		return;
	}
	for (i = 0; i < text.len; i++)
		if (text.data[i] == '\n')
			nlines++;
	if (text.data[text.len - 1] != '\n')
		nlines++;
	if ((size_t)target > nlines)
		target = (int)nlines;
	line = pb_diag_line(text.data, text.len, target, &n);
	while (line != NULL && pb_diag_blank(line, n) && target > 1)
		line = pb_diag_line(text.data, text.len, --target, &n);
	if (line == NULL) {
		buf_fini(&text);
		return;
	}
	if (target > 1)
		prev = pb_diag_line(text.data, text.len, target - 1, &nprev);
	buf_puts(out, "\nThe offending line appears to be:\n\n");
	if (prev != NULL)
		buf_put(out, prev, pb_diag_rstrip(prev, nprev));
	buf_putc(out, '\n');
	buf_put(out, line, pb_diag_rstrip(line, n));
	buf_putc(out, '\n');
	for (i = 1; (int)i < d->col; i++)
		buf_putc(out, ' ');
	buf_puts(out, "^ here\n");
	buf_fini(&text);
}

int pb_diag_format(struct buf *out, const struct diag *d)
{
	size_t start = out->len;
	int r;

	buf_printf(out, "ERROR! %s\n", d->msg ? d->msg : "unknown error");
	if (d->file != NULL && d->line > 0) {
		buf_printf(out,
		           "\nThe error appears to be in '%s': line %d, column %d, but may\n"
		           "be elsewhere in the file depending on the exact syntax problem.\n",
		           d->file, d->line, d->col > 0 ? d->col : 1);
		pb_diag_context(out, d);
	}
	r = out->len > start && out->data[out->len - 1] == '\n' ? 0 : ERR_TOOBIG;
	if (r != 0)
		out->len = start;
	return r;
}
