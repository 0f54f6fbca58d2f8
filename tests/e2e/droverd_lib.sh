# Helpers for droverd's end-to-end tests (sourced after lib.sh): run droverd
# and the real supervisord 4.2.5 on the same configuration in separate
# directories, wait on their main logs, and reduce those logs to the lines
# supervisord writes about a program so the two can be compared.
#
# Every daemon is started in the foreground (-n) and tracked by pid; the
# children it spawned are found in its main log ("spawned: 'x' with pid N")
# and killed with their process groups when the test exits, whatever
# happened. Nothing sleeps blindly: waits poll a log with a deadline.

DROVERD="$BUILD/droverd"
SUPERVISORD=${SUPERVISORD:-/usr/bin/supervisord}
DV_DIRS=""

dv_cleanup() {
	for d in $DV_DIRS; do
		[ -f "$d/main.log" ] || continue
		for p in $(sed -n "s/.*spawned: '.*' with pid \([0-9]*\)$/\1/p" "$d/main.log"); do
			# Only a group this test's child leads (the pid may be reused).
			g=$(ps -o pgid= -p "$p" 2>/dev/null | tr -d ' ')
			[ "$g" = "$p" ] && kill -9 -- "-$p" 2>/dev/null
			kill -9 "$p" 2>/dev/null
		done
	done
	t_cleanup
}
trap dv_cleanup EXIT INT TERM

have_supervisord() { [ -x "$SUPERVISORD" ]; }

# dv_setup NAME CONFIG-TEXT: makes $T_TMP/NAME with supervisord.conf; the
# text may use %(here)s, which is that directory.
dv_setup() {
	mkdir -p "$T_TMP/$1"
	printf '%s\n' "$2" > "$T_TMP/$1/supervisord.conf"
	DV_DIRS="$DV_DIRS $T_TMP/$1"
}

# dv_run KIND NAME [ARGS...]: starts droverd or supervisord (KIND) on
# $T_TMP/NAME/supervisord.conf in the foreground, in a fixed environment so
# children of both see the same one (LANG is a UTF-8 locale: under "C",
# Python adds LC_CTYPE=C.UTF-8 to supervisord's environment, PEP 538); sets
# DV_PID. The daemon's stdout and
# stderr go to out.txt.
dv_run() {
	kind=$1; name=$2; shift 2
	dir="$T_TMP/$name"
	if [ "$kind" = droverd ]; then bin=$DROVERD; else bin=$SUPERVISORD; fi
	(cd "$dir" && exec env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/root USER=root LOGNAME=root \
		SHELL=/bin/sh LANG=C.UTF-8 TZ=UTC "$bin" -n -c "$dir/supervisord.conf" "$@" > "$dir/out.txt" 2>&1) &
	DV_PID=$!
	track_pid "$DV_PID"
}

# dv_wait_log NAME SECONDS PATTERN: waits until the main log has a line
# matching the extended regex.
dv_has() { [ -f "$T_TMP/$1/main.log" ] && grep -Eq -- "$2" "$T_TMP/$1/main.log"; }
dv_wait_log() { wait_for "$2" dv_has "$1" "$3"; }

# dv_count NAME PATTERN: lines of the main log matching.
dv_count() { n=$(grep -Ec -- "$2" "$T_TMP/$1/main.log" 2>/dev/null); echo "${n:-0}"; }
dv_has_n() { [ "$(dv_count "$1" "$3")" -ge "$2" ]; }
dv_wait_count() { wait_for "$2" dv_has_n "$1" "$3" "$4"; }

# dv_stop PID SECONDS: SIGTERM, then waits for the exit (SIGKILL at the
# deadline). Returns the exit status.
dv_gone() { ! kill -0 "$1" 2>/dev/null; }
dv_stop() {
	kill -TERM "$1" 2>/dev/null
	if ! wait_for "$2" dv_gone "$1"; then
		kill -9 "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}

# dv_lines NAME PROG: supervisord's own main-log lines about PROG, without
# timestamps, pids replaced by N; droverd's additional lines ("PROG: ...")
# are left out, so both daemons' logs reduce to comparable text.
dv_lines() {
	p=$2
	cut -d' ' -f3- "$T_TMP/$1/main.log" |
		grep -E "^(INFO|WARN|CRIT|ERRO) (spawned: '$p' |spawnerr: |success: $p |exited: $p |gave up: $p |stopped: $p |killing '$p' )" |
		sed -e 's/with pid [0-9]*/with pid N/' -e "s/^\(WARN killing '$p'\) ([0-9]*)/\1 (N)/"
}

# dv_spawn_pids NAME PROG: the pids droverd or supervisord spawned for PROG.
dv_spawn_pids() { sed -n "s/.*spawned: '$2' with pid \([0-9]*\)$/\1/p" "$T_TMP/$1/main.log"; }

# dv_ms LINE: milliseconds since midnight of a main-log line's timestamp.
dv_ms() {
	echo "$1" | awk '{ split($2, t, /[:,]/); print ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'
}

# check_same NAME A B: passes when the two texts are equal; prints both.
check_same() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"; diag "droverd:"; diag "$2"; diag "supervisord:"; diag "$3"; fi
}
