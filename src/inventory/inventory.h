/* The inventory: hosts, groups and their variables, loaded the way Ansible
 * (ansible-core 2.14) loads them, and host patterns evaluated the way Ansible
 * evaluates them, so that `drover inventory --list` and `ansible-inventory
 * --list` print the same data and a pattern selects the same hosts in the
 * same order.
 *
 * Sources (each -i argument) may be:
 *   - an INI file ([g], [g:children], [g:vars], host lines with key=value
 *     typed as Python literals, ranges such as web[01:20] and db-[a:c]);
 *   - a YAML or JSON file (all/children/hosts/vars, nested, ranges);
 *   - a directory: every entry in sorted order, skipping hidden entries,
 *     group_vars/, host_vars/ and the extensions Ansible ignores (.orig .ini
 *     .cfg .retry .pyc .pyo .swp .bak ~ .rpm .md .txt .rst), directories
 *     recursively;
 *   - a comma list of hosts ("h1,h2," or "h1:2222,h2"), as Ansible's
 *     host_list plugin.
 * A file without a YAML extension is tried as YAML and then as INI; when both
 * fail, the error of the parser that got further is reported. Unlike Ansible,
 * which only warns, a source that cannot be parsed or does not exist is an
 * error (ERR_PARSE / ERR_NOTFOUND with a diag naming file:line:col).
 *
 * Beside each source that is a path, group_vars/<group> and
 * host_vars/<host> (a file with no extension or .yml/.yaml/.json, the first
 * that exists, or a directory of such files loaded in sorted order) add
 * variables with Ansible's precedence: inline vars of `all`, inline vars of
 * the host's other groups (sorted by depth, ansible_group_priority, name),
 * group_vars/all, group_vars of the other groups (per source, in source
 * order, then the same group order), the host's inline vars, host_vars.
 *
 * Groups `all` and `ungrouped` always exist. `localhost` (or 127.0.0.1, ::1)
 * is created implicitly, with ansible_connection=local, when a pattern names
 * it and the inventory has no host of that name; it then belongs to no group
 * (not even `all`), as in Ansible.
 *
 * All functions here are single-threaded and never print, except that
 * inventory_select warns on stderr (through log_warn) about patterns that
 * match nothing, as Ansible does. */
#ifndef DROVER_INVENTORY_INVENTORY_H
#define DROVER_INVENTORY_INVENTORY_H

#include <stddef.h>

#include "base/diag.h"
#include "data/value.h"

struct inventory;
struct inv_host;
struct inv_group;

/* Caps on input-driven sizes. */
#define INV_MAX_HOSTS ((size_t)1 << 20)     /* hosts in one inventory */
#define INV_MAX_GROUPS ((size_t)1 << 18)    /* groups in one inventory */
#define INV_MAX_RANGE ((size_t)1 << 20)     /* hosts one range may expand to */
#define INV_MAX_SOURCES 1024                /* -i arguments */
#define INV_MAX_DIR_DEPTH 32                /* nested directory sources */

/*
 * inventory_load - load inventory sources
 *
 * Loads the n sources (paths or comma lists; see above) in order into a new
 * inventory stored in *invp. With n == 0 the inventory is empty except for
 * the implicit groups (and the implicit localhost a pattern may create).
 * Returns 0, or ERR_PARSE / ERR_NOTFOUND / ERR_TOOBIG / ERR_DEPTH / -errno
 * with d filled ("file:line:col: message" or the source argument) and *invp
 * NULL.
 */
int inventory_load(struct inventory **invp, const char *const *sources, size_t n, struct diag *d);

/*
 * inventory_add_vars_dir - read group_vars/ and host_vars/ of another directory
 *
 * Ansible also reads group_vars/ and host_vars/ beside the playbook (its
 * "play-adjacent" vars): dir's files then count as those of one more
 * source after the others, which puts them where VariableManager merges
 * them (group_vars/all after the sources' group_vars/all, other groups
 * after the sources' groups, host_vars last). A directory that is already a
 * source's (or does not exist) changes nothing. The variables of every
 * later inventory_host_vars_all include them; inventory_load's sources and
 * `ansible-inventory` views are not meant to call this. Returns 0, or a
 * file's error as inventory_load (d filled).
 */
int inventory_add_vars_dir(struct inventory *inv, const char *dir, struct diag *d);

/* Frees the inventory and every host and group in it. Accepts NULL. */
void inventory_free(struct inventory *inv);

enum inv_format {
	INV_FORMAT_AUTO, /* YAML, then INI, as for a file without extension */
	INV_FORMAT_INI,
	INV_FORMAT_YAML,
};

/*
 * inventory_load_text - load one inventory from memory
 *
 * As inventory_load with a single file source whose contents are the len
 * bytes at text and whose name is name (used in diagnostics and as
 * inventory_file); no group_vars/host_vars are read. For tests and fuzzing.
 */
int inventory_load_text(struct inventory **invp, const char *text, size_t len, const char *name,
                        enum inv_format fmt, struct diag *d);

/*
 * inventory_select - evaluate a host pattern and limits
 *
 * pattern is an Ansible host pattern: terms separated by ',' (or ':' when
 * that is unambiguous), each a host or group name, a glob (* ? [...]), a
 * regex (~...), optionally prefixed by '&' (intersection) or '!'
 * (exclusion), optionally suffixed by a subscript [i], [-i], [i:j] or [i:]
 * on the hosts of a group pattern. Plain terms are applied first, then '&'
 * terms, then '!' terms; "all" and "*" select every host.
 * Each of the nlimits limit strings is a pattern of the same syntax in which
 * "@file" terms are replaced by the file's lines; the selection is then
 * restricted to the hosts the limits select (all limit terms together, as
 * one pattern, as ansible -l).
 *
 * On success *hostsp is a new array (the caller frees the array only; the
 * hosts belong to inv) of *np hosts in Ansible's order; it may be empty
 * (*hostsp NULL, *np 0): the caller decides that an empty selection is an
 * error. A term that matches nothing is warned about on stderr ("Could not
 * match supplied host pattern, ignoring: X"). May create the implicit
 * localhost. Returns 0, or ERR_PARSE (a bad regex or subscript) /
 * ERR_NOTFOUND (a missing @file) with d naming the argument.
 */
int inventory_select(struct inventory *inv, const char *pattern, const char *const *limits, size_t nlimits,
                     struct inv_host ***hostsp, size_t *np, struct diag *d);

/* Returns the host's inventory name (borrowed). */
const char *inv_host_name(const struct inv_host *h);

/* Returns the host named name, or NULL (no implicit localhost is created). */
struct inv_host *inventory_host(const struct inventory *inv, const char *name);

/* Returns the hosts in inventory order (borrowed array of *np hosts; the
 * implicit localhost, if created, is not among them). */
struct inv_host *const *inventory_hosts(const struct inventory *inv, size_t *np);

/*
 * inventory_host_vars - the host's variables as ansible-inventory shows them
 *
 * Returns a new map (new reference) with every inventory-level variable of
 * h merged in Ansible's order (see the top of this file), without Ansible's
 * internal names (inventory_file, inventory_dir, inventory_hostname,
 * inventory_hostname_short, group_names, groups, omit, playbook_dir,
 * ansible_version and the other ansible-inventory hides).
 */
struct value *inventory_host_vars(struct inventory *inv, const struct inv_host *h);

/*
 * inventory_host_vars_all - every inventory variable of the host
 *
 * As inventory_host_vars but nothing is hidden, and the magic variables
 * Ansible's Host object adds are included: inventory_hostname,
 * inventory_hostname_short, group_names, and inventory_file/inventory_dir
 * (the first source the host was found in; null for the implicit
 * localhost). This is the inventory layer of a host's variables for the
 * executor. Returns a new reference.
 */
struct value *inventory_host_vars_all(struct inventory *inv, const struct inv_host *h);

/* The host's own variables only, as ansible-inventory --export shows them:
 * inline host variables and host_vars, no group variables (and the magic
 * names of inventory_host_vars_all). Returns a new map. */
struct value *inventory_host_vars_export(struct inventory *inv, const struct inv_host *h);

/* Removes from the map vars the names ansible-inventory hides (see
 * inventory_host_vars). */
void inventory_strip_internal(struct value *vars);

/* The `groups` magic variable: a new map from every group name (in
 * inventory order, `all` and `ungrouped` first) to the list of its hosts'
 * names, descendants included, in Ansible's order. */
struct value *inventory_groups_var(struct inventory *inv);

/* The `group_names` magic variable: a new sorted list of the names of h's
 * groups without `all` (an ungrouped host has ["ungrouped"], as in
 * Ansible). */
struct value *inventory_group_names(struct inventory *inv, const struct inv_host *h);

/* Groups, for `drover inventory`. */
struct inv_group *inventory_group(const struct inventory *inv, const char *name);
const char *inv_group_name(const struct inv_group *g);
/* Child groups in the order they were added (borrowed array). */
struct inv_group *const *inv_group_children(const struct inv_group *g, size_t *np);
/* Hosts added directly to g, in order (borrowed array). */
struct inv_host *const *inv_group_hosts(const struct inv_group *g, size_t *np);
/* A group's own variables as ansible-inventory --export and --graph --vars
 * show them: inline vars, then group_vars files, plus ansible_group_priority
 * when it is not 1. Returns a new map. */
struct value *inventory_group_vars(struct inventory *inv, const struct inv_group *g);

/*
 * inventory_add_dynamic_host - add_host's change to the inventory
 *
 * Adds host name (to `all`) unless it exists, sets each key of vars (a map)
 * among its own variables, adds it to each group named in groups (a list of
 * strings; groups are created as needed), then fixes `all` and `ungrouped`
 * as after loading. *changedp is 1 when any of that changed something (the
 * task's changed status, as Ansible's). Returns 0, or an error (ERR_TOOBIG
 * past the caps, ERR_PARSE for an empty name) with d set.
 */
int inventory_add_dynamic_host(struct inventory *inv, const char *name, const struct value *groups,
                               const struct value *vars, int *changedp, struct diag *d);

/*
 * inventory_add_dynamic_group - group_by's change to the inventory
 *
 * Creates group and each group named in parents (a list of strings) unless
 * they exist, makes group a child of each parent and adds h to group.
 * *changedp is 1 when a parent was created, linked or h joined group (the
 * task's changed status, as Ansible's). Returns 0, or an error with d set
 * (a parent that is a descendant of group makes a cycle: ERR_PARSE).
 */
int inventory_add_dynamic_group(struct inventory *inv, struct inv_host *h, const char *group,
                                const struct value *parents, int *changedp, struct diag *d);

/* Ansible's parse_address without ranges: "host:port", "[v6]:port" split
 * into a new host string (*hostp, the caller frees it) and a port (-1 when
 * none). Returns 0, or -1 when address is not a valid host (the caller then
 * keeps it as it is). */
int inventory_parse_address(const char *address, char **hostp, long *portp);

/*
 * inventory_refresh - meta: refresh_inventory
 *
 * Reads the sources again and brings what they now say into inv: groups and
 * hosts that are new, new group and host links, and inline variables
 * (over the old values). Hosts, groups and links the sources no longer
 * have stay (every host of the run keeps its identity), as do the changes
 * add_host and group_by made; group_vars/ and host_vars/ files are not
 * read again. Returns 0, or an error with d set (a source that cannot be
 * loaded leaves inv unchanged).
 */
int inventory_refresh(struct inventory *inv, struct diag *d);

#endif