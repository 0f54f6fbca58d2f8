/* add_host and group_by: controller actions that change the run's
 * inventory (see exec/actions.h for the others). */
#ifndef DROVER_EXEC_ACTIONS_INV_H
#define DROVER_EXEC_ACTIONS_INV_H

#include "data/value.h"
#include "exec/vars.h"
#include "inventory/inventory.h"

/* add_host with templated args (name/hostname/host, groups/group/groupname,
 * the other keys host variables; "name:port" sets ansible_ssh_port): adds
 * or updates the host in inv and tells run. Returns the result (new
 * reference): add_host {host_name, groups, host_vars}, changed when the
 * inventory changed; failed with Ansible's messages on bad arguments. */
struct value *actions_inv_add_host(struct inventory *inv, struct vars_run *run, const struct value *args);

/* group_by with templated args (key, parents: a name or a list, default
 * all; spaces become dashes) for inventory host host: creates the groups,
 * puts the host in key and tells run. Returns the result (new reference):
 * add_group, parent_groups, changed when the host joined the group or a
 * parent was added. */
struct value *actions_inv_group_by(struct inventory *inv, struct vars_run *run, const char *host,
                                   const struct value *args);

#endif
