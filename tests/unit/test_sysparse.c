/* The system modules' text parsers (modules/sysparse.c): "systemctl show"
 * output as Ansible's parse_systemctl_show reads it (including a blank
 * value, which the fuzzer once found overrunning), mountinfo as
 * get_linux_mounts reads it, and the sysctl module's rewrite of a file,
 * with the expected texts worked out from ansible.posix's sysctl. The
 * module layer is not in libdrover.a, so its source is compiled in. */
#include <stdlib.h>

#include "modules/sysparse.c"
#include "t.h"

static void test_show(void)
{
	struct value *m = sysparse_show("Id=web.service\nLoadState= loaded \nBlank=   \nExecStart={ path=/x ;\n"
	                                 " argv[]=/x -f ; }\nExecStop={ path=/y }\nNoEquals\nActiveState=active");

	T_EQ_STR(value_get_str(m, "Id", NULL), "web.service");
	T_EQ_STR(value_get_str(m, "LoadState", NULL), "loaded");
	T_EQ_STR(value_get_str(m, "Blank", NULL), "");
	T_EQ_STR(value_get_str(m, "ExecStart", NULL), "{ path=/x ;\n argv[]=/x -f ; }");
	T_EQ_STR(value_get_str(m, "ExecStop", NULL), "{ path=/y }");
	T_EQ_STR(value_get_str(m, "ActiveState", NULL), "active");
	T_EQ_INT(value_len(m), 6);
	value_unref(m);
}

static void test_mountinfo(void)
{
	struct value *m = sysparse_mountinfo(
	    "1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
	    "20 1 0:5 / /dev rw - devtmpfs udev rw\n"
	    "30 20 8:1 /srv/data /mnt/bind rw - ext4 /dev/sda1 rw\n"
	    "31 30 8:1 /srv/data/sub /mnt/bind/sub rw shared:1 - ext4 /dev/sda1 rw\n"
	    "short line\n");

	T_EQ_STR(value_get_str(m, "/", NULL), "/dev/sda1");
	T_EQ_STR(value_get_str(m, "/dev", NULL), "udev");
	/* A parent other than 1 that is listed: the root within it, the
	 * parent's root as already rewritten (Ansible's get_linux_mounts
	 * gives exactly these for this text). */
	T_EQ_STR(value_get_str(m, "/mnt/bind", NULL), "/dev/srv/data");
	T_EQ_STR(value_get_str(m, "/mnt/bind/sub", NULL), "/mnt/bind/srv/data/sub");
	T_EQ_INT(value_len(m), 4);
	value_unref(m);
}

static void test_sysctl(void)
{
	const char *in = "# comment\n; other\nkernel.printk = 3 4 1 3\n  fs.file-max=100  \nnoequals\n\n"
	                 "kernel.printk=9\n";
	struct buf out;
	char *old = NULL;

	buf_init(&out, 0);
	sysparse_sysctl(in, "kernel.printk", "4 4 1 7", &out, &old);
	T_EQ_STR(buf_str(&out), "# comment\n; other\nkernel.printk=4 4 1 7\nfs.file-max=100\nnoequals\n\n");
	T_EQ_STR(old, "9");
	free(old);
	buf_reset(&out);
	sysparse_sysctl(in, "fs.file-max", NULL, &out, &old);
	T_EQ_STR(buf_str(&out), "# comment\n; other\nkernel.printk=3 4 1 3\nnoequals\n\n");
	T_EQ_STR(old, "100");
	free(old);
	buf_reset(&out);
	sysparse_sysctl("", "vm.swappiness", "10", &out, &old);
	T_EQ_STR(buf_str(&out), "vm.swappiness=10\n");
	T_CHECK(old == NULL);
	buf_fini(&out);
}

int main(void)
{
	T_RUN(test_show);
	T_RUN(test_mountinfo);
	T_RUN(test_sysctl);
	return T_DONE();
}
