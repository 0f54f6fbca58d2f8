/* The template module's controller half, shared by playbooks (pbtask.c)
 * and `drover run -m template` (adhoc.c): the template is found and
 * rendered here with the host's variables, and the task becomes the
 * worker's copy with the rendered text as content (the same atomic write,
 * mode/owner/group, backup, validate, check mode and diff). */
#ifndef DROVER_EXEC_TMPLMOD_H
#define DROVER_EXEC_TMPLMOD_H

#include "base/diag.h"
#include "data/value.h"
#include "exec/vars.h"
#include "playbook/templar.h"

/*
 * tmplmod_args - render a template task's src into content
 *
 * src is looked up as Ansible does: an absolute path as is, else in
 * <role_path>/templates/ (role_path may be NULL), <basedir>/templates/ and
 * <basedir>/. The text is rendered with the template module's settings and
 * the variables of c, to which Ansible's ansible_managed and template_host,
 * template_path, template_fullpath, template_destpath, template_uid and
 * template_mtime are added for the render (c->locals is restored after).
 * Lookups in the template search role_path, then basedir. On success *argsp
 * (copied on write) has "content" in place of "src", ready for copy.
 * Returns 0, or an error code with d filled (a missing src, a file that
 * cannot be read, a template error).
 */
int tmplmod_args(struct templar *tr, struct vars_ctx *c, const char *role_path, const char *basedir,
                 struct value **argsp, struct diag *d);

#endif
