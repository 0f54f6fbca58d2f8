/* Text parsers for the setup module's facts (see facts.h); pure functions
 * of their input, so the unit tests run them on fixtures. */
#include "modules/facts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

/* Lines of hostile or huge files are cut, never grown without bound. */
#define FACTS_LINE_MAX 4096

/* Copies the next line of *sp (without its newline) into line, cut at
 * FACTS_LINE_MAX bytes; advances *sp. Returns 0 at the end of the text. */
static int facts_next_line(const char **sp, char *line)
{
	const char *s = *sp, *nl;
	size_t n;

	if (*s == '\0')
		return 0;
	nl = strchr(s, '\n');
	n = nl != NULL ? (size_t)(nl - s) : strlen(s);
	*sp = nl != NULL ? nl + 1 : s + n;
	if (n >= FACTS_LINE_MAX)
		n = FACTS_LINE_MAX - 1;
	memcpy(line, s, n);
	line[n] = '\0';
	return 1;
}

static char *facts_strip(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

struct value *facts_os_release(const char *text)
{
	struct value *m = value_map();
	char *line = xmalloc(FACTS_LINE_MAX), *eq, *v;
	struct buf b;

	buf_init(&b, FACTS_LINE_MAX);
	while (facts_next_line(&text, line)) {
		char *k = facts_strip(line);
		char q = 0;

		if (*k == '#' || (eq = strchr(k, '=')) == NULL)
			continue;
		*eq = '\0';
		buf_reset(&b);
		for (v = eq + 1; *v != '\0'; v++) {
			if (q == 0 && (*v == '"' || *v == '\''))
				q = *v;
			else if (q != 0 && *v == q)
				q = 0;
			else if (q != '\'' && *v == '\\' && v[1] != '\0')
				buf_putc(&b, *++v);
			else
				buf_putc(&b, *v);
		}
		value_map_set(m, k, value_str(buf_str(&b)));
	}
	buf_fini(&b);
	free(line);
	return m;
}

/* os-release ID to Ansible's distribution name, file variety and family. */
static const struct {
	const char *id, *name, *variety, *path, *family;
} facts_dists[] = {
	{"debian", "Debian", "Debian", "/etc/os-release", "Debian"},
	{"ubuntu", "Ubuntu", "Debian", "/etc/os-release", "Debian"},
	{"linuxmint", "Linux Mint", "Debian", "/etc/os-release", "Debian"},
	{"raspbian", "Debian", "Debian", "/etc/os-release", "Debian"},
	{"devuan", "Devuan", "Debian", "/etc/os-release", "Debian"},
	{"kali", "Kali", "Debian", "/etc/os-release", "Debian"},
	{"pop", "Pop!_OS", "Debian", "/etc/os-release", "Debian"},
	{"rhel", "RedHat", "RedHat", "/etc/redhat-release", "RedHat"},
	{"centos", "CentOS", "RedHat", "/etc/redhat-release", "RedHat"},
	{"fedora", "Fedora", "RedHat", "/etc/redhat-release", "RedHat"},
	{"rocky", "Rocky", "RedHat", "/etc/redhat-release", "RedHat"},
	{"almalinux", "AlmaLinux", "RedHat", "/etc/redhat-release", "RedHat"},
	{"ol", "OracleLinux", "RedHat", "/etc/oracle-release", "RedHat"},
	{"amzn", "Amazon", "Amazon", "/etc/os-release", "RedHat"},
	{"alpine", "Alpine", "Alpine", "/etc/alpine-release", "Alpine"},
	{"arch", "Archlinux", "Archlinux", "/etc/arch-release", "Archlinux"},
	{"gentoo", "Gentoo", "Gentoo", "/etc/gentoo-release", "Gentoo"},
	{"sles", "SLES", "SUSE", "/etc/os-release", "Suse"},
	{"opensuse-leap", "openSUSE Leap", "SUSE", "/etc/os-release", "Suse"},
	{"opensuse-tumbleweed", "openSUSE Tumbleweed", "SUSE", "/etc/os-release", "Suse"},
};

void facts_distribution(struct value *out, const struct value *osr, const char *debian_version)
{
	const char *id = value_get_str(osr, "ID", ""), *ver = value_get_str(osr, "VERSION_ID", "NA");
	const char *rel = value_get_str(osr, "VERSION_CODENAME", NULL), *dot;
	char *name = NULL, *dv = NULL;
	size_t i;
	int found = -1;

	for (i = 0; i < sizeof(facts_dists) / sizeof(facts_dists[0]); i++)
		if (strcmp(facts_dists[i].id, id) == 0)
			found = (int)i;
	if (found >= 0) {
		name = xstrdup(facts_dists[found].name);
	} else if (*id != '\0') {
		/* distro.id().capitalize() */
		name = xstrdup(id);
		name[0] = (char)toupper((unsigned char)name[0]);
		for (i = 1; name[i] != '\0'; i++)
			name[i] = (char)tolower((unsigned char)name[i]);
	} else {
		name = xstrdup("NA");
	}
	/* Debian's point release lives in /etc/debian_version, not os-release. */
	if (strcmp(id, "debian") == 0 && debian_version != NULL) {
		dv = xstrdup(debian_version);
		dv[strcspn(dv, "\n")] = '\0';
		if (isdigit((unsigned char)dv[0]))
			ver = dv;
	}
	if (rel == NULL)
		rel = value_get_str(osr, "UBUNTU_CODENAME", "NA");
	value_map_set(out, "distribution", value_str(name));
	value_map_set(out, "distribution_version", value_str(ver));
	value_map_set(out, "distribution_major_version", value_strn(ver, strcspn(ver, ".")));
	if ((dot = strchr(ver, '.')) != NULL)
		value_map_set(out, "distribution_minor_version", value_strn(dot + 1, strcspn(dot + 1, ".")));
	value_map_set(out, "distribution_release", value_str(rel));
	if (found >= 0) {
		value_map_set(out, "distribution_file_path", value_str(facts_dists[found].path));
		value_map_set(out, "distribution_file_variety", value_str(facts_dists[found].variety));
		value_map_set(out, "distribution_file_parsed", value_bool(1));
		value_map_set(out, "os_family", value_str(facts_dists[found].family));
	} else {
		value_map_set(out, "os_family", value_str(name));
	}
	free(dv);
	free(name);
}

static unsigned long facts_hex(const char *s)
{
	return strtoul(s, NULL, 16);
}

int facts_route4_default(const char *text, char *iface, size_t ifsz, char *gw, size_t gwsz)
{
	char *line = xmalloc(FACTS_LINE_MAX);
	char f_if[64], f_dst[16], f_gw[16], f_flags[16], f_mask[16];
	struct in_addr a;
	int r = -1;

	while (facts_next_line(&text, line)) {
		if (sscanf(line, "%63s %15s %15s %15s %*s %*s %*s %15s", f_if, f_dst, f_gw, f_flags, f_mask) != 5)
			continue;
		/* RTF_UP; the header line fails the hex test below. */
		if (strcmp(f_dst, "00000000") != 0 || strcmp(f_mask, "00000000") != 0 || !(facts_hex(f_flags) & 1))
			continue;
		a.s_addr = (in_addr_t)facts_hex(f_gw);
		snprintf(iface, ifsz, "%s", f_if);
		if (inet_ntop(AF_INET, &a, gw, (socklen_t)gwsz) == NULL)
			continue;
		r = 0;
		break;
	}
	free(line);
	return r;
}

static int facts_hex128(const char *s, unsigned char *out)
{
	size_t i;
	unsigned v;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

int facts_route6_default(const char *text, char *iface, size_t ifsz, char *gw, size_t gwsz)
{
	char *line = xmalloc(FACTS_LINE_MAX);
	char f_dst[40], f_dlen[8], f_gw[40], f_flags[16], f_if[64];
	unsigned char g[16];
	int r = -1;

	while (facts_next_line(&text, line)) {
		if (sscanf(line, "%39s %7s %*s %*s %39s %*s %*s %*s %15s %63s", f_dst, f_dlen, f_gw, f_flags, f_if) != 5)
			continue;
		/* RTF_UP and not RTF_REJECT (0x0200: the unreachable default on lo). */
		if (strcmp(f_dst, "00000000000000000000000000000000") != 0 || strcmp(f_dlen, "00") != 0 ||
		    !(facts_hex(f_flags) & 1) || (facts_hex(f_flags) & 0x200) || strcmp(f_if, "lo") == 0)
			continue;
		if (facts_hex128(f_gw, g) != 0 || inet_ntop(AF_INET6, g, gw, (socklen_t)gwsz) == NULL)
			continue;
		snprintf(iface, ifsz, "%s", f_if);
		r = 0;
		break;
	}
	free(line);
	return r;
}

/* Python's dict of first-seen keys, for the socket and core tallies. */
struct facts_tally {
	char key[32][32];
	long val[32];
	size_t n;
};

static long *facts_tally_get(struct facts_tally *t, const char *key, int add)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->key[i], key) == 0)
			return &t->val[i];
	if (!add || t->n == sizeof(t->key) / sizeof(t->key[0]))
		return NULL;
	snprintf(t->key[t->n], sizeof(t->key[0]), "%s", key);
	t->val[t->n] = 1;
	return &t->val[t->n++];
}

/* Counts from cpuinfo, kept in a range where the products below cannot
 * overflow. */
static long facts_count(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v < 0 ? 0 : v > 65536 ? 65536 : v;
}

void facts_cpuinfo(struct value *out, const char *text, const char *arch, long nproc)
{
	static const char *const listed[] = {"model name", "Processor", "vendor_id", "cpu", "Vendor", "processor"};
	struct value *procs = value_list();
	struct facts_tally sockets, cores;
	char *line = xmalloc(FACTS_LINE_MAX), physid[32] = "0", coreid[32] = "0";
	long i = 0, vendor_n = 0, model_n = 0, proc_n = 0, count, ncores, tpc, *slot;
	size_t k;
	int have_cores = -1;

	memset(&sockets, 0, sizeof(sockets));
	memset(&cores, 0, sizeof(cores));
	while (facts_next_line(&text, line)) {
		char *colon = strchr(line, ':'), *key, *val;

		if (colon != NULL)
			*colon = '\0';
		key = facts_strip(line);
		val = colon != NULL ? facts_strip(colon + 1) : "";
		for (k = 0; k < sizeof(listed) / sizeof(listed[0]); k++)
			if (strcmp(key, listed[k]) == 0)
				break;
		if (k < sizeof(listed) / sizeof(listed[0])) {
			if (value_len(procs) < 4096)
				value_list_push(procs, value_str(val));
			vendor_n += strcmp(key, "vendor_id") == 0;
			model_n += strcmp(key, "model name") == 0;
			proc_n += strcmp(key, "processor") == 0;
			i++;
		} else if (strcmp(key, "physical id") == 0) {
			snprintf(physid, sizeof(physid), "%s", val);
			facts_tally_get(&sockets, physid, 1);
		} else if (strcmp(key, "core id") == 0) {
			snprintf(coreid, sizeof(coreid), "%s", val);
			/* Ansible tests the socket table here, not the core table. */
			if (facts_tally_get(&sockets, coreid, 0) == NULL)
				facts_tally_get(&cores, coreid, 1);
		} else if (strcmp(key, "cpu cores") == 0) {
			if ((slot = facts_tally_get(&sockets, physid, 1)) != NULL)
				*slot = facts_count(val);
		} else if (strcmp(key, "siblings") == 0) {
			if ((slot = facts_tally_get(&cores, coreid, 1)) != NULL)
				*slot = facts_count(val);
		} else if (strcmp(key, "# processors") == 0) {
			have_cores = (int)facts_count(val);
		} else if (strcmp(key, "ncpus active") == 0) {
			i = facts_count(val);
		}
	}
	free(line);
	if (vendor_n > 0 && vendor_n == model_n)
		i = vendor_n;
	if (strncmp(arch, "armv", 4) == 0 || strncmp(arch, "aarch", 5) == 0 || strncmp(arch, "ppc", 3) == 0)
		i = proc_n;
	value_map_set(out, "processor", procs);
	if (strcmp(arch, "s390x") == 0) {
		if (have_cores >= 0)
			value_map_set(out, "processor_cores", value_int(have_cores));
		return;
	}
	count = sockets.n > 0 ? (long)sockets.n : i;
	ncores = sockets.n > 0 && sockets.val[0] != 0 ? sockets.val[0] : 1;
	tpc = cores.n > 0 ? cores.val[0] / ncores : 1 / ncores;
	value_map_set(out, "processor_count", value_int(count));
	value_map_set(out, "processor_cores", value_int(ncores));
	value_map_set(out, "processor_threads_per_core", value_int(tpc));
	value_map_set(out, "processor_vcpus", value_int(tpc * count * ncores));
	value_map_set(out, "processor_nproc", value_int(nproc >= 0 ? nproc : proc_n));
}

/* Undoes the kernel's \ooo escapes of spaces, tabs, newlines and
 * backslashes in /proc/mounts fields. */
static struct value *facts_unoctal(const char *s)
{
	struct buf b;
	struct value *v;

	buf_init(&b, FACTS_LINE_MAX);
	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0' &&
		    s[3] <= '7') {
			buf_putc(&b, (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0')));
			s += 3;
		} else {
			buf_putc(&b, *s);
		}
	}
	v = value_str(buf_str(&b));
	buf_fini(&b);
	return v;
}

struct value *facts_mounts(const char *text)
{
	struct value *list = value_list(), *m;
	char *line = xmalloc(FACTS_LINE_MAX);
	char *f[4], *save = NULL, *p;
	int n;

	while (facts_next_line(&text, line) && value_len(list) < 65536) {
		for (n = 0, p = line; n < 4; n++, p = NULL)
			if ((f[n] = strtok_r(p, " \t", &save)) == NULL)
				break;
		/* Ansible keeps block devices and network shares only. */
		if (n < 4 || strcmp(f[2], "none") == 0 || (f[0][0] != '/' && f[0][0] != '\\' && strstr(f[0], ":/") == NULL))
			continue;
		m = value_map();
		value_map_set(m, "mount", facts_unoctal(f[1]));
		value_map_set(m, "device", facts_unoctal(f[0]));
		value_map_set(m, "fstype", value_str(f[2]));
		value_map_set(m, "options", value_str(f[3]));
		value_list_push(list, m);
	}
	free(line);
	return list;
}

struct value *facts_bind_mounts(const char *text)
{
	struct value *l = value_list();
	char *line = xmalloc(FACTS_LINE_MAX);
	char *f[5], *save = NULL, *p;
	int n;

	while (facts_next_line(&text, line) && value_len(l) < 65536) {
		for (n = 0, p = line; n < 5; n++, p = NULL)
			if ((f[n] = strtok_r(p, " \t", &save)) == NULL)
				break;
		/* findmnt shows "source[/root]" for a mount of a directory
		 * inside its file system, which Ansible takes for a bind mount. */
		if (n == 5 && strcmp(f[3], "/") != 0)
			value_list_push(l, facts_unoctal(f[4]));
	}
	free(line);
	return l;
}

void facts_meminfo(struct value *out, const char *text)
{
	static const char *const keys[] = {"MemTotal", "MemFree", "Buffers", "Cached", "SwapTotal", "SwapFree",
	                                   "SwapCached"};
	long long v[7] = {0};
	char *line = xmalloc(FACTS_LINE_MAX), *colon;
	struct value *mem, *sub;
	size_t k;

	while (facts_next_line(&text, line)) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		for (k = 0; k < 7; k++)
			if (strcmp(line, keys[k]) == 0)
				v[k] = strtoll(colon + 1, NULL, 10);
	}
	free(line);
	for (k = 0; k < 7; k++)
		v[k] /= 1024;
	value_map_set(out, "memtotal_mb", value_int(v[0]));
	value_map_set(out, "memfree_mb", value_int(v[1]));
	value_map_set(out, "swaptotal_mb", value_int(v[4]));
	value_map_set(out, "swapfree_mb", value_int(v[5]));
	mem = value_map();
	sub = value_map();
	value_map_set(sub, "total", value_int(v[0]));
	value_map_set(sub, "used", value_int(v[0] - v[1]));
	value_map_set(sub, "free", value_int(v[1]));
	value_map_set(mem, "real", sub);
	sub = value_map();
	value_map_set(sub, "free", value_int(v[1] + v[2] + v[3]));
	value_map_set(sub, "used", value_int(v[0] - (v[1] + v[2] + v[3])));
	value_map_set(mem, "nocache", sub);
	sub = value_map();
	value_map_set(sub, "total", value_int(v[4]));
	value_map_set(sub, "free", value_int(v[5]));
	value_map_set(sub, "used", value_int(v[4] - v[5]));
	value_map_set(sub, "cached", value_int(v[6]));
	value_map_set(mem, "swap", sub);
	value_map_set(out, "memory_mb", mem);
}

struct value *facts_resolv(const char *text)
{
	struct value *dns = value_map(), *l, *opts;
	char *line = xmalloc(FACTS_LINE_MAX), *tok[64], *save = NULL, *p, *colon;
	size_t n, i;

	while (facts_next_line(&text, line)) {
		if (line[0] == '#' || line[0] == ';')
			continue;
		for (n = 0, p = line; n < 64; n++, p = NULL)
			if ((tok[n] = strtok_r(p, " \t\r\v\f", &save)) == NULL)
				break;
		if (n == 0)
			continue;
		if (strcmp(tok[0], "nameserver") == 0) {
			if ((l = value_map_get(dns, "nameservers")) == NULL) {
				l = value_list();
				value_map_set(dns, "nameservers", l);
			}
			for (i = 1; i < n; i++)
				value_list_push(l, value_str(tok[i]));
		} else if (strcmp(tok[0], "domain") == 0) {
			if (n > 1)
				value_map_set(dns, "domain", value_str(tok[1]));
		} else if (strcmp(tok[0], "search") == 0 || strcmp(tok[0], "sortlist") == 0) {
			l = value_list();
			for (i = 1; i < n; i++)
				value_list_push(l, value_str(tok[i]));
			value_map_set(dns, tok[0], l);
		} else if (strcmp(tok[0], "options") == 0) {
			opts = value_map();
			for (i = 1; i < n; i++) {
				if ((colon = strchr(tok[i], ':')) != NULL && colon[1] != '\0') {
					*colon = '\0';
					value_map_set(opts, tok[i], value_str(colon + 1));
				} else {
					if (colon != NULL)
						*colon = '\0';
					value_map_set(opts, tok[i], value_bool(1));
				}
			}
			value_map_set(dns, "options", opts);
		}
	}
	free(line);
	return dns;
}

struct value *facts_cmdline(const char *text, int dup)
{
	struct value *m = value_map(), *old, *l;
	const char *s = text, *start;
	char q, *piece, *e;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '\0')
			break;
		start = s;
		q = 0;
		/* shlex in non-POSIX mode: quotes group words and stay in them. */
		while (*s != '\0' && (q != 0 || !isspace((unsigned char)*s))) {
			if (q == 0 && (*s == '"' || *s == '\''))
				q = *s;
			else if (q != 0 && *s == q)
				q = 0;
			s++;
		}
		if (q != 0) /* an unclosed quote: shlex raises and Ansible keeps what it had */
			break;
		piece = xstrndup(start, (size_t)(s - start));
		if ((e = strchr(piece, '=')) == NULL) {
			value_map_set(m, piece, value_bool(1));
		} else {
			*e = '\0';
			old = value_map_get(m, piece);
			if (dup && old != NULL && old->type == VALUE_LIST) {
				value_list_push(old, value_str(e + 1));
			} else if (dup && old != NULL) {
				l = value_list();
				value_list_push(l, value_ref(old));
				value_list_push(l, value_str(e + 1));
				value_map_set(m, piece, l);
			} else {
				value_map_set(m, piece, value_str(e + 1));
			}
		}
		free(piece);
		if (value_len(m) > 4096)
			break;
	}
	return m;
}

void facts_netmask4(unsigned prefix, char *out)
{
	uint32_t m = prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~((1u << (32 - prefix)) - 1);

	snprintf(out, 16, "%u.%u.%u.%u", m >> 24, (m >> 16) & 255, (m >> 8) & 255, m & 255);
}
