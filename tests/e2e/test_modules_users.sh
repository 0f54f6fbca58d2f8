#!/bin/sh
# Differential: the user and group modules run by `ansible-playbook` and `drover playbook`
# against the same sshd host (this machine: both tools change its real accounts), each tool on
# its own names (drvt_<pid>a... and drvt_<pid>d...), ids and home directories. Compared, once
# names, ids and paths are masked (tests/e2e/users_norm.py): the exit status and recap, every
# registered result of a first and a second (idempotent) run of
# tests/playbooks/users/apply.yml, the accounts left in /etc/passwd, /etc/group, /etc/shadow
# and /etc/gshadow and the home directories; the --diff output, results and key files of
# authorized_key and known_hosts tasks (keys.yml); then a check-mode run of check.yml gives the same results
# and changes nothing. Every account and group made is removed on exit.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

PB=$ROOT/tests/playbooks/users
NORM="python3 $ROOT/tests/e2e/users_norm.py"
PREFIX=drvt_$$

if [ "$(id -u)" -ne 0 ]; then
	skip "user and group modules" "needs root (accounts are created)"
	t_done; exit
fi
if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v ansible-playbook >/dev/null ||
   ! command -v useradd >/dev/null; then
	skip "user and group modules" "openssh, ansible-playbook or useradd not installed"
	t_done; exit
fi

# users_cleanup: every account and group this test made, whatever state it stopped in.
users_cleanup() {
	local name
	for name in $(cut -d: -f1 /etc/passwd | grep "^$PREFIX"); do userdel -f -r "$name" >/dev/null 2>&1; done
	for name in $(cut -d: -f1 /etc/group | grep "^$PREFIX"); do groupdel "$name" >/dev/null 2>&1; done
}
dr_on_exit users_cleanup
# A reader that goes away (`| head`) must not leave accounts behind either.
trap 'exit 1' INT TERM HUP PIPE

if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
set -- $($NORM bases 100)
BASE_a=$1
BASE_d=$2

# play TOOL PLAYBOOK OUT [ARGS...]: the playbook run by TOOL (a or d) on its names; the human
# output in OUT, the results in OUT.json, the exit status on the last line of OUT.
play() {
	local tool=$1 pb=$2 out=$3 base
	shift 3
	eval "base=\$BASE_$tool"
	mkdir -p "$T_TMP/$tool"
	set -- -e "p=${PREFIX}${tool}_ base=$base tmp=$T_TMP/$tool out=$out.json" "$@" "$PB/$pb"
	if [ "$tool" = a ]; then
		sshd_ansible timeout -k 2 180 ansible-playbook "$@" > "$out" 2> "$out.err"
	else
		sshd_ansible env XDG_RUNTIME_DIR="$DR_XDG" timeout -k 2 60 "$DROVER" playbook "$@" > "$out" 2> "$out.err"
	fi
	echo "rc=$?" >> "$out"
}

# same NAME WHAT: WHAT (a function of the tool: a or d) gives the same text for both tools.
same() {
	local a d
	a=$($2 a)
	d=$($2 d)
	if [ -n "$a" ] && [ "$a" = "$d" ]; then ok "$1"
	else
		not_ok "$1"
		printf '%s\n' "$a" > "$T_TMP/same.a"
		printf '%s\n' "$d" > "$T_TMP/same.d"
		diag "$(diff -u "$T_TMP/same.a" "$T_TMP/same.d" | head -80)"
	fi
}

norm_args() { eval "echo ${PREFIX}${1}_ \$BASE_$1 $T_TMP/$1"; }
recap() { grep -E '^(h1 +:|rc=)' "$T_TMP/$1.$RUN"; }
results() { $NORM results "$T_TMP/$1.$RUN.json" $(norm_args "$1") 2>&1; }
state() { $NORM state $(norm_args "$1"); }

human() { $NORM out "$T_TMP/$1.$RUN" $(norm_args "$1"); }
for RUN in 1 2; do
	set --
	[ $RUN = 2 ] && set -- -D
	play a apply.yml "$T_TMP/a.$RUN" "$@"
	play d apply.yml "$T_TMP/d.$RUN" "$@"
	same "run $RUN: exit status and recap" recap
	same "run $RUN: results" results
	same "run $RUN: accounts, groups, shadow fields and homes" state
done
same "run 2 with --diff: the whole output (warnings, failures, recap)" human
RUN=k
play a keys.yml "$T_TMP/a.k" -D
play d keys.yml "$T_TMP/d.k" -D
same "authorized_key, known_hosts: --diff output and recap" human
same "authorized_key, known_hosts: results" results
same "authorized_key, known_hosts: key files, owners and modes" state
state a > "$T_TMP/a.before"
state d > "$T_TMP/d.before"
RUN=c
play a check.yml "$T_TMP/a.c" -C
play d check.yml "$T_TMP/d.c" -C
same "check mode: exit status and recap" recap
same "check mode: results" results
state a > "$T_TMP/a.after"
state d > "$T_TMP/d.after"
check "check mode: ansible changed nothing (the test's own check)" cmp -s "$T_TMP/a.before" "$T_TMP/a.after"
check "check mode: drover changed nothing" cmp -s "$T_TMP/d.before" "$T_TMP/d.after"
# USERS_KEEP=DIR keeps both tools' outputs there.
[ -n "${USERS_KEEP:-}" ] && mkdir -p "$USERS_KEEP" && cp -r "$T_TMP/a".* "$T_TMP/d".* "$USERS_KEEP"
t_done
