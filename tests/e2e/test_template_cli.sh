#!/bin/sh
# `drover template`: a .j2 file rendered with a host's inventory variables
# (group_vars templating other variables, hostvars, groups, -e) must match
# what Ansible's template module writes for the same host; --string,
# --expr and --cond print typed results; errors name file:line:col.
. "$(dirname "$0")/lib.sh"

D="$T_TMP/proj"
mkdir -p "$D/group_vars" "$D/host_vars"
cat > "$D/hosts" <<'INV'
[web]
web1 port=8080 weight=1.5
web2

[db]
db1

[web:vars]
role=frontend
INV
cat > "$D/group_vars/all.yml" <<'YML'
greeting: "hi {{ inventory_hostname }}"
nested: "{{ greeting }}!"
servers: "{{ groups['web'] | sort }}"
YML
cat > "$D/host_vars/web1.yml" <<'YML'
users:
  - {name: bob, admin: true}
  - {name: al, admin: false}
YML
cat > "$D/t.j2" <<'TPL'
# {{ inventory_hostname }} ({{ role }}) groups={{ group_names }}
{{ nested }} {{ servers | join(',') }} {{ servers }}
{% for u in users if u.admin %}
admin: {{ u.name | upper }}
{% endfor %}
{% for h in groups['all'] | sort %}
{{ h }}: {{ hostvars[h]['port'] | default('none') }}
{% endfor %}
weight={{ weight }} port+1={{ port + 1 }} extra={{ extra | default('-') }}
{{ {'a': [1, none, true]} | to_nice_json }}
TPL

"$DROVER" template -i "$D/hosts" -H web1 -e extra=yes "$D/t.j2" > "$T_TMP/drover.out" 2> "$T_TMP/drover.err"
check_eq "drover template renders a file" "$?" 0

if command -v ansible >/dev/null 2>&1; then
	(cd "$D" && ANSIBLE_LOCALHOST_WARNING=0 ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
		ansible web1 -i hosts -c local -e extra=yes -m template -a "src=t.j2 dest=$T_TMP/ansible.out" \
		> "$T_TMP/ansible.log" 2>&1)
	if cmp -s "$T_TMP/drover.out" "$T_TMP/ansible.out"; then
		ok "same bytes as Ansible's template module"
	else
		not_ok "same bytes as Ansible's template module"
		diag "$(diff "$T_TMP/ansible.out" "$T_TMP/drover.out" | head -20)"
		diag "$(tail -5 "$T_TMP/ansible.log")"
	fi
else
	skip "same bytes as Ansible's template module" "ansible not installed"
fi

got=$("$DROVER" template -i "$D/hosts" -H web1 --string '{{ port }}')
check_eq "--string gives the typed value" "$got" "8080"
got=$("$DROVER" template -i "$D/hosts" -H web1 --string '{{ servers }}')
check_eq "--string templates variables lazily" "$got" '["web1", "web2"]'
got=$("$DROVER" template -e '{"x": [1, 2]}' --expr 'x | map("string") | list')
check_eq "--expr prints repr" "$got" "['1', '2']"
got=$("$DROVER" template -i "$D/hosts" -H web2 --cond 'port is defined or "web" in group_names')
check_eq "--cond" "$got" "True"

printf 'line1\n  {{ nope.x }}\n' > "$D/bad.j2"
"$DROVER" template "$D/bad.j2" > /dev/null 2> "$T_TMP/err"
check_eq "undefined variable exit status" "$?" 1
check "error names file:line:col" grep -q "bad.j2:2:6: 'nope' is undefined" "$T_TMP/err"
printf '{%% if x %%}\n' > "$D/syntax.j2"
"$DROVER" template "$D/syntax.j2" > /dev/null 2> "$T_TMP/err"
check_eq "syntax error exit status" "$?" 4
check "syntax error message" grep -q "syntax.j2:1:11: Unexpected end of template" "$T_TMP/err"
"$DROVER" template -i "$D/hosts" -H nosuch "$D/t.j2" > /dev/null 2>&1
check_eq "unknown host exit status" "$?" 5
t_done
