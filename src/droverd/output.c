/* Child output: pipe to log file, syslog, main log and tail. */
#include "droverd/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/config.h"
#include "droverd/conv.h"

#define OUTPUT_READ_MAX (128 << 10)  /* supervisord's readfd(): 2 << 16 */
#define OUTPUT_FAIR_MAX (1024 << 10) /* per wake-up, so one chatty child cannot starve the rest */

static const char output_begin[] = "<!--XSUPERVISOR:BEGIN-->";
static const char output_end[] = "<!--XSUPERVISOR:END-->";

void output_init(struct output *o, const char *name, const char *channel, struct mainlog *ml)
{
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->channel = channel;
	o->fd = -1;
	o->log.fd = -1;
	o->ml = ml;
	buf_init(&o->pending, 0);
}

int output_open_log(struct output *o, const char *path, long long maxbytes, long long backups)
{
	int r;

	if (o->has_log) {
		logfile_close(&o->log);
		o->has_log = 0;
	}
	if (path == NULL)
		return 0;
	r = logfile_open(&o->log, path, maxbytes, backups);
	/* Even when the open failed, later writes retry it. */
	o->has_log = 1;
	return r;
}

void output_close_pipe(struct output *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

void output_fini(struct output *o)
{
	output_close_pipe(o);
	if (o->has_log)
		logfile_close(&o->log);
	o->has_log = 0;
	buf_fini(&o->pending);
}

size_t output_strip_ansi(char *s, size_t n)
{
	static const char terms[] = "HfABCDRsuJKhlpm";
	size_t i = 0, out = 0;
	int show = 1;
	char *hit;

	while (i < n) {
		if (!show && strchr(terms, s[i]) != NULL && s[i] != '\0') {
			show = 1;
		} else if (show) {
			hit = NULL;
			if (n - i >= 2)
				hit = memmem(s + i, n - i, "\x1b[", 2);
			if (hit == NULL) {
				memmove(s + out, s + i, n - i);
				return out + (n - i);
			}
			memmove(s + out, s + i, (size_t)(hit - (s + i)));
			out += (size_t)(hit - (s + i));
			i = (size_t)(hit - s);
			show = 0;
		}
		i++;
	}
	return out;
}

/* Python's repr() of bytes, for output that is not UTF-8. */
static char *output_bytes_repr(const char *s, size_t n)
{
	int has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
	char q = has_sq && !has_dq ? '"' : '\'';
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_putc(&b, 'b');
	buf_putc(&b, q);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\' || c == (unsigned char)q)
			buf_printf(&b, "\\%c", c);
		else if (c == '\n')
			buf_puts(&b, "\\n");
		else if (c == '\r')
			buf_puts(&b, "\\r");
		else if (c == '\t')
			buf_puts(&b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_putc(&b, (char)c);
	}
	buf_putc(&b, q);
	return buf_take(&b, NULL);
}

static int output_utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;
	size_t k, i;

	while (p < e) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		k = *p >= 0xc2 && *p <= 0xdf ? 2 : *p >= 0xe0 && *p <= 0xef ? 3 : *p >= 0xf0 && *p <= 0xf4 ? 4 : 0;
		if (k == 0 || p + k > e)
			return 0;
		for (i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += k;
	}
	return 1;
}

/* supervisord's _log(): one chunk to every destination. */
static void output_log(struct output *o, char *data, size_t n)
{
	char *text, *rep, *line, *nl;
	uint64_t lost;
	int was_failing, r;

	if (n == 0)
		return;
	if (o->strip_ansi)
		n = output_strip_ansi(data, n);
	if (n == 0)
		return;
	if (o->has_log && !o->capturemode) {
		was_failing = o->log.failing;
		lost = o->log.episode_lost;
		r = logfile_write(&o->log, data, n);
		if (r != 0 && !was_failing)
			/* One line when writes start failing; the count goes on. */
			mainlog_printf(o->ml, LEVEL_ERRO,
			               "%s: cannot write %s log %s: %s; output is dropped until writes succeed again",
			               o->name, o->channel, o->log.path, strerror(-r));
		else if (r == 0 && was_failing)
			mainlog_printf(o->ml, LEVEL_WARN, "%s: writes to %s log %s work again (%llu bytes were dropped)",
			               o->name, o->channel, o->log.path, (unsigned long long)lost);
	}
	if (o->syslog && !o->capturemode) {
		text = xstrndup(data, n);
		for (line = text; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl = '\0';
			if (*line)
				syslog(LOG_INFO, "%s %s", o->name, line);
			if (nl == NULL)
				break;
		}
		free(text);
	}
	if (mainlog_enabled(o->ml, LEVEL_DEBG)) {
		if (output_utf8_ok(data, n)) {
			text = xstrndup(data, n);
		} else {
			rep = output_bytes_repr(data, n);
			text = xasprintf("Undecodable: %s", rep);
			free(rep);
		}
		rep = conv_repr(o->name);
		mainlog_printf(o->ml, LEVEL_DEBG, "%s %s output:\n%s", rep, o->channel, text);
		free(rep);
		free(text);
	}
}

/* Longest prefix of needle that ends haystack (asynchat's
 * find_prefix_at_end). */
static size_t output_prefix_at_end(const char *h, size_t hn, const char *needle)
{
	size_t l = strlen(needle) - 1;

	while (l > 0 && !(hn >= l && memcmp(h + hn - l, needle, l) == 0))
		l--;
	return l;
}

/* supervisord's record_output(): in capture mode, look for the token that
 * switches modes, holding back a possible partial token. */
static void output_record(struct output *o)
{
	const char *token;
	size_t tlen, n, keep;
	char *data, *hit;

	if (o->capture_max <= 0) {
		n = buf_avail(&o->pending);
		data = xstrndup(buf_ptr(&o->pending), n);
		buf_reset(&o->pending);
		output_log(o, data, n);
		free(data);
		return;
	}
	for (;;) {
		token = o->capturemode ? output_end : output_begin;
		tlen = strlen(token);
		n = buf_avail(&o->pending);
		if (n <= tlen)
			return;
		data = xstrndup(buf_ptr(&o->pending), n);
		buf_reset(&o->pending);
		hit = memmem(data, n, token, tlen);
		if (hit == NULL) {
			keep = output_prefix_at_end(data, n, token);
			if (keep > 0)
				buf_put(&o->pending, data + n - keep, keep);
			output_log(o, data, n - keep);
			free(data);
			return;
		}
		output_log(o, data, (size_t)(hit - data));
		o->capturemode = !o->capturemode;
		if (!o->capturemode) {
			char *rep = conv_repr(o->name);

			mainlog_printf(o->ml, LEVEL_DEBG, "%s %s emitted a comm event", rep, o->channel);
			free(rep);
		}
		buf_put(&o->pending, hit + tlen, n - (size_t)(hit - data) - tlen);
		free(data);
		if (buf_avail(&o->pending) == 0)
			return;
	}
}

int output_read(struct output *o)
{
	/* One buffer for every channel: the daemon has one thread, and the
	 * data leaves it before the next read. */
	static char tmp[OUTPUT_READ_MAX];
	size_t total = 0;
	ssize_t n;
	int r = OUTPUT_MORE;

	if (o->fd < 0)
		return OUTPUT_EOF;
	while (total < OUTPUT_FAIR_MAX) {
		n = read(o->fd, tmp, OUTPUT_READ_MAX);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = errno == EAGAIN ? OUTPUT_AGAIN : OUTPUT_EOF;
			break;
		}
		if (n == 0) {
			r = OUTPUT_EOF;
			break;
		}
		total += (size_t)n;
		if (o->tail != NULL)
			tail_add(o->tail, tmp, (size_t)n);
		if (buf_put(&o->pending, tmp, (size_t)n) != 0) {
			/* Only capture mode holds data back, and only a token's
			 * length; the cap is never reached in practice. */
			buf_reset(&o->pending);
		}
		output_record(o);
	}
	return r;
}
