#!/usr/bin/env bash
# the tapsets, no kernel needed (tests/tapset-checks.sh): stap -p1,
# privilege, embedded C in the runtime only, the generated format fresh
. "$(dirname "$0")/test-subr.sh"

tests/tapset-checks.sh "${FORMAT_STPM:-build/kvmmmu_format.stpm}" >"$TMP/tapsets.out" 2>&1
while IFS= read -r l; do
  case $l in
    "ok   "*) ok "${l#ok   }" ;;
    "FAIL "*) bad "${l#FAIL }" "$(awk -v n="$l" '$0 == n { on = 1; next } on && /^     / { print; next } { on = 0 }' "$TMP/tapsets.out")" ;;
  esac
done <"$TMP/tapsets.out"
grep -qE '^(ok|FAIL) ' "$TMP/tapsets.out" || bad "tests/tapset-checks.sh ran no check" "$(cat "$TMP/tapsets.out")"

finish
