#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# stap-module.sh KERNEL SCRIPT OUTDIR [NAME] - compile SCRIPT (with the
# tapsets of this tree) into OUTDIR/NAME.ko for a Debian kernel that need not
# be running: stap -p4 -r <offline build dir> -R <patched runtime> -m NAME,
# with the systemtap of that kernel's line (tests/kernel/lines: this
# machine's, or its release's chroot).  KERNEL is a line name or a kernel ABI
# (fetch-kernel.sh makes its files, cached in $KVMMMU_CACHE), or the
# directory fetch-kernel.sh printed.  NAME defaults to the script's base
# name.  Prints the module's path.
#
# Load the module with that line's staprun; script globals are module
# parameters, so `staprun -o trace.txt zap_unsync.ko duration_s=10` does
# what `stap -G duration_s=10` does.
#
# STAP_FLAGS: extra stap options (-t for the probe hit report, -D...).
#
# Exit status: 0 built, 1 build failed, 2 usage, 3 kernel files unavailable.
set -eu

[ $# -ge 3 ] && [ $# -le 4 ] || { echo "usage: $0 KERNEL SCRIPT OUTDIR [NAME]" >&2; exit 2; }
KERNEL=$1 SCRIPT=$2 OUT=$3
NAME=${4:-$(basename "$SCRIPT" .stp | tr -- '-.' '__')}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
[ -f "$SCRIPT" ] || { echo "stap-module: no such script: $SCRIPT" >&2; exit 2; }
SCRIPT=$(cd "$(dirname "$SCRIPT")" && pwd)/$(basename "$SCRIPT")

if [ -f "$KERNEL/toolchain" ]; then
	D=$(cd "$KERNEL" && pwd)
else
	rc=0
	D=$("$here/fetch-kernel.sh" "$KERNEL") || rc=$?
	[ $rc -eq 0 ] || exit $rc
	D=$(printf '%s\n' "$D" | tail -n1)
fi

mkdir -p "$OUT"
cd "$OUT"
rm -f "$NAME.ko"
# shellcheck disable=SC2086
"$here/in-toolchain.sh" "$D" stap -p4 ${STAP_FLAGS:-} -r "$D/build" -R "$D/runtime" \
	-I "$top/tapsets" -m "$NAME" "$SCRIPT" >/dev/null || exit 1
[ -f "$NAME.ko" ] || { echo "stap-module: stap made no $NAME.ko" >&2; exit 1; }
echo "$(pwd)/$NAME.ko"
