#!/bin/sh
# become on a local host through stand-in escalation tools (become_exe), for what the real
# sudo and su cannot be made to do on purpose: a tool that asks for the worker and then stops
# reading (the escalation deadline must still end it), an escalated worker that dies in the
# middle of a request (that request and the next of the same key fail clearly; the login
# worker goes on), no descriptor of the escalation in a task's process, and the password gone
# from the login worker's memory once the tool has it. The stand-ins run as the same user.
. "$(dirname "$0")/lib.sh"

# Written worker caches stay under the test's directory.
export HOME=$T_TMP/home ANSIBLE_NOCOLOR=1
mkdir -p "$HOME"
PW=Pw-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$PW" > "$T_TMP/pw"

# A sudo that asks on its -p prompt, checks the password line, then runs the command.
cat > "$T_TMP/pwsudo" <<EOF
#!/bin/sh
while [ \$# -gt 0 ] && [ "\$1" != /bin/sh ]; do
	[ "\$1" = -p ] && { printf '%s' "\$2" >&2; shift; }
	shift
done
read -r pw
[ "\$pw" = "$PW" ] || { echo "Sorry, try again." >&2; exit 1; }
exec "\$@"
EOF
# A tool that takes the password and says it back in its last words.
cat > "$T_TMP/echosudo" <<'EOF'
#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -p ] && { printf '%s' "$2" >&2; shift; }; shift; done
read -r pw
echo "DRVBOOT1 ERR cannot use [$pw]"
exit 1
EOF
chmod 755 "$T_TMP/echosudo"
# A sudo that, like the real one, says a password is required under -n and else asks once.
cat > "$T_TMP/nsudo" <<'EOF'
#!/bin/sh
for a; do [ "$a" = -n ] && { echo "sudo: a password is required" >&2; exit 1; }; done
while [ $# -gt 0 ]; do [ "$1" = -p ] && { printf '%s' "$2" >&2; shift; }; shift; done
read -r pw
echo "Sorry, try again." >&2
exit 1
EOF
chmod 755 "$T_TMP/nsudo"
# A tool that asks for the worker's binary and never reads it.
MARK=9${$}1
printf '#!/bin/sh\necho "DRVBOOT1 NEED"\nexec sleep %s\n' "$MARK" > "$T_TMP/needsudo"
chmod 755 "$T_TMP/pwsudo" "$T_TMP/needsudo"

# The count of PASSWORD-FILE's first line in the readable memory of process PID.
cat > "$T_TMP/memscan.py" <<'EOF'
import re, sys
pid, pw = sys.argv[1], open(sys.argv[2], "rb").read().strip()
hits = 0
with open("/proc/%s/maps" % pid) as maps, open("/proc/%s/mem" % pid, "rb", 0) as mem:
    for line in maps:
        m = re.match(r"([0-9a-f]+)-([0-9a-f]+) r", line)
        if not m:
            continue
        lo, hi = int(m.group(1), 16), int(m.group(2), 16)
        if hi - lo > 1 << 30:
            continue  # a sanitizer's shadow, not heap or stack
        tail = b""
        for at in range(lo, hi, 1 << 22):
            try:
                mem.seek(at)
                chunk = tail + mem.read(min(1 << 22, hi - at))
            except (OSError, OverflowError, ValueError):
                break
            hits += chunk.count(pw)
            tail = chunk[-(len(pw) - 1):]
print("hits %d" % hits)
EOF

INV=$T_TMP/inv.ini
cat > "$INV" <<EOF
l1 ansible_connection=local ansible_become_exe=$T_TMP/pwsudo ansible_become_password=$PW
EOF

# A stalled upload: without a deadline on it the run would hang at the write.
out=$(timeout 60 "$DROVER" run l1 -i "$INV" -b -T 2 -e "ansible_become_exe=$T_TMP/needsudo" -a "id -un" 2>&1)
rc=$?
check "a tool that stops reading the upload does not hang the run (rc $rc)" [ "$rc" -ne 124 ]
case "$out" in
*"Timeout waiting for privilege escalation (sudo)"*) ok "a stalled upload ends at the escalation deadline" ;;
*) not_ok "a stalled upload ends at the escalation deadline"; diag "$out" ;;
esac
left=$(pgrep -f "sleep $MARK")
check_eq "the stalled tool was stopped" "$left" ""
for p in $left; do kill "$p"; done

out=$(timeout 60 "$DROVER" run l1 -i "$INV" -b -T 5 -e "ansible_become_exe=$T_TMP/echosudo" -a "id -un" -vvvv 2>&1)
case "$out" in
*"$PW"*) not_ok "a tool that echoes the password: not in the message"; diag "$out" ;;
*"cannot use ["*) ok "a tool that echoes the password: not in the message" ;;
*) not_ok "a tool that echoes the password: its message is shown"; diag "$out" ;;
esac

# Ansible takes an empty password for none: no attempt is spent on it.
out=$(timeout 60 "$DROVER" run l1 -i "$INV" -b -T 5 -e "ansible_become_exe=$T_TMP/nsudo" \
	-e '{"ansible_become_password": ""}' -a "id -un" 2>&1)
case "$out" in
*"Missing sudo password"*) ok "an empty become password is a missing one" ;;
*) not_ok "an empty become password is a missing one"; diag "$out" ;;
esac

PB=$T_TMP/pb.yml
cat > "$PB" <<'EOF'
- hosts: all
  gather_facts: false
  tasks:
    - command: ls /proc/self/fd
      register: direct
    - command: ls /proc/self/fd
      become: true
      register: escalated
    - debug:
        msg: "FDS direct={{ direct.stdout_lines | join(' ') }} escalated={{ escalated.stdout_lines | join(' ') }}"
    - shell: python3 {{ scan }} $PPID {{ pwfile }}
      register: scan_out
    - debug:
        msg: "MEM {{ scan_out.stdout }}"
    - shell: kill -9 $PPID
      become: true
      ignore_errors: true
    - command: id -un
      become: true
      ignore_errors: true
    - debug:
        msg: "STILL here"
EOF
out=$(timeout 60 "$DROVER" playbook -i "$INV" "$PB" -e "scan=$T_TMP/memscan.py pwfile=$T_TMP/pw" 2>&1)
rc=$?
check_eq "the playbook ran to its end (failures ignored)" "$rc" 0
fds=$(printf '%s\n' "$out" | grep -o '"FDS [^"]*"')
d=$(printf '%s' "$fds" | sed 's/.*direct=\(.*\) escalated=.*/\1/')
e=$(printf '%s' "$fds" | sed 's/.*escalated=\(.*\)"/\1/')
if [ -n "$d" ] && [ "$d" = "$e" ]; then ok "an escalated task has the descriptors of a direct one ($e)"; else
	not_ok "an escalated task has the descriptors of a direct one"; diag "direct: $d"; diag "escalated: $e"; fi
# out_has TEXT: the playbook's output says TEXT.
out_has() { printf '%s\n' "$out" | grep -qF -- "$1"; }
check "the password is gone from the login worker's memory" out_has "MEM hits 0"
diag "$(printf '%s\n' "$out" | grep -o '"MEM [^"]*"')"
n=$(printf '%s\n' "$out" | grep -c 'the escalated worker (sudo to root) has exited')
check_eq "the request that lost its worker and the next one fail clearly" "$n" 2
check "the login worker went on" out_has "STILL here"
case "$out" in *"$PW"*) not_ok "the password is not in the output" ;; *) ok "the password is not in the output" ;; esac
t_done
