/* Python's shlex.split (POSIX mode, no comments) and shlex.quote, which
 * Ansible uses to turn free-form command text into argv (the command
 * module, ssh arguments) and argv back into text. Byte strings in, byte
 * strings out. Shared by the controller and the worker. */
#ifndef DROVER_DATA_SHLEX_H
#define DROVER_DATA_SHLEX_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"

/* Splits s[0..len) into words as shlex.split(s) does. Returns 0 with *listp a
 * new list of strings, or ERR_PARSE with *listp NULL and *msgp naming the
 * error as Python's ValueError does ("No closing quotation", "No escaped
 * character"). */
int shlex_split(const char *s, size_t len, struct value **listp, const char **msgp);

/* Appends shlex.quote(s) to out: s unchanged when it is non-empty and made
 * only of [A-Za-z0-9_@%+=:,./-], otherwise single-quoted. Returns 0 or
 * ERR_TOOBIG. */
int shlex_quote(struct buf *out, const char *s, size_t len);

#endif
