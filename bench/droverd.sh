#!/bin/sh
# droverd against supervisord 4.2.5 supervising N idle programs (`sleep
# infinity`, default 200), each daemon on the same configuration in its own
# directory: the time from start to every program RUNNING (its main log's
# "success:" lines; startsecs=1 as the default), the daemon's RSS and CPU
# time at that point, its CPU over an idle window (default 10 s), and the
# time to stop everything (SIGTERM to exit). Printed with supervisord/droverd
# ratios from one run. See bench/README.md.
#
#   bench/droverd.sh [-n PROGRAMS] [-i IDLE_SECONDS]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
N=200
IDLE=10
while getopts n:i: o; do
	case $o in
	n) N=$OPTARG ;;
	i) IDLE=$OPTARG ;;
	*) echo "usage: $0 [-n PROGRAMS] [-i IDLE_SECONDS]" >&2; exit 2 ;;
	esac
done
[ -x "$BUILD/droverd" ] || { echo "bench: $BUILD/droverd missing; run make" >&2; exit 1; }
[ -x /usr/bin/supervisord ] || { echo "bench: supervisord not installed (apt-get install supervisor)" >&2; exit 1; }
TMP=$(mktemp -d /tmp/drover-bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM

python3 - "$BUILD/droverd" /usr/bin/supervisord "$N" "$IDLE" "$TMP" <<'PY'
import os, signal, subprocess, sys, time

droverd, supervisord, n, idle, tmp = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
tick = os.sysconf("SC_CLK_TCK")

def conf(d):
    lines = ["[supervisord]", "logfile=%s/main.log" % d, "pidfile=%s/d.pid" % d, "childlogdir=%s" % d,
             "minfds=4096", "[unix_http_server]", "file=%s/d.sock" % d, "[rpcinterface:supervisor]",
             "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface"]
    for i in range(n):
        lines += ["[program:p%03d]" % i, "command=sleep infinity"]
    with open(d + "/supervisord.conf", "w") as f:
        f.write("\n".join(lines) + "\n")

def cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def count(path, word):
    try:
        with open(path, "rb") as f:
            return f.read().count(word)
    except OSError:
        return 0

def spawned(path):
    pids = []
    try:
        with open(path) as f:
            for line in f:
                if "spawned: '" in line:
                    pids.append(int(line.rsplit(" ", 1)[1]))
    except OSError:
        pass
    return pids

def run(name, binary):
    d = os.path.join(tmp, name)
    os.mkdir(d)
    conf(d)
    log = d + "/main.log"
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "LANG": "C.UTF-8", "TZ": "UTC"}
    t0 = time.monotonic()
    p = subprocess.Popen([binary, "-n", "-c", d + "/supervisord.conf"], cwd=d, env=env,
                         stdin=subprocess.DEVNULL, stdout=open(d + "/out.txt", "wb"), stderr=subprocess.STDOUT)
    try:
        deadline = t0 + 120
        while count(log, b"success: ") < n:
            if time.monotonic() > deadline or p.poll() is not None:
                sys.exit("bench: %s did not bring %d programs to RUNNING; see %s" % (name, n, log))
            time.sleep(0.01)
        up = time.monotonic() - t0
        cpu_up, rss_up = cpu(p.pid), rss_kb(p.pid)
        time.sleep(idle)
        cpu_idle, rss_idle = cpu(p.pid) - cpu_up, rss_kb(p.pid)
        t1 = time.monotonic()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=120)
        down = time.monotonic() - t1
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        for pid in spawned(log):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    return {"up": up, "cpu_up": cpu_up, "rss_up": rss_up, "cpu_idle": cpu_idle, "rss_idle": rss_idle, "down": down}

res = {}
for name, binary in (("droverd", droverd), ("supervisord", supervisord)):
    res[name] = run(name, binary)

def ratio(a, b):
    return "%.1fx" % (a / b) if b > 0 else ("= (both 0)" if a == 0 else "inf (droverd 0)")

print("droverd.sh: %d idle programs (sleep infinity, startsecs=1), idle window %g s" % (n, idle))
print("%-12s %14s %12s %12s %14s %12s" % ("", "to RUNNING", "CPU start", "RSS", "CPU idle", "stop"))
for name in ("droverd", "supervisord"):
    r = res[name]
    print("%-12s %12.3f s %10.3f s %8.1f MiB %10.3f s %10.3f s" %
          (name, r["up"], r["cpu_up"], r["rss_idle"] / 1024.0, r["cpu_idle"], r["down"]))
s, d = res["supervisord"], res["droverd"]
print("supervisord/droverd: to RUNNING %s, CPU at start %s, RSS %s, CPU idle %s, stop %s" %
      (ratio(s["up"], d["up"]), ratio(s["cpu_up"], d["cpu_up"]), ratio(s["rss_idle"], d["rss_idle"]),
       ratio(s["cpu_idle"], d["cpu_idle"]), ratio(s["down"], d["down"])))
PY
