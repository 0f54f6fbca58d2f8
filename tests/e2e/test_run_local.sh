#!/bin/sh
# drover run against local hosts: modules through the worker, raw without it,
# Ansible's ad-hoc output formats and exit codes, the background-process
# guarantees, and bad input.
. "$(dirname "$0")/lib.sh"

INV=$T_TMP/inv.ini
cat > "$INV" <<'INI'
[local]
l1 ansible_connection=local
l2 ansible_connection=local
INI
export ANSIBLE_NOCOLOR=1

out=$("$DROVER" run l1 -i "$INV" -m ping 2>&1); rc=$?
check_eq "ping output" "$out" 'l1 | SUCCESS => {
    "changed": false,
    "ping": "pong"
}'
check_eq "ping exit code" "$rc" 0

out=$("$DROVER" run l1 -i "$INV" -m ping -o 2>&1)
check_eq "ping one-line" "$out" 'l1 | SUCCESS => {"changed": false,"ping": "pong"}'

out=$("$DROVER" run l1 -i "$INV" -m command -a 'echo hello world' 2>&1); rc=$?
check_eq "command output" "$out" 'l1 | CHANGED | rc=0 >>
hello world'
check_eq "command exit code" "$rc" 0

out=$("$DROVER" run l1 -i "$INV" -a 'echo "a  b"' -o 2>&1)
check_eq "command is the default module, argv without a shell" "$out" 'l1 | CHANGED | rc=0 | (stdout) a  b'

out=$("$DROVER" run l1 -i "$INV" -m shell -a 'echo out; echo err >&2; exit 3' 2>&1); rc=$?
check_eq "shell failure output (as ansible: stdout, stderr, msg run together)" "$out" 'l1 | FAILED | rc=3 >>
outerrnon-zero return code'
check_eq "failed host exits 2" "$rc" 2

out=$("$DROVER" run l1 -i "$INV" -m raw -a 'echo hi; echo err >&2' 2>&1); rc=$?
check_eq "raw output keeps newlines" "$out" 'l1 | CHANGED | rc=0 >>
hi
err'
check_eq "raw exit code" "$rc" 0

out=$("$DROVER" run local -i "$INV" -m shell -a 'echo {{ inventory_hostname }}' -o 2>&1 | sort | wc -l)
check_eq "two hosts, two lines" "$out" 2

# A backgrounded process outlives its task: the task runs in its own session.
pidfile=$T_TMP/bg.pid
"$DROVER" run l1 -i "$INV" -m shell -a "sleep 30 & echo \$! > $pidfile" > /dev/null 2>&1
bgpid=$(cat "$pidfile" 2>/dev/null)
[ -n "$bgpid" ] && track_pid "$bgpid"
if [ -n "$bgpid" ] && kill -0 "$bgpid" 2>/dev/null; then ok "background sleep survives the task"; else not_ok "background sleep survives the task"; fi
sid=$(awk '{print $6}' "/proc/$bgpid/stat" 2>/dev/null)
check "background process is not in drover's session" [ -n "$sid" ] && [ "$sid" != "$(awk '{print $6}' /proc/$$/stat)" ]

# A detached child that keeps stdout open must not hold the task.
pidfile2=$T_TMP/bg2.pid
start=$(date +%s)
out=$("$DROVER" run l1 -i "$INV" -m shell -a "sleep 30 & echo \$! > $pidfile2; echo done" -o 2>&1)
end=$(date +%s)
bg2=$(cat "$pidfile2" 2>/dev/null); [ -n "$bg2" ] && track_pid "$bg2"
check_eq "detached child holding stdout: task returns" "$out" 'l1 | CHANGED | rc=0 | (stdout) done'
check "detached child holding stdout: returns at once" [ $((end - start)) -lt 10 ]

# Bad input: one clear message and a non-zero exit.
out=$("$DROVER" run l1 -i "$INV" -m nosuchmodule 2>&1); rc=$?
check_eq "unknown module exits 5" "$rc" 5
case "$out" in *"nosuchmodule"*) ok "unknown module is named";; *) not_ok "unknown module is named"; diag "$out";; esac

out=$("$DROVER" run l1 -i "$INV" -m shell 2>&1); rc=$?
check_eq "shell without -a exits 5" "$rc" 5
case "$out" in *"No argument passed to shell module"*) ok "missing -a message";; *) not_ok "missing -a message"; diag "$out";; esac

out=$("$DROVER" run l1 -i "$INV" -m ping -a 'data="unterminated' 2>&1); rc=$?
check "unbalanced quotes in -a exit non-zero" [ "$rc" -ne 0 ]
case "$out" in *"-a"*) ok "bad -a names the argument";; *) not_ok "bad -a names the argument"; diag "$out";; esac

out=$("$DROVER" run nosuchhost -i "$INV" -m ping 2>&1); rc=$?
check "unknown pattern exits non-zero" [ "$rc" -ne 0 ]
case "$out" in *"nosuchhost"*) ok "unknown pattern is named";; *) not_ok "unknown pattern is named"; diag "$out";; esac

printf '[good]\nh1\n[bad\nh2\n' > "$T_TMP/bad.ini"
out=$("$DROVER" run all -i "$T_TMP/bad.ini" -m ping 2>&1); rc=$?
check "malformed inventory exits non-zero" [ "$rc" -ne 0 ]
case "$out" in *"bad.ini:3"*) ok "malformed inventory names file:line";; *) not_ok "malformed inventory names file:line"; diag "$out";; esac

out=$("$DROVER" run l1 -i "$INV" -m ping --bogus-flag 2>&1); rc=$?
check_eq "unknown flag exits 5" "$rc" 5

# A worker that cannot start is reported as unreachable, naming the phase.
out=$(DROVER_WORKER=/nonexistent/drover-worker "$DROVER" run l1 -i "$INV" -m ping 2>&1); rc=$?
check_eq "missing worker: unreachable exit code" "$rc" 4
case "$out" in *"UNREACHABLE"*"spawn"*) ok "missing worker names the phase";; *) not_ok "missing worker names the phase"; diag "$out";; esac

t_done
