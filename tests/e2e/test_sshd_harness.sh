#!/bin/sh
# The sshd harness (tests/e2e/sshd.sh) itself: 20 loopback hosts on two sshd processes reached
# by ssh, by the bench20 floor script and by real Ansible; sessions cost no shell start-up;
# per-connection pids are found per host; the ProxyCommand variant; everything stops.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "sshd harness" "openssh-server or openssh-client not installed"
	t_done; exit
fi

S="ssh -F $SSHD_SSH_CONFIG"
FLOOR=$ROOT/../shared/bench/floor.sh
TICK=$(getconf CLK_TCK)

bench_clean() {
	i=1
	while [ "$i" -le 20 ]; do rm -rf "/tmp/bench/h$i"; i=$((i + 1)); done
}

# listener_children_cpu: CPU ticks of the finished (reaped) sessions of every listener.
listener_children_cpu() {
	t=0
	for p in $SSHD_PIDS; do
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $14 + $15 }')))
	done
	echo "$t"
}
no_sessions() { [ -z "$(sshd_session_pids)" ]; }

if ! sshd_start 20; then
	not_ok "sshd_start 20"
	t_done; exit
fi
ok "sshd_start 20"
set -- $SSHD_PIDS
check_eq "20 hosts need two sshd processes" "$#" 2
check "h1 and h20 listen on different ports" [ "$(sshd_port 1)" != "$(sshd_port 20)" ]
check_eq "inventory line format" "$(sed -n 2p "$SSHD_INVENTORY")" \
	"h1 ansible_host=127.0.1.1 ansible_port=$(sshd_port 1)"

check_eq "ssh h1 true" "$($S h1 true; echo $?)" 0
check_eq "ssh h20 runs a command" "$($S h20 echo hello)" hello
check_eq "hosts are matched by address too" "$($S 127.0.1.7 'echo $SSH_CONNECTION' | cut -d' ' -f3)" 127.0.1.7

check_eq "sessions get the empty HOME, no rc file ran" \
	"$($S h2 'echo $HOME ${PYENV_ROOT:-unset}')" "$SSHD_HOME unset"

# The shell's own CPU (including children it waited for) is in /proc/$$/stat when the
# command itself is exec'd in its place; the whole connection's is in the listener's cutime.
shell_cpu=$($S h3 'cat /proc/$$/stat' | sed 's/^.*) //' | awk '{ print $12 + $13 + $14 + $15 }')
if [ -n "$shell_cpu" ] && [ "$shell_cpu" -lt $((TICK / 10)) ]; then ok "remote shell start-up under 0.1 s CPU"
else not_ok "remote shell start-up under 0.1 s CPU"; diag "ticks: $shell_cpu"; fi
wait_for 10 no_sessions
before=$(listener_children_cpu)
$S h4 true
wait_for 10 no_sessions
used=$(( $(listener_children_cpu) - before ))
if [ "$used" -lt $((TICK / 10)) ]; then ok "server side of 'ssh h4 true' under 0.1 s CPU"
else not_ok "server side of 'ssh h4 true' under 0.1 s CPU"; diag "ticks: $used"; fi

# Per-connection pids, per host, for fault tests. The remote command waits for its stdin,
# a fifo held open here: closing it ends the command, the session and the client cleanly.
mkfifo "$T_TMP/hold"
$S h5 'exec cat > /dev/null' < "$T_TMP/hold" > "$T_TMP/client.err" 2>&1 &
client=$!
track_pid "$client"
exec 3> "$T_TMP/hold"
remote_cat_runs() { sshd_procs | grep -q ' cat$'; }
if wait_for 10 remote_cat_runs && [ -n "$(sshd_session_pids 5)" ]; then
	ok "sshd_session_pids 5 finds the session"
	check_eq "no session on h6" "$(sshd_session_pids 6)" ""
	pids=$(sshd_session_pids 5)
	for p in $pids; do kill -STOP "$p"; done
	states() { for p in $pids; do sed 's/^.*) //' "/proc/$p/stat" | cut -d' ' -f1; done | sort -u; }
	all_stopped() { [ "$(states)" = T ]; }
	wait_for 5 all_stopped   # a signal is delivered when the target next runs
	check_eq "kill -STOP freezes the session" "$(states)" T
	for p in $pids; do kill -CONT "$p"; done
	check_eq "other hosts still answer" "$($S h6 echo up)" up
else
	not_ok "sshd_session_pids 5 finds the session"
fi
exec 3>&-
wait "$client"
rc=$?
check_eq "the held session ends with its stdin" "$rc" 0
[ "$rc" -eq 0 ] || diag "$(cat "$T_TMP/client.err")"

# The bench20 floor against the same hosts.
if [ -f "$FLOOR" ]; then
	bench_clean
	check_eq "floor.sh, first run" "$(sh "$FLOOR" "$SSHD_INVENTORY" "$SSHD_SSH_CONFIG")" \
		"floor: hosts=20 changed=280 ok=120"
	check_eq "floor.sh, second run" "$(sh "$FLOOR" "$SSHD_INVENTORY" "$SSHD_SSH_CONFIG")" \
		"floor: hosts=20 changed=0 ok=400"
	bench_clean
else
	skip "floor.sh" "$FLOOR missing"
fi

# Real Ansible with the same key and known_hosts.
if command -v ansible >/dev/null; then
	out=$(sshd_ansible ansible lab -m ping 2>&1)
	n=$(echo "$out" | grep -c '| SUCCESS =>')
	check_eq "ansible lab -m ping: 20 SUCCESS" "$n" 20
	[ "$n" -eq 20 ] || diag "$(echo "$out" | head -20)"
	out=$(env ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="$SSHD_ANSIBLE_SSH_ARGS" \
		ansible all -i "$SSHD_INVENTORY" -l h9 -m command -a 'echo $HOME' 2>&1)
	check_eq "ANSIBLE_SSH_ARGS alone is enough" "$(echo "$out" | tail -n 1)" "$SSHD_HOME"
else
	skip "ansible ping" "ansible not installed"
fi

# No TCP at all: sshd -i as the ProxyCommand.
sshd_proxy_config px
check_eq "ProxyCommand host" "$($S px 'echo $HOME')" "$SSHD_HOME"
check_eq "TCP hosts still reachable after adding a proxy host" "$($S h11 echo ok)" ok

listeners=$SSHD_PIDS
sshd_stop
alive=""
for p in $listeners; do [ -d "/proc/$p" ] && alive="$alive $p"; done
check_eq "sshd_stop kills the listeners" "$alive" ""
check "no host answers after sshd_stop" sh -c "! $S -o ConnectTimeout=2 h1 true 2>/dev/null"

t_done
