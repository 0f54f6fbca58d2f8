/* Unified diffs as Python's difflib.unified_diff prints them, for the diffs
 * Ansible's callbacks show (--diff).
 *
 * udiff_unified appends to out the unified diff of the texts a and b with
 * ctx lines of context: "--- from", "+++ to", then "@@ -l,n +l,n @@" hunks
 * whose lines start with ' ', '-' or '+'. Lines are split after "\n",
 * "\r\n" and "\r" (Python's splitlines(True) also splits at a few rarer
 * separators: not here). A last line without a newline gets Ansible's
 * "\n\\ No newline at end of file\n" and stays one line for the comparison,
 * as in the callback. The matching is difflib's SequenceMatcher: the longest
 * matching block first (the earliest on ties), recursively on both sides,
 * with its "popular lines" rule for texts of 200 lines or more; isjunk is
 * None. Returns 1 when the texts differ (something was appended), else 0;
 * texts of more than UDIFF_MAX_LINES lines each are not compared (-1). */
#ifndef DROVER_OUTPUT_UDIFF_H
#define DROVER_OUTPUT_UDIFF_H

#include <stddef.h>

#include "base/buf.h"
#include "data/value.h"

#define UDIFF_MAX_LINES 20000

int udiff_unified(struct buf *out, const char *a, size_t alen, const char *b, size_t blen, const char *from,
                  const char *to, int ctx);

/* Appends the text Ansible's callbacks show for a result's "diff" (a map or
 * a list of maps), as CallbackBase._get_diff: "diff skipped: ..." notes for
 * dst_binary, src_binary, dst_larger, src_larger; the unified diff of
 * before and after (maps as sorted JSON indented by 4, null as empty) under
 * "before[: before_header]" / "after[: after_header]" with ctx lines of
 * context, followed by an empty line; then "prepared" as it is. Returns 1
 * when anything was appended. (human_diff.c) */
int udiff_ansible(struct buf *out, const struct value *diff, int ctx);

#endif
