#!/usr/bin/env bash
# The test driver behind `make check`: unit tests, the seed's own dumps,
# golden replay of every trace, the fail corpus, the command line, streaming
# memory, and a parse of every tapset and script.  Ends with
# "N passed, N failed".
#   --update-golden  rewrite tests/traces/*/NAME.expected/ from the program
#                    (then read the diff before committing it)
set -u
cd "$(dirname "$0")/.."
R=${KVMMMU_REPORT:-build/kvmmmu-report}
UPDATE=0
[ "${1:-}" = --update-golden ] && UPDATE=1
# Reports decode role words with debuginfo found on the machine; expected
# outputs must not depend on what this machine has: built-in tables only.
export KVMMMU_DEBUGINFO_DIRS=
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

ok()   { pass=$((pass + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad()  { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' <<<"$2" | head -40; return 0; }

# "$1" appears in "$2" as consecutive whole lines
contains_block() {
  awk 'NR == FNR { want = want $0 "\n"; next } { got = got $0 "\n" }
       END { exit index("\n" got, "\n" want) ? 0 : 1 }' "$1" "$2"
}

# ---- unit tests (GLib g_test) ----
if [ "$UPDATE" = 0 ]; then
  for t in ${UNIT_TESTS:-}; do
    if out=$(KVMMMU_RECORD_FORMAT_DOC=docs/record-format.md "$t" 2>&1); then ok "$t"; else bad "$t" "$out"; fi
  done
fi

# ---- the seed's dumps, byte for byte, from the trace rebuilt from them ----
S=tests/traces/handmade
if [ "$UPDATE" = 0 ]; then
  "$R" walks $S/seed.trace >"$TMP/walks" 2>"$TMP/err"; rc=$?
  if [ $rc = 0 ] && cmp -s "$TMP/walks" tests/seed/walks.txt; then ok "seed: walks dump byte for byte"
  else bad "seed: walks dump byte for byte (exit $rc)" "$(diff "$TMP/walks" tests/seed/walks.txt; cat "$TMP/err")"; fi
  grep -q '^kvmmmu-report: walks: 1 checked, 0 not in depth-first order, 0 of 4 step paths wrong, 0 leaves not zapped$' "$TMP/err" \
    && ok "seed: walk verdict on stderr" || bad "seed: walk verdict on stderr" "$(cat "$TMP/err")"
  "$R" roots $S/seed.trace >"$TMP/roots" 2>&1
  for n in 1 2; do
    contains_block tests/seed/roots-$n.txt "$TMP/roots" && ok "seed: root_hpa table $n" \
      || bad "seed: root_hpa table $n" "$(cat "$TMP/roots")"
  done
  "$R" hist --linear 0,100,10 $S/seed.trace >"$TMP/idle" 2>&1
  contains_block tests/seed/hist-idle.txt "$TMP/idle" && ok "seed: idle histogram" || bad "seed: idle histogram" "$(cat "$TMP/idle")"
  "$R" hist --linear 0,100,10 $S/seed-busy.trace >"$TMP/busy" 2>&1
  contains_block tests/seed/hist-busy.txt "$TMP/busy" && ok "seed: busy histogram" || bad "seed: busy histogram" "$(cat "$TMP/busy")"
fi

# ---- golden replay: every trace, every report ----
REPORTS=(
  "walks|walks"
  "walks-tree|walks --tree"
  "walks-json|walks --format json"
  "walks-csv|walks --format csv"
  "walks-dot|walks --format dot"
  "roots|roots"
  "roots-json|roots --format json"
  "hist|hist --linear 0,100,10"
  "hist-log|hist"
  "hist-latency|hist --latency"
  "hist-json|hist --format json"
  "hist-latency-json|hist --latency --format json"
  "hist-latency-csv|hist --latency --format csv"
  "summary|summary"
  "summary-json|summary --format json"
  "check|check"
)
for trace in tests/traces/*/*.trace; do
  exp=${trace%.trace}.expected
  [ "$UPDATE" = 1 ] && mkdir -p "$exp"
  trace_rc=0; [ -f "$exp/exit" ] && trace_rc=$(cat "$exp/exit")
  for r in "${REPORTS[@]}"; do
    name=${r%%|*} args=${r#*|}
    # a report of another script's records (walks of a root_hpa capture)
    # says so and exits 1: NAME.exit holds a report's own exit status
    want_rc=$trace_rc; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
    # shellcheck disable=SC2086
    "$R" $args "$trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
    if [ "$UPDATE" = 1 ]; then
      cp "$TMP/out" "$exp/$name.txt"
      if [ "$rc" != "$trace_rc" ]; then echo "$rc" >"$exp/$name.exit"; else rm -f "$exp/$name.exit"; fi
      continue
    fi
    if [ ! -f "$exp/$name.txt" ]; then bad "golden $trace $name: no $exp/$name.txt (make golden-update)"; continue; fi
    if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then ok "golden $trace $name"
    else bad "golden $trace $name (exit $rc, want $want_rc)" "$(diff -u "$exp/$name.txt" "$TMP/out" | head -30; cat "$TMP/err")"; fi
  done
done
if [ "$UPDATE" = 1 ]; then echo "golden outputs rewritten: read 'git diff tests/traces' before committing"; exit 0; fi

# ---- the same answers however the reading is split ----
# Worker threads with one line per chunk (every boundary a chunk boundary),
# and every line through the full parser: the output must not change.
MODES=("KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=1" "KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=4096" "KVMMMU_FASTPARSE=0" "KVMMMU_MMAP=0 KVMMMU_THREADS=2 KVMMMU_CHUNK_BYTES=4096")
for trace in tests/traces/*/*.trace; do
  exp=${trace%.trace}.expected
  trace_rc=0; [ -f "$exp/exit" ] && trace_rc=$(cat "$exp/exit")
  for mode in "${MODES[@]}"; do
    for r in "walks|walks" "summary|summary" "hist-log|hist" "roots|roots" "check|check"; do
      name=${r%%|*} args=${r#*|}
      want_rc=$trace_rc; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
      # shellcheck disable=SC2086
      env $mode "$R" $args "$trace" >"$TMP/out" 2>"$TMP/err"; rc=$?
      if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then ok "split $mode: $trace $name"
      else bad "split $mode: $trace $name (exit $rc, want $want_rc)" "$(diff -u "$exp/$name.txt" "$TMP/out" | head -20; cat "$TMP/err")"; fi
    done
  done
done
for t in tests/fail/*.trace; do
  args=$(awk '$1=="args"{$1=""; print substr($0,2)}' "${t%.trace}.expect"); [ -n "$args" ] || args=summary
  # shellcheck disable=SC2086
  "$R" $args "$t" >"$TMP/want" 2>&1; want_rc=$?
  for mode in "${MODES[@]}"; do
    # shellcheck disable=SC2086
    env $mode "$R" $args "$t" >"$TMP/out" 2>&1; rc=$?
    if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$TMP/want"; then ok "split $mode: $t"
    else bad "split $mode: $t (exit $rc, want $want_rc)" "$(diff -u "$TMP/want" "$TMP/out" | head -20)"; fi
  done
done

# A pipe is read and parsed on the main thread, in the same chunks.
for trace in tests/traces/6.1.0-56-amd64/zap_unsync.trace tests/traces/6.12.117+deb12-amd64/root_hpa.trace; do
  exp=${trace%.trace}.expected
  for r in "walks|walks" "summary|summary"; do
    name=${r%%|*} args=${r#*|}
    # shellcheck disable=SC2086
    cat "$trace" | KVMMMU_CHUNK_BYTES=777 "$R" $args - >"$TMP/out" 2>"$TMP/err"; rc=$?
    want_rc=0; [ -f "$exp/$name.exit" ] && want_rc=$(cat "$exp/$name.exit")
    if [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$exp/$name.txt"; then ok "pipe: $trace $name"
    else bad "pipe: $trace $name (exit $rc, want $want_rc)" "$(diff -u "$exp/$name.txt" "$TMP/out" | head -20; cat "$TMP/err")"; fi
  done
done

# A regular file is mapped, not read: the same answer as read(2) when the
# file ends exactly at a page end (the fast path reads past a line, into
# the zero page after the file), with and without its last '\n', and when
# the file descriptor starts past the file's start.
src=tests/traces/6.1.0-56-amd64/zap_unsync.trace
head -c 8192 "$src" >"$TMP/page-cut.trace"
{ head -c 8191 "$src"; printf '\n'; } >"$TMP/page-nl.trace"
head -c 4096 "$src" | head -n -1 >"$TMP/page-pad.trace"
pad=$((4096 - $(stat -c %s "$TMP/page-pad.trace") - 1))
{ cat "$TMP/page-pad.trace"; printf '%*s\n' "$pad" x; } >"$TMP/page-pad2.trace"
for t in page-cut page-nl page-pad2; do
  for args in summary walks; do
    KVMMMU_MMAP=0 "$R" $args "$TMP/$t.trace" >"$TMP/want" 2>&1; want_rc=$?
    "$R" $args "$TMP/$t.trace" >"$TMP/out" 2>&1; rc=$?
    if [ "$(stat -c %s "$TMP/$t.trace")" -gt 4000 ] && [ "$rc" = "$want_rc" ] && cmp -s "$TMP/out" "$TMP/want"; then
      ok "mapped: $t ($(stat -c %s "$TMP/$t.trace") bytes) $args"
    else bad "mapped: $t $args (exit $rc, want $want_rc)" "$(diff -u "$TMP/want" "$TMP/out" | head -20)"; fi
  done
done
# From a descriptor already one line in (bash's read seeks back to the
# line's end): the header is not first, so both ways refuse the same way.
for mode in "KVMMMU_MMAP=0" "KVMMMU_MMAP=1"; do
  { read -r _; env $mode "$R" summary - ; } <"$src" >"$TMP/out-$mode" 2>&1; echo "exit $?" >>"$TMP/out-$mode"
done
if cmp -s "$TMP/out-KVMMMU_MMAP=0" "$TMP/out-KVMMMU_MMAP=1" && grep -q "expected 'kvmmmu 1" "$TMP/out-KVMMMU_MMAP=1" && grep -q "exit [1-9]" "$TMP/out-KVMMMU_MMAP=1"; then
  ok "mapped: from a descriptor one line in"
else bad "mapped: from a descriptor one line in" "$(diff -u "$TMP/out-KVMMMU_MMAP=0" "$TMP/out-KVMMMU_MMAP=1"; head -5 "$TMP/out-KVMMMU_MMAP=1")"; fi

# html runs in kvmmmu-report-html, next to kvmmmu-report: only it loads
# the drawing libraries.  Without it, html says what it could not run.
if ldd "$R" 2>/dev/null | grep -q 'libcairo\|libgvc'; then bad "html split: $R links the drawing libraries" "$(ldd "$R" | grep 'cairo\|gvc')"
else ok "html split: $R links no drawing library"; fi
# (Graphviz and fontconfig keep caches to the end: LeakSanitizer is told
# not to count them, as for the page tests below; valgrind checks html.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$R" html tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/page.html" 2>"$TMP/err"; rc=$?
if [ "$rc" = 0 ] && grep -q '<title>kvmmmu report: 6.1.0-56-amd64' "$TMP/page.html"; then ok "html split: kvmmmu-report html runs the page"
else bad "html split: kvmmmu-report html runs the page (exit $rc)" "$(cat "$TMP/err")"; fi
mkdir -p "$TMP/alone" && cp "$R" "$TMP/alone/kvmmmu-report"
"$TMP/alone/kvmmmu-report" html tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ "$rc" = 2 ] && [ ! -s "$TMP/out" ] && grep -q "^kvmmmu-report html: cannot run $TMP/alone/kvmmmu-report-html: No such file or directory$" "$TMP/err"; then
  ok "html split: a missing kvmmmu-report-html is named"
else bad "html split: a missing kvmmmu-report-html is named (exit $rc)" "$(cat "$TMP/err")"; fi

# ---- real captures against KVM's own counters, read around them in the lab ----
for trace in tests/traces/*/*.trace; do
  b=${trace%.trace}
  [ -f "$b.kvm-before" ] && [ -f "$b.kvm-after" ] || continue
  tp=; [ -f "$b.tracepoints" ] && tp=--tracepoints=$b.tracepoints
  "$R" check --kvm-before "$b.kvm-before" --kvm-after "$b.kvm-after" $tp "$trace" >"$TMP/out" 2>&1; rc=$?
  # A capture without walks has nothing to hold mmu_shadow_zapped to: said
  # as a failed check, not passed as an empty one.
  if ! head -n1 "$trace" | grep -q 'script=zap_unsync'; then
    if [ $rc = 1 ] && grep -q "^FAIL mmu_shadow_zapped: nothing to compare: no walk steps or zapped parents in the input (captures from script=" "$TMP/out" \
       && grep -q '^check: [0-9]* passed, 1 failed$' "$TMP/out"; then ok "counters $trace: nothing to compare, said"
    else bad "counters $trace: nothing to compare (exit $rc)" "$(cat "$TMP/out")"; fi
    continue
  fi
  if [ $rc = 0 ] && grep -q '^ok   mmu_shadow_zapped grew by' "$TMP/out" && grep -q '^check: [0-9]* passed, 0 failed$' "$TMP/out" \
     && { [ -z "$tp" ] || grep -q "^ok   roles agree with the kernel's kvm_mmu_prepare_zap_page: [1-9]" "$TMP/out"; }; then
    ok "counters $trace: $(grep '^ok   mmu_shadow_zapped' "$TMP/out" | cut -c6-)"
    [ -z "$tp" ] || ok "tracepoints $trace: $(grep "^ok   roles agree" "$TMP/out" | cut -c6-)"
  else bad "counters/tracepoints $trace (exit $rc)" "$(cat "$TMP/out")"; fi
done

# ---- the fail corpus: exit code and error text ----
# NAME.expect: "exit N", "args COMMAND [OPTION...]" (default summary),
# "stderr TEXT" / "stdout TEXT" lines that must each appear, and "count N
# TEXT": exactly N lines of stdout and stderr together hold TEXT (a fault
# reported once, not once per later line).
for t in tests/fail/*.trace; do
  e=${t%.trace}.expect
  [ -f "$e" ] || { bad "$t: no ${e##*/}"; continue; }
  want_rc=$(awk '$1=="exit"{print $2}' "$e")
  args=$(awk '$1=="args"{$1=""; print substr($0,2)}' "$e"); [ -n "$args" ] || args=summary
  # shellcheck disable=SC2086
  "$R" $args "$t" >"$TMP/out" 2>"$TMP/err"; rc=$?
  why=""
  [ "$rc" = "$want_rc" ] || why="exit $rc, want $want_rc"
  while IFS= read -r line; do
    case $line in
      "stderr "*) grep -qF -- "${line#stderr }" "$TMP/err" || why="$why; stderr lacks: ${line#stderr }" ;;
      "stdout "*) grep -qF -- "${line#stdout }" "$TMP/out" || why="$why; stdout lacks: ${line#stdout }" ;;
      "count "*) n=${line#count }; text=${n#* }; n=${n%% *}
                 got=$(cat "$TMP/out" "$TMP/err" | grep -cF -- "$text")
                 [ "$got" = "$n" ] || why="$why; $got lines hold '$text', want $n" ;;
    esac
  done <"$e"
  grep -q 'Segmentation\|AddressSanitizer\|core dumped' "$TMP/err" && why="$why; crashed"
  if [ -z "$why" ]; then ok "fail $t"; else bad "fail $t: $why" "$(cat "$TMP/err")"; fi
done

# ---- the command line ----
expect_cli() { # want_rc pattern args...
  local want=$1 pat=$2; shift 2
  "$R" "$@" >"$TMP/out" 2>&1; local rc=$?
  if [ "$rc" = "$want" ] && grep -qF -- "$pat" "$TMP/out"; then ok "cli $*"
  else bad "cli $* (exit $rc, want $want; want text: $pat)" "$(head -5 "$TMP/out")"; fi
}
expect_cli 0 "kvmmmu-report " --version
expect_cli 0 "Commands:" --help
# Each command's usage names it once, and --format offers only its formats.
for c in walks roots hist summary check html kernel-info; do
  "$R" $c --help >"$TMP/out" 2>&1
  if grep -qx "  kvmmmu-report $c \[OPTION…\] .*" "$TMP/out" && [ "$(grep -o "\b$c\b" "$TMP/out" | head -3 | wc -l)" -ge 1 ] \
     && [ "$(sed -n 2p "$TMP/out" | grep -o "\b$c\b" | wc -l)" = 1 ]; then ok "cli $c --help: its usage names it once"
  else bad "cli $c --help: its usage names it once" "$(head -3 "$TMP/out")"; fi
done
expect_cli 0 "Output format: text, json, csv or dot (default text)" walks --help
expect_cli 0 "Output format: text, json or csv (default text)" roots --help
"$R" html --help >"$TMP/out" 2>&1; ! grep -q -- "--format" "$TMP/out" && ok "cli html --help offers no --format" || bad "cli html --help offers no --format" "$(cat "$TMP/out")"
expect_cli 64 "unknown format 'dot': expected text, json or csv" summary --format dot $S/seed.trace
expect_cli 0 "--linear" hist --help
expect_cli 64 "unknown command 'frob'" frob
expect_cli 64 "Usage: kvmmmu-report COMMAND" 
expect_cli 64 "no input: give a trace file" walks
expect_cli 64 "unknown format 'xml'" summary --format xml $S/seed.trace
expect_cli 64 "bad --linear '1,2'" hist --linear 1,2 $S/seed.trace
expect_cli 64 "expected start < stop and step > 0" hist --linear 0,100,0 $S/seed.trace
expect_cli 64 "bad --interval 'soon'" hist --interval soon $S/seed.trace
expect_cli 64 "Cannot regroup load_rate counts" hist --interval 1500ms $S/seed.trace
expect_cli 2 "Cannot open trace: path=no-such.trace" summary no-such.trace
expect_cli 0 "10 intervals" hist --interval 1s $S/seed.trace
expect_cli 0 "5 intervals" hist --interval 2s $S/seed.trace
expect_cli 64 "--kvm-before and --kvm-after go together" check --kvm-before x $S/seed.trace
expect_cli 2 "Cannot read KVM counters" check --kvm-before no-such --kvm-after no-such $S/seed.trace
expect_cli 0 "ok,trailer,trailer: present" check --format csv $S/seed.trace
# A capture of another script says what it lacks, not zeros and exit 0.
expect_cli 1 "kvmmmu-report walks: no walk records in the input (captures from script=root_hpa): walks reads the walk records zap_unsync writes" \
  walks tests/traces/6.1.0-56-amd64/root_hpa.trace
expect_cli 1 "kvmmmu-report hist: no load records in the input (captures from script=zap_unsync): hist reads the load records root_hpa writes" \
  hist --latency tests/traces/6.1.0-56-amd64/zap_unsync.trace
expect_cli 1 "kvmmmu-report roots: no load, switch or vcpu_root records in the input (captures from script=zap_unsync): roots reads" \
  roots tests/traces/6.1.0-56-amd64/zap_unsync.trace
# walks --tree --kernel-style prints each role as the kernel's tracepoint
# does: the first pages drawn, looked up in the kernel's own printing of them
# taken beside the capture (root_count aside: not recorded).
for k in 6.1.0-56-amd64 7.2.13+deb14-amd64; do
  t=tests/traces/$k/zap_unsync.trace
  "$R" walks --tree --kernel-style "$t" 2>/dev/null | grep -m4 'kernel: ' >"$TMP/ks"
  n=0 found=0
  while IFS= read -r l; do
    gfn=$(sed -n 's/.* gfn \([0-9a-f]*\) role .*/\1/p' <<<"$l"); ks=$(sed -n 's/.*\[kernel: \(.*\)\].*/\1/p' <<<"$l")
    n=$((n + 1)); grep -qF "gfn $gfn ${ks% *} root 0 ${ks##* }" "${t%.trace}.tracepoints" && found=$((found + 1))
  done <"$TMP/ks"
  [ $n = 4 ] && [ $found = 4 ] && ok "cli walks --kernel-style $k: roles as the kernel printed them" \
    || bad "cli walks --kernel-style $k: $found of $n found in the tracepoints" "$(cat "$TMP/ks")"
done
expect_cli 64 "--kernel-style goes with --tree (text)" walks --kernel-style $S/seed.trace
# Walk ids start again in each capture: every machine row says which.
cat tests/traces/6.1.0-56-amd64/zap_unsync-fill.trace tests/traces/6.1.0-56-amd64/zap_unsync-fill.trace >"$TMP/two-fill.trace"
"$R" walks --format csv "$TMP/two-fill.trace" >"$TMP/out" 2>/dev/null
n1=$(grep -c '^1,1,' "$TMP/out"); n2=$(grep -c '^2,1,' "$TMP/out")
[ "$(head -n1 "$TMP/out" | cut -d, -f1-2)" = "capture,walk" ] && [ "$n1" -gt 0 ] && [ "$n1" = "$n2" ] \
  && ok "cli walks csv: a capture column, walk 1 of each capture apart" || bad "cli walks csv: capture column ($n1 vs $n2 rows)" "$(head -3 "$TMP/out")"
"$R" walks --format json "$TMP/two-fill.trace" 2>/dev/null | grep -o '"walk":1,"capture":[0-9]*' | sort -u >"$TMP/out"
[ "$(cat "$TMP/out" | tr '\n' ' ')" = '"walk":1,"capture":1 "walk":1,"capture":2 ' ] \
  && ok "cli walks json: each walk names its capture" || bad "cli walks json: each walk names its capture" "$(cat "$TMP/out")"
"$R" walks --tree "$TMP/two-fill.trace" 2>/dev/null | grep -q '^walk 1 (capture 2) at ' \
  && ok "cli walks --tree: a later capture's walks say which" || bad "cli walks --tree: a later capture's walks say which"
# Filters select what a report shows; the counts are checked against awk
# over the same trace.
T61=tests/traces/6.1.0-56-amd64
"$R" roots --vcpu 1 $T61/root_hpa.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 0 ] && grep -Eq '^vcpu\[1\] +[0-9]' "$TMP/out" && ! grep -Eq '^vcpu\[0\] +[0-9]' "$TMP/out" \
   && grep -q "^kvmmmu-report: --vcpu 1: [0-9]* records left out; loss and summary counts cover the whole input$" "$TMP/err"
then ok "cli filter --vcpu: one vCPU's roots, and what was left out said"
else bad "cli filter --vcpu (exit $rc)" "$(cat "$TMP/out" "$TMP/err" | head)"; fi
want=$(awk '$1 == "walk" && $3 == 0' $T61/zap_unsync.trace | wc -l)
"$R" walks --cpu 0 $T61/zap_unsync.trace 2>&1 >/dev/null | grep -q "^kvmmmu-report: walks: $want checked, 0 not in depth-first order" \
  && ok "cli filter --cpu 0: the $want walks written on CPU 0" || bad "cli filter --cpu 0: want $want walks"
"$R" walks --tree --walk 3,5 $T61/zap_unsync.trace >"$TMP/out" 2>&1
[ "$(grep -c '^walk ' "$TMP/out")" = 2 ] && grep -q '^walk 3 at ' "$TMP/out" && grep -q '^walk 5 at ' "$TMP/out" \
  && grep -q 'walks: 2 checked, 0 not in depth-first order, 0 of 6 step paths wrong, 0 leaves not zapped' "$TMP/out" \
  && ok "cli filter --walk 3,5: those walks with their steps" || bad "cli filter --walk 3,5" "$(grep -v '^ ' "$TMP/out")"
start=$(head -n1 $T61/root_hpa.trace | cut -d' ' -f5)
want=$(awk -v s="$start" '$1 == "load" && $2 >= s + 500000000 && $2 < s + 1000000000' $T61/root_hpa.trace | wc -l)
"$R" hist --latency --time 0.5,1 $T61/root_hpa.trace 2>/dev/null | grep -q "^count=$want " \
  && ok "cli filter --time 0.5,1: the $want loads in that second half" || bad "cli filter --time 0.5,1: want count=$want"
"$R" hist --latency --time "@$((start + 500000000)),1000ms" $T61/root_hpa.trace 2>/dev/null | grep -q "^count=$want " \
  && ok "cli filter --time @NS,1000ms: the same loads" || bad "cli filter --time @NS,1000ms: want count=$want"
kvm=$(awk '$1 == "load" { print $5; exit }' $T61/root_hpa.trace)
"$R" roots --vm 0 $T61/root_hpa.trace >"$TMP/a" 2>/dev/null; "$R" roots --vm "$kvm" $T61/root_hpa.trace >"$TMP/b" 2>/dev/null
grep -q '^vcpu\[0\] ' "$TMP/a" && cmp -s "$TMP/a" "$TMP/b" && ok "cli filter --vm: by index and by kvm pointer alike" || bad "cli filter --vm 0 vs $kvm" "$(diff "$TMP/a" "$TMP/b" | head)"
# --abs-time: the records' own clock, to line up with dmesg or tracefs.
ts=$(awk '$1 == "walk" { print $2; exit }' $T61/zap_unsync.trace)
want="walk 1 at ${ts:0:10}.${ts:10:6}s cpu"
"$R" walks --tree --abs-time $T61/zap_unsync.trace 2>/dev/null | grep -m1 '^walk ' | grep -qF "$want" \
  && ok "cli --abs-time: walk 1 at its record's own time" || bad "cli --abs-time: want '$want'" "$("$R" walks --tree --abs-time $T61/zap_unsync.trace 2>&1 | grep -m1 '^walk ')"
# roots --sort KEY --top N: largest first (6.1: vcpu[1]'s mean load is the larger)
"$R" roots --sort mean_load_ns --top 1 $T61/root_hpa.trace >"$TMP/out" 2>&1
grep -Eq '^vcpu\[1\] +[0-9]' "$TMP/out" && ! grep -Eq '^vcpu\[0\] +[0-9]' "$TMP/out" \
  && ok "cli roots --sort mean_load_ns --top 1: the slower vCPU alone" || bad "cli roots --sort --top" "$(sed -n 5,9p "$TMP/out")"
expect_cli 64 "bad --sort 'x'" roots --sort x $T61/root_hpa.trace
# walks --sort KEY --top N: the largest walks, ties to the earlier (awk
# finds the walks of the most pages in the fill capture)
want=$(awk '$1 == "walk" { n[$5] = $8 } END { m = 0; for (w in n) if (n[w] > m) m = n[w]; c = 0; for (w in n) if (n[w] == m) c++; print m, c }' $T61/zap_unsync-fill.trace)
"$R" walks --tree --sort pages --top 2 $T61/zap_unsync-fill.trace 2>/dev/null | grep '^walk ' >"$TMP/out"
[ "$(wc -l <"$TMP/out")" = 2 ] && [ "$(grep -c ": ${want% *} pages, " "$TMP/out")" = 2 ] && head -n1 "$TMP/out" | grep -q '^walk 1 at ' \
  && ok "cli walks --sort pages --top 2: two of the ${want#* } walks of ${want% *} pages, earliest first" \
  || bad "cli walks --sort pages --top 2 (want ${want% *} pages)" "$(cat "$TMP/out")"
expect_cli 64 "bad --sort 'size' or --top 0: expected pages, leaves, steps or duration" walks --sort size $S/seed.trace
expect_cli 64 "bad --time 'x': expected START,END" walks --time x $S/seed.trace
expect_cli 64 "bad --cpu '1,,2': expected comma-separated numbers" walks --cpu 1,,2 $S/seed.trace
# check JSON: each check an id, a result and the numbers it rests on
"$R" check --format json tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && tr -d ' \n' <"$TMP/out" | grep -qF '{"id":"walks_depth_first","result":"ok","what":"walksindepth-firstorder:168of168","numbers":{"walks":168,"not_depth_first":0}}' \
   && tr -d ' \n' <"$TMP/out" | grep -qF '{"id":"leaves_zapped","result":"ok","what":"leaveszapped:504of504","numbers":{"leaves":504,"leaves_not_zapped":0}}'
then ok "cli check json: ids, results and numbers"
else bad "cli check json: ids, results and numbers (exit $rc)" "$(head -30 "$TMP/out")"; fi
# stdin and several inputs
"$R" summary - <$S/seed.trace >"$TMP/out" 2>&1 && grep -q '^captures: 1$' "$TMP/out" && ok "cli summary from stdin" || bad "cli summary from stdin" "$(cat "$TMP/out")"
"$R" summary $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1 && grep -q '^captures: 2$' "$TMP/out" && ok "cli summary of two files" || bad "cli summary of two files" "$(cat "$TMP/out")"
"$R" hist --linear 0,100,10 $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1 && grep -q '20 intervals' "$TMP/out" && ok "cli hist of two captures" || bad "cli hist of two captures" "$(cat "$TMP/out")"
# Captures from two kernels and two scripts, then two in one file: each
# capture is said apart, totals are sums (spans without the gap between
# captures, trailers summed), CPUs the most in one capture.
A=tests/traces/6.1.0-56-amd64/zap_unsync.trace B=tests/traces/6.12.117+deb12-amd64/root_hpa.trace
span_of() { "$R" summary "$1" 2>/dev/null | awk '/^span:/ { sub(/s$/, "", $2); print $2 }'; }
want_span=$(awk -v a="$(span_of $A)" -v b="$(span_of $B)" 'BEGIN { printf "%.6f", a + b }')
"$R" summary $A $B >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qx 'kernel:   6.1.0-56-amd64, 6.12.117+deb12-amd64' "$TMP/out" \
   && grep -qx 'script:   zap_unsync, root_hpa' "$TMP/out" \
   && awk -v w="$want_span" '/^span:/ { sub(/s$/, "", $2); d = $2 - w; ok = (d < 0 ? -d : d) <= 2e-6 } END { exit !ok }' "$TMP/out" \
   && grep -q "^span: .* (the captures' spans summed)$" "$TMP/out" \
   && grep -qx 'cpus:     2 (the most in one capture)' "$TMP/out" \
   && grep -qx 'trailer:  hits 1030, records 1156, faults 0, skipped 43 (summed; 0 of 2 captures without one)' "$TMP/out" \
   && grep -qx "capture 1: $A (capture 1 of the file): kernel 6.1.0-56-amd64, host kvmmmu-lab, script zap_unsync" "$TMP/out" \
   && grep -qx "capture 2: $B (capture 1 of the file): kernel 6.12.117+deb12-amd64, host kvmmmu-lab, script root_hpa" "$TMP/out"
then ok "cli summary: captures of two kernels said apart, totals summed"
else bad "cli summary: captures of two kernels said apart, totals summed (exit $rc, span want $want_span)" "$(cat "$TMP/out")"; fi
cat $A $A >"$TMP/two.trace"
"$R" summary --format csv "$TMP/two.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qx '1,index_in_file,1' "$TMP/out" && grep -qx '2,index_in_file,2' "$TMP/out" \
   && grep -qx 'all,records_walk,336' "$TMP/out" && grep -qx '2,records_walk,168' "$TMP/out" \
   && grep -qx 'all,trailer_hits,1008' "$TMP/out" && grep -qx 'all,captures,2' "$TMP/out"
then ok "cli summary csv: a row set per capture of one file, and the totals"
else bad "cli summary csv: a row set per capture of one file (exit $rc)" "$(head -40 "$TMP/out")"; fi
# hist's JSON series: per-event intervals as runs (idle ones in one), one
# entry per capture
"$R" hist --interval 100ms --format json tests/traces/6.1.0-56-amd64/root_hpa.trace >"$TMP/out" 2>&1
tr -d ' \n' <"$TMP/out" | grep -qF '"runs":[{"start_ns":0,"intervals":3,"count":0},{"start_ns":300000000,"intervals":1,"count":43},{"start_ns":400000000,"intervals":1,"count":112},{"start_ns":500000000,"intervals":1,"count":7},{"start_ns":600000000,"intervals":6,"count":0}]' \
  && ok "cli hist json series of load records" || bad "cli hist json series of load records" "$(head -40 "$TMP/out")"
"$R" hist --format json $S/seed.trace $S/seed-busy.trace >"$TMP/out" 2>&1
[ "$(grep -c '"interval_ns" : 1000000000' "$TMP/out")" = 2 ] && grep -q '"series_left_out" : 0' "$TMP/out" \
  && ok "cli hist json series of two captures" || bad "cli hist json series of two captures" "$(head -40 "$TMP/out")"
# JSON is JSON
if command -v json-glib-validate >/dev/null; then
  # Every trace, the fail corpus too (stray bytes, odd names): the JSON is
  # our own writer's, so an independent parser reads all of it.
  for c in "walks" "roots" "hist" "hist --latency" "summary" "check"; do
    n=0 not_json=""
    for t in $S/seed.trace tests/traces/*/*.trace tests/fail/*.trace; do
      # shellcheck disable=SC2086
      "$R" $c --format json "$t" >"$TMP/j.json" 2>/dev/null
      [ -s "$TMP/j.json" ] || continue # an input refused whole prints no JSON
      n=$((n + 1))
      json-glib-validate "$TMP/j.json" >/dev/null 2>&1 || not_json="$not_json $t"
    done
    if [ -z "$not_json" ] && [ "$n" -ge 20 ]; then ok "json valid: $c, $n traces"
    else bad "json valid: $c ($n traces read)" "not JSON for:$not_json"; fi
  done
else
  bad "json-glib-validate missing (make deps installs json-glib-tools)"
fi

# Graphviz reads the dot output: one box per page, one edge per child.
if command -v dot >/dev/null; then
  "$R" walks --format dot $S/seed.trace >"$TMP/w.dot" 2>/dev/null
  if dot -Tsvg "$TMP/w.dot" >"$TMP/w.svg" 2>"$TMP/err" && [ "$(grep -c '<g id="node' "$TMP/w.svg")" = 9 ] \
     && [ "$(grep -c '<g id="edge' "$TMP/w.svg")" = 8 ]; then ok "dot: Graphviz draws the seed walk (9 pages, 8 edges)"
  else bad "dot: Graphviz draws the seed walk" "$(cat "$TMP/err"; grep -c '<g id="node' "$TMP/w.svg")"; fi
else
  bad "dot missing (make deps installs graphviz)"
fi

# The HTML page of the seed: 2 histograms, loads over time, 8 vCPU
# timelines, 1 walk tree and 4 step trees, all inline SVG; no script.  (make check-html opens it in a browser.)
# Graphviz 2.43 (gvContext, gvLayoutJobs) and cairo's font cache keep memory
# to the end: leak checks are off for html, memory errors still fail.
noleak=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
ASAN_OPTIONS=$noleak "$R" html $S/seed.trace >"$TMP/seed.html" 2>"$TMP/err"; rc=$?
got="$(grep -o '<svg class="[a-z-]*"' "$TMP/seed.html" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
want=' 2 <svg class="chart"; 1 <svg class="series"; 4 <svg class="step-tree"; 8 <svg class="timeline"; 1 <svg class="walk-tree";'
if [ $rc = 0 ] && [ "$got" = "$want" ] && ! grep -q '<script' "$TMP/seed.html"; then ok "html: the seed page's drawings"
else bad "html: the seed page's drawings (exit $rc)" "$got; $(cat "$TMP/err")"; fi
ASAN_OPTIONS=$noleak "$R" html --max-walks 0 -o "$TMP/none.html" $S/seed.trace 2>/dev/null && grep -q '1 walk, 0 drawn, <b>1 left out</b>' "$TMP/none.html" \
  && ok "html: --max-walks 0 says the walk was left out" || bad "html: --max-walks 0 says the walk was left out"
expect_cli 64 "writes HTML only" html --format json $S/seed.trace
# Which walks: 160 two-level walks, then 8 four-level ones.  One of each
# shape first (the four-level one first), the other four-level walks (the
# largest), then the rest in order: all 8 four-level walks are drawn.
zap=tests/traces/6.1.0-56-amd64/zap_unsync.trace
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/zap.html" $zap 2>"$TMP/err"
got=$(grep -o 'id="walk-[0-9]*-' "$TMP/zap.html" | grep -o '[0-9]*' | tr '\n' ' ')
want="161 1 162 163 164 165 166 167 168 $(seq -s ' ' 2 42) "
[ "$got" = "$want" ] && ok "html: walks drawn, one of each shape first" || bad "html: walks drawn, one of each shape first" "got:  $got
want: $want"
# no loads in this capture: said, not drawn as a bar of empty intervals
sed -n '/<section id="load-rate">/,/<\/section>/p' "$TMP/zap.html" >"$TMP/rate.html"
grep -q '<figcaption>no loads in any interval' "$TMP/rate.html" && ! grep -q 'count=' "$TMP/rate.html" \
  && ok "html: a capture without loads says so in the rate chart" || bad "html: a capture without loads says so in the rate chart" "$(head -c 600 "$TMP/rate.html")"
# --walk (every command's filter) draws just the walks asked for
ASAN_OPTIONS=$noleak "$R" html --walk 162,7 -o "$TMP/some.html" $zap 2>"$TMP/err"
got=$(grep -o 'id="walk-[0-9]*-' "$TMP/some.html" | tr '\n' ' ')
if [ "$got" = 'id="walk-162- id="walk-7- ' ] && [ "$(grep -c '<svg class="walk-tree"' "$TMP/some.html")" = 2 ]; then
  ok "html: --walk draws just the walks asked for"
else bad "html: --walk draws just the walks asked for" "$got; $(cat "$TMP/err")"; fi
# Every root change is drawn: 81 a vCPU here, past the 64 the model keeps
# for the text report.
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/roots.html" tests/traces/6.1.0-56-amd64/root_hpa.trace 2>"$TMP/err"
[ "$(grep -c 'vCPU [01]: 81 loads, 5 roots, 81 root changes, 1 snapshot</figcaption>' "$TMP/roots.html")" = 2 ] && ! grep -q 'left out' "$TMP/roots.html" \
  && ok "html: root timelines draw all 81 changes" || bad "html: root timelines draw all 81 changes" "$(grep -o 'vCPU [0-9]*: [^<]*' "$TMP/roots.html")"

# ---- html -o: the named file written through, not replaced by a rename ----
O=$TMP/out-files && mkdir -p "$O"
html_o() { ASAN_OPTIONS=$noleak "$R" html -o "$@" $S/seed.trace >"$TMP/out" 2>"$TMP/err"; }
echo old >"$O/target.html" && ln -s target.html "$O/link.html"
html_o "$O/link.html"; rc=$?
[ $rc = 0 ] && [ -L "$O/link.html" ] && [ "$(readlink "$O/link.html")" = target.html ] \
  && grep -q '<title>kvmmmu report' "$O/target.html" \
  && ok "html -o: a symlink is written through, and stays a symlink" || bad "html -o: a symlink is written through (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
ln -s new-target.html "$O/dangling.html"
html_o "$O/dangling.html"; rc=$?
[ $rc = 0 ] && [ -L "$O/dangling.html" ] && grep -q '<title>kvmmmu report' "$O/new-target.html" \
  && ok "html -o: a dangling symlink creates its target" || bad "html -o: a dangling symlink creates its target (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
echo old >"$O/mode.html" && chmod 0640 "$O/mode.html"
html_o "$O/mode.html"; rc=$?
[ $rc = 0 ] && [ "$(stat -c %a "$O/mode.html")" = 640 ] && grep -q '<title>kvmmmu report' "$O/mode.html" \
  && ok "html -o: an existing file keeps its mode 0640" || bad "html -o: an existing file keeps its mode (exit $rc, mode $(stat -c %a "$O/mode.html"))" "$(cat "$TMP/err")"
(umask 027; html_o "$O/new.html"); rc=$?
[ $rc = 0 ] && [ "$(stat -c %a "$O/new.html")" = 640 ] \
  && ok "html -o: a new file is 0666 less the umask" || bad "html -o: a new file is 0666 less the umask (exit $rc, mode $(stat -c %a "$O/new.html"))" "$(cat "$TMP/err")"
expect_cli 64 "kvmmmu-report html: Cannot write html: path=$O is a directory" html -o "$O" $S/seed.trace
# Refused before the input is read: a pipe nobody writes to is never waited on.
mkfifo "$O/never.fifo"
timeout 10 "$R" html -o "$O" "$O/never.fifo" >"$TMP/out" 2>&1; rc=$?
[ $rc = 64 ] && grep -qF "path=$O is a directory" "$TMP/out" \
  && ok "html -o DIR: refused before any input is read" || bad "html -o DIR: refused before any input is read (exit $rc)" "$(cat "$TMP/out")"
rm -f "$O/never.fifo"
mkfifo "$O/page.fifo"
timeout 20 cat "$O/page.fifo" >"$O/from-fifo.html" & catpid=$!
timeout 20 env ASAN_OPTIONS=$noleak "$R" html -o "$O/page.fifo" $S/seed.trace >"$TMP/out" 2>"$TMP/err"; rc=$?
wait $catpid
[ $rc = 0 ] && [ -p "$O/page.fifo" ] && grep -q '</html>' "$O/from-fifo.html" \
  && ok "html -o: a FIFO gets the page and stays a FIFO" || bad "html -o: a FIFO gets the page (exit $rc)" "$(ls -l "$O"; cat "$TMP/err")"
# A write that fails (the file size limit: EFBIG once SIGXFSZ is ignored)
# names the path and the reason, and leaves the old file and no temporary.
mkdir "$O/efbig" && echo "old report" >"$O/efbig/page.html"
(trap '' XFSZ; ulimit -f 1; ASAN_OPTIONS=$noleak "$R" html -o "$O/efbig/page.html" $S/seed.trace) >"$TMP/out" 2>"$TMP/err"; rc=$?
if [ $rc = 2 ] && grep -qxF "kvmmmu-report html: Failed to write html: path=$O/efbig/page.html: File too large" "$TMP/err" \
   && [ "$(cat "$O/efbig/page.html")" = "old report" ] && [ "$(ls -A "$O/efbig")" = page.html ]; then
  ok "html -o: a failed write is named, the old file intact, no temporary left"
else bad "html -o: a failed write (exit $rc)" "$(cat "$TMP/err"; ls -lA "$O/efbig")"; fi
# stdout too: a report cut short by the same limit does not exit 0.
(trap '' XFSZ; ulimit -f 1; "$R" walks tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$O/walks.txt") 2>"$TMP/err"; rc=$?
[ $rc = 2 ] && grep -qxF "kvmmmu-report: Failed to write report: path=<stdout>: File too large" "$TMP/err" \
  && ok "stdout: a failed write is named, exit 2" || bad "stdout: a failed write is named (exit $rc)" "$(cat "$TMP/err")"

# ---- SIGINT/SIGTERM: the report for what was read, exit 128 + signal ----
# The feeder writes the first LINES lines of a real capture into a FIFO,
# waits until the report has taken every byte out of it (FIONREAD), writes
# its pid to MARK and sleeps: a capture still running, as under stap.
FEED='my ($trace, $lines, $mark) = @ARGV;
  open my $in, "<", $trace or die "$trace: $!";
  my $n = 0; while (my $l = <$in>) { last if $n++ >= $lines; print $l; }
  STDOUT->flush();
  for (1 .. 2000) { my $b = pack("L", 0); ioctl(STDOUT, 0x541B, $b) or die "FIONREAD: $!";
    last if unpack("L", $b) == 0; select(undef, undef, undef, 0.01); }
  open my $m, ">", $mark or die; print $m "$$\n"; close $m; sleep 60;'
interrupted() { # SIG LINES TRACE COMMAND [OPTION...]: run it on "-" and signal it once fed; sets irc
  local sig=$1 lines=$2 trace=$3 feeder pid i; shift 3
  rm -f "$TMP/fed" "$TMP/in.fifo" && mkfifo "$TMP/in.fifo"
  perl -e "$FEED" "$trace" "$lines" "$TMP/fed" >"$TMP/in.fifo" & feeder=$!
  # A background job of a script starts with SIGINT ignored, and the
  # report leaves an ignored signal ignored: give it its default back.
  ASAN_OPTIONS=$noleak env --default-signal=INT "$R" "$@" - <"$TMP/in.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
  for i in $(seq 400); do [ -s "$TMP/fed" ] && break; sleep 0.05; done
  kill -"$sig" $pid
  # Never hang: a report that does not end is killed, and fails the test.
  for i in $(seq 400); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
  kill -KILL $pid 2>/dev/null
  wait $pid; irc=$?
  kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
}
T=tests/traces/6.1.0-56-amd64
head -n 300 $T/root_hpa.trace >"$TMP/head300.trace"
"$R" summary - <"$TMP/head300.trace" >"$TMP/want" 2>/dev/null
for s in "INT 130" "TERM 143"; do
  set -- $s
  interrupted $1 300 $T/root_hpa.trace summary
  if [ "$irc" = $2 ] && grep -q '^records:  299$' "$TMP/out" && grep -q '^trailer:  none' "$TMP/out" \
     && cmp -s "$TMP/out" "$TMP/want" \
     && grep -qxF "kvmmmu-report: interrupted by SIG$1 after 299 records: the report covers what was read" "$TMP/err"; then
    ok "SIG$1: summary - reports the 299 records read, exit $2"
  else bad "SIG$1: summary - reports the records read (exit $irc, want $2)" "$(diff "$TMP/want" "$TMP/out"; cat "$TMP/err")"; fi
done
head -n 100 $T/zap_unsync.trace >"$TMP/head100.trace"
nwalks=$(grep -c '^walk ' "$TMP/head100.trace")
"$R" walks - <"$TMP/head100.trace" >"$TMP/want" 2>/dev/null
interrupted INT 100 $T/zap_unsync.trace walks
if [ "$irc" = 130 ] && [ "$nwalks" -gt 10 ] && cmp -s "$TMP/out" "$TMP/want" \
   && grep -q "^kvmmmu-report: walks: $nwalks checked," "$TMP/err" \
   && grep -qxF "kvmmmu-report: interrupted by SIGINT after 99 records: the report covers what was read" "$TMP/err"; then
  ok "SIGINT: walks - dumps the $nwalks walks read, exit 130"
else bad "SIGINT: walks - dumps the walks read (exit $irc)" "$(diff "$TMP/want" "$TMP/out" | head; cat "$TMP/err")"; fi
# html runs in kvmmmu-report-html (exec'd, the same process): the same.
ASAN_OPTIONS=$noleak "$R" html -o "$TMP/want.html" - <"$TMP/head100.trace" 2>/dev/null
interrupted INT 100 $T/zap_unsync.trace html -o "$TMP/int.html"
if [ "$irc" = 130 ] && cmp -s "$TMP/int.html" "$TMP/want.html" \
   && grep -qxF "kvmmmu-report: interrupted by SIGINT after 99 records: the report covers what was read" "$TMP/err"; then
  ok "SIGINT: html - writes the page of what was read, exit 130"
else bad "SIGINT: html - writes the page of what was read (exit $irc)" "$(cmp "$TMP/want.html" "$TMP/int.html"; cat "$TMP/err")"; fi
# A SIGINT ignored from the start (a background job) stays ignored.
rm -f "$TMP/fed" "$TMP/in.fifo" && mkfifo "$TMP/in.fifo"
perl -e "$FEED" $T/root_hpa.trace 300 "$TMP/fed" >"$TMP/in.fifo" & feeder=$!
"$R" summary - <"$TMP/in.fifo" >"$TMP/out" 2>"$TMP/err" & pid=$!
for i in $(seq 400); do [ -s "$TMP/fed" ] && break; sleep 0.05; done
kill -INT $pid; sleep 0.3
if kill -0 $pid 2>/dev/null; then alive=yes; else alive=no; fi
kill -TERM $pid
for i in $(seq 400); do kill -0 $pid 2>/dev/null || break; sleep 0.05; done
kill -KILL $pid 2>/dev/null; wait $pid; irc=$?
kill $feeder 2>/dev/null; wait $feeder 2>/dev/null
[ $alive = yes ] && [ "$irc" = 143 ] && grep -q "interrupted by SIGTERM after 299 records" "$TMP/err" \
  && ok "SIGINT ignored from the start stays ignored; SIGTERM still ends the input" \
  || bad "SIGINT ignored from the start stays ignored (alive after SIGINT: $alive, exit $irc)" "$(cat "$TMP/err")"

# ---- streaming: memory does not grow with the trace ----
if [ -n "${KVMMMU_SANITIZE:-}" ]; then
  echo "skip streaming memory: sanitizers change what memory means"
elif [ -x /usr/bin/time ]; then
  gen() { # N walks with 4 steps each, load records, one vCPU snapshot per 1000 walks
    awk -v n="$1" 'BEGIN {
      print "kvmmmu 1 6.1.0-56-amd64 gen 1000000000";
      s=0;
      for (w = 1; w <= n; w++) {
        t = 1000000000 + w * 1000; c = w % 2;
        printf "walk %d %d %d %d 0 a%x 6 a%x,4,0,4294967295,0 b%x,3,1,0,0 c%x,2,2,1,0 d%x,1,3,2,1 e%x,1,4,3,1 f%x,1,5,4,1\n", t, c, ++s, w, w, w, w, w, w, w, w;
        for (i = 3; i <= 5; i++) printf "step %d %d %d %d %d %x 3 c%x,2 b%x,3 a%x,4\n", t + i, c, ++s, w, i, (i==3?0xd0000+w:0)+(i==4?0xe0000+w:0)+(i==5?0xf0000+w:0), w, w, w;
        printf "load %d %d %d ffff1 %d 0 300 %x 1000 3704\n", t + 7, c, ++s, w % 4, 4096 * (w % 50);
      }
    }'
  }
  # The step sp fields above are not the walk pages: checks fail, which is
  # fine here; this measures memory only.
  gen 20000 >"$TMP/small.trace"; gen 80000 >"$TMP/big.trace"
  for c in "summary" "walks" "roots" "hist"; do
    /usr/bin/time -f %M "$R" $c "$TMP/small.trace" >/dev/null 2>"$TMP/m1" || true
    /usr/bin/time -f %M "$R" $c "$TMP/big.trace" >/dev/null 2>"$TMP/m2" || true
    m1=$(tail -1 "$TMP/m1") m2=$(tail -1 "$TMP/m2")
    # 4x the records may not cost more than 25% more peak memory
    if [ "$m1" -gt 0 ] 2>/dev/null && [ $((m2 * 100)) -le $((m1 * 125)) ]; then ok "streaming memory: $c (${m1} KiB -> ${m2} KiB for 4x records)"
    else bad "streaming memory: $c (${m1} KiB -> ${m2} KiB for 4x records)"; fi
  done
else
  bad "/usr/bin/time missing (make deps installs time)"
fi

# ---- stap -b: per-CPU bulk files merged by flush sequence ----
# Bulk files are made here from a text trace, as SystemTap frames them:
# {u32 sequence; u32 pdu_len} per flush (4.8), with the magic F0 9F A9 BA
# before each header from 5.0; flushes alternate between two CPU files.
mkbulk() { # trace out magic drop
  perl -e '
    my ($in, $out, $magic, $drop) = @ARGV;
    open my $fh, "<", $in or die; my @l = <$fh>;
    my @f; for my $c (0, 1) { open $f[$c], ">", "${out}_$c" or die; binmode $f[$c]; }
    my $seq = 0;
    while (@l) {
      my $pdu = join "", splice(@l, 0, 1 + ($seq % 3)); $seq++;
      next if $drop && $seq == $drop;
      my $fd = $f[$seq % 2];
      print $fd "\xf0\x9f\xa9\xba" if $magic;
      print $fd pack("VV", $seq, length $pdu), $pdu;
    }' "$@"
}
for magic in 0 1; do
  mkbulk $S/seed.trace "$TMP/bulk$magic" $magic 0
  "$R" walks --bulk "$TMP/bulk${magic}_0" "$TMP/bulk${magic}_1" >"$TMP/out" 2>"$TMP/err"; rc=$?
  [ $rc = 0 ] && cmp -s "$TMP/out" tests/seed/walks.txt && ok "bulk (magic=$magic): merged walks are the seed's dumps" \
    || bad "bulk (magic=$magic): merged walks (exit $rc)" "$(diff "$TMP/out" tests/seed/walks.txt | head; cat "$TMP/err")"
  "$R" summary --bulk "$TMP/bulk${magic}_1" "$TMP/bulk${magic}_0" >"$TMP/out" 2>&1
  "$R" summary $S/seed.trace >"$TMP/want" 2>&1
  cmp -s "$TMP/out" "$TMP/want" && ok "bulk (magic=$magic): summary equals the text trace's" || bad "bulk (magic=$magic): summary" "$(diff "$TMP/want" "$TMP/out")"
done
mkbulk $S/seed-busy.trace "$TMP/bulkd" 0 4
"$R" summary --bulk "$TMP/bulkd_0" "$TMP/bulkd_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q '^lost: 1 records missing (gaps in per-CPU seq), 1 bulk-mode flushes missing (gaps in their sequence), trailer counts 20 records written, 19 arrived' "$TMP/out" \
  && ok "bulk: a lost flush is reported" || bad "bulk: a lost flush is reported (exit $rc)" "$(cat "$TMP/out")"
head -c 1000 "$TMP/bulk0_0" >"$TMP/cut_0"
"$R" summary --bulk "$TMP/cut_0" "$TMP/bulk0_1" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -qF "$TMP/cut_0: bulk: file ends inside flush" "$TMP/out" && grep -q '^records:' "$TMP/out" \
  && ok "bulk: a file cut mid-flush is reported, records before it kept" || bad "bulk: cut mid-flush (exit $rc)" "$(cat "$TMP/out")"
"$R" summary --bulk $S/seed.trace >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "bulk: flush [0-9]* claims [0-9]* bytes: expected at most" "$TMP/out" \
  && ok "bulk: a text file given as bulk is refused" || bad "bulk: text as bulk (exit $rc)" "$(cat "$TMP/out")"

# ---- DWARF: role layouts from gcc -g fixtures, and the real kvm.ko ----
# The fixture declares each historical layout; DWARF 5 gives
# DW_AT_data_bit_offset, -gdwarf-4 gives DW_AT_bit_offset: both must read
# the same fields as the built-in table for that kernel line.
for spec in "419 4.19.0 4.19 to 5.3" "515 5.15.0 5.15 to 6.0" "601 6.1.0 6.1 to 6.13" \
            "614 6.14.0 6.14 to 7.1" "702 7.2.13+deb14-amd64 7.2 on"; do
  set -- $spec; L=$1 rel=$2; shift 2; what="$*"
  for dw in -gdwarf-5 -gdwarf-4; do
    o=$TMP/role-$L$dw.o
    if ! gcc $dw -DLAYOUT=$L -c -o "$o" tests/dwarf/role-layouts.c 2>"$TMP/err"; then bad "dwarf fixture $L $dw: gcc" "$(cat "$TMP/err")"; continue; fi
    "$R" kernel-info --no-probes --debuginfo "$o" --release "$rel" >"$TMP/ki" 2>&1; rc=$?
    if [ $rc = 0 ] && grep -qF "agrees with the built-in table for $what (release $rel)" "$TMP/ki" \
       && grep -q '^KVM_PAGE_ARRAY_NR 16$' "$TMP/ki" && grep -q '^PT64_ROOT_MAX_LEVEL 5$' "$TMP/ki" \
       && grep -q '^KVM_MMU_NUM_PREV_ROOTS 3$' "$TMP/ki"; then ok "dwarf fixture $L $dw agrees with the built-in table"
    else bad "dwarf fixture $L $dw (exit $rc)" "$(cat "$TMP/ki")"; fi
  done
done
# 7.2's layout is not 7.1's: the table must tell them apart, or a 7.2
# kernel's roles would be read with 3-bit access again.
gcc -gdwarf-5 -DLAYOUT=702 -c -o "$TMP/role-702-neg.o" tests/dwarf/role-layouts.c
"$R" kernel-info --no-probes --debuginfo "$TMP/role-702-neg.o" --release 7.1.0 >"$TMP/ki" 2>&1; rc=$?
[ $rc = 1 ] && grep -qF "DIFFERS from the built-in table for 6.14 to 7.1 (release 7.1.0): access at 8:4 vs 8:3;" "$TMP/ki" \
  && ok "dwarf fixture 702 differs from the 6.14 to 7.1 table" || bad "dwarf fixture 702 differs from the 6.14 to 7.1 table (exit $rc)" "$(cat "$TMP/ki")"
# A 4-bit access read from DWARF prints in 7.2's r/w/u/x letters: role
# 6b02 is level 2, access 0xb (READ|WRITE|EXEC), efer_nx, cr0_wp.
gcc -gdwarf-5 -DLAYOUT=702 -shared -fPIC -o "$TMP/role702.so" tests/dwarf/role-layouts.c
printf '%s\n' "kvmmmu 1 7.2.13+deb14-amd64 lab 1000" "walk 2000 0 1 1 0 a 2 a,6b03,0,4294967295,0 b,6b02,1,4,0" >"$TMP/r702.trace"
"$R" walks --tree --debuginfo "$TMP/role702.so" "$TMP/r702.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qF "roles: decoded with the DWARF of $TMP/role702.so" "$TMP/out" \
   && grep -qF "role 6b02 (level=2 quadrant=0 access=rw-x efer_nx cr0_wp)" "$TMP/out"; then
  ok "dwarf: a 4-bit access from DWARF decodes as rw-x"
else bad "dwarf: a 4-bit access from DWARF decodes as rw-x (exit $rc)" "$(cat "$TMP/out")"; fi
# Decoding in a report, and the build-id guard (a linked object has one).
gcc -gdwarf-5 -DLAYOUT=601 -shared -fPIC -Wl,--build-id=sha1 -o "$TMP/role.so" tests/dwarf/role-layouts.c
printf '%s\n' "kvmmmu 1 6.1.0-56-amd64 lab 1000 build_id=0123456789abcdef0123456789abcdef01234567" \
  "walk 2000 0 1 1 0 a 2 a,3704,0,4294967295,0 b,13703,1,4,0" >"$TMP/bid.trace"
"$R" walks --tree --debuginfo "$TMP/role.so" "$TMP/bid.trace" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -q "Cannot use debuginfo: path=$TMP/role.so has build-id [0-9a-f]*, the traced kernel's is 0123456789abcdef0123456789abcdef01234567 (--force-debuginfo uses it anyway)" "$TMP/out" \
  && ok "dwarf: debuginfo of another build-id refused" || bad "dwarf: debuginfo of another build-id refused (exit $rc)" "$(cat "$TMP/out")"
"$R" walks --tree --force-debuginfo --debuginfo "$TMP/role.so" "$TMP/bid.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && grep -qF "roles: decoded with the DWARF of $TMP/role.so" "$TMP/out" \
   && grep -qF "[0] L4 a gfn 0 role 3704 (level=4 quadrant=0 access=wux efer_nx cr0_wp)" "$TMP/out" \
   && grep -qF "[1] L3 b idx 4 gfn 1 role 13703 (level=3 quadrant=0 access=wux efer_nx cr0_wp ad_disabled)" "$TMP/out"; then
  ok "dwarf: --force-debuginfo decodes with the fixture's layout"
else bad "dwarf: --force-debuginfo decodes with the fixture's layout (exit $rc)" "$(cat "$TMP/out")"; fi
sed -i 's/ build_id=[0-9a-f]*//' "$TMP/bid.trace"
"$R" walks --tree "$TMP/bid.trace" >"$TMP/out" 2>&1
grep -qF "roles: decoded with the built-in table for 6.1 to 6.13 (release 6.1.0-56-amd64)" "$TMP/out" \
  && ok "dwarf: built-in table without debuginfo, and it says so" || bad "dwarf: built-in table without debuginfo" "$(cat "$TMP/out")"
"$R" walks --tree --debuginfo none "$TMP/bid.trace" >"$TMP/out" 2>&1
grep -qF "roles: raw" "$TMP/out" && ! grep -q 'level=' "$TMP/out" && ok "dwarf: --debuginfo none leaves roles raw" || bad "dwarf: --debuginfo none" "$(cat "$TMP/out")"
"$R" kernel-info --debuginfo "$TMP/role.so" >"$TMP/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -qF "MISSING kvmmmu.unsync_walk, kvmmmu.zap_step: mmu_zap_unsync_children" "$TMP/out" \
  && grep -qF "MISSING struct kvm: not in this DWARF" "$TMP/out" && grep -qF "ok      struct mmu_page_path: parent" "$TMP/out" \
  && ok "dwarf: pre-flight says which probe points a kernel lacks" || bad "dwarf: pre-flight on the fixture (exit $rc)" "$(cat "$TMP/out")"
"$R" kernel-info --debuginfo "$TMP/no-such.ko" >"$TMP/out" 2>&1; rc=$?
[ $rc = 2 ] && grep -qF "Cannot open debuginfo: path=$TMP/no-such.ko" "$TMP/out" && ok "dwarf: missing debuginfo is unusable input" || bad "dwarf: missing debuginfo (exit $rc)" "$(cat "$TMP/out")"
# Many captures of one kernel read its DWARF once, not once per capture
# (a file of 1,500 captures spent minutes re-reading it); two kernels, twice.
mkdir -p "$TMP/dbgdirs/6.1.0-56-amd64/dbg" "$TMP/dbgdirs/7.2.13+deb14-amd64/dbg"
cp "$TMP/role.so" "$TMP/dbgdirs/6.1.0-56-amd64/dbg/kvm.ko"
cp "$TMP/role702.so" "$TMP/dbgdirs/7.2.13+deb14-amd64/dbg/kvm.ko"
{ cat "$TMP/bid.trace" "$TMP/bid.trace" "$TMP/bid.trace" "$TMP/r702.trace" "$TMP/r702.trace"; } >"$TMP/dbg-many.trace"
G_MESSAGES_DEBUG=kvmmmu KVMMMU_DEBUGINFO_DIRS="$TMP/dbgdirs" "$R" walks --tree "$TMP/dbg-many.trace" >"$TMP/out" 2>&1; rc=$?
if [ $rc = 0 ] && [ "$(grep -c 'Reading DWARF: path=' "$TMP/out")" = 2 ] \
   && [ "$(grep -cF "roles: decoded with the DWARF of $TMP/dbgdirs/6.1.0-56-amd64/dbg/kvm.ko" "$TMP/out")" = 3 ] \
   && [ "$(grep -cF "roles: decoded with the DWARF of $TMP/dbgdirs/7.2.13+deb14-amd64/dbg/kvm.ko" "$TMP/out")" = 2 ]; then
  ok "dwarf: five captures of two kernels read two DWARF files once each"
else bad "dwarf: five captures of two kernels read two DWARF files once each (exit $rc)" "$(grep -v '^ *\[' "$TMP/out")"; fi
# The real Debian kvm.ko of every kernel in the cache (make check-tapsets
# fills it, one kernel a line): its DWARF layout must be the built-in
# table's for its release, and every probe point must be there.
CACHE=${KVMMMU_CACHE:-$HOME/.cache/kvmmmu}
nko=0
for ko in "$CACHE"/*/dbg/kvm.ko; do
  [ -f "$ko" ] || continue
  kver=$(basename "$(dirname "$(dirname "$ko")")")
  nko=$((nko + 1))
  "$R" kernel-info --debuginfo "$ko" >"$TMP/ki" 2>&1; rc=$?
  if [ $rc = 0 ] && grep -q "agrees with the built-in table for .* (release $kver)" "$TMP/ki" \
     && [ "$(grep -c '^ok ' "$TMP/ki")" = 10 ] && ! grep -q MISSING "$TMP/ki"; then ok "dwarf $kver: layout agrees, every probe point present"
  else bad "dwarf $kver (exit $rc)" "$(cat "$TMP/ki")"; fi
done
[ $nko -gt 0 ] || echo "skip dwarf: no kernel in $CACHE (make check-tapsets fetches them)"

# ---- the tapsets, no kernel needed (tests/tapset-checks.sh): stap -p1,
# privilege, embedded C in the runtime only, the generated format fresh ----
tests/tapset-checks.sh "${FORMAT_STPM:-build/kvmmmu_format.stpm}" >"$TMP/tapsets.out" 2>&1
while IFS= read -r l; do
  case $l in
    "ok   "*) ok "${l#ok   }" ;;
    "FAIL "*) bad "${l#FAIL }" "$(awk -v n="$l" '$0 == n { on = 1; next } on && /^     / { print; next } { on = 0 }' "$TMP/tapsets.out")" ;;
  esac
done <"$TMP/tapsets.out"
grep -qE '^(ok|FAIL) ' "$TMP/tapsets.out" || bad "tests/tapset-checks.sh ran no check" "$(cat "$TMP/tapsets.out")"

# ---- make bench's harness on a 1 MB trace: what it writes, not how fast ----
if [ -x "${BENCH_SCALE:-}" ] && [ -x "${BENCH_TIMED:-}" ]; then
  BENCH_ENV=(SCALE="$BENCH_SCALE" TIMED="$BENCH_TIMED" BENCH_SIZES=1 BENCH_RUNS=1 BENCH_CAPTURES=3
             BENCH_DATA="$TMP/bench" BENCH_RESULTS="$TMP/bench/results.md")
  env "${BENCH_ENV[@]}" KVMMMU_REPORT="$R" tests/bench/run-bench.sh >"$TMP/bench.out" 2>&1; rc=$?
  last=$(tail -n1 "$TMP/bench.out")
  rows=$(grep -c '^| 1 MB | \(wc\|summary\|hist\|roots\|walks\|awk\) |' "$TMP/bench/results.md" 2>/dev/null)
  if [ $rc = 0 ] && [ "$rows" = 6 ] &&
     [[ $last =~ ^bench:\ summary/wc=[0-9.]+\ hist/wc=[0-9.]+\ walks/wc=[0-9.]+\ awk/hist=[0-9.]+\ check/summary=[0-9.]+\ peak_rss_mib=[0-9]+$ ]] &&
     grep -q '^| 3 | check | [0-9.]* | check/summary [0-9.]* | \(met\|NOT met\) (<= 3) |$' "$TMP/bench/results.md"
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

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
