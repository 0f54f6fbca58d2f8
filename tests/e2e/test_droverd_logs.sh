#!/bin/sh
# droverd's logs against supervisord 4.2.5's: child logs rotated by size
# with numbered backups, AUTO names and their clean-up, redirect_stderr,
# SIGUSR2 reopening, the main log's own rotation, /dev/stdout on a pipe;
# then droverd alone on a disk that fills up.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/droverd_lib.sh"

if [ ! -x "$DROVERD" ]; then
	skip "droverd logs" "no $DROVERD (run make)"
	t_done
	exit
fi
if ! have_supervisord; then
	skip "droverd logs" "no $SUPERVISORD (apt-get install supervisor)"
	t_done
	exit
fi

HEAD='[supervisord]
logfile=%(here)s/main.log
pidfile=%(here)s/sv.pid
childlogdir=%(here)s
user=root'

run_both() {
	dv_setup "$1-dv" "$2"
	dv_setup "$1-sv" "$2"
	[ -n "${3:-}" ] && touch "$T_TMP/$1-dv/$3" "$T_TMP/$1-sv/$3"
	dv_run droverd "$1-dv"; DV=$DV_PID
	dv_run supervisord "$1-sv"; SV=$DV_PID
}

listing() { (cd "$T_TMP/$1" && ls $2 2>/dev/null | tr '\n' ' '); }
contents() { (cd "$T_TMP/$1" && for f in $2; do [ -f "$f" ] && printf '%s: %s|' "$f" "$(cat "$f")"; done); }
has_text() { grep -q "$2" "$T_TMP/$1" 2>/dev/null; }

# --- rotation: each 40-byte line fills a 40-byte file -------------------
# The child pauses between lines so each arrives in its own read: the
# rotation check runs after every write, so it is the reads that decide.
run_both rot "$HEAD
logfile_maxbytes=1KB
logfile_backups=2
loglevel=debug
[program:talk]
command=sh -c 'for i in 1 2 3 4 5 6; do echo \"message number \$i, padded to forty bytes\"; sleep 0.3; done; exec sleep 300'
stdout_logfile=%(here)s/talk.log
stdout_logfile_maxbytes=40
stdout_logfile_backups=3
stderr_logfile=NONE
[program:both]
command=sh -c 'echo out; echo err >&2; exec sleep 300'
redirect_stderr=true
[program:old]
command=sh -c 'echo to-auto; exec sleep 300'
" "old-stdout---supervisor-abcdefgh.log.3"
for k in dv sv; do
	check "rot: $k wrote the sixth line" wait_for 20 has_text "rot-$k/talk.log.1" "number 6"
done
check_same "rot: the same files" "$(listing rot-dv 'talk.log*')" "$(listing rot-sv 'talk.log*')"
check_eq "rot: names and numbering" "$(listing rot-dv 'talk.log*')" "talk.log talk.log.1 talk.log.2 talk.log.3 "
check_same "rot: the same contents" "$(contents rot-dv 'talk.log talk.log.1 talk.log.2 talk.log.3')" \
	"$(contents rot-sv 'talk.log talk.log.1 talk.log.2 talk.log.3')"
check_eq "rot: newest first" "$(cat "$T_TMP/rot-dv/talk.log.3")" "message number 4, padded to forty bytes"
for k in dv sv; do
	check "rot: $k redirected stderr into stdout" wait_for 10 sh -c \
		"cat '$T_TMP'/rot-$k/both-stdout---supervisor-*.log 2>/dev/null | tr '\n' ' ' | grep -q 'out err'"
done
check_same "rot: no stderr log when redirected, AUTO names" \
	"$(listing rot-dv '*---supervisor-*' | sed 's/---supervisor-[a-z0-9_]\{8\}/---supervisor-X/g')" \
	"$(listing rot-sv '*---supervisor-*' | sed 's/---supervisor-[a-z0-9_]\{8\}/---supervisor-X/g')"
check_eq "rot: the old AUTO log was cleaned up" "$(listing rot-dv 'old-stdout---supervisor-abcdefgh.log.3')" ""
check "rot: the main log rotated (1 KB)" test -f "$T_TMP/rot-dv/main.log.1"
check_same "rot: main log backups" "$(listing rot-dv 'main.log*' | sed 's/main.log.3 //')" \
	"$(listing rot-sv 'main.log*' | sed 's/main.log.3 //')"
check_eq "rot: no third backup" "$(listing rot-dv 'main.log.3')" ""
check "rot: debug level copies child output into the main log" grep -q "DEBG 'talk' stdout output:" \
	"$T_TMP/rot-dv/main.log" "$T_TMP/rot-dv/main.log.1" "$T_TMP/rot-dv/main.log.2"

# --- SIGUSR2 reopens the main log and the running children's logs ---------
for k in dv sv; do
	eval pid=\$$(echo "$k" | tr a-z A-Z)
	mv "$T_TMP/rot-$k/main.log" "$T_TMP/rot-$k/main.log.moved"
	mv "$T_TMP/rot-$k/talk.log" "$T_TMP/rot-$k/talk.log.moved"
	kill -USR2 "$pid"
	# "supervisord logreopen" is written just before the reopen, so it
	# ends the moved file; the reopened file is a new, empty one.
	check "usr2: $k logged the request" wait_for 10 has_text "rot-$k/main.log.moved" \
		"INFO received SIGUSR2 indicating log reopen request"
	check "usr2: $k wrote logreopen last in the old file" wait_for 10 sh -c \
		"tail -1 '$T_TMP/rot-$k/main.log.moved' | grep -q 'INFO supervisord logreopen'"
	check "usr2: $k reopened its main log" test -f "$T_TMP/rot-$k/main.log"
	check "usr2: $k reopened the child's log" test -f "$T_TMP/rot-$k/talk.log"
done
dv_stop "$DV" 10
dv_stop "$SV" 10

# --- /dev/stdout on a pipe ---------------------------------------------
# supervisord rotates /dev/stdout by default (50MB), and on a pipe its
# tell() fails: "Illegal seek", the channel is closed, output lost
# (Supervisor/supervisor#1602). droverd never rotates what cannot seek.
for k in dv sv; do
	dv_setup "pipe-$k" "$HEAD
[program:echo]
command=sh -c 'echo through the pipe; exec sleep 300'
stdout_logfile=/dev/stdout"
	mkfifo "$T_TMP/pipe-$k/fifo"
	cat "$T_TMP/pipe-$k/fifo" > "$T_TMP/pipe-$k/piped.txt" &
	track_pid $!
	if [ "$k" = dv ]; then bin=$DROVERD; else bin=$SUPERVISORD; fi
	(cd "$T_TMP/pipe-$k" && exec "$bin" -n -c supervisord.conf > fifo 2>&1) &
	eval "PIPE_$k=\$!"
	track_pid $!
done
check "pipe: droverd passes the child's output through" wait_for 10 has_text pipe-dv/piped.txt "through the pipe"
check "pipe: supervisord fails on it" wait_for 10 has_text pipe-sv/main.log "Illegal seek"
dv_stop "$PIPE_dv" 10
dv_stop "$PIPE_sv" 10

# --- a full disk: logging fails, supervising goes on (droverd only) -------
FULL="$T_TMP/full"
mkdir -p "$FULL"
trap 'umount -l "$FULL" 2>/dev/null; dv_cleanup' EXIT INT TERM
if ! mount -t tmpfs -o size=32k tmpfs "$FULL" 2>/dev/null; then
	skip "full disk" "cannot mount a tmpfs here (needs root)"
	t_done
	exit
fi
dv_setup disk "$HEAD
[program:writer]
command=sh -c 'i=0; while :; do echo \"line \$i of filler text for a small disk\"; i=\$((i+1)); sleep 0.005; done'
stdout_logfile=$FULL/writer.log
stdout_logfile_maxbytes=0
[program:crashy]
command=sh -c 'exit 1'
startsecs=0
autorestart=true
stdout_logfile=NONE
stderr_logfile=NONE"
dv_run droverd disk; DISK=$DV_PID
check "disk: the failure is reported once" dv_wait_log disk 20 \
	"ERRO writer: cannot write stdout log $FULL/writer.log: No space left on device; output is dropped"
n0=$(dv_count disk "spawned: 'crashy'")
check "disk: restarts go on while the disk is full" dv_wait_count disk 10 $((n0 + 2)) "spawned: 'crashy'"
check_eq "disk: one report, not one per write" "$(dv_count disk 'cannot write stdout log')" 1
check "disk: the writer is still RUNNING" sh -c "kill -0 $(dv_spawn_pids disk writer | tail -1)"
: > "$FULL/writer.log"
check "disk: writes resume and the loss is counted" dv_wait_log disk 10 \
	"WARN writer: writes to stdout log $FULL/writer.log work again \([0-9]+ bytes were dropped\)"
dv_stop "$DISK" 15; check_eq "disk: clean shutdown" "$?" 0
check "disk: the writer was stopped" dv_has disk "stopped: writer \(terminated by SIGTERM\)"
umount -l "$FULL" 2>/dev/null

t_done
