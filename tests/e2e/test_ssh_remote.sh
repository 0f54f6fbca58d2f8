#!/bin/sh
# The remote side of the bootstrap on awkward hosts: no home directory, a read-only home (the
# worker goes to a private /tmp/drover-UID, once), nowhere executable (noexec everywhere), a
# /tmp/drover-UID squatted by another user, an unsupported architecture (a fake `uname` first
# in the sessions' PATH), and a cached worker that dies or babbles before its hello. Each host is a ProxyCommand sshd; those that need mounts run in
# a private mount namespace with their own /tmp (sshd_proxy_ns), so nothing leaks to this host.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "remote bootstrap" "openssh-server or openssh-client not installed"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
INV=$T_TMP/inv.ini
UID_=$(id -u)
ARCH=$(uname -m)
echo "[all]" > "$INV"

# The architecture check needs no namespace: `uname -m` lies.
mkdir -p "$T_TMP/fakebin" "$T_TMP/archhome"
printf '#!/bin/sh\n[ "$1" = -m ] && { echo sparc64; exit 0; }\nexec /bin/uname "$@"\n' > "$T_TMP/fakebin/uname"
chmod 755 "$T_TMP/fakebin/uname"
sshd_proxy_config arch "HOME=$T_TMP/archhome PATH=$T_TMP/fakebin:/usr/bin:/bin"
echo arch >> "$INV"

# A worker in the cache that is not one: it dies at once (saying why on stderr), or writes
# what is not a frame and then waits for its input to end.
HASH=$(sha256sum < "$BUILD/drover-worker" | cut -c1-64)
for h in dies babbles; do
	mkdir -p "$T_TMP/$h/.cache/drover/$HASH"
	sshd_proxy_config "$h" "HOME=$T_TMP/$h"
	echo "$h" >> "$INV"
done
printf '#!/bin/sh
echo "cannot start: missing frobnicator" >&2
exit 3
' \
	> "$T_TMP/dies/.cache/drover/$HASH/drover-worker"
printf '#!/bin/sh
echo "hello there"
exec cat > /dev/null
' > "$T_TMP/babbles/.cache/drover/$HASH/drover-worker"
chmod 755 "$T_TMP/dies/.cache/drover/$HASH/drover-worker" "$T_TMP/babbles/.cache/drover/$HASH/drover-worker"

reason=$(sshd_ns_usable) || reason="${reason:-no namespaces}"
if [ -z "$reason" ]; then
	mkdir -p "$T_TMP/rohome" "$T_TMP/nxhome"
	sshd_proxy_ns nohome "HOME=/nonexistent/home" ":"
	sshd_proxy_ns rohome "HOME=$T_TMP/rohome" \
		"mount --bind $T_TMP/rohome $T_TMP/rohome; mount -o remount,bind,ro $T_TMP/rohome"
	sshd_proxy_ns noexec "HOME=$T_TMP/nxhome" \
		"mount --bind $T_TMP/nxhome $T_TMP/nxhome; mount -o remount,bind,noexec $T_TMP/nxhome;
		mount -o remount,noexec /tmp"
	sshd_proxy_ns squat "HOME=/nonexistent/home" "mkdir -m 0700 /tmp/drover-$UID_; chown nobody /tmp/drover-$UID_"
	printf 'nohome\nrohome\nnoexec\nsquat\n' >> "$INV"
fi

dr all -i "$INV" -m shell -a 'ls -ld /tmp/drover-$(id -u) | cut -c1-10; echo /tmp/drover-$(id -u)/*/*' -o -vv
out=$(cat "$DR_OUT")

case "$out" in
*"arch | UNREACHABLE!: bootstrap failed: unsupported architecture sparc64 (this drover has a worker for $ARCH only)"*)
	ok "unsupported architecture: phase bootstrap, both architectures named" ;;
*) not_ok "unsupported architecture: phase bootstrap, both architectures named"; diag "$out" ;;
esac
check "unsupported architecture: nothing uploaded" sh -c "! grep -q '<arch> uploading' '$DR_ERR'"
check_eq "unsupported architecture: nothing written to its home" "$(ls -A "$T_TMP/archhome")" ""
case "$out" in
*"dies | UNREACHABLE!: hello failed: the worker never said hello: the process exited with status 3; ssh said: cannot start: missing frobnicator"*)
	ok "a worker that dies: phase hello, its exit status and its words" ;;
*) not_ok "a worker that dies: phase hello, its exit status and its words"; diag "$out" ;;
esac
case "$out" in
*"babbles | UNREACHABLE!: hello failed: bad data from the worker"*)
	ok "a worker that writes no frame: phase hello, at once" ;;
*) not_ok "a worker that writes no frame: phase hello, at once"; diag "$out" ;;
esac

if [ -n "$reason" ]; then
	skip "hosts without a usable home or exec permission" "$reason"
	check_eq "exit 4 (a host unreachable)" "$DR_RC" 4
	t_done; exit
fi

check_eq "exit 4 (some hosts unreachable)" "$DR_RC" 4
for h in nohome rohome; do
	check_eq "$h: works, the worker in a private /tmp/drover-UID" \
		"$(grep "^$h " "$DR_OUT")" "$h | CHANGED | rc=0 | (stdout) drwx------\\n/tmp/drover-$UID_/$(
			sha256sum < "$BUILD/drover-worker" | cut -c1-64)/drover-worker"
	check "$h: -vv says the worker was uploaded" dr_has "$DR_ERR" "<$h> uploading the worker"
done
check_eq "rohome: the read-only home is untouched" "$(ls -A "$T_TMP/rohome")" ""

case "$out" in
*"noexec | UNREACHABLE!: bootstrap failed: no usable directory for the worker; tried: $T_TMP/nxhome/.cache/drover/"*" (cannot execute there: noexec?) /tmp/drover-$UID_/"*" (cannot execute there: noexec?)"*)
	ok "noexec home and /tmp: phase bootstrap, each directory and why" ;;
*) not_ok "noexec home and /tmp: phase bootstrap, each directory and why"; diag "$out" ;;
esac
check_eq "noexec: no half-written worker left in the home" \
	"$(find "$T_TMP/nxhome" -type f | wc -l)" 0

case "$out" in
*"squat | UNREACHABLE!: bootstrap failed: no usable directory for the worker; tried: /nonexistent/home/.cache/drover/"*" (no home directory) /tmp/drover-$UID_ (not a private directory)"*)
	ok "/tmp/drover-UID owned by another user: refused" ;;
*) not_ok "/tmp/drover-UID owned by another user: refused"; diag "$out" ;;
esac

# The masters keep each host's namespace (and its /tmp) alive: the next run finds the worker.
dr 'nohome:rohome' -i "$INV" -m ping -o -vv
check_eq "second run: both hosts pong" "$DR_RC $(grep -c '| SUCCESS' "$DR_OUT")" "0 2"
check_eq "second run: nothing uploaded" "$(dr_count "$DR_ERR" 'uploading the worker')" 0

t_done
