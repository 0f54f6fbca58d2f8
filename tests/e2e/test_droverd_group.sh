#!/bin/sh
# Process groups under droverd and supervisord 4.2.5: a child that forks
# has its whole tree stopped with stopasgroup, killed with killasgroup
# after stopwaitsecs, and (as supervisord documents) only the child itself
# signalled without them. droverd also gives each child its own session;
# supervisord only its own process group.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

if [ ! -x "$DROVERD" ]; then
	skip "droverd groups" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord; then
	skip "droverd groups" "no $SUPERVISORD (apt-get install supervisor)"
	t_done
	exit
fi

CONF='[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root
[program:tree]
command=sh -c "sleep 300 & sleep 301 & exec sleep 302"
stopasgroup=true
startsecs=0
[program:leaky]
command=sh -c "sleep 310 & exec sleep 311"
startsecs=0
[program:stubborn]
command=sh -c "sleep 320 & trap \"\" TERM; exec sleep 321"
killasgroup=true
stopwaitsecs=1
startsecs=0'

# The processes whose process group is $1 (ps -g selects sessions).
members() { ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }' | sort -n | tr '\n' ' '; }
count_members() { [ "$(members "$1" | wc -w)" -ge "$2" ]; }

for k in dv sv; do
	dv_setup "g-$k" "$CONF"
	if [ "$k" = dv ]; then dv_run droverd "g-$k"; else dv_run supervisord "g-$k"; fi
	eval "PID_$k=\$DV_PID"
	check "$k: all three run" dv_wait_count "g-$k" 15 3 "success: "
	for p in tree leaky stubborn; do
		eval "${p}_$k=\$(dv_spawn_pids g-$k $p | tail -1)"
	done
	eval "t=\$tree_$k l=\$leaky_$k s=\$stubborn_$k"
	check "$k: tree's three processes are in its group" wait_for 10 count_members "$t" 3
	check "$k: leaky's two" wait_for 10 count_members "$l" 2
	check "$k: stubborn's two" wait_for 10 count_members "$s" 2
	eval "TREE_$k=\"\$(members $t)\" LEAKY_$k=\"\$(members $l)\" STUB_$k=\"\$(members $s)\""
done

check_eq "session: droverd's child leads its own session" "$(ps -o sid= -p "$tree_dv" | tr -d ' ')" "$tree_dv"
check_eq "session: supervisord's child stays in supervisord's" "$(ps -o sid= -p "$tree_sv" | tr -d ' ')" \
	"$(ps -o sid= -p "$PID_sv" | tr -d ' ')"
check_eq "session: both lead their process group" \
	"$(ps -o pgid= -p "$tree_dv" | tr -d ' ') $(ps -o pgid= -p "$tree_sv" | tr -d ' ')" "$tree_dv $tree_sv"

for k in dv sv; do
	eval pid=\$PID_$k
	dv_stop "$pid" 20
	check_eq "$k: exits 0 after stopping everything" "$?" 0
done

# Live (not zombie: a killed grandchild waits for init to reap it) pids of $1.
alive() {
	for p in $1; do
		st=$(ps -o stat= -p "$p" 2>/dev/null)
		case "$st" in ""|Z*) ;; *) printf '%s ' "$p" ;; esac
	done
}
none_alive() { [ -z "$(alive "$1")" ]; }
for k in dv sv; do
	eval "t=\$TREE_$k l=\$LEAKY_$k s=\$STUB_$k lk=\$leaky_$k"
	check "$k: stopasgroup stopped the whole tree" wait_for 5 none_alive "$t"
	check "$k: killasgroup killed the whole tree" wait_for 5 none_alive "$s"
	# Without stopasgroup only the child gets the signal: its own child
	# lives on, orphaned (supervisord's documented behaviour).
	check_eq "$k: without stopasgroup the grandchild survives" "$(alive "$l")" "$(echo "$l" | sed "s/\<$lk\> //")"
	for p in $l; do kill -9 "$p" 2>/dev/null; done
done
check_same "the same stop lines" \
	"$(cut -d' ' -f3- "$T_TMP/g-dv/main.log" | grep -E '^(WARN|INFO) (stopped|killing)' | sed 's/([0-9]*)/(N)/')" \
	"$(cut -d' ' -f3- "$T_TMP/g-sv/main.log" | grep -E '^(WARN|INFO) (stopped|killing)' | sed 's/([0-9]*)/(N)/')"

t_done
