/* Ansible's key=value argument strings: `drover run -a 'ARGS'` and free-form
 * task arguments (`command: echo hi creates=/x`, `file: path=/x state=touch`).
 * The three functions behave as ansible-core 2.14's split_args, parse_kv and
 * join_args, so the same string yields the same arguments in the same order. */
#ifndef DROVER_PLAYBOOK_KV_H
#define DROVER_PLAYBOOK_KV_H

#include <stddef.h>

struct value;
struct diag;

/* Longest argument string accepted, in bytes. */
#define KV_MAX_ARGS ((size_t)8 << 20)

/*
 * kv_split - split an argument string into words, keeping quotes and jinja2 blocks whole
 *
 * Splits the len bytes at args (NULs allowed; args may be NULL when len is 0)
 * on spaces and newlines, then glues back together the pieces that lie inside
 * a quoted string ('...' or "...", where a quote right after a backslash does
 * not count) or inside a jinja2 block ({{ }}, {% %}, {# #}, nested by count).
 * Nothing is unquoted or unescaped: each word is the text as written. Inside
 * a glued word each space and each newline is kept (a newline inside a jinja2
 * block but outside quotes, followed by a line without spaces, comes out
 * twice, as in Ansible); between words, a run of n spaces leaves n-1 spaces
 * at the end of the previous word and a newline is kept at the end of the
 * word it follows. A word that is a lone backslash
 * outside quotes is a line continuation: it is dropped, and so is the newline
 * ending its line.
 *
 * On success *listp is a new VALUE_LIST of VALUE_STR words, each positioned
 * at its first byte (line and byte column, 1-based, no file); an empty
 * string gives an empty list. Returns 0, or:
 *   ERR_PARSE  an unclosed quote or jinja2 block; d gets "failed at splitting
 *              arguments, either an unbalanced jinja2 block or quotes: ARGS"
 *              with d->line/d->col at the earliest construct left open.
 *   ERR_PARSE  before the first word, a newline or a space not directly
 *              followed by a word (as in " ", "  a=b" or "\na=b", which
 *              Ansible also rejects); d gets "Unable to parse argument
 *              string" at the offending byte.
 *   ERR_TOOBIG len exceeds KV_MAX_ARGS.
 * d->file is left NULL: the caller knows which argument this was. *listp is
 * NULL on failure.
 */
int kv_split(const char *args, size_t len, struct value **listp, struct diag *d);

/*
 * kv_parse - turn an argument string into a map of options
 *
 * Splits args as kv_split, then reads each word after decoding its escapes
 * (\\ \' \" \a \b \f \n \r \t \v, \xHH, \uHHHH, \UHHHHHHHH; code points are
 * written as UTF-8, lone surrogates as their three-byte form). A word whose
 * decoded text has an '=' past its first byte and not right after a
 * backslash is an option: the key is the text before that '=' and the value
 * the text after it, both stripped of leading and trailing whitespace
 * (Unicode whitespace, as Python's str.strip), and the value then loses one
 * pair of matching outer quotes unless the closing quote is backslashed. A
 * later option replaces the value of an earlier one with the same key but
 * keeps its place. Any other word is a free-form word.
 *
 * With check_raw (the action is command, shell, raw, script or a win_
 * variant), only the keys creates, removes, chdir, executable, warn, stdin,
 * stdin_add_newline and strip_empty_ends make options; every other word,
 * key=value or not, is a free-form word.
 *
 * Free-form words are joined as kv_join does and stored under "_raw_params",
 * added after every option (or in place if an option was named so). They
 * keep their text as written, except a word whose only '=' signs are
 * backslashed: it is taken decoded, with each "\=" made "=".
 *
 * On success *mapp is a new VALUE_MAP of VALUE_STR (empty for an empty
 * string), keys and values positioned at their word. Returns 0, or the
 * errors of kv_split, or ERR_PARSE with d at the escape for a \U escape past
 * U+10FFFF, or for a \N{NAME} escape whose decoded text would be used
 * (character names are not supported; Ansible decodes them). *mapp is NULL
 * on failure.
 */
int kv_parse(const char *args, size_t len, int check_raw, struct value **mapp, struct diag *d);

/*
 * kv_join - join words back into one argument string
 *
 * Returns the VALUE_STR items of list separated by one space, with no space
 * after an item that ends in a newline, nor after an empty leading result.
 * The result is a new NUL-terminated string the caller frees (items holding
 * a NUL byte are cut there when read as C strings). Returns NULL when list
 * is not a VALUE_LIST, an item is not a VALUE_STR, or the result would pass
 * BUF_MAX_DEFAULT.
 */
char *kv_join(const struct value *list);

#endif
