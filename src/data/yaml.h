/* YAML loading into value trees, typed exactly as Ansible's loader types them
 * (PyYAML's SafeLoader rules for YAML 1.1 plus Ansible's own tags), with the
 * file:line:col of every node. libyaml does the parsing; the controller links
 * it, the worker never does.
 *
 * Typing of untagged plain scalars (PyYAML's resolver):
 *   null    ~ null Null NULL and the empty scalar
 *   bool    yes Yes YES no No NO true True TRUE false False FALSE
 *           on On ON off Off OFF
 *   int     123, +1_000, 0x1F, 0b101, 017 (a leading 0 means octal),
 *           1:20 (sexagesimal, = 80). "0o17" and "09" stay strings.
 *   float   1.5, 1., .5, 1.0e+3 (an exponent needs a dot and a sign:
 *           "1e3" and "1.0e3" stay strings), 1:20.5, .inf -.inf .nan
 *   date    2001-12-14 and 2001-12-14t21:59:43.10-05:00 become strings in
 *           ISO form ("2001-12-14", "2001-12-14T21:59:43.100000-05:00"), as
 *           Ansible prints its date objects
 *   str     everything else; quoted, literal and folded scalars always
 *   "="     rejected, as PyYAML rejects its "value" tag
 * Explicit tags: !!str !!int !!float !!bool !!null !!map !!seq !!timestamp
 * and the non-specific "!"; Ansible's !unsafe makes a string (or, on a
 * collection, every string inside it) carry VALUE_F_UNSAFE; !vault and
 * !vault-encrypted fail with "vault-encrypted values are not supported";
 * other tags fail.
 *
 * Mappings: keys that are not strings are converted to the text JSON would
 * print for them (1 -> "1", true -> "true", null -> "null", 1.5 -> "1.5"), so
 * output matches ansible-inventory's; a key node converted this way carries
 * YAML_F_NONSTR_KEY in its flags. Collection keys are rejected. Duplicate
 * keys: the last value wins and the key keeps its first place (Ansible warns;
 * drover says nothing). Merge keys "<<" take one mapping or a list of
 * mappings, with PyYAML's precedence (explicit keys over merged ones, earlier
 * maps in a merge list over later ones).
 *
 * Anchors and aliases: an alias shares the anchored value by reference (so
 * the value has several references and must be copied before it is
 * modified). Recursive aliases, undefined aliases and duplicate anchors are
 * errors. The number of nodes a document would have with every alias
 * expanded is capped at YAML_MAX_EXPANDED, so a "billion laughs" document
 * fails with ERR_TOOBIG instead of exhausting whoever walks the tree.
 *
 * Caps: input YAML_MAX_INPUT bytes (ERR_TOOBIG), nesting YAML_MAX_DEPTH
 * (ERR_DEPTH); integers must fit in 64 bits (ERR_PARSE otherwise).
 *
 * Errors fill d with the 1-based line and column of the problem and
 * libyaml's problem text (or drover's own for typing errors) and return
 * ERR_PARSE, ERR_DEPTH or ERR_TOOBIG; the output pointer is then NULL.
 * Nothing is printed. */
#ifndef DROVER_DATA_YAML_H
#define DROVER_DATA_YAML_H

#include <stddef.h>

#include "base/buf.h"
#include "base/diag.h"
#include "data/value.h"

#define YAML_MAX_INPUT ((size_t)64 << 20)   /* bytes */
#define YAML_MAX_DEPTH 256                  /* nested collections */
#define YAML_MAX_EXPANDED ((size_t)1 << 24) /* nodes with aliases expanded */

/* Set on a mapping key that was not a string in the source (see above). */
#define YAML_F_NONSTR_KEY (1u << 8)

/*
 * yaml_load - load a stream that holds at most one document
 *
 * Parses len bytes of text (not necessarily NUL-terminated). file (may be
 * NULL) is the name used in node positions and in d. An empty stream, or one
 * whose only document is empty, gives a VALUE_NULL. A second document is an
 * error ("expected a single document in the stream"), as in Ansible.
 * On success *docp is a new reference.
 */
int yaml_load(const char *text, size_t len, const char *file, struct value **docp, struct diag *d);

/*
 * yaml_load_all - load every document of a stream
 *
 * As yaml_load, but *docsp receives a new VALUE_LIST with one value per
 * document ("---" separated), empty for an empty stream.
 */
int yaml_load_all(const char *text, size_t len, const char *file, struct value **docsp, struct diag *d);

/*
 * yaml_load_file - read a file and load its single document
 *
 * Reads path (capped at YAML_MAX_INPUT) and calls yaml_load with path as the
 * file name. A read failure returns -errno with d set to "could not read
 * file: <strerror>".
 */
int yaml_load_file(const char *path, struct value **docp, struct diag *d);

/*
 * yaml_load_data - load text as Ansible's DataLoader does
 *
 * Ansible tries JSON first and falls back to YAML: when the whole text is
 * one JSON value, it is decoded as JSON (so {"x": 1e3} gives a float, as in
 * Ansible, where YAML 1.1 would give a string); otherwise it is loaded as a
 * single YAML document. Vault-encrypted text ("$ANSIBLE_VAULT;" at the
 * start) fails with "vault-encrypted files are not supported".
 * yaml_load_data_file reads the file first, as yaml_load_file.
 */
int yaml_load_data(const char *text, size_t len, const char *file, struct value **docp, struct diag *d);
int yaml_load_data_file(const char *path, struct value **docp, struct diag *d);

enum {
	YAML_EMIT_SORT_KEYS = 1 << 0, /* mapping keys in sorted order, as yaml.dump */
};

/*
 * yaml_emit - write a value tree as a YAML document
 *
 * Appends to out a block-style document (as PyYAML's yaml.dump with
 * default_flow_style=False and allow_unicode=True writes one, though not
 * byte for byte): strings that would read back as another type ("yes",
 * "12", "null", "") are quoted, so loading the text with yaml_load gives
 * the same data. Returns 0 or ERR_TOOBIG (out's cap).
 */
int yaml_emit(struct buf *out, const struct value *v, int flags);

#endif
