/* Templating of value trees as Ansible's Templar does for playbook data:
 * every string with template syntax, at any depth of lists and maps, is
 * rendered with tpl_render_value (native types for single expressions);
 * strings marked unsafe are left alone.
 *
 * Templates are compiled once and cached, keyed by their text and where it
 * came from, so a task's arguments are compiled once per run and evaluated
 * per host. */
#ifndef DROVER_PLAYBOOK_TEMPLAR_H
#define DROVER_PLAYBOOK_TEMPLAR_H

#include "base/diag.h"
#include "data/value.h"
#include "template/template.h"

struct templar;

#define TEMPLAR_MAX_CACHED 65536 /* compiled templates kept; later ones are compiled per use */

struct templar *templar_new(void);
void templar_free(struct templar *tr);

/* Returns in *outp a new value: v templated. A value without template
 * syntax is returned as a new reference to itself (no copy). Errors carry
 * the position of the string that failed. */
int templar_value(struct templar *tr, const struct value *v, const struct tpl_scope *s, struct value **outp,
                  struct diag *d);

/* Evaluates an Ansible conditional (a `when`/`changed_when`/`failed_when`
 * item): a bool as is, a string as an expression (`{{ }}` around it is
 * accepted, as Ansible does with a warning). */
int templar_cond(struct templar *tr, const struct value *cond, const struct tpl_scope *s, int *resultp,
                 struct diag *d);

/* Renders the text of a template file (the template module's settings)
 * into out. file names it in errors. */
int templar_file(struct templar *tr, const char *text, size_t len, const char *file, const struct tpl_scope *s,
                 struct buf *out, struct diag *d);

/* Whether v holds any string that needs templating. */
int templar_needed(const struct value *v);

#endif
