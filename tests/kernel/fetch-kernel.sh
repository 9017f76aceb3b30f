#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-kernel.sh KVER - make everything needed to build (stap -p4) and boot
# a Debian kernel that is not the running one, in $KVMMMU_CACHE/KVER/, and
# print that directory.
#
#   KVER           a Debian kernel ABI name: 6.1.0-56-amd64, 6.12.117+deb12-amd64
#   KVMMMU_CACHE   cache directory (default $HOME/.cache/kvmmmu), outside git
#
# Stable interface (tests/lab and mk/tapsets.mk rely on it).  On success the
# last line of stdout is the absolute path of $KVMMMU_CACHE/KVER, which holds:
#
#   boot/vmlinuz-KVER        the kernel image
#   boot/config-KVER         its configuration
#   boot/System.map-KVER     the real System.map (from the -dbg package)
#   modules/NAME.ko          plain (decompressed, stripped, signed) modules:
#                            irqbypass, ccp, kvm, kvm-amd, kvm-intel and any
#                            module they depend on
#   modules/load-order       the module names to insmod for kvm-amd, in order
#                            (dependencies first), one a line
#   dbg/                     kvm.ko, kvm-amd.ko, kvm-intel.ko with DWARF
#   build/                   the offline build directory: stap -r .../build
#   runtime/                 systemtap's runtime with tests/kernel/
#                            runtime-patches applied: stap -R .../runtime
#
# Progress goes to stderr.  Exit status: 0 ready, 1 failure (a message says
# which step), 2 usage, 3 the Debian archive cannot be reached or does not
# have KVER.  A second run reuses what is there and needs no network; the
# runtime copy is remade when the patches change.
#
# Packages come from the Debian archive through apt-get download into
# $KVMMMU_CACHE/debs; the -dbg package (about 1 GB) is never unpacked whole:
# only System.map and the KVM modules are taken from it.
set -eu

me=fetch-kernel
die() { echo "$me: $*" >&2; exit 1; }
say() { echo "$me: $*" >&2; }

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 KVER" >&2; exit 2; }
KVER=$1
case $KVER in
*/*|.*) echo "$me: bad kernel name: $KVER" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "$0")" && pwd)
patchdir=$here/runtime-patches
CACHE=${KVMMMU_CACHE:-${HOME:?}/.cache/kvmmmu}
mkdir -p "$CACHE/debs"
CACHE=$(cd "$CACHE" && pwd)
DEBS=$CACHE/debs
D=$CACHE/$KVER
STAP_RUNTIME=${STAP_RUNTIME:-/usr/share/systemtap/runtime}

# The kernel line (6.1, 6.12) picks the runtime patch series.
line=$(echo "$KVER" | sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)[.-].*/\1/p')
[ -n "$line" ] || { echo "$me: cannot tell the kernel line of $KVER" >&2; exit 2; }

# Modules the lab loads, and those stap needs with DWARF.
LAB_MODULES="irqbypass ccp kvm kvm-amd kvm-intel"
AMD_CHAIN=kvm-amd
DBG_MODULES="kvm kvm-amd kvm-intel"

mkdir -p "$D"

# ---- packages --------------------------------------------------------------

# pkgver PKG: the archive's version of PKG, empty when unknown.
pkgver() {
	apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1
}

# deb PKG VERSION: path of PKG_VERSION in the cache, downloaded if missing.
deb() {
	f=$DEBS/$1_$(echo "$2" | sed 's/:/%3a/g')_
	for g in "$f"*.deb; do
		[ -f "$g" ] && { echo "$g"; return 0; }
	done
	say "downloading $1 $2"
	if ! (cd "$DEBS" && apt-get download -q "$1=$2" >&2 2>"$DEBS/.apt.err"); then
		cat "$DEBS/.apt.err" >&2
		echo "$me: cannot download $1=$2 from the Debian archive (is it reachable? try apt-get update)" >&2
		exit 3
	fi
	for g in "$f"*.deb; do
		[ -f "$g" ] && { echo "$g"; return 0; }
	done
	die "apt-get download gave no file for $1 $2"
}

# Resolve names and versions only when something is still to be made.
resolved=
resolve() {
	[ -n "$resolved" ] && return 0
	IMG=linux-image-$KVER
	VER=$(pkgver "$IMG")
	if [ -z "$VER" ]; then
		# The signed image is the usual name; -unsigned exists for 6.12.
		IMG=linux-image-$KVER-unsigned
		VER=$(pkgver "$IMG")
	fi
	if [ -z "$VER" ]; then
		echo "$me: the Debian archive has no linux-image-$KVER (run apt-get update; is the archive reachable?)" >&2
		exit 3
	fi
	HDR=linux-headers-$KVER
	deps=$(apt-cache show --no-all-versions "$HDR" 2>/dev/null | sed -n 's/^Depends: //p' | head -n1)
	[ -n "$deps" ] || { echo "$me: the Debian archive has no $HDR" >&2; exit 3; }
	COMMON=$(echo "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common\) .*/\1/p' | head -n1)
	KBUILD=$(echo "$deps" | tr ',' '\n' | sed -n 's/^ *\(linux-kbuild-[^ ]*\).*/\1/p' | head -n1)
	[ -n "$COMMON" ] && [ -n "$KBUILD" ] || die "cannot read the dependencies of $HDR: $deps"
	resolved=1
}

# ---- boot files and plain modules from the image package ------------------

# modpath NAME: path of module NAME in the image, from modules.order.
modpath() {
	n=$(echo "$1" | tr _ -)
	sed -n "s#^\\(.*/\\)\\($n\\|$(echo "$1" | tr - _)\\)\\.ko\\(\\.[a-z]*\\)\\{0,1\\}\$#\\1\\2.ko#p" \
		"$D/img/modules.order" | head -n1
}

make_modules() {
	resolve
	img=$(deb "$IMG" "$VER")
	say "unpacking boot files and modules from $(basename "$img")"
	rm -rf "$D/boot" "$D/modules" "$D/img"
	mkdir -p "$D/boot" "$D/modules" "$D/img"
	list=$(dpkg-deb --fsys-tarfile "$img" | tar -t)
	echo "$list" | grep -E "^\./boot/(vmlinuz|config)-$(echo "$KVER" | sed 's/[+.]/\\&/g')\$" > "$D/img/want" ||
		die "no boot/vmlinuz-$KVER in $(basename "$img")"
	echo "$list" | grep -E "^\./lib/modules/[^/]*/modules\.order\$" >> "$D/img/want" ||
		die "no modules.order in $(basename "$img")"
	echo "$list" > "$D/img/list"
	dpkg-deb --fsys-tarfile "$img" | tar -x -C "$D/img" -T "$D/img/want"
	mv "$D/img/boot/vmlinuz-$KVER" "$D/img/boot/config-$KVER" "$D/boot/"
	mv "$D/img"/lib/modules/*/modules.order "$D/img/modules.order"

	# Unpack the wanted modules, then what they depend on, until closed.
	todo=$LAB_MODULES
	done_=" "
	while [ -n "$todo" ]; do
		: > "$D/img/want"
		for m in $todo; do
			p=$(modpath "$m")
			[ -n "$p" ] || die "module $m is not in modules.order of $KVER"
			grep -E "^\./lib/modules/[^/]*/$(echo "$p" | sed 's/[+.]/\\&/g')(\.xz|\.zst|\.gz)?\$" "$D/img/list" >> "$D/img/want" ||
				die "module $p is not in $(basename "$img")"
		done
		dpkg-deb --fsys-tarfile "$img" | tar -x -C "$D/img" -T "$D/img/want"
		next=
		for f in $(cat "$D/img/want"); do
			f=$D/img/$f
			case $f in
			*.xz) xz -dc "$f" > "${f%.xz}" ;;
			*.zst) zstd -qdc "$f" > "${f%.zst}" ;;
			*.gz) gzip -dc "$f" > "${f%.gz}" ;;
			esac
			f=${f%.xz}; f=${f%.zst}; f=${f%.gz}
			n=$(basename "$f" .ko)
			cp "$f" "$D/modules/$n.ko"
			done_="$done_$n "
			for dep in $(modinfo -F depends "$f" | tr ',' ' '); do
				dep=$(echo "$dep" | tr _ -)
				case "$done_ $next $todo " in
				*" $dep "*) ;;
				*) next="$next $dep" ;;
				esac
			done
			echo "$n: $(modinfo -F depends "$f" | tr ',' ' ' | tr _ -)" >> "$D/img/deps"
		done
		todo=$(echo $next)
	done

	# load-order: depth-first, dependencies first.
	: > "$D/modules/load-order"
	visit() {
		grep -qx "$1" "$D/modules/load-order" && return 0
		for d in $(sed -n "s/^$1: //p" "$D/img/deps"); do visit "$d"; done
		echo "$1" >> "$D/modules/load-order"
	}
	visit "$AMD_CHAIN"
	rm -rf "$D/img"
}

# ---- DWARF modules and System.map from the -dbg package -------------------

make_dbg() {
	resolve
	dbg=$(deb "linux-image-$KVER-dbg" "$VER")
	say "extracting System.map and KVM modules with DWARF from $(basename "$dbg") (about 30 s)"
	rm -rf "$D/dbg" "$D/dbg.tmp"
	mkdir -p "$D/dbg.tmp"
	paths="./usr/lib/debug/boot/System.map-$KVER"
	for m in $DBG_MODULES; do
		paths="$paths ./usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm/$m.ko"
	done
	# shellcheck disable=SC2086
	dpkg-deb --fsys-tarfile "$dbg" | tar -x -C "$D/dbg.tmp" $paths ||
		die "cannot extract $paths from $(basename "$dbg")"
	mkdir -p "$D/dbg"
	mv "$D/dbg.tmp/usr/lib/debug/boot/System.map-$KVER" "$D/dbg/System.map"
	mv "$D/dbg.tmp/usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm/"*.ko "$D/dbg/"
	rm -rf "$D/dbg.tmp"
	cp "$D/dbg/System.map" "$D/boot/System.map-$KVER"
}

# ---- headers: unpacked, never installed ------------------------------------

make_headers() {
	resolve
	h=$(deb "$HDR" "$VER")
	c=$(deb "$COMMON" "$VER")
	kver=$(pkgver "$KBUILD")
	# linux-kbuild-6.1 is shared by every 6.1 ABI: take the headers' version
	# when the archive still has it.
	if apt-cache show "$KBUILD=$VER" >/dev/null 2>&1; then kver=$VER; fi
	k=$(deb "$KBUILD" "$kver")
	say "unpacking $HDR, $COMMON, $KBUILD"
	rm -rf "$D/headers"
	mkdir -p "$D/headers"
	for f in "$h" "$c" "$k"; do dpkg-deb -x "$f" "$D/headers"; done
}

# ---- the offline build directory -------------------------------------------

make_build() {
	hd=$D/headers/usr/src/linux-headers-$KVER
	[ -d "$hd" ] || die "no $hd"
	common=$(sed -n 's#^include /usr/src/\(linux-headers-[^/]*\)/Makefile$#\1#p' "$hd/Makefile")
	[ -n "$common" ] && [ -f "$D/headers/usr/src/$common/Makefile" ] ||
		die "cannot find the common headers named by $hd/Makefile"
	rm -rf "$D/build"
	mkdir -p "$D/build/kvm"
	for f in .config .kernelvariables Module.symvers arch include scripts tools; do
		[ -e "$hd/$f" ] && ln -s "$hd/$f" "$D/build/$f"
	done
	# The headers' Makefile includes /usr/src/...-common/Makefile: point it
	# at the unpacked copy.  stap's autoconf tests build with -Werror, and
	# newer kernels enable warnings (missing prototypes...) the runtime's
	# test files trip over: silence them for every build in this tree.
	cat > "$D/build/Makefile" <<EOF
# Made by fetch-kernel.sh: the headers of $KVER, unpacked.
export KCFLAGS += -Wno-missing-prototypes -Wno-missing-declarations -Wno-empty-body -Wno-old-style-declaration -Wno-attribute-warning
include $D/headers/usr/src/$common/Makefile
EOF
	ln -s ../dbg/System.map "$D/build/System.map"
	for m in "$D"/dbg/*.ko; do ln -s "../../dbg/$(basename "$m")" "$D/build/kvm/"; done
}

# ---- the patched systemtap runtime ------------------------------------------

series=$patchdir/series-$line
patch_sum() {
	{ echo "$line"; stap -V 2>&1 | head -n1
	  if [ -f "$series" ]; then cat "$series"; for p in $(grep -v '^#' "$series"); do cat "$patchdir/$p"; done; fi
	} | md5sum | cut -d' ' -f1
}

make_runtime() {
	[ -d "$STAP_RUNTIME" ] || die "no systemtap runtime at $STAP_RUNTIME (apt-get install systemtap)"
	rm -rf "$D/runtime" "$D/runtime.tmp"
	cp -a "$STAP_RUNTIME" "$D/runtime.tmp"
	if [ -f "$series" ]; then
		for p in $(grep -v '^#' "$series"); do
			say "runtime: applying $p"
			patch -s -p1 -d "$D/runtime.tmp" < "$patchdir/$p" || die "runtime patch $p does not apply"
		done
	fi
	patch_sum > "$D/runtime.tmp/.kvmmmu-patches"
	mv "$D/runtime.tmp" "$D/runtime"
}

# ---- main ------------------------------------------------------------------

[ -s "$D/modules/load-order" ] && [ -f "$D/boot/vmlinuz-$KVER" ] || make_modules
[ -f "$D/dbg/kvm.ko" ] && [ -f "$D/dbg/System.map" ] || make_dbg
[ -f "$D/boot/System.map-$KVER" ] || cp "$D/dbg/System.map" "$D/boot/System.map-$KVER"
[ -d "$D/headers/usr/src/linux-headers-$KVER" ] || make_headers
[ -f "$D/build/Makefile" ] && [ -L "$D/build/include" ] || make_build
[ -f "$D/runtime/.kvmmmu-patches" ] && [ "$(cat "$D/runtime/.kvmmmu-patches")" = "$(patch_sum)" ] || make_runtime

echo "$D"
