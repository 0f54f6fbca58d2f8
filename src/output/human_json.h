/* JSON-lines events for `drover playbook --json` (human_json.c lists them). */
#ifndef DROVER_OUTPUT_HUMAN_JSON_H
#define DROVER_OUTPUT_HUMAN_JSON_H

#include "data/value.h"

/* Writes {"event": event, <fields>...} as one line on stdout; takes fields
 * (a map, or NULL). */
void hjson_emit(const char *event, struct value *fields);

/* A copy of result without the "_ansible_*" keys. */
struct value *hjson_public(const struct value *r);

#endif
