/* An INI reader with the semantics of Python's configparser, as Ansible
 * (ansible.cfg) and supervisord (supervisord.conf) use it. Libc only, so the
 * static droverd can link it.
 *
 * What it accepts, as configparser does:
 *   - "[name]" starts a section; the name is everything between the first
 *     "[" and the last "]" of the line, kept as written (case, inner spaces);
 *     text after that last "]" is ignored.
 *   - "key = value" or "key: value"; the first "=" or ":" separates them; the
 *     key is stripped and lower-cased (ASCII letters; configparser's
 *     optionxform), the value stripped and kept as written (no quote removal,
 *     no %(name)s interpolation: callers decide).
 *   - lines whose first non-blank text starts with a comment prefix are
 *     comments; inline comments, when enabled, start at a prefix that begins
 *     the line or follows whitespace.
 *   - a line indented deeper than the line that started the current option
 *     continues its value: the value gains "\n" and the stripped line. Blank
 *     lines inside such a value are kept, trailing whitespace and blank
 *     lines of a value are dropped.
 *   - the default section ("DEFAULT" unless told otherwise) may appear several
 *     times; its entries are merged. The reader does not make its keys visible
 *     in other sections: ini_get does that, as configparser's get() does.
 * Whitespace is Python's str.isspace() (ASCII blanks, \x1c-\x1f and the
 * UTF-8 forms of the Unicode spaces).
 *
 * Errors (each with file:line:col in a struct diag): text before any section
 * header, a line that is neither header nor option, an empty key, and in
 * strict mode a repeated section or a repeated key in a section. configparser
 * raises repeats and a missing header at once but reports malformed lines
 * only at the end of the file; the reader does the same, so the error shown
 * is the one Python would name first. Inputs are capped in size and line
 * length; NUL bytes are refused; UTF-8 is checked on request. */
#ifndef DROVER_DATA_INI_H
#define DROVER_DATA_INI_H

#include <stddef.h>

#include "base/diag.h"
#include "data/value.h"

#define INI_MAX_SIZE_DEFAULT ((size_t)16 << 20) /* 16 MiB */
#define INI_MAX_LINE_DEFAULT ((size_t)64 << 10) /* 64 KiB */

struct ini_opts {
	/* Prefixes that make a whole line a comment (after leading blanks).
	 * NULL-terminated; NULL means configparser's default "#" and ";". */
	const char *const *comment_prefixes;
	/* Prefixes that start a comment inside a line when at its start or after
	 * whitespace. NULL-terminated; NULL means none (configparser's default). */
	const char *const *inline_prefixes;
	/* Name of the section whose keys are defaults for every other one; it may
	 * be repeated without error. NULL means "DEFAULT"; "" means none. */
	const char *default_section;
	int lax;                /* non-zero: repeated sections merge and a repeated
	                           key takes the last value (configparser
	                           strict=False); zero: both are errors */
	int universal_newlines; /* non-zero: "\r\n" and a lone "\r" end lines, as
	                           Python's open() in text mode; zero: only "\n"
	                           does (read_string, as Ansible reads) */
	int require_utf8;       /* non-zero: bytes that are not UTF-8 are an error */
	size_t max_size;        /* bytes; 0 means INI_MAX_SIZE_DEFAULT */
	size_t max_line;        /* bytes per line; 0 means INI_MAX_LINE_DEFAULT */
};

/* The options Ansible's config manager uses for ansible.cfg: inline ";"
 * comments, strict, read as a UTF-8 string. */
extern const struct ini_opts ini_opts_ansible;
/* The options supervisord's config parser uses: inline ";" and "#" comments,
 * not strict, text-mode newlines. */
extern const struct ini_opts ini_opts_supervisord;

/* Parses len bytes of text. file names the input in positions and
 * diagnostics (may be NULL); o may be NULL for configparser's defaults.
 * On success returns 0 and *docp is a new map: section name -> map of key ->
 * string value, both in file order. Every section map carries the position of
 * its (first) header, every key string the position of the key, every value
 * string the position where its text starts (line and column of the first
 * line; 1-based, columns in bytes). On failure returns ERR_PARSE or
 * ERR_TOOBIG with d filled (d may be NULL) and *docp NULL. */
int ini_load(const char *text, size_t len, const char *file, const struct ini_opts *o, struct value **docp,
             struct diag *d);

/* Reads the file at path and parses it as ini_load does, naming it path.
 * Returns as ini_load, or -errno when the file cannot be read (d says so). */
int ini_load_file(const char *path, const struct ini_opts *o, struct value **docp, struct diag *d);

/* Looks key up in section as configparser's get() does: the section must
 * exist; a key it lacks is taken from the default section (default_section
 * NULL means "DEFAULT", "" means none). key is compared as given, so pass it
 * lower-cased. Returns the borrowed string value or NULL. */
const struct value *ini_get(const struct value *doc, const char *section, const char *key,
                            const char *default_section);

#endif
