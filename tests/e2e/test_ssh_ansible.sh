#!/bin/sh
# Differential: `drover run` and `ansible` ad-hoc on the same sshd hosts, through the same
# ansible.cfg (inventory, key, known_hosts), give the same results: exit status, each host's
# status and its result data (ping, command, shell, failing ones included), ignoring only
# timings (start, end, delta) and ansible_facts.discovered_interpreter_python.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/e2e/lib.sh"
. "$ROOT/tests/e2e/sshd.sh"
. "$ROOT/tests/e2e/sshrun.sh"

if [ ! -x "$SSHD_BIN" ] || ! command -v ssh >/dev/null; then
	skip "drover and ansible" "openssh-server or openssh-client not installed"
	t_done; exit
fi
if ! command -v ansible >/dev/null; then
	skip "drover and ansible" "ansible not installed"
	t_done; exit
fi
if ! sshd_start 2; then
	not_ok "sshd_start 2"
	t_done; exit
fi
export ANSIBLE_NOCOLOR=1

# norm FILE: the result lines of FILE, sorted, with each JSON result reduced to what must
# agree ("host | STATUS => {...}" and Ansible's one-line text forms).
norm() {
	python3 - "$1" <<'EOF'
import json, re, sys
sys.stdout.reconfigure(errors="surrogateescape")
lines = []
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as f:
    for line in f:
        line = line.rstrip("\n")
        m = re.match(r"^(\S+) \| ([A-Z!]+) => (\{.*\})$", line)
        if m:
            r = json.loads(m.group(3))
            for k in ("start", "end", "delta"):
                r.pop(k, None)
            facts = r.get("ansible_facts")
            if isinstance(facts, dict):
                facts.pop("discovered_interpreter_python", None)
                if not facts:
                    del r["ansible_facts"]
            line = "%s | %s => %s" % (m.group(1), m.group(2), json.dumps(r, sort_keys=True, ensure_ascii=False))
        elif not re.match(r"^\S+ \| ", line):
            continue
        lines.append(line)
for line in sorted(lines):
    print(line)
EOF
}

# both OUT ARGS...: `ansible ARGS` and `drover run ARGS`; outputs in OUT.a / OUT.d, exit
# statuses in $ARC / $DRC.
both() {
	local out=$1; shift
	sshd_ansible timeout -k 2 60 ansible "$@" > "$out.a" 2> "$out.a.err"
	ARC=$?
	sshd_ansible env XDG_RUNTIME_DIR="$DR_XDG" timeout -k 2 30 "$DROVER" run "$@" > "$out.d" 2> "$out.d.err"
	DRC=$?
}

# same NAME ARGS...: both tools, one-line output, the same statuses and result data.
# KNOWN, when set, is "SED-EXPRESSION|REASON": a difference already reported, where drover's
# results are Ansible's edited by the sed expression; it shows as a skip with the reason.
n=0
KNOWN=""
same() {
	local name=$1 a d; shift
	n=$((n + 1))
	both "$T_TMP/case$n" lab -o "$@"
	a=$(norm "$T_TMP/case$n.a")
	d=$(norm "$T_TMP/case$n.d")
	if [ "$ARC" = "$DRC" ] && [ "$a" = "$d" ] && [ -n "$a" ]; then ok "$name"
	elif [ -n "$KNOWN" ] && [ "$ARC" = "$DRC" ] && [ -n "$a" ] &&
	     [ "$(printf "%s\n" "$a" | sed "${KNOWN%%|*}")" = "$d" ]; then
		skip "$name" "${KNOWN#*|}"
	else
		not_ok "$name"
		diag "ansible (exit $ARC):"; diag "$a"; diag "$(head -c 600 "$T_TMP/case$n.a.err")"
		diag "drover (exit $DRC):"; diag "$d"; diag "$(head -c 600 "$T_TMP/case$n.d.err")"
	fi
}

same "ping" -m ping
same "ping with data" -m ping -a data=hello
same "command" -m command -a 'echo hello  world'
same "command: quoting" -m command -a "echo \"a  b\" 'c d' e\\ f"
same "command: variables and ~ expanded" -m command -a 'echo $HOME ~'
same "command: rc 1" -m command -a false
same "command: no such program" -m command -a 'nosuchprogram --flag'
same "command: chdir" -m command -a 'pwd chdir=/usr'
same "command: creates exists" -m command -a 'echo run creates=/etc/hostname'
same "command: removes missing" -m command -a 'echo run removes=/nonexistent/file'
same "command: stdin" -m command -a 'cat stdin=fed'
same "command: argv as JSON" -m command -a '{"argv": ["printf", "%s|", "x  y", "z"]}'
same "shell: stdout, stderr, rc 3" -m shell -a 'echo out; echo err >&2; exit 3'
same "shell: blank lines and trailing newlines" -m shell -a 'printf "a\n\nb\n\n\n"'
# Ansible keeps undecodable bytes as surrogates and prints them as "?"; drover prints the raw
# byte in text results and U+FFFD in JSON ones (reported).
KNOWN="s/a?b/a$(printf '\377')b/g|drover prints the raw byte where Ansible prints ?"
same "shell: bytes that are not UTF-8" -m shell -a 'printf "a\377b\n"'
KNOWN="s/a?b/a$(printf '\357\277\275')b/g|drover's JSON has U+FFFD where Ansible prints ?"
same "shell: bytes that are not UTF-8, failing" -m shell -a 'printf "a\377b\n"; exit 1'
KNOWN=""
same "shell: executable" -m shell -a 'echo ${BASH_VERSION:+bash} executable=/bin/bash'
same "shell: killed by a signal" -m shell -a 'kill -TERM $$'

# Ansible's default (multi-line) format, where text results carry no timings.
n=$((n + 1))
both "$T_TMP/case$n" h1 -m shell -a 'echo one; echo two >&2'
check_eq "default format: text result" "$(cat "$T_TMP/case$n.d")" "$(cat "$T_TMP/case$n.a")"
check_eq "default format: exit status" "$DRC" "$ARC"
n=$((n + 1))
both "$T_TMP/case$n" h1 -m ping
check_eq "default format: JSON result" "$(cat "$T_TMP/case$n.d")" "$(cat "$T_TMP/case$n.a")"

# An unreachable host: the same status and exit code (the words are drover's own).
closed=$(_sshd_free_port 127.0.1.2)
echo "gone ansible_host=127.0.1.2 ansible_port=$closed" > "$T_TMP/gone.ini"
n=$((n + 1))
both "$T_TMP/case$n" all -i "$T_TMP/gone.ini" -m ping -o
check_eq "unreachable: exit status" "$DRC" "$ARC"
check_eq "unreachable: status" "$(cut -d' ' -f1-3 "$T_TMP/case$n.d")" "$(cut -d' ' -f1-3 "$T_TMP/case$n.a")"

dr_masters > /dev/null
t_done
