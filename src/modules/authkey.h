/* authorized_keys files as ansible.posix's authorized_key module reads and
 * writes them: a line is split at whitespace; the first word that is a
 * known key type starts the key, the words before it are its options
 * (split at commas outside quotes), the word after it is the key body
 * (the entry's identity) and the rest its comment. Lines that are no key
 * (comments, blank lines, junk) are kept verbatim. The file is a table
 * keyed by key body (a later line with the same body replaces an earlier
 * one in its place), ordered by rank (the line number; new keys rank
 * after the old ones) when written back, where every key is rewritten as
 * "options type body comment". */
#ifndef DROVER_MODULES_AUTHKEY_H
#define DROVER_MODULES_AUTHKEY_H

#include <stddef.h>

#include "data/value.h"

/* Lines of a file the module reads at most. */
#define AUTHKEY_MAX_LINES 100000

struct authkey_entry {
	char *hash;             /* owned: the key body, or the whole line of a skipped one */
	char *type;             /* owned: the key type, or "skipped" */
	struct value *options;  /* owned: list of [name, value or null]; NULL for skipped */
	char *comment;          /* owned; NULL for skipped */
	long rank;
};

/* Parses one line (n bytes, a newline included or not) with rank. Returns
 * 0 with e filled (a "# ..." line is a skipped entry whose hash is the
 * line), or -1 when the line holds no key. */
int authkey_parse(const char *line, size_t n, long rank, struct authkey_entry *e);
void authkey_entry_fini(struct authkey_entry *e);

/* The words of s separated by runs of the characters of ws (a new list
 * of strings): shlex's split with ws " \t\r\n", str.split() with
 * AUTHKEY_PY_SPACE. */
#define AUTHKEY_PY_SPACE " \t\r\n\v\f"
struct value *authkey_words(const char *s, const char *ws);

/* A key_options string as a list of [name, value or null] (a new list;
 * s NULL gives an empty one). */
struct value *authkey_options(const char *s);

/* Are the two entries the same (body, type, options compared as the
 * module's keydict compares: per option, in order; comment)? */
int authkey_entry_equal(const struct authkey_entry *a, const struct authkey_entry *b);

struct authkey_table {
	struct authkey_entry *e; /* owned */
	size_t n, cap;
};

void authkey_table_init(struct authkey_table *t);
void authkey_table_fini(struct authkey_table *t);
/* Parses text (the file) into t. Returns 0, or -1 past AUTHKEY_MAX_LINES. */
int authkey_table_read(struct authkey_table *t, const char *text, size_t len);
/* The index of the entry with this hash, or -1. */
long authkey_table_find(const struct authkey_table *t, const char *hash);
/* Sets e (taken; e is cleared) in its hash's place, or at the end. */
void authkey_table_set(struct authkey_table *t, struct authkey_entry *e);
void authkey_table_del(struct authkey_table *t, size_t i);
/* The file's new text (heap), entries by rank. */
char *authkey_table_write(const struct authkey_table *t, size_t *lenp);

#endif
