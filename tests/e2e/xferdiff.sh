# Helpers for the transfer differentials (sourced after lib.sh, sshd.sh and sshrun.sh, with one
# sshd host h1 started; POSIX sh). The playbook $PB/$XD_PLAYBOOK writes under the extra var
# root: $ADIR for ansible-playbook, $DDIR for drover.
#   xd_play TOOL ROOT ARGS...  runs the playbook with TOOL (a or d) and ARGS; output in $T_TMP/TOOL.out
#   xd_summary TOOL            its debug "msg" lines and recap, roots masked (Ansible runs scripts on
#                              a tty, drover never does: "\r\n" reads "\n")
#   xd_tree DIR                what DIR holds: paths, types, modes, link targets and contents, masked
#   xd_compare NAME            the two summaries and the two trees must agree (two checks)
ADIR=$T_TMP/a
DDIR=$T_TMP/d

xd_play() {
	local tool=$1 root=$2
	shift 2
	if [ "$tool" = a ]; then
		(cd "$PB" && sshd_ansible timeout -k 2 180 ansible-playbook -i "$SSHD_INVENTORY" -e root="$root" "$@" \
			"$XD_PLAYBOOK") > "$T_TMP/$tool.out" 2>&1
	else
		(cd "$PB" && sshd_ansible env XDG_RUNTIME_DIR="$DR_XDG" timeout -k 2 60 "$DROVER" playbook \
			-i "$SSHD_INVENTORY" -e root="$root" "$@" "$XD_PLAYBOOK") > "$T_TMP/$tool.out" 2>&1
	fi
}
xd_mask() { sed -e "s|$ADIR|ROOT|g; s|$DDIR|ROOT|g; s|${ADIR#/}|ROOT|g; s|${DDIR#/}|ROOT|g"; }
xd_summary() { grep -E '"msg"|^h1 ' "$T_TMP/$1.out" | xd_mask | sed -e 's/  */ /g; s/\\r\\n/\\n/g'; }
xd_tree() {
	[ -d "$1" ] || { echo absent; return; }
	(cd "$1" && find . -printf '%p %y %m %l\n' | sort && find . -type f | sort | xargs md5sum) | xd_mask
}
xd_compare() {
	check_eq "$1: registered results and recap" "$(xd_summary d)" "$(xd_summary a)"
	check_eq "$1: files left" "$(xd_tree "$DDIR")" "$(xd_tree "$ADIR")"
}
