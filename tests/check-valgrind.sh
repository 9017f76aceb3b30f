#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-valgrind.sh B UNIT_TEST... - the unit tests and every command under
# valgrind (make check-valgrind): errors and definite leaks fail; html with
# the leaks of its drawing libraries suppressed (tests/valgrind-libs.supp).
# The runs are independent and each is single-threaded under valgrind, so
# they go JOBS at a time (default: the CPUs).  Ends with "check-valgrind: N
# passed, N failed".
set -u
cd "$(dirname "$0")/.."
B=$1; shift
VALGRIND="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
JOBS=${JOBS:-$(nproc)}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# One command line a line: what to run under valgrind.
{
	for t in "$@"; do echo "env KVMMMU_RECORD_FORMAT_DOC=docs/record-format.md $VALGRIND $t"; done
	for trace in tests/traces/*/*.trace; do
		for c in "walks" "walks --tree" "walks --format json" "roots --format json" "hist" \
		         "hist --latency" "summary" "check" "top --once"; do
			echo "$VALGRIND $B/kvmmmu-report $c $trace"
		done
	done
	for trace in tests/fail/*.trace; do
		for c in "walks --tree" "roots" "hist" "check"; do echo "$VALGRIND $B/kvmmmu-report $c $trace"; done
	done
	for trace in tests/traces/*/zap_unsync.trace tests/fail/walk-open-at-end.trace; do
		echo "$VALGRIND --suppressions=tests/valgrind-libs.supp $B/kvmmmu-report-html html $trace"
	done
} >"$TMP/runs"

# run N: line N of the list; its verdict in $TMP/N.ok or $TMP/N.fail (with
# valgrind's first words).  A command's own exit status is its report's, not
# valgrind's: only 99 fails.
run() {
	local n=$1 cmd
	cmd=$(sed -n "${n}p" "$TMP/runs")
	# shellcheck disable=SC2086
	if $cmd >/dev/null 2>"$TMP/$n.err"; then rc=0; else rc=$?; fi
	if [ "$rc" = 99 ]; then { echo "FAIL valgrind $cmd"; head -30 "$TMP/$n.err"; } >"$TMP/$n.fail"
	else : >"$TMP/$n.ok"; fi
	rm -f "$TMP/$n.err"
}
export -f run
export TMP
seq "$(wc -l <"$TMP/runs")" | xargs -P "$JOBS" -I{} bash -c 'run {}'

pass=$(find "$TMP" -name '*.ok' | wc -l)
fail=$(find "$TMP" -name '*.fail' | wc -l)
[ "$fail" = 0 ] || cat "$TMP"/*.fail
[ $((pass + fail)) = "$(wc -l <"$TMP/runs")" ] || { echo "FAIL check-valgrind: $((pass + fail)) verdicts for $(wc -l <"$TMP/runs") runs"; fail=$((fail + 1)); }
echo "check-valgrind: $pass passed, $fail failed"
[ "$fail" = 0 ]
