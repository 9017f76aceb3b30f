#!/usr/bin/env bash
# the seed's dumps, byte for byte, from the trace rebuilt from them
. "$(dirname "$0")/test-subr.sh"

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

finish
