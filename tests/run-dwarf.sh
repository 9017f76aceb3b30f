#!/usr/bin/env bash
# DWARF: role layouts from gcc -g fixtures, and the real kvm.ko
# The fixture declares each historical layout; DWARF 5 gives
# DW_AT_data_bit_offset, -gdwarf-4 gives DW_AT_bit_offset: both must read
# the same fields as the built-in table for that kernel line.
. "$(dirname "$0")/test-subr.sh"

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
# A header cut short at the end of the input (a capture stopped right after
# it began) may have lost the end of its build_id: that is not compared
# with debuginfo's, so the captures before it still decode.
own=$(readelf -n "$TMP/role.so" | awk '/Build ID:/ { print $3 }')
{ printf '%s\n' "kvmmmu 1 6.1.0-56-amd64 lab 1000 build_id=$own" \
    "walk 2000 0 1 1 0 a 2 a,3704,0,4294967295,0 b,13703,1,4,0"
  printf '%s' "kvmmmu 1 6.1.0-56-amd64 lab 3000 build_id=${own:0:12}"; } >"$TMP/cut-bid.trace"
"$R" walks --tree --debuginfo "$TMP/role.so" "$TMP/cut-bid.trace" >"$TMP/out" 2>&1; rc=$?
if [ -n "$own" ] && [ $rc = 1 ] && ! grep -q "Cannot use debuginfo" "$TMP/out" \
   && grep -qF "cut-bid.trace:3: line: last line has no newline" "$TMP/out" \
   && grep -qF "roles: decoded with the DWARF of $TMP/role.so" "$TMP/out"; then
  ok "dwarf: a build_id cut with its header is not compared"
else bad "dwarf: a build_id cut with its header is not compared (exit $rc)" "$(cat "$TMP/out")"; fi
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

finish
