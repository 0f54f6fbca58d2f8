#!/bin/sh
# The floors over SSH: what no tool can beat on these hosts, to set drover's numbers against.
# For each host count, loopback hosts h1..hN are started with tests/e2e/sshd.sh (real sshd)
# and two things are timed, R runs each, all hosts in parallel:
#   adhoc    one `ssh hI true` per host (the ad-hoc floor: connect, authenticate, run nothing)
#   bench20  ../shared/bench/floor.sh: one `ssh hI sh -s` per host carrying the 20 operations
#            of bench20.yml, on clean hosts every run (each is a first run: 14 changed a host)
# Prints medians and minimums in seconds, one line per host count.
#
# usage: bench/floor_adhoc.sh [-n RUNS] [HOSTS...]     (default: -n 5, hosts 1 10 50)
# Needs root (sshd logs in as the current user; CI runs as root) and openssh-server. Writes
# under /tmp/bench/h1..hN, which it empties before and after.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
R=5
while getopts n: opt; do
	case $opt in
	n) R=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [HOSTS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1 10 50
case "$R" in '' | *[!0-9]* | 0) echo "floor_adhoc: -n wants a positive number" >&2; exit 2 ;; esac

FLOOR=$ROOT/../shared/bench/floor.sh
[ -f "$FLOOR" ] || { echo "floor_adhoc: $FLOOR is missing" >&2; exit 2; }
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/bench/lib.sh"

bench_clean() { # N
	i=1
	while [ "$i" -le "$1" ]; do rm -rf "/tmp/bench/h$i"; i=$((i + 1)); done
}

# One run of the ad-hoc floor: every host at once; fails if any host failed.
cat > "$T_TMP/adhoc_floor.sh" <<'EOF'
cfg=$1 n=$2 failed=$3
: > "$failed"
i=1
while [ "$i" -le "$n" ]; do
	{ ssh -F "$cfg" "h$i" true || echo "h$i" >> "$failed"; } &
	i=$((i + 1))
done
wait
[ -s "$failed" ] && { echo "failed: $(tr '\n' ' ' < "$failed")"; exit 1; }
exit 0
EOF
# One run of the bench20 floor on clean hosts; fails unless every host did all 20.
cat > "$T_TMP/bench20_floor.sh" <<'EOF'
floor=$1 inv=$2 cfg=$3 n=$4
i=1
while [ "$i" -le "$n" ]; do rm -rf "/tmp/bench/h$i"; i=$((i + 1)); done
out=$(sh "$floor" "$inv" "$cfg")
echo "$out"
[ "$out" = "floor: hosts=$n changed=$((n * 14)) ok=$((n * 6))" ]
EOF

line() { # LABEL RUNS_FILE
	set -- "$1" $(bench_stats "$2")
	printf '  %-8s median %-10s min %s' "$1" "$(bench_secs "$2")" "$(bench_secs "$3")"
}

echo "floor_adhoc: $R runs each, all hosts in parallel, sshd on 127.0.1.x"
for n in "$@"; do
	case "$n" in '' | *[!0-9]*) echo "floor_adhoc: bad host count '$n'" >&2; exit 2 ;; esac
	sshd_start "$n" || { echo "floor_adhoc: cannot start $n hosts" >&2; exit 1; }
	bench_clean "$n"
	# One unmeasured run each: caches warm, and both must work before anything is timed.
	bench_runs 1 "$T_TMP/log" sh "$T_TMP/adhoc_floor.sh" "$SSHD_SSH_CONFIG" "$n" "$T_TMP/failed" \
		> /dev/null || exit 1
	bench_runs 1 "$T_TMP/log" sh "$T_TMP/bench20_floor.sh" "$FLOOR" "$SSHD_INVENTORY" \
		"$SSHD_SSH_CONFIG" "$n" > /dev/null || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/adhoc_floor.sh" "$SSHD_SSH_CONFIG" "$n" \
		"$T_TMP/failed" > "$T_TMP/adhoc.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/bench20_floor.sh" "$FLOOR" "$SSHD_INVENTORY" \
		"$SSHD_SSH_CONFIG" "$n" > "$T_TMP/bench20.runs" || exit 1
	bench_clean "$n"
	sshd_stop
	printf 'hosts=%-4s' "$n"
	line adhoc "$T_TMP/adhoc.runs"
	line bench20 "$T_TMP/bench20.runs"
	echo
done
