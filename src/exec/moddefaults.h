/* module_defaults: the arguments play, block and task give a module by
 * default, merged under the task's own (Ansible's
 * get_action_args_with_defaults). */
#ifndef DROVER_EXEC_MODDEFAULTS_H
#define DROVER_EXEC_MODDEFAULTS_H

#include "base/diag.h"
#include "data/value.h"
#include "exec/vars.h"

/*
 * moddefaults_apply - merge module defaults into a task's arguments
 *
 * defaults is the task's module_defaults keyword as inherited (a list of
 * maps, outermost first, or NULL); a later map's entry for a module
 * replaces an earlier one whole, and names with and without
 * ansible.builtin./ansible.legacy. are the same module. The entry for
 * module (a short name) is templated with vc and its keys not in *argsp
 * are added to it (*argsp is replaced by a new map). Returns 0, or an
 * error with d set when templating fails.
 */
int moddefaults_apply(struct vars_ctx *vc, const struct value *defaults, const char *module, struct value **argsp,
                      struct diag *d);

#endif
