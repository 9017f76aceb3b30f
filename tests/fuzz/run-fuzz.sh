#!/usr/bin/env bash
# run-fuzz.sh: what `make fuzz` runs (mk/fuzz.mk sets the variables).
# Each libFuzzer target for FUZZ_SECONDS from its seeds (seed-corpus.sh),
# and the generator (run-gen.sh) as long, FUZZ_JOBS at a time; then the
# coverage build replays every final corpus and the line coverage of each
# file of src/model and src/render is shown.  A target passes when it found
# nothing; the coverage passes when no file of them is left at 0%.
# Last line: "fuzz: N passed, N failed".
set -uo pipefail
export LC_ALL=C
dir=$FUZZ_DIR
root=$PWD
seconds=$FUZZ_SECONDS
jobs=${FUZZ_JOBS:-2}
pass=0 fail=0

# html's drawing libraries keep memory for the process's life: leaks are
# checked in the other targets and by valgrind (check-sanitize).  Its
# inputs reach thousands of features each, and entropic scheduling keeps
# a frequency per feature of every corpus input it touches (a linear
# search per feature and input), a large share of its time
# (docs/fuzzing.md).
flags_of() {
  case $1 in
    html) echo "-detect_leaks=0 -entropic=0" ;;
  esac
}

fuzz_one() { # target: runs in its directory, log in log
  local t=$1 d=$dir/$t
  rm -rf "$d" && mkdir -p "$d/corpus"
  tests/fuzz/seed-corpus.sh "$t" "$d/corpus" "$FUZZ_MAX_LEN" >/dev/null
  # -reload=0: no other process writes a target's corpus, so libFuzzer's
  # rereading of it every second (for jobs that share one) is time lost.
  # shellcheck disable=SC2046
  (cd "$d" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    LSAN_OPTIONS=suppressions=$root/tests/fuzz/lsan.supp \
    "$root/$dir/bin/fuzz-$t" -max_total_time="$seconds" -max_len="$FUZZ_MAX_LEN" \
      -timeout=20 -rss_limit_mb=2048 -close_fd_mask=2 -print_final_stats=1 -reload=0 \
      -dict="$root/tests/fuzz/fuzz.dict" -artifact_prefix="$root/$d/" $(flags_of "$t") corpus \
      >log 2>&1
   echo $? >rc)
}

gen_one() {
  mkdir -p "$dir/gen"
  GEN_DIR=$dir/gen GEN_SECONDS=$seconds tests/fuzz/run-gen.sh >"$dir/gen.log" 2>&1
  echo $? >"$dir/gen.rc"
}

echo "fuzz: ${FUZZ_TARGETS// /, } and the generator, ${seconds} s each, $jobs at a time"
running=0
for t in $FUZZ_TARGETS gen; do
  if [ "$t" = gen ]; then gen_one & else fuzz_one "$t" & fi
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
done
wait

printf '%-8s %10s %9s %6s  %s\n' target executions "exec/s" corpus result
for t in $FUZZ_TARGETS; do
  d=$dir/$t
  rc=$(cat "$d/rc" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$d/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$d/log")
  units=$(find "$d/corpus" -type f | wc -l)
  if [ "$rc" = 0 ]; then
    result=ok; pass=$((pass + 1))
  else
    result="FAILED (exit $rc)"; fail=$((fail + 1))
  fi
  printf '%-8s %10s %9s %6s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "$units" "$result"
  if [ "$rc" != 0 ]; then
    grep -m1 -E 'ERROR: |runtime error|^fuzz: ' "$d/log" | sed 's/^/         /'
    ls "$d"/crash-* "$d"/leak-* "$d"/timeout-* "$d"/oom-* 2>/dev/null | head -3 | sed 's/^/         /'
  fi
done

# the generator
grep -E '^(FAIL gen|  )' "$dir/gen.log" | head -40
tail -1 "$dir/gen.log"
if [ "$(cat "$dir/gen.rc")" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi

# coverage: the final corpora replayed by the profile build, all merged
rm -f "$dir"/cov-*.profraw
for t in $FUZZ_TARGETS; do
  (cd "$dir/$t" && ASAN_OPTIONS=detect_leaks=0 LLVM_PROFILE_FILE="$root/$dir/cov-$t.profraw" \
    "$root/$dir/cov/fuzz-$t" -runs=0 -max_len="$FUZZ_MAX_LEN" -close_fd_mask=2 -detect_leaks=0 \
    corpus >cov.log 2>&1)
done
objects=()
for t in $FUZZ_TARGETS; do objects+=(-object "$dir/cov/fuzz-$t"); done
if "$FUZZ_PROFDATA" merge -sparse -o "$dir/cov.profdata" "$dir"/cov-*.profraw &&
   "$FUZZ_COV" report -instr-profile="$dir/cov.profdata" "${objects[@]:1}" \
     src/model/*.c src/render/*.c >"$dir/coverage.txt" 2>"$dir/coverage.err"; then
  # Filename Regions Missed Cover Functions Missed Executed Lines Missed Cover ...
  echo "coverage of the final corpora (llvm-cov, lines / functions):"
  # (llvm-cov leaves out the names' common src/)
  awk '/^(src\/)?(model|render)\// { printf "  %-28s %8s %8s\n", $1, $10, $7; if ($10 == "0.00%") zero = zero " " $1 }
       /^TOTAL/ { printf "  %-28s %8s %8s\n", "total", $10, $7 }
       END { if (zero) { print "fuzz: no target reaches" zero; exit 1 } }' "$dir/coverage.txt"
  rc=$?
  # A file no target links has no line in the report at all, as has one
  # without a function body of its own (model/error.c: a macro's).
  for f in src/model/*.c src/render/*.c; do
    grep -qE "^(src/)?${f#src/} " "$dir/coverage.txt" || ! grep -q '^{' "$f" ||
      { echo "fuzz: no target reaches $f"; rc=1; }
  done
  if [ "$rc" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
else
  echo "fuzz: the coverage report failed:"; head -5 "$dir/coverage.err"; fail=$((fail + 1))
fi
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
