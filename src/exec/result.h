/* What the controller adds to a module's result before anyone sees it, as
 * Ansible's action layer does. */
#ifndef DROVER_EXEC_RESULT_H
#define DROVER_EXEC_RESULT_H

#include "data/value.h"

/* Returns a new reference to result with `stdout_lines` / `stderr_lines`
 * added (str.splitlines() of `stdout` / `stderr`) where the module sent the
 * output but not its lines. */
struct value *result_normalize(const struct value *result);

#endif
