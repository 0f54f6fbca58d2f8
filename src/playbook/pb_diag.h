/* Showing a playbook error the way ansible-playbook shows it. */
#ifndef DROVER_PLAYBOOK_PB_DIAG_H
#define DROVER_PLAYBOOK_PB_DIAG_H

#include "base/buf.h"
#include "base/diag.h"

/*
 * pb_diag_format - append a loader diagnostic in ansible-playbook's layout
 *
 * Appends "ERROR! <message>\n" and, when d has a file and line, Ansible's
 * position paragraph ("The error appears to be in '<file>': line L, column
 * C, but may\nbe elsewhere in the file depending on the exact syntax
 * problem.") followed by the offending line, the line before it, and a
 * "^ here" marker under column C, read from the file now (a blank target
 * line moves up to the nearest non-blank one, as Ansible does). Ansible's
 * hints about common YAML mistakes are not repeated. Returns 0 or
 * ERR_TOOBIG (out's cap).
 */
int pb_diag_format(struct buf *out, const struct diag *d);

#endif
