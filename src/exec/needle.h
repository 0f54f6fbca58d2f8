/* Finding a task's local file as Ansible's _find_needle does, shared by
 * the template module (templates/) and the transfers (files/): an absolute
 * path as it is, else under the role, then under the play's directory. */
#ifndef DROVER_EXEC_NEEDLE_H
#define DROVER_EXEC_NEEDLE_H

#include "base/buf.h"

/*
 * needle_find - the first place src exists
 *
 * The candidates, in order: src itself when absolute; else
 * <role_path>/<subdir>/<src> and <role_path>/<src> (role_path may be NULL),
 * <basedir>/<subdir>/<src> and <basedir>/<src> (basedir NULL: "."). A
 * trailing '/' of src is kept. Returns the path (heap) of the first
 * candidate that exists (a file or a directory), or NULL.
 */
char *needle_find(const char *subdir, const char *src, const char *role_path, const char *basedir);

/* The candidates of needle_find, in order (a heap array of heap strings,
 * NULL-terminated; free with needle_free). */
char **needle_candidates(const char *subdir, const char *src, const char *role_path, const char *basedir);
void needle_free(char **cand);

/* Appends Ansible's "Could not find or access ..." message for src, with
 * the places searched, to m. */
void needle_not_found(const char *subdir, const char *src, const char *role_path, const char *basedir,
                      struct buf *m);

#endif
