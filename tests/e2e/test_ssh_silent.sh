#!/bin/sh
# A network path that goes silent (the server's side of the connection stopped with SIGSTOP:
# nothing is refused or reset, packets just stop): with keepalives of 1 s x 2 the host is
# UNREACHABLE within a few seconds, never a hang, and the message names the phase and quotes
# ssh's words. Over a ControlMaster the master notices, and its words are quoted; direct
# sessions (with the keepalive set by the user's own -o) say it themselves; before the worker
# said hello the phase is the one under way (session, transfer), not a request's.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "silent network path" "openssh-server or openssh-client not installed"
	t_done; exit
fi
# The sessions' PATH starts with a directory holding an `id` and a `head` that block while
# $HOLD.id or $HOLD.head exists: the bootstrap runs `id -u` before asking for the worker and
# `head -c` to receive it, so a run can be held at either point.
HOLD=$T_TMP/hold
mkdir "$T_TMP/bin"
for prog in id head; do
	printf '#!/bin/sh\n[ -e %s ] && exec sleep 30\nexec /usr/bin/%s "$@"\n' "$HOLD.$prog" "$prog" \
		> "$T_TMP/bin/$prog"
	chmod 755 "$T_TMP/bin/$prog"
done
SSHD_ENV="HOME=$SSHD_HOME PATH=$T_TMP/bin:/usr/local/bin:/usr/bin:/bin"
if ! sshd_start 3; then
	not_ok "sshd_start 3"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
INV=$SSHD_INVENTORY
KEEP="-e drover_ssh_alive_interval=1 -e drover_ssh_alive_count=2"
BOUND=6000   # ms from the stop to drover's exit: 2 s of keepalives, ssh's own rounding, slack

remote_runs() { sshd_procs | grep -q " $1\$"; }

# silence I: stops every server-side process of host I's connections.
silence() {
	SILENCED=$(sshd_session_pids "$1")
	for p in $SILENCED; do track_pid "$p"; kill -STOP "$p"; done
}

# unsilence: kills what the silenced sessions ran and lets the sessions see their dead
# connections, so nothing of this case outlives it (or is taken for the next case's).
remote_commands() { sshd_procs | awk '$2 !~ /^sshd/ { print $1 }'; }
no_remote_commands() { [ -z "$(remote_commands)" ]; }
unsilence() {
	for p in $(remote_commands); do kill -9 "$p" 2>/dev/null; done
	for p in $SILENCED; do kill -CONT "$p" 2>/dev/null; done
	SILENCED=""
	wait_for 5 no_remote_commands || diag "remote commands left: $(sshd_procs)"
}

# held_run NAME WHAT HOST ARGS...: drover run HOST ARGS in the background until the remote WHAT
# runs; the host is then silenced and the run awaited. Sets DR_RC, ELAPSED (ms since silence).
held_run() {
	local name=$1 what=$2 host=$3 bg t0
	shift 3
	( dr "$host" -i "$INV" "$@"; echo "$DR_RC" > "$T_TMP/rc" ) &
	bg=$!
	track_pid "$bg"
	if ! wait_for 15 remote_runs "$what"; then
		not_ok "$name: the remote $what started"
		wait "$bg"
		diag "$(cat "$DR_OUT" "$DR_ERR" | head -20)"
		ELAPSED=-1
		return 1
	fi
	t0=$(now_ms)
	silence "${host#h}"
	wait "$bg"
	ELAPSED=$(( $(now_ms) - t0 ))
	DR_RC=$(cat "$T_TMP/rc")
	unsilence
	return 0
}

# expect NAME PATTERN: the run's output matches the case PATTERN.
expect() {
	case "$(cat "$DR_OUT")" in $2) ok "$1" ;; *) not_ok "$1"; diag "$(cat "$DR_OUT")" ;; esac
}

# Before the worker's hello: the bootstrap is held in `id` (session), then while it receives
# the worker (transfer); the path goes silent.
: > "$HOLD.id"
if held_run "bootstrap" sleep h3 -m ping -o $KEEP; then
	check_eq "silent in the bootstrap: exit 4" "$DR_RC" 4
	expect "silent in the bootstrap: phase session, the master's words" \
		"h3 | UNREACHABLE!: session failed: *ssh said: Timeout, server 127.0.1.3 not responding.*"
	check "silent in the bootstrap: within the bound (${ELAPSED} ms)" [ "$ELAPSED" -lt "$BOUND" ]
fi
rm -f "$HOLD.id"
: > "$HOLD.head"
if held_run "upload" sleep h3 -m ping -o $KEEP; then
	check_eq "silent during the upload: exit 4" "$DR_RC" 4
	expect "silent during the upload: phase transfer, the master's words" \
		"h3 | UNREACHABLE!: transfer failed: *ssh said: Timeout, server 127.0.1.3 not responding.*"
	check "silent during the upload: within the bound (${ELAPSED} ms)" [ "$ELAPSED" -lt "$BOUND" ]
fi
rm -f "$HOLD.head"

# In the middle of a request, over the master: the master's keepalives give up.
if held_run "mid-request over a master" sleep h1 -m command -a 'sleep 20' -o $KEEP; then
	check_eq "silent mid-request, master: exit 4" "$DR_RC" 4
	expect "silent mid-request, master: phase request, the master's words" \
		"h1 | UNREACHABLE!: request failed: *ssh said: Timeout, server 127.0.1.1 not responding.*"
	expect "silent mid-request, master: the outcome is unknown" "*outcome on the host is unknown*"
	check "silent mid-request, master: within the bound (${ELAPSED} ms)" [ "$ELAPSED" -lt "$BOUND" ]
fi

# The same without a master; the keepalive from the user's ssh arguments, which come first.
if held_run "mid-request, direct" sleep h2 -m command -a 'sleep 20' -o --no-persist \
	--ssh-common-args="-F $SSHD_SSH_CONFIG -o ServerAliveInterval=1 -o ServerAliveCountMax=2"; then
	check_eq "silent mid-request, direct: exit 4" "$DR_RC" 4
	expect "silent mid-request, direct: phase request, ssh's words" \
		"h2 | UNREACHABLE!: request failed: *ssh said: Timeout, server 127.0.1.2 not responding.*"
	check "silent mid-request, direct: within the bound (${ELAPSED} ms)" [ "$ELAPSED" -lt "$BOUND" ]
fi

# The hosts still answer once the path is back.
dr all -i "$INV" -m ping -o
check_eq "afterwards every host answers" "$DR_RC $(grep -c SUCCESS "$DR_OUT")" "0 3"

t_done
