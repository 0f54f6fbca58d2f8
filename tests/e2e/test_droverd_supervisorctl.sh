#!/bin/sh
# The real supervisorctl (Debian's supervisor 4.2.5) driving droverd over
# its unix socket ({SHA} password) and over [inet_http_server] on 127.0.0.1
# (plain password), and the same commands against the real supervisord on
# the same configuration: output and exit status must match (pids, uptimes
# and stop times masked; droverd's status adds why a process failed after
# supervisord's own words, which is checked, then cut). Python's
# xmlrpc.client compares the interface itself (methods, config info, keys,
# fault texts, multicall). Then failures through the control interface: a
# child that exits 3 at once (FATAL, its stderr in status and the main log),
# one that ignores SIGTERM (SIGKILL after stopwaitsecs), one whose children
# share its process group (stopasgroup), a second daemon on the same socket
# ("Another program is already listening"), reload, and a log directory on
# a tiny full tmpfs (droverd keeps supervising and answering).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

SUPERVISORCTL=${SUPERVISORCTL:-/usr/bin/supervisorctl}
if [ ! -x "$DROVERD" ]; then
	skip "supervisorctl" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord || [ ! -x "$SUPERVISORCTL" ]; then
	skip "supervisorctl" "no supervisord/supervisorctl (apt-get install supervisor)"
	t_done
	exit
fi

# Two ports nobody else in this run uses: the two daemons run side by side.
PORT_BASE=$((20000 + $$ % 20000))
PORT_dv=$PORT_BASE
PORT_sv=$((PORT_BASE + 1))

conf() { # PORT
	cat <<EOF
[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root

[unix_http_server]
file=%(here)s/run/ctl.sock
username=admin
password={SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4

[inet_http_server]
port=127.0.0.1:$1
username=admin
password=secret

[supervisorctl]
serverurl=unix://%(here)s/run/ctl.sock
username=admin
password=secret

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:sleeper]
command=/bin/sleep 1000

[program:echo]
command=/bin/sh -c 'echo out-line; echo err-line >&2; exec sleep 1000'

[program:bad]
command=/bin/sh -c 'echo "fatal: config file /etc/app.conf missing" >&2; exit 3'
startretries=1

[program:stubborn]
command=/bin/sh -c 'trap "" TERM; echo up; while :; do sleep 0.1; done'
autostart=false
startsecs=0
stopwaitsecs=1

[program:forker]
command=/bin/sh %(here)s/forker.sh
autostart=false
startsecs=0
stopasgroup=true

[program:web]
command=/bin/sleep 1000
process_name=%(program_name)s_%(process_num)d
numprocs=2
EOF
}

for k in dv sv; do
	eval "port=\$PORT_$k"
	dv_setup "$k" "$(conf "$port")"
	# supervisord needs the socket's directory; droverd makes it (0700).
	[ "$k" = sv ] && mkdir -p "$T_TMP/$k/run"
	# Two grandchildren in the child's process group, then the child waits.
	printf 'sleep 1001 &\nsleep 1001 &\nwait\n' > "$T_TMP/$k/forker.sh"
done
dv_run droverd dv
PID_dv=$DV_PID
dv_run supervisord sv
PID_sv=$DV_PID

# ctl KIND ARGS...: supervisorctl on KIND's configuration; output, then "rc=N".
ctl() {
	k=$1; shift
	timeout 30 "$SUPERVISORCTL" -c "$T_TMP/$k/supervisord.conf" "$@" 2>&1
	echo "rc=$?"
}
mask() {
	sed -E -e 's/pid [0-9]+/pid N/g' -e 's/^[0-9]+$/N/' -e 's/uptime [0-9]+:[0-9]{2}:[0-9]{2}/uptime T/g' \
		-e 's/[A-Z][a-z]{2} [0-9]{2} [0-9]{2}:[0-9]{2} [AP]M/DATE/g' \
		-e 's/\(process log may have details\);.*/(process log may have details)/'
}
# same NAME ARGS...: the command's masked output is the same on both.
same() {
	name=$1; shift
	# Both at once: supervisorctl takes a Python start-up each time.
	ctl dv "$@" < "${SAME_IN:-/dev/null}" > "$T_TMP/same-dv.txt" &
	sp=$!
	ctl sv "$@" < "${SAME_IN:-/dev/null}" > "$T_TMP/same-sv.txt"
	wait "$sp"
	check_same "$name" "$(mask < "$T_TMP/same-dv.txt" | ${SAME_SORT:-cat})" \
		"$(mask < "$T_TMP/same-sv.txt" | ${SAME_SORT:-cat})"
}
state_is() { ctl "$1" status "$2" | grep -q "^$2 .* $3 "; }
ready() { state_is "$1" sleeper RUNNING && state_is "$1" bad FATAL && state_is "$1" web:web_1 RUNNING; }

for k in dv sv; do
	if ! wait_for 15 ready "$k"; then
		not_ok "$k: daemon up with sleeper RUNNING and bad FATAL"
		diag "$(ctl "$k" status)"; diag "$(cat "$T_TMP/$k/out.txt")"
		t_done
		exit
	fi
done
ok "both daemons up: sleeper RUNNING, bad FATAL"
check_eq "droverd made the socket's directory 0700" "$(stat -c %a "$T_TMP/dv/run")" 700

# --- the commands, compared ----------------------------------------------
# Commands whose exit status matters run one per supervisorctl; the rest
# run as one interactive session each (supervisorctl reads commands from
# stdin), whose transcripts are compared: a Python start-up per command
# would make this test slow.
session() { # NAME, commands on stdin
	name=$1
	cat > "$T_TMP/session.txt"
	SAME_IN="$T_TMP/session.txt"
	same "$name"
	SAME_IN=/dev/null
}
same "status (all; exit 3 for FATAL)" status
session "status, stop, start, restart, signal, avail, tail, clear" <<'EOF'
status sleeper
status web:*
status nosuch
version
stop sleeper
stop sleeper
status sleeper
start sleeper
start sleeper
start nosuch
signal CONT sleeper
signal CONT web:*
signal BOGUS sleeper
signal HUP nosuch
avail
tail echo
tail echo stderr
tail -4 echo
tail nosuch
clear echo
tail echo
clear all
EOF
# supervisord lists a group's stops in the order it happens to reap them.
SAME_SORT=sort
same "restart group:*" restart 'web:*'
SAME_SORT=cat
same "start a FATAL program (spawn error)" start bad
same "start unknown" start nosuch
same "pid all" pid all
check_eq "pid of droverd" "$(ctl dv pid)" "$(printf '%s\nrc=0' "$PID_dv")"
dpid=$(ctl dv pid sleeper | head -1)
check "pid of a process is its child" grep -q "spawned: 'sleeper' with pid $dpid$" "$T_TMP/dv/main.log"
timeout 30 "$SUPERVISORCTL" -c "$T_TMP/dv/supervisord.conf" maintail > "$T_TMP/dv/maintail.txt" 2>&1 &
mp=$!
timeout 30 "$SUPERVISORCTL" -c "$T_TMP/sv/supervisord.conf" maintail > "$T_TMP/sv/maintail.txt" 2>&1
wait "$mp"
for k in dv sv; do
	check_eq "$k: maintail is the main log's last 1600 bytes" "$(cat "$T_TMP/$k/maintail.txt")" \
		"$(tail -c 1600 "$T_TMP/$k/main.log")"
done
# tail -f streams /logtail until interrupted; maintail -f /mainlogtail.
for k in dv sv; do
	timeout 30 "$SUPERVISORCTL" -c "$T_TMP/$k/supervisord.conf" tail -f stubborn > "$T_TMP/$k/tailf.txt" 2>&1 &
	eval "TAILF_$k=\$!"
done
timeout 30 "$SUPERVISORCTL" -c "$T_TMP/dv/supervisord.conf" maintail -f > "$T_TMP/dv/mtailf.txt" 2>&1 &
MTAILF=$!
track_pid "$TAILF_dv"; track_pid "$TAILF_sv"; track_pid "$MTAILF"
same "start (while tail -f waits)" start stubborn
for k in dv sv; do
	wait_for 10 grep -q '^up$' "$T_TMP/$k/tailf.txt"
	eval "kill \$TAILF_$k" 2>/dev/null
done
check_same "tail -f follows the log as it grows" "$(cat "$T_TMP/dv/tailf.txt")" "$(cat "$T_TMP/sv/tailf.txt")"
check "maintail -f streams the main log" wait_for 10 grep -q "spawned: 'stubborn'" "$T_TMP/dv/mtailf.txt"
kill "$MTAILF" 2>/dev/null

# --- over [inet_http_server]; both servers check passwords (the unix one
# in supervisord's "{SHA}" form) -------------------------
inet() { # KIND USER PASS ARGS...
	k=$1; u=$2; p=$3; shift 3
	eval "port=\$PORT_$k"
	timeout 30 "$SUPERVISORCTL" -s "http://127.0.0.1:$port" -u "$u" -p "$p" "$@" 2>&1
	echo "rc=$?"
}
check_same "inet: status" "$(inet dv admin secret status sleeper | mask)" "$(inet sv admin secret status sleeper | mask)"
check_same "inet: stop and start" "$(inet dv admin secret restart sleeper)" "$(inet sv admin secret restart sleeper)"
check_same "unix: wrong password" "$(ctl dv -u admin -p wrong status)" "$(ctl sv -u admin -p wrong status)"
check_same "inet: wrong password" "$(inet dv admin wrong status | sed "s/$PORT_dv/PORT/")" \
	"$(inet sv admin wrong status | sed "s/$PORT_sv/PORT/")"

# The XML-RPC interface itself, as a client library sees it: structs with
# their keys in order, configuration info, fault codes and texts, multicall.
# (system.methodHelp, methodSignature and sendRemoteCommEvent are not
# served by droverd.)
probe() { # KIND
	eval "port=\$PORT_$1"
	python3 - "http://admin:secret@127.0.0.1:$port/RPC2" <<'EOF' 2>&1
import sys, xmlrpc.client as x
c = x.ServerProxy(sys.argv[1])
skip = {'system.methodHelp', 'system.methodSignature', 'supervisor.sendRemoteCommEvent'}
print([m for m in c.system.listMethods() if m not in skip])
for i in c.supervisor.getAllConfigInfo():
    print(sorted((k, v) for k, v in i.items() if not k.endswith('logfile')), list(i))
print(list(c.supervisor.getProcessInfo('sleeper')), c.supervisor.getState(), c.supervisor.getIdentification())
calls = [('getProcessInfo', 'web:*'), ('getProcessInfo', 'nosuch'), ('startProcess', 'sleeper'),
         ('stopProcess', 'forker'), ('signalProcess', 'sleeper', 'NOPE'), ('nosuch',), ('getState', 1),
         ('readProcessStderrLog', 'nosuch', 0, 10), ('readProcessStdoutLog', 'echo', -5, 3),
         ('tailProcessStdoutLog', 'forker', 0, 10), ('addProcessGroup', 'echo'), ('removeProcessGroup', 'echo'),
         ('sendProcessStdin', 'forker', 'x'), ('stopProcessGroup', 'nosuch'), ('signalProcessGroup', 'web', 'NOPE')]
for name, *args in calls:
    try:
        print(name, repr(getattr(c.supervisor, name)(*args)))
    except x.Fault as e:
        print(name, e.faultCode, e.faultString)
print(c.system.multicall([{'methodName': 'supervisor.getAPIVersion'}, {'methodName': 'system.multicall'},
                          {'methodName': 'supervisor.startProcess', 'params': ['nosuch']}, {}]))
EOF
}
probe dv | sed "s|$T_TMP/dv|DIR|g" > "$T_TMP/probe-dv.txt"
probe sv | sed "s|$T_TMP/sv|DIR|g" > "$T_TMP/probe-sv.txt"
if cmp -s "$T_TMP/probe-dv.txt" "$T_TMP/probe-sv.txt"; then
	ok "XML-RPC: methods, config info, keys, faults, multicall"
else
	not_ok "XML-RPC: methods, config info, keys, faults, multicall"
	diag "$(diff "$T_TMP/probe-dv.txt" "$T_TMP/probe-sv.txt")"
fi

# --- reread, update, add, remove ------------------------------------------
for k in dv sv; do
	eval "port=\$PORT_$k"
	conf "$port" | sed -e 's|^command=/bin/sleep 1000$|command=/bin/sleep 1002|' > "$T_TMP/$k/supervisord.conf"
	printf '[program:extra]\ncommand=/bin/sleep 1003\n' >> "$T_TMP/$k/supervisord.conf"
done
session "reread, avail, add, remove, update" <<'EOF'
reread
avail
remove extra
add extra
add extra
stop extra
remove extra
update
EOF
all_up() { ! ctl "$1" status | grep -Eq 'STARTING|BACKOFF|STOPPING'; }
wait_for 10 all_up dv
wait_for 10 all_up sv
same "status after update" status

# --- failures ---------------------------------------------------------------
desc=$(ctl dv status bad)
check "FATAL status tells the exit and the stderr line" \
	sh -c 'echo "$1" | grep -q "exit status 3.*stderr: fatal: config file /etc/app.conf missing"' - "$desc"
check "FATAL: the stderr tail is in the main log" grep -q "bad: | fatal: config file /etc/app.conf missing" \
	"$T_TMP/dv/main.log"
same "stop a child that ignores SIGTERM" stop stubborn
for k in dv sv; do
	check "$k: SIGKILL after stopwaitsecs" grep -q "killing 'stubborn' ([0-9]*) with SIGKILL" "$T_TMP/$k/main.log"
done
in_group() { pgrep -g "$1" > /dev/null; }
no_group() { ! in_group "$1"; }
same "start a child with grandchildren" start forker
for k in dv sv; do
	fp=$(dv_spawn_pids "$k" forker | tail -1)
	wait_for 5 sh -c '[ "$(pgrep -g "$1" | wc -l)" -ge 3 ]' - "$fp"
	check "$k: forker has grandchildren in its group" in_group "$fp"
done
same "stop with stopasgroup" stop forker
for k in dv sv; do
	fp=$(dv_spawn_pids "$k" forker | tail -1)
	check "$k: stopasgroup killed the grandchildren" wait_for 5 no_group "$fp"
done

for k in dv sv; do
	(cd "$T_TMP/$k" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 timeout 10 \
		"$([ "$k" = dv ] && echo "$DROVERD" || echo "$SUPERVISORD")" -n -c supervisord.conf -l second.log \
		> second.out 2>&1)
	echo "rc=$?" >> "$T_TMP/$k/second.out"
done
check_same "a second daemon on the same socket" \
	"$(grep -Ev '^[0-9]{4}-' "$T_TMP/dv/second.out" | sed -e 's|For help, use .*|For help|')" \
	"$(grep -Ev '^[0-9]{4}-' "$T_TMP/sv/second.out" | sed -e 's|For help, use .*|For help|')"
check "the first daemon still answers" state_is dv sleeper RUNNING

# reload: supervisord's restart() (the sockets are closed and opened again).
same "reload" reload
for k in dv sv; do
	wait_for 15 state_is "$k" sleeper RUNNING
done
same "status after reload" status sleeper

# A log directory on a tiny tmpfs that fills up: droverd goes on.
FULL="$T_TMP/full"
mkdir -p "$FULL"
if mount -t tmpfs -o size=32k tmpfs "$FULL" 2>/dev/null; then
	cat >> "$T_TMP/dv/supervisord.conf" <<EOF

[program:chatty]
command=/bin/sh -c 'i=0; while :; do i=\$((i+1)); echo "line \$i of chatter to fill the disk"; done'
stdout_logfile=$FULL/chatty.log
stdout_logfile_maxbytes=0
EOF
	ctl dv update > /dev/null
	full() { [ "$(df -P "$FULL" | awk 'NR==2 {print $4}')" -le 4 ]; }
	check "chatty filled the tmpfs" wait_for 10 full
	check "droverd reports the failing log writes" dv_wait_log dv 10 "chatty.*(ENOSPC|No space left)"
	if wait_for 10 state_is dv chatty RUNNING; then ok "status still answers with the disk full"; else
		not_ok "status still answers with the disk full"; diag "$(ctl dv status)"; fi
	check_same "and still supervises: restart" "$(ctl dv restart sleeper)" \
		"$(printf 'sleeper: stopped\nsleeper: started\nrc=0')"
	ctl dv stop chatty > /dev/null
	umount "$FULL" 2>/dev/null || umount -l "$FULL"
else
	skip "full log disk" "cannot mount a tmpfs here (needs root)"
fi

# --- shutdown ---------------------------------------------------------------
same "shutdown" shutdown
for k in dv sv; do
	eval "pid=\$PID_$k"
	check "$k: exits after shutdown" wait_for 15 dv_gone "$pid"
done
check "droverd removed its socket" test ! -e "$T_TMP/dv/run/ctl.sock"
# Under the sanitizer build (BUILD=build-asan) reports land in out.txt.
if grep -Eq 'Sanitizer|runtime error' "$T_TMP/dv/out.txt"; then
	not_ok "droverd ran clean"; diag "$(grep -E -A12 'Sanitizer|runtime error' "$T_TMP/dv/out.txt" | head -40)"
else
	ok "droverd ran clean"
fi
t_done
