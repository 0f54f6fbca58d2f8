#!/bin/sh
# hostname against Ansible in a private UTS and mount namespace: /etc/hostname there is a file
# of the test's bind-mounted over it; a stand-in hostnamectl (tests/e2e/fakebin/hostnamectl)
# sets the namespace's real hostname (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start hostname "needs UTS and mount namespaces and /etc/hostname, and no running systemd" \
	sh -c 'unshare -u -m true && [ -f /etc/hostname ] && [ ! -d /run/systemd/system ]'
HN=$T_TMP/hostnamed
mkdir -p "$HN"
echo "before-name" > "$T_TMP/etc_hostname"
sm_host hn "-u -m" "mount --bind $T_TMP/etc_hostname /etc/hostname" \
	"HOME=$SSHD_HOME FAKE_HOSTNAMED=$HN" || { not_ok "sm_host hn"; t_done; exit; }

hostname_reset() {
	echo "before-name" > "$T_TMP/etc_hostname" && echo "static-name" > "$HN/static" && : > "$HN/calls" &&
		sm_in hn hostname transient-name
}
hostname_snap() {
	echo "/etc/hostname: $(sm_in hn cat /etc/hostname)"
	echo "kernel: $(sm_in hn hostname)"
	echo "static: $(cat "$HN/static")"
	cat "$HN/calls"
}
SM_CHECK_EXCEPT="^call: "
sm_case "hostname" hostname.yml hostname_reset hostname_snap -e fakebin="$ROOT/tests/e2e/fakebin"
# The names set stayed in the namespace.
check "this host's name is untouched" [ "$(hostname)" != db2.example.test ]
dr_masters > /dev/null
t_done
