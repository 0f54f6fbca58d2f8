#!/bin/sh
# become over SSH: 20 escalated tasks (`command: id -u` with become: true, sudo NOPASSWD to
# root) on 10 loopback hosts (tests/e2e/sshd.sh), logging in as an unprivileged user the
# script creates and removes (tests/e2e/becomeusers.sh; needs root). drover's login worker
# starts one escalated worker per host for the whole run; Ansible runs sudo (and Python) for
# every task. Prints the medians and the ratio ansible-playbook/drover.
#
# usage: bench/become.sh [-n RUNS]     (default: 3 runs of drover; ansible-playbook: 1)
# Needs openssh-server, sudo and ansible-core; BUILD (default build) holds drover and its worker.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
R=3
while getopts n: opt; do
	case $opt in
	n) R=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS]" >&2; exit 2 ;;
	esac
done
. "$ROOT/tests/e2e/lib.sh"
SSHD_ENV="DROVER_BENCH_BECOME=1"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/becomeusers.sh"
. "$ROOT/bench/lib.sh"
[ -x "$DROVER" ] || { echo "become: $DROVER is missing: run make" >&2; exit 2; }
why=$(bu_usable) || { echo "become: $why" >&2; exit 2; }
trap 'sshd_stop; bu_cleanup; t_cleanup' EXIT
N=10 TASKS=20
U=dbb$$
bu_add "$U" "B-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" || exit 1
printf '%s ALL=(root) NOPASSWD: ALL\n' "$U" | bu_sudoers || exit 1
sshd_start "$N" || { echo "become: cannot start $N hosts" >&2; exit 1; }
bu_open_keys
sed "s/\$/ ansible_user=$U/" "$SSHD_INVENTORY" | sed "1s/ ansible_user=$U//" > "$T_TMP/inv.ini"
{
	printf -- '- hosts: lab\n  gather_facts: false\n  become: true\n  tasks:\n'
	i=1
	while [ "$i" -le "$TASKS" ]; do
		printf '    - command: id -u\n'
		i=$((i + 1))
	done
} > "$T_TMP/pb.yml"
export ANSIBLE_CONFIG="$SSHD_ANSIBLE_CFG"
dr="$DROVER playbook -i $T_TMP/inv.ini $T_TMP/pb.yml -f $N"
an="ansible-playbook -i $T_TMP/inv.ini $T_TMP/pb.yml -f $N"
# Unmeasured: the worker's upload for the login and the target user, and a check.
bench_runs 1 "$T_TMP/log" sh -c "$dr" > /dev/null || exit 1
grep -q "changed=$TASKS " "$T_TMP/log" || { echo "become: drover did not run every task" >&2; exit 1; }
bench_runs "$R" "$T_TMP/log" sh -c "$dr" > "$T_TMP/drover.runs" || exit 1
bench_runs 1 "$T_TMP/log" sh -c "$an" > "$T_TMP/ansible.runs" || exit 1
d=$(bench_stats "$T_TMP/drover.runs" | awk '{print $1}')
a=$(bench_stats "$T_TMP/ansible.runs" | awk '{print $1}')
printf 'become: %d tasks x %d hosts, sudo NOPASSWD to root from an unprivileged login\n' "$TASKS" "$N"
printf 'drover %s (median of %d)   ansible-playbook %s   ansible-playbook/drover = %s\n' \
	"$(bench_secs "$d")" "$R" "$(bench_secs "$a")" \
	"$(awk -v a="$a" -v b="$d" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }')"
