#!/bin/sh
# vars_prompt on a terminal: drover and ansible-playbook run
# tests/playbooks/prompt/prompt_tty.yml on a pseudo-terminal (tests/e2e/pty_prompt.py answers
# the prompts: shown and hidden input, a confirmation that fails once, an empty answer taking
# the default); what the terminal shows must be the same.
. "$(dirname "$0")/lib.sh"

PB=$ROOT/tests/playbooks/prompt/prompt_tty.yml
case $DROVER in /*) D=$DROVER ;; *) D=$(pwd)/$DROVER ;; esac
export ANSIBLE_NOCOLOR=1
if ! command -v ansible-playbook >/dev/null; then
	skip "vars_prompt on a terminal" "ansible-playbook not installed"
	t_done; exit
fi
want=$(cd "$T_TMP" && python3 "$ROOT/tests/e2e/pty_prompt.py" ansible-playbook -i localhost, -c local "$PB" 2>&1)
got=$(cd "$T_TMP" && python3 "$ROOT/tests/e2e/pty_prompt.py" "$D" playbook -i localhost, -c local "$PB" 2>&1)
check_eq "ansible-playbook answers every prompt" "$(echo "$want" | tail -1)" "rc=0 steps=8"
check_eq "the terminal shows the same" "$got" "$want"
case "$got" in *'"msg": "seen secret c dd"'*) ok "answers reach the play" ;; *) not_ok "answers reach the play" ;; esac
t_done
