/* What the controller adds to a module's result before anyone sees it, as
 * Ansible's action layer does. */
#ifndef DROVER_EXEC_RESULT_H
#define DROVER_EXEC_RESULT_H

#include "data/value.h"

/* Returns a new reference to result completed as Ansible's task executor
 * does: `stdout_lines` / `stderr_lines` (str.splitlines()) where the module
 * sent the output only, `failed` from `rc` when absent, `changed` false when
 * absent. */
struct value *result_normalize(const struct value *result);

#endif
