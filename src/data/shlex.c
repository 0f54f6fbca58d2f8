/* shlex.split and shlex.quote as Python implements them: a character-level
 * state machine whose states are "between words", "in a word", "in a quote"
 * and "after an escape". */
#include "data/shlex.h"

#include <string.h>

#include "base/err.h"

static int shlex_is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int shlex_split(const char *s, size_t len, struct value **listp, const char **msgp)
{
	/* state: ' ' between words, 'a' in a word, '\'' or '"' in a quote,
	 * '\\' after an escape (esc_from is the state to return to). */
	struct value *list = value_list();
	struct buf tok;
	int state = ' ', esc_from = 'a', quoted = 0, c;
	size_t i;
	int r = ERR_INTERNAL;

	*listp = NULL;
	*msgp = NULL;
	buf_init(&tok, 0);
	for (i = 0; i <= len; i++) {
		c = i < len ? (unsigned char)s[i] : -1;
		switch (state) {
		case ' ':
		case 'a':
			if (c < 0 || shlex_is_space(c)) {
				if (state == 'a' || quoted) {
					value_list_push(list, value_strn(buf_ptr(&tok), buf_avail(&tok)));
					buf_reset(&tok);
					quoted = 0;
				}
				state = ' ';
			} else if (c == '\\') {
				esc_from = 'a';
				state = '\\';
			} else if (c == '\'' || c == '"') {
				quoted = 1;
				state = c;
			} else {
				if ((r = buf_putc(&tok, (char)c)) != 0)
					goto out;
				state = 'a';
			}
			break;
		case '\'':
		case '"':
			if (c < 0) {
				*msgp = "No closing quotation";
				r = ERR_PARSE;
				goto out;
			}
			if (c == state) {
				state = 'a';
			} else if (c == '\\' && state == '"') {
				esc_from = state;
				state = '\\';
			} else if ((r = buf_putc(&tok, (char)c)) != 0) {
				goto out;
			}
			break;
		case '\\':
			if (c < 0) {
				*msgp = "No escaped character";
				r = ERR_PARSE;
				goto out;
			}
			/* Inside double quotes a backslash only escapes itself and
			 * the quote; before anything else it stays. */
			if (esc_from == '"' && c != '\\' && c != '"' && (r = buf_putc(&tok, '\\')) != 0)
				goto out;
			if ((r = buf_putc(&tok, (char)c)) != 0)
				goto out;
			state = esc_from;
			break;
		}
	}
	*listp = list;
	list = NULL;
	r = 0;
out:
	value_unref(list);
	buf_fini(&tok);
	return r;
}

static int shlex_is_safe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("_@%+=:,./-", c) != NULL);
}

int shlex_quote(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int r;

	for (i = 0; i < len; i++)
		if (!shlex_is_safe((unsigned char)s[i]))
			break;
	if (len > 0 && i == len)
		return buf_put(out, s, len);
	if ((r = buf_putc(out, '\'')) != 0)
		return r;
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			r = buf_puts(out, "'\"'\"'");
		else
			r = buf_putc(out, s[i]);
		if (r != 0)
			return r;
	}
	return buf_putc(out, '\'');
}
