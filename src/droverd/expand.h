/* supervisord's %(name)s expansions: Python's "format % mapping" over a set
 * of named string and integer values (here, program_name, process_num,
 * ENV_X, ...), with Python's error words. */
#ifndef DROVER_DROVERD_EXPAND_H
#define DROVER_DROVERD_EXPAND_H

#include <stddef.h>

struct expand_var {
	char *name; /* owned */
	char *str;  /* owned; NULL for an integer */
	long long num;
};

/* A mapping with dict semantics (a later set replaces the value). */
struct expand_vars {
	struct expand_var *v; /* owned */
	size_t n, cap;
};

void expand_vars_init(struct expand_vars *vars);
void expand_vars_fini(struct expand_vars *vars);
/* Copies name and s. */
void expand_vars_set_str(struct expand_vars *vars, const char *name, const char *s);
void expand_vars_set_num(struct expand_vars *vars, const char *name, long long num);
/* Sets every variable of src into dst. */
void expand_vars_update(struct expand_vars *dst, const struct expand_vars *src);
/* Returns the variable called name or NULL. */
const struct expand_var *expand_vars_get(const struct expand_vars *vars, const char *name);

/* Expands s as Python's `s % vars` for what supervisord's configurations
 * use: "%%", and "%(name)" followed by optional flags (-+ #0), width,
 * precision, an ignored h/l/L and one of the conversions s r a (any value)
 * or d i u x X o e E f F g G c (integers). what names the setting in
 * messages ("program:x.command"). Returns 0 with *outp a new string, or
 * ERR_PARSE with *errp a new message as supervisord's expand() words it:
 * "Format string 'x' for 'what' contains names ('n') which cannot be
 * expanded. Available names: ..." or "... is badly formatted: incomplete
 * format". A "%" conversion without a "(name)" is refused as badly formatted
 * (Python would print the whole mapping there). */
int expand(const char *s, const struct expand_vars *vars, const char *what, char **outp, char **errp);

#endif
