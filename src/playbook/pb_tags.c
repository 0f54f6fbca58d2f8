/* Tag selection (Taggable.evaluate_tags). */
#include "playbook/pb_tags.h"

#include <string.h>

static int pb_tags_has(const struct value *set, const char *name)
{
	size_t i;

	for (i = 0; set != NULL && i < value_len(set); i++) {
		const char *s = value_cstr(value_list_at(set, i));

		if (s != NULL && strcmp(s, name) == 0)
			return 1;
	}
	return 0;
}

static int pb_tags_contains(const struct value *set, const struct value *v)
{
	size_t i;

	for (i = 0; set != NULL && i < value_len(set); i++)
		if (value_equal(value_list_at(set, i), v))
			return 1;
	return 0;
}

static int pb_tags_disjoint(const struct value *a, const struct value *b)
{
	size_t i;

	for (i = 0; i < value_len(a); i++)
		if (pb_tags_contains(b, value_list_at(a, i)))
			return 0;
	return 1;
}

static void pb_tags_flatten(struct value *out, const struct value *tags, int depth)
{
	size_t i;

	for (i = 0; i < value_len(tags); i++) {
		struct value *t = value_list_at(tags, i);

		if (t->type == VALUE_LIST && depth == 0)
			pb_tags_flatten(out, t, depth + 1);
		else if (!pb_tags_contains(out, t))
			value_list_push(out, value_ref(t));
	}
}

void pb_tags_add_arg(struct value *list, const char *arg)
{
	const char *s = arg, *comma;

	for (;;) {
		const char *a, *b;
		struct value *t;

		comma = strchr(s, ',');
		a = s;
		b = comma ? comma : s + strlen(s);
		while (a < b && strchr(" \t\n\r\f\v", *a) != NULL)
			a++;
		while (b > a && strchr(" \t\n\r\f\v", b[-1]) != NULL)
			b--;
		t = value_strn(a, (size_t)(b - a));
		if (!pb_tags_contains(list, t))
			value_list_push(list, t);
		else
			value_unref(t);
		if (comma == NULL)
			break;
		s = comma + 1;
	}
}

int pb_tags_should_run(const struct value *tags, const struct value *only, const struct value *skip)
{
	struct value *set = value_list();
	int untagged, run = 1;

	if (tags != NULL && tags->type == VALUE_LIST)
		pb_tags_flatten(set, tags, 0);
	else if (tags != NULL && tags->type != VALUE_NULL)
		value_list_push(set, value_ref((struct value *)tags));
	if (value_len(set) == 0)
		value_list_push(set, value_str("untagged"));
	/* Python compares with the set {'untagged'}: a task tagged
	 * "untagged" counts as untagged too. */
	untagged = value_len(set) == 1 && pb_tags_has(set, "untagged");
	{
		int all = only == NULL || value_len(only) == 0 || pb_tags_has(only, "all");

		if (pb_tags_has(set, "always"))
			run = 1;
		else if (all && !pb_tags_has(set, "never"))
			run = 1;
		else if (!pb_tags_disjoint(set, only))
			run = 1;
		else if (only != NULL && pb_tags_has(only, "tagged") && !untagged && !pb_tags_has(set, "never"))
			run = 1;
		else
			run = 0;
	}
	if (run && skip != NULL && value_len(skip) > 0) {
		if (pb_tags_has(skip, "all")) {
			if (!pb_tags_has(set, "always") || pb_tags_has(skip, "always"))
				run = 0;
		} else if (!pb_tags_disjoint(set, skip)) {
			run = 0;
		} else if (pb_tags_has(skip, "tagged") && !untagged) {
			run = 0;
		}
	}
	value_unref(set);
	return run;
}
