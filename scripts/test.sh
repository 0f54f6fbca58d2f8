#!/bin/sh
# The whole test suite, from a fresh Debian 12 machine: installs what is
# missing, builds with gcc (static musl worker), checks the clang build is
# warning-free, builds the ASan+UBSan and libFuzzer variants, then runs every
# test against the release build and the unit and end-to-end tests again
# under the sanitizers. The last line is "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
sh scripts/deps.sh test || exit 1
jobs=$(nproc 2>/dev/null || echo 2)
make -s -j"$jobs" all || exit 1
make -s -j"$jobs" BUILD=build-clang CC=clang WORKER_CC=clang WORKER_LDFLAGS= all || exit 1
make -s -j"$jobs" asan || exit 1
make -s -j"$jobs" fuzz || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
out=$(mktemp)
BUILD=build sh tests/run.sh | tee "$out"
first=$(tail -n 1 "$out")
# The sanitizer pass leaves out the differential tests whose time goes to
# Ansible, Jinja2 or supervisord rather than to drover: the release pass
# runs them, and drover's side of them is covered under the sanitizers by
# the unit tests, the fuzzers and the other end-to-end tests.
# DROVER_TEST_NO_DIFF asks mixed tests to skip their Ansible half.
BUILD=build-asan FUZZ_SECONDS=0 DROVER_TEST_NO_DIFF=1 \
TEST_EXCLUDE="test_inventory test_list_hosts test_template_jinja test_template_cli test_ssh_ansible test_droverd_compare test_config test_playbook_list test_setup_facts test_playbook_diff test_ssh_many test_mod_ test_modules_users test_vars_prompt_tty" \
	sh tests/run.sh | sed 's/^\(ok  \|FAIL\) /\1 [asan] /' | tee "$out"
second=$(tail -n 1 "$out")
rm -f "$out"
# Add up both runs into the one closing line.
echo "$first
$second" | awk '{p += $1; f += $3; s += $5} END {printf "%d passed, %d failed, %d skipped\n", p, f, s; exit (f > 0)}'
