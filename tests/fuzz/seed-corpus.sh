#!/usr/bin/env bash
# seed-corpus.sh TARGET DIR MAX_LEN: the starting corpus of one fuzz target.
# Windows of every bundled and fail-corpus trace (its header, then lines up
# to MAX_LEN bytes, from the start, the middle and the end), each with some
# of the target's options on an "#args:" line (tests/fuzz/fuzz.h), the
# fail corpus's own options where they are the target's, and for check the
# capture's tracepoints and counters as parts.
set -euo pipefail
export LC_ALL=C
target=$1 dir=$2 max=${3:-4096}
mkdir -p "$dir"

case $target in
summary) args=("" "--format json" "--format csv" "--strict" "--quiet" "--cpu 0,1" "--time 0,0.5"
               "--abs-time --format json" "--vm 0" "--walk 1,2" "--vcpu 1 --format csv") ;;
walks) args=("" "--tree" "--tree --kernel-style" "--format json" "--format csv" "--format dot"
             "--sort steps --top 3" "--sort duration --format json" "--walk 2" "--abs-time --tree"
             "--sort leaves --top 1 --tree" "--cpu 1 --format json") ;;
roots) args=("" "--format json" "--format csv" "--sort loads --top 2" "--sort mean_load_ns"
             "--sort max_load_ns --format json" "--vcpu 0,1" "--sort prev_roots_miss --format csv"
             "--vm 0 --abs-time" "--time 200ms,") ;;
cache) args=("" "--format json" "--format csv" "--vcpu 0" "--vm 0 --format csv" "--strict") ;;
hist) args=("" "--latency" "--latency --format json" "--linear 0,100,10" "--linear -5,5,1 --format csv"
            "--event load_rate --format json" "--event walk --interval 1ms" "--event step --interval 100us"
            "--event switch" "--interval 1ns" "--log --format json" "--interval 10ms --format json"
            "--event load_rate --interval 2s" "--latency --linear 0,100000,5000 --format csv") ;;
check) args=("" "--format json" "--format csv" "--strict" "--quiet --format json") ;;
html) args=("" "--max-walks 1" "--max-walks 0" "--max-walks 2 --abs-time" "--vcpu 0") ;;
reader) args=("") ;;
*) echo "seed-corpus.sh: unknown target $target" >&2; exit 64 ;;
esac

# window FILE FIRST: the header and lines from FIRST on, at most max-1200
# bytes (room for the options and parts)
window() {
  awk -v first="$2" -v max=$((max - 1200)) '
    !head && /^kvmmmu / { head = 1; print; n += length($0) + 1; next }
    NR >= first { if (n + length($0) + 1 > max) exit; print; n += length($0) + 1 }' "$1"
}

seed() { # ARGS, then the trace text on stdin; named by its contents
  local a=$1
  { [ -z "$a" ] || echo "#args: $a"; cat; } > "$dir/.new"
  mv "$dir/.new" "$dir/seed-$(md5sum < "$dir/.new" | cut -c1-16)"
}
# part NAME FILE: a "#part:" section of the file's first lines
part() { echo "#part: $1"; head -c 500 "$2" | sed '$d'; }

i=0
for t in tests/traces/*/*.trace tests/fail/*.trace; do
  lines=$(wc -l < "$t")
  for first in 2 $((lines / 2)) $((lines > 20 ? lines - 20 : 2)); do
    a=${args[$((i % ${#args[@]}))]}; i=$((i + 1))
    b=${args[$((i * 7 % ${#args[@]}))]}
    window "$t" "$first" | seed "$a"
    [ "$b" = "$a" ] || window "$t" "$first" | seed "$b"
    if [ "$target" = check ]; then
      base=${t%.trace}
      [ ! -f "$base.tracepoints" ] || { window "$t" "$first"; part tp "$base.tracepoints"; } |
        seed "--tracepoints @tp"
      [ ! -f "$base.kvm-before" ] || { window "$t" "$first"; part before "$base.kvm-before";
        part after "$base.kvm-after"; } | seed "--kvm-before @before --kvm-after @after"
    fi
    [ "$lines" -gt 40 ] || break
  done
  # the fail corpus's own options, where they are this target's
  e=${t%.trace}.expect
  if [ -f "$e" ] && awk -v c="$target" '$1 == "args" && $2 == c { f = 1 } END { exit !f }' "$e"; then
    a=$(awk '$1 == "args" { $1 = ""; $2 = ""; print substr($0, 3) }' "$e")
    parts=()
    for w in $a; do [ -f "$w" ] && parts+=("$w"); done
    k=0
    for p in "${parts[@]}"; do a=${a//$p/@p$k}; k=$((k + 1)); done
    { window "$t" 2; k=0; for p in "${parts[@]}"; do part "p$k" "$p"; k=$((k + 1)); done; } | seed "$a"
  fi
done

# stap -b per-CPU files (tests/run-bulk.sh frames them the same way)
if [ "$target" = summary ] || [ "$target" = walks ]; then
  for magic in 0 1; do
    { perl -e '
        my ($magic) = @ARGV; my @l = <STDIN>; my @f = ("", ""); my $seq = 0;
        while (@l) {
          my $pdu = join "", splice(@l, 0, 1 + ($seq % 3)); $seq++;
          $f[$seq % 2] .= ($magic ? "\xf0\x9f\xa9\xba" : "") . pack("VV", $seq, length $pdu) . $pdu;
        }
        print "#part: b0\n$f[0]#part: b1\n$f[1]";' $magic < tests/traces/handmade/seed.trace
    } | head -c $((max - 100)) | seed "--bulk @b0 @b1"
  done
fi
ls "$dir" | wc -l
