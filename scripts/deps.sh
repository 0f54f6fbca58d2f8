#!/bin/sh
# Installs the Debian packages drover needs that are missing.
#   scripts/deps.sh build   what building drover needs
#   scripts/deps.sh test    that, plus what the test suite runs against
set -eu
build="gcc make libc6-dev libyaml-dev musl-tools pkg-config"
test="$build sudo clang libclang-rt-14-dev openssh-server openssh-client ansible-core ansible python3 python3-jinja2 procps time supervisor cron git curl openssl dpkg-dev python3-apt zip unzip bzip2 xz-utils"
case "${1:-build}" in
	build) want=$build ;;
	test) want=$test ;;
	*) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# Packages such as supervisor would start their service on install; the
# tests start their own daemons, so services stay down while installing.
policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	trap '$SUDO rm -f "$policy"' EXIT
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" > /dev/null
	$SUDO chmod 755 "$policy"
fi
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
