#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# in-toolchain.sh KDIR COMMAND [ARG...] - run COMMAND with the toolchain of
# the kernel in KDIR (what fetch-kernel.sh printed): here when its toolchain
# is this machine's, else inside its release's chroot, in a private mount
# namespace where the chroot sees the kernel cache, this tree and the
# current directory at their own paths (so every path means the same inside
# and out) and the mounts vanish with the command.
set -eu

[ $# -ge 2 ] || { echo "usage: $0 KDIR COMMAND [ARG...]" >&2; exit 2; }
KDIR=$1
shift
tc=$(cat "$KDIR/toolchain" 2>/dev/null) || { echo "in-toolchain: no $KDIR/toolchain (run fetch-kernel.sh)" >&2; exit 2; }
[ "$tc" = host ] && exec "$@"

if [ -z "${KVMMMU_IN_NAMESPACE:-}" ]; then
	KVMMMU_IN_NAMESPACE=1 exec unshare --mount --propagation private "$0" "$KDIR" "$@"
fi
top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$(cd "$KDIR/.." && pwd)
mounted=
for d in "$cache" "$top" "$(pwd)"; do
	case "$mounted " in *" $d "*) continue ;; esac
	mkdir -p "$tc$d"
	mount --bind "$d" "$tc$d"
	mounted="$mounted $d"
done
mount -t proc proc "$tc/proc"
exec chroot "$tc" /usr/bin/env -C "$(pwd)" HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
