/* What the account modules (user, group, authorized_key, known_hosts)
 * need from the host besides parsing: its account databases read
 * (userdb.h parses them) and its tools found and run as AnsibleModule
 * finds and runs them. */
#ifndef DROVER_MODULES_ACCT_H
#define DROVER_MODULES_ACCT_H

#include "base/buf.h"
#include "data/value.h"
#include "modules/module.h"

/* Reads the database at path and parses it (userdb_parse with
 * numfield). A missing or unreadable file is an empty database. */
struct value *acct_load(const char *path, int numfield);

/* AnsibleModule.get_bin_path(name, required=True): the path (heap), or
 * NULL with *failp Ansible's failure. */
char *acct_bin(const struct module_ctx *ctx, const char *name, struct value **failp);

/* Runs the command in cmd (a list of strings, the first a full path) as
 * AnsibleModule.run_command does, with input (NULL: none) on stdin: fills
 * *rcp and the output (out and err initialised here). A command that
 * cannot start gives its errno as rc and the errno's text in err. */
void acct_exec(const struct module_ctx *ctx, const struct value *cmd, const char *input, int *rcp, struct buf *out,
               struct buf *err);

#endif
