#!/bin/sh
# Differential: community.general.archive run by ansible-playbook and by drover against the same
# sshd host, each in its own directory: one file compressed (gz, bz2, xz), a tree to tar.gz and
# zip (each again after a source file changed), globs with exclude_path, exclusion_patterns, a
# missing path, remove=true, failures and tasks in check mode. The registered results (roots
# masked), the recaps, the files left and the archives' members must agree on a first run and a
# second (unchanged) run; the tasks in check mode write nothing.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null || ! command -v ansible-playbook >/dev/null ||
	! command -v zip >/dev/null || ! command -v unzip >/dev/null; then
	skip "archive differential" "needs openssh, ansible-playbook, zip and unzip"
	t_done; exit
fi
if ! sshd_start 1; then
	not_ok "sshd_start 1"
	t_done; exit
fi

PB=$T_TMP/pb
mkdir -p "$PB"
# One archive task and a debug line of its result: NAME ARGS [CHECK_MODE].
task() {
	cat <<YML
    - community.general.archive: $2
      check_mode: ${3:-no}
      register: r
      ignore_errors: yes
    - debug: msg="$1 {{ r.changed }} {{ r.failed|default(False) }} {{ r.dest_state|default('-') }} {{ (r.archived|default([]))|sort|join(',')|replace(root, 'R') }} {{ (r.missing|default([]))|join(',')|replace(root, 'R') }} {{ (r.expanded_paths|default([]))|sort|join(',')|replace(root, 'R') }} {{ ([r.expanded_exclude_paths] if r.expanded_exclude_paths is string else r.expanded_exclude_paths|default([]))|sort|join(',')|replace(root, 'R') }} {{ (r.arcroot|default('-'))|replace(root, 'R') }} {{ (r.dest|default('-'))|replace(root, 'R') }} {{ r.mode|default('-') }} {{ r.state|default('-') }} {{ r.msg|default('')|replace(root, 'R') }}"
YML
}
{
	cat <<'YML'
- hosts: h1
  gather_facts: no
  tasks:
    - file: path={{ root }}/{{ item }} state=directory
      loop: [src/dir/sub, src/rmdir/in, out]
    - copy: content="{{ item }} text\n" dest={{ root }}/src/{{ item }}
      loop: [one.txt, two.log, dir/a.txt, dir/sub/b.txt, dir/skip.log, rm.txt, rmdir/in/c.txt]
    # Fixed times: tar members are compared by header (size and mtime to the
    # second), and the same times on both sides keep that from depending on
    # when a run happens to fall.
    - file: path={{ root }}/src/{{ item }} modification_time=202001010000.00
      loop: [one.txt, two.log, dir/a.txt, dir/sub/b.txt, dir/skip.log, rm.txt, rmdir/in/c.txt, dir/sub, dir, rmdir/in, rmdir, .]
YML
	task gz "path={{ root }}/src/one.txt"
	task bz2 "path={{ root }}/src/one.txt format=bz2 dest={{ root }}/out/one.bz2 mode=0600"
	task xz "path={{ root }}/src/one.txt format=xz dest={{ root }}/out/one.xz"
	cat <<'YML'
    - copy: content="one changed\n" dest={{ root }}/src/one.txt
    - file: path={{ root }}/src/{{ item }} modification_time=202001010001.00
      loop: [one.txt, .]
YML
	task gz2 "path={{ root }}/src/one.txt"
	task onezip "path={{ root }}/src/one.txt format=zip"
	task tgz "path={{ root }}/src/dir dest={{ root }}/out/dir.tar.gz"
	task zip "path={{ root }}/src/dir dest={{ root }}/out/dir.zip format=zip"
	cat <<'YML'
    - copy: content="a changed\n" dest={{ root }}/src/dir/a.txt
    - file: path={{ root }}/src/{{ item }} modification_time=202001010002.00
      loop: [dir/a.txt, dir]
YML
	task tgz2 "path={{ root }}/src/dir dest={{ root }}/out/dir.tar.gz"
	task zip2 "path={{ root }}/src/dir dest={{ root }}/out/dir.zip format=zip"
	task glob "path={{ root }}/src/dir/* exclude_path={{ root }}/src/dir/skip.log dest={{ root }}/out/glob.tar format=tar"
	task pat "path={{ root }}/src/dir exclusion_patterns=*.log format=bz2 dest={{ root }}/out/pat.tar.bz2"
	task zpat "path={{ root }}/src/dir exclusion_patterns=*.log format=zip dest={{ root }}/out/pat.zip"
	task inc "path={{ root }}/src/two.log,{{ root }}/src/nothere format=xz dest={{ root }}/out/inc.tar.xz"
	task rmfile "path={{ root }}/src/rm.txt dest={{ root }}/out/rm.gz remove=yes"
	task rmdir "path={{ root }}/src/rmdir dest={{ root }}/out/rmdir.tgz remove=yes"
	task gone "path={{ root }}/src/rm.txt dest={{ root }}/out/rm.gz"
	task none "path={{ root }}/src/none* dest={{ root }}/out/none.tgz"
	task nodest "path={{ root }}/src/dir"
	task chktree "path={{ root }}/src/dir dest={{ root }}/out/chk.tgz" yes
	task chkone "path={{ root }}/src/two.log dest={{ root }}/out/chk.gz" yes
	task chkold "path={{ root }}/src/dir dest={{ root }}/out/dir.tar.gz mode=0600" yes
	task chksame "path={{ root }}/src/one.txt" yes
} > "$PB/archive.yml"

export T_TMP
XD_PLAYBOOK=archive.yml
. "$ROOT/tests/e2e/xferdiff.sh"

# What DIR holds, archives by their members (their bytes differ between archivers).
tree() {
	[ -d "$1" ] || { echo absent; return; }
	(cd "$1" && find . -printf '%p %y %m\n' | sort &&
		for f in $(find . -type f | sort); do
			case $f in
			*.zip) echo "$f: $(unzip -Z1 "$f" | sort | tr '\n' ' ')" ;;
			*.tar*|*.tgz) echo "$f: $(tar -tvf "$f" | awk '{print $1, $3, $6}' | sort | tr '\n' ' ')" ;;
			*.gz) echo "$f: $(gzip -dc "$f" | md5sum)" ;;
			*.bz2) echo "$f: $(bzip2 -dc "$f" | md5sum)" ;;
			*.xz) echo "$f: $(xz -dc "$f" | md5sum)" ;;
			*) echo "$f: $(md5sum < "$f")" ;;
			esac
		done)
}
compare() {
	check_eq "$1: registered results and recap" "$(xd_summary d)" "$(xd_summary a)"
	check_eq "$1: files and archive members" "$(tree "$DDIR")" "$(tree "$ADIR")"
}

xd_play a "$ADIR"; xd_play d "$DDIR"
compare "first run"
check "first run: the tree archive holds its files" sh -c "tar -tzf '$DDIR/out/dir.tar.gz' | grep -qx dir/sub/b.txt"
xd_play a "$ADIR"; xd_play d "$DDIR"
compare "second run"
check "second run: no staging directory left" test -z "$(find "$DDIR" -name '.drover-archive.*')"
check "check mode: nothing written" test ! -e "$DDIR/out/chk.tgz" -a ! -e "$DDIR/out/chk.gz"
t_done
