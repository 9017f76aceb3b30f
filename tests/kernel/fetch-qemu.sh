#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-qemu.sh LINE - the QEMU of a kernel line's release, for the lab's
# guest to run a Linux guest of its own with KVM (make lab GUEST=linux):
# the line's qemu-system-x86 and qemu-system-data packages, fetched as
# .debs into $KVMMMU_CACHE/debs (never installed) and unpacked into
# $KVMMMU_CACHE/qemu/LINE-VERSION/, whose path is the last line of stdout:
#
#   usr/bin/qemu-system-x86_64   the binary
#   usr/share/qemu/              its firmware (qboot.rom, pvh.bin, linuxboot*.bin, ...)
#   packages                     "package version" of each .deb
#
# The binary's shared libraries are not here: the lab copies those that
# `ldd` names from the line's toolchain root, which must then hold the
# release's libraries.  On this machine's own lines (bookworm) that is this
# machine.  On a chroot's line (bullseye, trixie, sid) the release's QEMU is
# installed into that chroot (apt-get inside it, once; a few minutes), and
# the directory printed is $KVMMMU_CACHE/qemu/LINE-chroot, its usr a link
# into the chroot and packages what the chroot holds.
#
# Exit status: 0 ready, 1 failure, 2 usage, 3 the Debian archive cannot
# give the packages.
set -eu

me=fetch-qemu
die() { echo "$me: $*" >&2; exit 1; }
say() { echo "$me: $*" >&2; }

. "$(cd "$(dirname "$0")" && pwd)/kernel-lib.sh"
[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 LINE" >&2; exit 2; }
kl_line "$1" || exit 2
LINE=$1

# A chroot line: the chroot's own QEMU, its libraries beside it.
if [ "$L_TOOLCHAIN" != host ]; then
	ROOT=$KL_CACHE/chroot/$L_TOOLCHAIN
	[ -d "$ROOT/usr" ] || die "no $L_TOOLCHAIN chroot at $ROOT (fetch-kernel.sh $LINE makes it)"
	mkdir -p "$KL_CACHE/qemu"
	exec 8>"$KL_CACHE/chroot/.$L_TOOLCHAIN.lock"
	flock 8
	if [ ! -x "$ROOT/usr/bin/qemu-system-x86_64" ]; then
		say "installing $L_TOOLCHAIN's qemu-system-x86 into its chroot (a few minutes)"
		log=$KL_CACHE/qemu/$LINE-chroot.log
		{ chroot "$ROOT" apt-get -q update &&
		  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -q -y --no-install-recommends \
			qemu-system-x86 qemu-system-data; } > "$log" 2>&1 || {
			tail -n 20 "$log" >&2
			if grep -q -E "Unable to locate|has no installation candidate|Failed to fetch|Temporary failure" "$log"; then
				say "the Debian archive cannot give $L_TOOLCHAIN's qemu-system-x86"; exit 3
			fi
			die "cannot install qemu-system-x86 into $ROOT (log: $log)"; }
	fi
	D=$KL_CACHE/qemu/$LINE-chroot
	mkdir -p "$D"
	ln -sfn "$ROOT/usr" "$D/usr"
	chroot "$ROOT" dpkg-query -W -f '${Package} ${Version}\n' qemu-system-x86 qemu-system-data > "$D/packages" ||
		die "dpkg-query in $ROOT failed"
	echo "$D"
	exit 0
fi

kl_apt_setup "$LINE" || exit $?

mkdir -p "$KL_CACHE/debs" "$KL_CACHE/qemu"
DEBS=$KL_CACHE/debs
PKGS="qemu-system-x86 qemu-system-data"
kl_show_load $PKGS
want=
for p in $PKGS; do
	v=$(kl_show "$p" Version)
	[ -n "$v" ] || { say "the Debian archive has no $p in $L_SUITES"; exit 3; }
	want="$want$p $v
"
done
ver=$(kl_show qemu-system-x86 Version | sed 's/^[0-9]*://; s/[^A-Za-z0-9.+~-]/_/g')
D=$KL_CACHE/qemu/$LINE-$ver
if [ -f "$D/packages" ] && [ "$(cat "$D/packages")" = "$(printf '%s' "$want")" ] &&
   [ -x "$D/usr/bin/qemu-system-x86_64" ]; then
	echo "$D"
	exit 0
fi

exec 8>"$KL_CACHE/qemu/.$LINE.lock"
flock 8
rm -rf "$D" "$D.tmp"
mkdir -p "$D.tmp"
printf '%s' "$want" | while read -r p v; do
	f=$DEBS/${p}_$(echo "$v" | sed 's/:/%3a/g')_
	g=
	for h in "$f"*.deb; do [ -f "$h" ] && g=$h; done
	if [ -z "$g" ]; then
		say "downloading $p $v"
		# shellcheck disable=SC2086
		(cd "$DEBS" && apt-get $APT_OPTS download -q "$p=$v") > "$DEBS/.$p.out" 2> "$DEBS/.$p.err" || {
			cat "$DEBS/.$p.err" >&2; say "cannot download $p=$v"; exit 3; }
		for h in "$f"*.deb; do [ -f "$h" ] && g=$h; done
		[ -n "$g" ] || die "apt-get download gave no file for $p $v"
	fi
	dpkg-deb -x "$g" "$D.tmp"
done
[ -x "$D.tmp/usr/bin/qemu-system-x86_64" ] || die "no usr/bin/qemu-system-x86_64 in qemu-system-x86"
printf '%s' "$want" > "$D.tmp/packages"
mv "$D.tmp" "$D"
echo "$D"
