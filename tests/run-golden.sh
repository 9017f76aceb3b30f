#!/usr/bin/env bash
# golden replay: every trace, every report
. "$(dirname "$0")/test-subr.sh"

REPORTS=(
  "walks|walks"
  "walks-tree|walks --tree"
  "walks-json|walks --format json"
  "walks-csv|walks --format csv"
  "walks-dot|walks --format dot"
  "roots|roots"
  "roots-json|roots --format json"
  "roots-csv|roots --format csv"
  "cache|cache"
  "cache-csv|cache --format csv"
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
# A nested Linux guest's capture has marks beside it ("SCENARIO start|end
# NS"): kvm_mmu_load per second in each scenario (--span), as the README
# shows them.
scenario_reports() { # trace
  local marks sc
  marks=$(dirname "$1")/marks
  [ -f "$marks" ] || return 0
  for sc in $(awk '!seen[$1]++ { print $1 }' "$marks"); do
    echo "scenario-$sc-hist|hist --span $sc"
  done
}

for trace in tests/traces/*/*.trace; do
  exp=${trace%.trace}.expected
  [ "$UPDATE" = 1 ] && mkdir -p "$exp"
  trace_rc=0; [ -f "$exp/exit" ] && trace_rc=$(cat "$exp/exit")
  mapfile -t scenarios < <(scenario_reports "$trace")
  for r in "${REPORTS[@]}" "${scenarios[@]}"; do
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

finish
