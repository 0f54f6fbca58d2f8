#!/bin/sh
# 200 hosts in one drover run: one event loop drives them all (the default
# forks window is sized from CPU count and the open-file limit), cold and
# with their masters warm.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sshd.sh"

N=200
sshd_start "$N" || { not_ok "start $N sshd hosts"; t_done; exit 1; }
export XDG_RUNTIME_DIR="$T_TMP/xdg"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
stop_masters() {
	for s in "$XDG_RUNTIME_DIR"/drover/*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit x > /dev/null 2>&1
	done
}
trap 'stop_masters; sshd_stop; t_cleanup' EXIT

for run in cold warm; do
	"$DROVER" run lab -i "$SSHD_INVENTORY" -m ping --ssh-common-args="-F $SSHD_SSH_CONFIG" -o \
		> "$T_TMP/out.$run" 2>&1
	rc=$?
	check_eq "$run: exit code" "$rc" 0
	check_eq "$run: every host answered" "$(grep -c '| SUCCESS =>' "$T_TMP/out.$run")" "$N"
done
check_eq "one master per host" "$(ls "$XDG_RUNTIME_DIR/drover" | grep -vc '\.log$')" "$N"
t_done
