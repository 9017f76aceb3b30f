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
#   GUEST          linux: instead of the workload, the lab's guest boots a
#                  Linux guest of its own (the same Debian kernel, with the
#                  release's own QEMU: tests/kernel/fetch-qemu.sh) with
#                  -M microvm -enable-kvm, whose init runs GUEST_SCENARIOS
#                  (default "idle storm build threads"; or workload),
#                  marking each start and end; every script captures around
#                  the whole run.  GUEST_APPEND: more of the nested guest's
#                  kernel command line ("pti=on"); GUEST_CPU its -cpu
#                  (default qemu64,+la57).  GUEST_WORKLOAD: a shell
#                  script of the user's, run as the scenario "workload" (the
#                  default scenarios then); it may mark phases of its own with
#                  kvmmmu-mark NAME start|end.  IDLE_S, STORM_PROCS,
#                  STORM_EACH, BUILD_UNITS, BUILD_JOBS, THREADS_ROUNDS,
#                  THREADS_N size the scenarios (tests/lab/guest-init.sh).
#                  Results default to
#                  lab-out/linux/KVER/, with marks, SCENARIO.kvm-start/-end,
#                  guest-console.log and scenarios.txt (docs/lab.md)
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
GUEST=${GUEST:-}
case $GUEST in
'') ;;
linux)
	# A nested Linux boot takes tens of seconds under TCG; the scripts
	# run all at once around it.
	LAB_TIMEOUT=${LAB_TIMEOUT:-900}
	LAB_OUT=${LAB_OUT:-$(pwd)/lab-out/linux}
	if [ -n "${GUEST_WORKLOAD:-}" ]; then
		[ -f "$GUEST_WORKLOAD" ] || { echo "$0: GUEST_WORKLOAD=$GUEST_WORKLOAD: no such file" >&2; exit 2; }
		GUEST_WORKLOAD=$(cd "$(dirname "$GUEST_WORKLOAD")" && pwd)/$(basename "$GUEST_WORKLOAD")
		GUEST_SCENARIOS=${GUEST_SCENARIOS:-workload}
	fi
	GUEST_SCENARIOS=${GUEST_SCENARIOS:-idle storm build threads}
	export GUEST_WORKLOAD
	[ "${SCRIPTS+set}" = set ] || SCRIPTS="root_hpa zap_unsync mmu_load_rate" ;;
*) echo "$0: GUEST=$GUEST: the only guest is linux (none: our workload)" >&2; exit 2 ;;
esac
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
# The nested guest is the workload then (the program is packed, not run).
[ "$GUEST" = linux ] && { stops=0; args=; }

# ---- a Linux guest of the guest's own (GUEST=linux) --------------------------
if [ "$GUEST" = linux ]; then
	[ -n "$scripts" ] || die "GUEST=linux needs at least one script"
	rc=0
	QDIR=$(tests/kernel/fetch-qemu.sh "$(cat "$KDIR/line")" | tail -n1) || rc=$?
	[ $rc -eq 0 ] || { say "cannot get the release's QEMU (fetch-qemu.sh exit $rc)"; [ $rc -eq 3 ] && exit 3; exit 1; }
	mkdir -p build/lab
	if [ ! -x build/lab/lab-clock ] || [ tests/lab/lab-clock.c -nt build/lab/lab-clock ]; then
		${CC:-gcc} -static -O2 -Wall -Wextra -o build/lab/lab-clock tests/lab/lab-clock.c ||
			die "cannot build lab-clock"
	fi
	case " $GUEST_SCENARIOS " in
	*" threads "*)
		if [ ! -x build/lab/guest-threads ] || [ tests/lab/guest-threads.c -nt build/lab/guest-threads ]; then
			${CC:-gcc} -static -pthread -s -O2 -Wall -Wextra -o build/lab/guest-threads tests/lab/guest-threads.c ||
				die "cannot build guest-threads"
		fi
		export GUEST_THREADS=build/lab/guest-threads ;;
	esac
	mkdir -p "build/lab/$KVER"
	tests/lab/mkguest.sh "build/lab/$KVER/guest.cpio.gz" "$GUEST_SCENARIOS" || exit 1
	export LAB_GUEST_QEMU=$QDIR LAB_GUEST_KERNEL=$VMLINUZ LAB_GUEST_INITRD=build/lab/$KVER/guest.cpio.gz
	export LAB_CLOCK=build/lab/lab-clock LAB_GUEST_APPEND=${GUEST_APPEND:-} LAB_GUEST_CPU=${GUEST_CPU:-}
	export LAB_GUEST_TIMEOUT=$((LAB_TIMEOUT - 60))
	say "nested guest: $(sed -n 's/^qemu-system-x86 /qemu /p' "$QDIR/packages"), kernel $KVER, scenarios: $GUEST_SCENARIOS${GUEST_APPEND:+, append: $GUEST_APPEND}"
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
what="$(basename "$workload") $args"
[ "$GUEST" = linux ] && what="a nested Linux guest: $GUEST_SCENARIOS${GUEST_APPEND:+, $GUEST_APPEND}"
say "initramfs $(( $(wc -c < "$B/initramfs.cpio.gz") / 1024 )) KiB; booting $KVER (scripts: $names; workload: $what)"

for n in $names; do
	rm -f "$OUT/$n".trace "$OUT/$n".kvm-* "$OUT/$n".workload "$OUT/$n".staprun "$OUT/$n".status
done
rm -f "$OUT/console.log" "$OUT/dmesg.log" "$OUT/lab-error" "$B/xfer.tgz"
rm -f "$OUT/marks" "$OUT"/*.kvm-start "$OUT"/*.kvm-end "$OUT/kvm-before" "$OUT/guest-console.log" \
	"$OUT/guest-qemu.log" "$OUT/scenarios.txt" "$OUT"/*.scenario-check
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
	echo "workload $what"
	if [ "$GUEST" = linux ]; then
		echo "guest linux $(sed -n 's/^qemu-system-x86 /qemu /p' "$QDIR/packages") cpu=${GUEST_CPU:-qemu64,+la57} scenarios=$GUEST_SCENARIOS append=${GUEST_APPEND:-}"
		echo "command make lab GUEST=linux KVER=$KVER SCRIPTS=\"$names\" GUEST_SCENARIOS=\"$GUEST_SCENARIOS\"$( [ -n "${GUEST_APPEND:-}" ] && echo " GUEST_APPEND=\"$GUEST_APPEND\"")"
	else
	echo "command make lab KVER=$KVER$( [ "$names" = none ] && echo " SCRIPTS=" || echo " SCRIPTS=\"$names\"")$( [ -n "${WORKLOAD:-}" ] && echo " WORKLOAD=$WORKLOAD")$( [ -n "${WORKLOAD_ARGS+set}" ] && echo " WORKLOAD_ARGS=\"$WORKLOAD_ARGS\"")"
	fi
	echo "qemu_s $boot_s"
	echo "date $(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$OUT/lab.info"

if [ ! -s "$B/xfer.tgz" ]; then
	# Exit 4: the guest hung (QEMU reached LAB_TIMEOUT), or its kernel
	# died before the results came out: both happen with no probe at all,
	# when QEMU's TCG runs a stale int3 at the jump label KVM flips as it
	# makes or destroys a VM (docs/lab.md, Soak); make lab runs such a
	# kernel again, up to twice, and says so.
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
	[ "$GUEST" = linux ] && [ "$events" -eq 0 ] && { say "$t: no event records from the nested guest's run"; bad=1; }
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

# ---- GUEST=linux: each scenario's span, counters and records -----------------
# The marks are times on the records' clock: kvmmmu-report's --time=@START,@END
# cuts each scenario out of every trace.
if [ "$GUEST" = linux ]; then
	[ -s "$OUT/marks" ] || miss "$OUT/marks (the nested guest marked nothing: see $OUT/guest-console.log)"
	# delta SCENARIO COUNTER: its end value less its start value.
	delta() { echo $(( $(value "$OUT/$1.kvm-end" "$2") - $(value "$OUT/$1.kvm-start" "$2") )); }
	{
		printf '%-8s %8s %8s %8s %8s %8s %8s %8s %9s %8s %10s\n' scenario wall_s loads \
			kprobe_ld switches hit miss cr3_wr exits cache_miss zapped
		# every name marked, in order: the scenarios and a workload's own phases
		for sc in $(awk '!seen[$1]++ { print $1 }' "$OUT/marks"); do
			st=$(awk -v s="$sc" '$1 == s && $2 == "start" { print $3 }' "$OUT/marks" 2>/dev/null)
			en=$(awk -v s="$sc" '$1 == s && $2 == "end" { print $3 }' "$OUT/marks" 2>/dev/null)
			if [ -z "$st" ] || [ -z "$en" ]; then
				echo "$sc: no start and end marks" >&2
				continue
			fi
			r="- - - -"
			if [ -s "$OUT/root_hpa.trace" ] && [ -x "$report" ]; then
				r=$("$report" roots --quiet --format csv --time="@$st,@$en" "$OUT/root_hpa.trace" 2>/dev/null |
					awk -F, '/^capture,vm,kvm,vcpu,loads,/ { for (i = 1; i <= NF; i++) c[$i] = i; on = 1; next }
						on && NF < 5 { on = 0 }
						on { l += $c["loads"]; h += $c["prev_roots_hit"]; m += $c["prev_roots_miss"] }
						END { print l + 0, h + m, h + 0, m + 0 }')
			fi
			set -- $r
			printf '%-8s %8s %8s %8s %8s %8s %8s %8s %9s %8s %10s\n' "$sc" \
				"$(awk -v a="$st" -v b="$en" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')" \
				"$1" "$(delta "$sc" kprobe_kvm_mmu_load)" "$2" "$3" "$4" \
				"$(delta "$sc" kprobe_kvm_set_cr3)" "$(delta "$sc" exits)" \
				"$(delta "$sc" mmu_cache_miss)" "$(delta "$sc" mmu_shadow_zapped)"
			# Each trace's records of the scenario, checked on their own:
			# check's verdicts on them, except loss and bad lines, which
			# it counts over the whole input; the scenario's own loss
			# from the seq gaps inside its span (span-loss.awk).
			for n in $names; do
				[ -s "$OUT/$n.trace" ] && [ -x "$report" ] || continue
				is_foreign "$n" && continue
				c=$OUT/$n.$sc.scenario-check
				# KVM's counters at the marks hold the walks between them
				set --
				if awk -v st="$st" -v en="$en" '$1 == "walk" && $2 "" >= st "" && $2 "" < en "" { f = 1; exit } END { exit !f }' \
				   "$OUT/$n.trace" && [ -s "$OUT/$sc.kvm-start" ] && [ -s "$OUT/$sc.kvm-end" ]; then
					set -- --kvm-before="$OUT/$sc.kvm-start" --kvm-after="$OUT/$sc.kvm-end"
				fi
				"$report" check --quiet --time="@$st,@$en" "$@" "$OUT/$n.trace" > "$c" 2>&1 || :
				lost=$(awk -v st="$st" -v en="$en" -f tests/lab/span-loss.awk "$OUT/$n.trace")
				echo "span-loss: $lost records missing between the marks" >> "$c"
				if grep '^FAIL' "$c" | grep -qv '^FAIL nothing lost\|^FAIL bad lines' || [ "$lost" != 0 ] ||
				   ! grep -q '^check: ' "$c"; then
					echo "$n: the check of $sc FAILED:" >&2
					sed 's/^/    /' "$c" >&2
					echo FAILED >> "$OUT/scenarios.failed"
				else
					echo "$n: $sc checked: $(grep -c '^ok' "$c") ok, no loss between the marks" >&2
				fi
			done
		done
		echo "loads: load records (root_hpa); kprobe_ld: kvm_mmu_load calls (kprobe event hits);"
		echo "switches, hit, miss: switch records and their prev_roots result; cr3_wr: kvm_set_cr3 calls;"
		echo "exits, cache_miss (shadow pages made), zapped: KVM's debugfs counters; all between the marks"
	} > "$OUT/scenarios.txt"
	sed 's/^/  /' "$OUT/scenarios.txt" >&2
	[ -f "$OUT/scenarios.failed" ] && { rm -f "$OUT/scenarios.failed"; bad=1; }
	for sc in $GUEST_SCENARIOS; do
		grep -q "^$sc " "$OUT/scenarios.txt" || miss "the marks of scenario $sc"
	done
fi

if [ $bad -ne 0 ]; then
	say "FAILED for $KVER (results in $OUT/)"
	exit 1
fi
say "ok: $KVER, $names, results in $OUT/"
