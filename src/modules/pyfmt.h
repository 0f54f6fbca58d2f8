/* Text the way Python prints it, for results that must read as Ansible's:
 * datetimes and timedeltas, bytes reprs in OSError messages, and the path
 * expansion (os.path.expandvars, os.path.expanduser) Ansible applies to
 * command arguments and path parameters. */
#ifndef DROVER_MODULES_PYFMT_H
#define DROVER_MODULES_PYFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* Microseconds since the epoch, from the wall clock (datetime.now()). */
int64_t pyfmt_now_us(void);

/* Appends str(datetime.fromtimestamp(us / 1e6)) in local time:
 * "2024-01-31 12:00:00.123456", without the fraction when it is zero. */
int pyfmt_datetime(struct buf *out, int64_t us);

/* Appends str(timedelta(microseconds=us)): "0:00:00.003241",
 * "1 day, 2:03:04", "-1 day, 23:59:59.999999". */
int pyfmt_timedelta(struct buf *out, int64_t us);

/* Appends repr(bytes(s)): b'abc', b"it's", b'\xff\n'. */
int pyfmt_bytes_repr(struct buf *out, const char *s, size_t len);

/* Appends str(OSError(errnum, strerror, filename)) as Python on glibc prints
 * it: "[Errno 2] No such file or directory: b'nosuchcmd'". filename NULL
 * leaves the ": ..." part out; as_str prints it as a str repr ('x') instead
 * of a bytes repr. */
int pyfmt_oserror(struct buf *out, int errnum, const char *filename, int as_str);

/* Returns the strerror text glibc gives errnum (Python on the managed host
 * prints these; the static worker's libc words some differently). */
const char *pyfmt_strerror(int errnum);

/* Looks up name in envp (NULL: the process environment). Returns the value
 * or NULL. */
const char *pyfmt_getenv(char *const *envp, const char *name);

/* Appends os.path.expanduser(os.path.expandvars(s)) with variables taken
 * from envp (NULL: the process environment): $NAME and ${NAME} for set
 * variables, then a leading ~ or ~user from HOME or the password database.
 * Unset variables and unknown users are left as written. */
int pyfmt_expand_path(struct buf *out, const char *s, size_t len, char *const *envp);

#endif
