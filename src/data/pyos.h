/* Python's os functions that return values of the tree, for the worker's
 * modules and the controller's transfers alike. */
#ifndef DROVER_DATA_PYOS_H
#define DROVER_DATA_PYOS_H

#include "data/value.h"

/* os.listdir: the names in directory path (without "." and ".."), in
 * readdir order. Returns a new list, or NULL with errno set. */
struct value *pyos_listdir(const char *path);

#endif
