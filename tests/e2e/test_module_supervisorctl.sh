#!/bin/sh
# The supervisorctl module (community.general.supervisorctl's names and
# semantics) on an sshd host running a real supervisord: each state's
# changed flag, affected list and failure words as the community module
# gives them (its source is the reference: community.general is not
# installed here), check mode, and the same module driving droverctl
# (supervisorctl_path) instead of supervisorctl.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || [ ! -x /usr/bin/supervisord ]; then
	skip "supervisorctl module" "openssh or supervisord not installed"
	t_done; exit
fi
if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi
SV=$T_TMP/sv
mkdir -p "$SV"
cat > "$SV/supervisord.conf" <<CONF
[unix_http_server]
file=$SV/sv.sock
[supervisord]
logfile=$SV/main.log
pidfile=$SV/sv.pid
childlogdir=$SV
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://$SV/sv.sock
[program:a]
command=sleep 300
startsecs=0
[group:g]
programs=c,d
[program:c]
command=sleep 301
startsecs=0
[program:d]
command=sleep 302
startsecs=0
CONF
(cd "$SV" && exec /usr/bin/supervisord -n -c "$SV/supervisord.conf" > "$SV/out.txt" 2>&1) &
SVPID=$!
track_pid "$SVPID"
sv_kill_children() {
	for p in $(sed -n "s/.*spawned: '.*' with pid \([0-9]*\)$/\1/p" "$SV/main.log" 2>/dev/null); do
		kill -9 "$p" 2>/dev/null
	done
}
dr_on_exit "kill -9 $SVPID 2>/dev/null; sv_kill_children"
ctl() { /usr/bin/supervisorctl -c "$SV/supervisord.conf" "$@"; }
all_running() { [ "$(ctl status | grep -c RUNNING)" = 3 ]; }
check "supervisord runs a, g:c and g:d" wait_for 20 all_running

# sc [ARGS...] -- MODULE-ARGS: one ad-hoc supervisorctl task on h1; its one-line result in $OUT.
sc() {
	mod=supervisorctl
	if [ "$1" = "-m" ]; then mod=$2; shift 2; fi
	extra=""
	while [ "$1" != "--" ]; do extra="$extra $1"; shift; done
	shift
	# shellcheck disable=SC2086
	dr h1 -i "$SSHD_INVENTORY" -o $extra -m "$mod" -a "config=$SV/supervisord.conf $*"
	OUT=$(sed -e 's/"invocation": {[^}]*}, *//' -e "s|$SV|SV|g" "$DR_OUT")
}
state_of() { ctl status "$1" | awk '{print $2}'; }

sc -- name=a state=stopped
check_eq "stopped: changed, affected [a]" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "stopped"}'
check_eq "stopped: a is STOPPED" "$(state_of a)" STOPPED
sc -- name=a state=stopped
check_eq "stopped again: not changed" "$OUT" 'h1 | SUCCESS => {"changed": false,"name": "a","state": "stopped"}'
sc -C -- name=a state=started
check_eq "check mode: changed and nothing more" "$OUT" 'h1 | CHANGED => {"changed": true}'
check_eq "check mode: a still STOPPED" "$(state_of a)" STOPPED
sc -- name=a state=started
check_eq "started: changed" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "started"}'
check_eq "started: a RUNNING" "$(state_of a)" RUNNING
sc -- name=g: state=stopped
check_eq "group stopped" "$OUT" 'h1 | CHANGED => {"affected": ["g:c","g:d"],"changed": true,"name": "g","state": "stopped"}'
sc -- name=all state=started
check_eq "all started: only the stopped ones" "$OUT" 'h1 | CHANGED => {"affected": ["g:c","g:d"],"changed": true,"name": "all","state": "started"}'
sc -- name=a state=restarted
check_eq "restarted: changed" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "restarted"}'
sc -- name=a state=signalled signal=HUP
check_eq "signalled" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "signalled"}'
wait_for 10 all_running
sc -- name=a state=signalled
check "signalled without a signal fails" dr_has "$DR_OUT" '"msg": "state is signalled but all of the following are missing: signal"'
sc -- name=nope state=started
check_eq "an unknown name fails" "$OUT" 'h1 | FAILED! => {"changed": false,"msg": "ERROR (no such process)","name": "nope","state": "started"}'
sc -- name=a state=absent
check "absent while running fails with supervisorctl's words" dr_has "$DR_OUT" 'ERROR: process/group still running: a'
sc -- name=a state=absent stop_before_removing=true
check_eq "absent, stopping first" "$OUT" 'h1 | CHANGED => {"changed": true,"name": "a","state": "absent"}'
sc -- name=a state=absent
check_eq "absent again: not changed" "$OUT" 'h1 | SUCCESS => {"changed": false,"name": "a","state": "absent"}'
sc -- name=a state=present
check_eq "present: added" "$OUT" 'h1 | CHANGED => {"changed": true,"name": "a","state": "present"}'
sc -- name=a state=present
check_eq "present again: not changed" "$OUT" 'h1 | SUCCESS => {"changed": false,"name": "a","state": "present"}'
sc -- name=a state=started supervisorctl_path=/nonexistent
check "a bad supervisorctl_path fails" dr_has "$DR_OUT" "Provided path to supervisorctl does not exist or isn't executable: /nonexistent"

# The same module through droverctl.
sc -m community.general.supervisorctl -- name=a state=stopped supervisorctl_path=$BUILD/droverctl
check_eq "droverctl: stopped" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "stopped"}'
sc -- name=a state=stopped supervisorctl_path=$BUILD/droverctl
check_eq "droverctl: stopped again" "$OUT" 'h1 | SUCCESS => {"changed": false,"name": "a","state": "stopped"}'
sc -- name=g: state=restarted supervisorctl_path=$BUILD/droverctl
check_eq "droverctl: group restarted" "$OUT" 'h1 | CHANGED => {"affected": ["g:c","g:d"],"changed": true,"name": "g","state": "restarted"}'
sc -- name=a state=started supervisorctl_path=$BUILD/droverctl
check_eq "droverctl: started" "$OUT" 'h1 | CHANGED => {"affected": ["a"],"changed": true,"name": "a","state": "started"}'
check_eq "droverctl: a RUNNING" "$(state_of a)" RUNNING
t_done
