#!/bin/sh
# drover-worker's file modules (file, copy, stat, lineinfile, blockinfile,
# replace, slurp, find, tempfile) end to end: every state through the
# worker protocol (first run changed, second run not, check mode changes
# nothing, diffs), the same steps through ansible-playbook on a twin
# directory with results and resulting files compared, and atomic writes
# under a full disk. See tests/e2e/modules_files_test.py.
. "$(dirname "$0")/lib.sh"
WORKER="$BUILD/drover-worker"
if [ ! -x "$WORKER" ]; then
	not_ok "drover-worker is built ($WORKER)"
	t_done
	exit 1
fi
# The fault tests mount a small tmpfs and a file under T_TMP: unmount
# them first.
files_cleanup() {
	umount "$T_TMP/enospc" 2>/dev/null
	umount "$T_TMP/bind/target" 2>/dev/null
	t_cleanup
}
trap files_cleanup EXIT INT TERM
cd "$T_TMP" || exit 1
python3 "$ROOT/tests/e2e/modules_files_test.py" "$WORKER" "$T_TMP"
