/* What the file modules share besides attributes (fileattr.h): Python's
 * path functions as the Ansible modules use them, the state of a path,
 * the "path info" keys AnsibleModule adds to a result that names a path,
 * running a helper program, backups, and the one way every module writes
 * a file: fileutil_write_atomic.
 *
 * fileutil_write_atomic writes the new contents to a temporary file in
 * the destination's own directory (created O_EXCL, mode 0600), fsyncs it,
 * gives it its owner, group and mode, runs the validation command on it if
 * asked, renames it over the destination and fsyncs the directory. On any
 * failure (a full disk, a validation that fails) the temporary file is
 * removed and the destination is left exactly as it was; no reader ever
 * sees a partial file. */
#ifndef DROVER_MODULES_FILEUTIL_H
#define DROVER_MODULES_FILEUTIL_H

#include <stddef.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "data/value.h"
#include "modules/fileattr.h"
#include "modules/module.h"

/* Largest file the text-editing modules read into memory; also the cap on
 * contents sent in a request (copy's content). */
#define FILEUTIL_MAX_TEXT ((size_t)32 << 20)

/* Python's os.path functions; each returns a heap string. */
char *fileutil_dirname(const char *path);
char *fileutil_basename(const char *path);
char *fileutil_join(const char *a, const char *b);
/* os.path.realpath (not strict): symbolic links resolved as far as they
 * exist, the rest of the path kept as written, made absolute. */
char *fileutil_realpath(const char *path);

/* os.path.exists, lexists, isdir, isfile, islink. */
int fileutil_exists(const char *path);
int fileutil_lexists(const char *path);
int fileutil_isdir(const char *path);
int fileutil_isfile(const char *path);
int fileutil_islink(const char *path);

/* The file module's get_state: "absent", "link", "directory", "hard" (a
 * file with more than one link) or "file". */
const char *fileutil_state(const char *path);

/* add_path_info: when the result's "path" (or else "dest") exists, adds
 * uid, gid, owner, group, mode ("0644"), state and size. */
void fileutil_path_info(struct value *res);
/* What AnsibleModule's exit_json and fail_json add to every result of a
 * file module: path info, "invocation" with shown (the params as
 * module_invocation_args gives them), and "warnings" when there are any. */
void fileutil_finish(struct value *res, const struct value *shown, const struct value *warnings);

/* "0%03o" % mode, as Ansible prints modes in results. */
struct value *fileutil_mode_str(long long mode);
/* User and group names of ids, or the number as text when there is none. */
struct value *fileutil_user_name(uid_t uid);
struct value *fileutil_group_name(gid_t gid);

/* get_bin_path: name looked up in the request's PATH, then /sbin,
 * /usr/sbin and /usr/local/sbin. Returns a heap path or NULL. */
char *fileutil_bin_path(const struct module_ctx *ctx, const char *name);

/* tempfile.gettempdir() in the request's environment: TMPDIR, TEMP,
 * TMP, then /tmp, /var/tmp, /usr/tmp, the first directory that can be
 * written, else the working directory. Returns a heap path. */
char *fileutil_gettempdir(const struct module_ctx *ctx);

/* Runs argv (argv[0] is looked up in PATH) with the request's environment
 * and deadline, stdin from /dev/null, and fills *rcp, out and err (each
 * initialised here; the caller releases them). Returns 0 when the command
 * ran, or -errno / ERR_* when it could not start (*rcp is then -1). */
int fileutil_run(const struct module_ctx *ctx, char *const *argv, int *rcp, struct buf *out, struct buf *err);
/* The same with input (a string, or NULL for /dev/null) on stdin. */
int fileutil_run_input(const struct module_ctx *ctx, char *const *argv, const char *input, int *rcp, struct buf *out,
                       struct buf *err);

/* Reads the file at path into out (initialised here) with a cap of max
 * bytes. Returns 0, -errno, or ERR_TOOBIG. */
int fileutil_read(const char *path, size_t max, struct buf *out);

/* backup_local: copies path to "path.PID.YYYY-MM-DD@HH:MM:SS~" keeping its
 * mode, times and owner. Returns 0 with *backupp (heap) the backup's name,
 * or ERR_INVAL with *failp ("Could not make backup of ..."). */
int fileutil_backup(const char *path, char **backupp, struct value **failp);

enum fileutil_validate_style {
	FILEUTIL_VALIDATE_COPY, /* "failed to validate" with exit_status, stdout, stderr */
	FILEUTIL_VALIDATE_EDIT, /* "failed to validate: rc:N error:..." (lineinfile and co.) */
};

struct fileutil_write {
	const char *dest;                   /* the path to replace or create, symbolic links resolved */
	const void *data;                   /* the new contents */
	size_t len;
	int from_fd;                        /* copy the contents from src_fd instead */
	int src_fd;
	const char *adopt;                  /* NULL, or a temporary file holding the contents
	                                       already (a streamed upload): when it is in
	                                       dest's directory it becomes the new file,
	                                       else it is copied from src_fd; either way
	                                       it is gone afterwards if renamed */
	const struct timespec *times;       /* NULL, or access and modification times to give it */
	const struct fileattr_plan *plan;   /* owner, group and mode of the new file */
	const char *validate;               /* NULL, or a command line with %s for the file */
	enum fileutil_validate_style style;
	int unsafe_writes;                  /* when the rename is refused (a bind-mounted file),
	                                       write the destination in place */
};

/* Writes w->data to w->dest atomically (see above). Returns 0, or
 * ERR_INVAL with *failp a failure result saying what went wrong (a full
 * disk, "failed to validate", ...); dest is then untouched. The one
 * exception is Ansible's unsafe_writes: when the rename is refused with
 * EBUSY, EXDEV, EPERM, EACCES or ETXTBSY (a file bind-mounted into a
 * container), the contents are written over the destination in place. */
int fileutil_write_atomic(const struct module_ctx *ctx, const struct fileutil_write *w, struct value **failp);

/* os.walk, top-down: fn is called with each directory and the names in
 * it, split as os.walk splits them (a symbolic link to a directory counts
 * as a directory, but is only descended into with followlinks), in the
 * order readdir gives them. fn may delete names from dirs to keep the walk
 * out of them; a non-zero return from fn stops the walk and is returned.
 * A directory that cannot be read is skipped (os.walk's default), unless
 * strict: then the walk stops with -errno and *errpathp (heap) names it. */
typedef int (*fileutil_walk_fn)(const char *root, struct value *dirs, struct value *files, void *arg);
int fileutil_walk(const char *top, int followlinks, int strict, fileutil_walk_fn fn, void *arg, char **errpathp);

/* os.makedirs(path): creates path and its missing parents (mode 0777
 * less the umask). Returns 0 or -1 with errno set. */
int fileutil_makedirs(const char *path);

/* os.listdir: the names in directory path (without "." and ".."), in
 * readdir order. Returns a new list, or NULL with errno set. */
struct value *fileutil_listdir(const char *path);

/* shutil.rmtree: removes path and everything under it, never following
 * symbolic links. Returns 0, or -errno with *errpathp (heap) the path that
 * could not be removed. */
int fileutil_rmtree(const char *path, char **errpathp);

/* How lineinfile, blockinfile and replace write a file they edited. */
struct fileutil_edit {
	const char *path;            /* the file as the task names it */
	const char *data;            /* the new contents */
	size_t len;
	int changed;                 /* the contents differ: back up and write (not in check mode) */
	int backup;                  /* back up an existing file first */
	const char *validate;        /* NULL, or a command with %s */
	const struct fileattr *fa;   /* the attributes the task asks for */
	struct value *attr_diff;     /* NULL, or a map for the attributes' before/after */
	int unsafe_writes;           /* as in struct fileutil_write */
};

/* Writes e->data through fileutil_write_atomic to the file path leads to
 * (symbolic links followed), then sets the attributes on path as
 * check_file_attrs does; owner, group and mode go on the temporary file
 * before the rename. Attributes are left alone in check mode when path
 * does not exist. Returns 0 with *attr_changedp and *backupp (heap, or
 * NULL) set, or ERR_INVAL with *failp. */
int fileutil_edit(const struct module_ctx *ctx, const struct fileutil_edit *e, int *attr_changedp, char **backupp,
                  struct value **failp);

/* Python's str(OSError) for errnum and path: "[Errno 2] No such file or
 * directory: '/x'" (a heap string). */
char *fileutil_oserror(int errnum, const char *path);

#endif
