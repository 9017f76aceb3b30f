#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkguest.sh OUT SCENARIOS - the initramfs of the nested Linux guest
# (make lab GUEST=linux), a gzipped newc cpio in OUT:
#   /init          tests/lab/guest-init.sh
#   /bin/busybox   busybox-static, with a link for every applet
#   /bin/guest-threads  GUEST_THREADS (tests/lab/guest-threads.c, static),
#                  when the scenarios hold threads
#   /bin/kvmmmu-mark    tests/lab/guest-mark.sh
#   /workload      GUEST_WORKLOAD, when the scenarios hold workload
#   /guest.conf    SCENARIOS, and IDLE_S, STORM_PROCS, STORM_EACH, BUILD_UNITS,
#                  BUILD_JOBS, THREADS_ROUNDS, THREADS_N when set in the
#                  environment
# About 1 MB: the smaller it is, the sooner the nested guest boots.
set -eu

me=mkguest
die() { echo "$me: $*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: $0 OUT SCENARIOS" >&2; exit 2; }
OUT=$1 SCENARIOS=$2
here=$(cd "$(dirname "$0")" && pwd)
BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -f "$BUSYBOX" ] || die "missing $BUSYBOX"

for s in $SCENARIOS; do
	case $s in
	idle|storm|build) ;;
	threads) [ -f "${GUEST_THREADS:-}" ] || die "threads needs GUEST_THREADS, the static guest-threads" ;;
	workload) [ -f "${GUEST_WORKLOAD:-}" ] || die "workload needs GUEST_WORKLOAD, a shell script (not found: '${GUEST_WORKLOAD:-}')" ;;
	*) die "no scenario named '$s' (scenarios: idle storm build threads workload)" ;;
	esac
done
# number NAME VALUE: VALUE empty or a whole number.
number() {
	case $2 in
	'') ;;
	*[!0-9]*) die "$1 must be a whole number, not '$2'" ;;
	esac
}
number IDLE_S "${IDLE_S:-}"
number STORM_PROCS "${STORM_PROCS:-}"
number STORM_EACH "${STORM_EACH:-}"
number BUILD_UNITS "${BUILD_UNITS:-}"
number BUILD_JOBS "${BUILD_JOBS:-}"
number THREADS_ROUNDS "${THREADS_ROUNDS:-}"
number THREADS_N "${THREADS_N:-}"

root=$(mktemp -d "${TMPDIR:-/tmp}/kvmmmu-guest.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
cp "$here/guest-mark.sh" "$root/bin/kvmmmu-mark"
chmod 755 "$root/bin/kvmmmu-mark"
case " $SCENARIOS " in *" threads "*) cp "$GUEST_THREADS" "$root/bin/guest-threads" ;; esac
case " $SCENARIOS " in *" workload "*) cp "$GUEST_WORKLOAD" "$root/workload" ;; esac
{
	echo "SCENARIOS='$SCENARIOS'"
	for v in IDLE_S STORM_PROCS STORM_EACH BUILD_UNITS BUILD_JOBS THREADS_ROUNDS THREADS_N; do
		eval "x=\${$v:-}"
		[ -z "$x" ] || echo "$v=$x"
	done
} > "$root/guest.conf"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -9 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
