/* Python literals, as Ansible's INI inventory reads variable values (through
 * ast.literal_eval) and as ansible-inventory --graph --vars prints them
 * (through str() and repr()). */
#ifndef DROVER_INVENTORY_PYLIT_H
#define DROVER_INVENTORY_PYLIT_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"

/* Python's parser gives up on deeper bracket nesting ("too many nested
 * parentheses"), and so does pylit_eval. */
#define PYLIT_MAX_DEPTH 200

/*
 * pylit_eval - evaluate text as Python's ast.literal_eval would
 *
 * Evaluates the n bytes at s (leading spaces and tabs are ignored, a
 * trailing "# comment" too) as one Python literal expression: int (with
 * 0x/0o/0b prefixes and underscores), float, str and bytes literals (any
 * prefix but f, implicit concatenation, every escape but \N{...}), True,
 * False, None, tuples (with or without parentheses: "1, 2"), lists, dicts,
 * sets and set(), and numbers with a unary sign. Bytes become strings;
 * tuples become lists flagged VALUE_F_TUPLE; sets become lists (first
 * occurrence order); dict keys that are not strings become the text JSON
 * would print for them. Every node is positioned at file:line:col.
 *
 * Returns 1 with a new value in *vp when the text is such a literal; 0 when
 * it is not (Python would raise SyntaxError or ValueError, and Ansible keeps
 * the text as a string); or ERR_PARSE with a static reason in *whyp for a
 * literal that Ansible rejects (an unhashable dict key or set member) or
 * that drover cannot represent (an integer beyond 64 bits, a complex
 * number, Ellipsis, a \N{...} escape, a lone surrogate).
 */
int pylit_eval(const char *s, size_t n, const char *file, int line, int col, struct value **vp,
               const char **whyp);

#endif
