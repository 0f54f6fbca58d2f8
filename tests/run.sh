#!/bin/sh
# Runs the whole suite: unit tests, end-to-end tests and brief fuzz runs.
# Every test program prints TAP lines ("ok", "not ok", "ok ... # SKIP"); a
# program that dies without them counts as one failure. Each program runs in
# its own process group under a timeout. The last line is "N passed, N failed,
# N skipped".
#
# Environment: BUILD (default build), TEST_FILTER (substring of test names),
# TEST_EXCLUDE (space-separated substrings of names not to run), FUZZ_SECONDS
# (default 6 per target; 0 skips fuzzing), TEST_JOBS (programs run at once,
# default the number of CPUs, at most 4). The end-to-end tests named in
# tests/serial.txt (timing-sensitive ones) run alone, before the others.
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
BUILD=${BUILD:-build}
export ROOT BUILD
FUZZ_SECONDS=${FUZZ_SECONDS:-6}
LOGDIR=$(mktemp -d /tmp/drover-tests.XXXXXX)
passed=0 failed=0 skipped=0
failures=""

selected() { # name: whether TEST_FILTER and TEST_EXCLUDE keep it
	case "$1" in *"${TEST_FILTER:-}"*) ;; *) return 1 ;; esac
	for x in ${TEST_EXCLUDE:-}; do
		case "$1" in *"$x"*) return 1 ;; esac
	done
	return 0
}

# exec_one I: runs job I of $LOGDIR/jobs ("name<TAB>limit<TAB>command"),
# leaving its output in $LOGDIR/I.log and "status seconds" in $LOGDIR/I.rc.
exec_one() {
	line=$(sed -n "${1}p" "$LOGDIR/jobs")
	limit=$(printf '%s\n' "$line" | cut -f2)
	cmd=$(printf '%s\n' "$line" | cut -f3-)
	t0=$(date +%s)
	timeout -k 5 "$limit" sh -c "$cmd" > "$LOGDIR/$1.log" 2>&1
	echo "$? $(($(date +%s) - t0))" > "$LOGDIR/$1.rc.tmp"
	mv "$LOGDIR/$1.rc.tmp" "$LOGDIR/$1.rc"
}

# report I: counts job I's TAP lines into the totals and prints its line.
report() {
	name=$(sed -n "${1}p" "$LOGDIR/jobs" | cut -f1)
	limit=$(sed -n "${1}p" "$LOGDIR/jobs" | cut -f2)
	log="$LOGDIR/$1.log"
	read -r rc secs < "$LOGDIR/$1.rc"
	p=$(grep -c '^ok ' "$log" | tr -d ' ')
	s=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >> "$log"
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failures="$failures $name"
		echo "FAIL $name ($p passed, $f failed, ${secs}s)"
		grep -E '^(not ok|#)' "$log" | head -40 | sed 's/^/    /'
		[ "$rc" -eq 124 ] && echo "    (timed out after ${limit}s)"
		tail -n 15 "$log" | sed 's/^/    | /'
	else
		echo "ok   $name ($p passed${s:+, $s skipped}, ${secs}s)"
	fi
}

# lane: takes the next job from the shared counter until none is left (a
# mkdir lock guards the counter), so TEST_JOBS lanes share the work.
lane() {
	while :; do
		until mkdir "$LOGDIR/lock" 2>/dev/null; do sleep 0.05; done
		i=$(($(cat "$LOGDIR/next") + 1))
		echo "$i" > "$LOGDIR/next"
		rmdir "$LOGDIR/lock"
		[ "$i" -le "$njobs" ] || return 0
		exec_one "$i"
	done
}

# run_jobs PARALLEL: runs every job added since the last call, PARALLEL
# at once (1: in order), and reports them in order.
first=1
run_jobs() {
	njobs=$(wc -l < "$LOGDIR/jobs" | tr -d ' ')
	echo $((first - 1)) > "$LOGDIR/next"
	k=0
	while [ "$k" -lt "$1" ]; do
		lane &
		k=$((k + 1))
	done
	# Report in order, each job as soon as it and those before it are done.
	while [ "$first" -le "$njobs" ]; do
		if [ -f "$LOGDIR/$first.rc" ]; then
			report "$first"
			first=$((first + 1))
		else
			sleep 0.2
		fi
	done
	wait
}

add_job() { # name timeout command
	selected "$1" || return 0
	printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$LOGDIR/jobs"
}

is_serial() {
	grep -qx "$1" tests/serial.txt 2>/dev/null
}

jobs=${TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
: > "$LOGDIR/jobs"

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	add_job "unit/$(basename "$t")" 120 "'$t'"
done
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	is_serial "$(basename "$t" .sh)" && add_job "e2e/$(basename "$t" .sh)" 600 "sh '$t'"
done
run_jobs 1

for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	is_serial "$(basename "$t" .sh)" || add_job "e2e/$(basename "$t" .sh)" 600 "sh '$t'"
done
if [ "$FUZZ_SECONDS" -gt 0 ] && [ -d build-fuzz ]; then
	for f in build-fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f")
		corpus="$LOGDIR/corpus-$n"
		mkdir -p "$corpus"
		[ -d "tests/fuzz/corpus/${n#fuzz_}" ] && cp -r "tests/fuzz/corpus/${n#fuzz_}/." "$corpus/"
		add_job "fuzz/$n" $((FUZZ_SECONDS + 60)) \
			"'$f' -max_total_time=$FUZZ_SECONDS -max_len=4096 -rss_limit_mb=1024 '$corpus' && echo 'ok 1 - $n'"
	done
fi
run_jobs "$jobs"

rm -rf "$LOGDIR"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
