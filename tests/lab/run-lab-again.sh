#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-lab-again.sh KERNEL - run-lab.sh, booted again up to twice when the
# guest hung or died (its exit 4): under QEMU's TCG a vCPU now and then runs
# a stale int3 at a jump label KVM flips as it makes or ends a VM, and the
# guest hangs or oopses with no probe of ours involved (docs/lab.md, Soak).
# Each boot again is said on stdout; the exit status is the last boot's.
# The environment reaches run-lab.sh as given.
rc=0
"$(dirname "$0")/run-lab.sh" "$1" || rc=$?
for again in 1 2; do
	[ "$rc" = 4 ] || break
	echo "lab: $1: the guest hung or died; running it again, $again of 2 (seen intermittently, see docs/lab.md)"
	rc=0
	"$(dirname "$0")/run-lab.sh" "$1" || rc=$?
done
exit "$rc"
