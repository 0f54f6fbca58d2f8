#!/bin/sh
# The controller actions wait_for_connection and reboot against a real sshd host, with drover
# and with ansible-playbook. A reboot cannot really happen here: the host's reboot_command is a
# fake `shutdown` (an absolute path, so no real one can ever run) that records its arguments,
# writes a new boot id to a file and then kills the host's sshd -i processes, which takes the
# ControlMaster and the worker session down as a reboot would. boot_time_command (a documented
# option of Ansible's reboot) reads that file instead of /proc/sys/kernel/random/boot_id.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "connection actions" "openssh-server or openssh-client not installed"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1
BOOT=$T_TMP/boot_id
FAKE=$T_TMP/fakebin/shutdown
mkdir -p "$T_TMP/fakebin" "$T_TMP/rbhome"
echo first-boot > "$BOOT"
cat > "$FAKE" <<EOS
#!/bin/sh
echo "\$*" >> "$T_TMP/shutdown.args"
# The sshd processes this command runs under: walk up the parents.
pids="" p=\$\$
while [ "\$p" -gt 1 ]; do
	p=\$(awk '{print \$4}' /proc/\$p/stat 2>/dev/null) || break
	[ -n "\$p" ] || break
	[ "\$(cat /proc/\$p/comm 2>/dev/null)" = sshd ] && pids="\$pids \$p"
done
# As a real reboot: the connections go first, the new boot id comes with the new boot.
setsid sh -c "sleep 0.3; kill -9 \$pids; echo boot-\$(date +%s%N) > $BOOT" < /dev/null > /dev/null 2>&1 &
exit 0
EOS
chmod 755 "$FAKE"
sshd_proxy_config rb "HOME=$T_TMP/rbhome"
INV=$T_TMP/inv.ini
printf '[all]\nrb\n' > "$INV"

cat > "$T_TMP/pb.yml" <<EOF2
- hosts: rb
  gather_facts: false
  tasks:
  - command: cat $BOOT
    register: b0
  - reboot:
      reboot_command: $FAKE -r 0 "drover test reboot"
      boot_time_command: cat $BOOT
      reboot_timeout: 60
    register: rb
  - command: cat $BOOT
    register: b1
  - wait_for_connection:
      timeout: 30
    register: wc
  - reboot:
      reboot_command: $FAKE -r 0 "never"
      boot_time_command: cat $BOOT
    check_mode: true
    register: rbc
  - wait_for_connection:
    check_mode: true
    register: wcc
  - copy:
      dest: "{{ out }}"
      content: "{{ {'rb': rb, 'wc': wc, 'rbc': rbc, 'wcc': wcc, 'b0': b0.stdout, 'b1': b1.stdout} | to_json }}"
EOF2

# check_run NAME JSON: the results one run left.
check_run() {
	python3 - "$1" "$2" "$T_TMP/shutdown.args" <<'EOP'
import json, sys
name, path, args = sys.argv[1:4]
try:
    r = json.load(open(path))
except (OSError, ValueError) as e:
    print('not ok - %s: results written (%s)' % (name, e))
    sys.exit(0)
def chk(c, what, detail):
    print('%s - %s: %s' % ('ok' if c else 'not ok', name, what))
    if not c:
        print('# ' + json.dumps(detail)[:2000])
rb = r['rb']
chk(rb.get('rebooted') is True and rb.get('changed') is True and not rb.get('failed') and isinstance(rb.get('elapsed'), int),
    'reboot reports rebooted, changed, elapsed', rb)
chk(r['b0'] != r['b1'] and r['b1'].startswith('boot-'), 'the boot id changed across the reboot', [r['b0'], r['b1']])
lines = open(args).read().splitlines()
chk(lines[-1] == '-r 0 drover test reboot', 'shutdown got reboot_command\'s arguments', lines)
wc = r['wc']
chk(not wc.get('failed') and isinstance(wc.get('elapsed'), int), 'wait_for_connection succeeds after the reboot', wc)
chk(r['rbc'].get('changed') is True and r['rbc'].get('rebooted') is True and r['rbc'].get('elapsed') == 0,
    'reboot in check mode reports without rebooting', r['rbc'])
chk(r['wcc'].get('skipped') is True, 'wait_for_connection is skipped in check mode', r['wcc'])
EOP
}

# report NAME JSON: check_run's lines as this test's TAP lines.
report() {
	check_run "$1" "$2" > "$T_TMP/check.out"
	while read -r line; do
		case $line in ok*) ok "${line#ok - }" ;; "not ok"*) not_ok "${line#not ok - }" ;; *) echo "$line" ;; esac
	done < "$T_TMP/check.out"
}

dr_time timeout -k 2 120 env XDG_RUNTIME_DIR="$DR_XDG" "$DROVER" playbook -i "$INV" \
	--ssh-common-args="-F $SSHD_SSH_CONFIG" -e out="$T_TMP/drover.json" "$T_TMP/pb.yml"
check_eq "drover playbook exits 0" "$DR_RC" 0
[ "$DR_RC" = 0 ] || { diag "$(tail -30 "$DR_OUT")"; diag "$(tail -10 "$DR_ERR")"; }
report drover "$T_TMP/drover.json"
n1=$(wc -l < "$T_TMP/shutdown.args")
check_eq "drover ran shutdown once (not in check mode)" "$n1" 1

if command -v ansible-playbook >/dev/null; then
	dr_time sshd_ansible ansible-playbook -i "$INV" -e out="$T_TMP/ansible.json" "$T_TMP/pb.yml"
	if [ "$DR_RC" != 0 ] && dr_has "$DR_OUT" "Timed out waiting for last boot time check"; then
		# Against this fake host Ansible's reboot often never sees the new boot id within
		# reboot_timeout (2 runs in 3 here, with or without the connections being killed);
		# not a property of drover's, so it is reported and not counted.
		skip "ansible-playbook comparison" "Ansible's reboot timed out against the fake host"
		diag "$(grep -F 'Timed out' "$DR_OUT")"
	else
		check_eq "ansible-playbook exits 0" "$DR_RC" 0
		[ "$DR_RC" = 0 ] || diag "$(tail -30 "$DR_OUT")"
		report ansible "$T_TMP/ansible.json"
	fi
else
	skip "ansible-playbook comparison" "ansible-playbook is not installed"
fi
t_done
