#!/bin/sh
# Records ansible-playbook's output for the variable corpus into expected/:
# per playbook, NAME.out holds its stdout followed by "rc=N" and NAME.err its
# stderr. Several hosts run with -f 1 so that the order of their lines is
# fixed. Lines naming absolute paths (the "included:" lines) hold this
# directory as it was here: compare them after replacing the directory. The executor's
# e2e test runs drover on the same playbooks with the same arguments (the
# CASES table) and compares. Needs ansible-core 2.14; every host is local.
#
# Usage: tests/playbooks/vars/regen.sh [NAME...]
set -u
cd "$(dirname "$0")" || exit 1

# name|arguments after the playbook
CASES='precedence|-e @extra.yml
lazy|
hostvars|-f 1
magic|-f 1 -l all:!nothing -t all,x --skip-tags never_run -e x=1 -e playbook_dir=/nowhere
facts|
loop|-e item=extra -e idx=9
vars_files|-f 1
rescue|
missing_vars_file|'

tmp=$(mktemp -d /tmp/drover-varscorpus.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '[defaults]\nretry_files_enabled = False\n' > "$tmp/ansible.cfg"
export ANSIBLE_CONFIG="$tmp/ansible.cfg" ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
unset ANSIBLE_INVENTORY ANSIBLE_ROLES_PATH ANSIBLE_LIMIT 2>/dev/null
mkdir -p expected
echo "$CASES" | while IFS='|' read -r name args; do
	if [ $# -gt 0 ]; then
		case " $* " in *" $name "*) ;; *) continue ;; esac
	fi
	# shellcheck disable=SC2086 # args are split on purpose
	ansible-playbook -i inventory/hosts -c local "$name.yml" $args > "expected/$name.out" 2> "expected/$name.err"
	echo "rc=$?" >> "expected/$name.out"
	echo "$name: $(tail -n 1 "expected/$name.out")"
done
