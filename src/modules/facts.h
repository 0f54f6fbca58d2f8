/* The text parsers behind the setup module's facts: os-release, the
 * kernel's routing tables, /proc/cpuinfo, /proc/mounts, /proc/meminfo,
 * resolv.conf and the kernel command line. Each works on text already
 * read (so tests feed fixtures) and builds values in Ansible 2.14's
 * shapes; none touches the system. */
#ifndef DROVER_MODULES_FACTS_H
#define DROVER_MODULES_FACTS_H

#include <stddef.h>

#include "data/value.h"

/* Parses os-release text (KEY=value lines, values optionally quoted with
 * shell quoting) into a map of str. Returns a new map; bad lines are
 * skipped. */
struct value *facts_os_release(const char *text);

/* The distribution facts (distribution, distribution_version,
 * distribution_major_version, distribution_minor_version when the version
 * has a dot, distribution_release, distribution_file_path/variety/parsed,
 * os_family), without the ansible_ prefix, from an os-release map (as
 * facts_os_release gives) and the text of /etc/debian_version (NULL when
 * absent), as Ansible derives them for the Linux families it knows. Adds
 * them to out. */
void facts_distribution(struct value *out, const struct value *osr, const char *debian_version);

/* The default route of /proc/net/route text: copies the interface name
 * (at most ifsz bytes with the NUL) and the gateway as dotted quad (at
 * least 16 bytes). Returns 0, or -1 when there is no default route. */
int facts_route4_default(const char *text, char *iface, size_t ifsz, char *gw, size_t gwsz);

/* The same for /proc/net/ipv6_route: the first ::/0 route not on lo and
 * not unreachable, gateway in RFC 5952 text (at least 46 bytes). */
int facts_route6_default(const char *text, char *iface, size_t ifsz, char *gw, size_t gwsz);

/* /proc/cpuinfo text into processor, processor_count, processor_cores,
 * processor_threads_per_core and processor_vcpus (added to out) as
 * Ansible's Linux hardware collector counts them; arch is the machine
 * name (uname -m), nproc what the affinity mask counts (processor_nproc;
 * a negative value: the processor lines). */
void facts_cpuinfo(struct value *out, const char *text, const char *arch, long nproc);

/* /proc/mounts text into a list of maps {mount, device, fstype, options}
 * with the kernel's octal escapes (\040) undone, in file order, for the
 * entries Ansible keeps: devices that are paths or network shares
 * ("host:/path"), and no fstype "none". */
struct value *facts_mounts(const char *text);

/* /proc/self/mountinfo text into the list of mount points (escapes
 * undone) whose root within their file system is not "/": the mounts
 * findmnt shows as "source[/dir]", which Ansible calls bind mounts. */
struct value *facts_bind_mounts(const char *text);

/* /proc/meminfo text into memtotal_mb, memfree_mb, swaptotal_mb,
 * swapfree_mb and memory_mb (real, nocache, swap), added to out. */
void facts_meminfo(struct value *out, const char *text);

/* resolv.conf text into Ansible's dns map (nameservers, domain, search,
 * sortlist, options), keys present only when the file has them. */
struct value *facts_resolv(const char *text);

/* /proc/cmdline text into Ansible's cmdline (dup: 0, the last value of a
 * key wins) or proc_cmdline (dup: 1, repeated keys collect a list). */
struct value *facts_cmdline(const char *text, int dup);

/* A dotted-quad netmask of a prefix length (0..32) into out (16 bytes). */
void facts_netmask4(unsigned prefix, char *out);

#endif
