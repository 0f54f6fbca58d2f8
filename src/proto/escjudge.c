/* Judging an escalation tool's messages. The strings are those of Debian's
 * sudo, util-linux su and OpenBSD doas in the C locale. */
#include "proto/escjudge.h"

#include <stddef.h>
#include <string.h>

/* A prompt of su or doas ("Password:", "doas (u@h) password:"). */
static int escjudge_generic_prompt(const char *text)
{
	const char *p = strstr(text, "assword");

	return p != NULL && strchr(p, ':') != NULL;
}

enum escjudge_verdict escjudge_text(const struct escjudge_state *s, const char *text)
{
	int sudo = strcmp(s->method, "sudo") == 0, prompt;

	if (sudo && !s->tty && strstr(text, "you must have a tty") != NULL)
		return ESCJUDGE_NEED_TTY;
	if (strstr(text, "a password is required") != NULL || strstr(text, "Authorization required") != NULL)
		return ESCJUDGE_MISSING;
	if ((s->at_exit && strstr(text, "Sorry, try again.") != NULL) || strstr(text, "Authentication failure") != NULL ||
	    strstr(text, "Authorization failed") != NULL || strstr(text, "Authentication failed") != NULL)
		return ESCJUDGE_INCORRECT;
	prompt = sudo ? s->prompt != NULL && *s->prompt != '\0' && strstr(text, s->prompt) != NULL
	              : escjudge_generic_prompt(text);
	if (!prompt)
		return ESCJUDGE_MORE;
	if (!s->has_pass)
		return ESCJUDGE_MISSING;
	/* A second prompt is a refused password: never answered again, so a
	 * wrong password costs one attempt, not passwd_tries. */
	if (s->sent)
		return ESCJUDGE_INCORRECT;
	return s->at_exit ? ESCJUDGE_MORE : ESCJUDGE_ANSWER;
}
