#!/bin/sh
# Differential: fetch, script and unarchive (with a src on the controller and remote_src) run
# by ansible-playbook and by drover against the same sshd host, each into its own directory:
# registered results' key fields, recaps and the files left (content, mode) must agree on a
# first run, a second (unchanged) run and a check-mode run on a fresh directory.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v ansible-playbook >/dev/null ||
	! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
	skip "fetch, script, unarchive differential" "needs openssh, ansible-playbook, zip and unzip"
	t_done; exit
fi
if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi

PB=$T_TMP/pb
mkdir -p "$PB/files" "$T_TMP/ar/top/sub"
printf '1\n' > "$T_TMP/ar/top/a"
printf '2\n' > "$T_TMP/ar/top/sub/b"
chmod 0640 "$T_TMP/ar/top/a"
tar -czf "$PB/files/t.tgz" -C "$T_TMP/ar" top
tar -cJf "$PB/files/t.txz" -C "$T_TMP/ar" top
(cd "$T_TMP/ar" && zip -qr "$PB/files/t.zip" top)
head -c 2500000 /dev/urandom > "$T_TMP/big.bin"
cat > "$PB/files/s.sh" <<'SH'
#!/bin/sh
echo "args: $*"
echo "in: $(pwd)"
[ -n "$1" ] && touch "$1"
exit "${2:-0}"
SH
cat > "$PB/modules.yml" <<'YML'
- hosts: h1
  gather_facts: no
  vars:
    big: "{{ lookup('env', 'T_TMP') }}/big.bin"
  tasks:
    - file: path={{ root }}/{{ item }} state=directory
      loop: [gz, xz, zip, remote, mode, run]
    - copy: content="remote text\n" dest={{ root }}/remote.txt
    - fetch: src={{ root }}/remote.txt dest={{ root }}/fetched
      register: r
    - debug: msg="fetch {{ r.changed }} {{ r.checksum|default('-') }} {{ r.remote_checksum|default('-') }} {{ r.md5sum|default('-') }} {{ (r.dest|default('-'))|replace(root, 'ROOT') }}"
    - fetch: src={{ big }} dest={{ root }}/flat.bin flat=yes
      register: r
    - debug: msg="fetchbig {{ r.changed }} {{ r.checksum|default('-') }} {{ (r.dest|default('-'))|replace(root, 'ROOT') }}"
    - fetch: src={{ root }}/nothere dest={{ root }}/fetched fail_on_missing=no
      register: r
    - debug: msg="fetchmissing {{ r.changed }} {{ r.failed|default(False) }} {{ r.msg|default('')|replace(root, 'ROOT') }}"
    - script: s.sh {{ root }}/run/marker 0
      args:
        creates: "{{ root }}/run/marker"
        chdir: "{{ root }}/run"
      register: r
    - debug: msg="script {{ r.changed }} {{ r.skipped|default(False) }} {{ r.rc|default('-') }} {{ (r.stdout_lines|default([]))|map('trim')|join('|')|replace(root, 'ROOT') }}"
    - script: s.sh "" 3
      register: r
      ignore_errors: yes
    - debug: msg="scriptfail {{ r.changed }} {{ r.failed }} {{ r.rc|default('-') }} {{ r.msg|default('') }}"
    - script: s.sh
      args:
        removes: "{{ root }}/nothere"
      register: r
    - debug: msg="scriptremoves {{ r.changed }} {{ r.skipped|default(False) }} {{ r.msg|default('')|replace(root, 'ROOT') }}"
    - unarchive: src=t.tgz dest={{ root }}/gz list_files=yes
      register: r
    - debug: msg="tgz {{ r.changed }} {{ r.skipped|default(False) }} {{ r.handler|default('-') }} {{ (r.files|default([]))|join(',') }}"
    - unarchive: src=t.txz dest={{ root }}/xz
      register: r
    - debug: msg="txz {{ r.changed }} {{ r.skipped|default(False) }} {{ r.handler|default('-') }}"
    - unarchive: src=t.zip dest={{ root }}/zip list_files=yes
      register: r
    - debug: msg="zip {{ r.changed }} {{ r.handler|default('-') }} {{ (r.files|default([]))|join(',') }}"
    - unarchive: src=t.tgz dest={{ root }}/mode mode=0700
      register: r
    - debug: msg="mode {{ r.changed }} {{ r.skipped|default(False) }}"
    - copy: src=t.tgz dest={{ root }}/t.tgz
    - unarchive: src={{ root }}/t.tgz dest={{ root }}/remote remote_src=yes creates={{ root }}/remote/top/a
      register: r
    - debug: msg="remote {{ r.changed }} {{ r.skipped|default(False) }} {{ r.msg|default('')|replace(root, 'ROOT') }}"
    - unarchive: src=t.tgz dest={{ root }}/absent
      register: r
      ignore_errors: yes
    - debug: msg="notdir {{ r.failed }} {{ r.msg|default('')|replace(root, 'ROOT') }}"
YML

export T_TMP
XD_PLAYBOOK=modules.yml
. "$ROOT/tests/e2e/xferdiff.sh"

xd_play a "$ADIR"; xd_play d "$DDIR"
xd_compare "first run"
check "first run: the fetched large file is whole" cmp -s "$T_TMP/big.bin" "$DDIR/flat.bin"
check "first run: no staged upload left in /tmp" test -z "$(find /tmp -maxdepth 1 -name '.t.t*.drover-up.*')"
xd_play a "$ADIR"; xd_play d "$DDIR"
xd_compare "second run"
rm -rf "$ADIR" "$DDIR"
xd_play a "$ADIR" --check; xd_play d "$DDIR" --check
check_eq "check mode: results and recap" "$(xd_summary d)" "$(xd_summary a)"
check "check mode: nothing written" test ! -e "$DDIR"
t_done
