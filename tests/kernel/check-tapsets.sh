#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-tapsets.sh KVER... - build (stap -p4) every script in scripts/ and
# every buildok file in tests/buildok/ for each Debian kernel KVER, with the
# kernel files fetch-kernel.sh caches.  One line per script per kernel:
#
#   PASS p4 KVER scripts/zap_unsync.stp (12 s)
#   FAIL p4 KVER scripts/zap_unsync.stp (log: DIR/zap_unsync.log)
#
# then a summary.  Exit status: 0 all built, 1 a build failed, 3 the Debian
# archive could not give a kernel's packages (nothing was built for it).
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ $# -ge 1 ] || { echo "usage: $0 KVER..." >&2; exit 2; }
CACHE=${KVMMMU_CACHE:-${HOME:?}/.cache/kvmmmu}

pass=0 fail=0 unavailable=0
for kver in "$@"; do
	start=$(date +%s)
	rc=0
	d=$("$here/fetch-kernel.sh" "$kver") || rc=$?
	d=$(printf '%s\n' "$d" | tail -n1)
	if [ $rc -ne 0 ] || [ ! -d "$d/build" ]; then
		[ $rc -ne 0 ] || rc=1
		echo "FAIL p4 $kver: cannot get the kernel files (see above)"
		[ "$rc" -eq 3 ] && unavailable=$((unavailable + 1)) || fail=$((fail + 1))
		continue
	fi
	echo "kernel $kver ready in $(( $(date +%s) - start )) s: $d"
	out=$CACHE/check/$kver
	mkdir -p "$out"
	for s in "$top"/scripts/*.stp "$top"/tests/buildok/*.stp; do
		[ -f "$s" ] || continue
		rel=${s#"$top"/}
		name=$(basename "$s" .stp | tr -- '-.' '__')
		t0=$(date +%s)
		if (cd "$out" && rm -f "$name.ko" &&
		    stap -p4 -r "$d/build" -R "$d/runtime" -I "$top/tapsets" -m "$name" "$s") \
		    > "$out/$name.log" 2>&1 && [ -f "$out/$name.ko" ]; then
			echo "PASS p4 $kver $rel ($(( $(date +%s) - t0 )) s)"
			pass=$((pass + 1))
		else
			echo "FAIL p4 $kver $rel (log: $out/$name.log)"
			grep -E 'error|semantic|ERROR' "$out/$name.log" | head -n 8 | sed 's/^/    /'
			fail=$((fail + 1))
		fi
	done
done

[ $unavailable -eq 0 ] || echo "check-tapsets: the Debian archive could not give $unavailable kernel(s): not built"
echo "check-tapsets: $pass passed, $fail failed"
[ $fail -eq 0 ] || exit 1
[ $unavailable -eq 0 ] || exit 3
exit 0
