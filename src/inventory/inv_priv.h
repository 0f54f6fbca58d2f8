/* Private to src/inventory/: the inventory model shared by the loaders
 * (inv_ini.c, inv_yaml.c, inv_source.c), group_vars/host_vars (inv_vars.c)
 * and host patterns (pattern.c). The public contract is inventory.h. */
#ifndef DROVER_INVENTORY_INV_PRIV_H
#define DROVER_INVENTORY_INV_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "data/value.h"
#include "inventory/inventory.h"

struct inv_group {
	char *name;                  /* owned */
	size_t index;                /* creation order */
	struct inv_group **children; /* child groups in the order added */
	size_t nchildren, capchildren;
	struct inv_group **parents;
	size_t nparents, capparents;
	struct inv_host **hosts;     /* hosts added directly, in order */
	size_t nhosts, caphosts;
	struct value *vars;          /* owned map: inline variables */
	struct value **file_vars;    /* per source: group_vars data or NULL (owned) */
	int depth;                   /* Ansible's: 0 for all, > parents' */
	int64_t priority;            /* ansible_group_priority, 1 by default */
	uint32_t mark;               /* traversal generation (inv_next_gen) */
};

struct inv_host {
	char *name;                  /* owned */
	size_t index;                /* creation order */
	struct value *vars;          /* owned map: inline variables */
	struct inv_group **direct;   /* groups that list the host directly */
	size_t ndirect, capdirect;
	struct value **file_vars;    /* per source: host_vars data or NULL (owned) */
	int implicit;                /* the implicit localhost */
	uint32_t mark;               /* traversal generation (inv_next_gen) */
};

struct inventory {
	struct inv_group **groups;   /* owned, creation order */
	size_t ngroups, capgroups;
	struct inv_host **hosts;     /* owned, creation order (implicit excluded) */
	size_t nhosts, caphosts;
	struct value *group_index;   /* map: name -> VALUE_INT index into groups */
	struct value *host_index;    /* map: name -> VALUE_INT index into hosts */
	struct inv_host *localhost;  /* what "localhost" resolves to, or NULL */
	struct inv_host *implicit;   /* owned implicit localhost, or NULL */
	char **sources;              /* owned copies of the sources, for vars files */
	char **var_dirs;             /* per source: directory holding group_vars/, or NULL */
	char **gv_dirs;              /* per source: realpath of its group_vars/, or NULL */
	char **hv_dirs;              /* per source: realpath of its host_vars/, or NULL */
	size_t nsources;
	size_t nloaded;              /* sources inventory_load read (the rest: variable directories) */
	const char *cur_file;        /* while loading: inventory_file of new hosts */
	const char *cur_dir;         /* while loading: inventory_dir of new hosts */
	struct value *warned;        /* map of warnings already printed */
	uint32_t gen;                /* last traversal generation used */
};

/* inv.c: the model, as Ansible's InventoryData, Group and Host. */
struct inv_group *inv_group_get(const struct inventory *inv, const char *name);
struct inv_host *inv_host_get(const struct inventory *inv, const char *name);
/* Adds the group if new and returns it; warns once about names that are not
 * valid variable names, as Ansible does. Fails for an empty name or past
 * INV_MAX_GROUPS (ERR_TOOBIG). */
int inv_group_add(struct inventory *inv, const char *name, struct inv_group **gp, struct diag *d);
/* Adds the host if new (port > 0 sets ansible_port, inventory_file and
 * inventory_dir are set from the source being loaded) and adds it to g when
 * g is not NULL. Returns 0 or an error with d set (at file:line:col when
 * file is not NULL). */
int inv_host_add(struct inventory *inv, const char *name, struct inv_group *g, long port, const char *file,
                 int line, int col, struct inv_host **hp, struct diag *d);
/* Group.add_child_group: refuses cycles (ERR_PARSE with d at file:line). */
int inv_group_add_child(struct inventory *inv, struct inv_group *parent, struct inv_group *child,
                        const char *file, int line, int col, struct diag *d);
/* Group.add_host. Returns 1 if added, 0 if already there. */
int inv_group_add_host(struct inv_group *g, struct inv_host *h);
/* Group.set_variable / Host.set_variable: takes ownership of val. */
int inv_group_set_var(struct inv_group *g, const char *key, struct value *val, struct diag *d);
void inv_host_set_var(struct inv_host *h, const char *key, struct value *val);
/* InventoryData.reconcile_inventory: attaches parentless groups to all and
 * fixes `ungrouped`. */
void inv_reconcile(struct inventory *inv);
/* Every group h belongs to, ancestors included (a new array of *np groups in
 * creation order; the caller frees the array). */
struct inv_group **inv_host_groups(struct inventory *inv, const struct inv_host *h, size_t *np);
/* Group.get_hosts: hosts of g and its descendants in Ansible's order, no
 * duplicates, the implicit localhost excluded from all. New array. */
struct inv_host **inv_group_all_hosts(struct inventory *inv, const struct inv_group *g, size_t *np);
/* InventoryData.get_host for names of localhost: returns the existing host,
 * the current localhost, or creates the implicit one (loading its
 * host_vars). NULL when name is not a localhost name and not a host. */
int inv_get_host(struct inventory *inv, const char *name, struct inv_host **hp, struct diag *d);
/* Prints "[WARNING]: msg" once per distinct message. */
void inv_warn(struct inventory *inv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* 1 if name is localhost, 127.0.0.1 or ::1. */
int inv_is_localhost_name(const char *name);

/* inv_addr.c: Ansible's parse_address and host range expansion. */
/* Splits "host:port", "[v6]:port", "1.2.3.4:22" into a new host string and a
 * port (-1 when none). Returns 0, or -1 when address is not a valid host
 * (Ansible then keeps the text as it is). With allow_ranges 0, a host with
 * "[" is also -1. */
int inv_addr_parse(const char *address, int allow_ranges, char **hostp, long *portp);
/* Expands "web[01:03]" into a list of names (a new VALUE_LIST of strings);
 * text without "[" gives itself. ERR_PARSE with *whyp set (a static or
 * allocated message in *msgp, which the caller frees) on a bad range;
 * ERR_TOOBIG past INV_MAX_RANGE names. */
int inv_addr_expand(const char *pattern, struct value **listp, char **msgp);
/* 1 if s has the shape of an IPv4 or IPv6 address (ranges allowed). */
int inv_addr_is_ip(const char *s);
/* _expand_hostpattern: address parse (port split) then range expansion. */
int inv_addr_hostpattern(const char *pattern, struct value **namesp, long *portp, char **msgp);

/* inv_ini.c and inv_yaml.c: load one file's text into inv. */
int inv_ini_load(struct inventory *inv, const char *text, size_t len, const char *file, struct diag *d);
/* Returns 1 and loads when the text is a YAML inventory; 0 when YAML parsed
 * to something that is not one (empty, not a mapping), with d set to the
 * reason; < 0 on errors (d set). *mappingp says whether the text was a YAML
 * mapping, that is, meant as a YAML inventory. */
int inv_yaml_load(struct inventory *inv, const char *text, size_t len, const char *file, int *mappingp,
                  struct diag *d);

/* inv_source.c: one -i argument. */
/* Ansible's unfrackpath(follow=False): a new absolute, normalised path. */
char *inv_source_unfrack(const char *source);
int inv_source_load(struct inventory *inv, const char *source, struct diag *d);
int inv_source_load_text(struct inventory *inv, const char *text, size_t len, const char *name,
                         enum inv_format fmt, struct diag *d);

/* inv_vars.c: group_vars/ and host_vars/ beside the sources. */
int inv_vars_load(struct inventory *inv, struct diag *d);
int inv_vars_load_host(struct inventory *inv, struct inv_host *h, struct diag *d);
/* inventory_add_vars_dir's body. */
int inv_vars_add_dir(struct inventory *inv, const char *dir, struct diag *d);
/* sort_groups: by depth, priority, name. Sorts in place. */
void inv_vars_sort_groups(struct inv_group **groups, size_t n);

/* pymatch.c: Python's fnmatch.fnmatchcase(name, pat): 1, 0, or -1 for a
 * pattern Python rejects. */
int pymatch_fnmatch(const char *pat, const char *name);
/* Python's re.compile(py).match(s) != None: compile returns 0 or -1 (syntax
 * Python rejects or POSIX cannot express, including large counted
 * repetitions); match returns 1 or 0. */
struct pymatch_re;
int pymatch_re_compile(const char *py, struct pymatch_re **rep);
int pymatch_re_match(const struct pymatch_re *re, const char *s);
void pymatch_re_free(struct pymatch_re *re);

/* pattern.c: host patterns. */
/* split_host_pattern: appends the terms of pattern to the list terms. */
void pattern_split(const char *pattern, struct value *terms);
/* The body of inventory_select. */
int pattern_select(struct inventory *inv, const char *pattern, const char *const *limits, size_t nlimits,
                   struct inv_host ***hostsp, size_t *np, struct diag *d);

#endif
