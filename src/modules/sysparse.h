/* The text parsers of the system modules: Python's strip and split as
 * the Ansible modules use them, "systemctl show" output, mountinfo, and
 * the rewrite of a sysctl.conf-style file. Pure functions of their text
 * (no files, no commands), each input-driven loop capped. */
#ifndef DROVER_MODULES_SYSPARSE_H
#define DROVER_MODULES_SYSPARSE_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"

/* Lines taken in from any one text. */
#define SYSPARSE_MAX_LINES 100000

/* Python's s[0..n).strip(), a heap string. */
char *sysparse_strip(const char *s, size_t n);

/* str.split(): the whitespace-separated words of line; the first max go
 * into words (heap strings, released with sysparse_free_words). Returns
 * how many words the line has (which may be more than max). */
size_t sysparse_split(const char *line, char **words, size_t max);
void sysparse_free_words(char **words, size_t n, size_t max);

/* parse_systemctl_show: "key=value" lines into a map, values stripped;
 * an Exec* value in braces may span lines. A new map. */
struct value *sysparse_show(const char *text);

/* get_linux_mounts on mountinfo text: mount point -> source, where a
 * mount whose parent is listed gets its root within that parent (as
 * Ansible computes it, for telling bind mounts apart). A new map. */
struct value *sysparse_mountinfo(const char *mountinfo);

/* The sysctl module's read_sysctl_file and fix_lines: in's lines
 * stripped, blank and comment lines kept, each key once as "k=v", name's
 * value replaced by value (or its line dropped when value is NULL), added
 * at the end when missing; appended to text. *oldvp (heap) is in's last
 * value of name, NULL when it has none. */
void sysparse_sysctl(const char *in, const char *name, const char *value, struct buf *text, char **oldvp);

#endif
