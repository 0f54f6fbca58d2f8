#!/bin/sh
# Differential: copy with a src on the controller (a file, a large streamed file, a tree with
# and without a trailing '/', directory_mode, mode=preserve, backup, force=no, validate) run by
# ansible-playbook and by drover against the same sshd host, each into its own directory: the
# registered results' key fields, the recaps and the files left (content, mode) must agree on
# a first run, a second (unchanged) run, a check-mode run (which must leave nothing behind)
# and a check+diff run; `drover run -m copy` copies a file and a tree too.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v ansible-playbook >/dev/null; then
	skip "copy src differential" "needs openssh and ansible-playbook"
	t_done; exit
fi
if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi

PB=$T_TMP/pb
mkdir -p "$PB/files/tree/sub/deep" "$PB/files/tree/empty"
printf 'hello\n' > "$PB/files/small.txt"
chmod 0604 "$PB/files/small.txt"
printf 'other\n' > "$PB/files/other.txt"
# Over the inline limit (1 MiB): streamed in chunks.
head -c 3500000 /dev/urandom > "$PB/files/big.bin"
printf 'a\n' > "$PB/files/tree/a"
printf 'b\n' > "$PB/files/tree/sub/b"
printf 'c\n' > "$PB/files/tree/sub/deep/c"
ln -s a "$PB/files/tree/link_to_a"
cat > "$PB/copy.yml" <<'YML'
- hosts: h1
  gather_facts: no
  vars:
    show: "{{ r.changed }} {{ r.failed|default(False) }} {{ r.checksum|default('-') }} {{ r.md5sum|default('-') }} {{ r.size|default('-') }} {{ r.mode|default('-') }} {{ (r.dest|default('-'))|replace(root, 'ROOT') }} {{ 'backup' if r.backup_file is defined else '' }}"
  tasks:
    - file: path={{ root }} state=directory
    - copy: src=small.txt dest={{ root }}/small.txt mode=0640
      register: r
    - debug: msg="small {{ show }}"
    - copy: src=big.bin dest={{ root }}/
      register: r
    - debug: msg="big {{ show }}"
    - copy: src=tree dest={{ root }}/t1
      register: r
    - debug: msg="tree {{ show }}"
    - copy: src=tree/ dest={{ root }}/t2 directory_mode=0750
      register: r
    - debug: msg="contents {{ show }}"
    - copy: src=small.txt dest={{ root }}/pres.txt mode=preserve
      register: r
    - debug: msg="preserve {{ show }}"
    - copy: src=other.txt dest={{ root }}/small.txt force=no
      register: r
    - debug: msg="noforce {{ r.changed }}"
    - copy: src=small.txt dest={{ root }}/val.txt validate="grep -q hello %s"
      register: r
    - debug: msg="validate {{ show }}"
    - copy: src=other.txt dest={{ root }}/bad.txt validate="grep -q hello %s"
      register: r
      ignore_errors: yes
    - debug: msg="badvalidate {{ r.failed }} {{ r.msg|default('') }}"
YML

XD_PLAYBOOK=copy.yml
. "$ROOT/tests/e2e/xferdiff.sh"
diffs() {
	grep -E '^(---|\+\+\+|@@|[-+][a-z])' "$T_TMP/$1.out" | xd_mask
}

xd_play a "$ADIR"; xd_play d "$DDIR"
xd_compare "first run"
check "first run: drover failed no task" grep -q 'failed=0 .*ignored=1' "$T_TMP/d.out"
check "first run: the large file arrived whole" cmp -s "$PB/files/big.bin" "$DDIR/big.bin"
check "first run: no staged upload left" test -z "$(find "$DDIR" -name '*.drover-up.*')"
xd_play a "$ADIR"; xd_play d "$DDIR"
xd_compare "second run"
check "second run: nothing changed" grep -q 'changed=0 ' "$T_TMP/d.out"

rm -rf "$ADIR" "$DDIR"
xd_play a "$ADIR" --check; xd_play d "$DDIR" --check
check_eq "check mode: results and recap" "$(xd_summary d)" "$(xd_summary a)"
check "check mode: nothing written" test ! -e "$DDIR/small.txt"

xd_play a "$ADIR"; xd_play d "$DDIR"
printf 'changed\n' > "$ADIR/small.txt"; printf 'changed\n' > "$DDIR/small.txt"
xd_play a "$ADIR" --check --diff; xd_play d "$DDIR" --check --diff
check_eq "check and diff: results" "$(xd_summary d)" "$(xd_summary a)"
check_eq "check and diff: the diff" "$(diffs d)" "$(diffs a)"
check "check and diff: the file kept" grep -qx changed "$DDIR/small.txt"

# drover run -m copy: a file and a tree, from the current directory.
cd "$PB/files" || exit 1
dr -i "$SSHD_INVENTORY" h1 -m copy -a "src=big.bin dest=$T_TMP/run/"
check "drover run -m copy: a large file" cmp -s "$PB/files/big.bin" "$T_TMP/run/big.bin"
dr -i "$SSHD_INVENTORY" h1 -m copy -a "src=tree/ dest=$T_TMP/run/tree"
check "drover run -m copy: a tree" test -f "$T_TMP/run/tree/sub/deep/c"
dr -i "$SSHD_INVENTORY" h1 -m copy -a "src=tree/ dest=$T_TMP/run/tree"
check "drover run -m copy: a tree again is unchanged" dr_has "$DR_OUT" '"changed": false'
cd "$T_TMP" || exit 1
t_done
