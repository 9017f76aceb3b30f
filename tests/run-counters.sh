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

finish
