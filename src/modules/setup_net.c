/* The network facts of the setup module, as Ansible's Linux network
 * collector reports them, but read natively: link attributes from
 * /sys/class/net, IPv4 addresses from getifaddrs(3), IPv6 addresses and
 * scopes from /proc/net/if_inet6, default routes from /proc/net/route and
 * /proc/net/ipv6_route (where Ansible runs ip(8) for each). */
#include <arpa/inet.h>
#include <dirent.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "modules/facts.h"
#include "modules/setup.h"

/* More interfaces than this are not reported (a host with thousands of
 * veths still answers quickly). */
#define SETUP_NET_MAX_IFACES 4096

static int setup_net_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *setup_net_attr(const char *dev, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	return setup_file(path);
}

static int setup_net_has(const char *dev, const char *attr)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	return access(path, F_OK) == 0;
}

static struct value *setup_net_words(const char *s)
{
	struct value *l = value_list();
	size_t n;

	while (s != NULL && *s != '\0') {
		s += strspn(s, " \t\n");
		n = strcspn(s, " \t\n");
		if (n == 0)
			break;
		value_list_push(l, value_strn(s, n));
		s += n;
	}
	return l;
}

static void setup_net_first_word(struct value *m, const char *key, const char *dev, const char *attr)
{
	char *s = setup_net_attr(dev, attr);
	size_t n;

	if (s == NULL)
		return;
	n = strcspn(s, " \t\n");
	value_map_set(m, key, value_strn(s, n));
	free(s);
}

/* A bridge's type, member interfaces, id and STP state. */
static void setup_net_bridge(struct value *m, const char *dev)
{
	struct value *brif;
	char path[PATH_MAX], *s;
	struct dirent *e;
	DIR *d;

	if (!setup_net_has(dev, "bridge"))
		return;
	value_map_set(m, "type", value_str("bridge"));
	brif = value_list();
	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", dev);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL && value_len(brif) < SETUP_NET_MAX_IFACES)
			if (e->d_name[0] != '.')
				value_list_push(brif, value_str(e->d_name));
		closedir(d);
	}
	value_map_set(m, "interfaces", brif);
	if ((s = setup_net_attr(dev, "bridge/bridge_id")) != NULL)
		value_map_set(m, "id", value_str(s));
	free(s);
	if ((s = setup_net_attr(dev, "bridge/stp_state")) != NULL)
		value_map_set(m, "stp", value_bool(strcmp(s, "1") == 0));
	free(s);
}

/* A bond's slaves, mode, MII monitoring, LACP rate and primary, and a
 * bonded interface's permanent MAC address. */
static void setup_net_bonding(struct value *m, const char *dev)
{
	char *s;

	if (setup_net_has(dev, "bonding")) {
		value_map_set(m, "type", value_str("bonding"));
		s = setup_net_attr(dev, "bonding/slaves");
		value_map_set(m, "slaves", setup_net_words(s));
		free(s);
		setup_net_first_word(m, "mode", dev, "bonding/mode");
		setup_net_first_word(m, "miimon", dev, "bonding/miimon");
		setup_net_first_word(m, "lacp_rate", dev, "bonding/lacp_rate");
		if ((s = setup_net_attr(dev, "bonding/primary")) != NULL && *s != '\0') {
			value_map_set(m, "primary", value_str(s));
			free(s);
			if ((s = setup_net_attr(dev, "bonding/all_slaves_active")) != NULL)
				value_map_set(m, "all_slaves_active", value_bool(strcmp(s, "1") == 0));
		}
		free(s);
	}
	if (setup_net_has(dev, "bonding_slave")) {
		s = setup_net_attr(dev, "bonding_slave/perm_hwaddr");
		value_map_set(m, "perm_macaddress", value_str(s != NULL ? s : ""));
		free(s);
	}
}

/* The link attributes, in Ansible's order of checks. */
static struct value *setup_net_link(const char *dev)
{
	static const struct {
		const char *num, *name;
	} types[] = {{"1", "ether"}, {"32", "infiniband"}, {"512", "ppp"}, {"772", "loopback"}, {"65534", "tunnel"}};
	struct value *m = value_map();
	char path[PATH_MAX], real[PATH_MAX], *s, *base;
	ssize_t n;
	size_t i;

	value_map_set(m, "device", value_str(dev));
	if ((s = setup_net_attr(dev, "address")) != NULL && *s != '\0' && strcmp(s, "00:00:00:00:00:00") != 0)
		value_map_set(m, "macaddress", value_str(s));
	free(s);
	if ((s = setup_net_attr(dev, "mtu")) != NULL)
		value_map_set(m, "mtu", value_int(strtoll(s, NULL, 10)));
	free(s);
	if ((s = setup_net_attr(dev, "operstate")) != NULL)
		value_map_set(m, "active", value_bool(strcmp(s, "down") != 0));
	free(s);
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver/module", dev);
	if (realpath(path, real) != NULL && (base = strrchr(real, '/')) != NULL)
		value_map_set(m, "module", value_str(base + 1));
	if ((s = setup_net_attr(dev, "type")) != NULL) {
		const char *t = "unknown";

		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcmp(s, types[i].num) == 0)
				t = types[i].name;
		value_map_set(m, "type", value_str(t));
	}
	free(s);
	setup_net_bridge(m, dev);
	setup_net_bonding(m, dev);
	snprintf(path, sizeof(path), "/sys/class/net/%s/device", dev);
	if ((n = readlink(path, real, sizeof(real) - 1)) > 0) {
		real[n] = '\0';
		base = strrchr(real, '/');
		value_map_set(m, "pciid", value_str(base != NULL ? base + 1 : real));
	}
	if ((s = setup_net_attr(dev, "speed")) != NULL)
		value_map_set(m, "speed", value_int(strtoll(s, NULL, 10)));
	free(s);
	if ((s = setup_net_attr(dev, "flags")) != NULL)
		value_map_set(m, "promisc", value_bool((strtoul(s, NULL, 16) & 0x100) != 0));
	free(s);
	return m;
}

static struct value *setup_net_v4(const struct ifaddrs *a, char *addr)
{
	const struct sockaddr_in *sa = (const struct sockaddr_in *)a->ifa_addr;
	const struct sockaddr_in *nm = (const struct sockaddr_in *)a->ifa_netmask;
	struct value *m = value_map();
	char brd[INET_ADDRSTRLEN] = "", mask[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];
	uint32_t bits = nm != NULL ? ntohl(nm->sin_addr.s_addr) : 0xffffffffu;
	struct in_addr n;
	unsigned prefix = 0;

	while (prefix < 32 && (bits & (0x80000000u >> prefix)))
		prefix++;
	inet_ntop(AF_INET, &sa->sin_addr, addr, INET_ADDRSTRLEN);
	if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr != NULL)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)a->ifa_broadaddr)->sin_addr, brd, sizeof(brd));
	facts_netmask4(prefix, mask);
	n.s_addr = sa->sin_addr.s_addr & htonl(bits);
	inet_ntop(AF_INET, &n, net, sizeof(net));
	value_map_set(m, "address", value_str(addr));
	value_map_set(m, "broadcast", value_str(brd));
	value_map_set(m, "netmask", value_str(mask));
	value_map_set(m, "network", value_str(net));
	value_map_set(m, "prefix", value_strf("%u", prefix));
	return m;
}

static const char *setup_net_scope(unsigned scope)
{
	switch (scope) {
	case 0x00: return "global";
	case 0x10: return "host";
	case 0x20: return "link";
	case 0x40: return "site";
	}
	return "unknown";
}

static char *setup_net_key(const char *dev)
{
	char *k = xstrdup(dev), *p;

	for (p = k; *p != '\0'; p++)
		if (*p == ':')
			*p = '_';
	return k;
}

/* Fills the keys of a default_ipv4/ipv6 map from its interface's facts,
 * as Ansible does when the route's source address turns up. */
static void setup_net_default_link(struct value *def, const struct value *ifc)
{
	const struct value *v;

	value_map_set(def, "macaddress",
	              value_str(value_get_str(ifc, "macaddress", "unknown")));
	if ((v = value_map_get(ifc, "mtu")) != NULL)
		value_map_set(def, "mtu", value_ref((struct value *)v));
	value_map_set(def, "type", value_str(value_get_str(ifc, "type", "unknown")));
}

static void setup_net_default4(struct value *facts, struct value *def, const char *iface)
{
	char *key = setup_net_key(iface);
	const struct value *ifc = value_map_get(facts, key), *v4;
	size_t i;

	free(key);
	if (ifc == NULL || (v4 = value_map_get(ifc, "ipv4")) == NULL)
		return;
	value_map_set(def, "address", value_str(value_get_str(v4, "address", "")));
	for (i = 0; i < value_len(v4); i++)
		if (strcmp(value_cstr(value_map_key_at(v4, i)), "address") != 0)
			value_map_set(def, value_cstr(value_map_key_at(v4, i)), value_ref(value_map_val_at(v4, i)));
	setup_net_default_link(def, ifc);
	value_map_set(def, "alias", value_str(iface));
}

static void setup_net_default6(struct value *facts, struct value *def, const char *iface)
{
	char *key = setup_net_key(iface);
	const struct value *ifc = value_map_get(facts, key), *v6, *a = NULL;
	size_t i;

	free(key);
	if (ifc == NULL || (v6 = value_map_get(ifc, "ipv6")) == NULL)
		return;
	for (i = 0; i < value_len(v6); i++) {
		a = value_list_at(v6, i);
		if (strcmp(value_get_str(a, "scope", ""), "global") == 0)
			break;
	}
	if (i == value_len(v6))
		return;
	value_map_set(def, "address", value_str(value_get_str(a, "address", "")));
	value_map_set(def, "prefix", value_str(value_get_str(a, "prefix", "")));
	value_map_set(def, "scope", value_str("global"));
	setup_net_default_link(def, ifc);
}

static void setup_net_inet6(struct value *facts, const char *const *names, size_t n, struct value *all6)
{
	char *text = setup_file("/proc/net/if_inet6"), *line, *save = NULL, *key;
	char hex[40], dev[IF_NAMESIZE + 1], addr[INET6_ADDRSTRLEN];
	unsigned char a[16];
	unsigned idx, plen, scope, flags, b;
	struct value *ifc, *l, *m;
	size_t i, k;

	if (text == NULL)
		return;
	/* Interfaces in sorted order, addresses in the kernel's order within each. */
	for (k = 0; k < n; k++) {
		char *copy = xstrdup(text);

		for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
			if (sscanf(line, "%39s %x %x %x %x %16s", hex, &idx, &plen, &scope, &flags, dev) != 6 ||
			    strcmp(dev, names[k]) != 0 || strlen(hex) != 32)
				continue;
			for (i = 0; i < 16; i++) {
				if (sscanf(hex + 2 * i, "%2x", &b) != 1)
					break;
				a[i] = (unsigned char)b;
			}
			if (i < 16 || inet_ntop(AF_INET6, a, addr, sizeof(addr)) == NULL)
				continue;
			key = setup_net_key(dev);
			ifc = value_map_get(facts, key);
			free(key);
			if (ifc == NULL)
				continue;
			if ((l = value_map_get(ifc, "ipv6")) == NULL) {
				l = value_list();
				value_map_set(ifc, "ipv6", l);
			}
			m = value_map();
			value_map_set(m, "address", value_str(addr));
			value_map_set(m, "prefix", value_strf("%u", plen));
			value_map_set(m, "scope", value_str(setup_net_scope(scope & 0xf0)));
			value_list_push(l, m);
			if (strcmp(addr, "::1") != 0)
				value_list_push(all6, value_str(addr));
		}
		free(copy);
	}
	free(text);
}

static void setup_net_inet4(struct value *facts, const char *const *names, size_t n, struct value *all4)
{
	struct ifaddrs *ifa = NULL, *a;
	struct value *ifc, *l;
	char addr[INET_ADDRSTRLEN], *key;
	size_t k;

	if (getifaddrs(&ifa) != 0)
		return;
	for (k = 0; k < n; k++) {
		for (a = ifa; a != NULL; a = a->ifa_next) {
			if (a->ifa_addr == NULL || a->ifa_addr->sa_family != AF_INET || strcmp(a->ifa_name, names[k]) != 0)
				continue;
			key = setup_net_key(a->ifa_name);
			ifc = value_map_get(facts, key);
			free(key);
			if (ifc == NULL)
				continue;
			if (value_map_get(ifc, "ipv4") == NULL) {
				value_map_set(ifc, "ipv4", setup_net_v4(a, addr));
			} else {
				if ((l = value_map_get(ifc, "ipv4_secondaries")) == NULL) {
					l = value_list();
					value_map_set(ifc, "ipv4_secondaries", l);
				}
				value_list_push(l, setup_net_v4(a, addr));
			}
			if (strncmp(addr, "127.", 4) != 0)
				value_list_push(all4, value_str(addr));
		}
	}
	freeifaddrs(ifa);
}

void setup_net_collect(struct value *facts)
{
	struct value *ifaces = value_list(), *all4 = value_list(), *all6 = value_list();
	struct value *def4 = value_map(), *def6 = value_map();
	char **names = NULL, *text, *key, iface[IF_NAMESIZE + 1], gw[INET6_ADDRSTRLEN];
	size_t n = 0, cap = 0, i;
	struct dirent *e;
	DIR *d;

	if ((d = opendir("/sys/class/net")) != NULL) {
		while ((e = readdir(d)) != NULL && n < SETUP_NET_MAX_IFACES) {
			if (e->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				names = xreallocarray(names, cap, sizeof(*names));
			}
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), setup_net_cmp);
	for (i = 0; i < n; i++) {
		value_list_push(ifaces, value_str(names[i]));
		key = setup_net_key(names[i]);
		value_map_set(facts, key, setup_net_link(names[i]));
		free(key);
	}
	setup_net_inet4(facts, (const char *const *)names, n, all4);
	setup_net_inet6(facts, (const char *const *)names, n, all6);
	if ((text = setup_file("/proc/net/route")) != NULL &&
	    facts_route4_default(text, iface, sizeof(iface), gw, sizeof(gw)) == 0) {
		value_map_set(def4, "gateway", value_str(gw));
		value_map_set(def4, "interface", value_str(iface));
		setup_net_default4(facts, def4, iface);
	}
	free(text);
	if ((text = setup_file("/proc/net/ipv6_route")) != NULL &&
	    facts_route6_default(text, iface, sizeof(iface), gw, sizeof(gw)) == 0) {
		value_map_set(def6, "gateway", value_str(gw));
		value_map_set(def6, "interface", value_str(iface));
		setup_net_default6(facts, def6, iface);
	}
	free(text);
	value_map_set(facts, "interfaces", ifaces);
	value_map_set(facts, "default_ipv4", def4);
	value_map_set(facts, "default_ipv6", def6);
	value_map_set(facts, "all_ipv4_addresses", all4);
	value_map_set(facts, "all_ipv6_addresses", all6);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
