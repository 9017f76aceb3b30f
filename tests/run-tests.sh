#!/usr/bin/env bash
# The test driver behind `make check`: each tests/run-*.sh suite in turn
# (unit tests, the seed's own dumps, golden replay of every trace, the same
# answers however the reading is split, KVM's counters, the fail corpus, the
# command line, output files, the OpenMetrics output read by Prometheus'
# parsers, interrupts, streaming memory, bulk files, DWARF, the tapsets, the
# lab's host-side tools, the benchmark's harness, make install and uninstall),
# each over tests/test-subr.sh and runnable alone.  Ends with "N passed, N
# failed" over all of them.
#   --update-golden  rewrite tests/traces/*/NAME.expected/ from the program
#                    (then read the diff before committing it)
set -u
cd "$(dirname "$0")/.."
SUITES="unit seed golden split counters fail cli output openmetrics interrupt stream top front bulk dwarf tapsets labtools bench-harness install"
if [ "${1:-}" = --update-golden ]; then
  UPDATE=1 tests/run-golden.sh
  exit $?
fi
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
for s in $SUITES; do
  KVMMMU_TEST_COUNTS=$counts tests/run-$s.sh
  rc=$?
  # a suite that dies before finish counts as a failure of its own
  grep -q "^run-$s.sh " "$counts" || { echo "FAIL tests/run-$s.sh ended without its counts (exit $rc)"; echo "run-$s.sh 0 1" >>"$counts"; }
done
awk '{ p += $2; f += $3 } END { printf "%d passed, %d failed\n", p, f; exit f > 0 }' "$counts"
