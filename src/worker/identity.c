/* Taking on the target user's identity in an escalated worker. */
#include "worker/identity.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"

extern char **environ;

#define IDENTITY_PATH_ROOT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define IDENTITY_PATH_USER "/usr/local/bin:/usr/bin:/bin"

/* Variables that describe the login user's session, not the target's. */
static int identity_leftover(const char *entry)
{
	return strncmp(entry, "SUDO_", 5) == 0 || strncmp(entry, "DOAS_", 5) == 0 ||
	       strncmp(entry, "XDG_RUNTIME_DIR=", 16) == 0 || strncmp(entry, "MAIL=", 5) == 0;
}

static void identity_scrub(void)
{
	char *name;
	size_t i = 0;

	while (environ[i] != NULL) {
		if (!identity_leftover(environ[i]) || strchr(environ[i], '=') == NULL) {
			i++;
			continue;
		}
		name = xstrndup(environ[i], (size_t)(strchr(environ[i], '=') - environ[i]));
		unsetenv(name);
		free(name);
	}
}

static void identity_cwd(const char *home, int login)
{
	const char *tmp = getenv("TMPDIR");

	if (!login && access(".", R_OK) == 0)
		return;
	if (chdir(home) == 0)
		return;
	if ((tmp == NULL || chdir(tmp) != 0) && chdir("/tmp") != 0 && chdir("/") != 0)
		log_v(1, "cannot change to any directory: %s", strerror(errno));
}

int identity_apply(int login)
{
	struct passwd *pw;
	const char *path = getenv("PATH");
	int r = ERR_INTERNAL;

	errno = 0;
	if ((pw = getpwuid(geteuid())) == NULL) {
		r = errno != 0 ? -errno : ERR_NOTFOUND;
		goto out;
	}
	/* sudo and su set the groups already; a tool that did not must not
	 * leave root's (or the login user's) groups on the target user. */
	if (geteuid() == 0 && initgroups(pw->pw_name, pw->pw_gid) != 0)
		log_v(1, "initgroups(%s): %s", pw->pw_name, strerror(errno));
	identity_scrub();
	setenv("HOME", pw->pw_dir, 1);
	setenv("USER", pw->pw_name, 1);
	setenv("LOGNAME", pw->pw_name, 1);
	setenv("SHELL", pw->pw_shell != NULL && *pw->pw_shell != '\0' ? pw->pw_shell : "/bin/sh", 1);
	if (path == NULL || *path == '\0')
		setenv("PATH", geteuid() == 0 ? IDENTITY_PATH_ROOT : IDENTITY_PATH_USER, 1);
	identity_cwd(pw->pw_dir, login);
	r = 0;
out:
	return r;
}
