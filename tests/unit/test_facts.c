/* The setup module's text parsers (modules/facts.c) on fixture text:
 * os-release and the distribution facts Ansible derives from it, the IPv4
 * and IPv6 routing tables, /proc/cpuinfo of x86 and ARM machines (counts as
 * Ansible's Linux hardware collector makes them), /proc/mounts with escapes
 * and Ansible's filter, meminfo, resolv.conf and the kernel command line.
 * The module layer is not in libdrover.a, so its source is compiled in. */
#include <stdlib.h>
#include <string.h>

#include "data/json.h"
#include "modules/facts.c"
#include "t.h"

/* The value as compact JSON, for comparing whole structures. */
static char *js(const struct value *v)
{
	return json_encode_str(v, 0);
}

#define T_JSON(v, expect)                                                                    \
	do {                                                                                 \
		char *t_js_ = js(v);                                                         \
		T_EQ_STR(t_js_, expect);                                                     \
		free(t_js_);                                                                 \
	} while (0)

static void test_os_release(void)
{
	static const char debian[] = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	                             "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\n"
	                             "VERSION_CODENAME=bookworm\nID=debian\n# comment\n"
	                             "HOME_URL='https://www.debian.org/'\nESC=\"a\\\"b\"\n";
	struct value *m = facts_os_release(debian), *f = value_map();

	T_EQ_STR(value_get_str(m, "PRETTY_NAME", ""), "Debian GNU/Linux 12 (bookworm)");
	T_EQ_STR(value_get_str(m, "ID", ""), "debian");
	T_EQ_STR(value_get_str(m, "HOME_URL", ""), "https://www.debian.org/");
	T_EQ_STR(value_get_str(m, "ESC", ""), "a\"b");
	facts_distribution(f, m, "12.11\n");
	T_JSON(f, "{\"distribution\": \"Debian\", \"distribution_version\": \"12.11\", "
	          "\"distribution_major_version\": \"12\", \"distribution_minor_version\": \"11\", "
	          "\"distribution_release\": \"bookworm\", \"distribution_file_path\": \"/etc/os-release\", "
	          "\"distribution_file_variety\": \"Debian\", \"distribution_file_parsed\": true, "
	          "\"os_family\": \"Debian\"}");
	value_unref(f);
	value_unref(m);

	/* Debian testing's debian_version is not a number: VERSION_ID stays. */
	m = facts_os_release("ID=debian\nVERSION_ID=13\nVERSION_CODENAME=trixie\n");
	f = value_map();
	facts_distribution(f, m, "trixie/sid\n");
	T_EQ_STR(value_get_str(f, "distribution_version", ""), "13");
	T_CHECK(value_map_get(f, "distribution_minor_version") == NULL);
	value_unref(f);
	value_unref(m);

	m = facts_os_release("NAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nID=ubuntu\nID_LIKE=debian\n"
	                     "UBUNTU_CODENAME=jammy\n");
	f = value_map();
	facts_distribution(f, m, "bookworm/sid");
	T_EQ_STR(value_get_str(f, "distribution", ""), "Ubuntu");
	T_EQ_STR(value_get_str(f, "distribution_version", ""), "22.04");
	T_EQ_STR(value_get_str(f, "distribution_major_version", ""), "22");
	T_EQ_STR(value_get_str(f, "distribution_release", ""), "jammy");
	T_EQ_STR(value_get_str(f, "os_family", ""), "Debian");
	value_unref(f);
	value_unref(m);

	m = facts_os_release("ID=\"rocky\"\nVERSION_ID=\"9.3\"\n");
	f = value_map();
	facts_distribution(f, m, NULL);
	T_EQ_STR(value_get_str(f, "distribution", ""), "Rocky");
	T_EQ_STR(value_get_str(f, "os_family", ""), "RedHat");
	T_EQ_STR(value_get_str(f, "distribution_file_path", ""), "/etc/redhat-release");
	T_EQ_STR(value_get_str(f, "distribution_release", ""), "NA");
	value_unref(f);
	value_unref(m);

	/* An unknown ID is capitalized, and is its own family. */
	m = facts_os_release("ID=weirdos\nVERSION_ID=1\n");
	f = value_map();
	facts_distribution(f, m, NULL);
	T_EQ_STR(value_get_str(f, "distribution", ""), "Weirdos");
	T_EQ_STR(value_get_str(f, "os_family", ""), "Weirdos");
	T_CHECK(value_map_get(f, "distribution_file_path") == NULL);
	value_unref(f);
	value_unref(m);
}

static void test_routes(void)
{
	static const char r4[] =
		"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
		"eth1\t00000000\t010200C0\t0002\t0\t0\t0\t00000000\t0\t0\t0\n" /* not up */
		"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
	static const char r6[] =
		"fd000000000000000000000000000000 40 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
		"fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0\n";
	char ifc[32], gw[64];

	T_EQ_INT(facts_route4_default(r4, ifc, sizeof(ifc), gw, sizeof(gw)), 0);
	T_EQ_STR(ifc, "eth0");
	T_EQ_STR(gw, "192.0.2.1");
	T_EQ_INT(facts_route4_default("Iface\tDestination\n", ifc, sizeof(ifc), gw, sizeof(gw)), -1);
	T_EQ_INT(facts_route6_default(r6, ifc, sizeof(ifc), gw, sizeof(gw)), 0);
	T_EQ_STR(ifc, "eth0");
	T_EQ_STR(gw, "fd00::1");
	T_EQ_INT(facts_route6_default("", ifc, sizeof(ifc), gw, sizeof(gw)), -1);
}

static void test_cpuinfo(void)
{
	/* Two sockets of two cores with hyper-threading (8 threads). */
	struct value *f = value_map();
	struct value *procs;
	const char *sock[2] = {"0", "1"}, *core[2] = {"0", "1"};
	char *text = NULL, *tmp;
	size_t n = 0;
	int s, c, t, id = 0;

	for (s = 0; s < 2; s++)
		for (c = 0; c < 2; c++)
			for (t = 0; t < 2; t++) {
				tmp = xasprintf("%sprocessor\t: %d\nvendor_id\t: GenuineIntel\nmodel name\t: Xeon X\n"
				                "physical id\t: %s\nsiblings\t: 4\ncore id\t\t: %s\ncpu cores\t: 2\n"
				                "flags\t\t: fpu vme\n\n",
				                text != NULL ? text : "", id++, sock[s], core[c]);
				free(text);
				text = tmp;
			}
	facts_cpuinfo(f, text, "x86_64", 8);
	procs = value_map_get(f, "processor");
	n = value_len(procs);
	T_EQ_INT(n, 24);
	T_EQ_STR(value_cstr(value_list_at(procs, 0)), "0");
	T_EQ_STR(value_cstr(value_list_at(procs, 1)), "GenuineIntel");
	T_EQ_STR(value_cstr(value_list_at(procs, 2)), "Xeon X");
	T_EQ_INT(value_get_int(f, "processor_count", 0), 2);
	T_EQ_INT(value_get_int(f, "processor_cores", 0), 2);
	T_EQ_INT(value_get_int(f, "processor_threads_per_core", 0), 2);
	T_EQ_INT(value_get_int(f, "processor_vcpus", 0), 8);
	T_EQ_INT(value_get_int(f, "processor_nproc", 0), 8);
	free(text);
	value_unref(f);

	/* A VM without topology lines: every processor its own socket. */
	f = value_map();
	facts_cpuinfo(f,
	              "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n\n"
	              "processor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Processor\n",
	              "x86_64", -1);
	T_JSON(f, "{\"processor\": [\"0\", \"GenuineIntel\", \"Intel(R) Xeon(R) Processor\", \"1\", \"GenuineIntel\", "
	          "\"Intel(R) Xeon(R) Processor\"], \"processor_count\": 2, \"processor_cores\": 1, "
	          "\"processor_threads_per_core\": 1, \"processor_vcpus\": 2, \"processor_nproc\": 2}");
	value_unref(f);

	/* Absurd counts are clamped, never overflow (found by fuzz_facts). */
	f = value_map();
	facts_cpuinfo(f,
	              "physical id: 0\ncpu cores: -9223372036854775808\ncore id: 1\n"
	              "siblings: 99999999999999999999\n",
	              "x86_64", 1);
	T_EQ_INT(value_get_int(f, "processor_cores", 0), 1);
	T_EQ_INT(value_get_int(f, "processor_threads_per_core", 0), 65536);
	value_unref(f);

	/* aarch64 counts "processor" lines. */
	f = value_map();
	facts_cpuinfo(f,
	              "processor\t: 0\nBogoMIPS\t: 50.00\nCPU implementer\t: 0x41\n\n"
	              "processor\t: 1\nBogoMIPS\t: 50.00\n\n"
	              "processor\t: 2\n\nprocessor\t: 3\n",
	              "aarch64", 4);
	T_JSON(f, "{\"processor\": [\"0\", \"1\", \"2\", \"3\"], \"processor_count\": 4, \"processor_cores\": 1, "
	          "\"processor_threads_per_core\": 1, \"processor_vcpus\": 4, \"processor_nproc\": 4}");
	value_unref(f);
}

static void test_mounts(void)
{
	static const char text[] = "proc /proc proc rw,nosuid 0 0\n"
	                           "/dev/vda / ext4 rw,relatime 0 0\n"
	                           "tmpfs /run tmpfs rw 0 0\n"
	                           "/dev/sdb1 /mnt/with\\040space vfat ro 0 0\n"
	                           "server:/export /net nfs4 rw 0 0\n"
	                           "/dev/sdc /none none rw 0 0\n"
	                           "short line\n";
	struct value *l = facts_mounts(text);

	T_JSON(l, "[{\"mount\": \"/\", \"device\": \"/dev/vda\", \"fstype\": \"ext4\", \"options\": \"rw,relatime\"}, "
	          "{\"mount\": \"/mnt/with space\", \"device\": \"/dev/sdb1\", \"fstype\": \"vfat\", \"options\": \"ro\"}, "
	          "{\"mount\": \"/net\", \"device\": \"server:/export\", \"fstype\": \"nfs4\", \"options\": \"rw\"}]");
	value_unref(l);
}

static void test_bind_mounts(void)
{
	static const char text[] =
		"22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
		"40 22 254:0 /srv/data /mnt/bind\\040dir rw,relatime shared:1 - ext4 /dev/vda rw\n"
		"41 22 0:35 /@home /home rw shared:2 - btrfs /dev/sdb rw,subvol=/@home\n"
		"42 22 0:5 / /dev rw - devtmpfs udev rw\n"
		"short\n";
	struct value *l = facts_bind_mounts(text);

	T_JSON(l, "[\"/mnt/bind dir\", \"/home\"]");
	value_unref(l);
}

static void test_meminfo(void)
{
	struct value *f = value_map();

	facts_meminfo(f, "MemTotal:       24683520 kB\nMemFree:        22560768 kB\nBuffers:           10240 kB\n"
	                 "Cached:          1310720 kB\nSwapCached:            0 kB\nSwapTotal:       2097152 kB\n"
	                 "SwapFree:        1048576 kB\n");
	T_JSON(f, "{\"memtotal_mb\": 24105, \"memfree_mb\": 22032, \"swaptotal_mb\": 2048, \"swapfree_mb\": 1024, "
	          "\"memory_mb\": {\"real\": {\"total\": 24105, \"used\": 2073, \"free\": 22032}, "
	          "\"nocache\": {\"free\": 23322, \"used\": 783}, "
	          "\"swap\": {\"total\": 2048, \"free\": 1024, \"used\": 1024, \"cached\": 0}}}");
	value_unref(f);
}

static void test_resolv(void)
{
	struct value *d = facts_resolv("# generated\nnameserver 10.0.0.1\n; x\nnameserver 10.0.0.2 10.0.0.3\n"
	                               "domain example.com\nsearch a.example b.example\n"
	                               "options ndots:2 rotate\n\n");

	T_JSON(d, "{\"nameservers\": [\"10.0.0.1\", \"10.0.0.2\", \"10.0.0.3\"], \"domain\": \"example.com\", "
	          "\"search\": [\"a.example\", \"b.example\"], \"options\": {\"ndots\": \"2\", \"rotate\": true}}");
	value_unref(d);
	d = facts_resolv("");
	T_JSON(d, "{}");
	value_unref(d);
}

static void test_cmdline(void)
{
	static const char text[] = "BOOT_IMAGE=/vmlinuz root=UUID=abc ro quiet console=tty0 console=ttyS0 "
	                           "foo=\"a b\"\n";
	struct value *c = facts_cmdline(text, 0), *p = facts_cmdline(text, 1);

	T_JSON(c, "{\"BOOT_IMAGE\": \"/vmlinuz\", \"root\": \"UUID=abc\", \"ro\": true, \"quiet\": true, "
	          "\"console\": \"ttyS0\", \"foo\": \"\\\"a b\\\"\"}");
	T_JSON(p, "{\"BOOT_IMAGE\": \"/vmlinuz\", \"root\": \"UUID=abc\", \"ro\": true, \"quiet\": true, "
	          "\"console\": [\"tty0\", \"ttyS0\"], \"foo\": \"\\\"a b\\\"\"}");
	value_unref(c);
	value_unref(p);
}

static void test_netmask(void)
{
	char b[16];

	facts_netmask4(24, b);
	T_EQ_STR(b, "255.255.255.0");
	facts_netmask4(0, b);
	T_EQ_STR(b, "0.0.0.0");
	facts_netmask4(32, b);
	T_EQ_STR(b, "255.255.255.255");
	facts_netmask4(19, b);
	T_EQ_STR(b, "255.255.224.0");
}

int main(void)
{
	T_RUN(test_os_release);
	T_RUN(test_routes);
	T_RUN(test_cpuinfo);
	T_RUN(test_mounts);
	T_RUN(test_bind_mounts);
	T_RUN(test_meminfo);
	T_RUN(test_resolv);
	T_RUN(test_cmdline);
	T_RUN(test_netmask);
	return T_DONE();
}
