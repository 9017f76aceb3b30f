#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the nested Linux guest (make lab GUEST=linux; tests/lab/mkguest.sh
# puts it there): the Linux that the lab's guest boots with its own QEMU and
# KVM on shadow paging.  Runs the scenarios of /guest.conf in order and
# marks each one's start and end on the second serial port (ttyS1, the
# control channel): "mark NAME start", then waits for the lab's "ok", sent
# once it has read KVM's counters, so that a scenario starts only after its
# counters were read and they are read before anything of the next one.
#
# /guest.conf sets SCENARIOS, IDLE_S (idle's seconds), STORM_PROCS and
# STORM_EACH (storm: STORM_PROCS concurrent loops of STORM_EACH fork+exec
# of /bin/true each).
#
# Scenarios:
#   idle   sleep IDLE_S seconds: the guest's own timers and daemons only
#   storm  many short-lived processes at once: each a new address space,
#          its page tables built, used once and freed

export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

IDLE_S=5 STORM_PROCS=4 STORM_EACH=50
. /guest.conf
say() { echo "kvmmmu-guest: $*"; }
say "init at $(cut -d' ' -f1 /proc/uptime) s, kernel $(uname -r), $(cat /proc/cmdline)"

stty -F /dev/ttyS1 raw -echo || say "cannot set up the control port"
exec 3<>/dev/ttyS1
# mark NAME start|end: tell the lab and wait until it has read the counters.
mark() {
	echo "mark $1 $2" >&3
	read -r ack <&3
	[ "$ack" = ok ] || say "mark $1 $2: the lab answered '$ack'"
}

storm_loop() {
	i=0
	while [ $i -lt "$STORM_EACH" ]; do
		/bin/true
		i=$((i + 1))
	done
}

for s in $SCENARIOS; do
	mark "$s" start
	case $s in
	idle) sleep "$IDLE_S" ;;
	storm)
		p=0
		while [ $p -lt "$STORM_PROCS" ]; do
			storm_loop &
			p=$((p + 1))
		done
		wait ;;
	*) say "no scenario named $s" ;;
	esac
	mark "$s" end
done
echo "done" >&3
say "done at $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
