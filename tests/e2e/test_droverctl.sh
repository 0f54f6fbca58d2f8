#!/bin/sh
# droverctl against the real supervisorctl: two supervisord 4.2.5 daemons
# run the same configuration (each in its own directory); every command is
# given to supervisorctl on the first and to droverctl on the second, and
# the outputs (pids, uptimes, dates and the directory masked) and exit codes
# must be equal. Read-only commands are also given to both clients against
# the same daemon. Then a configuration change goes through reread and
# update on both, and both daemons are shut down through the clients.
# When droverd serves XML-RPC (its control server), a shorter sequence runs
# the same way on two droverd daemons.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"
DROVERD=${DROVERCTL_TEST_DROVERD:-$DROVERD}

CTL="$BUILD/droverctl"
SCTL=${SUPERVISORCTL:-/usr/bin/supervisorctl}
if ! have_supervisord || [ ! -x "$SCTL" ] || [ ! -x "$CTL" ]; then
	skip "droverctl" "supervisord, supervisorctl or build/droverctl missing"
	t_done
	exit 0
fi

CONF='[unix_http_server]
file=%(here)s/sv.sock
[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
[inet_http_server]
port=127.0.0.1:@PORT@
username=ctluser
password=ctlpass
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://%(here)s/sv.sock
[program:a]
command=sleep 300
startsecs=0
[program:b]
command=sh -c "echo out-line; echo err-line >&2; exit 3"
startsecs=10
startretries=0
[group:g]
programs=c,d
[program:c]
command=sleep 301
startsecs=0
[program:d]
command=sleep 302
startsecs=0
autostart=false
priority=5
[program:old]
command=sleep 303
startsecs=0'

# free_port: a loopback TCP port nobody listens on right now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# setup_dir NAME: the configuration with a port of its own.
setup_dir() {
	dv_setup "$1" "$CONF"
	port=$(free_port)
	sed -i "s/@PORT@/$port/" "$T_TMP/$1/supervisord.conf"
	eval "PORT_$1=$port"
}
setup_dir A
setup_dir B
dv_run supervisord A
PA=$DV_PID
dv_run supervisord B
PB=$DV_PID

# run_ctl DIR CLIENT ARGS...: the client's output (masked) and exit code.
run_ctl() {
	dir="$T_TMP/$1"; client=$2; shift 2
	out=$(cd "$dir" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 TZ=UTC "$client" -c "$dir/supervisord.conf" "$@" 2>&1)
	rc=$?
	eval "port=\${PORT_$1:-0}"
	printf '%s\nrc=%s\n' "$out" "$rc" | sed -e "s|$dir|DIR|g" -e "s|:$port\b|:PORT|g" -e 's/pid [0-9]*, uptime [0-9:]*/pid N, uptime T/' \
		-e 's/^[0-9][0-9]*$/N/' -e 's/[A-Z][a-z][a-z] [0-9][0-9] [0-9][0-9]:[0-9][0-9] [AP]M/DATE/'
}

settled() {
	s=$(run_ctl "$1" "$SCTL" status)
	case "$s" in *STARTING* | *BACKOFF* | *"no such file"* | *refused*) return 1 ;; esac
	case "$s" in *FATAL*) return 0 ;; esac
	return 1
}
check "supervisord A settles" wait_for 20 settled A
check "supervisord B settles" wait_for 20 settled B

# same CMD...: supervisorctl on A, droverctl on B.
same() {
	check_eq "same: $*" "$(run_ctl B "$CTL" "$@")" "$(run_ctl A "$SCTL" "$@")"
}
# same_read CMD...: both clients on A (nothing changes state).
same_read() {
	check_eq "same on one daemon: $*" "$(run_ctl A "$CTL" "$@")" "$(run_ctl A "$SCTL" "$@")"
}

same_read status
same_read avail
same_read maintail -50

# tail_f CLIENT: what tail -f b stderr shows until Ctrl-C (SIGINT once the
# log's line has come), and the exit status. A background job starts with
# SIGINT ignored; the client gets it back at its default, as in a terminal.
tail_f() {
	f=$T_TMP/tailf.$$
	(cd "$T_TMP/A" && exec env -i PATH=/usr/bin:/bin LANG=C.UTF-8 python3 -c \
		'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
		"$1" -c "$T_TMP/A/supervisord.conf" tail -f b stderr > "$f" 2>&1) &
	tp=$!
	track_pid "$tp"
	wait_for 10 grep -q err-line "$f"
	kill -INT "$tp"
	wait_for 10 dv_gone "$tp" || kill -9 "$tp"
	wait "$tp"
	echo "rc=$?"
	cat "$f"
	rm -f "$f"
}
check_eq "same on one daemon: tail -f b stderr, then Ctrl-C" "$(tail_f "$CTL")" "$(tail_f "$SCTL")"

same status
same status g:\*
same status nope
same status g:nope a
same pid a
same pid d
same pid all
same version
same start a
same start g:\*
same stop g:d
same stop nope
same stop
same start b
same signal HUP a
same signal BOGUS a
same signal USR1 all
same tail b
same tail b stderr
same tail -3 b
same tail nope
same tail b bogus
same clear b
same clear nope
same remove a
same add nope
same add a
same bogus command
same restart g:\*
# supervisord walks groups of equal priority in its dict's order, which
# differs between two daemons: compare these as sets.
same_sorted() {
	check_eq "same (sorted): $*" "$(run_ctl B "$CTL" "$@" | sort)" "$(run_ctl A "$SCTL" "$@" | sort)"
}
same_sorted stop all
same_sorted start all

# A configuration change: c's command changes, old goes, new arrives.
for d in A B; do
	sed -i -e 's/^command=sleep 301$/command=sleep 311/' -e 's/^\[program:old\]$/[program:new]/' \
		"$T_TMP/$d/supervisord.conf"
done
same reread
same update g new nope
same update
same status

# The TCP server, with and without its credentials.
url_of() { eval "echo http://127.0.0.1:\$PORT_$1"; }
same_url() {
	check_eq "same over TCP: $*" "$(run_ctl B "$CTL" -s "$(url_of B)" "$@")" "$(run_ctl A "$SCTL" -s "$(url_of A)" "$@")"
}
same_url -u ctluser -p ctlpass status
same_url -u ctluser -p ctlpass tail -5 b stderr
same_url status
same_url -u ctluser -p wrong version
same_url -u ctluser -p ctlpass stop a

# No daemon at the other end.
same -s "unix://$T_TMP/none.sock" status
same -s "unix://$T_TMP/none.sock" avail
same -s "unix://$T_TMP/none.sock" shutdown
# missing_conf CLIENT: what the client says about a -c file that is not there.
missing_conf() {
	out=$("$1" -c "$T_TMP/missing.conf" status 2>&1)
	printf '%s\nrc=%s\n' "$out" "$?" | sed 's|^For help, use .*|HELP|'
}
check_eq "same: a missing configuration file" "$(missing_conf "$CTL")" "$(missing_conf "$SCTL")"
same shutdown
check "supervisord A is gone after shutdown" wait_for 20 dv_gone "$PA"
check "supervisord B is gone after shutdown" wait_for 20 dv_gone "$PB"
same status
same shutdown

# The same clients on droverd, when it has its control server.
if [ -x "$DROVERD" ] && grep -q RPC2 "$DROVERD"; then
	setup_dir DA
	setup_dir DB
	dv_run droverd DA
	PA=$DV_PID
	dv_run droverd DB
	PB=$DV_PID
	check "droverd DA settles" wait_for 20 settled DA
	check "droverd DB settles" wait_for 20 settled DB
	# shellcheck disable=SC2317
	same() { check_eq "droverd, same: $*" "$(run_ctl DB "$CTL" "$@")" "$(run_ctl DA "$SCTL" "$@")"; }
	# shellcheck disable=SC2317
	same_read() { check_eq "droverd, same on one daemon: $*" "$(run_ctl DA "$CTL" "$@")" "$(run_ctl DA "$SCTL" "$@")"; }
	same_read status
	same_read avail
	same_read tail b stderr
	same status g:\*
	same status nope
	same pid nope
	same stop g:d
	same start a
	same start b
	same signal BOGUS a
	same clear nope
	same remove a
	same reread
	same shutdown
	check "droverd DA is gone after shutdown" wait_for 20 dv_gone "$PA"
	check "droverd DB is gone after shutdown" wait_for 20 dv_gone "$PB"
else
	skip "droverctl on droverd" "droverd has no control server in this build"
fi
t_done
