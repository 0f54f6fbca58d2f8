/* What the system modules (sysctl, mount, cron, hostname, service and
 * systemd) share: AnsibleModule's get_bin_path(required=True) with its
 * failure, run_command with the C locale forced as those modules ask for
 * it, required_if, and writing a whole system file (sysctl.conf, fstab, a
 * cron file) the way atomic_move replaces it. */
#ifndef DROVER_MODULES_SYSUTIL_H
#define DROVER_MODULES_SYSUTIL_H

#include "base/buf.h"
#include "data/value.h"
#include "modules/module.h"
#include "modules/sysparse.h"

/* get_bin_path(name, required=True): a heap path, or NULL with *failp
 * Ansible's 'Failed to find required executable "name" in paths: ...'. */
char *sysutil_bin(const struct module_ctx *ctx, const char *name, struct value **failp);

/* Runs argv as fileutil_run does; with c_locale, LANG, LC_ALL and
 * LC_MESSAGES are set to C in its environment. out and err are
 * initialised here and released by the caller. Returns 0 when the command
 * ran (*rcp its exit code), or a negative error when it could not start
 * (*rcp is then -1 and err holds Python's OSError text). */
int sysutil_run(const struct module_ctx *ctx, char *const *argv, int c_locale, int *rcp, struct buf *out,
                struct buf *err);

/* The same with LANG, LC_ALL and LC_MESSAGES set to locale (NULL: the
 * environment as it is), in an environment of those three alone when
 * bare (the service module's detached commands). */
int sysutil_run_locale(const struct module_ctx *ctx, char *const *argv, const char *locale, int bare, int *rcp,
                       struct buf *out, struct buf *err);

/* required_if for one condition: when params[key] equals val and none of
 * the comma-separated names in need is set, returns Ansible's message
 * "key is val but all of the following are missing: a, b" (heap); else
 * NULL. any: "any of" instead of "all of". */
char *sysutil_required_if(const struct value *params, const char *key, const char *val, const char *need, int any);

/* Replaces the file at path with data[0..len) unless in check mode: a
 * file that exists keeps its owner and mode, a new one gets 0666 & ~umask
 * (atomic_move). Where the rename is refused (a file bind-mounted over,
 * as Ansible's own in-place writes allow) the file is written in place.
 * Returns 0 or ERR_INVAL with *failp. */
int sysutil_write(const struct module_ctx *ctx, const char *path, const char *data, size_t len,
                  struct value **failp);

/* Python's s.strip(chars), a heap string. */
char *sysutil_strip_chars(const char *s, const char *chars);
/* Appends the words a, b and c that are not NULL to argv at k; returns
 * the new count (argv has room for them). */
size_t sysutil_words(char **argv, size_t k, const char *a, const char *b, const char *c);
/* item is one of the entries of list, separated by sep ("a,b", "/x:/y"). */
int sysutil_list_has(const char *list, const char *item, char sep);
/* s.strip() == word */
int sysutil_strip_eq(const char *s, const char *word);
/* s.splitlines() == [word] */
int sysutil_lines_eq(const char *s, const char *word);
/* The request's environment has name set to val. */
int sysutil_env_is(const struct module_ctx *ctx, const char *name, const char *val);
/* Ansible's is_chroot: debian_chroot set, or / is not the root of
 * process 1 (without /proc: / is not the file system's root inode). */
int sysutil_is_chroot(const struct module_ctx *ctx);

/* systemd.c: the systemd module run for ctx->args, messages naming it
 * fqname, its warnings added to warnings (which the result then carries);
 * the service action hands its task over here when systemd runs the
 * host. Returns the whole result. */
struct value *systemd_module(const struct module_ctx *ctx, const char *fqname, struct value *warnings);

#endif
