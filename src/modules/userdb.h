/* The account databases as the user and group modules read them: the text
 * of /etc/passwd, /etc/group and /etc/shadow parsed into entries of
 * colon-separated fields, looked up by name or by number as getpwnam,
 * getgrgid and getspnam do. Reading the files themselves (not NSS) is what
 * the worker, static and libc-only, can do everywhere. Pure parsing: the
 * files are read and the tools run by acct.h. */
#ifndef DROVER_MODULES_USERDB_H
#define DROVER_MODULES_USERDB_H

#include <stddef.h>

#include "data/value.h"

/* The host's files, the ones Ansible's modules read. */
#define USERDB_PASSWD "/etc/passwd"
#define USERDB_GROUP "/etc/group"
#define USERDB_SHADOW "/etc/shadow"

/* Largest database file read (hostile input gets "too big"). */
#define USERDB_MAX ((size_t)16 << 20)

/* Fields of the entries, as Python's pwd, grp and spwd structs number them. */
enum { USERDB_PW_NAME, USERDB_PW_PASSWD, USERDB_PW_UID, USERDB_PW_GID, USERDB_PW_GECOS, USERDB_PW_DIR,
       USERDB_PW_SHELL };
enum { USERDB_GR_NAME, USERDB_GR_PASSWD, USERDB_GR_GID, USERDB_GR_MEM };
enum { USERDB_SP_NAMP, USERDB_SP_PWDP, USERDB_SP_LSTCHG, USERDB_SP_MIN, USERDB_SP_MAX, USERDB_SP_WARN,
       USERDB_SP_INACT, USERDB_SP_EXPIRE };

/* Parses the text of a database: a new list with one list of field
 * strings per entry, in file order. Empty lines, comments and NIS "+"/"-"
 * lines are left out, as are entries whose numeric field (numfield, or -1
 * for none) is not a number, which the C library skips too. */
struct value *userdb_parse(const char *text, size_t len, int numfield);

/* The first entry whose field is key (borrowed), or NULL. */
const struct value *userdb_find(const struct value *db, size_t field, const char *key);

/* Field i of an entry, "" when the line is shorter. */
const char *userdb_field(const struct value *ent, size_t i);

/* Field i as a number, or def when it is empty or not one. */
long long userdb_num(const struct value *ent, size_t i, long long def);

/* Is s a decimal number, as Python's int() reads one ("12", " +12 ")?
 * Sets *np when it is. */
int userdb_is_num(const char *s, long long *np);

/* The group entry named by g, a gid in digits or a name (gid first, as
 * the user module's group_exists), or NULL. */
const struct value *userdb_group(const struct value *groups, const char *g);

/* Is s one of the strings of list? */
int userdb_has(const struct value *list, const char *s);

/* Names of the groups listing user among their members, in file order (a
 * new list). */
struct value *userdb_member_of(const struct value *groups, const char *user);

#endif
