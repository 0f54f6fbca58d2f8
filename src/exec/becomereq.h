/* Which user a task runs as: the "become" map of a worker request
 * (doc/PROTOCOL.worker, section 12) from the command line and ansible.cfg
 * defaults, the become* keywords of the play, block and task, and the
 * ansible_become* variables, in Ansible's order of precedence (variables
 * over keywords over the command line over the configuration). */
#ifndef DROVER_EXEC_BECOMEREQ_H
#define DROVER_EXEC_BECOMEREQ_H

#include "data/value.h"

/* Defaults of a run: the configuration with the command line over it. */
struct becomereq_defaults {
	int become;          /* -b, [privilege_escalation] become */
	const char *user;    /* --become-user; NULL: root */
	const char *method;  /* --become-method; NULL: sudo */
	const char *flags;   /* become_flags; NULL: the method's default */
	const char *exe;     /* become_exe; NULL: the method's name */
	const char *pass;    /* -K; NULL: none (secret: never logged) */
	int timeout_s;       /* deadline of the escalation; 0: 10 s */
};

/* The keywords in effect for a task, templated (NULL: not set). */
struct becomereq_kw {
	const struct value *become, *user, *method, *flags, *exe;
};

/* The names of the variables becomereq_build reads from vars. */
extern const char *const becomereq_var_names[];

/* Sets *becomep to a new "become" map for the request, or NULL when the task
 * does not escalate. vars holds those of becomereq_var_names the host has
 * (templated). Returns 0, or ERR_INVAL with *errp a static message naming
 * the bad setting (an unknown method, a non-string user). */
int becomereq_build(const struct becomereq_defaults *dflt, const struct becomereq_kw *kw, const struct value *vars,
                    struct value **becomep, const char **errp);

#endif
