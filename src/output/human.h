/* The human output of `drover playbook`, byte-compatible with Ansible's
 * default stdout callback (banners of stars, "ok: [h1]", "fatal: [h1]:
 * FAILED! => {...}", item lines, "...ignoring", PLAY RECAP), colours on a
 * terminal as Ansible's. One struct human per run; results are printed as
 * they arrive. */
#ifndef DROVER_OUTPUT_HUMAN_H
#define DROVER_OUTPUT_HUMAN_H

#include <stddef.h>

#include "data/value.h"

struct human {
	int verbosity;
	int color;
	int columns;                /* Ansible's: max(79, terminal width - 1) */
	int check_markers;          /* [CHECK MODE] markers (check_mode_markers) */
	int show_skipped;           /* display_skipped_hosts (default on) */
	int show_ok;                /* display_ok_hosts (default on) */
	int json;                   /* JSON-lines events instead of text (human_json.c) */
	int diff_context;           /* lines of context in diffs (Ansible's DIFF_CONTEXT) */
	const void *last_banner;    /* the task whose banner was printed last */
	char **warned;              /* warnings already shown (Ansible shows each once) */
	size_t nwarned;
};

enum human_status {
	HUMAN_OK,
	HUMAN_FAILED,
	HUMAN_SKIPPED,
	HUMAN_UNREACHABLE,
};

/* What the callback needs to know of a task to print its banner. */
struct human_task {
	const void *id;          /* identity (the task object) */
	const char *prefix;      /* "TASK" or "RUNNING HANDLER" */
	const char *name;        /* as Ansible's task.get_name(): "role : name" or the action */
	const char *path;        /* "file:line" for -vv and failures, or NULL */
	int check;               /* the task runs in check mode */
};

struct human_result {
	const struct human_task *task;
	const char *host;
	const char *delegate_to; /* or NULL */
	const char *delegate_host; /* its ansible_host when it differs, or NULL */
	enum human_status status;
	const struct value *result;
	const char *action;      /* short module name: debug output rules */
	int item;                /* a loop item's result */
	int loop_summary;        /* the final result of a loop (items already shown) */
	int ignore_errors;
};

void human_init(struct human *h, int verbosity);
void human_fini(struct human *h);

/* "PLAYBOOK: x.yml" (at -vv) */
void human_playbook_start(struct human *h, const char *path);
void human_play_start(struct human *h, const char *name, int check);
/* Prints the task banner (for strategies that announce tasks up front). */
void human_task_start(struct human *h, const struct human_task *t);
void human_result(struct human *h, const struct human_result *r);
/* "FAILED - RETRYING: [h1]: name (N retries left)." */
void human_retry(struct human *h, const struct human_task *t, const char *host, int retries_left,
                 const struct value *result);
void human_no_hosts(struct human *h);
void human_no_more_hosts(struct human *h);
/* --diff: the diffs of a changed result (a task's, or a loop item's), to
 * show before its status line, as the callback's v2_on_file_diff. */
void human_diff(struct human *h, const struct human_task *t, const struct value *result);
/* "included: <what>" (what is "<path> for h1, h2"), after the task's banner;
 * with " => (item=<label>)" when item (a loop item's names, as a result's) is
 * not NULL. */
void human_included(struct human *h, const struct human_task *t, const char *what, const struct value *item);
/* An error that does not end the run, as Display.error: " [ERROR]: msg" wrapped. */
void human_error_wrapped(struct human *h, const char *msg);
/* An error that ends the run, on stderr as Ansible's CLI shows it: "ERROR! msg", not wrapped. */
void human_error(struct human *h, const char *msg);
/* A warning on stderr, as Display.warning: wrapped to the width, shown once. */
void human_warning(struct human *h, const char *msg);

struct human_stats {
	const char *host;
	int ok, changed, unreachable, failures, skipped, rescued, ignored;
};
/* PLAY RECAP, hosts sorted by name. */
void human_recap(struct human *h, struct human_stats *stats, size_t n);

#endif
