#!/bin/sh
# drover doctor against real sshd on loopback: a healthy host passes every phase with its time;
# an unresolvable name fails at resolve, a closed port at connect, a wrong key at auth (with
# ssh's words and the hint), a wrong known_hosts entry at host key; a stale control socket is
# found and removed; local hosts, several patterns, -v and bad options. Every ControlMaster
# started here is stopped by its socket and its pid.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "drover doctor" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if ! sshd_start 2; then
	not_ok "sshd_start 2"
	t_done; exit
fi

CP=$T_TMP/cp
export ANSIBLE_SSH_CONTROL_PATH_DIR=$CP ANSIBLE_NOCOLOR=1
# Masters outlive drover by design (ControlPersist): stop each one through its socket, and
# by pid should that fail.
stop_masters() {
	for s in "$CP"/*; do
		[ -S "$s" ] && ssh -O exit -o ControlPath="$s" doctor-test >/dev/null 2>&1
	done
	return 0
}
trap 'stop_masters; sshd_stop; t_cleanup' EXIT
track_masters() {
	for p in $(printf '%s\n' "$1" | sed -n 's/.*control master pid \([0-9][0-9]*\).*/\1/p'); do
		track_pid "$p"
	done
}

P1=$(sshd_port 1)
P2=$(sshd_port 2)
FREE=$(_sshd_free_port 127.0.1.1)
ssh-keygen -q -t ed25519 -N '' -C doctor-wrong-key -f "$T_TMP/wrong_key"
ssh-keygen -q -t ed25519 -N '' -C doctor-wrong-hostkey -f "$T_TMP/wrong_hostkey"
# Without the harness' IdentityFile, only the wrong key is offered.
grep -v IdentityFile "$SSHD_SSH_CONFIG" > "$T_TMP/ssh_config.nokey"
echo "[127.0.1.2]:$P2 $(cut -d' ' -f1,2 "$T_TMP/wrong_hostkey.pub")" > "$T_TMP/known_hosts.wrong"
INV=$T_TMP/doctor.ini
cat > "$INV" <<EOF
[lab]
h1 ansible_host=127.0.1.1 ansible_port=$P1
[broken]
unresolvable ansible_host=nosuch-host.invalid
closed ansible_host=127.0.1.1 ansible_port=$FREE
wrongkey ansible_host=127.0.1.1 ansible_port=$P1 ansible_ssh_private_key_file=$T_TMP/wrong_key ansible_ssh_common_args="-F $T_TMP/ssh_config.nokey"
wrongpass ansible_host=127.0.1.1 ansible_port=$P1 ansible_password=not-the-password ansible_ssh_common_args="-F $T_TMP/ssh_config.nokey"
wronghostkey ansible_host=127.0.1.2 ansible_port=$P2 ansible_ssh_common_args="-F $SSHD_SSH_CONFIG -o UserKnownHostsFile=$T_TMP/known_hosts.wrong"
[local]
l1 ansible_connection=local
EOF
D() { "$DROVER" doctor -i "$INV" --ssh-common-args "-F $SSHD_SSH_CONFIG" "$@"; }

# phase_line OUT PHASE STATUS: the phase's line when it has that status and a time in ms.
phase_line() {
	printf '%s\n' "$1" | grep -E "^  $2 +$3 +[0-9]+ ms  "
}
has_phase() { phase_line "$@" >/dev/null; }
has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }

# A healthy host: every phase, in order, with its time.
out=$(D h1 2>&1); rc=$?
track_masters "$out"
check_eq "healthy host: exit 0" "$rc" 0
all=1
for ph in resolve connect "host key" auth session control bootstrap hello request; do
	phase_line "$out" "$ph" ok >/dev/null || { all=0; diag "no ok line with a time for: $ph"; }
done
if [ "$all" = 1 ]; then ok "healthy host: every phase ok with its time"; else not_ok "healthy host: every phase ok with its time"; diag "$out"; fi
check_eq "healthy host: phases in order" \
	"$(printf '%s\n' "$out" | sed -n 's/^  \([a-z][a-z ]\{8\}\)  .*/\1/p' | sed 's/ *$//' | tr '\n' ,)" \
	"resolve,connect,host key,auth,session,control,bootstrap,hello,request,"
check "resolve shows ssh's settings and the address" has "$(phase_line "$out" resolve ok)" "HostName 127.0.1.1, Port $P1"
check "connect names the address and port" has "$(phase_line "$out" connect ok)" "127.0.1.1 port $P1"
check "host key names the known_hosts entry" has "$(phase_line "$out" "host key" ok)" "known ($SSHD_KNOWN_HOSTS:1)"
check "host key: TCP time and the server" has "$(phase_line "$out" "host key" ok)" "; TCP in "
check "auth names the method" has "$(phase_line "$out" auth ok)" "publickey"
check "bootstrap uploads the worker the first time" has "$(phase_line "$out" bootstrap ok)" "worker uploaded ("
check "hello shows version and home" has "$(phase_line "$out" hello ok)" "home "
check "request: ping answered" has "$(phase_line "$out" request ok)" 'ping answered "pong"'
check "summary line" has "$out" "doctor: 1 host, 1 passed, 0 failed"
sock=$(printf '%s\n' "$out" | sed -n 's/^  control .* at \([^:]*\): .*/\1/p')
check "control socket is in the control directory" has "$sock" "$CP/"

# Again: the master is found alive and the worker is cached.
out=$(D h1 2>&1); rc=$?
track_masters "$out"
check_eq "second run: exit 0" "$rc" 0
check "second run: master alive" has "$(phase_line "$out" control ok)" "is alive at $sock"
check "second run: worker cached" has "$(phase_line "$out" bootstrap ok)" "worker cached on the host"

# Host key checking off (as ANSIBLE_HOST_KEY_CHECKING=False): accepted, and said to be unverified.
out=$(ANSIBLE_HOST_KEY_CHECKING=False D h1 2>&1); rc=$?
track_masters "$out"
check_eq "host key checking off: exit 0" "$rc" 0
check "host key checking off: unverified" has "$(phase_line "$out" "host key" ok)" "accepted unverified"

# A socket nobody listens on: removed, and a new master started.
stop_masters
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$sock"
out=$(D h1 2>&1); rc=$?
track_masters "$out"
check_eq "stale socket: still exit 0" "$rc" 0
check "stale socket: reported and removed" has "$(phase_line "$out" control warn)" "stale socket $sock removed"

# Where it breaks.
out=$(D unresolvable -T 3 2>&1); rc=$?
check_eq "unresolvable: exit 4" "$rc" 4
check "unresolvable: fails at resolve" has_phase "$out" resolve FAIL
check "unresolvable: names the host" has "$(phase_line "$out" resolve FAIL)" "cannot resolve nosuch-host.invalid"
check "unresolvable: hint" has "$out" "hint: check the host name or ansible_host"
check "unresolvable: stops there" [ -z "$(phase_line "$out" connect '[a-zA-Z]+')" ]

out=$(D closed 2>&1); rc=$?
check_eq "closed port: exit 4" "$rc" 4
check "closed port: resolve ok" has_phase "$out" resolve ok
check "closed port: fails at connect" has "$(phase_line "$out" connect FAIL)" "127.0.1.1 port $FREE: Connection refused"
check "closed port: hint" has "$out" "hint: check that the host is up"

out=$(D wrongkey 2>&1); rc=$?
check_eq "wrong key: exit 4" "$rc" 4
check "wrong key: host key ok" has_phase "$out" "host key" ok
check "wrong key: fails at auth" has_phase "$out" auth FAIL
check "wrong key: says what the server accepts" has "$(phase_line "$out" auth FAIL)" "the server accepts publickey"
check "wrong key: ssh's own words" has "$out" "Permission denied (publickey,password)."
check "wrong key: hint" has "$out" "hint: check the user, the key"

# A password goes to ssh through drover's askpass: the server gets it (and refuses it).
out=$(D wrongpass 2>&1); rc=$?
check_eq "wrong password: exit 4" "$rc" 4
line=$(phase_line "$out" auth FAIL)
check "wrong password: fails at auth, having tried a password" has "${line##*tried }" password
check "wrong password: the server got it" grep -q "Failed password for" "$SSHD_DIR/sshd.1.log"
check "wrong password: the secret is not shown" [ -z "$(printf '%s\n' "$out" | grep not-the-password)" ]

out=$(D wronghostkey 2>&1); rc=$?
check_eq "wrong known_hosts: exit 4" "$rc" 4
check "wrong known_hosts: fails at host key" has_phase "$out" "host key" FAIL
check "wrong known_hosts: ssh's own words" has "$out" "ssh: Host key verification failed."
check "wrong known_hosts: hint" has "$out" "hint: the host's key is unknown or changed"

# A server that sends its banner and then nothing: ssh waits for ever, the phase's deadline
# (-T, plus a grace for ssh's own timeouts) ends it.
python3 -c '
import os, socket, sys
s = socket.socket()
s.bind(("127.0.1.1", 0))
s.listen(8)
with open(sys.argv[1] + ".new", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(sys.argv[1] + ".new", sys.argv[1])
held = []
while True:
    c, _ = s.accept()
    c.sendall(b"SSH-2.0-OpenSSH_9.2 silent\r\n")
    held.append(c)
' "$T_TMP/silent.port" &
track_pid $!
if wait_for 10 test -s "$T_TMP/silent.port"; then
	start=$(date +%s)
	out=$("$DROVER" doctor -i "silent," -e "ansible_host=127.0.1.1 ansible_port=$(cat "$T_TMP/silent.port")" \
		--ssh-common-args "-F $SSHD_SSH_CONFIG" -T 1 silent 2>&1); rc=$?
	took=$(( $(date +%s) - start ))
	check_eq "silent server: exit 4" "$rc" 4
	check "silent server: the host key phase times out" has "$(phase_line "$out" "host key" FAIL)" "no progress within"
	check "silent server: names ssh's last step" has "$out" "ssh's last line: debug1:"
	check "silent server: hint" has "$out" "hint: the connection went silent"
	check "silent server: within the deadline" [ "$took" -le 6 ]
else
	not_ok "silent server started"
fi

# No worker binary: the ssh phases pass, bootstrap says why.
out=$(DROVER_WORKER=/nonexistent/drover-worker D h1 2>&1); rc=$?
track_masters "$out"
check_eq "no worker: exit 4" "$rc" 4
check "no worker: fails at bootstrap" has "$(phase_line "$out" bootstrap FAIL)" "cannot read the worker binary"

# A local host needs no ssh; several patterns are walked in order; -v shows ssh's lines.
out=$(D l1 2>&1); rc=$?
check_eq "local host: exit 0" "$rc" 0
check_eq "local host: ssh phases skipped" "$(printf '%s\n' "$out" | grep -cE '^  [a-z ]{9}  skip +-  local connection')" 6
check "local host: worker answers" has_phase "$out" request ok

out=$(D l1 closed h1 -v 2>&1); rc=$?
track_masters "$out"
check_eq "one failed host of three: exit 4" "$rc" 4
check_eq "hosts in the patterns' order" "$(printf '%s\n' "$out" | sed -n 's/^  => \([a-z0-9]*\):.*/\1/p' | tr '\n' ,)" "l1,closed,h1,"
check "-v: time-stamped ssh lines" has "$out" "ms  debug1: Connection established."
check "three hosts summary" has "$out" "doctor: 3 hosts, 2 passed, 1 failed"

# Bad input.
out=$("$DROVER" doctor -i "$INV" 2>&1); rc=$?
check_eq "no pattern: exit 5" "$rc" 5
out=$("$DROVER" doctor -i "$INV" --bogus h1 2>&1); rc=$?
check_eq "unknown flag: exit 5" "$rc" 5
out=$("$DROVER" doctor -i "$INV" -T zero h1 2>&1); rc=$?
check_eq "bad -T: exit 5" "$rc" 5
out=$("$DROVER" doctor -i "$INV" nosuchpattern 2>&1); rc=$?
check_eq "pattern matching nothing: exit 1" "$rc" 1

stop_masters
t_done
