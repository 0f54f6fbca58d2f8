#!/bin/sh
# Ad-hoc ping over SSH: drover against Ansible and against the floor, measured in one run.
# For each host count, loopback hosts h1..hN are started with tests/e2e/sshd.sh (real sshd)
# and, all hosts in parallel, R runs each of:
#   floor         one `ssh hI true` per host (connect, authenticate, run nothing)
#   drover cold   `drover run lab -m ping` with no ControlMaster alive (masters stopped first)
#   drover warm   the same with the masters of the previous run alive
#   ansible       `ansible lab -m ping -f N` (ControlPersist warm), one run (it is slow)
# Prints medians and the ratios drover/floor and ansible/drover.
#
# usage: bench/adhoc_ssh.sh [-n RUNS] [HOSTS...]     (default: -n 5, hosts 1 10 50)
# Needs openssh-server and ansible-core; BUILD (default build) holds drover and its worker.
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
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/bench/lib.sh"
[ -x "$DROVER" ] || { echo "adhoc_ssh: $DROVER is missing: run make" >&2; exit 2; }
export XDG_RUNTIME_DIR="$T_TMP/xdg"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"

cat > "$T_TMP/floor.sh" <<'EOS'
cfg=$1 n=$2 failed=$1.failed
: > "$failed"
i=1
while [ "$i" -le "$n" ]; do
	{ ssh -F "$cfg" "h$i" true || echo "h$i" >> "$failed"; } &
	i=$((i + 1))
done
wait
[ ! -s "$failed" ]
EOS
# Stops every master drover left (they answer `ssh -O exit` on their socket).
cat > "$T_TMP/cold.sh" <<'EOS'
for s in "$XDG_RUNTIME_DIR"/drover/*; do
	[ -S "$s" ] && ssh -o ControlPath="$s" -O exit x > /dev/null 2>&1
done
exec "$@"
EOS
stop_masters() { sh "$T_TMP/cold.sh" true; }
trap 'stop_masters; sshd_stop; t_cleanup' EXIT

median() { bench_stats "$1" | awk '{print $1}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "adhoc_ssh: ping, $R runs each (ansible: 1), all hosts in parallel, sshd on 127.0.1.x"
for n in "$@"; do
	sshd_start "$n" || { echo "adhoc_ssh: cannot start $n hosts" >&2; exit 1; }
	dr="$DROVER run lab -i $SSHD_INVENTORY -m ping --ssh-common-args=-F$SSHD_SSH_CONFIG"
	# Unmeasured: the worker upload, and a check that everything works.
	bench_runs 1 "$T_TMP/log" sh -c "$dr" > /dev/null || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/floor.sh" "$SSHD_SSH_CONFIG" "$n" > "$T_TMP/floor.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh "$T_TMP/cold.sh" sh -c "$dr" > "$T_TMP/cold.runs" || exit 1
	bench_runs "$R" "$T_TMP/log" sh -c "$dr" > "$T_TMP/warm.runs" || exit 1
	sshd_ansible ansible lab -i "$SSHD_INVENTORY" -m ping -f "$n" > /dev/null 2>&1
	bench_runs 1 "$T_TMP/log" env $SSHD_ANSIBLE_ENV ansible lab -i "$SSHD_INVENTORY" -m ping -f "$n" \
		> "$T_TMP/ansible.runs" || exit 1
	stop_masters
	sshd_stop
	f=$(median "$T_TMP/floor.runs"); c=$(median "$T_TMP/cold.runs")
	w=$(median "$T_TMP/warm.runs"); a=$(median "$T_TMP/ansible.runs")
	printf 'hosts=%-3s floor %-9s drover cold %-9s warm %-9s ansible %-9s | cold/floor %s  warm/floor %s  ansible/drover-cold %s  ansible/drover-warm %s\n' \
		"$n" "$(bench_secs "$f")" "$(bench_secs "$c")" "$(bench_secs "$w")" "$(bench_secs "$a")" \
		"$(ratio "$c" "$f")" "$(ratio "$w" "$f")" "$(ratio "$a" "$c")" "$(ratio "$a" "$w")"
done
