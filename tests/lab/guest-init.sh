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
# /guest.conf sets SCENARIOS and, when given, the sizes below.
#
# Scenarios:
#   idle      sleep IDLE_S seconds: the guest's own timers only
#   storm     many short-lived processes at once (STORM_PROCS concurrent
#             loops of STORM_EACH fork+exec of /bin/true): each a new
#             address space, its page tables built, used once and freed
#   build     a make-like process tree (BUILD_UNITS units, BUILD_JOBS at a
#             time): each unit a shell running a pipeline of sed, gzip and
#             md5sum over a source of its own, then one "link" of them all;
#             processes of every length, as a compile's are
#   threads   many threads in one address space (THREADS_ROUNDS rounds of
#             THREADS_N threads, /bin/guest-threads): switches between them
#             keep the page table
#   workload  the user's own script (GUEST_WORKLOAD), /workload, run by sh;
#             it may mark phases of its own with `kvmmmu-mark NAME start|end`

export PATH=/bin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

IDLE_S=10 STORM_PROCS=4 STORM_EACH=100 BUILD_UNITS=24 BUILD_JOBS=2 THREADS_ROUNDS=20 THREADS_N=16
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

# build: the sources and the "compiler" (a shell script a unit runs, as
# make runs cc) are made before the mark, so that the span holds the make
# alone; each unit's source differs (its number inside) and is 64 KiB.
build_sources() {
	mkdir -p /tmp/build
	cat > /tmp/build/cc <<-'EOF'
	sed "s/unit/obj/g" /tmp/build/u$1.c | gzip -c > /tmp/build/u$1.o
	md5sum /tmp/build/u$1.o > /tmp/build/u$1.d
	EOF
	# builtins only: a fork costs a tenth of a second in the nested guest
	text=$(head -c 1000 /init)
	i=0
	while [ $i -lt "$BUILD_UNITS" ]; do
		j=0
		while [ $j -lt 64 ]; do
			echo "unit $i part $j: $text"
			j=$((j + 1))
		done > /tmp/build/u$i.c
		i=$((i + 1))
	done
}
build() {
	i=0
	while [ $i -lt "$BUILD_UNITS" ]; do
		running=0
		while [ $running -lt "$BUILD_JOBS" ] && [ $i -lt "$BUILD_UNITS" ]; do
			sh /tmp/build/cc $i &
			running=$((running + 1))
			i=$((i + 1))
		done
		wait
	done
	cat /tmp/build/u*.o | gzip -d | wc -c > /tmp/build/linked
}

storm_loop() {
	i=0
	while [ $i -lt "$STORM_EACH" ]; do
		/bin/true
		i=$((i + 1))
	done
}

for s in $SCENARIOS; do
	[ "$s" = build ] && build_sources
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
	build) build ;;
	threads) /bin/guest-threads "$THREADS_ROUNDS" "$THREADS_N" || say "threads: guest-threads failed" ;;
	workload)
		sh /workload || say "workload: /workload exited $?" ;;
	*) say "no scenario named $s" ;;
	esac
	mark "$s" end
done
echo "done" >&3
say "done at $(cut -d' ' -f1 /proc/uptime) s"
poweroff -f
