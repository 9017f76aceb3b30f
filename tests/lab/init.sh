#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the lab's initramfs (tests/lab/mkinitramfs.sh puts it there).
#
# Loads KVM with shadow paging (kvm_amd npt=0), then for each script module
# in /lab/config: reads KVM's debugfs counters, starts `staprun -o` in the
# background, waits until its probes are live, runs the workload, reads the
# counters again while the VM still exists, stops staprun with SIGINT.  All
# results go to /out, which is sent as a gzipped tar over the second serial
# port (ttyS1) before the machine powers off.  Progress lines on the console
# start with "kvmmmu-lab:".
#
# /lab/config sets: SCRIPTS (module names), WORKLOAD (path inside),
# WORKLOAD_ARGS, STOPS (1 when the workload stops itself with SIGSTOP
# before it destroys its VM), KVM_MODULES (insmod order), KVM_VENDOR_ARGS,
# and may set WORKLOAD_TIMEOUT (seconds, default 120; the workload is then
# killed).

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t tmpfs tmpfs /tmp
mkdir -p /out
hostname kvmmmu-lab

say() { echo "kvmmmu-lab: $*"; }
# uptime in seconds, for the timings
t() { cut -d' ' -f1 /proc/uptime; }

finish() {
	say "sending results ($(du -sk /out | cut -f1) KiB before compression)"
	dmesg > /out/dmesg.log 2>&1
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	tar -czf /tmp/out.tgz -C /out . && cat /tmp/out.tgz > /dev/ttyS1
	say "sent $(wc -c < /tmp/out.tgz) bytes"
	say "done at $(t) s"
	sync
	poweroff -f
	sleep 10
}

fail() {
	say "FAILED: $*"
	echo "$*" >> /out/lab-error
	finish
}

WORKLOAD_TIMEOUT=120
. /lab/config
say "init at $(t) s, kernel $(uname -r)"
echo "$(uname -r)" > /out/kernel-release

for m in $KVM_MODULES; do
	args=
	[ "$m" = kvm-amd ] && args=$KVM_VENDOR_ARGS
	insmod /lab/modules/$m.ko $args || fail "cannot load module $m"
done
npt=$(cat /sys/module/kvm_amd/parameters/npt 2>/dev/null)
case $npt in
0|N) ;;
*) fail "kvm_amd loaded with npt=$npt, not shadow paging" ;;
esac
[ -c /dev/kvm ] || fail "no /dev/kvm after loading the KVM modules"
say "kvm_amd npt=$npt loaded at $(t) s"
# Where the kernel and its modules are, so that a hang's dump, taken from
# outside (hang-dump.pl), can name the code each vCPU is in.
say "kallsyms _text $(awk '$3 == "_text" { print $1; exit }' /proc/kallsyms)"
modules() { say "modules $(awk '{ printf "%s@%s ", $1, $6 }' /proc/modules)"; }
modules

# counters FILE: KVM's debugfs totals as "name value" lines.  They sum
# over the VMs alive when read.
counters() {
	grep -s -H '' /sys/kernel/debug/kvm/* | sed 's|^/sys/kernel/debug/kvm/||; s|:| |' > "$1"
}

# The kernel's own decoding of every page it zaps (kvmmmu tracepoints are
# not reachable from stap on these kernels, tracefs is): on during each
# run, saved as NAME.tracepoints for kvmmmu-report check --tracepoints.
TP=/sys/kernel/tracing
TP_EVENT=$TP/events/kvmmmu/kvm_mmu_prepare_zap_page/enable
tracepoints_on() {
	[ -w "$TP_EVENT" ] || return 0
	echo 0 > $TP/tracing_on
	echo 4096 > $TP/buffer_size_kb
	echo > $TP/trace
	echo 1 > "$TP_EVENT"
	echo 1 > $TP/tracing_on
}
tracepoints_off() { # FILE
	[ -w "$TP_EVENT" ] || return 0
	echo 0 > $TP/tracing_on
	echo 0 > "$TP_EVENT"
	cat $TP/trace > "$1"
}

# state PID: the process state letter (R, S, T, Z...), empty when gone.
state() {
	sed -n 's/^.*) \([A-Za-z]\).*/\1/p' /proc/$1/stat 2>/dev/null
}

# wait_live NAME PID: the module is loaded and kprobes on KVM are
# registered (stap runs begin probes before it registers kprobes, so a
# header in the trace alone does not say the probes are live).
wait_live() {
	i=0
	while [ $i -lt 600 ]; do
		if [ -d /sys/module/$1 ] && grep -qE ' kvm(_amd)?( |$)' /sys/kernel/debug/kprobes/list 2>/dev/null; then
			sleep 0.2  # the rest of its kprobes, registered in the same loop
			return 0
		fi
		if ! kill -0 $2 2>/dev/null; then
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop_staprun NAME PID: SIGINT (its end probes write the trailer), wait up
# to 60 s, then the exit status in STAP_RC.
stop_staprun() {
	kill -INT $2
	i=0
	while kill -0 $2 2>/dev/null && [ "$(state $2)" != Z ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ $i -lt 600 ] || { say "$1: staprun did not stop in 60 s: killing it"; kill -KILL $2; }
	wait $2
	STAP_RC=$?
	say "$1: staprun exit $STAP_RC, trace $(wc -c < /out/$1.trace) bytes at $(t) s"
	[ -s /out/$1.staprun ] && sed 's/^/  staprun: /' /out/$1.staprun
}

# ---- GUEST=linux: a Linux guest of our own, booted with QEMU and KVM --------
# Every script's module is live around the whole run of the nested guest
# (tests/lab/guest-init.sh), which marks each scenario's start and end on
# its second serial port.  At each mark: the time on the records' clock
# (lab-clock), KVM's debugfs totals and the hits of two kprobe events
# (kvm_set_cr3: the guest's CR3 writes; kvm_mmu_load) go to /out, and only
# then is the guest told to go on.
#   marks                   "SCENARIO start|end NS" a line
#   SCENARIO.kvm-start/-end the counters at those marks, then
#                           "kprobe_kvm_set_cr3 N" and "kprobe_kvm_mmu_load N"
#   guest-console.log       the nested guest's console
KPROBES="kvm_set_cr3 kvm_mmu_load"
kprobes_on() {
	[ -w $TP/kprobe_events ] || { say "no kprobe events in tracefs"; return 0; }
	echo 0 > $TP/tracing_on  # hits are counted with the ring buffer off
	for f in $KPROBES; do
		echo "p:kvmmmu_lab/$f kvm:$f" >> $TP/kprobe_events || say "cannot add a kprobe event on kvm:$f"
		echo 1 > $TP/events/kvmmmu_lab/$f/enable 2>/dev/null
	done
}
kprobes_off() {
	[ -d $TP/events/kvmmmu_lab ] || return 0
	for f in $KPROBES; do
		echo 0 > $TP/events/kvmmmu_lab/$f/enable 2>/dev/null
		echo "-:kvmmmu_lab/$f" >> $TP/kprobe_events 2>/dev/null
	done
}
# mark_counters FILE: the debugfs totals, then the kprobe events' hits.
mark_counters() {
	counters "$1"
	# kprobe_profile: "EVENT HITS MISSES", the event without its group
	# (some kernels print GROUP/EVENT)
	awk -v names=" $KPROBES " '{ sub(/^kvmmmu_lab\//, "", $1) }
		index(names, " " $1 " ") { print "kprobe_" $1, $2 }' $TP/kprobe_profile >> "$1" 2>/dev/null
}

run_linux() {
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-500}
	# The nested guest's CPU: x86-64's baseline and 5-level paging, on every
	# line.  With -cpu host, KVM on TCG hands Debian 14's 7.2 an xsave
	# layout it oopses on (fpu__init_system_xstate), and without xsave
	# it still sees AVX, which then faults.
	GUEST_CPU=${GUEST_CPU:-qemu64,+la57}
	counters /out/kvm-before
	kprobes_on
	pids=
	for s in $SCRIPTS; do
		staprun -o /out/$s.trace /lab/$s.ko > /out/$s.staprun 2>&1 &
		pid=$!
		wait_live $s $pid || { cat /out/$s.staprun; fail "$s: staprun did not get the module running"; }
		pids="$pids $s:$pid"
		say "$s: probes live at $(t) s"
	done
	modules
	mkfifo /tmp/ctl.in /tmp/ctl.out
	: > /out/marks
	# The control channel's reader: one line a mark, answered "ok".
	(
		exec 3</tmp/ctl.out 4>/tmp/ctl.in
		while read -r word name what <&3; do
			case $word in
			mark)
				ns=$(/lab/lab-clock)
				mark_counters /out/$name.kvm-$what
				echo "$name $what $ns" >> /out/marks
				echo ok >&4
				echo "kvmmmu-lab: guest: $name $what at $(t) s" ;;
			done) break ;;
			*) echo "kvmmmu-lab: guest: unexpected '$word $name $what' on the control channel" ;;
			esac
		done
	) &
	reader=$!
	t0=$(t)
	say "booting the nested guest at $t0 s: $GUEST_APPEND"
	timeout -s KILL $GUEST_TIMEOUT qemu-system-x86_64 -M microvm,rtc=on -enable-kvm -cpu $GUEST_CPU \
		-m 256 -smp 1 -nodefaults -no-user-config -display none -no-reboot \
		-kernel /lab/guest/vmlinuz -initrd /lab/guest/initrd \
		-append "console=ttyS0 quiet pci=noearly panic=-1 $GUEST_APPEND" \
		-serial file:/out/guest-console.log \
		-chardev pipe,id=ctl,path=/tmp/ctl -device isa-serial,chardev=ctl,index=1 \
		> /out/guest-qemu.log 2>&1
	guest_rc=$?
	t1=$(t)
	kill $reader 2>/dev/null
	wait $reader 2>/dev/null
	say "nested guest: qemu exit $guest_rc after $(awk "BEGIN { print $t1 - $t0 }") s"
	sed 's/^/  guest: /' /out/guest-console.log
	sed 's/^/  guest qemu: /' /out/guest-qemu.log
	kprobes_off
	# The counters of the last mark read while the guest's VM lived.
	last=$(tail -n1 /out/marks | awk '{ print $1 ".kvm-" $2 }')
	for p in $pids; do
		s=${p%%:*}
		stop_staprun $s ${p#*:}
		cp /out/kvm-before /out/$s.kvm-before
		[ -n "$last" ] && cp /out/$last /out/$s.kvm-after
		cp /out/guest-console.log /out/$s.workload
		{
			echo "workload_rc $guest_rc"
			echo "workload_s $(awk "BEGIN { print $t1 - $t0 }")"
			echo "staprun_rc $STAP_RC"
			echo "counters_after $( [ -n "$last" ] && echo sampled || echo none)"
			echo "stops 0"
		} > /out/$s.status
		i=0
		while [ -d /sys/module/$s ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	done
}

if [ "${GUEST:-}" = linux ]; then
	run_linux
	finish
fi

# With no scripts, one run named "none": the workload without probes.
for s in ${SCRIPTS:-none}; do
	say "$s: start at $(t) s"
	counters /out/$s.kvm-before
	stap_pid=
	if [ "$s" != none ]; then
		staprun -o /out/$s.trace /lab/$s.ko > /out/$s.staprun 2>&1 &
		stap_pid=$!
		if ! wait_live $s $stap_pid; then
			cat /out/$s.staprun
			say "$s: /sys/module/$s: $(ls -d /sys/module/$s 2>&1)"
			say "$s: kprobes: $(head -n5 /sys/kernel/debug/kprobes/list 2>&1)"
			say "$s: trace: $(wc -c < /out/$s.trace) bytes"
			fail "$s: staprun did not get the module running"
		fi
		say "$s: probes live at $(t) s"
		modules
	fi

	t0=$(t)
	tracepoints_on
	$WORKLOAD $WORKLOAD_ARGS > /out/$s.workload 2>&1 &
	wl_pid=$!
	how=none
	stops=0
	ticks=0
	# Poll: a workload that stops itself (SIGSTOP) is counted each time it
	# stops, into NAME.kvm-stopN, and its last stop is NAME.kvm-after; for
	# any other workload the last sample taken while it ran stands in.
	while :; do
		st=$(state $wl_pid)
		case $st in
		T|t)
			stops=$((stops + 1))
			counters /out/$s.kvm-stop$stops
			cp /out/$s.kvm-stop$stops /out/$s.kvm-after
			how=stopped
			kill -CONT $wl_pid  # wakes it at once: no stale T below
			continue ;;
		''|Z)
			break ;;
		esac
		if [ "$STOPS" != 1 ]; then
			counters /tmp/sample
			if kill -0 $wl_pid 2>/dev/null && [ "$(state $wl_pid)" != Z ]; then
				mv /tmp/sample /out/$s.kvm-after
				how=sampled
			fi
		fi
		sleep 0.1
		ticks=$((ticks + 1))
		if [ $ticks -ge $((WORKLOAD_TIMEOUT * 10)) ]; then
			say "$s: the workload ran ${WORKLOAD_TIMEOUT} s: killing it"
			kill -KILL $wl_pid
		fi
	done
	wait $wl_pid
	wl_rc=$?
	t1=$(t)
	tracepoints_off /out/$s.tracepoints
	cat /out/$s.workload
	say "$s: workload exit $wl_rc, $(awk "BEGIN { print $t1 - $t0 }") s; counters after: $how"

	stap_rc=0
	if [ -n "$stap_pid" ]; then
		kill -INT $stap_pid
		i=0
		while kill -0 $stap_pid 2>/dev/null && [ "$(state $stap_pid)" != Z ] && [ $i -lt 600 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ $i -lt 600 ] || { say "$s: staprun did not stop in 60 s: killing it"; kill -KILL $stap_pid; }
		wait $stap_pid
		stap_rc=$?
		say "$s: staprun exit $stap_rc, trace $(wc -c < /out/$s.trace) bytes at $(t) s"
		[ -s /out/$s.staprun ] && sed 's/^/  staprun: /' /out/$s.staprun
	fi
	{
		echo "workload_rc $wl_rc"
		echo "workload_s $(awk "BEGIN { print $t1 - $t0 }")"
		echo "staprun_rc $stap_rc"
		echo "counters_after $how"
		echo "stops $stops"
	} > /out/$s.status
	# Let staprun's module go before the next one loads.
	i=0
	while [ -d /sys/module/$s ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
done

finish
