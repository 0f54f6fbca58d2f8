#!/bin/sh
# become against a real sshd and Debian's sudo and su, logging in as unprivileged users the
# test creates (with a sudoers.d file; all removed on exit): NOPASSWD sudo to root, sudo with
# a password to another unprivileged user, su with a password, sudo under requiretty, a wrong
# and a missing password. For each, the identity a task sees (HOME USER LOGNAME SHELL, id -Gn,
# pwd, and the owner and mode of a file copied to ~) is compared with what ansible-playbook's
# task sees on the same host: with Debian's sudo (env_reset, -H) and su, Ansible already gets
# the target's HOME in every case here, so they must agree everywhere. A wrong password must
# fail at once, cleanly, after exactly one attempt (sudo's own log counts them); the password
# must appear nowhere: not in `ps` sampled during the run, not in -vvvv output, not in any
# file the run writes.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
# Sessions keep their user's own HOME (sshd.sh's default HOME belongs to root).
SSHD_ENV="DROVER_E2E_BECOME=1"
. "$ROOT/tests/e2e/sshd.sh"

. "$ROOT/tests/e2e/becomeusers.sh"

if ! why=$(bu_usable); then
	skip "become" "$why"
	t_done; exit
fi
if [ ! -x "$SSHD_BIN" ] || ! command -v ansible-playbook >/dev/null; then
	skip "become" "openssh-server or ansible not installed"
	t_done; exit
fi
trap 'sshd_stop; bu_cleanup; t_cleanup' EXIT

U_L=dbl$$ U_T=dbt$$ U_R=dbr$$
PW_L=L-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
PW_T=T-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
PW_R=R-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
bu_add "$U_L" "$PW_L" && bu_add "$U_T" "$PW_T" && bu_add "$U_R" "$PW_R" || { not_ok "useradd"; t_done; exit; }
bu_sudoers <<EOF || { not_ok "sudoers"; t_done; exit; }
Defaults:$U_L logfile=$T_TMP/sudo.log, !lecture
Defaults:$U_R requiretty
$U_L ALL=(root) NOPASSWD: ALL
$U_L ALL=($U_T) ALL
$U_R ALL=(root) NOPASSWD: ALL
EOF

if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi
bu_open_keys
PORT=$(sshd_port 1)
export ANSIBLE_NOCOLOR=1 ANSIBLE_CONFIG="$SSHD_ANSIBLE_CFG"

INV=$T_TMP/become.ini
cat > "$INV" <<EOF
nopw ansible_user=$U_L
pw ansible_user=$U_L ansible_become_user=$U_T ansible_become_password=$PW_L
su ansible_user=$U_L ansible_become_method=su ansible_become_user=$U_T ansible_become_pass=$PW_T
tty ansible_user=$U_R ansible_pipelining=false
login ansible_user=$U_L ansible_become_flags="-H -S -n -i"
wrong ansible_user=$U_L ansible_become_user=$U_T ansible_become_password=x$PW_L
missing ansible_user=$U_L ansible_become_user=$U_T

[all:vars]
ansible_host=127.0.1.1
ansible_port=$PORT
ansible_pipelining=true
# Ansible alone needs this for su to an unprivileged user when no setfacl is installed:
# its module files would otherwise be unreadable by the target user (drover has none).
ansible_shell_allow_world_readable_temp=true
EOF
PB=$T_TMP/become.yml
cat > "$PB" <<'EOF'
- hosts: all
  gather_facts: false
  become: true
  tasks:
    - copy:
        content: "written as the become user\n"
        dest: "~/become-copy.txt"
    - shell: >-
        printf "%s|%s|%s|%s|%s|%s|%s\n" "$HOME" "$USER" "$LOGNAME" "$SHELL" "$(id -Gn)" "$(pwd)"
        "$(stat -c %U:%a ~/become-copy.txt)"
      register: r
    - debug:
        msg: "ID {{ inventory_hostname }} {{ r.stdout }}"
    - shell: stat -c %U /proc/$PPID/status
      become: false
      register: dump
    - debug:
        msg: "DUMP {{ inventory_hostname }} {{ dump.stdout }}"
    - command: ls -l /proc/self/fd
      register: fds
    - debug:
        msg: "FD {{ inventory_hostname }} {{ fds.stdout_lines[1:] | join(' ') }}"
EOF

# fatal_has HOST FILE TEXT: HOST's failure in FILE says TEXT.
fatal_has() { grep -A3 "fatal: \[$1\]" "$2" | grep -qF -- "$3"; }

# ids FILE: the "ID host values" lines of a run's output, sorted.
ids() { grep -o '"ID [^"]*"' "$1" | tr -d '"' | sort; }

# The drover run, with ps sampled all along for the passwords.
touch "$T_TMP/before"
sleep 0.01
(while [ ! -f "$T_TMP/done" ]; do ps -eo args >> "$T_TMP/ps.txt"; done) &
track_pid $!
timeout 120 "$DROVER" playbook -i "$INV" "$PB" -vvvv > "$T_TMP/drover.out" 2>&1
rc=$?
touch "$T_TMP/done"
check "drover finished without hanging (rc $rc)" [ "$rc" -ne 124 ]
check_eq "drover exit status (hosts failed)" "$rc" 2
diag "$(grep -E 'fatal|FAILED' "$T_TMP/drover.out" | head -5)"

n=$(grep -c "incorrect password attempt" "$T_TMP/sudo.log" 2>/dev/null)
check_eq "wrong sudo password: sudo logged one failure" "${n:-0}" 1
[ "${n:-0}" = 1 ] || diag "sudo.log: $(grep -v '^ ' "$T_TMP/sudo.log" 2>&1)"
check "wrong sudo password: one attempt, not passwd_tries" grep -q " 1 incorrect password attempt" "$T_TMP/sudo.log"
check "wrong sudo password: Ansible's message" fatal_has wrong "$T_TMP/drover.out" 'Incorrect sudo password'
check "missing sudo password: Ansible's message" fatal_has missing "$T_TMP/drover.out" 'Missing sudo password'
check "requiretty reported at -v" grep -q "requires a tty" "$T_TMP/drover.out"
# A login worker that was given a password is not dumpable (its /proc files turn root's):
# no core file with the password, no process of the login user reading its memory.
check_eq "a login worker that held a password is not dumpable" \
	"$(grep -o '"DUMP [^"]*"' "$T_TMP/drover.out" | sort | tr -d '"' | tr '\n' ' ')" \
	"DUMP login $U_L DUMP nopw $U_L DUMP pw root DUMP su root DUMP tty $U_R "

# No descriptor of the escalation (a pipe to the tool, requiretty's pty) in a task's process.
fdl=$(grep -o '"FD [^"]*"' "$T_TMP/drover.out")
check_eq "a descriptor list for each escalated host" "$(printf '%s\n' "$fdl" | grep -c .)" 5
check_eq "no pty in an escalated task's descriptors (requiretty included)" \
	"$(printf '%s\n' "$fdl" | grep -E 'pts|ptmx' | cut -c1-200)" ""
diag "$(printf '%s\n' "$fdl" | grep '^"FD tty')"

# Leaks: every file written during the run (the inventory is the input, not written by it).
leak=""
for pw in "$PW_L" "$PW_T"; do
	grep -qF -- "$pw" "$T_TMP/ps.txt" && leak="$leak ps"
	grep -qF -- "$pw" "$T_TMP/drover.out" && leak="$leak -vvvv"
	for f in $(find "$T_TMP" /home/$U_L /home/$U_T /home/$U_R /tmp -xdev -type f -newer "$T_TMP/before" \
		! -path "$INV" ! -path "$T_TMP/ps.txt" 2>/dev/null); do
		grep -qF -- "$pw" "$f" 2>/dev/null && leak="$leak $f"
	done
done
check_eq "the passwords appear in no process list, output or written file" "$leak" ""
check "ps was sampled during the run" [ -s "$T_TMP/ps.txt" ]

# Workers for unprivileged users are theirs alone.
for u in $U_L $U_T; do
	w=$(find /home/$u /tmp/drover-$(id -u $u) -name drover-worker 2>/dev/null | head -1)
	if [ -n "$w" ] && [ "$(stat -c %U "$w")" = "$u" ] && [ "$(stat -c %a "$w")" = 700 ]; then
		ok "worker of $u is owned by it, mode 700 ($w)"
	else
		not_ok "worker of $u is owned by it, mode 700 ($w)"
	fi
done

> "$T_TMP/sudo.log"
timeout 300 ansible-playbook -i "$INV" "$PB" > "$T_TMP/ansible.out" 2>&1
diag "ansible-playbook exit status $?"
ids "$T_TMP/drover.out" > "$T_TMP/drover.ids"
ids "$T_TMP/ansible.out" > "$T_TMP/ansible.ids"
for h in nopw pw su tty login; do
	d=$(grep "^ID $h " "$T_TMP/drover.ids")
	a=$(grep "^ID $h " "$T_TMP/ansible.ids")
	if [ -n "$d" ] && [ "$d" = "$a" ]; then ok "identity as ansible-playbook sees it: $d"; else
		not_ok "identity as ansible-playbook sees it ($h)"; diag "drover:  $d"; diag "ansible: $a"; fi
done
for h in wrong missing; do
	m=$(grep -A3 "fatal: \[$h\]" "$T_TMP/ansible.out" | grep -o '"msg": "[^"]*"')
	check "ansible-playbook gives the same message for $h ($m)" fatal_has "$h" "$T_TMP/drover.out" "${m:-none}"
done

# drover run -b: the same escalation for ad-hoc commands.
out=$(timeout 60 "$DROVER" run nopw -i "$INV" -b -a "id -un" 2>&1)
check_eq "drover run -b runs as root" "$(printf '%s' "$out" | tail -1)" root
out=$(timeout 60 "$DROVER" run pw -i "$INV" -b -a "id -un" 2>&1)
check_eq "drover run -b with the host's become_user" "$(printf '%s' "$out" | tail -1)" "$U_T"
# -K: the password typed on the controller's terminal (a pty here), for a host without one.
cat > "$T_TMP/askk.py" <<'EOF'
import os, pty, select, sys, termios, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
buf, sent, deadline = b"", False, time.monotonic() + 60
while time.monotonic() < deadline:
    if not sent and b"BECOME password: " in buf:
        # Typed once echo is off, as a person would; earlier input would be flushed.
        while termios.tcgetattr(fd)[3] & termios.ECHO and time.monotonic() < deadline:
            time.sleep(0.01)
        os.write(fd, os.environ["ASKK_PW"].encode() + b"\n")
        sent = True
    if select.select([fd], [], [], 1)[0]:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        buf += d
_, st = os.waitpid(pid, 0)
sys.stdout.buffer.write(buf)
sys.exit(os.waitstatus_to_exitcode(st))
EOF
out=$(ASKK_PW=$PW_L timeout 90 python3 "$T_TMP/askk.py" "$DROVER" run missing -i "$INV" -b -K -a "id -un" 2>&1 | tr -d '\r')
check_eq "-K asks on the terminal and escalates with it" "$(printf '%s' "$out" | tail -1)" "$U_T"
case "$out" in *"$PW_L"*) not_ok "-K: the password is not echoed" ;; *) ok "-K: the password is not echoed" ;; esac

# A tool that never answers: the escalation's deadline (-T) ends it, and the tool with it.
printf '#!/bin/sh\nexec sleep 3001\n' > "$T_TMP/mute-sudo"
chmod 755 "$T_TMP/mute-sudo"
out=$(timeout 60 "$DROVER" run nopw -i "$INV" -b -T 2 -e "ansible_become_exe=$T_TMP/mute-sudo" -a "id -un" 2>&1)
case "$out" in
*"Timeout waiting for privilege escalation"*) ok "a silent tool times out with a clear message" ;;
*) not_ok "a silent tool times out with a clear message"; diag "$out" ;;
esac
check "the silent tool was stopped" sh -c "! ps -o args= -u $U_L | grep -q 'sleep 3001'"

out=$(timeout 60 "$DROVER" run nopw -i "$INV" -b -m raw -a "id -un" 2>&1)
case "$out" in
*"raw with become is not supported"*) ok "raw with become fails clearly instead of running as the login user" ;;
*) not_ok "raw with become fails clearly instead of running as the login user"; diag "$out" ;;
esac
[ -n "${BECOME_KEEP:-}" ] && cp "$T_TMP"/*.out /tmp/bx/ 2>/dev/null
t_done
