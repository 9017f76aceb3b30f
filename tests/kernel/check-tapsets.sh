#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-tapsets.sh KERNEL... - build (stap -p4) every script in scripts/ and
# every buildok file in tests/buildok/ for each KERNEL (a line of
# tests/kernel/lines, resolved to its newest kernel now, or an exact kernel
# ABI), with that line's own systemtap and the kernel files fetch-kernel.sh
# caches.  One line per script per kernel:
#
#   PASS p4 KVER scripts/zap_unsync.stp (12 s)
#   FAIL p4 KVER scripts/zap_unsync.stp (log: DIR/zap_unsync.log)
#   SKIP KERNEL: the Debian archive could not give its packages: <its words>
#
# then a summary.  Exit status: 0 all built, 1 a build failed, 3 the Debian
# archive could not give a kernel's packages (nothing was built for it) and
# nothing else failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 KERNEL..." >&2; exit 2; }
CACHE=${KVMMMU_CACHE:-${HOME:?}/.cache/kvmmmu}
mkdir -p "$CACHE"

pass=0 fail=0 unavailable=0
for k in "$@"; do
	start=$(date +%s)
	rc=0
	d=$("$here/fetch-kernel.sh" "$k" 2>"$CACHE/fetch-$k.log") || rc=$?
	sed 's/^/    /' "$CACHE/fetch-$k.log"
	d=$(printf '%s\n' "$d" | tail -n1)
	if [ $rc -eq 3 ]; then
		echo "SKIP $k: the Debian archive could not give its packages: $(grep -v '^fetch-kernel: \(downloading\|listing\|unpacking\|line\)' "$CACHE/fetch-$k.log" | tail -n 2 | tr '\n' ' ')"
		unavailable=$((unavailable + 1))
		continue
	fi
	if [ $rc -ne 0 ] || [ ! -d "$d/build" ]; then
		echo "FAIL p4 $k: cannot get the kernel files (see above)"
		fail=$((fail + 1))
		continue
	fi
	kver=$(basename "$d")
	echo "kernel $k: $kver, systemtap $(cat "$d/stap-version") ($(cat "$d/toolchain")), ready in $(( $(date +%s) - start )) s"
	out=$CACHE/check/$kver
	mkdir -p "$out"
	for s in "$top"/scripts/*.stp "$top"/tests/buildok/*.stp; do
		[ -f "$s" ] || continue
		rel=${s#"$top"/}
		name=$(basename "$s" .stp | tr -- '-.' '__')
		t0=$(date +%s)
		if "$here/stap-module.sh" "$d" "$s" "$out" "$name" > "$out/$name.log" 2>&1; then
			echo "PASS p4 $kver $rel ($(( $(date +%s) - t0 )) s)"
			pass=$((pass + 1))
		else
			echo "FAIL p4 $kver $rel (log: $out/$name.log)"
			grep -E 'error|semantic|ERROR' "$out/$name.log" | head -n 8 | sed 's/^/    /'
			fail=$((fail + 1))
		fi
	done
	echo "kernel $k: checked in $(( $(date +%s) - start )) s"
done

[ $unavailable -eq 0 ] || echo "check-tapsets: the Debian archive could not give $unavailable kernel(s): skipped"
echo "check-tapsets: $pass passed, $fail failed$( [ $unavailable -eq 0 ] || echo ", $unavailable skipped")"
[ $fail -eq 0 ] || exit 1
[ $unavailable -eq 0 ] || exit 3
exit 0
