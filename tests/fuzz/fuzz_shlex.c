/* Splits arbitrary bytes as shlex.split does. Every split that succeeds
 * must survive quoting: joining the words with shlex_quote and splitting
 * again gives the same words, which is what Ansible relies on when it turns
 * argv back into a command line. */
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "data/shlex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct value *words = NULL, *again = NULL;
	const char *msg;
	struct buf line;
	size_t i;

	if (shlex_split((const char *)data, size, &words, &msg) != 0) {
		if (words != NULL || msg == NULL)
			fatal("a failed split must give a message and no words");
		return 0;
	}
	buf_init(&line, 0);
	for (i = 0; i < value_len(words); i++) {
		if (i > 0)
			buf_putc(&line, ' ');
		if (shlex_quote(&line, value_list_at(words, i)->u.s.ptr, value_len(value_list_at(words, i))) != 0)
			fatal("quote failed");
	}
	if (shlex_split(buf_ptr(&line), buf_avail(&line), &again, &msg) != 0)
		fatal("quoted words do not split: %s", msg);
	if (!value_equal(words, again))
		fatal("quoted words split differently");
	value_unref(words);
	value_unref(again);
	buf_fini(&line);
	return 0;
}
