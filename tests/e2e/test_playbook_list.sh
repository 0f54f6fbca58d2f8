#!/bin/sh
# drover playbook --list-tasks/--list-tags/--list-hosts/--syntax-check against
# ansible-playbook on the corpus (tests/playbooks) and the reference bench
# playbooks, with tag selections; bad playbooks give the messages, positions
# and exit statuses of tests/playbooks/bad/expected.txt, and the same first
# line and status as ansible-playbook for the cases marked "live" (all the
# "same" ones too with DROVER_TEST_ANSIBLE_ALL=1).
#
# ansible-playbook prints a play's hosts and its play tags in Python set
# order, which changes from run to run: both outputs are normalised by
# sorting the host lines of each play and the play tags. Each
# ansible-playbook call takes about a second, so playbooks are batched.
. "$(dirname "$0")/lib.sh"

CORPUS="$ROOT/tests/playbooks"
BENCH="$ROOT/../shared/bench"
[ -d "$BENCH" ] || BENCH=/work/shared/bench

if ! command -v ansible-playbook >/dev/null 2>&1; then
	skip "playbook listings" "ansible-playbook is not installed"
	t_done
	exit 0
fi

# Both tools read the same (empty) configuration and no inventory default.
printf '[defaults]\n' > "$T_TMP/ansible.cfg"
export ANSIBLE_CONFIG="$T_TMP/ansible.cfg"
unset ANSIBLE_INVENTORY ANSIBLE_ROLES_PATH ANSIBLE_LIMIT 2>/dev/null
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

# norm FILE: sorts the host lines under each "hosts (N):" and the play tags.
norm() {
	awk '
	function flush() { if (n > 0) { cmd = "sort"; for (i = 1; i <= n; i++) print h[i] | cmd; close(cmd); n = 0 } }
	/^      [^ \t][^\t]*$/ && inhosts { h[++n] = $0; next }
	{ flush(); inhosts = 0 }
	/^    hosts \([0-9]+\):$/ { inhosts = 1 }
	/^  play #/ {
		i = index($0, "\tTAGS: [")
		if (i > 0) {
			head = substr($0, 1, i + 7); rest = substr($0, i + 8); sub(/\]$/, "", rest)
			m = split(rest, t, ","); s = ""
			for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) if (t[b] < t[a]) { x = t[a]; t[a] = t[b]; t[b] = x }
			for (a = 1; a <= m; a++) s = s (a > 1 ? "," : "") t[a]
			print head s "]"; next
		}
	}
	{ print }
	END { flush() }' "$1"
}

# compare NAME ARGS...: same stdout (normalised) and status from both tools.
compare() {
	name=$1; shift
	( cd "$DIR" && ansible-playbook "$@" > "$T_TMP/a.out" 2> "$T_TMP/a.err" ); ar=$?
	( cd "$DIR" && "$DROVER" playbook "$@" > "$T_TMP/d.out" 2> "$T_TMP/d.err" ); dr=$?
	norm "$T_TMP/a.out" > "$T_TMP/a.norm"
	norm "$T_TMP/d.out" > "$T_TMP/d.norm"
	if [ "$ar" = "$dr" ] && cmp -s "$T_TMP/a.norm" "$T_TMP/d.norm"; then
		ok "$name"
	else
		not_ok "$name"
		diag "status: ansible $ar, drover $dr"
		diff "$T_TMP/a.norm" "$T_TMP/d.norm" | head -30 | while IFS= read -r l; do diag "$l"; done
		head -5 "$T_TMP/d.err" | while IFS= read -r l; do diag "drover: $l"; done
	fi
}

PBS="roles.yml imports.yml blocks.yml forms.yml tags.yml plays.yml"
DIR=$CORPUS
INV="-i inventory.ini"
# shellcheck disable=SC2086
{
compare "corpus --list-tasks --list-tags --list-hosts" $INV $PBS --list-tasks --list-tags --list-hosts
compare "corpus --syntax-check" $INV $PBS --syntax-check
compare "corpus -t never,c" $INV $PBS --list-tasks --list-tags -t never -t c
compare "corpus -t tagged" $INV $PBS --list-tasks --list-tags -t tagged
compare "corpus --skip-tags always,third" $INV $PBS --list-tasks --list-tags --skip-tags always,third
compare "corpus -t all --skip-tags tagged" $INV $PBS --list-tasks -t all --skip-tags tagged
compare "corpus -t untagged,roles,second,applied,dup2,webdep" $INV $PBS --list-tasks --list-tags \
	-t untagged,roles,second,applied,dup2,webdep
compare "corpus --list-hosts -l web1:db1 -e" $INV $PBS --list-hosts -l web1:db1 -e x=1 -e '{"y": 2}'
compare "corpus -l nothing" $INV $PBS --list-hosts -l nothing
compare "missing playbook" $INV nothere.yml --list-tasks
}

DIR=$T_TMP/bench
mkdir -p "$DIR"
cp -r "$BENCH"/*.yml "$BENCH"/templates "$DIR"/ 2>/dev/null
printf '[lab]\nh1 ansible_connection=local\nh2 ansible_connection=local\nh3 ansible_connection=local\n' > "$DIR/inv.ini"
compare "bench --list-tasks --list-tags --list-hosts" -i inv.ini bench20.yml facts.yml ping.yml --list-tasks --list-tags --list-hosts
compare "bench --syntax-check" -i inv.ini bench20.yml facts.yml ping.yml --syntax-check

# Bad playbooks. Expected: name|status|line:col|same-or-drover|message.
BAD=$CORPUS/bad
HOMEDIR=$(getent passwd "$(id -u)" | cut -d: -f6)
while IFS='|' read -r name rc pos how msg; do
	case "$name" in ''|'#'*) continue ;; esac
	msg=$(printf '%s' "$msg" | sed "s|@DIR@|$BAD|g; s|@HOME@|$HOMEDIR|g")
	( cd "$BAD" && "$DROVER" playbook -i localhost, "$name.yml" --syntax-check > "$T_TMP/d.out" 2> "$T_TMP/d.err" ); dr=$?
	got=$(grep '^ERROR! ' "$T_TMP/d.err" | head -1 | sed 's/^ERROR! //')
	gotpos=$(sed -n "s/^The error appears to be in '.*': line \([0-9]*\), column \([0-9]*\), but may$/\1:\2/p" "$T_TMP/d.err" | head -1)
	[ -n "$gotpos" ] || gotpos=0:0
	if [ "$dr" = "$rc" ] && [ "$got" = "$msg" ] && [ "$gotpos" = "$pos" ] && [ ! -s "$T_TMP/d.out" ]; then
		ok "bad $name: message, position, status"
	else
		not_ok "bad $name: message, position, status"
		diag "status $dr (want $rc), position $gotpos (want $pos)"
		diag "got:  $got"
		diag "want: $msg"
	fi
	if [ "$how" = live ] || { [ "$how" = same ] && [ "${DROVER_TEST_ANSIBLE_ALL:-0}" = 1 ]; }; then
		( cd "$BAD" && ansible-playbook -i localhost, "$name.yml" --syntax-check > /dev/null 2> "$T_TMP/a.err" ); ar=$?
		agot=$(grep '^ERROR! ' "$T_TMP/a.err" | head -1 | sed 's/^ERROR! //')
		check_eq "bad $name: as ansible-playbook" "$ar $agot" "$dr $got"
	fi
done < "$BAD/expected.txt"

t_done
