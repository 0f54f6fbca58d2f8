/* Private to the lookup plugins (lookups.c, lookups_gen.c). */
#ifndef DROVER_TEMPLATE_LOOKUPS_PRIV_H
#define DROVER_TEMPLATE_LOOKUPS_PRIV_H

#include <stddef.h>

#include "base/buf.h"
#include "template/plugin.h"

/* A lookup plugin: terms are the arguments after the plugin's name, kw its
 * options; returns 0 and a new list in *retp, or a recorded error. */
typedef int (*lookups_fn)(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                          struct value **retp);

/* The scope's search directories, or {".", NULL}. */
const char *const *lookups_dirs(struct tpl_call *c);
/* str(v) into a fresh buffer b (not initialised on failure). */
int lookups_text(struct tpl_call *c, const struct value *v, struct buf *b);
/* A uniformly random index below n from the kernel; -1 without one. */
int lookups_random_index(size_t n, size_t *ip);

/* password: file-backed random passwords ("path length=N chars=..."). */
int lookups_gen_password(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                         struct value **retp);
/* sequence: "start=N end=N|count=N stride=N format=F" or "[start-]end[/stride][:format]". */
int lookups_gen_sequence(struct tpl_call *c, struct value *terms, const struct tpl_kwarg *kw, size_t nkw,
                         struct value **retp);

#endif
