#!/bin/sh
# drover-worker's package, git, HTTP and waiting modules end to end, each
# step compared with ansible-playbook on a twin directory: uri and get_url
# against a local HTTP server, git against a local repository, wait_for on
# loopback ports and files, apt with .deb packages built here and served from
# a private file: repository. See tests/e2e/modules_net_test.py.
. "$(dirname "$0")/lib.sh"
WORKER="$BUILD/drover-worker"
if [ ! -x "$WORKER" ]; then
	not_ok "drover-worker is built ($WORKER)"
	t_done
	exit 1
fi
cd "$T_TMP" || exit 1
python3 "$ROOT/tests/e2e/modules_net_test.py" "$WORKER" "$T_TMP" ${NET_PARTS:-}
