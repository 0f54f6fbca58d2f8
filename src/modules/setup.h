/* The setup module's collectors shared between its files: each adds its
 * facts, without the ansible_ prefix, to a map. */
#ifndef DROVER_MODULES_SETUP_H
#define DROVER_MODULES_SETUP_H

#include "data/value.h"
#include "modules/module.h"

/* The state the collectors share: the request and the facts so far. */
struct setup_run {
	const struct module_ctx *ctx;
	struct value *facts; /* owned; keys without the prefix */
	const char *fact_path;
	struct value *warnings;
};

/* Ansible's hardware collector on Linux: processor*, mem*, memory_mb,
 * DMI facts (bios_*, board_*, chassis_*, product_*, system_vendor,
 * form_factor), uptime_seconds, mounts, devices, device_links, lvm. */
void setup_hw_collect(struct setup_run *s);

/* Ansible's "network" collector on Linux: interfaces (sorted names),
 * one map per interface under its name (':' as '_'), default_ipv4,
 * default_ipv6, all_ipv4_addresses and all_ipv6_addresses, read from
 * sysfs, getifaddrs(3) and the routing tables. */
void setup_net_collect(struct value *facts);

/* Ansible's block device facts: devices (one map per /sys/block entry)
 * and device_links (ids, uuids, labels, masters). lspci, when given, is
 * the output of "lspci -D" for the devices' "host". */
void setup_dev_collect(struct value *facts, const char *lspci);

/* Reads a small file whole into a heap string with surrounding whitespace
 * stripped, or returns NULL when it cannot be read or holds nothing but
 * whitespace, as Ansible's get_file_content. */
char *setup_file(const char *path);

/* socket.getfqdn() as glibc answers it from /etc/hosts (gethostbyaddr of
 * the name: its address, then that address's first line), else the
 * resolver's canonical name, else the name itself. A heap string. */
char *setup_fqdn(const char *name);

/* The ansible_service_mgr fact: process 1's name mapped as Ansible maps
 * it, else what the file system shows (systemd's canaries, upstart,
 * OpenRC, an init.d directory). distribution may be NULL. A heap string. */
char *setup_service_mgr_name(const struct module_ctx *ctx, const char *distribution);

#endif
