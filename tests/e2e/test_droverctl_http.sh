#!/bin/sh
# How droverctl reads HTTP responses, against supervisorctl: a fake
# supervisord (ctl_http_server.py) answers `version` with each way of
# framing a response (Content-Length, chunked, chunked cut off in its
# trailers, to the end of the stream, bare LF heads, a 401), and both
# clients must print the same and exit the same.
. "$(dirname "$0")/lib.sh"

CTL="$BUILD/droverctl"
SCTL=${SUPERVISORCTL:-/usr/bin/supervisorctl}
if [ ! -x "$SCTL" ] || [ ! -x "$CTL" ]; then
	skip "droverctl http" "supervisorctl or build/droverctl missing"
	t_done
	exit 0
fi

# run_ctl CLIENT SOCKET: the client's version output and exit code.
run_ctl() {
	out=$(cd "$T_TMP" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$1" -s "unix://$2" version 2>&1)
	printf '%s\nrc=%s\n' "$out" "$?"
}

for mode in length chunked trailers eof lf unauth; do
	sock=$T_TMP/$mode.sock
	python3 "$ROOT/tests/e2e/ctl_http_server.py" "$sock" "$mode" &
	sp=$!
	track_pid "$sp"
	if ! wait_for 10 test -S "$sock"; then
		not_ok "fake server for $mode starts"
		continue
	fi
	want=$(run_ctl "$SCTL" "$sock")
	check_eq "same: version over a $mode response" "$(run_ctl "$CTL" "$sock")" "$want"
	kill "$sp"
	wait "$sp" 2>/dev/null
done
t_done
