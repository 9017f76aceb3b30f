#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-debuginfod.sh - kvmmmu-report decodes a trace with the DWARF a real
# debuginfod serves it, found by the trace's build-id through libdebuginfod.
#
# The kernel line's newest kernel (tests/kernel/fetch-kernel.sh, cached in
# $KVMMMU_CACHE) gives kvm.ko with DWARF, exactly as its -dbg package holds
# it; it goes into a .deb of its own (indexing the whole -dbg package, near a
# gigabyte of xz, would cost minutes: CHECK_DEBUGINFOD_DEB=dbg serves that
# one instead).  elfutils' debuginfod indexes the .deb itself (-U) and
# serves it on 127.0.0.1, in a network namespace of its own (unshare), so
# nothing outside this test can reach the port.  Then, with DEBUGINFOD_URLS
# naming it and no local debuginfo:
#   - check names the DWARF in the client's cache, and walks --tree is what
#     the same kvm.ko given with --debuginfo makes;
#   - a build-id the server lacks is said on stderr, the built-in tables
#     decode, exit 0;
#   - with the server gone, the client's cache still serves;
#   - a server that accepts and never answers gets the progress line after
#     a second, then the failure once DEBUGINFOD_TIMEOUT passes.
# The trace is a bundled capture of that kernel; when the archive has moved
# past every bundled capture, a copy of one of the same kernel line under a
# header naming the fetched kernel and its build-id (the role layout does
# not change within a line), said in the output.
#
#   CHECK_DEBUGINFOD_KERNEL  the kernel line (default bookworm)
#   KVMMMU_REPORT            the binary (default build/kvmmmu-report)
#   OUT                      work directory (default build/check-debuginfod)
# Ends with "check-debuginfod: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
REPORT=$(realpath "${KVMMMU_REPORT:-build/kvmmmu-report}")
LINE=${CHECK_DEBUGINFOD_KERNEL:-bookworm}
OUT=${OUT:-build/check-debuginfod}
PORT=8002

if [ "${1:-}" = --inside ]; then
	inside=1
	OUT=$2
else
	inside=0
	rm -rf "$OUT"
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
fi
: >>"$OUT/results"
ok()  { echo "PASS $1"; echo pass >>"$OUT/results"; }
bad() { echo "FAIL $1"; echo fail >>"$OUT/results"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 30 | sed 's/^/    /'; return 0; }
finish() { # the tally, from outside only: the inside's results are in the same file
	local p f
	p=$(grep -c '^pass$' "$OUT/results") f=$(grep -c '^fail$' "$OUT/results")
	[ $inside = 1 ] || echo "check-debuginfod: $p passed, $f failed"
	[ "$f" = 0 ]
	exit
}

# ---- inside the namespace: the server, and the reports that ask it ----------
if [ $inside = 1 ]; then
	# shellcheck source=/dev/null
	. "$OUT/env"
	unset DEBUGINFOD_URLS DEBUGINFOD_PROGRESS DEBUGINFOD_VERBOSE
	ip link set lo up || { bad "loopback up in the test's network namespace"; finish; }
	debuginfod -v -U -d "$OUT/db.sqlite" -p $PORT -t 0 -g 0 -c 1 "$OUT/debs" >"$OUT/server.log" 2>&1 &
	server=$!
	trap 'kill $server $silent 2>/dev/null; wait 2>/dev/null' EXIT
	silent=
	# Ready when it serves the build-id: the scan of the .deb is done.
	t0=$(date +%s) ready=0
	while [ $(($(date +%s) - t0)) -lt "${CHECK_DEBUGINFOD_WAIT:-600}" ] && kill -0 $server 2>/dev/null; do
		if python3 - "http://127.0.0.1:$PORT/buildid/$ID/debuginfo" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=10).read(1)
PY
		then ready=1; break; fi
		sleep 0.5
	done
	if [ $ready = 1 ]; then ok "debuginfod on 127.0.0.1:$PORT serves build-id $ID from $(basename "$DEB") ($(($(date +%s) - t0)) s)"
	else bad "debuginfod on 127.0.0.1:$PORT serves build-id $ID from $(basename "$DEB")" "$(tail -n 20 "$OUT/server.log")"; finish; fi

	mkdir -p "$OUT/none"
	client=$OUT/client
	report() { # cache, args...: kvmmmu-report asking the server, no local debuginfo
		local cache=$1; shift
		env DEBUGINFOD_URLS="http://127.0.0.1:$PORT" DEBUGINFOD_CACHE_PATH="$cache" \
			KVMMMU_DEBUGINFO_DIRS="$OUT/none" "$REPORT" "$@"
	}
	report "$client" check "$TRACE" >"$OUT/check.out" 2>"$OUT/check.err"
	want="info bounds and roles from the DWARF of $client/$ID/debuginfo"
	if grep -qxF "$want" "$OUT/check.out"; then ok "check decodes with the DWARF debuginfod served ($want)"
	else bad "check decodes with the DWARF debuginfod served" "$(grep '^info' "$OUT/check.out"; cat "$OUT/check.err")"; fi
	# The same tree as the same kvm.ko given by path, but for the line naming it.
	report "$client" walks --tree "$TRACE" >"$OUT/tree.out" 2>"$OUT/tree.err"; rc=$?
	KVMMMU_DEBUGINFO_DIRS="$OUT/none" "$REPORT" walks --tree --debuginfo "$KO" "$TRACE" >"$OUT/tree.local" 2>/dev/null
	roles="roles: decoded with the DWARF of $client/$ID/debuginfo"
	if [ $rc = 0 ] && grep -qxF "$roles" "$OUT/tree.out" &&
	   cmp -s <(grep -v '^roles: decoded with' "$OUT/tree.out") <(grep -v '^roles: decoded with' "$OUT/tree.local"); then
		ok "walks --tree through debuginfod is walks --tree --debuginfo $(basename "$KO") ($(wc -l <"$OUT/tree.out") lines, '$roles')"
	else bad "walks --tree through debuginfod is walks --tree --debuginfo kvm.ko (exit $rc)" \
		"$(diff "$OUT/tree.local" "$OUT/tree.out" | head -n 10; cat "$OUT/tree.err")"; fi
	if ! grep -q 'debuginfod\|fetch' "$OUT/tree.err"; then ok "no progress line for a download under a second"
	else bad "no progress line for a download under a second" "$(cat "$OUT/tree.err")"; fi

	# A build-id the server does not have.
	zero=0000000000000000000000000000000000000000
	sed "1s/ build_id=[0-9a-f]*/ build_id=$zero/" "$TRACE" >"$OUT/unknown.trace"
	report "$OUT/client-unknown" check "$OUT/unknown.trace" >"$OUT/unknown.out" 2>"$OUT/unknown.err"
	want="kvmmmu-report: debuginfod: no debuginfo for build-id $zero from http://127.0.0.1:$PORT: No such file or directory"
	if grep -qxF "$want" "$OUT/unknown.err" && grep -q '^info bounds and roles from the built-in table' "$OUT/unknown.out"; then
		ok "a build-id the server lacks: said once, the built-in table decodes"
	else bad "a build-id the server lacks: said once, the built-in table decodes" "$(cat "$OUT/unknown.err"; grep '^info' "$OUT/unknown.out")"; fi
	report "$OUT/client-unknown2" check --quiet "$OUT/unknown.trace" >/dev/null 2>"$OUT/quiet.err"
	if [ ! -s "$OUT/quiet.err" ]; then ok "--quiet says nothing of debuginfod"
	else bad "--quiet says nothing of debuginfod" "$(cat "$OUT/quiet.err")"; fi

	# The server gone: the client's cache serves.
	kill $server; wait $server 2>/dev/null
	report "$client" check "$TRACE" >"$OUT/cached.out" 2>&1
	if grep -qxF "info bounds and roles from the DWARF of $client/$ID/debuginfo" "$OUT/cached.out"; then
		ok "with the server gone, the client's cache serves"
	else bad "with the server gone, the client's cache serves" "$(grep '^info\|debuginfod' "$OUT/cached.out")"; fi

	# A server that accepts and never answers.
	exec 3< <(python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1], flush=True)
time.sleep(120)
')
	silent=$!
	read -r sport <&3
	t0=$(date +%s%N)
	env DEBUGINFOD_URLS="http://127.0.0.1:$sport" DEBUGINFOD_CACHE_PATH="$OUT/client-slow" DEBUGINFOD_TIMEOUT=3 DEBUGINFOD_RETRY_LIMIT=0 \
		KVMMMU_DEBUGINFO_DIRS="$OUT/none" "$REPORT" walks --tree "$TRACE" >"$OUT/slow.out" 2>"$OUT/slow.err"; rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	if [ $rc = 0 ] && grep -q "^kvmmmu-report: fetching the debuginfo of build-id $ID from http://127.0.0.1:$sport: 0 KiB$" "$OUT/slow.err" &&
	   grep -q "^kvmmmu-report: debuginfod: no debuginfo for build-id $ID from http://127.0.0.1:$sport: " "$OUT/slow.err"; then
		ok "a server that never answers: a progress line, then the failure after DEBUGINFOD_TIMEOUT=3 ($ms ms), exit 0"
	else bad "a server that never answers: a progress line, then the failure, exit 0 (exit $rc, $ms ms)" "$(cat "$OUT/slow.err")"; fi
	finish
fi

# ---- outside: the kernel, the .deb, the trace --------------------------------
for cmd in debuginfod bsdtar python3 ip unshare dpkg-deb readelf; do
	command -v $cmd >/dev/null || { bad "$cmd missing (make deps installs it)"; finish; }
done
[ -x "$REPORT" ] || { bad "$REPORT missing (make builds it)"; finish; }
tests/kernel/fetch-kernel.sh "$LINE" >"$OUT/fetch.out" 2>"$OUT/fetch.log"; rc=$?
kdir=$(tail -n 1 "$OUT/fetch.out")
if [ $rc = 3 ]; then
	echo "check-debuginfod: skipped: the Debian archive could not give line $LINE's kernel"
	tail -n 5 "$OUT/fetch.log"; exit 3
fi
if [ $rc != 0 ] || [ ! -f "$kdir/dbg/kvm.ko" ]; then
	bad "the kernel of line $LINE fetched (exit $rc)" "$(tail -n 20 "$OUT/fetch.log")"; finish
fi
KVER=$(basename "$kdir") KO=$kdir/dbg/kvm.ko
ID=$(readelf -n "$KO" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p' | head -n 1)
[ -n "$ID" ] || { bad "a build-id in $KO"; finish; }

TRACE=
for t in tests/traces/*/zap_unsync.trace; do
	if head -n 1 "$t" | grep -q " build_id=$ID\( \|$\)"; then TRACE=$(realpath "$t"); break; fi
done
if [ -n "$TRACE" ]; then
	echo "check-debuginfod: $KVER (build-id $ID): the bundled ${TRACE#"$PWD/"}"
else
	# The archive has moved past the bundled captures: one of this line's
	# kernel series under a header naming the fetched kernel.
	series=$(sed 's/^\([0-9]*\.[0-9]*\).*/\1/' <<<"$KVER")
	src=$(for t in tests/traces/"$series".*/zap_unsync.trace; do [ -f "$t" ] && echo "$t"; done | sort | tail -n 1)
	[ -n "$src" ] || { bad "a bundled zap_unsync capture of kernel series $series"; finish; }
	TRACE=$OUT/zap_unsync.trace
	awk -v r="$KVER" -v id="$ID" 'NR == 1 && $1 == "kvmmmu" { $3 = r; $0 = $0; sub(/ build_id=[0-9a-f]*/, ""); $0 = $0 " build_id=" id } { print }' \
		"$src" >"$TRACE"
	echo "check-debuginfod: $KVER (build-id $ID): no bundled capture of it; the records of $src under a header naming it"
fi

if [ "${CHECK_DEBUGINFOD_DEB:-kvm}" = dbg ]; then
	cache=${KVMMMU_CACHE:-$HOME/.cache/kvmmmu}
	DEB=$(ls "$cache"/debs/linux-image-"$KVER"-dbg_*.deb 2>/dev/null | head -n 1)
	[ -f "$DEB" ] || { bad "linux-image-$KVER-dbg's .deb in $cache/debs"; finish; }
	mkdir -p "$OUT/debs" && ln -s "$DEB" "$OUT/debs/"
else
	pkg=$OUT/pkg
	mkdir -p "$pkg/DEBIAN" "$pkg/usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm" "$OUT/debs"
	cp "$KO" "$pkg/usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm/kvm.ko"
	cat >"$pkg/DEBIAN/control" <<-EOF
	Package: kvmmmu-test-kvm-dbg
	Version: 1
	Architecture: amd64
	Maintainer: kvmmmu tests <tests@localhost>
	Description: kvm.ko of $KVER with its DWARF, as linux-image-$KVER-dbg has it
	EOF
	DEB=$OUT/debs/kvmmmu-test-kvm-dbg_1_amd64.deb
	dpkg-deb -Znone -b "$pkg" "$DEB" >/dev/null 2>"$OUT/deb.log" || { bad "dpkg-deb -b" "$(cat "$OUT/deb.log")"; finish; }
	rm -rf "$pkg"
fi
printf 'REPORT=%q\nID=%q\nKO=%q\nTRACE=%q\nDEB=%q\n' "$REPORT" "$ID" "$KO" "$TRACE" "$DEB" >"$OUT/env"

if [ "$(id -u)" = 0 ]; then ns="unshare --net"; else ns="unshare --map-root-user --net"; fi
$ns "$0" --inside "$OUT"
finish
