/* drover_install's controller half: installs droverd or droverctl (the
 * static binaries built next to drover-worker) on a host through the
 * worker's copy, which compares checksums, writes only when the installed
 * binary differs and renames a temporary file into place (the same atomic
 * write path that installs every file). Shared by playbooks and ad-hoc runs.
 *
 * Arguments: name (droverd or droverctl; default droverd), dest (a
 * directory; default /usr/local/bin), mode (default 0755), owner, group,
 * and src (the local binary; default next to the worker). */
#ifndef DROVER_EXEC_DRVINSTALL_H
#define DROVER_EXEC_DRVINSTALL_H

#include "base/diag.h"
#include "data/value.h"

/* The largest binary shipped (bytes). */
#define DRVINSTALL_MAX ((size_t)32 << 20)

/* Rewrites the task's *argsp (copied on write) into arguments for the
 * worker's copy: _content_b with the binary's bytes, dest, mode, owner,
 * group. worker_path locates the default binaries. Returns 0, or ERR_INVAL
 * / -errno with d filled (a bad name or option, a binary that cannot be
 * read). */
int drvinstall_args(const char *worker_path, struct value **argsp, struct diag *d);

#endif
