/* The ssh remote command around the bootstrap script (proto/bootscript.c). */
#include "transport/bootstrap.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "proto/bootscript.h"

#define BOOTSTRAP_PREFIX "exec /bin/sh -c 'H="

char *bootstrap_command(const char *hash, size_t size, const char *arch)
{
	char *script = bootscript_new(hash, size, arch);
	char *cmd = xasprintf("exec /bin/sh -c '%s'", script);

	free(script);
	return cmd;
}

int bootstrap_is_command(const char *cmd)
{
	return strncmp(cmd, BOOTSTRAP_PREFIX, sizeof(BOOTSTRAP_PREFIX) - 1) == 0;
}
