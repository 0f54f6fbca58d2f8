/* The JSON-lines form of the playbook output (human.h, struct human.json):
 * one JSON object a line on stdout, each with "event" first:
 *   playbook_start {path}            play_start {name}
 *   task_start {name, handler}       included {task, what[, item]}
 *   result {task, host, status (ok changed failed skipped unreachable),
 *           item, ignored[, delegate_to], result (without _ansible_ keys)}
 *   retry {task, host, retries_left} no_hosts {}   no_more_hosts {}
 *   summary {stats: {host: {ok changed unreachable failed skipped rescued ignored}}}
 * Warnings and errors stay on stderr as text. */
#include "output/human_json.h"

#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/fdutil.h"
#include "data/json.h"

void hjson_emit(const char *event, struct value *fields)
{
	struct value *ev = value_map();
	struct buf b;
	size_t i;

	value_map_set(ev, "event", value_str(event));
	for (i = 0; fields != NULL && i < value_len(fields); i++)
		value_map_set(ev, value_map_key_at(fields, i)->u.s.ptr, value_ref(value_map_val_at(fields, i)));
	buf_init(&b, 0);
	json_encode(&b, ev, 0);
	buf_putc(&b, '\n');
	fd_write_all(STDOUT_FILENO, buf_ptr(&b), buf_avail(&b));
	buf_fini(&b);
	value_unref(ev);
	value_unref(fields);
}

struct value *hjson_public(const struct value *r)
{
	struct value *out = value_map();
	const char *k;
	size_t i;

	for (i = 0; r != NULL && r->type == VALUE_MAP && i < value_len(r); i++) {
		k = value_map_key_at(r, i)->u.s.ptr;
		if (strncmp(k, "_ansible_", 9) != 0)
			value_map_set(out, k, value_ref(value_map_val_at(r, i)));
	}
	return out;
}
