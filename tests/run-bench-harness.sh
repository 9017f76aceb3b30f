#!/usr/bin/env bash
# make bench's harness on a 1 MB trace: what it writes, not how fast
. "$(dirname "$0")/test-subr.sh"

if [ -x "${BENCH_SCALE:-}" ] && [ -x "${BENCH_TIMED:-}" ]; then
  BENCH_ENV=(SCALE="$BENCH_SCALE" TIMED="$BENCH_TIMED" BENCH_SIZES=1 BENCH_RUNS=1 BENCH_CAPTURES=3 BENCH_WALKS=500
             BENCH_DATA="$TMP/bench" BENCH_RESULTS="$TMP/bench/results.md")
  env "${BENCH_ENV[@]}" KVMMMU_REPORT="$R" tests/bench/run-bench.sh >"$TMP/bench.out" 2>&1; rc=$?
  last=$(tail -n1 "$TMP/bench.out")
  rows=$(grep -c '^| 1 MB | \(wc\|summary\|hist\|roots\|walks\|awk\) |' "$TMP/bench/results.md" 2>/dev/null)
  if [ $rc = 0 ] && [ "$rows" = 6 ] &&
     [[ $last =~ ^bench:\ summary/wc=[0-9.]+\ hist/wc=[0-9.]+\ walks/wc=[0-9.]+\ awk/hist=[0-9.]+\ check/summary=[0-9.]+\ sparse/dense=[0-9.]+\ peak_rss_mib=[0-9]+$ ]] &&
     grep -q '^| 3 | check | [0-9.]* | check/summary [0-9.]* | \(met\|NOT met\) (<= 3) |$' "$TMP/bench/results.md" &&
     [ "$(grep -c '^| 500 | every other missing | \(summary\|walks\) | [0-9.]* | [0-9]* | sparse/dense [0-9.]* | \(met\|NOT met\) (<= 3) |$' "$TMP/bench/results.md")" = 2 ]
  then ok "bench: a row per command and the last line"
  else bad "bench: a row per command and the last line (exit $rc, $rows rows)" "$(cat "$TMP/bench.out" "$TMP/bench/results.md")"; fi
  # A report that fails stops the benchmark, named, rather than being timed.
  env "${BENCH_ENV[@]}" KVMMMU_REPORT=false tests/bench/run-bench.sh >"$TMP/bench.out" 2>&1; rc=$?
  if [ $rc = 1 ] && grep -q "^bench: 'false summary .*scaled-1MB.trace' exited with status 1$" "$TMP/bench.out"
  then ok "bench: a failing command stops it, named"
  else bad "bench: a failing command stops it, named (exit $rc)" "$(cat "$TMP/bench.out")"; fi
  # run-timed: seconds and peak KiB, and the command's own status.
  "$BENCH_TIMED" sh -c 'exit 3' >"$TMP/timed.out"; rc=$?
  [ $rc = 3 ] && grep -Eq '^[0-9]+\.[0-9]{6} [0-9]+$' "$TMP/timed.out" \
    && ok "run-timed: time, RSS and the exit status" || bad "run-timed: time, RSS and the exit status (exit $rc)" "$(cat "$TMP/timed.out")"
  "$BENCH_TIMED" sh -c 'kill -KILL $$' >/dev/null; rc=$?
  [ $rc = 137 ] && ok "run-timed: a killed command is 128 + its signal" || bad "run-timed: a killed command is 128 + its signal (exit $rc)"
else
  bad "bench harness not built (make check builds build/bench/scale-trace and run-timed)"
fi

finish
