/* The hardware facts of the setup module, as Ansible's Linux hardware
 * collector reports them: processors, memory, DMI names, uptime, mounts
 * with their sizes and UUIDs, block devices (setup_dev.c) and LVM volumes
 * (as root, through vgs, lvs and pvs). */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "modules/facts.h"
#include "modules/fileutil.h"
#include "modules/setup.h"

static void setup_hw_dmi(struct setup_run *s)
{
	static const char *const form[] = {
		"Unknown", "Other", "Unknown", "Desktop", "Low Profile Desktop", "Pizza Box", "Mini Tower", "Tower",
		"Portable", "Laptop", "Notebook", "Hand Held", "Docking Station", "All In One", "Sub Notebook",
		"Space-saving", "Lunch Box", "Main Server Chassis", "Expansion Chassis", "Sub Chassis",
		"Bus Expansion Chassis", "Peripheral Chassis", "RAID Chassis", "Rack Mount Chassis", "Sealed-case PC",
		"Multi-system", "CompactPCI", "AdvancedTCA", "Blade", "Blade Enclosure", "Tablet", "Convertible",
		"Detachable", "IoT Gateway", "Embedded PC", "Mini PC", "Stick PC"};
	static const struct {
		const char *key, *file;
	} keys[] = {
		{"bios_date", "bios_date"}, {"bios_vendor", "bios_vendor"}, {"bios_version", "bios_version"},
		{"board_asset_tag", "board_asset_tag"}, {"board_name", "board_name"}, {"board_serial", "board_serial"},
		{"board_vendor", "board_vendor"}, {"board_version", "board_version"},
		{"chassis_asset_tag", "chassis_asset_tag"}, {"chassis_serial", "chassis_serial"},
		{"chassis_vendor", "chassis_vendor"}, {"chassis_version", "chassis_version"},
		{"form_factor", "chassis_type"}, {"product_name", "product_name"}, {"product_serial", "product_serial"},
		{"product_uuid", "product_uuid"}, {"product_version", "product_version"}, {"system_vendor", "sys_vendor"},
	};
	char path[PATH_MAX], *data;
	size_t i;
	long n;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "/sys/devices/virtual/dmi/id/%s", keys[i].file);
		data = setup_file(path);
		if (data == NULL) {
			value_map_set(s->facts, keys[i].key, value_str("NA"));
		} else if (strcmp(keys[i].key, "form_factor") == 0) {
			n = strtol(data, NULL, 10);
			if (n >= 0 && (size_t)n < sizeof(form) / sizeof(form[0]))
				value_map_set(s->facts, keys[i].key, value_str(form[n]));
			else
				value_map_set(s->facts, keys[i].key, value_strf("unknown (%s)", data));
		} else {
			value_map_set(s->facts, keys[i].key, value_str(data));
		}
		free(data);
	}
}

/* /dev/disk/by-uuid links give each device's UUID, as lsblk reports. */
static const char *setup_hw_uuid(struct value *uuids, const char *device)
{
	const char *u = value_get_str(uuids, device, NULL);

	return u != NULL ? u : "N/A";
}

static struct value *setup_hw_uuids(void)
{
	struct value *m = value_map();
	char path[PATH_MAX], real[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if ((d = opendir("/dev/disk/by-uuid")) == NULL)
		return m;
	while ((e = readdir(d)) != NULL && value_len(m) < 4096) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/disk/by-uuid/%s", e->d_name);
		if (realpath(path, real) != NULL && value_map_get(m, real) == NULL)
			value_map_set(m, real, value_str(e->d_name));
	}
	closedir(d);
	return m;
}

/* Bind mounts as Ansible finds them (only when findmnt is installed). */
static struct value *setup_hw_binds(struct setup_run *s)
{
	char *bin = fileutil_bin_path(s->ctx, "findmnt"), *text;
	struct value *l;

	if (bin == NULL)
		return value_list();
	free(bin);
	text = setup_file("/proc/self/mountinfo");
	l = facts_bind_mounts(text != NULL ? text : "");
	free(text);
	return l;
}

static int setup_hw_listed(const struct value *l, const char *s)
{
	size_t i;

	for (i = 0; i < value_len(l); i++)
		if (strcmp(value_cstr(value_list_at(l, i)), s) == 0)
			return 1;
	return 0;
}

static void setup_hw_mounts(struct setup_run *s)
{
	/* Ansible reads /etc/mtab, which a container may hold as a file. */
	char *text = access("/etc/mtab", F_OK) == 0 ? setup_file("/etc/mtab") : setup_file("/proc/mounts");
	struct value *list = facts_mounts(text != NULL ? text : ""), *m, *uuids = setup_hw_uuids();
	struct value *binds = setup_hw_binds(s);
	const char *opts, *b;
	struct statvfs sv;
	size_t i;

	for (i = 0; i < value_len(list); i++) {
		m = value_list_at(list, i);
		opts = value_get_str(m, "options", "");
		/* Ansible's test for "bind" already in the options wants a quote
		 * after it, so it (almost) never sees one. */
		if (setup_hw_listed(binds, value_get_str(m, "mount", "")) &&
		    !((b = strstr(opts, "bind")) != NULL && strchr(b, '"') != NULL))
			value_map_set(m, "options", value_strf("%s,bind", opts));
		if (statvfs(value_get_str(m, "mount", "/"), &sv) == 0) {
			value_map_set(m, "size_total", value_int((int64_t)sv.f_frsize * (int64_t)sv.f_blocks));
			value_map_set(m, "size_available", value_int((int64_t)sv.f_frsize * (int64_t)sv.f_bavail));
			value_map_set(m, "block_size", value_int((int64_t)sv.f_bsize));
			value_map_set(m, "block_total", value_int((int64_t)sv.f_blocks));
			value_map_set(m, "block_available", value_int((int64_t)sv.f_bavail));
			value_map_set(m, "block_used", value_int((int64_t)sv.f_blocks - (int64_t)sv.f_bavail));
			value_map_set(m, "inode_total", value_int((int64_t)sv.f_files));
			value_map_set(m, "inode_available", value_int((int64_t)sv.f_favail));
			value_map_set(m, "inode_used", value_int((int64_t)sv.f_files - (int64_t)sv.f_favail));
		}
		value_map_set(m, "uuid", value_str(setup_hw_uuid(uuids, value_get_str(m, "device", ""))));
	}
	value_unref(uuids);
	value_unref(binds);
	value_map_set(s->facts, "mounts", list);
	free(text);
}

/* Runs "<tool> --noheadings --nosuffix --units g --separator ," and
 * returns its output's lines split at commas (a list of lists), or NULL
 * when the tool is missing. */
static struct value *setup_hw_lvm_run(struct setup_run *s, const char *tool)
{
	char *bin = fileutil_bin_path(s->ctx, tool), *argv[8], *text, *line, *save = NULL, *p;
	struct value *rows, *row;
	struct buf out, err;
	size_t n;
	int rc;

	if (bin == NULL)
		return NULL;
	argv[0] = bin;
	argv[1] = "--noheadings";
	argv[2] = "--nosuffix";
	argv[3] = "--units";
	argv[4] = "g";
	argv[5] = "--separator";
	argv[6] = ",";
	argv[7] = NULL;
	rows = value_list();
	if (fileutil_run(s->ctx, argv, &rc, &out, &err) == 0) {
		text = xstrdup(buf_str(&out));
		for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
			while (isspace((unsigned char)*line))
				line++;
			n = strlen(line);
			while (n > 0 && isspace((unsigned char)line[n - 1]))
				line[--n] = '\0';
			if (n == 0)
				continue;
			row = value_list();
			for (p = line;; p += n + 1) {
				n = strcspn(p, ",");
				value_list_push(row, value_strn(p, n));
				if (p[n] == '\0')
					break;
			}
			value_list_push(rows, row);
		}
		free(text);
	}
	buf_fini(&out);
	buf_fini(&err);
	free(bin);
	return rows;
}

static struct value *setup_hw_lvm_field(const struct value *row, long i)
{
	long n = (long)value_len(row);

	if (i < 0)
		i += n;
	return value_ref(value_list_at(row, i));
}

/* A /dev/dm-N physical volume named as its /dev/mapper/ entry. */
static struct value *setup_hw_lvm_pv_name(struct setup_run *s, const char *pv)
{
	char *bin, *argv[8];
	struct value *v = NULL;
	struct buf out, err;
	size_t n;
	int rc;

	if (strncmp(pv, "/dev/dm-", 8) != 0 || (bin = fileutil_bin_path(s->ctx, "dmsetup")) == NULL)
		return value_str(pv);
	argv[0] = bin;
	argv[1] = "info";
	argv[2] = "-C";
	argv[3] = "--noheadings";
	argv[4] = "-o";
	argv[5] = "name";
	argv[6] = (char *)pv;
	argv[7] = NULL;
	if (fileutil_run(s->ctx, argv, &rc, &out, &err) == 0 && rc == 0) {
		n = buf_avail(&out);
		while (n > 0 && isspace((unsigned char)buf_str(&out)[n - 1]))
			n--;
		v = value_strf("/dev/mapper/%.*s", (int)n, buf_str(&out));
	}
	buf_fini(&out);
	buf_fini(&err);
	free(bin);
	return v != NULL ? v : value_str(pv);
}

/* get_lvm_facts: volume groups, logical and physical volumes as vgs, lvs
 * and pvs list them, when root can run vgs; "N/A" otherwise. */
static void setup_hw_lvm(struct setup_run *s)
{
	struct value *lvm, *rows, *row, *m, *name;
	const char *tools[] = {"vgs", "lvs", "pvs"};
	size_t t, i;

	if (getuid() != 0 || (rows = setup_hw_lvm_run(s, "vgs")) == NULL) {
		value_map_set(s->facts, "lvm", value_str("N/A"));
		return;
	}
	lvm = value_map();
	for (t = 0; t < 3; t++) {
		if (t > 0 && (rows = setup_hw_lvm_run(s, tools[t])) == NULL)
			rows = value_list();
		value_map_set(lvm, tools[t], value_map());
		for (i = 0; i < value_len(rows); i++) {
			row = value_list_at(rows, i);
			/* Rows too short for Ansible's indexing are left out. */
			if (value_len(row) < (t == 0 ? 3u : t == 1 ? 4u : 6u))
				continue;
			m = value_map();
			if (t == 0) {
				value_map_set(m, "size_g", setup_hw_lvm_field(row, -2));
				value_map_set(m, "free_g", setup_hw_lvm_field(row, -1));
				value_map_set(m, "num_lvs", setup_hw_lvm_field(row, 2));
				value_map_set(m, "num_pvs", setup_hw_lvm_field(row, 1));
				name = setup_hw_lvm_field(row, 0);
			} else if (t == 1) {
				value_map_set(m, "size_g", setup_hw_lvm_field(row, 3));
				value_map_set(m, "vg", setup_hw_lvm_field(row, 1));
				name = setup_hw_lvm_field(row, 0);
			} else {
				value_map_set(m, "size_g", setup_hw_lvm_field(row, 4));
				value_map_set(m, "free_g", setup_hw_lvm_field(row, 5));
				value_map_set(m, "vg", setup_hw_lvm_field(row, 1));
				name = setup_hw_lvm_pv_name(s, value_cstr(value_list_at(row, 0)));
			}
			value_map_set(value_map_get(lvm, tools[t]), value_cstr(name), m);
			value_unref(name);
		}
		value_unref(rows);
	}
	value_map_set(s->facts, "lvm", lvm);
}

/* Devices, with lspci -D's descriptions of their PCI hosts when lspci is
 * installed, as Ansible runs it. */
static void setup_hw_devices(struct setup_run *s)
{
	char *bin = fileutil_bin_path(s->ctx, "lspci"), *argv[3], *pci = NULL;
	struct buf out, err;
	int rc;

	if (bin != NULL) {
		argv[0] = bin;
		argv[1] = "-D";
		argv[2] = NULL;
		if (fileutil_run(s->ctx, argv, &rc, &out, &err) == 0)
			pci = xstrdup(buf_str(&out));
		buf_fini(&out);
		buf_fini(&err);
		free(bin);
	}
	setup_dev_collect(s->facts, pci);
	free(pci);
}

void setup_hw_collect(struct setup_run *s)
{
	char *t;
	cpu_set_t set;
	long nproc = -1;

	if ((t = setup_file("/proc/cpuinfo")) != NULL) {
		if (sched_getaffinity(0, sizeof(set), &set) == 0)
			nproc = CPU_COUNT(&set);
		facts_cpuinfo(s->facts, t, value_get_str(s->facts, "architecture", ""), nproc);
		free(t);
	}
	if ((t = setup_file("/proc/meminfo")) != NULL) {
		facts_meminfo(s->facts, t);
		free(t);
	}
	setup_hw_dmi(s);
	setup_hw_devices(s);
	if ((t = setup_file("/proc/uptime")) != NULL) {
		value_map_set(s->facts, "uptime_seconds", value_int((int64_t)strtod(t, NULL)));
		free(t);
	}
	setup_hw_mounts(s);
	/* Ansible reports LVM only when root can run vgs. */
	setup_hw_lvm(s);
}
