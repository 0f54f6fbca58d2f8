#!/bin/sh
# Differential test of the template engine: every case of
# tests/template/cases.txt is rendered by drover (one `drover template
# --batch` process) and by Ansible's templar over Jinja2 (one Python
# process), and the results must match byte for byte, except the cases
# listed with a reason in tests/template/EXCEPTIONS.md.
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
if ! "$PY" -c 'import ansible.template, jinja2' 2>/dev/null; then
	skip "template differential" "ansible-core and jinja2 are not installed"
	t_done
	exit 0
fi
if [ ! -x "$DROVER" ]; then
	not_ok "drover binary at $DROVER"
	t_done
	exit 1
fi

"$PY" "$ROOT/tests/template/cases.py" "$ROOT/tests/template/cases.txt" > "$T_TMP/cases.jsonl" ||
	{ not_ok "cases.txt parses"; t_done; exit 1; }
(cd "$ROOT/tests/template/files" && "$PY" "$ROOT/tests/template/jinja_ref.py") < "$T_TMP/cases.jsonl" > "$T_TMP/ref.jsonl" 2> "$T_TMP/ref.err" ||
	{ not_ok "reference renderer"; diag "$(tail -5 "$T_TMP/ref.err")"; t_done; exit 1; }
(cd "$ROOT/tests/template/files" && "$DROVER" template --batch "$T_TMP/cases.jsonl") > "$T_TMP/got.jsonl" 2> "$T_TMP/got.err" ||
	{ not_ok "drover template --batch"; diag "$(tail -5 "$T_TMP/got.err")"; t_done; exit 1; }
# compare.py prints the TAP lines (one per case) and the plan.
"$PY" "$ROOT/tests/template/compare.py" "$T_TMP/ref.jsonl" "$T_TMP/got.jsonl" "$ROOT/tests/template/EXCEPTIONS.md"
