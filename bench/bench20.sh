#!/bin/sh
# The reference playbook ../shared/bench/bench20.yml over SSH: drover against the floor and
# against ansible-playbook, measured in one run, with drover's peak memory.
# For each host count, loopback hosts h1..hN are started with tests/e2e/sshd.sh (real sshd);
# all hosts in parallel, R runs each of:
#   floor         ../shared/bench/floor.sh: one `ssh hI sh -s` per host with the same work
#   drover cold   first run on clean hosts, no ControlMaster alive (masters stopped first)
#   drover warm   first run on clean hosts, masters of the previous run alive
#   drover idem   second run (nothing changes), masters alive
#   ansible       ansible-playbook -f N with pipelining and ControlPersist, one first run
# Prints medians, ratios drover/floor and ansible/drover, and drover's peak RSS.
#
# usage: bench/bench20.sh [-n RUNS] [HOSTS...]      (default: -n 3, hosts 1 10 50)
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
R=3
while getopts n: opt; do
	case $opt in
	n) R=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [HOSTS...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || set -- 1 10 50
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/bench/lib.sh"
BENCH=$ROOT/../shared/bench
[ -f "$BENCH/bench20.yml" ] || { echo "bench20: $BENCH/bench20.yml is missing" >&2; exit 2; }
[ -x "$DROVER" ] || { echo "bench20: $DROVER is missing: run make" >&2; exit 2; }
export XDG_RUNTIME_DIR="$T_TMP/xdg"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

cat > "$T_TMP/clean.sh" <<'EOS'
# usage: clean.sh N [stop-masters] -- CMD...: empties /tmp/bench/h1..hN (and stops drover's
# masters when asked), then runs CMD.
n=$1; shift
if [ "$1" = stop-masters ]; then
	for s in "$XDG_RUNTIME_DIR"/drover/*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit x > /dev/null 2>&1
	done
	shift
fi
shift
i=1
while [ "$i" -le "$n" ]; do rm -rf "/tmp/bench/h$i"; i=$((i + 1)); done
exec "$@"
EOS
stop_masters() {
	for s in "$XDG_RUNTIME_DIR"/drover/*; do
		[ -S "$s" ] && ssh -o ControlPath="$s" -O exit x > /dev/null 2>&1
	done
}
clean_hosts() { i=1; while [ "$i" -le "$1" ]; do rm -rf "/tmp/bench/h$i"; i=$((i + 1)); done; }
trap 'stop_masters; sshd_stop; t_cleanup' EXIT

median() { bench_stats "$1" | awk '{print $1}'; }
maxrss() { bench_stats "$1" | awk '{print $4}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "bench20: $R runs each (ansible: 1), all hosts in parallel, sshd on 127.0.1.x"
for n in "$@"; do
	sshd_start "$n" || { echo "bench20: cannot start $n hosts" >&2; exit 1; }
	dr="$DROVER playbook -i $SSHD_INVENTORY --ssh-common-args=-F$SSHD_SSH_CONFIG $BENCH/bench20.yml"
	# Unmeasured: the worker upload, and a check that everything works.
	bench_runs 1 "$T_TMP/log" sh "$T_TMP/clean.sh" "$n" -- sh -c "$dr" > /dev/null || exit 1
	grep -q "changed=14" "$T_TMP/log" || { echo "bench20: drover's first run did not change 14 a host" >&2; tail "$T_TMP/log" >&2; exit 1; }
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/clean.sh" "$n" -- sh "$BENCH/floor.sh" "$SSHD_INVENTORY" \
		"$SSHD_SSH_CONFIG" > "$T_TMP/floor.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/clean.sh" "$n" stop-masters -- sh -c "$dr" > "$T_TMP/cold.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/clean.sh" "$n" -- sh -c "$dr" > "$T_TMP/warm.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh -c "$dr" > "$T_TMP/idem.runs" || exit 1
	grep -q "changed=0 " "$T_TMP/log" || { echo "bench20: drover's second run changed something" >&2; exit 1; }
	clean_hosts "$n"
	sshd_ansible ansible -i "$SSHD_INVENTORY" lab -m ping -f "$n" > /dev/null 2>&1
	bench_runs 1 "$T_TMP/log" sh "$T_TMP/clean.sh" "$n" -- env $SSHD_ANSIBLE_ENV ANSIBLE_PIPELINING=True \
		ansible-playbook -f "$n" -i "$SSHD_INVENTORY" "$BENCH/bench20.yml" > "$T_TMP/ansible.runs" || exit 1
	clean_hosts "$n"
	stop_masters
	sshd_stop
	f=$(median "$T_TMP/floor.runs"); c=$(median "$T_TMP/cold.runs"); w=$(median "$T_TMP/warm.runs")
	i=$(median "$T_TMP/idem.runs"); a=$(median "$T_TMP/ansible.runs"); m=$(maxrss "$T_TMP/cold.runs")
	printf 'hosts=%-3s floor %-9s drover cold %-9s warm %-9s idem %-9s ansible %-9s | cold/floor %s  warm/floor %s  ansible/drover-cold %s  drover peak RSS %s KB\n' \
		"$n" "$(bench_secs "$f")" "$(bench_secs "$c")" "$(bench_secs "$w")" "$(bench_secs "$i")" \
		"$(bench_secs "$a")" "$(ratio "$c" "$f")" "$(ratio "$w" "$f")" "$(ratio "$a" "$c")" "$m"
done
