#!/bin/sh
# Faults in the middle of a streamed copy (doc/PROTOCOL.worker, section 10), over an sshd host
# whose client-to-server path is throttled (tests/e2e/throttle.py) so that a 200 MB upload
# takes seconds: the connection killed mid-transfer leaves the old file intact and no staged
# file once the worker has gone; the worker killed outright leaves a staged file that the
# next upload into the directory removes; a full disk (a small tmpfs) fails the task with the
# system's words and leaves the old file and no partial one, for a streamed and an inline file.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v python3 >/dev/null; then
	skip "transfer faults" "needs openssh and python3"
	t_done; exit
fi
FULL=$T_TMP/full
trap 'umount "$FULL" 2>/dev/null; dr_cleanup; sshd_stop; t_cleanup' EXIT

sshd_proxy_config px || { not_ok "sshd_proxy_config"; t_done; exit; }
RELAY_PID=$T_TMP/relay.pid
_sshd_proxy_host slow "python3 $ROOT/tests/e2e/throttle.py 25000000 $RELAY_PID $SSHD_BIN -i -f $SSHD_DIR/sshd_config.proxy -E $SSHD_DIR/sshd.slow.log"
INV=$T_TMP/inv.ini
printf 'px\nslow\n' > "$INV"

SRC=$T_TMP/src DEST=$T_TMP/dest
mkdir -p "$SRC" "$DEST"
truncate -s 200M "$SRC/big.bin"
printf 'old\n' > "$DEST/big.bin"

staged() { find "$1" -name '.*.drover-up.*' | grep -q .; }
staged_4m() { find "$DEST" -name '.big.bin.drover-up.*' -size +4M | grep -q .; }
no_staged() { ! staged "$1"; }
old_intact() { [ "$(cat "$DEST/big.bin")" = old ]; }

# start_copy: drover run copying big.bin to slow in the background ($COPY_PID); waits until
# the upload is under way.
start_copy() {
	(cd "$SRC" && exec timeout -k 2 60 env XDG_RUNTIME_DIR="$DR_XDG" "$DROVER" run \
		--ssh-common-args="-F $SSHD_SSH_CONFIG" -i "$INV" slow -m copy -a "src=big.bin dest=$DEST/" \
		> "$T_TMP/copy.out" 2>&1) &
	COPY_PID=$!
	track_pid "$COPY_PID"
	wait_for 30 staged_4m
}

# 1. The connection dies mid-transfer.
if start_copy; then
	kill -9 "$(cat "$RELAY_PID")"
	wait "$COPY_PID"
	rc=$?
	check "connection killed: drover fails" test "$rc" -ne 0
	check "connection killed: the host is reported unreachable" dr_has "$T_TMP/copy.out" UNREACHABLE
	check "connection killed: the old file is intact" old_intact
	check "connection killed: the staged file is gone once the worker exits" wait_for 15 no_staged "$DEST"
else
	not_ok "connection killed: the upload started"; diag "$(cat "$T_TMP/copy.out")"
fi
dr_cleanup 2>/dev/null

# 2. The worker is killed outright: its staged file (named with its pid) stays until the next
# upload into the directory.
if start_copy; then
	wpid=$(find "$DEST" -name '.big.bin.drover-up.*' | sed 's/.*drover-up\.\([0-9]*\)\..*/\1/' | head -1)
	kill -9 "$wpid"
	wait "$COPY_PID"
	check "worker killed: the old file is intact" old_intact
	check "worker killed: its staged file is still there" staged "$DEST"
	head -c 3000000 /dev/urandom > "$SRC/big.bin"
	dr -i "$INV" px -m copy -a "src=$SRC/big.bin dest=$DEST/"
	check "next upload: the new file is in place" cmp -s "$SRC/big.bin" "$DEST/big.bin"
	check "next upload: the stale staged file is gone" no_staged "$DEST"
else
	not_ok "worker killed: the upload started"; diag "$(cat "$T_TMP/copy.out")"
fi

# 3. A full disk.
mkdir -p "$FULL"
if mount -t tmpfs -o size=8m tmpfs "$FULL" 2>/dev/null; then
	printf 'old\n' > "$FULL/big.bin"
	printf 'old\n' > "$FULL/mid.bin"
	head -c 12000000 /dev/urandom > "$SRC/big.bin"
	dr -i "$INV" px -m copy -a "src=$SRC/big.bin dest=$FULL/big.bin"
	check "full disk, streamed: the task fails" test "$DR_RC" -ne 0
	check "full disk, streamed: the message says why" dr_has "$DR_OUT" "No space left on device"
	dr_has "$DR_OUT" "No space left on device" || diag "$(cat "$DR_OUT" "$DR_ERR")"
	check "full disk, streamed: the old file is intact" grep -qx old "$FULL/big.bin"
	check "full disk, streamed: no partial file" no_staged "$FULL"
	head -c 7800000 /dev/zero > "$FULL/filler"
	head -c 900000 /dev/urandom > "$SRC/mid.bin"
	dr -i "$INV" px -m copy -a "src=$SRC/mid.bin dest=$FULL/mid.bin"
	check "full disk, inline: the task fails" test "$DR_RC" -ne 0
	check "full disk, inline: the message says why" dr_has "$DR_OUT" "No space left on device"
	check "full disk, inline: the old file is intact" grep -qx old "$FULL/mid.bin"
	check_eq "full disk, inline: no partial file" "$(ls -A "$FULL" | sort | tr '\n' ' ')" "big.bin filler mid.bin "
else
	skip "full disk" "cannot mount a tmpfs here (needs root)"
fi
t_done
