#!/bin/sh
# The main job on an example that works out of the box: builds drover and runs
# ad-hoc tasks and a playbook through drover-worker against the example
# inventory's local hosts (the playbook writes under /tmp/drover-example/).
set -eu
cd "$(dirname "$0")/.."
sh scripts/deps.sh build
make -s -j"$(nproc 2>/dev/null || echo 2)"
set -x
build/drover run all -i examples/inventory.ini -m ping
build/drover run web -i examples/inventory.ini -m command -a 'uname -sr'
build/drover run all -i examples/inventory.ini -m shell -a 'echo "$(hostname) has $(nproc) cpus"' -o
build/drover playbook -i examples/inventory.ini examples/site.yml
