#!/bin/sh
# Runs the whole suite: unit tests, end-to-end tests and brief fuzz runs.
# Every test program prints TAP lines ("ok", "not ok", "ok ... # SKIP"); a
# program that dies without them counts as one failure. Each program runs in
# its own process group under a timeout. The last line is "N passed, N failed,
# N skipped".
#
# Environment: BUILD (default build), TEST_FILTER (substring of test names),
# TEST_EXCLUDE (space-separated substrings of names not to run), FUZZ_SECONDS
# (default 10 per target; 0 skips fuzzing).
set -u
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
BUILD=${BUILD:-build}
export ROOT BUILD
FUZZ_SECONDS=${FUZZ_SECONDS:-6}
LOGDIR=$(mktemp -d /tmp/drover-tests.XXXXXX)
passed=0 failed=0 skipped=0
failures=""

run_one() { # name timeout cmd...
	name=$1; limit=$2; shift 2
	case "$name" in *"${TEST_FILTER:-}"*) ;; *) return ;; esac
	for x in ${TEST_EXCLUDE:-}; do
		case "$name" in *"$x"*) return ;; esac
	done
	log="$LOGDIR/$(echo "$name" | tr '/ ' '__').log"
	t0=$(date +%s)
	timeout -k 5 "$limit" "$@" > "$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
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

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" 120 "$t"
done

for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	run_one "e2e/$(basename "$t" .sh)" 600 sh "$t"
done

if [ "$FUZZ_SECONDS" -gt 0 ] && [ -d build-fuzz ]; then
	for f in build-fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		n=$(basename "$f")
		corpus="$LOGDIR/corpus-$n"
		mkdir -p "$corpus"
		[ -d "tests/fuzz/corpus/${n#fuzz_}" ] && cp -r "tests/fuzz/corpus/${n#fuzz_}/." "$corpus/"
		run_one "fuzz/$n" $((FUZZ_SECONDS + 60)) sh -c \
			"'$f' -max_total_time=$FUZZ_SECONDS -max_len=4096 -rss_limit_mb=1024 '$corpus' && echo 'ok 1 - $n'"
	done
fi

rm -rf "$LOGDIR"
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
