/* The identity environment of an escalated worker: what a login as the
 * target user would give, whatever the escalation tool left behind. */
#ifndef DROVER_WORKER_IDENTITY_H
#define DROVER_WORKER_IDENTITY_H

/* For the effective user: sets the supplementary groups (initgroups, when
 * running as root), HOME, USER, LOGNAME and SHELL from the password
 * database, PATH to a default when it is unset or empty, and removes SUDO_*,
 * DOAS_*, XDG_RUNTIME_DIR and MAIL. The working directory is kept when the
 * user can read it (as Ansible's modules keep it), else it becomes HOME, the
 * temporary directory or "/"; with login, it is always HOME. Returns 0, or a
 * negative error when the user has no password database entry. */
int identity_apply(int login);

#endif
