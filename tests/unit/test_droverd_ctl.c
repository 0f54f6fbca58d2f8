/* The control server's sockets (ctl_listen.c): the unix socket made under
 * a new 0700 directory, refused while another server listens there, taken
 * over when stale; [inet_http_server] kept to loopback; who may talk on the
 * unix socket (peer credentials). */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "droverd/ctl_listen.h"
#include "t.h"

static char dir[64];

static struct srvconf unix_conf(const char *file)
{
	struct srvconf s;

	memset(&s, 0, sizeof(s));
	s.family = SRV_UNIX;
	s.section = "unix_http_server";
	s.file = (char *)file;
	s.chmod = 0700;
	s.chown_uid = (uid_t)-1;
	s.chown_gid = (gid_t)-1;
	return s;
}

static void test_unix(void)
{
	char *sub = xasprintf("%s/run", dir), *file = xasprintf("%s/run/ctl.sock", dir);
	struct srvconf s = unix_conf(file);
	char *warn = NULL, *err = NULL;
	struct stat st;
	int fd = -1, fd2 = -1;

	T_EQ_INT(ctl_listen_open(&s, &fd, &warn, &err), 0);
	T_CHECK(fd >= 0 && warn == NULL && err == NULL);
	T_CHECK(stat(sub, &st) == 0 && (st.st_mode & 0777) == 0700);
	T_CHECK(stat(file, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0700);
	/* A live server keeps its socket. */
	T_EQ_INT(ctl_listen_open(&s, &fd2, &warn, &err), CTL_LISTEN_IN_USE);
	T_CHECK(fd2 < 0 && stat(file, &st) == 0);
	free(warn);
	free(err);
	/* A stale one (nobody listening) is replaced. */
	close(fd);
	fd = -1;
	T_EQ_INT(ctl_listen_open(&s, &fd, &warn, &err), 0);
	T_CHECK(fd >= 0);
	close(fd);
	unlink(file);
	rmdir(sub);
	free(sub);
	free(file);
}

static void test_inet(void)
{
	struct srvconf s;
	char *warn = NULL, *err = NULL;
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = -1;

	memset(&s, 0, sizeof(s));
	s.family = SRV_INET;
	s.section = "inet_http_server";
	s.host = "";
	s.port = 0;
	T_EQ_INT(ctl_listen_open(&s, &fd, &warn, &err), 0);
	T_CHECK(warn != NULL && strstr(warn, "127.0.0.1 only") != NULL);
	T_CHECK(fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0 &&
	        ntohl(sa.sin_addr.s_addr) == 0x7f000001);
	if (fd >= 0)
		close(fd);
	free(warn);
	s.host = "192.0.2.1";
	T_CHECK(ctl_listen_open(&s, &fd, &warn, &err) != 0);
	T_CHECK(fd < 0 && err != NULL && strstr(err, "loopback only") != NULL);
	free(warn);
	free(err);
}

static void test_peer(void)
{
	struct srvconf s = unix_conf("/x");

	T_CHECK(ctl_listen_peer_ok(&s, 0));
	T_CHECK(ctl_listen_peer_ok(&s, geteuid()));
	T_CHECK(!ctl_listen_peer_ok(&s, 54321));
	s.chown_uid = 54321;
	T_CHECK(ctl_listen_peer_ok(&s, 54321));
	T_CHECK(!ctl_listen_peer_ok(&s, 54322));
	s.chmod = 0770;
	T_CHECK(ctl_listen_peer_ok(&s, 54322));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/drover-ctl.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	T_RUN(test_unix);
	T_RUN(test_inet);
	T_RUN(test_peer);
	rmdir(dir);
	return T_DONE();
}
