#!/bin/sh
# ControlMaster sockets, regression tests for the failures seen with Ansible and OpenSSH: HOME
# unset, a literal `$HOME` in the control directory setting, a 200-character working directory,
# unwritable control directories (fallback, and a warning), a master killed with SIGKILL
# between runs (transparent), a master stopped with SIGSTOP (no hang), a socket path taken by
# something else.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "control sockets" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if ! sshd_start 2; then
	not_ok "sshd_start 2"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
INV=$SSHD_INVENTORY
P1=$(sshd_port 1)
UID_=$(id -u)
PWHOME=$(getent passwd "$UID_" | cut -d: -f6)

# pong NAME: the last run pinged h1 and exited 0.
pong() {
	if [ "$DR_RC" -eq 0 ] && grep -q '^h1 | SUCCESS => {' "$DR_OUT" && dr_has "$DR_OUT" '"ping": "pong"'
	then ok "$1"; else
		not_ok "$1"; diag "exit $DR_RC"; diag "$(cat "$DR_OUT" "$DR_ERR" | head -20)"; fi
}

# warned NAME TEXT: the last run (at default verbosity) warned with TEXT. A message that only
# -v shows is reported as a skip with its reason, so the gap stays visible.
warned() {
	if dr_has "$DR_ERR" "[WARNING]: " && dr_has "$DR_ERR" "$2"; then ok "$1"
	elif [ -n "${3:-}" ] && dr_has "$3" "$2"; then
		skip "$1" "said only with -v (the control directory choice in src/cli/opts.c logs at -v)"
	else not_ok "$1"; diag "$(cat "$DR_ERR")"; fi
}

ro_bind() { echo "mount --bind $1 $1 && mount -o remount,bind,ro $1"; }

# HOME unset: nothing is built from it.
DR_ENV="-u HOME"
dr h1 -i "$INV" -m ping -o
pong "HOME unset: works"
check "HOME unset: socket in \$XDG_RUNTIME_DIR/drover" [ -S "$(dr_sock "$DR_CTL" 127.0.1.1 "$P1")" ]
check_eq "the control directory is private" "$(stat -c %a "$DR_CTL")" 700
DR_ENV="-u HOME -u XDG_RUNTIME_DIR"
sock=$(dr_sock "/tmp/drover-$UID_" 127.0.1.1 "$P1")
dr_forget_sock "$sock"
dr h1 -i "$INV" -m ping -o
pong "HOME and XDG_RUNTIME_DIR unset: works"
check "HOME and XDG_RUNTIME_DIR unset: socket in /tmp/drover-UID" [ -S "$sock" ]
pid=$(dr_master_pid "$sock"); [ -n "$pid" ] && track_pid "$pid"
check_eq "/tmp/drover-UID is private" "$(stat -c %a "/tmp/drover-$UID_")" 700

# A literal $HOME (and ~) in the control directory setting: the home from the password
# database, never the environment, never a directory named '$HOME' under the cwd.
dir=$PWHOME/.drover-e2e-$$
dr_on_exit "rm -rf '$dir'"
mkdir "$T_TMP/cwd"
cd "$T_TMP/cwd" || exit 1
DR_ENV="HOME=/nonexistent ANSIBLE_SSH_CONTROL_PATH_DIR=\$HOME/.drover-e2e-$$"
dr h1 -i "$INV" -m ping -o
pong "literal \$HOME in the setting: works"
check "literal \$HOME: socket under the password database's home" [ -S "$(dr_sock "$dir" 127.0.1.1 "$P1")" ]
check_eq "literal \$HOME: nothing created under the cwd" "$(ls -A)" ""
DR_ENV="HOME=/nonexistent ANSIBLE_SSH_CONTROL_PATH_DIR=~/.drover-e2e-$$"
dr h1 -i "$INV" -m ping -o -vvvv
pong "~ in the setting: works"
check "~ in the setting: the same directory, its master reused" \
	dr_has "$DR_ERR" "control socket $dir/"
dr_masters "$dir" > /dev/null

# A 200-character working directory (a process started deep in a tree): the default works; a
# relative or over-long configured directory is refused and the default used instead.
long=$T_TMP/$(printf '%070d' 0 | tr 0 d)/$(printf '%070d' 0 | tr 0 e)/$(printf '%070d' 0 | tr 0 f)
mkdir -p "$long"
cd "$long" || exit 1
DR_ENV=""
dr h1 -i "$INV" -m ping -o
pong "200-character cwd: works"
for setting in cp "$long/cp"; do
	case $setting in /*) what="over-long" ;; *) what="relative" ;; esac
	DR_ENV="ANSIBLE_SSH_CONTROL_PATH_DIR=$setting"
	dr h1 -i "$INV" -m ping -o -vvvv
	pong "200-character cwd, $what control directory: works"
	check "200-character cwd, $what control directory: the default directory used" \
		dr_has "$DR_ERR" "control socket $DR_CTL/"
	cp "$DR_ERR" "$T_TMP/verbose.err"
	dr h1 -i "$INV" -m ping -o
	warned "200-character cwd, $what control directory: warns" "$setting" "$T_TMP/verbose.err"
done
check_eq "200-character cwd: nothing created there" "$(ls -A)" ""
cd "$T_TMP/cwd" || exit 1
DR_ENV=""

# Unwritable control directories (read-only mounts in a private mount namespace: root writes
# anywhere else). Each fallback works and says so; with none usable, hosts are reached directly.
reason=$(sshd_ns_usable) || reason="${reason:-no namespaces}"
if [ -z "$reason" ]; then
	mkdir -m 0700 "$T_TMP/ro"
	nsdr() { # SETUP ARGS...: drover run in a namespace after SETUP
		local setup=$1; shift
		dr_time timeout -k 2 30 env XDG_RUNTIME_DIR="$DR_XDG" $DR_ENV unshare -m --propagation private \
			/bin/sh -c "$setup"'
exec "$@"' sh "$DROVER" run --ssh-common-args="-F $SSHD_SSH_CONFIG" h1 -i "$INV" -m ping -o "$@"
	}
	DR_ENV="ANSIBLE_SSH_CONTROL_PATH_DIR=$T_TMP/ro"
	nsdr "$(ro_bind "$T_TMP/ro")" -vvvv
	pong "read-only control directory: works"
	check "read-only control directory: falls back to \$XDG_RUNTIME_DIR/drover" \
		dr_has "$DR_ERR" "control socket $DR_CTL/"
	cp "$DR_ERR" "$T_TMP/verbose.err"
	nsdr "$(ro_bind "$T_TMP/ro")"
	warned "read-only control directory: warns" "$T_TMP/ro" "$T_TMP/verbose.err"

	sock=$(dr_sock "/tmp/drover-$UID_" 127.0.1.1 "$P1")
	DR_ENV=""
	nsdr "$(ro_bind "$DR_XDG")" -vvvv
	pong "read-only \$XDG_RUNTIME_DIR: works"
	check "read-only \$XDG_RUNTIME_DIR: falls back to /tmp/drover-UID" dr_has "$DR_ERR" "control socket $sock:"
	cp "$DR_ERR" "$T_TMP/verbose.err"
	nsdr "$(ro_bind "$DR_XDG")"
	warned "read-only \$XDG_RUNTIME_DIR: warns" "$DR_XDG" "$T_TMP/verbose.err"

	# The last resort read-only too (it exists: the run above made it).
	all_ro="$(ro_bind "$T_TMP/ro") && $(ro_bind "$DR_XDG") && $(ro_bind "/tmp/drover-$UID_")"
	DR_ENV="ANSIBLE_SSH_CONTROL_PATH_DIR=$T_TMP/ro"
	nsdr "$all_ro" -vvvv
	pong "no usable control directory at all: works"
	check "no usable control directory at all: a direct session" dr_has "$DR_ERR" "direct session: ssh "
	cp "$DR_ERR" "$T_TMP/verbose.err"
	nsdr "$all_ro"
	warned "no usable control directory at all: warns" "no usable control directory" "$T_TMP/verbose.err"
	DR_ENV=""
else
	skip "unwritable control directories" "$reason"
fi

# A master killed with SIGKILL between runs: its socket is stale, removed, a new master started.
dr h1 -i "$INV" -m ping -o
sock=$(dr_sock "$DR_CTL" 127.0.1.1 "$P1")
m1=$(dr_master_pid "$sock")
check "a master runs for h1" [ -n "$m1" ]
[ -n "$m1" ] && track_pid "$m1"
kill -9 "$m1"
gone() { [ ! -d "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
wait_for 5 gone "$m1"
check "the killed master left its socket behind" [ -S "$sock" ]
dr h1 -i "$INV" -m ping -o -v
pong "master killed with SIGKILL: the next run works"
check "master killed: -v says the stale socket was removed" dr_has "$DR_ERR" "removed the stale control socket"
m2=$(dr_master_pid "$sock")
[ -n "$m2" ] && track_pid "$m2"
check "master killed: a new master runs" [ -n "$m2" ] && [ "$m2" != "$m1" ]

# A master stopped with SIGSTOP: it never answers; the run bypasses it after the check's
# deadline (2 s) instead of hanging; once continued, it is used again.
kill -STOP "$m2"
stopped() { [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = T ]; }
wait_for 5 stopped "$m2"
dr h1 -i "$INV" -m ping -o
pong "master stopped with SIGSTOP: the run works"
check "master stopped: no hang (< 6 s; took $DR_MS ms)" [ "$DR_MS" -lt 6000 ]
check "master stopped: a warning says it connected directly" \
	dr_has "$DR_ERR" "[WARNING]: <h1> the control master at $sock does not answer; connecting directly"
kill -CONT "$m2"
dr h1 -i "$INV" -m ping -o -vvvv
pong "master continued: works"
check "master continued: reused again" dr_has "$DR_ERR" "alive (reusing the master)"

# Something else at the socket's path: left alone, the host reached directly.
sock2=$(dr_sock "$DR_CTL" 127.0.1.2 "$(sshd_port 2)")
echo "not a socket" > "$sock2"
dr h2 -i "$INV" -m ping -o
check_eq "a file at the socket path: works" "$DR_RC $(cat "$DR_OUT")" \
	'0 h2 | SUCCESS => {"changed": false,"ping": "pong"}'
check "a file at the socket path: a warning says it connected directly" \
	dr_has "$DR_ERR" "[WARNING]: <h2> the control socket $sock2 is unusable; connecting directly"
check_eq "a file at the socket path: left as it was" "$(cat "$sock2")" "not a socket"

t_done
