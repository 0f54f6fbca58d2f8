/* libFuzzer target for the worker's URL handling (httpurl): any text as a
 * URL to split, and split in two (at the first byte's choice) as a base
 * URL and a Location to resolve; a URL that parses has a host, a port in
 * range and a target starting with '/'. Nothing may crash or leak. The module's source is compiled in
 * here, so the target links with the controller library alone. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/modules/httpurl.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *base, *loc, *joined;
	struct httpurl u;
	size_t cut;

	memcpy(s, data, size);
	s[size] = '\0';
	if (httpurl_parse(s, &u) == 0) {
		if (u.host == NULL || u.host[0] == '\0' || u.target == NULL || u.target[0] != '/' || u.port < 1 ||
		    u.port > 65535)
			abort();
		httpurl_fini(&u);
	}
	cut = size > 0 ? data[0] % (size + 1) : 0;
	base = strndup(s, cut);
	loc = strdup(s + cut);
	if (strlen(base) == cut && strlen(loc) > 0 && httpurl_parse(base, &u) == 0) {
		httpurl_fini(&u);
		joined = httpurl_resolve(base, loc);
		free(joined);
	}
	free(base);
	free(loc);
	free(s);
	return 0;
}
