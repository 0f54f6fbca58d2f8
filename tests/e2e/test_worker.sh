#!/bin/sh
# drover-worker end to end: the protocol (hello, requests, errors, version
# checks, end of stream) and the command, shell and ping modules, driven
# over pipes by a small Python client, with results compared against
# ansible-playbook's for the same tasks. See tests/e2e/worker_test.py.
. "$(dirname "$0")/lib.sh"
WORKER="$BUILD/drover-worker"
if [ ! -x "$WORKER" ]; then
	not_ok "drover-worker is built ($WORKER)"
	t_done
	exit 1
fi
cd "$T_TMP" || exit 1
python3 "$ROOT/tests/e2e/worker_test.py" "$WORKER" "$T_TMP"
