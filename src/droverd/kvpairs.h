/* supervisord's environment= values: KEY="val",KEY2=val2, tokenised as
 * supervisor 4.2.5's dict_of_key_value_pairs() does with Python's shlex in
 * its legacy (non-POSIX) mode, quirks included, and the ordered string maps
 * that hold the result. */
#ifndef DROVER_DROVERD_KVPAIRS_H
#define DROVER_DROVERD_KVPAIRS_H

#include <stddef.h>

/* An ordered map of strings with Python dict semantics: setting an existing
 * key replaces its value and keeps its place. */
struct kvlist {
	char **keys; /* owned */
	char **vals; /* owned */
	size_t n, cap;
};

void kvlist_init(struct kvlist *l);
void kvlist_fini(struct kvlist *l);
/* Copies key and val in. */
void kvlist_set(struct kvlist *l, const char *key, const char *val);
/* Returns the value of key or NULL. */
const char *kvlist_get(const struct kvlist *l, const char *key);
/* Sets every entry of src into dst (dict.update). */
void kvlist_update(struct kvlist *dst, const struct kvlist *src);
/* Whether a and b hold the same pairs in the same order. */
int kvlist_equal(const struct kvlist *a, const struct kvlist *b);

/* Parses s as dict_of_key_value_pairs(s) and sets the pairs into out, in
 * order. The tokens are Python shlex's in non-POSIX mode with "/.+-():"
 * added to the word characters: a quoted token keeps its quotes (stripped
 * from values afterwards, all of ' and " at both ends), "#" drops the rest
 * of the line, every other character that is not a word character is a
 * token of its own, and the token after each value is skipped whatever it
 * is. Inputs are capped (64 KiB). Returns 0, or ERR_PARSE with *errp a new
 * message: "No closing quotation", or "Unexpected end of key/value pairs in
 * value '...'". */
int kvpairs_parse(const char *s, struct kvlist *out, char **errp);

#endif
