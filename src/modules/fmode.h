/* File modes as Ansible's set_mode_if_different reads them: an int as it
 * is, a string first as an octal number (Python's int(s, 8)), then as a
 * chmod-style symbolic mode ("u+rwx,g-w,o=r", "a+X", "=r", "u=g") applied
 * to the path's current mode. */
#ifndef DROVER_MODULES_FMODE_H
#define DROVER_MODULES_FMODE_H

#include "data/value.h"

/* Python's int(s, base) for base 8 or 10: surrounding whitespace, a sign,
 * "0o" before octal digits, single underscores between digits. Returns 0
 * with *outp set, or -1 when Python raises ValueError. */
int fmode_pyint(const char *s, int base, long long *outp);

/* Applies the symbolic mode s to the file whose st_mode is given (the kind
 * of file matters for X), with umask used where no user is named ("+x").
 * Every clause is computed from the original mode, as Ansible does, so
 * "u=r,g=u" copies the user bits as they were. Returns 0 with *outp the new
 * permission bits, or -1 with *errp (heap) saying which clause is bad. */
int fmode_symbolic(const char *s, unsigned st_mode, unsigned umask, unsigned *outp, char **errp);

/* Resolves a mode parameter: an int (or bool) as it is, a string by
 * fmode_pyint then fmode_symbolic. Returns 0 with *outp (which may hold
 * bits beyond 07777 if the int did), or -1 with *detailsp (heap) for the
 * "mode must be in octal or symbolic form" failure. */
int fmode_resolve(const struct value *mode, unsigned st_mode, unsigned umask, long long *outp, char **detailsp);

/* The process umask, read without changing it for good. */
unsigned fmode_umask(void);

#endif
