# Shared helpers for end-to-end tests (sourced). Each test prints TAP lines.
# Processes a test starts are recorded with track_pid and killed by pid on exit.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
DROVER="$BUILD/drover"
T_N=0
T_FAILED=0
T_PIDS=""
T_TMP=$(mktemp -d /tmp/drover-e2e.XXXXXX)

track_pid() { T_PIDS="$T_PIDS $1"; }

t_cleanup() {
	for p in $T_PIDS; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T_TMP"
}
trap t_cleanup EXIT INT TERM

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1)); echo "not ok $T_N - $*"; }
skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP ${2:-}"; }
diag() { echo "$*" | sed 's/^/# /'; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# check_eq NAME GOT WANT
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; diag "got:  $2"; diag "want: $3"; fi
}

# wait_for SECONDS CMD...: polls CMD every 50 ms until it succeeds or time runs out.
wait_for() {
	limit=$1; shift
	end=$(( $(date +%s) + limit ))
	while ! "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.05
	done
	return 0
}

t_done() { echo "1..$T_N"; [ "$T_FAILED" -eq 0 ]; }
