# Differential runs of the system modules: the same playbook run by ansible-playbook and by
# drover against the same host, from the same starting state (sourced after lib.sh, sshd.sh and
# sshrun.sh; POSIX sh).
#
#   sm_start NAME WHY CMD...
#                     the test's start: skips it all (with WHY) unless ansible-playbook and sshd
#                     are there and CMD succeeds (unshare -m true...), then starts sshd
#   sm_posix CMD...   CMD succeeds and Ansible has the ansible.posix collection (sysctl, mount)
#   sm_units DIR U:ACTIVE:ENABLED...
#                     the state of tests/e2e/fakebin/systemctl in DIR: those units, no calls
#   sm_units_snap DIR the units' states and the calls made, for a SNAP
#   sm_host NAME FLAGS SETUP [ENV]
#                     a host NAME whose sessions run in namespaces of their own (unshare FLAGS:
#                     "-m", "-u", "-n"...) that last the whole test, after the shell commands
#                     SETUP ran in them (a tmpfs over a system directory...); ENV as in
#                     sshd_proxy_config; the host goes into the inventory $SM_INV
#   sm_plain_host NAME ENV
#                     a host NAME whose sessions run here (sshd_proxy_config NAME ENV), put into
#                     the inventory $SM_INV
#   sm_in NAME CMD... runs CMD in NAME's namespaces
#   sm_case NAME PLAYBOOK RESET SNAP [ARGS]
#                     for each tool, from the state the shell command RESET makes: the playbook
#                     in check mode with --diff (after which the state that the shell command
#                     SNAP prints must be as before), then twice with --diff (the second run
#                     shows idempotence); then five checks: check mode changed nothing, and the
#                     tools agree on the exit statuses, the recaps, the output with -v (every
#                     task's full result and diff) and the state after every run. ARGS go to
#                     both tools (-e ...). Lines of the state matching the grep pattern
#                     $SM_CHECK_EXCEPT (when set) are left out of the check-mode comparison: what
#                     Ansible itself changes in check mode.
# The playbooks are in tests/playbooks/sysmods/; $SM_DIR is passed to them as sm_dir.
SM_PB=$ROOT/tests/playbooks/sysmods
SM_INV=$T_TMP/sm_inventory.ini
SM_DIR=$T_TMP/sm
SM_NORM="python3 $ROOT/tests/e2e/pbdiff_norm.py"
SM_N=0
mkdir -p "$SM_DIR"
echo "[sys]" > "$SM_INV"

sm_start() {
	local name=$1 why=$2
	shift 2
	if ! command -v ansible-playbook >/dev/null || [ ! -x "$SSHD_BIN" ]; then
		skip "$name" "ansible-playbook or sshd missing"
		t_done; exit 0
	fi
	if ! "$@" >/dev/null 2>&1; then
		skip "$name" "$why"
		t_done; exit 0
	fi
	sshd_start 1 || { not_ok "sshd_start"; t_done; exit 1; }
}

sm_posix() {
	local py
	# The Python that runs ansible-playbook is the one whose collections count.
	py=$(sed -n '1s/^#! *//p' "$(command -v ansible-playbook)")
	"$@" && ${py:-python3} -c "import ansible_collections.ansible.posix"
}

sm_units() {
	local dir=$1 u
	shift
	rm -rf "$dir" && mkdir -p "$dir" && : > "$dir/calls" || return 1
	for u in "$@"; do
		mkdir "$dir/${u%%:*}.service" || return 1
		echo "$u" | cut -d: -f2 > "$dir/${u%%:*}.service/active"
		echo "$u" | cut -d: -f3 > "$dir/${u%%:*}.service/enabled"
	done
}

sm_units_snap() {
	local u
	for u in "$1"/*.service; do
		echo "$(basename "$u") $(cat "$u/active") $(cat "$u/enabled")"
	done
	cat "$1/calls"
}

sm_host() {
	local name=$1 pid
	unshare $2 --propagation private /bin/sh -c "$3
exec sleep 100000" > "$T_TMP/sm_host.$name.log" 2>&1 &
	pid=$!
	track_pid "$pid"
	eval "SM_PID_$name=$pid"
	# The holder's namespaces are its own once it runs sleep.
	wait_for 10 sm_sleeping "$pid" || { diag "sm_host $name: $(cat "$T_TMP/sm_host.$name.log")"; return 1; }
	sshd_proxy_nsenter "$name" "${4:-HOME=$SSHD_HOME}" "$pid" "$(echo "$2" | sed 's/--fork//')" || return 1
	echo "$name" >> "$SM_INV"
}

sm_plain_host() {
	sshd_proxy_config "$1" "$2" || return 1
	echo "$1" >> "$SM_INV"
}

sm_sleeping() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = sleep ]; }

sm_in() {
	local name=$1 pid
	shift
	eval "pid=\$SM_PID_$name"
	nsenter -t "$pid" -a "$@"
}

# _sm_run TOOL OUT ARGS...: one run; output (status appended) in OUT.
_sm_run() {
	local tool=$1 out=$2
	shift 2
	if [ "$tool" = a ]; then
		(cd "$SM_PB" && sshd_ansible env ANSIBLE_PIPELINING=1 timeout -k 2 120 ansible-playbook -v -i "$SM_INV" -e sm_dir="$SM_DIR" "$@") \
			> "$out" 2> "$out.err"
	else
		(cd "$SM_PB" && sshd_ansible env XDG_RUNTIME_DIR="$DR_XDG" timeout -k 2 60 \
			"$DROVER" playbook -v -i "$SM_INV" -e sm_dir="$SM_DIR" "$@") > "$out" 2> "$out.err"
	fi
	echo "rc=$?" >> "$out"
	# -v makes ansible-playbook name its config file; drover reads the same one silently.
	sed -i '/^Using .* as config file$/d' "$out"
}

_sm_cmp() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$3" > "$T_TMP/want"
		printf '%s\n' "$2" > "$T_TMP/got"
		diag "$(diff -u "$T_TMP/want" "$T_TMP/got" | head -80)"
	fi
}

sm_case() {
	local _smname=$1 _smpb=$2 _smreset=$3 _smsnap=$4 _smf _smt
	shift 4
	SM_N=$((SM_N + 1))
	_smf=$T_TMP/smcase$SM_N
	for _smt in a d; do
		eval "$_smreset" || { not_ok "$_smname: reset"; return 1; }
		eval "$_smsnap" > "$_smf.$_smt.snap0" 2>&1
		_sm_run "$_smt" "$_smf.$_smt.check" "$_smpb" -C -D "$@"
		eval "$_smsnap" > "$_smf.$_smt.snapc" 2>&1
		_sm_run "$_smt" "$_smf.$_smt.run1" "$_smpb" -D "$@"
		eval "$_smsnap" > "$_smf.$_smt.snap1" 2>&1
		_sm_run "$_smt" "$_smf.$_smt.run2" "$_smpb" -D "$@"
		eval "$_smsnap" > "$_smf.$_smt.snap2" 2>&1
	done
	if ! grep -q '^PLAY RECAP' "$_smf.a.run1"; then
		not_ok "$_smname: ansible-playbook runs it"
		diag "$(head -c 800 "$_smf.a.run1.err")"
	fi
	for _smt in a d; do
		_sm_cmp "$_smname: check mode changes nothing ($_smt)" \
			"$(grep -v -e "${SM_CHECK_EXCEPT:-^\$^}" "$_smf.$_smt.snapc")" \
			"$(grep -v -e "${SM_CHECK_EXCEPT:-^\$^}" "$_smf.$_smt.snap0")"
	done
	_sm_cmp "$_smname: exit statuses" "$(grep -h '^rc=' "$_smf.d.check" "$_smf.d.run1" "$_smf.d.run2")" \
		"$(grep -h '^rc=' "$_smf.a.check" "$_smf.a.run1" "$_smf.a.run2")"
	_sm_cmp "$_smname: recaps" "$(for _smt in check run1 run2; do $SM_NORM recap "$_smf.d.$_smt"; done)" \
		"$(for _smt in check run1 run2; do $SM_NORM recap "$_smf.a.$_smt"; done)"
	_sm_cmp "$_smname: output, results and diffs" "$(for _smt in check run1 run2; do $SM_NORM out "$_smf.d.$_smt"; done)" \
		"$(for _smt in check run1 run2; do $SM_NORM out "$_smf.a.$_smt"; done)"
	_sm_cmp "$_smname: state after each run" "$(cat "$_smf.d.snap1" "$_smf.d.snap2")" "$(cat "$_smf.a.snap1" "$_smf.a.snap2")"
	[ -n "${SM_KEEP:-}" ] && cp "$_smf".* "$SM_KEEP/"
	return 0
}
