#!/bin/sh
# service against Ansible, in private mount namespaces: host sv with a test init script in its
# own /etc/init.d and /etc/rc?.d, run by the real service and update-rc.d programs; host svd made
# to look booted by systemd (its own /run/systemd/system) with a stand-in systemctl
# (tests/e2e/fakebin/systemctl) bound over the real one (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start service "needs mount namespaces, service, update-rc.d, systemctl, /run/systemd and no running systemd" \
	sh -c 'unshare -m true && [ -x /usr/sbin/service ] && [ -x /usr/sbin/update-rc.d ] && [ -x /usr/bin/systemctl ] &&
		[ ! -d /run/systemd/system ] && [ -d /run/systemd ]'
SV=$T_TMP/sv
SD=$T_TMP/sdstate
mkdir -p "$SV" "$SD"
# The init script: its state and calls in $SV (the commands run with the locale alone in their
# environment, so the paths are written in).
for s in drover-svc drover-other; do
	cat > "$SV/$s" <<-EOF
	#!/bin/sh
	### BEGIN INIT INFO
	# Provides:          $s
	# Required-Start:
	# Required-Stop:
	# Default-Start:     2 3 4 5
	# Default-Stop:      0 1 6
	# Short-Description: a test service
	### END INIT INFO
	echo "call: $s \$* LANG=\$LANG" >> $SV/calls
	case "\$1" in
	start|restart|reload|force-reload) echo running > $SV/$s.state; echo "Starting $s" ;;
	stop) echo stopped > $SV/$s.state ;;
	status)
		if [ "\$(cat $SV/$s.state)" = running ]; then echo "$s is running"; exit 0; fi
		echo "$s is not running"; exit 3 ;;
	*) echo "Usage: $s {start|stop|restart|reload|status}" >&2; exit 2 ;;
	esac
	EOF
	chmod 755 "$SV/$s"
done
rcdirs=""
for d in /etc/rc0.d /etc/rc1.d /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d /etc/rc6.d /etc/rcS.d; do
	rcdirs="$rcdirs
mount -t tmpfs tmpfs $d"
done
# update-rc.d asks systemctl to enable too: /bin/true answers in sv.
sm_host sv "-m" "mount -t tmpfs tmpfs /etc/init.d
cp $SV/drover-svc $SV/drover-other /etc/init.d/$rcdirs
mount --bind /bin/true /usr/bin/systemctl" || { not_ok "sm_host sv"; t_done; exit; }
# Ansible runs service commands with the locale alone in their environment: the stand-in learns
# where its state is from a wrapper.
printf '#!/bin/sh\nFAKE_SYSTEMD=%s PATH=/usr/bin:/bin exec %s "$@"\n' "$SD" "$ROOT/tests/e2e/fakebin/systemctl" \
	> "$T_TMP/systemctl"
chmod 755 "$T_TMP/systemctl"
sm_host svd "-m" "mount -t tmpfs tmpfs /run/systemd
mkdir /run/systemd/system
mount --bind $T_TMP/systemctl /usr/bin/systemctl" ||
	{ not_ok "sm_host svd"; t_done; exit; }

service_reset() {
	echo stopped > "$SV/drover-svc.state" && echo running > "$SV/drover-other.state" && : > "$SV/calls" &&
		sm_in sv sh -c 'rm -f /etc/rc?.d/*; update-rc.d drover-other defaults >/dev/null 2>&1' &&
		sm_units "$SD" web:inactive:disabled db:active:enabled cache:inactive:disabled
}
service_snap() {
	echo "drover-svc $(cat "$SV/drover-svc.state") drover-other $(cat "$SV/drover-other.state")"
	sm_in sv sh -c 'ls /etc/rc?.d | tr "\n" " "'
	echo
	cat "$SV/calls"
	sm_units_snap "$SD"
}
SM_CHECK_EXCEPT="^call: "
sm_case "service" service.yml service_reset service_snap
dr_masters > /dev/null
t_done
