/* The network facts of the setup module, as Ansible's Linux network
 * collector reports them, but read natively: link attributes from
 * /sys/class/net, addresses from getifaddrs(3) (netlink, in the order
 * ip(8) lists them, labels included), default routes from /proc/net/route
 * and /proc/net/ipv6_route (where Ansible runs ip(8) for each). */
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
	/* musl reports IFA_ADDRESS here when the address has no broadcast
	 * (it equals the local address then); ip prints no "brd" for it. */
	if (!(a->ifa_flags & IFF_POINTOPOINT) && a->ifa_broadaddr != NULL &&
	    ((const struct sockaddr_in *)a->ifa_broadaddr)->sin_addr.s_addr != 0 &&
	    ((const struct sockaddr_in *)a->ifa_broadaddr)->sin_addr.s_addr != sa->sin_addr.s_addr)
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

static char *setup_net_key(const char *dev)
{
	char *k = xstrdup(dev), *p;

	for (p = k; *p != '\0'; p++)
		if (*p == ':')
			*p = '_';
	return k;
}

/* What the collection shares: the facts, the interface list, the default
 * routes' maps and the source addresses they wait for. */
struct setup_net_state {
	struct value *facts, *ifaces, *all4, *all6, *def4, *def6;
	char src4[INET_ADDRSTRLEN], src6[INET6_ADDRSTRLEN];
	struct ifaddrs *ifa;
};

/* The interface map under a name, created (or, for an address label
 * other than the device, created afresh each time, as Ansible does). */
static struct value *setup_net_iface(struct setup_net_state *st, const char *label, const char *dev)
{
	char *key = setup_net_key(label);
	struct value *m = value_map_get(st->facts, key);

	if (strcmp(label, dev) != 0) {
		if (m == NULL)
			value_list_push(st->ifaces, value_str(key));
		m = value_map();
		value_map_set(st->facts, key, m);
	}
	free(key);
	return m;
}

/* The keys a default route's map takes from the device whose address is
 * its source; the MAC address is the device's raw one, zeros included. */
static void setup_net_default_link(struct value *def, const struct value *ifc, const char *dev)
{
	char *mac = setup_net_attr(dev, "address");
	const struct value *v;

	value_map_set(def, "macaddress", value_str(mac != NULL ? mac : "unknown"));
	free(mac);
	if ((v = value_map_get(ifc, "mtu")) != NULL)
		value_map_set(def, "mtu", value_ref((struct value *)v));
	value_map_set(def, "type", value_str(value_get_str(ifc, "type", "unknown")));
}

static int setup_net_is(const struct ifaddrs *a, int family, const char *dev)
{
	size_t n = strlen(dev);

	return a->ifa_addr != NULL && a->ifa_addr->sa_family == family && strncmp(a->ifa_name, dev, n) == 0 &&
	       (a->ifa_name[n] == '\0' || (family == AF_INET && a->ifa_name[n] == ':'));
}

static uint32_t setup_net_in4(const struct sockaddr *sa)
{
	return sa != NULL ? ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) : 0xffffffffu;
}

/* The kernel marks an address secondary when an earlier primary address
 * of the device is in the same subnet; "ip addr show primary/secondary",
 * which Ansible runs, lists them apart. */
static int setup_net_secondary(const struct setup_net_state *st, const struct ifaddrs *x, const char *dev)
{
	const struct ifaddrs *a;
	uint32_t mx = setup_net_in4(x->ifa_netmask), ax = setup_net_in4(x->ifa_addr);

	for (a = st->ifa; a != NULL && a != x; a = a->ifa_next)
		if (setup_net_is(a, AF_INET, dev) && setup_net_in4(a->ifa_netmask) == mx &&
		    (setup_net_in4(a->ifa_addr) & mx) == (ax & mx) && !setup_net_secondary(st, a, dev))
			return 1;
	return 0;
}

static void setup_net_addr4(struct setup_net_state *st, const struct ifaddrs *a, const char *dev, int secondary)
{
	struct value *ifc = setup_net_iface(st, a->ifa_name, dev), *dv = value_map_get(st->facts, dev), *l, *v4;
	char addr[INET_ADDRSTRLEN];
	size_t i;

	v4 = setup_net_v4(a, addr);
	if (!secondary && value_map_get(ifc, "ipv4") == NULL) {
		value_map_set(ifc, "ipv4", value_ref(v4));
	} else {
		if ((l = value_map_get(ifc, "ipv4_secondaries")) == NULL) {
			l = value_list();
			value_map_set(ifc, "ipv4_secondaries", l);
		}
		value_list_push(l, value_ref(v4));
	}
	if (secondary && strcmp(a->ifa_name, dev) != 0 && dv != NULL) {
		if ((l = value_map_get(dv, "ipv4_secondaries")) == NULL) {
			l = value_list();
			value_map_set(dv, "ipv4_secondaries", l);
		}
		value_list_push(l, value_ref(v4));
	}
	if (st->src4[0] != '\0' && strcmp(st->src4, addr) == 0 && dv != NULL) {
		for (i = 0; i < value_len(v4); i++)
			if (strcmp(value_cstr(value_map_key_at(v4, i)), "address") != 0)
				value_map_set(st->def4, value_cstr(value_map_key_at(v4, i)), value_ref(value_map_val_at(v4, i)));
		setup_net_default_link(st->def4, dv, dev);
		value_map_set(st->def4, "alias", value_str(a->ifa_name));
	}
	if (strncmp(addr, "127.", 4) != 0)
		value_list_push(st->all4, value_str(addr));
	value_unref(v4);
}

/* The scope "ip" prints for an address the kernel scoped by its kind. */
static const char *setup_net_scope6(const struct in6_addr *a)
{
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "host";
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return "link";
	if (IN6_IS_ADDR_SITELOCAL(a))
		return "site";
	return "global";
}

static void setup_net_addr6(struct setup_net_state *st, const struct ifaddrs *a, const char *dev)
{
	const struct in6_addr *in = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
	const unsigned char *mk = a->ifa_netmask != NULL ?
		((const struct sockaddr_in6 *)a->ifa_netmask)->sin6_addr.s6_addr : NULL;
	struct value *ifc = value_map_get(st->facts, dev), *l, *m;
	char addr[INET6_ADDRSTRLEN];
	unsigned prefix = 0, i;

	if (ifc == NULL || inet_ntop(AF_INET6, in, addr, sizeof(addr)) == NULL)
		return;
	for (i = 0; mk != NULL && i < 128 && (mk[i / 8] & (0x80 >> (i % 8))); i++)
		prefix++;
	if ((l = value_map_get(ifc, "ipv6")) == NULL) {
		l = value_list();
		value_map_set(ifc, "ipv6", l);
	}
	m = value_map();
	value_map_set(m, "address", value_str(addr));
	value_map_set(m, "prefix", value_strf("%u", prefix));
	value_map_set(m, "scope", value_str(setup_net_scope6(in)));
	value_list_push(l, m);
	if (st->src6[0] != '\0' && strcmp(st->src6, addr) == 0) {
		value_map_set(st->def6, "prefix", value_strf("%u", prefix));
		value_map_set(st->def6, "scope", value_str(setup_net_scope6(in)));
		setup_net_default_link(st->def6, ifc, dev);
	}
	if (strcmp(addr, "::1") != 0)
		value_list_push(st->all6, value_str(addr));
}

/* The source address the kernel picks for the default route (what "ip
 * route get" reports and Ansible reads): the device's first primary
 * address in the gateway's subnet, else its first primary address that
 * is not host-scoped. */
static void setup_net_source4(struct setup_net_state *st, const char *dev, const char *gw)
{
	const struct ifaddrs *a, *first = NULL, *best = NULL;
	struct in_addr g;
	uint32_t m, x;

	if (inet_pton(AF_INET, gw, &g) != 1)
		g.s_addr = 0;
	for (a = st->ifa; a != NULL; a = a->ifa_next) {
		if (!setup_net_is(a, AF_INET, dev) || setup_net_secondary(st, a, dev))
			continue;
		x = setup_net_in4(a->ifa_addr);
		if ((x >> 24) == 127)
			continue;
		m = setup_net_in4(a->ifa_netmask);
		if (first == NULL)
			first = a;
		if (best == NULL && g.s_addr != 0 && (x & m) == (ntohl(g.s_addr) & m))
			best = a;
	}
	if (best == NULL)
		best = first;
	if (best != NULL)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)best->ifa_addr)->sin_addr, st->src4, sizeof(st->src4));
}

/* IPv6: the device's first global address, in the kernel's order. */
static void setup_net_source6(struct setup_net_state *st, const char *dev)
{
	const struct ifaddrs *a;
	const struct in6_addr *in;

	for (a = st->ifa; a != NULL; a = a->ifa_next) {
		if (!setup_net_is(a, AF_INET6, dev))
			continue;
		in = &((const struct sockaddr_in6 *)a->ifa_addr)->sin6_addr;
		if (strcmp(setup_net_scope6(in), "global") == 0) {
			inet_ntop(AF_INET6, in, st->src6, sizeof(st->src6));
			return;
		}
	}
}

static void setup_net_routes(struct setup_net_state *st)
{
	char iface[IF_NAMESIZE + 1], gw[INET6_ADDRSTRLEN], *text;

	if ((text = setup_file("/proc/net/route")) != NULL &&
	    facts_route4_default(text, iface, sizeof(iface), gw, sizeof(gw)) == 0) {
		value_map_set(st->def4, "gateway", value_str(gw));
		value_map_set(st->def4, "interface", value_str(iface));
		setup_net_source4(st, iface, gw);
		if (st->src4[0] != '\0')
			value_map_set(st->def4, "address", value_str(st->src4));
	}
	free(text);
	if ((text = setup_file("/proc/net/ipv6_route")) != NULL &&
	    facts_route6_default(text, iface, sizeof(iface), gw, sizeof(gw)) == 0) {
		value_map_set(st->def6, "gateway", value_str(gw));
		value_map_set(st->def6, "interface", value_str(iface));
		setup_net_source6(st, iface);
		if (st->src6[0] != '\0')
			value_map_set(st->def6, "address", value_str(st->src6));
	}
	free(text);
}

void setup_net_collect(struct value *facts)
{
	struct setup_net_state st;
	char **names = NULL, *key;
	size_t n = 0, cap = 0, i;
	const struct ifaddrs *a;
	struct dirent *e;
	int pass;
	DIR *d;

	memset(&st, 0, sizeof(st));
	st.facts = facts;
	st.ifaces = value_list();
	st.all4 = value_list();
	st.all6 = value_list();
	st.def4 = value_map();
	st.def6 = value_map();
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
		key = setup_net_key(names[i]);
		value_list_push(st.ifaces, value_str(key));
		value_map_set(facts, key, setup_net_link(names[i]));
		free(key);
	}
	if (getifaddrs(&st.ifa) != 0)
		st.ifa = NULL;
	setup_net_routes(&st);
	for (i = 0; i < n; i++) {
		/* Primary addresses first, then secondaries, as Ansible's two runs of ip. */
		for (pass = 0; pass < 2; pass++)
			for (a = st.ifa; a != NULL; a = a->ifa_next)
				if (setup_net_is(a, AF_INET, names[i]) && setup_net_secondary(&st, a, names[i]) == pass)
					setup_net_addr4(&st, a, names[i], pass);
		for (a = st.ifa; a != NULL; a = a->ifa_next)
			if (setup_net_is(a, AF_INET6, names[i]))
				setup_net_addr6(&st, a, names[i]);
	}
	if (st.ifa != NULL)
		freeifaddrs(st.ifa);
	value_map_set(facts, "interfaces", st.ifaces);
	value_map_set(facts, "default_ipv4", st.def4);
	value_map_set(facts, "default_ipv6", st.def6);
	value_map_set(facts, "all_ipv4_addresses", st.all4);
	value_map_set(facts, "all_ipv6_addresses", st.all6);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
