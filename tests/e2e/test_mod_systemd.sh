#!/bin/sh
# systemd against Ansible: a stand-in systemctl on the sessions' PATH (tests/e2e/fakebin/systemctl)
# whose recorded calls must be the same for both tools, and the real systemctl of this container,
# which has no running systemd (Ansible's failure must be drover's) (tests/e2e/sysmods_lib.sh).
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"
. "$ROOT/tests/e2e/sysmods_lib.sh"

sm_start systemd "" true
SD=$T_TMP/sdstate
sm_plain_host sd "HOME=$SSHD_HOME PATH=$ROOT/tests/e2e/fakebin:/usr/bin:/bin FAKE_SYSTEMD=$SD" || {
	not_ok "sd host"; t_done; exit; }
if [ -d /run/systemd/system ] || ! command -v systemctl >/dev/null; then
	# A host with systemd running (or no systemctl at all) has no "nosd" to compare.
	sed -i '/^nosd$/d' "$SM_INV"
	skip "systemd without a service manager" "this host runs systemd or has no systemctl"
else
	sm_plain_host nosd "HOME=$SSHD_HOME" || { not_ok "nosd host"; t_done; exit; }
fi

systemd_reset() {
	sm_units "$SD" web:inactive:disabled db:active:enabled cache:inactive:disabled db2:active:enabled \
		old:inactive:disabled maskedunit:inactive:masked ind:inactive:indirect stuck:inactive:masked
}
# Check mode asks systemctl questions; the answers, not the calls, must stay the same.
SM_CHECK_EXCEPT="^call: "
sm_case "systemd" systemd.yml systemd_reset "sm_units_snap $SD"
dr_masters > /dev/null
t_done
