#!/usr/bin/env bash
# the fail corpus: exit code and error text
# NAME.expect: "exit N", "args COMMAND [OPTION...]" (default summary),
# "stderr TEXT" / "stdout TEXT" lines that must each appear, and "count N
# TEXT": exactly N lines of stdout and stderr together hold TEXT (a fault
# reported once, not once per later line).
. "$(dirname "$0")/test-subr.sh"

for t in tests/fail/*.trace; do
  e=${t%.trace}.expect
  [ -f "$e" ] || { bad "$t: no ${e##*/}"; continue; }
  want_rc=$(awk '$1=="exit"{print $2}' "$e")
  args=$(awk '$1=="args"{$1=""; print substr($0,2)}' "$e"); [ -n "$args" ] || args=summary
  # html's drawing libraries keep memory to the end, as in run-cli.sh
  asan=${ASAN_OPTIONS:-}; [ "${args%% *}" != html ] || asan=$noleak
  # a bounded time: a report that loops fails here rather than hanging the suite
  # shellcheck disable=SC2086
  ASAN_OPTIONS=$asan timeout 300 "$R" $args "$t" >"$TMP/out" 2>"$TMP/err"; rc=$?
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

finish
