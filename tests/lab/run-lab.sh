#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-lab.sh KERNEL - run kvmmmu scripts on a real KVM shadow MMU.
#
# KERNEL is a line of tests/kernel/lines (its newest kernel now) or an exact
# Debian kernel ABI (KVER).  Boots that kernel under QEMU (TCG, -cpu max: an AMD CPU with
# SVM), loads kvm_amd with npt=0 (shadow paging) inside it, and for each
# script runs the workload with the script's module loaded by staprun.
# Results land in $LAB_OUT/KVER/ (default lab-out/KVER/):
#
#   NAME.trace        the script's output (staprun -o)
#   NAME.kvm-before   KVM's debugfs totals (/sys/kernel/debug/kvm/*), "name
#   NAME.kvm-after    value" a line, before the workload and at its last stop
#   NAME.kvm-stopN    at each stop of the workload (ours stops when its vCPUs
#                     have halted, and after it deleted its memory slot)
#   NAME.workload     the workload's output
#   NAME.staprun      staprun's messages
#   NAME.status       workload_rc, staprun_rc, how the after counters were read
#   console.log       the serial console; dmesg.log the guest's kernel log
#
# Environment (all optional):
#   SCRIPTS        script names or paths (default: every scripts/*.stp); an
#                  empty value set explicitly runs the workload without probes
#   WORKLOAD       a static program to run inside instead of ours
#   WORKLOAD_ARGS  its arguments (ours: DEFAULT_ARGS below)
#   LAB_OUT        output directory (default lab-out)
#   LAB_TIMEOUT    seconds before QEMU is killed (default 120; a run takes 10-15)
#   LAB_QEMU_ARGS  QEMU's accelerator options (default -accel tcg,thread=multi;
#                  make lab-probe-cost passes PROBE_COST_QEMU_ARGS)
#   LAB_FOREIGN    names among SCRIPTS whose traces are not kvmmmu format
#                  (checked for stap errors only)
#   STAP_FLAGS     extra stap options for the script modules (-t: the probe
#                  hit report, at the end of each trace)
#   LAB_FAULT_EVERY N: a test build of the tapsets whose every Nth unsync
#                  walk reads a faulting address (make lab-faults); the zap
#                  traces are then held to fault-account.sh, not to a clean check
#                  (stap -t's hit report, which SystemTap 5.x prints only to a
#                  terminal unless built with -DSTP_FORCE_STDOUT_TTY, counts the steps)
#   QEMU           the QEMU binary (default qemu-system-x86_64)
#   KVMMMU_CACHE   where tests/kernel/fetch-kernel.sh keeps kernel files
#
# Exit status: 0 every result is there and sane, 1 something is missing or
# failed, 2 usage, 3 the kernel could not be fetched (Debian archive
# unreachable or KVER unknown), 4 the guest hung or its kernel died before
# any result came out.
set -eu

me=lab
say() { echo "$me: $*" >&2; }
die() { echo "$me: $*" >&2; exit 1; }

[ $# -eq 1 ] && [ -n "$1" ] || { echo "usage: $0 KERNEL" >&2; exit 2; }
KERNEL=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# WORKLOAD and LAB_OUT may be relative to where we were called from.
case ${WORKLOAD:-} in ''|/*) ;; *) WORKLOAD=$(pwd)/$WORKLOAD ;; esac
case ${LAB_OUT:-} in ''|/*) ;; *) LAB_OUT=$(pwd)/$LAB_OUT ;; esac
cd "$top"

DEFAULT_ARGS="--vcpus 2 --iterations 20 --spaces 5 --regions 3"
QEMU=${QEMU:-qemu-system-x86_64}
LAB_TIMEOUT=${LAB_TIMEOUT:-120}
LAB_OUT=${LAB_OUT:-lab-out}
if [ "${SCRIPTS+set}" = set ]; then scripts=$SCRIPTS; else
	scripts=$(for f in scripts/*.stp; do [ -f "$f" ] && basename "$f" .stp; done)
fi

command -v "$QEMU" >/dev/null || die "$QEMU not found (make deps)"
command -v cpio >/dev/null || die "cpio not found (make deps)"
[ -f /bin/busybox ] || die "/bin/busybox not found (make deps: busybox-static)"

# ---- kernel files ------------------------------------------------------------
rc=0
KDIR=$(tests/kernel/fetch-kernel.sh "$KERNEL" | tail -n1) || rc=$?
if [ $rc -ne 0 ]; then
	say "cannot get kernel $KERNEL (fetch-kernel.sh exit $rc)"
	[ $rc -eq 3 ] && exit 3
	exit 1
fi
KVER=$(basename "$KDIR")
say "kernel $KERNEL: $KVER, systemtap $(cat "$KDIR/stap-version") ($(cat "$KDIR/toolchain"))"
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
[ -f "$VMLINUZ" ] || die "missing $VMLINUZ"

B=build/lab/$KVER
OUT=$LAB_OUT/$KVER
mkdir -p "$B/modules" "$OUT"

# ---- workload ----------------------------------------------------------------
if [ -n "${WORKLOAD:-}" ]; then
	[ -f "$WORKLOAD" ] || die "no such workload: $WORKLOAD"
	workload=$WORKLOAD
	args=${WORKLOAD_ARGS:-}
	stops=0
else
	workload=build/lab/kvm-workload
	if [ ! -x "$workload" ] || [ tests/lab/kvm-workload.c -nt "$workload" ]; then
		say "building $workload"
		${CC:-gcc} -static -O2 -Wall -Wextra -o "$workload" tests/lab/kvm-workload.c ||
			die "cannot build the workload"
	fi
	# Ours stops itself while its VM exists, so the counters are exact.
	args="--stop ${WORKLOAD_ARGS-$DEFAULT_ARGS}"
	stops=1
fi

# ---- script modules ----------------------------------------------------------
kos=
names=
for s in $scripts; do
	case $s in
	*/*|*.stp) src=$s ;;
	*) src=scripts/$s.stp ;;
	esac
	[ -f "$src" ] || die "no such script: $src"
	name=$(basename "$src" .stp | tr -- '-.' '__')
	say "compiling $src for $KVER"
	t0=$(date +%s)
	# The guest's CPUs are emulated, tens of times slower than hardware:
	# a probe holding a global (stap's @entry arrays, a snapshot) that long
	# makes another CPU's probe wait past stap's 1 ms lock timeout (100
	# tries of 10 us) and be skipped.  Scale the timeout with the CPU.
	STAP_FLAGS="-DMAXTRYLOCK=2000 ${LAB_FAULT_EVERY:+-t -DSTP_FORCE_STDOUT_TTY -DKVMMMU_FAULT_EVERY=$LAB_FAULT_EVERY} ${STAP_FLAGS:-}" \
	tests/kernel/stap-module.sh "$KDIR" "$src" "$B/modules" "$name" >/dev/null ||
		die "cannot compile $src for $KVER"
	say "compiled $name.ko in $(( $(date +%s) - t0 )) s"
	kos="$kos $B/modules/$name.ko"
	names="$names $name"
done
names=${names# }
[ -n "$names" ] || names=none

# ---- initramfs and boot ------------------------------------------------------
# shellcheck disable=SC2086 # kos is a list of paths without spaces
tests/lab/mkinitramfs.sh "$B/initramfs.cpio.gz" "$KDIR" "$workload" "$stops" "$args" $kos
say "initramfs $(( $(wc -c < "$B/initramfs.cpio.gz") / 1024 )) KiB; booting $KVER (scripts: $names; workload: $(basename "$workload") $args)"

for n in $names; do
	rm -f "$OUT/$n".trace "$OUT/$n".kvm-* "$OUT/$n".workload "$OUT/$n".staprun "$OUT/$n".status
done
rm -f "$OUT/console.log" "$OUT/dmesg.log" "$OUT/lab-error" "$B/xfer.tgz"
rm -f "$OUT/hang-dump.txt" "$B/monitor.sock" "$B/qemu.pid"
t0=$(date +%s)
# A second monitor on a unix socket (no port): when the guest stops making
# progress, hang-dump.pl asks it where every vCPU is before QEMU is stopped.
# unknown_nmi_panic: the NMI it then sends makes the guest print a backtrace.
# shellcheck disable=SC2086 # LAB_QEMU_ARGS is a list of options
"$QEMU" ${LAB_QEMU_ARGS:--accel tcg,thread=multi} -cpu max -m 1024 -smp 2 \
	-kernel "$VMLINUZ" -initrd "$B/initramfs.cpio.gz" \
	-append 'console=ttyS0 quiet panic=1 tsc=reliable unknown_nmi_panic' \
	-nographic -serial mon:stdio -serial "file:$B/xfer.tgz" -no-reboot \
	-monitor "unix:$B/monitor.sock,server=on,wait=off" -pidfile "$B/qemu.pid" \
	< /dev/null 2>&1 | stdbuf -oL tr -d '\r' | tee "$OUT/console.log" |
	sed -n 's/^.*\(kvmmmu-lab:\)/\1/p; /^kvm-workload\|^  staprun/p' >&2 &
qemu_job=$!
while kill -0 $qemu_job 2>/dev/null; do
	if [ $(( $(date +%s) - t0 )) -ge "$LAB_TIMEOUT" ]; then
		qpid=$(cat "$B/qemu.pid" 2>/dev/null || true)
		say "no end after $LAB_TIMEOUT s: dumping every vCPU's registers and stack, then an NMI"
		perl tests/lab/hang-dump.pl "$B/monitor.sock" "$KDIR/boot/System.map-$KVER" \
			"$OUT/console.log" 2 nmi > "$OUT/hang-dump.txt" 2>&1 || true
		grep '^== vCPU' "$OUT/hang-dump.txt" >&2 || true
		for i in 1 2 3 4 5 6 7 8 9 10; do
			[ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		if [ -n "$qpid" ]; then
			kill "$qpid" 2>/dev/null || true
			sleep 2
			kill -9 "$qpid" 2>/dev/null || true
		fi
		break
	fi
	sleep 1
done
# The pipeline's status is sed's; QEMU's own end is judged by the results.
wait $qemu_job || true
boot_s=$(( $(date +%s) - t0 ))
say "QEMU ran ${boot_s} s"

# How these results were made, for whoever keeps them.
{
	echo "kernel $KVER"
	echo "scripts $names"
	echo "workload $(basename "$workload") $args"
	echo "command make lab KVER=$KVER$( [ "$names" = none ] && echo " SCRIPTS=" || echo " SCRIPTS=\"$names\"")$( [ -n "${WORKLOAD:-}" ] && echo " WORKLOAD=$WORKLOAD")$( [ -n "${WORKLOAD_ARGS+set}" ] && echo " WORKLOAD_ARGS=\"$WORKLOAD_ARGS\"")"
	echo "qemu_s $boot_s"
	echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$OUT/lab.info"

if [ ! -s "$B/xfer.tgz" ]; then
	# Exit 4: the guest hung (QEMU reached LAB_TIMEOUT), or its kernel
	# died before the results came out (the 6.12 and 7.2 guests have oopsed on an
	# int3 in __schedule while probes were being armed, the seed's
	# scripts too); make lab runs such a kernel again, up to twice, and says so.
	if [ "$boot_s" -ge "$LAB_TIMEOUT" ]; then
		echo "$me: the guest hung: no results after ${boot_s} s (see $OUT/console.log)" >&2
		exit 4
	fi
	if died=$(grep -m1 -o 'Oops: .*' "$OUT/console.log") &&
	   grep -q 'Kernel panic' "$OUT/console.log"; then
		echo "$me: the guest's kernel died before the results came out: $died (see $OUT/console.log)" >&2
		exit 4
	fi
	die "no results came out of the guest (see $OUT/console.log)"
fi
tar -xzf "$B/xfer.tgz" -C "$OUT" || die "the results archive is damaged (see $OUT/console.log)"

# ---- check what came out -----------------------------------------------------
bad=0
miss() { say "MISSING: $*"; bad=1; }
[ -f "$OUT/lab-error" ] && { say "the guest reported: $(cat "$OUT/lab-error")"; bad=1; }
release=$(cat "$OUT/kernel-release" 2>/dev/null || true)
[ "$release" = "$KVER" ] || miss "the guest ran '$release', not $KVER"

# LAB_FOREIGN: names of scripts whose traces are not in kvmmmu format (the
# seed-style scripts of make lab-probe-cost): their traces are kept and
# stap's errors still fail the run, but no record checks apply.
is_foreign() { case " ${LAB_FOREIGN:-} " in *" $1 "*) return 0 ;; esac; return 1; }

# value FILE NAME: a counter from a .kvm-* file, 0 when absent.
value() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1" 2>/dev/null || echo 0; }

for n in $names; do
	for suf in kvm-before kvm-after status workload; do
		[ -s "$OUT/$n.$suf" ] || miss "$OUT/$n.$suf"
	done
	if [ -f "$OUT/$n.status" ]; then
		wrc=$(value "$OUT/$n.status" workload_rc)
		src=$(value "$OUT/$n.status" staprun_rc)
		[ "$wrc" = 0 ] || { say "$n: the workload exited $wrc"; bad=1; }
		[ "$src" = 0 ] || { say "$n: staprun exited $src"; bad=1; }
		[ "$stops" = 1 ] && [ "$(awk '$1 == "counters_after" { print $2 }' "$OUT/$n.status")" != stopped ] &&
			{ say "$n: the workload never stopped, no counters while the VM existed"; bad=1; }
	fi
	[ "$n" = none ] && continue
	t=$OUT/$n.trace
	if [ ! -s "$t" ]; then miss "$t"; continue; fi
	if is_foreign "$n"; then
		# Not a kvmmmu trace: only stap's own verdict applies.
		if grep -q '^WARNING: Number of errors\|^ERROR' "$t" "$OUT/$n.staprun" 2>/dev/null; then
			say "$n: stap reported errors or skipped probes:"; grep '^WARNING\|^ERROR' "$t" "$OUT/$n.staprun" >&2; bad=1
		fi
		say "$n: $(wc -c < "$t") bytes (not kvmmmu format)"
		continue
	fi
	head -n1 "$t" | grep -q '^kvmmmu [0-9][0-9]* ' || { say "$t: no kvmmmu header"; bad=1; }
	grep -q '^end ' "$t" || { say "$t: no end trailer"; bad=1; }
	if [ -n "${LAB_FAULT_EVERY:-}" ] && grep -q '^walk ' "$t" &&
	   ! grep -v '^WARNING: Skipped due to missed kprobe on\|^WARNING: Number of errors: 0, skipped probes: [0-9]*$' \
		"$OUT/$n.staprun" 2>/dev/null | grep -q '^WARNING\|^ERROR' && ! grep -q '^WARNING\|^ERROR' "$t"; then
		: # a faulting test build: the kprobes stap calls missed are held to the faults (fault-account.sh)
	elif grep -q '^WARNING: Number of errors\|^ERROR' "$t" "$OUT/$n.staprun" 2>/dev/null; then
		say "$n: stap reported errors or skipped probes:"; grep '^WARNING\|^ERROR' "$t" "$OUT/$n.staprun" >&2; bad=1
	fi
	# Our workload makes every script's events happen: a trace without
	# event records lost them.
	# (stap -t's hit report, after the trailer, is not records)
	events=$(awk '/^----- / { exit } $1 != "kvmmmu" && $1 != "end" && $1 !~ /^[A-Z]/ { n++ } END { print n + 0 }' "$t")
	[ "$stops" = 1 ] && [ "$events" -eq 0 ] && { say "$t: no event records at all"; bad=1; }
	kinds=$(awk '/^----- / { exit } { c[$1]++ } END { for (k in c) printf "%s=%d ", k, c[k] }' "$t")
	say "$n: $(wc -c < "$t") bytes: $kinds"
	say "$n: counters after: mmu_cache_miss=$(value "$OUT/$n.kvm-after" mmu_cache_miss)" \
	    "mmu_shadow_zapped=$(value "$OUT/$n.kvm-after" mmu_shadow_zapped)" \
	    "mmu_flooded=$(value "$OUT/$n.kvm-after" mmu_flooded)" \
	    "mmu_recycled=$(value "$OUT/$n.kvm-after" mmu_recycled)" \
	    "mmu_unsync(at halt)=$(value "$OUT/$n.kvm-stop1" mmu_unsync)"
done

# kvmmmu-report check, when this tree's report generator has it.
report=build/kvmmmu-report
if [ -x "$report" ] && "$report" check --help >/dev/null 2>&1; then
	counters=
	"$report" check --help 2>&1 | grep -q -- --kvm-after && counters=1
	for n in $names; do
		[ -s "$OUT/$n.trace" ] || continue
		is_foreign "$n" && continue
		set -- "$OUT/$n.trace"
		# Counters sampled while a workload ran miss what it did after the
		# last sample: only those read while it was stopped are compared.
		# mmu_shadow_zapped bounds walk steps: a capture without walks has
		# nothing to hold it to (check says so, and fails).
		if [ -n "$counters" ] && ! grep -q '^walk ' "$OUT/$n.trace"; then
			:
		elif [ -n "$counters" ] && [ -s "$OUT/$n.kvm-after" ] &&
		   grep -qx 'counters_after stopped' "$OUT/$n.status" 2>/dev/null; then
			set -- --kvm-before="$OUT/$n.kvm-before" --kvm-after="$OUT/$n.kvm-after" "$@"
		elif [ -n "$counters" ]; then
			say "$n: counters were sampled while the workload ran, not compared" \
			    "(a workload that stops itself with SIGSTOP before it destroys its VM gets exact ones)"
		fi
		# The kernel's decoding of the pages it zapped, beside the capture.
		if [ -s "$OUT/$n.tracepoints" ] && "$report" check --help 2>&1 | grep -q -- --tracepoints &&
		   grep -q '^walk ' "$OUT/$n.trace"; then
			set -- --tracepoints="$OUT/$n.tracepoints" "$@"
		fi
		if [ -n "${LAB_FAULT_EVERY:-}" ] && grep -q '^walk ' "$OUT/$n.trace"; then
			# A faulting test build: the loss must be exactly the faulted walks.
			"$report" check "$@" > "$OUT/$n.check" 2>&1 || :
			KVMMMU_REPORT=$report tests/lab/fault-account.sh "$OUT/$n.trace" "$LAB_FAULT_EVERY" "$OUT/$n.check" \
				"$OUT/$n.staprun" ||
				{ sed 's/^/    /' "$OUT/$n.check" >&2; bad=1; }
		elif "$report" check "$@" > "$OUT/$n.check" 2>&1; then
			say "$n: kvmmmu-report check passed"
		else
			say "$n: kvmmmu-report check FAILED:"; sed 's/^/    /' "$OUT/$n.check" >&2; bad=1
		fi
	done
fi

if [ $bad -ne 0 ]; then
	say "FAILED for $KVER (results in $OUT/)"
	exit 1
fi
say "ok: $KVER, $names, results in $OUT/"
