# Real OpenSSH servers on loopback for end-to-end tests (sourced after lib.sh; POSIX sh).
#
#   sshd_start N           start sshd listening on 127.0.1.1 ... 127.0.1.N (hosts h1 ... hN),
#                          at most 16 addresses per sshd process, each process on its own free
#                          port; returns non-zero (with a diagnostic) when a server cannot start
#   sshd_proxy_config NAME [ENV]
#                          add `Host NAME` to the ssh_config, reached with no TCP at all through
#                          `ProxyCommand sshd -i` (the OpenSSH regression-suite trick); ENV, when
#                          given, replaces the sessions' environment (sshd_config SetEnv words,
#                          default HOME=$SSHD_HOME)
#   sshd_proxy_ns NAME ENV SETUP
#                          the same, but the server runs in a private mount namespace
#                          (unshare -m) with an empty tmpfs on /tmp ($T_TMP stays visible) after
#                          running the shell commands SETUP there: mounts that only this host's
#                          sessions see (a read-only home, a noexec /tmp) and /tmp files that
#                          vanish with the connection; needs CAP_SYS_ADMIN (sshd_ns_usable)
#   sshd_ns_usable         true when sshd_proxy_ns can work here (else say why on stdout)
#   sshd_proxy_nsenter NAME ENV PID FLAGS
#                          the same as sshd_proxy_config NAME ENV, but every connection's server
#                          enters the namespaces of process PID (nsenter -t PID FLAGS, e.g. "-m -u"):
#                          state such as mounts or the hostname then lasts from one connection
#                          to the next, as on a real host, but stays in namespaces the test owns
#   sshd_session_pids [I]  pids of the server-side per-connection sshd processes (all of them,
#                          or only those of connections to 127.0.1.I), one a line; kill -STOP
#                          them all to freeze a connection
#   sshd_procs             "PID COMM" of every process under the servers: sessions and the
#                          commands they run (a session listed by sshd_session_pids may not
#                          have authenticated yet; its command shows up here once it runs)
#   sshd_port I            the port host hI listens on
#   sshd_ansible CMD...    runs CMD (ansible, ansible-playbook) set up to reach the same hosts
#                          with the same key and known_hosts
#   sshd_stop              kills every session and server (also done on exit)
#
# Files, all under $T_TMP (removed on exit):
#   $SSHD_SSH_CONFIG   ssh -F file: `Host hI 127.0.1.I` entries (HostName, Port), and for every
#                      host the user, the client key, known_hosts, StrictHostKeyChecking yes,
#                      BatchMode yes
#   $SSHD_INVENTORY    INI inventory, group `lab`: `hI ansible_host=127.0.1.I ansible_port=PORT`
#   $SSHD_KNOWN_HOSTS  pre-filled with the host key for every [127.0.1.I]:PORT
#   $SSHD_ANSIBLE_CFG  ansible.cfg using all of the above; $SSHD_ANSIBLE_ENV is the one
#                      word to put before a command (`env $SSHD_ANSIBLE_ENV ansible ...`);
#                      $SSHD_ANSIBLE_SSH_ARGS is its ssh_args for those who set ANSIBLE_SSH_ARGS
#   $SSHD_HOME         the HOME of every session (see below)
#   $SSHD_DIR/*.log    one sshd log per server (LogLevel VERBOSE)
# Set before sshd_start:
#   $SSHD_ENV          the sessions' environment (SetEnv words; default HOME=$SSHD_HOME)
#
# Sessions log in as the current user with the generated key. Their HOME is an empty
# directory (sshd_config SetEnv): bash started by sshd reads ~/.bashrc even for `bash -c`,
# and a real ~/.bashrc may cost a tenth of a second of CPU per command (pyenv init), which
# would swamp every measurement. Password authentication is enabled but no test account
# has a known password: root's is locked on these machines; with UsePAM no, sshd checks
# /etc/shadow itself, which is enough for a user given a password with chpasswd.

SSHD_BIN=${SSHD_BIN:-/usr/sbin/sshd}
SSHD_DIR=$T_TMP/sshd
SSHD_HOME=$T_TMP/home
SSHD_KEY=$T_TMP/id_ed25519
SSHD_HOSTKEY=$SSHD_DIR/ssh_host_ed25519_key
SSHD_AUTHKEYS=$SSHD_DIR/authorized_keys
SSHD_SSH_CONFIG=$T_TMP/ssh_config
SSHD_KNOWN_HOSTS=$T_TMP/known_hosts
SSHD_INVENTORY=$T_TMP/inventory.ini
SSHD_ANSIBLE_CFG=$T_TMP/ansible.cfg
SSHD_ANSIBLE_ENV="ANSIBLE_CONFIG=$SSHD_ANSIBLE_CFG"
SSHD_ANSIBLE_SSH_ARGS="-F $SSHD_SSH_CONFIG -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=$T_TMP/cp-%C"
SSHD_PER_PROC=16
SSHD_N=0
SSHD_PIDS=""
SSHD_PORTS=""

# Sessions outlive their listener (sshd's per-connection children are their own session
# leaders), so they are found through the listener and killed before lib.sh's t_cleanup.
trap 'sshd_stop; t_cleanup' EXIT
trap 'exit 1' INT TERM

# _sshd_prepare: keys, session HOME, the client side of the ssh_config; once per test.
_sshd_prepare() {
	[ -f "$SSHD_HOSTKEY" ] && return 0
	[ -x "$SSHD_BIN" ] || { diag "sshd: $SSHD_BIN missing (openssh-server)"; return 1; }
	mkdir -p "$SSHD_DIR" "$SSHD_HOME" || return 1
	# Privilege separation wants its empty chroot directory; systemd makes it, containers don't.
	if [ "$(id -u)" -eq 0 ] && [ ! -d /run/sshd ]; then
		mkdir -p -m 0755 /run/sshd || return 1
	fi
	ssh-keygen -q -t ed25519 -N '' -C drover-test-host -f "$SSHD_HOSTKEY" || return 1
	ssh-keygen -q -t ed25519 -N '' -C drover-test-client -f "$SSHD_KEY" || return 1
	cp "$SSHD_KEY.pub" "$SSHD_AUTHKEYS" || return 1
	: > "$SSHD_KNOWN_HOSTS"
	: > "$SSHD_INVENTORY"
	cat > "$SSHD_SSH_CONFIG" <<-EOF
	# Written by tests/e2e/sshd.sh. Settings for every host (first value wins, and the
	# per-host entries set only what is not set here).
	Host *
	  User $(id -un)
	  IdentityFile $SSHD_KEY
	  IdentitiesOnly yes
	  UserKnownHostsFile $SSHD_KNOWN_HOSTS
	  GlobalKnownHostsFile /dev/null
	  StrictHostKeyChecking yes
	  BatchMode yes
	  ConnectTimeout 10
	  LogLevel ERROR
	EOF
	cat > "$SSHD_ANSIBLE_CFG" <<-EOF
	[defaults]
	inventory = $SSHD_INVENTORY
	host_key_checking = True
	interpreter_python = /usr/bin/python3
	forks = 100
	localhost_warning = False
	deprecation_warnings = False
	retry_files_enabled = False
	[ssh_connection]
	ssh_args = $SSHD_ANSIBLE_SSH_ARGS
	EOF
}

# _sshd_server_config FILE [ENV]: the settings every server shares (SetEnv ENV, default
# $SSHD_ENV or the empty HOME); ListenAddress lines follow. sshd keeps only the first SetEnv.
_sshd_server_config() {
	cat > "$1" <<-EOF
	# Written by tests/e2e/sshd.sh
	HostKey $SSHD_HOSTKEY
	AuthorizedKeysFile $SSHD_AUTHKEYS
	StrictModes no
	PubkeyAuthentication yes
	PasswordAuthentication yes
	KbdInteractiveAuthentication no
	PermitRootLogin yes
	UsePAM no
	MaxStartups 1000:30:1000
	MaxSessions 1000
	MaxAuthTries 10
	LoginGraceTime 30
	PermitUserRC no
	PermitUserEnvironment no
	PrintMotd no
	PrintLastLog no
	X11Forwarding no
	UseDNS no
	Subsystem sftp internal-sftp
	SetEnv ${2:-${SSHD_ENV:-HOME=$SSHD_HOME}}
	LogLevel VERBOSE
	EOF
}

# _sshd_free_port ADDR: a TCP port free on ADDR right now (the kernel's pick).
_sshd_free_port() {
	python3 -c 'import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])' "$1"
}

# _sshd_settled PID LOG WANT: true once the server listens on WANT addresses, or failed.
_sshd_settled() {
	[ "$(grep -c 'Server listening on' "$2" 2>/dev/null)" -ge "$3" ] && return 0
	grep -q -e 'Bind to port' -e 'fatal' -e 'Cannot bind' "$2" 2>/dev/null && return 0
	[ -d "/proc/$1" ] || return 0
	case "$(cat "/proc/$1/stat" 2>/dev/null)" in *") Z "*) return 0 ;; esac
	return 1
}

# _sshd_start_proc K FIRST LAST: server K for 127.0.1.FIRST ... 127.0.1.LAST; sets its port.
_sshd_start_proc() {
	local k=$1 first=$2 last=$3 cfg log want try port i pid
	cfg=$SSHD_DIR/sshd_config.$k
	log=$SSHD_DIR/sshd.$k.log
	want=$((last - first + 1))
	try=0
	while [ "$try" -lt 5 ]; do
		try=$((try + 1))
		port=$(_sshd_free_port "127.0.1.$first") || return 1
		_sshd_server_config "$cfg"
		echo "PidFile $SSHD_DIR/sshd.$k.pid" >> "$cfg"
		i=$first
		while [ "$i" -le "$last" ]; do
			echo "ListenAddress 127.0.1.$i:$port" >> "$cfg"
			i=$((i + 1))
		done
		: > "$log"
		"$SSHD_BIN" -D -f "$cfg" -E "$log" &
		pid=$!
		track_pid "$pid"
		wait_for 20 _sshd_settled "$pid" "$log" "$want"
		if [ "$(grep -c 'Server listening on' "$log")" -ge "$want" ] &&
		   ! grep -q -e 'Bind to port' -e 'fatal' "$log" && [ -d "/proc/$pid" ]; then
			SSHD_PIDS="$SSHD_PIDS $pid"
			SSHD_PORTS="$SSHD_PORTS $port"
			return 0
		fi
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if ! grep -q 'Bind to port' "$log"; then
			diag "sshd $k did not start:"; diag "$(tail -n 5 "$log")"
			return 1
		fi
		# Someone took the port between our pick and sshd's bind: pick another.
	done
	diag "sshd $k: no free port after $try tries"
	return 1
}

# sshd_port I: the port of host hI.
sshd_port() {
	echo "$SSHD_PORTS" | awk -v k=$(( ($1 - 1) / SSHD_PER_PROC + 1 )) '{ print $k }'
}

sshd_start() {
	local n=$1 hostkey k first last i p
	[ "$SSHD_N" -eq 0 ] || { diag "sshd_start: already running (sshd_stop first)"; return 1; }
	[ "$n" -ge 1 ] && [ "$n" -le 254 ] || { diag "sshd_start: 1 to 254 hosts"; return 1; }
	_sshd_prepare || return 1
	hostkey=$(cut -d' ' -f1,2 "$SSHD_HOSTKEY.pub")
	k=0 first=1
	while [ "$first" -le "$n" ]; do
		k=$((k + 1))
		last=$((first + SSHD_PER_PROC - 1))
		[ "$last" -gt "$n" ] && last=$n
		_sshd_start_proc "$k" "$first" "$last" || { sshd_stop; return 1; }
		first=$((last + 1))
	done
	SSHD_N=$n
	# Hosts are matched by name and by address: floor.sh and Ansible connect to the address.
	sed -i '/^# hosts of sshd_start$/,$d' "$SSHD_SSH_CONFIG"
	echo "# hosts of sshd_start" >> "$SSHD_SSH_CONFIG"
	: > "$SSHD_KNOWN_HOSTS.tcp"
	echo "[lab]" > "$SSHD_INVENTORY"
	i=1
	while [ "$i" -le "$n" ]; do
		p=$(sshd_port "$i")
		printf 'Host h%d 127.0.1.%d\n  HostName 127.0.1.%d\n  Port %d\n' \
			"$i" "$i" "$i" "$p" >> "$SSHD_SSH_CONFIG"
		echo "[127.0.1.$i]:$p $hostkey" >> "$SSHD_KNOWN_HOSTS.tcp"
		echo "h$i ansible_host=127.0.1.$i ansible_port=$p" >> "$SSHD_INVENTORY"
		i=$((i + 1))
	done
	_sshd_known_hosts
}

# _sshd_known_hosts: known_hosts = the TCP hosts' entries plus the proxy hosts' ones.
_sshd_known_hosts() {
	cat "$SSHD_KNOWN_HOSTS.tcp" "$SSHD_KNOWN_HOSTS.proxy" > "$SSHD_KNOWN_HOSTS" 2>/dev/null
	return 0
}

sshd_proxy_config() {
	local name=$1 cfg
	_sshd_prepare || return 1
	if [ $# -ge 2 ]; then
		cfg=$SSHD_DIR/sshd_config.proxy.$name
		_sshd_server_config "$cfg" "$2"
	else
		cfg=$SSHD_DIR/sshd_config.proxy
		[ -f "$cfg" ] || _sshd_server_config "$cfg"
	fi
	_sshd_proxy_host "$name" "$SSHD_BIN -i -f $cfg -E $SSHD_DIR/sshd.proxy.$name.log"
}

sshd_ns_usable() {
	if ! command -v unshare >/dev/null; then echo "no unshare(1)"; return 1; fi
	if ! unshare -m --propagation private sh -c \
		'mount -t tmpfs -o size=1m tmpfs /mnt && mount -o remount,ro,noexec /mnt' 2>/dev/null; then
		echo "no private mount namespaces here (unshare -m and mount need CAP_SYS_ADMIN)"
		return 1
	fi
	return 0
}

sshd_proxy_ns() {
	local name=$1 cfg script
	_sshd_prepare || return 1
	cfg=$SSHD_DIR/sshd_config.proxy.$name
	_sshd_server_config "$cfg" "$2"
	script=$SSHD_DIR/ns.$name.sh
	# /mnt holds $T_TMP while the new /tmp is mounted, then $T_TMP is bound back in place, so
	# the server's config, keys and logs stay where every other process sees them.
	cat > "$script" <<-EOF
	set -e
	mount --bind $T_TMP /mnt
	mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp
	mkdir -p $T_TMP
	mount --bind /mnt $T_TMP
	umount /mnt
	$3
	exec $SSHD_BIN -i -f $cfg -E $SSHD_DIR/sshd.proxy.$name.log
	EOF
	_sshd_proxy_host "$name" "unshare -m --propagation private /bin/sh $script"
}

sshd_proxy_nsenter() {
	local name=$1 cfg
	_sshd_prepare || return 1
	cfg=$SSHD_DIR/sshd_config.proxy.$name
	_sshd_server_config "$cfg" "$2"
	_sshd_proxy_host "$name" "nsenter -t $3 $4 $SSHD_BIN -i -f $cfg -E $SSHD_DIR/sshd.proxy.$name.log"
}

# _sshd_proxy_host NAME COMMAND: the ssh_config entry and known_hosts line of a proxy host.
_sshd_proxy_host() {
	local name=$1
	cat >> "$SSHD_SSH_CONFIG" <<-EOF
	# proxy host of sshd_proxy_config (ahead of the TCP hosts, which sshd_start rewrites)
	Host $name
	  HostKeyAlias $name
	  ProxyCommand $2
	EOF
	# Keep proxy entries ahead of the part sshd_start rewrites.
	if grep -q '^# hosts of sshd_start$' "$SSHD_SSH_CONFIG"; then
		awk '/^# hosts of sshd_start$/ { t = 1 } /^# proxy host of/ { t = 0 }
			{ if (t) tail = tail $0 "\n"; else print } END { printf "%s", tail }' \
			"$SSHD_SSH_CONFIG" > "$SSHD_SSH_CONFIG.new" &&
			mv "$SSHD_SSH_CONFIG.new" "$SSHD_SSH_CONFIG"
	fi
	echo "$name $(cut -d' ' -f1,2 "$SSHD_HOSTKEY.pub")" >> "$SSHD_KNOWN_HOSTS.proxy"
	_sshd_known_hosts
}

# _sshd_tree ROOTS...: every process below ROOTS as "pid depth comm" lines (ROOTS excluded).
_sshd_tree() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v roots="$*" '
	{
		pid = $1; rest = $0
		sub(/^.*\) /, "", rest)          # comm may hold spaces and parentheses
		split(rest, f, " ")
		comm = $0; sub(/^[0-9]+ \(/, "", comm); sub(/\) [^)]*$/, "", comm)
		ppid[pid] = f[2]; name[pid] = comm; all[++n] = pid
	}
	END {
		nr = split(roots, r, " ")
		for (i = 1; i <= nr; i++) depth[r[i]] = 0
		# Parents may come after children in /proc order: iterate to a fixed point.
		do {
			grew = 0
			for (i = 1; i <= n; i++) {
				p = all[i]
				if (!(p in depth) && (ppid[p] in depth)) { depth[p] = depth[ppid[p]] + 1; grew = 1 }
			}
		} while (grew)
		for (i = 1; i <= n; i++) {
			p = all[i]
			if ((p in depth) && depth[p] > 0) print p, depth[p], name[p]
		}
	}'
}

# _sshd_conn_inodes I: socket inodes of established connections to 127.0.1.I.
_sshd_conn_inodes() {
	awk -v a="$(printf '%02X01007F' "$1")" \
		'NR > 1 && $4 == "01" && substr($2, 1, 8) == a { print $10 }' /proc/net/tcp
}

sshd_session_pids() {
	[ -n "$SSHD_PIDS" ] || return 0
	if [ $# -eq 0 ]; then
		_sshd_tree $SSHD_PIDS | awk '$3 ~ /^sshd/ { print $1 }'
		return 0
	fi
	local inodes roots p fd l ino
	inodes=" $(_sshd_conn_inodes "$1" | tr '\n' ' ') "
	roots=""
	for p in $(_sshd_tree $SSHD_PIDS | awk '$2 == 1 { print $1 }'); do
		for fd in /proc/"$p"/fd/*; do
			l=$(readlink "$fd" 2>/dev/null) || continue
			case "$l" in socket:\[*\]) ;; *) continue ;; esac
			ino=${l#socket:[}; ino=${ino%]}
			case "$inodes" in *" $ino "*) roots="$roots $p"; break ;; esac
		done
	done
	[ -n "$roots" ] || return 0
	for p in $roots; do echo "$p"; done
	_sshd_tree $roots | awk '$3 ~ /^sshd/ { print $1 }'
}

sshd_procs() {
	[ -n "$SSHD_PIDS" ] || return 0
	_sshd_tree $SSHD_PIDS | awk '{ print $1, $3 }'
}

# sshd_ansible CMD...: CMD with ANSIBLE_CONFIG pointing at the harness' ansible.cfg.
sshd_ansible() {
	env ANSIBLE_CONFIG="$SSHD_ANSIBLE_CFG" ANSIBLE_NOCOLOR=1 "$@"
}

sshd_stop() {
	local p keep
	[ -n "$SSHD_PIDS" ] || { SSHD_N=0; return 0; }
	# A stopped listener accepts no new connection while its sessions (and what they run)
	# are killed; they must go first, while the listener still ties them to us.
	for p in $SSHD_PIDS; do kill -STOP "$p" 2>/dev/null; done
	for p in $(_sshd_tree $SSHD_PIDS | awk '{ print $1 }'); do kill -9 "$p" 2>/dev/null; done
	for p in $SSHD_PIDS; do kill -9 "$p" 2>/dev/null; done
	for p in $SSHD_PIDS; do wait "$p" 2>/dev/null; done
	keep=""
	for p in $T_PIDS; do
		case " $SSHD_PIDS " in *" $p "*) ;; *) keep="$keep $p" ;; esac
	done
	T_PIDS=$keep
	SSHD_PIDS="" SSHD_PORTS="" SSHD_N=0
	return 0
}
