/* libFuzzer target for the system modules' text parsers: one input is fed
 * as "systemctl show" output, as mountinfo, as a sysctl.conf (its first
 * line naming the key to set and to remove) and to Python's strip and
 * split. Any text must give a value, never a crash or a leak. The parsers'
 * source is compiled in here, so the target links with the controller
 * library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/modules/sysparse.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *name, *old = NULL, *words[8];
	struct buf text;
	size_t n;

	memcpy(s, data, size);
	s[size] = '\0';
	value_unref(sysparse_show(s));
	value_unref(sysparse_mountinfo(s));
	name = sysparse_strip(s, strcspn(s, "\n"));
	buf_init(&text, 0);
	sysparse_sysctl(s, name, "1", &text, &old);
	free(old);
	buf_reset(&text);
	sysparse_sysctl(s, name, NULL, &text, &old);
	free(old);
	buf_fini(&text);
	n = sysparse_split(s, words, 8);
	sysparse_free_words(words, n, 8);
	free(name);
	free(s);
	return 0;
}
