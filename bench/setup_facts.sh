#!/bin/sh
# Fact gathering: `drover run localhost -c local -m setup` against `ansible localhost -c local
# -m setup` (Ansible's gather_facts), each run N times after one unmeasured warm-up run, and
# the setup module alone inside one drover-worker (N requests over the worker protocol, the
# worker already running). Prints the medians and the ratio "ansible/drover = 123x".
#
# usage: bench/setup_facts.sh [-n N]     (N runs each, default 10)
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
case "$N" in '' | *[!0-9]* | 0) echo "setup_facts: -n wants a positive number" >&2; exit 2 ;; esac

BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DROVER=$BUILD/drover
WORKER=$BUILD/drover-worker
for f in "$DROVER" "$WORKER"; do
	if [ ! -x "$f" ]; then
		echo "setup_facts: $f is missing: build first (make, or make BUILD=dir and run with BUILD=dir)" >&2
		exit 2
	fi
done
command -v ansible >/dev/null || { echo "setup_facts: ansible is not installed" >&2; exit 2; }

TMP=$(mktemp -d /tmp/bench-setup.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
trap 'exit 1' INT TERM

: > "$TMP/ansible.cfg"
export ANSIBLE_CONFIG="$TMP/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_LOCALHOST_WARNING=False \
	ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_DEPRECATION_WARNINGS=False

set -- localhost -c local -m setup

for tool in drover ansible; do
	if [ $tool = drover ]; then cmd="$DROVER run"; else cmd=ansible; fi
	if ! $cmd "$@" > "$TMP/$tool.out" 2>&1 || ! grep -q '^localhost | SUCCESS => {' "$TMP/$tool.out"; then
		echo "setup_facts: \`$cmd $*\` did not succeed:" >&2
		tail -n 20 "$TMP/$tool.out" >&2
		exit 1
	fi
done

bench_runs "$N" "$TMP/drover.log" "$DROVER" run "$@" > "$TMP/drover.runs" || exit 1
bench_runs "$N" "$TMP/ansible.log" ansible "$@" > "$TMP/ansible.runs" || exit 1

# The module alone: requests to one running worker, timed around each reply.
module_median=$(python3 - "$WORKER" "$N" "$ROOT/tests/e2e" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[3])
from workerproto import Worker
w = Worker(sys.argv[1])
try:
    w.hello()
    w.request('setup')
    t = []
    for _ in range(int(sys.argv[2])):
        t0 = time.monotonic()
        w.request('setup')
        t.append(time.monotonic() - t0)
finally:
    w.close()
t.sort()
print('%.6f' % t[len(t) // 2])
PY
) || exit 1

report() { # TOOL
	set -- "$1" $(bench_stats "$TMP/$1.runs")
	printf '%-8s median %-10s min %-10s cpu %s\n' "$1" "$(bench_secs "$2")" "$(bench_secs "$3")" \
		"$(bench_secs "$4")"
}

echo "setup_facts: \`run $*\`, $N runs each after one warm-up"
report drover
report ansible
echo "setup module alone in a running drover-worker: median $(bench_secs "$module_median")"
d=$(bench_stats "$TMP/drover.runs" | cut -d' ' -f1)
a=$(bench_stats "$TMP/ansible.runs" | cut -d' ' -f1)
awk -v a="$a" -v d="$d" 'BEGIN { if (d > 0) printf "ansible/drover = %.0fx\n", a / d }'
