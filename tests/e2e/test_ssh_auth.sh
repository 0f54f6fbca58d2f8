#!/bin/sh
# Authentication: a password login (ansible_password, through drover's own askpass) over a
# master and directly; a wrong password and a wrong key fail at once with a clear "auth" error
# after exactly one attempt, even with --retries; the password never shows in `ps`, in any
# process's environment, in -vvvv output or in the control directory's files.
# Needs root (a throw-away user with a password; removed on exit).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "ssh authentication" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null || ! command -v chpasswd >/dev/null; then
	skip "ssh authentication" "needs root with useradd and chpasswd to make a user with a password"
	t_done; exit
fi
# The sessions' HOME comes from the password database: the test user's own.
SSHD_ENV="DROVER_E2E=1"
if ! sshd_start 3; then
	not_ok "sshd_start 3"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
DR_LIMIT=8

# A user of our own (useradd may meet another's lock on /etc/passwd: retry for a while).
U=drvt$$
UHOME=$T_TMP/uhome
chmod 711 "$T_TMP"
add_user() { useradd -M -d "$UHOME" -s /bin/sh "$U" 2>/dev/null; }
if ! wait_for 10 add_user; then
	not_ok "useradd $U"
	t_done; exit
fi
UID_U=$(id -u "$U")
dr_on_exit "rm -rf /tmp/drover-$UID_U; userdel -r $U 2>/dev/null || userdel $U"
mkdir -m 0700 "$UHOME"
chown "$U" "$UHOME"
PASS="Pw-$$-$(date +%N)-sesame"
WRONG="Pw-$$-wrong"
echo "$U:$PASS" | chpasswd
# Patterns in files, so that no grep's own argv holds a secret while ps is sampled.
printf '%s\n%s\n' "$PASS" "$WRONG" > "$T_TMP/secrets"

LOG=$SSHD_DIR/sshd.1.log
count() { grep -c -- "$1" "$LOG"; }
PWARGS="-F $SSHD_SSH_CONFIG -o PubkeyAuthentication=no -o PreferredAuthentications=password"
cat > "$T_TMP/pw.ini" <<EOF
[pw]
good ansible_host=127.0.1.1 ansible_port=$(sshd_port 1) ansible_password=$PASS
bad ansible_host=127.0.1.2 ansible_port=$(sshd_port 2) ansible_password=$WRONG
[pw:vars]
ansible_user=$U
ansible_ssh_common_args="$PWARGS"
EOF

# watched ARGS...: dr ARGS in the background while every process's argv and environment are
# sampled until it ends.
watched() {
	( dr "$@"; echo "$DR_RC $DR_MS" > "$T_TMP/rc" ) &
	local bg=$!
	track_pid "$bg"
	while [ -d "/proc/$bg" ]; do
		ps -eo args >> "$T_TMP/ps.samples" 2>/dev/null
		cat /proc/[0-9]*/environ 2>/dev/null | tr '\0' '\n' >> "$T_TMP/env.samples"
	done
	wait "$bg"
	read -r DR_RC DR_MS < "$T_TMP/rc"
}
: > "$T_TMP/ps.samples"
: > "$T_TMP/env.samples"

# Right and wrong password at once, over new masters.
watched pw -i "$T_TMP/pw.ini" -m command -a 'id -un' -o -vvvv
check_eq "password runs: exit 4 (one host unreachable)" "$DR_RC" 4
check_eq "right password: the command runs as the user" "$(grep '^good ' "$DR_OUT")" \
	"good | CHANGED | rc=0 | (stdout) $U"
line=$(grep '^bad ' "$DR_OUT")
case "$line" in
"bad | UNREACHABLE!: auth failed: "*"ssh said: $U@127.0.1.2: Permission denied (publickey,password)."*)
	ok "wrong password: phase auth, ssh's words" ;;
*) not_ok "wrong password: phase auth, ssh's words"; diag "$line" ;;
esac
check "password runs end at once (< 5 s; took $DR_MS ms)" [ "$DR_MS" -lt 5000 ]
check_eq "one login with the right password" "$(count "Accepted password for $U")" 1
check_eq "wrong password: a single attempt" "$(count "Failed password for $U")" 1
check "-vvvv shows the ssh command lines" dr_has "$DR_ERR" "starting control master: ssh "
check "the passwords are not in -vvvv output" sh -c "! cat '$DR_OUT' '$DR_ERR' | grep -qF -f '$T_TMP/secrets'"

# Over the master: no second login. Directly (--no-persist): a fresh askpass token.
dr good -i "$T_TMP/pw.ini" -m command -a 'id -un' -o
check_eq "right password, master reused: works" "$DR_RC $(cat "$DR_OUT")" "0 good | CHANGED | rc=0 | (stdout) $U"
check_eq "right password, master reused: no new login" "$(count "Accepted password for $U")" 1
watched good -i "$T_TMP/pw.ini" -m command -a 'id -un' -o --no-persist -vvvv
check_eq "right password, direct: works" "$DR_RC $(cat "$DR_OUT")" "0 good | CHANGED | rc=0 | (stdout) $U"
check_eq "right password, direct: one more login" "$(count "Accepted password for $U")" 2

# Retries are for connections that may work next time, never for a refused login.
watched bad -i "$T_TMP/pw.ini" -m ping -o --retries 3 -v
check_eq "wrong password with --retries 3: exit 4" "$DR_RC" 4
check_eq "wrong password with --retries 3: still a single attempt" "$(count "Failed password for $U")" 2
check "wrong password with --retries 3: at once (< 5 s; took $DR_MS ms)" [ "$DR_MS" -lt 5000 ]

check "the passwords are never in ps output" sh -c "! grep -qF -f '$T_TMP/secrets' '$T_TMP/ps.samples'"
check "ps was sampled while ssh ran" grep -q '^ssh .*PubkeyAuthentication=no' "$T_TMP/ps.samples"
check "the passwords are never in a process's environment" \
	sh -c "! grep -qF -f '$T_TMP/secrets' '$T_TMP/env.samples'"
check "... whose askpass variables were seen" grep -q '^SSH_ASKPASS_REQUIRE=force' "$T_TMP/env.samples"
check "the passwords are not in the control directory's files" \
	sh -c "! cat '$DR_CTL'/* 2>/dev/null | grep -qF -f '$T_TMP/secrets'"

# A key the server does not know: one connection, one offer, an auth error.
ssh-keygen -q -t ed25519 -N '' -C drover-test-wrong -f "$T_TMP/wrong_key"
grep -v 'IdentityFile' "$SSHD_SSH_CONFIG" > "$T_TMP/ssh_config.nokey"
P3=$(sshd_port 3)
conns() { grep -c "Connection from .* on 127.0.1.3 port $P3" "$LOG"; }
dr h3 -i "$SSHD_INVENTORY" -m ping -o --retries 3 -u root --private-key "$T_TMP/wrong_key" \
	--ssh-common-args="-F $T_TMP/ssh_config.nokey"
check_eq "wrong key: exit 4" "$DR_RC" 4
line=$(cat "$DR_OUT")
case "$line" in
"h3 | UNREACHABLE!: auth failed: "*"ssh said: root@127.0.1.3: Permission denied (publickey,password)."*)
	ok "wrong key: phase auth, ssh's words" ;;
*) not_ok "wrong key: phase auth, ssh's words"; diag "$line" ;;
esac
check_eq "wrong key: one connection, even with --retries 3" "$(conns)" 1
check_eq "wrong key: the key was offered once" "$(count "Failed publickey for root from .* port [0-9]* ssh2: ED25519")" 1
check "wrong key: at once (< 5 s; took $DR_MS ms)" [ "$DR_MS" -lt 5000 ]

t_done
