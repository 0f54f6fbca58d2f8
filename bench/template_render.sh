#!/bin/sh
# The template engine: one 200-line template (loops, conditionals, filters, macros, string
# methods, arithmetic) rendered for 1,000 hosts, each with its own variables, by drover (one
# `drover template --batch` process, which compiles the template for each host, as the
# template module does per task) and by Jinja2 in Python (python3-jinja2, one process, the
# template compiled once and rendered per host, which favours Jinja2). Both outputs are
# checked identical first. Prints per tool the median and minimum wall time (the Python
# interpreter's start-up included, as it is part of every Ansible run), the median CPU time,
# the peak RSS, and the ratio of the medians as "jinja2/drover = 12.3x".
#
# usage: bench/template_render.sh [-n N] [-H HOSTS]   (N runs each, default 5; HOSTS 1000)
# BUILD=dir picks the build directory holding drover (default build/; a relative dir is
# taken from the repository's root). Nothing is built here.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/bench/lib.sh"

N=5
HOSTS=1000
while getopts n:H: opt; do
	case $opt in
	n) N=$OPTARG ;;
	H) HOSTS=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [-H HOSTS]" >&2; exit 2 ;;
	esac
done
case "$N$HOSTS" in '' | *[!0-9]* ) echo "template_render: -n and -H want positive numbers" >&2; exit 2 ;; esac

BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
DROVER=$BUILD/drover
if [ ! -x "$DROVER" ]; then
	echo "template_render: $DROVER is missing: build first (make, or make BUILD=dir and run with BUILD=dir)" >&2
	exit 1
fi
PY=/usr/bin/python3
if ! "$PY" -c 'import jinja2' 2>/dev/null; then
	echo "template_render: python3-jinja2 is not installed" >&2
	exit 1
fi
TMP=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$TMP"' EXIT INT TERM

# The template, the hosts' variables as drover's batch cases, and the Jinja2 driver.
"$PY" - "$TMP" "$HOSTS" <<'PY'
import json, sys
tmp, hosts = sys.argv[1], int(sys.argv[2])
lines = ["{# generated: 200 lines #}", "{% macro kv(k, v) %}{{ k }} = {{ v }}{% endmacro %}"]
blocks = [
    "# host {{ inventory_hostname }} ({{ ip }}) in {{ groups | join(',') }}",
    "{% for p in ports %}listen {{ ip }}:{{ p }}{% if not loop.last %};{% endif %}{% endfor %}",
    "{% if env == 'prod' %}mode = strict{% else %}mode = relaxed{% endif %}",
    "{{ kv('workers', cpus * 2 + 1) }}",
    "{% for u in users if u.active %}user {{ u.name | upper }} {{ u.uid }} {{ u.groups | sort | join(' ') }}{% endfor %}",
    "name = {{ inventory_hostname.split('.')[0] | title }}",
    "memory = {{ (mem_mb / 1024) | round(1) }}G {{ mem_mb // 4 }}M",
    "{% for k, v in settings | dictsort %}{{ k }}={{ v }} {% endfor %}",
    "tags = {{ tags | map('lower') | unique | list }}",
    "{{ '%-10s|%5d' | format(env, cpus) }} {{ motd | default('none') | replace('x', 'y') }}",
]
while len(lines) < 200:
    lines.append(blocks[len(lines) % len(blocks)])
text = "\n".join(lines[:200]) + "\n"
open(tmp + "/t.j2", "w").write(text)
with open(tmp + "/cases.jsonl", "w") as f:
    allv = []
    for h in range(hosts):
        v = {"inventory_hostname": "web%04d.example.com" % h, "ip": "10.0.%d.%d" % (h // 256, h % 256),
             "groups": ["web", "dc%d" % (h % 3)], "ports": [80, 443, 8000 + h % 10], "env": "prod" if h % 2 else "dev",
             "cpus": 1 + h % 8, "mem_mb": 1024 * (1 + h % 16),
             "users": [{"name": "u%d" % i, "uid": 1000 + i, "active": (i + h) % 3 != 0, "groups": ["g%d" % (i % 4), "adm"]} for i in range(5)],
             "settings": {"k%d" % i: h * i for i in range(6)}, "tags": ["A", "b", "a", "C%d" % (h % 2)]}
        if h % 5 == 0:
            v["motd"] = "xox"
        allv.append(v)
        f.write(json.dumps({"id": "h%d" % h, "mode": "render", "opts": {}, "vars": v, "t": text}) + "\n")
    json.dump(allv, open(tmp + "/vars.json", "w"))
open(tmp + "/jinja.py", "w").write('''
import json, sys
import jinja2
tmp = sys.argv[1]
env = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
t = env.from_string(open(tmp + "/t.j2").read())
out = sys.stdout
for i, v in enumerate(json.load(open(tmp + "/vars.json"))):
    out.write(json.dumps({"id": "h%d" % i, "ok": t.render(v)}) + "\\n")
''')
PY

# Warm-up and check: the same text for every host.
"$DROVER" template --batch "$TMP/cases.jsonl" > "$TMP/drover.out" 2> "$TMP/drover.err" ||
	{ echo "template_render: drover failed:" >&2; tail -5 "$TMP/drover.err" >&2; exit 1; }
"$PY" "$TMP/jinja.py" "$TMP" > "$TMP/jinja.out" 2> "$TMP/jinja.err" ||
	{ echo "template_render: jinja2 failed:" >&2; tail -5 "$TMP/jinja.err" >&2; exit 1; }
if ! "$PY" -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
bad = [x["id"] for x, y in zip(a, b) if x != y]
if len(a) != len(b) or bad:
    sys.exit("outputs differ for %d hosts, first %s" % (len(bad), bad[:1]))
' "$TMP/drover.out" "$TMP/jinja.out"; then
	echo "template_render: drover and Jinja2 render differently" >&2
	exit 1
fi

bench_runs "$N" "$TMP/drover.log" "$DROVER" template --batch "$TMP/cases.jsonl" > "$TMP/drover.runs" || exit 1
bench_runs "$N" "$TMP/jinja.log" "$PY" "$TMP/jinja.py" "$TMP" > "$TMP/jinja.runs" || exit 1

echo "template_render: a 200-line template for $HOSTS hosts, $N runs each after one warm-up"
for tool in drover jinja2; do
	f=$TMP/drover.runs
	[ $tool = jinja2 ] && f=$TMP/jinja.runs
	set -- $(bench_stats "$f")
	printf '%-8s median %-10s min %-10s cpu %-10s peak RSS %s MiB\n' "$tool" "$(bench_secs "$1")" \
		"$(bench_secs "$2")" "$(bench_secs "$3")" "$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')"
done
d=$(bench_stats "$TMP/drover.runs")
j=$(bench_stats "$TMP/jinja.runs")
# Wall time moves with the machine's load; CPU time less so: both ratios.
awk -v d="$d" -v j="$j" 'BEGIN { split(d, a, " "); split(j, b, " ")
	printf "jinja2/drover = %.1fx (cpu %.1fx)\n", b[1] / a[1], b[3] / a[3] }'
