#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-light-build.sh - kvmmmu-report builds and runs with only glib and
# libdw: a fresh build in OUT (default build/check-light) with pkg-config
# seeing none of cairo's and Graphviz's .pc files (PKG_CONFIG_LIBDIR: every
# other file of the default search path) and, as root, their header
# directories hidden under empty tmpfs mounts in a private mount namespace
# (unshare), so that no object of kvmmmu-report can reach them.  Then: the
# binary needs neither library, reports a bundled trace as make check
# expects, and html says what it cannot run; kvmmmu-report-html stops make
# with one message naming cairo and libgvc, before any compiler runs.
# Ends with "check-light-build: N passed, N failed".
set -u
cd "$(dirname "$0")/../.."
unset DEBUGINFOD_URLS  # the bundled trace decodes as make check expects it
OUT=${OUT:-build/check-light}
pass=0 fail=0
ok()  { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 30 | sed 's/^/    /'; return 0; }

rm -rf "$OUT"
mkdir -p "$OUT/pc"
OUT=$(cd "$OUT" && pwd)
B=$OUT/b

# pkg-config's own search path, but for the drawing libraries' files.
hidden='^(cairo.*|libgvc|libcgraph|libcdt|libpathplan|libxdot)\.pc$'
IFS=: read -r -a dirs <<<"$(pkg-config --variable pc_path pkg-config)"
for d in "${dirs[@]}"; do
	for f in "$d"/*.pc; do
		[ -f "$f" ] || continue
		n=$(basename "$f")
		[[ $n =~ $hidden ]] && continue
		[ -e "$OUT/pc/$n" ] || ln -s "$f" "$OUT/pc/$n"
	done
done
export PKG_CONFIG_LIBDIR=$OUT/pc
if pkg-config --exists glib-2.0 libdw && ! pkg-config --exists cairo && ! pkg-config --exists libgvc; then
	ok "pkg-config finds glib-2.0 and libdw, not cairo or libgvc"
else bad "pkg-config finds glib-2.0 and libdw, not cairo or libgvc"; fi

# make in a namespace where the drawing headers are not there either
hide=
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	for d in /usr/include/cairo /usr/include/graphviz; do
		[ -d "$d" ] && hide="$hide mount -t tmpfs none $d &&"
	done
fi
[ -n "$hide" ] || echo "note: the headers of cairo and Graphviz are not hidden (needs root and unshare)"
build() { # target, log
	if [ -n "$hide" ]; then
		unshare --mount --propagation private sh -c "$hide"' exec "$@"' sh \
			make --no-print-directory -j2 B="$B" "$1" >"$2" 2>&1
	else make --no-print-directory -j2 B="$B" "$1" >"$2" 2>&1; fi
}
if [ -n "$hide" ]; then
	if unshare --mount --propagation private sh -c "$hide"' [ ! -e /usr/include/cairo/cairo.h ] && [ ! -e /usr/include/graphviz/gvc.h ]'; then
		ok "the headers of cairo and Graphviz hidden in the build's namespace"
	else bad "the headers of cairo and Graphviz hidden in the build's namespace"; hide=; fi
fi

if build "$B/kvmmmu-report" "$OUT/build.log" && [ -x "$B/kvmmmu-report" ]; then ok "make $B/kvmmmu-report"
else bad "make $B/kvmmmu-report (log: $OUT/build.log)" "$(tail -n 20 "$OUT/build.log")"; fi
if grep -q 'cairo\|graphviz\|gvc' "$OUT/build.log"; then bad "the build of kvmmmu-report names no drawing library" "$(grep 'cairo\|graphviz\|gvc' "$OUT/build.log" | head -n 3)"
else ok "the build of kvmmmu-report names no drawing library"; fi
if [ -x "$B/kvmmmu-report" ]; then
	needed=$(readelf -d "$B/kvmmmu-report" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	if grep -q 'libglib-2.0' <<<"$needed" && grep -q 'libdw' <<<"$needed" && ! grep -q 'cairo\|gvc\|cgraph' <<<"$needed"; then
		ok "kvmmmu-report needs $needed"
	else bad "kvmmmu-report needs glib and libdw, no drawing library" "$needed"; fi
	exp=tests/traces/6.1.0-56-amd64/zap_unsync.expected
	for r in "summary|summary" "walks-tree|walks --tree"; do
		name=${r%%|*} args=${r#*|}
		# shellcheck disable=SC2086
		KVMMMU_DEBUGINFO_DIRS= "$B/kvmmmu-report" $args tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$OUT/out" 2>"$OUT/err"; rc=$?
		if [ $rc = 0 ] && cmp -s "$exp/$name.txt" "$OUT/out"; then ok "kvmmmu-report $args on a bundled trace"
		else bad "kvmmmu-report $args on a bundled trace (exit $rc)" "$(diff -u "$exp/$name.txt" "$OUT/out" | head -n 20; cat "$OUT/err")"; fi
	done
	"$B/kvmmmu-report" html tests/traces/6.1.0-56-amd64/zap_unsync.trace >"$OUT/out" 2>"$OUT/err"; rc=$?
	if [ $rc = 2 ] && grep -q "^kvmmmu-report html: cannot run $B/kvmmmu-report-html: No such file or directory$" "$OUT/err"; then
		ok "kvmmmu-report html names the missing kvmmmu-report-html"
	else bad "kvmmmu-report html names the missing kvmmmu-report-html (exit $rc)" "$(cat "$OUT/err")"; fi
fi

# the HTML binary: one clear stop, naming what to install
build "$B/kvmmmu-report-html" "$OUT/html.log"; rc=$?
if [ $rc != 0 ] && grep -q "needs cairo libgvc, which pkg-config does not find (Debian: libcairo2-dev libgraphviz-dev;" "$OUT/html.log" &&
   ! grep -q 'No such file\|\.h:\|error:' "$OUT/html.log"; then
	ok "make kvmmmu-report-html stops naming cairo and libgvc"
else bad "make kvmmmu-report-html stops naming cairo and libgvc (exit $rc)" "$(cat "$OUT/html.log")"; fi
if [ ! -e "$B/kvmmmu-report-html" ]; then ok "no kvmmmu-report-html made"
else bad "a kvmmmu-report-html was made without cairo and libgvc"; fi

echo "check-light-build: $pass passed, $fail failed"
[ $fail = 0 ]
