/* The block device facts of the setup module, as Ansible's Linux hardware
 * collector builds them from /sys/block and the /dev/disk links: one map
 * per disk with its partitions, holders, sizes in Ansible's human format,
 * and the links that name each device. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "modules/setup.h"

/* Entries read from one directory, at most; sysfs directories are small. */
#define SETUP_DEV_MAX 4096

/* a/b into out; -1 when it does not fit (such a path is skipped). */
static int setup_dev_join(char *out, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb + 2 > n)
		return -1;
	memcpy(out, a, la);
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return 0;
}

static int setup_dev_cmp(const void *a, const void *b)
{
	return strcmp(value_cstr(*(struct value *const *)a), value_cstr(*(struct value *const *)b));
}

/* Sorts the lists in a map of lists, in place. */
static void setup_dev_sort_lists(struct value *m)
{
	struct value *l, **items;
	size_t i, j, n;

	for (i = 0; i < value_len(m); i++) {
		l = value_map_val_at(m, i);
		n = value_len(l);
		items = xcalloc(n + 1, sizeof(*items));
		for (j = 0; j < n; j++)
			items[j] = value_ref(value_list_at(l, j));
		qsort(items, n, sizeof(*items), setup_dev_cmp);
		for (j = 0; j < n; j++)
			value_list_set(l, j, items[j]);
		free(items);
	}
}

static void setup_dev_add(struct value *m, const char *key, const char *item)
{
	struct value *l = value_map_get(m, key);
	size_t i;

	if (l == NULL) {
		l = value_list();
		value_map_set(m, key, l);
	}
	for (i = 0; i < value_len(l); i++)
		if (strcmp(value_cstr(value_list_at(l, i)), item) == 0)
			return;
	value_list_push(l, value_str(item));
}

/* get_device_links: target device name -> sorted names of its links. */
static struct value *setup_dev_links(const char *dir)
{
	struct value *m = value_map();
	char path[PATH_MAX], target[PATH_MAX], *base;
	struct dirent *e;
	ssize_t n;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return m;
	while ((e = readdir(d)) != NULL && value_len(m) < SETUP_DEV_MAX) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/') != NULL ? strrchr(target, '/') + 1 : target;
		setup_dev_add(m, base, e->d_name);
	}
	closedir(d);
	setup_dev_sort_lists(m);
	return m;
}

/* get_all_device_owners: /sys/block/DEV/slaves/TARGET gives TARGET -> DEV. */
static struct value *setup_dev_masters(void)
{
	struct value *m = value_map();
	struct dirent *e, *s;
	char path[PATH_MAX];
	DIR *d, *sd;

	if ((d = opendir("/sys/block")) == NULL)
		return m;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s/slaves", e->d_name);
		if ((sd = opendir(path)) == NULL)
			continue;
		while ((s = readdir(sd)) != NULL && value_len(m) < SETUP_DEV_MAX)
			if (s->d_name[0] != '.')
				setup_dev_add(m, s->d_name, e->d_name);
		closedir(sd);
	}
	closedir(d);
	setup_dev_sort_lists(m);
	return m;
}

/* bytes_to_human: "256.00 GB", "0.00 Bytes". */
static struct value *setup_dev_human(double size)
{
	static const struct {
		double limit;
		char unit;
	} units[] = {
		{1208925819614629174706176.0, 'Y'}, {1180591620717411303424.0, 'Z'}, {1152921504606846976.0, 'E'},
		{1125899906842624.0, 'P'},          {1099511627776.0, 'T'},         {1073741824.0, 'G'},
		{1048576.0, 'M'},                   {1024.0, 'K'},
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (size >= units[i].limit)
			return value_strf("%.2f %cB", size / units[i].limit, units[i].unit);
	return value_strf("%.2f Bytes", size);
}

static struct value *setup_dev_content(const char *dir, const char *name)
{
	char path[PATH_MAX], *s;
	struct value *v;

	if (setup_dev_join(path, sizeof(path), dir, name) != 0 || (s = setup_file(path)) == NULL)
		return value_null();
	v = value_str(s);
	free(s);
	return v;
}

/* The sector size: logical_block_size, else hw_sector_size, else 512. */
static struct value *setup_dev_sectorsize(const char *dir)
{
	struct value *v = setup_dev_content(dir, "queue/logical_block_size");

	if (v->type != VALUE_NULL)
		return v;
	value_unref(v);
	v = setup_dev_content(dir, "queue/hw_sector_size");
	if (v->type != VALUE_NULL)
		return v;
	value_unref(v);
	return value_int(512);
}

static void setup_dev_holders(struct value *dev, const char *sysdir)
{
	struct value *l = value_list();
	char path[PATH_MAX], *name;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/holders", sysdir);
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL && value_len(l) < SETUP_DEV_MAX) {
			if (strncmp(e->d_name, "dm-", 3) != 0)
				continue;
			snprintf(path, sizeof(path), "%s/holders/%s/dm/name", sysdir, e->d_name);
			name = setup_file(path);
			value_list_push(l, value_str(name != NULL ? name : e->d_name));
			free(name);
		}
		closedir(d);
	}
	value_map_set(dev, "holders", l);
}

static struct value *setup_dev_linkmap(const struct value *links, const char *name)
{
	struct value *m = value_map(), *l;
	size_t i;

	for (i = 0; i < value_len(links); i++) {
		l = value_map_get(value_map_val_at(links, i), name);
		value_map_set(m, value_cstr(value_map_key_at(links, i)), l != NULL ? value_ref(l) : value_list());
	}
	return m;
}

/* re.search(disk + "[p]?\d+", folder): the partition name in folder, or 0. */
static size_t setup_dev_partname(const char *folder, const char *disk, const char **startp)
{
	size_t dl = strlen(disk), k;
	const char *p;

	for (p = strstr(folder, disk); p != NULL; p = strstr(p + 1, disk)) {
		k = dl;
		if (p[k] == 'p' && isdigit((unsigned char)p[k + 1]))
			k++;
		if (!isdigit((unsigned char)p[k]))
			continue;
		while (isdigit((unsigned char)p[k]))
			k++;
		*startp = p;
		return k;
	}
	return 0;
}

static char *setup_dev_uuid_of(const char *partname)
{
	char path[PATH_MAX], real[PATH_MAX], want[PATH_MAX];
	struct dirent *e;
	char *res = NULL;
	DIR *d;

	if ((d = opendir("/dev/disk/by-uuid")) == NULL)
		return NULL;
	snprintf(want, sizeof(want), "/dev/%s", partname);
	while (res == NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/dev/disk/by-uuid/%s", e->d_name);
		if (realpath(path, real) != NULL && strcmp(real, want) == 0)
			res = xstrdup(e->d_name);
	}
	closedir(d);
	return res;
}

static void setup_dev_partitions(struct value *dev, const char *sysdir, const char *disk, const struct value *links)
{
	struct value *parts = value_map(), *part, *sectors;
	char psys[PATH_MAX], *name, *uuid;
	const char *start;
	struct dirent *e;
	size_t n;
	DIR *d;

	if ((d = opendir(sysdir)) != NULL) {
		while ((e = readdir(d)) != NULL && value_len(parts) < SETUP_DEV_MAX) {
			if ((n = setup_dev_partname(e->d_name, disk, &start)) == 0)
				continue;
			name = xstrndup(start, n);
			if (setup_dev_join(psys, sizeof(psys), sysdir, name) != 0) {
				free(name);
				continue;
			}
			part = value_map();
			value_map_set(part, "links", setup_dev_linkmap(links, name));
			value_map_set(part, "start", setup_dev_content(psys, "start"));
			if (value_map_get(part, "start")->type == VALUE_NULL)
				value_map_set(part, "start", value_int(0));
			sectors = setup_dev_content(psys, "size");
			if (sectors->type == VALUE_NULL) {
				value_unref(sectors);
				sectors = value_int(0);
			}
			value_map_set(part, "sectors", sectors);
			value_map_set(part, "sectorsize", setup_dev_sectorsize(psys));
			value_map_set(part, "size", setup_dev_human(sectors->type == VALUE_STR ?
			                                                strtod(value_cstr(sectors), NULL) * 512.0 : 0.0));
			uuid = setup_dev_uuid_of(name);
			value_map_set(part, "uuid", uuid != NULL ? value_str(uuid) : value_null());
			free(uuid);
			setup_dev_holders(part, psys);
			value_map_set(parts, name, part);
			free(name);
		}
		closedir(d);
	}
	value_map_set(dev, "partitions", parts);
}

/* The PCI address in a sysfs path (the last one followed by '/'), and
 * lspci -D's description of it. */
static struct value *setup_dev_host(const char *sysdir, const char *lspci)
{
	const char *p, *best = NULL, *line;
	size_t n;

	if (lspci == NULL)
		return value_str("");
	for (p = strchr(sysdir, '/'); p != NULL; p = strchr(p + 1, '/')) {
		const char *c = p + 1;

		/* dddd:dd:[01]d.[0-7]/ with lowercase hex digits */
		if (strlen(c) >= 13 && isxdigit((unsigned char)c[0]) && c[4] == ':' && c[7] == ':' &&
		    (c[8] == '0' || c[8] == '1' || c[8] == '|') && c[10] == '.' && c[11] >= '0' && c[11] <= '7' &&
		    c[12] == '/')
			best = c;
	}
	if (best == NULL)
		return value_str("");
	for (line = lspci; *line != '\0'; line += n + (line[n] == '\n')) {
		n = strcspn(line, "\n");
		if (n > 13 && strncmp(line, best, 12) == 0 && isspace((unsigned char)line[12]))
			return value_strn(line + 13, n - 13);
	}
	return value_str("");
}

static struct value *setup_dev_one(const char *block, const char *link, int nolinks, const struct value *links,
                                   const struct value *wwns, const char *lspci)
{
	struct value *d = value_map(), *sectors, *serial;
	char sysdir[PATH_MAX], path[PATH_MAX], *sched, *lb, *rb;
	const char *disk, *w;
	int virtual = 1;
	struct dirent *e;
	DIR *dir;

	if (setup_dev_join(sysdir, sizeof(sysdir), "/sys/block", link) != 0)
		(void)setup_dev_join(sysdir, sizeof(sysdir), "/sys/block", block);
	if (nolinks && (dir = opendir(sysdir)) != NULL) {
		while ((e = readdir(dir)) != NULL)
			if (strstr(e->d_name, "device") != NULL) {
				virtual = 0;
				break;
			}
		closedir(dir);
	}
	disk = strrchr(sysdir, '/') + 1;
	value_map_set(d, "virtual", value_int(virtual));
	value_map_set(d, "links", setup_dev_linkmap(links, block));
	value_map_set(d, "vendor", setup_dev_content(sysdir, "device/vendor"));
	value_map_set(d, "model", setup_dev_content(sysdir, "device/model"));
	value_map_set(d, "sas_address", setup_dev_content(sysdir, "device/sas_address"));
	value_map_set(d, "sas_device_handle", setup_dev_content(sysdir, "device/sas_device_handle"));
	serial = setup_dev_content(sysdir, "device/serial");
	if (serial->type == VALUE_STR)
		value_map_set(d, "serial", serial);
	else
		value_unref(serial);
	value_map_set(d, "removable", setup_dev_content(sysdir, "removable"));
	value_map_set(d, "support_discard", setup_dev_content(sysdir, "queue/discard_granularity"));
	if ((w = value_get_str(wwns, disk, NULL)) != NULL)
		value_map_set(d, "wwn", value_str(w));
	setup_dev_partitions(d, sysdir, disk, links);
	value_map_set(d, "rotational", setup_dev_content(sysdir, "queue/rotational"));
	value_map_set(d, "scheduler_mode", value_str(""));
	sched = setup_dev_join(path, sizeof(path), sysdir, "queue/scheduler") == 0 ? setup_file(path) : NULL;
	if (sched != NULL && (lb = strchr(sched, '[')) != NULL &&
	    (rb = strrchr(sched, ']')) != NULL && rb > lb)
		value_map_set(d, "scheduler_mode", value_strn(lb + 1, (size_t)(rb - lb - 1)));
	free(sched);
	sectors = setup_dev_content(sysdir, "size");
	if (sectors->type == VALUE_NULL) {
		value_unref(sectors);
		sectors = value_int(0);
	}
	value_map_set(d, "sectors", sectors);
	value_map_set(d, "sectorsize", setup_dev_sectorsize(sysdir));
	value_map_set(d, "size",
	              setup_dev_human(sectors->type == VALUE_STR ? strtod(value_cstr(sectors), NULL) * 512.0 : 0.0));
	value_map_set(d, "host", setup_dev_host(sysdir, lspci));
	setup_dev_holders(d, sysdir);
	return d;
}

/* /dev/disk/by-id/wwn-* links: device name -> WWN. */
static struct value *setup_dev_wwns(void)
{
	struct value *m = value_map();
	char path[PATH_MAX], target[PATH_MAX], *base;
	struct dirent *e;
	ssize_t n;
	DIR *d;

	if ((d = opendir("/dev/disk/by-id")) == NULL)
		return m;
	while ((e = readdir(d)) != NULL && value_len(m) < SETUP_DEV_MAX) {
		if (strncmp(e->d_name, "wwn-", 4) != 0)
			continue;
		snprintf(path, sizeof(path), "/dev/disk/by-id/%s", e->d_name);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		base = strrchr(target, '/') != NULL ? strrchr(target, '/') + 1 : target;
		value_map_set(m, base, value_str(e->d_name + 4));
	}
	closedir(d);
	return m;
}

void setup_dev_collect(struct value *facts, const char *lspci)
{
	struct value *devices = value_map(), *links, *wwns;
	char path[PATH_MAX], link[PATH_MAX];
	struct dirent *e;
	ssize_t n;
	DIR *d;

	if ((d = opendir("/sys/block")) == NULL) {
		value_map_set(facts, "devices", devices);
		return;
	}
	wwns = setup_dev_wwns();
	links = value_map();
	value_map_set(links, "ids", setup_dev_links("/dev/disk/by-id"));
	value_map_set(links, "uuids", setup_dev_links("/dev/disk/by-uuid"));
	value_map_set(links, "labels", setup_dev_links("/dev/disk/by-label"));
	value_map_set(links, "masters", setup_dev_masters());
	value_map_set(facts, "device_links", value_ref(links));
	while ((e = readdir(d)) != NULL && value_len(devices) < SETUP_DEV_MAX) {
		int nolinks = 0;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "/sys/block/%s", e->d_name);
		if ((n = readlink(path, link, sizeof(link) - 1)) < 0) {
			/* Old sysfs has directories here, not links. */
			if (errno != EINVAL)
				continue;
			snprintf(link, sizeof(link), "%s", e->d_name);
			nolinks = 1;
		} else {
			link[n] = '\0';
		}
		value_map_set(devices, e->d_name, setup_dev_one(e->d_name, link, nolinks, links, wwns, lspci));
	}
	closedir(d);
	value_unref(links);
	value_unref(wwns);
	value_map_set(facts, "devices", devices);
}
