/* command and shell, as Ansible's command module (shell is command with
 * _uses_shell): argument rules, creates/removes, check mode, and results
 * with the same keys and messages. Commands never go through a shell
 * unless shell was asked for; they run through runcmd (new session, capped
 * output, deadline). */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "data/pystr.h"
#include "modules/module.h"
#include "modules/pyfmt.h"
#include "modules/runcmd.h"
#include "data/shlex.h"

static const struct module_arg command_spec[] = {
	{"_raw_params", MODULE_ARG_STR, NULL},
	{"_uses_shell", MODULE_ARG_BOOL, "false"},
	{"argv", MODULE_ARG_LIST, NULL},
	{"chdir", MODULE_ARG_PATH, NULL},
	{"executable", MODULE_ARG_STR, NULL},
	{"creates", MODULE_ARG_PATH, NULL},
	{"removes", MODULE_ARG_PATH, NULL},
	{"stdin", MODULE_ARG_STR, NULL},
	{"stdin_add_newline", MODULE_ARG_BOOL, "true"},
	{"strip_empty_ends", MODULE_ARG_BOOL, "true"},
};

/* One request's state. */
struct command {
	const struct module_ctx *ctx;
	struct value *params;   /* owned */
	struct value *res;      /* owned; the result being built */
	struct value *warnings; /* owned; a list */
	int shell;
	int crashed;            /* res is a MODULE FAILURE: no invocation */
	const char *executable; /* borrowed from params; NULL: none */
};

/* A string parameter, or NULL when null or absent. */
static const struct value *command_str(const struct command *c, const char *name)
{
	const struct value *v = value_map_get(c->params, name);

	return v != NULL && v->type == VALUE_STR ? v : NULL;
}

/* Python truthiness of a str or list parameter. */
static int command_truthy(const struct value *v)
{
	return v != NULL && (v->type == VALUE_STR || v->type == VALUE_LIST) && value_len(v) > 0;
}

static int command_blank(const struct value *v)
{
	size_t i;

	for (i = 0; v != NULL && i < v->u.s.len; i++)
		if (strchr(" \t\n\r\v\f\x1c\x1d\x1e\x1f", v->u.s.ptr[i]) == NULL || v->u.s.ptr[i] == '\0')
			return 0;
	return 1;
}

/* glob.glob(pattern) is not empty: patterns without magic are tested with
 * lstat as Python does; backslashes are not escapes in Python's glob. */
static int command_glob_any(const char *pattern)
{
	struct stat st;
	glob_t g;
	int found;

	if (strpbrk(pattern, "*?[") == NULL)
		return lstat(pattern, &st) == 0;
	memset(&g, 0, sizeof(g));
	found = glob(pattern, GLOB_NOESCAPE | GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

/* heuristic_log_sanitize: hides the password of user:pass@host and
 * scheme://user:pass@host forms, scanning from the end as Ansible does. */
static void command_sanitize(struct buf *out, const char *d, size_t len)
{
	struct piece {
		size_t off, len;
		int mask;
	} *pieces = xcalloc(3 * len + 2, sizeof(*pieces));
	size_t np = 0, begin = len, prev_begin = len, end, sep_end, i, k;
	long sep = 1;

	while (sep) {
		for (end = begin; end > 0 && d[end - 1] != '@'; end--)
			;
		if (end == 0) {
			pieces[np++] = (struct piece){0, begin, 0};
			break;
		}
		end--;
		sep = 0;
		sep_end = end;
		while (!sep) {
			begin = 0;
			for (k = sep_end; k >= 3; k--) {
				if (memcmp(d + k - 3, "://", 3) == 0) {
					begin = k - 3;
					break;
				}
			}
			for (i = begin + 3; i < end; i++) {
				if (d[i] == ':') {
					sep = (long)i;
					break;
				}
			}
			if (!sep) {
				if (begin == 0) {
					pieces[np++] = (struct piece){0, prev_begin, 0};
					break;
				}
				sep_end = begin;
			}
		}
		if (sep) {
			pieces[np++] = (struct piece){end, prev_begin - end, 0};
			pieces[np++] = (struct piece){0, 0, 1};
			pieces[np++] = (struct piece){begin, (size_t)sep + 1 - begin, 0};
			prev_begin = begin;
		}
	}
	while (np-- > 0) {
		if (pieces[np].mask)
			buf_puts(out, "********");
		else
			buf_put(out, d + pieces[np].off, pieces[np].len);
	}
	free(pieces);
}

/* PASSWD_ARG_RE: ^-{0,2}pass-?(word|wd)? */
static int command_is_passwd_arg(const char *a)
{
	int i;

	for (i = 0; i < 2 && *a == '-'; i++)
		a++;
	return strncmp(a, "pass", 4) == 0;
}

/* _clean_args: the command as one quoted line with password-looking
 * arguments masked, for the "cmd" of an exec failure. */
static struct value *command_clean_args(char *const *argv)
{
	struct buf b, one;
	const char *eq;
	int is_passwd = 0;
	size_t i;
	char *s;

	buf_init(&b, 0);
	buf_init(&one, 0);
	for (i = 0; argv[i] != NULL; i++) {
		buf_reset(&one);
		if (is_passwd) {
			is_passwd = 0;
			buf_puts(&one, "********");
		} else if (command_is_passwd_arg(argv[i]) && (eq = strchr(argv[i], '=')) != NULL) {
			buf_put(&one, argv[i], (size_t)(eq - argv[i]));
			buf_puts(&one, "=********");
		} else {
			if (command_is_passwd_arg(argv[i]))
				is_passwd = 1;
			command_sanitize(&one, argv[i], strlen(argv[i]));
		}
		if (i > 0)
			buf_putc(&b, ' ');
		shlex_quote(&b, buf_ptr(&one), buf_avail(&one));
	}
	buf_fini(&one);
	s = buf_take(&b, &i);
	return value_str_take(s, i);
}

static char **command_argv_from_list(const struct value *l)
{
	char **argv = xcalloc(value_len(l) + 1, sizeof(*argv));
	size_t i;

	for (i = 0; i < value_len(l); i++)
		argv[i] = xstrdup(value_cstr(value_list_at(l, i)));
	return argv;
}

static void command_argv_free(char **argv)
{
	size_t i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static void command_set_time(struct command *c, const char *key, int64_t us, int delta)
{
	struct buf b;
	char *s;
	size_t n;

	buf_init(&b, 0);
	if (delta)
		pyfmt_timedelta(&b, us);
	else
		pyfmt_datetime(&b, us);
	s = buf_take(&b, &n);
	value_map_set(c->res, key, value_str_take(s, n));
}

/* The process argv, as run_command builds it: for shell, [executable or
 * /bin/sh, -c, line] (an argv list is quoted into the line); otherwise the
 * words with variables and ~ expanded from the request's environment.
 * *exe_as_strp tells whether Python would name the executable as a str. */
static char **command_build_argv(const struct command *c, const struct value *args, int *exe_as_strp)
{
	const char *exe = c->executable;
	char **argv;
	struct buf b;
	size_t i;

	*exe_as_strp = 0;
	buf_init(&b, 0);
	if (!c->shell) {
		argv = xcalloc(value_len(args) + 1, sizeof(*argv));
		for (i = 0; i < value_len(args); i++) {
			buf_reset(&b);
			pyfmt_expand_path(&b, value_list_at(args, i)->u.s.ptr, value_len(value_list_at(args, i)),
			                  c->ctx->envp);
			argv[i] = xstrndup(buf_ptr(&b), buf_avail(&b));
		}
		buf_fini(&b);
		return argv;
	}
	if (args->type == VALUE_LIST) {
		for (i = 0; i < value_len(args); i++) {
			if (i > 0)
				buf_putc(&b, ' ');
			shlex_quote(&b, value_list_at(args, i)->u.s.ptr, value_len(value_list_at(args, i)));
		}
	} else {
		buf_put(&b, args->u.s.ptr, args->u.s.len);
	}
	if (exe == NULL)
		exe = value_get_str(c->ctx->args, "_ansible_shell_executable", NULL);
	if (exe == NULL) {
		exe = "/bin/sh";
		*exe_as_strp = 1;
	}
	argv = xcalloc(4, sizeof(*argv));
	argv[0] = xstrdup(exe);
	argv[1] = xstrdup("-c");
	argv[2] = buf_take(&b, NULL);
	return argv;
}

/* Ansible fails inside run_command when the process cannot start: a result
 * of its own replaces the one the module had prepared. */
static void command_exec_failed(struct command *c, char **argv, const struct runcmd_result *rr, int exe_as_str)
{
	struct value *fail = value_map(), *words = NULL;
	const char *fname, *perr;
	char **wargv, *line;
	struct buf b;

	fname = rr->stage == NULL || strcmp(rr->stage, "exec") == 0 ? argv[0] : NULL;
	buf_init(&b, 0);
	pyfmt_oserror(&b, -rr->spawn_err, fname, exe_as_str);
	line = buf_take(&b, NULL);
	value_map_set(fail, "rc", value_int(-rr->spawn_err));
	value_map_set(fail, "stdout", value_str(""));
	value_map_set(fail, "stderr", value_str(""));
	if (exe_as_str && shlex_split(argv[2], strlen(argv[2]), &words, &perr) == 0) {
		/* A plain shell line is cleaned word by word, as Ansible does. */
		wargv = command_argv_from_list(words);
		value_map_set(fail, "cmd", command_clean_args(wargv));
		command_argv_free(wargv);
	} else {
		value_map_set(fail, "cmd", exe_as_str ? value_str(argv[2]) : command_clean_args(argv));
	}
	module_fail(fail, "%s", line);
	free(line);
	value_unref(words);
	value_unref(c->res);
	c->res = fail;
}

static void command_truncated(struct command *c, const char *stream, const char *key)
{
	value_map_set(c->res, key, value_bool(1));
	value_list_push(c->warnings, value_strf("%s was truncated: only its first %zu bytes were kept (output_cap)",
	                                        stream, c->ctx->output_cap));
}

/* run_command: runs the command and fills rc, stdout, stderr, start, end,
 * delta (and failed on a timeout). Returns 0, or 1 when the command could
 * not run and c->res holds the final failure. */
static int command_execute(struct command *c, const struct value *args)
{
	const struct module_ctx *ctx = c->ctx;
	const struct value *stdin_v = command_str(c, "stdin");
	struct runcmd_opts o;
	struct runcmd_result rr;
	struct buf input;
	int64_t start, end;
	int exe_as_str, r;
	char **argv;

	buf_init(&input, 0);
	argv = command_build_argv(c, args, &exe_as_str);
	memset(&o, 0, sizeof(o));
	o.argv = argv;
	o.envp = ctx->envp;
	o.cap = ctx->output_cap;
	o.deadline_ms = ctx->deadline_ms;
	if (command_truthy(stdin_v)) {
		buf_put(&input, stdin_v->u.s.ptr, stdin_v->u.s.len);
		if (value_get_bool(c->params, "stdin_add_newline", 1))
			buf_putc(&input, '\n');
		o.input = buf_ptr(&input);
		o.input_len = buf_avail(&input);
	}
	start = pyfmt_now_us();
	r = runcmd(ctx->loop, &o, &rr);
	end = pyfmt_now_us();
	if (r != 0) {
		module_fail(c->res, "cannot run the command: %s", err_str(r));
		r = 1;
		goto out;
	}
	if (rr.spawn_err != 0) {
		command_exec_failed(c, argv, &rr, exe_as_str);
		r = 1;
		goto out;
	}
	value_map_set(c->res, "rc", value_int(runcmd_rc(rr.status)));
	value_map_set(c->res, "stdout", value_strn(buf_ptr(&rr.out), buf_avail(&rr.out)));
	value_map_set(c->res, "stderr", value_strn(buf_ptr(&rr.err), buf_avail(&rr.err)));
	command_set_time(c, "start", start, 0);
	command_set_time(c, "end", end, 0);
	command_set_time(c, "delta", end - start, 1);
	if (rr.out_truncated)
		command_truncated(c, "stdout", "stdout_truncated");
	if (rr.err_truncated)
		command_truncated(c, "stderr", "stderr_truncated");
	if (rr.timed_out) {
		value_map_set(c->res, "changed", value_bool(0));
		module_fail(c->res, "The %s action failed to execute in the expected time frame (%lld) and was terminated",
		            ctx->name, (long long)ctx->timeout_s);
	}
	r = 0;
out:
	runcmd_result_fini(&rr);
	command_argv_free(argv);
	buf_fini(&input);
	return r;
}

/* Skips the command when creates matches or removes does not, as Ansible:
 * rc 0, a message and a stdout saying why. Returns 1 when skipped. */
static int command_skip(struct command *c)
{
	const struct value *creates = command_str(c, "creates"), *removes = command_str(c, "removes");
	const char *would = c->ctx->check ? "Would" : "Did";

	if (command_truthy(creates) && command_glob_any(creates->u.s.ptr)) {
		value_map_set(c->res, "msg", value_strf("%s not run command since '%s' exists", would, creates->u.s.ptr));
		value_map_set(c->res, "stdout", value_strf("skipped, since %s exists", creates->u.s.ptr));
		value_map_set(c->res, "rc", value_int(0));
		return 1;
	}
	if (command_truthy(removes) && !command_glob_any(removes->u.s.ptr)) {
		value_map_set(c->res, "msg",
		              value_strf("%s not run command since '%s' does not exist", would, removes->u.s.ptr));
		value_map_set(c->res, "stdout", value_strf("skipped, since %s does not exist", removes->u.s.ptr));
		value_map_set(c->res, "rc", value_int(0));
		return 1;
	}
	return 0;
}

/* The module body once the parameters are checked and the working
 * directory is set. */
static void command_body(struct command *c, const struct value *args)
{
	const struct value *v;

	if (command_skip(c))
		return;
	value_map_set(c->res, "changed", value_bool(1));
	if (!c->ctx->check) {
		if (command_execute(c, args) != 0)
			return;
	} else {
		value_map_set(c->res, "rc", value_int(0));
		value_map_set(c->res, "msg", value_str("Command would have run if not in check mode"));
		v = value_map_get(c->params, "creates");
		if ((v == NULL || v->type == VALUE_NULL) &&
		    ((v = value_map_get(c->params, "removes")) == NULL || v->type == VALUE_NULL)) {
			value_map_set(c->res, "skipped", value_bool(1));
			value_map_set(c->res, "changed", value_bool(0));
		}
	}
	if (value_get_bool(c->params, "strip_empty_ends", 1)) {
		v = value_map_get(c->res, "stdout");
		value_map_set(c->res, "stdout", value_strn(v->u.s.ptr, pystr_rstrip_len(v->u.s.ptr, v->u.s.len, "\r\n")));
		v = value_map_get(c->res, "stderr");
		value_map_set(c->res, "stderr", value_strn(v->u.s.ptr, pystr_rstrip_len(v->u.s.ptr, v->u.s.len, "\r\n")));
	}
	if (value_get_int(c->res, "rc", 0) != 0 && !value_get_bool(c->res, "failed", 0))
		module_fail(c->res, "non-zero return code");
}

/* The arguments as the action plugins hand them over: the old "cmd" form
 * moved to _raw_params, and _uses_shell set for shell. Returns a new map or
 * NULL with *msgp set. */
static struct value *command_args(const struct module_ctx *ctx, const char **msgp)
{
	struct value *args = value_map();
	const struct value *cmd = value_map_get(ctx->args, "cmd");
	const struct value *raw = value_map_get(ctx->args, "_raw_params");

	*msgp = NULL;
	value_map_update(args, ctx->args, 0);
	if (cmd != NULL) {
		if (raw != NULL && !(raw->type == VALUE_STR && raw->u.s.len == 0)) {
			*msgp = "The 'cmd' argument cannot be used when other raw parameters are specified. "
			        "Please put everything in one or the other place.";
			value_unref(args);
			return NULL;
		}
		value_map_del(args, "cmd");
		value_map_set(args, "_raw_params", value_ref((struct value *)cmd));
	}
	if (strcmp(ctx->name, "shell") == 0)
		value_map_set(args, "_uses_shell", value_bool(1));
	return args;
}

MODULE_DEFINE(command, command_run, MODULE_CHECK_MODE)
MODULE_DEFINE(shell, command_run, MODULE_CHECK_MODE)
struct value *command_run(const struct module_ctx *ctx)
{
	struct module_ctx sub = *ctx;
	struct command c;
	struct value *args = NULL, *fail = NULL, *words = NULL;
	const struct value *raw, *argv, *chdir_v, *cmd;
	const char *msg;
	struct buf b;
	int cwd = -1;

	memset(&c, 0, sizeof(c));
	c.ctx = ctx;
	if ((args = command_args(ctx, &msg)) == NULL)
		return module_fail(value_map(), "%s", msg);
	sub.args = args;
	if (module_params(&sub, "ansible.legacy.command", command_spec, sizeof(command_spec) / sizeof(command_spec[0]),
	                  &c.params, &fail) != 0) {
		value_unref(args);
		return fail;
	}
	c.res = value_map();
	c.warnings = value_list();
	value_map_set(c.res, "changed", value_bool(0));
	value_map_set(c.res, "stdout", value_str(""));
	value_map_set(c.res, "stderr", value_str(""));
	value_map_set(c.res, "rc", value_null());
	value_map_set(c.res, "cmd", value_null());
	value_map_set(c.res, "start", value_null());
	value_map_set(c.res, "end", value_null());
	value_map_set(c.res, "delta", value_null());
	value_map_set(c.res, "msg", value_str(""));
	c.shell = value_get_bool(c.params, "_uses_shell", 0);
	c.executable = command_truthy(command_str(&c, "executable")) ? command_str(&c, "executable")->u.s.ptr : NULL;
	raw = command_str(&c, "_raw_params");
	argv = value_map_get(c.params, "argv");
	if (!c.shell && c.executable != NULL) {
		value_list_push(c.warnings, value_strf("As of Ansible 2.4, the parameter 'executable' is no longer "
		                                       "supported with the 'command' module. Not using '%s'.",
		                                       c.executable));
		c.executable = NULL;
	}
	if ((!command_truthy(raw) || command_blank(raw)) && !command_truthy(argv)) {
		value_map_set(c.res, "rc", value_int(256));
		module_fail(c.res, "no command given");
		goto out;
	}
	if (command_truthy(raw) && command_truthy(argv)) {
		value_map_set(c.res, "rc", value_int(256));
		module_fail(c.res, "only command or argv can be given, not both");
		goto out;
	}
	if (!c.shell && command_truthy(raw)) {
		if (shlex_split(raw->u.s.ptr, raw->u.s.len, &words, &msg) != 0) {
			char *exc = xasprintf("ValueError: %s", msg);

			value_unref(c.res);
			c.res = module_crash(exc);
			c.crashed = 1;
			free(exc);
			goto out;
		}
		cmd = words;
	} else {
		cmd = command_truthy(raw) ? raw : argv;
	}
	value_map_set(c.res, "cmd", value_ref((struct value *)cmd));
	chdir_v = command_str(&c, "chdir");
	if (command_truthy(chdir_v)) {
		/* Ansible changes the module's own directory, so creates and
		 * removes are relative to it; the worker goes back afterwards. */
		cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (chdir(chdir_v->u.s.ptr) != 0) {
			buf_init(&b, 0);
			pyfmt_oserror(&b, errno, chdir_v->u.s.ptr, 0);
			module_fail(c.res, "Unable to change directory before execution: %s", buf_str(&b));
			buf_fini(&b);
			goto out;
		}
	}
	command_body(&c, cmd);
out:
	if (cwd >= 0) {
		if (fchdir(cwd) != 0)
			log_error("cannot return to the worker's directory: %s", strerror(errno));
		close(cwd);
	}
	if (!c.crashed)
		module_finish(c.res, c.params, c.warnings);
	value_unref(c.params);
	value_unref(c.warnings);
	value_unref(words);
	value_unref(args);
	return c.res;
}
