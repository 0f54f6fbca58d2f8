/* Python string semantics that Ansible's results and templates rely on,
 * over UTF-8 bytes. Shared by the controller and the worker. */
#ifndef DROVER_DATA_PYSTR_H
#define DROVER_DATA_PYSTR_H

#include <stddef.h>

#include "data/value.h"

/* str.splitlines(): splits s at \n, \r\n, \r, \v, \f, \x1c, \x1d, \x1e and
 * the UTF-8 forms of U+0085, U+2028, U+2029, dropping the separators.
 * Returns a new list of strings (empty for an empty s). */
struct value *pystr_splitlines(const char *s, size_t len);

/* Returns len less the trailing bytes found in chars: the length of
 * s.rstrip(chars). */
size_t pystr_rstrip_len(const char *s, size_t len, const char *chars);

#endif
