#!/bin/sh
# `drover inventory` against `ansible-inventory` on the inventories under
# tests/e2e/inventories/: --list and --host compared as JSON data, --graph as
# text; then malformed inventories and bad options, which must fail with a
# message naming file:line(:col) or the argument.
. "$(dirname "$0")/lib.sh"
INV="$ROOT/tests/e2e/inventories"
cd "$INV" || exit 1
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_NOCOLOR=1

if ! command -v ansible-inventory >/dev/null 2>&1; then
	skip "ansible-inventory comparisons" "ansible-inventory not installed"
	HAVE_ANSIBLE=0
else
	HAVE_ANSIBLE=1
fi

# Compares two JSON (or, with --yaml, YAML) files as data. The implicit
# localhost's ansible_python_interpreter (Ansible's own Python) is ignored.
same_data() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
def load(p, fmt):
    with open(p) as f:
        if fmt == "yaml":
            import yaml
            return yaml.safe_load(f)
        return json.load(f)
import datetime
def norm(x):
    # A YAML date that Ansible keeps as a date is a string in drover, in the
    # form Ansible's JSON output gives it.
    if isinstance(x, (datetime.date, datetime.datetime)):
        return x.isoformat()
    if isinstance(x, dict):
        x.pop("ansible_python_interpreter", None)
        return {k: norm(v) for k, v in x.items()}
    if isinstance(x, list):
        return [norm(v) for v in x]
    return x
a, b = norm(load(sys.argv[1], sys.argv[3])), norm(load(sys.argv[2], sys.argv[3]))
if a != b:
    def diff(p, x, y):
        if type(x) != type(y) or not isinstance(x, (dict, list)):
            if x != y:
                print("# %s: drover %r, ansible %r" % (p or "/", x, y))
            return
        if isinstance(x, list):
            if len(x) != len(y):
                print("# %s: drover %r, ansible %r" % (p, x, y))
                return
            for i, (u, v) in enumerate(zip(x, y)):
                diff("%s[%d]" % (p, i), u, v)
            return
        for k in sorted(set(x) | set(y), key=str):
            if k not in x: print("# %s/%s: missing in drover" % (p, k))
            elif k not in y: print("# %s/%s: only in drover" % (p, k))
            else: diff("%s/%s" % (p, k), x[k], y[k])
    diff("", a, b)
    sys.exit(1)
PY
}

# compare NAME FORMAT ARGS...: both tools with ARGS; FORMAT json, yaml or text.
compare() {
	name=$1 fmt=$2
	shift 2
	if [ "$HAVE_ANSIBLE" = 0 ]; then
		skip "$name" "no ansible"
		return
	fi
	"$DROVER" inventory "$@" > "$T_TMP/d.out" 2> "$T_TMP/d.err"
	rd=$?
	ansible-inventory "$@" > "$T_TMP/a.out" 2> "$T_TMP/a.err"
	ra=$?
	if [ "$rd" != "$ra" ]; then
		not_ok "$name (exit $rd, ansible-inventory $ra)"
		diag "$(head -5 "$T_TMP/d.err")"
		return
	fi
	if [ "$fmt" = text ]; then
		if cmp -s "$T_TMP/d.out" "$T_TMP/a.out"; then ok "$name"; else
			not_ok "$name"; diag "$(diff "$T_TMP/d.out" "$T_TMP/a.out" | head -20)"; fi
	elif same_data "$T_TMP/d.out" "$T_TMP/a.out" "$fmt" > "$T_TMP/diff"; then
		ok "$name"
	else
		not_ok "$name"
		cat "$T_TMP/diff" | head -20
		diag "$(head -5 "$T_TMP/d.err")"
	fi
}

# INI: sections, children declared before and after, :vars, ranges, typed
# values, ports, IPv6, comments; group_vars files and directories, host_vars.
compare "ini --list" json -i ini/hosts --list
for h in web01 web04 web05 db-a loose2 fe80::1 late1 db1.example.com; do
	compare "ini --host $h" json -i ini/hosts --host "$h"
done
compare "ini --graph" text -i ini/hosts --graph
compare "ini --graph --vars" text -i ini/hosts --graph --vars
compare "ini --graph prod" text -i ini/hosts --graph prod
compare "ini --list --export" json -i ini/hosts --list --export
compare "ini -e overrides" json -i ini/hosts -e 'shared=extra http_port=1' -e '{"j": [1]}' --host web01

# YAML: nested children, ranges, YAML 1.1 typing, !unsafe, anchors and
# merge keys, string sections, empty groups, group_vars beside it.
compare "yaml --list" json -i yaml/inventory.yml --list
for h in web1 web7 deep1 2001:db8::7 solo.example.com lonely; do
	compare "yaml --host $h" json -i yaml/inventory.yml --host "$h"
done
compare "yaml --graph" text -i yaml/inventory.yml --graph
compare "yaml --list --yaml" yaml -i yaml/inventory.yml --list --yaml

# A directory of sources (INI, YAML, JSON, a subdirectory, ignored files)
# and several -i, where group_vars merge source by source.
compare "dir --list" json -i dir --list
compare "dir + ini --list" json -i dir -i multi2/hosts --list
for h in b1 a1 m1 c1; do
	compare "dir + ini --host $h" json -i dir -i multi2/hosts --host "$h"
done

# Priorities, [all] hosts, explicit 127.0.0.1, a comma host list, the
# implicit localhost.
compare "priority --list" json -i priority --list
compare "priority --host h1" json -i priority --host h1
compare "priority --host localhost" json -i priority --host localhost
compare "priority --graph --vars" text -i priority --graph --vars
compare "host list --list" json -i 'h1,h2:2222, [::1]:22,h1' --list
compare "implicit localhost --host" json -i 'h1,' --host localhost
compare "two inventories, one host" json -i ini/hosts -i yaml/inventory.yml --host web01

# Malformed inventories: exit 1 and a message naming file:line(:col).
bad() { # NAME FILE LINE-REGEX
	"$DROVER" inventory -i "bad/$2" --list > /dev/null 2> "$T_TMP/err"
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq "^drover: ERROR: .*bad/$2:$3: " "$T_TMP/err"; then ok "$1"; else
		not_ok "$1 (exit $rc)"; diag "$(cat "$T_TMP/err")"; fi
}
bad "unterminated section" unterminated_section "1:1"
bad "bad range" bad_range "2:1"
bad "bad [g:vars] line" bad_variable "4:1"
bad "unknown section type" unknown_section_type "1:1"
bad "undefined child group" undefined_child "2"
bad "YAML syntax error" syntax.yml "4:1"
bad "YAML structure error" structure.yml "2:10"
bad "unclosed quote" unclosed_quote "1:1"
bad "host variable without =" bad_host_variable "2:8"

"$DROVER" inventory -i nonexistent/hosts --list > /dev/null 2> "$T_TMP/err"
rc=$?
if [ "$rc" = 1 ] && grep -q "nonexistent/hosts: inventory source not found" "$T_TMP/err"; then
	ok "missing source"; else not_ok "missing source (exit $rc)"; diag "$(cat "$T_TMP/err")"; fi
"$DROVER" inventory -i ini/hosts > /dev/null 2> "$T_TMP/err"
check_eq "no action: exit 5" "$?" 5
"$DROVER" inventory -i ini/hosts --list --graph > /dev/null 2> "$T_TMP/err"
check_eq "conflicting actions: exit 5" "$?" 5
"$DROVER" inventory -i ini/hosts --host nosuch > /dev/null 2> "$T_TMP/err"
check_eq "unknown --host: exit 5" "$?" 5
"$DROVER" inventory -i ini/hosts --graph nosuch > /dev/null 2> "$T_TMP/err"
check_eq "unknown --graph group: exit 5" "$?" 5
"$DROVER" inventory -i ini/hosts --list --output "$T_TMP/out.json" > /dev/null
if python3 -c "import json,sys; json.load(open(sys.argv[1]))" "$T_TMP/out.json"; then ok "--output"; else not_ok "--output"; fi
"$DROVER" inventory -i ini/hosts -l 'web[0:1]' --list > "$T_TMP/lim.json"
got=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(' '.join(sorted(d['_meta']['hostvars'])), d['web']['hosts'])" "$T_TMP/lim.json")
check_eq "--limit filters --list" "$got" "web01 web02 ['web01', 'web02']"
t_done
