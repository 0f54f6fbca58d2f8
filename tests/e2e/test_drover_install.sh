#!/bin/sh
# drover_install on an sshd host: droverd and droverctl shipped from the
# controller into a directory, changed on the first run and not on the
# second, changed again after the installed file is altered, with the
# mode asked for, byte-identical to the controller's binaries and runnable;
# the same ad hoc; a missing directory and a bad name fail.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || [ ! -x "$BUILD/droverd" ] || [ ! -x "$BUILD/droverctl" ]; then
	skip "drover_install" "openssh, build/droverd or build/droverctl missing"
	t_done; exit
fi
if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi
DEST=$T_TMP/bin
mkdir -p "$DEST"
cat > "$T_TMP/pb.yml" <<EOF2
- hosts: h1
  gather_facts: false
  tasks:
    - name: ship
      drover_install:
        name: "{{ item }}"
        dest: $DEST
        mode: "0750"
      loop: [droverd, droverctl]
EOF2
cat > "$T_TMP/bad.yml" <<EOF2
- hosts: h1
  gather_facts: false
  tasks:
    - drover_install: {name: sshd, dest: $DEST}
EOF2

# pb FILE: runs the playbook on h1; output in $DR_OUT, status in $DR_RC.
pb() {
	dr_time timeout -k 2 60 env XDG_RUNTIME_DIR="$DR_XDG" ANSIBLE_NOCOLOR=1 "$DROVER" playbook \
		-i "$SSHD_INVENTORY" --ssh-common-args="-F $SSHD_SSH_CONFIG" "$1"
}
recap() { grep '^h1 ' "$DR_OUT" | tr -s ' '; }

pb "$T_TMP/pb.yml"
check_eq "first run: exit 0" "$DR_RC" 0
check_eq "first run: both changed" "$(recap)" "h1 : ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0 "
check "droverd installed byte for byte" cmp -s "$BUILD/droverd" "$DEST/droverd"
check "droverctl installed byte for byte" cmp -s "$BUILD/droverctl" "$DEST/droverctl"
check_eq "mode 0750" "$(stat -c %a "$DEST/droverd") $(stat -c %a "$DEST/droverctl")" "750 750"
check "the installed droverctl runs" sh -c "'$DEST/droverctl' -h | grep -q droverctl"
pb "$T_TMP/pb.yml"
check_eq "second run: unchanged" "$(recap)" "h1 : ok=1 changed=0 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0 "
printf 'x' >> "$DEST/droverctl"
pb "$T_TMP/pb.yml"
check_eq "after a change on the host: changed" "$(recap)" "h1 : ok=1 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0 "
check "droverctl restored" cmp -s "$BUILD/droverctl" "$DEST/droverctl"
check_eq "no temporary files left" "$(ls -A "$DEST" | tr '\n' ' ')" "droverctl droverd "
# Ad hoc, as `drover run -m drover_install`.
dr h1 -i "$SSHD_INVENTORY" -o -m drover_install -a "name=droverctl dest=$T_TMP/bin2/"
check_eq "ad hoc: a missing directory fails the host (exit 2)" "$DR_RC" 2
mkdir -p "$T_TMP/bin2"
dr h1 -i "$SSHD_INVENTORY" -o -m drover_install -a "name=droverctl dest=$T_TMP/bin2/"
check "ad hoc: changed" dr_has "$DR_OUT" "h1 | CHANGED"
check "ad hoc: installed" cmp -s "$BUILD/droverctl" "$T_TMP/bin2/droverctl"
check_eq "ad hoc: default mode 0755" "$(stat -c %a "$T_TMP/bin2/droverctl")" 755
dr h1 -i "$SSHD_INVENTORY" -o -m drover_install -a "name=droverctl dest=$T_TMP/bin2/"
check "ad hoc, again: unchanged" dr_has "$DR_OUT" "h1 | SUCCESS"
pb "$T_TMP/bad.yml"
check_eq "a bad name: exit 2" "$DR_RC" 2
check "a bad name: the reason" dr_has "$DR_OUT" "value of name must be one of: droverd, droverctl, got: sshd"
t_done
