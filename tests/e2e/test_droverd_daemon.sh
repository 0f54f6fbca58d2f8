#!/bin/sh
# droverd as a daemon, against supervisord 4.2.5: refusing bad
# configurations and command lines (status 2, supervisord's words, droverd
# adding file:line), warning about unknown keys, daemonizing with a pid
# file, raising or refusing rlimits (minfds), reloading on SIGHUP (and
# keeping the running configuration when the new one does not load, where
# supervisord exits), and reaping orphans as PID 1.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

if [ ! -x "$DROVERD" ]; then
	skip "droverd daemon" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord; then
	skip "droverd daemon" "no $SUPERVISORD (apt-get install supervisor)"
	t_done
	exit
fi

HEAD='[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root'

# --- refused configurations and command lines ---------------------------
# refuse NAME FRAGMENT CONFIG [ARGS]: both exit 2 and say FRAGMENT.
refuse() {
	name=$1; frag=$2; text=$3; shift 3
	dv_setup "bad-$name" "$text"
	for bin in "$DROVERD" "$SUPERVISORD"; do
		b=$(basename "$bin")
		(cd "$T_TMP/bad-$name" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 \
			timeout 10 "$bin" -n -c supervisord.conf "$@" > out.txt 2> "err-$b.txt")
		rc=$?
		if [ "$rc" = 2 ] && grep -qF -- "$frag" "$T_TMP/bad-$name/err-$b.txt"; then
			ok "refuse $name: $b exits 2 naming it"
		else
			not_ok "refuse $name: $b exits 2 naming it (status $rc)"
			diag "$(cat "$T_TMP/bad-$name/err-$b.txt")"
		fi
	done
}
refuse int "invalid literal for int() with base 10: 'ten'" "$HEAD
[program:a]
command=/bin/true
startsecs=ten"
check "refuse int: droverd names file:line and option" grep -q \
	"supervisord.conf:8: \[program:a\] startsecs: invalid literal" "$T_TMP/bad-int/err-droverd.txt"
refuse command "program section program:a does not specify a command" "$HEAD
[program:a]
priority=1"
refuse nosection ".ini file does not include supervisord section" "[program:a]
command=/bin/true"
refuse expand "contains names ('nope') which cannot be expanded" "$HEAD
[program:a]
command=/bin/echo %(nope)s"
refuse user "Invalid user name no_such_user_x" "$HEAD
[program:a]
command=/bin/true
user=no_such_user_x"
refuse numprocs "%(process_num) must be present within process_name when numprocs > 1" "$HEAD
[program:a]
command=/bin/true
numprocs=2"
refuse group "names unknown program or fcgi-program b" "$HEAD
[group:g]
programs=b"
refuse positional "positional arguments are not supported" "$HEAD" extra
refuse option "option -x not recognized" "$HEAD" -x
refuse noarg "option -c requires argument" "$HEAD" -c
refuse level "invalid value for -e 'loud': bad logging level name 'loud'" "$HEAD" -e loud
refuse minfds "The minimum number of file descriptors required to run this process is 2000000000" "$HEAD
minfds=2000000000"
for bin in "$DROVERD" "$SUPERVISORD"; do
	(cd "$T_TMP" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$bin" -c "$T_TMP/none.conf" > /dev/null 2> "$T_TMP/nf.txt")
	rc=$?
	check "refuse missing file: $(basename "$bin")" sh -c \
		"[ $rc = 2 ] && grep -q 'could not find config file $T_TMP/none.conf' '$T_TMP/nf.txt'"
done

# --- finding the file without -c: next to the executable, then the cwd ---
# supervisord looks in dirname(dirname(argv[0]))/etc/supervisord.conf and
# .../supervisord.conf, then ./supervisord.conf and ./etc/supervisord.conf
# (relative to the current directory), then /etc. droverd resolves a bare
# name through /proc/self/exe, as supervisord's argv[0] is always a path.
mkdir -p "$T_TMP/prefix/bin" "$T_TMP/prefix/etc" "$T_TMP/elsewhere/etc"
cp "$DROVERD" "$T_TMP/prefix/bin/droverd"
for d in prefix/etc elsewhere elsewhere/etc; do
	printf '%s\n' "[supervisord]" "logfile=%(here)s/main.log" "pidfile=%(here)s/d.pid" "user=root" \
		> "$T_TMP/$d/supervisord.conf"
done
found_by() { # found_by CWD HOW: runs droverd from CWD, prints which config it used
	(cd "$T_TMP/$1" && case "$2" in
		path) exec env -i PATH="$T_TMP/prefix/bin:/usr/bin:/bin" droverd -n ;;
		*) exec "$2" -n ;;
	esac) > /dev/null 2>&1 &
	fpid=$!
	track_pid "$fpid"
	wait_for 10 sh -c "ls '$T_TMP'/prefix/etc/d.pid '$T_TMP'/elsewhere/d.pid '$T_TMP'/elsewhere/etc/d.pid 2>/dev/null | grep -q ."
	used=$(cd "$T_TMP" && ls prefix/etc/d.pid elsewhere/d.pid elsewhere/etc/d.pid 2>/dev/null)
	dv_stop "$fpid" 10
	echo "$used"
}
check_eq "lookup: ../etc next to the executable first" "$(found_by elsewhere ../prefix/bin/droverd)" "prefix/etc/d.pid"
check_eq "lookup: through PATH as well" "$(found_by elsewhere path)" "prefix/etc/d.pid"
rm "$T_TMP/prefix/etc/supervisord.conf"
check_eq "lookup: then ./supervisord.conf" "$(found_by elsewhere ../prefix/bin/droverd)" "elsewhere/d.pid"
rm "$T_TMP/elsewhere/supervisord.conf"
check_eq "lookup: then ./etc/supervisord.conf" "$(found_by elsewhere ../prefix/bin/droverd)" "elsewhere/etc/d.pid"

# --- unknown keys load, with a warning and a suggestion -----------------
dv_setup unknown "$HEAD
[program:a]
command=sleep 300
autostrat=false
startsecs=0"
dv_run droverd unknown; UK=$DV_PID
check "unknown: the program runs" dv_wait_log unknown 10 "success: a entered RUNNING"
check "unknown: warned with a suggestion" dv_has unknown \
	"WARN .*supervisord.conf:8: unknown option 'autostrat' in \[program:a\] \(ignored\); did you mean 'autostart'\?"
dv_stop "$UK" 10

# --- daemonizing: the parent returns, the pid file names the daemon -------
for k in dv sv; do
	dv_setup "daemon-$k" "[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/d.pid
childlogdir=%(here)s
directory=/tmp
user=root
minfds=4096
[program:a]
command=sleep 300
startsecs=0"
	if [ "$k" = dv ]; then bin=$DROVERD; else bin=$SUPERVISORD; fi
	(cd "$T_TMP/daemon-$k" && env -i PATH=/usr/bin:/bin LANG=C.UTF-8 "$bin" -c supervisord.conf)
	check_eq "daemon: $k's parent exits 0" "$?" 0
	check "daemon: $k writes its pid file" wait_for 10 test -s "$T_TMP/daemon-$k/d.pid"
	pid=$(cat "$T_TMP/daemon-$k/d.pid" 2>/dev/null)
	[ -n "$pid" ] && track_pid "$pid"
	eval "DPID_$k=\$pid"
	check "daemon: $k started the program" dv_wait_log "daemon-$k" 10 "success: a entered RUNNING"
done
check_same "daemon: the same lines" \
	"$(cut -d' ' -f3- "$T_TMP/daemon-dv/main.log" | grep -E "daemonizing|set current|started with|Increased" | sed 's/pid [0-9]*/pid N/')" \
	"$(cut -d' ' -f3- "$T_TMP/daemon-sv/main.log" | grep -E "daemonizing|set current|started with|Increased" | sed 's/pid [0-9]*/pid N/')"
check "daemon: the pid file's pid is in the log" dv_has daemon-dv "supervisord started with pid $DPID_dv"
check_eq "daemon: droverd chdir'd to directory=" "$(readlink "/proc/$DPID_dv/cwd")" /tmp
check_eq "daemon: droverd has no terminal and its own session" "$(ps -o sid= -p "$DPID_dv" | tr -d ' ')" "$DPID_dv"
check_eq "daemon: stdio on /dev/null" "$(readlink "/proc/$DPID_dv/fd/1")" /dev/null
check_eq "daemon: minfds raised the soft limit" \
	"$(awk '/Max open files/ { print $4 }' "/proc/$DPID_dv/limits")" "$(awk '/Max open files/ { print $4 }' "/proc/$DPID_sv/limits")"
for k in dv sv; do
	eval pid=\$DPID_$k
	dv_stop "$pid" 10
	check "daemon: $k removed its pid file" test ! -e "$T_TMP/daemon-$k/d.pid"
done

# --- SIGHUP: stop everything, read the file again, start again ------------
for k in dv sv; do
	dv_setup "hup-$k" "$HEAD
[program:a]
command=sleep 300
startsecs=0"
	if [ "$k" = dv ]; then dv_run droverd "hup-$k"; else dv_run supervisord "hup-$k"; fi
	eval "HUP_$k=\$DV_PID"
	check "hup: $k runs a" dv_wait_log "hup-$k" 10 "success: a entered RUNNING"
	printf '%s\n' "$HEAD
[program:a]
command=sleep 301
startsecs=0
[program:b]
command=sleep 300
startsecs=0" | sed "s|%(here)s|$T_TMP/hup-$k|" > "$T_TMP/hup-$k/supervisord.conf"
	eval pid=\$HUP_$k
	kill -HUP "$pid"
	check "hup: $k runs b after the reload" dv_wait_log "hup-$k" 10 "success: b entered RUNNING"
done
after_hup() { sed -n '/received SIGHUP/,$p' "$T_TMP/$1/main.log" | cut -d' ' -f3- |
	grep -E "^(WARN|INFO) (received|waiting|stopped|spawned|success|supervisord started)" | sed 's/pid [0-9]*/pid N/'; }
check_same "hup: the same lines from the signal on" "$(after_hup hup-dv)" "$(after_hup hup-sv)"
check_eq "hup: droverd keeps its pid" "$(grep -c "supervisord started with pid $HUP_dv" "$T_TMP/hup-dv/main.log")" 2

# A file that no longer loads: supervisord exits (status 2, after stopping
# everything); droverd says why and keeps running what it runs.
for k in dv sv; do
	printf '%s\n' "[supervisord]" "[program:a]" "startsecs=zero" > "$T_TMP/hup-$k/supervisord.conf"
	eval pid=\$HUP_$k
	kill -HUP "$pid"
done
check "hup: droverd refuses the restart" dv_wait_log hup-dv 10 \
	"ERRO restart refused, the configuration does not load: .*startsecs: invalid literal"
check "hup: droverd still runs b" sh -c "kill -0 $(dv_spawn_pids hup-dv b | tail -1)"
check "hup: supervisord exits" wait_for 15 dv_gone "$HUP_sv"
wait "$HUP_sv" 2>/dev/null
check_eq "hup: supervisord's status" "$?" 2
dv_stop "$HUP_dv" 10

# --- PID 1: orphans are reaped ------------------------------------------
if unshare --fork --pid --mount-proc true 2>/dev/null; then
	for k in dv sv; do
		dv_setup "init-$k" "$HEAD
[program:orphans]
command=sh -c '(exit 7) & exec sleep 300'
startsecs=0"
		if [ "$k" = dv ]; then bin=$DROVERD; else bin=$SUPERVISORD; fi
		(cd "$T_TMP/init-$k" && exec unshare --fork --pid --mount-proc "$bin" -n -c supervisord.conf \
			> out.txt 2>&1) &
		eval "INIT_$k=\$!"
		track_pid $!
	done
	# sh exec'd sleep 300, which never waits for the subshell: the subshell
	# stays a zombie until sleep is stopped, then belongs to PID 1, the
	# daemon, which must reap it.
	for k in dv sv; do
		check "init: $k runs" dv_wait_log "init-$k" 10 "success: orphans"
		eval outer=\$INIT_$k
		pid=$(pgrep -P "$outer" | head -1)
		track_pid "$pid"
		sleeper=$(pgrep -P "$pid" | head -1)
		check "init: $k's child has a zombie child" wait_for 10 sh -c "ps -o stat= --ppid $sleeper | grep -q Z"
		kill -TERM "$pid"
		check "init: $k reaps the orphan" dv_wait_log "init-$k" 10 "reaped unknown pid [0-9]+ \(exit status 7\)"
		dv_stop "$outer" 10
	done
else
	skip "init: orphans reaped as PID 1" "unshare --pid is not permitted here"
fi

t_done
