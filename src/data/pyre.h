/* Python regular expressions for the worker's modules and the template
 * engine's regex filters and tests (lineinfile, blockinfile, replace, find),
 * run by the C library's POSIX <regex.h>: a
 * pattern in Python's syntax is translated to a POSIX extended regular
 * expression, and Python's group numbers and names are mapped onto the
 * ERE's subexpressions. Replacement templates ("\1", "\g<name>") are
 * expanded as Python's re module does, and pyre_sub follows re.sub's rules
 * for empty matches.
 *
 * What translates: literals and escapes (\n \t \xHH \uXXXX octal, escaped
 * punctuation), . ^ $ | groups (capturing, (?:...), (?P<name>...)),
 * (?#comments), greedy quantifiers * + ? {m} {m,} {,n} {m,n}, character
 * classes with ranges and \d \w \s inside, \d \D \w \W \s \S \b \B \A \Z,
 * and the global flags (?i) (?m) (?s) (and (?a) (?u), which change
 * nothing here).
 *
 * What fails, with a message naming the construct: lazy (*? +? ?? {}?)
 * and possessive quantifiers, lookahead and lookbehind, back references in
 * the pattern (\1, (?P=name)), atomic groups, conditionals, scoped flags
 * (?i:...), verbose mode (?x), \D \W \S inside a class, non-ASCII bytes
 * inside a class, NUL, and the errors Python itself reports ("nothing to
 * repeat", "multiple repeat", "unterminated character set", "missing ),
 * unterminated subpattern", "bad escape \q"...).
 *
 * Known differences that remain: POSIX picks the longest of the matches
 * that start leftmost where Python takes the first alternative that
 * matches ("a|ab" on "ab" matches "ab", Python "a"); with MULTILINE a
 * negated class ([^a]) does not match a newline; $ without MULTILINE
 * matches only at the very end (Python also before a final newline, so
 * callers match lines without their newline); text is matched as bytes
 * and stops at the first NUL byte. */
#ifndef DROVER_DATA_PYRE_H
#define DROVER_DATA_PYRE_H

#include <stddef.h>

#include "base/buf.h"

enum {
	PYRE_IGNORECASE = 1 << 0, /* re.I */
	PYRE_MULTILINE = 1 << 1,  /* re.M */
	PYRE_DOTALL = 1 << 2,     /* re.S */
};

#define PYRE_MAX_GROUPS 99        /* Python groups a pattern may have */
#define PYRE_MAX_PATTERN 65536    /* bytes of pattern */
#define PYRE_NONE ((size_t)-1)

struct pyre;

struct pyre_match {
	size_t ngroups;                      /* Python groups, group 0 not counted */
	size_t so[PYRE_MAX_GROUPS + 1];      /* start offsets; PYRE_NONE: the group did not take part */
	size_t eo[PYRE_MAX_GROUPS + 1];      /* end offsets */
};

/* Translates the Python pattern py[0..len) with the given PYRE_* flags
 * (inline flags may add more) into an ERE appended to ere, and the regcomp
 * flags to *cflagsp. For tests and diagnostics; pyre_compile uses it.
 * Returns 0, or ERR_INVAL with *errp (heap) saying why. */
int pyre_translate(const char *py, size_t len, int flags, struct buf *ere, int *cflagsp, char **errp);

/* Compiles a Python pattern. Returns 0 with *rep (free with pyre_free), or
 * ERR_INVAL with *errp (heap) naming what cannot be translated, or what
 * Python or regcomp rejects. */
int pyre_compile(const char *py, size_t len, int flags, struct pyre **rep, char **errp);
void pyre_free(struct pyre *re);

/* Number of capturing groups of re. */
size_t pyre_groups(const struct pyre *re);
/* The name of capturing group i (1-based), or NULL for an unnamed group. */
const char *pyre_group_name(const struct pyre *re, size_t i);
/* The PYRE_* flags in effect: those asked for and those set inline. */
int pyre_flags(const struct pyre *re);

/* Searches s (NUL-terminated; len bytes are considered, up to the first
 * NUL) for the leftmost match at or after start, as Python's
 * pattern.search(s, start): ^ matches at start only when start is 0 (or
 * follows a newline with MULTILINE). Returns 1 with m filled, 0 when there
 * is no match. */
int pyre_search(const struct pyre *re, const char *s, size_t len, size_t start, struct pyre_match *m);

/* As Python's match.expand(template): appends the template with its
 * escapes and group references (\1..\99, \g<1>, \g<name>) replaced by the
 * matched text of s. Returns 0, or ERR_INVAL with *errp (heap) for a bad
 * template ("invalid group reference 3", "bad escape \q"...). */
int pyre_expand(const struct pyre *re, const char *tmpl, size_t tlen, const char *s, const struct pyre_match *m,
                struct buf *out, char **errp);

/* As Python's re.subn(re, repl, s): appends s with every match replaced
 * by the expanded repl to out, and the number of replacements to *countp.
 * Returns 0, ERR_INVAL (bad template, *errp set) or ERR_TOOBIG (out's cap). */
int pyre_sub(const struct pyre *re, const char *repl, size_t rlen, const char *s, size_t len, struct buf *out,
             size_t *countp, char **errp);

#endif
