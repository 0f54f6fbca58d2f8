#!/bin/sh
# cron against Ansible: crontabs through the crontab program in a private /var/spool/cron and
# /etc/cron.d (the host's own mount namespace), cron files in a temporary directory
# (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start cron "needs crontab (package cron), mount namespaces, /var/spool/cron/crontabs and /etc/cron.d" \
	sh -c 'command -v crontab && unshare -m true && [ -d /var/spool/cron/crontabs ] && [ -d /etc/cron.d ]'
sm_host cx "-m" "mount -t tmpfs -o mode=1730 tmpfs /var/spool/cron/crontabs
chgrp crontab /var/spool/cron/crontabs
mount -t tmpfs -o mode=0755 tmpfs /etc/cron.d" || { not_ok "sm_host cx"; t_done; exit; }

cron_reset() {
	rm -rf "$SM_DIR" && mkdir -p "$SM_DIR" &&
		sm_in cx sh -c 'rm -f /var/spool/cron/crontabs/* /etc/cron.d/*
printf "MAILTO=old\n#Ansible: old\n* * * * * /bin/old\n0 5 * * * /usr/bin/existing\n#Ansible: stale\n1 1 * * * /usr/bin/stale\n" | crontab -' &&
		printf '#Ansible: only\n@daily root /bin/only' > "$SM_DIR/lonely"
}
cron_snap() {
	sm_in cx sh -c 'for u in root nobody; do echo "== crontab $u"; crontab -u $u -l 2>&1; done
for c in /etc/cron.d/*; do echo "== $c $(stat -c %a "$c")"; cat "$c"; done'
	for c in "$SM_DIR"/*; do
		[ -e "$c" ] || continue
		echo "== $c $(stat -c %a "$c")"
		cat "$c"
	done
}
sm_case "cron" cron.yml cron_reset cron_snap
dr_masters > /dev/null
t_done
