/* The remote bootstrap script. It must stay free of single quotes: it is
 * passed to a shell inside one single-quoted word. */
#include "proto/bootscript.h"

#include "base/xmalloc.h"

/* The fast path (worker cached) runs no process but the shell: no $(...)
 * before the first exec. "RUN" goes out just before each exec, so a worker
 * that dies before its hello is not taken for a session that never ran.
 * The upload runs under umask 077; the worker gets the login's umask back,
 * or files that tasks create would depend on whether it was just uploaded. */
static const char bootstrap_script[] =
	"H=%s;N=%zu;A=%s;W=drover-worker;"
	"u=${XDG_CACHE_HOME:-${HOME:-/nonexistent}/.cache}/drover/$H;"
	"[ -x \"$u/$W\" ] && { echo DRVBOOT1 RUN;exec \"$u/$W\"; };"
	"p=/tmp/drover-$(id -u);t=$p/$H;"
	"[ -x \"$t/$W\" ] && [ -O \"$p\" ] && { echo DRVBOOT1 RUN;exec \"$t/$W\"; };"
	"m=$(uname -m);"
	"[ \"$m\" = \"$A\" ] || { echo \"DRVBOOT1 ERR unsupported architecture $m (this drover has a worker for $A only)\";exit 1; };"
	"o=$(umask);umask 077;tried=;"
	"for d in \"$u\" \"$t\";do "
	"if [ \"$d\" = \"$u\" ];then "
	"[ -n \"${XDG_CACHE_HOME:-}\" ] || [ -d \"${HOME:-/nonexistent}\" ] || { tried=\"$tried $d (no home directory)\";continue; };"
	"else "
	"mkdir -p \"$p\" 2>/dev/null;"
	"[ -d \"$p\" ] && [ ! -L \"$p\" ] && [ -O \"$p\" ] && chmod 700 \"$p\" || { tried=\"$tried $p (not a private directory)\";continue; };"
	"fi;"
	"f=$d/.w$$;"
	"mkdir -p \"$d\" 2>/dev/null && : > \"$f\" 2>/dev/null || { tried=\"$tried $d (not writable)\";continue; };"
	"echo \"DRVBOOT1 NEED\";"
	"head -c $N > \"$f\";"
	"[ \"$(wc -c < \"$f\")\" -eq $N ] || { rm -f \"$f\";echo \"DRVBOOT1 ERR short upload into $d\";exit 1; };"
	"chmod 700 \"$f\";"
	"if \"$f\" --version >/dev/null 2>&1;then mv -f \"$f\" \"$d/$W\" && echo DRVBOOT1 RUN && umask $o && exec \"$d/$W\";fi;"
	"rm -f \"$f\";tried=\"$tried $d (cannot execute there: noexec?)\";"
	"done;"
	"echo \"DRVBOOT1 ERR no usable directory for the worker; tried:$tried\";exit 1";

char *bootscript_new(const char *hash, size_t size, const char *arch)
{
	return xasprintf(bootstrap_script, hash, size, arch);
}
