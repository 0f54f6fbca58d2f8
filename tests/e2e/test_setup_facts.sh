#!/bin/sh
# The setup module against Ansible's on this machine: the same argument
# sets (all facts, subsets, filters, local facts) through ansible-playbook
# and through drover-worker, compared key by key; only the differences in
# tests/setup/EXPECTED_DIFFERENCES.md may remain. See
# tests/e2e/setup_facts_test.py.
. "$(dirname "$0")/lib.sh"
WORKER="$BUILD/drover-worker"
if [ ! -x "$WORKER" ]; then
	not_ok "drover-worker is built ($WORKER)"
	t_done
	exit 1
fi
if ! command -v ansible-playbook > /dev/null 2>&1; then
	skip "setup against Ansible" "ansible-playbook is not installed"
	t_done
	exit 0
fi
trap t_cleanup EXIT INT TERM
cd "$T_TMP" || exit 1
python3 "$ROOT/tests/e2e/setup_facts_test.py" "$WORKER" "$T_TMP" "$ROOT" "$DROVER"
