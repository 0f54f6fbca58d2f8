#!/bin/sh
# mount against Ansible (ansible.posix.mount): an fstab in a temporary directory, and tmpfs
# mounts made and removed in the host's private mount namespace (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start mount "needs mount namespaces (unshare -m) and the ansible.posix collection (package ansible)" \
	sm_posix unshare -m true
sm_host mx "-m" ":" || { not_ok "sm_host mx"; t_done; exit; }

mount_reset() {
	sm_in mx sh -c "grep -o ' $SM_DIR/[^ ]*' /proc/self/mountinfo | sort -r | while read -r m; do umount \"\$m\"; done
rm -rf '$SM_DIR' && mkdir -p '$SM_DIR/mnt/d' '$SM_DIR/mnt/e' &&
mount -t tmpfs -o size=1m tmpfs '$SM_DIR/mnt/d' && mount -t tmpfs -o size=1m tmpfs '$SM_DIR/mnt/e'" &&
		cat > "$SM_DIR/fstab" <<-EOF2 && chmod 0640 "$SM_DIR/fstab"
	# a comment
	UUID=1234 / ext4 errors=remount-ro 0 1
	tmpfs $SM_DIR/mnt/b tmpfs defaults 0 0
	tmpfs $SM_DIR/mnt/four tmpfs defaults
	tmpfs $SM_DIR/mnt/e tmpfs size=1m 0 0

	tmpfs $SM_DIR/mnt/f tmpfs size=1m 0 0
	EOF2
}
mount_snap() {
	for f in "$SM_DIR/fstab" "$SM_DIR/new/fstab"; do
		[ -e "$f" ] || continue
		echo "== $f $(stat -c %a "$f")"
		cat "$f"
	done
	echo "== directories"
	find "$SM_DIR" -type d | sort
	echo "== mounts"
	sm_in mx findmnt -rn -o TARGET,SOURCE,FSTYPE,FS-OPTIONS | grep "^$SM_DIR" | sort
}
# Ansible creates a missing fstab (and its directory) even in check mode; so does drover.
SM_CHECK_EXCEPT="$SM_DIR/new"
sm_case "mount" mount.yml mount_reset mount_snap
dr_masters > /dev/null
t_done
