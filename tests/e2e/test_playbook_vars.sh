#!/bin/sh
# drover playbook on the variable corpus (tests/playbooks/vars) gives the output and exit
# status ansible-playbook gave when tests/playbooks/vars/regen.sh recorded them in expected/:
# the same arguments (regen.sh's CASES table), every host local. The recordings name the
# corpus directory as it was where they were made; it is replaced by this one. Differences
# already reported are listed in KNOWN ("name|reason") and show as skips.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"

CORPUS=$ROOT/tests/playbooks/vars
CASES=$(sed -n "/^CASES='/,/'$/p" "$CORPUS/regen.sh" | sed "s/^CASES='//; s/'$//")
KNOWN=""
export ANSIBLE_NOCOLOR=1
unset ANSIBLE_INVENTORY ANSIBLE_ROLES_PATH ANSIBLE_LIMIT ANSIBLE_CONFIG 2>/dev/null

# The directory the recordings were made in: the one their "included:" lines name.
RECORDED=$(sed -n 's|^included: \(/.*\)/roles/.*|\1|p' "$CORPUS"/expected/*.out | head -n 1)

echo "$CASES" | while IFS='|' read -r name args; do
	[ -n "$name" ] || continue
	set -f
	# shellcheck disable=SC2086 # args are split on purpose
	(cd "$CORPUS" && timeout -k 2 60 env XDG_RUNTIME_DIR="$T_TMP" "$DROVER" playbook -i inventory/hosts -c local \
		"$name.yml" $args > "$T_TMP/$name.out" 2> "$T_TMP/$name.err")
	echo "rc=$?" >> "$T_TMP/$name.out"
	set +f
	want=$(cat "$CORPUS/expected/$name.out")
	[ -n "$RECORDED" ] && want=$(printf '%s\n' "$want" | sed "s|$RECORDED|$CORPUS|g")
	got=$(cat "$T_TMP/$name.out")
	reason=$(printf '%s\n' "$KNOWN" | sed -n "s/^$name|//p")
	if [ "$got" = "$want" ]; then ok "$name: output and exit status"
	elif [ -n "$reason" ]; then skip "$name: output and exit status" "$reason"
	else
		not_ok "$name: output and exit status"
		printf '%s\n' "$want" > "$T_TMP/want"
		diag "$(diff -u "$T_TMP/want" "$T_TMP/$name.out" | head -40)"
		diag "stderr: $(head -c 400 "$T_TMP/$name.err")"
	fi
done > "$T_TMP/tap"
# The loop ran in a subshell: replay its lines through the counters.
while IFS= read -r line; do
	case "$line" in
	"ok "*"# SKIP"*) r=${line#ok [0-9]* - }; skip "${r%% # SKIP*}" "${r#*# SKIP }" ;;
	"ok "*) ok "${line#ok [0-9]* - }" ;;
	"not ok "*) not_ok "${line#not ok [0-9]* - }" ;;
	*) echo "$line" ;;
	esac
done < "$T_TMP/tap"

# --profile: profile_tasks' summary after the recap, a rule then "name ---- 0.12s" lines 79 wide.
(cd "$CORPUS" && timeout -k 2 60 env XDG_RUNTIME_DIR="$T_TMP" "$DROVER" playbook -i inventory/hosts -c local \
	loop.yml -e item=extra -e idx=9 --profile > "$T_TMP/profile.out" 2>&1)
sed -n '/^=\{79\} $/,$p' "$T_TMP/profile.out" | tail -n +2 > "$T_TMP/profile.lines"
check "--profile: a summary line per task" test "$(wc -l < "$T_TMP/profile.lines")" -ge 3
check "--profile: profile_tasks' line format" test -z "$(grep -v -E '^.{1,69} -+ [0-9]+\.[0-9]{2}s$' "$T_TMP/profile.lines")"
check "--profile: lines 79 wide" test -z "$(awk 'length($0) != 79' "$T_TMP/profile.lines")"

# --json: JSON-lines events, the last a summary whose counts are the recap's.
(cd "$CORPUS" && timeout -k 2 60 env XDG_RUNTIME_DIR="$T_TMP" "$DROVER" playbook -i inventory/hosts -c local \
	rescue.yml --json > "$T_TMP/json.out" 2> "$T_TMP/json.err")
check "--json: events, then the recap's counts" python3 - "$T_TMP/json.out" "$CORPUS/expected/rescue.out" <<'PY'
import json, re, sys
events = [json.loads(line) for line in open(sys.argv[1])]
assert events[0]["event"] == "playbook_start" and events[-1]["event"] == "summary", events
assert all("event" in e for e in events)
assert any(e["event"] == "result" for e in events)
recap = {}
for line in open(sys.argv[2]):
    m = re.match(r"^(\S+)\s+: (.*)$", line)
    if m and "ok=" in m.group(2):
        recap[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
assert events[-1]["stats"] == recap, (events[-1]["stats"], recap)
PY
t_done
