/* Judges arbitrary tool output (proto/escjudge.h). The first byte picks the
 * method and the state bits; the rest is the text. The verdict must keep
 * the promises of the header: no answer once the password was sent, when
 * there is none, or at exit; requiretty only from sudo without a pty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "proto/escjudge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = {"sudo", "su", "doas", "sudo"};
	struct escjudge_state s;
	enum escjudge_verdict v;
	char *text;

	if (size == 0)
		return 0;
	s.method = methods[data[0] & 3];
	s.prompt = (data[0] & 4) ? "[drover become 0123456789abcdef] password:" : NULL;
	s.has_pass = (data[0] >> 3) & 1;
	s.sent = (data[0] >> 4) & 1;
	s.tty = (data[0] >> 5) & 1;
	s.at_exit = (data[0] >> 6) & 1;
	text = xstrndup((const char *)data + 1, size - 1);
	v = escjudge_text(&s, text);
	if (v == ESCJUDGE_ANSWER && (s.sent || !s.has_pass || s.at_exit))
		abort();
	if (v == ESCJUDGE_NEED_TTY && (strcmp(s.method, "sudo") != 0 || s.tty))
		abort();
	free(text);
	return 0;
}
