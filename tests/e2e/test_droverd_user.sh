#!/bin/sh
# user= under droverd and under supervisord 4.2.5: same uid, gid,
# supplementary groups, directory, umask and environment, except HOME,
# USER, LOGNAME and SHELL. supervisord documents that it changes none of
# them ("setuid only"), so a program started with user=app still sees
# root's HOME and writes there; droverd sets them from the password
# database as login, su and systemd's User= do (the failure droverd exists
# to end). An explicit environment= still wins, and drover_exact_env=true
# gives supervisord's environment back exactly. Needs root (useradd).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

if [ ! -x "$DROVERD" ]; then
	skip "droverd user" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord; then
	skip "droverd user" "no $SUPERVISORD (apt-get install supervisor)"
	t_done
	exit
fi
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null 2>&1; then
	skip "droverd user" "needs root and useradd"
	t_done
	exit
fi

U="dvt$$"
G="dvtg$$"
UHOME="$T_TMP/home-$U"
cleanup_user() {
	userdel "$U" 2>/dev/null
	groupdel "$G" 2>/dev/null
	dv_cleanup
}
trap cleanup_user EXIT INT TERM
groupadd "$G" || { not_ok "groupadd"; t_done; exit; }
useradd -M -d "$UHOME" -s /bin/bash -G "$G" "$U" || { not_ok "useradd"; t_done; exit; }
mkdir -p "$UHOME" && chown "$U" "$UHOME"
chmod 755 "$T_TMP"

conf() {
	printf '%s\n' "[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root
${1:-}
[program:who]
command=sh -c 'id -u; id -g; id -G | tr \" \" \"\\\\n\" | sort -n | tr \"\\\\n\" \" \"; echo; pwd; umask; env | sort; exec sleep 300'
user=$U
directory=/tmp
umask=027
stdout_logfile=%(here)s/who.txt
stdout_logfile_maxbytes=0
stderr_logfile=%(here)s/who.err
environment=EXTRA=\"x y\",PATH=\"/usr/bin:/bin\"
[program:explicit]
command=sh -c 'env | sort; exec sleep 300'
user=$U
environment=HOME=\"/custom/home\"
directory=/tmp
stdout_logfile=%(here)s/explicit.txt
stdout_logfile_maxbytes=0"
}

has_text() { grep -q "$2" "$T_TMP/$1" 2>/dev/null; }
for k in dv sv exact; do
	if [ "$k" = exact ]; then dv_setup "u-$k" "$(conf drover_exact_env=true)"; else dv_setup "u-$k" "$(conf)"; fi
	if [ "$k" = sv ]; then dv_run supervisord "u-$k"; else dv_run droverd "u-$k"; fi
	eval "PID_$k=\$DV_PID"
done
for k in dv sv exact; do
	check "user: $k child reported" wait_for 15 has_text "u-$k/who.txt" "^EXTRA="
	check "user: $k explicit child reported" wait_for 15 has_text "u-$k/explicit.txt" "^SUPERVISOR_ENABLED="
done

uid=$(id -u "$U")
gid=$(id -g "$U")
grp=$(getent group "$G" | cut -d: -f3)
check_eq "user: uid, gid, groups, directory, umask" "$(sed -n 1,5p "$T_TMP/u-dv/who.txt" | tr '\n' '|')" \
	"$uid|$gid|$(printf '%s\n' "$gid" "$grp" | sort -n | tr '\n' ' ')|/tmp|0027|"
check_same "user: the same identity as supervisord" "$(sed -n 1,5p "$T_TMP/u-dv/who.txt")" \
	"$(sed -n 1,5p "$T_TMP/u-sv/who.txt")"
login='^(HOME|USER|LOGNAME|SHELL)='
check_same "user: the same environment but the login variables" \
	"$(sed 1,5d "$T_TMP/u-dv/who.txt" | grep -Ev "$login")" "$(sed 1,5d "$T_TMP/u-sv/who.txt" | grep -Ev "$login")"
check_eq "user: droverd sets them from the password database" \
	"$(grep -E "$login" "$T_TMP/u-dv/who.txt" | tr '\n' '|')" "HOME=$UHOME|LOGNAME=$U|SHELL=/bin/bash|USER=$U|"
check_eq "user: supervisord leaves its own (root's)" \
	"$(grep -E "$login" "$T_TMP/u-sv/who.txt" | tr '\n' '|')" "HOME=/root|LOGNAME=root|SHELL=/bin/sh|USER=root|"
check_eq "user: supervisord's variables" "$(grep '^SUPERVISOR_' "$T_TMP/u-dv/who.txt" | tr '\n' '|')" \
	"SUPERVISOR_ENABLED=1|SUPERVISOR_GROUP_NAME=who|SUPERVISOR_PROCESS_NAME=who|"
check_eq "user: explicit environment= wins" "$(grep -E "$login" "$T_TMP/u-dv/explicit.txt" | tr '\n' '|')" \
	"HOME=/custom/home|LOGNAME=$U|SHELL=/bin/bash|USER=$U|"
check_same "user: drover_exact_env=true is supervisord's environment" \
	"$(cat "$T_TMP/u-exact/who.txt")" "$(cat "$T_TMP/u-sv/who.txt")"
check_same "user: drover_exact_env=true, explicit environment" \
	"$(cat "$T_TMP/u-exact/explicit.txt")" "$(cat "$T_TMP/u-sv/explicit.txt")"
check "user: supervisord ignores drover_exact_env" true
for k in dv sv exact; do
	eval pid=\$PID_$k
	dv_stop "$pid" 10
done

# A user= the daemon cannot switch to: supervisord's words in the child's
# stderr log, and droverd names the reason in its main log.
dv_setup nonroot "[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=$U
[program:other]
command=/bin/true
user=root
startsecs=3
startretries=0"
chown "$U" "$T_TMP/nonroot"
dv_run droverd nonroot; NR=$DV_PID
check "nonroot: gives up" dv_wait_log nonroot 15 "gave up: other"
check "nonroot: droverd ran as the user" dv_has nonroot "INFO Set uid to user $uid succeeded"
check "nonroot: the reason in the main log" dv_has nonroot \
	"other: not spawned: couldn't setuid to 0: Can't drop privilege as nonroot user"
check "nonroot: supervisord's words in the child's stderr" grep -q \
	"supervisor: couldn't setuid to 0: Can't drop privilege as nonroot user" "$T_TMP"/nonroot/other-stderr---*.log
dv_stop "$NR" 10

t_done
