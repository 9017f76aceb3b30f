#!/usr/bin/env bash
# real captures against KVM's own counters, read around them in the lab
. "$(dirname "$0")/test-subr.sh"

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

# A nested guest's zap capture, each scenario against the counters read at
# its two marks (SCENARIO.kvm-start, SCENARIO.kvm-end, beside the marks).
for trace in tests/traces/*/zap_unsync.trace; do
  d=$(dirname "$trace")
  [ -f "$d/marks" ] || continue
  for sc in $(awk '!seen[$1]++ { print $1 }' "$d/marks"); do
    [ -f "$d/$sc.kvm-start" ] && [ -f "$d/$sc.kvm-end" ] || continue
    "$R" check --span "$sc" --kvm-before "$d/$sc.kvm-start" --kvm-after "$d/$sc.kvm-end" "$trace" >"$TMP/out" 2>&1; rc=$?
    # walks between the marks (times of equal length compare as strings)
    walks=$(awk -v s="$sc" '$1 == s { t[$2] = $3 }
      FILENAME != ARGV[1] && $1 == "walk" && $2 "" >= t["start"] "" && $2 "" < t["end"] "" { n++ }
      END { print n + 0 }' "$d/marks" "$trace")
    if [ "$walks" = 0 ]; then
      if [ $rc = 1 ] && grep -q "^FAIL mmu_shadow_zapped: nothing to compare: no walk steps" "$TMP/out" &&
         grep -q '^check: [0-9]* passed, 1 failed$' "$TMP/out"; then ok "counters $trace --span $sc: no walks in it, said"
      else bad "counters $trace --span $sc: no walks in it (exit $rc)" "$(cat "$TMP/out")"; fi
      continue
    fi
    if [ $rc = 0 ] && grep -q '^ok   mmu_shadow_zapped grew by' "$TMP/out" && grep -q '^check: [0-9]* passed, 0 failed$' "$TMP/out"; then
      ok "counters $trace --span $sc: $(grep '^ok   mmu_shadow_zapped' "$TMP/out" | cut -c6-)"
    else bad "counters $trace --span $sc (exit $rc)" "$(cat "$TMP/out")"; fi
  done
done

finish
