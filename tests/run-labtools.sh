#!/usr/bin/env bash
# the lab's host-side tools that need no QEMU: a scenario's own loss
# (tests/lab/span-loss.awk) and the nested guest's initramfs (tests/lab/mkguest.sh)
. "$(dirname "$0")/test-subr.sh"

# span-loss.awk: seq gaps per CPU inside [st, en] and at its start, none outside.
cat >"$TMP/gaps.trace" <<'EOF'
kvmmmu 4 6.1.0-57-amd64 lab 1000 script=root_hpa
switch 1100 0 1 ffff1 0 1000 1 3705
switch 1200 1 1 ffff1 0 1000 1 3705
switch 1300 0 5 ffff1 0 1000 1 3705
switch 2100 0 6 ffff1 0 1000 1 3705
switch 2200 1 2 ffff1 0 1000 1 3705
switch 2300 0 9 ffff1 0 1000 1 3705
switch 2400 1 3 ffff1 0 1000 1 3705
switch 3100 0 20 ffff1 0 1000 1 3705
end 3200 0 21 8 20 0 0
EOF
# span [2000, 3000]: cpu 0 goes 5 (before) -> 6 -> 9 (2 missing), cpu 1 1 -> 2 -> 3
# (none); the 3 missing before the span and the 10 after it are not its own.
span() { awk -v st="$1" -v en="$2" -f tests/lab/span-loss.awk "$3" 2>&1; }
got=$(span 2000 3000 "$TMP/gaps.trace")
if [ "$got" = 2 ]; then ok "span-loss: gaps inside the span"; else bad "span-loss: gaps inside the span: got '$got', want 2"; fi
# [1250, 2050]: cpu 0's last record before it is seq 1, its first inside 5:
# the 3 between are counted, as the span may have lost them.
got=$(span 1250 2050 "$TMP/gaps.trace")
if [ "$got" = 3 ]; then ok "span-loss: a gap at the span's start"; else bad "span-loss: a gap at the span's start: got '$got', want 3"; fi
got=$(span 3000 3050 "$TMP/gaps.trace")
if [ "$got" = 0 ]; then ok "span-loss: an empty span"; else bad "span-loss: an empty span: got '$got', want 0"; fi
# The real nested guest's capture lost nothing in its scenarios.
real=tests/traces/6.1.0-57-amd64-linux
for sc in idle storm; do
  st=$(awk -v s=$sc '$1 == s && $2 == "start" { print $3 }' "$real/marks")
  en=$(awk -v s=$sc '$1 == s && $2 == "end" { print $3 }' "$real/marks")
  got=$(span "$st" "$en" "$real/zap_unsync.trace")
  if [ -n "$st" ] && [ -n "$en" ] && [ "$got" = 0 ]; then ok "span-loss: $sc of the nested guest's capture"
  else bad "span-loss: $sc of the nested guest's capture: got '$got' for '$st'..'$en', want 0"; fi
done

# mkguest.sh: scenarios and sizes are checked before anything is built.
if [ -f /bin/busybox ] && command -v cpio >/dev/null; then
  tests/lab/mkguest.sh "$TMP/g.cpio.gz" "idle compile" >"$TMP/out" 2>&1; rc=$?
  if [ $rc = 1 ] && grep -q "^mkguest: no scenario named 'compile' (scenarios: idle storm build threads workload)$" "$TMP/out" && [ ! -e "$TMP/g.cpio.gz" ]; then
    ok "mkguest: an unknown scenario"
  else bad "mkguest: an unknown scenario (exit $rc)" "$(cat "$TMP/out")"; fi
  GUEST_WORKLOAD=$TMP/none.sh tests/lab/mkguest.sh "$TMP/g.cpio.gz" "idle workload" >"$TMP/out" 2>&1; rc=$?
  if [ $rc = 1 ] && grep -q "^mkguest: workload needs GUEST_WORKLOAD, a shell script (not found: '$TMP/none.sh')$" "$TMP/out" && [ ! -e "$TMP/g.cpio.gz" ]; then
    ok "mkguest: a workload script that is not there"
  else bad "mkguest: a workload script that is not there (exit $rc)" "$(cat "$TMP/out")"; fi
  THREADS_N=-1 tests/lab/mkguest.sh "$TMP/g.cpio.gz" build >"$TMP/out" 2>&1; rc=$?
  if [ $rc = 1 ] && grep -q "^mkguest: THREADS_N must be a whole number, not '-1'$" "$TMP/out"; then ok "mkguest: a bad thread count"
  else bad "mkguest: a bad thread count (exit $rc)" "$(cat "$TMP/out")"; fi
  STORM_EACH=5x tests/lab/mkguest.sh "$TMP/g.cpio.gz" storm >"$TMP/out" 2>&1; rc=$?
  if [ $rc = 1 ] && grep -q "^mkguest: STORM_EACH must be a whole number, not '5x'$" "$TMP/out"; then ok "mkguest: a bad size"
  else bad "mkguest: a bad size (exit $rc)" "$(cat "$TMP/out")"; fi
  STORM_PROCS=2 tests/lab/mkguest.sh "$TMP/g.cpio.gz" "storm idle" >"$TMP/out" 2>&1; rc=$?
  mkdir "$TMP/g"
  (cd "$TMP/g" && gzip -dc ../g.cpio.gz | cpio -id --quiet 2>/dev/null)
  if [ $rc = 0 ] && [ -x "$TMP/g/init" ] && [ -L "$TMP/g/bin/true" ] && [ -f "$TMP/g/bin/busybox" ] &&
     [ "$(cat "$TMP/g/guest.conf")" = "SCENARIOS='storm idle'
STORM_PROCS=2" ] && cmp -s "$TMP/g/init" tests/lab/guest-init.sh &&
     cmp -s "$TMP/g/bin/kvmmmu-mark" tests/lab/guest-mark.sh && [ ! -e "$TMP/g/workload" ]; then ok "mkguest: the initramfs"
  else bad "mkguest: the initramfs (exit $rc)" "$(cat "$TMP/out"; ls -R "$TMP/g" | head; cat "$TMP/g/guest.conf")"; fi
  # the user's script and the threads program go in when asked for
  printf 'echo mine\n' > "$TMP/mine.sh"; printf 'not a program\n' > "$TMP/threads"
  GUEST_WORKLOAD=$TMP/mine.sh GUEST_THREADS=$TMP/threads BUILD_JOBS=3 \
    tests/lab/mkguest.sh "$TMP/w.cpio.gz" "threads workload build" >"$TMP/out" 2>&1; rc=$?
  mkdir "$TMP/w"
  (cd "$TMP/w" && gzip -dc ../w.cpio.gz | cpio -id --quiet 2>/dev/null)
  if [ $rc = 0 ] && cmp -s "$TMP/w/workload" "$TMP/mine.sh" && cmp -s "$TMP/w/bin/guest-threads" "$TMP/threads" &&
     [ "$(cat "$TMP/w/guest.conf")" = "SCENARIOS='threads workload build'
BUILD_JOBS=3" ]; then ok "mkguest: a workload of the user's and the threads program"
  else bad "mkguest: a workload of the user's and the threads program (exit $rc)" "$(cat "$TMP/out"; ls -R "$TMP/w" | head; cat "$TMP/w/guest.conf")"; fi
else
  echo "skip mkguest: no /bin/busybox or cpio (make deps)"
fi

finish
