# Shared helpers for the benchmarks (sourced; POSIX sh). Times are taken inside one python3
# process around each run (monotonic clock, wait4 rusage), so an interpreter's start-up never
# lands inside a measurement.

# bench_runs N LOG CMD...: runs CMD N times (stdin /dev/null, stdout and stderr to LOG, the
# last run's kept) and prints one line per run: "WALL_S CPU_S MAXRSS_KB" (CPU = user + system
# of CMD and every descendant it waited for; MAXRSS = the largest of those processes). Stops
# with status 1, naming the run and printing LOG's tail on stderr, at the first run that
# fails.
bench_runs() {
	python3 -c '
import os, sys, time
n, log, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
for i in range(n):
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    acts = [(os.POSIX_SPAWN_DUP2, null, 0), (os.POSIX_SPAWN_DUP2, fd, 1),
            (os.POSIX_SPAWN_DUP2, fd, 2)]
    t0 = time.monotonic()
    try:
        pid = os.posix_spawnp(cmd[0], cmd, os.environ, file_actions=acts)
    except OSError as e:
        sys.exit("bench: cannot run %s: %s" % (cmd[0], e.strerror))
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    os.close(fd); os.close(null)
    if os.waitstatus_to_exitcode(status) != 0:
        with open(log, "rb") as f:
            tail = f.read()[-2000:].decode("utf-8", "replace")
        sys.stderr.write("bench: run %d of `%s` exited with %d; its output ends:\n%s\n"
                         % (i + 1, " ".join(cmd), os.waitstatus_to_exitcode(status), tail))
        sys.exit(1)
    print("%.6f %.6f %d" % (wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss), flush=True)
' "$@"
}

# bench_stats FILE: "MEDIAN_WALL MIN_WALL MEDIAN_CPU MAX_RSS_KB" of bench_runs lines in FILE.
bench_stats() {
	sort -n "$1" | awk '
		{ w[NR] = $1; c[NR] = $2; if ($3 > rss) rss = $3 }
		END {
			if (NR == 0) { print "0 0 0 0"; exit }
			m = (NR % 2) ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2
			n = asort_c()
			printf "%.6f %.6f %.6f %d\n", m, w[1], n, rss
		}
		# Median of the CPU column (not sorted by the outer sort): insertion sort.
		function asort_c(   i, j, t, k) {
			for (i = 2; i <= NR; i++) {
				t = c[i]
				for (j = i - 1; j >= 1 && c[j] > t; j--) c[j + 1] = c[j]
				c[j + 1] = t
			}
			k = NR
			return (k % 2) ? c[(k + 1) / 2] : (c[k / 2] + c[k / 2 + 1]) / 2
		}'
}

# bench_secs S: seconds for people: "0.0042 s", "1.23 s", "41.2 s".
bench_secs() {
	awk -v s="$1" 'BEGIN {
		if (s < 0.1) printf "%.4f s", s; else if (s < 10) printf "%.3f s", s; else printf "%.1f s", s }'
}
