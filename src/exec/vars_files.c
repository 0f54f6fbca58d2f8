/* A play's vars_files for one host, as VariableManager.get_vars loads them:
 * names templated with the host's variables, "first found" lists, files
 * found beside the play, errors worded as Ansible's. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "base/xmalloc.h"
#include "data/yaml.h"
#include "exec/vars_priv.h"

#define VARS_FILES_MAX 4096 /* entries of one play's vars_files */

static int vars_files_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* ~ and ~/... expanded as unfrackpath does (HOME, as os.path.expanduser). */
static char *vars_files_expand(const char *p)
{
	const char *home = getenv("HOME");

	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0') && home != NULL)
		return xasprintf("%s%s", home, p + 1);
	return xstrdup(p);
}

/* path_dwim_relative_stack for a play's search path: NULL when no candidate
 * exists, else a new string. */
static char *vars_files_find(const struct pb_play *play, const char *source)
{
	const char *base = play->basedir != NULL && play->basedir[0] != '\0' ? play->basedir : ".";
	size_t dl = strlen("vars");
	int has_dir = strncmp(source, "vars", dl) == 0 && (source[dl] == '/' || source[dl] == '\0');
	char *cand;

	if (source[0] == '/' || source[0] == '~') {
		cand = vars_files_expand(source);
		if (vars_files_exists(cand))
			return cand;
		free(cand);
		return NULL;
	}
	/* The play's directory and the loader's base directory are the same
	 * here, so the search has two candidates. */
	if (!has_dir) {
		cand = xasprintf("%s/vars/%s", base, source);
		if (vars_files_exists(cand))
			return cand;
		free(cand);
	}
	cand = xasprintf("%s/%s", base, source);
	if (vars_files_exists(cand))
		return cand;
	free(cand);
	return NULL;
}

/* Loads (once per play) and checks the data of one vars file. */
static int vars_files_load(struct vars_run *run, const char *path, const struct value **datap, struct diag *d)
{
	struct value *doc = NULL;
	const struct value *cached = value_map_get(run->vf_cache, path);
	size_t i = 0;
	int r;

	*datap = NULL;
	if (cached != NULL) {
		*datap = cached;
		return 0;
	}
	if ((r = yaml_load_data_file(path, &doc, d)) != 0)
		return r;
	if (doc->type == VALUE_LIST) {
		for (i = 0; i < value_len(doc); i++)
			if (value_list_at(doc, i)->type != VALUE_MAP)
				break;
	}
	if (doc->type != VALUE_NULL && doc->type != VALUE_MAP && !(doc->type == VALUE_LIST && i == value_len(doc))) {
		char *s = vars_pystr(doc);

		diag_set(d, path, (int)doc->pos.line, (int)doc->pos.col,
		         "variable files must contain either a dictionary of variables, or a list of dictionaries. "
		         "Got: %s (%s)",
		         s, doc->type == VALUE_LIST ? "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>"
		                                    : "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>");
		free(s);
		value_unref(doc);
		return ERR_PARSE;
	}
	value_map_set(run->vf_cache, path, doc);
	*datap = doc;
	return 0;
}

static void vars_files_merge(struct value *layer, const struct value *data)
{
	size_t i;

	if (data->type == VALUE_MAP)
		value_map_update(layer, data, 0);
	else if (data->type == VALUE_LIST)
		for (i = 0; i < value_len(data); i++)
			value_map_update(layer, value_list_at(data, i), 0);
}

/* Templates one candidate name. Returns 0 with *namep (new reference, a
 * string), 1 when it is undefined, or an error. */
static int vars_files_name(struct vars_ctx *nc, const struct value *cand, struct value **namep, struct diag *d)
{
	struct value *v = NULL;
	struct diag inner;
	char *s;
	int r;

	*namep = NULL;
	diag_init(&inner);
	r = vars_template(nc, cand, &v, &inner);
	if (r == ERR_NOTFOUND) {
		diag_fini(&inner);
		return 1;
	}
	if (r != 0) {
		diag_set(d, inner.file, inner.line, inner.col, "%s", inner.msg ? inner.msg : err_str(r));
		diag_fini(&inner);
		return r;
	}
	diag_fini(&inner);
	if (v->type != VALUE_STR) {
		s = vars_pystr(v);
		diag_set(d, cand->pos.file, (int)cand->pos.line, (int)cand->pos.col,
		         "Invalid vars_files entry found: %s\n"
		         "vars_files entries should be either a string type or a list of string types after template "
		         "expansion",
		         s);
		free(s);
		value_unref(v);
		return ERR_INVAL;
	}
	*namep = v;
	return 0;
}

/* One entry of vars_files: 0 when a file was loaded or the entry skipped,
 * or an error. */
static int vars_files_entry(struct vars_ctx *c, struct vars_ctx *nc, struct vars_host *hs, const struct value *item,
                            struct value *layer, struct diag *d)
{
	struct value *name = NULL;
	const struct value *data, *setup;
	size_t i, n = item->type == VALUE_LIST ? value_len(item) : 1;
	char *path, *s;
	int r;

	for (i = 0; i < n; i++) {
		const struct value *cand = item->type == VALUE_LIST ? value_list_at(item, i) : item;

		r = vars_files_name(nc, cand, &name, d);
		if (r == 1) {
			setup = hs->facts != NULL ? value_map_get(hs->facts, "module_setup") : NULL;
			if (setup != NULL && setup->type == VALUE_BOOL && setup->u.b && c->task != NULL) {
				s = vars_pystr(item);
				diag_set(d, item->pos.file, (int)item->pos.line, (int)item->pos.col,
				         "an undefined variable was found when attempting to template the vars_files "
				         "item '%s'",
				         s);
				free(s);
				return ERR_NOTFOUND;
			}
			return 0;
		}
		if (r != 0)
			return r;
		path = vars_files_find(c->play, value_cstr(name));
		value_unref(name);
		if (path == NULL)
			continue;
		r = vars_files_load(c->run, path, &data, d);
		free(path);
		if (r != 0)
			return r;
		vars_files_merge(layer, data);
		return 0;
	}
	s = vars_pystr(item);
	diag_set(d, item->pos.file, (int)item->pos.line, (int)item->pos.col,
	         "vars file %s was not found\n"
	         "Could not find file on the Ansible Controller.\n"
	         "If you are using a module and expect the file to exist on the remote, see the remote_src option",
	         s);
	free(s);
	return ERR_NOTFOUND;
}

int vars_files_build(struct vars_ctx *c, struct vars_host *hs, struct diag *d)
{
	const struct value *vf = c->play->obj.kw[PB_KW_VARS_FILES];
	struct value *layer = value_map();
	struct vars_ctx *nc = xmalloc(sizeof(*nc));
	size_t i, n;
	int r = 0;

	value_unref(hs->vars_files);
	hs->vars_files = NULL;
	vars_ctx_setup(nc, c->run, c->host, c->play, NULL, NULL, VARS_CTX_NO_FILES);
	n = vf == NULL || vf->type == VALUE_NULL ? 0 : vf->type == VALUE_LIST ? value_len(vf) : 1;
	if (n > VARS_FILES_MAX) {
		diag_set(d, vf->pos.file, (int)vf->pos.line, (int)vf->pos.col, "too many vars_files (over %d)",
		         VARS_FILES_MAX);
		r = ERR_TOOBIG;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		r = vars_files_entry(c, nc, hs, vf->type == VALUE_LIST ? value_list_at(vf, i) : vf, layer, d);
		if (r != 0)
			break;
	}
	hs->vars_files = layer;
	hs->vf_play_gen = c->run->play_gen;
	hs->vf_facts_gen = hs->facts_gen;
	hs->vf_valid = 1;
	free(nc);
	return r;
}
