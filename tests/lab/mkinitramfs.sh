#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# mkinitramfs.sh OUT KDIR WORKLOAD STOPS WORKLOAD_ARGS [MODULE.ko ...]
#
# Build the lab's initramfs (a gzipped newc cpio) into OUT:
#   /init            tests/lab/init.sh
#   /bin/busybox     busybox-static, with a link for every applet
#   /usr/bin/staprun, /usr/lib/systemtap/stapio and the libraries ldd names,
#                    of the kernel's own toolchain (KDIR/toolchain: this
#                    machine's systemtap or its release's chroot), since a
#                    module runs only under the staprun of the stap that built it
#   /lab/modules/    the KVM modules of KDIR/modules in KDIR/modules/load-order
#   /lab/NAME.ko     the compiled script modules given
#   /lab/workload    WORKLOAD, a static program
#   /lab/config      SCRIPTS, WORKLOAD, WORKLOAD_ARGS, STOPS, KVM_MODULES
#
# With LAB_GUEST_QEMU set (make lab GUEST=linux), the guest also gets what it
# needs to boot a Linux guest of its own (tests/lab/init.sh, run_linux):
#   /usr/bin/qemu-system-x86_64  LAB_GUEST_QEMU/usr/bin/... (fetch-qemu.sh)
#                    and the libraries ldd names, from the toolchain's root
#   /usr/share/qemu/ the firmware -M microvm and -kernel use
#   /lab/guest/vmlinuz, /lab/guest/initrd  LAB_GUEST_KERNEL, LAB_GUEST_INITRD
#   /lab/lab-clock   LAB_CLOCK, static (tests/lab/lab-clock.c)
#   /lab/config      also GUEST=linux, GUEST_APPEND (LAB_GUEST_APPEND) and
#                    GUEST_TIMEOUT (LAB_GUEST_TIMEOUT, when set) and
#                    GUEST_CPU (LAB_GUEST_CPU: the nested guest's -cpu)
#
# KDIR is what tests/kernel/fetch-kernel.sh prints.  STOPS is 1 when the
# workload stops itself (SIGSTOP) while its VM still exists.
set -eu

me=mkinitramfs
die() { echo "$me: $*" >&2; exit 1; }

[ $# -ge 5 ] || { echo "usage: $0 OUT KDIR WORKLOAD STOPS WORKLOAD_ARGS [MODULE.ko ...]" >&2; exit 2; }
OUT=$1 KDIR=$2 WORKLOAD=$3 STOPS=$4 WORKLOAD_ARGS=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)

BUSYBOX=${BUSYBOX:-/bin/busybox}
SYSROOT=$(cat "$KDIR/toolchain" 2>/dev/null) || die "no $KDIR/toolchain (run fetch-kernel.sh)"
[ "$SYSROOT" = host ] && SYSROOT=
# in_root COMMAND...: COMMAND run in the toolchain's root, so that ldd and
# readlink answer with its paths and libraries.
in_root() { if [ -z "$SYSROOT" ]; then "$@"; else chroot "$SYSROOT" "$@"; fi; }
STAPRUN=/usr/bin/staprun
STAPIO=/usr/lib/systemtap/stapio

for f in "$BUSYBOX" "$SYSROOT$STAPRUN" "$SYSROOT$STAPIO" "$WORKLOAD" "$KDIR/modules/load-order"; do
	[ -f "$f" ] || die "missing $f"
done
is_static() { ! readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'; }
is_static "$BUSYBOX" || die "$BUSYBOX is not static (install busybox-static)"
is_static "$WORKLOAD" || die "the workload $WORKLOAD is not a static program (link it with -static)"

root=$(mktemp -d "${TMPDIR:-/tmp}/kvmmmu-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib/systemtap" \
	"$root/lab/modules" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/out" \
	"$root/lib/modules"

cp "$BUSYBOX" "$root/bin/busybox"
for a in $("$BUSYBOX" --list); do
	[ "$a" = busybox ] || ln -s busybox "$root/bin/$a"
done

# copy_elf FILE: FILE of the toolchain's root and every library ldd names,
# at the same paths, links followed inside that root.
copy_elf() {
	for f in "$1" $(in_root ldd "$1" | sed -n 's|.*=> \(/[^ ]*\).*|\1|p; s|^[[:space:]]*\(/[^ ]*\) (.*|\1|p'); do
		[ -e "$root$f" ] && continue
		real=$(in_root readlink -f "$f")
		mkdir -p "$root$(dirname "$f")"
		cp "$SYSROOT$real" "$root$f"
	done
}
copy_elf "$STAPRUN"
copy_elf "$STAPIO"

kvm_modules=
while read -r m; do
	[ -n "$m" ] || continue
	[ -f "$KDIR/modules/$m.ko" ] || die "missing $KDIR/modules/$m.ko"
	cp "$KDIR/modules/$m.ko" "$root/lab/modules/"
	kvm_modules="$kvm_modules $m"
done < "$KDIR/modules/load-order"

scripts=
for ko in "$@"; do
	[ -f "$ko" ] || die "missing script module $ko"
	cp "$ko" "$root/lab/"
	scripts="$scripts $(basename "$ko" .ko)"
done

if [ -n "${LAB_GUEST_QEMU:-}" ]; then
	qbin=$LAB_GUEST_QEMU/usr/bin/qemu-system-x86_64
	for f in "$qbin" "${LAB_GUEST_KERNEL:?}" "${LAB_GUEST_INITRD:?}" "${LAB_CLOCK:?}"; do
		[ -f "$f" ] || die "missing $f"
	done
	is_static "$LAB_CLOCK" || die "$LAB_CLOCK is not static"
	mkdir -p "$root/lab/guest" "$root/usr/share/qemu"
	cp "$qbin" "$root/usr/bin/qemu-system-x86_64"
	# The toolchain's root must hold the release's libraries.  A chroot's
	# QEMU is its own (fetch-qemu.sh): ldd runs on it inside the chroot.
	qreal=$(readlink -f "$qbin")
	if [ -n "$SYSROOT" ]; then
		case $qreal in
		"$SYSROOT"/*) qreal=${qreal#"$SYSROOT"} ;;
		*) die "$qbin is not inside the toolchain root $SYSROOT (fetch-qemu.sh installs it there)" ;;
		esac
	fi
	libs=$(in_root ldd "$qreal") || die "ldd $qbin failed"
	echo "$libs" | grep -q 'not found' && die "libraries of $qbin not found: $(echo "$libs" | grep 'not found' | tr '\n' ' ')"
	for f in $(echo "$libs" | sed -n 's|.*=> \(/[^ ]*\).*|\1|p; s|^[[:space:]]*\(/[^ ]*\) (.*|\1|p'); do
		[ -e "$root$f" ] && continue
		real=$(in_root readlink -f "$f")
		mkdir -p "$root$(dirname "$f")"
		cp "$SYSROOT$real" "$root$f"
	done
	for f in qboot.rom pvh.bin linuxboot_dma.bin kvmvapic.bin; do
		[ -e "$LAB_GUEST_QEMU/usr/share/qemu/$f" ] || die "no $f in $LAB_GUEST_QEMU/usr/share/qemu"
		cp -L "$LAB_GUEST_QEMU/usr/share/qemu/$f" "$root/usr/share/qemu/$f"
	done
	# -M microvm loads bios-microvm.bin: qboot, which Debian 12 links under
	# that name and later releases no longer do; linuxboot.bin (no DMA) is
	# gone from them too, and unused with linuxboot_dma.bin there.
	for f in bios-microvm.bin linuxboot.bin; do
		if [ -e "$LAB_GUEST_QEMU/usr/share/qemu/$f" ]; then
			cp -L "$LAB_GUEST_QEMU/usr/share/qemu/$f" "$root/usr/share/qemu/$f"
		fi
	done
	[ -e "$root/usr/share/qemu/bios-microvm.bin" ] || cp "$root/usr/share/qemu/qboot.rom" "$root/usr/share/qemu/bios-microvm.bin"
	cp "$LAB_GUEST_KERNEL" "$root/lab/guest/vmlinuz"
	cp "$LAB_GUEST_INITRD" "$root/lab/guest/initrd"
	cp "$LAB_CLOCK" "$root/lab/lab-clock"
	chmod 755 "$root/lab/lab-clock"
fi

cp "$WORKLOAD" "$root/lab/workload"
chmod 755 "$root/lab/workload"
cp "$here/init.sh" "$root/init"
chmod 755 "$root/init"

# Values are single-quoted for the shell that sources them.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }
{
	echo "SCRIPTS=$(q "${scripts# }")"
	echo "WORKLOAD=/lab/workload"
	echo "WORKLOAD_ARGS=$(q "$WORKLOAD_ARGS")"
	echo "STOPS=$(q "$STOPS")"
	echo "KVM_MODULES=$(q "${kvm_modules# }")"
	echo "KVM_VENDOR_ARGS='npt=0'"
	if [ -n "${LAB_GUEST_QEMU:-}" ]; then
		echo "GUEST=linux"
		echo "GUEST_APPEND=$(q "${LAB_GUEST_APPEND:-}")"
		[ -z "${LAB_GUEST_TIMEOUT:-}" ] || echo "GUEST_TIMEOUT=$(q "$LAB_GUEST_TIMEOUT")"
		[ -z "${LAB_GUEST_CPU:-}" ] || echo "GUEST_CPU=$(q "$LAB_GUEST_CPU")"
	fi
} > "$root/lab/config"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -6 > "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
