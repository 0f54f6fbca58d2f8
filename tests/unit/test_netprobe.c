/* Unit tests for src/transport/netprobe: resolution in a child process
 * (numeric, by name, a name that does not exist), callbacks never inside the
 * starting call, the child reaped (ev_run returns), TCP connect to a
 * listener and to a closed port. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/err.h"
#include "base/ev.h"
#include "transport/netprobe.h"
#include "t.h"

struct res {
	int called, err;
	size_t n;
	char first[64];
	char msg[256];
};

static void on_res(int err, const char *msg, const struct netprobe_addr *addrs, size_t n, void *arg)
{
	struct res *r = arg;

	r->called++;
	r->err = err;
	r->n = n;
	if (n > 0)
		snprintf(r->first, sizeof(r->first), "%s", addrs[0].text);
	if (msg != NULL)
		snprintf(r->msg, sizeof(r->msg), "%s", msg);
}

static void resolve(const char *host, struct res *r)
{
	struct ev_loop *loop = ev_new();

	memset(r, 0, sizeof(*r));
	netprobe_resolve(loop, host, 22, 5000, on_res, r);
	/* Never from inside the call. */
	T_EQ_INT(r->called, 0);
	/* Returns only once the child is reaped and nothing is left. */
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(r->called, 1);
	ev_free(loop);
}

static void test_resolve_numeric(void)
{
	struct res r;

	resolve("127.0.0.1", &r);
	T_EQ_INT(r.err, 0);
	T_EQ_INT(r.n, 1);
	T_EQ_STR(r.first, "127.0.0.1");
	resolve("::1", &r);
	T_EQ_INT(r.err, 0);
	T_EQ_STR(r.first, "::1");
}

static void test_resolve_name(void)
{
	struct res r;

	resolve("localhost", &r);
	T_EQ_INT(r.err, 0);
	T_CHECK(r.n >= 1);
	T_CHECK(strcmp(r.first, "127.0.0.1") == 0 || strcmp(r.first, "::1") == 0);
}

static void test_resolve_unknown(void)
{
	struct res r;

	/* .invalid never resolves (RFC 2606); a resolver that does not answer
	 * at all ends in the deadline, which is a failure too. */
	resolve("nosuch-host.invalid", &r);
	T_CHECK(r.err != 0);
	T_EQ_INT(r.n, 0);
	T_CHECK(r.msg[0] != '\0');
}

struct con {
	int called, r;
};

static void on_con(int r, void *arg)
{
	struct con *c = arg;

	c->called++;
	c->r = r;
}

/* A loopback TCP socket bound to a port the kernel picks; listening when
 * asked. Returns the fd and the address in *a. */
static int bound(int listening, struct netprobe_addr *a)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(a, 0, sizeof(*a));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->len = sizeof(*sin);
	T_CHECK(fd >= 0);
	T_EQ_INT(bind(fd, (struct sockaddr *)sin, a->len), 0);
	T_EQ_INT(getsockname(fd, (struct sockaddr *)sin, &a->len), 0);
	if (listening)
		T_EQ_INT(listen(fd, 4), 0);
	snprintf(a->text, sizeof(a->text), "127.0.0.1");
	return fd;
}

static void probe(const struct netprobe_addr *a, struct con *c)
{
	struct ev_loop *loop = ev_new();

	memset(c, 0, sizeof(*c));
	netprobe_connect(loop, a, 5000, on_con, c);
	T_EQ_INT(c->called, 0);
	T_EQ_INT(ev_run(loop), 0);
	T_EQ_INT(c->called, 1);
	ev_free(loop);
}

static void test_connect_listener(void)
{
	struct netprobe_addr a;
	struct con c;
	int fd = bound(1, &a);

	probe(&a, &c);
	T_EQ_INT(c.r, 0);
	close(fd);
}

static void test_connect_refused(void)
{
	struct netprobe_addr a;
	struct con c;
	/* Bound but not listening: the port is ours and nobody accepts. */
	int fd = bound(0, &a);

	probe(&a, &c);
	T_EQ_INT(c.r, -ECONNREFUSED);
	close(fd);
}

int main(void)
{
	T_RUN(test_resolve_numeric);
	T_RUN(test_resolve_name);
	T_RUN(test_resolve_unknown);
	T_RUN(test_connect_listener);
	T_RUN(test_connect_refused);
	return T_DONE();
}
