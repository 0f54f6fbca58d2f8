#!/bin/sh
# The ad-hoc path on the local connection: `drover run localhost -c local -m command -a true`
# against the same `ansible` command, each run N times after one unmeasured warm-up run.
# Prints per tool the median and minimum wall time, the median CPU time (user + system of the
# command and all it waited for) and the peak RSS of its largest process, the worker's binary
# size, and the ratio of the medians as "ansible/drover = 123x".
#
# usage: bench/adhoc_local.sh [-n N]     (N runs each, default 10)
# BUILD=dir picks the build directory holding drover and drover-worker (default build/; a
# relative dir is taken from the repository's root). Nothing is built here.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"

N=10
while getopts n: opt; do
	case $opt in
	n) N=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS]" >&2; exit 2 ;;
	esac
done
case "$N" in '' | *[!0-9]* | 0) echo "adhoc_local: -n wants a positive number" >&2; exit 2 ;; esac

BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DROVER=$BUILD/drover
WORKER=$BUILD/drover-worker
for f in "$DROVER" "$WORKER"; do
	if [ ! -x "$f" ]; then
		echo "adhoc_local: $f is missing: build first (make, or make BUILD=dir and run with BUILD=dir)" >&2
		exit 2
	fi
done
command -v ansible >/dev/null || { echo "adhoc_local: ansible is not installed" >&2; exit 2; }

TMP=$(mktemp -d /tmp/bench-adhoc.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

# The same quiet, reproducible environment for both: no ansible.cfg from the directory or
# HOME, no colour, none of the warnings an implicit localhost draws.
: > "$TMP/ansible.cfg"
export ANSIBLE_CONFIG="$TMP/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False

set -- localhost -c local -m command -a true

# The warm-up run doubles as a check that both tools do the job and say so the same way.
for tool in drover ansible; do
	if [ $tool = drover ]; then cmd="$DROVER run"; else cmd=ansible; fi
	if ! $cmd "$@" > "$TMP/$tool.out" 2>&1; then
		echo "adhoc_local: \`$cmd $*\` failed:" >&2
		tail -n 20 "$TMP/$tool.out" >&2
		exit 1
	fi
	if ! grep -q '^localhost | CHANGED | rc=0' "$TMP/$tool.out"; then
		echo "adhoc_local: \`$cmd $*\` did not report 'localhost | CHANGED | rc=0':" >&2
		tail -n 20 "$TMP/$tool.out" >&2
		exit 1
	fi
done

bench_runs "$N" "$TMP/drover.log" "$DROVER" run "$@" > "$TMP/drover.runs" || exit 1
bench_runs "$N" "$TMP/ansible.log" ansible "$@" > "$TMP/ansible.runs" || exit 1

# Peak RSS: a process's maximum RSS includes the image it exec'd from, so it is taken under
# /usr/bin/time (about 1 MB) rather than under python3 (about 10 MB) when time is installed.
rss_note=""
rss() { # TOOL CMD...: peak RSS in KiB of one more run
	tool=$1; shift
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%M' -o "$TMP/$tool.rss" "$@" > /dev/null 2>&1 && cat "$TMP/$tool.rss"
	else
		rss_note=" (upper bounds: /usr/bin/time is missing, so they include python3's image)"
		bench_stats "$TMP/$tool.runs" | cut -d' ' -f4
	fi
}
drover_rss=$(rss drover "$DROVER" run "$@")
ansible_rss=$(rss ansible ansible "$@")

report() { # TOOL RSS_KB
	set -- "$1" "$2" $(bench_stats "$TMP/$1.runs")
	printf '%-8s median %-10s min %-10s cpu %-10s peak RSS %s\n' "$1" \
		"$(bench_secs "$3")" "$(bench_secs "$4")" "$(bench_secs "$5")" \
		"$(awk -v k="$2" 'BEGIN { printf "%.1f MiB", k / 1024 }')"
}

echo "adhoc_local: \`run $*\`, $N runs each after one warm-up"
report drover "$drover_rss"
report ansible "$ansible_rss"
[ -n "$rss_note" ] && echo "peak RSS$rss_note"
echo "drover-worker: $(wc -c < "$WORKER" | tr -d ' ') bytes"
d=$(bench_stats "$TMP/drover.runs" | cut -d' ' -f1)
a=$(bench_stats "$TMP/ansible.runs" | cut -d' ' -f1)
awk -v a="$a" -v d="$d" 'BEGIN { if (d > 0) printf "ansible/drover = %.0fx\n", a / d }'
