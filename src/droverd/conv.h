/* The value types of supervisord's configuration (supervisor/datatypes.py
 * in 4.2.5): what each accepts and the words of its error, so droverd takes
 * and refuses the same settings. Each converter returns 0, or ERR_PARSE with
 * *errp a new message (caller frees) in supervisord's words. */
#ifndef DROVER_DROVERD_CONV_H
#define DROVER_DROVERD_CONV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
	AUTORESTART_FALSE = 0,
	AUTORESTART_UNEXPECTED = 1,
	AUTORESTART_TRUE = 2,
};

/* Python int(s): blanks around, a sign, decimal digits with single "_"
 * between them. Values beyond 64 bits are refused ("too large"). */
int conv_int(const char *s, long long *outp, char **errp);
/* boolean(): yes/true/on/1, no/false/off/0, any case. */
int conv_bool(const char *s, int *outp, char **errp);
/* byte_size(): an int with an optional kb/mb/gb suffix (1024-based, any
 * case). */
int conv_byte_size(const char *s, long long *outp, char **errp);
/* octal_type(): int(s, 8), with an optional 0o prefix. */
int conv_octal(const char *s, long *outp, char **errp);
/* signal_number(): a number Python knows as a signal (0-31, 34, 64), or a
 * name with or without "SIG", any case. */
int conv_signal(const char *s, int *outp, char **errp);
/* signame(): "SIGTERM", or "signal N" for numbers without a name. */
const char *conv_signame(int sig, char buf[24]);
/* list_of_exitcodes(): comma-separated ints in 0..255 (empty: none). Sets
 * the bits of set (32 bytes) and returns the codes in order in *codesp
 * (caller frees) and their count in *np. */
int conv_exitcodes(const char *s, uint8_t set[32], int **codesp, size_t *np, char **errp);
/* logging_level(): critical error warn info debug trace blather, any case;
 * *outp is the level number (50 40 30 20 10 5 3). */
int conv_loglevel(const char *s, int *outp, char **errp);
/* process_or_group_name(): stripped; no " ", ":" or "/". *outp is new. */
int conv_name(const char *s, char **outp, char **errp);
/* auto_restart(): a boolean word or "unexpected"; AUTORESTART_*. */
int conv_autorestart(const char *s, int *outp, char **errp);
/* name_to_uid(): a user name or a uid, checked in the password database. */
int conv_uid(const char *s, uid_t *outp, char **errp);
/* name_to_gid(): a group name or a gid, checked in the group database. */
int conv_gid(const char *s, gid_t *outp, char **errp);
/* inet_address(): "host:port", ":port", "*:port" or "port"; *hostp is new
 * ("" for every interface), lower-cased. */
int conv_inet_address(const char *s, char **hostp, int *portp, char **errp);

/* os.path.expanduser(): a leading "~" or "~user". Returns a new string. */
char *conv_expanduser(const char *path);
/* existing_directory(): expanduser'd, must be a directory. *outp is new. */
int conv_existing_directory(const char *s, char **outp, char **errp);
/* existing_dirpath(): expanduser'd; its directory part, if any, must exist. */
int conv_existing_dirpath(const char *s, char **outp, char **errp);
/* os.path.normpath(os.path.abspath(os.path.expanduser(s))): a new string. */
char *conv_normalize_path(const char *s);

/* Python's repr() of a str: 'abc', "it's", 'a\nb'. Returns a new string. */
char *conv_repr(const char *s);
/* Levenshtein distance between a and b, capped at cap + 1. */
size_t conv_distance(const char *a, const char *b, size_t cap);

#endif
