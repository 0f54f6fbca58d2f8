/* Shared by the template plugin unit tests: render a template text with
 * variables given as JSON, through a scope over that map, and compare. */
#ifndef DROVER_TESTS_TPL_RENDER_H
#define DROVER_TESTS_TPL_RENDER_H

#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/err.h"
#include "data/json.h"
#include "template/template.h"
#include "t.h"

static int tr_lookup(void *ctx, const char *name, size_t len, struct value **vp, struct diag *d)
{
	struct value *v = value_map_getn(ctx, name, len);

	(void)d;
	if (v == NULL)
		return ERR_NOTFOUND;
	*vp = value_ref(v);
	return 0;
}

/* Renders text (the template module's settings) with vars_json (NULL for
 * none) and search dirs; returns a heap string, or "ERROR: msg". */
static char *tr_render_dirs(const char *text, const char *vars_json, const char *const *dirs)
{
	struct value *vars = NULL;
	struct tpl_scope s;
	struct tpl_opts o;
	struct tpl *t = NULL;
	struct diag d;
	struct buf out;
	char *res;

	diag_init(&d);
	buf_init(&out, 0);
	if (vars_json == NULL || json_decode(vars_json, strlen(vars_json), NULL, &vars, &d) != 0)
		vars = value_map();
	memset(&s, 0, sizeof(s));
	s.ctx = vars;
	s.lookup = tr_lookup;
	s.search_dirs = dirs;
	tpl_opts_file(&o);
	if (tpl_compile(text, strlen(text), "t", 1, 1, &o, &t, &d) != 0 || tpl_render(t, &s, &out, &d) != 0) {
		buf_reset(&out);
		buf_printf(&out, "ERROR: %s", d.msg != NULL ? d.msg : "?");
	}
	buf_putc(&out, '\0');
	res = strdup(buf_str(&out));
	buf_fini(&out);
	tpl_free(t);
	value_unref(vars);
	diag_fini(&d);
	return res;
}

static __attribute__((unused)) char *tr_render(const char *text, const char *vars_json)
{
	return tr_render_dirs(text, vars_json, NULL);
}

/* Checks that text renders to want. */
#define TR_EQ(text, vars, want)                                                              \
	do {                                                                                 \
		char *tr_got_ = tr_render((text), (vars));                                   \
		T_EQ_STR(tr_got_, (want));                                                   \
		free(tr_got_);                                                               \
	} while (0)

/* Checks that rendering text fails with a message containing want. */
#define TR_ERR(text, vars, want)                                                             \
	do {                                                                                 \
		char *tr_got_ = tr_render((text), (vars));                                   \
		T_CHECK(strncmp(tr_got_, "ERROR: ", 7) == 0 && strstr(tr_got_, (want)) != NULL); \
		if (strncmp(tr_got_, "ERROR: ", 7) != 0 || strstr(tr_got_, (want)) == NULL)  \
			printf("#   got: %s\n", tr_got_);                                    \
		free(tr_got_);                                                               \
	} while (0)

#endif
