# Helpers for the tests of `drover run` over ssh (sourced after lib.sh and sshd.sh; POSIX sh).
#
#   dr ARGS...             `drover run ARGS` reaching the harness' hosts (--ssh-common-args
#                          "-F $SSHD_SSH_CONFIG") with a private XDG_RUNTIME_DIR ($DR_XDG; control
#                          sockets in $DR_CTL); words in $DR_ENV go to env(1) too ("-u HOME");
#                          killed after $DR_LIMIT seconds (default 30; status 124 then)
#   dr_time CMD...         runs CMD: stdout in the file $DR_OUT, stderr in $DR_ERR, exit status
#                          in $DR_RC, wall time in $DR_MS (ms); `dr` goes through it
#   dr_masters [DIR]       every master behind DIR's sockets (default $DR_CTL): its pid is
#                          recorded with track_pid and printed, one a line
#   dr_master_pid SOCK     the pid of the master behind SOCK (`ssh -O check`), or nothing
#   dr_sock DIR ADDR PORT [USER]
#                          the socket drover uses in DIR for USER@ADDR:PORT (port 0: none given)
#   dr_forget_sock SOCK    a socket outside $T_TMP (a shared /tmp/drover-UID) to remove on exit
#   dr_on_exit CMD         runs CMD (eval) on exit, after the masters stop, before the servers do
#   dr_has FILE TEXT       FILE contains the fixed string TEXT
#   dr_count FILE TEXT     lines of FILE with the fixed string TEXT
#   now_ms                 monotonic-enough wall clock in ms
#
# Masters are ssh processes of their own (ssh -M -f daemonises), children of nobody here; they
# are found through their sockets ($DR_CTL, Ansible's $T_TMP/cp-*, dr_forget_sock) and killed
# by pid on exit, like every other process.
DR_XDG=$T_TMP/xdg
DR_CTL=$DR_XDG/drover
DR_OUT=$T_TMP/dr.out
DR_ERR=$T_TMP/dr.err
DR_ENV=""
DR_LIMIT=30
DR_RC=0
DR_MS=0
DR_SOCKS=""
DR_EXIT=""
mkdir -p -m 0700 "$DR_XDG"

trap 'dr_cleanup; sshd_stop; t_cleanup' EXIT

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

dr_time() {
	local t0
	t0=$(now_ms)
	"$@" > "$DR_OUT" 2> "$DR_ERR"
	DR_RC=$?
	DR_MS=$(( $(now_ms) - t0 ))
	return 0
}

dr() {
	dr_time timeout -k 2 "$DR_LIMIT" env XDG_RUNTIME_DIR="$DR_XDG" env $DR_ENV "$DROVER" run \
		--ssh-common-args="-F $SSHD_SSH_CONFIG" "$@"
}

dr_has() { grep -qF -- "$2" "$1"; }
dr_count() { grep -cF -- "$2" "$1"; }

dr_master_pid() {
	[ -S "$1" ] || return 0
	# A stopped master never answers: bound the check.
	timeout 3 ssh -O check -o ControlPath="$1" x 2>&1 | sed -n 's/^Master running (pid=\([0-9]*\)).*/\1/p'
}

dr_masters() {
	local dir=${1:-$DR_CTL} s pid
	for s in "$dir"/*; do
		[ -S "$s" ] || continue
		pid=$(dr_master_pid "$s")
		[ -n "$pid" ] || continue
		track_pid "$pid"
		echo "$pid"
	done
}

dr_sock() {
	local key
	key="$(id -u) ${4:-}@$2:$3"
	echo "$1/$(printf '%s' "$key" | sha256sum | cut -c1-16)"
}

dr_forget_sock() { DR_SOCKS="$DR_SOCKS $1"; }
dr_on_exit() { DR_EXIT="$DR_EXIT
$1"; }

dr_cleanup() {
	local s pid
	# Ansible's masters (the harness' ControlPath $T_TMP/cp-%C) too.
	for s in "$DR_CTL"/* "$T_TMP"/cp-* $DR_SOCKS; do
		[ -S "$s" ] || continue
		pid=$(dr_master_pid "$s")
		[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
	done
	for s in $DR_SOCKS; do rm -f "$s" "$s.log"; done
	eval "$DR_EXIT"
	DR_EXIT=""
}
