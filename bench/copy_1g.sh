#!/bin/sh
# Copying one large file to one loopback sshd host: drover against Ansible and the floor.
#   floor    `ssh h1 'cat > DEST' < FILE` (the bytes through one ssh session, nothing else)
#   drover   `drover run h1 -m copy -a src=FILE dest=DEST` (streamed in 1 MiB chunks), then
#            the same again with DEST in place (checksum only: nothing transferred)
#   ansible  `ansible h1 -m copy -a src=FILE dest=DEST` (sftp), then the unchanged run
# Each into an emptied destination, one run each after an unmeasured warm-up of drover;
# prints wall time, CPU time and the peak RSS of the largest local process (for drover the
# controller or its ssh, for Ansible its python), and the ratios.
#
# usage: bench/copy_1g.sh [SIZE_MIB]        (default 1024)
# Needs openssh-server and ansible-core; BUILD (default build) holds drover and its worker.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
MIB=${1:-1024}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/bench/lib.sh"
[ -x "$DROVER" ] || { echo "copy_1g: $DROVER is missing: run make" >&2; exit 2; }
export XDG_RUNTIME_DIR="$T_TMP/xdg"
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
trap 'for s in "$XDG_RUNTIME_DIR"/drover/*; do [ -S "$s" ] && ssh -o ControlPath="$s" -O exit x >/dev/null 2>&1; done; sshd_stop; t_cleanup' EXIT
sshd_start 1 || { echo "copy_1g: cannot start sshd" >&2; exit 1; }

SRC=$T_TMP/big.bin DEST=$T_TMP/dest
head -c "$((MIB * 1048576))" /dev/urandom > "$SRC"
mkdir -p "$DEST"
dr="$DROVER run h1 -i $SSHD_INVENTORY --ssh-common-args=-F$SSHD_SSH_CONFIG -m copy -a 'src=$SRC dest=$DEST/d.bin'"
an="ansible h1 -i $SSHD_INVENTORY -m copy -a 'src=$SRC dest=$DEST/a.bin'"

bench_runs 1 "$T_TMP/log" sh -c "$dr" > /dev/null || exit 1
cmp -s "$SRC" "$DEST/d.bin" || { echo "copy_1g: drover's copy differs" >&2; exit 1; }
rm -f "$DEST"/*
bench_runs 1 "$T_TMP/log" sh -c "ssh -F $SSHD_SSH_CONFIG h1 'cat > $DEST/f.bin' < $SRC" > "$T_TMP/floor.runs" || exit 1
rm -f "$DEST"/*
bench_runs 1 "$T_TMP/log" sh -c "$dr" > "$T_TMP/drover.runs" || exit 1
bench_runs 1 "$T_TMP/log" sh -c "$dr" > "$T_TMP/drover2.runs" || exit 1
rm -f "$DEST"/*
bench_runs 1 "$T_TMP/log" env $SSHD_ANSIBLE_ENV sh -c "$an" > "$T_TMP/ansible.runs" || exit 1
bench_runs 1 "$T_TMP/log" env $SSHD_ANSIBLE_ENV sh -c "$an" > "$T_TMP/ansible2.runs" || exit 1
cmp -s "$SRC" "$DEST/a.bin" || { echo "copy_1g: ansible's copy differs" >&2; exit 1; }

line() {
	read -r w c rss < "$T_TMP/$2.runs"
	printf '%-16s wall %-9s cpu %-9s peak RSS %s MiB\n' "$1" "$(bench_secs "$w")" "$(bench_secs "$c")" \
		"$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')"
}
wall() { awk '{ print $1 }' "$T_TMP/$1.runs"; }
ratio() { awk -v a="$(wall "$1")" -v b="$(wall "$2")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
echo "copy_1g: one ${MIB} MiB file to one sshd host on 127.0.1.1, one run each"
line "floor (ssh cat)" floor
line "drover" drover
line "drover unchanged" drover2
line "ansible" ansible
line "ansible unchanged" ansible2
echo "drover/floor $(ratio drover floor)  ansible/drover $(ratio ansible drover)  unchanged: ansible/drover $(ratio ansible2 drover2)"
