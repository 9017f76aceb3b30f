#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-kernel.sh [-n] LINE|KVER - make everything needed to build (stap -p4) and
# boot a Debian kernel that is not the running one, in $KVMMMU_CACHE/KVER/,
# and print that directory.
#
#   LINE           a kernel line of tests/kernel/lines (bullseye, bookworm,
#                  bookworm-6.12, trixie, sid): its newest kernel ABI that the
#                  Debian archive holds now
#   KVER           an exact Debian kernel ABI: 6.1.0-56-amd64, 7.2.13+deb14-amd64
#   KVMMMU_CACHE   cache directory (default $HOME/.cache/kvmmmu), outside git
#
# Stable interface (tests/lab and mk/tapsets.mk rely on it).  On success the
# last line of stdout is the absolute path of $KVMMMU_CACHE/KVER, which holds:
#
#   boot/vmlinuz-KVER        the kernel image
#   boot/config-KVER         its configuration
#   boot/System.map-KVER     the real System.map (from the -dbg package)
#   modules/NAME.ko          plain (decompressed) modules: irqbypass, ccp,
#                            kvm, kvm-amd, kvm-intel and any they depend on
#   modules/load-order       the module names to insmod for kvm-amd, in order
#                            (dependencies first), one a line
#   dbg/                     kvm.ko, kvm-amd.ko, kvm-intel.ko with DWARF
#   headers/                 the headers, common headers and kbuild packages,
#                            unpacked (never installed)
#   build/                   the offline build directory: stap -r .../build
#   runtime/                 the line's systemtap runtime with the patches of
#                            tests/kernel/runtime-patches/series-STAPVER-LINE
#                            applied: stap -R .../runtime
#   line, toolchain          the line's name; "host" or the chroot whose
#                            systemtap builds and runs modules for this kernel
#                            (tests/kernel/in-toolchain.sh runs a command there)
#   stap-version             that systemtap's version (4.8, 5.6, ...)
#   packages                 "package version" of every .deb and of the
#                            toolchain these files were made from
#
# Every run updates the line's package lists (at most every
# KVMMMU_APT_MAX_AGE seconds, default 600) and compares what the archive
# holds now with `packages`: anything that moved is fetched and made again,
# and the .debs it replaces are removed from $KVMMMU_CACHE/debs.
#
# --lines: print the line names of tests/kernel/lines, one a line.
# -n: make nothing; print "LINE KVER TOOLCHAIN SYSTEMTAP STATE", STATE being
# cached (what the archive holds now), stale (the archive moved) or absent.
#
# Progress goes to stderr.  Exit status: 0 ready, 1 failure (a message says
# which step), 2 usage, 3 the Debian archive cannot be reached or does not
# have the kernel (its own words are printed).
set -eu

me=fetch-kernel
die() { echo "$me: $*" >&2; exit 1; }
say() { echo "$me: $*" >&2; }

. "$(cd "$(dirname "$0")" && pwd)/kernel-lib.sh"
[ "${1:-}" = --lines ] && { kl_line_names; exit 0; }
dry=
[ "${1:-}" = -n ] && { dry=1; shift; }
[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 [-n] LINE|KVER" >&2; exit 2; }
case $1 in
*/*|.*) echo "$me: bad kernel name: $1" >&2; exit 2 ;;
esac

here=$KL_HERE
patchdir=$here/runtime-patches
mkdir -p "$KL_CACHE"
KL_CACHE=$(cd "$KL_CACHE" && pwd)
CACHE=$KL_CACHE
DEBS=$CACHE/debs
mkdir -p "$DEBS"
t_start=$(date +%s)

# ---- which kernel, from which line ------------------------------------------

if kl_line "$1" 2>/dev/null; then
	LINE=$1
	kl_apt_setup "$LINE" || exit $?
	KVER=$(kl_resolve) || exit $?
	[ -n "$dry" ] || say "line $LINE: newest kernel $KVER"
else
	KVER=$1
	LINE=$(kl_line_of "$KVER") || exit 2
	kl_apt_setup "$LINE" || exit $?
fi
D=$CACHE/$KVER
kline=$(echo "$KVER" | sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*\)[.-].*/\1/p')

# ---- what the archive holds now ---------------------------------------------

kl_show_load "linux-image-$KVER" "linux-image-$KVER-unsigned" "linux-image-$KVER-dbg" \
	"linux-headers-$KVER" systemtap
IMG=linux-image-$KVER
[ -n "$(kl_show "$IMG" Version)" ] || IMG=linux-image-$KVER-unsigned
VER=$(kl_show "$IMG" Version)
if [ -z "$VER" ]; then
	say "the Debian archive has no linux-image-$KVER in $L_SUITES (apt-cache: $(apt-cache $APT_OPTS policy "linux-image-$KVER" 2>&1 | head -n1))"
	exit 3
fi
# From 7.2 linux-image-KVER is a metapackage: vmlinuz, modules and config
# are in linux-binary-, linux-modules- and linux-base-KVER.
IMG_DEBS="$IMG $(kl_depends "$IMG" | grep -F -- "-$KVER" | tr '\n' ' ')"
DBG=linux-image-$KVER-dbg
HDR=linux-headers-$KVER
hdeps=$(kl_depends "$HDR")
[ -n "$hdeps" ] || { say "the Debian archive has no $HDR"; exit 3; }
HDR_DEBS="$HDR $(echo "$hdeps" | grep -E '^linux-(headers-.*-common|kbuild-.*)$' | tr '\n' ' ')"
KBUILD=$(echo "$hdeps" | grep -E '^linux-kbuild-' | head -n1)
kl_show_load $IMG_DEBS $HDR_DEBS

if [ "$L_TOOLCHAIN" = host ]; then
	ROOT=/
	stapver=$(dpkg-query -W -f='${Version}' systemtap 2>/dev/null) ||
		die "systemtap is not installed (make deps)"
else
	ROOT=$CACHE/chroot/$L_TOOLCHAIN
	stapver=$(kl_show systemtap Version)
	[ -n "$stapver" ] || { say "the Debian archive has no systemtap in $L_TOOLCHAIN"; exit 3; }
	# The chroot builds with the compiler the kernel was built with and
	# runs the kbuild programs: their packages' dependencies, not the
	# kernel's own packages.
	# (linux-compiler-gcc-N-x86 up to 6.1, gcc-N or gcc-N-for-host after).
	CHROOT_PKGS=$( { echo "$hdeps" | grep -Ev '^linux-(headers|kbuild|base|image)' || true
			 kl_depends "$KBUILD"; } | sort -u | tr '\n' ',')
	CHROOT_PKGS="systemtap,make,libc6-dev,kmod,binutils,$CHROOT_PKGS"
	CHROOT_PKGS=${CHROOT_PKGS%,}
fi

# This run's own list: CI's fetch ahead and a stage may both be here.
want=$(mktemp "$CACHE/.$KVER.want.XXXXXX")
KL_TMP="$KL_TMP $want"
{
	for p in $IMG_DEBS $DBG $HDR_DEBS; do
		v=$(kl_show "$p" Version)
		[ -n "$v" ] || { say "the Debian archive has no $p"; exit 3; }
		echo "$p $v"
	done
	echo "toolchain $L_TOOLCHAIN systemtap $stapver"
} > "$want"

if [ -n "$dry" ]; then
	if cmp -s "$want" "$D/packages"; then state=cached
	elif [ -d "$D" ]; then state=stale
	else state=absent; fi
	echo "$LINE $KVER $L_TOOLCHAIN $stapver $state"
	exit 0
fi
# One maker a kernel at a time (CI fetches ahead while other checks run);
# the chroot of a release is shared by its kernels: its own lock below.
exec 8>"$CACHE/.$KVER.lock"
flock 8
mkdir -p "$D"
# The kernel's files are made again when its packages moved; a new
# systemtap remakes only the runtime copy (its patch sum) and the chroot
# (its stamp).
if [ "$(grep -v '^toolchain ' "$want")" != "$(grep -sv '^toolchain ' "$D/packages")" ]; then
	[ -f "$D/packages" ] && say "the archive moved for $KVER: making it again" &&
		diff "$D/packages" "$want" | sed -n 's/^[<>] /  /p' >&2
	rm -rf "$D"
	mkdir -p "$D"
	# The .debs that version replaced.
	while read -r p v; do
		[ "$p" = toolchain ] && continue
		for g in "$DEBS/${p}_"*.deb; do
			[ -f "$g" ] || continue
			case $g in "$DEBS/${p}_$(echo "$v" | sed 's/:/%3a/g')_"*) ;; *) rm -f "$g" ;; esac
		done
	done < "$want"
fi
echo "$LINE" > "$D/line"
cp "$want" "$D/packages"

# ---- packages --------------------------------------------------------------

# deb PKG: path of the archive's PKG in the cache, downloaded if missing.
deb() {
	v=$(awk -v p="$1" '$1 == p { print $2 }' "$want")
	f=$DEBS/$1_$(echo "$v" | sed 's/:/%3a/g')_
	for g in "$f"*.deb; do
		[ -f "$g" ] && { echo "$g"; return 0; }
	done
	say "downloading $1 $v"
	# shellcheck disable=SC2086
	if ! (cd "$DEBS" && apt-get $APT_OPTS download -q "$1=$v") >"$DEBS/.$1.out" 2>"$DEBS/.$1.err"; then
		cat "$DEBS/.$1.err" >&2
		say "cannot download $1=$v from the Debian archive"
		exit 3
	fi
	for g in "$f"*.deb; do
		[ -f "$g" ] && { echo "$(wc -c < "$g")" >> "$D/.fetched"; echo "$g"; return 0; }
	done
	die "apt-get download gave no file for $1 $v"
}

# ---- boot files and plain modules from the image packages -----------------

# KVER in an extended (grep -E) and in a basic (sed) regular expression.
re_kver=$(echo "$KVER" | sed 's/[+.]/\\&/g')
bre_kver=$(echo "$KVER" | sed 's/[.]/\\&/g')

make_modules() {
	rm -rf "$D/boot" "$D/modules" "$D/img"
	mkdir -p "$D/boot" "$D/modules" "$D/img"
	for p in $IMG_DEBS; do
		g=$(deb "$p")
		say "listing $(basename "$g")"
		dpkg-deb --fsys-tarfile "$g" | tar -t > "$D/img/list.$p"
	done
	# extract REGEX: the members matching REGEX, from whichever package has them.
	extract() {
		found=
		for p in $IMG_DEBS; do
			grep -E "$1" "$D/img/list.$p" > "$D/img/want" || continue
			dpkg-deb --fsys-tarfile "$(deb "$p")" | tar -x -C "$D/img" -T "$D/img/want"
			cat "$D/img/want"
			found=1
		done
		[ -n "$found" ]
	}
	# vmlinuz and config: boot/ up to 6.x, usr/lib/modules/KVER/ in 7.2.
	vm=$(extract "^\./(boot/vmlinuz-$re_kver|(usr/)?lib/modules/$re_kver/vmlinuz)\$") ||
		die "no vmlinuz of $KVER in $IMG_DEBS"
	cp "$D/img/$(echo "$vm" | head -n1)" "$D/boot/vmlinuz-$KVER"
	cf=$(extract "^\./(boot/config-$re_kver|(usr/)?lib/modules/$re_kver/config)\$") ||
		die "no config of $KVER in $IMG_DEBS"
	cp "$D/img/$(echo "$cf" | head -n1)" "$D/boot/config-$KVER"
	mo=$(extract "^\./(usr/)?lib/modules/$re_kver/modules\.order\$") ||
		die "no modules.order of $KVER in $IMG_DEBS"
	cp "$D/img/$(echo "$mo" | head -n1)" "$D/img/modules.order"

	# modpath NAME: path of module NAME in modules.order (kernel/...ko).
	modpath() {
		n=$(echo "$1" | tr _ -) u=$(echo "$1" | tr - _)
		sed -n "s#^\\(.*/\\)\\($n\\|$u\\)\\.ko\\(\\.[a-z]*\\)\\{0,1\\}\$#\\1\\2.ko#p" "$D/img/modules.order" | head -n1
	}
	# Unpack the wanted modules, then what they depend on, until closed.
	todo="irqbypass ccp kvm kvm-amd kvm-intel"
	done_=" "
	: > "$D/img/deps"
	while [ -n "$todo" ]; do
		# One pass over the packages a round: each pass decompresses all of it.
		alts=
		for m in $todo; do
			p=$(modpath "$m")
			[ -n "$p" ] || die "module $m is not in modules.order of $KVER"
			alts="$alts|$(echo "$p" | sed 's/[+.]/\\&/g')"
		done
		got=$(extract "^\./(usr/)?lib/modules/$re_kver/(${alts#|})(\.xz|\.zst|\.gz)?\$") ||
			die "modules $todo are not in $IMG_DEBS"
		next=
		for f in $got; do
			f=$D/img/$f
			case $f in
			*.xz) xz -dc "$f" > "${f%.xz}" ;;
			*.zst) zstd -qdc "$f" > "${f%.zst}" ;;
			*.gz) gzip -dc "$f" > "${f%.gz}" ;;
			esac
			f=${f%.xz}; f=${f%.zst}; f=${f%.gz}
			n=$(basename "$f" .ko | tr _ -)
			cp "$f" "$D/modules/$n.ko"
			done_="$done_$n "
			mdeps=$(modinfo -F depends "$f" | tr ',' ' ' | tr _ -)
			echo "$n: $mdeps" >> "$D/img/deps"
			for dep in $mdeps; do
				case "$done_ $next $todo " in
				*" $dep "*) ;;
				*) next="$next $dep" ;;
				esac
			done
		done
		for m in $todo; do
			case "$done_" in *" $m "*) ;; *) die "module $m is not in $IMG_DEBS" ;; esac
		done
		todo=$(echo $next)
	done

	# load-order: depth-first, dependencies first.
	: > "$D/modules/load-order.tmp"
	visit() {
		grep -qx "$1" "$D/modules/load-order.tmp" && return 0
		for d in $(sed -n "s/^$1: //p" "$D/img/deps"); do visit "$d"; done
		echo "$1" >> "$D/modules/load-order.tmp"
	}
	visit kvm-amd
	mv "$D/modules/load-order.tmp" "$D/modules/load-order"
	rm -rf "$D/img"
}

# ---- DWARF modules and System.map from the -dbg package -------------------

make_dbg() {
	g=$(deb "$DBG")
	say "extracting System.map and KVM modules with DWARF from $(basename "$g") (a minute or two)"
	rm -rf "$D/dbg" "$D/dbg.tmp"
	mkdir -p "$D/dbg.tmp"
	# System.map is under boot/ up to 6.x, beside the modules in 7.2.
	dpkg-deb --fsys-tarfile "$g" | tar -x -C "$D/dbg.tmp" --wildcards \
		"./usr/lib/debug/boot/System.map-$KVER" \
		"./usr/lib/debug/lib/modules/$KVER/System.map" \
		"./usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm/kvm*.ko" 2>"$D/dbg.tmp/err" || true
	mkdir -p "$D/dbg"
	for m in "$D/dbg.tmp/usr/lib/debug/boot/System.map-$KVER" "$D/dbg.tmp/usr/lib/debug/lib/modules/$KVER/System.map"; do
		[ -f "$m" ] && mv "$m" "$D/dbg/System.map"
	done
	[ -f "$D/dbg/System.map" ] || die "no System.map in $(basename "$g"): $(cat "$D/dbg.tmp/err")"
	mv "$D/dbg.tmp/usr/lib/debug/lib/modules/$KVER/kernel/arch/x86/kvm/"*.ko "$D/dbg/" ||
		die "no KVM modules in $(basename "$g")"
	rm -rf "$D/dbg.tmp"
	cp "$D/dbg/System.map" "$D/boot/System.map-$KVER"
}

# ---- headers: unpacked, never installed ------------------------------------

make_headers() {
	rm -rf "$D/headers"
	mkdir -p "$D/headers"
	for p in $HDR_DEBS; do
		g=$(deb "$p")
		say "unpacking $(basename "$g")"
		dpkg-deb -x "$g" "$D/headers"
	done
}

# ---- the offline build directory -------------------------------------------

make_build() {
	hd=$D/headers/usr/src/linux-headers-$KVER
	[ -f "$hd/Makefile" ] || die "no $hd/Makefile"
	rm -rf "$D/build"
	mkdir -p "$D/build/kvm"
	for f in .config .kernelvariables Module.symvers arch include scripts tools; do
		[ -e "$hd/$f" ] && ln -s "$hd/$f" "$D/build/$f"
	done
	# The headers' own Makefile, with its paths to the headers (7.2 sets
	# KBUILD_OUTPUT, the objtree, to its own directory) and to the common
	# headers pointed at this directory and the unpacked copy.  stap's
	# autoconf tests build with -Werror, and newer kernels enable warnings
	# (missing prototypes...) that the runtime's test files trip over:
	# silence them for every build in this tree.
	{
		echo "# Made by fetch-kernel.sh: the headers of $KVER, unpacked."
		echo "export KCFLAGS += -Wno-missing-prototypes -Wno-missing-declarations -Wno-empty-body -Wno-old-style-declaration -Wno-attribute-warning"
		sed -e "s#/usr/src/linux-headers-$bre_kver\\([/ ]\\|\$\\)#$D/build\\1#g" \
		    -e "s#/usr/src/\\(linux-headers-[^/ ]*-common\\)#$D/headers/usr/src/\\1#g" "$hd/Makefile"
	} > "$D/build/Makefile"
	grep -q "^include $D/headers/usr/src/" "$D/build/Makefile" ||
		die "cannot find the common headers named by $hd/Makefile"
	ln -s ../dbg/System.map "$D/build/System.map"
	for m in "$D"/dbg/*.ko; do ln -s "../../dbg/$(basename "$m")" "$D/build/kvm/"; done
}

# ---- the line's toolchain: this machine, or a chroot of its release --------

make_chroot() {
	mkdir -p "$CACHE/chroot"
	exec 9>"$CACHE/chroot/.$L_TOOLCHAIN.lock"
	flock 9
	stamp="$L_TOOLCHAIN $CHROOT_PKGS systemtap $stapver"
	[ -f "$ROOT.made" ] && [ "$(cat "$ROOT.made")" = "$stamp" ] && return 0
	command -v mmdebstrap >/dev/null || die "mmdebstrap not found (make deps)"
	rm -rf "$ROOT" "$ROOT.tmp" "$ROOT.made"
	mkdir -p "$(dirname "$ROOT")"
	say "making a $L_TOOLCHAIN chroot with $CHROOT_PKGS (a few minutes)"
	t0=$(date +%s)
	# Acquire::Check-Valid-Until: the archive is a dated snapshot whose
	# Release files are past their Valid-Until date (see kl_apt_setup).
	if ! mmdebstrap --variant=apt --mode=root --quiet \
		--aptopt='Acquire::Check-Valid-Until "false"' \
		--include="$CHROOT_PKGS" "$L_TOOLCHAIN" "$ROOT.tmp" "$(kl_sources "$L_TOOLCHAIN")" \
		> "$CACHE/chroot/$L_TOOLCHAIN.log" 2>&1; then
		tail -n 20 "$CACHE/chroot/$L_TOOLCHAIN.log" >&2
		rm -rf "$ROOT.tmp"
		die "mmdebstrap of $L_TOOLCHAIN failed (log: $CACHE/chroot/$L_TOOLCHAIN.log)"
	fi
	mv "$ROOT.tmp" "$ROOT"
	echo "$stamp" > "$ROOT.made"
	say "chroot $L_TOOLCHAIN made in $(( $(date +%s) - t0 )) s ($(du -sm "$ROOT" | cut -f1) MB)"
}

# ---- the patched systemtap runtime ------------------------------------------

# The series for this systemtap (major.minor) and kernel line; none: no patch.
stapmm=$(echo "$stapver" | sed -n 's/^\([0-9]*:\)\{0,1\}\([0-9]*\.[0-9]*\).*/\2/p')
series=$patchdir/series-$stapmm-$kline
patch_sum() {
	{ echo "$kline $stapver"
	  if [ -f "$series" ]; then cat "$series"; for p in $(grep -v '^#' "$series"); do cat "$patchdir/$p"; done; fi
	} | md5sum | cut -d' ' -f1
}

make_runtime() {
	rt=$ROOT/usr/share/systemtap/runtime
	[ -d "$rt" ] || die "no systemtap runtime at $rt"
	rm -rf "$D/runtime" "$D/runtime.tmp"
	cp -a "$rt" "$D/runtime.tmp"
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
[ -f "$D/headers/usr/src/linux-headers-$KVER/Makefile" ] || make_headers
[ -f "$D/build/Makefile" ] && [ -L "$D/build/include" ] || make_build
[ "$ROOT" = / ] || make_chroot
[ -f "$D/runtime/.kvmmmu-patches" ] && [ "$(cat "$D/runtime/.kvmmmu-patches")" = "$(patch_sum)" ] || make_runtime
if [ "$ROOT" != / ]; then
	# stap reads the kernel's symbol table from /boot/System.map-KVER of
	# the root it runs in (5.6 warns "Kernel function symbol table missing"
	# without it).
	mkdir -p "$ROOT/boot"
	cmp -s "$D/dbg/System.map" "$ROOT/boot/System.map-$KVER" || cp "$D/dbg/System.map" "$ROOT/boot/System.map-$KVER"
fi
[ "$ROOT" = / ] && echo host > "$D/toolchain" || echo "$ROOT" > "$D/toolchain"
echo "$stapmm" > "$D/stap-version"
if [ -f "$D/.fetched" ]; then
	say "$KVER ready in $(( $(date +%s) - t_start )) s, $(awk '{ n += $1 } END { printf "%d", n / 1048576 }' "$D/.fetched") MB downloaded"
	rm -f "$D/.fetched"
fi
echo "$D"
