#!/bin/sh
# Differential: `ansible-playbook` and `drover playbook` run the corpus tests/playbooks/diff/
# against the same sshd hosts (h1..h3) and must agree on the exit status, the PLAY RECAP, the
# files the playbooks leave under /tmp/drover-pbdiff/<host>/ (here $T_TMP/pbdiff) (content and mode) and the human
# output once timings are masked and each task's host records sorted (tests/e2e/pbdiff_norm.py).
# A case is one or more runs (";" between them) against an emptied output directory.
# PBDIFF_ONLY=TEXT runs only the cases whose names contain TEXT; PBDIFF_KEEP=DIR keeps
# both tools' raw outputs there.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

CORPUS=$ROOT/tests/playbooks/diff
NORM="python3 $ROOT/tests/e2e/pbdiff_norm.py"
# The playbooks write under pbdiff_root (default /tmp/drover-pbdiff); each test run has its own,
# masked back to the default in outputs.
OUTDIR=$T_TMP/pbdiff

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "drover playbook and ansible-playbook" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if ! command -v ansible-playbook >/dev/null; then
	skip "drover playbook and ansible-playbook" "ansible-playbook not installed"
	t_done; exit
fi
if ! sshd_start 3; then
	not_ok "sshd_start 3"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1

# runs TOOL OUT RUNS: every run of RUNS (";"-separated argument lists, the playbook first)
# with TOOL (a or d) against an emptied $OUTDIR; output appended to OUT, the last exit status
# in $RC, the files left in OUT.tree.
runs() {
	local tool=$1 out=$2 args
	rm -rf "$OUTDIR"; : > "$out"; : > "$out.err"
	[ -z "$PRE" ] || eval "$PRE"
	echo "$3" | tr ';' '\n' | while read -r args; do
		[ -n "$args" ] || continue
		set -f
		# shellcheck disable=SC2086 # argument lists are split on purpose
		if [ "$tool" = a ]; then
			(cd "$CORPUS" && sshd_ansible timeout -k 2 120 ansible-playbook -e pbdiff_root="$OUTDIR" $args \
				< /dev/null >> "$out" 2>> "$out.err")
		else
			(cd "$CORPUS" && sshd_ansible env XDG_RUNTIME_DIR="$DR_XDG" timeout -k 2 60 \
				"$DROVER" playbook -e pbdiff_root="$OUTDIR" $args < /dev/null >> "$out" 2>> "$out.err")
		fi
		echo "rc=$?" >> "$out"
		set +f
	done
	sed -i "s|$OUTDIR|/tmp/drover-pbdiff|g" "$out"
	$NORM tree "$OUTDIR" > "$out.tree" 2>/dev/null
}

# case NAME RUNS: both tools; four checks (exit statuses, recap, files, output).
# KNOWN, when set, names a difference already reported: failing checks show as skips.
# OUTMODE=outfree compares the output of free-strategy plays (pbdiff_norm.py outfree).
# PRE is a command run before each tool's runs (to reset files a case changes outside $OUTDIR).
n=0
KNOWN=""
OUTMODE=out
PRE=""
case_() {
	local name=$1 f
	n=$((n + 1)); f=$T_TMP/case$n
	case "$name" in *"${PBDIFF_ONLY:-}"*) ;; *) KNOWN=""; OUTMODE=out; PRE=""; return ;; esac
	runs a "$f.a" "$2"
	runs d "$f.d" "$2"
	# Every run of the corpus reaches its recap under Ansible: a case it rejects proves nothing.
	if [ "$(grep -c '^PLAY RECAP' "$f.a")" -ne "$(grep -c '^rc=' "$f.a")" ]; then
		not_ok "$name: ansible-playbook runs it"
		diag "$(head -c 600 "$f.a.err")"
	fi
	cmp_ "$name: exit statuses" "$(grep '^rc=' "$f.d")" "$(grep '^rc=' "$f.a")"
	cmp_ "$name: recap" "$($NORM recap "$f.d")" "$($NORM recap "$f.a")"
	cmp_ "$name: files" "$(cat "$f.d.tree")" "$(cat "$f.a.tree")"
	cmp_ "$name: output" "$($NORM $OUTMODE "$f.d")" "$($NORM $OUTMODE "$f.a")"
	[ -n "${PBDIFF_KEEP:-}" ] && cp "$f.a" "$f.d" "$f.a.err" "$f.d.err" "$PBDIFF_KEEP/"
	KNOWN=""
	OUTMODE=out
	PRE=""
}

# err_case NAME PLAYBOOK: a playbook both tools stop with an error: exit statuses, output and the
# error (from "ERROR!" on) must agree.
err_case() {
	local f
	n=$((n + 1)); f=$T_TMP/case$n
	case "$1" in *"${PBDIFF_ONLY:-}"*) ;; *) return ;; esac
	runs a "$f.a" "$2"
	runs d "$f.d" "$2"
	cmp_ "$1: exit statuses" "$(grep '^rc=' "$f.d")" "$(grep '^rc=' "$f.a")"
	cmp_ "$1: output" "$($NORM out "$f.d")" "$($NORM out "$f.a")"
	cmp_ "$1: error" "$(sed -n '/^ERROR!/,$p' "$f.d.err")" "$(sed -n '/^ERROR!/,$p' "$f.a.err")"
}

cmp_() {
	if [ "$2" = "$3" ]; then ok "$1"
	elif [ -n "$KNOWN" ]; then skip "$1" "$KNOWN"
	else
		not_ok "$1"
		printf '%s\n' "$3" > "$T_TMP/want"; printf '%s\n' "$2" > "$T_TMP/got"
		diag "$(diff -u "$T_TMP/want" "$T_TMP/got" | head -60)"
	fi
}

case_ "vars and when" "vars_when.yml"
case_ "vars: extra vars win" "vars_when.yml -e extra=cli -e level=extra"
case_ "loops" "loops.yml"
case_ "register, changed_when, failed_when, until" "results.yml"
case_ "blocks with rescue and always" "blocks.yml"
case_ "handlers, listen, flush_handlers" "handlers.yml"
case_ "handlers: second run" "handlers.yml;handlers.yml"
case_ "tags: -t a" "tags.yml -t a"
case_ "tags: -t common" "tags.yml -t common"
case_ "tags: --skip-tags a,blk" "tags.yml --skip-tags a,blk"
case_ "tags: never unless named" "tags.yml -t special"
case_ "tags: --skip-tags always" "tags.yml -t b --skip-tags always"
case_ "files" "files.yml"
case_ "files: check and diff" "files.yml -C -D"
case_ "files: second run with diff" "files.yml;files.yml -D"
case_ "serial" "serial.yml"
case_ "--start-at-task" "serial.yml --start-at-task=play*"
case_ "--start-at-task: no match" "serial.yml --start-at-task=nothing"
case_ "include_role" "include_role.yml"
case_ "run_once" "runonce.yml"
case_ "delegate_to localhost" "delegate.yml"
case_ "any_errors_fatal" "fatal.yml"
case_ "max_fail_percentage" "maxfail.yml"
case_ "every host failed" "allfail.yml"
# -f 1: hosts that include different files get them in result order, which forks would make a race.
case_ "include_tasks" "includes.yml -f 1"
case_ "delegate_to inventory hosts, delegate_facts, throttle" "delegate_hosts.yml"
case_ "add_host and group_by" "add_host.yml"
case_ "module_defaults" "module_defaults.yml"
case_ "vars_prompt: defaults without a terminal, -e skips" "vars_prompt.yml -e given=cli"
OUTMODE=outfree
case_ "strategy free and host_pinned" "strategy_free.yml"
case_ "meta reset_connection" "meta_conn.yml"
PRE=": > $T_TMP/extra_inv.ini"
case_ "meta refresh_inventory" "refresh_inventory.yml -i $SSHD_INVENTORY -i $T_TMP/extra_inv.ini -e extra_inv=$T_TMP/extra_inv.ini"

err_case "unknown strategy" "strategy_bad.yml"
err_case "throttle not a number" "throttle_bad.yml"
err_case "add_host under the free strategy" "free_add_host.yml"

dr_masters > /dev/null
t_done
