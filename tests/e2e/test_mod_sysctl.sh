#!/bin/sh
# sysctl against Ansible (ansible.posix.sysctl): a sysctl.conf-style file edited in a temporary
# directory, and sysctl_set/reload in the host's private network namespace (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start sysctl "needs namespaces (unshare -n -m) and the ansible.posix collection (package ansible)" \
	sm_posix unshare -n -m true
sm_host sx "-m -n" ":" || { not_ok "sm_host sx"; t_done; exit; }

sysctl_reset() {
	rm -rf "$SM_DIR" && mkdir -p "$SM_DIR" &&
		printf '# comment\n; other\nkernel.printk = 3 4 1 3\n  fs.file-max=100  \nnoequals\n\nkernel.printk=9\n' \
			> "$SM_DIR/sysctl.conf" &&
		chmod 0640 "$SM_DIR/sysctl.conf" &&
		sm_in sx sysctl -q -w net.ipv4.ip_forward=0
}
sysctl_snap() {
	for f in "$SM_DIR"/*; do
		echo "== $f $(stat -c %a "$f")"
		cat "$f"
	done
	echo "ip_forward=$(sm_in sx sysctl -n net.ipv4.ip_forward)"
}
sm_case "sysctl" sysctl.yml sysctl_reset sysctl_snap
dr_masters > /dev/null
t_done
