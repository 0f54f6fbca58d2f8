/* The block device helpers of the setup module (modules/setup_dev.c):
 * sizes in Ansible's bytes_to_human format (values recorded from
 * ansible-core 2.14) and partition names found in sysfs entries as
 * Ansible's re.search(disk + "[p]?\d+") finds them. The module layer is
 * not in libdrover.a, so its source is compiled in, with setup_file
 * defined here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/setup_dev.c"
#include "t.h"

char *setup_file(const char *path)
{
	(void)path;
	return NULL;
}

static void test_human(void)
{
	static const struct {
		double bytes;
		const char *text;
	} cases[] = {
		{0, "0.00 Bytes"},
		{512, "512.00 Bytes"},
		{1023, "1023.00 Bytes"},
		{1024, "1.00 KB"},
		{1536, "1.50 KB"},
		{1048575, "1024.00 KB"},
		{536870912.0 * 512, "256.00 GB"},
		{1099511627776.0, "1.00 TB"},
		{3.5 * 1125899906842624.0, "3.50 PB"},
	};
	struct value *v;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = setup_dev_human(cases[i].bytes);
		T_EQ_STR(value_cstr(v), cases[i].text);
		value_unref(v);
	}
}

static void test_partname(void)
{
	static const struct {
		const char *folder, *disk, *part;
	} cases[] = {
		{"sda1", "sda", "sda1"},
		{"sda12", "sda", "sda12"},
		{"nvme0n1p2", "nvme0n1", "nvme0n1p2"},
		{"mmcblk0p1", "mmcblk0", "mmcblk0p1"},
		{"queue", "sda", NULL},
		{"sdab", "sda", NULL},
		{"xsda3y", "sda", "sda3"},
		{"sdap", "sda", NULL},
	};
	const char *start = NULL;
	size_t i, n;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = setup_dev_partname(cases[i].folder, cases[i].disk, &start);
		if (cases[i].part == NULL) {
			T_EQ_INT(n, 0);
			continue;
		}
		got = strndup(start, n);
		T_EQ_STR(got, cases[i].part);
		free(got);
	}
}

static void test_host(void)
{
	static const char lspci[] = "0000:00:03.0 Ethernet controller: Red Hat, Inc. Virtio network device\n"
	                            "0000:00:04.0 SCSI storage controller: Red Hat, Inc. Virtio block device\n";
	struct value *v;

	v = setup_dev_host("/sys/block/../devices/pci0000:00/0000:00:04.0/virtio1/block/vda", lspci);
	T_EQ_STR(value_cstr(v), "SCSI storage controller: Red Hat, Inc. Virtio block device");
	value_unref(v);
	v = setup_dev_host("/sys/block/../devices/virtual/block/loop0", lspci);
	T_EQ_STR(value_cstr(v), "");
	value_unref(v);
	v = setup_dev_host("/sys/block/../devices/pci0000:00/0000:00:04.0/virtio1/block/vda", NULL);
	T_EQ_STR(value_cstr(v), "");
	value_unref(v);
}

int main(void)
{
	T_RUN(test_human);
	T_RUN(test_partname);
	T_RUN(test_host);
	return T_DONE();
}
