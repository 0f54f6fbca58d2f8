#!/bin/sh
# droverd against the real supervisord 4.2.5 on the same configurations:
# the main-log lines supervisord writes about each program (so the state
# sequence) must be the same, in the same order. Both daemons run side by
# side in their own directories.
#
# supervisord's loop wakes once a second, and a child that dies before its
# pipe's end-of-file is seen may be reaped a second late; configurations
# here keep startsecs well above that (or at 0) so supervisord's sequence
# does not depend on the race.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

if [ ! -x "$DROVERD" ]; then
	skip "droverd compare" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord; then
	skip "droverd compare" "no $SUPERVISORD (apt-get install supervisor)"
	t_done
	exit
fi

HEAD='[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root'

# run_both TEST CONFIG: starts both daemons on CONFIG; sets DV and SV pids.
run_both() {
	dv_setup "$1-dv" "$2"
	dv_setup "$1-sv" "$2"
	dv_run droverd "$1-dv"; DV=$DV_PID
	dv_run supervisord "$1-sv"; SV=$DV_PID
}

# --- a child that exits 3 at once: BACKOFF, retries, FATAL ---------------
run_both fatal "$HEAD
[program:crash]
command=sh -c 'echo \"fatal: config file /etc/app.conf missing\" >&2; exit 3'
startsecs=3
startretries=1"
check "fatal: droverd gives up" dv_wait_log fatal-dv 20 "gave up: crash"
check "fatal: supervisord gives up" dv_wait_log fatal-sv 20 "gave up: crash"
check_same "fatal: same main-log lines" "$(dv_lines fatal-dv crash)" "$(dv_lines fatal-sv crash)"
check_eq "fatal: the sequence is supervisord's" "$(dv_lines fatal-dv crash | tr '\n' '|')" \
	"INFO spawned: 'crash' with pid N|WARN exited: crash (exit status 3; not expected)|INFO spawned: 'crash' with pid N|WARN exited: crash (exit status 3; not expected)|INFO gave up: crash entered FATAL state, too many start retries too quickly|"
# droverd's own lines follow supervisord's: the stderr tail and the cause.
check "fatal: stderr tail after the exited line" sh -c "grep -A2 'WARN exited: crash' '$T_TMP/fatal-dv/main.log' |
	grep -q 'crash: | fatal: config file /etc/app.conf missing'"
check "fatal: cause after gave up" grep -q \
	"WARN crash: gave up after 2 failed starts; last: exit status 3 less than 3 s after the start" \
	"$T_TMP/fatal-dv/main.log"
dv_stop "$DV" 10; check_eq "fatal: droverd exits 0 on SIGTERM" "$?" 0
dv_stop "$SV" 10

# --- startsecs=0 crash loop: restarts forever, at a bounded pace ---------
# A crash from RUNNING restarts at once in supervisord's code; what bounds
# the loop is its once-a-second poll, which other activity cuts short, so
# supervisord restarts anywhere from once a second to a few hundred times
# a second (and sometimes reaps before it logs "success"). droverd restarts
# no sooner than 1 s after the previous spawn. Compared: the kinds of
# lines, and droverd's pace.
run_both loop "$HEAD
[program:loop]
command=sh -c 'echo crash >&2; exit 1'
startsecs=0
autorestart=true"
check "loop: droverd restarts 4 times" dv_wait_count loop-dv 20 4 "spawned: 'loop'"
check "loop: supervisord restarts 4 times" dv_wait_count loop-sv 20 4 "spawned: 'loop'"
dv_stop "$DV" 10
dv_stop "$SV" 10
kinds() { dv_lines "$1" loop | sed -e 's/ (exit status 1; not expected)//' -e 's/ with pid N//' |
	grep -v "stopped:" | sort -u | tr '\n' '|'; }
check_same "loop: the same kinds of lines" "$(kinds loop-dv)" "$(kinds loop-sv)"
check_eq "loop: RUNNING then EXITED, never BACKOFF" "$(dv_lines loop-dv loop | head -6 | tr '\n' '|')" \
	"INFO spawned: 'loop' with pid N|INFO success: loop entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)|WARN exited: loop (exit status 1; not expected)|INFO spawned: 'loop' with pid N|INFO success: loop entered RUNNING state, process has stayed up for > than 0 seconds (startsecs)|WARN exited: loop (exit status 1; not expected)|"
first=$(dv_ms "$(grep "spawned: 'loop'" "$T_TMP/loop-dv/main.log" | sed -n 1p)")
fourth=$(dv_ms "$(grep "spawned: 'loop'" "$T_TMP/loop-dv/main.log" | sed -n 4p)")
span=$((fourth - first))
if [ "$span" -ge 2900 ] && [ "$span" -le 6000 ]; then
	ok "loop: droverd restarts once a second (3 restarts in $span ms)"
else
	not_ok "loop: droverd restarts once a second (3 restarts in $span ms)"
fi
diag "supervisord spawned $(dv_count loop-sv "spawned: 'loop'") times, droverd $(dv_count loop-dv "spawned: 'loop'")"

# --- priorities: start ascending, stop descending; SIGTERM ignored -------
run_both prio "$HEAD
[program:a]
command=sleep 300
priority=1
[program:b]
command=sleep 300
priority=2
[program:c]
command=sh -c 'trap \"\" TERM; exec sleep 300'
priority=3
stopwaitsecs=2"
check "prio: droverd runs all" dv_wait_count prio-dv 15 3 "success: "
check "prio: supervisord runs all" dv_wait_count prio-sv 15 3 "success: "
dv_stop "$DV" 20; check_eq "prio: droverd exit status after shutdown" "$?" 0
dv_stop "$SV" 20
all() { cut -d' ' -f3- "$T_TMP/$1/main.log" | grep -E "^(INFO|WARN) (spawned|success|stopped|killing)" |
	sed -e 's/with pid [0-9]*/with pid N/' -e "s/^\(WARN killing '[a-z]*'\) ([0-9]*)/\1 (N)/"; }
check_same "prio: same lines in the same order" "$(all prio-dv)" "$(all prio-sv)"
check_eq "prio: stop order and SIGKILL after stopwaitsecs" "$(all prio-dv | grep -E 'stopped|killing' | tr '\n' '|')" \
	"WARN killing 'c' (N) with SIGKILL|WARN stopped: c (terminated by SIGKILL)|WARN stopped: b (terminated by SIGTERM)|WARN stopped: a (terminated by SIGTERM)|"
check "prio: droverd reports waiting" grep -q "INFO waiting for a, b, c to die" "$T_TMP/prio-dv/main.log"
check "prio: supervisord reports waiting" grep -q "INFO waiting for a, b, c to die" "$T_TMP/prio-sv/main.log"
for k in dv sv; do
	left=""
	for p in $(dv_spawn_pids "prio-$k" a) $(dv_spawn_pids "prio-$k" b) $(dv_spawn_pids "prio-$k" c); do
		kill -0 "$p" 2>/dev/null && left="$left $p"
	done
	check_eq "prio: $k left no child running" "$left" ""
done

# --- expected and unexpected exits from RUNNING -------------------------
run_both exits "$HEAD
[program:zero]
command=sh -c 'sleep 2; exit 0'
[program:two]
command=sh -c 'sleep 2; exit 2'
exitcodes=0,2
[program:bad]
command=sh -c 'sleep 2; exit 5'
autorestart=false"
for k in dv sv; do
	check "exits: $k sees all three exit" dv_wait_count "exits-$k" 15 3 "exited: "
done
for p in zero two bad; do
	check_same "exits: $p" "$(dv_lines exits-dv $p)" "$(dv_lines exits-sv $p)"
done
check "exits: droverd's tail only for the unexpected one" sh -c "
	grep -q 'bad: no output on stderr before it exited' '$T_TMP/exits-dv/main.log' &&
	! grep -q 'zero: ' '$T_TMP/exits-dv/main.log' && ! grep -q 'two: ' '$T_TMP/exits-dv/main.log'"
dv_stop "$DV" 10
dv_stop "$SV" 10

# --- spawn errors: command not found, not executable, bad directory -------
run_both spawn "$HEAD
[program:nf]
command=/nonexistent/prog
startretries=0
[program:dir]
command=/tmp
startretries=0
[program:cd]
command=/bin/true
directory=/nonexistent/dir
startsecs=3
startretries=0"
for k in dv sv; do
	check "spawn: $k gives up on all three" dv_wait_count "spawn-$k" 15 3 "gave up: "
done
check_same "spawn: the same spawnerr and exit lines" \
	"$(cut -d' ' -f3- "$T_TMP/spawn-dv/main.log" | grep -E '^(INFO|WARN) (spawnerr|gave up|exited)' | sort)" \
	"$(cut -d' ' -f3- "$T_TMP/spawn-sv/main.log" | grep -E '^(INFO|WARN) (spawnerr|gave up|exited)' | sort)"
check "spawn: droverd names the chdir failure" grep -q \
	"WARN cd: not spawned: couldn't chdir to /nonexistent/dir: ENOENT (No such file or directory)" \
	"$T_TMP/spawn-dv/main.log"
check_same "spawn: the child's own words in its stderr log" \
	"$(cat "$T_TMP"/spawn-dv/cd-stderr---supervisor-*.log)" "$(cat "$T_TMP"/spawn-sv/cd-stderr---supervisor-*.log)"
dv_stop "$DV" 10
dv_stop "$SV" 10

t_done
