#!/bin/sh
# drover config dump against ansible-config dump: for the settings drover
# knows, the same names, values and origins, from the same ansible.cfg and
# ANSIBLE_* variables; the same choice of file (ANSIBLE_CONFIG, ./ansible.cfg
# unless the directory is world-writable, ~/.ansible.cfg, /etc); exit status 5
# for the same bad inputs. Every command runs in a clean environment whose
# HOME is the password database's, because drover takes the home from there
# whatever HOME says (checked last, with HOME unset).
. "$(dirname "$0")/lib.sh"

if ! command -v ansible-config >/dev/null 2>&1; then
	skip "ansible-config dump comparison" "ansible-config is not installed"
	t_done
	exit
fi
if [ ! -x "$DROVER" ]; then
	not_ok "drover binary at $DROVER"
	t_done
	exit
fi

PWHOME=$(getent passwd "$(id -u)" | cut -d: -f6)
clean() { env -i PATH="$PATH" HOME="$PWHOME" LC_ALL=C.UTF-8 "$@"; }

mkdir -p "$T_TMP/work" "$T_TMP/conf" "$T_TMP/proj" "$T_TMP/open" "$T_TMP/dir"

# The names drover knows, as two alternations for grep -E: base settings
# (with CONFIG_FILE) and the ssh connection's options.
all=$(cd "$T_TMP/work" && clean "$DROVER" config dump 2>/dev/null)
base_re=$(printf '%s\n' "$all" | awk '/^CONNECTION:/ { exit } /\(/ { sub(/\(.*/, ""); print }' | paste -sd'|')
ssh_re=$(printf '%s\n' "$all" | awk 'f && /\(/ { sub(/\(.*/, ""); print } /^ssh:/ { f = 1 }' | paste -sd'|')
check "drover knows some base settings and ssh options" \
	test -n "$base_re" -a -n "$ssh_re" -a "${base_re#*CONFIG_FILE}" != "$base_re"

# expected DIR FLAGS ENV...: ansible-config's dump, base then ssh, reduced to
# the names drover knows and laid out as `ansible-config dump -t all` does.
expected() {
	dir=$1 flags=$2
	shift 2
	base=$(cd "$dir" && clean "$@" ansible-config dump $flags 2>/dev/null | grep -E "^($base_re)\(")
	ssh=$(cd "$dir" && clean "$@" ansible-config dump $flags -t connection ssh 2>/dev/null |
		grep -E "^($ssh_re)\(")
	printf '%s\n' "$base"
	if [ -n "$ssh" ] || [ -z "$flags" ]; then
		printf '\nCONNECTION:\n==========\n\nssh:\n___\n%s\n' "$ssh"
	fi
}

# compare NAME DIR FLAGS ENV...
compare() {
	name=$1 dir=$2 flags=$3
	shift 3
	got=$(cd "$dir" && clean "$@" "$DROVER" config dump $flags 2>"$T_TMP/stderr")
	want=$(expected "$dir" "$flags" "$@")
	check_eq "$name" "$got" "$want"
}

cat > "$T_TMP/conf/ansible.cfg" <<'EOF'
# A bit of everything drover reads.
[DEFAULT]
become_user = fromdefault

[defaults]
inventory = hosts, ~/inv ,$HOME/a, ${HOME}/b, $DROVER_E2E_VAR/c, ${DROVER_E2E_UNSET}/d, /abs//x/./y/../z/
Forks = 17 ; an inline comment
remote_user = 'deploy'
host_key_checking = no
roles_path = roles: ~/r:{{CWD}}/cr
timeout = 33
private_key_file = keys/../keys/id
gathering = explicit
retry_files_enabled = yes
stdout_callback = yaml
nocolor = 1
log_path = ~/logs/ansible.log
module_name = shell
executable = "/bin/bash"
remote_port = 2222
hash_behaviour = merge
home = ~/ansible-home
verbosity = +2
vault_password_file = ~nosuchuser-drover/v
retry_files_save_path = //two//slashes/
error_on_undefined_vars = False
any_errors_fatal = t

[inventory]
host_pattern_mismatch = ignore

[ssh_connection]
ssh_args = -o ControlMaster=auto -o ControlPersist=30s
control_path_dir = $HOME/cpx
control_path = %(directory)s/%%h-%%r
retries = 3
pipelining = True
usetty = no
ssh_executable = /usr/bin/ssh
ssh_common_args = -o ProxyCommand='ssh -W %h:%p bastion'
ssh_extra_args = -v
host_key_checking = yes

[connection]
retries = 5

[privilege_escalation]
become = yes
become_method = su
EOF
ENV1="ANSIBLE_CONFIG=$T_TMP/conf/ansible.cfg DROVER_E2E_VAR=/var-value ANSIBLE_FORKS= ANSIBLE_TIMEOUT=40
ANSIBLE_SSH_TIMEOUT=44 NO_COLOR=0 ANSIBLE_STRATEGY=free ANSIBLE_DISPLAY_SKIPPED_HOSTS=off
ANSIBLE_PRIVATE_KEY_FILE=rel/key"
# shellcheck disable=SC2086
compare "ANSIBLE_CONFIG file, variables over it, --only-changed" "$T_TMP/work" --only-changed $ENV1 \
	ANSIBLE_BECOME_FLAGS="-H -S"

# ./ansible.cfg in a private directory is used.
printf '[defaults]\nforks = 3\ninventory = inv.ini\n[ssh_connection]\nretries = 1\n' > "$T_TMP/proj/ansible.cfg"
chmod 755 "$T_TMP/proj"
compare "./ansible.cfg" "$T_TMP/proj" --only-changed
got=$(cd "$T_TMP/proj" && clean "$DROVER" config dump --only-changed | grep '^CONFIG_FILE')
check_eq "./ansible.cfg is the file in use" "$got" "CONFIG_FILE() = $T_TMP/proj/ansible.cfg"

# ... but not in a world-writable one, and both say so.
cp "$T_TMP/proj/ansible.cfg" "$T_TMP/open/ansible.cfg"
chmod 777 "$T_TMP/open"
compare "world-writable directory: ./ansible.cfg ignored" "$T_TMP/open" --only-changed
check "drover warns about the world-writable directory" grep -q "world-writable" "$T_TMP/stderr"
got=$(cd "$T_TMP/open" && clean "$DROVER" config dump --only-changed 2>/dev/null | grep '^CONFIG_FILE')
check "the world-writable directory's file is not used" test "$got" != "CONFIG_FILE() = $T_TMP/open/ansible.cfg"
compare "world-writable directory: ANSIBLE_CONFIG may still name it" "$T_TMP/open" --only-changed \
	ANSIBLE_CONFIG="$T_TMP/open/ansible.cfg"

# ANSIBLE_CONFIG naming a directory; every setting, defaults included (the
# roles path follows ANSIBLE_HOME).
printf '[defaults]\nforks = 8\n' > "$T_TMP/dir/ansible.cfg"
compare "ANSIBLE_CONFIG directory, full dump" "$T_TMP/work" "" ANSIBLE_CONFIG="$T_TMP/dir" \
	ANSIBLE_HOME=/opt/ansible-home

# HOME unset: drover must give what Ansible gives with the right HOME.
got=$(cd "$T_TMP/work" && env -i PATH="$PATH" LC_ALL=C.UTF-8 $ENV1 "$DROVER" config dump --only-changed 2>&1)
# shellcheck disable=SC2086
want=$(cd "$T_TMP/work" && clean $ENV1 "$DROVER" config dump --only-changed 2>&1)
check_eq "HOME unset: ~ and \$HOME from the password database" "$got" "$want"
got=$(cd "$T_TMP/work" && env -i PATH="$PATH" HOME=/nonexistent LC_ALL=C.UTF-8 $ENV1 "$DROVER" config dump \
	--only-changed 2>&1)
check_eq "HOME lying: ~ and \$HOME from the password database" "$got" "$want"

# Bad inputs: both refuse them with status 5.
printf '[defaults]\nforks = many\n' > "$T_TMP/conf/badint.cfg"
printf '[defaults]\ngarbage\n' > "$T_TMP/conf/syntax.cfg"
printf '[defaults]\n' > "$T_TMP/conf/settings.conf"
for case in "ANSIBLE_CONFIG=$T_TMP/conf/badint.cfg" "ANSIBLE_CONFIG=$T_TMP/conf/syntax.cfg" \
	"ANSIBLE_CONFIG=$T_TMP/conf/settings.conf" "ANSIBLE_GATHERING=sometimes" "ANSIBLE_FORKS=x"; do
	(cd "$T_TMP/work" && clean "$case" ansible-config dump >/dev/null 2>&1)
	a=$?
	(cd "$T_TMP/work" && clean "$case" "$DROVER" config dump >/dev/null 2>"$T_TMP/stderr")
	d=$?
	check_eq "refused with status 5: $case" "$d/$a" "5/5"
done
(cd "$T_TMP/work" && clean ANSIBLE_CONFIG="$T_TMP/conf/syntax.cfg" "$DROVER" config dump >/dev/null 2>"$T_TMP/stderr")
check "the syntax error names file:line" grep -q "syntax.cfg:2:1: " "$T_TMP/stderr"

t_done
