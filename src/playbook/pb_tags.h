/* Tag selection as ansible-playbook applies -t/--tags and --skip-tags,
 * with the special tags always, never, tagged, untagged and all. */
#ifndef DROVER_PLAYBOOK_PB_TAGS_H
#define DROVER_PLAYBOOK_PB_TAGS_H

#include "data/value.h"

/*
 * pb_tags_add_arg - add one -t / --skip-tags argument to a tag list
 *
 * Splits arg at commas, strips each part, and appends the parts not yet in
 * list (a VALUE_LIST of strings), as Ansible's CLI builds its tag sets.
 */
void pb_tags_add_arg(struct value *list, const char *arg);

/*
 * pb_tags_should_run - Ansible's Taggable.evaluate_tags
 *
 * tags is the task's effective (templated) tag list, nested lists
 * flattened; NULL or empty means untagged. only is the -t list (NULL or
 * empty means ["all"], Ansible's default); skip the --skip-tags list (may
 * be NULL).
 * Returns non-zero when the task runs:
 *   - with only: a task tagged always runs; "all" selects every task not
 *     tagged never; a task runs when it shares a tag with only; "tagged"
 *     selects every tagged task not tagged never, "untagged" the untagged;
 *   - then skip: "all" skips everything but always (unless always is
 *     skipped too); a shared tag skips; "tagged" skips every tagged task.
 */
int pb_tags_should_run(const struct value *tags, const struct value *only, const struct value *skip);

#endif
