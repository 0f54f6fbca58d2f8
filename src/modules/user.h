/* What the user module's files share (user.c: the account itself;
 * user_home.c: the home directory and the SSH key): the state of one run,
 * as Ansible's User object holds it. Private to those files. */
#ifndef DROVER_MODULES_USER_H
#define DROVER_MODULES_USER_H

#include "base/buf.h"
#include "data/value.h"
#include "modules/module.h"

/* A command's outcome as the User methods return (rc, out, err); rc
 * USER_RC_NONE is Python's None: nothing to do. */
#define USER_RC_NONE (-1000)

struct user_cmd {
	int rc;
	struct buf out, err;
};

struct user {
	const struct module_ctx *ctx;
	struct value *params;    /* owned */
	struct value *warnings;  /* owned; a list */
	const char *name;
	char *home;              /* owned: the home option, else the account's */
	struct value *fail;      /* owned; set when the run fails */
};

/* Fields of the account in /etc/passwd, with the password taken from
 * /etc/shadow when the passwd field is a placeholder ("x"), as user_info.
 * Returns a new list, or NULL when there is no such user. */
struct value *user_info(const struct user *u);

/* The password and expiry day of the account in /etc/shadow, as
 * user_password: *expirep -1 for an empty field; "" and 0 when the
 * account has no shadow entry (*foundp 0). */
const char *user_shadow(const struct user *u, struct value **entp, long long *expirep, int *foundp);

/* Runs cmd (a list, the first element a tool name to look up) unless in
 * check mode (obey_check) where it gives (0, "", ""); with input on
 * stdin. Returns 0, or -1 with u->fail set when the tool is missing. */
int user_exec(struct user *u, struct value *cmd, const char *input, int obey_check, struct user_cmd *c);

void user_cmd_init(struct user_cmd *c);
void user_cmd_fini(struct user_cmd *c);

/* Runs cmd (ssh-keygen, looked up) with its stdio on a pseudo-terminal, typing pass (and a carriage return) at each passphrase
 * prompt. A prompt to overwrite a key ends it with c->rc USER_RC_NONE, as
 * Ansible keeps the key then. Returns 0, or -1 with u->fail when the tool
 * is missing. */
int user_tty_keygen(struct user *u, struct value *cmd, const char *pass, struct user_cmd *c);

/* Ansible's create_homedir: a copy of the skeleton (or an empty
 * directory), given login.defs' UMASK. Returns 0, or -1 with u->fail. */
int user_home_create(struct user *u, const char *path);
/* chown_homedir: the directory and everything under it given to uid:gid. */
void user_home_chown(const char *path, long long uid, long long gid);

/* generate_ssh_key's part of the result: generates the key when asked and
 * missing (or forced), sets ssh_fingerprint, ssh_key_file and
 * ssh_public_key in res, and *changedp when a key was made. Returns 0, or
 * -1 with u->fail. */
int user_home_sshkey(struct user *u, struct value *res, int *changedp);

#endif
