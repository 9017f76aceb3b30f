#!/usr/bin/env bash
# make check-threads: the reader's worker threads under ThreadSanitizer.
# Every real trace, read with 1 to 4 workers and chunks from one line to
# 4 KiB, many times over: the report must equal the golden output, no run
# may hang (each has a time limit), and ThreadSanitizer must stay quiet.
# Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
R=${KVMMMU_REPORT:-build-tsan/kvmmmu-report}
ROUNDS=${ROUNDS:-3}
export KVMMMU_DEBUGINFO_DIRS=
unset DEBUGINFOD_URLS  # the built-in tables only, as make check
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0
for round in $(seq "$ROUNDS"); do
  for trace in tests/traces/*/*.trace; do
    exp=${trace%.trace}.expected
    trace_rc=0; [ -f "$exp/exit" ] && trace_rc=$(cat "$exp/exit")
    for threads in 1 2 4; do
      for chunk in 1 97 4096; do
        for r in "summary|summary" "walks|walks"; do
          name=${r%%|*} args=${r#*|}
          want_rc=$trace_rc; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
          KVMMMU_THREADS=$threads KVMMMU_CHUNK_BYTES=$chunk timeout 60 "$R" $args "$trace" \
            >"$TMP/out" 2>"$TMP/err"; rc=$?
          what="threads=$threads chunk=$chunk round $round: $name $trace"
          if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then
            pass=$((pass + 1))
          else
            fail=$((fail + 1))
            echo "FAIL $what (exit $rc, want $want_rc; 124 = hung, 66 = data race)"
            grep -A12 'ThreadSanitizer' "$TMP/err" | head -30
          fi
        done
      done
    done
  done
done
echo "check-threads: $pass passed, $fail failed"
[ "$fail" = 0 ]
