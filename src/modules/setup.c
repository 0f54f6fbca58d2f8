/* setup, as Ansible 2.14's on Linux: the facts of its collectors gathered
 * natively in one pass (files under /proc, /sys and /etc, a few system
 * calls; the only processes run are the helpers Ansible runs when they
 * exist (capsh, lspci, lsb_release but for Debian's shell script, which is
 * answered here; as root vgs, lvs, pvs and dmsetup) and fact scripts in
 * fact_path), selected by gather_subset and filter, returned
 * under "ansible_facts" with the ansible_ prefix. What Ansible's Python
 * runtime reports about itself (python, python_version,
 * selinux_python_present) is not gathered:
 * tests/setup/EXPECTED_DIFFERENCES.md lists every difference. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <netdb.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/xmalloc.h"
#include "data/json.h"
#include "modules/facts.h"
#include "modules/fileutil.h"
#include "modules/module.h"
#include "modules/setup.h"

extern char **environ;

/* Files read for facts are small; anything larger is not a fact file. */
#define SETUP_FILE_MAX ((size_t)1 << 20)

static const struct module_argspec setup_spec[] = {
	{"gather_subset", MODULE_ARG_LIST, "all", NULL, NULL, 0},
	{"gather_timeout", MODULE_ARG_INT, "10", NULL, NULL, 0},
	{"filter", MODULE_ARG_LIST, "", NULL, NULL, 0},
	{"fact_path", MODULE_ARG_PATH, "/etc/ansible/facts.d", NULL, NULL, 0},
};

#define SETUP_NSPEC (sizeof(setup_spec) / sizeof(setup_spec[0]))

char *setup_file(const char *path)
{
	struct buf b;
	char *s;
	size_t n, lead;

	if (fileutil_read(path, SETUP_FILE_MAX, &b) != 0) {
		buf_fini(&b);
		return NULL;
	}
	s = buf_take(&b, &n);
	buf_fini(&b);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	for (lead = 0; lead < n && isspace((unsigned char)s[lead]); lead++)
		;
	memmove(s, s + lead, n - lead + 1);
	/* get_file_content: an empty file reads as none at all. */
	if (n == lead) {
		free(s);
		return NULL;
	}
	return s;
}

/* The first /etc/hosts line naming name (pass 0: its address) or having
 * address addr (pass 1: the first of its names with a dot, else its
 * canonical name). Returns a heap string or NULL. */
static char *setup_hosts_find(const char *text, const char *name, const char *addr)
{
	char *copy = xstrdup(text), *line, *save = NULL, *wsave, *first, *canon, *w, *res = NULL;

	for (line = strtok_r(copy, "\n", &save); line != NULL && res == NULL; line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "#")] = '\0';
		if ((first = strtok_r(line, " \t", &wsave)) == NULL || (canon = strtok_r(NULL, " \t", &wsave)) == NULL)
			continue;
		if (addr == NULL) {
			for (w = canon; w != NULL && strcmp(w, name) != 0; w = strtok_r(NULL, " \t", &wsave))
				;
			if (w != NULL)
				res = xstrdup(first);
		} else if (strcmp(first, addr) == 0) {
			for (w = canon; w != NULL && strchr(w, '.') == NULL; w = strtok_r(NULL, " \t", &wsave))
				;
			res = xstrdup(w != NULL ? w : canon);
		}
	}
	free(copy);
	return res;
}

char *setup_fqdn(const char *name)
{
	char *text = setup_file("/etc/hosts"), *addr = NULL, *res = NULL;
	struct addrinfo hints, *ai = NULL;

	if (text != NULL && (addr = setup_hosts_find(text, name, NULL)) != NULL)
		res = setup_hosts_find(text, name, addr);
	free(addr);
	free(text);
	if (res != NULL)
		return res;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	if (getaddrinfo(name, NULL, &hints, &ai) == 0 && ai != NULL && ai->ai_canonname != NULL)
		res = xstrdup(ai->ai_canonname);
	if (ai != NULL)
		freeaddrinfo(ai);
	return res != NULL ? res : xstrdup(name);
}

static void setup_platform(struct setup_run *s)
{
	struct value *f = s->facts;
	struct utsname u;
	char *fqdn, *id, bits[8];
	const char *dot;

	if (uname(&u) != 0)
		return;
	value_map_set(f, "system", value_str(u.sysname));
	value_map_set(f, "kernel", value_str(u.release));
	value_map_set(f, "kernel_version", value_str(u.version));
	value_map_set(f, "machine", value_str(u.machine));
	fqdn = setup_fqdn(u.nodename);
	value_map_set(f, "fqdn", value_str(fqdn));
	value_map_set(f, "hostname", value_strn(u.nodename, strcspn(u.nodename, ".")));
	value_map_set(f, "nodename", value_str(u.nodename));
	dot = strchr(fqdn, '.');
	value_map_set(f, "domain", value_str(dot != NULL ? dot + 1 : ""));
	free(fqdn);
	snprintf(bits, sizeof(bits), "%zu", sizeof(void *) * 8);
	value_map_set(f, "userspace_bits", value_str(bits));
	if (strcmp(u.machine, "x86_64") == 0) {
		value_map_set(f, "architecture", value_str(u.machine));
		value_map_set(f, "userspace_architecture", value_str(sizeof(void *) == 8 ? "x86_64" : "i386"));
	} else if (u.machine[0] == 'i' && u.machine[1] != '\0' && strcmp(u.machine + 2, "86") == 0) {
		value_map_set(f, "architecture", value_str("i386"));
		value_map_set(f, "userspace_architecture", value_str(sizeof(void *) == 8 ? "x86_64" : "i386"));
	} else {
		value_map_set(f, "architecture", value_str(u.machine));
	}
	if ((id = setup_file("/var/lib/dbus/machine-id")) == NULL || *id == '\0') {
		free(id);
		id = setup_file("/etc/machine-id");
	}
	if (id != NULL && *id != '\0')
		value_map_set(f, "machine_id", value_strn(id, strcspn(id, "\n")));
	free(id);
}

static void setup_distribution(struct setup_run *s)
{
	char *osr = setup_file("/etc/os-release"), *dv = setup_file("/etc/debian_version");
	struct value *m;

	if (osr == NULL)
		osr = setup_file("/usr/lib/os-release");
	m = facts_os_release(osr != NULL ? osr : "");
	facts_distribution(s->facts, m, dv);
	value_unref(m);
	free(osr);
	free(dv);
}

static void setup_lsb_strip(struct value *lsb)
{
	size_t i, n;
	const char *v;

	for (i = 0; i < value_len(lsb); i++) {
		v = value_cstr(value_map_val_at(lsb, i));
		while (*v != '\0' && strchr("'\"\\", *v) != NULL)
			v++;
		n = strlen(v);
		while (n > 0 && strchr("'\"\\", v[n - 1]) != NULL)
			n--;
		value_map_set(lsb, value_cstr(value_map_key_at(lsb, i)), value_strn(v, n));
	}
}

static const char *setup_getenv(const struct setup_run *s, const char *name);

/* The shell's "${VAR:-n/a}". */
static struct value *setup_or_na(const struct value *m, const char *key)
{
	const char *v = value_get_str(m, key, "");

	return value_str(*v != '\0' ? v : "n/a");
}

/* Debian's lsb-release-minimal is a shell script that prints os-release
 * fields, at the cost of a dozen processes: when lsb_release is that
 * script, its answer is computed here from the same file. Returns 0 when
 * lsb was filled so. */
static int setup_lsb_minimal(struct setup_run *s, const char *bin, struct value *lsb)
{
	char *script = setup_file(bin), *text = NULL;
	const char *osr = NULL, *alt = setup_getenv(s, "LSB_OS_RELEASE"), *name;
	struct value *m;
	char *id;

	if (script == NULL || strncmp(script, "#!/bin/sh", 9) != 0 || strstr(script, ". \"$os_release\"") == NULL ||
	    strstr(script, "display_line \"Distributor ID\" \"${ID:-n/a}\"") == NULL) {
		free(script);
		return -1;
	}
	free(script);
	if (access("/usr/lib/os-release", F_OK) == 0)
		osr = "/usr/lib/os-release";
	if (access("/etc/os-release", F_OK) == 0)
		osr = "/etc/os-release";
	if (alt != NULL && access(alt, F_OK) == 0)
		osr = alt;
	if (osr != NULL)
		text = setup_file(osr);
	m = facts_os_release(text != NULL ? text : "");
	free(text);
	id = xstrdup(value_get_str(m, "ID", ""));
	id[0] = (char)toupper((unsigned char)id[0]);
	if ((name = value_get_str(m, "NAME", NULL)) != NULL && strcasecmp(name, id) == 0) {
		free(id);
		id = xstrdup(name);
	}
	value_map_set(lsb, "id", value_str(*id != '\0' ? id : "n/a"));
	free(id);
	value_map_set(lsb, "description", setup_or_na(m, "PRETTY_NAME"));
	value_map_set(lsb, "release", setup_or_na(m, "VERSION_ID"));
	value_map_set(lsb, "codename", setup_or_na(m, "VERSION_CODENAME"));
	value_unref(m);
	return 0;
}

static void setup_lsb(struct setup_run *s)
{
	static const struct {
		const char *label, *key;
	} bin_keys[] = {{"LSB Version:", "release"}, {"Distributor ID:", "id"}, {"Description:", "description"},
	                {"Release:", "release"}, {"Codename:", "codename"}};
	static const struct {
		const char *label, *key;
	} file_keys[] = {{"DISTRIB_ID", "id"}, {"DISTRIB_RELEASE", "release"}, {"DISTRIB_DESCRIPTION", "description"},
	                 {"DISTRIB_CODENAME", "codename"}};
	struct value *lsb = value_map();
	char *bin = fileutil_bin_path(s->ctx, "lsb_release"), *argv[3], *text = NULL, *line, *save = NULL, *sep;
	const char *rel;
	struct buf out, err;
	size_t k;
	int rc;

	if (bin != NULL && setup_lsb_minimal(s, bin, lsb) == 0) {
		free(bin);
	} else if (bin != NULL) {
		argv[0] = bin;
		argv[1] = "-a";
		argv[2] = NULL;
		if (fileutil_run(s->ctx, argv, &rc, &out, &err) == 0 && rc == 0)
			text = xstrdup(buf_str(&out));
		buf_fini(&out);
		buf_fini(&err);
		for (line = text != NULL ? strtok_r(text, "\n", &save) : NULL; line != NULL;
		     line = strtok_r(NULL, "\n", &save)) {
			if ((sep = strchr(line, ':')) == NULL)
				continue;
			for (k = 0; k < sizeof(bin_keys) / sizeof(bin_keys[0]); k++)
				if (strstr(line, bin_keys[k].label) != NULL) {
					char *v = sep + 1;
					size_t n;

					while (isspace((unsigned char)*v))
						v++;
					n = strlen(v);
					while (n > 0 && isspace((unsigned char)v[n - 1]))
						n--;
					value_map_set(lsb, bin_keys[k].key, value_strn(v, n));
					break;
				}
		}
		free(text);
		text = NULL;
		free(bin);
	}
	if (value_len(lsb) == 0 && (text = setup_file("/etc/lsb-release")) != NULL) {
		for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
			if ((sep = strchr(line, '=')) == NULL)
				continue;
			for (k = 0; k < sizeof(file_keys) / sizeof(file_keys[0]); k++)
				if (strstr(line, file_keys[k].label) != NULL) {
					char *v = sep + 1;
					size_t n;

					while (isspace((unsigned char)*v))
						v++;
					n = strlen(v);
					while (n > 0 && isspace((unsigned char)v[n - 1]))
						n--;
					value_map_set(lsb, file_keys[k].key, value_strn(v, n));
					break;
				}
		}
		free(text);
	}
	if ((rel = value_get_str(lsb, "release", NULL)) != NULL)
		value_map_set(lsb, "major_release", value_strn(rel, strcspn(rel, ".")));
	setup_lsb_strip(lsb);
	value_map_set(s->facts, "lsb", lsb);
}

static void setup_selinux(struct setup_run *s)
{
	struct value *m = value_map();
	char *enf = setup_file("/sys/fs/selinux/enforce"), *pv, *cfg, *line, *save = NULL;

	if (enf == NULL) {
		value_map_set(m, "status", value_str("disabled"));
	} else {
		value_map_set(m, "status", value_str("enabled"));
		pv = setup_file("/sys/fs/selinux/policyvers");
		if (pv != NULL)
			value_map_set(m, "policyvers", value_int(strtoll(pv, NULL, 10)));
		else
			value_map_set(m, "policyvers", value_str("unknown"));
		free(pv);
		value_map_set(m, "config_mode", value_str("unknown"));
		value_map_set(m, "type", value_str("unknown"));
		if ((cfg = setup_file("/etc/selinux/config")) != NULL) {
			for (line = strtok_r(cfg, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
				if (strncmp(line, "SELINUX=", 8) == 0)
					value_map_set(m, "config_mode", value_str(line + 8));
				else if (strncmp(line, "SELINUXTYPE=", 12) == 0)
					value_map_set(m, "type", value_str(line + 12));
			}
			free(cfg);
		}
		value_map_set(m, "mode", value_str(strcmp(enf, "1") == 0 ? "enforcing" : "permissive"));
	}
	free(enf);
	value_map_set(s->facts, "selinux", m);
}

static void setup_apparmor(struct setup_run *s)
{
	struct value *m = value_map();

	value_map_set(m, "status", value_str(access("/sys/kernel/security/apparmor", F_OK) == 0 ? "enabled" : "disabled"));
	value_map_set(s->facts, "apparmor", m);
}

static void setup_chroot(struct setup_run *s)
{
	struct stat me, init;
	int chroot = 0;
	const char *e = getenv("debian_chroot");

	if (e != NULL && *e != '\0')
		chroot = 1;
	else if (stat("/", &me) != 0)
		chroot = 0;
	else if (stat("/proc/1/root/.", &init) == 0)
		chroot = me.st_ino != init.st_ino || me.st_dev != init.st_dev;
	else {
		/* Without /proc/1/root, the root directory's inode number tells:
		 * 2 on ext*, 256 on btrfs, 128 on xfs. */
		char *mounts = setup_file("/proc/self/mounts");
		ino_t root = 2;

		if (mounts != NULL) {
			char *p = strstr(mounts, " / ");

			if (p != NULL && strncmp(p + 3, "btrfs ", 6) == 0)
				root = 256;
			else if (p != NULL && strncmp(p + 3, "xfs ", 4) == 0)
				root = 128;
			free(mounts);
		}
		chroot = me.st_ino != root;
	}
	value_map_set(s->facts, "is_chroot", value_bool(chroot));
}

static void setup_fips(struct setup_run *s)
{
	char *f = setup_file("/proc/sys/crypto/fips_enabled");

	value_map_set(s->facts, "fips", value_bool(f != NULL && strcmp(f, "1") == 0));
	free(f);
}

/* capsh --print's "Current:" line, as Ansible reads it. */
static void setup_caps(struct setup_run *s)
{
	char *bin = fileutil_bin_path(s->ctx, "capsh"), *argv[3], *text, *line, *save = NULL, *seg, *end, *eq, *item;
	struct value *caps = NULL;
	const char *enforced = "N/A";
	struct buf out, err;
	size_t n;
	int rc;

	if (bin != NULL) {
		argv[0] = bin;
		argv[1] = "--print";
		argv[2] = NULL;
		if (fileutil_run(s->ctx, argv, &rc, &out, &err) == 0 && rc == 0) {
			enforced = "NA";
			caps = value_list();
			text = xstrdup(buf_str(&out));
			for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
				if (strncmp(line, "Current:", 8) != 0)
					continue;
				seg = line + 8;
				end = seg + strcspn(seg, ":");
				while (seg < end && isspace((unsigned char)*seg))
					seg++;
				while (end > seg && isspace((unsigned char)end[-1]))
					end--;
				if ((size_t)(end - seg) == 3 && strncmp(seg, "=ep", 3) == 0) {
					enforced = "False";
					continue;
				}
				enforced = "True";
				value_unref(caps);
				caps = value_list();
				eq = strchr(line, '=');
				for (item = eq != NULL ? eq + 1 : NULL; item != NULL; item = item[n] == ',' ? item + n + 1 : NULL) {
					n = strcspn(item, ",=");
					seg = item;
					end = item + n;
					while (seg < end && isspace((unsigned char)*seg))
						seg++;
					while (end > seg && isspace((unsigned char)end[-1]))
						end--;
					value_list_push(caps, value_strn(seg, (size_t)(end - seg)));
				}
			}
			free(text);
		}
		buf_fini(&out);
		buf_fini(&err);
		free(bin);
	}
	value_map_set(s->facts, "system_capabilities_enforced", value_str(enforced));
	value_map_set(s->facts, "system_capabilities", caps != NULL ? caps : value_str("N/A"));
}

static void setup_pkg_mgr(struct setup_run *s)
{
	static const struct {
		const char *path, *name;
	} mgrs[] = {
		{"/usr/bin/rpm-ostree", "atomic_container"}, {"/usr/bin/yum", "yum"}, {"/usr/bin/dnf", "dnf"},
		{"/usr/bin/apt-get", "apt"}, {"/usr/bin/zypper", "zypper"}, {"/usr/sbin/urpmi", "urpmi"},
		{"/usr/bin/pacman", "pacman"}, {"/bin/opkg", "opkg"}, {"/usr/pkg/bin/pkgin", "pkgin"},
		{"/opt/local/bin/pkgin", "pkgin"}, {"/opt/tools/bin/pkgin", "pkgin"}, {"/opt/local/bin/port", "macports"},
		{"/usr/local/bin/brew", "homebrew"}, {"/opt/homebrew/bin/brew", "homebrew"}, {"/sbin/apk", "apk"},
		{"/usr/sbin/pkg", "pkgng"}, {"/usr/sbin/swlist", "swdepot"}, {"/usr/bin/emerge", "portage"},
		{"/usr/sbin/pkgadd", "svr4pkg"}, {"/usr/bin/pkg", "pkg5"}, {"/usr/bin/xbps-install", "xbps"},
		{"/usr/local/sbin/pkg", "pkgng"}, {"/usr/bin/swupd", "swupd"}, {"/usr/sbin/sorcery", "sorcery"},
		{"/usr/bin/installp", "installp"}, {"/QOpenSys/pkgs/bin/yum", "yum"},
	};
	const char *family = value_get_str(s->facts, "os_family", ""), *name = "unknown";
	size_t i;

	/* The last one present wins, as in Ansible's loop. */
	for (i = 0; i < sizeof(mgrs) / sizeof(mgrs[0]); i++)
		if (access(mgrs[i].path, F_OK) == 0)
			name = mgrs[i].name;
	if (strcmp(family, "RedHat") == 0) {
		const char *dist = value_get_str(s->facts, "distribution", "");
		long major = strtol(value_get_str(s->facts, "distribution_major_version", "0"), NULL, 10);
		int dnf = access("/usr/bin/dnf", F_OK) == 0, yum = access("/usr/bin/yum", F_OK) == 0;

		if (strcmp(dist, "Fedora") == 0)
			name = major < 23 ? (yum ? "yum" : "dnf") : "dnf";
		else if (strcmp(dist, "Amazon") == 0)
			name = major < 2022 ? "yum" : "dnf";
		else
			name = major < 8 ? (yum || !dnf ? "yum" : "dnf") : "dnf";
	} else if (strcmp(family, "Debian") == 0) {
		name = "apt";
	} else if (strcmp(family, "Altlinux") == 0 && strcmp(name, "apt") == 0) {
		name = "apt_rpm";
	}
	value_map_set(s->facts, "pkg_mgr", value_str(name));
}

static int setup_systemd_booted(void)
{
	return access("/run/systemd/system/", F_OK) == 0 || access("/dev/.run/systemd/", F_OK) == 0 ||
	       access("/dev/.systemd/", F_OK) == 0;
}

char *setup_service_mgr_name(const struct module_ctx *ctx, const char *distribution)
{
	static const struct {
		const char *comm, *name;
	} map[] = {{"procd", "openwrt_init"}, {"runit-init", "runit"}, {"svscan", "svc"}, {"openrc-init", "openrc"}};
	char *p1 = setup_file("/proc/1/comm"), link[PATH_MAX], *base, *bin = NULL, *res;
	const char *name = NULL;
	ssize_t n;
	size_t i, len;

	if (p1 == NULL && (n = readlink("/sbin/init", link, sizeof(link) - 1)) > 0) {
		link[n] = '\0';
		p1 = xstrdup(link);
	}
	if (p1 != NULL) {
		base = strrchr(p1, '/') != NULL ? strrchr(p1, '/') + 1 : p1;
		while (isspace((unsigned char)*base))
			base++;
		len = strlen(base);
		/* init and shells say nothing about the service manager. */
		if (*base != '\0' && strcmp(base, "init") != 0 && !(len >= 2 && strcmp(base + len - 2, "sh") == 0)) {
			name = base;
			for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
				if (strcmp(base, map[i].comm) == 0)
					name = map[i].name;
		}
	}
	if (name == NULL) {
		if (distribution != NULL && strcmp(distribution, "OpenWrt") == 0)
			name = "openwrt_init";
		else if (setup_systemd_booted())
			name = "systemd";
		else if (access("/etc/init/", F_OK) == 0 && (bin = fileutil_bin_path(ctx, "initctl")) != NULL)
			name = "upstart";
		else if (access("/sbin/openrc", F_OK) == 0)
			name = "openrc";
		else if ((n = readlink("/sbin/init", link, sizeof(link) - 1)) > 0 &&
		         (link[n] = '\0', strcmp(strrchr(link, '/') != NULL ? strrchr(link, '/') + 1 : link, "systemd") == 0))
			name = "systemd";
		else if (access("/etc/init.d/", F_OK) == 0)
			name = "sysvinit";
		else
			name = "service";
		free(bin);
	}
	res = xstrdup(name);
	free(p1);
	return res;
}

static void setup_service_mgr(struct setup_run *s)
{
	char *name = setup_service_mgr_name(s->ctx, value_get_str(s->facts, "distribution", ""));

	value_map_set(s->facts, "service_mgr", value_str(name));
	free(name);
}

static void setup_cmdline(struct setup_run *s)
{
	char *c = setup_file("/proc/cmdline");

	if (c != NULL && *c != '\0') {
		value_map_set(s->facts, "cmdline", facts_cmdline(c, 0));
		value_map_set(s->facts, "proc_cmdline", facts_cmdline(c, 1));
	}
	free(c);
}

static void setup_date_time(struct setup_run *s)
{
	static const char *const wdays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
	                                    "Saturday"};
	struct value *m = value_map();
	struct timeval tv;
	struct tm lt, ut;
	char b[64];
	long off;

	gettimeofday(&tv, NULL);
	tzset();
	localtime_r(&tv.tv_sec, &lt);
	gmtime_r(&tv.tv_sec, &ut);
	strftime(b, sizeof(b), "%Y", &lt);
	value_map_set(m, "year", value_str(b));
	strftime(b, sizeof(b), "%m", &lt);
	value_map_set(m, "month", value_str(b));
	value_map_set(m, "weekday", value_str(wdays[lt.tm_wday]));
	value_map_set(m, "weekday_number", value_strf("%d", lt.tm_wday));
	strftime(b, sizeof(b), "%W", &lt);
	value_map_set(m, "weeknumber", value_str(b));
	strftime(b, sizeof(b), "%d", &lt);
	value_map_set(m, "day", value_str(b));
	strftime(b, sizeof(b), "%H", &lt);
	value_map_set(m, "hour", value_str(b));
	strftime(b, sizeof(b), "%M", &lt);
	value_map_set(m, "minute", value_str(b));
	strftime(b, sizeof(b), "%S", &lt);
	value_map_set(m, "second", value_str(b));
	value_map_set(m, "epoch", value_strf("%lld", (long long)tv.tv_sec));
	value_map_set(m, "epoch_int", value_strf("%lld", (long long)tv.tv_sec));
	strftime(b, sizeof(b), "%Y-%m-%d", &lt);
	value_map_set(m, "date", value_str(b));
	strftime(b, sizeof(b), "%H:%M:%S", &lt);
	value_map_set(m, "time", value_str(b));
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%S", &ut);
	value_map_set(m, "iso8601_micro", value_strf("%s.%06ldZ", b, (long)tv.tv_usec));
	value_map_set(m, "iso8601", value_strf("%sZ", b));
	strftime(b, sizeof(b), "%Y%m%dT%H%M%S", &lt);
	value_map_set(m, "iso8601_basic", value_strf("%s%06ld", b, (long)tv.tv_usec));
	value_map_set(m, "iso8601_basic_short", value_str(b));
	strftime(b, sizeof(b), "%Z", &lt);
	value_map_set(m, "tz", value_str(b));
	/* A zone without daylight saving names its standard time twice in
	 * Python's time.tzname; musl leaves the second name empty. */
	value_map_set(m, "tz_dst", value_str(tzname[1] != NULL && *tzname[1] != '\0' ? tzname[1] : b));
	off = lt.tm_gmtoff;
	value_map_set(m, "tz_offset",
	              value_strf("%c%02ld%02ld", off < 0 ? '-' : '+', labs(off) / 3600, (labs(off) % 3600) / 60));
	value_map_set(s->facts, "date_time", m);
}

static void setup_env(struct setup_run *s)
{
	char *const *envp = s->ctx->envp != NULL ? s->ctx->envp : environ;
	struct value *m = value_map();
	const char *eq;
	char *k;
	size_t i;

	for (i = 0; envp != NULL && envp[i] != NULL; i++) {
		if ((eq = strchr(envp[i], '=')) == NULL)
			continue;
		k = xstrndup(envp[i], (size_t)(eq - envp[i]));
		value_map_set(m, k, value_str(eq + 1));
		free(k);
	}
	value_map_set(s->facts, "env", m);
}

static const char *setup_getenv(const struct setup_run *s, const char *name)
{
	char *const *envp = s->ctx->envp != NULL ? s->ctx->envp : environ;
	size_t i, n = strlen(name);

	for (i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

static void setup_loadavg(struct setup_run *s)
{
	struct value *m;
	double l[3];

	if (getloadavg(l, 3) != 3)
		return;
	m = value_map();
	value_map_set(m, "1m", value_float(l[0]));
	value_map_set(m, "5m", value_float(l[1]));
	value_map_set(m, "15m", value_float(l[2]));
	value_map_set(s->facts, "loadavg", m);
}

static void setup_ssh_keys(struct setup_run *s)
{
	static const char *const dirs[] = {"/etc/ssh", "/etc/openssh", "/etc"};
	static const char *const algos[] = {"dsa", "rsa", "ecdsa", "ed25519"};
	char path[PATH_MAX], name[64], *data;
	size_t d, a, n;
	const char *key;

	for (d = 0; d < 3; d++)
		for (a = 0; a < 4; a++) {
			snprintf(name, sizeof(name), "ssh_host_key_%s_public", algos[a]);
			/* A key already found in an earlier directory ends the search. */
			if (value_map_get(s->facts, name) != NULL)
				return;
			snprintf(path, sizeof(path), "%s/ssh_host_%s_key.pub", dirs[d], algos[a]);
			if ((data = setup_file(path)) == NULL)
				continue;
			n = strcspn(data, " \t\n");
			key = data + n + strspn(data + n, " \t\n");
			value_map_set(s->facts, name, value_strn(key, strcspn(key, " \t\n")));
			snprintf(name, sizeof(name), "ssh_host_key_%s_public_keytype", algos[a]);
			value_map_set(s->facts, name, value_strn(data, n));
			free(data);
		}
}

static void setup_user(struct setup_run *s)
{
	const char *names[] = {"LOGNAME", "USER", "LNAME", "USERNAME"}, *user = NULL;
	struct passwd *pw = NULL;
	size_t i;

	for (i = 0; i < 4 && user == NULL; i++)
		if ((user = setup_getenv(s, names[i])) != NULL && *user == '\0')
			user = NULL;
	if (user != NULL)
		pw = getpwnam(user);
	if (pw == NULL)
		pw = getpwuid(getuid());
	if (user == NULL)
		user = pw != NULL ? pw->pw_name : "";
	value_map_set(s->facts, "user_id", value_str(user));
	if (pw != NULL) {
		value_map_set(s->facts, "user_uid", value_int(pw->pw_uid));
		value_map_set(s->facts, "user_gid", value_int(pw->pw_gid));
		value_map_set(s->facts, "user_gecos", value_str(pw->pw_gecos != NULL ? pw->pw_gecos : ""));
		value_map_set(s->facts, "user_dir", value_str(pw->pw_dir));
		value_map_set(s->facts, "user_shell", value_str(pw->pw_shell));
	}
	value_map_set(s->facts, "real_user_id", value_int(getuid()));
	value_map_set(s->facts, "effective_user_id", value_int(geteuid()));
	value_map_set(s->facts, "real_group_id", value_int(getgid()));
	/* Ansible reports getgid() here too. */
	value_map_set(s->facts, "effective_group_id", value_int(getgid()));
}

/* One local fact file: JSON, else INI sections, else an error string. */
static struct value *setup_local_parse(struct setup_run *s, const char *path, const char *text)
{
	struct value *v = NULL, *sect = NULL;
	char *copy, *line, *save = NULL, *eq;
	struct diag d;
	int bad = 0;

	diag_init(&d);
	if (json_decode(text, strlen(text), path, &v, &d) == 0) {
		diag_fini(&d);
		return v;
	}
	diag_fini(&d);
	v = value_map();
	copy = xstrdup(text);
	for (line = strtok_r(copy, "\n", &save); line != NULL && !bad; line = strtok_r(NULL, "\n", &save)) {
		char *l = line, *e;

		while (isspace((unsigned char)*l))
			l++;
		e = l + strlen(l);
		while (e > l && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[' && e[-1] == ']') {
			char *name = xstrndup(l + 1, (size_t)(e - l - 2));

			if ((sect = value_map_get(v, name)) == NULL) {
				sect = value_map();
				value_map_set(v, name, sect);
			}
			free(name);
		} else if (sect != NULL && (eq = l + strcspn(l, "=:")) != NULL && *eq != '\0') {
			char *k = l, *val = eq + 1, *ke = eq, *p;

			while (ke > k && isspace((unsigned char)ke[-1]))
				ke--;
			*ke = '\0';
			for (p = k; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			while (isspace((unsigned char)*val))
				val++;
			value_map_set(sect, k, value_str(val));
		} else {
			bad = 1;
		}
	}
	free(copy);
	if (bad) {
		value_unref(v);
		v = value_strf("error loading facts as JSON or ini - please check content: %s", path);
		value_list_push(s->warnings, value_ref(v));
	}
	return v;
}

static int setup_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void setup_local(struct setup_run *s)
{
	struct value *local = value_map(), *fact;
	char **names = NULL, *path, *text, *argv[2], *base;
	size_t n = 0, cap = 0, i, len;
	struct dirent *e;
	struct stat st;
	struct buf out, err;
	DIR *d;
	int rc;

	if ((d = opendir(s->fact_path)) != NULL) {
		while ((e = readdir(d)) != NULL && n < 4096) {
			len = strlen(e->d_name);
			if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 5, ".fact") != 0)
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				names = xreallocarray(names, cap, sizeof(*names));
			}
			names[n++] = xstrdup(e->d_name);
		}
		closedir(d);
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), setup_strcmp);
	for (i = 0; i < n; i++) {
		path = fileutil_join(s->fact_path, names[i]);
		base = xstrndup(names[i], strlen(names[i]) - 5);
		fact = NULL;
		if (stat(path, &st) != 0) {
			fact = value_strf("Could not stat fact (%s): [Errno %d] %s: '%s'", path, errno, strerror(errno), path);
			value_list_push(s->warnings, value_ref(fact));
		} else if (st.st_mode & S_IXUSR) {
			argv[0] = path;
			argv[1] = NULL;
			if (fileutil_run(s->ctx, argv, &rc, &out, &err) != 0 || rc != 0) {
				fact = value_strf("Failure executing fact script (%s), rc: %d, err: %s", path, rc, buf_str(&err));
				value_list_push(s->warnings, value_ref(fact));
			} else {
				fact = setup_local_parse(s, path, buf_str(&out));
			}
			buf_fini(&out);
			buf_fini(&err);
		} else {
			text = setup_file(path);
			fact = setup_local_parse(s, path, text != NULL ? text : "");
			free(text);
		}
		value_map_set(local, base, fact);
		free(base);
		free(path);
		free(names[i]);
	}
	free(names);
	value_map_set(s->facts, "local", local);
}

static void setup_dns(struct setup_run *s)
{
	char *t = setup_file("/etc/resolv.conf");

	value_map_set(s->facts, "dns", facts_resolv(t != NULL ? t : ""));
	free(t);
}

/* The guest and host technologies of one virtualization check. */
struct setup_virt {
	struct value *guest, *host;
	const char *type, *role;
};

static void setup_virt_add(struct value *set, const char *tech)
{
	size_t i;

	for (i = 0; i < value_len(set); i++)
		if (strcmp(value_cstr(value_list_at(set, i)), tech) == 0)
			return;
	value_list_push(set, value_str(tech));
}

static void setup_virt_found(struct setup_virt *v, const char *tech, const char *role)
{
	setup_virt_add(strcmp(role, "host") == 0 ? v->host : v->guest, tech);
	if (v->type == NULL) {
		v->type = tech;
		v->role = role;
	}
}

static int setup_list_cmp(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

static struct value *setup_sorted(struct value *l)
{
	struct value **items = xcalloc(value_len(l) + 1, sizeof(*items)), *out = value_list();
	size_t i, n = value_len(l);

	for (i = 0; i < n; i++)
		items[i] = value_list_at(l, i);
	qsort(items, n, sizeof(*items), setup_list_cmp);
	for (i = 0; i < n; i++)
		value_list_push(out, value_ref(items[i]));
	free(items);
	value_unref(l);
	return out;
}

/* Ansible's Linux virtualization checks that need no helper program:
 * containers first, then DMI names, then the kvm module and /dev/kvm. */
static void setup_virtual(struct setup_run *s)
{
	static const struct {
		const char *needle, *tech;
	} dmi[] = {{"KVM", "kvm"},        {"Bochs", "kvm"},     {"OpenStack", "openstack"}, {"VMware", "VMware"},
	           {"VirtualBox", "virtualbox"}, {"RHEV", "RHEV"}, {"oVirt", "oVirt"},      {"HVM domU", "xen"},
	           {"Amazon EC2", "kvm"}};
	struct setup_virt v = {value_list(), value_list(), NULL, NULL};
	char *t, *c;
	size_t i;

	if ((t = setup_file("/proc/1/cgroup")) != NULL) {
		if (strstr(t, "/docker/") != NULL || strstr(t, "/docker-") != NULL)
			setup_virt_found(&v, "docker", "guest");
		if (strstr(t, "/lxc/") != NULL || strstr(t, "/machine.slice/machine-lxc") != NULL)
			setup_virt_found(&v, "lxc", "guest");
		if (strstr(t, "/system.slice/containerd.service") != NULL)
			setup_virt_found(&v, "containerd", "guest");
		free(t);
	}
	if ((t = setup_file("/proc/1/environ")) != NULL) {
		for (c = t; *c != '\0'; c += strlen(c) + 1) {
			if (strstr(c, "container=lxc") != NULL)
				setup_virt_found(&v, "lxc", "guest");
			if (strstr(c, "container=podman") != NULL)
				setup_virt_found(&v, "podman", "guest");
			if (strncmp(c, "container=", 10) == 0 && c[10] != '\0')
				setup_virt_found(&v, "container", "guest");
		}
		free(t);
	}
	if (access("/proc/vz", F_OK) == 0 && access("/proc/lve", F_OK) != 0)
		setup_virt_found(&v, "openvz", access("/proc/bc", F_OK) == 0 ? "host" : "guest");
	c = setup_file("/run/systemd/container");
	if (c != NULL && *c != '\0')
		setup_virt_found(&v, c, "guest");
	if (access("/.dockerenv", F_OK) == 0 || access("/.dockerinit", F_OK) == 0)
		setup_virt_found(&v, "docker", "guest");
	for (i = 0; i < value_len(v.guest); i++) {
		const char *g = value_cstr(value_list_at(v.guest, i));

		if (strcmp(g, "docker") == 0 || strcmp(g, "lxc") == 0 || strcmp(g, "podman") == 0 ||
		    strcmp(g, "openvz") == 0 || strcmp(g, "containerd") == 0 || (c != NULL && *c != '\0'))
			setup_virt_add(v.guest, "container");
	}
	if ((t = setup_file("/sys/devices/virtual/dmi/id/product_name")) != NULL) {
		for (i = 0; i < sizeof(dmi) / sizeof(dmi[0]); i++)
			if (strstr(t, dmi[i].needle) != NULL) {
				setup_virt_found(&v, dmi[i].tech, "guest");
				break;
			}
		free(t);
	}
	if ((t = setup_file("/proc/modules")) != NULL) {
		if (strncmp(t, "kvm ", 4) == 0 || strstr(t, "\nkvm ") != NULL)
			setup_virt_found(&v, "kvm", "host");
		free(t);
	}
	if (access("/dev/kvm", F_OK) == 0)
		setup_virt_found(&v, "kvm", "host");
	value_map_set(s->facts, "virtualization_type", value_str(v.type != NULL ? v.type : "NA"));
	value_map_set(s->facts, "virtualization_role", value_str(v.role != NULL ? v.role : "NA"));
	value_map_set(s->facts, "virtualization_tech_guest", setup_sorted(v.guest));
	value_map_set(s->facts, "virtualization_tech_host", setup_sorted(v.host));
	free(c);
}

static void setup_network(struct setup_run *s)
{
	setup_net_collect(s->facts);
}

/* The small network collectors: Fibre Channel WWNs, iSCSI and NVMe names. */
static void setup_initiators(struct setup_run *s)
{
	struct value *wwn = value_list();
	char *t, path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if ((d = opendir("/sys/class/fc_host")) != NULL) {
		while ((e = readdir(d)) != NULL && value_len(wwn) < 4096) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/fc_host/%s/port_name", e->d_name);
			if ((t = setup_file(path)) != NULL)
				value_list_push(wwn, value_str(strncmp(t, "0x", 2) == 0 ? t + 2 : t));
			free(t);
		}
		closedir(d);
	}
	value_map_set(s->facts, "fibre_channel_wwn", wwn);
}

static void setup_iscsi(struct setup_run *s)
{
	char *t, *line, *save = NULL;

	value_map_set(s->facts, "iscsi_iqn", value_str(""));
	if ((t = setup_file("/etc/iscsi/initiatorname.iscsi")) != NULL) {
		for (line = strtok_r(t, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
			if (strncmp(line, "InitiatorName=", 14) == 0) {
				char *v = line + 14;

				while (isspace((unsigned char)*v))
					v++;
				value_map_set(s->facts, "iscsi_iqn", value_str(v));
			}
		free(t);
	}
}

static void setup_nvme(struct setup_run *s)
{
	char *t = setup_file("/etc/nvme/hostnqn");

	value_map_set(s->facts, "hostnqn", value_str(t != NULL ? t : ""));
	free(t);
}

typedef void (*setup_collect_fn)(struct setup_run *s);

enum { SETUP_MIN = 1, SETUP_ALL = 2 };

/* Ansible's collectors, in its order (later ones read earlier facts). */
static const struct setup_collector {
	const char *name;
	setup_collect_fn fn;
	unsigned set;
	const char *requires; /* collectors it needs, comma-separated (required_facts) */
} setup_collectors[] = {
	{"platform", setup_platform, SETUP_MIN, NULL},
	{"distribution", setup_distribution, SETUP_MIN, NULL},
	{"lsb", setup_lsb, SETUP_MIN, NULL},
	{"selinux", setup_selinux, SETUP_MIN, NULL},
	{"apparmor", setup_apparmor, SETUP_MIN, NULL},
	{"chroot", setup_chroot, SETUP_ALL, NULL},
	{"fips", setup_fips, SETUP_MIN, NULL},
	{"python", NULL, SETUP_MIN, NULL},
	{"caps", setup_caps, SETUP_MIN, NULL},
	{"pkg_mgr", setup_pkg_mgr, SETUP_MIN, "distribution"},
	{"service_mgr", setup_service_mgr, SETUP_MIN, "platform,distribution"},
	{"cmdline", setup_cmdline, SETUP_MIN, NULL},
	{"date_time", setup_date_time, SETUP_MIN, NULL},
	{"env", setup_env, SETUP_MIN, NULL},
	{"loadavg", setup_loadavg, SETUP_ALL, NULL},
	{"ssh_pub_keys", setup_ssh_keys, SETUP_MIN, NULL},
	{"user", setup_user, SETUP_MIN, NULL},
	{"virtual", setup_virtual, SETUP_ALL, NULL},
	{"hardware", setup_hw_collect, SETUP_ALL, "platform"},
	{"dns", setup_dns, SETUP_MIN, NULL},
	{"fibre_channel_wwn", setup_initiators, SETUP_ALL, NULL},
	{"network", setup_network, SETUP_ALL, "distribution,platform"},
	{"iscsi", setup_iscsi, SETUP_ALL, NULL},
	{"nvme", setup_nvme, SETUP_ALL, NULL},
	{"local", setup_local, SETUP_MIN, NULL},
	{"facter", NULL, SETUP_ALL, NULL},
	{"ohai", NULL, SETUP_ALL, NULL},
};

#define SETUP_NCOLL (sizeof(setup_collectors) / sizeof(setup_collectors[0]))

/* Fact names that select their collector, as Ansible's _fact_ids do. */
static const struct {
	const char *alias, *collector;
} setup_aliases[] = {
	{"devices", "hardware"}, {"dmi", "hardware"}, {"processor", "hardware"}, {"processor_cores", "hardware"},
	{"processor_count", "hardware"}, {"mounts", "hardware"}, {"memtotal_mb", "hardware"},
	{"memfree_mb", "hardware"}, {"swaptotal_mb", "hardware"}, {"swapfree_mb", "hardware"},
	{"interfaces", "network"}, {"default_ipv4", "network"}, {"default_ipv6", "network"},
	{"all_ipv4_addresses", "network"}, {"all_ipv6_addresses", "network"}, {"virtualization_type", "virtual"},
	{"virtualization_role", "virtual"}, {"is_chroot", "chroot"}, {"system", "platform"},
	{"kernel", "platform"}, {"kernel_version", "platform"}, {"machine", "platform"},
	{"python_version", "platform"}, {"architecture", "platform"}, {"machine_id", "platform"},
	{"distribution_version", "distribution"}, {"distribution_release", "distribution"},
	{"distribution_major_version", "distribution"}, {"os_family", "distribution"},
	{"user_id", "user"}, {"user_uid", "user"}, {"user_gid", "user"}, {"user_gecos", "user"},
	{"user_dir", "user"}, {"user_shell", "user"}, {"real_user_id", "user"}, {"effective_user_id", "user"},
	{"effective_group_id", "user"}, {"real_group_id", "user"}, {"system_capabilities", "caps"},
	{"system_capabilities_enforced", "caps"}, {"ssh_host_pub_keys", "ssh_pub_keys"},
	{"ssh_host_key_dsa_public", "ssh_pub_keys"}, {"ssh_host_key_rsa_public", "ssh_pub_keys"},
	{"ssh_host_key_ecdsa_public", "ssh_pub_keys"}, {"ssh_host_key_ed25519_public", "ssh_pub_keys"},
	{"iscsi_iqn", "iscsi"}, {"hostnqn", "nvme"},
};

static long setup_collector_index(const char *name)
{
	size_t i;

	for (i = 0; i < SETUP_NCOLL; i++)
		if (strcmp(setup_collectors[i].name, name) == 0)
			return (long)i;
	for (i = 0; i < sizeof(setup_aliases) / sizeof(setup_aliases[0]); i++)
		if (strcmp(setup_aliases[i].alias, name) == 0)
			return setup_collector_index(setup_aliases[i].collector);
	return -1;
}

/* get_collector_names: which collectors gather_subset selects. Returns 0,
 * or -1 with *badp the first unknown subset. */
static int setup_select(const struct value *subset, unsigned char *want, const char **badp)
{
	unsigned char add[SETUP_NCOLL], excl[SETUP_NCOLL], expl[SETUP_NCOLL];
	size_t i, j;
	long k;

	memset(add, 0, sizeof(add));
	memset(excl, 0, sizeof(excl));
	memset(expl, 0, sizeof(expl));
	for (j = 0; j < SETUP_NCOLL; j++)
		if (setup_collectors[j].set == SETUP_MIN)
			add[j] = 1;
	for (i = 0; i < value_len(subset); i++) {
		const char *sub = value_cstr(value_list_at(subset, i));

		if (strcmp(sub, "min") == 0)
			continue;
		if (strcmp(sub, "all") == 0) {
			memset(add, 1, sizeof(add));
			continue;
		}
		if (sub[0] == '!') {
			for (j = 0; j < SETUP_NCOLL; j++)
				if ((strcmp(sub + 1, "min") == 0 && setup_collectors[j].set == SETUP_MIN) ||
				    (strcmp(sub + 1, "all") == 0 && setup_collectors[j].set != SETUP_MIN) ||
				    strcmp(sub + 1, setup_collectors[j].name) == 0)
					excl[j] = 1;
			continue;
		}
		if ((k = setup_collector_index(sub)) < 0) {
			*badp = sub;
			return -1;
		}
		add[k] = expl[k] = 1;
	}
	for (j = 0; j < SETUP_NCOLL; j++)
		want[j] = add[j] && !(excl[j] && !expl[j]);
	/* Required collectors join whatever was excluded (_solve_deps); they
	 * come first in the table, so they run before their dependents. */
	for (j = 0; j < SETUP_NCOLL; j++) {
		const char *r = setup_collectors[j].requires;
		char name[32];
		size_t n;

		while (want[j] && r != NULL && *r != '\0') {
			n = strcspn(r, ",");
			snprintf(name, sizeof(name), "%.*s", (int)n, r);
			if ((k = setup_collector_index(name)) >= 0)
				want[k] = 1;
			r += n + (r[n] == ',');
		}
	}
	return 0;
}

static int setup_filtered(const struct value *filter, const char *name)
{
	size_t i;
	const char *f;
	char *g;
	int ok;

	if (value_len(filter) == 0)
		return 1;
	for (i = 0; i < value_len(filter); i++) {
		f = value_cstr(value_list_at(filter, i));
		if (*f == '\0' || strcmp(f, "*") == 0 || fnmatch(f, name, 0) == 0)
			return 1;
		if (strncmp(f, "ansible_", 8) != 0 && strncmp(f, "facter", 6) != 0 && strncmp(f, "ohai", 4) != 0) {
			g = xasprintf("ansible_%s", f);
			ok = fnmatch(g, name, 0) == 0;
			free(g);
			if (ok)
				return 1;
		}
	}
	return 0;
}

static char *setup_bad_subset_msg(const char *bad)
{
	struct buf b;
	const char **names = xcalloc(SETUP_NCOLL + sizeof(setup_aliases) / sizeof(setup_aliases[0]) + 4,
	                             sizeof(*names));
	size_t n = 0, i;
	char *msg;

	for (i = 0; i < SETUP_NCOLL; i++)
		names[n++] = setup_collectors[i].name;
	for (i = 0; i < sizeof(setup_aliases) / sizeof(setup_aliases[0]); i++)
		names[n++] = setup_aliases[i].alias;
	qsort(names, n, sizeof(*names), setup_strcmp);
	buf_init(&b, 0);
	buf_printf(&b, "Bad subset '%s' given to Ansible. gather_subset options allowed: all", bad);
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			buf_printf(&b, ", %s", names[i]);
	msg = buf_take(&b, NULL);
	buf_fini(&b);
	free(names);
	return msg;
}

MODULE_DEFINE(setup, setup_run, MODULE_CHECK_MODE)
struct value *setup_run(const struct module_ctx *ctx)
{
	struct value *params = NULL, *fail = NULL, *res, *out, *warnings = value_list();
	unsigned char want[SETUP_NCOLL];
	struct setup_run s;
	const struct value *filter, *subset;
	const char *bad = NULL;
	char *key, *p, *msg;
	size_t i;

	if (module_params_spec(ctx, "ansible.legacy.setup", setup_spec, SETUP_NSPEC, NULL, warnings, &params, &fail) !=
	    0) {
		value_unref(warnings);
		return fail;
	}
	subset = value_map_get(params, "gather_subset");
	filter = value_map_get(params, "filter");
	res = value_map();
	if (setup_select(subset, want, &bad) != 0) {
		msg = setup_bad_subset_msg(bad);
		module_fail(res, "%s", msg);
		free(msg);
		module_finish(res, params, warnings);
		goto out;
	}
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	s.facts = value_map();
	s.fact_path = value_get_str(params, "fact_path", "/etc/ansible/facts.d");
	s.warnings = warnings;
	for (i = 0; i < SETUP_NCOLL; i++)
		if (want[i] && setup_collectors[i].fn != NULL)
			setup_collectors[i].fn(&s);
	out = value_map();
	for (i = 0; i < value_len(s.facts); i++) {
		key = xasprintf("ansible_%s", value_cstr(value_map_key_at(s.facts, i)));
		for (p = key; *p != '\0'; p++)
			if (*p == '-')
				*p = '_';
		if (setup_filtered(filter, key))
			value_map_set(out, key, value_ref(value_map_val_at(s.facts, i)));
		free(key);
	}
	value_unref(s.facts);
	/* Filters apply to these two as to any fact. */
	if (setup_filtered(filter, "gather_subset"))
		value_map_set(out, "gather_subset", value_ref((struct value *)subset));
	if (setup_filtered(filter, "module_setup"))
		value_map_set(out, "module_setup", value_bool(1));
	value_map_set(res, "ansible_facts", out);
	value_map_set(res, "changed", value_bool(0));
	module_finish(res, params, warnings);
out:
	value_unref(params);
	value_unref(warnings);
	return res;
}
