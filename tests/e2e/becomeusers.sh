# Throw-away users and sudoers rules for become tests and benchmarks (sourced after lib.sh
# and sshd.sh; POSIX sh; needs root).
#
#   bu_add NAME PASSWORD   a user with a home and /bin/sh (sshd, UsePAM no, refuses even keys
#                          to a locked account: every user gets a password)
#   bu_sudoers < TEXT      installs TEXT as /etc/sudoers.d/drover-test-$$ (checked by visudo)
#   bu_open_keys           lets unprivileged sessions read sshd.sh's authorized keys
#   bu_cleanup             kills what the users left running (by pid), removes them, their
#                          homes and private worker directories, and the sudoers file
#   bu_usable              true when this can work here (else say why on stdout)
BU_USERS=""
BU_SUDOERS=/etc/sudoers.d/drover-test-$$

bu_usable() {
	[ "$(id -u)" -eq 0 ] || { echo "needs root"; return 1; }
	for c in sudo su useradd chpasswd visudo; do
		command -v "$c" >/dev/null || { echo "$c missing (scripts/deps.sh test)"; return 1; }
	done
}

bu_add() {
	useradd -m -s /bin/sh "$1" || return 1
	BU_USERS="$BU_USERS $1"
	printf '%s:%s\n' "$1" "$2" | chpasswd
}

bu_sudoers() {
	cat > "$BU_SUDOERS.tmp" && chmod 440 "$BU_SUDOERS.tmp" && visudo -cqf "$BU_SUDOERS.tmp" &&
		mv "$BU_SUDOERS.tmp" "$BU_SUDOERS"
}

bu_open_keys() {
	chmod 711 "$T_TMP" "$SSHD_DIR" && chmod 644 "$SSHD_AUTHKEYS"
}

bu_cleanup() {
	rm -f "$BU_SUDOERS" "$BU_SUDOERS.tmp"
	for u in $BU_USERS; do
		id "$u" >/dev/null 2>&1 || continue
		for p in $(ps -o pid= -u "$u" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
		rm -rf "/tmp/drover-$(id -u "$u")"
		# -f: a session's last process may still be dying.
		userdel -r -f "$u" >/dev/null 2>&1
	done
}
