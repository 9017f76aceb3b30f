#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-deb.sh - the Debian packages as a user gets them: built with
# dpkg-buildpackage -us -uc -b from a clean copy of the tree, lintian with
# no error, installed into this machine with dpkg, the installed
# kvmmmu-report run on a bundled trace, the installed tapsets found by stap
# with no -I (stap -p2 against a kernel fetch-kernel.sh fetched, with its -r
# build directory and -R runtime, as tests/kernel/stap-module.sh does), then
# both packages purged and nothing of theirs left.  Ends with
# "check-deb: N passed, N failed".
#
#   OUT               scratch directory (default build/check-deb), replaced
#   CHECK_DEB_KERNEL  the kernel line or ABI for stap -p2 (default bookworm);
#                     its systemtap must be this machine's (toolchain host)
#
# Needs root (dpkg -i).  Refuses to run over a kvmmmu already installed:
# dpkg would take its files over and the purge remove them.
# Exit status: 0 all passed, 1 a check failed, 2 cannot run here, 3 the
# Debian archive could not give the kernel (the rest was checked).
set -u
unset DEBUGINFOD_URLS  # the bundled trace decodes as make check expects it
cd "$(dirname "$0")/../.."
top=$(pwd)
OUT=${OUT:-build/check-deb}
KERNEL=${CHECK_DEB_KERNEL:-bookworm}
PKGS="kvmmmu systemtap-kvmmmu"
pass=0 fail=0 skip=0
ok()  { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | head -n 30 | sed 's/^/    /'; return 0; }
finish() {
	echo "check-deb: $pass passed, $fail failed$( [ $skip -eq 0 ] || echo ", $skip skipped")"
	[ $fail -eq 0 ] || exit 1
	[ $skip -eq 0 ] || exit 3
	exit 0
}
cant() { echo "check-deb: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || cant "dpkg -i needs root"
for t in dpkg-buildpackage lintian stap git; do
	command -v $t >/dev/null || cant "$t is not installed (make deps)"
done
for p in $PKGS; do
	if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -qv 'not-installed'; then
		cant "$p is installed already (dpkg --purge $p first)"
	fi
done
for f in /usr/bin/kvmmmu-report /usr/bin/kvmmmu-report-html /usr/share/systemtap/tapset/kvmmmu_walk.stp; do
	[ ! -e "$f" ] || cant "$f is there and no package has it (make uninstall PREFIX=/usr first)"
done

version=$(dpkg-parsechangelog -l debian/changelog -S Version) || cant "debian/changelog has no version"
arch=$(dpkg --print-architecture)
rm -rf "$OUT"
mkdir -p "$OUT/src/kvmmmu-$version" "$OUT/tmp"
OUT=$(cd "$OUT" && pwd)
src=$OUT/src/kvmmmu-$version
T=$OUT/tmp

# ---- build ----------------------------------------------------------------
# A clean copy: the files git knows (committed or new, not ignored), no
# build output; dpkg-buildpackage puts the .debs beside it, in $OUT/src.
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf - | tar -x -C "$src" || cant "cannot copy the tree into $src"
t0=$(date +%s)
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b ($(( $(date +%s) - t0 )) s)"
else
	bad "dpkg-buildpackage -us -uc -b (log: $OUT/build.log)" "$(tail -n 30 "$OUT/build.log")"
	finish
fi
deb_kvmmmu=$OUT/src/kvmmmu_${version}_$arch.deb
deb_tapsets=$OUT/src/systemtap-kvmmmu_${version}_all.deb
for d in "$deb_kvmmmu" "$deb_tapsets"; do
	[ -f "$d" ] || { bad "no $(basename "$d") made" "$(ls "$OUT/src")"; finish; }
done

# What each package holds, against the tree's own lists.
{
	echo "-rwxr-xr-x ./usr/bin/kvmmmu-report"
	echo "-rwxr-xr-x ./usr/bin/kvmmmu-report-html"
	echo "-rwxr-xr-x ./usr/bin/kvmmmu"
	echo "-rw-r--r-- ./usr/share/man/man1/kvmmmu-report.1.gz"
	echo "-rw-r--r-- ./usr/share/man/man1/kvmmmu.1.gz"
} | sort >"$T/want-kvmmmu"
{
	for f in tapsets/*.stp tapsets/*.stpm; do echo "-rw-r--r-- ./usr/share/systemtap/tapset/${f#tapsets/}"; done
	for f in scripts/*.stp; do echo "-rwxr-xr-x ./usr/share/kvmmmu/scripts/${f#scripts/}"; done
} | sort >"$T/want-tapsets"
files() { dpkg-deb -c "$1" | awk '$1 ~ /^-/ && $6 !~ /^\.\/usr\/share\/doc\// { print $1, $6 }' | sort; }
files "$deb_kvmmmu" >"$T/have-kvmmmu"
files "$deb_tapsets" >"$T/have-tapsets"
if cmp -s "$T/want-kvmmmu" "$T/have-kvmmmu"; then ok "kvmmmu: the binaries and the man page"
else bad "kvmmmu: what it holds" "$(diff -u "$T/want-kvmmmu" "$T/have-kvmmmu")"; fi
if cmp -s "$T/want-tapsets" "$T/have-tapsets"; then ok "systemtap-kvmmmu: every tapset in /usr/share/systemtap/tapset, the scripts executable"
else bad "systemtap-kvmmmu: what it holds" "$(diff -u "$T/want-tapsets" "$T/have-tapsets")"; fi
if dpkg-deb -f "$deb_tapsets" Depends | grep -qw systemtap; then ok "systemtap-kvmmmu depends on systemtap"
else bad "systemtap-kvmmmu depends on systemtap" "$(dpkg-deb -f "$deb_tapsets" Depends)"; fi
# Reading traces needs no SystemTap: kvmmmu only recommends the probes.
if ! dpkg-deb -f "$deb_kvmmmu" Depends | grep -qw systemtap &&
   dpkg-deb -f "$deb_kvmmmu" Recommends | grep -qw systemtap-kvmmmu; then
	ok "kvmmmu does not depend on systemtap, recommends systemtap-kvmmmu"
else bad "kvmmmu's dependencies" "Depends: $(dpkg-deb -f "$deb_kvmmmu" Depends); Recommends: $(dpkg-deb -f "$deb_kvmmmu" Recommends)"; fi

# ---- lintian ----------------------------------------------------------------
# (it warns about running as root on stderr; the verdicts are on stdout)
lintian "$OUT/src/kvmmmu_${version}_$arch.changes" >"$OUT/lintian.log" 2>"$OUT/lintian.err"
grep -E '^(E|W): ' "$OUT/lintian.log" | sed 's/^/    lintian: /'
errors=$(grep -c '^E: ' "$OUT/lintian.log")
if [ "$errors" = 0 ] && ! grep -qv 'running with root privileges' "$OUT/lintian.err"; then
	ok "lintian: no error ($(grep -c '^W: ' "$OUT/lintian.log") warnings, above)"
else bad "lintian: $errors errors (log: $OUT/lintian.log)" "$(grep '^E: ' "$OUT/lintian.log"; grep -v 'running with root privileges' "$OUT/lintian.err")"; fi

# ---- installed ----------------------------------------------------------------
purge() { dpkg --purge $PKGS >"$OUT/purge.log" 2>&1; }
trap purge EXIT
if dpkg -i "$deb_tapsets" "$deb_kvmmmu" >"$OUT/install.log" 2>&1; then ok "dpkg -i both packages"
else bad "dpkg -i both packages (log: $OUT/install.log)" "$(tail -n 20 "$OUT/install.log")"; fi
dpkg -L $PKGS 2>/dev/null | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done >"$T/installed"

# From a directory away from the tree, by name: what PATH finds.
cd "$T" || exit 2
exp=$top/tests/traces/6.1.0-56-amd64/zap_unsync.expected
trace=$top/tests/traces/6.1.0-56-amd64/zap_unsync.trace
if [ "$(command -v kvmmmu-report)" = /usr/bin/kvmmmu-report ]; then ok "kvmmmu-report on PATH is /usr/bin/kvmmmu-report"
else bad "kvmmmu-report on PATH is /usr/bin/kvmmmu-report" "$(command -v kvmmmu-report)"; fi
v=$(kvmmmu-report --version 2>&1)
case $v in
"kvmmmu-report $version "*) ok "kvmmmu-report --version says the package's version ($v)" ;;
*) bad "kvmmmu-report --version says the package's version $version" "$v" ;;
esac
# expected outputs use the built-in role tables, not this machine's debuginfo
KVMMMU_DEBUGINFO_DIRS= kvmmmu-report walks --tree "$trace" >"$T/out" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && cmp -s "$exp/walks-tree.txt" "$T/out"; then ok "installed kvmmmu-report walks --tree on a bundled trace"
else bad "installed kvmmmu-report walks --tree (exit $rc)" "$(diff -u "$exp/walks-tree.txt" "$T/out" | head -n 20; cat "$T/err")"; fi
# the front end: the installed scripts, whose tapsets stap finds itself
out=$(kvmmmu record --dry-run -s root_hpa 2>&1); rc=$?
if [ $rc = 0 ] && [ "$out" = "'stap' '/usr/share/kvmmmu/scripts/root_hpa.stp' >'kvmmmu.trace' 2>&1" ]; then
	ok "installed kvmmmu record runs /usr/share/kvmmmu/scripts/root_hpa.stp, no -I"
else bad "installed kvmmmu record runs the installed script, no -I (exit $rc)" "$out"; fi
kvmmmu-report html -o "$T/page.html" "$trace" 2>"$T/err"; rc=$?
if [ $rc = 0 ] && grep -q '<title>kvmmmu report: 6.1.0-56-amd64' "$T/page.html" && grep -q '<svg' "$T/page.html"; then
	ok "installed kvmmmu-report html runs /usr/bin/kvmmmu-report-html"
else bad "installed kvmmmu-report html (exit $rc)" "$(cat "$T/err")"; fi

# stap with no -I: the tapsets in its own directory.
p2() { # what...
	stap -p2 -r "$kdir/build" -R "$kdir/runtime" "$@"
}
rc=0
kdir=$("$top/tests/kernel/fetch-kernel.sh" "$KERNEL" 2>"$OUT/fetch-kernel.log") || rc=$?
kdir=$(printf '%s\n' "$kdir" | tail -n 1)
if [ $rc = 3 ]; then
	echo "SKIP stap -p2: the Debian archive could not give kernel $KERNEL: $(tail -n 2 "$OUT/fetch-kernel.log" | tr '\n' ' ')"
	skip=$((skip + 1)); kdir=
elif [ $rc != 0 ] || [ ! -d "$kdir/build" ]; then
	bad "kernel $KERNEL: fetch-kernel.sh failed (log: $OUT/fetch-kernel.log)" "$(tail -n 5 "$OUT/fetch-kernel.log")"; kdir=
elif [ "$(cat "$kdir/toolchain")" != host ]; then
	bad "kernel $KERNEL: its systemtap is not this machine's ($(cat "$kdir/toolchain")); CHECK_DEB_KERNEL=bookworm"; kdir=
fi
if [ -n "$kdir" ]; then
	kver=$(basename "$kdir")
	if p2 -e 'probe kvmmmu.zap_step { }' >"$T/p2.out" 2>"$T/p2.err" && grep -q '^module("kvm")\.statement(' "$T/p2.out"; then
		ok "stap -p2 -e 'probe kvmmmu.zap_step { }' against $kver, no -I"
	else bad "stap -p2 -e 'probe kvmmmu.zap_step { }' against $kver, no -I" "$(cat "$T/p2.err")"; fi
	for s in /usr/share/kvmmmu/scripts/*.stp; do
		if p2 "$s" >"$T/p2.out" 2>"$T/p2.err"; then ok "stap -p2 $s against $kver, no -I"
		else bad "stap -p2 $s against $kver, no -I" "$(cat "$T/p2.err")"; fi
	done
fi

# ---- purged ----------------------------------------------------------------
trap - EXIT
if purge; then ok "dpkg --purge $PKGS"
else bad "dpkg --purge $PKGS (log: $OUT/purge.log)" "$(cat "$OUT/purge.log")"; fi
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done <"$T/installed")
if [ "$(wc -l <"$T/installed")" -ge 10 ] && [ -z "$left" ] && [ ! -e /usr/share/kvmmmu ]; then
	ok "purged: none of the $(wc -l <"$T/installed") installed files left"
else bad "purged: files left" "$left"; fi
# and stap no longer knows the probe: the -p2 above needed the package
if [ -n "$kdir" ]; then
	if p2 -e 'probe kvmmmu.zap_step { }' >"$T/p2-purged.out" 2>"$T/p2-purged.err"; then
		bad "purged: stap -p2 still resolves kvmmmu.zap_step without -I"
	elif grep -q "probe point mismatch.*identifier 'kvmmmu'" "$T/p2-purged.err"; then
		ok "purged: stap no longer resolves kvmmmu.zap_step without -I"
	else bad "purged: stap -p2 fails, but not for want of kvmmmu" "$(cat "$T/p2-purged.err")"; fi
fi
finish
