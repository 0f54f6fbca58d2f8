#!/bin/sh
# `drover run -m template`: the template is rendered on the controller with
# the host's inventory variables and -e (lookups relative to the current
# directory), written by the worker's copy; the file, the result's keys and
# a second, unchanged run must match `ansible -m template`.
. "$(dirname "$0")/lib.sh"

if ! command -v ansible >/dev/null 2>&1; then
	skip "run -m template" "ansible is not installed"
	t_done
	exit 0
fi
D="$T_TMP/proj"
mkdir -p "$D/files" "$D/templates"
cat > "$D/hosts" <<'INV'
[all]
localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3 port=8080
INV
echo "from a file" > "$D/files/part.txt"
cat > "$D/t.j2" <<'J2'
# {{ ansible_managed }}
host={{ inventory_hostname }} port={{ port }} extra={{ extra | default('none') }}
{{ lookup('file', 'part.txt') }}
{% for i in range(3) %}
line {{ i }}: {{ (port + i) | string | hash('md5') }}
{% endfor %}
{{ {'b': [1, 2], 'a': 'x'} | to_nice_yaml }}
J2

for tool in drover ansible; do
	if [ $tool = drover ]; then cmd="$DROVER run"; else cmd=ansible; fi
	(cd "$D" && $cmd -i hosts localhost -m template -a "src=t.j2 dest=$T_TMP/out.$tool mode=0640" -e extra=E) \
		> "$T_TMP/$tool.1" 2>&1
	echo "rc=$?" >> "$T_TMP/$tool.1"
	(cd "$D" && $cmd -i hosts localhost -m template -a "src=t.j2 dest=$T_TMP/out.$tool mode=0640" -e extra=E) \
		> "$T_TMP/$tool.2" 2>&1
	echo "rc=$?" >> "$T_TMP/$tool.2"
	(cd "$D" && $cmd -i hosts localhost -m template -a "src=nope.j2 dest=$T_TMP/nope.$tool") > "$T_TMP/$tool.3" 2>&1
	echo "rc=$?" >> "$T_TMP/$tool.3"
done

if cmp -s "$T_TMP/out.drover" "$T_TMP/out.ansible"; then
	ok "the rendered file matches Ansible's"
else
	not_ok "the rendered file matches Ansible's"
	diag "$(diff "$T_TMP/out.ansible" "$T_TMP/out.drover" | head -20)"
fi
check_eq "mode as asked" "$(stat -c %a "$T_TMP/out.ansible")" "$(stat -c %a "$T_TMP/out.drover")"
# Results: the same keys and values but the temporary src path and the
# interpreter discovery Ansible adds; Ansible's line on stderr before a
# failed result is the output layer's.
norm() {
	sed -n '/^localhost |/,$p' "$1" | sed -e 's/"src": .*/"src": X,/' -e '/ansible_facts/,/^    },/d' -e 's/"dest": .*out\.[a-z]*"/"dest": D/' \
		-e 's/"path": .*out\.[a-z]*"/"path": D/' -e "s|$T_TMP/nope.[a-z]*|N|"
}
for n in 1 2 3; do
	if [ "$(norm "$T_TMP/drover.$n")" = "$(norm "$T_TMP/ansible.$n")" ]; then
		ok "result $n matches Ansible's"
	else
		not_ok "result $n matches Ansible's"
		diag "$(diff "$T_TMP/ansible.$n" "$T_TMP/drover.$n" | head -30)"
	fi
done
t_done
