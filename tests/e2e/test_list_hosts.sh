#!/bin/sh
# Host patterns and limits: `drover run ... --list-hosts PATTERN` against
# `ansible PATTERN ... --list-hosts` on the inventories under
# tests/e2e/inventories/ (same hosts, same order, same exit code), plus
# drover's own rule that an empty selection is an error.
. "$(dirname "$0")/lib.sh"
INV="$ROOT/tests/e2e/inventories"
cd "$INV" || exit 1
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_NOCOLOR=1

if ! command -v ansible >/dev/null 2>&1; then
	skip "ansible --list-hosts comparisons" "ansible not installed"
	t_done
	exit $?
fi

# lh PATTERN ARGS...: the same hosts, in the same order, as ansible lists.
lh() {
	p=$1
	shift
	"$DROVER" run "$@" --list-hosts "$p" > "$T_TMP/d.out" 2> "$T_TMP/d.err"
	rd=$?
	ansible "$p" "$@" --list-hosts > "$T_TMP/a.out" 2> "$T_TMP/a.err"
	ra=$?
	if [ "$rd" = "$ra" ] && cmp -s "$T_TMP/d.out" "$T_TMP/a.out"; then
		ok "'$p' $*"
	else
		not_ok "'$p' $* (exit $rd, ansible $ra)"
		diag "$(diff "$T_TMP/d.out" "$T_TMP/a.out" | head -20)"
		diag "$(head -3 "$T_TMP/d.err")"
	fi
}

I="-i ini/hosts"
lh all $I
lh '*' $I
lh web $I
lh 'web*' $I
lh 'web:db' $I
lh 'web,db' $I
lh 'db,web' $I
lh 'prod:&web' $I
lh 'prod:!web' $I
lh 'web:&app' $I
lh '!web' $I
lh '&web' $I
lh 'all:!prod' $I
lh 'dbservers:&db:!db-b' $I
lh '~web0[13]' $I
lh '~db.*\.example' $I
lh 'db-?' $I
lh 'db[1-5]*' $I
lh 'web[0]' $I
lh 'web[-1]' $I
lh 'web[1:2]' $I
lh 'web[1:]' $I
lh 'prod[0:2]' $I
lh 'db-a' $I
lh 'db1.example.com' $I
lh ungrouped $I
lh '10.1.1.1' $I
lh 'fe80::1' $I
lh 'nosuch,web' $I
lh localhost $I
lh '127.0.0.1' $I
lh 'localhost:web01' $I

# Limits: a pattern, an exclusion, @file (lines stripped), @file with more.
lh all $I -l web
lh all $I -l '!web'
lh prod $I -l @limit.txt
lh prod $I -l '@limit.txt,web02'
lh 'web:db' $I -l 'web[0:1]:db-?'
lh all $I -l '~^(web|db)0?[1-3]$'
lh localhost $I -l nosuch

# Other sources: YAML, a directory plus a second -i, a comma list.
lh all -i yaml/inventory.yml
lh nested -i yaml/inventory.yml
lh 'web:&other_top' -i yaml/inventory.yml
lh all -i dir -i multi2/hosts
lh 'grpA:&grpD' -i dir -i multi2/hosts
lh all -i 'h1,h2,'
lh 'localhost:h2' -i 'h1,h2,'
lh '::1' -i 'h1,'
lh localhost -i priority
lh 'a:b:c' -i priority

# drover refuses an empty selection (Ansible warns and does nothing).
"$DROVER" run -i ini/hosts --list-hosts nosuch > /dev/null 2> "$T_TMP/err"
rc=$?
if [ "$rc" != 0 ] && grep -q "Could not match supplied host pattern, ignoring: nosuch" "$T_TMP/err" &&
	grep -q "ERROR" "$T_TMP/err"; then ok "unknown pattern fails"; else
	not_ok "unknown pattern fails (exit $rc)"; diag "$(cat "$T_TMP/err")"; fi
"$DROVER" run -i ini/hosts -l nosuch --list-hosts web > /dev/null 2> "$T_TMP/err"
rc=$?
if [ "$rc" != 0 ]; then ok "limit leaving nothing fails"; else not_ok "limit leaving nothing fails"; fi
"$DROVER" run -i ini/hosts -l @nosuch.txt --list-hosts all > /dev/null 2> "$T_TMP/err"
rc=$?
if [ "$rc" != 0 ] && grep -q "Unable to find limit file nosuch.txt" "$T_TMP/err"; then ok "missing limit file"; else
	not_ok "missing limit file (exit $rc)"; diag "$(cat "$T_TMP/err")"; fi
"$DROVER" run -i ini/hosts --list-hosts 'web[9]' > /dev/null 2> "$T_TMP/err"
rc=$?
if [ "$rc" != 0 ] && grep -q "No hosts matched the subscripted pattern 'web\[9\]'" "$T_TMP/err"; then
	ok "subscript out of range"; else not_ok "subscript out of range (exit $rc)"; diag "$(cat "$T_TMP/err")"; fi
t_done
