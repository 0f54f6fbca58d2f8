/* Symbolic names of errno values ("ENOENT"), as Python's
 * errno.errorcode.get(e, e) prints them in supervisord's messages. */
#ifndef DROVER_DROVERD_ERRNAME_H
#define DROVER_DROVERD_ERRNAME_H

/* Returns the name of errno value e, or e in decimal written into buf when
 * it has none (as Python falls back to the number). */
const char *errname_get(int e, char buf[16]);

#endif
