#!/usr/bin/env bash
# run-gen.sh: generated traces (gen-trace) through every command, for
# GEN_SECONDS, with the ASan+UBSan build.  Each command line must exit 0, 1,
# 2 or 64 with no sanitizer report, within GEN_TIMEOUT seconds, and give the
# same stdout, stderr and exit status
#   - through the full parser (KVMMMU_FASTPARSE=0) as through the fast path,
#   - in chunks of a few hundred bytes on worker threads as inline,
#   - from a pipe (-) as from the file, the input's name aside;
# and a number of 2^31 or more that the text report prints must be in its
# JSON report too, as the same digits (not wrapped to a negative number).
# Each failure is kept in $GEN_DIR/fail-SEED-N/ (trace, command, why); the
# same failure (first line of why) is shown once.
#   GEN_TRACE=build/fuzz/gen-trace KVMMMU_REPORT=build-asan/kvmmmu-report \
#   GEN_DIR=build/fuzz/gen GEN_SECONDS=30 [GEN_SEED=1] tests/fuzz/run-gen.sh
# Last line: "gen: N traces, N command lines, N runs, N failures (N distinct)".
set -uo pipefail
export LC_ALL=C
R=$KVMMMU_REPORT
dir=${GEN_DIR:-build/fuzz/gen}
seconds=${GEN_SECONDS:-30}
seed=${GEN_SEED:-1}
timeout=${GEN_TIMEOUT:-60}
rm -rf "$dir" && mkdir -p "$dir"
T=$dir/trace
# html's drawing libraries keep memory for the process's life (check-sanitize
# runs html the same way; valgrind checks its leaks with suppressions)
export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}abort_on_error=0
noleak="detect_leaks=0"

traces=0 lines=0 runs=0 failures=0
declare -A seen=()

# run NAME CMD...: stdout, stderr and the exit status into $dir/NAME.*
run() {
  local name=$1; shift
  runs=$((runs + 1))
  timeout "$timeout" "$@" >"$dir/$name.out" 2>"$dir/$name.err"
  echo $? >"$dir/$name.rc"
}

fail() { # why (first line: what is counted as one failure)
  local key=${1%%$'\n'*} keep=$dir/fail-$seed-$lines
  failures=$((failures + 1))
  mkdir -p "$keep"
  cp "$T" "$keep/trace"
  echo "$cmd" >"$keep/command"
  echo "$1" >"$keep/why"
  if [ -z "${seen[$key]:-}" ]; then
    seen[$key]=1
    echo "FAIL gen: $key"
    echo "  $R $cmd $keep/trace"
    printf '%s\n' "$1" | sed -n '2,6s/^/  /p'
  fi
}

same() { # A B what
  if ! cmp -s "$dir/$1.rc" "$dir/$2.rc" || ! cmp -s "$dir/$1.out" "$dir/$2.out" ||
     ! cmp -s "$dir/$1.err" "$dir/$2.err"; then
    fail "$(printf '%s: %s\n%s' "${cmd%% *}" "$3" \
      "$(diff <(cat "$dir/$1.rc" "$dir/$1.err" "$dir/$1.out") <(cat "$dir/$2.rc" "$dir/$2.err" "$dir/$2.out") | head -8)")"
  fi
}

# The input's name written as the reports write it: as is, quoted in JSON,
# escaped in HTML.
unname() { # file name
  sed -e "s|$2|IN|g" -e 's|<stdin>|IN|g' -e 's|&lt;stdin&gt;|IN|g' -e 's|; from -</p>|; from IN</p>|' "$1"
}

# Whole decimal numbers (not in a hex word, a fraction or a time like
# +1.5s), one a line: those of 2^31 or more, and the negative ones.
numbers() {
  grep -oE '(^|[^0-9A-Za-z.+_-])-?[0-9]+([^0-9A-Za-z.]|$)' "$1" | grep -oE -- '-?[0-9]+' |
    awk '{ v = $0; sub(/^-/, "", v); if (v != $0 || length(v) > 10 || v + 0 >= 2147483648) print }' |
    sort -u
}

end=$((SECONDS + seconds))
while [ $SECONDS -lt $end ]; do
  "$GEN_TRACE" "$seed" "$T" >"$dir/commands" || { echo "FAIL gen: gen-trace $seed"; failures=$((failures + 1)); break; }
  traces=$((traces + 1))
  while IFS= read -r cmd && [ $SECONDS -lt $end ]; do
    lines=$((lines + 1))
    read -ra args <<<"$cmd"
    env=()
    [ "${args[0]}" != html ] || env=(ASAN_OPTIONS="$ASAN_OPTIONS:$noleak")
    run base env "${env[@]}" "$R" "${args[@]}" "$T"
    rc=$(cat "$dir/base.rc")
    if grep -qE 'runtime error|AddressSanitizer|LeakSanitizer|Segmentation' "$dir/base.err"; then
      fail "$(grep -m1 -E 'runtime error|ERROR: [A-Za-z]*Sanitizer' "$dir/base.err" | sed 's/^==[0-9]*==//')
$(grep -m3 -E '^ +#[0-9]+ .* in kvmmmu_|SUMMARY' "$dir/base.err")"
      continue
    fi
    case $rc in
      0|1|2|64) ;;
      124) fail "${args[0]}: no answer within $timeout s"; continue ;;
      *) fail "${args[0]}: exit $rc: expected 0, 1, 2 or 64
$(tail -3 "$dir/base.err")"; continue ;;
    esac
    [ "$rc" != 64 ] || continue

    run full env "${env[@]}" KVMMMU_FASTPARSE=0 "$R" "${args[@]}" "$T"
    same base full "the full parser differs from the fast path"
    run threads env "${env[@]}" KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=$((64 + seed % 400)) "$R" "${args[@]}" "$T"
    same base threads "chunks on worker threads differ from one thread"
    run pipe env "${env[@]}" "$R" "${args[@]}" - < <(cat "$T")
    unname "$dir/base.out" "$T" >"$dir/base-n.out"; unname "$dir/base.err" "$T" >"$dir/base-n.err"
    unname "$dir/pipe.out" "$T" >"$dir/pipe-n.out"; unname "$dir/pipe.err" "$T" >"$dir/pipe-n.err"
    cp "$dir/base.rc" "$dir/base-n.rc"; cp "$dir/pipe.rc" "$dir/pipe-n.rc"
    same base-n pipe-n "a pipe differs from the file"

    # text against JSON: the big numbers the text prints
    case ${args[0]} in summary|roots|hist|check|walks) ;; *) continue ;; esac
    case " $cmd " in *" --format "*|*" --tree "*|*" --quiet "*) continue ;; esac
    run json env "${env[@]}" "$R" "${args[@]}" --format json "$T"
    # (the loss note heads text reports whose JSON leaves loss to summary;
    # a SystemTap histogram's empty rows around the others have no bucket
    # in the JSON; the note on values past a histogram's range names the
    # limit, a constant, where the JSON names the count alone)
    grep -v "^lost: " "$dir/base.out" | grep -vE '^ *[<>]?-?[0-9]+ \|[ @]* 0$' |
      sed 's/above 9223372036854775807 (2^63 - 1,/above 2^63 - 1 (/g' >"$dir/text.out"
    numbers "$dir/text.out" >"$dir/text.nums"
    # (the negative numbers JSON has by right, as the man page lists them:
    # ret, the one signed field of docs/record-format.md; -1 for "none" as a
    # walk page's idx and tree_parent; and, but for --abs-time, the time of
    # a record stamped before its capture's start)
    rel='"time_ns" *: *-[0-9]+'
    case " $cmd " in *" --abs-time "*) rel='"no such key"' ;; esac
    sed -E -e 's/"ret" *: *-[0-9]+//g' -e 's/"(idx|tree_parent)" *: *-1([, }]|$)/\2/g' -e "s/$rel//g" \
      "$dir/json.out" >"$dir/json-unsigned.out"
    numbers "$dir/json-unsigned.out" >"$dir/json.nums"
    # (hist's text shows empty buckets around the others, its JSON does not)
    missing=
    [ "${args[0]}" = hist ] ||
      missing=$(comm -23 <(grep -v '^-' "$dir/text.nums") "$dir/json.nums" | head -3 | tr '\n' ' ')
    negative=$(grep -E '^-' "$dir/json.nums" | grep -vxFf "$dir/text.nums" | head -3 | tr '\n' ' ')
    [ -z "$missing$negative" ] ||
      fail "${args[0]}: text and JSON numbers differ${missing:+; in the text, not the JSON: $missing}${negative:+; negative in the JSON only: $negative}"
  done <"$dir/commands"
  seed=$((seed + 1))
done
rm -f "$dir"/*.out "$dir"/*.err "$dir"/*.rc "$dir"/*.nums
echo "gen: $traces traces, $lines command lines, $runs runs, $failures failures (${#seen[@]} distinct)"
[ "$failures" = 0 ]
