/* File attributes as every file module sets them: Ansible's
 * FILE_COMMON_ARGUMENTS (mode, owner, group, attributes, ...) and
 * set_fs_attributes_if_different (owner, then group, then mode, then chattr
 * flags; each compared first, changed only when different; a "before" and
 * "after" entry in the diff for each difference; nothing done in check
 * mode). Two ways in: fileattr_apply for a path that exists, and
 * fileattr_plan for a file about to be written through a temporary file,
 * whose attributes are set on the temporary file before it is renamed into
 * place (fileutil_write_atomic), with the same changed flag and diff as if
 * they had been set afterwards, as Ansible does. */
#ifndef DROVER_MODULES_FILEATTR_H
#define DROVER_MODULES_FILEATTR_H

#include <sys/stat.h>
#include <sys/types.h>

#include "data/value.h"
#include "modules/module.h"

/* FILE_COMMON_ARGUMENTS, for a module's argument table. */
#define FILEATTR_SPEC                                                  \
	{"mode", MODULE_ARG_RAW, NULL, NULL, NULL, 0},                 \
	{"owner", MODULE_ARG_STR, NULL, NULL, NULL, 0},                \
	{"group", MODULE_ARG_STR, NULL, NULL, NULL, 0},                \
	{"seuser", MODULE_ARG_STR, NULL, NULL, NULL, 0},               \
	{"serole", MODULE_ARG_STR, NULL, NULL, NULL, 0},               \
	{"selevel", MODULE_ARG_STR, NULL, NULL, NULL, 0},              \
	{"setype", MODULE_ARG_STR, NULL, NULL, NULL, 0},               \
	{"attributes", MODULE_ARG_STR, NULL, "attr", NULL, 0},         \
	{"unsafe_writes", MODULE_ARG_BOOL, "false", NULL, NULL, 0}

/* What a task asks of a path (load_file_common_arguments). Borrowed. */
struct fileattr {
	const struct value *mode; /* an int or a str; NULL: leave the mode */
	const char *owner;        /* a name or a number; NULL: leave */
	const char *group;        /* NULL: leave */
	const char *attributes;   /* chattr flags, "+i", "-a"...; NULL: leave */
};

/* Fills fa from a module's params (null values leave things as they are). */
void fileattr_from_params(struct fileattr *fa, const struct value *params);

/* set_fs_attributes_if_different on path (not followed if it is a
 * symbolic link). Sets *changedp to 1 when something changed or, in check
 * mode, would change (a path that does not exist in check mode counts as
 * changed); diff, a map or NULL, receives "before"/"after" maps. Returns 0,
 * or ERR_INVAL with *failp a failure result (failed, msg, path, details) in
 * Ansible's words: "chown failed: failed to look up user x", "mode must be
 * in octal or symbolic form", "chattr failed"... */
int fileattr_apply(const struct module_ctx *ctx, const struct fileattr *fa, const char *path, int *changedp,
                   struct value *diff, struct value **failp);

/* The owner, group and mode a file written through a temporary file is to
 * get. */
struct fileattr_plan {
	uid_t uid;
	gid_t gid;
	mode_t mode;   /* permission bits */
	int changed;   /* they differ from what the file would otherwise get */
	int chown;     /* the owner or group asked for differs (a failed chown is an error) */
};

/* Plans fa for path, about to be replaced (prev: its stat, followed) or
 * created (prev NULL: the new file would get 0666 & ~umask and the
 * worker's euid and egid, as Ansible's atomic_move gives it). Fills plan and
 * diff as fileattr_apply would after the write; the "attributes" of fa are
 * not planned (fileattr_apply them once the file is in place). Returns 0 or
 * ERR_INVAL with *failp. */
int fileattr_plan(const struct fileattr *fa, const char *path, const struct stat *prev, struct fileattr_plan *plan,
                  struct value *diff, struct value **failp);

/* lsattr's view of path: *flagsp (heap) the set flags ("e"), and
 * *versionp (heap, may be NULL) the file's version. Returns 0, or -1 when
 * lsattr is missing or fails (Ansible then reports no attributes). */
int fileattr_lsattr(const struct module_ctx *ctx, const char *path, int with_version, char **flagsp,
                    char **versionp);

/* The names of the flags in flags (format_attributes: "e" -> ["extents"]). */
struct value *fileattr_names(const char *flags);

#endif
