#!/bin/sh
# drover run over OpenSSH against real sshd: ping and command on TCP hosts and a ProxyCommand
# host; the second run reuses every ControlMaster, logs in nowhere and uploads nothing;
# --no-persist and DROVER_CONTROL_PERSIST; what -vv and -vvvv show; keepalive and timeout
# settings on ssh's command line (the user's own -o first); an unreachable port and an
# unknown host key and an unresolvable name as UNREACHABLE with the phase and ssh's words.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "drover run over ssh" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if ! sshd_start 3; then
	not_ok "sshd_start 3"
	t_done; exit
fi
sshd_proxy_config px
INV=$T_TMP/inv.ini
{ cat "$SSHD_INVENTORY"; printf '[proxied]\npx\n'; } > "$INV"
export ANSIBLE_NOCOLOR=1

accepted() { cat "$SSHD_DIR"/*.log | grep -c 'Accepted publickey'; }

# First run: a master per host, the worker uploaded where it is not cached yet (the hosts
# share one HOME, so at least once).
dr 'all' -i "$INV" -m ping -o -vv
check_eq "first run: exit 0" "$DR_RC" 0
check_eq "first run: every host pongs" "$(sort "$DR_OUT")" \
'h1 | SUCCESS => {"changed": false,"ping": "pong"}
h2 | SUCCESS => {"changed": false,"ping": "pong"}
h3 | SUCCESS => {"changed": false,"ping": "pong"}
px | SUCCESS => {"changed": false,"ping": "pong"}'
check "-vv says the worker is uploaded" dr_has "$DR_ERR" "uploading the worker"
masters1=$(dr_masters | sort | tr '\n' ' ')
check_eq "one live master per host" "$(echo $masters1 | wc -w)" 4
logins1=$(accepted)

# Second run: the same masters, no login, no upload; -vvvv names each decision.
dr 'all' -i "$INV" -m command -a 'echo $HOME' -o -vvvv
check_eq "second run: exit 0" "$DR_RC" 0
check_eq "second run: command on every host" "$(sort "$DR_OUT")" \
"h1 | CHANGED | rc=0 | (stdout) $SSHD_HOME
h2 | CHANGED | rc=0 | (stdout) $SSHD_HOME
h3 | CHANGED | rc=0 | (stdout) $SSHD_HOME
px | CHANGED | rc=0 | (stdout) $SSHD_HOME"
check_eq "second run: every master reused (-vvvv)" "$(dr_count "$DR_ERR" 'alive (reusing the master)')" 4
check_eq "second run: nothing uploaded" "$(dr_count "$DR_ERR" 'uploading the worker')" 0
check_eq "second run: no new login on any server" "$(accepted)" "$logins1"
check_eq "second run: same master processes" "$(dr_masters | sort | tr '\n' ' ')" "$masters1"
check "-vvvv prints the session's ssh command line" dr_has "$DR_ERR" \
	"<h2> session over master: ssh -F $SSHD_SSH_CONFIG "
check "-vvvv: the session names the master's socket" dr_has "$DR_ERR" "-o ControlPath=$DR_CTL/"

# Each master logs to <socket>.log for its whole life (a failed session quotes it); a run that
# reuses a master empties a log that has grown past 64 KiB, and the master, which appends,
# goes on writing at its start (no hole of zeros where the old text was).
sock=$(dr_sock "$DR_CTL" 127.0.1.1 "$(sshd_port 1)")
check "the master's log is kept next to its socket" [ -s "$sock.log" ]
head -c 70000 /dev/zero | tr '\0' x >> "$sock.log"
dr h1 -i "$INV" -m ping -o
check_eq "a run over a master with a big log: works" "$DR_RC" 0
size=$(stat -c %s "$sock.log")
check "the big log was emptied (now $size bytes)" [ "$size" -lt 65536 ]
check_eq "the master writes at the emptied log's start" "$(head -c 1 "$sock.log" | tr '\0' Z)" d

# Failing commands are task failures, not connection failures.
dr 'h1:h2' -i "$INV" -m shell -a 'echo out; echo err >&2; exit 3' -o
check_eq "failing shell: exit 2" "$DR_RC" 2
check_eq "failing shell: FAILED with rc" "$(grep -c '| FAILED! => .*"rc": 3' "$DR_OUT")" 2

# Settings on ssh's command line: keepalives from host variables, -T as ConnectTimeout, the
# ControlPersist from DROVER_CONTROL_PERSIST, and the user's -o ahead of drover's defaults.
DR_ENV="DROVER_CONTROL_PERSIST=7 XDG_RUNTIME_DIR=$T_TMP/xdg2"
mkdir -m 0700 "$T_TMP/xdg2"
dr h3 -i "$INV" -m ping -T 4 -e drover_ssh_alive_interval=3 -e drover_ssh_alive_count=5 -vvvv
DR_ENV=""
check_eq "settings run: exit 0" "$DR_RC" 0
line=$(grep '<h3> starting control master: ' "$DR_ERR")
case "$line" in
*"-o ConnectTimeout=4 -o ServerAliveInterval=3 -o ServerAliveCountMax=5 "*"-o ControlPersist=7 "*)
	ok "-T, keepalive host variables and DROVER_CONTROL_PERSIST reach the master" ;;
*) not_ok "-T, keepalive host variables and DROVER_CONTROL_PERSIST reach the master"; diag "$line" ;;
esac
dr_masters "$T_TMP/xdg2/drover" > /dev/null
mkdir -m 0700 "$T_TMP/xdg3"
DR_ENV="XDG_RUNTIME_DIR=$T_TMP/xdg3"
dr h3 -i "$INV" -m ping -vvvv --ssh-common-args="-F $SSHD_SSH_CONFIG -o ServerAliveInterval=9"
DR_ENV=""
line=$(grep '<h3> starting control master: ' "$DR_ERR")
case "$line" in
*"-o ServerAliveInterval=9 "*"-o ServerAliveInterval=15 "*) ok "the user's -o comes before drover's default" ;;
*) not_ok "the user's -o comes before drover's default"; diag "$line" ;;
esac
dr_masters "$T_TMP/xdg3/drover" > /dev/null

# No master at all: --no-persist, or ControlPersist 0.
mkdir -m 0700 "$T_TMP/xdg4"
DR_ENV="XDG_RUNTIME_DIR=$T_TMP/xdg4"
dr 'h1:px' -i "$INV" -m ping -o --no-persist -vvvv
check_eq "--no-persist: exit 0" "$DR_RC" 0
check_eq "--no-persist: direct sessions" "$(dr_count "$DR_ERR" 'direct session: ssh ')" 2
check_eq "--no-persist: no master started" "$(dr_count "$DR_ERR" 'starting control master')" 0
DR_ENV="XDG_RUNTIME_DIR=$T_TMP/xdg4 DROVER_CONTROL_PERSIST=0"
dr 'h2' -i "$INV" -m ping -o -vvvv
DR_ENV=""
check_eq "DROVER_CONTROL_PERSIST=0: exit 0, direct" "$DR_RC $(dr_count "$DR_ERR" 'direct session: ssh ')" "0 1"
check_eq "no socket left behind without masters" "$(ls "$T_TMP/xdg4/drover" 2>/dev/null | grep -v '^ask-')" ""

# Connection failures: the phase, ssh's own words, no carriage returns, exit 4, quickly. A
# fresh control directory: h2's master would otherwise carry "newkey" (same user@host:port).
mkdir -m 0700 "$T_TMP/xdg5"
DR_ENV="XDG_RUNTIME_DIR=$T_TMP/xdg5"
closed=$(_sshd_free_port 127.0.1.3)
: > "$T_TMP/empty_known_hosts"
cat > "$T_TMP/bad.ini" <<EOF
closed ansible_host=127.0.1.3 ansible_port=$closed
newkey ansible_host=127.0.1.2 ansible_port=$(sshd_port 2) ansible_ssh_common_args="-F $SSHD_SSH_CONFIG -o UserKnownHostsFile=$T_TMP/empty_known_hosts"
EOF
dr all -i "$T_TMP/bad.ini" -m ping -o
DR_ENV=""
check_eq "unreachable hosts: exit 4" "$DR_RC" 4
line=$(grep '^closed ' "$DR_OUT")
case "$line" in
"closed | UNREACHABLE!: connect failed: "*"ssh said: ssh: connect to host 127.0.1.3 port $closed: Connection refused"*)
	ok "closed port: connect phase and ssh's words" ;;
*) not_ok "closed port: connect phase and ssh's words"; diag "$line" ;;
esac
line=$(cat "$DR_OUT")   # ssh's words span two lines here
case "$line" in
*"newkey | UNREACHABLE!: host key failed: "*"Host key verification failed."*)
	ok "unknown host key: host key phase and ssh's words" ;;
*) not_ok "unknown host key: host key phase and ssh's words"; diag "$line" ;;
esac
check_eq "no carriage returns in the messages" "$(tr -cd '\r' < "$DR_OUT" | wc -c)" 0
check "failures come back at once (< 5 s)" [ "$DR_MS" -lt 5000 ]
check_eq "no master socket for hosts that failed to connect" \
	"$(find "$T_TMP/xdg5" -type s ! -name 'ask-*')" ""

# A name that does not resolve, in a network namespace of its own so no query leaves the host.
if unshare -n true 2>/dev/null; then
	dr_time timeout -k 2 30 env XDG_RUNTIME_DIR="$T_TMP/xdg5" unshare -n "$DROVER" run all \
		-i 'nosuch.invalid,' -m ping -o
	check_eq "unresolvable name: exit 4" "$DR_RC" 4
	case "$(cat "$DR_OUT")" in
	"nosuch.invalid | UNREACHABLE!: resolve failed: "*"ssh said: ssh: Could not resolve hostname nosuch.invalid"*)
		ok "unresolvable name: resolve phase and ssh's words" ;;
	*) not_ok "unresolvable name: resolve phase and ssh's words"; diag "$(cat "$DR_OUT")" ;;
	esac
else
	skip "unresolvable name" "no network namespaces here (unshare -n) to keep the lookup off the network"
fi

t_done
