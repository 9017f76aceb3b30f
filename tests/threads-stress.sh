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
# top on a regular file, parsed by worker threads: one frame of every record.
for trace in tests/traces/7.2.13+deb14-amd64-guest-pti/zap_unsync.trace tests/traces/7.2.13+deb14-amd64/root_hpa.trace; do
  n=$(awk '$1 ~ /^(walk|step|load|switch|sync|free|vcpu_root|load_rate)$/' "$trace" | wc -l)
  for threads in 2 4; do
    KVMMMU_THREADS=$threads KVMMMU_CHUNK_BYTES=97 timeout 60 "$R" top --once "$trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
    if [ $rc = 0 ] && [ "$(grep -c '^kvmmmu-report top:' "$TMP/out")" = 1 ] && grep -q " $n records;" "$TMP/out"; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      echo "FAIL threads=$threads: top --once $trace (exit $rc, want one frame of $n records; 66 = data race)"
      grep -A12 'ThreadSanitizer' "$TMP/err" | head -30
    fi
  done
done
# top -f: its follower thread copies a growing file into the reader's pipe
# (the frame of every record, then SIGTERM; exit 143).
for trace in tests/traces/7.2.13+deb14-amd64/root_hpa.trace tests/traces/6.1.0-57-amd64-guest/zap_unsync.trace; do
  n=$(awk '$1 ~ /^(walk|step|load|switch|sync|free|vcpu_root|load_rate)$/' "$trace" | wc -l)
  head -n 1 "$trace" >"$TMP/growing"
  "$R" top --delay 0.2 -f "$TMP/growing" >"$TMP/out" 2>"$TMP/err" &
  pid=$!
  tail -n +2 "$trace" >>"$TMP/growing"
  for _ in $(seq 300); do grep -q " $n records;" "$TMP/out" && break; sleep 0.1; done
  kill -TERM $pid; wait $pid; rc=$?
  if [ $rc = 143 ] && grep -q " $n records;" "$TMP/out"; then pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL top -f $trace (exit $rc, want 143 with a frame of $n records; 66 = data race)"
    grep -A12 'ThreadSanitizer' "$TMP/err" | head -30
  fi
done
echo "check-threads: $pass passed, $fail failed"
[ "$fail" = 0 ]
